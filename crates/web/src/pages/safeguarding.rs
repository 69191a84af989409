//! Safeguarding concerns, complaints about the service (with the public page to make
//! one), concerns about other services and the signals that report them, and the
//! manager's quality dashboard.
//!
//! The rules live in the domain and storage crates; these handlers parse the forms,
//! call the store and render. Lists and records share one template of tables.

use super::cases::code_key;
use super::forms::{FieldKind, FormField, FormSpec, ProviderChoice, chosen_provider, show_form};
use super::manager;
use super::{FormErrors, Layout, radios, render};
use super::{code_select as code_options, iso_date as iso, long_date as date};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock;
use crate::error::AppError;
use crate::pages::referrals::calendar;
use advocase_domain::identity::Role;
use advocase_domain::safeguarding::{
    AbuseCategory, ClockState, CloseConcernAnswers, Common, ComplaintAnswers, ComplaintKind,
    ComplaintProgressAnswers, ComplaintSource, ComplaintStage, ConcernActionsAnswers,
    ConcernAnswers, ConcernTheme, Finding, PlaceKind, ServiceConcernAnswers, Severity,
    SignalAnswers, SignalBasis, clock_state, complaint_deadlines, concern_is_stale, signal_date,
    surface_concerns,
};
use advocase_domain::validation::Invalid;
use advocase_i18n::{label, msg};
use advocase_storage::safeguarding::{ComplaintRecord, ConcernRow, NewSignal};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

fn words(state: &AppState, prefix: &str, code: &str) -> String {
    state.catalogue.text(&code_key(prefix, code))
}

/// One cell of a table: words, perhaps a link, perhaps a red tag.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub tag: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: None,
            tag: None,
        }
    }

    fn link(text: impl Into<String>, href: String) -> Self {
        Self {
            href: Some(href),
            ..Self::text(text)
        }
    }

    fn tagged(mut self, tag: Option<String>) -> Self {
        self.tag = tag;
        self
    }
}

pub struct Table {
    pub id: String,
    pub caption: String,
    pub intro: String,
    pub heads: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

/// A count on the dashboard that links to its list.
pub struct Count {
    pub count: usize,
    pub label: String,
    pub href: String,
}

#[derive(Default)]
pub struct TablesSpec {
    pub back: String,
    pub caption: String,
    pub intro: String,
    pub counts: Vec<Count>,
    pub summary: Vec<(String, String)>,
    pub actions: Vec<(String, String)>,
    pub tables: Vec<Table>,
}

#[derive(Template)]
#[template(path = "safeguarding/tables.html")]
struct TablesPage {
    layout: Layout,
    errors: FormErrors,
    page: TablesSpec,
}

pub fn show_tables(layout: Layout, page: TablesSpec) -> Result<Response, AppError> {
    render(&TablesPage {
        layout,
        errors: FormErrors::none(),
        page,
    })
}

// ---------------------------------------------------------------------------------------
// Safeguarding concerns
// ---------------------------------------------------------------------------------------

fn concern_spec(
    state: &AppState,
    layout: &Layout,
    action: String,
    back: String,
    from_case: bool,
    a: &ConcernAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let categories: Vec<&str> = AbuseCategory::ALL.iter().map(|c| c.as_str()).collect();
    let yes_no = [("yes", "ref-answer-yes"), ("no", "ref-answer-no")];
    let mut fields = Vec::new();
    if !from_case {
        fields.push(
            FormField::new(
                "adult_name",
                t("concern-adult-name-label"),
                FieldKind::Text,
                &a.adult_name,
            )
            .hint(t("concern-adult-name-hint")),
        );
    }
    fields.extend([
        FormField::new(
            "raised_on",
            t("concern-raised-on-label"),
            FieldKind::Date,
            &a.raised_on,
        ),
        FormField::new(
            "category",
            t("concern-category-label"),
            FieldKind::Select(code_options(state, "abuse", &categories)),
            &a.category,
        ),
        FormField::new(
            "what_happened",
            t("concern-what-label"),
            FieldKind::TextArea,
            &a.what_happened,
        ),
        FormField::new(
            "person_wants",
            t("concern-wants-label"),
            FieldKind::TextArea,
            &a.person_wants,
        )
        .hint(t("concern-wants-hint")),
        FormField::new(
            "immediate_risk",
            t("concern-risk-label"),
            FieldKind::InlineRadios(radios(layout, "immediate_risk", &yes_no, &a.immediate_risk)),
            &a.immediate_risk,
        ),
    ]);
    FormSpec {
        intro: t("concern-intro"),
        action,
        back,
        button: t("concern-save"),
        fields,
        ..Default::default()
    }
}

fn new_concern_answers() -> ConcernAnswers {
    ConcernAnswers {
        raised_on: iso(clock::today()),
        ..Default::default()
    }
}

/// `GET /cases/{id}/safeguarding/new`.
pub async fn case_concern_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.case_file(&actor, id)).await?;
    let layout = Layout::staff(&state, &staff, "concern-heading", "/safeguarding");
    let spec = concern_spec(
        &state,
        &layout,
        format!("/cases/{id}/safeguarding"),
        format!("/cases/{id}"),
        true,
        &new_concern_answers(),
    );
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /cases/{id}/safeguarding`.
pub async fn case_concern_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ConcernAnswers>,
) -> Result<Response, AppError> {
    raise(state, staff, Some(id), answers).await
}

/// `GET /safeguarding/new`: a concern about an adult who is not a client.
pub async fn concern_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let layout = Layout::staff(&state, &staff, "concern-heading", "/safeguarding");
    let spec = concern_spec(
        &state,
        &layout,
        "/safeguarding".into(),
        "/safeguarding".into(),
        false,
        &new_concern_answers(),
    );
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /safeguarding`.
pub async fn concern_submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(answers): Form<ConcernAnswers>,
) -> Result<Response, AppError> {
    raise(state, staff, None, answers).await
}

