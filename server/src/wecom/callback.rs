//! `/wecom/callback`: the product's trust boundary.
//!
//! GET answers WeCom's URL verification; POST receives events. A POST is acknowledged (200,
//! empty body) only after its signature is verified, its payload decrypted and addressed to
//! us, and the payload stored in the inbox; the work happens later, in the inbox worker, so
//! WeCom's 5-second limit is never at risk and a crash loses nothing.

use std::borrow::Cow;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use futures_util::StreamExt;
use percent_encoding::percent_decode_str;
use shared::ApiError;

use super::crypto::{CallbackCrypto, CryptoError};
use super::events;
use super::flat_xml;
use crate::inbox::{self, Stored};
use crate::state::AppState;

/// WeCom's payloads are a few KB; anything near this is not from WeCom.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The callback configuration of the running server.
#[derive(Debug)]
pub struct CallbackConfig {
    pub crypto: CallbackCrypto,
    /// A request whose timestamp is further than this from now is refused; 0 disables.
    pub max_skew_secs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error(
        "the callback is not configured (WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY, WECOM_CORP_ID)"
    )]
    NotConfigured,
    #[error("missing query parameter `{0}`")]
    MissingParameter(&'static str),
    #[error("the timestamp is not a number of seconds")]
    InvalidTimestamp,
    #[error("the timestamp is {0} s away from now")]
    StaleTimestamp(i64),
    #[error("the body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("the body could not be read")]
    UnreadableBody,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("the inbox could not store the event")]
    Store(#[source] inbox::IntakeError),
}

impl CallbackError {
    fn code(&self) -> String {
        match self {
            Self::NotConfigured => "wecom_not_configured".into(),
            Self::MissingParameter(_) => "missing_parameter".into(),
            Self::InvalidTimestamp => "invalid_timestamp".into(),
            Self::StaleTimestamp(_) => "stale_timestamp".into(),
            Self::TooLarge => "payload_too_large".into(),
            Self::UnreadableBody => "unreadable_body".into(),
            Self::Crypto(error) => error.code().to_string(),
            Self::Store(_) => "database_unavailable".into(),
        }
    }
}

impl ResponseError for CallbackError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotConfigured | Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::MissingParameter(_) | Self::InvalidTimestamp | Self::UnreadableBody => {
                StatusCode::BAD_REQUEST
            }
            Self::StaleTimestamp(_) => StatusCode::UNAUTHORIZED,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Crypto(CryptoError::SignatureMismatch) => StatusCode::UNAUTHORIZED,
            Self::Crypto(CryptoError::ReceiveIdMismatch) => StatusCode::FORBIDDEN,
            Self::Crypto(
                CryptoError::ParseBody
                | CryptoError::DecodeBase64
                | CryptoError::Decrypt
                | CryptoError::IllegalBuffer,
            ) => StatusCode::BAD_REQUEST,
            Self::Crypto(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let code = self.code();
        // The request id comes from the enclosing span; the message never holds a secret.
        let cause = crate::error::cause_chain(self);
        if status.is_server_error() {
            tracing::error!(%code, %cause, "callback not accepted");
        } else {
            tracing::warn!(%code, %cause, "callback refused");
        }
        HttpResponse::build(status).json(ApiError::new(code, self.to_string()))
    }
}

/// The query parameters, percent-decoded but with `+` kept as `+`: `echostr` is base64, and
/// form decoding (`+` as space) would corrupt it.
struct CallbackQuery {
    params: Vec<(String, String)>,
}

impl CallbackQuery {
    fn parse(query: &str) -> Self {
        let params = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect();
        Self { params }
    }

