//! One sea-orm code path for both databases: SQLite by default, PostgreSQL in production.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseSettings;

/// How long a request may wait for a pooled connection before it fails (and `/readyz`
/// reports the database). Short, because guides are waiting on the other end.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// SQLite serialises writers; a writer waits this long for the lock instead of failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.url.expose());
    options
        .max_connections(settings.pool_size)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // Statements are traced by our own spans; sqlx's per-query log lines are noise.
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Applies every pending migration; run at start-up so a new release brings its schema.
/// Replicas started together take turns on PostgreSQL: the migrations run in one transaction
/// that first takes an advisory lock, so the next replica waits, then finds nothing pending
/// (without it each tried to create the same tables and all but one failed to start).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// The advisory lock's key: any number no other code of ours locks ("GDMIGRAT" in ASCII).
const MIGRATION_LOCK: i64 = 0x4744_4D49_4752_4154;

/// A cheap round trip, for `/readyz`.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// A transaction that will write. On SQLite it takes the write lock at `BEGIN` (IMMEDIATE):
/// a deferred transaction that reads first cannot wait for the lock when it later writes
/// (SQLITE_BUSY_SNAPSHOT), while an immediate one waits out the busy timeout.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let sqlite_transaction_mode = (db.get_database_backend() == DatabaseBackend::Sqlite)
        .then_some(SqliteTransactionMode::Immediate);
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode,
        ..Default::default()
    })
    .await
}

/// Queues this process's writers to a SQLite database. SQLite takes one writer at a time,
/// and a writer that finds the lock taken sleeps in SQLite's busy handler (in steps of up to
/// 100 ms) instead of queueing: under load the inbox intake lost the lock to the worker again
/// and again (745 callbacks/s, p99 1.1 s). Queued here, in order, they take turns without
/// sleeping. PostgreSQL locks rows, not the database, and needs no gate.
#[derive(Debug, Clone, Default)]
pub struct WriteGate(Option<std::sync::Arc<tokio::sync::Mutex<()>>>);

impl WriteGate {
    pub fn for_database(db: &DatabaseConnection) -> Self {
        Self(
            (db.get_database_backend() == DatabaseBackend::Sqlite)
                .then(|| std::sync::Arc::new(tokio::sync::Mutex::new(()))),
        )
    }

    /// Waits for this process's turn to write; the turn lasts while the guard lives.
    pub async fn enter(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.0 {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }
}

/// The connection pool now: connections open, idle among them, and the most it may open.
pub struct PoolFigures {
    pub open: u32,
    pub idle: usize,
    pub max: u32,
}

pub fn pool_figures(db: &DatabaseConnection) -> Option<PoolFigures> {
    // sea-orm's pool getters panic on another backend: asked only for the one in use.
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some(PoolFigures {
                open: pool.size(),
                idle: pool.num_idle(),
                max: pool.options().get_max_connections(),
            })
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some(PoolFigures {
                open: pool.size(),
                idle: pool.num_idle(),
                max: pool.options().get_max_connections(),
            })
        }
        _ => None,
    }
}
