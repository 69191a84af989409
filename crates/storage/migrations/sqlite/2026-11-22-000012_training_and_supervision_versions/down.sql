ALTER TABLE supervisions DROP COLUMN version;
ALTER TABLE training_records DROP COLUMN version;
