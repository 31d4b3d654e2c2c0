//! Properties of `parse_feed`: a valid RSS 2.0, Atom 1.0 or JSON Feed 1.1 written from random
//! items gives every item back with exactly its fields, in order; and no input, arbitrary or a
//! valid feed cut short or missing a tag, makes it panic, hang or invent items.

use akhbar::feed::{ParsedFeed, parse_feed};
use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use proptest::prelude::*;
use std::sync::mpsc;
use std::time::Duration;

/// Words of every script a headline mixes, and the characters escaping must get right. Each is
/// a whole token: `&` and `<` stand alone, so no generated text reads as an entity or a tag.
const WORDS: &[&str] = &[
    "الليرة",
    "السورية",
    "تواصل",
    "غزة",
    "مليون",
    "٢٠٢٤",
    "café",
    "São",
    "Zürich",
    "crème",
    "naïve",
    "Ærøskøbing",
    "Łódź",
    "news",
    "AT",
    "T",
    "2024",
    "&",
    "<",
    ">",
    "\"",
    "'",
    "\"quoted\"",
    "it's",
    "東京",
    "新闻",
    "한국",
    "—",
    "€5",
    "100%",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 1..12).prop_map(|words| words.join(" "))
}

#[derive(Debug, Clone)]
struct Item {
    title: String,
    link: String,
    published: DateTime<FixedOffset>,
    summary: Option<String>,
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Rss,
    Atom,
    Json,
}

fn item() -> impl Strategy<Value = Item> {
    (
        text(),
        "[a-z0-9-]{1,12}",
        // 1995 to 2035, before the `now` the feeds are read at.
        788_918_400i64..2_082_758_400,
        -48i32..=56,
        prop::option::of(text()),
    )
        .prop_map(|(title, slug, seconds, quarters, summary)| {
            let zone = FixedOffset::east_opt(quarters * 15 * 60).unwrap();
            Item {
                title,
                link: format!("https://example.org/{slug}/?a=1&b={seconds}"),
                published: zone.timestamp_opt(seconds, 0).unwrap(),
                summary,
            }
        })
}

fn items() -> impl Strategy<Value = (Vec<Item>, Format, bool)> {
    (
        prop::collection::vec(item(), 1..8),
        prop::sample::select(vec![Format::Rss, Format::Atom, Format::Json]),
        any::<bool>(),
    )
        .prop_map(|(mut items, format, cdata)| {
            // Links are the items' identities: keep them distinct.
            for (index, item) in items.iter_mut().enumerate() {
                item.link.push_str(&format!("&i={index}"));
            }
            (items, format, cdata)
        })
}

/// XML character data and attribute values.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text as HTML: what a feed's HTML field must carry for the reader to see this text.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn write_rss(items: &[Item], cdata: bool) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Generated</title><link>https://example.org/</link><description>d</description>\n",
    );
    for item in items {
        out.push_str(&format!(
            "<item><title>{}</title><link>{}</link><pubDate>{}</pubDate>",
            xml(&item.title),
            xml(&item.link),
            item.published.to_rfc2822()
        ));
        if let Some(summary) = &item.summary {
            let body = if cdata {
                format!("<![CDATA[{}]]>", html(summary))
            } else {
                xml(&html(summary))
            };
            out.push_str(&format!("<description>{body}</description>"));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel></rss>\n");
    out
}

fn write_atom(items: &[Item], html_summary: bool) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Generated</title><id>urn:generated</id><updated>2024-01-01T00:00:00Z</updated>\n",
    );
    for (index, item) in items.iter().enumerate() {
        out.push_str(&format!(
            "<entry><title type=\"text\">{}</title><id>urn:generated:{index}</id>\
             <link rel=\"alternate\" href=\"{}\"/><updated>{}</updated>",
            xml(&item.title),
            xml(&item.link),
            item.published.to_rfc3339_opts(SecondsFormat::Secs, false)
        ));
        if let Some(summary) = &item.summary {
            if html_summary {
                out.push_str(&format!(
                    "<summary type=\"html\">{}</summary>",
                    xml(&html(summary))
                ));
            } else {
                out.push_str(&format!(
                    "<summary type=\"text\">{}</summary>",
                    xml(summary)
                ));
            }
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn write_json(items: &[Item]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut value = serde_json::json!({
                "id": format!("urn:generated:{index}"),
                "title": item.title,
                "url": item.link,
                "date_published": item.published.to_rfc3339_opts(SecondsFormat::Secs, false),
            });
            if let Some(summary) = &item.summary {
                value["summary"] = serde_json::Value::from(summary.as_str());
            }
            value
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Generated",
        "home_page_url": "https://example.org/",
        "items": items,
    })
    .to_string()
}

fn write(items: &[Item], format: Format, variant: bool) -> (String, &'static str) {
    match format {
        Format::Rss => (write_rss(items, variant), "application/rss+xml"),
        Format::Atom => (write_atom(items, variant), "application/atom+xml"),
        Format::Json => (write_json(items), "application/feed+json"),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0).unwrap()
}

