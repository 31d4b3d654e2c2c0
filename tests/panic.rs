//! Nothing a server sends, and no bug of ours, leaves a half-dead TUI: the real binary in a raw
//! pty against a loopback server, with absurd server delays and with panics set off on purpose
//! (`AKHBAR_TEST_PANIC`, honoured by debug builds) in a feed's load, the refresher and the UI
//! thread. Each run either goes on and quits cleanly, or ends by itself with a reason on
//! stderr and the terminal handed back restored; and no read mark made before a panic is
//! lost, or it is named on the way out.

mod common;

use common::pty::{Pty, PtyCommand, contains};
use common::{Reply, TestServer, akhbar, akhbar_at_home};
use std::path::Path;
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
    ends_cleanly_after_a_panic_at(
        "main",
        "akhbar: internal error: panicked at src/tui/event_loop.rs:",
    );
}

/// An RSS feed of `count` stories, `Story 1` to `Story {count}`.
fn stories(count: u32) -> String {
    let items: String = (1..=count)
        .map(|n| {
            format!(
                "<item><title>Story {n}</title><guid>story-{n}</guid>\
                 <pubDate>Sun, 22 Oct 2023 01:{n:02}:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Desk</title>{items}</channel></rss>")
}

/// How many stories of `url` the store at `home` holds as read, by `print --offline`.
fn stored_read_marks(home: &Path, url: &str) -> usize {
    let (code, stdout, stderr) = akhbar_at_home(
        home,
        &["print", "--offline", "--format", "json", "--feed", url],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    stdout
        .lines()
        .filter(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["read"] == true)
        .count()
}

/// Another program's write lock on the store under `home`, held until dropped.
fn lock_store(home: &Path) -> rusqlite::Connection {
    let other = rusqlite::Connection::open(home.join("data/akhbar/akhbar.db")).unwrap();
    // akhbar may be writing the feed's copy right now.
    other.busy_timeout(Duration::from_secs(10)).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    other
}

#[test]
fn read_marks_handed_to_the_store_before_a_ui_panic_are_written_before_the_exit() {
    let server = TestServer::start();
    server.route("/desk.xml", Reply::feed(RSS, stories(3)));
    let url = server.url("/desk.xml");
    let home = tempfile::tempdir().unwrap();
    let mut pty = ticker(home.path(), std::slice::from_ref(&url), Some("read"));
    expect_drawn(&pty, "Story 3", 0);
    // Held so that the marks are still queued when the UI panics: the exit must wait for
    // them rather than end the process under the store's thread.
    let other = lock_store(home.path());
    pty.write(b"M");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        pty.is_running(),
        "exited without writing the marks: {}",
        pty.stderr()
    );
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    let status = pty.wait_exit(Duration::from_secs(20));
    let stderr = pty.stderr();
    let status = status.unwrap_or_else(|| panic!("still running after the panic: {stderr}"));
    assert_eq!(status.code(), Some(101), "{stderr}");
    assert!(
        stderr.contains("akhbar: internal error: panicked at src/tui/event_loop.rs:")
            && stderr.contains("AKHBAR_TEST_PANIC=read"),
        "{stderr}"
    );
    assert!(!stderr.contains("not saved"), "{stderr}");
    pty.assert_restored();
    assert_eq!(stored_read_marks(home.path(), &url), 3);
}

#[test]
fn a_panic_of_the_stores_thread_ends_the_app_and_names_what_was_not_saved() {
    let server = TestServer::start();
    server.route("/desk.xml", Reply::feed(RSS, stories(3)));
    let url = server.url("/desk.xml");
    let home = tempfile::tempdir().unwrap();
    let mut pty = ticker(home.path(), std::slice::from_ref(&url), Some("store"));
    expect_drawn(&pty, "Story 3", 0);
    // Two batches of marks made while a lock holds them back (the first story, then the
    // other two); once it lets go, the thread writes the first batch and then panics,
    // holding the second. The help, drawn once both are made, shows that they were.
    let other = lock_store(home.path());
    pty.write(b"gmM?");
    expect_drawn(&pty, "Arabic-aware", 0);
    assert!(pty.is_running(), "exited: {}", pty.stderr());
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    let status = pty.wait_exit(Duration::from_secs(20));
    let stderr = pty.stderr();
    let status = status.unwrap_or_else(|| panic!("went on without its store: {stderr}"));
    assert!(!status.success(), "{status}: {stderr}");
    for line in [
        "akhbar: internal error: a background task panicked at src/persist.rs:",
        "akhbar: not saved, since the store stopped: 2 stories marked read\n",
        "akhbar: the store stopped: internal error: AKHBAR_TEST_PANIC=store;",
    ] {
        assert!(stderr.contains(line), "{stderr:?} lacks {line:?}");
    }
    assert!(
        !contains(&pty.output(), b"panicked"),
        "a panic reached the screen: {}",
        pty.tail(1500)
    );
    pty.assert_restored();
    assert_eq!(stored_read_marks(home.path(), &url), 1);
}
