//! The demo mall's server side: who the shopper is (the member linked to the stamped
//! customer; a group chat's or an unlinked customer's shopper is a guest), what the item
//! costs, and the signed report to GuideDesk's ingest API, over HTTP as a mall would send it.

use actix_web::HttpRequest;
use actix_web::web;
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::commerce::ingest::IngestSecret;
use crate::commerce::member_view::linked_member_in_full;
use crate::commerce::signature::sign;
use crate::entity::{customer, product};
use crate::stamp::{Recipient, Stamp};

pub struct Shopper {
    /// The member's id in the mall; `None` for a guest.
    pub member: Option<String>,
    /// The stamp's parameters as the page received them.
    pub stamp: String,
}

pub async fn shopper_of(db: &DatabaseConnection, stamp: &Stamp, query: &str) -> Shopper {
    let member = match &stamp.recipient {
        Recipient::Customer(external_userid) => member_of(db, external_userid).await,
        Recipient::Chat(_) => None,
    };
    Shopper {
        member,
        stamp: query.to_owned(),
    }
}

async fn member_of(db: &DatabaseConnection, external_userid: &str) -> Option<String> {
    let found = customer::Entity::find()
        .filter(customer::Column::ExternalUserid.eq(external_userid))
        .one(db)
        .await
        .ok()??;
    let (_, member) = linked_member_in_full(db, found.id).await.ok()??;
    Some(member.source_id)
}

/// A product's price; a coupon's page sells the demo's ¥199 gift box.
pub async fn price_of(db: &DatabaseConnection, kind: &str, id: &str) -> i64 {
    const GIFT_BOX_FEN: i64 = 19_900;
    if kind != "product" {
        return GIFT_BOX_FEN;
    }
    product::Entity::find()
        .filter(product::Column::SourceId.eq(id))
        .one(db)
        .await
        .ok()
        .flatten()
        .map_or(GIFT_BOX_FEN, |found| found.price_fen)
}

/// `POST /api/v1/ingest/{kind}` of this very server, signed with the ingest secret.
pub async fn report(
    request: &HttpRequest,
    secret: &Option<web::Data<IngestSecret>>,
    kind: &str,
    record: Value,
) -> Result<(), String> {
    let Some(secret) = secret else {
        return Err("未配置 GUIDEDESK_INGEST_SECRET".into());
    };
    let url = {
        let info = request.connection_info();
        format!("{}://{}/api/v1/ingest/{kind}", info.scheme(), info.host())
    };
    let body = json!({ "records": [record] }).to_string();
    let timestamp = Utc::now().timestamp().to_string();
    let signature = sign(secret.0.expose(), &timestamp, body.as_bytes());
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("X-GuideDesk-Timestamp", &timestamp)
        .header("X-GuideDesk-Signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|err| err.to_string())?;
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    let refused = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["rejected"].as_array().map(|r| !r.is_empty()))
        .unwrap_or(false);
    if status.is_success() && !refused {
        Ok(())
    } else {
        Err(format!("HTTP {status}: {text}"))
    }
}
