//! Which process runs a sync: at most one `running` run per kind, decided by the database.
//!
//! Two syncs may start at the same moment (the nightly run and `guidedesk sync contacts`, or
//! two replicas). Reading "is one running?" and then writing lets both through, so every
//! write here is decided in one statement:
//! - a new run is an insert that the unique partial index `ux_sync_runs_one_running`
//!   (migration 000009) refuses while another run of the kind is `running`;
//! - resuming, taking over a stalled run or superseding one is an update that only succeeds
//!   if the row is still as we read it (same status, same `updated_at`), so of two who read
//!   the same row only the first changes it.
//!
//! The loser gets `SyncError::AlreadyRunning`.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, SqlErr,
};

use super::SyncError;
use crate::entity::sync_run::{self, Column};

/// A running run that saved its position more recently than this is alive: do not take over.
pub(super) const ALIVE_WITHIN_SECS: i64 = 300;

pub(super) mod run_status {
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// The kind's unfinished run, now ours and `running` again; `None` if there is none to
/// resume (or `restart` says to start over: the unfinished ones are then superseded).
pub(super) async fn resume_unfinished(
    db: &DatabaseConnection,
    kind: &str,
    restart: bool,
) -> Result<Option<sync_run::Model>, SyncError> {
    let unfinished = sync_run::Entity::find()
        .filter(Column::Kind.eq(kind))
        .filter(Column::Status.is_in([run_status::RUNNING, run_status::FAILED]))
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    let now = Utc::now();
    if let Some(alive) = unfinished.iter().find(|run| is_alive(run, now)) {
        return Err(SyncError::AlreadyRunning { run_id: alive.id });
    }
    let mut runs = unfinished.into_iter();
    let resumable = if restart { None } else { runs.next() };
    for older in runs {
        // Superseded: a newer run continues the work.
        let superseded = compare_and_set(db, &older, now, |update| {
            update
                .col_expr(Column::Status, Expr::value(run_status::FAILED))
                .col_expr(Column::FinishedAt, Expr::value(Some(now)))
                .col_expr(Column::Error, Expr::value("superseded by a newer run"))
        })
        .await?;
        if !superseded {
            return Err(already_running(db, kind, older.id).await);
        }
    }
    let Some(run) = resumable else {
        return Ok(None);
    };
    // A failed run made `running` again collides with the index when another run of the
    // kind became `running` meanwhile.
    let resumed = match compare_and_set(db, &run, now, |update| {
        update
            .col_expr(Column::Status, Expr::value(run_status::RUNNING))
            .col_expr(Column::Error, Expr::value(Option::<String>::None))
    })
    .await
    {
        Ok(resumed) => resumed,
        Err(err) if is_unique_violation(&err) => false,
        Err(err) => return Err(err.into()),
    };
    if !resumed {
        return Err(already_running(db, kind, run.id).await);
    }
    Ok(sync_run::Entity::find_by_id(run.id).one(db).await?)
}

/// A new `running` run of `kind`, unless another one is running (then `AlreadyRunning`).
pub(super) async fn start_new(
    db: &DatabaseConnection,
    kind: &str,
    position: String,
    guides_total: usize,
) -> Result<sync_run::Model, SyncError> {
    let now = Utc::now();
    let row = sync_run::ActiveModel {
        kind: Set(kind.into()),
        status: Set(run_status::RUNNING.into()),
        position: Set(position),
        guides_total: Set(i32::try_from(guides_total).unwrap_or(i32::MAX)),
        guides_done: Set(0),
        contacts_seen: Set(0),
        started_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(run) => Ok(run),
        Err(err) if is_unique_violation(&err) => Err(already_running(db, kind, 0).await),
        Err(err) => Err(err.into()),
    }
}

/// The refusal, naming the run that is running (or `fallback` if it cannot be read).
async fn already_running(db: &DatabaseConnection, kind: &str, fallback: i64) -> SyncError {
    let running = sync_run::Entity::find()
        .filter(Column::Kind.eq(kind))
        .filter(Column::Status.eq(run_status::RUNNING))
        .one(db)
        .await;
    SyncError::AlreadyRunning {
        run_id: running.ok().flatten().map_or(fallback, |run| run.id),
    }
}

fn is_alive(run: &sync_run::Model, now: DateTime<Utc>) -> bool {
    run.status == run_status::RUNNING
        && now - run.updated_at < ChronoDuration::seconds(ALIVE_WITHIN_SECS)
}

/// Applies `change` (and `updated_at = now`) to `run` if the row is still as read: same
/// status, same `updated_at`. Says whether it was.
async fn compare_and_set(
    db: &DatabaseConnection,
    run: &sync_run::Model,
    now: DateTime<Utc>,
    change: impl FnOnce(sea_orm::UpdateMany<sync_run::Entity>) -> sea_orm::UpdateMany<sync_run::Entity>,
) -> Result<bool, DbErr> {
    let unchanged = Condition::all()
        .add(Column::Id.eq(run.id))
        .add(Column::Status.eq(run.status.as_str()))
        .add(Column::UpdatedAt.eq(run.updated_at));
    let update = sync_run::Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(unchanged);
    Ok(change(update).exec(db).await?.rows_affected == 1)
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
