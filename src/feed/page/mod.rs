//! Pages that are no feed, read with CSS selectors (`[feed.html]` in the config): one
//! element per story, and inside it the story's title, link, time and summary.
//!
//! The page is parsed into a tree by `dom_query` (html5ever's tree builder, as a browser
//! builds it, so that selectors match what the site's own CSS matches) once it has been
//! decoded like a feed and checked for nesting the tree builder would take quadratic time
//! over. Every value passes through the same hygiene as feed text; the times go through
//! [`times`], which gives bare clock times their day from the order of the list.

pub mod times;

use super::decode;
use super::entry::{identity, story_link};
use super::parse::ParseError;
use crate::model::{Headline, PageRules, ParsedFeed};
use crate::text::html::{self, Dialect, Element, Tag, TagKind};
use crate::text::sanitize::{clean_line, plain_text};
use chrono::{DateTime, FixedOffset, Utc};
use dom_query::{Document, Matcher, Selection};
use url::Url;

/// Stories read from one page at most: a list of news, not an archive.
pub const MAX_ITEMS: usize = 2_000;

/// Pages nested deeper are refused: the tree builder's work grows with the square of the
/// depth, and real pages stay within a few dozen levels.
pub const MAX_DEPTH: usize = 1_000;

/// Checks one field of `[feed.html]`: `selector`, `selector@attribute` or `@attribute`.
pub fn check_field(field: &str) -> Result<(), String> {
    let (selector, attribute) = split_field(field);
    if let Some(attribute) = attribute
        && attribute.is_empty()
    {
        return Err(format!("`{field}`: no attribute name after `@`"));
    }
    if selector.is_empty() {
        return if attribute.is_some() {
            Ok(())
        } else {
            Err("an empty selector".to_owned())
        };
    }
    Matcher::new(selector)
        .map(drop)
        .map_err(|_| format!("`{selector}` is not a CSS selector"))
}

/// Checks a plain selector of `[feed.html]` (`item`, `article`): elements, no `@attribute`.
pub fn check_selector(selector: &str) -> Result<(), String> {
    match split_field(selector) {
        (_, Some(_)) => Err(format!(
            "`{}`: an element is needed here, not an attribute",
            selector.trim()
        )),
        (selector, None) => check_field(selector),
    }
}

/// `a@href` → (`a`, `href`). An `@` inside brackets or quotes (`a[href*="@"]`) is part of
/// the selector.
fn split_field(field: &str) -> (&str, Option<&str>) {
    let field = field.trim();
    let mut depth = 0usize;
    let mut quote = None;
    let mut split = None;
    for (at, c) in field.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth = depth.saturating_sub(1),
            (None, '@') if depth == 0 => split = Some(at),
            _ => {}
        }
    }
    match split {
        Some(at) => (
            field.get(..at).unwrap_or_default().trim(),
            Some(field.get(at + 1..).unwrap_or_default().trim()),
        ),
        None => (field, None),
    }
}

/// Reads the page in `bytes` (decoded as feeds are: BOM, HTTP charset, `<meta charset>`,
/// detection) by `rules`; `base` resolves relative links, `now` and `zone` give bare times
/// their day.
pub fn parse_page(
    bytes: &[u8],
    content_type: Option<&str>,
    rules: &PageRules,
    base: Option<&Url>,
    now: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<ParsedFeed, ParseError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let decoded = decode::decode(bytes, content_type);
    let mut feed = read_page(&decoded.text, rules, base, now, zone)?;
    let mut notes = decoded.notes;
    notes.append(&mut feed.repairs);
    feed.repairs = notes;
    Ok(feed)
}

