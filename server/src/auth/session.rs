//! Server-side sessions in the cache (shared by every replica when it is Redis).
//!
//! The browser holds a random 256-bit token; the cache holds the session under the token's
//! SHA-256, so whoever can read the cache still cannot present a session.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache::{CacheError, SharedCache};

/// What the server remembers about a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub guide_id: i64,
    /// When the session ends, in unix seconds.
    pub expires_at: i64,
}

/// Starts, finds and ends sessions.
#[derive(Clone)]
pub struct Sessions {
    cache: SharedCache,
    ttl: Duration,
}

/// 32 random bytes, base64url without padding.
const TOKEN_LEN: usize = 43;

impl Sessions {
    pub fn new(cache: SharedCache, ttl: Duration) -> Self {
        Self { cache, ttl }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A new session for the guide; returns the token for the cookie and the record.
    pub async fn start(&self, guide_id: i64) -> Result<(String, SessionRecord), CacheError> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random)
            .map_err(|err| CacheError::Unreachable(format!("no randomness for a token: {err}")))?;
        let token = URL_SAFE_NO_PAD.encode(random);
        let ttl_secs = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let record = SessionRecord {
            guide_id,
            expires_at: chrono::Utc::now().timestamp().saturating_add(ttl_secs),
        };
        let value = serde_json::to_string(&record)
            .map_err(|err| CacheError::Unreachable(format!("cannot encode a session: {err}")))?;
        self.cache.set(&key(&token), &value, self.ttl).await?;
        Ok((token, record))
    }

    /// The live session the token names, if any. A token of the wrong shape is not looked up.
    pub async fn find(&self, token: &str) -> Result<Option<SessionRecord>, CacheError> {
        if !is_token_shaped(token) {
            return Ok(None);
        }
        let Some(value) = self.cache.get(&key(token)).await? else {
            return Ok(None);
        };
        // A value we cannot read (written by another version, say) is no session. The cache's
        // TTL ends a session to the millisecond; `expires_at` (whole seconds, rounded down) is
        // only a backstop, so it counts its whole last second.
        let record = serde_json::from_str::<SessionRecord>(&value).ok();
        Ok(record.filter(|r| r.expires_at >= chrono::Utc::now().timestamp()))
    }

    /// Ends the session (signing out twice is fine).
    pub async fn end(&self, token: &str) -> Result<(), CacheError> {
        if is_token_shaped(token) {
            self.cache.delete(&key(token)).await?;
        }
        Ok(())
    }
}

fn is_token_shaped(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn key(token: &str) -> String {
    format!("session:{}", hex::encode(Sha256::digest(token.as_bytes())))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cache::MemoryCache;

    fn sessions(ttl: Duration) -> Sessions {
        Sessions::new(Arc::new(MemoryCache::new()), ttl)
    }

    #[tokio::test]
    async fn a_started_session_is_found_by_its_token_and_ends_on_sign_out() {
        let sessions = sessions(Duration::from_secs(60));
        let (token, record) = sessions.start(7).await.unwrap();
        assert_eq!(token.len(), TOKEN_LEN);
        assert_eq!(sessions.find(&token).await.unwrap(), Some(record));
        sessions.end(&token).await.unwrap();
        assert_eq!(sessions.find(&token).await.unwrap(), None);
        sessions.end(&token).await.unwrap();
    }

    #[tokio::test]
    async fn tokens_are_unguessable_and_malformed_ones_find_nothing() {
        let sessions = sessions(Duration::from_secs(60));
        let (first, _) = sessions.start(1).await.unwrap();
        let (second, _) = sessions.start(1).await.unwrap();
        assert_ne!(first, second);
        for forged in [
            "",
            "x",
            &first[..42],
            &format!("{first}A"),
            "../../etc/passwd",
        ] {
            assert_eq!(sessions.find(forged).await.unwrap(), None, "{forged:?}");
        }
    }

    #[tokio::test]
    async fn the_cache_holds_a_hash_of_the_token_not_the_token() {
        let cache: SharedCache = Arc::new(MemoryCache::new());
        let sessions = Sessions::new(cache.clone(), Duration::from_secs(60));
        let (token, _) = sessions.start(3).await.unwrap();
        assert!(
            cache
                .get(&format!("session:{token}"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(cache.get(&key(&token)).await.unwrap().is_some());
    }
}
