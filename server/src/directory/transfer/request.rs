//! Asking WeCom to move a departed guide's customers, a hundred a call.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::super::{find_guide, guide_status, relation_status, transfer_status, upsert_member};
use crate::entity::{customer, customer_transfer, guide, guide_customer};
use crate::progress::{Progress, ShowProgress, Unit};
use crate::wecom::api::{TRANSFER_BATCH, TransferCustomers, errcode};
use crate::wecom::client::{WecomClient, WecomError};

use super::{TransferError, TransferRequestSummary, record};

/// Asks WeCom to move every customer `from` still holds to `to`.
pub async fn request_transfer(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
    show: ShowProgress,
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
    let pair = (&handover, &takeover);
    let customers = Unit::Items("customers");
    let progress = Progress::start("transfer", Some(pending.len() as u64), customers, show);
    for (done, batch) in pending.chunks(TRANSFER_BATCH).enumerate() {
        request_batch(db, wecom, pair, batch, now, &mut summary).await?;
        progress.set(((done + 1) * TRANSFER_BATCH).min(pending.len()) as u64);
    }
    progress.finish();
    Ok(summary)
}

/// One call to WeCom for up to a hundred customers, each one's answer recorded.
async fn request_batch(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    (handover, takeover): (&guide::Model, &guide::Model),
    batch: &[customer::Model],
    now: DateTime<Utc>,
    summary: &mut TransferRequestSummary,
) -> Result<(), TransferError> {
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
        let takeover_id = Some(takeover.id);
        record(
            db,
            handover.id,
            customer.id,
            takeover_id,
            status,
            reason,
            now,
        )
        .await?;
    }
    Ok(())
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
            super::super::resign_guide(db, userid, now, now).await?;
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
