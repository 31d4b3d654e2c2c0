//! The lenient event layer under the feed reader: quick-xml's tokens, with the repairs real
//! feeds need made as they stream by.
//!
//! quick-xml does the lexing; what it cannot know is what a feed meant. So here: a `<` that
//! starts no tag is text, a bare `&` is text, HTML's named entities are known (and no
//! others: a DOCTYPE's declarations are never expanded, external ones never fetched), an end
//! tag closes every element opened after its own start tag (and a stray one closes nothing),
//! prefixes resolve to namespaces with the usual prefixes standing in for undeclared ones,
//! `xml:base` and `xml:lang` are tracked, nesting deeper than [`MAX_DEPTH`] is flattened, and
//! a document cut off anywhere simply ends. quick-xml stops at its first syntax error; the
//! lexer restarts it past the offending byte, scanning so that no byte is read more than a
//! bounded number of times.
//!
//! The lexer keeps nothing that points into the text (open elements' names and namespace
//! bindings are its own), so a [`Document`] it owns can give back what has been read; a
//! [`Cursor`], quick-xml over the text from some offset on, lives between two give-backs.

use super::names::{self, Ns};
use quick_xml::Reader;
use quick_xml::errors::{Error, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use url::Url;

/// Elements nested deeper are read as if their tags were not there; real feeds need a
/// dozen levels, and the cap bounds the work of closing back on hostile input.
pub const MAX_DEPTH: usize = 256;

/// How many unclosed attribute quotes are stepped over before the rest counts as cut off:
/// each costs a scan to the end of the document.
const MAX_QUOTE_RECOVERIES: usize = 16;

/// One start tag, with what the reader needs to know about it.
pub struct Element<'a> {
    pub ns: Ns,
    /// The name without its prefix, as written (compare it ignoring ASCII case).
    pub local: &'a str,
    /// Nesting level: 1 for the root.
    pub depth: usize,
    /// Byte offset in the document just past the start tag, where the content begins.
    pub content_start: usize,
    tag: BytesStart<'a>,
}

impl<'a> Element<'a> {
    pub fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local.eq_ignore_ascii_case(local)
    }

    pub fn has_attributes(&self) -> bool {
        self.tag.attributes_raw().contains('=')
    }

    /// The value of the attribute whose name (prefix ignored) is `name`, ASCII case
    /// ignored, with its references resolved.
    pub fn attr(&self, name: &str) -> Option<String> {
        self.tag
            .html_attributes()
            .with_checks(false)
            .filter_map(Result::ok)
            .find(|a| {
                let key = a.key.into_inner();
                let local = split_qname(key).1;
                local.eq_ignore_ascii_case(name)
            })
            .map(|a| decode_text(&a.value).into_owned())
    }
}

/// What the lexer hands on.
pub enum Token<'a> {
    Open(Element<'a>),
    /// The element opened at `depth` ended; its content ends at byte offset `at` (where its
    /// end tag, or the end tag that closed it, begins).
    Close {
        depth: usize,
        at: usize,
    },
    /// Character data with references resolved.
    Text(Cow<'a, str>),
    /// The inside of a CDATA section.
    CData(Cow<'a, str>),
    /// The end of the document.
    Eof,
}

struct Frame {
    /// The element's qualified name, in [`Lexer::names`].
    name: std::ops::Range<usize>,
    /// Lengths of the scope stacks before this element's own declarations.
    bindings: usize,
    bases: usize,
    langs: usize,
}

/// Repairs the lexer made, for the feed's notes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Repairs {
    /// `<` characters read as text.
    pub stray_lt: usize,
    /// Elements closed by an ancestor's end tag instead of their own.
    pub closed_implicitly: usize,
    /// Start tags past [`MAX_DEPTH`], read as if absent.
    pub flattened: usize,
    /// The document ended inside an element or a tag.
    pub cut_off: bool,
}

/// The document being read. Offsets are counted from its start even after the reader gave
/// back (when it owns the text) the part it has read: a big feed is then not held whole
/// next to the headlines it becomes.
pub struct Document<'a> {
    text: Cow<'a, str>,
    /// Bytes given back from the front.
    dropped: usize,
}

/// Text the reader has read is given back once it is at least this much and an eighth of
/// what is held: the document then never holds much more than an eighth of itself beyond
/// what is left to read, and each byte is moved at most a few times over.
const GIVE_BACK_MIN: usize = 256 * 1024;

