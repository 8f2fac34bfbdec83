use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde::Deserialize;

use super::record::{RecordError, check_id, check_one_of, require_ref, upsert_if_newer};
use crate::entity::{staff_assignment, store};

/// `staff`: a WeCom member's assignment to a store.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub wecom_userid: String,
    /// The store's source id.
    pub store_id: String,
    /// `guide` or `manager`.
    pub role: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub async fn apply(
    db: &impl ConnectionTrait,
    record: StaffRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_id("wecom_userid", &record.wecom_userid)?;
    check_one_of("role", &record.role, &["guide", "manager"])?;
    let store_id = require_ref::<store::Entity, _>(
        db,
        store::Column::SourceId,
        "store_id",
        &record.store_id,
        |s| s.id,
    )
    .await?;
    let row = staff_assignment::ActiveModel {
        source_id: Set(record.id),
        wecom_userid: Set(record.wecom_userid),
        store_id: Set(store_id),
        role: Set(record.role),
        active: Set(record.active),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    upsert_if_newer::<staff_assignment::Entity>(
        db,
        row,
        staff_assignment::Column::SourceId,
        staff_assignment::Column::SourceUpdatedAt,
        vec![
            staff_assignment::Column::WecomUserid,
            staff_assignment::Column::StoreId,
            staff_assignment::Column::Role,
            staff_assignment::Column::Active,
            staff_assignment::Column::SourceUpdatedAt,
            staff_assignment::Column::UpdatedAt,
        ],
    )
    .await?;
    Ok(())
}

/// The store a member of staff works in now (their active assignment, the most recently
/// updated if several): what a share is stamped with.
pub async fn current_store(
    db: &impl ConnectionTrait,
    wecom_userid: &str,
) -> Result<Option<i64>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use staff_assignment::Column;
    Ok(staff_assignment::Entity::find()
        .filter(Column::WecomUserid.eq(wecom_userid))
        .filter(Column::Active.eq(true))
        .order_by_desc(Column::UpdatedAt)
        .one(db)
        .await?
        .map(|assignment| assignment.store_id))
}

/// [`current_store`] for many members of staff at once: their WeCom userid → store.
pub async fn current_stores(
    db: &impl ConnectionTrait,
    wecom_userids: Vec<String>,
) -> Result<std::collections::HashMap<String, i64>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use staff_assignment::Column;
    let mut stores = std::collections::HashMap::new();
    // Oldest first: the most recently updated assignment is the one that stays.
    for assignment in staff_assignment::Entity::find()
        .filter(Column::WecomUserid.is_in(wecom_userids))
        .filter(Column::Active.eq(true))
        .order_by_asc(Column::UpdatedAt)
        .all(db)
        .await?
    {
        stores.insert(assignment.wecom_userid, assignment.store_id);
    }
    Ok(stores)
}
