//! The store's own thread: the refresher and the screen hand it what to keep, and it writes
//! each change in a transaction of its own, so neither ever waits on the disk.
//!
//! Another program holding the store's lock (a second akhbar, `sqlite3` in a shell) makes a
//! write fail as busy once [`crate::store::BUSY_TIMEOUT`] has passed. Such a change is not
//! lost: it waits, with every later one behind it so their order holds, and is tried again
//! (0.1 s, then twice as long each time up to 2 s) until it is written. When the process
//! ends, the thread keeps trying for [`EXIT_PATIENCE`], and only then reports what it could
//! not save. Any other error (a full disk, a damaged file) is reported once and the change
//! given up: trying again would fail the same way.
//!
//! Should the thread itself panic (a bug of ours), it writes nothing more, tells the app
//! ([`Persister::stopped`]), which ends, and reports at exit every change it still held or was
//! handed afterwards. It is not restarted: the panic may have struck in the middle of a
//! change, leaving the connection in a state nobody knows, and a bug that strikes one change
//! is likely to strike the next alike — read marks would be lost one by one while the user
//! goes on. Ending at once loses nothing silently, and is one rule instead of a recovery.

use crate::feed::ParsedFeed;
use crate::model::{Health, Update, Validators};
use crate::store::{BUSY_TIMEOUT, Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use crate::retention::Retention;

/// One change to keep.
#[derive(Debug)]
pub enum Change {
    /// A new copy of a feed, with the validators that came with it.
    Feed {
        url: String,
        feed: Box<ParsedFeed>,
        validators: Validators,
        health: Health,
        now: DateTime<Utc>,
    },
    /// The server said 304: what is stored is current.
    Unchanged {
        url: String,
        health: Health,
        now: DateTime<Utc>,
    },
    /// A failed attempt: only the health changes.
    Health { url: String, health: Health },
    /// Read marks: `(source url, headline id)` pairs.
    Read {
        items: Vec<(String, String)>,
        read: bool,
    },
    /// A story's article, read from its page at `fetched_at`.
    Article {
        url: String,
        id: String,
        page: Box<crate::article::Page>,
        fetched_at: DateTime<Utc>,
    },
}

/// Hands writes to the store's thread; cheap to clone. The thread ends when every handle is
/// dropped, after writing all it was given.
#[derive(Debug, Clone)]
pub struct Persister {
    writes: mpsc::Sender<Change>,
    /// Why the thread stopped before every handle was dropped; `None` while it writes.
    stopped: tokio::sync::watch::Receiver<Option<String>>,
}

impl Persister {
    /// Queues a write; never blocks. A thread that has stopped still takes the change, to
    /// name it among what was not saved.
    pub fn send(&self, change: Change) {
        let _ = self.writes.send(change);
    }

    /// Resolves, with the panic's message, once the thread has stopped writing while handles
    /// were still alive: only a panic of its own does that. Never resolves otherwise.
    pub fn stopped(&self) -> impl Future<Output = String> + Send + 'static {
        let mut stopped = self.stopped.clone();
        async move {
            let reason = match stopped.wait_for(Option::is_some).await {
                Ok(reason) => reason.clone(),
                // The thread ended normally: the process is ending anyway.
                Err(_) => None,
            };
            match reason {
                Some(reason) => reason,
                None => std::future::pending().await,
            }
        }
    }
}

/// After the last handle is dropped, how long the thread keeps trying to write what a lock
/// held back before it gives up and reports it.
pub const EXIT_PATIENCE: Duration = Duration::from_secs(10);

/// The first wait before a busy write is tried again; each failure doubles it, up to
/// [`LAST_RETRY`].
const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(2);

/// Starts the store's thread. Joining the handle gives the errors met on the way, one line
/// each, for the caller to report once the screen is restored; it takes up to
/// [`EXIT_PATIENCE`] longer while another program holds the store's lock.
pub fn spawn(
    store: Store,
    retention: Retention,
) -> std::io::Result<(Persister, JoinHandle<Vec<String>>)> {
    spawn_with_patience(store, retention, EXIT_PATIENCE)
}

