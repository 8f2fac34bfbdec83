//! The inbox worker: claims due rows, applies them, and records the outcome.
//!
//! Exactly once, even with several replicas and crashes:
//! - claiming sets `processing`, bumps `attempts` and takes a lease (`locked_until`); on
//!   PostgreSQL the candidate rows are selected `FOR UPDATE SKIP LOCKED`, so two replicas
//!   never claim the same row; SQLite serialises writers anyway;
//! - a row whose lease ran out (its server died mid-way) is due again;
//! - the effects and the `done` mark commit in one transaction, and the mark only succeeds
//!   while the row is still ours (same status and attempt): if our lease was lost and another
//!   worker took the row over, our transaction rolls back and its effects with it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, Order, QueryFilter,
};
use tokio::sync::Notify;

use super::apply::{Outcome, apply_event};
use super::status;
use crate::database::WriteGate;
use crate::directory::relation_hook::RelationsChanged;
use crate::entity::callback_inbox::{self, Column};
use crate::shares::welcome::{NewContact, WelcomeFeed};
use crate::wecom::events::{self, CallbackEvent, ExternalContactChange};

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Rows claimed per round trip.
    pub batch: u64,
    /// How long a claimed row is ours before another worker may take it over.
    pub lease: Duration,
    /// After this many failed attempts a row is parked as `failed`.
    pub max_attempts: i32,
    /// The first retry waits this long; each next one twice as long (capped at an hour).
    pub first_backoff: Duration,
    /// With nothing due, look again after this long (a new callback wakes us at once).
    pub idle_poll: Duration,
    /// Takes turns with the inbox intake on SQLite.
    pub gate: WriteGate,
    /// Recorded on every row this worker claims (`claimed_by`), and in its log lines.
    pub worker_id: String,
    /// Where a customer's add with a welcome code goes once applied (WeCom configured).
    pub welcome: Option<WelcomeFeed>,
    /// Told which customers' relations an applied event changed (attribution's bindings).
    pub dependents: Option<Dependents>,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            batch: 32,
            lease: Duration::from_secs(60),
            max_attempts: 8,
            first_backoff: Duration::from_secs(2),
            idle_poll: Duration::from_secs(2),
            gate: WriteGate::default(),
            worker_id: worker_id(),
            welcome: None,
            dependents: None,
        }
    }
}

/// What depends on guides' relations with customers.
#[derive(Clone)]
pub struct Dependents(pub Arc<dyn RelationsChanged>);

impl std::fmt::Debug for Dependents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dependents")
    }
}

/// `host/pid/random`: tells replicas apart, and two workers in one process too.
fn worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "host".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}/{}/{}", std::process::id(), &random[..6])
}

/// Runs until the task is aborted (the server stops it on shutdown; a row it was applying
/// is rolled back and picked up again later).
pub async fn run(db: DatabaseConnection, wakeup: Arc<Notify>, settings: WorkerSettings) {
    tracing::info!(
        worker = %settings.worker_id,
        lease_secs = settings.lease.as_secs(),
        "inbox worker started"
    );
    loop {
        match process_due(&db, &settings).await {
            Ok(0) => {
                tokio::select! {
                    () = wakeup.notified() => {}
                    () = tokio::time::sleep(settings.idle_poll) => {}
                }
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "inbox worker could not reach the database");
                tokio::time::sleep(settings.idle_poll).await;
            }
        }
    }
}

/// Claims and processes one batch; returns how many rows it claimed.
pub async fn process_due(
    db: &DatabaseConnection,
    settings: &WorkerSettings,
) -> Result<usize, DbErr> {
    let turn = settings.gate.enter().await;
    let claimed = claim(db, settings).await?;
    drop(turn);
    let count = claimed.len();
    for row in claimed {
        let id = row.id;
        // One turn per row, so callbacks arriving meanwhile are stored between rows.
        let turn = settings.gate.enter().await;
        let processed = process(db, row, settings).await;
        drop(turn);
        if let Err(err) = processed {
            // The row stays `processing` and is taken over when its lease runs out.
            tracing::warn!(inbox_id = id, error = %err, "could not record an inbox outcome");
        }
    }
    Ok(count)
}

