//! Sign in, two-factor (enrolment and codes), and sign out.

use super::{FormErrors, Layout, render, render_with};
use crate::app::AppState;
use crate::auth::session::{absolute_expiry, blocking, clear_cookie, client_address, set_cookie};
use crate::auth::{PendingStaff, new_token, token_hash, totp};
use crate::error::AppError;
use advocase_domain::identity::{EmailAddress, Role};
use advocase_domain::validation::Invalid;
use advocase_i18n::{Message, msg};
use advocase_storage::accounts::{LockoutPolicy, UserRecord};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The password of every demonstration account, shown on the demo's sign-in page.
pub const DEMO_PASSWORD: &str = "demo-password";

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    notice: Option<String>,
    demo_accounts: Vec<(String, String)>,
    demo_password: &'static str,
    /// Whether mail is set up, so people who use the service may ask for a code.
    emailed_codes: bool,
}

#[derive(Deserialize, Default)]
pub struct SignInNotice {
    #[serde(default)]
    pub signed_out: Option<String>,
}

fn sign_in_page(
    state: &AppState,
    errors: FormErrors,
    email: String,
    notice: Option<String>,
) -> SignInPage {
    let demo_accounts = if state.config.demo {
        state
            .demo_accounts
            .iter()
            .map(|(role, email)| (state.catalogue.text(role.name_key()), email.clone()))
            .collect()
    } else {
        Vec::new()
    };
    SignInPage {
        layout: Layout::public(state, "sign-in-heading"),
        errors,
        email,
        notice,
        demo_accounts,
        demo_password: DEMO_PASSWORD,
        emailed_codes: state.mailer.is_some(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Query(notice): Query<SignInNotice>,
) -> Result<Response, AppError> {
    let notice = notice
        .signed_out
        .map(|_| state.catalogue.text("sign-in-signed-out"));
    render(&sign_in_page(
        &state,
        FormErrors::none(),
        String::new(),
        notice,
    ))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub(super) fn policy(state: &AppState) -> LockoutPolicy {
    LockoutPolicy {
        attempts: state.config.lockout_attempts,
        minutes: state.config.lockout_minutes,
    }
}

/// Checks the password; on success starts a session that still needs two-factor
/// (unless this is a demo account on a demo server) and sends the person on.
pub async fn submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let address = client_address(&parts);
    let mut invalid = Invalid::default();
    let email = invalid.check(EmailAddress::parse("email", &form.email));
    if form.password.is_empty() {
        invalid.push("password", msg::SIGN_IN_PASSWORD_MISSING);
    }
    let Some(email) = email.filter(|_| invalid.is_empty()) else {
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &sign_in_page(&state, invalid.into(), form.email, None),
        );
    };
    let store = state.store.clone();
    let lookup = email.clone();
    let user = blocking(move || store.user_by_email(&lookup)).await?;
    let password_text = form.password.clone();
    let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let right = state.hashing.verify(stored_hash, password_text).await?;
    let now = advocase_storage::now();
    let failed = || {
        render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &sign_in_page(
                &state,
                Invalid::one("email", failed_message(&state)).into(),
                form.email.clone(),
                None,
            ),
        )
    };
    let Some(user) = user
        .clone()
        .filter(|u| right && may_sign_in(&state, u, now))
    else {
        record_refusal(&state, user.as_ref(), address).await?;
        return failed();
    };
    let admission = Admission::for_user(&state, &user);
    let store = state.store.clone();
    let (hash, expires, passed) = (
        admission.token_hash.clone(),
        admission.expires_at,
        admission.two_factor_passed,
    );
    blocking(move || store.start_session(&user, &hash, expires, passed, address)).await?;
    Ok(admission.response(&state))
}

/// How a sign-in goes on once the account has proved who it is, by password or by an
/// emailed code: the new session's token, whether two-factor is still to come, and the
/// page that comes next. Both ways in start their session from one of these, so they
/// cannot drift apart.
pub(super) struct Admission {
    token: String,
    pub(super) token_hash: String,
    pub(super) expires_at: chrono::NaiveDateTime,
    pub(super) two_factor_passed: bool,
    next: &'static str,
}

