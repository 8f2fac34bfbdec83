use sea_orm::entity::prelude::*;

/// A coupon a member holds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon_grants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub source_id: String,
    pub template_id: i64,
    pub member_id: i64,
    /// `issued`, `claimed`, `used` or `expired`.
    pub status: String,
    pub issued_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub used_at: Option<DateTimeUtc>,
    /// The share the member claimed it through, as the mall reported it.
    pub share_token: Option<String>,
    pub source_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
