-- Confidentiality and the records lifecycle: who may see a record beyond the usual
-- need-to-know rule and why, what the person agreed may be shared, breaches of
-- confidentiality, the person's requests for their records, and destruction at the end
-- of the retention period. Free text typed about a person (reasons, notes) is sealed
-- like casework notes.

-- A restricted person (for example someone who is also on the staff, or a public
-- figure) is hidden from everyone except the users named in `restricted_access`.
ALTER TABLE people ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE restricted_access (
    person_id BIGINT NOT NULL REFERENCES people (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    granted_by BIGINT NOT NULL REFERENCES users (id),
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, user_id)
);

-- Why a manager opened a case that is not theirs, asked the first time per case.
CREATE TABLE case_view_reasons (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- 'supervision', 'allocation', 'safeguarding', 'complaint', 'quality_check', 'other'.
    reason TEXT NOT NULL,
    detail TEXT,
    given_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, user_id)
);

-- Emergency ("break-glass") access to a case by a member of staff it is not
-- allocated to: time-limited, with a reason, and flagged to managers until reviewed.
CREATE TABLE break_glass (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at TIMESTAMP
);
CREATE INDEX break_glass_user ON break_glass (user_id, expires_at);
CREATE INDEX break_glass_review ON break_glass (provider_id, reviewed_at);

-- What the person agreed may be shared, with whom and until when, or the lawful basis
-- for sharing when consent is not the basis. Withdrawn consents are kept, dated.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    -- 'case_summary', 'contact_notes', 'reports', 'all_records'.
    scope TEXT NOT NULL,
    -- Who may receive it, in the person's or advocate's words (e.g. "GP", "social worker").
    recipient TEXT NOT NULL,
    -- 'consent', 'vital_interests', 'legal_obligation', 'public_task'.
    basis TEXT NOT NULL,
    -- How consent was given: 'written', 'verbal', 'easy_read_form', 'representative'.
    given_how TEXT,
    given_on DATE NOT NULL,
    valid_until DATE,
    note TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    withdrawn_on DATE,
    withdrawn_by BIGINT REFERENCES users (id)
);
CREATE INDEX consents_person ON consents (person_id);

-- A decision to share information without the person's consent (DOMAIN.md §5).
CREATE TABLE confidentiality_breaches (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    case_id BIGINT REFERENCES cases (id),
    decided_on DATE NOT NULL,
    -- 'risk_to_person', 'risk_to_others', 'safeguarding', 'crime', 'court_order', 'other'.
    ground TEXT NOT NULL,
    why TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    who_was_told TEXT NOT NULL,
    person_told BOOLEAN NOT NULL,
    -- Why the person was not told, when they were not.
    not_told_why TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX confidentiality_breaches_provider ON confidentiality_breaches (provider_id, decided_on);

-- A person's request for a copy of their records, on its one-month clock.
CREATE TABLE subject_access_requests (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    received_on DATE NOT NULL,
    due_on DATE NOT NULL,
    -- Who asked: 'person', 'representative'.
    requested_by TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    answered_on DATE,
    answered_by BIGINT REFERENCES users (id)
);
CREATE INDEX subject_access_requests_provider ON subject_access_requests (provider_id, answered_on);

-- People whose records must not be destroyed when their retention period ends.
CREATE TABLE legal_holds (
    person_id BIGINT PRIMARY KEY NOT NULL REFERENCES people (id),
    reason TEXT NOT NULL,
    placed_by BIGINT NOT NULL REFERENCES users (id),
    placed_at TIMESTAMP NOT NULL
);

-- What was destroyed, when and on whose approval, without any personal data: the
-- destroyed person's former row number and how many records of each kind went.
CREATE TABLE destructions (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    destroyed_at TIMESTAMP NOT NULL,
    approved_by BIGINT NOT NULL REFERENCES users (id),
    -- 'person' or 'declined_referral'.
    record_class TEXT NOT NULL,
    former_id BIGINT NOT NULL,
    -- JSON: table name to number of rows destroyed.
    counts TEXT NOT NULL
);

-- Audit entries whose free text was destroyed with the records they were about: the
-- content hash stays, so the chain still verifies.
ALTER TABLE audit_entries ADD COLUMN content_destroyed BOOLEAN NOT NULL DEFAULT FALSE;
