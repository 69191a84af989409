//! Confidentiality and the records lifecycle: why someone outside the usual need-to-know
//! rule opened a record, what a person agreed may be shared and whether a share is
//! allowed, breaches of confidentiality, requests for one's own records, and when a
//! record's retention period has ended.
//!
//! Pure, like the rest of the domain: storage supplies the facts and the date, the web
//! layer the words.

use crate::referral::{MAX_SHORT, MAX_TEXT, parse_date};
use crate::validation::{FieldError, Invalid, required_text};
use advocase_i18n::{MessageKey, label, msg};
use chrono::{Datelike, NaiveDate};

/// The longest a break-glass access may last, in hours, whatever the configuration says.
pub const MAX_BREAK_GLASS_HOURS: u32 = 24;

codes! {
    /// Why a manager opens a case that is not allocated to them.
    ViewReason {
        Supervision => "supervision",
        Allocation => "allocation",
        Safeguarding => "safeguarding",
        Complaint => "complaint",
        QualityCheck => "quality_check",
        Other => "other",
    }
}

codes! {
    /// What a consent lets the service share.
    ConsentScope {
        CaseSummary => "case_summary",
        ContactNotes => "contact_notes",
        Reports => "reports",
        AllRecords => "all_records",
    }
}

codes! {
    /// The lawful basis for sharing (UK GDPR Article 6): the person's consent, or a basis
    /// that does not need it.
    LawfulBasis {
        Consent => "consent",
        VitalInterests => "vital_interests",
        LegalObligation => "legal_obligation",
        PublicTask => "public_task",
    }
}

codes! {
    /// How the person gave their consent.
    ConsentGiven {
        Written => "written",
        Verbal => "verbal",
        EasyReadForm => "easy_read_form",
        Representative => "representative",
    }
}

codes! {
    /// Why confidentiality was broken (DOMAIN.md §5).
    BreachGround {
        RiskToPerson => "risk_to_person",
        RiskToOthers => "risk_to_others",
        Safeguarding => "safeguarding",
        Crime => "crime",
        CourtOrder => "court_order",
        Other => "other",
    }
}

codes! {
    /// Who asked for a copy of the records.
    Requester {
        Person => "person",
        Representative => "representative",
    }
}

/// The answer to "why are you opening this case?", as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ViewReasonAnswers {
    pub reason: String,
    pub detail: String,
}

impl ViewReasonAnswers {
    pub fn parse(&self) -> Result<(ViewReason, Option<String>), Invalid> {
        let mut invalid = Invalid::default();
        let reason = ViewReason::parse(&self.reason);
        if reason.is_none() {
            invalid.push("reason", msg::VIEW_REASON_MISSING);
        }
        let detail = invalid
            .check(optional(
                "detail",
                label::MORE_ABOUT_WHY,
                &self.detail,
                MAX_SHORT,
            ))
            .flatten();
        if reason == Some(ViewReason::Other) && detail.is_none() {
            invalid.push("detail", msg::VIEW_REASON_DETAIL_MISSING);
        }
        invalid.into_result()?;
        Ok((reason.unwrap_or(ViewReason::Other), detail))
    }
}

/// A request for emergency access to a case, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BreakGlassAnswers {
    pub case_number: String,
    pub reason: String,
}

impl BreakGlassAnswers {
    /// The case number and the reason.
    pub fn parse(&self) -> Result<(i64, String), Invalid> {
        let mut invalid = Invalid::default();
        let number = self.case_number.trim().trim_start_matches(['C', 'c', '-']);
        let case_number = match number.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                invalid.push("case_number", msg::BREAK_GLASS_CASE_NUMBER_INVALID);
                None
            }
        };
        let reason = invalid.check(required_text(
            "reason",
            label::WHY_YOU_NEED_THIS_CASE_NOW,
            &self.reason,
            MAX_TEXT,
        ));
        invalid.into_result()?;
        Ok((case_number.unwrap_or_default(), reason.unwrap_or_default()))
    }
}

/// A consent (or other lawful basis) to share, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConsentAnswers {
    pub scope: String,
    pub recipient: String,
    pub basis: String,
    pub given_how: String,
    pub given_on: String,
    pub valid_until: String,
    pub note: String,
}

