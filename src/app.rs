//! The event loop: terminal keys, refresh results, ticker ticks and signals feed `update`.

use crate::feed::fetch::Fetcher;
use crate::print;
use crate::source::Source;
use crate::state::{Action, AppState, Command, Msg};
use chrono::{Local, Utc};
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
    pub interval: Duration,
}

impl Refresher {
    /// Fetches every source in a task of its own; the result arrives on `tx`.
    fn spawn(&self, tx: mpsc::Sender<Msg>) {
        let fetcher = self.fetcher.clone();
        let sources = self.sources.clone();
        tokio::spawn(async move {
            let now = Utc::now();
            let results = print::fetch_all(&fetcher, &sources, now).await;
            let outcome = print::collect(&sources, results);
            // The loop may have quit meanwhile; nobody is left to tell.
            let _ = tx
                .send(Msg::Loaded {
                    outcome,
                    at: Utc::now(),
                })
                .await;
        });
    }
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
    refresher: Refresher,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let (tx, mut rx) = mpsc::channel(4);
    refresher.spawn(tx.clone());
    state.update(clock());
    let mut frames = tokio::time::interval(FRAME);
    frames.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut refreshes = tokio::time::interval_at(
        tokio::time::Instant::now() + refresher.interval,
        refresher.interval,
    );
    let mut minutes = tokio::time::interval(Duration::from_secs(60));
    let mut signals = Signals::new()?;
    let mut dirty = true;
    loop {
        if dirty {
            let height = terminal.size()?.height.saturating_sub(2);
            state.update(Msg::ListHeight(height));
            terminal.draw(|frame| crate::ui::render(&state, frame))?;
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
            Some(msg) = rx.recv() => {
                dirty = true;
                state.update(msg)
            }
            _ = frames.tick(), if state.ticker_moving() => {
                dirty = true;
                state.update(Msg::Tick(FRAME))
            }
            _ = refreshes.tick() => Some(Command::Refresh),
            _ = minutes.tick() => {
                dirty = true;
                state.update(clock())
            }
            () = signals.recv() => Some(Command::Quit),
        };
        match command {
            Some(Command::Quit) => return Ok(()),
            Some(Command::Refresh) => refresher.spawn(tx.clone()),
            None => {}
        }
    }
}

/// SIGTERM and SIGHUP end the loop like `q`, so the terminal is restored.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
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
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
