//! The workforce: advocates' qualifications, training, supervision and appraisal
//! (DOMAIN.md §8), the qualification rules allocation applies per duty, and what falls
//! due for each member of staff.
//!
//! Forms are parsed here at the edge, every wrong field named; the due-date rules are
//! pure functions of the facts and a date, so they are tested on fixed dates.

use crate::casework::optional_text;
use crate::referral::{MAX_SHORT, MAX_TEXT, parse_date};
use crate::validation::Invalid;
use advocase_i18n::{MessageKey, label, msg};
use chrono::{Days, Months, NaiveDate};

codes! {
    /// The units of the National Qualification in Independent Advocacy (level 4), and
    /// any other qualification a provider records.
    Unit {
        Principles => "401",
        Legislation => "402",
        Entitlements => "403",
        Imca => "404",
        Imha => "405",
        AdultSocialCare => "406",
        Other => "other",
    }
}

impl Unit {
    /// The three units everyone takes first.
    pub const MANDATORY: [Unit; 3] = [Unit::Principles, Unit::Legislation, Unit::Entitlements];
}

codes! {
    /// How far an advocate is with a qualification, in order.
    QualificationStatus {
        NotStarted => "not_started",
        WorkingTowards => "working_towards",
        Achieved => "achieved",
    }
}

impl QualificationStatus {
    fn level(self) -> u8 {
        match self {
            Self::NotStarted => 0,
            Self::WorkingTowards => 1,
            Self::Achieved => 2,
        }
    }

    /// Whether this status is at least `minimum`.
    pub fn meets(self, minimum: QualificationStatus) -> bool {
        self.level() >= minimum.level()
    }
}

codes! {
    /// How an advocate works for the provider.
    EmploymentType {
        Employed => "employed",
        Sessional => "sessional",
        Volunteer => "volunteer",
    }
}

codes! {
    /// The kinds of advocacy besides the statutory duties that an advocate practises.
    AdvocacyRole {
        Community => "community",
        Peer => "peer",
        Citizen => "citizen",
    }
}

codes! {
    /// Training an advocate takes: induction on joining, the specialist accredited
    /// course, ongoing training (004 "Training", 003 §9) and network events.
    TrainingKind {
        Induction => "induction",
        SpecialistCourse => "specialist_course",
        Safeguarding => "safeguarding",
        NonInstructed => "non_instructed",
        CareAndSupportPlanning => "care_and_support_planning",
        ChallengingDecisions => "challenging_decisions",
        SupportedDecisionMaking => "supported_decision_making",
        MentalHealthPolicy => "mental_health_policy",
        NetworkEvent => "network_event",
        Other => "other",
    }
}

codes! {
    /// The kinds of supervision meeting, and the annual appraisal (003 §8).
    SupervisionKind {
        Individual => "individual",
        Group => "group",
        Appraisal => "appraisal",
    }
}

/// How long after joining an advocate should have started the qualification (004
/// "Training": "work towards … within a year of being appointed").
pub const QUALIFICATION_START_MONTHS: u32 = 12;
/// How long after joining the specialist accredited course is due (003 §9).
pub const SPECIALIST_COURSE_MONTHS: u32 = 6;
/// Induction is "on joining" (003 §9); a month allows for a programme spread over the
/// first weeks.
pub const INDUCTION_MONTHS: u32 = 1;
/// Appraisal is annual (003 §8).
pub const APPRAISAL_MONTHS: u32 = 12;
/// Individual supervision is monthly unless the provider sets otherwise.
pub const DEFAULT_SUPERVISION_MONTHS: u32 = 1;
/// Group supervision is "regular" (003 §8) without a stated frequency; quarterly is
/// what a provider starts from until a manager sets otherwise on the profile.
pub const DEFAULT_GROUP_SUPERVISION_MONTHS: u32 = 3;
/// How far ahead something counts as "due soon".
pub const DUE_SOON_DAYS: u64 = 30;

/// Adds whole months, keeping the day where it exists and the month's last day where
/// it does not.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// A date answer that may be left empty but never lies in the future.
fn past_date(
    field: &str,
    label: MessageKey,
    value: &str,
    today: NaiveDate,
    invalid: &mut Invalid,
) -> Option<NaiveDate> {
    match parse_date(field, label, value) {
        Ok(Some(date)) if date > today => {
            invalid.push(field, msg::DATE_IN_FUTURE.with("label", label));
            None
        }
        Ok(date) => date,
        Err(error) => {
            invalid.0.push(error);
            None
        }
    }
}

/// A whole number of months within `range`, or empty.
fn optional_months(
    field: &str,
    label: MessageKey,
    value: &str,
    range: std::ops::RangeInclusive<u32>,
    invalid: &mut Invalid,
) -> Option<u32> {
    let text = value.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<u32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            invalid.push(
                field,
                msg::MONTHS_OUT_OF_RANGE
                    .with("label", label)
                    .with("min", *range.start())
                    .with("max", *range.end()),
            );
            None
        }
    }
}

/// Reads an optional free text, recording its error.
fn text(
    field: &str,
    label: MessageKey,
    value: &str,
    max: usize,
    invalid: &mut Invalid,
) -> Option<String> {
    optional_text(field, label, value, max)
        .map_err(|e| invalid.0.push(e))
        .ok()
        .flatten()
}

// ---------------------------------------------------------------------------------------
// The profile
// ---------------------------------------------------------------------------------------

/// The profile form as typed: `roles` repeats once per ticked role.
#[derive(Debug, Clone, Default)]
pub struct ProfileAnswers {
    pub started_on: String,
    pub employment: String,
    pub roles: Vec<String>,
    pub availability: String,
    pub supervision_months: String,
    pub group_supervision_months: String,
    pub supervisor: String,
}