async fn raise(
    state: AppState,
    staff: Staff,
    case_id: Option<i64>,
    answers: ConcernAnswers,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let concern = match answers.parse(clock::today(), case_id.is_some()) {
        Ok(concern) => concern,
        Err(invalid) => {
            let layout = Layout::staff(&state, &staff, "concern-heading", "/safeguarding");
            let (action, back) = match case_id {
                Some(id) => (format!("/cases/{id}/safeguarding"), format!("/cases/{id}")),
                None => ("/safeguarding".into(), "/safeguarding".into()),
            };
            let spec = concern_spec(&state, &layout, action, back, case_id.is_some(), &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let id = blocking(move || store.raise_concern(&actor, case_id, &concern)).await?;
    Ok(Redirect::to(&format!("/safeguarding/{id}")).into_response())
}

/// An open concern's age in working days and whether it has been left too long.
fn concern_age(
    state: &AppState,
    calendar: &advocase_domain::clocks::WorkingDayCalendar,
    row: &ConcernRow,
) -> (u32, bool) {
    let today = clock::today();
    let touched = clock::local(row.record.touched_at).date();
    (
        calendar.working_days_between(row.record.raised_on, today),
        row.record.closed_on.is_none()
            && concern_is_stale(
                calendar,
                touched,
                today,
                state.config.safeguarding_stale_working_days,
            ),
    )
}

/// The table of concerns, for the list and the manager's home page.
pub async fn concerns_table(
    state: &AppState,
    rows: &[ConcernRow],
    caption: String,
) -> Result<Table, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let calendar = calendar(state).await?;
    Ok(Table {
        id: "concerns".into(),
        caption,
        intro: String::new(),
        heads: vec![
            t("concern-col-adult"),
            t("concern-col-category"),
            t("concern-col-raised"),
            t("concern-col-age"),
            t("concern-col-status"),
        ],
        rows: rows
            .iter()
            .map(|row| {
                let (age, stale) = concern_age(state, &calendar, row);
                vec![
                    Cell::link(
                        row.adult.clone(),
                        format!("/safeguarding/{}", row.record.id),
                    ),
                    Cell::text(words(state, "abuse", &row.record.category)),
                    Cell::text(date(row.record.raised_on)),
                    Cell::text(
                        state
                            .catalogue
                            .text_with("concern-age", "days", &age.to_string()),
                    )
                    .tagged(stale.then(|| t("concern-stale"))),
                    Cell::text(match row.record.closed_on {
                        Some(on) => {
                            state
                                .catalogue
                                .text_with("concern-closed-on", "date", &date(on))
                        }
                        None => t("concern-open"),
                    }),
                ]
            })
            .collect(),
        empty: t("concerns-none"),
    })
}

/// `GET /safeguarding`: the concerns the actor may see, open ones first.
pub async fn concerns(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let rows = blocking(move || store.concerns(&actor, false)).await?;
    let t = |key: &str| state.catalogue.text(key);
    let table = concerns_table(&state, &rows, t("concerns-heading")).await?;
    let layout = Layout::staff(&state, &staff, "concerns-heading", "/safeguarding");
    show_tables(
        layout,
        TablesSpec {
            intro: state.catalogue.text_with(
                "concerns-intro",
                "days",
                &state.config.safeguarding_stale_working_days.to_string(),
            ),
            actions: vec![("/safeguarding/new".into(), t("concern-not-client-link"))],
            tables: vec![table],
            ..Default::default()
        },
    )
}

/// `GET /safeguarding/{id}`.
pub async fn concern(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.concern_file(&actor, id)).await?;
    let t = |key: &str| state.catalogue.text(key);
    let r = &file.concern.record;
    let reported =
        |on: Option<NaiveDate>| on.map(date).unwrap_or_else(|| t("concern-not-reported"));
    let mut summary = vec![
        (t("concern-col-adult"), file.concern.adult.clone()),
        (t("concern-raised-on-label"), date(r.raised_on)),
        (
            t("concern-category-label"),
            words(&state, "abuse", &r.category),
        ),
        (t("concern-what-label"), r.what_happened.clone()),
        (t("concern-wants-label"), r.person_wants.clone()),
        (
            t("concern-risk-label"),
            t(if r.immediate_risk {
                "ref-answer-yes"
            } else {
                "ref-answer-no"
            }),
        ),
        (
            t("concern-council-label"),
            match (&r.local_authority_on, &r.local_authority_reference) {
                (Some(on), Some(reference)) => format!("{} ({})", date(*on), reference),
                (on, _) => reported(*on),
            },
        ),
        (t("concern-police-label"), reported(r.police_on)),
        (t("concern-regulator-label"), reported(r.regulator_on)),
    ];
    if let Some(breach) = r
        .breach_id
        .and_then(|b| file.breaches.iter().find(|(id, _)| *id == b))
    {
        summary.push((
            t("concern-breach-label"),
            state
                .catalogue
                .text_with("concern-breach-on", "date", &date(breach.1)),
        ));
    }
    match (&r.closed_on, &r.outcome) {
        (Some(on), Some(outcome)) => {
            summary.push((t("concern-outcome-label"), outcome.clone()));
            summary.push((t("concern-closed-label"), date(*on)));
        }
        _ => summary.push((t("concern-col-status"), t("concern-open"))),
    }
    let mut actions = Vec::new();
    if r.closed_on.is_none() {
        actions.push((
            format!("/safeguarding/{id}/actions"),
            t("concern-actions-heading"),
        ));
        if let Some(person_id) = r.person_id
            && r.breach_id.is_none()
        {
            actions.push((
                format!("/safeguarding/{id}/breach"),
                t("concern-breach-link"),
            ));
            actions.push((
                format!("/people/{person_id}/breaches/new"),
                t("concern-record-breach-link"),
            ));
        }
        if staff.actor.role == Role::Manager {
            actions.push((
                format!("/safeguarding/{id}/close"),
                t("concern-close-heading"),
            ));
        }
    }
    let layout = Layout::staff(&state, &staff, "concern-page-heading", "/safeguarding");
    show_tables(
        layout,
        TablesSpec {
            back: r
                .case_id
                .map(|c| format!("/cases/{c}"))
                .unwrap_or_else(|| "/safeguarding".into()),
            caption: file.concern.adult.clone(),
            summary,
            actions,
            ..Default::default()
        },
    )
}

fn actions_spec(state: &AppState, id: i64, a: &ConcernActionsAnswers) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    FormSpec {
        intro: t("concern-actions-intro"),
        action: format!("/safeguarding/{id}/actions"),
        back: format!("/safeguarding/{id}"),
        button: t("concern-actions-save"),
        fields: vec![
            FormField::new(
                "local_authority_on",
                t("concern-council-label"),
                FieldKind::Date,
                &a.local_authority_on,
            ),
            FormField::new(
                "local_authority_reference",
                t("concern-reference-label"),
                FieldKind::Text,
                &a.local_authority_reference,
            )
            .hint(t("concern-reference-hint")),
            FormField::new(
                "police_on",
                t("concern-police-label"),
                FieldKind::Date,
                &a.police_on,
            ),
            FormField::new(
                "regulator_on",
                t("concern-regulator-label"),
                FieldKind::Date,
                &a.regulator_on,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /safeguarding/{id}/actions`.
pub async fn actions_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.concern_file(&actor, id)).await?;
    let r = file.concern.record;
    let answers = ConcernActionsAnswers {
        local_authority_on: r.local_authority_on.map(iso).unwrap_or_default(),
        local_authority_reference: r.local_authority_reference.unwrap_or_default(),
        police_on: r.police_on.map(iso).unwrap_or_default(),
        regulator_on: r.regulator_on.map(iso).unwrap_or_default(),
    };
    let layout = Layout::staff(&state, &staff, "concern-actions-heading", "/safeguarding");
    show_form(
        layout,
        FormErrors::none(),
        actions_spec(&state, id, &answers),
    )
}

/// `POST /safeguarding/{id}/actions`.
pub async fn actions_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ConcernActionsAnswers>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.concern_file(&actor, id)).await?;
    let actions = match answers.parse(clock::today(), file.concern.record.raised_on) {
        Ok(actions) => actions,
        Err(invalid) => {
            let layout = Layout::staff(&state, &staff, "concern-actions-heading", "/safeguarding");
            return show_form(layout, invalid.into(), actions_spec(&state, id, &answers));
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.record_concern_actions(&actor, id, &actions)).await?;
    Ok(Redirect::to(&format!("/safeguarding/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BreachChoice {
    breach: String,
}

fn breach_spec(state: &AppState, id: i64, breaches: &[(i64, NaiveDate)], chosen: &str) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let mut options = vec![(String::new(), t("choose-one"))];
    options.extend(breaches.iter().map(|(b, on)| {
        (
            b.to_string(),
            state
                .catalogue
                .text_with("concern-breach-on", "date", &date(*on)),
        )
    }));
    FormSpec {
        intro: t("concern-breach-intro"),
        action: format!("/safeguarding/{id}/breach"),
        back: format!("/safeguarding/{id}"),
        button: t("concern-breach-save"),
        fields: vec![FormField::new(
            "breach",
            t("concern-breach-label"),
            FieldKind::Select(options),
            chosen,
        )],
        ..Default::default()
    }
}

/// `GET /safeguarding/{id}/breach`: link the concern to a breach about the same person.
pub async fn breach_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.concern_file(&actor, id)).await?;
    let layout = Layout::staff(&state, &staff, "concern-breach-link", "/safeguarding");
    show_form(
        layout,
        FormErrors::none(),
        breach_spec(&state, id, &file.breaches, ""),
    )
}

/// `POST /safeguarding/{id}/breach`.
pub async fn breach_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(choice): Form<BreachChoice>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.concern_file(&actor, id)).await?;
    let chosen = choice
        .breach
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|b| file.breaches.iter().any(|(id, _)| id == b));
    let Some(breach_id) = chosen else {
        let layout = Layout::staff(&state, &staff, "concern-breach-link", "/safeguarding");
        let invalid = Invalid::one("breach", msg::CONCERN_BREACH_INVALID);
        return show_form(
            layout,
            invalid.into(),
            breach_spec(&state, id, &file.breaches, &choice.breach),
        );
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.link_breach(&actor, id, breach_id)).await?;
    Ok(Redirect::to(&format!("/safeguarding/{id}")).into_response())
}

fn close_spec(state: &AppState, id: i64, a: &CloseConcernAnswers) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    FormSpec {
        intro: t("concern-close-intro"),
        action: format!("/safeguarding/{id}/close"),
        back: format!("/safeguarding/{id}"),
        button: t("concern-close-save"),
        fields: vec![
            FormField::new(
                "closed_on",
                t("concern-closed-label"),
                FieldKind::Date,
                &a.closed_on,
            ),
            FormField::new(
                "outcome",
                t("concern-outcome-label"),
                FieldKind::TextArea,
                &a.outcome,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /safeguarding/{id}/close`: managers only.
pub async fn close_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.concern_file(&actor, id)).await?;
    let layout = Layout::staff(&state, &staff, "concern-close-heading", "/safeguarding");
    let answers = CloseConcernAnswers {
        closed_on: iso(clock::today()),
        ..Default::default()
    };
    show_form(layout, FormErrors::none(), close_spec(&state, id, &answers))
}

/// `POST /safeguarding/{id}/close`.
pub async fn close_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<CloseConcernAnswers>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.concern_file(&actor, id)).await?;
    let (on, outcome) = match answers.parse(clock::today(), file.concern.record.raised_on) {
        Ok(closing) => closing,
        Err(invalid) => {
            let layout = Layout::staff(&state, &staff, "concern-close-heading", "/safeguarding");
            return show_form(layout, invalid.into(), close_spec(&state, id, &answers));
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.close_concern(&actor, id, on, &outcome)).await?;
    Ok(Redirect::to(&format!("/safeguarding/{id}")).into_response())
}

/// The open concerns for a manager's home page, as a table with their ages.
pub async fn home_concerns(state: &AppState, staff: &Staff) -> Result<Table, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let rows = blocking(move || store.concerns(&actor, true)).await?;
    concerns_table(state, &rows, state.catalogue.text("home-concerns-heading")).await
}

