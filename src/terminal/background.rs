//! The terminal's background, dark or light, for `theme = "auto"`: asked of the terminal
//! (OSC 11), else read from `$COLORFGBG`.
//!
//! The asking is terminal-colorsaurus's: it sends a device-attributes query (DA1) behind
//! OSC 11, which every terminal answers, so that one that ignores OSC 11 is known at once
//! rather than after the wait; it leaves `TERM=dumb` and GNU screen alone, and restores the
//! tty's mode whatever happens.

use crate::ui::theme::Background;
use std::time::Duration;

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
