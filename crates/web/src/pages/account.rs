//! The signed-in person's own account (password, sign out everywhere), and the
//! one-time links that set up an installation or let new staff choose a password.

use super::{FormErrors, Layout, render, render_with};
use crate::app::AppState;
use crate::auth::session::{absolute_expiry, blocking, clear_cookie, client_address, set_cookie};
use crate::auth::{Staff, new_token, token_hash};
use crate::error::AppError;
use advocase_domain::identity::{EmailAddress, NewPassword};
use advocase_domain::validation::{Invalid, required_text};
use advocase_i18n::{label, msg};
use advocase_storage::accounts::UserRecord;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    errors: FormErrors,
    notice: Option<String>,
    name: String,
    email: String,
    role: String,
    organisation: String,
    two_factor: String,
}

async fn settings_page(
    state: &AppState,
    staff: &Staff,
    errors: FormErrors,
) -> Result<SettingsPage, AppError> {
    let store = state.store.clone();
    let organisation_id = staff.actor.organisation_id;
    let organisation = blocking(move || store.organisation(organisation_id)).await?;
    Ok(SettingsPage {
        layout: Layout::staff(state, staff, "settings-heading", "/settings"),
        errors,
        notice: None,
        name: staff.user.display_name.clone(),
        email: staff.user.email.clone(),
        role: state.catalogue.text(staff.actor.role.name_key()),
        organisation: organisation.name,
        two_factor: state.catalogue.text(if staff.user.has_two_factor() {
            "two-factor-on"
        } else {
            "two-factor-demo"
        }),
    })
}

pub async fn settings(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    render(&settings_page(&state, &staff, FormErrors::none()).await?)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Checks a new password and its confirmation, naming the field that is wrong.
fn parse_new_password(new: &str, confirm: &str, invalid: &mut Invalid) -> Option<NewPassword> {
    let password = invalid.check(NewPassword::parse("new_password", new))?;
    if new != confirm {
        invalid.push("confirm_password", msg::PASSWORDS_DIFFER);
        return None;
    }
    Some(password)
}

async fn hash_password(state: &AppState, password: NewPassword) -> Result<String, AppError> {
    state.hashing.hash(password.expose().to_owned()).await
}

/// Changes the password. Every session ends, this one too, so the person signs in again.
pub async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut invalid = Invalid::default();
    let stored = staff.user.password_hash.clone();
    let current = form.current_password.clone();
    let right = state.hashing.verify(stored, current).await?;
    if !right {
        invalid.push("current_password", msg::CURRENT_PASSWORD_WRONG);
    }
    let new = parse_new_password(&form.new_password, &form.confirm_password, &mut invalid);
    let Some(new) = new.filter(|_| invalid.is_empty()) else {
        let page = settings_page(&state, &staff, invalid.into()).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let hash = hash_password(&state, new).await?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.set_password(Some(&actor), actor.user_id, &hash)).await?;
    Ok((
        [(SET_COOKIE, clear_cookie(&state))],
        Redirect::to("/sign-in?signed_out=1"),
    )
        .into_response())
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Response, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.end_all_sessions(&actor)).await?;
    Ok((
        [(SET_COOKIE, clear_cookie(&state))],
        Redirect::to("/sign-in?signed_out=1"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "account/setup.html")]
struct SetupPage {
    layout: Layout,
    errors: FormErrors,
    heading: String,
    intro: String,
    action: String,
    first_administrator: bool,
    form_organisation: String,
    form_name: String,
    form_email: String,
}

#[derive(Deserialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn setup_page(
    state: &AppState,
    first_administrator: bool,
    token: &str,
    form: &SetupForm,
    errors: FormErrors,
) -> SetupPage {
    let (heading, intro, action) = if first_administrator {
        ("setup-heading", "setup-intro", format!("/setup/{token}"))
    } else {
        (
            "set-password-heading",
            "set-password-intro",
            format!("/set-password/{token}"),
        )
    };
    SetupPage {
        layout: Layout::public(state, heading),
        errors,
        heading: state.catalogue.text(heading),
        intro: state.catalogue.text(intro),
        action,
        first_administrator,
        form_organisation: form.organisation.clone(),
        form_name: form.display_name.clone(),
        form_email: form.email.clone(),
    }
}

