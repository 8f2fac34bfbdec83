//! What every ingested record shares: the source's `id` and `updated_at`, how a record is
//! refused (a code and a message naming the field), and the order-aware upsert.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, QueryFilter, Statement,
};

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

/// The conflict clause of every source upsert: on the same `source_id`, the `update` columns
/// are overwritten only when the stored `source_updated_at` is older than the incoming one.
pub fn newer_wins<E>(
    source_id: E::Column,
    source_updated_at: E::Column,
    update: impl IntoIterator<Item = E::Column>,
) -> OnConflict
where
    E: EntityTrait,
{
    let mut on_conflict = OnConflict::column(source_id);
    on_conflict.update_columns(update).action_and_where(
        Expr::col((E::default(), source_updated_at))
            .lt(Expr::col((Alias::new("excluded"), source_updated_at))),
    );
    on_conflict
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
    let written = E::insert(row)
        .on_conflict(newer_wins::<E>(source_id, source_updated_at, update))
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
        .ok_or_else(|| unknown_reference(field, source_id))
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

/// Rows per multi-row statement: under both databases' limits on bound parameters.
pub const ROWS_PER_STATEMENT: usize = 1000;

/// Source id → local id for the given source ids (the batch paths' way of resolving
/// references: one query per batch, not one per record).
///
/// On PostgreSQL the ids go as one JSON parameter joined against the table: with a list of a
/// thousand literals (`IN (…)`) the planner estimated a full scan cheaper than a thousand index
/// probes and scanned the whole table for every batch, so an import slowed down as the table
/// grew; a set-returning function is estimated small, and the unique index is used.
pub async fn resolve<E>(
    db: &impl ConnectionTrait,
    column: E::Column,
    source_ids: impl Iterator<Item = String>,
) -> Result<HashMap<String, i64>, DbErr>
where
    E: EntityTrait,
{
    let mut wanted: Vec<String> = source_ids.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = HashMap::with_capacity(wanted.len());
    if wanted.is_empty() {
        return Ok(found);
    }
    let backend = db.get_database_backend();
    let table = E::default().table_name().to_owned();
    let column = column.as_str().to_owned();
    for chunk in wanted.chunks(ROWS_PER_STATEMENT) {
        let json = serde_json::to_string(chunk).map_err(|e| DbErr::Custom(e.to_string()))?;
        let sql = match backend {
            DbBackend::Postgres => format!(
                r#"SELECT t."id", t."{column}" FROM "{table}" t JOIN json_array_elements_text($1::json) AS s(v) ON t."{column}" = s.v"#
            ),
            _ => format!(
                r#"SELECT "id", "{column}" FROM "{table}" WHERE "{column}" IN (SELECT value FROM json_each(?))"#
            ),
        };
        let statement = Statement::from_sql_and_values(backend, sql, [json.into()]);
        for row in db.query_all_raw(statement).await? {
            let id: i64 = row.try_get_by_index(0)?;
            let source: String = row.try_get_by_index(1)?;
            found.insert(source, id);
        }
    }
    Ok(found)
}

/// Deletes the rows of `E` whose `column` (a foreign key) is one of `ids`: a newer version's
/// children replace the old ones. On PostgreSQL the ids go as one JSON parameter, as in
/// [`resolve`], so the foreign key's index is used instead of a scan of the whole table.
pub async fn delete_children<E>(
    db: &impl ConnectionTrait,
    column: E::Column,
    ids: &[i64],
) -> Result<(), DbErr>
where
    E: EntityTrait,
{
    let backend = db.get_database_backend();
    let table = E::default().table_name().to_owned();
    let column = column.as_str().to_owned();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let json = serde_json::to_string(chunk).map_err(|e| DbErr::Custom(e.to_string()))?;
        let sql = match backend {
            DbBackend::Postgres => format!(
                r#"DELETE FROM "{table}" WHERE "{column}" IN (SELECT v::bigint FROM json_array_elements_text($1::json) AS s(v))"#
            ),
            _ => format!(
                r#"DELETE FROM "{table}" WHERE "{column}" IN (SELECT value FROM json_each(?))"#
            ),
        };
        db.execute_raw(Statement::from_sql_and_values(backend, sql, [json.into()]))
            .await?;
    }
    Ok(())
}

