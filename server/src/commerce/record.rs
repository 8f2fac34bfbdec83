//! What every ingested record shares: the source's `id` and `updated_at`, how a record is
//! refused (a code and a message naming the field), and the order-aware upsert.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Why one record was not stored; the batch goes on without it.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{code}: {message}")]
    Invalid { code: &'static str, message: String },
    /// Not the record's fault: the whole batch fails (and may be sent again).
    #[error(transparent)]
    Database(#[from] DbErr),
}

pub fn invalid(code: &'static str, message: impl Into<String>) -> RecordError {
    RecordError::Invalid {
        code,
        message: message.into(),
    }
}

/// A source id: what the brand's system calls the record.
pub fn check_id(field: &str, id: &str) -> Result<(), RecordError> {
    if id.trim().is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
        return Err(invalid(
            "invalid_id",
            format!("`{field}` must be 1 to 128 printable characters"),
        ));
    }
    Ok(())
}

/// A required text of bounded length.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<(), RecordError> {
    if value.trim().is_empty() || value.chars().count() > max {
        return Err(invalid(
            "invalid_field",
            format!("`{field}` must be 1 to {max} characters"),
        ));
    }
    Ok(())
}

/// Money in fen: never negative.
pub fn check_fen(field: &str, fen: i64) -> Result<(), RecordError> {
    if fen < 0 {
        return Err(invalid(
            "invalid_amount",
            format!("`{field}` must be whole fen, 0 or more"),
        ));
    }
    Ok(())
}

/// One of a closed set of words.
pub fn check_one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), RecordError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            "invalid_field",
            format!("`{field}` must be one of {}", allowed.join(", ")),
        ))
    }
}

/// Inserts the row, or updates it when the stored `source_updated_at` is older than the
/// incoming one; an equal or newer stored version is left alone. Says whether it wrote.
pub async fn upsert_if_newer<E>(
    db: &impl ConnectionTrait,
    row: E::ActiveModel,
    source_id: E::Column,
    source_updated_at: E::Column,
    update: Vec<E::Column>,
) -> Result<bool, DbErr>
where
    E: EntityTrait,
{
    let mut on_conflict = OnConflict::column(source_id);
    on_conflict.update_columns(update).action_and_where(
        Expr::col((E::default(), source_updated_at))
            .lt(Expr::col((Alias::new("excluded"), source_updated_at))),
    );
    let written = E::insert(row)
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await?;
    Ok(written > 0)
}

/// The local id of a row by its source id.
pub async fn id_by_source<E, C>(
    db: &impl ConnectionTrait,
    column: C,
    source_id: &str,
    id_of: impl Fn(&E::Model) -> i64,
) -> Result<Option<i64>, DbErr>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    Ok(E::find()
        .filter(column.eq(source_id))
        .one(db)
        .await?
        .map(|model| id_of(&model)))
}

/// The local id of a referenced row, or the record's refusal naming the reference.
pub async fn require_ref<E, C>(
    db: &impl ConnectionTrait,
    column: C,
    field: &str,
    source_id: &str,
    id_of: impl Fn(&E::Model) -> i64,
) -> Result<i64, RecordError>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    id_by_source::<E, C>(db, column, source_id, id_of)
        .await?
        .ok_or_else(|| {
            invalid(
                "unknown_reference",
                format!("`{field}` `{source_id}` is not known here (send it first)"),
            )
        })
}

/// The local ids of the stores a record names by source id (`store_ids`), once each.
pub async fn resolve_store_ids(
    db: &impl ConnectionTrait,
    source_ids: &[String],
) -> Result<Vec<i64>, RecordError> {
    let mut ids = Vec::with_capacity(source_ids.len());
    for source in source_ids {
        ids.push(
            require_ref::<crate::entity::store::Entity, _>(
                db,
                crate::entity::store::Column::SourceId,
                "store_ids",
                source,
                |s| s.id,
            )
            .await?,
        );
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
