//! Referrals: what a referral form says, parsed and checked at the edge, the
//! eligibility questions it asks turned into an eligibility request, and the service
//! prioritisation procedure that orders the waiting list.

use crate::eligibility::{self, EligibilityRequest};
use crate::validation::{FieldError, Invalid};
use advocase_i18n::{Message, MessageKey, label, msg};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest free-text answer accepted, in characters. Long enough for a careful
/// account of what is happening; short enough that a form cannot fill the database.
pub const MAX_TEXT: usize = 5_000;
/// The longest short answer (a name, a phone number), in characters.
pub const MAX_SHORT: usize = 200;

/// The referral form as typed: every field a string, absent fields empty. Field names
/// match the form's `name` attributes, so errors name what the person sees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferralAnswers {
    pub referrer_kind: String,
    pub referrer_name: String,
    pub referrer_organisation: String,
    pub referrer_role: String,
    pub referrer_email: String,
    pub referrer_phone: String,
    pub referrer_relationship: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub postcode: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub local_authority: String,
    pub placed_out_of_area: String,
    pub is_prisoner: String,
    pub language: String,
    pub needs_interpreter: String,
    pub uses_bsl: String,
    pub wants_easy_read: String,
    pub preferred_contact: String,
    pub what_is_happening: String,
    pub meeting_date: String,
    pub deadline_date: String,
    pub safeguarding_concerns: String,
    pub risk_to_visitor: String,
    pub consent: String,
    pub consent_note: String,
    pub mha_status: String,
    pub mha_section: String,
    pub compulsion_date: String,
    pub care_act_process: String,
    /// Whether the person appears to have care and support needs (CA-1): `yes`, `no`
    /// or `not_sure`.
    pub care_needs: String,
    pub difficulty: Vec<String>,
    pub appropriate_individual: String,
    pub mca_lacks_capacity: String,
    pub mca_decision: String,
    pub mca_anyone_to_consult: String,
    pub nhs_complaint: String,
    /// A field no person fills in: forms that arrive with it filled were sent by a
    /// program, and are refused. Hidden from sight and from screen readers, so it never
    /// stands in anyone's way (no puzzle to solve).
    pub website: String,
}

/// Who made the referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferrerKind {
    /// The person referring themselves.
    SelfReferral,
    Professional,
    FamilyOrFriend,
    Other,
}

impl ReferrerKind {
    pub const ALL: [ReferrerKind; 4] = [
        Self::SelfReferral,
        Self::Professional,
        Self::FamilyOrFriend,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfReferral => "self",
            Self::Professional => "professional",
            Self::FamilyOrFriend => "family_or_friend",
            Self::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Whether the person agreed to be referred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Given,
    NotGiven,
    /// The person could not consent (for example, lacks capacity to decide).
    Unable,
}

impl Consent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Given => "given",
            Self::NotGiven => "not_given",
            Self::Unable => "unable",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Given, Self::NotGiven, Self::Unable]
            .into_iter()
            .find(|c| c.as_str() == value)
    }
}

/// How the person prefers to be contacted. In person is always available.
pub const PREFERRED_CONTACT: [&str; 5] = ["in_person", "phone", "video", "letter", "email"];

/// A referral that passed every check, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReferral {
    pub referrer_kind: ReferrerKind,
    pub referrer_name: Option<String>,
    pub referrer_organisation: Option<String>,
    pub referrer_role: Option<String>,
    pub referrer_email: Option<String>,
    pub referrer_phone: Option<String>,
    pub referrer_relationship: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub local_authority: Option<String>,
    pub placed_out_of_area: bool,
    pub is_prisoner: bool,
    pub language: Option<String>,
    pub needs_interpreter: bool,
    pub uses_bsl: bool,
    pub wants_easy_read: bool,
    pub preferred_contact: Option<String>,
    pub what_is_happening: String,
    pub meeting_date: Option<NaiveDate>,
    pub deadline_date: Option<NaiveDate>,
    pub compulsion_date: Option<NaiveDate>,
    pub safeguarding_concerns: Option<String>,
    pub risk_to_visitor: Option<String>,
    pub consent: Consent,
    pub consent_note: Option<String>,
    pub eligibility: EligibilityRequest,
}

