use sea_orm::entity::prelude::*;

/// One send from the sidebar (`shares::prepare_share`): to whom, by whom, what, its stamped
/// link and its state.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shares")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub token: String,
    pub guide_id: i64,
    pub staff_userid: String,
    pub store_id: Option<i64>,
    /// `customer` or `chat`.
    pub recipient_kind: String,
    pub recipient_id: String,
    /// `coupon`, `product` or `material`.
    pub kind: String,
    pub item_id: String,
    #[sea_orm(column_type = "Text")]
    pub target: String,
    #[sea_orm(column_type = "Text")]
    pub link: String,
    pub idempotency_key: String,
    /// `prepared`, `sent`, `cancelled`, or (a coupon unclaimed in its window) `lapsed`.
    pub state: String,
    pub issued_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// A coupon's claim window ends here; unclaimed by then, its quota goes back.
    pub claim_by: Option<DateTimeUtc>,
    /// The day (`YYYY-MM-DD`, China) the guide's daily coupon quota was taken on.
    pub quota_day: Option<String>,
    /// When the mall reported the coupon claimed through this share.
    pub claimed_at: Option<DateTimeUtc>,
    /// When the radar last told the guide that someone opened it.
    pub radar_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
