use sea_orm::entity::prelude::*;

/// One day's figures of one guide at one store (`reports::tally`); 0 stands for no guide or
/// no store.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_days")]
pub struct Model {
    /// `YYYY-MM-DD`, China.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub guide_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub store_id: i64,
    pub shares: i64,
    /// People (not preview fetchers) who opened a share for the first time.
    pub clicks: i64,
    pub visits: i64,
    pub carts: i64,
    /// Orders credited (an order split between two guides counts for each).
    pub orders: i64,
    pub sales_fen: i64,
    /// Reversed by refunds, as a positive amount.
    pub refunds_fen: i64,
    pub new_bindings: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