impl NewReferral {
    /// The eligibility answers in the contract's JSON, as stored with the referral.
    pub fn eligibility_json(&self) -> String {
        serde_json::to_string(&self.eligibility).unwrap_or_else(|_| "{}".into())
    }

    /// Whether the person is detained under the Mental Health Act, which moves them up
    /// the waiting list.
    pub fn is_detained(&self) -> bool {
        self.eligibility
            .mental_health_act
            .as_ref()
            .and_then(|m| m.status)
            .is_some_and(|s| matches!(s, eligibility::MentalHealthActStatus::Detained))
    }
}

/// Reads a date typed as `2026-03-27`, `27/03/2026`, `27-03-2026` or `27 3 2026`.
pub fn parse_date(
    field: &str,
    label: impl Into<Message>,
    value: &str,
) -> Result<Option<NaiveDate>, FieldError> {
    let text = value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let normalised: String = text
        .split(['/', ' ', '.'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let parsed = NaiveDate::parse_from_str(&normalised, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&normalised, "%d-%m-%Y"));
    match parsed {
        Ok(date) if (1900..=2100).contains(&chrono::Datelike::year(&date)) => Ok(Some(date)),
        _ => Err(FieldError::new(
            field,
            msg::DATE_NOT_REAL.with("label", label.into()),
        )),
    }
}

fn optional(
    field: &str,
    label: MessageKey,
    value: &str,
    max: usize,
    invalid: &mut Invalid,
) -> Option<String> {
    let text = value.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > max {
        invalid
            .0
            .push(crate::validation::too_long(field, label, max));
        return None;
    }
    Some(text.to_string())
}

fn yes(value: &str) -> bool {
    matches!(value.trim(), "yes" | "on" | "true")
}

/// A UK postcode, upper-cased with one space before the last three characters.
pub fn normalise_postcode(value: &str) -> Option<String> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let valid = (5..=7).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && compact
            .chars()
            .rev()
            .take(2)
            .all(|c| c.is_ascii_alphabetic())
        && compact
            .chars()
            .nth(compact.len() - 3)
            .is_some_and(|c| c.is_ascii_digit());
    valid.then(|| {
        format!(
            "{} {}",
            &compact[..compact.len() - 3],
            &compact[compact.len() - 3..]
        )
    })
}

impl ReferralAnswers {
    /// Reads the referral form from an `application/x-www-form-urlencoded` body. The
    /// form repeats `difficulty` once per ticked box, which a plain form decoder cannot
    /// read into a list, so the body is decoded here: every other field keeps its last
    /// value, and fields the form does not have are ignored.
    pub fn from_form_body(body: &[u8]) -> ReferralAnswers {
        use serde_json::{Map, Value};
        let mut fields = Map::new();
        let mut difficulty = Vec::new();
        for (name, value) in form_urlencoded::parse(body) {
            if name == "difficulty" {
                difficulty.push(Value::String(value.into_owned()));
            } else {
                fields.insert(name.into_owned(), Value::String(value.into_owned()));
            }
        }
        fields.insert("difficulty".into(), Value::Array(difficulty));
        // Every field is text (or a list of text) and unknown names are ignored, so this
        // cannot fail; an empty form is still the safe answer if it ever did.
        serde_json::from_value(Value::Object(fields)).unwrap_or_default()
    }

