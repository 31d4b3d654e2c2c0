//! Golden tests of the layout engine on real headlines: hand-checked visual strings.
//!
//! Most expectations are written with shaping off, so that they stay readable: the
//! visual string is then the logical letters in visual order, which can be checked by
//! reading it backwards. The shaped expectations were also checked against
//! `fribidi --nopad --nobreak --reordernsm --clean` (see `scripts/fribidi-compare`).

use akhbar::feed::Direction;
use akhbar::text::bidi::paragraph_direction;
use akhbar::text::layout::{Dir, LayoutOptions, VisualParagraph, layout, visual_line};

/// Lines of `text` laid out without shaping, as strings.
fn unshaped(text: &str, dir: Dir, width: usize, max_lines: usize) -> Vec<String> {
    let options = LayoutOptions::wrapped(width, max_lines).with_shaping(false);
    lines(&layout(text, dir, options))
}

fn lines(paragraph: &VisualParagraph) -> Vec<String> {
    paragraph
        .lines
        .iter()
        .map(|line| line.as_str().to_owned())
        .collect()
}

fn one_line(text: &str, dir: Dir) -> String {
    let mut lines = unshaped(text, dir, 200, 1);
    assert_eq!(lines.len(), 1);
    lines.remove(0)
}

#[test]
fn numbers_percent_and_times_inside_arabic() {
    // Digits after Arabic letters are Arabic numbers: they keep their own left-to-right
    // order, and the percent sign, a neutral, lands on their left (rule W2, N1).
    assert_eq!(
        one_line("ارتفاع 3.5% في الساعة 12:46", Dir::Rtl),
        "12:46 ةعاسلا يف %3.5 عافترا"
    );
    assert_eq!(
        one_line("تراجع بنسبة -3.5% اليوم", Dir::Rtl),
        "مويلا %3.5- ةبسنب عجارت"
    );
    assert_eq!(one_line("عام ٢٠٢٤ كان", Dir::Rtl), "ناك ٢٠٢٤ ماع");
    // A headline of the seed page, time first.
    assert_eq!(
        one_line("12:46 . بينتو يختار 26 لاعباً لخوض بطولة", Dir::Rtl),
        "ةلوطب ضوخل اًبعال 26 راتخي وتنيب . 12:46"
    );
}

#[test]
fn latin_brand_names_inside_arabic() {
    assert_eq!(
        one_line("أطلقت Apple هاتف iPhone 16 الجديد", Dir::Rtl),
        "ديدجلا iPhone 16 فتاه Apple تقلطأ"
    );
    assert_eq!(
        one_line("أكسيوس: مبعوث ترامب بحث مع BBC", Dir::Rtl),
        "BBC عم ثحب بمارت ثوعبم :سويسكأ"
    );
}

#[test]
fn brackets_and_guillemets_are_mirrored() {
    assert_eq!(
        one_line("قال (رويترز) إن [المصدر] «مطلع»", Dir::Rtl),
        "«علطم» [ردصملا] نإ (زرتيور) لاق"
    );
    // In an LTR paragraph the Arabic run and the number in brackets after it read right
    // to left as a unit (rule N0 gives the brackets the direction of their context).
    assert_eq!(
        one_line("BBC: مرحبا بالعالم (2024)", Dir::Ltr),
        "BBC: (2024) ملاعلاب ابحرم"
    );
}

#[test]
fn harakat_stay_on_their_letters() {
    assert_eq!(one_line("مُحَمَّدٌ", Dir::Rtl), "دٌمَّحَمُ");
    let paragraph = layout("مُحَمَّدٌ", Dir::Rtl, LayoutOptions::single_line(10));
    let cells: Vec<&str> = paragraph.lines[0].cells().map(|c| c.symbol).collect();
    // Four cells, each a shaped letter carrying its marks.
    assert_eq!(
        cells,
        [
            "\u{FEAA}\u{064C}",
            "\u{FEE4}\u{064E}\u{0651}",
            "\u{FEA4}\u{064E}",
            "\u{FEE3}\u{064F}"
        ]
    );
    assert_eq!(paragraph.lines[0].width(), 4);
}

#[test]
fn lam_alef_in_visual_order() {
    // Unshaped, "ال" shows as "لا" in visual order, and takes two cells...
    let plain = layout(
        "السلام",
        Dir::Rtl,
        LayoutOptions::single_line(10).with_shaping(false),
    );
    assert_eq!(plain.lines[0].as_str(), "مالسلا");
    assert_eq!(plain.lines[0].width(), 6);
    // ...shaped, lam + alef is one ligature, one cell.
    let shaped = layout("السلام", Dir::Rtl, LayoutOptions::single_line(10));
    assert_eq!(
        shaped.lines[0].as_str(),
        "\u{FEE1}\u{FEFC}\u{FEB4}\u{FEDF}\u{FE8D}"
    );
    assert_eq!(shaped.lines[0].width(), 5);
    assert_eq!(visual_line("لا", Dir::Rtl), "\u{FEFB}");
    // The one-glyph "Allah" ligature stays off.
    assert_eq!(
        visual_line("الله", Dir::Rtl),
        "\u{FEEA}\u{FEE0}\u{FEDF}\u{FE8D}"
    );
}

