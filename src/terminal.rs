//! The terminal around the TUI: raw mode, the alternate screen, mouse and paste reporting,
//! the bidi handshake, a cap on the drawable area, and restoring all of it on every way out.

use crate::config::BidiMode;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io::{Stdout, Write};

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

/// The largest screen akhbar draws on, whatever the terminal reports: a size like
/// 65535×65535 would otherwise ask for buffers of billions of cells. Beyond it the screen
/// is left blank.
pub const MAX_COLUMNS: u16 = 1000;
pub const MAX_ROWS: u16 = 500;

/// The terminal the TUI draws on.
pub type Tui = Terminal<CappedBackend<CrosstermBackend<Stdout>>>;

/// One change `enter` makes to the terminal, undone by [`Step::undo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    RawMode,
    AlternateScreen,
    MouseCapture,
    BracketedPaste,
    /// BDSM explicit: only when akhbar reorders bidi text itself.
    BidiExplicit,
}

impl Step {
    /// Every step for `reorder`, in the order they are taken.
    pub fn all(reorder: Reorder) -> Vec<Step> {
        let mut steps = vec![
            Step::RawMode,
            Step::AlternateScreen,
            Step::MouseCapture,
            Step::BracketedPaste,
        ];
        if reorder == Reorder::App {
            steps.push(Step::BidiExplicit);
        }
        steps
    }

    fn apply(self) -> std::io::Result<()> {
        let mut stdout = std::io::stdout();
        match self {
            Step::RawMode => crossterm::terminal::enable_raw_mode(),
            Step::AlternateScreen => {
                crossterm::execute!(stdout, crossterm::terminal::EnterAlternateScreen)
            }
            Step::MouseCapture => {
                crossterm::execute!(stdout, crossterm::event::EnableMouseCapture)
            }
            Step::BracketedPaste => {
                crossterm::execute!(stdout, crossterm::event::EnableBracketedPaste)
            }
            Step::BidiExplicit => {
                stdout.write_all(BIDI_EXPLICIT.as_bytes())?;
                stdout.flush()
            }
        }
    }

    /// Best effort: the terminal is being handed back either way, and there is nowhere to
    /// report a failed write on the way out.
    fn undo(self) {
        let mut stdout = std::io::stdout();
        let _ = match self {
            Step::RawMode => crossterm::terminal::disable_raw_mode(),
            Step::AlternateScreen => {
                crossterm::execute!(stdout, crossterm::terminal::LeaveAlternateScreen)
            }
            Step::MouseCapture => {
                crossterm::execute!(stdout, crossterm::event::DisableMouseCapture)
            }
            Step::BracketedPaste => {
                crossterm::execute!(stdout, crossterm::event::DisableBracketedPaste)
            }
            Step::BidiExplicit => stdout
                .write_all(BIDI_IMPLICIT.as_bytes())
                .and_then(|()| stdout.flush()),
        };
    }
}

/// Takes `steps` in order; when one fails, undoes those already taken, in reverse, and
/// returns its error.
pub fn take_steps<S: Copy>(
    steps: &[S],
    mut apply: impl FnMut(S) -> std::io::Result<()>,
    mut undo: impl FnMut(S),
) -> std::io::Result<()> {
    for (taken, &step) in steps.iter().enumerate() {
        if let Err(error) = apply(step) {
            steps[..taken].iter().rev().for_each(|&step| undo(step));
            return Err(error);
        }
    }
    Ok(())
}

/// Enters raw mode and the alternate screen, turns on mouse reporting and bracketed paste,
/// sends the bidi handshake and clears (VTE applies the mode only to rows erased or created
/// afterwards), and hands [`restore`] to the panic policy ([`crate::panic`]), which calls it
/// when the main thread panics. When a step fails, the ones before it are undone and the terminal is as it was.
///
/// Nothing here asks the terminal anything (no cursor-position query), so terminals that
/// never answer work too.
pub fn enter(reorder: Reorder) -> std::io::Result<Tui> {
    let steps = Step::all(reorder);
    take_steps(&steps, Step::apply, Step::undo)?;
    // Also drops any hook a terminal library installed, which would restore the terminal
    // from any thread's panic while the app goes on drawing.
    crate::panic::guard_tui(move || restore(reorder));
    let terminal = crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )
    .and_then(|()| Terminal::new(CappedBackend::new(CrosstermBackend::new(std::io::stdout()))));
    if terminal.is_err() {
        restore(reorder);
    }
    terminal
}