    /// Checks every answer and returns the referral, or every wrong field with a plain
    /// reason. `today` is the date in England when the form arrived.
    pub fn parse(&self, today: NaiveDate) -> Result<NewReferral, Invalid> {
        let mut invalid = Invalid::default();
        let referrer_kind = ReferrerKind::parse(self.referrer_kind.trim());
        if referrer_kind.is_none() {
            invalid.push("referrer_kind", msg::REFERRAL_REFERRER_KIND_MISSING);
        }
        let is_self = referrer_kind == Some(ReferrerKind::SelfReferral);
        let referrer_name = optional(
            "referrer_name",
            label::YOUR_NAME,
            &self.referrer_name,
            MAX_SHORT,
            &mut invalid,
        );
        if !is_self
            && referrer_kind.is_some()
            && referrer_name.is_none()
            && !invalid.0.iter().any(|e| e.field == "referrer_name")
        {
            invalid.push("referrer_name", msg::REFERRAL_REFERRER_NAME_MISSING);
        }
        let referrer_email = optional(
            "referrer_email",
            label::YOUR_EMAIL_ADDRESS,
            &self.referrer_email,
            MAX_SHORT,
            &mut invalid,
        );
        if let Some(email) = &referrer_email
            && let Err(e) = crate::identity::EmailAddress::parse("referrer_email", email)
        {
            invalid.0.push(e);
        }
        let referrer_phone = optional(
            "referrer_phone",
            label::YOUR_PHONE_NUMBER,
            &self.referrer_phone,
            40,
            &mut invalid,
        );
        if !is_self
            && referrer_kind.is_some()
            && referrer_email.is_none()
            && referrer_phone.is_none()
        {
            invalid.push("referrer_email", msg::REFERRAL_REFERRER_CONTACT_MISSING);
        }
        let given_name = invalid.check(crate::validation::required_text(
            "given_name",
            label::PERSONS_FIRST_NAME,
            &self.given_name,
            MAX_SHORT,
        ));
        let family_name = invalid.check(crate::validation::required_text(
            "family_name",
            label::PERSONS_LAST_NAME,
            &self.family_name,
            MAX_SHORT,
        ));
        let date_of_birth = invalid
            .check(parse_date(
                "date_of_birth",
                label::DATE_OF_BIRTH,
                &self.date_of_birth,
            ))
            .flatten();
        if let Some(born) = date_of_birth
            && born > today
        {
            invalid.push("date_of_birth", msg::REFERRAL_DATE_OF_BIRTH_FUTURE);
        }
        let postcode = match self.postcode.trim() {
            "" => None,
            text => match normalise_postcode(text) {
                Some(p) => Some(p),
                None => {
                    invalid.push("postcode", msg::REFERRAL_POSTCODE_INVALID);
                    None
                }
            },
        };
        let email = optional(
            "email",
            label::PERSONS_EMAIL_ADDRESS,
            &self.email,
            MAX_SHORT,
            &mut invalid,
        );
        if let Some(address) = &email
            && let Err(e) = crate::identity::EmailAddress::parse("email", address)
        {
            invalid.0.push(e);
        }
        let preferred_contact = match self.preferred_contact.trim() {
            "" => None,
            value if PREFERRED_CONTACT.contains(&value) => Some(value.to_string()),
            _ => {
                invalid.push("preferred_contact", msg::REFERRAL_PREFERRED_CONTACT_MISSING);
                None
            }
        };
        let what_is_happening = invalid.check(crate::validation::required_text(
            "what_is_happening",
            label::WHAT_IS_HAPPENING_AND_WHAT_HELP_IS_NEEDED,
            &self.what_is_happening,
            MAX_TEXT,
        ));
        let meeting_date = invalid
            .check(parse_date(
                "meeting_date",
                label::MEETING_DATE,
                &self.meeting_date,
            ))
            .flatten();
        if let Some(meeting) = meeting_date
            && meeting < today
        {
            invalid.push("meeting_date", msg::REFERRAL_MEETING_DATE_PAST);
        }
        let deadline_date = invalid
            .check(parse_date(
                "deadline_date",
                label::DEADLINE,
                &self.deadline_date,
            ))
            .flatten();
        let compulsion_date = invalid
            .check(parse_date(
                "compulsion_date",
                label::DATE_DETENTION_BEGAN,
                &self.compulsion_date,
            ))
            .flatten();
        if let Some(date) = compulsion_date
            && date > today
        {
            invalid.push("compulsion_date", msg::REFERRAL_COMPULSION_DATE_FUTURE);
        }
        let consent = Consent::parse(self.consent.trim());
        if consent.is_none() {
            invalid.push("consent", msg::REFERRAL_CONSENT_MISSING);
        }
        let consent_note = optional(
            "consent_note",
            label::WHY,
            &self.consent_note,
            MAX_TEXT,
            &mut invalid,
        );
        if matches!(consent, Some(Consent::NotGiven | Consent::Unable)) && consent_note.is_none() {
            invalid.push("consent_note", msg::REFERRAL_CONSENT_NOTE_MISSING);
        }
        let eligibility = self.eligibility_request(&mut invalid);
        let mut referral = NewReferral {
            referrer_kind: referrer_kind.unwrap_or(ReferrerKind::Other),
            referrer_name,
            referrer_organisation: optional(
                "referrer_organisation",
                label::YOUR_ORGANISATION,
                &self.referrer_organisation,
                MAX_SHORT,
                &mut invalid,
            ),
            referrer_role: optional(
                "referrer_role",
                label::YOUR_ROLE,
                &self.referrer_role,
                MAX_SHORT,
                &mut invalid,
            ),
            referrer_email,
            referrer_phone,
            referrer_relationship: optional(
                "referrer_relationship",
                label::YOUR_RELATIONSHIP_TO_THE_PERSON,
                &self.referrer_relationship,
                MAX_SHORT,
                &mut invalid,
            ),
            given_name: given_name.unwrap_or_default(),
            family_name: family_name.unwrap_or_default(),
            date_of_birth,
            postcode,
            address: optional(
                "address",
                label::ADDRESS,
                &self.address,
                1_000,
                &mut invalid,
            ),
            phone: optional(
                "phone",
                label::PERSONS_PHONE_NUMBER,
                &self.phone,
                40,
                &mut invalid,
            ),
            email,
            local_authority: optional(
                "local_authority",
                label::LOCAL_AUTHORITY,
                &self.local_authority,
                MAX_SHORT,
                &mut invalid,
            ),
            placed_out_of_area: yes(&self.placed_out_of_area),
            is_prisoner: yes(&self.is_prisoner),
            language: optional(
                "language",
                label::LANGUAGE,
                &self.language,
                MAX_SHORT,
                &mut invalid,
            ),
            needs_interpreter: yes(&self.needs_interpreter),
            uses_bsl: yes(&self.uses_bsl),
            wants_easy_read: yes(&self.wants_easy_read),
            preferred_contact,
            what_is_happening: what_is_happening.unwrap_or_default(),
            meeting_date,
            deadline_date,
            compulsion_date,
            safeguarding_concerns: optional(
                "safeguarding_concerns",
                label::SAFEGUARDING_CONCERNS,
                &self.safeguarding_concerns,
                MAX_TEXT,
                &mut invalid,
            ),
            risk_to_visitor: optional(
                "risk_to_visitor",
                label::RISKS_TO_A_VISITING_ADVOCATE,
                &self.risk_to_visitor,
                MAX_TEXT,
                &mut invalid,
            ),
            consent: consent.unwrap_or(Consent::NotGiven),
            consent_note,
            eligibility: eligibility.unwrap_or_default(),
        };
        if is_self {
            referral.referrer_relationship = None;
        }
        invalid.into_result().map(|()| referral)
    }

