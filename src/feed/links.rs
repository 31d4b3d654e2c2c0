//! The feeds an HTML page advertises (`<link rel="alternate">` with a feed type), read on
//! the one HTML layer ([`crate::text::html`]), so that a comment or a script that mentions
//! a link is not taken for one.

use super::entry::story_link;
use crate::text::html::{self, Dialect, Element, Tag, TagKind};
use crate::text::sanitize::clean_line;
use url::Url;

/// A feed found: its URL and, when known, its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub url: String,
    pub title: Option<String>,
}

/// The feeds a page advertises, in document order, each once: `<link rel="alternate">` with
/// an RSS, Atom or JSON Feed type, its `href` resolved against the page's `<base href>`
/// (itself resolved against `page_url`), else `page_url`.
pub fn feed_links(page: &str, page_url: Option<&Url>) -> Vec<Found> {
    let links = html::read(
        page,
        FeedLinks {
            base: page_url.cloned(),
            based: false,
            links: Vec::new(),
        },
        Dialect::Html,
    );
    links.links
}

/// The [`html::Reader`] that collects a page's feed links.
struct FeedLinks {
    base: Option<Url>,
    /// Whether a `<base href>` was seen: only the first counts, as in browsers.
    based: bool,
    links: Vec<Found>,
}

impl FeedLinks {
    /// The tokenizer gives names in lower case, as HTML reads them.
    fn attribute<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
        tag.attrs
            .iter()
            .find(|attribute| &*attribute.name.local == name)
            .map(|attribute| &*attribute.value)
    }
}

impl html::Reader for FeedLinks {
    fn start_tag(&mut self, tag: &Tag, _element: Element) {
        if tag.kind != TagKind::StartTag {
            return;
        }
        if &*tag.name == "base" && !self.based {
            if let Some(href) = Self::attribute(tag, "href") {
                self.based = true;
                let joined = match &self.base {
                    Some(page) => page.join(href.trim()).ok(),
                    None => Url::parse(href.trim()).ok(),
                };
                if joined.is_some() {
                    self.base = joined;
                }
            }
            return;
        }
        if &*tag.name != "link" {
            return;
        }
        let is_alternate = Self::attribute(tag, "rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|rel| rel.eq_ignore_ascii_case("alternate"))
        });
        let is_feed = Self::attribute(tag, "type").is_some_and(is_feed_type);
        if !(is_alternate && is_feed) {
            return;
        }
        let Some(url) = Self::attribute(tag, "href")
            .and_then(|href| story_link(href, self.base.as_ref()))
            .filter(|url| url.starts_with("http") || url.starts_with("ftp"))
        else {
            return;
        };
        if self.links.iter().any(|found| found.url == url) {
            return;
        }
        let title = Self::attribute(tag, "title")
            .map(clean_line)
            .filter(|title| !title.is_empty());
        self.links.push(Found { url, title });
    }

    fn end_tag(&mut self, _tag: &Tag, _element: Element) {}

    fn text(&mut self, _text: &str) {}
}

/// Whether a `<link type>` names a feed format.
fn is_feed_type(mime: &str) -> bool {
    let mime = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(
        mime.as_str(),
        "application/rss+xml"
            | "application/atom+xml"
            | "application/rdf+xml"
            | "application/feed+json"
            | "application/json"
            | "text/xml"
            | "application/xml"
            | "application/x.atom+xml"
            | "application/x-atom+xml"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(found: &[Found]) -> Vec<&str> {
        found.iter().map(|found| found.url.as_str()).collect()
    }

    #[test]
    fn a_page_lists_its_feeds_in_order_each_once_resolved() {
        let page = r#"<!DOCTYPE html><html><head>
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="application/rss+xml" title="الأخبار &amp; more" href="/ar/rss.xml">
            <LINK REL="Alternate home" TYPE="application/atom+xml; charset=utf-8" HREF="atom.xml">
            <link rel="alternate" type="application/rss+xml" href="https://e.x/ar/rss.xml">
            <link rel="alternate" type="text/html" hreflang="en" href="/en/">
            <link rel="alternate" type="application/feed+json" href="javascript:alert(1)">
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            </head><body><p>hi</p></body></html>"#;
        let base = Url::parse("https://e.x/ar/page.html").unwrap();
        let found = feed_links(page, Some(&base));
        assert_eq!(
            urls(&found),
            [
                "https://e.x/ar/rss.xml",
                "https://e.x/ar/atom.xml",
                "https://e.x/feed.json"
            ]
        );
        assert_eq!(found[0].title.as_deref(), Some("الأخبار & more"));
        assert_eq!(found[1].title, None);
    }

    #[test]
    fn a_base_element_moves_relative_feed_links() {
        let page = r#"<head><base href="/news/"><base href="/ignored/">
            <link rel=alternate type=application/rss+xml href=rss></head>"#;
        let base = Url::parse("https://e.x/a/b").unwrap();
        assert_eq!(
            urls(&feed_links(page, Some(&base))),
            ["https://e.x/news/rss"]
        );
    }

    #[test]
    fn links_in_comments_scripts_or_without_the_right_rel_are_not_feeds() {
        let page = r#"<head><!-- <link rel="alternate" type="application/rss+xml" href="/a"> -->
            <script>document.write('<link rel="alternate" type="application/rss+xml" href="/b">')</script>
            <link rel="feed" type="application/rss+xml" href="/c">
            <link type="application/rss+xml" href="/d"></head>"#;
        let base = Url::parse("https://e.x/").unwrap();
        assert!(feed_links(page, Some(&base)).is_empty());
    }

    #[test]
    fn escape_sequences_in_titles_and_links_do_not_survive() {
        let page = "<link rel=alternate type=application/rss+xml title=\"a\u{1b}[2Jb\" \
                    href=\"/r%1B[2Jss\">";
        let base = Url::parse("https://e.x/").unwrap();
        let found = feed_links(page, Some(&base));
        assert_eq!(found.len(), 1);
        assert!(!found[0].url.contains('\u{1b}'), "{:?}", found[0]);
        assert_eq!(found[0].title.as_deref(), Some("ab"));
    }
}
