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

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
