//! How values look on the wire, where the server writes them for the page.

use chrono::{DateTime, SecondsFormat, Utc};

/// Times on the wire: RFC 3339 in UTC, to the second (the page shows local time).
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The day in China, `YYYY-MM-DD`: the calendar quotas, reports and reasons count in. China
/// keeps no daylight saving, so it is UTC+8 all year.
pub fn china_day(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}
