//! What every feed reader (XML and JSON) shares once an item's fields are read: its links
//! made absolute and safe, its identity, its date checked, and a title when it had none.

use chrono::{DateTime, TimeDelta, Utc};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;
use url::Url;

use crate::model::Headline;
use crate::text::sanitize::clean_line;

/// Characters of a title made from a summary, before the cut at a word.
const TITLE_FROM_TEXT: usize = 80;
/// A first sentence this short or shorter (in characters) is the whole title.
const SENTENCE_MAX: usize = 120;
/// A "sentence" shorter than this ends at an abbreviation more often than at its end.
const SENTENCE_MIN: usize = 8;

/// The title shown for an item that has none: the first sentence of its summary when that
/// is short, else its first ~80 characters cut at a word, else its link.
pub fn fallback_title(summary: &str, link: Option<&str>) -> String {
    let summary = summary.trim();
    if summary.is_empty() {
        return link.map(str::to_owned).unwrap_or_default();
    }
    if let Some(sentence) = first_sentence(summary) {
        return sentence.to_owned();
    }
    shorten(summary, TITLE_FROM_TEXT)
}

/// What an item with nothing to show for a title is called.
pub const UNTITLED: &str = "(untitled)";

/// A title that is never empty.
pub trait OrUntitled {
    fn or_untitled(self) -> String;
}

impl OrUntitled for String {
    fn or_untitled(self) -> String {
        if self.is_empty() {
            UNTITLED.to_owned()
        } else {
            self
        }
    }
}

/// The first sentence of `text`, when it ends within [`SENTENCE_MAX`] characters.
fn first_sentence(text: &str) -> Option<&str> {
    let mut chars = text.char_indices().enumerate().peekable();
    let (mut before, mut last) = (' ', ' ');
    while let Some((count, (at, c))) = chars.next() {
        if count > SENTENCE_MAX {
            return None;
        }
        // "U.S." and "J. Smith": a capital letter alone before a stop is an initial.
        let initial = last.is_uppercase() && !before.is_alphanumeric();
        (before, last) = (last, c);
        let ends = matches!(c, '!' | '?' | '؟' | '。' | '！' | '？') || (c == '.' && !initial);
        let next_is_space = chars.peek().is_none_or(|(_, (_, n))| n.is_whitespace());
        if ends && next_is_space && count + 1 >= SENTENCE_MIN {
            let end = at + c.len_utf8();
            let sentence = text.get(..end)?;
            // A headline does not end with a full stop; it keeps a question or exclamation.
            return Some(sentence.strip_suffix('.').unwrap_or(sentence).trim_end());
        }
    }
    // The whole text is one short sentence without a stop.
    (text.chars().count() <= TITLE_FROM_TEXT).then_some(text)
}

/// At most `max` characters of `text`, cut at a word boundary when one is near, with "…".
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => cut.get(..space).unwrap_or(&cut),
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// Whether a feed's date can be believed: not before 1970, not more than a day ahead.
pub fn plausible(date: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let latest = now
        .checked_add_signed(TimeDelta::days(1))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    date >= DateTime::<Utc>::UNIX_EPOCH && date <= latest
}

/// A feed's or a story's link, as [`resolve_link`] gives it once escape sequences are gone.
///
/// A control in a link starts an escape sequence far more often than it belongs to the
/// address: the whole sequence goes, as in feed text, rather than ending up percent-encoded
/// in the URL with its payload. (A feed link found in a web page is shown as it is instead,
/// encoded: the reader is told what the page says.)
pub fn story_link(href: &str, base: Option<&Url>) -> Option<String> {
    resolve_link(&clean_line(&controls_decoded(href)), base)
}

/// `href` as an absolute URL (resolved against `base`), if its scheme is one a reader opens.
pub fn resolve_link(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let opens = |url: &Url| matches!(url.scheme(), "http" | "https" | "ftp" | "mailto");
    match Url::parse(href) {
        // An absolute link stays as the feed wrote it (a host's case, a path in Arabic
        // letters), as other readers show it; only a relative one has to be rebuilt.
        Ok(url) => opens(&url).then(|| href.to_owned()),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let url = base?.join(href).ok()?;
            opens(&url).then(|| url.to_string())
        }
        Err(_) => None,
    }
}

