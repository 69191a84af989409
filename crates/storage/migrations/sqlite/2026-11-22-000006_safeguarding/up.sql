-- Safeguarding, complaints, feedback and signalling concerns about other services
-- (DOMAIN.md §6–7). Free text typed about a person (what they want, what happened, the
-- outcome, a complainant's words) is sealed like casework notes.

-- A safeguarding concern, raised from a case or on its own. When the adult at risk is
-- not a client there is no person record: their name is typed (and sealed) instead.
CREATE TABLE safeguarding_concerns (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    case_id BIGINT REFERENCES cases (id),
    person_id BIGINT REFERENCES people (id),
    adult_name TEXT,
    raised_by BIGINT NOT NULL REFERENCES users (id),
    raised_on DATE NOT NULL,
    -- Care Act statutory guidance: 'physical', 'domestic', 'sexual', 'psychological',
    -- 'financial', 'modern_slavery', 'discriminatory', 'organisational', 'neglect',
    -- 'self_neglect'.
    category TEXT NOT NULL,
    what_happened TEXT NOT NULL,
    person_wants TEXT NOT NULL,
    immediate_risk BOOLEAN NOT NULL,
    -- A breach of confidentiality about the same person that raising the concern
    -- justified.
    breach_id BIGINT REFERENCES confidentiality_breaches (id),
    local_authority_on DATE,
    local_authority_reference TEXT,
    police_on DATE,
    regulator_on DATE,
    outcome TEXT,
    closed_on DATE,
    closed_by BIGINT REFERENCES users (id),
    -- When anyone last changed the concern: an open concern untouched for too long is
    -- flagged to managers.
    touched_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    -- Never closed without an outcome and the manager who closed it.
    CHECK (closed_on IS NULL OR (outcome IS NOT NULL AND closed_by IS NOT NULL)),
    -- Either a person record or a typed name.
    CHECK (person_id IS NOT NULL OR adult_name IS NOT NULL)
);
CREATE INDEX safeguarding_concerns_open ON safeguarding_concerns (provider_id, closed_on);
CREATE INDEX safeguarding_concerns_case ON safeguarding_concerns (case_id);
CREATE INDEX safeguarding_concerns_person ON safeguarding_concerns (person_id);

-- A complaint about (or a compliment to) the advocacy service, sent through the
-- public page or recorded by staff on the person's behalf.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    -- 'complaint' or 'compliment'.
    kind TEXT NOT NULL,
    -- 'public', 'easy_read' or 'staff'.
    source TEXT NOT NULL,
    received_on DATE NOT NULL,
    complainant_name TEXT NOT NULL,
    how_to_reply TEXT,
    what_happened TEXT NOT NULL,
    person_id BIGINT REFERENCES people (id),
    recorded_by BIGINT REFERENCES users (id),
    -- 'informal', 'formal', 'review'.
    stage TEXT NOT NULL,
    acknowledge_by DATE NOT NULL,
    respond_by DATE NOT NULL,
    acknowledged_on DATE,
    support_offered_on DATE,
    support_note TEXT,
    -- 'upheld', 'partly_upheld', 'not_upheld'.
    finding TEXT,
    response_sent_on DATE,
    lessons TEXT,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_provider ON complaints (provider_id, response_sent_on);

-- An answer to the feedback questionnaire. Anonymous answers keep no name.
CREATE TABLE feedback_responses (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    submitted_on DATE NOT NULL,
    -- The kind of advocacy it was about: 'care_act', 'imha', 'imca', 'nhs_complaints',
    -- 'non_statutory', or NULL when the person did not know.
    duty TEXT,
    -- 'alone' or 'with_help'.
    filled_in TEXT NOT NULL,
    easy_read BOOLEAN NOT NULL,
    name TEXT,
    -- Each answer on the pictorial scale from 1 (very unhappy) to 5 (very happy).
    listened INTEGER NOT NULL,
    understood INTEGER NOT NULL,
    speak_up INTEGER NOT NULL,
    overall INTEGER NOT NULL,
    comment TEXT
);
CREATE INDEX feedback_responses_provider ON feedback_responses (provider_id, submitted_on);

-- A signal to a health or social care provider and the commissioner about recurrent
-- or serious concerns. It holds no personal data: a place, a theme and dates.
CREATE TABLE service_signals (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    place TEXT NOT NULL,
    -- 'ward', 'care_home', 'team', 'other'.
    place_kind TEXT NOT NULL,
    theme TEXT NOT NULL,
    -- 'recurrent' or 'serious'.
    basis TEXT NOT NULL,
    concern_count INTEGER NOT NULL,
    sent_on DATE NOT NULL,
    response_due DATE NOT NULL,
    response_received_on DATE,
    regulator_on DATE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX service_signals_provider ON service_signals (provider_id, response_received_on);

-- A matter of concern about another service seen through casework (seed 003 §13).
CREATE TABLE service_concerns (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    place TEXT NOT NULL,
    -- The place lower-cased and with spaces collapsed, so that "Oak Ward" and
    -- "oak  ward" count as one place.
    place_key TEXT NOT NULL,
    place_kind TEXT NOT NULL,
    -- 'restraint', 'access_to_advocacy', 'dignity', 'medication', 'staffing',
    -- 'environment', 'rights', 'other'.
    theme TEXT NOT NULL,
    -- 'low', 'moderate', 'serious'.
    severity TEXT NOT NULL,
    noted_on DATE NOT NULL,
    detail TEXT NOT NULL,
    signal_id BIGINT REFERENCES service_signals (id),
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX service_concerns_provider ON service_concerns (provider_id, noted_on);
CREATE INDEX service_concerns_case ON service_concerns (case_id);
