//! A story page of about 200 KB (site chrome, inline scripts and a long article) taken to
//! its article: decoding, the depth check, readability and the block builder. Target: 10 ms.

use akhbar::article::extract_page;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use url::Url;

const SEED_PAGE: &str = include_str!("../tests/fixtures/articles/pages/ar-seed-page.html");

/// The seed's page, its article and its chrome repeated until the page is about 200 KB, as
/// news pages are: navigation, a latest-news list, scripts, related links and comments.
fn page() -> String {
    let (head, rest) = SEED_PAGE
        .split_once("<div class=\"news-body\">")
        .unwrap_or((SEED_PAGE, ""));
    let (body, tail) = rest.split_once("</div>").unwrap_or((rest, ""));
    let script = "<script>window.dataLayer=window.dataLayer||[];dataLayer.push({event:'view'});\
                  var slots=[];for(var i=0;i<10;i++){slots.push('<div class=ad>'+i+'</div>')}</script>\n";
    let mut html = String::from(head);
    html.push_str("<div class=\"news-body\">");
    let mut repeats = 0;
    while html.len() + tail.len() * (repeats + 1) < 200 * 1024 && repeats < 12 {
        html.push_str(body);
        html.push_str(script);
        repeats += 1;
    }
    html.push_str("</div>");
    while html.len() < 200 * 1024 {
        html.push_str(tail);
    }
    html
}

fn bench_article(c: &mut Criterion) {
    let page = page();
    let url = Url::parse("https://example.org/news/2023/10/22/story.html").ok();
    assert!(extract_page(page.as_bytes(), Some("text/html"), url.as_ref()).is_ok());
    let mut group = c.benchmark_group("extract_page");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("200 KB news page", |b| {
        b.iter(|| extract_page(black_box(page.as_bytes()), Some("text/html"), url.as_ref()))
    });
    group.finish();
}

criterion_group!(benches, bench_article);
criterion_main!(benches);
