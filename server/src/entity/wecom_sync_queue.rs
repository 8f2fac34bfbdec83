use sea_orm::entity::prelude::*;

/// A fetch from the WeCom API that a callback asked for (drained by the WeCom client).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wecom_sync_queue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `contact`, `user` or `tag_catalogue`.
    pub kind: String,
    pub target: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub attempts: i32,
    pub queued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
