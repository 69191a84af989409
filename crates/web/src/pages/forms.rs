//! One page for every short form: a handler lists its fields, and the same template
//! renders them in the GOV.UK pattern with the error summary, so each casework form is
//! a list of fields rather than a template of its own.

use super::{Choice, FormErrors, Layout, render_with};
use crate::error::AppError;
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