    fn required(&self, name: &'static str) -> Result<&str, CallbackError> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
            .ok_or(CallbackError::MissingParameter(name))
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn callback_config(state: &AppState) -> Result<&Arc<CallbackConfig>, CallbackError> {
    state.callback.as_ref().ok_or(CallbackError::NotConfigured)
}

/// Refuses replays of old requests: a captured request stays valid only this long.
fn check_timestamp(timestamp: &str, max_skew_secs: u64) -> Result<(), CallbackError> {
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| CallbackError::InvalidTimestamp)?;
    if max_skew_secs == 0 {
        return Ok(());
    }
    let skew = chrono::Utc::now().timestamp().saturating_sub(sent);
    if skew.unsigned_abs() > max_skew_secs {
        return Err(CallbackError::StaleTimestamp(skew));
    }
    Ok(())
}

/// The signature parameters every callback request carries, with the timestamp checked
/// against the replay window.
struct Signed<'q> {
    signature: &'q str,
    timestamp: &'q str,
    nonce: &'q str,
}

impl<'q> Signed<'q> {
    fn from_query(query: &'q CallbackQuery, max_skew_secs: u64) -> Result<Self, CallbackError> {
        let signed = Self {
            signature: query.required("msg_signature")?,
            timestamp: query.required("timestamp")?,
            nonce: query.required("nonce")?,
        };
        check_timestamp(signed.timestamp, max_skew_secs)?;
        Ok(signed)
    }

    fn open(&self, crypto: &CallbackCrypto, encrypt: &str) -> Result<String, CryptoError> {
        crypto.verify_and_decrypt(self.signature, self.timestamp, self.nonce, encrypt)
    }
}

/// `GET /wecom/callback?msg_signature&timestamp&nonce&echostr`: WeCom's URL verification.
/// The answer is the bare decrypted echo: no quotes, no BOM, no newline.
pub async fn verify_url(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, CallbackError> {
    let config = callback_config(&state)?;
    let query = CallbackQuery::parse(request.query_string());
    let signed = Signed::from_query(&query, config.max_skew_secs)?;
    let echo = signed.open(&config.crypto, query.required("echostr")?)?;
    tracing::info!("callback URL verified");
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ))
        .body(echo))
}

/// `POST /wecom/callback?msg_signature&timestamp&nonce` with the XML (or JSON) envelope.
pub async fn receive_event(
    request: HttpRequest,
    mut body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, CallbackError> {
    let config = callback_config(&state)?;
    let query = CallbackQuery::parse(request.query_string());
    let signed = Signed::from_query(&query, config.max_skew_secs)?;

    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(CallbackError::TooLarge);
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| CallbackError::UnreadableBody)?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(CallbackError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }

    let encrypt = envelope_encrypt(&bytes)?;
    let payload = signed.open(&config.crypto, &encrypt)?;
    // The kind is only a label for people reading the inbox; an unparseable payload is still
    // authentic (it is signed) and is stored so the worker can record why it failed.
    let kind = events::parse(&payload).map(|event| event.kind()).ok();
    let stored = state
        .inbox
        .store(payload, kind.clone())
        .await
        .map_err(CallbackError::Store)?;
    let kind = kind.as_deref().unwrap_or("unparseable");
    match stored {
        Stored::New => tracing::info!(kind, "callback stored"),
        Stored::Duplicate => tracing::info!(kind, "repeated callback acknowledged"),
    }
    Ok(HttpResponse::Ok().finish())
}

/// The `Encrypt` value of the envelope: `<xml>...<Encrypt>..</Encrypt></xml>`, or the JSON
/// variant `{"tousername", "encrypt", "agentid"}` some callback kinds use.
pub fn envelope_encrypt(body: &[u8]) -> Result<Cow<'_, str>, CryptoError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| CryptoError::ParseBody)?
        .trim();
    let encrypt = if text.starts_with('<') {
        match simple_envelope_encrypt(text) {
            Some(encrypt) => Some(Cow::Borrowed(encrypt)),
            None => events::top_level_text(text, "Encrypt").map_err(|_| CryptoError::ParseBody)?,
        }
    } else if text.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct JsonEnvelope {
            #[serde(alias = "Encrypt")]
            encrypt: Option<String>,
        }
        serde_json::from_str::<JsonEnvelope>(text)
            .map_err(|_| CryptoError::ParseBody)?
            .encrypt
            .map(Cow::Owned)
    } else {
        None
    };
    encrypt
        .filter(|value| !value.is_empty())
        .ok_or(CryptoError::ParseBody)
}

