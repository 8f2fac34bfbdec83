//! The limits on the public doors: rate limits on sign-in, the session check and the short
//! links (per address and in all), and how many callbacks are taken in at once.

use super::keys::*;
use super::source::RawValues;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Requests a minute from one address to a limited door (0: no per-address limit). The
    /// whole minute's allowance may come at once (a store's guides behind one address all
    /// opening the sidebar at the start of a shift).
    pub per_ip_per_minute: u32,
    /// Requests a second from all addresses to the limited doors (0: none).
    pub global_per_second: u32,
    /// Take the client's address from the last `X-Forwarded-For` entry (set when a reverse
    /// proxy, which appends it, is the only way in); otherwise the peer's address.
    pub trust_forwarded_for: bool,
    /// Callbacks being taken in at once; past it WeCom gets 503 and sends again later.
    pub callback_max_in_flight: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            per_ip_per_minute: 300,
            global_per_second: 2_000,
            trust_forwarded_for: false,
            callback_max_in_flight: 256,
        }
    }
}

pub(super) fn limits(raw: &RawValues<'_>, problems: &mut Vec<String>) -> LimitSettings {
    let defaults = LimitSettings::default();
    let number = |key: &Key, default: u32, min: i64, problems: &mut Vec<String>| {
        raw.number(key, i64::from(default), min, 1_000_000, problems) as u32
    };
    LimitSettings {
        per_ip_per_minute: number(&RATE_LIMIT_PER_IP, defaults.per_ip_per_minute, 0, problems),
        global_per_second: number(&RATE_LIMIT_GLOBAL, defaults.global_per_second, 0, problems),
        trust_forwarded_for: raw.flag(&TRUST_FORWARDED_FOR, false, problems),
        callback_max_in_flight: number(
            &CALLBACK_MAX_IN_FLIGHT,
            defaults.callback_max_in_flight,
            0,
            problems,
        ),
    }
}
