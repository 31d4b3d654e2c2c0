//! The filter: what `/`, `--filter`, `akhbar print --filter`, views, mutes and alerts match
//! headlines with, in one query language ([`syntax`]).
//!
//! Queries and headlines are reduced to one searchable form ([`normalize`], and optionally
//! [`stem`]), so matching is a plain substring search per term. A headline's text is folded
//! once, when it arrives ([`Searchable`]), and matched on every keystroke, so the folding
//! cost is paid up front and a keystroke costs only the searches.

mod highlight;
mod matcher;
mod normalize;
pub mod stem;
pub mod syntax;

pub use highlight::Part;
pub use normalize::{normalize, normalize_mapped};
use syntax::{Clock, Parsed, QueryError, Subject};

/// A headline's searchable text, folded once when the headline arrives (and stemmed, when
/// stemming is on): the title, the source's name and the summary, one space apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Searchable {
    text: Box<str>,
    /// Where the title ends and the source's name ends, in bytes of `text`.
    title_end: u32,
    source_end: u32,
}

impl Searchable {
    pub fn new(title: &str, source: &str, summary: &str, stem: bool) -> Self {
        let fold = |text: &str| {
            let folded = normalize(text);
            if stem {
                stem::stem_text(&folded)
            } else {
                folded
            }
        };
        let (title, source, summary) = (fold(title), fold(source), fold(summary));
        let mut text = String::with_capacity(title.len() + source.len() + summary.len() + 2);
        text.push_str(&title);
        let title_end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        text.push(' ');
        text.push_str(&source);
        let source_end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        text.push(' ');
        text.push_str(&summary);
        Self {
            text: text.into_boxed_str(),
            title_end,
            source_end,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The headline as a query sees it.
    pub fn subject<'a>(
        &'a self,
        link: Option<&'a str>,
        lang: Option<&'a str>,
        published: chrono::DateTime<chrono::Utc>,
        read: bool,
    ) -> syntax::Subject<'a> {
        let title_end = self.title_end as usize;
        let source_end = self.source_end as usize;
        syntax::Subject {
            text: &self.text,
            title: 0..title_end,
            source: (title_end + 1).min(source_end)..source_end,
            link,
            lang,
            published,
            read,
        }
    }
}

/// A parsed query, ready to match; the empty query matches every headline.
#[derive(Debug, Clone, Default)]
pub struct Query {
    parsed: Parsed,
    /// The same, compiled for matching many headlines.
    matcher: Option<matcher::Matcher>,
    /// Whether the terms were stemmed, so that highlighting stems the text alike.
    stem: bool,
}

/// Queries are equal when they say the same; the compiled form follows from that.
impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.parsed == other.parsed
    }
}

impl Eq for Query {}

