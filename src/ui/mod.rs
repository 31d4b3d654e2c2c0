//! Drawing: `render` reads the state and paints a frame. Every string goes through the bidi
//! layout engine; the laid-out text is memoised in a [`UiCache`] the caller keeps between
//! frames, so drawing never re-runs the algorithm for text that has not changed.

use crate::article::{BlockKind, article_from_html};
use crate::feed::SourcedHeadline;
use crate::query::Part;
use crate::text::bidi::{Dir, paragraph_direction};
use crate::text::layout::{LayoutCache, LayoutOptions, VisualLine, layout};
use crate::text::logical::{self, Flavour, LogicalLine};
use crate::text::ticker::TickerStrip;
use crate::tui::View;
use crate::tui::state::{Action, AppState, Focus, Overlay, PageState, TICKER_ITEMS};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders};
use std::ops::Range;

mod article;
mod list;
mod overlay;
mod status;
mod tabs;
pub mod theme;
mod ticker;

use article::{ArticleKey, PaneLine, render_article};
#[cfg(test)]
use article::{MAX_HYPERLINK_BYTES, hyperlink, hyperlink_target};
use list::render_list;
use overlay::{render_help, render_sources, render_too_small};
use status::render_status;
use tabs::render_tabs;
use theme::{Role, Theme};
use ticker::render_ticker;

/// How text reaches the screen in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextMode {
    /// Lay out visual order here (false: the terminal reorders; text goes out logical).
    pub reorder: bool,
    /// Join Arabic letters into presentation forms.
    pub shape: bool,
    /// Links in the article pane are OSC 8 hyperlinks.
    pub hyperlinks: bool,
    /// The laid-out frame is rewritten for kitty's shaper ([`crate::text::kitty`]).
    pub kitty: bool,
    /// When the terminal reorders: what else it does to the text it is sent.
    pub logical: Flavour,
}

impl Default for TextMode {
    /// App layout and shaping; no hyperlinks, so that a headless buffer holds plain text.
    fn default() -> Self {
        Self {
            reorder: true,
            shape: true,
            hyperlinks: false,
            kitty: false,
            logical: Flavour::Generic,
        }
    }
}

/// Laid-out text kept between frames.
#[derive(Debug, Default)]
pub struct UiCache {
    pub mode: TextMode,
    /// Every style of the screen.
    theme: Theme,
    layout: LayoutCache,
    /// The ticker strip and the state revision it was built from.
    ticker: Option<(u64, TickerStrip)>,
    /// The strip's items, text and direction, in reading order.
    ticker_items: Vec<(String, Dir)>,
    /// The filter whose matches the strip has lit.
    ticker_filter: String,
    /// The article pane's lines, and what they were laid out for.
    article: Option<(ArticleKey, Vec<PaneLine>)>,
}

impl UiCache {
    pub fn new(mode: TextMode) -> Self {
        Self {
            mode,
            ..Self::default()
        }
    }

    /// Draws in `theme` (the default: the dark theme in 16 colours).
    #[must_use]
    pub fn with_theme(self, theme: Theme) -> Self {
        Self { theme, ..self }
    }

    fn style(&self, role: Role) -> Style {
        self.theme.style(role)
    }
}

/// Where each part of the screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub ticker: Rect,
    /// The views' tab line, when there are views.
    pub tabs: Option<Rect>,
    pub list: Rect,
    pub article: Rect,
    pub status: Rect,
}

/// The smallest screen akhbar draws on; below it, a message says so.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width the list and the article pane sit side by side.
pub const SIDE_BY_SIDE: u16 = 120;

/// Splits the screen: the ticker on top, then the views' tab line when there are views, the
/// status line at the bottom, and between them the list and the article pane, side by side
/// when wide enough, else stacked. `None` when the screen is too small.
pub fn areas(screen: Rect, tabs: bool) -> Option<Areas> {
    if screen.width < MIN_WIDTH || screen.height < MIN_HEIGHT {
        return None;
    }
    let [ticker, tab_line, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(tabs)),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(screen);
    let [list, article] = if screen.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
    };
    Some(Areas {
        ticker,
        tabs: tabs.then_some(tab_line),
        list,
        article,
        status,
    })
}

