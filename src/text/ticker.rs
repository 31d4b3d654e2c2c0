//! The ticker strip: every headline laid out once, joined into one endless band of cells
//! that a window slides over, frame after frame, without laying anything out again.
//!
//! Each item is its own paragraph (its direction never leaks into its neighbours). An LTR
//! strip reads left to right and scrolls leftwards: text enters at the right edge. An RTL
//! strip reads right to left — the first item is the rightmost — and scrolls rightwards:
//! text enters at the left edge, since reading starts at the right.

use super::bidi::Dir;
use super::layout::{self, VisualLine};
use super::logical::{self, Flavour, LogicalLine};

/// One cycle of the strip, in visual order, and which item each cell belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickerStrip {
    dir: Dir,
    cells: VisualLine,
    /// Per cell: the index of the item it shows, or `None` for the separator.
    items: Vec<Option<u32>>,
    /// Per column: the cell drawn there, and whether the column is the cell's first.
    columns: Vec<(u32, bool)>,
    /// Per item: its paragraph direction.
    item_dirs: Vec<Dir>,
}

impl TickerStrip {
    /// Builds the strip from `(text, paragraph direction)` items, in reading order, with
    /// `separator` after each item. The strip's own direction `dir` decides where the first
    /// item sits and which way the strip moves.
    pub fn new<I, S>(items: I, dir: Dir, separator: &str, shaping: bool) -> Self
    where
        I: IntoIterator<Item = (S, Dir)>,
        S: AsRef<str>,
    {
        let separator = layout::layout_line(separator, dir, shaping);
        let laid_out = items
            .into_iter()
            .map(|(text, item_dir)| layout::layout_line(text.as_ref(), item_dir, shaping))
            .collect();
        Self::from_lines(laid_out, dir, &separator)
    }

    /// [`TickerStrip::new`], the cells from the bytes of `lit[i]` of item `i` lit (what
    /// the filter matched, see [`VisualLine::light`]).
    pub fn new_lit<I, S>(
        items: I,
        dir: Dir,
        separator: &str,
        shaping: bool,
        lit: &[Vec<std::ops::Range<usize>>],
    ) -> Self
    where
        I: IntoIterator<Item = (S, Dir)>,
        S: AsRef<str>,
    {
        let separator = layout::layout_line(separator, dir, shaping);
        let laid_out = items
            .into_iter()
            .enumerate()
            .map(|(i, (text, item_dir))| {
                let mut line = layout::layout_line(text.as_ref(), item_dir, shaping);
                if let Some(ranges) = lit.get(i) {
                    line.light(ranges);
                }
                line
            })
            .collect();
        Self::from_lines(laid_out, dir, &separator)
    }

    /// Builds the strip from lines already laid out (or, for a terminal that reorders by
    /// itself, left in logical order), in reading order, `separator` after each.
    pub fn from_lines(mut laid_out: Vec<VisualLine>, dir: Dir, separator: &VisualLine) -> Self {
        let count = laid_out.len();
        let mut strip = TickerStrip {
            dir,
            cells: VisualLine::with_capacity(dir, 0, 0),
            items: Vec::new(),
            columns: Vec::new(),
            item_dirs: laid_out.iter().map(VisualLine::dir).collect(),
        };
        if laid_out.iter().all(VisualLine::is_empty) {
            return strip;
        }
        match dir {
            Dir::Ltr => {
                for (i, item) in laid_out.iter().enumerate() {
                    strip.append(item, Some(i));
                    strip.append(separator, None);
                }
            }
            Dir::Rtl => {
                laid_out.reverse();
                for (i, item) in laid_out.iter().enumerate() {
                    strip.append(separator, None);
                    strip.append(item, Some(count - 1 - i));
                }
            }
        }
        strip
    }

    fn append(&mut self, line: &VisualLine, item: Option<usize>) {
        let item = item.and_then(|i| u32::try_from(i).ok());
        for cell in line.cells() {
            let index = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
            self.columns.push((index, true));
            for _ in 1..cell.width {
                self.columns.push((index, false));
            }
            self.items.push(item);
            self.cells.push_cell(cell);
        }
    }

    pub fn dir(&self) -> Dir {
        self.dir
    }

