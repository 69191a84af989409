-- People who use the service reading their own records: the account that belongs to a
-- person record, and their requests to correct what is held (rectification).

-- A `person` account and the person record it may read, one each way.
CREATE TABLE person_accounts (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id),
    person_id BIGINT NOT NULL UNIQUE REFERENCES people (id),
    invited_by BIGINT NOT NULL REFERENCES users (id),
    invited_at TIMESTAMP NOT NULL
);

-- A request by a person to correct their records, tracked to an answer. The texts are
-- sealed at rest.
CREATE TABLE rectification_requests (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    asked_at TIMESTAMP NOT NULL,
    what_is_wrong TEXT NOT NULL,
    should_say TEXT,
    answered_at TIMESTAMP,
    answered_by BIGINT REFERENCES users (id),
    -- Whether the record was corrected as asked.
    corrected BOOLEAN,
    answer TEXT
);
CREATE INDEX rectification_requests_person ON rectification_requests (person_id);
CREATE INDEX rectification_requests_open ON rectification_requests (provider_id, answered_at);
