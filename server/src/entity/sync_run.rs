use sea_orm::entity::prelude::*;

/// One run of a WeCom sync (`contacts` or `tags`), with where it got to, so an interrupted
/// run resumes instead of starting over.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// The run's plan and position (JSON: the guides to visit, the next one, its cursor).
    #[sea_orm(column_type = "Text")]
    pub position: String,
    pub guides_total: i32,
    pub guides_done: i32,
    pub contacts_seen: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub started_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
