//! The `akhbar import` command: the feeds of an OPML file appended to the config file as
//! `[[feed]]` tables, with the file's comments and layout kept as they were.
//!
//! The edit is made on a `toml_edit` document, checked with [`config::parse`] like any config
//! file, and only then written, atomically, so a failed import leaves the old file untouched.

use crate::config::{self, ConfigError};
use crate::opml::{self, OpmlError, OpmlFeed, Rejected};
use crate::read_limit;
use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// The start of a config file that `import` creates.
const NEW_FILE_HEADER: &str = "# akhbar configuration. `akhbar --print-default-config` shows \
                               every setting with its default.\n";

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub config_path: PathBuf,
    /// Feeds appended, in the OPML file's order.
    pub added: Vec<OpmlFeed>,
    /// Feeds skipped because their URL was configured already (or listed twice).
    pub already_there: usize,
    /// Feed outlines whose URL akhbar cannot read.
    pub rejected: Vec<Rejected>,
}

impl fmt::Display for Report {
    /// `added 12 feeds to <path> (3 already there)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.added.len();
        let feeds = if count == 1 { "feed" } else { "feeds" };
        write!(f, "added {count} {feeds} to {}", self.config_path.display())?;
        match (self.already_there, self.rejected.len()) {
            (0, 0) => Ok(()),
            (already, 0) => write!(f, " ({already} already there)"),
            (0, skipped) => write!(f, " ({skipped} skipped)"),
            (already, skipped) => write!(f, " ({already} already there, {skipped} skipped)"),
        }
    }
}

/// One line about a feed outline that was not imported.
pub fn describe_rejected(rejected: &Rejected) -> String {
    match &rejected.name {
        // Not `{name:?}`, which would escape Arabic combining marks.
        Some(name) => format!("skipped \"{name}\" ({}): {}", rejected.url, rejected.reason),
        None => format!("skipped {}: {}", rejected.url, rejected.reason),
    }
}

/// Why an import failed; the config file is then as it was.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    // The causes are fields rather than sources: the message already includes them, and
    // `{:#}` would print them twice.
    #[error("{path}: {error}")]
    Read { path: PathBuf, error: io::Error },
    #[error("{path}: {error}")]
    Opml { path: PathBuf, error: OpmlError },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{path}: cannot add feeds: {message}")]
    Edit { path: PathBuf, message: String },
    #[error("{path}: cannot write: {error}")]
    Write { path: PathBuf, error: io::Error },
}

/// Adds the feeds of the OPML file at `opml_path` to the config file at `config_path`,
/// creating the file (and its folder) when it does not exist yet.
pub fn import(opml_path: &Path, config_path: &Path) -> Result<Report, ImportError> {
    let bytes =
        read_limit::read(opml_path, read_limit::OPML_LIMIT, "an OPML file").map_err(|error| {
            ImportError::Read {
                path: opml_path.to_owned(),
                error,
            }
        })?;
    let opml = opml::parse(&bytes).map_err(|error| ImportError::Opml {
        path: opml_path.to_owned(),
        error,
    })?;
    let mut report = add_feeds(config_path, &opml.feeds, &Table::new())?;
    report.rejected = opml.rejected;
    Ok(report)
}

/// Adds `feeds` (those not configured yet) to the config file at `config_path`, creating
/// the file (and its folder) when it does not exist yet; each new `[[feed]]` also gets the
/// settings in `extra` (`user_agent`, `headers` …).
pub fn add_feeds(
    config_path: &Path,
    feeds: &[OpmlFeed],
    extra: &Table,
) -> Result<Report, ImportError> {
    let existing = match config::read_text(config_path) {
        Ok(text) => Some(text),
        Err(ConfigError::Read { error, .. }) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err(error.into()),
    };
    let appended = append_feeds(
        existing.as_deref().unwrap_or(NEW_FILE_HEADER),
        config_path,
        feeds,
        extra,
    )?;
    if !appended.added.is_empty() {
        write_atomically(config_path, &appended.text).map_err(|error| ImportError::Write {
            path: config_path.to_owned(),
            error,
        })?;
    }
    Ok(Report {
        config_path: config_path.to_owned(),
        added: appended.added,
        already_there: appended.already_there,
        rejected: Vec::new(),
    })
}

