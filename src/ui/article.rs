//! The article pane: the selected story laid out, wrapped, with its links as hyperlinks.

use super::*;

/// A story, the pane's width, the day (times show as HH:MM today), what of the story's
/// page is shown (see [`PaneText`]), and the filter and the view, whose matches are lit:
/// what the article pane's lines depend on.
pub(super) type ArticleKey = (
    std::sync::Arc<str>,
    String,
    u16,
    chrono::NaiveDate,
    PaneText,
    String,
    Option<usize>,
);

/// Which text of a story the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PaneText {
    /// The feed's, nothing asked of the page.
    Feed,
    /// The feed's, while the page is on its way.
    FeedWhileFetching,
    /// The feed's, the page having given no article.
    FeedPageFailed,
    /// The feed's, the page's article set aside with `f`.
    FeedPageAside,
    /// The page's article.
    Page,
}

/// One line of the article pane.
#[derive(Debug, Clone)]
pub(super) struct PaneLine {
    /// Laid out, or in logical order for a terminal that reorders (see [`LogicalLine`]).
    line: LogicalLine,
    style: Style,
    /// The http(s) URL the line shows, made a hyperlink when the mode asks for them.
    link: Option<String>,
}

/// The article pane's lines for the selected story at this width, built once per story
/// and then borrowed from the cache by every frame (the ticker redraws many a second).
fn article_lines<'c>(state: &AppState, cache: &'c mut UiCache, width: u16) -> &'c [PaneLine] {
    lay_out_article(state, cache, width);
    cache
        .article
        .as_ref()
        .map_or(&[][..], |(_, lines)| lines.as_slice())
}

