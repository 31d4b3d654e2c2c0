//! How many headlines are kept, and for how long: one rule for the store and the screen.

use std::time::Duration;

/// The `keep` and `max_per_feed` settings. A source keeps every item of its latest copy,
/// and of the items gone from it at most the newest that bring it to `max_per_feed`, none
/// last seen longer than `keep` ago (see [`crate::store::Store::prune`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub keep: Duration,
    pub max_per_feed: usize,
}

impl Default for Retention {
    /// The config file's defaults: 30 days, 500 per feed.
    fn default() -> Self {
        Self {
            keep: Duration::from_secs(30 * 24 * 60 * 60),
            max_per_feed: 500,
        }
    }
}
