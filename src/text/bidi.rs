//! Bidi levels and visual order (UAX #9) for one paragraph.
//!
//! Levels (rules P2–I2) come from the `unicode-bidi` crate for text with explicit
//! embeddings, overrides, isolates or paragraph separators, and from a lean resolver of the
//! weak, neutral and implicit rules here for everything else (every sanitized headline),
//! which is several times faster. Around that, this module gives what akhbar needs: the
//! paragraph direction of a field (setting, feed language, first strong character), rule
//! L1 per line, rule L2 as an index permutation, and L4 mirroring.
//! `tests/bidi_conformance.rs` runs Unicode's BidiTest.txt and BidiCharacterTest.txt in
//! full through exactly these functions (both paths), and a property test compares the
//! two paths on random text.

use std::ops::Range;
use std::sync::OnceLock;

use unicode_bidi::{BidiClass, BidiDataSource, HardcodedBidiData, Level, ParagraphBidiInfo};

use serde::{Deserialize, Serialize};

/// The paragraph direction asked for a feed's text (its `direction` setting): `auto`
/// decides per string. It lives here, below every module that names it, since it is an input
/// of [`paragraph_direction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Auto,
    Rtl,
    Ltr,
}

/// A paragraph's base direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dir {
    #[default]
    Ltr,
    Rtl,
}

impl Dir {
    /// The paragraph embedding level: 0 or 1.
    pub fn level(self) -> u8 {
        match self {
            Dir::Ltr => 0,
            Dir::Rtl => 1,
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Dir::Rtl
    }
}

/// Primary language subtags whose text is written right to left.
const RTL_LANGUAGES: [&str; 12] = [
    "ar", "fa", "ur", "he", "iw", "yi", "ps", "sd", "ug", "ckb", "dv", "syr",
];

/// ISO 15924 script subtags of right-to-left scripts; a script subtag overrides the
/// language's usual script (`az-Arab` is RTL, `ug-Cyrl` is not).
const RTL_SCRIPTS: [&str; 12] = [
    "arab", "aran", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr", "mend", "yezi",
];

/// The direction of one field of text (a title, a source name, a summary).
///
/// An explicit `setting` wins. Under `Auto`, a right-to-left feed language (its BCP 47 tag's
/// primary subtag is one of ar, fa, ur, he, yi, ps, sd, ug, ckb, dv, syr — or a script
/// subtag names an RTL script) makes the field RTL; otherwise the first strong character
/// decides (rules P2–P3, skipping isolates), LTR when there is none.
pub fn paragraph_direction(text: &str, setting: Direction, language: Option<&str>) -> Dir {
    match setting {
        Direction::Ltr => Dir::Ltr,
        Direction::Rtl => Dir::Rtl,
        Direction::Auto if language.is_some_and(is_rtl_language) => Dir::Rtl,
        Direction::Auto => first_strong(text).unwrap_or(Dir::Ltr),
    }
}

/// Whether a BCP 47 language tag denotes right-to-left text.
pub fn is_rtl_language(tag: &str) -> bool {
    let mut subtags = tag.trim().split(['-', '_']);
    let primary = subtags.next().unwrap_or_default().to_ascii_lowercase();
    // The script subtag, when present, is the first 4-letter subtag after the language
    // (and its extlang subtags).
    let script = subtags
        .take_while(|s| s.len() <= 4)
        .find(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()));
    match script {
        Some(script) => RTL_SCRIPTS.contains(&script.to_ascii_lowercase().as_str()),
        None => RTL_LANGUAGES.contains(&primary.as_str()),
    }
}

/// The direction of the first strong character of the first paragraph of `text` (rules
/// P2–P3): characters between an isolate initiator and its matching PDI are skipped.
pub fn first_strong(text: &str) -> Option<Dir> {
    let mut isolates = 0usize;
    for c in text.chars() {
        match class_of(c) {
            BidiClass::L if isolates == 0 => return Some(Dir::Ltr),
            BidiClass::R | BidiClass::AL if isolates == 0 => return Some(Dir::Rtl),
            BidiClass::LRI | BidiClass::RLI | BidiClass::FSI => isolates += 1,
            BidiClass::PDI => isolates = isolates.saturating_sub(1),
            BidiClass::B => return None,
            _ => {}
        }
    }
    None
}

