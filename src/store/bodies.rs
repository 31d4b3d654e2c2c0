//! Items' bodies written on a connection of their own while their feed is still being read,
//! so that `akhbar print` never holds a big feed's bodies in memory at once.

use super::{BUSY_TIMEOUT, Store, StoreError, put_body};
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;

/// Bodies are committed this many at a time: few enough that a lock is held briefly, many
/// enough that commits do not dominate.
const BODIES_PER_COMMIT: usize = 512;

/// A second connection to a store's file that writes bodies (see
/// [`crate::feed::BodySink`]); the headlines they belong to are saved as usual.
pub struct BodyWriter {
    conn: Connection,
    path: PathBuf,
    /// Bodies written since the last commit.
    pending: usize,
    /// Bodies written in all.
    written: usize,
}

impl Store {
    /// A [`BodyWriter`] on this store's file, which this store has already brought up to
    /// date. A store in memory has no file to share and gives an error.
    pub fn body_writer(&self) -> Result<BodyWriter, StoreError> {
        let open_error = |source| StoreError::Open {
            path: self.path.clone(),
            source,
        };
        if self.conn.path().is_none_or(str::is_empty) {
            return Err(open_error(rusqlite::Error::InvalidPath(self.path.clone())));
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // Bodies are only appended: a small page cache does, and costs little memory.
        conn.pragma_update(None, "cache_size", -256)
            .map_err(open_error)?;
        Ok(BodyWriter {
            conn,
            path: self.path.clone(),
            pending: 0,
            written: 0,
        })
    }
}

impl BodyWriter {
    /// Stores `body` as the body of headline `id` of `source_url` (`None`: it has none).
    pub fn put(
        &mut self,
        source_url: &str,
        id: &str,
        body: Option<&str>,
    ) -> Result<(), StoreError> {
        if self.pending == 0 {
            self.conn
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(|source| self.error(source))?;
        }
        put_body(&self.conn, source_url, id, body).map_err(|source| self.error(source))?;
        self.pending += 1;
        self.written += 1;
        if self.pending >= BODIES_PER_COMMIT {
            self.commit()?;
        }
        Ok(())
    }

    /// Commits what is written and says how many bodies that was in all.
    pub fn finish(mut self) -> Result<usize, StoreError> {
        self.commit()?;
        Ok(self.written)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.pending > 0 {
            self.conn
                .execute_batch("COMMIT")
                .map_err(|source| self.error(source))?;
            self.pending = 0;
        }
        Ok(())
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Headline, ParsedFeed, Validators};
    use chrono::{DateTime, Utc};
    use tempfile::TempDir;

    const URL: &str = "https://example.com/feed";

    fn headline(id: &str) -> Headline {
        Headline {
            id: id.to_owned(),
            title: format!("Title {id}"),
            titled: true,
            link: None,
            published: DateTime::<Utc>::UNIX_EPOCH,
            dated: true,
            summary: String::new(),
            body_html: None,
            language: None,
            author: None,
            enclosures: Vec::new(),
        }
    }

    fn save(store: &mut Store, headlines: Vec<Headline>, bodies_apart: bool) {
        let feed = ParsedFeed {
            headlines,
            bodies_apart,
            ..ParsedFeed::default()
        };
        store
            .save_feed(URL, None, &feed, &Validators::default(), Utc::now())
            .unwrap();
    }

    fn bodies(store: &Store) -> Vec<(String, Option<String>)> {
        store.load(&[URL]).unwrap()[0]
            .headlines
            .iter()
            .map(|stored| {
                (
                    stored.headline.id.clone(),
                    stored.headline.body_html.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn bodies_written_apart_load_with_their_headlines_and_go_with_them() {
        let dir = TempDir::new().unwrap();
        let mut store = Store::open(&dir.path().join("akhbar.db")).unwrap().store;
        let mut writer = store.body_writer().unwrap();
        for n in 0..BODIES_PER_COMMIT + 3 {
            writer
                .put(URL, &format!("i{n}"), Some(&format!("<p>{n}</p>")))
                .unwrap();
        }
        writer.put(URL, "none", None).unwrap();
        assert_eq!(writer.finish().unwrap(), BODIES_PER_COMMIT + 4);
        save(
            &mut store,
            vec![headline("i0"), headline("i1"), headline("none")],
            true,
        );
        let mut loaded = bodies(&store);
        loaded.sort();
        assert_eq!(
            loaded,
            [
                ("i0".to_owned(), Some("<p>0</p>".to_owned())),
                ("i1".to_owned(), Some("<p>1</p>".to_owned())),
                ("none".to_owned(), None)
            ]
        );

        // Saved with its body in the headline, a version without one forgets the old body.
        save(&mut store, vec![headline("i0")], false);
        let loaded = bodies(&store);
        assert!(loaded.contains(&("i0".to_owned(), None)), "{loaded:?}");

        assert!(store.remove_source(URL).unwrap());
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM bodies", [], |row| row.get(0))
            .unwrap();
        assert_eq!(
            left, 0,
            "the bodies of a removed source, saved or not, are gone"
        );
    }

    #[test]
    fn a_store_in_memory_has_no_body_writer() {
        assert!(Store::open_in_memory().unwrap().body_writer().is_err());
    }
}
