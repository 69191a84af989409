//! Confidentiality pages: the reason a manager gives before opening a case that is not
//! theirs, emergency (break-glass) access, restricted records, consents and the sharing
//! check, breaches of confidentiality, subject access requests and their export, legal
//! holds, and the retention review that destroys records at the end of their period.
//!
//! The rules live in the domain and storage crates; these handlers parse the forms,
//! call the store and render.

use super::cases::code_key;
use super::forms::{FieldKind, FormField, FormSpec, show_form};
use super::manager;
use super::people::person_file;
use super::{Choice, FormErrors, Layout, radios, render, when};
use super::{code_select as code_options, iso_date, long_date as date};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock;
use crate::error::AppError;
use advocase_domain::clocks::subject_access_due;
use advocase_domain::confidentiality::{
    BreachAnswers, BreachGround, BreakGlassAnswers, ConsentAnswers, ConsentGiven, ConsentScope,
    LawfulBasis, Requester, SharingRefusal, SubjectAccessAnswers, ViewReason, ViewReasonAnswers,
};
use advocase_domain::identity::Role;
use advocase_domain::referral::MAX_TEXT;
use advocase_domain::validation::{Invalid, required_text};
use advocase_i18n::{label, msg};
use advocase_storage::casework::PersonFile;
use advocase_storage::confidentiality::{
    BreachRow, PersonConfidentiality, ReasonTarget, RetentionCandidate, SubjectAccessExport,
};
use askama::Template;
use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

fn person_name(file: &PersonFile) -> String {
    format!("{} {}", file.person.given_name, file.person.family_name)
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Options for a select from a set of codes, with a first "choose" entry.
// ---------------------------------------------------------------------------------------
// A manager's reason for opening a case
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// What a page path asks a reason for: `/cases/{id}…` or `/people/{id}…`. Anything else
/// is refused, so the form cannot be used to redirect elsewhere.
fn reason_target(next: &str) -> Option<ReasonTarget> {
    let mut parts = next.strip_prefix('/')?.split(['/', '?']);
    let kind = parts.next()?;
    let id = parts.next()?.parse::<i64>().ok()?;
    match kind {
        "cases" => Some(ReasonTarget::Case(id)),
        "people" => Some(ReasonTarget::Person(id)),
        _ => None,
    }
}

/// Where to send the manager back to: the page they asked for when its path is plainly
/// a case or person page, else the case or person itself. Never the text as sent, so
/// nothing odd reaches the `Location` header.
fn return_path(next: &str, target: ReasonTarget) -> String {
    let plain = next.len() <= 200
        && next
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '/' || c == '-');
    if plain {
        return next.to_string();
    }
    match target {
        ReasonTarget::Case(id) => format!("/cases/{id}"),
        ReasonTarget::Person(id) => format!("/people/{id}"),
    }
}

fn reason_spec(
    state: &AppState,
    layout: &Layout,
    next: &str,
    answers: &ViewReasonAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let codes: Vec<(String, String)> = ViewReason::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), code_key("view-reason", r.as_str())))
        .collect();
    let codes: Vec<(&str, &str)> = codes
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    FormSpec {
        intro: t("view-reason-intro"),
        action: "/reason".into(),
        back: "/cases".into(),
        button: t("view-reason-save"),
        hidden: vec![("next".into(), next.to_string())],
        fields: vec![
            FormField::new(
                "reason",
                t("view-reason-label"),
                FieldKind::Radios(radios(layout, "reason", &codes, &answers.reason)),
                &answers.reason,
            ),
            FormField::new(
                "detail",
                t("view-reason-detail-label"),
                FieldKind::Text,
                &answers.detail,
            )
            .hint(t("view-reason-detail-hint")),
        ],
        ..Default::default()
    }
}

/// `GET /reason?next=/cases/12`: asked of a manager the first time they open a case
/// that is not allocated to them.
pub async fn reason_form(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    reason_target(&query.next).ok_or(AppError::NotFound)?;
    let layout = Layout::staff(&state, &staff, "view-reason-heading", "/cases");
    let spec = reason_spec(&state, &layout, &query.next, &ViewReasonAnswers::default());
    show_form(layout, FormErrors::none(), spec)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    next: String,
    reason: String,
    detail: String,
}