// ---------------------------------------------------------------------------------------
// Complaints and compliments
// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PublicComplaintForm {
    #[serde(flatten)]
    answers: ComplaintAnswers,
    provider: String,
    website: String,
}

async fn complaint_spec(
    state: &AppState,
    layout: &Layout,
    easy_read: bool,
    f: &PublicComplaintForm,
) -> Result<FormSpec, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let k = |key: &str| {
        if easy_read {
            t(&format!("{key}-easy"))
        } else {
            t(key)
        }
    };
    let a = &f.answers;
    let kinds = [
        (
            "complaint",
            if easy_read {
                "complain-kind-complaint-easy"
            } else {
                "complain-kind-complaint"
            },
        ),
        (
            "compliment",
            if easy_read {
                "complain-kind-compliment-easy"
            } else {
                "complain-kind-compliment"
            },
        ),
    ];
    let mut fields = vec![FormField::new(
        "kind",
        k("complain-kind-label"),
        FieldKind::Radios(radios(layout, "kind", &kinds, &a.kind)),
        &a.kind,
    )];
    let mut hidden = Vec::new();
    ProviderChoice::load(state, layout).await?.add_to(
        &mut fields,
        &mut hidden,
        k("complain-provider-label"),
        &f.provider,
    );
    fields.extend([
        FormField::new(
            "complainant_name",
            k("complain-name-label"),
            FieldKind::Text,
            &a.complainant_name,
        ),
        FormField::new(
            "how_to_reply",
            k("complain-reply-label"),
            FieldKind::Text,
            &a.how_to_reply,
        )
        .hint(k("complain-reply-hint")),
        FormField::new(
            "what_happened",
            k("complain-what-label"),
            FieldKind::TextArea,
            &a.what_happened,
        )
        .hint(k("complain-what-hint")),
    ]);
    let (action, other) = if easy_read {
        (
            "/complain/easy-read",
            ("/complain".to_string(), t("complain-full-link")),
        )
    } else {
        (
            "/complain",
            ("/complain/easy-read".to_string(), t("complain-easy-link")),
        )
    };
    Ok(FormSpec {
        intro: k("complain-intro"),
        action: action.into(),
        back: "/".into(),
        button: k("complain-send"),
        hidden,
        fields,
        honeypot: true,
        links: vec![
            other,
            ("/feedback".to_string(), k("complain-feedback-link")),
        ],
        ..Default::default()
    })
}

/// `GET /complain`: the public page to complain about the service or to thank it.
pub async fn public_form(State(state): State<AppState>) -> Result<Response, AppError> {
    show_public(
        &state,
        false,
        PublicComplaintForm::default(),
        FormErrors::none(),
    )
    .await
}

/// `GET /complain/easy-read`.
pub async fn easy_read_form(State(state): State<AppState>) -> Result<Response, AppError> {
    show_public(
        &state,
        true,
        PublicComplaintForm::default(),
        FormErrors::none(),
    )
    .await
}

async fn show_public(
    state: &AppState,
    easy_read: bool,
    form: PublicComplaintForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let layout = Layout::public(
        state,
        if easy_read {
            "complain-heading-easy"
        } else {
            "complain-heading"
        },
    );
    let spec = complaint_spec(state, &layout, easy_read, &form).await?;
    show_form(layout, errors, spec)
}

