use sea_orm::entity::prelude::*;

/// One item of the brand's material library (素材库).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "materials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub source_id: String,
    /// `page`, `miniprogram`, `image`, `file` or `text`.
    pub kind: String,
    pub title: String,
    pub group_name: Option<String>,
    /// A page's address, or where an image or file is fetched from.
    #[sea_orm(column_type = "Text", nullable)]
    pub url: Option<String>,
    /// A mini-program page.
    #[sea_orm(column_type = "Text", nullable)]
    pub page: Option<String>,
    pub appid: Option<String>,
    /// The card's picture.
    #[sea_orm(column_type = "Text", nullable)]
    pub image_url: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// A script's text.
    #[sea_orm(column_type = "Text", nullable)]
    pub content: Option<String>,
    /// A script's attached material (its source id).
    pub attachment_id: Option<String>,
    pub active: bool,
    /// SHA-256 (hex) of the image or file last fetched from `url`.
    pub content_hash: Option<String>,
    pub source_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
