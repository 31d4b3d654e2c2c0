//! `akhbar print --format json --full`: stories' pages fetched over a loopback server, their
//! articles extracted, kept in the store and shown offline.

mod common;

use common::{Reply, TestServer, akhbar_at_home, write_config};
use serde_json::Value;

const SEED_PAGE: &[u8] = include_bytes!("fixtures/articles/pages/ar-seed-page.html");
const WINDOWS_1256_PAGE: &[u8] = include_bytes!("fixtures/articles/pages/ar-windows-1256.html");
const ENGLISH_PAGE: &[u8] = include_bytes!("fixtures/articles/pages/en-news.html");

/// An RSS feed of `(title, link, description)` items.
fn feed(items: &[(&str, String, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(title, link, description)| {
            format!(
                "<item><title>{title}</title><link>{link}</link><guid>{link}</guid>\
                 <description>{description}</description>\
                 <pubDate>Sun, 22 Oct 2023 08:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title>{items}</channel></rss>"
    )
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn by_title<'a>(lines: &'a [Value], title: &str) -> &'a Value {
    lines
        .iter()
        .find(|line| line["title"] == title)
        .unwrap_or_else(|| panic!("no {title} in {lines:?}"))
}

fn page_requests(server: &TestServer) -> usize {
    server
        .seen()
        .iter()
        .filter(|seen| seen.path.starts_with("/story"))
        .count()
}

#[test]
fn a_summary_only_feed_gets_its_stories_full_text_kept_for_offline() {
    let server = TestServer::start();
    let long = "word ".repeat(80);
    server.route(
        "/feed.xml",
        Reply::feed(
            "application/rss+xml",
            feed(&[
                ("Qatar", server.url("/story/ar"), "قطر تؤكد مواصلة التنسيق"),
                ("Storms", server.url("/story/en"), "Shipping lanes reopen."),
                ("Long", server.url("/story/long"), &long),
            ]),
        ),
    );
    server.route(
        "/story/ar",
        Reply::feed("text/html; charset=utf-8", SEED_PAGE),
    );
    server.route("/story/en", Reply::feed("text/html", ENGLISH_PAGE));
    server.route("/story/long", Reply::feed("text/html", ENGLISH_PAGE));
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/feed.xml");

    let (code, stdout, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--feed", &url, "--format", "json", "--full"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "no page failed");
    let first = lines(&stdout);
    let arabic = by_title(&first, "Qatar")["content"].as_str().unwrap();
    assert!(arabic.contains("قالت وزارة الخارجية القطرية"), "{arabic}");
    assert!(
        arabic.contains("\n\nوتحدث الوزير القطري"),
        "paragraphs: {arabic}"
    );
    assert!(
        !arabic.contains("أحدث الأخبار"),
        "the page's chrome: {arabic}"
    );
    let english = by_title(&first, "Storms")["content"].as_str().unwrap();
    assert!(
        english.contains("Winds that had gusted above 60 knots"),
        "{english}"
    );
    // A story with enough text of its own is not fetched.
    assert!(by_title(&first, "Long").get("content").is_none());
    assert_eq!(page_requests(&server), 2, "{:?}", server.seen());

    let (code, offline, stderr) = akhbar_at_home(
        home.path(),
        &[
            "print",
            "--feed",
            &url,
            "--format",
            "json",
            "--full",
            "--offline",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines(&offline), first, "the same lines from the store");
    assert_eq!(page_requests(&server), 2, "no request offline");

    // Without --full nothing changes.
    let (_, plain, _) = akhbar_at_home(home.path(), &["print", "--feed", &url, "--format", "json"]);
    assert!(
        lines(&plain)
            .iter()
            .all(|line| line.get("content").is_none())
    );
    assert_eq!(page_requests(&server), 2);
}

#[test]
fn a_windows_1256_page_is_read_by_its_meta_charset() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Reply::feed(
            "application/rss+xml",
            feed(&[("Qatar", server.url("/story/1256"), "قطر")]),
        ),
    );
    server.route("/story/1256", Reply::feed("text/html", WINDOWS_1256_PAGE));
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/feed.xml");
    let (code, stdout, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--feed", &url, "--format", "json", "--full"],
    );
    assert_eq!(code, 0, "{stderr}");
    let content = lines(&stdout)[0]["content"].as_str().unwrap().to_owned();
    assert!(
        content.contains("وتحدث الوزير القطري مع نظيره الأمريكي"),
        "{content}"
    );
}

#[test]
fn hostile_pages_end_with_a_reason_once_and_never_reach_the_text() {
    let server = TestServer::start();
    let nested = format!("<html><body>{}deep", "<div>".repeat(100_000));
    let paragraphs: String = (0..8)
        .map(|i| {
            format!("<p>The vote on the harbour plan, number {i}, was close, and it passed.</p>")
        })
        .collect();
    let scripted = format!(
        "<html><head><title>Vote</title><script>document.write('script text')</script></head>\
         <body><article>{paragraphs}<script>var hidden = 'script text';</script>\
         <style>p {{ color: red }}</style><!-- comment text -->\
         <form><input value='form text'></form><iframe>frame text</iframe></article></body></html>"
    );
    let escapes = format!(
        "<html><body><article>{}</article></body></html>",
        paragraphs.replace("was close", "was \u{1b}]0;owned\u{7}close\u{1b}[2J")
    );
    server.route(
        "/feed.xml",
        Reply::feed(
            "application/rss+xml",
            feed(&[
                ("Huge", server.url("/story/huge"), "a"),
                ("Nested", server.url("/story/nested"), "b"),
                ("Scripted", server.url("/story/scripted"), "c"),
                ("Escapes", server.url("/story/escapes"), "d"),
                ("Missing", server.url("/story/missing"), "e"),
            ]),
        ),
    );
    server.route("/story/huge", Reply::Endless(vec![b'<'; 64 * 1024]));
    server.route("/story/nested", Reply::feed("text/html", nested));
    server.route("/story/scripted", Reply::feed("text/html", scripted));
    server.route("/story/escapes", Reply::feed("text/html", escapes));
    server.route("/story/missing", Reply::status(404));
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/feed.xml");
    let (code, stdout, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--feed", &url, "--format", "json", "--full"],
    );
    assert_eq!(code, 0, "{stderr}");
    let printed = lines(&stdout);
    for (title, reason) in [
        ("Huge", "response larger than"),
        ("Nested", "elements nested deeper than 400 levels"),
        ("Missing", "HTTP 404"),
    ] {
        assert!(
            by_title(&printed, title).get("content").is_none(),
            "{title}"
        );
        let link = server.url(&format!("/story/{}", title.to_lowercase()));
        let said: Vec<&str> = stderr
            .lines()
            .filter(|line| line.starts_with(&format!("akhbar: {link}: ")))
            .collect();
        assert_eq!(said.len(), 1, "{title}: {stderr}");
        assert!(said[0].contains(reason), "{title}: {stderr}");
    }
    let scripted = by_title(&printed, "Scripted")["content"].as_str().unwrap();
    assert!(
        scripted.contains("The vote on the harbour plan"),
        "{scripted}"
    );
    for hidden in [
        "script text",
        "color",
        "comment text",
        "form text",
        "frame text",
    ] {
        assert!(!scripted.contains(hidden), "{hidden}: {scripted}");
    }
    let escaped = by_title(&printed, "Escapes")["content"].as_str().unwrap();
    assert!(
        escaped.contains("The vote on the harbour plan"),
        "{escaped}"
    );
    assert!(
        !escaped.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "{escaped:?}"
    );
    assert!(!stdout.contains("\\u001b"), "{stdout}");
    // One request per page, failures included.
    assert_eq!(page_requests(&server), 5, "{:?}", server.seen());

    // Failed pages are tried again on a later run, once each.
    akhbar_at_home(
        home.path(),
        &["print", "--feed", &url, "--format", "json", "--full"],
    );
    assert_eq!(page_requests(&server), 5 + 3, "{:?}", server.seen());
}

/// A page source's `article` selector says where its stories' pages keep their text: that
/// element, not what readability would pick.
#[test]
fn a_page_sources_article_selector_picks_the_text() {
    let server = TestServer::start();
    server.route(
        "/latest",
        Reply::feed(
            "text/html",
            r#"<html><body><ul class="latest"><li><a href="/n/1">عنوان الخبر</a></li></ul></body></html>"#,
        ),
    );
    server.route(
        "/n/1",
        Reply::feed(
            "text/html",
            r#"<html><body><div class="teaser"><p>مقدمة طويلة لا تخص الخبر نفسه بل تسبقه في كل صفحة من صفحات الموقع.</p></div>
            <div class="story"><p>نص الخبر كما كتبه الموقع.</p></div></body></html>"#,
        ),
    );
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\n[feed.html]\nitem = \"ul.latest li\"\ntitle = \"a\"\n\
             link = \"a@href\"\narticle = \".story\"\n",
            server.url("/latest")
        ),
    );
    let (code, stdout, stderr) =
        akhbar_at_home(home.path(), &["print", "--format", "json", "--full"]);
    assert_eq!(code, 0, "{stderr}");
    let lines = lines(&stdout);
    assert_eq!(lines[0]["content"], "نص الخبر كما كتبه الموقع.", "{stdout}");
}

