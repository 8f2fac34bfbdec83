use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Cache, CacheError};

/// The in-process cache: a map behind a mutex, entries expiring on read and swept now and
/// then so that keys nobody reads again do not pile up.
pub struct MemoryCache {
    inner: Mutex<Inner>,
}

struct Inner {
    entries: HashMap<String, Entry>,
    writes_since_sweep: usize,
}

struct Entry {
    value: String,
    expires_at: Instant,
}

/// Sweep expired entries once per this many writes: amortised O(1) per write.
const SWEEP_EVERY: usize = 1024;

impl MemoryCache {
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                writes_since_sweep: 0,
            }),
        }
    }

    /// A poisoned lock only means another task panicked mid-operation; every operation
    /// leaves the map consistent, so carrying on is safe.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        Self::new()
    }
}

impl Inner {
    fn live(&self, key: &str, now: Instant) -> Option<&Entry> {
        self.entries.get(key).filter(|entry| entry.expires_at > now)
    }

    fn insert(&mut self, key: &str, value: &str, ttl: Duration, now: Instant) {
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= SWEEP_EVERY {
            self.entries.retain(|_, entry| entry.expires_at > now);
            self.writes_since_sweep = 0;
        }
        let expires_at = now
            .checked_add(ttl)
            .unwrap_or(now + Duration::from_secs(86_400 * 365));
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: value.to_owned(),
                expires_at,
            },
        );
    }
}

#[async_trait::async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let inner = self.lock();
        Ok(inner
            .live(key, Instant::now())
            .map(|entry| entry.value.clone()))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        self.lock().insert(key, value, ttl, Instant::now());
        Ok(())
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let now = Instant::now();
        let mut inner = self.lock();
        if inner.live(key, now).is_some() {
            return Ok(false);
        }
        inner.insert(key, value, ttl, now);
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let now = Instant::now();
        let removed = self.lock().entries.remove(key);
        Ok(removed.is_some_and(|entry| entry.expires_at > now))
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}
