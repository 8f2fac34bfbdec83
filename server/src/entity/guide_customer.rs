use sea_orm::entity::prelude::*;

/// A guide follows a customer (WeCom's "follow user"): added, and perhaps lost again.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guide_customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guide_id: i64,
    pub customer_id: i64,
    pub remark: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub add_way: Option<i32>,
    pub state: Option<String>,
    pub added_at: DateTimeUtc,
    /// `active` or `lost`.
    pub status: String,
    pub lost_at: Option<DateTimeUtc>,
    /// `guide`, `customer`, `transfer`, or `sync` (found missing at a sync).
    pub lost_by: Option<String>,
    pub welcome_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::customer::Entity",
        from = "Column::CustomerId",
        to = "super::customer::Column::Id"
    )]
    Customer,
    #[sea_orm(
        belongs_to = "super::guide::Entity",
        from = "Column::GuideId",
        to = "super::guide::Column::Id"
    )]
    Guide,
}

impl Related<super::guide::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Guide.def()
    }
}

impl Related<super::customer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Customer.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
