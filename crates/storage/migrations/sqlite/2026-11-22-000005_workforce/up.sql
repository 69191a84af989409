-- The workforce: each member of staff's working profile, qualifications, training,
-- supervision and appraisal, the qualification rules allocation applies per duty, and
-- the equality answers staff and people served chose to share.

-- The working profile of a member of staff (advocate or manager). What allocation
-- weighs (duties, areas, languages, gender, caseload limit) stays in
-- advocate_settings; this is what the workforce pages add to it.
CREATE TABLE staff_profiles (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id),
    started_on DATE,
    -- 'employed', 'sessional', 'volunteer'.
    employment TEXT,
    -- The kinds of advocacy practised besides the statutory duties, comma-separated:
    -- 'community', 'peer', 'citizen'.
    roles TEXT NOT NULL DEFAULT '',
    availability TEXT,
    -- How often individual supervision is due, in months.
    supervision_months INTEGER NOT NULL DEFAULT 1,
    supervisor_id BIGINT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1
);

-- A qualification: an NQIA unit ('401' … '406') or another one named in title.
CREATE TABLE qualifications (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    unit TEXT NOT NULL,
    -- Empty for a unit; the qualification's name for 'other'.
    title TEXT NOT NULL DEFAULT '',
    -- 'not_started', 'working_towards', 'achieved'.
    status TEXT NOT NULL,
    started_on DATE,
    achieved_on DATE,
    -- Where the evidence is kept (a reference, not the document).
    evidence TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (user_id, unit, title)
);

-- What a provider asks of an advocate before offering them a case under a duty. No
-- row for a duty means no qualification rule for it.
CREATE TABLE allocation_rules (
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    duty TEXT NOT NULL,
    -- The units required, comma-separated.
    units TEXT NOT NULL,
    -- 'working_towards' or 'achieved'.
    minimum TEXT NOT NULL,
    -- Months after an advocate's start date before the rule applies to them.
    grace_months INTEGER NOT NULL DEFAULT 0,
    set_by BIGINT NOT NULL REFERENCES users (id),
    set_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider_id, duty)
);

-- Training attended: induction, the specialist course, ongoing training and network
-- events, with how long until it should be renewed.
CREATE TABLE training_records (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    title TEXT,
    completed_on DATE NOT NULL,
    renew_months INTEGER,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX training_records_user ON training_records (user_id);

-- Individual and group supervision and appraisal. The notes are sealed and are read
-- only by the person supervised and their supervisor.
CREATE TABLE supervisions (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- 'individual', 'group', 'appraisal'.
    kind TEXT NOT NULL,
    held_on DATE NOT NULL,
    supervisor_id BIGINT REFERENCES users (id),
    external_supervisor TEXT,
    notes TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX supervisions_user ON supervisions (user_id, held_on);

-- Equality monitoring answers, one row per characteristic answered, either by a member
-- of staff about themselves (user_id) or recorded about a person served (person_id).
-- Only counts of them are ever shown.
CREATE TABLE equality_answers (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    user_id BIGINT REFERENCES users (id),
    person_id BIGINT REFERENCES people (id),
    characteristic TEXT NOT NULL,
    answer TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (person_id IS NULL))
);
CREATE INDEX equality_answers_provider ON equality_answers (provider_id, characteristic);
