-- The counts of a finished reporting period, kept the first time its report is made
-- (DOMAIN.md §10). A published report is not counted again: a record entered late
-- would change figures already published, and a reader who compares the two versions
-- could work out a count that suppression hid. `facts` holds counts only, as JSON;
-- `version` is the shape of that JSON, so a newer Advocase can tell a report it cannot
-- read from one it can.
CREATE TABLE report_snapshots (
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    version INTEGER NOT NULL,
    facts TEXT NOT NULL,
    counted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (contract_id, period_from, period_to)
);
