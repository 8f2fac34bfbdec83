//! The cache as the WeCom client's credential store: tokens and tickets are shared by every
//! replica through the same cache as sessions.

use std::sync::Arc;
use std::time::Duration;

use super::{CacheError, SharedCache};
use crate::wecom::credentials::{CredentialStore, SharedStore, StoreError};

struct CacheCredentials(SharedCache);

/// The WeCom client's store, backed by `cache`.
pub fn credential_store(cache: &SharedCache) -> SharedStore {
    Arc::new(CacheCredentials(Arc::clone(cache)))
}

fn unreachable(err: CacheError) -> StoreError {
    StoreError(err.to_string())
}

#[async_trait::async_trait]
impl CredentialStore for CacheCredentials {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get(key).await.map_err(unreachable)
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StoreError> {
        self.0.set(key, value, ttl).await.map_err(unreachable)
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        self.0
            .set_if_absent(key, value, ttl)
            .await
            .map_err(unreachable)
    }

    async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.0.delete(key).await.map_err(unreachable)
    }
}
