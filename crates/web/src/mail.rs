//! Email. Advocase sends one kind of message: the sign-in code a person who uses the
//! service asks for instead of typing their password. It goes over SMTP to the relay
//! named by `smtp_url`, from the address in `mail_from`.
//!
//! `smtp_url` is read here rather than by lettre's own URL reader, because that reader
//! sends `smtp://user:pass@host` without encryption. Here a password never travels in
//! the clear:
//!
//! - `smtps://host[:465]` — TLS from the first byte;
//! - `smtp://user:pass@host[:587]` — STARTTLS, required: no TLS, no message;
//! - `smtp://host[:25]` — STARTTLS when the relay offers it, plain otherwise (a relay on
//!   the same machine or network, which takes mail without a password);
//! - `?tls=required`, `?tls=opportunistic` or `?tls=none` choose for `smtp://`
//!   explicitly (`none` only without a password), and a path names the client in EHLO
//!   (`smtp://relay.example.org/advocase.example.org`).
//!
//! Certificates are checked against the system's certificate store, so an installation
//! that runs its own relay under a private authority adds that authority to the system.
//!
//! Logging policy: a failure is logged by its kind and SMTP status code only. The text
//! of a relay's refusal can quote the recipient's address, so it is never logged, and
//! neither is the address, the code or the message.

use crate::config::WebConfig;
use advocase_domain::identity::EmailAddress;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::time::Duration;

/// How long one SMTP command may wait for the relay. A person is waiting on the page,
/// so a relay that does not answer is given up on quickly.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// How long sending one message may take from start to finish, however the time is
/// spread over the conversation.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// Why the mail settings cannot be used. The server does not start with them; the
/// messages name the setting and never repeat a password.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("smtp_url is not a URL such as smtps://user:password@mail.example.org")]
    NotAUrl,
    #[error("smtp_url must start with smtp:// or smtps://")]
    Scheme,
    #[error("smtp_url names no mail server")]
    NoHost,
    #[error("the tls= part of smtp_url must be required, opportunistic or none")]
    TlsChoice,
    #[error("smtp_url has a password, so it must use TLS: leave out tls=none")]
    PasswordInTheClear,
    #[error("the user name or password in smtp_url is not valid percent-encoded UTF-8")]
    Credentials,
    #[error("mail_from must be set when smtp_url is, for example Advocase <advocase@example.org>")]
    NoSender,
    #[error("mail_from is not an email address, for example Advocase <advocase@example.org>")]
    Sender,
    #[error("TLS for the mail server could not be set up")]
    Tls(#[source] lettre::transport::smtp::Error),
}

/// Why a message was not sent, in words that hold no personal data.
#[derive(Debug)]
pub enum MailFailure {
    /// The stored address of the account cannot be written as an email recipient.
    Recipient,
    /// The message could not be put together.
    Message,
    /// The relay took longer than [`SEND_TIMEOUT`].
    TimedOut,
    /// The relay, or the way to it, refused or failed.
    Smtp(lettre::transport::smtp::Error),
}

impl MailFailure {
    /// The kind of failure, for the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Recipient => "recipient",
            Self::Message => "message",
            Self::TimedOut => "timeout",
            Self::Smtp(error) if error.is_timeout() => "timeout",
            Self::Smtp(error) if error.is_tls() => "tls",
            Self::Smtp(error) if error.is_permanent() => "refused",
            Self::Smtp(error) if error.is_transient() => "deferred",
            Self::Smtp(error) if error.is_response() || error.is_client() => "protocol",
            Self::Smtp(_) => "connection",
        }
    }

    /// The relay's three-digit status code, when it answered with one.
    pub fn status(&self) -> Option<String> {
        match self {
            Self::Smtp(error) => error.status().map(|code| code.to_string()),
            _ => None,
        }
    }

    /// Logs the failure without the address, the code or the relay's words.
    pub fn log(&self, what: &'static str) {
        tracing::warn!(
            kind = self.kind(),
            status = self.status().unwrap_or_default(),
            "{what}"
        );
    }
}

/// The configured mail relay and sender.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

impl Mailer {
    /// The mailer the settings ask for: `None` when `smtp_url` is empty (mail is off),
    /// an error when the settings cannot be used.
    pub fn from_config(config: &WebConfig) -> Result<Option<Self>, MailSetupError> {
        let url = config.smtp_url.expose_secret().trim();
        if url.is_empty() {
            return Ok(None);
        }
        let sender = config.mail_from.trim();
        if sender.is_empty() {
            return Err(MailSetupError::NoSender);
        }
        let from: Mailbox = sender.parse().map_err(|_| MailSetupError::Sender)?;
        Ok(Some(Self {
            transport: transport(url)?,
            from,
        }))
    }

