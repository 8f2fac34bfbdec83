//! `guidedesk sync contacts` and the nightly reconciliation: for every member WeCom lets
//! serve external contacts, their details (user/get), then their contacts page by page
//! (batch/get_by_user) with each relation's tags; then the relations WeCom no longer lists
//! (externalcontact/list) are marked lost.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};

use super::run_claim::{self, run_status};
use super::{Pacer, SyncError, SyncOptions, apply_follow, queue, tag_catalogue};
use crate::directory::{self, LostBy, relation_status};
use crate::entity::{customer, guide_customer, sync_run};
use crate::progress::{Progress, ShowProgress, Unit};
use crate::wecom::api::errcode;
use crate::wecom::client::{WecomClient, WecomError};

const KIND: &str = "contacts";
/// batch/get_by_user's largest page.
const PAGE_SIZE: u32 = 100;

/// Where a run is: its plan (the guides, fixed at the start) and how far it got.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Position {
    guides: Vec<String>,
    next: usize,
    cursor: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactSyncSummary {
    pub run_id: i64,
    /// Whether this run continued an interrupted one.
    pub resumed: bool,
    pub guides: usize,
    pub contacts_seen: u64,
    pub relations_lost: u64,
    pub queue: queue::DrainCounts,
}

pub async fn sync_contacts(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    options: SyncOptions,
    show: ShowProgress,
) -> Result<ContactSyncSummary, SyncError> {
    let mut pacer = Pacer::new(options.calls_per_sec);
    // Claimed first: a sync refused because another is running touches nothing.
    let (mut run, resumed) = claim_run(db, wecom, &mut pacer, options.restart).await?;
    let mut position: Position = serde_json::from_str(&run.position).map_err(|err| {
        SyncError::Position(format!("run {} has an unreadable position: {err}", run.id))
    })?;
    let mut summary = ContactSyncSummary {
        run_id: run.id,
        resumed,
        guides: position.guides.len(),
        contacts_seen: u64::try_from(run.contacts_seen).unwrap_or(0),
        ..Default::default()
    };
    let guides = Some(position.guides.len() as u64);
    let progress = Progress::start("sync", guides, Unit::Items("guides"), show);
    let outcome = visit_guides(
        db,
        wecom,
        &mut pacer,
        &progress,
        &mut run,
        &mut position,
        &mut summary,
    )
    .await;
    progress.finish();
    if let Err(err) = outcome {
        save(
            db,
            &mut run,
            &position,
            &summary,
            Some(run_status::FAILED),
            Some(err.to_string()),
        )
        .await?;
        return Err(err);
    }
    summary.queue = queue::drain_queue(db, wecom, &mut pacer).await?;
    save(
        db,
        &mut run,
        &position,
        &summary,
        Some(run_status::DONE),
        None,
    )
    .await?;
    Ok(summary)
}

async fn visit_guides(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
    progress: &Progress,
    run: &mut sync_run::Model,
    position: &mut Position,
    summary: &mut ContactSyncSummary,
) -> Result<(), SyncError> {
    // Tags first, so every relation's tags resolve against a current catalogue.
    pacer.ready().await;
    tag_catalogue::sync_catalogue(db, wecom).await?;
    let total = position.guides.len();
    let mut catalogue_refreshed = false;
    at_guide(progress, position.next, summary.contacts_seen, "");
    while let Some(userid) = position.guides.get(position.next).cloned() {
        at_guide(progress, position.next, summary.contacts_seen, &userid);
        if let Some(guide_id) = refresh_guide(db, wecom, pacer, &userid).await? {
            loop {
                pacer.ready().await;
                let page = wecom
                    .contacts_by_user(std::slice::from_ref(&userid), &position.cursor, PAGE_SIZE)
                    .await?;
                let now = Utc::now();
                for contact in &page.external_contact_list {
                    let customer =
                        directory::upsert_contact(db, &contact.external_contact, now).await?;
                    apply_follow(
                        db,
                        wecom,
                        guide_id,
                        customer.id,
                        &contact.follow_info,
                        &mut catalogue_refreshed,
                    )
                    .await?;
                }
                summary.contacts_seen += page.external_contact_list.len() as u64;
                position.cursor = page.next_cursor.unwrap_or_default();
                save(db, run, position, summary, None, None).await?;
                at_guide(progress, position.next, summary.contacts_seen, &userid);
                if position.cursor.is_empty() {
                    break;
                }
            }
            summary.relations_lost +=
                mark_unlisted_lost(db, wecom, pacer, guide_id, &userid).await?;
        }
        position.next += 1;
        position.cursor.clear();
        save(db, run, position, summary, None, None).await?;
    }
    at_guide(progress, total, summary.contacts_seen, "");
    Ok(())
}

