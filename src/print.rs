//! The `akhbar print` command: every source fetched once, merged headlines out as TSV or JSON.

use crate::cli::Format;
use crate::feed::fetch::Fetcher;
use crate::feed::outcome::{SourceState, jitter};
use crate::feed::{self, LoadError, Loaded, OwnedFeed, ParsedFeed, SourcedHeadline};
use crate::model::{Health, Seed, Source, Update};
use crate::persist::{self, Retention};
use crate::store::{CachedSource, Store, StoreError};
use crate::text::bidi::paragraph_direction;
use crate::text::layout::visual_line;
use crate::text::sanitize::clean_line;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::time::Instant;

/// How many sources are fetched at once.
const CONCURRENT_FETCHES: usize = 16;

/// Each source as earlier runs left it, from the store (by index; missing entries start
/// afresh), refreshed every `default_interval` unless it says otherwise. `print` is a
/// refresh asked for by hand: a backoff does not hold it back, a server's `Retry-After` does.
pub fn prepare(
    sources: &[Source],
    cache: &[CachedSource],
    default_interval: Duration,
    start: Instant,
    wall: DateTime<Utc>,
) -> Vec<SourceState> {
    sources
        .iter()
        .enumerate()
        .map(|(index, source)| {
            let seed = cache
                .get(index)
                .map_or_else(Seed::default, CachedSource::seed);
            let interval = source.refresh.unwrap_or(default_interval);
            let mut state =
                SourceState::new(interval, source.location.is_http(), seed, start, wall);
            state.timer.hurry(start);
            state
        })
        .collect()
}

/// One item's body on its way to the store: source key, headline id, body.
type BodyOfItem = (Arc<str>, String, Option<String>);

/// Bodies queued for the writer before the readers wait for it.
const BODIES_QUEUED: usize = 256;

/// Where `print` puts the bodies of the feeds it reads, as they are read: into the store,
/// through a thread of their own, or nowhere when nothing is kept (`print` itself shows no
/// body). Either way a big feed's bodies are never all in memory at once.
pub struct Bodies {
    /// `None` when bodies stay in the headlines (a store whose file could not be opened
    /// twice) and are saved with them.
    to_writer: Option<SyncSender<BodyOfItem>>,
    writer: Option<JoinHandle<Result<usize, StoreError>>>,
    keep: bool,
}

impl Bodies {
    /// Starts the writer for `store` (none: bodies are dropped).
    pub fn start(store: Option<&Store>) -> Bodies {
        let Some(store) = store else {
            return Bodies {
                to_writer: None,
                writer: None,
                keep: false,
            };
        };
        let Ok(mut writer) = store.body_writer() else {
            return Bodies {
                to_writer: None,
                writer: None,
                keep: true,
            };
        };
        let (to_writer, bodies) = sync_channel::<BodyOfItem>(BODIES_QUEUED);
        let thread = std::thread::Builder::new()
            .name("akhbar-bodies".to_owned())
            .spawn(move || write_bodies(&mut writer, &bodies).and_then(|()| writer.finish()));
        match thread {
            Ok(thread) => Bodies {
                to_writer: Some(to_writer),
                writer: Some(thread),
                keep: true,
            },
            Err(_) => Bodies {
                to_writer: None,
                writer: None,
                keep: true,
            },
        }
    }

    /// Where the bodies of the source stored under `key` go; `None`: into its headlines.
    fn sink(&self, key: &str) -> Option<feed::BodySink> {
        if !self.keep {
            return Some(feed::BodySink::new(|_, _| {}));
        }
        let to_writer = self.to_writer.clone()?;
        let key: Arc<str> = Arc::from(key);
        Some(feed::BodySink::new(move |id, body| {
            // A writer that stopped has said why; what it cannot take is not kept.
            let _ = to_writer.send((key.clone(), id.to_owned(), body));
        }))
    }

    /// Waits for every body to be written (call it once the feeds are read, before their
    /// headlines are saved); the error is the store's, in one line.
    pub fn finish(self) -> Result<(), String> {
        drop(self.to_writer);
        match self.writer.map(JoinHandle::join) {
            None | Some(Ok(Ok(_))) => Ok(()),
            Some(Ok(Err(error))) => Err(error.to_string()),
            Some(Err(panic)) => Err(format!(
                "the store's body writer failed: {}",
                crate::panic::payload_reason(panic.as_ref())
            )),
        }
    }
}

