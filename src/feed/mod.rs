//! The feed pipeline: bytes from a source become plain-text headlines.
//!
//! `fetch` gets the bytes, `decode` settles the charset, `parse` sniffs what they are and
//! hands them to `xml` (RSS, RDF and Atom, read leniently in one streaming pass) or `json`
//! (JSON Feed); both finish items the same way (`entry`), `date` reads the many date forms
//! found in the wild, and `merge` joins the headlines of several sources into one
//! newest-first list.

pub mod date;
pub mod decode;
pub mod entry;
pub mod fetch;
pub mod json;
pub mod json_line;
pub mod links;
pub mod merge;
pub mod model;
pub mod outcome;
pub mod page;
pub mod parse;
pub mod schedule;
pub mod xml;

pub use entry::BodySink;
pub use merge::{OwnedFeed, SourcedHeadline, merge, merge_owned};
pub use model::{Direction, Enclosure, Headline, ParsedFeed};
pub use parse::{ParseError, parse_feed};

use crate::model::{Location, PageRules, Source, Validators};
use chrono::{DateTime, Utc};
use fetch::{Fetch, FetchError, Fetched, Fetcher};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Why a source yielded no headlines, in one line.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A bug of ours (a panic) while loading this feed; the other feeds go on.
    #[error("internal error: {0}")]
    Internal(String),
    /// The source is a page, and the feed it advertises failed.
    #[error("the page's feed {feed}: {error}")]
    Advertised { feed: String, error: Box<LoadError> },
}

impl LoadError {
    /// The failed request behind this error, if one failed (an advertised feed's included).
    pub fn fetch_error(&self) -> Option<&FetchError> {
        match self {
            LoadError::Fetch(fetch) => Some(fetch),
            LoadError::Advertised { error, .. } => error.fetch_error(),
            _ => None,
        }
    }
}

/// What a conditional load found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Modified {
        feed: ParsedFeed,
        validators: Validators,
        max_age: Option<Duration>,
    },
    NotModified {
        max_age: Option<Duration>,
    },
}

/// Fetches and reads one source: a feed, or a page by its rules; with the source's own
/// HTTP settings.
pub async fn load(
    fetcher: &Fetcher,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, LoadError> {
    let fetched = fetcher.for_source(source).fetch(&source.location).await?;
    parse_fetched(fetched, &source.location, now, None, source.page.clone()).await
}

/// Fetches `source` with validators, with its own HTTP settings, and parses the feed if it
/// changed; with `bodies`, each item's body goes there instead of into its headline. A
/// page source is read by its rules instead.
pub async fn load_if_modified(
    fetcher: &Fetcher,
    source: &Source,
    validators: &Validators,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Result<Loaded, LoadError> {
    let fetcher = &fetcher.for_source(source);
    let (location, page) = (&source.location, source.page.clone());
    match fetcher.fetch_if_modified(location, validators).await? {
        Fetch::NotModified { max_age } => Ok(Loaded::NotModified { max_age }),
        Fetch::Modified(fetched) => {
            let (validators, max_age) = (fetched.validators.clone(), fetched.max_age);
            let site = fetched.url.clone().or_else(|| location.base_url());
            match parse_fetched(fetched, location, now, bodies.clone(), page).await {
                Err(LoadError::Parse(ParseError::Page {
                    links_to: Some(feed_url),
                })) => {
                    tracing::debug!(page = %location, feed = %feed_url, "a page: reading the feed it links to");
                    load_advertised(fetcher, &feed_url, now, bodies).await
                }
                // A page that advertises no feed: its site's usual feed, if it has one.
                Err(LoadError::Parse(ParseError::Page { links_to: None }))
                    if let Some(site) = site.filter(|url| url.scheme().starts_with("http"))
                        && let Some(found) =
                            feeds_at_usual_paths(fetcher, &site, now, 1).await.pop() =>
                {
                    tracing::debug!(page = %location, feed = %found.url, "a page: reading its site's feed");
                    load_advertised(fetcher, &found.url, now, bodies).await
                }
                feed => Ok(Loaded::Modified {
                    feed: feed?,
                    validators,
                    max_age,
                }),
            }
        }
    }
}

/// Where sites usually keep their feed, tried in this order on a page that links to none.
pub const USUAL_PATHS: [&str; 6] = [
    "/feed",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
];

/// The feeds found at the [`USUAL_PATHS`] of `site`, in that order, at most `wanted` of
/// them; only what reads as a feed counts (a missing path is the usual answer).
pub async fn feeds_at_usual_paths(
    fetcher: &Fetcher,
    site: &Url,
    now: DateTime<Utc>,
    wanted: usize,
) -> Vec<links::Found> {
    let mut found = Vec::new();
    for path in USUAL_PATHS {
        if found.len() >= wanted {
            break;
        }
        let Ok(candidate) = site.join(path) else {
            continue;
        };
        let Ok(fetched) = fetcher.fetch(&Location::Http(candidate.clone())).await else {
            continue;
        };
        if let Ok(feed) = parse_feed(
            &fetched.bytes,
            fetched.content_type.as_deref(),
            Some(&candidate),
            now,
        ) {
            found.push(links::Found {
                url: candidate.to_string(),
                title: Some(feed.title).filter(|title| !title.is_empty()),
            });
        }
    }
    found
}

/// A page given where a feed belongs: the feed it advertises is read in its place, once
/// (a page that leads to another page is an error), and without validators, since the
/// page's say nothing of the feed's.
async fn load_advertised(
    fetcher: &Fetcher,
    feed_url: &str,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Result<Loaded, LoadError> {
    let advertised = |error: LoadError| LoadError::Advertised {
        feed: feed_url.to_owned(),
        error: Box::new(error),
    };
    let location = Location::parse(feed_url)
        .map_err(|error| advertised(LoadError::Parse(ParseError::NotAFeed(error.to_string()))))?;
    let fetched = fetcher
        .fetch(&location)
        .await
        .map_err(|error| advertised(error.into()))?;
    let max_age = fetched.max_age;
    let feed = parse_fetched(fetched, &location, now, bodies, None)
        .await
        .map_err(advertised)?;
    Ok(Loaded::Modified {
        feed,
        validators: Validators::default(),
        max_age,
    })
}

/// Parsing runs off the async threads since a big feed takes milliseconds of CPU.
async fn parse_fetched(
    fetched: Fetched,
    location: &Location,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
    page: Option<Arc<PageRules>>,
) -> Result<ParsedFeed, LoadError> {
    let base = fetched.url.clone().or_else(|| location.base_url());
    tokio::task::spawn_blocking(move || match page {
        Some(rules) => page::parse_page(
            &fetched.bytes,
            fetched.content_type.as_deref(),
            &rules,
            base.as_ref(),
            now,
            rules
                .zone
                .and_then(chrono::FixedOffset::east_opt)
                .unwrap_or_else(|| chrono::Local::now().fixed_offset().timezone()),
        ),
        None => parse::parse_feed_owned(
            fetched.bytes,
            fetched.content_type.as_deref(),
            base.as_ref(),
            now,
            bodies,
        ),
    })
    .await
    .map_err(|error| LoadError::Internal(crate::panic::reason(error)))?
    .map_err(LoadError::from)
}
