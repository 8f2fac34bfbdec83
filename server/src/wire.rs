//! How values look on the wire, where the server writes them for the page.

use chrono::{DateTime, SecondsFormat, Utc};

/// Times on the wire: RFC 3339 in UTC, to the second (the page shows local time).
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
