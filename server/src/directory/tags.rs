//! Corp tags: the local mirror of WeCom's tag catalogue (groups and tags, with their order and
//! whether WeCom deleted them), the tags each guide has put on each customer, and marking tags
//! through WeCom (write-through: WeCom first; if it refuses, nothing changes here).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

use super::relation_status;
use crate::database::begin_write;
use crate::entity::{customer, guide_customer, guide_customer_tag, tag, tag_group};
use crate::wecom::api::{CorpTag, CorpTagGroup, MarkTag};
use crate::wecom::client::{WecomClient, WecomError};

/// What mirroring the catalogue changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueCounts {
    pub groups: usize,
    pub tags: usize,
    /// Groups and tags that WeCom no longer lists, now marked deleted.
    pub deleted: u64,
}

/// Makes the local catalogue what WeCom says it is. Groups and tags WeCom no longer lists are
/// kept but marked deleted, so tags a customer had still read in their history.
pub async fn mirror_catalogue(
    db: &DatabaseConnection,
    groups: &[CorpTagGroup],
    now: DateTime<Utc>,
) -> Result<CatalogueCounts, DbErr> {
    let txn = begin_write(db).await?;
    let mut counts = CatalogueCounts::default();
    let mut seen_groups = Vec::with_capacity(groups.len());
    let mut seen_tags = Vec::new();
    for group in groups {
        let local_id = upsert_group(&txn, group, now).await?;
        seen_groups.push(group.group_id.clone());
        counts.groups += 1;
        for corp_tag in &group.tag {
            upsert_tag(&txn, local_id, group.deleted, corp_tag, now).await?;
            seen_tags.push(corp_tag.id.clone());
            counts.tags += 1;
        }
    }
    counts.deleted += tag_group::Entity::update_many()
        .col_expr(tag_group::Column::Deleted, true.into())
        .col_expr(tag_group::Column::UpdatedAt, now.into())
        .filter(tag_group::Column::Deleted.eq(false))
        .filter(tag_group::Column::WecomGroupId.is_not_in(seen_groups))
        .exec(&txn)
        .await?
        .rows_affected;
    counts.deleted += tag::Entity::update_many()
        .col_expr(tag::Column::Deleted, true.into())
        .col_expr(tag::Column::UpdatedAt, now.into())
        .filter(tag::Column::Deleted.eq(false))
        .filter(tag::Column::WecomTagId.is_not_in(seen_tags))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(counts)
}

