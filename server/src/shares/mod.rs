//! Shares: what a guide sends, recorded before it leaves the server. Every send path calls
//! [`prepare_share`], which takes the guide's store at this moment, draws an opaque token,
//! stamps the target (`stamp`) and stores the share as `prepared`; the page then reports
//! `sent` (after WeCom's `sendChatMessage:ok`) or `cancelled` ([`record_sent`],
//! [`cancel_share`]). A guide's idempotency key makes a double-tapped or retried send give
//! back the same share, under concurrency too: the unique index on (guide, key) decides.
//! A share's short link (`short_link`, `GET /s/{token}`) redirects to its stamped target; its
//! opens are written in batches off the request path (`clicks`).

mod click_people;
pub mod clicks;
pub mod coupon_offers;
pub mod coupon_quota;
mod items;
mod messages;
pub mod radar;
pub mod send;
pub mod short_link;
mod state;
pub mod targets;
pub mod welcome;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, SqlErr,
};

pub use clicks::{ClickRecorder, ClickWriter};
pub use coupon_quota::{CouponHold, lapse_unclaimed};
pub use short_link::open_share;
pub use state::{ShareState, cancel_share, record_sent};
pub use targets::ShareTargets;

use crate::commerce::staff::current_store;
use crate::config::StampSettings;
use crate::database::{WriteGate, begin_write};
use crate::entity::share;
use crate::stamp::{Recipient, Stamp, StampError, stamp_link};

/// Who sends: the signed-in guide, and their store at this moment (read once per send:
/// what the items are checked against is what the stamp says).
#[derive(Debug, Clone)]
pub struct Sender {
    pub guide_id: i64,
    pub staff_userid: String,
    pub store: Option<i64>,
}

impl Sender {
    /// The guide `guide_id` (WeCom `staff_userid`) with their store read now.
    pub async fn now(
        db: &impl ConnectionTrait,
        guide_id: i64,
        staff_userid: &str,
    ) -> Result<Self, DbErr> {
        Ok(Self {
            guide_id,
            staff_userid: staff_userid.to_owned(),
            store: current_store(db, staff_userid).await?,
        })
    }
}

/// What is sent: its kind (`coupon`, `product`, `material`), its source id, the link or
/// mini-program page the stamp goes on, and for a coupon the rules its send is held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedItem {
    pub kind: &'static str,
    pub id: String,
    pub target: String,
    pub coupon: Option<CouponHold>,
}

