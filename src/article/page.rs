//! A story's web page as an article: its main content found by readability, as blocks.
//!
//! The page is decoded by the feeds' charset rules ([`crate::feed::decode::decode`]: byte
//! order mark, HTTP charset, `<meta charset>`, detection), its main content is found by
//! [`dom_smoothie`], and that content goes through the same block builder as a feed body
//! ([`super::article_from_html`]), so the guarantees are the same: terminal-safe text,
//! bounded output, scripts, styles, forms, frames and comments dropped.
//!
//! # Why dom_smoothie
//!
//! It is a close port of Mozilla's Readability (the reader view of Firefox), maintained, pure
//! Rust, and built on `dom_query`, which runs on the same html5ever as the rest of akhbar, so
//! it adds no second HTML parser. Readability's scoring counts commas, Arabic `،` included,
//! and the length of paragraphs, not English words, so right-to-left pages score as well as
//! left-to-right ones. On the pages in `tests/fixtures/articles/pages/` (`tests/article.rs`)
//! its token F1 is 0.984 to 1.0, 0.998 on average; the other pure-Rust port, the
//! `readability` crate (0.3), does about as well on them (0.976 to 1.0, 0.992 on average) but
//! reads HTML with html5ever 0.26 and its own DOM, so it would bring a second HTML parser
//! of another version, and gives no byline, date or element cap.
//!
//! # Hostile pages
//!
//! `dom_query` builds its tree with html5ever's tree builder, whose scope searches make
//! deeply nested input quadratic (see [`super`]). Before any tree is built, one quick scan
//! of the markup ([`super::shape`]) measures the page: more than [`MAX_PAGE_DEPTH`] open
//! elements or [`MAX_PAGE_ELEMENTS`] elements, and the page is refused with a reason.
//! A page over [`MAX_PAGE_BYTES`] is refused before it is even decoded. Each of these checks
//! is linear in the page, so a hostile page costs one pass and ends in an error.

use url::Url;

use super::shape::measure;
use super::{Article, article_from};
use crate::feed::decode::decode;
use crate::feed::fetch::human_bytes;
use crate::text::sanitize::clean_line;

/// Pages larger than this are refused: an article page is rarely over 1 MB.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// Pages whose elements nest deeper than this are refused (browsers stop nesting at 512).
pub const MAX_PAGE_DEPTH: usize = 400;
/// Pages of more elements than this are refused.
pub const MAX_PAGE_ELEMENTS: usize = 100_000;

/// Title, byline and date of a story page, and its main content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub title: Option<String>,
    pub byline: Option<String>,
    /// The publication time as the page's metadata gives it (usually ISO 8601).
    pub published: Option<String>,
    pub article: Article,
}

/// Why a page gave no article, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("page larger than {}", human_bytes(*.0 as u64))]
    TooLarge(usize),
    #[error("elements nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("more than {0} elements")]
    TooManyElements(usize),
    #[error("not a web page ({0})")]
    NotHtml(String),
    #[error("no article found on the page")]
    NoArticle,
}

/// Extracts the article of a story page: `bytes` as fetched, `content_type` the HTTP
/// header, `url` the page's address (relative links and images resolve against it).
pub fn extract_page(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&Url>,
) -> Result<Page, PageError> {
    let decoded = checked_page(bytes, content_type)?;
    let document_url = url
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .map(Url::as_str);
    let config = dom_smoothie::Config {
        max_elements_to_parse: MAX_PAGE_ELEMENTS,
        ..dom_smoothie::Config::default()
    };
    let found = dom_smoothie::Readability::new(&*decoded.text, document_url, Some(config))
        .and_then(|mut readability| readability.parse())
        .map_err(|_| PageError::NoArticle)?;
    let article = article_from(&found.content, url, true);
    if article.blocks.is_empty() {
        return Err(PageError::NoArticle);
    }
    Ok(Page {
        title: metadata(&found.title),
        byline: found.byline.as_deref().and_then(metadata),
        published: found.published_time.as_deref().and_then(metadata),
        article,
    })
}

/// Extracts the article of a story page as [`extract_page`] does, but as the site's own
/// CSS selector `selector` (a page source's `article`) says where it is, instead of
/// readability: the first element it matches.
pub fn extract_selected(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&Url>,
    selector: &str,
) -> Result<Page, PageError> {
    let decoded = checked_page(bytes, content_type)?;
    let matcher = dom_query::Matcher::new(selector).map_err(|_| PageError::NoArticle)?;
    let document = dom_query::Document::from(&*decoded.text);
    let found = document.select_matcher(&matcher).first();
    if !found.exists() {
        return Err(PageError::NoArticle);
    }
    let article = article_from(&found.inner_html(), url, true);
    if article.blocks.is_empty() {
        return Err(PageError::NoArticle);
    }
    let title = document.select("title").first().text();
    Ok(Page {
        title: metadata(&title),
        byline: None,
        published: None,
        article,
    })
}

