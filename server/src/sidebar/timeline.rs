//! `GET /api/v1/customers/{external_userid}/timeline?cursor=`: what the customer did in the
//! brand's mall and stores (browsing, searches, carts, coupons, orders, after-sales), newest
//! first.

use actix_web::{HttpResponse, web};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use shared::customer::{BehaviourEvent, TimelinePage};

use super::cursor::{self, Cursor, split_page};
use super::orders::PageQuery;
use super::scope::followed_member;
use super::time;
use crate::auth::Guide;
use crate::entity::behaviour_event;
use crate::error::AppError;

/// Events a page.
pub const PAGE_SIZE: u64 = 30;

pub async fn customer_timeline(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let member = followed_member(db, guide.id, &path).await?;
    let after = query.cursor.as_deref().map(Cursor::parse).transpose()?;
    let Some(member_id) = member else {
        return Ok(HttpResponse::Ok().json(TimelinePage {
            events: Vec::new(),
            next_cursor: None,
        }));
    };
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
    Ok(HttpResponse::Ok().json(TimelinePage {
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
    }))
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
