//! Extraction of stories' pages measured against the main text expected of each page in
//! `tests/fixtures/articles/pages/`: token F1 of at least 0.9 on every page.

use std::collections::HashMap;
use std::path::Path;

use akhbar::article::{extract_page, paragraphs_text};
use url::Url;

/// Every page of the set, with the HTTP content type it is served with.
const PAGES: &[(&str, Option<&str>)] = &[
    ("ar-seed-page", Some("text/html; charset=utf-8")),
    // The charset is only in the page's `<meta http-equiv>`.
    ("ar-windows-1256", Some("text/html")),
    ("ar-blog", Some("text/html")),
    ("ar-agency", None),
    ("en-news", Some("text/html; charset=UTF-8")),
    ("en-feature", Some("text/html")),
    ("en-list", None),
    ("he-news", Some("text/html")),
    // A short story under long comments.
    ("en-comments", Some("text/html")),
];

const MIN_F1: f64 = 0.9;

/// Lowercased runs of letters and digits, counted.
fn tokens(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for token in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
    {
        *counts.entry(token.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

/// Token F1 of `found` against `expected`: harmonic mean of precision and recall over the
/// multisets of tokens.
fn f1(found: &str, expected: &str) -> f64 {
    let (found, expected) = (tokens(found), tokens(expected));
    let common: usize = found
        .iter()
        .map(|(token, count)| (*count).min(expected.get(token).copied().unwrap_or(0)))
        .sum();
    let found_total: usize = found.values().sum();
    let expected_total: usize = expected.values().sum();
    if common == 0 {
        return 0.0;
    }
    let precision = common as f64 / found_total as f64;
    let recall = common as f64 / expected_total as f64;
    2.0 * precision * recall / (precision + recall)
}

fn fixture(name: &str) -> (Vec<u8>, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles/pages");
    let page = std::fs::read(dir.join(format!("{name}.html"))).unwrap();
    let expected = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
    (page, expected)
}

#[test]
fn every_page_of_the_set_is_extracted_with_an_f1_of_at_least_0_9() {
    let mut low = Vec::new();
    for (name, content_type) in PAGES {
        let (page, expected) = fixture(name);
        let url = Url::parse(&format!("https://news.example/{name}.html")).unwrap();
        let text = match extract_page(&page, *content_type, Some(&url)) {
            Ok(found) => paragraphs_text(&found.article),
            Err(error) => format!("<{error}>"),
        };
        let score = f1(&text, &expected);
        println!("{name}: F1 {score:.3}");
        if score < MIN_F1 {
            low.push(format!("{name}: {score:.3}\n{text}\n"));
        }
    }
    assert!(low.is_empty(), "pages under {MIN_F1}:\n{}", low.join("\n"));
}

#[test]
fn the_measure_tells_a_good_extraction_from_a_bad_one() {
    assert_eq!(f1("a b c", "a b c"), 1.0);
    assert_eq!(f1("x y", "a b"), 0.0);
    let half = f1("a b", "a b c d");
    assert!((half - 2.0 / 3.0).abs() < 1e-9, "{half}");
}

#[test]
fn title_byline_and_date_come_from_the_page() {
    let (page, _) = fixture("en-news");
    let found = extract_page(&page, None, None).unwrap();
    assert_eq!(
        found.title.as_deref(),
        Some("Shipping lanes reopen after a week of storms")
    );
    assert_eq!(found.published.as_deref(), Some("2024-02-11T07:45:00Z"));
    assert!(
        found
            .byline
            .is_some_and(|byline| byline.contains("Tom Hale"))
    );
    let (page, _) = fixture("ar-windows-1256");
    let found = extract_page(&page, Some("text/html"), None).unwrap();
    assert!(
        found
            .title
            .is_some_and(|title| title.starts_with("قطر تؤكد مواصلة التنسيق"))
    );
}
