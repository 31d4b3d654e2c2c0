//! A feed item's body (HTML or plain text) as readable text blocks for the article pane.
//!
//! The body comes from strangers, so this module guarantees three things whatever it is
//! given: no text that can drive the terminal (every block passes through
//! [`clean_line`]), bounded output ([`MAX_BLOCKS`] blocks, [`MAX_TEXT_BYTES`] of text), and
//! time and memory linear in the input.
//!
//! Markup is read by the HTML layer ([`crate::text::html`]): html5ever's tokenizer and the
//! element table that feed titles and summaries are read with too.
//!
//! The last point is why the tokenizer is used without html5ever's tree builder: the tree
//! builder scans the whole stack of open elements for every block start tag ("is there a p
//! in button scope?"), so 100,000 nested `<div>`s took minutes. Here the tokens are walked
//! with a stack of our own, capped at [`MAX_DEPTH`], and each stack entry carries the
//! position of the nearest open `p`, `li`, `a`, row and cell, so that the implied end tags
//! that matter for text (`<p>a<p>b`, `<li>a<li>b`, `<td>a<td>b`) cost O(1). What the tree
//! builder does beyond that (moving misplaced table text, re-nesting misnested formatting)
//! changes markup, not which words end up in which paragraph.

use std::collections::HashMap;

use html5ever::LocalName;
use unicode_width::UnicodeWidthStr;
use url::Url;

use crate::text::html::{self, Content, Dialect, Element, Layout, Tag, floor_char_boundary};
use crate::text::sanitize::{clean_keeping_spacing, clean_line};

mod page;
mod shape;
pub use page::{
    MAX_PAGE_BYTES, MAX_PAGE_DEPTH, MAX_PAGE_ELEMENTS, Page, PageError, extract_page,
    extract_selected, paragraphs_text,
};

/// At most this many blocks, the closing "…" included.
pub const MAX_BLOCKS: usize = 1_000;
/// At most this many bytes of block text and link URLs together, the closing "…" aside.
pub const MAX_TEXT_BYTES: usize = 200 * 1024;
/// Elements nested deeper than this are not tracked: a block start still ends the current
/// paragraph, but the element sets no kind and its end tag closes an outer namesake.
/// Browsers stop nesting at 512 too.
pub const MAX_DEPTH: usize = 512;
/// The closing block of a truncated article.
pub const ELLIPSIS: &str = "…";

const TAB_STOP: usize = 8;

/// What a block is, for the layout to indent, mark or style it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BlockKind {
    Paragraph,
    Heading,
    Quote,
    /// `number` counts from the list's `start` (or 1) for unordered lists too; `depth` is 0
    /// for a top-level list. A list item of several paragraphs gives several blocks with
    /// the same number.
    ListItem {
        ordered: bool,
        number: usize,
        depth: usize,
    },
    /// One line of a `<pre>`, tabs expanded, spacing kept; may be empty between lines.
    Preformatted,
    /// A `<figcaption>` or table `<caption>`.
    Caption,
}

/// One paragraph of plain, terminal-safe text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    /// One line of text; a link's text is followed by " [n]", its number in
    /// [`Article::links`].
    pub text: String,
}

/// A body as blocks plus the links they refer to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    pub blocks: Vec<Block>,
    /// Absolute http, https or mailto URLs; `links[n - 1]` is reference `[n]`.
    pub links: Vec<String>,
}

/// Turns a feed item's body into blocks. `base` (the item's link, usually) resolves
/// relative hrefs; without it only absolute ones become references.
///
/// Block elements, table rows and `<br>` start a new block (after `<br>`, one of the same
/// kind); inline elements flow into the current one. Scripts, styles, forms, navigation,
/// asides, SVG, embedded frames and `hidden` elements are dropped with their content;
/// images show as `[image: alt]` when they have alt text. A link's text is followed by
/// `[n]` when its href is http, https or mailto; the same URL keeps its number.
/// Every block's text goes through [`clean_line`]; empty blocks are dropped.
///
/// Input without anything that looks like a tag is taken as plain text: paragraphs are
/// separated by blank lines and `&amp;` stays as written.
pub fn article_from_html(html: &str, base: Option<&Url>) -> Article {
    article_from(html, base, false)
}

/// [`article_from_html`], with each image's alt text followed by `[n]`, the number of its
/// `src`, when `image_links`: a page's figures are worth opening, a feed body's inline
/// pictures are mostly decoration.
fn article_from(html: &str, base: Option<&Url>, image_links: bool) -> Article {
    let mut walker = Walker::new(base);
    walker.image_links = image_links;
    if looks_like_html(html) {
        // The reader stops feeding the tokenizer once the caps are reached.
        walker = html::read(html, walker, Dialect::Html);
    } else {
        plain_text(html, &mut walker);
    }
    walker.finish()
}

/// A `<` followed by a letter, `/` or `!` starts a tag, an end tag or a comment; a lone
/// `<` as in "a < b" does not.
fn looks_like_html(text: &str) -> bool {
    text.as_bytes().windows(2).any(|pair| {
        pair[0] == b'<' && (pair[1].is_ascii_alphabetic() || matches!(pair[1], b'/' | b'!'))
    })
}

fn plain_text(text: &str, walker: &mut Walker<'_>) {
    for line in text.lines() {
        if walker.out.done {
            break;
        }
        if line.trim().is_empty() {
            walker.flush();
        } else {
            walker.append(line);
            walker.soft_space();
        }
    }
    walker.flush();
}

// ---------------------------------------------------------------------------------------------
// Output: blocks and links under the caps.
// ---------------------------------------------------------------------------------------------

