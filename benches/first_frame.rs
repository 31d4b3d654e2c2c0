//! Start-up from the store: 10,000 cached headlines (20 feeds of 500) opened, loaded, merged
//! and drawn at 120×40 — everything between starting and the first frame, the terminal's
//! own setup aside. The budget is 100 ms.

use std::hint::black_box;

use akhbar::feed::fetch::Validators;
use akhbar::feed::{Headline, ParsedFeed};
use akhbar::source::{Location, Source};
use akhbar::store::Store;
use akhbar::tui::state::{AppState, Msg};
use akhbar::ui::{TextMode, UiCache};
use chrono::{Duration, NaiveDate, Offset, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FEEDS: usize = 20;
const PER_FEED: usize = 500;

const ARABIC: &[&str] = &[
    "الليرة السورية تواصل التحسن منذ سقوط النظام",
    "قطر تؤكد مواصلة جهود الوساطة مع مصر وأمريكا",
    "ليفربول وأرسنال يسقطان في فخ التعادل بالدوري الإنجليزي",
    "بطولة \"خليجي 26\" بالكويت: المنتخب يفوز 3-1",
    "ارتفاع أسعار النفط 3.5% بعد قرار «أوبك+»",
];
const ENGLISH: &[&str] = &[
    "Markets rally as oil prices fall (Reuters)",
    "Shipping lanes reopen after a week of storms in the North Sea",
    "Rail strike called off after late-night talks",
];

fn source(index: usize) -> Source {
    Source::new(Location::Http(
        format!("https://example.org/feeds/{index}.xml")
            .parse()
            .unwrap(),
    ))
}

/// A store file holding `FEEDS` × `PER_FEED` headlines with summaries and short bodies.
fn fill(path: &std::path::Path) -> Vec<Source> {
    let mut store = Store::open(path).unwrap().store;
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let sources: Vec<Source> = (0..FEEDS).map(source).collect();
    for (index, source) in sources.iter().enumerate() {
        let arabic = index % 4 != 0;
        let titles = if arabic { ARABIC } else { ENGLISH };
        let headlines = (0..PER_FEED)
            .map(|n| Headline {
                id: format!("{index}-{n}"),
                title: format!("{} {n}", titles[n % titles.len()]),
                link: Some(format!("https://example.org/{index}/{n}")),
                published: start + Duration::minutes((n * FEEDS + index) as i64),
                dated: true,
                titled: true,
                summary: titles[(n + 1) % titles.len()].repeat(3),
                body_html: Some(format!("<p>{}</p>", titles[n % titles.len()]).repeat(10)),
                language: Some(if arabic { "ar" } else { "en" }.into()),
                author: None,
                enclosures: Vec::new(),
            })
            .collect();
        let feed = ParsedFeed {
            title: format!("feed {index}"),
            headlines,
            ..ParsedFeed::default()
        };
        store
            .save_feed(
                &source.location.store_key(),
                Some(&feed.title),
                &feed,
                &Validators::default(),
                start,
            )
            .unwrap();
    }
    sources
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("akhbar.db");
    let sources = fill(&path);
    let keys: Vec<String> = sources.iter().map(|s| s.location.store_key()).collect();
    c.bench_function("first frame from 10k cached headlines, 120x40", |b| {
        b.iter(|| {
            let store = Store::open(&path).unwrap().store;
            let cache = store.load(&keys).unwrap();
            let mut state = AppState::new(sources.clone(), None).with_cache(cache);
            state.update(Msg::Clock {
                now: Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap(),
                utc_offset: Utc.fix(),
                today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            });
            let mut ui = UiCache::new(TextMode {
                reorder: true,
                shape: true,
                hyperlinks: true,
                ..TextMode::default()
            });
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal
                .draw(|frame| akhbar::ui::render(&state, &mut ui, frame))
                .unwrap();
            black_box(terminal.backend().buffer().area)
        })
    });
    let store = Store::open(&path).unwrap().store;
    c.bench_function("  of which: opening the store", |b| {
        b.iter(|| black_box(Store::open(&path).unwrap().store))
    });
    c.bench_function("  of which: loading 10k headlines", |b| {
        b.iter(|| black_box(store.load(&keys).unwrap()))
    });
    let cache = store.load(&keys).unwrap();
    c.bench_function("  of which: merging them into the state", |b| {
        b.iter(|| black_box(AppState::new(sources.clone(), None).with_cache(cache.clone())))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
