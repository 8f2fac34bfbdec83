use sea_orm::entity::prelude::*;

/// One row of the credit ledger: part of a paid order's amount (or, negative, of a refund)
/// credited to a guide or a store, with the rule and the evidence.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_credits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    /// `credit` or `reversal`.
    pub entry: String,
    pub line: i32,
    pub amount_fen: i64,
    /// `binding`, `last_share`, `store` or `unattributed`.
    pub rule: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub guide_id: Option<i64>,
    pub store_id: Option<i64>,
    pub binding_id: Option<i64>,
    pub share_token: Option<String>,
    pub touched_at: Option<DateTimeUtc>,
    pub policy_version: i32,
    pub credited_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
