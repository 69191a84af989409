//! Contracts and their anonymised monitoring reports, the annual report, link meetings,
//! demand analysis and the definitions every figure links to.
//!
//! Commissioners and the provider's managers reach these pages; the store decides which
//! contracts each may see (`storage::commissioning`). A report is built here from the
//! store's counts through `domain::reporting`, which suppresses small numbers, and the
//! same built report is rendered as a page, a CSV file and a spreadsheet, so the three
//! can never publish different figures.

use super::cases::code_key;
use super::forms::{FieldKind, FormBody, FormField, FormSpec, show_form};
use super::workforce::checkboxes;
use super::{FormErrors, Layout, iso_date, long_date, render, render_with};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::clock;
use crate::error::AppError;
use crate::report_counting::counted_reports;
use advocase_domain::identity::Role;
use advocase_domain::reporting::{
    ContractAnswers, DemandBand, Kpi, KpiResult, KpiState, Period, PublishedTable, ReportingPeriod,
    contract_periods, contract_years, demand_band, duty_code, expected_referrals, has_ended, judge,
    median, parse_period, parse_population_csv, publish, share, to_nearest_ten,
};
use advocase_domain::suppression::Cell;
use advocase_domain::validation::{Invalid, required_text};
use advocase_domain::workforce::CHARACTERISTICS;
use advocase_i18n::{MessageKey, label, msg};
use advocase_storage::commissioning::{
    ContractRecord, ContractRow, Meeting, NewMeeting, ReportFacts, equality_id,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

fn t(state: &AppState, key: &str) -> String {
    state.catalogue.text(key)
}

fn money(pence: i64) -> String {
    let pounds = grouped(pence / 100);
    if pence % 100 == 0 {
        format!("£{pounds}")
    } else {
        format!("£{pounds}.{:02}", pence % 100)
    }
}

/// A whole number with its thousands marked, as people read large numbers: 412,000.
/// Only for pages; files keep plain numbers, which spreadsheets read.
fn grouped(number: i64) -> String {
    let mut digits = number.unsigned_abs().to_string();
    let mut marked = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        marked = format!(",{tail}{marked}");
    }
    let sign = if number < 0 { "-" } else { "" };
    format!("{sign}{digits}{marked}")
}

fn period_words(period: Period) -> String {
    format!("{} to {}", long_date(period.from), long_date(period.to))
}

fn period_query(period: Period) -> String {
    format!("from={}&to={}", iso_date(period.from), iso_date(period.to))
}

// ---------------------------------------------------------------------------------------
// The list and one contract
// ---------------------------------------------------------------------------------------

pub struct ContractLine {
    pub href: String,
    pub name: String,
    pub other_party: String,
    pub term: String,
    pub duties: String,
}

#[derive(Template)]
#[template(path = "contracts/list.html")]
struct ListPage {
    layout: Layout,
    errors: FormErrors,
    contracts: Vec<ContractLine>,
    may_add: bool,
    is_commissioner: bool,
}