/// The group as WeCom lists it, inserted or updated; its local id.
async fn upsert_group(
    db: &impl ConnectionTrait,
    group: &CorpTagGroup,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    tag_group::Entity::insert(tag_group::ActiveModel {
        wecom_group_id: Set(group.group_id.clone()),
        name: Set(group.group_name.clone()),
        sort_order: Set(clamp_order(group.order)),
        deleted: Set(group.deleted),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(tag_group::Column::WecomGroupId)
            .update_columns([
                tag_group::Column::Name,
                tag_group::Column::SortOrder,
                tag_group::Column::Deleted,
                tag_group::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let local = tag_group::Entity::find()
        .filter(tag_group::Column::WecomGroupId.eq(&group.group_id))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("tag group {}", group.group_id)))?;
    Ok(local.id)
}

/// The tag as WeCom lists it in its group (deleted with its group), inserted or updated.
async fn upsert_tag(
    db: &impl ConnectionTrait,
    group_id: i64,
    group_deleted: bool,
    corp_tag: &CorpTag,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    tag::Entity::insert(tag::ActiveModel {
        wecom_tag_id: Set(corp_tag.id.clone()),
        group_id: Set(group_id),
        name: Set(corp_tag.name.clone()),
        sort_order: Set(clamp_order(corp_tag.order)),
        deleted: Set(group_deleted || corp_tag.deleted),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(tag::Column::WecomTagId)
            .update_columns([
                tag::Column::GroupId,
                tag::Column::Name,
                tag::Column::SortOrder,
                tag::Column::Deleted,
                tag::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn clamp_order(order: i64) -> i32 {
    i32::try_from(order).unwrap_or(if order < 0 { i32::MIN } else { i32::MAX })
}

/// Local tag ids for WeCom tag ids; the ones not in the catalogue are returned apart.
async fn resolve(
    db: &impl ConnectionTrait,
    wecom_ids: &[String],
) -> Result<(HashMap<String, tag::Model>, Vec<String>), DbErr> {
    if wecom_ids.is_empty() {
        return Ok((HashMap::new(), Vec::new()));
    }
    let found: HashMap<String, tag::Model> = tag::Entity::find()
        .filter(tag::Column::WecomTagId.is_in(wecom_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.wecom_tag_id.clone(), t))
        .collect();
    let unknown = wecom_ids
        .iter()
        .filter(|id| !found.contains_key(*id))
        .cloned()
        .collect();
    Ok((found, unknown))
}

/// Makes a relation's corp tags exactly `wecom_ids` (what WeCom reports for it). Returns the
/// ids not in the local catalogue (yet): the caller syncs the catalogue and comes back.
pub async fn set_relation_tags(
    db: &impl ConnectionTrait,
    relation_id: i64,
    wecom_ids: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let (found, unknown) = resolve(db, wecom_ids).await?;
    let wanted: HashSet<i64> = found.values().map(|t| t.id).collect();
    let current: HashSet<i64> = guide_customer_tag::Entity::find()
        .filter(guide_customer_tag::Column::GuideCustomerId.eq(relation_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.tag_id)
        .collect();
    let to_remove: Vec<i64> = current.difference(&wanted).copied().collect();
    let to_add: Vec<i64> = wanted.difference(&current).copied().collect();
    remove_tags(db, relation_id, &to_remove).await?;
    add_tags(db, relation_id, &to_add, now).await?;
    Ok(unknown)
}

async fn add_tags(
    db: &impl ConnectionTrait,
    relation_id: i64,
    tag_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if tag_ids.is_empty() {
        return Ok(());
    }
    let rows = tag_ids
        .iter()
        .map(|tag_id| guide_customer_tag::ActiveModel {
            guide_customer_id: Set(relation_id),
            tag_id: Set(*tag_id),
            created_at: Set(now),
            ..Default::default()
        });
    guide_customer_tag::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([
            guide_customer_tag::Column::GuideCustomerId,
            guide_customer_tag::Column::TagId,
        ])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

async fn remove_tags(
    db: &impl ConnectionTrait,
    relation_id: i64,
    tag_ids: &[i64],
) -> Result<(), DbErr> {
    if tag_ids.is_empty() {
        return Ok(());
    }
    guide_customer_tag::Entity::delete_many()
        .filter(guide_customer_tag::Column::GuideCustomerId.eq(relation_id))
        .filter(guide_customer_tag::Column::TagId.is_in(tag_ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Why tags could not be marked.
#[derive(Debug, thiserror::Error)]
pub enum MarkTagError {
    /// The guide does not (or no longer) follow this customer: to them it does not exist.
    #[error("the guide does not follow this customer")]
    NotFollowed,
    #[error("no tag to add or remove")]
    NothingToMark,
    /// Not in the catalogue, or deleted in WeCom.
    #[error("unknown or deleted tag {0}")]
    UnknownTag(String),
    #[error(transparent)]
    Wecom(#[from] WecomError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Who marks: the signed-in guide.
pub struct Marker<'a> {
    pub guide_id: i64,
    pub userid: &'a str,
}

/// Adds and removes corp tags on a customer the guide follows: WeCom first, and only when
/// WeCom accepted, the local copy. Marking what is already so is harmless (WeCom and we both
/// treat it as a no-op), so a double tap changes nothing twice.
pub async fn mark_tags(
    db: &DatabaseConnection,
    wecom: &WecomClient,
    marker: Marker<'_>,
    external_userid: &str,
    add: &[String],
    remove: &[String],
    now: DateTime<Utc>,
) -> Result<(), MarkTagError> {
    if add.is_empty() && remove.is_empty() {
        return Err(MarkTagError::NothingToMark);
    }
    let relation = active_relation(db, marker.guide_id, external_userid)
        .await?
        .ok_or(MarkTagError::NotFollowed)?;
    let requested: Vec<String> = add.iter().chain(remove).cloned().collect();
    let (found, unknown) = resolve(db, &requested).await?;
    if let Some(id) = unknown.into_iter().next() {
        return Err(MarkTagError::UnknownTag(id));
    }
    if let Some(deleted) = add
        .iter()
        .find(|id| found.get(*id).is_some_and(|t| t.deleted))
    {
        return Err(MarkTagError::UnknownTag(deleted.clone()));
    }
    // Nothing has changed here yet: WeCom is asked first.
    wecom
        .mark_tag(&MarkTag {
            userid: marker.userid,
            external_userid,
            add_tag: add,
            remove_tag: remove,
        })
        .await?;

    let local_ids = |ids: &[String]| -> Vec<i64> {
        ids.iter()
            .filter_map(|id| found.get(id))
            .map(|t| t.id)
            .collect()
    };
    let txn = begin_write(db).await?;
    remove_tags(&txn, relation.id, &local_ids(remove)).await?;
    add_tags(&txn, relation.id, &local_ids(add), now).await?;
    txn.commit().await?;
    Ok(())
}

async fn active_relation(
    db: &impl ConnectionTrait,
    guide_id: i64,
    external_userid: &str,
) -> Result<Option<guide_customer::Model>, DbErr> {
    let Some(customer) = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    guide_customer::Entity::find()
        .filter(guide_customer::Column::GuideId.eq(guide_id))
        .filter(guide_customer::Column::CustomerId.eq(customer.id))
        .filter(guide_customer::Column::Status.eq(relation_status::ACTIVE))
        .one(db)
        .await
}

/// A customer's corp tags as one guide sees them: (group, tag) in catalogue order, live only.
/// One query: the relation's tags joined to their groups.
pub async fn relation_tags(
    db: &impl ConnectionTrait,
    relation_id: i64,
) -> Result<Vec<(tag_group::Model, tag::Model)>, DbErr> {
    let on_relation = Query::select()
        .column(guide_customer_tag::Column::TagId)
        .from(guide_customer_tag::Entity)
        .and_where(guide_customer_tag::Column::GuideCustomerId.eq(relation_id))
        .to_owned();
    let rows = tag::Entity::find()
        .find_also_related(tag_group::Entity)
        .filter(tag::Column::Id.in_subquery(on_relation))
        .filter(tag::Column::Deleted.eq(false))
        .all(db)
        .await?;
    let mut pairs: Vec<_> = rows
        .into_iter()
        .filter_map(|(t, g)| g.map(|g| (g, t)))
        .collect();
    pairs.sort_by_key(|(g, t)| (g.sort_order, g.id, t.sort_order, t.id));
    Ok(pairs)
}
