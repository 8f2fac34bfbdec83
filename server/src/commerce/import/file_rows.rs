//! The reader thread: the file parsed into batches of rows (JSON Lines here, CSV in
//! `csv_rows`), handed over through a small bounded channel.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use super::csv_rows::read_csv;
use super::{Format, ImportError, Row};
use crate::commerce::batch::Kind;

/// The file, counting the bytes read (the progress line's share done).
pub(super) struct CountingReader {
    inner: File,
    read: Arc<AtomicU64>,
}

impl CountingReader {
    /// The reader, the file's size, and the count of bytes read so far.
    pub(super) fn open(path: &Path) -> Result<(Self, u64, Arc<AtomicU64>), ImportError> {
        let file = File::open(path).map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let read = Arc::new(AtomicU64::new(0));
        let reader = Self {
            inner: file,
            read: Arc::clone(&read),
        };
        Ok((reader, total_bytes, read))
    }
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The reader thread: parses the file into batches of rows and hands them over.
pub(super) fn read_rows(
    reader: CountingReader,
    format: Format,
    kind: Kind,
    batch: usize,
    path: &Path,
    sender: &tokio::sync::mpsc::Sender<Result<Vec<Row>, ImportError>>,
) {
    let mut pending = Vec::with_capacity(batch);
    let emit = |row: Row, pending: &mut Vec<Row>| -> bool {
        pending.push(row);
        if pending.len() >= batch {
            let full = std::mem::replace(pending, Vec::with_capacity(batch));
            return sender.blocking_send(Ok(full)).is_ok();
        }
        true
    };
    let outcome = match format {
        Format::JsonLines => read_json_lines(reader, |row| emit(row, &mut pending)),
        Format::Csv => read_csv(reader, kind, |row| emit(row, &mut pending)),
    };
    let message = match outcome {
        Ok(()) => {
            if !pending.is_empty() {
                let _ = sender.blocking_send(Ok(pending));
            }
            return;
        }
        Err(err) => err,
    };
    let _ = sender.blocking_send(Err(ImportError::Format(format!(
        "{}: {message}",
        path.display()
    ))));
}

fn read_json_lines(reader: impl Read, mut emit: impl FnMut(Row) -> bool) -> Result<(), String> {
    let mut lines = BufReader::with_capacity(256 * 1024, reader);
    let mut text = String::new();
    let mut line = 0u64;
    loop {
        text.clear();
        let n = lines
            .read_line(&mut text)
            .map_err(|err| format!("line {}: {err}", line + 1))?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        if text.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str::<Value>(&text).map_err(|err| format!("not JSON: {err}"));
        if !emit(Row { line, record }) {
            return Ok(());
        }
    }
}
