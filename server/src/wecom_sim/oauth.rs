//! WeCom's OAuth authorize page, simulated: `/connect/oauth2/authorize` shows the corp's
//! members to pick from (WeCom would know who is using the client), then comes back to the
//! `redirect_uri` with a fresh single-use `code` and the caller's `state`, as WeCom does.

use std::time::Instant;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use url::Url;

use super::{CODE_LIFETIME, Shared, lock};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/connect/oauth2/authorize", web::get().to(authorize))
        .route("/sim/authorize/choose", web::get().to(choose));
}

#[derive(Deserialize)]
struct Authorize {
    appid: String,
    redirect_uri: String,
    #[serde(default)]
    state: String,
    /// Not WeCom's: picks the member at once (scripts and tests skip the page).
    sim_userid: Option<String>,
}

async fn authorize(shared: web::Data<Shared>, query: web::Query<Authorize>) -> HttpResponse {
    let Ok(redirect) = Url::parse(&query.redirect_uri) else {
        return page("redirect_uri 不是有效的地址", "");
    };
    let members = {
        let sim = lock(&shared);
        if query.appid != sim.data.corp_id {
            return page("appid 与模拟企业的 CorpID 不一致", "");
        }
        sim.data
            .members
            .iter()
            .map(|m| (m.userid.clone(), m.name.clone(), m.status))
            .collect::<Vec<_>>()
    };
    if let Some(userid) = &query.sim_userid {
        return come_back(&shared, redirect, userid, &query.state);
    }
    let mut list = String::new();
    for (userid, name, status) in members {
        let query_string = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("userid", &userid)
            .append_pair("redirect_uri", redirect.as_str())
            .append_pair("state", &query.state)
            .finish();
        let note = match status {
            1 => "",
            2 => "（已停用）",
            4 => "（未激活）",
            5 => "（已离职）",
            _ => "（状态未知）",
        };
        let href = format!("/sim/authorize/choose?{query_string}");
        list.push_str(&format!(
            "<li><a data-userid=\"{}\" href=\"{}\">{} <small>{}{}</small></a></li>",
            escape(&userid),
            escape(&href),
            escape(&name),
            escape(&userid),
            note
        ));
    }
    page(
        "选择以哪位成员的身份打开导购助手",
        &format!("<ul>{list}</ul>"),
    )
}

#[derive(Deserialize)]
struct Choose {
    userid: String,
    redirect_uri: String,
    #[serde(default)]
    state: String,
}

async fn choose(shared: web::Data<Shared>, query: web::Query<Choose>) -> HttpResponse {
    match Url::parse(&query.redirect_uri) {
        Ok(redirect) => come_back(&shared, redirect, &query.userid, &query.state),
        Err(_) => page("redirect_uri 不是有效的地址", ""),
    }
}

/// Issues a code for the member and sends the browser back with it.
fn come_back(shared: &Shared, mut redirect: Url, userid: &str, state: &str) -> HttpResponse {
    let code = format!("simcode-{}", uuid::Uuid::new_v4().simple());
    lock(shared).codes.insert(
        code.clone(),
        (userid.to_owned(), Instant::now() + CODE_LIFETIME),
    );
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", state);
    HttpResponse::Found()
        .insert_header((header::LOCATION, redirect.as_str()))
        .finish()
}

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\">\
             <title>企业微信授权（模拟）</title></head><body>\
             <h1>{}</h1>{body}<p><small>GuideDesk 企业微信模拟器</small></p></body></html>",
            escape(title)
        ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
