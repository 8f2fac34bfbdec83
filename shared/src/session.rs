use serde::{Deserialize, Serialize};

/// `POST /api/v1/session`: the OAuth code WeCom put on the sidebar's URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    pub code: String,
    /// The `state` WeCom returned with the code, when the sign-in began at `/auth/wecom/start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Inside WeCom, the page's URL: the answer then carries its JS-SDK signatures, so the
    /// page registers without a second round trip.
    #[serde(default, rename = "pageUrl", skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
}

/// The signed-in guide, as the sidebar shows them (`POST` and `GET /api/v1/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub userid: String,
    pub name: String,
    #[serde(default)]
    pub position: Option<String>,
    /// When the sign-in ends, in unix seconds.
    pub expires_at: i64,
    /// The JS-SDK signatures of the page URL the request named (`pageUrl` in the sign-in,
    /// `?url=` on `GET`), when it named one and they could be made; otherwise the page asks
    /// `GET /api/v1/jssdk/config`, which says why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jssdk: Option<JssdkConfig>,
}

/// `GET /api/v1/jssdk/config?url=`: what `ww.register` needs for the page at `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JssdkConfig {
    /// Signed with the corp's jsapi ticket (`getConfigSignature`).
    pub corp: CorpSignature,
    /// Signed with the app's agent_config ticket (`getAgentConfigSignature`).
    pub agent: AgentSignature,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CorpSignature {
    pub corp_id: String,
    pub timestamp: i64,
    pub nonce_str: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentSignature {
    pub corp_id: String,
    pub agent_id: i64,
    pub timestamp: i64,
    pub nonce_str: String,
    pub signature: String,
}
