//! The one reader of HTML here: html5ever's tokenizer, driven for every user, and the one
//! table of what each element does to the text around it.
//!
//! Feed titles and summaries ([`crate::text::sanitize::plain_text`]) and article bodies
//! ([`crate::article::article_from_html`]) both read markup through [`read`], so a tag,
//! a comment or a character reference means the same in a headline as in the article pane,
//! and means what it means in a browser: the tokenizer decodes the HTML5 named references,
//! numeric ones (windows-1252 for 0x80–0x9F, U+FFFD for the impossible) and the legacy
//! names browsers accept without a semicolon.
//!
//! Feed text made only of plain tags and the usual references takes a shortcut first
//! ([`super::quick_html`]): it reads that subset exactly as this does, from the same table,
//! and hands anything else back here whole.
//!
//! Only the tokenizer is used, never the tree builder: the tree builder's scope searches
//! make deeply nested input quadratic. What users need of tree building (which start tags
//! end an open paragraph) is a column of the table instead.

use std::cell::{Cell, RefCell};

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::TokenizerOpts;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};
pub use html5ever::tokenizer::{Tag, TagKind};

/// The tokenizer is fed in pieces of this size, so that a reader that has seen enough
/// ([`Reader::is_done`]) stops the work on a huge input.
const CHUNK_BYTES: usize = 64 * 1024;

/// What an element does to the flow of text around and inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Flows with the text around it (`b`, `span`, unknown elements).
    Inline,
    /// Ends the current paragraph at its start and at its end (`p`, `div`, `section`, …).
    Block,
    /// `h1`–`h6`.
    Heading,
    /// `blockquote`.
    Quote,
    /// `figcaption`, table `caption`.
    Caption,
    /// `pre`, `listing`, `xmp`, `plaintext`: spacing and line breaks are content.
    Preformatted,
    /// `li`.
    ListItem,
    /// `ol`, and `ul`, `menu`, `dir` unordered.
    List { ordered: bool },
    /// `tr`: a row of cells.
    Row,
    /// `td`, `th`: cells, apart from each other within their row.
    Cell,
    /// `a`.
    Link,
    /// `br` (and `</br>`, which HTML reads as `<br>`).
    LineBreak,
    /// `hr`.
    Rule,
    /// `img` (and `image`, which HTML reads as `img`).
    Image,
    /// Page furniture a reading view leaves out with its content: navigation, forms,
    /// controls, embedded media. `block` for the ones laid out as blocks.
    Chrome { block: bool },
}

/// How the tokenizer reads an element's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Markup, as usual.
    Markup,
    /// A void element: no content and no end tag (`br`, `img`, `meta`, …).
    Void,
    /// Read as text up to the element's end tag; `shown` is false for content that is code
    /// or metadata rather than text (`script`, `style`, `title`, …), which is never shown.
    Raw { kind: RawKind, shown: bool },
    /// `plaintext`: everything after the start tag is text.
    Plaintext,
    /// SVG and MathML: a self-closing start tag (`<svg/>`) is complete in itself.
    Foreign,
}

/// One row of the element table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element {
    pub layout: Layout,
    pub content: Content,
    /// Its start tag ends an open `p` (the tree builder's "close a p element").
    pub closes_p: bool,
}

impl Element {
    /// Whether the words before and after the element's start or end tag are apart when
    /// rendered: every block, list, table part, line break and rule, and block furniture.
    pub fn separates_words(self) -> bool {
        !matches!(
            self.layout,
            Layout::Inline | Layout::Link | Layout::Image | Layout::Chrome { block: false }
        )
    }

    /// Whether the element's content is dropped by the tokenizer driver, unseen by readers.
    fn is_hidden_raw_text(self) -> bool {
        matches!(self.content, Content::Raw { shown: false, .. })
    }
}

const fn row(layout: Layout, content: Content, closes_p: bool) -> Element {
    Element {
        layout,
        content,
        closes_p,
    }
}