impl<'a> Document<'a> {
    pub fn new(text: Cow<'a, str>) -> Self {
        Document { text, dropped: 0 }
    }

    /// All the text still held.
    pub fn held(&self) -> &str {
        &self.text
    }

    /// The text between two offsets ("" when either is out of what is held).
    pub fn slice(&self, from: usize, to: usize) -> &str {
        let from = from.saturating_sub(self.dropped);
        let to = to.saturating_sub(self.dropped);
        self.text.get(from..to).unwrap_or_default()
    }

    fn rest(&self, from: usize) -> &str {
        self.text
            .get(from.saturating_sub(self.dropped)..)
            .unwrap_or_default()
    }

    fn end(&self) -> usize {
        self.dropped.saturating_add(self.text.len())
    }

    /// Whether giving back what lies before `upto` is worth a move of the rest.
    pub fn worth_giving_back(&self, upto: usize) -> bool {
        let Cow::Owned(text) = &self.text else {
            return false;
        };
        let read = upto.saturating_sub(self.dropped);
        read >= GIVE_BACK_MIN && read >= text.len() / 8
    }

    /// Forgets the text before `upto` (when it is owned), giving its memory back.
    pub fn give_back(&mut self, upto: usize) {
        let cut = upto.saturating_sub(self.dropped);
        if cut == 0 {
            return;
        }
        if let Cow::Owned(text) = &mut self.text
            && text.is_char_boundary(cut)
        {
            text.drain(..cut);
            text.shrink_to_fit();
            self.dropped += cut;
        }
    }
}

/// Where the lexer reads: quick-xml over the document from some offset on. It borrows the
/// document, so it lives between two give-backs.
pub struct Cursor<'s> {
    document: &'s Document<'s>,
    reader: Reader<&'s [u8]>,
    /// Where `reader`'s input starts in the document.
    offset: usize,
    /// quick-xml is between markup and text, where it reads on from whatever its input
    /// starts with: its last event was markup or a reference.
    between: bool,
}

impl<'s> Cursor<'s> {
    pub fn new(document: &'s Document<'s>, at: usize) -> Self {
        Cursor {
            document,
            reader: reader_at(document.rest(at)),
            offset: at,
            between: false,
        }
    }

    /// Where the next event starts.
    pub fn position(&self) -> usize {
        self.offset.saturating_add(buffer_position(&self.reader))
    }

    fn restart(&mut self, at: usize) {
        self.offset = at.min(self.document.end());
        self.reader = reader_at(self.document.rest(self.offset));
        self.between = false;
    }

    /// Moves quick-xml's input on to `at` (ahead of the position), when it is between
    /// markup and text and so reads on from there as if it had read what lies before;
    /// false when it is not.
    fn skip_to(&mut self, at: usize) -> bool {
        let Some(skip) = at.checked_sub(self.position()) else {
            return false;
        };
        if !self.between {
            return false;
        }
        let input = self.reader.get_mut();
        let Some(rest) = input.get(skip..) else {
            return false;
        };
        *input = rest;
        // quick-xml counts its position in what it was given; the skipped part is ours.
        self.offset += skip;
        true
    }
}

pub struct Lexer {
    stack: Vec<Frame>,
    /// The qualified names of the open elements, back to back.
    names: String,
    /// Namespace prefixes in scope (the empty one is the default namespace).
    bindings: Vec<(String, Ns)>,
    bases: Vec<Url>,
    langs: Vec<String>,
    document_url: Option<Url>,
    /// Elements still to be closed (from the top of the stack), and where their content ends.
    closing: usize,
    closing_at: usize,
    /// The top frame belongs to an element already reported closed.
    pop_pending: bool,
    quote_recoveries: usize,
    finished: bool,
    pub repairs: Repairs,
}

impl Lexer {
    pub fn new(document_url: Option<&Url>) -> Self {
        Lexer {
            stack: Vec::with_capacity(16),
            names: String::new(),
            bindings: Vec::new(),
            bases: Vec::new(),
            langs: Vec::new(),
            document_url: document_url.cloned(),
            closing: 0,
            closing_at: 0,
            pop_pending: false,
            quote_recoveries: 0,
            finished: false,
            repairs: Repairs::default(),
        }
    }

