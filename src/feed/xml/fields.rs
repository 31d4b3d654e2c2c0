//! Which element is which field of an item, the order in which the many names of one field
//! are preferred (feedparser's mapping), and how an item's fields become a [`Headline`].

use super::lexer::Element;
use super::names::Ns;
use crate::feed::date::parse_date;
use crate::feed::entry::{OrUntitled, fallback_title, identity, plausible, story_link};
use crate::model::{Enclosure, Headline};
use crate::text::mojibake::repair_mojibake;
use crate::text::sanitize::plain_text;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use url::Url;

/// A field an element fills; the number is its rank among the elements that fill the same
/// field (0 is preferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title(u8),
    /// A link given as text (RSS `<link>`, or an Atom link without `href`).
    Link,
    /// An Atom `<link href rel type>`: read from its attributes.
    AtomLink,
    /// An RSS `<guid>`: the id, and the link unless `isPermaLink="false"`.
    Guid {
        permalink: bool,
    },
    Id,
    Summary(u8),
    Body(u8),
    Date(u8),
    Author(u8),
    Language,
    Enclosure,
    PersonName,
    PersonEmail,
    FeedTitle,
    FeedLink,
    FeedLanguage,
    Ttl,
}

impl Field {
    pub fn is_link(self) -> bool {
        matches!(self, Field::Link | Field::FeedLink)
    }
}

/// How a field's text is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Literal text: `<3` is a heart, not a tag.
    Plain,
    /// HTML source (escaped or in CDATA, or markup inline).
    Html,
    /// Base64 of plain text or of HTML (Atom 0.3 `mode="base64"`).
    Base64 { html: bool },
    /// Not text (an image in Atom content, say): nothing to show.
    Skip,
}

/// The field an element directly inside an item fills, if any.
pub fn item_field(element: &Element<'_>, atom: bool) -> Option<Field> {
    // Lower-cased once, not once for every name it is compared with; no name below is
    // longer.
    let mut lower = [0u8; 16];
    let name = super::names::lower_ascii(element.local, &mut lower)?;
    let is = |n: &str| name == n.as_bytes();
    let field = match element.ns {
        Ns::Rss | Ns::Atom10 | Ns::Atom03 if atom => {
            if is("title") {
                Field::Title(0)
            } else if is("link") {
                Field::AtomLink
            } else if is("id") {
                Field::Id
            } else if is("summary") {
                Field::Summary(0)
            } else if is("content") {
                Field::Body(0)
            } else if is("published") {
                Field::Date(0)
            } else if is("issued") {
                Field::Date(1)
            } else if is("created") {
                Field::Date(3)
            } else if is("updated") || is("modified") {
                Field::Date(4)
            } else {
                return None;
            }
        }
        Ns::Rss => {
            if is("title") {
                Field::Title(0)
            } else if is("link") {
                if element.attr("href").is_some() {
                    Field::AtomLink
                } else {
                    Field::Link
                }
            } else if is("guid") {
                let permalink = element
                    .attr("isPermaLink")
                    .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                Field::Guid { permalink }
            } else if is("description") {
                Field::Summary(0)
            } else if is("abstract") {
                // Channel Definition Format, RSS's Microsoft cousin.
                Field::Summary(1)
            } else if is("pubdate") {
                Field::Date(0)
            } else if is("author") {
                Field::Author(0)
            } else if is("enclosure") {
                Field::Enclosure
            } else {
                return None;
            }
        }
        Ns::Dc => {
            if is("title") {
                Field::Title(1)
            } else if is("description") {
                Field::Summary(1)
            } else if is("date") {
                Field::Date(2)
            } else if is("creator") {
                Field::Author(1)
            } else if is("language") {
                Field::Language
            } else {
                return None;
            }
        }
        Ns::DcTerms => {
            if is("issued") {
                Field::Date(1)
            } else if is("date") {
                Field::Date(2)
            } else if is("created") {
                Field::Date(3)
            } else if is("modified") {
                Field::Date(4)
            } else {
                return None;
            }
        }
        Ns::Content if is("encoded") => Field::Body(0),
        Ns::Itunes => {
            if is("title") {
                Field::Title(2)
            } else if is("summary") {
                Field::Summary(2)
            } else if is("subtitle") {
                Field::Summary(4)
            } else if is("author") {
                Field::Author(2)
            } else {
                return None;
            }
        }
        Ns::Media => {
            if is("title") {
                Field::Title(3)
            } else if is("description") {
                Field::Summary(3)
            } else {
                return None;
            }
        }
        Ns::Xhtml if is("body") || is("div") => Field::Body(1),
        _ => return None,
    };
    Some(field)
}

