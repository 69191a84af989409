//! Sign-in: passwords, two-factor codes, sessions, API tokens, and the extractors that
//! turn a request into the [`Actor`] every store call needs.
//!
//! Architecture invariant: a handler that receives a [`Staff`] knows the account is
//! live, its session is within both time-outs, and it has passed two-factor (or is a
//! demo account on a demo server). There is no other way to obtain an `Actor` from a
//! request.

pub mod password;
pub mod session;
pub mod totp;

pub use session::{ApiCaller, PendingStaff, PersonUser, Staff};

use advocase_storage::sealing::Keyring;
use sha2::{Digest, Sha256};

/// A random token of 32 bytes, URL-safe base64: session cookies, API tokens, links.
pub fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored only as their SHA-256, so a copy of the database holds nothing
/// that signs anyone in. A fast hash is right here: the token has 256 bits of entropy.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new emailed sign-in code: six digits from the operating system's random source,
/// leading zeros kept.
pub fn new_sign_in_code() -> String {
    use rand::Rng;
    let code: u32 = rand::rng().random_range(0..1_000_000);
    format!("{code:06}")
}

/// An emailed sign-in code is stored as a keyed digest (HMAC-SHA-256 under the
/// installation's key file) of the account and the code together. Binding the account
/// in means a code works only for the account it was sent to, and that the same six
/// digits sent to two people are kept as two different digests. Six digits have too few
/// values for a plain hash to hide them from someone with a copy of the database; the
/// key, kept outside the database, does. A code also works once, for ten minutes, and
/// only while the account is not locked.
pub fn sign_in_code_hash(keys: &Keyring, user_id: i64, code: &str) -> String {
    keys.keyed_digest("sign-in-code", &format!("{user_id}:{code}"))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_codes_are_six_digits_and_bound_to_their_account() {
        for _ in 0..200 {
            let code = new_sign_in_code();
            assert_eq!(code.len(), 6, "{code}");
            assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        }
        let keys = Keyring::generate();
        let hash = |user, code| sign_in_code_hash(&keys, user, code);
        assert_ne!(hash(1, "123456"), hash(2, "123456"));
        assert_ne!(hash(1, "123456"), hash(1, "123457"));
        assert_eq!(hash(1, "123456"), hash(1, "123456"));
        // Without the installation's key the digest cannot be made, so a copy of the
        // database cannot be searched for the code.
        assert_ne!(
            hash(1, "123456"),
            sign_in_code_hash(&Keyring::generate(), 1, "123456")
        );
    }
}