/// Restores the terminal; safe to call on every exit path, and more than once.
pub fn restore(reorder: Reorder) {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
    Step::all(reorder).into_iter().rev().for_each(Step::undo);
}

/// The terminal's events, read by a thread of their own.
///
/// crossterm's `EventStream` takes every event through a waker thread, even events already
/// read and waiting (its reader never reports them ready to a zero-timeout poll): a burst
/// of 8,000 keys (a paste on a terminal without bracketed paste) took many seconds to get
/// through. A blocking `read` hands waiting events over at once. The thread ends with the
/// process, or on the first event after the stream is dropped.
pub fn events() -> impl futures_util::Stream<Item = std::io::Result<crossterm::event::Event>> + Unpin
{
    let (sender, mut receiver) = tokio::sync::mpsc::channel(EVENT_QUEUE);
    std::thread::spawn(move || {
        loop {
            let event = crossterm::event::read();
            let failed = event.is_err();
            if sender.blocking_send(event).is_err() || failed {
                return;
            }
        }
    });
    futures_util::stream::poll_fn(move |context| receiver.poll_recv(context))
}

/// Terminal events read ahead of the loop at most.
const EVENT_QUEUE: usize = 1024;

/// A backend that never reports a screen larger than [`MAX_COLUMNS`]×[`MAX_ROWS`], and that
/// answers a cursor-position request with the last position it set instead of asking the
/// terminal (`CSI 6n`), which some terminals never answer.
pub struct CappedBackend<B> {
    inner: B,
    cursor: Position,
}

impl<B: Backend> CappedBackend<B> {
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            cursor: Position::ORIGIN,
        }
    }
}

fn cap(size: Size) -> Size {
    Size {
        width: size.width.min(MAX_COLUMNS),
        height: size.height.min(MAX_ROWS),
    }
}

impl<B: Backend> Backend for CappedBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let position = position.into();
        self.cursor = position;
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size().map(cap)
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size().map(|size| WindowSize {
            columns_rows: cap(size.columns_rows),
            pixels: size.pixels,
        })
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
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
    fn a_failed_step_undoes_the_ones_before_it_in_reverse() {
        let steps = Step::all(Reorder::App);
        for failing in 0..steps.len() {
            let mut log = Vec::new();
            let log = std::cell::RefCell::new(&mut log);
            let outcome = take_steps(
                &steps,
                |step| {
                    if step == steps[failing] {
                        return Err(std::io::Error::other("no"));
                    }
                    log.borrow_mut().push(format!("do {step:?}"));
                    Ok(())
                },
                |step| log.borrow_mut().push(format!("undo {step:?}")),
            );
            assert!(outcome.is_err());
            let done: Vec<String> = steps[..failing]
                .iter()
                .map(|s| format!("do {s:?}"))
                .collect();
            let undone = steps[..failing].iter().rev().map(|s| format!("undo {s:?}"));
            let expected: Vec<String> = done.into_iter().chain(undone).collect();
            assert_eq!(**log.borrow(), expected);
        }
        let mut applied = 0;
        let count = |_| {
            applied += 1;
            Ok(())
        };
        assert!(take_steps(&steps, count, |_| panic!("nothing to undo")).is_ok());
        assert_eq!(applied, steps.len());
        assert!(!Step::all(Reorder::Terminal).contains(&Step::BidiExplicit));
    }

    #[test]
    fn an_absurd_size_is_capped_and_the_cursor_is_never_asked_for() {
        let mut backend = CappedBackend::new(ratatui::backend::TestBackend::new(4000, 3000));
        assert_eq!(backend.size().unwrap(), Size::new(MAX_COLUMNS, MAX_ROWS));
        assert_eq!(
            backend.window_size().unwrap().columns_rows,
            Size::new(MAX_COLUMNS, MAX_ROWS)
        );
        backend.set_cursor_position((7, 3)).unwrap();
        assert_eq!(backend.get_cursor_position().unwrap(), Position::new(7, 3));
        let small = CappedBackend::new(ratatui::backend::TestBackend::new(80, 24));
        assert_eq!(small.size().unwrap(), Size::new(80, 24));
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
