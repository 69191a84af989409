//! Safeguarding concerns, complaints about the advocacy service, feedback from people who
//! used it, and concerns about other services that are signalled to their providers and
//! commissioners (DOMAIN.md §6–7).
//!
//! Pure, like the rest of the domain: storage supplies the facts and the date, the web
//! layer the words.

use crate::casework::{optional_text, required_date};
use crate::clocks::WorkingDayCalendar;
use crate::referral::{MAX_SHORT, MAX_TEXT, parse_date};
use crate::validation::{FieldError, Invalid, required_text};
use advocase_i18n::{MessageKey, label, msg};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

codes! {
    /// The categories of abuse and neglect in the Care Act statutory guidance.
    AbuseCategory {
        Physical => "physical",
        Domestic => "domestic",
        Sexual => "sexual",
        Psychological => "psychological",
        Financial => "financial",
        ModernSlavery => "modern_slavery",
        Discriminatory => "discriminatory",
        Organisational => "organisational",
        Neglect => "neglect",
        SelfNeglect => "self_neglect",
    }
}

codes! {
    /// Whether someone is unhappy with the service or pleased with it.
    ComplaintKind {
        Complaint => "complaint",
        Compliment => "compliment",
    }
}

codes! {
    /// How a complaint reached the service.
    ComplaintSource {
        Public => "public",
        EasyRead => "easy_read",
        Staff => "staff",
    }
}

codes! {
    /// How far a complaint has gone: resolved informally, investigated formally, or
    /// reviewed after the complainant was unhappy with the formal answer.
    ComplaintStage {
        Informal => "informal",
        Formal => "formal",
        Review => "review",
    }
}

codes! {
    /// What the investigation of a complaint found.
    Finding {
        Upheld => "upheld",
        PartlyUpheld => "partly_upheld",
        NotUpheld => "not_upheld",
    }
}

codes! {
    /// The kind of advocacy an answer to the questionnaire is about.
    FeedbackDuty {
        CareAct => "care_act",
        Imha => "imha",
        Imca => "imca",
        NhsComplaints => "nhs_complaints",
        NonStatutory => "non_statutory",
    }
}

codes! {
    /// Whether the person filled in the questionnaire themselves.
    FilledIn {
        Alone => "alone",
        WithHelp => "with_help",
    }
}

codes! {
    /// What kind of place a concern about another service is about.
    PlaceKind {
        Ward => "ward",
        CareHome => "care_home",
        Team => "team",
        Other => "other",
    }
}

codes! {
    /// What a concern about another service is about.
    ConcernTheme {
        Restraint => "restraint",
        AccessToAdvocacy => "access_to_advocacy",
        Dignity => "dignity",
        Medication => "medication",
        Staffing => "staffing",
        Environment => "environment",
        Rights => "rights",
        Other => "other",
    }
}

codes! {
    /// How serious a concern about another service is. A serious one is surfaced on its
    /// own, without waiting for others like it.
    Severity {
        Low => "low",
        Moderate => "moderate",
        Serious => "serious",
    }
}

codes! {
    /// Why concerns were surfaced to a manager.
    SignalBasis {
        Recurrent => "recurrent",
        Serious => "serious",
    }
}

/// The lowest and highest points of the questionnaire's pictorial scale.
pub const SCALE: std::ops::RangeInclusive<i32> = 1..=5;

fn not_in_future(
    invalid: &mut Invalid,
    field: &str,
    message: MessageKey,
    date: Option<NaiveDate>,
    today: NaiveDate,
) {
    if date.is_some_and(|d| d > today) {
        invalid.push(field, message);
    }
}

fn yes_no(invalid: &mut Invalid, field: &str, message: MessageKey, value: &str) -> Option<bool> {
    match value.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            invalid.push(field, message);
            None
        }
    }
}

// ---------------------------------------------------------------------------------------
// Safeguarding concerns
// ---------------------------------------------------------------------------------------

/// A safeguarding concern as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConcernAnswers {
    /// Only when the adult at risk is not a client: their name.
    pub adult_name: String,
    pub raised_on: String,
    pub category: String,
    pub what_happened: String,
    pub person_wants: String,
    pub immediate_risk: String,
}

/// A safeguarding concern, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConcern {
    pub adult_name: Option<String>,
    pub raised_on: NaiveDate,
    pub category: AbuseCategory,
    pub what_happened: String,
    pub person_wants: String,
    pub immediate_risk: bool,
}

impl ConcernAnswers {
    /// `about_a_client` is true when the concern is raised from a case, so the person
    /// is already known and no name is asked.
    pub fn parse(&self, today: NaiveDate, about_a_client: bool) -> Result<NewConcern, Invalid> {
        let mut invalid = Invalid::default();
        let adult_name = if about_a_client {
            None
        } else {
            invalid.check(required_text(
                "adult_name",
                label::NAME_OF_THE_ADULT_AT_RISK,
                &self.adult_name,
                MAX_SHORT,
            ))
        };
        let raised_on = invalid.check(required_date(
            "raised_on",
            label::DATE_THE_CONCERN_WAS_RAISED,
            &self.raised_on,
        ));
        not_in_future(
            &mut invalid,
            "raised_on",
            msg::CONCERN_RAISED_ON_FUTURE,
            raised_on,
            today,
        );
        let category = AbuseCategory::parse(&self.category);
        if category.is_none() {
            invalid.push("category", msg::CONCERN_CATEGORY_MISSING);
        }
        let what_happened = invalid.check(required_text(
            "what_happened",
            label::WHAT_HAPPENED_OR_WHAT_YOU_SAW,
            &self.what_happened,
            MAX_TEXT,
        ));
        let person_wants = invalid.check(required_text(
            "person_wants",
            label::WHAT_THE_PERSON_WANTS_TO_HAPPEN,
            &self.person_wants,
            MAX_TEXT,
        ));
        let immediate_risk = yes_no(
            &mut invalid,
            "immediate_risk",
            msg::CONCERN_IMMEDIATE_RISK_MISSING,
            &self.immediate_risk,
        );
        invalid.into_result()?;
        Ok(NewConcern {
            adult_name,
            raised_on: raised_on.unwrap_or(today),
            category: category.unwrap_or(AbuseCategory::Neglect),
            what_happened: what_happened.unwrap_or_default(),
            person_wants: person_wants.unwrap_or_default(),
            immediate_risk: immediate_risk.unwrap_or_default(),
        })
    }
}

