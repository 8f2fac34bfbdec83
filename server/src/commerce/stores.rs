use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use serde::Deserialize;

use super::record::{RecordError, check_id, check_one_of, check_text, upsert_if_newer};
use crate::entity::store;

/// `stores`: a store of the brand.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub name: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// `open` (default) or `closed`.
    #[serde(default)]
    pub status: Option<String>,
}

pub async fn apply(
    db: &impl ConnectionTrait,
    record: StoreRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_text("name", &record.name, 100)?;
    let status = record.status.unwrap_or_else(|| "open".into());
    check_one_of("status", &status, &["open", "closed"])?;
    let row = store::ActiveModel {
        source_id: Set(record.id),
        name: Set(record.name),
        region: Set(record.region),
        city: Set(record.city),
        address: Set(record.address),
        status: Set(status),
        source_updated_at: Set(Some(record.updated_at)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    // A store first seen unversioned (NULL) is always brought up to date.
    upsert_if_newer::<store::Entity>(
        db,
        row,
        store::Column::SourceId,
        store::Column::SourceUpdatedAt,
        vec![
            store::Column::Name,
            store::Column::Region,
            store::Column::City,
            store::Column::Address,
            store::Column::Status,
            store::Column::SourceUpdatedAt,
            store::Column::UpdatedAt,
        ],
    )
    .await?;
    Ok(())
}
