//! The WeCom server API, typed.
//!
//! Every answer is checked for `errcode` (HTTP 200 does not mean success):
//! - 40014 / 42001 / 41001 (token invalid, expired, missing): the cached token is dropped,
//!   a fresh one fetched and the call made once more;
//! - -1 (system busy): retried with backoff, at most 3 times in all;
//! - 45009 (rate limited): backed off and retried likewise, then reported as `RateLimited`;
//! - anything else: [`WecomError::Api`] with WeCom's code and message.
//!
//! Every call has a timeout. The access token travels in the query string, so no URL is ever
//! logged or put in an error as is: [`redact`] masks it.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::api::{self, Ticket, TokenAnswer};
pub use super::api_error::WecomError;
use super::api_error::{MAX_ATTEMPTS, RATE_LIMITED, SYSTEM_BUSY};
use super::credentials::{CachedCredential, Fetched, SharedStore};
use crate::secret::Secret;

const TOKEN_INVALID: i64 = 40014;
const TOKEN_MISSING: i64 = 41001;
const TOKEN_EXPIRED: i64 = 42001;

/// How the client talks to WeCom; the defaults suit production, tests shorten them.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub api_base: Url,
    pub corp_id: String,
    pub agent_id: Option<i64>,
    pub secret: Secret,
    /// Per call, connection included.
    pub timeout: Duration,
    /// The first wait after a busy or rate-limited answer; doubled each time.
    pub backoff: Duration,
}

impl ClientSettings {
    pub fn new(mut api_base: Url, corp_id: String, agent_id: Option<i64>, secret: Secret) -> Self {
        // API paths are joined onto the base: without a trailing slash its last segment
        // (a proxy's `/wecom`, say) would be replaced instead of kept.
        if !api_base.path().ends_with('/') {
            let path = format!("{}/", api_base.path());
            api_base.set_path(&path);
        }
        Self {
            api_base,
            corp_id,
            agent_id,
            secret,
            timeout: Duration::from_secs(10),
            backoff: Duration::from_millis(500),
        }
    }
}

/// One WeCom app's API client; cheap to clone, share one per server.
#[derive(Clone)]
pub struct WecomClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: ClientSettings,
    token: CachedCredential,
    corp_ticket: CachedCredential,
    agent_ticket: CachedCredential,
}

impl WecomClient {
    pub fn new(settings: ClientSettings, cache: SharedStore) -> Result<Self, WecomError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|err| WecomError::Transport(err.without_url().to_string()))?;
        let corp = settings.corp_id.clone();
        let agent = settings
            .agent_id
            .map_or_else(|| "-".to_owned(), |id| id.to_string());
        let credential = |kind: &str| {
            CachedCredential::new(cache.clone(), format!("wecom:{kind}:{corp}:{agent}"))
        };
        Ok(Self {
            inner: Arc::new(Inner {
                token: credential("token"),
                // The corp ticket belongs to the corp, but is fetched with this app's token.
                corp_ticket: CachedCredential::new(
                    cache.clone(),
                    format!("wecom:jsapi_ticket:{corp}"),
                ),
                agent_ticket: credential("agent_ticket"),
                http,
                settings,
            }),
        })
    }

    pub fn corp_id(&self) -> &str {
        &self.inner.settings.corp_id
    }

    pub fn agent_id(&self) -> Option<i64> {
        self.inner.settings.agent_id
    }

    /// The app's access token (cached, refreshed by one caller at a time).
    pub async fn access_token(&self) -> Result<String, WecomError> {
        self.inner.token.get(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<Fetched, WecomError> {
        let settings = &self.inner.settings;
        let answer: TokenAnswer = self
            .send(
                Method::GET,
                "cgi-bin/gettoken",
                &[
                    ("corpid", settings.corp_id.as_str()),
                    ("corpsecret", settings.secret.expose()),
                ],
                None::<&()>,
                None,
            )
            .await?;
        tracing::info!(corp = %settings.corp_id, expires_in = answer.expires_in, "WeCom access token refreshed");
        count_refresh("access_token");
        Ok(Fetched {
            value: answer.access_token,
            expires_in: Duration::from_secs(answer.expires_in),
        })
    }

    /// The corp jsapi ticket, for the JS-SDK's corp signature.
    pub async fn corp_jsapi_ticket(&self) -> Result<String, WecomError> {
        self.inner
            .corp_ticket
            .get(|| async {
                let ticket: Ticket = self.get("cgi-bin/get_jsapi_ticket", &[]).await?;
                count_refresh("corp_jsapi_ticket");
                Ok::<_, WecomError>(ticket.into_fetched())
            })
            .await
    }

    /// The app's agent_config ticket, for the JS-SDK's agent signature.
    pub async fn agent_jsapi_ticket(&self) -> Result<String, WecomError> {
        self.inner
            .agent_ticket
            .get(|| async {
                let ticket: Ticket = self
                    .get("cgi-bin/ticket/get", &[("type", "agent_config")])
                    .await?;
                count_refresh("agent_jsapi_ticket");
                Ok::<_, WecomError>(ticket.into_fetched())
            })
            .await
    }

    /// A GET with the access token.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, WecomError> {
        self.with_token(Method::GET, path, query, None::<&()>).await
    }

    /// A POST of a JSON body with the access token.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, WecomError> {
        self.with_token(Method::POST, path, &[], Some(body)).await
    }

    async fn with_token<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T, WecomError> {
        let token = self.access_token().await?;
        match self
            .send(method.clone(), path, query, body, Some(&token))
            .await
        {
            Err(WecomError::Api { code, .. })
                if matches!(code, TOKEN_INVALID | TOKEN_EXPIRED | TOKEN_MISSING) =>
            {
                tracing::warn!(
                    path,
                    errcode = code,
                    "WeCom refused the access token; refreshing it once"
                );
                self.inner.token.invalidate(&token).await?;
                let token = self.access_token().await?;
                self.send(method, path, query, body, Some(&token)).await
            }
            other => other,
        }
    }

    /// A POST whose body `build` sets (a multipart upload), with the access token and one
    /// token refresh like the JSON calls; the raw answer, for `api::decode`. Not retried on
    /// busy answers: an upload is large, and the caller can try again.
    pub(super) async fn with_token_raw(
        &self,
        path: &str,
        query: &[(&str, &str)],
        build: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, WecomError> {
        let mut token = self.access_token().await?;
        for attempt in 0..2 {
            let url = call_url(&self.inner.settings.api_base, path, query, Some(&token))?;
            let response = build(self.inner.http.post(url))
                .send()
                .await
                .map_err(|err| WecomError::Transport(err.without_url().to_string()))?;
            let bytes = response
                .bytes()
                .await
                .map_err(|err| WecomError::Transport(err.without_url().to_string()))?;
            let decoded = api::decode::<serde_json::Value>(path, &bytes);
            count_call(path, &decoded);
            match decoded {
                Err(WecomError::Api { code, .. })
                    if attempt == 0
                        && matches!(code, TOKEN_INVALID | TOKEN_EXPIRED | TOKEN_MISSING) =>
                {
                    self.inner.token.invalidate(&token).await?;
                    token = self.access_token().await?;
                }
                _ => return Ok(bytes.to_vec()),
            }
        }
        Err(WecomError::Transport(format!(
            "{path}: the access token was refused twice"
        )))
    }

    /// One call, retried on busy and rate-limited answers.
    async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        token: Option<&str>,
    ) -> Result<T, WecomError> {
        let settings = &self.inner.settings;
        let url = call_url(&settings.api_base, path, query, token)?;
        let mut wait = settings.backoff;
        let mut attempt = 1;
        loop {
            let mut request = self.inner.http.request(method.clone(), url.clone());
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = async {
                let response = request
                    .send()
                    .await
                    .map_err(|err| WecomError::Transport(err.without_url().to_string()))?;
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|err| WecomError::Transport(err.without_url().to_string()))?;
                api::decode::<T>(path, &bytes)
            }
            .await;
            count_call(path, &outcome);
            let retry = match &outcome {
                Err(WecomError::Api { code, .. }) if *code == SYSTEM_BUSY => Some(WecomError::Busy),
                Err(WecomError::Api { code, .. }) if *code == RATE_LIMITED => {
                    Some(WecomError::RateLimited)
                }
                _ => None,
            };
            match retry {
                Some(exhausted) => {
                    if attempt >= MAX_ATTEMPTS {
                        return Err(exhausted);
                    }
                    tracing::warn!(path, attempt, wait_ms = wait.as_millis() as u64, url = %redact(&url), "WeCom busy or rate-limited; retrying");
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                    attempt += 1;
                }
                None => return outcome,
            }
        }
    }
}

