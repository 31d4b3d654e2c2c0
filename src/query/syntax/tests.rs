use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn parsed(text: &str) -> Expr {
    parse(text).unwrap().expr.unwrap()
}

fn any(text: &str) -> Expr {
    Expr::Term {
        field: Field::Any,
        text: text.to_owned(),
    }
}

fn error(text: &str) -> (String, Range<usize>) {
    let error = parse(text).unwrap_err();
    (error.message, error.at)
}

#[test]
fn terms_are_anded_or_binds_looser_and_parentheses_group() {
    assert_eq!(parsed("gaza aid"), Expr::And(vec![any("gaza"), any("aid")]));
    assert_eq!(
        parsed("gaza aid OR sudan"),
        Expr::Or(vec![Expr::And(vec![any("gaza"), any("aid")]), any("sudan")])
    );
    assert_eq!(
        parsed("gaza (aid OR sudan)"),
        Expr::And(vec![any("gaza"), Expr::Or(vec![any("aid"), any("sudan")])])
    );
    // Nested groups of one kind are one group.
    assert_eq!(
        parsed("a (b c) OR (d OR e)"),
        Expr::Or(vec![
            Expr::And(vec![any("a"), any("b"), any("c")]),
            any("d"),
            any("e")
        ])
    );
    assert_eq!(parsed("or"), any("or"));
}

#[test]
fn negation_phrases_and_fields() {
    assert_eq!(
        parsed("-sport \"وزير الخارجية\""),
        Expr::And(vec![
            Expr::Not(Box::new(any("sport"))),
            any("وزير الخارجيه")
        ])
    );
    assert_eq!(parsed("--a"), any("a"));
    assert_eq!(
        parsed("-(a OR b)"),
        Expr::Not(Box::new(Expr::Or(vec![any("a"), any("b")])))
    );
    assert_eq!(
        parsed("title:\"Al Jazeera\" source:الجزيرة link:BBC.co.uk lang:AR"),
        Expr::And(vec![
            Expr::Term {
                field: Field::Title,
                text: "al jazeera".into()
            },
            Expr::Term {
                field: Field::Source,
                text: "الجزيره".into()
            },
            Expr::Term {
                field: Field::Link,
                text: "bbc.co.uk".into()
            },
            Expr::Term {
                field: Field::Lang,
                text: "ar".into()
            },
        ])
    );
    assert_eq!(
        parsed("since:2h before:2026-11-30 is:unread"),
        Expr::And(vec![
            Expr::Since(When::Ago(Duration::from_secs(7200))),
            Expr::Before(When::Day(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())),
            Expr::Is(Flag::Unread),
        ])
    );
    // A colon after something other than a word of letters is text.
    assert_eq!(parsed("10:30"), any("10:30"));
    // Text that folds to nothing (a tatweel, harakat) adds nothing.
    assert_eq!(parse("ـ").unwrap().expr, None);
    assert_eq!(parse("   ").unwrap().expr, None);
}

#[test]
fn errors_point_at_the_place() {
    assert_eq!(
        error("(gaza aid"),
        ("a ( that is never closed".into(), 0..1)
    );
    assert_eq!(error("gaza )"), ("a ) with no ( before it".into(), 5..6));
    assert_eq!(error("gaza OR"), ("OR needs a term after it".into(), 5..7));
    assert_eq!(error("OR gaza"), ("OR needs a term before it".into(), 0..2));
    assert_eq!(
        error("a OR OR b"),
        ("OR needs a term after it".into(), 2..4)
    );
    assert_eq!(error("a ()"), ("nothing between ( and )".into(), 2..4));
    assert_eq!(
        error("say \"hi"),
        ("a \" that is never closed".into(), 4..5)
    );
    assert_eq!(error("a -").1, 2..3);
    assert_eq!(error("-)").0, "nothing after -");
    assert!(error("titel:x").0.starts_with("no field is called titel"));
    assert_eq!(error("titel:x").1, 0..5);
    assert_eq!(error("a title:").1, 2..8);
    assert_eq!(
        error("since:soon"),
        (
            "since: takes a time ago (90m, 2h, 3d, 1w) or a day (2026-11-30)".into(),
            6..10
        )
    );
    assert_eq!(error("is:new").1, 3..6);
    // Places are in bytes of the text; columns in characters.
    let text = "غزة (";
    let error = parse(text).unwrap_err();
    assert_eq!(error.column(text), 4);
    assert_eq!(
        error.pointed(text),
        "a ( that is never closed\n  غزة (\n      ^"
    );
}

