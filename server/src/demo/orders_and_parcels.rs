//! An order as a brand's systems would report it, and the parcel of an online one with the
//! timeline a real carrier's tracking shows.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::random::Rng;
use super::words::{self, CARRIERS, WAREHOUSES};
use super::world::{MemberIdentity, World, rfc3339};

/// One order, its parcel if it was shipped, and whether it was refunded.
/// (Its draws run in one sequence whose order is the brand: kept in one read, a few lines
/// over the house's 60.)
pub(super) fn order(
    world: &World<'_>,
    rng: &mut Rng,
    member: &MemberIdentity,
    n: usize,
    ordered_at: DateTime<Utc>,
) -> (Value, Option<Value>, bool) {
    let calendar = world.calendar;
    let brand = world.brand;
    let id = format!(
        "SO{}{}{n:03}",
        ordered_at.format("%Y%m%d"),
        member.id.trim_start_matches('M')
    );
    let channel = ["online", "offline", "pos"][rng.weighted(&[45, 35, 20])];
    // Most buy where their guide works; some elsewhere (the guide is still credited).
    let store = if rng.chance(0.8) {
        member.home_store
    } else {
        brand.pick_store(rng, &world.store_weights)
    };
    let store_id = (channel != "online" || rng.chance(0.5)).then(|| brand.stores[store].id.clone());

    let (items, total) = order_items(world, rng);
    // A coupon on some orders: whole yuan off, never more than a fifth.
    let discount = if rng.chance(0.3) {
        (total * rng.between(5, 20) / 100) / 100 * 100
    } else {
        0
    };
    let age_days = calendar.days_before_end(ordered_at);
    let paid_at = ordered_at + Duration::seconds(rng.between(5, 600));
    let (status, cancelled, refunded) = order_status(rng, channel, age_days);
    let completed_at = (status == "completed").then(|| {
        if channel == "online" {
            (paid_at + Duration::days(rng.between(2, 7))).min(calendar.until)
        } else {
            paid_at
        }
    });
    let order = json!({
        "id": id,
        "updated_at": rfc3339(calendar.until),
        "member_id": member.id,
        "channel": channel,
        "store_id": store_id,
        "status": status,
        "total_fen": total,
        "discount_fen": discount,
        "paid_fen": if cancelled { 0 } else { total - discount },
        "ordered_at": rfc3339(ordered_at),
        "paid_at": (!cancelled).then(|| rfc3339(paid_at)),
        "completed_at": completed_at.map(rfc3339),
        "items": items,
    });
    let shipment = (channel == "online" && !cancelled && status != "paid").then(|| {
        parcel(
            world,
            rng,
            &id,
            member.home_store,
            paid_at,
            status == "shipped",
        )
    });
    (order, shipment, refunded)
}

/// An order's lines (one to five, two of a kind now and then) and their total.
fn order_items(world: &World<'_>, rng: &mut Rng) -> (Vec<Value>, i64) {
    let lines = 1 + rng.geometric(0.55, 4);
    let mut items = Vec::new();
    let mut total = 0;
    for _ in 0..lines {
        let product = &world.products[rng.weighted(&world.product_weights)];
        let (sku, spec, price) = rng.pick(&product.skus);
        let quantity = if rng.chance(0.85) { 1 } else { 2 };
        total += price * quantity;
        items.push(json!({
            "sku": sku,
            "product_id": product.id,
            "title": format!("{} {spec}", product.title),
            "quantity": quantity,
            "price_fen": price,
        }));
    }
    (items, total)
}

/// Where an order stands by its age: recent online orders are on their way; a few are
/// cancelled or refunded. Also whether it was cancelled, and whether refunded.
fn order_status(rng: &mut Rng, channel: &str, age_days: i64) -> (&'static str, bool, bool) {
    let roll = rng.below(100);
    match (channel, age_days) {
        ("online", 0..=1) => (if roll < 50 { "paid" } else { "shipped" }, false, false),
        ("online", 2..=5) => (
            if roll < 60 { "shipped" } else { "completed" },
            false,
            false,
        ),
        _ if roll < 3 => ("cancelled", true, false),
        _ if roll < 7 => ("refunded", false, true),
        _ => ("completed", false, false),
    }
}

