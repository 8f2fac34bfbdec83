use sea_orm::entity::prelude::*;

/// A member bound to a guide by hand (`guidedesk attribution bind`): a fact of the bindings.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "manual_bindings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub guide_id: i64,
    pub bound_at: DateTimeUtc,
    pub note: String,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