/// `POST /complain`.
pub async fn public_submit(
    State(state): State<AppState>,
    Form(form): Form<PublicComplaintForm>,
) -> Result<Response, AppError> {
    submit_public(state, false, form).await
}

/// `POST /complain/easy-read`.
pub async fn easy_read_submit(
    State(state): State<AppState>,
    Form(form): Form<PublicComplaintForm>,
) -> Result<Response, AppError> {
    submit_public(state, true, form).await
}

/// A filled-in `website` field (which no person sees) means a program sent the form:
/// it gets the same answer as a success, and nothing is stored.
async fn submit_public(
    state: AppState,
    easy_read: bool,
    mut form: PublicComplaintForm,
) -> Result<Response, AppError> {
    // The public page always dates a complaint today.
    form.answers.received_on = String::new();
    if !form.website.trim().is_empty() {
        return complaint_sent(&state, ComplaintKind::Complaint, None);
    }
    let mut invalid = Invalid::default();
    let provider = chosen_provider(
        &state,
        &form.provider,
        msg::COMPLAIN_PROVIDER_INVALID,
        &mut invalid,
    )
    .await?;
    let parsed = form.answers.parse(clock::today());
    if let Err(errors) = &parsed {
        invalid.0.extend(errors.0.iter().cloned());
    }
    let (Ok(complaint), Some(provider_id), true) = (parsed, provider, invalid.is_empty()) else {
        let layout = Layout::public(
            &state,
            if easy_read {
                "complain-heading-easy"
            } else {
                "complain-heading"
            },
        );
        let spec = complaint_spec(&state, &layout, easy_read, &form).await?;
        return show_form(layout, invalid.into(), spec);
    };
    let deadlines = clocks_for(&state, complaint.received_on).await?;
    let source = if easy_read {
        ComplaintSource::EasyRead
    } else {
        ComplaintSource::Public
    };
    let kind = complaint.kind;
    let store = state.store.clone();
    blocking(move || {
        store.submit_complaint(provider_id, None, None, source, &complaint, deadlines)
    })
    .await?;
    complaint_sent(&state, kind, Some(deadlines))
}

async fn clocks_for(
    state: &AppState,
    received_on: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let calendar = calendar(state).await?;
    Ok(complaint_deadlines(
        &calendar,
        received_on,
        state.config.complaint_acknowledge_working_days,
        state.config.complaint_response_working_days,
    ))
}

fn complaint_sent(
    state: &AppState,
    kind: ComplaintKind,
    deadlines: Option<(NaiveDate, NaiveDate)>,
) -> Result<Response, AppError> {
    let t = |key: &str| state.catalogue.text(key);
    let intro = match (kind, deadlines) {
        (ComplaintKind::Compliment, _) => t("complain-sent-compliment"),
        (ComplaintKind::Complaint, Some((acknowledge, respond))) => state.catalogue.text_with_args(
            "complain-sent-complaint",
            &[
                ("acknowledge", date(acknowledge).as_str()),
                ("respond", date(respond).as_str()),
            ],
        ),
        // A program that filled in the hidden field is told only that it was sent.
        (ComplaintKind::Complaint, None) => t("complain-sent-compliment"),
    };
    show_tables(
        Layout::public(state, "complain-sent-heading"),
        TablesSpec {
            intro,
            summary: vec![(t("complain-support-heading"), t("complain-support-text"))],
            ..Default::default()
        },
    )
}

fn clock_words(
    state: &AppState,
    calendar: &advocase_domain::clocks::WorkingDayCalendar,
    due: NaiveDate,
    done: Option<NaiveDate>,
) -> (String, Option<String>) {
    let c = &state.catalogue;
    match clock_state(calendar, due, done, clock::today()) {
        ClockState::Done { on, late } => (
            c.text_with("clock-done", "date", &date(on)),
            late.then(|| c.text("clock-late")),
        ),
        ClockState::Running { working_days_left } => (
            c.text_with_args(
                "clock-running",
                &[
                    ("date", date(due).as_str()),
                    ("days", working_days_left.to_string().as_str()),
                ],
            ),
            None,
        ),
        ClockState::Overdue => (
            c.text_with("clock-due", "date", &date(due)),
            Some(c.text("clock-overdue")),
        ),
    }
}

/// `GET /complaints`: managers' list of complaints and compliments with their clocks.
pub async fn complaints(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let rows = blocking(move || store.complaints(&actor)).await?;
    let calendar = calendar(&state).await?;
    let t = |key: &str| state.catalogue.text(key);
    let table_of = |kind: ComplaintKind, caption: &str, empty: &str| Table {
        id: kind.as_str().into(),
        caption: t(caption),
        intro: String::new(),
        heads: if kind == ComplaintKind::Complaint {
            vec![
                t("complaint-col-from"),
                t("complaint-col-received"),
                t("complaint-col-stage"),
                t("complaint-col-acknowledge"),
                t("complaint-col-respond"),
            ]
        } else {
            vec![t("complaint-col-from"), t("complaint-col-received")]
        },
        rows: rows
            .iter()
            .filter(|r| r.kind == kind.as_str())
            .map(|r| {
                let mut cells = vec![
                    Cell::link(r.complainant_name.clone(), format!("/complaints/{}", r.id)),
                    Cell::text(date(r.received_on)),
                ];
                if kind == ComplaintKind::Complaint {
                    let (ack, ack_tag) =
                        clock_words(&state, &calendar, r.acknowledge_by, r.acknowledged_on);
                    let (respond, respond_tag) =
                        clock_words(&state, &calendar, r.respond_by, r.response_sent_on);
                    cells.push(Cell::text(words(&state, "complaint-stage", &r.stage)));
                    cells.push(Cell::text(ack).tagged(ack_tag));
                    cells.push(Cell::text(respond).tagged(respond_tag));
                }
                cells
            })
            .collect(),
        empty: t(empty),
    };
    let tables = vec![
        table_of(
            ComplaintKind::Complaint,
            "complaints-heading",
            "complaints-none",
        ),
        table_of(
            ComplaintKind::Compliment,
            "compliments-heading",
            "compliments-none",
        ),
    ];
    let layout = Layout::staff(&state, &staff, "complaints-page-heading", "/quality");
    show_tables(
        layout,
        TablesSpec {
            intro: state.catalogue.text_with_args(
                "complaints-intro",
                &[
                    (
                        "acknowledge",
                        state
                            .config
                            .complaint_acknowledge_working_days
                            .to_string()
                            .as_str(),
                    ),
                    (
                        "respond",
                        state
                            .config
                            .complaint_response_working_days
                            .to_string()
                            .as_str(),
                    ),
                ],
            ),
            actions: vec![("/complaints/new".into(), t("complaint-staff-heading"))],
            tables,
            ..Default::default()
        },
    )
}

/// Where a member of staff records a complaint: from the complaints list, or from the
/// record of the person it is for.
struct StaffComplaintPlace {
    person: Option<(i64, String)>,
}