    /// Turns the form's eligibility questions into the eligibility contract's request,
    /// leaving every "not sure" unknown. The request is read back through the contract's
    /// own parser, so the form can never store answers the engine would refuse.
    fn eligibility_request(&self, invalid: &mut Invalid) -> Option<EligibilityRequest> {
        use serde_json::{Map, Value, json};
        let known = |value: &str| -> Option<Value> {
            match value.trim() {
                "yes" => Some(Value::Bool(true)),
                "no" => Some(Value::Bool(false)),
                _ => None,
            }
        };
        let mut request = Map::new();
        let mut care_act = Map::new();
        if let Some(needs) = known(&self.care_needs) {
            care_act.insert("appears_to_have_needs".into(), needs);
        }
        match self.care_act_process.trim() {
            "" | "not_sure" => {}
            process => {
                care_act.insert("process".into(), json!(process));
            }
        }
        let difficulty: Vec<&str> = self.difficulty.iter().map(|d| d.trim()).collect();
        if !difficulty.is_empty() {
            let areas = [
                "understanding",
                "retaining",
                "using_or_weighing",
                "communicating",
            ];
            if difficulty
                .iter()
                .any(|d| *d != "none" && !areas.contains(d))
            {
                invalid.push("difficulty", msg::REFERRAL_DIFFICULTY_MISSING);
            }
            let none = difficulty.contains(&"none");
            let mut map = Map::new();
            for area in areas {
                map.insert(area.into(), json!(!none && difficulty.contains(&area)));
            }
            care_act.insert("substantial_difficulty".into(), Value::Object(map));
        }
        match self.appropriate_individual.trim() {
            // Nobody appropriate is known.
            "no" => {
                care_act.insert("appropriate_individuals".into(), json!([]));
            }
            // Someone appropriate can support the person.
            "yes" => {
                care_act.insert(
                    "appropriate_individuals".into(),
                    json!([{ "relationship": "named by the referrer", "paid_or_professional_carer": false, "person_does_not_want_them": false, "unable_or_unavailable": false, "implicated_in_abuse_or_neglect": false }]),
                );
            }
            _ => {}
        }
        if !care_act.is_empty() {
            request.insert("care_act".into(), Value::Object(care_act));
        }
        let mut mha = Map::new();
        match self.mha_status.trim() {
            "" | "not_sure" => {}
            status => {
                mha.insert("status".into(), json!(status));
            }
        }
        if !self.mha_section.trim().is_empty() {
            mha.insert("section".into(), json!(self.mha_section.trim()));
        }
        if !mha.is_empty() {
            request.insert("mental_health_act".into(), Value::Object(mha));
        }
        let mut mca = Map::new();
        if let Some(lacks) = known(&self.mca_lacks_capacity) {
            mca.insert("lacks_capacity_for_decision".into(), lacks);
        }
        match self.mca_decision.trim() {
            "" | "not_sure" => {}
            decision => {
                mca.insert("decision".into(), json!(decision));
            }
        }
        if let Some(anyone) = known(&self.mca_anyone_to_consult) {
            mca.insert("anyone_appropriate_to_consult".into(), anyone);
        }
        if !mca.is_empty() {
            request.insert("mental_capacity_act".into(), Value::Object(mca));
        }
        if let Some(wants) = known(&self.nhs_complaint) {
            request.insert(
                "nhs_complaint".into(),
                json!({ "wants_to_complain_about_nhs_funded_service": wants }),
            );
        }
        let text = Value::Object(request).to_string();
        match eligibility::parse_request(&text) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                let field = form_field_for(&error.field);
                invalid.push(field, error.message);
                None
            }
        }
    }
}

