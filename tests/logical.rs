//! The logical mode (`bidi = "terminal"`) drawn headless, each row then laid out the way a
//! terminal that reorders by itself lays it out, and compared cell by cell with the row
//! akhbar draws in its own layout: what the terminal shows must be what akhbar would.

mod common;

use akhbar::source::{Location, Source};
use akhbar::text::bidi::mirror;
use akhbar::text::logical::Flavour;
use akhbar::tui::state::{Action, AppState, Msg};
use akhbar::ui::{TextMode, UiCache};
use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};
use unicode_segmentation::UnicodeSegmentation;

/// Headlines and a story that take every path of the bidi algorithm a feed takes: harakat,
/// lam-alef, brackets and guillemets inside right-to-left text, numbers with separators,
/// Latin inside Arabic and Arabic inside Latin, a long paragraph that wraps.
const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>نشرة الاختبار</title><link>https://example.org/</link>
<description>test</description><language>ar</language>
<item><title>قطر تؤكد (7) مواصلة التنسيق مع «أمريكا» لخفض التصعيد</title><guid>t1</guid>
<pubDate>Sun, 22 Oct 2023 09:00:00 +0000</pubDate>
<description>قالَ وزيرُ الخارجيةِ إنَّ المحادثاتَ مع وفد CNN استمرت 3 ساعات (من 10:00 حتى 13:00)، وإن «الاتفاق» الذي يضم 24 بندا سيعلن غدا في الدوحة. وأضاف أن الأطراف لا تزال تختلف على البند [12] وعلى جدول الانسحاب، لكن الوسطاء يأملون في التوصل إلى صيغة نهائية قبل نهاية الأسبوع المقبل.</description></item>
<item><title>الليرة السورية تواصل التحسن منذ سقوط النظام</title><guid>t2</guid>
<pubDate>Sun, 22 Oct 2023 08:00:00 +0000</pubDate>
<description>سجلت الليرة 11,500 مقابل الدولار صباح اليوم، بعد أن كانت 15,000 الأسبوع الماضي.</description></item>
<item><title>Ferry service (line 7) resumes after the storm in «الإسكندرية»</title><guid>t3</guid>
<pubDate>Sun, 22 Oct 2023 07:00:00 +0000</pubDate>
<description>The first boats left the harbour of الإسكندرية at dawn, the port authority (هيئة الميناء) said.</description></item>
<item><title>مباراة الأهلي والزمالك تنتهي بالتعادل 2-2 في القاهرة</title><guid>t4</guid>
<pubDate>Sun, 22 Oct 2023 06:00:00 +0000</pubDate><description>انتهت المباراة بالتعادل.</description></item>
</channel></rss>"#;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 30;

/// The state after the feed loaded once, the first story open in the pane.
async fn state() -> AppState {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.xml");
    std::fs::write(&path, FEED).unwrap();
    let source = Source::new(Location::parse(path.to_str().unwrap()).unwrap());
    let mut state = state_of(vec![source]).await;
    state.update(Msg::Action(Action::Open));
    state
}

/// The state after each of `sources` loaded once.
async fn state_of(sources: Vec<Source>) -> AppState {
    common::loaded_state(
        sources,
        Utc.with_ymd_and_hms(2023, 10, 22, 10, 0, 0).unwrap(),
        None,
    )
    .await
}

fn app_mode(shape: bool) -> TextMode {
    TextMode {
        shape,
        ..TextMode::default()
    }
}

fn logical_mode(flavour: Flavour) -> TextMode {
    TextMode {
        reorder: false,
        logical: flavour,
        ..TextMode::default()
    }
}

