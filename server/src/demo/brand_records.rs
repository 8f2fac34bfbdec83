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
                "store_ids": stores,
            })
        })
        .collect()
}
