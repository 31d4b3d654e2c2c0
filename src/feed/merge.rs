//! Joins the headlines of several sources into one newest-first list without duplicates.

use crate::model::{Direction, Headline, ParsedFeed, Source};
use std::collections::HashSet;
use std::sync::Arc;

/// A headline with the display name of the source it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedHeadline {
    /// Shared by every story of the source: a copy per story would cost more than a small
    /// story itself.
    pub source: Arc<str>,
    /// The source's key in the store ([`crate::source::Location::store_key`]): with the
    /// headline's id, the story's identity across runs.
    pub origin: Arc<str>,
    /// The source's `direction` setting, for laying out its text.
    pub direction: Direction,
    /// Shared with the source's own list, so that merging thousands of stories again after
    /// each refresh copies pointers, not text.
    pub headline: Arc<Headline>,
}

/// The name shown for a source: the configured name, else the feed's title, else its location.
pub fn source_name(source: &Source, feed: &ParsedFeed) -> String {
    let configured = source
        .name
        .as_deref()
        .map(crate::text::sanitize::clean_line);
    match configured {
        Some(name) if !name.is_empty() => name,
        _ if !feed.title.is_empty() => feed.title.clone(),
        _ => crate::text::sanitize::clean_line(&source.location.to_string()),
    }
}

/// Merges per-source results, newest first. A story that appears twice (same link, or the same
/// identity within one source) is kept once, from the first source that has it.
///
/// Each feed comes as its source, its metadata and its stories.
pub fn merge<'a>(
    feeds: impl IntoIterator<Item = (&'a Source, &'a ParsedFeed, &'a [Arc<Headline>])>,
) -> Vec<SourcedHeadline> {
    merge_owned(
        feeds
            .into_iter()
            .map(|(source, feed, stories)| OwnedFeed::shared(source, feed, stories.to_vec())),
    )
}

/// One source's headlines, moved into [`merge_owned`].
#[derive(Debug, Clone)]
pub struct OwnedFeed {
    pub name: Arc<str>,
    pub origin: Arc<str>,
    pub direction: Direction,
    pub headlines: Vec<Arc<Headline>>,
}

impl OwnedFeed {
    /// `headlines` under the name `source` gets with `feed`'s title.
    pub fn new(source: &Source, feed: &ParsedFeed, headlines: Vec<Headline>) -> Self {
        Self::shared(source, feed, share(headlines))
    }

    /// [`OwnedFeed::new`] for stories already shared.
    pub fn shared(source: &Source, feed: &ParsedFeed, headlines: Vec<Arc<Headline>>) -> Self {
        OwnedFeed {
            name: source_name(source, feed).into(),
            origin: source.location.store_key().into(),
            direction: source.direction,
            headlines,
        }
    }
}

/// Every headline behind its own `Arc`, without holding the whole list twice: a plain
/// `collect` would keep the old buffer (reused in place, at its full size) for as long as the
/// new list lives, and a copy would hold both lists at once. Moved from the end a block at a
/// time, the old buffer shrinks as the shared list grows.
fn share(mut headlines: Vec<Headline>) -> Vec<Arc<Headline>> {
    const BLOCK: usize = 4096;
    let mut shared = Vec::with_capacity(headlines.len());
    while !headlines.is_empty() {
        let from = headlines.len().saturating_sub(BLOCK);
        shared.extend(headlines.drain(from..).rev().map(Arc::new));
        headlines.shrink_to_fit();
    }
    shared.reverse();
    shared
}

