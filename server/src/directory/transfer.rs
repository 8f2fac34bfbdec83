//! Handing a departed guide's customers to another guide: WeCom's resigned-member transfer
//! (离职继承). Requests go in batches of at most 100; each customer's answer is recorded; the
//! transfer completes on WeCom's side about a day later, which `check_results` reads back
//! (`resigned/transfer_result`) to move the relations. Refusals (from the answers, the results
//! or `transfer_fail` callbacks) stay visible in `transfer_report`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

use super::{
    Added, LostBy, find_guide, guide_status, record_added, record_lost, relation_status,
    transfer_reason, transfer_status, upsert_member,
};
use crate::entity::{customer, customer_transfer, guide, guide_customer};
use crate::wecom::api::{TRANSFER_BATCH, TransferCustomers, TransferProgress, errcode};
use crate::wecom::client::{WecomClient, WecomError};

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("no guide `{0}` is known here (run `guidedesk sync contacts` first?)")]
    UnknownGuide(String),
    #[error(
        "`{0}` has not left the company; WeCom transfers only a departed member's customers this way"
    )]
    NotResigned(String),
    #[error("`{0}` cannot take customers over: the guide is {1}")]
    TakeoverUnavailable(String, String),
    #[error("a guide cannot take over their own customers")]
    SameGuide,
    #[error(transparent)]
    Wecom(#[from] WecomError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TransferRequestSummary {
    /// WeCom calls made (each with at most 100 customers).
    pub batches: usize,
    pub requested: usize,
    /// Refused at once: (external_userid, WeCom's errcode).
    pub refused: Vec<(String, i64)>,
    /// Already requested earlier and still waiting: not asked again.
    pub already_requested: usize,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TransferResultCounts {
    pub done: usize,
    pub waiting: usize,
    pub failed: usize,
}

/// Asks WeCom to move every customer `from` still holds to `to`.
pub async fn request_transfer(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<TransferRequestSummary, TransferError> {
    if from == to {
        return Err(TransferError::SameGuide);
    }
    let handover = departed_guide(db, wecom, from, now).await?;
    let takeover = find_guide(db, to)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(to.to_owned()))?;
    if takeover.status != guide_status::ACTIVE {
        return Err(TransferError::TakeoverUnavailable(
            to.to_owned(),
            takeover.status,
        ));
    }

    let mut summary = TransferRequestSummary::default();
    let mut pending: Vec<customer::Model> = Vec::new();
    for (customer, transfer) in customers_to_move(db, handover.id).await? {
        let waiting = transfer.as_ref().is_some_and(|t| {
            t.status == transfer_status::REQUESTED && t.takeover_guide_id == Some(takeover.id)
        });
        if waiting {
            summary.already_requested += 1;
        } else {
            pending.push(customer);
        }
    }
    for batch in pending.chunks(TRANSFER_BATCH) {
        let ids: Vec<String> = batch.iter().map(|c| c.external_userid.clone()).collect();
        let answers = wecom
            .transfer_customers(&TransferCustomers {
                handover_userid: &handover.wecom_userid,
                takeover_userid: &takeover.wecom_userid,
                external_userid: &ids,
            })
            .await?;
        summary.batches += 1;
        let codes: HashMap<&str, i64> = answers
            .iter()
            .map(|a| (a.external_userid.as_str(), a.errcode))
            .collect();
        for customer in batch {
            // A customer WeCom's answer leaves out was not taken: record it as refused.
            let code = codes
                .get(customer.external_userid.as_str())
                .copied()
                .unwrap_or(-1);
            let (status, reason) = if code == 0 {
                summary.requested += 1;
                (transfer_status::REQUESTED, None)
            } else {
                summary
                    .refused
                    .push((customer.external_userid.clone(), code));
                (transfer_status::FAILED, Some(format!("errcode {code}")))
            };
            record(
                db,
                handover.id,
                customer.id,
                Some(takeover.id),
                status,
                reason,
                now,
            )
            .await?;
        }
    }
    Ok(summary)
}

/// The handover guide, confirmed departed: locally, or by WeCom (then resigned here too).
async fn departed_guide(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    userid: &str,
    now: DateTime<Utc>,
) -> Result<guide::Model, TransferError> {
    let known = find_guide(db, userid)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(userid.to_owned()))?;
    if known.status == guide_status::RESIGNED {
        return Ok(known);
    }
    // The delete_user callback may not have arrived yet: WeCom knows best.
    match wecom.member(userid).await {
        Ok(member) => {
            let updated = upsert_member(db, &member, now).await?;
            if updated.status == guide_status::RESIGNED {
                Ok(updated)
            } else {
                Err(TransferError::NotResigned(userid.to_owned()))
            }
        }
        Err(WecomError::Api {
            code: errcode::NO_SUCH_MEMBER,
            ..
        }) => {
            super::resign_guide(db, userid, now, now).await?;
            find_guide(db, userid)
                .await?
                .ok_or_else(|| TransferError::UnknownGuide(userid.to_owned()))
        }
        Err(err) => Err(err.into()),
    }
}