/// Writes bodies until every sender is gone; after a failure the rest are drained unwritten
/// so that no reader waits on a writer that stopped.
fn write_bodies(
    writer: &mut crate::store::BodyWriter,
    bodies: &Receiver<BodyOfItem>,
) -> Result<(), StoreError> {
    let mut failed = None;
    for (key, id, body) in bodies {
        if failed.is_none()
            && let Err(error) = writer.put(&key, &id, body.as_deref())
        {
            failed = Some(error);
        }
    }
    failed.map_or(Ok(()), Err)
}

/// Fetches every source that is due at `start` concurrently, each with its validators;
/// results come back in the order of `sources`, `None` for a source that waits. Bodies
/// go to `bodies` as each feed is read.
pub async fn fetch_all(
    fetcher: &Fetcher,
    sources: &[Source],
    states: &[SourceState],
    bodies: &Bodies,
    start: Instant,
    now: DateTime<Utc>,
) -> Vec<Option<Result<Loaded, LoadError>>> {
    // Each future owns its inputs so the whole stream can move into a spawned task.
    let loads: Vec<_> = sources
        .iter()
        .zip(states)
        .map(|(source, state)| {
            let (fetcher, source) = (fetcher.clone(), source.clone());
            let validators = state.validators.clone();
            let due = state.is_due(start);
            let sink = due
                .then(|| bodies.sink(&source.location.store_key()))
                .flatten();
            async move {
                if !due {
                    return None;
                }
                Some(feed::load_if_modified(&fetcher, &source, &validators, now, sink).await)
            }
        })
        .collect();
    futures_util::stream::iter(loads)
        .buffered(CONCURRENT_FETCHES)
        .collect()
        .await
}

/// The outcome of one `print` run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub headlines: Vec<SourcedHeadline>,
    /// `(source key, headline id)` of the stories marked read.
    pub read: HashSet<(String, String)>,
    /// `(location, reason)` per source that failed, or whose feed lists no items.
    pub failures: Vec<(String, String)>,
    /// Problems with the store, one line each; the headlines are printed regardless.
    pub store_errors: Vec<String>,
    /// Sources that answered (new copy or 304), or had a cache to show offline, and gave
    /// headlines to show.
    pub succeeded: usize,
}

impl Outcome {
    /// Counts a source that worked, with `headlines` to show; one whose latest copy lists
    /// nothing is said to have no items, and counts only if older stories of it still show.
    fn answered(&mut self, source: &Source, health: &Health, headlines: &[feed::Headline]) {
        if health.has_no_items() {
            self.failures
                .push((source.location.to_string(), "no items".to_owned()));
        }
        if !headlines.is_empty() {
            self.succeeded += 1;
        }
    }
}

/// What the store has for `sources`, in their order (empty entries without a store).
pub fn cached(store: Option<&Store>, sources: &[Source]) -> Result<Vec<CachedSource>, String> {
    let Some(store) = store else {
        return Ok(Vec::new());
    };
    let keys: Vec<String> = sources
        .iter()
        .map(|source| source.location.store_key())
        .collect();
    store.load(&keys).map_err(|error| error.to_string())
}

