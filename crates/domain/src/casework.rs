//! Casework: what an advocate records about the work of a case, checked at the edge,
//! the ranking that suggests advocates for a case with the independence block, and what
//! is due next on a caseload.
//!
//! Everything here is pure: storage supplies the facts, the web layer the words. Reasons
//! and due items are codes, so the catalogue gives them their plain English.

use crate::referral::{MAX_SHORT, MAX_TEXT, parse_date};
use crate::validation::{FieldError, Invalid, required_text, too_long};
use crate::workforce::{
    AllocationRule, QualificationFact, QualificationStatus, RuleCheck, Unit, check_rule,
};
use advocase_i18n::{Message, label, msg};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The longest contact, in minutes: a day.
pub const MAX_CONTACT_MINUTES: u32 = 24 * 60;

codes! {
    /// How a contact happened (DOMAIN.md §5).
    ContactMode {
        InPerson => "in_person",
        Phone => "phone",
        Video => "video",
        Letter => "letter",
        Other => "other",
    }
}

codes! {
    /// The approach used when a person could not instruct the advocate at that time.
    NonInstructedApproach {
        RightsBased => "rights_based",
        PersonCentred => "person_centred",
        WatchingBrief => "watching_brief",
        WitnessObserver => "witness_observer",
    }
}

codes! {
    /// Why an advocate must not support a person (DOMAIN.md §9).
    ConflictKind {
        KnowsPersonally => "knows_personally",
        Related => "related",
        ProvidesCare => "provides_care",
        VestedInterest => "vested_interest",
    }
}

codes! {
    /// The processes an advocate supports a person through.
    Process {
        Assessment => "assessment",
        Planning => "planning",
        Review => "review",
        SafeguardingEnquiry => "safeguarding_enquiry",
        SafeguardingAdultReview => "safeguarding_adult_review",
        CareReview => "care_review",
        Tribunal => "tribunal",
        Complaint => "complaint",
        Other => "other",
    }
}

codes! {
    /// How far an issue the person raised was achieved.
    OutcomeLevel {
        Achieved => "achieved",
        Partly => "partly",
        NotAchieved => "not_achieved",
    }
}

codes! {
    /// The things an advocate does for a case besides contacts, some with a date due.
    WorkKind {
        Meeting => "meeting",
        Letter => "letter",
        Report => "report",
        ConcernsReport => "concerns_report",
        ImcaReport => "imca_report",
    }
}

codes! {
    /// The steps of challenging a decision, in the order they escalate (DOMAIN.md §3.1).
    ChallengeStep {
        Informal => "informal",
        InWriting => "in_writing",
        SeniorManager => "senior_manager",
        CourtOrReview => "court_or_review",
    }
}

codes! {
    /// Why a case closed.
    ClosureReason {
        Completed => "completed",
        HandedOver => "handed_over",
        MovedArea => "moved_area",
        Withdrew => "withdrew",
        Died => "died",
        DutyEnded => "duty_ended",
    }
}

codes! {
    /// Whether the person is now more able to speak up for themselves.
    SelfAdvocacy {
        More => "more",
        Same => "same",
        NotKnown => "not_known",
    }
}

codes! {
    /// The gender of advocate a person asked for, or an advocate's own.
    Gender {
        Woman => "woman",
        Man => "man",
        NonBinary => "non_binary",
    }
}

/// A contact as typed on the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactAnswers {
    pub date: String,
    pub time: String,
    pub mode: String,
    pub duration: String,
    pub present: String,
    pub discussed: String,
    pub agreed: String,
    pub could_instruct: String,
    pub approach: String,
}

/// A contact, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub occurred_at: NaiveDateTime,
    pub mode: ContactMode,
    pub duration_minutes: u32,
    pub present: Option<String>,
    pub discussed: String,
    pub agreed: Option<String>,
    pub could_instruct: bool,
    pub approach: Option<NonInstructedApproach>,
}

