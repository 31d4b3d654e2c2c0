//! Charset decision and decoding to UTF-8: BOM → HTTP charset → XML declaration → detection.
//!
//! Decoding never fails: bytes that are invalid in the chosen encoding become U+FFFD. A label
//! (HTTP or declaration) that the bytes plainly contradict is overridden, since a server that
//! says ISO-8859-1 about a UTF-8 feed is far more common than text that only looks like UTF-8.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

/// Where the encoding decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    /// A byte-order mark (or the byte pattern of UTF-16 `<`).
    Bom,
    /// The `charset` parameter of the HTTP `Content-Type`.
    Http,
    /// The XML declaration's `encoding`.
    Declaration,
    /// An HTML `<meta charset>`.
    Meta,
    /// The bytes themselves (valid UTF-8, or chardetng's guess).
    Detected,
}

/// A body decoded to UTF-8, with the XML declaration removed.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// Borrowed when the bytes were already UTF-8: a feed can be megabytes, and the parse
    /// holds every copy at once.
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// What had to be overridden or guessed, one line each, for [`super::ParsedFeed::repairs`].
    pub notes: Vec<String>,
}

/// Decides the charset of `bytes` and decodes them; `content_type` is the HTTP header.
pub fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    let mut notes = Vec::new();
    let (encoding, source, body) = choose(bytes, content_type, &mut notes);
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        notes.push(format!(
            "replaced bytes that are not valid {} with U+FFFD",
            encoding.name().to_ascii_lowercase()
        ));
    }
    let text = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(xml_declaration_end(s)..).unwrap_or_default()),
        Cow::Owned(mut s) => {
            strip_xml_declaration(&mut s);
            Cow::Owned(s)
        }
    };
    Decoded {
        text,
        encoding,
        source,
        notes,
    }
}

/// A body decoded to UTF-8 in a string of its own, for a reader that gives back what it has
/// read: UTF-8 bytes become the string as they are, without a copy.
#[derive(Debug)]
pub struct DecodedOwned {
    pub text: String,
    /// Where the document starts in `text`, past a byte-order mark and the XML declaration.
    pub start: usize,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// As [`Decoded::notes`].
    pub notes: Vec<String>,
}

/// [`decode`] for bytes the caller is done with.
pub fn decode_owned(bytes: Vec<u8>, content_type: Option<&str>) -> DecodedOwned {
    let mut notes = Vec::new();
    let (encoding, source, body) = choose(&bytes, content_type, &mut notes);
    let bom_len = bytes.len() - body.len();
    let bytes = if encoding == UTF_8 {
        match String::from_utf8(bytes) {
            Ok(text) => {
                let start = bom_len + xml_declaration_end(text.get(bom_len..).unwrap_or_default());
                return DecodedOwned {
                    text,
                    start,
                    encoding,
                    source,
                    notes,
                };
            }
            Err(error) => error.into_bytes(),
        }
    } else {
        bytes
    };
    let (text, had_errors) =
        encoding.decode_without_bom_handling(bytes.get(bom_len..).unwrap_or_default());
    if had_errors {
        notes.push(format!(
            "replaced bytes that are not valid {} with U+FFFD",
            encoding.name().to_ascii_lowercase()
        ));
    }
    let text = text.into_owned();
    drop(bytes);
    let start = xml_declaration_end(&text);
    DecodedOwned {
        text,
        start,
        encoding,
        source,
        notes,
    }
}

