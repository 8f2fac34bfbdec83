//! Every configuration key: its environment name (the product's interface, documented in the
//! README) and its name in the TOML file.

/// One configuration key: its environment name and its name in the TOML file.
pub(super) struct Key {
    pub env: &'static str,
    pub toml: &'static str,
}

pub(super) const DATABASE_URL: Key = Key {
    env: "DATABASE_URL",
    toml: "database_url",
};
pub(super) const DATABASE_POOL_SIZE: Key = Key {
    env: "GUIDEDESK_DATABASE_POOL_SIZE",
    toml: "database_pool_size",
};
pub(super) const REDIS_URL: Key = Key {
    env: "REDIS_URL",
    toml: "redis_url",
};
pub(super) const CACHE_PREFIX: Key = Key {
    env: "GUIDEDESK_CACHE_PREFIX",
    toml: "cache_prefix",
};
pub(super) const LISTEN: Key = Key {
    env: "GUIDEDESK_LISTEN",
    toml: "listen",
};
pub(super) const METRICS_LISTEN: Key = Key {
    env: "GUIDEDESK_METRICS_LISTEN",
    toml: "metrics_listen",
};
pub(super) const PUBLIC_URL: Key = Key {
    env: "GUIDEDESK_PUBLIC_URL",
    toml: "public_url",
};
pub(super) const SIDEBAR_DIR: Key = Key {
    env: "GUIDEDESK_SIDEBAR_DIR",
    toml: "sidebar_dir",
};
pub(super) const SHUTDOWN_TIMEOUT: Key = Key {
    env: "GUIDEDESK_SHUTDOWN_TIMEOUT_SECS",
    toml: "shutdown_timeout_secs",
};
pub(super) const INBOX_WORKER: Key = Key {
    env: "GUIDEDESK_INBOX_WORKER",
    toml: "inbox.worker",
};
pub(super) const INBOX_LEASE: Key = Key {
    env: "GUIDEDESK_INBOX_LEASE_SECS",
    toml: "inbox.lease_secs",
};
pub(super) const INBOX_MAX_ATTEMPTS: Key = Key {
    env: "GUIDEDESK_INBOX_MAX_ATTEMPTS",
    toml: "inbox.max_attempts",
};
pub(super) const SESSION_TTL: Key = Key {
    env: "GUIDEDESK_SESSION_TTL_SECS",
    toml: "session_ttl_secs",
};
pub(super) const GUIDE_DEPARTMENTS: Key = Key {
    env: "GUIDEDESK_GUIDE_DEPARTMENTS",
    toml: "guide_departments",
};
pub(super) const INGEST_SECRET: Key = Key {
    env: "GUIDEDESK_INGEST_SECRET",
    toml: "ingest_secret",
};
pub(super) const SYNC_AT: Key = Key {
    env: "GUIDEDESK_SYNC_AT",
    toml: "sync.at",
};
pub(super) const SYNC_QUEUE_SECS: Key = Key {
    env: "GUIDEDESK_SYNC_QUEUE_SECS",
    toml: "sync.queue_secs",
};
pub(super) const WECOM_OAUTH_BASE: Key = Key {
    env: "WECOM_OAUTH_BASE",
    toml: "wecom.oauth_base",
};
pub(super) const WECOM_API_BASE: Key = Key {
    env: "WECOM_API_BASE",
    toml: "wecom.api_base",
};
pub(super) const WECOM_CORP_ID: Key = Key {
    env: "WECOM_CORP_ID",
    toml: "wecom.corp_id",
};
pub(super) const WECOM_AGENT_ID: Key = Key {
    env: "WECOM_AGENT_ID",
    toml: "wecom.agent_id",
};
pub(super) const WECOM_SECRET: Key = Key {
    env: "WECOM_SECRET",
    toml: "wecom.secret",
};
pub(super) const WECOM_CALLBACK_TOKEN: Key = Key {
    env: "WECOM_CALLBACK_TOKEN",
    toml: "wecom.callback_token",
};
pub(super) const WECOM_CALLBACK_MAX_SKEW: Key = Key {
    env: "WECOM_CALLBACK_MAX_SKEW_SECS",
    toml: "wecom.callback_max_skew_secs",
};
pub(super) const WECOM_CALLBACK_AES_KEY: Key = Key {
    env: "WECOM_CALLBACK_AES_KEY",
    toml: "wecom.callback_aes_key",
};
pub(super) const STAMP_KEYS: Key = Key {
    env: "GUIDEDESK_STAMP_KEYS",
    toml: "stamp.keys",
};
pub(super) const STAMP_PARAMS: Key = Key {
    env: "GUIDEDESK_STAMP_PARAMS",
    toml: "stamp.params",
};
pub(super) const STAMP_MAX_AGE_DAYS: Key = Key {
    env: "GUIDEDESK_STAMP_MAX_AGE_DAYS",
    toml: "stamp.max_age_days",
};
pub(super) const MALL_COUPON_URL: Key = Key {
    env: "GUIDEDESK_MALL_COUPON_URL",
    toml: "mall.coupon_url",
};
pub(super) const MALL_PRODUCT_URL: Key = Key {
    env: "GUIDEDESK_MALL_PRODUCT_URL",
    toml: "mall.product_url",
};
pub(super) const MINIPROGRAM_APPID: Key = Key {
    env: "GUIDEDESK_MINIPROGRAM_APPID",
    toml: "mall.miniprogram_appid",
};
pub(super) const MINIPROGRAM_COUPON_PAGE: Key = Key {
    env: "GUIDEDESK_MINIPROGRAM_COUPON_PAGE",
    toml: "mall.miniprogram_coupon_page",
};
pub(super) const MINIPROGRAM_PRODUCT_PAGE: Key = Key {
    env: "GUIDEDESK_MINIPROGRAM_PRODUCT_PAGE",
    toml: "mall.miniprogram_product_page",
};
pub(super) const CARD_IMAGE_URL: Key = Key {
    env: "GUIDEDESK_CARD_IMAGE_URL",
    toml: "mall.card_image_url",
};
pub(super) const COUPON_CLAIM_HOURS: Key = Key {
    env: "GUIDEDESK_COUPON_CLAIM_HOURS",
    toml: "mall.coupon_claim_hours",
};
pub(super) const BINDING_LOCK_DAYS: Key = Key {
    env: "GUIDEDESK_BINDING_LOCK_DAYS",
    toml: "attribution.binding_lock_days",
};
pub(super) const PURCHASE_BINDS: Key = Key {
    env: "GUIDEDESK_PURCHASE_BINDS",
    toml: "attribution.purchase_binds",
};
pub(super) const BINDING_STORE_MUST_MATCH: Key = Key {
    env: "GUIDEDESK_BINDING_STORE_MUST_MATCH",
    toml: "attribution.binding_store_must_match",
};
pub(super) const CREDIT_RULES: Key = Key {
    env: "GUIDEDESK_CREDIT_RULES",
    toml: "attribution.credit_rules",
};
pub(super) const LAST_SHARE_DAYS: Key = Key {
    env: "GUIDEDESK_LAST_SHARE_DAYS",
    toml: "attribution.last_share_days",
};
pub(super) const CREDIT_SPLIT: Key = Key {
    env: "GUIDEDESK_CREDIT_SPLIT",
    toml: "attribution.credit_split",
};
pub(super) const REPORT_HQ_USERIDS: Key = Key {
    env: "GUIDEDESK_REPORT_HQ_USERIDS",
    toml: "reports.hq_userids",
};
pub(super) const REPORT_MANAGER_POSITIONS: Key = Key {
    env: "GUIDEDESK_REPORT_MANAGER_POSITIONS",
    toml: "reports.manager_positions",
};
pub(super) const COMMISSION_BASIS_POINTS: Key = Key {
    env: "GUIDEDESK_COMMISSION_BASIS_POINTS",
    toml: "reports.commission_basis_points",
};

