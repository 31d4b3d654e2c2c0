//! Layout throughput: 10,000 mixed headlines (Arabic with numbers, Latin names, brackets,
//! Persian, Hebrew, English) laid out at width 100, as a full list redraw without the cache
//! would. The budget is 50 ms for all of them.

use std::hint::black_box;

use akhbar::feed::Direction;
use akhbar::text::bidi::paragraph_direction;
use akhbar::text::layout::{LayoutOptions, layout, visual_line};
use akhbar::text::ticker::TickerStrip;
use criterion::{Criterion, criterion_group, criterion_main};

const WORDS: &[&str] = &[
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
    "[فيديو]",
    "«عاجل»",
    "3.5%",
    "12:46",
    "٢٠٢٤",
    "مُحَمَّدٌ",
    "السلام",
    "Apple",
    "iPhone",
    "BBC",
    "NATO",
    "می‌خواهم",
    "گزارش",
    "پژوهش",
    "שלום",
    "ירושלים",
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
];

/// Deterministic headlines: about a quarter English, the rest Arabic mixed with the rest.
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
            let english = next(4) == 0;
            let words = if english { ENGLISH } else { WORDS };
            let len = 6 + next(12);
            (0..len)
                .map(|_| words[next(words.len())])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let items = headlines(10_000);
    let dirs: Vec<_> = items
        .iter()
        .map(|t| paragraph_direction(t, Direction::Auto, None))
        .collect();
    c.bench_function("layout 10k headlines, width 100, one line", |b| {
        b.iter(|| {
            for (text, &dir) in items.iter().zip(&dirs) {
                black_box(layout(
                    black_box(text),
                    dir,
                    LayoutOptions::single_line(100),
                ));
            }
        })
    });
    c.bench_function("layout 10k headlines, width 40, wrapped to 3 lines", |b| {
        b.iter(|| {
            for (text, &dir) in items.iter().zip(&dirs) {
                black_box(layout(black_box(text), dir, LayoutOptions::wrapped(40, 3)));
            }
        })
    });
    c.bench_function("visual_line 10k headlines", |b| {
        b.iter(|| {
            for (text, &dir) in items.iter().zip(&dirs) {
                black_box(visual_line(black_box(text), dir));
            }
        })
    });
    // A 120x40 frame of laid-out headlines, rewritten for kitty's shaper (every frame in
    // kitty, since the ticker moves).
    let mut frame = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 120, 40));
    for (y, (text, &dir)) in (0..40u16).zip(items.iter().zip(&dirs)) {
        let paragraph = layout(text, dir, LayoutOptions::single_line(120));
        if let Some(line) = paragraph.lines.first() {
            let row = ratatui::layout::Rect::new(0, y, 120, 1);
            line.render(row, &mut frame, ratatui::style::Style::new());
        }
    }
    c.bench_function("kitty: rewrite a 120x40 frame", |b| {
        b.iter_batched_ref(
            || frame.clone(),
            |frame| akhbar::text::kitty::prepare(black_box(frame)),
            criterion::BatchSize::SmallInput,
        )
    });
    let strip = TickerStrip::new(
        items
            .iter()
            .take(200)
            .map(|t| (t.as_str(), paragraph_direction(t, Direction::Auto, None))),
        akhbar::text::bidi::Dir::Rtl,
        "  •  ",
        true,
    );
    c.bench_function("ticker window, width 200", |b| {
        let mut offset = 0;
        b.iter(|| {
            offset += 1;
            black_box(strip.window(offset, 200))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
