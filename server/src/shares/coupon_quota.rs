//! What a coupon send holds, taken in the share's own transaction so that it is never
//! over-issued, on either database: the template's guide quota (a conditional `UPDATE`: the
//! row lock on PostgreSQL, the write lock on SQLite, make concurrent takers queue and re-check),
//! the guide's daily quota (a conditional upsert), and the per-customer limit (counted after
//! taking the recipient's turn: a locked row per template and recipient, so two guides sending
//! the same coupon to one customer at once count one after the other). A cancel, or a coupon
//! unclaimed past its claim window (`lapse_unclaimed`), gives the quotas back.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter,
};

use super::ShareError;
use crate::entity::{coupon_grant, coupon_guide_day, coupon_send_turn, coupon_template, share};
use crate::stamp::Recipient;

/// The coupon rules a send is checked against, read from its template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponHold {
    pub template_id: i64,
    pub per_customer_limit: i32,
    pub daily_limit: Option<i32>,
    /// The customer's member, whose grants count towards the per-customer limit.
    pub member_id: Option<i64>,
    pub claim_by: DateTime<Utc>,
}

/// Takes the recipient's turn at this template: later senders to the same recipient wait
/// until this transaction ends, then count what it left.
pub(super) async fn take_turn(
    txn: &impl ConnectionTrait,
    template_id: i64,
    recipient: &Recipient,
) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(coupon_send_turn::Entity)
        .columns([
            coupon_send_turn::Column::TemplateId,
            coupon_send_turn::Column::RecipientKind,
            coupon_send_turn::Column::RecipientId,
            coupon_send_turn::Column::Turns,
        ])
        .values_panic([
            template_id.into(),
            recipient.kind().into(),
            recipient.id().into(),
            0i64.into(),
        ])
        .on_conflict(
            OnConflict::columns([
                coupon_send_turn::Column::TemplateId,
                coupon_send_turn::Column::RecipientKind,
                coupon_send_turn::Column::RecipientId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    txn.execute(&insert).await?;
    coupon_send_turn::Entity::update_many()
        .col_expr(
            coupon_send_turn::Column::Turns,
            Expr::col(coupon_send_turn::Column::Turns).add(1),
        )
        .filter(coupon_send_turn::Column::TemplateId.eq(template_id))
        .filter(coupon_send_turn::Column::RecipientKind.eq(recipient.kind()))
        .filter(coupon_send_turn::Column::RecipientId.eq(recipient.id()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Checks the per-customer limit and takes the template's and the guide's daily quota; the
/// day taken (China's calendar) is returned, to give it back to that day.
pub(super) async fn hold_quota(
    txn: &impl ConnectionTrait,
    hold: &CouponHold,
    item_id: &str,
    guide_id: i64,
    recipient: &Recipient,
    now: DateTime<Utc>,
) -> Result<String, ShareError> {
    let held = held_by_recipient(txn, hold, item_id, recipient).await?;
    if held >= u64::try_from(hold.per_customer_limit).unwrap_or(0) {
        return Err(ShareError::Refused {
            code: "coupon_customer_limit",
            message: format!(
                "该客户已领取或已收到这张券（每人限 {} 张），请换一张券",
                hold.per_customer_limit
            ),
        });
    }
    let taken = coupon_template::Entity::update_many()
        .col_expr(
            coupon_template::Column::GuideQuotaUsed,
            Expr::col(coupon_template::Column::GuideQuotaUsed).add(1),
        )
        .filter(coupon_template::Column::Id.eq(hold.template_id))
        .filter(
            coupon_template::Column::GuideQuota
                .is_null()
                .or(Expr::col(coupon_template::Column::GuideQuotaUsed)
                    .lt(Expr::col(coupon_template::Column::GuideQuota))),
        )
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(quota_used_up());
    }
    let day = china_day(now);
    if !take_daily(txn, hold, guide_id, &day).await? {
        return Err(ShareError::Refused {
            code: "coupon_daily_limit",
            message: format!(
                "你今天已发满这张券（每人每天 {} 张），明天再发或换一张券",
                hold.daily_limit.unwrap_or_default()
            ),
        });
    }
    Ok(day)
}

/// The template's guide quota is used up.
pub fn quota_used_up() -> ShareError {
    ShareError::Refused {
        code: "coupon_quota",
        message: "这张券的导购发券额度已用完，请换一张券或联系门店店长".into(),
    }
}

/// The member's grants of the template and the recipient's live, unclaimed sends of it.
async fn held_by_recipient(
    txn: &impl ConnectionTrait,
    hold: &CouponHold,
    item_id: &str,
    recipient: &Recipient,
) -> Result<u64, DbErr> {
    let grants = match hold.member_id {
        Some(member_id) => {
            coupon_grant::Entity::find()
                .filter(coupon_grant::Column::TemplateId.eq(hold.template_id))
                .filter(coupon_grant::Column::MemberId.eq(member_id))
                .count(txn)
                .await?
        }
        None => 0,
    };
    let live = share::Entity::find()
        .filter(share::Column::Kind.eq("coupon"))
        .filter(share::Column::ItemId.eq(item_id))
        .filter(share::Column::RecipientKind.eq(recipient.kind()))
        .filter(share::Column::RecipientId.eq(recipient.id()))
        .filter(share::Column::State.is_in(["prepared", "sent"]))
        .filter(share::Column::ClaimedAt.is_null())
        .count(txn)
        .await?;
    Ok(grants + live)
}

/// One more of the guide's sends today, unless the daily limit is reached (`false`).
async fn take_daily(
    txn: &impl ConnectionTrait,
    hold: &CouponHold,
    guide_id: i64,
    day: &str,
) -> Result<bool, DbErr> {
    use coupon_guide_day::Column;
    if hold.daily_limit.is_some_and(|limit| limit < 1) {
        return Ok(false);
    }
    let mut on_conflict = OnConflict::columns([Column::TemplateId, Column::GuideId, Column::Day]);
    on_conflict.value(
        Column::Used,
        Expr::col((coupon_guide_day::Entity, Column::Used)).add(1),
    );
    if let Some(limit) = hold.daily_limit {
        on_conflict.action_and_where(Expr::col((coupon_guide_day::Entity, Column::Used)).lt(limit));
    }
    let insert = Query::insert()
        .into_table(coupon_guide_day::Entity)
        .columns([
            Column::TemplateId,
            Column::GuideId,
            Column::Day,
            Column::Used,
        ])
        .values_panic([
            hold.template_id.into(),
            guide_id.into(),
            day.into(),
            1i32.into(),
        ])
        .on_conflict(on_conflict)
        .to_owned();
    Ok(txn.execute(&insert).await?.rows_affected() > 0)
}

/// Gives back what a coupon share held: one of the template's quota and one of its guide's
/// quota on the day it was taken. Called in the transaction that cancels or lapses it.
pub(super) async fn give_back(
    txn: &impl ConnectionTrait,
    share: &share::Model,
) -> Result<(), DbErr> {
    let Some(template_id) = template_id(txn, &share.item_id).await? else {
        return Ok(());
    };
    coupon_template::Entity::update_many()
        .col_expr(
            coupon_template::Column::GuideQuotaUsed,
            Expr::col(coupon_template::Column::GuideQuotaUsed).sub(1),
        )
        .filter(coupon_template::Column::Id.eq(template_id))
        .filter(coupon_template::Column::GuideQuotaUsed.gt(0))
        .exec(txn)
        .await?;
    if let Some(day) = &share.quota_day {
        coupon_guide_day::Entity::update_many()
            .col_expr(
                coupon_guide_day::Column::Used,
                Expr::col(coupon_guide_day::Column::Used).sub(1),
            )
            .filter(coupon_guide_day::Column::TemplateId.eq(template_id))
            .filter(coupon_guide_day::Column::GuideId.eq(share.guide_id))
            .filter(coupon_guide_day::Column::Day.eq(day.as_str()))
            .filter(coupon_guide_day::Column::Used.gt(0))
            .exec(txn)
            .await?;
    }
    Ok(())
}

async fn template_id(txn: &impl ConnectionTrait, source_id: &str) -> Result<Option<i64>, DbErr> {
    Ok(coupon_template::Entity::find()
        .filter(coupon_template::Column::SourceId.eq(source_id))
        .one(txn)
        .await?
        .map(|template| template.id))
}

/// The day a guide's daily quota counts in.
pub use crate::wire::china_day;

/// Lapses the coupon shares unclaimed past their claim window and gives their quota back;
/// how many. Run now and then by the server (and by `reconcile`).
pub async fn lapse_unclaimed(
    db: &DatabaseConnection,
    gate: &crate::database::WriteGate,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let due = share::Entity::find()
        .filter(share::Column::Kind.eq("coupon"))
        .filter(share::Column::State.is_in(["prepared", "sent"]))
        .filter(share::Column::ClaimedAt.is_null())
        .filter(share::Column::ClaimBy.lt(now))
        .all(db)
        .await?;
    let mut lapsed = 0;
    for share in due {
        let _turn = gate.enter().await;
        let txn = crate::database::begin_write(db).await?;
        let changed = share::Entity::update_many()
            .col_expr(share::Column::State, Expr::value("lapsed"))
            .filter(share::Column::Id.eq(share.id))
            .filter(share::Column::State.is_in(["prepared", "sent"]))
            .filter(share::Column::ClaimedAt.is_null())
            .exec(&txn)
            .await?;
        if changed.rows_affected == 1 {
            give_back(&txn, &share).await?;
            lapsed += 1;
        }
        txn.commit().await?;
    }
    Ok(lapsed)
}

/// Lapses unclaimed coupons once a minute, for as long as the server runs (on the replicas
/// that apply callbacks, like the other background work).
pub async fn lapse_periodically(db: DatabaseConnection, gate: crate::database::WriteGate) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match lapse_unclaimed(&db, &gate, Utc::now()).await {
            Ok(0) => {}
            Ok(lapsed) => {
                tracing::info!(lapsed, "unclaimed coupons lapsed, their quota given back")
            }
            Err(err) => tracing::warn!(error = %err, "unclaimed coupons could not be lapsed"),
        }
    }
}

/// Lanes that queue this process's sends of one template before they take a database
/// connection: a burst on a hot coupon (a store's whole team sending the same one) otherwise
/// holds every pooled connection waiting on the template's row lock, and requests for anything
/// else time out. Striped (a template's lane is its id modulo `LANES`), so it never grows;
/// replicas still meet at the row lock, which alone keeps the count exact. A template found
/// used up is remembered for `USED_UP_FOR`, so the rest of a burst is refused without a query
/// (a cancel here forgets it at once; on another replica it shows within that time).
#[derive(Clone)]
pub struct QuotaLanes {
    lanes: std::sync::Arc<Vec<tokio::sync::Mutex<()>>>,
    used_up: moka::future::Cache<String, ()>,
}

const LANES: usize = 64;
const USED_UP_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl Default for QuotaLanes {
    fn default() -> Self {
        Self {
            lanes: std::sync::Arc::new((0..LANES).map(|_| tokio::sync::Mutex::new(())).collect()),
            used_up: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(USED_UP_FOR)
                .build(),
        }
    }
}

impl QuotaLanes {
    /// Whether the template `source_id` was found used up a moment ago.
    pub fn known_used_up(&self, source_id: &str) -> bool {
        self.used_up.contains_key(source_id)
    }

    pub async fn note_used_up(&self, source_id: &str) {
        self.used_up.insert(source_id.to_owned(), ()).await;
    }

    /// A cancel here gave quota back.
    pub async fn forget_used_up(&self, source_id: &str) {
        self.used_up.invalidate(source_id).await;
    }

    /// Waits for the template's lane; it is held while the guard lives.
    pub async fn enter(&self, template_id: i64) -> tokio::sync::MutexGuard<'_, ()> {
        let lane = usize::try_from(template_id.rem_euclid(LANES as i64)).unwrap_or(0);
        self.lanes[lane].lock().await
    }
}

/// Refuses at once when the template's quota is used up (read again in its lane: the sends
/// queued behind the last one are told without a transaction).
pub async fn refuse_if_used_up(
    db: &impl ConnectionTrait,
    template_id: i64,
) -> Result<(), ShareError> {
    let template = coupon_template::Entity::find_by_id(template_id)
        .one(db)
        .await?;
    match template {
        Some(t)
            if t.guide_quota
                .is_some_and(|quota| t.guide_quota_used >= quota) =>
        {
            Err(quota_used_up())
        }
        _ => Ok(()),
    }
}
