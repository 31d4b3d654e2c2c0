//! A lenient JSON Feed 1.0/1.1 reader that streams the `items` array into [`Headline`]s.
//!
//! Each item is read straight from the text into borrowed fields and turned into a headline
//! before the next one is read, so a feed costs its text and its headlines, never a tree of
//! every value. Types are not trusted: a number where a string belongs is taken as its
//! digits, an object or list there is skipped, an item that is not an object is dropped, and
//! unknown fields are ignored; each such mend is counted in the feed's repairs. A document
//! cut short (or broken) after some items keeps the items read so far.

use super::date::parse_date;
use super::entry::{
    BodySink, Collected, OrUntitled, fallback_title, identity, plausible, story_link,
};
use super::parse::{ParseError, one_line};
use crate::model::{Enclosure, Headline, ParsedFeed};
use crate::text::mojibake::repair_mojibake;
use crate::text::sanitize::{clean_line, plain_text};
use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use url::Url;

/// Reads a JSON Feed from `body` (the whole document, starting with `{`).
///
/// `base` resolves relative links; `now` dates undated items and bounds plausible dates.
/// Whatever had to be mended is told in the feed's `repairs`.
pub fn parse_json_feed(
    body: &str,
    base: Option<&Url>,
    now: DateTime<Utc>,
) -> Result<ParsedFeed, ParseError> {
    parse_json_feed_into(body, base, now, None)
}

/// [`parse_json_feed`] with each item's body given to `bodies`, when given.
pub fn parse_json_feed_into(
    body: &str,
    base: Option<&Url>,
    now: DateTime<Utc>,
    bodies: Option<BodySink>,
) -> Result<ParsedFeed, ParseError> {
    let mut repairs = Vec::new();
    let mut reader = Reader {
        base,
        now,
        feed: FeedFields::default(),
        collected: Collected::new(0, bodies),
        saw_items: false,
        is_object: false,
        mended: 0,
        skipped: 0,
        home: None,
    };
    let mut deserializer = serde_json::Deserializer::from_str(body);
    // Text after the closing brace is ignored: the feed itself was whole.
    let outcome = (&mut reader).deserialize(&mut deserializer);
    if let Err(error) = outcome {
        let reason = one_line(&error.to_string());
        if reader.collected.is_empty() {
            return Err(ParseError::Json(reason));
        }
        repairs.push(format!(
            "kept the {} items read before a json error: {reason}",
            reader.collected.len()
        ));
    } else if !reader.is_object {
        return Err(ParseError::NotAFeed(
            "json that is not an object".to_string(),
        ));
    } else if !reader.saw_items {
        return Err(ParseError::NotAFeed(
            "json without a json feed items list".to_string(),
        ));
    }
    let Reader {
        feed,
        collected,
        mut mended,
        skipped,
        ..
    } = reader;
    if skipped > 0 {
        let noun = if skipped == 1 { "item" } else { "items" };
        repairs.push(format!(
            "skipped {skipped} {noun} with no title, link, summary, body, date or enclosure"
        ));
    }
    if !feed
        .version
        .as_deref()
        .is_some_and(|v| v.starts_with("https://jsonfeed.org/version/1"))
    {
        mended += 1;
    }
    if feed.title.is_none() {
        mended += 1;
    }
    if mended > 0 {
        repairs.push(if mended == 1 {
            "mended 1 field in the json feed".to_string()
        } else {
            format!("mended {mended} fields in the json feed")
        });
    }
    let language = feed
        .language
        .as_deref()
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty());
    let bodies_apart = collected.bodies_apart();
    let mut headlines = collected.headlines;
    // The list grew by doubling; a big feed would carry up to half of it unused.
    headlines.shrink_to_fit();
    // The language may come after the items; an item without its own speaks its feed's.
    for headline in &mut headlines {
        if headline.language.is_none() {
            headline.language.clone_from(&language);
        }
    }
    let link = [feed.home_page_url.as_deref(), feed.feed_url.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|href| story_link(href, base));
    Ok(ParsedFeed {
        title: feed
            .title
            .as_deref()
            .map(|t| text_to_plain(t.trim()))
            .unwrap_or_default(),
        link,
        language,
        ttl: None,
        headlines,
        bodies_apart,
        repairs,
    })
}

