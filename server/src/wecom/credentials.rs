//! The access token and the JS-SDK tickets, kept in a store every replica shares (the app's
//! cache: see [`CredentialStore`]).
//!
//! WeCom rate-limits gettoken and the ticket endpoints (400 corp tickets and 100 app tickets
//! an hour), so every replica must use the same credential and only one may refresh it:
//! - a credential is kept in the cache until a margin before WeCom's expiry;
//! - on a miss, the tasks of one process queue behind one local lock, and the processes
//!   behind one cache lock (set-if-absent with a TTL, so a refresher that dies frees it);
//! - whoever waits re-reads the cache instead of fetching again.
//!
//! Values are secrets: they are never logged, and only this module and the client see them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

/// Where credentials are kept: what the client needs of a cache, and no more. The app hands
/// in its shared cache (in-process, or Redis when several replicas run).
#[async_trait::async_trait]
pub trait CredentialStore: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StoreError>;
    /// Stores the value only if the key is absent, and says whether it did (a lock).
    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError>;
    async fn delete(&self, key: &str) -> Result<bool, StoreError>;
}

pub type SharedStore = Arc<dyn CredentialStore>;

/// The store could not be reached; the text says why (it never holds a credential).
#[derive(Debug, thiserror::Error)]
#[error("the credential store is unreachable: {0}")]
pub struct StoreError(pub String);

/// Refresh this long before WeCom's `expires_in` runs out, so no call carries a token that
/// expires on the way.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);
/// A refresher holds the cross-replica lock at most this long.
const LOCK_TTL: Duration = Duration::from_secs(15);
/// How often a waiter looks whether the refresher has stored the credential.
const WAIT_STEP: Duration = Duration::from_millis(25);

/// What a fetch returns: the value and WeCom's `expires_in`.
pub struct Fetched {
    pub value: String,
    pub expires_in: Duration,
}

/// One cached credential (the token of an app, or one kind of ticket).
pub struct CachedCredential {
    cache: SharedStore,
    key: String,
    lock_key: String,
    local: Mutex<()>,
}

impl CachedCredential {
    /// `key` names the credential, e.g. `wecom:token:{corp}:{agent}`; the cache prefixes it.
    pub fn new(cache: SharedStore, key: String) -> Self {
        Self {
            lock_key: format!("{key}:refreshing"),
            cache,
            key,
            local: Mutex::new(()),
        }
    }

    /// The cached value, or a fresh one from `fetch` (called by at most one task of all the
    /// replicas at a time).
    pub async fn get<F, Fut, E>(&self, fetch: F) -> Result<String, E>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Fetched, E>>,
        E: From<StoreError>,
    {
        if let Some(value) = self.cache.get(&self.key).await? {
            return Ok(value);
        }
        let _local = self.local.lock().await;
        loop {
            if let Some(value) = self.cache.get(&self.key).await? {
                return Ok(value);
            }
            let owner = uuid::Uuid::new_v4().to_string();
            if self
                .cache
                .set_if_absent(&self.lock_key, &owner, LOCK_TTL)
                .await?
            {
                let fetched = fetch().await;
                let stored = match fetched {
                    Ok(fetched) => {
                        let ttl = fetched
                            .expires_in
                            .saturating_sub(EXPIRY_MARGIN)
                            .max(Duration::from_secs(1));
                        self.cache.set(&self.key, &fetched.value, ttl).await?;
                        Ok(fetched.value)
                    }
                    Err(err) => Err(err),
                };
                // Freed either way, so the next caller may try; the TTL covers a crash here.
                self.cache.delete(&self.lock_key).await?;
                return stored;
            }
            // Another replica is refreshing: wait for its value, or for its lock to lapse.
            tokio::time::sleep(WAIT_STEP).await;
        }
    }

    /// Forgets `rejected` (WeCom said it is invalid or expired), unless a newer value has
    /// replaced it already, so the next `get` fetches a fresh one.
    pub async fn invalidate(&self, rejected: &str) -> Result<(), StoreError> {
        if self.cache.get(&self.key).await?.as_deref() == Some(rejected) {
            self.cache.delete(&self.key).await?;
        }
        Ok(())
    }
}
