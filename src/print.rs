//! The `akhbar print` command: every source fetched once, merged headlines out as TSV or JSON.

use crate::cli::Format;
use crate::feed::fetch::Fetcher;
use crate::feed::{self, LoadError, ParsedFeed, SourcedHeadline};
use crate::source::Source;
use crate::text::bidi::paragraph_direction;
use crate::text::layout::visual_line;
use crate::text::sanitize::clean_line;
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use std::io::{self, Write};

/// How many sources are fetched at once.
const CONCURRENT_FETCHES: usize = 16;

/// Fetches every source concurrently; results come back in the order of `sources`.
pub async fn fetch_all(
    fetcher: &Fetcher,
    sources: &[Source],
    now: DateTime<Utc>,
) -> Vec<Result<ParsedFeed, LoadError>> {
    // Each future owns its inputs so the whole stream can move into a spawned task.
    let loads: Vec<_> = sources
        .iter()
        .map(|source| {
            let (fetcher, location) = (fetcher.clone(), source.location.clone());
            async move { feed::load(&fetcher, &location, now).await }
        })
        .collect();
    futures_util::stream::iter(loads)
        .buffered(CONCURRENT_FETCHES)
        .collect()
        .await
}

/// The outcome of one `print` run.
#[derive(Debug)]
pub struct Outcome {
    pub headlines: Vec<SourcedHeadline>,
    /// `(location, reason)` per failed source.
    pub failures: Vec<(String, String)>,
    pub succeeded: usize,
}

/// Splits per-source results into the merged headlines and the failures.
pub fn collect(sources: &[Source], results: Vec<Result<ParsedFeed, LoadError>>) -> Outcome {
    let mut good = Vec::new();
    let mut failures = Vec::new();
    for (source, result) in sources.iter().zip(results) {
        match result {
            Ok(parsed) => good.push((
                feed::merge::source_name(source, &parsed),
                source.direction,
                parsed.headlines,
            )),
            Err(error) => failures.push((source.location.to_string(), error.to_string())),
        }
    }
    let succeeded = good.len();
    let headlines = feed::merge_owned(good);
    Outcome {
        headlines,
        failures,
        succeeded,
    }
}

/// `2023-10-22T01:29:00Z`
pub fn rfc3339_utc(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Which order text is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As stored: what programs reading the output want.
    Logical,
    /// Titles and source names laid out for a terminal without bidi (`--visual`).
    Visual,
}

/// Writes the headlines in `format`, one per line.
pub fn write_headlines(
    out: &mut impl Write,
    headlines: &[SourcedHeadline],
    format: Format,
    order: Order,
) -> io::Result<()> {
    for item in headlines {
        let shown;
        let item = match order {
            Order::Logical => item,
            Order::Visual => {
                shown = visual(item);
                &shown
            }
        };
        match format {
            Format::Tsv => write_tsv_line(out, item)?,
            Format::Json => write_json_line(out, item)?,
        }
    }
    out.flush()
}

/// The item with its title and source name in visual order, each its own paragraph.
fn visual(item: &SourcedHeadline) -> SourcedHeadline {
    let language = item.headline.language.as_deref();
    let title_dir = paragraph_direction(&item.headline.title, item.direction, language);
    let source_dir = paragraph_direction(&item.source, item.direction, None);
    let mut shown = item.clone();
    shown.headline.title = visual_line(&item.headline.title, title_dir);
    shown.source = visual_line(&item.source, source_dir);
    shown
}

fn write_tsv_line(out: &mut impl Write, item: &SourcedHeadline) -> io::Result<()> {
    let headline = &item.headline;
    // Fields are already one-line plain text; clean_line again guarantees no tab can split a
    // column whatever a later change to the parser does.
    writeln!(
        out,
        "{}\t{}\t{}\t{}",
        rfc3339_utc(headline.published),
        clean_line(&item.source),
        clean_line(&headline.title),
        clean_line(headline.link.as_deref().unwrap_or("")),
    )
}

#[derive(Serialize)]
struct JsonHeadline<'a> {
    published: String,
    source: &'a str,
    title: &'a str,
    link: Option<&'a str>,
    summary: &'a str,
    read: bool,
}

fn write_json_line(out: &mut impl Write, item: &SourcedHeadline) -> io::Result<()> {
    let headline = &item.headline;
    let line = JsonHeadline {
        published: rfc3339_utc(headline.published),
        source: &item.source,
        title: &headline.title,
        link: headline.link.as_deref(),
        summary: &headline.summary,
        read: false,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Headline;
    use chrono::TimeZone;

    fn item() -> SourcedHeadline {
        SourcedHeadline {
            source: "الإمارات 71".into(),
            direction: crate::feed::Direction::Auto,
            headline: Headline {
                id: "1".into(),
                title: "الليرة السورية تواصل التحسن".into(),
                link: Some("https://example.org/1".into()),
                published: Utc.with_ymd_and_hms(2023, 10, 22, 1, 29, 0).unwrap(),
                dated: true,
                summary: "ملخص".into(),
                body_html: None,
                language: Some("ar".into()),
            },
        }
    }

    #[test]
    fn tsv_has_four_fields_and_utc_time() {
        let mut out = Vec::new();
        write_headlines(&mut out, &[item()], Format::Tsv, Order::Logical).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "2023-10-22T01:29:00Z\tالإمارات 71\tالليرة السورية تواصل التحسن\thttps://example.org/1\n"
        );
    }

    #[test]
    fn json_lines_carry_every_field() {
        let mut out = Vec::new();
        write_headlines(&mut out, &[item()], Format::Json, Order::Logical).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["published"], "2023-10-22T01:29:00Z");
        assert_eq!(value["source"], "الإمارات 71");
        assert_eq!(value["link"], "https://example.org/1");
        assert_eq!(value["summary"], "ملخص");
        assert_eq!(value["read"], false);
    }
}
