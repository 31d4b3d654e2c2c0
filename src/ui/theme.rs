//! Colours and emphasis: every style the screen uses, by role, from a built-in dark or light
//! theme fitted to the colours the terminal has (16, 256 or 24-bit), with the config's
//! `[colors]` on top, and no colour at all under `NO_COLOR`.
//!
//! Colours are brought down to what the terminal shows by hand: nearest by distance in the
//! xterm palette, which is how xterm and tmux do it themselves; the one crate for it is
//! LGPL, and the sums are a few lines.

use crate::tui::terminal::background::Background;
use ratatui::style::{Color, Modifier, Style};

/// What a style is for: each part of the screen that has a look of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The ticker row.
    Ticker,
    /// The selected row of the list while the list has the focus.
    Selected,
    /// The selected row while the article pane has the focus.
    SelectedUnfocused,
    /// The mark before an unread headline.
    UnreadMark,
    /// The list's time column.
    Time,
    /// The list's source column.
    Source,
    /// An unread headline's title in the list.
    Title,
    /// A read headline's title in the list.
    Read,
    /// What the filter matched, in the list, the ticker and the pane: laid over the
    /// style of the text it is in.
    Match,
    /// The story's title in the article pane (and its headings).
    PaneTitle,
    /// The pane's source · time · age line.
    PaneMeta,
    /// The story's link under its title.
    PaneLink,
    /// akhbar's notes in the pane: where the text comes from.
    PaneNote,
    /// The story's text.
    Body,
    /// A quotation in the story.
    Quote,
    /// A picture's caption in the story.
    Caption,
    /// The numbered links at the end of the story.
    Links,
    /// The rule between the list and the pane.
    Border,
    /// The rule while the pane has the focus.
    BorderFocused,
    /// The status line.
    Status,
    /// The filter prompt in the status line.
    Prompt,
    /// What is wrong with the query in the prompt.
    Error,
    /// Messages in an empty list and on a screen too small.
    Notice,
    /// Text in the help and sources boxes.
    Overlay,
    /// A source's name in the sources view.
    OverlayHeading,
    /// A source that works.
    SourceOk,
    /// A source that works but gave no headlines.
    SourceEmpty,
    /// A source that fails.
    SourceFailing,
}

impl Role {
    pub const ALL: [Role; 28] = [
        Role::Ticker,
        Role::Selected,
        Role::SelectedUnfocused,
        Role::UnreadMark,
        Role::Time,
        Role::Source,
        Role::Title,
        Role::Read,
        Role::Match,
        Role::PaneTitle,
        Role::PaneMeta,
        Role::PaneLink,
        Role::PaneNote,
        Role::Body,
        Role::Quote,
        Role::Caption,
        Role::Links,
        Role::Border,
        Role::BorderFocused,
        Role::Status,
        Role::Prompt,
        Role::Error,
        Role::Notice,
        Role::Overlay,
        Role::OverlayHeading,
        Role::SourceOk,
        Role::SourceEmpty,
        Role::SourceFailing,
    ];

