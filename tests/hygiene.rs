//! What reaches the terminal outside the TUI: escape sequences injected into feeds, file
//! names, OPML files, config files, server answers and the store never get through whole or
//! in part, and files that never end are cut off.

mod common;

use akhbar::feed::parse::parse_feed;
use chrono::{TimeZone, Utc};
use common::{Reply, TestServer, write_config};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Escape sequences of every kind, with parameters made of what the surrounding words never
/// hold (digits, punctuation, capitals), so that any residue shows.
const INJECTED: &[&str] = &[
    "\x1b[777;888H",
    "\x1b]0;PWN\x07",
    "\x1b]0;PWN\x1b\\",
    "\x1b]52;c;AAAA\x07",
    "\x1b]8;;HTTP://E.X/\x1b\\",
    "\x1bP1$R\x1b\\",
    "\x1b_APC\x1b\\",
    "\x1b[?1049H",
    "\u{9b}31;1M",
    "\u{9d}0;PWN\x07",
    "\u{9d}0;PWN\u{9c}",
];

/// `sequence` written into XML the way `form` says: raw, with its controls as character
/// references, or inside a CDATA section.
fn in_xml(sequence: &str, form: usize) -> String {
    match form {
        0 => sequence.to_owned(),
        1 => sequence
            .chars()
            .map(|c| {
                if c.is_control() {
                    format!("&#{};", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect(),
        _ => format!("<![CDATA[{sequence}]]>"),
    }
}

fn is_terminal_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

proptest! {
    #[test]
    fn sequences_injected_into_a_feed_leave_no_residue(
        pieces in proptest::collection::vec(("[a-z\u{621}-\u{64a} ]{0,8}", 0..INJECTED.len(), 0..3usize), 1..6)
    ) {
        let mut title = String::from("x");
        for (words, which, form) in &pieces {
            title.push_str(words);
            title.push_str(&in_xml(INJECTED[*which], *form));
        }
        let xml = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t{title}</title>\
             <item><title>{title}</title><description>{title}</description><guid>g</guid></item>\
             </channel></rss>"
        );
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let feed = parse_feed(xml.as_bytes(), None, None, now).unwrap();
        let headline = &feed.headlines[0];
        for text in [&feed.title, &headline.title, &headline.summary] {
            prop_assert!(!text.chars().any(is_terminal_control), "{:?}", text);
            prop_assert!(
                !text.chars().any(|c| c.is_ascii_punctuation() || c.is_ascii_digit() || c.is_ascii_uppercase()),
                "{:?} left {:?}", title, text
            );
        }
    }
}

/// Whether `text` is safe to show on a terminal: no control but newline, no DEL, no C1, no
/// bidi override or isolate.
fn assert_clean(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && is_terminal_control(c))
        .collect();
    assert!(bad.is_empty(), "{bad:?} in {text:?}");
}

/// Runs akhbar in `home` with a hang guard: killed (and the test failed) after a minute.
fn akhbar_guarded(home: &Path, args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_akhbar"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("akhbar {args:?} still running after a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const EVIL_FILE_URL: &str = "file:///tmp/x%1B]0;PWN%07%1B]52;c;AAAA%07";

#[test]
fn import_refuses_urls_that_hold_controls_even_percent_encoded() {
    let home = tempfile::tempdir().unwrap();
    let opml = home.path().join("evil.opml");
    std::fs::write(
        &opml,
        format!(
            "<opml version=\"2.0\"><body>\
             <outline text=\"Evil\" xmlUrl=\"{EVIL_FILE_URL}\"/>\
             <outline text=\"Raw\u{1b}]0;PWN\u{7}\" xmlUrl=\"https://raw.example/\u{202e}\u{1b}]0;PWN\u{7}\"/>\
             <outline text=\"Fine\" xmlUrl=\"https://fine.example/rss\"/>\
             </body></opml>"
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = akhbar_guarded(home.path(), &["import", opml.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert_clean(&stderr);
    assert!(
        stderr.contains(&format!(
            "skipped \"Evil\" ({EVIL_FILE_URL}): the URL holds percent-encoded control characters"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "skipped \"Raw\" (https://raw.example/%E2%80%AE%1B]0;PWN%07): the URL holds control characters"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("added 1 feed"), "{stderr}");
    let config = std::fs::read_to_string(home.path().join("config/akhbar/config.toml")).unwrap();
    assert!(config.contains("https://fine.example/rss"), "{config}");
    assert!(!config.contains("PWN"), "{config}");
}

#[test]
fn a_hand_written_url_with_controls_is_shown_escaped() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{EVIL_FILE_URL}\"\n\
             [[feed]]\nurl = \"/tmp/y\\u001b]0;PWN\\u0007\\u202e\\u009b2J\"\n"
        ),
    );
    let (code, _, stderr) = akhbar_guarded(home.path(), &["print"]);
    assert_eq!(code, 1, "{stderr}");
    assert_clean(&stderr);
    assert!(
        stderr.contains("akhbar: /tmp/x%1B]0;PWN%07%1B]52;c;AAAA%07: no such file\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("akhbar: /tmp/y%1B]0;PWN%07%E2%80%AE%C2%9B2J: no such file\n"),
        "{stderr}"
    );
}

#[test]
fn escapes_in_a_servers_answer_do_not_reach_stderr() {
    let server = TestServer::start();
    // HTTP allows no C0 control in a status line or header, but bytes from 0x80 up pass: C1
    // controls and bidi overrides in UTF-8. The link in the page may hold anything.
    let evil = "\u{9b}2J\u{202e}\u{9d}52;c;AAAA\u{9c}\u{9d}0;PWN\u{9c}";
    let worse = "\x1b]0;PWN\x07\u{9b}2J\u{202e}\u{9d}52;c;AAAA\u{9c}";
    server.route(
        "/reason",
        Reply::Raw(format!("HTTP/1.1 500 {evil}\r\nContent-Length: 0\r\n\r\n").into_bytes()),
    );
    server.route(
        "/status",
        Reply::Raw(format!("HTTP/1.1 5{evil}\r\nContent-Length: 0\r\n\r\n").into_bytes()),
    );
    server.route(
        "/redirect",
        Reply::Raw(
            format!(
                "HTTP/1.1 301 Moved\r\nLocation: http://{evil}.example/{evil}\r\n\
                 Content-Length: 0\r\n\r\n"
            )
            .into_bytes(),
        ),
    );
    server.route(
        "/headers",
        Reply::Raw(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={evil}\r\n\
                 Content-Length: 30\r\n\r\n<html><link rel=\"alternate\" "
            )
            .into_bytes(),
        ),
    );
    server.route(
        "/page",
        Reply::feed(
            "text/html",
            format!(
                "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" \
                 href=\"/{worse}\"></head></html>"
            ),
        ),
    );
    let home = tempfile::tempdir().unwrap();
    let urls: Vec<String> = ["/reason", "/status", "/redirect", "/headers", "/page"]
        .iter()
        .map(|path| server.url(path))
        .collect();
    let mut args = vec!["print"];
    for url in &urls {
        args.extend(["--feed", url.as_str()]);
    }
    let (code, _, stderr) = akhbar_guarded(home.path(), &args);
    assert_eq!(code, 1, "{stderr}");
    assert_clean(&stderr);
    assert_eq!(stderr.lines().count(), urls.len(), "{stderr}");
    // The page's link is followed with the sequences it hid removed whole, as in a feed's
    // links, and the line says which feed failed.
    assert!(
        stderr.contains(&format!(
            "{}: the page's feed {}: HTTP 404",
            server.url("/page"),
            server.url("/")
        )),
        "{stderr}"
    );
}

#[test]
fn controls_in_attributes_the_reader_looks_at_reach_no_output() {
    let home = tempfile::tempdir().unwrap();
    let feed = home.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>x</title>\
         <content type=\"text/\u{9b}2J\u{202e}\u{9d}0;PWN\u{7}\" src=\"a\"/>\
         <link href=\"https://e.x/\u{1b}]0;PWN\u{7}1\" rel=\"alter\u{1b}[2Jnate\"/></entry></feed>",
    )
    .unwrap();
    let (code, stdout, stderr) = akhbar_guarded(
        home.path(),
        &[
            "print",
            "--format",
            "json",
            "--feed",
            feed.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_clean(&stdout);
    assert_clean(&stderr);
    assert!(stdout.contains("\"title\":\"x\""), "{stdout}");
    assert!(
        !stdout.contains("PWN") && !stderr.contains("PWN"),
        "{stdout}{stderr}"
    );
}

#[test]
fn usage_errors_quoting_an_argument_are_clean() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = akhbar_guarded(home.path(), &["\u{1b}]0;PWN\u{7}\u{202e}"]);
    assert_eq!(code, 2, "{stderr}");
    assert_clean(&stderr);
    assert!(stderr.contains("unrecognized subcommand"), "{stderr}");
}

#[test]
fn sequences_in_a_feed_leave_no_residue_in_print() {
    let home = tempfile::tempdir().unwrap();
    let feed = home.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Src&#27;]0;PWN&#7;</title>\
         <item><title>a&#27;[777;888H&#27;]0;PWN&#7;b \u{1b}[31mc\u{1b}]0;PWN\u{7} \
         <![CDATA[d\u{1b}]52;c;AAAA\u{7}e]]> &amp;#27;[5mf \u{9d}0;PWN\u{9c}g</title>\
         <description>s&#27;P1$r&#27;\\um</description><guid>1</guid></item></channel></rss>",
    )
    .unwrap();
    let path = feed.to_str().unwrap();
    let (code, tsv, stderr) = akhbar_guarded(home.path(), &["print", "--feed", path]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(tsv.split('\t').nth(2), Some("ab c de f g"), "{tsv:?}");
    let (_, json, _) = akhbar_guarded(home.path(), &["print", "--format", "json", "--feed", path]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["title"], "ab c de f g");
    assert_eq!(value["source"], "Src");
    assert_eq!(value["summary"], "sum");
}

#[test]
fn print_cleans_again_what_the_store_holds() {
    let home = tempfile::tempdir().unwrap();
    let feed = home.path().join("feed.xml");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>S</title><item><title>t</title>\
         <link>https://e.example/1</link><description>d</description><guid>1</guid></item>\
         </channel></rss>",
    )
    .unwrap();
    let path = feed.to_str().unwrap();
    let (code, _, stderr) = akhbar_guarded(home.path(), &["print", "--feed", path]);
    assert_eq!(code, 0, "{stderr}");

    // What an older akhbar, or anything else, may have written.
    let store = rusqlite::Connection::open(home.path().join("data/akhbar/akhbar.db")).unwrap();
    let evil = "\u{1b}]0;PWN\u{7}\u{9b}2J\u{202e}\u{1b}[777;888H";
    let changed = store
        .execute(
            "UPDATE headlines SET title = ?1, summary = ?2, link = ?3",
            [
                format!("T{evil}itle"),
                format!("Sum{evil}mary\tend"),
                format!("https://e.example/{evil}"),
            ],
        )
        .unwrap();
    assert_eq!(changed, 1);
    store
        .execute("UPDATE sources SET name = ?1", [format!("Sou{evil}rce")])
        .unwrap();
    drop(store);

    for format in ["json", "tsv"] {
        let (code, stdout, stderr) = akhbar_guarded(
            home.path(),
            &["print", "--offline", "--format", format, "--feed", path],
        );
        assert_eq!(code, 0, "{stderr}");
        // Tabs separate TSV columns.
        assert_clean(&stdout.replace('\t', " "));
        assert!(
            !stdout.contains("PWN") && !stdout.contains("777"),
            "{stdout}"
        );
        assert!(!stdout.contains("\\u"), "{stdout}");
        if format == "json" {
            let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(value["title"], "Title");
            assert_eq!(value["summary"], "Summary end");
            assert_eq!(value["source"], "Source");
            assert_eq!(value["link"], "https://e.example/");
        }
    }
}

#[test]
fn export_keeps_urls_exactly_and_import_reads_them_back() {
    let urls = [
        "https://x.example/a%20b?q=one two",
        "https://x.example/tab\there",
        "https://x.example/two  spaces",
    ];
    let home = tempfile::tempdir().unwrap();
    let config: String = urls
        .iter()
        .map(|url| format!("[[feed]]\nurl = {}\n", toml_string(url)))
        .collect();
    write_config(home.path(), &config);
    let (code, opml, stderr) = akhbar_guarded(home.path(), &["export"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        opml.contains("xmlUrl=\"https://x.example/a%20b?q=one two\""),
        "{opml}"
    );
    assert!(
        opml.contains("xmlUrl=\"https://x.example/tab&#9;here\""),
        "{opml}"
    );
    assert!(
        opml.contains("xmlUrl=\"https://x.example/two  spaces\""),
        "{opml}"
    );
    assert_clean(&opml);

    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("exported.opml");
    std::fs::write(&file, &opml).unwrap();
    let (code, _, stderr) = akhbar_guarded(elsewhere.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("added 3 feeds"), "{stderr}");
    let imported =
        akhbar::config::load(&elsewhere.path().join("config/akhbar/config.toml")).unwrap();
    let read: Vec<_> = imported
        .feeds
        .iter()
        .map(|feed| feed.url.as_str())
        .collect();
    assert_eq!(read, urls);
}

fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string()
}

#[cfg(unix)]
#[test]
fn endless_config_and_opml_files_are_cut_off() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = akhbar_guarded(home.path(), &["--config", "/dev/zero", "print"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "akhbar: /dev/zero: larger than 1 MiB, the most akhbar reads of a config file\n"
    );
    let (code, _, stderr) = akhbar_guarded(home.path(), &["import", "/dev/zero"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "akhbar: /dev/zero: larger than 16 MiB, the most akhbar reads of an OPML file\n"
    );
    assert!(!home.path().join("config/akhbar/config.toml").exists());
}

#[cfg(unix)]
#[test]
fn fifos_that_never_end_end() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo_arg = fifo.to_str().unwrap();

    // Fed forever: the cap ends it.
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut pipe = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        let chunk = [b'#'; 64 * 1024];
        // Ends when akhbar closes its end.
        while pipe.write_all(&chunk).is_ok() {}
    });
    let (code, _, stderr) = akhbar_guarded(home.path(), &["--config", fifo_arg, "print"]);
    assert_eq!(code, 2);
    assert!(
        stderr.ends_with("larger than 1 MiB, the most akhbar reads of a config file\n"),
        "{stderr}"
    );
    writer.join().unwrap();

    // Never written to: the deadline ends it.
    let (code, _, stderr) = akhbar_guarded(home.path(), &["import", fifo_arg]);
    assert_eq!(code, 2);
    assert!(
        stderr.ends_with("not read within 10s (a pipe nobody writes to?)\n"),
        "{stderr}"
    );
}