/// Joins per-source results (`None`: offline, nothing fetched) with the cache: each result
/// is settled by the rules the refresher follows ([`SourceState::settle`]) and stored as it
/// stores it; a new copy is shown with its read marks, a 304, a failure or a source that
/// waits for its server shows what is stored. `clock` is one moment on both clocks, once the
/// results are in.
pub fn collect(
    sources: &[Source],
    results: Option<Vec<Option<Result<Loaded, LoadError>>>>,
    states: Vec<SourceState>,
    mut cache: Vec<CachedSource>,
    mut store: Option<&mut Store>,
    retention: Retention,
    clock: (Instant, DateTime<Utc>),
) -> Outcome {
    let (settled, now) = clock;
    let mut outcome = Outcome::default();
    let mut feeds = Vec::new();
    let mut results = results.map(Vec::into_iter);
    let mut states = states.into_iter();
    for (index, source) in sources.iter().enumerate() {
        let key = source.location.store_key();
        let stored = cache.get_mut(index).map(std::mem::take);
        let result = results.as_mut().and_then(Iterator::next);
        let state = states.next();
        let (feed, headlines) = match (result, state) {
            (Some(Some(result)), Some(mut state)) => {
                let update = state.settle(result, settled, now, jitter());
                crate::log::settled(&source.location, &update, &state.health);
                if let Some(store) = store.as_deref_mut()
                    && let Err(error) = persist::save_settled(
                        store,
                        &key,
                        &update,
                        &state.validators,
                        &state.health,
                        now,
                    )
                {
                    tracing::error!("store write failed: {error}");
                    outcome.store_errors.push(error.to_string());
                }
                let (feed, headlines) = match update {
                    Update::Changed(feed) => {
                        let mut feed = *feed;
                        if let Some(stored) = &stored {
                            remember_read(stored, &mut outcome.read);
                        }
                        let headlines = std::mem::take(&mut feed.headlines);
                        (feed, headlines)
                    }
                    Update::Failed => {
                        let reason = state.health.last_error.clone().unwrap_or_default();
                        outcome.failures.push((source.location.to_string(), reason));
                        // The last good copy still shows: stale news beats none.
                        from_cache(stored, &mut outcome.read)
                    }
                    Update::Unchanged | Update::Fetching => from_cache(stored, &mut outcome.read),
                };
                if !state.health.is_failing() {
                    outcome.answered(source, &state.health, &headlines);
                }
                (feed, headlines)
            }
            (Some(_), state) => {
                // Not due: the server asked for no request before a time still to come.
                let health = state.map(|state| state.health).unwrap_or_default();
                tracing::info!(
                    feed = %source.location,
                    "skipped: {}",
                    waiting(&health)
                );
                outcome
                    .failures
                    .push((source.location.to_string(), waiting(&health)));
                from_cache(stored, &mut outcome.read)
            }
            (None, _) => {
                let health = stored.as_ref().map(|stored| stored.health.clone());
                let (feed, headlines) = from_cache(stored, &mut outcome.read);
                match health {
                    Some(health) if health.has_no_items() || !headlines.is_empty() => {
                        outcome.answered(source, &health, &headlines);
                    }
                    _ => outcome.failures.push((
                        source.location.to_string(),
                        "nothing stored yet (run without --offline first)".to_owned(),
                    )),
                }
                (feed, headlines)
            }
        };
        feeds.push(OwnedFeed::new(source, &feed, headlines));
    }
    if results.is_some()
        && let Some(store) = store
        && let Err(error) = store.prune(retention.keep, retention.max_per_feed, now)
    {
        outcome.store_errors.push(error.to_string());
    }
    outcome.headlines = feed::merge_owned(feeds);
    outcome
}

/// Why a source was not fetched: its server's `Retry-After` still holds.
fn waiting(health: &Health) -> String {
    let until = health.not_before.map_or_else(String::new, |until| {
        format!(" until {}", rfc3339_utc(until))
    });
    let last = health
        .last_error
        .as_deref()
        .map_or_else(String::new, |error| format!(" after {error}"));
    format!("not fetched{until}, as the server asked{last}")
}

/// Adds the read marks of a stored source to `read`.
fn remember_read(cached: &CachedSource, read: &mut HashSet<(String, String)>) {
    for stored in cached.headlines.iter().filter(|stored| stored.read) {
        read.insert((cached.url.clone(), stored.headline.id.clone()));
    }
}

/// A stored source as a feed (its title) and headlines, its read marks added to `read`.
pub(crate) fn from_cache(
    cached: Option<CachedSource>,
    read: &mut HashSet<(String, String)>,
) -> (ParsedFeed, Vec<feed::Headline>) {
    let Some(cached) = cached else {
        return (ParsedFeed::default(), Vec::new());
    };
    remember_read(&cached, read);
    let feed = ParsedFeed {
        title: cached.name.unwrap_or_default(),
        ..ParsedFeed::default()
    };
    let headlines = cached
        .headlines
        .into_iter()
        .map(|stored| stored.headline)
        .collect();
    (feed, headlines)
}