/// `guidedesk_wecom_api_calls_total{endpoint, errcode}`: the endpoint is the API path (no
/// query: that carries the token); `errcode` WeCom's, `0` for success, or `transport` when
/// no answer came.
fn count_call<T>(path: &str, outcome: &Result<T, WecomError>) {
    let errcode = match outcome {
        Ok(_) => "0".to_owned(),
        Err(WecomError::Api { code, .. }) => code.to_string(),
        Err(WecomError::Transport(_)) => "transport".to_owned(),
        Err(_) => "unreadable".to_owned(),
    };
    metrics::counter!("guidedesk_wecom_api_calls_total", "endpoint" => path.to_owned(),
        "errcode" => errcode)
    .increment(1);
}

/// `guidedesk_wecom_credential_refreshes_total{credential}`: a token or ticket fetched anew.
fn count_refresh(credential: &'static str) {
    metrics::counter!("guidedesk_wecom_credential_refreshes_total", "credential" => credential)
        .increment(1);
}

/// `path` under the API base, with the token (when the call needs one) and the query.
fn call_url(
    api_base: &Url,
    path: &str,
    query: &[(&str, &str)],
    token: Option<&str>,
) -> Result<Url, WecomError> {
    let mut url = api_base
        .join(path)
        .map_err(|err| WecomError::Transport(format!("bad API path {path}: {err}")))?;
    {
        let mut pairs = url.query_pairs_mut();
        if let Some(token) = token {
            pairs.append_pair("access_token", token);
        }
        for (name, value) in query {
            pairs.append_pair(name, value);
        }
    }
    Ok(url)
}

/// The URL with the values of `access_token` and `corpsecret` masked, for logs.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if matches!(name.as_ref(), "access_token" | "corpsecret") {
                "***".to_owned()
            } else {
                value.into_owned()
            };
            (name.into_owned(), value)
        })
        .collect();
    if pairs.is_empty() {
        return shown.to_string();
    }
    shown.query_pairs_mut().clear().extend_pairs(pairs);
    shown.to_string()
}

impl Ticket {
    fn into_fetched(self) -> Fetched {
        Fetched {
            value: self.ticket,
            expires_in: Duration::from_secs(self.expires_in),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_urls_never_carry_the_token_or_the_secret() {
        let url = Url::parse(
            "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3CRET&access_token=T0KEN&userid=zhangsan",
        )
        .unwrap();
        let shown = redact(&url);
        assert!(
            !shown.contains("S3CRET") && !shown.contains("T0KEN"),
            "{shown}"
        );
        assert!(shown.contains("userid=zhangsan") && shown.contains("corpid=ww1"));
    }
}