fn duties_words(state: &AppState, row: &ContractRow) -> String {
    row.record
        .duty_codes()
        .iter()
        .map(|d| t(state, &code_key("report-code", d)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /contracts`
pub async fn list(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Commissioner, Role::Manager])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let rows = blocking(move || store.contracts(&actor)).await?;
    let is_commissioner = staff.actor.role == Role::Commissioner;
    render(&ListPage {
        layout: Layout::staff(&state, &staff, "contracts-heading", "/contracts"),
        errors: FormErrors::none(),
        contracts: rows
            .iter()
            .map(|row| ContractLine {
                href: format!("/contracts/{}", row.record.id),
                name: row.record.name.clone(),
                other_party: if is_commissioner {
                    row.provider.clone()
                } else {
                    row.commissioner.clone()
                },
                term: period_words(Period {
                    from: row.record.starts_on,
                    to: row.record.ends_on,
                }),
                duties: duties_words(&state, row),
            })
            .collect(),
        may_add: staff.actor.role == Role::Manager,
        is_commissioner,
    })
}

pub struct PeriodLink {
    pub words: String,
    pub report: String,
    pub annual: Option<String>,
}

pub struct KpiLine {
    pub name: String,
    pub target: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "contracts/contract.html")]
struct ContractPage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    /// Whether the reader may change the contract: the provider's managers may.
    may_change: bool,
    summary: Vec<(String, String)>,
    targets: Vec<KpiLine>,
    periods: Vec<PeriodLink>,
    years: Vec<PeriodLink>,
}

fn target_words(state: &AppState, kpi: Kpi, target: Option<u32>) -> String {
    match (kpi, target) {
        (_, None) => t(state, "kpi-no-target"),
        (Kpi::Feedback, Some(tenths)) => format!(
            "{:.1} {}",
            f64::from(tenths) / 10.0,
            t(state, "kpi-out-of-five")
        ),
        (Kpi::Declined, Some(n)) => format!("{} {n}%", t(state, "kpi-at-most")),
        (_, Some(n)) => format!("{} {n}%", t(state, "kpi-at-least")),
    }
}

fn kpi_targets(row: &ContractRow) -> [(Kpi, Option<u32>); 5] {
    let targets = row.record.targets();
    [
        (Kpi::ImhaIntroduction, targets.imha_introduction),
        (Kpi::FirstContact, targets.first_contact),
        (Kpi::Declined, targets.declined),
        (Kpi::OutcomesAchieved, targets.outcomes_achieved),
        (Kpi::Feedback, targets.feedback_tenths),
    ]
}

async fn load_contract(state: &AppState, staff: &Staff, id: i64) -> Result<ContractRow, AppError> {
    super::require_role(staff, &[Role::Commissioner, Role::Manager])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.contract(&actor, id)).await
}

fn contract_page(
    state: &AppState,
    staff: &Staff,
    row: &ContractRow,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let r = &row.record;
    let id = r.id;
    let periods = contract_periods(r.starts_on, r.ends_on, r.reporting_period());
    let today = clock::today();
    let summary = vec![
        (t(state, "contract-commissioner"), row.commissioner.clone()),
        (t(state, "contract-provider"), row.provider.clone()),
        (t(state, "contract-duties"), duties_words(state, row)),
        (t(state, "contract-areas"), r.area_names().join(", ")),
        (
            t(state, "contract-term"),
            period_words(Period {
                from: r.starts_on,
                to: r.ends_on,
            }),
        ),
        (
            t(state, "contract-funding"),
            format!(
                "{} {} {} {} {}",
                money(r.core_funding_pence),
                t(state, "contract-core-for"),
                r.core_cases,
                t(state, "contract-cases-then"),
                money(r.payment_per_case_pence)
            ),
        ),
        (
            t(state, "contract-reporting"),
            t(state, &code_key("contract-reporting", &r.reporting)),
        ),
        (
            t(state, "contract-first-contact"),
            format!(
                "{} {}, {} {}",
                r.urgent_days,
                t(state, "contract-urgent-days"),
                r.standard_days,
                t(state, "contract-standard-days")
            ),
        ),
        (
            t(state, "contract-threshold"),
            state.catalogue.text_with(
                "contract-threshold-words",
                "count",
                &r.threshold.to_string(),
            ),
        ),
    ];
    let page = ContractPage {
        layout: {
            let mut layout = Layout::staff(state, staff, "contract-heading", "/contracts");
            layout.title = r.name.clone();
            layout
        },
        errors,
        id,
        // The store shows a manager only the provider's own contracts.
        may_change: staff.actor.role == Role::Manager,
        summary,
        targets: kpi_targets(row)
            .into_iter()
            .map(|(kpi, target)| KpiLine {
                name: t(state, &code_key("kpi", kpi.as_str())),
                target: target_words(state, kpi, target),
                href: format!("/definitions#{}", code_key("kpi", kpi.as_str())),
            })
            .collect(),
        periods: periods
            .iter()
            .filter(|p| has_ended(**p, today))
            .rev()
            .map(|p| PeriodLink {
                words: period_words(*p),
                report: format!("/contracts/{id}/report?{}", period_query(*p)),
                annual: None,
            })
            .collect(),
        years: contract_years(r.starts_on, r.ends_on)
            .iter()
            .filter(|p| has_ended(**p, today))
            .rev()
            .map(|p| PeriodLink {
                words: period_words(*p),
                report: format!("/contracts/{id}/annual-report?{}", period_query(*p)),
                annual: Some(format!(
                    "/contracts/{id}/annual-report/easy-read?{}",
                    period_query(*p)
                )),
            })
            .collect(),
    };
    let status = if page.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(status, &page)
}

/// `GET /contracts/{id}`
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = load_contract(&state, &staff, id).await?;
    contract_page(&state, &staff, &row, FormErrors::none())
}

// ---------------------------------------------------------------------------------------
// Recording a contract
// ---------------------------------------------------------------------------------------

fn contract_form(
    state: &AppState,
    commissioners: &[(i64, String)],
    a: &ContractAnswers,
) -> FormSpec {
    let mut options = vec![(String::new(), t(state, "choose-one"))];
    options.extend(
        commissioners
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    let duties: Vec<&str> = advocase_domain::eligibility::Duty::ALL
        .iter()
        .map(|d| duty_code(*d))
        .collect();
    let reporting: Vec<&str> = ReportingPeriod::ALL.iter().map(|r| r.as_str()).collect();
    let text = |id: &str, key: &str, value: &str| {
        FormField::new(id, t(state, key), FieldKind::Text, value)
    };
    FormSpec {
        caption: t(state, "contracts-heading"),
        intro: t(state, "contract-new-intro"),
        action: "/contracts/new".into(),
        back: "/contracts".into(),
        button: t(state, "contract-new-button"),
        fields: vec![
            text("name", "contract-name", &a.name),
            FormField::new(
                "commissioner",
                t(state, "contract-commissioner"),
                FieldKind::Select(options),
                &a.commissioner,
            ),
            FormField::new(
                "duties",
                t(state, "contract-duties"),
                FieldKind::Checkboxes(checkboxes(
                    state,
                    "duties",
                    "report-code",
                    &duties,
                    &a.duties,
                )),
                "",
            ),
            FormField::new(
                "areas",
                t(state, "contract-areas"),
                FieldKind::TextArea,
                &a.areas,
            )
            .hint(t(state, "contract-areas-hint")),
            FormField::new(
                "starts_on",
                t(state, "contract-starts"),
                FieldKind::Date,
                &a.starts_on,
            ),
            FormField::new(
                "ends_on",
                t(state, "contract-ends"),
                FieldKind::Date,
                &a.ends_on,
            )
            .hint(t(state, "contract-ends-hint")),
            text("core_funding", "contract-core-funding", &a.core_funding)
                .hint(t(state, "contract-pounds-hint")),
            FormField::new(
                "core_cases",
                t(state, "contract-core-cases"),
                FieldKind::Number,
                &a.core_cases,
            ),
            text(
                "payment_per_case",
                "contract-payment-per-case",
                &a.payment_per_case,
            )
            .hint(t(state, "contract-payment-hint")),
            FormField::new(
                "reporting",
                t(state, "contract-reporting"),
                FieldKind::Radios(checkboxes(
                    state,
                    "reporting",
                    "contract-reporting",
                    &reporting,
                    std::slice::from_ref(&a.reporting),
                )),
                "",
            ),
            FormField::new(
                "urgent_days",
                t(state, "contract-urgent-days-label"),
                FieldKind::Number,
                &a.urgent_days,
            )
            .hint(t(state, "contract-urgent-days-hint")),
            FormField::new(
                "standard_days",
                t(state, "contract-standard-days-label"),
                FieldKind::Number,
                &a.standard_days,
            ),
            FormField::new(
                "threshold",
                t(state, "contract-threshold"),
                FieldKind::Number,
                &a.threshold,
            )
            .hint(t(state, "contract-threshold-hint")),
            text(
                "target_imha_introduction",
                "contract-target-imha-introduction",
                &a.target_imha_introduction,
            )
            .hint(t(state, "contract-target-hint")),
            text(
                "target_first_contact",
                "contract-target-first-contact",
                &a.target_first_contact,
            )
            .hint(t(state, "contract-target-hint")),
            text(
                "target_declined",
                "contract-target-declined",
                &a.target_declined,
            )
            .hint(t(state, "contract-target-hint")),
            text(
                "target_outcomes_achieved",
                "contract-target-outcomes-achieved",
                &a.target_outcomes_achieved,
            )
            .hint(t(state, "contract-target-hint")),
            text(
                "target_feedback",
                "contract-target-feedback",
                &a.target_feedback,
            )
            .hint(t(state, "contract-target-feedback-hint")),
        ],
        ..Default::default()
    }
}

async fn commissioner_list(
    state: &AppState,
    staff: &Staff,
) -> Result<Vec<(i64, String)>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.commissioners(&actor)).await
}

/// The contract form as posted, to record a contract or to change one.
fn contract_answers(body: &FormBody) -> ContractAnswers {
    ContractAnswers {
        name: body.get("name"),
        commissioner: body.get("commissioner"),
        duties: body.all("duties"),
        areas: body.get("areas"),
        starts_on: body.get("starts_on"),
        ends_on: body.get("ends_on"),
        core_funding: body.get("core_funding"),
        core_cases: body.get("core_cases"),
        payment_per_case: body.get("payment_per_case"),
        reporting: body.get("reporting"),
        threshold: body.get("threshold"),
        urgent_days: body.get("urgent_days"),
        standard_days: body.get("standard_days"),
        target_imha_introduction: body.get("target_imha_introduction"),
        target_first_contact: body.get("target_first_contact"),
        target_declined: body.get("target_declined"),
        target_outcomes_achieved: body.get("target_outcomes_achieved"),
        target_feedback: body.get("target_feedback"),
    }
}

/// `GET /contracts/new`
pub async fn new_form(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    super::manager(&staff)?;
    let commissioners = commissioner_list(&state, &staff).await?;
    let answers = ContractAnswers {
        reporting: "quarterly".into(),
        threshold: "7".into(),
        urgent_days: "2".into(),
        standard_days: "5".into(),
        ..Default::default()
    };
    show_form(
        Layout::staff(&state, &staff, "contract-new-heading", "/contracts"),
        FormErrors::none(),
        contract_form(&state, &commissioners, &answers),
    )
}

/// `POST /contracts/new`
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, AppError> {
    super::manager(&staff)?;
    let answers = contract_answers(&FormBody::parse(&body));
    let commissioners = commissioner_list(&state, &staff).await?;
    let again = |errors: FormErrors| {
        show_form(
            Layout::staff(&state, &staff, "contract-new-heading", "/contracts"),
            errors,
            contract_form(&state, &commissioners, &answers),
        )
    };
    let contract = match answers.parse() {
        Ok(c) => c,
        Err(invalid) => return again(invalid.into()),
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.create_contract(&actor, &contract)).await {
        Ok(id) => Ok(Redirect::to(&format!("/contracts/{id}")).into_response()),
        Err(AppError::Invalid(invalid)) => again(invalid.into()),
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Changing a contract
// ---------------------------------------------------------------------------------------

/// A contract's saved terms as the form shows them, so that a manager changes what is
/// there rather than typing it all again.
fn answers_of(r: &ContractRecord) -> ContractAnswers {
    let pounds = |pence: i64| {
        if pence % 100 == 0 {
            (pence / 100).to_string()
        } else {
            format!("{}.{:02}", pence / 100, pence % 100)
        }
    };
    let share = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    ContractAnswers {
        name: r.name.clone(),
        commissioner: r.commissioner_id.to_string(),
        duties: r.duty_codes(),
        areas: r.area_names().join(", "),
        starts_on: iso_date(r.starts_on),
        ends_on: iso_date(r.ends_on),
        core_funding: pounds(r.core_funding_pence),
        core_cases: r.core_cases.to_string(),
        payment_per_case: pounds(r.payment_per_case_pence),
        reporting: r.reporting.clone(),
        // The threshold the reports use, which a contract saved before the least was
        // raised holds below: saving the form as shown must not be refused for it.
        threshold: r.threshold().to_string(),
        urgent_days: r.urgent_days.to_string(),
        standard_days: r.standard_days.to_string(),
        target_imha_introduction: share(r.target_imha_introduction),
        target_first_contact: share(r.target_first_contact),
        target_declined: share(r.target_declined),
        target_outcomes_achieved: share(r.target_outcomes_achieved),
        target_feedback: r
            .target_feedback
            .map(|tenths| format!("{}.{}", tenths / 10, tenths % 10))
            .unwrap_or_default(),
    }
}

/// The contract form, sent back to change contract `id` as saved at `version`.
fn change_form(
    state: &AppState,
    commissioners: &[(i64, String)],
    id: i64,
    version: i64,
    a: &ContractAnswers,
) -> FormSpec {
    let mut form = contract_form(state, commissioners, a);
    form.intro = t(state, "contract-edit-intro");
    form.action = format!("/contracts/{id}/edit");
    form.back = format!("/contracts/{id}");
    form.button = t(state, "contract-edit-button");
    form.hidden = vec![("version".into(), version.to_string())];
    form
}

/// The answers where what is saved differs from what was typed, in words, for the
/// table shown after a refused stale change.
fn contract_differences(
    state: &AppState,
    commissioners: &[(i64, String)],
    saved: &ContractAnswers,
    typed: &ContractAnswers,
) -> Vec<(String, String, String)> {
    let commissioner = |a: &ContractAnswers| {
        commissioners
            .iter()
            .find(|(id, _)| id.to_string() == a.commissioner.trim())
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| a.commissioner.clone())
    };
    let duties = |a: &ContractAnswers| {
        a.duties
            .iter()
            .filter_map(|d| advocase_domain::reporting::parse_duty(d))
            .map(|d| t(state, &code_key("report-code", duty_code(d))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reporting = |a: &ContractAnswers| match ReportingPeriod::parse(&a.reporting) {
        Some(r) => t(state, &code_key("contract-reporting", r.as_str())),
        None => a.reporting.clone(),
    };
    let both = |f: fn(&ContractAnswers) -> &String| (f(saved).clone(), f(typed).clone());
    let row = |key: &'static str, (saved, typed): (String, String)| (key, saved, typed);
    super::forms::differences(
        &state.catalogue,
        [
            row("contract-name", both(|a| &a.name)),
            row(
                "contract-commissioner",
                (commissioner(saved), commissioner(typed)),
            ),
            row("contract-duties", (duties(saved), duties(typed))),
            row("contract-areas", both(|a| &a.areas)),
            row("contract-starts", both(|a| &a.starts_on)),
            row("contract-ends", both(|a| &a.ends_on)),
            row("contract-core-funding", both(|a| &a.core_funding)),
            row("contract-core-cases", both(|a| &a.core_cases)),
            row("contract-payment-per-case", both(|a| &a.payment_per_case)),
            row("contract-reporting", (reporting(saved), reporting(typed))),
            row("contract-urgent-days-label", both(|a| &a.urgent_days)),
            row("contract-standard-days-label", both(|a| &a.standard_days)),
            row("contract-threshold", both(|a| &a.threshold)),
            row(
                "contract-target-imha-introduction",
                both(|a| &a.target_imha_introduction),
            ),
            row(
                "contract-target-first-contact",
                both(|a| &a.target_first_contact),
            ),
            row("contract-target-declined", both(|a| &a.target_declined)),
            row(
                "contract-target-outcomes-achieved",
                both(|a| &a.target_outcomes_achieved),
            ),
            row("contract-target-feedback", both(|a| &a.target_feedback)),
        ],
    )
}

/// `GET /contracts/{id}/edit`: the contract form filled with what is saved, for the
/// provider's managers. Anyone else finds no such page.
pub async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    super::manager(&staff)?;
    let row = load_contract(&state, &staff, id).await?;
    let commissioners = commissioner_list(&state, &staff).await?;
    show_form(
        Layout::staff(&state, &staff, "contract-edit-heading", "/contracts"),
        FormErrors::none(),
        change_form(
            &state,
            &commissioners,
            id,
            row.record.version,
            &answers_of(&row.record),
        ),
    )
}

/// `POST /contracts/{id}/edit`. A change another manager saved since the form was
/// opened is never overwritten: the form comes back with what is saved now, beside
/// what was typed wherever the two differ.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    super::manager(&staff)?;
    // Read first, so that a contract that is not the manager's is not found whatever
    // was posted, and the attempt is in the audit trail.
    load_contract(&state, &staff, id).await?;
    let body = FormBody::parse(&body);
    let version = body.version()?;
    let answers = contract_answers(&body);
    let commissioners = commissioner_list(&state, &staff).await?;
    let layout = || Layout::staff(&state, &staff, "contract-edit-heading", "/contracts");
    let again = |errors: FormErrors| {
        show_form(
            layout(),
            errors,
            change_form(&state, &commissioners, id, version, &answers),
        )
    };
    let contract = match answers.parse() {
        Ok(c) => c,
        Err(invalid) => return again(invalid.into()),
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.change_contract(&actor, id, version, &contract)).await {
        Ok(()) => Ok(Redirect::to(&format!("/contracts/{id}")).into_response()),
        Err(AppError::Conflict) => {
            let saved = load_contract(&state, &staff, id).await?;
            let now = answers_of(&saved.record);
            let mut form = change_form(&state, &commissioners, id, saved.record.version, &now);
            form.changed = contract_differences(&state, &commissioners, &now, &answers);
            if form.changed.is_empty() {
                // Someone else saved exactly what was typed: there is nothing to compare.
                return Ok(Redirect::to(&format!("/contracts/{id}")).into_response());
            }
            show_form(layout(), FormErrors::none(), form)
        }
        Err(AppError::Invalid(invalid)) => again(invalid.into()),
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------

/// Breakdowns of one count, shown as a figure rather than as a table.
const SINGLE_FIGURES: &[&str] = &["waiting-at-end", "feedback-responses", "signals-sent"];

/// The sections of a report, each with the breakdowns it shows.
const SECTIONS: &[(&str, &[&str])] = &[
    (
        "activity",
        &[
            "referrals-by-referrer",
            "referrals-by-area",
            "referrals-by-duty",
            "cases-opened-by-duty",
            "cases-closed-by-reason",
            "contacts-by-mode",
        ],
    ),
    (
        "process",
        &["first-contact", "imha-introduction", "waiting-at-end"],
    ),
    ("unmet-need", &["declined-why"]),
    (
        "outcomes",
        &[
            "outcomes-by-level",
            "outcomes-by-process",
            "outcomes-by-duty",
            "outcomes-own-view",
        ],
    ),
    ("feedback", &["feedback-responses"]),
    (
        "safeguarding",
        &["concerns-by-category", "complaints-by-kind", "signals-sent"],
    ),
];

pub struct RowView {
    pub label: String,
    pub value: String,
    /// The figure when shown, for the chart.
    pub shown: Option<u64>,
    /// The bar's width out of 100.
    pub bar: u32,
}

pub struct TableView {
    pub id: String,
    pub caption: String,
    pub definition: String,
    pub rows: Vec<RowView>,
    pub total: String,
    pub chart_height: usize,
}

pub struct SectionView {
    pub id: String,
    pub heading: String,
    pub tables: Vec<TableView>,
    /// Single figures of the section: (words, value, definition link).
    pub figures: Vec<(String, String, String)>,
}

pub struct KpiView {
    pub name: String,
    pub definition: String,
    pub actual: String,
    pub target: String,
    pub state: String,
    pub tag: &'static str,
}

/// A report built once and rendered as a page, a CSV file or a spreadsheet.
pub struct ReportView {
    pub sections: Vec<SectionView>,
    pub kpis: Vec<KpiView>,
}

fn cell_words(state: &AppState, cell: Cell) -> String {
    match cell {
        Cell::Shown(n) => n.to_string(),
        // Small and hidden counts read alike, or a reader could tell them apart.
        Cell::Small | Cell::Hidden => t(state, "report-not-shown"),
    }
}

fn row_label(state: &AppState, table: &str, code: &str) -> String {
    if table.starts_with("equality-") {
        t(state, &code_key("equality", code))
    } else if table == "referrals-by-area" && code != "other" {
        code.to_string()
    } else {
        t(state, &code_key("report-code", code))
    }
}

fn table_view(state: &AppState, table: &PublishedTable) -> TableView {
    let largest = table
        .rows
        .iter()
        .filter_map(|(_, c)| c.shown())
        .max()
        .unwrap_or(0)
        .max(1);
    TableView {
        id: table.id.to_string(),
        caption: t(state, &format!("report-table-{}", table.id)),
        definition: format!("/definitions#definition-{}", table.id),
        rows: table
            .rows
            .iter()
            .map(|(code, cell)| RowView {
                label: row_label(state, &table.id, code),
                value: cell_words(state, *cell),
                shown: cell.shown(),
                bar: cell
                    .shown()
                    .map(|n| (n * 100 / largest) as u32)
                    .unwrap_or(0),
            })
            .collect(),
        total: cell_words(state, table.total),
        // A row is a line of label over a bar, 46 units high (see contracts/report.html).
        chart_height: table.rows.len() * 46 + 6,
    }
}

fn percent(value: Option<u32>, state: &AppState) -> String {
    value
        .map(|n| format!("{n}%"))
        .unwrap_or_else(|| t(state, "report-not-shown"))
}

/// Builds the report of a contract and period from the store's counts.
fn build_report(state: &AppState, row: &ContractRow, facts: &ReportFacts) -> ReportView {
    let threshold = row.record.threshold();
    let published: Vec<PublishedTable> = facts
        .breakdowns
        .iter()
        .map(|b| publish(b, threshold))
        .collect();
    let find = |id: &str| published.iter().find(|p| p.id == id);
    let single = |id: &str| {
        find(id)
            .map(|p| cell_words(state, p.total))
            .unwrap_or_default()
    };
    let days = |values: &[i64]| {
        let mut values = values.to_vec();
        median(&mut values, threshold)
            .map(|d| {
                state
                    .catalogue
                    .text_with("report-days", "count", &d.to_string())
            })
            .unwrap_or_else(|| t(state, "report-not-shown"))
    };
    let mut sections: Vec<SectionView> = SECTIONS
        .iter()
        .map(|(section, ids)| SectionView {
            id: section.to_string(),
            heading: t(state, &format!("report-section-{section}")),
            tables: ids
                .iter()
                .filter_map(|id| find(id))
                .filter(|p| !SINGLE_FIGURES.contains(&p.id.as_ref()))
                .map(|p| table_view(state, p))
                .collect(),
            figures: Vec::new(),
        })
        .collect();
    let definition = |id: &str| format!("/definitions#definition-{id}");
    // Single figures: a total is published only when it is not a small count, and the
    // hours only beside a published count of contacts.
    let contacts_shown = find("contacts-by-mode").is_some_and(|p| p.total.shown().is_some());
    let hours = if contacts_shown {
        (facts.contact_minutes / 60).to_string()
    } else {
        t(state, "report-not-shown")
    };
    sections[0]
        .figures
        .push((t(state, "report-figure-hours"), hours, definition("hours")));
    sections[1].figures.push((
        t(state, "report-table-waiting-at-end"),
        single("waiting-at-end"),
        definition("waiting-at-end"),
    ));
    sections[1].figures.push((
        t(state, "report-figure-median-wait"),
        days(&facts.waits),
        definition("median-wait"),
    ));
    sections[1].figures.push((
        t(state, "report-figure-median-urgent"),
        days(&facts.first_contact_days.0),
        definition("median-first-contact"),
    ));
    sections[1].figures.push((
        t(state, "report-figure-median-standard"),
        days(&facts.first_contact_days.1),
        definition("median-first-contact"),
    ));
    sections[4].figures.push((
        t(state, "report-table-feedback-responses"),
        single("feedback-responses"),
        definition("feedback-responses"),
    ));
    let average = feedback_average(facts, threshold);
    sections[4].figures.push((
        t(state, "report-figure-feedback-average"),
        average
            .map(|tenths| {
                format!(
                    "{:.1} {}",
                    tenths as f64 / 10.0,
                    t(state, "kpi-out-of-five")
                )
            })
            .unwrap_or_else(|| t(state, "report-not-shown")),
        definition("feedback-average"),
    ));
    sections[5].figures.push((
        t(state, "report-table-signals-sent"),
        single("signals-sent"),
        definition("signals-sent"),
    ));
    sections.push(SectionView {
        id: "equality".into(),
        heading: t(state, "report-section-equality"),
        tables: CHARACTERISTICS
            .iter()
            .filter_map(|c| find(equality_id(c.code)))
            .map(|p| {
                let mut view = table_view(state, p);
                view.caption = state.catalogue.text_with(
                    "report-equality-caption",
                    "characteristic",
                    // Inside a sentence the characteristic is not capitalised, as
                    // a heading of its own would be.
                    &t(
                        state,
                        &code_key("characteristic", p.id.trim_start_matches("equality-")),
                    )
                    .to_lowercase(),
                );
                view.definition = definition("equality");
                view
            })
            .collect(),
        figures: Vec::new(),
    });
    let results = kpi_results(row, facts);
    let kpis = results
        .iter()
        .map(|r| KpiView {
            name: t(state, &code_key("kpi", r.kpi.as_str())),
            definition: format!("/definitions#{}", code_key("kpi", r.kpi.as_str())),
            actual: if r.kpi == Kpi::Feedback {
                r.actual
                    .map(|a| format!("{:.1}", f64::from(a) / 10.0))
                    .unwrap_or_else(|| t(state, "report-not-shown"))
            } else {
                percent(r.actual, state)
            },
            target: target_words(state, r.kpi, r.target),
            state: t(
                state,
                match r.state {
                    KpiState::Met => "kpi-met",
                    KpiState::Missed => "kpi-missed",
                    KpiState::NoTarget => "kpi-no-target",
                    KpiState::NotShown => "kpi-not-shown",
                },
            ),
            tag: match r.state {
                KpiState::Met => "govuk-tag--green",
                KpiState::Missed => "govuk-tag--red",
                _ => "govuk-tag--grey",
            },
        })
        .collect();
    ReportView { sections, kpis }
}

/// The average overall feedback in tenths, when more answers than the threshold stand
/// behind it.
fn feedback_average(facts: &ReportFacts, threshold: u64) -> Option<u64> {
    let (responses, sum) = facts.feedback;
    (responses > threshold).then(|| (sum * 10 + responses / 2) / responses)
}

/// Whether every count a share is made of is published in its table: a share of
/// counts the table hides would give them back (a hidden cell is the total less the
/// shown ones, and the share pins down how that difference splits).
fn published(facts: &ReportFacts, id: &str, threshold: u64, codes: &[&str]) -> bool {
    facts.breakdown(id).is_some_and(|b| {
        publish(b, threshold)
            .rows
            .iter()
            .filter(|(code, _)| codes.is_empty() || codes.contains(&code.as_str()))
            .all(|(_, cell)| cell.shown().is_some())
    })
}

/// Each KPI of the contract judged on the period's counts.
pub(crate) fn kpi_results(row: &ContractRow, facts: &ReportFacts) -> [KpiResult; 5] {
    let threshold = row.record.threshold();
    let targets = row.record.targets();
    let (imha_met, imha_missed) = facts.imha;
    let (within, later) = facts.first_contact;
    let only_if = |shown: bool, value: Option<u32>| value.filter(|_| shown);
    let first_contact_cells = [
        "urgent_within",
        "urgent_later",
        "standard_within",
        "standard_later",
    ];
    [
        judge(
            Kpi::ImhaIntroduction,
            only_if(
                published(facts, "imha-introduction", threshold, &[]),
                share(imha_met, imha_met + imha_missed, threshold),
            ),
            targets.imha_introduction,
        ),
        judge(
            Kpi::FirstContact,
            only_if(
                published(facts, "first-contact", threshold, &first_contact_cells),
                share(within, within + later, threshold),
            ),
            targets.first_contact,
        ),
        judge(
            Kpi::Declined,
            only_if(
                published(facts, "declined-why", threshold, &[]),
                share(facts.declined.0, facts.declined.1, threshold),
            ),
            targets.declined,
        ),
        judge(
            Kpi::OutcomesAchieved,
            only_if(
                published(facts, "outcomes-by-level", threshold, &[]),
                share(facts.outcomes.0, facts.outcomes.1, threshold),
            ),
            targets.outcomes_achieved,
        ),
        judge(
            Kpi::Feedback,
            feedback_average(facts, threshold).map(|a| a as u32),
            targets.feedback_tenths,
        ),
    ]
}

/// The contract's reporting periods, or its years for the annual report.
pub(crate) fn periods_of(row: &ContractRow, annual: bool) -> Vec<Period> {
    let r = &row.record;
    if annual {
        contract_years(r.starts_on, r.ends_on)
    } else {
        contract_periods(r.starts_on, r.ends_on, r.reporting_period())
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// The first day of one of the contract's reporting periods, as 2026-04-01.
    #[serde(default)]
    #[param(format = Date)]
    pub from: String,
    /// The last day of the same period.
    #[serde(default)]
    #[param(format = Date)]
    pub to: String,
}

#[derive(Template)]
#[template(path = "contracts/report.html")]
struct ReportPage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    period: String,
    query: String,
    contract: String,
    threshold: u64,
    report: ReportView,
}

/// The counts of one period of a contract the actor has been shown.
pub(crate) async fn facts_for(
    state: &AppState,
    actor: &advocase_domain::identity::Actor,
    contract: &ContractRow,
    period: Period,
) -> Result<ReportFacts, AppError> {
    counted_reports(state, actor, contract, vec![period])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// The contract and the report for the period asked for, or the contract page with the
/// period's error.
async fn report_for(
    state: &AppState,
    staff: &Staff,
    id: i64,
    query: &PeriodQuery,
    annual: bool,
) -> Result<Result<(ContractRow, Period, ReportView), Response>, AppError> {
    let (row, period) = match period_for(state, staff, id, query, annual).await? {
        Ok(found) => found,
        Err(page) => return Ok(Err(page)),
    };
    let facts = facts_for(state, &staff.actor, &row, period).await?;
    let report = build_report(state, &row, &facts);
    Ok(Ok((row, period, report)))
}

/// The contract and the period asked for, or the contract page with the period's error.
async fn period_for(
    state: &AppState,
    staff: &Staff,
    id: i64,
    query: &PeriodQuery,
    annual: bool,
) -> Result<Result<(ContractRow, Period), Response>, AppError> {
    let row = load_contract(state, staff, id).await?;
    match parse_period(
        &query.from,
        &query.to,
        &periods_of(&row, annual),
        clock::today(),
    ) {
        Ok(period) => Ok(Ok((row, period))),
        Err(invalid) => Ok(Err(contract_page(state, staff, &row, invalid.into())?)),
    }
}

/// `GET /contracts/{id}/report?from=&to=`
pub async fn report(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let (row, period, report) = match report_for(&state, &staff, id, &query, false).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    render(&ReportPage {
        layout: Layout::staff(&state, &staff, "report-heading", "/contracts"),
        errors: FormErrors::none(),
        id,
        period: period_words(period),
        query: period_query(period),
        contract: row.record.name.clone(),
        threshold: row.record.threshold(),
        report,
    })
}

/// Every figure of a report as rows of (section, table, category, value), the same
/// words as the page; the CSV and the spreadsheet are written from these.
fn report_rows(state: &AppState, report: &ReportView) -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    // Each indicator is three rows, like the page's three columns, so that the file
    // says whether the target was met and not only the two figures.
    for kpi in &report.kpis {
        for (column, value) in [
            ("report-target-column", &kpi.target),
            ("report-actual-column", &kpi.actual),
            ("report-state-column", &kpi.state),
        ] {
            rows.push([
                t(state, "report-kpis-heading"),
                kpi.name.clone(),
                t(state, column),
                value.clone(),
            ]);
        }
    }
    for section in &report.sections {
        for (words, value, _) in &section.figures {
            rows.push([
                section.heading.clone(),
                words.clone(),
                String::new(),
                value.clone(),
            ]);
        }
        for table in &section.tables {
            for row in &table.rows {
                rows.push([
                    section.heading.clone(),
                    table.caption.clone(),
                    row.label.clone(),
                    row.value.clone(),
                ]);
            }
            rows.push([
                section.heading.clone(),
                table.caption.clone(),
                t(state, "report-total"),
                table.total.clone(),
            ]);
        }
    }
    rows
}

/// The whole report as one table, header first, for the CSV file and the spreadsheet
/// alike. Every row starts with the contract and the period, so that files from several
/// reports can be put together in one table and still be told apart.
fn report_table(
    state: &AppState,
    row: &ContractRow,
    period: Period,
    report: &ReportView,
) -> Vec<[String; 6]> {
    let (contract, period_named) = (row.record.name.clone(), period_words(period));
    let header = [
        "report-column-contract",
        "report-column-period",
        "report-column-section",
        "report-column-figure",
        "report-column-category",
        "report-column-value",
    ]
    .map(|key| t(state, key));
    std::iter::once(header)
        .chain(
            report_rows(state, report)
                .into_iter()
                .map(|[section, figure, category, value]| {
                    [
                        contract.clone(),
                        period_named.clone(),
                        section,
                        figure,
                        category,
                        value,
                    ]
                }),
        )
        .collect()
}

/// The column of [`report_table`] that holds the figures.
const REPORT_VALUE_COLUMN: usize = 5;

/// A CSV cell a spreadsheet would run as a formula (an area typed as "=…") is written
/// with a leading apostrophe, so it opens as text.
fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn download(body: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /contracts/{id}/report.csv?from=&to=`
pub async fn report_csv(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let (row, period, report) = match report_for(&state, &staff, id, &query, false).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed =
        |e: csv::Error| AppError::Internal(anyhow::anyhow!("writing a report as CSV failed: {e}"));
    for line in report_table(&state, &row, period, &report) {
        writer
            .write_record(line.iter().map(|cell| defused(cell)))
            .map_err(failed)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing a report as CSV failed: {e}")))?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        &format!("contract-{id}-{}.csv", iso_date(period.from)),
    ))
}

/// `GET /contracts/{id}/report.xlsx?from=&to=`
pub async fn report_xlsx(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let (row, period, report) = match report_for(&state, &staff, id, &query, false).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let failed = |e: rust_xlsxwriter::XlsxError| {
        AppError::Internal(anyhow::anyhow!(
            "writing a report as a spreadsheet failed: {e}"
        ))
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Report").map_err(failed)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    // The same table as the CSV file, so that the two cannot differ.
    for (r, line) in report_table(&state, &row, period, &report)
        .iter()
        .enumerate()
    {
        for (c, value) in line.iter().enumerate() {
            let (r, c16) = (r as u32, c as u16);
            // Figures go in as numbers so a commissioner can chart them; words as text.
            match value.parse::<f64>() {
                _ if r == 0 => sheet.write_string_with_format(r, c16, value, &bold),
                Ok(n) if c == REPORT_VALUE_COLUMN => sheet.write_number(r, c16, n),
                _ => sheet.write_string(r, c16, value),
            }
            .map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    for (c, width) in [32, 28, 24, 48, 36].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width).map_err(failed)?;
    }
    let body = book.save_to_buffer().map_err(failed)?;
    Ok(download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("contract-{id}-{}.xlsx", iso_date(period.from)),
    ))
}

// ---------------------------------------------------------------------------------------
// The annual report, in plain English and easy read
// ---------------------------------------------------------------------------------------

/// A figure of the annual report, in the order its sentences tell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AnnualFigure {
    Referrals,
    CasesOpened,
    Contacts,
    Hours,
    Outcomes,
    Concerns,
    /// The average answer to the overall feedback question, in tenths of a point.
    FeedbackAverage,
}

impl AnnualFigure {
    pub(crate) const ALL: [AnnualFigure; 7] = [
        AnnualFigure::Referrals,
        AnnualFigure::CasesOpened,
        AnnualFigure::Contacts,
        AnnualFigure::Hours,
        AnnualFigure::Outcomes,
        AnnualFigure::Concerns,
        AnnualFigure::FeedbackAverage,
    ];

    /// The name of the figure in the annual report's sentences (`annual-{key}`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            AnnualFigure::Referrals => "referrals",
            AnnualFigure::CasesOpened => "cases-opened",
            AnnualFigure::Contacts => "contacts",
            AnnualFigure::Hours => "hours",
            AnnualFigure::Outcomes => "outcomes",
            AnnualFigure::Concerns => "concerns",
            AnnualFigure::FeedbackAverage => "feedback",
        }
    }

    /// The figure as one period's report publishes it: a table's total, the hours only
    /// beside a published count of contacts, the average only of enough answers.
    fn published(self, facts: &ReportFacts, threshold: u64) -> Option<u64> {
        let total = |id: &str| {
            facts
                .breakdown(id)
                .and_then(|b| publish(b, threshold).total.shown())
        };
        match self {
            AnnualFigure::Referrals => total("referrals-by-referrer"),
            AnnualFigure::CasesOpened => total("cases-opened-by-duty"),
            AnnualFigure::Contacts => total("contacts-by-mode"),
            AnnualFigure::Hours => total("contacts-by-mode").map(|_| facts.contact_minutes / 60),
            AnnualFigure::Outcomes => total("outcomes-by-level"),
            AnnualFigure::Concerns => total("concerns-by-category"),
            AnnualFigure::FeedbackAverage => feedback_average(facts, threshold),
        }
    }
}