struct Output<'a> {
    base: Option<&'a Url>,
    article: Article,
    numbers: HashMap<String, usize>,
    /// Bytes of text and links still allowed.
    remaining: usize,
    /// A link was dropped for want of budget: the article must still end in "…".
    starved: bool,
    /// The caps were reached and "…" is in place; nothing more is added.
    done: bool,
}

impl Output<'_> {
    fn push(&mut self, kind: BlockKind, mut text: String) {
        if self.done {
            return;
        }
        if self.article.blocks.len() >= MAX_BLOCKS {
            self.truncate();
            return;
        }
        if text.len() > self.remaining {
            text.truncate(floor_char_boundary(&text, self.remaining));
            text.truncate(text.trim_end().len());
            if !text.is_empty() {
                self.article.blocks.push(Block { kind, text });
            }
            self.truncate();
            return;
        }
        self.remaining -= text.len();
        self.article.blocks.push(Block { kind, text });
    }

    /// Ends the article with "…", replacing the last block when the block cap is reached.
    fn truncate(&mut self) {
        if self.done {
            return;
        }
        if self.article.blocks.len() >= MAX_BLOCKS {
            self.article.blocks.pop();
        }
        self.article.blocks.push(Block {
            kind: BlockKind::Paragraph,
            text: ELLIPSIS.to_owned(),
        });
        self.done = true;
    }

    /// For a link whose text ended up in an earlier block (`<a><p>x</p></a>`).
    fn append_to_last(&mut self, reference: &str) {
        if self.done {
            return;
        }
        let needed = reference.len() + 1;
        let Some(last) = self.article.blocks.last_mut() else {
            return;
        };
        if needed > self.remaining {
            self.starved = true;
            return;
        }
        self.remaining -= needed;
        last.text.push(' ');
        last.text.push_str(reference);
    }

    /// The reference number for `href`, or `None` when it is not a link worth showing.
    fn link_number(&mut self, href: &str) -> Option<usize> {
        if self.done {
            return None;
        }
        // URLs in attributes may be padded with ASCII whitespace (HTML's "valid URL
        // potentially surrounded by spaces").
        let href = href.trim_matches(|c: char| c.is_ascii_whitespace());
        if href.is_empty() {
            return None;
        }
        let url = match self.base {
            Some(base) => base.join(href),
            None => Url::parse(href),
        }
        .ok()?;
        if !matches!(url.scheme(), "http" | "https" | "mailto") {
            return None;
        }
        // The URL serializer already percent-encodes controls; this is belt and braces.
        let link = clean_line(url.as_str());
        if let Some(&number) = self.numbers.get(&link) {
            return Some(number);
        }
        if link.len() > self.remaining {
            self.starved = true;
            return None;
        }
        self.remaining -= link.len();
        self.article.links.push(link.clone());
        let number = self.article.links.len();
        self.numbers.insert(link, number);
        Some(number)
    }
}

// ---------------------------------------------------------------------------------------------
// The walk: tokens → blocks.
// ---------------------------------------------------------------------------------------------

/// What an element does to the text flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Inline,
    /// Ends the current paragraph on both sides.
    Block,
    /// A block that also sets the kind of the blocks inside it.
    Context,
    /// `ol`, `ul`: a block that numbers its items.
    List {
        ordered: bool,
    },
    /// `tr`: one paragraph per table row.
    Row,
    /// `td`, `th`: separated by " | " within their row.
    Cell,
    Link,
    /// Dropped with everything inside; block-level ones still end the paragraph.
    Skip {
        block: bool,
    },
}

/// Positions in the stack of the nearest open elements that a start tag may implicitly
/// close, each reset where HTML's scope rules stop the search.
#[derive(Debug, Clone, Copy, Default)]
struct Scope {
    p: Option<usize>,
    li: Option<usize>,
    dd_dt: Option<usize>,
    a: Option<usize>,
    row: Option<usize>,
    cell: Option<usize>,
}

#[derive(Debug)]
struct Open {
    name: LocalName,
    role: Role,
    scope: Scope,
}

#[derive(Debug, Clone)]
enum Context {
    Heading,
    Quote,
    Caption,
    Pre,
    Item {
        ordered: bool,
        number: usize,
        depth: usize,
    },
}

struct List {
    ordered: bool,
    next: usize,
}

struct Link {
    href: Option<String>,
    /// `Walker::text_mark` when the link opened: unchanged at its end means no text.
    mark: u64,
}

struct Walker<'a> {
    out: Output<'a>,
    stack: Vec<Open>,
    /// How many of each element are on the stack, so that an end tag with nothing to close
    /// is recognised without a scan.
    open_counts: HashMap<LocalName, usize>,
    contexts: Vec<Context>,
    lists: Vec<List>,
    links: Vec<Link>,
    /// Open `Skip` elements.
    skipping: usize,
    /// Open `Pre` contexts: text is kept as written.
    pre: usize,
    /// Right after `<pre>`, whose first newline is not content.
    strip_newline: bool,
    /// The paragraph being collected, whitespace already collapsed outside `<pre>`.
    buf: String,
    /// `buf` has more than spaces.
    buf_has_text: bool,
    /// `buf` outgrew the text cap: the rest is dropped and the article ends here.
    overflow: bool,
    /// Bumped whenever visible text is added, to tell links with text from empty ones.
    text_mark: u64,
    /// Images with alt text get a reference to their `src`.
    image_links: bool,
}

impl Default for Walker<'_> {
    fn default() -> Self {
        Walker::new(None)
    }
}

