//! A member's history: their orders (with parcels, `orders_and_parcels`), the member record,
//! the coupons they hold and what they did lately. The draws run in a fixed order, so a seed
//! always gives the same brand.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use super::catalogue::COUPONS;
use super::orders_and_parcels::order;
use super::random::Rng;
use super::world::{Generated, LEVELS, MemberIdentity, World, rfc3339};

/// The member record, their orders (with parcels) and their recent behaviour.
pub(super) fn member_history(
    world: &World<'_>,
    rng: &mut Rng,
    identity: MemberIdentity,
    out: &mut Generated,
) {
    // The draws run in this order (the brand is the same for a seed): orders, the member,
    // coupons held, recent behaviour.
    let (spent_fen, first_order) = purchases(world, rng, &identity, out);
    out.member = Some(member_record(world, rng, &identity, spent_fen, first_order));
    coupons_held(world, rng, &identity, out);
    recent_behaviour(world, rng, &identity, out);
}

/// The member's orders (about five per member overall) and their refunds; what they spent
/// (refunds left out) and when they first bought.
fn purchases(
    world: &World<'_>,
    rng: &mut Rng,
    identity: &MemberIdentity,
    out: &mut Generated,
) -> (i64, DateTime<Utc>) {
    let calendar = world.calendar;
    // Most buy a few times; a long tail buys often (about five orders per member overall).
    let count = if rng.chance(0.1) {
        0
    } else {
        1 + rng.geometric(0.18, 80)
    };
    let mut moments: Vec<DateTime<Utc>> = (0..count).map(|_| calendar.busy_moment(rng)).collect();
    moments.sort();
    let mut spent_fen = 0;
    for (n, ordered_at) in moments.iter().enumerate() {
        let (order, shipment, refunded) = order(world, rng, identity, n, *ordered_at);
        if let Some(paid) = order.get("paid_fen").and_then(Value::as_i64)
            && !refunded
        {
            spent_fen += paid;
        }
        if refunded {
            out.events.push(json!({
                "id": format!("E{}-A{n:03}", identity.id),
                "updated_at": rfc3339(calendar.until),
                "member_id": identity.id,
                "kind": "after_sale",
                "at": rfc3339((*ordered_at + Duration::days(rng.between(2, 12))).min(calendar.until)),
                "details": {"order_id": order["id"], "reason": rng.pick(&["尺码/色号不合适", "过敏不适", "不想要了", "商品破损"])},
            }));
        }
        out.orders.push(order);
        out.shipments.extend(shipment);
    }
    let first_order = moments.first().copied().unwrap_or(calendar.until);
    (spent_fen, first_order)
}

fn member_record(
    world: &World<'_>,
    rng: &mut Rng,
    identity: &MemberIdentity,
    spent_fen: i64,
    first_order: DateTime<Utc>,
) -> Value {
    let calendar = world.calendar;
    let brand = world.brand;
    let registered_at = first_order - Duration::days(rng.between(0, 400));
    let birthday = NaiveDate::from_ymd_opt(
        i32::try_from(rng.between(1965, 2005)).unwrap_or(1990),
        u32::try_from(rng.between(1, 12)).unwrap_or(1),
        u32::try_from(rng.between(1, 28)).unwrap_or(1),
    );
    json!({
        "id": identity.id,
        "updated_at": rfc3339(calendar.until),
        "name": identity.name,
        "mobile": identity.mobile,
        "unionid": identity.unionid,
        "level": LEVELS[identity.level],
        // One point per yuan spent, some of it redeemed.
        "points": spent_fen / 100 * rng.between(40, 100) / 100,
        "balance_fen": if rng.chance(0.15) { rng.between(1, 200) * 1000 } else { 0 },
        "home_store_id": brand.stores[identity.home_store].id,
        "registered_at": rfc3339(registered_at),
        "birthday": birthday.map(|d| d.to_string()),
        "external_userid": identity.external_userid,
        "tags": mall_tags(&identity.id),
    })
}

