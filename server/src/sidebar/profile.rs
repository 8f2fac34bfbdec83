//! `GET /api/v1/customers/{external_userid}/profile`: everything a guide needs before
//! replying, in one round trip and from local data only, so it answers even when WeCom is slow
//! or down.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use shared::customer::{
    Contact, CustomerProfile, CustomerStatus, ExclusiveGuide, Member, StoreRef, Tag, TagGroup,
};

use super::orders::{recent_orders, spend_12m};
use super::scope::{followed_customer, linked_member_in_full};
use super::time;
use crate::auth::Guide;
use crate::directory::relation_status;
use crate::directory::tags::relation_tags;
use crate::entity::{coupon_grant, guide, guide_customer, member_tag, store};
use crate::error::AppError;
use crate::state::AppState;

/// Orders shown on the profile.
const RECENT_ORDERS: u64 = 3;

pub async fn customer_profile(
    state: web::Data<AppState>,
    guide: Guide,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let db = &state.db;
    let now = Utc::now();
    let followed = followed_customer(db, &guide, &path).await?;
    let (customer, relation) = (followed.customer, followed.relation);
    // What depends only on the relation, read side by side on the pool's connections.
    let (exclusive_guide, tag_groups, linked) = futures_util::try_join!(
        exclusive_guide(db, customer.id, &guide),
        tag_groups(db, relation.id),
        linked_member_in_full(db, customer.id),
    )?;
    let contact = Contact {
        external_userid: customer.external_userid,
        name: customer.name,
        avatar: customer.avatar,
        gender: customer.gender,
        contact_type: customer.contact_type,
        corp_name: customer.corp_name,
        remark: relation.remark,
        description: relation.description,
        added_at: time(relation.added_at),
        relation: relation.status,
    };
    let Some((link, found)) = linked else {
        return Ok(HttpResponse::Ok().json(CustomerProfile {
            contact,
            member: None,
            exclusive_guide,
            status: CustomerStatus {
                churn: "unknown".into(),
                days_since_last_order: None,
                spend_12m_fen: 0,
                spending_level: "none".into(),
            },
            tag_groups,
            recent_orders: Vec::new(),
            usable_coupons: 0,
        }));
    };
    // What depends on the member, side by side too.
    let (home_store, (recent_orders, last_order), spend, usable_coupons, mall_tags) = futures_util::try_join!(
        home_store(db, found.home_store_id),
        recent_orders(db, found.id, RECENT_ORDERS),
        spend_12m(db, found.id, now),
        usable_coupons(db, found.id, now),
        mall_tags(db, found.id),
    )?;
    let mut tag_groups = tag_groups;
    tag_groups.extend(mall_tags);
    let member = Member {
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
    };
    Ok(HttpResponse::Ok().json(CustomerProfile {
        contact,
        member: Some(member),
        exclusive_guide,
        status: status(spend, last_order, now),
        tag_groups,
        recent_orders,
        usable_coupons,
    }))
}

async fn home_store(
    db: &impl ConnectionTrait,
    id: Option<i64>,
) -> Result<Option<store::Model>, AppError> {
    match id {
        Some(id) => Ok(store::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// Churn from the days since the last order, spending level from twelve months' spend.
pub fn status(
    spend_12m_fen: i64,
    last_order: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CustomerStatus {
    let days = last_order.map(|at| std::cmp::max((now - at).num_days(), 0));
    let churn = match days {
        None => "never",
        Some(0..=90) => "active",
        Some(91..=180) => "cooling",
        Some(181..=365) => "dormant",
        Some(_) => "churned",
    };
    let spending_level = match spend_12m_fen {
        500_000.. => "high",
        100_000.. => "medium",
        1.. => "low",
        _ => "none",
    };
    CustomerStatus {
        churn: churn.into(),
        days_since_last_order: days,
        spend_12m_fen,
        spending_level: spending_level.into(),
    }
}

/// The guide who added the customer first among those who still follow them.
async fn exclusive_guide(
    db: &impl ConnectionTrait,
    customer_id: i64,
    me: &Guide,
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
            is_me: g.id == me.id,
            userid: g.wecom_userid,
            name: g.name,
            since: time(relation.added_at),
        })
    }))
}

/// The guide's corp tags on the customer, grouped, in catalogue order.
pub async fn tag_groups(
    db: &impl ConnectionTrait,
    relation_id: i64,
) -> Result<Vec<TagGroup>, AppError> {
    let mut groups: Vec<TagGroup> = Vec::new();
    for (group, tag) in relation_tags(db, relation_id).await? {
        let entry = match groups.last_mut() {
            Some(last) if last.group_id == group.wecom_group_id => last,
            _ => {
                groups.push(TagGroup {
                    group_id: group.wecom_group_id,
                    name: group.name,
                    source: "wecom".into(),
                    tags: Vec::new(),
                });
                let index = groups.len() - 1;
                &mut groups[index]
            }
        };
        entry.tags.push(Tag {
            tag_id: tag.wecom_tag_id,
            name: tag.name,
        });
    }
    Ok(groups)
}

/// The brand's own tags on the member, grouped by their group's name.
async fn mall_tags(db: &impl ConnectionTrait, member_id: i64) -> Result<Vec<TagGroup>, AppError> {
    let rows = member_tag::Entity::find()
        .filter(member_tag::Column::MemberId.eq(member_id))
        .order_by_asc(member_tag::Column::GroupName)
        .order_by_asc(member_tag::Column::TagName)
        .all(db)
        .await?;
    let mut groups: Vec<TagGroup> = Vec::new();
    for row in rows {
        if groups.last().is_none_or(|g| g.name != row.group_name) {
            groups.push(TagGroup {
                group_id: row.group_name.clone(),
                name: row.group_name.clone(),
                source: "mall".into(),
                tags: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.tags.push(Tag {
                tag_id: row.tag_name.clone(),
                name: row.tag_name,
            });
        }
    }
    Ok(groups)
}

/// Coupons the member can still use: issued or claimed, and not past their expiry.
async fn usable_coupons(
    db: &impl ConnectionTrait,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<u32, AppError> {
    let count = coupon_grant::Entity::find()
        .filter(coupon_grant::Column::MemberId.eq(member_id))
        .filter(coupon_grant::Column::Status.is_in(["issued", "claimed"]))
        .filter(
            Expr::col(coupon_grant::Column::ExpiresAt)
                .is_null()
                .or(Expr::col(coupon_grant::Column::ExpiresAt).gt(now)),
        )
        .count(db)
        .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_and_spending_follow_their_thresholds() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ago = |days: i64| Some(now - chrono::Duration::days(days));
        let cases = [
            (None, "never", None),
            (ago(0), "active", Some(0)),
            (ago(90), "active", Some(90)),
            (ago(91), "cooling", Some(91)),
            (ago(180), "cooling", Some(180)),
            (ago(181), "dormant", Some(181)),
            (ago(365), "dormant", Some(365)),
            (ago(366), "churned", Some(366)),
        ];
        for (last, churn, days) in cases {
            let got = status(0, last, now);
            assert_eq!(
                (got.churn.as_str(), got.days_since_last_order),
                (churn, days)
            );
        }
        for (fen, level) in [
            (0, "none"),
            (1, "low"),
            (99_999, "low"),
            (100_000, "medium"),
            (499_999, "medium"),
            (500_000, "high"),
        ] {
            assert_eq!(status(fen, None, now).spending_level, level, "{fen}");
        }
    }
}