/// A page's text once it is known to be a web page of bounded size and shape.
fn checked_page<'b>(
    bytes: &'b [u8],
    content_type: Option<&str>,
) -> Result<crate::feed::decode::Decoded<'b>, PageError> {
    if bytes.len() > MAX_PAGE_BYTES {
        return Err(PageError::TooLarge(MAX_PAGE_BYTES));
    }
    if let Some(mime) = content_type.map(mime_of)
        && !mime.is_empty()
        && !matches!(mime.as_str(), "text/html" | "application/xhtml+xml")
    {
        return Err(PageError::NotHtml(clean_line(&mime)));
    }
    let decoded = decode(bytes, content_type);
    measure(&decoded.text)?;
    Ok(decoded)
}

/// The article as plain text: one paragraph per block, separated by blank lines, without
/// the pane's markers, which mean nothing without its list of links: link references
/// (`[n]`) and images (`[image: alt]`) are left out.
pub fn paragraphs_text(article: &Article) -> String {
    let mut text = String::new();
    for block in &article.blocks {
        let words = unmarked(&block.text, article.links.len());
        if words.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&words);
    }
    text
}

/// `line` without its `[image: …]` markers and its references `[1]` to `[links]`.
fn unmarked(line: &str, links: usize) -> String {
    let mut kept = Vec::new();
    let mut words = line.split(' ');
    while let Some(word) = words.next() {
        if word == "[image:" {
            // The marker runs to the `]` that closes its `[`; alt text may hold brackets.
            let mut depth = 1_isize;
            while depth > 0 {
                let Some(next) = words.next() else { break };
                let opened = next.matches('[').count() as isize;
                depth += opened - next.matches(']').count() as isize;
            }
            continue;
        }
        let reference = word
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|number| number.parse::<usize>().ok())
            .is_some_and(|number| (1..=links).contains(&number));
        if !reference && !word.is_empty() {
            kept.push(word);
        }
    }
    kept.join(" ")
}

/// A metadata string as one clean line, `None` when nothing is left. Readability leaves
/// markup in some of them (a byline may be a fragment of the page).
fn metadata(value: &str) -> Option<String> {
    let text = crate::text::sanitize::plain_text(value);
    let text = clean_line(&text);
    (!text.is_empty()).then_some(text)
}

