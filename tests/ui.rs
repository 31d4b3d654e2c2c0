//! The ticker screen drawn headless on ratatui's `TestBackend`, after real feed events.

mod common;

use akhbar::refresh::{FeedEvent, Health, Update};
use akhbar::source::demo_sources;
use akhbar::tui::state::{Action, AppState, Msg};
use akhbar::tui::terminal::background::Background;
use akhbar::ui::UiCache;
use akhbar::ui::theme::{ColorDepth, Role, Theme};
use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

async fn demo_state() -> AppState {
    state_of(demo_sources()).await
}

/// The state after each of `sources` loaded once.
async fn state_of(sources: Vec<akhbar::source::Source>) -> AppState {
    common::loaded_state(
        sources,
        Utc.with_ymd_and_hms(2023, 10, 22, 3, 0, 0).unwrap(),
        Some("showing the bundled demo feeds".into()),
    )
    .await
}

fn draw(state: &AppState, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| akhbar::ui::render(state, &mut UiCache::default(), frame))
        .unwrap();
    terminal.backend().to_string()
}

#[tokio::test]
async fn demo_start_up() {
    let state = demo_state().await;
    insta::assert_snapshot!(draw(&state, 100, 12));
}

#[tokio::test]
async fn the_ticker_crawls_and_the_selection_moves() {
    let mut state = demo_state().await;
    let before = draw(&state, 60, 12);
    let selected = state.selected();
    state.update(Msg::Tick(Duration::from_secs(1)));
    state.update(Msg::Action(Action::Down));
    state.update(Msg::Action(Action::Down));
    let after = draw(&state, 60, 12);
    let first_line =
        |screen: &str| -> Vec<char> { screen.lines().next().unwrap().chars().collect() };
    let (ticker_before, ticker_after) = (first_line(&before), first_line(&after));
    assert_ne!(ticker_before, ticker_after);
    // Most demo headlines are Arabic, so the strip reads right to left and moves rightwards:
    // eight cells a second, text entering at the left edge (index 0 is the opening quote).
    assert_eq!(ticker_before[1..32], ticker_after[9..40]);
    assert_eq!(state.selected(), selected + 2);
}

fn press(state: &mut AppState, actions: &[Action]) {
    for action in actions {
        state.update(Msg::Action(action.clone()));
    }
}

#[tokio::test]
async fn article_pane_with_the_seed_article_side_by_side() {
    let mut state = demo_state().await;
    press(
        &mut state,
        &[Action::Top, Action::Down, Action::Down, Action::Open],
    );
    insta::assert_snapshot!(draw(&state, 130, 24));
}

#[tokio::test]
async fn active_filter_narrows_list_and_ticker() {
    let mut state = demo_state().await;
    press(&mut state, &[Action::StartFilter]);
    for c in "سوريا".chars() {
        press(&mut state, &[Action::FilterChar(c)]);
    }
    press(&mut state, &[Action::FilterAccept]);
    assert_eq!(state.visible().len(), 5, "{:?}", state.filter());
    insta::assert_snapshot!(draw(&state, 100, 14));
}

#[tokio::test]
async fn narrow_terminal_and_too_small() {
    let state = demo_state().await;
    insta::assert_snapshot!("narrow", draw(&state, 40, 10));
    let tiny = draw(&state, 39, 10);
    assert!(tiny.contains("terminal too small"), "{tiny}");
}

#[tokio::test]
async fn sources_view_and_help() {
    let mut state = demo_state().await;
    press(&mut state, &[Action::ToggleSources]);
    insta::assert_snapshot!("sources", draw(&state, 100, 14));
    press(&mut state, &[Action::Back, Action::ToggleHelp]);
    insta::assert_snapshot!("help", draw(&state, 100, 24));
}

