//! The background refresher: tokio tasks that own the HTTP client and the schedule and send
//! owned results to the UI over a channel, so the screen never waits on the network.

use crate::feed::fetch::Fetcher;
use crate::feed::schedule::{self, Timer};
use crate::feed::{LoadError, Loaded, load_if_modified};
pub use crate::model::{FeedEvent, Health, Seed, Update};
use crate::model::{Source, Validators};
use crate::persist::{Change, Persister};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Requests to the refresher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Every feed, now (a server's `Retry-After` still holds).
    RefreshAll,
    /// One feed, by its index in the source list.
    Refresh(usize),
}

/// One source as the refresher keeps it.
struct Tracked {
    source: Source,
    timer: Timer,
    validators: Validators,
    ttl: Option<Duration>,
    health: Health,
    in_flight: bool,
}

/// Starts the refresher; it runs until the event receiver or the control sender is dropped,
/// and dropping it cancels requests in flight.
pub fn spawn(
    fetcher: Fetcher,
    sources: Vec<Source>,
    default_interval: Duration,
    events: mpsc::Sender<FeedEvent>,
) -> (mpsc::Sender<Control>, tokio::task::JoinHandle<()>) {
    spawn_with_store(fetcher, sources, default_interval, events, Vec::new(), None)
}

/// [`spawn`] starting from what the store remembers (`seeds`, by source index; missing ones
/// start afresh) and handing every result to `store` as well as to the screen.
pub fn spawn_with_store(
    fetcher: Fetcher,
    sources: Vec<Source>,
    default_interval: Duration,
    events: mpsc::Sender<FeedEvent>,
    seeds: Vec<Seed>,
    store: Option<Persister>,
) -> (mpsc::Sender<Control>, tokio::task::JoinHandle<()>) {
    let (control_tx, control_rx) = mpsc::channel(16);
    let start = Instant::now();
    let wall = Utc::now();
    let mut seeds = seeds.into_iter();
    let feeds = sources
        .into_iter()
        .map(|source| {
            let seed = seeds.next().unwrap_or_default();
            tracked(source, seed, default_interval, start, wall)
        })
        .collect();
    let handle = tokio::spawn(run(fetcher, feeds, events, control_rx, store));
    (control_tx, handle)
}

/// A source ready to be scheduled: due now, unless its last attempt failed and the store
/// says not before a later time (backoff, `Retry-After`), which holds across restarts.
fn tracked(
    source: Source,
    seed: Seed,
    default_interval: Duration,
    start: Instant,
    wall: DateTime<Utc>,
) -> Tracked {
    let mut timer = Timer::new(
        source.refresh.unwrap_or(default_interval),
        schedule::min_interval(source.location.is_http()),
        start,
    );
    if seed.health.is_failing()
        && let Some(wait) = seed
            .health
            .next_attempt
            .and_then(|next| (next - wall).to_std().ok())
    {
        // A `Retry-After` may have asked for up to a week; the store's word is no better.
        timer.next = schedule::later(start, wait.min(schedule::MAX_SERVER_DELAY));
    }
    Tracked {
        timer,
        source,
        validators: seed.validators,
        ttl: None,
        health: Health {
            fetching: false,
            ..seed.health
        },
        in_flight: false,
    }
}

type Done = (usize, Result<Loaded, LoadError>);

