//! `GET /api/v1/orders/{id}/credit`: who an order is credited to, and why.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderCredit {
    /// The credit rows (adding up to the paid amount), then a refund's reversing rows
    /// (negative, adding up to minus the refunded amount).
    pub credits: Vec<CreditLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditLine {
    pub amount_fen: i64,
    /// `binding`, `last_share`, `store` or `unattributed`.
    pub rule: String,
    /// Why, in Chinese.
    pub reason: String,
    pub guide: Option<Party>,
    pub store: Option<Party>,
    pub evidence: CreditEvidence,
    /// Whether the row credits (or reverses) the signed-in guide: the sidebar's
    /// 为什么算给我 / 为什么不算给我.
    #[serde(default)]
    pub mine: bool,
}

/// A guide or store: GuideDesk's id and the name people know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditEvidence {
    /// `credit` or `reversal`.
    pub entry: String,
    pub binding_id: Option<i64>,
    pub share_token: Option<String>,
    /// RFC 3339: when the member touched the share.
    pub touched_at: Option<String>,
    pub policy_version: i32,
    /// RFC 3339: the payment's (or the refund's) time.
    pub credited_at: String,
}