const INLINE: Element = row(Layout::Inline, Content::Markup, false);
const BLOCK: Element = row(Layout::Block, Content::Markup, true);
const VOID: Element = row(Layout::Inline, Content::Void, false);

const fn hidden(kind: RawKind) -> Element {
    row(Layout::Inline, Content::Raw { kind, shown: false }, false)
}

/// The element table. `name` is a tag name as the tokenizer gives it (ASCII-lowercased);
/// anything not listed is an inline element.
pub fn element(name: &str) -> Element {
    element_of(name.as_bytes())
}

/// [`element`] for a name as bytes (ASCII-lowercased).
pub fn element_of(name: &[u8]) -> Element {
    use Layout::*;
    match name {
        // Blocks that end an open paragraph.
        b"address" | b"article" | b"center" | b"details" | b"div" | b"dl" | b"fieldset"
        | b"figure" | b"footer" | b"header" | b"hgroup" | b"main" | b"p" | b"search"
        | b"section" | b"summary" | b"dd" | b"dt" => BLOCK,
        // Blocks that leave an open paragraph alone.
        b"legend" | b"body" | b"html" | b"thead" | b"tbody" | b"tfoot" => {
            row(Block, Content::Markup, false)
        }
        b"table" => BLOCK,
        b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => row(Heading, Content::Markup, true),
        b"blockquote" => row(Quote, Content::Markup, true),
        b"figcaption" => row(Caption, Content::Markup, true),
        b"caption" => row(Caption, Content::Markup, false),
        b"pre" | b"listing" => row(Preformatted, Content::Markup, true),
        b"xmp" => row(
            Preformatted,
            Content::Raw {
                kind: RawKind::Rawtext,
                shown: true,
            },
            true,
        ),
        b"plaintext" => row(Preformatted, Content::Plaintext, true),
        b"li" => row(ListItem, Content::Markup, true),
        b"ol" => row(List { ordered: true }, Content::Markup, true),
        b"ul" | b"menu" | b"dir" => row(List { ordered: false }, Content::Markup, true),
        b"tr" => row(Row, Content::Markup, false),
        b"td" | b"th" => row(Cell, Content::Markup, false),
        b"a" => row(Link, Content::Markup, false),
        b"br" => row(LineBreak, Content::Void, false),
        b"hr" => row(Rule, Content::Void, true),
        b"img" | b"image" => row(Image, Content::Void, false),
        b"area" | b"base" | b"col" | b"embed" | b"input" | b"keygen" | b"link" | b"meta"
        | b"param" | b"source" | b"track" | b"wbr" => VOID,
        b"nav" | b"aside" | b"form" | b"dialog" => {
            row(Chrome { block: true }, Content::Markup, true)
        }
        b"template" => row(Chrome { block: true }, Content::Markup, false),
        b"svg" => row(Chrome { block: false }, Content::Foreign, false),
        b"button" | b"select" | b"object" | b"video" | b"audio" | b"canvas" | b"map" => {
            row(Chrome { block: false }, Content::Markup, false)
        }
        b"math" => row(Inline, Content::Foreign, false),
        b"script" => hidden(RawKind::ScriptData),
        b"style" | b"noscript" | b"iframe" | b"noembed" | b"noframes" => hidden(RawKind::Rawtext),
        b"textarea" | b"title" => hidden(RawKind::Rcdata),
        _ => INLINE,
    }
}

/// What a user of [`read`] does with the markup's tokens.
pub trait Reader {
    /// A start tag, with its row of the table. Elements whose content is never shown
    /// (`script`, `style`, …) are not reported at all, neither tag nor content.
    fn start_tag(&mut self, tag: &Tag, element: Element);
    fn end_tag(&mut self, tag: &Tag, element: Element);
    /// Text, character references decoded.
    fn text(&mut self, text: &str);
    /// A comment, a doctype or a NUL: nothing to show, but a token between its neighbours
    /// all the same (the newline right after `<pre>` is dropped only if no token comes first).
    fn other(&mut self) {}
    /// The input ended; called once, after everything else.
    fn end(&mut self) {}
    /// The reader has seen enough; the rest of the input may be skipped.
    fn is_done(&self) -> bool {
        false
    }
}