/// What was done about a concern, as typed: who it was reported to, and when.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConcernActionsAnswers {
    pub local_authority_on: String,
    pub local_authority_reference: String,
    pub police_on: String,
    pub regulator_on: String,
}

/// What was done about a concern, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConcernActions {
    pub local_authority_on: Option<NaiveDate>,
    pub local_authority_reference: Option<String>,
    pub police_on: Option<NaiveDate>,
    pub regulator_on: Option<NaiveDate>,
}

impl ConcernActionsAnswers {
    /// Each report is dated between the day the concern was raised and today; the
    /// council's reference only means something once it was told.
    pub fn parse(&self, today: NaiveDate, raised_on: NaiveDate) -> Result<ConcernActions, Invalid> {
        let mut invalid = Invalid::default();
        let mut dated = |field: &str, label: MessageKey, value: &str| {
            let date = invalid.check(parse_date(field, label, value)).flatten();
            if date.is_some_and(|d| d > today) {
                invalid.push(field, msg::DATE_FUTURE);
            } else if date.is_some_and(|d| d < raised_on) {
                invalid.push(field, msg::CONCERN_DATE_BEFORE_RAISED);
            }
            date
        };
        let local_authority_on = dated(
            "local_authority_on",
            label::DATE_THE_COUNCIL_WAS_TOLD,
            &self.local_authority_on,
        );
        let police_on = dated(
            "police_on",
            label::DATE_THE_POLICE_WERE_TOLD,
            &self.police_on,
        );
        let regulator_on = dated(
            "regulator_on",
            label::DATE_THE_REGULATOR_WAS_TOLD,
            &self.regulator_on,
        );
        let reference = invalid
            .check(optional_text(
                "local_authority_reference",
                label::COUNCILS_REFERENCE,
                &self.local_authority_reference,
                MAX_SHORT,
            ))
            .flatten();
        if reference.is_some() && local_authority_on.is_none() {
            invalid.push("local_authority_on", msg::CONCERN_COUNCIL_DATE_MISSING);
        }
        invalid.into_result()?;
        Ok(ConcernActions {
            local_authority_on,
            local_authority_reference: reference,
            police_on,
            regulator_on,
        })
    }
}

/// Closing a concern, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CloseConcernAnswers {
    pub closed_on: String,
    pub outcome: String,
}

impl CloseConcernAnswers {
    /// The date closed and the outcome. A concern is never closed without its outcome.
    pub fn parse(
        &self,
        today: NaiveDate,
        raised_on: NaiveDate,
    ) -> Result<(NaiveDate, String), Invalid> {
        let mut invalid = Invalid::default();
        let closed_on = invalid.check(required_date(
            "closed_on",
            label::DATE_THE_CONCERN_WAS_CLOSED,
            &self.closed_on,
        ));
        not_in_future(
            &mut invalid,
            "closed_on",
            msg::CONCERN_CLOSED_ON_FUTURE,
            closed_on,
            today,
        );
        if closed_on.is_some_and(|d| d < raised_on) {
            invalid.push("closed_on", msg::CONCERN_CLOSED_BEFORE_RAISED);
        }
        let outcome = invalid.check(required_text(
            "outcome",
            label::OUTCOME,
            &self.outcome,
            MAX_TEXT,
        ));
        invalid.into_result()?;
        Ok((closed_on.unwrap_or(today), outcome.unwrap_or_default()))
    }
}

/// Whether an open concern last changed on `last_touched` has been left alone for
/// `stale_after` working days or more by `today`, and so must be flagged.
pub fn concern_is_stale(
    calendar: &WorkingDayCalendar,
    last_touched: NaiveDate,
    today: NaiveDate,
    stale_after: u32,
) -> bool {
    calendar.working_days_between(last_touched, today) >= stale_after
}

// ---------------------------------------------------------------------------------------
// Complaints and compliments
// ---------------------------------------------------------------------------------------

/// A complaint or compliment as typed, on the public page or by staff.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ComplaintAnswers {
    pub kind: String,
    pub complainant_name: String,
    pub how_to_reply: String,
    pub what_happened: String,
    /// Staff only: the date it was received, when not today.
    pub received_on: String,
}

/// A complaint or compliment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplaint {
    pub kind: ComplaintKind,
    pub complainant_name: String,
    pub how_to_reply: Option<String>,
    pub what_happened: String,
    pub received_on: NaiveDate,
}