    /// The role's name in `[colors]`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Ticker => "ticker",
            Role::Selected => "selected",
            Role::SelectedUnfocused => "selected_unfocused",
            Role::UnreadMark => "unread_mark",
            Role::Time => "time",
            Role::Source => "source",
            Role::Title => "title",
            Role::Read => "read",
            Role::Match => "match",
            Role::PaneTitle => "pane_title",
            Role::PaneMeta => "pane_meta",
            Role::PaneLink => "pane_link",
            Role::PaneNote => "pane_note",
            Role::Body => "body",
            Role::Quote => "quote",
            Role::Caption => "caption",
            Role::Links => "links",
            Role::Border => "border",
            Role::BorderFocused => "border_focused",
            Role::Status => "status",
            Role::Prompt => "prompt",
            Role::Error => "error",
            Role::Notice => "notice",
            Role::Overlay => "overlay",
            Role::OverlayHeading => "overlay_heading",
            Role::SourceOk => "source_ok",
            Role::SourceEmpty => "source_empty",
            Role::SourceFailing => "source_failing",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which built-in theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    Dark,
    Light,
    /// Dark or light by the terminal's background, asked of the terminal (OSC 11).
    Auto,
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorDepth {
    /// The 16 ANSI colours, as the terminal's own palette has them.
    Ansi16,
    /// The xterm 256-colour palette.
    Indexed256,
    /// 24-bit colour.
    TrueColor,
}

impl ColorDepth {
    /// From what terminals announce: `COLORTERM=truecolor` (or `24bit`), a `TERM` ending
    /// in `256color` (`xterm-256color`, `tmux-256color`, …) or one of the terminals known to
    /// have 256 colours; else the 16 every terminal has.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> ColorDepth {
        let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            return ColorDepth::TrueColor;
        }
        let term = env("TERM").unwrap_or_default();
        let many = [
            "256color",
            "-direct",
            "kitty",
            "alacritty",
            "foot",
            "wezterm",
        ];
        if many.iter().any(|name| term.contains(name)) {
            ColorDepth::Indexed256
        } else {
            ColorDepth::Ansi16
        }
    }

    /// `color` as near as this depth shows it.
    pub fn fit(self, color: Color) -> Color {
        match (self, color) {
            (ColorDepth::TrueColor, _) => color,
            (ColorDepth::Indexed256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256(r, g, b)),
            (ColorDepth::Indexed256, _) => color,
            (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => nearest_16(r, g, b),
            (ColorDepth::Ansi16, Color::Indexed(index)) => {
                let (r, g, b) = rgb_of_index(index);
                nearest_16(r, g, b)
            }
            (ColorDepth::Ansi16, _) => color,
        }
    }
}

/// Every style of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    styles: [Style; Role::ALL.len()],
    depth: ColorDepth,
}

impl Default for Theme {
    /// The dark theme in 16 colours: what any terminal shows.
    fn default() -> Self {
        Theme::builtin(Background::Dark, ColorDepth::Ansi16)
    }
}

impl Theme {
    /// The built-in theme for a background, at a depth.
    pub fn builtin(background: Background, depth: ColorDepth) -> Theme {
        let mut styles = [Style::new(); Role::ALL.len()];
        for role in Role::ALL {
            styles[role.index()] = builtin_style(role, background, depth);
        }
        Theme { styles, depth }
    }

    /// Emphasis alone (https://no-color.org): the selection in reverse video, titles bold,
    /// notes dim; the `[colors]` of the config may still add colour, as that page asks.
    pub fn without_color(depth: ColorDepth) -> Theme {
        let mut theme = Theme::builtin(Background::Dark, ColorDepth::Ansi16);
        theme.depth = depth;
        for style in &mut theme.styles {
            *style = Style {
                fg: None,
                bg: None,
                underline_color: None,
                ..*style
            };
        }
        theme
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles[role.index()]
    }

    /// `role` drawn as `style` instead (a `[colors]` entry), its colours fitted to the
    /// terminal's depth.
    pub fn set(&mut self, role: Role, style: Style) {
        let depth = self.depth;
        self.styles[role.index()] = Style {
            fg: style.fg.map(|color| depth.fit(color)),
            bg: style.bg.map(|color| depth.fit(color)),
            ..style
        };
    }

    /// This theme with each colour of `overrides` in place.
    pub fn with(mut self, overrides: &[(Role, Style)]) -> Theme {
        for &(role, style) in overrides {
            self.set(role, style);
        }
        self
    }
}