/// The state of one read: the feed's own fields and the headlines so far, kept outside the
/// serde call so that a late syntax error does not lose them.
struct Reader<'u> {
    base: Option<&'u Url>,
    now: DateTime<Utc>,
    feed: FeedFields,
    collected: Collected,
    saw_items: bool,
    is_object: bool,
    mended: usize,
    /// Items with nothing to show.
    skipped: usize,
    /// `home_page_url` as read and as a URL, once resolved.
    home: Option<(String, Option<Url>)>,
}

impl Reader<'_> {
    /// Where an item's relative links resolve: the feed's home page when it gave one
    /// (before its items), else where the feed came from.
    fn item_base(&mut self) -> Option<Url> {
        let Some(home) = &self.feed.home_page_url else {
            return self.base.cloned();
        };
        if self.home.as_ref().is_none_or(|(seen, _)| seen != home) {
            let url = story_link(home, self.base).and_then(|l| Url::parse(&l).ok());
            self.home = Some((home.clone(), url));
        }
        self.home
            .as_ref()
            .and_then(|(_, url)| url.clone())
            .or_else(|| self.base.cloned())
    }
}

#[derive(Default)]
struct FeedFields {
    version: Option<String>,
    title: Option<String>,
    home_page_url: Option<String>,
    feed_url: Option<String>,
    language: Option<String>,
}

impl<'de> DeserializeSeed<'de> for &mut Reader<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Reader<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a json feed object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.is_object = true;
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Items => {
                    let list = map.next_value_seed(Items { reader: &mut *self })?;
                    self.saw_items |= list;
                    continue;
                }
                Key::Version => &mut self.feed.version,
                Key::Title => &mut self.feed.title,
                Key::HomePageUrl => &mut self.feed.home_page_url,
                Key::FeedUrl => &mut self.feed.feed_url,
                Key::Language => &mut self.feed.language,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let value = map.next_value::<Lenient>()?;
            self.mended += value.mended();
            let dropped = matches!(value, Lenient::Dropped);
            *slot = value.into_text().map(Cow::into_owned);
            if dropped && matches!(key, Key::Title) {
                // Mended once: counted as a wrong type, not again as a missing title.
                *slot = Some(String::new());
            }
        }
        Ok(())
    }

    // Anything but an object is not a feed; it is read through so that the caller can say so.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        IgnoredAny.visit_seq(seq).map(drop)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The `items` value: a list is streamed item by item; anything else is not a list (`false`).
