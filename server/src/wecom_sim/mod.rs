//! A WeCom simulator: an HTTP server speaking the parts of WeCom's API that GuideDesk uses,
//! with its data, so the tests and the demo run without a WeCom account
//! (`guidedesk wecom-sim --listen ADDR [--data FILE]`).
//!
//! Like WeCom, it answers HTTP 200 with an `errcode`, issues access tokens that expire (the
//! lifetime is configurable, and tokens can be revoked early), and single-use OAuth codes.
//! For tests it also injects faults (an errcode some number of times, or a slow answer),
//! counts calls per endpoint, and records what was asked of it (mark_tag, transfers).
//! Its control API lives under `/sim/`.

mod answers;
mod control;
mod data;
mod endpoints;
mod oauth;
mod push;
mod sends;
mod tags_and_transfers;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use serde::{Deserialize, Serialize};

pub use data::SimulatorData;
pub use push::CallbackTarget;

/// An errcode (or a delay) the simulator answers some endpoint with, some number of times.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fault {
    /// The API path, e.g. `cgi-bin/user/get`.
    pub path: String,
    /// The errcode to answer with; 0 answers normally (after the delay).
    #[serde(default)]
    pub errcode: i64,
    /// How many calls get the fault.
    #[serde(default = "one")]
    pub times: u32,
    #[serde(default)]
    pub delay_ms: u64,
    /// Calls of `path` answered normally before the fault starts (to fail a run midway).
    #[serde(default)]
    pub after: u32,
}

fn one() -> u32 {
    1
}

/// A mark_tag call as the simulator received it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MarkTagRecord {
    pub userid: String,
    pub external_userid: String,
    #[serde(default)]
    pub add_tag: Vec<String>,
    #[serde(default)]
    pub remove_tag: Vec<String>,
}

pub(crate) struct Simulator {
    data: SimulatorData,
    token_lifetime: Duration,
    tokens: HashMap<String, Instant>,
    codes: HashMap<String, (String, Instant)>,
    counters: HashMap<String, u64>,
    faults: Vec<Fault>,
    marks: Vec<MarkTagRecord>,
    /// Every jsapi ticket issued, so a test can check a signature made with one.
    tickets: IssuedTickets,
    /// Customer transfers requested, as WeCom tracks them until they complete.
    transfers: Vec<TransferRecord>,
    /// Media uploads and messages sent, in the order they arrived.
    outbound: Vec<sends::OutboundRecord>,
}

/// One customer's resigned-member transfer, as the simulated WeCom tracks it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TransferRecord {
    handover_userid: String,
    takeover_userid: String,
    external_userid: String,
    /// 2 waiting until `/sim/transfers/complete`, then 1 done (or 3 refused).
    status: i64,
    takeover_time: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct IssuedTickets {
    corp: Vec<String>,
    agent: Vec<String>,
}

/// An OAuth code lives this long and is good for one call, as WeCom's.
const CODE_LIFETIME: Duration = Duration::from_secs(300);

pub(crate) type Shared = Arc<Mutex<Simulator>>;

pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, Simulator> {
    // Every handler leaves the state consistent; a poisoned lock only means one panicked.
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running simulator.
pub struct WecomSimulator {
    port: u16,
    server: Server,
}

impl WecomSimulator {
    /// Binds `listen` (port 0 picks one) and serves `data`.
    pub fn start(
        listen: &str,
        data: SimulatorData,
        token_lifetime: Duration,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(listen)?;
        let port = listener.local_addr()?.port();
        let shared: Shared = Arc::new(Mutex::new(Simulator {
            data,
            token_lifetime,
            tokens: HashMap::new(),
            codes: HashMap::new(),
            counters: HashMap::new(),
            faults: Vec::new(),
            marks: Vec::new(),
            tickets: IssuedTickets::default(),
            transfers: Vec::new(),
            outbound: Vec::new(),
        }));
        let state = web::Data::new(shared);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::JsonConfig::default().limit(1024 * 1024))
                .app_data(web::PayloadConfig::new(32 * 1024 * 1024))
                .configure(endpoints::routes)
                .configure(control::routes)
                .configure(oauth::routes)
                .configure(push::routes)
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}