#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error("this idempotency key was used for a different send")]
    KeyReused,
    #[error("idempotency_key: 1 to 64 characters")]
    BadKey,
    #[error("the share is not this guide's, or does not exist")]
    NotFound,
    #[error("nothing of that kind and id can be sent from this guide's store")]
    UnknownItem,
    #[error("{0}")]
    WrongState(&'static str),
    /// A quota or limit refuses the send: `code` for clients, `message` for the guide.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error(transparent)]
    Stamp(#[from] StampError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A new share, or the one `idempotency_key` already made (`false`: not created now). Every
/// send path calls this: the share is stored, stamped and (for a coupon) its quotas taken in
/// one transaction, before anything leaves the server.
pub async fn prepare_share(
    db: &DatabaseConnection,
    gate: &WriteGate,
    stamping: &StampSettings,
    sender: &Sender,
    recipient: &Recipient,
    item: &SharedItem,
    idempotency_key: &str,
) -> Result<(share::Model, bool), ShareError> {
    if idempotency_key.is_empty() || idempotency_key.chars().count() > 64 {
        return Err(ShareError::BadKey);
    }
    if let Some(existing) = by_key(db, sender.guide_id, idempotency_key).await? {
        return same_send(existing, recipient, item).map(|share| (share, false));
    }
    let store = sender.store;
    let _turn = gate.enter().await;
    let txn = begin_write(db).await?;
    let mut row = stamped_row(stamping, sender, recipient, item, idempotency_key, store)?;
    if let Some(hold) = &item.coupon {
        coupon_quota::take_turn(&txn, hold.template_id, recipient).await?;
        // A double tap waited for the first tap's turn: its share is there now.
        if let Some(existing) = by_key(&txn, sender.guide_id, idempotency_key).await? {
            return same_send(existing, recipient, item).map(|share| (share, false));
        }
        let now = Utc::now();
        let day =
            coupon_quota::hold_quota(&txn, hold, &item.id, sender.guide_id, recipient, now).await?;
        row.quota_day = Set(Some(day));
        row.claim_by = Set(Some(hold.claim_by));
    }
    match row.insert(&txn).await {
        Ok(share) => {
            txn.commit().await?;
            Ok((share, true))
        }
        // The same key at the same moment: the other insert won; give back its share.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            let existing = by_key(db, sender.guide_id, idempotency_key)
                .await?
                .ok_or(ShareError::Database(err))?;
            same_send(existing, recipient, item).map(|share| (share, false))
        }
        Err(err) => Err(err.into()),
    }
}

/// The share's row: a new token, the stamped link, the guide's store at this moment.
fn stamped_row(
    stamping: &StampSettings,
    sender: &Sender,
    recipient: &Recipient,
    item: &SharedItem,
    idempotency_key: &str,
    store: Option<i64>,
) -> Result<share::ActiveModel, ShareError> {
    let now = Utc::now();
    let token = new_token();
    let stamp = Stamp {
        share: token.clone(),
        recipient: recipient.clone(),
        staff: sender.staff_userid.clone(),
        guide: sender.guide_id,
        store,
        issued_at: now.timestamp(),
    };
    // A script's text or an image has nowhere to carry a stamp: the share still records it.
    let link = if item.target.is_empty() {
        String::new()
    } else {
        stamp_link(&item.target, &stamp, &stamping.keys, &stamping.params)?
    };
    Ok(new_row(
        sender,
        recipient,
        item,
        idempotency_key,
        token,
        store,
        link,
        now,
    ))
}

#[allow(clippy::too_many_arguments)] // One row's fields, each named at the call.
fn new_row(
    sender: &Sender,
    recipient: &Recipient,
    item: &SharedItem,
    idempotency_key: &str,
    token: String,
    store: Option<i64>,
    link: String,
    now: DateTime<Utc>,
) -> share::ActiveModel {
    share::ActiveModel {
        token: Set(token),
        guide_id: Set(sender.guide_id),
        staff_userid: Set(sender.staff_userid.clone()),
        store_id: Set(store),
        recipient_kind: Set(recipient.kind().into()),
        recipient_id: Set(recipient.id().into()),
        kind: Set(item.kind.into()),
        item_id: Set(item.id.clone()),
        target: Set(item.target.clone()),
        link: Set(link),
        idempotency_key: Set(idempotency_key.into()),
        state: Set(ShareState::Prepared.as_str().into()),
        issued_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
}

async fn by_key(
    db: &impl ConnectionTrait,
    guide_id: i64,
    idempotency_key: &str,
) -> Result<Option<share::Model>, DbErr> {
    share::Entity::find()
        .filter(share::Column::GuideId.eq(guide_id))
        .filter(share::Column::IdempotencyKey.eq(idempotency_key))
        .one(db)
        .await
}

/// A repeated key is the same send only if it names the same recipient and item.
fn same_send(
    existing: share::Model,
    recipient: &Recipient,
    item: &SharedItem,
) -> Result<share::Model, ShareError> {
    let same = existing.recipient_kind == recipient.kind()
        && existing.recipient_id == recipient.id()
        && existing.kind == item.kind
        && existing.item_id == item.id;
    if same {
        Ok(existing)
    } else {
        Err(ShareError::KeyReused)
    }
}

/// A v4 UUID's 122 random bits, base64url: 22 characters nobody can guess or count through.
pub(super) fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}