impl<'a> Walker<'a> {
    fn new(base: Option<&'a Url>) -> Self {
        Walker {
            out: Output {
                base,
                article: Article::default(),
                numbers: HashMap::new(),
                remaining: MAX_TEXT_BYTES,
                starved: false,
                done: false,
            },
            stack: Vec::new(),
            open_counts: HashMap::new(),
            contexts: Vec::new(),
            lists: Vec::new(),
            links: Vec::new(),
            skipping: 0,
            pre: 0,
            strip_newline: false,
            buf: String::new(),
            buf_has_text: false,
            overflow: false,
            text_mark: 0,
            image_links: false,
        }
    }

    fn finish(mut self) -> Article {
        self.close_all();
        if self.out.starved {
            self.out.truncate();
        }
        std::mem::take(&mut self.out.article)
    }

    // --- tokens -------------------------------------------------------------------------

    fn start_tag(&mut self, tag: &Tag, element: Element) {
        // `<svg/>` is complete in itself, and inside dropped content a self-closing tag is
        // most likely SVG too; counting it as open would drop the rest of the body.
        if element.content == Content::Void
            || (tag.self_closing && (self.skipping > 0 || element.content == Content::Foreign))
        {
            self.void_element(tag, element);
            return;
        }
        let role = role_of(tag, element);
        self.implied_end_tags(&tag.name, element);
        if self.stack.len() >= MAX_DEPTH {
            match role {
                Role::Block
                | Role::Context
                | Role::List { .. }
                | Role::Row
                | Role::Skip { block: true } => self.boundary(),
                Role::Cell => self.cell_separator(),
                Role::Inline | Role::Link | Role::Skip { block: false } => {}
            }
            return;
        }
        self.open(tag, element, role);
    }

    fn end_tag(&mut self, tag: &Tag, element: Element) {
        let name = &*tag.name;
        // HTML reads `</br>` as `<br>`.
        if element.layout == Layout::LineBreak {
            self.line_break();
            return;
        }
        if self.open_counts.get(&tag.name).copied().unwrap_or(0) > 0 {
            while let Some(open) = self.stack.pop() {
                let found = open.name == tag.name;
                self.close(open);
                if found {
                    break;
                }
            }
        } else if matches!(
            role_of(tag, element),
            Role::Block | Role::Context | Role::List { .. } | Role::Row
        ) && !matches!(name, "body" | "html")
        {
            // A stray `</p>` still separates what is around it, as in browsers; text after
            // a stray `</body>` goes on in the body.
            self.boundary();
        }
    }

    fn characters(&mut self, text: &str, after_pre: bool) {
        if self.skipping > 0 || self.out.done {
            return;
        }
        let text = if after_pre {
            text.strip_prefix('\n').unwrap_or(text)
        } else {
            text
        };
        self.append(text);
    }

    // --- elements -----------------------------------------------------------------------

    fn void_element(&mut self, tag: &Tag, element: Element) {
        if self.skipping > 0 {
            return;
        }
        match element.layout {
            Layout::LineBreak => self.line_break(),
            Layout::Rule => self.boundary(),
            Layout::Image => {
                let alt = clean_line(attr(tag, "alt").unwrap_or_default());
                if !alt.is_empty() {
                    self.push_marker(&format!("[image: {alt}]"));
                    if self.image_links
                        && let Some(number) =
                            attr(tag, "src").and_then(|src| self.out.link_number(src))
                    {
                        self.push_marker(&format!("[{number}]"));
                    }
                    self.soft_space();
                }
            }
            _ => {}
        }
    }

    /// Closes what a start tag of `name` implicitly ends, as HTML's tree builder does.
    fn implied_end_tags(&mut self, name: &str, element: Element) {
        if element.closes_p
            && let Some(at) = self.scope().p
        {
            self.pop_to(at);
        }
        let at = match name {
            "li" => self.scope().li,
            "dd" | "dt" => self.scope().dd_dt,
            "a" => self.scope().a,
            "td" | "th" => self.scope().cell,
            "tr" | "tbody" | "thead" | "tfoot" => {
                let scope = self.scope();
                match (scope.row, scope.cell) {
                    (Some(row), Some(cell)) => Some(row.min(cell)),
                    (row, cell) => row.or(cell),
                }
            }
            // A heading start tag closes a heading that is the current node.
            _ if element.layout == Layout::Heading => self
                .stack
                .last()
                .filter(|open| html::element(&open.name).layout == Layout::Heading)
                .map(|_| self.stack.len() - 1),
            _ => None,
        };
        if let Some(at) = at {
            self.pop_to(at);
        }
    }

    fn scope(&self) -> Scope {
        self.stack.last().map(|open| open.scope).unwrap_or_default()
    }

    fn open(&mut self, tag: &Tag, element: Element, role: Role) {
        let name = &*tag.name;
        let index = self.stack.len();
        let scope = self.child_scope(name, role, index);
        match role {
            Role::Inline => {}
            Role::Block | Role::Row => self.boundary(),
            Role::Context => {
                self.boundary();
                let context = self.context_for(tag, element.layout);
                if matches!(context, Context::Pre) {
                    self.pre += 1;
                    self.strip_newline = true;
                }
                self.contexts.push(context);
            }
            Role::List { ordered } => {
                self.boundary();
                let start = attr(tag, "start").and_then(parse_number).unwrap_or(1);
                self.lists.push(List {
                    ordered,
                    next: start,
                });
            }
            Role::Cell => self.cell_separator(),
            Role::Link => self.links.push(Link {
                href: attr(tag, "href").map(str::to_owned),
                mark: self.text_mark,
            }),
            Role::Skip { block } => {
                if block {
                    self.boundary();
                } else {
                    self.soft_space();
                }
                self.skipping += 1;
            }
        }
        *self.open_counts.entry(tag.name.clone()).or_insert(0) += 1;
        self.stack.push(Open {
            name: tag.name.clone(),
            role,
            scope,
        });
    }

