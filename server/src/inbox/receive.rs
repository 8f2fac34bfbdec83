//! `/wecom/callback`: the product's trust boundary.
//!
//! GET answers WeCom's URL verification; POST receives events. A POST is acknowledged (200,
//! empty body) only after its signature is verified, its payload decrypted and addressed to
//! us (`wecom::callback`), and the payload stored in the inbox; the work happens later, in
//! the inbox worker, so WeCom's 5-second limit is never at risk and a crash loses nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use futures_util::StreamExt;
use shared::ApiError;

use super::{Intake, IntakeError, Stored};
use crate::wecom::callback::{CallbackError, CallbackVerifier, MAX_BODY_BYTES};
use crate::wecom::crypto::CryptoError;
use crate::wecom::events;

/// Why a callback request was not acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error(
        "the callback is not configured (WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY, WECOM_CORP_ID)"
    )]
    NotConfigured,
    #[error("the body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("the body could not be read")]
    UnreadableBody,
    #[error(transparent)]
    Refused(#[from] CallbackError),
    #[error("the inbox could not store the event")]
    Store(#[source] IntakeError),
}

impl ReceiveError {
    fn code(&self) -> String {
        match self {
            Self::NotConfigured => "wecom_not_configured".into(),
            Self::TooLarge => "payload_too_large".into(),
            Self::UnreadableBody => "unreadable_body".into(),
            Self::Refused(refused) => refused.code(),
            Self::Store(_) => "database_unavailable".into(),
        }
    }
}

fn refusal_status(refused: &CallbackError) -> StatusCode {
    match refused {
        CallbackError::MissingParameter(_) | CallbackError::InvalidTimestamp => {
            StatusCode::BAD_REQUEST
        }
        CallbackError::StaleTimestamp(_) => StatusCode::UNAUTHORIZED,
        CallbackError::Crypto(CryptoError::SignatureMismatch) => StatusCode::UNAUTHORIZED,
        CallbackError::Crypto(CryptoError::ReceiveIdMismatch) => StatusCode::FORBIDDEN,
        CallbackError::Crypto(
            CryptoError::ParseBody
            | CryptoError::DecodeBase64
            | CryptoError::Decrypt
            | CryptoError::IllegalBuffer,
        ) => StatusCode::BAD_REQUEST,
        CallbackError::Crypto(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ReceiveError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotConfigured | Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::UnreadableBody => StatusCode::BAD_REQUEST,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Refused(refused) => refusal_status(refused),
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

/// The verifier, or 503 until the callback is configured.
fn configured(
    verifier: &Option<web::Data<CallbackVerifier>>,
) -> Result<&CallbackVerifier, ReceiveError> {
    verifier
        .as_ref()
        .map(|verifier| verifier.get_ref())
        .ok_or(ReceiveError::NotConfigured)
}

/// `GET /wecom/callback?msg_signature&timestamp&nonce&echostr`: WeCom's URL verification.
/// The answer is the bare decrypted echo: no quotes, no BOM, no newline.
#[utoipa::path(get, path = "/wecom/callback", tag = "callback",
params(
        ("msg_signature" = String, Query, description = "SHA1 over the token, timestamp, nonce and ciphertext"),
        ("timestamp" = String, Query, description = "Unix seconds; more than 300 s away is refused"),
        ("nonce" = String, Query),
        ("echostr" = String, Query, description = "The encrypted echo to answer decrypted"),
    ),
    responses(
        (status = 200, description = "The decrypted `echostr`, bare", body = String, content_type = "text/plain"),
        (status = 400, description = "`missing_parameter`, `invalid_timestamp`, `-40002`, `-40007`, `-40008`, `-40010` (WeCom's numbers: unparseable, undecryptable): a malformed request", body = ApiError),
        (status = 401, description = "`-40001` (signature mismatch), `stale_timestamp`", body = ApiError),
        (status = 403, description = "`-40005`: sealed for another corp", body = ApiError),
        (status = 503, description = "`wecom_not_configured`", body = ApiError),
    ))]
pub async fn verify_callback_url(
    request: HttpRequest,
    verifier: Option<web::Data<CallbackVerifier>>,
) -> Result<HttpResponse, ReceiveError> {
    let signed = configured(&verifier)?.signed_request(request.query_string())?;
    let echo = signed.verified_echo()?;
    tracing::info!("callback URL verified");
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ))
        .body(echo))
}

/// `POST /wecom/callback?msg_signature&timestamp&nonce` with the XML (or JSON) envelope.
#[utoipa::path(post, path = "/wecom/callback", tag = "callback",
    description = "WeCom's encrypted event. Stored durably before `200` is answered, then applied by \
        the inbox worker; a repeat of a stored event is answered `200` and stored once.",
params(
        ("msg_signature" = String, Query, description = "SHA1 over the token, timestamp, nonce and ciphertext"),
        ("timestamp" = String, Query, description = "Unix seconds; more than 300 s away is refused"),
        ("nonce" = String, Query),
    ),
    request_body(content = String, content_type = "application/xml",
        description = "`<xml><ToUserName/><Encrypt/><AgentID/></xml>`, at most 1 MiB"),
    responses(
        (status = 200, description = "Stored: an empty body, which WeCom takes as received"),
        (status = 400, description = "`missing_parameter`, `invalid_timestamp`, `unreadable_body`, `-40002`, `-40007`, `-40008`, `-40010`: a malformed request", body = ApiError),
        (status = 401, description = "`-40001` (signature mismatch), `stale_timestamp`", body = ApiError),
        (status = 403, description = "`-40005`: sealed for another corp", body = ApiError),
        (status = 413, description = "`payload_too_large`", body = ApiError),
        (status = 503, description = "`overloaded` (past `GUIDEDESK_CALLBACK_MAX_IN_FLIGHT`, before reading the body: WeCom resends), `database_unavailable`, `wecom_not_configured`", body = ApiError),
    ))]
pub async fn receive_callback(
    request: HttpRequest,
    body: web::Payload,
    verifier: Option<web::Data<CallbackVerifier>>,
    inbox: web::Data<Intake>,
) -> Result<HttpResponse, ReceiveError> {
    let signed = configured(&verifier)?.signed_request(request.query_string())?;
    let bytes = read_body(&request, body).await?;
    let payload = signed.open_envelope(&bytes)?;
    // The kind is only a label for people reading the inbox; an unparseable payload is still
    // authentic (it is signed) and is stored so the worker can record why it failed.
    let kind = events::parse(&payload).map(|event| event.kind()).ok();
    let stored = inbox
        .store(payload, kind.clone())
        .await
        .map_err(ReceiveError::Store)?;
    let kind = kind.as_deref().unwrap_or("unparseable");
    match stored {
        Stored::New => tracing::info!(kind, "callback stored"),
        Stored::Duplicate => tracing::info!(kind, "repeated callback acknowledged"),
    }
    Ok(HttpResponse::Ok().finish())
}

/// The body, refused as soon as it (or its declared length) passes WeCom's size.
async fn read_body(
    request: &HttpRequest,
    mut body: web::Payload,
) -> Result<web::BytesMut, ReceiveError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(ReceiveError::TooLarge);
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| ReceiveError::UnreadableBody)?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ReceiveError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
