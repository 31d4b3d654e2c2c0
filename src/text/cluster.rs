//! A cap on the length of one grapheme cluster. A base character can carry any number of
//! combining marks, and emoji can be joined by ZWJ without end: one such cluster of 30,000
//! parts fills one cell and is rewritten whole whenever that cell changes. No script needs
//! more than a few parts per cluster, so the parts past a generous cap are dropped.

use unicode_segmentation::UnicodeSegmentation;

/// The most characters one grapheme cluster keeps: far above the longest emoji sequences
/// (ten) and stacked scripts such as Tibetan or Devanagari.
pub const MAX_CLUSTER_CHARS: usize = 32;

/// `text` with every grapheme cluster cut to its first [`MAX_CLUSTER_CHARS`] characters.
pub fn cap_clusters(text: String) -> String {
    // Only the first character of a cluster can be ASCII (CR LF aside): a cluster too long
    // needs a run of that many non-ASCII characters, which ordinary text rarely has, so
    // most text is returned untouched after one byte scan.
    if !has_long_non_ascii_run(&text) {
        return text;
    }
    let mut capped = String::with_capacity(text.len());
    for cluster in text.graphemes(true) {
        match cluster.char_indices().nth(MAX_CLUSTER_CHARS) {
            Some((cut, _)) => capped.push_str(&cluster[..cut]),
            None => capped.push_str(cluster),
        }
    }
    capped
}

/// Whether `text` holds at least `MAX_CLUSTER_CHARS - 1` consecutive non-ASCII characters.
fn has_long_non_ascii_run(text: &str) -> bool {
    // Such a run is at least twice as many bytes, none of them ASCII. Most text has an ASCII
    // byte (a space) far more often than that, so windows of that size are skipped whenever
    // their last byte is ASCII, and counted only when a window holds no ASCII at all.
    let bytes = text.as_bytes();
    let window = 2 * (MAX_CLUSTER_CHARS - 1);
    let mut start = 0;
    while let Some(window_bytes) = bytes.get(start..start + window) {
        match window_bytes.iter().rposition(u8::is_ascii) {
            Some(ascii) => start += ascii + 1,
            None => return counts_long_non_ascii_run(text),
        }
    }
    false
}

/// [`has_long_non_ascii_run`], character by character.
fn counts_long_non_ascii_run(text: &str) -> bool {
    let mut run = 0;
    for byte in text.bytes() {
        if byte.is_ascii() {
            run = 0;
        } else if byte & 0xc0 != 0x80 {
            // A lead byte: one more character.
            run += 1;
            if run >= MAX_CLUSTER_CHARS - 1 {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longest_cluster(text: &str) -> usize {
        text.graphemes(true)
            .map(|cluster| cluster.chars().count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn endless_combining_marks_and_zwj_chains_are_cut() {
        let marks = format!("a e{} b", "\u{301}".repeat(30_000));
        let capped = cap_clusters(marks);
        assert_eq!(longest_cluster(&capped), MAX_CLUSTER_CHARS);
        assert!(capped.starts_with("a e\u{301}") && capped.ends_with(" b"));

        let chain = format!("x {}\u{1f469} y", "\u{1f469}\u{200d}".repeat(30_000));
        let capped = cap_clusters(chain);
        assert_eq!(longest_cluster(&capped), MAX_CLUSTER_CHARS);
        assert!(capped.ends_with(" y"));
    }

    proptest::proptest! {
        #[test]
        fn the_window_skip_finds_every_long_run(
            text in "([a \u{627}-\u{64a}\u{301}\u{4e00}\u{1f469}\u{200d}]{0,8}){0,24}"
        ) {
            proptest::prop_assert_eq!(
                has_long_non_ascii_run(&text),
                counts_long_non_ascii_run(&text)
            );
        }
    }

    #[test]
    fn real_text_is_left_as_it_is() {
        for text in [
            "Rail strike called off",
            // Family emoji, a flag, a skin-toned couple: the long ones real text has.
            "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466} \u{1f1f6}\u{1f1e6} \u{1f469}\u{1f3fb}\u{200d}\u{2764}\u{fe0f}\u{200d}\u{1f48b}\u{200d}\u{1f468}\u{1f3fc}",
            "الليرة السورية تواصل التحسن منذ سقوط النظام",
            "頭條新聞：鐵路罷工取消，乘客鬆了一口氣，列車明天起照常運行，票價不變，旅客可以放心出行。",
            "བོད་སྐད་ཀྱི་ཡི་གེ",
        ] {
            assert_eq!(cap_clusters(text.to_owned()), text);
        }
    }
}
