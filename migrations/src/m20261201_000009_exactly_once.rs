//! What "exactly once" is checked against, and one race closed:
//! - `callback_inbox.applications`: how many times a row's effects were committed (bumped in
//!   the same transaction as the effects), so a row applied twice shows as 2 however
//!   idempotent its effects are; `claimed_by`: which worker took the row last.
//! - at most one `running` sync run per kind (a unique partial index), so two syncs started
//!   at the same moment cannot both insert one; the loser is told one is already running.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, string_null};

use crate::schema_helpers::{add_columns, drop_columns, drop_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CallbackInbox {
    Table,
    Applications,
    ClaimedBy,
}

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
}

const ONE_RUNNING: &str = "ux_sync_runs_one_running";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(
            manager,
            CallbackInbox::Table,
            vec![
                integer(CallbackInbox::Applications).default(0).to_owned(),
                string_null(CallbackInbox::ClaimedBy).to_owned(),
            ],
        )
        .await?;
        let db = manager.get_connection();
        // Rows settled before the counter existed were applied once.
        db.execute_unprepared(
            "UPDATE callback_inbox SET applications = 1 WHERE status IN ('done', 'ignored')",
        )
        .await?;
        // The index cannot be built over two running runs of a kind: the newest keeps running
        // (it is the one a start would have resumed), the older are superseded.
        db.execute_unprepared(
            "UPDATE sync_runs SET status = 'failed', error = 'superseded by a newer run' \
             WHERE status = 'running' AND id < (SELECT MAX(newer.id) FROM sync_runs newer \
             WHERE newer.kind = sync_runs.kind AND newer.status = 'running')",
        )
        .await?;
        // Partial indexes: the same statement on SQLite and PostgreSQL; sea-query's index
        // builder has no WHERE.
        db.execute_unprepared(&format!(
            "CREATE UNIQUE INDEX {ONE_RUNNING} ON sync_runs (kind) WHERE status = 'running'"
        ))
        .await
        .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, ONE_RUNNING, SyncRuns::Table).await?;
        drop_columns(
            manager,
            CallbackInbox::Table,
            vec![
                CallbackInbox::Applications.into_iden(),
                CallbackInbox::ClaimedBy.into_iden(),
            ],
        )
        .await
    }
}