/// A `[colors]` value: `"FG"`, `"FG on BG"`, `"on BG"`, each followed by any of `bold`,
/// `dim`, `italic`, `underline`, `reverse`; or emphasis alone (`"bold"`). Colours are names
/// (`red`, `light-blue`, `default`), `#rrggbb` or a palette number 0–255.
pub fn parse_style(spec: &str) -> Result<Style, String> {
    let mut style = Style::new();
    let mut words = spec.split_whitespace().peekable();
    if words.peek().is_none() {
        return Err("an empty style (e.g. \"yellow\", \"black on #ffd75f bold\")".to_owned());
    }
    let mut seen_fg = false;
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        if let Some(modifier) = modifier_named(&lower) {
            style = style.add_modifier(modifier);
            continue;
        }
        if lower == "on" {
            let Some(background) = words.next() else {
                return Err(format!("“{spec}”: a colour must follow “on”"));
            };
            style.bg = Some(color_named(background)?);
            continue;
        }
        if seen_fg || style.bg.is_some() {
            return Err(format!(
                "“{spec}”: “{word}” is not one of bold, dim, italic, underline, reverse"
            ));
        }
        style.fg = Some(color_named(word)?);
        seen_fg = true;
    }
    Ok(style)
}

fn modifier_named(word: &str) -> Option<Modifier> {
    Some(match word {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underline" | "underlined" => Modifier::UNDERLINED,
        "reverse" | "reversed" => Modifier::REVERSED,
        _ => return None,
    })
}

fn color_named(word: &str) -> Result<Color, String> {
    if word.eq_ignore_ascii_case("default") {
        return Ok(Color::Reset);
    }
    word.parse().map_err(|_| {
        format!("“{word}” is no colour (a name like red or light-blue, #rrggbb, or 0–255)")
    })
}

/// The built-in look of `role`. The 16-colour themes keep to the terminal's own palette
/// (named colours), which its user has fitted to the background; the richer ones pick from
/// the 256-colour palette, the same in 24-bit terminals.
fn builtin_style(role: Role, background: Background, depth: ColorDepth) -> Style {
    let rich = depth >= ColorDepth::Indexed256;
    let dark = background == Background::Dark;
    // (16 colours, 256 colours) for each background.
    let pick = |dark16: Color, dark256: u8, light16: Color, light256: u8| match (dark, rich) {
        (true, false) => dark16,
        (true, true) => Color::Indexed(dark256),
        (false, false) => light16,
        (false, true) => Color::Indexed(light256),
    };
    let plain = Style::new();
    let bold = Modifier::BOLD;
    let dim = Modifier::DIM;
    match role {
        Role::Ticker if rich && dark => plain.fg(Color::Indexed(16)).bg(Color::Indexed(179)),
        Role::Ticker if rich => plain.fg(Color::Indexed(231)).bg(Color::Indexed(24)),
        Role::Ticker => plain.add_modifier(Modifier::REVERSED),
        Role::Selected if rich && dark => plain
            .fg(Color::Indexed(231))
            .bg(Color::Indexed(239))
            .add_modifier(bold),
        Role::Selected if rich => plain
            .fg(Color::Indexed(16))
            .bg(Color::Indexed(153))
            .add_modifier(bold),
        Role::Selected => plain.add_modifier(Modifier::REVERSED | bold),
        Role::SelectedUnfocused if rich && dark => {
            plain.fg(Color::Indexed(250)).bg(Color::Indexed(236))
        }
        Role::SelectedUnfocused if rich => plain.fg(Color::Indexed(238)).bg(Color::Indexed(254)),
        Role::SelectedUnfocused => plain.add_modifier(Modifier::REVERSED | dim),
        Role::UnreadMark => plain.fg(pick(Color::Yellow, 214, Color::Blue, 166)),
        Role::Time if rich => plain.fg(pick(Color::Reset, 245, Color::Reset, 242)),
        Role::Time | Role::Title | Role::Body | Role::Overlay => plain,
        Role::Source => plain.fg(pick(Color::Cyan, 109, Color::Blue, 24)),
        Role::Read if rich => plain.fg(pick(Color::Reset, 247, Color::Reset, 243)),
        Role::Read => plain,
        // Bold and underlined as well as coloured, so that a match still shows on the
        // ticker's and the selection's backgrounds, and without colour (NO_COLOR).
        Role::Match if rich && dark => plain
            .fg(Color::Indexed(16))
            .bg(Color::Indexed(220))
            .add_modifier(bold | Modifier::UNDERLINED),
        Role::Match if rich => plain
            .fg(Color::Indexed(16))
            .bg(Color::Indexed(229))
            .add_modifier(bold | Modifier::UNDERLINED),
        Role::Match => plain.add_modifier(bold | Modifier::UNDERLINED),
        Role::PaneTitle | Role::Prompt | Role::OverlayHeading => plain.add_modifier(bold),
        Role::PaneMeta => plain.fg(pick(Color::Cyan, 109, Color::Blue, 24)),
        Role::PaneLink if rich => plain
            .fg(pick(Color::Reset, 75, Color::Reset, 25))
            .add_modifier(Modifier::UNDERLINED),
        Role::PaneLink => plain.add_modifier(Modifier::UNDERLINED),
        Role::PaneNote => plain
            .fg(pick(Color::Cyan, 109, Color::Blue, 24))
            .add_modifier(dim),
        Role::Quote => plain.add_modifier(Modifier::ITALIC),
        Role::Caption | Role::Links | Role::Border | Role::Status | Role::Notice => {
            plain.add_modifier(dim)
        }
        Role::BorderFocused => plain.fg(pick(Color::Yellow, 214, Color::Blue, 25)),
        Role::SourceOk => plain.fg(pick(Color::Green, 114, Color::Green, 28)),
        Role::SourceEmpty => plain.fg(pick(Color::Yellow, 179, Color::Magenta, 130)),
        Role::SourceFailing => plain.fg(pick(Color::Red, 167, Color::Red, 124)),
        Role::Error => plain
            .fg(pick(Color::Red, 167, Color::Red, 124))
            .add_modifier(bold),
    }
}

