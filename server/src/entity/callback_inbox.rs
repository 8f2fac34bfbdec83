use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "callback_inbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub dedupe_key: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub event_kind: Option<String>,
    pub status: String,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub next_attempt_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    pub locked_until: Option<DateTimeUtc>,
    /// How many times the row's effects were committed (with them, in one transaction).
    pub applications: i32,
    /// The worker that claimed the row last (`inbox::worker::worker_id`).
    pub claimed_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
