//! The parts `Application::build` puts together, each from the settings: the sidebar's build,
//! the click writer's connections, what sending, welcoming and the inbox worker need, the
//! sessions, the sync schedule and the metrics.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use anyhow::Context as _;

use super::{InboxWorker, Syncing};
use crate::api_doc::{self, ApiDocument};
use crate::auth::Sessions;
use crate::cache::{self, SharedCache};
use crate::config::Settings;
use crate::database;
use crate::directory::relation_hook::RelationsChanged;
use crate::inbox::{Dependents, WorkerSettings};
use crate::monitoring::{self, MetricsHandle};
use crate::shares::radar::RadarFeed;
use crate::shares::welcome::{WelcomeFeed, Welcomer};
use crate::shares::{ClickRecorder, ClickWriter};
use crate::sidebar::SidebarAssets;
use crate::sidebar::sending::SendingSetup;
use crate::wecom::client::WecomClient;

/// The replicas that apply callbacks also keep the mirror in sync (when WeCom is configured).
pub(super) fn syncing(
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
/// The click recorder the short links hand clicks to, and its writer (which tells the
/// radar, when WeCom is configured, who opened what).
pub(super) async fn clicks(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
    wecom: Option<&WecomClient>,
    public_url: &str,
) -> anyhow::Result<(ClickRecorder, ClickWriter)> {
    let radar =
        wecom.map(|wecom| RadarFeed::start(db.clone(), wecom.clone(), public_url.to_owned()));
    Ok(ClickRecorder::start(
        click_writer_database(settings, db).await?,
        radar,
    ))
}

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
pub(super) async fn load_sidebar(settings: &Settings) -> anyhow::Result<SidebarAssets> {
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
pub(super) fn sending_setup(settings: &Settings, gate: &database::WriteGate) -> SendingSetup {
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

/// The inbox worker (on a replica that applies callbacks), told of relation changes by
/// `dependents` and woken by `wakeup` when a callback is stored.
pub(super) fn inbox_worker(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
    wecom: Option<&WecomClient>,
    gate: &database::WriteGate,
    public_url: &str,
    (dependents, wakeup): (Arc<dyn RelationsChanged>, Arc<tokio::sync::Notify>),
) -> Option<InboxWorker> {
    let welcome = welcomer(settings, wecom, db, gate, public_url);
    settings.inbox.worker.then(|| InboxWorker {
        db: db.clone(),
        wakeup,
        settings: worker_settings(settings, gate.clone(), welcome, dependents),
    })
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

/// The process's metrics, and `/metrics` alone on `GUIDEDESK_METRICS_LISTEN` when set (with
/// its port).
/// The API description as served; the demo build's pages described too.
pub(super) fn api_document(public_url: &str) -> anyhow::Result<ApiDocument> {
    #[allow(unused_mut)] // merged into in the demo build only
    let mut document = api_doc::document(public_url);
    #[cfg(feature = "demo")]
    document.merge(<crate::demo::DemoPages as utoipa::OpenApi>::openapi());
    ApiDocument::new(&document)
}

/// The listener on `GUIDEDESK_LISTEN`, and the port it got (`:0` picks one).
pub(super) fn bind(settings: &Settings) -> anyhow::Result<(std::net::TcpListener, u16)> {
    let listener = std::net::TcpListener::bind(&settings.listen)
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let port = listener.local_addr()?.port();
    Ok((listener, port))
}

pub(super) fn metrics(
    settings: &Settings,
    db: &sea_orm::DatabaseConnection,
) -> anyhow::Result<(MetricsHandle, Option<(Server, u16)>)> {
    let metrics = monitoring::recorder::install()?;
    let Some(address) = &settings.metrics_listen else {
        return Ok((metrics, None));
    };
    let listener = TcpListener::bind(address)
        .with_context(|| format!("cannot listen for /metrics on {address}"))?;
    let port = listener.local_addr()?.port();
    let server = monitoring::scrape::serve_apart(listener, metrics.clone(), db.clone())?;
    tracing::info!(%address, "metrics served apart");
    Ok((metrics, Some((server, port))))
}

pub(super) fn sessions(settings: &Settings, cache: &Arc<dyn cache::Cache>) -> Sessions {
    let ttl = std::time::Duration::from_secs(settings.auth.session_ttl_secs);
    Sessions::new(cache.clone(), ttl)
}
