//! The namespaces feed elements live in, told apart by URI with the well-known prefixes as
//! the fallback for feeds that use a prefix without declaring it.

/// A namespace the reader gives meaning to; the RSS family counts as one, since its
/// elements mean the same under every namespace RSS was ever given (or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// No namespace, or one of RSS's own (0.90, 1.0, UserLand's 2.0).
    Rss,
    Atom10,
    Atom03,
    Dc,
    DcTerms,
    Content,
    Itunes,
    Media,
    Rdf,
    Xhtml,
    /// The `xml:` prefix (`xml:base`, `xml:lang`).
    Xml,
    /// A namespace the reader does not read.
    Other,
}

impl Ns {
    pub fn is_atom(self) -> bool {
        matches!(self, Ns::Atom10 | Ns::Atom03)
    }
}

/// The namespace a URI names: case, the scheme, a `www.` and a trailing `/` or `#` do not
/// count, since feeds misspell them all.
pub fn classify(uri: &str) -> Ns {
    let uri = uri.trim();
    let uri = strip_prefix_ignore_case(uri, "https://")
        .or_else(|| strip_prefix_ignore_case(uri, "http://"))
        .unwrap_or(uri);
    let uri = strip_prefix_ignore_case(uri, "www.").unwrap_or(uri);
    let uri = uri.trim_end_matches(['/', '#']);
    let mut lower = [0u8; 64];
    let Some(key) = lower_ascii(uri, &mut lower) else {
        return Ns::Other;
    };
    match key {
        b"" => Ns::Rss,
        b"purl.org/rss/1.0"
        | b"my.netscape.com/rdf/simple/0.9"
        | b"backend.userland.com/rss2"
        | b"backend.userland.com/rss"
        | b"blogs.law.harvard.edu/tech/rss"
        | b"purl.org/net/rss1.1" => Ns::Rss,
        b"w3.org/2005/atom" => Ns::Atom10,
        b"purl.org/atom/ns" => Ns::Atom03,
        b"purl.org/dc/elements/1.1" | b"purl.org/dc/elements/1.0" => Ns::Dc,
        b"purl.org/dc/terms" => Ns::DcTerms,
        b"purl.org/rss/1.0/modules/content" => Ns::Content,
        b"itunes.com/dtds/podcast-1.0.dtd" | b"itunes.com/dtds/podcast-1.0" => Ns::Itunes,
        b"search.yahoo.com/mrss" | b"search.yahoo.com/rss" | b"tools.search.yahoo.com/mrss" => {
            Ns::Media
        }
        b"w3.org/1999/02/22-rdf-syntax-ns" => Ns::Rdf,
        b"w3.org/1999/xhtml" => Ns::Xhtml,
        b"w3.org/xml/1998/namespace" => Ns::Xml,
        _ => Ns::Other,
    }
}

/// The namespace a prefix stands for when a feed uses it without declaring it.
pub fn well_known(prefix: &str) -> Ns {
    let mut lower = [0u8; 16];
    match lower_ascii(prefix, &mut lower) {
        Some(b"" | b"rss") => Ns::Rss,
        Some(b"atom" | b"a10") => Ns::Atom10,
        Some(b"dc") => Ns::Dc,
        Some(b"dcterms") => Ns::DcTerms,
        Some(b"content") => Ns::Content,
        Some(b"itunes") => Ns::Itunes,
        Some(b"media") => Ns::Media,
        Some(b"rdf") => Ns::Rdf,
        Some(b"xhtml") => Ns::Xhtml,
        Some(b"xml") => Ns::Xml,
        _ => Ns::Other,
    }
}

/// `text` in ASCII lower case in `buffer`, when it fits.
pub fn lower_ascii<'b>(text: &str, buffer: &'b mut [u8]) -> Option<&'b [u8]> {
    let out = buffer.get_mut(..text.len())?;
    for (o, b) in out.iter_mut().zip(text.bytes()) {
        *o = b.to_ascii_lowercase();
    }
    Some(out)
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_matched_loosely() {
        assert_eq!(classify("http://www.w3.org/2005/Atom"), Ns::Atom10);
        assert_eq!(classify("https://www.w3.org/2005/Atom/"), Ns::Atom10);
        assert_eq!(classify("http://purl.org/dc/elements/1.1/"), Ns::Dc);
        assert_eq!(classify("HTTP://PURL.ORG/DC/ELEMENTS/1.1"), Ns::Dc);
        assert_eq!(
            classify("http://purl.org/rss/1.0/modules/content/"),
            Ns::Content
        );
        assert_eq!(
            classify("http://www.itunes.com/DTDs/Podcast-1.0.dtd"),
            Ns::Itunes
        );
        assert_eq!(classify("http://search.yahoo.com/mrss/"), Ns::Media);
        assert_eq!(classify("http://purl.org/atom/ns#"), Ns::Atom03);
        assert_eq!(classify("http://my.netscape.com/rdf/simple/0.9/"), Ns::Rss);
        assert_eq!(classify("http://example.com/ns"), Ns::Other);
        assert_eq!(classify(&"x".repeat(500)), Ns::Other);
    }

    #[test]
    fn undeclared_prefixes_fall_back_to_their_usual_namespace() {
        assert_eq!(well_known("dc"), Ns::Dc);
        assert_eq!(well_known("DC"), Ns::Dc);
        assert_eq!(well_known("itunes"), Ns::Itunes);
        assert_eq!(well_known("foo"), Ns::Other);
        assert_eq!(well_known(&"p".repeat(100)), Ns::Other);
    }
}
