//! Orders from every channel (online mall, offline store, POS), with their items. Amounts are
//! integer fen and must add up: the items' amounts to the total, the discount and the paid
//! amount within it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryTrait, Value,
};
use serde::Deserialize;

use super::columns;
use super::record::{
    ROWS_PER_STATEMENT, RecordError, Versioned, WrittenRows, check_all, check_fen, check_id,
    check_one_of, check_text, delete_children, invalid, newer_wins, newest_versions, resolve,
    unknown_reference, upsert_returning,
};
use crate::entity::{member, order, order_item, store};

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
struct Checked {
    index: usize,
    record: OrderRecord,
    lines: Vec<(ItemRecord, i64)>,
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

/// An item to write: its order's local id, its line number, the item and its amount.
type Line<'a> = (i64, i32, &'a (ItemRecord, i64));

/// The upsert's SET list and guard: every field from the newer version.
const ORDER_UPSERT_TAIL: &str = r#"ON CONFLICT ("source_id") DO UPDATE SET
  "member_id" = excluded."member_id", "channel" = excluded."channel",
  "store_id" = excluded."store_id", "status" = excluded."status",
  "total_fen" = excluded."total_fen", "discount_fen" = excluded."discount_fen",
  "paid_fen" = excluded."paid_fen", "ordered_at" = excluded."ordered_at",
  "paid_at" = excluded."paid_at", "completed_at" = excluded."completed_at",
  "source_updated_at" = excluded."source_updated_at", "updated_at" = excluded."updated_at"
WHERE "orders"."source_updated_at" < excluded."source_updated_at"
RETURNING "source_id", "id", xmax = 0"#;

/// PostgreSQL: the batch's orders as one array per column (see [`columns`]).
async fn write_orders_as_arrays(
    db: &impl ConnectionTrait,
    orders: &[Checked],
    member_ids: &HashMap<String, i64>,
    store_ids: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<WrittenRows, DbErr> {
    let local = |source: &Option<String>, known: &HashMap<String, i64>| {
        columns::id_or_zero(source.as_ref().and_then(|id| known.get(id).copied()))
    };
    let sql = format!(
        r#"INSERT INTO "orders" ("source_id", "member_id", "channel", "store_id", "status",
  "total_fen", "discount_fen", "paid_fen", "ordered_at", "paid_at", "completed_at",
  "source_updated_at", "created_at", "updated_at")
SELECT s, NULLIF(m, 0), c, NULLIF(st, 0), status, t, d, p, o,
  NULLIF(pa, '')::timestamptz, NULLIF(co, '')::timestamptz, u, $13, $13
FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bigint[],
  $7::bigint[], $8::bigint[], $9::timestamptz[], $10::text[], $11::text[], $12::timestamptz[])
  AS r(s, m, c, st, status, t, d, p, o, pa, co, u)
{ORDER_UPSERT_TAIL}"#
    );
    let values: Vec<Value> = vec![
        strings(orders, |r| r.id.clone()),
        ids(orders, |r| local(&r.member_id, member_ids)),
        strings(orders, |r| r.channel.clone()),
        ids(orders, |r| local(&r.store_id, store_ids)),
        strings(orders, |r| r.status.clone()),
        ids(orders, |r| r.total_fen),
        ids(orders, |r| r.discount_fen),
        ids(orders, |r| r.paid_fen),
        times(orders, |r| r.ordered_at),
        strings(orders, |r| columns::time_or_empty(r.paid_at)),
        strings(orders, |r| columns::time_or_empty(r.completed_at)),
        times(orders, |r| r.updated_at),
        now.into(),
    ];
    let mut written = WrittenRows::default();
    written.add(columns::upsert_returning(db, &sql, values).await?);
    Ok(written)
}

/// One column of the orders, as an array parameter (in the orders' order).
fn strings(orders: &[Checked], value: impl Fn(&OrderRecord) -> String) -> Value {
    orders
        .iter()
        .map(|o| value(&o.record))
        .collect::<Vec<_>>()
        .into()
}

fn ids(orders: &[Checked], value: impl Fn(&OrderRecord) -> i64) -> Value {
    orders
        .iter()
        .map(|o| value(&o.record))
        .collect::<Vec<_>>()
        .into()
}

