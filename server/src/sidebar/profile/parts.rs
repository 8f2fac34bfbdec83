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
    let mut groups: Vec<TagGroup> = Vec::new();
    for tag in tags {
        if groups.last().is_none_or(|g| g.group_id != tag.group_id) {
            groups.push(TagGroup {
                group_id: tag.group_id,
                name: tag.group_name,
                source: "wecom".into(),
                tags: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.tags.push(Tag {
                tag_id: tag.tag_id,
                name: tag.tag_name,
            });
        }
    }
    groups
}

/// The brand's tags grouped by their group's name (`source` `mall`), in the order given.
pub fn mall_tag_groups(tags: Vec<MallTag>) -> Vec<TagGroup> {
    let mut groups: Vec<TagGroup> = Vec::new();
    for tag in tags {
        if groups.last().is_none_or(|g| g.name != tag.group) {
            groups.push(TagGroup {
                group_id: tag.group.clone(),
                name: tag.group,
                source: "mall".into(),
                tags: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.tags.push(Tag {
                tag_id: tag.tag.clone(),
                name: tag.tag,
            });
        }
    }
    groups
}
