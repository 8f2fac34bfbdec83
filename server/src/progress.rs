//! Progress of the long commands (`import`, `demo seed`, `sync contacts`, `transfer`), drawn by
//! indicatif: a bar redrawn in place when stderr is a terminal; otherwise (a log file, CI, a
//! pipe, the server's nightly run) the same figures as a plain line every few seconds, and
//! always the last one. The lines are indicatif's own drawing, handed to `LineTarget`, which
//! keeps a line only when one is due: indicatif draws to terminals only.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle, TermLike};

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowProgress {
    /// A bar on a terminal, lines on stderr otherwise.
    Auto,
    /// Lines as `tracing` events (inside the server).
    Log,
    /// Nothing (tests, `--quiet`).
    Quiet,
}

/// What is counted.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Things, named (`"customers"`, `"guides"`).
    Items(&'static str),
    /// Bytes of a file read.
    Bytes,
}

/// A plain line at most this often, so a log is not flooded.
const LINE_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    bar: ProgressBar,
    lines: Option<LineTarget>,
    on_terminal: bool,
}

/// How indicatif draws.
enum Drawing {
    Terminal,
    Lines(LineSink),
    Hidden,
}

impl Progress {
    /// Starts counting `unit` towards `total` (unknown: a count and a rate, no ETA), each
    /// line headed `name`.
    pub fn start(name: &'static str, total: Option<u64>, unit: Unit, show: ShowProgress) -> Self {
        let drawing = match show {
            ShowProgress::Auto if std::io::stderr().is_terminal() => Drawing::Terminal,
            ShowProgress::Auto => Drawing::Lines(LineSink::Stderr),
            ShowProgress::Log => Drawing::Lines(LineSink::Log),
            ShowProgress::Quiet => Drawing::Hidden,
        };
        Self::drawn(name, total, unit, drawing)
    }

    fn drawn(name: &'static str, total: Option<u64>, unit: Unit, drawing: Drawing) -> Self {
        let on_terminal = matches!(drawing, Drawing::Terminal);
        let (target, lines) = match drawing {
            Drawing::Terminal => (ProgressDrawTarget::stderr(), None),
            Drawing::Lines(sink) => {
                let lines = LineTarget(Arc::new(LineState::new(sink)));
                let target = ProgressDrawTarget::term_like_with_hz(Box::new(lines.clone()), 1);
                (target, Some(lines))
            }
            Drawing::Hidden => (ProgressDrawTarget::hidden(), None),
        };
        let template = template(total.is_some(), unit, on_terminal);
        // The templates are fixed (a unit test parses every one); the default style would
        // still show progress.
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("#>-")
            // indicatif's `per_sec` shows four decimals; a rate reads better whole.
            .with_key(
                "rate",
                |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{:.0}/s", state.per_sec());
                },
            );
        let bar = ProgressBar::with_draw_target(total, target)
            .with_style(style)
            .with_prefix(name);
        if on_terminal && total.is_none() {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Self {
            bar,
            lines,
            on_terminal,
        }
    }

    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    pub fn set_total(&self, total: u64) {
        self.bar.set_length(total);
    }

    /// What the figures cannot say (the guide being read, orders written so far).
    pub fn note(&self, note: impl Into<String>) {
        self.bar.set_message(note.into());
    }

    /// The last figures, always written (a line even when one was written a moment ago).
    pub fn finish(&self) {
        if let Some(lines) = &self.lines {
            lines.0.force_next.store(true, Ordering::Relaxed);
        }
        self.bar.finish();
        // indicatif leaves the cursor after the bar: what is printed next starts a line.
        if self.on_terminal {
            eprintln!();
        }
    }
}

