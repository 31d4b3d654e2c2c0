//! What is drawn over the screen: the help, the sources view, and the too-small notice.

use super::*;

pub(super) fn render_too_small(cache: &mut UiCache, buf: &mut Buffer, screen: Rect) {
    let text = format!(
        "terminal too small: {}×{} (akhbar needs {MIN_WIDTH}×{MIN_HEIGHT})",
        screen.width, screen.height
    );
    let line = Rect::new(screen.x, screen.y + screen.height / 2, screen.width, 1);
    if line.height > 0 && screen.height > 0 {
        draw(
            cache,
            ("too-small", "", ""),
            &text,
            Dir::Ltr,
            line,
            buf,
            cache.style(Role::Notice),
        );
    }
}

/// A bordered box in the middle of the screen, cleared, with `title`.
fn overlay_box(
    cache: &UiCache,
    buf: &mut Buffer,
    screen: Rect,
    width: u16,
    height: u16,
    title: &str,
) -> Rect {
    let area = Rect::new(
        screen.x + screen.width.saturating_sub(width) / 2,
        screen.y + screen.height.saturating_sub(height) / 2,
        width.min(screen.width),
        height.min(screen.height),
    );
    ratatui::widgets::Widget::render(ratatui::widgets::Clear, area, buf);
    let block = Block::bordered()
        .title(title.to_owned())
        .border_style(cache.style(Role::Overlay))
        .style(cache.style(Role::Overlay));
    let inner = block.inner(area);
    ratatui::widgets::Widget::render(block, area, buf);
    inner
}

/// The keys, as `?` shows them.
pub(super) fn render_help(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, screen: Rect) {
    let rows = state.keys().help_rows();
    let height = u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let title = if height > screen.height {
        " keys (j/k scroll) "
    } else {
        " keys "
    };
    let inner = overlay_box(cache, buf, screen, 60, height, title);
    let hidden = rows.len().saturating_sub(usize::from(inner.height));
    let skip = usize::from(state.overlay_scroll()).min(hidden);
    for (row, (keys, what)) in (inner.y..inner.bottom()).zip(rows.into_iter().skip(skip)) {
        let text = format!("{keys:<16} {what}");
        draw(
            cache,
            ("help", &keys, ""),
            &text,
            Dir::Ltr,
            Rect::new(inner.x, row, inner.width, 1),
            buf,
            cache.style(Role::Overlay),
        );
    }
}

pub(super) fn render_sources(
    state: &AppState,
    cache: &mut UiCache,
    buf: &mut Buffer,
    screen: Rect,
) {
    // Two rows a source, and one for where the log is.
    let rows = u16::try_from(state.sources().len().saturating_mul(2).saturating_add(1))
        .unwrap_or(u16::MAX);
    let inner = overlay_box(
        cache,
        buf,
        screen,
        screen.width.saturating_sub(4),
        rows.saturating_add(2).min(screen.height.saturating_sub(2)),
        " sources ",
    );
    let mut row = inner.y;
    // Two rows a source: scrolled by whole sources, the last ones kept in sight.
    let fit = usize::from(inner.height.saturating_sub(1) / 2);
    let hidden = state.sources().len().saturating_sub(fit);
    let skip = usize::from(state.overlay_scroll()).min(hidden);
    for view in state.sources().iter().skip(skip) {
        if row + 1 >= inner.bottom() {
            break;
        }
        let health = &view.health;
        let name = match &view.source.name {
            Some(name) => name.clone(),
            None if !view.feed.title.is_empty() => view.feed.title.clone(),
            None => view.source.location.to_string(),
        };
        let state_text = match (&health.last_error, health.last_success) {
            (Some(_), _) => "failing",
            (None, Some(_)) if health.has_no_items() => "no items",
            (None, Some(_)) => "ok",
            (None, None) if health.fetching => "fetching",
            (None, None) => "waiting",
        };
        let mut detail = vec![state_text.to_owned()];
        // Stories the feed has since dropped may still show under "no items".
        if !health.has_no_items() || !view.stories.is_empty() {
            let count = view.stories.len();
            detail.push(format!(
                "{count} {}",
                if count == 1 { "item" } else { "items" }
            ));
        }
        if let Some(status) = health.status {
            detail.push(format!("HTTP {status}"));
        }
        if let Some(at) = health.last_success {
            detail.push(format!("ok {}", age(state.now(), at)));
        }
        if let Some(next) = health.next_attempt {
            detail.push(format!(
                "next {}",
                attempt_time(next, state.utc_offset(), state.today())
            ));
        }
        let line1 = format!("{}  ·  {}", isolate(&name), view.source.location);
        let line2 = match &health.last_error {
            Some(error) => format!("    {} · {error}", detail.join(" · ")),
            None => format!("    {}", detail.join(" · ")),
        };
        let health_style = cache.style(if health.last_error.is_some() {
            Role::SourceFailing
        } else if health.has_no_items() {
            Role::SourceEmpty
        } else {
            Role::SourceOk
        });
        draw(
            cache,
            ("src1", &line1, ""),
            &line1,
            Dir::Ltr,
            Rect::new(inner.x, row, inner.width, 1),
            buf,
            cache.style(Role::OverlayHeading),
        );
        draw(
            cache,
            ("src2", &line2, ""),
            &line2,
            Dir::Ltr,
            Rect::new(inner.x, row + 1, inner.width, 1),
            buf,
            health_style,
        );
        row += 2;
    }
    let log = match state.log_path() {
        Some(path) => format!(
            "the log, with each fetch and failure in full: {}",
            path.display()
        ),
        None => "no log this run".to_owned(),
    };
    if row < inner.bottom() {
        draw(
            cache,
            ("log", &log, ""),
            &log,
            Dir::Ltr,
            Rect::new(inner.x, row, inner.width, 1),
            buf,
            cache.style(Role::Notice),
        );
    }
}
