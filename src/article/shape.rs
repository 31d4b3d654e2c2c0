//! A quick look at a page's markup before any tree is built: how many elements, how deep.
//!
//! html5ever's tree builder, which `dom_query` uses, is quadratic in the depth of the page
//! (see [`super`]), so a page that nests too deep must be refused before it is parsed. Our
//! tokenizer layer could tell, but costs as much as a third of the whole extraction; this
//! scan reads only what decides nesting — tag names, where tags end (quoted attribute
//! values included), comments and raw-text elements, whose content holds no tags — with
//! `memchr`, in a tenth of the time. It follows the HTML tokenizer where that matters for
//! depth: a `/>` counts only between attributes, and only in SVG and MathML, since the tree
//! builder ignores it on HTML elements (`<div/>` opens a `div`).

use std::collections::HashMap;

use memchr::{memchr, memmem};

use super::page::{MAX_PAGE_DEPTH, MAX_PAGE_ELEMENTS, PageError};
use crate::text::html::{self, Content};

/// Refuses a page of more than [`MAX_PAGE_ELEMENTS`] elements or nested deeper than
/// [`MAX_PAGE_DEPTH`]. Linear in the page.
pub(super) fn measure(page: &str) -> Result<(), PageError> {
    let bytes = page.as_bytes();
    let mut shape = Shape::default();
    let mut at = 0;
    while let Some(found) = memchr(b'<', &bytes[at..]) {
        let open = at + found;
        at = open + 1;
        match bytes.get(at) {
            Some(b'!') => {
                at = if bytes[at..].starts_with(b"!--") {
                    memmem::find(&bytes[at + 3..], b"-->").map_or(bytes.len(), |end| at + end + 6)
                } else {
                    past(bytes, at, b'>')
                };
            }
            Some(b'?') => at = past(bytes, at, b'>'),
            Some(b'/') => {
                let (name, after) = tag_name(bytes, at + 1);
                at = if name.is_empty() {
                    past(bytes, at, b'>')
                } else {
                    shape.end_tag(&name);
                    tag_end(bytes, after).0
                };
            }
            Some(first) if first.is_ascii_alphabetic() => {
                let (name, after) = tag_name(bytes, at);
                let (end, self_closing) = tag_end(bytes, after);
                at = end;
                shape.start_tag(&name, self_closing)?;
                match html::element(&name).content {
                    Content::Raw { .. } => at = raw_text_end(bytes, at, name.as_bytes()),
                    Content::Plaintext => return Ok(()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The index just past the next `byte` from `from`, or the end.
fn past(bytes: &[u8], from: usize, byte: u8) -> usize {
    memchr(byte, &bytes[from.min(bytes.len())..]).map_or(bytes.len(), |end| from + end + 1)
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The tag name starting at `from`, ASCII-lowercased, and where it ends.
fn tag_name(bytes: &[u8], from: usize) -> (String, usize) {
    let mut end = from;
    while end < bytes.len() && !is_space(bytes[end]) && !matches!(bytes[end], b'/' | b'>') {
        end += 1;
    }
    let name = String::from_utf8_lossy(&bytes[from..end]).to_ascii_lowercase();
    (name, end)
}

/// Where a tag whose attributes start at `from` ends (past its `>`), and whether it ends
/// in `/>` between attributes, as the tokenizer reads attributes: a `>` inside a quoted
/// value does not end the tag, a `/` inside an unquoted one is part of the value.
fn tag_end(bytes: &[u8], mut at: usize) -> (usize, bool) {
    let len = bytes.len();
    loop {
        while at < len && is_space(bytes[at]) {
            at += 1;
        }
        match bytes.get(at) {
            None => return (len, false),
            Some(b'>') => return (at + 1, false),
            Some(b'/') => {
                if bytes.get(at + 1) == Some(&b'>') {
                    return (at + 2, true);
                }
                at += 1;
                continue;
            }
            Some(_) => {}
        }
        // An attribute name; a leading `=` belongs to it.
        at += 1;
        while at < len && !is_space(bytes[at]) && !matches!(bytes[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        while at < len && is_space(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while at < len && is_space(bytes[at]) {
            at += 1;
        }
        match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => at = past(bytes, at + 1, quote),
            Some(b'>') => return (at + 1, false),
            _ => {
                while at < len && !is_space(bytes[at]) && bytes[at] != b'>' {
                    at += 1;
                }
            }
        }
    }
}

/// Where the content of a raw-text element (`script`, `style`, `textarea`, …) that starts
/// at `from` ends: at its end tag, `</name` followed by a space, `/` or `>`.
fn raw_text_end(bytes: &[u8], mut at: usize, name: &[u8]) -> usize {
    while let Some(found) = memchr(b'<', &bytes[at.min(bytes.len())..]) {
        let open = at + found;
        let after = open + 2 + name.len();
        if bytes.get(open + 1) == Some(&b'/')
            && bytes
                .get(open + 2..after)
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name))
            && bytes
                .get(after)
                .is_none_or(|&next| is_space(next) || matches!(next, b'/' | b'>'))
        {
            return open;
        }
        at = open + 1;
    }
    bytes.len()
}

/// The stack of open elements, roughly as a browser would build it: enough to tell a page
/// that nests by the thousand from one whose `<p>`s and `<li>`s are left unclosed.
#[derive(Default)]
struct Shape {
    stack: Vec<String>,
    /// How many of each element are on the stack, so that an end tag with nothing to close
    /// costs no scan, and each scan pops what it passes: linear in all.
    open_counts: HashMap<String, usize>,
    elements: usize,
}

/// Elements whose start tag ends an open namesake near the top of the stack, as
/// `<p>a<p>b` or `<li>a<li>b` do in a browser.
fn closes_namesake(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "rt"
            | "rp"
    )
}

/// How far down the stack an implied end tag is looked for: `<li><a><b>x<li>` still closes.
const IMPLIED_END_REACH: usize = 4;

impl Shape {
    fn start_tag(&mut self, name: &str, self_closing: bool) -> Result<(), PageError> {
        self.elements += 1;
        if self.elements > MAX_PAGE_ELEMENTS {
            return Err(PageError::TooManyElements(MAX_PAGE_ELEMENTS));
        }
        let element = html::element(name);
        let in_foreign = ["svg", "math"]
            .iter()
            .any(|foreign| self.open_counts.get(*foreign).copied().unwrap_or(0) > 0);
        if element.content == Content::Void
            || matches!(element.content, Content::Raw { .. })
            || (self_closing && (in_foreign || element.content == Content::Foreign))
        {
            return Ok(());
        }
        if closes_namesake(name) {
            self.close_nearby(name);
        }
        if element.closes_p {
            self.close_nearby("p");
        }
        self.stack.push(name.to_owned());
        *self.open_counts.entry(name.to_owned()).or_default() += 1;
        if self.stack.len() > MAX_PAGE_DEPTH {
            return Err(PageError::TooDeep(MAX_PAGE_DEPTH));
        }
        Ok(())
    }

    fn end_tag(&mut self, name: &str) {
        if self.open_counts.get(name).copied().unwrap_or(0) > 0 {
            self.pop_to(name);
        }
    }

    fn pop_to(&mut self, name: &str) {
        while let Some(open) = self.stack.pop() {
            if let Some(count) = self.open_counts.get_mut(&open) {
                *count = count.saturating_sub(1);
            }
            if open == name {
                break;
            }
        }
    }

    fn close_nearby(&mut self, name: &str) {
        let nearby = self
            .stack
            .iter()
            .rev()
            .take(IMPLIED_END_REACH)
            .any(|open| open == name);
        if nearby {
            self.pop_to(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(open: &str) -> String {
        format!("<html><body>{}text", open.repeat(MAX_PAGE_DEPTH + 1))
    }

    #[test]
    fn nesting_past_the_limit_is_refused_however_the_tags_are_written() {
        for open in [
            "<div>",
            "<DIV class=x>",
            "<div/>",
            "<div a=/>",
            "<div title=\"/>\">",
            "<div title='>'>",
            "<span\n>",
            "<svg><g a=/>",
        ] {
            assert_eq!(
                measure(&deep(open)),
                Err(PageError::TooDeep(MAX_PAGE_DEPTH)),
                "{open}"
            );
        }
    }

    #[test]
    fn what_opens_nothing_is_not_counted() {
        for open in [
            "<br>",
            "<img src=a.png>",
            "<!-- <div> -->",
            "<!doctype html>",
            "<svg><path d=M0/></svg>",
            "<script>if (a < b) { x = '<div>' }</script>",
            "<style>div > p { }</style>",
            "<title><div></title>",
            "a < b ",
            "</div>",
            "<p>text",
            "<li>item",
            "<tr><td>cell",
        ] {
            assert_eq!(measure(&deep(open)), Ok(()), "{open}");
        }
    }

    #[test]
    fn a_raw_text_element_ends_only_at_its_own_end_tag() {
        let page = format!(
            "<script>document.write('</scriptx><div>')</script>{}",
            "<div>".repeat(10)
        );
        assert_eq!(measure(&page), Ok(()));
        let deep_after = format!(
            "<textarea></TEXTAREA >{}",
            "<div>".repeat(MAX_PAGE_DEPTH + 1)
        );
        assert_eq!(
            measure(&deep_after),
            Err(PageError::TooDeep(MAX_PAGE_DEPTH))
        );
    }

    #[test]
    fn unclosed_paragraphs_and_list_items_do_not_count_as_nesting() {
        let items: String = (0..2_000)
            .map(|i| format!("<p>Paragraph {i}, long enough, with commas<li><a>item</a> {i}"))
            .collect();
        assert_eq!(measure(&format!("<body><ul>{items}</ul>")), Ok(()));
    }

    #[test]
    fn a_page_of_too_many_elements_is_refused() {
        let page = "<br>".repeat(MAX_PAGE_ELEMENTS + 1);
        assert_eq!(
            measure(&page),
            Err(PageError::TooManyElements(MAX_PAGE_ELEMENTS))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_markup_is_scanned_without_a_panic(
            page in "(<|>|/|!|-|=|\"|'| |a|div|p|li|svg|script|style|é|ا){0,200}"
        ) {
            let _ = measure(&page);
        }
    }

    #[test]
    fn unfinished_markup_ends_the_scan() {
        for page in ["<div", "<div a=\"", "<!--", "</", "<script>", "<"] {
            assert_eq!(measure(page), Ok(()), "{page}");
        }
    }
}
