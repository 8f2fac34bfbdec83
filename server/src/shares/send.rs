//! `POST /api/v1/shares`'s flow, one straight line: find what is sent (a coupon template
//! usable now in the guide's store, a product on sale there), fill the brand's page template
//! for it, [`prepare_share`] (stamp, store, quotas), and write the `sendChatMessage`
//! payloads the page sends in order.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use shared::share::{ChatMessage, PreparedShare};

use super::coupon_quota::{QuotaLanes, refuse_if_used_up};
use super::messages::{Card, card_messages};
use super::{CouponHold, Sender, ShareError, SharedItem, prepare_share};
use crate::commerce::staff::current_store;
use crate::config::{MallSettings, StampSettings};
use crate::database::WriteGate;
use crate::entity::{coupon_template, coupon_template_store, share};
use crate::stamp::Recipient;

/// What a send needs besides who sends what to whom.
pub struct Sending<'a> {
    pub db: &'a DatabaseConnection,
    pub gate: &'a WriteGate,
    pub lanes: &'a QuotaLanes,
    pub stamping: &'a StampSettings,
    pub mall: &'a MallSettings,
    /// Where the short links live (`{public_url}/s/{token}`).
    pub public_url: &'a str,
}

/// What the guide asked to send.
pub struct SendRequest<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub idempotency_key: &'a str,
    /// The recipient's member (a customer's), whose coupons count towards its limit.
    pub member_id: Option<i64>,
}

/// The share (`true`: created now) and what the page sends.
pub async fn send_item(
    sending: &Sending<'_>,
    sender: &Sender,
    recipient: &Recipient,
    request: &SendRequest<'_>,
) -> Result<(PreparedShare, bool), ShareError> {
    let now = Utc::now();
    let store = current_store(sending.db, &sender.staff_userid).await?;
    let (item, card) = match request.kind {
        "coupon" => coupon_item(sending, store, request, now).await?,
        "product" => product_item(sending, store, request.id).await?,
        _ => return Err(ShareError::UnknownItem),
    };
    // A coupon's sends queue in its lane here, before they take a connection.
    let _lane = match &item.coupon {
        Some(hold) => {
            let lane = sending.lanes.enter(hold.template_id).await;
            refuse_if_used_up(sending.db, hold.template_id).await?;
            Some(lane)
        }
        None => None,
    };
    let (share, created) = prepare_share(
        sending.db,
        sending.gate,
        sending.stamping,
        sender,
        recipient,
        &item,
        request.idempotency_key,
    )
    .await?;
    let messages = messages_for(sending, &share, &card);
    let link = is_web(&share.link).then(|| short_link(sending.public_url, &share.token));
    let prepared = PreparedShare {
        token: share.token,
        link,
        messages,
        state: share.state,
    };
    Ok((prepared, created))
}

fn messages_for(sending: &Sending<'_>, share: &share::Model, card: &Card) -> Vec<ChatMessage> {
    let appid = sending
        .mall
        .miniprogram
        .as_ref()
        .map(|mp| mp.appid.as_str());
    let web_link = is_web(&share.link).then(|| short_link(sending.public_url, &share.token));
    card_messages(card, web_link, &share.link, appid)
}

fn is_web(link: &str) -> bool {
    link.starts_with("https://") || link.starts_with("http://")
}

pub fn short_link(public_url: &str, token: &str) -> String {
    format!("{}/s/{token}", public_url.trim_end_matches('/'))
}

/// A template usable now in the guide's store, with the brand's claim page for it.
async fn coupon_item(
    sending: &Sending<'_>,
    store: Option<i64>,
    request: &SendRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(SharedItem, Card), ShareError> {
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
        return Err(super::coupon_quota::quota_used_up());
    }
    let mall = sending.mall;
    let page = mall
        .miniprogram
        .as_ref()
        .and_then(|mp| mp.coupon_page.as_deref());
    let target = fill(page.or(mall.coupon_url.as_deref()), &template.source_id)?;
    let hold = CouponHold {
        template_id: template.id,
        per_customer_limit: template.per_customer_limit,
        daily_limit: template.guide_daily_limit,
        member_id: request.member_id,
        claim_by: now + Duration::hours(mall.coupon_claim_hours),
    };
    let card = Card {
        title: format!("送你一张优惠券：{}", template.name),
        desc: format!(
            "{}，{}",
            super::coupon_offers::face(&template),
            super::coupon_offers::validity(&template)
        ),
        image: mall.card_image_url.clone(),
    };
    let item = SharedItem {
        kind: "coupon",
        id: template.source_id,
        target,
        coupon: Some(hold),
    };
    Ok((item, card))
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
async fn product_item(
    sending: &Sending<'_>,
    store: Option<i64>,
    id: &str,
) -> Result<(SharedItem, Card), ShareError> {
    let found = crate::commerce::sendable_products::sendable_product(sending.db, store, id)
        .await?
        .ok_or(ShareError::UnknownItem)?;
    let mall = sending.mall;
    let page = mall
        .miniprogram
        .as_ref()
        .and_then(|mp| mp.product_page.as_deref());
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
    };
    let item = SharedItem {
        kind: "product",
        id: found.product.source_id,
        target,
        coupon: None,
    };
    Ok((item, card))
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
