//! One entry point from bytes to headlines: [`parse_feed`].
//!
//! The bytes are decoded ([`super::decode`]) and sniffed (the content type is not trusted:
//! feeds are served as `text/html` and pages as `application/rss+xml`); JSON Feeds go to
//! [`super::json`], everything else to the streaming XML reader ([`super::xml`]), which reads
//! broken XML as it is instead of mending it first.

use super::decode;
use super::entry::BodySink;
use super::model::ParsedFeed;
use super::xml;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use url::Url;

/// Why a feed could not be read at all; the message is one line, fit for `akhbar: <url>: <reason>`.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("empty response")]
    Empty,
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// An HTML page, and the first feed it advertises, if any.
    #[error("not a feed: got an HTML page{}", links_to.as_ref().map_or_else(String::new, |url| format!(" (it links to a feed: {url})")))]
    Page { links_to: Option<String> },
    #[error("json error: {0}")]
    Json(String),
}

/// Parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.x, leniently.
///
/// `content_type` is the HTTP `Content-Type` header, if any (its `charset` counts);
/// `base` is where the feed came from, against which relative links resolve last; `now`
/// dates undated items and bounds plausible dates. A feed that parses but has no items is
/// not an error here: it is an empty [`ParsedFeed`], which callers report as such.
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    base: Option<&Url>,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, ParseError> {
    refuse_early(bytes)?;
    let decoded = decode::decode(bytes, content_type);
    read_decoded(decoded.text, 0, decoded.notes, base, now, None)
}

/// [`parse_feed`] for a body the caller is done with: decoded into a string of its own (the
/// bytes themselves when they are UTF-8) that the XML reader gives back as it reads, so a
/// big feed is not held whole beside its headlines. With `bodies`, each item's body goes
/// there as it is read instead of into its headline.
pub fn parse_feed_owned(
    bytes: Vec<u8>,
    content_type: Option<&str>,
    base: Option<&Url>,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Result<ParsedFeed, ParseError> {
    refuse_early(&bytes)?;
    let decoded = decode::decode_owned(bytes, content_type);
    read_decoded(
        Cow::Owned(decoded.text),
        decoded.start,
        decoded.notes,
        base,
        now,
        bodies,
    )
}

/// Bodies that are no feed before any decoding.
fn refuse_early(bytes: &[u8]) -> Result<(), ParseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    if bytes.starts_with(&[0x1F, 0x8B]) {
        // A body whose Content-Encoding was lost on the way; decoding it as text helps no one.
        return Err(ParseError::NotAFeed(
            "got gzip-compressed bytes that were not decompressed".to_string(),
        ));
    }
    Ok(())
}

