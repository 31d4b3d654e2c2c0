//! Folding text to the one searchable form queries and headlines are both reduced to, so
//! that matching is a plain substring search.
//!
//! Folding, chosen so that the spellings an Arabic reader treats as one word match:
//! - harakat (U+064B–U+065F, U+0670), Quranic marks (U+0610–U+061A, U+06D6–U+06ED) and
//!   tatweel (U+0640) are dropped: they are optional in writing, and a query typed
//!   without them must find a headline written with them;
//! - alef with hamza or madda and alef wasla (أ إ آ ٱ) become bare alef ا, ى and Persian ی
//!   become ي, ة becomes ه, Persian ک becomes ك: common spelling variants and keyboard
//!   habits, especially at word ends;
//! - ؤ and ئ (and the other letters whose canonical decomposition is a base letter plus a
//!   hamza or madda mark) become their base letter, because the decomposed spelling loses
//!   its mark with the harakat and both spellings must fold alike;
//! - Arabic-Indic and Persian digits become ASCII digits, and the Arabic percent, decimal
//!   and thousands signs become `%`, `.` and `,`;
//! - the Arabic Presentation Forms that legacy text carries in place of letters (the
//!   positional letter forms, lam-alef, and the word ligatures such as ﷲ) become the
//!   letters; the two- and three-letter glyph ligatures (U+FC00–U+FDC7) stay as they are,
//!   as they are font internals that news text does not contain;
//! - other scripts are lowercased (`char::to_lowercase`, plus final sigma, dotted İ and ß
//!   so that Greek, Turkish and German words match whatever case the query uses); accents
//!   are kept, as folding them would need decomposition tables;
//! - invisible format characters (ZWNJ, ZWJ, bidi marks and isolates, soft hyphen,
//!   variation selectors, BOM) are dropped, and whitespace runs become one space, trimmed.

/// The searchable form of text: what both queries and headlines are reduced to.
///
/// One pass, one allocation of the input's length (more only when folding lengthens the
/// text, as the word ligatures ﷲ and ﷺ and a few case mappings do). The result is its own normal form:
/// `normalize(&normalize(s)) == normalize(s)`.
pub fn normalize(text: &str) -> String {
    let mut out = Normalizer {
        text: String::with_capacity(text.len()),
        space: false,
    };
    for c in text.chars() {
        out.push(c);
    }
    out.text
}

/// [`normalize`], with where each byte of the folded text came from: `map[i]` is the byte
/// offset in `text` of the character that byte `i` of the fold stands for (for a space
/// standing for a run of whitespace, the character after the run). The same pass as
/// [`normalize`], watched from outside (what each character adds), so that the two never
/// disagree and folding itself does no bookkeeping: highlighting folds only what is on
/// screen, filtering folds every headline.
pub fn normalize_mapped(text: &str) -> (String, Vec<usize>) {
    let mut out = Normalizer {
        text: String::with_capacity(text.len()),
        space: false,
    };
    let mut map = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let before = out.text.len();
        out.push(c);
        map.resize(map.len() + (out.text.len() - before), at);
    }
    (out.text, map)
}

/// What [`ARABIC_FOLD`] holds for a character that is dropped.
const DROPPED: char = '\0';

/// The fold of each character of the Arabic block U+0600–U+06FF, as a table because
/// Arabic text is most of what akhbar normalizes.
const ARABIC_FOLD: [char; 256] = {
    let mut table = [DROPPED; 256];
    let mut i = 0;
    while i < table.len() {
        table[i] = arabic_fold(0x0600 + i as u32);
        i += 1;
    }
    table
};

const fn arabic_fold(cp: u32) -> char {
    let folded = match cp {
        // Harakat, Quranic marks and tatweel; U+061C is the Arabic letter mark (bidi).
        0x0610..=0x061A | 0x061C | 0x0640 | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED => {
            return DROPPED;
        }
        0x0622 | 0x0623 | 0x0625 | 0x0671 => 0x0627,
        0x0624 => 0x0648,
        0x0626 | 0x0649 | 0x06CC => 0x064A,
        0x0629 => 0x0647,
        0x06A9 => 0x0643,
        0x06C0 => 0x06D5,
        0x06C2 => 0x06C1,
        0x06D3 => 0x06D2,
        0x0660..=0x0669 => cp - 0x0660 + '0' as u32,
        0x06F0..=0x06F9 => cp - 0x06F0 + '0' as u32,
        0x066A => '%' as u32,
        0x066B => '.' as u32,
        0x066C => ',' as u32,
        _ => cp,
    };
    match char::from_u32(folded) {
        Some(c) => c,
        None => DROPPED,
    }
}