pub(super) const RATE_LIMIT_PER_IP: Key = Key {
    env: "GUIDEDESK_RATE_LIMIT_PER_IP",
    toml: "limits.per_ip_per_minute",
};
pub(super) const RATE_LIMIT_GLOBAL: Key = Key {
    env: "GUIDEDESK_RATE_LIMIT_GLOBAL",
    toml: "limits.global_per_second",
};
pub(super) const TRUST_FORWARDED_FOR: Key = Key {
    env: "GUIDEDESK_TRUST_X_FORWARDED_FOR",
    toml: "limits.trust_x_forwarded_for",
};
pub(super) const CALLBACK_MAX_IN_FLIGHT: Key = Key {
    env: "GUIDEDESK_CALLBACK_MAX_IN_FLIGHT",
    toml: "limits.callback_max_in_flight",
};

pub(super) const ALL_KEYS: &[&Key] = &[
    &DATABASE_URL,
    &DATABASE_POOL_SIZE,
    &REDIS_URL,
    &CACHE_PREFIX,
    &LISTEN,
    &METRICS_LISTEN,
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
    &STAMP_KEYS,
    &STAMP_PARAMS,
    &STAMP_MAX_AGE_DAYS,
    &MALL_COUPON_URL,
    &MALL_PRODUCT_URL,
    &MINIPROGRAM_APPID,
    &MINIPROGRAM_COUPON_PAGE,
    &MINIPROGRAM_PRODUCT_PAGE,
    &CARD_IMAGE_URL,
    &COUPON_CLAIM_HOURS,
    &BINDING_LOCK_DAYS,
    &PURCHASE_BINDS,
    &BINDING_STORE_MUST_MATCH,
    &CREDIT_RULES,
    &LAST_SHARE_DAYS,
    &CREDIT_SPLIT,
    &REPORT_HQ_USERIDS,
    &REPORT_MANAGER_POSITIONS,
    &COMMISSION_BASIS_POINTS,
    &RATE_LIMIT_PER_IP,
    &RATE_LIMIT_GLOBAL,
    &TRUST_FORWARDED_FOR,
    &CALLBACK_MAX_IN_FLIGHT,
];
