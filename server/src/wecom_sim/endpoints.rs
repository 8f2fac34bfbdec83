//! The simulated `/cgi-bin/...` endpoints, answering as WeCom does: HTTP 200 with `errcode`.

use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::answers::*;
use super::tags_and_transfers::{corp_tag_list, mark_tag, transfer_customer, transfer_result};
use super::{Shared, lock, sends};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/cgi-bin")
            .wrap(from_fn(gatekeeper))
            .route("/gettoken", web::get().to(gettoken))
            .route("/get_jsapi_ticket", web::get().to(corp_ticket))
            .route("/ticket/get", web::get().to(agent_ticket))
            .route("/auth/getuserinfo", web::get().to(getuserinfo))
            .route("/user/get", web::get().to(user_get))
            .route("/externalcontact/get", web::get().to(contact_get))
            .route("/externalcontact/list", web::get().to(contact_list))
            .route(
                "/externalcontact/get_follow_user_list",
                web::get().to(follow_user_list),
            )
            .route(
                "/externalcontact/batch/get_by_user",
                web::post().to(batch_get_by_user),
            )
            .route(
                "/externalcontact/get_corp_tag_list",
                web::post().to(corp_tag_list),
            )
            .route("/externalcontact/mark_tag", web::post().to(mark_tag))
            .route(
                "/externalcontact/resigned/transfer_customer",
                web::post().to(transfer_customer),
            )
            .route(
                "/externalcontact/resigned/transfer_result",
                web::post().to(transfer_result),
            )
            .route("/media/upload", web::post().to(sends::media_upload))
            .route(
                "/externalcontact/groupchat/get",
                web::post().to(sends::group_chat_get),
            )
            .route("/message/send", web::post().to(sends::message_send))
            .route(
                "/externalcontact/send_welcome_msg",
                web::post().to(sends::send_welcome_msg),
            ),
    );
}

/// What every endpoint does first, as WeCom would: count the call, apply a pending fault,
/// and (for all but gettoken) check the access token. The handlers only answer.
async fn gatekeeper(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(shared) = request.app_data::<web::Data<Shared>>().cloned() else {
        return Ok(request
            .into_response(error(-1, "simulator state missing"))
            .map_into_right_body());
    };
    match admit(&shared, request.request()).await {
        Ok(()) => Ok(next.call(request).await?.map_into_left_body()),
        Err(answer) => Ok(request.into_response(answer).map_into_right_body()),
    }
}

async fn admit(shared: &Shared, request: &HttpRequest) -> Result<(), HttpResponse> {
    let path = request.path().trim_start_matches('/').to_owned();
    let needs_token = path != "cgi-bin/gettoken";
    let fault = {
        let mut sim = lock(shared);
        *sim.counters.entry(path.clone()).or_default() += 1;
        let index = sim.faults.iter().position(|f| f.path == path);
        index.and_then(|index| {
            if sim.faults[index].after > 0 {
                sim.faults[index].after -= 1;
                return None;
            }
            let fault = sim.faults[index].clone();
            if fault.times <= 1 {
                sim.faults.remove(index);
            } else {
                sim.faults[index].times -= 1;
            }
            Some(fault)
        })
    };
    if let Some(fault) = fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.errcode != 0 {
            return Err(error(fault.errcode, "simulated fault"));
        }
    }
    if !needs_token {
        return Ok(());
    }
    let Some(token) = query_value(request, "access_token") else {
        return Err(error(TOKEN_MISSING, "access_token missing"));
    };
    let sim = lock(shared);
    match sim.tokens.get(&token) {
        Some(expires) if *expires > Instant::now() => Ok(()),
        Some(_) => Err(error(TOKEN_EXPIRED, "access_token expired")),
        None => Err(error(TOKEN_INVALID, "invalid access_token")),
    }
}

async fn gettoken(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let corp = query_value(&request, "corpid").unwrap_or_default();
    let secret = query_value(&request, "corpsecret").unwrap_or_default();
    let mut sim = lock(&shared);
    if corp != sim.data.corp_id || secret != sim.data.corp_secret {
        return error(INVALID_CREDENTIAL, "invalid credential");
    }
    let token = random_value("simtoken-");
    let lifetime = sim.token_lifetime;
    sim.tokens.insert(token.clone(), Instant::now() + lifetime);
    ok(json!({"access_token": token, "expires_in": lifetime.as_secs()}))
}

