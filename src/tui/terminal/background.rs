//! The terminal's background, dark or light, for `theme = "auto"`: asked of the terminal
//! (OSC 11), else read from `$COLORFGBG`.
//!
//! The asking is terminal-colorsaurus's: it sends a device-attributes query (DA1) behind
//! OSC 11, which every terminal answers, so that one that ignores OSC 11 is known at once
//! rather than after the wait; it leaves `TERM=dumb` and GNU screen alone, and restores the
//! tty's mode whatever happens.

use std::time::Duration;

/// The terminal's background, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    Dark,
    Light,
}

impl Background {
    /// From `COLORFGBG` (`15;0`, `0;default;15`: the last field is the background's ANSI
    /// number), which rxvt, Konsole and others set; `None` when absent or unreadable.
    pub fn from_colorfgbg(value: &str) -> Option<Background> {
        let background: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
        // 7 (light grey) and 9–15 (the bright colours but for 8, dark grey) are light.
        Some(match background {
            7 | 9..=15 => Background::Light,
            _ => Background::Dark,
        })
    }

    /// By relative luminance of an sRGB colour: light above the middle.
    pub fn of_rgb(r: u8, g: u8, b: u8) -> Background {
        let luma = 0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b);
        if luma > 127.5 {
            Background::Light
        } else {
            Background::Dark
        }
    }
}

/// The longest wait for an answer, which only a terminal that answers nothing at all (not
/// even DA1) makes akhbar wait out: enough for ssh across the world.
const ANSWER_WAIT: Duration = Duration::from_millis(500);

/// The background, before the TUI is set up (the terminal's answer must not reach the
/// app's key reader); `None` when neither the terminal nor the environment tell.
pub fn detect(env: impl Fn(&str) -> Option<String>) -> Option<Background> {
    let mut options = terminal_colorsaurus::QueryOptions::default();
    options.timeout = ANSWER_WAIT;
    match terminal_colorsaurus::theme_mode(options) {
        Ok(terminal_colorsaurus::ThemeMode::Dark) => Some(Background::Dark),
        Ok(terminal_colorsaurus::ThemeMode::Light) => Some(Background::Light),
        Err(error) => {
            tracing::debug!("the terminal did not say its background: {error}");
            env("COLORFGBG").and_then(|value| Background::from_colorfgbg(&value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_background_is_told_from_colorfgbg_and_from_its_colour() {
        assert_eq!(Background::from_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(Background::from_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(
            Background::from_colorfgbg("0;default;7"),
            Some(Background::Light)
        );
        assert_eq!(Background::from_colorfgbg("15;8"), Some(Background::Dark));
        assert_eq!(Background::from_colorfgbg("default"), None);
        assert_eq!(Background::of_rgb(255, 255, 255), Background::Light);
        assert_eq!(Background::of_rgb(0x1e, 0x1e, 0x2e), Background::Dark);
        assert_eq!(Background::of_rgb(0xfd, 0xf6, 0xe3), Background::Light);
    }
}
