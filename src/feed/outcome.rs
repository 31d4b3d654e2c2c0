//! What one load does to a source: the single set of rules by which both the background
//! refresher and `akhbar print` turn a fetch result into the source's new headlines and
//! health, and into when and how it is asked next (timer, validators).
//!
//! Pure: the clocks and the jitter come in, so the rules are tested here without a network.

use super::schedule::{self, Timer};
use super::{LoadError, Loaded};
use crate::model::{Health, Seed, Update, Validators};
use chrono::{DateTime, TimeDelta, Utc};
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;
use tokio::time::Instant;

/// One source between loads: when it is due, what it sends back, how it is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    pub timer: Timer,
    /// Sent back on the next request, so an unchanged feed costs a 304.
    pub validators: Validators,
    /// The feed's last `<ttl>`: with `Cache-Control: max-age`, a floor for its interval.
    pub ttl: Option<Duration>,
    pub health: Health,
    is_http: bool,
}

impl SourceState {
    /// A source as earlier runs left it (`seed`, from the store), refreshed every `interval`.
    /// It is due at `start`, unless its last attempt failed and the store says not before a
    /// later time (backoff, `Retry-After`); a server's `Retry-After` holds even against
    /// [`Timer::hurry`]. `wall` is the clock time at `start`.
    pub fn new(
        interval: Duration,
        is_http: bool,
        seed: Seed,
        start: Instant,
        wall: DateTime<Utc>,
    ) -> Self {
        let mut timer = Timer::new(interval, schedule::min_interval(is_http), start);
        // A `Retry-After` may have asked for up to a week; the store's word is no better.
        let wait_until = |time: Option<DateTime<Utc>>| {
            let wait = (time? - wall).to_std().ok()?;
            Some(schedule::later(start, wait.min(schedule::MAX_SERVER_DELAY)))
        };
        if seed.health.is_failing()
            && let Some(next) = wait_until(seed.health.next_attempt)
        {
            timer.next = next;
        }
        if let Some(not_before) = wait_until(seed.health.not_before) {
            timer.not_before = Some(not_before);
            timer.next = timer.next.max(not_before);
        }
        Self {
            timer,
            validators: seed.validators,
            ttl: None,
            health: Health {
                fetching: false,
                ..seed.health
            },
            is_http,
        }
    }

    /// Folds a finished load into the timer, validators and health (`self.health` is the
    /// source's health after it) and says what it brought: a new copy of the feed, the
    /// confirmation that the stored one is current, or a failure that keeps the last good
    /// headlines. `now` and `wall` are the same moment on the two clocks; `jitter` is uniform
    /// in `[0, 1)` (see [`jitter`]).
    pub fn settle(
        &mut self,
        result: Result<Loaded, LoadError>,
        now: Instant,
        wall: DateTime<Utc>,
        jitter: f64,
    ) -> Update {
        self.health.fetching = false;
        let update = match result {
            Ok(Loaded::Modified {
                feed,
                validators,
                max_age,
            }) => {
                self.validators = validators;
                self.ttl = feed.ttl;
                self.timer.succeeded(now, floor(feed.ttl, max_age), jitter);
                self.health.last_success = Some(wall);
                self.health.last_error = None;
                self.health.status = self.is_http.then_some(200);
                self.health.items = feed.headlines.len();
                Update::Changed(Box::new(feed))
            }
            Ok(Loaded::NotModified { max_age }) => {
                self.timer.succeeded(now, floor(self.ttl, max_age), jitter);
                self.health.last_success = Some(wall);
                self.health.last_error = None;
                self.health.status = Some(304);
                Update::Unchanged
            }
            Err(error) => {
                let (status, retry_after) = error
                    .fetch_error()
                    .map_or((None, None), |fetch| (fetch.status(), fetch.retry_after()));
                self.timer.failed(now, retry_after, jitter);
                self.health.last_error = Some(error.to_string());
                self.health.status = status;
                Update::Failed
            }
        };
        self.health.next_attempt = on_the_wall(self.timer.next, now, wall);
        self.health.not_before = self
            .timer
            .not_before
            .filter(|&not_before| not_before > now)
            .and_then(|not_before| on_the_wall(not_before, now, wall));
        update
    }

    /// Whether a request is due at `now`.
    pub fn is_due(&self, now: Instant) -> bool {
        self.timer.is_due(now)
    }
}

/// `at` as clock time, given that `now` is `wall`; a time already past is `wall`.
fn on_the_wall(at: Instant, now: Instant, wall: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let delta = TimeDelta::from_std(at.saturating_duration_since(now)).ok()?;
    wall.checked_add_signed(delta)
}

/// The larger of the feed's `<ttl>` and the server's `max-age`.
fn floor(ttl: Option<Duration>, max_age: Option<Duration>) -> Option<Duration> {
    ttl.max(max_age)
}

