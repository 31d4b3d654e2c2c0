//! The background refresher against a real loopback server that misbehaves on purpose.

mod common;

use akhbar::feed::fetch::{FetchOptions, Fetcher};
use akhbar::refresh::{self, Control, FeedEvent, Update};
use akhbar::source::{Location, Source};
use common::{Reply, TestServer};
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;
use tokio::sync::mpsc;

const ARABIC_DEMO: &str = include_str!("fixtures/feeds/arabic-demo.xml");
const RSS: &str = "application/rss+xml";

fn source(url: &str) -> Source {
    Source::new(Location::parse(url).unwrap())
}

fn fetcher(timeout: Duration, max_body: u64) -> Fetcher {
    Fetcher::new(FetchOptions {
        timeout,
        max_body,
        ..FetchOptions::default()
    })
    .unwrap()
}

/// Waits for the next event that is not `Fetching`.
async fn settled(events: &mut mpsc::Receiver<FeedEvent>) -> FeedEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), events.recv())
            .await
            .expect("an event within 20 s")
            .expect("refresher alive");
        if event.update != Update::Fetching {
            return event;
        }
    }
}

fn feed_with(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title)| format!("<item><guid>{guid}</guid><title>{title}</title><pubDate>Sun, 22 Oct 2023 05:29:00 +0400</pubDate></item>"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"
    )
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_reported_in_one_line_and_the_good_feeds_keep_their_headlines() {
    let server = TestServer::start();
    server.route("/good.xml", Reply::feed(RSS, ARABIC_DEMO));
    server.route(
        "/gzip.xml",
        Reply::feed(RSS, gzip(ARABIC_DEMO)).with_header("Content-Encoding", "gzip"),
    );
    server.route("/hang.xml", Reply::Hang);
    server.route("/endless.xml", Reply::Endless(vec![b'x'; 64 * 1024]));
    server.route("/500.xml", Reply::status(500));
    server.route("/404.xml", Reply::status(404));
    server.route(
        "/loop.xml",
        Reply::status(302).with_header("Location", "/loop.xml"),
    );
    server.route(
        "/garbage.xml",
        Reply::feed(
            RSS,
            (0..4096u32)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<_>>(),
        ),
    );
    server.route("/empty.xml", Reply::feed(RSS, ""));
    server.route("/reset.xml", Reply::Reset);
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/feed.xml", listener.local_addr().unwrap())
    };
    let expected: Vec<(String, Option<&str>)> = vec![
        (server.url("/good.xml"), None),
        (server.url("/gzip.xml"), None),
        (server.url("/hang.xml"), Some("timed out after 2s")),
        (
            server.url("/endless.xml"),
            Some("response larger than 1 MiB"),
        ),
        (
            server.url("/500.xml"),
            Some("HTTP 500 Internal Server Error"),
        ),
        (server.url("/404.xml"), Some("HTTP 404 Not Found")),
        (server.url("/loop.xml"), Some("more than 10 redirects")),
        (server.url("/garbage.xml"), Some("not a feed")),
        (server.url("/empty.xml"), Some("empty response")),
        (server.url("/reset.xml"), Some("connection reset")),
        (refused, Some("connection refused")),
    ];
    let sources: Vec<Source> = expected.iter().map(|(url, _)| source(url)).collect();
    let (tx, mut events) = mpsc::channel(64);
    let (_control, _task) = refresh::spawn(
        fetcher(Duration::from_secs(2), 1024 * 1024),
        sources,
        Duration::from_secs(3600),
        tx,
    );
    let mut outcomes = HashMap::new();
    while outcomes.len() < expected.len() {
        let event = settled(&mut events).await;
        outcomes.insert(event.index, event);
    }
    for (index, (url, reason)) in expected.iter().enumerate() {
        let event = &outcomes[&index];
        match reason {
            None => match &event.update {
                Update::Changed(feed) => assert_eq!(feed.headlines.len(), 17, "{url}"),
                other => panic!("{url}: expected headlines, got {other:?}"),
            },
            Some(reason) => {
                assert_eq!(event.update, Update::Failed, "{url}");
                let error = event.health.last_error.as_deref().unwrap();
                assert!(
                    error.starts_with(reason),
                    "{url}: {error:?} should start with {reason:?}"
                );
                assert!(!error.contains('\n'), "{url}: {error:?}");
                assert!(event.health.next_attempt.is_some());
            }
        }
    }
    assert_eq!(outcomes[&4].health.status, Some(500));
}

#[tokio::test]
async fn validators_go_back_exactly_and_304_keeps_the_headlines() {
    let server = TestServer::start();
    let etag = "W/\"akhbar-1\"";
    let last_modified = "Sun, 22 Oct 2023 01:29:00 GMT";
    server.route(
        "/feed.xml",
        Reply::Sequence(vec![
            Reply::feed(RSS, ARABIC_DEMO)
                .with_header("ETag", etag)
                .with_header("Last-Modified", last_modified),
            Reply::status(304),
        ]),
    );
    let (tx, mut events) = mpsc::channel(16);
    let (control, _task) = refresh::spawn(
        fetcher(Duration::from_secs(5), 1 << 20),
        vec![source(&server.url("/feed.xml"))],
        Duration::from_secs(3600),
        tx,
    );
    assert!(matches!(
        settled(&mut events).await.update,
        Update::Changed(_)
    ));
    control.send(Control::RefreshAll).await.unwrap();
    let second = settled(&mut events).await;
    assert_eq!(second.update, Update::Unchanged);
    assert_eq!(second.health.status, Some(304));
    assert!(second.health.last_error.is_none());
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(!seen[0].headers.contains_key("if-none-match"));
    assert_eq!(
        seen[1].headers.get("if-none-match").map(String::as_str),
        Some(etag)
    );
    assert_eq!(
        seen[1].headers.get("if-modified-since").map(String::as_str),
        Some(last_modified)
    );
}