/// How the text of `element` reads: RSS text is HTML (titles there are routinely escaped
/// markup); an Atom text construct says which it is.
pub fn text_kind(element: &Element<'_>, atom: bool) -> TextKind {
    if !atom {
        return TextKind::Html;
    }
    if element.attr("src").is_some() {
        // Content that lives elsewhere.
        return TextKind::Skip;
    }
    let declared = element.attr("type").map(|t| t.trim().to_ascii_lowercase());
    let html = match declared.as_deref() {
        None | Some("" | "text" | "text/plain") => false,
        Some("html" | "text/html" | "xhtml" | "application/xhtml+xml") => true,
        Some(t) if t.starts_with("text/") => false,
        Some(t) if t.ends_with("+xml") || t.ends_with("/xml") => true,
        // Media is nothing to read; any other type is base64 (RFC 4287 §4.1.3.3).
        Some(t)
            if t.starts_with("image/") || t.starts_with("audio/") || t.starts_with("video/") =>
        {
            return TextKind::Skip;
        }
        Some(_) => return TextKind::Base64 { html: true },
    };
    let base64 = element
        .attr("mode")
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("base64"));
    match (base64, html) {
        (true, html) => TextKind::Base64 { html },
        (false, true) => TextKind::Html,
        (false, false) => TextKind::Plain,
    }
}

/// The `href` of an Atom link that points to the page itself (`rel="alternate"`, the
/// default, in an HTML type or none).
pub fn alternate_href(element: &Element<'_>) -> Option<String> {
    let rel = relation(element);
    (rel.as_deref().is_none_or(|r| r == "alternate") && is_page_type(element))
        .then(|| element.attr("href"))?
}

/// An Atom link's `rel`, lower-cased and without an IANA prefix; `None` when absent.
fn relation(element: &Element<'_>) -> Option<String> {
    let rel = element.attr("rel")?.trim().to_ascii_lowercase();
    // Relations may be written as IANA IRIs.
    let rel = rel.rsplit('/').next().unwrap_or_default();
    (!rel.is_empty()).then(|| rel.to_string())
}

fn is_page_type(element: &Element<'_>) -> bool {
    element.attr("type").is_none_or(|t| {
        let t = t.trim().to_ascii_lowercase();
        t.is_empty() || t == "text/html" || t == "application/xhtml+xml"
    })
}

/// A BCP 47 tag as feeds write it, normalised; junk is no language.
pub fn language_tag(text: &str) -> Option<String> {
    let tag = text.trim();
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then(|| tag.to_ascii_lowercase())
}

/// A field's text once read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    text: String,
    html: bool,
}

impl Captured {
    /// Content that held elements: the markup as written, CDATA sections opened.
    pub fn markup(raw: &str) -> Option<Captured> {
        let text = if raw.contains("<![CDATA[") {
            raw.replace("<![CDATA[", "").replace("]]>", "")
        } else {
            raw.to_owned()
        };
        Some(Captured { text, html: true })
    }

    pub fn text(text: String, kind: TextKind) -> Option<Captured> {
        match kind {
            TextKind::Plain => Some(Captured { text, html: false }),
            TextKind::Html => Some(Captured { text, html: true }),
            TextKind::Base64 { html } => {
                let compact: String = text.split_ascii_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .ok()?;
                // Bytes that are not text are nothing to show.
                let text = String::from_utf8(bytes).ok()?;
                Some(Captured { text, html })
            }
            TextKind::Skip => None,
        }
    }

    /// The text as it came (for links, dates, ids).
    pub fn raw(&self) -> &str {
        &self.text
    }

    fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// As HTML, for the article pane.
    fn into_html(self) -> String {
        if self.html {
            self.text
        } else {
            html_escape::encode_text(&self.text).into_owned()
        }
    }
}

/// A field's text as one line of plain text, mojibake repaired.
pub fn one_line_plain(captured: &Captured) -> String {
    // Repaired before whitespace is collapsed: a misread "à" ends in a no-break space.
    let text = repair_mojibake(&captured.text);
    if captured.html {
        plain_text(&text)
    } else {
        plain_text(&html_escape::encode_text(&text))
    }
}

/// The fields of one item as they arrive, each the best-ranked seen so far.
pub struct ItemFields {
    pub depth: usize,
    now: DateTime<Utc>,
    /// RSS 1.0's `rdf:about`.
    pub about: Option<String>,
    pub language: Option<String>,
    /// The `xml:lang` in scope at the item's start tag.
    pub scope_language: Option<String>,
    /// The `xml:lang` of the body, else of the title: a feed may mark one story's text
    /// as another language than the feed's.
    text_language: Option<(u8, String)>,
    title: Option<(u8, Captured)>,
    summary: Option<(u8, Captured)>,
    body: Option<(u8, Captured)>,
    link: Option<(u8, String)>,
    id: Option<(u8, String)>,
    date: Option<(u8, DateTime<Utc>)>,
    author: Option<(u8, String)>,
    enclosures: Vec<Enclosure>,
}

