//! Every HTTP call the sidebar makes goes through here, so errors look the same everywhere.

use serde::de::DeserializeOwned;
use shared::{ApiError, Health};

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
}

pub async fn health() -> Result<Health, ApiFailure> {
    get_json("/healthz").await
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiFailure> {
    let response = gloo_net::http::Request::get(path)
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    let status = response.status();
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|_| ApiFailure::Unexpected(format!("HTTP {status}")));
    }
    match response.json::<ApiError>().await {
        Ok(error) => Err(ApiFailure::Server(error)),
        Err(_) => Err(ApiFailure::Unexpected(format!("HTTP {status}"))),
    }
}
