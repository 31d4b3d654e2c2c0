//! The log: what akhbar did and why a feed fails, written to
//! `$XDG_STATE_HOME/akhbar/akhbar.log` (else `~/.local/state/akhbar/akhbar.log`), never to
//! the screen.
//!
//! The file is capped by size, not by time: when a write would take it past [`CAP`], it is
//! renamed to `akhbar.log.1` (replacing the one before) and a new file started, so the log
//! never holds more than two caps' worth. `tracing-appender`'s rolling files rotate by the
//! clock (each minute, hour or day) and keep growing within each period, so a feed failing in
//! a tight loop could still fill the disk; [`CappedFile`] is the small writer that bounds it.
//! Writes go through `tracing-appender`'s non-blocking channel to a thread of their own, so a
//! slow disk never holds up the screen.
//!
//! Every line passes through [`clean_line`] on its way to the file: URLs, server messages and
//! parser errors quoted in the log cannot carry escape sequences to whoever reads it in a
//! terminal.

use crate::model::{Health, Update};
use crate::text::sanitize::clean_line;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The size past which the log is rotated: 4 MiB.
pub const CAP: u64 = 4 * 1024 * 1024;

/// Where this run writes its log, once [`start`] has opened it.
static LOG_PATH: OnceLock<PathBuf> = OnceLock::new();

/// The file this run logs to; `None` when there is no log (no place for it, or it could not
/// be opened).
pub fn log_path() -> Option<&'static Path> {
    LOG_PATH.get().map(PathBuf::as_path)
}

/// How much is logged, from `--log-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }
}

/// Why there is no log this run.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("no place for the log ($HOME and $XDG_STATE_HOME unset)")]
    NoPlace,
    #[error("cannot open the log {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot start the log: {0}")]
    Subscriber(String),
}

/// Keeps the log's writer thread alive; dropping it writes out what is queued.
pub struct LogGuard {
    _worker: tracing_appender::non_blocking::WorkerGuard,
}

/// `$XDG_STATE_HOME/akhbar/akhbar.log`, else `~/.local/state/akhbar/akhbar.log`.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

/// [`default_path`] with the environment passed in, so tests need not mutate it.
fn default_path_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored.
    let base = match xdg_state_home.map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => xdg,
        _ => {
            let home = PathBuf::from(home.filter(|h| !h.is_empty())?);
            home.join(".local").join("state")
        }
    };
    Some(base.join("akhbar").join("akhbar.log"))
}

/// What is logged: `--log-level` when given (for akhbar's own lines; its libraries' only from
/// `warn` up, or `error` with `--log-level error`), else `RUST_LOG`, else `info`.
///
/// A `RUST_LOG` that does not parse is ignored for the default; the returned note says so.
/// `RUST_LOG` is a list of `target=level` (or a bare level for every target), the part of
/// `env_logger`'s syntax that names what to log; `tracing-subscriber`'s `EnvFilter` would add
/// span and field filters, and a regex engine (0.2 MB of binary) to match them, that nobody
/// reading a feed reader's log needs.
fn filter(level: Option<Level>, rust_log: Option<&str>) -> (Targets, Option<String>) {
    let own = |level: Level| {
        let others = if level == Level::Error {
            "error"
        } else {
            "warn"
        };
        format!("{others},akhbar={}", level.as_str())
            .parse::<Targets>()
            .unwrap_or_default()
    };
    if let Some(level) = level {
        return (own(level), None);
    }
    match rust_log.filter(|text| !text.trim().is_empty()) {
        None => (own(Level::Info), None),
        Some(text) => match text.parse::<Targets>() {
            Ok(filter) => (filter, None),
            Err(error) => (
                own(Level::Info),
                Some(format!(
                    "RUST_LOG is not understood ({error}); logging at info"
                )),
            ),
        },
    }
}

/// Starts the log at [`default_path`]. A `RUST_LOG` that does not parse is the returned note,
/// with the log still started.
pub fn start(level: Option<Level>) -> Result<(LogGuard, Option<String>), LogError> {
    let path = default_path().ok_or(LogError::NoPlace)?;
    start_at(&path, level, std::env::var("RUST_LOG").ok().as_deref())
}

