//! Playing WeCom's side of the callback: the app's credentials as the tests configure them,
//! and requests signed and encrypted the way WeCom sends them.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use server::config::Secret;
use server::wecom::crypto::CallbackCrypto;

pub const TOKEN: &str = "QDG6eK";
pub const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
pub const CORP_ID: &str = "ww5823bf96d3bd56c7";

/// The settings that turn the callback on, for `TestOptions::env`.
pub fn callback_env() -> Vec<(&'static str, String)> {
    vec![
        ("WECOM_CORP_ID", CORP_ID.into()),
        ("WECOM_CALLBACK_TOKEN", TOKEN.into()),
        ("WECOM_CALLBACK_AES_KEY", AES_KEY.into()),
    ]
}

/// An app with the callback configured, plus any extra settings.
pub async fn spawn_callback_app(extra: Vec<(&'static str, String)>) -> crate::TestApp {
    let mut env = callback_env();
    env.extend(extra);
    crate::spawn_app_with(crate::TestOptions {
        env,
        ..Default::default()
    })
    .await
}

pub fn crypto() -> CallbackCrypto {
    CallbackCrypto::new(Secret::new(TOKEN), AES_KEY, CORP_ID).expect("test crypto")
}

pub fn now() -> String {
    chrono::Utc::now().timestamp().to_string()
}

pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// The query string of a signed request, values percent-encoded as WeCom does.
pub fn signed_query(encrypt: &str, timestamp: &str, nonce: &str) -> String {
    let signature = crypto().sign(timestamp, nonce, encrypt);
    format!(
        "msg_signature={signature}&timestamp={}&nonce={}",
        encode(timestamp),
        encode(nonce)
    )
}

/// A POST as WeCom sends it: `(query, body)` for an event payload.
pub fn event_request(payload: &str) -> (String, String) {
    let encrypt = crypto().encrypt(payload).expect("encrypt");
    let query = signed_query(&encrypt, &now(), "1372623149");
    (query, envelope(&encrypt))
}

pub fn envelope(encrypt: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
    )
}

/// An add_external_contact event for one guide and customer at one second.
pub fn add_contact_event(user_id: &str, external_user_id: &str, create_time: i64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[{user_id}]]></UserID><ExternalUserID><![CDATA[{external_user_id}]]></ExternalUserID><State><![CDATA[store-0101]]></State><WelcomeCode><![CDATA[WELCOME{external_user_id}]]></WelcomeCode></xml>"
    )
}
