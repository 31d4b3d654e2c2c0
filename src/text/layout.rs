//! The bidi layout engine: one paragraph of logical text → lines of cells in visual order.
//!
//! Every string akhbar draws goes through [`layout`] (or [`visual_line`]): Arabic shaping in
//! logical order → bidi levels → line breaking (UAX #14) or truncation with `…`, in logical
//! order → per line, rule L1 and reordering (L2) by grapheme cluster, so combining marks
//! stay after their base → mirroring at odd levels (L4). Each cell holds one grapheme
//! cluster, marks included, because ratatui's `Buffer` drops zero-width symbols; widths are
//! measured on the shaped, visual clusters (see [`super::width`]). Bidi controls, BN
//! characters and the lam of a lam-alef ligature have done their work by then and are not
//! drawn; control characters are drawn as spaces.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, Hash};
use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_bidi::BidiClass;
use unicode_segmentation::UnicodeSegmentation;

pub use super::bidi::Dir;
use super::bidi::{self, Resolved};
use super::shape;
use super::width::cluster_width;

/// Drawn at the logical end of text that does not fit: the left edge of an RTL line.
pub const ELLIPSIS: &str = "…";

/// How a paragraph is fitted into its area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LayoutOptions {
    /// Columns available; no line is ever wider.
    pub width: usize,
    /// Lines available (at least one is always produced); the last ends in `…` when text is
    /// left over.
    pub max_lines: usize,
    /// Arabic shaping to presentation forms; off for terminals that shape by themselves.
    pub shaping: bool,
}

impl LayoutOptions {
    /// One line, truncated with `…` at the logical end.
    pub fn single_line(width: usize) -> Self {
        LayoutOptions {
            width,
            max_lines: 1,
            shaping: true,
        }
    }

    /// Wrapped at allowed break points into at most `max_lines` lines.
    pub fn wrapped(width: usize, max_lines: usize) -> Self {
        LayoutOptions {
            width,
            max_lines,
            shaping: true,
        }
    }

    pub fn with_shaping(self, shaping: bool) -> Self {
        LayoutOptions { shaping, ..self }
    }
}

/// A paragraph laid out: its direction and its lines, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualParagraph {
    pub dir: Dir,
    pub lines: Vec<VisualLine>,
    /// Whether text was left out (the last line ends in `…`).
    pub truncated: bool,
}

/// One line of cells in visual order, left to right, not padded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisualLine {
    dir: Dir,
    /// The cells' symbols, concatenated in visual order.
    text: String,
    cells: Vec<CellSlot>,
    width: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CellSlot {
    start: u32,
    end: u32,
    width: u8,
    /// Byte range of the cluster in the logical text; `NO_SOURCE` for `…` and padding.
    source_start: u32,
    source_end: u32,
    /// Drawn in the match style ([`VisualLine::light`]).
    lit: bool,
}

const NO_SOURCE: u32 = u32::MAX;

/// One cell of a [`VisualLine`]: a grapheme cluster with its combining marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<'a> {
    pub symbol: &'a str,
    /// Columns the symbol takes (1 or 2).
    pub width: usize,
    /// Where the cluster came from in the logical text (byte range), for highlighting;
    /// `None` for the ellipsis and blanks.
    pub source: Option<Range<usize>>,
    /// Whether the cell shows a match of the filter ([`VisualLine::light`]).
    pub lit: bool,
}

impl VisualLine {
    pub(super) fn with_capacity(dir: Dir, bytes: usize, cells: usize) -> Self {
        VisualLine {
            dir,
            text: String::with_capacity(bytes),
            cells: Vec::with_capacity(cells),
            width: 0,
        }
    }

    /// A line of `width` spaces.
    pub fn blank(dir: Dir, width: usize) -> Self {
        let mut line = VisualLine::with_capacity(dir, width, width);
        for _ in 0..width {
            line.push(" ", 1, None);
        }
        line
    }

    /// A lone character's cell ([`Unit::single`]).
    fn push_single(&mut self, symbol: char, unit: &Unit) {
        let start = to_u32(self.text.len());
        self.text.push(symbol);
        self.cells.push(CellSlot {
            start,
            end: to_u32(self.text.len()),
            width: unit.width,
            source_start: unit.source_start,
            source_end: unit.source_end,
            lit: false,
        });
        self.width += usize::from(unit.width);
    }

    fn push_char(&mut self, symbol: char, width: usize, source: Option<Range<usize>>) {
        let start = self.text.len();
        self.text.push(symbol);
        self.push_slot(start, width, source);
    }

    pub(super) fn push(&mut self, symbol: &str, width: usize, source: Option<Range<usize>>) {
        let start = self.text.len();
        self.text.push_str(symbol);
        self.push_slot(start, width, source);
    }

    /// Appends a copy of `cell`, lit or not.
    pub(super) fn push_cell(&mut self, cell: Cell<'_>) {
        self.push_lit(cell.symbol, cell.width, cell.source, cell.lit);
    }

    /// [`VisualLine::push`], the cell lit when `lit` is.
    pub(super) fn push_lit(
        &mut self,
        symbol: &str,
        width: usize,
        source: Option<Range<usize>>,
        lit: bool,
    ) {
        self.push(symbol, width, source);
        if let Some(last) = self.cells.last_mut() {
            last.lit = lit;
        }
    }

    /// Records the cell whose symbol was just added to `text` from `start`.
    fn push_slot(&mut self, start: usize, width: usize, source: Option<Range<usize>>) {
        let (source_start, source_end) =
            source.map_or((NO_SOURCE, NO_SOURCE), |r| (to_u32(r.start), to_u32(r.end)));
        self.cells.push(CellSlot {
            start: to_u32(start),
            end: to_u32(self.text.len()),
            width: u8::try_from(width).unwrap_or(u8::MAX),
            source_start,
            source_end,
            lit: false,
        });
        self.width += width;
    }

    /// The direction of the paragraph the line belongs to: RTL lines align right.
    pub fn dir(&self) -> Dir {
        self.dir
    }

    /// Columns the line takes.
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The line as one string in visual order (what `fribidi` prints).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn cells(&self) -> impl ExactSizeIterator<Item = Cell<'_>> + DoubleEndedIterator + '_ {
        self.cells.iter().map(|slot| self.cell(slot))
    }

