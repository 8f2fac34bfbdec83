use sea_orm::entity::prelude::*;

/// A stamped event or order the mall reported, valid (it credits) or not (with why).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "touches")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `event` or `order`.
    pub source_kind: String,
    pub source_id: String,
    pub member_id: Option<i64>,
    /// The event's kind, or `order`.
    pub kind: String,
    pub touched_at: DateTimeUtc,
    /// The stamp's parameters as received, as a query string.
    #[sea_orm(column_type = "Text")]
    pub stamp: String,
    pub valid: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub refusal: Option<String>,
    pub share_token: Option<String>,
    pub guide_id: Option<i64>,
    pub store_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
