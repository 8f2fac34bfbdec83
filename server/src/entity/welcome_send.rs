use sea_orm::entity::prelude::*;

/// One attempt to welcome a customer who added a guide.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "welcome_sends")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub welcome_code: String,
    pub staff_userid: String,
    pub external_userid: String,
    /// `sent`, `late` (past WeCom's 20 seconds) or `failed` (WeCom refused; not retried).
    pub state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// The share of the stamped material sent with it.
    pub share_token: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
