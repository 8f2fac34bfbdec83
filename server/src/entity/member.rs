use sea_orm::entity::prelude::*;

/// A member of the brand's loyalty programme (one customer whichever channel they buy in).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub source_id: String,
    pub name: String,
    /// SHA-256 of the normalised mobile number, for matching only.
    pub mobile_hash: Option<String>,
    /// What a guide may see of the number.
    pub mobile_last4: Option<String>,
    pub unionid: Option<String>,
    pub level: Option<String>,
    pub points: i64,
    pub balance_fen: i64,
    pub home_store_id: Option<i64>,
    pub registered_at: Option<DateTimeUtc>,
    pub birthday: Option<Date>,
    pub source_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::store::Entity",
        from = "Column::HomeStoreId",
        to = "super::store::Column::Id"
    )]
    HomeStore,
}

impl Related<super::store::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::HomeStore.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