fn subject<'a>(text: &'a str, title: Range<usize>, source: Range<usize>) -> Subject<'a> {
    Subject {
        text,
        title,
        source,
        link: Some("https://www.BBC.co.uk/arabic/1"),
        lang: Some("ar-SA"),
        published: Utc.with_ymd_and_hms(2026, 11, 30, 21, 30, 0).unwrap(),
        read: false,
    }
}

#[test]
fn matching_looks_in_the_fields_and_at_the_clock() {
    // Title, source, summary, folded.
    let text = "غزه تستقبل مساعدات bbc عربي الامم المتحده";
    let source = text.find("bbc").unwrap();
    let summary = text.find("الامم").unwrap();
    let headline = subject(text, 0..source - 1, source..summary - 1);
    let clock = Clock {
        now: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        utc_offset: FixedOffset::east_opt(3 * 3600).unwrap(),
    };
    let matches = |query: &str| parsed(query).matches(&headline, &clock);
    assert!(matches("غزة مساعدات"));
    assert!(matches("title:غزة"));
    assert!(!matches("title:الأمم"));
    assert!(matches("الأمم"));
    assert!(matches("source:bbc"));
    assert!(!matches("source:غزة"));
    assert!(matches("link:bbc.co.uk/arabic"));
    assert!(matches("lang:ar") && matches("lang:ar-sa") && !matches("lang:a"));
    assert!(matches("sudan OR غزة") && !matches("sudan OR yemen"));
    assert!(matches("-sudan") && !matches("-(sudan OR غزة)"));
    assert!(matches("is:unread") && !matches("is:read"));
    // 21:30 UTC is 00:30 on 1 December in UTC+3.
    assert!(matches("since:3h") && !matches("since:2h"));
    assert!(matches("since:2026-12-01") && !matches("before:2026-12-01"));
    assert!(matches("before:2h"));
}

/// Canonical expressions: what the parser gives, and what printing must give back.
fn expr() -> impl Strategy<Value = Expr> {
    let word = prop::sample::select(vec![
        "gaza",
        "غزة",
        "وزير الخارجية",
        "10:30",
        "-5",
        "a(b",
        "OR",
        "ﻻ",
        "Ελλάδα",
    ]);
    let field = prop::sample::select(vec![
        Field::Any,
        Field::Title,
        Field::Source,
        Field::Link,
        Field::Lang,
    ]);
    let leaf = prop_oneof![
        (field, word).prop_filter_map("folds to nothing", |(field, word)| term(field, word, false)),
        (0u64..10_000_000).prop_map(|seconds| Expr::Since(When::Ago(Duration::from_secs(seconds)))),
        (0i32..20_000).prop_map(|days| Expr::Before(When::Day(
            NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64)
        ))),
        prop::sample::select(vec![Flag::Read, Flag::Unread]).prop_map(Expr::Is),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_filter("no double negation", |e| !matches!(e, Expr::Not(_)))
                .prop_map(|e| Expr::Not(Box::new(e))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|all| {
                Expr::And(
                    all.into_iter()
                        .flat_map(|e| match e {
                            Expr::And(inner) => inner,
                            other => vec![other],
                        })
                        .collect(),
                )
            }),
            prop::collection::vec(inner, 2..4).prop_map(|any| {
                Expr::Or(
                    any.into_iter()
                        .flat_map(|e| match e {
                            Expr::Or(inner) => inner,
                            other => vec![other],
                        })
                        .collect(),
                )
            }),
        ]
    })
}

proptest! {
    #[test]
    fn a_printed_query_parses_back_to_itself(expr in expr()) {
        let printed = expr.to_string();
        prop_assert_eq!(parse(&printed).map(|parsed| parsed.expr), Ok(Some(expr)), "{}", printed);
    }

    #[test]
    fn whatever_is_typed_parses_or_says_where_and_what_parses_prints_back(
        text in "[a-zغز:()\" -]{0,16}|(OR|title:|-|\\(|\\)|\"| |x|غ){0,8}"
    ) {
        match parse(&text) {
            Ok(parsed) => {
                let printed = parsed.to_string();
                prop_assert_eq!(parse(&printed), Ok(parsed), "{}", printed);
            }
            Err(error) => {
                prop_assert!(error.at.start < error.at.end && error.at.end <= text.len());
                prop_assert!(text.is_char_boundary(error.at.start));
                prop_assert!(text.is_char_boundary(error.at.end));
            }
        }
    }
}
