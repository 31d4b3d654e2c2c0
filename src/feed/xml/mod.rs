//! The streaming reader for RSS 0.90–2.0, RSS 1.0 (RDF) and Atom 0.3/1.0.
//!
//! Written by hand on quick-xml's tokens (see [`lexer`]) because no feed crate reads real
//! feeds the way readers need: feed-rs wanted well-formed XML (which a quarter of real
//! feeds are not), dropped items without titles, and held every event of a document in
//! memory. Here one pass turns elements into fields as feedparser maps them — matched by
//! namespace, not by prefix, and by name ignoring case — and each item into a [`Headline`]
//! as soon as it closes, so memory grows with the headlines, not with the document.

mod fields;
pub mod lexer;
pub mod names;

use super::entry::{BodySink, Collected};
use super::model::ParsedFeed;
use chrono::{DateTime, Utc};
use fields::{Captured, Field, ItemFields, TextKind};
use lexer::{Cursor, Document, Element, Lexer, Token};
use names::Ns;
use std::borrow::Cow;
use std::time::Duration;
use url::Url;

/// What reading an XML document gave.
pub struct Read {
    pub feed: ParsedFeed,
    /// Whether an RSS, RDF or Atom root was found at all.
    pub found_root: bool,
}

/// Reads every item of the feed in `xml`; `document_url` is where it came from (the last
/// resort for relative links), `now` dates undated items.
pub fn read(xml: &str, document_url: Option<&Url>, now: DateTime<Utc>) -> Read {
    read_document(
        Document::new(Cow::Borrowed(xml)),
        0,
        document_url,
        now,
        None,
    )
}

