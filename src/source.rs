//! Where headlines come from: configured feeds, `--feed` arguments, or the bundled demo.

use crate::config::{Config, FeedConfig};
use crate::feed::Direction;
use crate::text::sanitize::escape_controls;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// The bundled demo feeds, compiled in so an installed binary works from any folder.
pub const DEMO_FEEDS: &[(&str, &[u8])] = &[
    ("arabic", include_bytes!("../assets/demo/arabic.xml")),
    ("english", include_bytes!("../assets/demo/english.xml")),
];

/// How to reach a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Http(Url),
    File(PathBuf),
    /// A feed compiled into the binary.
    Embedded {
        name: &'static str,
        bytes: &'static [u8],
    },
}

impl fmt::Display for Location {
    /// The URL (which the URL parser keeps percent-encoded), or the path with any control or
    /// bidi override percent-encoded (`%1B`): shown in messages, it must not drive the
    /// terminal, and the reader should still see that something is there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Http(url) => write!(f, "{url}"),
            Location::File(path) => f.write_str(&escape_controls(&path.display().to_string())),
            Location::Embedded { name, .. } => write!(f, "demo:{name}"),
        }
    }
}

impl Location {
    /// Reads `http(s)://…`, `file://…` or a plain local path.
    pub fn parse(text: &str) -> Result<Self, SourceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SourceError::Empty);
        }
        match Url::parse(text) {
            Ok(url) => match url.scheme() {
                "http" | "https" => Ok(Location::Http(url)),
                "file" => url
                    .to_file_path()
                    .map(Location::File)
                    .map_err(|()| SourceError::BadFileUrl(text.to_owned())),
                scheme if scheme.len() == 1 => Ok(Location::File(PathBuf::from(text))),
                scheme => Err(SourceError::UnsupportedScheme {
                    url: text.to_owned(),
                    scheme: scheme.to_owned(),
                }),
            },
            Err(_) => Ok(Location::File(PathBuf::from(text))),
        }
    }

    /// What the store keeps this source under: the URL, the absolute path of a file (so
    /// that a relative `--feed` finds its cache from any folder), or `demo:NAME`.
    pub fn store_key(&self) -> String {
        match self {
            Location::File(path) => std::path::absolute(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            other => other.to_string(),
        }
    }

    pub fn is_http(&self) -> bool {
        matches!(self, Location::Http(_))
    }

    /// The URL relative links in this feed resolve against.
    pub fn base_url(&self) -> Option<Url> {
        match self {
            Location::Http(url) => Some(url.clone()),
            Location::File(path) => {
                let absolute = std::path::absolute(path).ok()?;
                Url::from_file_path(absolute).ok()
            }
            Location::Embedded { .. } => None,
        }
    }
}

/// One feed to read, with its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub location: Location,
    /// The configured name; when absent the feed's own title is used.
    pub name: Option<String>,
    pub direction: Direction,
    pub refresh: Option<Duration>,
}

impl Source {
    pub fn new(location: Location) -> Self {
        Self {
            location,
            name: None,
            direction: Direction::Auto,
            refresh: None,
        }
    }

    fn from_config(feed: &FeedConfig) -> Result<Self, SourceError> {
        Ok(Self {
            location: Location::parse(&feed.url)?,
            name: feed.name.clone(),
            direction: feed.direction,
            refresh: feed.refresh,
        })
    }
}

/// A source list that cannot be used; one line, naming the offending entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SourceError {
    #[error("empty feed location")]
    Empty,
    #[error("{url}: unsupported scheme `{scheme}` (use http, https, file or a path)")]
    UnsupportedScheme { url: String, scheme: String },
    #[error("{0}: not a local file URL")]
    BadFileUrl(String),
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
            .map(Source::from_config)
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

/// The bundled demo feeds as sources.
pub fn demo_sources() -> Vec<Source> {
    DEMO_FEEDS
        .iter()
        .map(|&(name, bytes)| Source::new(Location::Embedded { name, bytes }))
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

    #[test]
    fn locations_of_every_kind_parse() {
        assert!(matches!(
            Location::parse("https://example.org/rss").unwrap(),
            Location::Http(_)
        ));
        assert_eq!(
            Location::parse("file:///tmp/feed.xml").unwrap(),
            Location::File(PathBuf::from("/tmp/feed.xml"))
        );
        assert_eq!(
            Location::parse("feeds/a.xml").unwrap(),
            Location::File(PathBuf::from("feeds/a.xml"))
        );
        assert!(matches!(
            Location::parse("gopher://example.org/"),
            Err(SourceError::UnsupportedScheme { .. })
        ));
        assert_eq!(Location::parse("  "), Err(SourceError::Empty));
    }

    #[test]
    fn paths_with_controls_are_shown_percent_encoded() {
        let location = Location::parse("file:///tmp/x%1B]0;PWN%07%E2%80%AE").unwrap();
        assert_eq!(
            location,
            Location::File(PathBuf::from("/tmp/x\x1b]0;PWN\x07\u{202e}"))
        );
        assert_eq!(location.to_string(), "/tmp/x%1B]0;PWN%07%E2%80%AE");
        let url = Location::parse("https://example.org/a\x1b]0;b\x07c").unwrap();
        assert_eq!(url.to_string(), "https://example.org/a%1B]0;b%07c");
    }

    #[test]
    fn cli_feeds_replace_configured_ones_and_nothing_means_demo() {
        let mut config = Config::default();
        let demo = resolve(&[], &config).unwrap();
        assert!(demo.is_demo);
        assert_eq!(demo.list.len(), DEMO_FEEDS.len());

        config.feeds.push(FeedConfig {
            url: "https://example.org/a".into(),
            name: Some("A".into()),
            direction: Direction::Rtl,
            refresh: None,
        });
        let configured = resolve(&[], &config).unwrap();
        assert!(!configured.is_demo);
        assert_eq!(configured.list[0].name.as_deref(), Some("A"));

        let cli = resolve(&["b.xml".into()], &config).unwrap();
        assert_eq!(cli.list.len(), 1);
        assert_eq!(cli.list[0].location, Location::File("b.xml".into()));
    }
}
