//! Operational endpoints: liveness, readiness and Prometheus metrics, and the
//! middleware that counts requests. Metric labels are the route pattern, never the
//! path itself, so no identifier or search text ends up in the metrics.

use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::error::AppError;
use advocase_domain::identity::Role;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers and no migration is pending.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    match blocking(move || store.ping().and_then(|()| store.pending_migrations())).await {
        Ok(pending) if pending.is_empty() => "ready".into_response(),
        Ok(_) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Prometheus metrics, for administrators only (or a separate port, see the README).
pub async fn metrics(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    if staff.actor.role != Role::Administrator {
        return Err(AppError::NotFound);
    }
    match &state.metrics {
        Some(handle) => Ok(handle.render().into_response()),
        None => Err(AppError::NotFound),
    }
}

pub async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("advocase_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("advocase_http_request_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
