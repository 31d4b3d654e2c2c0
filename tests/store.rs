//! The store across runs of the real binary: validators on the wire, offline printing,
//! failures shown over the cache, retention, and a damaged file set aside.

mod common;

use common::{Reply, TestServer, akhbar_at_home, write_config};
use std::path::Path;

const ARABIC_DEMO: &str = include_str!("fixtures/feeds/arabic-demo.xml");

/// An RSS feed of items `ids`, each dated by its number.
fn rss(ids: std::ops::RangeInclusive<u32>) -> String {
    let items: String = ids
        .map(|id| {
            format!(
                "<item><guid>story-{id}</guid><title>خبر رقم {id}</title>\
                 <link>https://example.org/news/{id}</link>\
                 <pubDate>Mon, 02 Nov 2026 {:02}:{:02}:00 GMT</pubDate></item>",
                id / 60,
                id % 60
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>أخبار الاختبار</title><language>ar</language>{items}</channel></rss>"
    )
}

fn titles(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|line| line.split('\t').nth(2).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_second_run_sends_the_stored_validators_and_prints_the_stored_copy_on_304() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Reply::Sequence(vec![
            Reply::feed("application/rss+xml", ARABIC_DEMO)
                .with_header("ETag", "W/\"v1,2\"")
                .with_header("Last-Modified", "Sun, 22 Oct 2023 02:00:00 GMT"),
            Reply::status(304),
        ]),
    );
    let url = server.url("/feed.xml");
    let home = tempfile::tempdir().unwrap();

    let (code, first, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first.lines().count(), 17);

    let (code, second, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(second, first, "the 304 run prints the stored copy");

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers.get("if-none-match"), None);
    assert_eq!(
        seen[1].headers.get("if-none-match").map(String::as_str),
        Some("W/\"v1,2\"")
    );
    assert_eq!(
        seen[1].headers.get("if-modified-since").map(String::as_str),
        Some("Sun, 22 Oct 2023 02:00:00 GMT")
    );
}

#[test]
fn offline_print_makes_no_request_and_a_dead_server_shows_the_cache_with_the_failure() {
    let server = TestServer::start();
    server.route("/feed.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    let url = server.url("/feed.xml");
    let home = tempfile::tempdir().unwrap();
    let (code, online, _) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 0);

    let (code, offline, stderr) =
        akhbar_at_home(home.path(), &["print", "--offline", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(offline, online);
    assert_eq!(server.seen().len(), 1, "--offline made a request");

    drop(server);
    let (code, stale, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 1, "every source failed: {stderr}");
    assert_eq!(stale, online, "the stored copy is still printed");
    assert!(stderr.starts_with(&format!("akhbar: {url}: ")), "{stderr}");
}

#[test]
fn offline_without_a_cache_says_so() {
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = akhbar_at_home(
        home.path(),
        &[
            "print",
            "--offline",
            "--feed",
            "https://example.invalid/feed.xml",
        ],
    );
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("nothing stored yet"), "{stderr}");
}

#[test]
fn retention_keeps_the_latest_copy_and_at_most_max_per_feed_of_the_rest() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Reply::Sequence(vec![
            Reply::feed("application/rss+xml", rss(1..=10)),
            Reply::feed("application/rss+xml", rss(11..=20)),
            Reply::feed("application/rss+xml", rss(21..=22)),
        ]),
    );
    let url = server.url("/feed.xml");
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!("max_per_feed = 5\n\n[[feed]]\nurl = \"{url}\"\n"),
    );
    for _ in 0..2 {
        let (code, _, stderr) = akhbar_at_home(home.path(), &["print"]);
        assert_eq!(code, 0, "{stderr}");
    }
    // The latest copy (10 items) is kept whole; the older ones leave, over the limit of 5.
    let (_, stored, _) = akhbar_at_home(home.path(), &["print", "--offline"]);
    let expected: Vec<String> = (11..=20).rev().map(|id| format!("خبر رقم {id}")).collect();
    assert_eq!(titles(&stored), expected);

    // A short copy: the feed's 2 and the newest 3 of the rest make 5.
    let (code, _, _) = akhbar_at_home(home.path(), &["print"]);
    assert_eq!(code, 0);
    let (_, stored, _) = akhbar_at_home(home.path(), &["print", "--offline"]);
    let expected: Vec<String> = [22, 21, 20, 19, 18]
        .iter()
        .map(|id| format!("خبر رقم {id}"))
        .collect();
    assert_eq!(titles(&stored), expected);
}

#[test]
fn a_damaged_store_is_set_aside_with_a_message_and_a_new_one_works() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("data/akhbar");
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = b"this is not a database, it was a bad day for the disk".repeat(100);
    std::fs::write(dir.join("akhbar.db"), &garbage).unwrap();

    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["print"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 25, "the demo still prints");
    let aside: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), garbage, "kept as it was");
    assert!(
        stderr.contains("store was damaged") && stderr.contains(&*aside[0].to_string_lossy()),
        "{stderr}"
    );

    // The fresh store works: a second run finds it whole and says nothing about it.
    let (code, _, stderr) = akhbar_at_home(home.path(), &["print", "--offline"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("damaged"), "{stderr}");
}

#[test]
fn two_processes_share_the_store() {
    let server = TestServer::start();
    server.route("/a.xml", Reply::feed("application/rss+xml", rss(1..=300)));
    server.route("/b.xml", Reply::feed("application/rss+xml", ARABIC_DEMO));
    let (a, b) = (server.url("/a.xml"), server.url("/b.xml"));
    let home = tempfile::tempdir().unwrap();
    let runs: Vec<_> = (0..4)
        .map(|n| {
            let home = home.path().to_owned();
            let url = if n % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || akhbar_at_home(&home, &["print", "--feed", &url]))
        })
        .collect();
    for run in runs {
        let (code, _, stderr) = run.join().unwrap();
        assert_eq!(code, 0, "{stderr}");
        assert!(!stderr.contains("store"), "{stderr}");
    }
    let (code, stored, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--offline", "--feed", &a, "--feed", &b],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stored.lines().count(), 300 + 17);
}

