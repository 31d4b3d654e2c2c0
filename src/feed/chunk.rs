//! Finds the items of a (repaired, well-formed) feed so a big feed can be parsed a slice at a
//! time: feed-rs keeps every event's bytes and the whole model in memory, so one 10,000-item
//! document would otherwise cost several times its size.

use std::ops::Range;

/// Byte ranges of the top-level `<item>` / `<entry>` elements of `xml`, in order.
///
/// CDATA sections and comments are skipped, so markup inside descriptions cannot be mistaken
/// for items. Prefixed names (`<rss:item>`) are not recognised: such feeds are parsed whole.
pub fn item_spans(xml: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    let mut at = 0;
    while let Some(offset) = xml.get(at..).and_then(|rest| rest.find('<')) {
        let start = at + offset;
        let rest = xml.get(start..).unwrap_or_default();
        if let Some(skip) = skip_opaque(rest) {
            at = start + skip;
            continue;
        }
        if let Some(closing) = rest.strip_prefix("</") {
            let name = element_name(closing);
            if let Some((item_start, item_name)) = open
                && name == item_name
            {
                let Some(end) = rest.find('>') else { break };
                spans.push(item_start..start + end + 1);
                open = None;
            }
            at = start + 2;
            continue;
        }
        let name = element_name(rest.get(1..).unwrap_or_default());
        if open.is_none() && (name == "item" || name == "entry") {
            let Some(end) = rest.find('>') else { break };
            if rest.get(..end).is_some_and(|tag| tag.ends_with('/')) {
                spans.push(start..start + end + 1);
            } else {
                open = Some((start, name));
            }
        }
        at = start + 1;
    }
    spans
}

/// For `<![CDATA[…]]>` and `<!--…-->`: how many bytes to skip (all of it when unterminated).
fn skip_opaque(rest: &str) -> Option<usize> {
    let (opening, closing) = if rest.starts_with("<![CDATA[") {
        ("<![CDATA[", "]]>")
    } else if rest.starts_with("<!--") {
        ("<!--", "-->")
    } else {
        return None;
    };
    let body = rest.get(opening.len()..).unwrap_or_default();
    Some(match body.find(closing) {
        Some(end) => opening.len() + end + closing.len(),
        None => rest.len(),
    })
}

fn element_name(text: &str) -> &str {
    let end = text
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(text.len());
    text.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(xml: &str) -> Vec<&str> {
        item_spans(xml).into_iter().map(|span| &xml[span]).collect()
    }

    #[test]
    fn rss_items_are_found_and_cdata_is_opaque() {
        let xml = "<rss><channel><title>t</title>\
            <item><title>a</title><description><![CDATA[<item>not one</item>]]></description></item>\
            <!-- <item>nor this</item> -->\
            <item id=\"2\"><title>b</title></item><item/></channel></rss>";
        assert_eq!(
            items(xml),
            [
                "<item><title>a</title><description><![CDATA[<item>not one</item>]]></description></item>",
                "<item id=\"2\"><title>b</title></item>",
                "<item/>",
            ]
        );
    }

    #[test]
    fn atom_entries_and_lookalike_names() {
        let xml = "<feed><entry><items>x</items><title>e</title></entry><entryx/></feed>";
        assert_eq!(
            items(xml),
            ["<entry><items>x</items><title>e</title></entry>"]
        );
    }

    #[test]
    fn an_unclosed_item_is_not_a_span() {
        assert!(items("<rss><item><title>cut").is_empty());
        assert!(items("<rss><item").is_empty());
    }
}
