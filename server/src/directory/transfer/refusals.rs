//! WeCom's refusals of a handover (离职继承), recorded against the transfer.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use super::super::{ensure_customer, ensure_guide, transfer_reason, transfer_status};
use crate::entity::customer_transfer;

/// WeCom refused to move a customer (`customer_refused`, `customer_limit_exceed`).
pub async fn record_transfer_failed(
    db: &impl ConnectionTrait,
    handover_userid: &str,
    external_userid: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let guide = ensure_guide(db, handover_userid, now).await?;
    let customer = ensure_customer(db, external_userid, now).await?;
    let existing = customer_transfer::Entity::find()
        .filter(customer_transfer::Column::HandoverGuideId.eq(guide.id))
        .filter(customer_transfer::Column::CustomerId.eq(customer.id))
        .one(db)
        .await?;
    match existing {
        Some(transfer)
            if transfer.status == transfer_status::FAILED
                && transfer.fail_reason.as_deref() == Some(reason) =>
        {
            Ok(())
        }
        Some(transfer) => {
            let mut row: customer_transfer::ActiveModel = transfer.into();
            row.status = Set(transfer_status::FAILED.to_owned());
            row.fail_reason = Set(Some(reason.to_owned()));
            row.updated_at = Set(now);
            row.update(db).await.map(|_| ())
        }
        None => {
            let row = customer_transfer::ActiveModel {
                handover_guide_id: Set(guide.id),
                customer_id: Set(customer.id),
                status: Set(transfer_status::FAILED.to_owned()),
                reason: Set(transfer_reason::REASSIGNED.to_owned()),
                fail_reason: Set(Some(reason.to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            row.insert(db).await.map(|_| ())
        }
    }
}