    /// The `index`th cell from the left.
    pub fn cell_at(&self, index: usize) -> Option<Cell<'_>> {
        self.cells.get(index).map(|slot| self.cell(slot))
    }

    fn cell(&self, slot: &CellSlot) -> Cell<'_> {
        Cell {
            symbol: &self.text[slot.start as usize..slot.end as usize],
            width: usize::from(slot.width),
            source: (slot.source_start != NO_SOURCE)
                .then_some(slot.source_start as usize..slot.source_end as usize),
            lit: slot.lit,
        }
    }

    /// Lights the cells that come from any byte of `ranges` (of the logical text the line
    /// was laid out from; sorted and apart, as [`crate::query::Query::highlights`] gives
    /// them). A cell stands for all its source characters: a shaped letter, or a lam-alef
    /// ligature (two letters), lights when any of them is matched.
    pub fn light(&mut self, ranges: &[Range<usize>]) {
        if ranges.is_empty() {
            return;
        }
        for slot in &mut self.cells {
            slot.lit |= slot_in(slot, ranges);
        }
    }

    /// Whether any cell is lit.
    pub fn any_lit(&self) -> bool {
        self.cells.iter().any(|slot| slot.lit)
    }

    /// Blank columns to put before the line in an area `area_width` wide: RTL lines are
    /// aligned right, LTR lines left.
    pub fn leading_padding(&self, area_width: usize) -> usize {
        match self.dir {
            Dir::Rtl => area_width.saturating_sub(self.width),
            Dir::Ltr => 0,
        }
    }

    /// The line padded with spaces to exactly `area_width` columns, aligned by direction.
    pub fn to_padded_string(&self, area_width: usize) -> String {
        let lead = self.leading_padding(area_width);
        let trail = area_width.saturating_sub(lead + self.width);
        let mut out = String::with_capacity(self.text.len() + lead + trail);
        out.extend(std::iter::repeat_n(' ', lead));
        out.push_str(&self.text);
        out.extend(std::iter::repeat_n(' ', trail));
        out
    }

    /// A ratatui `Line` with one span per cell, so that ratatui keeps akhbar's clusters
    /// (it would otherwise re-segment the visual string), aligned right for RTL.
    pub fn to_line(&self) -> Line<'_> {
        let spans: Vec<Span<'_>> = self.cells().map(|cell| Span::raw(cell.symbol)).collect();
        let alignment = match self.dir {
            Dir::Rtl => Alignment::Right,
            Dir::Ltr => Alignment::Left,
        };
        Line::from(spans).alignment(alignment)
    }

    /// Draws the line into the first row of `area`, aligned by direction. Cells that would
    /// cross the area's right edge are not drawn (layout never produces such lines for an
    /// area at least as wide as the one it was laid out for).
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style) {
        self.render_lit(area, buf, style, Style::new(), &[]);
    }

    /// [`VisualLine::render`], the lit cells and those from the bytes of `ranges` (see
    /// [`VisualLine::light`]) drawn with `lit` on top of `style`.
    pub fn render_lit(
        &self,
        area: Rect,
        buf: &mut Buffer,
        style: Style,
        lit: Style,
        ranges: &[Range<usize>],
    ) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let right = usize::from(area.right());
        let mut x = usize::from(area.x) + self.leading_padding(usize::from(area.width));
        let y = area.y;
        let lit_style = style.patch(lit);
        for slot in &self.cells {
            let cell = self.cell(slot);
            if x + cell.width > right {
                break;
            }
            let Ok(col) = u16::try_from(x) else {
                break;
            };
            let style = if slot.lit || (!ranges.is_empty() && slot_in(slot, ranges)) {
                lit_style
            } else {
                style
            };
            buf[(col, y)].set_symbol(cell.symbol).set_style(style);
            // Cells hidden under a wide symbol are reset, as ratatui's own set_string does.
            for hidden in col + 1..col + cell.width as u16 {
                buf[(hidden, y)].reset();
            }
            x += cell.width;
        }
    }
}

/// Whether the cell `slot` comes from a byte of `ranges` (sorted and apart).
fn slot_in(slot: &CellSlot, ranges: &[Range<usize>]) -> bool {
    if slot.source_start == NO_SOURCE {
        return false;
    }
    let (start, end) = (slot.source_start as usize, slot.source_end as usize);
    let first = ranges.partition_point(|range| range.end <= start);
    ranges.get(first).is_some_and(|range| range.start < end)
}

/// Longest text laid out, in bytes; the rest is cut off, so that offsets fit in `u32`.
const MAX_TEXT: usize = 1 << 24;

/// `n` as `u32`: every offset and index is below [`MAX_TEXT`] (or a line's cell count,
/// smaller still), far below `u32::MAX`.
#[allow(clippy::cast_possible_truncation)]
fn to_u32(n: usize) -> u32 {
    debug_assert!(n <= MAX_TEXT * 4);
    n as u32
}

/// The visual form of `text` as one paragraph in direction `dir`: shaped, reordered,
/// mirrored, never truncated or padded. Matches `fribidi --nopad --nobreak --reordernsm
/// --clean` (with `--rtl` or `--ltr`), bidi format characters aside.
pub fn visual_line(text: &str, dir: Dir) -> String {
    // Unlike cells, the string keeps a mark without a base as it is, as fribidi does.
    with_prepared(text, dir, true, false, |prepared| {
        prepared
            .visual_line(0..prepared.units.len(), false, usize::MAX)
            .text
    })
}

/// `text` as one untruncated line of cells (the ticker's building block).
pub fn layout_line(text: &str, dir: Dir, shaping: bool) -> VisualLine {
    with_prepared(text, dir, shaping, true, |prepared| {
        prepared.visual_line(0..prepared.units.len(), false, usize::MAX)
    })
}

/// Lays `text` out as one paragraph in direction `dir` (see
/// [`super::bidi::paragraph_direction`]) within `options`.
pub fn layout(text: &str, dir: Dir, options: LayoutOptions) -> VisualParagraph {
    with_prepared(text, dir, options.shaping, true, |prepared| {
        let (lines, truncated) = prepared.break_lines(text, options);
        VisualParagraph {
            dir,
            lines: lines
                .into_iter()
                .map(|(range, ellipsis)| prepared.visual_line(range, ellipsis, options.width))
                .collect(),
            truncated,
        }
    })
}

/// Memory for preparing paragraphs, kept per thread: a list redraw lays out thousands of
/// headlines, and allocating these buffers afresh for each was a tenth of the time.
#[derive(Default)]
struct Scratch {
    chars: Vec<char>,
    shaped: Vec<char>,
    resolved: Resolved,
    resolving: bidi::Scratch,
    joining: Vec<u8>,
    prepared: Prepared,
}

/// Buffers grown past this many characters (a huge article paragraph) are not kept.
const SCRATCH_KEPT: usize = 1 << 16;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Prepares `text` in this thread's scratch memory and hands it to `use_prepared`.
fn with_prepared<R>(
    text: &str,
    dir: Dir,
    shaping: bool,
    pad_marks: bool,
    use_prepared: impl FnOnce(&Prepared) -> R,
) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.prepare(text, dir, shaping, pad_marks);
            let result = use_prepared(&scratch.prepared);
            if scratch.chars.capacity() > SCRATCH_KEPT {
                *scratch = Scratch::default();
            }
            result
        }
        // Only if `use_prepared` itself laid text out; never the case, but not a panic.
        Err(_) => {
            let mut scratch = Scratch::default();
            scratch.prepare(text, dir, shaping, pad_marks);
            use_prepared(&scratch.prepared)
        }
    })
}

