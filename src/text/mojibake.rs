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

/// Whether every character could come from decoding a byte as windows-1252 or Latin-1, and
/// one of them from a UTF-8 lead byte (0xC2–0xF4, which both decode to U+00C2–U+00F4).
fn could_be_mojibake(text: &str) -> bool {
    if text.is_ascii() {
        return false;
    }
    let mut lead = false;
    for c in text.chars() {
        match c {
            '\u{C2}'..='\u{F4}' => lead = true,
            '\0'..='\u{FF}' => {}
            c if is_windows_1252_special(c) => {}
            _ => return false,
        }
    }
    lead
}

/// The characters windows-1252 puts at 0x80–0x9F.
fn is_windows_1252_special(c: char) -> bool {
    matches!(
        c,
        '€' | '‚'
            | 'ƒ'
            | '„'
            | '…'
            | '†'
            | '‡'
            | 'ˆ'
            | '‰'
            | 'Š'
            | '‹'
            | 'Œ'
            | 'Ž'
            | '‘'
            | '’'
            | '“'
            | '”'
            | '•'
            | '–'
            | '—'
            | '˜'
            | '™'
            | 'š'
            | '›'
            | 'œ'
            | 'ž'
            | 'Ÿ'
    )
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
        fn never_panics(s in "\\PC{0,60}") {
            let _ = repair_mojibake(&s);
        }
    }
}
