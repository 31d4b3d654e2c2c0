//! The SQLite store: headlines, read marks, HTTP validators and feed health, kept across runs.
//!
//! One file, `$XDG_DATA_HOME/akhbar/akhbar.db` (see [`default_path`]), opened with
//! [`Store::open`]. The API is synchronous: give the [`Store`] to one thread of its own and talk
//! to it over a channel; it is `Send`, not `Sync`.
//!
//! # Sharing and durability
//!
//! The file is in WAL mode, so a second akhbar running at the same time shares it safely:
//! readers never block and are never blocked, and writers take turns, each waiting up to
//! [`BUSY_TIMEOUT`] for the other's transaction to end. Every write is one transaction; with
//! `synchronous=NORMAL` a committed transaction survives the process being killed (`kill -9`,
//! a crash) because it is already in the WAL file. Only a power loss or OS crash can take back
//! the last few commits, and even then the file stays consistent.
//!
//! # Schema
//!
//! Times are INTEGER unix milliseconds (UTC), so they sort as numbers. `PRAGMA user_version`
//! counts the [`MIGRATIONS`] applied; each step runs in its own transaction, so a crash
//! mid-upgrade leaves the previous version intact. A file from a newer akhbar is refused with
//! [`StoreError::TooNew`] rather than touched.
//!
//! - `sources`: one row per feed URL: display name, validators (`etag`, `last_modified`) kept
//!   byte for byte, and health (`last_success`, `last_error`, `status`, `next_attempt`,
//!   `not_before`).
//! - `headlines`: one row per `(source_url, id)`: the [`Headline`] fields but the body
//!   (`enclosures` as a JSON list of `{url, type, length}`), `first_seen`, `last_seen`,
//!   `read`, and `in_feed` (whether the item was in the latest good copy).
//! - `bodies`: the body of each headline that has one, by `(source_url, id)`; a trigger
//!   deletes it with its headline. A [`BodyWriter`] writes bodies on a connection of its own
//!   while the feed is still being read, before its headlines are saved.
//! - `articles`: the article extracted from a headline's page, by `(source_url, id)`:
//!   title, byline, published (as the page gives it), `blocks` and `links` as JSON lists,
//!   `fetched_at`; a trigger deletes it with its headline ([`Store::save_article`]).
//!
//! # Damage
//!
//! A file that is not a database, or fails `PRAGMA quick_check`, is renamed aside to
//! `akhbar.db.corrupt-YYYYMMDDTHHMMSS` (UTC), with any `-wal`/`-shm` files still beside it, and
//! a fresh store is created; [`Opened::set_aside`] says so, and the caller should tell the user
//! where the old file went. Anything else that stops the store from opening (permissions, a
//! directory in the way, a full disk) is an error naming the file, and nothing is moved.
//!
//! # Retention
//!
//! [`Store::prune`] forgets what feeds no longer list. Items in a feed's latest good copy are
//! never pruned: they keep their read marks however long the machine was offline and however
//! long the feed is.

use crate::model::{Headline, Health, ParsedFeed, Validators};
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod articles;
mod bodies;
mod rows;
pub use articles::StoredArticle;
pub use bodies::BodyWriter;
use rows::load_source;

/// How long a write waits for another instance's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The page cache of a connection, in KiB (SQLite's default is 2,000). Loads read each
/// source's rows once, in index order, and saves touch the pages of one source: the
/// operating system's file cache serves the rest as well, and a smaller cache keeps a big
/// save from growing the process by the default's 2 MB.
const PAGE_CACHE_KIB: usize = 256;

/// The schema, one step per version: step `n` (1-based) takes `user_version` from `n - 1` to
/// `n`. Append only; never edit a step that has shipped.
pub const MIGRATIONS: &[&str] = &[
    // 1: sources and their headlines.
    "CREATE TABLE sources (
         url           TEXT PRIMARY KEY NOT NULL,
         name          TEXT,
         etag          TEXT,
         last_modified TEXT,
         last_success  INTEGER,
         last_error    TEXT,
         status        INTEGER,
         next_attempt  INTEGER
     );
     CREATE TABLE headlines (
         source_url TEXT NOT NULL REFERENCES sources (url) ON DELETE CASCADE,
         id         TEXT NOT NULL,
         title      TEXT NOT NULL,
         link       TEXT,
         published  INTEGER NOT NULL,
         dated      INTEGER NOT NULL,
         first_seen INTEGER NOT NULL,
         summary    TEXT NOT NULL,
         body_html  TEXT,
         language   TEXT,
         read       INTEGER NOT NULL DEFAULT 0,
         PRIMARY KEY (source_url, id)
     );",
    // 2: retention needs to know when an item was last in its feed, and whether it still is.
    // Rows from version 1 count as seen when first seen and as still listed, so nothing is
    // pruned before the feed has been fetched again.
    "ALTER TABLE headlines ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
     UPDATE headlines SET last_seen = first_seen;
     ALTER TABLE headlines ADD COLUMN in_feed INTEGER NOT NULL DEFAULT 1;
     CREATE INDEX headlines_newest_first ON headlines (source_url, published DESC);",
    // 3: an item's author and enclosures (a JSON list, NULL when there are none), and the
    // time a server's `Retry-After` asks us to wait for, apart from our own backoff. Older
    // rows have none of them until their feed is fetched again.
    "ALTER TABLE headlines ADD COLUMN author TEXT;
     ALTER TABLE headlines ADD COLUMN enclosures TEXT;
     ALTER TABLE sources ADD COLUMN not_before INTEGER;",
    // 4: whether a title is the feed's own or one akhbar made from the item's text. Older
    // rows count as titled until their feed is fetched again.
    "ALTER TABLE headlines ADD COLUMN titled INTEGER NOT NULL DEFAULT 1;",
    // 5: bodies in a table of their own, so that they can be written while a feed is still
    // being read (and its headlines listed without them); a headline's body goes with it.
    "CREATE TABLE bodies (
         source_url TEXT NOT NULL,
         id         TEXT NOT NULL,
         body_html  TEXT NOT NULL,
         PRIMARY KEY (source_url, id)
     );
     INSERT INTO bodies (source_url, id, body_html)
         SELECT source_url, id, body_html FROM headlines WHERE body_html IS NOT NULL;
     ALTER TABLE headlines DROP COLUMN body_html;
     CREATE TRIGGER a_body_goes_with_its_headline AFTER DELETE ON headlines BEGIN
         DELETE FROM bodies WHERE source_url = old.source_url AND id = old.id;
     END;",
    // 6: the article extracted from a story's page (its blocks and links as JSON lists), so
    // that it is fetched once; it goes with its headline.
    "CREATE TABLE articles (
         source_url TEXT NOT NULL,
         id         TEXT NOT NULL,
         title      TEXT,
         byline     TEXT,
         published  TEXT,
         blocks     TEXT NOT NULL,
         links      TEXT NOT NULL,
         fetched_at INTEGER NOT NULL,
         PRIMARY KEY (source_url, id)
     );
     CREATE TRIGGER an_article_goes_with_its_headline AFTER DELETE ON headlines BEGIN
         DELETE FROM articles WHERE source_url = old.source_url AND id = old.id;
     END;",
];

/// The schema version this build writes: the number of [`MIGRATIONS`].
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Free pages a prune leaves in the file for the next saves to reuse; beyond this the file is
/// shrunk, so a burst of deletions gives the space back without every prune resizing the file.
const FREE_PAGES_KEPT: i64 = 256;

/// The WAL file is cut back to this after a checkpoint, so one big burst does not leave a large
/// `-wal` file behind for good.
const WAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;

/// Why the store could not do what was asked. Messages name the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {} for the store: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the store {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the store {} was written by a newer akhbar (schema version {found}; this one knows up to {known})",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the store {} is damaged and cannot be moved aside to {}: {source}", path.display(), aside.display())]
    SetAside {
        path: PathBuf,
        aside: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the store {} has schema version {found} and cannot be upgraded while read-only",
        path.display()
    )]
    Outdated { path: PathBuf, found: i64 },
    #[error("the store {} is still damaged after starting afresh: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error("store {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Whether the file could not be opened or changed for want of permission to write it or
    /// its folder: it may still be read.
    pub fn is_not_writable(&self) -> bool {
        match self {
            StoreError::Open { source, .. } | StoreError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(
                    rusqlite::ErrorCode::CannotOpen
                        | rusqlite::ErrorCode::ReadOnly
                        | rusqlite::ErrorCode::PermissionDenied
                )
            ),
            _ => false,
        }
    }

    /// The cause alone, without the file's name.
    pub fn reason(&self) -> String {
        match self {
            StoreError::Open { source, .. } | StoreError::Sqlite { source, .. } => {
                source.to_string()
            }
            other => other.to_string(),
        }
    }

    /// Whether another connection held the store's lock past [`BUSY_TIMEOUT`]: the write is
    /// worth trying again later, unlike a full disk or a damaged file.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Open { source, .. } | StoreError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        }
    }
}

