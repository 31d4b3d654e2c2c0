//! Text for terminals that reorder bidi text themselves (`bidi = "terminal"`): akhbar's own
//! layout — the same line breaks, widths and truncation — sent in logical order, each line
//! of a field its own directional isolate, so that the terminal's bidi algorithm puts every
//! field, ticker item and pane line where akhbar's layout has it.
//!
//! Terminals keep a character that takes no column (an isolate control, a directional mark)
//! in the cell before it, and drop it at the start of a row. So the controls travel in the
//! cells' symbols: a line's isolate initiator with the cell before the line (see
//! [`LogicalLine::opening`]), every other control after the character it follows. A cell
//! redrawn alone then brings its controls with it, and never adds a second copy to its
//! neighbour.

use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use unicode_bidi::BidiClass;

use super::bidi::{self, Dir};
use super::layout::{LayoutOptions, VisualLine, layout};
use super::shape::{self, Joining};
use super::width::cluster_width;

const LRI: char = '\u{2066}';
const RLI: char = '\u{2067}';
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';
const LRM: char = '\u{200E}';
const RLM: char = '\u{200F}';
const ALM: char = '\u{061C}';
const ZWJ: char = '\u{200D}';
const LAM: char = '\u{0644}';

/// What a terminal that reorders does besides reordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// Shapes Arabic and mirrors brackets itself, as the bidi algorithm asks: it gets the
    /// text's own characters.
    #[default]
    Generic,
    /// Konsole: mirrors no brackets (rule L4), and its Arabic shaping leaves a blank cell
    /// after each lam-alef ligature. It gets akhbar's shaping (presentation forms, a lam-alef
    /// as one character), brackets already mirrored where they resolve to a right-to-left
    /// level; presentation forms join nothing, so it only reorders them.
    Konsole,
    /// mlterm: draws isolate controls and marks as blank cells, so it gets none; it shapes
    /// and mirrors itself. Its own bidi reorders each row as one paragraph whatever is sent,
    /// so fields can still run into each other there.
    Mlterm,
}

impl Flavour {
    /// The flavour a terminal wants, from its environment: Konsole announces itself with
    /// `$KONSOLE_VERSION`.
    pub fn for_terminal(env: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name| env(name).is_some_and(|value| !value.is_empty());
        if set("KONSOLE_VERSION") {
            Flavour::Konsole
        } else if set("MLTERM") {
            Flavour::Mlterm
        } else {
            Flavour::Generic
        }
    }

    /// Whether akhbar shapes Arabic (and mirrors brackets) for this terminal.
    pub fn shapes(self) -> bool {
        self == Flavour::Konsole
    }
}

/// One line of a field in logical order, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogicalLine {
    /// The cells in logical order, aligned by the paragraph's direction like a laid-out
    /// line; the controls inside the line and the closing PDI ride in their symbols.
    pub line: VisualLine,
    /// Controls that open the line (its isolate initiator), written with the cell before
    /// the line's first cell.
    pub opening: String,
}

impl LogicalLine {
    /// Draws the line into the first row of `area`, aligned by direction, and appends
    /// [`LogicalLine::opening`] to the cell before it.
    pub fn render(&self, area: Rect, buf: &mut Buffer, style: Style) {
        self.render_lit(area, buf, style, Style::new(), &[]);
    }

    /// [`LogicalLine::render`], lit cells in `lit` ([`VisualLine::render_lit`]).
    pub fn render_lit(
        &self,
        area: Rect,
        buf: &mut Buffer,
        style: Style,
        lit: Style,
        ranges: &[std::ops::Range<usize>],
    ) {
        self.line.render_lit(area, buf, style, lit, ranges);
        if self.opening.is_empty() || self.line.is_empty() {
            return;
        }
        let lead =
            u16::try_from(self.line.leading_padding(usize::from(area.width))).unwrap_or(u16::MAX);
        let x = area.x.saturating_add(lead);
        if x > buf.area.x
            && let Some(cell) = buf.cell_mut((x - 1, area.y))
        {
            let symbol = format!("{}{}", cell.symbol(), self.opening);
            cell.set_symbol(&symbol);
        }
    }
}

/// Isolate initiators of the text left open at the end of a line, to open again on the
/// next line of the same paragraph.
pub type OpenIsolates = Vec<char>;

