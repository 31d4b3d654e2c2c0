//! The config file: TOML on disk (`RawConfig`) resolved into a typed [`Config`].
//!
//! Values are read as spanned TOML values and checked here rather than by serde, so that
//! every complaint can name the file, the line and the key in one short sentence.

use crate::feed::schedule;
use crate::model::{Direction, FullText, HttpSettings, PageRules};
use crate::query::Query;
use crate::read_limit;
use crate::text::sanitize::clean_line;
use crate::tui::keys::Keymap;
use crate::tui::state::alerts::Alert;
use crate::tui::terminal::BidiMode;
use crate::ui::theme::{Role, ThemeChoice};
use ratatui::style::Style;
use serde::Deserialize;
use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::{Spanned, Value};

mod http;

/// One configured source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// `http(s)://` or `file://` URL, or a local path.
    pub url: String,
    pub name: Option<String>,
    pub direction: Direction,
    /// Overrides [`Config::refresh`] for this feed.
    pub refresh: Option<Duration>,
    /// `[feed.html]`: the URL is a web page, read with these CSS selectors.
    pub html: Option<PageRules>,
    /// `full_text = "auto" | "always" | "never"`.
    pub full_text: FullText,
    /// `user_agent`, `headers`, `username` with `password_command`, `proxy`.
    pub http: HttpSettings,
    /// `mute = "query"`: this feed's stories that match are hidden.
    pub mute: Option<Query>,
}

/// A `[[view]]`: a named query the list can switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewConfig {
    pub name: String,
    pub query: Query,
    /// A key of its own, besides its number (already in [`Config::keys`]).
    pub key: Option<String>,
}

/// Everything the config file can say, with defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Default refresh interval (`refresh = "10m"`).
    pub refresh: Duration,
    /// Whole-request timeout (`timeout = "30s"`).
    pub timeout: Duration,
    /// Largest response body read, in bytes (`max_body = "16MiB"`).
    pub max_body: u64,
    /// `bidi = "auto" | "app" | "kitty" | "terminal"`.
    pub bidi: BidiMode,
    /// Arabic joined into presentation forms (`shape = true`); off for terminals that shape.
    pub shape: bool,
    /// The ticker crawls (`motion = true`), or steps one headline at a time.
    pub motion: bool,
    /// Links in the article pane are OSC 8 hyperlinks (`hyperlinks = true`).
    pub hyperlinks: bool,
    /// Crawl speed in cells per second (`speed = 8`).
    pub speed: f64,
    /// How long headlines that have left their feed are kept (`keep = "30d"`).
    pub keep: Duration,
    /// The most headlines kept for one feed (`max_per_feed = 500`).
    pub max_per_feed: usize,
    /// `[keys]`: the key table with the config's rebindings.
    pub keys: Keymap,
    /// `theme = "auto" | "dark" | "light"`.
    pub theme: ThemeChoice,
    /// Arabic light stemming in filters (`stem = true`).
    pub stem: bool,
    /// `[colors]`: styles that replace the theme's, in the file's order.
    pub colors: Vec<(Role, Style)>,
    /// `[[view]]` tables, in the file's order.
    pub views: Vec<ViewConfig>,
    /// `ticker = "NAME"`: the view whose stories the ticker crawls (else what the list shows).
    pub ticker: Option<String>,
    /// `[[mute]]` queries: stories that match are hidden everywhere.
    pub mutes: Vec<Query>,
    /// `[[alert]]` tables: new stories that match are announced.
    pub alerts: Vec<Alert>,
    pub feeds: Vec<FeedConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            refresh: Duration::from_secs(600),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
            bidi: BidiMode::Auto,
            shape: true,
            motion: true,
            hyperlinks: true,
            speed: 8.0,
            keep: Duration::from_secs(30 * 24 * 60 * 60),
            max_per_feed: 500,
            keys: Keymap::default(),
            theme: ThemeChoice::Auto,
            stem: false,
            colors: Vec::new(),
            views: Vec::new(),
            ticker: None,
            mutes: Vec::new(),
            alerts: Vec::new(),
            feeds: Vec::new(),
        }
    }
}

impl Config {
    /// How often `feed` is refreshed: its own interval, else the default.
    pub fn refresh_for(&self, feed: &FeedConfig) -> Duration {
        feed.refresh.unwrap_or(self.refresh)
    }
}

/// A config file that cannot be used; the message names the file, line and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    // `error` rather than `source`: the message includes it, and `{:#}` would repeat a source.
    #[error("{path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        /// 1-based.
        line: usize,
        message: String,
    },
}

/// Whether a feed's `url` is fetched over the network (as [`crate::source::Location`] reads
/// it): those get the longer minimum interval.
fn is_http_url(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
}

/// A config file with every setting at its default, each with a comment, and a commented-out
/// `[[feed]]`: what `akhbar --print-default-config` prints.
pub const DEFAULT_CONFIG_TEXT: &str = include_str!("../assets/default-config.toml");

/// `$XDG_CONFIG_HOME/akhbar/config.toml`, else `~/.config/akhbar/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

/// [`default_path`] with the environment passed in, so tests need not mutate it.
fn default_path_from(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored.
    let base = match xdg_config_home.map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => xdg,
        _ => {
            let home = PathBuf::from(home.filter(|h| !h.is_empty())?);
            home.join(".config")
        }
    };
    Some(base.join("akhbar").join("config.toml"))
}

/// Reads and validates a config file (at most [`read_limit::CONFIG_LIMIT`] bytes).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = read_text(path)?;
    parse(&text, path)
}

/// The text of the config file at `path`, size-capped like every file akhbar reads whole.
pub fn read_text(path: &Path) -> Result<String, ConfigError> {
    let read_error = |error| ConfigError::Read {
        path: path.to_owned(),
        error,
    };
    let bytes =
        read_limit::read(path, read_limit::CONFIG_LIMIT, "a config file").map_err(read_error)?;
    String::from_utf8(bytes).map_err(|_| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })
}

/// Parses config text; `path` only labels errors.
/// A `[[feed]]` for `url` with `entries` (`user_agent`, `headers` …), checked as the config
/// file's would be: the feed as it would be configured, or what is wrong, naming the key.
pub fn check_feed(url: &str, entries: &toml_edit::Table) -> Result<FeedConfig, String> {
    let mut table = toml_edit::Table::new();
    table.insert("url", toml_edit::value(url));
    for (key, item) in entries {
        table.insert(key, item.clone());
    }
    let mut feeds = toml_edit::ArrayOfTables::new();
    feeds.push(table);
    let mut document = toml_edit::DocumentMut::new();
    document.insert("feed", toml_edit::Item::ArrayOfTables(feeds));
    match parse(&document.to_string(), Path::new("")) {
        Ok(config) => config
            .feeds
            .into_iter()
            .next()
            .ok_or_else(|| "no feed".to_owned()),
        Err(ConfigError::Invalid { message, .. }) => Err(message),
        Err(error) => Err(error.to_string()),
    }
}

pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let file = SourceFile { text, path };
    let raw: RawConfig = toml::from_str(text).map_err(|e| file.toml_error(&e))?;
    file.resolve(raw)
}

// ---------------------------------------------------------------------------------------------
// Raw form: exactly what the file says, with positions.
// ---------------------------------------------------------------------------------------------

const TOP_LEVEL_KEYS: &[&str] = &[
    "refresh",
    "timeout",
    "max_body",
    "bidi",
    "shape",
    "motion",
    "hyperlinks",
    "speed",
    "keep",
    "max_per_feed",
    "stem",
    "theme",
    "keys",
    "colors",
    "ticker",
    "view",
    "mute",
    "alert",
    "feed",
];
const FEED_KEYS: &[&str] = &[
    "url",
    "name",
    "direction",
    "refresh",
    "full_text",
    "user_agent",
    "headers",
    "username",
    "password_command",
    "proxy",
    "mute",
    "html",
];

/// The keys of a `[feed.html]` table.
const PAGE_KEYS: &[&str] = &[
    "item", "title", "link", "time", "summary", "article", "zone",
];

/// More headlines than this per feed is surely a typo, and would make the store slow.
const MAX_PER_FEED: usize = 100_000;

