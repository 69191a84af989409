//! Signing in with an emailed code, for people who use the service: instead of their
//! password they ask for a code, which goes to the address of their account, and enter
//! it. A right code signs them in exactly as a right password does (two-factor still
//! follows if they chose it); a wrong one counts towards the lock-out like a wrong
//! password.
//!
//! Only the account of a person who uses the service is ever sent a code: staff sign in
//! with a password and two-factor. Whatever address is typed, the answer is the same
//! page, so that no one can find out who has an account by asking. When mail is not
//! set up (`smtp_url` empty), these pages do not exist.

use super::sign_in::{Admission, may_sign_in, record_refusal};
use super::{FormErrors, Layout, render, render_with};
use crate::app::AppState;
use crate::auth::session::{blocking, client_address};
use crate::auth::{new_sign_in_code, sign_in_code_hash};
use crate::error::AppError;
use crate::mail::Mailer;
use advocase_domain::identity::{EmailAddress, Role, SignInCode};
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use advocase_storage::accounts::{CodeNotSent, UserRecord};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// How long an emailed code works.
pub const CODE_MINUTES: i64 = 10;

/// A second request within this many seconds sends nothing more: the first email is on
/// its way, and a stream of codes would only fill the person's inbox.
const RESEND_AFTER_SECONDS: i64 = 60;

/// The value of `view` that asks for the easy-read version of these pages.
const EASY_READ: &str = "easy-read";

#[derive(Template)]
#[template(path = "sign_in_code/ask.html")]
struct AskPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    easy: bool,
}

#[derive(Template)]
#[template(path = "sign_in_code/enter.html")]
struct EnterPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    /// True right after a request for a code: the page says one may be on its way.
    sent: bool,
    minutes: i64,
    easy: bool,
}

