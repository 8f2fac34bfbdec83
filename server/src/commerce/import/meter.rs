//! The import's progress line on stderr.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::ProgressStyle;

/// Rows, rows/s and (by bytes read) the share done and the time left.
pub(super) struct Progress {
    style: Option<bool>,
    total_bytes: u64,
    started: Instant,
    last_line: Option<Instant>,
}

impl Progress {
    pub(super) fn new(style: ProgressStyle, total_bytes: u64) -> Self {
        let style = match style {
            ProgressStyle::Quiet => None,
            ProgressStyle::Auto => Some(std::io::stderr().is_terminal()),
        };
        Self {
            style,
            total_bytes,
            started: Instant::now(),
            last_line: None,
        }
    }

    fn text(&self, records: u64, bytes: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = records as f64 / secs;
        let share = if self.total_bytes > 0 {
            (bytes as f64 / self.total_bytes as f64).min(1.0)
        } else {
            0.0
        };
        let eta = if share > 0.0 {
            format!("{:.0} s left", secs * (1.0 - share) / share)
        } else {
            "-".into()
        };
        format!(
            "{records} records · {rate:.0}/s · {:.0}% · {eta}",
            share * 100.0
        )
    }

    pub(super) fn update(&mut self, records: u64, bytes: u64) {
        match self.style {
            Some(true) => {
                let mut stderr = std::io::stderr().lock();
                let _ = write!(stderr, "\r\x1b[2Kimport: {}", self.text(records, bytes));
                let _ = stderr.flush();
            }
            Some(false)
                if self
                    .last_line
                    .is_none_or(|at| at.elapsed() >= Duration::from_secs(5)) =>
            {
                self.last_line = Some(Instant::now());
                eprintln!("import: {}", self.text(records, bytes));
            }
            _ => {}
        }
    }

    pub(super) fn finish(&mut self, records: u64, bytes: u64) {
        match self.style {
            Some(true) => eprintln!(),
            Some(false) => eprintln!("import: {}", self.text(records, bytes)),
            None => {}
        }
    }
}
