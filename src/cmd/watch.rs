//! The `akhbar watch` command: the refresher on its schedule, and each story never seen
//! before printed the moment it arrives, one line each, for status lines, scripts and
//! notifiers.

use super::{Sieve, StoredHeadlines, local_clock};
use crate::cli::Format;
use crate::feed::fetch::Fetcher;
use crate::feed::{self, OwnedFeed, SourcedHeadline};
use crate::model::{FeedEvent, Seed, Source, Update};
use crate::persist::Persister;
use crate::print::{self, Order};
use crate::query::syntax::Clock;
use crate::refresh;
use crate::store::CachedSource;
use crate::text::sanitize::clean_line;
use crate::tui::event_loop::Signals;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::time::Duration;
use tokio::sync::mpsc;

/// The stories stored before this run or seen during it: none of them is news.
///
/// A story is known by its identity within its source and by its link, the two keys the
/// merge de-duplicates by, so a story that a second feed carries too is printed once.
#[derive(Debug, Default)]
pub struct Seen {
    /// Headline ids by source key.
    ids: HashMap<String, HashSet<String>>,
    links: HashSet<String>,
}

impl Seen {
    /// Every story the store holds for the sources.
    pub fn from_cache(cache: &[CachedSource]) -> Self {
        let mut seen = Seen::default();
        for cached in cache {
            let ids = seen.ids.entry(cached.url.clone()).or_default();
            for stored in &cached.headlines {
                ids.insert(stored.headline.id.clone());
                if let Some(link) = &stored.headline.link {
                    seen.links.insert(link.clone());
                }
            }
        }
        seen
    }

    /// Notes `item` as seen, and says whether it is news: neither its identity nor its link
    /// was seen before.
    pub fn first_sight(&mut self, item: &SourcedHeadline) -> bool {
        let ids = match self.ids.get_mut(&*item.origin) {
            Some(ids) => ids,
            None => self.ids.entry(item.origin.to_string()).or_default(),
        };
        let new_id = ids.insert(item.headline.id.clone());
        let new_link = match &item.headline.link {
            Some(link) => self.links.insert(link.clone()),
            None => true,
        };
        new_id && new_link
    }
}

/// What `watch` decides: which of the stories a refresh brings are news to print.
#[derive(Debug)]
pub struct Watcher {
    sources: Vec<Source>,
    seen: Seen,
    sieve: Sieve,
}

impl Watcher {
    /// Watching `sources` (in the refresher's order), with `seen` already known.
    pub fn new(sources: Vec<Source>, seen: Seen, sieve: Sieve) -> Self {
        Watcher {
            sources,
            seen,
            sieve,
        }
    }

    /// The new stories `event` brings that the sieve lets through at `clock`, oldest first
    /// (the last line printed is the newest). Every story it brings, muted or not, is seen
    /// from now on: a story is news once.
    pub fn fresh(&mut self, event: FeedEvent, clock: &Clock) -> Vec<SourcedHeadline> {
        let Update::Changed(feed) = event.update else {
            return Vec::new();
        };
        let Some(source) = self.sources.get(event.index) else {
            return Vec::new();
        };
        let mut feed = *feed;
        let headlines = std::mem::take(&mut feed.headlines);
        let merged = feed::merge_owned([OwnedFeed::new(source, &feed, headlines)]);
        let (seen, sieve) = (&mut self.seen, &self.sieve);
        // New stories are unread: none of them is in the store yet.
        let mut fresh: Vec<SourcedHeadline> = merged
            .into_iter()
            .filter(|item| seen.first_sight(item))
            .filter(|item| sieve.shows(item, false, clock))
            .collect();
        fresh.reverse();
        fresh
    }

    /// The stored stories the sieve lets through, oldest first, with their read marks
    /// (`--backlog`).
    pub fn backlog(&self, mut stored: StoredHeadlines, clock: &Clock) -> StoredHeadlines {
        let mut headlines = std::mem::take(&mut stored.headlines);
        headlines.retain(|item| self.sieve.shows(item, stored.is_read(item), clock));
        headlines.reverse();
        stored.headlines = headlines;
        stored
    }

    /// Why source `index` failed, as one line for standard error.
    fn failure(&self, event: &FeedEvent) -> Option<String> {
        if event.update != Update::Failed {
            return None;
        }
        let source = self.sources.get(event.index)?;
        let reason = event.health.last_error.as_deref().unwrap_or("failed");
        Some(clean_line(&format!("{}: {reason}", source.location)))
    }
}