/// `href` with the percent-encoded controls put back as characters: C0 controls and DEL,
/// C1 controls, and the stand-ins of [`crate::text::sanitize::control_stand_in`], so that
/// the sanitizer sees (and removes) a sequence a feed hid in a link. Everything else stays
/// encoded.
pub(super) fn controls_decoded(href: &str) -> Cow<'_, str> {
    if !href.contains('%') {
        return Cow::Borrowed(href);
    }
    let bytes = href.as_bytes();
    let byte_at = |at: usize| -> Option<u8> {
        if bytes.get(at) != Some(&b'%') {
            return None;
        }
        let hex = href.get(at + 1..at + 3)?;
        u8::from_str_radix(hex, 16).ok()
    };
    let mut out = String::with_capacity(href.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = href.get(at..).and_then(|rest| rest.find('%')) {
        at += offset;
        let decoded = match (byte_at(at), byte_at(at + 3), byte_at(at + 6)) {
            (Some(b @ (0x00..=0x1f | 0x7f)), _, _) => Some((char::from(b), 3)),
            (Some(0xc2), Some(b @ 0x80..=0x9f), _) => Some((char::from(b), 6)),
            (Some(0xef), Some(0xb7), Some(b @ 0x90..=0xaf)) => {
                char::from_u32(0xfdd0 + u32::from(b - 0x90)).map(|c| (c, 9))
            }
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push_str(href.get(copied..at).unwrap_or_default());
                out.push(c);
                at += len;
                copied = at;
            }
            None => at += 1,
        }
    }
    out.push_str(href.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// An item's id and time as a headline carries them: the feed's date when it gave a
/// plausible one (`dated`), else `now`; the id from [`story_id`].
pub fn identity(
    id: String,
    link: Option<&str>,
    title: &str,
    date: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (String, DateTime<Utc>, bool) {
    let (published, dated) = match date {
        Some(date) => (date, true),
        None => (now, false),
    };
    (story_id(id, link, title, date), published, dated)
}

/// A story's identity within its source: the feed's own id, else its link, else a hash of
/// its title and (when the feed dated it) its date, so that it stays the same across refreshes.
pub fn story_id(
    id: String,
    link: Option<&str>,
    title: &str,
    date: Option<DateTime<Utc>>,
) -> String {
    if !id.is_empty() {
        return id;
    }
    if let Some(link) = link {
        // Normalised, as links were before they were kept as written: a story keeps the id
        // it was stored under.
        return Url::parse(link).map_or_else(|_| link.to_owned(), String::from);
    }
    let date = date.map(|date| date.to_rfc3339()).unwrap_or_default();
    format!("fnv1a:{:016x}", fnv1a(&[title, &date]))
}

/// Takes each item's body as it is read, for a caller that stores bodies as they come
/// instead of keeping them with the headlines (`akhbar print`, so that a big feed's bodies
/// are never all in memory at once); called with each item's id and body, `None` for an
/// item without one.
#[derive(Clone)]
pub struct BodySink(Arc<dyn TakeBody>);

/// What a [`BodySink`] calls: `(id, body)`.
trait TakeBody: Fn(&str, Option<String>) + Send + Sync {}

impl<F: Fn(&str, Option<String>) + Send + Sync> TakeBody for F {}

impl BodySink {
    pub fn new(take: impl Fn(&str, Option<String>) + Send + Sync + 'static) -> Self {
        BodySink(Arc::new(take))
    }
}

impl std::fmt::Debug for BodySink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodySink")
    }
}

/// Where a reader puts its finished items, in feed order. Each gets an id no earlier item
/// of the feed has (a repeat becomes `id#2`, `id#3`, …), so that a feed listing two items
/// under one guid, or two untitled, unlinked twins, keeps both, each under the same id at
/// every refresh while the feed keeps their order. Its body goes to the [`BodySink`] when
/// there is one.
#[derive(Debug, Default)]
pub struct Collected {
    pub headlines: Vec<Headline>,
    /// Hashes of the ids given so far: a feed's ids are not kept twice over to tell
    /// repeats (two ids that differ with one hash would only cost the second a suffix).
    ids: HashSet<u64>,
    bodies: Option<BodySink>,
}

impl Collected {
    pub fn new(capacity: usize, bodies: Option<BodySink>) -> Self {
        Collected {
            headlines: Vec::with_capacity(capacity),
            ids: HashSet::with_capacity(capacity),
            bodies,
        }
    }

    pub fn push(&mut self, mut headline: Headline) {
        if !self.ids.insert(fnv1a(&[&headline.id])) {
            let ids = &mut self.ids;
            let id = &headline.id;
            if let Some(renamed) = (2u32..)
                .map(|n| format!("{id}#{n}"))
                .find(|candidate| ids.insert(fnv1a(&[candidate])))
            {
                headline.id = renamed;
            }
        }
        if let Some(BodySink(take)) = &self.bodies {
            take(&headline.id, headline.body_html.take());
        }
        self.headlines.push(headline);
    }