#[tokio::test]
async fn the_help_scrolls_when_the_screen_is_short() {
    let mut state = demo_state().await;
    state.update(akhbar::tui::state::Msg::ScreenHeight(14));
    press(&mut state, &[Action::ToggleHelp]);
    let top = draw(&state, 100, 14);
    assert!(top.contains("keys (j/k scroll)"), "{top}");
    press(&mut state, &[Action::Bottom]);
    let bottom = draw(&state, 100, 14);
    insta::assert_snapshot!("help_scrolled_to_its_end", bottom);
    let last = state.keys().help_rows().last().unwrap().1;
    assert!(bottom.contains(last), "{bottom}");
    assert!(!top.contains(last), "{top}");
    // One step back up shows a change at once.
    press(&mut state, &[Action::Up]);
    assert_ne!(draw(&state, 100, 14), bottom);
}

#[tokio::test]
async fn arabic_list_right_aligned_with_read_marks() {
    let arabic: Vec<_> = demo_sources()
        .into_iter()
        .filter(|source| {
            ["demo:latest", "demo:arabic"].contains(&source.location.to_string().as_str())
        })
        .collect();
    let mut state = state_of(arabic).await;
    // The first story read, the third selected: the list shows both.
    press(
        &mut state,
        &[Action::Top, Action::ToggleRead, Action::Down, Action::Down],
    );
    assert_eq!(state.unread(), 16);
    let screen = draw(&state, 100, 16);
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn unread_only_narrows_the_list_and_says_so() {
    let mut state = demo_state().await;
    press(
        &mut state,
        &[
            Action::Top,
            Action::ToggleRead,
            Action::Down,
            Action::ToggleUnreadOnly,
        ],
    );
    let screen = draw(&state, 100, 12);
    let status = screen.lines().last().unwrap();
    assert!(
        status.contains("unread only: 24 of 25 · 24 unread"),
        "{status}"
    );
    assert!(
        !screen.contains("Shipping lanes"),
        "the read story is hidden"
    );
}

#[tokio::test]
async fn the_sources_view_says_when_a_feed_lists_no_items() {
    let mut state = demo_state().await;
    let now = Utc.with_ymd_and_hms(2023, 10, 22, 3, 5, 0).unwrap();
    state.update(Msg::Feed(FeedEvent {
        index: 2,
        health: Health {
            last_success: Some(now),
            status: Some(200),
            items: 0,
            ..Health::default()
        },
        update: Update::Changed(Box::default()),
    }));
    press(&mut state, &[Action::ToggleSources]);
    let screen = draw(&state, 100, 14);
    let lines: Vec<&str> = screen.lines().collect();
    let english = lines
        .iter()
        .position(|line| line.contains("·  demo:english"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(lines[english + 1].contains("no items"), "{screen}");
    let arabic = lines
        .iter()
        .position(|line| line.contains("·  demo:arabic"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(lines[arabic + 1].contains("ok"), "{screen}");
    assert!(!lines[arabic + 1].contains("no items"), "{screen}");
}

/// A story whose feed gave one line, opened: while its page is on its way the pane says
/// so; once it came, the page's Arabic article shows under "from the page", and `f` goes back
/// to the feed's text.
#[tokio::test]
async fn the_pane_shows_a_storys_full_article_from_its_page_and_f_goes_back() {
    let feed = akhbar::source::Source::new(
        akhbar::source::Location::parse("tests/fixtures/feeds/arabic-demo.xml").unwrap(),
    );
    let mut state = state_of(vec![feed]).await;
    let mut asked = None;
    for action in [Action::Top, Action::Open] {
        let commands = state.update(Msg::Action(action));
        asked = asked.or(commands
            .into_iter()
            .find(|command| matches!(command, akhbar::tui::state::Command::FetchPages(_))));
    }
    let Some(akhbar::tui::state::Command::FetchPages(stories)) = asked else {
        panic!("no page asked for: {asked:?}");
    };
    let [akhbar::tui::state::PageRequest { story, link, .. }] = stories.as_slice() else {
        panic!("{stories:?}");
    };
    assert_eq!(link, "https://example.org/akhbar-demo/ar/news/1");
    let fetching = draw(&state, 130, 24);
    assert!(fetching.contains("reading the story's page…"), "{fetching}");

    let bytes = std::fs::read("tests/fixtures/articles/pages/ar-seed-page.html").unwrap();
    let base = url::Url::parse(link).unwrap();
    let page = akhbar::article::extract_page(&bytes, Some("text/html"), Some(&base)).unwrap();
    state.update(Msg::Page {
        story: story.clone(),
        page: Ok(std::sync::Arc::new(page)),
    });
    insta::assert_snapshot!(draw(&state, 130, 24));

    state.update(Msg::Action(Action::ToggleFullText));
    let feed_text = draw(&state, 130, 24);
    assert!(
        feed_text.contains("the feed's text · f: from the page"),
        "{feed_text}"
    );
}

/// The screen with each cell's colours and emphasis, as ratatui prints a buffer: the text,
/// then every change of style with the cell where it starts.
fn draw_styled(state: &AppState, theme: Theme, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut cache = UiCache::default().with_theme(theme);
    terminal
        .draw(|frame| akhbar::ui::render(state, &mut cache, frame))
        .unwrap();
    format!("{:#?}", terminal.backend().buffer())
}

/// A screen with every look of the list and the pane: a read story, the selection, the
/// pane focused on an article with its meta line and link.
async fn themed_state() -> AppState {
    let mut state = demo_state().await;
    press(
        &mut state,
        &[Action::Top, Action::ToggleRead, Action::Down, Action::Open],
    );
    state
}

#[tokio::test]
async fn the_dark_theme_in_256_colours() {
    let state = themed_state().await;
    let theme = Theme::builtin(Background::Dark, ColorDepth::Indexed256);
    insta::assert_snapshot!(draw_styled(&state, theme, 100, 14));
}

#[tokio::test]
async fn the_light_theme_in_256_colours() {
    let state = themed_state().await;
    let theme = Theme::builtin(Background::Light, ColorDepth::Indexed256);
    insta::assert_snapshot!(draw_styled(&state, theme, 100, 14));
}

#[tokio::test]
async fn the_light_theme_in_16_colours() {
    let state = themed_state().await;
    let theme = Theme::builtin(Background::Light, ColorDepth::Ansi16);
    insta::assert_snapshot!(draw_styled(&state, theme, 100, 14));
}

#[tokio::test]
async fn no_color_keeps_emphasis_alone() {
    let state = themed_state().await;
    let screen = draw_styled(&state, Theme::without_color(ColorDepth::TrueColor), 100, 14);
    for colour in ["Indexed", "Rgb", "Yellow", "Cyan", "Blue", "Green", "Red"] {
        assert!(!screen.contains(colour), "{colour} in {screen}");
    }
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn colors_from_the_config_replace_the_themes_and_fit_the_terminal() {
    let state = themed_state().await;
    let overrides = [(
        Role::Ticker,
        akhbar::ui::theme::parse_style("#000000 on #ffd75f bold").unwrap(),
    )];
    let at = |depth| {
        let theme = Theme::builtin(Background::Dark, depth).with(&overrides);
        draw_styled(&state, theme, 100, 14)
    };
    let ticker_start = |screen: &str| {
        screen
            .lines()
            .find(|line| line.trim().starts_with("x: 0, y: 0,"))
            .unwrap()
            .trim()
            .to_owned()
    };
    assert_eq!(
        ticker_start(&at(ColorDepth::TrueColor)),
        "x: 0, y: 0, fg: Rgb(0, 0, 0), bg: Rgb(255, 215, 95), underline: Reset, modifier: BOLD,"
    );
    assert_eq!(
        ticker_start(&at(ColorDepth::Indexed256)),
        "x: 0, y: 0, fg: Indexed(16), bg: Indexed(221), underline: Reset, modifier: BOLD,"
    );
    assert_eq!(
        ticker_start(&at(ColorDepth::Ansi16)),
        "x: 0, y: 0, fg: Black, bg: LightYellow, underline: Reset, modifier: BOLD,"
    );
}

#[tokio::test]
async fn views_on_a_tab_line_with_their_unread_counts() {
    let view = |name: &str, query: &str| akhbar::tui::state::View {
        name: name.into(),
        query: akhbar::query::Query::parse(query).unwrap(),
    };
    let mut state = demo_state()
        .await
        .with_views(
            vec![
                view("سوريا", "سوريا OR syria"),
                view("World", "source:\"World Desk\""),
            ],
            None,
        )
        .with_mutes(
            vec![akhbar::query::Query::parse("ليفربول").unwrap()],
            Default::default(),
        );
    press(&mut state, &[Action::View(1)]);
    insta::assert_snapshot!(draw(&state, 100, 12));
}

/// The screen as text, each row followed by a row that marks with `^` the cells drawn in
/// the match style (here a colour nothing else has), so that a snapshot shows exactly which
/// cells are lit, in visual order.
fn draw_lit(state: &AppState, width: u16, height: u16) -> String {
    let marker = akhbar::ui::theme::parse_style("#010203 on #fefdfc").unwrap();
    let theme =
        Theme::builtin(Background::Dark, ColorDepth::TrueColor).with(&[(Role::Match, marker)]);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut cache = UiCache::default().with_theme(theme);
    terminal
        .draw(|frame| akhbar::ui::render(state, &mut cache, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut text = String::new();
        let mut marks = String::new();
        for x in 0..width {
            let cell = &buffer[(x, y)];
            text.push_str(cell.symbol());
            marks.push(if cell.fg == marker.fg.unwrap() {
                '^'
            } else {
                ' '
            });
        }
        out.push_str(text.trim_end());
        out.push('\n');
        if marks.contains('^') {
            out.push_str(marks.trim_end());
            out.push('\n');
        }
    }
    out
}

async fn highlights_state(filter: &str) -> AppState {
    let feed = akhbar::source::Source::new(
        akhbar::source::Location::parse("tests/fixtures/feeds/highlights.xml").unwrap(),
    );
    let mut state = state_of(vec![feed]).await;
    press(&mut state, &[Action::StartFilter]);
    for c in filter.chars() {
        press(&mut state, &[Action::FilterChar(c)]);
    }
    press(
        &mut state,
        &[Action::FilterAccept, Action::Top, Action::Open],
    );
    state
}

/// `سلام` lights its letters inside والسلام (the lam-alef ligature among them) and inside
/// السَّلام (its harakat with it), in the list, the ticker and the pane, and `bbc` lights
/// the Latin word among Arabic ones; the rest of each title stays unlit.
#[tokio::test]
async fn the_filters_matches_are_lit_in_the_list_the_ticker_and_the_pane() {
    let state = highlights_state("سلام OR bbc").await;
    assert_eq!(state.visible().len(), 3);
    let screen = draw_lit(&state, 130, 12);
    let lines: Vec<&str> = screen.lines().collect();
    // The ligature ﻼ and the letters around it, lit, in visual order: م, ﻼ, س.
    let list_row = lines
        .iter()
        .position(|line| line.starts_with("  02:40 Desk"))
        .unwrap_or_else(|| panic!("{screen}"));
    let row: Vec<char> = lines[list_row].chars().collect();
    let marks: Vec<char> = lines[list_row + 1].chars().collect();
    let lit: String = row
        .iter()
        .zip(marks.iter().chain(std::iter::repeat(&' ')))
        .filter(|(_, mark)| **mark == '^')
        .map(|(c, _)| *c)
        .collect();
    assert!(lit.starts_with("ﻡﻼﺴ"), "{lit:?} in\n{screen}");
    insta::assert_snapshot!(screen);
}

/// One headline at a time in the ticker: its match lit there too; no filter, nothing lit.
#[tokio::test]
async fn a_still_ticker_lights_its_match_and_no_filter_lights_nothing() {
    let state = highlights_state("bbc").await.with_motion(false, 8.0);
    let screen = draw_lit(&state, 100, 10);
    insta::assert_snapshot!(screen);
    let plain = draw_lit(&highlights_state("").await, 100, 10);
    assert!(!plain.contains('^'), "{plain}");
    // Without colour the match is still bold and underlined.
    let state = highlights_state("bbc").await;
    let screen = draw_styled(&state, Theme::without_color(ColorDepth::TrueColor), 100, 10);
    assert!(screen.contains("modifier: BOLD | UNDERLINED"), "{screen}");
}