impl ComplaintAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<NewComplaint, Invalid> {
        let mut invalid = Invalid::default();
        let kind = ComplaintKind::parse(&self.kind);
        if kind.is_none() {
            invalid.push("kind", msg::COMPLAINT_KIND_MISSING);
        }
        let complainant_name = invalid.check(required_text(
            "complainant_name",
            label::YOUR_NAME,
            &self.complainant_name,
            MAX_SHORT,
        ));
        let how_to_reply = invalid
            .check(optional_text(
                "how_to_reply",
                label::HOW_WE_CAN_REPLY,
                &self.how_to_reply,
                MAX_SHORT,
            ))
            .flatten();
        if kind == Some(ComplaintKind::Complaint) && how_to_reply.is_none() {
            invalid.push("how_to_reply", msg::COMPLAINT_HOW_TO_REPLY_MISSING);
        }
        let what_happened = invalid.check(required_text(
            "what_happened",
            label::WHAT_YOU_WANT_TO_TELL_US,
            &self.what_happened,
            MAX_TEXT,
        ));
        let received_on = invalid
            .check(parse_date(
                "received_on",
                label::DATE_IT_WAS_RECEIVED,
                &self.received_on,
            ))
            .flatten();
        not_in_future(
            &mut invalid,
            "received_on",
            msg::RECEIVED_ON_FUTURE,
            received_on,
            today,
        );
        invalid.into_result()?;
        Ok(NewComplaint {
            kind: kind.unwrap_or(ComplaintKind::Complaint),
            complainant_name: complainant_name.unwrap_or_default(),
            how_to_reply,
            what_happened: what_happened.unwrap_or_default(),
            received_on: received_on.unwrap_or(today),
        })
    }
}

/// The two clocks of a complaint: acknowledge within `acknowledge_days` working days of
/// receiving it, respond within `respond_days` working days. Day 0 is the day received.
pub fn complaint_deadlines(
    calendar: &WorkingDayCalendar,
    received_on: NaiveDate,
    acknowledge_days: u32,
    respond_days: u32,
) -> (NaiveDate, NaiveDate) {
    let due = |days| {
        calendar
            .add_working_days(received_on, days)
            .unwrap_or(NaiveDate::MAX)
    };
    (due(acknowledge_days), due(respond_days))
}

/// Where a clock stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockState {
    /// Done on that date, in time or not.
    Done { on: NaiveDate, late: bool },
    /// Not done; this many working days are left (0: due today).
    Running { working_days_left: u32 },
    /// Not done and past its date.
    Overdue,
}

/// Where a clock due on `due` stands on `today`, given when (if ever) it was met.
pub fn clock_state(
    calendar: &WorkingDayCalendar,
    due: NaiveDate,
    done_on: Option<NaiveDate>,
    today: NaiveDate,
) -> ClockState {
    match done_on {
        Some(on) => ClockState::Done { on, late: on > due },
        None if today > due => ClockState::Overdue,
        None => ClockState::Running {
            working_days_left: calendar.working_days_between(today, due),
        },
    }
}

/// The progress of a complaint, as typed by the manager handling it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ComplaintProgressAnswers {
    pub stage: String,
    pub acknowledged_on: String,
    pub support_offered_on: String,
    pub support_note: String,
    pub finding: String,
    pub response_sent_on: String,
    pub lessons: String,
}

/// The progress of a complaint, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintProgress {
    pub stage: ComplaintStage,
    pub acknowledged_on: Option<NaiveDate>,
    pub support_offered_on: Option<NaiveDate>,
    pub support_note: Option<String>,
    pub finding: Option<Finding>,
    pub response_sent_on: Option<NaiveDate>,
    pub lessons: Option<String>,
}

