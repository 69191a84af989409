//! The provider's advocates as allocation sees them: the duties each works under, the
//! areas they cover, the languages they speak, their gender and the caseload they can
//! hold. Managers set these; the ranking of the casework pages reads them.

use super::cases::code_key;
use super::forms::{FieldKind, FormBody, FormField, FormSpec, show_form};
use super::manager;
use super::{FormErrors, Layout, render};
use crate::app::AppState;
use crate::auth::Staff;
use crate::auth::session::blocking;
use crate::error::AppError;
use advocase_domain::casework::{Gender, optional_text};
use advocase_domain::referral::MAX_SHORT;
use advocase_domain::validation::Invalid;
use advocase_i18n::{label, msg};
use advocase_storage::casework::{AdvocateRow, AdvocateSettingsRecord, list};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

/// The duties an advocate may be set up for.
const DUTIES: [&str; 4] = ["care_act", "imha", "imca", "nhs_complaints"];

pub struct AdvocateLine {
    pub id: i64,
    pub name: String,
    pub duties: String,
    pub areas: String,
    pub languages: String,
    pub open: i64,
    pub capacity: i32,
}

#[derive(Template)]
#[template(path = "advocates/list.html")]
struct AdvocatesPage {
    layout: Layout,
    errors: FormErrors,
    advocates: Vec<AdvocateLine>,
}

async fn advocates(state: &AppState, staff: &Staff) -> Result<Vec<AdvocateRow>, AppError> {
    let store = state.store.clone();
    let actor = staff.actor.clone();
    blocking(move || store.advocates(&actor)).await
}

/// `GET /advocates`.
pub async fn list_page(State(state): State<AppState>, staff: Staff) -> Result<Response, AppError> {
    manager(&staff)?;
    let rows = advocates(&state, &staff).await?;
    let t = |key: &str| state.catalogue.text(key);
    render(&AdvocatesPage {
        layout: Layout::staff(&state, &staff, "advocates-heading", "/advocates"),
        errors: FormErrors::none(),
        advocates: rows
            .into_iter()
            .map(|a| AdvocateLine {
                id: a.user_id,
                duties: list(&a.settings.duties)
                    .iter()
                    .map(|d| t(&code_key("duty", d)))
                    .collect::<Vec<_>>()
                    .join(", "),
                areas: list(&a.settings.areas).join(", "),
                languages: list(&a.settings.languages).join(", "),
                open: a.open_cases,
                capacity: a.settings.capacity,
                name: a.name,
            })
            .collect(),
    })
}

/// The settings form as typed: `duty` repeats once per ticked duty.
#[derive(Default)]
struct SettingsForm {
    duties: Vec<String>,
    areas: String,
    languages: String,
    gender: String,
    capacity: String,
    version: String,
}

impl SettingsForm {
    fn from_body(body: &[u8]) -> Self {
        let body = FormBody::parse(body);
        Self {
            duties: body.all("duty"),
            areas: body.get("areas"),
            languages: body.get("languages"),
            gender: body.get("gender"),
            capacity: body.get("capacity"),
            version: body.get("version"),
        }
    }

    fn of(settings: &AdvocateSettingsRecord) -> Self {
        Self {
            duties: list(&settings.duties),
            areas: settings.areas.clone(),
            languages: settings.languages.clone(),
            gender: settings.gender.clone().unwrap_or_default(),
            capacity: settings.capacity.to_string(),
            version: settings.version.to_string(),
        }
    }

    fn parse(&self, user_id: i64) -> Result<AdvocateSettingsRecord, Invalid> {
        let mut invalid = Invalid::default();
        if self.duties.iter().any(|d| !DUTIES.contains(&d.as_str())) {
            invalid.push("duty", msg::ADVOCATE_DUTIES_INVALID);
        }
        let areas = invalid
            .check(optional_text(
                "areas",
                label::AREAS,
                &self.areas,
                MAX_SHORT * 5,
            ))
            .flatten();
        let languages = invalid
            .check(optional_text(
                "languages",
                label::LANGUAGES,
                &self.languages,
                MAX_SHORT,
            ))
            .flatten();
        let gender = match self.gender.trim() {
            "" => None,
            value => {
                if Gender::parse(value).is_none() {
                    invalid.push("gender", msg::ADVOCATE_GENDER_INVALID);
                }
                Some(value.to_string())
            }
        };
        let capacity = match self.capacity.trim().parse::<i32>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => {
                invalid.push("capacity", msg::ADVOCATE_CAPACITY_INVALID);
                0
            }
        };
        let version = self.version.trim().parse::<i64>().unwrap_or(-1);
        invalid.into_result()?;
        let tidy = |value: Option<String>| list(&value.unwrap_or_default()).join(", ");
        Ok(AdvocateSettingsRecord {
            user_id,
            duties: self.duties.join(","),
            areas: tidy(areas),
            languages: tidy(languages),
            gender,
            capacity,
            version,
        })
    }
}

