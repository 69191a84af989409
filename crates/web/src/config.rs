//! Settings of the web application. The command line builds these from defaults, the
//! configuration file and `ADVOCASE_` environment variables.

use secrecy::SecretString;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A session ends this many hours after sign-in, however active.
    pub session_absolute_hours: i64,
    /// Failed sign-ins in a row before the account is locked.
    pub lockout_attempts: i32,
    /// How long a locked account stays locked.
    pub lockout_minutes: i64,
    /// Demo mode: a banner on every page, and demo accounts may skip two-factor.
    pub demo: bool,
    /// Whether cookies carry the `Secure` flag. Always true in production; browsers
    /// accept secure cookies from `http://localhost` and `127.0.0.1` for development.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` header names the client (see
    /// `client_address`); empty when Advocase faces the network itself.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where the built styles and images are served from.
    pub assets_dir: PathBuf,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The name shown in the authenticator app next to the codes.
    pub totp_issuer: String,
    /// How many days after closing a case a manager may re-open it as the same piece of
    /// work; later, a new referral is needed.
    pub reopen_within_days: u32,
    /// How many hours emergency (break-glass) access to a case lasts.
    pub break_glass_hours: u32,
    /// How many years after the last activity a person's records are kept before they
    /// are listed for destruction.
    pub retention_years: u32,
    /// Working days an open safeguarding concern may go untouched before it is flagged.
    pub safeguarding_stale_working_days: u32,
    /// Working days to acknowledge a complaint, counted from the day it was received.
    pub complaint_acknowledge_working_days: u32,
    /// Working days to respond to a complaint, counted from the day it was received.
    pub complaint_response_working_days: u32,
    /// How many different cases with concerns about one place or one theme make them
    /// recurrent.
    pub signal_recurrent_cases: u32,
    /// The period, in days back from today, in which recurrent concerns are looked for.
    pub signal_period_days: u32,
    /// Days after a reporting period ends before its figures are counted and kept in the
    /// background, so that its report opens at once; records entered late within these
    /// days are still counted. `None`: only counted when first asked for.
    pub report_settle_days: Option<u32>,
    /// How long a reader waits for a report whose figures are being counted for the
    /// first time before being told to come back; the count goes on meanwhile.
    pub report_wait: std::time::Duration,
    /// The mail relay for emailed sign-in codes, such as `smtps://user:pass@host`; empty
    /// turns emailed codes off. A secret: it can hold a password, and `Debug` hides it.
    pub smtp_url: SecretString,
    /// Who the email comes from, such as `Advocase <advocase@example.org>`.
    pub mail_from: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            lockout_attempts: 5,
            lockout_minutes: 15,
            demo: false,
            secure_cookies: true,
            trusted_proxies: Vec::new(),
            assets_dir: default_assets_dir(),
            max_body_bytes: 1024 * 1024,
            totp_issuer: "Advocase".into(),
            reopen_within_days: 90,
            break_glass_hours: 4,
            retention_years: 7,
            safeguarding_stale_working_days: 2,
            complaint_acknowledge_working_days: 3,
            complaint_response_working_days: 20,
            signal_recurrent_cases: 3,
            signal_period_days: 90,
            report_settle_days: Some(14),
            report_wait: std::time::Duration::from_secs(5),
            smtp_url: SecretString::from(String::new()),
            mail_from: String::new(),
        }
    }
}

/// The `assets` folder of the source tree, where `frontend/build.sh` writes the built
/// styles. An installation elsewhere sets `ADVOCASE_ASSETS_DIR`.
pub fn default_assets_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets"))
}