    /// Whether bodies went to a sink rather than into the headlines.
    pub fn bodies_apart(&self) -> bool {
        self.bodies.is_some()
    }

    pub fn len(&self) -> usize {
        self.headlines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.headlines.is_empty()
    }
}

/// FNV-1a, 64-bit: a hash whose value never changes across Rust versions or runs, so that
/// ids derived from it stay stable between refreshes.
pub fn fnv1a(parts: &[&str]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xFF)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_id(id: &str) -> Headline {
        Headline {
            id: id.to_owned(),
            title: "t".to_owned(),
            titled: true,
            link: None,
            published: DateTime::UNIX_EPOCH,
            dated: false,
            summary: String::new(),
            body_html: None,
            language: None,
            author: None,
            enclosures: Vec::new(),
        }
    }

    fn collected(ids: &[&str], bodies: Option<BodySink>) -> Vec<String> {
        let mut collected = Collected::new(0, bodies);
        for id in ids {
            let mut headline = with_id(id);
            headline.body_html = Some(format!("body of {id}"));
            collected.push(headline);
        }
        collected.headlines.into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn repeated_ids_are_told_apart_in_feed_order() {
        let feed = ["a", "b", "a", "a#2", "a", "c"];
        let ids = collected(&feed, None);
        assert_eq!(ids, ["a", "b", "a#2", "a#2#2", "a#3", "c"]);
        assert_eq!(
            collected(&feed, None),
            ids,
            "the same feed gives the same ids"
        );
    }

    #[test]
    fn bodies_go_to_the_sink_under_the_ids_their_headlines_keep() {
        let taken = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = {
            let taken = taken.clone();
            BodySink::new(move |id, body| taken.lock().unwrap().push((id.to_owned(), body)))
        };
        let mut collected = Collected::new(3, Some(sink));
        for (id, body) in [
            ("a", Some("<p>a</p>")),
            ("a", Some("<p>a</p>")),
            ("b", None),
        ] {
            let mut headline = with_id(id);
            headline.body_html = body.map(str::to_owned);
            collected.push(headline);
        }
        assert!(collected.headlines.iter().all(|h| h.body_html.is_none()));
        assert_eq!(
            *taken.lock().unwrap(),
            [
                ("a".to_owned(), Some("<p>a</p>".to_owned())),
                ("a#2".to_owned(), Some("<p>a</p>".to_owned())),
                ("b".to_owned(), None)
            ]
        );
    }

    #[test]
    fn titles_from_text() {
        assert_eq!(
            fallback_title("The minister resigned on Monday. More follows here.", None),
            "The minister resigned on Monday"
        );
        assert_eq!(
            fallback_title("هل تنجح المفاوضات في الدوحة؟ يقول المسؤولون إن", None),
            "هل تنجح المفاوضات في الدوحة؟"
        );
        // Too short a "sentence": an abbreviation, not its end.
        assert_eq!(
            fallback_title("Dr. Smith says the U.S. economy grew", None),
            "Dr. Smith says the U.S. economy grew"
        );
        let long = "word ".repeat(40);
        let title = fallback_title(&long, None);
        assert!(
            title.ends_with('…') && title.chars().count() <= 81,
            "{title}"
        );
        assert_eq!(fallback_title("  ", Some("https://e.x/1")), "https://e.x/1");
        assert_eq!(fallback_title("", None), "");
        assert_eq!(shorten("aaa bbb ccc ddd", 9), "aaa bbb…");
        assert_eq!(shorten("short", 80), "short");
    }

    #[test]
    fn only_percent_encoded_controls_and_stand_ins_are_decoded() {
        assert_eq!(
            controls_decoded("a%20b%1Bc%c2%9Bd%EF%B7%ABe%7F"),
            "a%20b\u{1b}c\u{9b}d\u{fdeb}e\u{7f}"
        );
        for kept in [
            "caf%C3%A9",
            "%E2%80%AE",
            "%EF%B7%B0",
            "%EF%B7",
            "%C2%A0",
            "%zz%",
            "%",
        ] {
            assert_eq!(controls_decoded(kept), kept);
        }
    }

    #[test]
    fn fnv1a_is_stable() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", ""]), fnv1a(&["a", "b"]));
    }
}
