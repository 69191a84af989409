//! A person's own records: the read-only view in plain English (and an easy-read
//! version), the way to ask for a correction, and the staff side: inviting a person to
//! their own sign-in and answering their correction requests.

use super::cases::code_key;
use super::forms::{FieldKind, FormField, FormSpec, show_form};
use super::{FormErrors, Layout, radios, render, when};
use crate::app::AppState;
use crate::auth::session::blocking;
use crate::auth::{PersonUser, Staff, new_token, token_hash};
use crate::clock;
use crate::error::AppError;
use advocase_domain::casework::optional_text;
use advocase_domain::identity::EmailAddress;
use advocase_domain::referral::MAX_TEXT;
use advocase_domain::validation::{Invalid, required_text};
use advocase_i18n::{label, msg};
use advocase_storage::person_access::{OwnRecords, RectificationRecord};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// How long the link a person uses to choose their password works.
const INVITATION_DAYS: i64 = 14;

/// One case as the person reads it.
pub struct OwnCase {
    pub title: String,
    pub opened: String,
    pub closed: String,
    pub advocate: String,
    /// (when, how, what you talked about, what was agreed)
    pub contacts: Vec<(String, String, String, String)>,
    /// (what you wanted, what happened)
    pub issues: Vec<(String, String)>,
}

/// A correction request as the person or staff read it.
pub struct CorrectionLine {
    pub id: i64,
    pub asked: String,
    pub what_is_wrong: String,
    pub should_say: String,
    /// Empty while waiting for an answer.
    pub answer: String,
    pub corrected: bool,
}

