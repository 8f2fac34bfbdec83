//! `GET /demo/mall/{kind}/{id}`: the demo brand's "mall", where the demo's stamped links
//! lead. It does what a brand's mall does with a stamp: reads it, verifies it with the keys
//! it shares with GuideDesk, and says who the visit is credited to.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use crate::sidebar::sending::SendingSetup;
use crate::stamp::{Recipient, verify_link};

pub async fn mall_page(
    request: HttpRequest,
    setup: web::Data<SendingSetup>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (kind, id) = path.into_inner();
    let what = match kind.as_str() {
        "coupon" => "领券页",
        "product" => "商品页",
        _ => "活动页",
    };
    let link = format!("http://demo{}", request.uri());
    let verdict = match &setup.stamping {
        None => "未配置签名密钥".to_owned(),
        Some(stamping) => match verify_link(
            &link,
            &stamping.keys,
            &stamping.params,
            Utc::now().timestamp(),
            stamping.max_age_secs,
        ) {
            Ok((stamp, key)) => {
                let to = match &stamp.recipient {
                    Recipient::Customer(id) => format!("客户 {id}"),
                    Recipient::Chat(id) => format!("群聊 {id}"),
                };
                format!(
                    "签名有效（密钥 {key}）：分享 {}，{to}，导购 {}（{}），门店 {}",
                    stamp.share,
                    stamp.staff,
                    stamp.guide,
                    stamp
                        .store
                        .map_or_else(|| "无".to_owned(), |s| s.to_string())
                )
            }
            Err(why) => format!("签名无效：{why}"),
        },
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>演示商城</title></head><body style=\"font-family:sans-serif;padding:1.5em\">\
             <h1 style=\"font-size:1.2em\">演示商城 · {what} {id}</h1>\
             <p data-testid=\"stamp\">{}</p></body></html>",
            html_escape(&verdict),
            id = html_escape(&id),
        ))
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