/// `visual`, a line laid out from `text` (its cells knowing their source), turned back into
/// logical order for the terminal to reorder: the same cells, in the order of their source,
/// an isolate of the line's direction around them, and the text's directional controls in
/// `span` (the part of `text` the line shows) kept where they were. `open` carries the
/// text's own isolates across the lines of one paragraph. A line that starts a row
/// (`starts_row`) cannot hand its opening to a cell before it: a left-to-right one needs
/// none (the terminal's rows read left to right), a right-to-left one goes to Konsole in
/// visual order, pinned by marks, and to other terminals with its opening in its first cell.
/// With `joined`, a letter the line cuts off from a letter it joins (a wrapped word, a
/// ticker item at the edge) keeps its joined form, as in the laid-out text; without, the
/// kept text is shaped as text that ends there (a truncated field).
pub fn from_visual(
    visual: &VisualLine,
    text: &str,
    span: Range<usize>,
    flavour: Flavour,
    open: &mut OpenIsolates,
    starts_row: bool,
    joined: bool,
) -> LogicalLine {
    let dir = visual.dir();
    if visual.is_empty() {
        return LogicalLine {
            line: visual.clone(),
            opening: String::new(),
        };
    }
    if starts_row && dir == Dir::Rtl && flavour == Flavour::Konsole {
        return LogicalLine {
            line: pinned(visual, text),
            opening: String::new(),
        };
    }
    let mut cells: Vec<Piece> = visual
        .cells()
        .map(|cell| Piece {
            symbol: match (&cell.source, flavour) {
                (Some(source), Flavour::Generic | Flavour::Mlterm) => {
                    own_characters(text, source, cell.symbol)
                }
                _ => cell.symbol.to_owned(),
            },
            width: cell.width,
            source: cell.source,
            lit: cell.lit,
            tail: String::new(),
            marks: String::new(),
        })
        .collect();
    // Stable: cells without a source (the ellipsis) go to the logical end.
    cells.sort_by_key(|cell| cell.source.as_ref().map_or(usize::MAX, |r| r.start));
    // The text's controls between cells, and before and after them within the span; and
    // where text is left out (the line's neighbours in its paragraph, a ticker item's parts
    // beyond the edge), a mark of its direction, so that the terminal resolves the
    // characters beside it as the layout did.
    let mut leading = String::new();
    let mut leading_marks = String::new();
    let mut cut = false;
    let mut at = span.start;
    for index in 0..cells.len() {
        let Some(source) = cells[index].source.clone() else {
            continue;
        };
        let gap = at..source.start.max(at);
        let controls = controls_in(text, gap.clone());
        let mut hidden = text.get(gap).unwrap_or_default();
        if cells[index].symbol.starts_with(is_lam_alef) {
            // The lam of the ligature is drawn, in the ligature.
            hidden = hidden.strip_suffix(LAM).unwrap_or(hidden);
        }
        cut |= hidden.chars().any(|c| !is_control(c));
        if index == 0 {
            leading = controls;
            let mut before = text.get(..source.start).unwrap_or_default();
            if cells[index].symbol.starts_with(is_lam_alef) {
                before = before.strip_suffix(LAM).unwrap_or(before);
            }
            cut |= before.chars().any(|c| !is_control(c));
            leading_marks.extend(last_strong(before));
        } else {
            let first = first_strong(hidden);
            let last = last_strong(hidden);
            cells[index - 1].tail.push_str(&controls);
            cells[index - 1].marks.extend(first);
            cells[index - 1]
                .marks
                .extend(last.filter(|_| last != first));
        }
        at = at.max(source.end);
    }
    let last_sourced = cells.iter().rposition(|cell| cell.source.is_some());
    if let Some(last) = last_sourced {
        cells[last].tail.push_str(&controls_in(text, at..span.end));
        let after = text.get(at..).unwrap_or_default();
        cut |= after.chars().any(|c| !is_control(c));
        cells[last].marks.extend(first_strong(after));
    }
    let (join_first, join_last) = if joined {
        cut_joins(text, &cells)
    } else {
        (false, false)
    };
    if let Some(last) = last_sourced.filter(|_| join_last) {
        cells[last].tail.push(ZWJ);
    }
    // Where text is left out, the terminal cannot resolve the line's numbers and embedded
    // runs as they were resolved in the whole paragraph: each is sent as an isolate of its
    // own, at the level the layout gave it.
    let nested = if cut {
        nested_runs(text, dir, &cells)
    } else {
        Vec::new()
    };
    let mut inner = String::new();
    inner.extend(open.iter());
    inner.push_str(&leading);
    inner.push_str(&leading_marks);
    let mut symbols: Vec<String> = Vec::with_capacity(cells.len());
    for (index, cell) in cells.iter().enumerate() {
        let mut symbol = format!("{}{}", cell.symbol, cell.tail);
        if nested.iter().any(|&(_, end, _)| end == index + 1) {
            symbol.push(PDI);
        }
        symbol.push_str(&cell.marks);
        if let Some(&(_, _, initiator)) = nested.iter().find(|&&(start, _, _)| start == index + 1) {
            symbol.push(initiator);
        }
        symbols.push(symbol);
    }
    if let Some(&(_, _, initiator)) = nested.iter().find(|&&(start, _, _)| start == 0) {
        inner.push(initiator);
    }
    if join_first {
        inner.push(ZWJ);
    }
    balance(&mut inner, &mut symbols, open);
    let isolated = !(starts_row && dir == Dir::Ltr);
    let mut opening = String::new();
    if isolated {
        opening.push(match dir {
            Dir::Ltr => LRI,
            Dir::Rtl => RLI,
        });
    }
    opening.push_str(&inner);
    if let Some(last) = symbols.last_mut() {
        last.extend(std::iter::repeat_n(PDI, open.len()));
        if isolated {
            last.push(PDI);
        }
    }
    if starts_row && let Some(first) = symbols.first_mut() {
        first.insert_str(0, &opening);
        opening.clear();
    }
    if flavour == Flavour::Mlterm {
        opening.clear();
        for symbol in &mut symbols {
            symbol.retain(|c| !is_control(c) && c != ZWJ);
        }
    }
    let bytes = symbols.iter().map(String::len).sum();
    let mut line = VisualLine::with_capacity(dir, bytes, cells.len());
    for (symbol, cell) in symbols.iter().zip(cells) {
        line.push_lit(symbol, cell.width, cell.source, cell.lit);
    }
    LogicalLine { line, opening }
}

