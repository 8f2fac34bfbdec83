use sea_orm::entity::prelude::*;

/// A customer who must move from one guide to another (the first resigned, say).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_transfers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub handover_guide_id: i64,
    pub customer_id: i64,
    pub takeover_guide_id: Option<i64>,
    /// `awaiting`, `requested`, `done` or `failed`.
    pub status: String,
    /// `resigned` or `reassigned`.
    pub reason: String,
    pub fail_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
