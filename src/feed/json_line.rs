//! A story as one line of JSON: what `print --format json` and `watch` print, and what an
//! alert's command reads on stdin.

use super::SourcedHeadline;
use crate::text::sanitize::clean_line;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::io::{self, Write};

/// `2023-10-22T01:29:00Z`
pub fn rfc3339_utc(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
struct JsonHeadline {
    published: String,
    /// Whether `published` came from the feed (false: when akhbar first saw the item).
    dated: bool,
    source: String,
    /// The feed's title: empty when it gave the item none.
    title: String,
    /// What akhbar shows for an item the feed gave no title.
    #[serde(skip_serializing_if = "Option::is_none")]
    display_title: Option<String>,
    link: Option<String>,
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    enclosures: Vec<JsonEnclosure>,
    read: bool,
    /// The story's full text (`--full`): paragraphs separated by blank lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<String>,
}

#[derive(Serialize)]
struct JsonEnclosure {
    url: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    mime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
}

/// `item` as one JSON object and a newline, `read` and `content` (the full text) with it.
pub fn write_json_line(
    out: &mut impl Write,
    item: &SourcedHeadline,
    read: bool,
    content: Option<&str>,
) -> io::Result<()> {
    let headline = &item.headline;
    // Cleaned again, as in TSV: the text may come from a store an older akhbar (or anyone)
    // wrote, and JSON escaping keeps a control a control for whatever decodes the line.
    let line = JsonHeadline {
        published: rfc3339_utc(headline.published),
        dated: headline.dated,
        source: clean_line(&item.source),
        title: if headline.titled {
            clean_line(&headline.title)
        } else {
            String::new()
        },
        display_title: (!headline.titled).then(|| clean_line(&headline.title)),
        link: headline.link.as_deref().map(clean_line),
        summary: clean_line(&headline.summary),
        author: headline
            .author
            .as_deref()
            .map(clean_line)
            .filter(|author| !author.is_empty()),
        enclosures: headline
            .enclosures
            .iter()
            .map(|enclosure| JsonEnclosure {
                url: clean_line(&enclosure.url),
                mime: enclosure.mime.as_deref().map(clean_line),
                length: enclosure.length,
            })
            .collect(),
        read,
        // Each paragraph is one clean line already; only the blank lines between them
        // are line breaks.
        content: content.map(|text| {
            text.split("\n\n")
                .map(clean_line)
                .collect::<Vec<_>>()
                .join("\n\n")
        }),
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
