//! Settings: an optional TOML file overlaid by environment variables.
//!
//! Every key has one environment name (the product's interface, documented in the README)
//! and one TOML name (`keys`). Values are validated here, all at once (`sections`, one reader
//! per section; `validate`, one check per kind of value), so a bad deployment stops at
//! start-up with every problem named by its key, instead of failing on the first request.

mod attribution;
mod keys;
mod limit_settings;
mod mall;
mod report_settings;
mod sections;
mod source;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveTime;
use url::Url;

pub use crate::secret::{Secret, redact_url};
pub use attribution::{AttributionPolicy, CreditRule};
pub use limit_settings::LimitSettings;
pub use mall::{MallSettings, MiniProgram};
pub use report_settings::ReportSettings;
use source::{RawValues, read_toml};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://guidedesk.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_WECOM_API_BASE: &str = "https://qyapi.weixin.qq.com";
pub const DEFAULT_WECOM_OAUTH_BASE: &str = "https://open.weixin.qq.com";

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub cache: CacheSettings,
    /// Where to listen, as given (`host:port`; port 0 picks a free port).
    pub listen: String,
    /// Where `/metrics` is served instead of the main address, when set (so that it need not
    /// be public).
    pub metrics_listen: Option<String>,
    /// The public base URL the sidebar is served under, without a trailing slash.
    /// `None` means "same as the listen address", which only suits local runs.
    pub public_url: Option<Url>,
    /// The directory Trunk built the sidebar into.
    pub sidebar_dir: PathBuf,
    pub shutdown_timeout_secs: u64,
    pub inbox: InboxSettings,
    pub auth: AuthSettings,
    pub sync: SyncSchedule,
    /// The key the brand's systems sign ingest requests with; `None`: ingest is off.
    pub ingest_secret: Option<Secret>,
    pub wecom: WecomSettings,
    /// How shared links are stamped; `None` without keys (nothing can be stamped).
    pub stamp: Option<StampSettings>,
    /// Where what guides send leads: the brand's mall pages and mini-program.
    pub mall: MallSettings,
    /// How sales are credited to guides.
    pub attribution: AttributionPolicy,
    /// Who sees which reports.
    pub reports: ReportSettings,
    /// Rate limits on the public doors, and the callbacks taken in at once.
    pub limits: LimitSettings,
}

#[derive(Debug, Clone)]
pub struct StampSettings {
    /// The first signs new stamps; all of them verify.
    pub keys: crate::stamp::StampKeys,
    pub params: crate::stamp::ParamNames,
    /// Older stamps are refused.
    pub max_age_secs: i64,
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a guide's sign-in lasts.
    pub session_ttl_secs: u64,
    /// When not empty, only members of these WeCom departments (directly) may sign in.
    pub guide_departments: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct InboxSettings {
    /// Whether this server applies stored callbacks (a replica may only receive them).
    pub worker: bool,
    /// How long a claimed row is one worker's before another may take it over.
    pub lease_secs: u64,
    /// Failed attempts before a row is parked as failed.
    pub max_attempts: u32,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// May carry a password, hence a secret; [`DatabaseSettings::describe`] is safe to log.
    pub url: Secret,
    pub pool_size: u32,
}

impl DatabaseSettings {
    pub fn is_sqlite(&self) -> bool {
        self.url.expose().starts_with("sqlite:")
    }

    /// The URL with any password removed, for logs and error messages.
    pub fn describe(&self) -> String {
        redact_url(self.url.expose())
    }
}

#[derive(Debug, Clone)]
pub struct CacheSettings {
    /// `None`: the in-process cache (one server only).
    pub redis_url: Option<Secret>,
    /// Every Redis key starts with `{prefix}:`, so several deployments can share a Redis.
    pub prefix: String,
}

/// The server's public base URL, without a trailing slash (the sidebar is under
/// `{public_url}/sidebar/`): known once the listener is bound, handed to the handlers that
/// write our own addresses.
#[derive(Debug, Clone)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn new(url: &str) -> Self {
        Self(url.trim_end_matches('/').to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When the server syncs by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSchedule {
    /// The nightly reconciliation's time of day, China Standard Time; `None`: never.
    pub nightly_at: Option<NaiveTime>,
    /// How often the re-sync queue is drained; `None`: never.
    pub queue_every: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct WecomSettings {
    pub api_base: Url,
    /// Where WeCom's OAuth authorize page lives (the simulator serves one too).
    pub oauth_base: Url,
    pub corp_id: Option<String>,
    pub agent_id: Option<i64>,
    pub secret: Option<Secret>,
    pub callback_token: Option<Secret>,
    pub callback_aes_key: Option<Secret>,
    /// Callbacks whose timestamp is further than this from now are refused; 0 disables.
    pub callback_max_skew_secs: u64,
}

/// Everything wrong with the configuration, each problem named by its key.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "invalid configuration:")?;
        for problem in &self.problems {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl Settings {
    /// Reads the TOML file (if given) and the process environment.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(config_file, |name| std::env::var(name).ok())
    }

    /// Like [`Settings::load`], with the environment given as a lookup function so that
    /// tests need not touch the process environment.
    pub fn load_from(
        config_file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let file = match config_file {
            Some(path) => read_toml(path, &mut problems),
            None => BTreeMap::new(),
        };
        let raw = RawValues { file, env: &env };
        match sections::settings(&raw, &mut problems) {
            Some(settings) if problems.is_empty() => Ok(settings),
            _ => Err(ConfigError { problems }),
        }
    }

    /// The public base URL, falling back to the listen address for local runs.
    pub fn public_base_url(&self, bound_port: u16) -> String {
        match &self.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => {
                let host = self.listen.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
                let host = if host == "0.0.0.0" || host == "[::]" {
                    "127.0.0.1"
                } else {
                    host
                };
                format!("http://{host}:{bound_port}")
            }
        }
    }
}

#[cfg(test)]
mod tests;
