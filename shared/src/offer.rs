//! What a guide can send, as the sidebar's sending tabs list it: the customer's coupons and
//! the sendable ones (`GET /api/v1/customers/{external_userid}/coupons`), the store's
//! products (`GET /api/v1/products`) and the brand's materials (`GET /api/v1/materials`).
//! Money is integer fen; times RFC 3339 in UTC.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/customers/{external_userid}/coupons`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerCoupons {
    /// The coupons the customer's member holds: usable first (soonest to lapse first), then
    /// used and lapsed, newest first.
    pub held: Vec<HeldCoupon>,
    /// The templates this guide could send them now, sendable first, each saying why not
    /// when it is not.
    pub sendable: Vec<SendableCoupon>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldCoupon {
    pub id: String,
    pub template_id: String,
    pub name: String,
    /// e.g. `满200减30`, `85折`.
    pub face: String,
    /// `usable`, `used` or `expired`.
    pub status: String,
    pub issued_at: String,
    pub expires_at: Option<String>,
    pub used_at: Option<String>,
    /// Usable and lapsing within three days: worth a reminder.
    pub expiring_soon: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendableCoupon {
    /// The template's id: what `POST /api/v1/shares` takes.
    pub id: String,
    pub name: String,
    pub face: String,
    /// e.g. `领取后7天内有效`, `有效期至 2026-12-31`.
    pub validity: String,
    pub sendable: bool,
    /// Why not, in Chinese, when it is not sendable.
    pub reason: Option<String>,
    /// What is left of the guides' sending quota; `None`: no cap.
    pub quota_left: Option<i64>,
    /// What is left of this guide's quota today; `None`: no daily cap.
    pub daily_left: Option<i64>,
    /// How many more this customer may receive (the per-customer limit less what they hold
    /// and what was sent them unclaimed).
    pub customer_left: i64,
}

/// `GET /api/v1/products?q=&cursor=`: a page of the products on sale in the guide's store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductPage {
    pub products: Vec<ProductCard>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductCard {
    pub id: String,
    pub title: String,
    pub image_url: Option<String>,
    /// The lowest and highest SKU price (the product's price without SKUs).
    pub price_min_fen: i64,
    pub price_max_fen: i64,
    /// Units in stock over the SKUs; `None`: stock not tracked.
    pub stock: Option<i64>,
    pub skus: Vec<SkuLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkuLine {
    pub sku: String,
    pub spec: Option<String>,
    pub price_fen: i64,
    pub stock: Option<i64>,
}

/// `GET /api/v1/materials?q=`: the brand's library, by group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialLibrary {
    pub groups: Vec<MaterialGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialGroup {
    /// `未分组` for materials without a group.
    pub name: String,
    pub materials: Vec<MaterialCard>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialCard {
    /// What `POST /api/v1/shares` takes with `kind: "material"`.
    pub id: String,
    /// `page`, `miniprogram`, `image`, `file` or `text` (a script).
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub image_url: Option<String>,
    /// A script's text.
    pub content: Option<String>,
    /// What a script sends after its text.
    pub attachment: Option<MaterialRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialRef {
    pub id: String,
    pub kind: String,
    pub title: String,
}
