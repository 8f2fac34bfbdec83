//! The opens of a share's short link (`GET /s/{token}`), written in batches after the
//! redirect has gone out: when, by what kind of client (a person in WeCom or WeChat, another
//! browser, or a link-preview fetcher drawing the card), and the first-party visitor cookie
//! that tells unique visitors apart. No IP address is kept.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_pk_auto, string, timestamp_with_time_zone};

use crate::schema_helpers::{col, drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ShareClicks {
    Table,
    Id,
    ShareId,
    ClickedAt,
    Client,
    Visitor,
}

#[derive(DeriveIden)]
enum Shares {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ShareClicks::Table)
                    .col(big_pk_auto(ShareClicks::Id))
                    .col(big_integer(ShareClicks::ShareId))
                    .col(timestamp_with_time_zone(ShareClicks::ClickedAt))
                    // `wecom`, `wechat`, `browser` or `preview`.
                    .col(string(ShareClicks::Client))
                    .col(string(ShareClicks::Visitor))
                    .foreign_key(&mut fk(
                        "fk_share_clicks_share",
                        (ShareClicks::Table, ShareClicks::ShareId),
                        (Shares::Table, Shares::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_share_clicks_share",
            ShareClicks::Table,
            vec![col(ShareClicks::ShareId), col(ShareClicks::ClickedAt)],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![ShareClicks::Table.into_iden()]).await
    }
}
