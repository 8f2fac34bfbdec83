//! Members, and their link to the WeCom customer: by the `external_userid` the source gives,
//! else by unionid (the same WeChat user), else by mobile (a number the guide recorded for
//! the contact). The mobile itself is never stored: its hash (for matching) and last four
//! digits (for display) are.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryTrait,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::record::{
    ROWS_PER_STATEMENT, RecordError, Versioned, WrittenRows, check_all, check_fen, check_id,
    check_text, delete_children, invalid, newer_wins, newest_versions, resolve, unknown_reference,
    upsert_returning,
};
use crate::entity::{customer, member, member_customer, member_tag, store};

/// `members`: a loyalty member.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    pub name: String,
    /// A mainland mobile number (`13812345678`, `+86 138-1234-5678`).
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub unionid: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub points: i64,
    #[serde(default)]
    pub balance_fen: i64,
    /// The home store's source id.
    #[serde(default)]
    pub home_store_id: Option<String>,
    #[serde(default)]
    pub registered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub birthday: Option<NaiveDate>,
    /// The WeCom customer this member is, when the source knows it.
    #[serde(default)]
    pub external_userid: Option<String>,
    /// The brand's own tags on the member (商城标签); each newer version replaces them all.
    #[serde(default)]
    pub tags: Vec<MemberTagRecord>,
}

/// One of the brand's tags: its group (`肤质`) and its value (`敏感肌`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct MemberTagRecord {
    pub group: String,
    pub name: String,
}

/// Tags one member may carry.
pub const MAX_MEMBER_TAGS: usize = 100;

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

/// A member that passed the checks needing no database: its mobile, normalised.
struct Checked {
    index: usize,
    record: MemberRecord,
    mobile: Option<String>,
}

fn check(index: usize, record: MemberRecord) -> Result<Checked, RecordError> {
    check_id("id", &record.id)?;
    check_text("name", &record.name, 64)?;
    check_fen("balance_fen", record.balance_fen)?;
    if record.tags.len() > MAX_MEMBER_TAGS {
        return Err(invalid(
            "invalid_field",
            format!("`tags` holds at most {MAX_MEMBER_TAGS} tags"),
        ));
    }
    for (n, tag) in record.tags.iter().enumerate() {
        check_text(&format!("tags[{n}].group"), &tag.group, 32)?;
        check_text(&format!("tags[{n}].name"), &tag.name, 32)?;
    }
    if record.points < 0 {
        return Err(invalid("invalid_field", "`points` must be 0 or more"));
    }
    let mobile = match record.mobile.as_deref().filter(|m| !m.trim().is_empty()) {
        None => None,
        Some(text) => Some(normalise_mobile(text).ok_or_else(|| {
            invalid("invalid_mobile", "`mobile` is not a mainland mobile number")
        })?),
    };
    Ok(Checked {
        index,
        record,
        mobile,
    })
}

/// Members are loaded by the million as well: a batch's home stores are resolved in one query
/// and its members upserted a thousand per statement (a version not newer than the stored one
/// is not written); each member written is then matched to their WeCom customer.
pub async fn apply_many(
    db: &impl ConnectionTrait,
    records: Vec<(usize, Result<MemberRecord, RecordError>)>,
    now: DateTime<Utc>,
) -> Result<(u64, Vec<(usize, RecordError)>), DbErr> {
    let (checked, mut refused) = check_all(records, check)?;
    let stores = resolve::<store::Entity>(
        db,
        store::Column::SourceId,
        checked
            .iter()
            .filter_map(|c| c.record.home_store_id.clone()),
    )
    .await?;
    let (accepted, resolved) = with_home_stores(checked, &stores, &mut refused);
    let members = newest_versions(resolved);
    let written = upsert_members(db, &members, now).await?;
    replace_tags(db, &members, &written.ids, &written.updated).await?;
    match_written(db, &members, &written.ids, now).await?;
    Ok((accepted, refused))
}

