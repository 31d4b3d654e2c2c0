//! Mojibake repair: text that was UTF-8 but was read as windows-1252 or Latin-1 somewhere
//! upstream ("Putin ordenÃ³", "donâ€™t") is turned back into what was written.
//!
//! The rule is all or nothing, per field: every character of the field must map back to a
//! windows-1252 byte (Latin-1 C1 controls standing for themselves, which is what a Latin-1
//! decoder and windows-1252's five undefined bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D leave
//! behind), and those bytes must be valid UTF-8 with at least one multi-byte sequence. Then
//! the field is replaced by that UTF-8, again while the result passes the same test, for text
//! garbled more than once. Anything else is left as it is: a single character that cannot be
//! windows-1252 (Arabic, CJK, a correct "’") or a byte sequence that is not UTF-8 ("café",
//! a lone "Ã") means the field was not mojibake, or was only partly, and guessing would do
//! more harm than good.
//!
//! This is feedparser's rule (which re-encodes every element of a UTF-8 feed as Latin-1 and
//! keeps the result when it decodes as UTF-8), widened to windows-1252 so that the curly
//! quotes and dashes of "â€™" and "â€“" are repaired too, and applied to every feed. ftfy
//! goes further, fixing segments of a field by a heuristic of unlikely character sequences;
//! a headline reader that must never damage a correct title keeps to the whole-field test.

use encoding_rs::{EncoderResult, WINDOWS_1252};
use std::borrow::Cow;

/// More layers than this are not seen in feeds; the cap bounds the work.
const MAX_LAYERS: usize = 3;

/// `text` with its mojibake undone, or `text` itself (borrowed, at no cost beyond one scan)
/// when it is not mojibake through and through.
pub fn repair_mojibake(text: &str) -> Cow<'_, str> {
    let Some(mut repaired) = undo_one_layer(text) else {
        return Cow::Borrowed(text);
    };
    for _ in 1..MAX_LAYERS {
        match undo_one_layer(&repaired) {
            Some(again) => repaired = again,
            None => break,
        }
    }
    Cow::Owned(repaired)
}

fn undo_one_layer(text: &str) -> Option<String> {
    if !could_be_mojibake(text) {
        return None;
    }
    String::from_utf8(windows_1252_bytes(text)?).ok()
}

/// Whether every character has a windows-1252 byte and those bytes are UTF-8 with at least
/// one multi-byte sequence. Checked on the characters as they come, with no allocation: a
/// character without a byte (Arabic, CJK) or a byte that breaks UTF-8 ("café") ends it.
fn could_be_mojibake(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = ascii_run(bytes);
    if at == bytes.len() {
        return false;
    }
    let mut continuations = 0u8;
    // The range the next continuation byte must fall in: UTF-8 narrows the first one after
    // some lead bytes, to rule out overlong forms, surrogates and code points past U+10FFFF.
    let mut next = (0x80u8, 0xBFu8);
    let mut multi_byte = false;
    while let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) {
        if continuations == 0 && c.is_ascii() {
            // ASCII between sequences stands for itself: skipped as a run.
            at += ascii_run(bytes.get(at..).unwrap_or_default());
            continue;
        }
        at += c.len_utf8();
        let Some(byte) = windows_1252_byte(c) else {
            return false;
        };
        if continuations > 0 {
            if byte < next.0 || byte > next.1 {
                return false;
            }
            continuations -= 1;
            next = (0x80, 0xBF);
            continue;
        }
        (continuations, next) = match byte {
            0x00..=0x7F => continue,
            0xC2..=0xDF => (1, next),
            0xE0 => (2, (0xA0, 0xBF)),
            0xE1..=0xEC | 0xEE | 0xEF => (2, next),
            0xED => (2, (0x80, 0x9F)),
            0xF0 => (3, (0x90, 0xBF)),
            0xF1..=0xF3 => (3, next),
            0xF4 => (3, (0x80, 0x8F)),
            _ => return false,
        };
        multi_byte = true;
    }
    continuations == 0 && multi_byte
}

/// How many bytes `bytes` starts with that are ASCII, counted eight at a time.
fn ascii_run(bytes: &[u8]) -> usize {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let mut len = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if u64::from_ne_bytes(word) & HIGH_BITS != 0 {
            break;
        }
        len += 8;
    }
    len + bytes
        .get(len..)
        .unwrap_or_default()
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - len)
}

