//! The durable inbox of WeCom callbacks: a callback is acknowledged only once its decrypted
//! payload is stored here, and a worker applies it later, exactly once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_pk_auto, integer, string, string_null, string_uniq, text, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::schema_helpers::{col, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CallbackInbox {
    Table,
    Id,
    DedupeKey,
    Payload,
    EventKind,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    ReceivedAt,
    ProcessedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CallbackInbox::Table)
                    .col(big_pk_auto(CallbackInbox::Id))
                    // SHA-256 of the whole decrypted payload: WeCom's retries collapse into one
                    // row, while two customers added in the same second stay two rows.
                    .col(string_uniq(CallbackInbox::DedupeKey))
                    .col(text(CallbackInbox::Payload))
                    .col(string_null(CallbackInbox::EventKind))
                    // pending | processing | done | failed | ignored
                    .col(string(CallbackInbox::Status).default("pending"))
                    .col(integer(CallbackInbox::Attempts).default(0))
                    .col(text_null(CallbackInbox::LastError))
                    .col(timestamp_with_time_zone(CallbackInbox::NextAttemptAt))
                    .col(timestamp_with_time_zone(CallbackInbox::ReceivedAt))
                    .col(timestamp_with_time_zone_null(CallbackInbox::ProcessedAt))
                    .to_owned(),
            )
            .await?;
        // The worker's claim query: due rows of one status, oldest first.
        index(
            manager,
            "idx_callback_inbox_due",
            CallbackInbox::Table,
            vec![
                col(CallbackInbox::Status),
                col(CallbackInbox::NextAttemptAt),
            ],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![CallbackInbox::Table.into_iden()]).await
    }
}