/// The page for a one-time link that is unknown, used or past its time. It says what
/// happens to links in general; nothing in it tells whether this one ever existed.
fn link_expired(state: &AppState) -> Result<Response, AppError> {
    let page = super::ErrorTemplate {
        layout: Layout::public(state, "link-expired-heading"),
        errors: FormErrors::none(),
        heading: state.catalogue.text("link-expired-heading"),
        message: state.catalogue.text("link-expired-message"),
        again: None,
    };
    render_with(StatusCode::NOT_FOUND, &page)
}

async fn link_is_valid(
    state: &AppState,
    purpose: &'static str,
    token: &str,
) -> Result<bool, AppError> {
    let store = state.store.clone();
    let hash = token_hash(token);
    blocking(move || store.one_time_link_is_valid(purpose, &hash)).await
}

use advocase_storage::accounts::link_purpose;

pub async fn setup_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !link_is_valid(&state, link_purpose::FIRST_ADMINISTRATOR, &token).await? {
        return link_expired(&state);
    }
    render(&setup_page(
        &state,
        true,
        &token,
        &SetupForm::default(),
        FormErrors::none(),
    ))
}

pub async fn password_link_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !link_is_valid(&state, link_purpose::SET_PASSWORD, &token).await? {
        return link_expired(&state);
    }
    render(&setup_page(
        &state,
        false,
        &token,
        &SetupForm::default(),
        FormErrors::none(),
    ))
}

/// Starts a session that still needs two-factor set up, right after a password is set
/// through a link, so the person goes straight on to enrol.
async fn continue_to_two_factor(
    state: &AppState,
    user: UserRecord,
    parts: &Parts,
) -> Result<Response, AppError> {
    let token = new_token();
    let hash = token_hash(&token);
    let store = state.store.clone();
    let expires = absolute_expiry(state);
    let address = client_address(parts);
    // Staff must set up two-factor now; a person using the service goes straight to
    // their records and may add it later.
    let is_person = user.role().map(|r| !r.is_staff()).unwrap_or(false);
    let next = if is_person {
        "/my-records"
    } else {
        "/two-factor/setup"
    };
    blocking(move || store.start_session(&user, &hash, expires, is_person, address)).await?;
    Ok((
        [(SET_COOKIE, set_cookie(state, &token))],
        Redirect::to(next),
    )
        .into_response())
}

pub async fn setup_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    let mut invalid = Invalid::default();
    let organisation = invalid.check(required_text(
        "organisation",
        label::NAME_OF_YOUR_ORGANISATION,
        &form.organisation,
        200,
    ));
    let name = invalid.check(required_text(
        "display_name",
        label::YOUR_NAME,
        &form.display_name,
        200,
    ));
    let email = invalid.check(EmailAddress::parse("email", &form.email));
    let password = parse_new_password(&form.new_password, &form.confirm_password, &mut invalid);
    let (Some(organisation), Some(name), Some(email), Some(password)) =
        (organisation, name, email, password)
    else {
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &setup_page(&state, true, &token, &form, invalid.into()),
        );
    };
    let hash = hash_password(&state, password).await?;
    let store = state.store.clone();
    let link = token_hash(&token);
    let created =
        blocking(move || store.set_up_installation(&link, &organisation, &name, &email, &hash))
            .await;
    match created {
        Ok(user) => continue_to_two_factor(&state, user, &parts).await,
        Err(AppError::NotFound) => link_expired(&state),
        Err(other) => Err(other),
    }
}

pub async fn password_link_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    let mut invalid = Invalid::default();
    let password = parse_new_password(&form.new_password, &form.confirm_password, &mut invalid);
    let Some(password) = password else {
        return render_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &setup_page(&state, false, &token, &form, invalid.into()),
        );
    };
    let hash = hash_password(&state, password).await?;
    let store = state.store.clone();
    let link = token_hash(&token);
    match blocking(move || store.use_password_link(&link, &hash)).await {
        Ok(user) => continue_to_two_factor(&state, user, &parts).await,
        Err(AppError::NotFound) => link_expired(&state),
        Err(other) => Err(other),
    }
}