fn choose<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    notes: &mut Vec<String>,
) -> (&'static Encoding, CharsetSource, &'a [u8]) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return (
            encoding,
            CharsetSource::Bom,
            bytes.get(bom_len..).unwrap_or_default(),
        );
    }
    match bytes {
        [b'<', 0, x, 0, ..] if *x != 0 => return (UTF_16LE, CharsetSource::Bom, bytes),
        [0, b'<', 0, x, ..] if *x != 0 => return (UTF_16BE, CharsetSource::Bom, bytes),
        _ => {}
    }

    let labelled = content_type
        .and_then(charset_from_content_type)
        .map(|e| (e, CharsetSource::Http))
        .or_else(|| declared_encoding(bytes).map(|e| (e, CharsetSource::Declaration)))
        .or_else(|| meta_charset(bytes).map(|e| (e, CharsetSource::Meta)));

    let quality = utf8_quality(bytes);
    match labelled {
        // Without a BOM or the NUL pattern above, the bytes are not UTF-16 whatever the label
        // says (we could read the label, so the text is ASCII-compatible).
        Some((encoding, _)) if encoding == UTF_16LE || encoding == UTF_16BE => {
            (UTF_8, CharsetSource::Detected, bytes)
        }
        Some((encoding, source)) if encoding == UTF_8 => {
            if quality.is_utf8() {
                (UTF_8, source, bytes)
            } else {
                let guess = detect(bytes);
                notes.push(format!(
                    "charset: labelled utf-8 but the bytes are not; read as {}",
                    guess.name().to_ascii_lowercase()
                ));
                (guess, CharsetSource::Detected, bytes)
            }
        }
        Some((encoding, source)) => {
            if quality.is_utf8() && quality.non_ascii {
                notes.push(format!(
                    "charset: labelled {} but the bytes are utf-8",
                    encoding.name().to_ascii_lowercase()
                ));
                (UTF_8, CharsetSource::Detected, bytes)
            } else {
                (encoding, source, bytes)
            }
        }
        None => {
            if quality.is_utf8() {
                (UTF_8, CharsetSource::Detected, bytes)
            } else {
                let guess = detect(bytes);
                notes.push(format!(
                    "charset: none declared; detected {}",
                    guess.name().to_ascii_lowercase()
                ));
                (guess, CharsetSource::Detected, bytes)
            }
        }
    }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, Utf8Detection::Allow)
}

/// Looks an encoding label up, ignoring the ones that cannot describe a feed's bytes.
fn for_label(label: &[u8]) -> Option<&'static Encoding> {
    // The "replacement" encoding turns a whole document into one U+FFFD; such labels
    // (ISO-2022-KR and friends) are better ignored and the bytes detected.
    Encoding::for_label(label).filter(|e| *e != REPLACEMENT)
}

/// The encoding named by the `charset` parameter of a `Content-Type` header value.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        for_label(value.trim().as_bytes())
    })
}

#[derive(Debug, Clone, Copy)]
struct Utf8Quality {
    /// Invalid sequences, not counting an incomplete one at the very end (a cut download).
    errors: usize,
    /// Lead bytes of multi-byte sequences (or stray high bytes).
    leads: usize,
    non_ascii: bool,
}

impl Utf8Quality {
    /// Valid, or so nearly valid that the few bad bytes are damage rather than another charset.
    fn is_utf8(self) -> bool {
        self.errors == 0 || self.errors.saturating_mul(10) <= self.leads
    }
}

fn utf8_quality(bytes: &[u8]) -> Utf8Quality {
    // encoding_rs's check is several times faster than the standard library's on text
    // that is not ASCII, and a feed is megabytes of it.
    if Encoding::utf8_valid_up_to(bytes) == bytes.len() {
        return Utf8Quality {
            errors: 0,
            leads: 0,
            non_ascii: !bytes.is_ascii(),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => {
            return Utf8Quality {
                errors: 0,
                leads: 0,
                non_ascii: !s.is_ascii(),
            };
        }
        Err(e) if e.error_len().is_none() => {
            return Utf8Quality {
                errors: 0,
                leads: 0,
                non_ascii: true,
            };
        }
        Err(_) => {}
    }
    let leads = bytes.iter().filter(|&&b| b >= 0xC0).count();
    let limit = leads / 10;
    let mut errors = 0usize;
    let mut rest = bytes;
    while let Err(e) = std::str::from_utf8(rest) {
        let Some(len) = e.error_len() else { break };
        errors += 1;
        if errors > limit {
            break;
        }
        rest = rest.get(e.valid_up_to() + len..).unwrap_or_default();
    }
    Utf8Quality {
        errors,
        leads,
        non_ascii: true,
    }
}

/// How far into the body a declaration or `<meta>` is looked for.
const PROLOG_LIMIT: usize = 4096;

fn prolog(bytes: &[u8]) -> &[u8] {
    bytes.get(..PROLOG_LIMIT).unwrap_or(bytes)
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The value of `name=` (quoted or not) in `tag`, as raw bytes.
fn attr_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let at = find_ci(tag, name)?;
    let rest = tag.get(at + name.len()..)?;
    let rest = trim_ascii_start(rest);
    let rest = trim_ascii_start(rest.strip_prefix(b"=")?);
    let (quote, rest) = match rest.first() {
        Some(q @ (b'"' | b'\'')) => (Some(*q), rest.get(1..)?),
        _ => (None, rest),
    };
    let end = rest
        .iter()
        .position(|&b| match quote {
            Some(q) => b == q,
            None => b.is_ascii_whitespace() || b == b'>' || b == b'/' || b == b';' || b == b'?',
        })
        .unwrap_or(rest.len());
    rest.get(..end)
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// The `encoding` of an XML declaration at the start of `bytes`.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = trim_ascii_start(prolog(bytes));
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = head.get(..end)?;
    for_label(attr_value(decl, b"encoding")?)
}

/// The charset of an HTML `<meta charset>` or `<meta http-equiv content="…; charset=…">`.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let mut rest = prolog(bytes);
    while let Some(at) = find_ci(rest, b"<meta") {
        let after = rest.get(at + 5..)?;
        let end = after.iter().position(|&b| b == b'>').unwrap_or(after.len());
        let tag = after.get(..end)?;
        if let Some(label) = attr_value(tag, b"charset")
            && let Some(encoding) = for_label(label)
        {
            return Some(encoding);
        }
        rest = after.get(end..)?;
    }
    None
}