/// A consent, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub scope: ConsentScope,
    pub recipient: String,
    pub basis: LawfulBasis,
    pub given_how: Option<ConsentGiven>,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub note: Option<String>,
}

impl ConsentAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<NewConsent, Invalid> {
        let mut invalid = Invalid::default();
        let scope = ConsentScope::parse(&self.scope);
        if scope.is_none() {
            invalid.push("scope", msg::CONSENT_SCOPE_MISSING);
        }
        let recipient = invalid.check(required_text(
            "recipient",
            label::WHO_IT_MAY_BE_SHARED_WITH,
            &self.recipient,
            MAX_SHORT,
        ));
        let basis = LawfulBasis::parse(&self.basis);
        if basis.is_none() {
            invalid.push("basis", msg::CONSENT_BASIS_MISSING);
        }
        let given_how = ConsentGiven::parse(&self.given_how);
        if basis == Some(LawfulBasis::Consent) && given_how.is_none() {
            invalid.push("given_how", msg::CONSENT_GIVEN_HOW_MISSING);
        }
        let given_on = invalid.check(required(
            "given_on",
            label::DATE_CONSENT_WAS_GIVEN_OR_THE_BASIS_RECORDED,
            &self.given_on,
        ));
        if let Some(date) = given_on
            && date > today
        {
            invalid.push("given_on", msg::CONSENT_GIVEN_ON_FUTURE);
        }
        let valid_until = invalid
            .check(parse_date(
                "valid_until",
                label::END_DATE,
                &self.valid_until,
            ))
            .flatten();
        if let (Some(from), Some(until)) = (given_on, valid_until)
            && until < from
        {
            invalid.push("valid_until", msg::CONSENT_VALID_UNTIL_BEFORE_GIVEN);
        }
        let note = invalid
            .check(optional("note", label::NOTE, &self.note, MAX_TEXT))
            .flatten();
        invalid.into_result()?;
        Ok(NewConsent {
            scope: scope.unwrap_or(ConsentScope::CaseSummary),
            recipient: recipient.unwrap_or_default(),
            basis: basis.unwrap_or(LawfulBasis::Consent),
            given_how: given_how.filter(|_| basis == Some(LawfulBasis::Consent)),
            given_on: given_on.unwrap_or(today),
            valid_until,
            note,
        })
    }
}

/// A stored consent, as the sharing check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentFacts {
    pub scope: ConsentScope,
    pub recipient: String,
    pub basis: LawfulBasis,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

/// Why a share is refused, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharingRefusal {
    /// Nothing was ever recorded for this recipient.
    NothingRecorded,
    /// Something was recorded for this recipient, but for other information.
    OtherInformationOnly,
    /// The consent for this was withdrawn on that date.
    Withdrawn(NaiveDate),
    /// The consent for this ended on that date.
    Expired(NaiveDate),
    /// The consent starts later than today.
    NotYetGiven(NaiveDate),
}

/// Whether `scope` may be shared with `recipient` on `today`, and on what basis.
///
/// A consent for all records covers every kind of information; recipients are compared
/// without regard to case or surrounding spaces. When more than one recorded basis would
/// allow it, the first in the list is given; when none does, the refusal says why, so
/// the advocate can tell the person what is missing.
pub fn check_sharing(
    consents: &[ConsentFacts],
    scope: ConsentScope,
    recipient: &str,
    today: NaiveDate,
) -> Result<LawfulBasis, SharingRefusal> {
    let for_recipient: Vec<&ConsentFacts> = consents
        .iter()
        .filter(|c| same_recipient(&c.recipient, recipient))
        .collect();
    if for_recipient.is_empty() {
        return Err(SharingRefusal::NothingRecorded);
    }
    let covering: Vec<&&ConsentFacts> = for_recipient
        .iter()
        .filter(|c| c.scope == scope || c.scope == ConsentScope::AllRecords)
        .collect();
    if covering.is_empty() {
        return Err(SharingRefusal::OtherInformationOnly);
    }
    if let Some(valid) = covering.iter().find(|c| {
        c.withdrawn_on.is_none_or(|w| w > today)
            && c.valid_until.is_none_or(|until| until >= today)
            && c.given_on <= today
    }) {
        return Ok(valid.basis);
    }
    // Nothing valid: say the most recent reason.
    let refusal = covering
        .iter()
        .map(|c| match (c.withdrawn_on, c.valid_until) {
            (Some(withdrawn), _) if withdrawn <= today => SharingRefusal::Withdrawn(withdrawn),
            (_, Some(until)) if until < today => SharingRefusal::Expired(until),
            _ => SharingRefusal::NotYetGiven(c.given_on),
        })
        .max_by_key(|r| match r {
            SharingRefusal::Withdrawn(d) | SharingRefusal::Expired(d) => *d,
            SharingRefusal::NotYetGiven(d) => *d,
            _ => NaiveDate::MIN,
        });
    Err(refusal.unwrap_or(SharingRefusal::NothingRecorded))
}

