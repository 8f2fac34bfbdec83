//! Behaviour events: what a member did, when. They never change once they happened, so a
//! repeated event (the same source id) is stored once.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Deserialize;

use super::record::{RecordError, check_id, check_one_of, invalid, require_ref};
use crate::entity::{behaviour_event, member};

pub const KINDS: &[&str] = &[
    "browse_product",
    "search",
    "add_to_cart",
    "claim_coupon",
    "order",
    "after_sale",
    "switch_store",
];

/// `events`: one behaviour event.
#[derive(Debug, Clone, Deserialize)]
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
}

pub async fn apply(
    db: &impl ConnectionTrait,
    record: BehaviourRecord,
    now: DateTime<Utc>,
) -> Result<(), RecordError> {
    check_id("id", &record.id)?;
    check_one_of("kind", &record.kind, KINDS)?;
    let details = match &record.details {
        None | Some(serde_json::Value::Null) => None,
        Some(value @ serde_json::Value::Object(_)) => Some(value.to_string()),
        Some(_) => return Err(invalid("invalid_field", "`details` must be an object")),
    };
    if details.as_ref().is_some_and(|d| d.len() > 4096) {
        return Err(invalid("invalid_field", "`details` is over 4 KiB"));
    }
    let member_id = require_ref::<member::Entity, _>(
        db,
        member::Column::SourceId,
        "member_id",
        &record.member_id,
        |m| m.id,
    )
    .await?;
    behaviour_event::Entity::insert(behaviour_event::ActiveModel {
        source_id: Set(record.id),
        member_id: Set(member_id),
        kind: Set(record.kind),
        happened_at: Set(record.at),
        details: Set(details),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([behaviour_event::Column::SourceId])
    .exec_without_returning(db)
    .await?;
    Ok(())
}
