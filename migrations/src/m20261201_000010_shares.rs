//! Shares: every link, card or text a guide sends, recorded before it leaves the server, with
//! who sent it to whom from which store, what it was, its stamped link and its state. The
//! token is what the stamp and the short link carry; a guide's idempotency key gives a
//! double-tapped send back the same share.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, string, string_uniq, text,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::schema_helpers::{col, drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Shares {
    Table,
    Id,
    Token,
    GuideId,
    StaffUserid,
    StoreId,
    RecipientKind,
    RecipientId,
    Kind,
    ItemId,
    Target,
    Link,
    IdempotencyKey,
    State,
    IssuedAt,
    CreatedAt,
    SentAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum Guides {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Shares::Table)
                    .col(big_pk_auto(Shares::Id))
                    .col(string_uniq(Shares::Token))
                    .col(big_integer(Shares::GuideId))
                    .col(string(Shares::StaffUserid))
                    .col(big_integer_null(Shares::StoreId))
                    // `customer` or `chat`, and the external_userid or chat_id.
                    .col(string(Shares::RecipientKind))
                    .col(string(Shares::RecipientId))
                    // `coupon`, `product` or `material`, and the source id of what was sent.
                    .col(string(Shares::Kind))
                    .col(string(Shares::ItemId))
                    .col(text(Shares::Target))
                    .col(text(Shares::Link))
                    .col(string(Shares::IdempotencyKey))
                    // `prepared`, then `sent` or `cancelled`.
                    .col(string(Shares::State))
                    .col(timestamp_with_time_zone(Shares::IssuedAt))
                    .col(timestamp_with_time_zone(Shares::CreatedAt))
                    .col(timestamp_with_time_zone_null(Shares::SentAt))
                    .col(timestamp_with_time_zone_null(Shares::CancelledAt))
                    .foreign_key(&mut fk(
                        "fk_shares_guide",
                        (Shares::Table, Shares::GuideId),
                        (Guides::Table, Guides::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One share per guide and idempotency key: the insert of a repeated send collides.
        index(
            manager,
            "ux_shares_guide_idempotency",
            Shares::Table,
            vec![col(Shares::GuideId), col(Shares::IdempotencyKey)],
            true,
        )
        .await?;
        // A customer's (or chat's) shares, newest first: the sidebar's "already sent".
        index(
            manager,
            "idx_shares_recipient",
            Shares::Table,
            vec![
                col(Shares::RecipientKind),
                col(Shares::RecipientId),
                col(Shares::CreatedAt),
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![Shares::Table.into_iden()]).await
    }
}