/// The symbol of every cell, row by row, as the backend writes them.
fn cells(state: &AppState, mode: TextMode) -> Vec<Vec<String>> {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal
        .draw(|frame| akhbar::ui::render(state, &mut UiCache::new(mode), frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..HEIGHT)
        .map(|y| {
            (0..WIDTH)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect()
        })
        .collect()
}

/// What a terminal with a bidi algorithm of its own shows for a row of cells: the row read
/// as one left-to-right paragraph, isolates honoured, each right-to-left run reversed by
/// grapheme cluster; with `mirroring`, brackets at odd levels mirrored (rule L4). Konsole
/// mirrors nothing, and drops a character that takes no column written at the start of a
/// row, having no cell before it to join.
fn terminal_shows(row: &[String], mirroring: bool, drops_leading_controls: bool) -> Vec<String> {
    let mut text = String::new();
    for (x, symbol) in row.iter().enumerate() {
        if x == 0 && drops_leading_controls {
            text.push_str(symbol.trim_start_matches(takes_no_column));
        } else {
            text.push_str(symbol);
        }
    }
    let info = BidiInfo::new(&text, Some(Level::ltr()));
    let paragraph = &info.paragraphs[0];
    let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
    let mut shown = Vec::new();
    for run in runs {
        let rtl = levels[run.start].is_rtl();
        let mut clusters: Vec<String> = text[run]
            .graphemes(true)
            .map(|cluster| {
                cluster
                    .chars()
                    .filter(|&c| !is_invisible(c))
                    .map(|c| {
                        if rtl && mirroring && bidi_class(c) == BidiClass::ON {
                            mirror(c)
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
            })
            .filter(|cluster| !cluster.is_empty())
            .collect();
        if rtl {
            clusters.reverse();
        }
        shown.extend(clusters);
    }
    shown
}

fn takes_no_column(c: char) -> bool {
    is_invisible(c) || unicode_width::UnicodeWidthChar::width(c) == Some(0)
}

/// Directional controls and joiners: they steer the terminal, it draws nothing for them.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2066}'..='\u{2069}'
    )
}

/// The rows of `truth` that the terminal shows otherwise for `sent`, with both.
fn wrong_rows(
    truth: &[Vec<String>],
    sent: &[Vec<String>],
    mirroring: bool,
    drops_leading_controls: bool,
) -> Vec<(usize, String, String)> {
    let mut wrong = Vec::new();
    for (y, (truth_row, sent_row)) in truth.iter().zip(sent).enumerate() {
        let shown = terminal_shows(sent_row, mirroring, drops_leading_controls);
        if shown != *truth_row {
            wrong.push((y, shown.concat(), truth_row.concat()));
        }
    }
    wrong
}

#[tokio::test]
async fn konsole_shows_the_list_the_pane_and_the_ticker_as_akhbar_lays_them_out() {
    let mut state = state().await;
    // The ticker moves rightwards (most items are Arabic): every cut of every item at both
    // edges of the strip comes by within its cycle.
    for _ in 0..90 {
        let truth = cells(&state, app_mode(true));
        let sent = cells(&state, logical_mode(Flavour::Konsole));
        let wrong = wrong_rows(&truth, &sent, false, true);
        assert!(
            wrong.is_empty(),
            "at offset {}: {wrong:#?}",
            state.ticker_offset()
        );
        state.update(Msg::Tick(Duration::from_millis(375)));
    }
}

#[tokio::test]
async fn konsole_shows_the_demo_as_akhbar_lays_it_out() {
    let mut state = state_of(akhbar::source::demo_sources()).await;
    for story in 0..6 {
        state.update(Msg::Action(Action::Open));
        for (flavour, shape, mirroring, drops) in [
            (Flavour::Konsole, true, false, true),
            (Flavour::Generic, false, true, false),
        ] {
            let truth = cells(&state, app_mode(shape));
            let sent = cells(&state, logical_mode(flavour));
            let wrong = wrong_rows(&truth, &sent, mirroring, drops);
            assert!(wrong.is_empty(), "{flavour:?}, story {story}: {wrong:#?}");
        }
        state.update(Msg::Action(Action::Back));
        state.update(Msg::Action(Action::Down));
        state.update(Msg::Tick(Duration::from_millis(2300)));
    }
}

#[tokio::test]
async fn konsole_gets_akhbars_shaping_and_mirrored_brackets_in_logical_order() {
    let state = state().await;
    let sent = cells(&state, logical_mode(Flavour::Konsole));
    let title_row: String = sent[1].concat();
    // The first story's title, selected: presentation forms, the lam-alef of «التصعيد»'s
    // neighbour as one character, and the brackets of (7) mirrored, in logical order.
    assert!(title_row.contains("\u{FEBB}"), "{title_row}");
    let (close, seven, open) = (
        title_row.find(')').unwrap(),
        title_row.find('7').unwrap(),
        title_row.find('(').unwrap(),
    );
    assert!(close < seven && seven < open, "{title_row}");
    assert!(title_row.contains('\u{2067}'), "{title_row}");
    assert!(!title_row.contains('\u{0644}'), "{title_row}");
}

#[tokio::test]
async fn a_generic_terminal_shows_the_text_as_akhbar_lays_it_out_unshaped() {
    let mut state = state().await;
    for _ in 0..60 {
        let truth = cells(&state, app_mode(false));
        let sent = cells(&state, logical_mode(Flavour::Generic));
        let wrong = wrong_rows(&truth, &sent, true, false);
        assert!(
            wrong.is_empty(),
            "at offset {}: {wrong:#?}",
            state.ticker_offset()
        );
        state.update(Msg::Tick(Duration::from_millis(560)));
    }
    let sent = cells(&state, logical_mode(Flavour::Generic));
    let text: String = sent.concat().concat();
    // The text's own characters: no presentation forms, brackets as written.
    assert!(!text.chars().any(|c| ('\u{FE70}'..='\u{FEFF}').contains(&c)));
    assert!(text.contains("(7)"), "{text}");
}

#[tokio::test]
async fn the_still_ticker_shows_each_headline_in_place() {
    let mut state = state().await.with_motion(false, 8.0);
    for _ in 0..4 {
        for (flavour, shape, mirroring, drops) in [
            (Flavour::Konsole, true, false, true),
            (Flavour::Generic, false, true, false),
        ] {
            let truth = cells(&state, app_mode(shape));
            let sent = cells(&state, logical_mode(flavour));
            let wrong = wrong_rows(&truth[..1], &sent[..1], mirroring, drops);
            assert!(wrong.is_empty(), "{flavour:?}: {wrong:#?}");
        }
        state.update(Msg::Action(Action::Down));
        state.update(Msg::Tick(Duration::from_secs(8)));
    }
}