    /// Columns in one cycle of the strip (0 when there is nothing to show).
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The strip column shown at the left edge of a window `width` wide after the strip
    /// moved `offset` columns.
    fn window_start(&self, offset: usize, width: usize) -> usize {
        let total = self.columns.len();
        match self.dir {
            Dir::Ltr => offset % total,
            Dir::Rtl => {
                // The window's right edge starts at the strip's right end and moves left.
                let end = total - offset % total;
                (end + total - width % total) % total
            }
        }
    }

    /// The `width` columns visible after the strip moved `offset` columns, wrapping
    /// around. A wide character cut by either edge of the window is drawn as blanks.
    pub fn window(&self, offset: usize, width: usize) -> VisualLine {
        let total = self.columns.len();
        if total == 0 {
            return VisualLine::blank(self.dir, width);
        }
        let start = self.window_start(offset, width);
        let mut out = VisualLine::with_capacity(self.dir, width * 2, width);
        let mut col = 0;
        while col < width {
            let (index, first) = self.columns[(start + col) % total];
            match self.cells.cell_at(index as usize) {
                Some(cell) if first && col + cell.width <= width => {
                    col += cell.width;
                    out.push_cell(cell);
                }
                _ => {
                    out.push(" ", 1, None);
                    col += 1;
                }
            }
        }
        out
    }

    /// The window [`TickerStrip::window`] returns, cut into the parts a terminal that
    /// reorders must keep apart, left to right: the visible cells of each item, in visual
    /// order with the item's direction, and the item's index; a separator's cells, left to
    /// right, with `None`.
    pub fn window_parts(&self, offset: usize, width: usize) -> Vec<(VisualLine, Option<usize>)> {
        let window = self.window(offset, width);
        let mut parts: Vec<(VisualLine, Option<usize>)> = Vec::new();
        let mut column = 0;
        for cell in window.cells() {
            let item = self.item_at(offset, width, column);
            column += cell.width;
            match parts.last_mut() {
                Some((line, last)) if *last == item => {
                    line.push_cell(cell);
                }
                _ => {
                    let dir = item
                        .and_then(|i| self.item_dirs.get(i).copied())
                        .unwrap_or(Dir::Ltr);
                    let mut line = VisualLine::with_capacity(dir, cell.symbol.len(), 1);
                    line.push_cell(cell);
                    parts.push((line, item));
                }
            }
        }
        parts
    }

    /// [`TickerStrip::window`] for a terminal that reorders by itself: each part of
    /// [`TickerStrip::window_parts`] in logical order as an isolate, `items` being the
    /// strip's items (text and direction) it was built from.
    pub fn logical_window(
        &self,
        offset: usize,
        width: usize,
        items: &[(String, Dir)],
        flavour: Flavour,
    ) -> VisualLine {
        let parts: Vec<LogicalLine> = self
            .window_parts(offset, width)
            .into_iter()
            .enumerate()
            .map(
                |(index, (line, item))| match item.and_then(|i| items.get(i)) {
                    Some((text, _)) => logical::from_visual(
                        &line,
                        text,
                        0..text.len(),
                        flavour,
                        &mut Vec::new(),
                        index == 0,
                        true,
                    ),
                    None => LogicalLine {
                        line,
                        opening: String::new(),
                    },
                },
            )
            .collect();
        logical::join(&parts)
    }

    /// A strip of `items` (text and direction) left to right in reading order, each in
    /// logical order with no controls, for mlterm, which reorders the whole row as one
    /// paragraph and so turns a right-to-left strip around itself.
    pub fn in_reading_order(items: &[(String, Dir)], separator: &str) -> Self {
        let logical = |text: &str, dir| {
            let line = layout::layout_line(text, dir, false);
            let line = logical::from_visual(
                &line,
                text,
                0..text.len(),
                Flavour::Mlterm,
                &mut Vec::new(),
                false,
                false,
            );
            logical::left_aligned(&line.line)
        };
        let lines = items
            .iter()
            .map(|(text, dir)| logical(text, *dir))
            .collect();
        Self::from_lines(lines, Dir::Ltr, &logical(separator, Dir::Ltr))
    }

