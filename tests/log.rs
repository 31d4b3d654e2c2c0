//! The log file as `akhbar print` leaves it: where it is, what a fetch and a failure write at
//! each level, no escape sequence from outside, and no password.

mod common;

use common::{Reply, TestServer, write_config};
use std::path::{Path, PathBuf};
use std::process::Command;

const RSS: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Logged</title>\
    <item><title>A story</title><link>http://127.0.0.1/story</link><guid>s1</guid>\
    <pubDate>Sun, 22 Oct 2023 08:00:00 GMT</pubDate></item></channel></rss>";

fn akhbar_command(home: &Path, args: &[&str]) -> Command {
    common::isolated_akhbar(home, args)
}

fn log_file(home: &Path) -> PathBuf {
    home.join("state/akhbar/akhbar.log")
}

/// Runs akhbar and returns its stderr and the log it left.
fn run_and_read_log(command: &mut Command, home: &Path) -> (String, String) {
    let output = command.output().expect("run akhbar");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let log = std::fs::read_to_string(log_file(home))
        .unwrap_or_else(|error| panic!("no log ({error}); stderr: {stderr}"));
    (stderr, log)
}

fn server() -> TestServer {
    let server = TestServer::start();
    server.route("/feed.xml", Reply::feed("application/rss+xml", RSS));
    server.route("/broken.xml", Reply::status(500));
    server
}

#[test]
fn a_fetch_is_logged_with_its_url_and_status_and_not_on_the_screen() {
    let home = tempfile::tempdir().unwrap();
    let server = server();
    let url = server.url("/feed.xml");
    let (stderr, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["print", "--feed", &url]),
        home.path(),
    );
    let line = log
        .lines()
        .find(|line| line.contains("fetched"))
        .unwrap_or_else(|| panic!("no fetch line in {log}"));
    assert!(line.contains(&url), "{line}");
    assert!(line.contains("status=200"), "{line}");
    assert!(line.contains("bytes="), "{line}");
    assert!(!stderr.contains("fetched"), "{stderr}");
}

#[test]
fn at_warn_a_failure_is_logged_but_not_the_fetches() {
    let home = tempfile::tempdir().unwrap();
    let server = server();
    let (good, broken) = (server.url("/feed.xml"), server.url("/broken.xml"));
    let (_, log) = run_and_read_log(
        &mut akhbar_command(
            home.path(),
            &[
                "print",
                "--feed",
                &good,
                "--feed",
                &broken,
                "--log-level",
                "warn",
            ],
        ),
        home.path(),
    );
    assert!(!log.contains("fetched"), "{log}");
    let failure = log
        .lines()
        .find(|line| line.contains("WARN") && line.contains(&broken))
        .unwrap_or_else(|| panic!("no failure in {log}"));
    assert!(failure.contains("500"), "{failure}");
}

#[test]
fn the_flag_wins_over_rust_log() {
    let home = tempfile::tempdir().unwrap();
    let server = server();
    let url = server.url("/feed.xml");
    let (_, log) = run_and_read_log(
        akhbar_command(
            home.path(),
            &["--log-level", "error", "print", "--feed", &url],
        )
        .env("RUST_LOG", "trace"),
        home.path(),
    );
    assert!(!log.contains("fetched"), "{log}");
    // Without the flag, RUST_LOG is heard.
    let (_, log) = run_and_read_log(
        akhbar_command(home.path(), &["print", "--feed", &url]).env("RUST_LOG", "akhbar=debug"),
        home.path(),
    );
    assert!(log.contains("DEBUG"), "{log}");
}

#[test]
fn a_url_with_an_escape_sequence_is_logged_without_it() {
    let home = tempfile::tempdir().unwrap();
    let server = server();
    let url = format!("{}\u{1b}]0;owned\u{7}", server.url("/feed.xml"));
    let (_, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["print", "--feed", &url]),
        home.path(),
    );
    assert!(log.contains(&server.url("/feed.xml")), "{log}");
    assert!(!log.contains('\u{1b}'), "{log:?}");
    assert!(!log.contains('\u{7}'), "{log:?}");
}

#[test]
fn a_password_from_password_command_is_not_logged() {
    const SECRET: &str = "l0g-s3cret-Pa55";
    let home = tempfile::tempdir().unwrap();
    let server = server();
    let script = home.path().join("pass.sh");
    std::fs::write(&script, format!("echo {SECRET}\n")).unwrap();
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\nusername = \"reader\"\n\
             password_command = [\"sh\", \"{}\"]\n",
            server.url("/feed.xml"),
            script.display()
        ),
    );
    let (_, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["print", "--log-level", "trace"]),
        home.path(),
    );
    assert!(log.contains("fetched"), "{log}");
    assert!(!log.contains(SECRET), "{log}");
    use base64::Engine as _;
    let login = base64::engine::general_purpose::STANDARD.encode(format!("reader:{SECRET}"));
    assert!(!log.contains(&login), "{log}");
    assert!(!log.to_ascii_lowercase().contains("authorization"), "{log}");
}

#[test]
fn a_log_that_cannot_be_opened_is_one_warning_and_the_run_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let server = server();
    // A file where the log's folder should be.
    std::fs::write(home.path().join("state"), "not a folder").unwrap();
    let output = akhbar_command(home.path(), &["print", "--feed", &server.url("/feed.xml")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot open the log"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("A story"));
}

#[test]
fn a_retry_after_hold_is_logged_with_the_next_attempt() {
    let home = tempfile::tempdir().unwrap();
    let server = server();
    server.route(
        "/busy.xml",
        Reply::status(503).with_header("Retry-After", "7200"),
    );
    let busy = server.url("/busy.xml");
    let (_, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["print", "--feed", &busy]),
        home.path(),
    );
    let line = log
        .lines()
        .find(|line| line.contains("WARN") && line.contains(&busy))
        .unwrap_or_else(|| panic!("no failure in {log}"));
    assert!(line.contains("Retry-After"), "{line}");
    assert!(line.contains("next_attempt="), "{line}");
    // The next run asks nothing, and says why.
    let (_, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["print", "--feed", &busy]),
        home.path(),
    );
    assert!(log.contains("not fetched"), "{log}");
}

#[test]
fn a_local_file_read_and_an_add_are_logged_and_printing_the_manual_is_not() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("local.xml");
    std::fs::write(&file, RSS).unwrap();
    let (_, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["print", "--feed", file.to_str().unwrap()]),
        home.path(),
    );
    let read = log
        .lines()
        .find(|line| line.contains(" read "))
        .unwrap_or_else(|| panic!("no read line in {log}"));
    assert!(
        read.contains("local.xml") && read.contains("bytes="),
        "{read}"
    );

    let server = server();
    let url = server.url("/feed.xml");
    let (_, log) = run_and_read_log(
        &mut akhbar_command(home.path(), &["add", &url]),
        home.path(),
    );
    assert!(
        log.lines()
            .any(|line| line.contains("fetched") && line.contains(&url)),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|line| line.contains(" add ") && line.contains("added=true")),
        "{log}"
    );

    let quiet = tempfile::tempdir().unwrap();
    let status = akhbar_command(quiet.path(), &["man"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!log_file(quiet.path()).exists());
}