/// The handover guide's customers still to move: active relations, and customers awaiting or
/// failed in an earlier transfer, with that transfer's row.
async fn customers_to_move(
    db: &DatabaseConnection,
    handover_id: i64,
) -> Result<Vec<(customer::Model, Option<customer_transfer::Model>)>, DbErr> {
    let mut transfers: HashMap<i64, customer_transfer::Model> = customer_transfer::Entity::find()
        .filter(customer_transfer::Column::HandoverGuideId.eq(handover_id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.customer_id, t))
        .collect();
    let active = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(handover_id))
        .filter(guide_customer::Column::Status.eq(relation_status::ACTIVE))
        .all(db)
        .await?;
    let mut ids: Vec<i64> = active.iter().map(|r| r.customer_id).collect();
    ids.extend(
        transfers
            .values()
            .filter(|t| t.status != transfer_status::DONE)
            .map(|t| t.customer_id),
    );
    ids.sort_unstable();
    ids.dedup();
    let customers = customer::Entity::find()
        .filter(customer::Column::Id.is_in(ids))
        .order_by_asc(customer::Column::Id)
        .all(db)
        .await?;
    Ok(customers
        .into_iter()
        .map(|c| {
            let transfer = transfers.remove(&c.id);
            (c, transfer)
        })
        .collect())
}

async fn record(
    db: &DatabaseConnection,
    handover_id: i64,
    customer_id: i64,
    takeover_id: Option<i64>,
    status: &str,
    fail_reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let existing = customer_transfer::Entity::find()
        .filter(customer_transfer::Column::HandoverGuideId.eq(handover_id))
        .filter(customer_transfer::Column::CustomerId.eq(customer_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut row: customer_transfer::ActiveModel = row.into();
            row.takeover_guide_id = Set(takeover_id);
            row.status = Set(status.to_owned());
            row.fail_reason = Set(fail_reason);
            row.updated_at = Set(now);
            row.update(db).await?;
        }
        None => {
            customer_transfer::ActiveModel {
                handover_guide_id: Set(handover_id),
                customer_id: Set(customer_id),
                takeover_guide_id: Set(takeover_id),
                status: Set(status.to_owned()),
                reason: Set(transfer_reason::RESIGNED.to_owned()),
                fail_reason: Set(fail_reason),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Reads WeCom's results for the requested transfers from `from` to `to`: a finished one moves
/// the relation (the old one lost by transfer, the new one active since the takeover); a
/// refused one is recorded with WeCom's reason.
pub async fn check_results(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<TransferResultCounts, TransferError> {
    let handover = find_guide(db, from)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(from.to_owned()))?;
    let takeover = find_guide(db, to)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(to.to_owned()))?;
    let mut counts = TransferResultCounts::default();
    let mut cursor = String::new();
    loop {
        let page = wecom
            .transfer_results(&handover.wecom_userid, &takeover.wecom_userid, &cursor)
            .await?;
        for result in &page.customer {
            apply_result(db, &handover, &takeover, result, now, &mut counts).await?;
        }
        match page.next_cursor.filter(|c| !c.is_empty()) {
            Some(next) => cursor = next,
            None => return Ok(counts),
        }
    }
}

async fn apply_result(
    db: &DatabaseConnection,
    handover: &guide::Model,
    takeover: &guide::Model,
    result: &TransferProgress,
    now: DateTime<Utc>,
    counts: &mut TransferResultCounts,
) -> Result<(), DbErr> {
    let Some(customer) = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(&result.external_userid))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    match result.status {
        TransferProgress::DONE => {
            let at = DateTime::from_timestamp(result.takeover_time, 0).unwrap_or(now);
            record_lost(db, handover.id, customer.id, LostBy::Transfer, at, now).await?;
            let added = Added {
                at,
                state: None,
                welcome_code: None,
            };
            record_added(db, takeover.id, customer.id, added, now).await?;
            record(
                db,
                handover.id,
                customer.id,
                Some(takeover.id),
                transfer_status::DONE,
                None,
                now,
            )
            .await?;
            counts.done += 1;
        }
        TransferProgress::WAITING => counts.waiting += 1,
        other => {
            let reason = match other {
                TransferProgress::REFUSED => "customer_refused".to_owned(),
                TransferProgress::LIMIT_EXCEEDED => "customer_limit_exceed".to_owned(),
                code => format!("status {code}"),
            };
            record(
                db,
                handover.id,
                customer.id,
                Some(takeover.id),
                transfer_status::FAILED,
                Some(reason),
                now,
            )
            .await?;
            counts.failed += 1;
        }
    }
    Ok(())
}

/// One customer's transfer, for `guidedesk transfer --from X --report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLine {
    pub external_userid: String,
    pub customer_name: String,
    pub takeover: Option<String>,
    pub status: String,
    pub fail_reason: Option<String>,
}

/// Every customer transfer away from `from`, failures (from any source, `transfer_fail`
/// callbacks included) with their reason.
pub async fn transfer_report(
    db: &DatabaseConnection,
    from: &str,
) -> Result<Vec<TransferLine>, TransferError> {
    let handover = find_guide(db, from)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(from.to_owned()))?;
    let rows = customer_transfer::Entity::find()
        .filter(customer_transfer::Column::HandoverGuideId.eq(handover.id))
        .order_by_asc(customer_transfer::Column::Id)
        .all(db)
        .await?;
    let customers: BTreeMap<i64, customer::Model> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(rows.iter().map(|r| r.customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let takeovers: BTreeMap<i64, String> = guide::Entity::find()
        .filter(guide::Column::Id.is_in(rows.iter().filter_map(|r| r.takeover_guide_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.wecom_userid))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let customer = customers.get(&row.customer_id);
            TransferLine {
                external_userid: customer
                    .map(|c| c.external_userid.clone())
                    .unwrap_or_default(),
                customer_name: customer.map(|c| c.name.clone()).unwrap_or_default(),
                takeover: row
                    .takeover_guide_id
                    .and_then(|id| takeovers.get(&id).cloned()),
                status: row.status,
                fail_reason: row.fail_reason,
            }
        })
        .collect())
}