/// Config text with feeds appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The whole new file; the old text unchanged when nothing was added.
    pub text: String,
    pub added: Vec<OpmlFeed>,
    pub already_there: usize,
}

/// Appends to config `text` a `[[feed]]` (`url`, `name`, then the settings in `extra`) for
/// each of `feeds` whose URL is not configured yet. The existing text is kept byte for byte
/// in front of the new tables; `path` only labels errors.
pub fn append_feeds(
    text: &str,
    path: &Path,
    feeds: &[OpmlFeed],
    extra: &Table,
) -> Result<Appended, ImportError> {
    // A broken config is reported as such, rather than made worse.
    let before = config::parse(text, path)?;
    let mut known: HashSet<&str> = before.feeds.iter().map(|f| f.url.trim()).collect();
    let mut added = Vec::new();
    let mut already_there = 0;
    for feed in feeds {
        if known.insert(feed.url.trim()) {
            added.push(feed.clone());
        } else {
            already_there += 1;
        }
    }
    if added.is_empty() {
        return Ok(Appended {
            text: text.to_owned(),
            added,
            already_there,
        });
    }

    let edit_error = |message: String| ImportError::Edit {
        path: path.to_owned(),
        message,
    };
    let mut document: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        edit_error(e.message().lines().next().unwrap_or_default().to_owned())
    })?;
    if document.get("feed").is_none() {
        document.insert("feed", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    // Comments after the last table belong to the document's tail, which toml_edit writes
    // after every table; moving them in front of the new tables keeps the old text in front.
    let mut tail = document.trailing().as_str().unwrap_or_default().to_owned();
    match document.get_mut("feed") {
        Some(Item::ArrayOfTables(tables)) => {
            if !tail.is_empty() && !tail.ends_with('\n') {
                tail.push('\n');
            }
            for (index, feed) in added.iter().enumerate() {
                let mut table = Table::new();
                table.insert("url", toml_edit::value(feed.url.as_str()));
                if let Some(name) = &feed.name {
                    table.insert("name", toml_edit::value(name.as_str()));
                }
                for (key, item) in extra {
                    table.insert(key, item.clone());
                }
                let prefix = if index == 0 {
                    separator_after(text, &tail)
                } else {
                    "\n".to_owned()
                };
                table.decor_mut().set_prefix(prefix);
                tables.push(table);
            }
            document.set_trailing("");
        }
        // `feed = [{ url = "…" }, …]` is valid too; it grows in its own style.
        Some(Item::Value(Value::Array(array))) => {
            for feed in &added {
                let mut table = InlineTable::new();
                table.insert("url", feed.url.as_str().into());
                if let Some(name) = &feed.name {
                    table.insert("name", name.as_str().into());
                }
                for (key, item) in extra {
                    if let Some(value) = item.as_value() {
                        table.insert(key, value.clone());
                    }
                }
                array.push(table);
            }
        }
        _ => {
            return Err(edit_error(
                "`feed` is not a list of [[feed]] tables".to_owned(),
            ));
        }
    }
    let new_text = document.to_string();

    let after = config::parse(&new_text, path)?;
    if after.feeds.len() != before.feeds.len() + added.len() {
        return Err(edit_error(
            "the edited file does not list the new feeds".to_owned(),
        ));
    }
    Ok(Appended {
        text: new_text,
        added,
        already_there,
    })
}

/// What goes between the old text and the first new table: the old tail, then a blank line
/// unless the file was empty.
fn separator_after(old_text: &str, tail: &str) -> String {
    if old_text.trim().is_empty() {
        String::new()
    } else {
        format!("{tail}\n")
    }
}

/// Replaces the file at `path` (or the file a symlink there points at) with `text` in one
/// step: written to a temporary file beside it, then renamed over it.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_owned(),
    };
    let dir = target
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        if let Ok(meta) = std::fs::metadata(&target) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    })();
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(url: &str, name: Option<&str>) -> OpmlFeed {
        OpmlFeed::new(url, name)
    }

    fn append(text: &str, feeds: &[OpmlFeed]) -> Appended {
        append_feeds(text, Path::new("config.toml"), feeds, &Table::new()).unwrap()
    }

    const COMMENTED: &str = r#"# My akhbar config
