//! Pushing callbacks the way WeCom does: an event as XML, encrypted with the app's
//! EncodingAESKey, signed with its Token, POSTed to the app's callback URL. The target is set
//! with the simulator's data (`callback`), its command line, or `POST /sim/callback-target`;
//! `POST /sim/push` sends one event. An add or a deletion also changes the simulated corp, so
//! a later sync agrees with what was pushed.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Shared, lock};
use crate::secret::Secret;
use crate::wecom::api::{ContactDetails, ExternalContact, FollowUser};
use crate::wecom::crypto::CallbackCrypto;

/// Where and how the simulated WeCom delivers callbacks (the app's callback settings).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CallbackTarget {
    /// The app's callback URL, e.g. `http://127.0.0.1:8080/wecom/callback`.
    pub url: String,
    pub token: String,
    pub encoding_aes_key: String,
}

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sim/callback-target", web::post().to(set_target))
        .route("/sim/push", web::post().to(push));
}

async fn set_target(shared: web::Data<Shared>, body: web::Json<CallbackTarget>) -> HttpResponse {
    let target = body.into_inner();
    if let Err(err) = crypto_for(&target, "check") {
        return HttpResponse::BadRequest().json(json!({"error": err}));
    }
    lock(&shared).data.callback = Some(target);
    HttpResponse::NoContent().finish()
}

/// One event to push; `xml` sends a payload as given.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PushEvent {
    AddExternalContact {
        userid: String,
        external_userid: String,
        #[serde(default)]
        state: Option<String>,
    },
    EditExternalContact {
        userid: String,
        external_userid: String,
    },
    DelExternalContact {
        userid: String,
        external_userid: String,
    },
    DelFollowUser {
        userid: String,
        external_userid: String,
    },
    TransferFail {
        userid: String,
        external_userid: String,
        fail_reason: String,
    },
    DeleteUser {
        userid: String,
    },
    Xml {
        xml: String,
    },
}

async fn push(shared: web::Data<Shared>, body: web::Json<PushEvent>) -> HttpResponse {
    let event = body.into_inner();
    let (target, corp_id) = {
        let sim = lock(&shared);
        (sim.data.callback.clone(), sim.data.corp_id.clone())
    };
    let Some(target) = target else {
        return HttpResponse::Conflict().json(json!({
            "error": "no callback target: POST /sim/callback-target {url, token, encoding_aes_key} first"
        }));
    };
    let crypto = match crypto_for(&target, &corp_id) {
        Ok(crypto) => crypto,
        Err(err) => return HttpResponse::BadRequest().json(json!({"error": err})),
    };
    let now = chrono::Utc::now().timestamp();
    let payload = {
        let mut sim = lock(&shared);
        apply_to_corp(&mut sim.data, &event, now);
        payload_for(&event, &corp_id, now)
    };
    let encrypt = match crypto.encrypt(&payload) {
        Ok(encrypt) => encrypt,
        Err(err) => {
            return HttpResponse::InternalServerError()
                .json(json!({"error": format!("cannot encrypt: {err}")}));
        }
    };
    let answer = match deliver(&crypto, &target.url, &corp_id, &encrypt, now).await {
        Ok(answer) => answer,
        Err(refusal) => return refusal,
    };
    match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            HttpResponse::Ok().json(json!({"status": status, "body": body}))
        }
        Err(err) => HttpResponse::BadGateway().json(json!({
            "error": format!("the callback URL did not answer: {}", err.without_url())
        })),
    }
}

/// Posts the encrypted event to the callback URL, signed as WeCom signs it.
async fn deliver(
    crypto: &CallbackCrypto,
    callback_url: &str,
    corp_id: &str,
    encrypt: &str,
    now: i64,
) -> Result<Result<reqwest::Response, reqwest::Error>, HttpResponse> {
    let timestamp = now.to_string();
    let nonce = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let signature = crypto.sign(&timestamp, &nonce, encrypt);
    let envelope = format!(
        "<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"
    );
    let mut url = url::Url::parse(callback_url).map_err(|err| {
        HttpResponse::BadRequest()
            .json(json!({"error": format!("the callback URL is not a URL: {err}")}))
    })?;
    url.query_pairs_mut()
        .append_pair("msg_signature", &signature)
        .append_pair("timestamp", &timestamp)
        .append_pair("nonce", &nonce);
    Ok(reqwest::Client::new()
        .post(url)
        .header("content-type", "text/xml")
        .body(envelope)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await)
}

fn crypto_for(target: &CallbackTarget, corp_id: &str) -> Result<CallbackCrypto, String> {
    CallbackCrypto::new(
        Secret::new(target.token.clone()),
        &target.encoding_aes_key,
        corp_id,
    )
    .map_err(|err| format!("invalid token or EncodingAESKey: {err}"))
}

