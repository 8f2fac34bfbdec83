//! Every HTTP call the sidebar makes goes through here, so errors look the same everywhere.
//! The session cookie is HttpOnly: this page never sees it, the browser just sends it.

use std::pin::Pin;

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use shared::customer::{
    CustomerList, CustomerProfile, OrderDetail, OrdersPage, TagCatalogue, TagEdit, TagGroup,
    TimelinePage,
};
use shared::offer::{CustomerCoupons, MaterialLibrary, ProductPage};
use shared::share::{PreparedShare, ShareRecipient, ShareRequest, ShareStatus};
use shared::{ApiError, Health, JssdkConfig, SessionInfo};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a call failed, in words a guide can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No answer at all: offline, DNS, the server down.
    Network,
    /// The server answered with an error body.
    Server(ApiError),
    /// The server answered something this page does not understand (a stale page, a proxy).
    Unexpected(String),
}

impl ApiFailure {
    pub fn message(&self) -> String {
        match self {
            Self::Network => "网络连接失败，请检查网络后重试".into(),
            Self::Server(error) => error.message.clone(),
            Self::Unexpected(what) => format!("服务器返回了无法识别的内容（{what}）"),
        }
    }

    /// The server's error code, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Server(error) => Some(error.code.as_str()),
            _ => None,
        }
    }

    /// Whether signing in again (a fresh OAuth code) is the way out.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Self::Server(error) if matches!(
            error.code.as_str(),
            "not_signed_in" | "session_expired" | "code_expired" | "oauth_state_mismatch"
        ))
    }

    /// Whether WeCom or the admin said no for good (not a member, disabled, resigned…):
    /// retrying changes nothing.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Server(error) if matches!(
            error.code.as_str(),
            "not_a_member" | "guide_disabled" | "guide_resigned" | "department_not_allowed"
        ))
    }
}

pub async fn health() -> Result<Health, ApiFailure> {
    get("/healthz").await
}

/// The session request `index.html` started before the WASM arrived (a sign-in with WeCom's
/// OAuth code, or the session check), taken once: a retry asks afresh.
pub fn take_early_session() -> Option<impl Future<Output = Result<SessionInfo, ApiFailure>>> {
    let window = web_sys::window()?;
    let key = JsValue::from_str("guidedeskSession");
    let pending = js_sys::Reflect::get(&window, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let pending = pending.dyn_into::<js_sys::Promise>().ok()?;
    Some(async move {
        let answered = JsFuture::from(pending)
            .await
            .ok()
            .and_then(|raw| raw.dyn_into::<web_sys::Response>().ok())
            .ok_or(ApiFailure::Network)?;
        decode(answer_text(Response::from(answered)).await?)
    })
}

/// Who is signed in (the session cookie decides); with `page_url`, the page's JS-SDK
/// signatures too.
pub async fn current_session(page_url: Option<String>) -> Result<SessionInfo, ApiFailure> {
    let url = match page_url {
        Some(page) => format!("/api/v1/session?url={}", encode(&page)),
        None => "/api/v1/session".to_owned(),
    };
    get(&url).await
}

pub async fn sign_out() -> Result<(), ApiFailure> {
    let response = Request::delete("/api/v1/session")
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(failure(response).await)
    }
}

/// The JS-SDK signatures for the page at `url`, when the session's answer did not bring them.
pub async fn jssdk_config(url: &str) -> Result<JssdkConfig, ApiFailure> {
    let request = format!("/api/v1/jssdk/config?url={}", encode(url));
    get(&request).await
}

/// The signed-in guide's customers, filtered by `q` (name or remark) when given.
pub async fn my_customers(q: String) -> Result<CustomerList, ApiFailure> {
    let url = format!("/api/v1/customers?q={}", encode(&q));
    get(&url).await
}

pub async fn profile(customer: String) -> Result<CustomerProfile, ApiFailure> {
    let url = format!("/api/v1/customers/{}/profile", encode(&customer));
    get(&url).await
}

pub async fn orders(customer: String, cursor: Option<String>) -> Result<OrdersPage, ApiFailure> {
    let mut url = format!("/api/v1/customers/{}/orders", encode(&customer));
    if let Some(cursor) = cursor {
        url.push_str(&format!("?cursor={}", encode(&cursor)));
    }
    get(&url).await
}

pub async fn my_month() -> Result<shared::report::MyMonth, ApiFailure> {
    get("/api/v1/reports/mine").await
}

pub async fn order(id: i64) -> Result<OrderDetail, ApiFailure> {
    get(&format!("/api/v1/orders/{id}")).await
}

