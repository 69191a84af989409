//! Signals about other services, as commissioners see them: a place, a theme, counts
//! and dates, from the advocacy providers of the installation. Nothing in them names a
//! person, a case or anything written about someone.

use crate::app::AppState;
use crate::auth::ApiCaller;
use crate::auth::session::blocking;
use crate::error::{ApiError, ApiErrors};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// A signal to a health or social care provider about recurrent or serious concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignalView {
    pub id: i64,
    /// The advocacy provider that sent the signal.
    pub advocacy_provider: String,
    /// The ward, care home or team the concerns are about.
    pub place: String,
    /// `ward`, `care_home`, `team` or `other`.
    pub place_kind: String,
    /// `restraint`, `access_to_advocacy`, `dignity`, `medication`, `staffing`,
    /// `environment`, `rights` or `other`.
    pub theme: String,
    /// `recurrent` (concerns from several cases) or `serious`.
    pub basis: String,
    /// How many concerns the signal reports.
    pub concern_count: i32,
    pub sent_on: chrono::NaiveDate,
    pub response_due: chrono::NaiveDate,
    pub response_received_on: Option<chrono::NaiveDate>,
    /// When the concerns were reported to the regulator, if they were.
    pub regulator_on: Option<chrono::NaiveDate>,
}

/// Signals sent to providers about concerns seen through advocacy, newest first. For
/// commissioners only; anyone else is answered 404.
#[utoipa::path(get, path = "/api/v1/signals", tag = "signals",
    responses((status = 200, body = [SignalView]), (status = 401, body = ApiErrors), (status = 404, body = ApiErrors)),
    security(("bearer" = []), ("session" = [])))]
pub async fn signals(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<SignalView>>, ApiError> {
    let store = state.store.clone();
    let actor = caller.actor.clone();
    let rows = blocking(move || store.signals_for_commissioner(&actor)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| SignalView {
                id: s.id,
                advocacy_provider: s.advocacy_provider,
                place: s.place,
                place_kind: s.place_kind,
                theme: s.theme,
                basis: s.basis,
                concern_count: s.concern_count,
                sent_on: s.sent_on,
                response_due: s.response_due,
                response_received_on: s.response_received_on,
                regulator_on: s.regulator_on,
            })
            .collect(),
    ))
}
