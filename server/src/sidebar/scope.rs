//! Which customers a guide may read: those they follow or followed (a lost customer stays
//! readable, so a guide can still answer "where is my parcel"). Anything else is answered as
//! not found, so external userids cannot be probed.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};

use crate::entity::{customer, guide_customer, member, member_customer};
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

/// The member linked to a customer, with the link (how it was matched), in one query.
pub async fn linked_member_in_full(
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<Option<(member_customer::Model, member::Model)>, AppError> {
    let found = member_customer::Entity::find()
        .find_also_related(member::Entity)
        .filter(member_customer::Column::CustomerId.eq(customer_id))
        .one(db)
        .await?;
    Ok(found.and_then(|(link, member)| member.map(|m| (link, m))))
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

/// Longer than any external userid WeCom issues: not worth a query.
fn plausible_userid(external_userid: &str) -> bool {
    !external_userid.is_empty() && external_userid.len() <= 128
}
