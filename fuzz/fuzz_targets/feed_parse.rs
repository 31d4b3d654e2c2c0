//! Feed bytes from a hostile server → headlines: never a panic, and every headline obeys
//! what the rest of akhbar takes for granted (one safe line of title, absolute links,
//! plausible dates).
#![no_main]

use akhbar::feed::parse_feed;
use akhbar::text::sanitize::clean_line;
use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use url::Url;

/// What servers claim the body is; the parser sniffs rather than trusts it, but a charset
/// in it counts. Picked by the input's length so that seed files keep their first bytes.
const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("application/rss+xml"),
    Some("application/feed+json"),
    Some("text/html; charset=windows-1256"),
    Some("text/xml; charset=iso-8859-6"),
];

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fuzz_target!(|data: &[u8]| {
    let now = DateTime::<Utc>::from_timestamp(1_717_200_000, 0).unwrap_or_default();
    let content_type = CONTENT_TYPES[data.len() % CONTENT_TYPES.len()];
    let base = Url::parse("https://example.com/news/feed.xml").ok();
    let base = if data.len() % 2 == 0 {
        base.as_ref()
    } else {
        None
    };
    let Ok(feed) = parse_feed(data, content_type, base, now) else {
        return;
    };
    assert!(
        !feed.title.chars().any(is_unsafe),
        "feed title {:?}",
        feed.title
    );
    let latest = now + TimeDelta::days(1);
    for headline in &feed.headlines {
        assert!(!headline.id.is_empty());
        assert!(!headline.title.is_empty());
        assert_eq!(
            clean_line(&headline.title),
            headline.title,
            "title is one safe line"
        );
        assert!(
            !headline.summary.chars().any(is_unsafe),
            "summary {:?}",
            headline.summary
        );
        if let Some(link) = &headline.link {
            assert!(Url::parse(link).is_ok(), "link {link:?} is not absolute");
        }
        if headline.dated {
            assert!(headline.published >= DateTime::<Utc>::UNIX_EPOCH);
            assert!(
                headline.published <= latest,
                "{} is after now",
                headline.published
            );
        } else {
            assert_eq!(headline.published, now);
        }
    }
});
