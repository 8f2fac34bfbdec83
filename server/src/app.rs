//! Builds the running server: connects the database and cache, applies migrations, loads
//! the sidebar build, binds the listener and wires the routes.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;

use crate::auth::{self, Sessions};
use crate::config::Settings;
use crate::error::AppError;
use crate::inbox::{self, WorkerSettings};
use crate::sidebar::{self, SidebarAssets};
use crate::state::AppState;
use crate::sync::schedule::SyncSchedule;
use crate::wecom::callback::{self, CallbackConfig};
use crate::wecom::client::WecomClient;
use crate::wecom::crypto::CallbackCrypto;
use crate::wecom::jssdk;
use crate::{cache, database, health, request_log, sync};

pub struct Application {
    port: u16,
    public_url: String,
    server: Server,
    /// Applies stored callbacks; `None` on a receive-only replica.
    inbox_worker: Option<InboxWorker>,
    /// Drains the re-sync queue and reconciles nightly; `None` without WeCom or a worker.
    syncing: Option<Syncing>,
}

struct Syncing {
    db: sea_orm::DatabaseConnection,
    wecom: WecomClient,
    cache: cache::SharedCache,
    schedule: SyncSchedule,
}

struct InboxWorker {
    db: sea_orm::DatabaseConnection,
    wakeup: Arc<tokio::sync::Notify>,
    settings: WorkerSettings,
}

impl Application {
    /// Everything that can fail at start-up fails here, before the port is announced.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = database::connect(&settings.database)
            .await
            .with_context(|| {
                format!("cannot open the database {}", settings.database.describe())
            })?;
        database::migrate(&db)
            .await
            .context("cannot apply the database migrations")?;
        let cache = cache::connect(&settings.cache)
            .await
            .context("cannot reach the cache")?;

        let sidebar_dir = settings.sidebar_dir.clone();
        let assets = tokio::task::spawn_blocking(move || SidebarAssets::load(&sidebar_dir))
            .await
            .context("loading the sidebar build was interrupted")??;
        if assets.is_built() {
            tracing::info!(files = assets.file_count(), dir = %settings.sidebar_dir.display(), "sidebar loaded");
        } else {
            tracing::warn!(
                dir = %settings.sidebar_dir.display(),
                "no sidebar build found (run `trunk build --release`); /sidebar/ answers with an error"
            );
        }

        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let public_url = settings.public_base_url(port);
        let shutdown_timeout = settings.shutdown_timeout_secs;
        tracing::info!(
            database = %settings.database.describe(),
            cache = cache.kind(),
            "storage ready"
        );

        let callback = callback_config(&settings)?;
        if callback.is_none() {
            tracing::warn!("WeCom callbacks are not configured; /wecom/callback answers 503");
        }
        let inbox_wakeup = Arc::new(tokio::sync::Notify::new());
        let write_gate = database::WriteGate::for_database(&db);
        let inbox_worker = settings.inbox.worker.then(|| InboxWorker {
            db: db.clone(),
            wakeup: Arc::clone(&inbox_wakeup),
            settings: WorkerSettings {
                lease: std::time::Duration::from_secs(settings.inbox.lease_secs),
                max_attempts: i32::try_from(settings.inbox.max_attempts).unwrap_or(8),
                gate: write_gate.clone(),
                ..WorkerSettings::default()
            },
        });
        let wecom = WecomClient::from_settings(&settings.wecom, &cache)
            .context("cannot build the WeCom API client")?;
        if wecom.is_none() {
            tracing::warn!("the WeCom API is not configured (WECOM_CORP_ID, WECOM_SECRET)");
        }
        let inbox = inbox::Intake::start(db.clone(), write_gate, inbox_wakeup);
        // The replicas that apply callbacks also keep the mirror in sync.
        let syncing = match (&wecom, settings.inbox.worker) {
            (Some(wecom), true) => Some(Syncing {
                db: db.clone(),
                wecom: wecom.clone(),
                cache: cache.clone(),
                schedule: settings.sync,
            }),
            _ => None,
        };
        let sessions = Sessions::new(
            cache.clone(),
            std::time::Duration::from_secs(settings.auth.session_ttl_secs),
        );
        let state = AppState {
            db,
            cache,
            public_url: Arc::from(public_url.as_str()),
            settings: Arc::new(settings),
            callback,
            wecom,
            inbox,
            sessions,
        };
        let state = web::Data::new(state);
        let assets = web::Data::new(assets);
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(request_log::log_request))
                .app_data(state.clone())
                .app_data(assets.clone())
                .configure(configure_extractors)
                .configure(routes)
        })
        .listen(listener)?
        // SIGTERM/SIGINT stop accepting, then in-flight requests get this long to finish.
        .shutdown_timeout(shutdown_timeout)
        .run();

        Ok(Self {
            port,
            public_url,
            server,
            inbox_worker,
            syncing,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base URL the sidebar is served under (`{public_url}/sidebar/`).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// A handle to stop the server from elsewhere (tests, the CLI).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves (and applies stored callbacks) until the server is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = self.inbox_worker.map(|worker| {
            tokio::spawn(inbox::worker::run(
                worker.db,
                worker.wakeup,
                worker.settings,
            ))
        });
        let mut background: Vec<_> = worker.into_iter().collect();
        if let Some(syncing) = self.syncing {
            if let Some(every) = syncing.schedule.queue_every {
                background.push(tokio::spawn(sync::schedule::drain_queue_periodically(
                    syncing.db.clone(),
                    syncing.wecom.clone(),
                    every,
                )));
            }
            if let Some(at) = syncing.schedule.nightly_at {
                background.push(tokio::spawn(sync::schedule::reconcile_nightly(
                    syncing.db,
                    syncing.wecom,
                    syncing.cache,
                    at,
                )));
            }
        }
        let served = self.server.await;
        // A row being applied is rolled back with its transaction and picked up again later;
        // a sync run stopped midway resumes from its saved position.
        for task in background {
            task.abort();
        }
        served
    }
}

