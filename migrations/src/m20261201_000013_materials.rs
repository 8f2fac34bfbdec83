//! The brand's material library (素材库): activity pages, mini-program pages, images, files
//! and scripts (话术: a text with an optional attached material), grouped and searchable;
//! and the WeCom temporary media the server uploaded for images and files, kept by content
//! hash (WeCom keeps a media id three days; the server uploads again before that).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_pk_auto, boolean, string, string_null, string_uniq, text_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

use crate::schema_helpers::{col, drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Materials {
    Table,
    Id,
    SourceId,
    Kind,
    Title,
    GroupName,
    Url,
    Page,
    Appid,
    ImageUrl,
    Description,
    Content,
    AttachmentId,
    Active,
    ContentHash,
    SourceUpdatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WecomMedia {
    Table,
    Id,
    ContentHash,
    MediaType,
    MediaId,
    UploadedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Materials::Table)
                    .col(big_pk_auto(Materials::Id))
                    .col(string_uniq(Materials::SourceId))
                    // `page`, `miniprogram`, `image`, `file` or `text`.
                    .col(string(Materials::Kind))
                    .col(string(Materials::Title))
                    .col(string_null(Materials::GroupName))
                    .col(text_null(Materials::Url))
                    .col(text_null(Materials::Page))
                    .col(string_null(Materials::Appid))
                    .col(text_null(Materials::ImageUrl))
                    .col(text_null(Materials::Description))
                    .col(text_null(Materials::Content))
                    .col(string_null(Materials::AttachmentId))
                    .col(boolean(Materials::Active).default(true))
                    // SHA-256 of the image or file last fetched from `url`.
                    .col(string_null(Materials::ContentHash))
                    .col(timestamp_with_time_zone(Materials::SourceUpdatedAt))
                    .col(timestamp_with_time_zone(Materials::CreatedAt))
                    .col(timestamp_with_time_zone(Materials::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_materials_group",
            Materials::Table,
            vec![col(Materials::GroupName), col(Materials::Title)],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WecomMedia::Table)
                    .col(big_pk_auto(WecomMedia::Id))
                    .col(string_uniq(WecomMedia::ContentHash))
                    // `image` or `file`.
                    .col(string(WecomMedia::MediaType))
                    .col(string(WecomMedia::MediaId))
                    .col(timestamp_with_time_zone_null(WecomMedia::UploadedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            vec![WecomMedia::Table.into_iden(), Materials::Table.into_iden()],
        )
        .await
    }
}