/// The bidi class of `c`.
pub fn class_of(c: char) -> BidiClass {
    let cp = u32::from(c) as usize;
    match bmp_classes().get(cp) {
        Some(&class) => class,
        None => unicode_bidi::bidi_class(c),
    }
}

/// Bidi classes of the Basic Multilingual Plane, indexed by code point: `unicode-bidi`'s
/// binary search over its ranges was the largest single cost of laying out a headline.
fn bmp_classes() -> &'static [BidiClass] {
    static CLASSES: OnceLock<Box<[BidiClass]>> = OnceLock::new();
    CLASSES.get_or_init(|| {
        (0..=0xFFFF_u32)
            .map(|cp| char::from_u32(cp).map_or(BidiClass::L, unicode_bidi::bidi_class))
            .collect()
    })
}

/// `unicode-bidi`'s data, looked up through [`class_of`].
struct TableData;

impl BidiDataSource for TableData {
    fn bidi_class(&self, c: char) -> BidiClass {
        class_of(c)
    }
}

/// Whether rule X9 removes characters of this class: they get no level and are not drawn.
pub fn is_removed_by_x9(class: BidiClass) -> bool {
    matches!(
        class,
        BidiClass::BN
            | BidiClass::LRE
            | BidiClass::RLE
            | BidiClass::LRO
            | BidiClass::RLO
            | BidiClass::PDF
    )
}

/// The resolved embedding levels of one paragraph (rules P2–I2, before the line rules),
/// one per character.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    dir: Dir,
    classes: Vec<BidiClass>,
    levels: Vec<u8>,
}

/// Resolves the levels of `text` as one paragraph in direction `dir`, or in the direction
/// of its first strong character (LTR if none) when `dir` is `None`.
///
/// Text with explicit embeddings, overrides, isolates or paragraph separators goes through
/// `unicode-bidi`. Everything else — every sanitized headline — is one isolating run
/// sequence at the paragraph level, for which rules X1–X10 have nothing to do; its weak,
/// neutral and implicit rules are resolved here directly, several times faster. Both paths
/// pass Unicode's conformance files (`tests/bidi_conformance.rs`) and are compared with
/// each other on random text (`implicit_resolution_matches_unicode_bidi`).
pub fn resolve(text: &str, dir: Option<Dir>) -> Resolved {
    let chars: Vec<char> = text.chars().collect();
    resolve_chars(text, &chars, dir)
}

/// [`resolve`] for a caller that has the characters of `text` at hand already.
pub fn resolve_chars(text: &str, chars: &[char], dir: Option<Dir>) -> Resolved {
    let mut resolved = Resolved::default();
    resolve_into(text, chars, dir, &mut resolved, &mut Scratch::default());
    resolved
}

/// Working memory of the resolver, kept by a caller that resolves many paragraphs so that
/// each one does not allocate afresh.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Paired bracket characters: character index, normalized opening bracket, opening.
    brackets: Vec<(usize, char, bool)>,
    /// Classes of the isolating run sequence as the weak and neutral rules change them.
    types: Vec<BidiClass>,
    /// Character indices of the isolating run sequence when BN characters are skipped.
    sequence: Vec<usize>,
}