impl StaffComplaintPlace {
    fn action(&self) -> String {
        match &self.person {
            Some((id, _)) => format!("/people/{id}/complaints/new"),
            None => "/complaints/new".into(),
        }
    }

    fn back(&self) -> String {
        match &self.person {
            Some((id, _)) => format!("/people/{id}"),
            None => "/complaints".into(),
        }
    }
}

fn staff_complaint_spec(
    state: &AppState,
    layout: &Layout,
    place: &StaffComplaintPlace,
    a: &ComplaintAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let kinds = [
        ("complaint", "complain-kind-complaint"),
        ("compliment", "complain-kind-compliment"),
    ];
    FormSpec {
        intro: match &place.person {
            Some((_, name)) => state
                .catalogue
                .text_with("complaint-person-intro", "name", name),
            None => t("complaint-staff-intro"),
        },
        action: place.action(),
        back: place.back(),
        button: t("complaint-staff-save"),
        fields: vec![
            FormField::new(
                "kind",
                t("complain-kind-label"),
                FieldKind::Radios(radios(layout, "kind", &kinds, &a.kind)),
                &a.kind,
            ),
            FormField::new(
                "received_on",
                t("complaint-col-received"),
                FieldKind::Date,
                &a.received_on,
            ),
            FormField::new(
                "complainant_name",
                t("complaint-staff-name-label"),
                FieldKind::Text,
                &a.complainant_name,
            ),
            FormField::new(
                "how_to_reply",
                t("complain-reply-label"),
                FieldKind::Text,
                &a.how_to_reply,
            ),
            FormField::new(
                "what_happened",
                t("complaint-staff-what-label"),
                FieldKind::TextArea,
                &a.what_happened,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /complaints/new`: a manager records one a person made in person, by phone or
/// by letter.
pub async fn staff_complaint_form(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    manager(&staff)?;
    show_staff_complaint_form(&state, &staff, StaffComplaintPlace { person: None }, None)
}

/// `POST /complaints/new`.
pub async fn staff_complaint_submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(answers): Form<ComplaintAnswers>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    record_staff_complaint(state, staff, StaffComplaintPlace { person: None }, answers).await
}

/// `GET /people/{id}/complaints/new`: a manager or the person's advocate records a
/// complaint or compliment on the person's behalf, linked to their record.
pub async fn person_complaint_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let place = person_place(&state, &staff, id).await?;
    let name = place.person.as_ref().map(|(_, name)| name.clone());
    show_staff_complaint_form(&state, &staff, place, name)
}

/// `POST /people/{id}/complaints/new`.
pub async fn person_complaint_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ComplaintAnswers>,
) -> Result<Response, AppError> {
    let place = person_place(&state, &staff, id).await?;
    record_staff_complaint(state, staff, place, answers).await
}

/// The person a complaint is recorded for, when the member of staff may open their
/// record; anyone else gets the same answer as for a person who does not exist.
async fn person_place(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<StaffComplaintPlace, AppError> {
    super::require_role(staff, &[Role::Manager, Role::Advocate])?;
    let file = super::people::person_file(state, staff, id).await?;
    let p = &file.person;
    Ok(StaffComplaintPlace {
        person: Some((id, format!("{} {}", p.given_name, p.family_name))),
    })
}

fn show_staff_complaint_form(
    state: &AppState,
    staff: &Staff,
    place: StaffComplaintPlace,
    complainant: Option<String>,
) -> Result<Response, AppError> {
    let layout = Layout::staff(state, staff, "complaint-staff-heading", "/quality");
    let answers = ComplaintAnswers {
        received_on: iso(clock::today()),
        complainant_name: complainant.unwrap_or_default(),
        ..Default::default()
    };
    let spec = staff_complaint_spec(state, &layout, &place, &answers);
    show_form(layout, FormErrors::none(), spec)
}

/// Stores a complaint a member of staff recorded. A manager goes on to the complaint;
/// an advocate, who does not handle complaints, is told its clocks and goes back to
/// the person.
async fn record_staff_complaint(
    state: AppState,
    staff: Staff,
    place: StaffComplaintPlace,
    answers: ComplaintAnswers,
) -> Result<Response, AppError> {
    let complaint = match answers.parse(clock::today()) {
        Ok(complaint) => complaint,
        Err(invalid) => {
            let layout = Layout::staff(&state, &staff, "complaint-staff-heading", "/quality");
            let spec = staff_complaint_spec(&state, &layout, &place, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let deadlines = clocks_for(&state, complaint.received_on).await?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let about = place.person.as_ref().map(|(id, _)| *id);
    let kind = complaint.kind;
    let id = blocking(move || {
        store.submit_complaint(
            actor.organisation_id,
            Some(&actor),
            about,
            ComplaintSource::Staff,
            &complaint,
            deadlines,
        )
    })
    .await?;
    if staff.actor.role == Role::Manager {
        return Ok(Redirect::to(&format!("/complaints/{id}")).into_response());
    }
    let t = |key: &str| state.catalogue.text(key);
    let intro = match kind {
        ComplaintKind::Compliment => t("complaint-recorded-compliment"),
        ComplaintKind::Complaint => state.catalogue.text_with_args(
            "complaint-recorded-complaint",
            &[
                ("acknowledge", date(deadlines.0).as_str()),
                ("respond", date(deadlines.1).as_str()),
            ],
        ),
    };
    show_tables(
        Layout::staff(&state, &staff, "complaint-recorded-heading", "/cases"),
        TablesSpec {
            back: place.back(),
            intro,
            ..Default::default()
        },
    )
}

/// `GET /complaints/{id}`.
pub async fn complaint(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let file = blocking(move || store.complaint(&actor, id)).await?;
    let r = file.record;
    let calendar = calendar(&state).await?;
    let t = |key: &str| state.catalogue.text(key);
    let or_none = |v: Option<String>| v.unwrap_or_else(|| t("complaint-not-yet"));
    let mut summary = vec![
        (
            t("complain-kind-label"),
            words(&state, "complain-kind", &r.kind),
        ),
        (t("complaint-col-received"), date(r.received_on)),
        (
            t("complaint-col-how"),
            words(&state, "complaint-source", &r.source),
        ),
        (t("complain-reply-label"), or_none(r.how_to_reply.clone())),
        (t("complaint-staff-what-label"), r.what_happened.clone()),
    ];
    if let Some((_, name)) = &file.person {
        summary.insert(1, (t("complaint-person-label"), name.clone()));
    }
    if r.kind == ComplaintKind::Complaint.as_str() {
        let with_tag = |(text, tag): (String, Option<String>)| match tag {
            Some(tag) => format!("{text} ({tag})"),
            None => text,
        };
        summary.extend([
            (
                t("complaint-col-stage"),
                words(&state, "complaint-stage", &r.stage),
            ),
            (
                t("complaint-col-acknowledge"),
                with_tag(clock_words(
                    &state,
                    &calendar,
                    r.acknowledge_by,
                    r.acknowledged_on,
                )),
            ),
            (
                t("complaint-col-respond"),
                with_tag(clock_words(
                    &state,
                    &calendar,
                    r.respond_by,
                    r.response_sent_on,
                )),
            ),
            (
                t("complaint-support-label"),
                or_none(r.support_offered_on.map(date)),
            ),
            (
                t("complaint-finding-label"),
                or_none(r.finding.as_deref().map(|f| words(&state, "finding", f))),
            ),
            (t("complaint-lessons-label"), or_none(r.lessons.clone())),
        ]);
    }
    let layout = Layout::staff(&state, &staff, "complaint-page-heading", "/quality");
    show_tables(
        layout,
        TablesSpec {
            back: "/complaints".into(),
            caption: r.complainant_name.clone(),
            summary,
            actions: (r.kind == ComplaintKind::Complaint.as_str())
                .then(|| {
                    (
                        format!("/complaints/{id}/progress"),
                        t("complaint-progress-heading"),
                    )
                })
                .into_iter()
                .chain(file.person.iter().map(|(person, name)| {
                    (
                        format!("/people/{person}"),
                        state
                            .catalogue
                            .text_with("complaint-person-link", "name", name),
                    )
                }))
                .collect(),
            ..Default::default()
        },
    )
}

fn progress_spec(
    state: &AppState,
    layout: &Layout,
    id: i64,
    a: &ComplaintProgressAnswers,
) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let stages: Vec<(&str, String)> = ComplaintStage::ALL
        .iter()
        .map(|s| (s.as_str(), code_key("complaint-stage", s.as_str())))
        .collect();
    let stages: Vec<(&str, &str)> = stages.iter().map(|(v, k)| (*v, k.as_str())).collect();
    let findings: Vec<&str> = Finding::ALL.iter().map(|f| f.as_str()).collect();
    FormSpec {
        intro: t("complaint-progress-intro"),
        action: format!("/complaints/{id}/progress"),
        back: format!("/complaints/{id}"),
        button: t("complaint-progress-save"),
        fields: vec![
            FormField::new(
                "stage",
                t("complaint-col-stage"),
                FieldKind::Radios(radios(layout, "stage", &stages, &a.stage)),
                &a.stage,
            ),
            FormField::new(
                "acknowledged_on",
                t("complaint-acknowledged-label"),
                FieldKind::Date,
                &a.acknowledged_on,
            ),
            FormField::new(
                "support_offered_on",
                t("complaint-support-label"),
                FieldKind::Date,
                &a.support_offered_on,
            )
            .hint(t("complaint-support-hint")),
            FormField::new(
                "support_note",
                t("complaint-support-note-label"),
                FieldKind::TextArea,
                &a.support_note,
            ),
            FormField::new(
                "finding",
                t("complaint-finding-label"),
                FieldKind::Select(code_options(state, "finding", &findings)),
                &a.finding,
            ),
            FormField::new(
                "response_sent_on",
                t("complaint-response-label"),
                FieldKind::Date,
                &a.response_sent_on,
            ),
            FormField::new(
                "lessons",
                t("complaint-lessons-label"),
                FieldKind::TextArea,
                &a.lessons,
            )
            .hint(t("complaint-lessons-hint")),
        ],
        ..Default::default()
    }
}

fn progress_of(r: &ComplaintRecord) -> ComplaintProgressAnswers {
    let d = |v: Option<NaiveDate>| v.map(iso).unwrap_or_default();
    ComplaintProgressAnswers {
        stage: r.stage.clone(),
        acknowledged_on: d(r.acknowledged_on),
        support_offered_on: d(r.support_offered_on),
        support_note: r.support_note.clone().unwrap_or_default(),
        finding: r.finding.clone().unwrap_or_default(),
        response_sent_on: d(r.response_sent_on),
        lessons: r.lessons.clone().unwrap_or_default(),
    }
}

/// `GET /complaints/{id}/progress`.
pub async fn progress_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let r = blocking(move || store.complaint(&actor, id)).await?.record;
    let layout = Layout::staff(&state, &staff, "complaint-progress-heading", "/quality");
    let spec = progress_spec(&state, &layout, id, &progress_of(&r));
    show_form(layout, FormErrors::none(), spec)
}

/// `POST /complaints/{id}/progress`.
pub async fn progress_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ComplaintProgressAnswers>,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let r = blocking(move || store.complaint(&actor, id)).await?.record;
    let progress = match answers.parse(clock::today(), r.received_on) {
        Ok(progress) => progress,
        Err(invalid) => {
            let layout = Layout::staff(&state, &staff, "complaint-progress-heading", "/quality");
            let spec = progress_spec(&state, &layout, id, &answers);
            return show_form(layout, invalid.into(), spec);
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.update_complaint(&actor, id, &progress)).await?;
    Ok(Redirect::to(&format!("/complaints/{id}")).into_response())
}

// ---------------------------------------------------------------------------------------
// Concerns about other services, and signals
// ---------------------------------------------------------------------------------------

fn service_concern_spec(state: &AppState, id: i64, a: &ServiceConcernAnswers) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let kinds: Vec<&str> = PlaceKind::ALL.iter().map(|k| k.as_str()).collect();
    let themes: Vec<&str> = ConcernTheme::ALL.iter().map(|k| k.as_str()).collect();
    let severities: Vec<&str> = Severity::ALL.iter().map(|k| k.as_str()).collect();
    FormSpec {
        intro: t("service-concern-intro"),
        action: format!("/cases/{id}/service-concerns"),
        back: format!("/cases/{id}"),
        button: t("service-concern-save"),
        fields: vec![
            FormField::new(
                "place",
                t("service-concern-place-label"),
                FieldKind::Text,
                &a.place,
            )
            .hint(t("service-concern-place-hint")),
            FormField::new(
                "place_kind",
                t("service-concern-kind-label"),
                FieldKind::Select(code_options(state, "place-kind", &kinds)),
                &a.place_kind,
            ),
            FormField::new(
                "theme",
                t("service-concern-theme-label"),
                FieldKind::Select(code_options(state, "theme", &themes)),
                &a.theme,
            ),
            FormField::new(
                "severity",
                t("service-concern-severity-label"),
                FieldKind::Select(code_options(state, "severity", &severities)),
                &a.severity,
            ),
            FormField::new(
                "noted_on",
                t("service-concern-noted-label"),
                FieldKind::Date,
                &a.noted_on,
            ),
            FormField::new(
                "detail",
                t("service-concern-detail-label"),
                FieldKind::TextArea,
                &a.detail,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /cases/{id}/service-concerns/new`.
pub async fn service_concern_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.case_file(&actor, id)).await?;
    let layout = Layout::staff(&state, &staff, "service-concern-heading", "/cases");
    let answers = ServiceConcernAnswers {
        noted_on: iso(clock::today()),
        ..Default::default()
    };
    show_form(
        layout,
        FormErrors::none(),
        service_concern_spec(&state, id, &answers),
    )
}

/// `POST /cases/{id}/service-concerns`.
pub async fn service_concern_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(answers): Form<ServiceConcernAnswers>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Manager, Role::Advocate])?;
    let concern = match answers.parse(clock::today()) {
        Ok(concern) => concern,
        Err(invalid) => {
            let layout = Layout::staff(&state, &staff, "service-concern-heading", "/cases");
            return show_form(
                layout,
                invalid.into(),
                service_concern_spec(&state, id, &answers),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.record_service_concern(&actor, id, &concern)).await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// The first day of the period recurrent concerns are looked for in.
fn period_start(state: &AppState) -> NaiveDate {
    clock::today() - chrono::Days::new(u64::from(state.config.signal_period_days))
}

/// `GET /signals`: surfaced concerns about other services and the signals sent.
pub async fn signals(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let since = period_start(&state);
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (concerns, sent) = blocking(move || {
        Ok((
            store.service_concerns(&actor, since)?,
            store.signals(&actor)?,
        ))
    })
    .await?;
    let facts: Vec<_> = concerns.iter().filter_map(|c| c.facts()).collect();
    let surfaced = surface_concerns(
        &facts,
        since,
        clock::today(),
        state.config.signal_recurrent_cases as usize,
    );
    let t = |key: &str| state.catalogue.text(key);
    let surfaced_rows = surfaced
        .iter()
        .map(|s| {
            let (what, place, kind, theme) = match &s.common {
                Common::Place { place, kind } => (
                    place.clone(),
                    place.clone(),
                    kind.as_str(),
                    s.themes[0].as_str(),
                ),
                Common::Theme(theme) => (
                    words(&state, "theme", theme.as_str()),
                    s.places.join(", "),
                    PlaceKind::Other.as_str(),
                    theme.as_str(),
                ),
            };
            let ids: Vec<String> = s.concern_ids.iter().map(i64::to_string).collect();
            let query = url_query(&[
                ("concerns", ids.join(",").as_str()),
                ("basis", s.basis.as_str()),
                ("place", place.as_str()),
                ("place_kind", kind),
                ("theme", theme),
            ]);
            vec![
                Cell::text(what),
                Cell::text(words(&state, "signal-basis", s.basis.as_str()))
                    .tagged((s.basis == SignalBasis::Serious).then(|| t("signal-serious-tag"))),
                Cell::text(
                    s.themes
                        .iter()
                        .map(|th| words(&state, "theme", th.as_str()))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::text(s.places.join(", ")),
                Cell::text(state.catalogue.text_with_args(
                    "signal-counts",
                    &[
                        ("concerns", s.concern_ids.len().to_string().as_str()),
                        ("cases", s.case_count.to_string().as_str()),
                    ],
                )),
                Cell::link(t("signal-send-link"), format!("/signals/new?{query}")),
            ]
        })
        .collect();
    let sent_rows = sent
        .iter()
        .map(|s| {
            vec![
                Cell::text(s.place.clone()),
                Cell::text(words(&state, "theme", &s.theme)),
                Cell::text(date(s.sent_on)),
                match s.response_received_on {
                    Some(on) => {
                        Cell::text(state.catalogue.text_with("clock-done", "date", &date(on)))
                    }
                    None => Cell::link(
                        state
                            .catalogue
                            .text_with("signal-awaiting", "date", &date(s.response_due)),
                        format!("/signals/{}/response", s.id),
                    )
                    .tagged((s.response_due < clock::today()).then(|| t("clock-overdue"))),
                },
                match s.regulator_on {
                    Some(on) => Cell::text(date(on)),
                    None => Cell::link(
                        t("signal-regulator-link"),
                        format!("/signals/{}/regulator", s.id),
                    ),
                },
            ]
        })
        .collect();
    let recent_rows = concerns
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.place.clone()),
                Cell::text(words(&state, "theme", &c.theme)),
                Cell::text(words(&state, "severity", &c.severity)),
                Cell::text(date(c.noted_on)),
                Cell::link(c.case_id.to_string(), format!("/cases/{}", c.case_id)),
            ]
        })
        .collect();
    let layout = Layout::staff(&state, &staff, "signals-heading", "/quality");
    show_tables(
        layout,
        TablesSpec {
            intro: state.catalogue.text_with_args(
                "signals-intro",
                &[
                    (
                        "cases",
                        state.config.signal_recurrent_cases.to_string().as_str(),
                    ),
                    ("days", state.config.signal_period_days.to_string().as_str()),
                ],
            ),
            tables: vec![
                Table {
                    id: "surfaced".into(),
                    caption: t("signals-surfaced-heading"),
                    intro: String::new(),
                    heads: vec![
                        t("signal-col-about"),
                        t("signal-col-why"),
                        t("signal-col-themes"),
                        t("signal-col-places"),
                        t("signal-col-count"),
                        t("consent-actions-column"),
                    ],
                    rows: surfaced_rows,
                    empty: t("signals-surfaced-none"),
                },
                Table {
                    id: "sent".into(),
                    caption: t("signals-sent-heading"),
                    intro: String::new(),
                    heads: vec![
                        t("signal-col-places"),
                        t("signal-col-themes"),
                        t("signal-col-sent"),
                        t("signal-col-response"),
                        t("signal-col-regulator"),
                    ],
                    rows: sent_rows,
                    empty: t("signals-sent-none"),
                },
                Table {
                    id: "recent".into(),
                    caption: t("signals-recent-heading"),
                    intro: String::new(),
                    heads: vec![
                        t("signal-col-places"),
                        t("signal-col-themes"),
                        t("service-concern-severity-label"),
                        t("service-concern-noted-label"),
                        t("signal-col-case"),
                    ],
                    rows: recent_rows,
                    empty: t("signals-recent-none"),
                },
            ],
            ..Default::default()
        },
    )
}

