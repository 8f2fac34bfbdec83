//! One reader per section of the settings. Each reports every problem it finds by key and
//! returns what it could read, so that one start-up names all that is wrong at once.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveTime;
use url::Url;

use super::keys::*;
use super::source::RawValues;
use super::validate::*;
use super::{
    AuthSettings, CacheSettings, DEFAULT_DATABASE_URL, DEFAULT_LISTEN, DEFAULT_WECOM_API_BASE,
    DEFAULT_WECOM_OAUTH_BASE, DatabaseSettings, InboxSettings, Settings, StampSettings,
    SyncSchedule, WecomSettings,
};
use crate::secret::Secret;
use crate::stamp::{ParamNames, StampKeys};

/// `None` (or a non-empty `problems`) when anything is wrong.
pub(super) fn settings(raw: &RawValues<'_>, problems: &mut Vec<String>) -> Option<Settings> {
    let database = database(raw, problems);
    let cache = cache(raw, problems);
    let listen = raw.get(&LISTEN).unwrap_or_else(|| DEFAULT_LISTEN.into());
    report(problems, &LISTEN, validate_listen(&listen));
    let metrics_listen = raw.get(&METRICS_LISTEN);
    if let Some(apart) = &metrics_listen {
        report(problems, &METRICS_LISTEN, validate_listen(apart));
    }
    let public_url = raw.get(&PUBLIC_URL).and_then(|value| {
        parse_http_url(&value)
            .map_err(|why| report(problems, &PUBLIC_URL, Err(why)))
            .ok()
    });
    let sidebar_dir = raw.get(&SIDEBAR_DIR).unwrap_or_else(|| "dist".into());
    let shutdown = raw.number(&SHUTDOWN_TIMEOUT, 30, 0, 600, problems);
    let inbox = inbox(raw, problems);
    let auth = auth(raw, problems);
    let sync = sync(raw, problems);
    let ingest_secret = ingest_secret(raw, problems);
    let stamp = stamp(raw, problems);
    let mall = super::mall::mall(raw, problems);
    let attribution = super::attribution::attribution(raw, problems);
    let reports = super::report_settings::reports(raw, problems);
    let limits = super::limit_settings::limits(raw, problems);
    let wecom = wecom(raw, problems)?;
    Some(Settings {
        database,
        cache,
        listen,
        metrics_listen,
        public_url,
        sidebar_dir: PathBuf::from(sidebar_dir),
        shutdown_timeout_secs: shutdown as u64,
        inbox,
        auth,
        sync,
        ingest_secret,
        wecom,
        stamp,
        mall,
        attribution,
        reports,
        limits,
    })
}

fn database(raw: &RawValues<'_>, problems: &mut Vec<String>) -> DatabaseSettings {
    let url = raw
        .get(&DATABASE_URL)
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
    report(problems, &DATABASE_URL, validate_database_url(&url));
    let pool_size = raw.number(&DATABASE_POOL_SIZE, 10, 1, 1000, problems);
    DatabaseSettings {
        url: Secret::new(url),
        pool_size: pool_size as u32,
    }
}

fn cache(raw: &RawValues<'_>, problems: &mut Vec<String>) -> CacheSettings {
    let redis_url = raw.get(&REDIS_URL);
    if let Some(url) = &redis_url {
        report(problems, &REDIS_URL, validate_redis_url(url));
    }
    let prefix = raw.get(&CACHE_PREFIX).unwrap_or_else(|| "guidedesk".into());
    report(problems, &CACHE_PREFIX, validate_prefix(&prefix));
    CacheSettings {
        redis_url: redis_url.map(Secret::new),
        prefix,
    }
}

fn inbox(raw: &RawValues<'_>, problems: &mut Vec<String>) -> InboxSettings {
    InboxSettings {
        worker: raw.flag(&INBOX_WORKER, true, problems),
        lease_secs: raw.number(&INBOX_LEASE, 60, 1, 3600, problems) as u64,
        max_attempts: raw.number(&INBOX_MAX_ATTEMPTS, 8, 1, 100, problems) as u32,
    }
}

fn auth(raw: &RawValues<'_>, problems: &mut Vec<String>) -> AuthSettings {
    let session_ttl = raw.number(&SESSION_TTL, 12 * 3600, 1, 30 * 86_400, problems);
    let guide_departments = match raw.get(&GUIDE_DEPARTMENTS) {
        None => Vec::new(),
        Some(list) => parse_departments(&list).unwrap_or_else(|why| {
            report(problems, &GUIDE_DEPARTMENTS, Err(why));
            Vec::new()
        }),
    };
    AuthSettings {
        session_ttl_secs: session_ttl as u64,
        guide_departments,
    }
}