/// How a cluster takes part in rule L1 and in trimming at line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spacing {
    /// Whitespace (or isolate controls) only: hangs at a line end, returns to the paragraph
    /// level there.
    Space,
    /// A segment or paragraph separator (tab, newline): drawn as a space at the paragraph
    /// level, and so is whitespace before it.
    Separator,
    Other,
}

/// One grapheme cluster, ready to draw.
#[derive(Debug, Clone, Copy)]
struct Unit {
    /// Range of the drawn symbol in `Prepared::symbols`; empty for a lone character (its
    /// symbol is `single`) and for a directional mark (drawn as nothing).
    start: u32,
    end: u32,
    /// Byte range in the logical text.
    source_start: u32,
    source_end: u32,
    level: u8,
    width: u8,
    spacing: Spacing,
    /// The symbol of a lone character (most units), kept here rather than in `symbols`.
    single: Option<char>,
}

/// A unit being collected from a cluster.
struct PendingUnit {
    symbol_start: usize,
    source_start: usize,
    /// Level of the unit's first drawn character; `None` while it has none.
    level: Option<u8>,
    spacing: Spacing,
}

impl PendingUnit {
    fn new(symbol_start: usize, source_start: usize) -> Self {
        PendingUnit {
            symbol_start,
            source_start,
            level: None,
            spacing: Spacing::Space,
        }
    }
}

/// Collects units; see [`Scratch::prepare`].
struct Builder<'a> {
    prepared: &'a mut Prepared,
    pad_marks: bool,
    /// Whether a unit was pushed. A combining mark starts a cluster only at the start of
    /// the text or after a control or format character; when such a mark follows the last
    /// unit at the same level, it belongs to that unit (see `finish`).
    open: bool,
    /// Where the lam of a lam-alef ligature began, when the ligature's alef is still to
    /// come: the ligature's cell comes from both letters, so a highlight of either lights it.
    ligature_from: Option<usize>,
}

impl Builder<'_> {
    /// Adds a lone character (see [`lone_width`]): never a mark, control or format
    /// character, so it makes exactly one unit, of a width known beforehand that shaping
    /// and mirroring keep.
    fn push_lone(
        &mut self,
        c: char,
        at: usize,
        index: usize,
        width: u8,
        resolved: &Resolved,
        shaped: Option<&[char]>,
    ) {
        let level = resolved.level(index);
        let drawn = shaped.and_then(|s| s.get(index).copied()).unwrap_or(c);
        let symbols = &mut self.prepared.symbols;
        let symbol_start = symbols.len();
        if drawn == shape::LIGATURE_FILLER {
            // The lam now lives in the next character's ligature.
            self.ligature_from.get_or_insert(at);
            return;
        }
        let symbol = if level % 2 == 1 && resolved.class(index) == BidiClass::ON {
            bidi::mirror(drawn)
        } else {
            drawn
        };
        let source_start = self.ligature_start(at);
        // The character stays in `single` only, not in `symbols`.
        self.prepared.units.push(Unit {
            start: to_u32(symbol_start),
            end: to_u32(symbol_start),
            source_start: to_u32(source_start),
            source_end: to_u32(at + c.len_utf8()),
            level,
            width,
            spacing: if c == ' ' {
                Spacing::Space
            } else {
                Spacing::Other
            },
            single: Some(symbol),
        });
        self.open = true;
    }

    /// Adds the grapheme cluster `cluster` found at byte `start`, whose first character
    /// is character `index`; returns the index of the character after it.
    fn push_cluster(
        &mut self,
        cluster: &str,
        start: usize,
        mut index: usize,
        resolved: &Resolved,
        shaped: Option<&[char]>,
    ) -> usize {
        let mut unit = PendingUnit::new(self.prepared.symbols.len(), start);
        for (offset, c) in cluster.char_indices() {
            let at = start + offset;
            let class = resolved.class(index);
            let level = resolved.level(index);
            let drawn = shaped.and_then(|s| s.get(index).copied()).unwrap_or(c);
            index += 1;
            if bidi::is_removed_by_x9(class) {
                // Removed by X9: no level, not drawn. A joiner inside a cluster (emoji
                // sequences) stays; elsewhere it has done its shaping work.
                if c == '\u{200D}' && offset > 0 {
                    self.prepared.symbols.push(c);
                }
                continue;
            }
            if unit.level.is_some_and(|l| l != level) {
                // A cluster spanning two levels (a prepended number sign before a letter)
                // is reordered as two units, as bidi reorders characters.
                self.finish(&unit, at);
                unit = PendingUnit::new(self.prepared.symbols.len(), at);
            }
            unit.level = Some(level);
            match class {
                BidiClass::S | BidiClass::B => unit.spacing = Spacing::Separator,
                BidiClass::WS
                | BidiClass::LRI
                | BidiClass::RLI
                | BidiClass::FSI
                | BidiClass::PDI => {}
                _ if unit.spacing == Spacing::Space => unit.spacing = Spacing::Other,
                _ => {}
            }
            let symbols = &mut self.prepared.symbols;
            if is_invisible_mark(c, class) {
                // Directional marks and isolates keep their level (they separate runs)
                // but are not drawn.
            } else if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                symbols.push(' ');
            } else if drawn == shape::LIGATURE_FILLER && c != drawn {
                // The lam now lives in the next cluster's ligature.
                self.ligature_from.get_or_insert(at);
            } else if level % 2 == 1 && class == BidiClass::ON {
                symbols.push(bidi::mirror(drawn));
            } else {
                symbols.push(drawn);
            }
        }
        self.finish(&unit, start + cluster.len());
        index
    }

    fn finish(&mut self, unit: &PendingUnit, source_end: usize) {
        let Some(level) = unit.level else {
            // Only characters removed by X9: they separate nothing.
            return;
        };
        let symbols = &mut self.prepared.symbols;
        if symbols[unit.symbol_start..].ends_with('\u{200D}') {
            symbols.pop();
        }
        let starts_with_mark = symbols[unit.symbol_start..]
            .chars()
            .next()
            .is_some_and(|c| cluster_width(c.encode_utf8(&mut [0; 4])) == 0);
        if starts_with_mark
            && self.open
            && let Some(last) = self.prepared.units.last_mut().filter(|u| u.level == level)
        {
            // Marks cut off from their base by a removed character (soft hyphen, word
            // joiner) or following a directional mark still belong to it, as in FriBidi's
            // NSM reordering. A lone character's symbol goes in `symbols` first: only
            // removed characters came since, so the marks directly follow it there.
            if let Some(base) = last.single.take() {
                symbols.insert(unit.symbol_start, base);
                last.start = to_u32(unit.symbol_start);
            }
            let end = to_u32(symbols.len());
            last.end = end;
            last.source_end = to_u32(source_end);
            let start = last.start as usize;
            let width = self.measure(start);
            if let Some(last) = self.prepared.units.last_mut() {
                last.width = width;
                last.end = to_u32(self.prepared.symbols.len());
            }
            return;
        }
        let width = self.measure(unit.symbol_start);
        let source_start = self.ligature_start(unit.source_start);
        self.prepared.units.push(Unit {
            start: to_u32(unit.symbol_start),
            end: to_u32(self.prepared.symbols.len()),
            source_start: to_u32(source_start),
            source_end: to_u32(source_end),
            level,
            width,
            spacing: unit.spacing,
            single: None,
        });
        self.open = true;
    }

    /// Where a unit found at byte `at` begins in the logical text: at the lam before it when
    /// it is a lam-alef ligature, though never inside the unit before it (when marks of the
    /// lam went to that unit instead).
    fn ligature_start(&mut self, at: usize) -> usize {
        match self.ligature_from {
            Some(lam) if lam < at => {
                self.ligature_from = None;
                let covered = self
                    .prepared
                    .units
                    .last()
                    .map_or(0, |unit| unit.source_end as usize);
                lam.max(covered).min(at)
            }
            _ => at,
        }
    }

    /// The width of the symbol from `start` to the end, giving a lone mark a space to sit
    /// on when marks are padded.
    fn measure(&mut self, start: usize) -> u8 {
        let symbols = &mut self.prepared.symbols;
        let mut width = cluster_width(&symbols[start..]);
        if width == 0 && self.pad_marks && symbols.len() > start {
            symbols.insert(start, ' ');
            width = cluster_width(&symbols[start..]);
        }
        u8::try_from(width).unwrap_or(u8::MAX)
    }
}

