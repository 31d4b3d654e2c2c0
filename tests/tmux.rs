//! The real binary in a real terminal: tmux runs `akhbar` on the demo feeds, keys are sent
//! with `send-keys` and the screen is read back with `capture-pane`.

mod common;

use akhbar::text::bidi::Dir;
use akhbar::text::layout::visual_line;
use common::{Reply, TestServer, akhbar_at_home};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Session {
    name: String,
    _home: Option<tempfile::TempDir>,
}

/// Tests run in parallel threads of one process: each session needs a name of its own.
static SESSIONS: AtomicUsize = AtomicUsize::new(0);

impl Session {
    /// Starts akhbar in a detached tmux session of the given size, with a fresh home;
    /// `None` without tmux.
    fn start(width: u16, height: u16, args: &str) -> Option<Self> {
        let home = tempfile::tempdir().unwrap();
        let mut session = Self::start_at(home.path(), width, height, args)?;
        session._home = Some(home);
        Some(session)
    }

    /// [`Session::start`] with a home directory the caller keeps (config and store).
    fn start_at(home: &Path, width: u16, height: u16, args: &str) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is missing; .ci/run installs it"
            );
            eprintln!("skipping: tmux is not installed");
            return None;
        }
        let name = format!(
            "akhbar-test-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::Relaxed)
        );
        let command = format!(
            "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data TZ=UTC {bin} {args}; echo AKHBAR-EXITED $?; sleep 60",
            home = home.display(),
            bin = env!("CARGO_BIN_EXE_akhbar"),
        );
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                &command,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        Some(Self { name, _home: None })
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = Command::new("tmux")
                .args(["send-keys", "-t", &self.name, key])
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["send-keys", "-l", "-t", &self.name, text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends SIGKILL to the akhbar process running in the pane.
    fn kill_akhbar(&self) {
        let output = Command::new("tmux")
            .args(["list-panes", "-t", &self.name, "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell: i32 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap();
        // The pane's shell has one child, akhbar: found in /proc, as `pkill` may be missing.
        let akhbar = std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .find(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
                stat.contains("(akhbar)")
                    && after_name.split_whitespace().nth(1) == Some(&*shell.to_string())
            })
            .expect("akhbar runs in the pane");
        // SAFETY: kill(2) takes a pid and a signal number; nothing in memory is at stake.
        assert_eq!(unsafe { libc::kill(akhbar, libc::SIGKILL) }, 0);
    }

    fn screen(&self) -> String {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the screen satisfies `ready`, and returns it.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

fn list_rows(screen: &str) -> usize {
    // List rows start with the unread marker or a blank, then the date column.
    screen
        .lines()
        .skip(1)
        .filter(|line| line.contains(" Oct "))
        .count()
}

#[test]
fn browse_filter_and_quit_in_a_real_terminal() {
    let Some(session) = Session::start(100, 30, "") else {
        return;
    };
    let shipping = "Shipping lanes reopen";
    // Both demo feeds loaded: they arrive one at a time.
    let first = session.wait_for("headlines", |screen| {
        screen.contains("25 headlines") && screen.contains(shipping)
    });
    let all_rows = list_rows(&first);
    assert!(all_rows >= 10, "{first}");

    // The ticker moves on its own.
    let ticker = |screen: &str| screen.lines().next().unwrap_or_default().to_owned();
    let before = ticker(&first);
    session.wait_for("the ticker to move", |screen| ticker(screen) != before);

    // g j j Enter opens the third story, the seed article, in the pane.
    session.keys(&["g", "j", "j", "Enter"]);
    let word = visual_line("الأمريكي", Dir::Rtl);
    let article = session.wait_for("the article body", |screen| screen.contains(&word));
    assert!(
        article.contains(&visual_line("الإمارات", Dir::Rtl)),
        "{article}"
    );

    // `/` and a word narrow the list and the ticker.
    session.keys(&["/"]);
    session.type_text("rail");
    let narrowed = session.wait_for("the filter", |screen| list_rows(screen) == 1);
    assert!(narrowed.contains("Rail strike called off"), "{narrowed}");
    let strip = ticker(&narrowed);
    assert!(!strip.contains("Shipping"), "ticker not narrowed: {strip}");

    // Esc Esc: the prompt closes (clearing the filter), then the pane is left.
    session.keys(&["Escape", "Escape"]);
    let restored = session.wait_for("all headlines back", |screen| list_rows(screen) == all_rows);
    assert!(restored.contains(shipping));

    // q quits and the terminal is restored: the shell's line is back on a clear screen.
    session.keys(&["q"]);
    let after = session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
    assert!(!after.contains(shipping), "screen not restored:\n{after}");
}

#[test]
fn cached_headlines_and_read_marks_survive_a_restart_with_the_network_down() {
    let server = TestServer::start();
    server.route(
        "/ar.xml",
        Reply::feed(
            "application/rss+xml",
            include_str!("../assets/demo/arabic.xml"),
        ),
    );
    let url = server.url("/ar.xml");
    let home = tempfile::tempdir().unwrap();
    let args = format!("--feed {url}");

    // First run: the feed arrives; opening the first story marks it read. Then `kill -9`:
    // what was committed must still be there.
    let Some(session) = Session::start_at(home.path(), 100, 30, &args) else {
        return;
    };
    session.wait_for("headlines", |screen| {
        screen.contains("17 headlines") && screen.contains("17 unread")
    });
    session.keys(&["g", "Enter"]);
    session.wait_for("the read mark", |screen| screen.contains("16 unread"));
    std::thread::sleep(Duration::from_millis(300));
    session.kill_akhbar();
    session.wait_for("akhbar to be killed", |screen| {
        screen.contains("AKHBAR-EXITED 137")
    });
    drop(session);

    // The server is gone: the restart shows the stored headlines and read mark at once, and
    // says the source is failing.
    drop(server);
    let Some(session) = Session::start_at(home.path(), 100, 30, &args) else {
        return;
    };
    let screen = session.wait_for("the cached headlines and the failure", |screen| {
        screen.contains("17 headlines")
            && screen.contains("16 unread")
            && screen.contains("1 failing")
    });
    assert!(
        screen.contains(&visual_line("الليرة السورية", Dir::Rtl)),
        "{screen}"
    );
    session.keys(&["q"]);
    session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });

    // And `print` agrees: one story read, offline.
    let (code, stdout, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--offline", "--format", "json", "--feed", &url],
    );
    assert_eq!(code, 0, "{stderr}");
    let read: Vec<bool> = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["read"] == true)
        .collect();
    assert_eq!(read.len(), 17);
    assert_eq!(read.iter().filter(|&&r| r).count(), 1, "{stdout}");
}
