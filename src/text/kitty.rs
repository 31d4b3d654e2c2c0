//! A frame laid out in visual order, rewritten so that kitty in its default configuration
//! shows it as laid out.
//!
//! kitty does no bidi, but it hands each run of cells drawn with one font to HarfBuzz with
//! the direction HarfBuzz guesses from the run's first character of a script of its own.
//! A right-to-left guess reverses the run's glyphs and mirrors its brackets, so text
//! already in visual order comes out flipped letter by letter. A run is a stretch of cells
//! between blanks (kitty draws spaces with no font) and box-drawing cells (drawn by kitty
//! itself), and a change of face (bold, italic). So each such run is written the way kitty
//! turns it back: its cells in reverse order, mirrored characters swapped, when HarfBuzz
//! would guess right-to-left for that order.
//!
//! kitty counts how many characters each glyph stands for from HarfBuzz's cluster numbers,
//! and in a reversed run it takes the count of the neighbouring cluster; a cell holding a
//! letter and its marks then pushes every later glyph one cell along. Padding every cell of
//! such a run to the same number of characters with COMBINING GRAPHEME JOINER (invisible,
//! part of its cell's cluster) keeps the counts right.
//!
//! No crate models this: it follows kitty's renderer. One font for the whole run is assumed,
//! as with kitty's usual font on Linux (DejaVu Sans Mono has the Arabic presentation forms).
//! Where the letters come from a fallback font instead, kitty splits a word where the font
//! changes, and punctuation against an Arabic word shows on its other side; no order of the
//! cells suits both, and kitty does not say which font it uses.

use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::style::Modifier;
use unicode_script::{Script, UnicodeScript};
use unicode_width::UnicodeWidthStr;

use super::bidi::mirror;

/// Invisible, zero-width, and part of the preceding character's cluster.
const PADDING: char = '\u{034F}';
/// Characters kitty keeps in one cell (a base and two combining characters, 0.26).
const CELL_CHARACTERS: usize = 3;

/// Rewrites every row of `buf` for kitty's shaper (see the module documentation).
pub fn prepare(buf: &mut Buffer) {
    let mut run: Vec<Cell> = Vec::new();
    for y in buf.area.top()..buf.area.bottom() {
        if !may_hold_right_to_left(buf, y) {
            continue;
        }
        for cells in runs(buf, y) {
            run.clear();
            run.extend(cells.clone().filter_map(|x| buf.cell((x, y)).cloned()));
            // What kitty gets is the reversed run, so that is what HarfBuzz will guess from.
            if guessed_direction(run.iter().rev().map(Cell::symbol)) == Direction::RightToLeft {
                write_reversed(buf, y, cells.start, &run);
            }
        }
    }
}

/// Whether row `y` has a character from Hebrew (U+0590) on: every right-to-left script
/// lies above it, and most rows of Latin text can be passed by at once.
fn may_hold_right_to_left(buf: &Buffer, y: u16) -> bool {
    let area = buf.area;
    (area.left()..area.right()).any(|x| {
        buf.cell((x, y))
            .is_some_and(|cell| cell.symbol().chars().any(|c| c >= '\u{0590}'))
    })
}

/// The runs of row `y` as kitty splits it for shaping.
fn runs(buf: &Buffer, y: u16) -> Vec<std::ops::Range<u16>> {
    let area = buf.area;
    let mut runs = Vec::new();
    let mut start = area.left();
    for x in area.left()..=area.right() {
        let cell = (x < area.right()).then(|| buf.cell((x, y))).flatten();
        let ends = cell.is_none_or(ends_run);
        let new_face = cell
            .zip(buf.cell((start, y)))
            .is_some_and(|(cell, first)| x > start && face(first) != face(cell));
        if ends || new_face {
            if x > start {
                runs.push(start..x);
            }
            start = if ends { x.saturating_add(1) } else { x };
        }
    }
    runs
}

/// Cells kitty never shapes with a neighbour: blanks, its own box drawing, and anything
/// ratatui writes specially (wide characters, hyperlinked runs).
fn ends_run(cell: &Cell) -> bool {
    let symbol = cell.symbol();
    let Some(first) = symbol.chars().next() else {
        return true;
    };
    first == ' '
        || first.is_control()
        || matches!(first, '\u{2500}'..='\u{259F}' | '\u{2800}'..='\u{28FF}' | '\u{E000}'..='\u{F8FF}')
        || cell.diff_option != CellDiffOption::None
        || symbol.width() != 1
}

/// What picks a cell's face in kitty.
fn face(cell: &Cell) -> Modifier {
    cell.modifier & (Modifier::BOLD | Modifier::ITALIC)
}

