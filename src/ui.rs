//! Drawing: `render` reads the state and paints a frame. Every string goes through the bidi
//! layout engine; the laid-out text is memoised in a [`UiCache`] the caller keeps between
//! frames, so drawing never re-runs the algorithm for text that has not changed.

use crate::article::{BlockKind, article_from_html};
use crate::feed::SourcedHeadline;
use crate::state::{Action, AppState, Focus, Overlay, PageState, TICKER_ITEMS};
use crate::text::bidi::{Dir, paragraph_direction};
use crate::text::layout::{LayoutCache, LayoutOptions, VisualLine, layout};
use crate::text::logical::{self, Flavour, LogicalLine};
use crate::text::ticker::TickerStrip;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders};

/// Between ticker items.
const TICKER_SEPARATOR: &str = "   ◆   ";
/// Columns of the list's time field (`HH:MM` or `22 Oct`).
const TIME_WIDTH: u16 = 6;
/// Columns of the list's source field.
const SOURCE_WIDTH: u16 = 18;

/// How text reaches the screen in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextMode {
    /// Lay out visual order here (false: the terminal reorders; text goes out logical).
    pub reorder: bool,
    /// Join Arabic letters into presentation forms.
    pub shape: bool,
    /// Links in the article pane are OSC 8 hyperlinks.
    pub hyperlinks: bool,
    /// The laid-out frame is rewritten for kitty's shaper ([`crate::text::kitty`]).
    pub kitty: bool,
    /// When the terminal reorders: what else it does to the text it is sent.
    pub logical: Flavour,
}

impl Default for TextMode {
    /// App layout and shaping; no hyperlinks, so that a headless buffer holds plain text.
    fn default() -> Self {
        Self {
            reorder: true,
            shape: true,
            hyperlinks: false,
            kitty: false,
            logical: Flavour::Generic,
        }
    }
}

/// Laid-out text kept between frames.
#[derive(Debug, Default)]
pub struct UiCache {
    pub mode: TextMode,
    layout: LayoutCache,
    /// The ticker strip and the state revision it was built from.
    ticker: Option<(u64, TickerStrip)>,
    /// The strip's items, text and direction, in reading order.
    ticker_items: Vec<(String, Dir)>,
    /// The article pane's lines, and what they were laid out for.
    article: Option<(ArticleKey, Vec<PaneLine>)>,
}

/// Source, story, width and day: what the article pane's lines depend on.
/// A story, the pane's width, the day (times show as HH:MM today), and what of the story's
/// page is shown (see [`PaneText`]).
type ArticleKey = (
    std::sync::Arc<str>,
    String,
    u16,
    chrono::NaiveDate,
    PaneText,
);

/// Which text of a story the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PaneText {
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
struct PaneLine {
    /// Laid out, or in logical order for a terminal that reorders (see [`LogicalLine`]).
    line: LogicalLine,
    style: Style,
    /// The http(s) URL the line shows, made a hyperlink when the mode asks for them.
    link: Option<String>,
}

impl UiCache {
    pub fn new(mode: TextMode) -> Self {
        Self {
            mode,
            ..Self::default()
        }
    }
}

/// Where each part of the screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub ticker: Rect,
    pub list: Rect,
    pub article: Rect,
    pub status: Rect,
}

/// The smallest screen akhbar draws on; below it, a message says so.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// From this width the list and the article pane sit side by side.
pub const SIDE_BY_SIDE: u16 = 120;

/// Splits the screen: the ticker on top, the status line at the bottom, and between them the
/// list and the article pane, side by side when wide enough, else stacked. `None` when the
/// screen is too small.
pub fn areas(screen: Rect) -> Option<Areas> {
    if screen.width < MIN_WIDTH || screen.height < MIN_HEIGHT {
        return None;
    }
    let [ticker, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(screen);
    let [list, article] = if screen.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
    };
    Some(Areas {
        ticker,
        list,
        article,
        status,
    })
}

pub fn render(state: &AppState, cache: &mut UiCache, frame: &mut Frame) {
    render_laid_out(state, cache, frame);
    if cache.mode.kitty {
        crate::text::kitty::prepare(frame.buffer_mut());
    }
}

