//! Drawing: `render` reads the state and paints a frame. Every string goes through the bidi
//! layout engine; the laid-out text is memoised in a [`UiCache`] the caller keeps between
//! frames, so drawing never re-runs the algorithm for text that has not changed.

use crate::feed::SourcedHeadline;
use crate::state::AppState;
use crate::text::bidi::{Dir, paragraph_direction};
use crate::text::layout::{LayoutCache, LayoutOptions, VisualLine};
use crate::text::logical::logical_line;
use crate::text::ticker::TickerStrip;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};

/// Between ticker items.
const TICKER_SEPARATOR: &str = "   ◆   ";
/// Columns of the list's time field (`HH:MM` or `22 Oct`).
const TIME_WIDTH: u16 = 6;
/// Columns of the list's source field.
const SOURCE_WIDTH: u16 = 18;

/// How text reaches the screen in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextMode {
    /// Lay out visual order here (false: the terminal reorders; text goes out logical).
    pub reorder: bool,
    /// Join Arabic letters into presentation forms.
    pub shape: bool,
}

impl Default for TextMode {
    fn default() -> Self {
        Self {
            reorder: true,
            shape: true,
        }
    }
}

/// Laid-out text kept between frames.
#[derive(Debug, Default)]
pub struct UiCache {
    pub mode: TextMode,
    layout: LayoutCache,
    /// The ticker strip and the state revision it was built from.
    ticker: Option<(u64, TickerStrip)>,
}

impl UiCache {
    pub fn new(mode: TextMode) -> Self {
        Self {
            mode,
            ..Self::default()
        }
    }
}

pub fn render(state: &AppState, cache: &mut UiCache, frame: &mut Frame) {
    cache.layout.next_frame();
    let [ticker, list, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let buf = frame.buffer_mut();
    render_ticker(state, cache, buf, ticker);
    render_list(state, cache, buf, list);
    render_status(state, cache, buf, status);
}

/// `HH:MM` for today, else `22 Oct`.
pub fn short_time(state: &AppState, time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&state.utc_offset);
    if local.date_naive() == state.today {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d %b").to_string()
    }
}

fn title_dir(item: &SourcedHeadline) -> Dir {
    paragraph_direction(
        &item.headline.title,
        item.direction,
        item.headline.language.as_deref(),
    )
}

/// One paragraph fitted into `width` columns on one line, truncated with `…` at its logical
/// end; logical order when the terminal reorders by itself.
fn fit(
    cache: &mut UiCache,
    key: (&str, &str, &str),
    text: &str,
    dir: Dir,
    width: u16,
) -> VisualLine {
    if !cache.mode.reorder {
        // The terminal reorders (and shapes): it gets logical text, only measured and cut.
        return logical_line(text, usize::from(width));
    }
    let options = LayoutOptions::single_line(usize::from(width)).with_shaping(cache.mode.shape);
    first_line(cache.layout.get(key, text, dir, options))
}

fn first_line(paragraph: &crate::text::layout::VisualParagraph) -> VisualLine {
    paragraph.lines.first().cloned().unwrap_or_default()
}

fn render_ticker(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let style = Style::new().add_modifier(Modifier::REVERSED);
    buf.set_style(area, style);
    let stale = cache
        .ticker
        .as_ref()
        .is_none_or(|(revision, _)| *revision != state.revision);
    if stale {
        let reorder = cache.mode.reorder;
        let items: Vec<(String, Dir)> = state
            .headlines
            .iter()
            .map(|item| {
                let time = item.headline.published.with_timezone(&state.utc_offset);
                let text = format!("{} · {}", time.format("%H:%M"), item.headline.title);
                let dir = if reorder { title_dir(item) } else { Dir::Ltr };
                (text, dir)
            })
            .collect();
        // The strip reads, and moves, the way most of its items do.
        let rtl = items.iter().filter(|(_, dir)| dir.is_rtl()).count();
        let dir = if reorder && rtl * 2 > items.len() {
            Dir::Rtl
        } else {
            Dir::Ltr
        };
        let strip = if reorder {
            TickerStrip::new(items, dir, TICKER_SEPARATOR, cache.mode.shape)
        } else {
            // The terminal reorders each row itself: the strip stays in logical order.
            let lines = items
                .iter()
                .map(|(text, _)| logical_line(text, usize::MAX))
                .collect();
            TickerStrip::from_lines(lines, dir, &logical_line(TICKER_SEPARATOR, usize::MAX))
        };
        cache.ticker = Some((state.revision, strip));
    }
    if let Some((_, strip)) = &cache.ticker {
        // Truncation is intended: the offset only needs whole cells.
        let offset = state.ticker_offset as usize;
        strip
            .window(offset, usize::from(area.width))
            .render(area, buf, style);
    }
}

