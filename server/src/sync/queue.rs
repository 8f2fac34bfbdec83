//! Drains `wecom_sync_queue`: the fetches callbacks asked for (a contact was edited, a member
//! changed without details, a tag changed). Each entry is fetched, applied and removed; one
//! that fails stays with its attempt counted and is parked after a few.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{Pacer, SyncError, apply_follow, tag_catalogue};
use crate::directory::{self, LostBy, relation_status};
use crate::entity::{guide_customer, wecom_sync_queue};
use crate::wecom::api::errcode;
use crate::wecom::client::{WecomClient, WecomError};

/// After this many failed fetches an entry is left alone (`guidedesk sync status` shows it).
pub const MAX_ATTEMPTS: i32 = 5;
const BATCH: u64 = 100;
/// WeCom no longer knows the target.
const GONE: [i64; 3] = [
    errcode::NO_SUCH_MEMBER,
    errcode::NOT_A_CONTACT,
    errcode::NO_SUCH_CONTACT,
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainCounts {
    pub applied: u64,
    /// WeCom no longer knows the target; nothing to fetch.
    pub gone: u64,
    pub failed: u64,
}

pub async fn drain_queue(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
) -> Result<DrainCounts, SyncError> {
    let mut counts = DrainCounts::default();
    let mut after_id = 0;
    loop {
        let entries = wecom_sync_queue::Entity::find()
            .filter(wecom_sync_queue::Column::Id.gt(after_id))
            .filter(wecom_sync_queue::Column::Attempts.lt(MAX_ATTEMPTS))
            .order_by_asc(wecom_sync_queue::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = entries.last() else {
            return Ok(counts);
        };
        after_id = last.id;
        for entry in entries {
            pacer.ready().await;
            match apply(db, wecom, pacer, &entry).await {
                Ok(()) => counts.applied += 1,
                Err(SyncError::Wecom(WecomError::Api { code, .. })) if GONE.contains(&code) => {
                    counts.gone += 1;
                }
                Err(SyncError::Database(err)) => return Err(err.into()),
                Err(err) => {
                    counts.failed += 1;
                    tracing::warn!(kind = %entry.kind, target = %entry.target, error = %err, "queued WeCom fetch failed");
                    let attempts = entry.attempts + 1;
                    let mut row: wecom_sync_queue::ActiveModel = entry.into();
                    row.attempts = Set(attempts);
                    row.reason = Set(Some(format!("attempt {attempts}: {err}")));
                    row.update(db).await?;
                    continue;
                }
            }
            wecom_sync_queue::Entity::delete_by_id(entry.id)
                .exec(db)
                .await?;
        }
    }
}

async fn apply(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
    entry: &wecom_sync_queue::Model,
) -> Result<(), SyncError> {
    match entry.kind.as_str() {
        "user" => {
            let member = wecom.member(&entry.target).await?;
            directory::upsert_member(db, &member, Utc::now()).await?;
        }
        "contact" => refresh_contact(db, wecom, pacer, &entry.target).await?,
        "tag_catalogue" => {
            tag_catalogue::sync_catalogue(db, wecom).await?;
        }
        other => tracing::warn!(kind = other, "unknown sync queue kind; dropped"),
    }
    Ok(())
}

/// One contact from externalcontact/get: the customer, every guide's relation and its tags;
/// relations WeCom no longer lists for the contact are marked lost.
pub async fn refresh_contact(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
    external_userid: &str,
) -> Result<(), SyncError> {
    let mut cursor = String::new();
    let mut following = HashSet::new();
    let mut catalogue_refreshed = false;
    let customer_id = loop {
        let details = wecom.contact(external_userid, &cursor).await?;
        let now = Utc::now();
        let customer = directory::upsert_contact(db, &details.external_contact, now).await?;
        for follow in &details.follow_user {
            let guide = directory::ensure_guide(db, &follow.userid, now).await?;
            following.insert(guide.id);
            apply_follow(
                db,
                wecom,
                guide.id,
                customer.id,
                follow,
                &mut catalogue_refreshed,
            )
            .await?;
        }
        cursor = details.next_cursor.unwrap_or_default();
        if cursor.is_empty() {
            break customer.id;
        }
        pacer.ready().await;
    };
    let active = guide_customer::Entity::find()
        .filter(guide_customer::Column::CustomerId.eq(customer_id))
        .filter(guide_customer::Column::Status.eq(relation_status::ACTIVE))
        .all(db)
        .await?;
    for relation in active
        .into_iter()
        .filter(|r| !following.contains(&r.guide_id))
    {
        let now = Utc::now();
        directory::record_lost(db, relation.guide_id, customer_id, LostBy::Sync, now, now).await?;
    }
    Ok(())
}
