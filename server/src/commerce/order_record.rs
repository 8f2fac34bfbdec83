//! An order as the brand's systems send it, and the checks it passes before any database
//! work: fields, words, amounts adding up.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::record::{
    RecordError, Versioned, check_fen, check_id, check_one_of, check_text, invalid,
};
use super::stamped::stamp_text;

pub const CHANNELS: &[&str] = &["online", "offline", "pos"];
pub const STATUSES: &[&str] = &[
    "created",
    "paid",
    "shipped",
    "completed",
    "cancelled",
    "refunded",
];

/// `orders`: an order and its items (the items are replaced with each newer version).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    /// The member's source id; absent for a guest order.
    #[serde(default)]
    pub member_id: Option<String>,
    pub channel: String,
    /// The store's source id (offline and POS orders; an online order may name one too).
    #[serde(default)]
    pub store_id: Option<String>,
    pub status: String,
    pub total_fen: i64,
    #[serde(default)]
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub ordered_at: DateTime<Utc>,
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    /// What was refunded so far (a partial refund keeps the order's status); a `refunded`
    /// order without it was refunded in full.
    #[serde(default)]
    pub refunded_fen: Option<i64>,
    #[serde(default)]
    pub refunded_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub items: Vec<ItemRecord>,
    /// The stamp of the guide's link the order came through, as the mall received it.
    #[serde(default)]
    pub stamp: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRecord {
    pub sku: String,
    /// The product's source id.
    #[serde(default)]
    pub product_id: Option<String>,
    pub title: String,
    pub quantity: i32,
    pub price_fen: i64,
    /// The line's amount after line discounts; `price_fen × quantity` when absent.
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// An order that passed validation: its items with their amounts.
pub(super) struct Checked {
    pub(super) index: usize,
    pub(super) record: OrderRecord,
    /// The items, each with its amount.
    pub(super) lines: Vec<(ItemRecord, i64)>,
    /// What was refunded, in fen.
    pub(super) refunded_fen: i64,
    /// The stamp as a query string.
    pub(super) stamp: Option<String>,
}

/// Everything about an order that needs no database: fields, words, amounts adding up.
pub(super) fn check(index: usize, record: OrderRecord) -> Result<Checked, RecordError> {
    check_id("id", &record.id)?;
    check_one_of("channel", &record.channel, CHANNELS)?;
    check_one_of("status", &record.status, STATUSES)?;
    check_fen("total_fen", record.total_fen)?;
    check_fen("discount_fen", record.discount_fen)?;
    check_fen("paid_fen", record.paid_fen)?;
    if record.discount_fen > record.total_fen || record.paid_fen > record.total_fen {
        return Err(invalid(
            "amounts_mismatch",
            "`discount_fen` and `paid_fen` cannot exceed `total_fen`",
        ));
    }
    let mut items_total: i64 = 0;
    let mut lines = Vec::with_capacity(record.items.len());
    for (n, item) in record.items.iter().enumerate() {
        check_text(&format!("items[{n}].sku"), &item.sku, 64)?;
        check_text(&format!("items[{n}].title"), &item.title, 200)?;
        if item.quantity < 1 {
            return Err(invalid(
                "invalid_field",
                format!("`items[{n}].quantity` must be 1 or more"),
            ));
        }
        check_fen(&format!("items[{n}].price_fen"), item.price_fen)?;
        let amount = match item.amount_fen {
            Some(amount) => amount,
            None => item
                .price_fen
                .checked_mul(i64::from(item.quantity))
                .ok_or_else(|| invalid("invalid_amount", format!("`items[{n}]` overflows")))?,
        };
        check_fen(&format!("items[{n}].amount_fen"), amount)?;
        items_total = items_total
            .checked_add(amount)
            .ok_or_else(|| invalid("invalid_amount", "the items' amounts overflow"))?;
        lines.push((item.clone(), amount));
    }
    if !record.items.is_empty() && items_total != record.total_fen {
        return Err(invalid(
            "amounts_mismatch",
            format!(
                "the items add up to {items_total} fen, `total_fen` is {}",
                record.total_fen
            ),
        ));
    }
    let refunded_fen = refunded(&record)?;
    let stamp = stamp_text(&record.stamp)?;
    Ok(Checked {
        index,
        record,
        lines,
        refunded_fen,
        stamp,
    })
}

/// The refunded amount: as given (within the paid amount), else all of a `refunded` order.
fn refunded(record: &OrderRecord) -> Result<i64, RecordError> {
    match record.refunded_fen {
        Some(fen) => {
            check_fen("refunded_fen", fen)?;
            if fen > record.paid_fen {
                return Err(invalid(
                    "amounts_mismatch",
                    "`refunded_fen` cannot exceed `paid_fen`",
                ));
            }
            Ok(fen)
        }
        None if record.status == "refunded" => Ok(record.paid_fen),
        None => Ok(0),
    }
}

impl Versioned for Checked {
    fn source_id(&self) -> &str {
        &self.record.id
    }

    fn version(&self) -> DateTime<Utc> {
        self.record.updated_at
    }
}
