use sea_orm::entity::prelude::*;

/// An order from any channel; amounts in fen.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub source_id: String,
    pub member_id: Option<i64>,
    /// `online`, `offline` or `pos`.
    pub channel: String,
    pub store_id: Option<i64>,
    pub status: String,
    pub total_fen: i64,
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub ordered_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    /// What was refunded so far (0 when none).
    pub refunded_fen: i64,
    pub refunded_at: Option<DateTimeUtc>,
    pub source_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::store::Entity",
        from = "Column::StoreId",
        to = "super::store::Column::Id"
    )]
    Store,
}

impl Related<super::store::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Store.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