pub fn render(state: &AppState, cache: &mut UiCache, frame: &mut Frame) {
    render_laid_out(state, cache, frame);
    if cache.mode.kitty {
        crate::text::kitty::prepare(frame.buffer_mut());
    }
}

/// The frame in visual order.
fn render_laid_out(state: &AppState, cache: &mut UiCache, frame: &mut Frame) {
    cache.layout.next_frame();
    let screen = frame.area();
    let buf = frame.buffer_mut();
    let Some(areas) = areas(screen, !state.views().is_empty()) else {
        render_too_small(cache, buf, screen);
        return;
    };
    render_ticker(state, cache, buf, areas.ticker);
    if let Some(tabs) = areas.tabs {
        render_tabs(state, cache, buf, tabs);
    }
    render_list(state, cache, buf, areas.list);
    render_article(state, cache, buf, areas.article);
    render_status(state, cache, buf, areas.status);
    match state.overlay() {
        Overlay::None => {}
        Overlay::Help => render_help(state, cache, buf, screen),
        Overlay::Sources => render_sources(state, cache, buf, screen),
    }
}

/// The loop draws through this: [`render`], the list's height from [`areas`], and clicks
/// on what was last drawn.
impl View for UiCache {
    fn draw(&mut self, state: &AppState, frame: &mut Frame) {
        render(state, self, frame);
    }

    fn list_height(&self, state: &AppState, screen: Rect) -> u16 {
        areas(screen, !state.views().is_empty()).map_or(1, |areas| areas.list.height)
    }

    fn click(&self, state: &AppState, screen: Rect, x: u16, y: u16) -> Option<Action> {
        hit(state, self, screen, x, y)
    }

    fn over_article(&self, state: &AppState, screen: Rect, x: u16, y: u16) -> bool {
        areas(screen, !state.views().is_empty())
            .is_some_and(|areas| areas.article.contains(ratatui::layout::Position { x, y }))
    }
}

/// What a click at `(x, y)` means, given the screen size.
fn hit(state: &AppState, cache: &UiCache, screen: Rect, x: u16, y: u16) -> Option<Action> {
    let areas = areas(screen, !state.views().is_empty())?;
    let position = ratatui::layout::Position { x, y };
    if areas.ticker.contains(position) {
        let (_, strip) = cache.ticker.as_ref()?;
        if !state.motion() {
            return (state.ticker_len() > 0).then_some(Action::ClickTicker(state.ticker_item()));
        }
        // Truncation is intended: the offset only needs whole cells.
        let offset = state.ticker_offset() as usize;
        let item = strip.item_at(
            offset,
            usize::from(areas.ticker.width),
            usize::from(x - areas.ticker.x),
        )?;
        return Some(Action::ClickTicker(item));
    }
    if areas.list.contains(position) {
        return Some(Action::ClickRow(usize::from(y - areas.list.y)));
    }
    None
}

/// `text` as a bidi isolate (FSI … PDI): laid out in its own direction inside a line of
/// ours without reordering its neighbours. Feed text never carries isolates of its own (the
/// sanitizer removes them), so these are the only ones.
fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// `HH:MM` for today, else `22 Oct`.
pub fn short_time(state: &AppState, time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&state.utc_offset());
    if local.date_naive() == state.today() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d %b").to_string()
    }
}

/// When a source is tried next: `HH:MM` today, else with its day (`8 Dec 18:05`), since a
/// server may put it off for up to a week.
fn attempt_time(time: DateTime<Utc>, utc_offset: FixedOffset, today: NaiveDate) -> String {
    let local = time.with_timezone(&utc_offset);
    if local.date_naive() == today {
        local.format("%H:%M").to_string()
    } else {
        local.format("%-d %b %H:%M").to_string()
    }
}

fn title_dir(item: &SourcedHeadline) -> Dir {
    paragraph_direction(
        &item.headline.title,
        item.direction,
        item.headline.language.as_deref(),
    )
}