/// Link ranks: an RSS `<link>` first, then Atom links to the page — an explicit
/// `rel="alternate"` (the last one, as feedparser reads them) before one without `rel`
/// (the first), HTML types before others — then a permalink guid; RSS 1.0's `rdf:about`
/// only when there is no other.
const LINK_TEXT: u8 = 0;
const LINK_ALTERNATE: u8 = 1;
const LINK_UNMARKED: u8 = 2;
const LINK_ALTERNATE_OTHER_TYPE: u8 = 3;
const LINK_GUID: u8 = 5;

fn better<T>(slot: &Option<(u8, T)>, rank: u8) -> bool {
    slot.as_ref().is_none_or(|(held, _)| rank < *held)
}

fn offer<T>(slot: &mut Option<(u8, T)>, rank: u8, value: T) {
    if better(slot, rank) {
        *slot = Some((rank, value));
    }
}

/// As [`offer`], but a value of the same rank replaces the one held.
fn offer_last<T>(slot: &mut Option<(u8, T)>, rank: u8, value: T) {
    if slot.as_ref().is_none_or(|(held, _)| rank <= *held) {
        *slot = Some((rank, value));
    }
}

impl ItemFields {
    pub fn new(depth: usize, now: DateTime<Utc>) -> Self {
        ItemFields {
            depth,
            now,
            about: None,
            language: None,
            scope_language: None,
            text_language: None,
            title: None,
            summary: None,
            body: None,
            link: None,
            id: None,
            date: None,
            author: None,
            enclosures: Vec::new(),
        }
    }

    /// Whether reading `field` could change anything (a better-ranked one is not held).
    pub fn wants(&self, field: Field) -> bool {
        match field {
            Field::Title(rank) => better(&self.title, rank),
            Field::Summary(rank) => better(&self.summary, rank),
            Field::Body(rank) => better(&self.body, rank),
            Field::Date(rank) => self.date.as_ref().is_none_or(|(held, _)| rank <= *held),
            Field::Author(rank) => better(&self.author, rank),
            Field::Link => better(&self.link, LINK_TEXT),
            _ => true,
        }
    }

    /// Takes a field in; the text comes back when the item keeps none of it, for the
    /// reader to fill again (most fields are a few bytes, read once per item).
    pub fn take(&mut self, field: Field, captured: Captured, base: Option<&Url>) -> Option<String> {
        if let Field::Title(rank) | Field::Summary(rank) | Field::Body(rank) = field {
            let slot = match field {
                Field::Title(_) => &mut self.title,
                Field::Summary(_) => &mut self.summary,
                _ => &mut self.body,
            };
            if captured.is_blank() || !better(slot, rank) {
                return Some(captured.text);
            }
            *slot = Some((rank, captured));
            return None;
        }
        match field {
            Field::Link => {
                if let Some(link) = story_link(captured.raw(), base) {
                    offer(&mut self.link, LINK_TEXT, link);
                }
            }
            Field::Guid { permalink } => {
                let id = captured.raw().trim();
                if permalink
                    && let Some(link) = story_link(id, None).filter(|l| l.starts_with("http"))
                {
                    offer(&mut self.link, LINK_GUID, link);
                }
                if !id.is_empty() {
                    offer(&mut self.id, 0, id.to_owned());
                }
            }
            Field::Id => {
                let id = captured.raw().trim();
                if !id.is_empty() {
                    offer(&mut self.id, 0, id.to_owned());
                }
            }
            Field::Date(rank) => {
                if let Some(date) = parse_date(captured.raw()).filter(|d| plausible(*d, self.now)) {
                    // A repeated element overwrites, as feedparser reads them.
                    offer_last(&mut self.date, rank, date);
                }
            }
            Field::Author(rank) => self.take_author(Some(one_line_plain(&captured)), rank),
            Field::Language => {
                if let Some(tag) = language_tag(captured.raw()) {
                    self.language = Some(tag);
                }
            }
            _ => {}
        }
        Some(captured.text)
    }

    pub fn note_text_language(&mut self, field: Field, lang: Option<String>) {
        let rank = match field {
            Field::Body(_) => 0,
            Field::Title(0) => 1,
            _ => return,
        };
        if let Some(lang) = lang {
            offer(&mut self.text_language, rank, lang);
        }
    }

    /// A CDF `<item href lastmod>`: link and date as attributes of the item itself.
    pub fn take_item_attributes(&mut self, element: &Element<'_>, base: Option<&Url>) {
        if let Some(link) = element.attr("href").and_then(|h| story_link(&h, base)) {
            offer(&mut self.link, LINK_TEXT, link);
        }
        if let Some(date) = element
            .attr("lastmod")
            .and_then(|d| parse_date(&d))
            .filter(|d| plausible(*d, self.now))
        {
            offer(&mut self.date, 4, date);
        }
    }