impl Query {
    /// Parses what the user typed ([`syntax`]); blank text is the empty query.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        Self::parse_stemmed(text, false)
    }

    /// Parses `text` for headlines whose text was stemmed (`stem = true`).
    pub fn parse_stemmed(text: &str, stem: bool) -> Result<Self, QueryError> {
        syntax::parse_with(text, stem).map(|parsed| Self {
            matcher: parsed.expr.as_ref().map(matcher::Matcher::new),
            parsed,
            stem,
        })
    }

    /// Whether the query has no terms, so it matches every headline.
    pub fn is_empty(&self) -> bool {
        self.parsed.expr.is_none()
    }

    pub fn matches(&self, subject: &Subject<'_>, clock: &Clock) -> bool {
        self.matcher
            .as_ref()
            .is_none_or(|matcher| matcher.matches(subject, clock))
    }

    /// Whether what the query matches changes as time passes (`since:2h`).
    pub fn depends_on_time(&self) -> bool {
        self.parsed
            .expr
            .as_ref()
            .is_some_and(syntax::Expr::depends_on_time)
    }

    /// Whether what the query matches changes as time passes or stories are read.
    pub fn depends_on_state(&self) -> bool {
        self.parsed
            .expr
            .as_ref()
            .is_some_and(|expr| expr.depends_on_time() || expr.depends_on_read())
    }

    pub fn expr(&self) -> Option<&syntax::Expr> {
        self.parsed.expr.as_ref()
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parsed.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// Whether `query` matches a headline titled `title`, both raw text.
    fn matches_title(query: &Query, title: &str) -> bool {
        let searchable = Searchable::new(title, "", "", false);
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let clock = Clock {
            now,
            utc_offset: chrono::FixedOffset::east_opt(0).unwrap(),
        };
        query.matches(&searchable.subject(None, None, now, false), &clock)
    }

    fn query(text: &str) -> Query {
        Query::parse(text).unwrap_or_else(|error| panic!("{text:?}: {error}"))
    }

    /// Whether a one-term query `needle` finds `haystack`, both raw text.
    fn finds(needle: &str, haystack: &str) -> bool {
        matches_title(&query(needle), haystack)
    }

    #[test]
    fn hamza_and_madda_alefs_match_bare_alef() {
        assert!(finds("اسرى", "الإفراج عن أسرى"));
        assert!(finds("أسرى", "الافراج عن اسرى"));
        assert!(finds("الافراج", "الإفراج عن الأسرى"));
        assert!(finds("القران", "القرآن الكريم"));
        assert!(finds("الاسلام", "ٱلإسلام"));
        assert_eq!(normalize("أ إ آ ٱ ا"), "ا ا ا ا ا");
    }

    #[test]
    fn teh_marbuta_matches_heh() {
        assert!(finds("مكتبة", "افتتاح مكتبه عامة"));
        assert!(finds("مكتبه", "افتتاح مكتبة عامة"));
        assert!(finds("غزه", "قصف على غزة"));
    }

    #[test]
    fn alef_maksura_and_persian_yeh_match_yeh() {
        assert!(finds("على", "هجوم علي المدينة"));
        assert!(finds("علي", "هجوم على المدينة"));
        assert!(finds("ايران", "سفر به ایران"));
        assert!(finds("ایران", "زيارة إلى إيران"));
    }

    #[test]
    fn persian_keheh_matches_kaf() {
        assert!(finds("كتاب", "یک کتاب"));
        assert!(finds("کتاب", "معرض الكتاب"));
    }

    #[test]
    fn eastern_digits_match_ascii_digits() {
        assert!(finds("26", "بطولة خليجي ٢٦ بالكويت"));
        assert!(finds("٢٦", "Gulf Cup 26 in Kuwait"));
        assert!(finds("1403", "سال ۱۴۰۳"));
        assert!(finds("۲۰۲۴", "عام ٢٠٢٤"));
        assert!(finds("3.5%", "نمو ٣٫٥٪"));
        assert!(finds("1,000", "١٬٠٠٠ شخص"));
        assert_eq!(normalize("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹"), "0123456789 0123456789");
    }

    #[test]
    fn harakat_and_quranic_marks_are_ignored() {
        assert!(finds("لاعبا", "وقع لاعباً جديداً"));
        assert!(finds("لاعباً", "وقع لاعبا جديدا"));
        assert!(finds("محمد", "مُحَمَّدٌ"));
        assert!(finds("مُحَمَّد", "وصل محمد"));
        assert!(finds("هدى", "هُدًى لِلْمُتَّقِينَ"));
        assert!(finds("الرحمن", "ٱلرَّحْمَٰنِ"));
        assert!(finds("ذلك ريب فيه", "ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ"));
        // The dagger alef is dropped like the other marks, not read as a written alef.
        assert!(!finds("الكتاب", "ٱلْكِتَٰبُ"));
        for mark in ('\u{064B}'..='\u{065F}')
            .chain(['\u{0670}'])
            .chain('\u{06D6}'..='\u{06ED}')
        {
            assert_eq!(
                normalize(&format!("ب{mark}ت")),
                "بت",
                "U+{:04X}",
                u32::from(mark)
            );
        }
    }

    #[test]
    fn tatweel_is_ignored() {
        assert!(finds("غزة", "أخبار غـزة"));
        assert!(finds("غـــزة", "أخبار غزة"));
        assert_eq!(normalize("الـــسلام"), "السلام");
    }

    #[test]
    fn decomposed_hamza_spellings_fold_like_composed_ones() {
        for (composed, decomposed) in [
            ("أسرى", "\u{0627}\u{0654}سرى"),
            ("إيران", "\u{0627}\u{0655}يران"),
            ("القرآن", "القر\u{0627}\u{0653}ن"),
            ("مسؤول", "مس\u{0648}\u{0654}ول"),
            ("رئيس", "ر\u{064A}\u{0654}يس"),
        ] {
            assert_eq!(normalize(composed), normalize(decomposed), "{composed}");
        }
    }

    #[test]
    fn presentation_forms_fold_to_letters() {
        // غزة and السلام as legacy shaped text, with the lam-alef ligature.
        assert_eq!(normalize("ﻏﺰﺓ"), normalize("غزة"));
        assert!(finds("غزة", "ﺃﺧﺒﺎﺭ ﻏﺰﺓ"));
        assert!(finds("السلام", "ﺍﻟﺴﻼﻡ"));
        assert!(finds("لا", "ﻻ"));
        assert!(finds("الاسرى", "ﺍﻷﺳﺮﻯ"));
        assert!(finds("الله", "ﷲ"));
        assert!(finds("صلى الله عليه وسلم", "النبي ﷺ"));
        assert!(finds("ریال", "۱۰۰ ﷼"));
        assert!(finds("گزارش", "ﮔﺰﺍﺭﺵ"));
        // Spacing harakat forms vanish instead of splitting the word.
        assert_eq!(normalize("ﻻﻋﺒﺎﹰ"), "لاعبا");
        assert_eq!(normalize("ﻣﹸﺤﹶﻤﱠﺪ"), "محمد");
    }

    #[test]
    fn case_is_ignored() {
        assert!(finds("reuters", "Markets rally (REUTERS)"));
        assert!(finds("BBC", "bbc news"));
        assert!(finds("ΑΘΉΝΑ", "Σεισμός στην Αθήνα"));
        assert!(finds("σεισμοσ", "ΣΕΙΣΜΟΣ"));
        assert!(finds("ΣΕΙΣΜΌΣ", "σεισμός"));
        assert!(finds("москва", "МОСКВА"));
        assert!(finds("istanbul", "İstanbul'da"));
        assert!(finds("STRASSE", "Straße"));
        assert!(finds("straße", "STRASSE"));
        // Case only: accents stay, as folding them needs decomposition tables.
        assert!(!finds("ΑΘΗΝΑ", "Αθήνα"));
        assert!(!finds("cafe", "Café"));
    }

    #[test]
    fn invisible_characters_are_ignored() {
        assert!(finds("میخواهم", "می\u{200C}خواهم"));
        assert!(finds("می\u{200C}خواهم", "میخواهم"));
        assert!(finds("غزة", "\u{200F}غ\u{200D}زة\u{2069}"));
        assert!(finds("news", "ne\u{00AD}ws"));
        assert!(finds("❤", "❤\u{FE0F}"));
        assert_eq!(normalize("\u{FEFF}\u{2067}abc\u{2069}\u{200E}"), "abc");
    }

    #[test]
    fn whitespace_runs_collapse_and_ends_are_trimmed() {
        assert_eq!(
            normalize("  Oil \t\n prices\u{00A0}\u{2003}fall  "),
            "oil prices fall"
        );
        // A dropped mark between spaces must not leave two spaces behind.
        assert_eq!(normalize("a \u{064B} b"), "a b");
        assert_eq!(normalize(" \u{200F} "), "");
        assert_eq!(normalize(""), "");
        assert!(finds("\"oil prices\"", "Oil   prices fall"));
    }

    #[test]
    fn searchable_text_keeps_its_fields_apart_and_stems_when_asked() {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let clock = syntax::Clock {
            now: at,
            utc_offset: chrono::FixedOffset::east_opt(0).unwrap(),
        };
        let matches = |stem: bool, query: &str| {
            let searchable =
                Searchable::new("وصول المساعدات إلى غزة", "الجزيرة", "قوافل الإغاثة", stem);
            let subject = searchable.subject(None, Some("ar"), at, false);
            syntax::parse_with(query, stem)
                .unwrap()
                .expr
                .is_none_or(|expr| expr.matches(&subject, &clock))
        };
        assert!(!matches(false, "مساعدة"));
        assert!(matches(true, "مساعدة"));
        assert!(matches(true, "title:والمساعدات source:جزيرة"));
        assert!(!matches(true, "title:جزيرة"));
        assert!(matches(false, "source:الجزيرة -title:الجزيرة"));
        assert!(matches(false, "إغاثة"));
    }

    #[test]
    fn terms_are_anded() {
        let both = query("ليفربول  أرسنال");
        assert!(matches_title(&both, "ليفربول وأرسنال يسقطان في فخ التعادل"));
        assert!(!matches_title(&both, "ليفربول يفوز على تشيلسي"));
        assert!(!matches_title(&both, "أرسنال يفوز على تشيلسي"));
        let mixed = query("oil GAZA");
        assert!(matches_title(
            &mixed,
            "Oil prices rise after Gaza ceasefire"
        ));
        assert!(!matches_title(&mixed, "Oil prices fall"));
    }

    #[test]
    fn phrases_are_one_term() {
        let phrase = query("\"خليجي 26\"");
        assert!(matches_title(&phrase, "بطولة خليجي ٢٦ بالكويت"));
        assert!(!matches_title(&phrase, "خليجي في عام 26"));
        let around = query("news \"oil prices\"uk");
        assert!(matches_title(&around, "UK news: oil prices fall"));
        assert!(!matches_title(&around, "UK news: prices of oil fall"));
        // A quoted leading dash is searched for, not a negation.
        assert!(finds("\"-5\"", "temperatures of -5 degrees"));
        assert!(!finds("\"-5\"", "temperatures of 5 degrees"));
        // An unclosed quote is an error at the quote.
        assert_eq!(Query::parse("oil \"prices").unwrap_err().at, 4..5);
    }

    #[test]
    fn negated_terms_exclude() {
        let football = query("football -sport");
        assert!(matches_title(&football, "football fans march"));
        assert!(!matches_title(&football, "Football: Sport results"));
        let kuwait = query("-\"كرة القدم\" الكويت");
        assert!(matches_title(&kuwait, "الكويت تستضيف قمة"));
        assert!(!matches_title(&kuwait, "الكويت تستضيف بطولة كرة القدم"));
        // A query of exclusions alone still filters.
        let no_sport = query("-رياضة");
        assert!(!no_sport.is_empty());
        assert!(matches_title(&no_sport, "أخبار السياسة"));
        assert!(!matches_title(&no_sport, "أخبار الرياضة"));
        // A dash inside a word is part of it.
        assert!(finds("covid-19", "COVID-19 cases"));
    }

    #[test]
    fn blank_queries_match_everything_and_half_typed_ones_say_where_they_stop() {
        for text in ["", "   ", " \t\n", "\"\"", "-\"\"", "ً", "\u{200F}"] {
            let blank = query(text);
            assert!(blank.is_empty(), "{text:?}");
            assert_eq!(blank, Query::default(), "{text:?}");
            assert!(matches_title(&blank, "anything"), "{text:?}");
            assert!(matches_title(&blank, ""), "{text:?}");
        }
        for (text, at) in [("-", 0..1), (" - ", 1..2), ("\"", 0..1), ("(غزة", 0..1)] {
            assert_eq!(Query::parse(text).unwrap_err().at, at, "{text:?}");
        }
        assert!(!query("a").is_empty());
    }

    proptest! {
        #[test]
        fn any_substring_matches(s in normalize::tests::mixed_text(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
            let text = normalize(&s);
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let (a, b) = (a.get(&bounds), b.get(&bounds));
            let sub = &text[*a.min(b)..*a.max(b)];
            for term in sub.split(' ') {
                // A leading `-` or `"` is query syntax; quoting makes any term literal.
                if !term.starts_with('-') && !term.contains('"') && term != "or" {
                    prop_assert!(matches_title(&query(term), &text), "{:?} in {:?}", term, text);
                }
                if !term.contains('"') {
                    let quoted = format!("\"{term}\"");
                    prop_assert!(matches_title(&query(&quoted), &text), "{:?} in {:?}", quoted, text);
                }
            }
            if !sub.contains('"') {
                let phrase = format!("\"{sub}\"");
                prop_assert!(matches_title(&query(&phrase), &text), "{:?} in {:?}", phrase, text);
            }
        }
    }
}
