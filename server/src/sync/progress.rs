//! Progress of a long sync: a bar redrawn in place on a terminal, plain lines otherwise (a
//! log file, CI, a pipe), and log events when the server runs it at night.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub enum Progress {
    /// Redraws one line on stderr.
    Bar { started: Instant },
    /// One line per step on stderr, at most every few seconds (plus the last one).
    Lines {
        started: Instant,
        last: Option<Instant>,
    },
    /// `tracing` events (the server's nightly run).
    Log,
    /// Nothing (tests).
    Quiet,
}

/// Lines are written at most this often, so a log is not flooded by a big corp.
const LINE_EVERY: Duration = Duration::from_secs(5);
const BAR_WIDTH: usize = 24;

impl Progress {
    /// A bar when stderr is a terminal, lines otherwise.
    pub fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Self::Bar {
                started: Instant::now(),
            }
        } else {
            Self::Lines {
                started: Instant::now(),
                last: None,
            }
        }
    }

    /// Where a run is: `done` of `total` guides, `contacts` contacts so far, the current guide.
    pub fn update(&mut self, done: usize, total: usize, contacts: u64, current: &str) {
        match self {
            Self::Bar { started } => {
                let filled = (done * BAR_WIDTH).checked_div(total).unwrap_or(BAR_WIDTH);
                let rate = per_sec(contacts, started.elapsed());
                let mut stderr = std::io::stderr().lock();
                let _ = write!(
                    stderr,
                    "\r\x1b[2K[{}{}] {done}/{total} guides · {contacts} contacts · {rate:.0}/s · {current}",
                    "#".repeat(filled),
                    "-".repeat(BAR_WIDTH - filled),
                );
                let _ = stderr.flush();
            }
            Self::Lines { started, last } => {
                let due = last.is_none_or(|at| at.elapsed() >= LINE_EVERY) || done == total;
                if due {
                    *last = Some(Instant::now());
                    let at = if current.is_empty() {
                        String::new()
                    } else {
                        format!(", at {current}")
                    };
                    eprintln!(
                        "sync: {done}/{total} guides, {contacts} contacts, {:.0} contacts/s{at}",
                        per_sec(contacts, started.elapsed())
                    );
                }
            }
            Self::Log => {
                tracing::info!(done, total, contacts, current, "contacts sync progress");
            }
            Self::Quiet => {}
        }
    }

    /// Ends the bar's line so what follows starts on a fresh one.
    pub fn finish(&mut self) {
        if let Self::Bar { .. } = self {
            eprintln!();
        }
    }
}

fn per_sec(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}
