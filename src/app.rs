//! The event loop: terminal keys, refresh results, ticker ticks and signals feed `update`.

use crate::feed::fetch::Fetcher;
use crate::refresh::{self, Control};
use crate::source::Source;
use crate::state::{Action, AppState, Command, Msg};
use chrono::Local;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::time::Duration;
use tokio::sync::mpsc;

/// One ticker step; with 8 cells a second this moves one cell per frame.
const FRAME: Duration = Duration::from_millis(125);

/// What the loop needs to refresh feeds in the background.
pub struct Refresher {
    pub fetcher: Fetcher,
    pub sources: Vec<Source>,
    /// The default interval; a source's own `refresh` wins.
    pub interval: Duration,
}

/// Maps a key press to an action.
pub fn keymap(key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown | KeyCode::Char(' ') => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char('p') => Action::TogglePause,
        KeyCode::Char('r') => Action::Refresh,
        _ => return None,
    })
}

fn clock() -> Msg {
    let now = Local::now();
    Msg::Clock {
        utc_offset: *now.offset(),
        today: now.date_naive(),
    }
}

/// Runs until the user quits, the terminal's events end, or a termination signal arrives.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut events: impl Stream<Item = std::io::Result<Event>> + Unpin,
    mut state: AppState,
    mut ui: crate::ui::UiCache,
    refresher: Refresher,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let (events_tx, mut events_rx) = mpsc::channel(64);
    // The refresher stops (and cancels requests in flight) when `control` is dropped on return.
    let (control, _refresher) = refresh::spawn(
        refresher.fetcher,
        refresher.sources,
        refresher.interval,
        events_tx,
    );
    state.update(clock());
    let mut frames = tokio::time::interval(FRAME);
    frames.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut minutes = tokio::time::interval(Duration::from_secs(60));
    let mut signals = Signals::new()?;
    let mut dirty = true;
    loop {
        if dirty {
            let height = terminal.size()?.height.saturating_sub(2);
            state.update(Msg::ListHeight(height));
            terminal.draw(|frame| crate::ui::render(&state, &mut ui, frame))?;
            dirty = false;
        }
        let command = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    let action = keymap(key);
                    dirty = action.is_some();
                    action.and_then(|action| state.update(Msg::Action(action)))
                }
                Some(Ok(Event::Resize(..))) => {
                    terminal.autoresize()?;
                    dirty = true;
                    None
                }
                Some(Ok(_)) => None,
                Some(Err(error)) => return Err(error.into()),
                None => Some(Command::Quit),
            },
            Some(event) = events_rx.recv() => {
                dirty = true;
                state.update(Msg::Feed(event))
            }
            _ = frames.tick(), if state.ticker_moving() => {
                dirty = true;
                state.update(Msg::Tick(FRAME))
            }
            _ = minutes.tick() => {
                dirty = true;
                state.update(clock())
            }
            () = signals.recv() => Some(Command::Quit),
        };
        match command {
            Some(Command::Quit) => return Ok(()),
            Some(Command::Refresh) => {
                // A full queue means refreshes are already pending; one more adds nothing.
                let _ = control.try_send(Control::RefreshAll);
            }
            None => {}
        }
    }
}

/// SIGTERM, SIGHUP and SIGINT end the loop like `q`, so the terminal is restored.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hangup.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
