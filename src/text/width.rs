//! Display width as a terminal draws it: one grapheme cluster per cell symbol.
//!
//! Widths are measured per grapheme cluster, never on a whole string: `unicode-width`
//! counts lam + alef ("لا") as one column because a shaping renderer draws them as one
//! ligature, but a terminal that does not shape draws two cells. After akhbar's own shaping
//! a real ligature is one character (U+FEFB), measured as one cell, and in visual order
//! every "ال" becomes "لا" — so only per-cluster measuring of the shaped, visual text is
//! right. The measure agrees with ratatui's `Buffer`, which decides where cells go.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns one grapheme cluster takes: 0 for clusters of only zero-width characters (lone
/// combining marks, format characters), 2 for wide CJK and emoji, else 1.
pub fn cluster_width(cluster: &str) -> usize {
    match cluster.as_bytes() {
        [] => 0,
        // ratatui's Buffer draws every one-byte symbol in one cell.
        [_] => 1,
        _ if cluster.chars().nth(1).is_none() && !cluster.starts_with(['\u{FF9E}', '\u{FF9F}']) => {
            // One character: the string measure's sequence rules cannot apply.
            cluster
                .chars()
                .next()
                .and_then(UnicodeWidthChar::width)
                .unwrap_or(0)
        }
        _ => {
            // Halfwidth katakana sound marks extend a cluster but take their own cell in
            // terminals (and in ratatui's measure).
            let sound_marks = cluster
                .chars()
                .filter(|&c| matches!(c, '\u{FF9E}' | '\u{FF9F}'))
                .count();
            cluster.width() + sound_marks
        }
    }
}

/// Columns `text` takes when each of its grapheme clusters is drawn in its own cells.
pub fn str_width(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.graphemes(true).map(cluster_width).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::CellWidth;

    #[test]
    fn per_cluster_widths() {
        assert_eq!(cluster_width("a"), 1);
        assert_eq!(cluster_width("中"), 2);
        assert_eq!(cluster_width("ب\u{064E}"), 1); // beh with fatha: one cell
        assert_eq!(cluster_width("\u{064E}"), 0);
        assert_eq!(cluster_width("\u{FEFB}"), 1); // lam-alef ligature
        assert_eq!(cluster_width(""), 0);
    }

    #[test]
    fn lam_alef_counts_two_cells_unshaped() {
        // unicode-width's string measure assumes a shaping renderer; a terminal draws two.
        assert_eq!("لا".width(), 1);
        assert_eq!(str_width("لا"), 2);
        assert_eq!(str_width("ﻻ"), 1);
    }

    #[test]
    fn single_characters_measure_as_strings_do() {
        for c in (0x20..0x3_0000).filter_map(char::from_u32) {
            if c.is_control() {
                continue;
            }
            let s = c.to_string();
            assert_eq!(
                cluster_width(&s),
                usize::from(s.as_str().cell_width()),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn agrees_with_ratatui() {
        for cluster in [
            "a",
            "中",
            "ب\u{064E}",
            "\u{FEFB}",
            "ｶﾞ",
            "👍",
            "❤\u{FE0F}",
            "é",
            "…",
        ] {
            assert_eq!(
                cluster_width(cluster),
                usize::from(cluster.cell_width()),
                "{cluster}"
            );
        }
    }
}
