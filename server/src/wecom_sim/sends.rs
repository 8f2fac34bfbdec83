//! The simulated endpoints GuideDesk sends through: temporary media uploads, group chat
//! details, application messages and welcome messages. Each send is recorded (with the time
//! it arrived) for the tests, under `/sim/outbound`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use serde_json::{Value, json};

use super::answers::*;
use super::{Shared, lock};

/// One call that sent something, as the simulator received it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutboundRecord {
    pub path: String,
    /// The JSON body, or for an upload `{type, bytes, sha256}`.
    pub body: Value,
    /// Unix milliseconds when it arrived.
    pub at_ms: i64,
}

fn record(shared: &Shared, path: &str, body: Value) {
    let at_ms = chrono::Utc::now().timestamp_millis();
    lock(shared).outbound.push(OutboundRecord {
        path: path.into(),
        body,
        at_ms,
    });
}

/// `POST /cgi-bin/media/upload?type=image|file`: multipart with a `media` part.
pub(super) async fn media_upload(
    request: HttpRequest,
    shared: web::Data<Shared>,
    body: web::Bytes,
) -> HttpResponse {
    let media_type = query_value(&request, "type").unwrap_or_default();
    if !matches!(media_type.as_str(), "image" | "voice" | "video" | "file") {
        return error(INVALID_PARAMETER, "invalid media type");
    }
    let multipart = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart || !contains(&body, b"name=\"media\"") {
        return error(INVALID_PARAMETER, "media part missing");
    }
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(&body));
    record(
        &shared,
        "cgi-bin/media/upload",
        json!({"type": media_type, "bytes": body.len(), "sha256": digest}),
    );
    let media_id = random_value("simmedia-");
    ok(json!({"type": media_type, "media_id": media_id,
              "created_at": chrono::Utc::now().timestamp().to_string()}))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `POST /cgi-bin/externalcontact/groupchat/get`.
pub(super) async fn group_chat_get(
    shared: web::Data<Shared>,
    body: web::Json<Value>,
) -> HttpResponse {
    let chat_id = body
        .get("chat_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let sim = lock(&shared);
    match sim.data.group_chats.iter().find(|c| c.chat_id == chat_id) {
        Some(chat) => ok(json!({"group_chat": chat})),
        None => error(INVALID_CHAT_ID, "invalid chat_id"),
    }
}

/// `POST /cgi-bin/message/send`: a text card to members of the corp.
pub(super) async fn message_send(
    shared: web::Data<Shared>,
    body: web::Json<Value>,
) -> HttpResponse {
    let touser = body
        .get("touser")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if touser.is_empty() || body.get("textcard").is_none() {
        return error(INVALID_PARAMETER, "touser and textcard are required");
    }
    record(&shared, "cgi-bin/message/send", body.into_inner());
    ok(json!({"invaliduser": "", "msgid": random_value("simmsg-")}))
}

/// `POST /cgi-bin/externalcontact/send_welcome_msg`: a welcome code is good once.
pub(super) async fn send_welcome_msg(
    shared: web::Data<Shared>,
    body: web::Json<Value>,
) -> HttpResponse {
    let code = body
        .get("welcome_code")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if code.is_empty() {
        return error(INVALID_PARAMETER, "welcome_code is required");
    }
    let used = lock(&shared).outbound.iter().any(|r| {
        r.path == "cgi-bin/externalcontact/send_welcome_msg"
            && r.body["welcome_code"] == code.as_str()
    });
    if used {
        return error(WELCOME_CODE_USED, "welcome_code used or expired");
    }
    record(
        &shared,
        "cgi-bin/externalcontact/send_welcome_msg",
        body.into_inner(),
    );
    ok(json!({}))
}

/// `GET /sim/outbound`: everything sent, oldest first.
pub(super) async fn outbound(shared: web::Data<Shared>) -> HttpResponse {
    HttpResponse::Ok().json(&lock(&shared).outbound)
}