fn render_list(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let rows = state
        .headlines
        .iter()
        .enumerate()
        .skip(state.list_offset)
        .take(usize::from(area.height));
    for (row, (index, item)) in (area.y..).zip(rows) {
        let line = Rect::new(area.x, row, area.width, 1);
        let selected = index == state.selected;
        let base = if selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        buf.set_style(line, base);
        let [time, _, source, _, title] = Layout::horizontal([
            Constraint::Length(TIME_WIDTH),
            Constraint::Length(1),
            Constraint::Length(SOURCE_WIDTH),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(line);
        let when = short_time(state, item.headline.published);
        let id = item.headline.id.as_str();
        // The time is right-aligned so that `HH:MM` and `22 Oct` line up on the colon side.
        let when = format!("{when:>width$}", width = usize::from(TIME_WIDTH));
        fit(
            cache,
            ("time", &item.source, id),
            &when,
            Dir::Ltr,
            time.width,
        )
        .render(time, buf, base);
        let source_dir = paragraph_direction(&item.source, item.direction, None);
        fit(
            cache,
            ("source", &item.source, ""),
            &item.source,
            source_dir,
            source.width,
        )
        .render(source, buf, base.fg(Color::Cyan));
        fit(
            cache,
            ("title", &item.source, id),
            &item.headline.title,
            title_dir(item),
            title.width,
        )
        .render(title, buf, base);
    }
}

fn render_status(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let mut parts = Vec::new();
    if state.refreshing() {
        parts.push("refreshing…".to_owned());
    }
    parts.push(format!("{} ok", state.sources_ok()));
    let failing = state.sources_failing();
    if failing > 0 {
        parts.push(format!("{failing} failing"));
    }
    parts.push(format!("{} headlines", state.headlines.len()));
    if let Some(at) = state.last_refresh {
        parts.push(format!("updated {}", short_time(state, at)));
    }
    if state.ticker_paused {
        parts.push("paused".to_owned());
    }
    parts.push("q quit".to_owned());
    if let Some(hint) = &state.hint {
        parts.push(hint.clone());
    }
    let text = parts.join(" · ");
    let style = Style::new().add_modifier(Modifier::DIM);
    buf.set_style(area, style);
    // The status line is ours, so it reads left to right even when a source name in it is
    // Arabic; the layout keeps such names in order inside it.
    fit(cache, ("status", "", ""), &text, Dir::Ltr, area.width).render(area, buf, style);
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn terminal_reordering_gets_logical_order() {
        let mut cache = UiCache::new(TextMode {
            reorder: false,
            shape: false,
        });
        let line = fit(&mut cache, ("t", "", ""), "قطر 7", Dir::Rtl, 20);
        assert_eq!(line.as_str(), "قطر 7");
        assert_eq!(line.leading_padding(20), 0);
    }

    #[test]
    fn laid_out_text_is_reused_between_frames() {
        let mut cache = UiCache::default();
        let first = fit(&mut cache, ("t", "", "1"), "نص", Dir::Rtl, 10);
        let again = fit(&mut cache, ("t", "", "1"), "نص", Dir::Rtl, 10);
        assert_eq!(first, again);
        assert_eq!(cache.layout.len(), 1);
    }
}
