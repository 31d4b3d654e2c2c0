//! Mends the XML that real feeds get wrong, so a strict parser can read it.
//!
//! One forward pass over the decoded text, a small tag tokenizer rather than a parser: feed-rs
//! (quick-xml underneath) rejects a whole feed for one bare `&` or one unclosed `<br>`, so we
//! rewrite the text into well-formed XML and let it read that. Every construct is scanned a
//! bounded number of times, so the pass stays linear on large and hostile input. What was
//! mended is counted and reported as one line per kind.
//!
//! Mended: bare `&`; HTML named entities (to character references); character references to
//! characters XML forbids, and the characters themselves; stray `<`; doctypes, comments and
//! processing instructions (dropped); malformed attributes; raw HTML inside text elements
//! (wrapped as CDATA); unclosed and stray tags (balanced); an RSS 2.0 default namespace, an
//! odd RSS version, the RSS 0.90 and Atom 0.3 namespaces; a feed cut off mid-item (cut back
//! to the last complete item, open elements closed).
//!
//! Also, for feed-rs's sake rather than the feed's: escaped text elements become one CDATA
//! section each (quick-xml makes an event of every entity), indentation between structural
//! elements is dropped, and elements akhbar never reads on which feed-rs can panic (authors,
//! iTunes, Media RSS) are left out.

use crate::text::sanitize::control_stand_in;
use std::fmt::Write as _;
use url::Url;

/// The mended text and a one-line description of each kind of repair that fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    pub text: String,
    pub repairs: Vec<String>,
}

/// Rewrites `input` (already decoded, declaration removed) into XML that feed-rs can read.
pub fn repair(input: &str) -> Repaired {
    let mut repairer = Repairer::new(input);
    repairer.run();
    repairer.finish();
    Repaired {
        repairs: repairer.counts.describe(),
        text: repairer.out,
    }
}

const fn text_special_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = !matches!(i, 0x09 | 0x0A | 0x0D);
        i += 1;
    }
    table[b'<' as usize] = true;
    table[b'&' as usize] = true;
    // First byte of U+FFFE/U+FFFF, which XML forbids; checked further on a hit.
    table[0xEF] = true;
    table
}

/// Bytes at which plain text needs a closer look.
static TEXT_SPECIAL: [bool; 256] = text_special_table();

const fn cdata_special_table(decode: bool) -> [bool; 256] {
    let mut table = text_special_table();
    table[b'<' as usize] = false;
    table[b'&' as usize] = decode;
    table[b'>' as usize] = true;
    table
}

/// Bytes at which text copied into a CDATA section needs a closer look (`>` for `]]>`).
static CDATA_SPECIAL: [bool; 256] = cdata_special_table(false);
/// The same when entities are decoded on the way.
static CDATA_DECODE_SPECIAL: [bool; 256] = cdata_special_table(true);

fn is_text_special(b: u8) -> bool {
    TEXT_SPECIAL[usize::from(b)]
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name_byte(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || b == b'-' || b == b'.'
}

fn byte_at(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

/// Whether text holds a character XML forbids (C0 controls, U+FFFE/U+FFFF lead byte).
///
/// No early exit, so the loop vectorises; the rare hit is mended byte by byte.
fn needs_mending(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &b| {
        found | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF)
    })
}

/// The first `needle` at or after `from`.
fn find_seq(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut at = from;
    loop {
        let rel = hay.get(at..)?.iter().position(|&b| b == first)?;
        let pos = at + rel;
        if hay.get(pos + 1..pos + needle.len()) == Some(tail) {
            return Some(pos);
        }
        at = pos + 1;
    }
}

fn find_byte(hay: &[u8], from: usize, needle: u8) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|p| p + from)
}

fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(p) => name.get(p + 1..).unwrap_or_default(),
        None => name,
    }
}

/// The characters an HTML named entity stands for (`nbsp` → U+00A0).
fn html_entity(name: &[u8]) -> Option<&'static str> {
    html_escape::NAMED_ENTITIES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .and_then(|i| html_escape::NAMED_ENTITIES.get(i))
        .map(|(_, value)| *value)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Unknown,
    Rss,
    Rdf,
    Atom,
    Other,
}

