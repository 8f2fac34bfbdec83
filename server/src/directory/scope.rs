//! Which customers a guide may read: those they follow or followed (a lost customer stays
//! readable, so a guide can still answer "where is my parcel"). Anything else is answered as
//! not found, so external userids cannot be probed. Every guide-facing read asks here first.
//!
//! The checks that lead on to a member (the orders and the trail are the member's) join the
//! member link in the same query: one round trip instead of two on every page.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};

use sea_orm::sea_query::Query;

use crate::entity::{customer, guide_customer, member_customer};
use crate::error::AppError;

/// A customer as the signed-in guide knows them.
pub struct FollowedCustomer {
    pub customer: customer::Model,
    pub relation: guide_customer::Model,
}

/// The customer `external_userid` if the guide `guide_id` follows or followed them; 404
/// otherwise.
pub async fn followed_customer(
    db: &impl ConnectionTrait,
    guide_id: i64,
    external_userid: &str,
) -> Result<FollowedCustomer, AppError> {
    if !plausible_userid(external_userid) {
        return Err(AppError::NotFound);
    }
    // One query: the relation joined to its customer.
    let found = guide_customer::Entity::find()
        .find_also_related(customer::Entity)
        .filter(guide_customer::Column::GuideId.eq(guide_id))
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .one(db)
        .await?;
    let Some((relation, Some(customer))) = found else {
        return Err(AppError::NotFound);
    };
    Ok(FollowedCustomer { customer, relation })
}

/// The member behind the customer `external_userid`, if the guide `guide_id` follows or
/// followed them: `Ok(None)` when no member is linked, 404 when the customer is not theirs.
/// One query, for the lists (orders, trail) that need the member and nothing else.
pub async fn followed_member(
    db: &impl ConnectionTrait,
    guide_id: i64,
    external_userid: &str,
) -> Result<Option<i64>, AppError> {
    if !plausible_userid(external_userid) {
        return Err(AppError::NotFound);
    }
    let customer_member: RelationDef = member_customer::Entity::belongs_to(customer::Entity)
        .from(member_customer::Column::CustomerId)
        .to(customer::Column::Id)
        .into();
    let found = guide_customer::Entity::find()
        .select_only()
        .column(member_customer::Column::MemberId)
        .inner_join(customer::Entity)
        .join(JoinType::LeftJoin, customer_member.rev())
        .filter(guide_customer::Column::GuideId.eq(guide_id))
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?;
    found.ok_or(AppError::NotFound)
}

/// Whether the member is linked to a customer the guide follows or followed (one query).
pub async fn guide_follows_member(
    db: &impl ConnectionTrait,
    guide_id: i64,
    member_id: i64,
) -> Result<bool, AppError> {
    let linked = Query::select()
        .column(member_customer::Column::CustomerId)
        .from(member_customer::Entity)
        .and_where(member_customer::Column::MemberId.eq(member_id))
        .to_owned();
    Ok(guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide_id))
        .filter(guide_customer::Column::CustomerId.in_subquery(linked))
        .one(db)
        .await?
        .is_some())
}

/// Longer than any external userid WeCom issues: not worth a query.
fn plausible_userid(external_userid: &str) -> bool {
    !external_userid.is_empty() && external_userid.len() <= 128
}