/// Reads the decoded `text` from byte `start` on, as whatever kind of feed it is.
fn read_decoded(
    text: Cow<'_, str>,
    start: usize,
    mut notes: Vec<String>,
    base: Option<&Url>,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Result<ParsedFeed, ParseError> {
    let rest = text.get(start..).unwrap_or_default();
    let body = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let start = start + (rest.len() - body.len());
    if body.is_empty() {
        return Err(ParseError::Empty);
    }
    let mut feed = match sniff(body) {
        Sniff::Json => super::json::parse_json_feed_into(body, base, now, bodies)?,
        Sniff::Xml { skip } => {
            if skip > 0 {
                notes.push(format!("skipped {skip} bytes of junk before the feed"));
            }
            let read = match text {
                Cow::Owned(text) => xml::read_owned(text, start + skip, base, now, bodies),
                Cow::Borrowed(text) => {
                    xml::read(text.get(start + skip..).unwrap_or_default(), base, now)
                }
            };
            found(read)?
        }
        Sniff::Html => match embedded_feed(body, base, now) {
            Some(feed) => {
                notes.push("read the feed inside an HTML page".to_string());
                feed
            }
            None => {
                return Err(ParseError::Page {
                    links_to: super::links::feed_links(body, base)
                        .into_iter()
                        .next()
                        .map(|found| found.url),
                });
            }
        },
        Sniff::Unknown => {
            return Err(ParseError::NotAFeed(
                "no rss, atom or json feed found".to_string(),
            ));
        }
    };
    notes.append(&mut feed.repairs);
    feed.repairs = notes;
    Ok(feed)
}

/// The feed an XML read found, or why there was none.
fn found(read: xml::Read) -> Result<ParsedFeed, ParseError> {
    if !read.found_root {
        return Err(ParseError::NotAFeed(
            "no rss, atom or json feed root".to_string(),
        ));
    }
    Ok(read.feed)
}

fn read_xml(xml: &str, base: Option<&Url>, now: DateTime<Utc>) -> Result<ParsedFeed, ParseError> {
    found(xml::read(xml, base, now))
}

/// A feed an HTML page carries inline (an XHTML page around an RSS or Atom document), when
/// it has items.
fn embedded_feed(page: &str, base: Option<&Url>, now: DateTime<Utc>) -> Option<ParsedFeed> {
    let at = feed_root_in(page.as_bytes())?;
    let feed = read_xml(page.get(at..)?, base, now).ok()?;
    (!feed.headlines.is_empty()).then_some(feed)
}

// ---- sniffing ---------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
enum Sniff {
    Json,
    /// XML whose feed starts `skip` bytes in (past junk such as a PHP warning).
    Xml {
        skip: usize,
    },
    Html,
    Unknown,
}

/// How far into a body junk before the feed's root is looked past.
const JUNK_LIMIT: usize = 64 * 1024;

fn sniff(body: &str) -> Sniff {
    if body.starts_with('{') {
        return Sniff::Json;
    }
    let b = body.as_bytes();
    let mut i = 0;
    let mut html_doctype = false;
    loop {
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let rest = b.get(i..).unwrap_or_default();
        let end = if rest.starts_with(b"<?") {
            find(rest, b"?>").map(|e| e + 2)
        } else if rest.starts_with(b"<!--") {
            find(rest, b"-->").map(|e| e + 3)
        } else if rest
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"<!doctype"))
        {
            let name = rest.get(9..).unwrap_or_default();
            let name = name.trim_ascii_start();
            html_doctype = name
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"html"));
            find(rest, b">").map(|e| e + 1)
        } else {
            None
        };
        match end {
            Some(e) => i += e,
            None => break,
        }
    }
    let rest = b.get(i..).unwrap_or_default();
    if let Some(name) = rest.strip_prefix(b"<") {
        let len = name
            .iter()
            .position(|&c| c.is_ascii_whitespace() || c == b'>' || c == b'/')
            .unwrap_or(name.len());
        let qname = name.get(..len).unwrap_or_default();
        let local = qname
            .iter()
            .rposition(|&c| c == b':')
            .and_then(|p| qname.get(p + 1..))
            .unwrap_or(qname);
        match local {
            _ if [&b"rss"[..], b"rdf", b"feed", b"entry", b"channel"]
                .iter()
                .any(|root| local.eq_ignore_ascii_case(root)) =>
            {
                return Sniff::Xml { skip: 0 };
            }
            _ if html_doctype
                || [&b"html"[..], b"head", b"body"]
                    .iter()
                    .any(|h| local.eq_ignore_ascii_case(h)) =>
            {
                return Sniff::Html;
            }
            _ => {}
        }
    }
    if html_doctype {
        return Sniff::Html;
    }
    let window = b.get(..JUNK_LIMIT).unwrap_or(b);
    feed_root_in(window).map_or(Sniff::Unknown, |skip| Sniff::Xml { skip })
}

