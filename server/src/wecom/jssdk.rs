//! JS-SDK signatures: what `ww.register` needs so the sidebar may read the current chat and
//! send messages. The tickets stay on the server; only signatures of one page URL leave it.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use sha1::{Digest, Sha1};
use shared::{AgentSignature, CorpSignature, JssdkConfig};

use super::client::WecomError;
use crate::auth::Guide;
use crate::error::AppError;
use crate::state::AppState;

/// WeCom's formula: `sha1("jsapi_ticket=T&noncestr=N&timestamp=TS&url=U")`, hex, fields in
/// this order and not URL-escaped; the same for the corp and the agent signature.
pub fn signature(ticket: &str, nonce: &str, timestamp: i64, url: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(b"jsapi_ticket=");
    hasher.update(ticket.as_bytes());
    hasher.update(b"&noncestr=");
    hasher.update(nonce.as_bytes());
    hasher.update(b"&timestamp=");
    hasher.update(timestamp.to_string().as_bytes());
    hasher.update(b"&url=");
    hasher.update(url.as_bytes());
    hex::encode(hasher.finalize())
}

/// The URL as WeCom signs it: without its `#fragment`.
pub fn signed_form(url: &str) -> &str {
    url.split_once('#').map_or(url, |(page, _)| page)
}

/// Whether `url` is a page of this server: the public URL itself, or below it. A plain
/// prefix test would let `https://guide.example.com.evil.io/` through.
pub fn is_own_page(public_url: &str, url: &str) -> bool {
    let base = public_url.trim_end_matches('/');
    match url.strip_prefix(base) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'),
        None => false,
    }
}

#[derive(Deserialize)]
pub struct PageUrl {
    url: String,
}

/// `?url=` where it may be left out (`GET /api/v1/session`).
#[derive(Deserialize)]
pub struct MaybePageUrl {
    #[serde(default)]
    pub url: Option<String>,
}

/// Longer than any page URL of ours; longer ones are refused rather than signed.
const MAX_URL_LEN: usize = 2048;

/// `GET /api/v1/jssdk/config?url=`: corp and agent signatures for one of our pages.
pub async fn config(
    state: web::Data<AppState>,
    _guide: Guide,
    query: web::Query<PageUrl>,
) -> Result<HttpResponse, AppError> {
    let answer = sign_page(&state, &query.url).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}

/// The signatures for `page_url` sent along with a session answer: the page inside WeCom
/// registers with them instead of asking in a second round trip. When they cannot be made
/// the session still answers, without them; the page then asks `GET /api/v1/jssdk/config`,
/// whose answer says why.
pub async fn along_with_session(state: &AppState, page_url: Option<&str>) -> Option<JssdkConfig> {
    match sign_page(state, page_url?).await {
        Ok(signed) => Some(signed),
        Err(err) => {
            tracing::warn!(error = %err, "JS-SDK signatures not sent with the session");
            None
        }
    }
}

/// Corp and agent signatures for `url`, one of our pages.
pub async fn sign_page(state: &AppState, url: &str) -> Result<JssdkConfig, AppError> {
    let url = signed_form(url);
    if url.len() > MAX_URL_LEN || url.chars().any(char::is_control) {
        return Err(AppError::BadRequest {
            code: "invalid_url",
            message: "页面地址无效".into(),
        });
    }
    if !is_own_page(&state.public_url, url) {
        return Err(AppError::BadRequest {
            code: "foreign_url",
            message: format!("只能为本系统的页面签名（{}/ 下的地址）", state.public_url),
        });
    }
    let wecom = state.wecom_client()?;
    let agent_id = wecom
        .agent_id()
        .ok_or(AppError::Wecom(WecomError::NotConfigured("WECOM_AGENT_ID")))?;
    let (corp_ticket, agent_ticket) =
        tokio::join!(wecom.corp_jsapi_ticket(), wecom.agent_jsapi_ticket());
    let (corp_ticket, agent_ticket) = (corp_ticket?, agent_ticket?);

    let timestamp = chrono::Utc::now().timestamp();
    let corp_nonce = nonce()?;
    let agent_nonce = nonce()?;
    Ok(JssdkConfig {
        corp: CorpSignature {
            corp_id: wecom.corp_id().to_owned(),
            timestamp,
            signature: signature(&corp_ticket, &corp_nonce, timestamp, url),
            nonce_str: corp_nonce,
        },
        agent: AgentSignature {
            corp_id: wecom.corp_id().to_owned(),
            agent_id,
            timestamp,
            signature: signature(&agent_ticket, &agent_nonce, timestamp, url),
            nonce_str: agent_nonce,
        },
    })
}

/// 16 random letters and digits.
fn nonce() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|err| anyhow::anyhow!("no randomness: {err}"))?;
    Ok(random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_official_example() {
        // The worked example of WeChat's JS-SDK signing document (WeCom uses the same formula).
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1_414_587_457,
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
    }

    #[test]
    fn the_fragment_is_not_signed() {
        assert_eq!(
            signed_form("https://g.example.com/sidebar/?code=1#/orders"),
            "https://g.example.com/sidebar/?code=1"
        );
        assert_eq!(
            signed_form("https://g.example.com/"),
            "https://g.example.com/"
        );
    }

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

    #[test]
    fn nonces_are_sixteen_alphanumerics_and_differ() {
        let (a, b) = (nonce().unwrap(), nonce().unwrap());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