/// The `Encrypt` of an envelope in the shape WeCom sends (see [`flat_xml`]), `Encrypt` once;
/// `None` for any other shape, which the XML parser then reads.
fn simple_envelope_encrypt(text: &str) -> Option<&str> {
    let mut encrypt = None;
    flat_xml::for_each_child(text, |name, value| {
        if name != "Encrypt" {
            return true;
        }
        let first = encrypt.is_none();
        encrypt = Some(value);
        first
    })?;
    encrypt.map(str::trim)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn wecoms_envelopes_take_the_direct_path() {
        for body in [
            "<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>",
            "<xml><ToUserName>ww1</ToUserName><AgentID>218</AgentID><Encrypt>abc+/=</Encrypt></xml>",
            "<xml>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n</xml>",
        ] {
            assert_eq!(simple_envelope_encrypt(body), Some("abc+/="), "{body}");
            assert_eq!(envelope_encrypt(body.as_bytes()).unwrap(), "abc+/=");
        }
    }

    #[test]
    fn other_shapes_are_left_to_the_parser() {
        for body in [
            "<?xml version=\"1.0\"?><xml><Encrypt>abc</Encrypt></xml>",
            "<xml><Encrypt>a&amp;b</Encrypt></xml>",
            "<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>",
            "<xml><Encrypt a=\"1\">abc</Encrypt></xml>",
            "<xml><Encrypt>abc</Other></xml>",
            "<xml><Encrypt>abc</Encrypt>",
            "<xml><Encrypt><![CDATA[abc]]> </Encrypt></xml>",
            "<xml><Outer><Encrypt>abc</Encrypt></Outer></xml>",
        ] {
            assert_eq!(simple_envelope_encrypt(body), None, "{body}");
        }
        // The parser still reads the well-formed ones, and refuses the rest.
        assert_eq!(
            envelope_encrypt(b"<xml><Encrypt>abc</Encrypt><Encrypt>def</Encrypt></xml>").unwrap(),
            "abc"
        );
        assert_eq!(
            envelope_encrypt(b"<xml><Encrypt>a&amp;b</Encrypt></xml>").unwrap(),
            "a&b"
        );
        assert_eq!(
            envelope_encrypt(b"<xml><Encrypt>abc</Encrypt>").unwrap_err(),
            CryptoError::ParseBody
        );
    }

    proptest! {
        /// Whatever the direct path accepts, the XML parser reads the same way.
        #[test]
        fn the_direct_path_agrees_with_the_parser(
            parts in proptest::collection::vec(
                (
                    prop_oneof!["Encrypt", "ToUserName", "AgentID", "[A-Za-z][A-Za-z0-9_]{0,6}", ".{0,4}"],
                    prop_oneof!["[A-Za-z0-9+/= ]{0,12}", ".{0,8}", "[<>&\\]\\[! \r\n]{0,6}"],
                    any::<bool>(),
                    prop_oneof!["", " ", "\n", "x"],
                ),
                0..5,
            )
        ) {
            let mut body = String::from("<xml>");
            for (name, value, cdata, gap) in &parts {
                body.push_str(gap);
                if *cdata {
                    body.push_str(&format!("<{name}><![CDATA[{value}]]></{name}>"));
                } else {
                    body.push_str(&format!("<{name}>{value}</{name}>"));
                }
            }
            body.push_str("</xml>");
            if let Some(direct) = simple_envelope_encrypt(&body) {
                let parsed = events::top_level_text(&body, "Encrypt").ok().flatten();
                prop_assert_eq!(parsed.as_deref().unwrap_or(""), direct, "{}", body);
            }
        }
    }
}
