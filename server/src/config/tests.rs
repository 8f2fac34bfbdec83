//! The settings as a deployer meets them: defaults, overrides, and every mistake reported.

use super::validate::validate_aes_key;
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
    let file = "listen = \"127.0.0.1:9000\"\n[wecom]\ncorp_id = \"wwfile\"\nagent_id = 1000002\n";
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

#[test]
fn stamp_keys_are_read_checked_and_never_shown() {
    assert!(
        load(&[], None).unwrap().stamp.is_none(),
        "no keys: no stamping"
    );
    let secret = "the-current-stamp-key-of-this-brand-00002";
    let settings = load(
        &[
            (
                "GUIDEDESK_STAMP_KEYS",
                &format!("k2:{secret}, k1:older-key-still-verifying-000000001"),
            ),
            ("GUIDEDESK_STAMP_PARAMS", "share=s,signature=sig"),
            ("GUIDEDESK_STAMP_MAX_AGE_DAYS", "30"),
        ],
        None,
    )
    .unwrap();
    let stamp = settings.stamp.as_ref().unwrap();
    assert_eq!(stamp.keys.current().0, "k2");
    assert!(stamp.keys.secret("k1").is_some());
    assert_eq!(
        (stamp.params.share.as_str(), stamp.params.signature.as_str()),
        ("s", "sig")
    );
    assert_eq!(stamp.max_age_secs, 30 * 86_400);
    assert!(
        !format!("{settings:?}").contains(secret),
        "the key leaked into Debug"
    );

    let err = load(
        &[
            ("GUIDEDESK_STAMP_KEYS", "k1:tooshortsecret"),
            ("GUIDEDESK_STAMP_PARAMS", "share=gd_sig"),
            ("GUIDEDESK_STAMP_MAX_AGE_DAYS", "0"),
        ],
        None,
    )
    .unwrap_err()
    .to_string();
    for key in [
        "GUIDEDESK_STAMP_KEYS",
        "GUIDEDESK_STAMP_PARAMS",
        "GUIDEDESK_STAMP_MAX_AGE_DAYS",
    ] {
        assert!(err.contains(key), "{key} in {err}");
    }
    assert!(!err.contains("tooshortsecret"), "{err}");
}

#[test]
fn the_mall_pages_are_read_from_the_file_or_the_environment_and_checked() {
    let settings = load(
        &[("GUIDEDESK_MINIPROGRAM_APPID", "wx0123456789abcdef")],
        Some(
            "[mall]\ncoupon_url = \"https://mall.example.com/coupon/claim?template={id}\"\n\
             miniprogram_product_page = \"pages/product/detail.html?id={id}\"\n\
             coupon_claim_hours = 48\n",
        ),
    )
    .unwrap();
    let mall = &settings.mall;
    assert_eq!(
        mall.coupon_url.as_deref(),
        Some("https://mall.example.com/coupon/claim?template={id}")
    );
    let mini = mall.miniprogram.as_ref().unwrap();
    assert_eq!(mini.appid, "wx0123456789abcdef");
    assert_eq!(
        mini.product_page.as_deref(),
        Some("pages/product/detail.html?id={id}")
    );
    assert_eq!(mall.coupon_claim_hours, 48);
    assert!(load(&[], None).unwrap().mall.coupon_url.is_none());

    let err = load(
        &[
            (
                "GUIDEDESK_MALL_COUPON_URL",
                "https://mall.example.com/claim",
            ),
            ("GUIDEDESK_MALL_PRODUCT_URL", "ftp://mall.example.com/{id}"),
            (
                "GUIDEDESK_MINIPROGRAM_COUPON_PAGE",
                "pages/coupon/claim?t={id}",
            ),
            ("GUIDEDESK_CARD_IMAGE_URL", "not a url"),
            ("GUIDEDESK_COUPON_CLAIM_HOURS", "0"),
        ],
        None,
    )
    .unwrap_err()
    .to_string();
    for key in [
        "GUIDEDESK_MALL_COUPON_URL",
        "GUIDEDESK_MALL_PRODUCT_URL",
        "GUIDEDESK_MINIPROGRAM_COUPON_PAGE",
        "GUIDEDESK_CARD_IMAGE_URL",
        "GUIDEDESK_COUPON_CLAIM_HOURS",
    ] {
        assert!(err.contains(key), "{key} in {err}");
    }
}
