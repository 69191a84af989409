//! One error type for the whole web application, rendered two ways: as an accessible
//! HTML page for the pages, and as the JSON envelope for the API
//! (`{"errors": [{"field": …, "detail": …}]}`). Internal causes are logged, never shown.

use crate::i18n::Catalogue;
use advocase_domain::validation::Invalid;
use advocase_storage::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not there, or not the actor's to see: the answer is the same.
    #[error("not found")]
    NotFound,
    /// No valid session: pages redirect to sign-in, the API answers 401.
    #[error("sign-in required")]
    SignInRequired,
    /// A request refused whoever sends it, such as a cross-site form post.
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    #[error("the record changed since it was read")]
    Conflict,
    /// A manager must say why before first opening case content that is not theirs.
    #[error("a reason is needed first")]
    ReasonNeeded,
    #[error("too many requests")]
    TooManyRequests,
    #[error("the database is unavailable")]
    Unavailable,
    /// A report's figures are being counted for the first time and took longer than a
    /// reader is kept waiting; asking again later gives them.
    #[error("still counting")]
    StillCounting,
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict => AppError::Conflict,
            StoreError::ReasonNeeded => AppError::ReasonNeeded,
            StoreError::Invalid(invalid) => AppError::Invalid(invalid),
            StoreError::Unavailable(_) => AppError::Unavailable,
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> Self {
        AppError::Invalid(invalid)
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::SignInRequired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::ReasonNeeded => StatusCode::FORBIDDEN,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            // Accepted, not an error: the count goes on and its figures will be there.
            AppError::StillCounting => StatusCode::ACCEPTED,
        }
    }

    /// Headers that belong to the answer whatever its body: when to ask again for
    /// figures still being counted.
    fn add_headers(&self, response: &mut Response) {
        if let AppError::StillCounting = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(STILL_COUNTING_RETRY_SECONDS),
            );
        }
    }

    fn log(&self) {
        if let AppError::Internal(error) = self {
            // The cause may name a table or a constraint, never personal data: queries
            // are parameterised and their values are not part of Diesel's errors.
            tracing::error!(error = %format!("{error:#}"), "internal error");
        }
    }
}

/// Seconds after which figures still being counted are worth asking for again.
const STILL_COUNTING_RETRY_SECONDS: &str = "30";

/// Marks a response the error-page layer turns into the "why are you opening this?"
/// form, which brings the manager back to the page asked for.
#[derive(Debug, Clone, Copy)]
pub struct ReasonNeeded;

/// Marks a response whose page the error-page layer must render. The layer has the
/// application state (for the demo banner) that a bare error does not.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage(pub StatusCode);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if let AppError::SignInRequired = self {
            return Redirect::to("/sign-in").into_response();
        }
        let status = self.status();
        let mut response = status.into_response();
        self.add_headers(&mut response);
        response.extensions_mut().insert(ErrorPage(status));
        if let AppError::ReasonNeeded = self {
            response.extensions_mut().insert(ReasonNeeded);
        }
        response
    }
}

/// One problem in an API answer: the field (a dotted path) when one field is to blame.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiProblem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub detail: String,
}

/// The error envelope of every API answer that is not a success.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrors {
    pub errors: Vec<ApiProblem>,
}

/// An error from an API handler, rendered as the JSON envelope.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl ApiErrors {
    pub fn of(error: &AppError) -> Self {
        let problems = match error {
            AppError::Invalid(invalid) => invalid
                .0
                .iter()
                .map(|e| ApiProblem {
                    field: Some(e.field.clone()),
                    detail: api_catalogue().message(&e.message),
                })
                .collect(),
            AppError::ReasonNeeded => vec![ApiProblem {
                field: None,
                detail: api_catalogue().text("api-reason-needed"),
            }],
            other => vec![ApiProblem {
                field: None,
                detail: api_detail(other.status()),
            }],
        };
        ApiErrors { errors: problems }
    }
}

/// The catalogue the API answers in. The API speaks English whatever the pages do:
/// scripts match on its sentences less than people read them, but they are documented
/// in English.
fn api_catalogue() -> Catalogue {
    Catalogue::english()
}

/// The plain sentence the API gives for a status without field errors.
pub fn api_detail(status: StatusCode) -> String {
    let key = match status {
        StatusCode::NOT_FOUND => "api-not-found",
        StatusCode::UNAUTHORIZED => "api-sign-in-required",
        StatusCode::FORBIDDEN => "api-forbidden",
        StatusCode::CONFLICT => "api-conflict",
        StatusCode::TOO_MANY_REQUESTS => "api-too-many",
        StatusCode::SERVICE_UNAVAILABLE => "api-unavailable",
        StatusCode::METHOD_NOT_ALLOWED => "api-method",
        StatusCode::ACCEPTED => "api-still-counting",
        StatusCode::PAYLOAD_TOO_LARGE => "api-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "api-not-json",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "api-bad-request",
        _ => "api-internal",
    };
    api_catalogue().text(key)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let mut response = (status, Json(ApiErrors::of(&self.0))).into_response();
        self.0.add_headers(&mut response);
        response
    }
}