/// A damaged database file that [`Store::open`] moved out of the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where the old file is now.
    pub path: PathBuf,
    /// What was wrong with it, in one line.
    pub reason: String,
}

/// An open store, and whether a damaged file had to be set aside to get it.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    /// When set, the caller should tell the user (on stderr) where the old file went.
    pub set_aside: Option<SetAside>,
    /// Set when the file can only be read (a read-only folder or file): why it cannot be
    /// written, in one line. Its headlines load; every write fails.
    pub read_only: Option<String>,
}

/// A stored headline and what the user did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHeadline {
    /// An undated item keeps the `published` time it was first stored with.
    pub headline: Headline,
    pub read: bool,
    pub first_seen: DateTime<Utc>,
    /// The last time a fetch of the feed still listed the item.
    pub last_seen: DateTime<Utc>,
    /// Whether the feed's latest good copy lists it (such items are never pruned).
    pub in_feed: bool,
}

/// Everything stored about one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CachedSource {
    pub url: String,
    pub name: Option<String>,
    /// Send these back on the next request.
    pub validators: Validators,
    /// `items` counts the headlines of the latest good copy; `fetching` is always false.
    pub health: Health,
    /// Newest first; items with the same time in feed order.
    pub headlines: Vec<StoredHeadline>,
    /// Stored values that could not be read (a number out of range, text where a number
    /// belongs): a damaged headline is left out, a damaged field of the source left empty.
    pub unreadable: usize,
}

impl CachedSource {
    /// What the refresher starts this source from: its validators and health.
    pub fn seed(&self) -> crate::model::Seed {
        crate::model::Seed {
            validators: self.validators.clone(),
            health: self.health.clone(),
        }
    }
}

/// A source the store knows, for listing or exporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSource {
    pub url: String,
    pub name: Option<String>,
}

/// What [`Store::save_feed`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveSummary {
    /// Headlines not stored before.
    pub new: usize,
    /// Headlines already stored, now updated.
    pub known: usize,
}

/// The SQLite store. See the module documentation.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// For error messages.
    path: PathBuf,
}

/// `$XDG_DATA_HOME/akhbar/akhbar.db`, else `~/.local/share/akhbar/akhbar.db`.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
}

/// [`default_path`] with the environment passed in, so tests need not mutate it.
fn default_path_from(xdg_data_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored; an empty one is
    // relative too.
    let base = match xdg_data_home.map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => xdg,
        _ => {
            let home = PathBuf::from(home.filter(|h| !h.is_empty())?);
            home.join(".local").join("share")
        }
    };
    Some(base.join("akhbar").join("akhbar.db"))
}

/// Why opening a file failed: damage is repaired by starting afresh, anything else is reported.
enum OpenFailure {
    Damaged(String),
    Fatal(StoreError),
}

impl Store {
    /// Opens (creating it and its directory if needed) and upgrades the store at `path`. A
    /// damaged file is set aside and replaced by a fresh one; see [`Opened::set_aside`].
    ///
    /// A file that exists but cannot be written (its folder or itself read-only) is opened
    /// for reading instead, so its headlines still show; see [`Opened::read_only`].
    pub fn open(path: &Path) -> Result<Opened, StoreError> {
        let opened = Self::open_with(path, Self::open_file);
        let place = path.display();
        match &opened {
            Ok(opened) => {
                tracing::info!(path = %place, "store opened");
                if let Some(aside) = &opened.set_aside {
                    tracing::error!(
                        path = %place,
                        moved_to = %aside.path.display(),
                        "store damaged ({}); set aside, a new one started",
                        aside.reason
                    );
                }
                if let Some(reason) = &opened.read_only {
                    tracing::error!(path = %place, "store opened for reading only: {reason}");
                }
            }
            Err(error) => tracing::error!(path = %place, "store not opened: {error}"),
        }
        opened
    }