/// The periods counted for the annual report of `year`: the year, and for a quarterly
/// contract each of its quarters in the year.
pub(crate) fn annual_periods(row: &ContractRow, year: Period) -> Vec<Period> {
    let mut periods = vec![year];
    if row.record.reporting_period() == ReportingPeriod::Quarterly {
        periods.extend(
            periods_of(row, false)
                .into_iter()
                .filter(|q| q.from >= year.from && q.to <= year.to),
        );
    }
    periods
}

/// The annual report's figures from the counts of the year and (for a quarterly
/// contract) of each of its quarters. A quarterly contract's year is the sum of its
/// quarters: a year total beside three published quarters would give back a fourth the
/// quarter's report hid. So a figure is told only when the year's and every quarter's
/// are published.
pub(crate) fn annual_figures(
    row: &ContractRow,
    year: &ReportFacts,
    quarters: &[ReportFacts],
) -> Vec<(AnnualFigure, Option<u64>)> {
    let threshold = row.record.threshold();
    AnnualFigure::ALL
        .into_iter()
        .map(|figure| {
            let every_quarter = quarters
                .iter()
                .all(|q| figure.published(q, threshold).is_some());
            let value = figure.published(year, threshold).filter(|_| every_quarter);
            (figure, value)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "contracts/annual.html")]
struct AnnualPage {
    layout: Layout,
    errors: FormErrors,
    easy_read: bool,
    other_version: String,
    back: String,
    period: String,
    /// The contract and its provider, so that two contracts' reports are told apart.
    contract: String,
    /// Sentences, each with its figure already in words.
    sentences: Vec<String>,
    kpis: Vec<KpiView>,
}

async fn annual(
    state: AppState,
    staff: Staff,
    id: i64,
    query: PeriodQuery,
    easy_read: bool,
) -> Result<Response, AppError> {
    let (row, period) = match period_for(&state, &staff, id, &query, true).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let counted = counted_reports(&state, &staff.actor, &row, annual_periods(&row, period)).await?;
    let Some((year, quarters)) = counted.split_first() else {
        return Err(AppError::NotFound);
    };
    let prefix = if easy_read { "annual-easy" } else { "annual" };
    let mut sentences = Vec::new();
    let mut left_out = false;
    for (figure, value) in annual_figures(&row, year, quarters) {
        let Some(value) = value else {
            left_out = true;
            continue;
        };
        // A sentence that reads badly with none in it has its own words for none.
        let none = format!("{prefix}-{}-none", figure.key());
        if value == 0 && state.catalogue.has(&none) {
            sentences.push(t(&state, &none));
            continue;
        }
        // Counts are read in sentences here, so their thousands are marked.
        let words = match figure {
            AnnualFigure::FeedbackAverage => format!("{:.1}", value as f64 / 10.0),
            _ => grouped(i64::try_from(value).unwrap_or(i64::MAX)),
        };
        sentences.push(state.catalogue.text_with(
            &format!("{prefix}-{}", figure.key()),
            "count",
            &words,
        ));
    }
    if left_out {
        sentences.push(t(&state, &format!("{prefix}-left-out")));
    }
    // Shares for the year beside the quarters' would also give figures back; they are
    // told only when the contract reports yearly.
    let kpis = if quarters.is_empty() {
        build_report(&state, &row, year).kpis
    } else {
        Vec::new()
    };
    let query = period_query(period);
    render(&AnnualPage {
        layout: Layout::staff(
            &state,
            &staff,
            if easy_read {
                "annual-easy-heading"
            } else {
                "annual-heading"
            },
            "/contracts",
        ),
        errors: FormErrors::none(),
        easy_read,
        other_version: if easy_read {
            format!("/contracts/{id}/annual-report?{query}")
        } else {
            format!("/contracts/{id}/annual-report/easy-read?{query}")
        },
        back: format!("/contracts/{id}"),
        period: period_words(period),
        contract: format!("{}: {}", row.record.name, row.provider),
        sentences,
        kpis,
    })
}

/// `GET /contracts/{id}/annual-report?from=&to=`
pub async fn annual_report(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    annual(state, staff, id, query, false).await
}

/// `GET /contracts/{id}/annual-report/easy-read?from=&to=`
pub async fn annual_easy_read(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    annual(state, staff, id, query, true).await
}

// ---------------------------------------------------------------------------------------
// Link meetings
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "contracts/meetings.html")]
struct MeetingsPage {
    layout: Layout,
    errors: FormErrors,
    id: i64,
    contract: String,
    meetings: Vec<Meeting>,
    /// When the next meeting is due, while the contract runs.
    next: Option<MeetingLine>,
    form: MeetingForm,
    today: NaiveDate,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MeetingForm {
    held_on: String,
    attendees: String,
    discussed: String,
    action_1: String,
    owner_1: String,
    due_1: String,
    action_2: String,
    owner_2: String,
    due_2: String,
    action_3: String,
    owner_3: String,
    due_3: String,
}

impl MeetingForm {
    fn parse(&self, today: NaiveDate) -> Result<NewMeeting, Invalid> {
        let mut invalid = Invalid::default();
        let held_on = invalid.check(advocase_domain::casework::required_date(
            "held_on",
            label::DATE_OF_THE_MEETING,
            &self.held_on,
        ));
        if held_on.is_some_and(|d| d > today) {
            invalid.push("held_on", msg::LINK_MEETING_DATE_FUTURE);
        }
        let attendees = invalid.check(required_text(
            "attendees",
            label::WHO_WAS_THERE,
            &self.attendees,
            2000,
        ));
        let discussed = invalid.check(required_text(
            "discussed",
            label::WHAT_WAS_DISCUSSED,
            &self.discussed,
            20_000,
        ));
        let mut actions = Vec::new();
        for (n, (action, owner, due)) in [
            (&self.action_1, &self.owner_1, &self.due_1),
            (&self.action_2, &self.owner_2, &self.due_2),
            (&self.action_3, &self.owner_3, &self.due_3),
        ]
        .into_iter()
        .enumerate()
        {
            let n = n + 1;
            if action.trim().is_empty() && owner.trim().is_empty() && due.trim().is_empty() {
                continue;
            }
            let action = invalid.check(required_text(
                &format!("action_{n}"),
                label::ACTION,
                action,
                2000,
            ));
            let owner = invalid.check(required_text(
                &format!("owner_{n}"),
                label::WHO_WILL_DO_IT,
                owner,
                200,
            ));
            let due = invalid
                .check(advocase_domain::referral::parse_date(
                    &format!("due_{n}"),
                    label::DATE_IT_IS_DUE,
                    due,
                ))
                .flatten();
            if let (Some(a), Some(o)) = (action, owner) {
                actions.push((a, o, due));
            }
        }
        invalid.into_result()?;
        Ok(NewMeeting {
            held_on: held_on.unwrap_or(today),
            attendees: attendees.unwrap_or_default(),
            discussed: discussed.unwrap_or_default(),
            actions,
        })
    }
}

/// A running contract's link meetings in words, for the home page and the meetings page.
pub struct MeetingLine {
    pub contract_id: i64,
    pub contract: String,
    /// "The next link meeting is due by 1 March 2027."
    pub next_due: String,
    pub meeting_overdue: bool,
    /// "2 actions agreed at link meetings are open", when any is.
    pub actions: Option<String>,
    /// "1 overdue", when any open action is past its date.
    pub actions_overdue: Option<String>,
}

/// Each running contract's next link meeting and open actions, as the actor may see
/// them: every contract's, or `only` one's.
pub async fn meeting_lines(
    state: &AppState,
    staff: &Staff,
    only: Option<i64>,
) -> Result<Vec<MeetingLine>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let today = clock::today();
    let reminders = blocking(move || store.link_meeting_reminders(&actor, today, only)).await?;
    Ok(reminders
        .into_iter()
        .map(|r| MeetingLine {
            contract_id: r.contract_id,
            contract: r.contract_name,
            next_due: state.catalogue.text_with(
                if r.next_due < today {
                    "meetings-next-was-due"
                } else {
                    "meetings-next-due"
                },
                "date",
                &super::long_date(r.next_due),
            ),
            meeting_overdue: r.next_due < today,
            actions: (r.open_actions > 0).then(|| {
                state.catalogue.text_with_count(
                    "meetings-open-actions",
                    "count",
                    r.open_actions as i64,
                )
            }),
            actions_overdue: (r.overdue_actions > 0).then(|| {
                state.catalogue.text_with_count(
                    "meetings-actions-overdue",
                    "count",
                    r.overdue_actions as i64,
                )
            }),
        })
        .collect())
}

