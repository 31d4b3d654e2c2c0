//! `akhbar add` end to end: the real binary finding feeds on a loopback server and writing
//! them into a config file.

mod common;

use common::{Reply, TestServer, akhbar_at_home};

const FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>أخبار الموقع</title>
<item><title>خبر</title><link>https://example.org/1</link></item></channel></rss>"#;

const ATOM: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Site (Atom)</title>
<entry><title>x</title><id>1</id></entry></feed>"#;

fn page(head: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Home</title>{head}</head><body><h1>أحدث الأخبار</h1></body></html>"
    )
}

fn config(home: &std::path::Path) -> String {
    std::fs::read_to_string(home.join("config/akhbar/config.toml")).unwrap_or_default()
}

#[test]
fn a_page_gives_the_feeds_it_links_to_the_first_or_the_one_picked() {
    let server = TestServer::start();
    server.route(
        "/ar/",
        Reply::feed(
            "text/html; charset=utf-8",
            page(
                r#"<link rel="alternate" type="application/rss+xml" title="عربي" href="/ar/rss.xml">
                   <link rel="alternate" type="application/atom+xml" href="atom.xml">"#,
            ),
        ),
    );
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["add", &server.url("/ar/")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("found 2 feeds linked from the page"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("1. {} (عربي)", server.url("/ar/rss.xml"))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("2. {}", server.url("/ar/atom.xml"))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("added {}", server.url("/ar/rss.xml"))),
        "{stderr}"
    );
    let written = config(home.path());
    assert!(
        written.contains(&format!(
            "[[feed]]\nurl = \"{}\"\n",
            server.url("/ar/rss.xml")
        )),
        "{written}"
    );

    let (code, _, stderr) = akhbar_at_home(
        home.path(),
        &["add", &server.url("/ar/"), "--pick", "2", "--name", "Site"],
    );
    assert_eq!(code, 0, "{stderr}");
    let written = config(home.path());
    assert!(
        written.contains(&format!(
            "url = \"{}\"\nname = \"Site\"",
            server.url("/ar/atom.xml")
        )),
        "{written}"
    );
    // The config still reads, with both feeds.
    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["export"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.matches("<outline").count(), 2, "{stdout}");

    let (code, _, stderr) =
        akhbar_at_home(home.path(), &["add", &server.url("/ar/"), "--pick", "3"]);
    assert_ne!(code, 0);
    assert!(
        stderr.contains("--pick 3: only 2 feeds were found"),
        "{stderr}"
    );
}

#[test]
fn a_page_without_links_gives_the_feed_at_a_usual_path() {
    let server = TestServer::start();
    server.route("/", Reply::feed("text/html", page("")));
    server.route("/section/news.html", Reply::feed("text/html", page("")));
    // A catch-all that answers every path with HTML is not a feed.
    server.route("/rss", Reply::feed("text/html", page("")));
    server.route("/feed", Reply::feed("application/rss+xml", FEED));
    server.route("/atom.xml", Reply::feed("application/atom+xml", ATOM));
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) =
        akhbar_at_home(home.path(), &["add", &server.url("/section/news.html")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("found 2 feeds at the site's usual feed paths"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("1. {} (أخبار الموقع)", server.url("/feed"))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("2. {} (Site (Atom))", server.url("/atom.xml"))),
        "{stderr}"
    );
    assert!(config(home.path()).contains(&server.url("/feed")));
}

#[test]
fn a_page_with_no_feed_at_all_says_what_to_do_and_changes_nothing() {
    let server = TestServer::start();
    server.route("/", Reply::feed("text/html", page("")));
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["add", &server.url("/")]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("no feed found"), "{stderr}");
    assert!(stderr.contains("/feed, /rss, /rss.xml"), "{stderr}");
    assert!(stderr.contains("[feed.html]"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!home.path().join("config/akhbar/config.toml").exists());
}

#[test]
fn a_feed_url_is_added_as_it_is_once() {
    let server = TestServer::start();
    server.route("/rss.xml", Reply::feed("application/rss+xml", FEED));
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/rss.xml");
    let (code, _, stderr) = akhbar_at_home(home.path(), &["add", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "akhbar: added {url} to {}",
            home.path().join("config/akhbar/config.toml").display()
        )
    );
    let (code, _, stderr) = akhbar_at_home(home.path(), &["add", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("is already in"), "{stderr}");
    assert_eq!(config(home.path()).matches("[[feed]]").count(), 1);
}

#[test]
fn a_dead_server_or_a_bad_url_is_one_clear_line() {
    let server = TestServer::start();
    server.route("/gone", Reply::status(404));
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = akhbar_at_home(home.path(), &["add", &server.url("/gone")]);
    assert_eq!(code, 1);
    assert!(stderr.contains("404"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let (code, _, stderr) = akhbar_at_home(home.path(), &["add", "gopher://x\u{1b}[2J/"]);
    assert_ne!(code, 0);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}
