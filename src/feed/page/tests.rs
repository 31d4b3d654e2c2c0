use super::times::tests::{gulf, local};
use super::*;

fn rules() -> PageRules {
    PageRules {
        item: "ul.latest li".into(),
        title: "a.title".into(),
        link: "a.more@href".into(),
        time: Some(".time".into()),
        summary: Some("p".into()),
        article: None,
        zone: None,
    }
}

const PAGE: &str = include_str!("../../../tests/fixtures/pages/latest.html");

#[test]
fn a_page_like_the_seed_gives_its_stories_with_their_days() {
    let base = Url::parse("https://example.org/ar/latest").unwrap();
    let now = local(2024, 12, 9, 2, 0);
    let feed = read_page(PAGE, &rules(), Some(&base), now, gulf()).unwrap();
    assert_eq!(feed.title, "أحدث الأخبار – الإمارات 71");
    assert_eq!(feed.language.as_deref(), Some("ar"));
    let got: Vec<_> = feed
        .headlines
        .iter()
        .map(|h| {
            (
                h.published,
                h.title.as_str(),
                h.link.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got[..3],
        [
            (
                local(2024, 12, 9, 1, 29),
                "الليرة السورية تواصل التحسن منذ سقوط النظام...",
                "https://example.org/ar/news/1"
            ),
            (
                local(2024, 12, 9, 0, 46),
                "بينتو يختار 26 لاعباً لخوض بطولة \"خليجي 26\" بالكويت...",
                "https://example.org/ar/news/2"
            ),
            (
                local(2024, 12, 9, 0, 39),
                "ليفربول وأرسنال يسقطان في فخ التعادل على ملعبيهما بالدوري الإنجليزي...",
                "https://example.org/ar/news/3"
            ),
        ]
    );
    assert_eq!(feed.headlines.len(), 16);
    let last = feed.headlines.last().unwrap();
    assert_eq!(last.published, local(2024, 12, 8, 11, 31));
    assert!(feed.headlines.iter().all(|h| h.dated && h.titled));
    assert_eq!(feed.headlines[0].id, "https://example.org/ar/news/1");
    assert_eq!(feed.headlines[0].summary, "");
    // Newest first, as the page lists them.
    assert!(
        feed.headlines
            .windows(2)
            .all(|w| w[0].published >= w[1].published)
    );
}

#[test]
fn fields_take_text_or_attributes_and_markup_never_leaks() {
    let page = r#"<html><body><div class="s" data-t="منذ 5 دقائق">
        <h2><a href="/a?x=1&amp;y=2">عنوان <b>مهم</b><script>alert(1)</script></a></h2>
        <p>ملخص&nbsp;الخبر <style>p{}</style>هنا</p></div>
        <div class="s"><h2>بلا رابط</h2></div>
        <div class="s"><span>nothing</span></div></body></html>"#;
    let rules = PageRules {
        item: "div.s".into(),
        title: "h2".into(),
        link: "h2 a@href".into(),
        time: Some("@data-t".into()),
        summary: Some("p".into()),
        article: None,
        zone: None,
    };
    let base = Url::parse("https://e.x/").unwrap();
    let now = local(2024, 12, 9, 12, 0);
    let feed = read_page(page, &rules, Some(&base), now, gulf()).unwrap();
    let [first, second] = feed.headlines.as_slice() else {
        panic!("{:?}", feed.headlines);
    };
    assert_eq!(first.title, "عنوان مهم");
    assert_eq!(first.link.as_deref(), Some("https://e.x/a?x=1&y=2"));
    assert_eq!(first.summary, "ملخص\u{a0}الخبر هنا");
    assert_eq!(first.published, local(2024, 12, 9, 11, 55));
    assert_eq!(second.title, "بلا رابط");
    assert!(!second.dated);
    assert_eq!(feed.repairs, ["skipped 1 items with no title or link"]);
}

#[test]
fn fields_are_checked_as_selectors() {
    assert!(check_field("a").is_ok());
    assert!(check_field("a@href").is_ok());
    assert!(check_field("@data-time").is_ok());
    assert!(check_field(r#"a[href*="@"]"#).is_ok());
    assert!(check_field(r#"a[href*="@"]@href"#).is_ok());
    assert!(check_field("a@").is_err());
    assert!(check_field("").is_err());
    assert!(check_field("ul >> li").is_err());
    assert!(check_field("li:nth-child(").is_err());
    assert_eq!(
        split_field(r#"a[title="x@y"]@href"#),
        (r#"a[title="x@y"]"#, Some("href"))
    );
}

#[test]
fn a_hostile_page_is_refused_or_bounded_never_slow() {
    let deep = "<div>".repeat(100_000) + "x";
    let error = read_page(&deep, &rules(), None, Utc::now(), gulf()).unwrap_err();
    assert!(error.to_string().contains("nested deeper"), "{error}");

    // Unclosed list items close at their siblings, as in a browser: not deep at all.
    let items = format!(
        "<ul class=latest>{}</ul>",
        "<li><a class=title>t</a><a class=more href=/x>m".repeat(5_000)
    );
    let feed = read_page(&items, &rules(), None, Utc::now(), gulf()).unwrap();
    assert_eq!(feed.headlines.len(), MAX_ITEMS);
    assert!(
        feed.repairs[0].starts_with("read the first"),
        "{:?}",
        feed.repairs
    );

    let escapes = "<ul class=latest><li><a class=title>a\u{1b}]0;PWN\u{7}b\u{9b}2J</a>\
                   <a class=more href=\"/x%1B[2J\">m</a></li></ul>";
    let feed = read_page(escapes, &rules(), None, Utc::now(), gulf()).unwrap();
    let headline = &feed.headlines[0];
    assert!(
        !headline.title.contains(|c: char| c.is_control()),
        "{headline:?}"
    );
    assert!(headline.link.is_none() || !headline.link.as_deref().unwrap().contains('\u{1b}'));
}

#[test]
fn a_windows_1256_page_reads_in_arabic() {
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(
        "<html><head><meta charset=\"windows-1256\"><title>أخبار</title></head><body>\
         <ul class=latest><li><span class=time>09:35</span><a class=title>بايرن ميونخ يتلقى الهزيمة</a>\
         <a class=more href=/n/5>المزيد</a></li></ul></body></html>",
    );
    let feed = parse_page(
        &bytes,
        Some("text/html"),
        &rules(),
        None,
        Utc::now(),
        gulf(),
    )
    .unwrap();
    assert_eq!(feed.title, "أخبار");
    assert_eq!(feed.headlines[0].title, "بايرن ميونخ يتلقى الهزيمة");
}
