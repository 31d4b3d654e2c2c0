//! `akhbar watch` and `akhbar count` end to end: the real binary, a loopback server, a local
//! feed file rewritten while it runs, and the store they share.

mod common;

use common::{Reply, TestServer, isolated_akhbar, write_config};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const RSS: &str = "application/rss+xml";

/// Long enough for a loaded machine; nothing waits this long when things work.
const PATIENCE: Duration = Duration::from_secs(30);

use common::desk_feed as feed;

/// Replaces the file at once, so that a refresh never reads half of it.
fn write_atomically(path: &Path, text: &str) {
    let next = path.with_extension("next");
    std::fs::write(&next, text).unwrap();
    std::fs::rename(&next, path).unwrap();
}

/// A running `akhbar watch`, killed if a test fails before it ends, and its stdout's lines.
struct Watching {
    child: Child,
    lines: Receiver<String>,
}

impl Watching {
    /// The process, and its standard output for the caller to read.
    fn spawn(home: &Path, args: &[&str]) -> (Self, ChildStdout) {
        let mut child = isolated_akhbar(home, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (_, lines) = channel();
        (Watching { child, lines }, stdout)
    }

    /// The process, its lines read as they come.
    fn start(home: &Path, args: &[&str]) -> Self {
        let (mut watching, stdout) = Self::spawn(home, args);
        let (tx, lines) = channel();
        watching.lines = lines;
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        watching
    }

    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(PATIENCE)
            .expect("a line within the patience")
    }

    /// Waits for the process to end: its exit code and standard error.
    fn wait(mut self) -> (i32, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut stderr)
                    .unwrap();
                return (status.code().unwrap_or(-1), stderr);
            }
            assert!(Instant::now() < deadline, "akhbar watch did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) takes a pid and a signal number; nothing in memory is at stake.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn title(line: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|error| {
        panic!("not a JSON line ({error}): {line}");
    });
    assert_eq!(value["read"], false, "{line}");
    value["title"].as_str().unwrap().to_owned()
}

#[test]
fn watch_prints_each_new_matching_story_once_and_keeps_them_in_the_store() {
    let server = TestServer::start();
    server.route("/desk.xml", Reply::feed(RSS, feed(&[("1", "gaza stored")])));
    let home = tempfile::tempdir().unwrap();
    let local = home.path().join("local.xml");
    write_atomically(&local, &feed(&[("l1", "gaza local stored")]));
    write_config(
        home.path(),
        &format!(
            "[[mute]]\nquery = \"football\"\n\
             [[feed]]\nurl = \"{}\"\n\
             [[feed]]\nurl = \"{}\"\nrefresh = \"1s\"\n",
            server.url("/desk.xml"),
            local.display()
        ),
    );
    let (code, _, stderr) = common::akhbar_at_home(home.path(), &["print"]);
    assert_eq!(code, 0, "{stderr}");

    // Stored, new, muted, unmatched, and one whose text tries to drive the terminal.
    server.route(
        "/desk.xml",
        Reply::feed(
            RSS,
            feed(&[
                ("1", "gaza stored"),
                ("2", "gaza \u{1b}]0;PWN\u{7}new"),
                ("3", "gaza football"),
                ("4", "weather"),
            ]),
        ),
    );
    let watching = Watching::start(
        home.path(),
        &["watch", "--filter", "gaza", "--format", "json"],
    );
    let first = watching.next_line();
    assert!(!first.contains(['\u{1b}', '\u{7}']), "{first:?}");
    assert_eq!(title(&first), "gaza new");

    // A story that appears after the start, beside one the other feed already brought.
    write_atomically(
        &local,
        &feed(&[
            ("l1", "gaza local stored"),
            ("2", "gaza new"),
            ("l2", "gaza later"),
        ]),
    );
    assert_eq!(title(&watching.next_line()), "gaza later");
    // Had anything been printed twice, it would come before this one (oldest first).
    write_atomically(
        &local,
        &feed(&[
            ("l1", "gaza local stored"),
            ("2", "gaza new"),
            ("l2", "gaza later"),
            ("l3", "gaza third"),
        ]),
    );
    assert_eq!(title(&watching.next_line()), "gaza third");

    watching.signal(libc::SIGTERM);
    let (code, stderr) = watching.wait();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    // What the watch saw is in the store: a later run finds it.
    let (code, stored, stderr) =
        common::akhbar_at_home(home.path(), &["print", "--offline", "--filter", "gaza"]);
    assert_eq!(code, 0, "{stderr}");
    for kept in ["gaza new", "gaza later", "gaza third"] {
        assert!(stored.contains(kept), "{kept} not kept:\n{stored}");
    }
    assert!(
        !stored.contains("football"),
        "muted in print too:\n{stored}"
    );
}

