//! Sessions: a random token in a `__Host-` cookie (HttpOnly, Secure, SameSite=Strict),
//! its SHA-256 in the database, an idle time-out and an absolute time-out.

use super::token_hash;
use crate::app::AppState;
use crate::error::{ApiError, AppError};
use advocase_domain::identity::Actor;
use advocase_storage::accounts::UserRecord;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use chrono::Duration;

/// The session cookie's name. The `__Host-` prefix makes browsers refuse the cookie
/// unless it is Secure, has `Path=/` and no `Domain`, so no subdomain can plant one.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-advocase-session"
    } else {
        "advocase-session"
    }
}

/// The `Set-Cookie` value that starts a session.
pub fn set_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
        cookie_name(state)
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(state)
    )
}

fn session_token(parts: &Parts, state: &AppState) -> Option<String> {
    let name = cookie_name(state);
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The address of the client, for the audit trail.
pub fn client_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<crate::client_address::ClientAddress>()
        .map(|address| address.0.to_string())
}

/// A signed-in account whose password was right, whether or not it has passed
/// two-factor yet. Only the two-factor pages take this.
pub struct PendingStaff {
    pub user: UserRecord,
    pub token_hash: String,
    pub two_factor_passed: bool,
    pub address: Option<String>,
}

/// A member of staff who is fully signed in. See the invariant in [`crate::auth`].
pub struct Staff {
    pub actor: Actor,
    pub user: UserRecord,
    pub token_hash: String,
}

/// Finds the live session of the request, enforcing both time-outs and a disabled
/// account. An expired session is removed.
async fn pending(parts: &Parts, state: &AppState) -> Result<Option<PendingStaff>, AppError> {
    let Some(token) = session_token(parts, state) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let store = state.store.clone();
    let lookup = hash.clone();
    let Some((session, user)) = blocking(move || store.session(&lookup)).await? else {
        return Ok(None);
    };
    let now = advocase_storage::now();
    let idle_limit = Duration::minutes(state.config.session_idle_minutes);
    let expired = session.expires_at <= now || session.last_seen_at + idle_limit <= now;
    if expired || user.disabled_at.is_some() {
        let store = state.store.clone();
        blocking(move || store.end_session(&hash, None)).await?;
        return Ok(None);
    }
    // Moving the idle clock is a write; once a minute is precise enough.
    if now - session.last_seen_at > Duration::seconds(60) {
        let store = state.store.clone();
        let touch = hash.clone();
        // Bookkeeping: if it fails (a busy database), the request still goes on.
        if let Err(error) = blocking(move || store.touch_session(&touch, now)).await {
            tracing::warn!(%error, "could not move a session's idle clock on");
        }
    }
    Ok(Some(PendingStaff {
        user,
        token_hash: hash,
        two_factor_passed: session.two_factor_passed,
        address: client_address(parts),
    }))
}

impl FromRequestParts<AppState> for PendingStaff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        pending(parts, state).await?.ok_or(AppError::SignInRequired)
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for PendingStaff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        pending(parts, state).await
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let pending = pending(parts, state)
            .await?
            .ok_or(AppError::SignInRequired)?;
        if !pending.two_factor_passed {
            return Err(AppError::SignInRequired);
        }
        let actor = pending.user.actor(pending.address)?;
        // A person who uses the service is signed in, but no staff page is theirs: it
        // answers as a page that does not exist.
        if !actor.role.is_staff() {
            return Err(AppError::NotFound);
        }
        Ok(Staff {
            actor,
            user: pending.user,
            token_hash: pending.token_hash,
        })
    }
}

/// A person who uses the service, signed in to their own records. Two-factor is their
/// choice: once they have set it up, it is asked at every sign-in.
pub struct PersonUser {
    pub actor: Actor,
    pub user: UserRecord,
}

async fn person_user(parts: &Parts, state: &AppState) -> Result<Option<PersonUser>, AppError> {
    let Some(pending) = pending(parts, state).await? else {
        return Ok(None);
    };
    if !pending.two_factor_passed {
        return Ok(None);
    }
    let actor = pending.user.actor(pending.address)?;
    if actor.role.is_staff() {
        return Ok(None);
    }
    Ok(Some(PersonUser {
        actor,
        user: pending.user,
    }))
}

impl FromRequestParts<AppState> for PersonUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match person_user(parts, state).await? {
            Some(person) => Ok(person),
            // Staff signed in see the same "not found" as anyone for a page not theirs.
            None if pending(parts, state).await?.is_some() => Err(AppError::NotFound),
            None => Err(AppError::SignInRequired),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for PersonUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        person_user(parts, state).await
    }
}

/// The caller of an API endpoint: a fully signed-in session or a personal API token
/// (`Authorization: Bearer …`).
pub struct ApiCaller {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        if let Some(token) = bearer {
            let store = state.store.clone();
            let hash = token_hash(&token);
            let user = blocking(move || store.user_by_api_token(&hash)).await?;
            let user = user.ok_or(AppError::SignInRequired)?;
            return Ok(ApiCaller {
                actor: user.actor(client_address(parts))?,
            });
        }
        match Staff::from_request_parts(parts, state).await {
            Ok(staff) => Ok(ApiCaller { actor: staff.actor }),
            Err(error) => Err(ApiError(error)),
        }
    }
}

/// Runs blocking store work on the blocking pool, so that a slow query never stalls the
/// threads that serve other requests.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, advocase_storage::StoreError> + Send + 'static,
) -> Result<T, AppError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(AppError::from),
        Err(join) => Err(AppError::Internal(anyhow::anyhow!(
            "a blocking task failed: {join}"
        ))),
    }
}

/// How long a new session may last at most.
pub fn absolute_expiry(state: &AppState) -> chrono::NaiveDateTime {
    advocase_storage::now() + Duration::hours(state.config.session_absolute_hours)
}
