//! The ticker row: the strip of headlines crawling across the top, or one at a time.

use super::*;

/// Between ticker items.
const TICKER_SEPARATOR: &str = "   ◆   ";

pub(super) fn render_ticker(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let style = cache.style(Role::Ticker);
    buf.set_style(area, style);
    let stale = cache
        .ticker
        .as_ref()
        .is_none_or(|(revision, _)| *revision != state.revision())
        || cache.ticker_filter != state.filter();
    if stale {
        let items: Vec<(String, Dir)> = state
            .ticker_shown()
            .take(TICKER_ITEMS)
            .map(|item| ticker_item(state, item))
            .collect();
        let lit: Vec<Vec<Range<usize>>> = if state.query().is_empty() {
            Vec::new()
        } else {
            state
                .ticker_shown()
                .take(TICKER_ITEMS)
                .zip(&items)
                .map(|(item, (text, _))| ticker_highlights(state, item, text))
                .collect()
        };
        // The strip reads, and moves, the way most of its items do.
        let rtl = items.iter().filter(|(_, dir)| dir.is_rtl()).count();
        let dir = if rtl * 2 > items.len() {
            Dir::Rtl
        } else {
            Dir::Ltr
        };
        let shaping = if cache.mode.reorder {
            cache.mode.shape
        } else {
            cache.mode.logical.shapes()
        };
        let strip = if cache.mode.reorder || cache.mode.logical != Flavour::Mlterm {
            TickerStrip::new_lit(items.iter().cloned(), dir, TICKER_SEPARATOR, shaping, &lit)
        } else {
            // mlterm reorders the whole row as one paragraph: it gets the strip in reading
            // order and turns it around itself.
            TickerStrip::in_reading_order(&items, TICKER_SEPARATOR)
        };
        cache.ticker = Some((state.revision(), strip));
        state.filter().clone_into(&mut cache.ticker_filter);
        cache.ticker_items = items;
    }
    if !state.motion() {
        // One headline at a time, laid out on its own and aligned by its direction.
        if let Some(item) = state.ticker_shown().nth(state.ticker_item()) {
            let (text, mut dir) = ticker_item(state, item);
            if !cache.mode.reorder && cache.mode.logical == Flavour::Mlterm {
                // mlterm aligns a right-to-left row by itself.
                dir = Dir::Ltr;
            }
            let id = item.headline.id.clone();
            let lit = ticker_highlights(state, item, &text);
            draw_lit(
                cache,
                ("still", &item.source, &id),
                &text,
                dir,
                area,
                buf,
                style,
                &lit,
            );
        }
        return;
    }
    if let Some((_, strip)) = &cache.ticker {
        // Truncation is intended: the offset only needs whole cells.
        let offset = state.ticker_offset() as usize;
        let width = usize::from(area.width);
        let lit = cache.style(Role::Match);
        if cache.mode.reorder || cache.mode.logical == Flavour::Mlterm {
            strip
                .window(offset, width)
                .render_lit(area, buf, style, lit, &[]);
        } else {
            strip
                .logical_window(offset, width, &cache.ticker_items, cache.mode.logical)
                .render_lit(area, buf, style, lit, &[]);
        }
    }
}

/// What the filter matched in a ticker item's `text` ([`ticker_item`]): in its headline,
/// which ends the text; all of it for a story an alert pinned.
fn ticker_highlights(state: &AppState, item: &SourcedHeadline, text: &str) -> Vec<Range<usize>> {
    // An alert's story is lit whole while it is pinned.
    if state.is_pinned(item) {
        return std::iter::once(0..text.len()).collect();
    }
    let title = &item.headline.title;
    let start = text.len().saturating_sub(title.len());
    let mut lit = state.lit_query().highlights(title);
    for range in &mut lit {
        *range = range.start + start..range.end + start;
    }
    lit
}

/// A ticker item, `HH:MM · headline`, and its paragraph direction.
fn ticker_item(state: &AppState, item: &SourcedHeadline) -> (String, Dir) {
    let time = item.headline.published.with_timezone(&state.utc_offset());
    // An alert's story is flagged while it leads the ticker.
    let flag = if state.is_pinned(item) { "⚑ " } else { "" };
    let text = format!("{flag}{} · {}", time.format("%H:%M"), item.headline.title);
    (text, title_dir(item))
}
