//! The workforce pages: each member of staff's profile (qualifications, training,
//! supervision and what is due), the manager's compliance page, the qualification rules
//! allocation applies per duty, and the comparison of the staff team with the people it
//! serves.
//!
//! Who may see whom is decided in storage (`storage::workforce::visible_staff`); these
//! handlers only choose which links to show, so a profile one may not see answers
//! exactly as one that does not exist.

use super::cases::{code_key, date};
use super::forms::{FieldKind, FormBody, FormField, FormSpec, differences, show_form};
use super::manager;
use super::{Choice, FormErrors, Layout, render};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock::today;
use crate::error::AppError;
use advocase_domain::identity::Role;
use advocase_domain::suppression::{Cell, DEFAULT_THRESHOLD, suppress};
use advocase_domain::validation::Invalid;
use advocase_domain::workforce::{
    AdvocacyRole, CHARACTERISTICS, DueState, EmploymentType, NOT_KNOWN, PREFER_NOT_TO_SAY,
    ProfileAnswers, QualificationAnswers, QualificationStatus, RuleAnswers, StaffDue, StaffDueKind,
    SupervisionAnswers, SupervisionKind, TrainingAnswers, TrainingKind, Unit, needing_attention,
    parse_equality, staff_due,
};
use advocase_i18n::label;
use advocase_storage::casework::list;
use advocase_storage::workforce::{
    QualificationChange, RelyingCase, StaffFile, StaffProfileRecord, SupervisionEntry,
    TrainingRecord,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// The duties a provider may set a qualification rule for.
pub const DUTIES: [&str; 4] = ["care_act", "imha", "imca", "nhs_complaints"];

async fn staff_file(state: &AppState, staff: &Staff, id: i64) -> Result<StaffFile, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.staff_file(&actor, id)).await
}

/// The managers who may supervise the member of staff `id`: anyone but themselves.
fn supervisor_ids(managers: &[(i64, String)], id: i64) -> Vec<i64> {
    managers
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| *m != id)
        .collect()
}

async fn supervisors(state: &AppState, staff: &Staff) -> Result<Vec<(i64, String)>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.supervisors(&actor)).await
}

fn t(state: &AppState, key: &str) -> String {
    state.catalogue.text(key)
}

/// The words for one thing due, with its date and how close it is.
pub fn due_words(state: &AppState, item: &StaffDue) -> (String, String, &'static str) {
    let what = match item.kind {
        StaffDueKind::Qualification => t(state, "staff-due-qualification"),
        StaffDueKind::Induction => t(state, "staff-due-induction"),
        StaffDueKind::SpecialistCourse => t(state, "staff-due-specialist-course"),
        StaffDueKind::Renewal(kind) => state.catalogue.text_with(
            "staff-due-renewal",
            "kind",
            &t(state, &code_key("training", kind.as_str())),
        ),
        StaffDueKind::Supervision => t(state, "staff-due-supervision"),
        StaffDueKind::GroupSupervision => t(state, "staff-due-group-supervision"),
        StaffDueKind::Appraisal => t(state, "staff-due-appraisal"),
    };
    let (state_key, class) = match item.state {
        DueState::Overdue => ("due-state-overdue", "govuk-tag--red"),
        DueState::DueSoon => ("due-state-due-soon", "govuk-tag--yellow"),
        DueState::Later => ("due-state-later", "govuk-tag--grey"),
    };
    let when = state
        .catalogue
        .text_with(state_key, "date", &date(Some(item.due)));
    (what, when, class)
}

pub struct DueLine {
    pub what: String,
    pub when: String,
    pub class: &'static str,
}

fn due_lines(state: &AppState, items: &[StaffDue]) -> Vec<DueLine> {
    items
        .iter()
        .map(|item| {
            let (what, when, class) = due_words(state, item);
            DueLine { what, when, class }
        })
        .collect()
}

/// What a member of staff must see on their home page: their own overdue and due-soon
/// items. Staff without a workforce file (intake, administrators) have none.
pub async fn own_reminders(state: &AppState, staff: &Staff) -> Result<Vec<DueLine>, AppError> {
    if !matches!(staff.actor.role, Role::Advocate | Role::Manager) {
        return Ok(Vec::new());
    }
    let file = staff_file(state, staff, staff.actor.user_id).await?;
    Ok(due_lines(
        state,
        &needing_attention(&staff_due(&file.facts(), today())),
    ))
}

// ---------------------------------------------------------------------------------------
// The profile
// ---------------------------------------------------------------------------------------

pub struct QualificationLine {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub started: String,
    pub achieved: String,
    pub evidence: String,
    pub files: Vec<EvidenceLine>,
}

/// A file of evidence as the profile lists it, with its download link.
pub struct EvidenceLine {
    pub id: i64,
    pub name: String,
    /// Its kind and size, for example "PDF, 120 KB".
    pub about: String,
}

pub struct TrainingLine {
    pub id: i64,
    pub what: String,
    pub on: String,
    pub renew: String,
}

pub struct SupervisionLine {
    pub id: i64,
    pub kind: String,
    pub on: String,
    pub supervisor: String,
    pub notes: Option<String>,
}

#[derive(Template)]
#[template(path = "advocates/profile.html")]
struct ProfilePage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    name: String,
    is_manager: bool,
    is_self: bool,
    is_advocate: bool,
    details: Vec<(String, String)>,
    settings: Vec<(String, String)>,
    due: Vec<DueLine>,
    qualifications: Vec<QualificationLine>,
    training: Vec<TrainingLine>,
    supervisions: Vec<SupervisionLine>,
}

fn qualification_name(state: &AppState, unit: &str, title: &str) -> String {
    if unit == Unit::Other.as_str() {
        title.to_string()
    } else {
        t(state, &code_key("unit", unit))
    }
}

