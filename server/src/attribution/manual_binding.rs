//! A binding made by hand (`guidedesk attribution bind`): the brand assigns a member to a guide
//! from now on (a complaint settled, a store's customers shared out). It is kept as a fact
//! (`manual_bindings`), so every later rebuild or replay makes it again; the member's orders
//! paid from now on are recredited at once, in the same transaction; earlier orders keep
//! the guide they were credited to.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::ledger::{Scope, credit_members};
use super::take_members;
use crate::config::AttributionPolicy;
use crate::database::begin_write;
use crate::entity::{binding, guide, manual_binding, member};

/// What the operator asked: the mall's member id, the guide's WeCom userid, and why.
pub struct ByHand<'a> {
    pub member: &'a str,
    pub guide: &'a str,
    pub note: &'a str,
    /// Who asked (kept with the fact).
    pub by: &'a str,
}

/// The binding as made.
pub struct Bound {
    pub member_name: String,
    pub guide_name: String,
    pub bound_at: DateTime<Utc>,
    /// The guide the member was bound to until now, if any.
    pub previous_guide: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum BindRefused {
    #[error("no member {0:?} (the mall's member id)")]
    NoMember(String),
    #[error("no guide {0:?} (the WeCom userid)")]
    NoGuide(String),
    #[error("guide {0:?} is {1}: only an active guide can be bound")]
    GuideNotActive(String, String),
    #[error("a binding made by hand needs a note saying why")]
    NoNote,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Binds `asked.member` to `asked.guide` from now on, under `policy` (stored as `version`).
pub async fn bind_by_hand(
    db: &DatabaseConnection,
    policy: &AttributionPolicy,
    version: i32,
    asked: ByHand<'_>,
) -> Result<Bound, BindRefused> {
    if asked.note.trim().is_empty() {
        return Err(BindRefused::NoNote);
    }
    let member = member::Entity::find()
        .filter(member::Column::SourceId.eq(asked.member))
        .one(db)
        .await?
        .ok_or_else(|| BindRefused::NoMember(asked.member.into()))?;
    let guide = guide::Entity::find()
        .filter(guide::Column::WecomUserid.eq(asked.guide))
        .one(db)
        .await?
        .ok_or_else(|| BindRefused::NoGuide(asked.guide.into()))?;
    if guide.status != "active" {
        return Err(BindRefused::GuideNotActive(
            asked.guide.into(),
            guide.status,
        ));
    }
    let bound_at = Utc::now();
    let txn = begin_write(db).await?;
    take_members(&txn, &[member.id]).await?;
    let previous_guide = binding::Entity::find()
        .filter(binding::Column::MemberId.eq(member.id))
        .filter(binding::Column::EndedAt.is_null())
        .one(&txn)
        .await?
        .map(|current| current.guide_id);
    manual_binding::Entity::insert(manual_binding::ActiveModel {
        member_id: Set(member.id),
        guide_id: Set(guide.id),
        bound_at: Set(bound_at),
        note: Set(asked.note.trim().into()),
        created_by: Set(asked.by.into()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    credit_members(
        &txn,
        policy,
        version,
        &[member.id],
        Scope::All { since: None },
    )
    .await?;
    txn.commit().await?;
    Ok(Bound {
        member_name: member.name,
        guide_name: guide.name,
        bound_at,
        previous_guide,
    })
}