fn spawn_with_patience(
    store: Store,
    retention: Retention,
    patience: Duration,
) -> std::io::Result<(Persister, JoinHandle<Vec<String>>)> {
    let (writes, queue) = mpsc::channel();
    let (stop, stopped) = tokio::sync::watch::channel(None);
    let handle = std::thread::Builder::new()
        .name("akhbar-store".into())
        .spawn(move || write_all(Writer::new(store, retention), &queue, patience, &stop))?;
    Ok((Persister { writes, stopped }, handle))
}

/// Distinct errors past this many are counted, not kept: a store that fails keeps failing.
const MAX_REPORTED: usize = 5;

/// How often old headlines are pruned while feeds keep arriving: pruning ranks every stored
/// headline, which is too much to do after each of a hundred feeds.
const PRUNE_EVERY: Duration = Duration::from_secs(10 * 60);

/// The thread's state: the store, what waits for it, and what went wrong.
struct Writer {
    store: Store,
    retention: Retention,
    /// Changes a lock held back, oldest first; new ones queue behind them.
    waiting: VecDeque<Change>,
    /// When the oldest waiting change is tried next.
    next_try: Instant,
    retry_in: Duration,
    last_prune: Option<Instant>,
    /// A prune is owed, for the copy saved at this time.
    prune_due: Option<DateTime<Utc>>,
    /// Distinct messages, first seen first.
    errors: Vec<String>,
    failed: usize,
}

fn write_all(
    mut writer: Writer,
    queue: &mpsc::Receiver<Change>,
    patience: Duration,
    stop: &tokio::sync::watch::Sender<Option<String>>,
) -> Vec<String> {
    // The writer is not touched again after a panic, but for what it still holds.
    let written = std::panic::catch_unwind(AssertUnwindSafe(|| {
        writer.write_until_closed(queue, patience);
    }));
    match written {
        Ok(()) => writer.report(patience),
        Err(panic) => {
            let reason = crate::panic::payload_reason(panic.as_ref());
            let _ = stop.send(Some(reason));
            // Told, the app ends and drops its handles; whatever it hands over until then is
            // only counted. Few changes: the app ends at once.
            writer.waiting.extend(queue.iter());
            writer.report_stopped()
        }
    }
}

impl Writer {
    fn new(store: Store, retention: Retention) -> Self {
        Self {
            store,
            retention,
            waiting: VecDeque::new(),
            next_try: Instant::now(),
            retry_in: FIRST_RETRY,
            last_prune: None,
            prune_due: None,
            errors: Vec::new(),
            failed: 0,
        }
    }

    /// Writes what arrives until every handle is dropped, then what a lock still holds back,
    /// for `patience` at most.
    fn write_until_closed(&mut self, queue: &mpsc::Receiver<Change>, patience: Duration) {
        loop {
            let received = if self.waiting.is_empty() {
                queue.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                queue.recv_timeout(self.next_try.saturating_duration_since(Instant::now()))
            };
            match received {
                Ok(change) => {
                    self.waiting.push_back(change);
                    self.waiting.extend(queue.try_iter());
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if Instant::now() >= self.next_try {
                self.flush();
            }
        }
        // Every sender is gone: the process is ending. Whatever a lock still holds back gets
        // a bounded while more, each try waiting no longer than the time left.
        let deadline = Instant::now() + patience;
        while !self.waiting.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(
                self.next_try
                    .saturating_duration_since(Instant::now())
                    .min(left),
            );
            let left = deadline.saturating_duration_since(Instant::now());
            if self.store.set_busy_timeout(left.min(BUSY_TIMEOUT)).is_err() {
                break;
            }
            self.flush();
        }
    }

    /// Writes the waiting changes in order, stopping at the first that finds the store
    /// locked; then the prune, if one is owed.
    fn flush(&mut self) {
        while let Some(change) = self.waiting.front() {
            let new_copy = match change {
                Change::Feed { now, .. } => Some(*now),
                _ => None,
            };
            let marks = matches!(change, Change::Read { .. });
            match apply(&mut self.store, change) {
                Err(error) if error.is_busy() => return self.wait_longer(),
                Err(error) => self.note(&error),
                Ok(()) => {
                    if let Some(now) = new_copy
                        && self.last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY)
                    {
                        self.prune_due = Some(now);
                    }
                }
            }
            self.waiting.pop_front();
            self.retry_in = FIRST_RETRY;
            if marks {
                crate::panic::test_point("store");
            }
        }
        if let Some(now) = self.prune_due {
            let Retention { keep, max_per_feed } = self.retention;
            match self.store.prune(keep, max_per_feed, now) {
                // Pruning can wait for the next copy; nothing is lost by it.
                Err(error) if error.is_busy() => return,
                Err(error) => self.note(&error),
                Ok(_) => {}
            }
            self.prune_due = None;
            self.last_prune = Some(Instant::now());
        }
    }

