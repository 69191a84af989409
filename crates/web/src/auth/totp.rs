//! Time-based one-time codes (RFC 6238: SHA-1, six digits, 30-second steps), as every
//! authenticator app supports. A code is accepted in the step before, the current step
//! and the step after, to allow for clock drift; the step is returned so the store can
//! refuse the same code a second time.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECONDS: u64 = 30;

/// A new random secret, base32-encoded as authenticator apps expect.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret: &str, issuer: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        Some(issuer.replace(':', " ")),
        account.to_string(),
    ))
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn setup_url(secret: &str, issuer: &str, account: &str) -> Option<String> {
    totp(secret, issuer, account).map(|t| t.get_url())
}

/// The QR code of the set-up address as an SVG image.
pub fn setup_qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// The time step in which `code` is valid at `unix_seconds`, if any.
pub fn matching_step(secret: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "Advocase", "check")?;
    let current = unix_seconds / STEP_SECONDS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| {
            super::same_secret(
                totp.generate(step * STEP_SECONDS).as_bytes(),
                code.as_bytes(),
            )
        })
        .map(|step| step as i64)
}

/// The code for `unix_seconds`, for tests and the demo's own checks.
pub fn code_at(secret: &str, unix_seconds: u64) -> Option<String> {
    totp(secret, "Advocase", "check").map(|t| t.generate(unix_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_code_matches_its_step() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&secret, &code, now), Some((now / 30) as i64));
    }

    #[test]
    fn a_code_from_long_ago_does_not_match() {
        let secret = new_secret();
        let code = code_at(&secret, 1_800_000_000).unwrap();
        assert_eq!(matching_step(&secret, &code, 1_800_000_000 + 300), None);
    }

    #[test]
    fn malformed_codes_never_match() {
        let secret = new_secret();
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(matching_step(&secret, bad, 1_800_000_000), None);
        }
    }

    #[test]
    fn the_setup_address_and_qr_code_are_made() {
        let secret = new_secret();
        let url = setup_url(&secret, "Advocase", "ada@example.org").unwrap();
        assert!(url.starts_with("otpauth://totp/"));
        assert!(setup_qr_svg(&url).unwrap().contains("<svg"));
    }
}
