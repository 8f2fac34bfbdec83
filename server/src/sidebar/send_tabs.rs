//! The sending tabs' lists: the coupons the guide can send this customer (优惠券), the
//! store's products (商品) and the brand's materials (素材). The guide is the session's; a
//! customer must be one they follow (else 404, as for every read).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use shared::offer::{
    MaterialCard, MaterialGroup, MaterialLibrary, MaterialRef, ProductCard, ProductPage, SkuLine,
};

use crate::auth::Guide;
use crate::commerce::materials::library;
use crate::commerce::sendable_products::{ProductOnSale, products_for_store};
use crate::commerce::staff::current_store;
use crate::config::MallSettings;
use crate::directory::scope::followed_member;
use crate::entity::material;
use crate::error::AppError;
use crate::error::SessionRefusals;
use crate::shares::coupon_offers::{CouponAsker, customer_coupons};
use crate::stamp::Recipient;

const PRODUCTS_PER_PAGE: u64 = 20;

/// `GET /api/v1/customers/{external_userid}/coupons`.
#[utoipa::path(get, path = "/api/v1/customers/{external_userid}/coupons", tag = "sidebar",
    description = "The coupons the customer holds and those this guide can send them, with what is left of each quota.",
    params(("external_userid" = String, Path, description = "WeCom's id of the customer (a contact this guide follows or followed)")),
    responses(
        (status = 200, description = "Held and sendable coupons", body = shared::offer::CustomerCoupons),
        (status = 404, description = "`not_found`: not a customer of this guide", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn coupons_for_customer(
    db: web::Data<DatabaseConnection>,
    mall: web::Data<MallSettings>,
    guide: Guide,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let member_id = followed_member(db.get_ref(), guide.id, &path).await?;
    let recipient = Recipient::Customer(path.into_inner());
    coupons_for(&db, &mall, &guide, &recipient, member_id).await
}

/// `GET /api/v1/chats/{chat_id}/coupons`: what this guide can send to a customer group chat
/// they own or are in (nothing is held by a chat).
#[utoipa::path(get, path = "/api/v1/chats/{chat_id}/coupons", tag = "sidebar",
    description = "What this guide can send to a customer group chat they own or are in (a chat holds none).",
    params(("chat_id" = String, Path, description = "WeCom's id of the customer group chat")),
    responses(
        (status = 200, description = "Held and sendable coupons", body = shared::offer::CustomerCoupons),
        (status = 404, description = "`not_found`: not a chat of this guide", body = shared::ApiError),
        (status = 502, description = "`wecom_error`", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`, `wecom_not_configured`, `wecom_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn coupons_for_chat(
    db: web::Data<DatabaseConnection>,
    mall: web::Data<MallSettings>,
    setup: web::Data<super::sending::SendingSetup>,
    wecom: Option<web::Data<crate::wecom::client::WecomClient>>,
    guide: Guide,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let wecom = crate::error::configured_wecom(&wecom)?;
    if setup
        .chats
        .chat_of(wecom, &path, &guide.userid)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let recipient = Recipient::Chat(path.into_inner());
    coupons_for(&db, &mall, &guide, &recipient, None).await
}

async fn coupons_for(
    db: &DatabaseConnection,
    mall: &MallSettings,
    guide: &Guide,
    recipient: &Recipient,
    member_id: Option<i64>,
) -> Result<HttpResponse, AppError> {
    let store_id = current_store(db, &guide.userid).await?;
    let claim_page = mall.coupon_url.is_some()
        || mall
            .miniprogram
            .as_ref()
            .is_some_and(|mp| mp.coupon_page.is_some());
    let asker = CouponAsker {
        guide_id: guide.id,
        store_id,
        member_id,
        recipient,
        claim_page,
    };
    let coupons = customer_coupons(db, &asker, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(coupons))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Part of a name or code.
    #[serde(default)]
    pub q: Option<String>,
    /// `nextCursor` of the page before.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /api/v1/products?q=&cursor=`: on sale in the guide's store, in stock.
#[utoipa::path(get, path = "/api/v1/products", tag = "sidebar",
    description = "On sale in the guide's store and in stock, 20 a page.",
    params(ProductQuery),
    responses(
        (status = 200, description = "A page of products", body = shared::offer::ProductPage),
        (status = 400, description = "`invalid_cursor`, `invalid_query` (search too long)", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn products(
    db: web::Data<DatabaseConnection>,
    guide: Guide,
    query: web::Query<ProductQuery>,
) -> Result<HttpResponse, AppError> {
    let cursor = match query.cursor.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| AppError::BadRequest {
            code: "invalid_cursor",
            message: "翻页参数无效，请从第一页重新加载".into(),
        })?),
    };
    check_search(query.q.as_deref())?;
    let store = current_store(db.get_ref(), &guide.userid).await?;
    let (found, next_cursor) = products_for_store(
        db.get_ref(),
        store,
        query.q.as_deref(),
        cursor,
        PRODUCTS_PER_PAGE,
    )
    .await?;
    let products = found.into_iter().map(product_card).collect();
    Ok(HttpResponse::Ok().json(ProductPage {
        products,
        next_cursor,
    }))
}

fn product_card(found: ProductOnSale) -> ProductCard {
    let (price_min_fen, price_max_fen) = found.price_range();
    let stock = found.stock();
    ProductCard {
        id: found.product.source_id,
        title: found.product.title,
        image_url: found.product.image_url,
        price_min_fen,
        price_max_fen,
        stock,
        skus: found
            .skus
            .into_iter()
            .map(|sku| SkuLine {
                sku: sku.sku,
                spec: sku.spec,
                price_fen: sku.price_fen,
                stock: sku.stock,
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MaterialQuery {
    /// Part of a title.
    #[serde(default)]
    pub q: Option<String>,
}

/// `GET /api/v1/materials?q=`: the brand's library, by group (the guide's session only
/// decides that they may see it: the library is the brand's, the same for every store).
#[utoipa::path(get, path = "/api/v1/materials", tag = "sidebar",
    description = "The brand's library of pages, mini-program pages and scripts, by group.",
    params(MaterialQuery),
    responses(
        (status = 200, description = "The library", body = shared::offer::MaterialLibrary),
        (status = 400, description = "`invalid_query` (search too long)", body = shared::ApiError),
        SessionRefusals,
        (status = 503, description = "`database_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn materials(
    db: web::Data<DatabaseConnection>,
    _guide: Guide,
    query: web::Query<MaterialQuery>,
) -> Result<HttpResponse, AppError> {
    check_search(query.q.as_deref())?;
    let found = library(db.get_ref(), query.q.as_deref()).await?;
    let titles: std::collections::HashMap<&str, &material::Model> =
        found.iter().map(|m| (m.source_id.as_str(), m)).collect();
    let mut groups: Vec<MaterialGroup> = Vec::new();
    for item in &found {
        let name = item.group_name.clone().unwrap_or_else(|| "未分组".into());
        let card = material_card(item, &titles);
        match groups.iter_mut().find(|group| group.name == name) {
            Some(group) => group.materials.push(card),
            None => groups.push(MaterialGroup {
                name,
                materials: vec![card],
            }),
        }
    }
    Ok(HttpResponse::Ok().json(MaterialLibrary { groups }))
}

fn material_card(
    item: &material::Model,
    listed: &std::collections::HashMap<&str, &material::Model>,
) -> MaterialCard {
    let attachment = item
        .attachment_id
        .as_deref()
        .map(|id| match listed.get(id) {
            Some(attached) => MaterialRef {
                id: id.to_owned(),
                kind: attached.kind.clone(),
                title: attached.title.clone(),
            },
            None => MaterialRef {
                id: id.to_owned(),
                kind: String::new(),
                title: String::new(),
            },
        });
    MaterialCard {
        id: item.source_id.clone(),
        kind: item.kind.clone(),
        title: item.title.clone(),
        description: item.description.clone(),
        image_url: item.image_url.clone(),
        content: item.content.clone(),
        attachment,
    }
}

/// A search's words: at most 64 characters.
fn check_search(q: Option<&str>) -> Result<(), AppError> {
    if q.is_some_and(|q| q.chars().count() > 64) {
        return Err(AppError::BadRequest {
            code: "invalid_query",
            message: "搜索词最多 64 个字".into(),
        });
    }
    Ok(())
}
