//! What the sidebar shows about the customer in the open chat: the profile (one round trip),
//! their orders with parcels and tracking timelines, their behaviour trail, and the tag edits.
//! Money is integer fen; times are RFC 3339 in UTC (the page shows them in local time).

use serde::{Deserialize, Serialize};

/// `GET /api/v1/customers/{external_userid}/profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerProfile {
    pub contact: Contact,
    /// `None`: no member is linked to this WeCom customer (未关联会员), not an error.
    pub member: Option<Member>,
    /// Who the customer belongs to: the guide who added them first among those who still
    /// follow them.
    pub exclusive_guide: Option<ExclusiveGuide>,
    pub status: CustomerStatus,
    /// The signed-in guide's corp tags on this customer, by group, in catalogue order
    /// (`source` `wecom`), then the brand's own tags on the member (`source` `mall`).
    pub tag_groups: Vec<TagGroup>,
    /// The three newest orders, each with its parcel's status.
    pub recent_orders: Vec<OrderSummary>,
    /// Coupons issued or claimed, not expired.
    pub usable_coupons: u32,
}

/// The WeCom side: the external contact as this guide knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub external_userid: String,
    pub name: String,
    pub avatar: Option<String>,
    /// 1 male, 2 female, 0 or absent unknown (WeCom's values).
    pub gender: Option<i32>,
    /// A WeChat user (1) or a WeCom user of another company (2).
    pub contact_type: Option<i32>,
    pub corp_name: Option<String>,
    /// The signed-in guide's remark on the customer.
    pub remark: Option<String>,
    pub description: Option<String>,
    /// When the signed-in guide added the customer.
    pub added_at: String,
    /// A lost customer stays readable.
    pub relation: Relation,
}

/// Whether the signed-in guide still follows the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Active,
    /// Deleted by, or deleted, the guide.
    Lost,
}

impl Relation {
    /// From the stored status; anything but `active` counts as lost (no actions offered).
    pub fn from_status(status: &str) -> Self {
        if status == "active" {
            Self::Active
        } else {
            Self::Lost
        }
    }
}

/// The brand's member behind the WeCom customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub member_id: String,
    pub name: String,
    pub level: Option<String>,
    pub points: i64,
    pub balance_fen: i64,
    pub home_store: Option<StoreRef>,
    pub registered_at: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// `1** **** 1234`: only the last four digits are kept.
    pub mobile_masked: Option<String>,
    /// How the member was matched to the customer: `explicit`, `unionid` or `mobile`.
    pub matched_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StoreRef {
    pub store_id: String,
    pub name: String,
    pub city: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ExclusiveGuide {
    pub userid: String,
    pub name: String,
    pub since: String,
    /// The signed-in guide is the exclusive guide.
    pub is_me: bool,
}

/// Derived from the orders: how recently and how much the customer buys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerStatus {
    pub churn: Churn,
    pub days_since_last_order: Option<i64>,
    /// Paid in the last twelve months, cancelled and refunded orders left out.
    pub spend_12m_fen: i64,
    pub spending_level: SpendingLevel,
}

/// How recently the customer bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Churn {
    /// Bought within 90 days.
    Active,
    /// 91 to 180 days ago.
    Cooling,
    /// 181 to 365 days ago.
    Dormant,
    /// Over a year ago.
    Churned,
    /// No order yet.
    Never,
    /// No member linked, so no orders known.
    Unknown,
}

/// How much the customer spent in the last twelve months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpendingLevel {
    /// ¥5,000 and over.
    High,
    /// ¥1,000 and over.
    Medium,
    /// Above 0.
    Low,
    /// Nothing.
    #[serde(rename = "none")]
    Nothing,
}

/// Where an order was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The brand's online mall.
    Online,
    /// In a store.
    Offline,
    /// At a store's till.
    Pos,
    /// A channel this version does not know (ingest accepts only the three above).
    #[serde(other)]
    Other,
}