/// A story page's server that answers 429 with `Retry-After` is asked for none of its other
/// pages in that time, as the refresher holds back a feed.
#[test]
fn a_server_that_asks_for_a_pause_is_sent_no_more_pages() {
    let server = TestServer::start();
    let items: Vec<(&str, String, &str)> = (1..=3)
        .map(|n| ("خبر", server.url(&format!("/n/{n}")), "سطر واحد."))
        .collect();
    server.route(
        "/feed.xml",
        Reply::feed("application/rss+xml", feed(&items)),
    );
    server.route("/n/1", Reply::status(429).with_header("Retry-After", "120"));
    server.route("/n/2", Reply::feed("text/html", SEED_PAGE));
    server.route("/n/3", Reply::feed("text/html", SEED_PAGE));
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/feed.xml");
    let (code, _, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--format", "json", "--full", "--feed", &url],
    );
    assert_eq!(code, 0, "{stderr}");
    let pages: Vec<String> = server
        .seen()
        .into_iter()
        .map(|seen| seen.path)
        .filter(|path| path.starts_with("/n/"))
        .collect();
    assert_eq!(pages.len(), 1, "one page asked, then the pause: {pages:?}");
    assert_eq!(
        stderr.matches("its server asked for no request").count(),
        2,
        "{stderr}"
    );
}
