//! Guides: WeCom members, as callbacks and `user/get` describe them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use super::sync_queue::{SyncKind, dequeue_sync, queue_sync};
use super::{guide_status, relation_status, transfer_reason, transfer_status};
use crate::entity::{customer_transfer, guide, guide_customer};
use crate::wecom::api::Member;

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
    if let Some(mut row) = staff_changes(&current, &update, at) {
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

/// The guide's row with what the event changes, if it changes anything.
fn staff_changes(
    current: &guide::Model,
    update: &StaffUpdate<'_>,
    at: DateTime<Utc>,
) -> Option<guide::ActiveModel> {
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
    changed.then_some(row)
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
