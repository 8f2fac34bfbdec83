//! How the simulated endpoints answer, as WeCom does: HTTP 200 with `errcode`, and the
//! errcodes they use.

use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

pub(super) const INVALID_CREDENTIAL: i64 = 40001;
pub(super) const INVALID_CODE: i64 = 40029;
pub(super) const INVALID_USERID: i64 = 60111;
pub(super) const INVALID_EXTERNAL_USERID: i64 = 84061;
pub(super) const INVALID_TAG: i64 = 40068;
pub(super) const TOKEN_INVALID: i64 = 40014;
pub(super) const TOKEN_MISSING: i64 = 41001;
pub(super) const TOKEN_EXPIRED: i64 = 42001;
pub(super) const INVALID_PARAMETER: i64 = 40058;
pub(super) const INVALID_CHAT_ID: i64 = 40050;
/// The welcome code was used, expired, or the customer is already chatting.
pub(super) const WELCOME_CODE_USED: i64 = 41051;
/// The customer is already being transferred.
pub(super) const TRANSFER_PENDING: i64 = 40097;

pub(super) fn ok(mut body: Value) -> HttpResponse {
    if let Some(map) = body.as_object_mut() {
        map.insert("errcode".into(), 0.into());
        map.insert("errmsg".into(), "ok".into());
    }
    HttpResponse::Ok().json(body)
}

pub(super) fn error(code: i64, message: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({"errcode": code, "errmsg": message}))
}

pub(super) fn query_value(request: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(request.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

pub(super) fn random_value(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}