/// `POST /reason`.
pub async fn reason_submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<ReasonForm>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let target = reason_target(&form.next).ok_or(AppError::NotFound)?;
    let answers = ViewReasonAnswers {
        reason: form.reason,
        detail: form.detail,
    };
    let layout = Layout::staff(&state, &staff, "view-reason-heading", "/cases");
    let (reason, detail) = match answers.parse() {
        Ok(parsed) => parsed,
        Err(invalid) => {
            let spec = reason_spec(&state, &layout, &form.next, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.give_view_reason(&actor, target, reason, detail.as_deref())).await?;
    Ok(Redirect::to(&return_path(&form.next, target)).into_response())
}

// ---------------------------------------------------------------------------------------
// Emergency (break-glass) access
// ---------------------------------------------------------------------------------------

fn break_glass_spec(state: &AppState, answers: &BreakGlassAnswers) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    FormSpec {
        intro: state.catalogue.text_with(
            "break-glass-intro",
            "hours",
            &state.config.break_glass_hours.to_string(),
        ),
        action: "/emergency-access".into(),
        back: "/cases".into(),
        button: t("break-glass-save"),
        fields: vec![
            FormField::new(
                "case_number",
                t("break-glass-case-label"),
                FieldKind::Text,
                &answers.case_number,
            )
            .hint(t("break-glass-case-hint")),
            FormField::new(
                "reason",
                t("break-glass-reason-label"),
                FieldKind::TextArea,
                &answers.reason,
            )
            .hint(t("break-glass-reason-hint")),
        ],
        ..Default::default()
    }
}

/// `GET /emergency-access`: an advocate asks to open a case that is not theirs.
pub async fn break_glass_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Advocate])?;
    let layout = Layout::staff(&state, &staff, "break-glass-heading", "/emergency-access");
    show_form(
        layout,
        FormErrors::none(),
        break_glass_spec(&state, &BreakGlassAnswers::default()),
    )
}

/// `POST /emergency-access`.
pub async fn break_glass_submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(answers): Form<BreakGlassAnswers>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Advocate])?;
    let layout = Layout::staff(&state, &staff, "break-glass-heading", "/emergency-access");
    let (case_id, reason) = match answers.parse() {
        Ok(parsed) => parsed,
        Err(invalid) => {
            return show_form(layout, invalid.into(), break_glass_spec(&state, &answers));
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let hours = state.config.break_glass_hours;
    match blocking(move || store.open_break_glass(&actor, case_id, &reason, hours)).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{case_id}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            show_form(layout, invalid.into(), break_glass_spec(&state, &answers))
        }
        Err(other) => Err(other),
    }
}

/// `POST /emergency-access/{id}/reviewed`: a manager has looked at an emergency access.
pub async fn break_glass_reviewed(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.review_break_glass(&actor, id)).await?;
    Ok(Redirect::to("/").into_response())
}

/// What a manager's home page shows about confidentiality: emergency accesses to
/// review and subject access requests with their clocks.
pub struct ManagerAlerts {
    /// (id, who, case number, reason, opened, ends)
    pub break_glass: Vec<(i64, String, i64, String, String, String)>,
    /// (person id, name, received, due, overdue)
    pub subject_access: Vec<(i64, String, String, String, bool)>,
    /// What the daily retention check found, when it found anyone past the period.
    pub retention: Option<String>,
}

