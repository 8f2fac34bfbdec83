//! The brand's fixed part, written before its customers: the tag catalogue, stores, guides (as
//! WeCom members first, as a sync makes them, then staff of their store), products and coupon
//! templates, each through the ingest API's batch path.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use super::brand::Brand;
use super::calendar::Calendar;
use super::catalogue::{self, Product};
use super::{SeedError, SeedSummary, images, ingest_all, words};
use crate::commerce::batch::Kind;
use crate::database::begin_write;
use crate::directory;

/// Writes the brand's fixed part; the guides' local ids by WeCom userid.
pub(super) async fn seed_brand(
    db: &DatabaseConnection,
    brand: &Brand,
    calendar: &Calendar,
    products: &[Product],
    summary: &mut SeedSummary,
) -> Result<HashMap<String, i64>, SeedError> {
    let now = Utc::now();
    let counts = directory::tags::mirror_catalogue(db, &brand.tag_groups, now).await?;
    summary.tag_groups = brand.tag_groups.len() as u64;
    summary.tags = counts.tags as u64;
    summary.stores = ingest_all(db, Kind::Stores, store_records(brand, calendar)).await?;
    let txn = begin_write(db).await?;
    let mut guide_ids = HashMap::new();
    for staff in &brand.staff {
        let guide = directory::upsert_member(&txn, &staff.member, now).await?;
        guide_ids.insert(staff.member.userid.clone(), guide.id);
    }
    txn.commit().await?;
    summary.staff = ingest_all(db, Kind::Staff, staff_records(brand, calendar)).await?;
    let products = product_records(products, calendar);
    summary.products = ingest_all(db, Kind::Products, products).await?;
    let coupons = coupon_records(brand, calendar);
    summary.coupon_templates = ingest_all(db, Kind::CouponTemplates, coupons).await?;
    ingest_all(db, Kind::Materials, material_records(calendar)).await?;
    ingest_all(db, Kind::WelcomeMessages, welcome_records(calendar)).await?;
    Ok(guide_ids)
}

fn store_records(brand: &Brand, calendar: &Calendar) -> Vec<Value> {
    brand
        .stores
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "updated_at": calendar.until, "name": s.name,
                "region": words::REGIONS[s.region].name, "city": s.city, "address": s.address,
            })
        })
        .collect()
}

fn staff_records(brand: &Brand, calendar: &Calendar) -> Vec<Value> {
    brand
        .staff
        .iter()
        .map(|s| {
            json!({
                "id": format!("A-{}", s.member.userid), "updated_at": calendar.until,
                "wecom_userid": s.member.userid, "store_id": brand.stores[s.store].id,
                "role": if s.manager { "manager" } else { "guide" },
            })
        })
        .collect()
}

fn product_records(products: &[Product], calendar: &Calendar) -> Vec<Value> {
    products
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "updated_at": calendar.until, "title": p.title, "price_fen": p.price_fen,
                "image_url": images::url(&p.id),
                "skus": p.skus.iter().map(|(sku, spec, price)| json!({"sku": sku, "spec": spec, "price_fen": price})).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The catalogue's coupons; a regional one applies in that region's stores.
fn coupon_records(brand: &Brand, calendar: &Calendar) -> Vec<Value> {
    catalogue::COUPONS
        .iter()
        .map(|c| {
            let stores: Vec<&str> = match c.region {
                Some(region) => brand
                    .stores
                    .iter()
                    .filter(|s| s.region == region)
                    .map(|s| s.id.as_str())
                    .collect(),
                None => Vec::new(),
            };
            json!({
                "id": c.id, "updated_at": calendar.until, "name": c.name, "kind": c.kind,
                "value": c.value, "threshold_fen": c.threshold_fen, "valid_days": c.valid_days,
                "total_stock": c.total_stock, "per_customer_limit": c.per_customer_limit,
                "store_ids": stores, "guide_quota": 500, "guide_daily_limit": 20,
            })
        })
        .collect()
}

/// A small material library: an activity page, a script with it attached, a poster.
fn material_records(calendar: &Calendar) -> Vec<Value> {
    let at = &calendar.until;
    vec![
        json!({"id": "M001", "updated_at": at, "kind": "page", "group": "本周活动",
               "title": "冬季会员日 满300减50", "url": "http://127.0.0.1:8080/demo/mall/activity/M001",
               "description": "会员专享，仅限本周", "image_url": "http://127.0.0.1:8080/demo/images/P0001.svg"}),
        json!({"id": "M002", "updated_at": at, "kind": "text", "group": "常用话术",
               "title": "会员日邀请", "content": "您好～本周是我们的冬季会员日，满300减50，点开看看有没有喜欢的～",
               "attachment_id": "M001"}),
        json!({"id": "M003", "updated_at": at, "kind": "text", "group": "常用话术",
               "title": "物流安抚", "content": "您好，您的包裹已在路上，我这边帮您盯着，有任何问题随时找我～"}),
    ]
}

/// The brand's default welcome, with the activity page.
fn welcome_records(calendar: &Calendar) -> Vec<Value> {
    vec![json!({"id": "W001", "updated_at": calendar.until,
                "content": "您好，我是您的专属导购，有任何需要随时找我～", "material_id": "M001"})]
}
