//! Where a query's terms occur in a headline's own text, so that the screen can light them.
//!
//! Matching runs on folded text ([`super::normalize`]); highlighting folds the text shown
//! once more, keeping where each folded byte came from ([`super::normalize_mapped`]), and
//! maps each occurrence of a term back to the bytes of the original: a match inside a word
//! written with harakat, hamza forms or presentation forms lights exactly the characters
//! it stands for, marks between them included.
//!
//! Only the terms that make a headline match are lit: not negated ones (`-word`), not
//! `link:` or `lang:` (not shown as text), and a field's terms only in their field. With
//! stemming, a term is a stem, and it lights the part of the word the stem covers
//! (مساعدات lights مساعد in والمساعدة), not the whole word: what lights is what matched.

use super::Query;
use super::normalize_mapped;
use super::syntax::{Expr, Field};
use memchr::memmem::Finder;
use std::ops::Range;

/// Which text of a headline is being highlighted, for terms of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Title,
    /// The source's name.
    Source,
    /// The summary or the story's text.
    Body,
}

impl Query {
    /// Byte ranges of a headline's title `text` that the query's terms match, sorted and
    /// apart; empty for the empty query.
    pub fn highlights(&self, text: &str) -> Vec<Range<usize>> {
        self.highlights_in(text, Part::Title)
    }

    /// [`Query::highlights`] for text that is the headline's `part`.
    pub fn highlights_in(&self, text: &str, part: Part) -> Vec<Range<usize>> {
        let mut terms = Vec::new();
        if let Some(expr) = self.expr() {
            positive_terms(expr, part, &mut terms);
        }
        if terms.is_empty() || text.is_empty() {
            return Vec::new();
        }
        let (folded, map) = normalize_mapped(text);
        let (searched, map) = if self.stem {
            stem_mapped(&folded, &map)
        } else {
            (folded, map)
        };
        let hay = searched.as_bytes();
        let mut ranges = Vec::new();
        for term in terms {
            let finder = Finder::new(term.as_bytes());
            let mut from = 0;
            // Overlapping occurrences too (`aa` in `aaa`), so that every matched letter lights.
            while let Some(found) = hay.get(from..).and_then(|rest| finder.find(rest)) {
                let start = from + found;
                let end = start + term.len();
                if let (Some(&first), Some(&last)) = (map.get(start), map.get(end - 1)) {
                    let last_end = text
                        .get(last..)
                        .and_then(|rest| rest.chars().next())
                        .map_or(last, |c| last + c.len_utf8());
                    ranges.push(first..last_end);
                }
                from = start + 1;
            }
        }
        merge(ranges)
    }
}

/// The folded text of the terms in `expr` that can make a headline match in `part`.
fn positive_terms<'e>(expr: &'e Expr, part: Part, terms: &mut Vec<&'e str>) {
    match expr {
        Expr::Term { field, text } => {
            let shown = match field {
                Field::Any => true,
                Field::Title => part == Part::Title,
                Field::Source => part == Part::Source,
                Field::Link | Field::Lang => false,
            };
            if shown && !text.is_empty() {
                terms.push(text);
            }
        }
        Expr::And(all) | Expr::Or(all) => {
            for expr in all {
                positive_terms(expr, part, terms);
            }
        }
        Expr::Not(_) | Expr::Since(_) | Expr::Before(_) | Expr::Is(_) => {}
    }
}

/// Folded text stemmed as [`super::stem::stem_text`] does, with `map` carried along: each
/// byte of a stem keeps the source of its byte in the folded word.
fn stem_mapped(folded: &str, map: &[usize]) -> (String, Vec<usize>) {
    let mut stemmed = String::with_capacity(folded.len());
    let mut stemmed_map = Vec::with_capacity(map.len());
    let mut word_start = 0;
    for word in folded.split(' ') {
        let start = word_start;
        word_start += word.len() + 1;
        if word.is_empty() {
            continue;
        }
        let stem = super::stem::stem_range(word);
        let (Some(stem_text), Some(stem_map)) = (
            word.get(stem.clone()),
            map.get(start + stem.start..start + stem.end),
        ) else {
            continue;
        };
        if !stemmed.is_empty() {
            stemmed.push(' ');
            // The space stands for the gap before the word: its source is the word's start.
            stemmed_map.push(stem_map.first().copied().unwrap_or_default());
        }
        stemmed.push_str(stem_text);
        stemmed_map.extend_from_slice(stem_map);
    }
    (stemmed, stemmed_map)
}

