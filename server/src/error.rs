//! The one error type of the HTTP layer. Every error answers with `shared::ApiError`
//! (`{code, message}`): a stable code for programs and a Chinese message safe to show a
//! guide. The cause chain goes to the log (inside the request's span, so it carries the
//! request id), never to the client.

use std::fmt::Write as _;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError, web};
use shared::ApiError;

use crate::cache::CacheError;
use crate::wecom::client::{WecomClient, WecomError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; `message` says how, in words safe to return.
    #[error("bad request ({code}): {message}")]
    BadRequest { code: &'static str, message: String },

    /// No valid guide session (none, forged, expired, signed out): sign in again.
    #[error("unauthorized ({code}): {message}")]
    Unauthorized { code: &'static str, message: String },

    /// Known, but not allowed: `message` says why, in words a guide understands.
    #[error("forbidden ({code}): {message}")]
    Forbidden { code: &'static str, message: String },

    #[error("not found")]
    NotFound,

    /// The request is valid but the state of things refuses it (a quota spent, a share
    /// already sent); `message` says so in words a guide understands.
    #[error("conflict ({code}): {message}")]
    Conflict { code: &'static str, message: String },

    #[error("payload too large ({code}): {message}")]
    PayloadTooLarge { code: &'static str, message: String },

    /// Something this server needs is missing or down; `message` says what, safely.
    #[error("unavailable ({code}): {message}")]
    Unavailable { code: &'static str, message: String },

    /// A door's rate limit (per address or in all): try again after this long.
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },

    #[error("database error")]
    Database(#[from] sea_orm::DbErr),

    #[error("cache error")]
    Cache(#[from] CacheError),

    #[error("WeCom call failed")]
    Wecom(#[from] WecomError),

    #[error("unexpected error")]
    Internal(#[from] anyhow::Error),
}

/// The refusals of every endpoint behind a guide's session, for the API description.
#[derive(utoipa::IntoResponses)]
pub enum SessionRefusals {
    /// `not_signed_in`, `session_expired`: no valid session cookie; sign in again.
    #[response(status = 401)]
    SignedOut(ApiError),
    /// `guide_disabled`, `guide_resigned`: this guide may no longer use the sidebar (the
    /// session is ended).
    #[response(status = 403)]
    GuideRefused(ApiError),
}

/// The refusal of a rate-limited door (`limits`), for the API description.
#[derive(utoipa::IntoResponses)]
pub enum DoorRefusals {
    /// `rate_limited`: too many requests from this address or in all; try again after
    /// `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    RateLimited(ApiError),
}

/// The WeCom API client a handler was given, or the error that says it is not configured
/// (it is registered only when WECOM_CORP_ID and WECOM_SECRET are set).
pub fn configured_wecom(wecom: &Option<web::Data<WecomClient>>) -> Result<&WecomClient, AppError> {
    wecom
        .as_ref()
        .map(|wecom| wecom.get_ref())
        .ok_or(AppError::Wecom(WecomError::NotConfigured(
            "WECOM_CORP_ID and WECOM_SECRET",
        )))
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            code: "bad_request",
            message: message.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. } => code,
            Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::PayloadTooLarge { code, .. } => code,
            Self::NotFound => "not_found",
            Self::Unavailable { code, .. } => code,
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Wecom(WecomError::Api { .. }) => "wecom_error",
            Self::Wecom(WecomError::NotConfigured(_)) => "wecom_not_configured",
            Self::Wecom(WecomError::Cache(_)) => "cache_unavailable",
            Self::Wecom(_) => "wecom_unavailable",
            Self::Database(_) => "database_unavailable",
            Self::Cache(_) => "cache_unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::BadRequest { message, .. }
            | Self::Unauthorized { message, .. }
            | Self::Forbidden { message, .. }
            | Self::Conflict { message, .. }
            | Self::PayloadTooLarge { message, .. } => message.clone(),
            Self::Wecom(WecomError::Api { code, .. }) => {
                format!("企业微信返回错误（错误码 {code}），请稍后重试或联系管理员")
            }
            Self::Wecom(WecomError::NotConfigured(_)) => {
                "企业微信应用尚未配置，请联系管理员".into()
            }
            Self::Wecom(WecomError::Cache(_)) => "服务暂时繁忙，请稍后重试".into(),
            Self::Wecom(_) => "企业微信暂时无法访问，请稍后重试".into(),
            Self::NotFound => "未找到".into(),
            Self::Unavailable { message, .. } => message.clone(),
            Self::TooManyRequests { retry_after_secs } => {
                format!("请求过于频繁，请 {retry_after_secs} 秒后再试")
            }
            Self::Database(_) => "数据暂时无法读取，请稍后重试".into(),
            Self::Cache(_) => "服务暂时繁忙，请稍后重试".into(),
            Self::Internal(_) => "服务器出错了，请稍后重试".into(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            // WeCom understood us and said no: not our outage, not the caller's mistake.
            Self::Wecom(WecomError::Api { .. }) => StatusCode::BAD_GATEWAY,
            Self::Wecom(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unavailable { .. } | Self::Database(_) | Self::Cache(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(code = self.code(), cause = %cause_chain(self), "request failed");
        } else {
            tracing::info!(code = self.code(), cause = %cause_chain(self), "request refused");
        }
        let mut response = HttpResponse::build(status);
        if let Self::TooManyRequests { retry_after_secs } = self {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response.json(ApiError::new(self.code(), self.public_message()))
    }
}

/// `outer: inner: innermost`, the way an operator wants to read it.
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}
