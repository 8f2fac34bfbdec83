//! The inbox's intake: stores callbacks in group commits.
//!
//! Every callback must be durable before it is acknowledged, and a commit costs a WAL flush.
//! One commit per callback made the flush the limit under load, so the callbacks that arrive
//! while one group is being written are written together in the next: one multi-row
//! `INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`, one commit, and then
//! each waiting request learns whether its payload was new. A quiet server writes groups of
//! one, at the latency of a single insert.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Utc;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, IdenStatic};
use tokio::sync::{Notify, mpsc, oneshot};

use super::status;
use super::store::{Stored, dedupe_key};
use crate::database::WriteGate;
use crate::entity::callback_inbox::{self, Column};

/// Payload bytes per group. sqlx 0.9.0 no longer sets TCP_NODELAY (sqlx#4335; fixed upstream
/// by #4336, not yet released), and on loopback a statement of more than ~12 KB then waited
/// ~40 ms on Nagle + delayed ACK (groups capped at 12 KB: 10,117 stored/s; at 16 KB: 724/s).
/// sqlx's own write buffer is 8 KiB; staying within it keeps a margin.
const MAX_GROUP_BYTES: usize = 8 * 1024;
/// Bind parameters per row times this stays far below PostgreSQL's 65,535 and SQLite's 32,766.
const MAX_GROUP_ROWS: usize = 256;
/// Requests waiting for the writer beyond this wait to enqueue (backpressure, not failure).
const QUEUE_DEPTH: usize = 4096;

#[derive(Debug, Clone, thiserror::Error)]
pub enum IntakeError {
    #[error("the database did not store the callback")]
    Database(#[source] Arc<DbErr>),
    #[error("the inbox writer has stopped")]
    Stopped,
}

/// A callback waiting to be stored, and where its outcome goes.
struct Pending {
    dedupe_key: String,
    payload: String,
    event_kind: Option<String>,
    reply: oneshot::Sender<Result<Stored, IntakeError>>,
}

/// The handle the callback endpoint stores through; cheap to clone.
#[derive(Clone)]
pub struct Intake {
    queue: mpsc::Sender<Pending>,
}

impl Intake {
    /// Starts the writer task; it ends when the last handle is dropped. `stored` is notified
    /// after each group that stored something new (it wakes the inbox worker).
    pub fn start(db: DatabaseConnection, gate: WriteGate, stored: Arc<Notify>) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(write_groups(db, gate, receiver, stored));
        Self { queue }
    }

    /// Stores `payload` unless an identical payload is stored already; returns after the
    /// commit. A failure stores nothing of this payload (the caller answers 503 and WeCom
    /// delivers it again).
    pub async fn store(
        &self,
        payload: String,
        event_kind: Option<String>,
    ) -> Result<Stored, IntakeError> {
        let (reply, outcome) = oneshot::channel();
        let pending = Pending {
            dedupe_key: dedupe_key(&payload),
            payload,
            event_kind,
            reply,
        };
        self.queue
            .send(pending)
            .await
            .map_err(|_| IntakeError::Stopped)?;
        outcome.await.map_err(|_| IntakeError::Stopped)?
    }
}

async fn write_groups(
    db: DatabaseConnection,
    gate: WriteGate,
    mut receiver: mpsc::Receiver<Pending>,
    stored: Arc<Notify>,
) {
    // A callback that did not fit in the previous group opens the next one.
    let mut carried: Option<Pending> = None;
    loop {
        let first = match carried.take() {
            Some(pending) => pending,
            None => match receiver.recv().await {
                Some(pending) => pending,
                None => return,
            },
        };
        let mut bytes = first.payload.len();
        let mut group = vec![first];
        while group.len() < MAX_GROUP_ROWS {
            let Ok(next) = receiver.try_recv() else { break };
            if bytes + next.payload.len() > MAX_GROUP_BYTES {
                carried = Some(next);
                break;
            }
            bytes += next.payload.len();
            group.push(next);
        }

        let turn = gate.enter().await;
        let outcome = insert_group(&db, &group).await;
        drop(turn);
        let mut any_new = false;
        match outcome {
            Ok(mut inserted) => {
                for pending in group {
                    // Of identical payloads in one group, the first is the one inserted.
                    let new = inserted.remove(&pending.dedupe_key);
                    any_new |= new;
                    let result = if new { Stored::New } else { Stored::Duplicate };
                    // A request that gave up waiting has nobody to answer; its row stands.
                    let _ = pending.reply.send(Ok(result));
                }
            }
            Err(err) => {
                let err = IntakeError::Database(Arc::new(err));
                for pending in group {
                    let _ = pending.reply.send(Err(err.clone()));
                }
            }
        }
        if any_new {
            stored.notify_one();
        }
    }
}

/// One statement, one commit; returns the dedupe keys that were new.
async fn insert_group(
    db: &DatabaseConnection,
    group: &[Pending],
) -> Result<HashSet<String>, DbErr> {
    let now = Utc::now();
    let mut insert = Query::insert();
    insert.into_table(callback_inbox::Entity).columns([
        Column::DedupeKey,
        Column::Payload,
        Column::EventKind,
        Column::Status,
        Column::Attempts,
        Column::NextAttemptAt,
        Column::ReceivedAt,
    ]);
    let mut keys = HashSet::with_capacity(group.len());
    for pending in group {
        // The same payload twice in one group would be one row anyway; binding it once keeps
        // the statement small.
        if !keys.insert(pending.dedupe_key.as_str()) {
            continue;
        }
        insert
            .values([
                pending.dedupe_key.clone().into(),
                pending.payload.clone().into(),
                pending.event_kind.clone().into(),
                status::PENDING.into(),
                0i32.into(),
                now.into(),
                now.into(),
            ])
            .map_err(|err| DbErr::Custom(err.to_string()))?;
    }
    insert
        .on_conflict(
            OnConflict::column(Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .returning_col(Column::DedupeKey);
    let statement = db.get_database_backend().build(&insert);
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| row.try_get::<String>("", Column::DedupeKey.as_str()))
        .collect()
}