/// Guides done, and the contacts read so far and the guide being read.
fn at_guide(progress: &Progress, done: usize, contacts: u64, userid: &str) {
    progress.set(done as u64);
    let at = if userid.is_empty() {
        String::new()
    } else {
        format!(" · {userid}")
    };
    progress.note(format!("· {contacts} contacts{at}"));
}

/// The guide's details from user/get; `None` when WeCom no longer has the member.
async fn refresh_guide(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
    userid: &str,
) -> Result<Option<i64>, SyncError> {
    pacer.ready().await;
    match wecom.member(userid).await {
        Ok(member) => Ok(Some(
            directory::upsert_member(db, &member, Utc::now()).await?.id,
        )),
        Err(WecomError::Api {
            code: errcode::NO_SUCH_MEMBER,
            ..
        }) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// Relations active here that WeCom's full list for the guide lacks: their deletion callback
/// never arrived. They are marked lost now (by `sync`), kept as history.
async fn mark_unlisted_lost(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
    guide_id: i64,
    userid: &str,
) -> Result<u64, SyncError> {
    pacer.ready().await;
    let listed: HashSet<String> = wecom.contact_ids(userid).await?.into_iter().collect();
    let active = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide_id))
        .filter(guide_customer::Column::Status.eq(relation_status::ACTIVE))
        .all(db)
        .await?;
    let customers: std::collections::HashMap<i64, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(active.iter().map(|r| r.customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.external_userid))
        .collect();
    let mut lost = 0;
    for relation in active {
        let unlisted = customers
            .get(&relation.customer_id)
            .is_some_and(|external_userid| !listed.contains(external_userid));
        if unlisted {
            let now = Utc::now();
            directory::record_lost(db, guide_id, relation.customer_id, LostBy::Sync, now, now)
                .await?;
            lost += 1;
        }
    }
    Ok(lost)
}

/// The unfinished run to resume, or a new one planned from WeCom's list of members who
/// serve external contacts; `AlreadyRunning` if another process has one going (decided by
/// the database: `run_claim`).
async fn claim_run(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    pacer: &mut Pacer,
    restart: bool,
) -> Result<(sync_run::Model, bool), SyncError> {
    if let Some(run) = run_claim::resume_unfinished(db, KIND, restart).await? {
        return Ok((run, true));
    }
    pacer.ready().await;
    let mut guides = wecom.follow_users().await?;
    guides.sort();
    guides.dedup();
    let total = guides.len();
    let position = Position {
        guides,
        ..Default::default()
    };
    let run = run_claim::start_new(db, KIND, encode(&position)?, total).await?;
    Ok((run, false))
}

fn encode(position: &Position) -> Result<String, SyncError> {
    serde_json::to_string(position).map_err(|err| SyncError::Position(err.to_string()))
}

/// Records where the run is (and, at the end, how it ended).
async fn save(
    db: &DatabaseConnection,
    run: &mut sync_run::Model,
    position: &Position,
    summary: &ContactSyncSummary,
    status: Option<&str>,
    error: Option<String>,
) -> Result<(), SyncError> {
    let now = Utc::now();
    let mut row: sync_run::ActiveModel = run.clone().into();
    row.position = Set(encode(position)?);
    row.guides_done = Set(i32::try_from(position.next).unwrap_or(i32::MAX));
    row.contacts_seen = Set(i64::try_from(summary.contacts_seen).unwrap_or(i64::MAX));
    row.updated_at = Set(now);
    if let Some(status) = status {
        row.status = Set(status.into());
        row.error = Set(error);
        if status != run_status::RUNNING {
            row.finished_at = Set(Some(now));
        }
    }
    *run = row.update(db).await?;
    Ok(())
}
