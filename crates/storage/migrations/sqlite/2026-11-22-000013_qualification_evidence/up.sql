-- Files of evidence for a qualification (a certificate, an assessor's record of a
-- unit). Each is kept as a case's documents are: the file is sealed in the data
-- folder's `attachments` folder under a random name; the row holds its sealed original
-- name, its checked type and its size. Who may open it follows the staff record of the
-- qualification's holder.
CREATE TABLE qualification_evidence (
    id INTEGER PRIMARY KEY NOT NULL,
    qualification_id BIGINT NOT NULL REFERENCES qualifications (id),
    file_name TEXT NOT NULL,
    -- 'pdf', 'png', 'jpeg': what the file's first bytes show it to be.
    kind TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_as TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX qualification_evidence_qualification ON qualification_evidence (qualification_id);
