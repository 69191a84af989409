//! The address a request came from, worked out once per request for the audit trail and
//! the per-address throttles.
//!
//! Behind a reverse proxy (nginx in front of several Advocase processes) every
//! connection comes from the proxy, so every visitor would share one address: one
//! person's mistyped passwords would throttle everyone, and the audit trail would say
//! nothing about where a request came from. When the connection comes from an address
//! the installation names as a trusted proxy, the client is read from the
//! `X-Forwarded-For` header instead: the right-most address in it that is not itself a
//! trusted proxy, since everything to its left was written by the client and can be
//! forged. With no trusted proxies, the header is ignored.

use crate::app::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// The client's address, put on every request that came over a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Puts the client's [`ClientAddress`] on the request.
pub async fn find_client_address(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let address = client_of(peer.ip(), request.headers(), &state.config.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(address));
    }
    next.run(request).await
}

/// The client behind a connection from `peer`, given the trusted proxies.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) => {
                client = address;
                if !trusted.contains(&address) {
                    break;
                }
            }
            // A hop that is not an address was not written by a proxy we trust: the
            // last trusted hop is as far as the chain can be believed.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(client_of(ip("192.0.2.1"), &headers, &[]), ip("192.0.2.1"));
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        let headers = forwarded(&["203.0.113.9"]);
        let trusted = [ip("127.0.0.1")];
        assert_eq!(
            client_of(ip("192.0.2.1"), &headers, &trusted),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        // The client forged the first hop; the proxies appended the real ones.
        let headers = forwarded(&["198.51.100.66, 203.0.113.9", "10.0.0.2"]);
        assert_eq!(
            client_of(ip("127.0.0.1"), &headers, &trusted),
            ip("203.0.113.9")
        );
        let v6 = forwarded(&["2001:db8::7"]);
        assert_eq!(client_of(ip("127.0.0.1"), &v6, &trusted), ip("2001:db8::7"));
    }

    #[test]
    fn a_missing_or_garbled_header_stops_at_the_last_trusted_hop() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_of(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
        let garbled = forwarded(&["not-an-address, 10.0.0.2"]);
        assert_eq!(
            client_of(ip("127.0.0.1"), &garbled, &trusted),
            ip("10.0.0.2")
        );
    }
}
