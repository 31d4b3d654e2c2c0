//! The feed pipeline: bytes from a source become plain-text headlines.
//!
//! `fetch` gets the bytes, `decode` settles the charset, `repair` mends broken XML so that
//! `parse` (feed-rs underneath) can read it, `date` reads the many date forms found in the wild,
//! and `merge` joins the headlines of several sources into one newest-first list.

pub mod date;
pub mod decode;
pub mod fetch;
pub mod merge;
pub mod model;
pub mod parse;
pub mod repair;

pub use merge::{SourcedHeadline, merge};
pub use model::{Direction, Headline, ParsedFeed};
pub use parse::{ParseError, parse_feed};

use crate::source::Location;
use chrono::{DateTime, Utc};
use fetch::{FetchError, Fetcher};

/// Why a source yielded no headlines, in one line.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("parser stopped unexpectedly")]
    Crashed,
}

/// Fetches and parses one feed; parsing runs off the async threads since a big feed takes
/// milliseconds of CPU.
pub async fn load(
    fetcher: &Fetcher,
    location: &Location,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, LoadError> {
    let fetched = fetcher.fetch(location).await?;
    let base = fetched.url.clone().or_else(|| location.base_url());
    let parsed = tokio::task::spawn_blocking(move || {
        parse_feed(
            &fetched.bytes,
            fetched.content_type.as_deref(),
            base.as_ref(),
            now,
        )
    })
    .await
    .map_err(|_| LoadError::Crashed)??;
    Ok(parsed)
}