/// A member of staff's working profile, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub started_on: Option<NaiveDate>,
    pub employment: Option<EmploymentType>,
    pub roles: Vec<AdvocacyRole>,
    pub availability: Option<String>,
    pub supervision_months: u32,
    /// How often group supervision is due, when the provider has more than one
    /// advocate.
    pub group_supervision_months: u32,
    /// The colleague who supervises them, by user id.
    pub supervisor: Option<i64>,
}

impl ProfileAnswers {
    /// Checks a profile. `staff` are the ids a supervisor may be chosen from.
    pub fn parse(&self, staff: &[i64]) -> Result<Profile, Invalid> {
        let mut invalid = Invalid::default();
        let started_on = invalid
            .check(parse_date(
                "started_on",
                label::START_DATE,
                &self.started_on,
            ))
            .flatten();
        let employment = match self.employment.trim() {
            "" => None,
            value => {
                let kind = EmploymentType::parse(value);
                if kind.is_none() {
                    invalid.push("employment", msg::STAFF_EMPLOYMENT_INVALID);
                }
                kind
            }
        };
        let roles: Vec<AdvocacyRole> = self
            .roles
            .iter()
            .filter_map(|r| AdvocacyRole::parse(r))
            .collect();
        if roles.len() != self.roles.len() {
            invalid.push("roles", msg::STAFF_ROLES_INVALID);
        }
        let availability = text(
            "availability",
            label::AVAILABILITY,
            &self.availability,
            MAX_SHORT,
            &mut invalid,
        );
        let supervision_months = optional_months(
            "supervision_months",
            label::HOW_OFTEN_SUPERVISION_IS_DUE,
            &self.supervision_months,
            1..=12,
            &mut invalid,
        );
        if self.supervision_months.trim().is_empty() {
            invalid.push("supervision_months", msg::STAFF_SUPERVISION_MISSING);
        }
        let group_supervision_months = optional_months(
            "group_supervision_months",
            label::HOW_OFTEN_GROUP_SUPERVISION_IS_DUE,
            &self.group_supervision_months,
            1..=12,
            &mut invalid,
        );
        if self.group_supervision_months.trim().is_empty() {
            invalid.push(
                "group_supervision_months",
                msg::STAFF_GROUP_SUPERVISION_MISSING,
            );
        }
        let supervisor = match self.supervisor.trim() {
            "" => None,
            value => match value.parse::<i64>() {
                Ok(id) if staff.contains(&id) => Some(id),
                _ => {
                    invalid.push("supervisor", msg::SUPERVISOR_INVALID);
                    None
                }
            },
        };
        invalid.into_result()?;
        Ok(Profile {
            started_on,
            employment,
            roles,
            availability,
            supervision_months: supervision_months.unwrap_or(DEFAULT_SUPERVISION_MONTHS),
            group_supervision_months: group_supervision_months
                .unwrap_or(DEFAULT_GROUP_SUPERVISION_MONTHS),
            supervisor,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Qualifications
// ---------------------------------------------------------------------------------------

/// A qualification as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct QualificationAnswers {
    pub unit: String,
    pub title: String,
    pub status: String,
    pub started_on: String,
    pub achieved_on: String,
    pub evidence: String,
}

/// A qualification, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub unit: Unit,
    /// The name of a qualification other than the NQIA units; empty for a unit.
    pub title: String,
    pub status: QualificationStatus,
    pub started_on: Option<NaiveDate>,
    pub achieved_on: Option<NaiveDate>,
    /// Where the evidence is kept: a reference, not the file itself.
    pub evidence: Option<String>,
}

impl QualificationAnswers {
    /// Checks a qualification against `today`: the dates cannot be in the future, an
    /// achieved qualification says when, and it cannot be achieved before it started.
    pub fn parse(&self, today: NaiveDate) -> Result<Qualification, Invalid> {
        let mut invalid = Invalid::default();
        let unit = Unit::parse(&self.unit);
        if unit.is_none() {
            invalid.push("unit", msg::QUALIFICATION_UNIT_INVALID);
        }
        let title = text(
            "title",
            label::NAME_OF_THE_QUALIFICATION,
            &self.title,
            MAX_SHORT,
            &mut invalid,
        );
        if unit == Some(Unit::Other)
            && title.is_none()
            && !invalid.0.iter().any(|e| e.field == "title")
        {
            invalid.push("title", msg::QUALIFICATION_TITLE_MISSING);
        }
        let status = QualificationStatus::parse(&self.status);
        if status.is_none() {
            invalid.push("status", msg::QUALIFICATION_STATUS_MISSING);
        }
        let started_on = past_date(
            "started_on",
            label::DATE_THEY_STARTED,
            &self.started_on,
            today,
            &mut invalid,
        );
        let achieved_on = past_date(
            "achieved_on",
            label::DATE_THEY_ACHIEVED_IT,
            &self.achieved_on,
            today,
            &mut invalid,
        );
        if status == Some(QualificationStatus::Achieved)
            && achieved_on.is_none()
            && self.achieved_on.trim().is_empty()
        {
            invalid.push("achieved_on", msg::QUALIFICATION_ACHIEVED_ON_MISSING);
        }
        if let (Some(QualificationStatus::Achieved), Some(started), Some(achieved)) =
            (status, started_on, achieved_on)
            && achieved < started
        {
            invalid.push("achieved_on", msg::QUALIFICATION_ACHIEVED_BEFORE_STARTED);
        }
        let evidence = text(
            "evidence",
            label::WHERE_THE_EVIDENCE_IS_KEPT,
            &self.evidence,
            MAX_SHORT,
            &mut invalid,
        );
        invalid.into_result()?;
        let status = status.unwrap_or(QualificationStatus::NotStarted);
        let unit = unit.unwrap_or(Unit::Other);
        Ok(Qualification {
            unit,
            title: if unit == Unit::Other {
                title.unwrap_or_default()
            } else {
                String::new()
            },
            status,
            started_on: if status == QualificationStatus::NotStarted {
                None
            } else {
                started_on
            },
            achieved_on: if status == QualificationStatus::Achieved {
                achieved_on
            } else {
                None
            },
            evidence,
        })
    }
}

/// What allocation and the due-date rules know of one qualification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualificationFact {
    pub unit: Unit,
    pub status: QualificationStatus,
}

/// The status an advocate has for a unit: not started when nothing is recorded.
pub fn status_of(held: &[QualificationFact], unit: Unit) -> QualificationStatus {
    held.iter()
        .filter(|q| q.unit == unit)
        .map(|q| q.status)
        .max_by_key(|s| s.level())
        .unwrap_or(QualificationStatus::NotStarted)
}

// ---------------------------------------------------------------------------------------
// Allocation rules
// ---------------------------------------------------------------------------------------

/// What a provider asks of an advocate before they are offered a case under a duty,
/// e.g. "IMHA: 405 working towards or achieved", or "Care Act: 401–403 working towards,
/// with a year's grace from appointment".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRule {
    pub units: Vec<Unit>,
    pub minimum: QualificationStatus,
    /// Months after the advocate's start date during which the rule is not yet applied.
    pub grace_months: u32,
}