impl ContactAnswers {
    /// Checks the contact against `now`: it cannot be in the future, it lasted between a
    /// minute and a day, and a person who could not instruct has the approach used named.
    pub fn parse(&self, now: NaiveDateTime) -> Result<NewContact, Invalid> {
        let mut invalid = Invalid::default();
        let date = match parse_date("date", label::DATE_OF_THE_CONTACT, &self.date) {
            Ok(Some(date)) => Some(date),
            Ok(None) => {
                invalid.push("date", msg::CONTACT_DATE_MISSING);
                None
            }
            Err(e) => {
                invalid.0.push(e);
                None
            }
        };
        let time = invalid.check(parse_time("time", &self.time));
        let mode = ContactMode::parse(&self.mode);
        if mode.is_none() {
            invalid.push("mode", msg::CONTACT_MODE_MISSING);
        }
        let duration = invalid.check(parse_minutes("duration", &self.duration));
        let present = optional_text(
            "present",
            label::WHO_WAS_THERE,
            &self.present,
            MAX_SHORT * 2,
        )
        .map_err(|e| invalid.0.push(e))
        .ok()
        .flatten();
        let discussed = invalid.check(required_text(
            "discussed",
            label::WHAT_WAS_DISCUSSED,
            &self.discussed,
            MAX_TEXT,
        ));
        let agreed = optional_text("agreed", label::WHAT_WAS_AGREED, &self.agreed, MAX_TEXT)
            .map_err(|e| invalid.0.push(e))
            .ok()
            .flatten();
        let could_instruct = match self.could_instruct.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                invalid.push("could_instruct", msg::CONTACT_COULD_INSTRUCT_MISSING);
                None
            }
        };
        let approach = match (could_instruct, self.approach.trim()) {
            (Some(false), value) => {
                let approach = NonInstructedApproach::parse(value);
                if approach.is_none() {
                    invalid.push("approach", msg::CONTACT_APPROACH_MISSING);
                }
                approach
            }
            _ => None,
        };
        let occurred_at = match (date, time) {
            (Some(date), Some(time)) => {
                let at = date.and_time(time);
                if at > now {
                    invalid.push("date", msg::CONTACT_DATE_FUTURE);
                }
                Some(at)
            }
            _ => None,
        };
        invalid.into_result()?;
        Ok(NewContact {
            occurred_at: occurred_at.unwrap_or_default(),
            mode: mode.unwrap_or(ContactMode::Other),
            duration_minutes: duration.unwrap_or_default(),
            present,
            discussed: discussed.unwrap_or_default(),
            agreed,
            could_instruct: could_instruct.unwrap_or_default(),
            approach,
        })
    }
}

/// Reads a time typed as `14:30`, `14.30` or `1430`.
fn parse_time(field: &str, value: &str) -> Result<NaiveTime, FieldError> {
    let text = value.trim().replace('.', ":");
    if text.is_empty() {
        return Err(FieldError::new(field, msg::TIME_MISSING));
    }
    NaiveTime::parse_from_str(&text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&text, "%H%M"))
        .map_err(|_| FieldError::new(field, msg::TIME_INVALID))
}

/// Reads a duration in whole minutes: at least one, at most a day.
pub fn parse_minutes(field: &str, value: &str) -> Result<u32, FieldError> {
    let text = value.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, msg::MINUTES_MISSING));
    }
    match text.parse::<u32>() {
        Ok(0) => Err(FieldError::new(field, msg::MINUTES_ZERO)),
        Ok(minutes) if minutes <= MAX_CONTACT_MINUTES => Ok(minutes),
        Ok(_) => Err(FieldError::new(field, msg::MINUTES_OVER_A_DAY)),
        Err(_) => Err(FieldError::new(field, msg::MINUTES_NOT_WHOLE)),
    }
}

/// A free-text answer that may be left empty, refused when too long.
pub fn optional_text(
    field: &str,
    label: impl Into<Message>,
    value: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let text = value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(too_long(field, label, max));
    }
    Ok(Some(text.to_string()))
}

/// A required date answer.
pub fn required_date(
    field: &str,
    label: impl Into<Message>,
    value: &str,
) -> Result<NaiveDate, FieldError> {
    let label = label.into();
    parse_date(field, label.clone(), value)?
        .ok_or_else(|| FieldError::new(field, msg::ENTER.with("label", label)))
}

/// A closure as typed on the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ClosureAnswers {
    pub reason: String,
    pub handed_over_to: String,
    pub self_advocacy: String,
    pub note: String,
    pub open_tasks_reason: String,
    pub version: String,
}

/// A closure, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub reason: ClosureReason,
    pub handed_over_to: Option<String>,
    pub self_advocacy: SelfAdvocacy,
    pub note: Option<String>,
    pub open_tasks_reason: Option<String>,
}