#[derive(Debug, Clone, Copy)]
enum Piece {
    /// A range of the input, raw (attribute values still need escaping).
    Src(usize, usize),
    /// A literal that is already clean.
    Lit(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Attr {
    name: Piece,
    value: Piece,
    drop: bool,
}

enum Step {
    At(usize),
    Eof,
}

enum Entity {
    /// Well-formed as it is (standing for the character given); continue after it.
    Keep(usize, char),
    /// A bare `&` (or an entity nobody knows): escape it.
    BareAmp,
    /// A character reference XML forbids (`&#0;`, a surrogate): drop it.
    Drop(usize),
    /// A character reference to write again in the form quick-xml reads (`&#X41;`).
    Char(usize, char),
    /// An HTML named entity: write its characters as numeric references.
    Html(usize, &'static str),
}

enum TagParse {
    Ok {
        end: usize,
        self_closing: bool,
        changed: bool,
    },
    Broken,
    Eof,
}

/// Where the output could be cut if the feed turns out to be truncated: after an item.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    out_len: usize,
    depth: usize,
    items: usize,
}

/// The outcome of looking ahead through a text element (`<description>` and friends).
struct TextScan {
    content_end: usize,
    resume: usize,
    closed: bool,
    has_tags: bool,
    /// Whether a `&` occurs before the end (outside CDATA sections, before any tag).
    has_amp: bool,
    has_text: bool,
    eof: bool,
}

#[derive(Debug, Default)]
struct Counts {
    doctype: bool,
    misplaced_declaration: usize,
    bare_amp: usize,
    html_entities: usize,
    bad_char_refs: usize,
    control: usize,
    stray_lt: usize,
    wrapped: Vec<(String, usize)>,
    unclosed_text: usize,
    default_ns: bool,
    rss_version: Option<String>,
    namespace_upgrade: Option<&'static str>,
    stray_end_tags: usize,
    /// Start tags dropped for nesting deeper than [`MAX_DEPTH`].
    flattened: usize,
    /// Of those, how many still wait for the end tag that is dropped with them.
    flattened_open: usize,
    closed_elements: usize,
    malformed_tags: usize,
    bad_xml_base: usize,
    atom_types: usize,
    atom_src: usize,
    truncated: bool,
    tail: Option<Tail>,
}

#[derive(Debug, Clone, Copy)]
enum Tail {
    CutMidItem { kept: usize },
    Closed { open: usize },
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Counts {
    fn wrapped_in(&mut self, name: &str) {
        match self.wrapped.iter_mut().find(|(n, _)| n == name) {
            Some((_, count)) => *count += 1,
            None => self.wrapped.push((name.to_string(), 1)),
        }
    }

    fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.doctype {
            lines.push("removed the doctype".to_string());
        }
        if self.misplaced_declaration > 0 {
            lines.push("dropped a misplaced xml declaration".to_string());
        }
        if let Some(version) = &self.rss_version {
            lines.push(if version.is_empty() {
                "rss root had no version; read as 2.0".to_string()
            } else {
                format!("read rss version \"{version}\" as 2.0")
            });
        }
        if self.default_ns {
            lines.push("removed a default namespace from rss elements".to_string());
        }
        if let Some(upgrade) = self.namespace_upgrade {
            lines.push(upgrade.to_string());
        }
        if self.bare_amp > 0 {
            lines.push(format!(
                "escaped {}",
                plural(self.bare_amp, "bare '&'", "bare '&'s")
            ));
        }
        if self.html_entities > 0 {
            lines.push(format!(
                "converted {} to character references",
                plural(self.html_entities, "html entity", "html entities")
            ));
        }
        if self.bad_char_refs > 0 {
            lines.push(format!(
                "dropped {} to characters xml forbids",
                plural(
                    self.bad_char_refs,
                    "character reference",
                    "character references"
                )
            ));
        }
        if self.control > 0 {
            lines.push(format!(
                "removed {} xml forbids",
                plural(self.control, "control character", "control characters")
            ));
        }
        if self.stray_lt > 0 {
            lines.push(format!(
                "escaped {}",
                plural(self.stray_lt, "stray '<'", "stray '<'s")
            ));
        }
        for (name, n) in &self.wrapped {
            lines.push(format!(
                "wrapped raw html in {} as cdata",
                plural(*n, &format!("<{name}>"), &format!("<{name}> elements"))
            ));
        }
        if self.unclosed_text > 0 {
            lines.push(format!(
                "closed {}",
                plural(
                    self.unclosed_text,
                    "unclosed text element",
                    "unclosed text elements"
                )
            ));
        }
        if self.malformed_tags > 0 {
            lines.push(format!(
                "fixed attributes in {}",
                plural(self.malformed_tags, "malformed tag", "malformed tags")
            ));
        }
        if self.bad_xml_base > 0 {
            lines.push(format!(
                "dropped {}",
                plural(
                    self.bad_xml_base,
                    "invalid xml:base",
                    "invalid xml:base attributes"
                )
            ));
        }
        if self.atom_types > 0 {
            lines.push(format!(
                "fixed {}",
                plural(self.atom_types, "invalid atom type", "invalid atom types")
            ));
        }
        if self.atom_src > 0 {
            lines.push(format!(
                "dropped src from {}",
                plural(
                    self.atom_src,
                    "atom content with a body",
                    "atom contents with a body"
                )
            ));
        }
        if self.closed_elements > 0 {
            lines.push(format!(
                "closed {}",
                plural(
                    self.closed_elements,
                    "unclosed element",
                    "unclosed elements"
                )
            ));
        }
        if self.stray_end_tags > 0 {
            lines.push(format!(
                "dropped {}",
                plural(self.stray_end_tags, "stray end tag", "stray end tags")
            ));
        }
        if self.flattened > 0 {
            lines.push(format!(
                "flattened {} nested deeper than {MAX_DEPTH} levels",
                plural(self.flattened, "element", "elements")
            ));
        }
        match self.tail {
            Some(Tail::CutMidItem { kept }) => lines.push(format!(
                "feed truncated mid-item; kept {}",
                plural(kept, "complete item", "complete items")
            )),
            Some(Tail::Closed { open }) if self.truncated => lines.push(format!(
                "feed truncated; closed {}",
                plural(open, "open element", "open elements")
            )),
            Some(Tail::Closed { open }) => lines.push(format!(
                "feed ends with {}; closed them",
                plural(open, "unclosed element", "unclosed elements")
            )),
            None if self.truncated => lines.push("feed truncated".to_string()),
            None => {}
        }
        lines
    }
}

/// How deep an end tag looks for its start tag before it counts as stray; bounds the work
/// on hostile nesting.
const MATCH_DEPTH: usize = 64;
/// Elements opened deeper than this lose their tags (their text stays): quick-xml refuses a
/// whole document nested past 65,535 levels, and no feed needs more than a few dozen.
const MAX_DEPTH: usize = 256;
/// More attributes than this on one tag are dropped (bounds the duplicate check).
const MAX_ATTRS: usize = 64;

struct Repairer<'a> {
    src: &'a str,
    b: &'a [u8],
    out: String,
    /// Open elements, as name ranges of the input.
    stack: Vec<(usize, usize)>,
    dialect: Dialect,
    done: bool,
    checkpoint: Option<Checkpoint>,
    /// The lowest stack depth since the checkpoint: if it went below the checkpoint's depth,
    /// the checkpoint's ancestors were closed and it can no longer be cut back to.
    min_depth: usize,
    items: usize,
    attrs: Vec<Attr>,
    /// Prefixes the root binds to the iTunes, Media RSS and Podcast namespaces.
    risky_prefixes: Vec<(usize, usize)>,
    /// Prefixes the root binds to Dublin Core besides `dc` (`xmlns:d="…/dc/elements/1.1/"`).
    dc_prefixes: Vec<(usize, usize)>,
    counts: Counts,
}

impl<'a> Repairer<'a> {
    fn new(src: &'a str) -> Self {
        Repairer {
            src,
            b: src.as_bytes(),
            out: String::with_capacity(src.len() + src.len() / 32 + 64),
            stack: Vec::with_capacity(16),
            dialect: Dialect::Unknown,
            done: false,
            checkpoint: None,
            min_depth: 0,
            items: 0,
            attrs: Vec::with_capacity(8),
            risky_prefixes: Vec::new(),
            dc_prefixes: Vec::new(),
            counts: Counts::default(),
        }
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or_default()
    }

    fn bytes(&self, start: usize, end: usize) -> &'a [u8] {
        self.b.get(start..end).unwrap_or_default()
    }

    fn push_src(&mut self, start: usize, end: usize) {
        let s = self.slice(start, end);
        self.out.push_str(s);
    }

    fn push_piece(&mut self, piece: Piece) {
        match piece {
            Piece::Src(s, e) => self.push_src(s, e),
            Piece::Lit(s) => self.out.push_str(s),
        }
    }

