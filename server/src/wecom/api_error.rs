//! What a WeCom API call can fail with.

use super::credentials::StoreError;

/// WeCom's "system busy" errcode: retried with backoff.
pub(super) const SYSTEM_BUSY: i64 = -1;
/// WeCom's "rate limited" errcode: backed off and retried.
pub(super) const RATE_LIMITED: i64 = 45009;
/// Attempts for a busy or rate-limited answer, the first included.
pub(super) const MAX_ATTEMPTS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum WecomError {
    #[error("WeCom answered errcode {code}: {message}")]
    Api { code: i64, message: String },
    #[error("WeCom is busy (errcode -1) after {MAX_ATTEMPTS} attempts")]
    Busy,
    #[error("WeCom rate-limited the call (errcode 45009) after {MAX_ATTEMPTS} attempts")]
    RateLimited,
    #[error("WeCom could not be reached: {0}")]
    Transport(String),
    #[error("WeCom's answer to {path} was not understood: {detail}")]
    Decode { path: String, detail: String },
    #[error("the WeCom app is not configured ({0})")]
    NotConfigured(&'static str),
    #[error(transparent)]
    Cache(#[from] StoreError),
}

impl WecomError {
    /// WeCom's errcode, where it gave one.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } => Some(*code),
            Self::Busy => Some(SYSTEM_BUSY),
            Self::RateLimited => Some(RATE_LIMITED),
            _ => None,
        }
    }
}