/// Durations above this are surely typos, and refusing them keeps `Instant + duration`
/// arithmetic elsewhere from overflowing.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 60 * 60);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    refresh: Option<Spanned<Value>>,
    timeout: Option<Spanned<Value>>,
    max_body: Option<Spanned<Value>>,
    bidi: Option<Spanned<Value>>,
    shape: Option<Spanned<Value>>,
    motion: Option<Spanned<Value>>,
    hyperlinks: Option<Spanned<Value>>,
    speed: Option<Spanned<Value>>,
    keep: Option<Spanned<Value>>,
    max_per_feed: Option<Spanned<Value>>,
    stem: Option<Spanned<Value>>,
    theme: Option<Spanned<Value>>,
    /// `[keys]`: action name → key or list of keys.
    #[serde(default)]
    keys: std::collections::BTreeMap<Spanned<String>, Spanned<Value>>,
    /// `[colors]`: role → style.
    #[serde(default)]
    colors: std::collections::BTreeMap<Spanned<String>, Spanned<Value>>,
    ticker: Option<Spanned<Value>>,
    #[serde(default)]
    view: Vec<Spanned<RawView>>,
    #[serde(default)]
    mute: Vec<Spanned<RawMute>>,
    #[serde(default)]
    alert: Vec<Spanned<RawAlert>>,
    #[serde(default)]
    feed: Vec<Spanned<RawFeed>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    name: Option<Spanned<Value>>,
    query: Option<Spanned<Value>>,
    key: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMute {
    query: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    query: Option<Spanned<Value>>,
    bell: Option<Spanned<Value>>,
    notify: Option<Spanned<Value>>,
    command: Option<Spanned<Value>>,
    pin: Option<Spanned<Value>>,
}

const ALERT_KEYS: &[&str] = &["query", "bell", "notify", "command", "pin"];

/// How long an alert pins its story in the ticker unless it says (`pin = "10m"`).
const DEFAULT_PIN: Duration = Duration::from_secs(10 * 60);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    url: Option<Spanned<Value>>,
    name: Option<Spanned<Value>>,
    direction: Option<Spanned<Value>>,
    refresh: Option<Spanned<Value>>,
    full_text: Option<Spanned<Value>>,
    user_agent: Option<Spanned<Value>>,
    headers: Option<Spanned<http::RawHeaders>>,
    username: Option<Spanned<Value>>,
    password_command: Option<Spanned<Value>>,
    proxy: Option<Spanned<Value>>,
    mute: Option<Spanned<Value>>,
    html: Option<Spanned<RawPage>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    item: Option<Spanned<Value>>,
    title: Option<Spanned<Value>>,
    link: Option<Spanned<Value>>,
    time: Option<Spanned<Value>>,
    summary: Option<Spanned<Value>>,
    article: Option<Spanned<Value>>,
    zone: Option<Spanned<Value>>,
}

/// The text being parsed and its name, for turning byte offsets into messages.
struct SourceFile<'a> {
    text: &'a str,
    path: &'a Path,
}

