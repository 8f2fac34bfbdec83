//! Runs of the WeCom sync (`guidedesk sync contacts|tags` and the nightly reconciliation),
//! each with its position, so an interrupted run resumes where it stopped.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, integer, string, text, text_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

use crate::schema_helpers::{col, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SyncRuns {
    Table,
    Id,
    Kind,
    Status,
    Position,
    GuidesTotal,
    GuidesDone,
    ContactsSeen,
    Error,
    StartedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SyncRuns::Table)
                    .col(big_pk_auto(SyncRuns::Id))
                    .col(string(SyncRuns::Kind))
                    .col(string(SyncRuns::Status))
                    .col(text(SyncRuns::Position))
                    .col(integer(SyncRuns::GuidesTotal).default(0))
                    .col(integer(SyncRuns::GuidesDone).default(0))
                    .col(big_integer(SyncRuns::ContactsSeen).default(0))
                    .col(text_null(SyncRuns::Error))
                    .col(timestamp_with_time_zone(SyncRuns::StartedAt))
                    .col(timestamp_with_time_zone(SyncRuns::UpdatedAt))
                    .col(timestamp_with_time_zone_null(SyncRuns::FinishedAt))
                    .to_owned(),
            )
            .await?;
        // "The unfinished run of this kind", looked up at every start.
        index(
            manager,
            "idx_sync_runs_kind_status",
            SyncRuns::Table,
            vec![col(SyncRuns::Kind), col(SyncRuns::Status)],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![SyncRuns::Table.into_iden()]).await
    }
}
