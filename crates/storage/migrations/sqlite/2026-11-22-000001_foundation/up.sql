-- The foundation: organisations, staff accounts, sessions, API tokens, the audit trail,
-- background job leases and files. Timestamps are UTC, stored by Diesel as text in
-- SQLite and as `timestamp` in PostgreSQL; ids are 64-bit integers on both.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY NOT NULL,
    -- 'provider' or 'commissioner'
    kind TEXT NOT NULL CHECK (kind IN ('provider', 'commissioner')),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    -- Stored lower-cased so that look-ups never depend on a collation.
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    -- argon2id PHC string; NULL until the account's owner sets a password.
    password_hash TEXT,
    -- Base32 TOTP secret; NULL until two-factor is enrolled.
    totp_secret TEXT,
    -- The last TOTP time step accepted, so that a code is never accepted twice.
    totp_last_step BIGINT,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    -- Wrong two-factor codes in a row. Kept apart from failed_sign_ins because a right
    -- password must not give an attacker fresh guesses at the code.
    two_factor_failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    disabled_at TIMESTAMP,
    -- Demo accounts may skip two-factor; nothing else may.
    is_demo BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    -- Optimistic concurrency: every update increments it.
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX users_organisation ON users (organisation_id);

-- One-time links, e.g. for creating the first administrator or setting a new password.
-- Only the SHA-256 of the token is kept, so a copy of the database opens nothing.
CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie value: the database never holds a usable session token.
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    -- The absolute time-out, fixed at creation.
    expires_at TIMESTAMP NOT NULL,
    two_factor_passed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

-- Append-only. `content_hash` covers the entry's own fields; `chain_hash` links it to the
-- entry before (see the domain crate's audit module). `sequence` has no gaps.
CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY NOT NULL,
    sequence BIGINT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor_user_id BIGINT,
    organisation_id BIGINT,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT,
    ip TEXT,
    reason TEXT,
    content_hash TEXT NOT NULL,
    chain_hash TEXT NOT NULL
);
CREATE INDEX audit_entries_record ON audit_entries (record_type, record_id);
CREATE INDEX audit_entries_actor ON audit_entries (actor_user_id);
CREATE INDEX audit_entries_organisation ON audit_entries (organisation_id, sequence);

-- A single row holding the chain's newest link. Every write transaction updates it
-- first, which serialises writers on both backends before they read the head.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    sequence BIGINT NOT NULL,
    chain_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, sequence, chain_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Leases so that, with several Advocase processes on one database, each background job
-- runs in one process at a time.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT,
    leased_until TIMESTAMP,
    last_finished_at TIMESTAMP
);

-- Days an administrator adds to the shipped bank-holiday calendars.
CREATE TABLE calendar_days (
    nation TEXT NOT NULL,
    day DATE NOT NULL,
    name TEXT NOT NULL,
    added_by BIGINT REFERENCES users (id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (nation, day)
);
