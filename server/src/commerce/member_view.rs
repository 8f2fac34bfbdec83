//! A member as a guide's sidebar shows them: the member behind a WeCom customer (with how the
//! two were matched), their home store, the brand's own tags on them, and the coupons they
//! can still use.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::entity::{coupon_grant, member, member_customer, member_tag, store};
use crate::error::AppError;

/// A customer's member: the link (how it was matched) and the member.
pub type LinkedMember = (member_customer::Model, member::Model);

/// The member linked to a customer, with the link, in one query.
pub async fn linked_member_in_full(
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<Option<LinkedMember>, AppError> {
    let found = member_customer::Entity::find()
        .find_also_related(member::Entity)
        .filter(member_customer::Column::CustomerId.eq(customer_id))
        .one(db)
        .await?;
    Ok(found.and_then(|(link, member)| member.map(|m| (link, m))))
}

pub async fn home_store(
    db: &impl ConnectionTrait,
    id: Option<i64>,
) -> Result<Option<store::Model>, AppError> {
    match id {
        Some(id) => Ok(store::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// The brand's own tags on the member as (group, tag), by group name then tag name.
pub async fn mall_tags(
    db: &impl ConnectionTrait,
    member_id: i64,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(member_tag::Entity::find()
        .filter(member_tag::Column::MemberId.eq(member_id))
        .order_by_asc(member_tag::Column::GroupName)
        .order_by_asc(member_tag::Column::TagName)
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.group_name, row.tag_name))
        .collect())
}

/// Coupons the member can still use: issued or claimed, and not past their expiry.
pub async fn usable_coupons(
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
