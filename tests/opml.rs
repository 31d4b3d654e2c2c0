//! `akhbar import`, `akhbar export` and `akhbar --print-default-config` end to end: the real
//! binary, temporary config files and the OPML fixtures.

mod common;

use akhbar::config::{self, Config};
use akhbar::opml::{self, OpmlFeed};
use common::{akhbar, akhbar_at_home};
use std::path::Path;

const SUBSCRIPTIONS: &str = "tests/fixtures/opml/subscriptions.opml";
const SLOPPY: &str = "tests/fixtures/opml/sloppy.opml";
const BROKEN: &str = "tests/fixtures/opml/broken.opml";

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

fn feed(url: &str, name: Option<&str>) -> OpmlFeed {
    OpmlFeed {
        url: url.into(),
        name: name.map(Into::into),
    }
}

/// The feeds of the subscriptions fixture, as `import` should read them.
fn subscriptions() -> Vec<OpmlFeed> {
    vec![
        feed(
            "https://feeds.bbci.co.uk/arabic/rss.xml",
            Some("بي بي سي عربي"),
        ),
        feed(
            "https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9",
            Some("الجزيرة"),
        ),
        feed(
            "https://example.org/akhbar-demo/ar/rss.xml",
            Some("الإمارات ٧١"),
        ),
        feed("https://www.france24.com/ar/rss", Some("فرانس 24")),
        feed(
            "https://feeds.bbci.co.uk/news/world/rss.xml",
            Some("BBC News – World"),
        ),
        feed(
            "https://example.org/feed?format=rss&lang=en",
            Some("Science & Tech"),
        ),
    ]
}

const COMMENTED_CONFIG: &str = r#"# My feeds — hand-written, please keep my notes.
refresh = "5m"    # faster than the default
bidi = "app"

# Arabic sources first.
[[feed]]
url = "https://feeds.bbci.co.uk/arabic/rss.xml"
name = "BBC عربي"   # my own name for it
direction = "rtl"

# Local test feed.
[[feed]]
url = "feeds/local.xml"

# (end of my list)
"#;

#[test]
fn import_keeps_comments_and_layout_and_importing_again_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, COMMENTED_CONFIG).unwrap();

    let (code, stdout, stderr) =
        akhbar(&["import", SUBSCRIPTIONS, "--config", path_str(&config_path)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "akhbar: added 5 feeds to {} (1 already there)\n",
            config_path.display()
        )
    );
    let text = std::fs::read_to_string(&config_path).unwrap();
    assert!(
        text.starts_with(COMMENTED_CONFIG),
        "old text not kept:\n{text}"
    );
    let appended = &text[COMMENTED_CONFIG.len()..];
    assert!(
        appended.starts_with("\n[[feed]]\nurl = \"https://www.aljazeera.net/"),
        "{appended}"
    );

    let config = config::load(&config_path).unwrap();
    assert_eq!(config.refresh, std::time::Duration::from_secs(300));
    assert_eq!(config.feeds.len(), 7);
    // The configured feed keeps its own name and direction.
    assert_eq!(config.feeds[0].name.as_deref(), Some("BBC عربي"));
    let added: Vec<OpmlFeed> = config.feeds[2..]
        .iter()
        .map(|f| feed(&f.url, f.name.as_deref()))
        .collect();
    assert_eq!(added, subscriptions()[1..]);

    let (code, _, stderr) = akhbar(&["--config", path_str(&config_path), "import", SUBSCRIPTIONS]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "akhbar: added 0 feeds to {} (6 already there)\n",
            config_path.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&config_path).unwrap(), text);
}

