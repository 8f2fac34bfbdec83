//! The policy's versions: the configured policy is stored at start, as a new version when it
//! differs from the latest, so every ledger row can say which rules credited it.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, QueryOrder};

use crate::config::AttributionPolicy;
use crate::entity::attribution_policy;

/// The version of `policy`: the latest stored one if it says the same, else a new one.
pub async fn register(db: &DatabaseConnection, policy: &AttributionPolicy) -> Result<i32, DbErr> {
    let text = policy.canonical();
    let latest = attribution_policy::Entity::find()
        .order_by_desc(attribution_policy::Column::Version)
        .one(db)
        .await?;
    if let Some(latest) = &latest
        && latest.policy == text
    {
        return Ok(latest.version);
    }
    let version = latest.map_or(1, |l| l.version + 1);
    let row = attribution_policy::ActiveModel {
        version: Set(version),
        policy: Set(text),
        created_at: Set(Utc::now()),
    };
    match attribution_policy::Entity::insert(row).exec(db).await {
        Ok(_) => Ok(version),
        Err(err) => {
            // Two replicas started at once with the same new policy: the other stored it.
            let stored = attribution_policy::Entity::find_by_id(version)
                .one(db)
                .await?;
            match stored {
                Some(stored) if stored.policy == policy.canonical() => Ok(version),
                _ => Err(err),
            }
        }
    }
}

/// The policy stored as `version`, if there is one.
pub async fn load(
    db: &DatabaseConnection,
    version: i32,
) -> Result<Option<AttributionPolicy>, DbErr> {
    let Some(stored) = attribution_policy::Entity::find_by_id(version)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    serde_json::from_str(&stored.policy)
        .map(Some)
        .map_err(|err| DbErr::Custom(format!("policy version {version} is unreadable: {err}")))
}