fn url_query(pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        query.append_pair(name, value);
    }
    query.finish()
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SignalForm {
    concerns: String,
    basis: String,
    place: String,
    place_kind: String,
    theme: String,
    sent_on: String,
    response_due: String,
}

fn signal_spec(state: &AppState, f: &SignalForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let kinds: Vec<&str> = PlaceKind::ALL.iter().map(|k| k.as_str()).collect();
    let themes: Vec<&str> = ConcernTheme::ALL.iter().map(|k| k.as_str()).collect();
    FormSpec {
        intro: t("signal-form-intro"),
        action: "/signals".into(),
        back: "/signals".into(),
        button: t("signal-form-save"),
        hidden: vec![
            ("concerns".into(), f.concerns.clone()),
            ("basis".into(), f.basis.clone()),
        ],
        fields: vec![
            FormField::new(
                "place",
                t("service-concern-place-label"),
                FieldKind::Text,
                &f.place,
            ),
            FormField::new(
                "place_kind",
                t("service-concern-kind-label"),
                FieldKind::Select(code_options(state, "place-kind", &kinds)),
                &f.place_kind,
            ),
            FormField::new(
                "theme",
                t("service-concern-theme-label"),
                FieldKind::Select(code_options(state, "theme", &themes)),
                &f.theme,
            ),
            FormField::new("sent_on", t("signal-col-sent"), FieldKind::Date, &f.sent_on),
            FormField::new(
                "response_due",
                t("signal-due-label"),
                FieldKind::Date,
                &f.response_due,
            ),
        ],
        ..Default::default()
    }
}