    /// The `xml:base` in scope, if any element declared one.
    pub fn base(&self) -> Option<&Url> {
        self.bases.last()
    }

    /// The `xml:lang` in scope, if any.
    pub fn lang(&self) -> Option<&str> {
        self.langs.last().map(String::as_str)
    }

    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    pub fn next_token<'s>(&mut self, cursor: &mut Cursor<'s>) -> Token<'s> {
        if self.pop_pending {
            self.pop_pending = false;
            self.pop();
        }
        if self.closing > 0 {
            self.closing -= 1;
            self.pop_pending = true;
            return Token::Close {
                depth: self.stack.len(),
                at: self.closing_at,
            };
        }
        loop {
            if self.finished {
                return Token::Eof;
            }
            let at = cursor.position();
            let event = cursor.reader.read_event();
            // After markup or a reference, quick-xml reads on from wherever its input starts;
            // after text it may be in the middle of reading something.
            cursor.between = matches!(
                event,
                Ok(Event::Start(_)
                    | Event::Empty(_)
                    | Event::End(_)
                    | Event::GeneralRef(_)
                    | Event::CData(_)
                    | Event::Comment(_)
                    | Event::Decl(_)
                    | Event::PI(_)
                    | Event::DocType(_))
            );
            match event {
                Ok(Event::Start(tag)) => {
                    if let Some(token) = self.start(cursor, tag, at, false) {
                        return token;
                    }
                }
                Ok(Event::Empty(tag)) => {
                    if let Some(token) = self.start(cursor, tag, at, true) {
                        return token;
                    }
                }
                Ok(Event::End(tag)) => {
                    let at = lt_at(cursor.document, at);
                    let name = trim_name(tag.name().into_inner());
                    if self.end(name, at) {
                        return self.next_token(cursor);
                    }
                }
                Ok(Event::Text(text)) => return Token::Text(text.into_inner()),
                Ok(Event::GeneralRef(reference)) => {
                    let name = reference.into_inner();
                    let name = name.as_ref();
                    return Token::Text(
                        resolve_reference(name).unwrap_or_else(|| Cow::Owned(format!("&{name};"))),
                    );
                }
                Ok(Event::CData(data)) => return Token::CData(data.into_inner()),
                Ok(Event::Eof) => {
                    self.finish();
                    return self.next_token(cursor);
                }
                Ok(Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_)) => {}
                Err(error) => {
                    let at = cursor.offset.saturating_add(
                        usize::try_from(cursor.reader.error_position()).unwrap_or(0),
                    );
                    if let Some(token) = self.recover(cursor, &error, at) {
                        return token;
                    }
                }
            }
        }
    }

    /// [`Lexer::next_token`] for a reader taking in an element's text: text up to the next
    /// `<`, or a CDATA section, is read here in one piece instead of as quick-xml's events
    /// (one per reference, each validated again as UTF-8), to the same effect.
    pub fn next_text_token<'s>(&mut self, cursor: &mut Cursor<'s>) -> Token<'s> {
        if !self.pop_pending
            && self.closing == 0
            && !self.finished
            && let Some(token) = text_run(cursor)
        {
            return token;
        }
        self.next_token(cursor)
    }

    /// A start tag: a token for it, or `None` when it was read as text or flattened.
    fn start<'s>(
        &mut self,
        cursor: &mut Cursor<'s>,
        tag: BytesStart<'s>,
        at: usize,
        empty: bool,
    ) -> Option<Token<'s>> {
        let document = cursor.document;
        let at = lt_at(document, at);
        let name_len = tag.name().as_ref().len();
        let qname = document.slice(at + 1, at + 1 + name_len);
        if !is_name_start(qname) {
            return Some(self.stray_lt(cursor, at));
        }
        let content_start = cursor.position();
        if self.stack.len() >= MAX_DEPTH {
            self.repairs.flattened += 1;
            return None;
        }
        let name_start = self.names.len();
        self.names.push_str(qname);
        let frame = Frame {
            name: name_start..self.names.len(),
            bindings: self.bindings.len(),
            bases: self.bases.len(),
            langs: self.langs.len(),
        };
        self.stack.push(frame);
        if tag.attributes_raw().contains('=') {
            self.declare(&tag);
        }
        let (prefix, local) = split_qname(qname);
        let ns = self.resolve(prefix);
        if empty {
            self.closing = 1;
            self.closing_at = content_start;
        }
        Some(Token::Open(Element {
            ns,
            local,
            depth: self.stack.len(),
            content_start,
            tag,
        }))
    }

    /// Takes in the namespace declarations, `xml:base` and `xml:lang` of a start tag.
    fn declare(&mut self, tag: &BytesStart<'_>) {
        for attribute in tag
            .html_attributes()
            .with_checks(false)
            .filter_map(Result::ok)
        {
            let key = attribute.key.into_inner();
            let value = attribute.value.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                let prefix = key.strip_prefix("xmlns:").unwrap_or_default();
                if key.len() == 5 || !prefix.is_empty() {
                    let uri = decode_text(value);
                    self.bindings
                        .push((prefix.to_owned(), names::classify(&uri)));
                }
            } else if key.eq_ignore_ascii_case("xml:base") {
                let value = decode_text(value);
                let parent = self.bases.last().or(self.document_url.as_ref());
                let base = match Url::parse(value.trim()) {
                    Ok(url) => Some(url),
                    Err(url::ParseError::RelativeUrlWithoutBase) => {
                        parent.and_then(|p| p.join(value.trim()).ok())
                    }
                    Err(_) => None,
                };
                if let Some(base) = base {
                    self.bases.push(base);
                }
            } else if key.eq_ignore_ascii_case("xml:lang") {
                let value = decode_text(value);
                self.langs.push(value.trim().to_owned());
            }
        }
    }

    fn resolve(&self, prefix: &str) -> Ns {
        if prefix.eq_ignore_ascii_case("xml") {
            return Ns::Xml;
        }
        match self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, ns)) => *ns,
            None if prefix.is_empty() => Ns::Rss,
            None => names::well_known(prefix),
        }
    }

    fn qname(&self, frame: &Frame) -> &str {
        self.names.get(frame.name.clone()).unwrap_or_default()
    }

    /// An end tag: closes back to the element it names; false when it names none open.
    fn end(&mut self, name: &str, at: usize) -> bool {
        let found = self
            .stack
            .iter()
            .rposition(|f| self.qname(f) == name)
            .or_else(|| {
                self.stack
                    .iter()
                    .rposition(|f| self.qname(f).eq_ignore_ascii_case(name))
            });
        let Some(index) = found else {
            return false;
        };
        let count = self.stack.len() - index;
        self.repairs.closed_implicitly += count - 1;
        self.closing = count;
        self.closing_at = at;
        true
    }

    fn finish(&mut self) {
        self.finished = true;
        if !self.stack.is_empty() {
            self.repairs.cut_off = true;
        }
    }

    fn pop(&mut self) {
        if let Some(frame) = self.stack.pop() {
            self.names.truncate(frame.name.start);
            self.bindings.truncate(frame.bindings);
            self.bases.truncate(frame.bases);
            self.langs.truncate(frame.langs);
        }
    }

    /// A `<` at `at` that starts no tag: text up to the next `<` that could start one.
    fn stray_lt<'s>(&mut self, cursor: &mut Cursor<'s>, at: usize) -> Token<'s> {
        self.repairs.stray_lt += 1;
        let document = cursor.document;
        let resume = next_markup(document, at + 1);
        cursor.restart(resume);
        Token::Text(Cow::Borrowed(document.slice(at, resume)))
    }

    /// After quick-xml's syntax error at `at`.
    fn recover<'s>(
        &mut self,
        cursor: &mut Cursor<'s>,
        error: &Error,
        at: usize,
    ) -> Option<Token<'s>> {
        let document = cursor.document;
        match error {
            // No `>` follows anywhere: nothing after can be markup.
            Error::Syntax(SyntaxError::UnclosedTag) => {
                self.repairs.stray_lt += 1;
                self.finish();
                self.repairs.cut_off = true;
                Some(Token::Text(Cow::Borrowed(
                    document.slice(at, document.end()),
                )))
            }
            Error::Syntax(
                SyntaxError::UnclosedDoubleQuotedAttributeValue
                | SyntaxError::UnclosedSingleQuotedAttributeValue,
            ) if self.quote_recoveries < MAX_QUOTE_RECOVERIES => {
                self.quote_recoveries += 1;
                Some(self.stray_lt(cursor, at))
            }
            Error::Syntax(SyntaxError::InvalidBangMarkup) if at < document.end() => {
                Some(self.stray_lt(cursor, at))
            }
            // A comment, CDATA section, DOCTYPE or processing instruction that never ends,
            // or anything else: the document ends there.
            _ => {
                self.finish();
                self.repairs.cut_off = true;
                None
            }
        }
    }
}

