//! Settings: an optional TOML file overlaid by environment variables.
//!
//! Every key has one environment name (the product's interface, documented in the README)
//! and one TOML name. Values are validated here, all at once, so a bad deployment stops at
//! start-up with every problem named by its key, instead of failing on the first request.

use std::collections::BTreeMap;
use std::fmt;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::NaiveTime;
use url::Url;

/// A value that must never be printed: Debug and Display show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The only way to read the value; grep for it to audit where secrets go.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One configuration key: its environment name and its name in the TOML file.
struct Key {
    env: &'static str,
    toml: &'static str,
}

const DATABASE_URL: Key = Key {
    env: "DATABASE_URL",
    toml: "database_url",
};
const DATABASE_POOL_SIZE: Key = Key {
    env: "GUIDEDESK_DATABASE_POOL_SIZE",
    toml: "database_pool_size",
};
const REDIS_URL: Key = Key {
    env: "REDIS_URL",
    toml: "redis_url",
};
const CACHE_PREFIX: Key = Key {
    env: "GUIDEDESK_CACHE_PREFIX",
    toml: "cache_prefix",
};
const LISTEN: Key = Key {
    env: "GUIDEDESK_LISTEN",
    toml: "listen",
};
const PUBLIC_URL: Key = Key {
    env: "GUIDEDESK_PUBLIC_URL",
    toml: "public_url",
};
const SIDEBAR_DIR: Key = Key {
    env: "GUIDEDESK_SIDEBAR_DIR",
    toml: "sidebar_dir",
};
const SHUTDOWN_TIMEOUT: Key = Key {
    env: "GUIDEDESK_SHUTDOWN_TIMEOUT_SECS",
    toml: "shutdown_timeout_secs",
};
const INBOX_WORKER: Key = Key {
    env: "GUIDEDESK_INBOX_WORKER",
    toml: "inbox.worker",
};
const INBOX_LEASE: Key = Key {
    env: "GUIDEDESK_INBOX_LEASE_SECS",
    toml: "inbox.lease_secs",
};
const INBOX_MAX_ATTEMPTS: Key = Key {
    env: "GUIDEDESK_INBOX_MAX_ATTEMPTS",
    toml: "inbox.max_attempts",
};
const SESSION_TTL: Key = Key {
    env: "GUIDEDESK_SESSION_TTL_SECS",
    toml: "session_ttl_secs",
};
const GUIDE_DEPARTMENTS: Key = Key {
    env: "GUIDEDESK_GUIDE_DEPARTMENTS",
    toml: "guide_departments",
};
const INGEST_SECRET: Key = Key {
    env: "GUIDEDESK_INGEST_SECRET",
    toml: "ingest_secret",
};
const SYNC_AT: Key = Key {
    env: "GUIDEDESK_SYNC_AT",
    toml: "sync.at",
};
const SYNC_QUEUE_SECS: Key = Key {
    env: "GUIDEDESK_SYNC_QUEUE_SECS",
    toml: "sync.queue_secs",
};
const WECOM_OAUTH_BASE: Key = Key {
    env: "WECOM_OAUTH_BASE",
    toml: "wecom.oauth_base",
};
const WECOM_API_BASE: Key = Key {
    env: "WECOM_API_BASE",
    toml: "wecom.api_base",
};
const WECOM_CORP_ID: Key = Key {
    env: "WECOM_CORP_ID",
    toml: "wecom.corp_id",
};
const WECOM_AGENT_ID: Key = Key {
    env: "WECOM_AGENT_ID",
    toml: "wecom.agent_id",
};
const WECOM_SECRET: Key = Key {
    env: "WECOM_SECRET",
    toml: "wecom.secret",
};
const WECOM_CALLBACK_TOKEN: Key = Key {
    env: "WECOM_CALLBACK_TOKEN",
    toml: "wecom.callback_token",
};
const WECOM_CALLBACK_MAX_SKEW: Key = Key {
    env: "WECOM_CALLBACK_MAX_SKEW_SECS",
    toml: "wecom.callback_max_skew_secs",
};
const WECOM_CALLBACK_AES_KEY: Key = Key {
    env: "WECOM_CALLBACK_AES_KEY",
    toml: "wecom.callback_aes_key",
};