impl Channel {
    /// From the stored channel.
    pub fn from_code(code: &str) -> Self {
        match code {
            "online" => Self::Online,
            "offline" => Self::Offline,
            "pos" => Self::Pos,
            _ => Self::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagGroup {
    /// WeCom's group id for corp tags; the group's name for the brand's tags.
    pub group_id: String,
    pub name: String,
    /// `wecom` (corp tags: the guide may add and remove them) or `mall` (the brand's own,
    /// read-only here).
    pub source: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// WeCom's corp tag id (`et…`), what the tag edits take; for a brand's tag, its name.
    pub tag_id: String,
    pub name: String,
}

/// An order in a list: enough to recognise it and see where its parcel is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    /// For `GET /api/v1/orders/{id}`.
    pub id: i64,
    /// The order number in the brand's systems.
    pub order_no: String,
    /// `online`, `offline` or `pos`.
    pub channel: Channel,
    pub status: String,
    pub store_name: Option<String>,
    pub total_fen: i64,
    pub paid_fen: i64,
    pub ordered_at: String,
    pub item_count: u32,
    /// The first item's title, to recognise the order by.
    pub first_item: Option<String>,
    /// The newest parcel, if the order was shipped.
    pub shipment: Option<ShipmentSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ShipmentSummary {
    pub carrier_name: String,
    pub tracking_no: String,
    pub status: String,
    /// The newest tracking event's description.
    pub latest: Option<String>,
    pub latest_at: Option<String>,
}

/// `GET /api/v1/customers/{external_userid}/orders?cursor=`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrdersPage {
    pub orders: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/orders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub id: i64,
    pub order_no: String,
    pub channel: Channel,
    pub status: String,
    pub store_name: Option<String>,
    pub total_fen: i64,
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub ordered_at: String,
    pub paid_at: Option<String>,
    pub completed_at: Option<String>,
    pub items: Vec<OrderItem>,
    pub shipments: Vec<Shipment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub sku: String,
    pub product_id: Option<String>,
    pub title: String,
    pub quantity: i32,
    pub price_fen: i64,
    pub amount_fen: i64,
}

/// A parcel with its whole tracking timeline, newest event first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub carrier_code: String,
    pub carrier_name: String,
    pub tracking_no: String,
    pub status: String,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub events: Vec<TrackingEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TrackingEvent {
    pub at: String,
    pub location: Option<String>,
    pub description: String,
}

/// `GET /api/v1/customers/{external_userid}/timeline?cursor=`: the behaviour trail, newest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TimelinePage {
    pub events: Vec<BehaviourEvent>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BehaviourEvent {
    /// `visit`, `browse_product`, `search`, `add_to_cart`, `claim_coupon`, `order`, `after_sale`,
    /// `switch_store`.
    pub kind: String,
    pub happened_at: String,
    /// The event's details as the brand's system sent them (a JSON object's text).
    pub details: Option<String>,
    /// The one detail worth a glance: a product's title, a search's words, a coupon's or
    /// store's name, an after-sale's reason.
    pub summary: Option<String>,
}

/// `POST` (add) and `DELETE` (remove) `/api/v1/customers/{external_userid}/tags`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagEdit {
    pub tag_ids: Vec<String>,
}

/// `GET /api/v1/tags`: the corp tag catalogue a guide picks from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TagCatalogue {
    pub groups: Vec<TagGroup>,
}

/// `GET /api/v1/customers?q=`: the signed-in guide's customers (active first, newest added
/// first), at most 50, filtered by name or remark when `q` is given. What a guide picks from
/// outside WeCom (the demo's bridge) and searches in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerList {
    pub customers: Vec<CustomerListItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerListItem {
    pub external_userid: String,
    pub name: String,
    pub avatar: Option<String>,
    pub remark: Option<String>,
    pub relation: Relation,
    pub added_at: String,
}
