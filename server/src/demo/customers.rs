//! One customer of the demo brand, whole: the WeCom contact and the guides who follow them
//! (with tags), the loyalty member it is (linked by unionid, by a mobile the guide noted, or
//! explicitly), two years of orders with their parcels, and recent behaviour. Records are
//! the ingest API's, so they go through the same validation as the brand's own systems.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::wecom::api::{ContactDetails, ExternalContact, FollowTag, FollowUser};

use super::brand::{Brand, domain};
use super::calendar::{Calendar, DAYS};
use super::catalogue::{COUPONS, Product};
use super::random::Rng;
use super::words::{self, CARRIERS, TAG_GROUPS, WAREHOUSES};

/// What does not change from one customer to the next.
pub struct World<'a> {
    pub seed: u64,
    pub brand: &'a Brand,
    pub calendar: &'a Calendar,
    pub products: &'a [Product],
    product_weights: Vec<u32>,
    store_weights: Vec<u32>,
}

impl<'a> World<'a> {
    pub fn new(
        seed: u64,
        brand: &'a Brand,
        calendar: &'a Calendar,
        products: &'a [Product],
    ) -> Self {
        Self {
            seed,
            brand,
            calendar,
            products,
            product_weights: products.iter().map(|p| p.weight).collect(),
            store_weights: brand.store_weights(),
        }
    }
}

/// Everything generated for one customer (or one member who never added a guide).
#[derive(Default)]
pub struct Generated {
    pub contact: Option<ContactDetails>,
    pub member: Option<Value>,
    pub orders: Vec<Value>,
    pub shipments: Vec<Value>,
    pub events: Vec<Value>,
    pub grants: Vec<Value>,
}

const LEVELS: &[&str] = &["普通会员", "银卡", "金卡", "铂金卡", "黑钻卡"];
const LEVEL_WEIGHTS: &[u32] = &[50, 25, 15, 7, 3];

/// How a member is tied to their WeCom contact.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Link {
    Unionid,
    Mobile,
    Explicit,
}

/// An identifier that looks like WeCom's (letters and digits) and is unique to `serial`.
fn wecom_style_id(rng: &mut Rng, prefix: &str, random_len: usize, serial: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from(prefix);
    for _ in 0..random_len {
        id.push(char::from(*rng.pick(ALPHABET)));
    }
    // The serial, in base 36, makes it unique whatever the random part.
    let mut tail = Vec::new();
    let mut n = serial;
    for _ in 0..7 {
        let digit = u8::try_from(n % 36).unwrap_or(0);
        tail.push(char::from(if digit < 10 {
            b'0' + digit
        } else {
            b'A' + digit - 10
        }));
        n /= 36;
    }
    id.extend(tail.into_iter().rev());
    id
}