impl Admission {
    pub(super) fn for_user(state: &AppState, user: &UserRecord) -> Self {
        let token = new_token();
        // Two-factor is required of staff; a person using the service chooses it.
        let is_person = user.role().map(|r| !r.is_staff()).unwrap_or(false);
        let two_factor_passed =
            (state.config.demo && user.is_demo) || (is_person && !user.has_two_factor());
        let next = if two_factor_passed {
            "/"
        } else if user.has_two_factor() {
            "/two-factor"
        } else {
            "/two-factor/setup"
        };
        Self {
            token_hash: token_hash(&token),
            token,
            expires_at: absolute_expiry(state),
            two_factor_passed,
            next,
        }
    }

    /// The answer once the session is stored: its cookie, and on to the next page.
    pub(super) fn response(self, state: &AppState) -> Response {
        with_cookie(set_cookie(state, &self.token), Redirect::to(self.next))
    }
}

/// Whether the account may sign in at all now, whatever it proved: live, unlocked,
/// and not a demo account away from a demo server (their password is published).
pub(super) fn may_sign_in(state: &AppState, user: &UserRecord, now: chrono::NaiveDateTime) -> bool {
    let demo_elsewhere = user.is_demo && !state.config.demo;
    user.disabled_at.is_none() && !user.is_locked(now) && !demo_elsewhere
}

/// Writes a refused sign-in to the trail. A wrong password or code on an account that
/// may sign in counts towards its lock-out; a refusal of an unknown, disabled, locked
/// or demo account is recorded without one. Every refusal writes, so the answer takes
/// as long whether or not the account exists, is locked or is disabled.
pub(super) async fn record_refusal(
    state: &AppState,
    user: Option<&UserRecord>,
    address: Option<String>,
) -> Result<(), AppError> {
    let store = state.store.clone();
    let policy = policy(state);
    let now = advocase_storage::now();
    let counted = user.filter(|u| may_sign_in(state, u, now)).map(|u| u.id);
    blocking(move || match counted {
        Some(id) => store.record_failed_sign_in(id, address, policy).map(|_| ()),
        None => store.record_unknown_sign_in(address),
    })
    .await
}

pub(super) fn with_cookie(cookie: String, response: impl IntoResponse) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(value) = cookie.parse() {
        headers.insert(SET_COOKIE, value);
    }
    (headers, response).into_response()
}

/// Ends the session and removes the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    staff: Option<PendingStaff>,
) -> Result<Response, AppError> {
    if let Some(pending) = staff {
        let actor = pending.user.actor(pending.address.clone()).ok();
        let store = state.store.clone();
        blocking(move || store.end_session(&pending.token_hash, actor.as_ref())).await?;
    }
    Ok(with_cookie(
        clear_cookie(&state),
        Redirect::to("/sign-in?signed_out=1"),
    ))
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    errors: FormErrors,
}