impl ComplaintProgressAnswers {
    /// No date may be in the future or before the complaint was received; a response
    /// sent needs the finding it reported.
    pub fn parse(
        &self,
        today: NaiveDate,
        received_on: NaiveDate,
    ) -> Result<ComplaintProgress, Invalid> {
        let mut invalid = Invalid::default();
        let stage = ComplaintStage::parse(&self.stage);
        if stage.is_none() {
            invalid.push("stage", msg::COMPLAINT_STAGE_MISSING);
        }
        let mut dated = |field: &str, label: MessageKey, value: &str, before: MessageKey| {
            let date = invalid.check(parse_date(field, label, value)).flatten();
            if date.is_some_and(|d| d > today) {
                invalid.push(field, msg::DATE_FUTURE);
            } else if date.is_some_and(|d| d < received_on) {
                invalid.push(field, before);
            }
            date
        };
        let acknowledged_on = dated(
            "acknowledged_on",
            label::DATE_IT_WAS_ACKNOWLEDGED,
            &self.acknowledged_on,
            msg::COMPLAINT_ACKNOWLEDGED_BEFORE_RECEIVED,
        );
        let support_offered_on = dated(
            "support_offered_on",
            label::DATE_INDEPENDENT_SUPPORT_WAS_OFFERED,
            &self.support_offered_on,
            msg::COMPLAINT_SUPPORT_BEFORE_RECEIVED,
        );
        let response_sent_on = dated(
            "response_sent_on",
            label::DATE_THE_RESPONSE_WAS_SENT,
            &self.response_sent_on,
            msg::COMPLAINT_RESPONSE_BEFORE_RECEIVED,
        );
        let support_note = invalid
            .check(optional_text(
                "support_note",
                label::WHO_OFFERED_SUPPORT,
                &self.support_note,
                MAX_TEXT,
            ))
            .flatten();
        let finding = match self.finding.trim() {
            "" => None,
            code => {
                let finding = Finding::parse(code);
                if finding.is_none() {
                    invalid.push("finding", msg::COMPLAINT_FINDING_MISSING);
                }
                finding
            }
        };
        if response_sent_on.is_some()
            && finding.is_none()
            && !invalid.0.iter().any(|e| e.field == "finding")
        {
            invalid.push("finding", msg::COMPLAINT_FINDING_BEFORE_RESPONSE);
        }
        let lessons = invalid
            .check(optional_text(
                "lessons",
                label::LESSONS_LEARNED,
                &self.lessons,
                MAX_TEXT,
            ))
            .flatten();
        invalid.into_result()?;
        Ok(ComplaintProgress {
            stage: stage.unwrap_or(ComplaintStage::Informal),
            acknowledged_on,
            support_offered_on,
            support_note,
            finding,
            response_sent_on,
            lessons,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Feedback
// ---------------------------------------------------------------------------------------

/// An answer to the feedback questionnaire as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FeedbackAnswers {
    pub duty: String,
    pub filled_in: String,
    pub anonymous: String,
    pub name: String,
    pub listened: String,
    pub understood: String,
    pub speak_up: String,
    pub overall: String,
    pub comment: String,
}

/// An answer to the questionnaire, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    pub duty: Option<FeedbackDuty>,
    pub filled_in: FilledIn,
    pub name: Option<String>,
    /// Listened, understood, helped to speak up, overall: each on [`SCALE`].
    pub scores: [i32; 4],
    pub comment: Option<String>,
}

/// The questions on the pictorial scale, as (field, what a missing answer says).
pub const FEEDBACK_QUESTIONS: [(&str, MessageKey); 4] = [
    ("listened", msg::FEEDBACK_LISTENED_MISSING),
    ("understood", msg::FEEDBACK_UNDERSTOOD_MISSING),
    ("speak_up", msg::FEEDBACK_SPEAK_UP_MISSING),
    ("overall", msg::FEEDBACK_OVERALL_MISSING),
];

impl FeedbackAnswers {
    pub fn parse(&self) -> Result<NewFeedback, Invalid> {
        let mut invalid = Invalid::default();
        let duty = match self.duty.trim() {
            "" | "not_sure" => None,
            code => {
                let duty = FeedbackDuty::parse(code);
                if duty.is_none() {
                    invalid.push("duty", msg::FEEDBACK_DUTY_MISSING);
                }
                duty
            }
        };
        let filled_in = FilledIn::parse(&self.filled_in);
        if filled_in.is_none() {
            invalid.push("filled_in", msg::FEEDBACK_FILLED_IN_MISSING);
        }
        let anonymous = yes_no(
            &mut invalid,
            "anonymous",
            msg::FEEDBACK_ANONYMOUS_MISSING,
            &self.anonymous,
        );
        let name = invalid
            .check(optional_text(
                "name",
                label::YOUR_NAME,
                &self.name,
                MAX_SHORT,
            ))
            .flatten();
        if anonymous == Some(false) && name.is_none() {
            invalid.push("name", msg::FEEDBACK_NAME_MISSING);
        }
        let values = [
            &self.listened,
            &self.understood,
            &self.speak_up,
            &self.overall,
        ];
        let mut scores = [0; 4];
        for (((field, message), value), score) in
            FEEDBACK_QUESTIONS.iter().zip(values).zip(&mut scores)
        {
            match value.trim().parse::<i32>() {
                Ok(n) if SCALE.contains(&n) => *score = n,
                _ => invalid.push(*field, *message),
            }
        }
        let comment = invalid
            .check(optional_text(
                "comment",
                label::WHAT_ELSE_YOU_WANT_TO_SAY,
                &self.comment,
                MAX_TEXT,
            ))
            .flatten();
        invalid.into_result()?;
        Ok(NewFeedback {
            duty,
            filled_in: filled_in.unwrap_or(FilledIn::Alone),
            // An anonymous answer keeps no name, whatever was typed.
            name: name.filter(|_| anonymous == Some(false)),
            scores,
            comment,
        })
    }
}

/// One stored answer, as the summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackFacts {
    pub submitted_on: NaiveDate,
    pub duty: Option<FeedbackDuty>,
    pub with_help: bool,
    pub scores: [i32; 4],
}

/// The quarter a date falls in, as "2026 Q4": the period feedback is reported by.
pub fn quarter_of(date: NaiveDate) -> String {
    format!("{} Q{}", date.year(), (date.month() - 1) / 3 + 1)
}

/// The answers of one period and one kind of advocacy, summed up.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackSummary {
    pub period: String,
    pub duty: Option<FeedbackDuty>,
    pub responses: usize,
    pub with_help: usize,
    /// The average of each question, on [`SCALE`], to one decimal place.
    pub averages: [f64; 4],
}

/// Groups answers per quarter and per kind of advocacy, newest quarter first.
pub fn summarise_feedback(answers: &[FeedbackFacts]) -> Vec<FeedbackSummary> {
    let mut groups: BTreeMap<(String, Option<&str>), Vec<&FeedbackFacts>> = BTreeMap::new();
    for answer in answers {
        groups
            .entry((
                quarter_of(answer.submitted_on),
                answer.duty.map(FeedbackDuty::as_str),
            ))
            .or_default()
            .push(answer);
    }
    let mut summaries: Vec<FeedbackSummary> = groups
        .into_iter()
        .map(|((period, duty), group)| {
            let n = group.len();
            let mut averages = [0.0; 4];
            for (i, average) in averages.iter_mut().enumerate() {
                let total: i32 = group.iter().map(|a| a.scores[i]).sum();
                *average = (f64::from(total) / n as f64 * 10.0).round() / 10.0;
            }
            FeedbackSummary {
                period,
                duty: duty.and_then(FeedbackDuty::parse),
                responses: n,
                with_help: group.iter().filter(|a| a.with_help).count(),
                averages,
            }
        })
        .collect();
    summaries.sort_by(|a, b| b.period.cmp(&a.period));
    summaries
}