fn words_list(state: &AppState, prefix: &str, codes: &str) -> String {
    list(codes)
        .iter()
        .map(|c| t(state, &code_key(prefix, c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A working profile in words, each under the key of its label, in the order the
/// profile page shows them; empty words where nothing is recorded. Only advocates
/// attend group supervision, so only their profiles say how often.
fn profile_rows(
    state: &AppState,
    file: &StaffFile,
    p: &StaffProfileRecord,
) -> Vec<(&'static str, String)> {
    let every = |months: i32| {
        state
            .catalogue
            .text_with_count("profile-every-months", "months", i64::from(months))
    };
    let mut rows = vec![
        ("profile-started-label", date(p.started_on)),
        (
            "profile-employment-label",
            p.employment
                .as_deref()
                .map(|e| t(state, &code_key("employment", e)))
                .unwrap_or_default(),
        ),
        (
            "profile-roles-label",
            words_list(state, "advocacy-role", &p.roles),
        ),
        (
            "profile-availability-label",
            p.availability.clone().unwrap_or_default(),
        ),
        (
            "profile-supervisor-label",
            p.supervisor_id
                .map(|s| file.staff_name(s).to_string())
                .unwrap_or_default(),
        ),
        (
            "profile-supervision-months-label",
            every(p.supervision_months),
        ),
    ];
    if file.role == Role::Advocate {
        rows.push((
            "profile-group-supervision-months-label",
            every(p.group_supervision_months),
        ));
    }
    rows
}

async fn profile_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    section: &str,
) -> Result<Response, AppError> {
    let file = staff_file(state, staff, id).await?;
    let not_given = t(state, "ref-not-given");
    let or_not_given = |value: String| {
        if value.is_empty() {
            not_given.clone()
        } else {
            value
        }
    };
    let mut details = vec![(
        t(state, "profile-role-label"),
        t(state, file.role.name_key()),
    )];
    details.extend(
        profile_rows(state, &file, &file.profile)
            .into_iter()
            .map(|(key, value)| (t(state, key), or_not_given(value))),
    );
    let s = &file.settings;
    let settings = vec![
        (
            t(state, "advocate-duties-label"),
            or_not_given(words_list(state, "duty", &s.duties)),
        ),
        (
            t(state, "advocate-areas-label"),
            or_not_given(s.areas.clone()),
        ),
        (
            t(state, "advocate-languages-label"),
            or_not_given(s.languages.clone()),
        ),
        (t(state, "advocate-capacity-label"), s.capacity.to_string()),
    ];
    let page = ProfilePage {
        layout: Layout::staff(state, staff, "profile-heading", section),
        errors: FormErrors::none(),
        id,
        is_manager: staff.actor.role == Role::Manager,
        is_self: staff.actor.user_id == id,
        is_advocate: file.role == Role::Advocate,
        details,
        settings,
        due: due_lines(state, &staff_due(&file.facts(), today())),
        qualifications: file
            .qualifications
            .iter()
            .map(|q| QualificationLine {
                id: q.id,
                name: qualification_name(state, &q.unit, &q.title),
                status: t(state, &code_key("qualification-status-option", &q.status)),
                started: date(q.started_on),
                achieved: date(q.achieved_on),
                evidence: q.evidence.clone().unwrap_or_default(),
                files: file
                    .evidence
                    .iter()
                    .filter(|e| e.qualification_id == q.id)
                    .map(|e| EvidenceLine {
                        id: e.id,
                        name: e.file_name.clone(),
                        about: format!(
                            "{}, {} KB",
                            e.kind.to_uppercase(),
                            (e.size_bytes + 1023) / 1024
                        ),
                    })
                    .collect(),
            })
            .collect(),
        training: file
            .training
            .iter()
            .map(|r| TrainingLine {
                id: r.id,
                what: match &r.title {
                    Some(title) => {
                        format!("{} ({title})", t(state, &code_key("training", &r.kind)))
                    }
                    None => t(state, &code_key("training", &r.kind)),
                },
                on: date(Some(r.completed_on)),
                renew: r
                    .renew_months
                    .map(|m| {
                        state.catalogue.text_with_count(
                            "profile-every-months",
                            "months",
                            i64::from(m),
                        )
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        supervisions: file
            .supervisions
            .iter()
            .map(|s| SupervisionLine {
                id: s.record.id,
                kind: t(state, &code_key("supervision", &s.record.kind)),
                on: date(Some(s.record.held_on)),
                supervisor: s
                    .record
                    .supervisor_id
                    .map(|id| file.staff_name(id).to_string())
                    .or_else(|| s.record.external_supervisor.clone())
                    .unwrap_or_default(),
                notes: if s.may_read_notes {
                    Some(s.record.notes.clone().unwrap_or_default())
                } else {
                    None
                },
            })
            .collect(),
        name: file.name,
    };
    render(&page)
}

/// `GET /advocates/{id}`: a member of staff's profile, for their managers and
/// themselves.
pub async fn profile(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let section = if staff.actor.user_id == id {
        "/profile"
    } else {
        "/workforce"
    };
    profile_page(&state, &staff, id, section).await
}

/// `GET /profile`: one's own profile.
pub async fn own_profile(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    let id = staff.actor.user_id;
    profile_page(&state, &staff, id, "/profile").await
}

fn back(id: i64) -> String {
    format!("/advocates/{id}")
}

fn select(state: &AppState, prefix: &str, codes: &[&str]) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), t(state, "choose-one"))];
    options.extend(
        codes
            .iter()
            .map(|c| (c.to_string(), t(state, &code_key(prefix, c)))),
    );
    options
}

pub(crate) fn checkboxes(
    state: &AppState,
    name: &str,
    prefix: &str,
    codes: &[&str],
    checked: &[String],
) -> Vec<Choice> {
    codes
        .iter()
        .enumerate()
        .map(|(index, code)| Choice {
            id: if index == 0 {
                name.to_string()
            } else {
                format!("{name}-{code}")
            },
            name: name.to_string(),
            value: code.to_string(),
            label: t(state, &code_key(prefix, code)),
            checked: checked.iter().any(|c| c == code),
        })
        .collect()
}

fn radios(
    state: &AppState,
    name: &str,
    prefix: &str,
    codes: &[&str],
    selected: &str,
) -> Vec<Choice> {
    let checked = [selected.trim().to_string()];
    checkboxes(state, name, prefix, codes, &checked)
}

fn staff_choices(state: &AppState, staff: &[(i64, String)], except: i64) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), t(state, "choose-one"))];
    options.extend(
        staff
            .iter()
            .filter(|(id, _)| *id != except)
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    options
}

fn codes<C: Copy>(all: &[C], as_str: impl Fn(C) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|c| as_str(*c)).collect()
}

// ---------------------------------------------------------------------------------------
// Profile form
// ---------------------------------------------------------------------------------------

fn profile_spec(
    state: &AppState,
    file: &StaffFile,
    answers: &ProfileAnswers,
    version: i64,
    managers: &[(i64, String)],
) -> FormSpec {
    FormSpec {
        caption: file.name.clone(),
        action: format!("/advocates/{}/profile", file.user_id),
        back: back(file.user_id),
        button: t(state, "save-button"),
        hidden: vec![("version".into(), version.to_string())],
        fields: vec![
            FormField::new(
                "started_on",
                t(state, "profile-started-label"),
                FieldKind::Date,
                &answers.started_on,
            )
            .hint(t(state, "profile-started-hint")),
            FormField::new(
                "employment",
                t(state, "profile-employment-label"),
                FieldKind::Select(select(
                    state,
                    "employment",
                    &codes(EmploymentType::ALL, EmploymentType::as_str),
                )),
                &answers.employment,
            ),
            FormField::new(
                "roles",
                t(state, "profile-roles-label"),
                FieldKind::Checkboxes(checkboxes(
                    state,
                    "roles",
                    "advocacy-role",
                    &codes(AdvocacyRole::ALL, AdvocacyRole::as_str),
                    &answers.roles,
                )),
                "",
            )
            .hint(t(state, "profile-roles-hint")),
            FormField::new(
                "availability",
                t(state, "profile-availability-label"),
                FieldKind::Text,
                &answers.availability,
            )
            .hint(t(state, "profile-availability-hint")),
            FormField::new(
                "supervision_months",
                t(state, "profile-supervision-months-label"),
                FieldKind::Number,
                &answers.supervision_months,
            )
            .hint(t(state, "profile-supervision-months-hint")),
            FormField::new(
                "group_supervision_months",
                t(state, "profile-group-supervision-months-label"),
                FieldKind::Number,
                &answers.group_supervision_months,
            )
            .hint(t(state, "profile-group-supervision-months-hint")),
            FormField::new(
                "supervisor",
                t(state, "profile-supervisor-label"),
                FieldKind::Select(staff_choices(state, managers, file.user_id)),
                &answers.supervisor,
            ),
        ],
        ..Default::default()
    }
}