async fn run(
    fetcher: Fetcher,
    mut feeds: Vec<Tracked>,
    events: mpsc::Sender<FeedEvent>,
    mut control: mpsc::Receiver<Control>,
    store: Option<Persister>,
) {
    // Dropping the set aborts its tasks: quitting cancels requests in flight.
    let mut in_flight: JoinSet<Done> = JoinSet::new();
    // Which feed each task loads: a task that panics returns no index of its own.
    let mut loading: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut settled_once = false;
    loop {
        let now = Instant::now();
        for (index, feed) in feeds.iter_mut().enumerate() {
            if feed.in_flight || !feed.timer.is_due(now) {
                continue;
            }
            feed.in_flight = true;
            feed.health.fetching = true;
            let (fetcher, location, validators) = (
                fetcher.clone(),
                feed.source.location.clone(),
                feed.validators.clone(),
            );
            let task = in_flight.spawn(async move {
                if index == 0 {
                    crate::panic::test_point("feed");
                }
                let result = load_if_modified(&fetcher, &location, &validators, Utc::now()).await;
                (index, result)
            });
            loading.insert(task.id(), index);
            let event = FeedEvent {
                index,
                update: Update::Fetching,
                health: feed.health.clone(),
            };
            if events.send(event).await.is_err() {
                return;
            }
        }
        let next_due = feeds
            .iter()
            .filter(|feed| !feed.in_flight)
            .map(|feed| feed.timer.next)
            .min();
        tokio::select! {
            Some(joined) = in_flight.join_next_with_id() => {
                let (index, result) = match joined {
                    Ok((id, done)) => {
                        loading.remove(&id);
                        done
                    }
                    // A panic in one feed's load fails that feed alone, with the reason.
                    Err(error) => {
                        let Some(index) = loading.remove(&error.id()) else { continue };
                        (index, Err(LoadError::Internal(crate::panic::reason(error))))
                    }
                };
                let Some(feed) = feeds.get_mut(index) else { continue };
                let wall = Utc::now();
                let event = settle(feed, index, result, Instant::now(), wall);
                if let Some(store) = &store {
                    keep(store, feed, &event, wall);
                }
                if events.send(event).await.is_err() {
                    return;
                }
                if !settled_once {
                    settled_once = true;
                    crate::panic::test_point("refresher");
                }
            }
            command = control.recv() => match command {
                Some(Control::RefreshAll) => {
                    let now = Instant::now();
                    feeds.iter_mut().for_each(|feed| feed.timer.hurry(now));
                }
                Some(Control::Refresh(index)) => {
                    if let Some(feed) = feeds.get_mut(index) {
                        feed.timer.hurry(Instant::now());
                    }
                }
                None => return,
            },
            () = sleep_until(next_due) => {}
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Folds a finished load into the feed's timer, validators and health.
fn settle(
    feed: &mut Tracked,
    index: usize,
    result: Result<Loaded, LoadError>,
    now: Instant,
    wall: DateTime<Utc>,
) -> FeedEvent {
    feed.in_flight = false;
    feed.health.fetching = false;
    let update = match result {
        Ok(Loaded::Modified {
            feed: parsed,
            validators,
            max_age,
        }) => {
            feed.validators = validators;
            feed.ttl = parsed.ttl;
            feed.timer
                .succeeded(now, floor(parsed.ttl, max_age), jitter());
            feed.health.last_success = Some(wall);
            feed.health.last_error = None;
            feed.health.status = feed.source.location.is_http().then_some(200);
            feed.health.items = parsed.headlines.len();
            Update::Changed(Box::new(parsed))
        }
        Ok(Loaded::NotModified { max_age }) => {
            feed.timer
                .succeeded(now, floor(feed.ttl, max_age), jitter());
            feed.health.last_success = Some(wall);
            feed.health.last_error = None;
            feed.health.status = Some(304);
            Update::Unchanged
        }
        Err(error) => {
            let (status, retry_after) = match &error {
                LoadError::Fetch(fetch) => (fetch.status(), fetch.retry_after()),
                _ => (None, None),
            };
            feed.timer.failed(now, retry_after, jitter());
            feed.health.last_error = Some(error.to_string());
            feed.health.status = status;
            Update::Failed
        }
    };
    let until_next = feed.timer.next.saturating_duration_since(now);
    feed.health.next_attempt = chrono::TimeDelta::from_std(until_next)
        .ok()
        .and_then(|delta| wall.checked_add_signed(delta));
    FeedEvent {
        index,
        update,
        health: feed.health.clone(),
    }
}

/// Hands the store what a settled load changed.
fn keep(store: &Persister, feed: &Tracked, event: &FeedEvent, now: DateTime<Utc>) {
    let url = feed.source.location.store_key();
    let health = event.health.clone();
    store.send(match &event.update {
        Update::Changed(parsed) => Change::Feed {
            url,
            feed: parsed.clone(),
            validators: feed.validators.clone(),
            health,
            now,
        },
        Update::Unchanged => Change::Unchanged { url, health, now },
        Update::Failed => Change::Health { url, health },
        Update::Fetching => return,
    });
}

fn floor(ttl: Option<Duration>, max_age: Option<Duration>) -> Option<Duration> {
    ttl.max(max_age)
}

/// Uniform in `[0, 1)`; std's randomly keyed hasher is enough to spread feeds apart.
fn jitter() -> f64 {
    let bits = RandomState::new().hash_one(0u8) >> 11;
    // 53 bits fit an f64 mantissa exactly.
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_in_the_unit_interval() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn the_larger_of_ttl_and_max_age_is_the_floor() {
        let minute = Duration::from_secs(60);
        assert_eq!(floor(Some(minute), None), Some(minute));
        assert_eq!(floor(Some(minute), Some(2 * minute)), Some(2 * minute));
        assert_eq!(floor(None, None), None);
    }
}