/// Lays the pane's lines out into the cache unless they are there already.
fn lay_out_article(state: &AppState, cache: &mut UiCache, width: u16) {
    let Some(item) = state.selected_item() else {
        cache.article = None;
        return;
    };
    let story = (item.origin.to_string(), item.headline.id.clone());
    let (shown, page) = match state.pages().get(&story) {
        None => (PaneText::Feed, None),
        Some(PageState::Fetching) => (PaneText::FeedWhileFetching, None),
        Some(PageState::Failed(reason)) => (PaneText::FeedPageFailed, Some(Err(reason))),
        Some(PageState::Ready(_)) if state.pages().feed_text() => (PaneText::FeedPageAside, None),
        Some(PageState::Ready(page)) => (PaneText::Page, Some(Ok(page))),
    };
    let key = (
        item.source.clone(),
        item.headline.id.clone(),
        width,
        state.today(),
        shown,
        state.filter().to_owned(),
        state.active_view(),
    );
    if cache
        .article
        .as_ref()
        .is_some_and(|(cached_key, _)| *cached_key == key)
    {
        return;
    }
    let headline = &item.headline;
    let language = headline.language.as_deref();
    let width_cells = usize::from(width);
    let reorder = cache.mode.reorder;
    let shaping = cache.mode.shape;
    let flavour = cache.mode.logical;
    let mut lines: Vec<PaneLine> = Vec::new();
    let query = state.lit_query();
    // What the filter matched in `text`, the headline's `part`, which starts at `at`.
    let matched = |text: &str, part: Part, at: usize| -> Vec<Range<usize>> {
        let mut lit = query.highlights_in(text, part);
        for range in &mut lit {
            *range = range.start + at..range.end + at;
        }
        lit
    };
    let linked = |text: &str,
                  dir: Dir,
                  style: Style,
                  link: Option<&str>,
                  lit: &[Range<usize>],
                  lines: &mut Vec<_>| {
        let link = link.and_then(hyperlink_target);
        let mut push = |mut line: LogicalLine| {
            line.line.light(lit);
            lines.push(PaneLine {
                line,
                style,
                link: link.clone(),
            });
        };
        if reorder {
            let options = LayoutOptions::wrapped(width_cells, usize::MAX).with_shaping(shaping);
            for line in layout(text, dir, options).lines {
                push(LogicalLine {
                    line,
                    opening: String::new(),
                });
            }
        } else {
            for line in logical::paragraph(text, dir, width_cells, flavour) {
                push(line);
            }
        }
    };
    let paragraph = |text: &str, dir: Dir, style: Style, lines: &mut Vec<_>| {
        linked(text, dir, style, None, &[], lines);
    };
    let lit_paragraph =
        |text: &str, dir: Dir, style: Style, lit: &[Range<usize>], lines: &mut Vec<_>| {
            linked(text, dir, style, None, lit, lines);
        };
    let blank = || PaneLine {
        line: LogicalLine::default(),
        style: Style::new(),
        link: None,
    };
    let theme = &cache.theme;
    let bold = theme.style(Role::PaneTitle);
    lit_paragraph(
        &headline.title,
        title_dir(item),
        bold,
        &matched(&headline.title, Part::Title, 0),
        &mut lines,
    );
    let local = headline.published.with_timezone(&state.utc_offset());
    let meta = format!(
        "{} · {} · {}",
        isolate(&item.source),
        local.format("%Y-%m-%d %H:%M"),
        age(state.now(), headline.published)
    );
    // The meta line is akhbar's own, so it reads left to right; the source name in it is
    // isolated, so an Arabic name cannot pull the date and age into its own direction.
    lit_paragraph(
        &meta,
        Dir::Ltr,
        theme.style(Role::PaneMeta),
        &matched(&item.source, Part::Source, '\u{2068}'.len_utf8()),
        &mut lines,
    );
    if let Some(link) = &headline.link {
        linked(
            link,
            Dir::Ltr,
            theme.style(Role::PaneLink),
            Some(link),
            &[],
            &mut lines,
        );
    }
    // akhbar's own notes on where the text comes from, left to right like the meta line.
    let note = theme.style(Role::PaneNote);
    let page_article;
    let feed_article;
    let article = match (shown, page) {
        (PaneText::Page, Some(Ok(page))) => {
            let mut about = vec!["from the page".to_owned()];
            about.extend(page.byline.as_deref().map(isolate));
            about.extend(page.published.as_deref().map(isolate));
            about.push("f: the feed's text".to_owned());
            paragraph(&about.join(" · "), Dir::Ltr, note, &mut lines);
            if let Some(title) = page.title.as_deref().filter(|t| *t != headline.title) {
                lines.push(blank());
                lit_paragraph(
                    title,
                    paragraph_direction(title, item.direction, language),
                    bold,
                    &matched(title, Part::Title, 0),
                    &mut lines,
                );
            }
            page_article = &page.article;
            page_article
        }
        _ => {
            match (shown, page) {
                (PaneText::FeedWhileFetching, _) => {
                    paragraph("reading the story's page…", Dir::Ltr, note, &mut lines);
                }
                (PaneText::FeedPageFailed, Some(Err(reason))) => {
                    let text = format!("the page gave no article: {reason}");
                    paragraph(&text, Dir::Ltr, note, &mut lines);
                }
                (PaneText::FeedPageAside, _) => {
                    paragraph(
                        "the feed's text · f: from the page",
                        Dir::Ltr,
                        note,
                        &mut lines,
                    );
                }
                _ => {}
            }
            let body = headline
                .body_html
                .as_deref()
                .filter(|body| !body.trim().is_empty())
                .unwrap_or(&headline.summary);
            let base = headline
                .link
                .as_deref()
                .and_then(|link| url::Url::parse(link).ok());
            feed_article = article_from_html(body, base.as_ref());
            &feed_article
        }
    };
    for block in &article.blocks {
        lines.push(blank());
        let dir = paragraph_direction(&block.text, item.direction, language);
        let plain = theme.style(Role::Body);
        let (text, style) = match &block.kind {
            BlockKind::Heading => (block.text.clone(), bold),
            BlockKind::Quote => (format!("│ {}", block.text), theme.style(Role::Quote)),
            BlockKind::ListItem {
                ordered: true,
                number,
                ..
            } => (format!("{number}. {}", block.text), plain),
            BlockKind::ListItem { .. } => (format!("• {}", block.text), plain),
            BlockKind::Caption => (block.text.clone(), theme.style(Role::Caption)),
            BlockKind::Paragraph | BlockKind::Preformatted => (block.text.clone(), plain),
        };
        // The block's text ends what is shown, after its bullet or number.
        let at = text.len().saturating_sub(block.text.len());
        lit_paragraph(
            &text,
            dir,
            style,
            &matched(&block.text, Part::Body, at),
            &mut lines,
        );
    }
    if !article.links.is_empty() {
        lines.push(blank());
        for (number, link) in article.links.iter().enumerate() {
            let text = format!("[{}] {link}", number + 1);
            linked(
                &text,
                Dir::Ltr,
                theme.style(Role::Links),
                Some(link),
                &[],
                &mut lines,
            );
        }
    }
    cache.article = Some((key, lines));
}

