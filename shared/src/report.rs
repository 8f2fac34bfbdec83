//! `GET /api/v1/reports/...`: what guides, stores and regions achieved, by day and month.

use serde::{Deserialize, Serialize};

use crate::credit::Party;

/// A period's figures. Sales are credited amounts (an order split between guides counts
/// part for each); `net_fen` = `sales_fen` − `refunds_fen`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// Shares sent.
    pub shares: i64,
    /// People (not link-preview fetchers) who opened a share.
    pub clicks: i64,
    /// Stamped visits (any event but a cart) through a share.
    pub visits: i64,
    pub carts: i64,
    /// Orders credited.
    pub orders: i64,
    pub sales_fen: i64,
    pub refunds_fen: i64,
    pub net_fen: i64,
    /// At the brand's commission rate (0 when none is configured).
    pub commission_fen: i64,
    pub new_bindings: i64,
}

/// `GET /api/v1/reports/mine?month=YYYY-MM`: the signed-in guide's month (the 业绩 tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MyMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub this_month: Figures,
    pub last_month: Figures,
    /// Rank by net credited sales among the guides of the guide's store (1 = first).
    pub rank: Option<Rank>,
    /// Net credited sales of each day of the month, in fen, first day first.
    pub days: Vec<i64>,
    /// The month's credited orders, newest first (at most 100).
    pub credits: Vec<CreditedOrder>,
    /// The commission rate in basis points (0: none configured).
    pub commission_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Rank {
    pub position: i64,
    pub of: i64,
    pub store: Party,
}

/// One ledger row of the guide's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditedOrder {
    pub order_id: i64,
    pub order_no: String,
    /// Negative for a refund's reversal.
    pub amount_fen: i64,
    pub rule: String,
    pub reason: String,
    /// RFC 3339.
    pub credited_at: String,
}

/// `GET /api/v1/reports/{guides|stores|regions|days}?from=&to=`: one row per key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `guides`, `stores`, `regions` or `days`.
    pub by: String,
    /// `YYYY-MM-DD`, both included (China's calendar).
    pub from: String,
    pub to: String,
    pub rows: Vec<ReportRow>,
    /// The rows added up.
    pub total: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    /// The guide's or store's id, the region's name, or the day.
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// Stores and regions: the part of their net sales credited to guides (private-domain
    /// sales), in basis points; `None` without sales.
    pub private_share_bp: Option<i64>,
}