/// Uniform in `[0, 1)`; std's randomly keyed hasher is enough to spread feeds apart.
pub fn jitter() -> f64 {
    let bits = RandomState::new().hash_one(0u8) >> 11;
    // 53 bits fit an f64 mantissa exactly.
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::fetch::FetchError;
    use crate::model::{Headline, ParsedFeed};
    use chrono::TimeZone;

    const MINUTE: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(3600);

    fn wall() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 20, 0, 0).unwrap()
    }

    fn fresh(start: Instant) -> SourceState {
        SourceState::new(15 * MINUTE, true, Seed::default(), start, wall())
    }

    fn copy(items: usize, ttl: Option<Duration>) -> Result<Loaded, LoadError> {
        let headline = |n: usize| Headline {
            id: n.to_string(),
            title: format!("story {n}"),
            link: None,
            published: wall(),
            dated: true,
            titled: true,
            summary: String::new(),
            body_html: None,
            language: None,
            author: None,
            enclosures: Vec::new(),
        };
        Ok(Loaded::Modified {
            feed: ParsedFeed {
                ttl,
                headlines: (0..items).map(headline).collect(),
                ..ParsedFeed::default()
            },
            validators: Validators {
                etag: Some("\"v2\"".into()),
                last_modified: None,
            },
            max_age: None,
        })
    }

    fn too_many_requests(retry_after: Option<Duration>) -> Result<Loaded, LoadError> {
        Err(LoadError::Fetch(FetchError::Status {
            code: 429,
            reason: Some("Too Many Requests".into()),
            retry_after,
        }))
    }

    fn at(offset: Duration) -> DateTime<Utc> {
        wall() + TimeDelta::from_std(offset).unwrap()
    }

    #[test]
    fn a_new_copy_is_a_success_with_its_items_validators_and_next_time() {
        let start = Instant::now();
        let mut state = fresh(start);
        state.health.last_error = Some("HTTP 500".into());
        let update = state.settle(copy(3, None), start, wall(), 0.5);
        let Update::Changed(feed) = update else {
            panic!("{update:?}")
        };
        assert_eq!(feed.headlines.len(), 3);
        assert_eq!(state.validators.etag.as_deref(), Some("\"v2\""));
        assert_eq!(
            state.health,
            Health {
                last_success: Some(wall()),
                last_error: None,
                status: Some(200),
                next_attempt: Some(at(15 * MINUTE)),
                not_before: None,
                items: 3,
                fetching: false,
            }
        );
    }

    #[test]
    fn an_empty_copy_is_a_success_with_no_items() {
        let start = Instant::now();
        let mut state = fresh(start);
        let update = state.settle(copy(0, None), start, wall(), 0.5);
        assert!(matches!(update, Update::Changed(_)));
        assert!(!state.health.is_failing());
        assert_eq!(state.health.items, 0);
        assert!(state.health.has_no_items());
    }

    #[test]
    fn a_304_keeps_the_items_and_the_ttl_of_the_last_copy() {
        let start = Instant::now();
        let mut state = fresh(start);
        state.settle(copy(2, Some(HOUR)), start, wall(), 0.5);
        let update = state.settle(
            Ok(Loaded::NotModified { max_age: None }),
            start,
            wall(),
            0.5,
        );
        assert_eq!(update, Update::Unchanged);
        assert_eq!(state.health.status, Some(304));
        assert_eq!(state.health.items, 2);
        assert_eq!(
            state.health.next_attempt,
            Some(at(HOUR)),
            "the ttl still holds"
        );
    }

    #[test]
    fn a_failure_keeps_the_last_success_and_backs_off() {
        let start = Instant::now();
        let mut state = fresh(start);
        state.settle(copy(2, None), start, wall(), 0.5);
        let update = state.settle(too_many_requests(None), start, wall(), 0.0);
        assert_eq!(update, Update::Failed);
        assert_eq!(
            state.health.last_error.as_deref(),
            Some("HTTP 429 Too Many Requests")
        );
        assert_eq!(state.health.status, Some(429));
        assert_eq!(state.health.last_success, Some(wall()));
        assert_eq!(state.health.items, 2, "the last good copy still shows");
        assert_eq!(state.health.next_attempt, Some(at(15 * MINUTE)));
        assert_eq!(state.health.not_before, None, "no Retry-After, no hold");
    }

    #[test]
    fn retry_after_is_kept_apart_from_the_backoff_and_outlives_a_restart() {
        let start = Instant::now();
        let mut state = fresh(start);
        state.settle(too_many_requests(Some(2 * HOUR)), start, wall(), 0.0);
        assert_eq!(state.health.not_before, Some(at(2 * HOUR)));
        assert_eq!(state.health.next_attempt, Some(at(2 * HOUR)));

        // Ten minutes later, a new run starts from what the store kept.
        let later = start + 10 * MINUTE;
        let seed = Seed {
            validators: state.validators.clone(),
            health: state.health.clone(),
        };
        let mut again = SourceState::new(15 * MINUTE, true, seed, later, at(10 * MINUTE));
        assert!(!again.is_due(later));
        again.timer.hurry(later);
        assert!(
            !again.is_due(later),
            "a refresh by hand waits for the server"
        );
        assert!(again.is_due(later + 110 * MINUTE));
    }

    #[test]
    fn a_backoff_from_the_store_gives_way_to_a_refresh_by_hand() {
        let start = Instant::now();
        let mut state = fresh(start);
        state.settle(too_many_requests(None), start, wall(), 0.0);
        let seed = Seed {
            validators: Validators::default(),
            health: state.health.clone(),
        };
        let mut again = SourceState::new(15 * MINUTE, true, seed, start, wall());
        assert!(!again.is_due(start), "the refresher waits out the backoff");
        again.timer.hurry(start);
        assert!(again.is_due(start));
    }

    #[test]
    fn a_seed_that_worked_is_due_at_once() {
        let start = Instant::now();
        let seed = Seed {
            validators: Validators::default(),
            health: Health {
                last_success: Some(wall()),
                next_attempt: Some(at(HOUR)),
                ..Health::default()
            },
        };
        assert!(SourceState::new(15 * MINUTE, true, seed, start, wall()).is_due(start));
    }

    #[test]
    fn jitter_stays_in_the_unit_interval() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn the_larger_of_ttl_and_max_age_is_the_floor() {
        assert_eq!(floor(Some(MINUTE), None), Some(MINUTE));
        assert_eq!(floor(Some(MINUTE), Some(2 * MINUTE)), Some(2 * MINUTE));
        assert_eq!(floor(None, None), None);
    }
}
