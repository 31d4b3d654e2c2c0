use super::*;
use crate::text::layout::{LayoutOptions, layout, layout_line};

/// `text` fitted on one line of `width` columns, as the list fits a field.
fn field(text: &str, dir: Dir, width: usize, flavour: Flavour) -> LogicalLine {
    let options = LayoutOptions::single_line(width).with_shaping(flavour.shapes());
    let visual = &layout(text, dir, options).lines[0];
    from_visual(
        visual,
        text,
        0..text.len(),
        flavour,
        &mut Vec::new(),
        false,
        false,
    )
}

fn symbols(line: &VisualLine) -> Vec<&str> {
    line.cells().map(|cell| cell.symbol).collect()
}

#[test]
fn a_field_goes_out_in_logical_order_as_an_isolate_of_its_direction() {
    let line = field("قطر 7", Dir::Rtl, 20, Flavour::Generic);
    assert_eq!(line.opening, "\u{2067}");
    assert_eq!(symbols(&line.line), ["ق", "ط", "ر", " ", "7\u{2069}"]);
    assert_eq!(line.line.leading_padding(20), 15);
    let line = field("Doha 7", Dir::Ltr, 20, Flavour::Generic);
    assert_eq!(line.opening, "\u{2066}");
    assert_eq!(line.line.as_str(), "Doha 7\u{2069}");
}

#[test]
fn konsole_gets_presentation_forms_and_brackets_mirrored_at_odd_levels() {
    let line = field("لا (7)", Dir::Rtl, 20, Flavour::Konsole);
    // Lam-alef as one character, the brackets mirrored, still in logical order.
    assert_eq!(
        symbols(&line.line),
        ["\u{FEFB}", " ", ")", "7", "(\u{2069}"]
    );
    let generic = field("لا (7)", Dir::Rtl, 20, Flavour::Generic);
    assert_eq!(generic.line.as_str(), "لا (7)\u{2069}");
}

#[test]
fn generic_terminals_get_the_texts_own_clusters() {
    // The joiner that keeps these letters apart is the terminal's to shape with.
    let line = field("ب\u{200C}ت", Dir::Rtl, 20, Flavour::Generic);
    assert_eq!(symbols(&line.line), ["ب\u{200C}", "ت\u{2069}"]);
}

#[test]
fn a_truncated_field_ends_in_the_ellipsis_after_a_mark_of_what_is_left_out() {
    let line = field(
        "الليرة السورية تواصل التحسن",
        Dir::Rtl,
        10,
        Flavour::Generic,
    );
    let text = line.line.as_str();
    assert!(text.starts_with("الليرة"), "{text}");
    // The rest of the title was Arabic: the terminal resolves the cut end against it.
    assert!(text.ends_with("\u{061C}…\u{2069}"), "{text}");
    assert_eq!(line.line.width(), 10);
}

#[test]
fn text_isolates_cut_by_a_line_break_are_closed_and_opened_again() {
    let text = "from \u{2068}نشرة الاختبار\u{2069} today";
    let paragraph = layout(text, Dir::Ltr, LayoutOptions::wrapped(10, usize::MAX));
    let mut open = Vec::new();
    let mut isolates = 0;
    for line in &paragraph.lines {
        let logical = from_visual(
            line,
            text,
            0..text.len(),
            Flavour::Generic,
            &mut open,
            false,
            true,
        );
        let all = format!("{}{}", logical.opening, logical.line.as_str());
        let opened = all
            .chars()
            .filter(|&c| matches!(c, LRI | RLI | FSI))
            .count();
        let closed = all.chars().filter(|&c| c == PDI).count();
        assert_eq!(opened, closed, "{all:?}");
        isolates += opened;
    }
    assert!(paragraph.lines.len() > 2);
    // One per line, and the name's own isolate on each line it spans.
    assert!(isolates > paragraph.lines.len(), "{isolates}");
}

#[test]
fn numbers_cut_off_from_their_paragraph_keep_their_level() {
    let text = "08:00 · الليرة";
    let visual = layout_line(text, Dir::Rtl, false);
    // The window shows only `08:` of the time and the headline.
    let mut cut = VisualLine::with_capacity(Dir::Rtl, 0, 0);
    for cell in visual.cells().filter(|cell| {
        cell.source
            .as_ref()
            .is_some_and(|r| r.start != 3 && r.start != 4)
    }) {
        cut.push(cell.symbol, cell.width, cell.source.clone());
    }
    let line = from_visual(
        &cut,
        text,
        0..text.len(),
        Flavour::Generic,
        &mut Vec::new(),
        false,
        true,
    );
    // `08:` is an isolate of its own: the colon stays after the 8, as in the whole time.
    assert_eq!(line.opening, "\u{2067}\u{2066}");
    assert!(
        line.line.as_str().starts_with("08:\u{2069} · "),
        "{:?}",
        line.line.as_str()
    );
}