    fn child_scope(&self, name: &str, role: Role, index: usize) -> Scope {
        let mut scope = self.scope();
        // "Has a p element in button scope".
        if matches!(
            name,
            "applet"
                | "caption"
                | "html"
                | "table"
                | "td"
                | "th"
                | "marquee"
                | "object"
                | "template"
                | "button"
        ) {
            scope.p = None;
        }
        // The `li`/`dd` start-tag algorithm stops at special elements but address, div, p.
        if role != Role::Inline && role != Role::Link && !matches!(name, "address" | "div" | "p") {
            scope.li = None;
            scope.dd_dt = None;
        }
        // Markers in the list of active formatting elements.
        if matches!(
            name,
            "applet" | "object" | "marquee" | "template" | "td" | "th" | "caption"
        ) {
            scope.a = None;
        }
        if name == "table" {
            scope.row = None;
            scope.cell = None;
        }
        match name {
            "p" => scope.p = Some(index),
            "li" => scope.li = Some(index),
            "dd" | "dt" => scope.dd_dt = Some(index),
            "a" => scope.a = Some(index),
            "tr" => scope.row = Some(index),
            "td" | "th" => scope.cell = Some(index),
            _ => {}
        }
        scope
    }

    fn context_for(&mut self, tag: &Tag, layout: Layout) -> Context {
        match layout {
            Layout::Quote => Context::Quote,
            Layout::Caption => Context::Caption,
            Layout::Preformatted => Context::Pre,
            Layout::ListItem => {
                let value = attr(tag, "value").and_then(parse_number);
                let depth = self.lists.len().saturating_sub(1);
                match self.lists.last_mut() {
                    Some(list) => {
                        let number = value.unwrap_or(list.next);
                        list.next = number.saturating_add(1);
                        Context::Item {
                            ordered: list.ordered,
                            number,
                            depth,
                        }
                    }
                    None => Context::Item {
                        ordered: false,
                        number: value.unwrap_or(1),
                        depth,
                    },
                }
            }
            // The remaining context elements are h1–h6.
            _ => Context::Heading,
        }
    }

    fn pop_to(&mut self, index: usize) {
        while self.stack.len() > index {
            if let Some(open) = self.stack.pop() {
                self.close(open);
            }
        }
    }

    fn close_all(&mut self) {
        self.pop_to(0);
        self.flush();
    }

    fn close(&mut self, open: Open) {
        // Entries at zero are removed so that a long run of distinct custom elements
        // doesn't grow the map.
        if let Some(count) = self.open_counts.get_mut(&open.name) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.open_counts.remove(&open.name);
            }
        }
        match open.role {
            Role::Inline | Role::Cell => {}
            Role::Block | Role::Row => self.boundary(),
            Role::Context => {
                // Flushed before the pop so the block gets this element's kind.
                self.boundary();
                if let Some(Context::Pre) = self.contexts.pop() {
                    self.pre = self.pre.saturating_sub(1);
                }
            }
            Role::List { .. } => {
                self.boundary();
                self.lists.pop();
            }
            Role::Link => {
                if let Some(link) = self.links.pop() {
                    self.end_link(link);
                }
            }
            Role::Skip { block } => {
                self.skipping = self.skipping.saturating_sub(1);
                if block {
                    self.boundary();
                } else {
                    self.soft_space();
                }
            }
        }
    }

    fn end_link(&mut self, link: Link) {
        // No text, or its text cleaned away with nothing before it to carry the reference:
        // a number nobody can see would only confuse.
        if link.mark == self.text_mark
            || self.skipping > 0
            || (!self.buf_has_text && self.out.article.blocks.is_empty())
        {
            return;
        }
        let Some(number) = link
            .href
            .as_deref()
            .and_then(|href| self.out.link_number(href))
        else {
            return;
        };
        let reference = format!("[{number}]");
        if self.buf_has_text {
            self.push_marker(&reference);
        } else {
            self.out.append_to_last(&reference);
        }
    }

    // --- text ---------------------------------------------------------------------------

    /// Adds text to the paragraph, collapsing HTML whitespace as it goes so that `buf`
    /// stays close to its final size (outside `<pre>`).
    fn append(&mut self, text: &str) {
        if self.pre > 0 {
            self.push_text(text);
            return;
        }
        for (i, word) in text
            .split(['\u{20}', '\t', '\n', '\r', '\u{c}'])
            .enumerate()
        {
            if i > 0 {
                self.soft_space();
            }
            if !word.is_empty() {
                self.push_text(word);
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        if self.overflow || self.skipping > 0 || self.out.done {
            return;
        }
        if self.buf.len() + text.len() > MAX_TEXT_BYTES {
            self.overflow = true;
            let room = MAX_TEXT_BYTES.saturating_sub(self.buf.len());
            self.buf.push_str(&text[..floor_char_boundary(text, room)]);
        } else {
            self.buf.push_str(text);
        }
        if !text.trim().is_empty() {
            self.buf_has_text = true;
            self.text_mark += 1;
        }
    }

    /// Text of our own after a space. A CAN first: it ends any escape sequence the feed
    /// left unfinished, which would otherwise swallow the start of the marker, and the
    /// cleaner drops it like any control character.
    fn push_marker(&mut self, marker: &str) {
        if self.overflow || self.skipping > 0 || self.out.done {
            return;
        }
        self.soft_space();
        self.buf.push('\u{18}');
        self.push_text(marker);
    }

    /// A word break: a space unless the paragraph is empty or already ends in one.
    fn soft_space(&mut self) {
        if self.skipping == 0 && !self.buf.is_empty() && !self.buf.ends_with([' ', '\n']) {
            self.buf.push(' ');
        }
    }

    fn cell_separator(&mut self) {
        if self.skipping == 0 && self.buf_has_text {
            self.push_marker("| ");
        }
    }

    /// `<br>`: a line of its own in `<pre>`, else a new block of the same kind.
    fn line_break(&mut self) {
        if self.skipping > 0 {
            return;
        }
        if self.pre > 0 {
            self.push_text("\n");
        } else {
            self.flush();
        }
    }

    /// A block boundary outside dropped content (which must not split its surroundings).
    fn boundary(&mut self) {
        if self.skipping == 0 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buf);
        if std::mem::take(&mut self.buf_has_text) {
            match self.kind() {
                BlockKind::Preformatted => self.push_pre(&text),
                kind => {
                    let text = clean_line(&text);
                    if !text.is_empty() {
                        self.out.push(kind, text);
                    }
                }
            }
        }
        if std::mem::take(&mut self.overflow) {
            self.out.truncate();
        }
    }

    fn kind(&self) -> BlockKind {
        match self.contexts.last() {
            None => BlockKind::Paragraph,
            Some(Context::Heading) => BlockKind::Heading,
            Some(Context::Quote) => BlockKind::Quote,
            Some(Context::Caption) => BlockKind::Caption,
            Some(Context::Pre) => BlockKind::Preformatted,
            Some(Context::Item {
                ordered,
                number,
                depth,
            }) => BlockKind::ListItem {
                ordered: *ordered,
                number: *number,
                depth: *depth,
            },
        }
    }

    /// One block per line; blank lines inside are kept (they separate code), blank lines
    /// around are not.
    fn push_pre(&mut self, text: &str) {
        let lines: Vec<String> = text.split('\n').map(pre_line).collect();
        let Some(first) = lines.iter().position(|line| !line.is_empty()) else {
            return;
        };
        let last = lines
            .iter()
            .rposition(|line| !line.is_empty())
            .unwrap_or(first);
        for line in lines.into_iter().take(last + 1).skip(first) {
            self.out.push(BlockKind::Preformatted, line);
        }
    }
}

