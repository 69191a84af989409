//! Who is acting: organisations, roles, and the validated values of an account.
//!
//! Every lookup in the system is scoped to an [`Actor`], so the rules about who may see
//! what are decided here, once, and not in each handler.

use crate::validation::FieldError;
use advocase_i18n::{label, msg};
use serde::{Deserialize, Serialize};

/// The two kinds of organisation an installation serves (DOMAIN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// Delivers advocacy: its staff see its own people and cases.
    Provider,
    /// Funds advocacy: its officers see anonymised figures for their own contracts only.
    Commissioner,
}

impl OrganisationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provider => "provider",
            Self::Commissioner => "commissioner",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "provider" => Some(Self::Provider),
            "commissioner" => Some(Self::Commissioner),
            _ => None,
        }
    }
}

/// The staff roles of DOMAIN.md §1. People who use advocacy and referrers get their own
/// kinds of account later; they are not staff and never hold one of these roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Manager,
    IntakeWorker,
    Advocate,
    Commissioner,
    /// Someone who uses the service, signed in to read their own records. Not staff.
    Person,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Manager,
        Role::IntakeWorker,
        Role::Advocate,
        Role::Commissioner,
        Role::Person,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Manager => "manager",
            Self::IntakeWorker => "intake_worker",
            Self::Advocate => "advocate",
            Self::Commissioner => "commissioner",
            Self::Person => "person",
        }
    }

    /// Whether the role is a member of staff (or of a commissioner's team). A person
    /// using the service signs in only to their own records, never to staff pages.
    pub fn is_staff(self) -> bool {
        self != Self::Person
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// The catalogue key of the role's name, as a person would say it.
    pub fn name_key(self) -> &'static str {
        match self {
            Self::Administrator => "role-administrator",
            Self::Manager => "role-manager",
            Self::IntakeWorker => "role-intake-worker",
            Self::Advocate => "role-advocate",
            Self::Commissioner => "role-commissioner",
            Self::Person => "role-person",
        }
    }

    /// The kind of organisation a person in this role belongs to. A commissioner works
    /// for a commissioning body; every other role works for a provider.
    pub fn organisation_kind(self) -> OrganisationKind {
        match self {
            Self::Commissioner => OrganisationKind::Commissioner,
            _ => OrganisationKind::Provider,
        }
    }
}

/// The signed-in person on whose behalf a request runs. Built only from a verified
/// session or API token, so holding one means the account passed sign-in and two-factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub organisation_id: i64,
    pub role: Role,
    /// The network address the request came from, kept in the audit trail.
    pub address: Option<String>,
}

impl Actor {
    /// Managers keep the service safe and search the audit trail of their organisation;
    /// administrators run the installation and may search it too.
    pub fn may_search_audit(&self) -> bool {
        matches!(self.role, Role::Manager | Role::Administrator)
    }

    /// Only administrators manage accounts and API tokens.
    pub fn may_manage_users(&self) -> bool {
        self.role == Role::Administrator
    }

    /// Eligibility checks are staff work on referrals; commissioners never see a person.
    pub fn may_check_eligibility(&self) -> bool {
        matches!(
            self.role,
            Role::IntakeWorker | Role::Manager | Role::Advocate
        )
    }

    /// Administrators manage settings such as the bank-holiday calendars.
    pub fn may_manage_settings(&self) -> bool {
        self.role == Role::Administrator
    }
}

/// An email address, stored lower-cased so that look-ups do not depend on collations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let value = value.trim().to_lowercase();
        if value.is_empty() {
            return Err(FieldError::new(field, msg::EMAIL_MISSING));
        }
        let valid = value.len() <= 254
            && !value.chars().any(char::is_whitespace)
            && match value.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(value))
        } else {
            Err(FieldError::new(field, msg::EMAIL_INVALID))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shortest password accepted. Twelve characters with two-factor on every staff
/// account follows OWASP ASVS level 2; there are no composition rules, which only make
/// passwords harder to remember without making them stronger.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Long passphrases are welcome, but hashing an unbounded input would let anyone make
/// the server spend time for nothing.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A new password that meets the policy. The text is never logged or shown.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let count = value.chars().count();
        if count < MIN_PASSWORD_CHARS {
            return Err(FieldError::new(
                field,
                msg::PASSWORD_TOO_SHORT.with("min", MIN_PASSWORD_CHARS),
            ));
        }
        if count > MAX_PASSWORD_CHARS {
            return Err(FieldError::new(
                field,
                msg::PASSWORD_TOO_LONG.with("max", MAX_PASSWORD_CHARS),
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(redacted)")
    }
}

/// How many digits an emailed sign-in code has.
pub const SIGN_IN_CODE_DIGITS: usize = 6;

/// An emailed sign-in code as a person typed it: six digits. People copy codes with
/// spaces or dashes between groups ("123 456"), so those are ignored; anything else is
/// refused before the code is checked, so a typing slip does not count as a wrong code.
pub struct SignInCode(String);

impl SignInCode {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let digits: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(FieldError::new(field, msg::SIGN_IN_CODE_MISSING));
        }
        if digits.len() != SIGN_IN_CODE_DIGITS || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                msg::SIGN_IN_CODE_MALFORMED.with("digits", SIGN_IN_CODE_DIGITS),
            ));
        }
        Ok(Self(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SignInCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInCode(redacted)")
    }
}

/// What an API token is for, as the list of tokens shows it: some text, at most 100
/// characters. The token page and `advocase token create` both read it through here.
pub fn token_name(field: &str, value: &str) -> Result<String, FieldError> {
    crate::validation::required_text(field, label::WHAT_THE_TOKEN_IS_FOR, value, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_stored_lower_case() {
        let email = EmailAddress::parse("email", " Ada@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "ada@example.org");
    }

    #[test]
    fn malformed_email_addresses_are_refused_naming_the_field() {
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
        ] {
            let error = EmailAddress::parse("email", bad).unwrap_err();
            assert_eq!(error.field, "email", "{bad}");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("password", "short").is_err());
        assert!(NewPassword::parse("password", "twelve chars").is_ok());
    }

    #[test]
    fn sign_in_codes_are_six_digits_and_spaces_between_groups_are_ignored() {
        assert_eq!(
            SignInCode::parse("code", " 012 345 ").unwrap().expose(),
            "012345"
        );
        assert_eq!(
            SignInCode::parse("code", "012-345").unwrap().expose(),
            "012345"
        );
        let missing = SignInCode::parse("code", "  ").unwrap_err();
        assert_eq!(missing.message.key().key(), msg::SIGN_IN_CODE_MISSING.key());
        for bad in ["12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            let error = SignInCode::parse("code", bad).unwrap_err();
            assert_eq!(error.field, "code", "{bad}");
            assert_eq!(
                error.message.key().key(),
                msg::SIGN_IN_CODE_MALFORMED.key(),
                "{bad}"
            );
        }
        assert!(!format!("{:?}", SignInCode::parse("code", "123456").unwrap()).contains("123"));
    }

    #[test]
    fn password_debug_output_never_shows_the_password() {
        let password = NewPassword::parse("password", "correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn every_role_round_trips_through_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn commissioners_may_not_check_eligibility_of_a_person() {
        let actor = Actor {
            user_id: 1,
            organisation_id: 1,
            role: Role::Commissioner,
            address: None,
        };
        assert!(!actor.may_check_eligibility());
    }
}
