//! Arabic light stemming (`stem = true`): a word's common prefixes and suffixes taken off, so
//! that مساعدات finds والمساعدة and المساعدات.
//!
//! "Light" in the sense of Larkey, Ballesteros and Connell's light10: only affixes, never
//! roots or patterns, each removed only while enough of the word stays to mean something.
//! It runs on text already folded ([`super::normalize`]: ة is ه, أ إ آ are ا, no harakat),
//! so it needs no variants of its own. Written here because the Rust stemmers for Arabic
//! (Snowball's, in rust-stemmers) are heavy stemmers that cut to roots, which makes
//! unrelated headlines match.

/// Prefixes, longest first: a conjunction (و ف), a preposition (ب ك ل) and the article ال, in
/// the combinations text has them (لل is ل + ال with its alef dropped). A preposition alone
/// is left on: ب and ل begin too many names (بريطانيا, لبنان) to be told apart from them.
const PREFIXES: &[&str] = &[
    "وال", "فال", "بال", "كال", "ولل", "فلل", "ال", "لل", "و", "ف",
];

/// Suffixes, longest first: duals and plurals, the feminine ending, the common pronoun
/// endings, the nisba.
const SUFFIXES: &[&str] = &[
    "هما", "كما", "ات", "ان", "ون", "ين", "يه", "ها", "هم", "هن", "كم", "نا", "ه", "ي",
];

/// The fewest letters a word keeps after a prefix comes off (و and ف of a short word are
/// often its own first letter: وزير, فيلم).
const MIN_AFTER_PREFIX: usize = 3;
/// The fewest letters a word keeps after a one-letter suffix comes off, and after a longer
/// one (names end in -ان too: لبنان, السودان, إيران).
const MIN_AFTER_SUFFIX: usize = 3;
const MIN_AFTER_LONG_SUFFIX: usize = 4;

/// The stem of one folded word; words in other scripts are left as they are.
pub fn stem_word(word: &str) -> &str {
    word.get(stem_range(word)).unwrap_or(word)
}

/// Where [`stem_word`]'s stem lies in `word`, in bytes (the stem is always a slice of the
/// word: only affixes come off).
pub fn stem_range(word: &str) -> std::ops::Range<usize> {
    if !word.chars().next().is_some_and(is_arabic_letter) {
        return 0..word.len();
    }
    let mut stem = word;
    let mut start = 0;
    // The article, with what goes before it, first; else one single-letter prefix, and only
    // from a word long enough that the letter is unlikely to be its own.
    for prefix in PREFIXES {
        if let Some(rest) = stem.strip_prefix(prefix) {
            let single = prefix.chars().count() == 1;
            let keep = if single {
                MIN_AFTER_PREFIX + 1
            } else {
                MIN_AFTER_PREFIX
            };
            if rest.chars().count() >= keep {
                stem = rest;
                start = prefix.len();
                break;
            }
        }
    }
    for suffix in SUFFIXES {
        let keep = if suffix.chars().count() == 1 {
            MIN_AFTER_SUFFIX
        } else {
            MIN_AFTER_LONG_SUFFIX
        };
        if let Some(rest) = stem.strip_suffix(suffix)
            && rest.chars().count() >= keep
        {
            stem = rest;
            break;
        }
    }
    start..start + stem.len()
}

/// Folded text with each word replaced by its stem, words kept apart by single spaces.
pub fn stem_text(folded: &str) -> String {
    let mut stemmed = String::with_capacity(folded.len());
    for word in folded.split(' ').filter(|word| !word.is_empty()) {
        if !stemmed.is_empty() {
            stemmed.push(' ');
        }
        stemmed.push_str(stem_word(word));
    }
    stemmed
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{066E}'..='\u{06D3}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::normalize;

    fn stem(word: &str) -> String {
        stem_word(&normalize(word)).to_owned()
    }

    #[test]
    fn affixes_come_off_and_the_forms_of_a_word_meet() {
        for word in ["مساعدات", "والمساعدة", "المساعدات", "بالمساعدة", "مساعدة"]
        {
            assert_eq!(stem(word), "مساعد", "{word}");
        }
        for word in ["المفاوضات", "والمفاوضات", "مفاوضات", "للمفاوضات"]
        {
            assert_eq!(stem(word), "مفاوض", "{word}");
        }
        assert_eq!(stem("اللبنانيون"), "لبناني");
        assert_eq!(stem("الفلسطينيين"), "فلسطيني");
        assert_eq!(stem("حكومتها"), "حكومت");
    }

    #[test]
    fn short_words_keep_their_own_letters() {
        // و ب ل ف that belong to the word.
        for word in ["وزير", "بلد", "لبنان", "فيلم", "ولد", "بريطانيا", "ايران"]
        {
            assert_eq!(stem(word), normalize(word), "{word}");
        }
        assert_eq!(stem("غزة"), "غزه");
        assert_eq!(stem("السودان"), "سودان");
        assert_eq!(stem("الى"), "الي");
    }

    #[test]
    fn other_scripts_and_whole_texts() {
        assert_eq!(stem_word("nations"), "nations");
        assert_eq!(
            stem_text(&normalize("وصول المساعدات  إلى غزة UN")),
            "وصول مساعد الي غزه un"
        );
        assert_eq!(stem_text(""), "");
    }
}