async fn meetings_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    form: MeetingForm,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let row = load_contract(state, staff, id).await?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let meetings = blocking(move || store.meetings(&actor, id)).await?;
    let next = meeting_lines(state, staff, Some(id)).await?.pop();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(
        status,
        &MeetingsPage {
            layout: Layout::staff(state, staff, "meetings-heading", "/contracts"),
            errors,
            id,
            contract: row.record.name,
            meetings,
            next,
            form,
            today: clock::today(),
        },
    )
}

/// `GET /contracts/{id}/meetings`
pub async fn meetings(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    meetings_page(
        &state,
        &staff,
        id,
        MeetingForm::default(),
        FormErrors::none(),
    )
    .await
}

/// `POST /contracts/{id}/meetings`
pub async fn record_meeting(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<MeetingForm>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Commissioner, Role::Manager])?;
    let meeting = match form.parse(clock::today()) {
        Ok(m) => m,
        Err(invalid) => return meetings_page(&state, &staff, id, form, invalid.into()).await,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.record_meeting(&actor, id, &meeting)).await?;
    Ok(Redirect::to(&format!("/contracts/{id}/meetings")).into_response())
}

/// `POST /contracts/{id}/actions/{action}/done`
pub async fn complete_action(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, action)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Commissioner, Role::Manager])?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.complete_action(&actor, id, action, clock::today())).await?;
    Ok(Redirect::to(&format!("/contracts/{id}/meetings")).into_response())
}

