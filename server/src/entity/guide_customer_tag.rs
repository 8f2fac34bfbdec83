use sea_orm::entity::prelude::*;

/// A corp tag a guide has put on a customer (WeCom keeps tags per follow relation).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guide_customer_tags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub guide_customer_id: i64,
    pub tag_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