/// `GET /signals/new`: the signal for surfaced concerns, filled in from them.
pub async fn signal_form(
    State(state): State<AppState>,
    staff: Staff,
    Query(mut form): Query<SignalForm>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let calendar = calendar(&state).await?;
    let today = clock::today();
    form.sent_on = iso(today);
    form.response_due = iso(calendar
        .add_working_days(today, state.config.complaint_response_working_days)
        .unwrap_or(today));
    let layout = Layout::staff(&state, &staff, "signal-form-heading", "/quality");
    show_form(layout, FormErrors::none(), signal_spec(&state, &form))
}

/// `POST /signals`.
pub async fn signal_submit(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<SignalForm>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let today = clock::today();
    let mut invalid = Invalid::default();
    let place = invalid.check(advocase_domain::validation::required_text(
        "place",
        label::PLACE,
        &form.place,
        advocase_domain::referral::MAX_SHORT,
    ));
    let place_kind = PlaceKind::parse(&form.place_kind);
    if place_kind.is_none() {
        invalid.push("place_kind", msg::SIGNAL_KIND_INVALID);
    }
    let theme = ConcernTheme::parse(&form.theme);
    if theme.is_none() {
        invalid.push("theme", msg::SIGNAL_THEME_INVALID);
    }
    let sent_on = invalid.check(
        SignalAnswers {
            sent_on: form.sent_on.clone(),
        }
        .parse(today)
        .map_err(|e| e.0[0].clone()),
    );
    let response_due = sent_on.and_then(|sent| {
        invalid.check(
            signal_date(
                "response_due",
                label::DATE_A_RESPONSE_IS_DUE,
                &form.response_due,
                NaiveDate::MAX,
                sent,
            )
            .map_err(|e| e.0[0].clone()),
        )
    });
    let concern_ids: Vec<i64> = form
        .concerns
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    let basis = SignalBasis::parse(&form.basis);
    let (
        Some(place),
        Some(place_kind),
        Some(theme),
        Some(sent_on),
        Some(response_due),
        Some(basis),
        true,
    ) = (
        place,
        place_kind,
        theme,
        sent_on,
        response_due,
        basis,
        invalid.is_empty(),
    )
    else {
        let layout = Layout::staff(&state, &staff, "signal-form-heading", "/quality");
        return show_form(layout, invalid.into(), signal_spec(&state, &form));
    };
    let signal = NewSignal {
        concern_ids,
        place,
        place_kind,
        theme,
        basis,
        sent_on,
        response_due,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.create_signal(&actor, &signal)).await?;
    Ok(Redirect::to("/signals#sent").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DateForm {
    on: String,
}

fn signal_date_spec(state: &AppState, id: i64, regulator: bool, on: &str) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let what = if regulator { "regulator" } else { "response" };
    FormSpec {
        action: format!("/signals/{id}/{what}"),
        back: "/signals".into(),
        button: t("signal-date-save"),
        fields: vec![FormField::new(
            "on",
            t(if regulator {
                "signal-regulator-label"
            } else {
                "signal-response-label"
            }),
            FieldKind::Date,
            on,
        )],
        ..Default::default()
    }
}

async fn signal_date_form(
    state: AppState,
    staff: Staff,
    id: i64,
    regulator: bool,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let signals = blocking(move || store.signals(&actor)).await?;
    if !signals.iter().any(|s| s.id == id) {
        return Err(AppError::NotFound);
    }
    let layout = Layout::staff(
        &state,
        &staff,
        if regulator {
            "signal-regulator-link"
        } else {
            "signal-response-heading"
        },
        "/quality",
    );
    show_form(
        layout,
        FormErrors::none(),
        signal_date_spec(&state, id, regulator, &iso(clock::today())),
    )
}

async fn signal_date_submit(
    state: AppState,
    staff: Staff,
    id: i64,
    regulator: bool,
    form: DateForm,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let signals = blocking(move || store.signals(&actor)).await?;
    let signal = signals
        .iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    let on = match signal_date("on", label::DATE, &form.on, clock::today(), signal.sent_on) {
        Ok(on) => on,
        Err(invalid) => {
            let layout = Layout::staff(
                &state,
                &staff,
                if regulator {
                    "signal-regulator-link"
                } else {
                    "signal-response-heading"
                },
                "/quality",
            );
            return show_form(
                layout,
                invalid.into(),
                signal_date_spec(&state, id, regulator, &form.on),
            );
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.record_signal_date(&actor, id, regulator, on)).await?;
    Ok(Redirect::to("/signals#sent").into_response())
}

/// `GET /signals/{id}/response`.
pub async fn response_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    signal_date_form(state, staff, id, false).await
}

/// `POST /signals/{id}/response`.
pub async fn response_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DateForm>,
) -> Result<Response, AppError> {
    signal_date_submit(state, staff, id, false, form).await
}

