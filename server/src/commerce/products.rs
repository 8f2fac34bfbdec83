//! Products with their SKUs and the stores that sell them (both replaced with each newer
//! version; no stores listed means every store).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Deserialize;

use super::record::{
    RecordError, check_fen, check_id, check_text, id_by_source, resolve_store_ids, upsert_if_newer,
};
use crate::entity::{product, product_sku, product_store};

/// `products`: a product, its SKUs and where it is on sale.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub title: String,
    pub price_fen: i64,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default = "yes")]
    pub on_sale: bool,
    #[serde(default)]
    pub skus: Vec<SkuRecord>,
    /// Source ids of the stores selling it; empty: all stores.
    #[serde(default)]
    pub store_ids: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuRecord {
    pub sku: String,
    #[serde(default)]
    pub spec: Option<String>,
    pub price_fen: i64,
    /// Units left; absent: stock not tracked (the product counts as in stock).
    #[serde(default)]
    pub stock: Option<i64>,
}

pub async fn apply(
    db: &impl ConnectionTrait,
    mut record: ProductRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    check(&record)?;
    let store_ids = resolve_store_ids(db, &record.store_ids).await?;
    let skus = std::mem::take(&mut record.skus);
    let source_id = record.id.clone();
    let written = upsert_if_newer::<product::Entity>(
        db,
        product_row(record, now),
        product::Column::SourceId,
        product::Column::SourceUpdatedAt,
        vec![
            product::Column::Title,
            product::Column::PriceFen,
            product::Column::ImageUrl,
            product::Column::OnSale,
            product::Column::SourceUpdatedAt,
            product::Column::UpdatedAt,
        ],
    )
    .await?;
    if !written {
        return Ok(());
    }
    let Some(product_id) =
        id_by_source::<product::Entity, _>(db, product::Column::SourceId, &source_id, |p| p.id)
            .await?
    else {
        return Ok(());
    };
    replace_skus(db, product_id, skus).await?;
    replace_stores(db, product_id, store_ids).await?;
    Ok(())
}

fn check(record: &ProductRecord) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_text("title", &record.title, 200)?;
    check_fen("price_fen", record.price_fen)?;
    let mut seen = std::collections::HashSet::new();
    for (index, sku) in record.skus.iter().enumerate() {
        check_text(&format!("skus[{index}].sku"), &sku.sku, 64)?;
        check_fen(&format!("skus[{index}].price_fen"), sku.price_fen)?;
        if sku.stock.is_some_and(|stock| stock < 0) {
            return Err(super::record::invalid(
                "invalid_field",
                format!("`skus[{index}].stock` is 0 or more"),
            ));
        }
        if !seen.insert(sku.sku.as_str()) {
            return Err(super::record::invalid(
                "invalid_field",
                format!("`skus[{index}].sku` `{}` is listed twice", sku.sku),
            ));
        }
    }
    Ok(())
}

fn product_row(record: ProductRecord, now: DateTime<Utc>) -> product::ActiveModel {
    product::ActiveModel {
        source_id: Set(record.id),
        title: Set(record.title),
        price_fen: Set(record.price_fen),
        image_url: Set(record.image_url),
        on_sale: Set(record.on_sale),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The product's SKUs are those of the version just written.
async fn replace_skus(
    db: &impl ConnectionTrait,
    product_id: i64,
    skus: Vec<SkuRecord>,
) -> Result<(), DbErr> {
    product_sku::Entity::delete_many()
        .filter(product_sku::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    if !skus.is_empty() {
        let rows = skus.into_iter().map(|sku| product_sku::ActiveModel {
            product_id: Set(product_id),
            sku: Set(sku.sku),
            spec: Set(sku.spec),
            price_fen: Set(sku.price_fen),
            stock: Set(sku.stock),
            ..Default::default()
        });
        product_sku::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The stores that sell the product are those of the version just written (none: all).
async fn replace_stores(
    db: &impl ConnectionTrait,
    product_id: i64,
    store_ids: Vec<i64>,
) -> Result<(), DbErr> {
    product_store::Entity::delete_many()
        .filter(product_store::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    if !store_ids.is_empty() {
        let rows = store_ids
            .into_iter()
            .map(|store_id| product_store::ActiveModel {
                product_id: Set(product_id),
                store_id: Set(store_id),
                ..Default::default()
            });
        product_store::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