fn sync(raw: &RawValues<'_>, problems: &mut Vec<String>) -> SyncSchedule {
    let nightly_at = match raw.get(&SYNC_AT) {
        None => NaiveTime::from_hms_opt(3, 0, 0),
        Some(text) if text.trim().eq_ignore_ascii_case("off") => None,
        Some(text) => match NaiveTime::parse_from_str(text.trim(), "%H:%M") {
            Ok(time) => Some(time),
            Err(_) => {
                let why = format!("`{text}` is not a time of day like 03:00 (or `off`)");
                report(problems, &SYNC_AT, Err(why));
                None
            }
        },
    };
    let queue_secs = raw.number(&SYNC_QUEUE_SECS, 60, 0, 86_400, problems);
    SyncSchedule {
        nightly_at,
        queue_every: (queue_secs > 0).then(|| Duration::from_secs(queue_secs as u64)),
    }
}

fn ingest_secret(raw: &RawValues<'_>, problems: &mut Vec<String>) -> Option<Secret> {
    let secret = raw.get(&INGEST_SECRET);
    if secret.as_ref().is_some_and(|s| s.len() < 16) {
        report(
            problems,
            &INGEST_SECRET,
            Err("must be at least 16 characters (the value is not shown)".into()),
        );
    }
    secret.map(Secret::new)
}

/// The stamp's keys (without them nothing is stamped), parameter names and maximum age.
fn stamp(raw: &RawValues<'_>, problems: &mut Vec<String>) -> Option<StampSettings> {
    let max_age_days = raw.number(&STAMP_MAX_AGE_DAYS, 90, 1, 3650, problems);
    let params = match raw
        .get(&STAMP_PARAMS)
        .map(|renames| ParamNames::parse(&renames))
    {
        None => ParamNames::default(),
        Some(Ok(names)) => names,
        Some(Err(why)) => {
            report(problems, &STAMP_PARAMS, Err(why));
            ParamNames::default()
        }
    };
    let keys = StampKeys::parse(&raw.get(&STAMP_KEYS)?)
        .map_err(|why| report(problems, &STAMP_KEYS, Err(why.to_string())))
        .ok()?;
    Some(StampSettings {
        keys,
        params,
        max_age_secs: max_age_days * 86_400,
    })
}

/// An http(s) URL with a default; `None` (reported) when the value is not one.
fn base_url(
    raw: &RawValues<'_>,
    key: &Key,
    default: &str,
    problems: &mut Vec<String>,
) -> Option<Url> {
    let value = raw.get(key).unwrap_or_else(|| default.into());
    parse_http_url(&value)
        .map_err(|why| report(problems, key, Err(why)))
        .ok()
}

/// `None` only when a base URL is unusable; every other problem is reported.
fn wecom(raw: &RawValues<'_>, problems: &mut Vec<String>) -> Option<WecomSettings> {
    let oauth_base = base_url(raw, &WECOM_OAUTH_BASE, DEFAULT_WECOM_OAUTH_BASE, problems);
    let api_base = base_url(raw, &WECOM_API_BASE, DEFAULT_WECOM_API_BASE, problems);
    let corp_id = raw.get(&WECOM_CORP_ID);
    if let Some(id) = &corp_id {
        report(problems, &WECOM_CORP_ID, validate_corp_id(id));
    }
    let agent_id = raw.get(&WECOM_AGENT_ID).and_then(|value| {
        parse_in_range(&value, 1, i64::MAX)
            .map_err(|why| report(problems, &WECOM_AGENT_ID, Err(why)))
            .ok()
    });
    let callback_token = raw.get(&WECOM_CALLBACK_TOKEN);
    if let Some(token) = &callback_token {
        report(
            problems,
            &WECOM_CALLBACK_TOKEN,
            validate_callback_token(token),
        );
    }
    let callback_aes_key = raw.get(&WECOM_CALLBACK_AES_KEY);
    if let Some(key) = &callback_aes_key {
        report(problems, &WECOM_CALLBACK_AES_KEY, validate_aes_key(key));
    }
    check_callback_complete(&callback_token, &callback_aes_key, &corp_id, problems);
    let max_skew = raw.number(&WECOM_CALLBACK_MAX_SKEW, 300, 0, 86_400, problems);
    Some(WecomSettings {
        api_base: api_base?,
        oauth_base: oauth_base?,
        corp_id,
        agent_id,
        secret: raw.get(&WECOM_SECRET).map(Secret::new),
        callback_token: callback_token.map(Secret::new),
        callback_aes_key: callback_aes_key.map(Secret::new),
        callback_max_skew_secs: max_skew as u64,
    })
}

/// Half a callback configuration would only fail on WeCom's first delivery.
fn check_callback_complete(
    token: &Option<String>,
    aes_key: &Option<String>,
    corp_id: &Option<String>,
    problems: &mut Vec<String>,
) {
    let (key, why) = match (token, aes_key, corp_id) {
        (None, None, _) | (Some(_), Some(_), Some(_)) => return,
        (Some(_), None, _) => (
            &WECOM_CALLBACK_AES_KEY,
            "must be set together with WECOM_CALLBACK_TOKEN",
        ),
        (None, Some(_), _) => (
            &WECOM_CALLBACK_TOKEN,
            "must be set together with WECOM_CALLBACK_AES_KEY",
        ),
        (Some(_), Some(_), None) => (
            &WECOM_CORP_ID,
            "is needed to receive callbacks (it is their receiveid)",
        ),
    };
    report(problems, key, Err(why.into()));
}
