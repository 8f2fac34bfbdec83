//! Builds the running server: connects the database and cache, applies migrations, loads
//! the sidebar build, binds the listener and wires the routes (`routes`). Each handler is
//! handed the dependencies it uses, one `web::Data` each (`Dependencies`), not one bag.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;

mod assembly;
mod routes;

pub use routes::listed_routes;
mod wecom;

pub use wecom::{callback_verifier, required_wecom_client, wecom_client};

use crate::api_doc::ApiDocument;
use crate::auth::Sessions;
use crate::cache::SharedCache;
use crate::commerce::ingest::IngestSecret;
use crate::commerce::stamped::AfterBatch;
use crate::config::{PublicUrl, Settings, SyncSchedule};
use crate::inbox::{self, Intake, WorkerSettings};
use crate::limits::{CallbackLoad, DoorRate};
use crate::monitoring::{self, MetricsHandle};
use crate::shares::{ClickRecorder, ClickWriter, ShareTargets};
use crate::sidebar::SidebarAssets;
use crate::sidebar::sending::SendingSetup;
use crate::wecom::callback::CallbackVerifier;
use crate::wecom::client::WecomClient;
use crate::{cache, database, request_log, sync};

pub struct Application {
    port: u16,
    public_url: String,
    server: Server,
    /// Applies stored callbacks; `None` on a receive-only replica.
    inbox_worker: Option<InboxWorker>,
    /// Drains the re-sync queue and reconciles nightly; `None` without WeCom or a worker.
    syncing: Option<Syncing>,
    /// Writes short-link clicks; finished after the server stops, so none is left behind.
    click_writer: ClickWriter,
    /// `/metrics` on its own address (`GUIDEDESK_METRICS_LISTEN`), and its port.
    metrics_apart: Option<(Server, u16)>,
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
        let (db, cache) = open_storage(&settings).await?;
        let assets = assembly::load_sidebar(&settings).await?;
        let (listener, port) = assembly::bind(&settings)?;
        let public_url = settings.public_base_url(port);

        let (callback, wecom) = wecom::configured(&settings.wecom, &cache)?;
        let inbox_wakeup = Arc::new(tokio::sync::Notify::new());
        let write_gate = database::WriteGate::for_database(&db);
        let attribution = Arc::new(crate::attribution::Attribution::start(&db, &settings).await?);
        let inbox_worker = assembly::inbox_worker(
            &settings,
            &db,
            wecom.as_ref(),
            &write_gate,
            &public_url,
            (attribution.clone(), Arc::clone(&inbox_wakeup)),
        );
        let syncing = assembly::syncing(&settings, wecom.as_ref(), &db, &cache);
        let (clicks, click_writer) =
            assembly::clicks(&settings, &db, wecom.as_ref(), &public_url).await?;
        let (metrics, metrics_apart) = assembly::metrics(&settings, &db)?;
        let dependencies = Dependencies {
            after_batch: web::Data::from(attribution as Arc<dyn AfterBatch>),
            clicks: web::Data::new(clicks),
            share_targets: web::Data::new(ShareTargets::default()),
            sending: web::Data::new(assembly::sending_setup(&settings, &write_gate)),
            mall: web::Data::new(settings.mall.clone()),
            reports: web::Data::new(settings.reports.clone()),
            inbox: web::Data::new(Intake::start(db.clone(), write_gate.clone(), inbox_wakeup)),
            sessions: web::Data::new(assembly::sessions(&settings, &cache)),
            db: web::Data::new(db),
            cache: web::Data::from(cache),
            callback: callback.map(web::Data::new),
            wecom: wecom.map(web::Data::new),
            public_url: web::Data::new(PublicUrl::new(&public_url)),
            auth: web::Data::new(settings.auth.clone()),
            wecom_settings: web::Data::new(settings.wecom.clone()),
            ingest_secret: settings
                .ingest_secret
                .clone()
                .map(IngestSecret)
                .map(web::Data::new),
            assets: web::Data::new(assets),
            door_rate: web::Data::new(DoorRate::new(&settings.limits)),
            callback_load: web::Data::new(CallbackLoad::new(&settings.limits)),
            metrics: metrics_apart.is_none().then(|| web::Data::new(metrics)),
            api_document: web::Data::new(assembly::api_document(&public_url)?),
        };
        let server = serve(listener, dependencies, settings.shutdown_timeout_secs)?;
        Ok(Self {
            port,
            public_url,
            server,
            inbox_worker,
            syncing,
            click_writer,
            metrics_apart,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of `/metrics` when it is served apart (`GUIDEDESK_METRICS_LISTEN`).
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_apart.as_ref().map(|(_, port)| *port)
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
        let lapsing = self.inbox_worker.as_ref().map(|worker| {
            tokio::spawn(crate::shares::coupon_quota::lapse_periodically(
                worker.db.clone(),
                worker.settings.gate.clone(),
            ))
        });
        let worker = self.inbox_worker.map(|worker| {
            tokio::spawn(inbox::worker::run(
                worker.db,
                worker.wakeup,
                worker.settings,
            ))
        });
        let mut background: Vec<_> = worker.into_iter().chain(lapsing).collect();
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
        let metrics_apart = self.metrics_apart.map(|(server, _)| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        let served = self.server.await;
        if let Some((task, handle)) = metrics_apart {
            handle.stop(true).await;
            let _ = task.await;
        }
        // Every request has been answered: the clicks they recorded are written now.
        self.click_writer.finish().await;
        // A row being applied is rolled back with its transaction and picked up again later;
        // a sync run stopped midway resumes from its saved position.
        for task in background {
            task.abort();
        }
        served
    }
}

/// The database (migrated) and the cache, both reachable.
async fn open_storage(
    settings: &Settings,
) -> anyhow::Result<(sea_orm::DatabaseConnection, SharedCache)> {
    let db = database::connect(&settings.database)
        .await
        .with_context(|| format!("cannot open the database {}", settings.database.describe()))?;
    database::migrate(&db)
        .await
        .context("cannot apply the database migrations")?;
    let cache = cache::connect(&settings.cache)
        .await
        .context("cannot reach the cache")?;
    tracing::info!(
        database = %settings.database.describe(),
        cache = cache.kind(),
        "storage ready"
    );
    Ok((db, cache))
}

/// The HTTP server on `listener`, every handler handed its dependencies.
fn serve(
    listener: TcpListener,
    dependencies: Dependencies,
    shutdown_timeout_secs: u64,
) -> std::io::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .wrap(from_fn(monitoring::http::count_request))
            .wrap(from_fn(request_log::log_request))
            .configure(|cfg| dependencies.register(cfg))
            .configure(routes::configure_extractors)
            .configure(|cfg| {
                routes::routes(cfg);
            })
    })
    .listen(listener)?
    // SIGTERM/SIGINT stop accepting, then in-flight requests get this long to finish.
    .shutdown_timeout(shutdown_timeout_secs)
    .run())
}

