//! The person record: one per person across every duty (integrated advocacy), with
//! their cases and advocates, communication needs and preferences, conflicts of
//! interest, and a timeline of everything that happened on the cases the reader may see.

use super::cases::{TimelineItem, code_key, timeline};
use super::forms::{FieldKind, FormField, FormSpec, show_form};
use super::{FormErrors, Layout, radios, render};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::error::AppError;
use advocase_domain::casework::{ConflictKind, Gender, optional_text};
use advocase_domain::identity::Role;
use advocase_domain::referral::{MAX_SHORT, MAX_TEXT, PREFERRED_CONTACT};
use advocase_domain::validation::Invalid;
use advocase_i18n::{MessageKey, label, msg};
use advocase_storage::casework::{PersonDetails, PersonFile};
use advocase_storage::referrals::PersonRecord;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct CaseLine {
    pub id: i64,
    pub duty: String,
    pub status: String,
    pub advocate: String,
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct PersonPage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    name: String,
    details: Vec<(String, String)>,
    cases: Vec<CaseLine>,
    conflicts: Vec<(String, String, String)>,
    timeline: Vec<TimelineItem>,
    is_manager: bool,
    conf: super::confidentiality::PersonConfidentialityView,
    own_sign_in: bool,
    corrections: Vec<super::my_records::CorrectionLine>,
    /// For managers: the complaints and compliments made for the person, as (link,
    /// kind, date received, where it stands).
    complaints: Vec<(String, String, String, String)>,
}

fn yes_no(state: &AppState, value: bool) -> String {
    state.catalogue.text(if value {
        "ref-answer-yes"
    } else {
        "ref-answer-no"
    })
}

fn details_rows(state: &AppState, p: &PersonRecord) -> Vec<(String, String)> {
    let t = |key: &str| state.catalogue.text(key);
    let or_none = |value: &Option<String>| value.clone().unwrap_or_else(|| t("ref-not-given"));
    vec![
        (
            t("person-born-label"),
            p.date_of_birth
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_else(|| t("ref-not-given")),
        ),
        (t("person-address-label"), or_none(&p.address)),
        (t("person-postcode-label"), or_none(&p.postcode)),
        (t("person-area-label"), or_none(&p.local_authority)),
        (t("person-phone-label"), or_none(&p.phone)),
        (t("person-email-label"), or_none(&p.email)),
        (
            t("person-preferred-contact-label"),
            p.preferred_contact
                .as_deref()
                .map(|c| t(&code_key("ref-contact", c)))
                .unwrap_or_else(|| t("ref-not-given")),
        ),
        (t("person-language-label"), or_none(&p.language)),
        (
            t("person-interpreter-label"),
            yes_no(state, p.needs_interpreter),
        ),
        (t("person-bsl-label"), yes_no(state, p.uses_bsl)),
        (
            t("person-easy-read-label"),
            yes_no(state, p.wants_easy_read),
        ),
        (
            t("person-communication-label"),
            or_none(&p.communication_needs),
        ),
        (
            t("person-gender-preference-label"),
            p.gender_preference
                .as_deref()
                .map(|g| t(&code_key("gender", g)))
                .unwrap_or_else(|| t("person-no-preference")),
        ),
    ]
}

pub(crate) async fn person_file(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<PersonFile, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.person_file(&actor, id)).await
}

