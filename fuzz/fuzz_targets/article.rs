//! An item's body (HTML or text) → article blocks: terminal-safe, bounded, and every link
//! reference points at a link that is an absolute web or mail URL.
#![no_main]

use akhbar::article::{BlockKind, ELLIPSIS, MAX_BLOCKS, MAX_TEXT_BYTES, article_from_html};
use libfuzzer_sys::fuzz_target;
use url::Url;

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let base = Url::parse("https://example.com/news/2024/story.html").ok();
    let base = if data.len() % 2 == 0 {
        base.as_ref()
    } else {
        None
    };
    let article = article_from_html(&html, base);

    assert!(article.blocks.len() <= MAX_BLOCKS);
    let text_bytes: usize = article.blocks.iter().map(|block| block.text.len()).sum();
    assert!(text_bytes <= MAX_TEXT_BYTES + ELLIPSIS.len());
    for block in &article.blocks {
        assert!(!block.text.chars().any(is_unsafe), "{:?}", block.text);
        if block.kind != BlockKind::Preformatted {
            assert!(!block.text.is_empty());
            assert_eq!(block.text.trim(), block.text, "block is not trimmed");
            assert!(
                !block.text.contains("  "),
                "{:?} has a double space",
                block.text
            );
        }
    }
    for link in &article.links {
        assert!(!link.chars().any(is_unsafe), "{link:?}");
        let url = Url::parse(link);
        assert!(
            url.as_ref()
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https" | "mailto")),
            "{link:?} is not an absolute http, https or mailto URL"
        );
    }
    let truncated = article
        .blocks
        .last()
        .is_some_and(|block| block.text == ELLIPSIS);
    if !truncated {
        for number in 1..=article.links.len() {
            let reference = format!("[{number}]");
            assert!(
                article
                    .blocks
                    .iter()
                    .any(|block| block.text.contains(&reference)),
                "link {number} is referenced nowhere"
            );
        }
    }
});
