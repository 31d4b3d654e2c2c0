//! When each feed is fetched next: its interval, floors from `<ttl>` and `max-age`, jitter,
//! exponential backoff after failures and `Retry-After`. Pure: time and randomness come in.
//!
//! Every delay a server or a feed names is clamped to [`MAX_SERVER_DELAY`] and every sum
//! saturates, so no number from outside can overflow a clock.

use std::time::Duration;
use tokio::time::Instant;

/// The longest a failing feed waits between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);

/// The longest wait a server (`Retry-After`, `Cache-Control: max-age`) or a feed (`<ttl>`)
/// can impose: past a week, the number is more likely a mistake or an attack than advice.
pub const MAX_SERVER_DELAY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The shortest refresh interval for a feed over HTTP(S): anything faster is rude to servers
/// we do not own.
pub const MIN_HTTP_INTERVAL: Duration = Duration::from_secs(60);

/// The shortest refresh interval for a local file, which costs only a read.
pub const MIN_LOCAL_INTERVAL: Duration = Duration::from_secs(1);

/// Share of an interval that jitter may add or remove, so feeds drift apart.
const JITTER: f64 = 0.1;

/// The floor for a feed's interval, and for its retries after failures.
pub fn min_interval(is_http: bool) -> Duration {
    if is_http {
        MIN_HTTP_INTERVAL
    } else {
        MIN_LOCAL_INTERVAL
    }
}

/// One feed's timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// The configured interval.
    pub interval: Duration,
    /// No interval or retry is shorter than this ([`min_interval`]).
    pub min_interval: Duration,
    /// Larger of the feed's `<ttl>` and the last `Cache-Control: max-age`, if any.
    pub floor: Option<Duration>,
    /// Failures in a row since the last success.
    pub failures: u32,
    /// No request before this (from `Retry-After`).
    pub not_before: Option<Instant>,
    /// The next attempt.
    pub next: Instant,
}

impl Timer {
    /// A timer whose first attempt is due at `first`; `interval` is raised to `min_interval`.
    pub fn new(interval: Duration, min_interval: Duration, first: Instant) -> Self {
        Self {
            interval,
            min_interval,
            floor: None,
            failures: 0,
            not_before: None,
            next: first,
        }
    }

    /// The interval in force while the feed works: the configured one, raised to the minimum
    /// and to the feed's floor (itself at most [`MAX_SERVER_DELAY`]).
    pub fn effective_interval(&self) -> Duration {
        let floor = self.floor.unwrap_or_default().min(MAX_SERVER_DELAY);
        self.interval.max(self.min_interval).max(floor)
    }

    /// `jitter` is uniform in `[0, 1)`.
    pub fn succeeded(&mut self, now: Instant, floor: Option<Duration>, jitter: f64) {
        self.failures = 0;
        self.floor = floor.map(|floor| floor.min(MAX_SERVER_DELAY));
        let wait = spread(self.effective_interval(), jitter).max(self.min_interval);
        self.next = later(now, wait);
        self.respect_not_before();
    }

    /// After a failed attempt: exponential backoff from the interval (never below the
    /// minimum) up to [`MAX_BACKOFF`], never earlier than `retry_after` allows.
    pub fn failed(&mut self, now: Instant, retry_after: Option<Duration>, jitter: f64) {
        self.failures = self.failures.saturating_add(1);
        let base = self.effective_interval().min(MAX_BACKOFF);
        let factor = 2u32.saturating_pow(self.failures.saturating_sub(1).min(16));
        let backoff = base.saturating_mul(factor).min(MAX_BACKOFF);
        // Jitter takes up to a quarter off, so feeds that failed together retry apart; the
        // wait never drops below the feed's own interval.
        let wait = scale(backoff, 1.0 - 0.25 * unit(jitter));
        self.next = later(now, wait.max(base));
        self.not_before = retry_after.map(|delay| later(now, delay.min(MAX_SERVER_DELAY)));
        self.respect_not_before();
    }

    /// "Refresh now" from the user: due at once, unless the server asked us to wait.
    pub fn hurry(&mut self, now: Instant) {
        self.next = now;
        self.respect_not_before();
    }

    pub fn is_due(&self, now: Instant) -> bool {
        self.next <= now
    }

    fn respect_not_before(&mut self) {
        if let Some(not_before) = self.not_before
            && self.next < not_before
        {
            self.next = not_before;
        }
    }
}

/// `interval` ± 10%, by `jitter` in `[0, 1)`.
fn spread(interval: Duration, jitter: f64) -> Duration {
    scale(interval, 1.0 + JITTER * (2.0 * unit(jitter) - 1.0))
}

/// `jitter` forced into `[0, 1]`; NaN (which `clamp` passes through) counts as the middle.
fn unit(jitter: f64) -> f64 {
    if jitter.is_nan() {
        0.5
    } else {
        jitter.clamp(0.0, 1.0)
    }
}