/// What the refresher needs to run.
pub struct Refresh {
    pub fetcher: Fetcher,
    /// The default interval; a source's own `refresh` wins.
    pub interval: Duration,
    /// What the store remembers of each source, by index.
    pub seeds: Vec<Seed>,
    /// Where results are kept, when there is a store.
    pub store: Option<Persister>,
}

/// How a watch ended, when it ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// SIGINT, SIGTERM or SIGHUP.
    Signal,
    /// Whoever read standard output stopped reading (`| head -1`).
    Closed,
}

/// Why a watch ended early.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot listen for signals: {0}")]
    Signals(io::Error),
    #[error("cannot write to standard output: {0}")]
    Write(io::Error),
    #[error("the background refresher stopped: {0}")]
    Refresher(String),
    #[error("the store stopped: internal error: {0}; akhbar ended so that nothing more is lost")]
    Store(String),
}

/// Prints `backlog` (with its read marks), then runs the refresher and prints the news of each refresh as it
/// arrives, a line at a time, each flushed at once; failures go to `errors`, one line
/// each. Waits on the refresher's channel in between: no work while nothing arrives.
/// `closed` resolves when `out` has no reader any more: a pipe whose reader has gone ends
/// the watch then, not at the next story, which may be hours away.
pub async fn run(
    refresh: Refresh,
    mut watcher: Watcher,
    backlog: StoredHeadlines,
    format: Format,
    out: &mut impl Write,
    errors: &mut impl Write,
    closed: impl Future<Output = ()>,
) -> Result<Ending, WatchError> {
    // Listening starts first, so that a signal from here on ends the watch cleanly.
    let mut signals = Signals::new().map_err(WatchError::Signals)?;
    if !write_lines(out, &backlog.headlines, &backlog.read, format)? {
        return Ok(Ending::Closed);
    }
    let (events_tx, mut events) = mpsc::channel(64);
    let store_stopped = refresh.store.as_ref().map(Persister::stopped);
    let mut store_stopped = std::pin::pin!(async move {
        match store_stopped {
            Some(stopped) => stopped.await,
            None => std::future::pending().await,
        }
    });
    // Dropping `_control` on return stops the refresher and cancels requests in flight.
    let (_control, mut refresher) = refresh::spawn_with_store(
        refresh.fetcher,
        watcher.sources.clone(),
        refresh.interval,
        events_tx,
        refresh.seeds,
        refresh.store,
    );
    let unread = HashSet::new();
    let mut closed = std::pin::pin!(closed);
    loop {
        tokio::select! {
            Some(event) = events.recv() => {
                if let Some(failure) = watcher.failure(&event) {
                    // Standard error closed is no reason to stop printing the news.
                    let _ = writeln!(errors, "akhbar: {failure}");
                }
                let fresh = watcher.fresh(event, &local_clock());
                if !write_lines(out, &fresh, &unread, format)? {
                    return Ok(Ending::Closed);
                }
            }
            () = signals.recv() => return Ok(Ending::Signal),
            () = &mut closed => return Ok(Ending::Closed),
            // The refresher only ends when this loop lets it go: ending earlier, it died.
            joined = &mut refresher => {
                let reason = match joined {
                    Ok(()) => "it ended unexpectedly".to_owned(),
                    Err(error) => format!("internal error: {}", crate::panic::reason(error)),
                };
                return Err(WatchError::Refresher(reason));
            }
            reason = &mut store_stopped => return Err(WatchError::Store(reason)),
        }
    }
}

