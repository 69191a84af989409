-- The bytes of every stored document (a case's letters, reports and photos of
-- documents; the evidence of a qualification), sealed with the installation key, kept
-- in the database itself: written in the same transaction as the row that names it, so
-- a document and its record are saved, backed up, exported, moved and destroyed
-- together, and every process serving the installation sees the same documents.
-- `stored_as` is the random name in `attachments.stored_as` or
-- `qualification_evidence.stored_as`; `key_id` names the key it is sealed under, so a
-- key rotation finds what to re-seal without opening anything.
CREATE TABLE documents (
    stored_as TEXT PRIMARY KEY NOT NULL,
    key_id TEXT NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX documents_key ON documents (key_id);
