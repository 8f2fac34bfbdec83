//! What an operator does with the inbox by hand: look at it, and send a row round again.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::status;
use crate::entity::callback_inbox::{self, Column};

/// The newest rows first, optionally of one status.
pub async fn list(
    db: &DatabaseConnection,
    only: Option<&str>,
    limit: u64,
) -> Result<Vec<callback_inbox::Model>, DbErr> {
    let mut query = callback_inbox::Entity::find()
        .order_by_desc(Column::Id)
        .limit(limit);
    if let Some(only) = only {
        query = query.filter(Column::Status.eq(only));
    }
    query.all(db).await
}

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error("no inbox row {0}")]
    NotFound(i64),
    #[error("row {0} is being processed right now; try again when its lease ends")]
    InProgress(i64),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Makes a row due again with a fresh attempt count, whatever its status. Effects are
/// idempotent, so retrying a row that was already applied changes nothing.
pub async fn retry(db: &DatabaseConnection, id: i64) -> Result<(), RetryError> {
    let now = Utc::now();
    let row = callback_inbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(RetryError::NotFound(id))?;
    if row.status == status::PROCESSING && row.locked_until.is_some_and(|until| until > now) {
        return Err(RetryError::InProgress(id));
    }
    callback_inbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status::PENDING))
        .col_expr(Column::Attempts, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
