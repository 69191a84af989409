//! Contracts and their anonymised monitoring figures, for commissioners and the
//! provider's managers. The figures are the same published (suppressed) counts the
//! report page shows: a count that is not shown is `null`, never the number.

use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::auth::session::blocking;
use crate::clock;
use crate::error::{ApiError, ApiErrors, AppError};
use crate::pages::commissioning::{
    PeriodQuery, annual_figures, annual_periods, facts_for, kpi_results, periods_of,
};
use crate::report_counting::counted_reports;
use advocase_domain::reporting::{KpiState, Period, parse_period, publish};
use advocase_storage::commissioning::{ContractRow, ReportFacts};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Serialize;
use utoipa::ToSchema;

/// A contract between a commissioner and an advocacy provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractView {
    pub id: i64,
    pub name: String,
    pub commissioner: String,
    pub advocacy_provider: String,
    /// Duty codes: `care_act`, `imha`, `imca`, `nhs_complaints`.
    pub duties: Vec<String>,
    pub areas: Vec<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    /// `quarterly` or `annual`.
    pub reporting: String,
    /// Counts from 1 to this are published as `null`.
    pub threshold: u64,
}

/// One published count: `null` when it is not shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    pub category: String,
    pub count: Option<u64>,
}

/// One breakdown of a report, with its total.
#[derive(Debug, Serialize, ToSchema)]
pub struct TableView {
    /// Which figure, as on the definitions page (`/definitions#definition-{id}`).
    pub id: String,
    pub rows: Vec<CountView>,
    pub total: Option<u64>,
}

/// A key performance indicator: the share in per cent (feedback: average out of 5 in
/// tenths), `null` when too few stand behind it to publish.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiView {
    pub kpi: String,
    pub actual: Option<u32>,
    pub target: Option<u32>,
    /// `met`, `missed`, `no_target` or `not_shown`.
    pub state: String,
}

/// A contract's report for one of its reporting periods.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub contract_id: i64,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub kpis: Vec<KpiView>,
    pub tables: Vec<TableView>,
}

/// One figure of an annual report: `null` when it is not published.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualFigureView {
    /// `referrals`, `cases-opened`, `contacts`, `hours`, `outcomes`, `concerns` (safeguarding
    /// concerns raised), or `feedback` (the average answer to the overall question, out of
    /// 5 in tenths).
    pub figure: String,
    pub value: Option<u64>,
}

/// A contract's annual report for one of its contract years: the figures the annual
/// report page tells in sentences.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualReportView {
    pub contract_id: i64,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    /// For a quarterly contract a figure is published only when the year's and every
    /// quarter's are, or the year less three quarters would give back a hidden fourth.
    pub figures: Vec<AnnualFigureView>,
    /// Only for a contract that reports yearly: a quarterly contract's targets are judged
    /// in its quarterly reports.
    pub kpis: Vec<KpiView>,
}