fn profile_answers(body: &FormBody) -> ProfileAnswers {
    ProfileAnswers {
        started_on: body.get("started_on"),
        employment: body.get("employment"),
        roles: body.all("roles"),
        availability: body.get("availability"),
        supervision_months: body.get("supervision_months"),
        group_supervision_months: body.get("group_supervision_months"),
        supervisor: body.get("supervisor"),
    }
}

/// `GET /advocates/{id}/profile`: managers only.
pub async fn profile_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let managers = supervisors(&state, &staff).await?;
    let p = &file.profile;
    let answers = ProfileAnswers {
        started_on: p.started_on.map(|d| d.to_string()).unwrap_or_default(),
        employment: p.employment.clone().unwrap_or_default(),
        roles: list(&p.roles),
        availability: p.availability.clone().unwrap_or_default(),
        supervision_months: p.supervision_months.to_string(),
        group_supervision_months: p.group_supervision_months.to_string(),
        supervisor: p.supervisor_id.map(|s| s.to_string()).unwrap_or_default(),
    };
    show_form(
        Layout::staff(&state, &staff, "profile-change-heading", "/workforce"),
        FormErrors::none(),
        profile_spec(&state, &file, &answers, p.version, &managers),
    )
}

/// `POST /advocates/{id}/profile`.
pub async fn profile_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let managers = supervisors(&state, &staff).await?;
    let body = FormBody::parse(&body);
    let answers = profile_answers(&body);
    let version = body.version()?;
    let layout = Layout::staff(&state, &staff, "profile-change-heading", "/workforce");
    let profile = match answers.parse(&supervisor_ids(&managers, id)) {
        Ok(profile) => profile,
        Err(invalid) => {
            let spec = profile_spec(&state, &file, &answers, version, &managers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let typed = StaffProfileRecord::of(id, &profile, version);
    match blocking(move || store.set_profile(&actor, id, &profile, version)).await {
        Ok(()) => Ok(Redirect::to(&back(id)).into_response()),
        Err(AppError::Conflict) => {
            // Someone saved first: show every part of what they saved that differs
            // from what was typed, the form keeping what was typed.
            let mut spec = profile_spec(&state, &file, &answers, file.profile.version, &managers);
            spec.changed = differences(
                &state.catalogue,
                profile_rows(&state, &file, &file.profile)
                    .into_iter()
                    .zip(profile_rows(&state, &file, &typed))
                    .map(|((key, saved), (_, typed))| (key, saved, typed)),
            );
            show_form(layout, FormErrors::none(), spec)
        }
        Err(AppError::Invalid(invalid)) => show_form(
            layout,
            invalid.into(),
            profile_spec(&state, &file, &answers, version, &managers),
        ),
        Err(other) => Err(other),
    }
}

fn availability_spec(state: &AppState, value: &str, version: i64) -> FormSpec {
    FormSpec {
        action: "/profile/availability".into(),
        back: "/profile".into(),
        button: t(state, "save-button"),
        hidden: vec![("version".into(), version.to_string())],
        fields: vec![
            FormField::new(
                "availability",
                t(state, "profile-availability-label"),
                FieldKind::Text,
                value,
            )
            .hint(t(state, "profile-availability-hint")),
        ],
        ..Default::default()
    }
}

/// `GET /profile/availability`: staff keep their own availability up to date.
pub async fn availability_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    let file = staff_file(&state, &staff, staff.actor.user_id).await?;
    show_form(
        Layout::staff(&state, &staff, "profile-availability-heading", "/profile"),
        FormErrors::none(),
        availability_spec(
            &state,
            file.profile.availability.as_deref().unwrap_or_default(),
            file.profile.version,
        ),
    )
}

/// `POST /profile/availability`.
pub async fn availability_submit(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    let body = FormBody::parse(&body);
    let version = body.version()?;
    let value = body.get("availability");
    let layout = Layout::staff(&state, &staff, "profile-availability-heading", "/profile");
    let availability = match advocase_domain::casework::optional_text(
        "availability",
        label::YOUR_AVAILABILITY,
        &value,
        advocase_domain::referral::MAX_SHORT,
    ) {
        Ok(value) => value,
        Err(error) => {
            return show_form(
                layout,
                Invalid::from(error).into(),
                availability_spec(&state, &value, version),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.set_own_availability(&actor, availability.as_deref(), version)).await?;
    Ok(Redirect::to("/profile").into_response())
}

// ---------------------------------------------------------------------------------------
// Qualifications
// ---------------------------------------------------------------------------------------

fn relying_words(state: &AppState, relying: &[RelyingCase]) -> String {
    let cases: Vec<String> = relying
        .iter()
        .map(|r| {
            let name = r
                .person_name
                .clone()
                .unwrap_or_else(|| t(state, "qualification-relying-restricted"));
            state.catalogue.text_with_args(
                "qualification-relying-case",
                &[
                    ("id", &r.case_id.to_string()),
                    ("name", &name),
                    ("duty", &t(state, &code_key("duty", &r.duty))),
                ],
            )
        })
        .collect();
    state
        .catalogue
        .text_with("qualification-relying-intro", "cases", &cases.join("; "))
}

fn confirm_field(state: &AppState) -> FormField {
    FormField::new(
        "confirm",
        t(state, "qualification-confirm-legend"),
        FieldKind::Checkboxes(vec![Choice {
            id: "confirm".into(),
            name: "confirm".into(),
            value: "yes".into(),
            label: t(state, "qualification-confirm-label"),
            checked: false,
        }]),
        "",
    )
}

fn qualification_spec(
    state: &AppState,
    file: &StaffFile,
    existing: Option<(i64, i64)>,
    answers: &QualificationAnswers,
    relying: &[RelyingCase],
) -> FormSpec {
    let mut fields = Vec::new();
    let mut hidden = Vec::new();
    match existing {
        None => {
            fields.push(FormField::new(
                "unit",
                t(state, "qualification-unit-label"),
                FieldKind::Select(select(state, "unit", &codes(Unit::ALL, Unit::as_str))),
                &answers.unit,
            ));
            fields.push(
                FormField::new(
                    "title",
                    t(state, "qualification-title-label"),
                    FieldKind::Text,
                    &answers.title,
                )
                .hint(t(state, "qualification-title-hint")),
            );
        }
        Some((_, version)) => {
            hidden.push(("unit".to_string(), answers.unit.clone()));
            hidden.push(("title".to_string(), answers.title.clone()));
            hidden.push(("version".to_string(), version.to_string()));
        }
    }
    fields.push(FormField::new(
        "status",
        t(state, "qualification-status-label"),
        FieldKind::Radios(radios(
            state,
            "status",
            "qualification-status-option",
            &codes(QualificationStatus::ALL, QualificationStatus::as_str),
            &answers.status,
        )),
        "",
    ));
    fields.push(FormField::new(
        "started_on",
        t(state, "qualification-started-label"),
        FieldKind::Date,
        &answers.started_on,
    ));
    fields.push(
        FormField::new(
            "achieved_on",
            t(state, "qualification-achieved-label"),
            FieldKind::Date,
            &answers.achieved_on,
        )
        .hint(t(state, "qualification-achieved-hint")),
    );
    fields.push(
        FormField::new(
            "evidence",
            t(state, "qualification-evidence-label"),
            FieldKind::Text,
            &answers.evidence,
        )
        .hint(t(state, "qualification-evidence-hint")),
    );
    if !relying.is_empty() {
        fields.push(confirm_field(state));
    }
    FormSpec {
        caption: file.name.clone(),
        intro: if relying.is_empty() {
            String::new()
        } else {
            relying_words(state, relying)
        },
        action: match existing {
            None => format!("/advocates/{}/qualifications", file.user_id),
            Some((id, _)) => format!("/advocates/{}/qualifications/{id}", file.user_id),
        },
        back: back(file.user_id),
        button: t(state, "save-button"),
        hidden,
        fields,
        ..Default::default()
    }
}

fn qualification_answers(body: &FormBody) -> QualificationAnswers {
    QualificationAnswers {
        unit: body.get("unit"),
        title: body.get("title"),
        status: body.get("status"),
        started_on: body.get("started_on"),
        achieved_on: body.get("achieved_on"),
        evidence: body.get("evidence"),
    }
}

/// `GET /advocates/{id}/qualifications/new`.
pub async fn qualification_new(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    show_form(
        Layout::staff(&state, &staff, "qualification-heading", "/workforce"),
        FormErrors::none(),
        qualification_spec(&state, &file, None, &QualificationAnswers::default(), &[]),
    )
}

/// `GET /advocates/{id}/qualifications/{qualification}`.
pub async fn qualification_edit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, qualification)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let q = file
        .qualifications
        .iter()
        .find(|q| q.id == qualification)
        .ok_or(AppError::NotFound)?;
    let answers = QualificationAnswers {
        unit: q.unit.clone(),
        title: q.title.clone(),
        status: q.status.clone(),
        started_on: q.started_on.map(|d| d.to_string()).unwrap_or_default(),
        achieved_on: q.achieved_on.map(|d| d.to_string()).unwrap_or_default(),
        evidence: q.evidence.clone().unwrap_or_default(),
    };
    show_form(
        Layout::staff(&state, &staff, "qualification-heading", "/workforce"),
        FormErrors::none(),
        qualification_spec(&state, &file, Some((q.id, q.version)), &answers, &[]),
    )
}

/// `POST /advocates/{id}/qualifications`: a new qualification.
pub async fn qualification_create(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    save_qualification(state, staff, id, None, body).await
}

/// `POST /advocates/{id}/qualifications/{qualification}`: a change to one.
pub async fn qualification_update(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, qualification)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    save_qualification(state, staff, id, Some(qualification), body).await
}

