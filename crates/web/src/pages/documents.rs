//! What every kind of document shares on the web side: the upload form (a multipart
//! form with one file, so it works without JavaScript), reading that file from the
//! request, and the download. A case's letters and reports (`pages::cases`) and the
//! evidence of a qualification (`pages::workforce`) both use them; the checks, sealing
//! and the access rules are the store's.

use super::{FormErrors, Layout, render_with};
use crate::error::AppError;
use advocase_domain::validation::Invalid;
use advocase_i18n::msg;
use askama::Template;
use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// What an upload page says and where it sends the file.
pub struct UploadForm {
    /// Whose record the document goes on: a person's name, a member of staff's.
    pub caption: String,
    pub intro: String,
    pub action: String,
    pub back: String,
    pub button: String,
}

#[derive(Template)]
#[template(path = "documents/upload.html")]
struct UploadPage {
    layout: Layout,
    errors: FormErrors,
    form: UploadForm,
}

/// Renders an upload form: 200 when first shown, 422 when shown again with errors.
pub fn upload_page(
    layout: Layout,
    errors: FormErrors,
    form: UploadForm,
) -> Result<Response, AppError> {
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with(
        status,
        &UploadPage {
            layout,
            errors,
            form,
        },
    )
}

/// The name and bytes of the one file, `document`, of an upload form. A form that
/// cannot be read is answered by field, like any other wrong answer; a form without
/// the file gives an empty one, which the store refuses by field.
pub async fn read_document(mut form: Multipart) -> Result<(String, Vec<u8>), Invalid> {
    let unreadable = || Invalid::one("document", msg::DOCUMENT_UNREADABLE);
    let mut name = String::new();
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("document") {
            name = field.file_name().unwrap_or_default().to_string();
            bytes = field.bytes().await.map_err(|_| unreadable())?.to_vec();
        }
    }
    Ok((name, bytes))
}

/// A document as a download. Always downloaded, never shown inline, so a file can
/// never run in the page's origin; the name keeps only characters safe in a header.
pub fn download(name: &str, kind: &str, bytes: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let headers = [
        (
            header::CONTENT_TYPE,
            advocase_storage::attachments::content_type(kind).to_string(),
        ),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{safe}\""),
        ),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    (headers, bytes).into_response()
}
