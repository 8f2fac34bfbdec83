//! The products a guide can recommend: on sale, sold in the guide's store (no stores listed:
//! every store), in stock (any SKU with stock left, or stock not tracked), newest first,
//! searchable by title and SKU code, paged by keyset on the id (ids grow as products are
//! first ingested: newest first, and a page costs the same however deep).

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::record::containing;
use crate::entity::{product, product_sku, product_store};

/// A product with its SKUs.
#[derive(Debug, Clone)]
pub struct ProductOnSale {
    pub product: product::Model,
    pub skus: Vec<product_sku::Model>,
}

impl ProductOnSale {
    /// The lowest and highest SKU price (the product's own without SKUs).
    pub fn price_range(&self) -> (i64, i64) {
        let prices = self.skus.iter().map(|sku| sku.price_fen);
        match (prices.clone().min(), prices.max()) {
            (Some(low), Some(high)) => (low, high),
            _ => (self.product.price_fen, self.product.price_fen),
        }
    }

    /// Units over the SKUs; `None` when no SKU tracks stock.
    pub fn stock(&self) -> Option<i64> {
        let tracked: Vec<i64> = self.skus.iter().filter_map(|sku| sku.stock).collect();
        (!tracked.is_empty()).then(|| tracked.iter().sum())
    }

    /// `¥199` or `¥199 起`.
    pub fn price_text(&self) -> String {
        let (low, high) = self.price_range();
        let yuan = format!("¥{}.{:02}", low / 100, low % 100);
        let yuan = yuan.trim_end_matches(".00").to_owned();
        if high > low {
            format!("{yuan} 起")
        } else {
            yuan
        }
    }
}

/// One page of the products the guide of `store` can send; `q` matches title or SKU code.
pub async fn products_for_store(
    db: &impl ConnectionTrait,
    store: Option<i64>,
    q: Option<&str>,
    after_id: Option<i64>,
    size: u64,
) -> Result<(Vec<ProductOnSale>, Option<String>), DbErr> {
    let mut query = product::Entity::find()
        .filter(sendable_here(store))
        .order_by_desc(product::Column::Id)
        .limit(size + 1);
    if let Some(words) = q.map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(matching(words));
    }
    if let Some(after_id) = after_id {
        query = query.filter(product::Column::Id.lt(after_id));
    }
    let mut rows = query.all(db).await?;
    let keep = usize::try_from(size).unwrap_or(usize::MAX);
    let next = (rows.len() > keep).then(|| {
        rows.truncate(keep);
        rows.last().map(|last| last.id.to_string())
    });
    let next = next.flatten();
    Ok((with_skus(db, rows).await?, next))
}

/// The product `source_id` if the guide of `store` can send it now.
pub async fn sendable_product(
    db: &impl ConnectionTrait,
    store: Option<i64>,
    source_id: &str,
) -> Result<Option<ProductOnSale>, DbErr> {
    let found = product::Entity::find()
        .filter(product::Column::SourceId.eq(source_id))
        .filter(sendable_here(store))
        .one(db)
        .await?;
    Ok(with_skus(db, found.into_iter().collect()).await?.pop())
}

/// On sale, sold in `store` (or everywhere), in stock.
fn sendable_here(store: Option<i64>) -> Condition {
    let listed = Query::select()
        .column(product_store::Column::ProductId)
        .from(product_store::Entity)
        .to_owned();
    let mut in_store = Condition::any().add(product::Column::Id.not_in_subquery(listed));
    if let Some(store) = store {
        let here = Query::select()
            .column(product_store::Column::ProductId)
            .from(product_store::Entity)
            .and_where(product_store::Column::StoreId.eq(store))
            .to_owned();
        in_store = in_store.add(product::Column::Id.in_subquery(here));
    }
    // Out of stock: it has SKUs, every one tracks stock, and none has any left.
    let with_stock_or_untracked = Query::select()
        .column(product_sku::Column::ProductId)
        .from(product_sku::Entity)
        .cond_where(
            Condition::any()
                .add(product_sku::Column::Stock.is_null())
                .add(product_sku::Column::Stock.gt(0)),
        )
        .to_owned();
    let with_skus = Query::select()
        .column(product_sku::Column::ProductId)
        .from(product_sku::Entity)
        .to_owned();
    Condition::all()
        .add(product::Column::OnSale.eq(true))
        .add(in_store)
        .add(
            Condition::any()
                .add(product::Column::Id.in_subquery(with_stock_or_untracked))
                .add(product::Column::Id.not_in_subquery(with_skus)),
        )
}

/// Title or SKU code containing `words`, ignoring case.
fn matching(words: &str) -> Condition {
    let skus = Query::select()
        .column(product_sku::Column::ProductId)
        .from(product_sku::Entity)
        .and_where(
            Expr::expr(Func::lower(Expr::col(product_sku::Column::Sku))).like(containing(words)),
        )
        .to_owned();
    Condition::any()
        .add(
            Expr::expr(Func::lower(Expr::col((
                product::Entity,
                product::Column::Title,
            ))))
            .like(containing(words)),
        )
        .add(product::Column::Id.in_subquery(skus))
}

async fn with_skus(
    db: &impl ConnectionTrait,
    products: Vec<product::Model>,
) -> Result<Vec<ProductOnSale>, DbErr> {
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    let mut skus: HashMap<i64, Vec<product_sku::Model>> = HashMap::new();
    for sku in product_sku::Entity::find()
        .filter(product_sku::Column::ProductId.is_in(ids))
        .order_by_asc(product_sku::Column::Id)
        .all(db)
        .await?
    {
        skus.entry(sku.product_id).or_default().push(sku);
    }
    Ok(products
        .into_iter()
        .map(|product| ProductOnSale {
            skus: skus.remove(&product.id).unwrap_or_default(),
            product,
        })
        .collect())
}