async fn save_qualification(
    state: AppState,
    staff: Staff,
    id: i64,
    qualification: Option<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let body = FormBody::parse(&body);
    let answers = qualification_answers(&body);
    let existing = match qualification {
        Some(q) => Some((q, body.version()?)),
        None => None,
    };
    let confirmed = body.get("confirm") == "yes";
    let layout = Layout::staff(&state, &staff, "qualification-heading", "/workforce");
    let parsed = match answers.parse(today()) {
        Ok(parsed) => parsed,
        Err(invalid) => {
            let spec = qualification_spec(&state, &file, existing, &answers, &[]);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let saved = parsed.clone();
    let done = blocking(move || {
        store.save_qualification(&actor, id, existing, &saved, confirmed, today())
    })
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&back(id)).into_response()),
        Err(AppError::Invalid(invalid)) if invalid.message_for("confirm").is_some() => {
            // The page lists the cases that rely on it and asks to confirm.
            let change = QualificationChange::Save {
                id: qualification,
                qualification: parsed,
            };
            let store = state.store.clone();
            let actor = staff.actor.clone();
            let relying =
                blocking(move || store.relying_cases(&actor, id, &change, today())).await?;
            let spec = qualification_spec(&state, &file, existing, &answers, &relying);
            show_form(layout, invalid.into(), spec)
        }
        Err(AppError::Invalid(invalid)) => {
            let spec = qualification_spec(&state, &file, existing, &answers, &[]);
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

fn removal_spec(
    state: &AppState,
    file: &StaffFile,
    id: i64,
    name: &str,
    relying: &[RelyingCase],
) -> FormSpec {
    FormSpec {
        caption: file.name.clone(),
        intro: if relying.is_empty() {
            state
                .catalogue
                .text_with("qualification-remove-intro", "name", name)
        } else {
            relying_words(state, relying)
        },
        action: format!("/advocates/{}/qualifications/{id}/remove", file.user_id),
        back: back(file.user_id),
        button: t(state, "qualification-remove-button"),
        fields: if relying.is_empty() {
            Vec::new()
        } else {
            vec![confirm_field(state)]
        },
        ..Default::default()
    }
}

async fn removal_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    qualification: i64,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let file = staff_file(state, staff, id).await?;
    let q = file
        .qualifications
        .iter()
        .find(|q| q.id == qualification)
        .ok_or(AppError::NotFound)?;
    let name = qualification_name(state, &q.unit, &q.title);
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let change = QualificationChange::Remove { id: qualification };
    let relying = blocking(move || store.relying_cases(&actor, id, &change, today())).await?;
    show_form(
        Layout::staff(state, staff, "qualification-remove-heading", "/workforce"),
        errors,
        removal_spec(state, &file, qualification, &name, &relying),
    )
}

/// `GET /advocates/{id}/qualifications/{qualification}/remove`.
pub async fn qualification_remove_form(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, qualification)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    removal_page(&state, &staff, id, qualification, FormErrors::none()).await
}

/// `POST /advocates/{id}/qualifications/{qualification}/remove`.
pub async fn qualification_remove(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, qualification)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let confirmed = FormBody::parse(&body).get("confirm") == "yes";
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || {
        store.remove_qualification(&actor, id, qualification, confirmed, today())
    })
    .await
    {
        Ok(()) => Ok(Redirect::to(&back(id)).into_response()),
        Err(AppError::Invalid(invalid)) => {
            removal_page(&state, &staff, id, qualification, invalid.into()).await
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Evidence of a qualification
// ---------------------------------------------------------------------------------------

async fn evidence_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    qualification: i64,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let file = staff_file(state, staff, id).await?;
    let q = file
        .qualifications
        .iter()
        .find(|q| q.id == qualification)
        .ok_or(AppError::NotFound)?;
    super::documents::upload_page(
        Layout::staff(state, staff, "evidence-heading", section_for(staff, id)),
        errors,
        super::documents::UploadForm {
            caption: file.name.clone(),
            intro: state.catalogue.text_with(
                "evidence-intro",
                "name",
                &qualification_name(state, &q.unit, &q.title),
            ),
            action: format!("/advocates/{id}/qualifications/{qualification}/evidence"),
            back: back(id),
            button: t(state, "evidence-save"),
        },
    )
}

/// `GET /advocates/{id}/qualifications/{qualification}/evidence/new`: the form to add a
/// certificate or other evidence, for the holder of the qualification and their
/// managers.
pub async fn evidence_form(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, qualification)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    evidence_page(&state, &staff, id, qualification, FormErrors::none()).await
}

/// `POST /advocates/{id}/qualifications/{qualification}/evidence`: a multipart form with
/// one file, `document`, checked, sealed and kept as a case's documents are.
pub async fn evidence_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, qualification)): Path<(i64, i64)>,
    form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (name, bytes) = match super::documents::read_document(form).await {
        Ok(document) => document,
        Err(invalid) => {
            return evidence_page(&state, &staff, id, qualification, invalid.into()).await;
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || {
        store.add_qualification_evidence(&actor, id, qualification, &name, &bytes)
    })
    .await
    {
        Ok(_) => Ok(Redirect::to(&back(id)).into_response()),
        Err(AppError::Invalid(invalid)) => {
            evidence_page(&state, &staff, id, qualification, invalid.into()).await
        }
        Err(other) => Err(other),
    }
}