/// The frame in visual order.
fn render_laid_out(state: &AppState, cache: &mut UiCache, frame: &mut Frame) {
    cache.layout.next_frame();
    let screen = frame.area();
    let buf = frame.buffer_mut();
    let Some(areas) = areas(screen) else {
        render_too_small(cache, buf, screen);
        return;
    };
    render_ticker(state, cache, buf, areas.ticker);
    render_list(state, cache, buf, areas.list);
    render_article(state, cache, buf, areas.article);
    render_status(state, cache, buf, areas.status);
    match state.overlay {
        Overlay::None => {}
        Overlay::Help => render_help(state, cache, buf, screen),
        Overlay::Sources => render_sources(state, cache, buf, screen),
    }
}

/// What a click at `(x, y)` means, given the screen size.
pub fn hit(state: &AppState, cache: &UiCache, screen: Rect, x: u16, y: u16) -> Option<Action> {
    let areas = areas(screen)?;
    let position = ratatui::layout::Position { x, y };
    if areas.ticker.contains(position) {
        let (_, strip) = cache.ticker.as_ref()?;
        if !state.motion {
            return (!state.visible.is_empty()).then_some(Action::ClickTicker(state.ticker_item));
        }
        // Truncation is intended: the offset only needs whole cells.
        let offset = state.ticker_offset as usize;
        let item = strip.item_at(
            offset,
            usize::from(areas.ticker.width),
            usize::from(x - areas.ticker.x),
        )?;
        return Some(Action::ClickTicker(item));
    }
    if areas.list.contains(position) {
        return Some(Action::ClickRow(usize::from(y - areas.list.y)));
    }
    None
}

fn render_too_small(cache: &mut UiCache, buf: &mut Buffer, screen: Rect) {
    let text = format!(
        "terminal too small: {}×{} (akhbar needs {MIN_WIDTH}×{MIN_HEIGHT})",
        screen.width, screen.height
    );
    let line = Rect::new(screen.x, screen.y + screen.height / 2, screen.width, 1);
    if line.height > 0 && screen.height > 0 {
        draw(
            cache,
            ("too-small", "", ""),
            &text,
            Dir::Ltr,
            line,
            buf,
            Style::new().add_modifier(Modifier::BOLD),
        );
    }
}

/// `text` as a bidi isolate (FSI … PDI): laid out in its own direction inside a line of
/// ours without reordering its neighbours. Feed text never carries isolates of its own (the
/// sanitizer removes them), so these are the only ones.
fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// `HH:MM` for today, else `22 Oct`.
pub fn short_time(state: &AppState, time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&state.utc_offset);
    if local.date_naive() == state.today {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d %b").to_string()
    }
}

/// When a source is tried next: `HH:MM` today, else with its day (`8 Dec 18:05`), since a
/// server may put it off for up to a week.
fn attempt_time(time: DateTime<Utc>, utc_offset: FixedOffset, today: NaiveDate) -> String {
    let local = time.with_timezone(&utc_offset);
    if local.date_naive() == today {
        local.format("%H:%M").to_string()
    } else {
        local.format("%-d %b %H:%M").to_string()
    }
}

fn title_dir(item: &SourcedHeadline) -> Dir {
    paragraph_direction(
        &item.headline.title,
        item.direction,
        item.headline.language.as_deref(),
    )
}

/// One paragraph fitted into `width` columns on one line, laid out, truncated with `…` at its
/// logical end.
fn fit(
    cache: &mut UiCache,
    key: (&str, &str, &str),
    text: &str,
    dir: Dir,
    width: u16,
) -> VisualLine {
    let shaping = if cache.mode.reorder {
        cache.mode.shape
    } else {
        cache.mode.logical.shapes()
    };
    let options = LayoutOptions::single_line(usize::from(width)).with_shaping(shaping);
    first_line(cache.layout.get(key, text, dir, options))
}

/// One paragraph fitted into the first row of `area` and drawn there: laid out, or, when
/// the terminal reorders by itself, the same cells in logical order as an isolate.
fn draw(
    cache: &mut UiCache,
    key: (&str, &str, &str),
    text: &str,
    dir: Dir,
    area: Rect,
    buf: &mut Buffer,
    style: Style,
) {
    let line = fit(cache, key, text, dir, area.width);
    if cache.mode.reorder {
        line.render(area, buf, style);
    } else {
        let starts_row = starts_row(&line, area, buf);
        let flavour = cache.mode.logical;
        logical::from_visual(
            &line,
            text,
            0..text.len(),
            flavour,
            &mut Vec::new(),
            starts_row,
            false,
        )
        .render(area, buf, style);
    }
}

