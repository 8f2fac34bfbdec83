//! A member's link to their WeCom customer: by the `external_userid` the source gives, else
//! by unionid (the same WeChat user), else by mobile (a number the guide recorded for the
//! contact). The mobile itself is never stored: its hash (for matching) and last four digits
//! (for display) are. Either side may arrive first: a member written looks for their
//! customer, and a customer added (or given a mobile) looks for their member.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::entity::{customer, member, member_customer};

/// A mainland mobile as 11 digits, or `None` if it is not one.
pub fn normalise_mobile(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.len() {
        13 if digits.starts_with("86") => digits[2..].to_owned(),
        11 => digits,
        _ => return None,
    };
    digits.starts_with('1').then_some(digits)
}

/// What the mobile is matched by: SHA-256 over a fixed prefix and the 11 digits.
pub fn mobile_hash(digits: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"guidedesk-mobile:");
    hasher.update(digits.as_bytes());
    hex::encode(hasher.finalize())
}

/// Links the member to their WeCom customer, if one can be found and neither is linked yet
/// (an explicit `external_userid` replaces an earlier guess).
pub async fn link_member(
    db: &impl ConnectionTrait,
    member: &member::Model,
    explicit: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let member_id = member.id;
    let by = |column: customer::Column, value: String| {
        customer::Entity::find().filter(column.eq(value)).one(db)
    };
    let (found, matched_by) = if let Some(external) = explicit.filter(|e| !e.is_empty()) {
        (
            by(customer::Column::ExternalUserid, external.to_owned()).await?,
            "explicit",
        )
    } else if let Some(unionid) = member.unionid.clone() {
        (by(customer::Column::Unionid, unionid).await?, "unionid")
    } else {
        (None, "")
    };
    let (found, matched_by) = match (found, &member.mobile_hash) {
        (None, Some(hash)) => (
            by(customer::Column::MobileHash, hash.clone()).await?,
            "mobile",
        ),
        (found, _) => (found, matched_by),
    };
    let Some(customer) = found else {
        return Ok(());
    };
    if matched_by == "explicit" {
        member_customer::Entity::delete_many()
            .filter(member_customer::Column::MemberId.eq(member_id))
            .exec(db)
            .await?;
    }
    member_customer::Entity::insert(member_customer::ActiveModel {
        member_id: Set(member_id),
        customer_id: Set(customer.id),
        matched_by: Set(matched_by.to_owned()),
        matched_at: Set(now),
        ..Default::default()
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Links a WeCom customer who arrived after their member (a sync, a re-fetch, a mobile the
/// guide noted) to that member, by unionid, else by mobile, unless either is linked already.
pub async fn link_customer(
    db: &impl ConnectionTrait,
    customer: &customer::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let linked = member_customer::Entity::find()
        .filter(member_customer::Column::CustomerId.eq(customer.id))
        .one(db)
        .await?;
    if linked.is_some() {
        return Ok(());
    }
    // `NOT EXISTS` for this member, not `id NOT IN (every linked member)`: PostgreSQL ran the
    // latter as a scan of the whole link table each time a member matched, which made a first
    // sync of a brand whose members were loaded first quadratic.
    let unlinked = |column: member::Column, value: String| {
        let link = Query::select()
            .expr(Expr::val(1))
            .from(member_customer::Entity)
            .and_where(
                Expr::col((member_customer::Entity, member_customer::Column::MemberId))
                    .equals((member::Entity, member::Column::Id)),
            )
            .to_owned();
        member::Entity::find()
            .filter(column.eq(value))
            .filter(Expr::exists(link).not())
            .one(db)
    };
    let mut found = None;
    if let Some(unionid) = customer.unionid.clone().filter(|u| !u.is_empty()) {
        found = unlinked(member::Column::Unionid, unionid)
            .await?
            .map(|m| (m, "unionid"));
    }
    if found.is_none()
        && let Some(hash) = customer.mobile_hash.clone()
    {
        found = unlinked(member::Column::MobileHash, hash)
            .await?
            .map(|m| (m, "mobile"));
    }
    let Some((member, matched_by)) = found else {
        return Ok(());
    };
    member_customer::Entity::insert(member_customer::ActiveModel {
        member_id: Set(member.id),
        customer_id: Set(customer.id),
        matched_by: Set(matched_by.to_owned()),
        matched_at: Set(now),
        ..Default::default()
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_normalised_before_hashing() {
        for same in [
            "13812345678",
            "+86 138-1234-5678",
            "86 13812345678",
            "138 1234 5678",
        ] {
            assert_eq!(
                normalise_mobile(same).as_deref(),
                Some("13812345678"),
                "{same}"
            );
        }
        for not_mobile in ["", "12345", "0213812345678", "23812345678"] {
            assert_eq!(normalise_mobile(not_mobile), None, "{not_mobile}");
        }
        assert_eq!(mobile_hash("13812345678"), mobile_hash("13812345678"));
        assert_ne!(mobile_hash("13812345678"), mobile_hash("13812345679"));
        assert!(!mobile_hash("13812345678").contains("13812345678"));
    }
}
