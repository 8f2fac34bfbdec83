//! `GET /s/{token}`: a share's short link. Redirects (302) to the share's stamped target (kept
//! in memory, `targets`) and hands the click to the recorder (no write here); an unknown or cancelled share gets a page
//! in Chinese saying so. The target is the one stored when the share was prepared, from the
//! brand's configured templates: nothing in the request can choose where it goes (no open
//! redirect), and only http(s) targets are followed (a mini-program page is not a web page).

use crate::error::DoorRefusals;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::clicks::{Click, ClickRecorder, ClientKind};
use super::targets::ShareTargets;

/// The first-party cookie that tells unique visitors apart (random, no personal data).
const VISITOR_COOKIE: &str = "gd_v";

/// `GET /s/{token}` (and `HEAD`, which link-preview fetchers send).
#[utoipa::path(method(get, head), path = "/s/{token}", tag = "short links",
    description = "A share's short link: redirects to the share's stamped target, chosen when the share \
        was made (nothing in the request can change it). The click is counted (preview fetchers and \
        `HEAD` apart). An unknown or cancelled share gets a page in Chinese saying so.",
    params(("token" = String, Path, description = "The share's token")),
    responses(
        (status = 302, description = "To the stamped target", headers(("Location" = String))),
        (status = 404, description = "No such share, or cancelled (a page)", body = String, content_type = "text/html"),
        (status = 503, description = "The share could not be read (a page)", body = String, content_type = "text/html"),
        DoorRefusals,
    ))]
pub async fn open_share(
    request: HttpRequest,
    db: web::Data<DatabaseConnection>,
    targets: web::Data<ShareTargets>,
    clicks: web::Data<ClickRecorder>,
    token: web::Path<String>,
) -> HttpResponse {
    let target = match targets.target(db.get_ref(), token.as_str()).await {
        Ok(Some(target)) => target,
        Ok(None) => {
            return page(
                StatusCode::NOT_FOUND,
                "链接不存在",
                "这个链接不存在或已失效，请联系发给你的导购。",
            );
        }
        Err(err) => {
            tracing::warn!(error = %err, "a short link could not be read");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法打开",
                "服务暂时繁忙，请稍后再打开这个链接。",
            );
        }
    };
    let (visitor, new_visitor) = visitor(&request);
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    clicks.record(Click {
        share_id: target.share_id,
        at: Utc::now(),
        client: ClientKind::of(request.method() == actix_web::http::Method::HEAD, agent),
        visitor: visitor.clone(),
    });
    redirect(target.link, new_visitor.then_some(visitor))
}

/// 302 to `link`, never cached, no referrer; with a new visitor's cookie when there is one.
fn redirect(link: String, new_visitor: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::Found();
    response
        .insert_header((header::LOCATION, link))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if let Some(visitor) = new_visitor {
        response.cookie(
            Cookie::build(VISITOR_COOKIE, visitor)
                .path("/s/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(CookieDuration::days(730))
                .finish(),
        );
    }
    response.finish()
}

/// The visitor's id from their cookie, or a new one (`true`).
fn visitor(request: &HttpRequest) -> (String, bool) {
    let known = request.cookie(VISITOR_COOKIE).map(|c| c.value().to_owned());
    match known {
        Some(id)
            if id.len() == 22
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            (id, false)
        }
        // The same kind of random id as a share's token.
        _ => (super::new_token(), true),
    }
}

/// A small page in Chinese for the customer who tapped the link.
fn page(status: StatusCode, title: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title></head><body style=\"font-family:sans-serif;padding:2em;text-align:center\">\
             <h1 style=\"font-size:1.2em\">{title}</h1><p>{message}</p></body></html>"
        ))
}