/// Coupons they hold: some usable now, some used or lapsed.
fn coupons_held(world: &World<'_>, rng: &mut Rng, identity: &MemberIdentity, out: &mut Generated) {
    let calendar = world.calendar;
    for n in 0..rng.between(0, 3) {
        let coupon = rng.pick(COUPONS);
        let issued_at = calendar.days_ago(rng, 120, 0);
        let expires_at = issued_at + Duration::days(i64::from(coupon.valid_days));
        let used = rng.chance(0.3);
        let used_at = used.then(|| {
            (issued_at + Duration::hours(rng.between(1, i64::from(coupon.valid_days) * 24)))
                .min(calendar.until)
        });
        let status = match (used, expires_at < calendar.until) {
            (true, _) => "used",
            (false, true) => "expired",
            (false, false) if rng.chance(0.5) => "claimed",
            _ => "issued",
        };
        out.grants.push(json!({
            "id": format!("G{}-{n}", identity.id),
            "updated_at": rfc3339(calendar.until),
            "template_id": coupon.id,
            "member_id": identity.id,
            "status": status,
            "issued_at": rfc3339(issued_at),
            "expires_at": rfc3339(expires_at),
            "used_at": used_at.map(rfc3339),
        }));
    }
}

/// What they did lately: browsing, searching, carting, claiming coupons, a store switch.
fn recent_behaviour(
    world: &World<'_>,
    rng: &mut Rng,
    identity: &MemberIdentity,
    out: &mut Generated,
) {
    let calendar = world.calendar;
    let brand = world.brand;
    let recent = rng.between(0, 6);
    for n in 0..recent {
        let at = calendar.days_ago(rng, 45, 0);
        let product = &world.products[rng.weighted(&world.product_weights)];
        let (kind, details) = match rng.weighted(&[45, 15, 20, 15, 5]) {
            0 => (
                "browse_product",
                json!({"product_id": product.id, "title": product.title}),
            ),
            1 => (
                "search",
                json!({"keyword": rng.pick(&["精华", "面霜", "口红", "防晒", "礼盒", "敏感肌", "美白", "香水", product.series])}),
            ),
            2 => {
                let (sku, spec, _) = rng.pick(&product.skus);
                (
                    "add_to_cart",
                    json!({"product_id": product.id, "title": product.title, "sku": sku, "spec": spec}),
                )
            }
            3 => {
                let coupon = rng.pick(COUPONS);
                (
                    "claim_coupon",
                    json!({"coupon_id": coupon.id, "name": coupon.name}),
                )
            }
            _ => {
                let to = brand.pick_store(rng, &world.store_weights);
                (
                    "switch_store",
                    json!({"from_store_id": brand.stores[identity.home_store].id, "to_store_id": brand.stores[to].id}),
                )
            }
        };
        out.events.push(json!({
            "id": format!("E{}-{n:03}", identity.id),
            "updated_at": rfc3339(calendar.until),
            "member_id": identity.id,
            "kind": kind,
            "at": rfc3339(at),
            "details": details,
        }));
    }
}

/// The brand's own tags on a member (商城标签): skin type, what they buy, where they buy. Drawn
/// from a generator of the member's own (seeded by their id), so adding them left every other
/// draw of the brand as it was.
fn mall_tags(member_id: &str) -> Vec<Value> {
    const SKIN: &[&str] = &["干性肌肤", "油性肌肤", "混合性肌肤", "敏感肌", "中性肌肤"];
    const PREFERENCE: &[&str] = &["护肤", "彩妆", "香氛", "礼盒"];
    const CHANNEL: &[&str] = &["线上为主", "门店为主", "全渠道"];
    // FNV-1a over the id: stable across builds and platforms.
    let seed = member_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    let mut rng = Rng::new(seed);
    let mut tags = vec![json!({"group": "肤质", "name": rng.pick(SKIN)})];
    for preference in PREFERENCE {
        if rng.chance(0.35) {
            tags.push(json!({"group": "偏好品类", "name": preference}));
        }
    }
    tags.push(json!({"group": "购物渠道", "name": rng.pick(CHANNEL)}));
    tags
}