pub fn correction_lines(state: &AppState, rows: &[RectificationRecord]) -> Vec<CorrectionLine> {
    let _ = state;
    rows.iter()
        .map(|r| CorrectionLine {
            id: r.id,
            asked: when(clock::local(r.asked_at)),
            what_is_wrong: r.what_is_wrong.clone(),
            should_say: r.should_say.clone().unwrap_or_default(),
            answer: r.answer.clone().unwrap_or_default(),
            corrected: r.corrected.unwrap_or(false),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "my_records/show.html")]
struct OwnRecordsPage {
    layout: Layout,
    errors: FormErrors,
    name: String,
    details: Vec<(String, String)>,
    cases: Vec<OwnCase>,
    corrections: Vec<CorrectionLine>,
    two_factor: bool,
}

#[derive(Template)]
#[template(path = "my_records/easy_read.html")]
struct EasyReadPage {
    layout: Layout,
    errors: FormErrors,
    name: String,
    cases: Vec<OwnCase>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ViewQuery {
    view: String,
}

fn own_cases(state: &AppState, records: &OwnRecords) -> Vec<OwnCase> {
    let t = |key: &str| state.catalogue.text(key);
    records
        .export
        .cases
        .iter()
        .map(|c| OwnCase {
            title: t(&code_key("duty", &c.duty)),
            opened: clock::local(c.opened_at).format("%-d %B %Y").to_string(),
            closed: c
                .closed_at
                .map(|at| clock::local(at).format("%-d %B %Y").to_string())
                .unwrap_or_default(),
            advocate: c.advocates.last().cloned().unwrap_or_default(),
            contacts: c
                .contacts
                .iter()
                .map(|k| {
                    (
                        k.occurred_at.format("%-d %B %Y").to_string(),
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
        })
        .collect()
}

/// `GET /my-records`: everything held about the signed-in person, read-only. With
/// `?view=easy-read`, the easy-read version.
pub async fn show(
    State(state): State<AppState>,
    person: PersonUser,
    Query(query): Query<ViewQuery>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = person.actor.clone();
    let records = blocking(move || store.own_records(&actor)).await?;
    let p = &records.export.person;
    let name = format!("{} {}", p.given_name, p.family_name);
    let cases = own_cases(&state, &records);
    let corrections = correction_lines(&state, &records.corrections);
    if query.view == "easy-read" {
        return render(&EasyReadPage {
            layout: Layout::person(&state, &person, "own-easy-heading", "/my-records"),
            errors: FormErrors::none(),
            name,
            cases,
        });
    }
    let t = |key: &str| state.catalogue.text(key);
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| t("ref-not-given"));
    let details = vec![
        (
            t("person-born-label"),
            p.date_of_birth
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_else(|| t("ref-not-given")),
        ),
        (t("person-address-label"), or_none(&p.address)),
        (t("person-phone-label"), or_none(&p.phone)),
        (t("person-email-label"), or_none(&p.email)),
        (t("person-language-label"), or_none(&p.language)),
        (
            t("person-communication-label"),
            or_none(&p.communication_needs),
        ),
    ];
    render(&OwnRecordsPage {
        layout: Layout::person(&state, &person, "own-heading", "/my-records"),
        errors: FormErrors::none(),
        name,
        details,
        cases,
        corrections,
        two_factor: person.user.has_two_factor(),
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CorrectionForm {
    what_is_wrong: String,
    should_say: String,
}

fn correction_spec(state: &AppState, form: &CorrectionForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    FormSpec {
        intro: t("own-correction-intro"),
        action: "/my-records/correction".into(),
        back: "/my-records".into(),
        button: t("own-correction-save"),
        fields: vec![
            FormField::new(
                "what_is_wrong",
                t("own-correction-wrong-label"),
                FieldKind::TextArea,
                &form.what_is_wrong,
            ),
            FormField::new(
                "should_say",
                t("own-correction-should-label"),
                FieldKind::TextArea,
                &form.should_say,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /my-records/correction`.
pub async fn correction_form(
    State(state): State<AppState>,
    person: PersonUser,
) -> Result<Response, AppError> {
    let layout = Layout::person(&state, &person, "own-correction-heading", "/my-records");
    show_form(
        layout,
        FormErrors::none(),
        correction_spec(&state, &CorrectionForm::default()),
    )
}

/// `POST /my-records/correction`.
pub async fn correction_submit(
    State(state): State<AppState>,
    person: PersonUser,
    Form(form): Form<CorrectionForm>,
) -> Result<Response, AppError> {
    let mut invalid = Invalid::default();
    let wrong = invalid.check(required_text(
        "what_is_wrong",
        label::WHAT_IS_WRONG,
        &form.what_is_wrong,
        MAX_TEXT,
    ));
    let should = invalid
        .check(optional_text(
            "should_say",
            label::WHAT_IT_SHOULD_SAY,
            &form.should_say,
            MAX_TEXT,
        ))
        .flatten();
    let Some(wrong) = wrong.filter(|_| invalid.is_empty()) else {
        let layout = Layout::person(&state, &person, "own-correction-heading", "/my-records");
        return show_form(layout, invalid.into(), correction_spec(&state, &form));
    };
    let store = state.store.clone();
    let actor = person.actor.clone();
    blocking(move || store.ask_correction(&actor, &wrong, should.as_deref())).await?;
    Ok(Redirect::to("/my-records#corrections").into_response())
}

// ---------------------------------------------------------------------------------------
// Staff: inviting a person, answering their corrections
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct InviteForm {
    email: String,
}

fn invite_spec(state: &AppState, id: i64, name: &str, form: &InviteForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    FormSpec {
        caption: name.to_string(),
        intro: t("invite-intro"),
        action: format!("/people/{id}/invite"),
        back: format!("/people/{id}"),
        button: t("invite-save"),
        fields: vec![
            FormField::new(
                "email",
                t("invite-email-label"),
                FieldKind::Text,
                &form.email,
            )
            .hint(t("invite-email-hint")),
        ],
        ..Default::default()
    }
}

async fn person_name(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<(String, String), AppError> {
    // Managers only, through the audited read that asks a manager's reason first.
    if staff.actor.role != advocase_domain::identity::Role::Manager {
        return Err(AppError::NotFound);
    }
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let person = blocking(move || store.person_file(&actor, id))
        .await?
        .person;
    Ok((
        format!("{} {}", person.given_name, person.family_name),
        person.email.unwrap_or_default(),
    ))
}

/// `GET /people/{id}/invite`.
pub async fn invite_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (name, email) = person_name(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "invite-heading", "/cases");
    show_form(
        layout,
        FormErrors::none(),
        invite_spec(&state, id, &name, &InviteForm { email }),
    )
}

#[derive(Template)]
#[template(path = "my_records/invited.html")]
struct InvitedPage {
    layout: Layout,
    errors: FormErrors,
    person_id: i64,
    name: String,
    link: String,
    days: i64,
}

/// `POST /people/{id}/invite`: makes the account and shows the one-time link to give
/// the person (in a letter, or read out), valid for two weeks.
pub async fn invite_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let (name, _) = person_name(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "invite-heading", "/cases");
    let email = match EmailAddress::parse("email", &form.email) {
        Ok(email) => email,
        Err(error) => {
            return show_form(
                layout,
                Invalid::from(error).into(),
                invite_spec(&state, id, &name, &form),
            );
        }
    };
    let token = new_token();
    let hash = token_hash(&token);
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let expires = advocase_storage::now() + chrono::Duration::days(INVITATION_DAYS);
    match blocking(move || store.invite_person(&actor, id, &email, &hash, expires)).await {
        Ok(_) => render(&InvitedPage {
            layout,
            errors: FormErrors::none(),
            person_id: id,
            name,
            link: format!("/set-password/{token}"),
            days: INVITATION_DAYS,
        }),
        Err(AppError::Invalid(invalid)) => show_form(
            layout,
            invalid.into(),
            invite_spec(&state, id, &name, &form),
        ),
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AnswerForm {
    corrected: String,
    answer: String,
}

fn answer_spec(
    state: &AppState,
    layout: &Layout,
    request: &RectificationRecord,
    form: &AnswerForm,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let yes_no = [("yes", "ref-answer-yes"), ("no", "ref-answer-no")];
    FormSpec {
        intro: state.catalogue.text_with_args(
            "answer-intro",
            &[
                ("wrong", request.what_is_wrong.as_str()),
                ("should", request.should_say.as_deref().unwrap_or("-")),
            ],
        ),
        action: format!("/corrections/{}", request.id),
        back: format!("/people/{}#corrections", request.person_id),
        button: t("answer-save"),
        fields: vec![
            FormField::new(
                "corrected",
                t("answer-corrected-label"),
                FieldKind::InlineRadios(radios(layout, "corrected", &yes_no, &form.corrected)),
                &form.corrected,
            ),
            FormField::new(
                "answer",
                t("answer-text-label"),
                FieldKind::TextArea,
                &form.answer,
            )
            .hint(t("answer-text-hint")),
        ],
        ..Default::default()
    }
}

async fn correction(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<RectificationRecord, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.correction(&actor, id)).await
}

/// `GET /corrections/{id}`: the form to answer a correction request.
pub async fn answer_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let request = correction(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "answer-heading", "/cases");
    let spec = answer_spec(&state, &layout, &request, &AnswerForm::default());
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /corrections/{id}`.
pub async fn answer_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let request = correction(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "answer-heading", "/cases");
    let mut invalid = Invalid::default();
    let corrected = match form.corrected.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            invalid.push("corrected", msg::ANSWER_CORRECTED_INVALID);
            None
        }
    };
    let answer = invalid.check(required_text(
        "answer",
        label::WHAT_THE_PERSON_WILL_BE_TOLD,
        &form.answer,
        MAX_TEXT,
    ));
    let (Some(corrected), Some(answer), true) = (corrected, answer, invalid.is_empty()) else {
        let spec = answer_spec(&state, &layout, &request, &form);
        return show_form(layout, invalid.into(), spec);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let person = blocking(move || store.answer_correction(&actor, id, corrected, &answer)).await?;
    Ok(Redirect::to(&format!("/people/{person}#corrections")).into_response())
}
