//! Bindings made by hand (`guidedesk attribution bind`): the brand assigns a member to a guide
//! (a complaint settled, a store's customers shared out). Kept as facts beside the WeCom adds,
//! touches and transfers, so a rebuild or a replay makes the same binding again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_pk_auto, text, timestamp_with_time_zone};

use crate::schema_helpers::{col, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ManualBindings {
    Table,
    Id,
    MemberId,
    GuideId,
    BoundAt,
    Note,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ManualBindings::Table)
                    .col(big_pk_auto(ManualBindings::Id))
                    .col(big_integer(ManualBindings::MemberId))
                    .col(big_integer(ManualBindings::GuideId))
                    .col(timestamp_with_time_zone(ManualBindings::BoundAt))
                    // Why, as the operator wrote it.
                    .col(text(ManualBindings::Note))
                    // Who: the operating system's user who ran the command.
                    .col(text(ManualBindings::CreatedBy))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_manual_bindings_member",
            ManualBindings::Table,
            vec![col(ManualBindings::MemberId)],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![ManualBindings::Table.into_iden()]).await
    }
}
