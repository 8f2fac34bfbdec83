//! The stamped events and orders the mall reports: each stamp is verified (signature under a
//! known key, not expired at the touch's time, a share this server issued, not cancelled, to
//! this member) and stored as a touch, valid or with why not. Only valid touches bind a
//! member or credit a sale.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};

use crate::commerce::stamped::Stamped;
use crate::config::StampSettings;
use crate::entity::{customer, member_customer, share, touch};
use crate::reports::tally::Tally;
use crate::stamp::{Recipient, Stamp, verify_link};

/// What a verified stamp credits.
struct Verified {
    share: String,
    guide: i64,
    store: Option<i64>,
}

/// Verifies and stores the batch's stamped records (a record already stored stays as it is);
/// the members who have a new valid touch. The batch's shares and member links are read once
/// for all of its stamps.
pub async fn record(
    txn: &DatabaseTransaction,
    stamping: Option<&StampSettings>,
    stamped: &[Stamped],
    now: DateTime<Utc>,
) -> Result<BTreeSet<i64>, DbErr> {
    let mut touched = BTreeSet::new();
    if stamped.is_empty() {
        return Ok(touched);
    }
    let said: Vec<Result<Stamp, String>> = stamped
        .iter()
        .map(|touched| read_stamp(stamping, touched))
        .collect();
    let stamps = || said.iter().filter_map(|s| s.as_ref().ok());
    let shares = shares_by_token(txn, stamps().map(|s| s.share.clone()).collect()).await?;
    let links = member_links(txn, stamps().map(|s| s.recipient.clone()).collect()).await?;
    let mut rows = Vec::with_capacity(stamped.len());
    for (touched, said) in stamped.iter().zip(said) {
        let verdict = said.and_then(|stamp| judge(stamp, touched, &shares, &links));
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
    let mut tally = Tally::default();
    for chunk in rows.chunks(500) {
        let stored = touch::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([touch::Column::SourceKind, touch::Column::SourceId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_with_returning(txn)
            .await?;
        for row in &stored {
            count_touch(&mut tally, row);
            if row.valid {
                touched.extend(row.member_id);
            }
        }
    }
    tally.write(txn).await?;
    Ok(touched)
}

/// A new valid touch in the reports: an order is counted by crediting; a cart is a cart,
/// any other stamped event a visit through the guide's share.
fn count_touch(tally: &mut Tally, touched: &touch::Model) {
    if !touched.valid || touched.source_kind == "order" || touched.kind == "order" {
        return;
    }
    tally.add(
        touched.touched_at,
        touched.guide_id,
        touched.store_id,
        |c| {
            if touched.kind == "add_to_cart" {
                c.carts += 1
            } else {
                c.visits += 1
            }
        },
    );
}

/// What the stamp says, if its signature is genuine and it was not expired at the touch.
fn read_stamp(stamping: Option<&StampSettings>, touched: &Stamped) -> Result<Stamp, String> {
    let stamping =
        stamping.ok_or("this server has no stamp keys (GUIDEDESK_STAMP_KEYS)".to_owned())?;
    let link = format!("?{}", touched.stamp);
    let at = touched.at.timestamp();
    verify_link(
        &link,
        &stamping.keys,
        &stamping.params,
        at,
        stamping.max_age_secs,
    )
    .map(|(stamp, _)| stamp)
    .map_err(|why| why.to_string())
}

/// `Ok` with what a genuine stamp credits, or `Err` with why it credits no one.
fn judge(
    stamp: Stamp,
    touched: &Stamped,
    shares: &HashMap<String, share::Model>,
    links: &HashSet<(i64, String)>,
) -> Result<Verified, String> {
    let shared = shares
        .get(&stamp.share)
        .ok_or("no share of this server has that token".to_owned())?;
    matches_share(&stamp, shared)?;
    if let (Some(member), Recipient::Customer(external_userid)) =
        (touched.member_id, &stamp.recipient)
        && !links.contains(&(member, external_userid.clone()))
    {
        return Err(
            "the stamp was sent to another customer than this member (a forwarded link)".into(),
        );
    }
    Ok(Verified {
        share: stamp.share,
        guide: stamp.guide,
        store: stamp.store,
    })
}

async fn shares_by_token(
    txn: &DatabaseTransaction,
    tokens: BTreeSet<String>,
) -> Result<HashMap<String, share::Model>, DbErr> {
    let tokens: Vec<String> = tokens.into_iter().collect();
    let mut found = HashMap::new();
    for chunk in tokens.chunks(500) {
        for shared in share::Entity::find()
            .filter(share::Column::Token.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            found.insert(shared.token.clone(), shared);
        }
    }
    Ok(found)
}

/// (member, external_userid) for every member linked to a stamped customer.
async fn member_links(
    txn: &DatabaseTransaction,
    recipients: Vec<Recipient>,
) -> Result<HashSet<(i64, String)>, DbErr> {
    let external: BTreeSet<String> = recipients
        .into_iter()
        .filter_map(|r| match r {
            Recipient::Customer(id) => Some(id),
            Recipient::Chat(_) => None,
        })
        .collect();
    let external: Vec<String> = external.into_iter().collect();
    let mut links = HashSet::new();
    for chunk in external.chunks(500) {
        let customers: HashMap<i64, String> = customer::Entity::find()
            .filter(customer::Column::ExternalUserid.is_in(chunk.to_vec()))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| (c.id, c.external_userid))
            .collect();
        for link in member_customer::Entity::find()
            .filter(member_customer::Column::CustomerId.is_in(customers.keys().copied()))
            .all(txn)
            .await?
        {
            if let Some(external_userid) = customers.get(&link.customer_id) {
                links.insert((link.member_id, external_userid.clone()));
            }
        }
    }
    Ok(links)
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
