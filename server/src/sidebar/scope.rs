//! Which customers a guide may read: those they follow or followed (a lost customer stays
//! readable, so a guide can still answer "where is my parcel"). Anything else is answered as
//! not found, so external userids cannot be probed.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::Guide;
use crate::entity::{customer, guide_customer, member_customer};
use crate::error::AppError;

/// A customer as the signed-in guide knows them.
pub struct FollowedCustomer {
    pub customer: customer::Model,
    pub relation: guide_customer::Model,
}

/// The customer `external_userid` if `guide` follows or followed them; 404 otherwise.
pub async fn followed_customer(
    db: &impl ConnectionTrait,
    guide: &Guide,
    external_userid: &str,
) -> Result<FollowedCustomer, AppError> {
    if external_userid.is_empty() || external_userid.len() > 128 {
        return Err(AppError::NotFound);
    }
    let customer = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let relation = guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide.id))
        .filter(guide_customer::Column::CustomerId.eq(customer.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(FollowedCustomer { customer, relation })
}

/// The member linked to a customer, if any.
pub async fn linked_member(
    db: &impl ConnectionTrait,
    customer_id: i64,
) -> Result<Option<member_customer::Model>, AppError> {
    Ok(member_customer::Entity::find()
        .filter(member_customer::Column::CustomerId.eq(customer_id))
        .one(db)
        .await?)
}
