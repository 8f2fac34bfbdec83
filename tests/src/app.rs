//! `spawn_app()`: the real server, on port 0, over fresh storage.

use std::collections::HashMap;
use std::path::PathBuf;

use actix_web::dev::ServerHandle;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use server::{Application, Settings};
use shared::{Health, Readiness};
use url::Url;

use crate::backends::{TestCacheNamespace, TestDatabase};
use crate::tcp_proxy::TcpProxy;

/// The workspace's `dist/`, where `trunk build` puts the sidebar.
pub fn sidebar_dist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dist")
}

#[derive(Default)]
pub struct TestOptions {
    /// Route the app's database connections through a [`TcpProxy`] (PostgreSQL only).
    pub proxy_database: bool,
    /// Route the app's Redis connection through a [`TcpProxy`] (Redis only).
    pub proxy_cache: bool,
    /// Serve the sidebar from this directory instead of the workspace's `dist/`.
    pub sidebar_dir: Option<PathBuf>,
    /// Extra configuration, as environment variables would give it.
    pub env: Vec<(&'static str, String)>,
    /// Use this (another app's) database instead of a fresh one: two replicas, one database.
    pub shared_database_url: Option<String>,
}

pub struct TestApp {
    /// `http://127.0.0.1:{port}`
    pub address: String,
    /// The app's database, for tests that look at what it stored.
    pub database_url: String,
    pub port: u16,
    /// `/metrics`' own port, when `GUIDEDESK_METRICS_LISTEN` gave it one.
    pub metrics_port: Option<u16>,
    pub http: reqwest::Client,
    pub database_proxy: Option<TcpProxy>,
    pub cache_proxy: Option<TcpProxy>,
    pub database_is_postgres: bool,
    pub cache_is_redis: bool,
    handle: ServerHandle,
    // Dropped after the server is stopped (field order), so the database goes last.
    _cache: TestCacheNamespace,
    /// `None` when the database belongs to another app (`shared_database_url`).
    _database: Option<TestDatabase>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestOptions::default()).await
}

pub async fn spawn_app_with(options: TestOptions) -> TestApp {
    init_test_logging();
    let database = match &options.shared_database_url {
        Some(_) => None,
        None => Some(TestDatabase::create().await),
    };
    let cache = TestCacheNamespace::create();

    let mut database_url = match (&database, &options.shared_database_url) {
        (Some(database), _) => database.url().to_owned(),
        (None, shared) => shared.clone().unwrap_or_default(),
    };
    let database_is_postgres = database_url.starts_with("postgres");
    let database_proxy = if options.proxy_database {
        assert!(
            database_is_postgres,
            "proxy_database needs TEST_DATABASE_URL (PostgreSQL)"
        );
        let (proxy, url) = proxied(&database_url).await;
        database_url = url;
        Some(proxy)
    } else {
        None
    };
    let mut redis_url = cache.redis_url.clone();
    let cache_proxy = match (&redis_url, options.proxy_cache) {
        (Some(url), true) => {
            let (proxy, proxied_url) = proxied(url).await;
            redis_url = Some(proxied_url);
            Some(proxy)
        }
        (None, true) => panic!("proxy_cache needs TEST_REDIS_URL"),
        (_, false) => None,
    };

    let sidebar_dir = options.sidebar_dir.unwrap_or_else(sidebar_dist_dir);
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url),
        ("GUIDEDESK_LISTEN".into(), "127.0.0.1:0".into()),
        ("GUIDEDESK_CACHE_PREFIX".into(), cache.prefix.clone()),
        ("GUIDEDESK_DATABASE_POOL_SIZE".into(), "5".into()),
        (
            "GUIDEDESK_SIDEBAR_DIR".into(),
            sidebar_dir.display().to_string(),
        ),
        ("GUIDEDESK_SHUTDOWN_TIMEOUT_SECS".into(), "1".into()),
    ]);
    if let Some(url) = &redis_url {
        env.insert("REDIS_URL".into(), url.clone());
    }
    for (key, value) in options.env {
        env.insert(key.into(), value);
    }
    // The same loader as production, fed a map instead of the process environment.
    let settings = Settings::load_from(None, |key| env.get(key).cloned())
        .unwrap_or_else(|e| panic!("test settings are invalid: {e}"));

    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build app: {e:#}"));
    let port = app.port();
    let handle = app.handle();
    let metrics_port = app.metrics_port();
    tokio::spawn(app.run_until_stopped());

    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        database_url: env.get("DATABASE_URL").cloned().unwrap_or_default(),
        port,
        metrics_port,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client"),
        database_proxy,
        cache_proxy,
        database_is_postgres,
        cache_is_redis: redis_url.is_some(),
        handle,
        _cache: cache,
        _database: database,
    }
}

