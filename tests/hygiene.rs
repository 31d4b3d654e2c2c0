//! What reaches the terminal outside the TUI: escape sequences injected into feeds, file
//! names, OPML files, config files, server answers and the store never get through whole or
//! in part, and files that never end are cut off.

mod common;

use akhbar::feed::parse::parse_feed;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

/// Escape sequences of every kind, with parameters made of what the surrounding words never
/// hold (digits, punctuation, capitals), so that any residue shows.
const INJECTED: &[&str] = &[
    "\x1b[777;888H",
    "\x1b]0;PWN\x07",
    "\x1b]0;PWN\x1b\\",
    "\x1b]52;c;AAAA\x07",
    "\x1b]8;;HTTP://E.X/\x1b\\",
    "\x1bP1$R\x1b\\",
    "\x1b_APC\x1b\\",
    "\x1b[?1049H",
    "\u{9b}31;1M",
    "\u{9d}0;PWN\x07",
    "\u{9d}0;PWN\u{9c}",
];

/// `sequence` written into XML the way `form` says: raw, with its controls as character
/// references, or inside a CDATA section.
fn in_xml(sequence: &str, form: usize) -> String {
    match form {
        0 => sequence.to_owned(),
        1 => sequence
            .chars()
            .map(|c| {
                if c.is_control() {
                    format!("&#{};", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect(),
        _ => format!("<![CDATA[{sequence}]]>"),
    }
}

fn is_terminal_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

proptest! {
    #[test]
    fn sequences_injected_into_a_feed_leave_no_residue(
        pieces in proptest::collection::vec(("[a-z\u{621}-\u{64a} ]{0,8}", 0..INJECTED.len(), 0..3usize), 1..6)
    ) {
        let mut title = String::from("x");
        for (words, which, form) in &pieces {
            title.push_str(words);
            title.push_str(&in_xml(INJECTED[*which], *form));
        }
        let xml = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t{title}</title>\
             <item><title>{title}</title><description>{title}</description><guid>g</guid></item>\
             </channel></rss>"
        );
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let feed = parse_feed(xml.as_bytes(), None, None, now).unwrap();
        let headline = &feed.headlines[0];
        for text in [&feed.title, &headline.title, &headline.summary] {
            prop_assert!(!text.chars().any(is_terminal_control), "{:?}", text);
            prop_assert!(
                !text.chars().any(|c| c.is_ascii_punctuation() || c.is_ascii_digit() || c.is_ascii_uppercase()),
                "{:?} left {:?}", title, text
            );
        }
    }
}
