//! Keyword filter throughput over 10,000 mixed Arabic/English headlines, each searched as
//! `title + " " + source + " " + summary` (about 600 characters): normalizing them all,
//! which happens when headlines change, and filtering them with a two-term query, which
//! happens on every keystroke and must fit in one 16 ms frame with room to spare.

use std::hint::black_box;

use akhbar::query::syntax::Clock;
use akhbar::query::{Query, Searchable, normalize};
use criterion::{Criterion, criterion_group, criterion_main};

/// Arabic as feeds write it: hamza forms, teh marbuta, alef maksura, harakat, tatweel,
/// Arabic-Indic digits, Persian letters, the odd presentation form.
const ARABIC: &[&str] = &[
    "الليرة",
    "السورية",
    "تواصل",
    "التحسن",
    "منذ",
    "سقوط",
    "النظام",
    "بطولة",
    "\"خليجي",
    "26\"",
    "بالكويت",
    "ليفربول",
    "وأرسنال",
    "يسقطان",
    "في",
    "فخ",
    "التعادل",
    "على",
    "بالدوري",
    "الإنجليزي",
    "(رويترز)",
    "«عاجل»",
    "٣٫٥٪",
    "٢٠٢٤",
    "مُحَمَّدٌ",
    "لاعباً",
    "غـزة",
    "الأسرى",
    "مكتبة",
    "إلى",
    "آلاف",
    "مسؤول",
    "رئيس",
    "الحكومة",
    "ﺍﻟﺴﻼﻡ",
    "می‌خواهم",
    "گزارش",
    "ایران",
    "Apple",
    "NATO",
];
const ENGLISH: &[&str] = &[
    "Markets",
    "rally",
    "as",
    "oil",
    "prices",
    "fall",
    "(Reuters)",
    "3.5%",
    "in",
    "the",
    "UK",
    "election",
    "results",
    "live:",
    "BBC",
    "2024",
    "Apple",
    "unveils",
    "new",
    "iPhone",
    "Gaza",
    "ceasefire",
    "talks",
    "resume",
    "Istanbul",
    "minister",
];
const SOURCES: &[&str] = &["الجزيرة نت", "BBC عربي", "Reuters World", "سكاي نيوز عربية"];

/// Deterministic `title + " " + source + " " + summary` texts: a quarter English, the
/// rest Arabic with English names mixed in, about 600 characters each.
fn headlines(count: usize) -> Vec<String> {
    let mut seed: u64 = 0x5eed;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    (0..count)
        .map(|_| {
            let words = if next(4) == 0 { ENGLISH } else { ARABIC };
            let mut text = String::new();
            let title_words = 6 + next(8);
            for _ in 0..title_words {
                text.push_str(words[next(words.len())]);
                text.push(' ');
            }
            text.push_str(SOURCES[next(SOURCES.len())]);
            while text.chars().count() < 600 {
                text.push(' ');
                text.push_str(words[next(words.len())]);
            }
            text
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let items = headlines(10_000);
    c.bench_function("normalize 10k headlines (~600 chars each)", |b| {
        b.iter(|| {
            for text in &items {
                black_box(normalize(black_box(text)));
            }
        })
    });

    let searchable: Vec<Searchable> = items
        .iter()
        .map(|text| Searchable::new(text, "", "", false))
        .collect();
    let now = chrono::Utc::now();
    let clock = Clock {
        now,
        utc_offset: chrono::FixedOffset::east_opt(3 * 3600).unwrap(),
    };
    let count = |query: &Query| {
        black_box(&searchable)
            .iter()
            .filter(|item| query.matches(&item.subject(None, None, now, false), &clock))
            .count()
    };
    // Typed without hamza, harakat or teh marbuta, as people type: both terms common, so
    // most headlines need both searched.
    let query = Query::parse("الاسرى غزه").unwrap();
    let hits = count(&query);
    assert!(hits > 0 && hits < searchable.len(), "{hits} hits");
    c.bench_function("filter 10k headlines, 2-term query", |b| {
        b.iter(|| count(&query))
    });
    // Neither term occurs: every headline is scanned to the end once.
    let missing = Query::parse("xyzzy قطر").unwrap();
    c.bench_function("filter 10k headlines, 2-term query, no hits", |b| {
        b.iter(|| count(&missing))
    });
}

/// The query language over 100,000 headlines, as a keystroke in the prompt runs it: five
/// terms, one OR, one field, one negation (the target: within one 16 ms frame).
fn query_language(c: &mut Criterion) {
    let texts = headlines(100_000);
    let searchable: Vec<Searchable> = texts
        .iter()
        .map(|text| {
            // The generator's layout: the title's words, the source, the summary.
            let source = SOURCES
                .iter()
                .find_map(|source| text.find(source).map(|at| (at, *source)))
                .unwrap_or((0, ""));
            let (title, rest) = text.split_at(source.0);
            let summary = &rest[source.1.len()..];
            Searchable::new(title, source.1, summary, false)
        })
        .collect();
    let now = chrono::Utc::now();
    let clock = Clock {
        now,
        utc_offset: chrono::FixedOffset::east_opt(3 * 3600).unwrap(),
    };
    let query = Query::parse("(غزه OR الاسرى) source:الجزيره الحكومه -ليفربول").unwrap();
    let count = || {
        black_box(&searchable)
            .iter()
            .filter(|item| query.matches(&item.subject(None, Some("ar"), now, false), &clock))
            .count()
    };
    let hits = count();
    assert!(hits > 0 && hits < searchable.len(), "{hits} hits");
    c.bench_function(
        "query language: 100k headlines, 5 terms, an OR and a field",
        |b| b.iter(count),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench, query_language
}
criterion_main!(benches);
