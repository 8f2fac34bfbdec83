//! The sending tabs' API: what the guide can send this customer (coupons) or anyone (the
//! store's products), and `POST /api/v1/shares`, which prepares a stamped share and answers
//! the `sendChatMessage` payloads. Who sends is the session's guide; the recipient must be a
//! customer that guide follows (else 404, as for every read).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use shared::offer::{ProductCard, ProductPage, SkuLine};
use shared::share::{ShareRecipient, ShareRequest};

use crate::auth::Guide;
use crate::commerce::sendable_products::{ProductOnSale, products_for_store};
use crate::commerce::staff::current_store;
use crate::config::{MallSettings, PublicUrl, StampSettings};
use crate::database::WriteGate;
use crate::directory::scope::followed_member;
use crate::error::AppError;
use crate::shares::coupon_offers::{CouponAsker, customer_coupons};
use crate::shares::coupon_quota::QuotaLanes;
use crate::shares::send::{SendRequest, Sending, send_item};
use crate::shares::{Sender, ShareError};
use crate::stamp::Recipient;

const PRODUCTS_PER_PAGE: u64 = 20;

/// `GET /api/v1/customers/{external_userid}/coupons`.
pub async fn coupons_for_customer(
    db: web::Data<DatabaseConnection>,
    mall: web::Data<MallSettings>,
    guide: Guide,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let member_id = followed_member(db.get_ref(), guide.id, &path).await?;
    let store_id = current_store(db.get_ref(), &guide.userid).await?;
    let recipient = Recipient::Customer(path.into_inner());
    let claim_page = mall.coupon_url.is_some()
        || mall
            .miniprogram
            .as_ref()
            .is_some_and(|mp| mp.coupon_page.is_some());
    let asker = CouponAsker {
        guide_id: guide.id,
        store_id,
        member_id,
        recipient: &recipient,
        claim_page,
    };
    let coupons = customer_coupons(db.get_ref(), &asker, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(coupons))
}

#[derive(Debug, Deserialize)]
pub struct ProductQuery {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `GET /api/v1/products?q=&cursor=`: on sale in the guide's store, in stock.
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
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 64) {
        return Err(AppError::BadRequest {
            code: "invalid_query",
            message: "搜索词最多 64 个字".into(),
        });
    }
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

/// What `POST /api/v1/shares` needs from the server's configuration.
pub struct SendingSetup {
    pub gate: WriteGate,
    pub lanes: QuotaLanes,
    pub stamping: Option<StampSettings>,
    pub mall: MallSettings,
}

/// `POST /api/v1/shares`: `201` with a new share, `200` with the one this idempotency key
/// already made, `409` when a quota or limit refuses it.
pub async fn create_share(
    db: web::Data<DatabaseConnection>,
    setup: web::Data<SendingSetup>,
    public_url: web::Data<PublicUrl>,
    guide: Guide,
    body: web::Json<ShareRequest>,
) -> Result<HttpResponse, AppError> {
    let Some(stamping) = &setup.stamping else {
        return Err(AppError::Unavailable {
            code: "stamp_not_configured",
            message: "服务器未配置链接签名密钥（GUIDEDESK_STAMP_KEYS），暂不能发送".into(),
        });
    };
    let (recipient, member_id) = match &body.to {
        ShareRecipient::Customer(id) => {
            let member_id = followed_member(db.get_ref(), guide.id, id).await?;
            (Recipient::Customer(id.clone()), member_id)
        }
        ShareRecipient::Chat(_) => {
            return Err(AppError::BadRequest {
                code: "chat_unsupported",
                message: "暂不支持向群聊发送".into(),
            });
        }
    };
    let sending = Sending {
        db: db.get_ref(),
        gate: &setup.gate,
        lanes: &setup.lanes,
        stamping,
        mall: &setup.mall,
        public_url: public_url.as_str(),
    };
    let sender = Sender {
        guide_id: guide.id,
        staff_userid: guide.userid.clone(),
    };
    let request = SendRequest {
        kind: &body.kind,
        id: &body.id,
        idempotency_key: &body.idempotency_key,
        member_id,
    };
    match send_item(&sending, &sender, &recipient, &request).await {
        Ok((prepared, true)) => Ok(HttpResponse::Created().json(prepared)),
        Ok((prepared, false)) => Ok(HttpResponse::Ok().json(prepared)),
        Err(err) => Err(share_error(err)),
    }
}

fn share_error(err: ShareError) -> AppError {
    match err {
        ShareError::Refused { code, message } => AppError::Conflict { code, message },
        ShareError::KeyReused => AppError::Conflict {
            code: "idempotency_key_reused",
            message: "这个发送编号已用于另一次发送，请刷新后重试".into(),
        },
        ShareError::BadKey => AppError::BadRequest {
            code: "invalid_idempotency_key",
            message: "idempotency_key 须为 1 到 64 个字符".into(),
        },
        ShareError::UnknownItem => AppError::NotFound,
        ShareError::WrongState(message) => AppError::Conflict {
            code: "share_state",
            message: message.into(),
        },
        ShareError::Database(err) => err.into(),
        other => AppError::Internal(other.into()),
    }
}
