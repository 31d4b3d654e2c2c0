//! Text hygiene: whatever a feed puts in a title, what comes out is one line of plain text
//! with nothing that can drive a terminal.
#![no_main]

use akhbar::text::sanitize::{clean_line, plain_text};
use libfuzzer_sys::fuzz_target;

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// What both entry points promise of their output.
fn assert_one_safe_line(out: &str) {
    assert!(!out.chars().any(is_unsafe), "{out:?}");
    assert!(
        !out.starts_with(' ') && !out.ends_with(' '),
        "{out:?} is not trimmed"
    );
    assert!(!out.contains("  "), "{out:?} has a double space");
    assert!(
        !out.chars()
            .any(|c| c.is_whitespace() && c != ' ' && !is_no_break_space(c)),
        "{out:?} has a line break or tab"
    );
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);

    let line = clean_line(&input);
    assert_one_safe_line(&line);
    // It only removes characters or turns whitespace into one space.
    assert!(line.len() <= input.len());
    assert_eq!(clean_line(&line), line, "clean_line is idempotent");

    let plain = plain_text(&input);
    assert_one_safe_line(&plain);
    assert_eq!(clean_line(&plain), plain);
    if !plain.contains(['<', '&']) {
        assert_eq!(plain_text(&plain), plain, "plain_text is idempotent");
    }
});