    fn piece_bytes(&self, piece: Piece) -> &'a [u8] {
        match piece {
            Piece::Src(s, e) => self.bytes(s, e),
            Piece::Lit(s) => s.as_bytes(),
        }
    }

    /// Writes the stand-in of a control character XML forbids (see [`control_stand_in`]).
    fn push_control_stand_in(&mut self, control: u8) {
        self.counts.control += 1;
        if let Some(stand_in) = control_stand_in(control) {
            self.out.push(stand_in);
        }
    }

    fn is_nonchar(&self, at: usize) -> bool {
        matches!(self.bytes(at, at + 3), [0xEF, 0xBF, 0xBE | 0xBF])
    }

    fn name_end(&self, start: usize) -> usize {
        let rest = self.b.get(start..).unwrap_or_default();
        start
            + rest
                .iter()
                .position(|&b| !is_name_byte(b))
                .unwrap_or(rest.len())
    }

    fn skip_ws(&self, mut at: usize) -> usize {
        while self.b.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        at
    }

    // ---- the main loop ------------------------------------------------------------------

    fn run(&mut self) {
        let n = self.b.len();
        let mut i = 0;
        let mut run = 0;
        while !self.done {
            let Some(off) = self
                .b
                .get(i..)
                .and_then(|rest| rest.iter().position(|&c| is_text_special(c)))
            else {
                break;
            };
            let at = i + off;
            match self.b.get(at).copied().unwrap_or(0) {
                b'&' => match self.check_entity(at, n) {
                    Entity::Keep(end, _) => i = end,
                    entity => {
                        self.push_src(run, at);
                        i = self.apply_entity(at, entity);
                        run = i;
                    }
                },
                0xEF => {
                    if self.is_nonchar(at) {
                        self.push_src(run, at);
                        self.counts.control += 1;
                        i = at + 3;
                        run = i;
                    } else {
                        i = at + 1;
                    }
                }
                b'<' => {
                    if !self.is_layout_whitespace(run, at) {
                        self.push_src(run, at);
                    }
                    match self.markup(at) {
                        Step::At(next) => {
                            i = next;
                            run = next;
                        }
                        Step::Eof => {
                            self.counts.truncated = true;
                            return;
                        }
                    }
                }
                _ => {
                    self.push_src(run, at);
                    self.push_control_stand_in(byte_at(self.b, at));
                    i = at + 1;
                    run = i;
                }
            }
        }
        if !self.done {
            self.push_src(run, n);
        }
    }

    /// Whether `start..end` is indentation between the structural elements of a feed:
    /// dropping it spares feed-rs an event and an allocation per line.
    fn is_layout_whitespace(&self, start: usize, end: usize) -> bool {
        let Some(&(s, e)) = self.stack.last() else {
            return false;
        };
        matches!(
            local_name(self.bytes(s, e)),
            b"rss" | b"channel" | b"item" | b"RDF" | b"feed" | b"entry"
        ) && self.bytes(start, end).iter().all(u8::is_ascii_whitespace)
    }

    fn check_entity(&self, at: usize, limit: usize) -> Entity {
        let rest = self.bytes(at + 1, limit);
        // Escaped HTML is mostly these four; spare them the general path.
        match rest {
            [b'l', b't', b';', ..] => return Entity::Keep(at + 4, '<'),
            [b'g', b't', b';', ..] => return Entity::Keep(at + 4, '>'),
            [b'a', b'm', b'p', b';', ..] => return Entity::Keep(at + 5, '&'),
            [b'q', b'u', b'o', b't', b';', ..] => return Entity::Keep(at + 6, '"'),
            _ => {}
        }
        match rest.first() {
            Some(b'#') => {
                let (radix, skip) = match rest.get(1) {
                    Some(b'x' | b'X') => (16, 2),
                    _ => (10, 1),
                };
                let digits = rest.get(skip..).unwrap_or_default();
                let len = digits
                    .iter()
                    .take(17)
                    .take_while(|d| char::from(**d).is_digit(radix))
                    .count();
                if len == 0 || digits.get(len) != Some(&b';') {
                    return Entity::BareAmp;
                }
                let end = at + 1 + skip + len + 1;
                let value = digits.iter().take(len).try_fold(0u32, |acc, d| {
                    acc.checked_mul(radix)?
                        .checked_add(char::from(*d).to_digit(radix)?)
                });
                match value.filter(|&v| is_xml_char(v)).and_then(char::from_u32) {
                    Some(c) if rest.get(1) == Some(&b'X') => Entity::Char(end, c),
                    Some(c) => Entity::Keep(end, c),
                    // A control keeps its place so that the whole escape sequence it starts
                    // is removed later, not just the control.
                    None => match value
                        .and_then(|v| u8::try_from(v).ok())
                        .and_then(control_stand_in)
                    {
                        Some(stand_in) => Entity::Char(end, stand_in),
                        None => Entity::Drop(end),
                    },
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let len = rest
                    .iter()
                    .take(33)
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
                if len > 32 || rest.get(len) != Some(&b';') {
                    return Entity::BareAmp;
                }
                let name = rest.get(..len).unwrap_or_default();
                let end = at + 1 + len + 1;
                let predefined = match name {
                    b"amp" => Some('&'),
                    b"lt" => Some('<'),
                    b"gt" => Some('>'),
                    b"quot" => Some('"'),
                    b"apos" => Some('\''),
                    _ => None,
                };
                if let Some(c) = predefined {
                    return Entity::Keep(end, c);
                }
                match html_entity(name) {
                    Some(value) => Entity::Html(end, value),
                    // Unknown names are kept visibly, as the publisher wrote them.
                    None => Entity::BareAmp,
                }
            }
            _ => Entity::BareAmp,
        }
    }

    /// Writes the mended form of an entity at `at`; returns where the text continues.
    fn apply_entity(&mut self, at: usize, entity: Entity) -> usize {
        match entity {
            Entity::Keep(end, _) => {
                self.push_src(at, end);
                end
            }
            Entity::BareAmp => {
                self.out.push_str("&amp;");
                self.counts.bare_amp += 1;
                at + 1
            }
            Entity::Drop(end) => {
                self.counts.bad_char_refs += 1;
                end
            }
            Entity::Char(end, c) => {
                let _ = write!(self.out, "&#{};", u32::from(c));
                end
            }
            Entity::Html(end, value) => {
                for c in value.chars() {
                    let _ = write!(self.out, "&#{};", u32::from(c));
                }
                self.counts.html_entities += 1;
                end
            }
        }
    }

    fn markup(&mut self, at: usize) -> Step {
        let rest = self.b.get(at..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            // Comments carry nothing a reader needs, and `--` inside them is an XML error.
            return match find_seq(self.b, at + 4, b"-->") {
                Some(end) => Step::At(end + 3),
                None => Step::Eof,
            };
        }
        if rest.starts_with(b"<![CDATA[") {
            return self.copy_cdata_section(at);
        }
        if starts_with_ci(rest, b"<!DOCTYPE") {
            return match self.doctype_end(at + 9) {
                Some(end) => {
                    self.counts.doctype = true;
                    Step::At(end)
                }
                None => Step::Eof,
            };
        }
        if rest.starts_with(b"<!") {
            return match find_byte(self.b, at + 2, b'>') {
                Some(end) => {
                    self.counts.malformed_tags += 1;
                    Step::At(end + 1)
                }
                None => Step::Eof,
            };
        }
        if rest.starts_with(b"<?") {
            // Processing instructions mean nothing to a feed reader, and an XML declaration
            // here would make quick-xml switch encodings mid-stream (which panics).
            return match find_seq(self.b, at + 2, b"?>") {
                Some(end) => {
                    if super::decode::is_xml_declaration(self.slice(at, end + 2)) {
                        self.counts.misplaced_declaration += 1;
                    }
                    Step::At(end + 2)
                }
                None => Step::Eof,
            };
        }
        if rest.starts_with(b"</") {
            return self.end_tag(at);
        }
        match rest.get(1) {
            Some(&c) if is_name_start(c) => self.start_tag(at),
            _ => self.stray_lt(at),
        }
    }

    fn stray_lt(&mut self, at: usize) -> Step {
        self.out.push_str("&lt;");
        self.counts.stray_lt += 1;
        Step::At(at + 1)
    }

    /// The end of a doctype whose name starts at `from`, past any internal subset.
    fn doctype_end(&self, from: usize) -> Option<usize> {
        let mut quote: Option<u8> = None;
        let mut depth = 0usize;
        for (i, &b) in self.b.get(from..)?.iter().enumerate() {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[') => depth += 1,
                (None, b']') => depth = depth.saturating_sub(1),
                (None, b'>') if depth == 0 => return Some(from + i + 1),
                _ => {}
            }
        }
        None
    }

    // The searches below use `str::find` with a `char`, which is memchr underneath: most of
    // a feed's bytes are descriptions, and byte-by-byte loops over them were a third of
    // the repair pass. Positions passed in always follow ASCII bytes, so they are char
    // boundaries.

    /// The first `c` in `from..end`.
    fn find_char(&self, from: usize, end: usize, c: char) -> Option<usize> {
        self.src.get(from..end)?.find(c).map(|p| p + from)
    }

    /// The `]]>` that ends a CDATA section whose content starts at `from`.
    fn find_cdata_end(&self, from: usize) -> Option<usize> {
        let mut p = from;
        loop {
            let q = self.find_char(p, self.b.len(), ']')?;
            if self.bytes(q, q + 3) == b"]]>" {
                return Some(q);
            }
            p = q + 1;
        }
    }

    /// The first `<![CDATA[` in `from..end`.
    fn find_cdata_start(&self, from: usize, end: usize) -> Option<usize> {
        let mut p = from;
        loop {
            let q = self.find_char(p, end, '<')?;
            if self.bytes(q, end).starts_with(b"<![CDATA[") {
                return Some(q);
            }
            p = q + 1;
        }
    }

    /// Copies the CDATA section at `at`, mending its text if it needs it.
    fn copy_cdata_section(&mut self, at: usize) -> Step {
        let start = at + 9;
        // Unterminated: the feed was cut inside it.
        let Some(end) = self.find_cdata_end(start) else {
            return Step::Eof;
        };
        if needs_mending(self.bytes(start, end)) {
            self.out.push_str("<![CDATA[");
            self.push_cdata_body(start, end);
            self.out.push_str("]]>");
        } else {
            self.push_src(at, end + 3);
        }
        Step::At(end + 3)
    }

    /// Writes one `>` inside a CDATA section, splitting the section if it would end it.
    fn push_cdata_gt(&mut self) {
        // Checked on the output, not the input: a `]]` can come from the end of one
        // unwrapped section or from an entity, and the `>` from the next.
        if self.out.ends_with("]]") {
            self.out.push_str("]]><![CDATA[>");
        } else {
            self.out.push('>');
        }
    }

    /// Copies raw text into an open CDATA section, dropping characters XML forbids and
    /// splitting any `]]>`; with `decode`, entities are replaced by what they stand for.
    fn push_cdata_text(&mut self, start: usize, end: usize, decode: bool) {
        let text = self.bytes(start, end);
        // Only a `]` (in the text, or ending the output before a leading `>`) can make a
        // `]]>`; without one, and with nothing to mend or decode, the text goes as it is.
        let needs_work = needs_mending(text)
            || text.contains(&b']')
            || (decode && text.contains(&b'&'))
            || (text.first() == Some(&b'>') && self.out.ends_with(']'));
        if !needs_work {
            self.push_src(start, end);
            return;
        }
        // One table-driven pass: escaped text has an entity every few bytes, too often for
        // a memchr per entity to pay.
        let table = if decode {
            &CDATA_DECODE_SPECIAL
        } else {
            &CDATA_SPECIAL
        };
        let mut run = start;
        let mut i = start;
        while i < end {
            let Some(off) = self
                .bytes(i, end)
                .iter()
                .position(|&b| table[usize::from(b)])
            else {
                break;
            };
            let at = i + off;
            let byte = self.b.get(at).copied().unwrap_or(0);
            if byte == b'>' && at >= run + 2 && self.bytes(at - 2, at) != b"]]" {
                // The common case, the end of an HTML tag: it stays in the run.
                i = at + 1;
                continue;
            }
            if byte == 0xEF && !(self.is_nonchar(at) && at + 3 <= end) {
                // An ordinary character; it stays in the run.
                i = at + 1;
                continue;
            }
            self.push_src(run, at);
            i = match byte {
                b'>' => {
                    self.push_cdata_gt();
                    at + 1
                }
                b'&' => self.push_cdata_entity(at, end),
                0xEF => {
                    self.counts.control += 1;
                    at + 3
                }
                _ => {
                    self.push_control_stand_in(byte);
                    at + 1
                }
            };
            run = i;
        }
        self.push_src(run, end);
    }

    /// Writes what the entity at `at` stands for into an open CDATA section; returns where
    /// the text continues.
    fn push_cdata_entity(&mut self, at: usize, end: usize) -> usize {
        match self.check_entity(at, end) {
            Entity::Keep(next, '>') | Entity::Char(next, '>') => {
                self.push_cdata_gt();
                next
            }
            Entity::Keep(next, c) | Entity::Char(next, c) => {
                self.out.push(c);
                next
            }
            Entity::BareAmp => {
                self.out.push('&');
                self.counts.bare_amp += 1;
                at + 1
            }
            Entity::Drop(next) => {
                self.counts.bad_char_refs += 1;
                next
            }
            Entity::Html(next, value) => {
                // `&GT;` and `&nvgt;` stand for a `>` too.
                for c in value.chars() {
                    if c == '>' {
                        self.push_cdata_gt();
                    } else {
                        self.out.push(c);
                    }
                }
                self.counts.html_entities += 1;
                next
            }
        }
    }

    /// Copies CDATA content, dropping characters XML forbids and splitting any `]]>`.
    fn push_cdata_body(&mut self, start: usize, end: usize) {
        self.push_cdata_text(start, end, false);
    }

    // ---- end tags -------------------------------------------------------------------------

    fn end_tag(&mut self, at: usize) -> Step {
        let ns = at + 2;
        let ne = self.name_end(ns);
        if ne == ns || !self.b.get(ns).is_some_and(|&b| is_name_start(b)) {
            return self.stray_lt(at);
        }
        let mut j = ne;
        loop {
            match self.b.get(j) {
                None => return Step::Eof,
                Some(b'>') => break,
                Some(b'<') => return self.stray_lt(at),
                Some(_) => j += 1,
            }
        }
        self.close(ns, ne);
        Step::At(j + 1)
    }

    fn close(&mut self, ns: usize, ne: usize) {
        match self.find_open(self.bytes(ns, ne)) {
            Some(k) => self.pop_to(k),
            None if self.counts.flattened_open > 0 => self.counts.flattened_open -= 1,
            None => self.counts.stray_end_tags += 1,
        }
    }

    /// The stack index of the innermost open element named `name` (exactly, else ignoring
    /// ASCII case), looking no deeper than [`MATCH_DEPTH`].
    fn find_open(&self, name: &[u8]) -> Option<usize> {
        let depth = self.stack.len();
        let lowest = depth.saturating_sub(MATCH_DEPTH);
        let named = |k: usize, exact: bool| {
            self.stack.get(k).is_some_and(|&(s, e)| {
                let open = self.bytes(s, e);
                if exact {
                    open == name
                } else {
                    open.eq_ignore_ascii_case(name)
                }
            })
        };
        (lowest..depth)
            .rev()
            .find(|&k| named(k, true))
            .or_else(|| (lowest..depth).rev().find(|&k| named(k, false)))
    }

    /// Closes the element at stack index `k` and every element opened inside it.
    fn pop_to(&mut self, k: usize) {
        while self.stack.len() > k {
            let Some((s, e)) = self.stack.pop() else {
                break;
            };
            if self.stack.len() > k {
                self.counts.closed_elements += 1;
            }
            self.out.push_str("</");
            self.push_src(s, e);
            self.out.push('>');
            self.min_depth = self.min_depth.min(self.stack.len());
            if matches!(local_name(self.bytes(s, e)), b"item" | b"entry") {
                self.items += 1;
                self.checkpoint = Some(Checkpoint {
                    out_len: self.out.len(),
                    depth: self.stack.len(),
                    items: self.items,
                });
                self.min_depth = self.stack.len();
            }
        }
        if self.stack.is_empty() {
            // The root is closed: whatever follows (scripts, a second document) is not feed.
            self.done = true;
        }
    }

    // ---- start tags -----------------------------------------------------------------------

    fn start_tag(&mut self, at: usize) -> Step {
        let ns = at + 1;
        let ne = self.name_end(ns);
        let (end, self_closing, mut changed) = match self.parse_attrs(ne) {
            TagParse::Ok {
                end,
                self_closing,
                changed,
            } => (end, self_closing, changed),
            TagParse::Broken => return self.stray_lt(at),
            TagParse::Eof => return Step::Eof,
        };
        if changed {
            self.counts.malformed_tags += 1;
        }
        let name = self.bytes(ns, ne);
        if matches!(local_name(name), b"item" | b"entry") {
            // An item cannot contain an item: a new one ends any still open.
            if let Some(k) = self.find_open(name) {
                self.counts.closed_elements += 1;
                self.pop_to(k);
            }
        }
        if self.stack.is_empty() {
            self.dialect = match local_name(name) {
                b"rss" => Dialect::Rss,
                b"RDF" => Dialect::Rdf,
                b"feed" | b"entry" => Dialect::Atom,
                _ => Dialect::Other,
            };
            if self.dialect == Dialect::Rss {
                changed |= self.fix_rss_version();
            }
            self.note_risky_prefixes();
        }
        changed |= self.fix_attrs();

        if self.is_unused_risky(name) {
            return self.skip_element(ns, ne, end, self_closing);
        }
        if !self_closing && self.stack.len() >= MAX_DEPTH {
            self.counts.flattened += 1;
            self.counts.flattened_open += 1;
            return Step::At(end);
        }

        let text_kind = if self_closing {
            None
        } else {
            self.text_element_kind(name)
        };
        match text_kind {
            Some(kind) => self.text_element(at, ns, ne, end, changed, kind),
            None => {
                self.emit_start_tag(at, ns, ne, end, changed, self_closing);
                if !self_closing {
                    self.stack.push((ns, ne));
                }
                Step::At(end)
            }
        }
    }

    /// Parses attributes from `from` (just past the element name) into `self.attrs`.
    fn parse_attrs(&mut self, from: usize) -> TagParse {
        self.attrs.clear();
        let mut changed = false;
        let mut j = from;
        loop {
            j = self.skip_ws(j);
            match self.b.get(j) {
                None => return TagParse::Eof,
                Some(b'>') => {
                    return TagParse::Ok {
                        end: j + 1,
                        self_closing: false,
                        changed,
                    };
                }
                Some(b'/') if self.b.get(j + 1) == Some(&b'>') => {
                    return TagParse::Ok {
                        end: j + 2,
                        self_closing: true,
                        changed,
                    };
                }
                Some(b'<') => return TagParse::Broken,
                Some(&c) if is_name_start(c) => {
                    let name_start = j;
                    j = self.name_end(j);
                    let name_end = j;
                    j = self.skip_ws(j);
                    if self.b.get(j) != Some(&b'=') {
                        // A valueless (HTML boolean) attribute.
                        changed = true;
                        continue;
                    }
                    j = self.skip_ws(j + 1);
                    let value = match self.b.get(j) {
                        None => return TagParse::Eof,
                        Some(&q @ (b'"' | b'\'')) => {
                            let start = j + 1;
                            let Some(rel) = self
                                .b
                                .get(start..)
                                .and_then(|r| r.iter().position(|&b| b == q || b == b'<'))
                            else {
                                return TagParse::Eof;
                            };
                            let end = start + rel;
                            if self.b.get(end) == Some(&b'<') {
                                return TagParse::Broken;
                            }
                            j = end + 1;
                            (start, end)
                        }
                        Some(_) => {
                            changed = true;
                            let start = j;
                            while let Some(&b) = self.b.get(j) {
                                if b.is_ascii_whitespace() || b == b'>' {
                                    break;
                                }
                                if b == b'<' {
                                    return TagParse::Broken;
                                }
                                j += 1;
                            }
                            (start, j)
                        }
                    };
                    let name = self.bytes(name_start, name_end);
                    let duplicate = self.attrs.iter().any(|a| self.piece_bytes(a.name) == name);
                    if duplicate || self.attrs.len() >= MAX_ATTRS {
                        changed = true;
                        continue;
                    }
                    self.attrs.push(Attr {
                        name: Piece::Src(name_start, name_end),
                        value: Piece::Src(value.0, value.1),
                        drop: false,
                    });
                }
                Some(_) => {
                    // Junk such as a stray quote or '/': skip it.
                    changed = true;
                    j += 1;
                }
            }
        }
    }

    fn attr_index(&self, name: &[u8]) -> Option<usize> {
        self.attrs
            .iter()
            .position(|a| !a.drop && self.piece_bytes(a.name) == name)
    }

    fn attr_value(&self, name: &[u8]) -> Option<&'a [u8]> {
        let i = self.attr_index(name)?;
        self.attrs.get(i).map(|a| self.piece_bytes(a.value))
    }

    fn set_attr(&mut self, name: &'static str, value: &'static str) {
        match self.attr_index(name.as_bytes()) {
            Some(i) => {
                if let Some(a) = self.attrs.get_mut(i) {
                    a.value = Piece::Lit(value);
                }
            }
            None => self.attrs.push(Attr {
                name: Piece::Lit(name),
                value: Piece::Lit(value),
                drop: false,
            }),
        }
    }

    fn drop_attr(&mut self, name: &[u8]) {
        if let Some(i) = self.attr_index(name)
            && let Some(a) = self.attrs.get_mut(i)
        {
            a.drop = true;
        }
    }

    /// feed-rs reads only RSS versions 2.0, 0.91 and 0.92 (and an empty one).
    fn fix_rss_version(&mut self) -> bool {
        let version = self.attr_value(b"version");
        if matches!(version, Some(b"2.0" | b"0.91" | b"0.92" | b"")) {
            return false;
        }
        let shown = version
            .map(|v| String::from_utf8_lossy(v).chars().take(16).collect())
            .unwrap_or_default();
        self.counts.rss_version = Some(shown);
        self.set_attr("version", "2.0");
        true
    }

    /// Namespace and `xml:base` fixes that apply to any element; returns whether any fired.
    fn fix_attrs(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.attrs.len() {
            let Some(attr) = self.attrs.get(i).copied() else {
                break;
            };
            let name = self.piece_bytes(attr.name);
            let value = self.piece_bytes(attr.value);
            let fix: Option<Option<&'static str>> = match (self.dialect, name) {
                // A default namespace on RSS 2.0 elements (often userland's) hides them from
                // feed-rs, which expects RSS 2.0 to have none.
                (Dialect::Rss, b"xmlns") => {
                    self.counts.default_ns = true;
                    Some(None)
                }
                (Dialect::Rdf, b"xmlns") if value == b"http://my.netscape.com/rdf/simple/0.9/" => {
                    self.counts.namespace_upgrade = Some("read the rss 0.90 namespace as rss 1.0");
                    Some(Some("http://purl.org/rss/1.0/"))
                }
                (Dialect::Atom, b"xmlns") if value == b"http://purl.org/atom/ns#" => {
                    self.counts.namespace_upgrade = Some("read the atom 0.3 namespace as atom 1.0");
                    Some(Some("http://www.w3.org/2005/Atom"))
                }
                // feed-rs fails the whole feed on an xml:base that is not a URL at all.
                (_, b"xml:base") => {
                    let text = String::from_utf8_lossy(value);
                    let text = html_escape::decode_html_entities(&text);
                    match Url::parse(text.trim()) {
                        Ok(_) | Err(url::ParseError::RelativeUrlWithoutBase) => None,
                        Err(_) => {
                            self.counts.bad_xml_base += 1;
                            Some(None)
                        }
                    }
                }
                _ => None,
            };
            if let (Some(fix), Some(a)) = (fix, self.attrs.get_mut(i)) {
                changed = true;
                match fix {
                    Some(v) => a.value = Piece::Lit(v),
                    None => a.drop = true,
                }
            }
        }
        changed
    }

    fn emit_start_tag(
        &mut self,
        at: usize,
        ns: usize,
        ne: usize,
        end: usize,
        changed: bool,
        self_closing: bool,
    ) {
        if !changed {
            self.push_src(at, end);
            return;
        }
        self.out.push('<');
        self.push_src(ns, ne);
        for i in 0..self.attrs.len() {
            let Some(attr) = self.attrs.get(i).copied() else {
                break;
            };
            if attr.drop {
                continue;
            }
            self.out.push(' ');
            self.push_piece(attr.name);
            self.out.push_str("=\"");
            match attr.value {
                Piece::Src(s, e) => self.push_attr_value(s, e),
                Piece::Lit(v) => self.out.push_str(v),
            }
            self.out.push('"');
        }
        self.out.push_str(if self_closing { "/>" } else { ">" });
    }

    /// Writes an attribute value for a double-quoted attribute, mending entities on the way.
    fn push_attr_value(&mut self, start: usize, end: usize) {
        let mut run = start;
        let mut i = start;
        while i < end {
            let Some(off) = self
                .bytes(i, end)
                .iter()
                .position(|&b| is_text_special(b) || b == b'"' || b == b'<')
            else {
                break;
            };
            let at = i + off;
            match self.b.get(at).copied().unwrap_or(0) {
                b'&' => match self.check_entity(at, end) {
                    Entity::Keep(next, _) => i = next,
                    entity => {
                        self.push_src(run, at);
                        i = self.apply_entity(at, entity);
                        run = i;
                    }
                },
                b'"' => {
                    self.push_src(run, at);
                    self.out.push_str("&quot;");
                    i = at + 1;
                    run = i;
                }
                b'<' => {
                    self.push_src(run, at);
                    self.out.push_str("&lt;");
                    i = at + 1;
                    run = i;
                }
                0xEF if !(self.is_nonchar(at) && at + 3 <= end) => i = at + 1,
                0xEF => {
                    self.push_src(run, at);
                    self.counts.control += 1;
                    i = at + 3;
                    run = i;
                }
                _ => {
                    self.push_src(run, at);
                    self.push_control_stand_in(byte_at(self.b, at));
                    i = at + 1;
                    run = i;
                }
            }
        }
        self.push_src(run, end);
    }

    /// Elements akhbar never reads and on which feed-rs 3.0 can panic: it slices an author
    /// string one byte before an e-mail address (inside a character after Arabic text), and
    /// unwraps the parse of iTunes and Media RSS durations (overflow on long numbers).
    fn is_unused_risky(&self, name: &[u8]) -> bool {
        let prefix = name
            .iter()
            .position(|&b| b == b':')
            .and_then(|p| name.get(..p));
        match self.dialect {
            _ if prefix.is_some_and(|p| {
                self.risky_prefixes
                    .iter()
                    .any(|&(s, e)| self.bytes(s, e) == p)
            }) =>
            {
                true
            }
            Dialect::Rss | Dialect::Rdf => {
                matches!(
                    name,
                    b"author" | b"managingEditor" | b"webMaster" | b"dc:creator"
                ) || matches!(prefix, Some(b"itunes" | b"media" | b"podcast"))
                    || (local_name(name) == b"creator"
                        && prefix.is_some_and(|p| {
                            self.dc_prefixes.iter().any(|&(s, e)| self.bytes(s, e) == p)
                        }))
            }
            Dialect::Atom => matches!(prefix, Some(b"media")),
            Dialect::Unknown | Dialect::Other => false,
        }
    }

    fn note_risky_prefixes(&mut self) {
        const DUBLIN_CORE: &[u8] = b"http://purl.org/dc/elements/1.1/";
        const RISKY: [&[u8]; 3] = [
            b"http://www.itunes.com/dtds/podcast-1.0.dtd",
            b"http://search.yahoo.com/mrss/",
            b"https://podcastindex.org/namespace/1.0",
        ];
        for attr in &self.attrs {
            if let (Piece::Src(s, e), Piece::Src(vs, ve)) = (attr.name, attr.value) {
                let name = self.bytes(s, e);
                if name.starts_with(b"xmlns:") && RISKY.contains(&self.bytes(vs, ve)) {
                    self.risky_prefixes.push((s + 6, e));
                }
                if name.starts_with(b"xmlns:") && self.bytes(vs, ve) == DUBLIN_CORE {
                    self.dc_prefixes.push((s + 6, e));
                }
            }
        }
    }

    /// Leaves an element (and everything inside it) out of the output.
    fn skip_element(&mut self, ns: usize, ne: usize, end: usize, self_closing: bool) -> Step {
        if self_closing {
            return Step::At(end);
        }
        let kind = if self.dialect == Dialect::Atom {
            TextKind::Atom
        } else {
            TextKind::Rss
        };
        let scan = self.scan_text_element(end, self.bytes(ns, ne), kind);
        if scan.eof {
            self.counts.truncated = true;
            return Step::Eof;
        }
        Step::At(if scan.closed {
            scan.resume
        } else {
            scan.content_end
        })
    }

    // ---- text elements --------------------------------------------------------------------

    /// Whether `name` holds text (or escaped HTML) that publishers often fill with raw HTML.
    fn text_element_kind(&self, name: &[u8]) -> Option<TextKind> {
        match self.dialect {
            Dialect::Rss | Dialect::Rdf => {
                let rss_text = matches!(
                    name,
                    b"title" | b"description" | b"dc:title" | b"dc:description"
                ) || local_name(name) == b"encoded";
                rss_text.then_some(TextKind::Rss)
            }
            Dialect::Atom => {
                let local = local_name(name);
                let atom_name = name == local || name.starts_with(b"atom:");
                if !atom_name
                    || !matches!(
                        local,
                        b"title" | b"summary" | b"content" | b"subtitle" | b"rights"
                    )
                {
                    return None;
                }
                Some(TextKind::Atom)
            }
            Dialect::Unknown | Dialect::Other => None,
        }
    }

    /// A text element's start tag has been parsed (its attributes are in `self.attrs`):
    /// decide between reading it as it is and wrapping its content as CDATA.
    fn text_element(
        &mut self,
        at: usize,
        ns: usize,
        ne: usize,
        content_start: usize,
        mut changed: bool,
        kind: TextKind,
    ) -> Step {
        let name = self.bytes(ns, ne);
        if kind == TextKind::Atom {
            let ty = self
                .attr_value(b"type")
                .map(|t| String::from_utf8_lossy(t).trim().to_ascii_lowercase());
            match ty.as_deref() {
                None | Some("text" | "html") => {}
                Some("xhtml") => {
                    self.emit_start_tag(at, ns, ne, content_start, changed, false);
                    self.stack.push((ns, ne));
                    return Step::At(content_start);
                }
                Some(t) if t.ends_with("+xml") || t.ends_with("/xml") => {
                    self.emit_start_tag(at, ns, ne, content_start, changed, false);
                    self.stack.push((ns, ne));
                    return Step::At(content_start);
                }
                Some(t) => {
                    let main = t.split(';').next().unwrap_or_default().trim();
                    let fixed = match main {
                        "text/html" => Some("html"),
                        "text/plain" => Some("text"),
                        _ if is_mime(main) => None,
                        _ => Some("html"),
                    };
                    if let Some(fixed) = fixed.filter(|f| *f != t) {
                        // feed-rs fails the whole feed on a type it cannot parse.
                        if !matches!(t, "text/html" | "text/plain") {
                            self.counts.atom_types += 1;
                        }
                        self.set_attr("type", fixed);
                        changed = true;
                    }
                }
            }
        }
        let scan = self.scan_text_element(content_start, name, kind);
        if scan.eof {
            // Truncated inside this element; the end-of-input handling takes over.
            self.counts.truncated = true;
            return Step::Eof;
        }
        if kind == TextKind::Atom && self.attr_index(b"src").is_some() {
            if !scan.has_text && !scan.has_tags {
                self.emit_start_tag(at, ns, ne, content_start, changed, false);
                self.stack.push((ns, ne));
                return Step::At(content_start);
            }
            // feed-rs fails the whole feed on a content with both src and a body.
            self.drop_attr(b"src");
            self.counts.atom_src += 1;
            changed = true;
        }
        if scan.closed && !scan.has_tags && !scan.has_amp {
            self.emit_start_tag(at, ns, ne, content_start, changed, false);
            self.stack.push((ns, ne));
            return Step::At(content_start);
        }
        if scan.closed && !scan.has_tags {
            // Escaped text (typically escaped HTML) becomes one CDATA section of the same
            // text: quick-xml would report every entity as an event of its own, and a
            // 10,000-item feed of escaped HTML is mostly entities.
            self.emit_start_tag(at, ns, ne, content_start, changed, false);
            self.out.push_str("<![CDATA[");
            self.push_unescaped(content_start, scan.content_end);
            self.out.push_str("]]></");
            self.push_src(ns, ne);
            self.out.push('>');
            return Step::At(scan.resume);
        }
        if kind == TextKind::Atom
            && scan.has_tags
            && matches!(self.attr_value(b"type"), None | Some(b"text"))
        {
            // Markup in a text construct means the publisher meant HTML.
            self.set_attr("type", "html");
            changed = true;
        }
        self.emit_start_tag(at, ns, ne, content_start, changed, false);
        if scan.content_end > content_start {
            self.out.push_str("<![CDATA[");
            self.push_wrapped(content_start, scan.content_end);
            self.out.push_str("]]>");
        }
        self.out.push_str("</");
        self.push_src(ns, ne);
        self.out.push('>');
        if scan.has_tags {
            let shown = String::from_utf8_lossy(self.bytes(ns, ne)).into_owned();
            self.counts.wrapped_in(&shown);
        }
        if !scan.closed {
            self.counts.unclosed_text += 1;
        }
        Step::At(scan.resume)
    }

    /// Looks ahead from `from` for the end of a text element named `name`.
    ///
    /// The search stops at its end tag, or at a tag that cannot be inside it (the next item,
    /// the end of the channel); the first start tag of a sibling element is remembered so an
    /// unclosed element can end there.
    fn scan_text_element(&self, from: usize, name: &[u8], kind: TextKind) -> TextScan {
        let mut p = from;
        let mut has_tags = false;
        let mut has_amp = false;
        let mut sibling: Option<usize> = None;
        loop {
            // memchr-based (see `find_char`): these scans cover most of a feed's bytes.
            let Some(q) = self.find_char(p, self.b.len(), '<') else {
                return self.text_scan_eof(from);
            };
            if !has_amp && self.slice(p, q).contains('&') {
                has_amp = true;
            }
            let rest = self.b.get(q..).unwrap_or_default();
            if rest.starts_with(b"<![CDATA[") {
                match self.find_cdata_end(q + 9) {
                    Some(e) => {
                        p = e + 3;
                        continue;
                    }
                    None => return self.text_scan_eof(from),
                }
            }
            if let Some(after) = rest.strip_prefix(b"</")
                && let Some(tail) = after.strip_prefix(name)
            {
                let ws = tail.iter().take_while(|b| b.is_ascii_whitespace()).count();
                if tail.get(ws) == Some(&b'>') {
                    return TextScan {
                        content_end: q,
                        resume: q + 2 + name.len() + ws + 1,
                        closed: true,
                        has_tags,
                        has_amp,
                        has_text: self.has_text(from, q),
                        eof: false,
                    };
                }
            }
            if is_hard_boundary(rest, kind) {
                let end = sibling.unwrap_or(q);
                return TextScan {
                    content_end: end,
                    resume: end,
                    closed: false,
                    has_tags,
                    has_amp,
                    has_text: self.has_text(from, end),
                    eof: false,
                };
            }
            if sibling.is_none() && is_sibling_start(rest, kind) {
                sibling = Some(q);
            }
            if rest
                .get(1)
                .is_some_and(|&b| is_name_start(b) || b == b'/' || b == b'!')
            {
                has_tags = true;
            }
            p = q + 1;
        }
    }

    fn text_scan_eof(&self, from: usize) -> TextScan {
        TextScan {
            content_end: self.b.len(),
            resume: self.b.len(),
            closed: false,
            has_tags: false,
            has_amp: false,
            has_text: self.has_text(from, self.b.len()),
            eof: true,
        }
    }

    fn has_text(&self, start: usize, end: usize) -> bool {
        self.bytes(start, end)
            .iter()
            .any(|b| !b.is_ascii_whitespace())
    }

    /// Writes escaped text content into a CDATA section, entities decoded, inner CDATA
    /// sections unwrapped.
    fn push_unescaped(&mut self, start: usize, end: usize) {
        self.push_cdata_parts(start, end, true);
    }

    /// Writes raw content for a CDATA section: inner CDATA sections are unwrapped.
    fn push_wrapped(&mut self, start: usize, end: usize) {
        self.push_cdata_parts(start, end, false);
    }

    fn push_cdata_parts(&mut self, start: usize, end: usize, decode: bool) {
        // Searches stay inside the element so that each byte is looked at a bounded number
        // of times.
        let mut p = start;
        while p < end {
            match self.find_cdata_start(p, end) {
                Some(q) => {
                    self.push_cdata_text(p, q, decode);
                    let inner = q + 9;
                    let close = self
                        .find_cdata_end(inner)
                        .filter(|&c| c + 3 <= end)
                        .unwrap_or(end);
                    self.push_cdata_body(inner, close);
                    p = (close + 3).min(end);
                }
                None => {
                    self.push_cdata_text(p, end, decode);
                    p = end;
                }
            }
        }
    }

    // ---- end of input -----------------------------------------------------------------------

    fn finish(&mut self) {
        if self.stack.is_empty() {
            return;
        }
        let mut tail = None;
        if let Some(cp) = self.checkpoint {
            let mid_item = self.stack.len() > cp.depth;
            if mid_item && self.min_depth >= cp.depth && self.out.is_char_boundary(cp.out_len) {
                self.out.truncate(cp.out_len);
                self.stack.truncate(cp.depth);
                self.counts.truncated = true;
                tail = Some(Tail::CutMidItem { kept: cp.items });
            }
        }
        let open = self.stack.len();
        while let Some((s, e)) = self.stack.pop() {
            self.out.push_str("</");
            self.push_src(s, e);
            self.out.push('>');
        }
        self.counts.tail = Some(tail.unwrap_or(Tail::Closed { open }));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Rss,
    Atom,
}

