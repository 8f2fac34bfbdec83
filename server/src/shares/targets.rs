//! Where a short link goes, kept in memory: the redirect must answer without a database
//! round trip per open (a share that goes round a group chat is opened in bursts). A token
//! is read once and kept for `KEEP` (an unknown or unopenable one too, so random tokens do
//! not reach the database either); a cancel on this server forgets it at once, on another
//! replica it stops redirecting within `KEEP`.

use std::time::Duration;

use std::sync::Arc;

use moka::future::Cache;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::ShareState;
use crate::entity::share;

const KEEP: Duration = Duration::from_secs(60);
const CAPACITY: u64 = 100_000;
/// Tokens are 22 characters; anything much longer is not one and is not looked up.
const MAX_TOKEN_CHARS: usize = 64;

/// An openable share: its id (for the click) and its stamped web link.
#[derive(Debug, Clone)]
pub struct Target {
    pub share_id: i64,
    pub link: String,
}

#[derive(Clone)]
pub struct ShareTargets {
    cache: Cache<String, Option<Target>>,
}

impl Default for ShareTargets {
    fn default() -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(KEEP)
                .build(),
        }
    }
}

impl ShareTargets {
    /// The share's target if it can be opened: it exists, is not cancelled, and its link is
    /// a web page (http or https).
    pub async fn target(
        &self,
        db: &DatabaseConnection,
        token: &str,
    ) -> Result<Option<Target>, DbErr> {
        if token.len() > MAX_TOKEN_CHARS {
            return Ok(None);
        }
        // Opens of one token at the same moment (a share going round a group chat, or the
        // first burst after a start) wait for one read instead of each taking a connection.
        self.cache
            .try_get_with(token.to_owned(), read(db, token))
            .await
            .map_err(|err: Arc<DbErr>| DbErr::Custom(err.to_string()))
    }

    /// Forgets a token (its share was just cancelled here).
    pub async fn forget(&self, token: &str) {
        self.cache.invalidate(token).await;
    }
}

async fn read(db: &DatabaseConnection, token: &str) -> Result<Option<Target>, DbErr> {
    Ok(share::Entity::find()
        .filter(share::Column::Token.eq(token))
        .one(db)
        .await?
        .filter(|share| share.state != ShareState::Cancelled.as_str())
        .filter(|share| share.link.starts_with("https://") || share.link.starts_with("http://"))
        .map(|share| Target {
            share_id: share.id,
            link: share.link,
        }))
}