/// `GET /signals/{id}/regulator`.
pub async fn regulator_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    signal_date_form(state, staff, id, true).await
}

/// `POST /signals/{id}/regulator`.
pub async fn regulator_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DateForm>,
) -> Result<Response, AppError> {
    signal_date_submit(state, staff, id, true, form).await
}

// ---------------------------------------------------------------------------------------
// The quality dashboard
// ---------------------------------------------------------------------------------------

/// `GET /quality`: counts for a manager, each linking to its list.
pub async fn quality(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (open, complaints, signals) = blocking(move || {
        Ok((
            store.concerns(&actor, true)?,
            store.complaints(&actor)?,
            store.signals(&actor)?,
        ))
    })
    .await?;
    let calendar = calendar(&state).await?;
    let today = clock::today();
    let stale = open
        .iter()
        .filter(|row| concern_age(&state, &calendar, row).1)
        .count();
    let open_complaints: Vec<&ComplaintRecord> = complaints
        .iter()
        .filter(|c| c.kind == ComplaintKind::Complaint.as_str() && c.response_sent_on.is_none())
        .collect();
    let overdue = open_complaints
        .iter()
        .filter(|c| {
            (c.acknowledged_on.is_none() && c.acknowledge_by < today) || c.respond_by < today
        })
        .count();
    let awaiting = signals
        .iter()
        .filter(|s| s.response_received_on.is_none())
        .count();
    let (feedback_count, feedback_overall) = super::feedback::this_quarter(&state, &staff).await?;
    let c = &state.catalogue;
    let count = |count: usize, key: &str, href: &str| Count {
        count,
        label: c.text(key),
        href: href.into(),
    };
    let layout = Layout::staff(&state, &staff, "quality-heading", "/quality");
    show_tables(
        layout,
        TablesSpec {
            intro: c.text("quality-intro"),
            counts: vec![
                count(open.len(), "quality-open-concerns", "/safeguarding"),
                count(stale, "quality-stale-concerns", "/safeguarding"),
                count(
                    open_complaints.len(),
                    "quality-open-complaints",
                    "/complaints",
                ),
                count(overdue, "quality-overdue-complaints", "/complaints"),
                count(awaiting, "quality-awaiting-signals", "/signals#sent"),
                feedback_count,
            ],
            summary: feedback_overall.into_iter().collect(),
            ..Default::default()
        },
    )
}