    fn wait_longer(&mut self) {
        tracing::warn!(
            retry_in_millis = self.retry_in.as_millis(),
            "store locked by another instance; writing again later"
        );
        self.next_try = Instant::now() + self.retry_in;
        self.retry_in = (self.retry_in * 2).min(LAST_RETRY);
    }

    fn note(&mut self, error: &StoreError) {
        self.failed += 1;
        let message = error.to_string();
        tracing::error!("store write failed: {message}");
        if self.errors.len() < MAX_REPORTED && !self.errors.contains(&message) {
            self.errors.push(message);
        }
    }

    /// The lines to report at exit: errors once each, then what a lock kept from the store.
    fn report(self, patience: Duration) -> Vec<String> {
        let mut lines = self.errors_met();
        if !self.waiting.is_empty() {
            lines.push(format!(
                "the store {} stayed locked by another program for {} s after quitting; not saved: {}",
                self.store.path().display(),
                patience.as_secs(),
                describe_unsaved(&self.waiting)
            ));
        }
        lines
    }

    /// The lines to report at exit after a panic stopped the thread: errors once each, then
    /// every change it did not write.
    fn report_stopped(self) -> Vec<String> {
        let mut lines = self.errors_met();
        if !self.waiting.is_empty() {
            lines.push(format!(
                "not saved, since the store stopped: {}",
                describe_unsaved(&self.waiting)
            ));
        }
        lines
    }

    fn errors_met(&self) -> Vec<String> {
        let mut lines = self.errors.clone();
        if self.failed > lines.len() {
            let more = self.failed - lines.len();
            lines.push(format!(
                "{more} more failed {} to the store",
                if more == 1 { "write" } else { "writes" }
            ));
        }
        lines
    }
}

/// What `unsaved` holds, for the user: e.g. "3 read marks, a new copy of https://a/feed".
fn describe_unsaved<'a>(unsaved: impl IntoIterator<Item = &'a Change>) -> String {
    let (mut read, mut unread) = (0usize, 0usize);
    let (mut copies, mut health) = (Vec::<&str>::new(), Vec::<&str>::new());
    let mut articles = 0usize;
    for change in unsaved {
        match change {
            Change::Read { items, read: true } => read += items.len(),
            Change::Read { items, read: false } => unread += items.len(),
            Change::Feed { url, .. } => copies.push(url),
            Change::Unchanged { url, .. } | Change::Health { url, .. } => health.push(url),
            Change::Article { .. } => articles += 1,
        }
    }
    let plural = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let urls = |urls: &mut Vec<&str>| {
        urls.dedup();
        urls.join(", ")
    };
    let mut parts = Vec::new();
    if read > 0 {
        parts.push(plural(read, "story marked read", "stories marked read"));
    }
    if unread > 0 {
        parts.push(plural(
            unread,
            "story marked unread",
            "stories marked unread",
        ));
    }
    if !copies.is_empty() {
        let count = plural(copies.len(), "new copy", "new copies");
        parts.push(format!("{count} of {}", urls(&mut copies)));
    }
    if !health.is_empty() {
        parts.push(format!("the last check of {}", urls(&mut health)));
    }
    if articles > 0 {
        parts.push(plural(articles, "full article", "full articles"));
    }
    parts.join("; ")
}

