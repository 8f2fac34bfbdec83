//! Customers: WeCom external contacts, and what they tell about themselves.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use super::sync_queue::{SyncKind, dequeue_sync, queue_sync};
use crate::entity::customer;
use crate::wecom::api::ExternalContact;

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
    crate::commerce::member_link::link_customer(db, &customer, now).await?;
    Ok(customer)
}

/// Records a mobile number known for the customer (a guide's remark_mobiles), hashed as
/// members' are, so a member with that number can be matched to them.
pub async fn set_customer_mobile(
    db: &impl ConnectionTrait,
    customer_id: i64,
    mobile: &str,
) -> Result<bool, DbErr> {
    let Some(digits) = crate::commerce::member_link::normalise_mobile(mobile) else {
        return Ok(false);
    };
    let hash = crate::commerce::member_link::mobile_hash(&digits);
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
    crate::commerce::member_link::link_customer(db, &updated, chrono::Utc::now()).await?;
    Ok(true)
}
