//! Behaviour events: what a member did, when. They never change once they happened, so a
//! repeated event (the same source id) is stored once.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::Deserialize;

use super::record::{
    ROWS_PER_STATEMENT, RecordError, check_all, check_id, check_one_of, invalid, resolve,
    unknown_reference,
};
use super::stamped::{BatchEffects, Stamped, stamp_text};
use crate::entity::{behaviour_event, member};

pub const KINDS: &[&str] = &[
    "visit",
    "browse_product",
    "search",
    "add_to_cart",
    "claim_coupon",
    "order",
    "after_sale",
    "switch_store",
    "share_onward",
];

/// `events`: one behaviour event.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BehaviourRecord {
    pub id: String,
    pub updated_at: DateTime<Utc>,
    /// The member's source id.
    pub member_id: String,
    pub kind: String,
    pub at: DateTime<Utc>,
    /// What the sidebar shows of it: `{"product_id", "title"}`, `{"keyword"}`, ….
    #[serde(default)]
    pub details: Option<serde_json::Value>,
    /// The stamp of the guide's link that led here, as the mall received it.
    #[serde(default)]
    pub stamp: Option<serde_json::Value>,
}

/// Everything about an event that needs no database; its details as stored (JSON text) and
/// its stamp as a query string.
fn check(record: &BehaviourRecord) -> Result<(Option<String>, Option<String>), RecordError> {
    check_id("id", &record.id)?;
    let stamp = stamp_text(&record.stamp)?;
    check_one_of("kind", &record.kind, KINDS)?;
    let details = match &record.details {
        None | Some(serde_json::Value::Null) => None,
        Some(value @ serde_json::Value::Object(_)) => Some(value.to_string()),
        Some(_) => return Err(invalid("invalid_field", "`details` must be an object")),
    };
    if details.as_ref().is_some_and(|d| d.len() > 4096) {
        return Err(invalid("invalid_field", "`details` is over 4 KiB"));
    }
    Ok((details, stamp))
}

/// Events come by the million too: a batch's members are resolved in one query and its
/// events inserted a thousand per statement (a repeated source id is stored once).
/// Stamped events are added to `effects` (a repeated one too: crediting is idempotent).
pub async fn apply_many(
    db: &impl ConnectionTrait,
    records: Vec<(usize, Result<BehaviourRecord, RecordError>)>,
    now: DateTime<Utc>,
    effects: &mut BatchEffects,
) -> Result<(u64, Vec<(usize, RecordError)>), DbErr> {
    let (checked, mut refused) = check_all(records, |index, record| {
        check(&record).map(|(details, stamp)| (index, record, details, stamp))
    })?;
    let members = resolve::<member::Entity>(
        db,
        member::Column::SourceId,
        checked
            .iter()
            .map(|(_, record, _, _)| record.member_id.clone()),
    )
    .await?;
    let mut rows = Vec::with_capacity(checked.len());
    for (index, record, details, stamp) in checked {
        let Some(&member_id) = members.get(&record.member_id) else {
            refused.push((index, unknown_reference("member_id", &record.member_id)));
            continue;
        };
        if let Some(stamp) = stamp {
            effects.stamped.push(Stamped {
                source_kind: "event",
                source_id: record.id.clone(),
                member_id: Some(member_id),
                kind: record.kind.clone(),
                at: record.at,
                stamp,
            });
        }
        rows.push(behaviour_event::ActiveModel {
            source_id: Set(record.id),
            member_id: Set(member_id),
            kind: Set(record.kind),
            happened_at: Set(record.at),
            details: Set(details),
            created_at: Set(now),
            ..Default::default()
        });
    }
    let accepted = rows.len() as u64;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        behaviour_event::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([behaviour_event::Column::SourceId])
            .exec_without_returning(db)
            .await?;
    }
    Ok((accepted, refused))
}
