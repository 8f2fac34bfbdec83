//! `/sim/...`: what tests and the demo use to drive the simulator.

use std::time::Instant;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{CODE_LIFETIME, Fault, Shared, lock};

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sim/oauth-codes", web::post().to(issue_code))
        .route("/sim/calls", web::get().to(calls))
        .route("/sim/faults", web::post().to(add_fault))
        .route("/sim/tokens/revoke", web::post().to(revoke_tokens))
        .route("/sim/mark-tags", web::get().to(mark_tags))
        .route("/sim/tickets", web::get().to(tickets))
        .route("/sim/outbound", web::get().to(super::sends::outbound))
        .route(
            "/sim/transfers/complete",
            web::post().to(complete_transfers),
        );
}

/// Whom the code identifies: a member (`userid`), or someone WeCom would not call one.
#[derive(Deserialize)]
struct CodeFor {
    userid: Option<String>,
    openid: Option<String>,
    external_userid: Option<String>,
}

/// Issues an OAuth code, as WeCom puts one on the sidebar URL when a member opens it.
async fn issue_code(shared: web::Data<Shared>, body: web::Json<CodeFor>) -> HttpResponse {
    let identity = match (&body.userid, &body.openid, &body.external_userid) {
        (Some(userid), _, _) => userid.clone(),
        (None, Some(openid), _) => format!("openid:{openid}"),
        (None, None, Some(external)) => format!("external:{external}"),
        _ => {
            return HttpResponse::BadRequest()
                .json(json!({"error": "give userid, openid or external_userid"}));
        }
    };
    let code = format!("simcode-{}", uuid::Uuid::new_v4().simple());
    lock(&shared)
        .codes
        .insert(code.clone(), (identity, Instant::now() + CODE_LIFETIME));
    HttpResponse::Ok().json(json!({"code": code}))
}

/// Calls per endpoint path since start, e.g. `{"cgi-bin/gettoken": 1}`.
async fn calls(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(&lock(&shared).counters)
}

async fn add_fault(shared: web::Data<Shared>, body: web::Json<Fault>) -> HttpResponse {
    lock(&shared).faults.push(body.into_inner());
    HttpResponse::NoContent().finish()
}

/// Invalidates every token issued so far, as WeCom sometimes does before expiry.
async fn revoke_tokens(shared: web::Data<Shared>) -> HttpResponse {
    let mut sim = lock(&shared);
    let revoked = sim.tokens.len();
    sim.tokens.clear();
    HttpResponse::Ok().json(json!({"revoked": revoked}))
}

async fn mark_tags(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(&lock(&shared).marks)
}

/// The jsapi tickets issued so far, `{"corp": [...], "agent": [...]}`.
async fn tickets(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(&lock(&shared).tickets)
}

/// Which waiting transfers the customer refuses; the others complete.
#[derive(Deserialize, Default)]
struct Completion {
    #[serde(default)]
    refuse: Vec<String>,
}

/// Completes every waiting transfer as WeCom does a day later: the customer now follows the
/// takeover member instead (or, listed in `refuse`, stays and the transfer is refused).
async fn complete_transfers(
    shared: web::Data<Shared>,
    body: Option<web::Json<Completion>>,
) -> HttpResponse {
    let refuse = body.map(|b| b.into_inner().refuse).unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    let mut sim = lock(&shared);
    let waiting: Vec<usize> = (0..sim.transfers.len())
        .filter(|i| sim.transfers[*i].status == 2)
        .collect();
    let mut completed = 0;
    for index in waiting {
        let record = sim.transfers[index].clone();
        if refuse.contains(&record.external_userid) {
            sim.transfers[index].status = 3;
            continue;
        }
        if let Some(follow) = sim
            .data
            .contact_mut(&record.external_userid)
            .and_then(|contact| {
                contact
                    .follow_user
                    .iter_mut()
                    .find(|f| f.userid == record.handover_userid)
            })
        {
            follow.userid = record.takeover_userid.clone();
            follow.createtime = now;
        }
        sim.transfers[index].status = 1;
        sim.transfers[index].takeover_time = now;
        completed += 1;
    }
    HttpResponse::Ok().json(json!({"completed": completed}))
}
