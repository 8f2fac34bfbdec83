//! Welcome messages (欢迎语): what a customer receives when they add a guide, configured per
//! store (or a brand default), and every attempt to send one: sent, late (WeCom's 20-second
//! window had passed) or refused, never retried.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer_null, big_pk_auto, boolean, string, string_null, string_uniq, text, text_null,
    timestamp_with_time_zone,
};

use crate::schema_helpers::{col, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WelcomeMessages {
    Table,
    Id,
    SourceId,
    StoreId,
    Content,
    MaterialId,
    Active,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WelcomeSends {
    Table,
    Id,
    WelcomeCode,
    StaffUserid,
    ExternalUserid,
    State,
    Error,
    ShareToken,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WelcomeMessages::Table)
                    .col(big_pk_auto(WelcomeMessages::Id))
                    .col(string_uniq(WelcomeMessages::SourceId))
                    // A store's own; none: the brand's default.
                    .col(big_integer_null(WelcomeMessages::StoreId))
                    .col(text(WelcomeMessages::Content))
                    .col(string_null(WelcomeMessages::MaterialId))
                    .col(boolean(WelcomeMessages::Active).default(true))
                    .col(timestamp_with_time_zone(WelcomeMessages::SourceUpdatedAt))
                    .col(timestamp_with_time_zone(WelcomeMessages::CreatedAt))
                    .col(timestamp_with_time_zone(WelcomeMessages::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_welcome_messages_store",
            WelcomeMessages::Table,
            vec![col(WelcomeMessages::StoreId)],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WelcomeSends::Table)
                    .col(big_pk_auto(WelcomeSends::Id))
                    // A welcome code is good once: one attempt per code.
                    .col(string_uniq(WelcomeSends::WelcomeCode))
                    .col(string(WelcomeSends::StaffUserid))
                    .col(string(WelcomeSends::ExternalUserid))
                    // `sent`, `late` or `failed`.
                    .col(string(WelcomeSends::State))
                    .col(text_null(WelcomeSends::Error))
                    .col(string_null(WelcomeSends::ShareToken))
                    .col(timestamp_with_time_zone(WelcomeSends::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                WelcomeSends::Table.into_iden(),
                WelcomeMessages::Table.into_iden(),
            ],
        )
        .await
    }
}
