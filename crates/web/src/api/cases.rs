//! Cases in the API: the caller's caseload and one case with its contacts, issues and
//! challenges. Who may see which case is decided in storage, exactly as for the pages:
//! a case that is not the caller's answers 404, like one that does not exist.

use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::auth::session::blocking;
use crate::error::{ApiError, ApiErrors, AppError};
use crate::pages::cases::REGULAR_CONTACT_DAYS;
use advocase_domain::casework::{DueKind, due_items};
use advocase_domain::identity::Role;
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

/// One thing due on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueView {
    /// `imha_introduction`, `regular_contact`, `meeting`, `report` or `response`.
    pub kind: String,
    pub due: chrono::NaiveDate,
    pub overdue: bool,
}

/// A case on a caseload.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// `care_act`, `imha`, `imca` or `nhs_complaints`.
    pub duty: String,
    pub advocate_id: Option<i64>,
    pub due: Vec<DueView>,
}

/// A contact on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub id: i64,
    /// UK local time, as the advocate recorded it, without an offset: a wall-clock time
    /// such as `2026-11-17T11:30:00`, not an RFC 3339 `date-time`.
    #[schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2026-11-17T11:30:00")]
    pub occurred_at: chrono::NaiveDateTime,
    pub mode: String,
    pub duration_minutes: i32,
    pub present: Option<String>,
    pub discussed: String,
    pub agreed: Option<String>,
    pub could_instruct: bool,
    pub approach: Option<String>,
}

/// An issue the person wants to work on, and its outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueView {
    pub id: i64,
    pub in_their_words: String,
    pub process: String,
    pub outcome: Option<String>,
    pub outcome_in_their_words: Option<String>,
}

/// One case in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub duty: String,
    /// `waiting`, `allocated` or `closed`.
    pub status: String,
    pub advocate_id: Option<i64>,
    /// When the case was opened, in UTC (RFC 3339).
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub introduction_due: Option<chrono::NaiveDate>,
    pub closure_reason: Option<String>,
    pub version: i64,
    pub due: Vec<DueView>,
    pub contacts: Vec<ContactView>,
    pub issues: Vec<IssueView>,
}

fn due_view(items: Vec<advocase_domain::casework::DueItem>) -> Vec<DueView> {
    items
        .into_iter()
        .map(|item| DueView {
            kind: match item.kind {
                DueKind::ImhaIntroduction => "imha_introduction",
                DueKind::RegularContact => "regular_contact",
                DueKind::Meeting => "meeting",
                DueKind::Report => "report",
                DueKind::Response => "response",
            }
            .into(),
            due: item.due,
            overdue: item.overdue,
        })
        .collect()
}

/// The caller's open cases: an advocate's own, a manager's whole provider. Other roles
/// hold no caseload.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    responses((status = 200, body = [CaseSummary]), (status = 401, body = ApiErrors), (status = 404, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn caseload(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    if !matches!(caller.actor.role, Role::Advocate | Role::Manager) {
        return Err(ApiError(AppError::NotFound));
    }
    let store = state.store.clone();
    let rows = blocking(move || store.caseload(&caller.actor, None)).await?;
    let today = crate::clock::today();
    Ok(Json(
        rows.into_iter()
            .map(|row| CaseSummary {
                id: row.case.id,
                person_id: row.case.person_id,
                person_name: row.person_name,
                duty: row.case.duty,
                advocate_id: row.case.advocate_id,
                due: due_view(due_items(&row.facts, today, REGULAR_CONTACT_DAYS)),
            })
            .collect(),
    ))
}

/// One case, if the caller may see it; every read is in the audit trail.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = i64, Path, description = "The case's number")),
    responses((status = 200, body = CaseView),
        (status = 400, body = ApiErrors, description = "The case number is not a whole number that fits in 64 bits."),
        (status = 401, body = ApiErrors),
        (status = 403, body = ApiErrors, description = "A manager has not yet given the reason for opening a case that is not allocated to them; the first opening is in the browser."),
        (status = 404, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn case(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<CaseView>, ApiError> {
    let store = state.store.clone();
    let file = blocking(move || store.case_file(&caller.actor, id)).await?;
    let due = if file.case.status == advocase_storage::casework::case_status::ALLOCATED {
        due_items(&file.facts(), crate::clock::today(), REGULAR_CONTACT_DAYS)
    } else {
        Vec::new()
    };
    Ok(Json(CaseView {
        id: file.case.id,
        person_id: file.person.id,
        person_name: format!("{} {}", file.person.given_name, file.person.family_name),
        duty: file.case.duty.clone(),
        status: file.case.status.clone(),
        advocate_id: file.case.advocate_id,
        opened_at: file.case.opened_at.and_utc(),
        introduction_due: file.case.introduction_due,
        closure_reason: file.case.closure_reason.clone(),
        version: file.case.version,
        due: due_view(due),
        contacts: file
            .contacts
            .into_iter()
            .map(|c| ContactView {
                id: c.id,
                occurred_at: c.occurred_at,
                mode: c.mode,
                duration_minutes: c.duration_minutes,
                present: c.present,
                discussed: c.discussed,
                agreed: c.agreed,
                could_instruct: c.could_instruct,
                approach: c.approach,
            })
            .collect(),
        issues: file
            .issues
            .into_iter()
            .map(|i| IssueView {
                id: i.id,
                in_their_words: i.in_their_words,
                process: i.process,
                outcome: i.outcome,
                outcome_in_their_words: i.outcome_in_their_words,
            })
            .collect(),
    }))
}