/// Whether `line`, drawn in `area`, starts at the left edge of the screen.
fn starts_row(line: &VisualLine, area: Rect, buf: &Buffer) -> bool {
    usize::from(area.x) + line.leading_padding(usize::from(area.width)) <= usize::from(buf.area.x)
}

fn first_line(paragraph: &crate::text::layout::VisualParagraph) -> VisualLine {
    paragraph.lines.first().cloned().unwrap_or_default()
}

fn render_ticker(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let style = Style::new().add_modifier(Modifier::REVERSED);
    buf.set_style(area, style);
    let stale = cache
        .ticker
        .as_ref()
        .is_none_or(|(revision, _)| *revision != state.revision);
    if stale {
        let items: Vec<(String, Dir)> = state
            .shown()
            .take(TICKER_ITEMS)
            .map(|item| ticker_item(state, item))
            .collect();
        // The strip reads, and moves, the way most of its items do.
        let rtl = items.iter().filter(|(_, dir)| dir.is_rtl()).count();
        let dir = if rtl * 2 > items.len() {
            Dir::Rtl
        } else {
            Dir::Ltr
        };
        let shaping = if cache.mode.reorder {
            cache.mode.shape
        } else {
            cache.mode.logical.shapes()
        };
        let strip = if cache.mode.reorder || cache.mode.logical != Flavour::Mlterm {
            TickerStrip::new(items.iter().cloned(), dir, TICKER_SEPARATOR, shaping)
        } else {
            // mlterm reorders the whole row as one paragraph: it gets the strip in reading
            // order and turns it around itself.
            TickerStrip::in_reading_order(&items, TICKER_SEPARATOR)
        };
        cache.ticker = Some((state.revision, strip));
        cache.ticker_items = items;
    }
    if !state.motion {
        // One headline at a time, laid out on its own and aligned by its direction.
        if let Some(item) = state
            .visible
            .get(state.ticker_item)
            .and_then(|&i| state.headlines.get(i))
        {
            let (text, mut dir) = ticker_item(state, item);
            if !cache.mode.reorder && cache.mode.logical == Flavour::Mlterm {
                // mlterm aligns a right-to-left row by itself.
                dir = Dir::Ltr;
            }
            let id = item.headline.id.clone();
            draw(
                cache,
                ("still", &item.source, &id),
                &text,
                dir,
                area,
                buf,
                style,
            );
        }
        return;
    }
    if let Some((_, strip)) = &cache.ticker {
        // Truncation is intended: the offset only needs whole cells.
        let offset = state.ticker_offset as usize;
        let width = usize::from(area.width);
        if cache.mode.reorder || cache.mode.logical == Flavour::Mlterm {
            strip.window(offset, width).render(area, buf, style);
        } else {
            strip
                .logical_window(offset, width, &cache.ticker_items, cache.mode.logical)
                .render(area, buf, style);
        }
    }
}

/// A ticker item, `HH:MM · headline`, and its paragraph direction.
fn ticker_item(state: &AppState, item: &SourcedHeadline) -> (String, Dir) {
    let time = item.headline.published.with_timezone(&state.utc_offset);
    let text = format!("{} · {}", time.format("%H:%M"), item.headline.title);
    (text, title_dir(item))
}

