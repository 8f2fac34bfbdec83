//! `GET /demo/mall/{kind}/{id}`: the demo brand's "mall", where the demo's stamped links
//! lead. It does what a brand's mall does with a stamp: reads it, verifies it with the keys
//! it shares with GuideDesk, and reports what the shopper does (the visit, 加入购物车, 下单,
//! `POST /demo/mall/{kind}/{id}/{cart|order}`) to GuideDesk's signed ingest API with the
//! stamp as it arrived, as the brand's mall server would: the order is then credited to the
//! guide who sent the link, and shows in their 业绩.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use super::mall_reports::{Shopper, report, shopper_of};
use crate::commerce::ingest::IngestSecret;
use crate::sidebar::sending::SendingSetup;
use crate::stamp::{Recipient, Stamp, verify_link};

/// What a mall page is handed.
type Mall = (
    web::Data<SendingSetup>,
    web::Data<DatabaseConnection>,
    Option<web::Data<IngestSecret>>,
);

#[utoipa::path(get, path = "/demo/mall/{kind}/{id}", tag = "demo",
    description = "The demo mall's page for a stamped link: verifies the stamp and reports the visit \
        through the signed ingest API (only in a build with the `demo` feature).",
    params(
        ("kind" = String, Path, description = "`coupon`, `product` or `material`"),
        ("id" = String, Path, description = "The item's id"),
    ),
    responses((status = 200, description = "The page, saying whose stamp it carries", body = String, content_type = "text/html")))]
pub async fn mall_page(
    request: HttpRequest,
    setup: web::Data<SendingSetup>,
    db: web::Data<DatabaseConnection>,
    secret: Option<web::Data<IngestSecret>>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (kind, id) = path.into_inner();
    let mall = (setup, db, secret);
    let (verdict, shopper) = visitor(&request, &mall, &kind, &id).await;
    let note = match &shopper {
        Some(shopper) => reported(
            report_event(&request, &mall, shopper, "visit").await,
            "已记录访问",
        ),
        None => String::new(),
    };
    page(&request, &kind, &id, &verdict, shopper.is_some(), &note)
}

/// `POST /demo/mall/{kind}/{id}/{cart|order}` with the page's stamp.
#[utoipa::path(post, path = "/demo/mall/{kind}/{id}/{action}", tag = "demo",
    description = "加入购物车 or 下单 on the demo mall's page, reported through the signed ingest API \
        with the page's stamp (only in a build with the `demo` feature).",
    params(
        ("kind" = String, Path, description = "`coupon`, `product` or `material`"),
        ("id" = String, Path, description = "The item's id"),
        ("action" = String, Path, description = "`cart` or `order`"),
    ),
    responses(
        (status = 200, description = "The page again, saying what was reported", body = String, content_type = "text/html"),
        (status = 404, description = "No such action"),
    ))]
pub async fn mall_action(
    request: HttpRequest,
    setup: web::Data<SendingSetup>,
    db: web::Data<DatabaseConnection>,
    secret: Option<web::Data<IngestSecret>>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (kind, id, action) = path.into_inner();
    let mall = (setup, db, secret);
    let (verdict, shopper) = visitor(&request, &mall, &kind, &id).await;
    let Some(shopper) = shopper else {
        return page(&request, &kind, &id, &verdict, false, "");
    };
    let note = match action.as_str() {
        "cart" => reported(
            report_event(&request, &mall, &shopper, "add_to_cart").await,
            "已加入购物车",
        ),
        "order" => {
            let price = super::mall_reports::price_of(&mall.1, &kind, &id).await;
            let number = format!("DEMO-O-{}", Utc::now().timestamp_micros());
            let order = json!({"id": number, "updated_at": Utc::now(), "member_id": shopper.member,
                "channel": "online", "status": "paid", "total_fen": price, "paid_fen": price,
                "ordered_at": Utc::now(), "paid_at": Utc::now(), "stamp": shopper.stamp});
            let done = format!(
                "已下单：订单 {number}，实付 ¥{}.{:02}",
                price / 100,
                price % 100
            );
            reported(report(&request, &mall.2, "orders", order).await, &done)
        }
        _ => return HttpResponse::NotFound().finish(),
    };
    page(&request, &kind, &id, &verdict, true, &note)
}

/// The stamp's verdict in words, and the shopper when it is genuine and ingest is set up.
async fn visitor(
    request: &HttpRequest,
    (setup, db, secret): &Mall,
    kind: &str,
    id: &str,
) -> (String, Option<Shopper>) {
    let link = format!(
        "http://demo/demo/mall/{kind}/{id}?{}",
        request.query_string()
    );
    let Some(stamping) = &setup.stamping else {
        return ("未配置签名密钥".to_owned(), None);
    };
    let now = Utc::now().timestamp();
    match verify_link(
        &link,
        &stamping.keys,
        &stamping.params,
        now,
        stamping.max_age_secs,
    ) {
        Ok((stamp, key)) => {
            let shopper = match secret {
                Some(_) => Some(shopper_of(db, &stamp, request.query_string()).await),
                None => None,
            };
            (describe(&stamp, &key), shopper)
        }
        Err(why) => (format!("签名无效：{why}"), None),
    }
}

fn describe(stamp: &Stamp, key: &str) -> String {
    let to = match &stamp.recipient {
        Recipient::Customer(id) => format!("客户 {id}"),
        Recipient::Chat(id) => format!("群聊 {id}"),
    };
    let store = stamp
        .store
        .map_or_else(|| "无".to_owned(), |s| s.to_string());
    format!(
        "签名有效（密钥 {key}）：分享 {}，{to}，导购 {}（{}），门店 {store}",
        stamp.share, stamp.staff, stamp.guide
    )
}

async fn report_event(
    request: &HttpRequest,
    mall: &Mall,
    shopper: &Shopper,
    kind: &str,
) -> Result<(), String> {
    let Some(member) = &shopper.member else {
        return Ok(()); // a guest's visit is not reported; their order still carries the stamp
    };
    let event: Value = json!({"id": format!("DEMO-E-{}", Utc::now().timestamp_micros()),
        "updated_at": Utc::now(), "member_id": member, "kind": kind, "at": Utc::now(),
        "stamp": shopper.stamp});
    report(request, &mall.2, "events", event).await
}

fn reported(outcome: Result<(), String>, done: &str) -> String {
    match outcome {
        Ok(()) => done.to_owned(),
        Err(why) => format!("上报失败：{why}"),
    }
}

fn page(
    request: &HttpRequest,
    kind: &str,
    id: &str,
    verdict: &str,
    can_buy: bool,
    note: &str,
) -> HttpResponse {
    let what = match kind {
        "coupon" => "领券页",
        "product" => "商品页",
        _ => "活动页",
    };
    let query = html_escape(request.query_string());
    let (kind, id) = (html_escape(kind), html_escape(id));
    let buttons = if can_buy {
        format!(
            "<form method=\"post\" action=\"/demo/mall/{kind}/{id}/cart?{query}\"><button data-testid=\"cart\">加入购物车</button></form>\
             <form method=\"post\" action=\"/demo/mall/{kind}/{id}/order?{query}\"><button data-testid=\"order\">下单</button></form>"
        )
    } else {
        String::new()
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>演示商城</title></head><body style=\"font-family:sans-serif;padding:1.5em\">\
             <h1 style=\"font-size:1.2em\">演示商城 · {what} {id}</h1>\
             <p data-testid=\"stamp\">{}</p>{buttons}<p data-testid=\"mall-note\">{}</p></body></html>",
            html_escape(verdict),
            html_escape(note),
        ))
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