/// [`read`] for a document the reader may own, from byte `start` on: what it has read is
/// given back as it goes, so a big feed is not held whole beside its headlines. Bodies go
/// to `bodies` when given.
pub fn read_owned(
    xml: String,
    start: usize,
    document_url: Option<&Url>,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Read {
    read_document(
        Document::new(Cow::Owned(xml)),
        start,
        document_url,
        now,
        bodies,
    )
}

fn read_document(
    mut document: Document<'_>,
    start: usize,
    document_url: Option<&Url>,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Read {
    let mut lexer = Lexer::new(document_url);
    let mut reader = FeedReader {
        document_url: document_url.cloned(),
        now,
        collected: Collected::new(
            item_estimate(document.held().get(start..).unwrap_or_default()),
            bodies,
        ),
        ..FeedReader::default()
    };
    let mut at = start;
    loop {
        let mut cursor = Cursor::new(&document, at);
        let done = loop {
            let token = if reader.takes_text() {
                lexer.next_text_token(&mut cursor)
            } else {
                lexer.next_token(&mut cursor)
            };
            match token {
                Token::Open(element) => reader.open(&element, &lexer),
                Token::Close { depth, at } => reader.close(depth, at, &document),
                Token::Text(text) | Token::CData(text) => reader.text(&text),
                Token::Eof => break true,
            }
            if document.worth_giving_back(reader.needed_from(cursor.position())) {
                break false;
            }
        };
        at = cursor.position();
        if done {
            break;
        }
        document.give_back(reader.needed_from(at));
    }
    reader.finish(&lexer)
}

/// How many items the document has at most (tags that may open one): the headline list is
/// sized once instead of doubling past it, which for a big feed would leave a third unused.
fn item_estimate(xml: &str) -> usize {
    const MAX_RESERVED: usize = 1 << 20;
    let bytes = xml.as_bytes();
    let count = memchr::memmem::find_iter(bytes, b"<item").count()
        + memchr::memmem::find_iter(bytes, b"<entry").count();
    count.min(MAX_RESERVED)
}

/// The dialect of the document's root, which decides how unprefixed elements read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Dialect {
    #[default]
    Rss,
    Atom,
}

/// A field being read: from its start tag to the end of its content.
struct Capture {
    field: Field,
    kind: TextKind,
    depth: usize,
    content_start: usize,
    text: String,
    /// Elements inside: the content is markup, taken from the document as written.
    markup: bool,
    /// The `xml:base` relative links inside resolve against (its own counts), if any.
    base: Option<Url>,
    /// The `xml:lang` in scope (its own counts): the language of a body or title.
    lang: Option<String>,
}

/// An Atom person (`<author>`) being read.
#[derive(Default)]
struct Person {
    depth: usize,
    name: Option<String>,
    email: Option<String>,
}

#[derive(Default)]
struct FeedReader {
    document_url: Option<Url>,
    now: DateTime<Utc>,
    root: Option<(usize, Dialect)>,
    /// The element whose children describe the feed (`<channel>`, Atom's `<feed>`).
    channel: Option<usize>,
    item: Option<ItemFields>,
    capture: Option<Capture>,
    person: Option<Person>,
    /// Depth of an open `<media:group>` inside the item.
    group: Option<usize>,
    found_root: bool,
    title: Option<Captured>,
    link: Option<String>,
    /// `link` parsed, as the base of relative links.
    link_url: Option<Url>,
    language: Option<String>,
    ttl: Option<Duration>,
    collected: Collected,
    /// A text buffer to read the next field into.
    scratch: String,
    skipped_empty: usize,
    dropped_partial: bool,
}

impl FeedReader {
    fn dialect(&self) -> Dialect {
        self.root.map(|(_, d)| d).unwrap_or_default()
    }

    /// Whether an element reads as Atom: in an Atom namespace, or unprefixed in an Atom
    /// document that never declared one.
    fn is_atom(&self, element: &Element<'_>) -> bool {
        element.ns.is_atom() || (element.ns == Ns::Rss && self.dialect() == Dialect::Atom)
    }

    fn open(&mut self, element: &Element<'_>, lexer: &Lexer) {
        if let Some(capture) = &mut self.capture {
            capture.markup = true;
            return;
        }
        let depth = element.depth;
        let Some((_, dialect)) = self.root else {
            self.open_root(element, lexer);
            return;
        };
        if let Some(item) = &self.item {
            let item_depth = item.depth;
            if depth == item_depth + 1 && self.is_item(element, dialect) {
                // An item opened inside an item: the first one never closed.
                self.end_item();
                self.start_item(element, lexer);
                return;
            }
            let in_person = self.person.as_ref().is_some_and(|p| p.depth + 1 == depth);
            let in_group = self.group.is_some_and(|g| g + 1 == depth);
            if depth == item_depth + 1 || in_person || in_group {
                self.open_item_child(element, lexer, in_person);
            }
            return;
        }
        if self.is_item(element, dialect) {
            self.start_item(element, lexer);
            return;
        }
        if self.channel.is_none() && element.is(Ns::Rss, "channel") {
            self.channel = Some(depth);
            self.note_feed_language(lexer);
            return;
        }
        if self.channel.is_some_and(|c| c + 1 == depth) {
            self.open_feed_child(element, lexer);
        }
    }

    fn open_root(&mut self, element: &Element<'_>, lexer: &Lexer) {
        let depth = element.depth;
        let local = element.local;
        let rss_like = matches!(element.ns, Ns::Rss | Ns::Rdf | Ns::Other);
        let dialect = if rss_like
            && (local.eq_ignore_ascii_case("rss") || local.eq_ignore_ascii_case("rdf"))
        {
            Dialect::Rss
        } else if element.ns == Ns::Rss && local.eq_ignore_ascii_case("channel") {
            self.channel = Some(depth);
            Dialect::Rss
        } else if (element.ns.is_atom() || element.ns == Ns::Rss)
            && local.eq_ignore_ascii_case("feed")
        {
            self.channel = Some(depth);
            Dialect::Atom
        } else if element.ns.is_atom() && local.eq_ignore_ascii_case("entry") {
            // An Atom entry document: one item, no feed around it.
            self.root = Some((depth, Dialect::Atom));
            self.found_root = true;
            self.start_item(element, lexer);
            return;
        } else {
            return;
        };
        self.root = Some((depth, dialect));
        self.found_root = true;
        if self.channel.is_some() {
            self.note_feed_language(lexer);
        }
    }

    fn note_feed_language(&mut self, lexer: &Lexer) {
        if self.language.is_none() {
            self.language = lexer.lang().and_then(fields::language_tag);
        }
    }

    fn is_item(&self, element: &Element<'_>, dialect: Dialect) -> bool {
        match dialect {
            Dialect::Rss => element.is(Ns::Rss, "item"),
            Dialect::Atom => {
                (element.ns.is_atom() || element.ns == Ns::Rss) && element.is(element.ns, "entry")
            }
        }
    }

    fn start_item(&mut self, element: &Element<'_>, lexer: &Lexer) {
        let mut item = ItemFields::new(element.depth, self.now);
        if let Some(about) = element.attr("about") {
            item.about = Some(about);
        }
        item.scope_language = lexer.lang().and_then(fields::language_tag);
        if self.dialect() == Dialect::Rss && element.ns == Ns::Rss && element.has_attributes() {
            let base = self.base_for(lexer);
            item.take_item_attributes(element, base.as_ref());
        }
        self.item = Some(item);
        self.person = None;
        self.group = None;
    }

    fn open_item_child(&mut self, element: &Element<'_>, lexer: &Lexer, in_person: bool) {
        let atom = self.is_atom(element);
        if in_person {
            let field = if element.local.eq_ignore_ascii_case("name") {
                Field::PersonName
            } else if element.local.eq_ignore_ascii_case("email") {
                Field::PersonEmail
            } else {
                return;
            };
            self.begin(field, TextKind::Plain, element, lexer);
            return;
        }
        if element.is(Ns::Media, "group") {
            self.group = Some(element.depth);
            return;
        }
        if atom && element.local.eq_ignore_ascii_case("author") {
            self.person = Some(Person {
                depth: element.depth,
                ..Person::default()
            });
            return;
        }
        let field = fields::item_field(element, atom);
        let base = matches!(field, Some(Field::AtomLink | Field::Enclosure))
            .then(|| self.base_for(lexer))
            .flatten();
        let Some(item) = &mut self.item else {
            return;
        };
        match field {
            Some(Field::AtomLink) if !item.take_atom_link(element, base.as_ref()) => {
                // A link without href: its text is the address.
                self.begin(Field::Link, TextKind::Plain, element, lexer);
            }
            Some(Field::Enclosure) => item.take_enclosure(element, base.as_ref()),
            Some(field) if field != Field::AtomLink && item.wants(field) => {
                let kind = fields::text_kind(element, atom);
                self.begin(field, kind, element, lexer);
            }
            _ => {}
        }
    }

    fn open_feed_child(&mut self, element: &Element<'_>, lexer: &Lexer) {
        let atom = self.is_atom(element);
        let local = element.local;
        let field = if local.eq_ignore_ascii_case("title")
            && (matches!(element.ns, Ns::Rss | Ns::Dc) || element.ns.is_atom())
        {
            if self.title.is_some() {
                return;
            }
            Field::FeedTitle
        } else if local.eq_ignore_ascii_case("link") && (atom || element.ns.is_atom()) {
            if self.link.is_none()
                && let Some(href) = fields::alternate_href(element)
            {
                let base = self.base_for(lexer);
                self.set_link(super::entry::story_link(&href, base.as_ref()));
            }
            return;
        } else if element.is(Ns::Rss, "link") {
            Field::FeedLink
        } else if element.is(Ns::Rss, "language") || element.is(Ns::Dc, "language") {
            Field::FeedLanguage
        } else if element.is(Ns::Rss, "ttl") {
            Field::Ttl
        } else {
            return;
        };
        let kind = fields::text_kind(element, atom);
        self.begin(field, kind, element, lexer);
    }

    /// Where a relative link read now resolves: the `xml:base` in scope, else the feed's
    /// own link, else the document's address.
    fn base_for(&self, lexer: &Lexer) -> Option<Url> {
        if let Some(base) = lexer.base() {
            return Some(base.clone());
        }
        self.link_url.clone().or_else(|| self.document_url.clone())
    }

    fn set_link(&mut self, link: Option<String>) {
        self.link_url = link.as_deref().and_then(|l| Url::parse(l).ok());
        self.link = link;
    }

    fn begin(&mut self, field: Field, kind: TextKind, element: &Element<'_>, lexer: &Lexer) {
        // Only an `xml:base` is kept: the fallbacks (the feed's link, the document's address)
        // cannot change while a field is read, and are looked up when it ends.
        let base = field.is_link().then(|| lexer.base().cloned()).flatten();
        let lang = matches!(field, Field::Title(_) | Field::Body(_))
            .then(|| lexer.lang().and_then(fields::language_tag))
            .flatten();
        self.capture = Some(Capture {
            field,
            kind,
            depth: element.depth,
            content_start: element.content_start,
            text: std::mem::take(&mut self.scratch),
            markup: false,
            base,
            lang,
        });
    }

    /// Whether a field is taking in text (and no markup yet).
    fn takes_text(&self) -> bool {
        self.capture.as_ref().is_some_and(|c| !c.markup)
    }

    fn text(&mut self, text: &str) {
        if let Some(capture) = &mut self.capture
            && !capture.markup
        {
            capture.text.push_str(text);
        }
    }

    /// The first offset of the document still needed, at most `position`: an open field
    /// may end up taken from the document as written.
    fn needed_from(&self, position: usize) -> usize {
        self.capture
            .as_ref()
            .map_or(position, |c| c.content_start.min(position))
    }

    fn close(&mut self, depth: usize, at: usize, document: &Document<'_>) {
        if self.capture.as_ref().is_some_and(|c| c.depth == depth) {
            if let Some(capture) = self.capture.take() {
                self.end_capture(capture, at, document);
            }
            return;
        }
        if self.capture.is_some() {
            return;
        }
        if self.person.as_ref().is_some_and(|p| p.depth == depth) {
            if let (Some(person), Some(item)) = (self.person.take(), &mut self.item) {
                // As feedparser gives it: "Name (email)".
                let author = match (person.name, person.email) {
                    (Some(name), Some(email)) => Some(format!("{name} ({email})")),
                    (name, email) => name.or(email),
                };
                item.take_author(author, 0);
            }
            return;
        }
        if self.group == Some(depth) {
            self.group = None;
            return;
        }
        if self.item.as_ref().is_some_and(|i| i.depth == depth) {
            self.end_item();
            return;
        }
        if self.channel == Some(depth) {
            self.channel = None;
        }
        if self.root.is_some_and(|(d, _)| d == depth) {
            self.root = None;
            self.channel = None;
        }
    }

    fn end_capture(&mut self, capture: Capture, at: usize, document: &Document<'_>) {
        let Capture {
            field,
            kind,
            content_start,
            text,
            markup,
            base,
            lang,
            ..
        } = capture;
        let captured = if markup {
            let raw = document.slice(content_start, at);
            Captured::markup(raw)
        } else {
            Captured::text(text, kind)
        };
        let Some(captured) = captured else {
            return;
        };
        // As [`FeedReader::base_for`] gave it where the field started.
        let base = base
            .as_ref()
            .or(self.link_url.as_ref())
            .or(self.document_url.as_ref());
        match field {
            Field::FeedTitle => self.title = Some(captured),
            Field::FeedLink => {
                if self.link.is_none() {
                    let link = super::entry::story_link(captured.raw(), base);
                    self.set_link(link);
                }
            }
            Field::FeedLanguage => {
                if let Some(tag) = fields::language_tag(captured.raw()) {
                    self.language = Some(tag);
                }
            }
            Field::Ttl => {
                self.ttl = captured
                    .raw()
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|&minutes| minutes > 0)
                    .map(|minutes| Duration::from_secs(minutes.saturating_mul(60)));
            }
            Field::PersonName | Field::PersonEmail => {
                if let Some(person) = &mut self.person {
                    let value = Some(fields::one_line_plain(&captured)).filter(|v| !v.is_empty());
                    if field == Field::PersonName {
                        person.name = value;
                    } else {
                        person.email = value;
                    }
                }
            }
            field => {
                if let Some(item) = &mut self.item {
                    item.note_text_language(field, lang);
                    if let Some(text) = item.take(field, captured, base) {
                        self.recycle(text);
                    }
                }
            }
        }
    }

    /// Keeps a field's buffer for the next field, unless it grew big.
    fn recycle(&mut self, mut text: String) {
        const KEPT_CAPACITY: usize = 4096;
        if text.capacity() <= KEPT_CAPACITY {
            text.clear();
            self.scratch = text;
        }
    }

    fn end_item(&mut self) {
        self.capture = None;
        self.person = None;
        self.group = None;
        if let Some(item) = self.item.take() {
            match item.headline() {
                Some(headline) => self.collected.push(headline),
                None => self.skipped_empty += 1,
            }
        }
    }

    fn finish(mut self, lexer: &Lexer) -> Read {
        if self.item.take().is_some() {
            self.dropped_partial = true;
        }
        let mut repairs = Vec::new();
        let notes = &lexer.repairs;
        if self.dropped_partial {
            repairs.push(format!(
                "feed truncated mid-item; kept {} complete items",
                self.collected.len()
            ));
        } else if notes.cut_off && self.found_root {
            repairs.push("feed truncated; kept every item it had".to_string());
        }
        if notes.closed_implicitly > 0 {
            repairs.push(format!(
                "closed {} elements their end tags never closed",
                notes.closed_implicitly
            ));
        }
        if notes.stray_lt > 0 {
            repairs.push(format!("read {} stray '<' as text", notes.stray_lt));
        }
        if notes.flattened > 0 {
            repairs.push(format!(
                "flattened {} elements nested deeper than {}",
                notes.flattened,
                lexer::MAX_DEPTH
            ));
        }
        if self.skipped_empty > 0 {
            let noun = if self.skipped_empty == 1 {
                "item"
            } else {
                "items"
            };
            repairs.push(format!(
                "skipped {} {noun} with no title, link, summary, body, date or enclosure",
                self.skipped_empty
            ));
        }
        let language = self.language;
        let bodies_apart = self.collected.bodies_apart();
        let mut headlines = self.collected.headlines;
        for headline in &mut headlines {
            // An item without a language of its own speaks its feed's, which decides the
            // paragraph direction of its text.
            if headline.language.is_none() {
                headline.language.clone_from(&language);
            }
        }
        Read {
            feed: ParsedFeed {
                title: self
                    .title
                    .map(|t| fields::one_line_plain(&t))
                    .unwrap_or_default(),
                link: self.link,
                language,
                ttl: self.ttl,
                headlines,
                bodies_apart,
                repairs,
            },
            found_root: self.found_root,
        }
    }
}