const ALL_KEYS: &[&Key] = &[
    &DATABASE_URL,
    &DATABASE_POOL_SIZE,
    &REDIS_URL,
    &CACHE_PREFIX,
    &LISTEN,
    &PUBLIC_URL,
    &SIDEBAR_DIR,
    &SHUTDOWN_TIMEOUT,
    &INBOX_WORKER,
    &INBOX_LEASE,
    &INBOX_MAX_ATTEMPTS,
    &SESSION_TTL,
    &GUIDE_DEPARTMENTS,
    &SYNC_AT,
    &INGEST_SECRET,
    &SYNC_QUEUE_SECS,
    &WECOM_OAUTH_BASE,
    &WECOM_API_BASE,
    &WECOM_CORP_ID,
    &WECOM_AGENT_ID,
    &WECOM_SECRET,
    &WECOM_CALLBACK_TOKEN,
    &WECOM_CALLBACK_AES_KEY,
    &WECOM_CALLBACK_MAX_SKEW,
];

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
    /// The public base URL the sidebar is served under, without a trailing slash.
    /// `None` means "same as the listen address", which only suits local runs.
    pub public_url: Option<Url>,
    /// The directory Trunk built the sidebar into.
    pub sidebar_dir: PathBuf,
    pub shutdown_timeout_secs: u64,
    pub inbox: InboxSettings,
    pub auth: AuthSettings,
    pub sync: crate::sync::schedule::SyncSchedule,
    /// The key the brand's systems sign ingest requests with; `None`: ingest is off.
    pub ingest_secret: Option<Secret>,
    pub wecom: WecomSettings,
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
        match raw.parse(&mut problems) {
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

/// The TOML file flattened to `section.key -> value as text`.
fn read_toml(path: &Path, problems: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            problems.push(format!(
                "config file {}: cannot read it: {err}",
                path.display()
            ));
            return values;
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(err) => {
            problems.push(format!(
                "config file {}: not valid TOML: {err}",
                path.display()
            ));
            return values;
        }
    };
    flatten_toml("", &table, &mut values, problems);
    for name in values.keys() {
        if !ALL_KEYS.iter().any(|key| key.toml == name) {
            problems.push(format!(
                "config file {}: unknown key `{name}` (see the README for the keys)",
                path.display()
            ));
        }
    }
    values
}

fn flatten_toml(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    for (name, value) in table {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::Table(inner) => flatten_toml(&full, inner, out, problems),
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            toml::Value::Integer(number) => {
                out.insert(full, number.to_string());
            }
            toml::Value::Boolean(flag) => {
                out.insert(full, flag.to_string());
            }
            _ => problems.push(format!(
                "config key `{full}`: expected a string or a number"
            )),
        }
    }
}

struct RawValues<'a, F: Fn(&str) -> Option<String>> {
    file: BTreeMap<String, String>,
    env: &'a F,
}