fn render_list(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let rows = state
        .shown()
        .enumerate()
        .skip(state.list_offset)
        .take(usize::from(area.height));
    for (row, (position, item)) in (area.y..).zip(rows) {
        let line = Rect::new(area.x, row, area.width, 1);
        let base = if position == state.selected {
            let highlight = Style::new().add_modifier(Modifier::REVERSED);
            if state.focus == Focus::List {
                highlight.add_modifier(Modifier::BOLD)
            } else {
                highlight.add_modifier(Modifier::DIM)
            }
        } else {
            Style::new()
        };
        buf.set_style(line, base);
        let [marker, time, _, source, _, title] = Layout::horizontal([
            Constraint::Length(1),
            Constraint::Length(TIME_WIDTH),
            Constraint::Length(1),
            Constraint::Length(SOURCE_WIDTH),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(line);
        if !state.is_read(item) {
            buf.set_string(marker.x, marker.y, "•", base.fg(Color::Yellow));
        }
        let when = short_time(state, item.headline.published);
        let id = item.headline.id.as_str();
        // Right-aligned, so that `HH:MM` and `22 Oct` end in the same column.
        let when = format!("{when:>width$}", width = usize::from(TIME_WIDTH));
        draw(
            cache,
            ("time", &item.source, id),
            &when,
            Dir::Ltr,
            time,
            buf,
            base,
        );
        let source_dir = paragraph_direction(&item.source, item.direction, None);
        draw(
            cache,
            ("source", &item.source, ""),
            &item.source,
            source_dir,
            source,
            buf,
            base.fg(Color::Cyan),
        );
        draw(
            cache,
            ("title", &item.source, id),
            &item.headline.title,
            title_dir(item),
            title,
            buf,
            base,
        );
    }
    if state.visible.is_empty() {
        let text = if state.unread_only && !state.headlines.is_empty() {
            "no unread headlines (u shows them all)".to_owned()
        } else if state.filter.is_empty() {
            "waiting for headlines…".to_owned()
        } else {
            format!(
                "no headline matches “{}” (Esc clears the filter)",
                isolate(&state.filter)
            )
        };
        draw(
            cache,
            ("empty", "", ""),
            &text,
            Dir::Ltr,
            Rect::new(area.x, area.y, area.width, area.height.min(1)),
            buf,
            Style::new().add_modifier(Modifier::DIM),
        );
    }
}

/// "3 min ago", "5 h ago", "2 days ago"; "just now" for the future (clocks disagree).
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes();
    match minutes {
        i64::MIN..=0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min ago"),
        60..=2879 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    }
}

/// The article pane's lines for the selected story at this width, built once per story.
fn article_lines(state: &AppState, cache: &mut UiCache, width: u16) -> Vec<PaneLine> {
    let Some(item) = state.selected_item() else {
        return Vec::new();
    };
    let story = (item.origin.to_string(), item.headline.id.clone());
    let (shown, page) = match state.pages.get(&story) {
        None => (PaneText::Feed, None),
        Some(PageState::Fetching) => (PaneText::FeedWhileFetching, None),
        Some(PageState::Failed(reason)) => (PaneText::FeedPageFailed, Some(Err(reason))),
        Some(PageState::Ready(_)) if state.pages.feed_text => (PaneText::FeedPageAside, None),
        Some(PageState::Ready(page)) => (PaneText::Page, Some(Ok(page))),
    };
    let key = (
        item.source.clone(),
        item.headline.id.clone(),
        width,
        state.today,
        shown,
    );
    if let Some((cached_key, lines)) = &cache.article
        && *cached_key == key
    {
        return lines.clone();
    }
    let headline = &item.headline;
    let language = headline.language.as_deref();
    let width_cells = usize::from(width);
    let reorder = cache.mode.reorder;
    let shaping = cache.mode.shape;
    let flavour = cache.mode.logical;
    let mut lines: Vec<PaneLine> = Vec::new();
    let linked = |text: &str, dir: Dir, style: Style, link: Option<&str>, lines: &mut Vec<_>| {
        let link = link.and_then(hyperlink_target);
        let mut push = |line| {
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
        linked(text, dir, style, None, lines);
    };
    let blank = || PaneLine {
        line: LogicalLine::default(),
        style: Style::new(),
        link: None,
    };
    let bold = Style::new().add_modifier(Modifier::BOLD);
    paragraph(&headline.title, title_dir(item), bold, &mut lines);
    let local = headline.published.with_timezone(&state.utc_offset);
    let meta = format!(
        "{} · {} · {}",
        isolate(&item.source),
        local.format("%Y-%m-%d %H:%M"),
        age(state.now, headline.published)
    );
    // The meta line is akhbar's own, so it reads left to right; the source name in it is
    // isolated, so an Arabic name cannot pull the date and age into its own direction.
    paragraph(&meta, Dir::Ltr, Style::new().fg(Color::Cyan), &mut lines);
    if let Some(link) = &headline.link {
        linked(
            link,
            Dir::Ltr,
            Style::new().add_modifier(Modifier::UNDERLINED),
            Some(link),
            &mut lines,
        );
    }
    // akhbar's own notes on where the text comes from, left to right like the meta line.
    let note = Style::new().fg(Color::Cyan).add_modifier(Modifier::DIM);
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
                paragraph(
                    title,
                    paragraph_direction(title, item.direction, language),
                    bold,
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
        let plain = Style::new();
        let (text, style) = match &block.kind {
            BlockKind::Heading => (block.text.clone(), bold),
            BlockKind::Quote => (
                format!("│ {}", block.text),
                plain.add_modifier(Modifier::ITALIC),
            ),
            BlockKind::ListItem {
                ordered: true,
                number,
                ..
            } => (format!("{number}. {}", block.text), plain),
            BlockKind::ListItem { .. } => (format!("• {}", block.text), plain),
            BlockKind::Caption => (block.text.clone(), plain.add_modifier(Modifier::DIM)),
            BlockKind::Paragraph | BlockKind::Preformatted => (block.text.clone(), plain),
        };
        paragraph(&text, dir, style, &mut lines);
    }
    if !article.links.is_empty() {
        lines.push(blank());
        for (number, link) in article.links.iter().enumerate() {
            let text = format!("[{}] {link}", number + 1);
            linked(
                &text,
                Dir::Ltr,
                Style::new().add_modifier(Modifier::DIM),
                Some(link),
                &mut lines,
            );
        }
    }
    cache.article = Some((key, lines.clone()));
    lines
}

fn render_article(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let border = if state.focus == Focus::Article {
        Style::new().fg(Color::Yellow)
    } else {
        Style::new().add_modifier(Modifier::DIM)
    };
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
    let lines = article_lines(state, cache, inner.width);
    let scroll = usize::from(state.article_scroll).min(lines.len().saturating_sub(1));
    // A hyperlinked run is written as one cell that covers the columns after it, so an
    // overlay drawn over those columns would not show: links wait until it closes.
    let links = cache.mode.hyperlinks && state.overlay == Overlay::None;
    for (row, pane_line) in (inner.y..inner.bottom()).zip(lines.iter().skip(scroll)) {
        let area = Rect::new(inner.x, row, inner.width, 1);
        pane_line.line.render(area, buf, pane_line.style);
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
fn hyperlink_target(link: &str) -> Option<String> {
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
fn hyperlink(buf: &mut Buffer, x: u16, y: u16, width: u16, url: &str) {
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

fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn render_status(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, area: Rect) {
    let style = Style::new().add_modifier(Modifier::DIM);
    buf.set_style(area, style);
    if let Some(prompt) = &state.prompt {
        let text = format!(
            "/{}▏  ({} shown · Enter keeps · Esc clears)",
            isolate(prompt),
            state.visible.len()
        );
        draw(
            cache,
            ("prompt", "", ""),
            &text,
            Dir::Ltr,
            area,
            buf,
            Style::new().add_modifier(Modifier::BOLD),
        );
        return;
    }
    let mut parts = Vec::new();
    if state.new_stories > 0 {
        parts.push(format!("{} new", state.new_stories));
    }
    if state.refreshing() {
        parts.push("refreshing…".to_owned());
    }
    parts.push(format!("{} ok", state.sources_ok()));
    let failing = state.sources_failing();
    if failing > 0 {
        parts.push(format!("{failing} failing"));
    }
    let mut narrowed = Vec::new();
    if !state.filter.is_empty() {
        narrowed.push(format!("filter “{}”", isolate(&state.filter)));
    }
    if state.unread_only {
        narrowed.push("unread only".to_owned());
    }
    if narrowed.is_empty() {
        parts.push(format!("{} headlines", state.headlines.len()));
    } else {
        parts.push(format!(
            "{}: {} of {}",
            narrowed.join(", "),
            state.visible.len(),
            state.headlines.len()
        ));
    }
    parts.push(format!("{} unread", state.unread()));
    if let Some(at) = state.last_refresh {
        parts.push(format!("updated {}", short_time(state, at)));
    }
    if state.ticker_paused {
        parts.push("paused".to_owned());
    }
    parts.push("? help".to_owned());
    if let Some(hint) = &state.hint {
        parts.push(hint.clone());
    }
    let text = parts.join(" · ");
    // The status line is ours, so it reads left to right even when a source name in it is
    // Arabic; the layout keeps such names in order inside it.
    draw(cache, ("status", "", ""), &text, Dir::Ltr, area, buf, style);
}

/// A bordered box in the middle of the screen, cleared, with `title`.
fn overlay_box(buf: &mut Buffer, screen: Rect, width: u16, height: u16, title: &str) -> Rect {
    let area = Rect::new(
        screen.x + screen.width.saturating_sub(width) / 2,
        screen.y + screen.height.saturating_sub(height) / 2,
        width.min(screen.width),
        height.min(screen.height),
    );
    ratatui::widgets::Widget::render(ratatui::widgets::Clear, area, buf);
    let block = Block::bordered().title(title.to_owned());
    let inner = block.inner(area);
    ratatui::widgets::Widget::render(block, area, buf);
    inner
}

/// The keys, as `?` shows them.
fn render_help(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, screen: Rect) {
    let rows = state.keys().help_rows();
    let height = u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let inner = overlay_box(buf, screen, 60, height, " keys ");
    for (row, (keys, what)) in (inner.y..inner.bottom()).zip(rows) {
        let text = format!("{keys:<16} {what}");
        draw(
            cache,
            ("help", &keys, ""),
            &text,
            Dir::Ltr,
            Rect::new(inner.x, row, inner.width, 1),
            buf,
            Style::new(),
        );
    }
}

fn render_sources(state: &AppState, cache: &mut UiCache, buf: &mut Buffer, screen: Rect) {
    let rows = u16::try_from(state.sources.len().saturating_mul(2)).unwrap_or(u16::MAX);
    let inner = overlay_box(
        buf,
        screen,
        screen.width.saturating_sub(4),
        rows.saturating_add(2).min(screen.height.saturating_sub(2)),
        " sources ",
    );
    let mut row = inner.y;
    for view in &state.sources {
        if row + 1 >= inner.bottom() {
            break;
        }
        let health = &view.health;
        let name = match &view.source.name {
            Some(name) => name.clone(),
            None if !view.feed.title.is_empty() => view.feed.title.clone(),
            None => view.source.location.to_string(),
        };
        let state_text = match (&health.last_error, health.last_success) {
            (Some(_), _) => "failing",
            (None, Some(_)) if health.has_no_items() => "no items",
            (None, Some(_)) => "ok",
            (None, None) if health.fetching => "fetching",
            (None, None) => "waiting",
        };
        let mut detail = vec![state_text.to_owned()];
        // Stories the feed has since dropped may still show under "no items".
        if !health.has_no_items() || !view.stories.is_empty() {
            let count = view.stories.len();
            detail.push(format!(
                "{count} {}",
                if count == 1 { "item" } else { "items" }
            ));
        }
        if let Some(status) = health.status {
            detail.push(format!("HTTP {status}"));
        }
        if let Some(at) = health.last_success {
            detail.push(format!("ok {}", age(state.now, at)));
        }
        if let Some(next) = health.next_attempt {
            detail.push(format!(
                "next {}",
                attempt_time(next, state.utc_offset, state.today)
            ));
        }
        let line1 = format!("{}  ·  {}", isolate(&name), view.source.location);
        let line2 = match &health.last_error {
            Some(error) => format!("    {} · {error}", detail.join(" · ")),
            None => format!("    {}", detail.join(" · ")),
        };
        let color = if health.last_error.is_some() {
            Color::Red
        } else if health.has_no_items() {
            Color::Yellow
        } else {
            Color::Green
        };
        draw(
            cache,
            ("src1", &line1, ""),
            &line1,
            Dir::Ltr,
            Rect::new(inner.x, row, inner.width, 1),
            buf,
            Style::new().add_modifier(Modifier::BOLD),
        );
        draw(
            cache,
            ("src2", &line2, ""),
            &line2,
            Dir::Ltr,
            Rect::new(inner.x, row + 1, inner.width, 1),
            buf,
            Style::new().fg(color),
        );
        row += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_next_attempt_on_another_day_shows_its_date_in_local_time() {
        let tehran = FixedOffset::east_opt(3 * 3600 + 1800).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let at = |day, hour, minute| {
            Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
                .unwrap()
        };
        assert_eq!(attempt_time(at(1, 14, 35), tehran, today), "18:05");
        // 21:00 UTC is already tomorrow in Tehran.
        assert_eq!(attempt_time(at(1, 21, 0), tehran, today), "2 Dec 00:30");
        assert_eq!(attempt_time(at(8, 14, 35), tehran, today), "8 Dec 18:05");
        let yesterday_evening = Utc.with_ymd_and_hms(2026, 11, 30, 19, 0, 0).unwrap();
        assert_eq!(
            attempt_time(yesterday_evening, tehran, today),
            "30 Nov 22:30"
        );
        assert_eq!(
            attempt_time(
                at(1, 23, 59),
                FixedOffset::west_opt(5 * 3600).unwrap(),
                today
            ),
            "18:59"
        );
    }

    #[test]
    fn an_rtl_title_is_right_aligned_and_truncated_at_its_logical_end() {
        let mut cache = UiCache::default();
        let line = fit(
            &mut cache,
            ("title", "s", "1"),
            "الليرة السورية تواصل التحسن منذ سقوط النظام",
            Dir::Rtl,
            20,
        );
        assert!(line.width() <= 20);
        assert!(line.as_str().starts_with('…'), "{}", line.as_str());
        assert_eq!(line.leading_padding(20), 20 - line.width());
    }

    #[test]
    fn terminal_reordering_gets_logical_order_as_an_isolate_aligned_by_direction() {
        let mut cache = UiCache::new(TextMode {
            reorder: false,
            shape: false,
            hyperlinks: false,
            logical: Flavour::Generic,
            ..TextMode::default()
        });
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        let area = Rect::new(2, 0, 10, 1);
        draw(
            &mut cache,
            ("t", "", ""),
            "قطر 7",
            Dir::Rtl,
            area,
            &mut buf,
            Style::new(),
        );
        let symbols: Vec<&str> = (0..12).map(|x| buf[(x, 0)].symbol()).collect();
        // Right-aligned, the isolate opened in the padding before it, closed after it.
        assert_eq!(
            symbols,
            [
                " ",
                " ",
                " ",
                " ",
                " ",
                " ",
                " \u{2067}",
                "ق",
                "ط",
                "ر",
                " ",
                "7\u{2069}"
            ]
        );
    }

    #[test]
    fn laid_out_text_is_reused_between_frames() {
        let mut cache = UiCache::default();
        let first = fit(&mut cache, ("t", "", "1"), "نص", Dir::Rtl, 10);
        let again = fit(&mut cache, ("t", "", "1"), "نص", Dir::Rtl, 10);
        assert_eq!(first, again);
        assert_eq!(cache.layout.len(), 1);
    }

    #[test]
    fn a_hyperlink_is_written_once_per_run_of_cells_and_keeps_the_columns() {
        let url = "https://example.org/a?b=1";
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "li中k", Style::new());
        buf.set_string(5, 0, "ab", Style::new().add_modifier(Modifier::BOLD));
        buf.set_string(7, 0, "xy", Style::new());
        hyperlink(&mut buf, 0, 0, 8, url);
        let cell = |x: u16| buf.cell((x, 0)).unwrap();
        let forced = |n| CellDiffOption::ForcedWidth(std::num::NonZeroU16::new(n).unwrap());
        // One run of one style, the wide character in it: one cell of five columns.
        assert_eq!(
            cell(0).symbol(),
            "\x1b]8;;https://example.org/a?b=1\x1b\\li中k\x1b]8;;\x1b\\"
        );
        assert_eq!(cell(0).diff_option, forced(5));
        assert!((1..5).all(|x| cell(x).diff_option == CellDiffOption::Skip));
        // Another style is another run, with the link written again.
        assert_eq!(
            cell(5).symbol(),
            format!("\x1b]8;;{url}\x1b\\ab\x1b]8;;\x1b\\")
        );
        assert_eq!(cell(5).diff_option, forced(2));
        assert!(cell(7).symbol().ends_with("\x1b\\x\x1b]8;;\x1b\\"));
        // Everything after the link stays plain.
        assert_eq!(cell(8).symbol(), "y");
        assert_eq!(cell(8).diff_option, CellDiffOption::None);
    }

    #[test]
    fn a_link_too_long_for_a_hyperlink_stays_plain_text() {
        let path = "a".repeat(MAX_HYPERLINK_BYTES);
        assert_eq!(
            hyperlink_target(&format!("https://example.org/{path}")),
            None
        );
        let fits = format!("https://example.org/{}", &path[..MAX_HYPERLINK_BYTES - 20]);
        assert_eq!(hyperlink_target(&fits).as_deref(), Some(fits.as_str()));
    }

    #[test]
    fn only_http_links_become_hyperlinks_and_never_carry_controls() {
        assert_eq!(
            hyperlink_target("https://example.org/ä b").as_deref(),
            Some("https://example.org/%C3%A4%20b")
        );
        assert_eq!(hyperlink_target("javascript:alert(1)"), None);
        assert_eq!(hyperlink_target("file:///etc/passwd"), None);
        assert_eq!(
            hyperlink_target("https://example.org/\x1b]8;;x\x07y").as_deref(),
            Some("https://example.org/%1B]8;;x%07y")
        );
    }
}