impl ClosureAnswers {
    /// Checks a closure. `open_tasks` is how many issues, work items and challenges are
    /// still open: closing over them needs a reason.
    pub fn parse(&self, open_tasks: usize) -> Result<Closure, Invalid> {
        let mut invalid = Invalid::default();
        let reason = ClosureReason::parse(&self.reason);
        if reason.is_none() {
            invalid.push("reason", msg::CLOSURE_REASON_MISSING);
        }
        let handed_over_to = optional_text(
            "handed_over_to",
            label::WHO_THE_CASE_WAS_HANDED_OVER_TO,
            &self.handed_over_to,
            MAX_SHORT,
        )
        .map_err(|e| invalid.0.push(e))
        .ok()
        .flatten();
        if matches!(
            reason,
            Some(ClosureReason::HandedOver | ClosureReason::MovedArea)
        ) && handed_over_to.is_none()
        {
            invalid.push("handed_over_to", msg::CLOSURE_HANDED_OVER_TO_MISSING);
        }
        let self_advocacy = SelfAdvocacy::parse(&self.self_advocacy);
        if self_advocacy.is_none() {
            invalid.push("self_advocacy", msg::CLOSURE_SELF_ADVOCACY_MISSING);
        }
        let note = optional_text("note", label::CLOSING_NOTE, &self.note, MAX_TEXT)
            .map_err(|e| invalid.0.push(e))
            .ok()
            .flatten();
        let open_tasks_reason = optional_text(
            "open_tasks_reason",
            label::REASON_FOR_CLOSING_WITH_OPEN_TASKS,
            &self.open_tasks_reason,
            MAX_TEXT,
        )
        .map_err(|e| invalid.0.push(e))
        .ok()
        .flatten();
        if open_tasks > 0 && open_tasks_reason.is_none() {
            invalid.push(
                "open_tasks_reason",
                msg::CLOSURE_OPEN_TASKS.with("count", open_tasks),
            );
        }
        invalid.into_result()?;
        Ok(Closure {
            reason: reason.unwrap_or(ClosureReason::Completed),
            handed_over_to,
            self_advocacy: self_advocacy.unwrap_or(SelfAdvocacy::NotKnown),
            note,
            open_tasks_reason: if open_tasks > 0 {
                open_tasks_reason
            } else {
                None
            },
        })
    }
}

// ---------------------------------------------------------------------------------------
// Suggesting advocates
// ---------------------------------------------------------------------------------------

/// What the ranking knows about one advocate of the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: i64,
    pub name: String,
    /// The duties the advocate may work under (`care_act`, `imha`, …).
    pub duties: Vec<String>,
    /// The local authority areas the advocate covers.
    pub areas: Vec<String>,
    /// The languages the advocate speaks besides English.
    pub languages: Vec<String>,
    pub gender: Option<Gender>,
    /// How many open cases the advocate can hold.
    pub capacity: u32,
    /// How many open cases the advocate holds now.
    pub caseload: u32,
    /// Whether the advocate already supports this person on another case.
    pub supports_person: bool,
    /// A conflict of interest recorded between the advocate and this person.
    pub conflict: Option<ConflictKind>,
    /// The qualifications recorded for the advocate, for the duty's rule.
    pub qualifications: Vec<QualificationFact>,
    /// When the advocate joined, from which a rule's grace period runs.
    pub started_on: Option<NaiveDate>,
}

/// What the case asks of its advocate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseNeeds {
    pub duty: String,
    pub local_authority: Option<String>,
    pub language: Option<String>,
    pub gender_preference: Option<Gender>,
    /// The provider's qualification rule for the duty, if it has set one.
    pub rule: Option<AllocationRule>,
}

/// One reason in a suggestion, for or against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Already supports this person: continuity comes first.
    Continuity,
    Qualified,
    NotQualified,
    CoversArea,
    OutsideArea,
    SpeaksLanguage,
    NoSharedLanguage,
    MatchesGenderPreference,
    NotGenderPreference,
    /// Open cases against capacity.
    Caseload {
        open: u32,
        capacity: u32,
    },
    AtCapacity {
        open: u32,
        capacity: u32,
    },
    Conflict(ConflictKind),
    /// Meets the provider's qualification rule for the duty.
    MeetsRule,
    /// Does not meet the rule yet, but is within the time allowed after joining.
    WithinGrace {
        until: NaiveDate,
    },
    /// Falls short of the rule on a unit: not offered.
    RuleNotMet {
        unit: Unit,
        has: QualificationStatus,
        needed: QualificationStatus,
    },
}