/// The form field that asked the question a contract path names.
fn form_field_for(path: &str) -> &'static str {
    match path {
        p if p.starts_with("care_act.process") => "care_act_process",
        p if p.starts_with("care_act.appears_to_have_needs") => "care_needs",
        p if p.starts_with("care_act") => "difficulty",
        p if p.starts_with("mental_health_act.section") => "mha_section",
        p if p.starts_with("mental_health_act") => "mha_status",
        p if p.starts_with("mental_capacity_act.decision") => "mca_decision",
        p if p.starts_with("mental_capacity_act") => "mca_lacks_capacity",
        p if p.starts_with("nhs_complaint") => "nhs_complaint",
        _ => "what_is_happening",
    }
}

/// A case on the waiting list, with what the prioritisation procedure weighs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingCase {
    pub case_id: i64,
    pub duty: String,
    /// The IMHA introduction deadline, if the duty has one.
    pub introduction_due: Option<NaiveDate>,
    pub detained: bool,
    pub safeguarding_risk: bool,
    pub meeting_date: Option<NaiveDate>,
    pub deadline_date: Option<NaiveDate>,
    pub received_on: NaiveDate,
    /// The first contact the commissioning contract asks for by this date, when a
    /// contract covers the case's duty and area.
    pub first_contact_due: Option<NaiveDate>,
}

