//! One page for every short form: a handler lists its fields, and the same template
//! renders them in the GOV.UK pattern with the error summary, so each casework form is
//! a list of fields rather than a template of its own.

use super::{Choice, FormErrors, Layout, render_with};
use crate::app::AppState;
use crate::auth::session::blocking;
use crate::error::AppError;
use advocase_domain::validation::Invalid;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

/// How a field is asked.
pub enum FieldKind {
    Text,
    TextArea,
    Date,
    Time,
    Number,
    Radios(Vec<Choice>),
    InlineRadios(Vec<Choice>),
    Checkboxes(Vec<Choice>),
    /// Radios on a scale, each with a face beside its words: `face-{value}.svg`.
    Faces(Vec<Choice>),
    /// Options as (value, label); the field's value is the one selected.
    Select(Vec<(String, String)>),
}

pub struct FormField {
    pub id: String,
    pub label: String,
    pub hint: String,
    pub kind: FieldKind,
    pub value: String,
}

impl FormField {
    pub fn new(id: &str, label: String, kind: FieldKind, value: &str) -> Self {
        Self {
            id: id.to_string(),
            label,
            hint: String::new(),
            kind,
            value: value.to_string(),
        }
    }

    pub fn hint(mut self, hint: String) -> Self {
        self.hint = hint;
        self
    }
}

/// What a form page shows besides its fields.
#[derive(Default)]
pub struct FormSpec {
    pub caption: String,
    pub intro: String,
    pub action: String,
    pub back: String,
    pub button: String,
    pub hidden: Vec<(String, String)>,
    pub fields: Vec<FormField>,
    /// After a refused edit because someone else saved first: (field, saved, yours).
    pub changed: Vec<(String, String, String)>,
    /// Public forms carry a field no person sees; a program that fills it in is
    /// answered as if it succeeded, and nothing is stored.
    pub honeypot: bool,
    /// Links shown under the introduction, as (address, words): another version of the
    /// same form, for example.
    pub links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "cases/form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub form: FormSpec,
}

/// Renders a form: 200 when first shown, 422 when shown again with errors, 409 when
/// someone else changed the record first.
pub fn show_form(layout: Layout, errors: FormErrors, form: FormSpec) -> Result<Response, AppError> {
    let status = if !form.changed.is_empty() {
        StatusCode::CONFLICT
    } else if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(
        status,
        &FormPage {
            layout,
            errors,
            form,
        },
    )
}

/// The fields where what was saved differs from what was typed, as (label, saved,
/// typed) with each label a catalogue key, for the table shown after a refused stale
/// edit. Spaces around a value do not count as a difference.
pub fn differences(
    catalogue: &crate::i18n::Catalogue,
    rows: impl IntoIterator<Item = (&'static str, String, String)>,
) -> Vec<(String, String, String)> {
    rows.into_iter()
        .filter(|(_, saved, typed)| saved.trim() != typed.trim())
        .map(|(key, saved, typed)| (catalogue.text(key), saved, typed))
        .collect()
}

/// A posted form as name and value pairs, for forms whose checkboxes repeat a name,
/// which the typed form extractor cannot hold.
pub struct FormBody(Vec<(String, String)>);

impl FormBody {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// The value of a field, or empty when it was not sent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value sent under a name, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The record version the form was showing.
    pub fn version(&self) -> Result<i64, AppError> {
        super::cases::version(&self.get("version"))
    }
}

// ---------------------------------------------------------------------------------------
// The provider a public form is for
// ---------------------------------------------------------------------------------------

/// How a public form (referral, complaint, feedback) offers the choice of provider: a
/// select of every provider, or, when there is only one, that one in a hidden field.
pub struct ProviderChoice {
    pub options: Vec<(String, String)>,
    pub hidden: Option<String>,
}

impl ProviderChoice {
    pub async fn load(state: &AppState, layout: &Layout) -> Result<Self, AppError> {
        let store = state.store.clone();
        let providers = blocking(move || store.providers()).await?;
        if let [(id, _)] = providers.as_slice() {
            return Ok(Self {
                options: Vec::new(),
                hidden: Some(id.to_string()),
            });
        }
        let mut options = vec![(String::new(), layout.t("ref-provider-choose"))];
        options.extend(
            providers
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        );
        Ok(Self {
            options,
            hidden: None,
        })
    }

    /// Puts the choice on a short form: the select as the `provider` field labelled
    /// `label`, or the one provider as a hidden field.
    pub fn add_to(
        self,
        fields: &mut Vec<FormField>,
        hidden: &mut Vec<(String, String)>,
        label: String,
        value: &str,
    ) {
        match self.hidden {
            Some(only) => hidden.push(("provider".into(), only)),
            None => fields.push(FormField::new(
                "provider",
                label,
                FieldKind::Select(self.options),
                value,
            )),
        }
    }
}

/// The provider a public form chose: the one in its `provider` field, which must be a
/// provider's id. When it is not, `refusal` is the message that says so.
pub async fn chosen_provider(
    state: &AppState,
    value: &str,
    refusal: advocase_i18n::MessageKey,
    invalid: &mut Invalid,
) -> Result<Option<i64>, AppError> {
    let store = state.store.clone();
    let providers = blocking(move || store.providers()).await?;
    // With one provider the form sends it in a hidden field; take it even if the field
    // was lost.
    let only = match providers.as_slice() {
        [(only, _)] => Some(*only),
        _ => None,
    };
    let chosen = value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| providers.iter().any(|(p, _)| p == id))
        .or(only);
    if chosen.is_none() {
        invalid.push("provider", refusal);
    }
    Ok(chosen)
}
