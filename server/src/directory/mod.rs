//! Who serves whom: guides (WeCom members), customers (external contacts) and the follow
//! relations between them, as WeCom's callbacks (and later its API) report them.
//!
//! Every operation is idempotent and order-aware: applying the same fact twice changes
//! nothing, and a fact older than what is recorded (a delayed callback) does not overwrite it.

pub mod scope;
pub mod tags;
pub mod transfer;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use crate::entity::{
    customer, customer_transfer, follow_history, guide, guide_customer, wecom_sync_queue,
};
use crate::wecom::api::{ExternalContact, FollowUser, Member};

pub mod relation_status {
    pub const ACTIVE: &str = "active";
    pub const LOST: &str = "lost";
}

pub mod transfer_status {
    /// The guide left; nobody has asked WeCom to move the customer yet.
    pub const AWAITING: &str = "awaiting";
    /// WeCom accepted the request; it completes about a day later.
    pub const REQUESTED: &str = "requested";
    pub const DONE: &str = "done";
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
    /// WeCom no longer lists the relation, found at a sync: its callback never arrived.
    Sync,
}

impl LostBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Guide => "guide",
            Self::Customer => "customer",
            Self::Transfer => "transfer",
            Self::Sync => "sync",
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

/// The queued fetch is no longer needed: what it would fetch has just been applied.
pub async fn dequeue_sync(
    db: &impl ConnectionTrait,
    kind: SyncKind,
    target: &str,
) -> Result<(), DbErr> {
    wecom_sync_queue::Entity::delete_many()
        .filter(wecom_sync_queue::Column::Kind.eq(kind.as_str()))
        .filter(wecom_sync_queue::Column::Target.eq(target))
        .exec(db)
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
/// becomes active again, unless the loss happened after this add. Returns the relation.
pub async fn record_added(
    db: &impl ConnectionTrait,
    guide_id: i64,
    customer_id: i64,
    added: Added<'_>,
    now: DateTime<Utc>,
) -> Result<guide_customer::Model, DbErr> {
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
    record_history(db, relation.id, "added", None, added.state, added.at, now).await?;
    Ok(relation)
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

/// Creates or updates a customer from WeCom's description of the contact.
pub async fn upsert_contact(
    db: &impl ConnectionTrait,
    contact: &ExternalContact,
    now: DateTime<Utc>,
) -> Result<customer::Model, DbErr> {
    let row = customer::ActiveModel {
        external_userid: Set(contact.external_userid.clone()),
        name: Set(contact.name.clone()),
        avatar: Set(contact.avatar.clone().filter(|a| !a.is_empty())),
        contact_type: Set(i32::try_from(contact.contact_type).ok()),
        gender: Set(i32::try_from(contact.gender).ok()),
        unionid: Set(contact.unionid.clone().filter(|u| !u.is_empty())),
        corp_name: Set(contact.corp_name.clone().filter(|c| !c.is_empty())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    customer::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(customer::Column::ExternalUserid)
                .update_columns([
                    customer::Column::Name,
                    customer::Column::Avatar,
                    customer::Column::ContactType,
                    customer::Column::Gender,
                    customer::Column::Unionid,
                    customer::Column::CorpName,
                    customer::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    dequeue_sync(db, SyncKind::Contact, &contact.external_userid).await?;
    let customer = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(&contact.external_userid))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("customer {}", contact.external_userid)))?;
    // A member who arrived first is matched now (by unionid, or by a noted mobile).
    crate::commerce::members::link_customer(db, &customer, now).await?;
    Ok(customer)
}

/// Records a mobile number known for the customer (a guide's remark_mobiles), hashed as
/// members' are, so a member with that number can be matched to them.
pub async fn set_customer_mobile(
    db: &impl ConnectionTrait,
    customer_id: i64,
    mobile: &str,
) -> Result<bool, DbErr> {
    let Some(digits) = crate::commerce::members::normalise_mobile(mobile) else {
        return Ok(false);
    };
    let hash = crate::commerce::members::mobile_hash(&digits);
    let Some(current) = customer::Entity::find_by_id(customer_id).one(db).await? else {
        return Ok(false);
    };
    // Every sync sees the number again: only a new one is written and matched.
    if current.mobile_hash.as_deref() == Some(hash.as_str()) {
        return Ok(true);
    }
    let mut row: customer::ActiveModel = current.into();
    row.mobile_hash = Set(Some(hash));
    let updated = row.update(db).await?;
    crate::commerce::members::link_customer(db, &updated, chrono::Utc::now()).await?;
    Ok(true)
}

/// What WeCom's API says about one guide following one customer (a sync or a re-fetch):
/// the relation is made active as of its add time, its remark and description brought up to
/// date, and its corp tags made WeCom's. Returns the tag ids the catalogue does not know yet.
pub async fn record_followed(
    db: &impl ConnectionTrait,
    guide_id: i64,
    customer_id: i64,
    follow: &FollowUser,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let added_at = DateTime::from_timestamp(follow.createtime, 0).unwrap_or(now);
    let relation = record_added(
        db,
        guide_id,
        customer_id,
        Added {
            at: added_at,
            state: follow.state.as_deref().filter(|s| !s.is_empty()),
            welcome_code: None,
        },
        now,
    )
    .await?;
    // A number the guide noted lets a member be matched to this customer by mobile.
    if let Some(mobile) = follow.remark_mobiles.iter().find(|m| !m.trim().is_empty()) {
        set_customer_mobile(db, customer_id, mobile).await?;
    }
    let remark = follow.remark.clone().filter(|r| !r.is_empty());
    let description = follow.description.clone().filter(|d| !d.is_empty());
    let add_way = follow.add_way.and_then(|w| i32::try_from(w).ok());
    let relation_id = relation.id;
    if relation.remark != remark
        || relation.description != description
        || relation.add_way != add_way
    {
        let mut row: guide_customer::ActiveModel = relation.into();
        row.remark = Set(remark);
        row.description = Set(description);
        row.add_way = Set(add_way);
        row.updated_at = Set(now);
        row.update(db).await?;
    }
    // batch/get_by_user lists the corp tag ids; externalcontact/get gives tags with a type.
    let tag_ids: Vec<String> = if follow.tag_id.is_empty() {
        follow
            .tags
            .iter()
            .filter(|t| t.tag_type == 1)
            .filter_map(|t| t.tag_id.clone())
            .collect()
    } else {
        follow.tag_id.clone()
    };
    tags::set_relation_tags(db, relation_id, &tag_ids, now).await
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
    let status = update.status.and_then(status_from_wecom);
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

/// WeCom's member status as a guide status: 1 active and 4 not yet activated both serve.
pub fn status_from_wecom(status: i64) -> Option<&'static str> {
    match status {
        1 | 4 => Some(guide_status::ACTIVE),
        2 => Some(guide_status::DISABLED),
        5 => Some(guide_status::RESIGNED),
        _ => None,
    }
}

/// WeCom department ids as the guide row keeps them: `101,102` (the callbacks' own form).
pub fn departments_text(departments: &[i64]) -> Option<String> {
    (!departments.is_empty()).then(|| {
        departments
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The department ids a guide row names.
pub fn departments_of(guide: &guide::Model) -> Vec<i64> {
    guide
        .department
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect()
}

/// Makes a member, as user/get describes them now, a guide or brings the guide up to date.
/// A member WeCom reports as left is resigned the usual way (their customers await transfer).
pub async fn upsert_member(
    db: &impl ConnectionTrait,
    member: &Member,
    now: DateTime<Utc>,
) -> Result<guide::Model, DbErr> {
    let current = ensure_guide(db, &member.userid, now).await?;
    dequeue_sync(db, SyncKind::User, &member.userid).await?;
    let status =
        status_from_wecom(member.status).map_or_else(|| current.status.clone(), str::to_owned);
    if status == guide_status::RESIGNED && current.status != guide_status::RESIGNED {
        resign_guide(db, &member.userid, now, now).await?;
    }
    let department = departments_text(&member.department);
    let position = member.position.clone().filter(|p| !p.is_empty());
    let unchanged = current.name == member.name
        && current.department == department
        && current.position == position
        && (current.status == status || status == guide_status::RESIGNED);
    if unchanged {
        return find_guide(db, &member.userid)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("guide {}", member.userid)));
    }
    let mut row: guide::ActiveModel = current.into();
    row.name = Set(member.name.clone());
    row.department = Set(department);
    row.position = Set(position);
    if status != guide_status::RESIGNED {
        row.status = Set(status);
        row.resigned_at = Set(None);
    }
    row.updated_at = Set(now);
    row.update(db).await
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