    pub fn take_author(&mut self, author: Option<String>, rank: u8) {
        if let Some(author) = author.filter(|a| !a.is_empty()) {
            offer(&mut self.author, rank, author);
        }
    }

    /// An Atom link; false when it has no `href` (its text is then the address).
    pub fn take_atom_link(&mut self, element: &Element<'_>, base: Option<&Url>) -> bool {
        let Some(href) = element.attr("href") else {
            return false;
        };
        match relation(element).as_deref() {
            rel @ (Some("alternate") | None) => {
                let rank = match (rel.is_some(), is_page_type(element)) {
                    (true, true) => LINK_ALTERNATE,
                    (false, true) => LINK_UNMARKED,
                    (_, false) => LINK_ALTERNATE_OTHER_TYPE,
                };
                if let Some(link) = story_link(&href, base) {
                    if rank == LINK_ALTERNATE {
                        offer_last(&mut self.link, rank, link);
                    } else {
                        offer(&mut self.link, rank, link);
                    }
                }
            }
            Some("enclosure") => self.push_enclosure(&href, element, base),
            _ => {}
        }
        true
    }

    pub fn take_enclosure(&mut self, element: &Element<'_>, base: Option<&Url>) {
        if let Some(url) = element.attr("url") {
            self.push_enclosure(&url, element, base);
        }
    }

    fn push_enclosure(&mut self, href: &str, element: &Element<'_>, base: Option<&Url>) {
        // A feed that lists thousands of files under one item gets no more attention.
        const MAX_ENCLOSURES: usize = 16;
        if self.enclosures.len() >= MAX_ENCLOSURES {
            return;
        }
        if let Some(url) = story_link(href, base) {
            let mime = element
                .attr("type")
                .map(|t| crate::text::sanitize::clean_line(t.trim()))
                .filter(|t| !t.is_empty());
            let length = element.attr("length").and_then(|l| l.trim().parse().ok());
            self.enclosures.push(Enclosure { url, mime, length });
        }
    }

    /// The headline, or `None` when the item has no title, link, summary, body, date or
    /// enclosure.
    pub fn headline(self) -> Option<Headline> {
        let ItemFields {
            now,
            about,
            language,
            scope_language,
            text_language,
            title,
            summary,
            body,
            link,
            id,
            date,
            author,
            enclosures,
            ..
        } = self;
        let mut link = link.map(|(_, l)| l);
        let mut id = id.map(|(_, id)| id);
        if let Some(about) = about.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()) {
            if link.is_none() {
                link = story_link(&about, None).filter(|l| l.starts_with("http"));
            }
            id.get_or_insert(about);
        }
        let had_title = title.is_some();
        let title = title
            .map(|(_, t)| one_line_plain(&t))
            .filter(|t| !t.is_empty());
        let summary_text = summary
            .as_ref()
            .map(|(_, s)| one_line_plain(s))
            .filter(|s| !s.is_empty())
            .or_else(|| {
                body.as_ref()
                    .map(|(_, b)| one_line_plain(b))
                    .filter(|s| !s.is_empty())
            });
        // A dated item is news even without words (feeds that only date their items exist);
        // one with nothing at all is not.
        let nothing = !had_title && summary_text.is_none() && link.is_none();
        if nothing && date.is_none() && enclosures.is_empty() {
            return None;
        }
        let mut summary_text = summary_text.unwrap_or_default();
        // The text was sized for its markup; 10,000 headlines keep it for good.
        summary_text.shrink_to_fit();
        // A podcast episode may be only its file.
        let shown_link = link
            .as_deref()
            .or(enclosures.first().map(|e| e.url.as_str()));
        let titled = title.is_some();
        let title = title
            .unwrap_or_else(|| fallback_title(&summary_text, shown_link))
            .or_untitled();
        let date = date.map(|(_, date)| date);
        let (id, published, dated) =
            identity(id.unwrap_or_default(), link.as_deref(), &title, date, now);
        let body_html = body
            .or(summary)
            .map(|(_, captured)| captured.into_html())
            .filter(|html| !html.trim().is_empty())
            .map(|mut html| {
                html.shrink_to_fit();
                html
            });
        // `dc:language` is the item's own; else its text's `xml:lang` (in scope there, so
        // the item's and the feed's count too).
        let language = language
            .or(text_language.map(|(_, l)| l))
            .or(scope_language);
        Some(Headline {
            id,
            title,
            link,
            published,
            dated,
            titled,
            summary: summary_text,
            body_html,
            language,
            author: author.map(|(_, a)| a),
            enclosures,
        })
    }
}
