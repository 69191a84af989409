//! Configuration: built-in defaults, then an optional TOML file, then `ADVOCASE_`
//! environment variables (and `DATABASE_URL`). A secret can come from a file named by
//! the same variable with `_FILE` added: `ADVOCASE_DATABASE_URL_FILE` and
//! `ADVOCASE_SMTP_URL_FILE`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Variables (after `ADVOCASE_`) that name a file holding a secret setting; they are
/// read below, and are not settings themselves. Only these: `ADVOCASE_KEY_FILE` is the
/// `key_file` setting.
const SECRET_FILE_VARIABLES: &[&str] = &["DATABASE_URL_FILE", "SMTP_URL_FILE"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Where the embedded database, the audit head and the key files live.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL; empty for the embedded SQLite database.
    #[serde(serialize_with = "serialize_secret")]
    pub database_url: SecretString,
    /// The address to listen on.
    pub listen: String,
    /// Apply pending migrations when the server starts. Always done for SQLite; for
    /// PostgreSQL, where several processes may share the database, ask for it.
    pub migrate_on_start: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub lockout_attempts: i32,
    pub lockout_minutes: i64,
    /// Mark cookies `Secure`. Leave on: browsers accept secure cookies from localhost.
    pub secure_cookies: bool,
    /// The addresses of reverse proxies in front of Advocase (such as nginx on the same
    /// machine, `["127.0.0.1"]`), whose `X-Forwarded-For` header names the client for
    /// the audit trail and the sign-in throttle. Empty: the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub assets_dir: PathBuf,
    /// The file of encryption keys for notes; by default beside the data folder
    /// (`advocase-data.keys`), so a copy of the data folder alone holds no key.
    pub key_file: Option<PathBuf>,
    /// Days after closing within which a manager may re-open a case.
    pub reopen_within_days: u32,
    /// Hours that emergency (break-glass) access to a case lasts (at most 24).
    pub break_glass_hours: u32,
    /// Years after the last activity before a person's records are listed for
    /// destruction.
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
    /// background, so that its report opens at once.
    pub report_settle_days: u32,
    /// Count finished periods' figures in the background. Off, a period is counted the
    /// first time its report is asked for.
    pub report_background_count: bool,
    /// Seconds a reader waits for a report's first count before being told to come
    /// back for it; the count goes on.
    pub report_wait_seconds: u64,
    /// Log lines as JSON (for log collectors) instead of plain text.
    pub log_json: bool,
    /// The mail relay for emailed sign-in codes (`smtps://user:pass@host`); empty turns
    /// them off. A secret, like the database URL: it can hold a password.
    #[serde(serialize_with = "serialize_secret")]
    pub smtp_url: SecretString,
    /// Who emails come from, such as `Advocase <advocase@example.org>`.
    pub mail_from: String,
}