fn same_recipient(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// A breach of confidentiality, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BreachAnswers {
    pub decided_on: String,
    pub ground: String,
    pub why: String,
    pub decided_by: String,
    pub who_was_told: String,
    pub person_told: String,
    pub not_told_why: String,
}

/// A breach of confidentiality, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBreach {
    pub decided_on: NaiveDate,
    pub ground: BreachGround,
    pub why: String,
    pub decided_by: String,
    pub who_was_told: String,
    pub person_told: bool,
    pub not_told_why: Option<String>,
}

impl BreachAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<NewBreach, Invalid> {
        let mut invalid = Invalid::default();
        let decided_on = invalid.check(required(
            "decided_on",
            label::DATE_THE_DECISION_WAS_MADE,
            &self.decided_on,
        ));
        if let Some(date) = decided_on
            && date > today
        {
            invalid.push("decided_on", msg::BREACH_DECIDED_ON_FUTURE);
        }
        let ground = BreachGround::parse(&self.ground);
        if ground.is_none() {
            invalid.push("ground", msg::BREACH_GROUND_MISSING);
        }
        let why = invalid.check(required_text(
            "why",
            label::WHY_THE_INFORMATION_WAS_SHARED,
            &self.why,
            MAX_TEXT,
        ));
        let decided_by = invalid.check(required_text(
            "decided_by",
            label::WHO_MADE_THE_DECISION,
            &self.decided_by,
            MAX_SHORT,
        ));
        let who_was_told = invalid.check(required_text(
            "who_was_told",
            label::WHO_WAS_TOLD,
            &self.who_was_told,
            MAX_TEXT,
        ));
        let person_told = match self.person_told.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                invalid.push("person_told", msg::BREACH_PERSON_TOLD_MISSING);
                None
            }
        };
        let not_told_why = invalid
            .check(optional(
                "not_told_why",
                label::WHY_THE_PERSON_WAS_NOT_TOLD,
                &self.not_told_why,
                MAX_TEXT,
            ))
            .flatten();
        if person_told == Some(false) && not_told_why.is_none() {
            invalid.push("not_told_why", msg::BREACH_NOT_TOLD_WHY_MISSING);
        }
        invalid.into_result()?;
        Ok(NewBreach {
            decided_on: decided_on.unwrap_or(today),
            ground: ground.unwrap_or(BreachGround::Other),
            why: why.unwrap_or_default(),
            decided_by: decided_by.unwrap_or_default(),
            who_was_told: who_was_told.unwrap_or_default(),
            person_told: person_told.unwrap_or_default(),
            not_told_why: not_told_why.filter(|_| person_told == Some(false)),
        })
    }
}

/// A request for one's records, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SubjectAccessAnswers {
    pub received_on: String,
    pub requested_by: String,
}

