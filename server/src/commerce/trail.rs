//! A member's behaviour trail (visits, views, carts, coupons, orders, refunds), newest
//! first, paged by a keyset cursor, each event with a one-line summary of its details.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::customer::{BehaviourEvent, TimelinePage};

use super::cursor::{self, Cursor, split_page};
use crate::entity::behaviour_event;
use crate::error::AppError;
use crate::wire::time;

/// Events a page.
pub const PAGE_SIZE: u64 = 30;

/// A page of the member's trail, newest first, after `after`.
pub async fn trail_page(
    db: &impl ConnectionTrait,
    member_id: i64,
    after: Option<Cursor>,
) -> Result<TimelinePage, AppError> {
    let mut select = behaviour_event::Entity::find()
        .filter(behaviour_event::Column::MemberId.eq(member_id))
        .order_by_desc(behaviour_event::Column::HappenedAt)
        .order_by_desc(behaviour_event::Column::Id)
        .limit(PAGE_SIZE + 1);
    if let Some(after) = after {
        select = select.filter(cursor::after(
            after,
            (behaviour_event::Entity, behaviour_event::Column::HappenedAt),
            (behaviour_event::Entity, behaviour_event::Column::Id),
        ));
    }
    let mut events = select.all(db).await?;
    let next_cursor = split_page(&mut events, PAGE_SIZE, |e| Cursor::new(e.happened_at, e.id));
    Ok(TimelinePage {
        events: events
            .into_iter()
            .map(|e| BehaviourEvent {
                kind: e.kind,
                happened_at: time(e.happened_at),
                summary: e.details.as_deref().and_then(summary),
                details: e.details,
            })
            .collect(),
        next_cursor,
    })
}

/// The first of the details' telling fields that is text.
fn summary(details: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(details).ok()?;
    ["title", "keyword", "name", "store_name", "reason"]
        .iter()
        .find_map(|key| value.get(key).and_then(|v| v.as_str()))
        .map(|text| text.chars().take(60).collect())
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn the_summary_is_the_first_telling_text_field() {
        let cases = [
            (
                r#"{"product_id": "P1", "title": "修护精华"}"#,
                Some("修护精华"),
            ),
            (r#"{"keyword":"防晒"}"#, Some("防晒")),
            (r#"{"order_id":"O1","reason":"过敏不适"}"#, Some("过敏不适")),
            (r#"{"title": 3, "name": "满300减50"}"#, Some("满300减50")),
            (r#"{"order_id":"O1"}"#, None),
            ("not json", None),
        ];
        for (details, expected) in cases {
            assert_eq!(summary(details).as_deref(), expected, "{details}");
        }
    }
}
