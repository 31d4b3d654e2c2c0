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
use url::Url;

/// A story whose feed text is shorter than this many words is worth fetching its page for.
pub const SHORT_TEXT_WORDS: usize = 60;

/// Story pages fetched at once (the fetcher's per-host limit applies too).
const CONCURRENT_PAGES: usize = 4;

/// Fetches the page at `link` with `fetcher` (its User-Agent, timeouts and size cap) and
/// extracts its article: where `selector` says (a page source's `article`), else by
/// readability. The error is one line.
pub async fn fetch_page(
    fetcher: &Fetcher,
    link: &str,
    selector: Option<String>,
) -> Result<Page, String> {
    let url = Url::parse(link).map_err(|error| format!("not a web address ({error})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("not a web address".to_owned());
    }
    let fetched = fetcher
        .fetch(&Location::Http(url.clone()))
        .await
        .map_err(|error| error.to_string())?;
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
    let fetched: Vec<_> = futures_util::stream::iter(wanted)
        .map(|(key, link, selector)| async move {
            let page = fetch_page(fetcher, &link, selector).await;
            (key, link, page)
        })
        .buffer_unordered(CONCURRENT_PAGES)
        .collect()
        .await;
    let now = Utc::now();
    for (key, link, page) in fetched {
        match page {
            Ok(page) => {
                if let Some(store) = store.as_deref_mut()
                    && let Err(error) = store.save_article(&key.0, &key.1, &page, now)
                {
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