fn serialize_secret<S: serde::Serializer>(
    secret: &SecretString,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

/// The secret in the file that the environment variable `variable` names, if it names
/// one, trimmed of the line end an editor adds.
fn secret_from_file(variable: &str) -> anyhow::Result<Option<SecretString>> {
    let Ok(path) = std::env::var(variable) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {variable} {path}: {e}"))?;
    Ok(Some(SecretString::from(text.trim().to_string())))
}

impl Default for Settings {
    fn default() -> Self {
        let web = advocase_web::WebConfig::default();
        Self {
            data_dir: PathBuf::from("advocase-data"),
            database_url: SecretString::from(String::new()),
            listen: "127.0.0.1:8080".into(),
            migrate_on_start: false,
            session_idle_minutes: web.session_idle_minutes,
            session_absolute_hours: web.session_absolute_hours,
            lockout_attempts: web.lockout_attempts,
            lockout_minutes: web.lockout_minutes,
            secure_cookies: web.secure_cookies,
            trusted_proxies: web.trusted_proxies,
            assets_dir: web.assets_dir,
            reopen_within_days: web.reopen_within_days,
            break_glass_hours: web.break_glass_hours,
            retention_years: web.retention_years,
            safeguarding_stale_working_days: web.safeguarding_stale_working_days,
            complaint_acknowledge_working_days: web.complaint_acknowledge_working_days,
            complaint_response_working_days: web.complaint_response_working_days,
            signal_recurrent_cases: web.signal_recurrent_cases,
            signal_period_days: web.signal_period_days,
            report_settle_days: web.report_settle_days.unwrap_or(14),
            report_background_count: web.report_settle_days.is_some(),
            report_wait_seconds: web.report_wait.as_secs(),
            key_file: None,
            log_json: false,
            smtp_url: SecretString::from(String::new()),
            mail_from: String::new(),
        }
    }
}

impl Settings {
    /// Loads the settings. `config_file` is the TOML file, if any.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let file = config_file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("advocase.toml"));
        if file.exists() {
            figment = figment.merge(Toml::file(&file));
        } else if config_file.is_some() {
            anyhow::bail!("the configuration file {} does not exist", file.display());
        }
        figment = figment.merge(Env::raw().only(&["DATABASE_URL"])).merge(
            Env::prefixed("ADVOCASE_").filter(|k| {
                !SECRET_FILE_VARIABLES
                    .iter()
                    .any(|v| k.as_str().eq_ignore_ascii_case(v))
            }),
        );
        let mut settings: Settings = figment.extract()?;
        if let Some(url) = secret_from_file("ADVOCASE_DATABASE_URL_FILE")? {
            settings.database_url = url;
        }
        if let Some(url) = secret_from_file("ADVOCASE_SMTP_URL_FILE")? {
            settings.smtp_url = url;
        }
        Ok(settings)
    }

    /// The database to open: PostgreSQL when a URL is configured, else the SQLite file
    /// in the data folder.
    pub fn database(&self) -> String {
        let url = self.database_url.expose_secret();
        if url.is_empty() {
            self.sqlite_path().display().to_string()
        } else {
            url.to_string()
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("advocase.sqlite3")
    }

    pub fn uses_postgres(&self) -> bool {
        !self.database_url.expose_secret().is_empty()
    }

    /// The file of encryption keys: the configured one, or the data folder's name with
    /// `.keys` added, beside it.
    pub fn key_file(&self) -> PathBuf {
        if let Some(file) = &self.key_file {
            return file.clone();
        }
        let mut name = self
            .data_dir
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "advocase-data".into());
        name.push(".keys");
        self.data_dir.with_file_name(name)
    }

    /// The file outside the database that holds the audit chain's newest link.
    pub fn audit_head_file(&self) -> PathBuf {
        self.data_dir.join("audit-head.json")
    }

    pub fn web(&self, demo: bool) -> advocase_web::WebConfig {
        advocase_web::WebConfig {
            session_idle_minutes: self.session_idle_minutes,
            session_absolute_hours: self.session_absolute_hours,
            lockout_attempts: self.lockout_attempts,
            lockout_minutes: self.lockout_minutes,
            demo,
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            assets_dir: self.assets_dir.clone(),
            reopen_within_days: self.reopen_within_days,
            break_glass_hours: self
                .break_glass_hours
                .min(advocase_domain::confidentiality::MAX_BREAK_GLASS_HOURS),
            retention_years: self.retention_years.max(1),
            safeguarding_stale_working_days: self.safeguarding_stale_working_days.max(1),
            complaint_acknowledge_working_days: self.complaint_acknowledge_working_days,
            complaint_response_working_days: self.complaint_response_working_days,
            signal_recurrent_cases: self.signal_recurrent_cases.max(2),
            signal_period_days: self.signal_period_days.max(1),
            report_settle_days: self
                .report_background_count
                .then_some(self.report_settle_days),
            // At least a second, or a kept report's own read could never finish in
            // time; at most five minutes, longer than any page should hang.
            report_wait: std::time::Duration::from_secs(self.report_wait_seconds.clamp(1, 300)),
            smtp_url: self.smtp_url.clone(),
            mail_from: self.mail_from.clone(),
            ..advocase_web::WebConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_database_url() {
        let settings = Settings {
            database_url: SecretString::from("postgres://advocase:hunter2@db/advocase".to_string()),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn debug_output_never_shows_the_mail_password() {
        let settings = Settings {
            smtp_url: SecretString::from("smtps://advocase:hunter2@mail.example.org".to_string()),
            mail_from: "advocase@example.org".into(),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let web = format!("{:?}", settings.web(false));
        assert!(!web.contains("hunter2"), "{web}");
        assert!(web.contains("advocase@example.org"), "{web}");
    }

    #[test]
    fn without_a_url_the_embedded_database_is_in_the_data_folder() {
        let settings = Settings::default();
        assert!(!settings.uses_postgres());
        assert_eq!(settings.database(), "advocase-data/advocase.sqlite3");
    }
}
