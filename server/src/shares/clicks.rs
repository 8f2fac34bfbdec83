//! Opens of short links, recorded without a write in the request path: the handler hands
//! the click to a bounded channel and redirects; one task writes what arrived, in one insert,
//! every second (or every `BATCH` clicks), and once more when the server stops gracefully.
//! Clicks that cannot be handed over are counted and reported once a second, not one log
//! line each.
//!
//! What can be lost, and how much: on a kill -9, the clicks of the last second at most (they
//! were only in memory); with the database down, the clicks the buffer holds beyond
//! `MAX_BUFFERED` (the oldest are dropped, counted in a warning); with more than
//! `CHANNEL_CAPACITY` clicks waiting for the writer, the newest (the handler never waits).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, Value,
};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::click_people::count_people;
use super::radar::RadarFeed;
use crate::database::begin_write;
use crate::entity::share_click;

const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// Rows per insert: 4 values a row stays under SQLite's and PostgreSQL's bind limits.
const BATCH: usize = 4_000;
const CHANNEL_CAPACITY: usize = 100_000;
const MAX_BUFFERED: usize = 200_000;

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
    dropped: Arc<AtomicU64>,
}

/// The writer's side: [`ClickWriter::finish`] writes what is left, at shutdown.
pub struct ClickWriter {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ClickRecorder {
    /// Starts the writer; each stored batch's people's opens go on to `radar` when given.
    pub fn start(db: DatabaseConnection, radar: Option<RadarFeed>) -> (Self, ClickWriter) {
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let (stop, stopped) = oneshot::channel();
        let dropped = Arc::new(AtomicU64::new(0));
        let writer = Writer { db, radar };
        let task = tokio::spawn(write_clicks(
            writer,
            receiver,
            stopped,
            Arc::clone(&dropped),
        ));
        (Self { sender, dropped }, ClickWriter { stop, task })
    }

    /// Hands the click over; if the writer is that far behind (or gone) the click is counted
    /// as lost and reported by the writer.
    pub fn record(&self, click: Click) {
        if self.sender.try_send(click).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("guidedesk_short_link_clicks_total", "outcome" => "dropped")
                .increment(1);
        } else {
            metrics::counter!("guidedesk_short_link_clicks_total", "outcome" => "buffered")
                .increment(1);
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

/// Where stored clicks go: the database, then the radar.
struct Writer {
    db: DatabaseConnection,
    radar: Option<RadarFeed>,
}

async fn write_clicks(
    db: Writer,
    mut receiver: mpsc::Receiver<Click>,
    mut stopped: oneshot::Receiver<()>,
    dropped: Arc<AtomicU64>,
) {
    let mut buffer: Vec<Click> = Vec::new();
    let mut ticker = tokio::time::interval(FLUSH_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                flush(&db, &mut buffer).await;
                let lost = dropped.swap(0, Ordering::Relaxed);
                if lost > 0 {
                    tracing::warn!(lost, "short-link clicks not recorded: the writer was behind");
                }
            }
            click = receiver.recv() => match click {
                Some(click) => {
                    buffer.push(click);
                    // Take what else is waiting, up to a batch, before writing.
                    while buffer.len() < BATCH {
                        match receiver.try_recv() {
                            Ok(click) => buffer.push(click),
                            Err(_) => break,
                        }
                    }
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
async fn flush(writer: &Writer, buffer: &mut Vec<Click>) {
    if buffer.is_empty() {
        return;
    }
    let mut written = 0;
    while written < buffer.len() {
        let end = (written + BATCH).min(buffer.len());
        if let Err(err) = insert(&writer.db, &buffer[written..end]).await {
            if let Some(radar) = &writer.radar {
                radar.opened(&buffer[..written]);
            }
            buffer.drain(..written);
            keep_for_later(buffer, &err);
            return;
        }
        metrics::counter!("guidedesk_short_link_clicks_total", "outcome" => "flushed")
            .increment((end - written) as u64);
        written = end;
    }
    if let Some(radar) = &writer.radar {
        radar.opened(buffer);
    }
    buffer.clear();
}

/// The clicks and the people they add to the reports, in one transaction.
async fn insert(db: &DatabaseConnection, clicks: &[Click]) -> Result<(), sea_orm::DbErr> {
    let txn = begin_write(db).await?;
    count_people(&txn, clicks).await?;
    insert_rows(&txn, clicks).await?;
    txn.commit().await
}

/// One statement for the clicks: on PostgreSQL one array per column unpacked by `UNNEST`
/// (four parameters, prepared once; a `VALUES` list of 16,000 could not keep up with a
/// burst), elsewhere a multi-row insert.
async fn insert_rows(db: &impl ConnectionTrait, clicks: &[Click]) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let share_ids: Vec<i64> = clicks.iter().map(|c| c.share_id).collect();
        let times: Vec<String> = clicks
            .iter()
            .map(|c| c.at.to_rfc3339_opts(SecondsFormat::Micros, true))
            .collect();
        let kinds: Vec<String> = clicks
            .iter()
            .map(|c| c.client.as_str().to_owned())
            .collect();
        let visitors: Vec<String> = clicks.iter().map(|c| c.visitor.clone()).collect();
        let sql = r#"INSERT INTO "share_clicks" ("share_id", "clicked_at", "client", "visitor")
SELECT s, t::timestamptz, c, v FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[])
  AS r(s, t, c, v)"#;
        let values: Vec<Value> = vec![
            share_ids.into(),
            times.into(),
            kinds.into(),
            visitors.into(),
        ];
        return db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .await
            .map(|_| ());
    }
    let rows = clicks.iter().map(|click| share_click::ActiveModel {
        share_id: Set(click.share_id),
        clicked_at: Set(click.at),
        client: Set(click.client.as_str().into()),
        visitor: Set(click.visitor.clone()),
        ..Default::default()
    });
    share_click::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// The database refused: the clicks wait for the next tick, the oldest dropped beyond a bound.
fn keep_for_later(buffer: &mut Vec<Click>, err: &sea_orm::DbErr) {
    tracing::warn!(error = %err, waiting = buffer.len(), "short-link clicks not written yet");
    if buffer.len() > MAX_BUFFERED {
        let dropped = buffer.len() - MAX_BUFFERED;
        buffer.drain(..dropped);
        tracing::warn!(dropped, "short-link clicks dropped: the database is down");
    }
}
