//! The HTML pages, one module per area, each page a struct with its askama template.
//! Every page works without JavaScript; forms post back and re-show with an error
//! summary in the GOV.UK pattern when something is wrong.

pub mod account;
pub mod admin;
pub mod advocates;
pub mod assessment;
pub mod audit;
pub mod cases;
pub mod commissioning;
pub mod confidentiality;
pub mod documents;
pub mod feedback;
pub mod forms;
pub mod home;
pub mod my_records;
pub mod people;
pub mod referrals;
pub mod safeguarding;
pub mod sign_in;
pub mod sign_in_code;
pub mod workforce;

use crate::app::AppState;
use crate::auth::Staff;
use crate::error::AppError;
use crate::i18n::{Catalogue, Message};
use advocase_domain::identity::Role;
use advocase_domain::validation::Invalid;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Who is signed in, as the header shows it.
pub struct SignedIn {
    pub name: String,
    pub role_label: String,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every page needs from the layout: its title, the catalogue, who is signed in,
/// the menu for their role, and whether this is a demonstration installation.
pub struct Layout {
    pub title: String,
    pub catalogue: Catalogue,
    pub signed_in: Option<SignedIn>,
    pub nav: Vec<NavItem>,
    pub demo: bool,
}

impl Layout {
    /// The layout of a page seen before sign-in. `title_key` names its catalogue text.
    pub fn public(state: &AppState, title_key: &str) -> Self {
        let catalogue = state.catalogue.clone();
        Self {
            title: catalogue.text(title_key),
            catalogue,
            signed_in: None,
            nav: Vec::new(),
            demo: state.config.demo,
        }
    }

    /// The layout of a signed-in page, with the menu of the actor's role. `section` is
    /// the address of the menu item to mark as current.
    pub fn staff(state: &AppState, staff: &Staff, title_key: &str, section: &str) -> Self {
        Self::signed_in(
            state,
            &staff.user.display_name,
            staff.actor.role,
            title_key,
            section,
        )
    }

    /// The layout of a page for a person who uses the service, signed in.
    pub fn person(
        state: &AppState,
        person: &crate::auth::PersonUser,
        title_key: &str,
        section: &str,
    ) -> Self {
        Self::signed_in(
            state,
            &person.user.display_name,
            person.actor.role,
            title_key,
            section,
        )
    }

    fn signed_in(state: &AppState, name: &str, role: Role, title_key: &str, section: &str) -> Self {
        let mut layout = Self::public(state, title_key);
        layout.signed_in = Some(SignedIn {
            name: name.to_string(),
            role_label: layout.catalogue.text(role.name_key()),
        });
        layout.nav = menu(role)
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                label: layout.catalogue.text(key),
                current: href == section,
            })
            .collect();
        layout
    }

    pub fn t(&self, key: &str) -> String {
        self.catalogue.text(key)
    }

    pub fn t_with(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.catalogue.text_with(key, name, &value.to_string())
    }

    /// The words of a message, such as a field error, in the page's catalogue.
    pub fn message(&self, message: &Message) -> String {
        self.catalogue.message(message)
    }
}

/// One radio button or checkbox: its own id (the first of a group takes the group's id,
/// so the error summary's link lands on it), name, value, label and state.
pub struct Choice {
    pub id: String,
    pub name: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The radio buttons of one question, `options` as (value, catalogue key).
pub fn radios(
    layout: &Layout,
    name: &str,
    options: &[(&str, &str)],
    selected: &str,
) -> Vec<Choice> {
    options
        .iter()
        .enumerate()
        .map(|(index, (value, key))| Choice {
            id: if index == 0 {
                name.to_string()
            } else {
                format!("{name}-{}", index + 1)
            },
            name: name.to_string(),
            value: value.to_string(),
            label: layout.t(key),
            checked: *value == selected.trim(),
        })
        .collect()
}

/// The options of a select, `options` as (value, catalogue key).
pub fn select_options(layout: &Layout, options: &[(&str, &str)]) -> Vec<(String, String)> {
    options
        .iter()
        .map(|(value, key)| (value.to_string(), layout.t(key)))
        .collect()
}

/// The menu of each role: only what that role may use.
pub fn menu(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/", "nav-home")];
    match role {
        Role::Administrator => items.extend([
            ("/admin/users", "nav-users"),
            ("/admin/tokens", "nav-tokens"),
            ("/admin/calendars", "nav-calendars"),
            ("/audit", "nav-audit"),
        ]),
        Role::Manager => items.extend([
            ("/cases", "nav-caseloads"),
            ("/people", "nav-people"),
            ("/referrals", "nav-referrals"),
            ("/waiting-list", "nav-waiting-list"),
            ("/advocates", "nav-advocates"),
            ("/workforce", "nav-workforce"),
            ("/quality", "nav-quality"),
            ("/contracts", "nav-contracts"),
            ("/safeguarding", "nav-safeguarding"),
            ("/self-assessment", "nav-self-assessment"),
            ("/policies", "nav-policies"),
            ("/breaches", "nav-breaches"),
            ("/retention", "nav-retention"),
            ("/audit", "nav-audit"),
            ("/profile", "nav-profile"),
        ]),
        Role::IntakeWorker => items.extend([
            ("/referrals", "nav-referrals"),
            ("/waiting-list", "nav-waiting-list"),
        ]),
        Role::Advocate => items.extend([
            ("/cases", "nav-my-cases"),
            ("/people", "nav-people"),
            ("/safeguarding", "nav-safeguarding"),
            ("/emergency-access", "nav-emergency-access"),
            ("/profile", "nav-profile"),
        ]),
        Role::Commissioner => items.extend([
            ("/contracts", "nav-contracts"),
            ("/demand", "nav-demand"),
            ("/self-assessment", "nav-self-assessment"),
        ]),
        Role::Person => items = vec![("/my-records", "nav-my-records")],
    }
    items
}

/// The field errors of a form, as templates ask for them.
#[derive(Default)]
pub struct FormErrors(Invalid);

impl FormErrors {
    pub fn none() -> Self {
        Self(Invalid::default())
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.message_for(field).is_some()
    }

