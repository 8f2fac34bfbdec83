//! Who serves whom: guides (WeCom members), customers (external contacts) and the follow
//! relations between them, as WeCom's callbacks (and later its API) report them.
//!
//! Every operation is idempotent and order-aware: applying the same fact twice changes
//! nothing, and a fact older than what is recorded (a delayed callback) does not overwrite it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use crate::entity::{
    customer, customer_transfer, follow_history, guide, guide_customer, wecom_sync_queue,
};

pub mod relation_status {
    pub const ACTIVE: &str = "active";
    pub const LOST: &str = "lost";
}

pub mod transfer_status {
    pub const AWAITING: &str = "awaiting";
    pub const FAILED: &str = "failed";
}

/// Why a customer must move to another guide.
pub mod transfer_reason {
    pub const RESIGNED: &str = "resigned";
    pub const REASSIGNED: &str = "reassigned";
}

pub mod guide_status {
    pub const ACTIVE: &str = "active";
    pub const DISABLED: &str = "disabled";
    pub const RESIGNED: &str = "resigned";
}

/// Who ended a follow relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostBy {
    /// The guide deleted the customer.
    Guide,
    /// The customer deleted the guide.
    Customer,
    /// A transfer moved the customer to another guide.
    Transfer,
}

impl LostBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Guide => "guide",
            Self::Customer => "customer",
            Self::Transfer => "transfer",
        }
    }
}

/// What the WeCom client must fetch (queued here, drained there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    Contact,
    User,
    TagCatalogue,
}

impl SyncKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::User => "user",
            Self::TagCatalogue => "tag_catalogue",
        }
    }
}

/// Queues a fetch; queuing the same fetch again keeps the one entry.
pub async fn queue_sync(
    db: &impl ConnectionTrait,
    kind: SyncKind,
    target: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = wecom_sync_queue::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        target: Set(target.to_owned()),
        reason: Set(Some(reason.to_owned())),
        attempts: Set(0),
        queued_at: Set(now),
        ..Default::default()
    };
    wecom_sync_queue::Entity::insert(row)
        .on_conflict_do_nothing_on([
            wecom_sync_queue::Column::Kind,
            wecom_sync_queue::Column::Target,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The guide with this userid, created (and queued for a details fetch) if unknown.
pub async fn ensure_guide(
    db: &impl ConnectionTrait,
    userid: &str,
    now: DateTime<Utc>,
) -> Result<guide::Model, DbErr> {
    if let Some(found) = find_guide(db, userid).await? {
        return Ok(found);
    }
    let row = guide::ActiveModel {
        wecom_userid: Set(userid.to_owned()),
        // The name arrives with the user/get fetch queued below.
        name: Set(userid.to_owned()),
        status: Set(guide_status::ACTIVE.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    guide::Entity::insert(row)
        .on_conflict_do_nothing_on([guide::Column::WecomUserid])
        .exec_without_returning(db)
        .await?;
    queue_sync(db, SyncKind::User, userid, "first seen in a callback", now).await?;
    find_guide(db, userid)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("guide {userid}")))
}

pub async fn find_guide(
    db: &impl ConnectionTrait,
    userid: &str,
) -> Result<Option<guide::Model>, DbErr> {
    guide::Entity::find()
        .filter(guide::Column::WecomUserid.eq(userid))
        .one(db)
        .await
}

/// The customer with this external_userid, created (and queued for a details fetch) if unknown.
pub async fn ensure_customer(
    db: &impl ConnectionTrait,
    external_userid: &str,
    now: DateTime<Utc>,
) -> Result<customer::Model, DbErr> {
    let find =
        || customer::Entity::find().filter(customer::Column::ExternalUserid.eq(external_userid));
    if let Some(found) = find().one(db).await? {
        return Ok(found);
    }
    let row = customer::ActiveModel {
        external_userid: Set(external_userid.to_owned()),
        name: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    customer::Entity::insert(row)
        .on_conflict_do_nothing_on([customer::Column::ExternalUserid])
        .exec_without_returning(db)
        .await?;
    queue_sync(
        db,
        SyncKind::Contact,
        external_userid,
        "first seen in a callback",
        now,
    )
    .await?;
    find()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("customer {external_userid}")))
}

async fn find_relation(
    db: &impl ConnectionTrait,
    guide_id: i64,
    customer_id: i64,
) -> Result<Option<guide_customer::Model>, DbErr> {
    guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide_id))
        .filter(guide_customer::Column::CustomerId.eq(customer_id))
        .one(db)
        .await
}

