use sea_orm::entity::prelude::*;

/// A welcome message (欢迎语): a store's, or the brand's default (`store_id` none).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "welcome_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub source_id: String,
    pub store_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// A material (its source id) sent with the text, stamped.
    pub material_id: Option<String>,
    pub active: bool,
    pub source_updated_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