// ---------------------------------------------------------------------------------------
// Demand analysis
// ---------------------------------------------------------------------------------------

pub struct DemandLine {
    pub area: String,
    pub adults: String,
    pub assessments: String,
    pub expected: String,
    /// The days the expected and received referrals are counted over, in words.
    pub compared_over: String,
    /// How the referrals compare with those expected, in words.
    pub band: String,
    pub flag: bool,
}

#[derive(Template)]
#[template(path = "contracts/demand.html")]
struct DemandPage {
    layout: Layout,
    errors: FormErrors,
    year: i32,
    years: Vec<i32>,
    lines: Vec<DemandLine>,
    teams: Vec<(String, String)>,
    difficulty: String,
    no_individual: String,
    /// What was just saved, said back after the redirect.
    notice: Option<String>,
    /// Some contract reports of the year are still being counted.
    still_counting: bool,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    year: Option<i32>,
    /// Set by the redirect after a save: `rates` or `population`.
    #[serde(default)]
    saved: Option<String>,
}

/// Referrals received from one area in the finished reporting periods that start in a
/// year, as the contract reports published them.
struct PublishedReferrals {
    /// `None` when any period's count was not shown, or when the contracts covering the
    /// area have not published the same days (their sum would set one provider's months
    /// against another's).
    count: Option<u64>,
    /// Those periods (one that starts in the year may end in the next), whose days are
    /// set against as many days of the year's expected referrals.
    periods: Vec<Period>,
    /// The contracts covering the area published different periods.
    differs: bool,
    /// A report of a contract covering the area was still being counted.
    still_counting: bool,
}

