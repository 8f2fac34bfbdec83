//! Members: the brand's customers whichever channel they buy in, each matched to their WeCom
//! customer once written (`member_link`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryTrait,
};
use serde::Deserialize;

use super::member_link::{link_member, mobile_hash, normalise_mobile};
use super::record::{
    ROWS_PER_STATEMENT, RecordError, Versioned, WrittenRows, check_all, check_fen, check_id,
    check_text, delete_children, invalid, newer_wins, newest_versions, resolve, unknown_reference,
    upsert_returning,
};
use crate::entity::{member, member_tag, store};

/// `members`: a loyalty member.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberTagRecord {
    pub group: String,
    pub name: String,
}

/// Tags one member may carry.
pub const MAX_MEMBER_TAGS: usize = 100;

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
