use sea_orm::entity::prelude::*;

/// A member's binding guide (专属导购) for a period; `ended_at` none: the current one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bindings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub guide_id: i64,
    pub store_id: Option<i64>,
    /// `wecom_add`, `stamped_touch`, `purchase`, `transfer` or `manual`.
    pub source: String,
    pub evidence: Option<String>,
    pub started_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<String>,
    pub policy_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