/// A paragraph shaped, resolved and cut into clusters, in logical order.
#[derive(Default)]
struct Prepared {
    dir: Dir,
    symbols: String,
    units: Vec<Unit>,
    /// Sum of the units' widths.
    total_width: usize,
}

impl Scratch {
    /// Shapes, resolves and segments `text` into `self.prepared`. With `pad_marks`, a
    /// combining mark that has no base gets a space to sit on, so that it is drawn in a cell
    /// of its own instead of vanishing (ratatui drops zero-width symbols) or landing on a
    /// neighbour.
    fn prepare(&mut self, text: &str, dir: Dir, shaping: bool, pad_marks: bool) {
        let text = if text.len() > MAX_TEXT {
            let cut = (0..=MAX_TEXT)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            &text[..cut]
        } else {
            text
        };
        let Scratch {
            chars,
            shaped,
            resolved,
            resolving,
            joining,
            prepared,
        } = self;
        chars.clear();
        chars.extend(text.chars());
        prepared.dir = dir;
        prepared.symbols.clear();
        prepared.units.clear();
        prepared.total_width = 0;
        bidi::resolve_into(text, chars, Some(dir), resolved, resolving);
        if resolved.is_empty() {
            return;
        }
        let resolved = &*resolved;
        let shaped = if shaping && shape::needs_shaping(text) {
            shaped.clear();
            shaped.extend_from_slice(chars);
            shape::shape_levels_with(shaped, resolved.levels(), joining);
            Some(shaped.as_slice())
        } else {
            None
        };
        let chars = chars.as_slice();
        prepared.units.reserve(chars.len());
        let mut builder = Builder {
            prepared,
            pad_marks,
            open: false,
            ligature_from: None,
        };
        // Characters that are clusters of their own (see `lone_width`) are taken one by one;
        // only stretches around other characters go through Unicode segmentation, which
        // costs as much as the whole bidi algorithm.
        let lone_at = |index: usize| chars.get(index).and_then(|&c| lone_width(c));
        let (mut at, mut index) = (0, 0);
        let mut lone = lone_at(0);
        while let Some(&c) = chars.get(index) {
            let next = lone_at(index + 1);
            if let Some(width) = lone.filter(|_| next.is_some() || index + 1 == chars.len()) {
                builder.push_lone(c, at, index, width, resolved, shaped);
                at += c.len_utf8();
                index += 1;
                lone = next;
                continue;
            }
            // `at` is a cluster boundary: the text's start, or after a lone character
            // followed by a lone character, or after a stretch segmented here.
            let base = at;
            for (offset, cluster) in text[base..].grapheme_indices(true) {
                index = builder.push_cluster(cluster, base + offset, index, resolved, shaped);
                at = base + offset + cluster.len();
                if lone_at(index).is_some()
                    && (lone_at(index + 1).is_some() || index + 1 == chars.len())
                {
                    break;
                }
            }
            lone = lone_at(index);
        }
        let prepared = builder.prepared;
        prepared.total_width = prepared.units.iter().map(|u| usize::from(u.width)).sum();
    }
}

impl Prepared {
    /// [`Scratch::prepare`] in memory of its own.
    #[cfg(test)]
    fn new(text: &str, dir: Dir, shaping: bool, pad_marks: bool) -> Self {
        let mut scratch = Scratch::default();
        scratch.prepare(text, dir, shaping, pad_marks);
        scratch.prepared
    }

    /// The symbol of a unit that is not a lone character.
    fn symbol(&self, unit: &Unit) -> &str {
        &self.symbols[unit.start as usize..unit.end as usize]
    }

    /// Whether a unit draws nothing (a directional mark, reordered but not drawn).
    fn is_invisible(unit: &Unit) -> bool {
        unit.start == unit.end && unit.single.is_none()
    }

    fn is_space(&self, i: usize) -> bool {
        self.units[i].spacing != Spacing::Other
    }

    /// Width of `range` without the whitespace that hangs at its end.
    fn trimmed_width(&self, range: Range<usize>) -> usize {
        let end = self.trim_end(range.clone());
        self.units[range.start..end]
            .iter()
            .map(|u| usize::from(u.width))
            .sum()
    }

    fn trim_end(&self, range: Range<usize>) -> usize {
        let mut end = range.end;
        while end > range.start && self.is_space(end - 1) {
            end -= 1;
        }
        end
    }

    /// Splits the units into lines, in logical order: each a unit range and whether it
    /// ends in an ellipsis; and whether anything was left out.
    fn break_lines(&self, text: &str, options: LayoutOptions) -> (Vec<(Range<usize>, bool)>, bool) {
        let n = self.units.len();
        let width = options.width;
        let max_lines = options.max_lines.max(1);
        if width == 0 {
            return (vec![(0..0, false)], n > 0);
        }
        if self.total_width <= width {
            return (vec![(0..n, false)], false);
        }
        if self.trimmed_width(0..n) <= width {
            let end = self.fit_prefix(0, width);
            return (vec![(0..end, false)], false);
        }
        if max_lines == 1 {
            return (vec![self.truncate(0, width)], true);
        }
        let breaks = self.break_opportunities(text);
        let mut lines = Vec::new();
        let mut start = 0;
        while start < n {
            if lines.len() + 1 == max_lines && self.trimmed_width(start..n) > width {
                lines.push(self.truncate(start, width));
                return (lines, true);
            }
            let (end, next) = self.next_break(start, width, &breaks);
            lines.push((start..self.trim_end(start..end), false));
            start = next;
        }
        if lines.is_empty() {
            lines.push((0..0, false));
        }
        (lines, false)
    }