fn rfc3339(moment: DateTime<Utc>) -> String {
    moment.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The `index`th WeCom customer (0-based).
pub fn customer(world: &World<'_>, index: u64) -> Generated {
    let mut rng = Rng::stream(world.seed, domain::CUSTOMERS, index);
    let brand = world.brand;
    let female = rng.chance(0.78);
    let real_name = words::person_name(&mut rng, female);
    let store = brand.pick_store(&mut rng, &world.store_weights);
    let guides = &brand.stores[store].guides;
    // Managers serve a few customers of their own; guides most.
    let guide = if rng.chance(0.05) {
        guides[guides.len() - 1]
    } else {
        guides[usize::try_from(rng.below((guides.len() - 1).max(1) as u64)).unwrap_or(0)]
    };
    let external_userid = wecom_style_id(&mut rng, "wm", 23, index);
    let unionid = wecom_style_id(&mut rng, "o", 20, index);
    let level = rng.weighted(LEVEL_WEIGHTS);
    let is_member = rng.chance(0.88);
    let link = match rng.below(10) {
        0..=6 => Link::Unionid,
        7 | 8 => Link::Mobile,
        _ => Link::Explicit,
    };
    let mobile = words::mobile(&mut rng, index);
    let added_at = world.calendar.days_ago(&mut rng, DAYS - 1, 1);

    let mut follow_user = vec![follow(
        &mut rng,
        brand,
        guide,
        added_at,
        level,
        &real_name,
        (is_member && link == Link::Mobile).then_some(mobile.as_str()),
    )];
    if rng.chance(0.12) {
        // A second guide: usually a colleague in the same store, sometimes another store's.
        let other_store = if rng.chance(0.7) {
            store
        } else {
            brand.pick_store(&mut rng, &world.store_weights)
        };
        let candidates = &brand.stores[other_store].guides;
        let second = *rng.pick(candidates);
        if second != guide {
            let later = added_at + Duration::days(rng.between(1, 200));
            let at = later.min(world.calendar.until - Duration::hours(1));
            follow_user.push(follow(&mut rng, brand, second, at, level, &real_name, None));
        }
    }
    let contact = ContactDetails {
        external_contact: ExternalContact {
            external_userid: external_userid.clone(),
            name: words::wechat_name(&mut rng, &real_name, female),
            avatar: None,
            contact_type: 1,
            gender: if female { 2 } else { 1 },
            unionid: Some(unionid.clone()),
            corp_name: None,
        },
        follow_user,
        next_cursor: None,
    };
    let mut generated = Generated {
        contact: Some(contact),
        ..Generated::default()
    };
    if is_member {
        let member_id = format!("M{:09}", index + 1);
        let identity = MemberIdentity {
            id: member_id,
            name: real_name,
            mobile,
            unionid: (link == Link::Unionid).then_some(unionid),
            external_userid: (link == Link::Explicit).then_some(external_userid),
            level,
            home_store: store,
        };
        member_history(world, &mut rng, identity, &mut generated);
    }
    generated
}

/// The `index`th member who buys in the stores but never added a guide on WeCom.
pub fn walk_in_member(world: &World<'_>, index: u64) -> Generated {
    let mut rng = Rng::stream(world.seed, domain::WALK_IN_MEMBERS, index);
    let female = rng.chance(0.75);
    let identity = MemberIdentity {
        id: format!("MW{:08}", index + 1),
        name: words::person_name(&mut rng, female),
        // Serials above every customer's keep the numbers apart.
        mobile: words::mobile(&mut rng, 50_000_000 + index),
        unionid: None,
        external_userid: None,
        level: rng.weighted(&LEVEL_WEIGHTS[..3]),
        home_store: world.brand.pick_store(&mut rng, &world.store_weights),
    };
    let mut generated = Generated::default();
    member_history(world, &mut rng, identity, &mut generated);
    generated
}

fn follow(
    rng: &mut Rng,
    brand: &Brand,
    staff: usize,
    added_at: DateTime<Utc>,
    level: usize,
    real_name: &str,
    noted_mobile: Option<&str>,
) -> FollowUser {
    let staff_member = &brand.staff[staff];
    let store = &brand.stores[staff_member.store];
    // The level tag agrees with the member's level; then a handful of other groups.
    let mut tags = vec![tag(brand, 0, level)];
    let extra = rng.between(2, 6);
    let mut groups_used = vec![0];
    for _ in 0..extra {
        let group = 1 + usize::try_from(rng.below((TAG_GROUPS.len() - 1) as u64)).unwrap_or(0);
        if groups_used.contains(&group) {
            continue;
        }
        groups_used.push(group);
        let values = TAG_GROUPS[group].tags.len();
        let count = if TAG_GROUPS[group].exclusive {
            1
        } else {
            rng.between(1, 2)
        };
        let first = usize::try_from(rng.below(values as u64)).unwrap_or(0);
        for k in 0..usize::try_from(count).unwrap_or(1) {
            tags.push(tag(brand, group, (first + k) % values));
        }
    }
    FollowUser {
        userid: staff_member.member.userid.clone(),
        remark: rng.chance(0.4).then(|| real_name.to_owned()),
        description: rng.chance(0.15).then(|| format!("{}到店客户", store.name)),
        createtime: added_at.timestamp(),
        tags,
        tag_id: Vec::new(),
        // 1: scanned the guide's QR code; 3: a contact card shared; 9: at a store event.
        add_way: Some(*rng.pick(&[1, 1, 1, 3, 9])),
        state: Some(format!("{}-{}", store.id, staff_member.member.userid)),
        remark_mobiles: noted_mobile.map(|m| vec![m.to_owned()]).unwrap_or_default(),
    }
}

fn tag(brand: &Brand, group: usize, tag: usize) -> FollowTag {
    let catalogue_group = &brand.tag_groups[group];
    let catalogue_tag = &catalogue_group.tag[tag.min(catalogue_group.tag.len() - 1)];
    FollowTag {
        group_name: Some(catalogue_group.group_name.clone()),
        tag_name: catalogue_tag.name.clone(),
        tag_id: Some(catalogue_tag.id.clone()),
        tag_type: 1,
    }
}

struct MemberIdentity {
    id: String,
    name: String,
    mobile: String,
    unionid: Option<String>,
    external_userid: Option<String>,
    level: usize,
    home_store: usize,
}

/// The member record, their orders (with parcels) and their recent behaviour.
fn member_history(world: &World<'_>, rng: &mut Rng, identity: MemberIdentity, out: &mut Generated) {
    let calendar = world.calendar;
    let brand = world.brand;
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
        let (order, shipment, refunded) = order(world, rng, &identity, n, *ordered_at);
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
    let registered_at = first_order - Duration::days(rng.between(0, 400));
    let birthday = NaiveDate::from_ymd_opt(
        i32::try_from(rng.between(1965, 2005)).unwrap_or(1990),
        u32::try_from(rng.between(1, 12)).unwrap_or(1),
        u32::try_from(rng.between(1, 28)).unwrap_or(1),
    );
    out.member = Some(json!({
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
    }));

    // Coupons they hold: some usable now, some used or lapsed.
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

    // What they did lately: browsing, searching, carting, claiming coupons, a store switch.
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

/// One order, its parcel if it was shipped, and whether it was refunded.
fn order(
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
    // A coupon on some orders: whole yuan off, never more than a fifth.
    let discount = if rng.chance(0.3) {
        (total * rng.between(5, 20) / 100) / 100 * 100
    } else {
        0
    };
    let age_days = calendar.days_before_end(ordered_at);
    let paid_at = ordered_at + Duration::seconds(rng.between(5, 600));
    let roll = rng.below(100);
    let (status, cancelled, refunded) = match (channel, age_days) {
        ("online", 0..=1) => (if roll < 50 { "paid" } else { "shipped" }, false, false),
        ("online", 2..=5) => (
            if roll < 60 { "shipped" } else { "completed" },
            false,
            false,
        ),
        _ if roll < 3 => ("cancelled", true, false),
        _ if roll < 7 => ("refunded", false, true),
        _ => ("completed", false, false),
    };
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

/// The parcel of an online order: a real carrier, its kind of tracking number, and the
/// timeline parcels have (collected at the warehouse, through hubs, out for delivery, signed).
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
    let legs = [
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
    ];
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