/// The text or CDATA section at the cursor, read as quick-xml and [`Lexer::next_token`]
/// would read it, and the cursor past it; `None` at markup, or when the text runs to the end
/// of the document or the section never ends (left to quick-xml's ways with those).
fn text_run<'s>(cursor: &mut Cursor<'s>) -> Option<Token<'s>> {
    if !cursor.between {
        return None;
    }
    let at = cursor.position();
    let document = cursor.document;
    let rest = document.rest(at);
    let bytes = rest.as_bytes();
    if let Some(section) = bytes.strip_prefix(b"<![CDATA[") {
        // quick-xml ends a section at its first `]]>`, as XML does.
        let len = memchr::memmem::find(section, b"]]>")?;
        let data = rest.get(CDATA_OPEN..CDATA_OPEN + len)?;
        return cursor
            .skip_to(at + CDATA_OPEN + len + 3)
            .then_some(Token::CData(Cow::Borrowed(data)));
    }
    let lt = memchr::memchr(b'<', bytes).filter(|&lt| lt > 0)?;
    let text = rest.get(..lt)?;
    cursor
        .skip_to(at + lt)
        .then(|| Token::Text(resolve_text(text)))
}

const CDATA_OPEN: usize = "<![CDATA[".len();

/// Character data (no `<` in it) with its references resolved as the lexer resolves
/// quick-xml's: `&name;` is a reference up to the first `;` unless a `&` comes first; one
/// that [`resolve_reference`] does not know, and a `&` that starts none, stay as written.
fn resolve_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = memchr::memchr(b'&', bytes) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut amp = first;
    loop {
        out.push_str(text.get(copied..amp).unwrap_or_default());
        let after = amp + 1;
        let tail = bytes.get(after..).unwrap_or_default();
        // Escaped markup is mostly these; each reads as the search below would read it.
        let common = match tail {
            [b'l', b't', b';', ..] => Some(("<", 3)),
            [b'g', b't', b';', ..] => Some((">", 3)),
            [b'a', b'm', b'p', b';', ..] => Some(("&", 4)),
            [b'q', b'u', b'o', b't', b';', ..] => Some(("\"", 5)),
            _ => None,
        };
        copied = match common {
            Some((resolved, len)) => {
                out.push_str(resolved);
                after + len
            }
            None => match memchr::memchr2(b';', b'&', tail) {
                Some(end) if tail.get(end) == Some(&b';') => {
                    let name = text.get(after..after + end).unwrap_or_default();
                    match resolve_reference(name) {
                        Some(resolved) => out.push_str(&resolved),
                        None => {
                            out.push('&');
                            out.push_str(name);
                            out.push(';');
                        }
                    }
                    after + end + 1
                }
                // A `&` that starts no reference is text, up to the next `&`.
                _ => amp,
            },
        };
        let search_from = if copied == amp { after } else { copied };
        match bytes
            .get(search_from..)
            .and_then(|rest| memchr::memchr(b'&', rest))
        {
            Some(next) => amp = search_from + next,
            None => break,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

fn reader_at(text: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.check_comments = false;
    config.expand_empty_elements = false;
    config.trim_text(false);
    reader
}

fn buffer_position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// The first `<` at or after `from` that may start markup (a name, `/`, `!` or `?`), else
/// the end of the text.
fn next_markup(document: &Document<'_>, from: usize) -> usize {
    let bytes = document.rest(from).as_bytes();
    let mut at = 0;
    while let Some(rel) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'<'))
    {
        at += rel;
        match bytes.get(at + 1) {
            Some(b'/' | b'!' | b'?') => return from + at,
            Some(&b) if is_name_start_byte(b) => return from + at,
            _ => at += 1,
        }
    }
    document.end()
}