    /// The longest prefix of the units from `start` that fits in `width` columns,
    /// hanging whitespace included only as far as it fits.
    fn fit_prefix(&self, start: usize, width: usize) -> usize {
        let mut used = 0;
        let mut end = start;
        while end < self.units.len() && used + usize::from(self.units[end].width) <= width {
            used += usize::from(self.units[end].width);
            end += 1;
        }
        end
    }

    /// The units from `start` cut to leave one column for the ellipsis.
    fn truncate(&self, start: usize, width: usize) -> (Range<usize>, bool) {
        let end = self.fit_prefix(start, width.saturating_sub(1));
        (start..self.trim_end(start..end), true)
    }

    /// Whether a line may start before each unit (UAX #14), by unit index.
    fn break_opportunities(&self, text: &str) -> Vec<bool> {
        let mut allowed = vec![false; self.units.len()];
        let mut unit = 0;
        for (at, _) in unicode_linebreak::linebreaks(text) {
            while unit < self.units.len() && (self.units[unit].source_start as usize) < at {
                unit += 1;
            }
            if unit < self.units.len() {
                allowed[unit] = true;
            }
        }
        allowed
    }

    /// Where the line starting at `start` ends (exclusive, before trimming) and where the
    /// next one starts.
    fn next_break(&self, start: usize, width: usize, breaks: &[bool]) -> (usize, usize) {
        let n = self.units.len();
        let mut used = 0;
        let mut last_break = None;
        let mut i = start;
        while i < n {
            if i > start && breaks[i] {
                last_break = Some(i);
            }
            let w = usize::from(self.units[i].width);
            if used + w > width {
                break;
            }
            used += w;
            i += 1;
        }
        if i == n {
            return (n, n);
        }
        if self.is_space(i) {
            // Whitespace hangs past the edge; the line may end after it.
            let mut j = i;
            while j < n && self.is_space(j) {
                j += 1;
            }
            if j == n || breaks[j] {
                return (i, j);
            }
        }
        match last_break {
            Some(b) => (b, b),
            // No break point fits: break inside the word, between clusters. A single
            // cluster wider than the line still takes the line (drawn as blanks).
            None if i == start => (start + 1, start + 1),
            None => (i, i),
        }
    }

    /// Reorders the units of one line into cells (rules L1, L2), adding the ellipsis at the
    /// line's end in paragraph direction.
    fn visual_line(&self, range: Range<usize>, ellipsis: bool, width: usize) -> VisualLine {
        let units = &self.units[range];
        let bytes = units
            .iter()
            .map(|u| u.single.map_or((u.end - u.start) as usize, char::len_utf8))
            .sum::<usize>();
        let mut line = VisualLine::with_capacity(self.dir, bytes + 3, units.len() + 1);
        if ellipsis && self.dir == Dir::Rtl {
            line.push(ELLIPSIS, 1, None);
        }
        // Text cut off after a letter joined to what followed: the letter ends the kept
        // text, so it takes the form it has there, as shaping the kept text would give.
        let cut_after = ellipsis
            .then(|| units.iter().rposition(|u| !Prepared::is_invisible(u)))
            .flatten();
        let mut ending = String::new();
        let mut emit = |i: usize| {
            let unit = &units[i];
            if let Some(c) = unit.single
                && usize::from(unit.width) <= width
            {
                // Most cells: one character, straight in.
                let c = if cut_after == Some(i) {
                    shape::ending_here(c)
                } else {
                    c
                };
                line.push_single(c, unit);
                return;
            }
            if cut_after == Some(i) && unit.single.is_none() && usize::from(unit.width) <= width {
                let symbol = self.symbol(unit);
                let mut chars = symbol.chars();
                ending.clear();
                ending.extend(chars.next().map(shape::ending_here));
                ending.push_str(chars.as_str());
                let source = Some(unit.source_start as usize..unit.source_end as usize);
                line.push(&ending, usize::from(unit.width), source);
                return;
            }
            let source = Some(unit.source_start as usize..unit.source_end as usize);
            if Prepared::is_invisible(unit) {
                // A directional mark: it has been reordered, it is not drawn.
            } else if usize::from(unit.width) > width {
                // Wider than the whole line (a wide character in a one-column area).
                for _ in 0..width {
                    line.push(" ", 1, None);
                }
            } else if let Some(c) = unit.single {
                line.push_char(c, usize::from(unit.width), source);
            } else {
                line.push(self.symbol(unit), usize::from(unit.width), source);
            }
        };
        self.visual_order(units, &mut emit);
        if ellipsis && self.dir == Dir::Ltr {
            line.push(ELLIPSIS, 1, None);
        }
        line
    }

    /// Calls `emit` with the index of each of `units` (one line, logical order) in visual
    /// order, left to right: rule L1, then L2.
    fn visual_order(&self, units: &[Unit], emit: &mut impl FnMut(usize)) {
        let paragraph_level = self.dir.level();
        if units.iter().all(|u| u.level == paragraph_level) {
            // One direction throughout (most English and many Arabic headlines): L1 changes
            // nothing, and L2 keeps or reverses the line.
            if paragraph_level == 0 {
                (0..units.len()).for_each(emit);
            } else {
                (0..units.len()).rev().for_each(emit);
            }
            return;
        }
        // L1: whitespace at the end of the line returns to the paragraph level.
        let mut trailing = units.len();
        while trailing > 0 && units[trailing - 1].spacing == Spacing::Space {
            trailing -= 1;
        }
        let level = |i: usize| {
            if i >= trailing {
                paragraph_level
            } else {
                units[i].level
            }
        };
        let separated = units[..trailing]
            .iter()
            .any(|u| u.spacing == Spacing::Separator);
        let deep = units.iter().any(|u| u.level > 2);
        if separated || deep {
            self.visual_order_general(units, emit);
            return;
        }
        // Levels 0 to 2 only (every paragraph without explicit embeddings): runs at level 0
        // stay in place; a run at levels 1 and 2 is reversed as a whole, its level-1 parts
        // within themselves, its level-2 parts (numbers, LTR text) keeping their order.
        // That is L2's run reversals, without building the permutation.
        let mut i = 0;
        while i < units.len() {
            if level(i) == 0 {
                emit(i);
                i += 1;
                continue;
            }
            let mut end = i;
            while end < units.len() && level(end) > 0 {
                end += 1;
            }
            let mut k = end;
            while k > i {
                let run_level = level(k - 1);
                let mut start = k - 1;
                while start > i && level(start - 1) == run_level {
                    start -= 1;
                }
                if run_level == 1 {
                    (start..k).rev().for_each(&mut *emit);
                } else {
                    (start..k).for_each(&mut *emit);
                }
                k = start;
            }
            i = end;
        }
    }

