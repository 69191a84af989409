//! Per-address throttling of the requests anyone can send without signing in: sign-in,
//! two-factor codes, requests for an emailed sign-in code and the public referral forms. Account lock-out stops guessing at
//! one account; this stops one address from hammering many, or flooding the referral
//! queue. Limits are generous, so a person correcting a form several times is never
//! turned away; a refusal is the plain "too many attempts" page.

use crate::app::AppState;
use crate::client_address::ClientAddress;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct Throttles {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    emailed_codes: DefaultKeyedRateLimiter<IpAddr>,
    public_forms: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(burst: u32, one_more_every: Duration) -> Quota {
    Quota::with_period(one_more_every)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

impl Default for Throttles {
    fn default() -> Self {
        Self {
            // Twenty tries at once, then one more every six seconds.
            sign_in: RateLimiter::keyed(quota(20, Duration::from_secs(6))),
            // Each request for a code may send an email, to someone else's inbox if the
            // address is not the sender's own: five at once, then one more a minute.
            emailed_codes: RateLimiter::keyed(quota(5, Duration::from_secs(60))),
            // Ten referral forms at once, then one more every two minutes.
            public_forms: RateLimiter::keyed(quota(10, Duration::from_secs(120))),
        }
    }
}

impl Throttles {
    /// Forgets addresses that have not been seen for a while, so memory stays flat.
    pub fn forget_idle(&self) {
        self.sign_in.retain_recent();
        self.emailed_codes.retain_recent();
        self.public_forms.retain_recent();
    }
}

pub async fn throttle(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::POST {
        let path = request.uri().path();
        let limiter = match path {
            "/sign-in" | "/two-factor" | "/sign-in/code/enter" => Some(&state.throttles.sign_in),
            "/sign-in/code" => Some(&state.throttles.emailed_codes),
            "/refer"
            | "/refer/easy-read"
            | "/complain"
            | "/complain/easy-read"
            | "/feedback"
            | "/feedback/easy-read" => Some(&state.throttles.public_forms),
            _ => None,
        };
        let address = request
            .extensions()
            .get::<ClientAddress>()
            .map(|ClientAddress(a)| *a);
        if let (Some(limiter), Some(address)) = (limiter, address)
            && limiter.check_key(&address).is_err()
        {
            tracing::warn!(route = path, "throttled requests from one address");
            return AppError::TooManyRequests.into_response();
        }
    }
    next.run(request).await
}