/// The contracts the caller's organisation funds (a commissioner) or delivers (a
/// manager). Anyone else gets an empty list.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "contracts",
    responses((status = 200, body = [ContractView]), (status = 401, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn contracts(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<ContractView>>, ApiError> {
    let store = state.store.clone();
    let actor = caller.actor.clone();
    let rows = blocking(move || store.contracts(&actor)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| ContractView {
                id: row.record.id,
                duties: row.record.duty_codes(),
                areas: row.record.area_names(),
                threshold: row.record.threshold(),
                name: row.record.name,
                commissioner: row.commissioner,
                advocacy_provider: row.provider,
                starts_on: row.record.starts_on,
                ends_on: row.record.ends_on,
                reporting: row.record.reporting,
            })
            .collect(),
    ))
}

/// A contract's anonymised report for one of its reporting periods. A contract the
/// caller may not see answers 404, as one that does not exist; a period that is not
/// one of the contract's answers 422 naming `from` or `to`; a period whose figures are
/// being counted for the first time, and take longer than a few seconds, answers 202.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/report", tag = "contracts", params(("id" = i64, Path, description = "The contract"), PeriodQuery),
    responses((status = 200, body = ReportView),
        (status = 202, body = ApiErrors, description = "The period's figures are being counted for the first time and were not ready in time. The count goes on; ask again after the seconds in `Retry-After`.",
            headers(("Retry-After" = u32, description = "Seconds to wait before asking again."))),
        (status = 400, body = ApiErrors, description = "The contract number is not a whole number that fits in 64 bits."),
        (status = 401, body = ApiErrors), (status = 404, body = ApiErrors), (status = 422, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<ReportView>, ApiError> {
    let (row, period) = contract_and_period(&state, &caller, id, &query, false).await?;
    let facts = facts_for(&state, &caller.actor, &row, period).await?;
    let threshold = row.record.threshold();
    Ok(Json(ReportView {
        contract_id: id,
        from: period.from,
        to: period.to,
        kpis: kpi_views(&row, &facts),
        tables: facts
            .breakdowns
            .iter()
            .map(|b| {
                let table = publish(b, threshold);
                TableView {
                    id: table.id.to_string(),
                    rows: table
                        .rows
                        .into_iter()
                        .map(|(category, cell)| CountView {
                            category,
                            count: cell.shown(),
                        })
                        .collect(),
                    total: table.total.shown(),
                }
            })
            .collect(),
    }))
}

/// The contract, if the caller may see it, and the period asked for, if it is one of the
/// contract's finished reporting periods (`annual`: one of its years).
async fn contract_and_period(
    state: &AppState,
    caller: &ApiCaller,
    id: i64,
    query: &PeriodQuery,
    annual: bool,
) -> Result<(ContractRow, Period), ApiError> {
    let store = state.store.clone();
    let actor = caller.actor.clone();
    let row = blocking(move || store.contract(&actor, id)).await?;
    let period = parse_period(
        &query.from,
        &query.to,
        &periods_of(&row, annual),
        clock::today(),
    )?;
    Ok((row, period))
}

/// The key performance indicators of one period's counts, as the API gives them.
fn kpi_views(row: &ContractRow, facts: &ReportFacts) -> Vec<KpiView> {
    kpi_results(row, facts)
        .iter()
        .map(|k| KpiView {
            kpi: k.kpi.as_str().to_string(),
            actual: k.actual,
            target: k.target,
            state: match k.state {
                KpiState::Met => "met",
                KpiState::Missed => "missed",
                KpiState::NoTarget => "no_target",
                KpiState::NotShown => "not_shown",
            }
            .to_string(),
        })
        .collect()
}

/// A contract's annual report for one of its contract years (each year runs from the
/// day the contract started), as the annual report page tells it. A contract the caller
/// may not see answers 404; a period that is not one of the contract's years answers
/// 422 naming `from` or `to`; figures being counted for the first time that take longer
/// than a few seconds answer 202.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/annual-report", tag = "contracts", params(("id" = i64, Path, description = "The contract"), PeriodQuery),
    responses((status = 200, body = AnnualReportView),
        (status = 202, body = ApiErrors, description = "The year's figures are being counted for the first time and were not ready in time. The count goes on; ask again after the seconds in `Retry-After`.",
            headers(("Retry-After" = u32, description = "Seconds to wait before asking again."))),
        (status = 400, body = ApiErrors, description = "The contract number is not a whole number that fits in 64 bits."),
        (status = 401, body = ApiErrors), (status = 404, body = ApiErrors), (status = 422, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn annual_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<AnnualReportView>, ApiError> {
    let (row, year) = contract_and_period(&state, &caller, id, &query, true).await?;
    let counted = counted_reports(&state, &caller.actor, &row, annual_periods(&row, year)).await?;
    let Some((facts, quarters)) = counted.split_first() else {
        return Err(AppError::NotFound.into());
    };
    Ok(Json(AnnualReportView {
        contract_id: id,
        from: year.from,
        to: year.to,
        figures: annual_figures(&row, facts, quarters)
            .into_iter()
            .map(|(figure, value)| AnnualFigureView {
                figure: figure.key().to_string(),
                value,
            })
            .collect(),
        kpis: if quarters.is_empty() {
            kpi_views(&row, facts)
        } else {
            Vec::new()
        },
    }))
}
