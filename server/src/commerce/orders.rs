//! Orders from every channel (online mall, offline store, POS), with their items. Amounts are
//! integer fen and must add up: the items' amounts to the total, the discount and the paid
//! amount within it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};

pub use super::order_record::{CHANNELS, ItemRecord, OrderRecord, STATUSES};
use super::order_record::{Checked, check};
use super::order_writes::{
    write_items_as_arrays, write_items_as_values, write_orders_as_arrays, write_orders_as_values,
};
use super::record::{
    RecordError, WrittenRows, check_all, delete_children, newest_versions, resolve,
    unknown_reference,
};
use super::stamped::{BatchEffects, Stamped};
use crate::entity::{member, order_item, store};

/// One order, uncredited (tools and tests of commerce alone: the ingest API and import
/// go through `batch::apply_batch`, which credits).
pub async fn apply(
    db: &impl ConnectionTrait,
    record: OrderRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    let mut effects = BatchEffects::default();
    let (_, mut refused) = apply_many(db, vec![(0, Ok(record))], now, &mut effects).await?;
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
/// The orders written (and their stamps) are added to `effects`.
pub async fn apply_many(
    db: &impl ConnectionTrait,
    records: Vec<(usize, Result<OrderRecord, RecordError>)>,
    now: DateTime<Utc>,
    effects: &mut BatchEffects,
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
    note_effects(&orders, &written, &member_ids, effects);
    Ok((accepted, refused))
}

/// The orders whose version was written, and the stamps they carry.
fn note_effects(
    orders: &[Checked],
    written: &WrittenRows,
    member_ids: &HashMap<String, i64>,
    effects: &mut BatchEffects,
) {
    for order in orders {
        let Some(&id) = written.ids.get(&order.record.id) else {
            continue;
        };
        let member = order
            .record
            .member_id
            .as_ref()
            .and_then(|source| member_ids.get(source).copied());
        effects.orders.push((id, member));
        if let Some(stamp) = &order.stamp {
            effects.stamped.push(Stamped {
                source_kind: "order",
                source_id: order.record.id.clone(),
                member_id: member,
                kind: "order".into(),
                at: order.record.paid_at.unwrap_or(order.record.ordered_at),
                stamp: stamp.clone(),
            });
        }
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