/// [`resolve_chars`] into `resolved`, reusing its memory and `scratch`'s.
pub fn resolve_into(
    text: &str,
    chars: &[char],
    dir: Option<Dir>,
    resolved: &mut Resolved,
    scratch: &mut Scratch,
) {
    debug_assert!(text.chars().eq(chars.iter().copied()));
    let dir = dir.unwrap_or_else(|| first_strong(text).unwrap_or(Dir::Ltr));
    let table = bmp_classes();
    resolved.dir = dir;
    let classes = &mut resolved.classes;
    classes.clear();
    classes.reserve(chars.len());
    let brackets = &mut scratch.brackets;
    brackets.clear();
    // Class tests as bit masks: a `match` here compiled to a jump table whose target
    // changes with nearly every character.
    const fn bit(class: BidiClass) -> u32 {
        1 << class as u32
    }
    const RTL: u32 = bit(BidiClass::R) | bit(BidiClass::AL) | bit(BidiClass::AN);
    const EXPLICIT: u32 = bit(BidiClass::LRE)
        | bit(BidiClass::RLE)
        | bit(BidiClass::LRO)
        | bit(BidiClass::RLO)
        | bit(BidiClass::PDF)
        | bit(BidiClass::LRI)
        | bit(BidiClass::RLI)
        | bit(BidiClass::FSI)
        | bit(BidiClass::PDI)
        | bit(BidiClass::B);
    let mut seen = 0;
    for (index, &c) in chars.iter().enumerate() {
        let class = table
            .get(u32::from(c) as usize)
            .copied()
            .unwrap_or_else(|| unicode_bidi::bidi_class(c));
        seen |= bit(class);
        if class == BidiClass::ON {
            // Paired brackets (BidiBrackets.txt) are ASCII or from U+0F3A on; looking
            // « » “ ” and friends up would be a linear search for nothing.
            let candidate = matches!(c, '(' | ')' | '[' | ']' | '{' | '}') || c >= '\u{F3A}';
            if let Some(bracket) = candidate
                .then(|| HardcodedBidiData.bidi_matched_opening_bracket(c))
                .flatten()
            {
                brackets.push((index, bracket.opening, bracket.is_open));
            }
        }
        classes.push(class);
    }
    let explicit = seen & EXPLICIT != 0;
    let rtl = seen & RTL != 0;
    let removed = seen & bit(BidiClass::BN) != 0;
    let levels = &mut resolved.levels;
    levels.clear();
    if explicit {
        *levels = resolve_with_unicode_bidi(text, dir);
    } else if dir == Dir::Ltr && !rtl {
        // Nothing right-to-left: European numbers follow the L of sos or a letter (W7),
        // neutrals sit between L and L.
        levels.resize(classes.len(), 0);
    } else {
        resolve_implicit(classes, dir, seen, levels, scratch);
    }
    if removed || explicit {
        for (level, &class) in levels.iter_mut().zip(classes.iter()) {
            if is_removed_by_x9(class) {
                *level = REMOVED;
            }
        }
    }
}

/// The level [`Resolved::levels`] gives characters removed by rule X9.
pub const REMOVED: u8 = u8::MAX;

/// Levels from `unicode-bidi`, one per character.
fn resolve_with_unicode_bidi(text: &str, dir: Dir) -> Vec<u8> {
    let level = match dir {
        Dir::Ltr => Level::ltr(),
        Dir::Rtl => Level::rtl(),
    };
    let info = ParagraphBidiInfo::new_with_data_source(&TableData, text, Some(level));
    text.char_indices()
        .map(|(i, _)| info.levels.get(i).map_or(dir.level(), |l| l.number()))
        .collect()
}

