//! How a batch of orders and their items reaches the database: one array per column
//! (`UNNEST`) on PostgreSQL, multi-row `VALUES` on SQLite.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryTrait, Value};

use super::columns;
use super::record::{ROWS_PER_STATEMENT, WrittenRows, newer_wins, upsert_returning};
use crate::entity::{order, order_item};

use super::order_record::{Checked, ItemRecord, OrderRecord};

/// An item to write: its order's local id, its line number, the item and its amount.
pub(super) type Line<'a> = (i64, i32, &'a (ItemRecord, i64));

/// The upsert's SET list and guard: every field from the newer version.
const ORDER_UPSERT_TAIL: &str = r#"ON CONFLICT ("source_id") DO UPDATE SET
  "member_id" = excluded."member_id", "channel" = excluded."channel",
  "store_id" = excluded."store_id", "status" = excluded."status",
  "total_fen" = excluded."total_fen", "discount_fen" = excluded."discount_fen",
  "paid_fen" = excluded."paid_fen", "ordered_at" = excluded."ordered_at",
  "paid_at" = excluded."paid_at", "completed_at" = excluded."completed_at",
  "refunded_fen" = excluded."refunded_fen", "refunded_at" = excluded."refunded_at",
  "source_updated_at" = excluded."source_updated_at", "updated_at" = excluded."updated_at"
WHERE "orders"."source_updated_at" < excluded."source_updated_at"
RETURNING "source_id", "id", xmax = 0"#;

/// PostgreSQL: the batch's orders as one array per column (see [`columns`]).
pub(super) async fn write_orders_as_arrays(
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
  "refunded_fen", "refunded_at", "source_updated_at", "created_at", "updated_at")
SELECT s, NULLIF(m, 0), c, NULLIF(st, 0), status, t, d, p, o,
  NULLIF(pa, '')::timestamptz, NULLIF(co, '')::timestamptz, rf, NULLIF(ra, '')::timestamptz,
  u, $15, $15
FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bigint[],
  $7::bigint[], $8::bigint[], $9::timestamptz[], $10::text[], $11::text[], $12::bigint[],
  $13::text[], $14::timestamptz[])
  AS r(s, m, c, st, status, t, d, p, o, pa, co, rf, ra, u)
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
        orders
            .iter()
            .map(|o| o.refunded_fen)
            .collect::<Vec<_>>()
            .into(),
        strings(orders, |r| columns::time_or_empty(r.refunded_at)),
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
pub(super) async fn write_orders_as_values(
    db: &impl ConnectionTrait,
    orders: &[Checked],
    member_ids: &HashMap<String, i64>,
    store_ids: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<WrittenRows, DbErr> {
    let mut written = WrittenRows::default();
    for chunk in orders.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk
            .iter()
            .map(|order| order_row(order, member_ids, store_ids, now));
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
                order::Column::RefundedFen,
                order::Column::RefundedAt,
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

/// An order as the row SQLite's upsert writes.
fn order_row(
    order: &Checked,
    member_ids: &HashMap<String, i64>,
    store_ids: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> order::ActiveModel {
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
        refunded_fen: Set(order.refunded_fen),
        refunded_at: Set(record.refunded_at),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// PostgreSQL: the items as one array per column.
pub(super) async fn write_items_as_arrays<'a>(
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
pub(super) async fn write_items_as_values<'a>(
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
