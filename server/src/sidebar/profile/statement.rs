//! The profile in one statement, on PostgreSQL: a dozen small reads over a network socket
//! cost a dozen round trips and as many protocol exchanges on both sides, which is what the
//! profile's time went to (BENCHMARKS.md); as subqueries of one statement they cost one.
//! SQLite, in-process, has no round trip to save and keeps the composed reader.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::parts::ProfileParts;
use crate::error::AppError;

const PROFILE_SQL: &str = include_str!("profile.sql");

/// The customer's profile parts if the guide `guide_id` is active and follows or followed
/// them, `None` otherwise.
pub async fn read(
    db: &impl ConnectionTrait,
    guide_id: i64,
    external_userid: &str,
    now: DateTime<Utc>,
) -> Result<Option<ProfileParts>, AppError> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        PROFILE_SQL,
        [
            guide_id.into(),
            external_userid.into(),
            now.into(),
            (now - Duration::days(365)).into(),
        ],
    );
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let json: String = row.try_get_by_index(0)?;
    let parts = serde_json::from_str(&json)
        .map_err(|err| anyhow::anyhow!("the profile statement's JSON does not parse: {err}"))?;
    Ok(Some(parts))
}