/// A cell on its way out, in logical order.
struct Piece {
    symbol: String,
    width: usize,
    source: Option<Range<usize>>,
    lit: bool,
    /// The text's controls that follow it, and a joiner when it joins a letter left out.
    tail: String,
    /// Marks standing for the text left out after it.
    marks: String,
}

/// The stretches of `cells` (logical order) that the paragraph of `text` in direction
/// `dir` puts above its own level — numbers and Latin in right-to-left text, Arabic in
/// left-to-right text — as cell ranges with the isolate initiator of their direction.
fn nested_runs(text: &str, dir: Dir, cells: &[Piece]) -> Vec<(usize, usize, char)> {
    let resolved = bidi::resolve(text, Some(dir));
    let mut starts: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
    starts.push(text.len());
    let level_at = |source: &Range<usize>| {
        let first = starts.partition_point(|&at| at < source.start);
        (first..starts.len() - 1)
            .take_while(|&index| starts[index] < source.end)
            .map(|index| resolved.level(index))
            .find(|&level| level != bidi::REMOVED)
    };
    let base = dir.level();
    let mut runs = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    for (index, cell) in cells.iter().enumerate() {
        let level = cell.source.as_ref().and_then(level_at).unwrap_or(base);
        match open {
            Some((start, run_level)) if level <= base => {
                runs.push((start, index, initiator(run_level)));
                open = None;
            }
            None if level > base => open = Some((index, base + 1)),
            _ => {}
        }
    }
    if let Some((start, run_level)) = open {
        runs.push((start, cells.len(), initiator(run_level)));
    }
    runs
}

fn initiator(level: u8) -> char {
    if level.is_multiple_of(2) { LRI } else { RLI }
}

