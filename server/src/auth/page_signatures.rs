//! The JS-SDK signatures a signed-in guide's page registers with. The tickets stay on the
//! server; only signatures of one of our own page URLs leave it.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shared::{AgentSignature, CorpSignature, JssdkConfig};

use super::Guide;
use crate::config::PublicUrl;
use crate::error::{AppError, SessionRefusals, configured_wecom};
use crate::wecom::client::{WecomClient, WecomError};
use crate::wecom::jssdk::{self, PageSignature};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageUrl {
    /// The page's own URL (ours only), without its `#fragment`.
    url: String,
}

/// `?url=` where it may be left out (`GET /api/v1/session`).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MaybePageUrl {
    /// The page's own URL (ours only): its JS-SDK signatures come along.
    #[serde(default)]
    pub url: Option<String>,
}

/// Longer than any page URL of ours; longer ones are refused rather than signed.
const MAX_URL_LEN: usize = 2048;

/// `GET /api/v1/jssdk/config?url=`: corp and agent signatures for one of our pages.
#[utoipa::path(get, path = "/api/v1/jssdk/config", tag = "session",
    description = "The corp and agent JS-SDK signatures for one of our own page URLs (the tickets stay \
        on the server).",
    params(PageUrl),
    responses(
        (status = 200, description = "The signatures", body = JssdkConfig),
        (status = 400, description = "`invalid_url`, `foreign_url` (not one of our pages), `invalid_query`", body = shared::ApiError),
        SessionRefusals,
        (status = 502, description = "`wecom_error`", body = shared::ApiError),
        (status = 503, description = "`wecom_not_configured`, `wecom_unavailable`", body = shared::ApiError),
    ),
    security(("session" = [])))]
pub async fn jssdk_config(
    public_url: web::Data<PublicUrl>,
    wecom: Option<web::Data<WecomClient>>,
    _guide: Guide,
    query: web::Query<PageUrl>,
) -> Result<HttpResponse, AppError> {
    let answer = sign_own_page(&public_url, configured_wecom(&wecom)?, &query.url).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

/// The signatures for `page_url` sent along with a session answer: the page inside WeCom
/// registers with them instead of asking in a second round trip. When they cannot be made
/// the session still answers, without them; the page then asks `GET /api/v1/jssdk/config`,
/// whose answer says why.
pub async fn along_with_session(
    public_url: &PublicUrl,
    wecom: &Option<web::Data<WecomClient>>,
    page_url: Option<&str>,
) -> Option<JssdkConfig> {
    let page_url = page_url?;
    let signed = match configured_wecom(wecom) {
        Ok(wecom) => sign_own_page(public_url, wecom, page_url).await,
        Err(err) => Err(err),
    };
    match signed {
        Ok(signed) => Some(signed),
        Err(err) => {
            tracing::warn!(error = %err, "JS-SDK signatures not sent with the session");
            None
        }
    }
}

/// Corp and agent signatures for `url`, one of our pages.
async fn sign_own_page(
    public_url: &PublicUrl,
    wecom: &WecomClient,
    url: &str,
) -> Result<JssdkConfig, AppError> {
    let url = jssdk::signed_form(url);
    if url.len() > MAX_URL_LEN || url.chars().any(char::is_control) {
        return Err(AppError::BadRequest {
            code: "invalid_url",
            message: "页面地址无效".into(),
        });
    }
    if !is_own_page(public_url.as_str(), url) {
        return Err(AppError::BadRequest {
            code: "foreign_url",
            message: format!("只能为本系统的页面签名（{public_url}/ 下的地址）"),
        });
    }
    let agent_id = wecom
        .agent_id()
        .ok_or(AppError::Wecom(WecomError::NotConfigured("WECOM_AGENT_ID")))?;
    let (corp_ticket, agent_ticket) =
        tokio::join!(wecom.corp_jsapi_ticket(), wecom.agent_jsapi_ticket());
    let (corp_ticket, agent_ticket) = (corp_ticket?, agent_ticket?);

    let timestamp = chrono::Utc::now().timestamp();
    let no_randomness = |err| anyhow::anyhow!("no randomness for a nonce: {err}");
    let corp: PageSignature =
        jssdk::sign_page(&corp_ticket, url, timestamp).map_err(no_randomness)?;
    let agent = jssdk::sign_page(&agent_ticket, url, timestamp).map_err(no_randomness)?;
    Ok(JssdkConfig {
        corp: CorpSignature {
            corp_id: wecom.corp_id().to_owned(),
            timestamp,
            signature: corp.signature,
            nonce_str: corp.nonce,
        },
        agent: AgentSignature {
            corp_id: wecom.corp_id().to_owned(),
            agent_id,
            timestamp,
            signature: agent.signature,
            nonce_str: agent.nonce,
        },
    })
}

/// Whether `url` is a page of this server: the public URL itself, or below it. A plain
/// prefix test would let `https://guide.example.com.evil.io/` through.
fn is_own_page(public_url: &str, url: &str) -> bool {
    let base = public_url.trim_end_matches('/');
    match url.strip_prefix(base) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_under_the_public_url_are_ours() {
        let base = "https://g.example.com";
        for own in [
            "https://g.example.com",
            "https://g.example.com/",
            "https://g.example.com/sidebar/?code=x",
            "https://g.example.com?x=1",
        ] {
            assert!(is_own_page(base, own), "{own}");
            assert!(is_own_page(&format!("{base}/"), own), "{own} (base with /)");
        }
        for foreign in [
            "https://g.example.com.evil.io/",
            "https://g.example.comevil.io/",
            "http://g.example.com/sidebar/",
            "https://evil.io/?https://g.example.com/",
            "",
        ] {
            assert!(!is_own_page(base, foreign), "{foreign}");
        }
    }
}