/// The output of [`normalize`] being built.
struct Normalizer {
    text: String,
    /// Whitespace was seen since the last character written: a space goes before the next
    /// one, so runs collapse and the end is trimmed without a second pass.
    space: bool,
}

impl Normalizer {
    /// Appends one character of the input, folded.
    ///
    /// ASCII and Arabic, nearly all of the text, are handled here, inlined into the loop;
    /// the rest goes to [`Normalizer::push_other`], which stays out of the way. (A plain
    /// `#[inline]` is not enough: `push_other` calls back into `push` for presentation
    /// forms, and the call overhead doubled the cost of normalizing.)
    #[inline(always)]
    fn push(&mut self, c: char) {
        match c {
            _ if c.is_ascii() => {
                if c.is_whitespace() {
                    self.space = true;
                } else {
                    self.emit(c.to_ascii_lowercase());
                }
            }
            '\u{0600}'..='\u{06FF}' => match ARABIC_FOLD[usize::from(c as u16 - 0x0600)] {
                DROPPED => {}
                folded => self.emit(folded),
            },
            _ => self.push_other(c),
        }
    }

    #[inline(never)]
    fn push_other(&mut self, c: char) {
        match c {
            // Invisible format characters: they change rendering, never the word.
            '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' => {}
            // Spacing and tatweel-borne forms of harakat, which NFKC would turn into a
            // space plus the mark: dropped like the marks, so they cannot split a word.
            '\u{FC5E}'..='\u{FC63}' | '\u{FE70}'..='\u{FE7F}' => {}
            '\u{FB50}'..='\u{FDFF}' | '\u{FE80}'..='\u{FEFC}' => match presentation(c) {
                // The letters go through the Arabic table too (ى, ة, hamza forms in them).
                Some(letters) => letters.chars().for_each(|l| self.push(l)),
                None => self.emit(c),
            },
            // Lowercase final sigma is only a positional form of σ, which `Σ` lowercases to.
            'ς' => self.emit('σ'),
            // `to_lowercase` gives i + combining dot, which would not match a plain `i`.
            'İ' => self.emit('i'),
            // Full case folding, so that `STRASSE` finds `Straße`.
            'ß' | 'ẞ' => {
                self.emit('s');
                self.emit('s');
            }
            _ if c.is_whitespace() => self.space = true,
            _ => c.to_lowercase().for_each(|l| self.emit(l)),
        }
    }

    /// Writes `c`, preceded by the space that stands for the whitespace since the last
    /// character, unless nothing was written yet (leading whitespace is trimmed).
    #[inline]
    fn emit(&mut self, c: char) {
        if self.space && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.space = false;
        self.text.push(c);
    }
}

/// The letters an Arabic Presentation Form stands for (its NFKC decomposition), for the
/// forms in [`PRESENTATION`].
fn presentation(c: char) -> Option<&'static str> {
    let at = PRESENTATION.partition_point(|&(_, last, _)| last < c);
    PRESENTATION
        .get(at)
        .filter(|&&(first, _, _)| first <= c)
        .map(|&(_, _, letters)| letters)
}

