//! The HTML layer's shortcut for the markup most feed text is made of: plain tags, quoted
//! attributes, text and the usual character references, read in one byte scan instead of
//! through html5ever's state machine, which costs several times more per byte.
//!
//! It is not a second HTML reader. It reads only a subset on which HTML's tokenizer rules
//! are simple enough to follow exactly — every tag and reference it accepts means what
//! [`super::html::read`] makes of it, element by element from the same table — and gives up
//! ([`NotQuick`]) at the first thing outside it: comments, CDATA, doctypes, processing
//! instructions, raw-text elements (`script`, `style`, `title`, …), references it would have
//! to guess at, NUL, and input that ends inside a tag. The caller then reads the whole input
//! with html5ever, so what comes out never depends on which path read it (a property test
//! holds the two paths to that).

use super::html::{self, Content, Element};
use html5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// What the quick path reports, in document order: the same start tags, end tags and text
/// as [`html::read`] in [`html::Dialect::FeedText`], without the tags' names and
/// attributes (which no user of the quick path needs). Text may come in other pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Start(Element),
    End(Element),
    Text(&'a str),
}

/// The input holds something the quick path leaves to html5ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotQuick;

/// Element names longer than this are in no row of the table.
const LONGEST_NAME: usize = 16;

/// Reads `markup` as [`html::read`] does in [`html::Dialect::FeedText`], handing each piece
/// to `on`; `Err` as soon as the input leaves the subset read here (what `on` was given so
/// far is then to be thrown away).
pub fn read(markup: &str, mut on: impl FnMut(Piece<'_>)) -> Result<(), NotQuick> {
    let bytes = markup.as_bytes();
    if memchr::memchr(0, bytes).is_some() {
        return Err(NotQuick);
    }
    let mut at = 0;
    while at < bytes.len() {
        let is_special = |b: u8| matches!(b, b'<' | b'&' | b'\r');
        // Tags often follow each other: no search for what is right here.
        let offset = if is_special(bytes[at]) {
            Some(0)
        } else {
            memchr::memchr3(b'<', b'&', b'\r', &bytes[at..])
        };
        let Some(offset) = offset else {
            on(Piece::Text(&markup[at..]));
            break;
        };
        let special = at + offset;
        if special > at {
            on(Piece::Text(&markup[at..special]));
        }
        at = match bytes[special] {
            b'\r' => {
                // HTML reads CR LF and a lone CR as LF.
                on(Piece::Text("\n"));
                if bytes.get(special + 1) == Some(&b'\n') {
                    special + 2
                } else {
                    special + 1
                }
            }
            b'&' => reference(bytes, special, &mut on)?,
            _ => markup_at(bytes, special, &mut on)?,
        };
    }
    Ok(())
}

/// A `<` at `lt`: a tag, or a `<` that is text. Where reading goes on.
fn markup_at(bytes: &[u8], lt: usize, on: &mut impl FnMut(Piece<'_>)) -> Result<usize, NotQuick> {
    match bytes.get(lt + 1) {
        Some(b) if b.is_ascii_alphabetic() => {
            let (element, end) = tag(bytes, lt + 1)?;
            if matches!(element.content, Content::Raw { .. } | Content::Plaintext) {
                // Its content is read by other rules than markup.
                return Err(NotQuick);
            }
            on(Piece::Start(element));
            Ok(end)
        }
        Some(b'/') => match bytes.get(lt + 2) {
            Some(b) if b.is_ascii_alphabetic() => {
                let (element, end) = tag(bytes, lt + 2)?;
                on(Piece::End(element));
                Ok(end)
            }
            // `</>` is nothing at all.
            Some(b'>') => Ok(lt + 3),
            // A bogus comment, or `</` at the end.
            _ => Err(NotQuick),
        },
        // Comments, declarations, CDATA, processing instructions, and a `<` at the end.
        Some(b'!' | b'?') | None => Err(NotQuick),
        // A `<` before anything else is itself.
        Some(_) => {
            on(Piece::Text("<"));
            Ok(lt + 1)
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// A tag whose name starts at `name` (an ASCII letter): its row of the table and where
/// the tag ends. Attributes are read only as far as finding that end takes.
fn tag(bytes: &[u8], name: usize) -> Result<(Element, usize), NotQuick> {
    let name_len = bytes[name..]
        .iter()
        .position(|&b| is_space(b) || b == b'/' || b == b'>')
        .ok_or(NotQuick)?;
    let element = element_named(&bytes[name..name + name_len]);
    let mut at = name + name_len;
    // The tokenizer's "before attribute name" state.
    loop {
        let b = *bytes.get(at).ok_or(NotQuick)?;
        match b {
            b'>' => return Ok((element, at + 1)),
            _ if is_space(b) => at += 1,
            // A `/` not before `>` is dropped.
            b'/' => at += 1,
            b'=' => return Err(NotQuick),
            _ => at = attribute(bytes, at)?,
        }
    }
}

/// The table's row for a tag name as written (HTML lower-cases ASCII letters only, so a
/// name that is not ASCII is in no row either).
fn element_named(name: &[u8]) -> Element {
    let mut lower = [0u8; LONGEST_NAME];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return html::element_of(b"");
    };
    for (to, from) in lower.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    html::element_of(lower)
}

/// An attribute whose name starts at `start`: where what follows it begins.
fn attribute(bytes: &[u8], start: usize) -> Result<usize, NotQuick> {
    let mut at = start;
    while let Some(&b) = bytes.get(at) {
        if is_space(b) || matches!(b, b'/' | b'>' | b'=') {
            break;
        }
        // Quotes and `<` in a name are errors HTML reads past; they are left to it.
        if matches!(b, b'"' | b'\'' | b'<') {
            return Err(NotQuick);
        }
        at += 1;
    }
    at = skip_spaces(bytes, at);
    if bytes.get(at) != Some(&b'=') {
        // No value: what follows is the next attribute or the tag's end.
        return Ok(at);
    }
    at = skip_spaces(bytes, at + 1);
    match *bytes.get(at).ok_or(NotQuick)? {
        quote @ (b'"' | b'\'') => {
            let close = memchr::memchr(quote, &bytes[at + 1..]).ok_or(NotQuick)?;
            Ok(at + 1 + close + 1)
        }
        // `<a href=>`: a value missing, and the tag ends.
        b'>' => Ok(at),
        _ => {
            // Unquoted: up to a space or the tag's end (references in it end at neither).
            let len = bytes[at..]
                .iter()
                .position(|&b| is_space(b) || b == b'>')
                .ok_or(NotQuick)?;
            Ok(at + len)
        }
    }
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|&b| is_space(b)) {
        at += 1;
    }
    at
}

/// A `&` at `amp` in text: the character reference it starts, or itself. Where reading
/// goes on.
fn reference(bytes: &[u8], amp: usize, on: &mut impl FnMut(Piece<'_>)) -> Result<usize, NotQuick> {
    let Some(&first) = bytes.get(amp + 1) else {
        return Err(NotQuick);
    };
    if !(first.is_ascii_alphanumeric() || first == b'#') {
        // Not a reference: the `&` is text.
        on(Piece::Text("&"));
        return Ok(amp + 1);
    }
    // Only references closed by `;` are read here; without one, HTML's rules depend on what
    // follows and on which prefixes are names.
    let name_len = bytes[amp + 1..]
        .iter()
        .take(LONGEST_REFERENCE + 1)
        .position(|&b| b == b';')
        .ok_or(NotQuick)?;
    let name = &bytes[amp + 1..amp + 1 + name_len];
    let end = amp + 1 + name_len + 1;
    let mut buffer = [0u8; 8];
    let text = match name.strip_prefix(b"#") {
        Some(number) => numeric_reference(number)
            .ok_or(NotQuick)?
            .encode_utf8(&mut buffer),
        None => named_reference(name, &mut buffer).ok_or(NotQuick)?,
    };
    on(Piece::Text(text));
    Ok(end)
}

/// The longest reference name (with its `#` or `#x`) read here.
const LONGEST_REFERENCE: usize = 32;

/// `&name;` when the whole of `name;` is an HTML entity: what it stands for. (HTML matches
/// the longest name it can; no name goes on past a `;`, so this one is it.)
fn named_reference<'b>(name: &[u8], buffer: &'b mut [u8; 8]) -> Option<&'b str> {
    if !name.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut key = [0u8; LONGEST_REFERENCE + 1];
    let key = key.get_mut(..name.len() + 1)?;
    key[..name.len()].copy_from_slice(name);
    key[name.len()] = b';';
    let &(first, second) = NAMED_ENTITIES.get(std::str::from_utf8(key).ok()?)?;
    let first = char::from_u32(first).filter(|&c| c != '\0')?;
    let mut len = first.encode_utf8(&mut buffer[..]).len();
    if second != 0 {
        len += char::from_u32(second)?
            .encode_utf8(&mut buffer[len..])
            .len();
    }
    std::str::from_utf8(&buffer[..len]).ok()
}

/// `&#…;` (decimal, or hex after `x`) as HTML reads it: U+FFFD for 0, surrogates and
/// values past Unicode, windows-1252 for 0x80–0x9F. `None` when there are no digits or
/// something else is in the way.
fn numeric_reference(number: &[u8]) -> Option<char> {
    let (digits, radix) = match number {
        [b'x' | b'X', hex @ ..] => (hex, 16),
        decimal => (decimal, 10),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for &digit in digits {
        let digit = char::from(digit).to_digit(radix)?;
        value = value.saturating_mul(radix).saturating_add(digit);
    }
    Some(match value {
        0 | 0xD800..=0xDFFF => char::REPLACEMENT_CHARACTER,
        0x80..=0x9F => C1_REPLACEMENTS
            .get(usize::try_from(value - 0x80).ok()?)
            .copied()
            .flatten()
            .or_else(|| char::from_u32(value))?,
        _ => char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::text::html::{Dialect, Reader, Tag};
    use proptest::prelude::*;

    /// A reader's view of the markup, text joined: what both paths must agree on.
    #[derive(Debug, Default, PartialEq, Eq)]
    struct Trace(Vec<String>);

    impl Trace {
        fn push_text(&mut self, text: &str) {
            match self.0.last_mut() {
                Some(last) if last.starts_with('"') => last.push_str(text),
                _ => self.0.push(format!("\"{text}")),
            }
        }
        fn push_tag(&mut self, end: bool, element: Element) {
            self.0
                .push(format!("{}{element:?}", if end { "/" } else { "" }));
        }
    }

    impl Reader for Trace {
        fn start_tag(&mut self, _tag: &Tag, element: Element) {
            self.push_tag(false, element);
        }
        fn end_tag(&mut self, _tag: &Tag, element: Element) {
            self.push_tag(true, element);
        }
        fn text(&mut self, text: &str) {
            self.push_text(text);
        }
    }

    fn quick(markup: &str) -> Option<Trace> {
        let mut trace = Trace::default();
        read(markup, |piece| match piece {
            Piece::Start(element) => trace.push_tag(false, element),
            Piece::End(element) => trace.push_tag(true, element),
            Piece::Text(text) => trace.push_text(text),
        })
        .ok()?;
        Some(trace)
    }

    fn full(markup: &str) -> Trace {
        html::read(markup, Trace::default(), Dialect::FeedText)
    }

    #[test]
    fn feed_markup_is_read_quickly_and_the_same() {
        for markup in [
            "<p><img src=\"https://e.x/1.jpg\" alt=\"\"/></p><p><strong>A &amp; B</strong></p>",
            "<P CLASS=lead>x<br>y<BR/>z</P >",
            "<a href='/x?a=1&amp;b=2' title=\"q > r\">link</a>",
            "1 < 2, a<=b, x & y; &#233;&#x41;&#150;&#0;&#xD800;&#99999999999; &nbsp;&NotNestedGreaterGreater;",
            "line\r\nnext\rlast\r",
            "<div\nid=x\tdata-y = \"1\"   hidden>t</div>",
            "<p / x>y</>z",
            "<table><tr><td>1</td><td>2</td></tr></table>",
            "<svg/><math>m</math><custom-element>c</custom-element>",
        ] {
            let quick = quick(markup);
            assert_eq!(quick.as_ref(), Some(&full(markup)), "{markup:?}");
        }
    }

    #[test]
    fn what_it_does_not_read_is_left_to_html5ever() {
        for markup in [
            "a<!-- c -->b",
            "a<![CDATA[<b>]]>",
            "<!DOCTYPE html>x",
            "<?php x ?>",
            "a<script>x</script>",
            "<style>p{}</style>",
            "<title>t</title>",
            "&copy2025",
            "&amp",
            "&bogus;",
            "&#;",
            "x\0y",
            "<p class=\"open",
            "<p",
            "a<",
            "a&",
            "</ x>",
            "<a =b>",
            "<a b\"c>",
        ] {
            assert_eq!(quick(markup), None, "{markup:?}");
        }
    }

    /// Markup made of the pieces the quick path reads and the ones that send it back, so
    /// that generated inputs land on both sides of every decision.
    pub(crate) fn markup() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z ]{0,8}",
            Just("\u{627}\u{644}\u{62e}\u{628}\u{631} ".to_owned()),
            Just("\r\n".to_owned()),
            Just("\r".to_owned()),
            Just("\n\t".to_owned()),
            "<[pP]>|</[pP]>|<br/?>|<B>|</b>|<img src=\"x\"/>|<a href=/y>|</a>",
            "<(div|li|td|tr|h1|span|svg|pre|xmp|script|title|custom-el)( [a-z]{1,3}(=\"[^\"]{0,4}\"|='[^']{0,4}'|=[a-z&;]{0,4})?)*/?>",
            "</(div|li|td|span|script|x)( a=b)? ?>",
            "&(amp|lt|gt|quot|nbsp|eacute|copy|not|notin|AMP|bogus|#3[0-9]|#x4[0-9A-F]|#1[0-9]{2}|#0|#x110000);?",
            "& |&#|&x|<|< |</|</>|<!--|-->|<!x>|<\\?|\0|=|\"|'|/|>",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_quick_path_reads_what_html5ever_reads(markup in markup()) {
            if let Some(quick) = quick(&markup) {
                prop_assert_eq!(quick, full(&markup), "{:?}", markup);
            }
        }

        #[test]
        fn arbitrary_text_never_reads_differently(markup in "\\PC{0,64}") {
            if let Some(quick) = quick(&markup) {
                prop_assert_eq!(quick, full(&markup), "{:?}", markup);
            }
        }
    }
}