async fn claim(
    db: &DatabaseConnection,
    settings: &WorkerSettings,
) -> Result<Vec<callback_inbox::Model>, DbErr> {
    let now = Utc::now();
    let due = Condition::any()
        .add(
            Condition::all()
                .add(Column::Status.eq(status::PENDING))
                .add(Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(Column::Status.eq(status::PROCESSING))
                .add(Column::LockedUntil.lt(now)),
        );
    let mut candidates = Query::select()
        .column(Column::Id)
        .from(callback_inbox::Entity)
        .cond_where(due)
        .order_by(Column::Id, Order::Asc)
        .limit(settings.batch)
        .to_owned();
    if db.get_database_backend() == DatabaseBackend::Postgres {
        candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let lease_end =
        now + chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::seconds(60));
    let mut rows = callback_inbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status::PROCESSING))
        .col_expr(
            Column::Attempts,
            ExprTrait::add(Expr::col(Column::Attempts), 1),
        )
        .col_expr(Column::LockedUntil, Expr::value(lease_end))
        .col_expr(Column::ClaimedBy, Expr::value(settings.worker_id.as_str()))
        .filter(Column::Id.in_subquery(candidates))
        .exec_with_returning(db)
        .await?;
    rows.sort_by_key(|row| row.id);
    Ok(rows)
}

/// Applies the event; when it added or ended a relation, tells its dependents in the same
/// transaction (a member's binding moves with the callback, not at their next order).
async fn apply_and_tell(
    txn: &DatabaseTransaction,
    event: &CallbackEvent,
    now: chrono::DateTime<Utc>,
    settings: &WorkerSettings,
) -> Result<Outcome, DbErr> {
    let outcome = apply_event(txn, event, now).await?;
    if let (CallbackEvent::ExternalContact(change), Some(dependents)) =
        (event, &settings.dependents)
        && matches!(
            change,
            ExternalContactChange::Added { .. }
                | ExternalContactChange::DeletedByGuide { .. }
                | ExternalContactChange::DeletedByCustomer { .. }
        )
    {
        dependents
            .0
            .changed(txn, &[change.parties().1.to_owned()])
            .await?;
    }
    Ok(outcome)
}

async fn process(
    db: &DatabaseConnection,
    row: callback_inbox::Model,
    settings: &WorkerSettings,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let event = match events::parse(&row.payload) {
        Ok(event) => event,
        // Parsing is deterministic: retrying would fail the same way.
        Err(err) => {
            tracing::warn!(inbox_id = row.id, error = %err, "unparseable callback parked as failed");
            count_outcome("unparseable", status::FAILED);
            return finish(db, &row, status::FAILED, Some(err.to_string()), now)
                .await
                .map(|_| ());
        }
    };
    let kind = event.kind();
    let transaction = crate::database::begin_write(db).await?;
    match apply_and_tell(&transaction, &event, now, settings).await {
        Ok(outcome) => {
            let state = match outcome {
                Outcome::Applied => status::DONE,
                Outcome::Ignored => status::IGNORED,
            };
            if finish(&transaction, &row, state, None, now).await? {
                transaction.commit().await?;
                tracing::info!(inbox_id = row.id, %kind, status = state, "callback applied");
                count_applied(&kind, state, row.received_at);
                hand_over_welcome(settings, &event);
            } else {
                transaction.rollback().await?;
                tracing::warn!(inbox_id = row.id, "lease lost; another worker has this row");
            }
            Ok(())
        }
        Err(err) => {
            transaction.rollback().await?;
            let error = crate::error::cause_chain(&err);
            if row.attempts >= settings.max_attempts {
                tracing::error!(inbox_id = row.id, %kind, attempts = row.attempts, %error, "callback parked as failed");
                count_outcome(&kind, status::FAILED);
                finish(db, &row, status::FAILED, Some(error), now)
                    .await
                    .map(|_| ())
            } else {
                let delay = backoff(settings.first_backoff, row.attempts);
                tracing::warn!(inbox_id = row.id, %kind, attempts = row.attempts, retry_in_secs = delay.as_secs(), %error, "callback will be retried");
                count_outcome(&kind, "retried");
                retry_later(
                    db,
                    &row,
                    error,
                    now + chrono::Duration::from_std(delay).unwrap_or_default(),
                )
                .await
            }
        }
    }
}