/// Each member with its home store's id; a member naming an unknown home store is refused.
/// Also how many were accepted.
fn with_home_stores(
    checked: Vec<Checked>,
    stores: &HashMap<String, i64>,
    refused: &mut Vec<(usize, RecordError)>,
) -> (u64, Vec<(Option<i64>, Checked)>) {
    let mut resolved = Vec::with_capacity(checked.len());
    for member in checked {
        let home_store = match &member.record.home_store_id {
            None => None,
            Some(source) => match stores.get(source) {
                Some(id) => Some(*id),
                None => {
                    refused.push((member.index, unknown_reference("home_store_id", source)));
                    continue;
                }
            },
        };
        resolved.push((home_store, member));
    }
    (resolved.len() as u64, resolved)
}

impl Versioned for Checked {
    fn source_id(&self) -> &str {
        &self.record.id
    }

    fn version(&self) -> DateTime<Utc> {
        self.record.updated_at
    }
}

/// Upserts the members a thousand per statement; a version not newer than the stored one is
/// not written.
async fn upsert_members(
    db: &impl ConnectionTrait,
    members: &[(Option<i64>, Checked)],
    now: DateTime<Utc>,
) -> Result<WrittenRows, DbErr> {
    let mut written = WrittenRows::default();
    for chunk in members.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk
            .iter()
            .map(|(home_store, member)| member_row(member, *home_store, now));
        let on_conflict = newer_wins::<member::Entity>(
            member::Column::SourceId,
            member::Column::SourceUpdatedAt,
            [
                member::Column::Name,
                member::Column::MobileHash,
                member::Column::MobileLast4,
                member::Column::Unionid,
                member::Column::Level,
                member::Column::Points,
                member::Column::BalanceFen,
                member::Column::HomeStoreId,
                member::Column::RegisteredAt,
                member::Column::Birthday,
                member::Column::SourceUpdatedAt,
                member::Column::UpdatedAt,
            ],
        );
        let insert = member::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .into_query();
        written.add(upsert_returning(db, insert).await?);
    }
    Ok(written)
}

fn member_row(
    member: &Checked,
    home_store: Option<i64>,
    now: DateTime<Utc>,
) -> member::ActiveModel {
    let record = &member.record;
    member::ActiveModel {
        source_id: Set(record.id.clone()),
        name: Set(record.name.clone()),
        mobile_hash: Set(member.mobile.as_deref().map(mobile_hash)),
        mobile_last4: Set(member
            .mobile
            .as_deref()
            .map(|m| m[m.len() - 4..].to_owned())),
        unionid: Set(record.unionid.clone().filter(|u| !u.is_empty())),
        level: Set(record.level.clone()),
        points: Set(record.points),
        balance_fen: Set(record.balance_fen),
        home_store_id: Set(home_store),
        registered_at: Set(record.registered_at),
        birthday: Set(record.birthday),
        source_updated_at: Set(record.updated_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Each member written (new, or a newer version) is matched to their WeCom customer again,
/// in source-id order.
async fn match_written(
    db: &impl ConnectionTrait,
    members: &[(Option<i64>, Checked)],
    written: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let explicit: HashMap<&str, &str> = members
        .iter()
        .filter_map(|(_, m)| Some((m.record.id.as_str(), m.record.external_userid.as_deref()?)))
        .collect();
    let ids: Vec<i64> = members
        .iter()
        .filter_map(|(_, m)| written.get(&m.record.id).copied())
        .collect();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let models = member::Entity::find()
            .filter(member::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for model in models {
            let given = explicit.get(model.source_id.as_str()).copied();
            link_member(db, &model, given, now).await?;
        }
    }
    Ok(())
}

/// The written members' tags are those of the version just written (a new member has none
/// to delete).
async fn replace_tags(
    db: &impl ConnectionTrait,
    members: &[(Option<i64>, Checked)],
    written: &HashMap<String, i64>,
    updated: &[i64],
) -> Result<(), DbErr> {
    delete_children::<member_tag::Entity>(db, member_tag::Column::MemberId, updated).await?;
    let mut rows = Vec::new();
    for (_, member) in members {
        let Some(id) = written.get(&member.record.id) else {
            continue;
        };
        let mut tags = member.record.tags.clone();
        tags.sort();
        tags.dedup();
        rows.extend(tags.into_iter().map(|tag| member_tag::ActiveModel {
            member_id: Set(*id),
            group_name: Set(tag.group),
            tag_name: Set(tag.name),
            ..Default::default()
        }));
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        member_tag::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
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
