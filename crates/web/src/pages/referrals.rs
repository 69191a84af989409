//! Referrals: the public referral form and its easy-read version (no sign-in), the
//! referrer's private status page, and for intake workers and managers the queue, the
//! staff referral form, triage, the letter that explains a refusal, and the waiting list.
//!
//! Nothing from the public form is shown to anyone but intake staff of the provider it
//! was sent to: the status page shows the reference, the date and the status only.

use super::forms::{ProviderChoice, chosen_provider};
use super::{Choice, FormErrors, Layout, radios, render, render_with, select_options, when};
use crate::app::AppState;
use crate::auth::session::blocking;
use crate::auth::{Staff, new_token, token_hash};
use crate::clock::{self, today};
use crate::error::AppError;
use advocase_domain::clocks::{
    Nation, WorkingDayCalendar, first_contact_target_due, imha_introduction_due,
};
use advocase_domain::eligibility::{Duty, EligibilityOutcome, assess};
use advocase_domain::identity::Role;
use advocase_domain::referral::{
    DueState, MAX_TEXT, NewReferral, Placed, ReferralAnswers, WaitingCase, WaitingReason,
    prioritise,
};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use advocase_storage::referrals::{
    DecisionRecord, DutyDecision, PersonChoice, PersonRecord, ReferralRecord, Source, WaitingRow,
    status,
};
use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

/// Characters of a reference: letters and digits that cannot be mistaken for each other
/// when read aloud or copied by hand (no 0 or O, no 1 or I).
const REFERENCE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A new referral reference, like `R-7K3P-Q9XR`: eight characters from an unambiguous
/// alphabet, in two groups of four so it is easy to read out on the phone.
pub fn new_reference() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let mut pick = || REFERENCE_ALPHABET[rng.random_range(0..REFERENCE_ALPHABET.len())] as char;
    let first: String = (0..4).map(|_| pick()).collect();
    let second: String = (0..4).map(|_| pick()).collect();
    format!("R-{first}-{second}")
}

/// One field's value from a form body, empty when absent.
fn form_value(body: &[u8], field: &str) -> String {
    url::form_urlencoded::parse(body)
        .filter(|(name, _)| name == field)
        .map(|(_, value)| value.into_owned())
        .last()
        .unwrap_or_default()
}

const REFERRER_KINDS: [(&str, &str); 4] = [
    ("self", "ref-kind-self"),
    ("professional", "ref-kind-professional"),
    ("family_or_friend", "ref-kind-family-or-friend"),
    ("other", "ref-kind-other"),
];
const YES_NO: [(&str, &str); 2] = [("yes", "ref-answer-yes"), ("no", "ref-answer-no")];
const YES_NO_NOT_SURE: [(&str, &str); 3] = [
    ("yes", "ref-answer-yes"),
    ("no", "ref-answer-no"),
    ("not_sure", "ref-answer-not-sure"),
];
const CONTACT: [(&str, &str); 5] = [
    ("in_person", "ref-contact-in-person"),
    ("phone", "ref-contact-phone"),
    ("video", "ref-contact-video"),
    ("letter", "ref-contact-letter"),
    ("email", "ref-contact-email"),
];
const MHA_STATUS: [(&str, &str); 7] = [
    ("not_sure", "ref-answer-not-sure"),
    ("none", "ref-mha-none"),
    ("detained", "ref-mha-detained"),
    ("guardianship", "ref-mha-guardianship"),
    ("cto", "ref-mha-cto"),
    (
        "conditionally_discharged_restricted",
        "ref-mha-conditionally-discharged",
    ),
    ("informal", "ref-mha-informal"),
];
const CARE_PROCESS: [(&str, &str); 13] = [
    ("not_sure", "ref-answer-not-sure"),
    ("none", "ref-process-none"),
    ("needs_assessment", "ref-process-needs-assessment"),
    ("carers_assessment", "ref-process-carers-assessment"),
    ("care_and_support_plan", "ref-process-care-and-support-plan"),
    ("support_plan", "ref-process-support-plan"),
    (
        "care_and_support_plan_review",
        "ref-process-care-and-support-plan-review",
    ),
    ("support_plan_review", "ref-process-support-plan-review"),
    (
        "child_needs_assessment",
        "ref-process-child-needs-assessment",
    ),
    (
        "child_carers_assessment",
        "ref-process-child-carers-assessment",
    ),
    (
        "young_carers_assessment",
        "ref-process-young-carers-assessment",
    ),
    ("safeguarding_enquiry", "ref-process-safeguarding-enquiry"),
    (
        "safeguarding_adult_review",
        "ref-process-safeguarding-adult-review",
    ),
];
const DIFFICULTY: [(&str, &str); 5] = [
    ("understanding", "ref-difficulty-understanding"),
    ("retaining", "ref-difficulty-retaining"),
    ("using_or_weighing", "ref-difficulty-using-or-weighing"),
    ("communicating", "ref-difficulty-communicating"),
    ("none", "ref-difficulty-none"),
];
const MCA_DECISION: [(&str, &str); 7] = [
    ("not_sure", "ref-answer-not-sure"),
    (
        "serious_medical_treatment",
        "ref-decision-serious-medical-treatment",
    ),
    ("accommodation", "ref-decision-accommodation"),
    ("accommodation_review", "ref-decision-accommodation-review"),
    ("safeguarding", "ref-decision-safeguarding"),
    ("dols", "ref-decision-dols"),
    ("other", "ref-decision-other"),
];
const CONSENT: [(&str, &str); 3] = [
    ("given", "ref-consent-given"),
    ("not_given", "ref-consent-not-given"),
    ("unable", "ref-consent-unable"),
];
/// The communication needs, each its own yes/no field ticked as a checkbox.
const COMMUNICATION: [(&str, &str); 3] = [
    ("needs_interpreter", "ref-needs-interpreter"),
    ("uses_bsl", "ref-uses-bsl"),
    ("wants_easy_read", "ref-wants-easy-read"),
];
const STATUSES: [(&str, &str); 5] = [
    (status::RECEIVED, "ref-status-received"),
    (status::ACCEPTED, "ref-status-accepted"),
    (status::DECLINED, "ref-status-declined"),
    (status::ON_HOLD, "ref-status-on-hold"),
    (status::WITHDRAWN, "ref-status-withdrawn"),
];