/// NFKC decompositions of the letter forms U+FB50–U+FBFF, the word ligatures U+FDF0–U+FDFF
/// and the letter forms U+FE80–U+FEFC, as ranges of consecutive forms of one letter,
/// sorted. Generated with Python's `unicodedata.normalize("NFKC", …)` (Unicode 14);
/// decompositions never change, by Unicode's stability policy.
const PRESENTATION: &[(char, char, &str)] = &[
    ('\u{FB50}', '\u{FB51}', "\u{0671}"),                 // ٱ
    ('\u{FB52}', '\u{FB55}', "\u{067B}"),                 // ٻ
    ('\u{FB56}', '\u{FB59}', "\u{067E}"),                 // پ
    ('\u{FB5A}', '\u{FB5D}', "\u{0680}"),                 // ڀ
    ('\u{FB5E}', '\u{FB61}', "\u{067A}"),                 // ٺ
    ('\u{FB62}', '\u{FB65}', "\u{067F}"),                 // ٿ
    ('\u{FB66}', '\u{FB69}', "\u{0679}"),                 // ٹ
    ('\u{FB6A}', '\u{FB6D}', "\u{06A4}"),                 // ڤ
    ('\u{FB6E}', '\u{FB71}', "\u{06A6}"),                 // ڦ
    ('\u{FB72}', '\u{FB75}', "\u{0684}"),                 // ڄ
    ('\u{FB76}', '\u{FB79}', "\u{0683}"),                 // ڃ
    ('\u{FB7A}', '\u{FB7D}', "\u{0686}"),                 // چ
    ('\u{FB7E}', '\u{FB81}', "\u{0687}"),                 // ڇ
    ('\u{FB82}', '\u{FB83}', "\u{068D}"),                 // ڍ
    ('\u{FB84}', '\u{FB85}', "\u{068C}"),                 // ڌ
    ('\u{FB86}', '\u{FB87}', "\u{068E}"),                 // ڎ
    ('\u{FB88}', '\u{FB89}', "\u{0688}"),                 // ڈ
    ('\u{FB8A}', '\u{FB8B}', "\u{0698}"),                 // ژ
    ('\u{FB8C}', '\u{FB8D}', "\u{0691}"),                 // ڑ
    ('\u{FB8E}', '\u{FB91}', "\u{06A9}"),                 // ک
    ('\u{FB92}', '\u{FB95}', "\u{06AF}"),                 // گ
    ('\u{FB96}', '\u{FB99}', "\u{06B3}"),                 // ڳ
    ('\u{FB9A}', '\u{FB9D}', "\u{06B1}"),                 // ڱ
    ('\u{FB9E}', '\u{FB9F}', "\u{06BA}"),                 // ں
    ('\u{FBA0}', '\u{FBA3}', "\u{06BB}"),                 // ڻ
    ('\u{FBA4}', '\u{FBA5}', "\u{06C0}"),                 // ۀ
    ('\u{FBA6}', '\u{FBA9}', "\u{06C1}"),                 // ہ
    ('\u{FBAA}', '\u{FBAD}', "\u{06BE}"),                 // ھ
    ('\u{FBAE}', '\u{FBAF}', "\u{06D2}"),                 // ے
    ('\u{FBB0}', '\u{FBB1}', "\u{06D3}"),                 // ۓ
    ('\u{FBD3}', '\u{FBD6}', "\u{06AD}"),                 // ڭ
    ('\u{FBD7}', '\u{FBD8}', "\u{06C7}"),                 // ۇ
    ('\u{FBD9}', '\u{FBDA}', "\u{06C6}"),                 // ۆ
    ('\u{FBDB}', '\u{FBDC}', "\u{06C8}"),                 // ۈ
    ('\u{FBDD}', '\u{FBDD}', "\u{06C7}\u{0674}"),         // ۇٴ
    ('\u{FBDE}', '\u{FBDF}', "\u{06CB}"),                 // ۋ
    ('\u{FBE0}', '\u{FBE1}', "\u{06C5}"),                 // ۅ
    ('\u{FBE2}', '\u{FBE3}', "\u{06C9}"),                 // ۉ
    ('\u{FBE4}', '\u{FBE7}', "\u{06D0}"),                 // ې
    ('\u{FBE8}', '\u{FBE9}', "\u{0649}"),                 // ى
    ('\u{FBEA}', '\u{FBEB}', "\u{0626}\u{0627}"),         // ئا
    ('\u{FBEC}', '\u{FBED}', "\u{0626}\u{06D5}"),         // ئە
    ('\u{FBEE}', '\u{FBEF}', "\u{0626}\u{0648}"),         // ئو
    ('\u{FBF0}', '\u{FBF1}', "\u{0626}\u{06C7}"),         // ئۇ
    ('\u{FBF2}', '\u{FBF3}', "\u{0626}\u{06C6}"),         // ئۆ
    ('\u{FBF4}', '\u{FBF5}', "\u{0626}\u{06C8}"),         // ئۈ
    ('\u{FBF6}', '\u{FBF8}', "\u{0626}\u{06D0}"),         // ئې
    ('\u{FBF9}', '\u{FBFB}', "\u{0626}\u{0649}"),         // ئى
    ('\u{FBFC}', '\u{FBFF}', "\u{06CC}"),                 // ی
    ('\u{FDF0}', '\u{FDF0}', "\u{0635}\u{0644}\u{06D2}"), // صلے
    ('\u{FDF1}', '\u{FDF1}', "\u{0642}\u{0644}\u{06D2}"), // قلے
    ('\u{FDF2}', '\u{FDF2}', "\u{0627}\u{0644}\u{0644}\u{0647}"), // الله
    ('\u{FDF3}', '\u{FDF3}', "\u{0627}\u{0643}\u{0628}\u{0631}"), // اكبر
    ('\u{FDF4}', '\u{FDF4}', "\u{0645}\u{062D}\u{0645}\u{062F}"), // محمد
    ('\u{FDF5}', '\u{FDF5}', "\u{0635}\u{0644}\u{0639}\u{0645}"), // صلعم
    ('\u{FDF6}', '\u{FDF6}', "\u{0631}\u{0633}\u{0648}\u{0644}"), // رسول
    ('\u{FDF7}', '\u{FDF7}', "\u{0639}\u{0644}\u{064A}\u{0647}"), // عليه
    ('\u{FDF8}', '\u{FDF8}', "\u{0648}\u{0633}\u{0644}\u{0645}"), // وسلم
    ('\u{FDF9}', '\u{FDF9}', "\u{0635}\u{0644}\u{0649}"), // صلى
    (
        '\u{FDFA}',
        '\u{FDFA}',
        "\u{0635}\u{0644}\u{0649}\u{0020}\u{0627}\u{0644}\u{0644}\u{0647}\u{0020}\u{0639}\u{0644}\u{064A}\u{0647}\u{0020}\u{0648}\u{0633}\u{0644}\u{0645}",
    ), // صلى الله عليه وسلم
    (
        '\u{FDFB}',
        '\u{FDFB}',
        "\u{062C}\u{0644}\u{0020}\u{062C}\u{0644}\u{0627}\u{0644}\u{0647}",
    ), // جل جلاله
    ('\u{FDFC}', '\u{FDFC}', "\u{0631}\u{06CC}\u{0627}\u{0644}"), // ریال
    ('\u{FE80}', '\u{FE80}', "\u{0621}"),                 // ء
    ('\u{FE81}', '\u{FE82}', "\u{0622}"),                 // آ
    ('\u{FE83}', '\u{FE84}', "\u{0623}"),                 // أ
    ('\u{FE85}', '\u{FE86}', "\u{0624}"),                 // ؤ
    ('\u{FE87}', '\u{FE88}', "\u{0625}"),                 // إ
    ('\u{FE89}', '\u{FE8C}', "\u{0626}"),                 // ئ
    ('\u{FE8D}', '\u{FE8E}', "\u{0627}"),                 // ا
    ('\u{FE8F}', '\u{FE92}', "\u{0628}"),                 // ب
    ('\u{FE93}', '\u{FE94}', "\u{0629}"),                 // ة
    ('\u{FE95}', '\u{FE98}', "\u{062A}"),                 // ت
    ('\u{FE99}', '\u{FE9C}', "\u{062B}"),                 // ث
    ('\u{FE9D}', '\u{FEA0}', "\u{062C}"),                 // ج
    ('\u{FEA1}', '\u{FEA4}', "\u{062D}"),                 // ح
    ('\u{FEA5}', '\u{FEA8}', "\u{062E}"),                 // خ
    ('\u{FEA9}', '\u{FEAA}', "\u{062F}"),                 // د
    ('\u{FEAB}', '\u{FEAC}', "\u{0630}"),                 // ذ
    ('\u{FEAD}', '\u{FEAE}', "\u{0631}"),                 // ر
    ('\u{FEAF}', '\u{FEB0}', "\u{0632}"),                 // ز
    ('\u{FEB1}', '\u{FEB4}', "\u{0633}"),                 // س
    ('\u{FEB5}', '\u{FEB8}', "\u{0634}"),                 // ش
    ('\u{FEB9}', '\u{FEBC}', "\u{0635}"),                 // ص
    ('\u{FEBD}', '\u{FEC0}', "\u{0636}"),                 // ض
    ('\u{FEC1}', '\u{FEC4}', "\u{0637}"),                 // ط
    ('\u{FEC5}', '\u{FEC8}', "\u{0638}"),                 // ظ
    ('\u{FEC9}', '\u{FECC}', "\u{0639}"),                 // ع
    ('\u{FECD}', '\u{FED0}', "\u{063A}"),                 // غ
    ('\u{FED1}', '\u{FED4}', "\u{0641}"),                 // ف
    ('\u{FED5}', '\u{FED8}', "\u{0642}"),                 // ق
    ('\u{FED9}', '\u{FEDC}', "\u{0643}"),                 // ك
    ('\u{FEDD}', '\u{FEE0}', "\u{0644}"),                 // ل
    ('\u{FEE1}', '\u{FEE4}', "\u{0645}"),                 // م
    ('\u{FEE5}', '\u{FEE8}', "\u{0646}"),                 // ن
    ('\u{FEE9}', '\u{FEEC}', "\u{0647}"),                 // ه
    ('\u{FEED}', '\u{FEEE}', "\u{0648}"),                 // و
    ('\u{FEEF}', '\u{FEF0}', "\u{0649}"),                 // ى
    ('\u{FEF1}', '\u{FEF4}', "\u{064A}"),                 // ي
    ('\u{FEF5}', '\u{FEF6}', "\u{0644}\u{0622}"),         // لآ
    ('\u{FEF7}', '\u{FEF8}', "\u{0644}\u{0623}"),         // لأ
    ('\u{FEF9}', '\u{FEFA}', "\u{0644}\u{0625}"),         // لإ
    ('\u{FEFB}', '\u{FEFC}', "\u{0644}\u{0627}"),         // لا
];

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn presentation_table_is_sorted_and_folds_to_base_letters() {
        let mut previous = None;
        for &(first, last, letters) in PRESENTATION {
            assert!(first <= last, "{first:?}");
            assert!(previous.is_none_or(|p| p < first), "{first:?} overlaps");
            previous = Some(last);
            assert!(!letters.is_empty());
            // No form decomposes to another form, so folding never recurses twice.
            assert!(
                letters
                    .chars()
                    .all(|l| !matches!(l, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')),
                "{first:?}"
            );
        }
        assert_eq!(presentation('\u{FE8D}'), Some("\u{0627}"));
        assert_eq!(presentation('\u{FEFC}'), Some("\u{0644}\u{0627}"));
        assert_eq!(presentation('\u{FC00}'), None);
        assert_eq!(normalize("\u{FC00}"), "\u{FC00}");
    }

    #[test]
    fn a_dropped_mark_between_spaces_leaves_one_space() {
        assert_eq!(normalize("a \u{064B} b"), "a b");
        assert_eq!(normalize(" \u{200F} "), "");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn spaces_around_dropped_characters_collapse() {
        for (text, normal) in [
            ("  a  b  ", "a b"),
            ("a ", "a"),
            (" a", "a"),
            ("a \u{064B} b", "a b"),
            ("a\u{064B} \u{064B}b", "a b"),
            (" \tx \t", "x"),
            ("x\u{00A0} y", "x y"),
            ("x \u{00A0}y", "x y"),
            ("أ  ب ", "ا ب"),
            ("ب أ ب", "ب ا ب"),
            ("A B", "a b"),
            (" ", ""),
        ] {
            assert_eq!(normalize(text), normal, "{text:?}");
        }
    }

    #[test]
    fn every_character_normalizes_idempotently() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let once = normalize(c.encode_utf8(&mut [0; 4]));
            assert_eq!(normalize(&once), once, "U+{:04X}", u32::from(c));
        }
    }

    /// Text made of what folding cares about: Arabic with its variants, marks and digits,
    /// presentation forms, cased Latin and Greek, invisible characters, assorted spaces,
    /// and the query syntax characters.
    pub(in crate::query) fn mixed_text() -> impl Strategy<Value = String> {
        let chars = prop_oneof![
            4 => proptest::char::range('\u{0600}', '\u{06FF}'),
            1 => proptest::char::range('\u{FB50}', '\u{FDFF}'),
            1 => proptest::char::range('\u{FE70}', '\u{FEFF}'),
            2 => proptest::char::range('A', 'z'),
            1 => proptest::sample::select(vec![
                ' ', ' ', ' ', ' ', '\t', '\n', '\u{00A0}', '\u{200C}', '\u{200F}', '\u{2067}', '-', '"',
                'Σ', 'ς', 'İ', 'ß', 'Ж', '٢', '۶', '7',
            ]),
        ];
        proptest::collection::vec(chars, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in any::<String>()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        #[test]
        fn the_mapped_fold_is_the_fold_and_maps_each_byte_to_a_character_of_the_text(
            s in mixed_text(),
        ) {
            let (folded, map) = normalize_mapped(&s);
            prop_assert_eq!(&folded, &normalize(&s));
            prop_assert_eq!(map.len(), folded.len());
            prop_assert!(map.windows(2).all(|pair| pair[0] <= pair[1]));
            prop_assert!(map.iter().all(|&at| s.is_char_boundary(at) && at < s.len()));
        }

        #[test]
        fn normalize_is_idempotent_on_arabic(s in mixed_text()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
            prop_assert!(!once.chars().any(|c| c.is_whitespace() && c != ' '));
        }
    }
}