/// Referrals received from each area (lower-cased) in the finished reporting periods
/// that start in `year`, summed from the counts the contract reports published. The
/// demand page compares expected referrals with these only, so it tells nothing the
/// reports did not, and the expected figure a commissioner sets cannot be used to ask
/// about a hidden count.
async fn published_referrals_by_area(
    state: &AppState,
    staff: &Staff,
    year: i32,
) -> Result<std::collections::HashMap<String, PublishedReferrals>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let contracts = blocking(move || store.contracts(&actor)).await?;
    let today = clock::today();
    // The finished periods of each contract that ran in the year, counted side by side
    // so that the page waits for the slowest count only, not for their sum.
    let mut counts = tokio::task::JoinSet::new();
    let mut asked = Vec::new();
    for row in contracts {
        let in_year: Vec<Period> = periods_of(&row, false)
            .into_iter()
            .filter(|p| p.from.year() == year)
            .collect();
        if in_year.is_empty() {
            // The contract did not run in the year.
            continue;
        }
        let periods: Vec<Period> = in_year
            .into_iter()
            .filter(|p| has_ended(*p, today))
            .collect();
        if !periods.is_empty() {
            let (state, actor, row, periods) = (
                state.clone(),
                staff.actor.clone(),
                row.clone(),
                periods.clone(),
            );
            let at = asked.len();
            counts.spawn(async move { (at, counted_reports(&state, &actor, &row, periods).await) });
        }
        asked.push((row, periods, None));
    }
    while let Some(counted) = counts.join_next().await {
        let (at, counted) = counted
            .map_err(|join| AppError::Internal(anyhow::anyhow!("a report count failed: {join}")))?;
        asked[at].2 = Some(counted);
    }
    let mut by_area: std::collections::HashMap<String, PublishedReferrals> = Default::default();
    for (row, periods, counted) in asked {
        let threshold = row.record.threshold();
        // With no period of the year ended, nothing is published to compare.
        let start = (!periods.is_empty()).then_some(0);
        let mut published: std::collections::HashMap<String, Option<u64>> = row
            .record
            .area_names()
            .iter()
            .map(|area| (area.to_lowercase(), start))
            .collect();
        let (counted, still_counting) = match counted {
            None => (Vec::new(), false),
            Some(Err(AppError::StillCounting)) => {
                // Until its figures are kept, the contract's areas cannot be compared.
                published.values_mut().for_each(|count| *count = None);
                (Vec::new(), true)
            }
            Some(counted) => (counted?, false),
        };
        for facts in counted {
            if let Some(breakdown) = facts.breakdown("referrals-by-area") {
                for (area, cell) in publish(breakdown, threshold).rows {
                    let sum = published.entry(area.to_lowercase()).or_insert(Some(0));
                    *sum = sum.zip(cell.shown()).map(|(a, b)| a + b);
                }
            }
        }
        for (area, count) in published {
            match by_area.entry(area) {
                std::collections::hash_map::Entry::Vacant(first) => {
                    first.insert(PublishedReferrals {
                        count,
                        periods: periods.clone(),
                        differs: false,
                        still_counting,
                    });
                }
                std::collections::hash_map::Entry::Occupied(mut other) => {
                    let sum = other.get_mut();
                    sum.differs |= sum.periods != periods;
                    sum.still_counting |= still_counting;
                    sum.count = if sum.differs {
                        None
                    } else {
                        sum.count.zip(count).map(|(a, b)| a + b)
                    };
                }
            }
        }
    }
    Ok(by_area)
}