/// The catalogue key naming a duty for people.
fn duty_key(duty: &str) -> &'static str {
    match duty {
        "care_act" => "duty-care-act",
        "imha" => "duty-imha",
        "imca" => "duty-imca",
        "nhs_complaints" => "duty-nhs-complaints",
        _ => "duty-other",
    }
}

fn duty_code(duty: Duty) -> &'static str {
    match duty {
        Duty::CareAct => "care_act",
        Duty::Imha => "imha",
        Duty::Imca => "imca",
        Duty::NhsComplaints => "nhs_complaints",
    }
}

fn outcome_code(outcome: EligibilityOutcome) -> &'static str {
    match outcome {
        EligibilityOutcome::Eligible => "eligible",
        EligibilityOutcome::NotEligible => "not_eligible",
        EligibilityOutcome::NeedsInformation => "needs_information",
    }
}

fn outcome_key(outcome: &str) -> &'static str {
    match outcome {
        "eligible" => "ref-outcome-eligible",
        "not_eligible" => "ref-outcome-not-eligible",
        _ => "ref-outcome-needs-information",
    }
}

pub(crate) fn status_key(value: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(code, _)| *code == value)
        .map(|(_, key)| *key)
        .unwrap_or("ref-status-received")
}

pub(crate) fn kind_key(value: &str) -> &'static str {
    REFERRER_KINDS
        .iter()
        .find(|(code, _)| *code == value)
        .map(|(_, key)| *key)
        .unwrap_or("ref-kind-other")
}

// ---------------------------------------------------------------------------------------
// The referral form: public at /refer, staff-entered at /referrals/new
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "referrals/form.html")]
struct FormPage {
    layout: Layout,
    errors: FormErrors,
    /// Entered by staff (no provider choice, no easy-read link, no honeypot).
    staff: bool,
    action: &'static str,
    a: ReferralAnswers,
    /// Several providers: the select's options; one: its id in a hidden field.
    providers: Vec<(String, String)>,
    provider_hidden: Option<String>,
    provider: String,
    kinds: Vec<Choice>,
    out_of_area: Vec<Choice>,
    prisoner: Vec<Choice>,
    communication: Vec<Choice>,
    contact: Vec<Choice>,
    mha_status: Vec<(String, String)>,
    care_process: Vec<(String, String)>,
    care_needs: Vec<Choice>,
    difficulty: Vec<Choice>,
    appropriate: Vec<Choice>,
    mca_lacks: Vec<Choice>,
    mca_decision: Vec<(String, String)>,
    mca_consult: Vec<Choice>,
    nhs: Vec<Choice>,
    consent: Vec<Choice>,
}

fn form_page(
    layout: Layout,
    errors: FormErrors,
    staff: bool,
    a: ReferralAnswers,
    providers: ProviderChoice,
    provider: String,
) -> FormPage {
    let l = &layout;
    let yes = |value: &str| if value.trim().is_empty() { "" } else { "yes" };
    let communication = COMMUNICATION
        .iter()
        .map(|(name, key)| {
            let value = match *name {
                "needs_interpreter" => &a.needs_interpreter,
                "uses_bsl" => &a.uses_bsl,
                _ => &a.wants_easy_read,
            };
            Choice {
                id: name.to_string(),
                name: name.to_string(),
                value: "yes".into(),
                label: l.t(key),
                checked: yes(value) == "yes",
            }
        })
        .collect();
    let difficulty = DIFFICULTY
        .iter()
        .enumerate()
        .map(|(index, (value, key))| Choice {
            id: if index == 0 {
                "difficulty".into()
            } else {
                format!("difficulty-{}", index + 1)
            },
            name: "difficulty".into(),
            value: value.to_string(),
            label: l.t(key),
            checked: a.difficulty.iter().any(|d| d.trim() == *value),
        })
        .collect();
    FormPage {
        staff,
        action: if staff { "/referrals/new" } else { "/refer" },
        kinds: radios(l, "referrer_kind", &REFERRER_KINDS, &a.referrer_kind),
        out_of_area: radios(l, "placed_out_of_area", &YES_NO, &a.placed_out_of_area),
        prisoner: radios(l, "is_prisoner", &YES_NO, &a.is_prisoner),
        communication,
        contact: radios(l, "preferred_contact", &CONTACT, &a.preferred_contact),
        mha_status: select_options(l, &MHA_STATUS),
        care_process: select_options(l, &CARE_PROCESS),
        care_needs: radios(l, "care_needs", &YES_NO_NOT_SURE, &a.care_needs),
        difficulty,
        appropriate: radios(
            l,
            "appropriate_individual",
            &YES_NO_NOT_SURE,
            &a.appropriate_individual,
        ),
        mca_lacks: radios(
            l,
            "mca_lacks_capacity",
            &YES_NO_NOT_SURE,
            &a.mca_lacks_capacity,
        ),
        mca_decision: select_options(l, &MCA_DECISION),
        mca_consult: radios(
            l,
            "mca_anyone_to_consult",
            &YES_NO_NOT_SURE,
            &a.mca_anyone_to_consult,
        ),
        nhs: radios(l, "nhs_complaint", &YES_NO_NOT_SURE, &a.nhs_complaint),
        consent: radios(l, "consent", &CONSENT, &a.consent),
        providers: providers.options,
        provider_hidden: providers.hidden,
        provider,
        a,
        layout,
        errors,
    }
}

async fn public_form(
    state: &AppState,
    a: ReferralAnswers,
    provider: String,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    let layout = Layout::public(state, "ref-form-heading");
    let providers = ProviderChoice::load(state, &layout).await?;
    Ok(form_page(layout, errors, false, a, providers, provider))
}

/// `GET /refer`: the public referral form.
pub async fn form(State(state): State<AppState>) -> Result<Response, AppError> {
    render(
        &public_form(
            &state,
            ReferralAnswers::default(),
            String::new(),
            FormErrors::none(),
        )
        .await?,
    )
}

#[derive(Template)]
#[template(path = "referrals/sent.html")]
struct SentPage {
    layout: Layout,
    errors: FormErrors,
    reference: String,
    status_link: String,
    easy_read: bool,
}

fn sent_page(
    state: &AppState,
    reference: String,
    token: &str,
    easy_read: bool,
) -> Result<Response, AppError> {
    render(&SentPage {
        layout: Layout::public(state, "ref-sent-heading"),
        errors: FormErrors::none(),
        reference,
        status_link: format!("/referral-status/{token}"),
        easy_read,
    })
}

