//! A member's orders as a guide reads them: summaries (newest first, paged by a keyset
//! cursor, each with its newest parcel), and one order in full with every parcel's tracking
//! timeline. Whose orders a guide may read, the caller has decided (`directory::scope`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::customer::{
    Channel, OrderDetail, OrderItem, OrderSummary, OrdersPage, Shipment, ShipmentSummary,
    TrackingEvent,
};

use super::cursor::{self, Cursor, split_page};
use crate::entity::{order, order_item, shipment, shipment_event, store};
use crate::error::AppError;
use crate::wire::time;

/// Orders a page.
pub const PAGE_SIZE: u64 = 20;

/// A page of the member's orders, newest first, after `after`.
pub async fn orders_page(
    db: &impl ConnectionTrait,
    member_id: i64,
    after: Option<Cursor>,
) -> Result<OrdersPage, AppError> {
    let mut select = order::Entity::find()
        .filter(order::Column::MemberId.eq(member_id))
        .order_by_desc(order::Column::OrderedAt)
        .order_by_desc(order::Column::Id)
        .limit(PAGE_SIZE + 1);
    if let Some(after) = after {
        // Qualified: the page is read joined to `stores`, which has an `id` too.
        select = select.filter(cursor::after(
            after,
            (order::Entity, order::Column::OrderedAt),
            (order::Entity, order::Column::Id),
        ));
    }
    let mut orders = select.find_also_related(store::Entity).all(db).await?;
    let next_cursor = split_page(&mut orders, PAGE_SIZE, |(o, _)| {
        Cursor::new(o.ordered_at, o.id)
    });
    Ok(OrdersPage {
        orders: summaries(db, orders).await?,
        next_cursor,
    })
}

/// A member's newest orders, summarised (the profile's last three), and when the newest was
/// placed.
pub async fn recent_orders(
    db: &impl ConnectionTrait,
    member_id: i64,
    count: u64,
) -> Result<(Vec<OrderSummary>, Option<DateTime<Utc>>), AppError> {
    let orders = order::Entity::find()
        .find_also_related(store::Entity)
        .filter(order::Column::MemberId.eq(member_id))
        .order_by_desc(order::Column::OrderedAt)
        .order_by_desc(order::Column::Id)
        .limit(count)
        .all(db)
        .await?;
    let newest = orders.first().map(|(o, _)| o.ordered_at);
    Ok((summaries(db, orders).await?, newest))
}

/// Orders (read with their store) with items counted, first item and newest parcel: three
/// more queries for any number of orders, not three per order.
async fn summaries(
    db: &impl ConnectionTrait,
    orders: Vec<(order::Model, Option<store::Model>)>,
) -> Result<Vec<OrderSummary>, AppError> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = orders.iter().map(|(o, _)| o.id).collect();
    let mut items = item_counts(db, ids.clone()).await?;
    // The newest parcel of each order, then the newest event of each of those parcels.
    let mut parcels: HashMap<i64, shipment::Model> = HashMap::new();
    for parcel in shipment::Entity::find()
        .filter(shipment::Column::OrderId.is_in(ids))
        .order_by_asc(shipment::Column::Id)
        .all(db)
        .await?
    {
        parcels.insert(parcel.order_id, parcel);
    }
    let latest = latest_events(db, parcels.values().map(|p| p.id).collect()).await?;
    Ok(orders
        .into_iter()
        .map(|(o, store)| {
            let (item_count, first_item) = items.remove(&o.id).unwrap_or((0, None));
            let shipment = parcels.remove(&o.id).map(|p| {
                let event = latest.get(&p.id);
                ShipmentSummary {
                    carrier_name: p.carrier_name,
                    tracking_no: p.tracking_no,
                    status: p.status,
                    latest: event.map(|e| e.description.clone()),
                    latest_at: event.map(|e| time(e.happened_at)),
                }
            });
            OrderSummary {
                id: o.id,
                order_no: o.source_id,
                channel: Channel::from_code(&o.channel),
                status: o.status,
                store_name: store.map(|s| s.name),
                total_fen: o.total_fen,
                paid_fen: o.paid_fen,
                ordered_at: time(o.ordered_at),
                item_count,
                first_item,
                shipment,
            }
        })
        .collect())
}