/// Tenths of a per cent as typed: "62.5" is 625.
fn permille(field: &str, label: MessageKey, value: &str) -> Result<i64, Invalid> {
    value
        .trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|n| (0.0..=100.0).contains(n))
        .map(|n| (n * 10.0).round() as i64)
        .ok_or_else(|| Invalid::one(field, msg::DEMAND_SHARE_INVALID.with("label", label)))
}

async fn demand_page(
    state: &AppState,
    staff: &Staff,
    year: i32,
    errors: FormErrors,
    typed: Option<(String, String)>,
    saved: Option<&str>,
) -> Result<Response, AppError> {
    super::require_role(staff, &[Role::Commissioner])?;
    let notice = match saved {
        Some("rates") => Some(t(state, "demand-rates-saved")),
        Some("population") => Some(state.catalogue.text_with(
            "demand-population-saved",
            "year",
            &year.to_string(),
        )),
        _ => None,
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let facts = blocking(move || store.demand(&actor, year)).await?;
    let published = published_referrals_by_area(state, staff, year).await?;
    let still_counting = published.values().any(|p| p.still_counting);
    let (difficulty, no_individual) = facts.rates.unwrap_or((0, 0));
    let lines = facts
        .areas
        .iter()
        .map(|area| {
            let published = published.get(&area.area.to_lowercase());
            // With no report published yet there is nothing to compare, and the whole
            // year's figure is shown.
            let covered = published
                .map(|p| p.periods.iter().map(Period::days).sum::<i64>())
                .filter(|days| *days > 0)
                .unwrap_or_else(|| days_in_year(year));
            let expected = facts.rates.map(|_| {
                expected_referrals(
                    area.assessments,
                    difficulty,
                    no_individual,
                    covered,
                    days_in_year(year),
                )
            });
            let actual = published.and_then(|p| p.count);
            let band = expected.zip(actual).and_then(|(e, a)| demand_band(a, e));
            // The periods of one contract follow each other, so their days run from the
            // first one's start to the last one's end.
            let span = published.and_then(|p| Period::spanning(&p.periods));
            let compared_over = match (published, span) {
                (Some(p), _) if p.differs => t(state, "demand-compared-differs"),
                (_, Some(span)) => period_words(span),
                (_, None) => t(state, "demand-compared-whole-year"),
            };
            DemandLine {
                area: area.area.clone(),
                adults: grouped(area.adults),
                assessments: grouped(area.assessments),
                expected: expected
                    .map(grouped)
                    .unwrap_or_else(|| t(state, "demand-no-rates")),
                compared_over,
                band: match (expected, band) {
                    (None, _) => t(state, "demand-no-rates"),
                    (Some(_), Some(b)) => t(state, &code_key("demand-band", b.as_str())),
                    (Some(_), None) => t(
                        state,
                        match published {
                            None => "demand-band-no-contract",
                            Some(p) if p.differs => "demand-band-not-compared",
                            Some(p) if p.still_counting => "demand-band-still-counting",
                            Some(p) if p.periods.is_empty() => "demand-band-not-yet",
                            Some(_) => "demand-band-hidden",
                        },
                    ),
                },
                flag: band == Some(DemandBand::WellBelow),
            }
        })
        .collect();
    let this_year = this_year();
    // Teams are typed by referrers and may name a small ward or one worker: only teams
    // with ten or more referrals are named, to the nearest ten; the rest share a line.
    let (named, others): (Vec<_>, Vec<_>) = facts
        .teams
        .iter()
        .partition(|(_, count)| to_nearest_ten(*count).is_some());
    let mut teams: Vec<(String, String)> = named
        .into_iter()
        .map(|(team, count)| {
            (
                if team == "not_given" {
                    t(state, "demand-team-not-given")
                } else {
                    team.clone()
                },
                to_nearest_ten(*count).unwrap_or_default().to_string(),
            )
        })
        .collect();
    if !others.is_empty() {
        let rest: u64 = others.iter().map(|(_, n)| *n).sum();
        teams.push((
            t(state, "demand-other-teams"),
            to_nearest_ten(rest)
                .map(|n| n.to_string())
                .unwrap_or_else(|| t(state, "demand-fewer-than-ten")),
        ));
    }
    let (typed_difficulty, typed_none) = typed.unwrap_or_else(|| {
        let words = |p: i64| {
            if facts.rates.is_some() {
                format!("{:.1}", p as f64 / 10.0)
            } else {
                String::new()
            }
        };
        (words(difficulty), words(no_individual))
    });
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(
        status,
        &DemandPage {
            layout: Layout::staff(state, staff, "demand-heading", "/demand"),
            errors,
            year,
            years: (this_year - 4..=this_year).rev().collect(),
            lines,
            teams,
            difficulty: typed_difficulty,
            no_individual: typed_none,
            notice,
            still_counting,
        },
    )
}

fn days_in_year(year: i32) -> i64 {
    NaiveDate::from_ymd_opt(year, 12, 31).map_or(365, |last| i64::from(last.ordinal()))
}

fn this_year() -> i32 {
    clock::today()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026)
}

