//! What a profile is made of, as read from the database by either reader, before the derived
//! parts (status, tag groups) are worked out. Both readers fill the same struct, so the
//! profile the guide sees cannot depend on which database the brand runs.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::customer::{Contact, ExclusiveGuide, Member, OrderSummary, Tag, TagGroup};

/// The profile's facts. Deserialised from the one-statement reader's JSON (wire names), built
/// field by field by the composed reader.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileParts {
    pub contact: Contact,
    pub exclusive_guide: Option<ExclusiveGuide>,
    /// The signed-in guide's corp tags on the customer, in catalogue order.
    pub corp_tags: Vec<CorpTag>,
    pub member: Option<Member>,
    /// The member's own tags (the brand's), by group name then tag name.
    pub mall_tags: Vec<MallTag>,
    pub recent_orders: Vec<OrderSummary>,
    /// When the newest order was placed, exact: the days since are counted from it.
    pub last_order_at: Option<DateTime<Utc>>,
    pub spend_12m_fen: i64,
    pub usable_coupons: u32,
}

/// A corp tag with its group; read from `[group_id, group_name, tag_id, tag_name]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CorpTag {
    pub group_id: String,
    pub group_name: String,
    pub tag_id: String,
    pub tag_name: String,
}

/// One of the brand's tags on a member; read from `[group, tag]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MallTag {
    pub group: String,
    pub tag: String,
}

/// Corp tags grouped (`source` `wecom`), in the order given.
pub fn corp_tag_groups(tags: Vec<CorpTag>) -> Vec<TagGroup> {
    grouped(
        "wecom",
        tags.into_iter()
            .map(|t| (t.group_id, t.group_name, t.tag_id, t.tag_name)),
    )
}

/// The brand's tags grouped by their group's name (`source` `mall`), in the order given; a
/// brand's tag has no id but its name.
pub fn mall_tag_groups(tags: Vec<MallTag>) -> Vec<TagGroup> {
    grouped(
        "mall",
        tags.into_iter()
            .map(|t| (t.group.clone(), t.group, t.tag.clone(), t.tag)),
    )
}

/// `(group id, group name, tag id, tag name)` rows, sorted by group, as tag groups.
fn grouped(
    source: &str,
    rows: impl Iterator<Item = (String, String, String, String)>,
) -> Vec<TagGroup> {
    let mut groups: Vec<TagGroup> = Vec::new();
    for (group_id, group_name, tag_id, tag_name) in rows {
        if groups.last().is_none_or(|g| g.group_id != group_id) {
            groups.push(TagGroup {
                group_id,
                name: group_name,
                source: source.into(),
                tags: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.tags.push(Tag {
                tag_id,
                name: tag_name,
            });
        }
    }
    groups
}
