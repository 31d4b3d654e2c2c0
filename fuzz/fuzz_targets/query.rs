//! The keyword filter: any query and any headline, no panic; normalizing is idempotent;
//! every word of a headline finds it, and excluding that word hides it.
#![no_main]

use akhbar::query::{Query, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    // The first line is what the user typed, the rest the headline.
    let (typed, headline) = input.split_once('\n').unwrap_or((&input, &input));

    let query = Query::parse(typed);
    let normalized = normalize(headline);
    assert_eq!(
        normalize(&normalized),
        normalized,
        "normalize is idempotent"
    );
    assert!(!normalized.starts_with(' ') && !normalized.ends_with(' '));
    assert!(!normalized.contains("  "));
    assert!(!normalized.chars().any(|c| c.is_whitespace() && c != ' '));
    assert_eq!(
        query.matches(headline),
        query.is_empty() || query.matches_normalized(&normalized)
    );

    for term in normalized.split(' ').filter(|term| !term.is_empty()) {
        // A leading `-` or `"` is query syntax; quoting makes any term literal.
        if !term.starts_with(['-', '"']) {
            assert!(
                Query::parse(term).matches(headline),
                "{term:?} in {headline:?}"
            );
        }
        if !term.contains('"') {
            let quoted = format!("\"{term}\"");
            assert!(
                Query::parse(&quoted).matches(headline),
                "{quoted:?} in {headline:?}"
            );
            let excluded = format!("-\"{term}\"");
            assert!(
                !Query::parse(&excluded).matches(headline),
                "{excluded:?} in {headline:?}"
            );
        }
    }
    if !normalized.contains('"') && !normalized.is_empty() {
        let phrase = format!("\"{normalized}\"");
        assert!(
            Query::parse(&phrase).matches(headline),
            "{phrase:?} in {headline:?}"
        );
    }
});