// ---------------------------------------------------------------------------------------
// Concerns about other services, and signals
// ---------------------------------------------------------------------------------------

/// A concern about another service, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ServiceConcernAnswers {
    pub place: String,
    pub place_kind: String,
    pub theme: String,
    pub severity: String,
    pub noted_on: String,
    pub detail: String,
}

/// A concern about another service, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServiceConcern {
    pub place: String,
    pub place_kind: PlaceKind,
    pub theme: ConcernTheme,
    pub severity: Severity,
    pub noted_on: NaiveDate,
    pub detail: String,
}

impl ServiceConcernAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<NewServiceConcern, Invalid> {
        let mut invalid = Invalid::default();
        let place = invalid.check(required_text(
            "place",
            label::NAME_OF_THE_WARD_CARE_HOME_OR_TEAM,
            &self.place,
            MAX_SHORT,
        ));
        let place_kind = PlaceKind::parse(&self.place_kind);
        if place_kind.is_none() {
            invalid.push("place_kind", msg::SIGNAL_KIND_INVALID);
        }
        let theme = ConcernTheme::parse(&self.theme);
        if theme.is_none() {
            invalid.push("theme", msg::SERVICE_CONCERN_THEME_MISSING);
        }
        let severity = Severity::parse(&self.severity);
        if severity.is_none() {
            invalid.push("severity", msg::SERVICE_CONCERN_SEVERITY_MISSING);
        }
        let noted_on = invalid.check(required_date(
            "noted_on",
            label::DATE_YOU_SAW_OR_HEARD_IT,
            &self.noted_on,
        ));
        not_in_future(&mut invalid, "noted_on", msg::DATE_FUTURE, noted_on, today);
        let detail = invalid.check(required_text(
            "detail",
            label::WHAT_YOU_SAW_OR_HEARD,
            &self.detail,
            MAX_TEXT,
        ));
        invalid.into_result()?;
        Ok(NewServiceConcern {
            place: place.unwrap_or_default(),
            place_kind: place_kind.unwrap_or(PlaceKind::Other),
            theme: theme.unwrap_or(ConcernTheme::Other),
            severity: severity.unwrap_or(Severity::Low),
            noted_on: noted_on.unwrap_or(today),
            detail: detail.unwrap_or_default(),
        })
    }
}

/// The key places are grouped by: lower case, spaces collapsed, so that "Oak Ward" and
/// "oak  ward" are one place.
pub fn place_key(place: &str) -> String {
    place
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A concern about another service, as recurrence detection needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConcernFacts {
    pub id: i64,
    pub case_id: i64,
    pub place: String,
    pub place_kind: PlaceKind,
    pub theme: ConcernTheme,
    pub severity: Severity,
    pub noted_on: NaiveDate,
    /// Concerns already turned into a signal are not surfaced again.
    pub signalled: bool,
}

/// What recurrent concerns have in common: one place, or one theme across places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Common {
    Place { place: String, kind: PlaceKind },
    Theme(ConcernTheme),
}

/// Concerns a manager should act on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Surfaced {
    pub basis: SignalBasis,
    pub common: Common,
    /// The themes (for a place) or places (for a theme) involved, most frequent first.
    pub themes: Vec<ConcernTheme>,
    pub places: Vec<String>,
    pub concern_ids: Vec<i64>,
    pub case_count: usize,
}

/// Surfaces the concerns noted from `since` to `until` that are not yet signalled:
/// every serious one on its own, and every place or theme with concerns from at least
/// `threshold` different cases (several concerns on one case are one person's story,
/// not a pattern).
pub fn surface_concerns(
    concerns: &[ServiceConcernFacts],
    since: NaiveDate,
    until: NaiveDate,
    threshold: usize,
) -> Vec<Surfaced> {
    let open: Vec<&ServiceConcernFacts> = concerns
        .iter()
        .filter(|c| !c.signalled && c.noted_on >= since && c.noted_on <= until)
        .collect();
    let mut surfaced = Vec::new();
    let mut by_place: BTreeMap<String, Vec<&ServiceConcernFacts>> = BTreeMap::new();
    let mut by_theme: BTreeMap<&str, Vec<&ServiceConcernFacts>> = BTreeMap::new();
    for concern in &open {
        by_place
            .entry(place_key(&concern.place))
            .or_default()
            .push(concern);
        by_theme
            .entry(concern.theme.as_str())
            .or_default()
            .push(concern);
    }
    let group = |common: Common, members: &[&ServiceConcernFacts]| -> Option<Surfaced> {
        let cases: BTreeSet<i64> = members.iter().map(|c| c.case_id).collect();
        (cases.len() >= threshold).then(|| Surfaced {
            basis: SignalBasis::Recurrent,
            common,
            themes: most_frequent(members.iter().map(|c| c.theme)),
            places: places_of(members),
            concern_ids: members.iter().map(|c| c.id).collect(),
            case_count: cases.len(),
        })
    };
    for members in by_place.values() {
        let first = members[0];
        surfaced.extend(group(
            Common::Place {
                place: first.place.clone(),
                kind: first.place_kind,
            },
            members,
        ));
    }
    for members in by_theme.values() {
        surfaced.extend(group(Common::Theme(members[0].theme), members));
    }
    for concern in open.iter().filter(|c| c.severity == Severity::Serious) {
        surfaced.push(Surfaced {
            basis: SignalBasis::Serious,
            common: Common::Place {
                place: concern.place.clone(),
                kind: concern.place_kind,
            },
            themes: vec![concern.theme],
            places: vec![concern.place.clone()],
            concern_ids: vec![concern.id],
            case_count: 1,
        });
    }
    surfaced
}