/// Stores a public referral under a new reference and status token; returns both.
async fn store_public(
    state: &AppState,
    provider_id: i64,
    referral: NewReferral,
) -> Result<(String, String), AppError> {
    let reference = new_reference();
    let token = new_token();
    let hash = token_hash(&token);
    let store = state.store.clone();
    let stored_reference = reference.clone();
    blocking(move || {
        store.submit_referral(
            provider_id,
            &referral,
            Source::Public,
            None,
            &stored_reference,
            &hash,
        )
    })
    .await?;
    Ok((reference, token))
}

/// `POST /refer`. A filled-in `website` field (which no person sees) means a program
/// sent the form: it gets the same answer as a success, and nothing is stored.
pub async fn submit(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let answers = ReferralAnswers::from_form_body(&body);
    let provider = form_value(&body, "provider");
    if !answers.website.trim().is_empty() {
        return sent_page(&state, new_reference(), &new_token(), false);
    }
    let mut invalid = Invalid::default();
    let provider_id =
        chosen_provider(&state, &provider, msg::REF_PROVIDER_INVALID, &mut invalid).await?;
    let parsed = answers.parse(today());
    let referral = match parsed {
        Ok(referral) if invalid.is_empty() => referral,
        Ok(_) => return show_public_errors(&state, answers, provider, invalid).await,
        Err(errors) => {
            invalid.0.extend(errors.0);
            return show_public_errors(&state, answers, provider, invalid).await;
        }
    };
    let Some(provider_id) = provider_id else {
        return show_public_errors(&state, answers, provider, invalid).await;
    };
    match store_public(&state, provider_id, referral).await {
        Ok((reference, token)) => sent_page(&state, reference, &token, false),
        Err(AppError::Invalid(errors)) => {
            show_public_errors(&state, answers, provider, errors).await
        }
        Err(other) => Err(other),
    }
}

async fn show_public_errors(
    state: &AppState,
    answers: ReferralAnswers,
    provider: String,
    invalid: Invalid,
) -> Result<Response, AppError> {
    let page = public_form(state, answers, provider, invalid.into()).await?;
    render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---------------------------------------------------------------------------------------
// The easy-read self-referral form
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct EasyReadForm {
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    what_is_happening: String,
    #[serde(default)]
    wants_help: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    website: String,
}

#[derive(Template)]
#[template(path = "referrals/easy_read.html")]
struct EasyReadPage {
    layout: Layout,
    errors: FormErrors,
    form: EasyReadForm,
    providers: Vec<(String, String)>,
    provider_hidden: Option<String>,
    wants_help: Vec<Choice>,
}

async fn easy_read_page(
    state: &AppState,
    form: EasyReadForm,
    errors: FormErrors,
) -> Result<EasyReadPage, AppError> {
    let layout = Layout::public(state, "easy-heading");
    let providers = ProviderChoice::load(state, &layout).await?;
    Ok(EasyReadPage {
        wants_help: radios(
            &layout,
            "wants_help",
            &[("yes", "easy-help-yes"), ("no", "easy-help-no")],
            &form.wants_help,
        ),
        providers: providers.options,
        provider_hidden: providers.hidden,
        form,
        layout,
        errors,
    })
}

/// `GET /refer/easy-read`.
pub async fn easy_read(State(state): State<AppState>) -> Result<Response, AppError> {
    render(&easy_read_page(&state, EasyReadForm::default(), FormErrors::none()).await?)
}

/// `POST /refer/easy-read`: a self-referral, checked and stored as the full form is.
pub async fn easy_read_submit(
    State(state): State<AppState>,
    Form(form): Form<EasyReadForm>,
) -> Result<Response, AppError> {
    if !form.website.trim().is_empty() {
        return sent_page(&state, new_reference(), &new_token(), true);
    }
    let mut invalid = Invalid::default();
    let provider_id = chosen_provider(
        &state,
        &form.provider,
        msg::REF_PROVIDER_INVALID,
        &mut invalid,
    )
    .await?;
    let answers = ReferralAnswers {
        referrer_kind: "self".into(),
        given_name: form.given_name.clone(),
        family_name: form.family_name.clone(),
        date_of_birth: form.date_of_birth.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        address: form.address.clone(),
        what_is_happening: form.what_is_happening.clone(),
        wants_easy_read: "yes".into(),
        consent: if form.wants_help.trim() == "yes" {
            "given".into()
        } else {
            String::new()
        },
        ..ReferralAnswers::default()
    };
    let parsed = answers.parse(today());
    if let Err(errors) = &parsed {
        // The easy-read form asks fewer questions in simpler words: its own messages
        // for the questions it words differently.
        for error in &errors.0 {
            match error.field.as_str() {
                "consent" => {}
                "what_is_happening" => invalid.push("what_is_happening", msg::EASY_WHAT_INVALID),
                "given_name" => invalid.push("given_name", msg::EASY_GIVEN_NAME_INVALID),
                "family_name" => invalid.push("family_name", msg::EASY_FAMILY_NAME_INVALID),
                _ => invalid.0.push(error.clone()),
            }
        }
    }
    match form.wants_help.trim() {
        "yes" => {}
        "no" => invalid.push("wants_help", msg::EASY_HELP_NO_INVALID),
        _ => invalid.push("wants_help", msg::EASY_HELP_INVALID),
    }
    if [&form.phone, &form.email, &form.address]
        .iter()
        .all(|v| v.trim().is_empty())
    {
        invalid.push("phone", msg::EASY_CONTACT_INVALID);
    }
    let (Ok(referral), Some(provider_id), true) = (parsed, provider_id, invalid.is_empty()) else {
        let page = easy_read_page(&state, form, invalid.into()).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    match store_public(&state, provider_id, referral).await {
        Ok((reference, token)) => sent_page(&state, reference, &token, true),
        Err(AppError::Invalid(errors)) => {
            let page = easy_read_page(&state, form, errors.into()).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// The referrer's private status page
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "referrals/status.html")]
struct StatusPage {
    layout: Layout,
    errors: FormErrors,
    reference: String,
    received: String,
    status: String,
    explanation: String,
}

/// `GET /referral-status/{token}`: the reference, when it arrived and where it is, in
/// words. Nothing about the person.
pub async fn status_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let hash = token_hash(&token);
    let found = blocking(move || store.referral_status(&hash)).await?;
    let key = status_key(&found.status);
    render(&StatusPage {
        layout: Layout::public(&state, "ref-status-heading"),
        errors: FormErrors::none(),
        reference: found.reference,
        received: clock::local(found.received_at)
            .format("%-d %B %Y")
            .to_string(),
        status: state.catalogue.text(key),
        explanation: state.catalogue.text(&format!("{key}-explained")),
    })
}

// ---------------------------------------------------------------------------------------
// Intake: the queue and the staff form
// ---------------------------------------------------------------------------------------

pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub received: String,
    pub person: String,
    pub referrer: String,
    pub status: String,
    pub on_hold: bool,
}

#[derive(Template)]
#[template(path = "referrals/queue.html")]
struct QueuePage {
    layout: Layout,
    errors: FormErrors,
    rows: Vec<QueueRow>,
}

fn referrer_words(state: &AppState, r: &ReferralRecord) -> String {
    let kind = state.catalogue.text(kind_key(&r.referrer_kind));
    let who: Vec<&str> = [
        r.referrer_name.as_deref(),
        r.referrer_organisation.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if who.is_empty() {
        kind
    } else {
        format!("{} ({kind})", who.join(", "))
    }
}

/// `GET /referrals`: the referrals waiting for a decision, oldest first.
pub async fn queue(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::IntakeWorker, Role::Manager])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let list = blocking(move || store.referral_queue(&actor)).await?;
    let rows = list
        .iter()
        .map(|r| QueueRow {
            id: r.id,
            reference: r.reference.clone(),
            received: when(clock::local(r.received_at)),
            person: format!("{} {}", r.given_name, r.family_name),
            referrer: referrer_words(&state, r),
            status: state.catalogue.text(status_key(&r.status)),
            on_hold: r.status == status::ON_HOLD,
        })
        .collect();
    render(&QueuePage {
        layout: Layout::staff(&state, &staff, "ref-queue-heading", "/referrals"),
        errors: FormErrors::none(),
        rows,
    })
}

