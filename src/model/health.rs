//! How a source is doing, and the news of one refresh: what the refresher sends the screen,
//! what the store keeps between runs, and what `print` reports.

use super::headline::ParsedFeed;
use chrono::{DateTime, Utc};

/// HTTP validators, kept exactly as the server sent them and sent back on the next request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// How a source is doing: what the status line, the sources view and `print` report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    pub last_success: Option<DateTime<Utc>>,
    /// One line.
    pub last_error: Option<String>,
    /// The last HTTP status, when there was a response.
    pub status: Option<u16>,
    pub next_attempt: Option<DateTime<Utc>>,
    /// No request before this: what a server's `Retry-After` asked for. Unlike the backoff
    /// in `next_attempt`, even a refresh asked for by hand (or `akhbar print`) waits for it.
    pub not_before: Option<DateTime<Utc>>,
    /// Headlines in the last good copy of the feed.
    pub items: usize,
    pub fetching: bool,
}

impl Health {
    pub fn is_failing(&self) -> bool {
        self.last_error.is_some()
    }

    /// Whether the source works but its latest copy lists no items: worth saying, though no
    /// failure.
    pub fn has_no_items(&self) -> bool {
        !self.is_failing() && self.last_success.is_some() && self.items == 0
    }
}

/// What happened to one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    Fetching,
    /// A new copy of the feed.
    Changed(Box<ParsedFeed>),
    /// 304: what we have is current.
    Unchanged,
    /// Keeps the last good headlines; the reason is in the health.
    Failed,
}

/// One source's news, sent to the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub index: usize,
    pub update: Update,
    pub health: Health,
}

/// What earlier runs left of a source (from the store): its validators, so an unchanged
/// feed costs a 304, and its health, so a server's `Retry-After` or a backoff outlives a
/// restart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seed {
    pub validators: Validators,
    pub health: Health,
}