    /// Sends one plain-text message to `to`.
    pub async fn send(
        &self,
        to: &EmailAddress,
        subject: String,
        body: String,
    ) -> Result<(), MailFailure> {
        let recipient: Mailbox = to.as_str().parse().map_err(|_| MailFailure::Recipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(subject)
            .message_id(Some(self.message_id()))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|_| MailFailure::Message)?;
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(MailFailure::Smtp(error)),
            Err(_) => Err(MailFailure::TimedOut),
        }
    }

    /// Whether the relay answers now: connects, greets it and says goodbye, sending no
    /// message. A request for a code to an address without an account does this, so
    /// that it costs the same kind of wait, and fails the same way when the relay is
    /// down, as one that sends.
    pub async fn relay_answers(&self) -> bool {
        matches!(
            tokio::time::timeout(SEND_TIMEOUT, self.transport.test_connection()).await,
            Ok(Ok(true))
        )
    }

    /// A Message-ID in the sender's domain: without one, the library would name
    /// `localhost`, which some mail filters hold against a message.
    fn message_id(&self) -> String {
        use rand::Rng;
        let random: u128 = rand::rng().random();
        format!("<{random:032x}@{}>", self.from.email.domain())
    }
}

/// The SMTP transport `smtp_url` describes (see the module's documentation).
fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailSetupError> {
    let url = url::Url::parse(url).map_err(|_| MailSetupError::NotAUrl)?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or(MailSetupError::NoHost)?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let credentials = match url.password() {
        Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
        None => None,
    };
    let choice = url
        .query_pairs()
        .find(|(name, _)| name == "tls")
        .map(|(_, value)| value.into_owned());
    let parameters = || TlsParameters::new(host.clone()).map_err(MailSetupError::Tls);
    let (tls, port) = match (url.scheme(), choice.as_deref()) {
        ("smtps", None) => (Tls::Wrapper(parameters()?), 465),
        ("smtp", Some("required")) => (Tls::Required(parameters()?), 587),
        ("smtp", None) if credentials.is_some() => (Tls::Required(parameters()?), 587),
        ("smtp", Some("opportunistic")) => (Tls::Opportunistic(parameters()?), 25),
        ("smtp", None) => (Tls::Opportunistic(parameters()?), 25),
        ("smtp", Some("none")) if credentials.is_some() => {
            return Err(MailSetupError::PasswordInTheClear);
        }
        ("smtp", Some("none")) => (Tls::None, 25),
        ("smtp" | "smtps", Some(_)) => return Err(MailSetupError::TlsChoice),
        _ => return Err(MailSetupError::Scheme),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(port))
        .tls(tls)
        .timeout(Some(COMMAND_TIMEOUT));
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    let hello = url.path().trim_matches('/');
    if !hello.is_empty() {
        builder = builder.hello_name(ClientId::Domain(hello.to_string()));
    }
    Ok(builder.build())
}

/// A user name or password as written in a URL, with its `%xx` escapes undone.
fn decode(text: &str) -> Result<String, MailSetupError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let byte = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or(MailSetupError::Credentials)?;
            decoded.push(byte);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| MailSetupError::Credentials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn config(url: &str, from: &str) -> WebConfig {
        WebConfig {
            smtp_url: SecretString::from(url.to_string()),
            mail_from: from.to_string(),
            ..WebConfig::default()
        }
    }

    fn setup_error(url: &str, from: &str) -> MailSetupError {
        Mailer::from_config(&config(url, from)).unwrap_err()
    }

    #[test]
    fn without_an_smtp_url_mail_is_off() {
        assert!(
            Mailer::from_config(&WebConfig::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_usual_relay_addresses_are_accepted() {
        for url in [
            "smtp://relay.example.org:25",
            "smtp://relay.example.org",
            "smtp://user:pass@mail.example.org:587",
            "smtps://user:p%40ss@mail.example.org:465",
            "smtps://mail.example.org",
            "smtp://relay.example.org?tls=required",
            "smtp://relay.example.org?tls=none",
            "smtp://relay.example.org/advocase.example.org",
            "smtp://127.0.0.1:2525",
        ] {
            let mailer = Mailer::from_config(&config(url, "Advocase <advocase@example.org>"));
            assert!(matches!(mailer, Ok(Some(_))), "{url}: {mailer:?}");
        }
    }

    #[test]
    fn unusable_mail_settings_are_refused_by_name_without_the_password() {
        let from = "advocase@example.org";
        assert!(matches!(
            setup_error("not a url", from),
            MailSetupError::NotAUrl
        ));
        assert!(matches!(
            setup_error("https://mail.example.org", from),
            MailSetupError::Scheme
        ));
        assert!(matches!(
            setup_error("smtp://mail.example.org?tls=maybe", from),
            MailSetupError::TlsChoice
        ));
        let clear = setup_error("smtp://user:hunter2@mail.example.org?tls=none", from);
        assert!(matches!(clear, MailSetupError::PasswordInTheClear));
        assert!(!clear.to_string().contains("hunter2"));
        assert!(matches!(
            setup_error("smtp://user:%ff@mail.example.org", from),
            MailSetupError::Credentials
        ));
        assert!(matches!(
            setup_error("smtp://mail.example.org", ""),
            MailSetupError::NoSender
        ));
        assert!(matches!(
            setup_error("smtp://mail.example.org", "not an address"),
            MailSetupError::Sender
        ));
    }

    #[test]
    fn percent_escapes_in_credentials_are_undone() {
        assert_eq!(decode("p%40ss%3Aword").unwrap(), "p@ss:word");
        assert_eq!(decode("plain").unwrap(), "plain");
        assert!(decode("cut%4").is_err());
    }
}
