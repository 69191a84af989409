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
