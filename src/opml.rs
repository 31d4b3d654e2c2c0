//! OPML subscription lists: reading the feed outlines of other readers' exports, and writing
//! akhbar's configured feeds as OPML 2.0.
//!
//! Reading is deliberately forgiving, because real exports are sloppy: any charset, HTML
//! entities and bare `&` in attributes, a missing `<head>`, unquoted attributes, mismatched end
//! tags, and element or attribute names in any case (`xmlURL`, `<Outline>`). Folders are
//! flattened. What is refused is a file that is not XML at all, has no `<opml>` element, or
//! stops before `</opml>` (a cut-off download would otherwise import half a list quietly).

use crate::config::FeedConfig;
use crate::feed::decode;
use crate::text::sanitize::{clean_line, escape_controls, is_terminal_control};
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, Writer};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;
use url::Url;

/// A feed outline: an `<outline>` with an `xmlUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// `http(s)://` or `file://`, trimmed.
    pub url: String,
    /// From `title`, else `text`; cleaned to one safe line. `None` when empty or the URL again.
    pub name: Option<String>,
}

impl OpmlFeed {
    pub fn new(url: &str, name: Option<&str>) -> Self {
        OpmlFeed {
            url: url.to_owned(),
            name: name.map(str::to_owned),
        }
    }
}

/// A feed outline that cannot become a configured feed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub url: String,
    pub name: Option<String>,
    pub reason: &'static str,
}

/// What an OPML file lists, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opml {
    pub feeds: Vec<OpmlFeed>,
    pub rejected: Vec<Rejected>,
}

/// A file that cannot be read as OPML.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpmlError {
    #[error("line {line}: not well-formed XML: {message}")]
    Xml { line: usize, message: String },
    #[error("not an OPML file (it has no <opml> element)")]
    NotOpml,
    #[error("the file ends before </opml>; is it cut off?")]
    CutOff,
}

/// Reads the feed outlines of an OPML 1.0 or 2.0 document, in whatever charset it is in.
pub fn parse(bytes: &[u8]) -> Result<Opml, OpmlError> {
    let decoded = decode::decode(bytes, None);
    parse_str(&decoded.text)
}

/// [`parse`] for text that is already decoded (and has no XML declaration naming another
/// charset).
pub fn parse_str(text: &str) -> Result<Opml, OpmlError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    // Exporters that forget to close an outline still name every feed correctly.
    config.check_end_names = false;

    let mut opml = Opml::default();
    let (mut opened, mut closed) = (false, false);
    loop {
        let event = reader.read_event().map_err(|error| OpmlError::Xml {
            line: line_of(text, reader.error_position()),
            message: error.to_string(),
        })?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name();
                let name = name.into_inner();
                if name.eq_ignore_ascii_case("opml") {
                    opened = true;
                } else if opened && !closed && name.eq_ignore_ascii_case("outline") {
                    read_outline(&element, &mut opml);
                }
            }
            Event::End(element)
                if opened
                    && element
                        .local_name()
                        .into_inner()
                        .eq_ignore_ascii_case("opml") =>
            {
                closed = true;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match (opened, closed) {
        (false, _) => Err(OpmlError::NotOpml),
        (true, false) => Err(OpmlError::CutOff),
        (true, true) => Ok(opml),
    }
}

/// Adds the outline to `opml` if it is a feed (has an `xmlUrl`); folders and links are not.
fn read_outline(element: &BytesStart<'_>, opml: &mut Opml) {
    let (mut url, mut title, mut text) = (None, None, None);
    let mut attributes = element.html_attributes();
    attributes.with_checks(false);
    // A malformed attribute spoils only itself; the ones around it are still read.
    for attribute in attributes.flatten() {
        let key = attribute.key.local_name().into_inner().to_ascii_lowercase();
        let slot = match key.as_str() {
            "xmlurl" => &mut url,
            "title" => &mut title,
            "text" => &mut text,
            _ => continue,
        };
        // The first of duplicated attributes wins, as in browsers.
        if slot.is_none() {
            *slot = Some(html_escape::decode_html_entities(&attribute.value).into_owned());
        }
    }
    let Some(url) = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) else {
        return;
    };
    let name = [title, text]
        .into_iter()
        .flatten()
        .map(|n| clean_line(&n))
        .find(|n| !n.is_empty())
        // Exports write the URL as the text of a feed that has no name of its own (and the
        // name is cleaned, so compare it with the URL cleaned alike).
        .filter(|n| *n != url && *n != clean_line(&url));
    match check_url(&url) {
        Ok(url) => opml.feeds.push(OpmlFeed { url, name }),
        Err(reason) => opml.rejected.push(Rejected {
            url: escape_controls(&url).into_owned(),
            name,
            reason,
        }),
    }
}

