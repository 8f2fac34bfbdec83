//! The WeCom simulator, started on port 0 for one test, and a client of GuideDesk's own
//! pointed at it.

use std::time::Duration;

use serde_json::Value;
use server::cache::{MemoryCache, RedisCache, SharedCache};
use server::config::Secret;
use server::wecom::client::{ClientSettings, WecomClient};
use server::wecom_sim::{Fault, MarkTagRecord, SimulatorData, WecomSimulator};

pub struct TestSimulator {
    pub base_url: String,
    pub data: SimulatorData,
    http: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
}

impl TestSimulator {
    pub async fn start() -> Self {
        Self::start_with(SimulatorData::sample(), Duration::from_secs(7200)).await
    }

    pub async fn start_with(data: SimulatorData, token_lifetime: Duration) -> Self {
        let simulator = WecomSimulator::start("127.0.0.1:0", data.clone(), token_lifetime)
            .expect("start the WeCom simulator");
        let base_url = simulator.base_url();
        let handle = simulator.handle();
        tokio::spawn(simulator.run());
        Self {
            base_url,
            data,
            http: reqwest::Client::new(),
            handle,
        }
    }

    /// A client for the simulated app with fast retries, on the given cache.
    pub fn client(&self, cache: SharedCache) -> WecomClient {
        self.client_with_secret(cache, &self.data.corp_secret)
    }

    /// A client for the simulated app that presents `secret`.
    pub fn client_with_secret(&self, cache: SharedCache, secret: &str) -> WecomClient {
        let mut settings = ClientSettings::new(
            self.base_url.parse().expect("simulator url"),
            self.data.corp_id.clone(),
            Some(self.data.agent_id),
            Secret::new(secret),
        );
        settings.backoff = Duration::from_millis(20);
        settings.timeout = Duration::from_secs(2);
        WecomClient::new(settings, server::cache::credential_store(&cache)).expect("client")
    }

    /// Calls per endpoint so far, e.g. `calls("cgi-bin/gettoken")`.
    pub async fn calls(&self, path: &str) -> u64 {
        let counters: Value = self
            .http
            .get(format!("{}sim/calls", self.base_url))
            .send()
            .await
            .expect("sim calls")
            .json()
            .await
            .expect("sim calls json");
        counters.get(path).and_then(Value::as_u64).unwrap_or(0)
    }

    pub async fn inject(&self, fault: Fault) {
        let response = self
            .http
            .post(format!("{}sim/faults", self.base_url))
            .json(&fault)
            .send()
            .await
            .expect("sim fault");
        assert!(response.status().is_success());
    }

    /// Stops the simulator: WeCom is down from here on.
    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }

    /// The mark_tag calls the simulator accepted, oldest first.
    pub async fn mark_tags(&self) -> Vec<MarkTagRecord> {
        self.http
            .get(format!("{}sim/mark-tags", self.base_url))
            .send()
            .await
            .expect("sim mark-tags")
            .json()
            .await
            .expect("sim mark-tags json")
    }

    /// Media uploads and messages the simulator received (`{path, body, at_ms}`), oldest
    /// first; only those of `path`.
    pub async fn outbound(&self, path: &str) -> Vec<serde_json::Value> {
        let all: Vec<serde_json::Value> = self
            .http
            .get(format!("{}sim/outbound", self.base_url))
            .send()
            .await
            .expect("sim outbound")
            .json()
            .await
            .expect("sim outbound json");
        all.into_iter().filter(|r| r["path"] == path).collect()
    }

    pub async fn revoke_tokens(&self) {
        let response = self
            .http
            .post(format!("{}sim/tokens/revoke", self.base_url))
            .send()
            .await
            .expect("sim revoke");
        assert!(response.status().is_success());
    }

    /// The configuration that points an app at this simulator as its WeCom.
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("WECOM_API_BASE", self.base_url.clone()),
            ("WECOM_OAUTH_BASE", self.base_url.clone()),
            ("WECOM_CORP_ID", self.data.corp_id.clone()),
            ("WECOM_SECRET", self.data.corp_secret.clone()),
            ("WECOM_AGENT_ID", self.data.agent_id.to_string()),
        ]
    }

    /// The jsapi tickets issued so far: (corp, agent).
    pub async fn tickets(&self) -> (Vec<String>, Vec<String>) {
        let answer: Value = self
            .http
            .get(format!("{}sim/tickets", self.base_url))
            .send()
            .await
            .expect("sim tickets")
            .json()
            .await
            .expect("sim tickets json");
        let list = |kind: &str| -> Vec<String> {
            answer[kind]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        (list("corp"), list("agent"))
    }

    /// An OAuth code for `identity` (`{"userid": ..}`, `{"openid": ..}`, ...).
    pub async fn oauth_code(&self, identity: Value) -> String {
        let answer: Value = self
            .http
            .post(format!("{}sim/oauth-codes", self.base_url))
            .json(&identity)
            .send()
            .await
            .expect("sim code")
            .json()
            .await
            .expect("sim code json");
        answer["code"].as_str().expect("code").to_owned()
    }
}

impl Drop for TestSimulator {
    fn drop(&mut self) {
        // Its worker thread outlives the test's runtime unless told to stop.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let handle = self.handle.clone();
            drop(runtime.spawn(async move { handle.stop(false).await }));
        }
    }
}

/// A fault answering `errcode` to the next `times` calls of `path`.
pub fn fault(path: &str, errcode: i64, times: u32) -> Fault {
    Fault {
        path: path.into(),
        errcode,
        times,
        delay_ms: 0,
        after: 0,
    }
}

/// The in-process cache, or Redis under `prefix` when the suite runs with Redis.
pub async fn cache_for(redis_url: Option<&str>, prefix: &str) -> SharedCache {
    match redis_url {
        Some(url) => std::sync::Arc::new(
            RedisCache::connect(url, prefix)
                .await
                .expect("connect to redis"),
        ),
        None => std::sync::Arc::new(MemoryCache::new()),
    }
}
