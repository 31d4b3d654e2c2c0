//! The status line: how the sources are doing, counts, the filter prompt and hints.

use super::*;

pub(super) fn render_status(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let style = cache.style(Role::Status);
    buf.set_style(area, style);
    if let Some(prompt) = state.prompt() {
        let text = format!(
            "/{}▏  ({} shown · Enter keeps · Esc clears)",
            isolate(prompt),
            state.visible().len()
        );
        // A malformed query: the prompt moves up a row and what is wrong shows under it,
        // quoting the place (a caret could not point into text the bidi layout reorders).
        let error = state.filter_error().filter(|_| area.y > 0);
        let prompt_row = match error {
            Some(_) => {
                let row = Rect::new(area.x, area.y - 1, area.width, 1);
                ratatui::widgets::Widget::render(ratatui::widgets::Clear, row, buf);
                buf.set_style(row, style);
                row
            }
            None => area,
        };
        draw(
            cache,
            ("prompt", "", ""),
            &text,
            Dir::Ltr,
            prompt_row,
            buf,
            cache.style(Role::Prompt),
        );
        if let Some(error) = error {
            let place = prompt.get(error.at.clone()).unwrap_or_default();
            let text = format!(" ↑ {}: “{}”", error.message, isolate(place));
            draw(
                cache,
                ("prompt-error", "", ""),
                &text,
                Dir::Ltr,
                area,
                buf,
                cache.style(Role::Error),
            );
        }
        return;
    }
    let mut parts = Vec::new();
    if state.new_stories() > 0 {
        parts.push(format!("{} new", state.new_stories()));
    }
    if state.refreshing() {
        parts.push("refreshing…".to_owned());
    }
    parts.push(format!("{} ok", state.sources_ok()));
    let failing = state.sources_failing();
    if failing > 0 {
        parts.push(format!("{failing} failing"));
    }
    let mut narrowed = Vec::new();
    if !state.filter().is_empty() {
        narrowed.push(format!("filter “{}”", isolate(state.filter())));
    }
    if let Some(view) = state
        .active_view()
        .and_then(|index| state.views().get(index))
    {
        narrowed.push(format!("view “{}”", isolate(&view.name)));
    }
    if state.unread_only() {
        narrowed.push("unread only".to_owned());
    }
    if state.showing_muted() {
        narrowed.push("muted".to_owned());
    }
    if narrowed.is_empty() {
        parts.push(format!("{} headlines", state.headlines().len()));
    } else {
        parts.push(format!(
            "{}: {} of {}",
            narrowed.join(", "),
            state.visible().len(),
            state.headlines().len()
        ));
    }
    parts.push(format!("{} unread", state.unread()));
    if state.muted() > 0 && !state.showing_muted() {
        parts.push(format!("{} muted", state.muted()));
    }
    if let Some(at) = state.last_refresh() {
        parts.push(format!("updated {}", short_time(state, at)));
    }
    if state.ticker_paused() {
        parts.push("paused".to_owned());
    }
    parts.push("? help".to_owned());
    if let Some(hint) = state.hint() {
        parts.push(hint.to_owned());
    }
    let text = parts.join(" · ");
    // The status line is ours, so it reads left to right even when a source name in it is
    // Arabic; the layout keeps such names in order inside it.
    draw(cache, ("status", "", ""), &text, Dir::Ltr, area, buf, style);
}