#[test]
fn a_letter_cut_off_from_the_letter_it_joins_keeps_its_form() {
    let text = "التصعيد";
    let visual = layout_line(text, Dir::Rtl, true);
    // Only the last two letters, ي and د, are in view.
    let mut cut = VisualLine::with_capacity(Dir::Rtl, 0, 0);
    for cell in visual.cells().take(2) {
        cut.push(cell.symbol, cell.width, cell.source.clone());
    }
    let line = from_visual(
        &cut,
        text,
        0..text.len(),
        Flavour::Konsole,
        &mut Vec::new(),
        false,
        true,
    );
    assert!(line.opening.ends_with('\u{200D}'), "{:?}", line.opening);
    assert_eq!(symbols(&line.line), ["\u{FEF4}", "\u{FEAA}\u{2069}"]);
    // A truncated field is shaped as text that ends there: no joiner.
    let kept = from_visual(
        &cut,
        text,
        0..text.len(),
        Flavour::Konsole,
        &mut Vec::new(),
        false,
        false,
    );
    assert!(!kept.opening.contains('\u{200D}'));
}

#[test]
fn a_line_at_the_start_of_a_row_needs_no_cell_before_it() {
    let visual = layout_line("Doha 7", Dir::Ltr, false);
    let line = from_visual(
        &visual,
        "Doha 7",
        0..6,
        Flavour::Konsole,
        &mut Vec::new(),
        true,
        false,
    );
    // The row reads left to right already.
    assert!(line.opening.is_empty());
    assert_eq!(line.line.as_str(), "Doha 7");
    // Right to left in Konsole: each stretch of Arabic in logical order, pinned by a mark;
    // the time after it in visual order.
    let text = "08:00 · قطر";
    let visual = layout_line(text, Dir::Rtl, true);
    let line = from_visual(
        &visual,
        text,
        0..text.len(),
        Flavour::Konsole,
        &mut Vec::new(),
        true,
        false,
    );
    assert!(line.opening.is_empty());
    assert_eq!(
        line.line.as_str(),
        "\u{FED7}\u{FEC4}\u{FEAE}\u{200E} · 08:00"
    );
    // Elsewhere the opening goes into the first cell.
    let line = from_visual(
        &visual,
        text,
        0..text.len(),
        Flavour::Generic,
        &mut Vec::new(),
        true,
        false,
    );
    assert!(line.opening.is_empty());
    assert!(line.line.as_str().starts_with('\u{2067}'));
}

#[test]
fn openings_go_to_the_cell_before() {
    let line = field("قطر", Dir::Rtl, 5, Flavour::Generic);
    let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
    line.render(Rect::new(3, 0, 5, 1), &mut buf, Style::new());
    let cells: Vec<&str> = (0..8).map(|x| buf[(x, 0)].symbol()).collect();
    assert_eq!(
        cells,
        [" ", " ", " ", " ", " \u{2067}", "ق", "ط", "ر\u{2069}"]
    );
    let joined = join(&[line.clone(), line]);
    assert_eq!(joined.as_str(), "\u{2067}قطر\u{2069}\u{2067}قطر\u{2069}");
    assert_eq!(joined.width(), 6);
}

#[test]
fn the_flavour_follows_what_the_terminal_announces() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    };
    assert_eq!(Flavour::for_terminal(env(&[])), Flavour::Generic);
    assert_eq!(
        Flavour::for_terminal(env(&[("KONSOLE_VERSION", "221203")])),
        Flavour::Konsole
    );
    assert_eq!(
        Flavour::for_terminal(env(&[("MLTERM", "3.9.3")])),
        Flavour::Mlterm
    );
    assert_eq!(
        Flavour::for_terminal(env(&[("KONSOLE_VERSION", "")])),
        Flavour::Generic
    );
}

#[test]
fn mlterm_gets_no_controls_at_all() {
    let text = "قطر (7) «أمريكا» التصعيد";
    let line = field(text, Dir::Rtl, 12, Flavour::Mlterm);
    assert!(line.opening.is_empty());
    assert!(
        !line
            .line
            .as_str()
            .chars()
            .any(|c| is_control(c) || c == ZWJ)
    );
    assert!(
        line.line.as_str().starts_with("قطر (7)"),
        "{}",
        line.line.as_str()
    );
}
