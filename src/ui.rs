//! Drawing: `render` reads the state and paints a frame; it never changes anything.

use crate::feed::SourcedHeadline;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};
use unicode_width::UnicodeWidthChar;

/// Between ticker items.
const TICKER_SEPARATOR: &str = "   ◆   ";

pub fn render(state: &AppState, frame: &mut Frame) {
    let [ticker, list, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    render_ticker(state, frame, ticker);
    render_list(state, frame, list);
    render_status(state, frame, status);
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

fn ticker_text(state: &AppState, item: &SourcedHeadline) -> String {
    let time = item.headline.published.with_timezone(&state.utc_offset);
    format!("{} · {}", time.format("%H:%M"), item.headline.title)
}

/// The visible window of the endless strip, `width` cells from `offset`.
fn ticker_window(strip: &[(char, usize)], offset: usize, width: usize) -> String {
    let total: usize = strip.iter().map(|&(_, w)| w).sum();
    if total == 0 {
        return String::new();
    }
    let mut skip = offset % total;
    let mut out = String::new();
    let mut used = 0;
    let mut index = 0;
    // Skip whole characters up to the offset; a wide char cut by the left edge becomes blanks.
    while skip > 0 {
        let (_, w) = strip[index % strip.len()];
        if w > skip {
            out.push_str(&" ".repeat(w - skip));
            used += w - skip;
            skip = 0;
        } else {
            skip -= w;
        }
        index += 1;
    }
    while used < width {
        let (c, w) = strip[index % strip.len()];
        if used + w > width {
            out.push_str(&" ".repeat(width - used));
            break;
        }
        out.push(c);
        used += w;
        index += 1;
    }
    out
}

fn render_ticker(state: &AppState, frame: &mut Frame, area: Rect) {
    let mut strip = Vec::new();
    for item in &state.headlines {
        let text = ticker_text(state, item) + TICKER_SEPARATOR;
        strip.extend(
            text.chars()
                .filter_map(|c| c.width().filter(|&w| w > 0).map(|w| (c, w))),
        );
    }
    // Truncation is intended: the offset only needs whole cells.
    let offset = state.ticker_offset as usize;
    let window = ticker_window(&strip, offset, usize::from(area.width));
    frame.render_widget(Paragraph::new(window).reversed(), area);
}

fn render_list(state: &AppState, frame: &mut Frame, area: Rect) {
    let items: Vec<ListItem> = state
        .headlines
        .iter()
        .map(|item| {
            ListItem::new(Line::from(vec![
                Span::raw(format!(
                    "{:>6}  ",
                    short_time(state, item.headline.published)
                )),
                Span::styled(
                    format!("{}  ", item.source),
                    Style::new().fg(ratatui::style::Color::Cyan),
                ),
                Span::raw(item.headline.title.clone()),
            ]))
        })
        .collect();
    let list = List::new(items).highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn render_status(state: &AppState, frame: &mut Frame, area: Rect) {
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
    if let Some(hint) = &state.hint {
        parts.push(hint.clone());
    }
    parts.push("q quit".to_owned());
    frame.render_widget(Paragraph::new(parts.join(" · ")).dim(), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(text: &str) -> Vec<(char, usize)> {
        text.chars().map(|c| (c, c.width().unwrap_or(0))).collect()
    }

    #[test]
    fn the_window_wraps_around_the_strip() {
        assert_eq!(ticker_window(&strip("abc"), 1, 5), "bcabc");
        assert_eq!(ticker_window(&strip("abc"), 4, 2), "bc");
        assert_eq!(ticker_window(&[], 3, 4), "");
    }

    #[test]
    fn wide_characters_cut_at_an_edge_become_blanks() {
        let cjk = strip("a中b");
        assert_eq!(ticker_window(&cjk, 2, 2), " b");
        assert_eq!(ticker_window(&cjk, 0, 2), "a ");
    }
}
