//! The HTML layer on feed-sized inputs: `plain_text` runs on every title and summary of every
//! item (10,000 items of a big feed share a parse budget of 50 ms with everything else), and
//! `article_from_html` once per opened article.

use akhbar::article::article_from_html;
use akhbar::text::sanitize::plain_text;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use url::Url;

/// About 100 characters, entities of every kind.
const TITLE: &str = "Tom &amp; Jerry&#8217;s &quot;big&quot; day &mdash; caf&eacute; \
                     openings &hellip; AT&amp;T &lt;3 &#x2014; news";
/// A title as most feeds send it: no markup at all.
const PLAIN_TITLE: &str =
    "الليرة السورية تواصل التحسن منذ سقوط النظام - Markets rally as the pound recovers";

/// About 1 KB: what a WordPress or news-site description looks like.
fn description() -> String {
    let html = "<p><img src=\"https://example.com/img/1.jpg\" alt=\"\" width=\"640\" height=\"360\"/></p>\
        <p><strong>Qatar says talks on hostages continue &amp; more</strong></p>\
        <p>Qatar&#8217;s foreign ministry said on Saturday that the minister stressed continued \
        coordination with the United States and international partners &mdash; including \
        Egypt &mdash; to secure the release of the hostages and to de-escalate in Gaza.</p>\
        <p>قالت وزارة الخارجية القطرية يوم السبت، إن الوزير أكد استمرار التنسيق مع الولايات \
        المتحدة والشركاء الدوليين للإفراج عن المحتجزين وخفض التصعيد في قطاع غزة.</p>\
        <p>The talks, held in Doha, &ldquo;continue at every level&rdquo;, a spokesman said.<br/>\
        More on <a href=\"https://example.com/ar/news/1?utm_source=rss&amp;utm_medium=feed\">\
        the story</a> &hellip;</p>";
    assert!((800..1200).contains(&html.len()), "{}", html.len());
    html.to_owned()
}

/// About 50 KB of article markup: headings, paragraphs with links, lists, a table, code.
fn article() -> String {
    let mut html = String::from("<article><h1>Harbour reopens after storm</h1>");
    let mut i = 0;
    while html.len() < 50 * 1024 {
        html.push_str(&format!(
            "<h2>Part {i}</h2><p>The port authority said on <em>Tuesday</em> that the \
             <a href=\"/harbour/{i}\">main harbour</a> would reopen to shipping &mdash; \
             &ldquo;slowly&rdquo;, said its head.</p>\
             <ul><li>Berths 1&ndash;4 are open.</li><li>Pilots are <b>back</b> on duty.</li></ul>\
             <blockquote><p>We are open for business,<br>but slowly.</p></blockquote>\
             <table><tr><th>Berth</th><th>Status</th></tr><tr><td>{i}</td><td>open</td></tr></table>\
             <pre>fn main() {{\n\tprintln!(\"{i}\");\n}}</pre>\
             <script>var x = '<p>' + {i};</script>"
        ));
        i += 1;
    }
    html.push_str("</article>");
    html
}

fn bench_html(c: &mut Criterion) {
    let description = description();
    let article = article();
    let base = Url::parse("https://example.com/news/2024/story.html").ok();

    let mut group = c.benchmark_group("plain_text");
    group.throughput(Throughput::Bytes(TITLE.len() as u64));
    group.bench_function("title_with_entities", |b| {
        b.iter(|| plain_text(black_box(TITLE)))
    });
    group.throughput(Throughput::Bytes(PLAIN_TITLE.len() as u64));
    group.bench_function("title_without_markup", |b| {
        b.iter(|| plain_text(black_box(PLAIN_TITLE)))
    });
    // A short input that takes the tokenizer: what driving it and one named reference cost.
    group.bench_function("short_with_one_reference", |b| {
        b.iter(|| plain_text(black_box("a &amp; b")))
    });
    group.throughput(Throughput::Bytes(description.len() as u64));
    group.bench_function("description_1kb", |b| {
        b.iter(|| plain_text(black_box(&description)))
    });
    group.finish();

    let mut group = c.benchmark_group("article_from_html");
    group.throughput(Throughput::Bytes(article.len() as u64));
    group.bench_function("article_50kb", |b| {
        b.iter(|| article_from_html(black_box(&article), base.as_ref()))
    });
    group.finish();
}

criterion_group!(benches, bench_html);
criterion_main!(benches);
