use sea_orm::entity::prelude::*;

/// One open of a share's short link (`shares::clicks`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "share_clicks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub share_id: i64,
    pub clicked_at: DateTimeUtc,
    /// `wecom`, `wechat`, `browser` or `preview`.
    pub client: String,
    pub visitor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
