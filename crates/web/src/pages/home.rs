//! The home page: what each role does here, with a way into each part it may use.

use super::{Layout, render};
use crate::app::AppState;
use crate::auth::Staff;
use crate::error::AppError;
use advocase_domain::identity::Role;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

pub struct Tile {
    pub href: &'static str,
    pub title: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    errors: super::FormErrors,
    name: String,
    role_intro: String,
    tiles: Vec<Tile>,
    /// For intake workers and managers: the waiting list's overdue and due-today counts.
    show_waiting: bool,
    overdue: usize,
    due_today: usize,
    /// For managers: emergency accesses to review and requests for records due.
    alerts: Option<super::confidentiality::ManagerAlerts>,
    /// For advocates and managers: their own training, supervision and qualification
    /// dates overdue or due soon.
    reminders: Vec<super::workforce::DueLine>,
    /// For managers: open safeguarding concerns with their age.
    concerns: Option<super::safeguarding::Table>,
    /// For managers: how many policies are overdue for review, in words, when any is.
    overdue_policies: Option<String>,
    /// For managers and commissioners: each running contract's next link meeting and
    /// open actions.
    link_meetings: Vec<super::commissioning::MeetingLine>,
}

/// The tiles of a role's home page: the menu's destinations with what each is for.
fn tiles(state: &AppState, role: Role) -> Vec<Tile> {
    let t = |key: &str| state.catalogue.text(key);
    let mut tiles: Vec<Tile> = super::menu(role)
        .into_iter()
        .skip(1)
        .map(|(href, key)| Tile {
            href,
            title: t(key),
            description: t(&format!(
                "tile-{}-description",
                key.trim_start_matches("nav-")
            )),
        })
        .collect();
    tiles.push(Tile {
        href: "/settings",
        title: t("nav-settings"),
        description: t("tile-settings-description"),
    });
    if role != Role::Commissioner {
        tiles.push(Tile {
            href: "/api/v1/openapi.json",
            title: t("tile-api-title"),
            description: t("tile-api-description"),
        });
    }
    tiles
}

pub async fn show(
    State(state): State<AppState>,
    person: Option<crate::auth::PersonUser>,
    staff: Result<Staff, AppError>,
) -> Result<Response, AppError> {
    // A person who uses the service has one page: their own records.
    if person.is_some() {
        return Ok(axum::response::Redirect::to("/my-records").into_response());
    }
    let staff = staff?;
    let role = staff.actor.role;
    let waiting = match role {
        Role::IntakeWorker | Role::Manager => {
            Some(super::referrals::waiting_counts(&state, &staff).await?)
        }
        _ => None,
    };
    let alerts = match role {
        Role::Manager => Some(super::confidentiality::manager_alerts(&state, &staff).await?),
        _ => None,
    };
    let concerns = match role {
        Role::Manager => Some(super::safeguarding::home_concerns(&state, &staff).await?),
        _ => None,
    };
    let overdue_policies = match role {
        Role::Manager => super::assessment::overdue_line(&state, &staff).await?,
        _ => None,
    };
    let link_meetings = match role {
        Role::Manager | Role::Commissioner => {
            super::commissioning::meeting_lines(&state, &staff, None).await?
        }
        _ => Vec::new(),
    };
    let page = HomePage {
        layout: Layout::staff(&state, &staff, "nav-home", "/"),
        errors: super::FormErrors::none(),
        name: staff.user.display_name.clone(),
        role_intro: state
            .catalogue
            .text(&format!("home-intro-{}", role.as_str())),
        tiles: tiles(&state, role),
        show_waiting: waiting.is_some(),
        overdue: waiting.map(|w| w.0).unwrap_or_default(),
        due_today: waiting.map(|w| w.1).unwrap_or_default(),
        alerts,
        reminders: super::workforce::own_reminders(&state, &staff).await?,
        concerns,
        overdue_policies,
        link_meetings,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use crate::i18n::Catalogue;
    use advocase_domain::identity::Role;

    /// Every menu item of every role has the words its tile on the home page shows.
    #[test]
    fn every_menu_item_has_a_tile_description() {
        let catalogue = Catalogue::english();
        for role in Role::ALL {
            for (href, key) in super::super::menu(role).into_iter().skip(1) {
                let description = format!("tile-{}-description", key.trim_start_matches("nav-"));
                assert!(
                    catalogue.has(&description),
                    "{role:?}: {href} has no {description}"
                );
            }
        }
    }
}