/// The 16 ANSI colours as xterm shows them by default.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The levels of the 6×6×6 colour cube (indices 16–231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn rgb_of_index(index: u8) -> (u8, u8, u8) {
    match index {
        0..=15 => ANSI16[usize::from(index)].1,
        16..=231 => {
            let i = index - 16;
            (
                CUBE[usize::from(i / 36)],
                CUBE[usize::from(i / 6 % 6)],
                CUBE[usize::from(i % 6)],
            )
        }
        _ => {
            let level = 8 + 10 * (index - 232);
            (level, level, level)
        }
    }
}

fn distance((r1, g1, b1): (u8, u8, u8), (r2, g2, b2): (u8, u8, u8)) -> u32 {
    let d = |a: u8, b: u8| u32::from(a.abs_diff(b)).pow(2);
    d(r1, r2) + d(g1, g2) + d(b1, b2)
}

/// The palette entry 16–255 nearest to an RGB colour (the first 16 are left out: their
/// look is the terminal's choice).
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    (16..=255u8)
        .min_by_key(|&index| distance(rgb_of_index(index), (r, g, b)))
        .unwrap_or(16)
}

fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, rgb)| distance(*rgb, (r, g, b)))
        .map_or(Color::Reset, |(color, _)| *color)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_name_that_finds_it() {
        for (index, role) in Role::ALL.into_iter().enumerate() {
            assert_eq!(role.index(), index);
            assert_eq!(Role::from_name(role.name()), Some(role));
        }
        assert_eq!(Role::from_name("selection"), None);
    }

    #[test]
    fn styles_read_as_colours_on_colours_with_emphasis() {
        assert_eq!(parse_style("yellow"), Ok(Style::new().fg(Color::Yellow)));
        assert_eq!(
            parse_style("black on #ffd75f bold"),
            Ok(Style::new()
                .fg(Color::Black)
                .bg(Color::Rgb(0xff, 0xd7, 0x5f))
                .add_modifier(Modifier::BOLD))
        );
        assert_eq!(
            parse_style("on 236"),
            Ok(Style::new().bg(Color::Indexed(236)))
        );
        assert_eq!(
            parse_style("Light-Blue underline dim"),
            Ok(Style::new()
                .fg(Color::LightBlue)
                .add_modifier(Modifier::UNDERLINED | Modifier::DIM))
        );
        assert_eq!(
            parse_style("default on default reverse"),
            Ok(Style::new()
                .fg(Color::Reset)
                .bg(Color::Reset)
                .add_modifier(Modifier::REVERSED))
        );
        assert!(
            parse_style("yelow")
                .unwrap_err()
                .contains("“yelow” is no colour")
        );
        assert!(parse_style("red on").unwrap_err().contains("must follow"));
        assert!(
            parse_style("red blue")
                .unwrap_err()
                .contains("“blue” is not one of")
        );
        assert!(parse_style("  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn colours_come_down_to_what_the_terminal_shows() {
        assert_eq!(
            ColorDepth::Indexed256.fit(Color::Rgb(0xff, 0xd7, 0x5f)),
            Color::Indexed(221)
        );
        assert_eq!(
            ColorDepth::Indexed256.fit(Color::Rgb(0x30, 0x30, 0x30)),
            Color::Indexed(236)
        );
        assert_eq!(
            ColorDepth::Ansi16.fit(Color::Rgb(0xff, 0xd7, 0x5f)),
            Color::LightYellow
        );
        assert_eq!(ColorDepth::Ansi16.fit(Color::Indexed(18)), Color::Blue);
        assert_eq!(ColorDepth::Ansi16.fit(Color::Indexed(1)), Color::Red);
        assert_eq!(ColorDepth::Ansi16.fit(Color::Cyan), Color::Cyan);
        let rgb = Color::Rgb(1, 2, 3);
        assert_eq!(ColorDepth::TrueColor.fit(rgb), rgb);
    }

    #[test]
    fn the_depth_is_read_from_what_the_terminal_announces() {
        let depth = |colorterm: Option<&str>, term: &str| {
            ColorDepth::from_env(|name| match name {
                "COLORTERM" => colorterm.map(str::to_owned),
                "TERM" => Some(term.to_owned()),
                _ => None,
            })
        };
        assert_eq!(depth(Some("truecolor"), "xterm"), ColorDepth::TrueColor);
        assert_eq!(depth(Some("24bit"), "xterm"), ColorDepth::TrueColor);
        assert_eq!(depth(None, "xterm-256color"), ColorDepth::Indexed256);
        assert_eq!(depth(None, "tmux-256color"), ColorDepth::Indexed256);
        assert_eq!(depth(None, "xterm-kitty"), ColorDepth::Indexed256);
        assert_eq!(depth(None, "xterm"), ColorDepth::Ansi16);
        assert_eq!(depth(None, "linux"), ColorDepth::Ansi16);
        assert_eq!(depth(None, ""), ColorDepth::Ansi16);
    }

    #[test]
    fn the_themes_differ_where_a_background_needs_it() {
        for depth in [ColorDepth::Ansi16, ColorDepth::Indexed256] {
            let dark = Theme::builtin(Background::Dark, depth);
            let light = Theme::builtin(Background::Light, depth);
            // Yellow on white cannot be read.
            assert_ne!(dark.style(Role::UnreadMark), light.style(Role::UnreadMark));
            assert_ne!(dark.style(Role::Source), light.style(Role::Source));
        }
        // In 16 colours only the terminal's own palette is used.
        let basic = Theme::builtin(Background::Light, ColorDepth::Ansi16);
        for role in Role::ALL {
            let style = basic.style(role);
            for color in [style.fg, style.bg].into_iter().flatten() {
                assert!(
                    !matches!(color, Color::Indexed(_) | Color::Rgb(..)),
                    "{role:?}"
                );
            }
        }
    }

    #[test]
    fn without_colour_only_emphasis_is_left_and_overrides_still_fit_the_depth() {
        let theme = Theme::without_color(ColorDepth::TrueColor);
        for role in Role::ALL {
            let style = theme.style(role);
            assert_eq!((style.fg, style.bg), (None, None), "{role:?}");
        }
        assert!(
            theme
                .style(Role::Selected)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        let theme = Theme::builtin(Background::Dark, ColorDepth::Ansi16)
            .with(&[(Role::Source, Style::new().fg(Color::Rgb(0, 0, 0xee)))]);
        assert_eq!(theme.style(Role::Source), Style::new().fg(Color::Blue));
    }
}