/// A batch's refused records, by their index in the batch.
pub type Refused = Vec<(usize, RecordError)>;

/// Runs a kind's checks that need no database over a batch: the records that pass, and the
/// refused ones by index (the batch paths' first step).
pub fn check_all<T, C>(
    records: Vec<(usize, Result<T, RecordError>)>,
    check: impl Fn(usize, T) -> Result<C, RecordError>,
) -> Result<(Vec<C>, Refused), DbErr> {
    let mut refused = Vec::new();
    let mut passed = Vec::with_capacity(records.len());
    for (index, record) in records {
        match record.and_then(|record| check(index, record)) {
            Ok(checked) => passed.push(checked),
            Err(RecordError::Database(err)) => return Err(err),
            Err(error) => refused.push((index, error)),
        }
    }
    Ok((passed, refused))
}

/// A row an upsert wrote: its source id, local id, and whether it is new (not an update).
pub struct Written {
    pub source_id: String,
    pub id: i64,
    pub inserted: bool,
}

/// What a batch's upserts wrote: local ids by source id, and which of them were updates (whose
/// children from the older version are to be replaced).
#[derive(Default)]
pub struct WrittenRows {
    pub ids: HashMap<String, i64>,
    pub updated: Vec<i64>,
}

impl WrittenRows {
    pub fn add(&mut self, rows: Vec<Written>) {
        for row in rows {
            if !row.inserted {
                self.updated.push(row.id);
            }
            self.ids.insert(row.source_id, row.id);
        }
    }
}

/// Runs a batch upsert (`INSERT … ON CONFLICT … DO UPDATE … WHERE` newer) and lists the rows
/// it wrote. A new row has no old children to replace, so the caller skips deleting them:
/// on a first import that is every row. PostgreSQL tells a new row by `xmax = 0`; SQLite
/// cannot, so there every row counts as an update (its deletes use the index anyway).
pub async fn upsert_returning(
    db: &impl ConnectionTrait,
    mut insert: sea_orm::sea_query::InsertStatement,
) -> Result<Vec<Written>, DbErr> {
    let backend = db.get_database_backend();
    let inserted = match backend {
        DbBackend::Postgres => Expr::cust("xmax = 0"),
        _ => Expr::cust("0 = 1"),
    };
    insert.returning(sea_orm::sea_query::Query::returning().exprs([
        Expr::col(Alias::new("source_id")),
        Expr::col(Alias::new("id")),
        inserted,
    ]));
    let mut written = Vec::new();
    for row in db.query_all_raw(backend.build(&insert)).await? {
        written.push(Written {
            source_id: row.try_get_by_index(0)?,
            id: row.try_get_by_index(1)?,
            inserted: row.try_get_by_index(2)?,
        });
    }
    Ok(written)
}

/// A record of a batch as the batch paths see it: its source id and its version.
pub trait Versioned {
    fn source_id(&self) -> &str;
    fn version(&self) -> DateTime<Utc>;
}

/// A record with what its references resolved to.
impl<R, T: Versioned> Versioned for (R, T) {
    fn source_id(&self) -> &str {
        self.1.source_id()
    }

    fn version(&self) -> DateTime<Utc> {
        self.1.version()
    }
}

/// The newest version of each record of a batch (the one written; of two equal versions the
/// later), in source-id order, so that two batches in flight lock shared rows in the same
/// order and cannot deadlock.
pub fn newest_versions<T: Versioned>(records: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut newest: HashMap<String, T> = HashMap::new();
    for record in records {
        match newest.get(record.source_id()) {
            Some(kept) if kept.version() > record.version() => {}
            _ => {
                newest.insert(record.source_id().to_owned(), record);
            }
        }
    }
    let mut records: Vec<T> = newest.into_values().collect();
    records.sort_by(|a, b| a.source_id().cmp(b.source_id()));
    records
}

/// The refusal of a record naming a row that is not here.
pub fn unknown_reference(field: &str, source_id: &str) -> RecordError {
    invalid(
        "unknown_reference",
        format!("`{field}` `{source_id}` is not known here (send it first)"),
    )
}

/// A case-blind `LIKE` pattern for text containing `words` (`%`, `_` and `\` taken
/// literally): compare it with `LOWER(column)`.
pub fn containing(words: &str) -> sea_orm::sea_query::LikeExpr {
    let escaped = words
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')
}