/// Where the first feed root (`<rss`, `<rdf:RDF`, `<feed`) starts in `text`.
fn feed_root_in(text: &[u8]) -> Option<usize> {
    [&b"<rss"[..], b"<rdf:RDF", b"<feed"]
        .iter()
        .filter_map(|root| {
            let at = find(text, root)?;
            let next = text.get(at + root.len());
            next.is_none_or(|&c| c.is_ascii_whitespace() || c == b'>')
                .then_some(at)
        })
        .min()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A message cut to one short line, starting lower-case.
pub(super) fn one_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    let mut out: String = line.chars().take(200).collect();
    if let Some(first) = out.chars().next()
        && first.is_uppercase()
        && !out.chars().nth(1).is_some_and(char::is_uppercase)
    {
        let lower: String = first.to_lowercase().collect();
        out.replace_range(..first.len_utf8(), &lower);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::sanitize::plain_text;
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;
    use std::time::Duration;

    macro_rules! fixture {
        ($name:literal) => {
            (
                $name,
                include_bytes!(concat!("../../tests/fixtures/feeds/", $name)).as_slice(),
            )
        };
    }

    const H0: &str = "الليرة السورية تواصل التحسن منذ سقوط النظام";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 10, 23, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    fn parse(
        (name, bytes): (&str, &[u8]),
        content_type: Option<&str>,
        base: Option<&str>,
    ) -> ParsedFeed {
        let base = base.and_then(|b| Url::parse(b).ok());
        match parse_feed(bytes, content_type, base.as_ref(), now()) {
            Ok(feed) => feed,
            Err(e) => panic!("{name}: {e}"),
        }
    }

    fn titles(feed: &ParsedFeed) -> Vec<&str> {
        feed.headlines.iter().map(|h| h.title.as_str()).collect()
    }

    #[track_caller]
    fn assert_clean(feed: &ParsedFeed) {
        for h in &feed.headlines {
            assert!(!h.title.is_empty());
            assert!(!h.id.is_empty());
        }
    }

    /// Every fixture of the README table: (fixture, content type, count, one title).
    fn expectations() -> Vec<(String, String, usize, String)> {
        let readme = include_str!("../../tests/fixtures/feeds/README.md");
        let table = readme
            .split("## expectations")
            .nth(1)
            .and_then(|s| s.split("```tsv").nth(1))
            .and_then(|s| s.split("```").next())
            .unwrap_or_default();
        table
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                assert_eq!(cols.len(), 4, "bad README line {l:?}");
                let col = |i: usize| cols.get(i).copied().unwrap_or_default().to_string();
                (col(0), col(1), col(2).parse().unwrap_or(usize::MAX), col(3))
            })
            .collect()
    }

    fn fixture_bytes(name: &str) -> &'static [u8] {
        let all = [
            fixture!("rss2.xml"),
            fixture!("rss091-doctype.xml"),
            fixture!("rss090.xml"),
            fixture!("rss1-rdf.xml"),
            fixture!("atom.xml"),
            fixture!("jsonfeed.json"),
            fixture!("windows-1256-declared.xml"),
            fixture!("windows-1256-undeclared.xml"),
            fixture!("iso-8859-6-declared.xml"),
            fixture!("iso-8859-6-undeclared.xml"),
            fixture!("http-charset.xml"),
            fixture!("served-as-html.xml"),
            fixture!("bare-ampersand.xml"),
            fixture!("html-entities.xml"),
            fixture!("raw-html-description.xml"),
            fixture!("escaped-html-title.xml"),
            fixture!("utf8-bom.xml"),
            fixture!("relative-links.xml"),
            fixture!("default-namespace.xml"),
            fixture!("aliased-namespace.xml"),
            fixture!("truncated.xml"),
            fixture!("dates.xml"),
            fixture!("html-page.html"),
        ];
        all.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
            .unwrap_or_else(|| panic!("fixture {name} is not included"))
    }

    fn sanitizer_ready() -> bool {
        plain_text("<b>a</b> &amp;") == "a &"
    }

    /// The README table holds for every fixture.
    #[test]
    fn readme_expectations_hold() {
        let rows = expectations();
        assert_eq!(rows.len(), 23);
        for (name, content_type, count, title) in rows {
            let bytes = fixture_bytes(&name);
            let result = parse_feed(
                bytes,
                Some(&content_type),
                Url::parse("https://example.com/feeds/feed.xml")
                    .ok()
                    .as_ref(),
                now(),
            );
            if count == 0 {
                assert!(result.is_err(), "{name} should fail");
                continue;
            }
            let feed = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(feed.headlines.len(), count, "{name}: {:?}", titles(&feed));
            assert_clean(&feed);
            // Until `plain_text` strips tags and decodes entities, escaped markup shows.
            let needs_sanitizer = name == "escaped-html-title.xml" && !sanitizer_ready();
            assert!(
                needs_sanitizer || feed.headlines.iter().any(|h| h.title == title),
                "{name}: no title {title:?} in {:?}",
                titles(&feed)
            );
        }
    }

    #[test]
    fn rss2() {
        let feed = parse(fixture!("rss2.xml"), Some("application/rss+xml"), None);
        assert_eq!(feed.title, "الإمارات 71 - أحدث الأخبار");
        assert_eq!(feed.link.as_deref(), Some("https://example.com/ar/"));
        assert_eq!(feed.language.as_deref(), Some("ar"));
        assert_eq!(feed.ttl, Some(Duration::from_secs(15 * 60)));
        assert!(feed.repairs.is_empty(), "{:?}", feed.repairs);
        let [first, second, third] = feed.headlines.as_slice() else {
            panic!("{:?}", titles(&feed));
        };
        assert_eq!(first.title, H0);
        assert_eq!(first.id, "news-1");
        assert_eq!(first.link.as_deref(), Some("https://example.com/ar/news/1"));
        assert_eq!(first.published, utc(2023, 10, 21, 22, 29));
        assert!(first.dated);
        assert!(first.summary.starts_with("قالت وزارة الخارجية"));
        assert!(
            first
                .body_html
                .as_deref()
                .is_some_and(|b| b.contains("<p>المزيد</p>")),
            "content:encoded is the body"
        );
        // No <link>: the guid is the permalink.
        assert_eq!(
            second.link.as_deref(),
            Some("https://example.com/ar/news/2")
        );
        assert_eq!(second.id, "https://example.com/ar/news/2");
        // No guid: the link is the id.
        assert_eq!(third.id, "https://example.com/en/news/3");
        assert_eq!(third.title, "Qatar says talks on hostages continue");
        assert_eq!(
            third.summary,
            plain_text("Qatar's foreign ministry said on Saturday that talks continue.")
        );
    }

    #[test]
    fn rss091_with_doctype() {
        let feed = parse(fixture!("rss091-doctype.xml"), None, None);
        assert_eq!(feed.headlines.len(), 2);
        assert!(feed.repairs.is_empty(), "{:?}", feed.repairs);
        let first = &feed.headlines[0];
        assert!(!first.dated);
        assert_eq!(first.published, now());
        assert!(first.summary.ends_with("\u{a0}\u{2026}") || first.summary.ends_with(" \u{2026}"));
    }

    #[test]
    fn rss090_and_rss1() {
        let feed = parse(fixture!("rss090.xml"), None, None);
        assert_eq!(feed.headlines.len(), 2, "{:?}", feed.repairs);
        assert_eq!(feed.title, "أخبار 0.90");
        assert_eq!(
            feed.headlines[1].link.as_deref(),
            Some("https://example.com/ar/news/91")
        );

        let feed = parse(fixture!("rss1-rdf.xml"), None, None);
        assert_eq!(feed.headlines.len(), 2);
        assert_eq!(feed.language.as_deref(), Some("ar"));
        assert_eq!(feed.headlines[0].published, utc(2023, 10, 22, 5, 11));
        // No guid in RSS 1.0: the link is the id.
        assert_eq!(feed.headlines[0].id, "https://example.com/ar/news/10");
    }

    #[test]
    fn atom_with_xml_base() {
        let feed = parse(fixture!("atom.xml"), Some("application/atom+xml"), None);
        assert_eq!(feed.link.as_deref(), Some("https://example.org/ar/"));
        assert_eq!(feed.language.as_deref(), Some("ar"));
        let [a, b, c] = feed.headlines.as_slice() else {
            panic!("{:?}", titles(&feed));
        };
        assert_eq!(a.link.as_deref(), Some("https://example.org/ar/news/7"));
        assert_eq!(a.published, utc(2023, 10, 22, 4, 34));
        assert_eq!(a.id, "tag:example.org,2023:7");
        assert!(a.summary.starts_with(&plain_text("<p>قالت")));
        // A text construct is plain text: "<3" is not a tag.
        assert_eq!(
            b.title,
            plain_text(&html_escape::encode_text("Tom & Jerry <3 Gaza talks"))
        );
        assert_eq!(b.link.as_deref(), Some("https://example.org/en/story/8"));
        assert_eq!(b.language.as_deref(), Some("en"));
        assert_eq!(b.published, utc(2023, 10, 22, 5, 32));
        assert!(
            b.body_html
                .as_deref()
                .is_some_and(|h| h.contains("<b>body</b>"))
        );
        assert_eq!(c.link.as_deref(), Some("https://other.example/abs/9"));
        assert_eq!(
            c.title,
            plain_text("<b>الحريري يعلق على سقوط الأسد: هذا هو اليوم الذي انتظرته</b>")
        );
    }

    #[test]
    fn json_feed() {
        let feed = parse(
            fixture!("jsonfeed.json"),
            Some("application/feed+json"),
            Some("https://example.net/ar/feed.json"),
        );
        assert_eq!(feed.title, "أخبار JSON");
        assert_eq!(feed.link.as_deref(), Some("https://example.net/ar/"));
        let [a, b, c] = feed.headlines.as_slice() else {
            panic!("{:?}", titles(&feed));
        };
        assert_eq!(a.id, "j1");
        assert_eq!(a.published, utc(2023, 10, 22, 4, 32));
        assert_eq!(b.id, "2", "numeric id mended");
        assert!(feed.repairs.iter().any(|r| r.contains("json feed")));
        // Untitled: titled from its text; relative url resolved against the feed URL.
        assert!(c.title.starts_with("بقيمة سبعة ملايين درهم"));
        assert!(c.title.chars().count() <= 81);
        assert_eq!(c.link.as_deref(), Some("https://example.net/ar/3"));
        assert!(c.dated, "date_modified counts");
    }

    #[test]
    fn legacy_arabic_charsets() {
        let cases = [
            (fixture!("windows-1256-declared.xml"), None, "windows-1256"),
            (
                fixture!("windows-1256-undeclared.xml"),
                None,
                "windows-1256",
            ),
            (fixture!("iso-8859-6-declared.xml"), None, "ISO-8859-6"),
            (fixture!("iso-8859-6-undeclared.xml"), None, "ISO-8859-6"),
            (
                fixture!("http-charset.xml"),
                Some("text/xml; charset=windows-1256"),
                "windows-1256",
            ),
        ];
        for ((name, bytes), content_type, encoding) in cases {
            assert_eq!(
                decode::decode(bytes, content_type).encoding.name(),
                encoding,
                "{name}"
            );
            let feed = parse((name, bytes), content_type, None);
            assert_eq!(feed.title, "الإمارات 71 - أحدث الأخبار", "{name}");
            for h in &feed.headlines {
                assert!(!h.title.contains('\u{FFFD}'), "{name}: {}", h.title);
                assert!(h.summary.starts_with("قالت وزارة الخارجية"), "{name}");
            }
        }
    }

    #[test]
    fn feed_served_as_html_still_parses() {
        let feed = parse(
            fixture!("served-as-html.xml"),
            Some("text/html; charset=utf-8"),
            None,
        );
        assert_eq!(feed.headlines.len(), 2);
    }

    #[test]
    fn html_page_is_not_a_feed() {
        let base = Url::parse("https://example.com/ar/").ok();
        let err = parse_feed(
            fixture!("html-page.html").1,
            Some("application/rss+xml"),
            base.as_ref(),
            now(),
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "not a feed: got an HTML page (it links to a feed: https://example.com/ar/rss.xml)"
            )
        );
        let err = parse_feed(b"<html><body>hi</body></html>", None, None, now())
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("not a feed: got an HTML page"));
    }

    #[test]
    fn bare_ampersands() {
        let feed = parse(fixture!("bare-ampersand.xml"), None, None);
        assert_eq!(feed.title, "Tom & Jerry News");
        let [a, b] = feed.headlines.as_slice() else {
            panic!("{:?}", titles(&feed));
        };
        assert_eq!(a.title, "Tom & Jerry");
        assert_eq!(
            a.link.as_deref(),
            Some("https://example.com/news?id=1&lang=ar")
        );
        assert!(!a.summary.contains('\u{b}'));
        assert_eq!(b.title, format!("{H0} & المزيد"));
        assert!(feed.repairs.is_empty(), "{:?}", feed.repairs);
    }

    #[test]
    fn html_entities() {
        let feed = parse(fixture!("html-entities.xml"), None, None);
        assert_eq!(titles(&feed)[0], "Café — légende");
        assert_eq!(
            titles(&feed)[1],
            "«الشرع: سوريا الجديدة لن تخوض صراعاً مع \"إسرائيل\"»"
        );
        assert_eq!(feed.title, "Entités");
        assert!(feed.headlines[0].summary.contains("2023"));
    }

    #[test]
    fn escape_sequences_in_links_are_removed_whole_not_percent_encoded() {
        let base = Some("https://e.x/feed.xml");
        let rss = |link: &str| {
            format!(
                "<rss version=\"2.0\"><channel><title>t</title><item><title>a</title>\
                 <guid>a</guid><link>{link}</link></item></channel></rss>"
            )
        };
        let atom = |link: &str| {
            format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry>\
                 <title>a</title><id>a</id><link href=\"{link}\"/></entry></feed>"
            )
        };
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t",
            "items":[{"id":"a","title":"a","url":"http://e.x/1\u001b]8;;x\u0007"}]}"#;
        let cases = [
            (rss("http://e.x/1&#27;]8;;x&#7;"), "http://e.x/1"),
            (rss("http://e.x/1\u{1b}]8;;x\u{7}"), "http://e.x/1"),
            (rss("/1&#x1B;[31m&#x1b;]0;title&#x1b;\\"), "https://e.x/1"),
            (atom("http://e.x/1&#27;]8;;x&#7;"), "http://e.x/1"),
            (atom("1\u{1b}]8;;x\u{7}"), "https://e.x/1"),
            (json.to_owned(), "http://e.x/1"),
        ];
        for (feed, expected) in &cases {
            let parsed = parse(("link", feed.as_bytes()), None, base);
            let link = parsed.headlines[0].link.as_deref().unwrap_or_default();
            assert!(!link.contains("%EF%B7") && !link.contains("]8;;"), "{link}");
            assert_eq!(link, *expected, "{feed}");
        }
    }

    #[test]
    fn raw_html_inside_text_elements() {
        let feed = parse(fixture!("raw-html-description.xml"), None, None);
        let [a, b] = feed.headlines.as_slice() else {
            panic!("{:?} {:?}", titles(&feed), feed.repairs);
        };
        assert_eq!(
            a.title,
            "بينتو يختار 26 لاعباً لخوض بطولة \"خليجي 26\" بالكويت"
        );
        assert_eq!(a.link.as_deref(), Some("https://example.com/raw/1"));
        assert!(a.summary.contains("world"), "{}", a.summary);
        assert!(a.summary.contains("قالت"), "{}", a.summary);
        let body = a.body_html.as_deref().unwrap_or_default();
        assert!(body.contains("]]>") && body.contains("<b>bold<i>nested</b> & more"));
        assert!(a.dated);
        assert_eq!(
            b.title,
            plain_text(
                "ليفربول وأرسنال يسقطان في فخ التعادل على ملعبيهما بالدوري الإنجليزي <b>عاجل</b>"
            )
        );
        assert_eq!(
            feed.repairs,
            ["closed 9 elements their end tags never closed"],
        );
    }

    #[test]
    fn escaped_html_titles() {
        let feed = parse(fixture!("escaped-html-title.xml"), None, None);
        assert_eq!(titles(&feed)[0], plain_text(&format!("<b>عاجل</b> {H0}")));
        assert_eq!(titles(&feed)[1], plain_text("AT&amp;T &amp; Verizon"));
    }

    #[test]
    fn utf8_bom() {
        let feed = parse(fixture!("utf8-bom.xml"), Some("application/xml"), None);
        assert_eq!(feed.headlines.len(), 2);
        assert!(feed.repairs.is_empty(), "{:?}", feed.repairs);
    }

    #[test]
    fn relative_links_resolve_against_the_feed_url() {
        let feed = parse(
            fixture!("relative-links.xml"),
            None,
            Some("https://example.com/feeds/rss.xml"),
        );
        let links: Vec<Option<&str>> = feed.headlines.iter().map(|h| h.link.as_deref()).collect();
        assert_eq!(
            links,
            [
                Some("https://example.com/ar/news/5"),
                // Relative to the feed's own link (itself relative to the feed's URL).
                Some("https://example.com/ar/news/6"),
                None
            ]
        );
        assert_eq!(feed.link.as_deref(), Some("https://example.com/ar/"));
        // Without a base nothing relative survives.
        let feed = parse(fixture!("relative-links.xml"), None, None);
        assert!(feed.headlines.iter().all(|h| h.link.is_none()));
        // Ids stay stable without links.
        let again = parse(fixture!("relative-links.xml"), None, None);
        assert_eq!(feed.headlines, again.headlines);
        assert!(feed.headlines[0].id.starts_with("fnv1a:"));
    }

    #[test]
    fn default_namespace() {
        let feed = parse(fixture!("default-namespace.xml"), None, None);
        assert_eq!(feed.headlines.len(), 2);
        assert!(feed.repairs.is_empty(), "{:?}", feed.repairs);
    }

    #[test]
    fn dublin_core_under_another_prefix() {
        let feed = parse(
            fixture!("aliased-namespace.xml"),
            Some("application/rss+xml"),
            None,
        );
        let [a, b] = feed.headlines.as_slice() else {
            panic!("{:?}", titles(&feed));
        };
        assert_eq!((a.published, a.dated), (utc(2023, 10, 21, 22, 29), true));
        assert_eq!((b.published, b.dated), (utc(2023, 10, 20, 22, 29), true));
    }

    #[test]
    fn deep_nesting_keeps_what_can_be_read() {
        let deep = 100_000;
        let item = "<item><title>kept</title><link>https://e.org/1</link></item>";
        let cases = [
            // Opened and never closed, after a complete item.
            format!(
                "<rss version=\"2.0\"><channel><title>D</title>{item}{}</channel></rss>",
                "<div>".repeat(deep)
            ),
            // Balanced inside an item, and between items.
            format!(
                "<rss version=\"2.0\"><channel>{item}<item><title>inner</title>{}{}</item></channel></rss>",
                "<x>".repeat(deep),
                "</x>".repeat(deep)
            ),
            format!(
                "<rss version=\"2.0\"><channel>{item}{}{}</channel></rss>",
                "<x>".repeat(deep),
                "</x>".repeat(deep)
            ),
            // Atom, and past the size at which items are read in slices.
            format!(
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>kept</title></entry>{}</feed>",
                "<x>".repeat(deep * 4)
            ),
        ];
        for (n, xml) in cases.iter().enumerate() {
            let feed = parse(("deep", xml.as_bytes()), None, None);
            assert_eq!(
                feed.headlines.first().map(|h| h.title.as_str()),
                Some("kept"),
                "case {n}"
            );
            assert!(
                feed.repairs.iter().any(|r| r.starts_with("flattened ")) || n == 1 || n == 2,
                "case {n}: {:?}",
                feed.repairs
            );
        }
    }

    #[test]
    fn truncated_feed_keeps_complete_items() {
        let feed = parse(fixture!("truncated.xml"), None, None);
        assert_eq!(feed.headlines.len(), 3);
        assert_eq!(
            feed.repairs,
            ["feed truncated mid-item; kept 3 complete items"]
        );
    }

    #[test]
    fn a_big_feed_read_from_an_owned_body_gives_what_a_borrowed_one_gives() {
        let mut xml = String::from(
            "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
             <channel><title>Big</title><link>https://e.x/</link>",
        );
        for i in 0..4000 {
            // Raw markup (taken from the document as written), CDATA, references, a
            // namespace declared on the root, and Arabic text across the give-back points.
            xml.push_str(&format!(
                "<item><title>عنوان {i} &amp; more</title><link>/s/{i}</link>\
                 <description><p>نص <b>{i}</b> &eacute;<br></description>\
                 <content:encoded><![CDATA[<p>body {i}</p>]]></content:encoded>\
                 <dc:creator>وكالات</dc:creator><pubDate>Sun, 22 Oct 2023 05:{:02}:00 +0400</pubDate></item>",
                i % 60
            ));
        }
        xml.push_str("</channel></rss>");
        assert!(xml.len() > 4 * 256 * 1024);
        let base = Url::parse("https://e.x/feed.xml").ok();
        let borrowed = parse_feed(xml.as_bytes(), None, base.as_ref(), now()).unwrap();
        let owned = parse_feed_owned(xml.into_bytes(), None, base.as_ref(), now(), None).unwrap();
        assert_eq!(owned, borrowed);
        assert_eq!(owned.headlines.len(), 4000);
        let last = &owned.headlines[3999];
        assert_eq!(last.link.as_deref(), Some("https://e.x/s/3999"));
        assert!(
            last.body_html
                .as_deref()
                .is_some_and(|b| b == "<p>body 3999</p>")
        );
        assert_eq!(last.author.as_deref(), Some("وكالات"));
    }

    #[test]
    fn dates() {
        let feed = parse(fixture!("dates.xml"), None, None);
        let got: Vec<(DateTime<Utc>, bool)> = feed
            .headlines
            .iter()
            .map(|h| (h.published, h.dated))
            .collect();
        let at = |h, m| (utc(2023, 10, 22, h, m), true);
        let undated = (now(), false);
        assert_eq!(
            got,
            [
                at(22, 29)
                    .0
                    .checked_sub_signed(TimeDelta::days(1))
                    .map(|d| (d, true))
                    .unwrap_or(undated),
                at(1, 29),
                at(22, 29)
                    .0
                    .checked_sub_signed(TimeDelta::days(1))
                    .map(|d| (d, true))
                    .unwrap_or(undated),
                at(1, 29),
                at(5, 29),
                at(1, 29),
                at(0, 0),
                undated,
                undated,
                undated,
                undated,
                at(1, 29),
            ]
        );
    }

    #[test]
    fn empty_and_unknown_bodies() {
        assert!(matches!(
            parse_feed(b"", None, None, now()),
            Err(ParseError::Empty)
        ));
        assert!(matches!(
            parse_feed(b" \n\t", None, None, now()),
            Err(ParseError::Empty)
        ));
        assert!(matches!(
            parse_feed(b"\xEF\xBB\xBF  ", None, None, now()),
            Err(ParseError::Empty)
        ));
        let err = parse_feed(b"just some text", None, None, now())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("not a feed: no rss, atom or json feed found")
        );
        let err = parse_feed(b"{\"a\": 1}", None, None, now())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("not a feed: json without a json feed items list")
        );
        let err = parse_feed(b"\x1f\x8b\x08\x00rest", None, None, now())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("not a feed: got gzip-compressed bytes that were not decompressed")
        );
        let err = parse_feed(b"<foo><bar/></foo>", None, None, now())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("not a feed: no rss, atom or json feed found")
        );
    }

    #[test]
    fn junk_before_the_feed_is_skipped() {
        let body = format!(
            "<br />\n<b>Warning</b>: something in /var/www/feed.php on line 3<br />\n{}",
            String::from_utf8_lossy(fixture!("rss2.xml").1)
        );
        let feed = parse(("junk", body.as_bytes()), None, None);
        assert_eq!(feed.headlines.len(), 3);
        assert!(feed.repairs[0].starts_with("skipped "));
    }

    #[test]
    fn bare_channel_and_versionless_rss() {
        let feed = parse(
            (
                "bare",
                b"<channel><title>c</title><item><title>x</title></item></channel>",
            ),
            None,
            None,
        );
        assert_eq!(titles(&feed), ["x"]);
        let feed = parse(
            (
                "noversion",
                b"<rss><channel><item><title>y</title></item></channel></rss>",
            ),
            None,
            None,
        );
        assert_eq!(titles(&feed), ["y"]);
    }

    #[test]
    fn podcast_media_and_author_elements_are_read_not_dropped() {
        for extra in [
            "<author>محمد.m@example.com</author><dc:creator>علي.x@example.com</dc:creator>",
            "<itunes:duration>99999999999999999999999:00:00</itunes:duration>",
            "<media:thumbnail url=\"http://a/b.jpg\" time=\"99999999999999999999999:00:00\"/>",
        ] {
            let feed = format!(
                "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
                 xmlns:media=\"http://search.yahoo.com/mrss/\" \
                 xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>\
                 <item><title>t</title>{extra}</item></channel></rss>"
            );
            let feed = parse(("podcast", feed.as_bytes()), None, None);
            assert_eq!(titles(&feed), ["t"], "{extra}");
        }
        let feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>t</title>\
                    <m:thumbnail xmlns:m=\"http://search.yahoo.com/mrss/\" url=\"http://a/b.jpg\" \
                    time=\"99999999999999999999999:00:00\"/></entry></feed>";
        assert_eq!(
            titles(&parse(("prefix", feed.as_bytes()), None, None)),
            ["t"]
        );
    }

    #[test]
    fn errors_are_one_line_and_lower_case() {
        for e in [
            ParseError::Empty,
            ParseError::Page { links_to: None },
            ParseError::NotAFeed(one_line("Some Error\nsecond line")),
            ParseError::Json(one_line("EOF while parsing")),
        ] {
            let text = e.to_string();
            assert!(!text.contains('\n'));
            assert!(
                text.chars().next().is_some_and(char::is_lowercase),
                "{text}"
            );
        }
        assert_eq!(one_line("Some Error\nmore"), "some Error");
        assert_eq!(one_line("EOF while parsing"), "EOF while parsing");
    }

    #[test]
    fn titles_from_summaries_and_untitled_items() {
        let feed = "<rss version=\"2.0\"><channel>\
                    <item><description>only a summary here</description></item>\
                    <item><link>https://example.com/x</link></item>\
                    <item><title>  </title><description>  </description></item>\
                    </channel></rss>";
        let feed = parse(("untitled", feed.as_bytes()), None, None);
        assert_eq!(
            titles(&feed),
            ["only a summary here", "https://example.com/x"]
        );
        assert_eq!(
            feed.repairs,
            ["skipped 1 item with no title, link, summary, body, date or enclosure"]
        );
    }

    fn mutate(base: &[u8], edits: &[(usize, u8, u8)], cut: usize) -> Vec<u8> {
        let mut bytes = base.to_vec();
        for &(pos, op, byte) in edits {
            if bytes.is_empty() {
                break;
            }
            let pos = pos % bytes.len();
            match op % 4 {
                0 => {
                    if let Some(b) = bytes.get_mut(pos) {
                        *b = byte;
                    }
                }
                1 => bytes.insert(pos, byte),
                2 => {
                    bytes.remove(pos);
                }
                _ => {
                    let special = [b'<', b'>', b'&', b'/', b'"', b']', b';', 0];
                    bytes.insert(pos, special[usize::from(byte) % special.len()]);
                }
            }
        }
        let cut = cut % (bytes.len() + 1);
        bytes.truncate(cut);
        bytes
    }

    fn quick(bytes: &[u8]) {
        let start = std::time::Instant::now();
        let _ = parse_feed(bytes, None, None, now());
        // A hang guard against quadratic work, generous so that a loaded machine passes.
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            quick(&bytes);
        }

        #[test]
        fn arbitrary_markup_never_panics(s in "[<>/&;!?\\[\\]a-z\"'= \\n#x0-9CDAT-]{0,400}") {
            quick(s.as_bytes());
            quick(format!("<rss>{s}").as_bytes());
            quick(format!("<feed>{s}").as_bytes());
        }

        #[test]
        fn mutated_fixtures_never_panic(
            which in 0usize..4,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..12),
            cut in any::<usize>(),
        ) {
            let base = [
                fixture!("rss2.xml").1,
                fixture!("atom.xml").1,
                fixture!("raw-html-description.xml").1,
                fixture!("jsonfeed.json").1,
            ];
            let base = base.get(which).copied().unwrap_or_default();
            quick(&mutate(base, &edits, cut));
        }
    }
}