/// `GET /api/v1/orders/{id}/credit` as the browser's own JSON (`JSON.parse`): read field by
/// field where it is shown, without serde's deserializer for the ledger's evidence.
pub async fn order_credit(id: i64) -> Result<wasm_bindgen::JsValue, ApiFailure> {
    let (status, text) =
        exchange(Request::get(&format!("/api/v1/orders/{id}/credit")).build()).await?;
    js_sys::JSON::parse(&text).map_err(|_| ApiFailure::Unexpected(format!("HTTP {status}")))
}

pub async fn timeline(
    customer: String,
    cursor: Option<String>,
) -> Result<TimelinePage, ApiFailure> {
    let mut url = format!("/api/v1/customers/{}/timeline", encode(&customer));
    if let Some(cursor) = cursor {
        url.push_str(&format!("?cursor={}", encode(&cursor)));
    }
    get(&url).await
}

pub async fn tag_catalogue() -> Result<TagCatalogue, ApiFailure> {
    get("/api/v1/tags").await
}

/// Adds (`add`) or removes tags on the customer; the customer's tags afterwards.
pub async fn edit_tags(
    customer: String,
    tag_ids: Vec<String>,
    add: bool,
) -> Result<Vec<TagGroup>, ApiFailure> {
    let url = format!("/api/v1/customers/{}/tags", encode(&customer));
    let builder = if add {
        Request::post(&url)
    } else {
        Request::delete(&url)
    };
    decode(exchange(builder.json(&TagEdit { tag_ids })).await?)
}

/// The 优惠券 tab: what the customer holds and what this guide can send them (or the chat).
pub async fn coupons(to: Option<ShareRecipient>) -> Result<CustomerCoupons, ApiFailure> {
    let url = match to {
        Some(ShareRecipient::Customer(id)) => format!("/api/v1/customers/{}/coupons", encode(&id)),
        Some(ShareRecipient::Chat(id)) => format!("/api/v1/chats/{}/coupons", encode(&id)),
        None => return Err(ApiFailure::Unexpected("no chat".into())),
    };
    get(&url).await
}

/// A page of the store's products, matching `q`.
pub async fn products(q: String, cursor: Option<String>) -> Result<ProductPage, ApiFailure> {
    let mut url = format!("/api/v1/products?q={}", encode(&q));
    if let Some(cursor) = cursor {
        url.push_str(&format!("&cursor={}", encode(&cursor)));
    }
    get(&url).await
}

pub async fn materials(q: String) -> Result<MaterialLibrary, ApiFailure> {
    let url = format!("/api/v1/materials?q={}", encode(&q));
    get(&url).await
}

/// Prepares a share: its stamped messages, in the order to send them.
pub async fn create_share(request: &ShareRequest) -> Result<PreparedShare, ApiFailure> {
    decode(exchange(Request::post("/api/v1/shares").json(request)).await?)
}

/// Tells the server what became of a share: `sent` or `cancel`.
pub async fn report_share(token: &str, outcome: &str) -> Result<ShareStatus, ApiFailure> {
    let url = format!("/api/v1/shares/{}/{outcome}", encode(token));
    decode(exchange(Request::post(&url).build()).await?)
}

/// A path or query component, percent-encoded.
fn encode(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

/// An answer's body, and its status for the message when it is not what this page expects.
type Answer = (u16, String);

/// The network half of every call, boxed so that the WASM carries one copy of it rather than
/// one inlined into each answer type's future (that was a quarter of the sending tabs' code).
fn exchange(
    request: Result<Request, gloo_net::Error>,
) -> Pin<Box<dyn Future<Output = Result<Answer, ApiFailure>>>> {
    Box::pin(async move {
        let request = request.map_err(|err| ApiFailure::Unexpected(err.to_string()))?;
        let response = request.send().await.map_err(|_| ApiFailure::Network)?;
        answer_text(response).await
    })
}

async fn answer_text(response: Response) -> Result<Answer, ApiFailure> {
    let status = response.status();
    if !response.ok() {
        return Err(failure(response).await);
    }
    let text = response
        .text()
        .await
        .map_err(|_| ApiFailure::Unexpected(format!("HTTP {status}")))?;
    Ok((status, text))
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    decode(exchange(Request::get(url).build()).await?)
}

fn decode<T: DeserializeOwned>((status, text): Answer) -> Result<T, ApiFailure> {
    serde_json::from_str(&text).map_err(|_| ApiFailure::Unexpected(format!("HTTP {status}")))
}

async fn failure(response: Response) -> ApiFailure {
    let status = response.status();
    match response.json::<ApiError>().await {
        Ok(error) => ApiFailure::Server(error),
        Err(_) => ApiFailure::Unexpected(format!("HTTP {status}")),
    }
}
