//! The views' tab line: every story, then each `[[view]]` with its key and unread count, the
//! one the list shows marked.

use super::*;

pub(super) fn render_tabs(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let style = cache.style(Role::Status);
    buf.set_style(area, style);
    let active = state.active_view();
    let mut x = area.x;
    let tab = |number: usize, name: &str, unread: Option<usize>| {
        let count = unread
            .filter(|&n| n > 0)
            .map_or_else(String::new, |n| format!(" {n}"));
        let key = if number <= 9 {
            format!("{number} ")
        } else {
            String::new()
        };
        format!(" {key}{}{count} ", isolate(name))
    };
    let mut tabs = vec![(tab(0, "all", None), active.is_none())];
    for (index, view) in state.views().iter().enumerate() {
        tabs.push((
            tab(index + 1, &view.name, Some(state.view_unread(index))),
            active == Some(index),
        ));
    }
    for (number, (text, chosen)) in tabs.iter().enumerate() {
        let width = area.right().saturating_sub(x);
        if width == 0 {
            break;
        }
        let cell = Rect::new(x, area.y, width, 1);
        let look = if *chosen {
            cache.style(Role::Selected)
        } else {
            cache.style(Role::Overlay)
        };
        let key = number.to_string();
        let line = fit(cache, ("tab", &key, ""), text, Dir::Ltr, width);
        let drawn = to_u16(line.width());
        if cache.mode.reorder {
            line.render(Rect::new(x, area.y, drawn, 1), buf, look);
        } else {
            draw(cache, ("tab", &key, ""), text, Dir::Ltr, cell, buf, look);
        }
        x = x.saturating_add(drawn).saturating_add(1);
    }
}