impl<F: Fn(&str) -> Option<String>> RawValues<'_, F> {
    /// The environment wins over the file; an empty environment variable counts as unset,
    /// because `FOO= cmd` is how people unset things in shell scripts.
    fn get(&self, key: &Key) -> Option<String> {
        (self.env)(key.env)
            .filter(|value| !value.is_empty())
            .or_else(|| self.file.get(key.toml).cloned())
    }

    /// A whole number in `min..=max`, or `default` when unset; a bad value is reported and
    /// the default stands in so the rest can still be checked.
    fn number(
        &self,
        key: &Key,
        default: i64,
        min: i64,
        max: i64,
        problems: &mut Vec<String>,
    ) -> i64 {
        match self.get(key).map(|value| parse_in_range(&value, min, max)) {
            None => default,
            Some(Ok(number)) => number,
            Some(Err(why)) => {
                report(problems, key, Err(why));
                default
            }
        }
    }

    /// `true`/`false` (or 1/0, yes/no, on/off), like [`RawValues::number`].
    fn flag(&self, key: &Key, default: bool, problems: &mut Vec<String>) -> bool {
        match self.get(key).map(|value| parse_bool(&value)) {
            None => default,
            Some(Ok(flag)) => flag,
            Some(Err(why)) => {
                report(problems, key, Err(why));
                default
            }
        }
    }

    /// `None` (or a non-empty `problems`) when anything is wrong.
    fn parse(&self, problems: &mut Vec<String>) -> Option<Settings> {
        let database_url = self
            .get(&DATABASE_URL)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        report(
            problems,
            &DATABASE_URL,
            validate_database_url(&database_url),
        );

        let pool_size = self.number(&DATABASE_POOL_SIZE, 10, 1, 1000, problems);

        let redis_url = self.get(&REDIS_URL);
        if let Some(url) = &redis_url {
            report(problems, &REDIS_URL, validate_redis_url(url));
        }

        let prefix = self
            .get(&CACHE_PREFIX)
            .unwrap_or_else(|| "guidedesk".into());
        report(problems, &CACHE_PREFIX, validate_prefix(&prefix));

        let listen = self.get(&LISTEN).unwrap_or_else(|| DEFAULT_LISTEN.into());
        report(problems, &LISTEN, validate_listen(&listen));

        let public_url = self.get(&PUBLIC_URL).map(|v| parse_http_url(&v));
        if let Some(Err(why)) = &public_url {
            report(problems, &PUBLIC_URL, Err(why.clone()));
        }

        let sidebar_dir = self.get(&SIDEBAR_DIR).unwrap_or_else(|| "dist".into());

        let shutdown = self.number(&SHUTDOWN_TIMEOUT, 30, 0, 600, problems);

        let worker = self.flag(&INBOX_WORKER, true, problems);
        let lease = self.number(&INBOX_LEASE, 60, 1, 3600, problems);
        let attempts = self.number(&INBOX_MAX_ATTEMPTS, 8, 1, 100, problems);

        let session_ttl = self.number(&SESSION_TTL, 12 * 3600, 1, 30 * 86_400, problems);
        let guide_departments = match self.get(&GUIDE_DEPARTMENTS) {
            None => Vec::new(),
            Some(list) => parse_departments(&list).unwrap_or_else(|why| {
                report(problems, &GUIDE_DEPARTMENTS, Err(why));
                Vec::new()
            }),
        };
        let nightly_at = match self.get(&SYNC_AT) {
            None => NaiveTime::from_hms_opt(3, 0, 0),
            Some(text) if text.trim().eq_ignore_ascii_case("off") => None,
            Some(text) => match NaiveTime::parse_from_str(text.trim(), "%H:%M") {
                Ok(time) => Some(time),
                Err(_) => {
                    report(
                        problems,
                        &SYNC_AT,
                        Err(format!(
                            "`{text}` is not a time of day like 03:00 (or `off`)"
                        )),
                    );
                    None
                }
            },
        };
        let queue_secs = self.number(&SYNC_QUEUE_SECS, 60, 0, 86_400, problems);
        let ingest_secret = self.get(&INGEST_SECRET);
        if ingest_secret.as_ref().is_some_and(|s| s.len() < 16) {
            report(
                problems,
                &INGEST_SECRET,
                Err("must be at least 16 characters (the value is not shown)".into()),
            );
        }

        let oauth_base = parse_http_url(
            &self
                .get(&WECOM_OAUTH_BASE)
                .unwrap_or_else(|| DEFAULT_WECOM_OAUTH_BASE.into()),
        );
        if let Err(why) = &oauth_base {
            report(problems, &WECOM_OAUTH_BASE, Err(why.clone()));
        }

        let api_base = parse_http_url(
            &self
                .get(&WECOM_API_BASE)
                .unwrap_or_else(|| DEFAULT_WECOM_API_BASE.into()),
        );
        if let Err(why) = &api_base {
            report(problems, &WECOM_API_BASE, Err(why.clone()));
        }

        let corp_id = self.get(&WECOM_CORP_ID);
        if let Some(id) = &corp_id {
            report(problems, &WECOM_CORP_ID, validate_corp_id(id));
        }

        let agent_id = self
            .get(&WECOM_AGENT_ID)
            .map(|v| parse_in_range(&v, 1, i64::MAX));
        if let Some(Err(why)) = &agent_id {
            report(problems, &WECOM_AGENT_ID, Err(why.clone()));
        }

        let secret = self.get(&WECOM_SECRET);
        let callback_token = self.get(&WECOM_CALLBACK_TOKEN);
        if let Some(token) = &callback_token {
            report(
                problems,
                &WECOM_CALLBACK_TOKEN,
                validate_callback_token(token),
            );
        }
        let callback_aes_key = self.get(&WECOM_CALLBACK_AES_KEY);
        if let Some(key) = &callback_aes_key {
            report(problems, &WECOM_CALLBACK_AES_KEY, validate_aes_key(key));
        }
        // Half a callback configuration would only fail on WeCom's first delivery.
        match (&callback_token, &callback_aes_key, &corp_id) {
            (None, None, _) | (Some(_), Some(_), Some(_)) => {}
            (Some(_), None, _) => report(
                problems,
                &WECOM_CALLBACK_AES_KEY,
                Err("must be set together with WECOM_CALLBACK_TOKEN".into()),
            ),
            (None, Some(_), _) => report(
                problems,
                &WECOM_CALLBACK_TOKEN,
                Err("must be set together with WECOM_CALLBACK_AES_KEY".into()),
            ),
            (Some(_), Some(_), None) => report(
                problems,
                &WECOM_CORP_ID,
                Err("is needed to receive callbacks (it is their receiveid)".into()),
            ),
        }
        let max_skew = self.number(&WECOM_CALLBACK_MAX_SKEW, 300, 0, 86_400, problems);

        let api_base = api_base.ok()?;
        let oauth_base = oauth_base.ok()?;
        Some(Settings {
            database: DatabaseSettings {
                url: Secret::new(database_url),
                pool_size: pool_size as u32,
            },
            cache: CacheSettings {
                redis_url: redis_url.map(Secret::new),
                prefix,
            },
            listen,
            public_url: public_url.and_then(Result::ok),
            sidebar_dir: PathBuf::from(sidebar_dir),
            shutdown_timeout_secs: shutdown as u64,
            inbox: InboxSettings {
                worker,
                lease_secs: lease as u64,
                max_attempts: attempts as u32,
            },
            ingest_secret: ingest_secret.map(Secret::new),
            sync: crate::sync::schedule::SyncSchedule {
                nightly_at,
                queue_every: (queue_secs > 0)
                    .then(|| std::time::Duration::from_secs(queue_secs as u64)),
            },
            auth: AuthSettings {
                session_ttl_secs: session_ttl as u64,
                guide_departments,
            },
            wecom: WecomSettings {
                api_base,
                oauth_base,
                corp_id,
                agent_id: agent_id.and_then(Result::ok),
                secret: secret.map(Secret::new),
                callback_token: callback_token.map(Secret::new),
                callback_aes_key: callback_aes_key.map(Secret::new),
                callback_max_skew_secs: max_skew as u64,
            },
        })
    }
}

