//! Orders from every channel (online mall, offline store, POS), with their items. Amounts are
//! integer fen and must add up: the items' amounts to the total, the discount and the paid
//! amount within it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use serde::Deserialize;

use super::order_writes::{
    write_items_as_arrays, write_items_as_values, write_orders_as_arrays, write_orders_as_values,
};
use super::record::{
    RecordError, Versioned, WrittenRows, check_all, check_fen, check_id, check_one_of, check_text,
    delete_children, invalid, newest_versions, resolve, unknown_reference,
};
use crate::entity::{member, order_item, store};

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
#[derive(Debug, Clone, Deserialize)]
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
    #[serde(default)]
    pub items: Vec<ItemRecord>,
}

#[derive(Debug, Clone, Deserialize)]
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
    index: usize,
    pub(super) record: OrderRecord,
    /// The items, each with its amount.
    pub(super) lines: Vec<(ItemRecord, i64)>,
}

/// Everything about an order that needs no database: fields, words, amounts adding up.
fn check(index: usize, record: OrderRecord) -> Result<Checked, RecordError> {
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
    Ok(Checked {
        index,
        record,
        lines,
    })
}

/// One order (the ingest API's single-record path goes through the batch path too).
pub async fn apply(
    db: &impl ConnectionTrait,
    record: OrderRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    let (_, mut refused) = apply_many(db, vec![(0, Ok(record))], now).await?;
    match refused.pop() {
        Some((_, error)) => Err(error),
        None => Ok(()),
    }
}

/// Orders are loaded by the million: a batch is stored in a handful of statements, not a
/// handful per order. Its members and stores are resolved in one query each, its orders
/// upserted in one statement that returns the rows it wrote (a version not newer than the
/// stored one is not written), and those orders' items replaced in one delete and one insert.
/// Returns how many were accepted and the refused ones by index.
pub async fn apply_many(
    db: &impl ConnectionTrait,
    records: Vec<(usize, Result<OrderRecord, RecordError>)>,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<(usize, RecordError)>), DbErr> {
    let (checked, mut refused) = check_all(records, check)?;
    let member_ids = resolve::<member::Entity>(
        db,
        member::Column::SourceId,
        checked.iter().filter_map(|c| c.record.member_id.clone()),
    )
    .await?;
    let store_ids = resolve::<store::Entity>(
        db,
        store::Column::SourceId,
        checked.iter().filter_map(|c| c.record.store_id.clone()),
    )
    .await?;

    let mut resolved = Vec::with_capacity(checked.len());
    for order in checked {
        let unknown = |field: &str, source: &Option<String>, known: &HashMap<String, i64>| {
            source
                .as_ref()
                .filter(|id| !known.contains_key(*id))
                .map(|id| unknown_reference(field, id))
        };
        match unknown("member_id", &order.record.member_id, &member_ids)
            .or_else(|| unknown("store_id", &order.record.store_id, &store_ids))
        {
            Some(error) => refused.push((order.index, error)),
            None => resolved.push(order),
        }
    }
    let accepted = resolved.len() as u64;
    let orders = newest_versions(resolved);
    let written = if db.get_database_backend() == DbBackend::Postgres {
        write_orders_as_arrays(db, &orders, &member_ids, &store_ids, now).await?
    } else {
        write_orders_as_values(db, &orders, &member_ids, &store_ids, now).await?
    };
    if !written.ids.is_empty() {
        replace_items(db, &orders, &written).await?;
    }
    Ok((accepted, refused))
}

impl Versioned for Checked {
    fn source_id(&self) -> &str {
        &self.record.id
    }

    fn version(&self) -> DateTime<Utc> {
        self.record.updated_at
    }
}

/// The written orders' items are those of the version just written.
async fn replace_items(
    db: &impl ConnectionTrait,
    orders: &[Checked],
    written: &WrittenRows,
) -> Result<(), DbErr> {
    delete_children::<order_item::Entity>(db, order_item::Column::OrderId, &written.updated)
        .await?;
    let lines =
        orders
            .iter()
            .filter_map(|order| written.ids.get(&order.record.id).map(|id| (*id, order)))
            .flat_map(|(order_id, order)| {
                order.lines.iter().enumerate().map(move |(n, line)| {
                    (order_id, i32::try_from(n + 1).unwrap_or(i32::MAX), line)
                })
            });
    if db.get_database_backend() == DbBackend::Postgres {
        write_items_as_arrays(db, lines).await
    } else {
        write_items_as_values(db, lines).await
    }
}
