//! The commands that run without the screen besides `print` — [`watch`] and [`count`] — and
//! the rule the three share for which stories they show ([`Sieve`]).

pub mod count;
pub mod watch;

use crate::config::Config;
use crate::feed::{self, OwnedFeed, SourcedHeadline};
use crate::model::{Location, Source};
use crate::query::Query;
use crate::query::syntax::Clock;
use crate::store::CachedSource;
use crate::tui::state::query_matches;
use std::collections::{HashMap, HashSet};

/// Which stories a command without the screen shows: none that a `[[mute]]` or its feed's
/// own `mute` hides, and only those the filter matches — the screen's rule, so that a mute
/// hides a story everywhere.
#[derive(Debug, Clone, Default)]
pub struct Sieve {
    mutes: Vec<Query>,
    feed_mutes: HashMap<String, Query>,
    filter: Query,
    stem: bool,
}

impl Sieve {
    /// The config's mutes with `filter` (parsed with the config's `stem`).
    pub fn new(config: &Config, filter: Query) -> Self {
        Sieve {
            mutes: config.mutes.clone(),
            feed_mutes: feed_mutes(config),
            filter,
            stem: config.stem,
        }
    }

    /// Whether every story passes: no mute and no filter.
    pub fn is_empty(&self) -> bool {
        self.mutes.is_empty() && self.feed_mutes.is_empty() && self.filter.is_empty()
    }

    /// Whether `item` (`read` or not) is hidden by a mute at `clock`.
    pub fn is_muted(&self, item: &SourcedHeadline, read: bool, clock: &Clock) -> bool {
        let matches = |query: &Query| self.matches(query, item, read, clock);
        self.mutes.iter().any(matches) || self.feed_mutes.get(&*item.origin).is_some_and(matches)
    }

    /// Whether `item` (`read` or not) is shown at `clock`: not muted, and matched by the
    /// filter.
    pub fn shows(&self, item: &SourcedHeadline, read: bool, clock: &Clock) -> bool {
        !self.is_muted(item, read, clock) && self.matches(&self.filter, item, read, clock)
    }

    /// Whether `query` (a view's, say) matches `item`, with this sieve's stemming.
    pub fn matches(
        &self,
        query: &Query,
        item: &SourcedHeadline,
        read: bool,
        clock: &Clock,
    ) -> bool {
        query_matches(query, self.stem, item, read, clock)
    }
}

/// The stored stories of some sources, merged and de-duplicated as the screen shows them
/// (newest first), with their read marks.
#[derive(Debug, Default)]
pub struct StoredHeadlines {
    pub headlines: Vec<SourcedHeadline>,
    /// `(source key, headline id)` of the stories marked read.
    pub read: HashSet<(String, String)>,
}

impl StoredHeadlines {
    /// What `cache` (the store's, by source index) holds for `sources`.
    pub fn merge(sources: &[Source], cache: Vec<CachedSource>) -> Self {
        let mut read = HashSet::new();
        let feeds: Vec<OwnedFeed> = sources
            .iter()
            .zip(cache)
            .map(|(source, cached)| {
                let (feed, headlines) = crate::print::from_cache(Some(cached), &mut read);
                OwnedFeed::new(source, &feed, headlines)
            })
            .collect();
        StoredHeadlines {
            headlines: feed::merge_owned(feeds),
            read,
        }
    }

    pub fn is_read(&self, item: &SourcedHeadline) -> bool {
        self.read
            .contains(&(item.origin.to_string(), item.headline.id.clone()))
    }
}

/// Each feed's own `mute`, by its source's store key (the key its stories carry).
pub fn feed_mutes(config: &Config) -> HashMap<String, Query> {
    config
        .feeds
        .iter()
        .filter_map(|feed| {
            let mute = feed.mute.clone()?;
            let location = Location::parse(&feed.url).ok()?;
            Some((location.store_key(), mute))
        })
        .collect()
}

/// The local clock now, as queries read it (`since:2h`, `today`).
pub fn local_clock() -> Clock {
    let local = chrono::Local::now();
    Clock {
        now: local.to_utc(),
        utc_offset: *local.offset(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Headline;
    use std::sync::Arc;

    fn item(origin: &str, title: &str) -> SourcedHeadline {
        SourcedHeadline {
            source: "S".into(),
            origin: origin.into(),
            direction: crate::model::Direction::Auto,
            headline: Arc::new(Headline::sample(title, title)),
        }
    }

    #[test]
    fn mutes_and_a_feeds_own_mute_hide_and_the_filter_narrows() {
        let config = crate::config::parse(
            "[[mute]]\nquery = \"football\"\n[[feed]]\nurl = \"https://e.x/rss\"\nmute = \"horoscope\"\n",
            std::path::Path::new("c.toml"),
        )
        .unwrap();
        let sieve = Sieve::new(
            &config,
            Query::parse("gaza OR football OR horoscope").unwrap(),
        );
        let clock = local_clock();
        assert!(!sieve.is_empty());
        assert!(sieve.shows(&item("https://e.x/rss", "gaza news"), false, &clock));
        assert!(!sieve.shows(&item("https://e.x/rss", "football"), false, &clock));
        assert!(!sieve.shows(&item("https://e.x/rss", "horoscope"), false, &clock));
        assert!(sieve.shows(&item("https://other/rss", "horoscope"), false, &clock));
        assert!(!sieve.shows(&item("https://other/rss", "weather"), false, &clock));
        assert!(Sieve::default().shows(&item("x", "weather"), true, &clock));
    }
}