/// The media type of a `Content-Type` header, lowercased, without its parameters.
fn mime_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://news.example/2024/story.html").unwrap()
    }

    fn paragraphs(count: usize, text: &str) -> String {
        (0..count)
            .map(|i| format!("<p>{text} ({i}), with commas, clauses, and a full stop.</p>"))
            .collect()
    }

    fn page(body: &str) -> String {
        format!(
            "<!doctype html><html><head><meta charset=utf-8><title>The council votes on the budget - Example News</title>\
             <meta property=\"article:published_time\" content=\"2024-03-01T10:00:00Z\">\
             </head><body><nav><a href=/>Home</a> <a href=/world>World</a></nav>\
             <article>{body}</article><footer>© Example News</footer></body></html>"
        )
    }

    fn text_of(page: &Page) -> String {
        paragraphs_text(&page.article)
    }

    #[test]
    fn the_main_content_is_kept_and_the_chrome_dropped() {
        let body = paragraphs(6, "The council met on Tuesday to discuss the new budget");
        let found = extract_page(page(&body).as_bytes(), Some("text/html"), Some(&url())).unwrap();
        let text = text_of(&found);
        assert!(text.contains("The council met on Tuesday"), "{text}");
        assert!(!text.contains("Home"), "{text}");
        assert!(!text.contains("Example News"), "{text}");
        assert_eq!(
            found.title.as_deref(),
            Some("The council votes on the budget")
        );
        assert_eq!(found.published.as_deref(), Some("2024-03-01T10:00:00Z"));
    }

    #[test]
    fn windows_1256_is_decoded_from_the_meta_charset() {
        let body = paragraphs(6, "قالت وزارة الخارجية القطرية يوم السبت، إن الوزير أكد");
        let html = page(&body).replace("charset=utf-8", "charset=windows-1256");
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&html);
        let found = extract_page(&bytes, Some("text/html"), Some(&url())).unwrap();
        assert!(text_of(&found).contains("قالت وزارة الخارجية القطرية"));
    }

    #[test]
    fn images_show_their_alt_text_and_a_numbered_link() {
        let body = format!(
            "{}<figure><img src=\"/img/minister.jpg\" alt=\"The minister\">\
             <figcaption>The minister in Doha</figcaption></figure>{}",
            paragraphs(3, "The minister spoke to reporters after the meeting"),
            paragraphs(3, "Talks are expected to continue next week in the capital")
        );
        let found = extract_page(page(&body).as_bytes(), None, Some(&url())).unwrap();
        let text = text_of(&found);
        assert!(
            found
                .article
                .blocks
                .iter()
                .any(|block| block.text == "[image: The minister] [1]"),
            "{:?}",
            found.article.blocks
        );
        assert!(!text.contains("[image:") && !text.contains("[1]"), "{text}");
        assert_eq!(
            found.article.links,
            ["https://news.example/img/minister.jpg"]
        );
        assert!(text.contains("The minister in Doha"), "{text}");
    }

    #[test]
    fn scripts_styles_forms_frames_and_comments_never_reach_the_text() {
        let body = format!(
            "{}<script>var secret = 'script text';</script><style>.x{{color:red}}</style>\
             <!-- a comment --><form><input value=formtext><button>Send it</button></form>\
             <iframe src=/ad>frame text</iframe>{}",
            paragraphs(3, "The storm reached the coast early on Monday morning"),
            paragraphs(3, "Residents were told to stay indoors until the evening")
        );
        let text = text_of(&extract_page(page(&body).as_bytes(), None, Some(&url())).unwrap());
        for hidden in [
            "secret",
            "color",
            "comment",
            "formtext",
            "Send it",
            "frame text",
        ] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
    }

    #[test]
    fn escape_sequences_are_made_harmless() {
        let body = paragraphs(
            6,
            "The vote \u{1b}[2Jwas close\u{7}, and the result \u{9b}31m",
        );
        let html = page(&body).replace("The council", "The \u{1b}]0;owned\u{7}council");
        let found = extract_page(html.as_bytes(), None, Some(&url())).unwrap();
        let everything = format!("{}{:?}", text_of(&found), found.title);
        assert!(!everything.contains('\u{1b}'), "{everything}");
        assert!(!everything.contains('\u{7}'), "{everything}");
        assert!(!everything.contains('\u{9b}'), "{everything}");
    }

    #[test]
    fn a_page_nested_a_hundred_thousand_deep_is_refused() {
        let html = format!("<html><body>{}deep", "<div>".repeat(100_000));
        let error = extract_page(html.as_bytes(), None, Some(&url())).unwrap_err();
        assert_eq!(error, PageError::TooDeep(MAX_PAGE_DEPTH));
        assert_eq!(error.to_string(), "elements nested deeper than 400 levels");
    }

    #[test]
    fn plain_text_leaves_the_markers_out() {
        let block = |text: &str| super::super::Block {
            kind: super::super::BlockKind::Paragraph,
            text: text.to_owned(),
        };
        let article = Article {
            blocks: vec![
                block("See the report [1] and [2], as cited [3]."),
                block("[image: A map] [2]"),
                block("A [image: chart [of] votes] [1] of the vote"),
            ],
            links: vec![
                "https://a.example/".to_owned(),
                "https://b.example/".to_owned(),
            ],
        };
        assert_eq!(
            paragraphs_text(&article),
            "See the report and [2], as cited [3].\n\nA of the vote"
        );
    }

    #[test]
    fn a_huge_page_is_refused_before_it_is_read() {
        let html = vec![b'a'; MAX_PAGE_BYTES + 1];
        let error = extract_page(&html, None, None).unwrap_err();
        assert_eq!(error.to_string(), "page larger than 5 MiB");
    }

    #[test]
    fn what_is_not_a_web_page_is_refused() {
        let error = extract_page(b"%PDF-1.7", Some("application/pdf"), None).unwrap_err();
        assert_eq!(error.to_string(), "not a web page (application/pdf)");
    }

    #[test]
    fn a_page_without_text_has_no_article() {
        let error = extract_page(b"<html><body></body></html>", None, None).unwrap_err();
        assert_eq!(error, PageError::NoArticle);
    }

    #[test]
    fn a_selector_takes_the_article_from_where_the_site_keeps_it() {
        let page = "<html><head><title>خبر</title></head><body><nav><a href=/>الرئيسية</a></nav>\
            <div class=related><p>خبر آخر</p></div>\
            <div class=article-body><p>الفقرة الأولى.</p><script>alert(1)</script><p>الفقرة الثانية.</p></div>\
            <div class=comments><p>تعليق</p></div></body></html>";
        let url = Url::parse("https://e.x/a/1").unwrap();
        let found = extract_selected(
            page.as_bytes(),
            Some("text/html"),
            Some(&url),
            ".article-body",
        )
        .unwrap();
        let texts: Vec<&str> = found
            .article
            .blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect();
        assert_eq!(texts, ["الفقرة الأولى.", "الفقرة الثانية."]);
        assert_eq!(found.title.as_deref(), Some("خبر"));
        assert_eq!(
            extract_selected(page.as_bytes(), None, Some(&url), ".missing"),
            Err(PageError::NoArticle)
        );
        let deep = "<div>".repeat(100_000);
        assert!(matches!(
            extract_selected(deep.as_bytes(), None, None, "div"),
            Err(PageError::TooDeep(_))
        ));
    }
}