/// `GET /demand?year=`
pub async fn demand(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    demand_page(
        &state,
        &staff,
        query.year.unwrap_or_else(this_year),
        FormErrors::none(),
        None,
        query.saved.as_deref(),
    )
    .await
}

#[derive(Deserialize)]
pub struct RatesForm {
    #[serde(default)]
    difficulty: String,
    #[serde(default)]
    no_individual: String,
    /// The year the page showed, so that saving the rates returns to it.
    #[serde(default)]
    year: Option<i32>,
}

/// `POST /demand/rates`
pub async fn set_rates(
    State(state): State<AppState>,
    staff: Staff,
    axum::Form(form): axum::Form<RatesForm>,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Commissioner])?;
    let year = form.year.unwrap_or_else(this_year);
    let difficulty = permille(
        "difficulty",
        label::SHARE_ASSESSED_WITH_SUBSTANTIAL_DIFFICULTY,
        &form.difficulty,
    );
    let no_individual = permille(
        "no_individual",
        label::SHARE_WITH_NOBODY_APPROPRIATE,
        &form.no_individual,
    );
    let (difficulty, no_individual) = match (difficulty, no_individual) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let mut invalid = Invalid::default();
            for e in [a.err(), b.err()].into_iter().flatten() {
                invalid.0.extend(e.0);
            }
            return demand_page(
                &state,
                &staff,
                year,
                invalid.into(),
                Some((form.difficulty, form.no_individual)),
                None,
            )
            .await;
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.set_demand_rates(&actor, difficulty, no_individual)).await?;
    Ok(Redirect::to(&format!("/demand?year={year}&saved=rates")).into_response())
}

/// `POST /demand/population`: a CSV file of population figures. A bad row is named and
/// nothing is imported.
pub async fn import_population(
    State(state): State<AppState>,
    staff: Staff,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Commissioner])?;
    let mut text = String::new();
    let mut chosen = false;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            // A browser sends the field with an empty name when no file was chosen.
            chosen = field.file_name().is_some_and(|name| !name.is_empty());
            let bytes = field.bytes().await.map_err(|_| {
                AppError::Invalid(Invalid::one("file", msg::POPULATION_FILE_UNREADABLE))
            })?;
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    if text.trim().is_empty() {
        let problem = if chosen {
            msg::POPULATION_FILE_EMPTY
        } else {
            msg::POPULATION_FILE_MISSING
        };
        return demand_page(
            &state,
            &staff,
            this_year(),
            Invalid::one("file", problem).into(),
            None,
            None,
        )
        .await;
    }
    let rows = match parse_population_csv(&text) {
        Ok(rows) => rows,
        Err(invalid) => {
            return demand_page(&state, &staff, this_year(), invalid.into(), None, None).await;
        }
    };
    let year = rows[0].year;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.import_population(&actor, &rows)).await {
        Ok(_) => Ok(Redirect::to(&format!("/demand?year={year}&saved=population")).into_response()),
        Err(AppError::Invalid(invalid)) => {
            demand_page(&state, &staff, this_year(), invalid.into(), None, None).await
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "contracts/definitions.html")]
struct DefinitionsPage {
    layout: Layout,
    errors: FormErrors,
    definitions: Vec<(String, String, String)>,
}

/// Every figure's id on the definitions page, in the order the report shows them.
const DEFINED: &[&str] = &[
    "kpi-imha-introduction",
    "kpi-first-contact",
    "kpi-declined",
    "kpi-outcomes-achieved",
    "kpi-feedback",
    "definition-referrals-by-referrer",
    "definition-referrals-by-area",
    "definition-referrals-by-duty",
    "definition-cases-opened-by-duty",
    "definition-cases-closed-by-reason",
    "definition-contacts-by-mode",
    "definition-hours",
    "definition-first-contact",
    "definition-median-first-contact",
    "definition-imha-introduction",
    "definition-waiting-at-end",
    "definition-median-wait",
    "definition-declined-why",
    "definition-outcomes-by-level",
    "definition-outcomes-by-process",
    "definition-outcomes-by-duty",
    "definition-outcomes-own-view",
    "definition-feedback-responses",
    "definition-feedback-average",
    "definition-concerns-by-category",
    "definition-complaints-by-kind",
    "definition-signals-sent",
    "definition-equality",
    "definition-suppression",
];

/// `GET /definitions`
pub async fn definitions(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    super::require_role(&staff, &[Role::Commissioner, Role::Manager])?;
    render(&DefinitionsPage {
        layout: Layout::staff(&state, &staff, "definitions-heading", "/contracts"),
        errors: FormErrors::none(),
        definitions: DEFINED
            .iter()
            .map(|id| {
                // A KPI's own key is its name on the report, so its definition has
                // a key of its own.
                let body = if id.starts_with("kpi-") {
                    format!("{id}-definition")
                } else {
                    id.to_string()
                };
                (
                    id.to_string(),
                    t(&state, &format!("{id}-title")),
                    t(&state, &body),
                )
            })
            .collect(),
    })
}
