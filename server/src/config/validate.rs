//! Checks of single values: each says what is wrong in words a deployer can act on, and
//! never echoes a secret.

use std::net::ToSocketAddrs;

use base64::Engine;
use url::Url;

use super::keys::Key;
use crate::secret::redact_url;

/// Records a problem with a key, naming it as both environment and config file know it.
pub(super) fn report(problems: &mut Vec<String>, key: &Key, result: Result<(), String>) {
    if let Err(why) = result {
        problems.push(format!(
            "{} (`{}` in the config file): {why}",
            key.env, key.toml
        ));
    }
}

pub(super) fn parse_in_range(value: &str, min: i64, max: i64) -> Result<i64, String> {
    match value.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} is out of range ({min} to {max})")),
        Err(_) => Err(format!("`{value}` is not a whole number")),
    }
}

/// `101,102`: WeCom department ids, separated by commas (spaces allowed).
pub(super) fn parse_departments(list: &str) -> Result<Vec<i64>, String> {
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

pub(super) fn parse_bool(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("`{value}` is not true or false")),
    }
}

pub(super) fn validate_database_url(url: &str) -> Result<(), String> {
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

pub(super) fn validate_redis_url(url: &str) -> Result<(), String> {
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

pub(super) fn validate_prefix(prefix: &str) -> Result<(), String> {
    if prefix.is_empty() || prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("must be non-empty, without spaces".into())
    } else {
        Ok(())
    }
}

pub(super) fn validate_listen(listen: &str) -> Result<(), String> {
    match listen.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(()),
        _ => Err(format!(
            "`{listen}` is not a host:port address (e.g. 127.0.0.1:8080)"
        )),
    }
}

pub(super) fn parse_http_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|err| format!("`{value}` is not a valid URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "`{value}` must be an http:// or https:// URL with a host"
        ));
    }
    Ok(url)
}

pub(super) fn validate_corp_id(id: &str) -> Result<(), String> {
    if id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a CorpID (letters and digits, e.g. ww1234567890abcdef)"
        ))
    }
}

/// WeCom: "Token 可由英文或数字组成且长度不超过32位". The value itself is never echoed.
pub(super) fn validate_callback_token(token: &str) -> Result<(), String> {
    if token.len() <= 32 && token.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err("must be at most 32 letters or digits, as WeCom's console generates it".into())
    }
}

/// The EncodingAESKey is 43 base64 characters that decode (with one `=`) to a 32-byte key.
/// Its last character usually carries non-zero padding bits (WeCom's own sample key does),
/// which a strict decoder rejects, so trailing bits are allowed.
pub(super) fn validate_aes_key(key: &str) -> Result<(), String> {
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
