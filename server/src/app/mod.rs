//! Builds the running server: connects the database and cache, applies migrations, loads
//! the sidebar build, binds the listener and wires the routes (`routes`). Each handler is
//! handed the dependencies it uses, one `web::Data` each (`Dependencies`), not one bag.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;

mod routes;
mod wecom;

pub use wecom::{callback_verifier, required_wecom_client, wecom_client};

use crate::auth::Sessions;
use crate::cache::SharedCache;
use crate::commerce::ingest::IngestSecret;
use crate::commerce::stamped::AfterBatch;
use crate::config::{PublicUrl, Settings, SyncSchedule};
use crate::directory::relation_hook::RelationsChanged;
use crate::inbox::{self, Dependents, Intake, WorkerSettings};
use crate::shares::radar::RadarFeed;
use crate::shares::welcome::{WelcomeFeed, Welcomer};
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
        let assets = load_sidebar(&settings).await?;
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let public_url = settings.public_base_url(port);

        let callback = callback_verifier(&settings.wecom)?;
        let wecom = wecom_client(&settings.wecom, &cache)?;
        wecom::warn_unconfigured(&callback, &wecom);
        let inbox_wakeup = Arc::new(tokio::sync::Notify::new());
        let write_gate = database::WriteGate::for_database(&db);
        let attribution = Arc::new(crate::attribution::Attribution::start(&db, &settings).await?);
        let welcome = welcomer(&settings, wecom.as_ref(), &db, &write_gate, &public_url);
        let inbox_worker = settings.inbox.worker.then(|| InboxWorker {
            db: db.clone(),
            wakeup: Arc::clone(&inbox_wakeup),
            settings: worker_settings(&settings, write_gate.clone(), welcome, attribution.clone()),
        });
        let syncing = syncing(&settings, wecom.as_ref(), &db, &cache);
        let radar = wecom
            .as_ref()
            .map(|wecom| RadarFeed::start(db.clone(), wecom.clone(), public_url.clone()));
        let (clicks, click_writer) =
            ClickRecorder::start(click_writer_database(&settings, &db).await?, radar);
        let dependencies = Dependencies {
            after_batch: web::Data::from(attribution as Arc<dyn AfterBatch>),
            clicks: web::Data::new(clicks),
            share_targets: web::Data::new(ShareTargets::default()),
            sending: web::Data::new(sending_setup(&settings, &write_gate)),
            mall: web::Data::new(settings.mall.clone()),
            reports: web::Data::new(settings.reports.clone()),
            inbox: web::Data::new(Intake::start(db.clone(), write_gate.clone(), inbox_wakeup)),
            sessions: web::Data::new(sessions(&settings, &cache)),
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
                .map(|secret| web::Data::new(IngestSecret(secret))),
            assets: web::Data::new(assets),
        };
        let server = serve(listener, dependencies, settings.shutdown_timeout_secs)?;
        Ok(Self {
            port,
            public_url,
            server,
            inbox_worker,
            syncing,
            click_writer,
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
        let served = self.server.await;
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

/// The replicas that apply callbacks also keep the mirror in sync (when WeCom is configured).
fn syncing(
    settings: &Settings,
    wecom: Option<&WecomClient>,
    db: &sea_orm::DatabaseConnection,
    cache: &SharedCache,
) -> Option<Syncing> {
    let wecom = wecom.filter(|_| settings.inbox.worker)?;
    Some(Syncing {
        db: db.clone(),
        wecom: wecom.clone(),
        cache: cache.clone(),
        schedule: settings.sync,
    })
}

/// The click writer's own connections: opened by its task on this runtime, they are still
/// usable for its last write at shutdown, after the HTTP workers' runtimes (on which the
/// shared pool's connections may have been opened) have stopped. An in-memory SQLite
/// database cannot be opened twice: there the shared pool serves.
async fn click_writer_database(
    settings: &Settings,
    shared: &sea_orm::DatabaseConnection,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    if settings.database.url.expose().contains(":memory:") {
        return Ok(shared.clone());
    }
    database::connect(&crate::config::DatabaseSettings {
        url: settings.database.url.clone(),
        pool_size: 2,
    })
    .await
    .context("cannot open the database for the click writer")
}

/// The sidebar's build, read (and compressed) off the event loop.
async fn load_sidebar(settings: &Settings) -> anyhow::Result<SidebarAssets> {
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
    Ok(assets)
}

/// What welcoming new customers needs (with WeCom configured): started by the inbox worker.
fn welcomer(
    settings: &Settings,
    wecom: Option<&WecomClient>,
    db: &sea_orm::DatabaseConnection,
    gate: &database::WriteGate,
    public_url: &str,
) -> Option<Welcomer> {
    Some(Welcomer {
        db: db.clone(),
        gate: gate.clone(),
        stamping: settings.stamp.clone(),
        mall: settings.mall.clone(),
        public_url: public_url.to_owned(),
        wecom: wecom?.clone(),
        media: Default::default(),
    })
}

/// What sending needs, built once: the stamp and mall settings, the coupon lanes, the
/// media library and the group chats WeCom has told us about.
fn sending_setup(settings: &Settings, gate: &database::WriteGate) -> SendingSetup {
    SendingSetup {
        gate: gate.clone(),
        lanes: Default::default(),
        stamping: settings.stamp.clone(),
        mall: settings.mall.clone(),
        media: Default::default(),
        chats: Default::default(),
        // Half the pool: reads keep the other half during a burst of sends.
        permits: std::sync::Arc::new(tokio::sync::Semaphore::new(
            (settings.database.pool_size as usize / 2).max(1),
        )),
    }
}

fn worker_settings(
    settings: &Settings,
    gate: database::WriteGate,
    welcome: Option<Welcomer>,
    dependents: Arc<dyn RelationsChanged>,
) -> WorkerSettings {
    WorkerSettings {
        welcome: welcome.map(WelcomeFeed::start),
        dependents: Some(Dependents(dependents)),
        lease: std::time::Duration::from_secs(settings.inbox.lease_secs),
        max_attempts: i32::try_from(settings.inbox.max_attempts).unwrap_or(8),
        gate,
        ..WorkerSettings::default()
    }
}

/// The HTTP server on `listener`, every handler handed its dependencies.
fn serve(
    listener: TcpListener,
    dependencies: Dependencies,
    shutdown_timeout_secs: u64,
) -> std::io::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .wrap(from_fn(request_log::log_request))
            .configure(|cfg| dependencies.register(cfg))
            .configure(routes::configure_extractors)
            .configure(routes::routes)
    })
    .listen(listener)?
    // SIGTERM/SIGINT stop accepting, then in-flight requests get this long to finish.
    .shutdown_timeout(shutdown_timeout_secs)
    .run())
}

fn sessions(settings: &Settings, cache: &Arc<dyn cache::Cache>) -> Sessions {
    let ttl = std::time::Duration::from_secs(settings.auth.session_ttl_secs);
    Sessions::new(cache.clone(), ttl)
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
            .app_data(self.after_batch.clone());
        if let Some(callback) = &self.callback {
            cfg.app_data(callback.clone());
        }
        if let Some(wecom) = &self.wecom {
            cfg.app_data(wecom.clone());
        }
        if let Some(secret) = &self.ingest_secret {
            cfg.app_data(secret.clone());
        }
    }
}
