-- Self-assessments and the policies register (DOMAIN.md §11). A commissioner rates its
-- commissioning against the tasks of SCIE's guide (seed 004); a provider rates its
-- service against the eight quality areas of the Quality Performance Mark, with
-- evidence, and keeps its policies and procedures with an owner and a review date
-- (seed 003 §7). None of it is about a person, so nothing here is sealed.

-- The register of a provider's policies and procedures.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    -- A required policy or procedure of seed 003 §7 ('equal_opportunities',
    -- 'confidentiality', 'health_and_safety', 'safety_of_staff',
    -- 'recruitment_and_selection', 'supervision_and_support', 'training',
    -- 'monitoring_review_evaluation', 'engagement_protocol', 'complaints',
    -- 'grievance_and_disciplinary', 'access_to_records', 'service_prioritisation'), or
    -- 'other'.
    kind TEXT NOT NULL,
    -- The policy's own name; a required kind is known by its kind when left empty.
    title TEXT,
    -- Who answers for it: a member of staff, or a body or role typed by name ("Board of
    -- trustees"), never neither.
    owner_id BIGINT REFERENCES users (id),
    owner_name TEXT,
    approved_on DATE,
    last_reviewed_on DATE,
    review_due_on DATE NOT NULL,
    -- Where it is kept: a link or a place.
    location TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    -- Optimistic concurrency: every update increments it.
    version BIGINT NOT NULL DEFAULT 1,
    CHECK (owner_id IS NOT NULL OR owner_name IS NOT NULL),
    CHECK (kind <> 'other' OR title IS NOT NULL),
    -- A review is planned after the last one, never before it.
    CHECK (last_reviewed_on IS NULL OR review_due_on >= last_reviewed_on)
);
CREATE INDEX policies_provider ON policies (provider_id, review_due_on);
-- One entry per required policy, so "missing" and "overdue" each have one answer;
-- a provider may keep any number of others.
CREATE UNIQUE INDEX policies_required_once ON policies (provider_id, kind) WHERE kind <> 'other';

-- One self-assessment of an organisation against a framework, as it stood on a day.
-- Assessments are never changed: the next one is a new row, so the history shows how
-- each item moved.
CREATE TABLE self_assessments (
    id INTEGER PRIMARY KEY NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    -- 'commissioning' (a commissioner) or 'qpm' (a provider).
    framework TEXT NOT NULL CHECK (framework IN ('commissioning', 'qpm')),
    assessed_on DATE NOT NULL,
    completed_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    note TEXT
);
CREATE INDEX self_assessments_organisation ON self_assessments (organisation_id, framework, assessed_on);

-- The rating of one task or quality area in an assessment.
CREATE TABLE self_assessment_items (
    assessment_id BIGINT NOT NULL REFERENCES self_assessments (id),
    -- A task or area code of the assessment's framework.
    item TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('green', 'amber', 'red')),
    strengths TEXT,
    actions TEXT,
    evidence TEXT,
    -- SCIE's tool: strengths for every green item, actions for every amber or red one.
    CHECK (rating <> 'green' OR strengths IS NOT NULL),
    CHECK (rating = 'green' OR actions IS NOT NULL),
    PRIMARY KEY (assessment_id, item)
);

-- Evidence linked to a quality area: a policy in the register, a page of figures inside
-- Advocase (such as /quality), or a case file sampled. Exactly one of the three.
CREATE TABLE self_assessment_links (
    id INTEGER PRIMARY KEY NOT NULL,
    assessment_id BIGINT NOT NULL REFERENCES self_assessments (id),
    item TEXT NOT NULL,
    policy_id BIGINT REFERENCES policies (id),
    page TEXT,
    -- Removed when the person's records are destroyed, with the case.
    case_id BIGINT REFERENCES cases (id),
    CHECK ((policy_id IS NOT NULL) + (page IS NOT NULL) + (case_id IS NOT NULL) = 1),
    -- Only addresses inside the site, so evidence never links elsewhere.
    CHECK (page IS NULL OR (page LIKE '/%' AND page NOT LIKE '//%'))
);
CREATE INDEX self_assessment_links_assessment ON self_assessment_links (assessment_id, item);
CREATE INDEX self_assessment_links_case ON self_assessment_links (case_id);
CREATE INDEX self_assessment_links_policy ON self_assessment_links (policy_id);