/// `ranges` sorted, overlapping and touching ones merged.
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|range| (range.start, range.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::normalize;
    use crate::query::normalize::tests::mixed_text;
    use proptest::prelude::*;

    fn lit<'t>(query: &str, text: &'t str) -> Vec<&'t str> {
        let query = Query::parse(query).unwrap();
        query
            .highlights(text)
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn a_match_inside_an_arabic_word_lights_its_letters() {
        assert_eq!(lit("سلام", "والسلام عليكم"), ["سلام"]);
        // Written with a hamza and harakat, found bare: the marks in between light too.
        assert_eq!(lit("اسرى", "الإفراج عن أَسرى"), ["أَسرى"]);
        assert_eq!(lit("غزه", "قصف على غزة اليوم"), ["غزة"]);
        // A lam-alef presentation form stands for two letters: matching either lights it.
        assert_eq!(lit("سلا", "ﺳﻼم"), ["ﺳﻼ"]);
    }

    #[test]
    // One range of bytes, not a range of numbers.
    #[allow(clippy::single_range_in_vec_init)]
    fn phrases_fields_and_negation() {
        assert_eq!(
            lit("\"peace talks\"", "Peace  talks resume"),
            ["Peace  talks"]
        );
        assert_eq!(lit("talks -peace", "Peace talks"), ["talks"]);
        assert_eq!(lit("peace OR war", "War and peace"), ["War", "peace"]);
        assert_eq!(lit("lang:ar link:x since:2h", "x"), Vec::<&str>::new());
        let query = Query::parse("title:gaza source:bbc").unwrap();
        assert_eq!(query.highlights_in("BBC Gaza", Part::Title), [4..8]);
        assert_eq!(query.highlights_in("BBC Gaza", Part::Source), [0..3]);
        assert!(query.highlights_in("BBC Gaza", Part::Body).is_empty());
        assert!(Query::default().highlights("anything").is_empty());
    }

    #[test]
    fn overlapping_occurrences_merge() {
        assert_eq!(lit("aa", "aaa b aa"), ["aaa", "aa"]);
        assert_eq!(lit("ab bc", "abc"), ["abc"]);
        // Case folding that lengthens the text (ß is ss) maps back to the whole letter.
        assert_eq!(lit("strasse", "Die Straße"), ["Straße"]);
        assert_eq!(lit("s", "ß"), ["ß"]);
    }

    #[test]
    fn stemmed_terms_light_the_stem_of_the_word() {
        let query = Query::parse_stemmed("مساعدات", true).unwrap();
        let text = "وصول المساعدات إلى غزة";
        let lit: Vec<&str> = query
            .highlights(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();
        assert_eq!(lit, ["مساعد"]);
    }

    proptest! {
        #[test]
        fn each_highlight_folds_to_text_holding_a_term(
            text in mixed_text(),
            start in 0usize..40,
            len in 1usize..6,
        ) {
            // A term taken from the text itself, so that there is something to find.
            let folded = normalize(&text);
            let chars: Vec<char> = folded.chars().collect();
            let term: String = chars.iter().skip(start.min(chars.len())).take(len).collect();
            let term = normalize(&term);
            prop_assume!(!term.is_empty() && !term.contains(['"', '(', ')', '-', ':']));
            let query = Query::parse(&format!("\"{term}\"")).unwrap();
            let ranges = query.highlights(&text);
            prop_assert!(!ranges.is_empty(), "{term:?} not lit in {text:?}");
            for pair in ranges.windows(2) {
                prop_assert!(pair[0].end < pair[1].start);
            }
            for range in ranges {
                let part = &text[range.clone()];
                prop_assert!(normalize(part).contains(&term), "{part:?} for {term:?}");
            }
        }
    }
}