/// [`parse_page`] for text already decoded.
pub fn read_page(
    page: &str,
    rules: &PageRules,
    base: Option<&Url>,
    now: DateTime<Utc>,
    zone: FixedOffset,
) -> Result<ParsedFeed, ParseError> {
    if nested_deeper_than(page, MAX_DEPTH) {
        return Err(ParseError::NotAFeed(format!(
            "a page nested deeper than {MAX_DEPTH} elements"
        )));
    }
    let field = |field: &str| Field::new(field).map_err(ParseError::NotAFeed);
    let item = Matcher::new(rules.item.trim())
        .map_err(|_| ParseError::NotAFeed(format!("`{}` is not a CSS selector", rules.item)))?;
    let title = field(&rules.title)?;
    let link = field(&rules.link)?;
    let time = rules.time.as_deref().map(field).transpose()?;
    let summary = rules.summary.as_deref().map(field).transpose()?;

    let document = Document::from(page);
    let items = document.select_matcher(&item);
    let mut found = Vec::new();
    let mut stamps = Vec::new();
    let mut skipped = 0usize;
    for story in items.iter().take(MAX_ITEMS) {
        let title = title.text_in(&story);
        let link = link.raw_in(&story).and_then(|href| story_link(&href, base));
        if title.is_empty() && link.is_none() {
            skipped += 1;
            continue;
        }
        let summary = summary
            .as_ref()
            .map(|summary| summary.text_in(&story))
            .unwrap_or_default();
        stamps.push(
            time.as_ref()
                .and_then(|time| time.raw_in(&story))
                .and_then(|text| times::read_stamp(&text)),
        );
        found.push((title, link, summary));
    }
    let moments = times::moments(&stamps, zone, now);
    let language = document
        .select("html")
        .attr("lang")
        .map(|lang| clean_line(&lang))
        .filter(|lang| !lang.is_empty());
    let headlines = found
        .into_iter()
        .zip(moments)
        .map(|((title, link, summary), moment)| {
            let titled = !title.is_empty();
            let title = if titled {
                title
            } else {
                link.clone().unwrap_or_default()
            };
            // Items keep their identity by link: a page has no ids.
            let (id, published, dated) =
                identity(String::new(), link.as_deref(), &title, moment, now);
            Headline {
                id,
                title,
                titled,
                link,
                published,
                dated,
                summary,
                body_html: None,
                language: language.clone(),
                author: None,
                enclosures: Vec::new(),
            }
        })
        .collect::<Vec<_>>();
    let mut repairs = Vec::new();
    if items.length() > MAX_ITEMS {
        repairs.push(format!("read the first {MAX_ITEMS} items of the page"));
    }
    if skipped > 0 {
        repairs.push(format!("skipped {skipped} items with no title or link"));
    }
    let page_title = plain_text(&document.select("title").first().inner_html());
    Ok(ParsedFeed {
        title: page_title,
        link: base.map(Url::to_string),
        language,
        headlines,
        repairs,
        ..ParsedFeed::default()
    })
}

/// One field of `[feed.html]`, its selector compiled.
struct Field {
    /// `None`: the item itself.
    matcher: Option<Matcher>,
    attribute: Option<String>,
}

impl Field {
    fn new(field: &str) -> Result<Field, String> {
        check_field(field)?;
        let (selector, attribute) = split_field(field);
        let matcher = if selector.is_empty() {
            None
        } else {
            Some(
                Matcher::new(selector)
                    .map_err(|_| format!("`{selector}` is not a CSS selector"))?,
            )
        };
        Ok(Field {
            matcher,
            attribute: attribute.map(str::to_ascii_lowercase),
        })
    }

    /// The first element the field's selector matches inside `story` (or `story` itself).
    fn element<'a>(&self, story: &Selection<'a>) -> Option<Selection<'a>> {
        let element = match &self.matcher {
            Some(matcher) => story.select_matcher(matcher).first(),
            None => story.clone(),
        };
        element.exists().then_some(element)
    }

    /// The attribute's value, or the element's text, as the page has it.
    fn raw_in(&self, story: &Selection<'_>) -> Option<String> {
        let element = self.element(story)?;
        match &self.attribute {
            Some(name) => element.attr(name).map(|value| value.to_string()),
            None => Some(plain_text(&element.inner_html())),
        }
    }

    /// The value as one line of plain text: markup read, scripts dropped, controls removed.
    fn text_in(&self, story: &Selection<'_>) -> String {
        match &self.attribute {
            Some(_) => self
                .raw_in(story)
                .map(|value| clean_line(&value))
                .unwrap_or_default(),
            None => self.raw_in(story).unwrap_or_default(),
        }
    }
}

/// Whether the page's elements nest deeper than `limit` (elements whose end tags HTML lets
/// a page leave out, such as `li` and `p`, close at their next sibling as browsers close them).
fn nested_deeper_than(page: &str, limit: usize) -> bool {
    html::read(
        page,
        Depth {
            open: 0,
            limit,
            exceeded: false,
        },
        Dialect::Html,
    )
    .exceeded
}

struct Depth {
    open: usize,
    limit: usize,
    exceeded: bool,
}

/// Elements with no end tag, and ones a sibling closes (a link closes an open link too);
/// neither nests.
fn nests(name: &str) -> bool {
    !matches!(
        name,
        "a" | "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "li"
            | "p"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
    )
}

impl html::Reader for Depth {
    fn start_tag(&mut self, tag: &Tag, _element: Element) {
        if tag.kind == TagKind::StartTag && !tag.self_closing && nests(&tag.name) {
            self.open += 1;
            self.exceeded |= self.open > self.limit;
        }
    }

    fn end_tag(&mut self, tag: &Tag, _element: Element) {
        if nests(&tag.name) {
            self.open = self.open.saturating_sub(1);
        }
    }

    fn text(&mut self, _text: &str) {}

    fn is_done(&self) -> bool {
        self.exceeded
    }
}

#[cfg(test)]
mod tests;