struct Items<'r, 'u> {
    reader: &'r mut Reader<'u>,
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(MaybeItem(item)) = seq.next_element()? {
            match item {
                Some(item) => {
                    self.reader.mended += item.mended;
                    let base = self.reader.item_base();
                    match item.headline(base.as_ref(), self.reader.now) {
                        Some(headline) => self.reader.collected.push(headline),
                        None => self.reader.skipped += 1,
                    }
                }
                None => self.reader.mended += 1,
            }
        }
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<bool, A::Error> {
        IgnoredAny.visit_map(map).map(|_| false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// The fields of a feed or an item that are read; every other key is skipped unread.
enum Key {
    Items,
    Version,
    Title,
    HomePageUrl,
    FeedUrl,
    Language,
    Id,
    Url,
    ExternalUrl,
    ContentHtml,
    ContentText,
    Summary,
    DatePublished,
    DateModified,
    Attachments,
    Author,
    Authors,
    Name,
    MimeType,
    SizeInBytes,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(match name {
            "items" => Key::Items,
            "version" => Key::Version,
            "title" => Key::Title,
            "home_page_url" => Key::HomePageUrl,
            "feed_url" => Key::FeedUrl,
            "language" => Key::Language,
            "id" => Key::Id,
            "url" => Key::Url,
            "external_url" => Key::ExternalUrl,
            "content_html" => Key::ContentHtml,
            "content_text" => Key::ContentText,
            "summary" => Key::Summary,
            "date_published" => Key::DatePublished,
            "date_modified" => Key::DateModified,
            "attachments" => Key::Attachments,
            "author" => Key::Author,
            "authors" => Key::Authors,
            "name" => Key::Name,
            "mime_type" => Key::MimeType,
            "size_in_bytes" => Key::SizeInBytes,
            _ => Key::Other,
        })
    }
}

/// A value where the spec wants a string, whatever the feed put there.
enum Lenient<'de> {
    /// A string, borrowed from the document when it had no escapes.
    Text(Cow<'de, str>),
    /// A number or boolean, taken as its text.
    Coerced(String),
    /// `null`: the same as absent.
    Null,
    /// An object or a list: skipped.
    Dropped,
}

impl<'de> Lenient<'de> {
    fn mended(&self) -> usize {
        usize::from(matches!(self, Self::Coerced(_) | Self::Dropped))
    }

    fn into_text(self) -> Option<Cow<'de, str>> {
        match self {
            Self::Text(text) => Some(text),
            Self::Coerced(text) => Some(Cow::Owned(text)),
            Self::Null | Self::Dropped => None,
        }
    }
}

impl<'de> de::Deserialize<'de> for Lenient<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor)
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Lenient<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient::Text(Cow::Owned(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient::Text(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Lenient::Coerced(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Lenient::Coerced(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Lenient::Coerced(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Lenient::Coerced(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Lenient::Dropped)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| Lenient::Dropped)
    }
}

/// One item as written, before it becomes a headline; `None` in the list for a non-object.
#[derive(Default)]
struct RawItem<'de> {
    id: Option<Cow<'de, str>>,
    url: Option<Cow<'de, str>>,
    external_url: Option<Cow<'de, str>>,
    title: Option<Cow<'de, str>>,
    content_html: Option<Cow<'de, str>>,
    content_text: Option<Cow<'de, str>>,
    summary: Option<Cow<'de, str>>,
    date_published: Option<Cow<'de, str>>,
    date_modified: Option<Cow<'de, str>>,
    language: Option<Cow<'de, str>>,
    /// An author's or an attachment's own fields (they are read as items are).
    name: Option<Cow<'de, str>>,
    mime_type: Option<Cow<'de, str>>,
    size_in_bytes: Option<Cow<'de, str>>,
    /// JSON Feed 1.0's `author`, else the first of 1.1's `authors` with a name.
    author: Option<Cow<'de, str>>,
    attachments: Vec<RawItem<'de>>,
    mended: usize,
}

/// An element of `items`: an item, or `None` for anything that is not an object.
struct MaybeItem<'de>(Option<RawItem<'de>>);

impl<'de> de::Deserialize<'de> for MaybeItem<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemVisitor).map(MaybeItem)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Option<RawItem<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an item")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut item = RawItem::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Id => &mut item.id,
                Key::Url => &mut item.url,
                Key::ExternalUrl => &mut item.external_url,
                Key::Title => &mut item.title,
                Key::ContentHtml => &mut item.content_html,
                Key::ContentText => &mut item.content_text,
                Key::Summary => &mut item.summary,
                Key::DatePublished => &mut item.date_published,
                Key::DateModified => &mut item.date_modified,
                Key::Language => &mut item.language,
                Key::Name => &mut item.name,
                Key::MimeType => &mut item.mime_type,
                Key::SizeInBytes => &mut item.size_in_bytes,
                Key::Attachments => {
                    item.attachments = map.next_value::<ItemList>()?.0;
                    continue;
                }
                Key::Author => {
                    if let MaybeItem(Some(author)) = map.next_value::<MaybeItem>()? {
                        item.author = author.name.or(item.author);
                    }
                    continue;
                }
                Key::Authors => {
                    let authors = map.next_value::<ItemList>()?.0;
                    if item.author.is_none() {
                        item.author = authors.into_iter().find_map(|a| a.name);
                    }
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let value = map.next_value::<Lenient>()?;
            item.mended += value.mended();
            *slot = value.into_text();
        }
        Ok(Some(item))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A list of objects read as items (attachments, authors), the first few kept; a value