/// Writes one change, in a transaction (two for a new copy: headlines, then health).
pub fn apply(store: &mut Store, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::Feed {
            url,
            feed,
            validators,
            health,
            now,
        } => {
            save_copy(store, url, feed, validators, health, *now)?;
        }
        Change::Unchanged { url, health, now } => {
            store.save_unchanged(url, *now)?;
            store.save_health(url, health)?;
        }
        Change::Health { url, health } => store.save_health(url, health)?,
        Change::Read { items, read } => {
            store.set_read_many(items, *read)?;
        }
        Change::Article {
            url,
            id,
            page,
            fetched_at,
        } => {
            store.save_article(url, id, page, *fetched_at)?;
        }
    }
    Ok(())
}

/// Writes what one settled load of the source at `url` brought (see
/// [`crate::feed::outcome`]), as the refresher's changes are written: `print` keeps its
/// results with this, in its own thread, without copying the feed.
pub fn save_settled(
    store: &mut Store,
    url: &str,
    update: &Update,
    validators: &Validators,
    health: &Health,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match update {
        Update::Changed(feed) => save_copy(store, url, feed, validators, health, now),
        Update::Unchanged => {
            store.save_unchanged(url, now)?;
            store.save_health(url, health)
        }
        Update::Failed => store.save_health(url, health),
        Update::Fetching => Ok(()),
    }
}

