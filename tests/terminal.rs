//! The real binary on a raw pty: what it writes to the terminal and how it hands the
//! terminal back on every way out.

mod common;

use common::pty::{PtyCommand, contains};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn the_harness_runs_a_program_on_a_terminal_of_the_given_size() {
    let mut pty = PtyCommand::new(77, 22)
        .program("sh")
        .args([
            "-c",
            "stty size; test -t 0 && echo TTY; read line; echo got-$line",
        ])
        .spawn();
    assert!(pty.wait_for("22 77", PATIENCE), "{}", pty.tail(200));
    assert!(pty.wait_for("TTY", PATIENCE), "{}", pty.tail(200));
    pty.write(b"hello\n");
    let status = pty.wait_exit(PATIENCE).expect("sh exits");
    assert!(status.success());
    assert!(contains(&pty.output(), b"got-hello"), "{}", pty.tail(200));
    pty.assert_restored();
}

#[test]
fn q_quits_and_restores_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = PtyCommand::new(120, 30).home(home.path()).spawn();
    let drawn = |screen: &str| screen.contains("25 headlines");
    assert!(pty.wait_for_screen(drawn, PATIENCE), "{}", pty.screen());
    pty.write(b"q");
    let status = pty.wait_exit(PATIENCE).expect("akhbar exits on q");
    assert!(status.success(), "{status:?}: {}", pty.tail(2000));
    pty.assert_restored();
}

/// Starts the demo on a pty and waits for its first frame (in the raw output: a screen of
/// 65535×65535 cells is too big to emulate).
fn demo(pty: PtyCommand, home: &std::path::Path) -> common::pty::Pty {
    let pty = pty.home(home).spawn();
    assert!(pty.wait_for("headlines", PATIENCE), "{}", pty.tail(2000));
    pty
}

#[test]
fn a_large_paste_into_the_prompt_is_typed_in_and_ctrl_c_still_quits() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(120, 30), home.path());
    pty.write(b"/");
    assert!(
        pty.wait_for_screen(|screen| screen.contains("(25 shown"), PATIENCE),
        "{}",
        pty.screen()
    );
    let text: Vec<u8> = b"rail\r\nstrike\t\x1b[2J "
        .iter()
        .copied()
        .cycle()
        .take(8 * 1024)
        .collect();
    pty.paste(&text);
    // Typed in as one line of text, controls gone: one story matches.
    let typed = |screen: &str| {
        screen.contains("/rail strike rail strike") && !screen.contains("Shipping lanes")
    };
    assert!(pty.wait_for_screen(typed, PATIENCE), "{}", pty.screen());
    pty.write(b"\x03");
    pty.assert_exits_cleanly(PATIENCE);
}

#[test]
fn a_large_burst_of_keys_leaves_the_keyboard_working() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(120, 30), home.path());
    pty.write(b"/");
    std::thread::sleep(Duration::from_millis(300));
    // What a terminal without bracketed paste sends for a paste: the bare text.
    let text: Vec<u8> = b"rail strike "
        .iter()
        .copied()
        .cycle()
        .take(8 * 1024)
        .collect();
    pty.write(&text);
    std::thread::sleep(Duration::from_millis(300));
    pty.write(b"\x03");
    pty.assert_exits_cleanly(PATIENCE);
}

#[test]
fn a_paste_outside_the_prompt_is_no_burst_of_commands() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(120, 30), home.path());
    assert!(
        pty.wait_for("\x1b[?2004h", PATIENCE),
        "bracketed paste is on"
    );
    // Were these keys, `q` would quit and `/` open the prompt.
    let text: Vec<u8> = b"/q?s".iter().copied().cycle().take(8 * 1024).collect();
    pty.paste(&text);
    // Keys after the paste are read after it: the prompt they open is empty, so the paste
    // typed nothing and quit nothing.
    pty.write(b"/");
    let empty_prompt = |screen: &str| screen.contains("/▏  (25 shown");
    assert!(
        pty.wait_for_screen(empty_prompt, PATIENCE),
        "{}",
        pty.screen()
    );
    // Esc and `q` apart, or they read as Alt-q.
    pty.write(b"\x1b");
    assert!(
        pty.wait_for_screen(|screen| !empty_prompt(screen), PATIENCE),
        "{}",
        pty.screen()
    );
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
}

