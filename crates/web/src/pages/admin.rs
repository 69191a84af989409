//! Administration: staff accounts, API tokens and the bank-holiday calendars. Only
//! administrators reach these pages; anyone else gets "not found".

use super::{FormErrors, Layout, render, render_with, when};
use crate::app::AppState;
use crate::auth::session::blocking;
use crate::auth::{Staff, new_token, token_hash};
use crate::error::AppError;
use advocase_domain::clocks::{
    ClockError, DateProblem, Nation, WorkingDayCalendar, parse_iso_date,
};
use advocase_domain::identity::{EmailAddress, Role, token_name};
use advocase_domain::validation::{Invalid, required_text};
use advocase_i18n::{label, msg};
use advocase_storage::accounts::NewUser;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// How long a set-password link for new staff works.
const INVITATION_DAYS: i64 = 7;

fn administrator(staff: &Staff) -> Result<(), AppError> {
    if staff.actor.may_manage_users() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub disabled: bool,
    pub is_self: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    errors: FormErrors,
    new_link: Option<String>,
    notice: Option<String>,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    form_name: String,
    form_email: String,
    form_role: String,
}

#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// The roles an administrator may give in their own organisation.
fn roles_for(state: &AppState, staff: &Staff) -> Vec<Role> {
    let kind = staff.actor.role.organisation_kind();
    let _ = state;
    Role::ALL
        .into_iter()
        .filter(|r| r.organisation_kind() == kind && r.is_staff())
        .collect()
}

async fn users_page(
    state: &AppState,
    staff: &Staff,
    form: &NewUserForm,
    errors: FormErrors,
    new_link: Option<String>,
    notice: Option<String>,
) -> Result<UsersPage, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let list = blocking(move || store.list_users(&actor)).await?;
    let t = |key: &str| state.catalogue.text(key);
    let users = list
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            is_self: u.id == staff.actor.user_id,
            status: t(if u.disabled_at.is_some() {
                "status-disabled"
            } else if u.password_hash.is_none() {
                "status-invited"
            } else {
                "status-active"
            }),
            disabled: u.disabled_at.is_some(),
            role: u.role().map(|r| t(r.name_key())).unwrap_or_default(),
            name: u.display_name,
            email: u.email,
        })
        .collect();
    let mut roles = vec![(String::new(), t("role-invalid"))];
    roles.extend(
        roles_for(state, staff)
            .into_iter()
            .map(|r| (r.as_str().to_string(), t(r.name_key()))),
    );
    Ok(UsersPage {
        layout: Layout::staff(state, staff, "users-heading", "/admin/users"),
        errors,
        new_link,
        notice,
        users,
        roles,
        form_name: form.display_name.clone(),
        form_email: form.email.clone(),
        form_role: form.role.clone(),
    })
}

pub async fn users(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    administrator(&staff)?;
    render(
        &users_page(
            &state,
            &staff,
            &NewUserForm::default(),
            FormErrors::none(),
            None,
            None,
        )
        .await?,
    )
}