pub async fn two_factor_form(
    State(state): State<AppState>,
    pending: PendingStaff,
) -> Result<Response, AppError> {
    if pending.two_factor_passed {
        return Ok(Redirect::to("/").into_response());
    }
    if !pending.user.has_two_factor() {
        return Ok(Redirect::to("/two-factor/setup").into_response());
    }
    render(&TwoFactorPage {
        layout: Layout::public(&state, "two-factor-heading"),
        errors: FormErrors::none(),
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

pub async fn two_factor_submit(
    State(state): State<AppState>,
    pending: PendingStaff,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some(secret) = pending.user.totp_secret.clone() else {
        return Ok(Redirect::to("/two-factor/setup").into_response());
    };
    if pending.user.is_locked(advocase_storage::now()) {
        let store = state.store.clone();
        blocking(move || store.end_session(&pending.token_hash, None)).await?;
        return Ok(with_cookie(clear_cookie(&state), Redirect::to("/sign-in")));
    }
    let step = totp::matching_step(&secret, &form.code, unix_now());
    let store = state.store.clone();
    let address = pending.address.clone();
    let user = pending.user.clone();
    let accepted = match step {
        Some(step) => {
            let hash = pending.token_hash.clone();
            let address = address.clone();
            blocking(move || store.accept_two_factor_step(&user, step, &hash, address)).await?
        }
        None => false,
    };
    if accepted {
        return Ok(Redirect::to("/").into_response());
    }
    let store = state.store.clone();
    let policy = policy(&state);
    let user = pending.user.clone();
    let locked = blocking(move || store.record_failed_two_factor(&user, address, policy)).await?;
    if locked {
        // A locked account's session ends: the person starts again at sign-in.
        let store = state.store.clone();
        blocking(move || store.end_session(&pending.token_hash, None)).await?;
        return Ok(with_cookie(clear_cookie(&state), Redirect::to("/sign-in")));
    }
    render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &TwoFactorPage {
            layout: Layout::public(&state, "two-factor-heading"),
            errors: Invalid::one("code", msg::TWO_FACTOR_WRONG).into(),
        },
    )
}

#[derive(Template)]
#[template(path = "two_factor_setup.html")]
struct TwoFactorSetupPage {
    layout: Layout,
    errors: FormErrors,
    secret: String,
    secret_grouped: String,
    qr_data_url: String,
}

fn setup_page(
    state: &AppState,
    pending: &PendingStaff,
    secret: String,
    errors: FormErrors,
) -> Result<TwoFactorSetupPage, AppError> {
    use base64::Engine;
    let url = totp::setup_url(&secret, &state.config.totp_issuer, &pending.user.email).ok_or_else(
        || {
            AppError::Internal(anyhow::anyhow!(
                "could not build the two-factor set-up address"
            ))
        },
    )?;
    let svg = totp::setup_qr_svg(&url).unwrap_or_default();
    let qr_data_url = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    );
    let secret_grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(TwoFactorSetupPage {
        layout: Layout::public(state, "two-factor-setup-heading"),
        errors,
        secret,
        secret_grouped,
        qr_data_url,
    })
}

pub async fn two_factor_setup_form(
    State(state): State<AppState>,
    pending: PendingStaff,
) -> Result<Response, AppError> {
    if pending.user.has_two_factor() {
        return Ok(Redirect::to(if pending.two_factor_passed {
            "/"
        } else {
            "/two-factor"
        })
        .into_response());
    }
    render(&setup_page(
        &state,
        &pending,
        totp::new_secret(),
        FormErrors::none(),
    )?)
}

/// Enrols the secret shown on the set-up page once the person proves their app has it.
/// The secret travels in the form: it is the account holder's own, and an account that
/// already has two-factor never reaches this page.
pub async fn two_factor_setup_submit(
    State(state): State<AppState>,
    pending: PendingStaff,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    if pending.user.has_two_factor() {
        return Ok(Redirect::to("/two-factor").into_response());
    }
    let secret = form.secret.trim().to_string();
    let valid_secret = secret.len() >= 26
        && secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
    let secret = if valid_secret {
        secret
    } else {
        totp::new_secret()
    };
    let step = valid_secret
        .then(|| totp::matching_step(&secret, &form.code, unix_now()))
        .flatten();
    let Some(step) = step else {
        let errors = Invalid::one("code", msg::TWO_FACTOR_WRONG).into();
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &setup_page(&state, &pending, secret, errors)?,
        );
    };
    let actor = pending.user.actor(pending.address.clone())?;
    let store = state.store.clone();
    let hash = pending.token_hash.clone();
    match blocking(move || store.enrol_two_factor(&actor, &secret, step, &hash)).await {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        // Another request enrolled first: ask for a code from that enrolment.
        Err(AppError::Conflict) => Ok(Redirect::to("/two-factor").into_response()),
        Err(other) => Err(other),
    }
}

/// The refusal of a sign-in, with the lock-out policy in force.
fn failed_message(state: &AppState) -> Message {
    msg::SIGN_IN_FAILED
        .with("attempts", state.config.lockout_attempts)
        .with("minutes", state.config.lockout_minutes)
}

/// The roles in the order the demo's sign-in page lists them.
pub const DEMO_ROLES: [Role; 5] = [
    Role::Manager,
    Role::IntakeWorker,
    Role::Advocate,
    Role::Administrator,
    Role::Commissioner,
];
