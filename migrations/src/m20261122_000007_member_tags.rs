//! The brand's own tags on a member (商城标签: skin type, preferences, the mall's segments),
//! sent with the member by the brand's systems and shown beside the WeCom corp tags. Replaced
//! whole with each newer version of the member.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, big_pk_auto, string};

use crate::schema_helpers::{col, drop_tables, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MemberTags {
    Table,
    Id,
    MemberId,
    GroupName,
    TagName,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MemberTags::Table)
                    .col(big_pk_auto(MemberTags::Id))
                    .col(big_integer(MemberTags::MemberId))
                    .col(string(MemberTags::GroupName))
                    .col(string(MemberTags::TagName))
                    .foreign_key(&mut fk(
                        "fk_member_tags_member",
                        (MemberTags::Table, MemberTags::MemberId),
                        (Members::Table, Members::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // A member's tags, read with the profile; one row per (member, group, tag).
        index(
            manager,
            "uq_member_tags_member_group_tag",
            MemberTags::Table,
            vec![
                col(MemberTags::MemberId),
                col(MemberTags::GroupName),
                col(MemberTags::TagName),
            ],
            true,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, vec![MemberTags::Table.into_iden()]).await
    }
}