/// One advocate as the ranking places them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub user_id: i64,
    pub name: String,
    /// Offered for allocation: qualified and without a conflict.
    pub offered: bool,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Ranks the provider's advocates for a case on `today`: offered ones first, best
/// first. An advocate with a conflict of interest, not set up for the duty, or short of
/// the provider's qualification rule for it, is never offered, and the reason says why.
/// Among the offered, continuity counts most, then the person's language and stated
/// preference, the area, and the room in a caseload.
pub fn rank(candidates: &[Candidate], needs: &CaseNeeds, today: NaiveDate) -> Vec<Suggestion> {
    let mut suggestions: Vec<Suggestion> = candidates
        .iter()
        .map(|c| {
            let mut reasons = Vec::new();
            let mut score = 0i64;
            let mut offered = true;
            if let Some(kind) = c.conflict {
                reasons.push(Reason::Conflict(kind));
                offered = false;
            }
            if c.duties.iter().any(|d| d == &needs.duty) {
                reasons.push(Reason::Qualified);
            } else {
                reasons.push(Reason::NotQualified);
                offered = false;
            }
            if let Some(rule) = &needs.rule {
                match check_rule(rule, &c.qualifications, c.started_on, today) {
                    RuleCheck::Met => reasons.push(Reason::MeetsRule),
                    RuleCheck::WithinGrace { until } => reasons.push(Reason::WithinGrace { until }),
                    RuleCheck::NotMet { unit, has, needed } => {
                        reasons.push(Reason::RuleNotMet { unit, has, needed });
                        offered = false;
                    }
                }
            }
            if c.supports_person {
                reasons.push(Reason::Continuity);
                score += 1000;
            }
            if let Some(language) = needs.language.as_deref().filter(|l| !same(l, "english")) {
                if c.languages.iter().any(|l| same(l, language)) {
                    reasons.push(Reason::SpeaksLanguage);
                    score += 300;
                } else {
                    reasons.push(Reason::NoSharedLanguage);
                }
            }
            if let Some(preference) = needs.gender_preference {
                if c.gender == Some(preference) {
                    reasons.push(Reason::MatchesGenderPreference);
                    score += 200;
                } else {
                    reasons.push(Reason::NotGenderPreference);
                }
            }
            if let Some(area) = needs.local_authority.as_deref() {
                if c.areas.iter().any(|a| same(a, area)) {
                    reasons.push(Reason::CoversArea);
                    score += 100;
                } else {
                    reasons.push(Reason::OutsideArea);
                }
            }
            let (open, capacity) = (c.caseload, c.capacity);
            if open >= capacity {
                reasons.push(Reason::AtCapacity { open, capacity });
                score -= 500;
            } else {
                reasons.push(Reason::Caseload { open, capacity });
                // Up to 99 points for room: an empty caseload scores most.
                score += i64::from((capacity - open) * 99 / capacity.max(1));
            }
            Suggestion {
                user_id: c.user_id,
                name: c.name.clone(),
                offered,
                score,
                reasons,
            }
        })
        .collect();
    suggestions.sort_by(|a, b| {
        b.offered
            .cmp(&a.offered)
            .then(b.score.cmp(&a.score))
            .then(a.name.cmp(&b.name))
    });
    suggestions
}