/// What WeCom's own state would be after the event.
fn apply_to_corp(data: &mut super::SimulatorData, event: &PushEvent, now: i64) {
    match event {
        PushEvent::AddExternalContact {
            userid,
            external_userid,
            state,
        } => {
            if data.contact(external_userid).is_none() {
                data.contacts.push(ContactDetails {
                    external_contact: ExternalContact {
                        external_userid: external_userid.clone(),
                        name: format!("新客户{}", data.contacts.len() + 1),
                        avatar: None,
                        contact_type: 1,
                        gender: 0,
                        unionid: None,
                        corp_name: None,
                    },
                    follow_user: Vec::new(),
                    next_cursor: None,
                });
            }
            if let Some(contact) = data.contact_mut(external_userid)
                && !contact.follow_user.iter().any(|f| &f.userid == userid)
            {
                contact.follow_user.push(FollowUser {
                    userid: userid.clone(),
                    remark: None,
                    description: None,
                    createtime: now,
                    tags: Vec::new(),
                    tag_id: Vec::new(),
                    add_way: Some(1),
                    state: state.clone(),
                    remark_mobiles: Vec::new(),
                });
            }
        }
        PushEvent::DelExternalContact {
            userid,
            external_userid,
        }
        | PushEvent::DelFollowUser {
            userid,
            external_userid,
        } => {
            if let Some(contact) = data.contact_mut(external_userid) {
                contact.follow_user.retain(|f| &f.userid != userid);
            }
        }
        PushEvent::DeleteUser { userid } => {
            if let Some(member) = data.members.iter_mut().find(|m| &m.userid == userid) {
                member.status = 5;
            }
        }
        PushEvent::EditExternalContact { .. }
        | PushEvent::TransferFail { .. }
        | PushEvent::Xml { .. } => {}
    }
}

fn payload_for(event: &PushEvent, corp_id: &str, now: i64) -> String {
    let contact = |change: &str, userid: &str, external: &str, extra: &str| {
        contact_payload(corp_id, now, change, [userid, external], extra)
    };
    match event {
        PushEvent::AddExternalContact {
            userid,
            external_userid,
            state,
        } => {
            let state = state
                .as_deref()
                .map(|s| format!("<State><![CDATA[{}]]></State>", cdata_safe(s)))
                .unwrap_or_default();
            let welcome = format!("<WelcomeCode><![CDATA[WELCOME{now}]]></WelcomeCode>");
            contact(
                "add_external_contact",
                userid,
                external_userid,
                &(state + &welcome),
            )
        }
        PushEvent::EditExternalContact {
            userid,
            external_userid,
        } => contact("edit_external_contact", userid, external_userid, ""),
        PushEvent::DelExternalContact {
            userid,
            external_userid,
        } => contact("del_external_contact", userid, external_userid, ""),
        PushEvent::DelFollowUser {
            userid,
            external_userid,
        } => contact("del_follow_user", userid, external_userid, ""),
        PushEvent::TransferFail {
            userid,
            external_userid,
            fail_reason,
        } => contact(
            "transfer_fail",
            userid,
            external_userid,
            &format!(
                "<FailReason><![CDATA[{}]]></FailReason>",
                cdata_safe(fail_reason)
            ),
        ),
        PushEvent::DeleteUser { userid } => format!(
            "<xml>{}<UserID><![CDATA[{}]]></UserID></xml>",
            event_head(corp_id, now, "change_contact", "delete_user"),
            cdata_safe(userid)
        ),
        PushEvent::Xml { xml } => xml.clone(),
    }
}

/// The fields every event payload starts with.
fn event_head(corp_id: &str, now: i64, event_name: &str, change: &str) -> String {
    format!(
        "<ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
         <Event><![CDATA[{event_name}]]></Event><ChangeType><![CDATA[{change}]]></ChangeType>"
    )
}

/// A change of a guide's customer: `[userid, external_userid]` and the change's own fields.
fn contact_payload(corp_id: &str, now: i64, change: &str, who: [&str; 2], extra: &str) -> String {
    format!(
        "<xml>{}<UserID><![CDATA[{}]]></UserID><ExternalUserID><![CDATA[{}]]></ExternalUserID>{extra}</xml>",
        event_head(corp_id, now, "change_external_contact", change),
        cdata_safe(who[0]),
        cdata_safe(who[1])
    )
}

/// A CDATA section cannot hold `]]>`; ids never do, but a test's text might.
fn cdata_safe(text: &str) -> String {
    text.replace("]]>", "]]]]><![CDATA[>")
}