impl SubjectAccessAnswers {
    pub fn parse(&self, today: NaiveDate) -> Result<(NaiveDate, Requester), Invalid> {
        let mut invalid = Invalid::default();
        let received_on = invalid.check(required(
            "received_on",
            label::DATE_THE_REQUEST_WAS_RECEIVED,
            &self.received_on,
        ));
        if let Some(date) = received_on
            && date > today
        {
            invalid.push("received_on", msg::RECEIVED_ON_FUTURE);
        }
        let requested_by = Requester::parse(&self.requested_by);
        if requested_by.is_none() {
            invalid.push("requested_by", msg::SUBJECT_ACCESS_REQUESTED_BY_MISSING);
        }
        invalid.into_result()?;
        Ok((
            received_on.unwrap_or(today),
            requested_by.unwrap_or(Requester::Person),
        ))
    }
}

/// The last day a record is kept: `years` after the last activity on it. A record last
/// touched on 29 February is kept until 28 February of a year that has no 29th.
pub fn retention_ends(last_activity: NaiveDate, years: u32) -> NaiveDate {
    let year = last_activity.year() + years as i32;
    last_activity
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, last_activity.month(), 28))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a record whose last activity was on `last_activity` is past its retention
/// period on `today`: destroyed only once more than `years` have passed.
pub fn is_due_for_destruction(last_activity: NaiveDate, today: NaiveDate, years: u32) -> bool {
    today > retention_ends(last_activity, years)
}

fn required(field: &str, label: MessageKey, value: &str) -> Result<NaiveDate, FieldError> {
    crate::casework::required_date(field, label, value)
}

