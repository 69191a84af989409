-- Referrals, the people they are about, the eligibility decision per duty, and the
-- cases an accepted referral opens (one per accepted duty, for one person record).

CREATE TABLE people (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth DATE,
    postcode TEXT,
    -- Lower-cased "family given" and the upper-cased postcode without spaces, so that
    -- duplicate matching never depends on a collation.
    name_key TEXT NOT NULL,
    postcode_key TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    local_authority TEXT,
    placed_out_of_area BOOLEAN NOT NULL DEFAULT FALSE,
    is_prisoner BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT,
    needs_interpreter BOOLEAN NOT NULL DEFAULT FALSE,
    uses_bsl BOOLEAN NOT NULL DEFAULT FALSE,
    wants_easy_read BOOLEAN NOT NULL DEFAULT FALSE,
    preferred_contact TEXT,
    created_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX people_name ON people (provider_id, name_key);
CREATE INDEX people_postcode ON people (provider_id, postcode_key);
CREATE INDEX people_birth ON people (provider_id, date_of_birth);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    -- The reference the referrer is given, e.g. R-7K3P-Q9XR.
    reference TEXT NOT NULL UNIQUE,
    -- SHA-256 of the private status link's token.
    status_token_hash TEXT NOT NULL UNIQUE,
    -- 'public' (the form anyone can use) or 'staff'.
    source TEXT NOT NULL,
    -- 'self', 'professional', 'family_or_friend', 'other'.
    referrer_kind TEXT NOT NULL,
    referrer_name TEXT,
    referrer_organisation TEXT,
    referrer_role TEXT,
    referrer_email TEXT,
    referrer_phone TEXT,
    referrer_relationship TEXT,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth DATE,
    postcode TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    local_authority TEXT,
    placed_out_of_area BOOLEAN NOT NULL DEFAULT FALSE,
    is_prisoner BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT,
    needs_interpreter BOOLEAN NOT NULL DEFAULT FALSE,
    uses_bsl BOOLEAN NOT NULL DEFAULT FALSE,
    wants_easy_read BOOLEAN NOT NULL DEFAULT FALSE,
    preferred_contact TEXT,
    what_is_happening TEXT NOT NULL,
    meeting_date DATE,
    deadline_date DATE,
    compulsion_date DATE,
    safeguarding_concerns TEXT,
    risk_to_visitor TEXT,
    -- 'given', 'not_given', 'unable' (the person could not consent), with why.
    consent TEXT NOT NULL,
    consent_note TEXT,
    -- The eligibility answers, as the eligibility contract's request JSON.
    eligibility_answers TEXT NOT NULL,
    -- 'received', 'accepted', 'declined', 'on_hold', 'withdrawn'.
    status TEXT NOT NULL,
    status_reason TEXT,
    person_id BIGINT REFERENCES people (id),
    received_at TIMESTAMP NOT NULL,
    created_by BIGINT REFERENCES users (id),
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX referrals_queue ON referrals (provider_id, status, received_at);

-- What intake decided for each statutory duty, beside what the engine suggested.
CREATE TABLE referral_decisions (
    referral_id BIGINT NOT NULL REFERENCES referrals (id),
    duty TEXT NOT NULL,
    suggested TEXT NOT NULL,
    -- 'accept' or 'decline'.
    decision TEXT NOT NULL,
    -- Required when the decision goes against the engine's suggestion.
    disagreement_reason TEXT,
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (referral_id, duty)
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    referral_id BIGINT NOT NULL REFERENCES referrals (id),
    duty TEXT NOT NULL,
    -- 'waiting' (on the waiting list), 'allocated', 'closed'.
    status TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    -- The IMHA introduction deadline (3 working days after compulsion), when it applies.
    introduction_due DATE,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_waiting ON cases (provider_id, status);
CREATE INDEX cases_person ON cases (person_id);