    /// The item under column `x` of the window [`TickerStrip::window`] returns for the
    /// same `offset` and `width`; `None` over a separator.
    pub fn item_at(&self, offset: usize, width: usize, x: usize) -> Option<usize> {
        let total = self.columns.len();
        if total == 0 || x >= width {
            return None;
        }
        let (index, _) = self.columns[(self.window_start(offset, width) + x) % total];
        self.items
            .get(index as usize)
            .copied()
            .flatten()
            .map(|i| i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(items: &[(&str, Dir)], dir: Dir) -> TickerStrip {
        TickerStrip::new(items.iter().copied(), dir, " | ", true)
    }

    #[test]
    fn ltr_strip_scrolls_left() {
        let s = strip(&[("one", Dir::Ltr), ("two", Dir::Ltr)], Dir::Ltr);
        assert_eq!(s.width(), 12);
        assert_eq!(s.window(0, 8).as_str(), "one | tw");
        assert_eq!(s.window(1, 8).as_str(), "ne | two");
        // Wraps around to the first item.
        assert_eq!(s.window(8, 8).as_str(), "o | one ");
        assert_eq!(s.window(12, 8).as_str(), s.window(0, 8).as_str());
    }

    #[test]
    fn rtl_strip_starts_at_the_right_and_scrolls_right() {
        let s = strip(&[("אב", Dir::Rtl), ("גד", Dir::Rtl)], Dir::Rtl);
        // Visual strip, left to right: " | דג | בא" — the first item at the right end.
        assert_eq!(s.window(0, s.width()).as_str(), " | דג | בא");
        assert_eq!(s.window(0, 4).as_str(), "| בא");
        // One step later everything moved one column to the right; the left edge shows
        // what comes next in reading order.
        assert_eq!(s.window(1, 4).as_str(), " | ב");
        assert_eq!(s.window(2, 4).as_str(), "ג | ");
    }

    #[test]
    fn windows_are_exactly_as_wide_as_asked() {
        let s = strip(
            &[("中文 headline", Dir::Ltr), ("مرحبا بالعالم", Dir::Rtl)],
            Dir::Ltr,
        );
        for offset in 0..s.width() * 2 {
            for width in [0, 1, 2, 3, 7, 40] {
                assert_eq!(
                    s.window(offset, width).width(),
                    width,
                    "offset {offset} width {width}"
                );
            }
        }
    }

    #[test]
    fn wide_characters_cut_by_an_edge_become_blanks() {
        let s = strip(&[("中文", Dir::Ltr)], Dir::Ltr);
        // Columns: 中 中 文 文 ␠ | ␠
        assert_eq!(s.window(1, 3).as_str(), " 文");
        assert_eq!(s.window(0, 3).as_str(), "中 ");
        assert_eq!(s.window(1, 1).as_str(), " ");
    }

    #[test]
    fn item_under_a_column() {
        let s = strip(&[("one", Dir::Ltr), ("two", Dir::Ltr)], Dir::Ltr);
        assert_eq!(s.item_at(0, 10, 0), Some(0));
        assert_eq!(s.item_at(0, 10, 4), None);
        assert_eq!(s.item_at(0, 10, 7), Some(1));
        let r = strip(&[("אב", Dir::Rtl), ("גד", Dir::Rtl)], Dir::Rtl);
        let w = r.width();
        assert_eq!(r.item_at(0, w, w - 1), Some(0));
        assert_eq!(r.item_at(0, w, 3), Some(1));
    }

    #[test]
    fn a_window_cut_into_parts_keeps_each_items_cells_and_direction() {
        let s = strip(&[("אב", Dir::Rtl), ("one", Dir::Ltr)], Dir::Ltr);
        // Columns: ב א ␠ | ␠ o n e ␠ | ␠ — the window starts inside the first item.
        let parts = s.window_parts(1, 8);
        let shown: Vec<(&str, Option<usize>, Dir)> = parts
            .iter()
            .map(|(line, item)| (line.as_str(), *item, line.dir()))
            .collect();
        assert_eq!(
            shown,
            [
                ("א", Some(0), Dir::Rtl),
                (" | ", None, Dir::Ltr),
                ("one", Some(1), Dir::Ltr),
                (" ", None, Dir::Ltr),
            ]
        );
        // Each cell still knows where it came from in its item.
        assert_eq!(
            parts[0].0.cell_at(0).and_then(|cell| cell.source),
            Some(0..2)
        );
        assert_eq!(s.window(1, 8).as_str(), "א | one ");
    }

    #[test]
    fn empty_strip_shows_blanks() {
        let s = strip(&[], Dir::Rtl);
        assert!(s.is_empty());
        assert_eq!(s.window(5, 3).as_str(), "   ");
    }
}
