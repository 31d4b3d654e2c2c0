//! Articles extracted from stories' pages, kept with their headline so that a page is
//! fetched once and its article is there offline.

use super::{Store, StoreError, millis};
use crate::article::{Article, Block, Page};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// An article as stored, and when its page was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArticle {
    pub page: Page,
    pub fetched_at: DateTime<Utc>,
}

impl Store {
    /// Keeps `page` as the article of headline `id` of `source_url`, replacing the one it
    /// had. Returns false, storing nothing, when that headline is not stored: an article
    /// lives only as long as its headline.
    pub fn save_article(
        &mut self,
        source_url: &str,
        id: &str,
        page: &Page,
        fetched_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // Serialising plain strings and enums cannot fail; an empty list is the fallback
        // all the same.
        let blocks =
            serde_json::to_string(&page.article.blocks).unwrap_or_else(|_| "[]".to_owned());
        let links = serde_json::to_string(&page.article.links).unwrap_or_else(|_| "[]".to_owned());
        self.write(|tx| {
            let saved = tx
                .prepare_cached(
                    "INSERT INTO articles (source_url, id, title, byline, published, blocks,
                                           links, fetched_at)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
                     WHERE EXISTS (SELECT 1 FROM headlines WHERE source_url = ?1 AND id = ?2)
                     ON CONFLICT (source_url, id) DO UPDATE SET
                         title = excluded.title, byline = excluded.byline,
                         published = excluded.published, blocks = excluded.blocks,
                         links = excluded.links, fetched_at = excluded.fetched_at",
                )?
                .execute(params![
                    source_url,
                    id,
                    page.title,
                    page.byline,
                    page.published,
                    blocks,
                    links,
                    millis(fetched_at)
                ])?;
            Ok(saved > 0)
        })
    }

    /// The body stored for headline `id` of `source_url`: what the feed gave, to tell
    /// whether the story's page is worth fetching.
    pub fn load_body(&self, source_url: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|tx| {
            tx.prepare_cached("SELECT body_html FROM bodies WHERE source_url = ?1 AND id = ?2")?
                .query_row(params![source_url, id], |row| row.get(0))
                .optional()
        })
    }

    /// The article stored for headline `id` of `source_url`, if any. A damaged row counts
    /// as none, so the page is fetched again.
    pub fn load_article(
        &self,
        source_url: &str,
        id: &str,
    ) -> Result<Option<StoredArticle>, StoreError> {
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            String,
            i64,
        );
        let row: Option<Row> = self.read(|tx| {
            tx.prepare_cached(
                "SELECT title, byline, published, blocks, links, fetched_at FROM articles
                 WHERE source_url = ?1 AND id = ?2",
            )?
            .query_row(params![source_url, id], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })
            .optional()
        })?;
        let Some((title, byline, published, blocks, links, fetched_at)) = row else {
            return Ok(None);
        };
        let (Ok(blocks), Ok(links), Some(fetched_at)) = (
            serde_json::from_str::<Vec<Block>>(&blocks),
            serde_json::from_str::<Vec<String>>(&links),
            DateTime::from_timestamp_millis(fetched_at),
        ) else {
            return Ok(None);
        };
        Ok(Some(StoredArticle {
            page: Page {
                title,
                byline,
                published,
                article: Article { blocks, links },
            },
            fetched_at,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{URL, at, headline, open, save};
    use super::*;
    use crate::article::BlockKind;
    use std::time::Duration;
    use tempfile::TempDir;

    fn page() -> Page {
        Page {
            title: Some("قطر تؤكد مواصلة التنسيق".to_owned()),
            byline: Some("وكالات – الإمارات 71".to_owned()),
            published: Some("2023-10-22T09:00:00Z".to_owned()),
            article: Article {
                blocks: vec![
                    Block {
                        kind: BlockKind::Paragraph,
                        text: "قالت وزارة الخارجية القطرية يوم السبت".to_owned(),
                    },
                    Block {
                        kind: BlockKind::ListItem {
                            ordered: true,
                            number: 2,
                            depth: 0,
                        },
                        text: "[image: الوزير] [1]".to_owned(),
                    },
                ],
                links: vec!["https://example.com/img.jpg".to_owned()],
            },
        }
    }

    #[test]
    fn an_article_round_trips_across_a_restart() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        save(&mut store, vec![headline("a", 1)], at(1));
        assert!(store.save_article(URL, "a", &page(), at(2)).unwrap());
        drop(store);
        let store = open(&dir);
        let stored = store.load_article(URL, "a").unwrap().unwrap();
        assert_eq!(stored.page, page());
        assert_eq!(stored.fetched_at, at(2));
        assert_eq!(store.load_article(URL, "b").unwrap(), None);
        assert_eq!(
            store.load_body(URL, "a").unwrap().as_deref(),
            Some("<p>Body of a</p>")
        );
        assert_eq!(store.load_body(URL, "b").unwrap(), None);
    }

    #[test]
    fn an_article_needs_its_headline() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        assert!(!store.save_article(URL, "a", &page(), at(2)).unwrap());
        assert_eq!(store.load_article(URL, "a").unwrap(), None);
    }

    #[test]
    fn an_article_goes_with_its_headline() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        save(&mut store, vec![headline("a", 1), headline("b", 2)], at(2));
        store.save_article(URL, "a", &page(), at(2)).unwrap();
        store.save_article(URL, "b", &page(), at(2)).unwrap();
        // "a" leaves the feed and ages out; "b" stays listed.
        save(&mut store, vec![headline("b", 2)], at(3));
        store.prune(Duration::from_secs(60), 100, at(100)).unwrap();
        assert_eq!(store.load_article(URL, "a").unwrap(), None);
        assert!(store.load_article(URL, "b").unwrap().is_some());
        store.remove_source(URL).unwrap();
        assert_eq!(store.load_article(URL, "b").unwrap(), None);
    }

    #[test]
    fn a_damaged_article_counts_as_none() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        save(&mut store, vec![headline("a", 1)], at(1));
        store.save_article(URL, "a", &page(), at(2)).unwrap();
        store
            .conn
            .execute("UPDATE articles SET blocks = 'not json'", [])
            .unwrap();
        assert_eq!(store.load_article(URL, "a").unwrap(), None);
    }
}