/// One paragraph fitted into `width` columns on one line, laid out, truncated with `…` at its
/// logical end.
fn fit(
    cache: &mut UiCache,
    key: (&str, &str, &str),
    text: &str,
    dir: Dir,
    width: u16,
) -> VisualLine {
    let shaping = if cache.mode.reorder {
        cache.mode.shape
    } else {
        cache.mode.logical.shapes()
    };
    let options = LayoutOptions::single_line(usize::from(width)).with_shaping(shaping);
    first_line(cache.layout.get(key, text, dir, options))
}

/// One paragraph fitted into the first row of `area` and drawn there: laid out, or, when
/// the terminal reorders by itself, the same cells in logical order as an isolate.
fn draw(
    cache: &mut UiCache,
    key: (&str, &str, &str),
    text: &str,
    dir: Dir,
    area: Rect,
    buf: &mut Buffer,
    style: Style,
) {
    draw_lit(cache, key, text, dir, area, buf, style, &[]);
}

/// [`draw`], the cells from the bytes of `lit` (what the filter matched, see
/// [`crate::query::Query::highlights`]) in the match style.
#[allow(clippy::too_many_arguments)]
fn draw_lit(
    cache: &mut UiCache,
    key: (&str, &str, &str),
    text: &str,
    dir: Dir,
    area: Rect,
    buf: &mut Buffer,
    style: Style,
    lit: &[Range<usize>],
) {
    let line = fit(cache, key, text, dir, area.width);
    let lit_style = cache.style(Role::Match);
    if cache.mode.reorder {
        line.render_lit(area, buf, style, lit_style, lit);
    } else {
        let starts_row = starts_row(&line, area, buf);
        let flavour = cache.mode.logical;
        logical::from_visual(
            &line,
            text,
            0..text.len(),
            flavour,
            &mut Vec::new(),
            starts_row,
            false,
        )
        .render_lit(area, buf, style, lit_style, lit);
    }
}

/// Whether `line`, drawn in `area`, starts at the left edge of the screen.
fn starts_row(line: &VisualLine, area: Rect, buf: &Buffer) -> bool {
    usize::from(area.x) + line.leading_padding(usize::from(area.width)) <= usize::from(buf.area.x)
}

fn first_line(paragraph: &crate::text::layout::VisualParagraph) -> VisualLine {
    paragraph.lines.first().cloned().unwrap_or_default()
}

/// "3 min ago", "5 h ago", "2 days ago"; "just now" for the future (clocks disagree).
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes();
    match minutes {
        i64::MIN..=0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min ago"),
        60..=2879 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    }
}

fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_next_attempt_on_another_day_shows_its_date_in_local_time() {
        let tehran = FixedOffset::east_opt(3 * 3600 + 1800).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let at = |day, hour, minute| {
            Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
                .unwrap()
        };
        assert_eq!(attempt_time(at(1, 14, 35), tehran, today), "18:05");
        // 21:00 UTC is already tomorrow in Tehran.
        assert_eq!(attempt_time(at(1, 21, 0), tehran, today), "2 Dec 00:30");
        assert_eq!(attempt_time(at(8, 14, 35), tehran, today), "8 Dec 18:05");
        let yesterday_evening = Utc.with_ymd_and_hms(2026, 11, 30, 19, 0, 0).unwrap();
        assert_eq!(
            attempt_time(yesterday_evening, tehran, today),
            "30 Nov 22:30"
        );
        assert_eq!(
            attempt_time(
                at(1, 23, 59),
                FixedOffset::west_opt(5 * 3600).unwrap(),
                today
            ),
            "18:59"
        );
    }

    #[test]
    fn an_rtl_title_is_right_aligned_and_truncated_at_its_logical_end() {
        let mut cache = UiCache::default();
        let line = fit(
            &mut cache,
            ("title", "s", "1"),
            "الليرة السورية تواصل التحسن منذ سقوط النظام",
            Dir::Rtl,
            20,
        );
        assert!(line.width() <= 20);
        assert!(line.as_str().starts_with('…'), "{}", line.as_str());
        assert_eq!(line.leading_padding(20), 20 - line.width());
    }

    #[test]
    fn terminal_reordering_gets_logical_order_as_an_isolate_aligned_by_direction() {
        let mut cache = UiCache::new(TextMode {
            reorder: false,
            shape: false,
            hyperlinks: false,
            logical: Flavour::Generic,
            ..TextMode::default()
        });
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        let area = Rect::new(2, 0, 10, 1);
        draw(
            &mut cache,
            ("t", "", ""),
            "قطر 7",
            Dir::Rtl,
            area,
            &mut buf,
            Style::new(),
        );
        let symbols: Vec<&str> = (0..12).map(|x| buf[(x, 0)].symbol()).collect();
        // Right-aligned, the isolate opened in the padding before it, closed after it.
        assert_eq!(
            symbols,
            [
                " ",
                " ",
                " ",
                " ",
                " ",
                " ",
                " \u{2067}",
                "ق",
                "ط",
                "ر",
                " ",
                "7\u{2069}"
            ]
        );
    }

    #[test]
    fn laid_out_text_is_reused_between_frames() {
        let mut cache = UiCache::default();
        let first = fit(&mut cache, ("t", "", "1"), "نص", Dir::Rtl, 10);
        let again = fit(&mut cache, ("t", "", "1"), "نص", Dir::Rtl, 10);
        assert_eq!(first, again);
        assert_eq!(cache.layout.len(), 1);
    }

    #[test]
    fn a_hyperlink_is_written_once_per_run_of_cells_and_keeps_the_columns() {
        let url = "https://example.org/a?b=1";
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "li中k", Style::new());
        buf.set_string(5, 0, "ab", Style::new().add_modifier(Modifier::BOLD));
        buf.set_string(7, 0, "xy", Style::new());
        hyperlink(&mut buf, 0, 0, 8, url);
        let cell = |x: u16| buf.cell((x, 0)).unwrap();
        let forced = |n| CellDiffOption::ForcedWidth(std::num::NonZeroU16::new(n).unwrap());
        // One run of one style, the wide character in it: one cell of five columns.
        assert_eq!(
            cell(0).symbol(),
            "\x1b]8;;https://example.org/a?b=1\x1b\\li中k\x1b]8;;\x1b\\"
        );
        assert_eq!(cell(0).diff_option, forced(5));
        assert!((1..5).all(|x| cell(x).diff_option == CellDiffOption::Skip));
        // Another style is another run, with the link written again.
        assert_eq!(
            cell(5).symbol(),
            format!("\x1b]8;;{url}\x1b\\ab\x1b]8;;\x1b\\")
        );
        assert_eq!(cell(5).diff_option, forced(2));
        assert!(cell(7).symbol().ends_with("\x1b\\x\x1b]8;;\x1b\\"));
        // Everything after the link stays plain.
        assert_eq!(cell(8).symbol(), "y");
        assert_eq!(cell(8).diff_option, CellDiffOption::None);
    }

    #[test]
    fn a_link_too_long_for_a_hyperlink_stays_plain_text() {
        let path = "a".repeat(MAX_HYPERLINK_BYTES);
        assert_eq!(
            hyperlink_target(&format!("https://example.org/{path}")),
            None
        );
        let fits = format!("https://example.org/{}", &path[..MAX_HYPERLINK_BYTES - 20]);
        assert_eq!(hyperlink_target(&fits).as_deref(), Some(fits.as_str()));
    }

    #[test]
    fn only_http_links_become_hyperlinks_and_never_carry_controls() {
        assert_eq!(
            hyperlink_target("https://example.org/ä b").as_deref(),
            Some("https://example.org/%C3%A4%20b")
        );
        assert_eq!(hyperlink_target("javascript:alert(1)"), None);
        assert_eq!(hyperlink_target("file:///etc/passwd"), None);
        assert_eq!(
            hyperlink_target("https://example.org/\x1b]8;;x\x07y").as_deref(),
            Some("https://example.org/%1B]8;;x%07y")
        );
    }
}