fn settings_spec(state: &AppState, row: &AdvocateRow, form: &SettingsForm) -> FormSpec {
    let t = |key: &str| state.catalogue.text(key);
    let mut genders = vec![(String::new(), t("person-not-said"))];
    genders.extend(
        Gender::ALL
            .iter()
            .map(|g| (g.as_str().to_string(), t(&code_key("gender", g.as_str())))),
    );
    FormSpec {
        caption: row.name.clone(),
        action: format!("/advocates/{}/settings", row.user_id),
        back: format!("/advocates/{}", row.user_id),
        button: t("advocate-save"),
        hidden: vec![("version".into(), form.version.clone())],
        fields: vec![
            FormField::new(
                "duty",
                t("advocate-duties-label"),
                FieldKind::Checkboxes(
                    DUTIES
                        .iter()
                        .enumerate()
                        .map(|(index, duty)| super::Choice {
                            id: if index == 0 {
                                "duty".into()
                            } else {
                                format!("duty-{duty}")
                            },
                            name: "duty".into(),
                            value: duty.to_string(),
                            label: t(&code_key("duty", duty)),
                            checked: form.duties.iter().any(|d| d == duty),
                        })
                        .collect(),
                ),
                "",
            )
            .hint(t("advocate-duties-hint")),
            FormField::new(
                "areas",
                t("advocate-areas-label"),
                FieldKind::Text,
                &form.areas,
            )
            .hint(t("advocate-areas-hint")),
            FormField::new(
                "languages",
                t("advocate-languages-label"),
                FieldKind::Text,
                &form.languages,
            )
            .hint(t("advocate-languages-hint")),
            FormField::new(
                "gender",
                t("advocate-gender-label"),
                FieldKind::Select(genders),
                &form.gender,
            ),
            FormField::new(
                "capacity",
                t("advocate-capacity-label"),
                FieldKind::Number,
                &form.capacity,
            )
            .hint(t("advocate-capacity-hint")),
        ],
        ..Default::default()
    }
}

async fn advocate(state: &AppState, staff: &Staff, id: i64) -> Result<AdvocateRow, AppError> {
    advocates(state, staff)
        .await?
        .into_iter()
        .find(|a| a.user_id == id)
        .ok_or(AppError::NotFound)
}

/// `GET /advocates/{id}/settings`.
pub async fn settings_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let row = advocate(&state, &staff, id).await?;
    let spec = settings_spec(&state, &row, &SettingsForm::of(&row.settings));
    show_form(
        Layout::staff(&state, &staff, "advocate-heading", "/advocates"),
        FormErrors::none(),
        spec,
    )
}

/// `POST /advocates/{id}/settings`.
pub async fn settings_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    manager(&staff)?;
    let row = advocate(&state, &staff, id).await?;
    let form = SettingsForm::from_body(&body);
    let layout = Layout::staff(&state, &staff, "advocate-heading", "/advocates");
    let settings = match form.parse(id) {
        Ok(settings) => settings,
        Err(invalid) => {
            return show_form(layout, invalid.into(), settings_spec(&state, &row, &form));
        }
    };
    let store = state.store.clone();
    let actor = staff.actor.clone();
    match blocking(move || store.set_advocate_settings(&actor, &settings)).await {
        Ok(()) => Ok(Redirect::to(&format!("/advocates/{id}")).into_response()),
        Err(AppError::Conflict) => {
            let saved = SettingsForm::of(&row.settings);
            let mut spec = settings_spec(&state, &row, &saved);
            spec.changed = vec![(
                state.catalogue.text("advocate-heading"),
                format!(
                    "{} / {} / {}",
                    saved.duties.join(", "),
                    saved.areas,
                    saved.capacity
                ),
                format!(
                    "{} / {} / {}",
                    form.duties.join(", "),
                    form.areas,
                    form.capacity
                ),
            )];
            show_form(layout, FormErrors::none(), spec)
        }
        Err(AppError::Invalid(invalid)) => {
            show_form(layout, invalid.into(), settings_spec(&state, &row, &form))
        }
        Err(other) => Err(other),
    }
}