/// A case's place on the waiting list and the reasons for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub case: WaitingCase,
    pub reasons: Vec<WaitingReason>,
    pub overdue: bool,
    pub due_today: bool,
}

/// Why a case is in its place on the waiting list; the pages put each into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingReason {
    /// The statutory IMHA introduction deadline, and how it stands today.
    ImhaIntroduction(NaiveDate, DueState),
    Detained,
    SafeguardingRisk,
    /// A meeting about the person within [`MEETING_SOON_DAYS`].
    MeetingOn(NaiveDate),
    /// A deadline for the person within [`MEETING_SOON_DAYS`].
    DeadlineOn(NaiveDate),
    /// The first-contact target of the contract that pays for the case.
    FirstContact(NaiveDate, DueState),
    /// Days waited since the referral was received.
    Waited(i64),
}

/// How a date something is due by stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Overdue,
    Today,
    Later,
}

impl DueState {
    pub fn of(due: NaiveDate, today: NaiveDate) -> Self {
        match due.cmp(&today) {
            std::cmp::Ordering::Less => Self::Overdue,
            std::cmp::Ordering::Equal => Self::Today,
            std::cmp::Ordering::Greater => Self::Later,
        }
    }
}

/// How close a meeting must be to move a case up: within this many days.
pub const MEETING_SOON_DAYS: i64 = 7;

