use sea_orm::entity::prelude::*;

/// A WeCom external contact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub external_userid: String,
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub avatar: Option<String>,
    pub contact_type: Option<i32>,
    pub gender: Option<i32>,
    pub unionid: Option<String>,
    pub corp_name: Option<String>,
    /// SHA-256 of a mobile number the guide recorded for them (remark_mobiles), to match a
    /// member by mobile.
    pub mobile_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