/// How markup that HTML and XML read differently is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// As a browser reads an HTML body: `<![CDATA[…]]>` is a comment, a leading byte order
    /// mark is dropped.
    Html,
    /// Markup inside an XML text field (a feed's title or summary): `<![CDATA[…]]>` wraps
    /// text, as in the XML the field came from, and every character counts.
    FeedText,
}

/// Tokenizes `html` and hands its tokens to `reader`, which is returned at the end.
///
/// Raw-text elements are switched into their tokenizer states by the table, and the ones
/// whose content is never shown are dropped here, so a reader sees only what could be text.
pub fn read<R: Reader>(html: &str, mut reader: R, dialect: Dialect) -> R {
    read_into(html, &mut reader, dialect);
    reader
}

/// [`read`] behind one `dyn Reader`: html5ever's tokenizer is generic over its sink, and one
/// copy of it per reader was 30 KB of binary each; a call through a vtable per token costs
/// nothing next to the tokenizer's own work.
fn read_into(html: &str, reader: &mut dyn Reader, dialect: Dialect) {
    let opts = TokenizerOpts {
        discard_bom: dialect == Dialect::Html,
        ..TokenizerOpts::default()
    };
    let sink = Sink {
        reader: RefCell::new(reader),
        in_hidden_raw_text: Cell::new(false),
        cdata_is_text: dialect == Dialect::FeedText,
    };
    let tokenizer = Tokenizer::new(sink, opts);
    let queue = BufferQueue::default();
    let mut rest = html;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(floor_char_boundary(rest, CHUNK_BYTES));
        rest = tail;
        queue.push_back(StrTendril::from_slice(chunk));
        // The sink never pauses for scripts or encodings; the loop only honours the
        // tokenizer's contract.
        while !matches!(tokenizer.feed(&queue), TokenizerResult::Done) {}
        if tokenizer.sink.reader.borrow().is_done() {
            break;
        }
    }
    tokenizer.end();
}

/// The largest char boundary of `text` at or below `at`.
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut at = at;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The tokenizer's sink; the tokenizer calls it with `&self`.
struct Sink<'a> {
    reader: RefCell<&'a mut dyn Reader>,
    /// Inside `<script>`, `<style>` and the like: the tokenizer gives nothing but their text
    /// until their end tag.
    in_hidden_raw_text: Cell<bool>,
    cdata_is_text: bool,
}