/// [`merge`] for callers that are done with the feeds: the headlines are moved in, so a
/// big feed is never held twice.
pub fn merge_owned(feeds: impl IntoIterator<Item = OwnedFeed>) -> Vec<SourcedHeadline> {
    let feeds: Vec<OwnedFeed> = feeds.into_iter().collect();
    // Which stories stay is decided first, with sets that borrow the links and ids: a copy
    // of each would cost more than the story itself in a feed of 100,000 small items.
    let keep: Vec<Vec<bool>> = {
        let mut seen_links = HashSet::new();
        let mut seen_ids = HashSet::new();
        feeds
            .iter()
            .enumerate()
            .map(|(index, feed)| {
                feed.headlines
                    .iter()
                    .map(|headline| {
                        headline
                            .link
                            .as_deref()
                            .is_none_or(|link| seen_links.insert(link))
                            && seen_ids.insert((index, headline.id.as_str()))
                    })
                    .collect()
            })
            .collect()
    };
    let total = keep.iter().flatten().filter(|&&kept| kept).count();
    // Sorted as (story, position) pairs, a third of the size of a merged story: the position
    // in feed order breaks ties, so an unstable sort, which needs no scratch copy of the list,
    // keeps ties as the feeds list them. Which feed a position is in is found from where each
    // feed's positions start.
    let mut order: Vec<(Arc<Headline>, usize)> = Vec::with_capacity(total);
    let mut sources = Vec::with_capacity(feeds.len());
    for (feed, keep) in feeds.into_iter().zip(keep) {
        let OwnedFeed {
            name,
            origin,
            direction,
            headlines,
        } = feed;
        sources.push((order.len(), name, origin, direction));
        let kept = headlines.into_iter().zip(keep).filter(|(_, kept)| *kept);
        for (headline, _) in kept {
            let position = order.len();
            order.push((headline, position));
        }
    }
    order.sort_unstable_by_key(|(headline, position)| {
        (std::cmp::Reverse(headline.published), *position)
    });
    let mut merged = Vec::with_capacity(total);
    for (headline, position) in order {
        let feed = sources
            .partition_point(|(start, ..)| *start <= position)
            .saturating_sub(1);
        if let Some((_, name, origin, direction)) = sources.get(feed) {
            merged.push(SourcedHeadline {
                source: name.clone(),
                origin: origin.clone(),
                direction: *direction,
                headline,
            });
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use chrono::{TimeZone, Utc};

    fn headline(id: &str, link: Option<&str>, hour: u32) -> Headline {
        Headline {
            id: id.into(),
            title: format!("story {id}"),
            link: link.map(str::to_owned),
            published: Utc.with_ymd_and_hms(2023, 10, 22, hour, 0, 0).unwrap(),
            dated: true,
            titled: true,
            summary: String::new(),
            body_html: None,
            language: None,
            author: None,
            enclosures: Vec::new(),
        }
    }

    fn feed(title: &str, headlines: Vec<Headline>) -> ParsedFeed {
        ParsedFeed {
            title: title.into(),
            headlines,
            ..ParsedFeed::default()
        }
    }

    #[test]
    fn merged_list_is_newest_first_without_duplicates() {
        let a = Source::new(Location::File("a.xml".into()));
        let mut b = Source::new(Location::File("b.xml".into()));
        b.name = Some("Bee".into());
        let feed_a = feed(
            "Feed A",
            vec![
                headline("1", Some("https://x/1"), 1),
                headline("2", None, 5),
                headline("2", None, 5),
            ],
        );
        let feed_b = feed(
            "Feed B",
            vec![
                headline("9", Some("https://x/1"), 9),
                headline("3", None, 3),
            ],
        );
        let stories = |feed: &ParsedFeed| -> Vec<Arc<Headline>> {
            feed.headlines.iter().cloned().map(Arc::new).collect()
        };
        let (stories_a, stories_b) = (stories(&feed_a), stories(&feed_b));
        let merged = merge([(&a, &feed_a, &stories_a[..]), (&b, &feed_b, &stories_b[..])]);
        let order: Vec<_> = merged
            .iter()
            .map(|item| (&*item.source, item.headline.id.as_str()))
            .collect();
        assert_eq!(order, [("Feed A", "2"), ("Bee", "3"), ("Feed A", "1")]);
    }

    #[test]
    fn ties_keep_feed_order_and_their_source_past_an_empty_feed() {
        let named = |name: &str| {
            let mut source = Source::new(Location::File(format!("{name}.xml").into()));
            source.name = Some(name.into());
            source
        };
        let (a, empty, c) = (named("A"), named("Empty"), named("C"));
        let nothing = ParsedFeed::default();
        let a_stories = [headline("a1", None, 4), headline("a2", None, 4)];
        let c_stories = [headline("c1", None, 4), headline("c2", None, 6)];
        let merged = merge_owned([
            OwnedFeed::new(&a, &nothing, a_stories.to_vec()),
            OwnedFeed::new(&empty, &nothing, Vec::new()),
            OwnedFeed::new(&c, &nothing, c_stories.to_vec()),
        ]);
        let order: Vec<_> = merged
            .iter()
            .map(|item| (&*item.source, item.headline.id.as_str()))
            .collect();
        assert_eq!(order, [("C", "c2"), ("A", "a1"), ("A", "a2"), ("C", "c1")]);
    }

    #[test]
    fn sharing_a_long_list_keeps_its_order() {
        let headlines: Vec<Headline> = (0..10_000)
            .map(|i| headline(&i.to_string(), None, 1))
            .collect();
        let shared = share(headlines.clone());
        assert!(shared.iter().map(|h| &**h).eq(headlines.iter()));
    }

    #[test]
    fn a_source_without_name_or_title_is_named_by_its_location() {
        let source = Source::new(Location::File("feeds/x.xml".into()));
        assert_eq!(source_name(&source, &ParsedFeed::default()), "feeds/x.xml");
    }
}