    pub fn get(&self, field: &str) -> Option<&Message> {
        self.0.message_for(field)
    }

    /// Each wrong field with its message, in the order of the form.
    pub fn list(&self) -> Vec<(&str, &Message)> {
        self.0
            .0
            .iter()
            .map(|e| (e.field.as_str(), &e.message))
            .collect()
    }
}

impl From<Invalid> for FormErrors {
    fn from(invalid: Invalid) -> Self {
        Self(invalid)
    }
}

/// Renders a page with status 200.
pub fn render(page: &impl Template) -> Result<Response, AppError> {
    render_with(StatusCode::OK, page)
}

/// Renders a page with a given status: 422 when a form is shown again with errors.
pub fn render_with(status: StatusCode, page: &impl Template) -> Result<Response, AppError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a page failed: {e}")))?;
    Ok((status, Html(html)).into_response())
}

/// Splits a form's failure into "show the form again with these errors" and anything
/// else, which propagates as an error page.
pub fn form_errors(error: AppError) -> Result<FormErrors, AppError> {
    match error {
        AppError::Invalid(invalid) => Ok(invalid.into()),
        other => Err(other),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorTemplate {
    pub(crate) layout: Layout,
    pub(crate) errors: FormErrors,
    pub(crate) heading: String,
    pub(crate) message: String,
    /// The address to ask again, for an answer that is worth waiting for.
    pub(crate) again: Option<String>,
}

/// The page for an error status, used by the error-page layer for every HTML response
/// that carries no page of its own (404, 405, 413 and the rest).
pub fn error_page(state: &AppState, status: StatusCode, again: Option<String>) -> Response {
    let key = match status {
        StatusCode::ACCEPTED => "still-counting",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::METHOD_NOT_ALLOWED => "method",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::CONFLICT => "conflict",
        StatusCode::TOO_MANY_REQUESTS => "too-many",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_client_error() => "bad-request",
        _ => "internal",
    };
    let heading_key = format!("error-{key}-heading");
    let page = ErrorTemplate {
        layout: Layout::public(state, &heading_key),
        errors: FormErrors::none(),
        heading: state.catalogue.text(&heading_key),
        message: state.catalogue.text(&format!("error-{key}-message")),
        again,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

/// Formats a stored UTC time for a page.
/// Refuses anyone but a manager, answering as for a page that does not exist.
pub fn manager(staff: &Staff) -> Result<(), AppError> {
    require_role(staff, &[Role::Manager])
}

/// Refuses anyone whose role is not one of `roles` exactly as a page that does not
/// exist.
pub fn require_role(staff: &Staff, roles: &[Role]) -> Result<(), AppError> {
    if roles.contains(&staff.actor.role) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A date written out in full, as letters and pages show it: 3 November 2026.
pub fn long_date(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A date as a date field holds it: 2026-11-03.
pub fn iso_date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The options of a select of codes: "choose one" first, then each code in words.
pub fn code_select(state: &AppState, prefix: &str, codes: &[&str]) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), state.catalogue.text("choose-one"))];
    options.extend(codes.iter().map(|c| {
        (
            c.to_string(),
            state.catalogue.text(&cases::code_key(prefix, c)),
        )
    }));
    options
}

pub fn when(at: chrono::NaiveDateTime) -> String {
    at.format("%-d %b %Y %H:%M").to_string()
}