/// Stores a new copy of the feed at `url` under its own title, with its validators, then
/// the health that came with it.
pub fn save_copy(
    store: &mut Store,
    url: &str,
    feed: &ParsedFeed,
    validators: &Validators,
    health: &Health,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let name = (!feed.title.is_empty()).then_some(feed.title.as_str());
    store.save_feed(url, name, feed, validators, now)?;
    store.save_health(url, health)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Headline;
    use chrono::TimeZone;

    fn feed(ids: &[&str]) -> ParsedFeed {
        ParsedFeed {
            title: "أخبار".into(),
            headlines: ids
                .iter()
                .map(|id| Headline {
                    id: (*id).into(),
                    title: format!("عنوان {id}"),
                    link: None,
                    published: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                    dated: true,
                    titled: true,
                    summary: String::new(),
                    body_html: None,
                    language: Some("ar".into()),
                    author: None,
                    enclosures: Vec::new(),
                })
                .collect(),
            ..ParsedFeed::default()
        }
    }

    #[test]
    fn writes_reach_the_file_before_the_thread_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("akhbar.db");
        let store = Store::open(&path).unwrap().store;
        let retention = Retention {
            keep: Duration::from_secs(86_400),
            max_per_feed: 10,
        };
        let (persister, handle) = spawn(store, retention).unwrap();
        let now = Utc::now();
        persister.send(Change::Feed {
            url: "https://example.org/feed".into(),
            feed: Box::new(feed(&["a", "b"])),
            validators: Validators {
                etag: Some("\"v1\"".into()),
                last_modified: None,
            },
            health: Health {
                last_success: Some(now),
                ..Health::default()
            },
            now,
        });
        persister.send(Change::Read {
            items: vec![("https://example.org/feed".into(), "b".into())],
            read: true,
        });
        drop(persister);
        assert!(handle.join().unwrap().is_empty());

        let store = Store::open(&path).unwrap().store;
        let cached = store.load(&["https://example.org/feed"]).unwrap();
        assert_eq!(cached[0].name.as_deref(), Some("أخبار"));
        assert_eq!(cached[0].validators.etag.as_deref(), Some("\"v1\""));
        let read: Vec<_> = cached[0]
            .headlines
            .iter()
            .map(|item| (item.headline.id.as_str(), item.read))
            .collect();
        assert_eq!(read, [("a", false), ("b", true)]);
    }

    const URL: &str = "https://example.org/feed";

    /// A store at a fresh path holding [`URL`] with items `ids`, and that path.
    fn stored(dir: &tempfile::TempDir, ids: &[&str]) -> (Store, std::path::PathBuf) {
        let path = dir.path().join("akhbar.db");
        let mut store = Store::open(&path).unwrap().store;
        let none = Validators::default();
        store
            .save_feed(URL, None, &feed(ids), &none, Utc::now())
            .unwrap();
        (store, path)
    }

    fn read_marks(path: &std::path::Path) -> Vec<(String, bool)> {
        let store = Store::open(path).unwrap().store;
        let mut cached = store.load(&[URL]).unwrap();
        let mut marks: Vec<_> = cached
            .remove(0)
            .headlines
            .into_iter()
            .map(|item| (item.headline.id, item.read))
            .collect();
        marks.sort();
        marks
    }

    fn mark(persister: &Persister, id: &str) {
        persister.send(Change::Read {
            items: vec![(URL.into(), id.into())],
            read: true,
        });
    }

    /// Another program's write lock on the store at `path`, held until dropped.
    fn lock(path: &std::path::Path) -> rusqlite::Connection {
        let other = rusqlite::Connection::open(path).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        other
    }

    #[test]
    fn marks_made_under_another_programs_lock_are_written_once_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = stored(&dir, &["a", "b", "c"]);
        let (persister, handle) = spawn(store, Retention::default()).unwrap();
        let other = lock(&path);
        mark(&persister, "a");
        // Past the store's own busy timeout: the first try of "a" has failed by now.
        std::thread::sleep(BUSY_TIMEOUT + Duration::from_secs(1));
        mark(&persister, "b");
        persister.send(Change::Health {
            url: URL.into(),
            health: Health {
                last_error: Some("HTTP 503".into()),
                ..Health::default()
            },
        });
        std::thread::sleep(Duration::from_secs(2));
        other.execute_batch("COMMIT").unwrap();
        drop(other);
        mark(&persister, "c");
        drop(persister);
        assert_eq!(handle.join().unwrap(), Vec::<String>::new());
        assert_eq!(
            read_marks(&path),
            [("a".into(), true), ("b".into(), true), ("c".into(), true)]
        );
        let store = Store::open(&path).unwrap().store;
        let health = &store.load(&[URL]).unwrap()[0].health;
        assert_eq!(health.last_error.as_deref(), Some("HTTP 503"));
    }

    #[test]
    fn a_lock_still_held_at_exit_is_waited_out_then_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = stored(&dir, &["a", "b"]);
        store.set_busy_timeout(Duration::from_millis(100)).unwrap();
        let patience = Duration::from_millis(1500);
        let (persister, handle) =
            spawn_with_patience(store, Retention::default(), patience).unwrap();
        let other = lock(&path);
        persister.send(Change::Read {
            items: vec![(URL.into(), "a".into()), (URL.into(), "b".into())],
            read: true,
        });
        persister.send(Change::Feed {
            url: URL.into(),
            feed: Box::new(feed(&["a", "b", "new"])),
            validators: Validators::default(),
            health: Health::default(),
            now: Utc::now(),
        });
        let started = std::time::Instant::now();
        drop(persister);
        let report = handle.join().unwrap();
        assert!(started.elapsed() >= patience, "gave up early");
        assert_eq!(report.len(), 1, "{report:?}");
        assert!(
            report[0].contains("locked")
                && report[0].contains("2 stories marked read")
                && report[0].contains(&format!("1 new copy of {URL}")),
            "{report:?}"
        );
        drop(other);
        assert_eq!(
            read_marks(&path),
            [("a".into(), false), ("b".into(), false)]
        );
    }

    #[test]
    fn a_lock_released_during_the_exit_wait_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = stored(&dir, &["a"]);
        store.set_busy_timeout(Duration::from_millis(100)).unwrap();
        let (persister, handle) = spawn(store, Retention::default()).unwrap();
        let other = lock(&path);
        mark(&persister, "a");
        drop(persister);
        std::thread::sleep(Duration::from_secs(1));
        drop(other);
        assert_eq!(handle.join().unwrap(), Vec::<String>::new());
        assert_eq!(read_marks(&path), [("a".into(), true)]);
    }

    #[test]
    fn other_errors_are_reported_once_and_not_tried_again() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = stored(&dir, &["a"]);
        let (persister, handle) = spawn(store, Retention::default()).unwrap();
        // A store broken under the writer: every write now fails the same way.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("DROP TABLE headlines")
            .unwrap();
        for _ in 0..3 {
            mark(&persister, "a");
        }
        let started = std::time::Instant::now();
        drop(persister);
        let report = handle.join().unwrap();
        assert!(started.elapsed() < EXIT_PATIENCE, "it kept trying");
        assert_eq!(report.len(), 2, "{report:?}");
        assert!(report[0].contains("no such table"), "{report:?}");
        assert_eq!(report[1], "2 more failed writes to the store");
    }
}