/// Rules W1–I2 for a paragraph without explicit formatting characters or paragraph
/// separators: one isolating run sequence at the paragraph level, whose sos and eos are
/// the paragraph direction. Characters removed by X9 (BN) are skipped and keep the
/// paragraph level (they are not drawn).
///
/// `seen` has bit `1 << class` set for every class in `classes`: rules about classes that
/// do not occur are skipped.
fn resolve_implicit(
    classes: &[BidiClass],
    dir: Dir,
    seen: u32,
    levels: &mut Vec<u8>,
    scratch: &mut Scratch,
) {
    use BidiClass::{AL, AN, BN, CS, EN, ES, ET, L, NSM, ON, R};
    let has = |class: BidiClass| seen & (1 << class as u32) != 0;
    let paragraph_level = dir.level();
    let embedding = if dir.is_rtl() { R } else { L };
    let (sos, eos) = (embedding, embedding);
    // The isolating run sequence: every character but BN, by index.
    let skips = has(BN);
    let Scratch {
        brackets,
        types: t,
        sequence,
    } = scratch;
    sequence.clear();
    t.clear();
    if skips {
        sequence.extend((0..classes.len()).filter(|&i| classes[i] != BN));
        t.extend(sequence.iter().map(|&i| classes[i]));
    } else {
        t.extend_from_slice(classes);
    }
    let sequence = skips.then_some(sequence.as_slice());
    let t = t.as_mut_slice();
    let n = t.len();

    // W1: a mark takes the type of what precedes it (as W1 leaves it); W2: European
    // numbers after Arabic letters are Arabic numbers; W3: AL is R. One pass, as `previous`
    // keeps each character's type from before W2 and W3.
    let mut previous = sos;
    let mut last_strong = sos;
    for class in t.iter_mut() {
        let mut c = *class;
        if c == NSM {
            c = previous;
        }
        previous = c;
        if c == L || c == R {
            last_strong = c;
        } else if c == AL {
            last_strong = AL;
            c = R;
        } else if c == EN && last_strong == AL {
            c = AN;
        }
        *class = c;
    }
    // W4: one separator between two numbers of a kind joins them.
    let separated_numbers = (has(EN) || has(AN)) && (has(ES) || has(CS));
    for i in 1..n.saturating_sub(1) {
        if !separated_numbers {
            break;
        }
        let (before, after) = (t[i - 1], t[i + 1]);
        t[i] = match (before, t[i], after) {
            (EN, ES | CS, EN) => EN,
            (AN, CS, AN) => AN,
            (_, class, _) => class,
        };
    }
    // W5: terminators next to a European number belong to it.
    let mut i = if has(ET) && has(EN) { 0 } else { n };
    while i < n {
        if t[i] != ET {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && t[i] == ET {
            i += 1;
        }
        if (start > 0 && t[start - 1] == EN) || (i < n && t[i] == EN) {
            t[start..i].fill(EN);
        }
    }
    // W6: other separators and terminators are neutral; W7: European numbers in L text are L.
    let mut last_strong = sos;
    for class in t.iter_mut() {
        match *class {
            ES | ET | CS => *class = ON,
            L | R => last_strong = *class,
            EN if last_strong == L => *class = L,
            _ => {}
        }
    }
    if !brackets.is_empty() {
        resolve_brackets(brackets, classes, sequence, t, embedding, sos);
    }
    // N1, N2: neutrals between two of the same direction take it, others the embedding
    // direction; numbers count as R.
    let strong = |class: BidiClass| if class == L { L } else { R };
    let mut i = 0;
    while i < n {
        if !is_neutral(t[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_neutral(t[i]) {
            i += 1;
        }
        let before = if start == 0 {
            sos
        } else {
            strong(t[start - 1])
        };
        let after = if i == n { eos } else { strong(t[i]) };
        t[start..i].fill(if before == after { before } else { embedding });
    }
    // I1, I2.
    let level = |class: BidiClass| match (dir, class) {
        (Dir::Ltr, R) => 1,
        (Dir::Ltr, AN | EN) => 2,
        (Dir::Rtl, L | EN | AN) => 2,
        (dir, _) => dir.level(),
    };
    levels.clear();
    match sequence {
        Some(sequence) => {
            levels.resize(classes.len(), paragraph_level);
            for (&index, &class) in sequence.iter().zip(t.iter()) {
                levels[index] = level(class);
            }
        }
        None => levels.extend(t.iter().map(|&class| level(class))),
    }
}

fn is_neutral(class: BidiClass) -> bool {
    matches!(
        class,
        BidiClass::B | BidiClass::S | BidiClass::WS | BidiClass::ON
    )
}

/// Rule N0: paired brackets (BD16) take the direction of what they enclose, or of their
/// context; marks after a bracket that changed follow it.
///
/// `sequence` maps positions in `t` to character indices when characters were skipped.
fn resolve_brackets(
    brackets: &[(usize, char, bool)],
    classes: &[BidiClass],
    sequence: Option<&[usize]>,
    t: &mut [BidiClass],
    embedding: BidiClass,
    sos: BidiClass,
) {
    use BidiClass::{AL, AN, EN, L, NSM, ON, R};
    let index_of = |k: usize| sequence.map_or(k, |sequence| sequence[k]);
    // BD16 with its stack of 63 openings; `brackets` holds every paired bracket
    // character (character index, normalized opening bracket, whether opening).
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut openings: Vec<(char, usize)> = Vec::new();
    for &(index, opening, is_open) in brackets {
        let k = match sequence {
            Some(sequence) => match sequence.binary_search(&index) {
                Ok(k) => k,
                Err(_) => continue,
            },
            None => index,
        };
        if t[k] != ON {
            continue;
        }
        if is_open {
            if openings.len() == 63 {
                break;
            }
            openings.push((opening, k));
        } else if let Some(at) = openings.iter().rposition(|&(o, _)| o == opening) {
            pairs.push((openings[at].1, k));
            openings.truncate(at);
        }
    }
    if pairs.is_empty() {
        return;
    }
    pairs.sort_unstable();
    let strong = |class: BidiClass| match class {
        L => Some(L),
        R | AL | EN | AN => Some(R),
        _ => None,
    };
    for (open, close) in pairs {
        let mut inside_embedding = false;
        let mut inside_opposite = false;
        for &class in &t[open + 1..close] {
            match strong(class) {
                Some(d) if d == embedding => {
                    inside_embedding = true;
                    break;
                }
                Some(_) => inside_opposite = true,
                None => {}
            }
        }
        let direction = if inside_embedding {
            embedding
        } else if inside_opposite {
            // The brackets follow the text before them when it too is opposite.
            t[..open]
                .iter()
                .rev()
                .find_map(|&c| strong(c))
                .unwrap_or(sos)
        } else {
            continue;
        };
        for bracket in [open, close] {
            t[bracket] = direction;
            let mut k = bracket + 1;
            while k < t.len() && classes[index_of(k)] == NSM {
                t[k] = direction;
                k += 1;
            }
        }
    }
}

impl Resolved {
    pub fn direction(&self) -> Dir {
        self.dir
    }

    pub fn paragraph_level(&self) -> u8 {
        self.dir.level()
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// Whether any character has an odd level (nothing to reorder otherwise).
    pub fn has_rtl(&self) -> bool {
        self.levels.iter().any(|l| l % 2 == 1)
    }

    /// The resolved level of character `i`, before rule L1; [`REMOVED`] for characters
    /// removed by rule X9.
    pub fn level(&self, i: usize) -> u8 {
        self.levels.get(i).copied().unwrap_or(0)
    }

    /// All levels, as [`Resolved::level`] gives them.
    pub fn levels(&self) -> &[u8] {
        &self.levels
    }

    /// The original bidi class of character `i`.
    pub fn class(&self, i: usize) -> BidiClass {
        self.classes.get(i).copied().unwrap_or(BidiClass::L)
    }

    /// One level per character of the line `range` (character indices) after rule L1,
    /// `None` for characters removed by rule X9.
    pub fn line_levels(&self, range: Range<usize>) -> Vec<Option<u8>> {
        let end = range.end.min(self.len());
        let range = range.start.min(end)..end;
        let classes = &self.classes[range.clone()];
        let mut levels: Vec<Option<u8>> = classes
            .iter()
            .zip(&self.levels[range])
            .map(|(&class, &level)| (!is_removed_by_x9(class)).then_some(level))
            .collect();
        apply_l1(classes, &mut levels, self.paragraph_level());
        levels
    }
}

/// Rule L1 on one line: separators, and whitespace or isolate formatting characters before a
/// separator or at the end of the line, return to the paragraph level. Characters removed
/// by X9 (already `None`) neither count nor interrupt such a sequence.
pub fn apply_l1(classes: &[BidiClass], levels: &mut [Option<u8>], paragraph_level: u8) {
    let mut resetting = true; // the end of the line acts like a separator
    for (class, level) in classes.iter().zip(levels.iter_mut()).rev() {
        match class {
            BidiClass::S | BidiClass::B => {
                *level = Some(paragraph_level);
                resetting = true;
            }
            BidiClass::WS | BidiClass::LRI | BidiClass::RLI | BidiClass::FSI | BidiClass::PDI => {
                if resetting {
                    *level = Some(paragraph_level);
                }
            }
            c if is_removed_by_x9(*c) => {}
            _ => resetting = false,
        }
    }
}

/// Rule L2: the visual order (left to right) of the items whose levels are given; items
/// with no level (removed by X9) are left out. Returns indices into `levels`.
pub fn visual_order(levels: &[Option<u8>]) -> Vec<usize> {
    let mut items: Vec<(usize, u8)> = levels
        .iter()
        .enumerate()
        .filter_map(|(i, level)| level.map(|l| (i, l)))
        .collect();
    reverse_runs(&mut items, |&(_, level)| level);
    items.into_iter().map(|(i, _)| i).collect()
}

/// Rule L2 on items that all have levels: from the highest level down to the lowest odd
/// level, every maximal run at that level or higher is reversed. Returns, left to right,
/// the logical index of each item.
pub fn reorder(levels: &[u8]) -> Vec<usize> {
    let mut items: Vec<(usize, u8)> = levels.iter().copied().enumerate().collect();
    reverse_runs(&mut items, |&(_, level)| level);
    items.into_iter().map(|(i, _)| i).collect()
}

/// Reorders `items` (in logical order) by rule L2 in place.
pub(crate) fn reverse_runs<T>(items: &mut [T], level: impl Fn(&T) -> u8) {
    let (mut highest, mut lowest_odd) = (0, u8::MAX);
    for item in items.iter() {
        let l = level(item);
        highest = highest.max(l);
        if l % 2 == 1 {
            lowest_odd = lowest_odd.min(l);
        }
    }
    if lowest_odd == u8::MAX {
        return;
    }
    // Levels travel with their items, so each pass sees the runs the previous one left.
    for current in (lowest_odd..=highest).rev() {
        let mut i = 0;
        while i < items.len() {
            if level(&items[i]) < current {
                i += 1;
                continue;
            }
            let start = i;
            while i < items.len() && level(&items[i]) >= current {
                i += 1;
            }
            items[start..i].reverse();
        }
    }
}

/// Rule L4: the mirror image of `c` for display at an odd level (brackets, «», < > …), or
/// `c` itself. Only characters of class ON have mirror images.
pub fn mirror(c: char) -> char {
    unicode_bidi_mirroring::get_mirrored(c).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One or more characters of every class the implicit path handles, brackets
    /// (including the canonically equivalent U+2329/U+3009 pair) and marks after them.
    const ALPHABET: &[char] = &[
        'a', 'Z', 'é', 'א', 'ש', 'ب', 'ل', '1', '9', '٢', '۵', '+', '-', '%', '$', '#', ',', '.',
        ':', '/', '\u{0300}', '\u{064E}', '\u{00AD}', '\u{200D}', '\t', ' ', '!', '"', '«', '»',
        '(', ')', '[', ']', '{', '}', '\u{2329}', '\u{3009}', '\u{0600}', '\u{200E}', '\u{200F}',
        '\u{061C}', '…',
    ];

    proptest! {
        #[test]
        fn implicit_resolution_matches_unicode_bidi(
            chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..64),
            rtl in any::<bool>(),
        ) {
            let text: String = chars.into_iter().collect();
            let dir = if rtl { Dir::Rtl } else { Dir::Ltr };
            let ours = resolve(&text, Some(dir));
            let reference = resolve_with_unicode_bidi(&text, dir);
            for (i, (&class, &level)) in ours.classes.iter().zip(&ours.levels).enumerate() {
                if !is_removed_by_x9(class) {
                    prop_assert_eq!(level, reference[i], "character {} of {:?}", i, text);
                }
            }
        }
    }

    #[test]
    fn setting_wins_over_language_and_text() {
        assert_eq!(paragraph_direction("hello", Direction::Rtl, None), Dir::Rtl);
        assert_eq!(
            paragraph_direction("مرحبا", Direction::Ltr, Some("ar")),
            Dir::Ltr
        );
    }

    #[test]
    fn rtl_language_makes_auto_rtl() {
        for tag in [
            "ar", "ar-EG", "fa_IR", "HE", "ckb", "syr", "az-Arab", "ur-PK",
        ] {
            assert_eq!(
                paragraph_direction("Hello", Direction::Auto, Some(tag)),
                Dir::Rtl,
                "{tag}"
            );
        }
        for tag in ["en", "fr-CA", "ug-Cyrl", "sd-Deva", "arn", ""] {
            assert_eq!(
                paragraph_direction("Hello", Direction::Auto, Some(tag)),
                Dir::Ltr,
                "{tag}"
            );
        }
    }

    #[test]
    fn auto_uses_first_strong_character() {
        assert_eq!(
            paragraph_direction("12:46 مرحبا Hi", Direction::Auto, None),
            Dir::Rtl
        );
        assert_eq!(
            paragraph_direction("«BBC» عربي", Direction::Auto, Some("en")),
            Dir::Ltr
        );
        assert_eq!(
            paragraph_direction("12:46 ...", Direction::Auto, None),
            Dir::Ltr
        );
        assert_eq!(paragraph_direction("שלום", Direction::Auto, None), Dir::Rtl);
    }

    #[test]
    fn first_strong_skips_isolates() {
        assert_eq!(first_strong("\u{2067}abc\u{2069} مرحبا"), Some(Dir::Rtl));
        assert_eq!(first_strong("\u{2066}مرحبا\u{2069}"), None);
        // Embeddings are not isolates: the letter inside counts.
        assert_eq!(first_strong("\u{202B}abc\u{202C}"), Some(Dir::Ltr));
    }

    #[test]
    fn reorder_reverses_runs_from_highest_level() {
        assert_eq!(reorder(&[0, 0, 0]), [0, 1, 2]);
        assert_eq!(reorder(&[1, 1, 1]), [2, 1, 0]);
        // RTL paragraph with an embedded LTR number: "ab 12" at levels 1 1 1 2 2.
        assert_eq!(reorder(&[1, 1, 1, 2, 2]), [3, 4, 2, 1, 0]);
        assert_eq!(reorder(&[]), Vec::<usize>::new());
    }

    #[test]
    fn visual_order_skips_removed_characters() {
        assert_eq!(visual_order(&[Some(1), None, Some(1)]), [2, 0]);
    }

    #[test]
    fn l1_resets_trailing_whitespace() {
        let text = "אב ";
        let resolved = resolve(text, Some(Dir::Ltr));
        assert_eq!(
            resolved.line_levels(0..resolved.len()),
            [Some(1), Some(1), Some(0)]
        );
    }

    #[test]
    fn ascii_ltr_needs_no_bidi_pass() {
        let resolved = resolve("plain text", Some(Dir::Ltr));
        assert!(!resolved.has_rtl());
        assert_eq!(resolved.level(3), 0);
        assert_eq!(resolved.class(5), BidiClass::WS);
    }

    #[test]
    fn mirroring_pairs() {
        assert_eq!(mirror('('), ')');
        assert_eq!(mirror('«'), '»');
        assert_eq!(mirror(']'), '[');
        assert_eq!(mirror('a'), 'a');
    }
}
