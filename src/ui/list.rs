//! The list of headlines: time, source and title in columns, the selection and read marks.

use super::*;

/// Columns of the list's time field (`HH:MM` or `22 Oct`).
const TIME_WIDTH: u16 = 6;

/// Columns of the list's source field.
const SOURCE_WIDTH: u16 = 18;

pub(super) fn render_list(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let rows = state
        .shown()
        .enumerate()
        .skip(state.list_offset())
        .take(usize::from(area.height));
    // What the `/` filter matched is lit; only the rows on screen are searched again.
    let query = state.lit_query();
    for (row, (position, item)) in (area.y..).zip(rows) {
        let line = Rect::new(area.x, row, area.width, 1);
        let selected = position == state.selected();
        let base = match (selected, state.focus()) {
            (true, Focus::List) => cache.style(Role::Selected),
            (true, _) => cache.style(Role::SelectedUnfocused),
            (false, _) => Style::new(),
        };
        // A column's colour shows on the selection's background; in reverse video it would
        // become the background of its cells instead, so the selection is drawn plain.
        let reversed = selected && base.add_modifier.contains(Modifier::REVERSED);
        let column = |role: Role| {
            if reversed {
                base
            } else {
                base.patch(cache.style(role))
            }
        };
        let read = state.is_read(item);
        let (mark, time_style, source_style) = (
            column(Role::UnreadMark),
            column(Role::Time),
            column(Role::Source),
        );
        let title_style = column(if read { Role::Read } else { Role::Title });
        buf.set_style(line, base);
        let [marker, time, _, source, _, title] = Layout::horizontal([
            Constraint::Length(1),
            Constraint::Length(TIME_WIDTH),
            Constraint::Length(1),
            Constraint::Length(SOURCE_WIDTH),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(line);
        if !read {
            buf.set_string(marker.x, marker.y, "•", mark);
        }
        let when = short_time(state, item.headline.published);
        let id = item.headline.id.as_str();
        // Right-aligned, so that `HH:MM` and `22 Oct` end in the same column.
        let when = format!("{when:>width$}", width = usize::from(TIME_WIDTH));
        draw(
            cache,
            ("time", &item.source, id),
            &when,
            Dir::Ltr,
            time,
            buf,
            time_style,
        );
        let source_dir = paragraph_direction(&item.source, item.direction, None);
        draw_lit(
            cache,
            ("source", &item.source, ""),
            &item.source,
            source_dir,
            source,
            buf,
            source_style,
            &query.highlights_in(&item.source, Part::Source),
        );
        draw_lit(
            cache,
            ("title", &item.source, id),
            &item.headline.title,
            title_dir(item),
            title,
            buf,
            title_style,
            &query.highlights(&item.headline.title),
        );
    }
    if state.visible().is_empty() {
        let text = if state.headlines().is_empty() {
            "waiting for headlines…".to_owned()
        } else if state.showing_muted() {
            "no muted headline here (x shows the others)".to_owned()
        } else if state.unread_only() {
            "no unread headlines (u shows them all)".to_owned()
        } else if state.filter().is_empty() {
            match state
                .active_view()
                .and_then(|index| state.views().get(index))
            {
                Some(view) => format!("no headline in “{}” yet (0 shows all)", isolate(&view.name)),
                None => "every headline is muted (x shows them)".to_owned(),
            }
        } else {
            format!(
                "no headline matches “{}” (Esc clears the filter)",
                isolate(state.filter())
            )
        };
        draw(
            cache,
            ("empty", "", ""),
            &text,
            Dir::Ltr,
            Rect::new(area.x, area.y, area.width, area.height.min(1)),
            buf,
            cache.style(Role::Notice),
        );
    }
}