fn times(orders: &[Checked], value: impl Fn(&OrderRecord) -> DateTime<Utc>) -> Value {
    orders
        .iter()
        .map(|o| value(&o.record))
        .collect::<Vec<_>>()
        .into()
}

/// SQLite: multi-row `VALUES`, a thousand rows a statement.
async fn write_orders_as_values(
    db: &impl ConnectionTrait,
    orders: &[Checked],
    member_ids: &HashMap<String, i64>,
    store_ids: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<WrittenRows, DbErr> {
    let mut written = WrittenRows::default();
    for chunk in orders.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk.iter().map(|order| {
            let record = &order.record;
            order::ActiveModel {
                source_id: Set(record.id.clone()),
                member_id: Set(record
                    .member_id
                    .as_ref()
                    .and_then(|id| member_ids.get(id).copied())),
                channel: Set(record.channel.clone()),
                store_id: Set(record
                    .store_id
                    .as_ref()
                    .and_then(|id| store_ids.get(id).copied())),
                status: Set(record.status.clone()),
                total_fen: Set(record.total_fen),
                discount_fen: Set(record.discount_fen),
                paid_fen: Set(record.paid_fen),
                ordered_at: Set(record.ordered_at),
                paid_at: Set(record.paid_at),
                completed_at: Set(record.completed_at),
                source_updated_at: Set(record.updated_at),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        });
        let on_conflict = newer_wins::<order::Entity>(
            order::Column::SourceId,
            order::Column::SourceUpdatedAt,
            [
                order::Column::MemberId,
                order::Column::Channel,
                order::Column::StoreId,
                order::Column::Status,
                order::Column::TotalFen,
                order::Column::DiscountFen,
                order::Column::PaidFen,
                order::Column::OrderedAt,
                order::Column::PaidAt,
                order::Column::CompletedAt,
                order::Column::SourceUpdatedAt,
                order::Column::UpdatedAt,
            ],
        );
        let insert = order::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .into_query();
        written.add(upsert_returning(db, insert).await?);
    }
    Ok(written)
}

/// PostgreSQL: the items as one array per column.
async fn write_items_as_arrays<'a>(
    db: &impl ConnectionTrait,
    lines: impl Iterator<Item = Line<'a>>,
) -> Result<(), DbErr> {
    let (mut order_id, mut line_no, mut sku, mut product) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut title, mut quantity, mut price, mut amount) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, n, (item, line_amount)) in lines {
        order_id.push(id);
        line_no.push(n);
        sku.push(item.sku.clone());
        product.push(columns::text_or_empty(item.product_id.as_ref()));
        title.push(item.title.clone());
        quantity.push(item.quantity);
        price.push(item.price_fen);
        amount.push(*line_amount);
    }
    if order_id.is_empty() {
        return Ok(());
    }
    let sql = r#"INSERT INTO "order_items" ("order_id", "line_no", "sku", "product_source_id",
  "title", "quantity", "price_fen", "amount_fen")
SELECT o, l, s, NULLIF(p, ''), t, q, pr, a
FROM UNNEST($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[],
  $7::bigint[], $8::bigint[]) AS r(o, l, s, p, t, q, pr, a)"#;
    let values: Vec<Value> = vec![
        order_id.into(),
        line_no.into(),
        sku.into(),
        product.into(),
        title.into(),
        quantity.into(),
        price.into(),
        amount.into(),
    ];
    columns::insert(db, sql, values).await
}

/// SQLite: multi-row `VALUES`, a thousand rows a statement.
async fn write_items_as_values<'a>(
    db: &impl ConnectionTrait,
    lines: impl Iterator<Item = Line<'a>>,
) -> Result<(), DbErr> {
    let items: Vec<order_item::ActiveModel> = lines
        .map(
            |(order_id, line_no, (item, amount))| order_item::ActiveModel {
                order_id: Set(order_id),
                line_no: Set(line_no),
                sku: Set(item.sku.clone()),
                product_source_id: Set(item.product_id.clone()),
                title: Set(item.title.clone()),
                quantity: Set(item.quantity),
                price_fen: Set(item.price_fen),
                amount_fen: Set(*amount),
                ..Default::default()
            },
        )
        .collect();
    for chunk in items.chunks(ROWS_PER_STATEMENT) {
        order_item::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
