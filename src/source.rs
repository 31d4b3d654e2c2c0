//! Where headlines come from: configured feeds, `--feed` arguments, or the bundled demo.

use crate::config::{Config, FeedConfig};
pub use crate::model::{FullText, Location, PageRules, Source, SourceError};
use std::path::Path;
use std::sync::Arc;

/// The bundled demo feeds, compiled in so an installed binary works from any folder.
pub const DEMO_FEEDS: &[(&str, &[u8])] = &[
    ("arabic", include_bytes!("../assets/demo/arabic.xml")),
    ("english", include_bytes!("../assets/demo/english.xml")),
];

/// The bundled demo page: the "latest news" list the project grew from, a page with no
/// feed, read with CSS selectors as a `[feed.html]` table reads one.
pub const DEMO_PAGE: (&str, &[u8]) = ("latest", include_bytes!("../assets/demo/latest.html"));

/// How the demo page is read: what a user would write in `[feed.html]` for it.
fn demo_page_rules() -> PageRules {
    PageRules {
        item: "ul.latest li".to_owned(),
        title: "a.title".to_owned(),
        link: "a.title@href".to_owned(),
        time: Some("time@datetime".to_owned()),
        summary: None,
        article: None,
        zone: Some(4 * 3600),
    }
}

/// A configured feed as a source.
fn from_config(feed: &FeedConfig) -> Result<Source, SourceError> {
    Ok(Source {
        location: Location::parse(&feed.url)?,
        name: feed.name.clone(),
        direction: feed.direction,
        refresh: feed.refresh,
        page: feed.html.clone().map(Arc::new),
        full_text: feed.full_text,
        http: (!feed.http.is_default()).then(|| Arc::new(feed.http.clone())),
    })
}

/// The sources of a run, and whether they are the bundled demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub list: Vec<Source>,
    pub is_demo: bool,
}

/// `--feed` arguments replace the configured feeds; with neither, the demo is used.
pub fn resolve(cli_feeds: &[String], config: &Config) -> Result<Sources, SourceError> {
    if !cli_feeds.is_empty() {
        let list = cli_feeds
            .iter()
            .map(|text| Location::parse(text).map(Source::new))
            .collect::<Result<_, _>>()?;
        return Ok(Sources {
            list,
            is_demo: false,
        });
    }
    if !config.feeds.is_empty() {
        let list = config
            .feeds
            .iter()
            .map(from_config)
            .collect::<Result<_, _>>()?;
        return Ok(Sources {
            list,
            is_demo: false,
        });
    }
    Ok(Sources {
        list: demo_sources(),
        is_demo: true,
    })
}

/// The bundled demo as sources: the page first, then the feeds.
pub fn demo_sources() -> Vec<Source> {
    let (name, bytes) = DEMO_PAGE;
    // The demo's stories link to example.org, whose pages are no articles.
    let demo = |name, bytes| Source {
        full_text: FullText::Never,
        ..Source::new(Location::Embedded { name, bytes })
    };
    let page = Source {
        page: Some(Arc::new(demo_page_rules())),
        ..demo(name, bytes)
    };
    std::iter::once(page)
        .chain(DEMO_FEEDS.iter().map(|&(name, bytes)| demo(name, bytes)))
        .collect()
}

/// The hint shown when the demo is in use.
pub fn demo_hint(config_path: Option<&Path>) -> String {
    let where_ = config_path
        .map(|path| path.display().to_string())
        .unwrap_or_else(|| "your config file".to_owned());
    format!(
        "showing the bundled demo feeds; add [[feed]] url = \"…\" tables to {where_} or pass --feed URL"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    #[test]
    fn cli_feeds_replace_configured_ones_and_nothing_means_demo() {
        let mut config = Config::default();
        let demo = resolve(&[], &config).unwrap();
        assert!(demo.is_demo);
        assert_eq!(demo.list.len(), DEMO_FEEDS.len() + 1);
        assert!(demo.list[0].page.is_some(), "the page comes first");

        config.feeds.push(FeedConfig {
            url: "https://example.org/a".into(),
            name: Some("A".into()),
            direction: Direction::Rtl,
            refresh: None,
            html: None,
            full_text: crate::model::FullText::Auto,
            http: crate::model::HttpSettings::default(),
            mute: None,
        });
        let configured = resolve(&[], &config).unwrap();
        assert!(!configured.is_demo);
        assert_eq!(configured.list[0].name.as_deref(), Some("A"));

        let cli = resolve(&["b.xml".into()], &config).unwrap();
        assert_eq!(cli.list.len(), 1);
        assert_eq!(cli.list[0].location, Location::File("b.xml".into()));
    }
}