/// The callback crypto, when the settings configure it (they are validated all-or-none).
fn callback_config(settings: &Settings) -> anyhow::Result<Option<Arc<CallbackConfig>>> {
    let wecom = &settings.wecom;
    let (Some(token), Some(key), Some(corp_id)) = (
        &wecom.callback_token,
        &wecom.callback_aes_key,
        &wecom.corp_id,
    ) else {
        return Ok(None);
    };
    let crypto = CallbackCrypto::new(token.clone(), key.expose(), corp_id)
        .context("WECOM_CALLBACK_AES_KEY is not a valid EncodingAESKey")?;
    Ok(Some(Arc::new(CallbackConfig {
        crypto,
        max_skew_secs: wecom.callback_max_skew_secs,
    })))
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/wecom/callback", web::get().to(callback::verify_url))
        .route("/wecom/callback", web::post().to(callback::receive_event))
        .route("/readyz", web::get().to(health::readyz))
        .route("/auth/wecom/start", web::get().to(auth::start_oauth))
        .service(
            web::resource("/api/v1/session")
                .route(web::post().to(auth::sign_in))
                .route(web::get().to(auth::current_session))
                .route(web::delete().to(auth::sign_out)),
        )
        .route("/api/v1/jssdk/config", web::get().to(jssdk::config))
        .configure(sidebar::routes)
        .route(
            "/api/v1/ingest/{kind}",
            web::post().to(crate::commerce::ingest::receive),
        )
        .route(
            "/demo/images/{name}",
            web::get().to(crate::demo::images::product_image),
        )
        .route(
            "/sidebar",
            web::get().to(sidebar::assets::redirect_to_index),
        )
        .route(
            "/sidebar/{path:.*}",
            web::get().to(sidebar::assets::serve_asset),
        )
        .route(
            "/sidebar/{path:.*}",
            web::head().to(sidebar::assets::serve_asset),
        )
        .default_service(web::to(unknown_route));
}

async fn unknown_route() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Malformed JSON, query strings and path segments answer with our `{code, message}` body,
/// like every other error, instead of actix's plain-text defaults.
fn configure_extractors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(256 * 1024)
            .error_handler(|err, _| {
                AppError::BadRequest {
                    code: "invalid_json",
                    message: format!("请求内容无效：{err}"),
                }
                .into()
            }),
    )
    .app_data(web::QueryConfig::default().error_handler(|err, _| {
        AppError::BadRequest {
            code: "invalid_query",
            message: format!("请求参数无效：{err}"),
        }
        .into()
    }))
    .app_data(web::PathConfig::default().error_handler(|err, _| {
        AppError::BadRequest {
            code: "invalid_path",
            message: format!("请求路径无效：{err}"),
        }
        .into()
    }));
}