async fn store_names(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, String>, AppError> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(store::Entity::find()
        .filter(store::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// Each order's number of items and first item's title.
async fn item_counts(
    db: &impl ConnectionTrait,
    order_ids: Vec<i64>,
) -> Result<HashMap<i64, (u32, Option<String>)>, AppError> {
    let mut items: HashMap<i64, (u32, Option<String>)> = HashMap::new();
    for item in order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(order_ids))
        .order_by_asc(order_item::Column::OrderId)
        .order_by_asc(order_item::Column::LineNo)
        .all(db)
        .await?
    {
        let entry = items.entry(item.order_id).or_insert((0, None));
        entry.0 += 1;
        if entry.1.is_none() {
            entry.1 = Some(item.title);
        }
    }
    Ok(items)
}

/// The newest tracking event of each parcel.
async fn latest_events(
    db: &impl ConnectionTrait,
    shipment_ids: Vec<i64>,
) -> Result<HashMap<i64, shipment_event::Model>, AppError> {
    let mut latest: HashMap<i64, shipment_event::Model> = HashMap::new();
    if shipment_ids.is_empty() {
        return Ok(latest);
    }
    for event in shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.is_in(shipment_ids))
        .all(db)
        .await?
    {
        match latest.get(&event.shipment_id) {
            Some(kept) if (kept.happened_at, kept.id) >= (event.happened_at, event.id) => {}
            _ => {
                latest.insert(event.shipment_id, event);
            }
        }
    }
    Ok(latest)
}

/// The order `id`, as stored (its `member_id` says whose it is: `None` for a guest's order).
pub async fn find_order(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<order::Model>, AppError> {
    Ok(order::Entity::find_by_id(id).one(db).await?)
}

/// The order in full: its items and every parcel with its tracking timeline.
pub async fn order_in_full(
    db: &impl ConnectionTrait,
    found: order::Model,
) -> Result<OrderDetail, AppError> {
    let store_name = match found.store_id {
        Some(store_id) => store_names(db, std::iter::once(store_id))
            .await?
            .remove(&store_id),
        None => None,
    };
    let (items, shipments) =
        futures_util::try_join!(order_items(db, found.id), parcels_in_full(db, found.id))?;
    Ok(OrderDetail {
        id: found.id,
        order_no: found.source_id,
        channel: Channel::from_code(&found.channel),
        status: found.status,
        store_name,
        total_fen: found.total_fen,
        discount_fen: found.discount_fen,
        paid_fen: found.paid_fen,
        ordered_at: time(found.ordered_at),
        paid_at: found.paid_at.map(time),
        completed_at: found.completed_at.map(time),
        items,
        shipments,
    })
}

async fn order_items(db: &impl ConnectionTrait, order_id: i64) -> Result<Vec<OrderItem>, AppError> {
    Ok(order_item::Entity::find()
        .filter(order_item::Column::OrderId.eq(order_id))
        .order_by_asc(order_item::Column::LineNo)
        .all(db)
        .await?
        .into_iter()
        .map(|item| OrderItem {
            sku: item.sku,
            product_id: item.product_source_id,
            title: item.title,
            quantity: item.quantity,
            price_fen: item.price_fen,
            amount_fen: item.amount_fen,
        })
        .collect())
}

/// Every parcel of the order, each with its tracking events newest first.
async fn parcels_in_full(
    db: &impl ConnectionTrait,
    order_id: i64,
) -> Result<Vec<Shipment>, AppError> {
    let parcels = shipment::Entity::find()
        .filter(shipment::Column::OrderId.eq(order_id))
        .order_by_asc(shipment::Column::Id)
        .all(db)
        .await?;
    let mut events: HashMap<i64, Vec<TrackingEvent>> = HashMap::new();
    if !parcels.is_empty() {
        for event in shipment_event::Entity::find()
            .filter(shipment_event::Column::ShipmentId.is_in(parcels.iter().map(|p| p.id)))
            .order_by_desc(shipment_event::Column::HappenedAt)
            .order_by_desc(shipment_event::Column::Id)
            .all(db)
            .await?
        {
            events
                .entry(event.shipment_id)
                .or_default()
                .push(TrackingEvent {
                    at: time(event.happened_at),
                    location: event.location,
                    description: event.description,
                });
        }
    }
    Ok(parcels
        .into_iter()
        .map(|p| Shipment {
            events: events.remove(&p.id).unwrap_or_default(),
            carrier_code: p.carrier_code,
            carrier_name: p.carrier_name,
            tracking_no: p.tracking_no,
            status: p.status,
            shipped_at: p.shipped_at.map(time),
            delivered_at: p.delivered_at.map(time),
        })
        .collect())
}

/// Twelve months' paid spend, cancelled and refunded orders left out.
pub async fn spend_12m(
    db: &impl ConnectionTrait,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let paid = order::Entity::find()
        .select_only()
        .column(order::Column::PaidFen)
        .filter(order::Column::MemberId.eq(member_id))
        .filter(order::Column::OrderedAt.gte(now - chrono::Duration::days(365)))
        .filter(order::Column::Status.is_not_in(["cancelled", "refunded"]))
        .into_tuple::<i64>()
        .all(db)
        .await?;
    Ok(paid.into_iter().sum())
}