/// `GET /advocates/{id}/evidence/{evidence}/remove`: asks before removing one file of
/// evidence, for the holder of the qualification and their managers.
pub async fn evidence_remove_form(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, evidence)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let file = staff_file(&state, &staff, id).await?;
    let record = file
        .evidence
        .iter()
        .find(|e| e.id == evidence)
        .ok_or(AppError::NotFound)?;
    let qualification = file
        .qualifications
        .iter()
        .find(|q| q.id == record.qualification_id)
        .map(|q| qualification_name(&state, &q.unit, &q.title))
        .unwrap_or_default();
    show_form(
        Layout::staff(
            &state,
            &staff,
            "evidence-remove-heading",
            section_for(&staff, id),
        ),
        FormErrors::none(),
        FormSpec {
            caption: file.name.clone(),
            intro: state.catalogue.text_with_args(
                "evidence-remove-intro",
                &[
                    ("file", record.file_name.as_str()),
                    ("name", qualification.as_str()),
                ],
            ),
            action: format!("/advocates/{id}/evidence/{evidence}/remove"),
            back: back(id),
            button: t(&state, "evidence-remove-button"),
            ..Default::default()
        },
    )
}

/// `POST /advocates/{id}/evidence/{evidence}/remove`.
pub async fn evidence_remove(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, evidence)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.remove_qualification_evidence(&actor, id, evidence)).await?;
    Ok(Redirect::to(&back(id)).into_response())
}

/// `GET /evidence/{id}`: a file of evidence, opened, for the holder of the
/// qualification and the managers of their provider; anyone else gets the page of a
/// file that does not exist.
pub async fn evidence_download(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (name, kind, bytes) = blocking(move || store.qualification_evidence(&actor, id)).await?;
    Ok(super::documents::download(&name, &kind, bytes))
}

// ---------------------------------------------------------------------------------------
// Training and supervision
// ---------------------------------------------------------------------------------------

fn training_spec(
    state: &AppState,
    file: &StaffFile,
    existing: Option<(i64, i64)>,
    answers: &TrainingAnswers,
) -> FormSpec {
    FormSpec {
        caption: file.name.clone(),
        action: match existing {
            None => format!("/advocates/{}/training", file.user_id),
            Some((id, _)) => format!("/advocates/{}/training/{id}", file.user_id),
        },
        back: back(file.user_id),
        button: t(state, "save-button"),
        hidden: existing
            .map(|(_, version)| vec![("version".to_string(), version.to_string())])
            .unwrap_or_default(),
        fields: vec![
            FormField::new(
                "kind",
                t(state, "training-kind-label"),
                FieldKind::Select(select(
                    state,
                    "training",
                    &codes(TrainingKind::ALL, TrainingKind::as_str),
                )),
                &answers.kind,
            ),
            FormField::new(
                "title",
                t(state, "training-title-label"),
                FieldKind::Text,
                &answers.title,
            )
            .hint(t(state, "training-title-hint")),
            FormField::new(
                "completed_on",
                t(state, "training-date-label"),
                FieldKind::Date,
                &answers.completed_on,
            ),
            FormField::new(
                "renew_months",
                t(state, "training-renew-label"),
                FieldKind::Number,
                &answers.renew_months,
            )
            .hint(t(state, "training-renew-hint")),
        ],
        ..Default::default()
    }
}

fn training_answers(body: &FormBody) -> TrainingAnswers {
    TrainingAnswers {
        kind: body.get("kind"),
        title: body.get("title"),
        completed_on: body.get("completed_on"),
        renew_months: body.get("renew_months"),
    }
}

/// The form's answers for a training record as it is saved.
fn saved_training(record: &TrainingRecord) -> TrainingAnswers {
    TrainingAnswers {
        kind: record.kind.clone(),
        title: record.title.clone().unwrap_or_default(),
        completed_on: record.completed_on.to_string(),
        renew_months: record
            .renew_months
            .map(|m| m.to_string())
            .unwrap_or_default(),
    }
}

fn section_for(staff: &Staff, id: i64) -> &'static str {
    if staff.actor.user_id == id {
        "/profile"
    } else {
        "/workforce"
    }
}

/// `GET /advocates/{id}/training/new`: managers for their staff, anyone for themselves.
pub async fn training_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let file = staff_file(&state, &staff, id).await?;
    show_form(
        Layout::staff(&state, &staff, "training-heading", section_for(&staff, id)),
        FormErrors::none(),
        training_spec(&state, &file, None, &TrainingAnswers::default()),
    )
}

/// `POST /advocates/{id}/training`.
pub async fn training_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    axum::Form(answers): axum::Form<TrainingAnswers>,
) -> Result<Response, AppError> {
    let file = staff_file(&state, &staff, id).await?;
    let layout = Layout::staff(&state, &staff, "training-heading", section_for(&staff, id));
    let training = match answers.parse(today()) {
        Ok(training) => training,
        Err(invalid) => {
            return show_form(
                layout,
                invalid.into(),
                training_spec(&state, &file, None, &answers),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.add_training(&actor, id, &training)).await?;
    Ok(Redirect::to(&back(id)).into_response())
}

fn training_record(file: &StaffFile, training: i64) -> Result<&TrainingRecord, AppError> {
    file.training
        .iter()
        .find(|r| r.id == training)
        .ok_or(AppError::NotFound)
}

/// `GET /advocates/{id}/training/{training}`: the form to correct a training record,
/// for whoever may record it.
pub async fn training_edit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, training)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let file = staff_file(&state, &staff, id).await?;
    let record = training_record(&file, training)?;
    show_form(
        Layout::staff(
            &state,
            &staff,
            "training-change-heading",
            section_for(&staff, id),
        ),
        FormErrors::none(),
        training_spec(
            &state,
            &file,
            Some((record.id, record.version)),
            &saved_training(record),
        ),
    )
}