fn is_mime(s: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    s.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// `rest` starts with `<` + `name` followed by `>`, whitespace or `/`.
fn tag_is(rest: &[u8], name: &[u8]) -> bool {
    rest.get(1..)
        .and_then(|r| r.strip_prefix(name))
        .is_some_and(|tail| {
            tail.first()
                .is_none_or(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
        })
}

/// Tags that end any text element: the next item, the end of the item or channel.
fn is_hard_boundary(rest: &[u8], kind: TextKind) -> bool {
    let names: &[&[u8]] = match kind {
        TextKind::Rss => &[
            b"item",
            b"/item",
            b"/channel",
            b"/rss",
            b"/rdf:RDF",
            b"/RDF",
            b"channel",
        ],
        TextKind::Atom => &[b"entry", b"/entry", b"/feed"],
    };
    names.iter().any(|n| tag_is(rest, n))
}

/// Start tags of the elements that sit beside text elements in an item.
fn is_sibling_start(rest: &[u8], kind: TextKind) -> bool {
    let names: &[&[u8]] = match kind {
        TextKind::Rss => &[
            b"title",
            b"link",
            b"description",
            b"pubDate",
            b"guid",
            b"content:encoded",
            b"dc:date",
            b"dc:creator",
            b"category",
            b"enclosure",
        ],
        TextKind::Atom => &[
            b"title",
            b"summary",
            b"content",
            b"updated",
            b"published",
            b"id",
            b"author",
        ],
    };
    // Exact names only: `<link rel=…>` inside HTML is not an RSS `<link>`.
    names.iter().any(|n| {
        rest.get(1..)
            .and_then(|r| r.strip_prefix(*n))
            .is_some_and(|tail| tail.first() == Some(&b'>'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(input: &str) -> String {
        repair(input).text
    }

    #[test]
    fn clean_feed_needs_no_repairs() {
        let feed = "<rss version=\"2.0\"><channel><link>http://a/?b=1&amp;c=2</link>\
                    <item><title>الليرة</title><description><![CDATA[<p>x</p>]]></description>\
                    </item></channel></rss>";
        let r = repair(feed);
        assert_eq!(r.text, feed);
        assert!(r.repairs.is_empty(), "{:?}", r.repairs);
    }

    #[test]
    fn escaped_text_elements_become_cdata() {
        let r = repair(
            "<rss version=\"2.0\"><channel><item><title>a &lt;b&gt; ]]&gt; &amp;amp; &#65;\
             <![CDATA[<i>]]></title><description>x &nbsp;&amp; y</description></item></channel></rss>",
        );
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><item><title><![CDATA[a <b> ]]]]><![CDATA[> &amp; A<i>]]></title>\
             <description><![CDATA[x \u{a0}& y]]></description></item></channel></rss>"
        );
        assert_eq!(
            r.repairs,
            ["converted 1 html entity to character references"]
        );
        // However the `]]>` is spelled, it cannot end the section early.
        for title in ["]]&GT;", "&#93;&#93;>", "]&#93;&gt;", "]]]&gt;"] {
            let r = repair(&format!(
                "<rss version=\"2.0\"><channel><title>{title}</title></channel></rss>"
            ));
            assert_eq!(r.text.matches("]]>").count(), 2, "{title}: {}", r.text);
        }
    }

    #[test]
    fn bare_ampersands_are_escaped() {
        let r =
            repair("<rss version=\"2.0\"><channel><guid>A & B &c &#; &amp;</guid></channel></rss>");
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><guid>A &amp; B &amp;c &amp;#; &amp;</guid></channel></rss>"
        );
        assert_eq!(r.repairs, ["escaped 3 bare '&'s"]);
        let r = repair("<rss version=\"2.0\"><channel><title>A & B</title></channel></rss>");
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><title><![CDATA[A & B]]></title></channel></rss>"
        );
        assert_eq!(r.repairs, ["escaped 1 bare '&'"]);
    }

    #[test]
    fn html_entities_become_numeric() {
        let r = repair("<feed><id>a&nbsp;b&mdash;c&eacute;&lt;&unknownthing;</id></feed>");
        assert_eq!(
            r.text,
            "<feed><id>a&#160;b&#8212;c&#233;&lt;&amp;unknownthing;</id></feed>"
        );
        assert!(
            r.repairs
                .contains(&"converted 3 html entities to character references".to_string())
        );
    }

    #[test]
    fn bad_character_references_are_dropped() {
        assert_eq!(
            fixed("<feed><id>a&#0;b&#xD800;c&#x41;&#X42;&#99999999999;</id></feed>"),
            "<feed><id>abc&#x41;&#66;</id></feed>"
        );
        assert_eq!(
            fixed("<feed><title>a&#0;b&#xD800;c&#x41;&#X42;</title></feed>"),
            "<feed><title><![CDATA[abcAB]]></title></feed>"
        );
    }

    #[test]
    fn doctype_and_pis_are_removed() {
        let r = repair(
            "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \
             \"http://my.netscape.com/publish/formats/rss-0.91.dtd\" [<!ENTITY x \"y\">]>\
             <?xml-stylesheet href=\"s.xsl\"?><rss version=\"0.91\"><channel/></rss>",
        );
        assert_eq!(r.text, "<rss version=\"0.91\"><channel/></rss>");
        assert_eq!(r.repairs, ["removed the doctype"]);
    }

    #[test]
    fn raw_html_in_description_is_wrapped() {
        let r = repair(
            "<rss version=\"2.0\"><channel><item><title>t</title>\
             <description>Hello <br> <p>world &amp; ]]> more</description></item></channel></rss>",
        );
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><item><title>t</title>\
             <description><![CDATA[Hello <br> <p>world &amp; ]]]]><![CDATA[> more]]></description>\
             </item></channel></rss>"
        );
        assert_eq!(r.repairs, ["wrapped raw html in 1 <description> as cdata"]);
    }

    #[test]
    fn wrapped_content_unwraps_inner_cdata() {
        assert_eq!(
            fixed(
                "<rss><channel><item><content:encoded><![CDATA[<p>a</p>]]><br></content:encoded></item></channel></rss>"
            ),
            "<rss version=\"2.0\"><channel><item><content:encoded><![CDATA[<p>a</p><br>]]></content:encoded></item></channel></rss>"
        );
    }

    #[test]
    fn unclosed_text_element_ends_at_sibling() {
        let r = repair(
            "<rss version=\"2.0\"><channel><item><title>Hello <b>x</b><link>http://a/</link></item></channel></rss>",
        );
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><item><title><![CDATA[Hello <b>x</b>]]></title><link>http://a/</link></item></channel></rss>"
        );
        assert!(
            r.repairs
                .contains(&"closed 1 unclosed text element".to_string())
        );
    }

    #[test]
    fn default_namespace_on_rss_is_removed() {
        let r = repair(
            "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel/></rss>",
        );
        assert_eq!(
            r.text,
            "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel/></rss>"
        );
        assert_eq!(r.repairs, ["removed a default namespace from rss elements"]);
    }

    #[test]
    fn rdf_and_atom_namespaces_are_kept_or_upgraded() {
        let rdf = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>";
        assert_eq!(fixed(rdf), rdf);
        assert_eq!(
            fixed("<rdf:RDF xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel/></rdf:RDF>"),
            "<rdf:RDF xmlns=\"http://purl.org/rss/1.0/\"><channel/></rdf:RDF>"
        );
        assert_eq!(
            fixed("<feed xmlns=\"http://purl.org/atom/ns#\"/>"),
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"
        );
    }

    #[test]
    fn rss_version_is_normalised() {
        let r = repair("<rss version=\"0.94\"><channel/></rss>");
        assert_eq!(r.text, "<rss version=\"2.0\"><channel/></rss>");
        assert_eq!(r.repairs, ["read rss version \"0.94\" as 2.0"]);
        assert_eq!(
            fixed("<rss><channel/></rss>"),
            "<rss version=\"2.0\"><channel/></rss>"
        );
    }

    #[test]
    fn truncated_feed_keeps_complete_items() {
        let r = repair(
            "<rss version=\"2.0\"><channel><title>c</title><item><title>one</title></item>\
             <item><title>two</title></item><item><title>thr",
        );
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><title>c</title><item><title>one</title></item>\
             <item><title>two</title></item></channel></rss>"
        );
        assert_eq!(
            r.repairs,
            ["feed truncated mid-item; kept 2 complete items"]
        );
    }

    #[test]
    fn truncated_inside_a_tag_or_cdata() {
        for tail in [
            "<ite",
            "<item><description><![CDATA[abc",
            "<item><link>x</li",
            "<!-- c",
        ] {
            let input =
                format!("<rss version=\"2.0\"><channel><item><title>a</title></item>{tail}");
            assert_eq!(
                fixed(&input),
                "<rss version=\"2.0\"><channel><item><title>a</title></item></channel></rss>",
                "{tail}"
            );
        }
    }

    #[test]
    fn missing_root_close_is_closed() {
        let r = repair("<rss version=\"2.0\"><channel><item><title>a</title></item></channel>");
        assert_eq!(
            r.text,
            "<rss version=\"2.0\"><channel><item><title>a</title></item></channel></rss>"
        );
        assert_eq!(
            r.repairs,
            ["feed ends with 1 unclosed element; closed them"]
        );
    }

    #[test]
    fn mismatched_tags_are_balanced() {
        let r = repair("<feed><entry><id>1</ID><foo><bar></foo></p></entry></feed>trailing<junk>");
        assert_eq!(
            r.text,
            "<feed><entry><id>1</id><foo><bar></bar></foo></entry></feed>"
        );
        assert!(r.repairs.contains(&"closed 1 unclosed element".to_string()));
        assert!(r.repairs.contains(&"dropped 1 stray end tag".to_string()));
    }

    #[test]
    fn controls_keep_their_place_as_stand_ins() {
        let (esc, bel) = ('\u{FDEB}', '\u{FDD7}');
        let r = repair(
            "<rss><channel><title>A\u{1b}[1m&#27;]0;T&#7;<![CDATA[\u{1b}]8;;]]></title></channel></rss>",
        );
        assert_eq!(
            r.text,
            format!(
                "<rss version=\"2.0\"><channel><title><![CDATA[A{esc}[1m{esc}]0;T{bel}{esc}]8;;]]></title></channel></rss>"
            )
        );
    }

    #[test]
    fn control_characters_and_stray_lt() {
        let r = repair("<feed><title>a\u{1}b\u{FFFF}c < d <3 \u{0}</title></feed>");
        // Controls become stand-ins, which the sanitizer reads as what they stand for.
        assert_eq!(
            r.text,
            "<feed><title>a\u{FDD1}bc &lt; d &lt;3 </title></feed>"
        );
        assert!(
            r.repairs
                .contains(&"removed 3 control characters xml forbids".to_string())
        );
    }

    #[test]
    fn attributes_are_mended() {
        assert_eq!(
            fixed("<feed><link href=http://a/?x=1&y=2 rel='alt\"x' hidden href=\"dup\"/></feed>"),
            "<feed><link href=\"http://a/?x=1&amp;y=2\" rel=\"alt&quot;x\"/></feed>"
        );
        assert_eq!(
            fixed("<feed xml:base=\"http://[bad\"><entry xml:base=\"sub/\"/></feed>"),
            "<feed><entry xml:base=\"sub/\"/></feed>"
        );
    }

    #[test]
    fn atom_text_constructs() {
        // xhtml is left to feed-rs.
        let xhtml = "<feed><title type=\"xhtml\"><div>a<b>b</b></div></title></feed>";
        assert_eq!(fixed(xhtml), xhtml);
        // Markup in a text construct becomes html.
        assert_eq!(
            fixed("<feed><entry><title>a <b>b</b></title></entry></feed>"),
            "<feed><entry><title type=\"html\"><![CDATA[a <b>b</b>]]></title></entry></feed>"
        );
        assert_eq!(
            fixed("<feed><entry><content type=\"bad type\">x</content></entry></feed>"),
            "<feed><entry><content type=\"html\">x</content></entry></feed>"
        );
        assert_eq!(
            fixed(
                "<feed><entry><content src=\"http://a/\" type=\"text/html\">body</content></entry></feed>"
            ),
            "<feed><entry><content type=\"html\">body</content></entry></feed>"
        );
    }

    #[test]
    fn misplaced_declaration_is_dropped() {
        let r = repair("junk<?xml version=\"1.0\" encoding=\"windows-1252\"?><feed/>");
        assert_eq!(r.text, "junk<feed/>");
        assert_eq!(r.repairs, ["dropped a misplaced xml declaration"]);
    }

    #[test]
    fn deep_nesting_stays_fast() {
        let input = format!(
            "<feed>{}{}</feed>",
            "<a>".repeat(50_000),
            "</b>".repeat(50_000)
        );
        let start = std::time::Instant::now();
        let _ = repair(&input);
        // A hang guard against quadratic work, generous so that a loaded machine passes.
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn nesting_past_the_limit_is_flattened() {
        let input = format!(
            "<rss version=\"2.0\"><channel><item><title>kept</title></item><item><title>x</title>{}t{}</item></channel></rss>",
            "<x>".repeat(100_000),
            "</x>".repeat(100_000)
        );
        let repaired = repair(&input);
        let opens = repaired.text.matches("<x>").count();
        assert_eq!(opens, MAX_DEPTH - 3, "rss, channel and item count too");
        assert_eq!(repaired.text.matches("</x>").count(), opens);
        let tail = repaired
            .text
            .get(repaired.text.len() - 60..)
            .unwrap_or_default();
        assert!(tail.ends_with("</x></x></item></channel></rss>"), "{tail}");
        assert_eq!(
            repaired.repairs,
            [format!(
                "flattened {} elements nested deeper than {MAX_DEPTH} levels",
                100_000 - opens
            )]
        );
    }

    #[test]
    fn many_unclosed_descriptions_stay_fast() {
        let input = format!(
            "<rss><channel>{}",
            "<item><description>a <b>".repeat(20_000)
        );
        let start = std::time::Instant::now();
        let _ = repair(&input);
        // A hang guard against quadratic work, generous so that a loaded machine passes.
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }
}
