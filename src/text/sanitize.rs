//! Turns untrusted feed text into plain, safe, one-line text.
//!
//! Feed titles and summaries come from strangers. Anything that reaches the terminal
//! unfiltered can move the cursor, retitle the window, plant hyperlinks or flip the
//! display direction, so every string passes through here before it is stored or drawn.
//!
//! Markup is read by the HTML layer ([`super::html`]), the same tokenizer and element
//! table the article pane uses; this module owns what happens to the text after that. The
//! tokenizer and the cleaner each walk the input once, front to back, without regexes, so
//! the cost stays linear even for hostile text such as thousands of unclosed `<!--`.

use std::fmt::Write as _;

use super::html::{self, Dialect, Element, Tag};
use super::quick_html::{self, Piece};

/// Feed HTML or text → plain text: tags stripped, entities decoded, whitespace collapsed,
/// control characters, escape sequences and bidi overrides removed.
///
/// Markup is read as a browser reads it ([`html::read`]), with one exception for text that
/// came out of XML: `<![CDATA[…]]>` wraps text. Entities are decoded after tags are
/// stripped, so `&lt;b&gt;` stays visible as `<b>`; block elements keep the words on either
/// side apart; the content of `script`, `style` and other elements that hold no text is
/// dropped.
pub fn plain_text(input: &str) -> String {
    // Most titles hold no markup at all, and driving the tokenizer costs several times what
    // cleaning does: it is for the text that needs it.
    if !could_be_markup(input) {
        return clean_line(input);
    }
    markup_to_plain_text(input)
}

fn markup_to_plain_text(input: &str) -> String {
    // Feed markup is mostly plain tags and the usual references: the quick path reads those
    // as html5ever would, and gives the rest back whole.
    quick_plain_text(input).unwrap_or_else(|| tokenized_plain_text(input))
}

fn quick_plain_text(input: &str) -> Option<String> {
    let mut out = Cleaner::with_capacity(input.len());
    quick_html::read(input, |piece| match piece {
        Piece::Start(element) | Piece::End(element) => {
            if element.separates_words() {
                out.push_char(' ');
            }
        }
        Piece::Text(text) => out.push_str(text),
    })
    .ok()?;
    Some(out.finish())
}

fn tokenized_plain_text(input: &str) -> String {
    let out = Cleaner::with_capacity(input.len());
    html::read(input, TextReader(out), Dialect::FeedText)
        .0
        .finish()
}

/// Whether `input` holds anything the HTML tokenizer would not pass on as the very same
/// text: a `<` that can open a tag, comment or declaration, or an `&` that can start a
/// character reference. HTML takes a `<` before anything but an ASCII letter, `/`, `!` or
/// `?`, and an `&` before anything but an ASCII letter, digit or `#`, as itself. A NUL is
/// dropped by the tokenizer before the cleaner sees it (where the cleaner would let it end
/// an escape sequence), so it takes the tokenizer too; CR LF read as LF makes no difference.
fn could_be_markup(input: &str) -> bool {
    let bytes = input.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes[from..]
        .iter()
        .position(|&b| matches!(b, b'<' | b'&' | b'\0'))
    {
        let at = from + offset;
        let next = bytes.get(at + 1).copied();
        let opens = match bytes[at] {
            b'\0' => true,
            b'<' => {
                next.is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
            }
            _ => next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'#'),
        };
        if opens {
            return true;
        }
        from = at + 1;
    }
    false
}

/// Markup → the cleaner: text as it is, a space where an element separates words.
struct TextReader(Cleaner);

impl html::Reader for TextReader {
    fn start_tag(&mut self, _tag: &Tag, element: Element) {
        if element.separates_words() {
            self.0.push_char(' ');
        }
    }

    fn end_tag(&mut self, _tag: &Tag, element: Element) {
        if element.separates_words() {
            self.0.push_char(' ');
        }
    }