/// Where the `<` of the markup read from `at` is (past a byte-order mark quick-xml skipped).
fn lt_at(document: &Document<'_>, at: usize) -> usize {
    let bytes = document.rest(at).as_bytes();
    if bytes.first() == Some(&b'<') {
        return at;
    }
    bytes.iter().position(|&b| b == b'<').map_or(at, |p| at + p)
}

/// An end tag's name without the whitespace around it; most have none, which one look at
/// each end tells.
fn trim_name(name: &str) -> &str {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => name,
        _ => name.trim(),
    }
}

fn is_name_start(qname: &str) -> bool {
    qname.bytes().next().is_some_and(is_name_start_byte)
        && !qname.bytes().any(|b| matches!(b, b'<' | b'&' | b'='))
}

fn is_name_start_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn split_qname(qname: &str) -> (&str, &str) {
    // Names are short: a byte loop beats a searcher's setup.
    match qname.bytes().rposition(|b| b == b':') {
        Some(at) => (
            qname.get(..at).unwrap_or_default(),
            qname.get(at + 1..).unwrap_or_default(),
        ),
        None => ("", qname),
    }
}

/// The character a reference (`amp`, `#233`, `#xE9`, `eacute`) stands for: XML's five,
/// numeric ones (with HTML's windows-1252 reading of 128–159), and HTML's named entities.
pub fn resolve_reference(name: &str) -> Option<Cow<'static, str>> {
    match name {
        "amp" => return Some(Cow::Borrowed("&")),
        "lt" => return Some(Cow::Borrowed("<")),
        "gt" => return Some(Cow::Borrowed(">")),
        "quot" => return Some(Cow::Borrowed("\"")),
        "apos" => return Some(Cow::Borrowed("'")),
        _ => {}
    }
    if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.len() <= 8 => u32::from_str_radix(hex, 16).ok()?,
            None if !number.is_empty() && number.len() <= 10 => number.parse().ok()?,
            _ => return None,
        };
        return Some(Cow::Owned(numeric_reference(value).to_string()));
    }
    if name.is_empty() || name.len() > 40 {
        return None;
    }
    let key = format!("{name};");
    match html5ever::data::NAMED_ENTITIES.get(key.as_str()) {
        Some(&(first, second)) if first != 0 => {
            let mut out = String::new();
            out.extend(char::from_u32(first));
            if second != 0 {
                out.extend(char::from_u32(second));
            }
            Some(Cow::Owned(out))
        }
        _ => None,
    }
}

