//! The terminal around the TUI: raw mode, the alternate screen, mouse and paste reporting,
//! the bidi handshake, a cap on the drawable area, and restoring all of it on every way out.

pub mod background;
mod mlterm;

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

/// Who reorders right-to-left text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BidiMode {
    /// What the terminal needs, from what it announces (kitty, mlterm, Konsole).
    #[default]
    Auto,
    /// akhbar lays text out in visual order and asks the terminal to keep out.
    App,
    /// As `app`, each right-to-left word written the way kitty's shaper turns it back.
    Kitty,
    /// The terminal does: akhbar sends logical order and no handshake.
    Terminal,
}

/// Who reorders right-to-left text in this run, and how the terminal is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reorder {
    /// akhbar lays out visual order; the terminal is told to keep out (BDSM explicit).
    App,
    /// As `App`, each right-to-left run written for kitty's shaper ([`crate::text::kitty`]).
    Kitty,
    /// As `App` in mlterm, whose own bidi ignores BDSM: it is switched off for the run
    /// through mlterm's configuration sequence, and back on at the end if it was on.
    Mlterm,
    /// The terminal does bidi itself: akhbar emits logical order and no handshake.
    Terminal,
}

impl Reorder {
    /// Whether akhbar lays text out in visual order itself.
    pub fn lays_out(self) -> bool {
        self != Reorder::Terminal
    }
}

/// Resolves the mode for this terminal, from what terminals announce in their environment:
/// mlterm sets `$MLTERM`, Konsole `$KONSOLE_VERSION` (its bidi ignores BDSM and cannot be
/// switched off from inside), kitty `TERM=xterm-kitty` (kept over ssh) and
/// `$KITTY_WINDOW_ID` (kept inside tmux, where kitty still shapes what tmux draws).
pub fn reorder_for(mode: BidiMode, env: impl Fn(&str) -> Option<String>) -> Reorder {
    let announced = |name: &str| env(name).is_some_and(|value| !value.is_empty());
    let mlterm = announced("MLTERM");
    match mode {
        BidiMode::App | BidiMode::Kitty if mlterm => Reorder::Mlterm,
        BidiMode::App => Reorder::App,
        BidiMode::Kitty => Reorder::Kitty,
        BidiMode::Terminal => Reorder::Terminal,
        BidiMode::Auto if mlterm => Reorder::Mlterm,
        BidiMode::Auto if announced("KONSOLE_VERSION") => Reorder::Terminal,
        BidiMode::Auto if env("TERM").as_deref() == Some("xterm-kitty") => Reorder::Kitty,
        // A terminal started from kitty inherits `$KITTY_WINDOW_ID` but announces itself.
        BidiMode::Auto
            if announced("KITTY_WINDOW_ID")
                && !announced("VTE_VERSION")
                && !announced("XTERM_VERSION") =>
        {
            Reorder::Kitty
        }
        BidiMode::Auto => Reorder::App,
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
    /// mlterm's own bidi off (`use_ctl=false`), back on afterwards unless it was off.
    MltermBidiOff,
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
        if reorder.lays_out() {
            steps.push(Step::BidiExplicit);
        }
        if reorder == Reorder::Mlterm {
            steps.push(Step::MltermBidiOff);
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
            Step::MltermBidiOff => {
                let was_on = mlterm::bidi_was_on();
                MLTERM_BIDI_WAS_OFF.store(!was_on, std::sync::atomic::Ordering::Relaxed);
                stdout.write_all(mlterm::set_bidi(false).as_bytes())?;
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
            Step::MltermBidiOff
                if MLTERM_BIDI_WAS_OFF.load(std::sync::atomic::Ordering::Relaxed) =>
            {
                Ok(())
            }
            Step::MltermBidiOff => stdout
                .write_all(mlterm::set_bidi(true).as_bytes())
                .and_then(|()| stdout.flush()),
        };
    }
}

/// Whether mlterm's bidi was found off when the run began (so it is left off at the end).
/// Read by [`restore`], which the panic hook calls too.
static MLTERM_BIDI_WAS_OFF: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

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
/// never answer work too; only mlterm is asked whether its bidi is on, and only when its
/// answer is sure to come (see [`mlterm::bidi_was_on`]).
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
    fn auto_picks_the_mode_each_terminal_needs() {
        assert_eq!(reorder_for(BidiMode::Auto, env(&[])), Reorder::App);
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("MLTERM", "3.9.3")])),
            Reorder::Mlterm
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("KONSOLE_VERSION", "230805")])),
            Reorder::Terminal
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("KONSOLE_VERSION", "")])),
            Reorder::App
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("KITTY_WINDOW_ID", "1")])),
            Reorder::Kitty
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("TERM", "xterm-kitty")])),
            Reorder::Kitty
        );
        // A terminal started from another inherits its variables; mlterm's own wins.
        assert_eq!(
            reorder_for(
                BidiMode::Auto,
                env(&[("KITTY_WINDOW_ID", "1"), ("MLTERM", "3.9.0")])
            ),
            Reorder::Mlterm
        );
        assert_eq!(
            reorder_for(BidiMode::Auto, env(&[("TERM", "xterm-256color")])),
            Reorder::App
        );
        // GNOME Terminal or xterm started from a shell in kitty; kitty's own TERM wins.
        let vte = env(&[
            ("KITTY_WINDOW_ID", "3"),
            ("VTE_VERSION", "7006"),
            ("TERM", "xterm-256color"),
        ]);
        assert_eq!(reorder_for(BidiMode::Auto, vte), Reorder::App);
        let xterm = env(&[("KITTY_WINDOW_ID", "3"), ("XTERM_VERSION", "XTerm(379)")]);
        assert_eq!(reorder_for(BidiMode::Auto, xterm), Reorder::App);
        let kitty_from_vte = env(&[("VTE_VERSION", "7006"), ("TERM", "xterm-kitty")]);
        assert_eq!(reorder_for(BidiMode::Auto, kitty_from_vte), Reorder::Kitty);
    }

    #[test]
    fn mlterms_bidi_is_switched_off_whenever_akhbar_lays_text_out() {
        assert!(Step::all(Reorder::Mlterm).contains(&Step::MltermBidiOff));
        assert!(Step::all(Reorder::Mlterm).contains(&Step::BidiExplicit));
        for reorder in [Reorder::App, Reorder::Kitty, Reorder::Terminal] {
            assert!(!Step::all(reorder).contains(&Step::MltermBidiOff));
        }
        assert!(Step::all(Reorder::Kitty).contains(&Step::BidiExplicit));
    }

    #[test]
    fn a_failed_step_undoes_the_ones_before_it_in_reverse() {
        let steps = Step::all(Reorder::Mlterm);
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
        let kitty = env(&[("KITTY_WINDOW_ID", "1")]);
        assert_eq!(reorder_for(BidiMode::App, &kitty), Reorder::App);
        assert_eq!(reorder_for(BidiMode::Kitty, env(&[])), Reorder::Kitty);
        assert_eq!(reorder_for(BidiMode::Terminal, &kitty), Reorder::Terminal);
        // In mlterm, laying text out always means switching its own bidi off.
        let mlterm = env(&[("MLTERM", "1")]);
        assert_eq!(reorder_for(BidiMode::App, &mlterm), Reorder::Mlterm);
        assert_eq!(reorder_for(BidiMode::Terminal, &mlterm), Reorder::Terminal);
    }
}
