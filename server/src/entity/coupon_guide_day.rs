use sea_orm::entity::prelude::*;

/// How many coupons of a template a guide sent on a day (their daily quota's count).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon_guide_days")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub template_id: i64,
    pub guide_id: i64,
    /// `YYYY-MM-DD`, China's calendar.
    pub day: String,
    pub used: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
