//! The profile read with the ORM, a query per part, the independent ones side by side: the
//! reader for SQLite (in-process, where a query is a function call and not a round trip) and
//! the reference the one-statement reader is tested against.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::customer::{Contact, ExclusiveGuide, Member, Relation, StoreRef};

use super::RECENT_ORDERS;
use super::parts::{CorpTag, MallTag, ProfileParts};
use crate::commerce::member_view::{
    LinkedMember, home_store, linked_member_in_full, mall_tags, usable_coupons,
};
use crate::commerce::order_history::{recent_orders, spend_12m};
use crate::directory::relation_status;
use crate::directory::scope::followed_customer;
use crate::directory::tags::relation_tags;
use crate::entity::{guide, guide_customer};
use crate::error::AppError;
use crate::wire::time;

/// The customer's profile parts if the guide `guide_id` follows or followed them, `None`
/// otherwise (that the guide is still active, the caller has checked).
pub async fn read(
    db: &impl ConnectionTrait,
    guide_id: i64,
    external_userid: &str,
    now: DateTime<Utc>,
) -> Result<Option<ProfileParts>, AppError> {
    let followed = match followed_customer(db, guide_id, external_userid).await {
        Ok(followed) => followed,
        Err(AppError::NotFound) => return Ok(None),
        Err(err) => return Err(err),
    };
    let (customer, relation) = (followed.customer, followed.relation);
    // What depends only on the relation, read side by side on the pool's connections.
    let (exclusive_guide, corp_tags, linked) = futures_util::try_join!(
        exclusive_guide(db, customer.id, guide_id),
        corp_tags(db, relation.id),
        linked_member_in_full(db, customer.id),
    )?;
    let mut parts = ProfileParts {
        contact: Contact {
            external_userid: customer.external_userid,
            name: customer.name,
            avatar: customer.avatar,
            gender: customer.gender,
            contact_type: customer.contact_type,
            corp_name: customer.corp_name,
            remark: relation.remark,
            description: relation.description,
            added_at: time(relation.added_at),
            relation: Relation::from_status(&relation.status),
        },
        exclusive_guide,
        corp_tags,
        member: None,
        mall_tags: Vec::new(),
        recent_orders: Vec::new(),
        last_order_at: None,
        spend_12m_fen: 0,
        usable_coupons: 0,
    };
    if let Some(linked) = linked {
        add_member_parts(db, &mut parts, linked, now).await?;
    }
    Ok(Some(parts))
}

/// The member's parts, read side by side (they depend on the member only).
async fn add_member_parts(
    db: &impl ConnectionTrait,
    parts: &mut ProfileParts,
    (link, found): LinkedMember,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (home_store, (recent_orders, last_order_at), spend, usable_coupons, mall_tags) = futures_util::try_join!(
        home_store(db, found.home_store_id),
        recent_orders(db, found.id, RECENT_ORDERS),
        spend_12m(db, found.id, now),
        usable_coupons(db, found.id, now),
        mall_tags(db, found.id),
    )?;
    parts.member = Some(Member {
        member_id: found.source_id,
        name: found.name,
        level: found.level,
        points: found.points,
        balance_fen: found.balance_fen,
        home_store: home_store.map(|s| StoreRef {
            store_id: s.source_id,
            name: s.name,
            city: s.city,
        }),
        registered_at: found.registered_at.map(time),
        birthday: found.birthday.map(|d| d.format("%Y-%m-%d").to_string()),
        mobile_masked: found.mobile_last4.map(|last4| format!("1** **** {last4}")),
        matched_by: link.matched_by,
    });
    parts.mall_tags = mall_tags
        .into_iter()
        .map(|(group, tag)| MallTag { group, tag })
        .collect();
    parts.recent_orders = recent_orders;
    parts.last_order_at = last_order_at;
    parts.spend_12m_fen = spend;
    parts.usable_coupons = usable_coupons;
    Ok(())
}

/// The guide who added the customer first among those who still follow them.
async fn exclusive_guide(
    db: &impl ConnectionTrait,
    customer_id: i64,
    me: i64,
) -> Result<Option<ExclusiveGuide>, AppError> {
    let first = guide_customer::Entity::find()
        .find_also_related(guide::Entity)
        .filter(guide_customer::Column::CustomerId.eq(customer_id))
        .filter(guide_customer::Column::Status.eq(relation_status::ACTIVE))
        .order_by_asc(guide_customer::Column::AddedAt)
        .order_by_asc(guide_customer::Column::Id)
        .one(db)
        .await?;
    Ok(first.and_then(|(relation, g)| {
        g.map(|g| ExclusiveGuide {
            is_me: g.id == me,
            userid: g.wecom_userid,
            name: g.name,
            since: time(relation.added_at),
        })
    }))
}

/// The guide's corp tags on the customer, in catalogue order.
pub async fn corp_tags(
    db: &impl ConnectionTrait,
    relation_id: i64,
) -> Result<Vec<CorpTag>, AppError> {
    Ok(relation_tags(db, relation_id)
        .await?
        .into_iter()
        .map(|(group, tag)| CorpTag {
            group_id: group.wecom_group_id,
            group_name: group.name,
            tag_id: tag.wecom_tag_id,
            tag_name: tag.name,
        })
        .collect())
}
