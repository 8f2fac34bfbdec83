use sea_orm::entity::prelude::*;

/// A file uploaded to WeCom's temporary media, by content: its media id lasts three days.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wecom_media")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub content_hash: String,
    /// `image` or `file`.
    pub media_type: String,
    pub media_id: String,
    pub uploaded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
