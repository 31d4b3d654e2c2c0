//! The store's own thread: the refresher and the screen hand it what to keep, and it writes
//! each change in a transaction of its own, so neither ever waits on the disk.

use crate::feed::ParsedFeed;
use crate::feed::fetch::Validators;
use crate::refresh::Health;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long headlines are kept (see [`Store::prune`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep: Duration,
    pub max_per_feed: usize,
}

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
}

/// Hands writes to the store's thread; cheap to clone. The thread ends when every handle is
/// dropped, after writing all it was given.
#[derive(Debug, Clone)]
pub struct Persister {
    writes: mpsc::Sender<Change>,
}

impl Persister {
    /// Queues a write; never blocks. A store that has stopped is not worth failing for: the
    /// reason was reported when it stopped.
    pub fn send(&self, change: Change) {
        let _ = self.writes.send(change);
    }
}

/// Starts the store's thread. Joining the handle gives the errors met on the way, one line
/// each, for the caller to report once the screen is restored.
pub fn spawn(
    store: Store,
    retention: Retention,
) -> std::io::Result<(Persister, JoinHandle<Vec<String>>)> {
    let (writes, queue) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("akhbar-store".into())
        .spawn(move || write_all(store, retention, queue))?;
    Ok((Persister { writes }, handle))
}

/// Errors past this many are counted, not kept: a store that fails keeps failing.
const MAX_REPORTED: usize = 5;

/// How often old headlines are pruned while feeds keep arriving: pruning ranks every stored
/// headline, which is too much to do after each of a hundred feeds.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

fn write_all(mut store: Store, retention: Retention, queue: mpsc::Receiver<Change>) -> Vec<String> {
    let mut errors = Vec::new();
    let mut failed = 0usize;
    let mut last_prune: Option<std::time::Instant> = None;
    for change in queue {
        let new_copy = match &change {
            Change::Feed { now, .. } => Some(*now),
            _ => None,
        };
        let mut result = apply(&mut store, change);
        if let Some(now) = new_copy
            && last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY)
        {
            last_prune = Some(std::time::Instant::now());
            result = result.and_then(|()| {
                store
                    .prune(retention.keep, retention.max_per_feed, now)
                    .map(drop)
            });
        }
        if let Err(error) = result {
            failed += 1;
            if errors.len() < MAX_REPORTED {
                errors.push(error.to_string());
            }
        }
    }
    if failed > errors.len() {
        errors.push(format!(
            "{} more errors writing the store",
            failed - errors.len()
        ));
    }
    errors
}

/// Writes one change, in a transaction (two for a new copy: headlines, then health).
pub fn apply(store: &mut Store, change: Change) -> Result<(), StoreError> {
    match change {
        Change::Feed {
            url,
            feed,
            validators,
            health,
            now,
        } => {
            save_copy(store, &url, &feed, &validators, &health, now)?;
        }
        Change::Unchanged { url, health, now } => {
            store.save_unchanged(&url, now)?;
            store.save_health(&url, &health)?;
        }
        Change::Health { url, health } => store.save_health(&url, &health)?,
        Change::Read { items, read } => {
            store.set_read_many(&items, read)?;
        }
    }
    Ok(())
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
                    summary: String::new(),
                    body_html: None,
                    language: Some("ar".into()),
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
}