pub use crate::feed::json_line::rfc3339_utc;
use crate::feed::json_line::write_json_line;

/// Which order text is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As stored: what programs reading the output want.
    Logical,
    /// Titles and source names laid out for a terminal without bidi (`--visual`).
    Visual,
}

/// Writes the headlines in `format`, one per line.
/// `read` holds `(source key, headline id)` of stories marked read.
pub fn write_headlines(
    out: &mut impl Write,
    headlines: &[SourcedHeadline],
    read: &HashSet<(String, String)>,
    format: Format,
    order: Order,
) -> io::Result<()> {
    write_headlines_with_content(out, headlines, read, &HashMap::new(), format, order)
}

/// [`write_headlines`], each JSON line with the story's full text from `contents`
/// (by source key and headline id) as `content` when there is one (`print --full`).
pub fn write_headlines_with_content(
    out: &mut impl Write,
    headlines: &[SourcedHeadline],
    read: &HashSet<(String, String)>,
    contents: &HashMap<(String, String), String>,
    format: Format,
    order: Order,
) -> io::Result<()> {
    for item in headlines {
        let shown;
        let item = match order {
            Order::Logical => item,
            Order::Visual => {
                shown = visual(item);
                &shown
            }
        };
        match format {
            Format::Tsv => write_tsv_line(out, item)?,
            Format::Json => {
                let key = (item.origin.to_string(), item.headline.id.clone());
                let content = contents.get(&key).map(String::as_str);
                write_json_line(out, item, read.contains(&key), content)?;
            }
        }
    }
    out.flush()
}

/// The item with its title and source name in visual order, each its own paragraph.
fn visual(item: &SourcedHeadline) -> SourcedHeadline {
    let language = item.headline.language.as_deref();
    let title_dir = paragraph_direction(&item.headline.title, item.direction, language);
    let source_dir = paragraph_direction(&item.source, item.direction, None);
    let mut shown = item.clone();
    shown.headline = std::sync::Arc::new(crate::feed::Headline {
        title: visual_line(&item.headline.title, title_dir),
        ..(*item.headline).clone()
    });
    shown.source = visual_line(&item.source, source_dir).into();
    shown
}