/// The places of some concerns, most frequent first, each as it was first spelled.
fn places_of(members: &[&ServiceConcernFacts]) -> Vec<String> {
    most_frequent(members.iter().map(|c| place_key(&c.place)))
        .into_iter()
        .filter_map(|key| {
            members
                .iter()
                .find(|c| place_key(&c.place) == key)
                .map(|c| c.place.clone())
        })
        .collect()
}

/// The distinct values, most frequent first (ties in first-seen order).
fn most_frequent<T: PartialEq + Clone>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut counted: Vec<(T, usize)> = Vec::new();
    for value in values {
        match counted.iter_mut().find(|(v, _)| *v == value) {
            Some((_, n)) => *n += 1,
            None => counted.push((value, 1)),
        }
    }
    counted.sort_by_key(|c| std::cmp::Reverse(c.1));
    counted.into_iter().map(|(v, _)| v).collect()
}

/// A signal to the provider and commissioner, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignalAnswers {
    pub sent_on: String,
}

impl SignalAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<NaiveDate, Invalid> {
        let mut invalid = Invalid::default();
        let sent_on = invalid.check(required_date(
            "sent_on",
            label::DATE_THE_SIGNAL_WAS_SENT,
            &self.sent_on,
        ));
        not_in_future(
            &mut invalid,
            "sent_on",
            msg::SIGNAL_SENT_ON_FUTURE,
            sent_on,
            today,
        );
        invalid.into_result()?;
        Ok(sent_on.unwrap_or(today))
    }
}