/// Whether the first and the last cell join a letter the line leaves out, so that a zero
/// width joiner keeps the joined form the layout gave them.
fn cut_joins(text: &str, cells: &[Piece]) -> (bool, bool) {
    let first = cells.iter().find_map(|cell| cell.source.clone());
    let last = cells.iter().rev().find_map(|cell| cell.source.clone());
    let (Some(first), Some(last)) = (first, last) else {
        return (false, false);
    };
    let letter = |c: &char| shape::joining_type(*c) != Joining::T;
    let mut before = text.get(..first.start).unwrap_or_default().chars().rev();
    let mut previous = before.find(letter);
    let first_letter = text.get(first.clone()).and_then(|own| own.chars().next());
    if previous == Some(LAM) && first_letter.is_some_and(is_alef) {
        // The lam is drawn in the first cell, in its lam-alef ligature.
        previous = before.find(letter);
    }
    let join_first = previous
        .zip(first_letter)
        .is_some_and(|(previous, first)| joins_next(previous) && joins_previous(first));
    (join_first, joins_hidden_next(text, &last))
}

fn joins_next(c: char) -> bool {
    matches!(shape::joining_type(c), Joining::D | Joining::L | Joining::C)
}

fn joins_previous(c: char) -> bool {
    matches!(shape::joining_type(c), Joining::D | Joining::R | Joining::C)
}

/// The alefs that form a ligature with a lam before them.
fn is_alef(c: char) -> bool {
    matches!(c, '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0627}')
}

/// `text`, one paragraph in direction `dir`, broken into lines of `width` columns where
/// the layout breaks it, each line in logical order for the terminal to reorder.
pub fn paragraph(text: &str, dir: Dir, width: usize, flavour: Flavour) -> Vec<LogicalLine> {
    let options = LayoutOptions::wrapped(width, usize::MAX).with_shaping(flavour.shapes());
    let paragraph = layout(text, dir, options);
    let starts: Vec<usize> = paragraph
        .lines
        .iter()
        .map(|line| {
            line.cells()
                .filter_map(|cell| cell.source)
                .map(|source| source.start)
                .min()
                .unwrap_or(text.len())
        })
        .collect();
    let mut open = Vec::new();
    paragraph
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let from = if index == 0 { 0 } else { starts[index] };
            let to = starts.get(index + 1).copied().unwrap_or(text.len());
            from_visual(
                line,
                text,
                from..to.max(from),
                flavour,
                &mut open,
                false,
                true,
            )
        })
        .collect()
}

/// `line` with its cells as they are, drawn from the left edge whatever its direction
/// (for mlterm, which aligns a right-to-left row by itself).
pub fn left_aligned(line: &VisualLine) -> VisualLine {
    let mut out = VisualLine::with_capacity(Dir::Ltr, line.as_str().len(), line.cells().len());
    for cell in line.cells() {
        out.push_cell(cell);
    }
    out
}

/// Joins lines drawn side by side (the ticker's items and separators, left to right) into
/// one left-to-right row, each line's opening in the cell before it.
pub fn join(parts: &[LogicalLine]) -> VisualLine {
    let mut cells: Vec<(String, usize, Option<Range<usize>>, bool)> = Vec::new();
    for part in parts {
        let mut opening = part.opening.as_str();
        if let Some(last) = cells.last_mut() {
            last.0.push_str(opening);
            opening = "";
        }
        for (index, cell) in part.line.cells().enumerate() {
            let symbol = if index == 0 {
                format!("{opening}{}", cell.symbol)
            } else {
                cell.symbol.to_owned()
            };
            cells.push((symbol, cell.width, cell.source, cell.lit));
        }
    }
    let bytes = cells.iter().map(|(symbol, ..)| symbol.len()).sum();
    let mut row = VisualLine::with_capacity(Dir::Ltr, bytes, cells.len());
    for (symbol, width, source, lit) in cells {
        row.push_lit(&symbol, width, source, lit);
    }
    row
}

/// A cell's own characters from the text, unshaped and unmirrored, for a terminal that
/// shapes and mirrors; the laid-out symbol when the text's cluster would not draw as that
/// cell (a control drawn as a space, a mark given a space to sit on).
fn own_characters(text: &str, source: &Range<usize>, symbol: &str) -> String {
    match text.get(source.clone()) {
        Some(own)
            if !own.chars().any(char::is_control)
                && cluster_width(own) == cluster_width(symbol) =>
        {
            own.to_owned()
        }
        _ => symbol.to_owned(),
    }
}

/// The directional controls (isolates and marks) in `range` of `text`, which the layout
/// does not draw but the terminal's bidi needs.
fn controls_in(text: &str, range: Range<usize>) -> String {
    text.get(range)
        .unwrap_or_default()
        .chars()
        .filter(|&c| is_control(c))
        .collect()
}