/// `duration × factor`, saturating: `Duration::mul_f64` panics on overflow.
fn scale(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor).unwrap_or(if factor > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// `now + delay`, saturating: an `Instant` past what the clock can hold would panic.
pub fn later(now: Instant, delay: Duration) -> Instant {
    now.checked_add(delay)
        .or_else(|| now.checked_add(MAX_SERVER_DELAY))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn success_schedules_the_interval_with_jitter_within_ten_percent() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        assert!(timer.is_due(start));
        timer.succeeded(start, None, 0.0);
        assert_eq!(timer.next - start, 9 * MINUTE);
        timer.succeeded(start, None, 0.5);
        assert_eq!(timer.next - start, 10 * MINUTE);
        assert!(!timer.is_due(start + 9 * MINUTE));
    }

    #[test]
    fn ttl_or_max_age_is_a_floor_only_when_larger() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        timer.succeeded(start, Some(60 * MINUTE), 0.5);
        assert_eq!(timer.next - start, 60 * MINUTE);
        timer.succeeded(start, Some(MINUTE), 0.5);
        assert_eq!(timer.next - start, 10 * MINUTE);
    }

    #[test]
    fn failures_back_off_exponentially_up_to_six_hours() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        let mut waits = Vec::new();
        for _ in 0..8 {
            timer.failed(start, None, 0.0);
            waits.push((timer.next - start).as_secs() / 60);
        }
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 360, 360]);
        timer.succeeded(start, None, 0.5);
        assert_eq!(timer.failures, 0);
        assert_eq!(timer.next - start, 10 * MINUTE);
    }

    #[test]
    fn retry_after_is_respected_even_by_refresh_now() {
        let start = Instant::now();
        let mut timer = Timer::new(MINUTE, MIN_HTTP_INTERVAL, start);
        timer.failed(start, Some(30 * MINUTE), 0.0);
        assert_eq!(timer.next - start, 30 * MINUTE);
        timer.hurry(start + MINUTE);
        assert_eq!(timer.next - start, 30 * MINUTE);
        timer.hurry(start + 31 * MINUTE);
        assert_eq!(timer.next - start, 31 * MINUTE);
    }

    #[test]
    fn jitter_out_of_range_is_clamped() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        timer.succeeded(start, None, 7.0);
        assert_eq!(timer.next - start, 11 * MINUTE);
        timer.failed(start, None, -3.0);
        assert_eq!(timer.next - start, 10 * MINUTE);
    }

    const DAY: Duration = Duration::from_secs(24 * 60 * 60);

    #[test]
    fn a_retry_after_of_u64_max_seconds_waits_a_week() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        timer.failed(start, Some(Duration::from_secs(u64::MAX)), 0.5);
        assert_eq!(timer.next - start, 7 * DAY);
        timer.failed(start, Some(Duration::MAX), 0.5);
        assert_eq!(timer.next - start, 7 * DAY);
        timer.hurry(start);
        assert_eq!(timer.next - start, 7 * DAY);
    }

    #[test]
    fn a_huge_max_age_or_ttl_is_a_floor_of_at_most_a_week() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        timer.succeeded(start, Some(Duration::from_secs(u64::MAX)), 0.5);
        assert_eq!(timer.next - start, 7 * DAY);
        assert_eq!(timer.effective_interval(), 7 * DAY);
        // Jitter still spreads it, and failing from there backs off no further than usual.
        timer.succeeded(start, Some(Duration::MAX), 0.999);
        assert!(timer.next - start <= 7 * DAY + 7 * DAY / 10);
        timer.failed(start, None, 0.0);
        assert_eq!(timer.next - start, MAX_BACKOFF);
    }

    #[test]
    fn nan_or_infinite_jitter_neither_panics_nor_escapes_the_range() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, MIN_HTTP_INTERVAL, start);
        timer.succeeded(start, None, f64::NAN);
        assert_eq!(timer.next - start, 10 * MINUTE);
        timer.succeeded(start, None, f64::INFINITY);
        assert_eq!(timer.next - start, 11 * MINUTE);
        timer.succeeded(start, None, f64::NEG_INFINITY);
        assert_eq!(timer.next - start, 9 * MINUTE);
        timer.failed(start, None, f64::NAN);
        assert_eq!(timer.next - start, 10 * MINUTE);
        timer.failed(start, Some(Duration::MAX), f64::INFINITY);
        assert_eq!(timer.next - start, 7 * DAY);
    }

    #[test]
    fn arithmetic_on_extreme_durations_saturates() {
        assert_eq!(scale(Duration::MAX, 2.0), Duration::MAX);
        assert_eq!(scale(Duration::MAX, f64::NAN), Duration::ZERO);
        assert_eq!(scale(MINUTE, -1.0), Duration::ZERO);
        let now = Instant::now();
        assert!(later(now, Duration::MAX) > now);
    }

    #[test]
    fn an_http_feed_never_refreshes_or_retries_faster_than_a_minute() {
        let start = Instant::now();
        let mut timer = Timer::new(Duration::from_millis(1), min_interval(true), start);
        timer.succeeded(start, None, 0.0);
        assert_eq!(timer.next - start, MINUTE);
        let mut waits = Vec::new();
        for _ in 0..4 {
            timer.failed(start, None, 0.0);
            waits.push((timer.next - start).as_secs());
        }
        assert_eq!(waits, [60, 120, 240, 480]);
        // A server asking for a shorter wait does not shorten the floor.
        timer.failed(start, Some(Duration::from_secs(1)), 1.0);
        assert!(timer.next - start >= MINUTE);
    }

    #[test]
    fn a_local_file_may_refresh_every_second_and_backs_off_from_there() {
        let start = Instant::now();
        let mut timer = Timer::new(Duration::from_millis(1), min_interval(false), start);
        timer.succeeded(start, None, 0.0);
        assert_eq!(timer.next - start, Duration::from_secs(1));
        let mut waits = Vec::new();
        for _ in 0..4 {
            timer.failed(start, None, 0.0);
            waits.push((timer.next - start).as_secs());
        }
        assert_eq!(waits, [1, 2, 4, 8]);
    }
}
