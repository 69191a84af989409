//! Security headers on every response, and the check that refuses state-changing
//! requests sent from another site.

use crate::error::AppError;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// No inline script or style anywhere, so the policy can forbid them outright; images
/// may be `data:` for the two-factor QR code.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains",
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    // `same-origin`, not `no-referrer`: with `no-referrer` browsers send `Origin: null` on
    // form posts, which the cross-site check must refuse. Addresses still never leave
    // the site.
    set(header::REFERRER_POLICY, "same-origin");
    set(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    // Pages may hold personal data: no browser or proxy may keep a copy. The built
    // styles and images hold none and may be cached.
    if is_asset {
        set(header::CACHE_CONTROL, "public, max-age=3600");
    } else {
        set(header::CACHE_CONTROL, "no-store");
    }
    response
}

/// Refuses a state-changing request that a browser says came from another site. The
/// session cookie is SameSite=Strict as well; this check does not rely on it.
///
/// Browsers send `Sec-Fetch-Site` on every request and `Origin` on every POST; when
/// either is present it must say the request came from this site. A request with
/// neither is not from a browser (a script with an API token), and carries no ambient
/// credentials a forged page could borrow.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !is_same_origin(&request) {
        tracing::warn!(method = %request.method(), "refused a cross-site request");
        return AppError::Forbidden.into_response();
    }
    next.run(request).await
}

fn is_same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin_host = origin.split_once("://").map(|(_, rest)| rest);
        return match (origin_host, host) {
            (Some(origin_host), Some(host)) => origin_host.eq_ignore_ascii_case(host),
            _ => false,
        };
    }
    true
}
