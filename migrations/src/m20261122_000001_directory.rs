//! Who serves whom: stores, guides (WeCom members), customers (WeCom external contacts) and the
//! guide-customer relation that WeCom's contact callbacks create and end.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, integer_null, string, string_null, string_uniq, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::schema_helpers::{col, drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
    SourceId,
    Name,
    Region,
    City,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Guides {
    Table,
    Id,
    WecomUserid,
    Name,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    ExternalUserid,
    Name,
    Avatar,
    ContactType,
    Gender,
    Unionid,
    CorpName,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GuideCustomers {
    Table,
    Id,
    GuideId,
    CustomerId,
    Remark,
    Description,
    AddWay,
    State,
    AddedAt,
    Status,
    LostAt,
    LostBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Stores::Table)
                    .col(big_pk_auto(Stores::Id))
                    // The brand's own store code: what its POS and mall call the store.
                    .col(string_uniq(Stores::SourceId))
                    .col(string(Stores::Name))
                    .col(string_null(Stores::Region))
                    .col(string_null(Stores::City))
                    .col(timestamp_with_time_zone(Stores::CreatedAt))
                    .col(timestamp_with_time_zone(Stores::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Guides::Table)
                    .col(big_pk_auto(Guides::Id))
                    .col(string_uniq(Guides::WecomUserid))
                    .col(string(Guides::Name))
                    // active | disabled | resigned: a resigned guide's customers await transfer.
                    .col(string(Guides::Status).default("active"))
                    .col(timestamp_with_time_zone(Guides::CreatedAt))
                    .col(timestamp_with_time_zone(Guides::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(big_pk_auto(Customers::Id))
                    .col(string_uniq(Customers::ExternalUserid))
                    .col(string(Customers::Name).default(""))
                    .col(text_null(Customers::Avatar))
                    // 1 = WeChat user, 2 = WeCom user (WeCom's own numbering).
                    .col(integer_null(Customers::ContactType))
                    .col(integer_null(Customers::Gender))
                    .col(string_null(Customers::Unionid))
                    .col(string_null(Customers::CorpName))
                    .col(timestamp_with_time_zone(Customers::CreatedAt))
                    .col(timestamp_with_time_zone(Customers::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // Members are matched to WeCom customers by unionid (issue: commerce data).
        index(
            manager,
            "idx_customers_unionid",
            Customers::Table,
            vec![col(Customers::Unionid)],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(GuideCustomers::Table)
                    .col(big_pk_auto(GuideCustomers::Id))
                    .col(big_integer(GuideCustomers::GuideId))
                    .col(big_integer(GuideCustomers::CustomerId))
                    .col(string_null(GuideCustomers::Remark))
                    .col(text_null(GuideCustomers::Description))
                    .col(integer_null(GuideCustomers::AddWay))
                    // The contact-me QR code's `state`: which store/campaign won the add.
                    .col(string_null(GuideCustomers::State))
                    .col(timestamp_with_time_zone(GuideCustomers::AddedAt))
                    // active | lost. A lost relation is kept: history is evidence.
                    .col(string(GuideCustomers::Status).default("active"))
                    .col(timestamp_with_time_zone_null(GuideCustomers::LostAt))
                    // guide | customer | transfer
                    .col(string_null(GuideCustomers::LostBy))
                    .col(timestamp_with_time_zone(GuideCustomers::CreatedAt))
                    .col(timestamp_with_time_zone(GuideCustomers::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_guide_customers_guide",
                        (GuideCustomers::Table, GuideCustomers::GuideId),
                        (Guides::Table, Guides::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_guide_customers_customer",
                        (GuideCustomers::Table, GuideCustomers::CustomerId),
                        (Customers::Table, Customers::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // One relation per pair; the unique index also serves "my customers" (guide first).
        index(
            manager,
            "uq_guide_customers_pair",
            GuideCustomers::Table,
            vec![
                col(GuideCustomers::GuideId),
                col(GuideCustomers::CustomerId),
            ],
            true,
        )
        .await?;
        // "Who serves this customer": the exclusive guide and every follower.
        index(
            manager,
            "idx_guide_customers_customer",
            GuideCustomers::Table,
            vec![col(GuideCustomers::CustomerId)],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                GuideCustomers::Table.into_iden(),
                Customers::Table.into_iden(),
                Guides::Table.into_iden(),
                Stores::Table.into_iden(),
            ],
        )
        .await
    }
}