#[test]
fn watch_ends_quietly_on_sigint_and_when_its_reader_goes() {
    let server = TestServer::start();
    server.route(
        "/desk.xml",
        Reply::feed(RSS, feed(&[("2", "two"), ("1", "one")])),
    );
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!("[[feed]]\nurl = \"{}\"\n", server.url("/desk.xml")),
    );

    let watching = Watching::start(home.path(), &["watch"]);
    let first = watching.next_line();
    assert_eq!(first.split('\t').count(), 4, "{first}");
    assert_eq!(first.split('\t').nth(2), Some("one"), "oldest first");
    assert_eq!(watching.next_line().split('\t').nth(2), Some("two"));
    watching.signal(libc::SIGINT);
    let (code, stderr) = watching.wait();
    assert_eq!((code, stderr.as_str()), (0, ""));

    // Everything is stored now: nothing more will be written, yet the watch sees its
    // reader go. `--backlog` prints the stored stories first.
    let (watching, stdout) = Watching::spawn(home.path(), &["watch", "--backlog"]);
    let (tx, first) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send((line, reader));
    });
    let (line, reader) = first.recv_timeout(PATIENCE).expect("the backlog");
    assert_eq!(line.split('\t').nth(2), Some("one"));
    drop(reader);
    let (code, stderr) = watching.wait();
    assert_eq!((code, stderr.as_str()), (0, ""), "no message, no panic");
}

#[test]
fn count_gives_unread_stories_in_all_and_per_view_with_mutes_and_read_marks() {
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = common::akhbar_at_home(home.path(), &["count"]);
    assert_eq!((code, stdout.as_str()), (0, "0\n"), "{stderr}");
    assert!(
        !home.path().join("data/akhbar/akhbar.db").exists(),
        "count starts no store"
    );

    let server = TestServer::start();
    server.route(
        "/desk.xml",
        Reply::feed(
            RSS,
            feed(&[
                ("1", "gaza one"),
                ("2", "gaza two"),
                ("3", "gaza football"),
                ("4", "weather"),
                ("5", "sport news"),
            ]),
        ),
    );
    let url = server.url("/desk.xml");
    write_config(
        home.path(),
        &format!(
            "[[view]]\nname = \"Gaza\"\nquery = \"gaza\"\n\
             [[view]]\nname = \"Sport\"\nquery = \"sport OR football\"\n\
             [[mute]]\nquery = \"football\"\n\
             [[feed]]\nurl = \"{url}\"\n"
        ),
    );
    let (code, _, stderr) = common::akhbar_at_home(home.path(), &["print"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = common::akhbar_at_home(home.path(), &["count"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "4  Gaza 2  Sport 1\n");

    // A story read (as the screen marks it) is no longer counted.
    {
        let path = home.path().join("data/akhbar/akhbar.db");
        let mut store = akhbar::store::Store::open(&path).unwrap().store;
        assert!(store.set_read(&url, "1", true).unwrap());
    }
    let (code, stdout, stderr) =
        common::akhbar_at_home(home.path(), &["count", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"unread": 3, "views": {"Gaza": 1, "Sport": 1}})
    );
    let (_, stdout, _) = common::akhbar_at_home(home.path(), &["count", "--filter", "gaza"]);
    assert_eq!(
        stdout, "1  Gaza 1  Sport 0\n",
        "the filter narrows every count"
    );
    let (code, _, stderr) = common::akhbar_at_home(home.path(), &["count", "--filter", "title:"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad --filter"), "{stderr}");
}