    fn text(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

/// Text that is already plain (links, source names) → safe one-line text: whitespace
/// collapsed, control characters, escape sequences and bidi overrides removed; no tag
/// stripping or entity decoding.
///
/// This is also the hygiene of every line the binary writes outside the TUI (errors, notes,
/// `print` fields): whatever a server, a feed or a file name puts into a message, the line
/// that reaches the terminal cannot drive it.
pub fn clean_line(input: &str) -> String {
    let mut out = Cleaner::with_capacity(input.len());
    out.push_str(input);
    out.finish()
}

/// [`clean_line`] for preformatted text: escape sequences, controls and bidi overrides are
/// removed the same way, but spaces, tabs and no-break spaces are kept where they are (so a
/// sequence with a space in its parameters is still removed whole).
pub fn clean_keeping_spacing(input: &str) -> String {
    let mut out = Cleaner::with_capacity(input.len());
    out.keep_spacing = true;
    out.push_str(input);
    out.out
}

/// The XML-legal stand-in for a C0 control character (U+0001–U+001F except TAB, LF, CR) that
/// XML forbids, even as a reference: the noncharacter U+FDD0 + the control's code.
///
/// Dropping such a control while repairing a feed would leave the rest of its escape sequence
/// (`[777;888H`, `]0;title`) behind as text; carried through as a stand-in, the cleaner here
/// reads it as the control it stands for and removes the whole sequence. Noncharacters are
/// reserved for exactly this kind of internal use and never appear in real text; any that do
/// are removed like controls.
pub fn control_stand_in(control: u8) -> Option<char> {
    match control {
        0x01..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f => {
            char::from_u32(STAND_IN_BASE + u32::from(control))
        }
        _ => None,
    }
}

/// The first of the 32 noncharacters U+FDD0–U+FDEF, one per C0 control.
const STAND_IN_BASE: u32 = 0xfdd0;

/// The control a stand-in stands for; other characters as they are.
fn restore_control(c: char) -> char {
    match c {
        '\u{fdd0}'..='\u{fdef}' => char::from_u32(u32::from(c) - STAND_IN_BASE).unwrap_or('\0'),
        c => c,
    }
}

/// Whether `c` could drive a terminal or reorder what surrounds it: C0 and C1 controls
/// (TAB, LF and CR included), DEL, explicit bidi embeddings/overrides/isolates, and the
/// stand-ins of [`control_stand_in`].
pub fn is_terminal_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || restore_control(c) != c
}

/// `text` with every [`is_terminal_control`] character percent-encoded (`ESC` → `%1B`,
/// U+202E → `%E2%80%AE`): how a URL or file name that holds controls is shown, so that the
/// reader sees what is there while the terminal sees nothing it would obey.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_terminal_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_terminal_control(c) {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

// ---------------------------------------------------------------------------------------------
// Output: whitespace collapsing and control/escape-sequence removal.
// ---------------------------------------------------------------------------------------------

/// Where the cleaner is inside a terminal escape sequence, so that the whole sequence is
/// dropped and no `[31m` residue is left behind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seq {
    None,
    /// Just after ESC.
    Esc,
    /// ESC followed by intermediate bytes (`ESC ( B`), waiting for the final byte.
    EscIntermediate,
    /// Control Sequence (`ESC [` or 8-bit CSI), waiting for the final byte.
    Csi,
    /// OSC/DCS/SOS/PM/APC payload, waiting for BEL or ST.
    Str,
}

struct Cleaner {
    out: String,
    pending_space: bool,
    seq: Seq,
    /// Spaces, tabs and no-break spaces are copied instead of collapsed.
    keep_spacing: bool,
    /// After an 8-bit string introducer: the output length and pending space before it.
    /// Mislabelled windows-1256 text decodes to exactly these code points, and losing the
    /// rest of a title to one stray byte would be worse than keeping it, so the text after
    /// one is kept until a terminator shows it was a string after all, and is then removed.
    open_string: Option<(usize, bool)>,
}

