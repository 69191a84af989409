-- Documents kept on a case (letters, reports, photos of documents). The file itself is
-- sealed in the data folder's `attachments` folder under a random name; the row holds
-- its sealed original name, its checked type and its size.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    file_name TEXT NOT NULL,
    -- 'pdf', 'png', 'jpeg': what the file's first bytes show it to be.
    kind TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_as TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);
