use sea_orm::entity::prelude::*;

/// A WeCom member who serves customers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guides")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub wecom_userid: String,
    pub name: String,
    /// `active`, `disabled` or `resigned`.
    pub status: String,
    pub department: Option<String>,
    pub position: Option<String>,
    pub resigned_at: Option<DateTimeUtc>,
    /// WeCom's time of the last staff event applied to this guide.
    pub last_event_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