fn template(known_total: bool, unit: Unit, on_terminal: bool) -> String {
    let figures = match (unit, known_total) {
        (Unit::Items(name), true) => {
            format!("{{human_pos}}/{{human_len}} {name} · {{rate}} · {{percent}}% · ETA {{eta}}")
        }
        (Unit::Items(name), false) => format!("{{human_pos}} {name} · {{rate}}"),
        (Unit::Bytes, true) => "{binary_bytes}/{binary_total_bytes} · {binary_bytes_per_sec} \
                                · {percent}% · ETA {eta}"
            .to_owned(),
        (Unit::Bytes, false) => "{binary_bytes} · {binary_bytes_per_sec}".to_owned(),
    };
    match (on_terminal, known_total) {
        (true, true) => format!("{{prefix}} [{{bar:16}}] {figures} {{msg}}"),
        (true, false) => format!("{{prefix}} {{spinner}} {figures} {{msg}}"),
        (false, _) => format!("{{prefix}}: {figures} {{msg}}"),
    }
}

#[derive(Debug, Clone)]
enum LineSink {
    Stderr,
    Log,
    #[cfg(test)]
    Kept(Arc<Mutex<Vec<String>>>),
}

/// indicatif's drawing as plain lines: what it draws between two flushes is one line, kept
/// when `LINE_EVERY` has passed since the last one kept (or when it is the last).
#[derive(Debug)]
struct LineState {
    sink: LineSink,
    drawn: Mutex<String>,
    last_kept: Mutex<Option<Instant>>,
    force_next: AtomicBool,
}

/// Shared, so that `Progress::finish` can reach the target indicatif owns.
#[derive(Debug, Clone)]
struct LineTarget(Arc<LineState>);

impl LineState {
    fn new(sink: LineSink) -> Self {
        Self {
            sink,
            drawn: Mutex::new(String::new()),
            last_kept: Mutex::new(None),
            force_next: AtomicBool::new(false),
        }
    }

    fn keep(&self, line: &str) {
        match &self.sink {
            LineSink::Stderr => eprintln!("{line}"),
            LineSink::Log => tracing::info!(progress = line, "progress"),
            #[cfg(test)]
            LineSink::Kept(kept) => kept.lock().unwrap().push(line.to_owned()),
        }
    }
}

impl TermLike for LineTarget {
    fn width(&self) -> u16 {
        // Wide enough that indicatif never wraps a line; its padding is trimmed.
        400
    }

    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }

    fn write_line(&self, text: &str) -> std::io::Result<()> {
        self.write_str(text)
    }

    fn write_str(&self, text: &str) -> std::io::Result<()> {
        if let Ok(mut drawn) = self.0.drawn.lock() {
            drawn.push_str(text);
        }
        Ok(())
    }

    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }

    fn flush(&self) -> std::io::Result<()> {
        let line = match self.0.drawn.lock() {
            Ok(mut drawn) => std::mem::take(&mut *drawn),
            Err(_) => return Ok(()),
        };
        let line = line.replace('\r', "");
        let line = line.trim();
        if line.is_empty() {
            return Ok(());
        }
        let forced = self.0.force_next.swap(false, Ordering::Relaxed);
        if let Ok(mut last) = self.0.last_kept.lock() {
            let due = last.is_none_or(|at| at.elapsed() >= LINE_EVERY);
            if due || forced {
                *last = Some(Instant::now());
                self.0.keep(line);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for unit in [Unit::Items("guides"), Unit::Bytes] {
            for known in [true, false] {
                for terminal in [true, false] {
                    let template = template(known, unit, terminal);
                    assert!(
                        ProgressStyle::with_template(&template).is_ok(),
                        "{template}"
                    );
                }
            }
        }
    }

    #[test]
    fn lines_come_at_most_every_few_seconds_and_the_last_always() {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let sink = LineSink::Kept(Arc::clone(&kept));
        let progress = Progress::drawn(
            "sync",
            Some(40),
            Unit::Items("guides"),
            Drawing::Lines(sink),
        );
        for done in 1..=40 {
            progress.set(done);
            progress.note(format!("at guide.{done}"));
        }
        progress.finish();
        let kept = kept.lock().unwrap();
        // Drawn at once: the first figures, then nothing within 5 s, then the last.
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept[0].starts_with("sync: "), "{kept:?}");
        assert!(!kept[0].contains('#'), "no bar in a line: {kept:?}");
        assert!(
            kept[1].starts_with("sync: 40/40 guides") && kept[1].contains("100%"),
            "{kept:?}"
        );
        assert!(kept[1].ends_with("at guide.40"), "{kept:?}");
    }
}
