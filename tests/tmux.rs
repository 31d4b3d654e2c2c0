//! The real binary in a real terminal: tmux (on a server of the tests' own) runs `akhbar`,
//! keys are sent with `send-keys` and the screen is read back with `capture-pane` — browsing
//! and filtering the demo, the store across a `kill -9` and a restart offline, and `o`/`y`
//! handing links to a browser and the clipboard.

mod common;

use akhbar::text::bidi::Dir;
use akhbar::text::layout::visual_line;
use common::{Reply, TestServer, akhbar_at_home};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

struct Session {
    name: String,
    _home: Option<tempfile::TempDir>,
}

/// Tests run in parallel threads of one process: each session needs a name of its own.
static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// tmux on a server of the tests' own, so that options set here (`set-clipboard`) never
/// touch the user's tmux.
/// Held while a session starts (see [`Session::launch`]).
static LAUNCH: Mutex<()> = Mutex::new(());

fn tmux() -> Command {
    let mut command = Command::new("tmux");
    command.args(["-L", &format!("akhbar-tests-{}", std::process::id())]);
    command
}

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
        Self::launch(home, width, height, "", args)
    }

    /// [`Session::start_at`] with more environment variables (`NAME=value …`).
    fn launch(home: &Path, width: u16, height: u16, env: &str, args: &str) -> Option<Self> {
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
            "env HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data TZ=UTC {env} {bin} {args}; echo AKHBAR-EXITED $?; sleep 60",
            home = home.display(),
            bin = env!("CARGO_BIN_EXE_akhbar"),
        );
        // Tests start sessions in parallel on one socket: two clients that both find no
        // server each start one, and one of them fails ("server exited unexpectedly"), as
        // does a client that meets a server on its way out. Starting one at a time, with a
        // retry, avoids both.
        let launched = {
            let _one_at_a_time = LAUNCH.lock().unwrap_or_else(PoisonError::into_inner);
            (0..3).any(|attempt| {
                if attempt > 0 {
                    std::thread::sleep(Duration::from_millis(200));
                }
                tmux()
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
                    .unwrap()
                    .success()
            })
        };
        assert!(launched, "tmux could not start a session");
        // OSC 52 from the pane lands in tmux's paste buffers, where a test can read it.
        let status = tmux()
            .args(["set-option", "-s", "set-clipboard", "on"])
            .status()
            .unwrap();
        assert!(status.success());
        Some(Self { name, _home: None })
    }

    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let status = tmux()
                .args(["send-keys", "-t", &self.name, key])
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        let status = tmux()
            .args(["send-keys", "-l", "-t", &self.name, text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends SIGKILL to the akhbar process running in the pane.
    fn kill_akhbar(&self) {
        let output = tmux()
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
        let output = tmux()
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
        let _ = tmux().args(["kill-session", "-t", &self.name]).status();
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
    // Opening a short story reads its page: the links lead to this server, not outside.
    server.route(
        "/ar.xml",
        Reply::feed(
            "application/rss+xml",
            include_str!("fixtures/feeds/arabic-demo.xml")
                .replace("https://example.org/", &server.url("/")),
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

#[test]
fn o_opens_the_link_in_the_browser_and_y_copies_it() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    // A "browser" that writes down the arguments it was given.
    let browser = home.path().join("browser");
    std::fs::write(
        &browser,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$HOME/opened\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = format!("BROWSER={}", browser.display());
    let Some(session) = Session::launch(home.path(), 100, 30, &env, "") else {
        return;
    };
    session.wait_for("headlines", |screen| screen.contains("25 headlines"));

    // `o` on the first story: the browser gets its link as its one argument.
    session.keys(&["g", "o"]);
    let opened = home.path().join("opened");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap(),
        "https://example.org/akhbar-demo/en/stories/shipping-lanes\n"
    );

    // `y` on the second: the link goes to the clipboard by OSC 52, which tmux keeps.
    session.keys(&["j", "y"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let buffer = tmux().args(["show-buffer"]).output().unwrap();
        let text = String::from_utf8_lossy(&buffer.stdout).into_owned();
        if text == "https://example.org/akhbar-demo/ar/news/1" {
            break;
        }
        assert!(Instant::now() < deadline, "clipboard holds {text:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    session.keys(&["q"]);
    session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
}

#[test]
fn read_marks_made_while_another_program_holds_the_store_are_kept() {
    let server = TestServer::start();
    server.route(
        "/ar.xml",
        Reply::feed(
            "application/rss+xml",
            include_str!("fixtures/feeds/arabic-demo.xml"),
        ),
    );
    let url = server.url("/ar.xml");
    let home = tempfile::tempdir().unwrap();
    let Some(session) = Session::start_at(home.path(), 100, 30, &format!("--feed {url}")) else {
        return;
    };
    session.wait_for("headlines", |screen| screen.contains("17 unread"));
    // Another program takes the store's write lock and keeps it well past akhbar's 5 s
    // busy timeout, through a mark, a second mark and the quit.
    let other = rusqlite::Connection::open(home.path().join("data/akhbar/akhbar.db")).unwrap();
    other.busy_timeout(Duration::from_secs(10)).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    session.keys(&["g", "m"]);
    session.wait_for("the first mark", |screen| screen.contains("16 unread"));
    std::thread::sleep(Duration::from_secs(6));
    session.keys(&["j", "m"]);
    session.wait_for("the second mark", |screen| screen.contains("15 unread"));
    session.keys(&["q"]);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !session.screen().contains("AKHBAR-EXITED"),
        "quit without waiting for the lock:\n{}",
        session.screen()
    );
    other.execute_batch("COMMIT").unwrap();
    drop(other);
    let after = session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
    assert!(!after.contains("not saved"), "{after}");

    let (code, stdout, stderr) = akhbar_at_home(
        home.path(),
        &["print", "--offline", "--format", "json", "--feed", &url],
    );
    assert_eq!(code, 0, "{stderr}");
    let read = stdout
        .lines()
        .filter(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["read"] == true)
        .count();
    assert_eq!(read, 2, "{stdout}");
}

/// An RSS feed of 20 items whose ids are all new in each `round`, dated by round.
fn churning_feed(round: u32) -> String {
    let items: String = (0..20)
        .map(|n| {
            format!(
                "<item><guid>round-{round}-{n}</guid><title>Story {n} of round {round}</title>\
                 <pubDate>Mon, 02 Nov 2026 {round:02}:{n:02}:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Churn</title>{items}</channel></rss>")
}

#[test]
fn a_feed_that_changes_every_id_holds_no_more_than_max_per_feed() {
    let home = tempfile::tempdir().unwrap();
    let feed = home.path().join("churn.xml");
    std::fs::write(&feed, churning_feed(0)).unwrap();
    let config = home.path().join("config/akhbar");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "max_per_feed = 50\n\n[[feed]]\nurl = \"{}\"\n",
            feed.display()
        ),
    )
    .unwrap();
    let Some(session) = Session::start_at(home.path(), 100, 30, "") else {
        return;
    };
    session.wait_for("the first copy", |screen| screen.contains("20 headlines"));
    for (round, held) in [(1, 40), (2, 50), (3, 50), (4, 50), (5, 50)] {
        // Written aside and moved in, so a refresh never reads half a file.
        let next = home.path().join("churn.xml.new");
        std::fs::write(&next, churning_feed(round)).unwrap();
        std::fs::rename(&next, &feed).unwrap();
        // From the top, so that the story under the cursor is one of the newest, not one
        // held over for being under it.
        session.keys(&["g", "r"]);
        let screen = session.wait_for(&format!("round {round}"), |screen| {
            screen.contains(&format!("Story 19 of round {round}"))
        });
        assert!(
            screen.contains(&format!("{held} headlines")),
            "round {round}:\n{screen}"
        );
    }
    session.keys(&["q"]);
    session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
}

/// A story whose feed gives one line: opened, its page is read in the background and the
/// pane shows the article; `f` goes back to the feed's text; after a restart with the server
/// gone, the article comes from the store.
#[test]
fn opening_a_short_story_shows_its_full_article_and_f_toggles() {
    let server = TestServer::start();
    let feed = format!(
        r#"<rss version="2.0"><channel><title>الإمارات 71</title>
        <item><title>قطر تؤكد مواصلة التنسيق مع أمريكا</title><link>{}</link>
        <guid>q1</guid><pubDate>Sun, 22 Oct 2023 01:29:00 +0000</pubDate>
        <description>قالت وزارة الخارجية القطرية يوم السبت.</description></item>
        </channel></rss>"#,
        server.url("/ar/article/1")
    );
    server.route("/ar.xml", Reply::feed("application/rss+xml", feed));
    server.route(
        "/ar/article/1",
        Reply::feed(
            "text/html; charset=utf-8",
            std::fs::read("tests/fixtures/articles/pages/ar-seed-page.html").unwrap(),
        ),
    );
    let url = server.url("/ar.xml");
    let home = tempfile::tempdir().unwrap();
    let args = format!("--feed {url}");
    let Some(session) = Session::start_at(home.path(), 120, 30, &args) else {
        return;
    };
    session.wait_for("the headline", |screen| screen.contains("1 headline"));
    session.keys(&["g", "Enter"]);
    // In the page's title, not the feed's.
    let word = visual_line("التصعيد", Dir::Rtl);
    let article = session.wait_for("the article from the page", |screen| {
        screen.contains("from the page") && screen.contains(&word)
    });
    assert!(article.contains("f: the feed's text"), "{article}");
    assert_eq!(
        server
            .seen()
            .iter()
            .filter(|seen| seen.path == "/ar/article/1")
            .count(),
        1
    );
    session.keys(&["f"]);
    let feed_text = session.wait_for("the feed's text", |screen| {
        screen.contains("the feed's text · f: from the page")
    });
    assert!(!feed_text.contains(&word), "{feed_text}");
    session.keys(&["f"]);
    session.wait_for("the article again", |screen| screen.contains(&word));
    session.keys(&["q"]);
    session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
    drop(session);

    drop(server);
    let Some(session) = Session::start_at(home.path(), 120, 30, &args) else {
        return;
    };
    session.wait_for("the stored headline", |screen| screen.contains("1 failing"));
    session.keys(&["g", "Enter"]);
    session.wait_for("the stored article, offline", |screen| {
        screen.contains("from the page") && screen.contains(&word)
    });
    session.keys(&["q"]);
    session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
}

#[test]
fn keys_rebound_in_the_config_drive_the_app_and_its_help() {
    let home = tempfile::tempdir().unwrap();
    common::write_config(
        home.path(),
        "[keys]\nopen = [\"Enter\", \"l\"]\ndown = \"n\"\nquit = \"w\"\n",
    );
    let Some(session) = Session::start_at(home.path(), 100, 30, "--no-motion") else {
        return;
    };
    session.wait_for("headlines", |screen| screen.contains("25 headlines"));
    // n n l: down twice with the new key, then open with the added one.
    session.keys(&["g", "n", "n", "l"]);
    let word = visual_line("الأمريكي", Dir::Rtl);
    session.wait_for("the third story open", |screen| screen.contains(&word));
    // The help shows the keys in effect.
    session.keys(&["Tab", "?"]);
    let help = session.wait_for("the help", |screen| screen.contains("this help"));
    let row = |what: &str| {
        help.lines()
            .find(|line| line.contains(what))
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert!(row("move down").contains("│n k ↑ move down / up"), "{help}");
    assert!(row("open the story").contains("│Enter l open"), "{help}");
    assert!(row("quit").contains("│w Ctrl-C quit"), "{help}");
    // Every row of the help shows, the pane's link under it included.
    assert!(row("mark read / unread").contains("│m mark"), "{help}");
    // q no longer quits; w does.
    session.keys(&["Escape", "q"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!session.screen().contains("AKHBAR-EXITED"));
    session.keys(&["w"]);
    session.wait_for("akhbar to exit", |screen| {
        screen.contains("AKHBAR-EXITED 0")
    });
}
