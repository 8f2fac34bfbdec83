//! Inside the WeCom client: the JS-SDK (through `js/wecom_bridge.js`, the official
//! `@wecom/jssdk` bundled by Trunk) tells which customer's chat the sidebar is open beside.

use wasm_bindgen::prelude::*;

use shared::JssdkConfig;

use crate::api::{self, ApiFailure};

#[wasm_bindgen(module = "/js/wecom_bridge.js")]
extern "C" {
    #[wasm_bindgen(js_name = isWeCom)]
    fn is_wecom_js() -> bool;
    #[wasm_bindgen(js_name = register, catch)]
    fn register_js(config: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = currentChat, catch)]
    async fn current_chat_js() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = sendMessage)]
    async fn send_message_js(payload: JsValue) -> JsValue;
}

/// The chat the sidebar was opened beside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenChat {
    /// A one-to-one chat with a customer: their external userid.
    Customer(String),
    /// A customer group chat: its chat id.
    Group(String),
}

/// Sends one payload into the open chat; WeCom's refusal in words the guide can act on.
pub async fn send_message(message: &shared::share::ChatMessage) -> Result<(), String> {
    let json = serde_json::to_string(message).map_err(|err| err.to_string())?;
    let payload = js_sys::JSON::parse(&json).map_err(describe)?;
    let answer = send_message_js(payload)
        .await
        .as_string()
        .unwrap_or_default();
    if answer.is_empty() {
        return Ok(());
    }
    Err(if answer.contains("cancel") {
        "已取消发送".into()
    } else if answer.contains("context") || answer.contains("permission") {
        format!("企业微信不允许从这里发送：请从聊天窗口的工具栏打开侧边栏后再发送（{answer}）")
    } else {
        format!("企业微信未能发送（{answer}）")
    })
}

/// Whether the page runs inside the WeCom client.
pub fn is_wecom() -> bool {
    is_wecom_js()
}

/// Registers the page with the server's JS-SDK signatures (those the session's answer
/// brought, else asked for now), then asks WeCom for the open chat: the customer's external
/// userid, or in a customer group chat its chat id.
pub async fn current_chat(signed: Option<JssdkConfig>) -> Result<OpenChat, String> {
    let config = match signed {
        Some(config) => config,
        None => api::jssdk_config(&page_url())
            .await
            .map_err(|f: ApiFailure| f.message())?,
    };
    register_js(registration(&config)).map_err(describe)?;
    let chat = current_chat_js().await.map_err(describe)?;
    let field = |name: &str| {
        js_sys::Reflect::get(&chat, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let (entry, id, error) = (field("entry"), field("userId"), field("error"));
    if !id.is_empty() {
        return Ok(OpenChat::Customer(id));
    }
    let chat_id = field("chatId");
    if !chat_id.is_empty() {
        return Ok(OpenChat::Group(chat_id));
    }
    if entry == "group_chat_tools" {
        return Err(format!("无法识别当前群聊，请确认这是客户群（{error}）"));
    }
    if error.is_empty() {
        Err("企业微信没有返回当前客户".into())
    } else {
        Err(format!("请在与客户的单聊中打开侧边栏（{error}）"))
    }
}

/// The page's URL without its fragment: what WeCom checks the signature against.
pub fn page_url() -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((url, _)) => url.to_owned(),
        None => href,
    }
}

/// What `register` in `js/wecom_bridge.src.js` takes: `corp` and `agent`, each with
/// `timestamp`, `nonceStr` and `signature`, plus `corp.corpId` and `agent.agentId`.
fn registration(config: &JssdkConfig) -> JsValue {
    let object = |fields: &[(&str, JsValue)]| {
        let object = js_sys::Object::new();
        for (name, value) in fields {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), value);
        }
        JsValue::from(object)
    };
    // Unix seconds and agent ids are far below 2^53: exact as JS numbers.
    let number = |n: i64| JsValue::from_f64(n as f64);
    let corp = &config.corp;
    let agent = &config.agent;
    object(&[
        (
            "corp",
            object(&[
                ("corpId", corp.corp_id.as_str().into()),
                ("timestamp", number(corp.timestamp)),
                ("nonceStr", corp.nonce_str.as_str().into()),
                ("signature", corp.signature.as_str().into()),
            ]),
        ),
        (
            "agent",
            object(&[
                ("agentId", number(agent.agent_id)),
                ("timestamp", number(agent.timestamp)),
                ("nonceStr", agent.nonce_str.as_str().into()),
                ("signature", agent.signature.as_str().into()),
            ]),
        ),
    ])
}

fn describe(error: JsValue) -> String {
    let message = js_sys::Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "未知错误".into());
    format!("企业微信接口调用失败（{message}）")
}