#[test]
fn a_terminal_that_never_answers_still_gets_the_ticker() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(120, 30).silent(), home.path());
    let ticker = |screen: &str| screen.contains("25 headlines") && screen.contains("◆");
    assert!(pty.wait_for_screen(ticker, PATIENCE), "{}", pty.screen());
    assert!(
        !contains(&pty.output(), common::pty::CURSOR_QUERY),
        "{}",
        pty.tail(2000)
    );
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
}

#[test]
fn an_absurd_terminal_size_is_drawn_within_a_cap_and_restored() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(u16::MAX, u16::MAX), home.path());
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    // Nothing is drawn beyond the capped area (rows and columns count from 1).
    let output = String::from_utf8_lossy(&pty.output()).into_owned();
    assert!(
        !output.contains(";1001H") && !output.contains("\x1b[501;"),
        "drawn past the cap"
    );
}

/// A local RSS feed of one story, its title and link as given (already XML-escaped).
fn one_story_feed(home: &std::path::Path, title: &str, link: &str) -> std::path::PathBuf {
    let path = home.join("feed.xml");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Floods</title>\
         <item><title>{title}</title><link>{link}</link><guid>one</guid>\
         <pubDate>Sun, 22 Oct 2023 01:29:00 GMT</pubDate><description>Body text.</description></item>\
         </channel></rss>"
    );
    std::fs::write(&path, body).unwrap();
    path
}

/// Bytes written per ticker frame while a story titled `title` runs through the ticker.
fn bytes_per_ticker_frame(title: &str) -> usize {
    let home = tempfile::tempdir().unwrap();
    let feed = one_story_feed(home.path(), title, "https://example.org/a");
    let mut pty = PtyCommand::new(120, 30)
        .home(home.path())
        .args(["--feed".as_ref(), feed.as_os_str()])
        .spawn();
    assert!(pty.wait_for("Floods", PATIENCE), "{}", pty.tail(2000));
    std::thread::sleep(Duration::from_millis(500));
    let start = pty.len();
    std::thread::sleep(Duration::from_secs(2));
    let output = pty.output();
    let window = &output[start..];
    // Every frame ends by hiding the cursor again.
    let frames = window
        .windows(6)
        .filter(|w| w == b"\x1b[?25l")
        .count()
        .max(1);
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    eprintln!("{} bytes in {frames} frames", window.len());
    window.len() / frames
}

#[test]
fn a_title_of_thirty_thousand_combining_marks_is_not_rewritten_every_frame() {
    let title = format!("Marked e{} end", "\u{301}".repeat(30_000));
    let per_frame = bytes_per_ticker_frame(&title);
    assert!(per_frame < 16 * 1024, "{per_frame} bytes per frame");
}

#[test]
fn a_title_of_a_thirty_thousand_part_zwj_chain_is_not_rewritten_every_frame() {
    let title = format!("Joined {}\u{1f469} end", "\u{1f469}\u{200d}".repeat(30_000));
    let per_frame = bytes_per_ticker_frame(&title);
    assert!(per_frame < 16 * 1024, "{per_frame} bytes per frame");
}

/// Bytes written until the first screen, the story with `link` open in the pane beside the
/// list, is drawn.
fn bytes_to_show(link: &str) -> Vec<u8> {
    let home = tempfile::tempdir().unwrap();
    let feed = one_story_feed(home.path(), "Linked story", link);
    let mut pty = PtyCommand::new(120, 30)
        .home(home.path())
        .args(["--feed".as_ref(), feed.as_os_str(), "--no-motion".as_ref()])
        .spawn();
    assert!(pty.wait_for("Body", PATIENCE) || pty.wait_for("Linked story", PATIENCE));
    assert!(pty.wait_quiet(Duration::from_millis(500), PATIENCE));
    let end = pty.len();
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    pty.output()[..end].to_vec()
}