refresh = "5m"   # a bit faster

# Arabic first
[[feed]]
url = "https://feeds.bbci.co.uk/arabic/rss.xml"
name = "BBC عربي"
direction = "rtl"  # always

# more to come
"#;

    #[test]
    fn appends_after_the_old_text_which_is_kept_byte_for_byte() {
        let appended = append(
            COMMENTED,
            &[
                feed("https://www.aljazeera.net/rss", Some("الجزيرة")),
                feed("https://hnrss.org/frontpage", None),
            ],
        );
        assert_eq!(
            appended.text,
            format!(
                "{COMMENTED}\n[[feed]]\nurl = \"https://www.aljazeera.net/rss\"\nname = \"الجزيرة\"\n\
                 \n[[feed]]\nurl = \"https://hnrss.org/frontpage\"\n"
            )
        );
        assert_eq!(appended.added.len(), 2);
        assert_eq!(appended.already_there, 0);
    }

    #[test]
    fn configured_urls_and_repeats_are_skipped() {
        let appended = append(
            COMMENTED,
            &[
                feed(
                    "https://feeds.bbci.co.uk/arabic/rss.xml",
                    Some("Other name"),
                ),
                feed("https://a.example/rss", Some("A")),
                feed("https://a.example/rss", Some("A again")),
            ],
        );
        assert_eq!(
            appended.added,
            vec![feed("https://a.example/rss", Some("A"))]
        );
        assert_eq!(appended.already_there, 2);

        let again = append(&appended.text, &[feed("https://a.example/rss", Some("A"))]);
        assert_eq!(again.text, appended.text);
        assert!(again.added.is_empty());
        assert_eq!(again.already_there, 1);
    }

    #[test]
    fn a_new_or_empty_file_gets_tables_only() {
        let appended = append(NEW_FILE_HEADER, &[feed("https://a.example/rss", Some("A"))]);
        assert_eq!(
            appended.text,
            format!("{NEW_FILE_HEADER}\n[[feed]]\nurl = \"https://a.example/rss\"\nname = \"A\"\n")
        );
        let appended = append("", &[feed("https://a.example/rss", None)]);
        assert_eq!(appended.text, "[[feed]]\nurl = \"https://a.example/rss\"\n");
    }

    #[test]
    fn settings_without_feeds_or_a_final_newline() {
        let appended = append("refresh = \"5m\"", &[feed("https://a.example/rss", None)]);
        assert_eq!(
            appended.text,
            "refresh = \"5m\"\n\n[[feed]]\nurl = \"https://a.example/rss\"\n"
        );
        let appended = append(
            "refresh = \"5m\"\n# the end",
            &[feed("https://a.example/rss", None)],
        );
        assert_eq!(
            appended.text,
            "refresh = \"5m\"\n# the end\n\n[[feed]]\nurl = \"https://a.example/rss\"\n"
        );
    }

    #[test]
    fn names_and_urls_needing_escapes_stay_valid_toml() {
        let tricky = feed(
            "https://example.org/rss?a=\"1\"&b=\\2",
            Some("Quotes \" ' and \\ backslash"),
        );
        let appended = append("", std::slice::from_ref(&tricky));
        let config = config::parse(&appended.text, Path::new("c.toml")).unwrap();
        assert_eq!(config.feeds[0].url, tricky.url);
        assert_eq!(config.feeds[0].name, tricky.name);
    }

    #[test]
    fn an_inline_feed_array_grows_in_its_own_style() {
        let appended = append(
            "feed = [{ url = \"https://a.example/rss\" }]\n",
            &[feed("https://b.example/rss", Some("B"))],
        );
        let config = config::parse(&appended.text, Path::new("c.toml")).unwrap();
        assert_eq!(config.feeds.len(), 2);
        assert_eq!(config.feeds[1].name.as_deref(), Some("B"));
        assert!(
            appended
                .text
                .starts_with("feed = [{ url = \"https://a.example/rss\" }")
        );
    }

    #[test]
    fn a_broken_config_is_left_alone() {
        let error = append_feeds(
            "refresh = \"5m\"\ncolour = \"red\"\n",
            Path::new("config.toml"),
            &[feed("https://a.example/rss", None)],
            &Table::new(),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("config.toml:2: unknown key `colour`"),
            "{error}"
        );
    }

    #[test]
    fn summary_line() {
        let report = |added: usize, already_there: usize, rejected: usize| Report {
            config_path: PathBuf::from("c.toml"),
            added: vec![feed("https://a.example/", None); added],
            already_there,
            rejected: vec![
                Rejected {
                    url: "gopher://x".into(),
                    name: None,
                    reason: "not an http, https or file URL",
                };
                rejected
            ],
        };
        assert_eq!(
            report(12, 3, 0).to_string(),
            "added 12 feeds to c.toml (3 already there)"
        );
        assert_eq!(report(1, 0, 0).to_string(), "added 1 feed to c.toml");
        assert_eq!(
            report(0, 0, 2).to_string(),
            "added 0 feeds to c.toml (2 skipped)"
        );
        assert_eq!(
            report(2, 1, 1).to_string(),
            "added 2 feeds to c.toml (1 already there, 1 skipped)"
        );
    }

    #[test]
    fn rejected_feeds_are_described_without_escaping_arabic() {
        let rejected = Rejected {
            url: "ftp://old.example/feed".into(),
            name: Some("خبرٌ عاجل".into()),
            reason: "not an http, https or file URL",
        };
        assert_eq!(
            describe_rejected(&rejected),
            "skipped \"خبرٌ عاجل\" (ftp://old.example/feed): not an http, https or file URL"
        );
    }

    #[test]
    fn import_creates_the_file_and_its_folder_and_writes_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let opml_path = dir.path().join("feeds.opml");
        std::fs::write(
            &opml_path,
            "<opml version=\"2.0\"><body><outline text=\"A\" xmlUrl=\"https://a.example/rss\"/>\
             <outline text=\"G\" xmlUrl=\"gopher://g.example/\"/></body></opml>",
        )
        .unwrap();
        let config_path = dir.path().join("new").join("akhbar").join("config.toml");
        let report = import(&opml_path, &config_path).unwrap();
        assert_eq!(report.added, vec![feed("https://a.example/rss", Some("A"))]);
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(
            describe_rejected(&report.rejected[0]),
            "skipped \"G\" (gopher://g.example/): not an http, https or file URL"
        );
        let config = config::load(&config_path).unwrap();
        assert_eq!(config.feeds.len(), 1);
        let leftovers: Vec<_> = std::fs::read_dir(config_path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["config.toml"]);

        // Nothing new: the file is not rewritten.
        let before = std::fs::metadata(&config_path).unwrap().modified().unwrap();
        let report = import(&opml_path, &config_path).unwrap();
        assert!(report.added.is_empty());
        assert_eq!(report.already_there, 1);
        assert_eq!(
            std::fs::metadata(&config_path).unwrap().modified().unwrap(),
            before
        );
    }

    #[test]
    fn import_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let opml_path = dir.path().join("broken.opml");
        std::fs::write(
            &opml_path,
            "<opml><body><outline xmlUrl=\"https://a.example/",
        )
        .unwrap();
        let config_path = dir.path().join("config.toml");
        let error = import(&opml_path, &config_path).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!(
                "{}: line 1: not well-formed XML",
                opml_path.display()
            )),
            "{error}"
        );
        assert!(!config_path.exists());
        let missing = dir.path().join("missing.opml");
        let error = import(&missing, &config_path).unwrap_err().to_string();
        assert!(error.starts_with(&missing.display().to_string()), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_config_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles-config.toml");
        std::fs::write(&real, "# mine\n").unwrap();
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let opml_path = dir.path().join("feeds.opml");
        std::fs::write(
            &opml_path,
            "<opml><body><outline xmlUrl=\"https://a.example/rss\"/></body></opml>",
        )
        .unwrap();
        import(&opml_path, &link).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(&real)
                .unwrap()
                .contains("https://a.example/rss")
        );
    }
}
