//! When each feed is fetched next: its interval, floors from `<ttl>` and `max-age`, jitter,
//! exponential backoff after failures and `Retry-After`. Pure: time and randomness come in.

use std::time::Duration;
use tokio::time::Instant;

/// The longest a failing feed waits between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);

/// Share of an interval that jitter may add or remove, so feeds drift apart.
const JITTER: f64 = 0.1;

/// One feed's timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// The configured interval.
    pub interval: Duration,
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
    /// A timer whose first attempt is due at `first`.
    pub fn new(interval: Duration, first: Instant) -> Self {
        Self {
            interval,
            floor: None,
            failures: 0,
            not_before: None,
            next: first,
        }
    }

    /// The interval in force while the feed works: the configured one, or the floor if larger.
    pub fn effective_interval(&self) -> Duration {
        self.floor
            .map_or(self.interval, |floor| floor.max(self.interval))
    }

    /// `jitter` is uniform in `[0, 1)`.
    pub fn succeeded(&mut self, now: Instant, floor: Option<Duration>, jitter: f64) {
        self.failures = 0;
        self.floor = floor;
        self.next = now + spread(self.effective_interval(), jitter);
        self.respect_not_before();
    }

    /// After a failed attempt: exponential backoff from the interval up to [`MAX_BACKOFF`],
    /// never earlier than `retry_after` allows.
    pub fn failed(&mut self, now: Instant, retry_after: Option<Duration>, jitter: f64) {
        self.failures = self.failures.saturating_add(1);
        let base = self.effective_interval().min(MAX_BACKOFF);
        let factor = 2u32.saturating_pow(self.failures.saturating_sub(1).min(16));
        let backoff = base.saturating_mul(factor).min(MAX_BACKOFF);
        // Jitter takes up to a quarter off, so feeds that failed together retry apart; the
        // wait never drops below the feed's own interval.
        let wait = backoff.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0));
        self.next = now + wait.max(base);
        self.not_before = retry_after.map(|delay| now + delay);
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
    let factor = 1.0 + JITTER * (2.0 * jitter.clamp(0.0, 1.0) - 1.0);
    interval.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn success_schedules_the_interval_with_jitter_within_ten_percent() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, start);
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
        let mut timer = Timer::new(10 * MINUTE, start);
        timer.succeeded(start, Some(60 * MINUTE), 0.5);
        assert_eq!(timer.next - start, 60 * MINUTE);
        timer.succeeded(start, Some(MINUTE), 0.5);
        assert_eq!(timer.next - start, 10 * MINUTE);
    }

    #[test]
    fn failures_back_off_exponentially_up_to_six_hours() {
        let start = Instant::now();
        let mut timer = Timer::new(10 * MINUTE, start);
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
        let mut timer = Timer::new(MINUTE, start);
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
        let mut timer = Timer::new(10 * MINUTE, start);
        timer.succeeded(start, None, 7.0);
        assert_eq!(timer.next - start, 11 * MINUTE);
        timer.failed(start, None, -3.0);
        assert_eq!(timer.next - start, 10 * MINUTE);
    }
}