/// How an advocate stands against a duty's rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCheck {
    Met,
    /// Not met yet, but still within the grace period after joining.
    WithinGrace {
        until: NaiveDate,
    },
    /// The first unit short of the rule, and how far the advocate is with it.
    NotMet {
        unit: Unit,
        has: QualificationStatus,
        needed: QualificationStatus,
    },
}

/// Checks an advocate's qualifications against a rule on `today`.
pub fn check_rule(
    rule: &AllocationRule,
    held: &[QualificationFact],
    started_on: Option<NaiveDate>,
    today: NaiveDate,
) -> RuleCheck {
    let Some((unit, has)) = rule
        .units
        .iter()
        .map(|u| (*u, status_of(held, *u)))
        .find(|(_, status)| !status.meets(rule.minimum))
    else {
        return RuleCheck::Met;
    };
    if rule.grace_months > 0
        && let Some(start) = started_on
    {
        let until = add_months(start, rule.grace_months);
        if today < until {
            return RuleCheck::WithinGrace { until };
        }
    }
    RuleCheck::NotMet {
        unit,
        has,
        needed: rule.minimum,
    }
}

/// The rule form as typed: `unit` repeats once per ticked unit.
#[derive(Debug, Clone, Default)]
pub struct RuleAnswers {
    pub units: Vec<String>,
    pub minimum: String,
    pub grace_months: String,
}

impl RuleAnswers {
    /// Checks a rule; no unit ticked means no rule for the duty.
    pub fn parse(&self) -> Result<Option<AllocationRule>, Invalid> {
        let mut invalid = Invalid::default();
        let units: Vec<Unit> = self
            .units
            .iter()
            .filter_map(|u| Unit::parse(u))
            .filter(|u| *u != Unit::Other)
            .collect();
        if units.len() != self.units.len() {
            invalid.push("unit", msg::RULE_UNITS_INVALID);
        }
        let minimum = QualificationStatus::parse(&self.minimum)
            .filter(|m| *m != QualificationStatus::NotStarted);
        if minimum.is_none() && !units.is_empty() {
            invalid.push("minimum", msg::RULE_MINIMUM_MISSING);
        }
        let grace_months = optional_months(
            "grace_months",
            label::TIME_ALLOWED_AFTER_JOINING,
            &self.grace_months,
            0..=36,
            &mut invalid,
        );
        invalid.into_result()?;
        Ok((!units.is_empty()).then(|| AllocationRule {
            units,
            minimum: minimum.unwrap_or(QualificationStatus::WorkingTowards),
            grace_months: grace_months.unwrap_or(0),
        }))
    }
}

// ---------------------------------------------------------------------------------------
// Training and supervision
// ---------------------------------------------------------------------------------------

/// A training record as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TrainingAnswers {
    pub kind: String,
    pub title: String,
    pub completed_on: String,
    pub renew_months: String,
}

/// Training attended, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub kind: TrainingKind,
    pub title: Option<String>,
    pub completed_on: NaiveDate,
    /// How long until it should be renewed, when it must be.
    pub renew_months: Option<u32>,
}

impl TrainingAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<Training, Invalid> {
        let mut invalid = Invalid::default();
        let kind = TrainingKind::parse(&self.kind);
        if kind.is_none() {
            invalid.push("kind", msg::TRAINING_KIND_INVALID);
        }
        let title = text("title", label::NAME, &self.title, MAX_SHORT, &mut invalid);
        if matches!(kind, Some(TrainingKind::Other | TrainingKind::NetworkEvent))
            && title.is_none()
            && !invalid.0.iter().any(|e| e.field == "title")
        {
            invalid.push("title", msg::TRAINING_TITLE_MISSING);
        }
        let completed_on = past_date(
            "completed_on",
            label::DATE,
            &self.completed_on,
            today,
            &mut invalid,
        );
        if completed_on.is_none() && self.completed_on.trim().is_empty() {
            invalid.push("completed_on", msg::TRAINING_DATE_MISSING);
        }
        let renew_months = optional_months(
            "renew_months",
            label::TIME_UNTIL_RENEWAL,
            &self.renew_months,
            1..=60,
            &mut invalid,
        );
        invalid.into_result()?;
        Ok(Training {
            kind: kind.unwrap_or(TrainingKind::Other),
            title,
            completed_on: completed_on.unwrap_or(today),
            renew_months,
        })
    }
}