#[derive(Template)]
#[template(path = "sign_in_code/not_sent.html")]
struct NotSentPage {
    layout: Layout,
    errors: FormErrors,
    easy: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ViewQuery {
    view: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AskForm {
    email: String,
    view: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnterForm {
    email: String,
    code: String,
    view: String,
}

/// The mailer, or "not found" when mail is not set up: then these pages do not exist.
fn mailer(state: &AppState) -> Result<Arc<Mailer>, AppError> {
    state.mailer.clone().ok_or(AppError::NotFound)
}

fn ask_page(state: &AppState, errors: FormErrors, email: String, easy: bool) -> AskPage {
    let title = if easy {
        "code-easy-ask-heading"
    } else {
        "code-ask-heading"
    };
    AskPage {
        layout: Layout::public(state, title),
        errors,
        email,
        easy,
    }
}

fn enter_page(
    state: &AppState,
    errors: FormErrors,
    email: String,
    sent: bool,
    easy: bool,
) -> EnterPage {
    let title = if easy {
        "code-easy-enter-heading"
    } else {
        "code-enter-heading"
    };
    EnterPage {
        layout: Layout::public(state, title),
        errors,
        email,
        sent,
        minutes: CODE_MINUTES,
        easy,
    }
}

/// "We could not send the code": the mail relay is down or refused the message. The
/// person is told plainly to try again later or to use their password.
fn not_sent(state: &AppState, easy: bool) -> Result<Response, AppError> {
    let title = if easy {
        "code-easy-not-sent-heading"
    } else {
        "code-not-sent-heading"
    };
    render_with(
        StatusCode::SERVICE_UNAVAILABLE,
        &NotSentPage {
            layout: Layout::public(state, title),
            errors: FormErrors::none(),
            easy,
        },
    )
}

/// `GET /sign-in/code`: the form that asks for the email address.
pub async fn ask_form(
    State(state): State<AppState>,
    Query(query): Query<ViewQuery>,
) -> Result<Response, AppError> {
    mailer(&state)?;
    render(&ask_page(
        &state,
        FormErrors::none(),
        String::new(),
        query.view == EASY_READ,
    ))
}

/// The account at an address that may be sent a code: a live, unlocked account of a
/// person who uses the service.
fn may_get_a_code(state: &AppState, user: &UserRecord, now: chrono::NaiveDateTime) -> bool {
    user.role().is_ok_and(|role| role == Role::Person) && may_sign_in(state, user, now)
}

/// `POST /sign-in/code`: sends a code if the address belongs to a person's account,
/// and in every case answers with the same page and the form for the code.
pub async fn ask_submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<AskForm>,
) -> Result<Response, AppError> {
    let mailer = mailer(&state)?;
    let easy = form.view == EASY_READ;
    let email = match EmailAddress::parse("email", &form.email) {
        Ok(email) => email,
        Err(error) => {
            return render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ask_page(&state, Invalid::from(error).into(), form.email, easy),
            );
        }
    };
    let address = client_address(&parts);
    let store = state.store.clone();
    let lookup = email.clone();
    let user = blocking(move || store.user_by_email(&lookup)).await?;
    let now = advocase_storage::now();
    let sent = enter_page(&state, FormErrors::none(), form.email.clone(), true, easy);
    let Some(user) = user.clone().filter(|u| may_get_a_code(&state, u, now)) else {
        // No code is sent, but the relay is still asked whether it answers: the wait is
        // of the same kind as sending, and when the relay is down this address gets the
        // same "could not send" as one with an account.
        let reachable = mailer.relay_answers().await;
        let store = state.store.clone();
        blocking(move || {
            store.record_sign_in_code_not_sent(user.as_ref(), CodeNotSent::NoPersonAccount, address)
        })
        .await?;
        return if reachable {
            render(&sent)
        } else {
            not_sent(&state, easy)
        };
    };
    let store = state.store.clone();
    let since = now - chrono::Duration::seconds(RESEND_AFTER_SECONDS);
    let id = user.id;
    if blocking(move || store.sign_in_code_sent_since(id, since)).await? {
        let store = state.store.clone();
        blocking(move || {
            store.record_sign_in_code_not_sent(Some(&user), CodeNotSent::SentMomentsAgo, address)
        })
        .await?;
        return render(&sent);
    }
    let code = new_sign_in_code();
    let minutes = CODE_MINUTES.to_string();
    let subject = state.catalogue.text("code-email-subject");
    let body = state.catalogue.text_with_args(
        "code-email-body",
        &[("code", code.as_str()), ("minutes", minutes.as_str())],
    );
    // The email goes first and the code is kept only once it has gone, so a failure to
    // send leaves nothing behind, and the person's earlier code (if any) still works.
    if let Err(failure) = mailer.send(&email, subject, body).await {
        failure.log("a sign-in code could not be sent");
        let store = state.store.clone();
        blocking(move || {
            store.record_sign_in_code_not_sent(Some(&user), CodeNotSent::MailFailed, address)
        })
        .await?;
        return not_sent(&state, easy);
    }
    let hash = sign_in_code_hash(state.store.keys()?, user.id, &code);
    let expires = now + chrono::Duration::minutes(CODE_MINUTES);
    let store = state.store.clone();
    match blocking(move || store.store_sign_in_code(&user, &hash, expires, address)).await {
        // Locked or disabled in the moment since it was read: the code sent will not
        // work, which is what such an account should get.
        Ok(()) | Err(AppError::NotFound) => render(&sent),
        Err(other) => Err(other),
    }
}

/// `GET /sign-in/code/enter`: the form for the code, for someone who comes back to it.
pub async fn enter_form(
    State(state): State<AppState>,
    Query(query): Query<ViewQuery>,
) -> Result<Response, AppError> {
    mailer(&state)?;
    render(&enter_page(
        &state,
        FormErrors::none(),
        String::new(),
        false,
        query.view == EASY_READ,
    ))
}

/// `POST /sign-in/code/enter`: checks the code and signs the person in.
pub async fn enter_submit(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<EnterForm>,
) -> Result<Response, AppError> {
    mailer(&state)?;
    let easy = form.view == EASY_READ;
    let mut invalid = Invalid::default();
    let email = invalid.check(EmailAddress::parse("email", &form.email));
    let code = invalid.check(SignInCode::parse("code", &form.code));
    let (Some(email), Some(code)) = (email, code) else {
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &enter_page(&state, invalid.into(), form.email, false, easy),
        );
    };
    let address = client_address(&parts);
    let store = state.store.clone();
    let user = blocking(move || store.user_by_email(&email)).await?;
    let now = advocase_storage::now();
    if let Some(user) = user.clone().filter(|u| may_get_a_code(&state, u, now)) {
        let admission = Admission::for_user(&state, &user);
        let store = state.store.clone();
        let code_hash = sign_in_code_hash(state.store.keys()?, user.id, code.expose());
        let (token_hash, expires, passed) = (
            admission.token_hash.clone(),
            admission.expires_at,
            admission.two_factor_passed,
        );
        let address = address.clone();
        let accepted = blocking(move || {
            store.sign_in_with_code(&user, &code_hash, &token_hash, expires, passed, address)
        })
        .await?;
        if accepted {
            return Ok(admission.response(&state));
        }
    }
    // A wrong, used or expired code, or an address that was never sent one: the same
    // answer, counted towards the lock-out exactly as a wrong password would be.
    record_refusal(&state, user.as_ref(), address).await?;
    let wrong = msg::SIGN_IN_CODE_WRONG
        .with("minutes", CODE_MINUTES)
        .with("attempts", state.config.lockout_attempts)
        .with("lockout", state.config.lockout_minutes);
    render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &enter_page(
            &state,
            Invalid::one("code", wrong).into(),
            form.email,
            false,
            easy,
        ),
    )
}
