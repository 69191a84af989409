//! The JSON API under `/api/v1`. Every endpoint takes a signed-in session or a personal
//! API token, answers errors in one envelope, and is described in the OpenAPI document
//! at `/api/v1/openapi.json`, generated from this code.

mod cases;
mod contracts;
mod signals;

use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::auth::session::blocking;
use crate::error::{ApiError, ApiErrors, AppError};
use crate::pages::audit::AuditSearch;
use advocase_domain::eligibility::{assess, parse_request};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/users/{id}", get(user))
        .route("/audit", get(audit))
        .route("/eligibility", post(eligibility))
        .route("/cases", get(cases::caseload))
        .route("/cases/{id}", get(cases::case))
        .route("/signals", get(signals::signals))
        .route("/contracts", get(contracts::contracts))
        .route("/contracts/{id}/report", get(contracts::report))
        .route(
            "/contracts/{id}/annual-report",
            get(contracts::annual_report),
        )
        .route("/openapi.json", get(openapi_json))
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// One of `administrator`, `manager`, `intake_worker`, `advocate`, `commissioner`.
    pub role: String,
    pub organisation_id: i64,
}

impl From<advocase_storage::accounts::UserRecord> for Me {
    fn from(user: advocase_storage::accounts::UserRecord) -> Self {
        Me {
            id: user.id,
            name: user.display_name,
            email: user.email,
            role: user.role,
            organisation_id: user.organisation_id,
        }
    }
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn me(State(state): State<AppState>, caller: ApiCaller) -> Result<Json<Me>, ApiError> {
    let store = state.store.clone();
    let actor = caller.actor.clone();
    let user = blocking(move || store.find_user(&actor, actor.user_id)).await?;
    Ok(Json(Me::from(user)))
}

/// A staff account, as its holder or an administrator of the same organisation sees
/// it. Any other account answers 404, exactly as one that does not exist.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The account's number")),
    responses((status = 200, body = Me),
        (status = 400, body = ApiErrors, description = "The account number is not a whole number that fits in 64 bits."),
        (status = 401, body = ApiErrors), (status = 404, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Me>, ApiError> {
    let store = state.store.clone();
    let user = blocking(move || store.find_user(&caller.actor, id)).await?;
    Ok(Json(Me::from(user)))
}

/// One entry of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub sequence: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub address: Option<String>,
    pub reason: Option<String>,
}

/// Searches the audit trail of the caller's organisation, newest first, 50 at a time.
/// Managers and administrators only; the search is itself audited.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditSearch),
    responses((status = 200, body = [AuditEntryView]), (status = 401, body = ApiErrors),
        (status = 404, body = ApiErrors), (status = 422, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(search): Query<AuditSearch>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    if !caller.actor.may_search_audit() {
        return Err(ApiError(AppError::NotFound));
    }
    let query = search.parse()?;
    let store = state.store.clone();
    let entries = blocking(move || store.search_audit(&caller.actor, &query)).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntryView {
                sequence: e.sequence,
                at: e.at,
                actor_user_id: e.actor_user_id,
                action: e.action,
                record_type: e.record_type,
                record_id: e.record_id,
                address: e.address,
                reason: e.reason,
            })
            .collect(),
    ))
}

/// Checks which statutory advocacy duties apply, from what is known about a person. The
/// request and response are fixed by the eligibility contract; nothing is stored.
#[utoipa::path(post, path = "/api/v1/eligibility", tag = "eligibility",
    request_body(content = Object, content_type = "application/json",
        description = "The answers known so far; every section and field is optional (see the eligibility contract)."),
    responses((status = 200, body = Object, description = "One assessment per duty: care_act, imha, imca, nhs_complaints."),
        (status = 401, body = ApiErrors), (status = 404, body = ApiErrors),
        (status = 415, body = ApiErrors), (status = 422, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn eligibility(
    caller: ApiCaller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !caller.actor.may_check_eligibility() {
        return Err(ApiError(AppError::NotFound));
    }
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        let problem = ApiErrors {
            errors: vec![crate::error::ApiProblem {
                field: None,
                detail: crate::error::api_detail(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE),
            }],
        };
        return Ok((
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(problem),
        )
            .into_response());
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError(AppError::Invalid(Invalid::one("", msg::API_BODY_NOT_UTF8))))?;
    let request = parse_request(text).map_err(|e| ApiError(AppError::Invalid(Invalid::from(e))))?;
    Ok(Json(assess(&request)).into_response())
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token issued by an administrator."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("__Host-advocase-session"))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Advocase API", description = "Case management for independent advocacy.", license(name = "AGPL-3.0-or-later")),
    paths(me, user, audit, eligibility, cases::caseload, cases::case, signals::signals, contracts::contracts, contracts::report, contracts::annual_report),
    components(schemas(Me, AuditEntryView, ApiErrors, crate::error::ApiProblem,
        cases::CaseSummary, cases::CaseView, cases::ContactView, cases::IssueView, cases::DueView, signals::SignalView,
        contracts::ContractView, contracts::ReportView, contracts::TableView, contracts::CountView, contracts::KpiView, contracts::AnnualReportView, contracts::AnnualFigureView)),
    modifiers(&SecuritySchemes),
)]
pub struct ApiDoc;

/// The OpenAPI document, as served and as checked into `docs/openapi.json`.
pub fn openapi_document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// The OpenAPI document is public: it describes the API, not anyone's data.
pub async fn openapi_json() -> Response {
    ([(CONTENT_TYPE, "application/json")], openapi_document()).into_response()
}
