//! A share's life after it is prepared: `sent` when the page reports WeCom's
//! `sendChatMessage:ok`, or `cancelled` when the guide gives up (or WeCom refused); a coupon
//! unclaimed past its claim window becomes `lapsed` (`coupon_quota::lapse_unclaimed`). Only
//! the guide who prepared it may change it; reporting the same outcome twice changes nothing.
//! Cancelling a coupon gives its quota back, in the same transaction as the change.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{ShareError, coupon_quota};
use crate::database::{WriteGate, begin_write};
use crate::entity::share::{self, Column};
use crate::reports::tally::Tally;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareState {
    Prepared,
    Sent,
    Cancelled,
    Lapsed,
}

impl ShareState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepared => "prepared",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
            Self::Lapsed => "lapsed",
        }
    }
}

/// Marks the guide's share `sent` (again: no change) and counts it in the guide's day; a
/// cancelled one cannot be.
pub async fn record_sent(
    db: &DatabaseConnection,
    guide_id: i64,
    token: &str,
) -> Result<share::Model, ShareError> {
    let txn = begin_write(db).await?;
    if change(&txn, guide_id, token, ShareState::Sent).await? {
        let sent = share::Entity::find()
            .filter(Column::Token.eq(token))
            .one(&txn)
            .await?;
        if let Some(sent) = sent {
            let mut tally = Tally::default();
            let at = sent.sent_at.unwrap_or(sent.created_at);
            tally.add(at, Some(sent.guide_id), sent.store_id, |c| c.shares += 1);
            tally.write(&txn).await?;
        }
    }
    txn.commit().await?;
    outcome(db, guide_id, token, ShareState::Sent).await
}

/// Marks the guide's share `cancelled` (again: no change) and gives back a coupon's quota;
/// a sent one cannot be unsent.
pub async fn cancel_share(
    db: &DatabaseConnection,
    gate: &WriteGate,
    guide_id: i64,
    token: &str,
) -> Result<share::Model, ShareError> {
    let _turn = gate.enter().await;
    let txn = begin_write(db).await?;
    if change(&txn, guide_id, token, ShareState::Cancelled).await? {
        let cancelled = share::Entity::find()
            .filter(Column::Token.eq(token))
            .one(&txn)
            .await?;
        if let Some(share) = cancelled.filter(|share| share.kind == "coupon") {
            coupon_quota::give_back(&txn, &share).await?;
        }
    }
    txn.commit().await?;
    outcome(db, guide_id, token, ShareState::Cancelled).await
}

/// prepared → `to`, in one conditional update, so two reports at once cannot both apply;
/// whether this call changed it.
async fn change(
    db: &impl ConnectionTrait,
    guide_id: i64,
    token: &str,
    to: ShareState,
) -> Result<bool, ShareError> {
    let at = Expr::value(Some(Utc::now()));
    let stamp_column = match to {
        ShareState::Sent => Column::SentAt,
        _ => Column::CancelledAt,
    };
    let changed = share::Entity::update_many()
        .col_expr(Column::State, Expr::value(to.as_str()))
        .col_expr(stamp_column, at)
        .filter(Column::Token.eq(token))
        .filter(Column::GuideId.eq(guide_id))
        .filter(Column::State.eq(ShareState::Prepared.as_str()))
        .exec(db)
        .await?;
    Ok(changed.rows_affected == 1)
}

/// The share as it now stands, or why it is not in state `to`.
async fn outcome(
    db: &DatabaseConnection,
    guide_id: i64,
    token: &str,
    to: ShareState,
) -> Result<share::Model, ShareError> {
    let share = share::Entity::find()
        .filter(Column::Token.eq(token))
        .filter(Column::GuideId.eq(guide_id))
        .one(db)
        .await?
        .ok_or(ShareError::NotFound)?;
    match (share.state.as_str(), to) {
        (state, to) if state == to.as_str() => Ok(share),
        ("sent", ShareState::Cancelled) => Err(ShareError::WrongState("已发送的内容无法撤回")),
        ("cancelled", ShareState::Sent) => Err(ShareError::WrongState("该分享已取消，请重新发送")),
        ("lapsed", _) => Err(ShareError::WrongState("这张券已过领取期限，请重新发送")),
        _ => Err(ShareError::WrongState("分享状态已变化，请刷新后重试")),
    }
}