/// Whether a manager's choice of advocate may stand. A conflict of interest is a hard
/// block, and so is a duty the advocate is not qualified for; choosing anyone but the
/// first offered advocate needs a reason, so an override of the ranking is always
/// explained.
pub fn check_allocation(
    suggestions: &[Suggestion],
    chosen: i64,
    override_reason: Option<&str>,
) -> Result<(), FieldError> {
    let Some(choice) = suggestions.iter().find(|s| s.user_id == chosen) else {
        return Err(FieldError::new("advocate", msg::ALLOCATE_CHOOSE));
    };
    if let Some(kind) = choice.reasons.iter().find_map(|r| match r {
        Reason::Conflict(kind) => Some(*kind),
        _ => None,
    }) {
        return Err(FieldError::new(
            "advocate",
            msg::ALLOCATION_CONFLICT
                .with("advocate", &choice.name)
                .with("conflict", kind.as_str()),
        ));
    }
    if let Some((unit, has)) = choice.reasons.iter().find_map(|r| match r {
        Reason::RuleNotMet { unit, has, .. } => Some((*unit, *has)),
        _ => None,
    }) {
        return Err(FieldError::new(
            "advocate",
            msg::ALLOCATION_RULE_NOT_MET
                .with("advocate", &choice.name)
                .with("unit", unit.as_str())
                .with("has", has.as_str()),
        ));
    }
    if !choice.offered {
        return Err(FieldError::new(
            "advocate",
            msg::ALLOCATION_DUTY_NOT_SET_UP.with("advocate", &choice.name),
        ));
    }
    let first_offered = suggestions.iter().find(|s| s.offered).map(|s| s.user_id);
    let needs_reason = first_offered != Some(chosen);
    if needs_reason && override_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(FieldError::new(
            "override_reason",
            msg::ALLOCATION_OVERRIDE_REASON_MISSING,
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// What is due next
// ---------------------------------------------------------------------------------------

/// The kinds of thing that fall due on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueKind {
    /// The IMHA introduction: 3 working days after compulsion.
    ImhaIntroduction,
    /// Regular contact with a person under the Mental Health Act.
    RegularContact,
    Meeting,
    Report,
    /// A reply to a concerns report or a challenge.
    Response,
}

/// One thing due on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub kind: DueKind,
    pub due: NaiveDate,
    pub overdue: bool,
}

/// The facts of an open case that decide what is due.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts {
    pub duty: String,
    pub introduction_due: Option<NaiveDate>,
    /// The date of the first contact, if any.
    pub first_contact: Option<NaiveDate>,
    pub last_contact: Option<NaiveDate>,
    /// Work items not yet done, with their kind and date due.
    pub open_work: Vec<(WorkKind, NaiveDate)>,
    /// Replies awaited (concerns reports, challenges), with their date due.
    pub responses_due: Vec<NaiveDate>,
}

