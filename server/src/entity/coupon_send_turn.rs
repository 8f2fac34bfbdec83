use sea_orm::entity::prelude::*;

/// The row a coupon send to one recipient locks, so that sends of one template to one
/// customer take turns at the per-customer limit (`turns` counts them).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon_send_turns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub template_id: i64,
    pub recipient_kind: String,
    pub recipient_id: String,
    pub turns: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
