//! Opens of short links, recorded without a write in the request path: the handler hands
//! the click to a bounded channel and redirects; one task writes what arrived, in one insert,
//! every second (or every `BATCH` clicks), and once more when the server stops gracefully.
//!
//! What can be lost, and how much: on a kill -9, the clicks of the last second at most (they
//! were only in memory); with the database down, the clicks the buffer holds beyond
//! `MAX_BUFFERED` (the oldest are dropped, counted in a warning); with more than
//! `CHANNEL_CAPACITY` clicks waiting for the writer, the newest (the handler never waits).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::entity::share_click;

const FLUSH_EVERY: Duration = Duration::from_secs(1);
const BATCH: usize = 500;
const CHANNEL_CAPACITY: usize = 10_000;
const MAX_BUFFERED: usize = 50_000;

/// Who opened a link, as far as the request tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// WeCom's in-app browser (`wxwork` in the user agent).
    Wecom,
    /// WeChat's in-app browser (`MicroMessenger` without `wxwork`).
    Wechat,
    Browser,
    /// A fetcher drawing the link's card (a HEAD request, or a known preview or bot agent):
    /// not a person's click.
    Preview,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wecom => "wecom",
            Self::Wechat => "wechat",
            Self::Browser => "browser",
            Self::Preview => "preview",
        }
    }

    /// From the request's method and user agent.
    pub fn of(head_request: bool, user_agent: &str) -> Self {
        const PREVIEWERS: [&str; 12] = [
            "bot",
            "spider",
            "crawler",
            "preview",
            "facebookexternalhit",
            "whatsapp",
            "telegram",
            "slack",
            "discord",
            "curl/",
            "python-requests",
            "go-http-client",
        ];
        let agent = user_agent.to_ascii_lowercase();
        if head_request || agent.is_empty() || PREVIEWERS.iter().any(|p| agent.contains(p)) {
            Self::Preview
        } else if agent.contains("wxwork") {
            Self::Wecom
        } else if agent.contains("micromessenger") {
            Self::Wechat
        } else {
            Self::Browser
        }
    }
}

#[derive(Debug, Clone)]
pub struct Click {
    pub share_id: i64,
    pub at: DateTime<Utc>,
    pub client: ClientKind,
    pub visitor: String,
}

/// The handlers' side: never waits, never writes.
#[derive(Clone)]
pub struct ClickRecorder {
    sender: mpsc::Sender<Click>,
}

/// The writer's side: [`ClickWriter::finish`] writes what is left, at shutdown.
pub struct ClickWriter {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ClickRecorder {
    pub fn start(db: DatabaseConnection) -> (Self, ClickWriter) {
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(write_clicks(db, receiver, stopped));
        (Self { sender }, ClickWriter { stop, task })
    }

    /// Hands the click over; `false` (and a warning) if the writer is that far behind.
    pub fn record(&self, click: Click) -> bool {
        match self.sender.try_send(click) {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(error = %err, "a short-link click was not recorded");
                false
            }
        }
    }
}

impl ClickWriter {
    /// Takes the clicks still in the channel, writes them, and returns.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        if let Err(err) = self.task.await {
            tracing::warn!(error = %err, "the click writer stopped abnormally");
        }
    }
}

async fn write_clicks(
    db: DatabaseConnection,
    mut receiver: mpsc::Receiver<Click>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut buffer: Vec<Click> = Vec::new();
    let mut ticker = tokio::time::interval(FLUSH_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => flush(&db, &mut buffer).await,
            click = receiver.recv() => match click {
                Some(click) => {
                    buffer.push(click);
                    if buffer.len() >= BATCH {
                        flush(&db, &mut buffer).await;
                    }
                }
                None => break,
            },
            _ = &mut stopped => break,
        }
    }
    receiver.close();
    while let Ok(click) = receiver.try_recv() {
        buffer.push(click);
    }
    flush(&db, &mut buffer).await;
    if !buffer.is_empty() {
        tracing::warn!(
            lost = buffer.len(),
            "short-link clicks could not be written at shutdown"
        );
    }
}

/// Writes the buffer in one insert; on failure keeps it for the next tick (bounded).
async fn flush(db: &DatabaseConnection, buffer: &mut Vec<Click>) {
    if buffer.is_empty() {
        return;
    }
    let rows = buffer.iter().map(|click| share_click::ActiveModel {
        share_id: Set(click.share_id),
        clicked_at: Set(click.at),
        client: Set(click.client.as_str().into()),
        visitor: Set(click.visitor.clone()),
        ..Default::default()
    });
    match share_click::Entity::insert_many(rows).exec(db).await {
        Ok(_) => buffer.clear(),
        Err(err) => {
            tracing::warn!(error = %err, waiting = buffer.len(), "short-link clicks not written yet");
            if buffer.len() > MAX_BUFFERED {
                let dropped = buffer.len() - MAX_BUFFERED;
                buffer.drain(..dropped);
                tracing::warn!(dropped, "short-link clicks dropped: the database is down");
            }
        }
    }
}