/// What the handlers may be handed, each on its own: a handler names the ones it uses.
/// The optional ones are registered only when configured, and a handler that takes
/// `Option<web::Data<_>>` answers "not configured" without them.
#[derive(Clone)]
struct Dependencies {
    db: web::Data<sea_orm::DatabaseConnection>,
    cache: web::Data<dyn cache::Cache>,
    sessions: web::Data<Sessions>,
    inbox: web::Data<Intake>,
    callback: Option<web::Data<CallbackVerifier>>,
    wecom: Option<web::Data<WecomClient>>,
    public_url: web::Data<PublicUrl>,
    auth: web::Data<crate::config::AuthSettings>,
    wecom_settings: web::Data<crate::config::WecomSettings>,
    ingest_secret: Option<web::Data<IngestSecret>>,
    assets: web::Data<SidebarAssets>,
    clicks: web::Data<ClickRecorder>,
    share_targets: web::Data<ShareTargets>,
    sending: web::Data<SendingSetup>,
    mall: web::Data<crate::config::MallSettings>,
    reports: web::Data<crate::config::ReportSettings>,
    /// Crediting, after every ingest batch.
    after_batch: web::Data<dyn AfterBatch>,
    /// The public doors' rate limits, and the callbacks taken in at once.
    door_rate: web::Data<DoorRate>,
    callback_load: web::Data<CallbackLoad>,
    /// `None` when `/metrics` is served on its own address: the main one answers 404.
    metrics: Option<web::Data<MetricsHandle>>,
    /// `/api/openapi.json`, written once.
    api_document: web::Data<ApiDocument>,
}

impl Dependencies {
    fn register(&self, cfg: &mut web::ServiceConfig) {
        cfg.app_data(self.db.clone())
            .app_data(self.cache.clone())
            .app_data(self.sessions.clone())
            .app_data(self.inbox.clone())
            .app_data(self.public_url.clone())
            .app_data(self.auth.clone())
            .app_data(self.wecom_settings.clone())
            .app_data(self.assets.clone())
            .app_data(self.clicks.clone())
            .app_data(self.share_targets.clone())
            .app_data(self.sending.clone())
            .app_data(self.mall.clone())
            .app_data(self.reports.clone())
            .app_data(self.after_batch.clone())
            .app_data(self.door_rate.clone())
            .app_data(self.callback_load.clone())
            .app_data(self.api_document.clone());
        if let Some(callback) = &self.callback {
            cfg.app_data(callback.clone());
        }
        if let Some(wecom) = &self.wecom {
            cfg.app_data(wecom.clone());
        }
        if let Some(secret) = &self.ingest_secret {
            cfg.app_data(secret.clone());
        }
        if let Some(metrics) = &self.metrics {
            cfg.app_data(metrics.clone());
        }
    }
}