impl SourceFile<'_> {
    fn invalid(&self, offset: usize, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_owned(),
            line: line_of(self.text, offset),
            message,
        }
    }

    fn bad_value(
        &self,
        key: &str,
        span: Range<usize>,
        problem: impl std::fmt::Display,
    ) -> ConfigError {
        self.invalid(span.start, format!("bad value for `{key}`: {problem}"))
    }

    fn resolve(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let defaults = Config::default();
        let refresh = match &raw.refresh {
            Some(value) => {
                let refresh = self.duration("refresh", value)?;
                self.refresh_floor(value, refresh, None)?;
                refresh
            }
            None => defaults.refresh,
        };
        let timeout = match raw.timeout {
            Some(value) => self.duration("timeout", &value)?,
            None => defaults.timeout,
        };
        let max_body = match raw.max_body {
            Some(value) => self.size("max_body", &value)?,
            None => defaults.max_body,
        };
        let bidi = match &raw.bidi {
            None => defaults.bidi,
            Some(value) => self.choice(
                "bidi",
                value,
                &[
                    ("auto", BidiMode::Auto),
                    ("app", BidiMode::App),
                    ("kitty", BidiMode::Kitty),
                    ("terminal", BidiMode::Terminal),
                ],
            )?,
        };
        let shape = match &raw.shape {
            None => defaults.shape,
            Some(value) => self.boolean("shape", value)?,
        };
        let motion = match &raw.motion {
            None => defaults.motion,
            Some(value) => self.boolean("motion", value)?,
        };
        let hyperlinks = match &raw.hyperlinks {
            None => defaults.hyperlinks,
            Some(value) => self.boolean("hyperlinks", value)?,
        };
        let speed = match &raw.speed {
            None => defaults.speed,
            Some(value) => {
                let number = match value.get_ref() {
                    // Speeds are small; the conversion is exact for every sensible one.
                    #[allow(clippy::cast_precision_loss)]
                    Value::Integer(n) => *n as f64,
                    Value::Float(x) => *x,
                    other => {
                        return Err(self.bad_value(
                            "speed",
                            value.span(),
                            expected("cells per second, e.g. 8", other),
                        ));
                    }
                };
                if !(0.5..=200.0).contains(&number) {
                    return Err(self.bad_value(
                        "speed",
                        value.span(),
                        format!("{number} (use 0.5 to 200 cells per second)"),
                    ));
                }
                number
            }
        };
        let keep = match &raw.keep {
            None => defaults.keep,
            Some(value) => self.duration("keep", value)?,
        };
        let max_per_feed = match &raw.max_per_feed {
            None => defaults.max_per_feed,
            Some(value) => self.count("max_per_feed", value, MAX_PER_FEED)?,
        };
        let stem = match &raw.stem {
            None => defaults.stem,
            Some(value) => self.boolean("stem", value)?,
        };
        let feeds: Vec<FeedConfig> = raw
            .feed
            .into_iter()
            .enumerate()
            .map(|(index, feed)| self.feed(index + 1, feed, stem))
            .collect::<Result<_, _>>()?;
        let (views, view_keys) = self.views(raw.view, stem)?;
        let ticker = match &raw.ticker {
            None => None,
            Some(value) => {
                let name = value.get_ref().as_str().map(str::trim);
                match name {
                    Some(name) if views.iter().any(|view| view.name == name) => {
                        Some(name.to_owned())
                    }
                    _ => {
                        let names: Vec<String> = views
                            .iter()
                            .map(|view| format!("\"{}\"", view.name))
                            .collect();
                        return Err(self.bad_value(
                            "ticker",
                            value.span(),
                            if names.is_empty() {
                                "names no [[view]] (there is none)".to_owned()
                            } else {
                                format!("names no [[view]] (expected one of {})", names.join(", "))
                            },
                        ));
                    }
                }
            }
        };
        let mutes =
            raw.mute
                .into_iter()
                .map(|mute| {
                    let header = mute.span();
                    match mute.into_inner().query {
                        Some(query) => self.query("query", &query, stem),
                        None => Err(self
                            .invalid(header.start, "missing key `query` in [[mute]]".to_owned())),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
        let alerts = raw
            .alert
            .into_iter()
            .map(|alert| self.alert(alert, stem))
            .collect::<Result<Vec<_>, _>>()?;
        // The default binds every http(s) feed without an interval of its own.
        if let Some(value) = &raw.refresh
            && let Some(number) = feeds
                .iter()
                .position(|feed| feed.refresh.is_none() && is_http_url(&feed.url))
        {
            self.refresh_floor(value, refresh, Some(number + 1))?;
        }
        let mut keys = self.keys(&raw.keys)?;
        for (number, (view, at)) in views.iter().zip(view_keys).enumerate() {
            if let Some(key) = &view.key {
                keys.bind_view(key, number + 1)
                    .map_err(|error| self.invalid(at, clean_line(&error.to_string())))?;
            }
        }
        let theme = match &raw.theme {
            None => defaults.theme,
            Some(value) => self.choice(
                "theme",
                value,
                &[
                    ("auto", ThemeChoice::Auto),
                    ("dark", ThemeChoice::Dark),
                    ("light", ThemeChoice::Light),
                ],
            )?,
        };
        let colors = self.colors(&raw.colors)?;
        Ok(Config {
            refresh,
            timeout,
            max_body,
            bidi,
            shape,
            motion,
            hyperlinks,
            speed,
            keep,
            max_per_feed,
            keys,
            theme,
            stem,
            colors,
            views,
            ticker,
            mutes,
            alerts,
            feeds,
        })
    }

    /// `[colors]`, in the order the file has them.
    fn colors(
        &self,
        raw: &std::collections::BTreeMap<Spanned<String>, Spanned<Value>>,
    ) -> Result<Vec<(Role, Style)>, ConfigError> {
        let mut entries: Vec<_> = raw.iter().collect();
        entries.sort_by_key(|(name, _)| name.span().start);
        entries
            .into_iter()
            .map(|(name, value)| {
                let Some(role) = Role::from_name(name.get_ref()) else {
                    let names: Vec<&str> = Role::ALL.iter().map(|role| role.name()).collect();
                    return Err(self.invalid(
                        name.span().start,
                        format!(
                            "unknown part `{}` in [colors] (expected one of {})",
                            clean_line(name.get_ref()),
                            names.join(", ")
                        ),
                    ));
                };
                let Value::String(spec) = value.get_ref() else {
                    return Err(self.bad_value(
                        name.get_ref(),
                        value.span(),
                        expected(
                            "a style like \"yellow\" or \"black on #ffd75f bold\"",
                            value.get_ref(),
                        ),
                    ));
                };
                let style = crate::ui::theme::parse_style(spec).map_err(|problem| {
                    self.bad_value(name.get_ref(), value.span(), clean_line(&problem))
                })?;
                Ok((role, style))
            })
            .collect()
    }

    /// `[keys]`, each entry checked in the order the file has them, so that an error names
    /// the line of the entry that makes it (a clash: the later of the two).
    fn keys(
        &self,
        raw: &std::collections::BTreeMap<Spanned<String>, Spanned<Value>>,
    ) -> Result<Keymap, ConfigError> {
        let mut entries: Vec<_> = raw.iter().collect();
        entries.sort_by_key(|(name, _)| name.span().start);
        let mut rebound = Vec::with_capacity(entries.len());
        let mut keymap = Keymap::default();
        for (name, value) in entries {
            let keys = match value.get_ref() {
                Value::String(key) => vec![key.clone()],
                Value::Array(keys) => keys
                    .iter()
                    .map(|key| match key {
                        Value::String(key) => Ok(key.clone()),
                        other => Err(self.bad_value(
                            name.get_ref(),
                            value.span(),
                            expected("a key name or a list of them", other),
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                other => {
                    return Err(self.bad_value(
                        name.get_ref(),
                        value.span(),
                        expected("a key name or a list of them", other),
                    ));
                }
            };
            rebound.push((name.get_ref().clone(), keys));
            keymap = Keymap::new(&rebound)
                .map_err(|error| self.invalid(name.span().start, clean_line(&error.to_string())))?;
        }
        Ok(keymap)
    }

    fn feed(
        &self,
        number: usize,
        feed: Spanned<RawFeed>,
        stem: bool,
    ) -> Result<FeedConfig, ConfigError> {
        let header = feed.span();
        let feed = feed.into_inner();
        let http = self.http_settings(number, &feed)?;
        let Some(url) = feed.url else {
            return Err(self.invalid(
                header.start,
                format!("missing key `url` in [[feed]] #{number}"),
            ));
        };
        let url = match url.get_ref() {
            Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
            Value::String(_) => return Err(self.bad_value("url", url.span(), "must not be empty")),
            other => {
                return Err(self.bad_value("url", url.span(), expected("a URL string", other)));
            }
        };
        let name = match &feed.name {
            None => None,
            // Names are drawn on screen; the config may have been copied from anywhere.
            Some(name) => match name.get_ref() {
                Value::String(s) => Some(clean_line(s)).filter(|s| !s.is_empty()),
                other => {
                    return Err(self.bad_value("name", name.span(), expected("a string", other)));
                }
            },
        };
        let direction = match &feed.direction {
            None => Direction::default(),
            Some(value) => self.choice(
                "direction",
                value,
                &[
                    ("auto", Direction::Auto),
                    ("rtl", Direction::Rtl),
                    ("ltr", Direction::Ltr),
                ],
            )?,
        };
        let refresh = match &feed.refresh {
            None => None,
            Some(value) => {
                let refresh = self.duration("refresh", value)?;
                let floor_of = is_http_url(&url).then_some(number);
                self.refresh_floor(value, refresh, floor_of)?;
                Some(refresh)
            }
        };
        let full_text = match &feed.full_text {
            None => FullText::default(),
            Some(value) => self.choice(
                "full_text",
                value,
                &[
                    ("auto", FullText::Auto),
                    ("always", FullText::Always),
                    ("never", FullText::Never),
                ],
            )?,
        };
        let html = feed
            .html
            .map(|page| self.page_rules(number, page))
            .transpose()?;
        let mute = feed
            .mute
            .as_ref()
            .map(|value| self.query("mute", value, stem))
            .transpose()?;
        Ok(FeedConfig {
            url,
            name,
            direction,
            refresh,
            html,
            full_text,
            http,
            mute,
        })
    }

    /// A query (`query = "…"`, `mute = "…"`), parsed as the filter is; an error says what
    /// and where in it.
    fn query(&self, key: &str, value: &Spanned<Value>, stem: bool) -> Result<Query, ConfigError> {
        let Value::String(text) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                expected("a query string", value.get_ref()),
            ));
        };
        Query::parse_stemmed(text, stem).map_err(|error| {
            let place = text.get(error.at.clone()).unwrap_or_default();
            self.bad_value(
                key,
                value.span(),
                format!(
                    "{} at character {} (“{}”)",
                    error.message,
                    error.column(text) + 1,
                    clean_line(place)
                ),
            )
        })
    }

    /// An `[[alert]]`: a query, and what to do: `bell`, `notify` (on unless `false`),
    /// `command` (a program and its arguments), `pin` (how long the ticker holds the story).
    fn alert(&self, raw: Spanned<RawAlert>, stem: bool) -> Result<Alert, ConfigError> {
        let header = raw.span();
        let raw = raw.into_inner();
        let query = match &raw.query {
            Some(query) => self.query("query", query, stem)?,
            None => {
                return Err(
                    self.invalid(header.start, "missing key `query` in [[alert]]".to_owned())
                );
            }
        };
        let flag = |key: &str, value: &Option<Spanned<Value>>, default: bool| match value {
            Some(value) => self.boolean(key, value),
            None => Ok(default),
        };
        let command = match &raw.command {
            Some(value) => self.program("command", value)?,
            None => Vec::new(),
        };
        let pin = match &raw.pin {
            Some(value) => self.duration("pin", value)?,
            None => DEFAULT_PIN,
        };
        Ok(Alert {
            query,
            bell: flag("bell", &raw.bell, false)?,
            notify: flag("notify", &raw.notify, true)?,
            command,
            pin,
        })
    }

    /// `[[view]]` tables: a name (unique), a query, an optional key of its own.
    /// Each view comes with where its `key` is written, for an error about it found later.
    fn views(
        &self,
        raw: Vec<Spanned<RawView>>,
        stem: bool,
    ) -> Result<(Vec<ViewConfig>, Vec<usize>), ConfigError> {
        let mut views: Vec<ViewConfig> = Vec::with_capacity(raw.len());
        let mut key_places = Vec::with_capacity(raw.len());
        for (number, view) in raw.into_iter().enumerate() {
            let header = view.span();
            let view = view.into_inner();
            let missing = |key: &str| {
                self.invalid(
                    header.start,
                    format!("missing key `{key}` in [[view]] #{}", number + 1),
                )
            };
            let name = view.name.as_ref().ok_or_else(|| missing("name"))?;
            let name_text = match name.get_ref() {
                Value::String(text) if !clean_line(text).is_empty() => clean_line(text),
                other => {
                    return Err(self.bad_value("name", name.span(), expected("a name", other)));
                }
            };
            if views.iter().any(|earlier| earlier.name == name_text) {
                return Err(self.bad_value(
                    "name",
                    name.span(),
                    format!("a second view called “{name_text}”"),
                ));
            }
            let query = view.query.as_ref().ok_or_else(|| missing("query"))?;
            let query = self.query("query", query, stem)?;
            let key = match &view.key {
                None => None,
                Some(value) => match value.get_ref() {
                    Value::String(key) => Some(key.clone()),
                    other => {
                        return Err(self.bad_value(
                            "key",
                            value.span(),
                            expected("a key name", other),
                        ));
                    }
                },
            };
            key_places.push(
                view.key
                    .as_ref()
                    .map_or(header.start, |key| key.span().start),
            );
            views.push(ViewConfig {
                name: name_text,
                query,
                key,
            });
        }
        Ok((views, key_places))
    }

    /// A `[feed.html]` table: `item`, `title` and `link` required, each a CSS selector
    /// (`@attribute` allowed on all but `item` and `article`).
    fn page_rules(&self, number: usize, page: Spanned<RawPage>) -> Result<PageRules, ConfigError> {
        let header = page.span();
        let page = page.into_inner();
        let selector = |key: &str, value: Option<&Spanned<Value>>, attribute: bool| {
            let Some(value) = value else {
                return Ok(None);
            };
            let Value::String(text) = value.get_ref() else {
                return Err(self.bad_value(
                    key,
                    value.span(),
                    expected("a CSS selector string", value.get_ref()),
                ));
            };
            let checked = if attribute {
                crate::feed::page::check_field(text)
            } else {
                crate::feed::page::check_selector(text)
            };
            checked
                .map(|()| Some(text.trim().to_owned()))
                .map_err(|problem| self.bad_value(key, value.span(), problem))
        };
        let required = |key: &str, value: Option<String>| {
            value.ok_or_else(|| {
                self.invalid(
                    header.start,
                    format!("missing key `{key}` in [feed.html] of [[feed]] #{number}"),
                )
            })
        };
        let item = required("item", selector("item", page.item.as_ref(), false)?)?;
        let title = required("title", selector("title", page.title.as_ref(), true)?)?;
        let link = required("link", selector("link", page.link.as_ref(), true)?)?;
        Ok(PageRules {
            item,
            title,
            link,
            time: selector("time", page.time.as_ref(), true)?,
            summary: selector("summary", page.summary.as_ref(), true)?,
            article: selector("article", page.article.as_ref(), false)?,
            zone: page
                .zone
                .as_ref()
                .map(|zone| self.utc_offset(zone))
                .transpose()?,
        })
    }

    /// `"+04:00"`, `"-05:30"`, `"UTC"`: seconds east of UTC.
    fn utc_offset(&self, value: &Spanned<Value>) -> Result<i32, ConfigError> {
        let bad = || {
            self.bad_value(
                "zone",
                value.span(),
                format!(
                    "{} (use e.g. \"+04:00\", \"-05:30\" or \"UTC\")",
                    show(value.get_ref())
                ),
            )
        };
        let Value::String(text) = value.get_ref() else {
            return Err(bad());
        };
        let text = text.trim();
        if text.eq_ignore_ascii_case("utc") || text == "Z" {
            return Ok(0);
        }
        let (sign, rest) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => return Err(bad()),
        };
        let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
        let hours: i32 = hours.parse().map_err(|_| bad())?;
        let minutes: i32 = minutes.parse().map_err(|_| bad())?;
        if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
            return Err(bad());
        }
        Ok(sign * (hours * 3600 + minutes * 60))
    }

    fn boolean(&self, key: &str, value: &Spanned<Value>) -> Result<bool, ConfigError> {
        match value.get_ref() {
            Value::Boolean(flag) => Ok(*flag),
            other => Err(self.bad_value(key, value.span(), expected("true or false", other))),
        }
    }

    /// One of a few words, e.g. `"auto"`, `"rtl"` or `"ltr"`.
    fn choice<T: Copy>(
        &self,
        key: &str,
        value: &Spanned<Value>,
        options: &[(&str, T)],
    ) -> Result<T, ConfigError> {
        let word = value.get_ref().as_str();
        if let Some(&(_, choice)) = options.iter().find(|(name, _)| Some(*name) == word) {
            return Ok(choice);
        }
        let names: Vec<String> = options
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        let expected = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        };
        Err(self.bad_value(
            key,
            value.span(),
            format!("{} (expected {expected})", show(value.get_ref())),
        ))
    }

    /// A whole number from 1 to `max`.
    fn count(&self, key: &str, value: &Spanned<Value>, max: usize) -> Result<usize, ConfigError> {
        let Value::Integer(number) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                expected("a whole number such as 500", value.get_ref()),
            ));
        };
        match usize::try_from(*number) {
            Ok(count) if (1..=max).contains(&count) => Ok(count),
            _ => Err(self.bad_value(key, value.span(), format!("{number} (use 1 to {max})"))),
        }
    }

    fn duration(&self, key: &str, value: &Spanned<Value>) -> Result<Duration, ConfigError> {
        let Value::String(text) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                expected("a duration such as \"10m\"", value.get_ref()),
            ));
        };
        // `keep` is a matter of days, the intervals of seconds to hours.
        let examples = if key == "keep" {
            "12h, 7d, 30d"
        } else {
            "90s, 5m, 1h"
        };
        let duration = humantime::parse_duration(text.trim()).map_err(|_| {
            self.bad_value(
                key,
                value.span(),
                format!("invalid duration {text:?} (use e.g. {examples})"),
            )
        })?;
        if duration.is_zero() {
            return Err(self.bad_value(key, value.span(), "must be longer than zero"));
        }
        if duration > MAX_DURATION {
            return Err(self.bad_value(
                key,
                value.span(),
                format!("{text:?} is too long (at most a year)"),
            ));
        }
        Ok(duration)
    }

    /// A refresh interval must not be shorter than [`schedule::min_interval`]: a minute
    /// for a feed over http(s) (`http_feed`: its number), a second for a local file.
    fn refresh_floor(
        &self,
        value: &Spanned<Value>,
        refresh: Duration,
        http_feed: Option<usize>,
    ) -> Result<(), ConfigError> {
        let floor = schedule::min_interval(http_feed.is_some());
        if refresh >= floor {
            return Ok(());
        }
        let shown = show(value.get_ref());
        let problem = match http_feed {
            Some(number) => format!(
                "{shown} is too short for [[feed]] #{number}, fetched over http(s) (at least {}; \
                 local files may go down to {})",
                humantime::format_duration(floor),
                humantime::format_duration(schedule::MIN_LOCAL_INTERVAL),
            ),
            None => format!(
                "{shown} is too short (at least {})",
                humantime::format_duration(floor)
            ),
        };
        Err(self.bad_value("refresh", value.span(), problem))
    }

    fn size(&self, key: &str, value: &Spanned<Value>) -> Result<u64, ConfigError> {
        let size = match value.get_ref() {
            Value::Integer(n) => u64::try_from(*n).ok(),
            Value::String(text) => parse_size(text),
            other => {
                return Err(self.bad_value(
                    key,
                    value.span(),
                    expected("a size such as \"16MiB\"", other),
                ));
            }
        };
        match size {
            Some(0) => Err(self.bad_value(key, value.span(), "must be larger than zero")),
            Some(size) => Ok(size),
            None => Err(self.bad_value(
                key,
                value.span(),
                format!(
                    "invalid size {} (use e.g. 16MiB, 512KiB, 1GiB, 1000000)",
                    show(value.get_ref())
                ),
            )),
        }
    }

    /// Turns toml's error (syntax, unknown or duplicate key, wrong type) into one line.
    fn toml_error(&self, error: &toml::de::Error) -> ConfigError {
        let span = error.span().unwrap_or(0..0);
        // toml messages can span lines ("…\nexpected …"); a config error is one line.
        let message = error
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let key = key_at(self.text, &span);
        let key_or = |fallback: &str| key.clone().unwrap_or_else(|| fallback.to_owned());

        let text = if let Some(rest) = message.strip_prefix("unknown field `") {
            let (unknown, expected) = rest.split_once('`').unwrap_or((rest, ""));
            // serde lists the fields of the table the key was found in.
            if expected.contains("`bell`") {
                format!(
                    "unknown key `{unknown}` in [[alert]] (expected one of {})",
                    ALERT_KEYS.join(", ")
                )
            } else if expected.contains("`item`") {
                let place = match feed_number_at(self.text, span.start) {
                    Some(n) => format!("[feed.html] of [[feed]] #{n}"),
                    None => "[feed.html]".to_owned(),
                };
                format!(
                    "unknown key `{unknown}` in {place} (expected one of {})",
                    PAGE_KEYS.join(", ")
                )
            } else if expected.contains("`url`") {
                let place = match feed_number_at(self.text, span.start) {
                    Some(n) => format!("[[feed]] #{n}"),
                    None => "[[feed]]".to_owned(),
                };
                let hint = if TOP_LEVEL_KEYS.contains(&unknown) {
                    "; top-level settings go before the first [[feed]]"
                } else {
                    ""
                };
                format!(
                    "unknown key `{unknown}` in {place} (expected one of {}){hint}",
                    FEED_KEYS.join(", ")
                )
            } else {
                format!(
                    "unknown key `{unknown}` (expected one of {})",
                    TOP_LEVEL_KEYS.join(", ")
                )
            }
        } else if message.starts_with("duplicate key") {
            format!("duplicate key `{}`", key_or("?"))
        } else if message.starts_with("invalid type") && key.as_deref() == Some("feed") {
            "bad value for `feed`: write each feed as a [[feed]] table".to_owned()
        } else if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(field, _)| field)
        {
            format!("missing key `{field}`")
        } else if message.starts_with("invalid type") {
            match &key {
                Some(key) => format!("bad value for `{key}`: {message}"),
                None => message,
            }
        } else if let Some(key) = value_key_at(self.text, span.start) {
            format!("bad value for `{key}`: {message}")
        } else {
            format!("invalid TOML: {message}")
        };
        self.invalid(span.start, text)
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key an error span points at: the key whose value the span is in (`refresh = 3`), else
/// the span itself when it is a key (`refrsh`) or a table header (`[feed]`).
fn key_at(text: &str, span: &Range<usize>) -> Option<String> {
    if let Some(key) = value_key_at(text, span.start) {
        return Some(key);
    }
    let at = text.get(span.clone())?.trim();
    let header = at.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace());
    [at, header]
        .into_iter()
        .find(|k| is_bare_key(k))
        .map(str::to_owned)
}

