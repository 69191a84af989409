-- Group supervision: advocates attend it regularly where the provider has more than one
-- advocate (003 §8). How often it is due is kept on each profile, beside how often
-- individual supervision is due; profiles already written start at every three months.
ALTER TABLE staff_profiles ADD COLUMN group_supervision_months INTEGER NOT NULL DEFAULT 3;
