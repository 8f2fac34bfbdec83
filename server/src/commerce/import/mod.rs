//! `guidedesk import KIND FILE`: bulk loading from CSV or JSON Lines through the same
//! validation and upserts as the ingest API. The file is streamed (a reader thread parses
//! batches into a small bounded channel, so memory stays flat whatever its size), each batch is
//! one transaction, bad rows are reported with their line number and skipped, and re-running
//! after an interruption is safe: every upsert is idempotent.
//!
//! CSV: the header names the fields. Amounts (`*_fen`) and counts are whole numbers, `active`
//! and `on_sale` are `true`/`false`, `store_ids` are separated by `|`, `details` is JSON, a
//! member's `tags` are `group:name` separated by `|`. Child
//! rows go on consecutive lines with the same `id`: `item_*` columns for an order's items,
//! `event_*` for a shipment's tracking events, `sku_*` for a product's SKUs.

mod csv_rows;
mod file_rows;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde_json::Value;
use shared::IngestAnswer;

use super::batch::{Kind, apply_batch};
use super::stamped::AfterBatch;
use crate::progress::{Progress, ShowProgress, Unit};
use file_rows::{CountingReader, read_rows};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// By the file's extension: `.csv`, or `.jsonl` / `.ndjson` / `.json`.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" | "json" => Some(Self::JsonLines),
            _ => None,
        }
    }
}

/// One record read from the file, with the line it starts on.
struct Row {
    line: u64,
    record: Result<Value, String>,
}

/// A refused row: its line, its id when readable, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub id: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub records: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Imports `path` as records of `kind` into `db`, `batch` records per transaction, each
/// batch's effects told to `after` (crediting); every bad row is passed to `on_bad_row`.
pub async fn import_file(
    (db, after): (&DatabaseConnection, &dyn AfterBatch),
    kind: Kind,
    path: &Path,
    format: Format,
    batch: usize,
    show: ShowProgress,
    mut on_bad_row: impl FnMut(&BadRow),
) -> Result<ImportSummary, ImportError> {
    let (counter, total_bytes, bytes_read) = CountingReader::open(path)?;
    let batch = batch.clamp(1, super::batch::MAX_RECORDS);
    let (reader, mut receiver) = start_reader(counter, format, kind, batch, path);
    let started = Instant::now();
    let progress = Progress::start("import", Some(total_bytes), Unit::Bytes, show);
    let mut summary = ImportSummary::default();
    // PostgreSQL takes three batches at once (three connections: while one batch's rows travel
    // or commit, the others keep both cores busy; measured 23k → 26k orders/s); the upsert's
    // `updated_at` guard keeps the newest version whichever commits first. SQLite has one
    // writer: one batch at a time.
    let max_in_flight = match db.get_database_backend() {
        DatabaseBackend::Postgres => 3,
        _ => 1,
    };
    let mut in_flight = FuturesOrdered::new();
    let mut reading = true;
    while reading || !in_flight.is_empty() {
        if reading && in_flight.len() < max_in_flight {
            match receiver.recv().await {
                Some(rows) => {
                    let prepared = prepare(rows?, &mut summary);
                    in_flight.push_back(async move {
                        let (lines, records, bad) = prepared;
                        let answer = apply_batch(db, kind, records, Utc::now(), after).await?;
                        Ok::<_, ImportError>((answer, lines, bad))
                    });
                }
                None => reading = false,
            }
            continue;
        }
        let Some(done) = in_flight.next().await else {
            break;
        };
        let (answer, lines, bad) = done?;
        settle(&mut summary, answer, &lines, bad, &mut on_bad_row);
        progress.set(bytes_read.load(Ordering::Relaxed));
        progress.note(format!("· {} records", summary.records));
    }
    if reader.join().is_err() {
        return Err(ImportError::Format(
            "the file reader stopped unexpectedly".into(),
        ));
    }
    progress.set(bytes_read.load(Ordering::Relaxed));
    progress.finish();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The reader thread, and the batches it reads: a few read ahead at most, so the reader stays
/// just ahead of the database.
fn start_reader(
    counter: CountingReader,
    format: Format,
    kind: Kind,
    batch: usize,
    path: &Path,
) -> (
    std::thread::JoinHandle<()>,
    tokio::sync::mpsc::Receiver<Result<Vec<Row>, ImportError>>,
) {
    let (sender, receiver) = tokio::sync::mpsc::channel(4);
    let path = path.to_owned();
    let reader =
        std::thread::spawn(move || read_rows(counter, format, kind, batch, &path, &sender));
    (reader, receiver)
}

/// A batch written: its accepted count, and its bad rows reported in file order, whichever
/// stage refused them.
fn settle(
    summary: &mut ImportSummary,
    answer: IngestAnswer,
    lines: &[u64],
    mut bad: Vec<BadRow>,
    on_bad_row: &mut impl FnMut(&BadRow),
) {
    summary.accepted += answer.accepted;
    bad.extend(answer.rejected.into_iter().map(|rejection| BadRow {
        line: lines.get(rejection.index).copied().unwrap_or(0),
        id: rejection.id,
        code: rejection.code,
        message: rejection.message,
    }));
    bad.sort_by_key(|row| row.line);
    summary.rejected += bad.len() as u64;
    for row in &bad {
        on_bad_row(row);
    }
}

/// A batch's records with their line numbers, and the lines that could not be read at all.
fn prepare(rows: Vec<Row>, summary: &mut ImportSummary) -> (Vec<u64>, Vec<Value>, Vec<BadRow>) {
    let mut lines = Vec::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    let mut bad = Vec::new();
    for row in rows {
        summary.records += 1;
        match row.record {
            Ok(record) => {
                lines.push(row.line);
                records.push(record);
            }
            Err(message) => bad.push(BadRow {
                line: row.line,
                id: None,
                code: "unreadable_line".into(),
                message,
            }),
        }
    }
    (lines, records, bad)
}