fn start_at(
    path: &Path,
    level: Option<Level>,
    rust_log: Option<&str>,
) -> Result<(LogGuard, Option<String>), LogError> {
    let file = CappedFile::open(path, CAP).map_err(|source| LogError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let (writer, worker) = tracing_appender::non_blocking(file);
    let (filter, note) = filter(level, rust_log);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish()
        .with(filter)
        .try_init()
        .map_err(|error| LogError::Subscriber(error.to_string()))?;
    let _ = LOG_PATH.set(path.to_path_buf());
    Ok((LogGuard { _worker: worker }, note))
}

/// A log file that starts afresh past its cap, the old one kept as `NAME.1`.
pub struct CappedFile {
    path: PathBuf,
    file: File,
    written: u64,
    cap: u64,
}

impl CappedFile {
    /// Opens `path` for appending (creating it and its folder), to be rotated past `cap` bytes.
    pub fn open(path: &Path, cap: u64) -> io::Result<Self> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let file = append(path)?;
        let written = file.metadata()?.len();
        Ok(Self {
            path: path.to_path_buf(),
            file,
            written,
            cap,
        })
    }

    /// `NAME.1`, where the previous file goes.
    pub fn rotated_path(&self) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(".1");
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        std::fs::rename(&self.path, self.rotated_path())?;
        self.file = append(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

fn append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Write for CappedFile {
    /// Writes whole lines, each made safe; returns `buf.len()` as every byte was dealt with.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut cleaned = String::with_capacity(text.len());
        for line in text.lines() {
            cleaned.push_str(&clean_line(line));
            cleaned.push('\n');
        }
        let size = cleaned.len() as u64;
        if self.written > 0 && self.written.saturating_add(size) > self.cap {
            self.rotate()?;
        }
        self.file.write_all(cleaned.as_bytes())?;
        self.written = self.written.saturating_add(size);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The target of [`settled`]'s lines: they tell of a feed, wherever they are logged from.
const SETTLED: &str = "akhbar::feed";

/// One load settled, as the log tells it: what it brought at `debug`, a failure with the
/// backoff's next attempt (and a server's `Retry-After` hold) at `warn`.
pub fn settled(place: &dyn std::fmt::Display, update: &Update, health: &Health) {
    let next = health
        .next_attempt
        .map_or_else(|| "not planned".to_owned(), |at| at.to_rfc3339());
    match update {
        Update::Changed(_) => {
            tracing::debug!(target: SETTLED, feed = %place, items = health.items, next_attempt = %next, "loaded");
        }
        Update::Unchanged => {
            tracing::debug!(target: SETTLED, feed = %place, next_attempt = %next, "unchanged");
        }
        Update::Failed => {
            let reason = health.last_error.as_deref().unwrap_or("unknown reason");
            match health.not_before {
                Some(hold) => tracing::warn!(
                    target: SETTLED,
                    feed = %place,
                    next_attempt = %next,
                    retry_after_until = %hold.to_rfc3339(),
                    "failed: {reason}; backing off, the server's Retry-After holds"
                ),
                None => tracing::warn!(
                    target: SETTLED,
                    feed = %place,
                    next_attempt = %next,
                    "failed: {reason}; backing off"
                ),
            }
        }
        Update::Fetching => {}
    }
}

/// A URL as the log quotes it: without a password, should the URL carry one.
pub fn shown_url(url: &url::Url) -> String {
    if url.password().is_none() {
        return url.to_string();
    }
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg() {
        let path = |xdg: Option<&str>, home: Option<&str>| {
            default_path_from(xdg.map(OsString::from), home.map(OsString::from))
        };
        assert_eq!(
            path(Some("/state"), Some("/home/u")),
            Some(PathBuf::from("/state/akhbar/akhbar.log"))
        );
        assert_eq!(
            path(Some("relative"), Some("/home/u")),
            Some(PathBuf::from("/home/u/.local/state/akhbar/akhbar.log"))
        );
        assert_eq!(path(None, None), None);
        assert_eq!(path(None, Some("")), None);
    }

    #[test]
    fn writing_past_the_cap_rotates_to_dot_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs").join("akhbar.log");
        let mut file = CappedFile::open(&path, 100).unwrap();
        let line = format!("{}\n", "a".repeat(39));
        file.write_all(line.as_bytes()).unwrap();
        file.write_all(line.as_bytes()).unwrap();
        assert!(!file.rotated_path().exists());
        file.write_all(b"third line, past the cap\n").unwrap();
        file.flush().unwrap();
        let old = std::fs::read_to_string(file.rotated_path()).unwrap();
        assert_eq!(old, line.repeat(2));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "third line, past the cap\n"
        );
        // A second rotation replaces the first `.1`.
        file.write_all("b".repeat(99).as_bytes()).unwrap();
        file.flush().unwrap();
        assert_eq!(
            std::fs::read_to_string(file.rotated_path()).unwrap(),
            "third line, past the cap\n"
        );
    }

    #[test]
    fn an_existing_file_counts_toward_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("akhbar.log");
        std::fs::write(&path, "x".repeat(90)).unwrap();
        let mut file = CappedFile::open(&path, 100).unwrap();
        file.write_all(b"0123456789ab\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0123456789ab\n");
    }

    #[test]
    fn lines_lose_their_escape_sequences() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("akhbar.log");
        let mut file = CappedFile::open(&path, CAP).unwrap();
        file.write_all(b"fetched http://x/\x1b]0;pwned\x07feed\n")
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(text.contains("http://x/"), "{text:?}");
    }

    #[test]
    fn the_flag_wins_over_rust_log() {
        let (chosen, note) = filter(Some(Level::Warn), Some("akhbar=trace"));
        assert_eq!(chosen.to_string(), "akhbar=warn,warn");
        assert_eq!(note, None);
        let (chosen, _) = filter(None, None);
        assert!(chosen.to_string().contains("akhbar=info"), "{chosen}");
        let (chosen, _) = filter(None, Some("akhbar=debug"));
        assert_eq!(chosen.to_string(), "akhbar=debug");
        let (_, note) = filter(None, Some("akhbar=[["));
        assert!(note.is_some());
    }

    #[test]
    fn a_password_in_a_url_is_not_shown() {
        let url = url::Url::parse("https://me:secret@example.test/feed").unwrap();
        assert_eq!(shown_url(&url), "https://me@example.test/feed");
    }
}
