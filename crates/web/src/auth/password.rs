//! Password hashing with argon2id at the OWASP-recommended minimum cost (19 MiB, two
//! passes, one lane). The parameters live in each stored hash, so raising them later
//! leaves old hashes verifiable.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Checks a password against a stored hash. A missing or unreadable hash never matches.
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    let Some(stored) = stored else {
        // Spend the same time as a real check, so the answer's timing does not tell
        // whether the account has a password.
        dummy_verify(password);
        return false;
    };
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the work of a verification against a fixed hash, for sign-ins with an unknown
/// email address, so that timing does not reveal which addresses have accounts.
pub fn dummy_verify(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("a password nobody has").unwrap_or_default());
    if let Ok(parsed) = PasswordHash::new(stored) {
        let _ = hasher().verify_password(password.as_bytes(), &parsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse battery staple").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(Some(&stored), "correct horse battery staple"));
        assert!(!verify(Some(&stored), "correct horse battery stapler"));
        assert!(!verify(None, "anything"));
    }
}