/// A supervision meeting or appraisal as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SupervisionAnswers {
    pub kind: String,
    pub held_on: String,
    pub supervisor: String,
    pub external_supervisor: String,
    pub notes: String,
}

/// A supervision meeting or appraisal, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervision {
    pub kind: SupervisionKind,
    pub held_on: NaiveDate,
    /// A colleague who supervised, by user id.
    pub supervisor: Option<i64>,
    /// A supervisor from outside the provider (003 §8: external supervision).
    pub external_supervisor: Option<String>,
    /// Confidential to the supervisee and the supervisor.
    pub notes: Option<String>,
}

impl SupervisionAnswers {
    /// Checks a meeting: it has happened (an appraisal in the future is refused), and
    /// it names a supervisor from `staff` or from outside.
    pub fn parse(&self, today: NaiveDate, staff: &[i64]) -> Result<Supervision, Invalid> {
        let mut invalid = Invalid::default();
        let kind = SupervisionKind::parse(&self.kind);
        if kind.is_none() {
            invalid.push("kind", msg::SUPERVISION_KIND_INVALID);
        }
        let label = match kind {
            Some(SupervisionKind::Appraisal) => label::DATE_OF_THE_APPRAISAL,
            _ => label::DATE_OF_THE_SUPERVISION,
        };
        let held_on = past_date("held_on", label, &self.held_on, today, &mut invalid);
        if held_on.is_none() && self.held_on.trim().is_empty() {
            invalid.push("held_on", msg::ENTER.with("label", label));
        }
        let supervisor = match self.supervisor.trim() {
            "" => None,
            value => match value.parse::<i64>() {
                Ok(id) if staff.contains(&id) => Some(id),
                _ => {
                    invalid.push("supervisor", msg::SUPERVISOR_INVALID);
                    None
                }
            },
        };
        let external_supervisor = text(
            "external_supervisor",
            label::EXTERNAL_SUPERVISORS_NAME,
            &self.external_supervisor,
            MAX_SHORT,
            &mut invalid,
        );
        if supervisor.is_none()
            && external_supervisor.is_none()
            && !invalid
                .0
                .iter()
                .any(|e| e.field == "supervisor" || e.field == "external_supervisor")
        {
            invalid.push("supervisor", msg::SUPERVISION_SUPERVISOR_MISSING);
        }
        let notes = text("notes", label::NOTES, &self.notes, MAX_TEXT, &mut invalid);
        invalid.into_result()?;
        Ok(Supervision {
            kind: kind.unwrap_or(SupervisionKind::Individual),
            held_on: held_on.unwrap_or(today),
            supervisor,
            external_supervisor,
            notes,
        })
    }
}

// ---------------------------------------------------------------------------------------
// What falls due
// ---------------------------------------------------------------------------------------

/// The kinds of thing that fall due for a member of staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffDueKind {
    /// Start working towards the mandatory units 401–403.
    Qualification,
    Induction,
    SpecialistCourse,
    /// Training whose renewal period has run.
    Renewal(TrainingKind),
    Supervision,
    /// Group supervision, owed by advocates where the provider has more than one.
    GroupSupervision,
    Appraisal,
}

/// How close a due date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DueState {
    Overdue,
    DueSoon,
    Later,
}

/// One thing due for a member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffDue {
    pub kind: StaffDueKind,
    pub due: NaiveDate,
    pub state: DueState,
}

/// The facts about a member of staff that decide what is due.
#[derive(Debug, Clone, Default)]
pub struct StaffFacts {
    /// Advocates owe the qualification, the specialist course and group supervision;
    /// managers owe individual supervision and appraisal only.
    pub is_advocate: bool,
    pub started_on: Option<NaiveDate>,
    pub qualifications: Vec<QualificationFact>,
    /// Training attended: its kind, when, and the renewal period if any.
    pub training: Vec<(TrainingKind, NaiveDate, Option<u32>)>,
    pub last_supervision: Option<NaiveDate>,
    pub supervision_months: u32,
    pub last_group_supervision: Option<NaiveDate>,
    pub group_supervision_months: u32,
    /// How many advocates the provider has now, the member of staff included: group
    /// supervision is owed only where there is more than one (003 §8).
    pub advocates_in_provider: usize,
    pub last_appraisal: Option<NaiveDate>,
}

