use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Cache, CacheError, ttl_millis};
use crate::secret::redact_url;

/// The shared cache. `ConnectionManager` reconnects by itself after Redis restarts: the
/// command that meets the broken connection fails, and the ones after it go through.
pub struct RedisCache {
    connection: ConnectionManager,
    prefix: String,
}

impl RedisCache {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let unreachable = |err: redis::RedisError| {
            CacheError::Unreachable(format!("Redis at {}: {err}", redact_url(url)))
        };
        let client = redis::Client::open(url).map_err(unreachable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(Duration::from_secs(3)))
            .set_number_of_retries(3)
            .set_max_delay(Duration::from_secs(2));
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(unreachable)?;
        Ok(Self {
            connection,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.prefix)
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, CacheError> {
        // Cloning a ConnectionManager is cheap: clones share one multiplexed connection.
        let mut connection = self.connection.clone();
        cmd.query_async(&mut connection)
            .await
            .map_err(|err| CacheError::Unreachable(format!("Redis: {err}")))
    }
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.query(redis::cmd("GET").arg(self.key(key))).await
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let cmd = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(ttl_millis(ttl))
            .to_owned();
        self.query::<()>(&cmd).await
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let cmd = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(ttl_millis(ttl))
            .to_owned();
        // SET ... NX answers OK when it stored the value and nil when the key existed.
        let stored: Option<String> = self.query(&cmd).await?;
        Ok(stored.is_some())
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let removed: i64 = self.query(redis::cmd("DEL").arg(self.key(key))).await?;
        Ok(removed > 0)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.query::<String>(&redis::cmd("PING")).await.map(|_| ())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}
