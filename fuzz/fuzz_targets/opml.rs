//! OPML files from other readers: never a panic; every feed read is a URL akhbar can fetch
//! with a safe one-line name; importing them keeps the config's text and adds every new
//! feed; and what akhbar exports reads back as the same feeds.
#![no_main]

use akhbar::config::{self, FeedConfig};
use akhbar::feed::Direction;
use akhbar::text::sanitize::{clean_line, is_terminal_control};
use akhbar::{import, opml};
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use url::Url;

/// A config with one feed already, so that importing it again is skipped.
const CONFIG_WITH_A_FEED: &str =
    "refresh = \"10m\"\n\n[[feed]]\nurl = \"https://example.com/feed.xml\"\n";

fuzz_target!(|data: &[u8]| {
    let Ok(read) = opml::parse(data) else {
        return;
    };
    for feed in &read.feeds {
        // Tabs and line breaks are kept as written, so that an export reads back exactly;
        // URL parsers drop them and they drive no terminal. Every other control is refused.
        assert!(
            !feed
                .url
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
            "{:?}",
            feed.url
        );
        assert_eq!(feed.url.trim(), feed.url);
        let url = Url::parse(&feed.url);
        assert!(
            url.is_ok_and(|url| matches!(url.scheme(), "http" | "https" | "file")),
            "{:?}",
            feed.url
        );
        if let Some(name) = &feed.name {
            assert!(!name.is_empty());
            assert_eq!(&clean_line(name), name, "name is one safe line");
        }
    }
    // A refused URL is shown with its controls percent-encoded (its spacing as written).
    for rejected in &read.rejected {
        assert!(
            !rejected.url.chars().any(is_terminal_control),
            "{:?}",
            rejected.url
        );
    }

    // Import into a config file.
    let config_text = if data.len() % 2 == 0 {
        config::DEFAULT_CONFIG_TEXT
    } else {
        CONFIG_WITH_A_FEED
    };
    let path = Path::new("config.toml");
    let appended = match import::append_feeds(config_text, path, &read.feeds) {
        Ok(appended) => appended,
        Err(error) => panic!("import of {:?} failed: {error}", read.feeds),
    };
    assert!(appended.text.starts_with(config_text), "old text changed");
    assert_eq!(
        appended.added.len() + appended.already_there,
        read.feeds.len()
    );
    let imported = match config::parse(&appended.text, path) {
        Ok(imported) => imported,
        Err(error) => panic!("imported config does not load: {error}"),
    };
    let new_feeds = &imported.feeds[imported.feeds.len() - appended.added.len()..];
    for (configured, added) in new_feeds.iter().zip(&appended.added) {
        assert_eq!(configured.url, added.url);
        assert_eq!(configured.name, added.name);
    }

    // Export and read back. XML cannot carry U+FFFE/U+FFFF at all, so such feeds are left
    // out; everything else, whitespace inside a URL included, must come back as it was.
    let not_in_xml = |c: char| matches!(c, '\u{FFFE}' | '\u{FFFF}');
    let exportable: Vec<FeedConfig> = read
        .feeds
        .iter()
        .filter(|feed| {
            !feed.url.contains(not_in_xml)
                && !feed
                    .name
                    .as_deref()
                    .is_some_and(|name| name.contains(not_in_xml))
        })
        .map(|feed| FeedConfig {
            url: feed.url.clone(),
            name: feed.name.clone(),
            direction: Direction::Auto,
            refresh: None,
        })
        .collect();
    let mut written = Vec::new();
    let created = DateTime::<Utc>::from_timestamp(1_717_200_000, 0).unwrap_or_default();
    assert!(opml::write(&mut written, &exportable, created).is_ok());
    let again = opml::parse(&written);
    assert!(again.is_ok(), "{again:?}");
    let again = again.unwrap_or_default();
    assert!(again.rejected.is_empty(), "{:?}", again.rejected);
    let urls: Vec<(&str, Option<&str>)> = again
        .feeds
        .iter()
        .map(|feed| (feed.url.as_str(), feed.name.as_deref()))
        .collect();
    let expected: Vec<(&str, Option<&str>)> = exportable
        .iter()
        .map(|feed| (feed.url.as_str(), feed.name.as_deref()))
        .collect();
    assert_eq!(urls, expected);
});
