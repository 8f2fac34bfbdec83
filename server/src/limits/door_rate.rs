//! Per-address and global rate limits (governor's GCRA) on the doors anyone can knock on.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::LimitSettings;
use crate::error::AppError;

/// Forgetting addresses whose allowance is full again, every this many checks: the map of
/// addresses stays as large as the recent callers, not all callers ever.
const FORGET_EVERY: u64 = 10_000;

pub struct DoorRate {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    global: Option<DefaultDirectRateLimiter>,
    trust_forwarded_for: bool,
    checks: AtomicU64,
}

impl DoorRate {
    pub fn new(settings: &LimitSettings) -> Self {
        Self {
            per_ip: NonZeroU32::new(settings.per_ip_per_minute)
                .map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            global: NonZeroU32::new(settings.global_per_second)
                .map(|n| RateLimiter::direct(Quota::per_second(n))),
            trust_forwarded_for: settings.trust_forwarded_for,
            checks: AtomicU64::new(0),
        }
    }

    /// `Err(wait)` when `client` (or everyone) has used up the allowance.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        if let Some(per_ip) = &self.per_ip {
            if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
                per_ip.retain_recent();
            }
            per_ip
                .check_key(&client)
                .map_err(|not_until| not_until.wait_time_from(now))?;
        }
        if let Some(global) = &self.global {
            global
                .check()
                .map_err(|not_until| not_until.wait_time_from(now))?;
        }
        Ok(())
    }

    /// The caller's address: the peer's, or behind a trusted proxy the last address of
    /// `X-Forwarded-For` (the one the proxy appended; earlier ones the client may have made up).
    fn client(&self, request: &ServiceRequest) -> Option<IpAddr> {
        let forwarded = self
            .trust_forwarded_for
            .then(|| request.headers().get("x-forwarded-for"))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok());
        forwarded.or_else(|| request.peer_addr().map(|peer| peer.ip()))
    }
}

/// Refuses with 429 and `Retry-After` (whole seconds, at least 1) past the door's limits.
pub async fn limit_door(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(rate) = request.app_data::<web::Data<DoorRate>>()
        && let Some(client) = rate.client(&request)
        && let Err(wait) = rate.check(client)
    {
        let route = request.match_pattern().unwrap_or_default();
        metrics::counter!("guidedesk_rate_limited_total", "route" => route).increment(1);
        let retry_after_secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        return Err(AppError::TooManyRequests { retry_after_secs }.into());
    }
    next.call(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(per_minute: u32, global: u32) -> DoorRate {
        DoorRate::new(&LimitSettings {
            per_ip_per_minute: per_minute,
            global_per_second: global,
            ..LimitSettings::default()
        })
    }

    #[test]
    fn an_address_gets_its_minute_at_once_then_waits_and_others_are_not_held_up() {
        let limits = rate(3, 0);
        let (one, two): (IpAddr, IpAddr) =
            ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert!(limits.check(one).is_ok());
        }
        let wait = limits.check(one).unwrap_err();
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limits.check(two).is_ok());
    }

    #[test]
    fn the_global_limit_holds_every_address_and_zero_means_none() {
        let limits = rate(0, 2);
        let addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map(|a| a.parse::<IpAddr>().unwrap());
        let refused = addresses
            .iter()
            .filter(|a| limits.check(**a).is_err())
            .count();
        assert_eq!(refused, 1);
        let open = rate(0, 0);
        assert!((0..10_000).all(|_| open.check(addresses[0]).is_ok()));
    }
}
