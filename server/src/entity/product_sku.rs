use sea_orm::entity::prelude::*;

/// A sellable variant of a product.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "product_skus")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub spec: Option<String>,
    pub price_fen: i64,
    /// `None`: stock not tracked (treated as in stock).
    pub stock: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