/// The byte a character decodes from in windows-1252, a C1 control (what a Latin-1 decoder
/// and windows-1252's five undefined bytes leave) standing for its own byte.
fn windows_1252_byte(c: char) -> Option<u8> {
    if let Ok(byte) = u8::try_from(u32::from(c)) {
        return Some(byte);
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// The bytes `text` decodes from as windows-1252, a C1 control standing for its own byte;
/// `None` when a character has no byte.
fn windows_1252_bytes(text: &str) -> Option<Vec<u8>> {
    let mut encoder = WINDOWS_1252.new_encoder();
    // Every character takes one byte, never more than its UTF-8 length.
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text;
    loop {
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut bytes, true);
        rest = rest.get(read..)?;
        match result {
            EncoderResult::InputEmpty => return Some(bytes),
            EncoderResult::OutputFull => bytes.reserve(rest.len()),
            EncoderResult::Unmappable(c) => {
                // U+0080–U+009F: left by a Latin-1 decoder; windows-1252 has other
                // characters at those bytes, so its encoder does not take them.
                let code = u8::try_from(u32::from(c)).ok()?;
                if !(0x80..=0x9F).contains(&code) {
                    return None;
                }
                bytes.push(code);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn as_windows_1252(s: &str) -> String {
        WINDOWS_1252
            .decode_without_bom_handling(s.as_bytes())
            .0
            .into_owned()
    }

    fn as_latin_1(s: &str) -> String {
        s.bytes().map(char::from).collect()
    }

    #[track_caller]
    fn repairs(garbled: &str, expected: &str) {
        let repaired = repair_mojibake(garbled);
        assert!(
            matches!(repaired, Cow::Owned(_)),
            "{garbled:?} not repaired"
        );
        assert_eq!(repaired, expected, "{garbled:?}");
    }

    #[track_caller]
    fn leaves(text: &str) {
        assert!(
            matches!(repair_mojibake(text), Cow::Borrowed(t) if t == text),
            "{text:?} was touched"
        );
    }

    #[test]
    fn repairs_utf8_read_as_windows_1252() {
        repairs("Putin ordenÃ³ la retirada", "Putin ordenó la retirada");
        repairs("GesÃ¹", "Gesù");
        repairs("â€™", "’");
        repairs("donâ€™t â€“ â€œquotedâ€\u{9d}", "don’t – “quoted”");
        repairs("Ã‰tÃ© Ã\u{a0} Paris", "Été à Paris");
        repairs("ðŸ˜€ MÃ¼nchen", "😀 München");
    }

    #[test]
    fn repairs_utf8_read_as_latin_1() {
        repairs("don\u{e2}\u{80}\u{99}t", "don’t");
        repairs(&as_latin_1("São Paulo – “hoje”"), "São Paulo – “hoje”");
    }

    #[test]
    fn the_five_undefined_bytes_stand_for_themselves() {
        // Á, Ð, Ő, ŝ and ŏ end in 0x81, 0x90, 0x90, 0x9D and 0x8F; "č" in 0x8D.
        let original = "Álvaro Ðorđe Ő ŝ ŏ č";
        let garbled = as_windows_1252(original);
        assert!(garbled.contains('\u{81}') && garbled.contains('\u{9d}'));
        repairs(&garbled, original);
    }

    #[test]
    fn repairs_every_layer() {
        repairs("Putin ordenÃƒÂ³", "Putin ordenó");
        let thrice = as_windows_1252(&as_windows_1252(&as_windows_1252("Gesù")));
        repairs(&thrice, "Gesù");
    }

    #[test]
    fn the_quick_check_knows_windows_1252_as_encoding_rs_does() {
        for byte in 0..=255u8 {
            let bytes = [byte];
            let decoded = WINDOWS_1252.decode_without_bom_handling(&bytes).0;
            let c = decoded.chars().next().unwrap();
            assert_eq!(windows_1252_byte(c), Some(byte), "{c:?}");
        }
    }

    #[test]
    fn leaves_correct_text_alone() {
        for text in [
            "",
            "plain ASCII headline",
            "café",
            "naïve résumé, Ångström",
            "Ã",
            "Ã alone",
            "MÃ¼nchen – and a real dash",
            "don’t",
            "الليرة السورية تواصل التحسن",
            "北京欢迎你",
            "Ελληνικά",
            "ordenÃ³ مرحبا",
            "Â",
            "Ã\u{20}",
            "\u{e0}\u{80}\u{80} overlong",
            "\u{ed}\u{a0}\u{80} surrogate",
            "\u{f4}\u{90}\u{80}\u{80} past U+10FFFF",
            "\u{c3}",
        ] {
            leaves(text);
        }
    }

    fn arabic() -> impl Strategy<Value = String> {
        "[\u{0600}-\u{06FF} ]{0,40}"
    }

    fn cjk() -> impl Strategy<Value = String> {
        "[\u{4E00}-\u{9FFF}\u{3040}-\u{30FF} ]{0,40}"
    }

    proptest! {
        #[test]
        fn undoes_windows_1252_and_latin_1(s in "\\PC{0,40}") {
            prop_assume!(!s.is_ascii());
            // A string that is itself mojibake comes back repaired one layer further.
            prop_assume!(matches!(repair_mojibake(&s), Cow::Borrowed(_)));
            let (cp1252, latin_1) = (as_windows_1252(&s), as_latin_1(&s));
            prop_assert_eq!(repair_mojibake(&cp1252), s.as_str());
            prop_assert_eq!(repair_mojibake(&latin_1), s.as_str());
        }

        #[test]
        fn undoes_latin_text(s in "[a-zA-Z àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜß’“”–—€]{1,40}") {
            prop_assume!(!s.is_ascii());
            prop_assume!(matches!(repair_mojibake(&s), Cow::Borrowed(_)));
            let garbled = as_windows_1252(&s);
            prop_assert_eq!(repair_mojibake(&garbled), s.as_str());
        }

        #[test]
        fn leaves_arabic_cjk_and_ascii(a in arabic(), c in cjk(), e in "[ -~]{0,40}") {
            for s in [&a, &c, &e, &format!("{a}{e}{c}")] {
                prop_assert!(matches!(repair_mojibake(s), Cow::Borrowed(t) if t == s.as_str()));
            }
        }

        #[test]
        fn ascii_runs_are_counted_to_the_first_other_byte(s in "[a-z \u{e9}\u{627}]{0,40}") {
            let expected = s.bytes().position(|b| !b.is_ascii()).unwrap_or(s.len());
            prop_assert_eq!(ascii_run(s.as_bytes()), expected);
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = repair_mojibake(&s);
        }
    }
}