#[tokio::test]
async fn retry_after_holds_off_every_request_until_it_expires() {
    let server = TestServer::start();
    server.route(
        "/busy.xml",
        Reply::status(429).with_header("Retry-After", "3600"),
    );
    let (tx, mut events) = mpsc::channel(16);
    let (control, _task) = refresh::spawn(
        fetcher(Duration::from_secs(5), 1 << 20),
        vec![source(&server.url("/busy.xml"))],
        Duration::from_secs(1),
        tx,
    );
    let failed = settled(&mut events).await;
    assert_eq!(failed.health.status, Some(429));
    let wait = failed.health.next_attempt.unwrap() - chrono::Utc::now();
    assert!(wait > chrono::TimeDelta::seconds(3500), "{wait}");
    // Neither "refresh now" nor the 1 s interval may send another request.
    control.send(Control::RefreshAll).await.unwrap();
    control.send(Control::Refresh(0)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_failing_http_feed_with_a_tiny_interval_waits_the_one_minute_floor() {
    let server = TestServer::start();
    server.route("/down.xml", Reply::status(500));
    let (tx, mut events) = mpsc::channel(16);
    let (_control, _task) = refresh::spawn(
        fetcher(Duration::from_secs(5), 1 << 20),
        vec![source(&server.url("/down.xml"))],
        Duration::from_millis(1),
        tx,
    );
    let failed = settled(&mut events).await;
    let wait = failed.health.next_attempt.unwrap() - chrono::Utc::now();
    assert!(wait > chrono::TimeDelta::seconds(55), "{wait}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_huge_retry_after_or_max_age_waits_a_week_and_the_refresher_goes_on() {
    let server = TestServer::start();
    let huge = u64::MAX.to_string();
    server.route(
        "/busy.xml",
        Reply::status(429).with_header("Retry-After", &huge),
    );
    server.route(
        "/cached.xml",
        Reply::feed(RSS, ARABIC_DEMO).with_header("Cache-Control", &format!("max-age={huge}")),
    );
    let (tx, mut events) = mpsc::channel(16);
    let (control, task) = refresh::spawn(
        fetcher(Duration::from_secs(5), 1 << 20),
        vec![
            source(&server.url("/busy.xml")),
            source(&server.url("/cached.xml")),
        ],
        Duration::from_secs(3600),
        tx,
    );
    let mut waits = HashMap::new();
    while waits.len() < 2 {
        let event = settled(&mut events).await;
        let wait = event.health.next_attempt.unwrap() - chrono::Utc::now();
        waits.insert(event.index, wait);
    }
    let week = chrono::TimeDelta::days(7);
    let near_a_week = |wait: chrono::TimeDelta| wait > week - chrono::TimeDelta::minutes(1);
    assert!(
        near_a_week(waits[&0]) && waits[&0] <= week,
        "{:?}",
        waits[&0]
    );
    // Jitter spreads the floor by up to a tenth.
    assert!(near_a_week(waits[&1] + week / 10), "{:?}", waits[&1]);
    assert!(waits[&1] <= week + week / 10, "{:?}", waits[&1]);
    // The refresher is alive: "refresh now" fetches the cached feed again, while the busy
    // one keeps waiting for the server.
    control.send(Control::RefreshAll).await.unwrap();
    assert_eq!(settled(&mut events).await.index, 1);
    assert!(!task.is_finished());
    let busy = server
        .seen()
        .iter()
        .filter(|seen| seen.path == "/busy.xml")
        .count();
    assert_eq!(busy, 1);
}

#[tokio::test]
async fn a_feed_that_changes_between_refreshes_updates_in_place() {
    let server = TestServer::start();
    server.route(
        "/news.xml",
        Reply::Sequence(vec![
            Reply::feed(RSS, feed_with(&[("a", "first"), ("b", "second")])),
            Reply::feed(RSS, feed_with(&[("b", "second, updated"), ("c", "third")])),
        ]),
    );
    let (tx, mut events) = mpsc::channel(16);
    let (control, _task) = refresh::spawn(
        fetcher(Duration::from_secs(5), 1 << 20),
        vec![source(&server.url("/news.xml"))],
        Duration::from_secs(3600),
        tx,
    );
    let titles = |event: FeedEvent| match event.update {
        Update::Changed(feed) => feed
            .headlines
            .into_iter()
            .map(|h| (h.id, h.title))
            .collect::<Vec<_>>(),
        other => panic!("expected a feed, got {other:?}"),
    };
    let first = titles(settled(&mut events).await);
    control.send(Control::Refresh(0)).await.unwrap();
    let second = titles(settled(&mut events).await);
    assert_eq!(first[1], ("b".to_owned(), "second".to_owned()));
    assert_eq!(second[0], ("b".to_owned(), "second, updated".to_owned()));
    assert_eq!(second[1].0, "c");
}

/// Peak memory of `akhbar print` against an endless body stays near the 16 MiB cap.
#[test]
fn an_endless_body_costs_no_more_memory_than_the_cap() {
    let server = TestServer::start();
    server.route("/endless.xml", Reply::Endless(vec![b'x'; 64 * 1024]));
    let (code, _, stderr) = common::akhbar(&["print", "--feed", &server.url("/endless.xml")]);
    assert_ne!(code, 0);
    assert!(stderr.contains("response larger than 16 MiB"), "{stderr}");
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0);
    let peak_kib = usage.ru_maxrss;
    assert!(peak_kib < 64 * 1024, "peak RSS {peak_kib} KiB");
}
