//! What akhbar writes in each terminal family's mode, laid out as that terminal shows it:
//! the real binary on a raw pty, its screen read back cell by cell, each family's own
//! handling of the cells applied, and the result compared with the app's layout.

mod common;

use akhbar::text::kitty;
use common::pty::{Pty, PtyCommand, contains};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use std::path::Path;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(20);
const COLS: u16 = 120;
const ROWS: u16 = 30;

/// The bundled demo, still, on a 120×30 pty, once its first full frame is drawn.
fn demo(command: PtyCommand, home: &Path) -> Pty {
    let mut pty = command.home(home).args(["--no-motion"]).spawn();
    let drawn = |screen: &str| screen.contains("25 headlines");
    assert!(pty.wait_for_screen(drawn, PATIENCE), "{}", pty.screen());
    // The demo's feeds race: the selection stays on whichever story came first, so the
    // pane of two runs differs until the top story is selected.
    pty.write(b"g");
    assert!(pty.wait_quiet(Duration::from_millis(300), PATIENCE));
    pty
}

/// Rows of cells as text, from the list's first row, without the status line: the still
/// ticker shows whichever headline came first (the feeds race), the status line a clock.
fn rows(cells: &[Vec<(String, bool)>]) -> Vec<String> {
    let shown = cells.len().saturating_sub(1);
    cells[..shown]
        .iter()
        .skip(1)
        .map(|row| row.iter().map(|(text, _)| cell_text(text)).collect())
        .collect()
}

fn cell_text(text: &str) -> &str {
    if text.is_empty() { " " } else { text }
}

/// The app's own layout: what a terminal without bidi shows (xterm).
fn app_layout() -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(
        PtyCommand::new(COLS, ROWS).args(["--bidi", "app"]),
        home.path(),
    );
    let layout = rows(&pty.cells());
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    layout
}

#[test]
fn app_mode_asks_for_explicit_bidi_and_writes_visual_order() {
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(
        PtyCommand::new(COLS, ROWS).args(["--bidi", "app"]),
        home.path(),
    );
    assert!(contains(&pty.output(), b"\x1b[8l"), "BDSM explicit is sent");
    let layout = rows(&pty.cells());
    // The demo's Arabic source name, in visual order and shaped, right-aligned in its column.
    assert!(
        layout
            .iter()
            .any(|row| row.contains("71 ﺕﺍﺭﺎﻣﻹﺍ │") || row.contains("71 ﺕﺍﺭﺎﻣﻹﺍ ")),
        "{layout:#?}"
    );
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    assert!(contains(&pty.output(), b"\x1b[8h"), "BDSM is restored");
}

#[test]
fn kittys_shaper_turns_what_akhbar_writes_into_the_apps_layout() {
    let expected = app_layout();
    let home = tempfile::tempdir().unwrap();
    let mut pty = demo(
        PtyCommand::new(COLS, ROWS).env("KITTY_WINDOW_ID", "1"),
        home.path(),
    );
    let cells = pty.cells();
    let written = rows(&cells);
    assert_ne!(written, expected, "right-to-left runs are written reversed");
    let mut buf = Buffer::empty(Rect::new(0, 0, COLS, ROWS));
    for (y, row) in (0..).zip(&cells) {
        for (x, (text, bold)) in (0..).zip(row) {
            let cell = &mut buf[(x, y)];
            cell.set_symbol(cell_text(text));
            if *bold {
                cell.modifier = Modifier::BOLD;
            }
        }
    }
    let shown: Vec<String> = (1..ROWS - 1)
        .map(|y| kitty::shown_by_kitty(&buf, y))
        .collect();
    for (y, (shown, expected)) in (1..).zip(shown.iter().zip(&expected)) {
        assert_eq!(shown, expected, "row {y}");
    }
    // The ticker, whichever headline it shows, reads as laid out: its words are the list's.
    let ticker = kitty::shown_by_kitty(&buf, 0);
    let words: Vec<&str> = ticker.split_whitespace().collect();
    let arabic = words
        .iter()
        .filter(|w| w.chars().any(|c| c > '\u{FE70}'))
        .count();
    let listed = words
        .iter()
        .filter(|w| w.chars().any(|c| c > '\u{FE70}'))
        .filter(|w| expected.iter().any(|row| row.contains(**w)))
        .count();
    assert!(arabic == 0 || listed * 2 >= arabic, "{ticker}");
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
}

/// mlterm's configuration sequences: its bidi off, and back on.
const BIDI_OFF: &[u8] = b"\x1b]5379;use_ctl=false\x07";
const BIDI_ON: &[u8] = b"\x1b]5379;use_ctl=true\x07";

fn mlterm(home: &Path, answer: Option<&[u8]>) -> (Pty, Vec<String>) {
    let mut command = PtyCommand::new(COLS, ROWS).env("MLTERM", "3.9.0");
    if let Some(answer) = answer {
        std::fs::create_dir_all(home.join(".mlterm")).unwrap();
        std::fs::write(home.join(".mlterm/challenge"), "k3y9\n").unwrap();
        command = command.answer(b"\x1b]5380;k3y9;use_ctl\x07", answer);
    }
    let pty = demo(command, home);
    let layout = rows(&pty.cells());
    (pty, layout)
}

#[test]
fn mlterms_bidi_is_switched_off_for_the_run_and_back_on_after() {
    let expected = app_layout();
    let home = tempfile::tempdir().unwrap();
    let (mut pty, shown) = mlterm(home.path(), Some(b"#use_ctl=true\n"));
    assert!(contains(&pty.output(), BIDI_OFF));
    assert!(!contains(&pty.output(), BIDI_ON));
    // With its bidi off, mlterm shows the cells as written: the app's layout.
    assert_eq!(shown, expected);
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    assert!(contains(&pty.output(), BIDI_ON), "{}", pty.tail(300));
}

#[test]
fn mlterms_bidi_found_off_is_left_off() {
    let home = tempfile::tempdir().unwrap();
    let (mut pty, _) = mlterm(home.path(), Some(b"#use_ctl=false\n"));
    assert!(contains(&pty.output(), BIDI_OFF));
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    assert!(!contains(&pty.output(), BIDI_ON), "{}", pty.tail(300));
}

#[test]
fn without_mlterms_challenge_nothing_is_asked_and_its_default_is_restored() {
    let home = tempfile::tempdir().unwrap();
    let (mut pty, _) = mlterm(home.path(), None);
    assert!(
        !contains(&pty.output(), b"\x1b]5380"),
        "no query mlterm would not answer"
    );
    assert!(contains(&pty.output(), BIDI_OFF));
    pty.write(b"q");
    pty.assert_exits_cleanly(PATIENCE);
    assert!(contains(&pty.output(), BIDI_ON));
}