/// A `<pre>` line made safe with its spacing kept. [`clean_line`] would collapse spaces, so
/// each run of non-spaces is cleaned on its own; tabs are expanded after cleaning so that
/// removed escape sequences don't shift the columns.
fn pre_line(line: &str) -> String {
    // Escape sequences go first, whole: split at spaces, one with a space in its parameters
    // would leave the part after the space behind.
    let line = clean_keeping_spacing(line);
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for (i, piece) in line.split('\t').enumerate() {
        if i > 0 {
            let spaces = TAB_STOP - column % TAB_STOP;
            out.extend(std::iter::repeat_n(' ', spaces));
            column += spaces;
        }
        // Indentation written as &nbsp; is indentation; the cleaner would drop it.
        for (j, word) in piece.split([' ', '\u{a0}']).enumerate() {
            if j > 0 {
                out.push(' ');
                column += 1;
            }
            let word = clean_line(word);
            column += word.width();
            out.push_str(&word);
        }
    }
    out.truncate(out.trim_end().len());
    out
}

// ---------------------------------------------------------------------------------------------
// Roles: the shared element table, read for the article.
// ---------------------------------------------------------------------------------------------

fn role_of(tag: &Tag, element: Element) -> Role {
    let hidden = attr(tag, "hidden").is_some()
        || attr(tag, "aria-hidden").is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    if hidden {
        return Role::Skip {
            block: element.separates_words(),
        };
    }
    match element.layout {
        Layout::Block => Role::Block,
        Layout::Heading
        | Layout::Quote
        | Layout::Caption
        | Layout::Preformatted
        | Layout::ListItem => Role::Context,
        Layout::List { ordered } => Role::List { ordered },
        Layout::Row => Role::Row,
        Layout::Cell => Role::Cell,
        Layout::Link => Role::Link,
        Layout::Chrome { block } => Role::Skip { block },
        // Void elements never open; their stray end tags (`</hr>`) are ignored.
        Layout::Inline | Layout::LineBreak | Layout::Rule | Layout::Image => Role::Inline,
    }
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|attribute| &*attribute.name.local == name)
        .map(|attribute| &*attribute.value)
}

fn parse_number(value: &str) -> Option<usize> {
    value.trim().parse().ok()
}

