//! Follow relations: a guide adds, loses, or is found to follow a customer, each fact
//! recorded once and in order, with its history.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use super::customers::set_customer_mobile;
use super::{relation_status, tags};
use crate::entity::{follow_history, guide_customer};
use crate::wecom::api::FollowUser;

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
