//! PostgreSQL's way of writing a batch: one array per column, unpacked by `UNNEST`. A
//! thousand orders as a multi-row `VALUES` list are 14,000 bound parameters in a statement the
//! server parses and plans afresh for every batch, and that the client first renders as a
//! 100 KB SQL text; as arrays they are 14 parameters of a short statement prepared once per
//! connection, sent in PostgreSQL's binary array format.
//!
//! sea-query binds an array only without NULL elements, so an optional column travels with a
//! stand-in the statement turns back into NULL: text `''` (`NULLIF(x, '')`), an id `0`
//! (`NULLIF(x, 0)`; ids start at 1), and an optional time as its RFC 3339 text or `''`.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

use super::record::Written;

/// The stand-in for an optional local id.
pub fn id_or_zero(id: Option<i64>) -> i64 {
    id.unwrap_or(0)
}

/// The stand-in for an optional text.
pub fn text_or_empty(text: Option<&String>) -> String {
    text.cloned().unwrap_or_default()
}

/// The stand-in for an optional time: exact to the microsecond, as PostgreSQL keeps it.
pub fn time_or_empty(time: Option<DateTime<Utc>>) -> String {
    time.map(|t| t.to_rfc3339_opts(SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// Runs an upsert built on `UNNEST` whose `RETURNING` is `source_id, id, xmax = 0`, and lists
/// the rows it wrote (a version not newer than the stored one is not written, so not listed).
pub async fn upsert_returning(
    db: &impl ConnectionTrait,
    sql: &str,
    columns: Vec<Value>,
) -> Result<Vec<Written>, DbErr> {
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, sql, columns);
    let rows = db.query_all_raw(statement).await?;
    let mut written = Vec::with_capacity(rows.len());
    for row in rows {
        written.push(Written {
            source_id: row.try_get_by_index(0)?,
            id: row.try_get_by_index(1)?,
            inserted: row.try_get_by_index(2)?,
        });
    }
    Ok(written)
}

/// Runs an insert built on `UNNEST`.
pub async fn insert(
    db: &impl ConnectionTrait,
    sql: &str,
    columns: Vec<Value>,
) -> Result<(), DbErr> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        columns,
    ))
    .await?;
    Ok(())
}