/// Records a problem with a key, naming it as both environment and config file know it.
fn report(problems: &mut Vec<String>, key: &Key, result: Result<(), String>) {
    if let Err(why) = result {
        problems.push(format!(
            "{} (`{}` in the config file): {why}",
            key.env, key.toml
        ));
    }
}

fn parse_in_range(value: &str, min: i64, max: i64) -> Result<i64, String> {
    match value.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} is out of range ({min} to {max})")),
        Err(_) => Err(format!("`{value}` is not a whole number")),
    }
}

/// `101,102`: WeCom department ids, separated by commas (spaces allowed).
fn parse_departments(list: &str) -> Result<Vec<i64>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{id}` is not a department id (a whole number above 0)"))
        })
        .collect()
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("`{value}` is not true or false")),
    }
}

fn validate_database_url(url: &str) -> Result<(), String> {
    let redacted = redact_url(url);
    if url.starts_with("sqlite:") {
        return Ok(());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Url::parse(url)
            .map(|_| ())
            .map_err(|err| format!("`{redacted}` is not a valid URL: {err}"));
    }
    Err(format!(
        "`{redacted}` must start with sqlite: or postgres://"
    ))
}

fn validate_redis_url(url: &str) -> Result<(), String> {
    let redacted = redact_url(url);
    match Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "redis" | "rediss" | "unix" | "redis+unix") => {
            Ok(())
        }
        Ok(_) => Err(format!(
            "`{redacted}` must start with redis:// or rediss://"
        )),
        Err(err) => Err(format!("`{redacted}` is not a valid URL: {err}")),
    }
}

fn validate_prefix(prefix: &str) -> Result<(), String> {
    if prefix.is_empty() || prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("must be non-empty, without spaces".into())
    } else {
        Ok(())
    }
}

fn validate_listen(listen: &str) -> Result<(), String> {
    match listen.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(()),
        _ => Err(format!(
            "`{listen}` is not a host:port address (e.g. 127.0.0.1:8080)"
        )),
    }
}

fn parse_http_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|err| format!("`{value}` is not a valid URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "`{value}` must be an http:// or https:// URL with a host"
        ));
    }
    Ok(url)
}

fn validate_corp_id(id: &str) -> Result<(), String> {
    if id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a CorpID (letters and digits, e.g. ww1234567890abcdef)"
        ))
    }
}

/// WeCom: "Token 可由英文或数字组成且长度不超过32位". The value itself is never echoed.
fn validate_callback_token(token: &str) -> Result<(), String> {
    if token.len() <= 32 && token.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err("must be at most 32 letters or digits, as WeCom's console generates it".into())
    }
}

/// The EncodingAESKey is 43 base64 characters that decode (with one `=`) to a 32-byte key.
/// Its last character usually carries non-zero padding bits (WeCom's own sample key does),
/// which a strict decoder rejects, so trailing bits are allowed.
fn validate_aes_key(key: &str) -> Result<(), String> {
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let decoded = lenient.decode(format!("{key}="));
    match decoded {
        Ok(bytes) if key.len() == 43 && bytes.len() == 32 => Ok(()),
        _ => Err(format!(
            "must be the 43-character EncodingAESKey from WeCom's console (got {} characters)",
            key.chars().count()
        )),
    }
}

/// Removes the password (and user) from a URL so it can be logged.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() || !parsed.username().is_empty() => {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("***");
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) if url.starts_with("sqlite:") => url.to_owned(),
        Err(_) => "(unparseable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(env: &[(&str, &str)], file: Option<&str>) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("guidedesk.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        Settings::load_from(file.map(|_| path.as_path()), |name| env.get(name).cloned())
    }

    const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

    #[test]
    fn defaults_are_the_embedded_ones() {
        let settings = load(&[], None).unwrap();
        assert_eq!(settings.database.url.expose(), DEFAULT_DATABASE_URL);
        assert!(settings.database.is_sqlite());
        assert!(settings.cache.redis_url.is_none());
        assert_eq!(settings.listen, "127.0.0.1:8080");
        assert_eq!(
            settings.wecom.api_base.as_str(),
            "https://qyapi.weixin.qq.com/"
        );
        assert_eq!(settings.public_base_url(8080), "http://127.0.0.1:8080");
        assert_eq!(settings.auth.session_ttl_secs, 12 * 3600);
        assert_eq!(settings.sync.nightly_at, NaiveTime::from_hms_opt(3, 0, 0));
        assert_eq!(
            settings.sync.queue_every,
            Some(std::time::Duration::from_secs(60))
        );
        assert!(settings.auth.guide_departments.is_empty());
        assert_eq!(
            settings.wecom.oauth_base.as_str(),
            "https://open.weixin.qq.com/"
        );
    }

    #[test]
    fn the_nightly_sync_time_is_a_time_of_day_or_off() {
        let at = |value: &str| load(&[("GUIDEDESK_SYNC_AT", value)], None);
        assert_eq!(
            at("22:30").unwrap().sync.nightly_at,
            NaiveTime::from_hms_opt(22, 30, 0)
        );
        assert_eq!(at("off").unwrap().sync.nightly_at, None);
        let err = at("3am").unwrap_err().to_string();
        assert!(err.contains("GUIDEDESK_SYNC_AT"), "{err}");
        let queue = load(&[("GUIDEDESK_SYNC_QUEUE_SECS", "0")], None).unwrap();
        assert_eq!(queue.sync.queue_every, None);
    }

    #[test]
    fn guide_departments_are_a_list_of_ids() {
        let settings = load(&[("GUIDEDESK_GUIDE_DEPARTMENTS", "101, 102,")], None).unwrap();
        assert_eq!(settings.auth.guide_departments, vec![101, 102]);
        let err = load(&[("GUIDEDESK_GUIDE_DEPARTMENTS", "101,store")], None).unwrap_err();
        assert!(
            err.to_string()
                .contains("GUIDEDESK_GUIDE_DEPARTMENTS (`guide_departments` in the config file): `store` is not a department id"),
            "{err}"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let file =
            "listen = \"127.0.0.1:9000\"\n[wecom]\ncorp_id = \"wwfile\"\nagent_id = 1000002\n";
        let settings = load(&[("GUIDEDESK_LISTEN", "127.0.0.1:9100")], Some(file)).unwrap();
        assert_eq!(settings.listen, "127.0.0.1:9100");
        assert_eq!(settings.wecom.corp_id.as_deref(), Some("wwfile"));
        assert_eq!(settings.wecom.agent_id, Some(1_000_002));
    }

    #[test]
    fn bad_values_are_all_reported_by_key() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "DATABASE_URL",
                "mysql://x",
                "must start with sqlite: or postgres://",
            ),
            ("GUIDEDESK_DATABASE_POOL_SIZE", "0", "out of range"),
            ("REDIS_URL", "http://x", "must start with redis://"),
            ("GUIDEDESK_LISTEN", "nowhere", "not a host:port"),
            ("GUIDEDESK_PUBLIC_URL", "ftp://x", "http:// or https://"),
            ("WECOM_API_BASE", "not a url", "not a valid URL"),
            ("WECOM_AGENT_ID", "abc", "not a whole number"),
            ("WECOM_CORP_ID", "ww-bad!", "not a CorpID"),
            (
                "WECOM_CALLBACK_TOKEN",
                "has spaces in it",
                "at most 32 letters",
            ),
            ("WECOM_CALLBACK_AES_KEY", "short", "43-character"),
        ];
        for (key, value, expected) in cases {
            let err = load(&[(key, value)], None).expect_err(key);
            let text = err.to_string();
            assert!(
                text.contains(key),
                "{key}: message does not name the key: {text}"
            );
            assert!(
                text.contains(expected),
                "{key}: expected `{expected}` in: {text}"
            );
        }
        let all: Vec<(&str, &str)> = cases.iter().map(|(k, v, _)| (*k, *v)).collect();
        let err = load(&all, None).unwrap_err();
        assert_eq!(
            err.problems.len(),
            cases.len(),
            "every bad key is reported at once"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_or_errors() {
        let settings = load(
            &[
                ("WECOM_SECRET", "topsecretvalue"),
                ("WECOM_CORP_ID", "ww0123456789abcdef"),
                ("WECOM_CALLBACK_TOKEN", "tokenvalue123"),
                ("WECOM_CALLBACK_AES_KEY", AES_KEY),
                (
                    "DATABASE_URL",
                    "postgres://app:dbpassword@db.example/guidedesk",
                ),
                ("REDIS_URL", "redis://:redispassword@cache.example/0"),
            ],
            None,
        )
        .unwrap();
        let debug = format!("{settings:?}");
        for secret in [
            "topsecretvalue",
            "tokenvalue123",
            AES_KEY,
            "dbpassword",
            "redispassword",
        ] {
            assert!(!debug.contains(secret), "{secret} leaked into Debug output");
        }
        assert!(!settings.database.describe().contains("dbpassword"));

        let err = load(
            &[("WECOM_CALLBACK_AES_KEY", "s3cr3t-but-wrong-length")],
            None,
        )
        .unwrap_err();
        assert!(
            !err.to_string().contains("s3cr3t"),
            "a bad secret is never echoed"
        );
        let err = load(&[("DATABASE_URL", "mysql://u:hunter2@h/db")], None).unwrap_err();
        assert!(
            !err.to_string().contains("hunter2"),
            "a bad URL's password is never echoed"
        );
    }

    #[test]
    fn unknown_file_keys_and_bad_toml_are_reported() {
        let err = load(&[], Some("databse_url = \"sqlite://x\"\n")).unwrap_err();
        assert!(
            err.to_string().contains("unknown key `databse_url`"),
            "{err}"
        );
        let err = load(&[], Some("listen = \n")).unwrap_err();
        assert!(err.to_string().contains("not valid TOML"), "{err}");
    }

    #[test]
    fn the_callback_settings_come_all_together() {
        let token = ("WECOM_CALLBACK_TOKEN", "tokenvalue123");
        let key = ("WECOM_CALLBACK_AES_KEY", AES_KEY);
        let corp = ("WECOM_CORP_ID", "ww0123456789abcdef");
        type Env<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Env, Option<&str>)] = &[
            (&[], None),
            (&[token, key, corp], None),
            (&[token], Some("WECOM_CALLBACK_AES_KEY")),
            (&[key, corp], Some("WECOM_CALLBACK_TOKEN")),
            (&[token, key], Some("WECOM_CORP_ID")),
        ];
        for (env, missing) in cases {
            match (load(env, None), missing) {
                (Ok(_), None) => {}
                (Err(err), Some(key)) => assert!(err.to_string().contains(key), "{err}"),
                (result, _) => panic!("{env:?}: expected {missing:?}, got {:?}", result.err()),
            }
        }
    }

    #[test]
    fn a_valid_aes_key_is_accepted() {
        assert!(validate_aes_key(AES_KEY).is_ok());
    }
}