#[test]
fn rtl_truncation_puts_the_ellipsis_on_the_left() {
    let text = "قطر تؤكد مواصلة التنسيق مع أمريكا";
    assert_eq!(unshaped(text, Dir::Rtl, 15, 1), ["…لصاوم دكؤت رطق"]);
    let paragraph = layout(text, Dir::Rtl, LayoutOptions::single_line(15));
    assert!(paragraph.truncated);
    let line = &paragraph.lines[0];
    assert_eq!(line.width(), 15);
    assert!(line.as_str().starts_with('…'));
    // LTR text is cut on the right.
    assert_eq!(
        unshaped(
            "Breaking: Apple unveils iPhone 16 (Reuters)",
            Dir::Ltr,
            20,
            1
        ),
        ["Breaking: Apple unv…"]
    );
}

#[test]
fn long_mixed_paragraph_wraps_in_logical_order() {
    let text = "قال الرئيس Joe Biden إن الاقتصاد ينمو بنسبة 2.5% هذا العام";
    assert_eq!(
        unshaped(text, Dir::Rtl, 25, 5),
        [
            "نإ Joe Biden سيئرلا لاق",
            "%2.5 ةبسنب ومني داصتقالا",
            "ماعلا اذه"
        ]
    );
    // Out of lines: the last one is cut, its ellipsis on the left.
    let text = "دول عربية وممثلون دوليون يجتمعون في الأردن لبحث مستقبل سوريا";
    assert_eq!(
        unshaped(text, Dir::Rtl, 20, 3),
        [
            "نولثممو ةيبرع لود",
            "يف نوعمتجي نويلود",
            "…لبقتسم ثحبل ندرألا"
        ]
    );
    // Shaped, "الأردن" is a cell shorter (لأ is one ligature), so one more letter fits.
    let shaped = layout(text, Dir::Rtl, LayoutOptions::wrapped(20, 3));
    assert_eq!(shaped.lines[2].width(), 20);
    assert!(shaped.truncated);
}

#[test]
fn persian_with_zwnj() {
    assert_eq!(one_line("می‌خواهم", Dir::Rtl), "مهاوخیم");
    // The ZWNJ ends the join after "می": yeh takes its final form, khah its initial.
    assert_eq!(
        visual_line("می‌خواهم", Dir::Rtl),
        "\u{FEE2}\u{FEEB}\u{FE8D}\u{FEEE}\u{FEA7}\u{FBFD}\u{FEE3}"
    );
    assert_eq!(
        one_line("گزارش پژوهش درباره ژاپن", Dir::Rtl),
        "نپاژ هرابرد شهوژپ شرازگ"
    );
}

#[test]
fn hebrew() {
    assert_eq!(one_line("שלום עולם 2024", Dir::Rtl), "2024 םלוע םולש");
    assert_eq!(one_line("בְּרֵאשִׁית", Dir::Rtl), "תישִׁארֵבְּ");
    assert_eq!(visual_line("חדשות (ynet)", Dir::Rtl), "(ynet) תושדח");
}

#[test]
fn seed_headlines() {
    let seed = [
        (
            "الإمارات: حريصون على أمن واستقرار سوريا ووحدتها وسيادتها...",
            "...اهتدايسو اهتدحوو ايروس رارقتساو نمأ ىلع نوصيرح :تارامإلا",
        ),
        (
            "الشرع: سوريا الجديدة لن تخوض صراعاً مع \"إسرائيل\"...",
            "...\"ليئارسإ\" عم اًعارص ضوخت نل ةديدجلا ايروس :عرشلا",
        ),
        (
            "بقيمة سبعة ملايين درهم.. إطلاق أول جائزة في العالم بـ\"تصفير البيروقراطية\"",
            "\"ةيطارقوريبلا ريفصت\"ـب ملاعلا يف ةزئاج لوأ قالطإ ..مهرد نييالم ةعبس ةميقب",
        ),
    ];
    for (text, expected) in seed {
        let dir = paragraph_direction(text, Direction::Auto, None);
        assert_eq!(dir, Dir::Rtl);
        assert_eq!(one_line(text, dir), expected, "{text}");
    }
}

#[test]
fn wide_character_at_an_edge_becomes_a_space() {
    let paragraph = layout("中文", Dir::Ltr, LayoutOptions::wrapped(1, 3));
    for line in &paragraph.lines {
        assert!(line.width() <= 1);
    }
    assert_eq!(paragraph.lines[0].as_str(), " ");
    // With room for one of two, the second goes to the next line.
    assert_eq!(
        lines(&layout("中文", Dir::Ltr, LayoutOptions::wrapped(3, 2))),
        ["中", "文"]
    );
}

#[test]
fn padded_rtl_lines_align_right() {
    let paragraph = layout("שלום", Dir::Rtl, LayoutOptions::single_line(8));
    assert_eq!(paragraph.lines[0].to_padded_string(8), "    םולש");
    let paragraph = layout("hello", Dir::Ltr, LayoutOptions::single_line(8));
    assert_eq!(paragraph.lines[0].to_padded_string(8), "hello   ");
}