/// A date recorded against a signal (a response received, a report to the regulator):
/// required, not in the future and not before the signal was sent.
pub fn signal_date(
    field: &str,
    label: MessageKey,
    value: &str,
    today: NaiveDate,
    sent_on: NaiveDate,
) -> Result<NaiveDate, Invalid> {
    let date = required_date(field, label, value)?;
    if date > today {
        return Err(FieldError::new(field, msg::DATE_FUTURE).into());
    }
    if date < sent_on {
        return Err(FieldError::new(field, msg::SIGNAL_DATE_BEFORE_SENT).into());
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clocks::Nation;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        day(2026, 11, 22)
    }

    fn calendar() -> WorkingDayCalendar {
        WorkingDayCalendar::shipped(Nation::EnglandAndWales)
    }

    #[test]
    fn a_concern_names_every_wrong_field_and_asks_a_name_only_without_a_case() {
        let invalid = ConcernAnswers {
            raised_on: "23/11/2026".into(),
            category: "rudeness".into(),
            immediate_risk: "maybe".into(),
            ..Default::default()
        }
        .parse(today(), false)
        .unwrap_err();
        for field in [
            "adult_name",
            "raised_on",
            "category",
            "what_happened",
            "person_wants",
            "immediate_risk",
        ] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        let answers = ConcernAnswers {
            adult_name: "Not asked".into(),
            raised_on: "20/11/2026".into(),
            category: "financial".into(),
            what_happened: "Son takes her pension".into(),
            person_wants: "To keep her own bank card".into(),
            immediate_risk: "no".into(),
        };
        let from_case = answers.parse(today(), true).unwrap();
        assert_eq!(from_case.adult_name, None);
        assert_eq!(from_case.category, AbuseCategory::Financial);
        let alone = answers.parse(today(), false).unwrap();
        assert_eq!(alone.adult_name.as_deref(), Some("Not asked"));
    }

    #[test]
    fn reports_are_dated_between_the_concern_and_today_and_a_reference_needs_its_date() {
        let raised = day(2026, 11, 10);
        let invalid = ConcernActionsAnswers {
            local_authority_on: String::new(),
            local_authority_reference: "SG-123".into(),
            police_on: "9/11/2026".into(),
            regulator_on: "23/11/2026".into(),
        }
        .parse(today(), raised)
        .unwrap_err();
        for field in ["local_authority_on", "police_on", "regulator_on"] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        let ok = ConcernActionsAnswers {
            local_authority_on: "11/11/2026".into(),
            local_authority_reference: " SG-123 ".into(),
            ..Default::default()
        }
        .parse(today(), raised)
        .unwrap();
        assert_eq!(ok.local_authority_reference.as_deref(), Some("SG-123"));
        assert_eq!(ok.police_on, None);
    }

    #[test]
    fn a_concern_is_never_closed_without_an_outcome_or_before_it_was_raised() {
        let raised = day(2026, 11, 10);
        let invalid = CloseConcernAnswers {
            closed_on: "9/11/2026".into(),
            outcome: "  ".into(),
        }
        .parse(today(), raised)
        .unwrap_err();
        assert!(invalid.message_for("closed_on").is_some());
        assert!(invalid.message_for("outcome").is_some());
        let (on, outcome) = CloseConcernAnswers {
            closed_on: "20/11/2026".into(),
            outcome: "Council enquiry found no abuse".into(),
        }
        .parse(today(), raised)
        .unwrap();
        assert_eq!(on, day(2026, 11, 20));
        assert_eq!(outcome, "Council enquiry found no abuse");
    }

    #[test]
    fn an_open_concern_is_stale_after_the_set_number_of_working_days() {
        // Friday 18 December 2026; Christmas Day and Boxing Day (moved to Monday 28th)
        // are not working days.
        let touched = day(2026, 12, 18);
        assert!(!concern_is_stale(
            &calendar(),
            touched,
            day(2026, 12, 18),
            2
        ));
        assert!(!concern_is_stale(
            &calendar(),
            touched,
            day(2026, 12, 21),
            2
        ));
        assert!(concern_is_stale(&calendar(), touched, day(2026, 12, 22), 2));
        // Over Christmas: 23 and 24 are working days, 25 and 28 are not.
        let before_christmas = day(2026, 12, 24);
        assert!(!concern_is_stale(
            &calendar(),
            before_christmas,
            day(2026, 12, 28),
            1
        ));
        assert!(concern_is_stale(
            &calendar(),
            before_christmas,
            day(2026, 12, 29),
            1
        ));
    }

    #[test]
    fn complaint_clocks_count_working_days_from_the_day_received() {
        // Tuesday 22 December 2026: Christmas and the Boxing Day holiday fall inside.
        let (acknowledge, respond) = complaint_deadlines(&calendar(), day(2026, 12, 22), 3, 20);
        assert_eq!(acknowledge, day(2026, 12, 29));
        // 29, 30, 31 December, New Year's Day off, then 17 more: Friday 22 January.
        assert_eq!(respond, day(2027, 1, 22));
        assert_eq!(
            clock_state(&calendar(), acknowledge, None, day(2026, 12, 24)),
            ClockState::Running {
                working_days_left: 1
            }
        );
        assert_eq!(
            clock_state(&calendar(), acknowledge, None, day(2026, 12, 30)),
            ClockState::Overdue
        );
        assert_eq!(
            clock_state(
                &calendar(),
                acknowledge,
                Some(day(2026, 12, 30)),
                day(2027, 1, 5)
            ),
            ClockState::Done {
                on: day(2026, 12, 30),
                late: true
            }
        );
    }

    #[test]
    fn a_complaint_needs_a_way_to_reply_but_a_compliment_does_not() {
        let invalid = ComplaintAnswers {
            kind: "complaint".into(),
            received_on: "23/11/2026".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap_err();
        for field in [
            "complainant_name",
            "how_to_reply",
            "what_happened",
            "received_on",
        ] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        assert!(
            ComplaintAnswers::default()
                .parse(today())
                .unwrap_err()
                .message_for("kind")
                .is_some()
        );
        let thanks = ComplaintAnswers {
            kind: "compliment".into(),
            complainant_name: "Sam".into(),
            what_happened: "Thank you".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap();
        assert_eq!(thanks.received_on, today());
        assert_eq!(thanks.how_to_reply, None);
    }

    #[test]
    fn a_response_before_the_complaint_or_without_a_finding_is_refused() {
        let received = day(2026, 11, 10);
        let invalid = ComplaintProgressAnswers {
            stage: "formal".into(),
            response_sent_on: "9/11/2026".into(),
            acknowledged_on: "23/11/2026".into(),
            ..Default::default()
        }
        .parse(today(), received)
        .unwrap_err();
        assert_eq!(
            invalid
                .message_for("response_sent_on")
                .map(crate::validation::english)
                .as_deref(),
            Some("The response cannot be sent before the complaint was received")
        );
        assert!(invalid.message_for("acknowledged_on").is_some());
        assert!(invalid.message_for("finding").is_some());
        assert!(
            ComplaintProgressAnswers::default()
                .parse(today(), received)
                .unwrap_err()
                .message_for("stage")
                .is_some()
        );
        let done = ComplaintProgressAnswers {
            stage: "formal".into(),
            acknowledged_on: "11/11/2026".into(),
            support_offered_on: "11/11/2026".into(),
            finding: "partly_upheld".into(),
            response_sent_on: "20/11/2026".into(),
            lessons: "Return calls within a day".into(),
            ..Default::default()
        }
        .parse(today(), received)
        .unwrap();
        assert_eq!(done.finding, Some(Finding::PartlyUpheld));
        assert_eq!(done.lessons.as_deref(), Some("Return calls within a day"));
    }

    #[test]
    fn feedback_needs_a_face_for_every_question_and_keeps_no_name_when_anonymous() {
        let invalid = FeedbackAnswers {
            duty: "astrology".into(),
            anonymous: "no".into(),
            listened: "6".into(),
            understood: "0".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for field in [
            "duty",
            "filled_in",
            "name",
            "listened",
            "understood",
            "speak_up",
            "overall",
        ] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        let answer = FeedbackAnswers {
            duty: "not_sure".into(),
            filled_in: "with_help".into(),
            anonymous: "yes".into(),
            name: "Typed anyway".into(),
            listened: "5".into(),
            understood: "4".into(),
            speak_up: "3".into(),
            overall: "5".into(),
            comment: String::new(),
        }
        .parse()
        .unwrap();
        assert_eq!(answer.name, None);
        assert_eq!(answer.duty, None);
        assert_eq!(answer.scores, [5, 4, 3, 5]);
    }

    #[test]
    fn feedback_is_summed_up_per_quarter_and_per_kind_of_advocacy() {
        let facts = |on: NaiveDate, duty, with_help, overall| FeedbackFacts {
            submitted_on: on,
            duty,
            with_help,
            scores: [5, 5, 5, overall],
        };
        let summary = summarise_feedback(&[
            facts(day(2026, 10, 1), Some(FeedbackDuty::Imha), true, 4),
            facts(day(2026, 12, 31), Some(FeedbackDuty::Imha), false, 5),
            facts(day(2026, 11, 2), Some(FeedbackDuty::CareAct), false, 2),
            facts(day(2026, 9, 30), Some(FeedbackDuty::Imha), false, 1),
        ]);
        assert_eq!(summary.len(), 3);
        assert_eq!(summary[0].period, "2026 Q4");
        let imha = summary
            .iter()
            .find(|s| s.period == "2026 Q4" && s.duty == Some(FeedbackDuty::Imha))
            .unwrap();
        assert_eq!(imha.responses, 2);
        assert_eq!(imha.with_help, 1);
        assert_eq!(imha.averages[3], 4.5);
        assert_eq!(summary[2].period, "2026 Q3");
    }

    fn concern(
        id: i64,
        case_id: i64,
        place: &str,
        theme: ConcernTheme,
        on: NaiveDate,
    ) -> ServiceConcernFacts {
        ServiceConcernFacts {
            id,
            case_id,
            place: place.into(),
            place_kind: PlaceKind::CareHome,
            theme,
            severity: Severity::Moderate,
            noted_on: on,
            signalled: false,
        }
    }

    #[test]
    fn three_cases_about_one_place_in_the_period_are_surfaced_as_recurrent() {
        let since = day(2026, 9, 1);
        let concerns = vec![
            concern(1, 10, "Elm House", ConcernTheme::Dignity, day(2026, 10, 1)),
            concern(
                2,
                11,
                "elm  house",
                ConcernTheme::Medication,
                day(2026, 10, 5),
            ),
            // The same case twice is one case.
            concern(
                3,
                11,
                "Elm House",
                ConcernTheme::Medication,
                day(2026, 10, 6),
            ),
            concern(4, 12, "Elm House", ConcernTheme::Dignity, day(2026, 11, 1)),
            // Before the period: not counted.
            concern(5, 13, "Oak Ward", ConcernTheme::Restraint, day(2026, 8, 1)),
            concern(6, 14, "Oak Ward", ConcernTheme::Restraint, day(2026, 10, 1)),
            concern(7, 15, "Oak Ward", ConcernTheme::Restraint, day(2026, 10, 2)),
        ];
        let surfaced = surface_concerns(&concerns, since, today(), 3);
        assert_eq!(surfaced.len(), 1, "{surfaced:?}");
        let elm = &surfaced[0];
        assert_eq!(elm.basis, SignalBasis::Recurrent);
        assert_eq!(elm.case_count, 3);
        assert_eq!(elm.concern_ids, vec![1, 2, 3, 4]);
        assert_eq!(
            elm.themes[0],
            ConcernTheme::Dignity,
            "a tie goes to the first seen"
        );
        assert_eq!(elm.places, vec!["Elm House".to_string()]);
        assert!(matches!(&elm.common, Common::Place { place, .. } if place == "Elm House"));
        // With the older one inside the period, Oak Ward is recurrent too.
        let longer = surface_concerns(&concerns, day(2026, 7, 1), today(), 3);
        assert!(
            longer
                .iter()
                .any(|s| matches!(&s.common, Common::Place { place, .. } if place == "Oak Ward"))
        );
        assert!(
            longer
                .iter()
                .any(|s| s.common == Common::Theme(ConcernTheme::Restraint))
        );
    }

    #[test]
    fn one_theme_across_places_is_recurrent_and_a_serious_concern_surfaces_alone() {
        let mut concerns = vec![
            concern(
                1,
                10,
                "Elm House",
                ConcernTheme::Restraint,
                day(2026, 10, 1),
            ),
            concern(2, 11, "Oak Ward", ConcernTheme::Restraint, day(2026, 10, 2)),
            concern(3, 12, "Ash Team", ConcernTheme::Restraint, day(2026, 10, 3)),
        ];
        let mut serious = concern(
            4,
            13,
            "Beech Ward",
            ConcernTheme::Medication,
            day(2026, 10, 4),
        );
        serious.severity = Severity::Serious;
        concerns.push(serious);
        let surfaced = surface_concerns(&concerns, day(2026, 9, 1), today(), 3);
        assert_eq!(surfaced.len(), 2, "{surfaced:?}");
        assert_eq!(surfaced[0].common, Common::Theme(ConcernTheme::Restraint));
        assert_eq!(surfaced[0].places.len(), 3);
        assert_eq!(surfaced[1].basis, SignalBasis::Serious);
        assert_eq!(surfaced[1].concern_ids, vec![4]);
        // Once signalled, nothing is surfaced again.
        for c in &mut concerns {
            c.signalled = true;
        }
        assert!(surface_concerns(&concerns, day(2026, 9, 1), today(), 3).is_empty());
    }

    #[test]
    fn places_are_grouped_whatever_their_case_and_spacing() {
        assert_eq!(place_key("  Elm   House "), "elm house");
    }

    #[test]
    fn signal_dates_are_not_before_the_signal_or_in_the_future() {
        let sent = day(2026, 11, 1);
        assert!(
            signal_date(
                "received_on",
                advocase_i18n::label::DATE,
                "31/10/2026",
                today(),
                sent
            )
            .is_err()
        );
        assert!(
            signal_date(
                "received_on",
                advocase_i18n::label::DATE,
                "23/11/2026",
                today(),
                sent
            )
            .is_err()
        );
        assert!(signal_date("received_on", advocase_i18n::label::DATE, "", today(), sent).is_err());
        assert_eq!(
            signal_date(
                "received_on",
                advocase_i18n::label::DATE,
                "2/11/2026",
                today(),
                sent
            )
            .unwrap(),
            day(2026, 11, 2)
        );
        assert!(
            SignalAnswers {
                sent_on: "23/11/2026".into()
            }
            .parse(today())
            .is_err()
        );
    }
}