#[test]
fn a_store_from_a_newer_akhbar_is_left_alone_and_said_so() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("data/akhbar");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("akhbar.db");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
        .unwrap();
    drop(connection);
    let before = std::fs::read(&path).unwrap();

    let (code, stdout, stderr) = akhbar_at_home(home.path(), &["print"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 25, "the demo still prints");
    assert!(
        stderr.contains("newer") && stderr.contains("nothing is kept"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is untouched"
    );
}

#[test]
fn a_damaged_value_in_the_store_costs_only_its_row() {
    let server = TestServer::start();
    server.route("/feed.xml", Reply::feed("application/rss+xml", rss(1..=10)));
    let url = server.url("/feed.xml");
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    let connection = rusqlite::Connection::open(home.path().join("data/akhbar/akhbar.db")).unwrap();
    connection
        .execute_batch(&format!(
            "UPDATE headlines SET published = {} WHERE id = 'story-3';
             UPDATE headlines SET published = 'yesterday' WHERE id = 'story-5';",
            1_i64 << 62
        ))
        .unwrap();
    drop(connection);

    let (code, stored, stderr) =
        akhbar_at_home(home.path(), &["print", "--offline", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    let expected: Vec<String> = [10, 9, 8, 7, 6, 4, 2, 1]
        .iter()
        .map(|id| format!("خبر رقم {id}"))
        .collect();
    assert_eq!(titles(&stored), expected);
    assert_eq!(
        stderr.matches("2 damaged entries in the store").count(),
        1,
        "{stderr}"
    );
}

/// Runs akhbar at `home` as a user without privileges: this one, or `nobody` when the tests
/// run as root (root ignores file permissions). `None` when that user cannot run it.
fn akhbar_unprivileged(home: &Path, args: &[&str]) -> Option<(i32, String, String)> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    const NOBODY: u32 = 65534;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_akhbar"));
    command
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HOME", home);
    if std::fs::metadata(home).unwrap().uid() == 0 {
        fn give(path: &Path) {
            std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
            if path.is_dir() {
                for entry in std::fs::read_dir(path).unwrap() {
                    give(&entry.unwrap().path());
                }
            }
        }
        give(home);
        command.uid(NOBODY).gid(NOBODY);
    }
    match command.output() {
        Ok(output) if output.status.code() != Some(126) => Some((
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )),
        other => {
            eprintln!("skipping: an unprivileged user cannot run the binary here: {other:?}");
            None
        }
    }
}

#[test]
fn a_read_only_store_folder_still_shows_the_cached_headlines() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let (code, online, stderr) = akhbar_at_home(home.path(), &["print"]);
    assert_eq!(code, 0, "{stderr}");
    let dir = home.path().join("data/akhbar");
    let before = std::fs::read(dir.join("akhbar.db")).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();

    let Some((code, offline, stderr)) = akhbar_unprivileged(home.path(), &["print", "--offline"])
    else {
        return;
    };
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(offline, online, "the cache is read");
    assert_eq!(
        stderr.matches("cannot be written").count(),
        1,
        "said once: {stderr}"
    );
    assert!(stderr.contains("nothing new is kept this run"), "{stderr}");
    assert!(!stderr.contains("nothing stored yet"), "{stderr}");
    assert_eq!(std::fs::read(dir.join("akhbar.db")).unwrap(), before);
}

/// What the store at `home` keeps of the source at `url`.
fn stored_health(home: &Path, url: &str) -> akhbar::model::Health {
    let path = home.join("data/akhbar/akhbar.db");
    let store = akhbar::store::Store::open_read_only(&path).unwrap();
    store.load(&[url]).unwrap().remove(0).health
}

#[test]
fn a_servers_retry_after_outlives_the_print_that_met_it() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Reply::Sequence(vec![
            Reply::feed("application/rss+xml", rss(1..=3)),
            Reply::status(429).with_header("Retry-After", "3600"),
            Reply::feed("application/rss+xml", rss(1..=4)),
        ]),
    );
    let url = server.url("/feed.xml");
    let home = tempfile::tempdir().unwrap();
    let (code, fresh, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(fresh.lines().count(), 3);

    let before = chrono::Utc::now();
    let (code, stale, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stale, fresh, "the stored copy shows");
    assert_eq!(
        stderr,
        format!("akhbar: {url}: HTTP 429 Too Many Requests\n")
    );
    let health = stored_health(home.path(), &url);
    let not_before = health.not_before.expect("the Retry-After is stored");
    let hour = chrono::TimeDelta::seconds(3600);
    assert!(
        not_before >= before + hour && not_before <= chrono::Utc::now() + hour,
        "{health:?}"
    );
    assert!(health.next_attempt >= Some(not_before), "{health:?}");
    assert!(health.last_success.is_some(), "the earlier success is kept");
    assert_eq!(health.status, Some(429));

    let (code, waited, stderr) = akhbar_at_home(home.path(), &["print", "--feed", &url]);
    assert_eq!(server.seen().len(), 2, "asked again within the Retry-After");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(waited, fresh);
    let until = not_before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(
        stderr,
        format!(
            "akhbar: {url}: not fetched until {until}, as the server asked after HTTP 429 Too Many Requests\n"
        )
    );
    assert_eq!(
        stored_health(home.path(), &url),
        health,
        "a run that waited changes nothing"
    );
}