    /// [`Store::open`] with the read-write opening passed in, so that tests can make it fail
    /// as a read-only folder would, even where permissions do not hold (as root).
    fn open_with(
        path: &Path,
        open_writable: impl Fn(&Path) -> Result<Store, OpenFailure>,
    ) -> Result<Opened, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        match open_writable(path) {
            Ok(store) => {
                // SQLite quietly opens a file it may not write for reading only.
                let read_only = store
                    .conn
                    .is_readonly(rusqlite::MAIN_DB)
                    .unwrap_or(false)
                    .then(|| "the file is read-only".to_owned());
                Ok(Opened {
                    store,
                    set_aside: None,
                    read_only,
                })
            }
            Err(OpenFailure::Fatal(error)) if error.is_not_writable() && path.is_file() => {
                match Self::open_read_only(path) {
                    Ok(store) => Ok(Opened {
                        store,
                        set_aside: None,
                        read_only: Some(error.reason()),
                    }),
                    // What stopped writing is the news, not why reading failed too.
                    Err(_) => Err(error),
                }
            }
            Err(OpenFailure::Fatal(error)) => Err(error),
            Err(OpenFailure::Damaged(reason)) => {
                let aside = set_aside(path, Utc::now())?;
                match open_writable(path) {
                    Ok(store) => Ok(Opened {
                        store,
                        set_aside: Some(SetAside {
                            path: aside,
                            reason,
                        }),
                        read_only: None,
                    }),
                    Err(OpenFailure::Fatal(error)) => Err(error),
                    Err(OpenFailure::Damaged(reason)) => Err(StoreError::Damaged {
                        path: path.to_path_buf(),
                        reason,
                    }),
                }
            }
        }
    }

    /// A private store in memory, gone when dropped.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        let mut store = Store { conn, path };
        match store.prepare() {
            Ok(()) => Ok(store),
            Err(OpenFailure::Fatal(error)) => Err(error),
            Err(OpenFailure::Damaged(reason)) => Err(StoreError::Damaged {
                path: store.path,
                reason,
            }),
        }
    }

    /// Opens the store at `path` for reading only, as it is: no schema upgrade, no change to
    /// the file. In a folder it may not write, a WAL-mode file whose side files are gone
    /// (closed cleanly) can only be read as immutable; nothing can write it meanwhile, as
    /// a writer would need those side files.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let plain = Connection::open_with_flags(path, flags)
            .map_err(open_error)
            .and_then(|conn| Self::check_readable(conn, path));
        match plain {
            Err(error) if error.is_not_writable() => {
                let absolute =
                    std::path::absolute(path).map_err(|source| StoreError::CreateDir {
                        path: path.to_path_buf(),
                        source,
                    })?;
                let Ok(mut uri) = url::Url::from_file_path(&absolute) else {
                    return Err(error);
                };
                uri.set_query(Some("immutable=1"));
                let conn = Connection::open_with_flags(uri.as_str(), flags).map_err(open_error)?;
                Self::check_readable(conn, path)
            }
            other => other,
        }
    }

    /// A read-only connection as a store, once its schema is known to be this build's.
    fn check_readable(conn: Connection, path: &Path) -> Result<Store, StoreError> {
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let found = user_version(&store.conn).map_err(|source| store.error(source))?;
        if found > SCHEMA_VERSION {
            return Err(store.too_new(found));
        }
        if found < 1 {
            // No tables at all: nothing to read.
            return Err(StoreError::Outdated {
                path: store.path,
                found,
            });
        }
        if found < SCHEMA_VERSION {
            // The file cannot be upgraded, but temporary views (which shadow the file's tables
            // of the same name) can give its rows the columns later versions added.
            store
                .conn
                .execute_batch(&older_schema_views(found))
                .map_err(|source| store.error(source))?;
        }
        Ok(store)
    }

    fn open_file(path: &Path) -> Result<Store, OpenFailure> {
        let conn = Connection::open(path).map_err(|source| {
            OpenFailure::Fatal(StoreError::Open {
                path: path.to_path_buf(),
                source,
            })
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.prepare()?;
        Ok(store)
    }

    /// Checks the file, sets the connection up and brings the schema up to date.
    fn prepare(&mut self) -> Result<(), OpenFailure> {
        let path = self.path.clone();
        let classify = |source: rusqlite::Error| match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                OpenFailure::Damaged(source.to_string())
            }
            _ => OpenFailure::Fatal(StoreError::Open {
                path: path.clone(),
                source,
            }),
        };
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;

        // Reading the schema is what notices a file that is not a database at all.
        let problems = quick_check(&self.conn).map_err(classify)?;
        if problems.first().is_none_or(|first| first != "ok") {
            return Err(OpenFailure::Damaged(format!(
                "integrity check: {}",
                problems.join("; ")
            )));
        }

        let found = user_version(&self.conn).map_err(classify)?;
        if found > SCHEMA_VERSION {
            return Err(OpenFailure::Fatal(self.too_new(found)));
        }
        if found == 0 {
            // Only takes effect before the first table exists; with it, prune can hand freed
            // pages back to the file system.
            self.conn
                .pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .map_err(classify)?;
        }
        // Returns the mode it got: "memory" for an in-memory store, which is fine.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(classify)?;
        self.conn
            .execute_batch(&format!(
                "PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA journal_size_limit = {WAL_SIZE_LIMIT};
                 PRAGMA cache_size = -{PAGE_CACHE_KIB};"
            ))
            .map_err(classify)?;

        if found < SCHEMA_VERSION {
            match migrate(&mut self.conn) {
                Ok(()) => tracing::info!(
                    path = %self.path.display(),
                    from = found,
                    to = SCHEMA_VERSION,
                    "store schema migrated"
                ),
                Err(Migration::TooNew(found)) => {
                    return Err(OpenFailure::Fatal(self.too_new(found)));
                }
                Err(Migration::Sqlite(source)) => return Err(classify(source)),
            }
        }
        Ok(())
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a write waits for another connection's lock before failing as busy
    /// ([`BUSY_TIMEOUT`] unless changed).
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(wait)
            .map_err(|source| self.error(source))
    }

    fn too_new(&self, found: i64) -> StoreError {
        StoreError::TooNew {
            path: self.path.clone(),
            found,
            known: SCHEMA_VERSION,
        }
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Runs `work` in one write transaction, committed only if it succeeds.
    fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        in_write_transaction(&mut self.conn, work).map_err(|source| self.error(source))
    }

    /// Runs `work` in one read transaction, so it sees a single consistent snapshot even while
    /// another instance writes.
    fn read<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let outcome = self.conn.unchecked_transaction().and_then(|tx| work(&tx));
        outcome.map_err(|source| self.error(source))
    }

    /// What is stored for each of `urls`, in the same order; a URL never stored gets an entry
    /// with no headlines and default validators and health.
    pub fn load<U: AsRef<str>>(&self, urls: &[U]) -> Result<Vec<CachedSource>, StoreError> {
        self.read(|tx| {
            urls.iter()
                .map(|url| load_source(tx, url.as_ref()))
                .collect()
        })
    }

    /// Every source stored, in the order they were first stored.
    pub fn load_all_sources(&self) -> Result<Vec<StoredSource>, StoreError> {
        self.read(|tx| {
            let mut statement =
                tx.prepare_cached("SELECT url, name FROM sources ORDER BY rowid")?;
            statement
                .query_map([], |row| {
                    Ok(StoredSource {
                        url: row.get(0)?,
                        name: row.get(1)?,
                    })
                })?
                .collect()
        })
    }

    /// Stores a fresh copy of a feed fetched at `now`, with the validators that came with it.
    ///
    /// Known headlines keep their `read` mark and `first_seen`, and an undated one keeps the
    /// `published` time it was first stored with, so it does not jump to the top on every
    /// refresh. Records the success (`last_success = now`, no error); `name` replaces the
    /// stored name unless `None`.
    pub fn save_feed(
        &mut self,
        url: &str,
        name: Option<&str>,
        feed: &ParsedFeed,
        validators: &Validators,
        now: DateTime<Utc>,
    ) -> Result<SaveSummary, StoreError> {
        let now = millis(now);
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO sources (url, name, etag, last_modified, last_success)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (url) DO UPDATE SET
                     name = COALESCE(excluded.name, sources.name),
                     etag = excluded.etag,
                     last_modified = excluded.last_modified,
                     last_success = excluded.last_success,
                     last_error = NULL",
            )?
            .execute(params![
                url,
                name,
                validators.etag,
                validators.last_modified,
                now
            ])?;
            let before = count(
                tx,
                "SELECT count(*) FROM headlines WHERE source_url = ?1",
                url,
            )?;
            tx.prepare_cached(
                "UPDATE headlines SET in_feed = 0 WHERE source_url = ?1 AND in_feed = 1",
            )?
            .execute([url])?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO headlines (source_url, id, title, link, published, dated,
                                        first_seen, last_seen, summary, language,
                                        author, enclosures, titled, read, in_feed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12, 0, 1)
                 ON CONFLICT (source_url, id) DO UPDATE SET
                     title = excluded.title,
                     titled = excluded.titled,
                     link = excluded.link,
                     published = CASE WHEN excluded.dated THEN excluded.published
                                      ELSE headlines.published END,
                     dated = CASE WHEN excluded.dated THEN 1 ELSE headlines.dated END,
                     last_seen = excluded.last_seen,
                     summary = excluded.summary,
                     language = excluded.language,
                     author = excluded.author,
                     enclosures = excluded.enclosures,
                     in_feed = 1",
            )?;
            for headline in &feed.headlines {
                upsert.execute(params![
                    url,
                    headline.id,
                    headline.title,
                    headline.link,
                    millis(headline.published),
                    headline.dated,
                    now,
                    headline.summary,
                    headline.language,
                    headline.author,
                    rows::enclosures_json(&headline.enclosures),
                    headline.titled,
                ])?;
                if !feed.bodies_apart {
                    put_body(tx, url, &headline.id, headline.body_html.as_deref())?;
                }
            }
            let after = count(
                tx,
                "SELECT count(*) FROM headlines WHERE source_url = ?1",
                url,
            )?;
            let new = after.saturating_sub(before);
            // Counted from the rows, so an id listed twice in one feed counts once.
            let listed = count(
                tx,
                "SELECT count(*) FROM headlines WHERE source_url = ?1 AND in_feed = 1",
                url,
            )?;
            Ok(SaveSummary {
                new,
                known: listed.saturating_sub(new),
            })
        })
    }

    /// Records a 304 at `now`: the items of the latest copy are still listed, and the source
    /// succeeded. Returns how many items that touched.
    pub fn save_unchanged(&mut self, url: &str, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let now = millis(now);
        self.write(|tx| {
            let touched = tx
                .prepare_cached(
                    "UPDATE headlines SET last_seen = ?2 WHERE source_url = ?1 AND in_feed = 1",
                )?
                .execute(params![url, now])?;
            tx.prepare_cached(
                "UPDATE sources SET last_success = ?2, last_error = NULL WHERE url = ?1",
            )?
            .execute(params![url, now])?;
            Ok(touched)
        })
    }

    /// Records the refresher's view of a source's health (`items` and `fetching` are not
    /// stored): after a failure, and to keep `status` and `next_attempt` after a success. A
    /// `last_success` of `None` keeps the stored one, so a run whose first fetch fails does not
    /// forget that an earlier run succeeded.
    pub fn save_health(&mut self, url: &str, health: &Health) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO sources (url, last_success, last_error, status, next_attempt,
                                      not_before)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (url) DO UPDATE SET
                     last_success = COALESCE(excluded.last_success, sources.last_success),
                     last_error = excluded.last_error,
                     status = excluded.status,
                     next_attempt = excluded.next_attempt,
                     not_before = excluded.not_before",
            )?
            .execute(params![
                url,
                health.last_success.map(millis),
                health.last_error,
                health.status,
                health.next_attempt.map(millis),
                health.not_before.map(millis),
            ])?;
            Ok(())
        })
    }

    /// Marks one headline read or unread. Returns whether it is stored.
    pub fn set_read(&mut self, url: &str, id: &str, read: bool) -> Result<bool, StoreError> {
        self.set_read_many(&[(url, id)], read)
            .map(|changed| changed > 0)
    }

    /// Marks many `(source url, id)` headlines at once, in one transaction. Returns how many
    /// are stored.
    pub fn set_read_many<U: AsRef<str>, I: AsRef<str>>(
        &mut self,
        items: &[(U, I)],
        read: bool,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let mut mark = tx.prepare_cached(
                "UPDATE headlines SET read = ?3 WHERE source_url = ?1 AND id = ?2",
            )?;
            items.iter().try_fold(0, |changed, (url, id)| {
                Ok(changed + mark.execute(params![url.as_ref(), id.as_ref(), read])?)
            })
        })
    }

    /// Forgets a source and its headlines. Returns whether it was stored.
    pub fn remove_source(&mut self, url: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.prepare_cached("DELETE FROM headlines WHERE source_url = ?1")?
                .execute([url])?;
            // Bodies written while a feed was read whose headlines never were saved.
            tx.prepare_cached("DELETE FROM bodies WHERE source_url = ?1")?
                .execute([url])?;
            tx.prepare_cached("DELETE FROM articles WHERE source_url = ?1")?
                .execute([url])?;
            Ok(tx
                .prepare_cached("DELETE FROM sources WHERE url = ?1")?
                .execute([url])?
                > 0)
        })
    }

    /// Forgets headlines that their feed no longer lists and that either were last seen
    /// before `now - keep`, or fall beyond the newest `max_per_feed` of their source (by
    /// `published`, counting the latest copy's items first).
    ///
    /// Items of a feed's latest good copy always stay, so a long time offline loses nothing
    /// and a read mark lasts as long as the feed lists the item. A source thus keeps at most
    /// `max(max_per_feed, items in its latest copy)` headlines. Call it after saving; it is
    /// cheap enough for every refresh. Returns how many headlines were deleted.
    pub fn prune(
        &mut self,
        keep: Duration,
        max_per_feed: usize,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        // A `keep` too long to represent keeps everything.
        let cutoff = TimeDelta::from_std(keep)
            .ok()
            .and_then(|keep| now.checked_sub_signed(keep))
            .map_or(i64::MIN, millis);
        let max_per_feed = i64::try_from(max_per_feed).unwrap_or(i64::MAX);
        self.write(|tx| {
            let stale = tx
                .prepare_cached("DELETE FROM headlines WHERE in_feed = 0 AND last_seen < ?1")?
                .execute([cutoff])?;
            let surplus = tx
                .prepare_cached(
                    "DELETE FROM headlines WHERE in_feed = 0 AND rowid IN (
                         SELECT row FROM (
                             SELECT rowid AS row,
                                    row_number() OVER (
                                        PARTITION BY source_url
                                        ORDER BY in_feed DESC, published DESC, rowid
                                    ) AS rank
                             FROM headlines)
                         WHERE rank > ?1)",
                )?
                .execute([max_per_feed])?;
            // Deleted rows leave free pages that the next saves reuse, so the file stays near
            // its high-water mark; when many are free, hand them back (needs auto_vacuum, set
            // when the file was created; an older file just keeps reusing its free pages).
            let free: i64 = tx.query_row("PRAGMA freelist_count", [], |row| row.get(0))?;
            if free > FREE_PAGES_KEPT {
                run_to_end(tx, "PRAGMA incremental_vacuum")?;
            }
            Ok(stale + surplus)
        })
    }
}

