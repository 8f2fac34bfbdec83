//! The 订单 and 动态 tabs: a customer's orders, one order in full, and the behaviour trail.
//! Each handler: who is asking (`Guide`) → is this customer (or order) theirs
//! (`directory::scope`) → the commerce read → the wire type.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use shared::customer::{OrdersPage, TimelinePage};

use crate::auth::Guide;
use crate::commerce::cursor::Cursor;
use crate::commerce::order_history::{find_order, order_in_full, orders_page};
use crate::commerce::trail::trail_page;
use crate::directory::scope::{followed_member, guide_follows_member};
use crate::error::AppError;
use crate::error::SessionRefusals;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `nextCursor` of the page before; left out for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /api/v1/customers/{external_userid}/orders?cursor=`.
#[utoipa::path(get, path = "/api/v1/customers/{external_userid}/orders", tag = "sidebar",
    description = "The customer's orders, newest first, a page at a time.",
    params(("external_userid" = String, Path, description = "WeCom's id of the customer (a contact this guide follows or followed)"), PageQuery),
    responses(
        (status = 200, description = "A page of orders", body = shared::customer::OrdersPage),
        (status = 400, description = "`invalid_cursor`: start again from the first page", body = shared::ApiError),
        (status = 404, description = "`not_found`: not a customer of this guide", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn customer_orders(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (member, after) = member_and_cursor(&db, &guide, &path, &query).await?;
    let page = match member {
        Some(member_id) => orders_page(db.get_ref(), member_id, after).await?,
        None => OrdersPage {
            orders: Vec::new(),
            next_cursor: None,
        },
    };
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /api/v1/customers/{external_userid}/timeline?cursor=`.
#[utoipa::path(get, path = "/api/v1/customers/{external_userid}/timeline", tag = "sidebar",
    description = "What the customer did in the mall (visits, carts, claims), newest first.",
    params(("external_userid" = String, Path, description = "WeCom's id of the customer (a contact this guide follows or followed)"), PageQuery),
    responses(
        (status = 200, description = "A page of events", body = shared::customer::TimelinePage),
        (status = 400, description = "`invalid_cursor`: start again from the first page", body = shared::ApiError),
        (status = 404, description = "`not_found`: not a customer of this guide", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn customer_timeline(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let (member, after) = member_and_cursor(&db, &guide, &path, &query).await?;
    let page = match member {
        Some(member_id) => trail_page(db.get_ref(), member_id, after).await?,
        None => TimelinePage {
            events: Vec::new(),
            next_cursor: None,
        },
    };
    Ok(HttpResponse::Ok().json(page))
}

/// What both lists start from: the member behind the guide's customer (`None`: no member is
/// linked, an empty list; 404 when the customer is not theirs) and the page asked for.
async fn member_and_cursor(
    db: &DatabaseConnection,
    guide: &Guide,
    external_userid: &str,
    query: &PageQuery,
) -> Result<(Option<i64>, Option<Cursor>), AppError> {
    let member = followed_member(db, guide.id, external_userid).await?;
    let after = query.cursor.as_deref().map(Cursor::parse).transpose()?;
    Ok((member, after))
}

/// `GET /api/v1/orders/{id}`: an order of a customer the guide follows or followed.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "sidebar",
    description = "An order of a customer the guide follows or followed: items, payments, shipments.",
    params(("id" = String, Path, description = "The order's id as the sidebar got it")),
    responses(
        (status = 200, description = "The order", body = shared::customer::OrderDetail),
        (status = 404, description = "`not_found`: no such order, or not this guide's customer's", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn order_detail(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let db = db.get_ref();
    let id: i64 = path.parse().map_err(|_| AppError::NotFound)?;
    let found = find_order(db, id).await?.ok_or(AppError::NotFound)?;
    let member_id = found.member_id.ok_or(AppError::NotFound)?;
    if !guide_follows_member(db, guide.id, member_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::Ok().json(order_in_full(db, found).await?))
}
