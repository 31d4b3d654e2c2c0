//! The real binary in a real terminal: tmux runs `akhbar` on the demo feeds, keys are sent
//! with `send-keys` and the screen is read back with `capture-pane`.

use akhbar::text::bidi::Dir;
use akhbar::text::layout::visual_line;
use std::process::Command;
use std::time::{Duration, Instant};

struct Session {
    name: String,
    _home: tempfile::TempDir,
}

impl Session {
    /// Starts akhbar in a detached tmux session of the given size; `None` without tmux.
    fn start(width: u16, height: u16, args: &str) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is missing; .ci/run installs it"
            );
            eprintln!("skipping: tmux is not installed");
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        let name = format!("akhbar-test-{}", std::process::id());
        let command = format!(
            "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data TZ=UTC {bin} {args}; echo AKHBAR-EXITED $?; sleep 60",
            home = home.path().display(),
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
        Some(Self { name, _home: home })
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
