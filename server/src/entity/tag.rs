use sea_orm::entity::prelude::*;

/// A corp tag of WeCom's catalogue, mirrored (kept when WeCom deletes it, marked so).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub wecom_tag_id: String,
    pub group_id: i64,
    pub name: String,
    pub sort_order: i32,
    pub deleted: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::tag_group::Entity",
        from = "Column::GroupId",
        to = "super::tag_group::Column::Id"
    )]
    TagGroup,
}

impl Related<super::tag_group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TagGroup.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
