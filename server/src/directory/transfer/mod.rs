//! Handing a departed guide's customers to another guide: WeCom's resigned-member transfer
//! (离职继承). Requests go in batches of at most 100; each customer's answer is recorded; the
//! transfer completes on WeCom's side about a day later, which `check_results` reads back
//! (`resigned/transfer_result`) to move the relations. Refusals (from the answers, the results
//! or `transfer_fail` callbacks) stay visible in `transfer_report`.

mod refusals;
mod report;
mod request;
mod results;

pub use refusals::record_transfer_failed;
pub use report::{TransferLine, transfer_report};
pub use request::request_transfer;
pub use results::check_results;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

use super::transfer_reason;
use crate::entity::customer_transfer;
use crate::wecom::client::WecomError;

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

pub(super) async fn record(
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
