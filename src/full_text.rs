//! Full articles for stories whose feed gives little text: the one the store keeps, else
//! the story's page fetched once, its article extracted ([`crate::article::extract_page`])
//! and kept.

use crate::article::{Page, extract_page, extract_selected, paragraphs_text};
use crate::feed::SourcedHeadline;
use crate::feed::fetch::Fetcher;
use crate::model::{FullText, Location, Source};
use crate::store::Store;
use chrono::Utc;
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use url::Url;

/// A story whose feed text is shorter than this many words is worth fetching its page for.
pub const SHORT_TEXT_WORDS: usize = 60;

/// Story pages fetched at once (the fetcher's per-host limit applies too).
const CONCURRENT_PAGES: usize = 4;

/// Hosts whose server asked (429 or 503 with `Retry-After`) for no request before a time,
/// as the refresher holds back a feed: no story page of theirs is fetched until then.
/// Cheap to clone; clones share the holds.
#[derive(Debug, Clone, Default)]
pub struct HostHolds(Arc<Mutex<HashMap<String, Instant>>>);

impl HostHolds {
    fn holds(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // A panic elsewhere while holding the lock leaves a map that is still whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long `host` is still held, if it is.
    pub fn held(&self, host: &str) -> Option<Duration> {
        let until = *self.holds().get(host)?;
        until
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    /// Holds `host` for `wait` from now (a later hold wins over an earlier one).
    pub fn hold(&self, host: &str, wait: Duration) {
        let until = Instant::now()
            .checked_add(wait)
            .unwrap_or_else(Instant::now);
        let mut holds = self.holds();
        let entry = holds.entry(host.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
    }
}

/// Fetches the page at `link` with `fetcher` (its User-Agent, timeouts and size cap) and
/// extracts its article: where `selector` says (a page source's `article`), else by
/// readability. A host that asked to be left alone (see [`HostHolds`]) is not asked. The
/// error is one line.
pub async fn fetch_page(
    fetcher: &Fetcher,
    link: &str,
    selector: Option<String>,
    holds: &HostHolds,
) -> Result<Page, String> {
    let page = fetch_page_unlogged(fetcher, link, selector, holds).await;
    match &page {
        Ok(_) => tracing::debug!(%link, "full text: article extracted"),
        Err(reason) => tracing::warn!(%link, "full text: no article: {reason}"),
    }
    page
}

async fn fetch_page_unlogged(
    fetcher: &Fetcher,
    link: &str,
    selector: Option<String>,
    holds: &HostHolds,
) -> Result<Page, String> {
    let url = Url::parse(link).map_err(|error| format!("not a web address ({error})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("not a web address".to_owned());
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    if let Some(left) = holds.held(&host) {
        return Err(format!(
            "not fetched: its server asked for no request for another {} s",
            left.as_secs().max(1)
        ));
    }
    let fetched = match fetcher.fetch(&Location::Http(url.clone())).await {
        Ok(fetched) => fetched,
        Err(error) => {
            if let Some(wait) = error.retry_after() {
                holds.hold(&host, wait);
            }
            return Err(error.to_string());
        }
    };
    let base = fetched.url.unwrap_or(url);
    // Extraction is CPU work of a few milliseconds; it stays off the fetching threads.
    tokio::task::spawn_blocking(move || {
        let content_type = fetched.content_type.as_deref();
        match &selector {
            Some(selector) => extract_selected(&fetched.bytes, content_type, Some(&base), selector),
            None => extract_page(&fetched.bytes, content_type, Some(&base)),
        }
    })
    .await
    .map_err(|_| "the extraction stopped".to_owned())?
    .map_err(|error| error.to_string())
}

/// The fetcher for each source's story pages: with the source's own HTTP settings (user
/// agent, headers, proxy; its login only on its own site), else the shared one.
#[derive(Debug, Clone)]
pub struct FeedFetchers {
    shared: Fetcher,
    /// By source key, for the sources that have settings of their own.
    own: HashMap<String, Fetcher>,
}

impl FeedFetchers {
    pub fn new(fetcher: &Fetcher, sources: &[Source]) -> Self {
        let own = sources
            .iter()
            .filter(|source| source.http.is_some())
            .map(|source| (source.location.store_key(), fetcher.for_source(source)))
            .collect();
        Self {
            shared: fetcher.clone(),
            own,
        }
    }

    /// The fetcher for a story of the source whose key is `origin`.
    pub fn for_origin(&self, origin: &str) -> &Fetcher {
        self.own.get(origin).unwrap_or(&self.shared)
    }
}

/// Whether `text` (HTML or plain) has fewer than [`SHORT_TEXT_WORDS`] words.
pub fn is_short(text: &str) -> bool {
    crate::text::sanitize::plain_text(text)
        .split_whitespace()
        .nth(SHORT_TEXT_WORDS - 1)
        .is_none()
}

/// The full text found for stories, by `(source key, headline id)`.
#[derive(Debug, Default)]
pub struct Contents {
    /// Plain text, paragraphs separated by blank lines.
    pub by_story: HashMap<(String, String), String>,
    /// `(link, reason)` per page that gave no article.
    pub failures: Vec<(String, String)>,
    /// Problems with the store, one line each.
    pub store_errors: Vec<String>,
}

impl Contents {
    /// Keeps the text of `page` for the story `key`, unless it has none (an article of
    /// images only).
    fn insert(&mut self, key: (String, String), page: &Page) {
        let text = paragraphs_text(&page.article);
        if !text.is_empty() {
            self.by_story.insert(key, text);
        }
    }
}

/// The full text of each of `headlines` that has one: the article `store` keeps, else
/// (unless `offline`) for a story with a link whose body, else summary, is short, its page
/// fetched once, a few at a time, and the article kept in `store`. A page that fails is
/// not fetched again this run. `sources` say how (see [`FullText`]): a source set to
/// `never` has no page read, and a page source's `article` selector is used on its pages.
pub async fn contents(
    fetcher: &Fetcher,
    mut store: Option<&mut Store>,
    sources: &[Source],
    headlines: &[SourcedHeadline],
    offline: bool,
) -> Contents {
    let how: HashMap<String, (FullText, Option<String>)> = sources
        .iter()
        .map(|source| {
            let selector = source.page.as_ref().and_then(|rules| rules.article.clone());
            (source.location.store_key(), (source.full_text, selector))
        })
        .collect();
    let fetchers = FeedFetchers::new(fetcher, sources);
    let mut contents = Contents::default();
    let mut seen = HashSet::new();
    let mut wanted = Vec::new();
    for item in headlines {
        let (full_text, selector) = how.get(&*item.origin).cloned().unwrap_or_default();
        if full_text == FullText::Never {
            continue;
        }
        let key = (item.origin.to_string(), item.headline.id.clone());
        if !seen.insert(key.clone()) {
            continue;
        }
        let stored = store
            .as_deref()
            .map(|store| store.load_article(&key.0, &key.1));
        match stored {
            Some(Ok(Some(stored))) => {
                contents.insert(key, &stored.page);
                continue;
            }
            Some(Err(error)) => contents.store_errors.push(error.to_string()),
            Some(Ok(None)) | None => {}
        }
        let Some(link) = item.headline.link.clone() else {
            continue;
        };
        if offline {
            continue;
        }
        let body = match &item.headline.body_html {
            Some(body) => Some(body.clone()),
            None => store
                .as_deref()
                .and_then(|store| store.load_body(&key.0, &key.1).ok().flatten()),
        };
        if is_short(body.as_deref().unwrap_or(&item.headline.summary)) {
            wanted.push((key, link, selector));
        }
    }
    // One host's pages one after another, a few hosts at a time: a server that asks for a
    // pause is not sent the rest of its pages meanwhile.
    let mut by_host: Vec<(String, Vec<_>)> = Vec::new();
    for (key, link, selector) in wanted {
        let host = Url::parse(&link)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_default();
        match by_host.iter_mut().find(|(known, _)| *known == host) {
            Some((_, stories)) => stories.push((key, link, selector)),
            None => by_host.push((host, vec![(key, link, selector)])),
        }
    }
    let holds = HostHolds::default();
    let fetched: Vec<_> = futures_util::stream::iter(by_host)
        .map(|(_, stories)| {
            let holds = holds.clone();
            let fetchers = &fetchers;
            async move {
                let mut pages = Vec::with_capacity(stories.len());
                for (key, link, selector) in stories {
                    let fetcher = fetchers.for_origin(&key.0);
                    let page = fetch_page(fetcher, &link, selector, &holds).await;
                    pages.push((key, link, page));
                }
                pages
            }
        })
        .buffer_unordered(CONCURRENT_PAGES)
        .collect()
        .await;
    let now = Utc::now();
    for (key, link, page) in fetched.into_iter().flatten() {
        match page {
            Ok(page) => {
                if let Some(store) = store.as_deref_mut()
                    && let Err(error) = store.save_article(&key.0, &key.1, &page, now)
                {
                    tracing::error!("store write failed: {error}");
                    contents.store_errors.push(error.to_string());
                }
                contents.insert(key, &page);
            }
            Err(reason) => contents.failures.push((link, reason)),
        }
    }
    contents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_host_stays_held_until_its_time_and_a_later_hold_wins() {
        let holds = HostHolds::default();
        assert_eq!(holds.held("a.example"), None);
        holds.hold("a.example", Duration::from_secs(120));
        holds.clone().hold("a.example", Duration::from_secs(1));
        let left = holds.held("a.example").unwrap();
        assert!(left > Duration::from_secs(100), "{left:?}");
        assert_eq!(holds.held("b.example"), None);
        holds.hold("c.example", Duration::ZERO);
        assert_eq!(holds.held("c.example"), None, "a hold that ended");
    }

    #[test]
    fn short_means_fewer_than_sixty_words_of_text() {
        let words = |count: usize| vec!["word"; count].join(" ");
        assert!(is_short(""));
        assert!(is_short(&words(59)));
        assert!(!is_short(&words(60)));
        // Markup is not words.
        let html = format!("<p class=\"a b c\">{}</p>", words(59));
        assert!(is_short(&html));
    }
}
