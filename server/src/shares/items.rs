//! What each kind of send is: the shared item (its id, the target the stamp goes on, a
//! coupon's rules) and the pieces its messages are made of. Refusals come before anything
//! is stored.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::coupon_offers::{face, validity};
use super::coupon_quota::quota_used_up;
use super::messages::{Card, Piece};
use super::send::{Built, SendRequest, Sending};
use super::{CouponHold, ShareError, SharedItem};
use crate::commerce::materials::active_material;
use crate::commerce::sendable_products::sendable_product;
use crate::entity::{coupon_template, coupon_template_store, material};

/// A template usable now in the guide's store, with the brand's claim page for it.
pub(super) async fn coupon_item(
    sending: &Sending<'_>,
    store: Option<i64>,
    request: &SendRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Built, ShareError> {
    let template = coupon_template::Entity::find()
        .filter(coupon_template::Column::SourceId.eq(request.id))
        .one(sending.db)
        .await?
        .ok_or(ShareError::UnknownItem)?;
    let usable_here = usable_in_store(sending.db, template.id, store).await?;
    let current = template.valid_from.is_none_or(|from| from <= now)
        && template.valid_to.is_none_or(|to| to > now);
    if !usable_here || !current {
        return Err(ShareError::Refused {
            code: "coupon_not_sendable",
            message: "这张券现在不能在本店发放（未在有效期内或本店不可用）".into(),
        });
    }
    // Used up: refused without queueing for the quota's lock (the transaction re-checks).
    if template
        .guide_quota
        .is_some_and(|quota| template.guide_quota_used >= quota)
    {
        return Err(quota_used_up());
    }
    let mall = sending.mall;
    let mini = mall.miniprogram.as_ref();
    let page = mini.and_then(|mp| mp.coupon_page.as_deref());
    let target = fill(page.or(mall.coupon_url.as_deref()), &template.source_id)?;
    let card = Card {
        title: format!("送你一张优惠券：{}", template.name),
        desc: format!("{}，{}", face(&template), validity(&template)),
        image: mall.card_image_url.clone(),
        appid: page.and(mini).map(|mp| mp.appid.clone()),
    };
    let hold = CouponHold {
        template_id: template.id,
        per_customer_limit: template.per_customer_limit,
        daily_limit: template.guide_daily_limit,
        member_id: request.member_id,
        claim_by: now + Duration::hours(mall.coupon_claim_hours),
    };
    let item = SharedItem {
        kind: "coupon",
        id: template.source_id,
        target,
        coupon: Some(hold),
    };
    Ok((item, vec![Piece::Card(card)]))
}

async fn usable_in_store(
    db: &DatabaseConnection,
    template_id: i64,
    store: Option<i64>,
) -> Result<bool, DbErr> {
    let stores: Vec<i64> = coupon_template_store::Entity::find()
        .filter(coupon_template_store::Column::TemplateId.eq(template_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.store_id)
        .collect();
    Ok(stores.is_empty() || store.is_some_and(|store| stores.contains(&store)))
}

/// A product on sale in the guide's store and in stock, with the brand's product page.
pub(super) async fn product_item(
    sending: &Sending<'_>,
    store: Option<i64>,
    id: &str,
) -> Result<Built, ShareError> {
    let found = sendable_product(sending.db, store, id)
        .await?
        .ok_or(ShareError::UnknownItem)?;
    let mall = sending.mall;
    let mini = mall.miniprogram.as_ref();
    let page = mini.and_then(|mp| mp.product_page.as_deref());
    let target = fill(
        page.or(mall.product_url.as_deref()),
        &found.product.source_id,
    )?;
    let card = Card {
        title: found.product.title.clone(),
        desc: found.price_text(),
        image: found
            .product
            .image_url
            .clone()
            .or_else(|| mall.card_image_url.clone()),
        appid: page.and(mini).map(|mp| mp.appid.clone()),
    };
    let item = SharedItem {
        kind: "product",
        id: found.product.source_id,
        target,
        coupon: None,
    };
    Ok((item, vec![Piece::Card(card)]))
}

/// A material of the library; a script is its text, then its attached material. The stamp
/// goes on the page (or the script's attached page); an image or file carries none.
pub(super) async fn material_item(
    sending: &Sending<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Built, ShareError> {
    let found = active_material(sending.db, id)
        .await?
        .ok_or(ShareError::UnknownItem)?;
    let (mut pieces, mut target) = (Vec::new(), String::new());
    let attached = match (found.kind.as_str(), &found.attachment_id) {
        ("text", Some(attachment)) => Some(
            active_material(sending.db, attachment)
                .await?
                .filter(|m| m.kind != "text")
                .ok_or(ShareError::UnknownItem)?,
        ),
        _ => None,
    };
    if let Some(content) = found.content.as_ref().filter(|_| found.kind == "text") {
        pieces.push(Piece::Text(content.clone()));
    }
    for shown in [Some(&found), attached.as_ref()].into_iter().flatten() {
        if shown.kind == "text" {
            continue;
        }
        let (piece, stamped) = material_piece(sending, shown, now).await?;
        pieces.push(piece);
        target = stamped.unwrap_or(target);
    }
    let item = SharedItem {
        kind: "material",
        id: found.source_id,
        target,
        coupon: None,
    };
    Ok((item, pieces))
}

/// One non-text material's piece, and the target its stamp goes on (pages only).
async fn material_piece(
    sending: &Sending<'_>,
    found: &material::Model,
    now: DateTime<Utc>,
) -> Result<(Piece, Option<String>), ShareError> {
    let card = |appid: Option<String>| Card {
        title: found.title.clone(),
        desc: found.description.clone().unwrap_or_default(),
        image: found
            .image_url
            .clone()
            .or_else(|| sending.mall.card_image_url.clone()),
        appid,
    };
    match found.kind.as_str() {
        "page" => Ok((Piece::Card(card(None)), found.url.clone())),
        "miniprogram" => {
            let brand = sending.mall.miniprogram.as_ref().map(|mp| mp.appid.clone());
            let appid = found.appid.clone().or(brand).ok_or(ShareError::Refused {
                code: "miniprogram_missing",
                message: "这个小程序素材没有配置小程序 appid，暂不能发送，请联系总部".into(),
            })?;
            Ok((Piece::Card(card(Some(appid))), found.page.clone()))
        }
        _ => {
            let wecom = sending.wecom.ok_or(ShareError::Refused {
                code: "wecom_not_configured",
                message: "服务器未连接企业微信，暂不能发送图片或文件".into(),
            })?;
            let media_id = sending
                .media
                .media_id(sending.db, wecom, found, now)
                .await
                .map_err(|err| {
                    tracing::warn!(material = %found.source_id, error = %err, "a material could not be uploaded");
                    ShareError::Refused {
                        code: "media_unavailable",
                        message: "图片或文件暂时无法上传到企业微信，请稍后重试".into(),
                    }
                })?;
            let piece = if found.kind == "image" {
                Piece::Image(media_id)
            } else {
                Piece::File(media_id)
            };
            Ok((piece, None))
        }
    }
}

/// The brand's page template with `{id}` filled in (URL-encoded); none configured: refused.
fn fill(template: Option<&str>, id: &str) -> Result<String, ShareError> {
    let template = template.ok_or(ShareError::Refused {
        code: "mall_page_missing",
        message: "品牌尚未配置这类内容的落地页面，暂不能发送，请联系总部".into(),
    })?;
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    Ok(template.replace("{id}", &encoded))
}