    /// [`Prepared::visual_order`] for any levels and separators, by building the
    /// permutation.
    fn visual_order_general(&self, units: &[Unit], emit: &mut impl FnMut(usize)) {
        let paragraph_level = self.dir.level();
        let mut order: Vec<(u32, u8)> = (0..units.len())
            .map(|i| (to_u32(i), units[i].level))
            .collect();
        let mut resetting = true;
        for (unit, (_, level)) in units.iter().zip(order.iter_mut()).rev() {
            match unit.spacing {
                Spacing::Separator => {
                    *level = paragraph_level;
                    resetting = true;
                }
                Spacing::Space if resetting => *level = paragraph_level,
                Spacing::Space => {}
                Spacing::Other => resetting = false,
            }
        }
        bidi::reverse_runs(&mut order, |&(_, level)| level);
        for (i, _) in order {
            emit(i as usize);
        }
    }
}

/// The width of characters of grapheme cluster break class Other in the scripts headlines
/// are mostly written in, `None` for other characters. Among themselves such characters
/// form clusters of one, so text made of them needs no segmentation pass, and their widths
/// need no table search.
fn lone_width(c: char) -> Option<u8> {
    /// The Arabic block's lone characters: letters, digits and punctuation.
    const ARABIC: [bool; 256] = {
        let mut lone = [false; 256];
        let mut cp = 0x600;
        while cp < 0x700 {
            lone[cp - 0x600] = matches!(cp, 0x60C | 0x61B | 0x61F..=0x64A | 0x660..=0x66F | 0x671..=0x6D5 | 0x6EE..=0x6FF);
            cp += 1;
        }
        lone
    };
    let cp = u32::from(c);
    if cp < 0x80 {
        return (0x20..0x7F).contains(&cp).then_some(1);
    }
    if let Some(&lone) = ARABIC.get(cp.wrapping_sub(0x600) as usize) {
        return lone.then_some(1);
    }
    match c {
        '\u{A0}'..='\u{AC}'
        | '\u{AE}'..='\u{2FF}'
        | '\u{370}'..='\u{482}'
        | '\u{5D0}'..='\u{5EA}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{20A0}'..='\u{20C0}'
        | '\u{2100}'..='\u{21FF}'
        | '\u{FE70}'..='\u{FEFC}' => Some(1),
        '\u{4E00}'..='\u{9FFF}' => Some(2),
        _ => None,
    }
}

