-- What the daily retention check found at each provider (DOMAIN.md §5, seed 003 §6):
-- how many people's records are past the retention period, how many of those a legal
-- hold keeps, and when it looked. Counts only, so the managers' home page can say a
-- review is due without reading anyone's record; destruction itself waits for a
-- manager's approval.
CREATE TABLE retention_checks (
    provider_id BIGINT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    checked_at TIMESTAMP NOT NULL,
    people_due BIGINT NOT NULL,
    people_held BIGINT NOT NULL
);