/// The parcel of an online order: a real carrier, its kind of tracking number, and the
/// timeline parcels have (collected at the warehouse, through hubs, out for delivery, signed).
/// (Its draws run in one sequence whose order is the brand: kept in one read, a few lines
/// over the house's 60.)
fn parcel(
    world: &World<'_>,
    rng: &mut Rng,
    order_id: &str,
    home_store: usize,
    paid_at: DateTime<Utc>,
    on_the_way: bool,
) -> Value {
    let until = world.calendar.until;
    let carrier = &CARRIERS[rng.weighted(&CARRIERS.iter().map(|c| c.share).collect::<Vec<_>>())];
    let tracking_no = format!("{}{}", carrier.prefix, rng.digits(carrier.digits));
    let (warehouse, warehouse_province) = *rng.pick(WAREHOUSES);
    let city = world.brand.stores[home_store].city;
    let shipped_at = (paid_at + Duration::hours(rng.between(3, 30))).min(until);
    let mut at = shipped_at;
    let mut step = |rng: &mut Rng, hours: (i64, i64)| {
        at = (at + Duration::minutes(rng.between(hours.0 * 60, hours.1 * 60))).min(until);
        at
    };
    let mut events = vec![json!({
        "at": rfc3339(shipped_at),
        "location": format!("{warehouse_province}{warehouse}市"),
        "description": format!("【{warehouse}仓】{}已揽收", carrier.name),
    })];
    let legs = legs(rng, warehouse, city);
    let delivered = !on_the_way;
    let mut status = "shipped";
    let stops = if on_the_way {
        usize::try_from(rng.between(0, 2)).unwrap_or(0)
    } else {
        legs.len()
    };
    for (hours, location, description) in legs.into_iter().take(stops) {
        let moment = step(rng, hours);
        status = if description.contains("派件") {
            "out_for_delivery"
        } else {
            "in_transit"
        };
        events
            .push(json!({"at": rfc3339(moment), "location": location, "description": description}));
    }
    let delivered_at = delivered.then(|| step(rng, (1, 6)));
    if let Some(moment) = delivered_at {
        status = "delivered";
        events.push(json!({
            "at": rfc3339(moment),
            "location": format!("{city}市"),
            "description": rng.pick(&["已签收，签收人：本人", "已签收，签收人：前台代收", "已签收，放至快递柜，感谢使用"]).to_string(),
        }));
    }
    json!({
        "id": format!("SH{}", order_id.trim_start_matches("SO")),
        "updated_at": rfc3339(until),
        "order_id": order_id,
        "carrier_code": carrier.code,
        "carrier_name": carrier.name,
        "tracking_no": tracking_no,
        "status": status,
        "shipped_at": rfc3339(shipped_at),
        "delivered_at": delivered_at.map(rfc3339),
        "events": events,
    })
}

/// The legs from the warehouse to the customer's city, each with its hours on the way, where
/// it is and what the tracking says (the courier's name and number drawn here).
fn legs(rng: &mut Rng, warehouse: &str, city: &str) -> [((i64, i64), String, String); 3] {
    [
        (
            (2, 8),
            format!("{warehouse}转运中心"),
            format!("快件已从【{warehouse}转运中心】发出，下一站【{city}转运中心】"),
        ),
        (
            (8, 30),
            format!("{city}转运中心"),
            format!("快件已到达【{city}转运中心】"),
        ),
        (
            (3, 12),
            format!("{city}市"),
            format!(
                "【{city}】快递员{}（电话：{}****{}）正在为您派件",
                words::person_name(rng, false),
                rng.pick(&["138", "159", "186", "177"]),
                rng.digits(4)
            ),
        ),
    ]
}