/// Orders the waiting list by the service prioritisation procedure, transparently:
/// first the statutory IMHA introduction deadline (earliest first, overdue at the top),
/// then detention, then safeguarding risk, then a meeting or deadline within a week,
/// then the contract's first-contact target (earliest first), then time waited (longest
/// first). Each case gets the reasons for its place. A case is overdue, or due today, when
/// either the statutory deadline or the contract's target is.
pub fn prioritise(cases: Vec<WaitingCase>, today: NaiveDate) -> Vec<Placed> {
    let soon =
        |date: Option<NaiveDate>| date.filter(|d| (*d - today).num_days() <= MEETING_SOON_DAYS);
    let mut placed: Vec<Placed> = cases
        .into_iter()
        .map(|case| {
            let mut reasons = Vec::new();
            if let Some(due) = case.introduction_due {
                reasons.push(WaitingReason::ImhaIntroduction(
                    due,
                    DueState::of(due, today),
                ));
            }
            if case.detained {
                reasons.push(WaitingReason::Detained);
            }
            if case.safeguarding_risk {
                reasons.push(WaitingReason::SafeguardingRisk);
            }
            if let Some(meeting) = soon(case.meeting_date) {
                reasons.push(WaitingReason::MeetingOn(meeting));
            }
            if let Some(deadline) = soon(case.deadline_date) {
                reasons.push(WaitingReason::DeadlineOn(deadline));
            }
            if let Some(due) = case.first_contact_due {
                reasons.push(WaitingReason::FirstContact(due, DueState::of(due, today)));
            }
            reasons.push(WaitingReason::Waited(
                (today - case.received_on).num_days().max(0),
            ));
            let clocks = [case.introduction_due, case.first_contact_due];
            Placed {
                overdue: clocks.iter().flatten().any(|d| *d < today),
                due_today: clocks.iter().flatten().any(|d| *d == today),
                case,
                reasons,
            }
        })
        .collect();
    placed.sort_by_key(|p| {
        let c = &p.case;
        let soonest = [soon(c.meeting_date), soon(c.deadline_date)]
            .into_iter()
            .flatten()
            .min();
        (
            c.introduction_due.unwrap_or(NaiveDate::MAX),
            !c.detained,
            !c.safeguarding_risk,
            soonest.unwrap_or(NaiveDate::MAX),
            c.first_contact_due.unwrap_or(NaiveDate::MAX),
            c.received_on,
            c.case_id,
        )
    });
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn repeated_checkboxes_are_read_into_a_list_and_other_fields_keep_their_last_value() {
        let answers = ReferralAnswers::from_form_body(
            b"given_name=Ada&difficulty=understanding&difficulty=retaining&what_is_happening=%3Cscript%3E&unknown=x&given_name=Ada+Lovelace",
        );
        assert_eq!(answers.given_name, "Ada Lovelace");
        assert_eq!(answers.difficulty, ["understanding", "retaining"]);
        assert_eq!(answers.what_is_happening, "<script>");
    }

    fn answers() -> ReferralAnswers {
        ReferralAnswers {
            referrer_kind: "professional".into(),
            referrer_name: "Dana Social Worker".into(),
            referrer_email: "dana@council.example".into(),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            date_of_birth: "10/12/1960".into(),
            postcode: "sw1a1aa".into(),
            what_is_happening: "Needs assessment next week.".into(),
            consent: "given".into(),
            care_act_process: "needs_assessment".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_referral_parses_and_normalises_its_answers() {
        let referral = answers().parse(day(2026, 11, 22)).unwrap();
        assert_eq!(referral.date_of_birth, Some(day(1960, 12, 10)));
        assert_eq!(referral.postcode.as_deref(), Some("SW1A 1AA"));
        let stored = referral.eligibility_json();
        assert_eq!(
            eligibility::parse_request(&stored).unwrap(),
            referral.eligibility
        );
        let json: serde_json::Value = serde_json::from_str(&stored).unwrap();
        assert_eq!(json["care_act"]["process"], "needs_assessment");
    }

    #[test]
    fn a_date_of_birth_in_the_future_is_refused() {
        let mut form = answers();
        form.date_of_birth = "2030-01-01".into();
        let invalid = form.parse(day(2026, 11, 22)).unwrap_err();
        assert!(crate::validation::words_for(&invalid, "date_of_birth").contains("past"));
    }

    #[test]
    fn a_meeting_date_in_the_past_is_refused() {
        let mut form = answers();
        form.meeting_date = "2026-11-21".into();
        let invalid = form.parse(day(2026, 11, 22)).unwrap_err();
        assert!(invalid.message_for("meeting_date").is_some());
    }

    #[test]
    fn an_unknown_section_is_refused_naming_the_section_field() {
        let mut form = answers();
        form.mha_status = "detained".into();
        form.mha_section = "99".into();
        let invalid = form.parse(day(2026, 11, 22)).unwrap_err();
        assert!(invalid.message_for("mha_section").is_some(), "{invalid}");
    }

    #[test]
    fn refusing_consent_needs_a_reason() {
        let mut form = answers();
        form.consent = "unable".into();
        let invalid = form.parse(day(2026, 11, 22)).unwrap_err();
        assert!(invalid.message_for("consent_note").is_some());
    }

    #[test]
    fn a_professional_must_leave_a_way_to_contact_them() {
        let mut form = answers();
        form.referrer_email.clear();
        let invalid = form.parse(day(2026, 11, 22)).unwrap_err();
        assert!(invalid.message_for("referrer_email").is_some());
    }

    #[test]
    fn a_self_referral_needs_no_referrer_details() {
        let mut form = answers();
        form.referrer_kind = "self".into();
        form.referrer_name.clear();
        form.referrer_email.clear();
        assert!(form.parse(day(2026, 11, 22)).is_ok());
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let invalid = ReferralAnswers::default()
            .parse(day(2026, 11, 22))
            .unwrap_err();
        for field in [
            "referrer_kind",
            "given_name",
            "family_name",
            "what_is_happening",
            "consent",
        ] {
            assert!(invalid.message_for(field).is_some(), "{field}");
        }
    }

    #[test]
    fn not_sure_answers_stay_unknown_and_none_of_these_means_no_difficulty() {
        let mut form = answers();
        form.mca_lacks_capacity = "not_sure".into();
        form.difficulty = vec!["none".into()];
        form.appropriate_individual = "no".into();
        let referral = form.parse(day(2026, 11, 22)).unwrap();
        assert!(referral.eligibility.mental_capacity_act.is_none());
        let json = referral.eligibility_json();
        assert!(json.contains(r#""understanding":false"#), "{json}");
        assert!(json.contains(r#""appropriate_individuals":[]"#), "{json}");
    }

    #[test]
    fn care_and_support_needs_are_asked_and_not_sure_stays_unknown() {
        let needs = |answer: &str| {
            let mut form = answers();
            form.care_needs = answer.into();
            form.parse(day(2026, 11, 22))
                .unwrap()
                .eligibility
                .care_act
                .and_then(|c| c.appears_to_have_needs)
        };
        assert_eq!(needs("yes"), Some(true));
        assert_eq!(needs("no"), Some(false));
        assert_eq!(needs("not_sure"), None);
        assert_eq!(needs(""), None);
    }

    #[test]
    fn postcodes_are_normalised_or_refused() {
        assert_eq!(normalise_postcode(" m1 1ae "), Some("M1 1AE".into()));
        assert_eq!(normalise_postcode("EC1A1BB"), Some("EC1A 1BB".into()));
        assert_eq!(normalise_postcode("hello"), None);
        assert_eq!(normalise_postcode("12345"), None);
    }

    fn waiting(id: i64) -> WaitingCase {
        WaitingCase {
            case_id: id,
            duty: "care_act".into(),
            introduction_due: None,
            detained: false,
            safeguarding_risk: false,
            meeting_date: None,
            deadline_date: None,
            received_on: day(2026, 11, 1),
            first_contact_due: None,
        }
    }

    #[test]
    fn the_contract_first_contact_target_comes_before_time_waited_and_counts_as_overdue() {
        let today = day(2026, 11, 22);
        let waited_longest = WaitingCase {
            received_on: day(2026, 10, 1),
            ..waiting(1)
        };
        let target_passed = WaitingCase {
            first_contact_due: Some(day(2026, 11, 20)),
            ..waiting(2)
        };
        let target_today = WaitingCase {
            first_contact_due: Some(today),
            ..waiting(3)
        };
        let placed = prioritise(vec![waited_longest, target_today, target_passed], today);
        let order: Vec<i64> = placed.iter().map(|p| p.case.case_id).collect();
        assert_eq!(order, [2, 3, 1]);
        assert!(placed[0].overdue && !placed[0].due_today);
        assert_eq!(
            placed[0].reasons[0],
            WaitingReason::FirstContact(day(2026, 11, 20), DueState::Overdue)
        );
        assert!(placed[1].due_today && !placed[1].overdue);
        assert!(!placed[2].overdue && !placed[2].due_today);
    }

    #[test]
    fn the_imha_introduction_clock_comes_first_then_detention_safeguarding_meetings_and_time_waited()
     {
        let today = day(2026, 11, 22);
        let long_wait = WaitingCase {
            received_on: day(2026, 10, 1),
            ..waiting(1)
        };
        let meeting = WaitingCase {
            meeting_date: Some(day(2026, 11, 24)),
            ..waiting(2)
        };
        let safeguarding = WaitingCase {
            safeguarding_risk: true,
            ..waiting(3)
        };
        let detained = WaitingCase {
            detained: true,
            ..waiting(4)
        };
        let imha_later = WaitingCase {
            introduction_due: Some(day(2026, 11, 25)),
            detained: true,
            ..waiting(5)
        };
        let imha_overdue = WaitingCase {
            introduction_due: Some(day(2026, 11, 20)),
            detained: true,
            ..waiting(6)
        };
        let order: Vec<i64> = prioritise(
            vec![
                long_wait,
                meeting,
                safeguarding,
                detained,
                imha_later,
                imha_overdue,
            ],
            today,
        )
        .iter()
        .map(|p| p.case.case_id)
        .collect();
        assert_eq!(order, [6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn each_place_comes_with_its_reasons() {
        let today = day(2026, 11, 22);
        let placed = prioritise(
            vec![WaitingCase {
                introduction_due: Some(today),
                detained: true,
                ..waiting(1)
            }],
            today,
        );
        assert!(placed[0].due_today);
        assert_eq!(
            placed[0].reasons,
            [
                WaitingReason::ImhaIntroduction(today, DueState::Today),
                WaitingReason::Detained,
                WaitingReason::Waited(21),
            ]
        );
    }
}