async fn corp_ticket(shared: web::Data<Shared>) -> HttpResponse {
    let ticket = random_value("simcorpticket-");
    lock(&shared).tickets.corp.push(ticket.clone());
    ok(json!({"ticket": ticket, "expires_in": 7200}))
}

async fn agent_ticket(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    if query_value(&request, "type").as_deref() != Some("agent_config") {
        return error(INVALID_PARAMETER, "invalid type");
    }
    let ticket = random_value("simagentticket-");
    lock(&shared).tickets.agent.push(ticket.clone());
    ok(json!({"ticket": ticket, "expires_in": 7200}))
}

async fn getuserinfo(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let code = query_value(&request, "code").unwrap_or_default();
    let mut sim = lock(&shared);
    // Single use, like WeCom's: the code is gone whether or not it was still valid.
    match sim.codes.remove(&code) {
        Some((identity, expires)) if expires > Instant::now() => {
            if let Some(openid) = identity.strip_prefix("openid:") {
                ok(json!({"openid": openid}))
            } else if let Some(external) = identity.strip_prefix("external:") {
                ok(json!({"openid": "o-ext", "external_userid": external}))
            } else {
                ok(json!({"userid": identity, "user_ticket": random_value("simuserticket-")}))
            }
        }
        _ => error(INVALID_CODE, "invalid code"),
    }
}

async fn user_get(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let userid = query_value(&request, "userid").unwrap_or_default();
    let sim = lock(&shared);
    match sim.data.member(&userid) {
        Some(member) => ok(serde_json::to_value(member).unwrap_or_default()),
        None => error(INVALID_USERID, "invalid userid"),
    }
}

async fn contact_get(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let id = query_value(&request, "external_userid").unwrap_or_default();
    let sim = lock(&shared);
    match sim.data.contact(&id) {
        Some(contact) => ok(serde_json::to_value(contact).unwrap_or_default()),
        None => error(INVALID_EXTERNAL_USERID, "invalid external_userid"),
    }
}

/// Every member who is not disabled or gone may serve customers in the sample corp.
async fn follow_user_list(shared: web::Data<Shared>) -> HttpResponse {
    let sim = lock(&shared);
    let members: Vec<&str> = sim
        .data
        .members
        .iter()
        .filter(|m| m.status == 1)
        .map(|m| m.userid.as_str())
        .collect();
    ok(json!({"follow_user": members}))
}

async fn contact_list(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    let userid = query_value(&request, "userid").unwrap_or_default();
    let sim = lock(&shared);
    if sim.data.member(&userid).is_none() {
        return error(INVALID_USERID, "invalid userid");
    }
    let ids: Vec<&str> = sim
        .data
        .contacts
        .iter()
        .filter(|c| c.follow_user.iter().any(|f| f.userid == userid))
        .map(|c| c.external_contact.external_userid.as_str())
        .collect();
    ok(json!({"external_userid": ids}))
}

#[derive(Deserialize)]
struct BatchRequest {
    userid_list: Vec<String>,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    limit: Option<usize>,
}

async fn batch_get_by_user(
    shared: web::Data<Shared>,
    body: web::Json<BatchRequest>,
) -> HttpResponse {
    let limit = body.limit.unwrap_or(50).clamp(1, 100);
    let start: usize = if body.cursor.is_empty() {
        0
    } else {
        match body.cursor.parse() {
            Ok(start) => start,
            Err(_) => return error(INVALID_PARAMETER, "invalid cursor"),
        }
    };
    let sim = lock(&shared);
    // One entry per (contact, follower) pair of the asked members, in a stable order.
    let pairs: Vec<Value> = sim
        .data
        .contacts
        .iter()
        .flat_map(|contact| {
            contact
                .follow_user
                .iter()
                .filter(|follow| body.userid_list.contains(&follow.userid))
                .map(move |follow| {
                    let mut follow_info = follow.clone();
                    follow_info.tag_id = follow
                        .tags
                        .iter()
                        .filter_map(|tag| tag.tag_id.clone())
                        .collect();
                    follow_info.tags.clear();
                    json!({"external_contact": contact.external_contact, "follow_info": follow_info})
                })
        })
        .collect();
    let page: Vec<&Value> = pairs.iter().skip(start).take(limit).collect();
    let next = start + page.len();
    let next_cursor = if next < pairs.len() {
        next.to_string()
    } else {
        String::new()
    };
    ok(json!({"external_contact_list": page, "next_cursor": next_cursor}))
}
