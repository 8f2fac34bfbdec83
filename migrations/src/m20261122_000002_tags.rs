//! The local mirror of WeCom's corp tag catalogue, and which tags a guide has put on a
//! customer. WeCom keeps tags per follow relation (guide + customer), so do we.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, boolean, integer, string, string_uniq, timestamp_with_time_zone,
};

use crate::schema_helpers::{col, drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TagGroups {
    Table,
    Id,
    WecomGroupId,
    Name,
    SortOrder,
    Deleted,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Id,
    WecomTagId,
    GroupId,
    Name,
    SortOrder,
    Deleted,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GuideCustomerTags {
    Table,
    Id,
    GuideCustomerId,
    TagId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GuideCustomers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TagGroups::Table)
                    .col(big_pk_auto(TagGroups::Id))
                    .col(string_uniq(TagGroups::WecomGroupId))
                    .col(string(TagGroups::Name))
                    .col(integer(TagGroups::SortOrder).default(0))
                    // WeCom reports deletions; we keep the row so old tag history still reads.
                    .col(boolean(TagGroups::Deleted).default(false))
                    .col(timestamp_with_time_zone(TagGroups::CreatedAt))
                    .col(timestamp_with_time_zone(TagGroups::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tags::Table)
                    .col(big_pk_auto(Tags::Id))
                    .col(string_uniq(Tags::WecomTagId))
                    .col(big_integer(Tags::GroupId))
                    .col(string(Tags::Name))
                    .col(integer(Tags::SortOrder).default(0))
                    .col(boolean(Tags::Deleted).default(false))
                    .col(timestamp_with_time_zone(Tags::CreatedAt))
                    .col(timestamp_with_time_zone(Tags::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_tags_group",
                        (Tags::Table, Tags::GroupId),
                        (TagGroups::Table, TagGroups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_tags_group",
            Tags::Table,
            vec![col(Tags::GroupId)],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(GuideCustomerTags::Table)
                    .col(big_pk_auto(GuideCustomerTags::Id))
                    .col(big_integer(GuideCustomerTags::GuideCustomerId))
                    .col(big_integer(GuideCustomerTags::TagId))
                    .col(timestamp_with_time_zone(GuideCustomerTags::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_guide_customer_tags_relation",
                        (GuideCustomerTags::Table, GuideCustomerTags::GuideCustomerId),
                        (GuideCustomers::Table, GuideCustomers::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_guide_customer_tags_tag",
                        (GuideCustomerTags::Table, GuideCustomerTags::TagId),
                        (Tags::Table, Tags::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_guide_customer_tags_pair",
            GuideCustomerTags::Table,
            vec![
                col(GuideCustomerTags::GuideCustomerId),
                col(GuideCustomerTags::TagId),
            ],
            true,
        )
        .await?;
        // "Customers with this tag" for segment counts and tag deletion.
        index(
            manager,
            "idx_guide_customer_tags_tag",
            GuideCustomerTags::Table,
            vec![col(GuideCustomerTags::TagId)],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![
                GuideCustomerTags::Table.into_iden(),
                Tags::Table.into_iden(),
                TagGroups::Table.into_iden(),
            ],
        )
        .await
    }
}
