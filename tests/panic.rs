//! Nothing a server sends, and no bug of ours, leaves a half-dead TUI: the real binary in a raw
//! pty against a loopback server, with absurd server delays and with panics set off on purpose
//! (`AKHBAR_TEST_PANIC`, honoured by debug builds) in a feed's load, the refresher and the UI
//! thread. Each run either goes on and quits cleanly, or ends by itself with a reason on
//! stderr and the terminal handed back restored.

mod common;

use common::pty::{Pty, PtyCommand, contains};
use common::{Reply, TestServer, akhbar};
use std::time::Duration;

const RSS: &str = "application/rss+xml";
const HUGE: &str = "18446744073709551615";

fn feed(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title} desk</title>\
         <item><title>{title} story</title><link>https://example.org/{title}</link>\
         <guid>{title}-1</guid><pubDate>Sun, 22 Oct 2023 01:29:00 GMT</pubDate></item>\
         </channel></rss>"
    )
}

/// The ticker on `urls`, in a 120×30 pty with a fresh home, stderr collected apart.
fn ticker(home: &std::path::Path, urls: &[String], panic_at: Option<&str>) -> Pty {
    let mut command = PtyCommand::new(120, 30)
        .home(home)
        .pipe_stderr()
        .env_remove("AKHBAR_TEST_PANIC");
    for url in urls {
        command = command.args(["--feed", url]);
    }
    if let Some(site) = panic_at {
        command = command.env("AKHBAR_TEST_PANIC", site);
    }
    command.spawn()
}

/// Waits for `needle` on screen, failing with what was written so far.
fn expect_drawn(pty: &Pty, needle: &str, after: usize) {
    assert!(
        pty.wait_for_after(after, needle, Duration::from_secs(20)),
        "{needle:?} never drawn; output ends with: {}",
        pty.tail(1500)
    );
}

/// The app still owns the terminal: nobody left the alternate screen behind its back, and
/// no panic text reached the screen.
fn assert_screen_untouched(pty: &Pty) {
    let output = pty.output();
    assert!(
        !contains(&output, b"\x1b[?1049l"),
        "the alternate screen was left while running: {}",
        pty.tail(1500)
    );
    assert!(
        !contains(&output, b"panicked"),
        "a panic reached the screen: {}",
        pty.tail(1500)
    );
}

#[test]
fn print_reports_a_huge_retry_after_and_keeps_a_huge_max_age_feed() {
    let server = TestServer::start();
    server.route(
        "/busy.xml",
        Reply::status(429).with_header("Retry-After", HUGE),
    );
    server.route(
        "/cached.xml",
        Reply::feed(RSS, feed("cached")).with_header("Cache-Control", &format!("max-age={HUGE}")),
    );
    let (code, stdout, stderr) = akhbar(&[
        "print",
        "--feed",
        &server.url("/busy.xml"),
        "--feed",
        &server.url("/cached.xml"),
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("cached story"), "{stdout}");
    assert!(
        stderr.contains("busy.xml: HTTP 429 Too Many Requests"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_ticker_survives_a_huge_retry_after_and_max_age_and_quits_on_q() {
    let server = TestServer::start();
    server.route(
        "/busy.xml",
        Reply::status(429).with_header("Retry-After", HUGE),
    );
    server.route(
        "/cached.xml",
        Reply::feed(RSS, feed("cached")).with_header("Cache-Control", &format!("max-age={HUGE}")),
    );
    let home = tempfile::tempdir().unwrap();
    let urls = [server.url("/busy.xml"), server.url("/cached.xml")];
    let mut pty = ticker(home.path(), &urls, None);
    expect_drawn(&pty, "cached story", 0);
    let before = pty.len();
    pty.write(b"s");
    expect_drawn(&pty, "HTTP 429 Too Many Requests", before);
    // Both feeds settled; the refresher must still be there for `r` and the next round.
    assert!(pty.is_running(), "exited: {}", pty.stderr());
    assert_screen_untouched(&pty);
    pty.write(b"q");
    let status = pty.wait_exit(Duration::from_secs(10)).expect("q quits");
    let stderr = pty.stderr();
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(stderr, "", "stderr should be clean");
    pty.assert_restored();
}

#[test]
fn a_panic_in_one_feeds_load_fails_that_feed_and_the_rest_go_on() {
    let server = TestServer::start();
    server.route("/first.xml", Reply::feed(RSS, feed("first")));
    server.route("/second.xml", Reply::feed(RSS, feed("second")));
    let home = tempfile::tempdir().unwrap();
    let urls = [server.url("/first.xml"), server.url("/second.xml")];
    let mut pty = ticker(home.path(), &urls, Some("feed"));
    expect_drawn(&pty, "second story", 0);
    let before = pty.len();
    pty.write(b"s");
    expect_drawn(&pty, "internal error: AKHBAR_TEST_PANIC=feed", before);
    assert!(pty.is_running(), "exited: {}", pty.stderr());
    assert_screen_untouched(&pty);
    pty.write(b"q");
    let status = pty.wait_exit(Duration::from_secs(10)).expect("q quits");
    let stderr = pty.stderr();
    assert!(status.success(), "{status}: {stderr}");
    // The panic is told once the screen is handed back, with where it happened.
    assert!(
        stderr.contains("akhbar: internal error: a background task panicked at src/refresh.rs:")
            && stderr.contains("AKHBAR_TEST_PANIC=feed"),
        "{stderr}"
    );
    assert!(
        !contains(&pty.output(), b"first story"),
        "the panicked feed drew headlines"
    );
    pty.assert_restored();
}

/// A panic that leaves the app unable to go on ends the process by itself, with the reason
/// on stderr and the terminal restored.
fn ends_cleanly_after_a_panic_at(site: &str, reason: &str) {
    let server = TestServer::start();
    server.route("/news.xml", Reply::feed(RSS, feed("news")));
    let home = tempfile::tempdir().unwrap();
    let mut pty = ticker(home.path(), &[server.url("/news.xml")], Some(site));
    let status = pty.wait_exit(Duration::from_secs(20));
    let stderr = pty.stderr();
    let status = status.unwrap_or_else(|| panic!("still running after a {site} panic: {stderr}"));
    assert!(!status.success(), "{status}: {stderr}");
    assert!(stderr.contains(reason), "{stderr:?} lacks {reason:?}");
    assert!(
        stderr.lines().any(|line| line.starts_with("akhbar: ")),
        "{stderr}"
    );
    assert!(
        !contains(&pty.output(), b"panicked"),
        "a panic reached the screen: {}",
        pty.tail(1500)
    );
    pty.assert_restored();
}

#[test]
fn a_panic_in_the_refresher_ends_the_process_with_the_terminal_restored() {
    ends_cleanly_after_a_panic_at(
        "refresher",
        "akhbar: the background refresher stopped: internal error: AKHBAR_TEST_PANIC=refresher",
    );
}

#[test]
fn a_panic_on_the_ui_thread_ends_the_process_with_the_terminal_restored() {
    ends_cleanly_after_a_panic_at("main", "akhbar: internal error: panicked at src/app.rs:");
}
