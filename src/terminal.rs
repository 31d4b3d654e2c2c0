//! The terminal around the TUI: raw mode and the alternate screen, the bidi handshake, and
//! restoring all of it on every way out.

use crate::config::BidiMode;
use std::io::Write;

/// BDSM (ECMA-48 mode 8) reset: explicit mode, so VTE-based terminals stop reordering rows
/// on their own and show our visual order as it is.
pub const BIDI_EXPLICIT: &str = "\x1b[8l";
/// BDSM set: the terminal's implicit (default) mode, restored on exit.
pub const BIDI_IMPLICIT: &str = "\x1b[8h";

/// Who reorders right-to-left text in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reorder {
    /// akhbar lays out visual order; the terminal is told to keep out.
    App,
    /// The terminal does bidi itself: akhbar emits logical order and no handshake.
    Terminal,
}

/// Resolves `auto`: terminals that reorder by themselves whatever BDSM says announce it in
/// their environment (mlterm sets `$MLTERM`, Konsole `$KONSOLE_VERSION`).
pub fn reorder_for(mode: BidiMode, env: impl Fn(&str) -> Option<String>) -> Reorder {
    match mode {
        BidiMode::App => Reorder::App,
        BidiMode::Terminal => Reorder::Terminal,
        BidiMode::Auto => {
            let announces_bidi = ["MLTERM", "KONSOLE_VERSION"]
                .iter()
                .any(|name| env(name).is_some_and(|value| !value.is_empty()));
            if announces_bidi {
                Reorder::Terminal
            } else {
                Reorder::App
            }
        }
    }
}

/// Enters raw mode and the alternate screen, sends the handshake and clears (VTE applies the
/// mode only to rows erased or created afterwards), and hands [`restore`] to the panic
/// policy ([`crate::panic`]), which calls it when the main thread panics.
pub fn enter(reorder: Reorder) -> std::io::Result<ratatui::DefaultTerminal> {
    let mut terminal = ratatui::try_init()?;
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    if reorder == Reorder::App {
        let mut stdout = std::io::stdout();
        stdout.write_all(BIDI_EXPLICIT.as_bytes())?;
        stdout.flush()?;
    }
    // Also drops the hook ratatui installed, which would restore the terminal from any
    // thread's panic while the app goes on drawing.
    crate::panic::guard_tui(move || restore(reorder));
    terminal.clear()?;
    Ok(terminal)
}

/// Restores the terminal; safe to call on every exit path.
pub fn restore(reorder: Reorder) {
    if reorder == Reorder::App {
        leave_bidi_mode();
    }
    // Best effort, as below: the terminal is being handed back either way.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
}

fn leave_bidi_mode() {
    let mut stdout = std::io::stdout();
    // Restoring is best effort: there is nowhere to report a failed write on the way out.
    let _ = stdout.write_all(BIDI_IMPLICIT.as_bytes());
    let _ = stdout.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn auto_hands_reordering_to_terminals_that_announce_their_own_bidi() {
        assert_eq!(reorder_for(BidiMode::Auto, env(&[])), Reorder::App);
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("MLTERM", "3.9.3")])),
            Reorder::Terminal
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("KONSOLE_VERSION", "230805")])),
            Reorder::Terminal
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("KONSOLE_VERSION", "")])),
            Reorder::App
        );
    }

    #[test]
    fn explicit_modes_win_over_the_environment() {
        assert_eq!(
            reorder_for(BidiMode::App, env(&[("MLTERM", "1")])),
            Reorder::App
        );
        assert_eq!(reorder_for(BidiMode::Terminal, env(&[])), Reorder::Terminal);
    }
}