impl Cleaner {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
            pending_space: false,
            seq: Seq::None,
            keep_spacing: false,
            open_string: None,
        }
    }

    fn push_str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.seq == Seq::None {
                // Most feed text needs no decision per character; copying it in runs keeps
                // the state machine off the hot path. Runs end on ASCII or lead bytes, so
                // they always end on a char boundary.
                let run = self.run_len(&bytes[i..]);
                if run > 0 {
                    self.flush_space();
                    self.out.push_str(&s[i..i + run]);
                    i += run;
                    continue;
                }
                if bytes[i] == b' ' && !self.keep_spacing {
                    self.pending_space = true;
                    i += 1;
                    continue;
                }
            }
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            self.push_char(c);
            i += c.len_utf8();
        }
    }

    /// How many bytes from the start of `bytes` can be copied as they are: pass-through
    /// bytes, and single spaces between two of them (which collapsing would leave as they
    /// are: the one before is already out, so the space is kept when the one after comes).
    fn run_len(&self, bytes: &[u8]) -> usize {
        let passes = |b: u8| PASS_THROUGH[usize::from(b)];
        let mut len = 0;
        while let Some(&b) = bytes.get(len) {
            if passes(b) {
                len += 1;
            } else if b == b' '
                && len > 0
                && !self.keep_spacing
                && bytes.get(len + 1).is_some_and(|&next| passes(next))
            {
                // The byte after the space passes too.
                len += 2;
            } else {
                break;
            }
        }
        len
    }

    fn push_char(&mut self, c: char) {
        let c = restore_control(c);
        match self.seq {
            Seq::None => self.normal(c),
            Seq::Esc => match c {
                '[' => self.seq = Seq::Csi,
                ']' | 'P' | 'X' | '^' | '_' => self.seq = Seq::Str,
                '\x20'..='\x2f' => self.seq = Seq::EscIntermediate,
                '\x30'..='\x7e' => self.seq = Seq::None,
                _ => {
                    self.seq = Seq::None;
                    self.normal(c);
                }
            },
            Seq::EscIntermediate => match c {
                '\x20'..='\x2f' => {}
                '\x30'..='\x7e' => self.seq = Seq::None,
                _ => {
                    self.seq = Seq::None;
                    self.normal(c);
                }
            },
            Seq::Csi => match c {
                // Parameter and intermediate bytes.
                '\x20'..='\x3f' => {}
                '\x40'..='\x7e' => self.seq = Seq::None,
                // Terminals abort a sequence on anything else; the character itself counts.
                _ => {
                    self.seq = Seq::None;
                    self.normal(c);
                }
            },
            Seq::Str => match c {
                // BEL, ST, CAN, SUB end or abort the string.
                '\x07' | '\u{9c}' | '\x18' | '\x1a' => self.seq = Seq::None,
                // ESC ends the string and starts a sequence: `ESC \` (ST) is then eaten whole.
                '\x1b' => self.seq = Seq::Esc,
                _ => {}
            },
        }
    }

    fn normal(&mut self, c: char) {
        match c {
            '\x1b' => {
                // Terminals end a string at any ESC (`ESC \` is ST).
                self.close_string();
                self.seq = Seq::Esc;
            }
            '\u{9b}' => self.seq = Seq::Csi,
            // BEL, ST, CAN, SUB: the end of a string, if one is open.
            '\x07' | '\u{9c}' | '\x18' | '\x1a' => self.close_string(),
            c if is_8bit_string_introducer(c) => {
                if self.open_string.is_none() {
                    self.open_string = Some((self.out.len(), self.pending_space));
                }
            }
            ' ' | '\t' | '\u{a0}' | '\u{2007}' | '\u{202f}' if self.keep_spacing => {
                self.out.push(c)
            }
            c if is_no_break_space(c) => {
                // A leading no-break space binds nothing; trailing ones are trimmed in finish.
                if !self.out.is_empty() {
                    self.flush_space();
                    self.out.push(c);
                }
            }
            // Before the control check: TAB, LF, CR, FF, VT and NEL separate words.
            c if c.is_whitespace() => self.pending_space = true,
            c if is_terminal_control(c) || is_noncharacter(c) => {}
            c => {
                self.flush_space();
                self.out.push(c);
            }
        }
    }

    /// An open 8-bit string turned out to be one: what was kept of it goes.
    fn close_string(&mut self) {
        if let Some((len, pending_space)) = self.open_string.take() {
            self.out.truncate(len);
            self.pending_space = pending_space;
        }
    }

    fn flush_space(&mut self) {
        if self.pending_space {
            self.pending_space = false;
            if !self.out.is_empty() {
                self.out.push(' ');
            }
        }
    }

    fn finish(mut self) -> String {
        while self
            .out
            .ends_with(|c: char| c == ' ' || is_no_break_space(c))
        {
            self.out.pop();
        }
        super::cluster::cap_clusters(self.out)
    }
}

