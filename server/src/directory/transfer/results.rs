//! Reading back what WeCom did with the requests (about a day later).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::super::{Added, LostBy, find_guide, record_added, record_lost, transfer_status};
use crate::database::begin_write;
use crate::directory::relation_hook::RelationsChanged;
use crate::entity::{customer, guide};
use crate::progress::{Progress, ShowProgress, Unit};
use crate::wecom::api::TransferProgress;
use crate::wecom::client::WecomClient;

use super::{TransferError, TransferResultCounts, record};

/// Reads WeCom's results for the requested transfers from `from` to `to`: a finished one moves
/// the relation (the old one lost by transfer, the new one active since the takeover) and
/// `after` is told of its customers, page by page; a refused one is recorded with WeCom's
/// reason.
pub async fn check_results(
    (db, after): (&DatabaseConnection, &dyn RelationsChanged),
    wecom: &WecomClient,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
    show: ShowProgress,
) -> Result<TransferResultCounts, TransferError> {
    let handover = find_guide(db, from)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(from.to_owned()))?;
    let takeover = find_guide(db, to)
        .await?
        .ok_or_else(|| TransferError::UnknownGuide(to.to_owned()))?;
    let mut counts = TransferResultCounts::default();
    let mut cursor = String::new();
    // WeCom pages the results without saying how many there are.
    let progress = Progress::start("transfer results", None, Unit::Items("customers"), show);
    loop {
        let page = wecom
            .transfer_results(&handover.wecom_userid, &takeover.wecom_userid, &cursor)
            .await?;
        let mut moved = Vec::new();
        for result in &page.customer {
            apply_result(db, &handover, &takeover, result, now, &mut counts).await?;
            if result.status == TransferProgress::DONE {
                moved.push(result.external_userid.clone());
            }
        }
        if !moved.is_empty() {
            let txn = begin_write(db).await?;
            after.changed(&txn, &moved).await?;
            txn.commit().await?;
        }
        progress.set(progress_count(&counts));
        match page.next_cursor.filter(|c| !c.is_empty()) {
            Some(next) => cursor = next,
            None => {
                progress.finish();
                return Ok(counts);
            }
        }
    }
}

/// Results read so far, whatever they said.
fn progress_count(counts: &TransferResultCounts) -> u64 {
    (counts.done + counts.waiting + counts.failed) as u64
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