/// `guidedesk_callbacks_total{kind, outcome}`: `done`, `ignored`, `failed` (parked) or
/// `retried`, per event kind (a bounded set: the event and change types this server parses).
fn count_outcome(kind: &str, outcome: &'static str) {
    // An unknown event's kind names what WeCom sent: one label for all of them.
    let kind = if kind.starts_with("unknown/") {
        "unknown"
    } else {
        kind
    };
    metrics::counter!("guidedesk_callbacks_total", "kind" => kind.to_owned(), "outcome" => outcome)
        .increment(1);
}

/// Counted as [`count_outcome`], and how long after its arrival it was applied.
fn count_applied(kind: &str, outcome: &'static str, received_at: chrono::DateTime<Utc>) {
    count_outcome(kind, outcome);
    let lag = Ord::max((Utc::now() - received_at).num_milliseconds(), 0) as f64;
    metrics::histogram!("guidedesk_inbox_apply_lag_seconds").record(lag / 1000.0);
}

/// A customer who added a guide, with a welcome code: welcomed off this loop (WeCom's window
/// is 20 seconds from the add, counted from the callback's time).
fn hand_over_welcome(settings: &WorkerSettings, event: &events::CallbackEvent) {
    let (Some(feed), events::CallbackEvent::ExternalContact(change)) = (&settings.welcome, event)
    else {
        return;
    };
    if let events::ExternalContactChange::Added {
        user_id,
        external_user_id,
        welcome_code: Some(code),
        create_time,
        ..
    } = change
    {
        feed.welcome(NewContact {
            welcome_code: code.clone(),
            userid: user_id.clone(),
            external_userid: external_user_id.clone(),
            added_at: chrono::DateTime::from_timestamp(*create_time, 0).unwrap_or_else(Utc::now),
        });
    }
}

/// `first * 2^(attempt-1)`, at most an hour.
fn backoff(first: Duration, attempt: i32) -> Duration {
    let exponent = Ord::min(u32::try_from(attempt.saturating_sub(1)).unwrap_or(0), 20);
    first
        .saturating_mul(1 << exponent)
        .min(Duration::from_secs(3600))
}

/// Only the worker holding the claim (same status, same attempt) may record an outcome.
fn still_ours(row: &callback_inbox::Model) -> Condition {
    Condition::all()
        .add(Column::Id.eq(row.id))
        .add(Column::Status.eq(status::PROCESSING))
        .add(Column::Attempts.eq(row.attempts))
}

/// Records the outcome if the row is still ours; says whether it was. An applied or ignored
/// row counts one more application, in the transaction of its effects: a row whose effects
/// were committed twice shows `applications = 2`, however idempotent the effects are.
async fn finish(
    db: &impl ConnectionTrait,
    row: &callback_inbox::Model,
    state: &str,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let applied = i32::from(state == status::DONE || state == status::IGNORED);
    let result = callback_inbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(state))
        .col_expr(
            Column::Applications,
            ExprTrait::add(Expr::col(Column::Applications), applied),
        )
        .col_expr(Column::LastError, Expr::value(error))
        .col_expr(Column::ProcessedAt, Expr::value(Some(now)))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(still_ours(row))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

async fn retry_later(
    db: &impl ConnectionTrait,
    row: &callback_inbox::Model,
    error: String,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    callback_inbox::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status::PENDING))
        .col_expr(Column::LastError, Expr::value(Some(error)))
        .col_expr(Column::NextAttemptAt, Expr::value(at))
        .col_expr(
            Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(still_ours(row))
        .exec(db)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = Duration::from_secs(2);
        let waits: Vec<u64> = (1..=5).map(|a| backoff(first, a).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32]);
        assert_eq!(backoff(first, 40), Duration::from_secs(3600));
        assert_eq!(backoff(first, 0), first);
    }
}