/// Writes `run` back from column `start` of row `y` in reverse order, its mirrored
/// characters swapped, every cell padded to as many characters as the longest.
fn write_reversed(buf: &mut Buffer, y: u16, start: u16, run: &[Cell]) {
    let longest = run
        .iter()
        .map(|cell| cell.symbol().chars().count())
        .max()
        .unwrap_or(1)
        .min(CELL_CHARACTERS);
    for (x, cell) in (start..).zip(run.iter().rev()) {
        let mut symbol: String = cell.symbol().chars().map(mirror).collect();
        let count = symbol.chars().count();
        symbol.extend(std::iter::repeat_n(PADDING, longest.saturating_sub(count)));
        if let Some(target) = buf.cell_mut((x, y)) {
            *target = cell.clone();
            target.set_symbol(&symbol);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    LeftToRight,
    RightToLeft,
}

/// The direction HarfBuzz gives a run of these symbols: that of the first character whose
/// script is a script of its own (not Common, Inherited or Unknown); left to right when
/// there is none.
fn guessed_direction<'a>(symbols: impl Iterator<Item = &'a str>) -> Direction {
    symbols
        .flat_map(str::chars)
        .map(|c| c.script())
        .find(|script| !matches!(script, Script::Common | Script::Inherited | Script::Unknown))
        .map_or(Direction::LeftToRight, |script| {
            if is_right_to_left(script) {
                Direction::RightToLeft
            } else {
                Direction::LeftToRight
            }
        })
}

/// The scripts HarfBuzz writes right to left.
fn is_right_to_left(script: Script) -> bool {
    matches!(
        script,
        Script::Arabic
            | Script::Hebrew
            | Script::Syriac
            | Script::Thaana
            | Script::Nko
            | Script::Samaritan
            | Script::Mandaic
            | Script::Adlam
            | Script::Hanifi_Rohingya
            | Script::Yezidi
            | Script::Imperial_Aramaic
            | Script::Phoenician
            | Script::Old_South_Arabian
            | Script::Old_North_Arabian
            | Script::Avestan
            | Script::Inscriptional_Parthian
            | Script::Inscriptional_Pahlavi
            | Script::Psalter_Pahlavi
            | Script::Old_Turkic
            | Script::Kharoshthi
            | Script::Cypriot
            | Script::Lydian
            | Script::Meroitic_Cursive
            | Script::Meroitic_Hieroglyphs
            | Script::Mende_Kikakui
            | Script::Nabataean
            | Script::Palmyrene
            | Script::Manichaean
            | Script::Hatran
            | Script::Old_Hungarian
            | Script::Old_Sogdian
            | Script::Sogdian
            | Script::Elymaic
            | Script::Chorasmian
            | Script::Old_Uyghur
    )
}

/// Row `y` of `buf` as kitty shows it: each run (as kitty splits them) that HarfBuzz
/// guesses right to left from its own order, reversed with its mirrored characters swapped;
/// padding dropped. Tests compare this with the frame as laid out.
pub fn shown_by_kitty(buf: &Buffer, y: u16) -> String {
    let mut shown = buf.clone();
    for cells in runs(buf, y) {
        let run: Vec<Cell> = cells
            .clone()
            .filter_map(|x| buf.cell((x, y)).cloned())
            .collect();
        if guessed_direction(run.iter().map(Cell::symbol)) == Direction::RightToLeft {
            write_reversed(&mut shown, y, cells.start, &run);
        }
    }
    (shown.area.left()..shown.area.right())
        .filter_map(|x| shown.cell((x, y)))
        .map(|cell| cell.symbol().replace(PADDING, ""))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::layout::{Dir, LayoutOptions, layout};
    use proptest::prelude::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    /// Words of one script each (with digits, punctuation and marks), as headlines are made.
    fn words() -> impl Strategy<Value = String> {
        let arabic = "[ابتثجحخدذرزسشصضطظعغفقكلمنهوية\u{64B}\u{651}]{1,7}";
        let latin = "[A-Za-z]{1,7}";
        let other = "[0-9٠-٩(),.:«»\"-]{1,4}";
        let word = prop_oneof![4 => arabic, 2 => latin, 1 => other];
        proptest::collection::vec(word, 1..12).prop_map(|words| words.join(" "))
    }

    fn row(text: &str) -> Buffer {
        let width = u16::try_from(text.chars().count()).unwrap();
        let mut buf = Buffer::empty(Rect::new(0, 0, width, 1));
        buf.set_string(0, 0, text, Style::new());
        buf
    }

    fn symbols(buf: &Buffer) -> Vec<String> {
        buf.content()
            .iter()
            .map(|c| c.symbol().to_owned())
            .collect()
    }

    #[test]
    fn a_right_to_left_word_is_written_reversed_and_latin_is_left_alone() {
        // "قطر" laid out: ﺮﻄﻗ; kitty reverses the run it gets, so it gets ﻗﻄﺮ.
        let mut buf = row("ﺮﻄﻗ BBC 2026");
        prepare(&mut buf);
        assert_eq!(symbols(&buf).concat(), "ﻗﻄﺮ BBC 2026");
    }

    #[test]
    fn brackets_in_a_reversed_run_are_swapped_for_harfbuzz_to_mirror_back() {
        let mut buf = row("(ﺮﻄﻗ) «ﻲﺑﺮﻋ»");
        prepare(&mut buf);
        assert_eq!(symbols(&buf).concat(), "(ﻗﻄﺮ) «ﻋﺮﺑﻲ»");
    }

    #[test]
    fn the_guess_follows_the_first_letter_of_the_reversed_run() {
        // Digits have no script: a run of them is never reversed. A run is reversed when
        // its last letter (the first kitty gets) is right to left.
        let mut buf = row("2026 BBCﺮﻄﻗ xﺮﻄﻗx");
        prepare(&mut buf);
        assert_eq!(symbols(&buf).concat(), "2026 ﻗﻄﺮCBB xﺮﻄﻗx");
        assert_eq!(shown_by_kitty(&buf, 0), "2026 BBCﺮﻄﻗ xﺮﻄﻗx");
        // Right to left at the start and Latin at the end: kitty reverses it whatever
        // order it is sent in.
        let mut buf = row("ﺮﻄﻗBBC");
        prepare(&mut buf);
        assert_eq!(shown_by_kitty(&buf, 0), "CBBﻗﻄﺮ");
    }

    #[test]
    fn a_marked_cell_makes_every_cell_of_its_run_as_long() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
        for (x, symbol) in ["ﺎ", "ﺒ\u{64B}", "ﻻ"].iter().enumerate() {
            buf[(u16::try_from(x).unwrap(), 0)].set_symbol(symbol);
        }
        prepare(&mut buf);
        assert_eq!(
            symbols(&buf),
            ["ﻻ\u{34F}", "ﺒ\u{64B}", "ﺎ\u{34F}"].map(str::to_owned)
        );
        assert_eq!(shown_by_kitty(&buf, 0), "ﺎﺒ\u{64B}ﻻ");
    }

    #[test]
    fn box_drawing_and_a_change_of_face_end_a_run() {
        let mut buf = row("ﺮﻄﻗ│ﺐﺘﻛ");
        buf[(4, 0)].set_style(Style::new().add_modifier(Modifier::BOLD));
        buf[(5, 0)].set_style(Style::new().add_modifier(Modifier::BOLD));
        buf[(6, 0)].set_style(Style::new().add_modifier(Modifier::BOLD));
        prepare(&mut buf);
        assert_eq!(symbols(&buf).concat(), "ﻗﻄﺮ│ﻛﺘﺐ");
        let mut buf = row("ﺮﻄﻗﺐﺘﻛ");
        for x in 3..6 {
            buf[(x, 0)].set_style(Style::new().add_modifier(Modifier::BOLD));
        }
        prepare(&mut buf);
        assert_eq!(symbols(&buf).concat(), "ﻗﻄﺮﻛﺘﺐ");
    }

    /// Whether kitty can show row `y` at all: no run of it starts (on the left) in a
    /// right-to-left script and ends in a left-to-right one, which kitty reverses in
    /// whichever order it is sent (bidi can put such neighbours together without a space).
    fn showable(buf: &Buffer, y: u16) -> bool {
        runs(buf, y).into_iter().all(|cells| {
            let symbols: Vec<&str> = cells
                .filter_map(|x| buf.cell((x, y)))
                .map(Cell::symbol)
                .collect();
            guessed_direction(symbols.iter().copied()) == Direction::LeftToRight
                || guessed_direction(symbols.iter().rev().copied()) == Direction::RightToLeft
        })
    }

    proptest! {
        #[test]
        fn kitty_shows_every_laid_out_line_as_laid_out(text in words(), rtl: bool, width in 8usize..60) {
            let dir = if rtl { Dir::Rtl } else { Dir::Ltr };
            let paragraph = layout(&text, dir, LayoutOptions::wrapped(width, usize::MAX));
            let mut buf = Buffer::empty(Rect::new(0, 0, u16::try_from(width).unwrap(), 1));
            for line in &paragraph.lines {
                buf.reset();
                line.render(buf.area, &mut buf, Style::new());
                let laid_out: String = buf.content().iter().map(Cell::symbol).collect();
                let can_show = showable(&buf, 0);
                prepare(&mut buf);
                if can_show {
                    prop_assert_eq!(shown_by_kitty(&buf, 0), laid_out);
                }
            }
        }
    }

    #[test]
    fn a_run_no_order_can_show_is_the_only_kind_shown_wrong() {
        // "a 0»٠" right to left puts "٠«" against "a": Arabic-Indic digits are Arabic script.
        let laid_out = first_line("a 0»٠", Dir::Rtl, 8);
        let mut buf = row(&laid_out);
        assert!(!showable(&buf, 0));
        prepare(&mut buf);
        assert_ne!(shown_by_kitty(&buf, 0), laid_out);
    }

    fn first_line(text: &str, dir: Dir, width: usize) -> String {
        let paragraph = layout(text, dir, LayoutOptions::single_line(width));
        paragraph
            .lines
            .first()
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default()
    }

    #[test]
    fn what_kitty_shows_is_the_layout() {
        let laid_out = "01:29 · ﻡﺎﻈﻨﻟﺍ ﻁﻮﻘﺳ (ﺭﻮﺴﻟﺍ) 71 ﺕﺍﺭﺎﻣﻹﺍ │ Ferry";
        let mut buf = row(laid_out);
        prepare(&mut buf);
        assert_ne!(symbols(&buf).concat(), laid_out);
        assert_eq!(shown_by_kitty(&buf, 0), laid_out);
    }
}
