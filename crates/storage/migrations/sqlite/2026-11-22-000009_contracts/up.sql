-- Contracts between commissioners and providers, the meetings that monitor them, and
-- the population figures commissioners compare referrals with (DOMAIN.md §10–11).
-- Nothing here is about a person: commissioners see only these tables and counts.

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    commissioner_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    -- Duty codes separated by commas: 'care_act', 'imha', 'imca', 'nhs_complaints'.
    duties TEXT NOT NULL,
    -- Local authority names separated by newlines; people are counted by the area on
    -- their record.
    areas TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    -- A core minimum a year, plus a payment for each case above the cases it covers.
    core_funding_pence BIGINT NOT NULL,
    core_cases BIGINT NOT NULL,
    payment_per_case_pence BIGINT NOT NULL,
    -- 'quarterly' or 'annual'.
    reporting TEXT NOT NULL,
    -- Counts from 1 to this are not published.
    threshold BIGINT NOT NULL,
    urgent_days BIGINT NOT NULL,
    standard_days BIGINT NOT NULL,
    -- Targets in whole per cent (feedback: average out of 5, in tenths); NULL when the
    -- contract sets none.
    target_imha_introduction BIGINT,
    target_first_contact BIGINT,
    target_declined BIGINT,
    target_outcomes_achieved BIGINT,
    target_feedback BIGINT,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (threshold >= 1)
);
CREATE INDEX contracts_provider ON contracts (provider_id);
CREATE INDEX contracts_commissioner ON contracts (commissioner_id);

-- Quarterly link meetings between commissioner and provider (seed 003 §13).
CREATE TABLE link_meetings (
    id INTEGER PRIMARY KEY NOT NULL,
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    held_on DATE NOT NULL,
    attendees TEXT NOT NULL,
    discussed TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX link_meetings_contract ON link_meetings (contract_id, held_on);

CREATE TABLE meeting_actions (
    id INTEGER PRIMARY KEY NOT NULL,
    meeting_id BIGINT NOT NULL REFERENCES link_meetings (id),
    action TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on DATE,
    done_on DATE
);
CREATE INDEX meeting_actions_meeting ON meeting_actions (meeting_id);

-- Population and assessment figures by area, imported by a commissioner from CSV.
CREATE TABLE population_figures (
    id INTEGER PRIMARY KEY NOT NULL,
    commissioner_id BIGINT NOT NULL REFERENCES organisations (id),
    area TEXT NOT NULL,
    year INTEGER NOT NULL,
    adults BIGINT NOT NULL,
    assessments BIGINT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (commissioner_id, area, year)
);

-- The expected rates a commissioner sets for demand: the share of people assessed who
-- have substantial difficulty in being involved, and the share of those without an
-- appropriate individual to support them, in tenths of a per cent.
CREATE TABLE demand_rates (
    commissioner_id BIGINT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    difficulty_permille BIGINT NOT NULL,
    no_individual_permille BIGINT NOT NULL,
    set_by BIGINT NOT NULL REFERENCES users (id),
    set_at TIMESTAMP NOT NULL
);

-- Reports count by area, duty and date; these keep the counts from reading every row.
CREATE INDEX cases_provider_opened ON cases (provider_id, opened_at);
CREATE INDEX referrals_provider_received ON referrals (provider_id, received_at);
