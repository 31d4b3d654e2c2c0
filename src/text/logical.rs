//! Text for terminals that do bidi themselves (`bidi = "terminal"`): cells in logical order,
//! measured and truncated like laid-out text, but never reordered or shaped — reordering
//! twice would scramble it.

use super::bidi::Dir;
use super::layout::{ELLIPSIS, VisualLine};
use super::width::cluster_width;
use unicode_segmentation::UnicodeSegmentation;

/// `text` in logical order on one line of at most `width` columns, `…` at the end when cut.
pub fn logical_line(text: &str, width: usize) -> VisualLine {
    let clusters: Vec<(usize, &str, &str, usize)> = text
        .grapheme_indices(true)
        .map(|(at, cluster)| {
            let (symbol, width) = drawn(cluster);
            (at, cluster, symbol, width)
        })
        .filter(|&(_, _, _, w)| w > 0)
        .collect();
    let total: usize = clusters.iter().map(|&(_, _, _, w)| w).sum();
    let room = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    let mut line = VisualLine::with_capacity(Dir::Ltr, text.len(), clusters.len());
    let mut used = 0;
    for (at, cluster, symbol, w) in clusters {
        if used + w > room {
            break;
        }
        line.push(symbol, w, Some(at..at + cluster.len()));
        used += w;
    }
    if total > width && width > 0 {
        line.push(ELLIPSIS, 1, None);
    }
    line
}

/// A cluster's symbol and width: a control character (and the line and paragraph
/// separators) is drawn as a space, as [`super::layout`] draws it, because a terminal would
/// act on it rather than show it.
fn drawn(cluster: &str) -> (&str, usize) {
    if cluster.starts_with(|c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
        (" ", 1)
    } else {
        (cluster, cluster_width(cluster))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_stays_in_logical_order() {
        assert_eq!(logical_line("قطر 7", 20).as_str(), "قطر 7");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_at_the_end() {
        let line = logical_line("الليرة السورية تواصل", 8);
        assert_eq!(line.as_str(), "الليرة …");
        assert_eq!(line.width(), 8);
        assert_eq!(logical_line("abc", 0).width(), 0);
    }

    #[test]
    fn wide_characters_never_overflow() {
        let line = logical_line("中文中文", 5);
        assert!(line.width() <= 5);
        assert_eq!(line.as_str(), "中文…");
    }

    #[test]
    fn control_characters_are_drawn_as_spaces() {
        // Found by fuzzing: a tab or ESC became a cell of its own, which ratatui refuses.
        let line = logical_line("a\tb\r\nc\x1bd\u{2028}e", 20);
        assert_eq!(line.as_str(), "a b c d e");
        assert_eq!(line.width(), 9);
        assert!(line.cells().all(|cell| cell.width == 1));
        assert_eq!(line.cell_at(3).and_then(|cell| cell.source), Some(3..5));
    }
}
