//! The bidi layout engine on any text at any width: never a panic, no line wider than its
//! area, widths that agree with what ratatui measures, no control character drawn, and a
//! ticker window exactly as wide as asked.
#![no_main]

use akhbar::feed::Direction;
use akhbar::text::bidi::paragraph_direction;
use akhbar::text::layout::{Dir, ELLIPSIS, LayoutOptions, VisualLine, layout, visual_line};
use akhbar::text::logical::logical_line;
use akhbar::text::ticker::TickerStrip;
use libfuzzer_sys::fuzz_target;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Widths up to a very wide terminal; wider ones lay out the same way, only slower.
const MAX_WIDTH: usize = 400;

fn assert_line_fits(line: &VisualLine, width: usize) {
    assert!(
        line.width() <= width,
        "{:?} is wider than {width}",
        line.as_str()
    );
    assert_eq!(
        line.width(),
        line.cells().map(|cell| cell.width).sum::<usize>()
    );
    let mut text = String::new();
    for cell in line.cells() {
        assert!(cell.width >= 1, "zero-width cell {:?}", cell.symbol);
        assert_eq!(
            cell.width,
            usize::from(CellWidth::cell_width(cell.symbol)),
            "ratatui measures {:?} differently",
            cell.symbol
        );
        assert!(
            !cell.symbol.chars().any(char::is_control),
            "{:?}",
            cell.symbol
        );
        text.push_str(cell.symbol);
    }
    assert_eq!(line.as_str(), text);
}

fn render(line: &VisualLine, width: usize) {
    let columns = u16::try_from(width).unwrap_or(u16::MAX).max(1);
    for area in [Rect::new(0, 0, columns, 1), Rect::new(3, 0, columns / 2, 1)] {
        let mut buf = Buffer::empty(Rect::new(0, 0, columns.saturating_add(3), 1));
        line.render(area, &mut buf, Style::default());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((params, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let [flags, wide, narrow, lines] = *params;
    let width = (usize::from(wide) << 8 | usize::from(narrow)) % (MAX_WIDTH + 1);
    let max_lines = usize::from(lines % 12);
    let shaping = flags & 1 != 0;
    let text = String::from_utf8_lossy(rest);
    let dir = match flags >> 1 & 3 {
        0 => Dir::Ltr,
        1 => Dir::Rtl,
        _ => paragraph_direction(&text, Direction::Auto, None),
    };

    let options = LayoutOptions::wrapped(width, max_lines).with_shaping(shaping);
    let paragraph = layout(&text, dir, options);
    assert!(!paragraph.lines.is_empty());
    assert!(paragraph.lines.len() <= max_lines.max(1));
    for line in &paragraph.lines {
        assert_eq!(line.dir(), dir);
        assert_line_fits(line, width);
        render(line, width);
    }
    if paragraph.truncated && width > 0 {
        let last = &paragraph.lines[paragraph.lines.len() - 1];
        assert!(
            last.cells()
                .any(|cell| cell.symbol == ELLIPSIS && cell.source.is_none()),
            "truncated without …: {:?}",
            last.as_str()
        );
    }

    let single = layout(
        &text,
        dir,
        LayoutOptions::single_line(width).with_shaping(shaping),
    );
    assert_eq!(single.lines.len(), 1);
    assert_line_fits(&single.lines[0], width);

    assert_line_fits(&logical_line(&text, width), width);
    let _ = visual_line(&text, dir);

    let items: Vec<(&str, Dir)> = text
        .split('\n')
        .map(|item| (item, paragraph_direction(item, Direction::Auto, None)))
        .collect();
    let strip = TickerStrip::new(items.iter().copied(), dir, " • ", shaping);
    let offset = usize::from(flags) * 7919 + usize::from(lines) * 104_729;
    let window = strip.window(offset, width);
    assert_eq!(window.width(), width);
    assert_line_fits(&window, width);
    for x in 0..width {
        if let Some(item) = strip.item_at(offset, width, x) {
            assert!(item < items.len());
        }
    }
});