/// Removes a leading `<?xml …?>` so that the XML reader does not decode the text a second time
/// with the encoding it names.
pub fn strip_xml_declaration(text: &mut String) {
    let end = xml_declaration_end(text);
    if end > 0 {
        text.replace_range(..end, "");
    }
}

/// Where a leading XML declaration (and the whitespace before it) ends; 0 if there is none.
fn xml_declaration_end(text: &str) -> usize {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    if !is_xml_declaration(trimmed) {
        return 0;
    }
    // A declaration is short; a missing `?>` nearby means this is not one.
    let bytes = trimmed.as_bytes();
    let window = bytes.get(..512).unwrap_or(bytes);
    match window.windows(2).position(|w| w == b"?>") {
        Some(end) => lead + end + 2,
        None => 0,
    }
}

/// Whether `s` starts with an XML declaration (and not a PI such as `<?xml-stylesheet`).
pub fn is_xml_declaration(s: &str) -> bool {
    let b = s.as_bytes();
    b.get(..5).is_some_and(|p| p.eq_ignore_ascii_case(b"<?xml"))
        && b.get(5)
            .is_none_or(|&c| c.is_ascii_whitespace() || c == b'?')
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{ISO_8859_6, WINDOWS_1252, WINDOWS_1256};

    const ARABIC: &str = "الليرة السورية تواصل التحسن منذ سقوط النظام";

    fn cp1256(s: &str) -> Vec<u8> {
        let (bytes, _, errors) = WINDOWS_1256.encode(s);
        assert!(!errors);
        bytes.into_owned()
    }

    #[test]
    fn bom_wins_over_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(
            format!("<?xml version=\"1.0\" encoding=\"windows-1256\"?><t>{ARABIC}</t>").as_bytes(),
        );
        let d = decode(&bytes, Some("text/xml; charset=iso-8859-6"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.source, CharsetSource::Bom);
        assert_eq!(d.text, format!("<t>{ARABIC}</t>"));
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let text = format!("<t>{ARABIC}</t>");
        let mut le: Vec<u8> = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le, None).text, text);
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be, None).text, text);
    }

    #[test]
    fn http_charset_beats_declaration() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-6\"?><t>".to_vec();
        bytes.extend(cp1256(ARABIC));
        bytes.extend_from_slice(b"</t>");
        let d = decode(&bytes, Some("text/xml; charset=\"windows-1256\""));
        assert_eq!(d.encoding, WINDOWS_1256);
        assert_eq!(d.source, CharsetSource::Http);
        assert_eq!(d.text, format!("<t>{ARABIC}</t>"));
    }

    #[test]
    fn declaration_is_used_then_removed() {
        let mut bytes = b"<?xml version='1.0' encoding='windows-1256' ?>\n<t>".to_vec();
        bytes.extend(cp1256(ARABIC));
        bytes.extend_from_slice(b"</t>");
        let d = decode(&bytes, Some("application/rss+xml"));
        assert_eq!(d.encoding, WINDOWS_1256);
        assert_eq!(d.source, CharsetSource::Declaration);
        assert_eq!(d.text, format!("\n<t>{ARABIC}</t>"));
        assert!(d.notes.is_empty());
    }

    #[test]
    fn undeclared_arabic_is_detected() {
        let long = format!("{ARABIC} قرقاش: السياسة الإسرائيلية في سوريا غبية");
        let mut bytes = b"<t>".to_vec();
        bytes.extend(cp1256(&long));
        bytes.extend_from_slice(b"</t>");
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, WINDOWS_1256);
        assert_eq!(d.text, format!("<t>{long}</t>"));
        assert_eq!(d.notes, ["charset: none declared; detected windows-1256"]);

        let iso = "الشرع: سوريا الجديدة لن تخوض صراعا مع إسرائيل";
        let (encoded, _, errors) = ISO_8859_6.encode(iso);
        assert!(!errors);
        let d = decode(&encoded, None);
        assert_eq!(d.encoding, ISO_8859_6);
        assert_eq!(d.text, iso);
    }

    #[test]
    fn utf8_label_on_legacy_bytes_is_overridden() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>".to_vec();
        bytes.extend(cp1256(ARABIC));
        bytes.extend_from_slice(b"</t>");
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, WINDOWS_1256);
        assert_eq!(d.text, format!("<t>{ARABIC}</t>"));
        assert_eq!(d.notes.len(), 1);
    }

    #[test]
    fn legacy_label_on_utf8_bytes_is_overridden() {
        let bytes = format!("<t>{ARABIC}</t>");
        let d = decode(bytes.as_bytes(), Some("text/xml; charset=ISO-8859-1"));
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.text, bytes);
        assert_eq!(
            d.notes,
            ["charset: labelled windows-1252 but the bytes are utf-8"]
        );
        // ASCII-only text keeps its label quietly.
        let d = decode(b"<t>plain</t>", Some("text/xml; charset=ISO-8859-1"));
        assert_eq!(d.encoding, WINDOWS_1252);
        assert!(d.notes.is_empty());
    }

    #[test]
    fn mostly_utf8_with_damage_stays_utf8() {
        let mut bytes = format!("<t>{ARABIC} {ARABIC}").into_bytes();
        bytes.push(0x93);
        bytes.extend_from_slice(b"</t>");
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, UTF_8);
        assert!(d.text.contains('\u{FFFD}'));
    }

    #[test]
    fn truncated_utf8_tail_is_still_utf8() {
        let text = format!("<t>{ARABIC}");
        let bytes = text.as_bytes();
        let cut = bytes.get(..bytes.len() - 1).unwrap_or_default();
        assert_eq!(decode(cut, None).encoding, UTF_8);
    }

    #[test]
    fn meta_charset_and_content_type_parsing() {
        let mut bytes = b"<html><head><meta charset=\"windows-1256\"></head><body>".to_vec();
        bytes.extend(cp1256(ARABIC));
        let d = decode(&bytes, Some("text/html"));
        assert_eq!(d.encoding, WINDOWS_1256);
        assert_eq!(d.source, CharsetSource::Meta);

        assert_eq!(
            charset_from_content_type("text/xml;charset=UTF-8"),
            Some(UTF_8)
        );
        assert_eq!(charset_from_content_type("text/xml"), None);
        assert_eq!(charset_from_content_type("text/xml; charset=bogus"), None);
        assert_eq!(
            charset_from_content_type("text/xml; charset=iso-2022-kr"),
            None
        );
    }

    #[test]
    fn utf16_label_without_utf16_bytes_is_ignored() {
        let d = decode(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>x</t>", None);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.text, "<t>x</t>");
    }

    #[test]
    fn declaration_stripping_leaves_other_pis() {
        let mut s = String::from("<?xml-stylesheet href=\"a\"?><rss/>");
        strip_xml_declaration(&mut s);
        assert_eq!(s, "<?xml-stylesheet href=\"a\"?><rss/>");
        let mut s = String::from("  <?xml version=\"1.0\"?><rss/>");
        strip_xml_declaration(&mut s);
        assert_eq!(s, "<rss/>");
    }

    #[test]
    fn empty_input() {
        let d = decode(b"", None);
        assert_eq!(d.text, "");
    }
}
