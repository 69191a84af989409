//! The audit trail search, for managers and administrators of an organisation.

use super::{FormErrors, Layout, render_with};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::error::AppError;
use advocase_domain::audit::AuditAction;
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use advocase_storage::audit::{AUDIT_PAGE, AuditEntry, AuditQuery};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;

/// The search as typed into the form (or sent to the API), before it is parsed.
#[derive(Debug, Default, Deserialize, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditSearch {
    /// What was done, e.g. `read`, `denied`, `sign_in_failed`.
    #[serde(default)]
    pub action: Option<String>,
    /// The kind of record, e.g. `user`.
    #[serde(default)]
    pub record_type: Option<String>,
    #[serde(default)]
    pub record_id: Option<String>,
    /// The number of the account that acted.
    #[serde(default)]
    pub user: Option<String>,
    /// The first day, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`.
    #[serde(default)]
    pub to: Option<String>,
    /// Entries older than this number, to page back.
    #[serde(default)]
    pub before: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl AuditSearch {
    /// Parses the search, naming each field that is wrong.
    pub fn parse(&self) -> Result<AuditQuery, Invalid> {
        let mut invalid = Invalid::default();
        let number = |field: &str, value: &Option<String>, invalid: &mut Invalid| -> Option<i64> {
            let text = present(value)?;
            match text.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    invalid.push(field, msg::AUDIT_NUMBER_INVALID);
                    None
                }
            }
        };
        let date =
            |field: &str, value: &Option<String>, invalid: &mut Invalid| -> Option<NaiveDate> {
                let text = present(value)?;
                match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                    Ok(d) => Some(d),
                    Err(_) => {
                        invalid.push(field, msg::AUDIT_DATE_INVALID);
                        None
                    }
                }
            };
        let action = match present(&self.action) {
            Some(text) => match AuditAction::parse(text) {
                Some(action) => Some(action),
                None => {
                    invalid.push("action", msg::AUDIT_ACTION_INVALID);
                    None
                }
            },
            None => None,
        };
        let query = AuditQuery {
            actor_user_id: number("user", &self.user, &mut invalid),
            action,
            record_type: present(&self.record_type).map(str::to_string),
            record_id: present(&self.record_id).map(str::to_string),
            from: date("from", &self.from, &mut invalid),
            to: date("to", &self.to, &mut invalid),
            before: number("before", &self.before, &mut invalid),
        };
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from > to
        {
            invalid.push("from", msg::AUDIT_DATES_ORDER);
        }
        invalid.into_result().map(|()| query)
    }
}

pub struct EntryRow {
    pub sequence: i64,
    pub at: String,
    pub who: String,
    pub action: String,
    pub record: String,
    pub address: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    errors: FormErrors,
    actions: Vec<(String, String)>,
    action: String,
    record_type: String,
    record_id: String,
    user: String,
    from: String,
    to: String,
    entries: Vec<EntryRow>,
    older_href: Option<String>,
}

fn row(state: &AppState, entry: AuditEntry) -> EntryRow {
    EntryRow {
        sequence: entry.sequence,
        at: entry
            .at
            .replace('T', " ")
            .trim_end_matches('Z')
            .chars()
            .take(19)
            .collect(),
        who: entry
            .actor_user_id
            .map(|id| format!("#{id}"))
            .unwrap_or_else(|| state.catalogue.text("audit-nobody")),
        action: entry.action.replace('_', " "),
        record: match entry.record_id {
            Some(id) => format!("{} #{id}", entry.record_type.replace('_', " ")),
            None => entry.record_type.replace('_', " "),
        },
        address: entry.address.unwrap_or_default(),
        reason: entry.reason.unwrap_or_default(),
    }
}

pub async fn search(
    State(state): State<AppState>,
    staff: Staff,
    Query(search): Query<AuditSearch>,
) -> Result<Response, AppError> {
    if !staff.actor.may_search_audit() {
        return Err(AppError::NotFound);
    }
    let parsed = search.parse();
    let (errors, entries, status) = match parsed {
        Ok(query) => {
            let store = state.store.clone();
            let actor = staff.actor.clone();
            let entries = blocking(move || store.search_audit(&actor, &query)).await?;
            (FormErrors::none(), entries, StatusCode::OK)
        }
        Err(invalid) => (invalid.into(), Vec::new(), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let older_href = (entries.len() as i64 == AUDIT_PAGE)
        .then(|| entries.last().map(|e| older_link(&search, e.sequence)))
        .flatten();
    let mut actions = vec![(String::new(), state.catalogue.text("audit-any-action"))];
    actions.extend(
        AuditAction::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), a.as_str().replace('_', " "))),
    );
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = AuditPage {
        layout: Layout::staff(&state, &staff, "audit-heading", "/audit"),
        errors,
        actions,
        action: value(&search.action),
        record_type: value(&search.record_type),
        record_id: value(&search.record_id),
        user: value(&search.user),
        from: value(&search.from),
        to: value(&search.to),
        entries: entries.into_iter().map(|e| row(&state, e)).collect(),
        older_href,
    };
    render_with(status, &page)
}

/// The address of the next, older page of the same search.
fn older_link(search: &AuditSearch, before: i64) -> String {
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("action", &search.action),
        ("record_type", &search.record_type),
        ("record_id", &search.record_id),
        ("user", &search.user),
        ("from", &search.from),
        ("to", &search.to),
    ] {
        if let Some(v) = present(value) {
            pairs.append_pair(key, v);
        }
    }
    pairs.append_pair("before", &before.to_string());
    format!("/audit?{}", pairs.finish())
}
