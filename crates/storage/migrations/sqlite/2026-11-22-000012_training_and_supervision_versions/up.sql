-- Training and supervision records can be corrected. Each carries a version, as other
-- records that are edited do, so that a correction made on a form opened before someone
-- else saved theirs is refused and shown, never silently lost.
ALTER TABLE training_records ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE supervisions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