/// Writes `items`, flushing after each line; `false` once the reader has closed the pipe.
fn write_lines(
    out: &mut impl Write,
    items: &[SourcedHeadline],
    read: &HashSet<(String, String)>,
    format: Format,
) -> Result<bool, WatchError> {
    for item in items {
        let written = print::write_headlines(
            out,
            std::slice::from_ref(item),
            read,
            format,
            Order::Logical,
        );
        match written {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(false),
            other => other.map_err(WatchError::Write)?,
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Headline, Health, Location, ParsedFeed};
    use crate::query::Query;
    use chrono::TimeZone;

    fn headline(id: &str, title: &str, minute: u32) -> Headline {
        Headline {
            link: Some(format!("https://e.x/{id}")),
            published: chrono::Utc
                .with_ymd_and_hms(2023, 10, 22, 1, minute, 0)
                .unwrap(),
            ..Headline::sample(id, title)
        }
    }

    fn changed(index: usize, headlines: Vec<Headline>) -> FeedEvent {
        FeedEvent {
            index,
            update: Update::Changed(Box::new(ParsedFeed {
                title: "E".into(),
                headlines,
                ..ParsedFeed::default()
            })),
            health: Health::default(),
        }
    }

    fn titles(items: &[SourcedHeadline]) -> Vec<&str> {
        items
            .iter()
            .map(|item| item.headline.title.as_str())
            .collect()
    }

    fn watcher(sieve: Sieve) -> Watcher {
        let sources = ["https://e.x/a", "https://e.x/b"]
            .map(|url| Source::new(Location::parse(url).unwrap()))
            .to_vec();
        let mut stored = CachedSource {
            url: "https://e.x/a".into(),
            ..CachedSource::default()
        };
        stored.headlines.push(crate::store::StoredHeadline {
            headline: headline("old", "old gaza", 0),
            read: false,
            first_seen: chrono::Utc::now(),
            last_seen: chrono::Utc::now(),
            in_feed: true,
        });
        Watcher::new(sources, Seen::from_cache(&[stored]), sieve)
    }

    #[test]
    fn news_is_what_neither_the_store_nor_this_run_has_seen_oldest_first_and_once() {
        let mut watcher = watcher(Sieve::default());
        let clock = local_clock();
        let first = watcher.fresh(
            changed(
                0,
                vec![
                    headline("old", "old gaza", 0),
                    headline("2", "two", 2),
                    headline("1", "one", 1),
                ],
            ),
            &clock,
        );
        assert_eq!(titles(&first), ["one", "two"]);
        let again = watcher.fresh(
            changed(
                0,
                vec![headline("2", "two, updated", 2), headline("3", "three", 3)],
            ),
            &clock,
        );
        assert_eq!(titles(&again), ["three"]);
        // The other feed carries story 3 too (same link): not news twice.
        let other = watcher.fresh(
            changed(1, vec![headline("3", "three", 3), headline("4", "four", 4)]),
            &clock,
        );
        assert_eq!(titles(&other), ["four"]);
        let nothing = FeedEvent {
            index: 0,
            update: Update::Unchanged,
            health: Health::default(),
        };
        assert!(watcher.fresh(nothing, &clock).is_empty());
        assert!(
            watcher
                .fresh(changed(7, vec![headline("9", "nine", 9)]), &clock)
                .is_empty()
        );
    }

    #[test]
    fn muted_and_unmatched_stories_are_not_printed_then_or_later() {
        let config = crate::config::parse(
            "[[mute]]\nquery = \"football\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let mut watcher = watcher(Sieve::new(&config, Query::parse("gaza").unwrap()));
        let clock = local_clock();
        let fresh = watcher.fresh(
            changed(
                0,
                vec![
                    headline("1", "gaza football", 1),
                    headline("2", "weather", 2),
                    headline("3", "gaza ceasefire", 3),
                ],
            ),
            &clock,
        );
        assert_eq!(titles(&fresh), ["gaza ceasefire"]);
        let stored = StoredHeadlines::merge(
            &watcher.sources.clone(),
            vec![CachedSource {
                url: "https://e.x/a".into(),
                headlines: vec![crate::store::StoredHeadline {
                    headline: headline("old", "old gaza", 0),
                    read: true,
                    first_seen: chrono::Utc::now(),
                    last_seen: chrono::Utc::now(),
                    in_feed: true,
                }],
                ..CachedSource::default()
            }],
        );
        let backlog = watcher.backlog(stored, &clock);
        assert_eq!(titles(&backlog.headlines), ["old gaza"]);
        assert!(backlog.is_read(&backlog.headlines[0]));
    }

    #[test]
    fn a_failure_is_one_clean_line() {
        let watcher = watcher(Sieve::default());
        let failed = FeedEvent {
            index: 1,
            update: Update::Failed,
            health: Health {
                last_error: Some("HTTP 500\x1b[2J".into()),
                ..Health::default()
            },
        };
        assert_eq!(
            watcher.failure(&failed).as_deref(),
            Some("https://e.x/b: HTTP 500")
        );
        assert_eq!(watcher.failure(&changed(0, Vec::new())), None);
    }

    #[test]
    fn a_closed_pipe_ends_the_watch_quietly() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut watcher = watcher(Sieve::default());
        let fresh = watcher.fresh(changed(0, vec![headline("1", "one", 1)]), &local_clock());
        assert!(!write_lines(&mut Closed, &fresh, &HashSet::new(), Format::Tsv).unwrap());
        let mut out = Vec::new();
        assert!(write_lines(&mut out, &fresh, &HashSet::new(), Format::Json).unwrap());
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(line["title"], "one");
    }
}