pub async fn manager_alerts(state: &AppState, staff: &Staff) -> Result<ManagerAlerts, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (accesses, requests, retention) = blocking(move || {
        Ok::<_, advocase_storage::StoreError>((
            store.break_glass_to_review(&actor)?,
            store.open_subject_access_requests(&actor)?,
            store.retention_check(&actor)?,
        ))
    })
    .await?;
    let today = clock::today();
    Ok(ManagerAlerts {
        retention: retention.filter(|check| check.people_due > 0).map(|check| {
            let c = &state.catalogue;
            format!(
                "{} {}",
                c.text_with(
                    "home-retention-checked",
                    "date",
                    &date(clock::local(check.checked_at).date())
                ),
                c.text_with_count("home-retention-count", "count", check.people_due)
            )
        }),
        break_glass: accesses
            .into_iter()
            .map(|row| {
                (
                    row.record.id,
                    row.opened_by,
                    row.record.case_id,
                    row.record.reason,
                    when(clock::local(row.record.opened_at)),
                    when(clock::local(row.record.expires_at)),
                )
            })
            .collect(),
        subject_access: requests
            .into_iter()
            .map(|row| {
                (
                    row.record.person_id,
                    row.person_name,
                    date(row.record.received_on),
                    date(row.record.due_on),
                    row.record.due_on < today,
                )
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// The confidentiality part of the person record
// ---------------------------------------------------------------------------------------

/// The confidentiality records of a person, in words, for the person page.
pub struct PersonConfidentialityView {
    pub restricted_to: Vec<String>,
    /// (id, what, recipient, basis, given, until, withdrawn, note)
    pub consents: Vec<ConsentLine>,
    pub breaches: Vec<BreachLine>,
    /// (id, received, due, answered, overdue)
    pub requests: Vec<(i64, String, String, String, bool)>,
    pub legal_hold: Option<String>,
}

pub struct ConsentLine {
    pub id: i64,
    pub what: String,
    pub recipient: String,
    pub basis: String,
    pub given: String,
    pub until: String,
    pub withdrawn: String,
    pub note: String,
}

pub struct BreachLine {
    pub person_id: i64,
    pub person: String,
    pub decided_on: String,
    pub ground: String,
    pub why: String,
    pub decided_by: String,
    pub who_was_told: String,
    pub person_told: String,
    pub case_id: Option<i64>,
}

fn breach_line(
    state: &AppState,
    record: &advocase_storage::confidentiality::BreachRecord,
    person: String,
) -> BreachLine {
    let t = |key: &str| state.catalogue.text(key);
    BreachLine {
        person_id: record.person_id,
        person,
        decided_on: date(record.decided_on),
        ground: t(&code_key("breach-ground", &record.ground)),
        why: record.why.clone(),
        decided_by: record.decided_by.clone(),
        who_was_told: record.who_was_told.clone(),
        person_told: match (&record.person_told, &record.not_told_why) {
            (true, _) => t("ref-answer-yes"),
            (false, Some(why)) => format!("{}: {why}", t("ref-answer-no")),
            (false, None) => t("ref-answer-no"),
        },
        case_id: record.case_id,
    }
}

pub fn person_view(state: &AppState, c: &PersonConfidentiality) -> PersonConfidentialityView {
    let t = |key: &str| state.catalogue.text(key);
    let today = clock::today();
    PersonConfidentialityView {
        restricted_to: c
            .restricted_to
            .iter()
            .map(|(_, name)| name.clone())
            .collect(),
        consents: c
            .consents
            .iter()
            .map(|consent| ConsentLine {
                id: consent.id,
                what: t(&code_key("consent-scope", &consent.scope)),
                recipient: consent.recipient.clone(),
                basis: match &consent.given_how {
                    Some(how) => format!(
                        "{} ({})",
                        t(&code_key("lawful-basis", &consent.basis)),
                        t(&code_key("consent-given", how))
                    ),
                    None => t(&code_key("lawful-basis", &consent.basis)),
                },
                given: date(consent.given_on),
                until: consent
                    .valid_until
                    .map(date)
                    .unwrap_or_else(|| t("consent-no-end")),
                withdrawn: consent.withdrawn_on.map(date).unwrap_or_default(),
                note: consent.note.clone().unwrap_or_default(),
            })
            .collect(),
        breaches: c
            .breaches
            .iter()
            .map(|b| breach_line(state, b, String::new()))
            .collect(),
        requests: c
            .subject_access
            .iter()
            .map(|r| {
                (
                    r.id,
                    date(r.received_on),
                    date(r.due_on),
                    r.answered_on.map(date).unwrap_or_default(),
                    r.answered_on.is_none() && r.due_on < today,
                )
            })
            .collect(),
        legal_hold: c.legal_hold.as_ref().map(|h| h.reason.clone()),
    }
}

// ---------------------------------------------------------------------------------------
// Consents
// ---------------------------------------------------------------------------------------

fn consent_spec(
    state: &AppState,
    layout: &Layout,
    file: &PersonFile,
    a: &ConsentAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let scopes: Vec<&str> = ConsentScope::ALL.iter().map(|s| s.as_str()).collect();
    let scope_keys: Vec<(String, String)> = scopes
        .iter()
        .map(|s| (s.to_string(), code_key("consent-scope", s)))
        .collect();
    let scope_keys: Vec<(&str, &str)> = scope_keys
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    let bases: Vec<(String, String)> = LawfulBasis::ALL
        .iter()
        .map(|b| (b.as_str().to_string(), code_key("lawful-basis", b.as_str())))
        .collect();
    let bases: Vec<(&str, &str)> = bases
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    let given: Vec<&str> = ConsentGiven::ALL.iter().map(|g| g.as_str()).collect();
    FormSpec {
        caption: person_name(file),
        intro: t("consent-intro"),
        action: format!("/people/{}/consents", file.person.id),
        back: format!("/people/{}", file.person.id),
        button: t("consent-save"),
        fields: vec![
            FormField::new(
                "scope",
                t("consent-scope-label"),
                FieldKind::Radios(radios(layout, "scope", &scope_keys, &a.scope)),
                &a.scope,
            ),
            FormField::new(
                "recipient",
                t("consent-recipient-label"),
                FieldKind::Text,
                &a.recipient,
            )
            .hint(t("consent-recipient-hint")),
            FormField::new(
                "basis",
                t("consent-basis-label"),
                FieldKind::Radios(radios(layout, "basis", &bases, &a.basis)),
                &a.basis,
            ),
            FormField::new(
                "given_how",
                t("consent-given-how-label"),
                FieldKind::Select(code_options(state, "consent-given", &given)),
                &a.given_how,
            )
            .hint(t("consent-given-how-hint")),
            FormField::new(
                "given_on",
                t("consent-given-on-label"),
                FieldKind::Date,
                &a.given_on,
            ),
            FormField::new(
                "valid_until",
                t("consent-until-label"),
                FieldKind::Date,
                &a.valid_until,
            )
            .hint(t("consent-until-hint")),
            FormField::new(
                "note",
                t("consent-note-label"),
                FieldKind::TextArea,
                &a.note,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /people/{id}/consents/new`.
pub async fn consent_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "consent-heading", "/cases");
    let answers = ConsentAnswers {
        given_on: iso_date(clock::today()),
        ..Default::default()
    };
    let spec = consent_spec(&state, &layout, &file, &answers);
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /people/{id}/consents`.
pub async fn consent_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ConsentAnswers>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "consent-heading", "/cases");
    let consent = match answers.parse(clock::today()) {
        Ok(consent) => consent,
        Err(invalid) => {
            let spec = consent_spec(&state, &layout, &file, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.add_consent(&actor, id, &consent)).await?;
    Ok(Redirect::to(&format!("/people/{id}#consents")).into_response())
}

/// `POST /consents/{id}/withdraw`: withdrawn from today.
pub async fn consent_withdraw(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let person = blocking(move || store.withdraw_consent(&actor, id, today)).await?;
    Ok(Redirect::to(&format!("/people/{person}#consents")).into_response())
}

// ---------------------------------------------------------------------------------------
// Sharing, checked against consent
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ShareForm {
    scope: String,
    recipient: String,
}

fn share_spec(state: &AppState, layout: &Layout, file: &PersonFile, f: &ShareForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let scopes: Vec<(String, String)> = ConsentScope::ALL
        .iter()
        .filter(|s| **s != ConsentScope::AllRecords)
        .map(|s| {
            (
                s.as_str().to_string(),
                code_key("consent-scope", s.as_str()),
            )
        })
        .collect();
    let scopes: Vec<(&str, &str)> = scopes
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    FormSpec {
        caption: person_name(file),
        intro: t("share-intro"),
        action: format!("/people/{}/share", file.person.id),
        back: format!("/people/{}", file.person.id),
        button: t("share-save"),
        fields: vec![
            FormField::new(
                "scope",
                t("share-scope-label"),
                FieldKind::Radios(radios(layout, "scope", &scopes, &f.scope)),
                &f.scope,
            ),
            FormField::new(
                "recipient",
                t("consent-recipient-label"),
                FieldKind::Text,
                &f.recipient,
            )
            .hint(t("share-recipient-hint")),
        ],
        ..Default::default()
    }
}

/// `GET /people/{id}/share`.
pub async fn share_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "share-heading", "/cases");
    let spec = share_spec(&state, &layout, &file, &ShareForm::default());
    show_form(layout, FormErrors::none(), spec)
}

/// One case in a shared summary: its duty, its status, and each issue with its outcome.
type SummaryCase = (String, String, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "people/share.html")]
struct SharePage {
    layout: Layout,
    errors: FormErrors,
    person_id: i64,
    name: String,
    recipient: String,
    what: String,
    /// The basis when allowed; the refusal in words when not.
    allowed: Option<String>,
    refusal: String,
    /// For an allowed case summary: (duty, status, issues with outcomes).
    summary: Vec<SummaryCase>,
    today: String,
}

/// `POST /people/{id}/share`: checks consent first. When allowed, shows what may be
/// shared (for a case summary, the summary itself, ready to print); when not, says why.
pub async fn share_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ShareForm>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "share-heading", "/cases");
    let mut invalid = Invalid::default();
    let scope = ConsentScope::parse(&form.scope).filter(|s| *s != ConsentScope::AllRecords);
    if scope.is_none() {
        invalid.push("scope", msg::SHARE_SCOPE_INVALID);
    }
    let recipient = invalid.check(required_text(
        "recipient",
        label::WHO_YOU_WANT_TO_SHARE_IT_WITH,
        &form.recipient,
        200,
    ));
    let (Some(scope), Some(recipient), true) = (scope, recipient, invalid.is_empty()) else {
        let spec = share_spec(&state, &layout, &file, &form);
        return show_form(layout, invalid.into(), spec);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let asked = recipient.clone();
    let decision = blocking(move || store.check_share(&actor, id, scope, &asked, today)).await?;
    let t = |key: &str| state.catalogue.text(key);
    let (allowed, refusal) = match decision {
        Ok(basis) => (
            Some(t(&code_key("lawful-basis", basis.as_str()))),
            String::new(),
        ),
        Err(refusal) => (
            None,
            match refusal {
                SharingRefusal::NothingRecorded => t("share-refused-nothing"),
                SharingRefusal::OtherInformationOnly => t("share-refused-other"),
                SharingRefusal::Withdrawn(on) => {
                    state
                        .catalogue
                        .text_with("share-refused-withdrawn", "date", &date(on))
                }
                SharingRefusal::Expired(on) => {
                    state
                        .catalogue
                        .text_with("share-refused-expired", "date", &date(on))
                }
                SharingRefusal::NotYetGiven(on) => {
                    state
                        .catalogue
                        .text_with("share-refused-not-yet", "date", &date(on))
                }
            },
        ),
    };
    let summary = if allowed.is_some() && scope == ConsentScope::CaseSummary {
        file.cases
            .iter()
            .map(|c| {
                (
                    t(&code_key("duty", &c.case.duty)),
                    t(&code_key("case-status", &c.case.status)),
                    c.issues
                        .iter()
                        .map(|i| {
                            (
                                i.in_their_words.clone(),
                                i.outcome
                                    .as_deref()
                                    .map(|o| t(&code_key("outcome", o)))
                                    .unwrap_or_else(|| t("share-issue-open")),
                            )
                        })
                        .collect(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&SharePage {
        layout,
        errors: FormErrors::none(),
        person_id: id,
        name: person_name(&file),
        recipient,
        // The choice's label, put in the middle of a sentence.
        what: lower_first(&t(&code_key("consent-scope", scope.as_str()))),
        allowed,
        refusal,
        summary,
        today: date(today),
    })
}

// ---------------------------------------------------------------------------------------
// Breaches of confidentiality
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct BreachForm {
    #[serde(flatten)]
    answers: BreachAnswers,
    case: String,
}

fn breach_spec(state: &AppState, layout: &Layout, file: &PersonFile, f: &BreachForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let a = &f.answers;
    let grounds: Vec<&str> = BreachGround::ALL.iter().map(|g| g.as_str()).collect();
    let mut cases = vec![(String::new(), t("breach-no-case"))];
    cases.extend(file.cases.iter().map(|c| {
        (
            c.case.id.to_string(),
            format!("{} ({})", t(&code_key("duty", &c.case.duty)), c.case.id),
        )
    }));
    let yes_no = [("yes", "ref-answer-yes"), ("no", "ref-answer-no")];
    FormSpec {
        caption: person_name(file),
        intro: t("breach-intro"),
        action: format!("/people/{}/breaches", file.person.id),
        back: format!("/people/{}", file.person.id),
        button: t("breach-save"),
        fields: vec![
            FormField::new(
                "case",
                t("breach-case-label"),
                FieldKind::Select(cases),
                &f.case,
            ),
            FormField::new(
                "decided_on",
                t("breach-decided-on-label"),
                FieldKind::Date,
                &a.decided_on,
            ),
            FormField::new(
                "ground",
                t("breach-ground-label"),
                FieldKind::Select(code_options(state, "breach-ground", &grounds)),
                &a.ground,
            ),
            FormField::new("why", t("breach-why-label"), FieldKind::TextArea, &a.why),
            FormField::new(
                "decided_by",
                t("breach-decided-by-label"),
                FieldKind::Text,
                &a.decided_by,
            )
            .hint(t("breach-decided-by-hint")),
            FormField::new(
                "who_was_told",
                t("breach-told-label"),
                FieldKind::TextArea,
                &a.who_was_told,
            ),
            FormField::new(
                "person_told",
                t("breach-person-told-label"),
                FieldKind::InlineRadios(radios(layout, "person_told", &yes_no, &a.person_told)),
                &a.person_told,
            ),
            FormField::new(
                "not_told_why",
                t("breach-not-told-why-label"),
                FieldKind::TextArea,
                &a.not_told_why,
            )
            .hint(t("breach-not-told-why-hint")),
        ],
        ..Default::default()
    }
}

/// `GET /people/{id}/breaches/new`.
pub async fn breach_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "breach-heading", "/cases");
    let form = BreachForm {
        answers: BreachAnswers {
            decided_on: iso_date(clock::today()),
            ..Default::default()
        },
        case: String::new(),
    };
    let spec = breach_spec(&state, &layout, &file, &form);
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /people/{id}/breaches`.
pub async fn breach_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<BreachForm>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "breach-heading", "/cases");
    let case_id = match form.case.trim() {
        "" => Ok(None),
        text => text
            .parse::<i64>()
            .ok()
            .filter(|n| file.cases.iter().any(|c| c.case.id == *n))
            .map(Some)
            .ok_or_else(|| Invalid::one("case", msg::BREACH_CASE_INVALID)),
    };
    let parsed = form.answers.parse(clock::today());
    let (case_id, breach) = match (case_id, parsed) {
        (Ok(case_id), Ok(breach)) => (case_id, breach),
        (case_id, parsed) => {
            let mut invalid = Invalid::default();
            if let Err(e) = case_id {
                invalid.0.extend(e.0);
            }
            if let Err(e) = parsed {
                invalid.0.extend(e.0);
            }
            let spec = breach_spec(&state, &layout, &file, &form);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.record_breach(&actor, id, case_id, &breach)).await?;
    Ok(Redirect::to(&format!("/people/{id}#breaches")).into_response())
}

#[derive(Template)]
#[template(path = "confidentiality/breaches.html")]
struct BreachesPage {
    layout: Layout,
    errors: FormErrors,
    breaches: Vec<BreachLine>,
}

/// `GET /breaches`: every breach at the provider, for managers.
pub async fn breaches(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let rows: Vec<BreachRow> = blocking(move || store.breaches(&actor)).await?;
    render(&BreachesPage {
        layout: Layout::staff(&state, &staff, "breaches-heading", "/breaches"),
        errors: FormErrors::none(),
        breaches: rows
            .into_iter()
            .map(|row| breach_line(&state, &row.record, row.person_name))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Subject access
// ---------------------------------------------------------------------------------------

fn request_spec(
    state: &AppState,
    layout: &Layout,
    file: &PersonFile,
    a: &SubjectAccessAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let requesters: Vec<(String, String)> = Requester::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), code_key("requester", r.as_str())))
        .collect();
    let requesters: Vec<(&str, &str)> = requesters
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    FormSpec {
        caption: person_name(file),
        intro: t("sar-intro"),
        action: format!("/people/{}/subject-access", file.person.id),
        back: format!("/people/{}", file.person.id),
        button: t("sar-save"),
        fields: vec![
            FormField::new(
                "received_on",
                t("sar-received-label"),
                FieldKind::Date,
                &a.received_on,
            ),
            FormField::new(
                "requested_by",
                t("sar-requester-label"),
                FieldKind::Radios(radios(layout, "requested_by", &requesters, &a.requested_by)),
                &a.requested_by,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /people/{id}/subject-access/new`.
pub async fn request_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "sar-heading", "/cases");
    let answers = SubjectAccessAnswers {
        received_on: iso_date(clock::today()),
        ..Default::default()
    };
    let spec = request_spec(&state, &layout, &file, &answers);
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /people/{id}/subject-access`: logs the request with its one-month clock.
pub async fn request_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<SubjectAccessAnswers>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "sar-heading", "/cases");
    let (received_on, requester) = match answers.parse(clock::today()) {
        Ok(parsed) => parsed,
        Err(invalid) => {
            let spec = request_spec(&state, &layout, &file, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let calendar = super::referrals::calendar(&state).await?;
    let due_on = subject_access_due(&calendar, received_on);
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.record_subject_access(&actor, id, received_on, requester, due_on))
        .await?;
    Ok(Redirect::to(&format!("/people/{id}#subject-access")).into_response())
}

/// `POST /subject-access/{id}/answered`: answered today.
pub async fn request_answered(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let person = blocking(move || store.answer_subject_access(&actor, id, today)).await?;
    Ok(Redirect::to(&format!("/people/{person}#subject-access")).into_response())
}

async fn export_of(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<SubjectAccessExport, AppError> {
    manager(staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.subject_access_export(&actor, id)).await
}

#[derive(Template)]
#[template(path = "people/subject_access.html")]
struct ExportPage {
    layout: Layout,
    errors: FormErrors,
    person_id: i64,
    name: String,
    produced: String,
    details: Vec<(String, String)>,
    /// Each referral: its title, then (question, answer) rows.
    referrals: Vec<(String, Vec<(String, String)>)>,
    cases: Vec<ExportCaseView>,
    consents: Vec<ConsentLine>,
    breaches: Vec<BreachLine>,
    access: Vec<(String, String, String, String)>,
}

struct ExportCaseView {
    title: String,
    opened: String,
    closed: String,
    advocates: String,
    /// (when, how, what was discussed, what was agreed)
    contacts: Vec<(String, String, String, String)>,
    /// (in their words, outcome)
    issues: Vec<(String, String)>,
    work: Vec<(String, String)>,
    challenges: Vec<(String, String)>,
}

/// `GET /people/{id}/subject-access/export`: everything held about the person, in plain
/// English, ready to print or save as PDF from the browser.
pub async fn export_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let export = export_of(&state, &staff, id).await?;
    let t = |key: &str| state.catalogue.text(key);
    let p = &export.person;
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| t("ref-not-given"));
    let details = vec![
        (
            t("person-born-label"),
            p.date_of_birth
                .map(date)
                .unwrap_or_else(|| t("ref-not-given")),
        ),
        (t("person-address-label"), or_none(&p.address)),
        (t("person-postcode-label"), or_none(&p.postcode)),
        (t("person-phone-label"), or_none(&p.phone)),
        (t("person-email-label"), or_none(&p.email)),
        (t("person-language-label"), or_none(&p.language)),
        (
            t("person-communication-label"),
            or_none(&p.communication_needs),
        ),
        (
            t("sar-first-recorded"),
            when(clock::local(p.first_recorded)),
        ),
    ];
    let consent_view = person_view(
        &state,
        &PersonConfidentiality {
            consents: export.consents.clone(),
            breaches: export.breaches.clone(),
            ..Default::default()
        },
    );
    let referrals = export
        .referrals
        .iter()
        .map(|r| {
            let title = state.catalogue.text_with_args(
                "sar-referral-title",
                &[
                    ("reference", r.reference.as_str()),
                    ("date", date(clock::local(r.received_at).date()).as_str()),
                ],
            );
            let mut rows = vec![
                (
                    t("sar-referral-by"),
                    t(super::referrals::kind_key(&r.referrer_kind)),
                ),
                (t("ref-what-label"), r.what_is_happening.clone()),
            ];
            for (key, value) in [
                ("ref-safeguarding-label", &r.safeguarding_concerns),
                ("ref-risk-label", &r.risk_to_visitor),
            ] {
                if let Some(text) = value {
                    rows.push((t(key), text.clone()));
                }
            }
            rows.push((
                t("ref-consent-legend"),
                t(&code_key("ref-consent", &r.consent)),
            ));
            if let Some(note) = &r.consent_note {
                rows.push((t("ref-consent-note-label"), note.clone()));
            }
            let mut decision = t(super::referrals::status_key(&r.status));
            if let Some(reason) = &r.status_reason {
                decision = format!("{decision}: {reason}");
            }
            rows.push((t("sar-referral-decision"), decision));
            (title, rows)
        })
        .collect();
    let cases = export
        .cases
        .iter()
        .map(|c| ExportCaseView {
            title: format!(
                "{} ({} {})",
                t(&code_key("duty", &c.duty)),
                t("sar-case-number"),
                c.case_number
            ),
            opened: when(clock::local(c.opened_at)),
            closed: c
                .closed_at
                .map(|at| when(clock::local(at)))
                .unwrap_or_default(),
            advocates: c.advocates.join(", "),
            contacts: c
                .contacts
                .iter()
                .map(|k| {
                    (
                        when(k.occurred_at),
                        t(&code_key("contact-mode", &k.mode)),
                        k.discussed.clone(),
                        k.agreed.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            issues: c
                .issues
                .iter()
                .map(|i| {
                    (
                        i.in_their_words.clone(),
                        i.outcome
                            .as_deref()
                            .map(|o| t(&code_key("outcome", o)))
                            .unwrap_or_else(|| t("share-issue-open")),
                    )
                })
                .collect(),
            work: c
                .work
                .iter()
                .map(|w| (t(&code_key("work", &w.kind)), w.description.clone()))
                .collect(),
            challenges: c
                .challenges
                .iter()
                .map(|(ch, _)| (ch.decision.clone(), ch.result.clone().unwrap_or_default()))
                .collect(),
        })
        .collect();
    render(&ExportPage {
        layout: Layout::staff(&state, &staff, "sar-export-heading", "/cases"),
        errors: FormErrors::none(),
        person_id: id,
        name: format!("{} {}", p.given_name, p.family_name),
        produced: when(clock::local(export.produced_at)),
        details,
        referrals,
        cases,
        consents: consent_view.consents,
        breaches: consent_view.breaches,
        access: export
            .access_log
            .iter()
            .map(|e| {
                (
                    e.at.chars().take(16).collect::<String>().replace('T', " "),
                    e.by.clone().unwrap_or_else(|| t("sar-by-system")),
                    e.action.clone(),
                    e.record.clone(),
                )
            })
            .collect(),
    })
}

/// `GET /people/{id}/subject-access/export.json`: the same export as JSON.
pub async fn export_json(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let export = export_of(&state, &staff, id).await?;
    let mut response = Json(export).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_static("attachment; filename=\"subject-access.json\""),
    );
    Ok(response)
}

// ---------------------------------------------------------------------------------------
// Restriction and legal hold
// ---------------------------------------------------------------------------------------

async fn restriction_spec(
    state: &AppState,
    staff: &Staff,
    file: &PersonFile,
    chosen: &[i64],
) -> Result<FormSpec, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let colleagues = blocking(move || store.colleagues(&actor)).await?;
    let options: Vec<Choice> = colleagues
        .into_iter()
        .enumerate()
        .map(|(index, (id, name, role))| Choice {
            id: if index == 0 {
                "named".into()
            } else {
                format!("named-{}", index + 1)
            },
            name: "named".into(),
            value: id.to_string(),
            label: format!(
                "{name} ({})",
                Role::parse(&role)
                    .map(|r| state.catalogue.text(r.name_key()))
                    .unwrap_or(role)
            ),
            checked: chosen.contains(&id) || id == staff.actor.user_id,
        })
        .collect();
    Ok(FormSpec {
        caption: person_name(file),
        intro: t("restrict-intro"),
        action: format!("/people/{}/restriction", file.person.id),
        back: format!("/people/{}", file.person.id),
        button: t("restrict-save"),
        fields: vec![
            FormField::new(
                "named",
                t("restrict-named-label"),
                FieldKind::Checkboxes(options),
                "",
            )
            .hint(t("restrict-named-hint")),
        ],
        ..Default::default()
    })
}

/// `GET /people/{id}/restriction`.
pub async fn restriction_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "restrict-heading", "/cases");
    let chosen: Vec<i64> = file
        .confidentiality
        .restricted_to
        .iter()
        .map(|(id, _)| *id)
        .collect();
    let spec = restriction_spec(&state, &staff, &file, &chosen).await?;
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /people/{id}/restriction`: the body lists `named` once per person chosen.
pub async fn restriction_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let named: Vec<i64> = url::form_urlencoded::parse(&body)
        .filter(|(name, _)| name == "named")
        .filter_map(|(_, value)| value.trim().parse().ok())
        .collect();
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.restrict_person(&actor, id, &named)).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}#restriction")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let file = person_file(&state, &staff, id).await?;
            let layout = Layout::staff(&state, &staff, "restrict-heading", "/cases");
            let spec = restriction_spec(&state, &staff, &file, &[]).await?;
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

/// `POST /people/{id}/restriction/lift`.
pub async fn restriction_lift(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.lift_restriction(&actor, id)).await?;
    Ok(Redirect::to(&format!("/people/{id}#restriction")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HoldForm {
    reason: String,
}

fn hold_spec(state: &AppState, file: &PersonFile, reason: &str) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    FormSpec {
        caption: person_name(file),
        intro: t("hold-intro"),
        action: format!("/people/{}/legal-hold", file.person.id),
        back: format!("/people/{}", file.person.id),
        button: t("hold-save"),
        fields: vec![FormField::new(
            "reason",
            t("hold-reason-label"),
            FieldKind::TextArea,
            reason,
        )],
        ..Default::default()
    }
}

/// `GET /people/{id}/legal-hold`.
pub async fn hold_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "hold-heading", "/cases");
    show_form(layout, FormErrors::none(), hold_spec(&state, &file, ""))
}

/// `POST /people/{id}/legal-hold`.
pub async fn hold_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<HoldForm>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let reason = match required_text(
        "reason",
        label::WHY_THE_RECORDS_MUST_BE_KEPT,
        &form.reason,
        MAX_TEXT,
    ) {
        Ok(reason) => reason,
        Err(error) => {
            let file = person_file(&state, &staff, id).await?;
            let layout = Layout::staff(&state, &staff, "hold-heading", "/cases");
            return show_form(
                layout,
                Invalid::from(error).into(),
                hold_spec(&state, &file, &form.reason),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.place_legal_hold(&actor, id, &reason)).await?;
    Ok(Redirect::to(&format!("/people/{id}#legal-hold")).into_response())
}

/// `POST /people/{id}/legal-hold/lift`.
pub async fn hold_lift(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.lift_legal_hold(&actor, id)).await?;
    Ok(Redirect::to(&format!("/people/{id}#legal-hold")).into_response())
}

// ---------------------------------------------------------------------------------------
// Retention and destruction
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "confidentiality/retention.html")]
struct RetentionPage {
    layout: Layout,
    errors: FormErrors,
    years: u32,
    today: String,
    candidates: Vec<(i64, String, String, String)>,
    destroyable: usize,
    /// (when, record class, former number, what went)
    log: Vec<(String, String, i64, String)>,
    destroyed: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetentionQuery {
    destroyed: Option<usize>,
}

async fn retention_page(
    state: &AppState,
    staff: &Staff,
    errors: FormErrors,
    destroyed: Option<usize>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let years = state.config.retention_years;
    let (candidates, log) = blocking(move || {
        Ok::<_, advocase_storage::StoreError>((
            store.retention_review(&actor, today, years)?,
            store.destructions(&actor)?,
        ))
    })
    .await?;
    let destroyable = candidates.iter().filter(|c| c.held.is_none()).count();
    let page = RetentionPage {
        layout: Layout::staff(state, staff, "retention-heading", "/retention"),
        errors,
        years,
        today: date(today),
        candidates: candidates
            .into_iter()
            .map(|c: RetentionCandidate| {
                (
                    c.person_id,
                    c.name,
                    date(c.last_activity),
                    c.held.unwrap_or_default(),
                )
            })
            .collect(),
        destroyable,
        log: log
            .into_iter()
            .map(|d| {
                (
                    when(clock::local(d.destroyed_at)),
                    d.record_class,
                    d.former_id,
                    d.counts
                        .trim_matches(['{', '}'])
                        .replace('"', "")
                        .replace(':', ": ")
                        .replace(',', ", "),
                )
            })
            .collect(),
        destroyed,
    };
    let status = if page.errors.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    super::render_with(status, &page)
}

/// `GET /retention`: the dry run. Lists everyone past the retention period; nothing is
/// destroyed until a manager selects people and confirms.
pub async fn retention(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<RetentionQuery>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    retention_page(&state, &staff, FormErrors::none(), query.destroyed).await
}

/// `POST /retention`: destroys the people selected (`person` once each), when the
/// manager has ticked the confirmation.
pub async fn retention_destroy(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let mut chosen: Vec<i64> = Vec::new();
    let mut confirmed = false;
    for (name, value) in url::form_urlencoded::parse(&body) {
        match name.as_ref() {
            "person" => chosen.extend(value.trim().parse::<i64>().ok()),
            "confirm" => confirmed = value == "yes",
            _ => {}
        }
    }
    let mut invalid = Invalid::default();
    if chosen.is_empty() {
        invalid.push("person", msg::RETENTION_CHOOSE);
    }
    if !confirmed {
        invalid.push("confirm", msg::RETENTION_CONFIRM_NEEDED);
    }
    if !invalid.is_empty() {
        return retention_page(&state, &staff, invalid.into(), None).await;
    }
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let years = state.config.retention_years;
    let destroyed = blocking(move || store.destroy_people(&actor, &chosen, today, years)).await?;
    Ok(Redirect::to(&format!("/retention?destroyed={destroyed}")).into_response())
}