/// Adds an account without a password and shows a one-time link with which the new
/// member of staff chooses one. Advocase sends no email: the administrator passes the
/// link on by a route they trust.
pub async fn add_user(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    administrator(&staff)?;
    let mut invalid = Invalid::default();
    let name = invalid.check(required_text(
        "display_name",
        label::A_NAME,
        &form.display_name,
        200,
    ));
    let email = invalid.check(EmailAddress::parse("email", &form.email));
    let role = Role::parse(&form.role).filter(|r| roles_for(&state, &staff).contains(r));
    if role.is_none() {
        invalid.push("role", msg::ROLE_INVALID);
    }
    let (Some(name), Some(email), Some(role)) = (name, email, role) else {
        let page = users_page(&state, &staff, &form, invalid.into(), None, None).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let token = new_token();
    let hash = token_hash(&token);
    let created = blocking(move || {
        let expires = advocase_storage::now() + chrono::Duration::days(INVITATION_DAYS);
        let user = NewUser {
            organisation_id: actor.organisation_id,
            email,
            display_name: name,
            role,
            password_hash: None,
            is_demo: false,
        };
        store.invite_user(&actor, user, &hash, expires).map(|_| ())
    })
    .await;
    match created {
        Ok(()) => {
            let link = format!("/set-password/{token}");
            render(
                &users_page(
                    &state,
                    &staff,
                    &NewUserForm::default(),
                    FormErrors::none(),
                    Some(link),
                    None,
                )
                .await?,
            )
        }
        Err(AppError::Invalid(invalid)) => {
            let page = users_page(&state, &staff, &form, invalid.into(), None, None).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    administrator(&staff)?;
    if id == staff.actor.user_id {
        return Err(AppError::NotFound);
    }
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.disable_user(Some(&actor), id)).await?;
    let notice = Some(state.catalogue.text("user-disabled"));
    render(
        &users_page(
            &state,
            &staff,
            &NewUserForm::default(),
            FormErrors::none(),
            None,
            notice,
        )
        .await?,
    )
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub account: String,
    pub issued: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    layout: Layout,
    errors: FormErrors,
    new_token: Option<String>,
    tokens: Vec<TokenRow>,
    accounts: Vec<(String, String)>,
    form_name: String,
    form_user: String,
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    user_id: String,
}

async fn tokens_page(
    state: &AppState,
    staff: &Staff,
    form: &TokenForm,
    errors: FormErrors,
    new_token: Option<String>,
) -> Result<TokensPage, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    let (tokens, users) =
        blocking(move || Ok((store.list_api_tokens(&actor)?, store.list_users(&actor)?))).await?;
    let never = state.catalogue.text("never");
    let mut accounts = vec![(String::new(), state.catalogue.text("account-invalid"))];
    accounts.extend(
        users
            .into_iter()
            .filter(|u| u.disabled_at.is_none())
            .map(|u| {
                (
                    u.id.to_string(),
                    format!("{} ({})", u.display_name, u.email),
                )
            }),
    );
    Ok(TokensPage {
        layout: Layout::staff(state, staff, "tokens-heading", "/admin/tokens"),
        errors,
        new_token,
        tokens: tokens
            .into_iter()
            .map(|(t, account)| TokenRow {
                id: t.id,
                name: t.name,
                account,
                issued: when(crate::clock::local(t.created_at)),
                last_used: t.last_used_at.map(when).unwrap_or_else(|| never.clone()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        accounts,
        form_name: form.name.clone(),
        form_user: form.user_id.clone(),
    })
}

pub async fn tokens(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    administrator(&staff)?;
    render(
        &tokens_page(
            &state,
            &staff,
            &TokenForm::default(),
            FormErrors::none(),
            None,
        )
        .await?,
    )
}

pub async fn issue_token(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    administrator(&staff)?;
    let mut invalid = Invalid::default();
    let name = invalid.check(token_name("name", &form.name));
    let user_id = form.user_id.trim().parse::<i64>().ok();
    if user_id.is_none() {
        invalid.push("user_id", msg::ACCOUNT_INVALID);
    }
    let (Some(name), Some(user_id)) = (name, user_id) else {
        let page = tokens_page(&state, &staff, &form, invalid.into(), None).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let token = new_token();
    let hash = token_hash(&token);
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.issue_api_token(Some(&actor), user_id, &name, &hash)).await {
        Ok(_) => render(
            &tokens_page(
                &state,
                &staff,
                &TokenForm::default(),
                FormErrors::none(),
                Some(token),
            )
            .await?,
        ),
        Err(AppError::NotFound) => {
            let invalid = Invalid::one("user_id", msg::ACCOUNT_INVALID);
            let page = tokens_page(&state, &staff, &form, invalid.into(), None).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    administrator(&staff)?;
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.revoke_api_token(&actor, id)).await?;
    render(
        &tokens_page(
            &state,
            &staff,
            &TokenForm::default(),
            FormErrors::none(),
            None,
        )
        .await?,
    )
}

pub struct NationSection {
    pub name: String,
    pub summary: String,
    pub added: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin/calendars.html")]
struct CalendarsPage {
    layout: Layout,
    errors: FormErrors,
    nations: Vec<NationSection>,
    nation_options: Vec<(String, String)>,
    form_nation: String,
    form_day: String,
    form_name: String,
}

#[derive(Deserialize, Default)]
pub struct CalendarForm {
    #[serde(default)]
    nation: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
}

fn nation_name(state: &AppState, nation: Nation) -> String {
    match nation {
        Nation::EnglandAndWales => state.catalogue.text("nation-england-and-wales"),
        Nation::Scotland => state.catalogue.text("nation-scotland"),
        Nation::NorthernIreland => state.catalogue.text("nation-northern-ireland"),
    }
}

async fn calendars_page(
    state: &AppState,
    staff: &Staff,
    form: &CalendarForm,
    errors: FormErrors,
) -> Result<CalendarsPage, AppError> {
    let store = state.store.clone();
    let added = blocking(move || {
        Nation::ALL
            .into_iter()
            .map(|n| store.added_calendar_days(n))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let nations = Nation::ALL
        .into_iter()
        .zip(added)
        .map(|(nation, added)| {
            let shipped = WorkingDayCalendar::shipped(nation);
            let count = shipped.holidays().count();
            let last = shipped.holidays().map(|(d, _)| d).max();
            let name = nation_name(state, nation);
            let last = last
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_default();
            NationSection {
                summary: state.catalogue.text_with_args(
                    "calendars-shipped",
                    &[
                        ("count", &count.to_string()),
                        ("nation", &name),
                        ("last", &last),
                    ],
                ),
                name,
                added: added
                    .into_iter()
                    .map(|d| (d.day.format("%-d %B %Y").to_string(), d.name))
                    .collect(),
            }
        })
        .collect();
    let mut nation_options = vec![(String::new(), state.catalogue.text("nation-invalid"))];
    nation_options.extend(
        Nation::ALL
            .into_iter()
            .map(|n| (n.as_str().to_string(), nation_name(state, n))),
    );
    Ok(CalendarsPage {
        layout: Layout::staff(state, staff, "calendars-heading", "/admin/calendars"),
        errors,
        nations,
        nation_options,
        form_nation: form.nation.clone(),
        form_day: form.day.clone(),
        form_name: form.name.clone(),
    })
}

pub async fn calendars(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    if !staff.actor.may_manage_settings() {
        return Err(AppError::NotFound);
    }
    render(&calendars_page(&state, &staff, &CalendarForm::default(), FormErrors::none()).await?)
}

pub async fn add_calendar_day(
    State(state): State<AppState>,
    staff: Staff,
    Form(form): Form<CalendarForm>,
) -> Result<Response, AppError> {
    if !staff.actor.may_manage_settings() {
        return Err(AppError::NotFound);
    }
    let mut invalid = Invalid::default();
    let nation = Nation::parse(&form.nation).ok();
    if nation.is_none() {
        invalid.push("nation", msg::NATION_INVALID);
    }
    let day = match parse_iso_date(form.day.trim()) {
        Ok(day) => Some(day),
        Err(error) => {
            // A typed date can only be refused for its shape or its numbers.
            let (text, problem) = match error {
                ClockError::InvalidDate { text, problem } => (text, problem),
                _ => (form.day.clone(), DateProblem::Shape),
            };
            invalid.push(
                "day",
                msg::CALENDAR_DAY_INVALID
                    .with("text", text)
                    .with("problem", problem.as_str()),
            );
            None
        }
    };
    let name = invalid.check(required_text(
        "name",
        label::NAME_OF_THE_BANK_HOLIDAY,
        &form.name,
        100,
    ));
    let (Some(nation), Some(day), Some(name)) = (nation, day, name) else {
        let page = calendars_page(&state, &staff, &form, invalid.into()).await?;
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.add_calendar_day(&actor, nation, day, &name)).await {
        Ok(()) => render(
            &calendars_page(&state, &staff, &CalendarForm::default(), FormErrors::none()).await?,
        ),
        Err(AppError::Invalid(invalid)) => {
            let page = calendars_page(&state, &staff, &form, invalid.into()).await?;
            render_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(other) => Err(other),
    }
}