/// `parse_feed` on another thread, so that a hang fails the case instead of the whole run.
fn parse_guarded(bytes: Vec<u8>, content_type: &'static str) -> Result<ParsedFeed, String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let result = parse_feed(&bytes, Some(content_type), None, now());
        let _ = send.send(result.map_err(|error| error.to_string()));
    });
    match receive.recv_timeout(Duration::from_secs(60)) {
        // The message of a panic caught on the way: a crash all the same.
        Ok(Err(error)) if error.contains("crashed") => panic!("parse_feed: {error}"),
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("parse_feed hung"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("parse_feed panicked"),
    }
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

/// What holds for any feed parse_feed accepts: no more headlines than the document has
/// items, each with a one-line, non-empty title.
fn sane(feed: &ParsedFeed, at_most: usize) -> Result<(), TestCaseError> {
    prop_assert!(
        feed.headlines.len() <= at_most,
        "{} headlines from at most {at_most} items",
        feed.headlines.len()
    );
    for headline in &feed.headlines {
        prop_assert!(!headline.title.is_empty());
        prop_assert!(
            !headline.title.contains(['\n', '\r']),
            "{:?}",
            headline.title
        );
        prop_assert!(
            !headline.summary.contains(['\n', '\r']),
            "{:?}",
            headline.summary
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_generated_item_comes_back_with_exactly_its_fields((items, format, variant) in items()) {
        let (document, content_type) = write(&items, format, variant);
        let feed = parse_guarded(document.clone().into_bytes(), content_type)
            .map_err(|error| TestCaseError::fail(format!("{error}\n{document}")))?;
        prop_assert_eq!(feed.headlines.len(), items.len(), "{}", document);
        for (headline, item) in feed.headlines.iter().zip(&items) {
            prop_assert_eq!(&headline.title, &item.title, "{}", document);
            prop_assert_eq!(headline.link.as_deref(), Some(item.link.as_str()), "{}", document);
            prop_assert!(headline.dated, "{}", document);
            prop_assert_eq!(headline.published, item.published.with_timezone(&Utc), "{}", document);
            prop_assert_eq!(&headline.summary, item.summary.as_deref().unwrap_or(""), "{}", document);
        }
    }

    #[test]
    fn a_feed_cut_anywhere_keeps_the_items_before_the_cut(
        (items, format, variant) in items(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (document, content_type) = write(&items, format, variant);
        let cut = cut.index(document.len());
        let kept = document.as_bytes()[..cut].to_vec();
        let closing = match format {
            Format::Rss => Some("</item>"),
            Format::Atom => Some("</entry>"),
            Format::Json => None,
        };
        let complete = closing.map_or(0, |closing| occurrences(&kept, closing.as_bytes()));
        if let Ok(feed) = parse_guarded(kept, content_type) {
            sane(&feed, items.len())?;
            if closing.is_some() {
                prop_assert!(
                    feed.headlines.len() >= complete,
                    "{} headlines, {complete} complete items before byte {cut} of\n{document}",
                    feed.headlines.len()
                );
            }
        } else {
            prop_assert!(
                complete == 0,
                "no feed from a cut after a complete item (byte {cut} of\n{document})"
            );
        }
    }

    #[test]
    fn a_feed_missing_a_tag_is_read_or_refused_without_panicking(
        (items, format, variant) in items(),
        which in any::<prop::sample::Index>(),
    ) {
        let (document, content_type) = write(&items, format, variant);
        let tags: Vec<(usize, usize)> = document
            .match_indices('<')
            .filter_map(|(start, _)| document[start..].find('>').map(|end| (start, start + end + 1)))
            .collect();
        prop_assume!(!tags.is_empty());
        let (start, end) = tags[which.index(tags.len())];
        let mutated = format!("{}{}", &document[..start], &document[end..]);
        if let Ok(feed) = parse_guarded(mutated.into_bytes(), content_type) {
            sane(&feed, items.len())?;
        }
    }
}

/// Pieces of feed syntax: random sequences of them reach deeper into the reader than random
/// bytes do.
const SYNTAX: &[&str] = &[
    "<?xml version=\"1.0\"?>",
    "<rss version=\"2.0\">",
    "<channel>",
    "</channel>",
    "<item>",
    "</item>",
    "<title>",
    "</title>",
    "<link>",
    "</link>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<entry>",
    "</entry>",
    "<link href=\"",
    "\"/>",
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
    "<dc:date>",
    "<content:encoded>",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE rss [",
    "<!ENTITY e \"&e;&e;\">",
    "]>",
    "&e;",
    "&amp;",
    "&#x0;",
    "&#99999999;",
    "&nbsp;",
    "&",
    "<",
    ">",
    "</",
    "xml:base=\"../\"",
    "<pubDate>",
    "Sun, 22 Oct 2023 01:29:00 +0300",
    "2003-12",
    "text",
    "نص",
    "\u{0}",
    "\u{FEFF}",
    "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[",
    "{\"title\":",
    "\"x\"",
    "},",
    "]}",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let at_most = bytes.len();
        if let Ok(feed) = parse_guarded(bytes, "application/xml") {
            sane(&feed, at_most)?;
        }
    }

    #[test]
    fn arbitrary_feed_syntax_never_panics(
        pieces in prop::collection::vec(prop::sample::select(SYNTAX), 0..64),
        content_type in prop::sample::select(vec!["application/rss+xml", "application/feed+json", "text/html"]),
    ) {
        let document = pieces.concat();
        let at_most = document.len();
        if let Ok(feed) = parse_guarded(document.into_bytes(), content_type) {
            sane(&feed, at_most)?;
        }
    }
}