async fn staff_form(
    state: &AppState,
    staff: &Staff,
    a: ReferralAnswers,
    errors: FormErrors,
) -> FormPage {
    let layout = Layout::staff(state, staff, "ref-new-heading", "/referrals");
    let providers = ProviderChoice {
        options: Vec::new(),
        hidden: None,
    };
    form_page(layout, errors, true, a, providers, String::new())
}

/// `GET /referrals/new`: the referral form for staff taking a referral by phone or post.
pub async fn new_form(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::IntakeWorker, Role::Manager])?;
    render(
        &staff_form(
            &state,
            &staff,
            ReferralAnswers::default(),
            FormErrors::none(),
        )
        .await,
    )
}

/// `POST /referrals/new`: stored for the member of staff's own provider.
pub async fn new_submit(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::IntakeWorker, Role::Manager])?;
    let answers = ReferralAnswers::from_form_body(&body);
    let referral = match answers.parse(today()) {
        Ok(referral) => referral,
        Err(invalid) => {
            let page = staff_form(&state, &staff, answers, invalid.into()).await;
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let reference = new_reference();
    let hash = token_hash(&new_token());
    let stored = blocking(move || {
        store.submit_referral(
            actor.organisation_id,
            &referral,
            Source::Staff,
            Some(&actor),
            &reference,
            &hash,
        )
    })
    .await;
    match stored {
        Ok(id) => Ok(Redirect::to(&format!("/referrals/{id}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let page = staff_form(&state, &staff, answers, invalid.into()).await;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// One referral: what it says, the engine's suggestion, and triage
// ---------------------------------------------------------------------------------------

/// One line of a summary list; the template keeps the writer's line breaks.
pub struct Row {
    pub label: String,
    pub value: String,
}

pub struct Section {
    pub heading: String,
    pub rows: Vec<Row>,
}

pub struct Suggestion {
    pub name: String,
    pub outcome: String,
    pub tag: &'static str,
    pub must: String,
    pub reasons: Vec<String>,
    pub missing: Vec<String>,
}

/// The triage form's part for one duty.
pub struct DutyForm {
    pub duty: &'static str,
    pub name: String,
    pub suggestion: String,
    pub decision_id: String,
    pub decision: Vec<Choice>,
    pub reason_id: String,
    pub reason: String,
}

pub struct DecisionRow {
    pub name: String,
    pub suggested: String,
    pub decision: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "referrals/show.html")]
struct ReferralPage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    reference: String,
    person: String,
    status: String,
    status_reason: String,
    version: i64,
    sections: Vec<Section>,
    suggestions: Vec<Suggestion>,
    /// Shown while the referral waits for a decision.
    deciding: bool,
    people: Vec<Choice>,
    duties: Vec<DutyForm>,
    decline_reason: String,
    decisions: Vec<DecisionRow>,
    declined: bool,
    status_choices: Vec<Choice>,
    reason: String,
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    decision_care_act: String,
    #[serde(default)]
    decision_imha: String,
    #[serde(default)]
    decision_imca: String,
    #[serde(default)]
    decision_nhs_complaints: String,
    #[serde(default)]
    reason_care_act: String,
    #[serde(default)]
    reason_imha: String,
    #[serde(default)]
    reason_imca: String,
    #[serde(default)]
    reason_nhs_complaints: String,
    #[serde(default)]
    decline_reason: String,
}

impl DecisionForm {
    fn decision(&self, duty: &str) -> &str {
        match duty {
            "care_act" => &self.decision_care_act,
            "imha" => &self.decision_imha,
            "imca" => &self.decision_imca,
            _ => &self.decision_nhs_complaints,
        }
    }

    fn reason(&self, duty: &str) -> &str {
        match duty {
            "care_act" => &self.reason_care_act,
            "imha" => &self.reason_imha,
            "imca" => &self.reason_imca,
            _ => &self.reason_nhs_complaints,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// What a referral page is built from, read in one go.
struct Loaded {
    referral: ReferralRecord,
    decisions: Vec<DecisionRecord>,
    people: Vec<PersonRecord>,
}

async fn load(state: &AppState, staff: &Staff, id: i64) -> Result<Loaded, AppError> {
    super::require_role(staff, &[Role::IntakeWorker, Role::Manager])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || {
        let referral = store.find_referral(&actor, id)?;
        let decisions = store.referral_decisions(&referral)?;
        let deciding = matches!(referral.status.as_str(), status::RECEIVED | status::ON_HOLD);
        let people = if deciding {
            store.matching_people(&actor, &referral)?
        } else {
            Vec::new()
        };
        Ok(Loaded {
            referral,
            decisions,
            people,
        })
    })
    .await
}

/// The engine's suggestion per duty, as (duty, outcome) codes, in the engine's order.
fn suggestions_of(
    referral: &ReferralRecord,
) -> Vec<(
    &'static str,
    &'static str,
    advocase_domain::eligibility::DutyAssessment,
)> {
    assess(&referral.eligibility())
        .duties
        .into_iter()
        .map(|d| (duty_code(d.duty), outcome_code(d.outcome), d))
        .collect()
}

fn date(value: Option<NaiveDate>) -> String {
    value
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

fn yes_no(state: &AppState, value: bool) -> String {
    state.catalogue.text(if value {
        "ref-answer-yes"
    } else {
        "ref-answer-no"
    })
}

/// The missing answers the engine names, as the questions of the form that ask them.
fn missing_words(state: &AppState, path: &str) -> String {
    let key = match path {
        "care_act.appears_to_have_needs" => "ref-care-needs-legend",
        "care_act.process" => "ref-care-process-label",
        p if p.starts_with("care_act.substantial_difficulty") => "ref-difficulty-legend",
        p if p.starts_with("care_act.appropriate_individuals") => "ref-appropriate-legend",
        "mental_health_act.status" => "ref-mha-status-label",
        "mental_health_act.section" => "ref-mha-section-label",
        "mental_capacity_act.lacks_capacity_for_decision" => "ref-mca-lacks-legend",
        "mental_capacity_act.decision" => "ref-mca-decision-label",
        "mental_capacity_act.anyone_appropriate_to_consult" => "ref-mca-consult-legend",
        p if p.starts_with("nhs_complaint") => "ref-nhs-legend",
        _ => return path.to_string(),
    };
    state.catalogue.text(key)
}

fn sections(state: &AppState, r: &ReferralRecord) -> Vec<Section> {
    let t = |key: &str| state.catalogue.text(key);
    let row = |key: &str, value: String| Row {
        label: t(key),
        value,
    };
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let contact = r
        .preferred_contact
        .as_deref()
        .and_then(|c| CONTACT.iter().find(|(code, _)| *code == c))
        .map(|(_, key)| t(key))
        .unwrap_or_default();
    let communication: Vec<String> = [
        (r.needs_interpreter, "ref-needs-interpreter"),
        (r.uses_bsl, "ref-uses-bsl"),
        (r.wants_easy_read, "ref-wants-easy-read"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, key)| t(key))
    .collect();
    let consent = CONSENT
        .iter()
        .find(|(code, _)| *code == r.consent)
        .map(|(_, key)| t(key))
        .unwrap_or_default();
    vec![
        Section {
            heading: t("ref-referrer-heading"),
            rows: vec![
                row("ref-kind-legend", t(kind_key(&r.referrer_kind))),
                row("ref-referrer-name-label", text(&r.referrer_name)),
                row(
                    "ref-referrer-organisation-label",
                    text(&r.referrer_organisation),
                ),
                row("ref-referrer-role-label", text(&r.referrer_role)),
                row("ref-referrer-email-label", text(&r.referrer_email)),
                row("ref-referrer-phone-label", text(&r.referrer_phone)),
                row(
                    "ref-referrer-relationship-label",
                    text(&r.referrer_relationship),
                ),
                row(
                    "ref-source-label",
                    t(if r.source == "staff" {
                        "ref-source-staff"
                    } else {
                        "ref-source-public"
                    }),
                ),
                row("ref-received-label", when(clock::local(r.received_at))),
            ],
        },
        Section {
            heading: t("ref-person-heading"),
            rows: vec![
                row("ref-given-name-label", r.given_name.clone()),
                row("ref-family-name-label", r.family_name.clone()),
                row("ref-date-of-birth-label", date(r.date_of_birth)),
                row("ref-postcode-label", text(&r.postcode)),
                row("ref-address-label", text(&r.address)),
                row("ref-phone-label", text(&r.phone)),
                row("ref-email-label", text(&r.email)),
                row("ref-local-authority-label", text(&r.local_authority)),
                row(
                    "ref-out-of-area-legend",
                    yes_no(state, r.placed_out_of_area),
                ),
                row("ref-prisoner-legend", yes_no(state, r.is_prisoner)),
            ],
        },
        Section {
            heading: t("ref-communication-heading"),
            rows: vec![
                row("ref-language-label", text(&r.language)),
                row("ref-communication-legend", communication.join(", ")),
                row("ref-contact-legend", contact),
            ],
        },
        Section {
            heading: t("ref-happening-heading"),
            rows: vec![
                row("ref-what-label", r.what_is_happening.clone()),
                row("ref-meeting-label", date(r.meeting_date)),
                row("ref-deadline-label", date(r.deadline_date)),
                row("ref-compulsion-label", date(r.compulsion_date)),
            ],
        },
        Section {
            heading: t("ref-risks-heading"),
            rows: vec![
                row("ref-safeguarding-label", text(&r.safeguarding_concerns)),
                row("ref-risk-label", text(&r.risk_to_visitor)),
            ],
        },
        Section {
            heading: t("ref-consent-heading"),
            rows: vec![
                row("ref-consent-legend", consent),
                row("ref-consent-note-label", text(&r.consent_note)),
            ],
        },
    ]
}

fn referral_page(
    state: &AppState,
    staff: &Staff,
    loaded: Loaded,
    typed: Option<&DecisionForm>,
    typed_status: Option<&StatusForm>,
    errors: FormErrors,
) -> ReferralPage {
    let t = |key: &str| state.catalogue.text(key);
    let layout = Layout::staff(state, staff, "ref-show-heading", "/referrals");
    let r = &loaded.referral;
    let assessed = suggestions_of(r);
    let suggestions = assessed
        .iter()
        .map(|(duty, outcome, d)| Suggestion {
            name: t(duty_key(duty)),
            outcome: t(outcome_key(outcome)),
            tag: match d.outcome {
                EligibilityOutcome::Eligible => "govuk-tag--green",
                EligibilityOutcome::NotEligible => "govuk-tag--grey",
                EligibilityOutcome::NeedsInformation => "govuk-tag--yellow",
            },
            must: match d.must {
                Some(true) => t("ref-must"),
                Some(false) => t("ref-may"),
                None => String::new(),
            },
            reasons: d
                .reasons
                .iter()
                .map(|reason| format!("{} ({})", reason.text, reason.rule.as_str()))
                .collect(),
            missing: d
                .missing
                .iter()
                .map(|path| missing_words(state, path))
                .collect(),
        })
        .collect();
    let deciding = matches!(r.status.as_str(), status::RECEIVED | status::ON_HOLD);
    let duties = assessed
        .iter()
        .map(|(duty, outcome, _)| {
            let default = if *outcome == "eligible" {
                "accept"
            } else {
                "decline"
            };
            let selected = typed.map(|f| f.decision(duty)).unwrap_or(default);
            let decision = radios(
                &layout,
                &format!("decision_{duty}"),
                &[("accept", "ref-accept"), ("decline", "ref-decline")],
                selected,
            );
            DutyForm {
                duty,
                name: t(duty_key(duty)),
                suggestion: t(outcome_key(outcome)),
                decision_id: format!("decision_{duty}"),
                decision,
                reason_id: format!("reason_{duty}"),
                reason: typed
                    .map(|f| f.reason(duty).to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let mut people: Vec<Choice> = loaded
        .people
        .iter()
        .map(|p| Choice {
            id: String::new(),
            name: "person".into(),
            value: p.id.to_string(),
            label: [
                format!("{} {}", p.given_name, p.family_name),
                p.date_of_birth
                    .map(|d| d.format("%-d %B %Y").to_string())
                    .unwrap_or_else(|| t("ref-no-date-of-birth")),
                p.postcode.clone().unwrap_or_else(|| t("ref-no-postcode")),
            ]
            .join(", "),
            checked: false,
        })
        .collect();
    people.push(Choice {
        id: String::new(),
        name: "person".into(),
        value: "new".into(),
        label: t("ref-person-new"),
        checked: false,
    });
    let chosen = typed
        .map(|f| f.person.trim().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "new".into());
    for (index, choice) in people.iter_mut().enumerate() {
        choice.id = if index == 0 {
            "person".into()
        } else {
            format!("person-{}", index + 1)
        };
        choice.checked = choice.value == chosen;
    }
    let mut decided: Vec<&DecisionRecord> = loaded.decisions.iter().collect();
    decided.sort_by_key(|d| Duty::ALL.iter().position(|duty| duty_code(*duty) == d.duty));
    let decisions = decided
        .into_iter()
        .map(|d| DecisionRow {
            name: t(duty_key(&d.duty)),
            suggested: t(outcome_key(&d.suggested)),
            decision: t(if d.decision == "accept" {
                "ref-accepted"
            } else {
                "ref-declined"
            }),
            reason: d.disagreement_reason.clone().unwrap_or_default(),
        })
        .collect();
    let status_options: &[(&str, &str)] = match r.status.as_str() {
        status::RECEIVED => &[
            (status::ON_HOLD, "ref-put-on-hold"),
            (status::WITHDRAWN, "ref-withdraw"),
        ],
        status::ON_HOLD => &[
            (status::RECEIVED, "ref-reopen"),
            (status::WITHDRAWN, "ref-withdraw"),
        ],
        status::WITHDRAWN | status::DECLINED => &[(status::RECEIVED, "ref-reopen")],
        _ => &[],
    };
    let status_choices = radios(
        &layout,
        "status",
        status_options,
        typed_status.map(|f| f.status.as_str()).unwrap_or_default(),
    );
    ReferralPage {
        id: r.id,
        reference: r.reference.clone(),
        person: format!("{} {}", r.given_name, r.family_name),
        status: t(status_key(&r.status)),
        status_reason: r.status_reason.clone().unwrap_or_default(),
        version: r.version,
        sections: sections(state, r),
        suggestions,
        deciding,
        people,
        duties,
        decline_reason: typed.map(|f| f.decline_reason.clone()).unwrap_or_default(),
        decisions,
        declined: r.status == status::DECLINED,
        status_choices,
        reason: typed_status.map(|f| f.reason.clone()).unwrap_or_default(),
        layout,
        errors,
    }
}

/// `GET /referrals/{id}`.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &staff, id).await?;
    render(&referral_page(
        &state,
        &staff,
        loaded,
        None,
        None,
        FormErrors::none(),
    ))
}

/// The calendar for statutory deadlines: England and Wales as shipped, plus any bank
/// holidays an administrator has added.
pub(crate) async fn calendar(state: &AppState) -> Result<WorkingDayCalendar, AppError> {
    let store = state.store.clone();
    blocking(move || working_day_calendar(&store)).await
}

/// The shipped bank holidays with the days the installation added, for work that
/// already runs off the async runtime.
pub(crate) fn working_day_calendar(
    store: &advocase_storage::Store,
) -> Result<WorkingDayCalendar, advocase_storage::StoreError> {
    let added = store.added_calendar_days(Nation::EnglandAndWales)?;
    Ok(WorkingDayCalendar::shipped(Nation::EnglandAndWales)
        .with_extra_days(added.into_iter().map(|d| d.day)))
}

/// `POST /referrals/{id}/decision`: intake's decision on every duty. A decision against
/// the engine's suggestion needs a reason; declining every duty needs the reason the
/// person and referrer will be told.
pub async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &staff, id).await?;
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Err(AppError::Conflict);
    };
    let referral = &loaded.referral;
    let t = |key: &str| state.catalogue.text(key);
    let mut invalid = Invalid::default();
    let calendar = calendar(&state).await?;
    let mut decisions = Vec::new();
    for (duty, outcome, _) in suggestions_of(referral) {
        let name = t(duty_key(duty));
        let accept = match form.decision(duty).trim() {
            "accept" => true,
            "decline" => false,
            _ => {
                invalid.push(
                    format!("decision_{duty}"),
                    msg::REF_DECISION_INVALID.with("duty", &name),
                );
                continue;
            }
        };
        let against = (outcome == "eligible" && !accept) || (outcome == "not_eligible" && accept);
        let reason = form.reason(duty).trim();
        if reason.chars().count() > MAX_TEXT {
            invalid.push(format!("reason_{duty}"), msg::REF_REASON_TOO_LONG);
        } else if against && reason.is_empty() {
            invalid.push(
                format!("reason_{duty}"),
                msg::REF_DISAGREE_REASON_INVALID.with("duty", &name),
            );
        }
        decisions.push(DutyDecision {
            duty: duty.to_string(),
            suggested: outcome.to_string(),
            accept,
            disagreement_reason: (!reason.is_empty()).then(|| reason.to_string()),
            introduction_due: match (duty, accept, referral.compulsion_date) {
                ("imha", true, Some(compulsion)) => {
                    Some(imha_introduction_due(&calendar, compulsion))
                }
                _ => None,
            },
        });
    }
    let decline_reason = form.decline_reason.trim();
    let all_declined = decisions.len() == Duty::ALL.len() && decisions.iter().all(|d| !d.accept);
    if decline_reason.chars().count() > MAX_TEXT {
        invalid.push("decline_reason", msg::REF_REASON_TOO_LONG);
    } else if all_declined && decline_reason.is_empty() {
        invalid.push("decline_reason", msg::REF_DECLINE_REASON_INVALID);
    }
    let person = match form.person.trim() {
        "" | "new" => Some(PersonChoice::Create),
        value => match value.parse::<i64>() {
            Ok(pid) if loaded.people.iter().any(|p| p.id == pid) => Some(PersonChoice::Link(pid)),
            _ => {
                invalid.push("person", msg::REF_PERSON_INVALID);
                None
            }
        },
    };
    let (Some(person), true) = (person, invalid.is_empty()) else {
        let page = referral_page(&state, &staff, loaded, Some(&form), None, invalid.into());
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let reason = (!decline_reason.is_empty()).then(|| decline_reason.to_string());
    let decided = blocking(move || {
        store.decide_referral(&actor, id, version, &decisions, person, reason.as_deref())
    })
    .await;
    match decided {
        Ok(_) => Ok(Redirect::to(&format!("/referrals/{id}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let page = referral_page(&state, &staff, loaded, Some(&form), None, invalid.into());
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}

/// `POST /referrals/{id}/status`: put on hold, withdraw or re-open, with the reason.
pub async fn change_status(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &staff, id).await?;
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Err(AppError::Conflict);
    };
    let mut invalid = Invalid::default();
    let new_status = form.status.trim();
    if ![status::ON_HOLD, status::WITHDRAWN, status::RECEIVED].contains(&new_status) {
        invalid.push("status", msg::REF_STATUS_INVALID);
    }
    let reason = form.reason.trim();
    if reason.is_empty() {
        invalid.push("reason", msg::REF_STATUS_REASON_INVALID);
    } else if reason.chars().count() > MAX_TEXT {
        invalid.push("reason", msg::REF_REASON_TOO_LONG);
    }
    if !invalid.is_empty() {
        let page = referral_page(&state, &staff, loaded, None, Some(&form), invalid.into());
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (new_status, reason) = (new_status.to_string(), reason.to_string());
    let changed =
        blocking(move || store.set_referral_status(&actor, id, version, &new_status, &reason))
            .await;
    match changed {
        Ok(()) => Ok(Redirect::to(&format!("/referrals/{id}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let page = referral_page(&state, &staff, loaded, None, Some(&form), invalid.into());
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// The letter that explains a refusal and how to challenge it
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "referrals/letter.html")]
struct LetterPage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    provider: String,
    date: String,
    reference: String,
    person: String,
    referrer: String,
    received: String,
    reason: String,
    local_authority: String,
}

/// `GET /referrals/{id}/letter`: for a declined referral only.
pub async fn letter(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &staff, id).await?;
    let r = &loaded.referral;
    if r.status != status::DECLINED {
        return Err(AppError::NotFound);
    }
    let store = state.store.clone();
    let provider_id = r.provider_id;
    let provider = blocking(move || store.organisation(provider_id)).await?;
    let referrer = match r.referrer_kind.as_str() {
        "self" => String::new(),
        _ => r.referrer_name.clone().unwrap_or_default(),
    };
    render(&LetterPage {
        layout: Layout::staff(&state, &staff, "letter-heading", "/referrals"),
        errors: FormErrors::none(),
        id: r.id,
        provider: provider.name,
        date: today().format("%-d %B %Y").to_string(),
        reference: r.reference.clone(),
        person: format!("{} {}", r.given_name, r.family_name),
        referrer,
        received: clock::local(r.received_at).format("%-d %B %Y").to_string(),
        reason: r.status_reason.clone().unwrap_or_default(),
        local_authority: r.local_authority.clone().unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------------------
// The waiting list
// ---------------------------------------------------------------------------------------

pub struct WaitingEntry {
    pub position: usize,
    pub case_id: i64,
    pub person: String,
    pub duty: String,
    pub reference: String,
    pub referral_id: i64,
    pub reasons: Vec<String>,
    pub overdue: bool,
    pub due_today: bool,
}

/// A reason for a case's place on the waiting list, in words.
fn waiting_reason_words(c: &advocase_i18n::Catalogue, reason: &WaitingReason) -> String {
    let date = |d: &NaiveDate| d.format("%-d %b %Y").to_string();
    // The keys for a date that is overdue, due today and due later.
    let due = |[overdue, today, later]: [&str; 3], d: &NaiveDate, state: &DueState| {
        let key = match state {
            DueState::Overdue => overdue,
            DueState::Today => today,
            DueState::Later => later,
        };
        c.text_with(key, "date", &date(d))
    };
    match reason {
        WaitingReason::ImhaIntroduction(d, state) => due(
            [
                "waiting-reason-imha-overdue",
                "waiting-reason-imha-today",
                "waiting-reason-imha-due",
            ],
            d,
            state,
        ),
        WaitingReason::Detained => c.text("waiting-reason-detained"),
        WaitingReason::SafeguardingRisk => c.text("waiting-reason-safeguarding"),
        WaitingReason::MeetingOn(d) => c.text_with("waiting-reason-meeting", "date", &date(d)),
        WaitingReason::DeadlineOn(d) => c.text_with("waiting-reason-deadline", "date", &date(d)),
        WaitingReason::FirstContact(d, state) => due(
            [
                "waiting-reason-first-contact-overdue",
                "waiting-reason-first-contact-today",
                "waiting-reason-first-contact-due",
            ],
            d,
            state,
        ),
        WaitingReason::Waited(days) => c.text_with_count("waiting-reason-waited", "days", *days),
    }
}

#[derive(Template)]
#[template(path = "referrals/waiting.html")]
struct WaitingPage {
    layout: Layout,
    errors: FormErrors,
    entries: Vec<WaitingEntry>,
    overdue: usize,
    due_today: usize,
    /// Managers allocate from the waiting list; intake workers only read it.
    may_allocate: bool,
}

/// The waiting list in the order of the service prioritisation procedure, each case
/// with the row it came from.
async fn prioritised(
    state: &AppState,
    staff: &Staff,
) -> Result<Vec<(Placed, WaitingRow)>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let rows = blocking(move || store.waiting_list(&actor)).await?;
    let calendar = calendar(state).await?;
    let cases = rows
        .iter()
        .map(|row| {
            let received_on = clock::local(row.received_at).date();
            WaitingCase {
                case_id: row.case.id,
                duty: row.case.duty.clone(),
                introduction_due: row.case.introduction_due,
                detained: row.detained,
                safeguarding_risk: row.safeguarding_risk,
                meeting_date: row.meeting_date,
                deadline_date: row.deadline_date,
                received_on,
                first_contact_due: row
                    .first_contact_days
                    .map(|days| first_contact_target_due(&calendar, received_on, days)),
            }
        })
        .collect();
    let mut rows = rows;
    Ok(prioritise(cases, today())
        .into_iter()
        .filter_map(|placed| {
            let at = rows.iter().position(|r| r.case.id == placed.case.case_id)?;
            Some((placed, rows.swap_remove(at)))
        })
        .collect())
}

/// How many waiting cases are past their statutory deadline, and how many are due today,
/// for the intake worker's and manager's home page.
pub async fn waiting_counts(state: &AppState, staff: &Staff) -> Result<(usize, usize), AppError> {
    let list = prioritised(state, staff).await?;
    Ok((
        list.iter().filter(|(p, _)| p.overdue).count(),
        list.iter().filter(|(p, _)| p.due_today).count(),
    ))
}

/// `GET /waiting-list`.
pub async fn waiting_list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::IntakeWorker, Role::Manager])?;
    let list = prioritised(&state, &staff).await?;
    let entries: Vec<WaitingEntry> = list
        .into_iter()
        .enumerate()
        .map(|(index, (placed, row))| WaitingEntry {
            position: index + 1,
            case_id: row.case.id,
            person: row.person_name,
            duty: state.catalogue.text(duty_key(&row.case.duty)),
            reference: row.reference,
            referral_id: row.case.referral_id,
            reasons: placed
                .reasons
                .iter()
                .map(|r| waiting_reason_words(&state.catalogue, r))
                .collect(),
            overdue: placed.overdue,
            due_today: placed.due_today,
        })
        .collect();
    render(&WaitingPage {
        layout: Layout::staff(&state, &staff, "waiting-heading", "/waiting-list"),
        errors: FormErrors::none(),
        overdue: entries.iter().filter(|e| e.overdue).count(),
        due_today: entries.iter().filter(|e| e.due_today).count(),
        entries,
        may_allocate: staff.actor.role == Role::Manager,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Catalogue;

    #[test]
    fn every_waiting_list_reason_reads_as_a_sentence() {
        let c = Catalogue::english();
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let words = |reason| waiting_reason_words(&c, &reason);
        assert_eq!(
            words(WaitingReason::ImhaIntroduction(day, DueState::Overdue)),
            "IMHA introduction overdue since 20 Nov 2026"
        );
        assert_eq!(
            words(WaitingReason::ImhaIntroduction(day, DueState::Today)),
            "IMHA introduction due today"
        );
        assert_eq!(
            words(WaitingReason::FirstContact(day, DueState::Later)),
            "First contact due by 20 Nov 2026 (contract target)"
        );
        assert_eq!(words(WaitingReason::Waited(1)), "Waiting 1 day");
        assert_eq!(words(WaitingReason::Waited(21)), "Waiting 21 days");
        for reason in [
            WaitingReason::ImhaIntroduction(day, DueState::Later),
            WaitingReason::Detained,
            WaitingReason::SafeguardingRisk,
            WaitingReason::MeetingOn(day),
            WaitingReason::DeadlineOn(day),
            WaitingReason::FirstContact(day, DueState::Overdue),
            WaitingReason::FirstContact(day, DueState::Today),
        ] {
            let text = words(reason);
            assert!(
                !text.starts_with("waiting-reason"),
                "{reason:?} has no words: {text}"
            );
        }
    }

    #[test]
    fn references_are_grouped_four_and_four_from_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let reference = new_reference();
            assert_eq!(reference.len(), 11, "{reference}");
            assert!(reference.starts_with("R-") && reference.as_bytes()[6] == b'-');
            assert!(
                reference[2..]
                    .chars()
                    .filter(|c| *c != '-')
                    .all(|c| REFERENCE_ALPHABET.contains(&(c as u8))),
                "{reference}"
            );
            assert!(!reference[2..].contains(['0', 'O', '1', 'I']));
        }
    }

    #[test]
    fn every_choice_and_status_has_its_words_in_the_catalogue() {
        let catalogue = Catalogue::english();
        let lists: [&[(&str, &str)]; 12] = [
            &REFERRER_KINDS,
            &YES_NO,
            &YES_NO_NOT_SURE,
            &CONTACT,
            &MHA_STATUS,
            &CARE_PROCESS,
            &DIFFICULTY,
            &MCA_DECISION,
            &CONSENT,
            &COMMUNICATION,
            &STATUSES,
            &[("accept", "ref-accept"), ("decline", "ref-decline")],
        ];
        let mut keys: Vec<String> = lists
            .iter()
            .flat_map(|list| list.iter().map(|(_, key)| key.to_string()))
            .collect();
        keys.extend(STATUSES.iter().map(|(_, key)| format!("{key}-explained")));
        keys.extend(
            ["care_act", "imha", "imca", "nhs_complaints", "other"]
                .map(|d| duty_key(d).to_string()),
        );
        keys.extend(
            ["eligible", "not_eligible", "needs_information"].map(|o| outcome_key(o).to_string()),
        );
        let missing: Vec<&String> = keys.iter().filter(|k| !catalogue.has(k)).collect();
        assert!(missing.is_empty(), "missing from en-GB.ftl: {missing:?}");
    }
}
