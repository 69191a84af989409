ALTER TABLE staff_profiles DROP COLUMN group_supervision_months;
