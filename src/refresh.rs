//! The background refresher: tokio tasks that own the HTTP client and the schedule and send
//! owned results to the UI over a channel, so the screen never waits on the network.

use crate::feed::fetch::Fetcher;
use crate::feed::outcome::{SourceState, jitter};
use crate::feed::{LoadError, Loaded, load_if_modified};
use crate::model::Source;
pub use crate::model::{FeedEvent, Health, Seed, Update};
use crate::persist::{Change, Persister};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
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
    state: SourceState,
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

/// A source ready to be scheduled, from what the store kept of it.
fn tracked(
    source: Source,
    seed: Seed,
    default_interval: Duration,
    start: Instant,
    wall: DateTime<Utc>,
) -> Tracked {
    let interval = source.refresh.unwrap_or(default_interval);
    let state = SourceState::new(interval, source.location.is_http(), seed, start, wall);
    Tracked {
        source,
        state,
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
            if feed.in_flight || !feed.state.is_due(now) {
                continue;
            }
            if feed.state.health.is_failing() {
                tracing::info!(feed = %feed.source.location, "retrying");
            }
            feed.in_flight = true;
            feed.state.health.fetching = true;
            let (fetcher, source, validators) = (
                fetcher.clone(),
                feed.source.clone(),
                feed.state.validators.clone(),
            );
            let task = in_flight.spawn(async move {
                if index == 0 {
                    crate::panic::test_point("feed");
                }
                let result =
                    load_if_modified(&fetcher, &source, &validators, Utc::now(), None).await;
                (index, result)
            });
            loading.insert(task.id(), index);
            let event = FeedEvent {
                index,
                update: Update::Fetching,
                health: feed.state.health.clone(),
            };
            if events.send(event).await.is_err() {
                return;
            }
        }
        let next_due = feeds
            .iter()
            .filter(|feed| !feed.in_flight)
            .map(|feed| feed.state.timer.next)
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
                feed.in_flight = false;
                let update = feed.state.settle(result, Instant::now(), wall, jitter());
                crate::log::settled(&feed.source.location, &update, &feed.state.health);
                let event = FeedEvent {
                    index,
                    update,
                    health: feed.state.health.clone(),
                };
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
                    feeds.iter_mut().for_each(|feed| feed.state.timer.hurry(now));
                }
                Some(Control::Refresh(index)) => {
                    if let Some(feed) = feeds.get_mut(index) {
                        feed.state.timer.hurry(Instant::now());
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

/// Hands the store what a settled load changed.
fn keep(store: &Persister, feed: &Tracked, event: &FeedEvent, now: DateTime<Utc>) {
    let url = feed.source.location.store_key();
    let health = event.health.clone();
    store.send(match &event.update {
        Update::Changed(parsed) => Change::Feed {
            url,
            feed: parsed.clone(),
            validators: feed.state.validators.clone(),
            health,
            now,
        },
        Update::Unchanged => Change::Unchanged { url, health, now },
        Update::Failed => Change::Health { url, health },
        Update::Fetching => return,
    });
}