/// Stores `body` as the body of headline `id` of `source_url`; `None` forgets the one it had.
fn put_body(
    conn: &Connection,
    source_url: &str,
    id: &str,
    body: Option<&str>,
) -> rusqlite::Result<()> {
    match body {
        Some(body) => conn
            .prepare_cached(
                "INSERT INTO bodies (source_url, id, body_html) VALUES (?1, ?2, ?3)
                 ON CONFLICT (source_url, id) DO UPDATE SET body_html = excluded.body_html",
            )?
            .execute(params![source_url, id, body]),
        None => conn
            .prepare_cached("DELETE FROM bodies WHERE source_url = ?1 AND id = ?2")?
            .execute(params![source_url, id]),
    }
    .map(drop)
}

fn in_write_transaction<T>(
    conn: &mut Connection,
    work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    // IMMEDIATE takes the write lock up front, waiting out another instance through the busy
    // timeout; a deferred transaction that reads first could fail instead of waiting.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

enum Migration {
    TooNew(i64),
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Migration {
    fn from(error: rusqlite::Error) -> Self {
        Migration::Sqlite(error)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), Migration> {
    for (version, step) in (1..).zip(MIGRATIONS) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again under the write lock: another instance may have upgraded meanwhile.
        let current = user_version(&tx)?;
        if current > SCHEMA_VERSION {
            return Err(Migration::TooNew(current));
        }
        if current >= version {
            continue;
        }
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// Temporary views that show the tables of a file at schema `found` (at least 1) as this
/// build reads them, each column a later version added at the value its migration gives
/// rows that existed before it.
fn older_schema_views(found: i64) -> String {
    let mut headlines = Vec::new();
    let mut sources = Vec::new();
    if found < 2 {
        headlines.push("first_seen AS last_seen, 1 AS in_feed");
    }
    if found < 3 {
        headlines.push("NULL AS author, NULL AS enclosures");
        sources.push("NULL AS not_before");
    }
    if found < 4 {
        headlines.push("1 AS titled");
    }
    let bodies = if found < 5 {
        "CREATE TEMP VIEW bodies AS SELECT source_url, id, body_html FROM main.headlines
             WHERE body_html IS NOT NULL;"
    } else {
        ""
    };
    // Before version 6 no article was kept.
    let articles = if found < 6 {
        "CREATE TEMP VIEW articles AS SELECT '' AS source_url, '' AS id, NULL AS title,
             NULL AS byline, NULL AS published, '[]' AS blocks, '[]' AS links,
             0 AS fetched_at WHERE 0;"
    } else {
        ""
    };
    let view = |table: &str, added: &[&str]| {
        if added.is_empty() {
            String::new()
        } else {
            format!(
                // A view has no rowid of its own; queries order by the table's.
                "CREATE TEMP VIEW {table} AS SELECT rowid AS rowid, *, {} FROM main.{table};",
                added.join(", ")
            )
        }
    };
    view("headlines", &headlines) + &view("sources", &sources) + bodies + articles
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// The lines of `PRAGMA quick_check`: just "ok" when the file is sound.
fn quick_check(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare("PRAGMA quick_check")?;
    statement.query_map([], |row| row.get(0))?.collect()
}

/// Steps `sql` until it is done; some pragmas do one unit of work per row they return.
fn run_to_end(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(sql)?;
    let mut rows = statement.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// Runs a `SELECT count(*)` with one parameter.
fn count(tx: &Transaction<'_>, sql: &str, parameter: &str) -> rusqlite::Result<usize> {
    let rows: i64 = tx
        .prepare_cached(sql)?
        .query_row([parameter], |row| row.get(0))?;
    Ok(usize::try_from(rows).unwrap_or(0))
}

fn millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// Moves a damaged database and its WAL, shared-memory and journal files out of the way,
/// returning the database's new path. The side files must go too: a fresh file must never
/// replay an old WAL.
fn set_aside(path: &Path, now: DateTime<Utc>) -> Result<PathBuf, StoreError> {
    let stamp = now.format("%Y%m%dT%H%M%S");
    let with_suffix = |path: &Path, suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    // Two damaged files in one second get `-2`, `-3`, … rather than overwriting each other.
    let aside = (1..=1000)
        .map(|n| match n {
            1 => with_suffix(path, &format!(".corrupt-{stamp}")),
            n => with_suffix(path, &format!(".corrupt-{stamp}-{n}")),
        })
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| with_suffix(path, &format!(".corrupt-{stamp}")));
    let moves = std::iter::once((path.to_path_buf(), aside.clone())).chain(
        ["-wal", "-shm", "-journal"]
            .into_iter()
            .map(|side| (with_suffix(path, side), with_suffix(&aside, side))),
    );
    for (from, to) in moves {
        match std::fs::rename(&from, &to) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && from != path => {}
            Err(source) => {
                return Err(StoreError::SetAside {
                    path: from,
                    aside: to,
                    source,
                });
            }
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Enclosure;
    use chrono::TimeZone;
    use tempfile::TempDir;

    pub(super) const URL: &str = "https://example.com/feed.xml";

    pub(super) fn at(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + TimeDelta::hours(hour)
    }

    pub(super) fn headline(id: &str, hour: i64) -> Headline {
        Headline {
            id: id.to_string(),
            title: format!("Title {id}"),
            link: Some(format!("https://example.com/{id}")),
            published: at(hour),
            dated: true,
            titled: true,
            summary: format!("Summary of {id}"),
            body_html: Some(format!("<p>Body of {id}</p>")),
            language: Some("en".to_string()),
            author: None,
            enclosures: Vec::new(),
        }
    }

    pub(super) fn feed(headlines: Vec<Headline>) -> ParsedFeed {
        ParsedFeed {
            title: "Example".to_string(),
            headlines,
            ..ParsedFeed::default()
        }
    }

    pub(super) fn open(dir: &TempDir) -> Store {
        let opened = Store::open(&dir.path().join("akhbar.db")).unwrap();
        assert_eq!(opened.set_aside, None);
        opened.store
    }

    /// Saves `items` as the copy of [`URL`] fetched at `when`, without validators.
    pub(super) fn save(store: &mut Store, items: Vec<Headline>, when: DateTime<Utc>) {
        store
            .save_feed(URL, None, &feed(items), &Validators::default(), when)
            .unwrap();
    }

    fn load_one(store: &Store, url: &str) -> CachedSource {
        store.load(&[url]).unwrap().remove(0)
    }

    fn ids(source: &CachedSource) -> Vec<&str> {
        source
            .headlines
            .iter()
            .map(|stored| stored.headline.id.as_str())
            .collect()
    }

    fn pragma(store: &Store, name: &str) -> i64 {
        store
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_store_can_move_to_its_own_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<Store>();
        assert_send::<StoreError>();
    }

    #[test]
    fn default_path_follows_xdg() {
        let path = |xdg: Option<&str>, home: Option<&str>| {
            default_path_from(xdg.map(OsString::from), home.map(OsString::from))
        };
        assert_eq!(
            path(Some("/data"), Some("/home/u")),
            Some(PathBuf::from("/data/akhbar/akhbar.db"))
        );
        for ignored in ["", "relative/data"] {
            assert_eq!(
                path(Some(ignored), Some("/home/u")),
                Some(PathBuf::from("/home/u/.local/share/akhbar/akhbar.db")),
                "{ignored:?}"
            );
        }
        assert_eq!(path(None, None), None);
        assert_eq!(path(None, Some("")), None);
    }

    #[test]
    fn a_new_file_is_created_with_its_directory_in_wal_mode() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("deep").join("er").join("akhbar.db");
        let opened = Store::open(&path).unwrap();
        assert!(path.is_file());
        let store = opened.store;
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(pragma(&store, "auto_vacuum"), 2, "incremental");
        assert_eq!(pragma(&store, "synchronous"), 1, "normal");
        assert_eq!(pragma(&store, "user_version"), SCHEMA_VERSION);
        assert_eq!(pragma(&store, "busy_timeout"), 5000);
    }

    #[test]
    fn headlines_and_read_marks_survive_a_restart() {
        let dir = TempDir::new().unwrap();
        let first = headline("a", 2);
        let second = headline("b", 1);
        {
            let mut store = open(&dir);
            let saved = store
                .save_feed(
                    URL,
                    Some("Example"),
                    &feed(vec![first.clone(), second.clone()]),
                    &Validators::default(),
                    at(3),
                )
                .unwrap();
            assert_eq!(saved, SaveSummary { new: 2, known: 0 });
            assert!(store.set_read(URL, "b", true).unwrap());
            assert!(!store.set_read(URL, "missing", true).unwrap());
        }
        let store = open(&dir);
        let source = load_one(&store, URL);
        assert_eq!(source.name.as_deref(), Some("Example"));
        assert_eq!(source.health.last_success, Some(at(3)));
        assert_eq!(source.health.items, 2);
        assert_eq!(
            source.headlines,
            vec![
                StoredHeadline {
                    headline: first,
                    read: false,
                    first_seen: at(3),
                    last_seen: at(3),
                    in_feed: true,
                },
                StoredHeadline {
                    headline: second,
                    read: true,
                    first_seen: at(3),
                    last_seen: at(3),
                    in_feed: true,
                },
            ]
        );
    }

    #[test]
    fn load_answers_every_url_in_order_even_unknown_ones() {
        let mut store = Store::open_in_memory().unwrap();
        for url in ["https://a.example/", "https://b.example/"] {
            store
                .save_feed(
                    url,
                    None,
                    &feed(vec![headline(url, 1)]),
                    &Validators::default(),
                    at(1),
                )
                .unwrap();
        }
        let loaded = store
            .load(&[
                "https://b.example/",
                "https://unknown.example/",
                "https://a.example/",
            ])
            .unwrap();
        let urls: Vec<&str> = loaded.iter().map(|source| source.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://b.example/",
                "https://unknown.example/",
                "https://a.example/"
            ]
        );
        assert_eq!(loaded[0].headlines.len(), 1);
        assert_eq!(
            loaded[1],
            CachedSource {
                url: "https://unknown.example/".to_string(),
                ..CachedSource::default()
            }
        );
        let all = store.load_all_sources().unwrap();
        assert_eq!(
            all,
            [
                StoredSource {
                    url: "https://a.example/".to_string(),
                    name: None
                },
                StoredSource {
                    url: "https://b.example/".to_string(),
                    name: None
                },
            ]
        );
    }

    #[test]
    fn an_upsert_keeps_read_and_first_seen_and_updates_the_rest() {
        let mut store = Store::open_in_memory().unwrap();
        let none = Validators::default();
        store
            .save_feed(
                URL,
                Some("Old name"),
                &feed(vec![headline("a", 1)]),
                &none,
                at(1),
            )
            .unwrap();
        store.set_read(URL, "a", true).unwrap();

        let mut edited = headline("a", 2);
        edited.title = "Corrected title".to_string();
        edited.link = None;
        edited.summary = "New summary".to_string();
        edited.body_html = None;
        edited.language = Some("fr".to_string());
        let saved = store
            .save_feed(
                URL,
                None,
                &feed(vec![edited.clone(), headline("b", 3)]),
                &none,
                at(5),
            )
            .unwrap();
        assert_eq!(saved, SaveSummary { new: 1, known: 1 });

        let source = load_one(&store, URL);
        assert_eq!(
            source.name.as_deref(),
            Some("Old name"),
            "None keeps the name"
        );
        assert_eq!(ids(&source), ["b", "a"]);
        let stored = &source.headlines[1];
        assert_eq!(stored.headline, edited);
        assert!(stored.read);
        assert_eq!(stored.first_seen, at(1));
        assert_eq!(stored.last_seen, at(5));
        assert!(!source.headlines[0].read);
    }

    #[test]
    fn an_undated_item_keeps_its_first_time_until_the_feed_dates_it() {
        let mut store = Store::open_in_memory().unwrap();
        let none = Validators::default();
        let undated_at = |hour| Headline {
            published: at(hour),
            dated: false,
            titled: true,
            ..headline("u", hour)
        };
        store
            .save_feed(
                URL,
                None,
                &feed(vec![undated_at(1), headline("d", 2)]),
                &none,
                at(1),
            )
            .unwrap();
        store
            .save_feed(
                URL,
                None,
                &feed(vec![undated_at(10), headline("d", 2)]),
                &none,
                at(10),
            )
            .unwrap();
        let source = load_one(&store, URL);
        assert_eq!(
            ids(&source),
            ["d", "u"],
            "the undated item did not jump ahead"
        );
        assert_eq!(source.headlines[1].headline.published, at(1));
        assert!(!source.headlines[1].headline.dated);

        store
            .save_feed(URL, None, &feed(vec![headline("u", 7)]), &none, at(11))
            .unwrap();
        let source = load_one(&store, URL);
        assert_eq!(source.headlines[0].headline.published, at(7));
        assert!(source.headlines[0].headline.dated);

        // A date that disappears again is kept rather than replaced by the fetch time.
        store
            .save_feed(URL, None, &feed(vec![undated_at(12)]), &none, at(12))
            .unwrap();
        let source = load_one(&store, URL);
        assert_eq!(source.headlines[0].headline.published, at(7));
        assert!(source.headlines[0].headline.dated);
    }

    #[test]
    fn equal_times_keep_feed_order() {
        let mut store = Store::open_in_memory().unwrap();
        let same_time: Vec<Headline> = ["x", "a", "m"].iter().map(|id| headline(id, 1)).collect();
        save(&mut store, same_time, at(1));
        assert_eq!(ids(&load_one(&store, URL)), ["x", "a", "m"]);
    }

    #[test]
    fn validators_round_trip_byte_for_byte() {
        let dir = TempDir::new().unwrap();
        let weird = [
            Validators {
                etag: Some(r#"W/"a,b""#.to_string()),
                last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
            },
            Validators {
                etag: Some(" \"spaced, \\\"quoted\\\" ; x\" \t".to_string()),
                last_modified: None,
            },
            Validators {
                etag: Some("\"ﻉ-é-\u{0}-end\"".to_string()),
                last_modified: Some("".to_string()),
            },
            Validators::default(),
        ];
        for validators in weird {
            {
                let mut store = open(&dir);
                store
                    .save_feed(URL, None, &feed(vec![]), &validators, at(1))
                    .unwrap();
            }
            assert_eq!(load_one(&open(&dir), URL).validators, validators);
        }
    }

    #[test]
    fn unchanged_keeps_the_latest_copy_current() {
        let mut store = Store::open_in_memory().unwrap();
        let none = Validators::default();
        store
            .save_feed(URL, None, &feed(vec![headline("old", 1)]), &none, at(1))
            .unwrap();
        store
            .save_feed(URL, None, &feed(vec![headline("new", 2)]), &none, at(2))
            .unwrap();
        assert_eq!(store.save_unchanged(URL, at(30)).unwrap(), 1);
        let source = load_one(&store, URL);
        assert_eq!(source.health.last_success, Some(at(30)));
        let last_seen: Vec<_> = source.headlines.iter().map(|h| h.last_seen).collect();
        assert_eq!(last_seen, [at(30), at(1)], "only the current item");
        assert_eq!(source.health.items, 1);
    }

    #[test]
    fn health_is_stored_as_given() {
        let dir = TempDir::new().unwrap();
        let failing = Health {
            last_success: Some(at(1)),
            last_error: Some("HTTP 503 Service Unavailable".to_string()),
            status: Some(503),
            next_attempt: Some(at(2) + TimeDelta::milliseconds(250)),
            not_before: Some(at(3)),
            items: 99,
            fetching: true,
        };
        {
            let mut store = open(&dir);
            save(&mut store, vec![headline("a", 1)], at(1));
            store.save_health(URL, &failing).unwrap();
            store
                .save_health("https://never.example/", &failing)
                .unwrap();
        }
        let store = open(&dir);
        let loaded = store.load(&[URL, "https://never.example/"]).unwrap();
        assert_eq!(
            loaded[0].health,
            Health {
                items: 1,
                fetching: false,
                ..failing.clone()
            }
        );
        assert_eq!(loaded[1].health.status, Some(503));

        let mut store = store;
        let failing_from_the_start = Health {
            last_success: None,
            ..failing.clone()
        };
        store.save_health(URL, &failing_from_the_start).unwrap();
        assert_eq!(load_one(&store, URL).health.last_success, Some(at(1)));

        save(&mut store, vec![headline("a", 1)], at(3));
        let health = load_one(&store, URL).health;
        assert_eq!(health.last_error, None, "a success clears the error");
        assert_eq!(health.last_success, Some(at(3)));
    }

    #[test]
    fn set_read_many_marks_and_unmarks_in_one_go() {
        let mut store = Store::open_in_memory().unwrap();
        let items: Vec<Headline> = ["a", "b", "c"].iter().map(|id| headline(id, 1)).collect();
        save(&mut store, items, at(1));
        let marks = [
            (URL.to_string(), "a".to_string()),
            (URL.to_string(), "c".to_string()),
            ("https://other.example/".to_string(), "a".to_string()),
        ];
        assert_eq!(store.set_read_many(&marks, true).unwrap(), 2);
        let read = |store: &Store| -> Vec<bool> {
            load_one(store, URL)
                .headlines
                .iter()
                .map(|h| h.read)
                .collect()
        };
        assert_eq!(read(&store), [true, false, true]);
        assert_eq!(store.set_read_many(&[(URL, "c")], false).unwrap(), 1);
        assert_eq!(read(&store), [true, false, false]);
    }

    #[test]
    fn remove_source_forgets_its_headlines() {
        let mut store = Store::open_in_memory().unwrap();
        save(&mut store, vec![headline("a", 1)], at(1));
        assert!(store.remove_source(URL).unwrap());
        assert!(!store.remove_source(URL).unwrap());
        assert!(load_one(&store, URL).headlines.is_empty());
        assert!(store.load_all_sources().unwrap().is_empty());
    }

    #[test]
    fn prune_forgets_by_age_only_what_the_feed_dropped() {
        let mut store = Store::open_in_memory().unwrap();
        let none = Validators::default();
        store
            .save_feed(
                URL,
                None,
                &feed(vec![headline("gone", 1), headline("kept", 2)]),
                &none,
                at(0),
            )
            .unwrap();
        store.set_read(URL, "kept", true).unwrap();
        store
            .save_feed(URL, None, &feed(vec![headline("kept", 2)]), &none, at(24))
            .unwrap();
        let day = Duration::from_secs(24 * 3600);

        assert_eq!(
            store.prune(day, 100, at(23)).unwrap(),
            0,
            "not old enough yet"
        );
        assert_eq!(store.prune(day, 100, at(25)).unwrap(), 1);
        assert_eq!(ids(&load_one(&store, URL)), ["kept"]);

        // Offline for months: the latest copy is all we have, and it stays, read mark and all.
        assert_eq!(store.prune(day, 100, at(24 * 100)).unwrap(), 0);
        let source = load_one(&store, URL);
        assert_eq!(ids(&source), ["kept"]);
        assert!(source.headlines[0].read);

        assert_eq!(store.prune(Duration::MAX, 100, at(24 * 100)).unwrap(), 0);
    }

    #[test]
    fn prune_keeps_the_newest_per_feed() {
        let mut store = Store::open_in_memory().unwrap();
        let none = Validators::default();
        let other = "https://other.example/";
        let ten: Vec<Headline> = (1..=10).map(|n| headline(&format!("h{n}"), n)).collect();
        store
            .save_feed(URL, None, &feed(ten.clone()), &none, at(10))
            .unwrap();
        store
            .save_feed(other, None, &feed(ten), &none, at(10))
            .unwrap();
        let long = Duration::from_secs(365 * 24 * 3600);

        assert_eq!(store.prune(long, 5, at(10)).unwrap(), 0, "all still listed");
        store
            .save_feed(
                URL,
                None,
                &feed(vec![headline("h12", 12), headline("h11", 11)]),
                &none,
                at(12),
            )
            .unwrap();
        assert_eq!(store.prune(long, 5, at(12)).unwrap(), 7);
        assert_eq!(
            ids(&load_one(&store, URL)),
            ["h12", "h11", "h10", "h9", "h8"]
        );
        assert_eq!(load_one(&store, other).headlines.len(), 10, "per feed");

        // The current copy outranks older items even when they have later dates.
        store
            .save_feed(URL, None, &feed(vec![headline("h0", 0)]), &none, at(13))
            .unwrap();
        assert_eq!(store.prune(long, 2, at(13)).unwrap(), 4);
        assert_eq!(ids(&load_one(&store, URL)), ["h12", "h0"]);
    }

    #[test]
    fn the_file_stops_growing_over_many_refreshes() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        let body = "<p>".to_string() + &"لوريم ipsum ".repeat(40) + "</p>";
        let mut pages_after_warm_up = 0;
        for round in 0..200 {
            let items: Vec<Headline> = (0..100)
                .map(|n| Headline {
                    body_html: Some(body.clone()),
                    ..headline(&format!("r{round}-{n}"), round)
                })
                .collect();
            save(&mut store, items, at(round));
            store
                .prune(Duration::from_secs(3600 * 24), 50, at(round))
                .unwrap();
            if round == 19 {
                pages_after_warm_up = pragma(&store, "page_count");
            }
        }
        let pages = pragma(&store, "page_count");
        assert!(
            pages <= pages_after_warm_up + pages_after_warm_up / 4,
            "{pages} pages now, {pages_after_warm_up} after 20 rounds"
        );
        assert!(pragma(&store, "freelist_count") <= FREE_PAGES_KEPT);
        assert_eq!(load_one(&store, URL).headlines.len(), 100);
        drop(store);
        let size = std::fs::metadata(dir.path().join("akhbar.db"))
            .unwrap()
            .len();
        assert!(size < 4 * 1024 * 1024, "{size} bytes");
    }

    #[test]
    fn a_big_prune_gives_the_space_back() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        let body = "y".repeat(4000);
        let items: Vec<Headline> = (0..500)
            .map(|n| Headline {
                body_html: Some(body.clone()),
                ..headline(&format!("h{n}"), n)
            })
            .collect();
        let none = Validators::default();
        store
            .save_feed(URL, None, &feed(items), &none, at(1))
            .unwrap();
        let full = pragma(&store, "page_count");
        assert!(full > 500, "{full}");
        store
            .save_feed(URL, None, &feed(vec![]), &none, at(2))
            .unwrap();
        assert_eq!(store.prune(Duration::ZERO, 0, at(3)).unwrap(), 500);
        assert!(pragma(&store, "freelist_count") <= FREE_PAGES_KEPT);
        assert!(pragma(&store, "page_count") < full / 2);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_set_aside() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        let garbage: Vec<u8> = b"definitely not SQLite\n".repeat(500);
        std::fs::write(&path, &garbage).unwrap();

        let opened = Store::open(&path).unwrap();
        let aside = opened.set_aside.expect("set aside");
        let name = aside
            .path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with("akhbar.db.corrupt-"), "{name}");
        assert_eq!(
            name.len(),
            "akhbar.db.corrupt-YYYYMMDDTHHMMSS".len(),
            "{name}"
        );
        assert_eq!(aside.path.parent(), Some(dir.path()));
        assert!(aside.reason.contains("not a database"), "{}", aside.reason);
        assert_eq!(std::fs::read(&aside.path).unwrap(), garbage);

        let mut store = opened.store;
        save(&mut store, vec![headline("a", 1)], at(1));
        drop(store);
        assert_eq!(load_one(&open(&dir), URL).headlines.len(), 1);
    }

    #[test]
    fn a_truncated_file_is_set_aside() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        {
            let mut store = open(&dir);
            let body = "x".repeat(2000);
            let items: Vec<Headline> = (0..300)
                .map(|n| Headline {
                    body_html: Some(body.clone()),
                    ..headline(&format!("h{n}"), n)
                })
                .collect();
            save(&mut store, items, at(1));
        }
        // Closing the last connection checkpoints the WAL into the main file.
        let full = std::fs::read(&path).unwrap();
        assert!(full.len() > 100_000, "{}", full.len());
        for cut in [full.len() / 2, 4096 + 100, 60] {
            std::fs::write(&path, &full[..cut]).unwrap();
            let opened = Store::open(&path).unwrap();
            let aside = opened.set_aside.unwrap_or_else(|| panic!("cut at {cut}"));
            assert_eq!(std::fs::read(&aside.path).unwrap().len(), cut);
            assert!(load_one(&opened.store, URL).headlines.is_empty());
            drop(opened.store);
            std::fs::remove_file(&aside.path).unwrap();
        }
    }

    #[test]
    fn the_side_files_go_with_a_damaged_file() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        for (suffix, contents) in [("", "db"), ("-wal", "wal"), ("-shm", "shm")] {
            std::fs::write(dir.path().join(format!("akhbar.db{suffix}")), contents).unwrap();
        }
        let aside = set_aside(&path, at(1)).unwrap();
        assert_eq!(
            aside.file_name().unwrap().to_string_lossy(),
            "akhbar.db.corrupt-20260301T010000"
        );
        for (suffix, contents) in [("", "db"), ("-wal", "wal"), ("-shm", "shm")] {
            let mut moved = aside.clone().into_os_string();
            moved.push(suffix);
            assert_eq!(
                std::fs::read_to_string(&moved).unwrap(),
                contents,
                "{suffix}"
            );
            assert!(
                !dir.path().join(format!("akhbar.db{suffix}")).exists(),
                "{suffix}"
            );
        }
    }

    #[test]
    fn two_damaged_files_in_one_second_get_different_names() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        let now = at(1);
        std::fs::write(&path, b"one").unwrap();
        let first = set_aside(&path, now).unwrap();
        std::fs::write(&path, b"two").unwrap();
        let second = set_aside(&path, now).unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read(first).unwrap(), b"one");
        assert_eq!(std::fs::read(second).unwrap(), b"two");
        assert!(!path.exists());
    }

    #[test]
    fn a_version_1_file_is_upgraded_keeping_its_rows() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute(
                "INSERT INTO sources (url, name, etag) VALUES (?1, 'Old', '\"v1\"')",
                [URL],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO headlines (source_url, id, title, link, published, dated, first_seen,
                                        summary, body_html, language, read)
                 VALUES (?1, 'a', 'Kept', NULL, ?2, 1, ?2, '', NULL, 'ar', 1)",
                params![URL, millis(at(1))],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }

        let mut store = open(&dir);
        assert_eq!(pragma(&store, "user_version"), SCHEMA_VERSION);
        let source = load_one(&store, URL);
        assert_eq!(source.name.as_deref(), Some("Old"));
        assert_eq!(source.validators.etag.as_deref(), Some("\"v1\""));
        let kept = &source.headlines[0];
        assert_eq!(kept.headline.title, "Kept");
        assert!(kept.read);
        assert_eq!(kept.last_seen, at(1), "last_seen starts at first_seen");

        save(&mut store, vec![headline("b", 2)], at(5));
        let source = load_one(&store, URL);
        assert_eq!(ids(&source), ["b", "a"]);
        assert_eq!(source.headlines[0].last_seen, at(5));
        assert_eq!(
            store.prune(Duration::from_secs(3600), 10, at(6)).unwrap(),
            1
        );
        assert_eq!(ids(&load_one(&store, URL)), ["b"]);
    }

    #[test]
    fn a_version_2_file_is_upgraded_keeping_its_rows_and_health() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.execute(
                "INSERT INTO sources (url, name, status, next_attempt, last_error)
                 VALUES (?1, 'Old', 429, ?2, 'HTTP 429')",
                params![URL, millis(at(3))],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO headlines (source_url, id, title, link, published, dated, first_seen,
                                        summary, body_html, language, read, last_seen, in_feed)
                 VALUES (?1, 'a', 'Kept', NULL, ?2, 1, ?2, '', NULL, 'ar', 1, ?2, 1)",
                params![URL, millis(at(1))],
            )
            .unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
        }
        let mut store = open(&dir);
        assert_eq!(pragma(&store, "user_version"), SCHEMA_VERSION);
        let source = load_one(&store, URL);
        assert_eq!(source.unreadable, 0);
        assert_eq!(source.health.next_attempt, Some(at(3)));
        assert_eq!(source.health.not_before, None);
        let kept = &source.headlines[0].headline;
        assert_eq!(
            (kept.title.as_str(), kept.author.as_deref()),
            ("Kept", None)
        );
        assert!(kept.enclosures.is_empty());
        assert!(kept.titled, "older rows count as titled");
        assert!(source.headlines[0].read);

        let mut fetched = headline("a", 1);
        fetched.author = Some("Ada".into());
        save(&mut store, vec![fetched], at(5));
        let again = load_one(&store, URL);
        assert_eq!(again.headlines[0].headline.author.as_deref(), Some("Ada"));
        assert!(
            again.headlines[0].read,
            "the read mark survives the new fields"
        );
    }

    #[test]
    fn authors_and_enclosures_round_trip() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        let mut item = headline("a", 1);
        item.author = Some("نور الهدى".into());
        item.enclosures = vec![
            Enclosure {
                url: "https://example.org/ep1.mp3?a=1&b=\"2\"".into(),
                mime: Some("audio/mpeg".into()),
                length: Some(u64::MAX),
            },
            Enclosure {
                url: "https://example.org/cover.jpg".into(),
                mime: None,
                length: None,
            },
        ];
        save(&mut store, vec![item.clone(), headline("b", 2)], at(5));
        let source = load_one(&store, URL);
        let loaded = &source.headlines[1].headline;
        assert_eq!(loaded, &item);
        assert!(source.headlines[0].headline.enclosures.is_empty());
        let stored: Option<String> = store
            .conn
            .query_row(
                "SELECT enclosures FROM headlines WHERE id = 'b'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(stored, None, "no enclosures cost no JSON");
    }

    #[test]
    fn damaged_extras_cost_only_themselves() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        save(&mut store, vec![headline("a", 1), headline("b", 2)], at(5));
        store
            .conn
            .execute_batch(
                "UPDATE headlines SET enclosures = '[{\"href\": 1}]', author = x'ff' WHERE id = 'a';
                 UPDATE headlines SET enclosures = 'not json' WHERE id = 'b';
                 UPDATE sources SET not_before = 'later';",
            )
            .unwrap();
        let source = load_one(&store, URL);
        assert_eq!(ids(&source), ["b", "a"], "both rows still load");
        assert!(
            source
                .headlines
                .iter()
                .all(|h| h.headline.enclosures.is_empty())
        );
        assert_eq!(source.headlines[1].headline.author, None);
        assert_eq!(source.unreadable, 4);
    }

    #[test]
    fn a_file_from_a_newer_version_is_refused_untouched() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        match Store::open(&path) {
            Err(StoreError::TooNew { found, known, .. }) => {
                assert_eq!((found, known), (99, SCHEMA_VERSION));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "nothing set aside"
        );
        let message = Store::open(&path).unwrap_err().to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("newer"), "{message}");
    }

    #[test]
    fn an_unusable_location_is_an_error_naming_it() {
        let dir = TempDir::new().unwrap();
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, b"a file").unwrap();
        let error = Store::open(&blocker.join("akhbar.db")).unwrap_err();
        assert!(matches!(error, StoreError::CreateDir { .. }), "{error:?}");
        assert!(
            error.to_string().contains(&blocker.display().to_string()),
            "{error}"
        );

        // A directory where the file should be is not damage: it is reported, not moved.
        let occupied = dir.path().join("akhbar.db");
        std::fs::create_dir(&occupied).unwrap();
        let error = Store::open(&occupied).unwrap_err();
        assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
        assert!(
            error.to_string().contains(&occupied.display().to_string()),
            "{error}"
        );
        assert!(occupied.is_dir());
    }

    #[test]
    fn arabic_text_round_trips() {
        let dir = TempDir::new().unwrap();
        let url = "https://example.com/أخبار/feed?q=عاجل";
        let arabic = Headline {
            id: "خبر-١".to_string(),
            title: "عاجلٌ: «الأمم المتحدة» تعقد جلسة طارئة (٢٠٢٦)".to_string(),
            link: Some("https://example.com/ar/مقال".to_string()),
            published: at(1),
            dated: true,
            titled: true,
            summary: "بسم الله الرحمن الرحيم \u{200f}ـ تشكيلٌ وَحَرَكاتٌ".to_string(),
            body_html: Some("<p dir=\"rtl\">نصّ المقال</p>".to_string()),
            language: Some("ar".to_string()),
            author: None,
            enclosures: Vec::new(),
        };
        {
            let mut store = open(&dir);
            store
                .save_feed(
                    url,
                    Some("الجزيرة"),
                    &feed(vec![arabic.clone()]),
                    &Validators::default(),
                    at(1),
                )
                .unwrap();
            assert!(store.set_read(url, "خبر-١", true).unwrap());
        }
        let source = load_one(&open(&dir), url);
        assert_eq!(source.name.as_deref(), Some("الجزيرة"));
        assert_eq!(source.headlines[0].headline, arabic);
        assert!(source.headlines[0].read);
    }

    #[test]
    fn a_made_up_title_stays_made_up() {
        let dir = TempDir::new().unwrap();
        let untitled = Headline {
            title: "First sentence of the post.".to_string(),
            titled: false,
            ..headline("u", 1)
        };
        open(&dir)
            .save_feed(
                URL,
                None,
                &feed(vec![untitled.clone(), headline("t", 2)]),
                &Validators::default(),
                at(2),
            )
            .unwrap();
        let source = load_one(&open(&dir), URL);
        let titled: Vec<_> = source
            .headlines
            .iter()
            .map(|stored| (stored.headline.id.as_str(), stored.headline.titled))
            .collect();
        assert_eq!(titled, [("t", true), ("u", false)]);
    }

    #[test]
    fn a_second_connection_reads_while_the_first_writes() {
        let dir = TempDir::new().unwrap();
        let mut writer = open(&dir);
        writer
            .save_feed(
                URL,
                None,
                &feed(vec![headline("a", 1)]),
                &Validators::default(),
                at(1),
            )
            .unwrap();

        // An uncommitted write holds the write lock; the reader still gets the committed state.
        let pending = writer
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        pending
            .execute("UPDATE headlines SET title = 'Uncommitted'", [])
            .unwrap();
        let reader = open(&dir);
        let started = std::time::Instant::now();
        let seen = load_one(&reader, URL);
        assert!(started.elapsed() < BUSY_TIMEOUT / 2, "the reader waited");
        assert_eq!(seen.headlines[0].headline.title, "Title a");
        pending.commit().unwrap();
        assert_eq!(
            load_one(&reader, URL).headlines[0].headline.title,
            "Uncommitted"
        );
    }

    #[test]
    fn two_instances_write_and_read_at_once() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        let mut first = open(&dir);
        let mut second = open(&dir);
        let writer = std::thread::spawn(move || {
            for round in 0..50 {
                let items: Vec<Headline> = (0..20)
                    .map(|n| headline(&format!("{round}-{n}"), round))
                    .collect();
                first
                    .save_feed(URL, None, &feed(items), &Validators::default(), at(round))
                    .unwrap();
            }
        });
        let mut seen = 0;
        for round in 0..50 {
            let count = load_one(&second, URL).headlines.len();
            assert!(
                count >= seen && count.is_multiple_of(20),
                "{count} after {seen}"
            );
            seen = count;
            second.set_read(URL, &format!("{round}-0"), true).unwrap();
        }
        writer.join().unwrap();
        assert_eq!(load_one(&second, URL).headlines.len(), 1000);
        drop(second);
        let reopened = Store::open(&path).unwrap().store;
        assert_eq!(load_one(&reopened, URL).headlines.len(), 1000);
    }

    /// A read-write opening that fails the way a read-only folder makes it fail.
    fn refused(path: &Path) -> Result<Store, OpenFailure> {
        let source = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            Some("attempt to write a readonly database".to_owned()),
        );
        Err(OpenFailure::Fatal(StoreError::Open {
            path: path.to_path_buf(),
            source,
        }))
    }

    #[test]
    fn a_store_that_cannot_be_written_is_read_all_the_same() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        {
            let mut store = open(&dir);
            save(&mut store, vec![headline("a", 2), headline("b", 1)], at(3));
            store.set_read(URL, "b", true).unwrap();
        }
        assert!(!dir.path().join("akhbar.db-wal").exists(), "closed cleanly");
        let before = std::fs::read(&path).unwrap();

        let opened = Store::open_with(&path, refused).unwrap();
        let reason = opened.read_only.expect("read-only");
        assert!(reason.contains("readonly"), "{reason}");
        let mut store = opened.store;
        let source = load_one(&store, URL);
        assert_eq!(ids(&source), ["a", "b"]);
        assert!(source.headlines[1].read);
        let error = store.set_read(URL, "a", true).unwrap_err();
        assert!(error.is_not_writable(), "{error}");
        drop(store);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the file is untouched"
        );
        assert!(!load_one(&open(&dir), URL).headlines[0].read);
    }

    #[test]
    fn without_a_file_to_read_the_write_error_stands() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("akhbar.db");
        let error = Store::open_with(&path, refused).unwrap_err();
        assert!(error.is_not_writable(), "{error}");
        assert!(!path.exists());
    }

    #[test]
    fn a_read_only_store_of_every_older_schema_is_read_as_it_is() {
        for version in 1..SCHEMA_VERSION {
            let dir = TempDir::new().unwrap();
            let path = dir.path().join("akhbar.db");
            {
                let conn = Connection::open(&path).unwrap();
                conn.execute_batch(MIGRATIONS[0]).unwrap();
                conn.execute(
                    "INSERT INTO sources (url, name, status) VALUES (?1, 'Old', 200)",
                    [URL],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO headlines (source_url, id, title, link, published, dated,
                                            first_seen, summary, body_html, language, read)
                     VALUES (?1, 'a', 'Kept', NULL, ?2, 1, ?2, 's', NULL, 'ar', 1)",
                    params![URL, millis(at(1))],
                )
                .unwrap();
                // The rows were written at version 1 and upgraded since, as a user's are.
                for step in &MIGRATIONS[1..version as usize] {
                    conn.execute_batch(step).unwrap();
                }
                conn.pragma_update(None, "user_version", version).unwrap();
            }
            let opened = Store::open_with(&path, refused).unwrap();
            assert!(
                opened.read_only.is_some(),
                "version {version}: read, read-only: {opened:?}"
            );
            let store = Store::open_read_only(&path).unwrap();
            let source = load_one(&store, URL);
            assert_eq!(source.name.as_deref(), Some("Old"), "version {version}");
            assert_eq!(source.unreadable, 0, "version {version}");
            let [kept] = source.headlines.as_slice() else {
                panic!("version {version}: {:?}", source.headlines);
            };
            assert_eq!(kept.headline.title, "Kept");
            assert!(kept.headline.titled && kept.read && kept.in_feed);
            assert_eq!(kept.last_seen, at(1), "version {version}");
            assert_eq!(
                store.load_article(URL, "a").unwrap(),
                None,
                "version {version}"
            );
            drop(store);
            let conn = Connection::open(&path).unwrap();
            assert_eq!(
                user_version(&conn).unwrap(),
                version,
                "the file is untouched"
            );
        }
    }

    #[test]
    fn a_damaged_value_costs_its_row_and_the_rest_loads() {
        let dir = TempDir::new().unwrap();
        let mut store = open(&dir);
        let items = ["a", "huge", "word", "negative", "b"]
            .iter()
            .zip(1..)
            .map(|(id, hour)| headline(id, hour))
            .collect();
        save(&mut store, items, at(10));
        store
            .save_health(
                URL,
                &Health {
                    last_error: Some("HTTP 500".into()),
                    status: Some(500),
                    ..Health::default()
                },
            )
            .unwrap();
        store
            .conn
            .execute_batch(&format!(
                "UPDATE headlines SET published = {} WHERE id = 'huge';
                 UPDATE headlines SET published = 'yesterday' WHERE id = 'word';
                 UPDATE headlines SET last_seen = -{} WHERE id = 'negative';
                 UPDATE sources SET status = -1, last_success = 'soon';",
                1_i64 << 62,
                1_i64 << 62
            ))
            .unwrap();
        let source = load_one(&store, URL);
        assert_eq!(ids(&source), ["b", "a"]);
        assert_eq!(source.unreadable, 5, "three rows and two fields");
        assert_eq!(source.health.status, None);
        assert_eq!(source.health.last_success, None);
        assert_eq!(source.health.last_error.as_deref(), Some("HTTP 500"));
    }
}
