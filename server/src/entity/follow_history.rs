use sea_orm::entity::prelude::*;

/// Every add and loss of a follow relation, as evidence (relations themselves are updated).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guide_customer_id: i64,
    /// `added` or `lost`.
    pub change: String,
    pub changed_by: Option<String>,
    pub state: Option<String>,
    pub happened_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
