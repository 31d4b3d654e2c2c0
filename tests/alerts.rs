//! `[[alert]]` end to end: the real binary on a pty, its feed on a loopback server, and the
//! store across a restart. A new matching story makes one desktop notification (OSC 777) on
//! the terminal and runs the alert's command with the story as JSON; the same stories after
//! a restart make none.

mod common;

use common::pty::PtyCommand;
use common::{Reply, TestServer, write_config};
use std::time::{Duration, Instant};

const RSS: &str = "application/rss+xml";
const PATIENCE: Duration = Duration::from_secs(30);
const NOTIFY: &[u8] = b"\x1b]777;notify;";

use common::desk_feed as feed;

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

/// akhbar on a pty in `home`, with no terminal of its own to name in the environment.
fn start(home: &std::path::Path) -> common::pty::Pty {
    let mut command = PtyCommand::new(120, 30).home(home);
    for name in [
        "TMUX",
        "KITTY_WINDOW_ID",
        "ITERM_SESSION_ID",
        "TERM_PROGRAM",
        "RUST_LOG",
    ] {
        command = command.env_remove(name);
    }
    command.spawn()
}

/// Waits until `path` holds something, or the patience runs out.
fn wait_for_file(path: &std::path::Path) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Presses `r` and waits until the server has been asked again and the answer has had time
/// to be merged.
fn refresh(pty: &mut common::pty::Pty, server: &TestServer) {
    let asked = server.seen().len();
    pty.write(b"r");
    let deadline = Instant::now() + PATIENCE;
    while server.seen().len() == asked {
        assert!(Instant::now() < deadline, "no refresh: {}", pty.tail(2000));
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1000));
}

#[test]
fn a_new_matching_story_notifies_once_and_a_restart_with_it_stored_not_at_all() {
    let home = tempfile::tempdir().unwrap();
    let server = TestServer::start();
    server.route(
        "/feed",
        Reply::feed(RSS, feed(&[("a", "Markets open"), ("b", "Summit in Doha")])),
    );
    let story_file = home.path().join("story.json");
    write_config(
        home.path(),
        &format!(
            "[[alert]]\nquery = \"summit OR قمة\"\nbell = true\ncommand = [\"tee\", {:?}]\n\n\
             [[feed]]\nurl = \"{}\"\n",
            story_file.display().to_string(),
            server.url("/feed")
        ),
    );

    let mut pty = start(home.path());
    // The first copy is the start-up load: "Summit in Doha" matches, but is no news.
    assert!(
        pty.wait_for_screen(|screen| screen.contains("Summit in Doha"), PATIENCE),
        "{}",
        pty.screen()
    );
    server.route(
        "/feed",
        Reply::feed(
            RSS,
            feed(&[
                ("c", "قمة الرياض (2026) تبدأ"),
                ("a", "Markets open"),
                ("b", "Summit in Doha"),
            ]),
        ),
    );
    let before = pty.len();
    pty.write(b"r");
    assert!(
        pty.wait_for_after(before, NOTIFY, PATIENCE),
        "{}",
        pty.tail(2000)
    );
    let json = wait_for_file(&story_file);
    let story: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(story["title"], "قمة الرياض (2026) تبدأ");
    assert_eq!(story["link"], "https://e.x/c");
    // A second refresh brings nothing new.
    refresh(&mut pty, &server);
    let output = pty.output();
    assert_eq!(count(&output, NOTIFY), 1, "{}", pty.tail(3000));
    // The bell rang with it.
    assert_eq!(count(&output, b"\x07\x1b]777;notify;"), 1);
    let notice = &output[before..];
    let at = notice
        .windows(NOTIFY.len())
        .position(|window| window == NOTIFY)
        .unwrap();
    let shown = String::from_utf8_lossy(&notice[at..]);
    assert!(
        shown.starts_with("\u{1b}]777;notify;Desk;قمة الرياض (2026) تبدأ\u{7}"),
        "{shown:?}"
    );
    // The pinned story leads the ticker, flagged.
    assert!(
        pty.wait_for_screen(|screen| screen.contains('⚑'), PATIENCE),
        "{}",
        pty.screen()
    );
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);

    // Restarted on the same store and the same feed: nothing is news.
    std::fs::remove_file(&story_file).unwrap();
    let mut pty = start(home.path());
    assert!(
        pty.wait_for_screen(|screen| screen.contains("Markets open"), PATIENCE),
        "{}",
        pty.screen()
    );
    refresh(&mut pty, &server);
    assert_eq!(count(&pty.output(), NOTIFY), 0, "{}", pty.tail(3000));
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    assert!(!story_file.exists());
}
