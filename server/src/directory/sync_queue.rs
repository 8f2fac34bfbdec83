//! What the WeCom client must fetch again: queued by the callbacks, drained by `sync`.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entity::wecom_sync_queue;

/// What the WeCom client must fetch (queued here, drained there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    Contact,
    User,
    TagCatalogue,
}

impl SyncKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::User => "user",
            Self::TagCatalogue => "tag_catalogue",
        }
    }
}

/// Queues a fetch; queuing the same fetch again keeps the one entry.
pub async fn queue_sync(
    db: &impl ConnectionTrait,
    kind: SyncKind,
    target: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = wecom_sync_queue::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        target: Set(target.to_owned()),
        reason: Set(Some(reason.to_owned())),
        attempts: Set(0),
        queued_at: Set(now),
        ..Default::default()
    };
    wecom_sync_queue::Entity::insert(row)
        .on_conflict_do_nothing_on([
            wecom_sync_queue::Column::Kind,
            wecom_sync_queue::Column::Target,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The queued fetch is no longer needed: what it would fetch has just been applied.
pub async fn dequeue_sync(
    db: &impl ConnectionTrait,
    kind: SyncKind,
    target: &str,
) -> Result<(), DbErr> {
    wecom_sync_queue::Entity::delete_many()
        .filter(wecom_sync_queue::Column::Kind.eq(kind.as_str()))
        .filter(wecom_sync_queue::Column::Target.eq(target))
        .exec(db)
        .await?;
    Ok(())
}