/// What a numeric reference means in XML: the code point itself, with 0, surrogates and
/// values past Unicode as U+FFFD. (A C1 control stays a control, for the sanitizer to
/// remove with the sequence it starts; HTML's windows-1252 reading of 128–159 applies to
/// HTML text, later.)
fn numeric_reference(value: u32) -> char {
    match char::from_u32(value) {
        Some('\0') | None => char::REPLACEMENT_CHARACTER,
        Some(c) => c,
    }
}

/// Attribute or text source with its references resolved, leniently: a `&` that starts
/// no known reference stays as it is.
pub fn decode_text(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp + 1..).unwrap_or_default();
        let end = after
            .char_indices()
            .take(42)
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#'))
            .filter(|&(_, c)| c == ';');
        match end.and_then(|(end, _)| {
            let name = after.get(..end)?;
            Some((resolve_reference(name)?, end))
        }) {
            Some((text, end)) => {
                out.push_str(&text);
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as a readable trace: `<name`, `>` for a close, text in quotes.
    fn trace(xml: &str) -> String {
        let document = Document::new(Cow::Borrowed(xml));
        let mut cursor = Cursor::new(&document, 0);
        let mut lexer = Lexer::new(None);
        let mut out = Vec::new();
        for _ in 0..10_000 {
            match lexer.next_token(&mut cursor) {
                Token::Open(e) => out.push(format!("<{:?}:{}@{}", e.ns, e.local, e.depth)),
                Token::Close { depth, .. } => out.push(format!(">{depth}")),
                Token::Text(t) => out.push(format!("{t:?}")),
                Token::CData(t) => out.push(format!("cdata{t:?}")),
                Token::Eof => break,
            }
        }
        out.join(" ")
    }

    /// The document's tokens with text joined, read with the text path when `text_path`.
    fn joined(xml: &str, text_path: bool) -> Vec<String> {
        let document = Document::new(Cow::Borrowed(xml));
        let mut cursor = Cursor::new(&document, 0);
        let mut lexer = Lexer::new(None);
        let mut out: Vec<String> = Vec::new();
        for _ in 0..10_000 {
            let token = if text_path {
                lexer.next_text_token(&mut cursor)
            } else {
                lexer.next_token(&mut cursor)
            };
            let text = match token {
                Token::Open(e) => {
                    out.push(format!(
                        "<{:?}:{}@{}+{}",
                        e.ns, e.local, e.depth, e.content_start
                    ));
                    continue;
                }
                Token::Close { depth, at } => {
                    out.push(format!(">{depth}@{at}"));
                    continue;
                }
                Token::Text(t) | Token::CData(t) => t,
                Token::Eof => break,
            };
            match out.last_mut() {
                Some(last) if last.starts_with('"') => last.push_str(&text),
                _ => out.push(format!("\"{text}")),
            }
        }
        out.push(format!("{:?}", lexer.repairs));
        out
    }

    #[test]
    fn the_text_path_reads_as_quick_xml_does() {
        for xml in [
            "<r><t>A &amp; B &bogus; &#233;&x & y &amp &; &&amp;; z</t></r>",
            "<r><t><![CDATA[<b>x</b>]]> and <![CDATA[]]><![CDATA[]]]]></t></r>",
            "<r><t>1 < 2 &lt;3</t><u>x</u>tail",
            "<r><t><![CDATA[never closed",
            "<r><t>&amp",
        ] {
            assert_eq!(joined(xml, true), joined(xml, false), "{xml:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_text_path_reads_any_document_as_quick_xml_does(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z \u{627}]{0,6}",
                    "&(amp|lt|gt|quot|apos|eacute|nbsp|bogus|#[0-9]{1,3}|#x[0-9a-fA-F]{1,3}|#|)[;&]?",
                    "<[a-c]>|</[a-c]>|<[a-c]/>|<|< |<!--x-->|<![CDATA[|]]>|]]|<!x>|<\\?p\\?>|\u{feff}",
                ],
                0..24,
            )
        ) {
            let xml = format!("<r>{}", pieces.concat());
            proptest::prop_assert_eq!(joined(&xml, true), joined(&xml, false), "{:?}", xml);
        }
    }

    #[test]
    fn well_formed_documents_stream_as_written() {
        assert_eq!(
            trace("<rss><channel><title>A &amp; B</title><x/></channel></rss>"),
            "<Rss:rss@1 <Rss:channel@2 <Rss:title@3 \"A \" \"&\" \" B\" >3 <Rss:x@3 >3 >2 >1"
        );
    }

    #[test]
    fn a_lt_that_starts_no_tag_is_text() {
        assert_eq!(
            trace("<t>1 < 2 <3 a<=b</t>"),
            "<Rss:t@1 \"1 \" \"< 2 <3 a<=b\" >1"
        );
        assert_eq!(trace("<t>x <"), "<Rss:t@1 \"x \" \"<\"");
    }

    #[test]
    fn end_tags_close_back_to_their_element() {
        assert_eq!(
            trace("<a><b><c>t</a><d/>"),
            "<Rss:a@1 <Rss:b@2 <Rss:c@3 \"t\" >3 >2 >1 <Rss:d@1 >1"
        );
        // A stray end tag closes nothing.
        assert_eq!(trace("<a>x</b>y</a>"), "<Rss:a@1 \"x\" \"y\" >1");
        assert_eq!(trace("<A>x</a>"), "<Rss:A@1 \"x\" >1");
    }

    #[test]
    fn namespaces_resolve_by_uri_then_by_usual_prefix() {
        assert_eq!(
            trace(
                "<r xmlns:x=\"http://purl.org/dc/elements/1.1/\" xmlns=\"http://www.w3.org/2005/Atom\">\
                 <x:title/><dc:date/><itunes:title/><title/><zz:q/></r>"
            ),
            "<Atom10:r@1 <Dc:title@2 >2 <Dc:date@2 >2 <Itunes:title@2 >2 <Atom10:title@2 >2 \
             <Other:q@2 >2 >1"
        );
        // A declaration holds only inside its element.
        assert_eq!(
            trace("<r><a xmlns:dc=\"urn:x\"><dc:t/></a><dc:t/></r>"),
            "<Rss:r@1 <Rss:a@2 <Other:t@3 >3 >2 <Dc:t@2 >2 >1"
        );
    }

    #[test]
    fn references_resolve_leniently() {
        assert_eq!(
            trace("<t>&eacute;&#233;&#xE9;&#150;&bogus;&#0;& x</t>"),
            "<Rss:t@1 \"é\" \"é\" \"é\" \"\\u{96}\" \"&bogus;\" \"\u{FFFD}\" \"& x\" >1"
        );
        assert_eq!(decode_text("a&amp;b&c&nbsp;&zz;"), "a&b&c\u{a0}&zz;");
    }

    #[test]
    fn doctype_entities_are_not_expanded() {
        assert_eq!(
            trace(
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\"><!ENTITY y \"z\">]><r>&x;&y;</r>"
            ),
            "<Rss:r@1 \"&x;\" \"&y;\" >1"
        );
    }

    #[test]
    fn broken_markup_recovers() {
        assert_eq!(trace("<a><!x>b</a>"), "<Rss:a@1 \"<!x>b\" >1");
        assert_eq!(
            trace("<a><b c=\"x>t</b></a>"),
            "<Rss:a@1 \"<b c=\\\"x>t\" >1"
        );
        assert_eq!(trace("<a>t<!-- never"), "<Rss:a@1 \"t\"");
        assert_eq!(trace("<a><![CDATA[x<y]]></a>"), "<Rss:a@1 cdata\"x<y\" >1");
    }

    #[test]
    fn xml_base_and_lang_are_scoped() {
        let doc =
            "<r xml:base=\"http://e.x/a/\" xml:lang=\"ar\"><s xml:base=\"b/\"><t/></s><u/></r>";
        let document = Document::new(Cow::Borrowed(doc));
        let mut cursor = Cursor::new(&document, 0);
        let mut lexer = Lexer::new(None);
        let mut seen = Vec::new();
        loop {
            match lexer.next_token(&mut cursor) {
                Token::Open(e) => seen.push(format!(
                    "{}:{}:{}",
                    e.local,
                    lexer.base().map(Url::as_str).unwrap_or("-"),
                    lexer.lang().unwrap_or("-")
                )),
                Token::Eof => break,
                _ => {}
            }
        }
        assert_eq!(
            seen,
            [
                "r:http://e.x/a/:ar",
                "s:http://e.x/a/b/:ar",
                "t:http://e.x/a/b/:ar",
                "u:http://e.x/a/:ar"
            ]
        );
    }

    #[test]
    fn depth_is_capped_and_cut_offs_are_noted() {
        let doc = format!("<r>{}x", "<d>".repeat(1000));
        let document = Document::new(Cow::Borrowed(&doc));
        let mut cursor = Cursor::new(&document, 0);
        let mut lexer = Lexer::new(None);
        let mut opens = 0;
        loop {
            match lexer.next_token(&mut cursor) {
                Token::Open(_) => opens += 1,
                Token::Eof => break,
                _ => {}
            }
        }
        assert_eq!(opens, MAX_DEPTH);
        assert_eq!(lexer.repairs.flattened, 1001 - MAX_DEPTH);
        assert!(lexer.repairs.cut_off);
    }

    #[test]
    fn attributes_are_read_leniently() {
        let doc = "<link href=\"/a?x=1&amp;y=2&z\" REL=alternate hidden/>";
        let document = Document::new(Cow::Borrowed(doc));
        let mut cursor = Cursor::new(&document, 0);
        let mut lexer = Lexer::new(None);
        let Token::Open(e) = lexer.next_token(&mut cursor) else {
            panic!("no open");
        };
        assert_eq!(e.attr("href").as_deref(), Some("/a?x=1&y=2&z"));
        assert_eq!(e.attr("rel").as_deref(), Some("alternate"));
        assert_eq!(e.attr("type"), None);
    }

    #[test]
    fn pathological_inputs_are_linear() {
        for doc in [
            "<".repeat(200_000),
            "< ".repeat(100_000) + ">",
            "<a b=\"".repeat(50_000),
            "<!".repeat(100_000),
            "</".repeat(100_000),
            "&".repeat(200_000),
        ] {
            let start = std::time::Instant::now();
            let document = Document::new(Cow::Borrowed(&doc));
            let mut cursor = Cursor::new(&document, 0);
            let mut lexer = Lexer::new(None);
            let mut tokens = 0usize;
            while !matches!(lexer.next_token(&mut cursor), Token::Eof) {
                tokens += 1;
                assert!(tokens < 1_000_000);
            }
            // A hang guard, not a benchmark.
            assert!(start.elapsed().as_secs() < 20);
        }
    }
}
