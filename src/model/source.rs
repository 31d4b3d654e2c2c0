//! Where a feed lives and how it is read: the [`Location`] every side names a feed by, and
//! the [`Source`] the config or the command line makes of it.

use crate::text::bidi::Direction;
use crate::text::sanitize::escape_controls;
use reqwest::header::{HeaderMap, HeaderValue};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

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
    /// Set for a web page read with CSS selectors (`[feed.html]`) instead of as a feed.
    pub page: Option<Arc<PageRules>>,
    /// When the story's own page is fetched for its full text.
    pub full_text: FullText,
    /// The feed's own HTTP settings, for it and its stories' pages; `None`: the defaults.
    pub http: Option<Arc<HttpSettings>>,
}

/// A feed's own HTTP settings, each checked when the config was read: for sites that turn
/// away default clients, or want a login.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpSettings {
    /// Sent instead of akhbar's own `User-Agent`.
    pub user_agent: Option<HeaderValue>,
    /// Sent with every request for the feed and its stories' pages.
    pub headers: HeaderMap,
    pub auth: Option<BasicAuth>,
    /// `http://`, `https://`, `socks5://` or `socks5h://`: used instead of any proxy the
    /// environment names.
    pub proxy: Option<Url>,
}

impl HttpSettings {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// HTTP basic auth whose password a command prints (`password_command`): the password is
/// never in the config, and is sent to the feed's own site alone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BasicAuth {
    pub username: String,
    /// A program and its arguments, run without a shell; the first line it prints is the
    /// password.
    pub password_command: Vec<String>,
}

/// `full_text = "auto" | "always" | "never"`: when a story's page is fetched for its article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FullText {
    /// When a story whose feed text is short is opened.
    #[default]
    Auto,
    /// For every new story whose feed text is short, in the background.
    Always,
    Never,
}

impl Source {
    pub fn new(location: Location) -> Self {
        Self {
            location,
            name: None,
            direction: Direction::Auto,
            refresh: None,
            page: None,
            full_text: FullText::Auto,
            http: None,
        }
    }
}

/// How a page that is no feed is read (`[feed.html]`): CSS selectors, each already checked.
/// A field is `selector`, `selector@attribute` or `@attribute` (of the item itself); a
/// field's value is the text (or the attribute) of the first element it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRules {
    /// One element per story.
    pub item: String,
    pub title: String,
    pub link: String,
    pub time: Option<String>,
    pub summary: Option<String>,
    /// The story page's main content, read instead of readability.
    pub article: Option<String>,
    /// The zone the page's times are in, in seconds east of UTC (`zone = "+04:00"`); the
    /// local zone when not given.
    pub zone: Option<i32>,
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
}