fn write_tsv_line(out: &mut impl Write, item: &SourcedHeadline) -> io::Result<()> {
    let headline = &item.headline;
    // Fields are already one-line plain text; clean_line again guarantees no tab can split a
    // column whatever a later change to the parser does.
    writeln!(
        out,
        "{}\t{}\t{}\t{}",
        rfc3339_utc(headline.published),
        clean_line(&item.source),
        clean_line(&headline.title),
        clean_line(headline.link.as_deref().unwrap_or("")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Headline;
    use chrono::TimeZone;

    fn item() -> SourcedHeadline {
        SourcedHeadline {
            source: "الإمارات 71".into(),
            origin: "https://example.org/feed".into(),
            direction: crate::feed::Direction::Auto,
            headline: std::sync::Arc::new(Headline {
                id: "1".into(),
                title: "الليرة السورية تواصل التحسن".into(),
                link: Some("https://example.org/1".into()),
                published: Utc.with_ymd_and_hms(2023, 10, 22, 1, 29, 0).unwrap(),
                dated: true,
                titled: true,
                summary: "ملخص".into(),
                body_html: None,
                language: Some("ar".into()),
                author: None,
                enclosures: Vec::new(),
            }),
        }
    }

    #[test]
    fn tsv_has_four_fields_and_utc_time() {
        let mut out = Vec::new();
        write_headlines(
            &mut out,
            &[item()],
            &HashSet::new(),
            Format::Tsv,
            Order::Logical,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "2023-10-22T01:29:00Z\tالإمارات 71\tالليرة السورية تواصل التحسن\thttps://example.org/1\n"
        );
    }

    #[test]
    fn json_lines_carry_every_field() {
        let mut out = Vec::new();
        write_headlines(
            &mut out,
            &[item()],
            &HashSet::new(),
            Format::Json,
            Order::Logical,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["published"], "2023-10-22T01:29:00Z");
        assert_eq!(value["source"], "الإمارات 71");
        assert_eq!(value["link"], "https://example.org/1");
        assert_eq!(value["summary"], "ملخص");
        assert_eq!(value["dated"], true);
        assert_eq!(value["read"], false);
        assert!(value.get("author").is_none(), "no author, no key");
        assert!(value.get("enclosures").is_none(), "no enclosures, no key");
        assert!(value.get("display_title").is_none(), "titled by its feed");
    }

    #[test]
    fn an_item_the_feed_left_untitled_has_an_empty_title_and_a_display_title() {
        let mut untitled = item();
        untitled.headline = std::sync::Arc::new(Headline {
            title: "First sentence of the toot.".into(),
            titled: false,
            ..(*untitled.headline).clone()
        });
        let mut out = Vec::new();
        write_headlines(
            &mut out,
            &[untitled.clone()],
            &HashSet::new(),
            Format::Json,
            Order::Logical,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["title"], "");
        assert_eq!(value["display_title"], "First sentence of the toot.");

        let mut out = Vec::new();
        write_headlines(
            &mut out,
            &[untitled],
            &HashSet::new(),
            Format::Tsv,
            Order::Logical,
        )
        .unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(line.split('\t').nth(2), Some("First sentence of the toot."));
    }

    #[test]
    fn json_lines_carry_author_and_enclosures_when_the_item_has_them() {
        let mut podcast = item();
        podcast.headline = std::sync::Arc::new(Headline {
            dated: false,
            titled: true,
            author: Some("Ada\x1b[2J Lovelace".into()),
            enclosures: vec![
                crate::model::Enclosure {
                    url: "https://example.org/ep1.mp3".into(),
                    mime: Some("audio/mpeg".into()),
                    length: Some(12_345_678),
                },
                crate::model::Enclosure {
                    url: "https://example.org/cover.jpg".into(),
                    mime: None,
                    length: None,
                },
            ],
            ..(*podcast.headline).clone()
        });
        let mut out = Vec::new();
        write_headlines(
            &mut out,
            &[podcast],
            &HashSet::new(),
            Format::Json,
            Order::Logical,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["dated"], false);
        assert_eq!(value["author"], "Ada Lovelace");
        assert_eq!(
            value["enclosures"],
            serde_json::json!([
                {"url": "https://example.org/ep1.mp3", "type": "audio/mpeg", "length": 12_345_678},
                {"url": "https://example.org/cover.jpg"}
            ])
        );
    }

    #[test]
    fn every_field_is_cleaned_again_on_the_way_out() {
        let mut dirty = item();
        dirty.source = "S\x1b]0;PWN\x07rc\u{202e}".into();
        dirty.headline = std::sync::Arc::new(Headline {
            title: "T\x1b[777;888Hitle\u{9b}2J".into(),
            link: Some("https://e.x/\x1b]8;;x\x07".into()),
            summary: "Sum\x1b]52;c;AAAA\x07mary\u{85}\tend".into(),
            ..(*dirty.headline).clone()
        });
        for format in [Format::Tsv, Format::Json] {
            let mut out = Vec::new();
            write_headlines(
                &mut out,
                &[dirty.clone()],
                &HashSet::new(),
                format,
                Order::Logical,
            )
            .unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.contains(['\x1b', '\x07', '\u{9b}', '\u{202e}', '\u{85}']),
                "{text:?}"
            );
            for residue in ["PWN", "777", "2J", "]8", "AAAA", "\\u"] {
                assert!(!text.contains(residue), "{residue} in {text:?}");
            }
        }
        let mut out = Vec::new();
        write_headlines(
            &mut out,
            &[dirty],
            &HashSet::new(),
            Format::Json,
            Order::Logical,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["source"], "Src");
        assert_eq!(value["title"], "Title");
        assert_eq!(value["link"], "https://e.x/");
        assert_eq!(value["summary"], "Summary end");
    }

    #[test]
    fn json_read_field_comes_from_the_read_marks() {
        let mut out = Vec::new();
        let read = HashSet::from([("https://example.org/feed".to_owned(), "1".to_owned())]);
        write_headlines(&mut out, &[item()], &read, Format::Json, Order::Logical).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["read"], true);
    }
}
