//! The Advocase web application: server-rendered pages that work without JavaScript,
//! the JSON API under `/api/v1`, sign-in with two-factor, and the operational endpoints.
//!
//! Layout: `app` assembles the router and its middleware; `auth` holds passwords,
//! two-factor, sessions and the extractors that turn a request into an
//! [`advocase_domain::identity::Actor`]; `pages` and `api` hold the handlers, one module
//! per area; `security` holds the headers and the cross-site request check; `error` is
//! the one error type, rendered as an HTML page or as the JSON envelope; `mail` sends the
//! emailed sign-in codes.

pub mod api;
pub mod app;
pub mod auth;
pub mod client_address;
pub mod clock;
pub mod config;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod ops;
pub mod pages;
pub mod report_counting;
pub mod security;
pub mod throttle;

pub use app::{AppState, router};
pub use config::WebConfig;
