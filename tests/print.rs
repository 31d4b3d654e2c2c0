//! `akhbar print` end to end: the real binary against the demo, files and a loopback server.

mod common;

use common::{Reply, TestServer, akhbar, akhbar_at_home, write_config};

const ARABIC_DEMO: &str = include_str!("fixtures/feeds/arabic-demo.xml");

#[test]
fn demo_prints_offline_with_the_seed_headlines_newest_first() {
    let (code, stdout, stderr) = akhbar(&["print"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stderr.contains("bundled demo"), "hint missing: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    // 17 Arabic items (16 headlines and the article) and 8 English ones.
    assert_eq!(lines.len(), 25, "{stdout}");
    assert_eq!(
        lines[0],
        "2023-10-22T02:10:00Z\takhbar demo: World Desk\tShipping lanes reopen after a week of storms in the North Sea\thttps://example.org/akhbar-demo/en/stories/shipping-lanes"
    );
    assert!(lines.contains(
        &"2023-10-22T01:29:00Z\tالإمارات 71\tالليرة السورية تواصل التحسن منذ سقوط النظام\thttps://example.org/akhbar-demo/ar/news/1"
    ));
    let times: Vec<&str> = lines
        .iter()
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "not newest first");
    for line in &lines {
        assert_eq!(line.split('\t').count(), 4, "{line}");
    }
}

#[test]
fn json_lines_have_every_field() {
    let (code, stdout, _) = akhbar(&["print", "--format", "json"]);
    assert_eq!(code, 0);
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    for key in ["published", "source", "title", "link", "summary", "read"] {
        assert!(first.get(key).is_some(), "missing {key}: {first}");
    }
    assert_eq!(first["read"], false);
    assert_eq!(
        first["summary"],
        "Ferries and freight resumed on Sunday as winds eased to 20 knots."
    );
}

#[test]
fn feeds_from_http_file_url_and_path_merge_and_global_options_go_anywhere() {
    let server = TestServer::start();
    server.route("/ar.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    let dir = tempfile::tempdir().unwrap();
    let english = dir.path().join("english.xml");
    std::fs::copy("assets/demo/english.xml", &english).unwrap();
    let file_url = format!("file://{}", english.display());
    let url = server.url("/ar.xml");

    let (code, before, stderr) = akhbar(&["--feed", &url, "print", "--feed", &file_url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(before.lines().count(), 25);
    assert!(!stderr.contains("demo"), "{stderr}");

    let (code, after, _) = akhbar(&["print", "--feed", english.to_str().unwrap(), "--feed", &url]);
    assert_eq!(code, 0);
    assert_eq!(after.lines().count(), 25);
    let seen = server.seen();
    assert!(
        seen.iter().all(
            |request| request.headers.get("user-agent").map(String::as_str)
                == Some(concat!("akhbar/", env!("CARGO_PKG_VERSION")))
        ),
        "{seen:?}"
    );
}

#[test]
fn a_duplicate_source_prints_each_story_once() {
    let server = TestServer::start();
    server.route("/a.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    server.route("/b.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    let (code, stdout, _) = akhbar(&[
        "print",
        "--feed",
        &server.url("/a.xml"),
        "--feed",
        &server.url("/b.xml"),
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 17);
}

#[test]
fn failures_are_one_line_each_and_exit_status_says_whether_anything_worked() {
    let server = TestServer::start();
    server.route("/good.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    server.route("/gone.xml", Reply::status(404));
    server.route(
        "/page.html",
        Reply::feed(
            "text/html",
            "<!doctype html><html><body><p>hello</p></body></html>",
        ),
    );
    // A port nobody listens on: bind, note the port, close.
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/feed.xml", listener.local_addr().unwrap())
    };
    let gone = server.url("/gone.xml");
    let page = server.url("/page.html");

    let (code, stdout, stderr) = akhbar(&[
        "print",
        "--feed",
        &server.url("/good.xml"),
        "--feed",
        &gone,
        "--feed",
        &refused,
        "--feed",
        &page,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 17);
    let errors: Vec<&str> = stderr.lines().collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    assert!(
        errors.contains(&format!("akhbar: {gone}: HTTP 404 Not Found").as_str()),
        "{stderr}"
    );
    assert!(
        errors.contains(&format!("akhbar: {refused}: connection refused").as_str()),
        "{stderr}"
    );
    assert!(
        errors
            .iter()
            .any(|line| line.starts_with(&format!("akhbar: {page}: not a feed"))),
        "{stderr}"
    );

    let (code, stdout, stderr) = akhbar(&["print", "--feed", &gone, "--feed", "no/such/file.xml"]);
    assert_ne!(code, 0);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("akhbar: no/such/file.xml: no such file"),
        "{stderr}"
    );
}

#[test]
fn a_bad_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "refresh = \"10m\"\n\n[[feed]]\nurl = \"a.xml\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let (code, _, stderr) = akhbar(&["print", "--config", path.to_str().unwrap()]);
    assert_ne!(code, 0);
    let expected = format!("{}:5:", path.display());
    assert!(
        stderr.contains(&expected) && stderr.contains("colour"),
        "{stderr}"
    );
}

#[test]
fn a_feed_with_no_items_says_so_and_alone_fails_the_run() {
    let server = TestServer::start();
    server.route(
        "/empty.xml",
        Reply::feed(
            "application/rss+xml",
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Quiet</title>\
             <link>https://example.org/</link><description>Nothing yet</description>\
             </channel></rss>",
        ),
    );
    server.route("/good.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    let empty = server.url("/empty.xml");
    let home = tempfile::tempdir().unwrap();

    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &empty]);
    assert_eq!(code, 1, "no source gave a headline: {stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr, format!("akhbar: {empty}: no items\n"));

    let (code, _, stderr) = akhbar_at_home(home.path(), &["print", "--offline", "--feed", &empty]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        format!("akhbar: {empty}: no items\n"),
        "the store remembers the feed worked"
    );

    let (code, stdout, stderr) = akhbar(&[
        "print",
        "--feed",
        &empty,
        "--feed",
        &server.url("/good.xml"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 17);
    assert_eq!(stderr, format!("akhbar: {empty}: no items\n"));
}

#[test]
fn relative_links_resolve_against_the_feed_link_else_the_content_location() {
    let server = TestServer::start();
    let item = "<item><title>t</title><link>story/1</link></item>";
    server.route(
        "/with-link.xml",
        Reply::feed(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel><link>https://home.example.org/news/</link>{item}</channel></rss>"),
        )
        .with_header("Content-Location", "https://mirror.example.org/feeds/x.xml"),
    );
    server.route(
        "/located.xml",
        Reply::feed(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel>{item}</channel></rss>"),
        )
        .with_header("Content-Location", "https://mirror.example.org/feeds/x.xml"),
    );
    server.route(
        "/plain.xml",
        Reply::feed(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel>{item}</channel></rss>"),
        ),
    );
    let link_of = |path: &str| {
        let home = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = akhbar_at_home(
            home.path(),
            &["print", "--format", "json", "--feed", &server.url(path)],
        );
        assert_eq!(code, 0, "{stderr}");
        let line: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        line["link"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(
        link_of("/with-link.xml"),
        "https://home.example.org/news/story/1"
    );
    assert_eq!(
        link_of("/located.xml"),
        "https://mirror.example.org/feeds/story/1"
    );
    assert_eq!(link_of("/plain.xml"), server.url("/story/1"));
}

/// `print` writes each item's body into the store while the feed is still being read; what
/// ends up stored is what a screen refresh would store, and a later copy's changes land.
#[test]
fn bodies_reach_the_store_as_the_feed_is_read() {
    fn feed(second_body: &str) -> String {
        format!(
            r#"<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
<item><title>One</title><guid>1</guid><content:encoded><![CDATA[<p>نص الخبر الأول</p>]]></content:encoded></item>
<item><title>Two</title><guid>2</guid><description>{second_body}</description></item>
<item><title>Three</title><guid>3</guid></item>
</channel></rss>"#
        )
    }
    let server = TestServer::start();
    let url = server.url("/feed.xml");
    let home = tempfile::tempdir().unwrap();
    let stored_bodies = || {
        let store = akhbar::store::Store::open(&home.path().join("data/akhbar/akhbar.db"))
            .unwrap()
            .store;
        let mut bodies: Vec<(String, Option<String>)> = store.load(&[url.as_str()]).unwrap()[0]
            .headlines
            .iter()
            .map(|stored| {
                (
                    stored.headline.id.clone(),
                    stored.headline.body_html.clone(),
                )
            })
            .collect();
        bodies.sort();
        bodies
    };

    server.route(
        "/feed.xml",
        Reply::feed("application/rss+xml", feed("first")),
    );
    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!((code, stdout.lines().count()), (0, 3), "{stdout}{stderr}");
    let parsed =
        akhbar::feed::parse_feed(feed("first").as_bytes(), None, None, chrono::Utc::now()).unwrap();
    let mut expected: Vec<_> = parsed
        .headlines
        .iter()
        .map(|h| (h.id.clone(), h.body_html.clone()))
        .collect();
    expected.sort();
    assert_eq!(stored_bodies(), expected);
    assert_eq!(expected[0].1.as_deref(), Some("<p>نص الخبر الأول</p>"));
    assert_eq!(expected[2].1, None);

    server.route(
        "/feed.xml",
        Reply::feed("application/rss+xml", feed("second")),
    );
    let (code, _, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stored_bodies()[1],
        ("2".to_owned(), Some("second".to_owned()))
    );
}

/// `--feed` given a site's page reads the feed the page advertises, relative links of the
/// feed resolved against the feed's own URL; a page that advertises only another page fails
/// with one line, and no loop.
#[test]
fn a_page_given_as_a_feed_reads_the_feed_it_links_to() {
    let server = TestServer::start();
    server.route(
        "/ar/",
        Reply::feed(
            "text/html",
            r#"<html><head><link rel="alternate" type="application/rss+xml" href="feeds/main.xml"></head><body>الرئيسية</body></html>"#,
        ),
    );
    server.route(
        "/ar/feeds/main.xml",
        Reply::feed(
            "application/rss+xml",
            r#"<rss version="2.0"><channel><title>الموقع</title><item><title>خبر عاجل</title><link>1.html</link></item></channel></rss>"#,
        ),
    );
    server.route(
        "/loop/",
        Reply::feed(
            "text/html",
            r#"<html><head><link rel="alternate" type="application/rss+xml" href="/loop/"></head></html>"#,
        ),
    );
    let (code, stdout, stderr) = akhbar(&["print", "--feed", &server.url("/ar/")]);
    assert_eq!(code, 0, "{stderr}");
    let fields: Vec<&str> = stdout.trim_end().split('\t').collect();
    assert_eq!(
        fields[1..],
        [
            "الموقع",
            "خبر عاجل",
            server.url("/ar/feeds/1.html").as_str()
        ]
    );

    let (code, _, stderr) = akhbar(&["print", "--feed", &server.url("/loop/")]);
    assert_eq!(code, 1);
    assert!(stderr.contains("got an HTML page"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        server
            .seen()
            .iter()
            .filter(|seen| seen.path == "/loop/")
            .count(),
        2,
        "the page, then once as its own feed"
    );
}

/// A `[[feed]]` with a `[feed.html]` table is a web page read with CSS selectors: its stories
/// come out with their links, and their times given the page's zone and day.
#[test]
fn a_page_read_by_selectors_gives_its_stories_with_times() {
    let server = TestServer::start();
    server.route(
        "/latest",
        Reply::feed(
            "text/html; charset=utf-8",
            r#"<html lang="ar"><head><title>أحدث الأخبار</title></head><body>
            <ul class="latest">
              <li><span class="time">منذ 5 دقائق</span> <a href="/n/3">خبر الساعة</a></li>
              <li><span class="time">٠١:٢٩</span> <a href="/n/2">الليرة السورية تواصل التحسن</a></li>
              <li><span class="time">18:40</span> <a href="/n/4">بايرن ميونخ يتلقى الهزيمة</a></li>
              <li><span class="time">تاريخ الخبر: 22-10-2023 01:29</span> <a href="/n/1">قطر تؤكد مواصلة التنسيق</a></li>
            </ul></body></html>"#,
        ),
    );
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\n[feed.html]\nitem = \"ul.latest li\"\ntitle = \"a\"\n\
             link = \"a@href\"\ntime = \".time\"\nzone = \"+04:00\"\n",
            server.url("/latest")
        ),
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_akhbar"))
        .args(["print", "--format", "json"])
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("HOME", home.path())
        // The page's zone, not the reader's, says what its times mean.
        .env("TZ", "America/New_York")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let by_title = |title: &str| {
        lines
            .iter()
            .find(|line| line["title"] == title)
            .unwrap_or_else(|| panic!("{title} missing: {stdout}"))
    };
    let published = |line: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(line["published"].as_str().unwrap())
            .unwrap()
            .to_utc()
    };
    let now = chrono::Utc::now();
    let recent = by_title("خبر الساعة");
    assert_eq!(recent["source"], "أحدث الأخبار");
    assert_eq!(recent["link"], server.url("/n/3"));
    let age = now - published(recent);
    assert!(
        age >= chrono::TimeDelta::minutes(4) && age <= chrono::TimeDelta::minutes(7),
        "{age}"
    );
    // On a 24-hour clock (18:40 says so), 01:29 in Dubai is 21:29 UTC, on the latest day
    // that puts it in the past; 18:40 below it is earlier still.
    let bare = published(by_title("الليرة السورية تواصل التحسن"));
    assert_eq!(bare.format("%H:%M").to_string(), "21:29");
    assert!(
        bare <= now && now - bare < chrono::TimeDelta::hours(25),
        "{bare}"
    );
    let below = published(by_title("بايرن ميونخ يتلقى الهزيمة"));
    assert_eq!(below.format("%H:%M").to_string(), "14:40");
    assert!(
        below < bare && bare - below < chrono::TimeDelta::hours(24),
        "{below}"
    );
    assert_eq!(
        by_title("قطر تؤكد مواصلة التنسيق")["published"],
        "2023-10-21T21:29:00Z"
    );
    assert!(lines.iter().all(|line| line["dated"] == true), "{stdout}");
}

/// The demo's stories link to example.org: `--full` reads none of their pages.
#[test]
fn the_demo_reads_no_story_pages() {
    let (code, stdout, stderr) = akhbar(&["print", "--format", "json", "--full"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 25);
    assert!(!stdout.contains("\"content\""), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "only the demo's hint: {stderr}");
}

/// A page that advertises no feed, given as `--feed`, is read through its site's usual feed.
#[test]
fn a_page_without_feed_links_is_read_through_its_sites_usual_feed() {
    let server = TestServer::start();
    server.route(
        "/section/",
        Reply::feed("text/html", "<html><body>أخبار</body></html>"),
    );
    server.route(
        "/rss.xml",
        Reply::feed(
            "application/rss+xml",
            r#"<rss version="2.0"><channel><title>الموقع</title><item><title>خبر</title><link>https://127.0.0.1/1</link></item></channel></rss>"#,
        ),
    );
    let (code, stdout, stderr) = akhbar(&["print", "--feed", &server.url("/section/")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\tالموقع\tخبر\t"), "{stdout}");
    let asked: Vec<String> = server.seen().into_iter().map(|seen| seen.path).collect();
    assert_eq!(
        asked,
        ["/section/", "/feed", "/rss", "/rss.xml", "/rss.xml"]
    );
}

#[test]
fn the_filter_is_the_query_language_and_a_malformed_one_is_a_usage_error() {
    let titles = |filter: &str| {
        let (code, stdout, stderr) = akhbar(&["print", "--filter", filter]);
        assert_eq!(code, 0, "{filter}: {stderr}");
        stdout
            .lines()
            .map(|line| line.split('\t').nth(2).unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let either = titles("source:الإمارات (سوريا OR قطر)");
    assert!(!either.is_empty());
    assert!(
        either
            .iter()
            .all(|title| title.contains("سوريا") || title.contains("قطر")),
        "{either:?}"
    );
    let syria = titles("source:الإمارات سوريا");
    let qatar = titles("source:الإمارات قطر");
    assert!(either.len() >= syria.len().max(qatar.len()));
    assert!(either.len() <= syria.len() + qatar.len());
    let without = titles("source:الإمارات -سوريا -قطر");
    let all = titles("source:الإمارات");
    assert_eq!(without.len() + either.len(), all.len());
    // The demo's stories are from October 2023.
    assert!(titles("since:1d").is_empty());
    assert_eq!(titles("before:2023-10-23").len(), 25);
    assert_eq!(titles("title:\"Shipping lanes\"").len(), 1);

    let (code, stdout, stderr) = akhbar(&["print", "--filter", "غزة (قطر OR"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "akhbar: bad --filter: OR needs a term after it\n  غزة (قطر OR\n           ^^\n"
    );
    let (code, _, stderr) = akhbar(&["print", "--filter", "titel:x\x1b[2J"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("akhbar: bad --filter: no field is called titel"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

#[test]
fn mutes_hide_stories_from_print_globally_and_per_feed() {
    let home = tempfile::tempdir().unwrap();
    let count = |config: &str| {
        write_config(home.path(), config);
        let (code, stdout, stderr) = akhbar_at_home(home.path(), &["print"]);
        assert_eq!(code, 0, "{stderr}");
        stdout.lines().count()
    };
    let server = TestServer::start();
    let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\
        <item><title>football tonight</title><guid>1</guid></item>\
        <item><title>كرة القدم اليوم</title><guid>2</guid></item>\
        <item><title>the budget</title><guid>3</guid></item></channel></rss>";
    server.route("/a.xml", Reply::feed("application/rss+xml", rss));
    let feed = format!("[[feed]]\nurl = \"{}\"\n", server.url("/a.xml"));
    assert_eq!(count(&feed), 3);
    assert_eq!(count(&format!("[[mute]]\nquery = \"football\"\n{feed}")), 2);
    assert_eq!(
        count(&format!("[[mute]]\nquery = \"football OR القدم\"\n{feed}")),
        1
    );
    assert_eq!(count(&format!("{feed}mute = \"-budget\"\n")), 1);
}