/// `GET /people/{id}`.
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (own_sign_in, corrections) = blocking(move || {
        Ok::<_, advocase_storage::StoreError>((
            store.has_own_sign_in(&actor, id)?,
            store.corrections(&actor, id)?,
        ))
    })
    .await?;
    let t = |key: &str| state.catalogue.text(key);
    let mut items: Vec<TimelineItem> = Vec::new();
    for case in &file.cases {
        let duty = t(&code_key("duty", &case.case.duty));
        items.extend(timeline(&state, case).into_iter().map(|mut item| {
            item.title = format!("{}: {}", duty, item.title);
            item
        }));
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.at));
    let p = &file.person;
    render(&PersonPage {
        layout: Layout::staff(&state, &staff, "person-heading", "/cases"),
        errors: FormErrors::none(),
        id,
        name: format!("{} {}", p.given_name, p.family_name),
        details: details_rows(&state, p),
        cases: file
            .cases
            .iter()
            .map(|c| CaseLine {
                id: c.case.id,
                duty: t(&code_key("duty", &c.case.duty)),
                status: t(&code_key("case-status", &c.case.status)),
                advocate: c.advocate_name.clone().unwrap_or_default(),
            })
            .collect(),
        conflicts: file
            .conflicts
            .iter()
            .map(|(c, name)| {
                (
                    name.clone(),
                    t(&code_key("conflict", &c.kind)),
                    c.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        timeline: items,
        is_manager: staff.actor.role == Role::Manager,
        conf: super::confidentiality::person_view(&state, &file.confidentiality),
        own_sign_in,
        corrections: super::my_records::correction_lines(&state, &corrections),
        complaints: file
            .complaints
            .iter()
            .map(|c| {
                (
                    format!("/complaints/{}", c.id),
                    t(&code_key("person-complaint-kind", &c.kind)),
                    super::long_date(c.received_on),
                    match c.response_sent_on {
                        Some(on) => state.catalogue.text_with(
                            "person-complaint-answered",
                            "date",
                            &super::long_date(on),
                        ),
                        None => t(&code_key("complaint-stage", &c.stage)),
                    },
                )
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Correcting the details
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DetailsForm {
    phone: String,
    email: String,
    address: String,
    language: String,
    needs_interpreter: String,
    uses_bsl: String,
    wants_easy_read: String,
    preferred_contact: String,
    gender_preference: String,
    communication_needs: String,
    version: String,
}

impl DetailsForm {
    fn of(p: &PersonRecord) -> Self {
        let flag = |v: bool| if v { "yes" } else { "no" }.to_string();
        Self {
            phone: p.phone.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            language: p.language.clone().unwrap_or_default(),
            needs_interpreter: flag(p.needs_interpreter),
            uses_bsl: flag(p.uses_bsl),
            wants_easy_read: flag(p.wants_easy_read),
            preferred_contact: p.preferred_contact.clone().unwrap_or_default(),
            gender_preference: p.gender_preference.clone().unwrap_or_default(),
            communication_needs: p.communication_needs.clone().unwrap_or_default(),
            version: p.version.to_string(),
        }
    }

    fn parse(&self) -> Result<PersonDetails, Invalid> {
        let mut invalid = Invalid::default();
        let mut text = |field: &str, label: MessageKey, value: &str, max: usize| {
            invalid
                .check(optional_text(field, label, value, max))
                .flatten()
        };
        let phone = text("phone", label::PHONE_NUMBER, &self.phone, MAX_SHORT);
        let email = text("email", label::EMAIL_ADDRESS, &self.email, MAX_SHORT);
        let address = text("address", label::ADDRESS, &self.address, MAX_TEXT);
        let language = text("language", label::LANGUAGE, &self.language, MAX_SHORT);
        let communication_needs = text(
            "communication_needs",
            label::COMMUNICATION_NEEDS,
            &self.communication_needs,
            MAX_TEXT,
        );
        let preferred_contact = Some(self.preferred_contact.trim())
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if preferred_contact
            .as_deref()
            .is_some_and(|c| !PREFERRED_CONTACT.contains(&c))
        {
            invalid.push("preferred_contact", msg::PERSON_PREFERRED_CONTACT_MISSING);
        }
        let gender_preference = match self.gender_preference.trim() {
            "" => None,
            value => {
                let gender = Gender::parse(value);
                if gender.is_none() {
                    invalid.push("gender_preference", msg::PERSON_GENDER_PREFERENCE_INVALID);
                }
                gender
            }
        };
        invalid.into_result()?;
        Ok(PersonDetails {
            phone,
            email,
            address,
            language,
            needs_interpreter: self.needs_interpreter == "yes",
            uses_bsl: self.uses_bsl == "yes",
            wants_easy_read: self.wants_easy_read == "yes",
            preferred_contact,
            gender_preference,
            communication_needs,
        })
    }
}

fn details_spec(state: &AppState, layout: &Layout, p: &PersonRecord, f: &DetailsForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let yes_no = [("yes", "ref-answer-yes"), ("no", "ref-answer-no")];
    let mut contact: Vec<(&str, String)> = vec![("", t("person-not-said"))];
    contact.extend(
        PREFERRED_CONTACT
            .iter()
            .map(|c| (*c, t(&code_key("ref-contact", c)))),
    );
    let contact_options = contact
        .into_iter()
        .map(|(v, l)| (v.to_string(), l))
        .collect();
    let mut genders = vec![(String::new(), t("person-no-preference"))];
    genders.extend(
        Gender::ALL
            .iter()
            .map(|g| (g.as_str().to_string(), t(&code_key("gender", g.as_str())))),
    );
    FormSpec {
        caption: format!("{} {}", p.given_name, p.family_name),
        action: format!("/people/{}/details", p.id),
        back: format!("/people/{}", p.id),
        button: t("person-save"),
        hidden: vec![("version".into(), f.version.clone())],
        fields: vec![
            FormField::new(
                "communication_needs",
                t("person-communication-label"),
                FieldKind::TextArea,
                &f.communication_needs,
            )
            .hint(t("person-communication-hint")),
            FormField::new(
                "language",
                t("person-language-label"),
                FieldKind::Text,
                &f.language,
            ),
            FormField::new(
                "needs_interpreter",
                t("person-interpreter-label"),
                FieldKind::InlineRadios(radios(
                    layout,
                    "needs_interpreter",
                    &yes_no,
                    &f.needs_interpreter,
                )),
                &f.needs_interpreter,
            ),
            FormField::new(
                "uses_bsl",
                t("person-bsl-label"),
                FieldKind::InlineRadios(radios(layout, "uses_bsl", &yes_no, &f.uses_bsl)),
                &f.uses_bsl,
            ),
            FormField::new(
                "wants_easy_read",
                t("person-easy-read-label"),
                FieldKind::InlineRadios(radios(
                    layout,
                    "wants_easy_read",
                    &yes_no,
                    &f.wants_easy_read,
                )),
                &f.wants_easy_read,
            ),
            FormField::new(
                "preferred_contact",
                t("person-preferred-contact-label"),
                FieldKind::Select(contact_options),
                &f.preferred_contact,
            ),
            FormField::new(
                "gender_preference",
                t("person-gender-preference-label"),
                FieldKind::Select(genders),
                &f.gender_preference,
            )
            .hint(t("person-gender-preference-hint")),
            FormField::new("phone", t("person-phone-label"), FieldKind::Text, &f.phone),
            FormField::new("email", t("person-email-label"), FieldKind::Text, &f.email),
            FormField::new(
                "address",
                t("person-address-label"),
                FieldKind::TextArea,
                &f.address,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /people/{id}/details`.
pub async fn details_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "person-details-heading", "/cases");
    let spec = details_spec(
        &state,
        &layout,
        &file.person,
        &DetailsForm::of(&file.person),
    );
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /people/{id}/details`. A change saved by someone else since the form opened is
/// never overwritten: the form comes back with the saved values and a table of what
/// differs from what was typed.
pub async fn details_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DetailsForm>,
) -> Result<Response, AppError> {
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Err(AppError::Conflict);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let person = blocking(move || store.current_person(&actor, id)).await?;
    let layout = Layout::staff(&state, &staff, "person-details-heading", "/cases");
    let details = match form.parse() {
        Ok(details) => details,
        Err(invalid) => {
            let spec = details_spec(&state, &layout, &person, &form);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.update_person(&actor, id, version, &details)).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(AppError::Conflict) => {
            let saved = DetailsForm::of(&person);
            let mut spec = details_spec(&state, &layout, &person, &saved);
            spec.changed = differences(&state, &saved, &form);
            show_form(layout, FormErrors::none(), spec)
        }
        Err(AppError::Invalid(invalid)) => {
            let spec = details_spec(&state, &layout, &person, &form);
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

/// The fields where what was saved differs from what was typed, for the conflict table.
fn differences(
    state: &AppState,
    saved: &DetailsForm,
    typed: &DetailsForm,
) -> Vec<(String, String, String)> {
    super::forms::differences(
        &state.catalogue,
        [
            (
                "person-communication-label",
                &saved.communication_needs,
                &typed.communication_needs,
            ),
            ("person-language-label", &saved.language, &typed.language),
            (
                "person-interpreter-label",
                &saved.needs_interpreter,
                &typed.needs_interpreter,
            ),
            ("person-bsl-label", &saved.uses_bsl, &typed.uses_bsl),
            (
                "person-easy-read-label",
                &saved.wants_easy_read,
                &typed.wants_easy_read,
            ),
            (
                "person-preferred-contact-label",
                &saved.preferred_contact,
                &typed.preferred_contact,
            ),
            (
                "person-gender-preference-label",
                &saved.gender_preference,
                &typed.gender_preference,
            ),
            ("person-phone-label", &saved.phone, &typed.phone),
            ("person-email-label", &saved.email, &typed.email),
            ("person-address-label", &saved.address, &typed.address),
        ]
        .map(|(key, saved, typed)| (key, saved.clone(), typed.clone())),
    )
}

// ---------------------------------------------------------------------------------------
// Conflicts of interest
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConflictForm {
    advocate: String,
    kind: String,
    note: String,
}

async fn conflict_spec(
    state: &AppState,
    staff: &Staff,
    layout: &Layout,
    person: &PersonRecord,
    form: &ConflictForm,
) -> Result<FormSpec, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let kinds: Vec<(String, String)> = ConflictKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), code_key("conflict", k.as_str())))
        .collect();
    let kinds: Vec<(&str, &str)> = kinds
        .iter()
        .map(|(v, k)| (v.as_str(), k.as_str()))
        .collect();
    let mut fields = Vec::new();
    if staff.actor.role == Role::Manager {
        let store = state.store.clone();
        let actor = staff.actor.clone();
        let advocates = blocking(move || store.advocates(&actor)).await?;
        let mut options = vec![(String::new(), t("conflict-choose-advocate"))];
        options.extend(
            advocates
                .into_iter()
                .map(|a| (a.user_id.to_string(), a.name)),
        );
        fields.push(FormField::new(
            "advocate",
            t("conflict-advocate-label"),
            FieldKind::Select(options),
            &form.advocate,
        ));
    }
    fields.push(FormField::new(
        "kind",
        t("conflict-kind-label"),
        FieldKind::Radios(radios(layout, "kind", &kinds, &form.kind)),
        &form.kind,
    ));
    fields.push(
        FormField::new(
            "note",
            t("conflict-note-label"),
            FieldKind::TextArea,
            &form.note,
        )
        .hint(t("conflict-note-hint")),
    );
    Ok(FormSpec {
        caption: format!("{} {}", person.given_name, person.family_name),
        intro: t("conflict-intro"),
        action: format!("/people/{}/conflicts", person.id),
        back: format!("/people/{}", person.id),
        button: t("conflict-save"),
        fields,
        ..Default::default()
    })
}

/// `GET /people/{id}/conflicts/new`: an advocate declares their own conflict; a
/// manager records one for any advocate.
pub async fn conflict_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = person_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "conflict-heading", "/cases");
    let spec = conflict_spec(
        &state,
        &staff,
        &layout,
        &file.person,
        &ConflictForm::default(),
    )
    .await?;
    show_form(layout, FormErrors::none(), spec)
}

pub async fn conflict_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<ConflictForm>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let person = blocking(move || store.current_person(&actor, id)).await?;
    let layout = Layout::staff(&state, &staff, "conflict-heading", "/cases");
    let mut invalid = Invalid::default();
    let advocate = if staff.actor.role == Role::Manager {
        let chosen = form.advocate.trim().parse::<i64>().ok();
        if chosen.is_none() {
            invalid.push("advocate", msg::CONFLICT_CHOOSE_ADVOCATE);
        }
        chosen
    } else {
        Some(staff.actor.user_id)
    };
    let kind = ConflictKind::parse(&form.kind);
    if kind.is_none() {
        invalid.push("kind", msg::CONFLICT_KIND_INVALID);
    }
    let note = invalid
        .check(optional_text("note", label::NOTE, &form.note, MAX_TEXT))
        .flatten();
    let (Some(advocate), Some(kind), true) = (advocate, kind, invalid.is_empty()) else {
        let spec = conflict_spec(&state, &staff, &layout, &person, &form).await?;
        return show_form(layout, invalid.into(), spec);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.record_conflict(&actor, id, advocate, kind, note.as_deref())).await
    {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            let spec = conflict_spec(&state, &staff, &layout, &person, &form).await?;
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Finding a person by name
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "people/search.html")]
struct SearchPage {
    layout: Layout,
    errors: FormErrors,
    query: String,
    searched: bool,
    summary: String,
    /// More matched than are shown.
    more: bool,
    /// (id, name, date of birth, postcode)
    people: Vec<(i64, String, String, String)>,
}

/// `GET /people?q=`: managers find anyone at the provider they may see, advocates the
/// people of their cases, by the start of the family name, or a given name and family
/// name in either order.
pub async fn search(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<SearchQuery>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let text = query.q.trim().chars().take(MAX_SHORT).collect::<String>();
    let searched = !text.is_empty();
    let mut found = if searched {
        let store = state.store.clone();
        let actor = staff.actor.clone();
        let text = text.clone();
        blocking(move || store.search_people(&actor, &text)).await?
    } else {
        Vec::new()
    };
    let more = found.len() > advocase_storage::casework::SEARCH_LIMIT;
    found.truncate(advocase_storage::casework::SEARCH_LIMIT);
    let c = &state.catalogue;
    let not_given = c.text("ref-not-given");
    render(&SearchPage {
        layout: Layout::staff(&state, &staff, "search-heading", "/people"),
        errors: FormErrors::none(),
        summary: c.text_with_count("search-found", "count", found.len() as i64),
        query: text,
        searched,
        more,
        people: found
            .into_iter()
            .map(|p| {
                (
                    p.id,
                    format!("{} {}", p.given_name, p.family_name),
                    p.date_of_birth
                        .map(super::long_date)
                        .unwrap_or_else(|| not_given.clone()),
                    p.postcode.unwrap_or_else(|| not_given.clone()),
                )
            })
            .collect(),
    })
}