/// What is due for a member of staff on `today`, soonest first. Dates that count from
/// joining are left out while no start date is recorded.
pub fn staff_due(facts: &StaffFacts, today: NaiveDate) -> Vec<StaffDue> {
    let soon = today
        .checked_add_days(Days::new(DUE_SOON_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let mut items = Vec::new();
    let mut push = |kind, due: NaiveDate| {
        let state = if due < today {
            DueState::Overdue
        } else if due <= soon {
            DueState::DueSoon
        } else {
            DueState::Later
        };
        items.push(StaffDue { kind, due, state });
    };
    let attended = |kind: TrainingKind| facts.training.iter().any(|(k, _, _)| *k == kind);
    if let Some(start) = facts.started_on {
        if facts.is_advocate
            && Unit::MANDATORY
                .iter()
                .any(|u| status_of(&facts.qualifications, *u) == QualificationStatus::NotStarted)
        {
            push(
                StaffDueKind::Qualification,
                add_months(start, QUALIFICATION_START_MONTHS),
            );
        }
        if !attended(TrainingKind::Induction) {
            push(StaffDueKind::Induction, add_months(start, INDUCTION_MONTHS));
        }
        if facts.is_advocate && !attended(TrainingKind::SpecialistCourse) {
            push(
                StaffDueKind::SpecialistCourse,
                add_months(start, SPECIALIST_COURSE_MONTHS),
            );
        }
    }
    // The latest of each kind of training decides its renewal.
    let mut latest: Vec<(TrainingKind, NaiveDate, Option<u32>)> = Vec::new();
    for (kind, on, renew) in &facts.training {
        match latest.iter_mut().find(|(k, _, _)| k == kind) {
            Some(entry) if entry.1 < *on => *entry = (*kind, *on, *renew),
            Some(_) => {}
            None => latest.push((*kind, *on, *renew)),
        }
    }
    for (kind, on, renew) in latest {
        if let Some(months) = renew {
            push(StaffDueKind::Renewal(kind), add_months(on, months));
        }
    }
    if let Some(from) = facts.last_supervision.or(facts.started_on) {
        push(
            StaffDueKind::Supervision,
            add_months(from, facts.supervision_months.max(1)),
        );
    }
    if facts.is_advocate
        && facts.advocates_in_provider > 1
        && let Some(from) = facts.last_group_supervision.or(facts.started_on)
    {
        push(
            StaffDueKind::GroupSupervision,
            add_months(from, facts.group_supervision_months.max(1)),
        );
    }
    if let Some(from) = facts.last_appraisal.or(facts.started_on) {
        push(StaffDueKind::Appraisal, add_months(from, APPRAISAL_MONTHS));
    }
    items.sort_by_key(|i| i.due);
    items
}

/// The things overdue or due soon: what a reminder or the compliance page shows.
pub fn needing_attention(items: &[StaffDue]) -> Vec<StaffDue> {
    items
        .iter()
        .filter(|i| i.state != DueState::Later)
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------------------
// Equality monitoring
// ---------------------------------------------------------------------------------------

/// A protected characteristic (Equality Act 2010) asked about, with its answers. Every
/// question also takes "prefer not to say" (and, for people served, "not known").
pub struct Characteristic {
    pub code: &'static str,
    pub answers: &'static [&'static str],
}

/// The answers every characteristic takes besides its own.
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";
pub const NOT_KNOWN: &str = "not_known";

/// The nine protected characteristics of the Equality Act 2010 (DOMAIN.md §10), compared
/// between the staff team and the people it serves and counted in monitoring reports.
pub const CHARACTERISTICS: &[Characteristic] = &[
    Characteristic {
        code: "sex",
        answers: &["female", "male"],
    },
    Characteristic {
        code: "ethnicity",
        answers: &["asian", "black", "mixed", "white", "other_ethnicity"],
    },
    Characteristic {
        code: "disability",
        answers: &["disabled", "not_disabled"],
    },
    Characteristic {
        code: "age",
        answers: &["under_25", "25_to_44", "45_to_64", "65_and_over"],
    },
    Characteristic {
        code: "religion",
        answers: &[
            "no_religion",
            "christian",
            "muslim",
            "hindu",
            "sikh",
            "jewish",
            "buddhist",
            "other_religion",
        ],
    },
    Characteristic {
        code: "sexual_orientation",
        answers: &[
            "heterosexual",
            "gay_or_lesbian",
            "bisexual",
            "other_orientation",
        ],
    },
    Characteristic {
        code: "gender_reassignment",
        answers: &["trans", "not_trans"],
    },
    Characteristic {
        code: "marriage",
        answers: &["married_or_civil_partner", "not_married"],
    },
    Characteristic {
        code: "pregnancy",
        answers: &["pregnant_or_new_parent", "not_pregnant"],
    },
];

/// Checks equality answers given as (characteristic, answer); an empty answer means
/// the question was left, which is always allowed.
pub fn parse_equality(
    answers: &[(String, String)],
    allow_not_known: bool,
) -> Result<Vec<(&'static str, String)>, Invalid> {
    let mut invalid = Invalid::default();
    let mut checked = Vec::new();
    for characteristic in CHARACTERISTICS {
        let Some((_, answer)) = answers.iter().find(|(c, _)| c == characteristic.code) else {
            continue;
        };
        let answer = answer.trim();
        if answer.is_empty() {
            continue;
        }
        let allowed = characteristic.answers.contains(&answer)
            || answer == PREFER_NOT_TO_SAY
            || (allow_not_known && answer == NOT_KNOWN);
        if allowed {
            checked.push((characteristic.code, answer.to_string()));
        } else {
            invalid.push(characteristic.code, msg::EQUALITY_ANSWER_INVALID);
        }
    }
    invalid.into_result()?;
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-11-22";

    fn qualification(status: &str, started: &str, achieved: &str) -> QualificationAnswers {
        QualificationAnswers {
            unit: "405".into(),
            status: status.into(),
            started_on: started.into(),
            achieved_on: achieved.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_qualification_achieved_before_it_started_is_refused_on_the_achieved_date() {
        let error = qualification("achieved", "2026-05-01", "2026-04-30")
            .parse(day(TODAY))
            .unwrap_err();
        assert_eq!(
            error
                .message_for("achieved_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The date they achieved it cannot be before the date they started")
        );
        assert!(
            qualification("achieved", "2026-05-01", "2026-05-01")
                .parse(day(TODAY))
                .is_ok()
        );
    }

    #[test]
    fn qualification_dates_in_the_future_are_refused() {
        let error = qualification("working_towards", "2026-11-23", "")
            .parse(day(TODAY))
            .unwrap_err();
        assert_eq!(
            error
                .message_for("started_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The date they started cannot be in the future")
        );
        let error = qualification("achieved", "", "2027-01-01")
            .parse(day(TODAY))
            .unwrap_err();
        assert!(crate::validation::words_for(&error, "achieved_on").contains("future"));
    }

    #[test]
    fn an_achieved_qualification_needs_its_date_and_a_started_one_keeps_no_achieved_date() {
        let error = qualification("achieved", "2026-01-01", "")
            .parse(day(TODAY))
            .unwrap_err();
        assert_eq!(
            error
                .message_for("achieved_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("Enter the date they achieved it")
        );
        let parsed = qualification("working_towards", "2026-01-01", "2026-02-01")
            .parse(day(TODAY))
            .unwrap();
        assert_eq!(parsed.achieved_on, None);
        assert_eq!(parsed.status, QualificationStatus::WorkingTowards);
    }

    #[test]
    fn another_qualification_needs_its_name_and_every_wrong_field_is_named() {
        let error = QualificationAnswers {
            unit: "other".into(),
            ..Default::default()
        }
        .parse(day(TODAY))
        .unwrap_err();
        assert!(error.message_for("title").is_some());
        assert!(error.message_for("status").is_some());
        let error = QualificationAnswers::default()
            .parse(day(TODAY))
            .unwrap_err();
        assert!(error.message_for("unit").is_some());
    }

    #[test]
    fn an_appraisal_in_the_future_is_refused_naming_the_date() {
        let answers = SupervisionAnswers {
            kind: "appraisal".into(),
            held_on: "2026-12-01".into(),
            supervisor: "7".into(),
            ..Default::default()
        };
        let error = answers.parse(day(TODAY), &[7]).unwrap_err();
        assert_eq!(
            error
                .message_for("held_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The date of the appraisal cannot be in the future")
        );
        let held = SupervisionAnswers {
            held_on: "2026-11-22".into(),
            ..answers
        };
        assert_eq!(
            held.parse(day(TODAY), &[7]).unwrap().kind,
            SupervisionKind::Appraisal
        );
    }

    #[test]
    fn supervision_names_a_colleague_from_the_list_or_someone_outside() {
        let answers = SupervisionAnswers {
            kind: "individual".into(),
            held_on: "2026-11-01".into(),
            ..Default::default()
        };
        assert!(
            answers
                .parse(day(TODAY), &[7])
                .unwrap_err()
                .message_for("supervisor")
                .is_some()
        );
        let foreign = SupervisionAnswers {
            supervisor: "8".into(),
            ..answers.clone()
        };
        assert!(foreign.parse(day(TODAY), &[7]).is_err());
        let external = SupervisionAnswers {
            external_supervisor: "A clinical supervisor".into(),
            ..answers
        };
        assert!(external.parse(day(TODAY), &[7]).is_ok());
    }

    #[test]
    fn training_in_the_future_or_without_a_date_is_refused() {
        let future = TrainingAnswers {
            kind: "safeguarding".into(),
            completed_on: "2026-11-30".into(),
            renew_months: "12".into(),
            ..Default::default()
        };
        assert!(
            crate::validation::words_for(&future.parse(day(TODAY)).unwrap_err(), "completed_on")
                .contains("future")
        );
        let undated = TrainingAnswers {
            completed_on: String::new(),
            ..future.clone()
        };
        assert_eq!(
            undated
                .parse(day(TODAY))
                .unwrap_err()
                .message_for("completed_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("Enter the date")
        );
        let renewal = TrainingAnswers {
            renew_months: "0".into(),
            completed_on: "2026-11-01".into(),
            ..future
        };
        assert!(
            renewal
                .parse(day(TODAY))
                .unwrap_err()
                .message_for("renew_months")
                .is_some()
        );
    }

    fn rule(units: &[Unit], minimum: QualificationStatus, grace: u32) -> AllocationRule {
        AllocationRule {
            units: units.to_vec(),
            minimum,
            grace_months: grace,
        }
    }

    fn fact(unit: Unit, status: QualificationStatus) -> QualificationFact {
        QualificationFact { unit, status }
    }

    #[test]
    fn imha_work_needs_405_working_towards_or_achieved() {
        let imha = rule(&[Unit::Imha], QualificationStatus::WorkingTowards, 0);
        assert_eq!(
            check_rule(&imha, &[], Some(day("2020-01-01")), day(TODAY)),
            RuleCheck::NotMet {
                unit: Unit::Imha,
                has: QualificationStatus::NotStarted,
                needed: QualificationStatus::WorkingTowards
            }
        );
        let started = [fact(Unit::Imha, QualificationStatus::WorkingTowards)];
        assert_eq!(
            check_rule(&imha, &started, None, day(TODAY)),
            RuleCheck::Met
        );
        let achieved_only = rule(&[Unit::Imha], QualificationStatus::Achieved, 0);
        assert!(matches!(
            check_rule(&achieved_only, &started, None, day(TODAY)),
            RuleCheck::NotMet { .. }
        ));
    }

    #[test]
    fn care_act_work_allows_a_year_from_appointment_to_start_the_qualification() {
        let care_act = rule(&Unit::MANDATORY, QualificationStatus::WorkingTowards, 12);
        assert_eq!(
            check_rule(&care_act, &[], Some(day("2026-01-10")), day(TODAY)),
            RuleCheck::WithinGrace {
                until: day("2027-01-10")
            }
        );
        // On the anniversary the grace is over.
        assert!(matches!(
            check_rule(&care_act, &[], Some(day("2025-11-22")), day(TODAY)),
            RuleCheck::NotMet {
                unit: Unit::Principles,
                ..
            }
        ));
        // Without a start date there is no grace to give.
        assert!(matches!(
            check_rule(&care_act, &[], None, day(TODAY)),
            RuleCheck::NotMet { .. }
        ));
        let two_of_three = [
            fact(Unit::Principles, QualificationStatus::Achieved),
            fact(Unit::Legislation, QualificationStatus::WorkingTowards),
        ];
        assert!(matches!(
            check_rule(
                &care_act,
                &two_of_three,
                Some(day("2020-01-01")),
                day(TODAY)
            ),
            RuleCheck::NotMet {
                unit: Unit::Entitlements,
                ..
            }
        ));
    }

    #[test]
    fn a_rule_form_without_units_removes_the_rule() {
        assert_eq!(RuleAnswers::default().parse().unwrap(), None);
        let answers = RuleAnswers {
            units: vec!["405".into()],
            minimum: "working_towards".into(),
            grace_months: String::new(),
        };
        assert_eq!(
            answers.parse().unwrap(),
            Some(rule(&[Unit::Imha], QualificationStatus::WorkingTowards, 0))
        );
        let wrong = RuleAnswers {
            units: vec!["999".into()],
            minimum: "not_started".into(),
            grace_months: "40".into(),
        };
        let error = wrong.parse().unwrap_err();
        for field in ["unit", "grace_months"] {
            assert!(error.message_for(field).is_some(), "{field}");
        }
    }

    fn advocate(started: &str) -> StaffFacts {
        StaffFacts {
            is_advocate: true,
            started_on: Some(day(started)),
            supervision_months: 1,
            ..Default::default()
        }
    }

    #[test]
    fn a_new_advocate_owes_induction_supervision_the_course_the_qualification_and_appraisal() {
        let due = staff_due(&advocate("2026-11-01"), day(TODAY));
        let dates: Vec<(StaffDueKind, NaiveDate, DueState)> =
            due.iter().map(|d| (d.kind, d.due, d.state)).collect();
        assert_eq!(
            dates,
            vec![
                (
                    StaffDueKind::Induction,
                    day("2026-12-01"),
                    DueState::DueSoon
                ),
                (
                    StaffDueKind::Supervision,
                    day("2026-12-01"),
                    DueState::DueSoon
                ),
                (
                    StaffDueKind::SpecialistCourse,
                    day("2027-05-01"),
                    DueState::Later
                ),
                (
                    StaffDueKind::Qualification,
                    day("2027-11-01"),
                    DueState::Later
                ),
                (StaffDueKind::Appraisal, day("2027-11-01"), DueState::Later),
            ]
        );
        assert_eq!(needing_attention(&due).len(), 2);
    }

    #[test]
    fn the_specialist_course_is_overdue_six_months_after_joining() {
        let due = staff_due(&advocate("2026-05-21"), day(TODAY));
        let course = due
            .iter()
            .find(|d| d.kind == StaffDueKind::SpecialistCourse)
            .unwrap();
        assert_eq!(course.due, day("2026-11-21"));
        assert_eq!(course.state, DueState::Overdue);
        let mut done = advocate("2026-05-21");
        done.training
            .push((TrainingKind::SpecialistCourse, day("2026-09-01"), None));
        done.training
            .push((TrainingKind::Induction, day("2026-05-21"), None));
        let due = staff_due(&done, day(TODAY));
        assert!(
            due.iter()
                .all(|d| d.kind != StaffDueKind::SpecialistCourse
                    && d.kind != StaffDueKind::Induction)
        );
    }

    #[test]
    fn the_qualification_is_due_a_year_after_joining_until_the_mandatory_units_are_started() {
        let mut facts = advocate("2025-11-20");
        let due = staff_due(&facts, day(TODAY));
        let qualification = due
            .iter()
            .find(|d| d.kind == StaffDueKind::Qualification)
            .unwrap();
        assert_eq!(qualification.due, day("2026-11-20"));
        assert_eq!(qualification.state, DueState::Overdue);
        facts.qualifications = Unit::MANDATORY
            .iter()
            .map(|u| fact(*u, QualificationStatus::WorkingTowards))
            .collect();
        assert!(
            staff_due(&facts, day(TODAY))
                .iter()
                .all(|d| d.kind != StaffDueKind::Qualification)
        );
    }

    #[test]
    fn supervision_follows_the_last_session_at_the_chosen_frequency() {
        let mut facts = advocate("2020-01-01");
        facts.last_supervision = Some(day("2026-09-30"));
        facts.supervision_months = 2;
        let due = staff_due(&facts, day(TODAY));
        let supervision = due
            .iter()
            .find(|d| d.kind == StaffDueKind::Supervision)
            .unwrap();
        assert_eq!(supervision.due, day("2026-11-30"));
        assert_eq!(supervision.state, DueState::DueSoon);
        facts.supervision_months = 1;
        let due = staff_due(&facts, day(TODAY));
        assert_eq!(
            due.iter()
                .find(|d| d.kind == StaffDueKind::Supervision)
                .unwrap()
                .state,
            DueState::Overdue
        );
    }

    fn in_a_team(started: &str, advocates: usize) -> StaffFacts {
        StaffFacts {
            advocates_in_provider: advocates,
            group_supervision_months: 3,
            ..advocate(started)
        }
    }

    fn group_supervision(facts: &StaffFacts) -> Option<StaffDue> {
        staff_due(facts, day(TODAY))
            .into_iter()
            .find(|d| d.kind == StaffDueKind::GroupSupervision)
    }

    #[test]
    fn group_supervision_is_owed_only_where_the_provider_has_more_than_one_advocate() {
        assert_eq!(group_supervision(&in_a_team("2026-01-01", 1)), None);
        assert_eq!(group_supervision(&in_a_team("2026-01-01", 0)), None);
        // With a colleague, it is due at the chosen frequency from joining.
        assert_eq!(
            group_supervision(&in_a_team("2026-09-10", 2)),
            Some(StaffDue {
                kind: StaffDueKind::GroupSupervision,
                due: day("2026-12-10"),
                state: DueState::DueSoon
            })
        );
        // Managers attend their own supervision, not the advocates' group.
        let manager = StaffFacts {
            is_advocate: false,
            ..in_a_team("2026-01-01", 5)
        };
        assert_eq!(group_supervision(&manager), None);
    }

    #[test]
    fn group_supervision_follows_the_last_group_meeting_not_individual_ones() {
        let mut facts = in_a_team("2020-01-01", 3);
        facts.last_supervision = Some(day("2026-11-15"));
        let overdue = group_supervision(&facts).unwrap();
        assert_eq!(overdue.due, day("2020-04-01"));
        assert_eq!(overdue.state, DueState::Overdue);
        facts.last_group_supervision = Some(day("2026-08-21"));
        let due = group_supervision(&facts).unwrap();
        assert_eq!(due.due, day("2026-11-21"));
        assert_eq!(due.state, DueState::Overdue);
        facts.group_supervision_months = 6;
        let later = group_supervision(&facts).unwrap();
        assert_eq!(later.due, day("2027-02-21"));
        assert_eq!(later.state, DueState::Later);
        // A month's last day stands in for a day the month does not have.
        facts.last_group_supervision = Some(day("2026-08-31"));
        facts.group_supervision_months = 3;
        assert_eq!(group_supervision(&facts).unwrap().due, day("2026-11-30"));
    }

    #[test]
    fn without_a_start_date_or_a_group_meeting_no_group_supervision_is_due() {
        let facts = StaffFacts {
            started_on: None,
            ..in_a_team("2020-01-01", 4)
        };
        assert_eq!(group_supervision(&facts), None);
    }

    #[test]
    fn appraisal_is_annual_from_the_last_one_or_from_joining() {
        let mut facts = advocate("2020-01-01");
        facts.last_appraisal = Some(day("2025-12-15"));
        let appraisal = staff_due(&facts, day(TODAY))
            .into_iter()
            .find(|d| d.kind == StaffDueKind::Appraisal)
            .unwrap();
        assert_eq!(appraisal.due, day("2026-12-15"));
        assert_eq!(appraisal.state, DueState::DueSoon);
        facts.last_appraisal = None;
        let appraisal = staff_due(&facts, day(TODAY))
            .into_iter()
            .find(|d| d.kind == StaffDueKind::Appraisal)
            .unwrap();
        assert_eq!(appraisal.due, day("2021-01-01"));
        assert_eq!(appraisal.state, DueState::Overdue);
    }

    #[test]
    fn training_is_renewed_from_its_latest_attendance() {
        let mut facts = advocate("2020-01-01");
        facts.training = vec![
            (TrainingKind::Safeguarding, day("2024-11-01"), Some(12)),
            (TrainingKind::Safeguarding, day("2026-01-10"), Some(12)),
            (TrainingKind::NetworkEvent, day("2026-01-10"), None),
        ];
        let renewals: Vec<StaffDue> = staff_due(&facts, day(TODAY))
            .into_iter()
            .filter(|d| matches!(d.kind, StaffDueKind::Renewal(_)))
            .collect();
        assert_eq!(
            renewals,
            vec![StaffDue {
                kind: StaffDueKind::Renewal(TrainingKind::Safeguarding),
                due: day("2027-01-10"),
                state: DueState::Later
            }]
        );
    }

    #[test]
    fn a_manager_owes_supervision_and_appraisal_but_not_the_advocacy_qualification() {
        let manager = StaffFacts {
            is_advocate: false,
            ..advocate("2026-11-01")
        };
        let kinds: Vec<StaffDueKind> = staff_due(&manager, day(TODAY))
            .iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                StaffDueKind::Induction,
                StaffDueKind::Supervision,
                StaffDueKind::Appraisal
            ]
        );
    }

    #[test]
    fn without_a_start_date_only_what_follows_recorded_meetings_is_due() {
        let facts = StaffFacts {
            is_advocate: true,
            supervision_months: 1,
            last_supervision: Some(day("2026-11-01")),
            ..Default::default()
        };
        let kinds: Vec<StaffDueKind> = staff_due(&facts, day(TODAY))
            .iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(kinds, vec![StaffDueKind::Supervision]);
    }

    #[test]
    fn a_profile_names_its_wrong_fields() {
        let answers = ProfileAnswers {
            started_on: "31/02/2026".into(),
            employment: "contractor".into(),
            roles: vec!["peer".into(), "wizard".into()],
            supervision_months: "13".into(),
            supervisor: "99".into(),
            ..Default::default()
        };
        let error = answers.parse(&[1, 2]).unwrap_err();
        for field in [
            "started_on",
            "employment",
            "roles",
            "supervision_months",
            "group_supervision_months",
            "supervisor",
        ] {
            assert!(error.message_for(field).is_some(), "{field}");
        }
        let good = ProfileAnswers {
            started_on: "2026-03-02".into(),
            employment: "volunteer".into(),
            roles: vec!["citizen".into()],
            supervision_months: "1".into(),
            group_supervision_months: "2".into(),
            supervisor: "2".into(),
            availability: "Mondays and Tuesdays".into(),
        };
        let profile = good.parse(&[1, 2]).unwrap();
        assert_eq!(profile.group_supervision_months, 2);
        assert_eq!(profile.employment, Some(EmploymentType::Volunteer));
        assert_eq!(profile.roles, vec![AdvocacyRole::Citizen]);
        assert_eq!(profile.supervisor, Some(2));
    }

    #[test]
    fn equality_answers_take_their_own_values_prefer_not_to_say_and_for_people_not_known() {
        let answers = vec![
            ("sex".to_string(), "female".to_string()),
            ("ethnicity".to_string(), PREFER_NOT_TO_SAY.to_string()),
            ("age".to_string(), String::new()),
        ];
        assert_eq!(
            parse_equality(&answers, false).unwrap(),
            vec![
                ("sex", "female".to_string()),
                ("ethnicity", PREFER_NOT_TO_SAY.to_string())
            ]
        );
        let not_known = vec![("disability".to_string(), NOT_KNOWN.to_string())];
        assert!(parse_equality(&not_known, false).is_err());
        assert!(parse_equality(&not_known, true).is_ok());
    }
}