/// `POST /advocates/{id}/training/{training}`. Checked as a new record is; a record
/// someone else corrected since the form opened is never overwritten: the form comes
/// back with what is saved and what differs.
pub async fn training_update(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, training)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let file = staff_file(&state, &staff, id).await?;
    let record = training_record(&file, training)?;
    let body = FormBody::parse(&body);
    let version = body.version()?;
    let answers = training_answers(&body);
    let layout = Layout::staff(
        &state,
        &staff,
        "training-change-heading",
        section_for(&staff, id),
    );
    let corrected = match answers.parse(today()) {
        Ok(corrected) => corrected,
        Err(invalid) => {
            let spec = training_spec(&state, &file, Some((training, version)), &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.correct_training(&actor, id, training, version, &corrected)).await
    {
        Ok(()) => Ok(Redirect::to(&back(id)).into_response()),
        Err(AppError::Conflict) => {
            let saved = saved_training(record);
            let kind = |a: &TrainingAnswers| t(&state, &code_key("training", &a.kind));
            let mut spec = training_spec(&state, &file, Some((training, record.version)), &saved);
            let changed = differences(
                &state.catalogue,
                [
                    ("training-kind-label", kind(&saved), kind(&answers)),
                    (
                        "training-title-label",
                        saved.title.clone(),
                        answers.title.clone(),
                    ),
                    (
                        "training-date-label",
                        saved.completed_on.clone(),
                        answers.completed_on.clone(),
                    ),
                    (
                        "training-renew-label",
                        saved.renew_months.clone(),
                        answers.renew_months.clone(),
                    ),
                ],
            );
            if changed.is_empty() {
                // What was typed is what is saved now: the correction is already made.
                return Ok(Redirect::to(&back(id)).into_response());
            }
            spec.changed = changed;
            show_form(layout, FormErrors::none(), spec)
        }
        Err(AppError::Invalid(invalid)) => {
            let spec = training_spec(&state, &file, Some((training, version)), &answers);
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

/// A supervision record being corrected: its id, the version the form shows, and
/// whether its notes are on the form, which they are only for the person supervised
/// and their supervisor.
#[derive(Clone, Copy)]
struct SupervisionCorrection {
    id: i64,
    version: i64,
    notes_shown: bool,
}

fn supervision_spec(
    state: &AppState,
    file: &StaffFile,
    correction: Option<SupervisionCorrection>,
    answers: &SupervisionAnswers,
    managers: &[(i64, String)],
) -> FormSpec {
    let mut fields = vec![
        FormField::new(
            "kind",
            t(state, "supervision-kind-label"),
            FieldKind::Radios(radios(
                state,
                "kind",
                "supervision",
                &codes(SupervisionKind::ALL, SupervisionKind::as_str),
                &answers.kind,
            )),
            "",
        ),
        FormField::new(
            "held_on",
            t(state, "supervision-date-label"),
            FieldKind::Date,
            &answers.held_on,
        ),
        FormField::new(
            "supervisor",
            t(state, "supervision-supervisor-label"),
            FieldKind::Select(staff_choices(state, managers, file.user_id)),
            &answers.supervisor,
        ),
        FormField::new(
            "external_supervisor",
            t(state, "supervision-external-label"),
            FieldKind::Text,
            &answers.external_supervisor,
        )
        .hint(t(state, "supervision-external-hint")),
    ];
    let notes_shown = correction.is_none_or(|c| c.notes_shown);
    if notes_shown {
        fields.push(
            FormField::new(
                "notes",
                t(state, "supervision-notes-label"),
                FieldKind::TextArea,
                &answers.notes,
            )
            .hint(t(state, "supervision-notes-hint")),
        );
    }
    FormSpec {
        caption: file.name.clone(),
        intro: if notes_shown {
            t(state, "supervision-intro")
        } else {
            t(state, "supervision-notes-kept")
        },
        action: match correction {
            None => format!("/advocates/{}/supervision", file.user_id),
            Some(c) => format!("/advocates/{}/supervision/{}", file.user_id, c.id),
        },
        back: back(file.user_id),
        button: t(state, "save-button"),
        hidden: correction
            .map(|c| vec![("version".to_string(), c.version.to_string())])
            .unwrap_or_default(),
        fields,
        ..Default::default()
    }
}

fn supervision_answers(body: &FormBody) -> SupervisionAnswers {
    SupervisionAnswers {
        kind: body.get("kind"),
        held_on: body.get("held_on"),
        supervisor: body.get("supervisor"),
        external_supervisor: body.get("external_supervisor"),
        notes: body.get("notes"),
    }
}

/// The form's answers for a meeting as it is saved, its notes only if the actor may
/// read them.
fn saved_supervision(entry: &SupervisionEntry) -> SupervisionAnswers {
    let r = &entry.record;
    SupervisionAnswers {
        kind: r.kind.clone(),
        held_on: r.held_on.to_string(),
        supervisor: r.supervisor_id.map(|s| s.to_string()).unwrap_or_default(),
        external_supervisor: r.external_supervisor.clone().unwrap_or_default(),
        notes: r.notes.clone().unwrap_or_default(),
    }
}

/// `GET /advocates/{id}/supervision/new`: managers only.
pub async fn supervision_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let managers = supervisors(&state, &staff).await?;
    let answers = SupervisionAnswers {
        supervisor: file
            .profile
            .supervisor_id
            .map(|s| s.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    show_form(
        Layout::staff(
            &state,
            &staff,
            "supervision-heading",
            section_for(&staff, id),
        ),
        FormErrors::none(),
        supervision_spec(&state, &file, None, &answers, &managers),
    )
}

/// `POST /advocates/{id}/supervision`.
pub async fn supervision_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    axum::Form(answers): axum::Form<SupervisionAnswers>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let managers = supervisors(&state, &staff).await?;
    let layout = Layout::staff(
        &state,
        &staff,
        "supervision-heading",
        section_for(&staff, id),
    );
    let supervision = match answers.parse(today(), &supervisor_ids(&managers, id)) {
        Ok(supervision) => supervision,
        Err(invalid) => {
            let spec = supervision_spec(&state, &file, None, &answers, &managers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.add_supervision(&actor, id, &supervision)).await?;
    Ok(Redirect::to(&back(id)).into_response())
}

fn supervision_entry(file: &StaffFile, supervision: i64) -> Result<&SupervisionEntry, AppError> {
    file.supervisions
        .iter()
        .find(|s| s.record.id == supervision)
        .ok_or(AppError::NotFound)
}

/// `GET /advocates/{id}/supervision/{supervision}`: the form to correct a meeting,
/// managers only. The notes are on it only for the person supervised and their
/// supervisor; anyone else's correction leaves them as they are.
pub async fn supervision_edit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, supervision)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let managers = supervisors(&state, &staff).await?;
    let entry = supervision_entry(&file, supervision)?;
    let correction = SupervisionCorrection {
        id: supervision,
        version: entry.record.version,
        notes_shown: entry.may_read_notes,
    };
    show_form(
        Layout::staff(
            &state,
            &staff,
            "supervision-change-heading",
            section_for(&staff, id),
        ),
        FormErrors::none(),
        supervision_spec(
            &state,
            &file,
            Some(correction),
            &saved_supervision(entry),
            &managers,
        ),
    )
}

/// `POST /advocates/{id}/supervision/{supervision}`. Checked as a new meeting is; a
/// record someone else corrected since the form opened is never overwritten.
pub async fn supervision_update(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, supervision)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let file = staff_file(&state, &staff, id).await?;
    let managers = supervisors(&state, &staff).await?;
    let entry = supervision_entry(&file, supervision)?;
    let body = FormBody::parse(&body);
    let version = body.version()?;
    let mut answers = supervision_answers(&body);
    if !entry.may_read_notes {
        // The notes were not on the form; storage keeps them as they are.
        answers.notes = String::new();
    }
    let correction = SupervisionCorrection {
        id: supervision,
        version,
        notes_shown: entry.may_read_notes,
    };
    let layout = Layout::staff(
        &state,
        &staff,
        "supervision-change-heading",
        section_for(&staff, id),
    );
    let corrected = match answers.parse(today(), &supervisor_ids(&managers, id)) {
        Ok(corrected) => corrected,
        Err(invalid) => {
            let spec = supervision_spec(&state, &file, Some(correction), &answers, &managers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.correct_supervision(&actor, id, supervision, version, &corrected))
        .await
    {
        Ok(()) => Ok(Redirect::to(&back(id)).into_response()),
        Err(AppError::Conflict) => {
            let saved = saved_supervision(entry);
            let kind = |a: &SupervisionAnswers| t(&state, &code_key("supervision", &a.kind));
            let supervisor = |a: &SupervisionAnswers| {
                a.supervisor
                    .parse::<i64>()
                    .ok()
                    .and_then(|s| managers.iter().find(|(m, _)| *m == s))
                    .map(|(_, name)| name.clone())
                    .unwrap_or_default()
            };
            let mut rows = vec![
                ("supervision-kind-label", kind(&saved), kind(&answers)),
                (
                    "supervision-date-label",
                    saved.held_on.clone(),
                    answers.held_on.clone(),
                ),
                (
                    "supervision-supervisor-label",
                    supervisor(&saved),
                    supervisor(&answers),
                ),
                (
                    "supervision-external-label",
                    saved.external_supervisor.clone(),
                    answers.external_supervisor.clone(),
                ),
            ];
            if entry.may_read_notes {
                rows.push((
                    "supervision-notes-label",
                    saved.notes.clone(),
                    answers.notes.clone(),
                ));
            }
            let shown = SupervisionCorrection {
                version: entry.record.version,
                ..correction
            };
            let changed = differences(&state.catalogue, rows);
            if changed.is_empty() {
                // What was typed is what is saved now (the other change was to notes
                // this manager may not read, or the same): nothing is left to correct.
                return Ok(Redirect::to(&back(id)).into_response());
            }
            let mut spec = supervision_spec(&state, &file, Some(shown), &saved, &managers);
            spec.changed = changed;
            show_form(layout, FormErrors::none(), spec)
        }
        Err(AppError::Invalid(invalid)) => {
            let spec = supervision_spec(&state, &file, Some(correction), &answers, &managers);
            show_form(layout, invalid.into(), spec)
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Compliance at a glance
// ---------------------------------------------------------------------------------------

pub struct ComplianceLine {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub items: Vec<DueLine>,
}

#[derive(Template)]
#[template(path = "workforce/compliance.html")]
struct CompliancePage {
    layout: Layout,
    errors: FormErrors,
    lines: Vec<ComplianceLine>,
    up_to_date: String,
}

/// `GET /workforce`: every member of staff with something overdue or due soon.
pub async fn compliance(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let files = blocking(move || store.workforce(&actor)).await?;
    let today = today();
    let total = files.len();
    let lines: Vec<ComplianceLine> = files
        .into_iter()
        .filter_map(|file| {
            let items = needing_attention(&staff_due(&file.facts(), today));
            (!items.is_empty()).then(|| ComplianceLine {
                id: file.user_id,
                role: state.catalogue.text(file.role.name_key()),
                items: due_lines(&state, &items),
                name: file.name,
            })
        })
        .collect();
    render(&CompliancePage {
        layout: Layout::staff(&state, &staff, "workforce-heading", "/workforce"),
        errors: FormErrors::none(),
        up_to_date: state.catalogue.text_with_count(
            "workforce-up-to-date-count",
            "count",
            (total - lines.len()) as i64,
        ),
        lines,
    })
}

// ---------------------------------------------------------------------------------------
// Qualification rules
// ---------------------------------------------------------------------------------------

pub struct RuleLine {
    pub duty: &'static str,
    pub name: String,
    pub rule: String,
}

#[derive(Template)]
#[template(path = "workforce/rules.html")]
struct RulesPage {
    layout: Layout,
    errors: FormErrors,
    rules: Vec<RuleLine>,
}

fn rule_words(state: &AppState, rule: &advocase_domain::workforce::AllocationRule) -> String {
    let units: Vec<&str> = rule.units.iter().map(|u| u.as_str()).collect();
    let mut words = state.catalogue.text_with_args(
        "rule-description",
        &[
            ("units", &units.join(", ")),
            (
                "minimum",
                &t(
                    state,
                    &code_key("qualification-status", rule.minimum.as_str()),
                ),
            ),
        ],
    );
    if rule.grace_months > 0 {
        words.push(' ');
        words.push_str(&state.catalogue.text_with(
            "rule-grace",
            "months",
            &rule.grace_months.to_string(),
        ));
    }
    words
}

async fn rules(
    state: &AppState,
    staff: &Staff,
) -> Result<Vec<(String, advocase_domain::workforce::AllocationRule)>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.allocation_rules(&actor)).await
}

/// `GET /workforce/rules`.
pub async fn rules_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let set = rules(&state, &staff).await?;
    render(&RulesPage {
        layout: Layout::staff(&state, &staff, "rules-heading", "/workforce"),
        errors: FormErrors::none(),
        rules: DUTIES
            .iter()
            .map(|duty| RuleLine {
                duty,
                name: t(&state, &code_key("duty", duty)),
                rule: set
                    .iter()
                    .find(|(d, _)| d == duty)
                    .map(|(_, rule)| rule_words(&state, rule))
                    .unwrap_or_else(|| t(&state, "rule-none")),
            })
            .collect(),
    })
}

fn rule_spec(state: &AppState, duty: &str, answers: &RuleAnswers) -> FormSpec {
    let units: Vec<&str> = Unit::ALL
        .iter()
        .filter(|u| **u != Unit::Other)
        .map(|u| u.as_str())
        .collect();
    FormSpec {
        caption: t(state, &code_key("duty", duty)),
        intro: t(state, &code_key("rule-suggestion", duty)),
        action: format!("/workforce/rules/{duty}"),
        back: "/workforce/rules".into(),
        button: t(state, "save-button"),
        fields: vec![
            FormField::new(
                "unit",
                t(state, "rule-units-label"),
                FieldKind::Checkboxes(checkboxes(state, "unit", "unit", &units, &answers.units)),
                "",
            )
            .hint(t(state, "rule-units-hint")),
            FormField::new(
                "minimum",
                t(state, "rule-minimum-label"),
                FieldKind::Radios(radios(
                    state,
                    "minimum",
                    "rule-minimum",
                    &["working_towards", "achieved"],
                    &answers.minimum,
                )),
                "",
            ),
            FormField::new(
                "grace_months",
                t(state, "rule-grace-label"),
                FieldKind::Number,
                &answers.grace_months,
            )
            .hint(t(state, "rule-grace-hint")),
        ],
        ..Default::default()
    }
}

fn known_duty(duty: &str) -> Result<&'static str, AppError> {
    DUTIES
        .iter()
        .copied()
        .find(|d| *d == duty)
        .ok_or(AppError::NotFound)
}

/// `GET /workforce/rules/{duty}`.
pub async fn rule_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(duty): Path<String>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let duty = known_duty(&duty)?;
    let set = rules(&state, &staff).await?;
    let answers = match set.iter().find(|(d, _)| d == duty) {
        Some((_, rule)) => RuleAnswers {
            units: rule.units.iter().map(|u| u.as_str().to_string()).collect(),
            minimum: rule.minimum.as_str().to_string(),
            grace_months: rule.grace_months.to_string(),
        },
        None => RuleAnswers::default(),
    };
    show_form(
        Layout::staff(&state, &staff, "rule-heading", "/workforce"),
        FormErrors::none(),
        rule_spec(&state, duty, &answers),
    )
}

/// `POST /workforce/rules/{duty}`.
pub async fn rule_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(duty): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let duty = known_duty(&duty)?;
    let body = FormBody::parse(&body);
    let answers = RuleAnswers {
        units: body.all("unit"),
        minimum: body.get("minimum"),
        grace_months: body.get("grace_months"),
    };
    let rule = match answers.parse() {
        Ok(rule) => rule,
        Err(invalid) => {
            return show_form(
                Layout::staff(&state, &staff, "rule-heading", "/workforce"),
                invalid.into(),
                rule_spec(&state, duty, &answers),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.set_allocation_rule(&actor, duty, rule.as_ref())).await?;
    Ok(Redirect::to("/workforce/rules").into_response())
}

// ---------------------------------------------------------------------------------------
// Equality: one's own answers, a person's, and the comparison
// ---------------------------------------------------------------------------------------

fn equality_spec(
    state: &AppState,
    action: String,
    back: String,
    intro: String,
    answers: &[(String, String)],
    allow_not_known: bool,
) -> FormSpec {
    FormSpec {
        intro,
        action,
        back,
        button: t(state, "save-button"),
        fields: CHARACTERISTICS
            .iter()
            .map(|c| {
                let mut options = vec![(String::new(), t(state, "equality-not-answered"))];
                options.extend(
                    c.answers
                        .iter()
                        .map(|a| (a.to_string(), t(state, &code_key("equality", a)))),
                );
                options.push((
                    PREFER_NOT_TO_SAY.to_string(),
                    t(state, "equality-prefer-not-to-say"),
                ));
                if allow_not_known {
                    options.push((NOT_KNOWN.to_string(), t(state, "equality-not-known")));
                }
                let value = answers
                    .iter()
                    .find(|(k, _)| k == c.code)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or_default();
                FormField::new(
                    c.code,
                    t(state, &code_key("characteristic", c.code)),
                    FieldKind::Select(options),
                    value,
                )
            })
            .collect(),
        ..Default::default()
    }
}

fn equality_answers(body: &FormBody) -> Vec<(String, String)> {
    CHARACTERISTICS
        .iter()
        .map(|c| (c.code.to_string(), body.get(c.code)))
        .collect()
}

fn own_equality_spec(state: &AppState, answers: &[(String, String)]) -> FormSpec {
    equality_spec(
        state,
        "/profile/equality".into(),
        "/profile".into(),
        t(state, "equality-own-intro"),
        answers,
        false,
    )
}

/// `GET /profile/equality`: a member of staff's own answers, which nobody else sees
/// one by one.
pub async fn own_equality_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let answers = blocking(move || store.own_equality(&actor)).await?;
    show_form(
        Layout::staff(&state, &staff, "equality-own-heading", "/profile"),
        FormErrors::none(),
        own_equality_spec(&state, &answers),
    )
}

/// `POST /profile/equality`.
pub async fn own_equality_submit(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    let answers = equality_answers(&FormBody::parse(&body));
    let checked = match parse_equality(&answers, false) {
        Ok(checked) => checked,
        Err(invalid) => {
            return show_form(
                Layout::staff(&state, &staff, "equality-own-heading", "/profile"),
                invalid.into(),
                own_equality_spec(&state, &answers),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.set_own_equality(&actor, &checked)).await?;
    Ok(Redirect::to("/profile").into_response())
}

fn person_equality_spec(state: &AppState, person: i64, answers: &[(String, String)]) -> FormSpec {
    equality_spec(
        state,
        format!("/people/{person}/equality"),
        format!("/people/{person}"),
        t(state, "equality-person-intro"),
        answers,
        true,
    )
}

/// `GET /people/{id}/equality`: what the person chose to tell about themselves, for
/// equality monitoring.
pub async fn person_equality_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(person): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let answers = blocking(move || store.person_equality(&actor, person)).await?;
    show_form(
        Layout::staff(&state, &staff, "equality-person-heading", "/cases"),
        FormErrors::none(),
        person_equality_spec(&state, person, &answers),
    )
}

/// `POST /people/{id}/equality`.
pub async fn person_equality_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(person): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let answers = equality_answers(&FormBody::parse(&body));
    let checked = match parse_equality(&answers, true) {
        Ok(checked) => checked,
        Err(invalid) => {
            return show_form(
                Layout::staff(&state, &staff, "equality-person-heading", "/cases"),
                invalid.into(),
                person_equality_spec(&state, person, &answers),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.set_person_equality(&actor, person, &checked)).await?;
    Ok(Redirect::to(&format!("/people/{person}")).into_response())
}

pub struct ComparisonRow {
    pub answer: String,
    pub staff: String,
    pub people: String,
}

pub struct ComparisonTable {
    pub caption: String,
    pub rows: Vec<ComparisonRow>,
    pub staff_total: String,
    pub people_total: String,
}

#[derive(Template)]
#[template(path = "workforce/equality.html")]
struct ComparisonPage {
    layout: Layout,
    errors: FormErrors,
    tables: Vec<ComparisonTable>,
}

/// A published count with its share of a shown total.
fn cell_words(state: &AppState, cell: Cell, total: Cell) -> String {
    match (cell, total) {
        (Cell::Shown(n), Cell::Shown(total)) if total > 0 => {
            format!("{n} ({}%)", (n * 100 + total / 2) / total)
        }
        (Cell::Shown(n), _) => n.to_string(),
        // A small count and one hidden beside it read alike, or the reader could tell
        // them apart and work both out from the total.
        (Cell::Small | Cell::Hidden, _) => t(state, "equality-hidden"),
    }
}

/// `GET /workforce/equality`: the staff team beside the people it serves, counts from 1
/// to 7 not shown and no hidden count recoverable from a total.
pub async fn equality_comparison(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let counts = blocking(move || store.equality_counts(&actor)).await?;
    let tables = CHARACTERISTICS
        .iter()
        .map(|c| {
            let answers: Vec<&str> = c
                .answers
                .iter()
                .copied()
                .chain([PREFER_NOT_TO_SAY, NOT_KNOWN])
                .collect();
            let count = |rows: &[(String, String, u64)], answer: &str| {
                rows.iter()
                    .find(|(k, a, _)| k == c.code && a == answer)
                    .map_or(0, |(_, _, n)| *n)
            };
            let staff: Vec<u64> = answers.iter().map(|a| count(&counts.staff, a)).collect();
            let people: Vec<u64> = answers.iter().map(|a| count(&counts.people, a)).collect();
            let staff = suppress(&staff, DEFAULT_THRESHOLD);
            let people = suppress(&people, DEFAULT_THRESHOLD);
            ComparisonTable {
                caption: t(&state, &code_key("characteristic", c.code)),
                rows: answers
                    .iter()
                    .enumerate()
                    .map(|(i, a)| ComparisonRow {
                        answer: match *a {
                            PREFER_NOT_TO_SAY => t(&state, "equality-prefer-not-to-say"),
                            NOT_KNOWN => t(&state, "equality-not-known"),
                            other => t(&state, &code_key("equality", other)),
                        },
                        staff: cell_words(&state, staff.cells[i], staff.total),
                        people: cell_words(&state, people.cells[i], people.total),
                    })
                    .collect(),
                staff_total: cell_words(&state, staff.total, Cell::Shown(0)),
                people_total: cell_words(&state, people.total, Cell::Shown(0)),
            }
        })
        .collect();
    render(&ComparisonPage {
        layout: Layout::staff(&state, &staff, "equality-heading", "/workforce"),
        errors: FormErrors::none(),
        tables,
    })
}
