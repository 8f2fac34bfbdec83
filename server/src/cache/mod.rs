//! One cache interface with two homes: in-process (one server, the default) and Redis
//! (required when more than one server replica runs, so tokens, tickets, sessions and
//! replay nonces are shared).

mod memory;
mod redis;
mod wecom_store;

use std::sync::Arc;
use std::time::Duration;

pub use memory::MemoryCache;
pub use redis::RedisCache;
pub use wecom_store::credential_store;

use crate::config::CacheSettings;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("the cache is unreachable: {0}")]
    Unreachable(String),
}

#[async_trait::async_trait]
pub trait Cache: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError>;

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError>;

    /// Stores the value only if the key is absent (or expired) and says whether it did:
    /// the primitive behind locks (one refresher at a time) and dedupe (first one wins).
    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, CacheError>;

    /// Removes the key; says whether it was there.
    async fn delete(&self, key: &str) -> Result<bool, CacheError>;

    /// A round trip to the backing store, for `/readyz`.
    async fn ping(&self) -> Result<(), CacheError>;

    /// `memory` or `redis`, for logs and readiness answers.
    fn kind(&self) -> &'static str;
}

pub type SharedCache = Arc<dyn Cache>;

/// Builds the cache the settings ask for; Redis must be reachable at start-up.
pub async fn connect(settings: &CacheSettings) -> Result<SharedCache, CacheError> {
    match &settings.redis_url {
        Some(url) => Ok(Arc::new(
            RedisCache::connect(url.expose(), &settings.prefix).await?,
        )),
        None => Ok(Arc::new(MemoryCache::new())),
    }
}

/// Redis rejects a zero expiry; a TTL below a millisecond means "expire at once".
fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}
