//! Reading stored rows leniently: one damaged value costs its own row, not the whole cache.

use super::{CachedSource, StoredHeadline};
use crate::model::{Enclosure, Headline, Health, Validators};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction};

pub(super) fn load_source(tx: &Transaction<'_>, url: &str) -> rusqlite::Result<CachedSource> {
    let mut unreadable = 0;
    let mut source = tx
        .prepare_cached(
            "SELECT name, etag, last_modified, last_success, last_error, status, next_attempt,
                    not_before
             FROM sources WHERE url = ?1",
        )?
        .query_row([url], |row| {
            // A damaged value costs only itself: the source keeps everything else.
            let bad = &mut unreadable;
            Ok(CachedSource {
                url: url.to_string(),
                name: lenient(row.get(0), bad)?,
                validators: Validators {
                    etag: lenient(row.get(1), bad)?,
                    last_modified: lenient(row.get(2), bad)?,
                },
                health: Health {
                    last_success: lenient(optional_time(row, 3), bad)?,
                    last_error: lenient(row.get(4), bad)?,
                    status: lenient(row.get(5), bad)?,
                    next_attempt: lenient(optional_time(row, 6), bad)?,
                    not_before: lenient(optional_time(row, 7), bad)?,
                    ..Health::default()
                },
                headlines: Vec::new(),
                unreadable: 0,
            })
        })
        .optional()?
        .unwrap_or_else(|| CachedSource {
            url: url.to_string(),
            ..CachedSource::default()
        });

    let mut in_feed = 0;
    let mut statement = tx.prepare_cached(
        "SELECT h.id, h.title, h.link, h.published, h.dated, h.summary, b.body_html,
                h.language, h.read, h.first_seen, h.last_seen, h.in_feed, h.author,
                h.enclosures, h.titled
         FROM headlines AS h
         LEFT JOIN bodies AS b ON b.source_url = h.source_url AND b.id = h.id
         WHERE h.source_url = ?1
         ORDER BY h.published DESC, h.rowid",
    )?;
    let mut rows = statement.query([url])?;
    while let Some(row) = rows.next()? {
        let stored = match stored_headline(row, &mut unreadable) {
            Ok(stored) => stored,
            // One bad row (a number out of range, text where a number belongs) is skipped
            // and counted; the rest of the cache still loads.
            Err(error) if is_bad_value(&error) => {
                unreadable += 1;
                continue;
            }
            Err(error) => return Err(error),
        };
        if stored.in_feed {
            in_feed += 1;
        }
        source.headlines.push(stored);
    }
    source.health.items = in_feed;
    source.unreadable = unreadable;
    Ok(source)
}

fn stored_headline(row: &Row<'_>, unreadable: &mut usize) -> rusqlite::Result<StoredHeadline> {
    Ok(StoredHeadline {
        headline: Headline {
            id: row.get(0)?,
            title: row.get(1)?,
            link: row.get(2)?,
            published: time(row, 3)?,
            dated: row.get(4)?,
            titled: lenient(row.get::<_, Option<bool>>(14), unreadable)?.unwrap_or(true),
            summary: row.get(5)?,
            body_html: row.get(6)?,
            language: row.get(7)?,
            // Extras a damaged value costs alone; the headline still shows.
            author: lenient(row.get(12), unreadable)?,
            enclosures: lenient(row.get::<_, Option<String>>(13), unreadable)?
                .map(|json| enclosures_from_json(&json, unreadable))
                .unwrap_or_default(),
        },
        read: row.get(8)?,
        first_seen: time(row, 9)?,
        last_seen: time(row, 10)?,
        in_feed: row.get(11)?,
    })
}

/// `value`, or `None` (counted in `unreadable`) when what is stored cannot be read as one.
fn lenient<T>(
    value: rusqlite::Result<Option<T>>,
    unreadable: &mut usize,
) -> rusqlite::Result<Option<T>> {
    match value {
        Err(error) if is_bad_value(&error) => {
            *unreadable += 1;
            Ok(None)
        }
        other => other,
    }
}

/// Whether `error` is about one stored value (out of range, of the wrong type, not UTF-8)
/// rather than about the store.
fn is_bad_value(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::Utf8Error(..)
    )
}

fn time(row: &Row<'_>, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    let millis: i64 = row.get(column)?;
    DateTime::from_timestamp_millis(millis)
        .ok_or(rusqlite::Error::IntegralValueOutOfRange(column, millis))
}

fn optional_time(row: &Row<'_>, column: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get::<_, Option<i64>>(column)? {
        Some(_) => time(row, column).map(Some),
        None => Ok(None),
    }
}

/// An enclosure as the store writes it: the field names of `print --format json`.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredEnclosure<'a> {
    #[serde(borrow)]
    url: std::borrow::Cow<'a, str>,
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        borrow
    )]
    mime: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
}

/// `enclosures` as the store keeps them: a JSON list, or `None` (SQL NULL) when empty, as
/// for most items.
pub(super) fn enclosures_json(enclosures: &[Enclosure]) -> Option<String> {
    if enclosures.is_empty() {
        return None;
    }
    let stored: Vec<StoredEnclosure<'_>> = enclosures
        .iter()
        .map(|enclosure| StoredEnclosure {
            url: enclosure.url.as_str().into(),
            mime: enclosure.mime.as_deref().map(Into::into),
            length: enclosure.length,
        })
        .collect();
    serde_json::to_string(&stored).ok()
}

/// What [`enclosures_json`] wrote; anything else is counted in `unreadable` and read as none.
fn enclosures_from_json(json: &str, unreadable: &mut usize) -> Vec<Enclosure> {
    match serde_json::from_str::<Vec<StoredEnclosure<'_>>>(json) {
        Ok(stored) => stored
            .into_iter()
            .map(|enclosure| Enclosure {
                url: enclosure.url.into_owned(),
                mime: enclosure.mime.map(std::borrow::Cow::into_owned),
                length: enclosure.length,
            })
            .collect(),
        Err(_) => {
            *unreadable += 1;
            Vec::new()
        }
    }
}
