//! The `akhbar count` command: how many stored stories are unread, in all and in each
//! `[[view]]`, for a status bar — read from the store, without a request or a write.

use super::{Sieve, StoredHeadlines};
use crate::cli::CountFormat;
use crate::config::ViewConfig;
use crate::model::Source;
use crate::query::syntax::Clock;
use crate::store::{CachedSource, Store, StoreError};
use crate::text::sanitize::clean_line;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::io::{self, Write};
use std::path::Path;

/// Unread stories that pass the sieve: in all, and in each view by name, in the config's
/// order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub unread: usize,
    pub views: Vec<(String, usize)>,
}

/// What the store at `path` holds for `sources`, read as it is (no upgrade, no write, so a
/// status bar asking every few seconds never competes with the screen's writes). No file
/// yet is no story yet: nothing at all, and no error.
pub fn stored(path: Option<&Path>, sources: &[Source]) -> Result<Vec<CachedSource>, StoreError> {
    let Some(path) = path.filter(|path| path.is_file()) else {
        return Ok(Vec::new());
    };
    let keys: Vec<String> = sources
        .iter()
        .map(|source| source.location.store_key())
        .collect();
    Store::open_read_only(path)?.load(&keys)
}

/// Counts the unread stories of `stored` (merged and de-duplicated as the screen shows them)
/// that `sieve` lets through at `clock`, and, of those, the ones each view matches.
pub fn count(
    stored: &StoredHeadlines,
    views: &[ViewConfig],
    sieve: &Sieve,
    clock: &Clock,
) -> Counts {
    let mut counts = Counts {
        unread: 0,
        views: views.iter().map(|view| (view.name.clone(), 0)).collect(),
    };
    for item in &stored.headlines {
        if stored.is_read(item) || !sieve.shows(item, false, clock) {
            continue;
        }
        counts.unread = counts.unread.saturating_add(1);
        for (view, (_, count)) in views.iter().zip(&mut counts.views) {
            if sieve.matches(&view.query, item, false, clock) {
                *count = count.saturating_add(1);
            }
        }
    }
    counts
}

/// Writes `counts` as one line: `text` is the total, then two spaces before each view's name
/// and count (`12  Gulf 3  Sport 0`; the total alone without views), `json` one object
/// (`{"unread":12,"views":{"Gulf":3,"Sport":0}}`, the views in the config's order).
pub fn write_counts(out: &mut impl Write, counts: &Counts, format: CountFormat) -> io::Result<()> {
    match format {
        CountFormat::Text => {
            write!(out, "{}", counts.unread)?;
            for (name, count) in &counts.views {
                write!(out, "  {} {count}", clean_line(name))?;
            }
            writeln!(out)?;
        }
        CountFormat::Json => {
            let line = CountsJson {
                unread: counts.unread,
                views: ViewsJson(&counts.views),
            };
            serde_json::to_writer(&mut *out, &line)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

#[derive(Serialize)]
struct CountsJson<'a> {
    unread: usize,
    views: ViewsJson<'a>,
}

/// The views as a JSON object in the config's order (a map type would sort them).
struct ViewsJson<'a>(&'a [(String, usize)]);

impl Serialize for ViewsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, count) in self.0 {
            map.serialize_entry(&clean_line(name), count)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;

    fn counts() -> Counts {
        Counts {
            unread: 12,
            views: vec![("Sport".into(), 0), ("Gulf\x1b[2J".into(), 3)],
        }
    }

    #[test]
    fn text_is_the_total_then_each_view_and_json_keeps_the_views_order() {
        let mut out = Vec::new();
        write_counts(&mut out, &counts(), CountFormat::Text).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "12  Sport 0  Gulf 3\n");
        let mut out = Vec::new();
        write_counts(&mut out, &Counts::default(), CountFormat::Text).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "0\n");
        let mut out = Vec::new();
        write_counts(&mut out, &counts(), CountFormat::Json).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"unread\":12,\"views\":{\"Sport\":0,\"Gulf\":3}}\n"
        );
    }

    #[test]
    fn no_store_file_is_no_story() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("akhbar.db");
        assert!(stored(Some(&missing), &[]).unwrap().is_empty());
        assert!(stored(None, &[]).unwrap().is_empty());
        assert!(!missing.exists(), "count creates no store");
    }

    #[test]
    fn views_count_the_unread_stories_the_sieve_lets_through() {
        use crate::model::{Headline, Location, ParsedFeed};
        let source = Source::new(Location::parse("https://e.x/rss").unwrap());
        let headline = |id: &str, title: &str| Headline {
            link: Some(format!("https://e.x/{id}")),
            ..Headline::sample(id, title)
        };
        let mut store = Store::open_in_memory().unwrap();
        let feed = ParsedFeed {
            title: "E".into(),
            headlines: vec![
                headline("1", "gaza one"),
                headline("2", "gaza two"),
                headline("3", "football"),
                headline("4", "weather"),
            ],
            ..ParsedFeed::default()
        };
        let key = source.location.store_key();
        store
            .save_feed(
                &key,
                Some("E"),
                &feed,
                &Default::default(),
                chrono::Utc::now(),
            )
            .unwrap();
        store.set_read(&key, "2", true).unwrap();
        let cache = store.load(&[key]).unwrap();
        let sources = [source];
        let stored = StoredHeadlines::merge(&sources, cache);
        let views = vec![ViewConfig {
            name: "Gaza".into(),
            query: Query::parse("gaza").unwrap(),
            key: None,
        }];
        let config =
            crate::config::parse("[[mute]]\nquery = \"football\"\n", Path::new("c.toml")).unwrap();
        let clock = super::super::local_clock();
        let all = count(
            &stored,
            &views,
            &Sieve::new(&config, Query::default()),
            &clock,
        );
        assert_eq!(all.unread, 2, "1 and 4: 2 is read, 3 muted");
        assert_eq!(all.views, [("Gaza".to_owned(), 1)]);
        let weather = Sieve::new(&config, Query::parse("weather").unwrap());
        let narrowed = count(&stored, &views, &weather, &clock);
        assert_eq!((narrowed.unread, narrowed.views[0].1), (1, 0));
    }
}
