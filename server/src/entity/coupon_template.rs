use sea_orm::entity::prelude::*;

/// A kind of coupon the brand issues.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon_templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub source_id: String,
    pub name: String,
    /// `cash` or `discount`.
    pub kind: String,
    /// Fen off (cash), or the share of the price kept in per mille (discount: 850 = 85折).
    pub value: i64,
    pub threshold_fen: i64,
    pub valid_from: Option<DateTimeUtc>,
    pub valid_to: Option<DateTimeUtc>,
    pub valid_days: i32,
    pub total_stock: i64,
    pub per_customer_limit: i32,
    /// Coupons of this template the guides may send in all; `None`: no cap.
    pub guide_quota: Option<i64>,
    /// Sends holding quota: live ones and claimed ones (a cancel or a lapse gives it back).
    pub guide_quota_used: i64,
    /// Sends per guide per day; `None`: no daily cap.
    pub guide_daily_limit: Option<i32>,
    pub source_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