/// The URL to configure, or why it cannot be.
///
/// Kept as written, so it compares equal to the same URL typed into the config. A URL that
/// holds a character able to drive a terminal, as written or once its `%XX` escapes are
/// decoded (`file:///tmp/x%1B]0;title%07` names a file whose name retitles the window when
/// shown), is refused: no feed needs one, and every message about the feed would carry it.
fn check_url(text: &str) -> Result<String, &'static str> {
    let url = Url::parse(text).map_err(|_| "not an http, https or file URL")?;
    if !matches!(url.scheme(), "http" | "https" | "file") {
        return Err("not an http, https or file URL");
    }
    if has_terminal_controls(text) {
        return Err("the URL holds control characters");
    }
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    if has_terminal_controls(&decoded) {
        return Err("the URL holds percent-encoded control characters");
    }
    Ok(text.to_owned())
}

/// Whether `text` holds a control (other than TAB, LF and CR, which URL parsers remove and
/// which move no cursor a line of output cannot take) or a bidi override.
fn has_terminal_controls(text: &str) -> bool {
    text.chars()
        .any(|c| is_terminal_control(c) && !matches!(c, '\t' | '\n' | '\r'))
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: u64) -> usize {
    let end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Writes `feeds` as an OPML 2.0 document in UTF-8; `created` is its `dateCreated`.
pub fn write(
    out: impl Write,
    feeds: &[FeedConfig],
    created: chrono::DateTime<chrono::Utc>,
) -> io::Result<()> {
    let mut writer = Writer::new_with_indent(out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|writer| {
            writer
                .create_element("head")
                .write_inner_content(|writer| {
                    writer
                        .create_element("title")
                        .write_text_content(BytesText::new("akhbar feeds"))?;
                    writer
                        .create_element("dateCreated")
                        .write_text_content(BytesText::new(&created.to_rfc2822()))?;
                    Ok(())
                })?;
            let body = writer.create_element("body");
            if feeds.is_empty() {
                body.write_empty()?;
                return Ok(());
            }
            body.write_inner_content(|writer| {
                for feed in feeds {
                    let url = url_attribute(&exported_url(&feed.url));
                    let name = feed.name.as_deref().map(xml_safe);
                    let mut outline = writer
                        .create_element("outline")
                        .with_attribute(("type", "rss"));
                    // `text` is required; a feed without a name is shown by its URL.
                    outline = match &name {
                        Some(name) => outline
                            .with_attribute(("text", name.as_str()))
                            .with_attribute(("title", name.as_str())),
                        None => outline.with_attribute(escaped_attribute("text", &url)),
                    };
                    outline
                        .with_attribute(escaped_attribute("xmlUrl", &url))
                        .write_empty()?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    writer.get_mut().write_all(b"\n")
}

/// The config may name a local file by its path; other readers understand only URLs.
fn exported_url(configured: &str) -> String {
    let path = Path::new(configured);
    if path.is_absolute()
        && Url::parse(configured).is_err()
        && let Ok(url) = Url::from_file_path(path)
    {
        return url.into();
    }
    configured.to_owned()
}

/// An attribute whose value is escaped already.
fn escaped_attribute<'a>(key: &'a str, escaped: &'a str) -> Attribute<'a> {
    Attribute {
        key: QName(key),
        value: Cow::Borrowed(escaped),
    }
}

/// A URL as an attribute value that reads back as exactly the configured text: whitespace is
/// not collapsed, and TAB, LF and CR are written as references (`&#9;`), which attribute
/// normalization leaves alone. What XML 1.0 cannot carry even escaped (other controls, U+FFFE,
/// U+FFFF), and what could drive the terminal the OPML is printed on (C1 controls, bidi
/// overrides), is percent-encoded (`%1B`), which is how URL parsers read it anyway.
fn url_attribute(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_terminal_control(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let mut buffer = [0; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    let _ = write!(out, "%{byte:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// One line with nothing XML 1.0 forbids, even escaped (control characters, U+FFFE, U+FFFF).
fn xml_safe(text: &str) -> String {
    clean_line(text)
        .chars()
        .filter(|&c| c != '\u{FFFE}' && c != '\u{FFFF}')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn feed(url: &str, name: Option<&str>) -> OpmlFeed {
        OpmlFeed::new(url, name)
    }

    fn configured(url: &str, name: Option<&str>) -> FeedConfig {
        FeedConfig {
            url: url.into(),
            name: name.map(Into::into),
            direction: Direction::Auto,
            refresh: None,
            html: None,
            full_text: crate::model::FullText::Auto,
            http: crate::model::HttpSettings::default(),
            mute: None,
        }
    }

    #[test]
    fn nested_folders_are_flattened_in_document_order() {
        let opml = parse_str(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="BBC" title="BBC World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
      <outline text="Deeper">
        <outline type="rss" text="NPR" xmlUrl="https://feeds.npr.org/1001/rss.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="HN" xmlUrl="https://hnrss.org/frontpage"></outline>
  </body>
</opml>"#,
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            vec![
                feed(
                    "https://feeds.bbci.co.uk/news/world/rss.xml",
                    Some("BBC World")
                ),
                feed("https://feeds.npr.org/1001/rss.xml", Some("NPR")),
                feed("https://hnrss.org/frontpage", Some("HN")),
            ]
        );
        assert!(opml.rejected.is_empty());
    }

    #[test]
    fn arabic_titles_and_entities_are_decoded() {
        let opml = parse_str(
            r#"<opml version="1.0"><body>
<outline text="بي بي سي عربي" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml"/>
<outline title="&#x627;&#x644;&#x62C;&#x632;&#x64A;&#x631;&#x629;" xmlUrl="https://example.org/a?x=1&amp;y=2"/>
<outline title="Tom &amp; Jerry&hellip; &quot;daily&quot;" xmlUrl="https://example.org/b?x=1&y=2"/>
</body></opml>"#,
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            vec![
                feed(
                    "https://feeds.bbci.co.uk/arabic/rss.xml",
                    Some("بي بي سي عربي")
                ),
                feed("https://example.org/a?x=1&y=2", Some("الجزيرة")),
                feed(
                    "https://example.org/b?x=1&y=2",
                    Some("Tom & Jerry… \"daily\"")
                ),
            ]
        );
    }

    #[test]
    fn name_falls_back_to_text_then_to_none() {
        let opml = parse_str(
            r#"<opml><body>
<outline text="From text" xmlUrl="https://a.example/feed"/>
<outline title="  " text="Blank title" xmlUrl="https://b.example/feed"/>
<outline xmlUrl="https://c.example/feed"/>
<outline text="https://d.example/feed" xmlUrl="https://d.example/feed"/>
<outline text="" title="" xmlUrl="https://e.example/feed"/>
</body></opml>"#,
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            vec![
                feed("https://a.example/feed", Some("From text")),
                feed("https://b.example/feed", Some("Blank title")),
                feed("https://c.example/feed", None),
                feed("https://d.example/feed", None),
                feed("https://e.example/feed", None),
            ]
        );
    }

    #[test]
    fn outlines_without_a_feed_url_are_ignored() {
        let opml = parse_str(
            r#"<opml version="2.0"><head/><body>
<outline text="A folder"/>
<outline type="link" text="A page" url="https://example.org/"/>
<outline type="rss" text="Empty" xmlUrl="  "/>
<outline type="rss" text="Real" xmlUrl="https://example.org/rss"/>
</body></opml>"#,
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            vec![feed("https://example.org/rss", Some("Real"))]
        );
        assert!(opml.rejected.is_empty());
    }

    #[test]
    fn sloppy_exports_are_read() {
        // No head, no declaration, upper-case names, an unquoted attribute, a bare `&`,
        // an outline never closed, a stray end tag and a DOCTYPE.
        let opml = parse_str(
            "<!DOCTYPE opml>\n<OPML><Body>\n\
             <OUTLINE TEXT=\"One\" xmlURL=\"https://one.example/rss?a=1&b=2\">\n\
             <outline text=Two XMLURL='https://two.example/rss'>\n\
             </folder>\n\
             <outline text=\"Three\tfeed\n\" xmlurl=\" https://three.example/rss \"/>\n\
             </Body></OPML>",
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            vec![
                feed("https://one.example/rss?a=1&b=2", Some("One")),
                feed("https://two.example/rss", Some("Two")),
                feed("https://three.example/rss", Some("Three feed")),
            ]
        );
    }

    #[test]
    fn names_cannot_carry_escape_sequences() {
        let opml = parse_str(
            "<opml><body>\
             <outline title=\"Evil\u{1b}[2J\u{1b}]0;owned\u{7} \u{202e}News\" xmlUrl=\"https://a.example/\"/>\
             <outline title=\"Ref&#27;[2J&#x9b;31m\" xmlUrl=\"https://b.example/\"/>\
             </body></opml>",
        )
        .unwrap();
        assert_eq!(opml.feeds[0].name.as_deref(), Some("Evil News"));
        let name = opml.feeds[1].name.as_deref().unwrap_or_default();
        assert!(!name.chars().any(char::is_control), "{name:?}");
    }

    #[test]
    fn other_schemes_and_relative_urls_are_rejected() {
        let opml = parse_str(
            r#"<opml><body>
<outline text="Gopher" xmlUrl="gopher://old.example/feed"/>
<outline text="Relative" xmlUrl="feeds/local.xml"/>
<outline text="JS" xmlUrl="javascript:alert(1)"/>
<outline text="Local" xmlUrl="file:///srv/news.xml"/>
<outline text="خبرٌ" xmlUrl="ftp://old.example/feed"/>
<outline text="Upper" xmlUrl="HTTPS://example.org/rss"/>
</body></opml>"#,
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            vec![
                feed("file:///srv/news.xml", Some("Local")),
                feed("HTTPS://example.org/rss", Some("Upper")),
            ]
        );
        let rejected: Vec<(&str, &str)> = opml
            .rejected
            .iter()
            .map(|r| (r.url.as_str(), r.name.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            rejected,
            [
                ("gopher://old.example/feed", "Gopher"),
                ("feeds/local.xml", "Relative"),
                ("javascript:alert(1)", "JS"),
                ("ftp://old.example/feed", "خبرٌ"),
            ]
        );
        assert!(opml.rejected.iter().all(|r| r.reason.contains("http")));
    }

    #[test]
    fn bad_xml_is_an_error_with_a_line() {
        let error = parse_str("<opml>\n<body>\n<outline text=\"a\" xmlUrl=\"https://x.example/")
            .unwrap_err();
        assert!(
            matches!(&error, OpmlError::Xml { line: 3, .. }),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("line 3: not well-formed XML: "),
            "{error}"
        );
        assert!(matches!(
            parse_str("<opml><body><!-- never closed"),
            Err(OpmlError::Xml { .. })
        ));
    }

    #[test]
    fn not_opml_and_cut_off_files_are_errors() {
        assert_eq!(parse_str(""), Err(OpmlError::NotOpml));
        assert_eq!(parse_str("just some text"), Err(OpmlError::NotOpml));
        assert_eq!(
            parse_str("<rss version=\"2.0\"><channel><title>x</title></channel></rss>"),
            Err(OpmlError::NotOpml)
        );
        assert_eq!(
            parse_str("<opml><body><outline text=\"a\" xmlUrl=\"https://a.example/\"/>"),
            Err(OpmlError::CutOff)
        );
        // Outlines outside <opml> do not count.
        assert_eq!(
            parse_str("<html><outline xmlUrl=\"https://a.example/\"/></html>"),
            Err(OpmlError::NotOpml)
        );
    }

    #[test]
    fn legacy_charsets_are_decoded() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<opml><body>\
                          <outline text=\"Caf"
            .to_vec();
        bytes.push(0xE9);
        bytes.extend_from_slice(b"\" xmlUrl=\"https://cafe.example/rss\"/></body></opml>");
        let opml = parse(&bytes).unwrap();
        assert_eq!(
            opml.feeds,
            vec![feed("https://cafe.example/rss", Some("Café"))]
        );
    }

    fn written(feeds: &[FeedConfig]) -> String {
        let created = chrono::DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
            .unwrap()
            .to_utc();
        let mut out = Vec::new();
        write(&mut out, feeds, created).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_opml_2_with_escaped_attributes() {
        let text = written(&[
            configured(
                "https://feeds.bbci.co.uk/arabic/rss.xml",
                Some("بي بي سي عربي"),
            ),
            configured(
                "https://example.org/a?x=1&y=<2>",
                Some("Tom & \"Jerry\" <'s>"),
            ),
            configured("https://hnrss.org/frontpage", None),
        ]);
        assert_eq!(
            text,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>akhbar feeds</title>
    <dateCreated>Wed, 1 May 2024 12:00:00 +0000</dateCreated>
  </head>
  <body>
    <outline type="rss" text="بي بي سي عربي" title="بي بي سي عربي" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml"/>
    <outline type="rss" text="Tom &amp; &quot;Jerry&quot; &lt;&apos;s&gt;" title="Tom &amp; &quot;Jerry&quot; &lt;&apos;s&gt;" xmlUrl="https://example.org/a?x=1&amp;y=&lt;2&gt;"/>
    <outline type="rss" text="https://hnrss.org/frontpage" xmlUrl="https://hnrss.org/frontpage"/>
  </body>
</opml>
"#
        );
    }

    #[test]
    fn written_opml_reads_back_the_same() {
        let feeds = [
            configured(
                "https://feeds.bbci.co.uk/arabic/rss.xml",
                Some("بي بي سي عربي"),
            ),
            configured("https://www.aljazeera.net/rss", Some("الجزيرة")),
            configured("https://example.org/a?x=1&y=2", Some("A & B")),
            configured("file:///srv/news.xml", None),
            configured("/srv/local.xml", Some("Local")),
        ];
        let opml = parse_str(&written(&feeds)).unwrap();
        assert_eq!(
            opml.feeds,
            vec![
                feed(
                    "https://feeds.bbci.co.uk/arabic/rss.xml",
                    Some("بي بي سي عربي")
                ),
                feed("https://www.aljazeera.net/rss", Some("الجزيرة")),
                feed("https://example.org/a?x=1&y=2", Some("A & B")),
                feed("file:///srv/news.xml", None),
                feed("file:///srv/local.xml", Some("Local")),
            ]
        );
    }

    #[test]
    fn no_feeds_is_a_valid_empty_body() {
        let text = written(&[]);
        assert!(text.contains("<body/>"), "{text}");
        assert_eq!(parse_str(&text), Ok(Opml::default()));
    }

    #[test]
    fn urls_are_written_exactly_as_configured() {
        let urls = [
            "https://x.example/a%20b?q=one two",
            "https://x.example/tab\there",
            "https://x.example/line\nbreak\r\n  end",
            "https://x.example/?a=\"1\"&b='2'<3>",
        ];
        let feeds: Vec<_> = urls.iter().map(|url| configured(url, None)).collect();
        let text = written(&feeds);
        assert!(text.contains("tab&#9;here"), "{text}");
        assert!(text.contains("line&#10;break&#13;&#10;  end"), "{text}");
        let opml = parse_str(&text).unwrap();
        let read: Vec<_> = opml.feeds.iter().map(|feed| feed.url.as_str()).collect();
        assert_eq!(read, urls);
        assert!(opml.rejected.is_empty());
    }

    #[test]
    fn urls_with_terminal_controls_are_refused() {
        let opml = parse_str(
            "<opml><body>\
             <outline text=\"A\" xmlUrl=\"file:///tmp/x%1B]0;PWN%07%1B]52;c;AAAA%07\"/>\
             <outline text=\"B\" xmlUrl=\"https://b.example/\u{1b}]0;PWN\u{7}\"/>\
             <outline text=\"C\" xmlUrl=\"https://c.example/%C2%9B2J%E2%80%AE\"/>\
             <outline text=\"D\" xmlUrl=\"https://d.example/\u{202e}x\"/>\
             <outline text=\"E\" xmlUrl=\"https://e.example/?q=a%0Ab%09c%7F\"/>\
             <outline text=\"F\" xmlUrl=\"https://f.example/?q=a%0Ab%09c\"/>\
             </body></opml>",
        )
        .unwrap();
        assert_eq!(
            opml.feeds,
            [feed("https://f.example/?q=a%0Ab%09c", Some("F"))]
        );
        let rejected: Vec<_> = opml
            .rejected
            .iter()
            .map(|r| (r.url.as_str(), r.reason))
            .collect();
        assert_eq!(
            rejected,
            [
                (
                    "file:///tmp/x%1B]0;PWN%07%1B]52;c;AAAA%07",
                    "the URL holds percent-encoded control characters"
                ),
                (
                    "https://b.example/%1B]0;PWN%07",
                    "the URL holds control characters"
                ),
                (
                    "https://c.example/%C2%9B2J%E2%80%AE",
                    "the URL holds percent-encoded control characters"
                ),
                (
                    "https://d.example/%E2%80%AEx",
                    "the URL holds control characters"
                ),
                (
                    "https://e.example/?q=a%0Ab%09c%7F",
                    "the URL holds percent-encoded control characters"
                ),
            ]
        );
    }

    #[test]
    fn forbidden_characters_are_not_written() {
        let text = written(&[configured(
            "https://x.example/\u{1}rss",
            Some("a\u{FFFF}\u{1b}[1mb"),
        )]);
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{FFFF}'),
            "{text:?}"
        );
        assert!(parse_str(&text).is_ok());
    }

    #[test]
    fn a_url_written_as_its_own_name_is_no_name_even_with_a_line_break() {
        let feeds = [configured("https://x.example/line\nbreak", None)];
        let opml = parse_str(&written(&feeds)).unwrap();
        assert_eq!(opml.feeds, [feed("https://x.example/line\nbreak", None)]);
    }
}