/// Bytes that can be copied without looking at the character they belong to: printable
/// ASCII except space, and UTF-8 bytes other than the lead bytes of the only multi-byte
/// characters that need a decision (C1 controls and NBSP: C2; U+1680: E1; U+2000–U+206F:
/// E2; U+3000: E3; control stand-ins and other noncharacters: EF). Arabic, Latin, Cyrillic
/// and CJK text stays on the fast path.
const PASS_THROUGH: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b, 0x21..=0x7e)
            || (b >= 0x80 && !matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3 | 0xef));
        b += 1;
    }
    table
};

/// DCS, SOS, OSC, PM and APC in their 8-bit form: each opens a string that runs to a
/// terminator.
fn is_8bit_string_introducer(c: char) -> bool {
    matches!(c, '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}')
}

/// The noncharacters of the Basic Multilingual Plane (U+FDD0–U+FDEF, U+FFFE, U+FFFF) are for
/// internal use and have no place on a screen.
fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}')
}

/// NBSP and its narrow/figure siblings are kept: they are chosen deliberately (French
/// punctuation, numbers with units) and must not become breakable spaces.
fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Explicit embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI):
/// feed text must not reorder what surrounds it. The implicit marks LRM, RLM and ALM stay.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_forbidden(c: char) -> bool {
        c.is_control() || is_bidi_control(c) || is_noncharacter(c)
    }

    /// Escape sequences of every kind, with parameters made of what the surrounding text in
    /// the tests never holds (digits, punctuation, capitals), so residue shows.
    const INJECTED: &[&str] = &[
        "\x1b[777;888H",
        "\x1b]0;PWN\x07",
        "\x1b]0;PWN\x1b\\",
        "\x1b]52;c;AAAA\x07",
        "\x1b]8;;HTTP://E.X/\x1b\\",
        "\x1bP1$R\x1b\\",
        "\x1b_APC\x1b\\",
        "\x1b^PM\x1b\\",
        "\x1bXSOS\x1b\\",
        "\x1b(B",
        "\x1b[?1049H",
        "\u{9b}31;1M",
        "\u{9d}0;PWN\x07",
        "\u{9d}0;PWN\u{9c}",
        "\u{90}1$R\u{9c}",
    ];

    #[test]
    fn escape_sequences_are_removed_whole() {
        let title = "Breaking\x1b[2J news\x1b]0;pwned\x07 here\x1b]8;;http://evil\x1b\\click\
                     \x1b]8;;\x1b\\ \u{9b}31mred\x1b[0m";
        for out in [plain_text(title), clean_line(title)] {
            assert_eq!(out, "Breaking news hereclick red");
            assert!(!out.chars().any(is_forbidden), "{out:?}");
            for residue in ["[2J", "pwned", "evil", "31m", "]8", "\\"] {
                assert!(!out.contains(residue), "{residue} left in {out:?}");
            }
        }
    }

    #[test]
    fn other_escape_forms_are_removed_whole() {
        // DCS, SOS, PM, APC with ST; charset designation; 2-char ESC; 8-bit ST.
        let s = "a\x1bPq#0;2;0;0;0\x1b\\b\x1bXsos\x1b\\c\x1b^pm\x1b\\d\x1b_apc\x1b\\e\x1b(Bf\x1bMg";
        assert_eq!(clean_line(s), "abcdefg");
        assert_eq!(clean_line("a\x1b]0;t\u{9c}b"), "ab");
        // Unterminated CSI is cut at the first non-CSI character, which survives.
        assert_eq!(clean_line("x\x1b[12;\u{627}"), "x\u{627}");
        assert_eq!(clean_line("x\u{9b}"), "x");
        // CAN aborts a string.
        assert_eq!(clean_line("x\x1b]0;t\x18y"), "xy");
    }

    #[test]
    fn stand_ins_are_read_as_the_controls_they_stand_for() {
        let esc = control_stand_in(0x1b).unwrap();
        let bel = control_stand_in(0x07).unwrap();
        let title = format!("A{esc}[777;888H{esc}]0;PWN{bel}B {esc}P1$r{esc}\\C");
        assert_eq!(clean_line(&title), "AB C");
        assert_eq!(plain_text(&title), "AB C");
        // TAB, LF, CR and NUL have none: XML allows the first three, and NUL is never text.
        assert_eq!(
            [0x00, 0x09, 0x0a, 0x0d].map(control_stand_in),
            [None, None, None, None]
        );
        // Stray noncharacters are removed like controls.
        assert_eq!(clean_line("a\u{fdef}b\u{fffe}c\u{ffff}d"), "abcd");
    }

    #[test]
    fn terminated_8bit_strings_are_removed_whole() {
        assert_eq!(clean_line("a\u{9d}0;PWN\x07b"), "ab");
        assert_eq!(clean_line("a\u{9d}52;c;AAAA\u{9c}b"), "ab");
        assert_eq!(clean_line("a\u{90}1$r\x1b\\b \u{9f}x\x07c"), "ab c");
        // Without a terminator the introducer alone goes: mislabelled windows-1256 text
        // decodes to these code points, and the rest of the title is text.
        assert_eq!(
            clean_line("\u{6af}\u{90}\u{9d}\u{6a9} \u{645}"),
            "\u{6af}\u{6a9} \u{645}"
        );
    }

    #[test]
    fn spacing_can_be_kept() {
        assert_eq!(
            clean_keeping_spacing("  a\tb\u{a0} \x1b]0;a b c\x07 \x1b[1mx\u{202e}  "),
            "  a\tb\u{a0}  x  "
        );
    }

    #[test]
    fn controls_are_escaped_visibly() {
        assert_eq!(
            escape_controls("file:///tmp/x\x1b]0;PWN\x07\u{202e}\u{9b}\t%1B"),
            "file:///tmp/x%1B]0;PWN%07%E2%80%AE%C2%9B%09%1B"
        );
        assert!(matches!(
            escape_controls("https://example.org/\u{627}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn controls_whitespace_and_bidi_overrides() {
        assert_eq!(clean_line("  a\t\tb\r\n c\u{2028}d\u{85}e  "), "a b c d e");
        assert_eq!(clean_line("a\x00b\x7fc\u{80}d\u{9f}e\x08f"), "abcdef");
        assert_eq!(
            clean_line(
                "\u{202e}evil\u{202c} \u{2066}x\u{2069} \u{202a}\u{202b}\u{202d}\u{2067}\u{2068}y"
            ),
            "evil x y"
        );
        // Implicit marks, joiners and no-break spaces are text.
        let kept = "a\u{200e}b\u{200f}c\u{61c}d\u{200d}e\u{200c}f\u{a0}g\u{202f}h";
        assert_eq!(clean_line(kept), kept);
        // No-break spaces at the ends bind nothing.
        assert_eq!(plain_text("&nbsp; Title &nbsp;"), "Title");
        assert_eq!(clean_line(""), "");
        assert_eq!(clean_line(" \t\n"), "");
    }

    #[test]
    fn arabic_with_harakat_and_zwnj_is_preserved() {
        let arabic = "\u{627}\u{644}\u{652}\u{62e}\u{64e}\u{628}\u{64e}\u{631}\u{64f} \
                      \u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}";
        assert_eq!(plain_text(arabic), arabic);
        assert_eq!(clean_line(arabic), arabic);
        assert_eq!(plain_text(&format!("<p>{arabic}</p>")), arabic);
    }

    #[test]
    fn entities() {
        assert_eq!(
            plain_text("AT&amp;T &lt;3 &quot;q&quot; &apos;"),
            "AT&T <3 \"q\" '"
        );
        assert_eq!(plain_text("&#1575;&#x644;&#X639;"), "\u{627}\u{644}\u{639}");
        assert_eq!(plain_text("caf&eacute; &hellip; &mdash;"), "café … —");
        assert_eq!(
            plain_text("&amp &lt &gt &quot &copy 2025"),
            "& < > \" © 2025"
        );
        assert_eq!(plain_text("&#39s &#x27t"), "'s 't");
        assert_eq!(plain_text("a&nbsp;b"), "a\u{a0}b");
        // Windows-1252 reading of C1 references, replacement of the impossible.
        assert_eq!(plain_text("a&#150;b&#146;s"), "a\u{2013}b\u{2019}s");
        assert_eq!(
            plain_text("&#0;&#xD800;&#99999999999;"),
            "\u{fffd}\u{fffd}\u{fffd}"
        );
        // Not references: left alone.
        assert_eq!(
            plain_text("Q&A, R&D, a & b, &unknown; &#; &#x; &"),
            "Q&A, R&D, a & b, &unknown; &#; &#x; &"
        );
        // The legacy names need no semicolon even before a letter, as in browsers.
        assert_eq!(
            plain_text("&ampx &regional &notit;"),
            "&x \u{ae}ional \u{ac}it;"
        );
        assert_eq!(plain_text("&unknown &Amp; &AMP"), "&unknown &Amp; &");
    }

    #[test]
    fn escaped_markup_decodes_to_text() {
        assert_eq!(plain_text("&lt;b&gt;x&lt;/b&gt;"), "<b>x</b>");
        assert_eq!(
            plain_text("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "<script>alert(1)</script>"
        );
    }

    #[test]
    fn entities_cannot_smuggle_controls() {
        assert_eq!(
            plain_text("a&#27;[31mb&#x202E;c&#9;d&#155;e&#x9b;f&#13;&#10;g"),
            "abc d\u{203a}e\u{203a}f g"
        );
        assert_eq!(plain_text("x&#x1b;]0;pwned&#7;y"), "xy");
    }

    #[test]
    fn tags() {
        assert_eq!(
            plain_text("<p>Hello <b>bold</b> world</p>"),
            "Hello bold world"
        );
        assert_eq!(
            plain_text("one<br>two<br/>three<BR />four"),
            "one two three four"
        );
        assert_eq!(plain_text("<div>a</div><div>b</div><li>c</li>"), "a b c");
        assert_eq!(plain_text("in<i>line</i>d"), "inlined");
        assert_eq!(plain_text("a<!-- hidden <b> -->b<!---->c<!-->d"), "abcd");
        assert_eq!(
            plain_text("<script>if (a < b) { x = '</p>'; }</script>ok"),
            "ok"
        );
        assert_eq!(plain_text("<STYLE type=text/css>p > a {}</Style >ok"), "ok");
        assert_eq!(plain_text("<a title=\"x > y\" href='a>b'>link</a>"), "link");
        assert_eq!(plain_text("<img alt = \">\" src=x>pic"), "pic");
        assert_eq!(
            plain_text("<!DOCTYPE html><?xml version=\"1.0\"?>doc"),
            "doc"
        );
        assert_eq!(plain_text("<![CDATA[wrapped <b>]]>"), "wrapped <b>");
        assert_eq!(plain_text("a</>b</ 3>c"), "abc");
    }

    #[test]
    fn elements_without_text_leave_nothing() {
        // Hidden as in a browser: no text, and no word break either.
        assert_eq!(plain_text("a<script>x()</script>b"), "ab");
        assert_eq!(
            plain_text("<title>Page</title><noscript>Enable JS</noscript>Story"),
            "Story"
        );
        assert_eq!(plain_text("a<textarea><b>&amp;</b></textarea>b"), "ab");
        // Shown raw text is text, markup and all.
        assert_eq!(plain_text("<xmp><b>&amp;</b></xmp>"), "<b>&amp;</b>");
        assert_eq!(plain_text("x<plaintext><p>y</p>"), "x <p>y</p>");
    }

    #[test]
    fn block_elements_keep_words_apart() {
        assert_eq!(
            plain_text("a<legend>b</legend><menu><li>c</menu>d<td>e<th>f<hr>g"),
            "a b c d e f g"
        );
        assert_eq!(
            plain_text("a<span>b</span><a href=x>c</a><img src=y>d"),
            "abcd"
        );
    }

    #[test]
    fn lone_angle_brackets_are_text() {
        assert_eq!(plain_text("5 < 6 and 7 > 3"), "5 < 6 and 7 > 3");
        assert_eq!(plain_text("a <3 b <"), "a <3 b <");
        assert_eq!(plain_text("x <\u{628}> y"), "x <\u{628}> y");
        assert_eq!(plain_text("a</"), "a</");
    }

    #[test]
    fn broken_and_nested_tags() {
        assert_eq!(plain_text("<b><i>x</b></i>"), "x");
        assert_eq!(plain_text("<<b>>x"), "<>x");
        assert_eq!(plain_text("before<b unclosed"), "before");
        assert_eq!(plain_text("before<a href=\"never closed>x"), "before");
        assert_eq!(plain_text("a<!-- unterminated"), "a");
        assert_eq!(plain_text("a<script>never closed"), "a");
        assert_eq!(plain_text("<a don't>x</a>"), "x");
        assert_eq!(plain_text("<p\n class=x\n>multi\nline</p\n>"), "multi line");
    }

    #[test]
    fn hostile_repetition_stays_linear() {
        // Quadratic behaviour would take seconds on these.
        let n = 200_000;
        for s in [
            "<!--".repeat(n),
            "<a x='".repeat(n),
            "<script>".repeat(n),
            "&#".repeat(n),
            "&amp".repeat(n),
            "<".repeat(n),
            "\x1b]".repeat(n),
            format!("&{}", "a".repeat(n)),
        ] {
            let started = std::time::Instant::now();
            let _ = plain_text(&s);
            // A hang guard against quadratic work, generous so that a loaded machine passes.
            assert!(started.elapsed().as_secs() < 20);
        }
    }

    #[test]
    fn text_that_is_not_markup_skips_the_tokenizer() {
        for text in [
            "5 < 6 & 7 > 3",
            "a <3 b <",
            "Tom & Jerry",
            "x <\u{628}> &",
            "50% &",
        ] {
            assert!(!could_be_markup(text), "{text:?}");
            assert_eq!(plain_text(text), markup_to_plain_text(text));
        }
        for text in ["a<b", "</", "<!", "<?", "&a", "&#", "&1"] {
            assert!(could_be_markup(text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn the_fast_path_reads_as_the_tokenizer_does(
            s in r#"([<>&#;/!?a-z0-9 \r\n\t\x00\u{feff}\u{a0}\x1b\u{627}]){0,30}"#
        ) {
            if !could_be_markup(&s) {
                prop_assert_eq!(plain_text(&s), markup_to_plain_text(&s));
            }
        }

        #[test]
        fn runs_are_copied_as_characters_would_be_pushed(
            s in r#"([a-z ,.\u{627}\u{644}\u{4e00}\t\n\u{a0}\u{202f}\u{202e}\x1b\[\]\x07\u{9b}\u{9d}\u{9c}0-9;]){0,40}"#,
            keep_spacing in any::<bool>(),
        ) {
            let mut runs = Cleaner::with_capacity(s.len());
            runs.keep_spacing = keep_spacing;
            runs.push_str(&s);
            let mut chars = Cleaner::with_capacity(s.len());
            chars.keep_spacing = keep_spacing;
            for c in s.chars() {
                chars.push_char(c);
            }
            prop_assert_eq!(runs.out, chars.out);
        }

        #[test]
        fn the_quick_path_cleans_as_the_tokenizer_does(
            s in crate::text::quick_html::tests::markup(),
            control in r#"(\x1b\[|\x1b\]|\x1b|\u{9b}|\u{9d}|\x07|\u{202e}|\u{a0}|\u{fdd0}|\u{fffe})?"#,
            at in 0usize..64,
        ) {
            // Controls and escape sequences around and across tags and references.
            let mut s = s;
            let at = crate::text::html::floor_char_boundary(&s, at);
            s.insert_str(at, &control);
            if let Some(quick) = quick_plain_text(&s) {
                prop_assert_eq!(quick, tokenized_plain_text(&s), "{:?}", s);
            }
        }

        #[test]
        fn output_is_clean(s in any::<String>()) {
            for out in [plain_text(&s), clean_line(&s)] {
                prop_assert!(!out.chars().any(is_forbidden), "{:?}", out);
                prop_assert!(!out.starts_with(' ') && !out.ends_with(' '));
                prop_assert!(!out.contains("  "));
                prop_assert!(!out.chars().any(|c| c.is_whitespace() && c != ' ' && !is_no_break_space(c)));
            }
        }

        #[test]
        fn output_is_clean_for_markup_like_input(
            s in r#"([<>&;#x/!?\-\[\]'"= a-z0-9\x1b\x07\u{9b}\u{9c}\u{202e}\u{a0}\t\n]|&amp;|<br>|<script>|</script>|<!--|-->|&#27;|&#x9b;){0,40}"#
        ) {
            let out = plain_text(&s);
            prop_assert!(!out.chars().any(is_forbidden), "{:?}", out);
            prop_assert!(!out.starts_with(' ') && !out.ends_with(' '));
            prop_assert!(!out.contains("  "));
            if !out.contains(['<', '&']) {
                prop_assert_eq!(plain_text(&out), out.clone());
            }
        }

        #[test]
        fn injected_sequences_leave_no_residue(
            pieces in proptest::collection::vec(("[a-z\u{621}-\u{64a} ]{0,8}", 0..INJECTED.len(), 0..3usize), 1..8)
        ) {
            let esc = control_stand_in(0x1b).unwrap_or('\x1b');
            let bel = control_stand_in(0x07).unwrap_or('\x07');
            let mut text = String::new();
            for (words, which, form) in &pieces {
                text.push_str(words);
                let sequence = INJECTED[*which];
                // Raw, as the stand-ins a repaired feed carries, and as references.
                match form {
                    0 => text.push_str(sequence),
                    1 => text.push_str(&sequence.replace('\x1b', &esc.to_string()).replace('\x07', &bel.to_string())),
                    _ => text.push_str(&sequence.replace('\x1b', "&#27;").replace('\x07', "&#x7;")),
                }
            }
            let mut outputs = vec![plain_text(&text)];
            // References are decoded by plain_text only.
            if pieces.iter().all(|&(_, _, form)| form < 2) {
                outputs.push(clean_line(&text));
                outputs.push(clean_keeping_spacing(&text));
            }
            for out in outputs {
                prop_assert!(!out.chars().any(is_forbidden), "{:?}", out);
                prop_assert!(
                    !out.chars().any(|c| c.is_ascii_punctuation() || c.is_ascii_digit() || c.is_ascii_uppercase()),
                    "{:?} left {:?}", text, out
                );
            }
        }

        #[test]
        fn idempotent_on_own_output(s in any::<String>()) {
            let out = plain_text(&s);
            if !out.contains(['<', '&']) {
                prop_assert_eq!(plain_text(&out), out.clone());
            }
            let line = clean_line(&s);
            prop_assert_eq!(clean_line(&line), line.clone());
        }
    }
}