/// that is not a list counts as empty.
struct ItemList<'de>(Vec<RawItem<'de>>);

/// Attachments or authors one item keeps; a feed listing thousands gets no more attention.
const MAX_LISTED: usize = 16;

impl<'de> de::Deserialize<'de> for ItemList<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemListVisitor)
    }
}

struct ItemListVisitor;

impl<'de> Visitor<'de> for ItemListVisitor {
    type Value = ItemList<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut kept = Vec::new();
        while let Some(MaybeItem(item)) = seq.next_element()? {
            if kept.len() < MAX_LISTED {
                kept.extend(item);
            }
        }
        Ok(ItemList(kept))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| ItemList(Vec::new()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(ItemList(Vec::new()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(ItemList(Vec::new()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(ItemList(Vec::new()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(ItemList(Vec::new()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(ItemList(Vec::new()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(ItemList(Vec::new()))
    }
}

impl<'de> RawItem<'de> {
    /// The headline this item makes, or `None` when it has nothing to show as a title.
    fn headline(self, base: Option<&Url>, now: DateTime<Utc>) -> Option<Headline> {
        let html = self.content_html.map(trim_cow);
        let text = self.content_text.map(trim_cow);
        let explicit_summary = self.summary.map(trim_cow);
        // HTML is the body when there is some; the text then serves as the summary.
        let (content, content_is_text, spare_text) = match (html, text) {
            (Some(html), text) => (Some(html), false, text),
            (None, text) => (text, true, None),
        };
        let summary_source = explicit_summary.or(spare_text);
        let summary = summary_source
            .as_deref()
            .map(text_to_plain)
            .filter(|s| !s.is_empty())
            .or_else(|| {
                let body = content.as_deref()?;
                let plain = if content_is_text {
                    text_to_plain(body)
                } else {
                    html_to_plain(body)
                };
                (!plain.is_empty()).then_some(plain)
            })
            .unwrap_or_default();
        let title = self
            .title
            .as_deref()
            .map(|t| text_to_plain(t.trim()))
            .unwrap_or_default();

        let id = self.id.as_deref().map(str::trim).unwrap_or_default();
        let enclosures: Vec<Enclosure> = self
            .attachments
            .iter()
            .filter_map(|attachment| {
                let url = story_link(attachment.url.as_deref()?, base)?;
                let mime = attachment
                    .mime_type
                    .as_deref()
                    .map(|m| clean_line(m.trim()))
                    .filter(|m| !m.is_empty());
                let length = attachment
                    .size_in_bytes
                    .as_deref()
                    .and_then(|n| n.trim().parse().ok());
                Some(Enclosure { url, mime, length })
            })
            .collect();
        let link = [
            self.url.as_deref(),
            self.external_url.as_deref(),
            // A podcast episode may have no other link than its file.
            enclosures.first().map(|e| e.url.as_str()),
        ]
        .into_iter()
        .flatten()
        .find_map(|href| story_link(href, base))
        // An id that is a web address is the item's permalink, as an RSS guid is.
        .or_else(|| story_link(id, None).filter(|l| l.starts_with("http")));
        let date_of = |field: Option<&str>| {
            field
                .and_then(parse_date)
                .filter(|date| plausible(*date, now))
        };
        let date = date_of(self.date_published.as_deref())
            .or_else(|| date_of(self.date_modified.as_deref()));
        // An item is kept when it has anything to show (a date alone counts); untitled, it
        // is titled from its text.
        if title.is_empty() && summary.is_empty() && link.is_none() && date.is_none() {
            return None;
        }
        let titled = !title.is_empty();
        let title = if titled {
            title
        } else {
            fallback_title(&summary, link.as_deref()).or_untitled()
        };
        let (id, published, dated) = identity(id.to_string(), link.as_deref(), &title, date, now);
        let body_html = content
            .filter(|b| !b.is_empty())
            .or(summary_source.filter(|s| !s.is_empty()))
            .map(Cow::into_owned);
        let language = self
            .language
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string);
        Some(Headline {
            id,
            title,
            link,
            published,
            dated,
            titled,
            summary,
            body_html,
            language,
            author: self
                .author
                .as_deref()
                .map(|a| text_to_plain(a.trim()))
                .filter(|a| !a.is_empty()),
            enclosures,
        })
    }
}

/// Plain text as the feed declared it: escaped first, so that `<3` stays `<3`.
fn text_to_plain(text: &str) -> String {
    plain_text(&html_escape::encode_text(&repair_mojibake(text)))
}

/// HTML as plain text, its mojibake undone first (UTF-8 that was read as windows-1252
/// before it was put in the feed): whitespace collapsed later would break the round trip.
fn html_to_plain(html: &str) -> String {
    plain_text(&repair_mojibake(html))
}

fn trim_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 10, 23, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn read(json: &str) -> ParsedFeed {
        let base = Url::parse("https://example.net/ar/feed.json").ok();
        parse_json_feed(json, base.as_ref(), now()).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    fn titles(feed: &ParsedFeed) -> Vec<&str> {
        feed.headlines.iter().map(|h| h.title.as_str()).collect()
    }

    #[test]
    fn wrong_types_keep_their_item() {
        let feed = read(
            r#"{"version": "https://jsonfeed.org/version/1", "title": {"x": 1},
               "items": [
                 {"id": 7, "title": "seven", "url": ["no"]},
                 {"id": true, "title": {"nested": [1, 2]}, "summary": "from the summary"},
                 {"id": 1.5, "title": 42},
                 "not an item", 3, null, [1],
                 {"title": null, "content_text": null},
                 {"unknown": {"deep": [[[]]]}, "title": "kept", "tags": 5}
               ]}"#,
        );
        assert_eq!(
            titles(&feed),
            ["seven", "from the summary", "42", "kept"],
            "{:?}",
            feed.repairs
        );
        assert_eq!(feed.title, "");
        assert_eq!(feed.headlines[0].id, "7");
        assert_eq!(feed.headlines[0].link, None);
        assert_eq!(feed.headlines[1].id, "true");
        assert_eq!(feed.headlines[2].id, "1.5");
        // title object, url list, id true, title object, id 1.5, title 42, four non-items.
        assert_eq!(
            feed.repairs,
            [
                "skipped 1 item with no title, link, summary, body, date or enclosure",
                "mended 11 fields in the json feed"
            ]
        );
    }

    #[test]
    fn html_and_text_content() {
        let feed = read(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
                 {"id": "a", "content_html": " <p>x &amp; <b>y</b></p> ", "content_text": "the text"},
                 {"id": "b", "content_text": "  a <3 b  "},
                 {"id": "c", "title": "<b>not bold</b>", "summary": " s ", "content_html": "<i>h</i>"}
               ]}"#,
        );
        let [a, b, c] = feed.headlines.as_slice() else {
            panic!("{:?}", titles(&feed));
        };
        // HTML is the body; the text is the summary, and so the title.
        assert_eq!(a.title, "the text");
        assert_eq!(a.body_html.as_deref(), Some("<p>x &amp; <b>y</b></p>"));
        // Text is escaped before the sanitizer sees it.
        assert_eq!(b.title, "a <3 b");
        assert_eq!(b.body_html.as_deref(), Some("a <3 b"));
        assert_eq!(c.title, "<b>not bold</b>");
        assert_eq!(c.summary, "s");
        assert!(feed.repairs.is_empty(), "{:?}", feed.repairs);
    }

    #[test]
    fn ids_links_dates_and_languages() {
        let feed = read(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t",
               "home_page_url": "/ar/", "items": [
                 {"title": "relative", "url": "/ar/1", "date_published": "2023-10-22T08:32:00+04:00"},
                 {"title": "external", "external_url": "https://other.example/x", "language": "en"},
                 {"title": "guid", "id": "https://example.net/p/3", "date_modified": "2023-10-21T00:00:00Z"},
                 {"title": "podcast", "attachments": [{"mime_type": "audio/mpeg"}, {"url": "ep.mp3"}, {"url": "b.mp3"}]},
                 {"title": "bare", "date_published": "3023-01-01T00:00:00Z"},
                 {"title": "bad link", "url": "javascript:alert(1)"}
               ], "language": " AR "}"#,
        );
        let h = &feed.headlines;
        assert_eq!(feed.link.as_deref(), Some("https://example.net/ar/"));
        assert_eq!(feed.language.as_deref(), Some("ar"));
        assert_eq!(h[0].link.as_deref(), Some("https://example.net/ar/1"));
        assert_eq!(h[0].id, "https://example.net/ar/1");
        assert!(h[0].dated);
        assert_eq!(h[0].language.as_deref(), Some("ar"));
        assert_eq!(h[1].link.as_deref(), Some("https://other.example/x"));
        assert_eq!(h[1].language.as_deref(), Some("en"));
        assert_eq!(h[2].link.as_deref(), Some("https://example.net/p/3"));
        assert!(h[2].dated, "date_modified counts");
        assert_eq!(h[3].link.as_deref(), Some("https://example.net/ar/ep.mp3"));
        assert!(!h[4].dated, "a date a thousand years ahead is not believed");
        assert_eq!(h[4].published, now());
        assert!(h[4].id.starts_with("fnv1a:"));
        assert_eq!(h[5].link, None);
    }

    #[test]
    fn escaped_strings_and_duplicate_keys() {
        let feed = read(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
                 {"title": "first", "title": "\u0627\u0644\u062e\u0628\u0631 \"quoted\"", "id": "x"}
               ]}"#,
        );
        assert_eq!(titles(&feed), ["الخبر \"quoted\""]);
    }

    #[test]
    fn a_document_cut_short_keeps_the_items_read() {
        let feed = read(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
                 {"id": "1", "title": "one"}, {"id": "2", "title": "two"}, {"id": "3", "tit"#,
        );
        assert_eq!(titles(&feed), ["one", "two"]);
        assert!(
            feed.repairs[0].starts_with("kept the 2 items read before a json error: "),
            "{:?}",
            feed.repairs
        );
        // Nesting past serde_json's limit is an error like any other, not a stack overflow.
        let deep = format!(
            r#"{{"title": "t", "items": [{{"title": "before"}}, {{"x": {}}}]}}"#,
            "[".repeat(100_000)
        );
        assert_eq!(titles(&read(&deep)), ["before"]);
        let none_read = format!(r#"{{"items": [{{"x": {}"#, "[".repeat(100_000));
        let error = parse_json_feed(&none_read, None, now()).err();
        assert!(matches!(error, Some(ParseError::Json(_))), "{error:?}");
    }

    #[test]
    fn not_a_feed() {
        for (json, reason) in [
            (r#"{"a": 1}"#, "json without a json feed items list"),
            (
                r#"{"items": {"a": []}}"#,
                "json without a json feed items list",
            ),
            (
                r#"{"items": "none"}"#,
                "json without a json feed items list",
            ),
            ("[1, 2]", "json that is not an object"),
        ] {
            let error = parse_json_feed(json, None, now()).err();
            assert!(
                matches!(&error, Some(ParseError::NotAFeed(r)) if r == reason),
                "{json}: {error:?}"
            );
        }
        let error = parse_json_feed("{\"items\": [", None, now()).err();
        assert!(matches!(error, Some(ParseError::Json(_))), "{error:?}");
    }

    #[test]
    fn empty_items_cost_nothing() {
        let mut json = String::from(
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ["#,
        );
        for _ in 0..100_000 {
            json.push_str("{},");
        }
        json.push_str(r#"{"title": "last"}]}"#);
        let feed = read(&json);
        assert_eq!(titles(&feed), ["last"]);
        assert_eq!(
            feed.repairs,
            ["skipped 100000 items with no title, link, summary, body, date or enclosure"]
        );
    }
}
