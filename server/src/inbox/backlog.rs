//! How far behind the inbox is, for `/metrics`: rows waiting to be applied, the oldest of
//! them, and rows parked as failed (which wait for an operator's `inbox retry`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use super::status;
use crate::entity::callback_inbox::{self, Column};

pub struct Backlog {
    /// Pending or being applied.
    pub waiting: u64,
    pub oldest_waiting: Option<DateTime<Utc>>,
    pub failed: u64,
}

/// Read through the `(status, next_attempt_at)` index: the applied rows are never scanned.
pub async fn backlog(db: &DatabaseConnection) -> Result<Backlog, DbErr> {
    // Both figures of the waiting rows in one statement.
    let (waiting, oldest_waiting) = callback_inbox::Entity::find()
        .select_only()
        .column_as(Column::Id.count(), "waiting")
        .column_as(Column::ReceivedAt.min(), "oldest")
        .filter(Column::Status.is_in([status::PENDING, status::PROCESSING]))
        .into_tuple::<(i64, Option<DateTime<Utc>>)>()
        .one(db)
        .await?
        .unwrap_or_default();
    let failed = callback_inbox::Entity::find()
        .filter(Column::Status.eq(status::FAILED))
        .count(db)
        .await?;
    Ok(Backlog {
        waiting: u64::try_from(waiting).unwrap_or_default(),
        oldest_waiting,
        failed,
    })
}