/// The key of the `key = value` line when `offset` lies in its value.
fn value_key_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |p| p + 1);
    let line = text.get(line_start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    if offset <= line_start + key.len() {
        return None;
    }
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    is_bare_key(key).then(|| key.to_owned())
}

fn is_bare_key(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Which `[[feed]]` table (1-based) contains `offset`, counting headers before it.
fn feed_number_at(text: &str, offset: usize) -> Option<usize> {
    let before = text.get(..offset)?;
    let count = before
        .lines()
        .filter(|line| {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            compact.starts_with("[[feed]]")
        })
        .count();
    (count > 0).then_some(count)
}

/// `16MiB`, `512 KiB`, `1GiB`, `10MB` (decimal), `1000000`: bytes, or `None`.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(text.len());
    let digits: String = text[..digits_end].chars().filter(|&c| c != '_').collect();
    let number: u64 = digits.parse().ok()?;
    let unit = text[digits_end..].trim().to_ascii_lowercase();
    let multiplier: u64 = match unit.as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(multiplier)
}

/// "expected X, found integer 10".
fn expected(what: &str, found: &Value) -> String {
    format!(
        "expected {what}, found {} {}",
        found.type_str(),
        show(found)
    )
}

/// A value as it would appear in the file, kept short and on one line.
fn show(value: &Value) -> String {
    let shown = match value {
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "[…]".to_owned(),
        Value::Table(_) => "{…}".to_owned(),
        other => other.to_string(),
    };
    clean_line(&shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new("config.toml"))
    }

    /// The error as the user sees it.
    fn error(text: &str) -> String {
        match parse_str(text) {
            Ok(config) => panic!("expected an error, got {config:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn full_config() {
        let config = parse_str(
            r#"
refresh = "5m"
timeout = "1m30s"
max_body = "8MiB"

[[feed]]
url = "https://feeds.bbci.co.uk/arabic/rss.xml"
name = "BBC عربي"
direction = "rtl"
refresh = "1h"

[[feed]]
url = "https://hnrss.org/frontpage"
direction = "ltr"

[[feed]]
url = "/home/me/local.xml"
direction = "auto"
"#,
        )
        .unwrap();
        assert_eq!(config.refresh, Duration::from_secs(300));
        assert_eq!(config.timeout, Duration::from_secs(90));
        assert_eq!(config.max_body, 8 * 1024 * 1024);
        assert_eq!(
            config.feeds,
            vec![
                FeedConfig {
                    url: "https://feeds.bbci.co.uk/arabic/rss.xml".into(),
                    name: Some("BBC عربي".into()),
                    direction: Direction::Rtl,
                    refresh: Some(Duration::from_secs(3600)),
                    html: None,
                    full_text: crate::model::FullText::Auto,
                    http: HttpSettings::default(),
                    mute: None,
                },
                FeedConfig {
                    url: "https://hnrss.org/frontpage".into(),
                    name: None,
                    direction: Direction::Ltr,
                    refresh: None,
                    html: None,
                    full_text: crate::model::FullText::Auto,
                    http: HttpSettings::default(),
                    mute: None,
                },
                FeedConfig {
                    url: "/home/me/local.xml".into(),
                    name: None,
                    direction: Direction::Auto,
                    refresh: None,
                    html: None,
                    full_text: crate::model::FullText::Auto,
                    http: HttpSettings::default(),
                    mute: None,
                },
            ]
        );
        assert_eq!(
            config.refresh_for(&config.feeds[0]),
            Duration::from_secs(3600)
        );
        assert_eq!(
            config.refresh_for(&config.feeds[1]),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn defaults() {
        assert_eq!(parse_str("").unwrap(), Config::default());
        assert_eq!(parse_str("# only a comment\n").unwrap(), Config::default());
        let config = parse_str("[[feed]]\nurl = \"a.xml\"\n").unwrap();
        assert_eq!(config.refresh, Duration::from_secs(600));
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.max_body, 16 * 1024 * 1024);
        let feed = &config.feeds[0];
        assert_eq!(feed.name, None);
        assert_eq!(feed.direction, Direction::Auto);
        assert_eq!(feed.refresh, None);
        // Each top-level default independently.
        let only_refresh = parse_str("refresh = \"1h\"").unwrap();
        assert_eq!(only_refresh.timeout, Config::default().timeout);
        assert_eq!(only_refresh.max_body, Config::default().max_body);
        let only_timeout = parse_str("timeout = \"5s\"").unwrap();
        assert_eq!(only_timeout.refresh, Config::default().refresh);
    }

    #[test]
    fn refresh_is_at_least_a_minute_over_http_and_a_second_for_files() {
        let floor = "(at least 1m; local files may go down to 1s)";
        assert_eq!(
            error("[[feed]]\nurl = \"https://example.org/rss\"\nrefresh = \"59s\"\n"),
            format!(
                "config.toml:3: bad value for `refresh`: \"59s\" is too short for [[feed]] #1, \
                 fetched over http(s) {floor}"
            )
        );
        assert_eq!(
            error("[[feed]]\nurl = \"a.xml\"\nrefresh = \"1ms\"\n"),
            "config.toml:3: bad value for `refresh`: \"1ms\" is too short (at least 1s)"
        );
        assert_eq!(
            error("refresh = \"999ms\"\n"),
            "config.toml:1: bad value for `refresh`: \"999ms\" is too short (at least 1s)"
        );
        let fast_files = parse_str(
            "refresh = \"5s\"\n[[feed]]\nurl = \"a.xml\"\n[[feed]]\nurl = \"file:///tmp/b.xml\"\n\
             refresh = \"1s\"\n[[feed]]\nurl = \"https://example.org/rss\"\nrefresh = \"1m\"\n",
        )
        .unwrap();
        assert_eq!(fast_files.refresh, Duration::from_secs(5));
        assert_eq!(fast_files.feeds[1].refresh, Some(Duration::from_secs(1)));
        // A short default is wrong as soon as an http(s) feed takes it: the error names the
        // default's line and the feed.
        assert_eq!(
            error(
                "refresh = \"5s\"\n[[feed]]\nurl = \"a.xml\"\n[[feed]]\n\
                 url = \"HTTP://example.org/feed\"\n"
            ),
            format!(
                "config.toml:1: bad value for `refresh`: \"5s\" is too short for [[feed]] #2, \
                 fetched over http(s) {floor}"
            )
        );
        assert!(parse_str("refresh = \"1m\"\n[[feed]]\nurl = \"http://example.org/\"\n").is_ok());
    }

    #[test]
    fn ticker_settings() {
        let config = parse("motion = false\nspeed = 12.5\n", Path::new("c.toml")).unwrap();
        assert!(!config.motion);
        assert!((config.speed - 12.5).abs() < f64::EPSILON);
        let error = parse("speed = 0\n", Path::new("c.toml")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("c.toml:1: bad value for `speed`"),
            "{error}"
        );
        let error = parse("\nmotion = 1\n", Path::new("c.toml")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("c.toml:2: bad value for `motion`"),
            "{error}"
        );
    }

    #[test]
    fn bidi_and_shape_settings() {
        let config = parse("bidi = \"terminal\"\nshape = false\n", Path::new("c.toml")).unwrap();
        assert_eq!(config.bidi, BidiMode::Terminal);
        assert!(!config.shape);
        let defaults = parse("", Path::new("c.toml")).unwrap();
        assert_eq!((defaults.bidi, defaults.shape), (BidiMode::Auto, true));
        let error = parse("\nbidi = \"rtl\"\n", Path::new("c.toml")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "c.toml:2: bad value for `bidi`: \"rtl\" (expected \"auto\", \"app\", \"kitty\" or \"terminal\")"
        );
        let error = parse("shape = \"no\"\n", Path::new("c.toml")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("c.toml:1: bad value for `shape`"),
            "{error}"
        );
    }

    #[test]
    fn sizes() {
        let size = |s: &str| parse_str(&format!("max_body = {s}")).map(|c| c.max_body);
        assert_eq!(size("\"8MiB\"").unwrap(), 8 << 20);
        assert_eq!(size("\"512KiB\"").unwrap(), 512 << 10);
        assert_eq!(size("\"1GiB\"").unwrap(), 1 << 30);
        assert_eq!(size("\"1000000\"").unwrap(), 1_000_000);
        assert_eq!(size("1000000").unwrap(), 1_000_000);
        assert_eq!(size("\"10MB\"").unwrap(), 10_000_000);
        assert_eq!(size("\"64KB\"").unwrap(), 64_000);
        assert_eq!(size("\"2 mib\"").unwrap(), 2 << 20);
        assert_eq!(size("\"100B\"").unwrap(), 100);
        for bad in [
            "\"16 megs\"",
            "\"MiB\"",
            "\"-1\"",
            "-1",
            "0",
            "\"0KiB\"",
            "\"1.5MiB\"",
            "true",
            "\"99999999999999999999GiB\"",
        ] {
            let message = size(bad).unwrap_err().to_string();
            assert!(
                message.starts_with("config.toml:1: bad value for `max_body`: "),
                "{bad}: {message}"
            );
        }
        assert_eq!(
            size("\"16 megs\"").unwrap_err().to_string(),
            "config.toml:1: bad value for `max_body`: invalid size \"16 megs\" (use e.g. 16MiB, 512KiB, 1GiB, 1000000)"
        );
    }

    #[test]
    fn durations() {
        let refresh = |s: &str| parse_str(&format!("refresh = {s}")).map(|c| c.refresh);
        assert_eq!(refresh("\"90s\"").unwrap(), Duration::from_secs(90));
        assert_eq!(refresh("\"5m\"").unwrap(), Duration::from_secs(300));
        assert_eq!(refresh("\"1h\"").unwrap(), Duration::from_secs(3600));
        assert_eq!(refresh("\"1h30m\"").unwrap(), Duration::from_secs(5400));
        assert_eq!(refresh("\"1h 30m\"").unwrap(), Duration::from_secs(5400));
        assert_eq!(
            refresh("\"0s\"").unwrap_err().to_string(),
            "config.toml:1: bad value for `refresh`: must be longer than zero"
        );
        assert_eq!(
            refresh("600").unwrap_err().to_string(),
            "config.toml:1: bad value for `refresh`: expected a duration such as \"10m\", found integer 600"
        );
        assert!(
            refresh("\"500y\"")
                .unwrap_err()
                .to_string()
                .contains("too long")
        );
    }

    #[test]
    fn store_settings() {
        let config = parse_str("keep = \"7d\"\nmax_per_feed = 2000\n").unwrap();
        assert_eq!(config.keep, Duration::from_secs(7 * 24 * 60 * 60));
        assert_eq!(config.max_per_feed, 2000);
        let defaults = parse_str("").unwrap();
        assert_eq!(defaults.keep, Duration::from_secs(30 * 24 * 60 * 60));
        assert_eq!(defaults.max_per_feed, 500);
        let keep = |s: &str| parse_str(&format!("keep = {s}")).map(|c| c.keep);
        assert_eq!(keep("\"30d\"").unwrap(), Duration::from_secs(2_592_000));
        assert_eq!(keep("\"12h\"").unwrap(), Duration::from_secs(43_200));
        assert_eq!(keep("\"2 weeks\"").unwrap(), Duration::from_secs(1_209_600));
        assert_eq!(keep("\"1y\"").unwrap(), Duration::from_secs(31_557_600));
        assert_eq!(
            keep("\"a month\"").unwrap_err().to_string(),
            "config.toml:1: bad value for `keep`: invalid duration \"a month\" (use e.g. 12h, 7d, 30d)"
        );
        assert_eq!(
            keep("\"0d\"").unwrap_err().to_string(),
            "config.toml:1: bad value for `keep`: must be longer than zero"
        );
        assert!(
            keep("\"400d\"")
                .unwrap_err()
                .to_string()
                .contains("too long")
        );
        assert_eq!(
            keep("30").unwrap_err().to_string(),
            "config.toml:1: bad value for `keep`: expected a duration such as \"10m\", found integer 30"
        );
    }

    #[test]
    fn max_per_feed_is_a_sane_whole_number() {
        let max = |s: &str| parse_str(&format!("refresh = \"1m\"\nmax_per_feed = {s}\n"));
        assert_eq!(max("1").unwrap().max_per_feed, 1);
        assert_eq!(max("100_000").unwrap().max_per_feed, 100_000);
        assert_eq!(
            max("0").unwrap_err().to_string(),
            "config.toml:2: bad value for `max_per_feed`: 0 (use 1 to 100000)"
        );
        assert_eq!(
            max("-5").unwrap_err().to_string(),
            "config.toml:2: bad value for `max_per_feed`: -5 (use 1 to 100000)"
        );
        assert_eq!(
            max("100001").unwrap_err().to_string(),
            "config.toml:2: bad value for `max_per_feed`: 100001 (use 1 to 100000)"
        );
        assert_eq!(
            max("\"500\"").unwrap_err().to_string(),
            "config.toml:2: bad value for `max_per_feed`: expected a whole number such as 500, found string \"500\""
        );
        assert!(
            max("2.5").unwrap_err().to_string().starts_with(
                "config.toml:2: bad value for `max_per_feed`: expected a whole number"
            )
        );
    }

    #[test]
    fn default_config_text_is_exactly_the_defaults() {
        let config = parse(DEFAULT_CONFIG_TEXT, Path::new("assets/default-config.toml")).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn default_config_text_mentions_every_key() {
        // Settings are written out, the [[feed]] example is commented out.
        let lines: Vec<&str> = DEFAULT_CONFIG_TEXT
            .lines()
            .map(|line| line.trim_start_matches(['#', ' ']))
            .collect();
        for key in TOP_LEVEL_KEYS.iter().chain(FEED_KEYS).chain(PAGE_KEYS) {
            let table = format!("[[{key}]]");
            let sub_table = format!("[feed.{key}]");
            let own_table = format!("[{key}]");
            let setting = format!("{key} = ");
            assert!(
                lines.iter().any(|line| line.starts_with(&setting)
                    || *line == table
                    || *line == sub_table
                    || *line == own_table),
                "`{key}` is missing from assets/default-config.toml"
            );
        }
        // Each setting has a comment of its own just above it.
        let raw: Vec<&str> = DEFAULT_CONFIG_TEXT.lines().collect();
        for (index, line) in raw.iter().enumerate() {
            if !line.starts_with('#') && line.contains(" = ") {
                assert!(
                    index > 0 && raw[index - 1].starts_with('#'),
                    "no comment above `{line}`"
                );
            }
        }
    }

    #[test]
    fn unknown_top_level_key_names_line_and_key() {
        assert_eq!(
            error("timeout = \"30s\"\n\nrefrsh = \"10m\"\n"),
            "config.toml:3: unknown key `refrsh` (expected one of refresh, timeout, max_body, bidi, shape, motion, hyperlinks, speed, keep, max_per_feed, stem, theme, keys, colors, ticker, view, mute, alert, feed)"
        );
        assert_eq!(
            error("refresh = \"1m\"\n[colours]\nfg = 1\n"),
            "config.toml:2: unknown key `colours` (expected one of refresh, timeout, max_body, bidi, shape, motion, hyperlinks, speed, keep, max_per_feed, stem, theme, keys, colors, ticker, view, mute, alert, feed)"
        );
    }

    #[test]
    fn a_page_feed_has_its_selectors_checked_where_they_are_written() {
        let page = "[[feed]]\nurl = \"https://e.x/latest\"\n[feed.html]\nitem = \"ul.latest li\"\n\
                    title = \"a\"\nlink = \"a@href\"\ntime = \".time\"\n";
        let config = parse(page, Path::new("config.toml")).unwrap();
        let rules = config.feeds[0].html.as_ref().unwrap();
        assert_eq!(
            (
                rules.item.as_str(),
                rules.link.as_str(),
                rules.time.as_deref()
            ),
            ("ul.latest li", "a@href", Some(".time"))
        );
        assert_eq!(rules.summary, None);
        assert_eq!(rules.zone, None);
        let zoned = parse(
            &format!("{page}zone = \"+04:00\"\n"),
            Path::new("config.toml"),
        )
        .unwrap();
        assert_eq!(zoned.feeds[0].html.as_ref().unwrap().zone, Some(4 * 3600));
        assert_eq!(
            error(&format!("{page}zone = \"Asia/Dubai\"\n")),
            "config.toml:8: bad value for `zone`: \"Asia/Dubai\" (use e.g. \"+04:00\", \"-05:30\" or \"UTC\")"
        );
        assert_eq!(
            error(&page.replace("a@href", "a >> b")),
            "config.toml:6: bad value for `link`: `a >> b` is not a CSS selector"
        );
        assert_eq!(
            error(&page.replace("\"ul.latest li\"", "\"li@class\"")),
            "config.toml:4: bad value for `item`: `li@class`: an element is needed here, not an attribute"
        );
        assert_eq!(
            error(&page.replace("title = \"a\"\n", "")),
            "config.toml:3: missing key `title` in [feed.html] of [[feed]] #1"
        );
        assert_eq!(
            error(&format!("{page}tiem = \"x\"\n")),
            "config.toml:8: unknown key `tiem` in [feed.html] of [[feed]] #1 (expected one of item, title, link, time, summary, article, zone)"
        );
    }

    #[test]
    fn unknown_feed_key_names_line_key_and_feed() {
        assert_eq!(
            error("[[feed]]\nurl = \"a\"\n\n[[feed]]\nurl = \"b\"\ndirecton = \"rtl\"\n"),
            "config.toml:6: unknown key `directon` in [[feed]] #2 (expected one of url, name, direction, refresh, full_text, user_agent, headers, username, password_command, proxy, mute, html)"
        );
        // A top-level setting written after a [[feed]] lands in that feed.
        assert_eq!(
            error("[[feed]]\nurl = \"a\"\ntimeout = \"5s\"\n"),
            "config.toml:3: unknown key `timeout` in [[feed]] #1 (expected one of url, name, direction, refresh, \
             full_text, user_agent, headers, username, password_command, proxy, mute, html); top-level settings go before the first [[feed]]"
        );
    }

    #[test]
    fn bad_duration_names_line_and_key() {
        assert_eq!(
            error("refresh = \"abc\"\n"),
            "config.toml:1: bad value for `refresh`: invalid duration \"abc\" (use e.g. 90s, 5m, 1h)"
        );
        assert_eq!(
            error("[[feed]]\nurl = \"a\"\n\n[[feed]]\nurl = \"b\"\nrefresh = \"10 minutes-ish\"\n"),
            "config.toml:6: bad value for `refresh`: invalid duration \"10 minutes-ish\" (use e.g. 90s, 5m, 1h)"
        );
        assert_eq!(
            error("refresh = \"1m\"\ntimeout = \"0s\"\n"),
            "config.toml:2: bad value for `timeout`: must be longer than zero"
        );
    }

    #[test]
    fn bad_direction() {
        assert_eq!(
            error("[[feed]]\nurl = \"a\"\ndirection = \"up\"\n"),
            "config.toml:3: bad value for `direction`: \"up\" (expected \"auto\", \"rtl\" or \"ltr\")"
        );
        assert!(error("[[feed]]\nurl = \"a\"\ndirection = \"RTL\"\n").contains("`direction`"));
        assert!(
            error("[[feed]]\nurl = \"a\"\ndirection = 1\n")
                .contains("config.toml:3: bad value for `direction`")
        );
    }

    #[test]
    fn missing_or_empty_url() {
        assert_eq!(
            error("[[feed]]\nurl = \"a\"\n\n[[feed]]\nname = \"No URL\"\n"),
            "config.toml:4: missing key `url` in [[feed]] #2"
        );
        assert_eq!(
            error("[[feed]]\nurl = \"  \"\n"),
            "config.toml:2: bad value for `url`: must not be empty"
        );
        assert_eq!(
            error("[[feed]]\nurl = 3\n"),
            "config.toml:2: bad value for `url`: expected a URL string, found integer 3"
        );
    }

    #[test]
    fn other_mistakes_are_one_line_with_a_line_number() {
        assert_eq!(
            error("refresh = \"1m\"\nrefresh = \"2m\"\n"),
            "config.toml:2: duplicate key `refresh`"
        );
        assert_eq!(
            error("[feed]\nurl = \"a\"\n"),
            "config.toml:1: bad value for `feed`: write each feed as a [[feed]] table"
        );
        assert_eq!(
            error("feed = 3\n"),
            "config.toml:1: bad value for `feed`: write each feed as a [[feed]] table"
        );
        for broken in [
            "refresh = \n",
            "refresh = \"1m\n",
            "[[feed]\nurl='a'\n",
            "= 3\n",
        ] {
            let message = error(broken);
            assert!(message.starts_with("config.toml:"), "{message}");
            assert!(!message.contains('\n'), "{message}");
        }
        assert_eq!(
            error("\n\nrefresh = 10m\n"),
            "config.toml:3: bad value for `refresh`: string values must be quoted, expected literal string"
        );
        assert_eq!(
            error("[[feed]\nurl = 'a'\n"),
            "config.toml:1: invalid TOML: unclosed array table, expected `]`"
        );
    }

    #[test]
    fn names_are_cleaned() {
        let config =
            parse_str("[[feed]]\nurl = \"a\"\nname = \"  Evil\\u001b[2J  News \"\n").unwrap();
        assert_eq!(config.feeds[0].name.as_deref(), Some("Evil News"));
        let config = parse_str("[[feed]]\nurl = \"a\"\nname = \"\"\n").unwrap();
        assert_eq!(config.feeds[0].name, None);
    }

    #[test]
    fn inline_feed_array_is_accepted() {
        let config =
            parse_str("feed = [{ url = \"a\" }, { url = \"b\", direction = \"rtl\" }]\n").unwrap();
        assert_eq!(config.feeds.len(), 2);
        assert_eq!(config.feeds[1].direction, Direction::Rtl);
    }

    #[test]
    fn example_file_parses() {
        let config = parse(
            include_str!("../assets/config.example.toml"),
            Path::new("assets/config.example.toml"),
        )
        .unwrap();
        assert!(config.feeds.len() >= 7);
        assert!(config.feeds.iter().all(|f| f.name.is_some()));
        assert!(config.feeds.iter().any(|f| f.direction == Direction::Rtl));
        assert!(config.feeds.iter().any(|f| f.refresh.is_some()));
    }

    #[test]
    fn default_path_follows_xdg() {
        let os = |s: &str| Some(OsString::from(s));
        assert_eq!(
            default_path_from(os("/xdg"), os("/home/me")),
            Some(PathBuf::from("/xdg/akhbar/config.toml"))
        );
        assert_eq!(
            default_path_from(os("relative"), os("/home/me")),
            Some(PathBuf::from("/home/me/.config/akhbar/config.toml"))
        );
        assert_eq!(
            default_path_from(os(""), os("/home/me")),
            Some(PathBuf::from("/home/me/.config/akhbar/config.toml"))
        );
        assert_eq!(
            default_path_from(None, os("/home/me")),
            Some(PathBuf::from("/home/me/.config/akhbar/config.toml"))
        );
        assert_eq!(default_path_from(None, None), None);
        assert_eq!(default_path_from(os("rel"), os("")), None);
    }

    #[test]
    fn load_reads_files_and_reports_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "refresh = \"2m\"\n[[feed]]\nurl = \"a\"\n").unwrap();
        assert_eq!(load(&path).unwrap().refresh, Duration::from_secs(120));

        std::fs::write(&path, "\nrefresh = \"2 eons\"\n").unwrap();
        match load(&path) {
            Err(ConfigError::Invalid { path: p, line, .. }) => {
                assert_eq!((p, line), (path.clone(), 2));
            }
            other => panic!("{other:?}"),
        }

        let missing = dir.path().join("nope.toml");
        assert!(matches!(load(&missing), Err(ConfigError::Read { path, .. }) if path == missing));
    }

    #[test]
    fn keys_rebind_actions_and_bad_ones_name_their_line() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let config = parse(
            "[keys]\nopen = [\"Enter\", \"l\"]\nquit = \"w\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        let press = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(
            config.keys.action_for(press('l'), false),
            Some(crate::tui::action::Action::Open)
        );
        assert_eq!(
            config.keys.action_for(press('w'), false),
            Some(crate::tui::action::Action::Quit)
        );
        assert_eq!(config.keys.action_for(press('q'), false), None);
        let error = |text: &str| parse(text, Path::new("c.toml")).unwrap_err().to_string();
        assert!(
            error("refresh = \"10m\"\n[keys]\nopne = \"l\"\n")
                .starts_with("c.toml:3: unknown action `opne` in [keys] (expected one of down,"),
        );
        assert_eq!(
            error("[keys]\nopen = \"l\"\ndown = [\"j\", \"l\"]\n"),
            "c.toml:3: key `l` is bound to both `down` and `open`"
        );
        assert_eq!(
            error("[keys]\n\nup = [\"k\", \"Upp\"]\n"),
            "c.toml:3: unknown key `Upp` for `up` (a character, Enter, Esc, Tab, Space, PgUp, PgDn, Up, Down, Home, End, F1…F12, optionally after Ctrl-)"
        );
        assert_eq!(
            error("[keys]\nup = 3\n"),
            "c.toml:2: bad value for `up`: expected a key name or a list of them, found integer 3"
        );
    }

    #[test]
    fn colors_restyle_parts_and_bad_ones_name_their_line() {
        use ratatui::style::{Color, Modifier};
        let config = parse(
            "theme = \"light\"\n[colors]\nticker = \"black on #ffd75f\"\nread = \"244 italic\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(config.theme, ThemeChoice::Light);
        assert_eq!(
            config.colors,
            [
                (
                    Role::Ticker,
                    Style::new()
                        .fg(Color::Black)
                        .bg(Color::Rgb(0xff, 0xd7, 0x5f))
                ),
                (
                    Role::Read,
                    Style::new()
                        .fg(Color::Indexed(244))
                        .add_modifier(Modifier::ITALIC)
                ),
            ]
        );
        let error = |text: &str| parse(text, Path::new("c.toml")).unwrap_err().to_string();
        assert!(error("[colors]\n\nselection = \"red\"\n").starts_with(
            "c.toml:3: unknown part `selection` in [colors] (expected one of ticker, selected,"
        ));
        assert_eq!(
            error("[colors]\nsource = \"cyna\"\n"),
            "c.toml:2: bad value for `source`: “cyna” is no colour (a name like red or light-blue, #rrggbb, or 0–255)"
        );
        assert_eq!(
            error("[colors]\nsource = 6\n"),
            "c.toml:2: bad value for `source`: expected a style like \"yellow\" or \"black on #ffd75f bold\", found integer 6"
        );
        assert_eq!(
            error("theme = \"solarized\"\n"),
            "c.toml:1: bad value for `theme`: \"solarized\" (expected \"auto\", \"dark\" or \"light\")"
        );
    }

    #[test]
    fn alerts_take_a_query_and_what_to_do_and_say_where_they_are_wrong() {
        let config = parse(
            "[[alert]]\nquery = \"قمة OR summit\"\nbell = true\ncommand = [\"notify-send\", \"akhbar\"]\n\
             pin = \"2m\"\n[[alert]]\nquery = \"source:wam\"\nnotify = false\n",
            Path::new("c.toml"),
        )
        .unwrap();
        let [first, second] = &config.alerts[..] else {
            panic!("{:?}", config.alerts)
        };
        assert_eq!(first.query, Query::parse("قمة OR summit").unwrap());
        assert!(first.bell && first.notify);
        assert_eq!(first.command, ["notify-send", "akhbar"]);
        assert_eq!(first.pin, Duration::from_secs(120));
        assert!(!second.bell && !second.notify && second.command.is_empty());
        assert_eq!(second.pin, DEFAULT_PIN);
        let error = |text: &str| parse(text, Path::new("c.toml")).unwrap_err().to_string();
        assert_eq!(
            error("[[alert]]\nbell = true\n"),
            "c.toml:1: missing key `query` in [[alert]]"
        );
        assert_eq!(
            error("[[alert]]\nquery = \"a\"\nbel = true\n"),
            "c.toml:3: unknown key `bel` in [[alert]] (expected one of query, bell, notify, command, pin)"
        );
        assert!(
            error("[[alert]]\nquery = \"a\"\ncommand = \"notify-send x\"\n").starts_with(
                "c.toml:3: bad value for `command`: expected a program and its arguments"
            ),
        );
        assert!(error("[[alert]]\nquery = \"a\"\npin = \"soon\"\n").starts_with("c.toml:3: "));
    }

    #[test]
    fn views_mutes_and_the_ticker_are_checked_where_they_are_written() {
        let config = parse(
            "ticker = \"Gaza\"\n[[view]]\nname = \"Gaza\"\nquery = \"غزة OR gaza\"\nkey = \"z\"\n\
             [[mute]]\nquery = \"football\"\n[[feed]]\nurl = \"https://e.x/rss\"\nmute = \"-title:x\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(config.views.len(), 1);
        assert_eq!(config.views[0].name, "Gaza");
        assert_eq!(config.views[0].query, Query::parse("غزة OR gaza").unwrap());
        assert_eq!(config.ticker.as_deref(), Some("Gaza"));
        assert_eq!(config.mutes, [Query::parse("football").unwrap()]);
        assert_eq!(
            config.feeds[0].mute,
            Some(Query::parse("-title:x").unwrap())
        );
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        assert_eq!(
            config
                .keys
                .action_for(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE), false),
            Some(crate::tui::action::Action::View(1))
        );
        let error = |text: &str| parse(text, Path::new("c.toml")).unwrap_err().to_string();
        assert_eq!(
            error("[[view]]\nname = \"A\"\nquery = \"(a OR\"\n"),
            "c.toml:3: bad value for `query`: OR needs a term after it at character 4 (“OR”)"
        );
        assert_eq!(
            error("[[view]]\nquery = \"a\"\n"),
            "c.toml:1: missing key `name` in [[view]] #1"
        );
        assert_eq!(
            error("[[view]]\nname = \"A\"\nquery = \"a\"\n[[view]]\nname = \"A\"\nquery = \"b\"\n"),
            "c.toml:5: bad value for `name`: a second view called “A”"
        );
        assert_eq!(
            error("ticker = \"B\"\n[[view]]\nname = \"A\"\nquery = \"a\"\n"),
            "c.toml:1: bad value for `ticker`: names no [[view]] (expected one of \"A\")"
        );
        assert_eq!(
            error("[[view]]\nname = \"A\"\nquery = \"a\"\nkey = \"j\"\n"),
            "c.toml:4: key `j` is bound to both `down` and `a [[view]]`"
        );
        assert_eq!(
            error("[[mute]]\nquery = \"titel:x\"\n")
                .split(" (the fields")
                .next()
                .unwrap(),
            "c.toml:2: bad value for `query`: no field is called titel"
        );
        assert_eq!(
            error("[[feed]]\nurl = \"a\"\nmute = 3\n"),
            "c.toml:3: bad value for `mute`: expected a query string, found integer 3"
        );
    }
}