pub(super) fn render_article(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let border = cache.style(if state.focus() == Focus::Article {
        Role::BorderFocused
    } else {
        Role::Border
    });
    let block = Block::new()
        // Beside the list the pane is set off by a vertical rule, below it by a horizontal one.
        .borders(if area.x > 0 {
            Borders::LEFT
        } else {
            Borders::TOP
        })
        .border_style(border);
    let inner = block.inner(area);
    ratatui::widgets::Widget::render(block, area, buf);
    let inner = Rect::new(
        inner.x.saturating_add(1).min(inner.right()),
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    if inner.is_empty() {
        return;
    }
    // A hyperlinked run is written as one cell that covers the columns after it, so an
    // overlay drawn over those columns would not show: links wait until it closes.
    let links = cache.mode.hyperlinks && state.overlay() == Overlay::None;
    let lit = cache.style(Role::Match);
    let lines = article_lines(state, cache, inner.width);
    let scroll = usize::from(state.article_scroll()).min(lines.len().saturating_sub(1));
    for (row, pane_line) in (inner.y..inner.bottom()).zip(lines.iter().skip(scroll)) {
        let area = Rect::new(inner.x, row, inner.width, 1);
        pane_line
            .line
            .render_lit(area, buf, pane_line.style, lit, &[]);
        if let Some(url) = pane_line.link.as_deref().filter(|_| links) {
            let line = &pane_line.line.line;
            let start = line.leading_padding(usize::from(area.width));
            let drawn = line.width().min(usize::from(area.width) - start);
            hyperlink(buf, area.x + to_u16(start), row, to_u16(drawn), url);
        }
    }
}

/// The longest URL written as an OSC 8 hyperlink; a longer one is shown as plain text.
/// Terminals cap it too (VTE at 2,083 bytes), and it bounds what each run of linked cells
/// costs to write.
pub const MAX_HYPERLINK_BYTES: usize = 2048;

/// `link` as a hyperlink target: an http(s) URL that, written into an escape sequence, can
/// only be a URL (printable ASCII, as the `url` crate serialises it), and not too long.
pub(super) fn hyperlink_target(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    let text = url.as_str();
    (matches!(url.scheme(), "http" | "https")
        && text.len() <= MAX_HYPERLINK_BYTES
        && text.bytes().all(|b| b.is_ascii_graphic()))
    .then(|| text.to_owned())
}

/// Makes `width` cells from `(x, y)` an OSC 8 hyperlink to `url`, the URL written once for
/// each run of cells.
///
/// ratatui has no hyperlinks of its own, and a cell's symbol is all a backend writes: each
/// run of cells of one style becomes one cell whose symbol carries the escape sequences
/// around all the run's characters, its width forced to the columns they take, and the
/// cells after it are skipped. The diff then rewrites the whole run when its first cell
/// changes, and any change inside the run changes that cell. Cells that are already special
/// (skipped, forced) and characters that take no column or more than two end a run and are
/// left as they are.
pub(super) fn hyperlink(buf: &mut Buffer, x: u16, y: u16, width: u16, url: &str) {
    let end = x.saturating_add(width).min(buf.area.right());
    let mut column = x;
    while column < end {
        let Some(style) = buf.cell((column, y)).map(Cell::style) else {
            return;
        };
        let mut text = String::new();
        let mut next = column;
        while next < end {
            let Some(cell) = buf.cell((next, y)) else {
                break;
            };
            let columns = to_u16(unicode_width::UnicodeWidthStr::width(cell.symbol()));
            let plain = cell.diff_option == CellDiffOption::None && cell.style() == style;
            if !plain || !(1..=2).contains(&columns) || next.saturating_add(columns) > end {
                break;
            }
            text.push_str(cell.symbol());
            next += columns;
        }
        let Some(run) = std::num::NonZeroU16::new(next - column) else {
            column += 1;
            continue;
        };
        if let Some(cell) = buf.cell_mut((column, y)) {
            cell.set_symbol(&format!("\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\"));
            cell.set_diff_option(CellDiffOption::ForcedWidth(run));
        }
        for covered in column + 1..next {
            if let Some(cell) = buf.cell_mut((covered, y)) {
                cell.set_diff_option(CellDiffOption::Skip);
            }
        }
        column = next;
    }
}