fn optional(
    field: &str,
    label: MessageKey,
    value: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    crate::casework::optional_text(field, label, value, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    fn consent(scope: ConsentScope, recipient: &str) -> ConsentFacts {
        ConsentFacts {
            scope,
            recipient: recipient.into(),
            basis: LawfulBasis::Consent,
            given_on: day(2026, 1, 1),
            valid_until: None,
            withdrawn_on: None,
        }
    }

    #[test]
    fn retention_keeps_a_record_until_the_period_has_fully_passed() {
        // Seven years and a day ago: destroyed. Seven years less a day: kept. Exactly
        // seven years: the last day it is kept.
        assert!(is_due_for_destruction(day(2019, 11, 21), today(), 7));
        assert!(!is_due_for_destruction(day(2019, 11, 23), today(), 7));
        assert!(!is_due_for_destruction(day(2019, 11, 22), today(), 7));
        assert_eq!(retention_ends(day(2020, 2, 29), 7), day(2027, 2, 28));
        assert_eq!(retention_ends(day(2020, 2, 29), 4), day(2024, 2, 29));
    }

    #[test]
    fn sharing_needs_a_consent_for_that_recipient_and_that_information() {
        let consents = vec![consent(ConsentScope::CaseSummary, "GP")];
        assert_eq!(
            check_sharing(&consents, ConsentScope::CaseSummary, " gp ", today()),
            Ok(LawfulBasis::Consent)
        );
        assert_eq!(
            check_sharing(&consents, ConsentScope::ContactNotes, "GP", today()),
            Err(SharingRefusal::OtherInformationOnly)
        );
        assert_eq!(
            check_sharing(
                &consents,
                ConsentScope::CaseSummary,
                "Social worker",
                today()
            ),
            Err(SharingRefusal::NothingRecorded)
        );
        let all = vec![consent(ConsentScope::AllRecords, "Social worker")];
        assert!(check_sharing(&all, ConsentScope::Reports, "social worker", today()).is_ok());
    }

    #[test]
    fn a_withdrawn_or_ended_consent_refuses_with_its_date() {
        let mut withdrawn = consent(ConsentScope::CaseSummary, "GP");
        withdrawn.withdrawn_on = Some(day(2026, 6, 1));
        assert_eq!(
            check_sharing(
                &[withdrawn.clone()],
                ConsentScope::CaseSummary,
                "GP",
                today()
            ),
            Err(SharingRefusal::Withdrawn(day(2026, 6, 1)))
        );
        let mut ended = consent(ConsentScope::CaseSummary, "GP");
        ended.valid_until = Some(day(2026, 11, 21));
        assert_eq!(
            check_sharing(&[ended.clone()], ConsentScope::CaseSummary, "GP", today()),
            Err(SharingRefusal::Expired(day(2026, 11, 21)))
        );
        // The last day of a consent still allows sharing.
        ended.valid_until = Some(today());
        assert!(check_sharing(&[ended.clone()], ConsentScope::CaseSummary, "GP", today()).is_ok());
        // A later valid consent wins over a withdrawn one.
        let renewed = consent(ConsentScope::CaseSummary, "GP");
        assert!(
            check_sharing(
                &[withdrawn, renewed],
                ConsentScope::CaseSummary,
                "GP",
                today()
            )
            .is_ok()
        );
    }

    #[test]
    fn a_lawful_basis_other_than_consent_allows_sharing_and_is_named() {
        let mut vital = consent(ConsentScope::CaseSummary, "Ambulance service");
        vital.basis = LawfulBasis::VitalInterests;
        assert_eq!(
            check_sharing(
                &[vital],
                ConsentScope::CaseSummary,
                "Ambulance service",
                today()
            ),
            Ok(LawfulBasis::VitalInterests)
        );
    }

    #[test]
    fn a_consent_form_names_every_wrong_field() {
        let answers = ConsentAnswers {
            scope: "everything".into(),
            basis: "consent".into(),
            given_on: "1/1/2027".into(),
            valid_until: "1/1/2020".into(),
            ..Default::default()
        };
        let invalid = answers.parse(today()).unwrap_err();
        for field in ["scope", "recipient", "given_how", "given_on", "valid_until"] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        let good = ConsentAnswers {
            scope: "case_summary".into(),
            recipient: "GP".into(),
            basis: "public_task".into(),
            given_how: "verbal".into(),
            given_on: "1/11/2026".into(),
            ..Default::default()
        }
        .parse(today())
        .unwrap();
        // How consent was given only means something when consent is the basis.
        assert_eq!(good.given_how, None);
        assert_eq!(good.basis, LawfulBasis::PublicTask);
    }

    #[test]
    fn a_breach_needs_its_reasons_and_why_the_person_was_not_told() {
        let answers = BreachAnswers {
            decided_on: "23/11/2026".into(),
            person_told: "no".into(),
            ..Default::default()
        };
        let invalid = answers.parse(today()).unwrap_err();
        for field in [
            "decided_on",
            "ground",
            "why",
            "decided_by",
            "who_was_told",
            "not_told_why",
        ] {
            assert!(invalid.message_for(field).is_some(), "{field}: {invalid}");
        }
        let told = BreachAnswers {
            decided_on: "20/11/2026".into(),
            ground: "risk_to_others".into(),
            why: "Threat to harm a neighbour".into(),
            decided_by: "Service manager".into(),
            who_was_told: "Police".into(),
            person_told: "yes".into(),
            not_told_why: "ignored when told".into(),
        }
        .parse(today())
        .unwrap();
        assert!(told.person_told);
        assert_eq!(told.not_told_why, None);
    }

    #[test]
    fn opening_a_record_for_another_reason_needs_the_reason_written() {
        let other = ViewReasonAnswers {
            reason: "other".into(),
            detail: String::new(),
        };
        assert!(other.parse().unwrap_err().message_for("detail").is_some());
        let supervision = ViewReasonAnswers {
            reason: "supervision".into(),
            detail: String::new(),
        };
        assert_eq!(
            supervision.parse().unwrap(),
            (ViewReason::Supervision, None)
        );
        assert!(
            ViewReasonAnswers::default()
                .parse()
                .unwrap_err()
                .message_for("reason")
                .is_some()
        );
    }

    #[test]
    fn break_glass_needs_a_case_number_and_a_reason() {
        let invalid = BreakGlassAnswers::default().parse().unwrap_err();
        assert!(invalid.message_for("case_number").is_some());
        assert!(invalid.message_for("reason").is_some());
        let ok = BreakGlassAnswers {
            case_number: " C-42 ".into(),
            reason: "Advocate off sick, tribunal tomorrow".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.0, 42);
    }

    #[test]
    fn a_subject_access_request_cannot_be_received_in_the_future() {
        let invalid = SubjectAccessAnswers {
            received_on: "23/11/2026".into(),
            requested_by: "nobody".into(),
        }
        .parse(today())
        .unwrap_err();
        assert!(invalid.message_for("received_on").is_some());
        assert!(invalid.message_for("requested_by").is_some());
    }
}