/// What is due on a case, soonest first. `regular_contact_days` is the interval the
/// contract sets for regular contact with people under the Mental Health Act.
pub fn due_items(facts: &CaseFacts, today: NaiveDate, regular_contact_days: u32) -> Vec<DueItem> {
    let mut items = Vec::new();
    let mut push = |kind, due: NaiveDate| {
        items.push(DueItem {
            kind,
            due,
            overdue: due < today,
        })
    };
    if facts.duty == "imha" {
        match (facts.first_contact, facts.introduction_due) {
            (None, Some(due)) => push(DueKind::ImhaIntroduction, due),
            _ => {
                if let Some(last) = facts.last_contact {
                    push(
                        DueKind::RegularContact,
                        crate::clocks::regular_contact_due(last, regular_contact_days),
                    );
                }
            }
        }
    }
    for (kind, due) in &facts.open_work {
        let kind = match kind {
            WorkKind::Meeting => DueKind::Meeting,
            _ => DueKind::Report,
        };
        push(kind, *due);
    }
    for due in &facts.responses_due {
        push(DueKind::Response, *due);
    }
    items.sort_by_key(|i| i.due);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn contact() -> ContactAnswers {
        ContactAnswers {
            date: "2026-11-20".into(),
            time: "14:30".into(),
            mode: "phone".into(),
            duration: "45".into(),
            present: "The person and their sister".into(),
            discussed: "The care plan review".into(),
            agreed: "I will write to the social worker".into(),
            could_instruct: "yes".into(),
            approach: String::new(),
        }
    }

    #[test]
    fn a_complete_contact_parses() {
        let parsed = contact().parse(at("2026-11-22 09:00")).unwrap();
        assert_eq!(parsed.occurred_at, at("2026-11-20 14:30"));
        assert_eq!(parsed.mode, ContactMode::Phone);
        assert_eq!(parsed.duration_minutes, 45);
        assert!(parsed.could_instruct);
        assert_eq!(parsed.approach, None);
    }

    #[test]
    fn a_contact_in_the_future_is_refused_on_the_date() {
        let error = contact().parse(at("2026-11-20 14:00")).unwrap_err();
        assert_eq!(
            error
                .message_for("date")
                .map(crate::validation::english)
                .as_deref(),
            Some("The contact cannot be in the future")
        );
    }

    #[test]
    fn durations_of_zero_or_more_than_a_day_are_refused() {
        for (value, message) in [
            ("0", "at least 1 minute"),
            ("1441", "a day (1440 minutes) or less"),
            ("an hour", "whole number"),
            ("", "Enter how long"),
        ] {
            let mut answers = contact();
            answers.duration = value.into();
            let error = answers.parse(at("2026-11-22 09:00")).unwrap_err();
            assert!(
                crate::validation::words_for(&error, "duration").contains(message),
                "{value}"
            );
        }
        let mut answers = contact();
        answers.duration = "1440".into();
        assert!(answers.parse(at("2026-11-22 09:00")).is_ok());
    }

    #[test]
    fn a_person_who_could_not_instruct_needs_the_approach_named() {
        let mut answers = contact();
        answers.could_instruct = "no".into();
        let error = answers.parse(at("2026-11-22 09:00")).unwrap_err();
        assert!(error.message_for("approach").is_some());
        answers.approach = "watching_brief".into();
        let parsed = answers.parse(at("2026-11-22 09:00")).unwrap();
        assert!(!parsed.could_instruct);
        assert_eq!(parsed.approach, Some(NonInstructedApproach::WatchingBrief));
    }

    #[test]
    fn an_approach_is_not_kept_when_the_person_could_instruct() {
        let mut answers = contact();
        answers.approach = "rights_based".into();
        assert_eq!(
            answers.parse(at("2026-11-22 09:00")).unwrap().approach,
            None
        );
    }

    #[test]
    fn every_missing_answer_is_named() {
        let error = ContactAnswers::default()
            .parse(at("2026-11-22 09:00"))
            .unwrap_err();
        for field in [
            "date",
            "time",
            "mode",
            "duration",
            "discussed",
            "could_instruct",
        ] {
            assert!(error.message_for(field).is_some(), "{field}");
        }
    }

    fn candidate(id: i64, name: &str) -> Candidate {
        Candidate {
            user_id: id,
            name: name.into(),
            duties: vec!["care_act".into(), "imha".into()],
            areas: vec!["Riverside".into()],
            languages: vec![],
            gender: Some(Gender::Man),
            capacity: 20,
            caseload: 10,
            supports_person: false,
            conflict: None,
            qualifications: vec![],
            started_on: None,
        }
    }

    fn needs() -> CaseNeeds {
        CaseNeeds {
            duty: "imha".into(),
            local_authority: Some("Riverside".into()),
            language: None,
            gender_preference: None,
            rule: None,
        }
    }

    #[test]
    fn a_conflicted_advocate_is_never_offered_whatever_else_fits() {
        let mut conflicted = candidate(1, "Ann");
        conflicted.supports_person = true;
        conflicted.conflict = Some(ConflictKind::Related);
        let ranked = rank(&[conflicted, candidate(2, "Bob")], &needs(), today());
        assert_eq!(ranked[0].user_id, 2);
        assert!(!ranked[1].offered);
        assert!(
            ranked[1]
                .reasons
                .contains(&Reason::Conflict(ConflictKind::Related))
        );
    }

    #[test]
    fn an_advocate_not_qualified_for_the_duty_is_not_offered() {
        let mut unqualified = candidate(1, "Ann");
        unqualified.duties = vec!["care_act".into()];
        let ranked = rank(&[unqualified, candidate(2, "Bob")], &needs(), today());
        assert_eq!(ranked[0].user_id, 2);
        assert!(!ranked[1].offered);
        assert!(ranked[1].reasons.contains(&Reason::NotQualified));
    }

    #[test]
    fn continuity_outranks_language_preference_area_and_caseload() {
        let mut existing = candidate(1, "Ann");
        existing.supports_person = true;
        existing.areas = vec![];
        existing.caseload = 19;
        let mut fits = candidate(2, "Bob");
        fits.languages = vec!["Polish".into()];
        fits.gender = Some(Gender::Woman);
        fits.caseload = 0;
        let mut wants = needs();
        wants.language = Some("polish".into());
        wants.gender_preference = Some(Gender::Woman);
        let ranked = rank(&[fits, existing], &wants, today());
        assert_eq!(ranked[0].user_id, 1);
        assert!(ranked[0].reasons.contains(&Reason::Continuity));
        assert!(ranked[1].reasons.contains(&Reason::SpeaksLanguage));
        assert!(ranked[1].reasons.contains(&Reason::MatchesGenderPreference));
    }

    #[test]
    fn language_then_preference_then_area_then_room_decide_among_others() {
        let mut speaks = candidate(1, "Ann");
        speaks.languages = vec!["Urdu".into()];
        speaks.areas = vec![];
        let mut local = candidate(2, "Bob");
        local.caseload = 0;
        let mut wants = needs();
        wants.language = Some("Urdu".into());
        let ranked = rank(&[local.clone(), speaks], &wants, today());
        assert_eq!(ranked[0].user_id, 1);
        let mut busier = candidate(3, "Cy");
        busier.caseload = 15;
        let ranked = rank(&[busier, local], &needs(), today());
        assert_eq!(ranked[0].user_id, 2);
    }

    #[test]
    fn a_full_caseload_ranks_last_among_the_offered() {
        let mut full = candidate(1, "Ann");
        full.caseload = 20;
        full.supports_person = false;
        let ranked = rank(&[full, candidate(2, "Bob")], &needs(), today());
        assert_eq!(ranked[1].user_id, 1);
        assert!(ranked[1].reasons.contains(&Reason::AtCapacity {
            open: 20,
            capacity: 20
        }));
        assert!(ranked[1].offered);
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn imha_rule() -> CaseNeeds {
        CaseNeeds {
            rule: Some(AllocationRule {
                units: vec![Unit::Imha],
                minimum: QualificationStatus::WorkingTowards,
                grace_months: 0,
            }),
            ..needs()
        }
    }

    #[test]
    fn an_advocate_short_of_the_duty_rule_is_not_offered_and_the_reason_names_the_unit() {
        let mut qualified = candidate(2, "Bob");
        qualified.qualifications = vec![QualificationFact {
            unit: Unit::Imha,
            status: QualificationStatus::WorkingTowards,
        }];
        let ranked = rank(&[candidate(1, "Ann"), qualified], &imha_rule(), today());
        assert_eq!(ranked[0].user_id, 2);
        assert!(ranked[0].offered);
        assert!(ranked[0].reasons.contains(&Reason::MeetsRule));
        assert!(!ranked[1].offered);
        assert!(ranked[1].reasons.contains(&Reason::RuleNotMet {
            unit: Unit::Imha,
            has: QualificationStatus::NotStarted,
            needed: QualificationStatus::WorkingTowards,
        }));
        let error = check_allocation(&ranked, 1, Some("no one else")).unwrap_err();
        assert!(crate::validation::english(&error.message).contains("unit 405 is not started"));
    }

    #[test]
    fn a_new_advocate_within_the_grace_period_is_offered_with_the_date_it_ends() {
        let mut needs = imha_rule();
        if let Some(rule) = needs.rule.as_mut() {
            rule.grace_months = 12;
        }
        let mut new = candidate(1, "Ann");
        new.started_on = Some(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        let ranked = rank(&[new], &needs, today());
        assert!(ranked[0].offered);
        assert!(ranked[0].reasons.contains(&Reason::WithinGrace {
            until: NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()
        }));
    }

    #[test]
    fn a_conflict_blocks_even_an_advocate_who_meets_the_rule() {
        let mut conflicted = candidate(1, "Ann");
        conflicted.conflict = Some(ConflictKind::Related);
        conflicted.qualifications = vec![QualificationFact {
            unit: Unit::Imha,
            status: QualificationStatus::Achieved,
        }];
        let ranked = rank(&[conflicted], &imha_rule(), today());
        assert!(!ranked[0].offered);
        let error = check_allocation(&ranked, 1, None).unwrap_err();
        assert!(crate::validation::english(&error.message).contains("conflict of interest"));
    }

    #[test]
    fn a_conflicted_choice_is_refused_even_with_a_reason() {
        let mut conflicted = candidate(1, "Ann");
        conflicted.conflict = Some(ConflictKind::ProvidesCare);
        let ranked = rank(&[conflicted, candidate(2, "Bob")], &needs(), today());
        let error = check_allocation(&ranked, 1, Some("urgent")).unwrap_err();
        assert_eq!(error.field, "advocate");
        assert!(crate::validation::english(&error.message).contains("conflict of interest"));
    }

    #[test]
    fn overriding_the_ranking_needs_a_reason() {
        let ranked = rank(
            &[candidate(1, "Ann"), candidate(2, "Bob")],
            &needs(),
            today(),
        );
        let first = ranked[0].user_id;
        let second = ranked[1].user_id;
        assert!(check_allocation(&ranked, first, None).is_ok());
        assert_eq!(
            check_allocation(&ranked, second, Some("  "))
                .unwrap_err()
                .field,
            "override_reason"
        );
        assert!(check_allocation(&ranked, second, Some("knows the ward")).is_ok());
        assert!(check_allocation(&ranked, 99, None).is_err());
    }

    #[test]
    fn an_unqualified_choice_is_refused() {
        let mut unqualified = candidate(1, "Ann");
        unqualified.duties = vec![];
        let ranked = rank(&[unqualified, candidate(2, "Bob")], &needs(), today());
        let error = check_allocation(&ranked, 1, Some("no one else")).unwrap_err();
        assert!(
            crate::validation::english(&error.message)
                .contains("not set up to work under this duty")
        );
    }

    #[test]
    fn closing_with_open_tasks_needs_a_reason() {
        let answers = ClosureAnswers {
            reason: "completed".into(),
            self_advocacy: "more".into(),
            ..Default::default()
        };
        assert!(answers.parse(0).is_ok());
        let error = answers.parse(2).unwrap_err();
        assert!(crate::validation::words_for(&error, "open_tasks_reason").contains("2 open tasks"));
        assert_eq!(
            crate::validation::words_for(&answers.parse(1).unwrap_err(), "open_tasks_reason"),
            "This case still has 1 open task: say why it is closing anyway"
        );
        let with_reason = ClosureAnswers {
            open_tasks_reason: "The person moved abroad".into(),
            ..answers
        };
        assert_eq!(
            with_reason.parse(2).unwrap().open_tasks_reason.as_deref(),
            Some("The person moved abroad")
        );
    }

    #[test]
    fn a_hand_over_names_who_took_over() {
        let answers = ClosureAnswers {
            reason: "handed_over".into(),
            self_advocacy: "same".into(),
            ..Default::default()
        };
        assert!(
            answers
                .parse(0)
                .unwrap_err()
                .message_for("handed_over_to")
                .is_some()
        );
        let named = ClosureAnswers {
            handed_over_to: "Her brother, now able to support her".into(),
            ..answers
        };
        assert_eq!(named.parse(0).unwrap().reason, ClosureReason::HandedOver);
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_imha_case_owes_its_introduction_until_the_first_contact() {
        let facts = CaseFacts {
            duty: "imha".into(),
            introduction_due: Some(day("2026-11-20")),
            ..Default::default()
        };
        let due = due_items(&facts, day("2026-11-22"), 28);
        assert_eq!(
            due,
            vec![DueItem {
                kind: DueKind::ImhaIntroduction,
                due: day("2026-11-20"),
                overdue: true
            }]
        );
        let met = CaseFacts {
            first_contact: Some(day("2026-11-19")),
            last_contact: Some(day("2026-11-19")),
            ..facts
        };
        let due = due_items(&met, day("2026-11-22"), 28);
        assert_eq!(due[0].kind, DueKind::RegularContact);
        assert_eq!(due[0].due, day("2026-12-17"));
        assert!(!due[0].overdue);
    }

    #[test]
    fn work_and_replies_are_listed_soonest_first_and_other_duties_owe_no_regular_contact() {
        let facts = CaseFacts {
            duty: "care_act".into(),
            last_contact: Some(day("2026-01-01")),
            first_contact: Some(day("2026-01-01")),
            open_work: vec![
                (WorkKind::Report, day("2026-12-10")),
                (WorkKind::Meeting, day("2026-11-25")),
            ],
            responses_due: vec![day("2026-11-21")],
            ..Default::default()
        };
        let due = due_items(&facts, day("2026-11-22"), 28);
        let kinds: Vec<DueKind> = due.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            vec![DueKind::Response, DueKind::Meeting, DueKind::Report]
        );
        assert!(due[0].overdue);
    }
}
