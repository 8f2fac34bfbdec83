//! What the brand's IT team scrapes: `GET /metrics` in Prometheus' text format. The code that
//! does the work counts with the `metrics` facade (`metrics::counter!` and friends, no handle
//! passed around); `recorder` installs the one Prometheus recorder a process has, `http`
//! counts every request by its route pattern, and `scrape` answers the scrape after reading
//! the gauges that live elsewhere (the inbox's depth, the database pool).
//!
//! Labels are bounded sets only: a route's pattern, never its path; an event kind, an
//! endpoint's path without its query (which carries the access token), an errcode; never a
//! guide, customer, token or id.

pub mod http;
pub mod recorder;
pub mod scrape;

pub use recorder::MetricsHandle;
