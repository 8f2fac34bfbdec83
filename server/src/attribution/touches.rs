//! The stamped events and orders the mall reports: each stamp is verified (signature under a
//! known key, not expired at the touch's time, a share this server issued, not cancelled, to
//! this member) and stored as a touch, valid or with why not. Only valid touches bind a
//! member or credit a sale.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};

use crate::commerce::stamped::Stamped;
use crate::config::StampSettings;
use crate::entity::{customer, member_customer, share, touch};
use crate::stamp::{Recipient, Stamp, verify_link};

/// What a verified stamp credits.
struct Verified {
    share: String,
    guide: i64,
    store: Option<i64>,
}

/// Verifies and stores the batch's stamped records (a record already stored stays as it is).
pub async fn record(
    txn: &DatabaseTransaction,
    stamping: Option<&StampSettings>,
    stamped: &[Stamped],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if stamped.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(stamped.len());
    for touched in stamped {
        let verdict = match stamping {
            None => Err("this server has no stamp keys (GUIDEDESK_STAMP_KEYS)".to_owned()),
            Some(stamping) => verify(txn, stamping, touched).await?,
        };
        let (valid, refusal, verified) = match verdict {
            Ok(verified) => (true, None, Some(verified)),
            Err(why) => (false, Some(why), None),
        };
        rows.push(touch::ActiveModel {
            source_kind: Set(touched.source_kind.to_owned()),
            source_id: Set(touched.source_id.clone()),
            member_id: Set(touched.member_id),
            kind: Set(touched.kind.clone()),
            touched_at: Set(touched.at),
            stamp: Set(touched.stamp.clone()),
            valid: Set(valid),
            refusal: Set(refusal),
            share_token: Set(verified.as_ref().map(|v| v.share.clone())),
            guide_id: Set(verified.as_ref().map(|v| v.guide)),
            store_id: Set(verified.and_then(|v| v.store)),
            created_at: Set(now),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(500) {
        touch::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([touch::Column::SourceKind, touch::Column::SourceId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// `Ok` with what the stamp credits, or `Err` with why it credits no one.
async fn verify(
    txn: &DatabaseTransaction,
    stamping: &StampSettings,
    touched: &Stamped,
) -> Result<Result<Verified, String>, DbErr> {
    let link = format!("?{}", touched.stamp);
    let at = touched.at.timestamp();
    let stamp = match verify_link(
        &link,
        &stamping.keys,
        &stamping.params,
        at,
        stamping.max_age_secs,
    ) {
        Ok((stamp, _)) => stamp,
        Err(why) => return Ok(Err(why.to_string())),
    };
    let Some(shared) = share::Entity::find()
        .filter(share::Column::Token.eq(stamp.share.as_str()))
        .one(txn)
        .await?
    else {
        return Ok(Err("no share of this server has that token".into()));
    };
    if let Err(why) = matches_share(&stamp, &shared) {
        return Ok(Err(why));
    }
    if let (Some(member), Recipient::Customer(external_userid)) =
        (touched.member_id, &stamp.recipient)
        && !member_is_customer(txn, member, external_userid).await?
    {
        return Ok(Err(
            "the stamp was sent to another customer than this member (a forwarded link)".into(),
        ));
    }
    Ok(Ok(Verified {
        share: stamp.share,
        guide: stamp.guide,
        store: stamp.store,
    }))
}

/// A genuine signature over what the share says, for a share still standing.
fn matches_share(stamp: &Stamp, shared: &share::Model) -> Result<(), String> {
    let same = shared.guide_id == stamp.guide
        && shared.staff_userid == stamp.staff
        && shared.store_id == stamp.store
        && shared.recipient_kind == stamp.recipient.kind()
        && shared.recipient_id == stamp.recipient.id();
    if !same {
        return Err("the stamp does not say what its share says".into());
    }
    if shared.state == "cancelled" {
        return Err("the share was cancelled before it was sent".into());
    }
    Ok(())
}

/// Whether `member` is linked to the WeCom customer `external_userid`.
async fn member_is_customer(
    txn: &DatabaseTransaction,
    member: i64,
    external_userid: &str,
) -> Result<bool, DbErr> {
    let Some(found) = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .one(txn)
        .await?
    else {
        return Ok(false);
    };
    Ok(member_customer::Entity::find()
        .filter(member_customer::Column::CustomerId.eq(found.id))
        .filter(member_customer::Column::MemberId.eq(member))
        .one(txn)
        .await?
        .is_some())
}

/// The valid touches of `members`, by member, oldest first.
pub async fn valid_touches(
    txn: &DatabaseTransaction,
    members: &[i64],
) -> Result<HashMap<i64, Vec<touch::Model>>, DbErr> {
    let mut by_member: HashMap<i64, Vec<touch::Model>> = HashMap::new();
    for chunk in members.chunks(500) {
        let found = touch::Entity::find()
            .filter(touch::Column::MemberId.is_in(chunk.to_vec()))
            .filter(touch::Column::Valid.eq(true))
            .all(txn)
            .await?;
        for touched in found {
            if let Some(member) = touched.member_id {
                by_member.entry(member).or_default().push(touched);
            }
        }
    }
    for list in by_member.values_mut() {
        list.sort_by(|a, b| {
            (a.touched_at, &a.source_kind, &a.source_id).cmp(&(
                b.touched_at,
                &b.source_kind,
                &b.source_id,
            ))
        });
    }
    Ok(by_member)
}