#[test]
fn a_story_with_a_huge_link_shows_it_as_plain_text() {
    let link = format!("https://example.org/{}", "a".repeat(20_000));
    let written = bytes_to_show(&link);
    eprintln!("{} bytes to show a story with a 20 KB link", written.len());
    assert!(written.len() < 256 * 1024, "{} bytes", written.len());
    assert!(
        !contains(&written, b"\x1b]8;;https"),
        "an OSC 8 hyperlink was written"
    );
}

#[test]
fn a_hyperlink_is_written_once_per_run_of_cells() {
    let link = format!("https://example.org/{}", "b".repeat(1000));
    let written = bytes_to_show(&link);
    eprintln!("{} bytes to show a story with a 1 KB link", written.len());
    let opened = format!("\x1b]8;;{link}\x1b\\");
    let count = written
        .windows(opened.len())
        .filter(|w| *w == opened.as_bytes())
        .count();
    // The link wraps over some twenty lines of the pane, each one run: at most once per
    // row of the 30-row screen (not once per pair of cells, some 500 times).
    assert!(
        (1..=30).contains(&count),
        "the link was written {count} times"
    );
}

#[test]
fn no_color_draws_without_colours_and_keeps_the_selection() {
    let coloured = |pty: &common::pty::Pty| {
        let output = pty.output();
        contains(&output, b"38;5;") || contains(&output, b"48;5;")
    };
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(120, 30), home.path());
    assert!(
        pty.wait_for_screen(|screen| screen.contains("25 headlines"), PATIENCE),
        "{}",
        pty.screen()
    );
    assert!(coloured(&pty), "colours by default");
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);

    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(PtyCommand::new(120, 30).env("NO_COLOR", "1"), home.path());
    assert!(
        pty.wait_for_screen(|screen| screen.contains("25 headlines"), PATIENCE),
        "{}",
        pty.screen()
    );
    assert!(!coloured(&pty), "no colour at all under NO_COLOR");
    // The selection still stands out: reverse video.
    assert!(contains(&pty.output(), b"\x1b[7m"), "{}", pty.tail(400));
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
}

/// The ticker's background in the 256-colour themes: dark, light.
const DARK_TICKER: &[u8] = b"48;5;179m";
const LIGHT_TICKER: &[u8] = b"48;5;24m";

/// A terminal that answers colour queries as a light one does: OSC 10 and 11 (foreground
/// and background), then DA1.
fn light_terminal(pty: PtyCommand) -> PtyCommand {
    pty.answer(b"\x1b]10;?", b"\x1b]10;rgb:0000/0000/0000\x1b\\")
        .answer(b"\x1b]11;?", b"\x1b]11;rgb:ffff/ffff/dddd\x1b\\")
        .answer(b"\x1b[c", b"\x1b[?62;22c")
}

#[test]
fn the_auto_theme_follows_the_background_the_terminal_reports() {
    let ticker_shown = |pty: PtyCommand, config: &str| {
        let home = tempfile::tempdir().unwrap();
        common::write_config(home.path(), config);
        let mut pty = demo(pty, home.path());
        assert!(
            pty.wait_for_screen(|screen| screen.contains("25 headlines"), PATIENCE),
            "{}",
            pty.screen()
        );
        let output = pty.output();
        pty.write(b"q");
        pty.assert_exits_cleanly(PATIENCE);
        (
            contains(&output, DARK_TICKER),
            contains(&output, LIGHT_TICKER),
        )
    };
    let light = || light_terminal(PtyCommand::new(100, 20));
    assert_eq!(ticker_shown(light(), ""), (false, true));
    // A terminal that answers DA1 alone is dark by default.
    let da1_only = PtyCommand::new(100, 20).answer(b"\x1b[c", b"\x1b[?62;22c");
    assert_eq!(ticker_shown(da1_only, ""), (true, false));
    // One that answers nothing: $COLORFGBG, once the short wait is over.
    let silent = PtyCommand::new(100, 20).silent().env("COLORFGBG", "0;15");
    assert_eq!(ticker_shown(silent, ""), (false, true));
    // The config's choice is not second-guessed.
    assert_eq!(ticker_shown(light(), "theme = \"dark\"\n"), (true, false));
}