impl html::Reader for Walker<'_> {
    fn start_tag(&mut self, tag: &Tag, element: Element) {
        self.strip_newline = false;
        Walker::start_tag(self, tag, element);
    }

    fn end_tag(&mut self, tag: &Tag, element: Element) {
        self.strip_newline = false;
        Walker::end_tag(self, tag, element);
    }

    fn text(&mut self, text: &str) {
        let after_pre = std::mem::take(&mut self.strip_newline);
        self.characters(text, after_pre);
    }

    fn other(&mut self) {
        self.strip_newline = false;
    }

    fn end(&mut self) {
        self.close_all();
    }

    fn is_done(&self) -> bool {
        self.out.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(html: &str) -> Article {
        article_from_html(html, None)
    }

    fn texts(article: &Article) -> Vec<&str> {
        article
            .blocks
            .iter()
            .map(|block| block.text.as_str())
            .collect()
    }

    fn block(kind: BlockKind, text: &str) -> Block {
        Block {
            kind,
            text: text.to_owned(),
        }
    }

    fn paragraph(text: &str) -> Block {
        block(BlockKind::Paragraph, text)
    }

    fn item(ordered: bool, number: usize, depth: usize, text: &str) -> Block {
        block(
            BlockKind::ListItem {
                ordered,
                number,
                depth,
            },
            text,
        )
    }

    fn assert_terminal_safe(article: &Article) {
        for text in article
            .blocks
            .iter()
            .map(|block| block.text.as_str())
            .chain(article.links.iter().map(String::as_str))
        {
            assert!(
                !text.chars().any(|c| c.is_control()
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
                "unsafe text: {text:?}"
            );
        }
    }

    #[test]
    fn arabic_demo_body() {
        let article = parse(include_str!("../../tests/fixtures/articles/arabic.html"));
        assert_eq!(article.blocks.len(), 13);
        assert_eq!(
            article.blocks[0],
            block(
                BlockKind::Caption,
                "وزير لخارجية القطري ونظيره الأمريكي في الدوحة قبل أيام"
            )
        );
        assert_eq!(article.blocks[1], paragraph("وكالات – الإمارات 71"));
        assert!(
            article.blocks[1..]
                .iter()
                .all(|block| block.kind == BlockKind::Paragraph)
        );
        assert_eq!(
            article.blocks[12].text,
            "في الجانب الإسرائيلي، قُتل أكثر من 1400 شخص في اليوم الأول لهجوم حماس والفصائل الفلسطينية الأخرى، بحسب تل أبيب."
        );
        assert!(article.links.is_empty());
        assert_terminal_safe(&article);
    }

    #[test]
    fn arabic_fixture_is_the_demo_feeds_body() {
        let feed = include_str!("../../assets/demo/arabic.xml");
        let open = "<content:encoded><![CDATA[";
        let start = feed.find(open).map(|at| at + open.len()).unwrap_or(0);
        let end = feed[start..]
            .find("]]>")
            .map_or(feed.len(), |at| start + at);
        assert_eq!(
            parse(&feed[start..end]),
            parse(include_str!("../../tests/fixtures/articles/arabic.html"))
        );
    }

    #[test]
    fn english_article() {
        let base = Url::parse("https://news.example.com/2024/05/harbour.html").ok();
        let article = article_from_html(
            include_str!("../../tests/fixtures/articles/english.html"),
            base.as_ref(),
        );
        let pre = |text: &str| block(BlockKind::Preformatted, text);
        assert_eq!(
            article.blocks,
            vec![
                block(BlockKind::Heading, "Harbour reopens after storm"),
                paragraph(
                    "The port authority said on Tuesday that the main harbour [1] would reopen to shipping."
                ),
                paragraph("[image: Cranes at dawn]"),
                block(BlockKind::Caption, "Cranes at the container terminal."),
                block(BlockKind::Heading, "What changed"),
                item(false, 1, 0, "Berths 1–4 are open."),
                item(
                    false,
                    2,
                    0,
                    "Pilots are back on duty; see the pilot roster [2]."
                ),
                item(true, 3, 1, "Night pilots"),
                item(true, 4, 1, "Day pilots"),
                item(false, 3, 0, "Read the notice [1] again."),
                block(BlockKind::Quote, "We are open for business,"),
                block(BlockKind::Quote, "but slowly."),
                paragraph("Questions: press office [3], this is not a link, nor this."),
                block(BlockKind::Caption, "Berth status"),
                paragraph("Berth | Status"),
                paragraph("1 | open"),
                pre("fn main() {"),
                pre("        println!(\"hi\");"),
                pre(""),
                pre("    // done"),
                pre("}"),
                paragraph("Line one"),
                paragraph("Line two"),
            ]
        );
        assert_eq!(
            article.links,
            vec![
                "https://news.example.com/harbour",
                "https://example.org/pilots?lang=en&v=2",
                "mailto:press@example.org",
            ]
        );
    }

    #[test]
    fn broken_html_keeps_its_text() {
        let article = parse(include_str!("../../tests/fixtures/articles/broken.html"));
        assert_eq!(
            texts(&article),
            vec![
                "Unclosed intro",
                "First paragraph bold both italic tail",
                "Second paragraph with a dangling link [1]",
                "Third paragraph",
                "one",
                "two",
                "three",
                "Heading",
                "Next heading",
                "a | b",
                "c",
                // `&not` needs no semicolon in text, as in the HTML standard's example.
                "After & © AB ¬anentity; <3",
                "text after the end trailing words",
            ]
        );
        assert_eq!(article.links, vec!["https://example.com/a"]);
        assert_eq!(
            article.blocks[4].kind,
            BlockKind::ListItem {
                ordered: false,
                number: 1,
                depth: 0
            }
        );
        assert_eq!(
            article.blocks[6].kind,
            BlockKind::ListItem {
                ordered: false,
                number: 3,
                depth: 0
            }
        );
        assert_eq!(article.blocks[8].kind, BlockKind::Heading);
        assert_eq!(article.blocks[11].kind, BlockKind::Paragraph);
    }

    #[test]
    fn escape_sequences_never_survive() {
        let article = parse(include_str!("../../tests/fixtures/articles/escapes.html"));
        assert_eq!(
            texts(&article),
            vec![
                "Cleared?",
                "Red text here.",
                "Title set?",
                "Override desrever done.",
                "  code bold     tab",
                "link [1]",
            ]
        );
        assert_eq!(article.blocks[4].kind, BlockKind::Preformatted);
        assert_eq!(article.links, vec!["https://example.com/%1B[31m"]);
        assert_terminal_safe(&article);
    }

    #[test]
    fn raw_escape_bytes_never_survive() {
        let html = "<p>Red \x1b[31mtext\x1b[0m and \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \u{9b}2J \u{202e}x</p>\
                    <pre>\x1b[1mbold\x1b[0m  kept</pre>";
        let article = parse(html);
        assert_eq!(texts(&article), vec!["Red text and link x", "bold  kept"]);
        assert_terminal_safe(&article);
        let plain = parse("plain \x1b[31mred\x1b[0m text");
        assert_eq!(texts(&plain), vec!["plain red text"]);
    }

    #[test]
    fn scripts_styles_and_chrome_are_not_shown() {
        let article = parse(include_str!("../../tests/fixtures/articles/scripts.html"));
        assert_eq!(
            texts(&article),
            vec![
                "Visible one.",
                "Share this: now.",
                "Icon text.",
                "Visible two after a self-closed svg.",
                "Visible three.",
            ]
        );
        assert!(article.links.is_empty());
    }

    #[test]
    fn relative_links_resolve_against_the_base() {
        let base = Url::parse("https://example.com/news/2024/story.html").ok();
        let article = article_from_html(
            include_str!("../../tests/fixtures/articles/relative.html"),
            base.as_ref(),
        );
        assert_eq!(
            article.links,
            vec![
                "https://example.com/news/2024/story.html",
                "https://example.com/news/2024/related.html",
                "https://example.com/news/up.html",
                "https://cdn.example.net/x",
                "https://example.com/news/2024/story.html?page=2",
                "https://example.com/news/2024/story.html#comments",
                "https://example.com/padded",
            ]
        );
        assert_eq!(
            texts(&article),
            vec![
                "Absolute path [1], relative file [2], parent [3], protocol-relative [4], \
                 query only [5], fragment [6], padded href [7], empty href, no href, \
                 data URL, absolute again [1]."
            ]
        );
    }

    #[test]
    fn relative_links_without_a_base_are_text_only() {
        let article = parse(
            r#"<p><a href="/a">relative</a> and <a href="http://x.example/">absolute</a></p>"#,
        );
        assert_eq!(texts(&article), vec!["relative and absolute [1]"]);
        assert_eq!(article.links, vec!["http://x.example/"]);
    }

    #[test]
    fn link_around_blocks_refers_from_its_last_block() {
        let article = parse(r#"<a href="https://e.example/"><p>one</p><p>two</p></a><p>three</p>"#);
        assert_eq!(texts(&article), vec!["one", "two [1]", "three"]);
        let empty =
            parse(r#"<p>before <a href="https://e.example/"><img src="x.png"></a> after</p>"#);
        assert_eq!(texts(&empty), vec!["before after"]);
        assert!(empty.links.is_empty());
        let invisible = parse("<a href=\"https://e.example/\"><p>\x1b[31m</p></a>");
        assert_eq!(invisible, Article::default());
    }

    #[test]
    fn deep_nesting_is_linear_and_does_not_overflow() {
        let depth = 100_000;
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let started = std::time::Instant::now();
        assert_eq!(texts(&parse(&html)), vec!["deep"]);
        let unclosed = format!("{}<p>inner", "<div><blockquote><b>".repeat(depth));
        let article = parse(&unclosed);
        assert_eq!(article.blocks, vec![block(BlockKind::Quote, "inner")]);
        let lists = format!("{}item", "<ul><li>".repeat(depth));
        let article = parse(&lists);
        assert_eq!(texts(&article), vec!["item"]);
        let links = "<a href=\"https://e.example/\">x".repeat(depth);
        let article = parse(&links);
        assert_eq!(article.links.len(), 1);
        // Generous for debug builds on a busy machine; the quadratic tree builder took
        // minutes here.
        assert!(
            started.elapsed().as_secs() < 30,
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn preformatted_keeps_lines_and_spacing() {
        let article =
            parse("<pre>\n\n  a\tb\n\n\tc &nbsp;&nbsp;d  \n<b>e</b><br>f\n\n</pre><p>after</p>");
        let pre = |text: &str| block(BlockKind::Preformatted, text);
        assert_eq!(
            article.blocks,
            vec![
                pre("  a     b"),
                pre(""),
                pre("        c   d"),
                pre("e"),
                pre("f"),
                paragraph("after"),
            ]
        );
    }

    #[test]
    fn plain_text_splits_on_blank_lines() {
        let article = parse("First line\nstill first.\n\n  \nSecond & <3 a < b.\r\n\r\nThird");
        assert_eq!(
            article.blocks,
            vec![
                paragraph("First line still first."),
                paragraph("Second & <3 a < b."),
                paragraph("Third"),
            ]
        );
        assert_eq!(parse(""), Article::default());
        assert_eq!(parse(" \n\n \t"), Article::default());
        assert_eq!(parse("<p> </p><div>\n</div>"), Article::default());
    }

    #[test]
    fn lists_number_and_nest() {
        let html = r#"<ol start="5"><li>five<li value="9">nine<li>ten</ol>
                      <ul><li>a<ul><li>a.1</li></ul></li><li><p>b</p><p>b again</p></li></ul>
                      <li>orphan</li>"#;
        assert_eq!(
            parse(html).blocks,
            vec![
                item(true, 5, 0, "five"),
                item(true, 9, 0, "nine"),
                item(true, 10, 0, "ten"),
                item(false, 1, 0, "a"),
                item(false, 1, 1, "a.1"),
                item(false, 2, 0, "b"),
                item(false, 2, 0, "b again"),
                item(false, 1, 0, "orphan"),
            ]
        );
    }

    #[test]
    fn line_breaks_split_blocks_of_the_same_kind() {
        let html =
            "<blockquote>one<br>two<br><br>three</blockquote><ol><li>x<br/>y</li></ol>a</br>b";
        assert_eq!(
            parse(html).blocks,
            vec![
                block(BlockKind::Quote, "one"),
                block(BlockKind::Quote, "two"),
                block(BlockKind::Quote, "three"),
                item(true, 1, 0, "x"),
                item(true, 1, 0, "y"),
                paragraph("a"),
                paragraph("b"),
            ]
        );
    }

    #[test]
    fn images_only_with_alt_text() {
        let html = r#"<p>Photo:<img src="a.jpg" alt=" The  harbour "></p><p><img src="b.jpg" alt=""></p><img src="c.jpg">"#;
        assert_eq!(texts(&parse(html)), vec!["Photo: [image: The harbour]"]);
    }

    #[test]
    fn inline_elements_flow_and_blocks_separate() {
        let html = "<div>a<span>b</span> <em>c</em><div>d</div>e<h3>f</h3><section>g</section></div>x<hr>y";
        assert_eq!(
            parse(html).blocks,
            vec![
                paragraph("ab c"),
                paragraph("d"),
                paragraph("e"),
                block(BlockKind::Heading, "f"),
                paragraph("g"),
                paragraph("x"),
                paragraph("y"),
            ]
        );
    }

    #[test]
    fn markup_that_is_not_content_is_ignored() {
        let html = "<!DOCTYPE html><!-- <p>comment</p> --><p>a<![CDATA[hidden]]>b<?php echo 1 ?>c</p>\
                    <table><tr><td>outer<table><tr><td>in1<td>in2</table></td><td>last</table>";
        assert_eq!(
            texts(&parse(html)),
            vec!["abc", "outer", "in1 | in2", "last"]
        );
    }

    #[test]
    fn block_cap_ends_with_an_ellipsis() {
        let html = "<p>para</p>".repeat(5_000);
        let article = parse(&html);
        assert_eq!(article.blocks.len(), MAX_BLOCKS);
        assert_eq!(article.blocks[MAX_BLOCKS - 1], paragraph(ELLIPSIS));
        assert_eq!(article.blocks[MAX_BLOCKS - 2], paragraph("para"));

        let exact = parse(&"<p>para</p>".repeat(MAX_BLOCKS));
        assert_eq!(exact.blocks.len(), MAX_BLOCKS);
        assert!(exact.blocks.iter().all(|block| block.text == "para"));

        let lines = parse(&format!("<pre>{}</pre>", "line\n".repeat(5_000)));
        assert_eq!(lines.blocks.len(), MAX_BLOCKS);
        assert_eq!(lines.blocks[MAX_BLOCKS - 1], paragraph(ELLIPSIS));
    }

    #[test]
    fn text_cap_ends_with_an_ellipsis() {
        let word = "كلمة ";
        let huge = word.repeat(1_000_000);
        for input in [format!("<p>{huge}</p><p>more</p>"), huge.clone()] {
            let article = parse(&input);
            let total: usize = article.blocks.iter().map(|block| block.text.len()).sum();
            assert!(total <= MAX_TEXT_BYTES + ELLIPSIS.len(), "{total}");
            assert!(total > MAX_TEXT_BYTES / 2, "{total}");
            assert_eq!(article.blocks.last(), Some(&paragraph(ELLIPSIS)));
            assert_eq!(article.blocks.len(), 2);
        }

        let many = format!("<p>{}</p>", "x ".repeat(20_000)).repeat(50);
        let article = parse(&many);
        let total: usize = article.blocks.iter().map(|block| block.text.len()).sum();
        assert!(total <= MAX_TEXT_BYTES + ELLIPSIS.len());
        assert_eq!(article.blocks.last(), Some(&paragraph(ELLIPSIS)));
    }

    #[test]
    fn links_count_against_the_text_cap() {
        let long = "a".repeat(10_000);
        let html: String = (0..100)
            .map(|i| format!(r#"<a href="https://e.example/{i}/{long}">l</a> "#))
            .collect();
        let article = parse(&html);
        let bytes: usize = article.links.iter().map(String::len).sum::<usize>()
            + article
                .blocks
                .iter()
                .map(|block| block.text.len())
                .sum::<usize>();
        assert!(bytes <= MAX_TEXT_BYTES + ELLIPSIS.len());
        assert!(article.links.len() < 100);
        assert_eq!(article.blocks.last(), Some(&paragraph(ELLIPSIS)));
    }

    proptest::proptest! {
        #[test]
        fn any_input_gives_safe_bounded_output(
            input in "(<(/?)(p|div|a href=\"http://e.x/\\w\"|li|ol|pre|br|script|b|td|tr|svg/|img alt=\\w)>|[a-z \\n\\t]{0,5}|&#\\d{1,3};|\u{1b}\\[3|\u{202e}|\u{9b}){0,60}"
        ) {
            let article = parse(&input);
            assert_terminal_safe(&article);
            proptest::prop_assert!(article.blocks.len() <= MAX_BLOCKS);
            for block in &article.blocks {
                if block.kind != BlockKind::Preformatted {
                    proptest::prop_assert!(!block.text.is_empty());
                    proptest::prop_assert_eq!(block.text.trim(), block.text.as_str());
                    proptest::prop_assert!(!block.text.contains("  "));
                }
            }
            for number in 1..=article.links.len() {
                let reference = format!("[{number}]");
                proptest::prop_assert!(article.blocks.iter().any(|block| block.text.contains(&reference)));
            }
        }
    }
}
