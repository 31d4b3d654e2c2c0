//! Headlines and the parsed feeds they come in.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// One story of a feed, all text already plain (see [`crate::text::sanitize`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// Identity within its source, stable across refreshes: guid, else link, else a hash of
    /// title and date.
    pub id: String,
    /// Plain text, one line, never empty: the feed's title, else one made from the item's
    /// text, link or file (see `titled`).
    pub title: String,
    /// Whether `title` is the feed's own (false: akhbar made it up to show something).
    pub titled: bool,
    /// Absolute URL, when the item has one.
    pub link: Option<String>,
    /// Publication time; undated items carry the time they were first seen.
    pub published: DateTime<Utc>,
    /// Whether `published` came from the feed (false: first-seen time).
    pub dated: bool,
    /// Plain-text summary, one line, possibly empty.
    pub summary: String,
    /// The item's body as the feed gave it (HTML or text), for the article pane.
    pub body_html: Option<String>,
    /// BCP 47 language tag of the item, else of its feed, when either declared one.
    pub language: Option<String>,
    /// Who wrote the item, as the feed names them: plain text, one line.
    pub author: Option<String>,
    /// Media the item carries (podcast audio, images), in feed order; kept for later use.
    /// Empty for most items, and an empty `Vec` costs no allocation.
    pub enclosures: Vec<Enclosure>,
}

/// A file an item links to as its media: RSS `<enclosure>`, Atom `rel="enclosure"`, JSON
/// Feed `attachments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    /// Absolute URL.
    pub url: String,
    /// The MIME type the feed gives (`audio/mpeg`).
    pub mime: Option<String>,
    /// Size in bytes, as the feed states it (unchecked).
    pub length: Option<u64>,
}

/// A parsed feed: its metadata and headlines in feed order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedFeed {
    /// Plain-text feed title; may be empty.
    pub title: String,
    /// The feed's home page, when given.
    pub link: Option<String>,
    /// BCP 47 language tag of the feed (`<language>`, `xml:lang`, JSON `language`).
    pub language: Option<String>,
    /// The feed's `<ttl>`: a floor for its refresh interval.
    pub ttl: Option<Duration>,
    pub headlines: Vec<Headline>,
    /// Whether the items' bodies went elsewhere as they were read (see
    /// [`crate::feed::BodySink`]): the headlines then carry none, and saving them must not
    /// take that for "no body".
    pub bodies_apart: bool,
    /// Repairs that were needed to read the feed, one line each (e.g. "truncated mid-item").
    pub repairs: Vec<String>,
}

#[cfg(test)]
impl Headline {
    /// A dated, titled story with nothing else, published 2023-10-22 01:29 UTC: what tests
    /// across the crate start from (`Headline { link, ..Headline::sample(id, title) }`).
    pub fn sample(id: &str, title: &str) -> Self {
        use chrono::TimeZone;
        Headline {
            id: id.into(),
            title: title.into(),
            titled: true,
            link: None,
            published: chrono::Utc
                .with_ymd_and_hms(2023, 10, 22, 1, 29, 0)
                .single()
                .unwrap_or_default(),
            dated: true,
            summary: String::new(),
            body_html: None,
            language: None,
            author: None,
            enclosures: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feed can hold 100,000 headlines and the screen keeps them all: every field added
    /// here costs its size that many times over, so growth should be a decision.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn a_headline_stays_within_its_size() {
        assert_eq!(std::mem::size_of::<Headline>(), 208);
        assert_eq!(std::mem::size_of::<Enclosure>(), 64);
    }
}