/// Directional marks and isolate controls: they take part in reordering, then are not
/// drawn. (Characters removed by X9 — BN, which includes ZWJ, ZWNJ, soft hyphens and the
/// ligature filler, and the embedding controls — are dropped before that.)
fn is_invisible_mark(c: char, class: BidiClass) -> bool {
    matches!(
        class,
        BidiClass::LRI | BidiClass::RLI | BidiClass::FSI | BidiClass::PDI
    ) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Laid-out paragraphs kept across frames, so that drawing a frame never re-runs the
/// algorithm for text that has not changed.
///
/// Entries are keyed by the caller's item key (e.g. headline id and field), direction and
/// options; the text is stored and compared too, so an edited item is laid out afresh.
/// When the cache is full, entries not used in the current or previous frame (see
/// [`LayoutCache::next_frame`]) are dropped.
#[derive(Debug)]
pub struct LayoutCache {
    entries: HashMap<(u64, Dir, LayoutOptions), CacheEntry>,
    hasher: std::hash::RandomState,
    frame: u64,
    capacity: usize,
}

#[derive(Debug)]
struct CacheEntry {
    text: String,
    paragraph: VisualParagraph,
    last_used: u64,
}

impl Default for LayoutCache {
    fn default() -> Self {
        LayoutCache::new(4096)
    }
}

impl LayoutCache {
    /// A cache that starts evicting when it holds `capacity` paragraphs.
    pub fn new(capacity: usize) -> Self {
        LayoutCache {
            entries: HashMap::new(),
            hasher: std::hash::RandomState::new(),
            frame: 0,
            capacity: capacity.max(1),
        }
    }

    /// The layout of `text` for the item `key`, computed only when not cached.
    pub fn get(
        &mut self,
        key: impl Hash,
        text: &str,
        dir: Dir,
        options: LayoutOptions,
    ) -> &VisualParagraph {
        let id = (self.hasher.hash_one(key), dir, options);
        let frame = self.frame;
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&id) {
            self.evict();
        }
        let entry = match self.entries.entry(id) {
            Entry::Occupied(occupied) => {
                let entry = occupied.into_mut();
                if entry.text != text {
                    entry.text = text.to_owned();
                    entry.paragraph = layout(text, dir, options);
                }
                entry
            }
            Entry::Vacant(vacant) => vacant.insert(CacheEntry {
                text: text.to_owned(),
                paragraph: layout(text, dir, options),
                last_used: frame,
            }),
        };
        entry.last_used = frame;
        &entry.paragraph
    }

    /// Marks the start of a new frame, for eviction.
    pub fn next_frame(&mut self) {
        self.frame += 1;
    }

    /// Forgets everything (e.g. after the terminal's shaping support changed).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn evict(&mut self) {
        let recent = self.frame.saturating_sub(1);
        self.entries.retain(|_, entry| entry.last_used >= recent);
        if self.entries.len() >= self.capacity {
            // One frame alone needs more than the capacity: start over rather than grow.
            self.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::buffer::Buffer;

    /// Characters headlines are made of, and some that are not: marks, joiners, wide
    /// characters, brackets, digits of three kinds, directional marks.
    const ALPHABET: &[char] = &[
        'a', 'b', 'Z', '1', '2', '9', ' ', ' ', ' ', '.', ',', ':', '%', '-', '+', '$', '(', ')',
        '[', ']', '«', '»', '"', '!', '?', 'é', 'ب', 'ت', 'ل', 'ا', 'أ', 'ه', 'ي', 'ة', 'ء', 'د',
        'و', 'پ', 'گ', 'ی', 'ک', '٢', '٤', '۵', '،', '؟', 'ـ', '\u{064E}', '\u{0651}', '\u{0650}',
        'א', 'ש', 'ל', '\u{05B8}', '中', '文', '\u{200C}', '\u{200D}', '\u{200F}', '\u{00AD}',
        '\u{0600}', '…', '\u{0301}', '\n', '\t', '\u{2029}', '\u{2067}', '\u{2069}',
    ];

    #[test]
    fn the_letter_before_the_ellipsis_is_shaped_as_ending_the_kept_text() {
        let line = first(layout(
            "التعادل على",
            Dir::Rtl,
            LayoutOptions::single_line(10),
        ));
        assert_eq!(
            line.as_str(),
            format!("…{}", visual_line("التعادل ع", Dir::Rtl))
        );
        // With its mark, and at the end of a left-to-right paragraph.
        let line = first(layout(
            "Qatar: صراعًا",
            Dir::Ltr,
            LayoutOptions::single_line(11),
        ));
        assert_eq!(
            line.as_str(),
            format!("{}…", visual_line("Qatar: صرا", Dir::Ltr))
        );
        let line = first(layout("a عبًاb", Dir::Ltr, LayoutOptions::single_line(5)));
        assert_eq!(line.as_str(), format!("{}…", visual_line("a عبً", Dir::Ltr)));
    }

    fn first(paragraph: VisualParagraph) -> VisualLine {
        paragraph.lines.into_iter().next().unwrap_or_default()
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(ALPHABET), 0..48)
            .prop_map(|chars| chars.into_iter().collect())
    }

    /// Text without format or control characters, starting with a letter: its grapheme
    /// clusters are exactly the cells to expect.
    fn plain_text() -> impl Strategy<Value = String> {
        let alphabet: Vec<char> = ALPHABET
            .iter()
            .copied()
            .filter(|&c| !c.is_control() && bidi::class_of(c) != BidiClass::BN)
            .filter(|&c| {
                !matches!(
                    c,
                    '\u{200F}' | '\u{0600}' | '\u{2029}' | '\u{2067}' | '\u{2069}'
                )
            })
            .collect();
        (
            proptest::sample::select(vec!['a', 'ب', 'א']),
            proptest::collection::vec(proptest::sample::select(alphabet), 0..48),
        )
            .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
    }

    fn ltr_text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 .,:;%()\\[\\]\"'!?+-]{0,60}"
    }

    fn dir() -> impl Strategy<Value = Dir> {
        prop_oneof![Just(Dir::Ltr), Just(Dir::Rtl)]
    }

    /// A character and its mirror image count as one.
    fn unmirrored(symbol: &str) -> String {
        symbol.chars().map(|c| c.min(bidi::mirror(c))).collect()
    }

    proptest! {
        #[test]
        fn visual_line_is_a_permutation_of_the_logical_clusters(text in text(), dir in dir()) {
            let line = layout_line(&text, dir, false);
            let mut drawn: Vec<String> = line.cells().map(|c| unmirrored(c.symbol)).collect();
            // Logical clusters, as drawn: format characters dropped (a joiner inside an
            // emoji sequence would stay, there are none here), a mark without a base on a
            // space, a cluster that spans two levels as two.
            let prepared = Prepared::new(&text, dir, false, true);
            let mut logical: Vec<String> = prepared
                .units
                .iter()
                .filter(|u| !Prepared::is_invisible(u))
                .map(|u| match u.single {
                    Some(c) => unmirrored(&c.to_string()),
                    None => unmirrored(prepared.symbol(u)),
                })
                .collect();
            drawn.sort();
            logical.sort();
            prop_assert_eq!(drawn, logical);
            // And those units are the text's grapheme clusters, in order, each drawn with
            // all its characters but format ones.
            let mut covered = 0;
            for unit in &prepared.units {
                prop_assert!(unit.source_start as usize >= covered);
                covered = unit.source_end as usize;
            }
            prop_assert!(covered <= text.len());
        }

        #[test]
        fn cells_are_the_grapheme_clusters_reordered(text in plain_text(), dir in dir()) {
            let line = layout_line(&text, dir, false);
            let mut drawn: Vec<String> = line.cells().map(|c| unmirrored(c.symbol)).collect();
            let mut logical: Vec<String> = text.graphemes(true).map(unmirrored).collect();
            drawn.sort();
            logical.sort();
            prop_assert_eq!(drawn, logical);
        }

        #[test]
        fn quick_reordering_matches_rule_l2(text in text(), dir in dir()) {
            let prepared = Prepared::new(&text, dir, true, true);
            let (mut quick, mut general) = (Vec::new(), Vec::new());
            prepared.visual_order(&prepared.units, &mut |i| quick.push(i));
            prepared.visual_order_general(&prepared.units, &mut |i| general.push(i));
            prop_assert_eq!(quick, general);
        }

        #[test]
        fn shaping_keeps_one_cell_per_cluster_but_ligatures(text in text(), dir in dir()) {
            let plain = layout_line(&text, dir, false);
            let shaped = layout_line(&text, dir, true);
            let ligatures = shaped.as_str().chars().filter(|c| ('\u{FEF5}'..='\u{FEFC}').contains(c)).count();
            prop_assert_eq!(shaped.cells().len() + ligatures, plain.cells().len());
        }

        #[test]
        fn lines_never_exceed_the_area(
            text in text(),
            dir in dir(),
            width in 0usize..40,
            max_lines in 1usize..5,
            shaping in any::<bool>(),
        ) {
            let options = LayoutOptions::wrapped(width, max_lines).with_shaping(shaping);
            let paragraph = layout(&text, dir, options);
            prop_assert!(!paragraph.lines.is_empty());
            prop_assert!(paragraph.lines.len() <= max_lines);
            for line in &paragraph.lines {
                prop_assert!(line.width() <= width, "{:?} is wider than {}", line.as_str(), width);
                prop_assert_eq!(line.width(), line.cells().map(|c| c.width).sum::<usize>());
                // What ratatui will measure agrees.
                for cell in line.cells() {
                    prop_assert!(cell.width >= 1);
                    prop_assert_eq!(cell.width, usize::from(ratatui::buffer::CellWidth::cell_width(cell.symbol)));
                }
                let area = Rect::new(0, 0, u16::try_from(width).unwrap_or(u16::MAX).max(1), 1);
                let mut buf = Buffer::empty(area);
                line.render(area, &mut buf, Style::default());
            }
        }

        #[test]
        fn ltr_only_text_is_unchanged(text in ltr_text()) {
            prop_assert_eq!(visual_line(&text, Dir::Ltr), text.clone());
            let paragraph = layout(&text, Dir::Ltr, LayoutOptions::single_line(200));
            prop_assert_eq!(paragraph.lines[0].as_str(), text.as_str());
        }
    }

    #[test]
    fn rtl_line_renders_right_aligned_with_marks_in_their_cells() {
        let paragraph = layout("بَت", Dir::Rtl, LayoutOptions::single_line(6));
        let area = Rect::new(0, 0, 6, 1);
        let mut buf = Buffer::empty(area);
        paragraph.lines[0].render(area, &mut buf, Style::default());
        let symbols: Vec<&str> = (0..6).map(|x| buf[(x, 0)].symbol()).collect();
        // Teh final, then beh initial carrying its fatha, at the right edge.
        assert_eq!(
            symbols,
            [" ", " ", " ", " ", "\u{FE96}", "\u{FE91}\u{064E}"]
        );
    }

    #[test]
    fn wide_cells_hide_the_next_cell() {
        let paragraph = layout("中a", Dir::Ltr, LayoutOptions::single_line(4));
        let area = Rect::new(0, 0, 4, 1);
        let mut buf = Buffer::filled(area, ratatui::buffer::Cell::new("x"));
        paragraph.lines[0].render(area, &mut buf, Style::default());
        let symbols: Vec<&str> = (0..4).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(symbols, ["中", " ", "a", "x"]);
    }

    #[test]
    fn ratatui_line_keeps_the_clusters() {
        let paragraph = layout("لا سلام", Dir::Rtl, LayoutOptions::single_line(20));
        let line = paragraph.lines[0].to_line();
        assert_eq!(line.alignment, Some(Alignment::Right));
        assert_eq!(line.spans.len(), paragraph.lines[0].cells().len());
        assert_eq!(line.width(), paragraph.lines[0].width());
    }

    #[test]
    fn cells_know_their_source() {
        let text = "ab شس";
        let paragraph = layout(text, Dir::Ltr, LayoutOptions::single_line(20));
        let sources: Vec<_> = paragraph.lines[0].cells().map(|c| c.source).collect();
        // a, b, space, then the Arabic run reversed.
        assert_eq!(
            sources,
            [Some(0..1), Some(1..2), Some(2..3), Some(5..7), Some(3..5)]
        );
    }

    /// The lit cells of `line`, left to right, as their symbols.
    fn lit_symbols(line: &VisualLine) -> Vec<&str> {
        line.cells()
            .filter(|cell| cell.lit)
            .map(|cell| cell.symbol)
            .collect()
    }

    #[test]
    fn a_lam_alef_ligature_comes_from_both_letters() {
        // سلام: the lam and alef make one cell, the ligature, from bytes 2..6.
        let text = "سلام";
        let line = &layout(text, Dir::Rtl, LayoutOptions::single_line(20)).lines[0];
        let sources: Vec<_> = line.cells().map(|c| c.source).collect();
        assert_eq!(sources, [Some(6..8), Some(2..6), Some(0..2)]);
        assert_eq!(line.as_str(), "\u{FEE1}\u{FEFC}\u{FEB3}");
    }

    #[test]
    // One range of bytes, not a range of numbers.
    #[allow(clippy::single_range_in_vec_init)]
    fn highlights_light_exactly_the_cells_of_their_bytes() {
        // والسلام with سلام lit: its letters from byte 4, lam-alef ligature included; the
        // و and the ال before them are not (their lam is not in a ligature).
        let text = "والسلام";
        let mut line = layout(text, Dir::Rtl, LayoutOptions::single_line(20)).lines[0].clone();
        assert!(!line.any_lit());
        line.light(&[6..text.len()]);
        // Visual order, left to right: م (alone: a ligature does not join on), the
        // ligature, س.
        assert_eq!(lit_symbols(&line), ["\u{FEE1}", "\u{FEFC}", "\u{FEB4}"]);
        assert_eq!(line.cells().filter(|cell| !cell.lit).count(), 3);
        // Only the alef of the ligature matched: the ligature lights all the same.
        let mut line = layout("سلام", Dir::Rtl, LayoutOptions::single_line(20)).lines[0].clone();
        line.light(&[4..6]);
        assert_eq!(lit_symbols(&line), ["\u{FEFC}"]);
        // Mixed: the Latin word in an Arabic line, reordered, lights its own cells.
        let text = "خبر BBC عاجل";
        let mut line = layout(text, Dir::Rtl, LayoutOptions::single_line(30)).lines[0].clone();
        let bbc = text.find("BBC").unwrap();
        line.light(&[bbc..bbc + 3]);
        assert_eq!(lit_symbols(&line), ["B", "B", "C"]);
        line.light(&[]);
        assert_eq!(lit_symbols(&line).len(), 3);
    }

    #[test]
    fn empty_and_zero_width() {
        let paragraph = layout("", Dir::Rtl, LayoutOptions::single_line(10));
        assert_eq!(paragraph.lines.len(), 1);
        assert!(paragraph.lines[0].is_empty());
        assert!(!paragraph.truncated);
        let paragraph = layout("abc", Dir::Ltr, LayoutOptions::single_line(0));
        assert_eq!(paragraph.lines[0].width(), 0);
        assert!(paragraph.truncated);
        assert_eq!(
            layout("abc", Dir::Ltr, LayoutOptions::single_line(1)).lines[0].as_str(),
            "…"
        );
    }

    #[test]
    fn controls_are_drawn_as_spaces_and_format_characters_not_at_all() {
        assert_eq!(visual_line("a\tb", Dir::Ltr), "a b");
        assert_eq!(visual_line("a\u{200B}b\u{200E}c", Dir::Ltr), "abc");
        // A mark with no base gets a space in cells, but not in the plain visual string.
        assert_eq!(
            layout_line("\u{064E}ب", Dir::Rtl, false).as_str(),
            "ب \u{064E}"
        );
        assert_eq!(visual_line("\u{064E}ب", Dir::Rtl), "\u{FE8F}\u{064E}");
    }

    #[test]
    fn emoji_sequences_stay_whole() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let line = layout_line(&format!("مرحبا {family}"), Dir::Rtl, true);
        assert!(line.cells().any(|c| c.symbol == family));
    }

    #[test]
    fn cache_lays_out_once_per_item_and_text() {
        let mut cache = LayoutCache::new(2);
        let options = LayoutOptions::single_line(10);
        let first = cache.get(("feed", 1), "שלום", Dir::Rtl, options).clone();
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(("feed", 1), "שלום", Dir::Rtl, options), &first);
        assert_eq!(cache.len(), 1);
        // Same item, new text: laid out afresh.
        let changed = cache.get(("feed", 1), "עולם", Dir::Rtl, options).clone();
        assert_ne!(changed, first);
        assert_eq!(cache.len(), 1);
        // Another width is another entry.
        cache.get(("feed", 1), "עולם", Dir::Rtl, LayoutOptions::single_line(3));
        assert_eq!(cache.len(), 2);
        // Full: entries unused in this and the previous frame go first.
        cache.next_frame();
        cache.next_frame();
        cache.get(("feed", 2), "x", Dir::Ltr, options);
        assert_eq!(cache.len(), 1);
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn lone_cluster_characters_are_their_own_clusters() {
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            let Some(width) = lone_width(c) else { continue };
            let s = format!("a{c}a{c}{c}\u{300}");
            let clusters: Vec<&str> = s.graphemes(true).collect();
            assert_eq!(clusters.len(), 5, "U+{:04X}", u32::from(c));
            assert_eq!(clusters[2], "a");
            // The width needs no measuring, and neither shaping nor mirroring changes it.
            let code = u32::from(c);
            assert_eq!(
                usize::from(width),
                cluster_width(&c.to_string()),
                "U+{code:04X}"
            );
            let mirrored = bidi::mirror(c).to_string();
            assert_eq!(usize::from(width), cluster_width(&mirrored), "U+{code:04X}");
            let shaped = shape::shape_rtl_run(&c.to_string());
            assert_eq!(usize::from(width), cluster_width(&shaped), "U+{code:04X}");
        }
    }
}