impl TokenSink for Sink<'_> {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                if self.in_hidden_raw_text.get() {
                    // In raw text the tokenizer's only end tag is the one that ends it.
                    self.in_hidden_raw_text.set(false);
                    return TokenSinkResult::Continue;
                }
                let element = element(&tag.name);
                match tag.kind {
                    TagKind::StartTag => {
                        if element.is_hidden_raw_text() {
                            self.in_hidden_raw_text.set(true);
                        } else {
                            self.reader.borrow_mut().start_tag(&tag, element);
                        }
                        return match element.content {
                            // A self-closing `<script/>` is a start tag all the same in HTML.
                            Content::Raw { kind, .. } => TokenSinkResult::RawData(kind),
                            Content::Plaintext => TokenSinkResult::Plaintext,
                            Content::Markup | Content::Void | Content::Foreign => {
                                TokenSinkResult::Continue
                            }
                        };
                    }
                    TagKind::EndTag => self.reader.borrow_mut().end_tag(&tag, element),
                }
            }
            Token::CharacterTokens(text) => {
                if !self.in_hidden_raw_text.get() {
                    self.reader.borrow_mut().text(&text);
                }
            }
            Token::EOFToken => self.reader.borrow_mut().end(),
            Token::DoctypeToken(_) | Token::CommentToken(_) | Token::NullCharacterToken => {
                if !self.in_hidden_raw_text.get() {
                    self.reader.borrow_mut().other();
                }
            }
            Token::ParseError(_) => {}
        }
        TokenSinkResult::Continue
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        // What makes the tokenizer read `<![CDATA[` as the start of a CDATA section.
        self.cdata_is_text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what a reader is told, as a compact trace.
    #[derive(Default)]
    struct Trace(String, usize);

    impl Reader for Trace {
        fn start_tag(&mut self, tag: &Tag, _element: Element) {
            self.0.push_str(&format!("<{}>", &*tag.name));
        }
        fn end_tag(&mut self, tag: &Tag, _element: Element) {
            self.0.push_str(&format!("</{}>", &*tag.name));
        }
        fn text(&mut self, text: &str) {
            self.0.push_str(text);
        }
        fn end(&mut self) {
            self.1 += 1;
        }
    }

    fn trace(html: &str, dialect: Dialect) -> String {
        let trace = read(html, Trace::default(), dialect);
        assert_eq!(trace.1, 1, "end is called once");
        trace.0
    }

    #[test]
    fn hidden_raw_text_is_dropped_whole() {
        assert_eq!(
            trace(
                "a<script>if (a < b) '</p>'</script>b<style>p>a{}</STYLE >c",
                Dialect::Html
            ),
            "abc"
        );
        assert_eq!(trace("a<title>x &amp; y</title>b", Dialect::Html), "ab");
        assert_eq!(trace("a<script>never closed", Dialect::Html), "a");
        // Shown raw text comes through as text, markup and all.
        assert_eq!(
            trace("<xmp><b>x</b></xmp>y", Dialect::Html),
            "<xmp><b>x</b></xmp>y"
        );
        assert_eq!(
            trace("<plaintext><b>x</b></plaintext>", Dialect::Html),
            "<plaintext><b>x</b></plaintext>"
        );
    }

    #[test]
    fn references_decode_as_browsers_do() {
        assert_eq!(
            trace(
                "&amp;&lt;&eacute;&#x41;&#66;&#150;&#0;&notit; &ampx &copy2025",
                Dialect::Html
            ),
            "&<\u{e9}AB\u{2013}\u{fffd}\u{ac}it; &x \u{a9}2025"
        );
        assert_eq!(
            trace("Q&A &unknown; &#; &", Dialect::Html),
            "Q&A &unknown; &#; &"
        );
    }

    #[test]
    fn cdata_depends_on_the_dialect() {
        assert_eq!(
            trace("a<![CDATA[<b>x</b>]]>c", Dialect::FeedText),
            "a<b>x</b>c"
        );
        // A browser reads a bogus comment up to the first `>`.
        assert_eq!(trace("a<![CDATA[x]]>c", Dialect::Html), "ac");
        assert_eq!(trace("\u{feff}x<b>", Dialect::FeedText), "\u{feff}x<b>");
        assert_eq!(trace("\u{feff}x<b>", Dialect::Html), "x<b>");
    }

    #[test]
    fn the_table_agrees_with_itself() {
        for name in [
            "p",
            "div",
            "li",
            "ol",
            "ul",
            "h1",
            "h6",
            "blockquote",
            "pre",
            "table",
            "tr",
            "td",
            "br",
            "hr",
            "nav",
            "form",
            "xmp",
            "plaintext",
        ] {
            assert!(element(name).separates_words(), "{name}");
        }
        for name in [
            "b",
            "span",
            "a",
            "img",
            "svg",
            "button",
            "custom-element",
            "math",
        ] {
            assert!(!element(name).separates_words(), "{name}");
        }
        for name in ["br", "hr", "img", "meta", "wbr", "input"] {
            assert_eq!(element(name).content, Content::Void, "{name}");
        }
        for name in ["script", "style", "textarea", "title", "noscript", "iframe"] {
            assert!(element(name).is_hidden_raw_text(), "{name}");
        }
        assert!(!element("xmp").is_hidden_raw_text());
    }
}