/// A mark of the direction of the first strong character of `text`.
fn first_strong(text: &str) -> Option<char> {
    text.chars().find_map(strong_mark)
}

/// A mark of the direction of the last strong character of `text`.
fn last_strong(text: &str) -> Option<char> {
    text.chars().rev().find_map(strong_mark)
}

fn strong_mark(c: char) -> Option<char> {
    match bidi::class_of(c) {
        BidiClass::L => Some(LRM),
        BidiClass::R => Some(RLM),
        BidiClass::AL => Some(ALM),
        _ => None,
    }
}

fn is_lam_alef(c: char) -> bool {
    ('\u{FEF5}'..='\u{FEFC}').contains(&c)
}

fn is_control(c: char) -> bool {
    matches!(c, LRI | RLI | FSI | PDI | LRM | RLM | ALM)
}

/// Drops the PDIs that close nothing in the line (`opening` and then the cells), and leaves
/// in `open` the isolates the line leaves open.
fn balance(opening: &mut String, symbols: &mut [String], open: &mut OpenIsolates) {
    open.clear();
    let mut keep = |symbol: &mut String| {
        if !symbol.contains([LRI, RLI, FSI, PDI]) {
            return;
        }
        let mut kept = String::with_capacity(symbol.len());
        for c in symbol.chars() {
            match c {
                LRI | RLI | FSI => open.push(c),
                PDI if open.pop().is_none() => continue,
                _ => {}
            }
            kept.push(c);
        }
        *symbol = kept;
    };
    keep(opening);
    symbols.iter_mut().for_each(keep);
}

/// The cells of `visual` for a terminal whose rows read left to right, when nothing can
/// stand before them to open an isolate: each stretch of right-to-left letters (with the
/// spaces and punctuation between them) in logical order, so that the terminal reverses it
/// back and shapes its letters with their true neighbours, closed by a left-to-right mark;
/// everything else (numbers, Latin, punctuation between stretches) in visual order, which
/// the mark before it keeps left to right. `text` is what the cells come from: a letter cut
/// off at the edge from the one it joins keeps its joined form.
fn pinned(visual: &VisualLine, text: &str) -> VisualLine {
    let cells: Vec<_> = visual.cells().collect();
    let rtl = |index: usize| {
        cells[index]
            .symbol
            .chars()
            .next()
            .is_some_and(|c| matches!(bidi::class_of(c), BidiClass::R | BidiClass::AL))
    };
    let neutral = |index: usize| {
        cells[index].symbol.chars().next().is_none_or(|c| {
            matches!(
                bidi::class_of(c),
                BidiClass::WS | BidiClass::ON | BidiClass::CS | BidiClass::NSM | BidiClass::BN
            )
        })
    };
    let mut line = VisualLine::with_capacity(visual.dir(), visual.as_str().len() * 2, cells.len());
    let mut index = 0;
    while index < cells.len() {
        if !rtl(index) {
            let cell = &cells[index];
            line.push(cell.symbol, cell.width, cell.source.clone());
            index += 1;
            continue;
        }
        // The stretch: from this letter to the last letter reached over neutrals only.
        let mut end = index + 1;
        let mut scan = index + 1;
        while scan < cells.len() && (rtl(scan) || neutral(scan)) {
            scan += 1;
            if rtl(scan - 1) {
                end = scan;
            }
        }
        let stretch = &cells[index..end];
        for (position, cell) in stretch.iter().rev().enumerate() {
            let mut symbol = cell.symbol.to_owned();
            if position + 1 == stretch.len() {
                if let Some(source) = &cell.source
                    && joins_hidden_next(text, source)
                {
                    symbol.push(ZWJ);
                }
                symbol.push(LRM);
            }
            line.push(&symbol, cell.width, cell.source.clone());
        }
        index = end;
    }
    line
}

/// Whether the letter at `source` joins the next letter of `text`.
fn joins_hidden_next(text: &str, source: &Range<usize>) -> bool {
    let letter = |c: &char| shape::joining_type(*c) != Joining::T;
    let own = text
        .get(source.clone())
        .and_then(|own| own.chars().rfind(letter));
    let next = text
        .get(source.end..)
        .unwrap_or_default()
        .chars()
        .find(letter);
    own.zip(next)
        .is_some_and(|(own, next)| joins_next(own) && joins_previous(next))
}

#[cfg(test)]
mod tests;