async fn record_history(
    db: &impl ConnectionTrait,
    relation_id: i64,
    change: &str,
    changed_by: Option<&str>,
    state: Option<&str>,
    happened_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = follow_history::ActiveModel {
        guide_customer_id: Set(relation_id),
        change: Set(change.to_owned()),
        changed_by: Set(changed_by.map(str::to_owned)),
        state: Set(state.map(str::to_owned)),
        happened_at: Set(happened_at),
        recorded_at: Set(now),
        ..Default::default()
    };
    follow_history::Entity::insert(row)
        .on_conflict_do_nothing_on([
            follow_history::Column::GuideCustomerId,
            follow_history::Column::Change,
            follow_history::Column::HappenedAt,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// What an add event tells: when, and through which contact-me code.
pub struct Added<'a> {
    pub at: DateTime<Utc>,
    pub state: Option<&'a str>,
    pub welcome_code: Option<&'a str>,
}

/// The guide added the customer (or the customer added the guide). A relation lost earlier
/// becomes active again, unless the loss happened after this add.
pub async fn record_added(
    db: &impl ConnectionTrait,
    guide_id: i64,
    customer_id: i64,
    added: Added<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let relation = match find_relation(db, guide_id, customer_id).await? {
        None => {
            let row = guide_customer::ActiveModel {
                guide_id: Set(guide_id),
                customer_id: Set(customer_id),
                state: Set(added.state.map(str::to_owned)),
                welcome_code: Set(added.welcome_code.map(str::to_owned)),
                added_at: Set(added.at),
                status: Set(relation_status::ACTIVE.to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            row.insert(db).await?
        }
        Some(existing) => {
            let newer_than_loss = existing.lost_at.is_none_or(|lost_at| added.at > lost_at);
            if existing.status == relation_status::LOST && newer_than_loss {
                let mut row: guide_customer::ActiveModel = existing.clone().into();
                row.status = Set(relation_status::ACTIVE.to_owned());
                row.added_at = Set(added.at);
                row.state = Set(added.state.map(str::to_owned));
                row.welcome_code = Set(added.welcome_code.map(str::to_owned));
                row.lost_at = Set(None);
                row.lost_by = Set(None);
                row.updated_at = Set(now);
                row.update(db).await?
            } else {
                existing
            }
        }
    };
    record_history(db, relation.id, "added", None, added.state, added.at, now).await
}

/// The relation ended. It is kept, marked lost with who ended it and when. A loss older than
/// the relation's current add (a delayed callback) changes nothing but the history.
pub async fn record_lost(
    db: &impl ConnectionTrait,
    guide_id: i64,
    customer_id: i64,
    by: LostBy,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let relation = match find_relation(db, guide_id, customer_id).await? {
        // Never saw the add (it predates us, or its callback was lost): keep the evidence.
        None => {
            let row = guide_customer::ActiveModel {
                guide_id: Set(guide_id),
                customer_id: Set(customer_id),
                added_at: Set(at),
                status: Set(relation_status::LOST.to_owned()),
                lost_at: Set(Some(at)),
                lost_by: Set(Some(by.as_str().to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            row.insert(db).await?
        }
        Some(existing) => {
            if existing.status == relation_status::ACTIVE && at >= existing.added_at {
                let mut row: guide_customer::ActiveModel = existing.clone().into();
                row.status = Set(relation_status::LOST.to_owned());
                row.lost_at = Set(Some(at));
                row.lost_by = Set(Some(by.as_str().to_owned()));
                row.updated_at = Set(now);
                row.update(db).await?
            } else {
                existing
            }
        }
    };
    record_history(db, relation.id, "lost", Some(by.as_str()), None, at, now).await
}

/// What a change_contact event says about a staff member.
pub struct StaffUpdate<'a> {
    pub userid: &'a str,
    pub new_userid: Option<&'a str>,
    pub name: Option<&'a str>,
    pub department: Option<&'a str>,
    pub position: Option<&'a str>,
    /// WeCom's member status: 1 active, 2 disabled, 4 not activated, 5 left.
    pub status: Option<i64>,
}

/// Creates or updates a staff member from a create/update_user event. Fields the event does
/// not carry stay as they are and the member is queued for a user/get fetch. An event older
/// than the last one applied changes nothing, and only a newer event undoes a resignation.
pub async fn upsert_staff(
    db: &impl ConnectionTrait,
    update: StaffUpdate<'_>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let current = ensure_guide(db, update.userid, now).await?;
    if current.last_event_at.is_some_and(|last| at < last) {
        return Ok(());
    }
    let mut row: guide::ActiveModel = current.clone().into();
    let mut changed = false;
    let mut set_text =
        |field: &mut sea_orm::ActiveValue<String>, value: Option<&str>, old: &str| {
            if let Some(value) = value.filter(|v| *v != old) {
                *field = Set(value.to_owned());
                changed = true;
            }
        };
    set_text(&mut row.name, update.name, &current.name);
    if let Some(new_userid) = update.new_userid {
        set_text(
            &mut row.wecom_userid,
            Some(new_userid),
            &current.wecom_userid,
        );
    }
    if update.department.is_some() && update.department != current.department.as_deref() {
        row.department = Set(update.department.map(str::to_owned));
        changed = true;
    }
    if update.position.is_some() && update.position != current.position.as_deref() {
        row.position = Set(update.position.map(str::to_owned));
        changed = true;
    }
    let status = match update.status {
        Some(1 | 4) => Some(guide_status::ACTIVE),
        Some(2) => Some(guide_status::DISABLED),
        Some(5) => Some(guide_status::RESIGNED),
        _ => None,
    };
    let undoes_resignation = current.status == guide_status::RESIGNED
        && current.resigned_at.is_some_and(|resigned| at <= resigned);
    if let Some(status) = status.filter(|s| *s != current.status && !undoes_resignation) {
        row.status = Set(status.to_owned());
        changed = true;
    }
    if current.last_event_at.is_none_or(|last| at > last) {
        row.last_event_at = Set(Some(at));
        changed = true;
    }
    if changed {
        row.updated_at = Set(now);
        row.update(db).await?;
    }
    if update.name.is_none() {
        let userid = update.new_userid.unwrap_or(update.userid);
        queue_sync(
            db,
            SyncKind::User,
            userid,
            "change_contact without details",
            now,
        )
        .await?;
    }
    Ok(())
}

/// A member left the company: the guide is marked resigned, and every customer they still
/// serve awaits a transfer to another guide.
pub async fn resign_guide(
    db: &impl ConnectionTrait,
    userid: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let current = ensure_guide(db, userid, now).await?;
    if current.last_event_at.is_some_and(|last| at < last) {
        // The member changed after this (late) event: it no longer describes them.
        return Ok(());
    }
    if current.status != guide_status::RESIGNED {
        let mut row: guide::ActiveModel = current.clone().into();
        row.status = Set(guide_status::RESIGNED.to_owned());
        row.resigned_at = Set(Some(at));
        row.last_event_at = Set(Some(at));
        row.updated_at = Set(now);
        row.update(db).await?;
    }
    let active = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(current.id))
        .filter(guide_customer::Column::Status.eq(relation_status::ACTIVE))
        .all(db)
        .await?;
    for relation in active {
        let row = customer_transfer::ActiveModel {
            handover_guide_id: Set(current.id),
            customer_id: Set(relation.customer_id),
            status: Set(transfer_status::AWAITING.to_owned()),
            reason: Set(transfer_reason::RESIGNED.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        customer_transfer::Entity::insert(row)
            .on_conflict_do_nothing_on([
                customer_transfer::Column::HandoverGuideId,
                customer_transfer::Column::CustomerId,
            ])
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

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
