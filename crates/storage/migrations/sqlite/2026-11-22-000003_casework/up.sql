-- Casework: who advocates for whom, what the work of a case is, and how it ended.
-- Free text written in the person's words or about them (what was discussed, issues,
-- outcomes) lives in the columns named for it, so that encryption at rest can cover
-- exactly those.

-- The person's stated preferences and communication needs, kept with the person so
-- every case of theirs (integrated advocacy) sees them.
ALTER TABLE people ADD COLUMN gender_preference TEXT;
ALTER TABLE people ADD COLUMN communication_needs TEXT;

-- The allocated advocate, and how the case ended.
ALTER TABLE cases ADD COLUMN advocate_id BIGINT REFERENCES users (id);
ALTER TABLE cases ADD COLUMN allocated_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN closed_by BIGINT REFERENCES users (id);
-- 'completed', 'handed_over', 'moved_area', 'withdrew', 'died', 'duty_ended'.
ALTER TABLE cases ADD COLUMN closure_reason TEXT;
ALTER TABLE cases ADD COLUMN handed_over_to TEXT;
-- 'more', 'same', 'not_known': whether the person can now speak up for themselves more.
ALTER TABLE cases ADD COLUMN self_advocacy TEXT;
ALTER TABLE cases ADD COLUMN closure_note TEXT;
-- Why the case closed although issues, work or challenges were still open.
ALTER TABLE cases ADD COLUMN open_tasks_reason TEXT;
-- The earlier case of the same person and duty that this one re-opens.
ALTER TABLE cases ADD COLUMN reopens_case_id BIGINT REFERENCES cases (id);
CREATE INDEX cases_advocate ON cases (advocate_id, status);

-- What allocation weighs about an advocate until qualification records exist: the
-- duties they work under, the areas they cover and the languages they speak (each a
-- comma-separated list), their gender, and how many open cases they can hold.
CREATE TABLE advocate_settings (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id),
    duties TEXT NOT NULL DEFAULT '',
    areas TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    gender TEXT,
    capacity INTEGER NOT NULL DEFAULT 20,
    version BIGINT NOT NULL DEFAULT 1
);

-- A conflict of interest between an advocate and a person: a hard block on allocation.
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    advocate_id BIGINT NOT NULL REFERENCES users (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    -- 'knows_personally', 'related', 'provides_care', 'vested_interest'.
    kind TEXT NOT NULL,
    note TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (advocate_id, person_id)
);
CREATE INDEX conflicts_person ON conflicts (person_id);

-- Every allocation and re-allocation of a case, with the reasons.
CREATE TABLE allocations (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    advocate_id BIGINT NOT NULL REFERENCES users (id),
    allocated_by BIGINT NOT NULL REFERENCES users (id),
    allocated_at TIMESTAMP NOT NULL,
    -- Why the case moved from its previous advocate (re-allocation only).
    reason TEXT,
    -- Why someone other than the first suggestion was chosen.
    override_reason TEXT,
    ended_at TIMESTAMP
);
CREATE INDEX allocations_case ON allocations (case_id);

-- A contact with or about the person.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    occurred_at TIMESTAMP NOT NULL,
    -- 'in_person', 'phone', 'video', 'letter', 'other'.
    mode TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    present TEXT,
    discussed TEXT NOT NULL,
    agreed TEXT,
    could_instruct BOOLEAN NOT NULL,
    -- When the person could not instruct: 'rights_based', 'person_centred',
    -- 'watching_brief', 'witness_observer'.
    approach TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_case ON contacts (case_id, occurred_at);

-- The issues and goals the person wants to work on, in their words, and the outcome.
CREATE TABLE case_issues (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    in_their_words TEXT NOT NULL,
    -- The process supported: 'assessment', 'planning', 'review', …
    process TEXT NOT NULL,
    -- 'achieved', 'partly', 'not_achieved'; empty while the issue is open.
    outcome TEXT,
    outcome_in_their_words TEXT,
    outcome_recorded_at TIMESTAMP,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_issues_case ON case_issues (case_id);

-- Meetings, letters, reports, concerns reports and IMCA reports, with their dates.
CREATE TABLE case_work (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    -- 'meeting', 'letter', 'report', 'concerns_report', 'imca_report'.
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on DATE,
    done_on DATE,
    -- For a concerns report: when the authority's reply is due, and when it came.
    response_due DATE,
    response_received_on DATE,
    response TEXT,
    minutes INTEGER,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_work_case ON case_work (case_id);

-- A decision the person (or the advocate for them) challenged.
CREATE TABLE challenges (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    decision TEXT NOT NULL,
    decision_maker TEXT NOT NULL,
    raised_on DATE NOT NULL,
    -- When a reply to the current step is due.
    reply_due DATE,
    concluded_on DATE,
    result TEXT,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX challenges_case ON challenges (case_id);

-- Each dated escalation step of a challenge, with its outcome.
CREATE TABLE challenge_steps (
    id INTEGER PRIMARY KEY NOT NULL,
    challenge_id BIGINT NOT NULL REFERENCES challenges (id),
    -- 'informal', 'in_writing', 'senior_manager', 'court_or_review'.
    step TEXT NOT NULL,
    taken_on DATE NOT NULL,
    outcome TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX challenge_steps_challenge ON challenge_steps (challenge_id);
