//! Finding a site's feed from any of its pages, for `akhbar add URL`.
//!
//! A URL that serves a feed is that feed. A page is searched for the feeds it advertises
//! (`<link rel="alternate">` with an RSS, Atom or JSON Feed type, in document order); a page
//! that advertises none has the usual places on its site tried (`/feed`, `/rss`, …), each
//! kept only if what it serves reads as a feed. Every request goes through the same
//! [`Fetcher`] as the refresher's: its User-Agent, timeouts, redirect and size limits.

use crate::feed::decode;
use crate::feed::fetch::{FetchError, Fetcher};
pub use crate::feed::links::{Found, feed_links};
use crate::feed::{ParseError, parse_feed};
use crate::model::Location;
use chrono::Utc;

pub use crate::feed::USUAL_PATHS;

/// How the feeds were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovered {
    /// The URL given serves a feed itself.
    Itself(Found),
    /// The page links to these feeds.
    Linked(Vec<Found>),
    /// The page links to none; these usual paths of its site serve one.
    AtUsualPaths(Vec<Found>),
}

impl Discovered {
    pub fn feeds(&self) -> &[Found] {
        match self {
            Discovered::Itself(found) => std::slice::from_ref(found),
            Discovered::Linked(feeds) | Discovered::AtUsualPaths(feeds) => feeds,
        }
    }
}

/// Why no feed could be found.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{url}: {error}")]
    Fetch { url: String, error: FetchError },
    #[error(
        "{url}: no feed found: the page links to none, and none of {} on its site serves one; \
         a page without a feed can be read with a [feed.html] table of CSS selectors",
        USUAL_PATHS.join(", ")
    )]
    NoFeed { url: String },
    #[error("{url}: {error}")]
    NotAPage { url: String, error: ParseError },
}

/// Finds the feeds at `location` (see the module doc).
pub async fn discover(fetcher: &Fetcher, location: &Location) -> Result<Discovered, DiscoverError> {
    let shown = location.to_string();
    let fetched = fetcher
        .fetch(location)
        .await
        .map_err(|error| DiscoverError::Fetch {
            url: shown.clone(),
            error,
        })?;
    let base = fetched.url.clone().or_else(|| location.base_url());
    let now = Utc::now();
    let content_type = fetched.content_type.as_deref();
    match parse_feed(&fetched.bytes, content_type, base.as_ref(), now) {
        Ok(feed) => {
            return Ok(Discovered::Itself(Found {
                url: shown,
                title: Some(feed.title).filter(|title| !title.is_empty()),
            }));
        }
        // A page served as a feed reads as one too; only a body that is neither says so.
        Err(ParseError::Page { .. }) => {}
        Err(ParseError::NotAFeed(_)) if looks_like_html(&fetched.bytes, content_type) => {}
        Err(error) => return Err(DiscoverError::NotAPage { url: shown, error }),
    }
    let page = decode::decode(&fetched.bytes, content_type).text;
    let linked = feed_links(&page, base.as_ref());
    if !linked.is_empty() {
        return Ok(Discovered::Linked(linked));
    }
    let Some(site) = base.filter(|url| matches!(url.scheme(), "http" | "https")) else {
        return Err(DiscoverError::NoFeed { url: shown });
    };
    let found = crate::feed::feeds_at_usual_paths(fetcher, &site, now, usize::MAX).await;
    if found.is_empty() {
        return Err(DiscoverError::NoFeed { url: shown });
    }
    Ok(Discovered::AtUsualPaths(found))
}

/// Whether `bytes` are an HTML page: served as one, or starting like one.
fn looks_like_html(bytes: &[u8], content_type: Option<&str>) -> bool {
    if content_type.is_some_and(|mime| mime.to_ascii_lowercase().contains("html")) {
        return true;
    }
    let head = bytes.get(..1024).unwrap_or(bytes);
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    text.starts_with("<!doctype html")
        || text.starts_with("<html")
        || text.contains("<head")
        || text.contains("<body")
}