async fn read_inbox(
    db: &sea_orm::DatabaseConnection,
) -> Vec<server::entity::callback_inbox::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    server::entity::callback_inbox::Entity::find()
        .order_by_asc(server::entity::callback_inbox::Column::Id)
        .all(db)
        .await
        .expect("read the inbox")
}

/// Starts a proxy to the URL's host:port and returns the URL rewritten to go through it.
async fn proxied(url: &str) -> (TcpProxy, String) {
    let mut parsed = Url::parse(url).expect("backend URL");
    let target = format!(
        "{}:{}",
        parsed.host_str().expect("backend host"),
        parsed
            .port_or_known_default()
            .unwrap_or(match parsed.scheme() {
                "redis" | "rediss" => 6379,
                _ => 5432,
            })
    );
    let proxy = TcpProxy::start(target).await;
    parsed.set_host(Some("127.0.0.1")).expect("set host");
    parsed.set_port(Some(proxy.addr.port())).expect("set port");
    (proxy, parsed.to_string())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    /// GET a JSON endpoint: the status and the decoded body (panics, naming the body, if it
    /// is not the expected type).
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> (StatusCode, T) {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("GET {path}: {status} body is not the expected JSON ({e}): {text}")
        });
        (status, body)
    }

    pub async fn health(&self) -> Health {
        let (status, health) = self.get_json("/healthz").await;
        assert_eq!(status, StatusCode::OK);
        health
    }

    pub async fn readiness(&self) -> (StatusCode, Readiness) {
        self.get_json("/readyz").await
    }

    /// A connection of the test's own to the app's database.
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.database_url)
            .await
            .expect("connect to the app's database")
    }

    /// Polls the inbox until `done` holds for its rows (at most 30 s), and returns them.
    pub async fn wait_for_inbox(
        &self,
        what: &str,
        done: impl Fn(&[server::entity::callback_inbox::Model]) -> bool,
    ) -> Vec<server::entity::callback_inbox::Model> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        let db = self.db().await;
        loop {
            let rows = read_inbox(&db).await;
            if done(&rows) {
                db.close().await.ok();
                return rows;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited 30 s for {what}; the inbox is {rows:#?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Every inbox row, oldest first.
    pub async fn inbox(&self) -> Vec<server::entity::callback_inbox::Model> {
        let db = self.db().await;
        let rows = read_inbox(&db).await;
        db.close().await.ok();
        rows
    }

    pub async fn post_callback(
        &self,
        query: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/wecom/callback?{query}")))
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .expect("post callback")
    }

    pub fn backend_description(&self) -> String {
        format!(
            "{} + {}",
            if self.database_is_postgres {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            if self.cache_is_redis {
                "Redis"
            } else {
                "in-process cache"
            }
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command now; the server winds down while storage is cleaned up.
        drop(self.handle.stop(false));
    }
}

/// Server logs show with `TEST_LOG=1` (e.g. `TEST_LOG=1 cargo test -- --nocapture`).
fn init_test_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
                .with_test_writer()
                .try_init();
        }
    });
}
