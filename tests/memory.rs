//! Memory and reads stay bounded whatever a feed holds: `akhbar print --feed FILE` on big and
//! hostile feeds peaks at most at 3 times the body plus 30 MiB (read from the child's
//! `ru_maxrss`), and a local feed that never ends stops at `max_body` with a clear error.
//!
//! Feeds are written to disk in pieces so that this process stays small: on Linux a child's
//! peak resident set counts the parent's at the time it was spawned.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;
/// Hang guard: a run that takes longer has read without bound.
const GUARD: Duration = Duration::from_secs(240);

struct Run {
    peak_kib: u64,
    code: i32,
    lines: usize,
    stderr: String,
}

/// Runs `akhbar print --feed feed` with HOME and XDG in `home`; its peak RSS through wait4.
// The child is reaped by `libc::wait4`, which `Child::wait` cannot replace: it drops the usage.
#[allow(clippy::zombie_processes)]
fn print_feed(home: &Path, feed: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_akhbar"))
        .arg("print")
        .arg("--feed")
        .arg(feed)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run akhbar");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    // Counted as it streams: held whole, the output would grow this process, and with it the
    // peak of every child spawned after.
    let lines = std::thread::spawn(move || {
        let mut block = [0u8; 64 * 1024];
        let mut lines = 0;
        while let Ok(read @ 1..) = stdout.read(&mut block) {
            lines += block[..read].iter().filter(|&&b| b == b'\n').count();
        }
        lines
    });
    let errors = std::thread::spawn(move || {
        let mut err = String::new();
        stderr.read_to_string(&mut err).ok();
        err
    });
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let started = Instant::now();
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: rusage is plain data that wait4 fills in; pid is our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "wait4 failed");
        if reaped == pid {
            break (status, usage);
        }
        if started.elapsed() > GUARD {
            child.kill().ok();
            child.wait().ok();
            panic!("akhbar print --feed {} did not end", feed.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Run {
        // Kilobytes on Linux.
        peak_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        code,
        lines: lines.join().expect("stdout reader"),
        stderr: errors.join().expect("stderr reader"),
    }
}

/// Writes `head`, then `item(0)`, `item(1)`… joined by `sep` until about `size` bytes, then
/// `tail`; returns the number of items.
fn write_feed(
    path: &Path,
    size: usize,
    head: &str,
    item: impl Fn(usize) -> String,
    sep: &str,
    tail: &str,
) -> usize {
    let mut out = BufWriter::new(File::create(path).expect("create feed"));
    out.write_all(head.as_bytes()).expect("write");
    let mut written = head.len() + tail.len();
    let mut count = 0;
    while written < size {
        if count > 0 {
            out.write_all(sep.as_bytes()).expect("write");
            written += sep.len();
        }
        let piece = item(count);
        out.write_all(piece.as_bytes()).expect("write");
        written += piece.len();
        count += 1;
    }
    out.write_all(tail.as_bytes()).expect("write");
    out.flush().expect("flush");
    count
}

const JSON_HEAD: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"big","items":["#;
const RSS_HEAD: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>big</title><link>https://example.org/</link>"#;
const RSS_TAIL: &str = "</channel></rss>";

fn json_item(i: usize) -> String {
    format!(
        r#"{{"id":"https://example.org/{i}","url":"https://example.org/{i}","title":"Headline {i} — عنوان الخبر رقم {i}","date_published":"2023-10-22T08:{:02}:00+04:00","content_html":"<p>Summary of story {i}: قالت الوزارة يوم السبت إن التنسيق مستمر.</p>"}}"#,
        i % 60
    )
}

fn rss_item(i: usize) -> String {
    format!(
        "<item><guid>https://example.org/{i}</guid><title>Headline {i} — عنوان الخبر رقم {i}</title>\
         <link>https://example.org/{i}</link><pubDate>Sun, 22 Oct 2023 05:{:02}:00 +0400</pubDate>\
         <description><![CDATA[<p>Summary of story {i}: قالت الوزارة يوم السبت إن التنسيق مستمر.</p>]]></description></item>",
        i % 60
    )
}

#[track_caller]
fn assert_bounded(name: &str, body: u64, run: &Run) {
    let budget_kib = (3 * body + 30 * MIB) / 1024;
    eprintln!("{name}: peak {} KiB of {budget_kib} KiB", run.peak_kib);
    assert!(
        run.peak_kib <= budget_kib,
        "{name}: peak {} KiB over {budget_kib} KiB for a {body}-byte feed",
        run.peak_kib
    );
}

fn size_of(path: &Path) -> u64 {
    std::fs::metadata(path).expect("feed size").len()
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).expect("home");
    (dir, home)
}

#[test]
fn json_feeds_of_empty_items_stay_small() {
    let (dir, home) = temp();
    for size in [2_000_000, 15_000_000] {
        let feed = dir.path().join(format!("empty-{size}.json"));
        // Only the last item has a title, so exactly one line shows that the feed was read.
        write_feed(
            &feed,
            size,
            JSON_HEAD,
            |_| "{}".to_string(),
            ",",
            r#",{"id":"last","title":"the last item"}]}"#,
        );
        let run = print_feed(&home, &feed);
        assert_eq!((run.code, run.lines), (0, 1), "{}", run.stderr);
        assert_bounded("empty items", size_of(&feed), &run);
    }
}

#[test]
fn json_feeds_of_real_items_stay_small() {
    let (dir, home) = temp();
    for size in [2_000_000, 15_000_000] {
        let feed = dir.path().join(format!("items-{size}.json"));
        let count = write_feed(&feed, size, JSON_HEAD, json_item, ",", "]}");
        let run = print_feed(&home, &feed);
        assert_eq!((run.code, run.lines), (0, count), "{}", run.stderr);
        assert_bounded("realistic items", size_of(&feed), &run);
    }
}

#[test]
fn a_big_rss_feed_stays_small() {
    let (dir, home) = temp();
    let feed = dir.path().join("big.xml");
    let count = write_feed(&feed, 15_000_000, RSS_HEAD, rss_item, "", RSS_TAIL);
    assert!(count >= 40_000, "{count} items");
    let run = print_feed(&home, &feed);
    assert_eq!((run.code, run.lines), (0, count), "{}", run.stderr);
    assert_bounded("rss", size_of(&feed), &run);
}

/// What a release build holds on its own (reading a one-item feed): part of the target's
/// 30 MiB.
const RELEASE_FLOOR_KIB: u64 = 12 * 1024;

#[test]
fn an_rss_feed_of_many_small_items_stays_small() {
    let (dir, home) = temp();
    // This case sits closest to the target, and an unoptimised build holds about 10 MiB more
    // of its own than a release one whatever it reads: the growth over this binary's own
    // floor is held to what the target leaves a release build.
    let tiny = dir.path().join("tiny.xml");
    std::fs::write(&tiny, format!("{RSS_HEAD}{}{RSS_TAIL}", rss_item(0))).expect("tiny feed");
    let floor = print_feed(&home, &tiny);
    assert_eq!((floor.code, floor.lines), (0, 1), "{}", floor.stderr);
    let feed = dir.path().join("small-items.xml");
    // About 130 bytes an item: the headlines, not the text, are most of what is held.
    let item = |i: usize| {
        format!(
            "<item><title>Item {i}</title><description>{}</description></item>",
            "lorem ipsum ".repeat(7)
        )
    };
    let count = write_feed(&feed, 15_000_000, RSS_HEAD, item, "", RSS_TAIL);
    assert!(count >= 100_000, "{count} items");
    let run = print_feed(&home, &feed);
    assert_eq!((run.code, run.lines), (0, count), "{}", run.stderr);
    let budget_kib = (3 * size_of(&feed) + 30 * MIB) / 1024 - RELEASE_FLOOR_KIB;
    let grown = run.peak_kib.saturating_sub(floor.peak_kib);
    eprintln!("small rss items: {grown} KiB over the floor, of {budget_kib} KiB");
    assert!(
        grown <= budget_kib,
        "small rss items: {grown} KiB over a floor of {} KiB, more than {budget_kib} KiB",
        floor.peak_kib
    );
}

#[test]
fn local_feeds_that_never_end_stop_at_max_body() {
    let (dir, home) = temp();
    let endless = dir.path().join("endless");
    let path = std::ffi::CString::new(endless.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    let writer_path = endless.clone();
    let writer = std::thread::spawn(move || {
        let mut pipe = File::options()
            .write(true)
            .open(writer_path)
            .expect("open fifo");
        let block = vec![b'<'; 64 * 1024];
        // Writes until the reader goes away (EPIPE: Rust ignores SIGPIPE).
        while pipe.write_all(&block).is_ok() {}
    });
    let sparse = dir.path().join("huge.xml");
    File::create(&sparse)
        .and_then(|f| f.set_len(17 * MIB))
        .expect("sparse file");
    for feed in [Path::new("/dev/zero"), &endless, &sparse] {
        let run = print_feed(&home, feed);
        assert_eq!(run.code, 1, "{}: {}", feed.display(), run.stderr);
        assert_eq!(
            run.stderr.trim_end(),
            format!("akhbar: {}: file is larger than 16 MiB", feed.display())
        );
        // What is read before giving up is the body.
        assert_bounded("endless", 16 * MIB, &run);
    }
    writer.join().expect("fifo writer");
}
