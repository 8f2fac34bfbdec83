//! A share's life after it is prepared: `sent` when the page reports WeCom's
//! `sendChatMessage:ok`, or `cancelled` when the guide gives up (or WeCom refused). Only the
//! guide who prepared it may change it; reporting the same outcome twice changes nothing.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::ShareError;
use crate::entity::share::{self, Column};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareState {
    Prepared,
    Sent,
    Cancelled,
}

impl ShareState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepared => "prepared",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Marks the guide's share `sent` (again: no change); a cancelled one cannot be.
pub async fn record_sent(
    db: &DatabaseConnection,
    guide_id: i64,
    token: &str,
) -> Result<share::Model, ShareError> {
    change(db, guide_id, token, ShareState::Sent).await
}

/// Marks the guide's share `cancelled` (again: no change); a sent one cannot be unsent.
pub async fn cancel_share(
    db: &DatabaseConnection,
    guide_id: i64,
    token: &str,
) -> Result<share::Model, ShareError> {
    change(db, guide_id, token, ShareState::Cancelled).await
}

/// prepared → `to`, in one conditional update, so two reports at once cannot both apply.
async fn change(
    db: &DatabaseConnection,
    guide_id: i64,
    token: &str,
    to: ShareState,
) -> Result<share::Model, ShareError> {
    let at = Expr::value(Some(Utc::now()));
    let stamp_column = match to {
        ShareState::Sent => Column::SentAt,
        _ => Column::CancelledAt,
    };
    share::Entity::update_many()
        .col_expr(Column::State, Expr::value(to.as_str()))
        .col_expr(stamp_column, at)
        .filter(Column::Token.eq(token))
        .filter(Column::GuideId.eq(guide_id))
        .filter(Column::State.eq(ShareState::Prepared.as_str()))
        .exec(db)
        .await?;
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
        _ => Err(ShareError::WrongState("分享状态已变化，请刷新后重试")),
    }
}