#[test]
fn opml_round_trip_keeps_arabic_names_and_urls() {
    let dir = tempfile::tempdir().unwrap();
    // Neither the file nor its folder exists yet.
    let config_path = dir.path().join("nested").join("akhbar.toml");
    let (code, _, stderr) = akhbar(&["import", SUBSCRIPTIONS, "--config", path_str(&config_path)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("added 6 feeds"), "{stderr}");

    let (code, stdout, stderr) = akhbar(&["export", "--config", path_str(&config_path)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"),
        "{stdout}"
    );
    assert!(stdout.contains("<title>akhbar feeds</title>"), "{stdout}");
    assert!(stdout.contains("<dateCreated>"), "{stdout}");
    assert!(
        stdout.contains(
            "<outline type=\"rss\" text=\"بي بي سي عربي\" title=\"بي بي سي عربي\" \
             xmlUrl=\"https://feeds.bbci.co.uk/arabic/rss.xml\"/>"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Science &amp; Tech"), "{stdout}");
    assert_eq!(
        opml::parse(stdout.as_bytes()).unwrap().feeds,
        subscriptions()
    );

    // And back in: an exported list adds nothing to the config it came from.
    let exported = dir.path().join("exported.opml");
    std::fs::write(&exported, &stdout).unwrap();
    let (code, _, stderr) = akhbar(&[
        "import",
        path_str(&exported),
        "--config",
        path_str(&config_path),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("added 0 feeds") && stderr.contains("(6 already there)"),
        "{stderr}"
    );
}

#[test]
fn import_and_export_use_the_default_config_path() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = akhbar_at_home(home.path(), &["import", SUBSCRIPTIONS]);
    assert_eq!(code, 0, "{stderr}");
    let default = home
        .path()
        .join("config")
        .join("akhbar")
        .join("config.toml");
    assert!(
        stderr.contains(&format!("added 6 feeds to {}", default.display())),
        "{stderr}"
    );
    assert_eq!(config::load(&default).unwrap().feeds.len(), 6);

    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["export"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        opml::parse(stdout.as_bytes()).unwrap().feeds,
        subscriptions()
    );
}

#[test]
fn sloppy_opml_is_read_and_unsupported_feeds_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    let (code, _, stderr) = akhbar(&["import", SLOPPY, "--config", path_str(&config_path)]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "akhbar: skipped \"Gopher \u{a0}hole\" (gopher://gopher.example/1/news): not an http, https or file URL",
            &format!(
                "akhbar: added 3 feeds to {} (1 skipped)",
                config_path.display()
            ),
        ]
    );
    let config = config::load(&config_path).unwrap();
    let feeds: Vec<(&str, Option<&str>)> = config
        .feeds
        .iter()
        .map(|f| (f.url.as_str(), f.name.as_deref()))
        .collect();
    assert_eq!(
        feeds,
        [
            ("https://hnrss.org/frontpage", Some("Hacker News")),
            ("https://feeds.npr.org/1001/rss.xml", Some("NPR")),
            ("https://example.org/rss?a=1&b=2", Some("Tom & Jerry's …")),
        ]
    );
}

#[test]
fn malformed_opml_is_a_one_line_error_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, COMMENTED_CONFIG).unwrap();
    let not_opml = dir.path().join("feed.xml");
    std::fs::copy("assets/demo/english.xml", &not_opml).unwrap();
    let missing = dir.path().join("missing.opml");

    for (file, expected) in [
        (
            BROKEN.to_owned(),
            format!("akhbar: {BROKEN}: line 6: not well-formed XML: "),
        ),
        (
            path_str(&not_opml).to_owned(),
            format!(
                "akhbar: {}: not an OPML file (it has no <opml> element)",
                not_opml.display()
            ),
        ),
        (
            path_str(&missing).to_owned(),
            format!("akhbar: {}: ", missing.display()),
        ),
    ] {
        let (code, stdout, stderr) = akhbar(&["import", &file, "--config", path_str(&config_path)]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stdout.is_empty());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with(&expected), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        // The cause is said once, not repeated as a chain.
        let cause = stderr.rsplit(": ").next().unwrap_or_default();
        assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(&config_path).unwrap(),
        COMMENTED_CONFIG
    );
}

#[test]
fn import_refuses_to_touch_a_broken_config() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    let broken = "refresh = \"10m\"\ncolour = \"red\"\n";
    std::fs::write(&config_path, broken).unwrap();
    let (code, _, stderr) = akhbar(&["import", SUBSCRIPTIONS, "--config", path_str(&config_path)]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!(
            "akhbar: {}:2: unknown key `colour`",
            config_path.display()
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&config_path).unwrap(), broken);
}

#[test]
fn export_without_feeds_is_an_empty_valid_opml() {
    let (code, stdout, stderr) = akhbar(&["export"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("no feeds configured"), "{stderr}");
    assert!(stdout.contains("<body/>"), "{stdout}");
    assert!(opml::parse(stdout.as_bytes()).unwrap().feeds.is_empty());
}

#[test]
fn print_default_config_is_a_config_of_the_defaults() {
    let (code, stdout, stderr) = akhbar(&["--print-default-config"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(
        config::parse(&stdout, Path::new("default.toml")).unwrap(),
        Config::default()
    );

    // The binary itself accepts it.
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("config.toml");
    std::fs::write(&config_path, &stdout).unwrap();
    let (code, printed, stderr) = akhbar(&[
        "print",
        "--config",
        path_str(&config_path),
        "--feed",
        "assets/demo/english.xml",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(printed.lines().count(), 8, "{printed}");
}
