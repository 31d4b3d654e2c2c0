//! The event loop: terminal keys, refresh results, ticker ticks and signals feed `update`,
//! and the commands it returns are carried out here; drawing is left to a [`View`].

use super::View;
use super::effects::{Effects, Found, PageReader};
use super::state::{Action, AppState, Command, Msg, StoryKey};
use crate::feed::fetch::Fetcher;
use crate::model::{Seed, Source};
use crate::persist::{Change, Persister};
use crate::refresh::{self, Control};
use crate::store::Store;
use chrono::Local;
use crossterm::event::{Event, MouseButton, MouseEvent, MouseEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// What the loop needs to refresh feeds in the background.
pub struct Refresher {
    pub fetcher: Fetcher,
    pub sources: Vec<Source>,
    /// The default interval; a source's own `refresh` wins.
    pub interval: Duration,
    /// What the store remembers of each source, by index.
    pub seeds: Vec<Seed>,
    /// Where results are kept, when there is a store.
    pub store: Option<Persister>,
    /// The store's file, read on a connection of its own for stories' stored articles.
    pub store_path: Option<PathBuf>,
}

/// Maps a mouse event to an action: a click selects (or opens a ticker item), the wheel
/// scrolls the list or the pane under it.
fn mousemap(mouse: MouseEvent, state: &AppState, view: &impl View, screen: Rect) -> Option<Action> {
    let over_article = view.over_article(state, screen, mouse.column, mouse.row);
    let wheel = |lines: i32| {
        Some(if over_article {
            Action::ScrollArticle(lines)
        } else {
            Action::Scroll(lines)
        })
    };
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            view.click(state, screen, mouse.column, mouse.row)
        }
        MouseEventKind::ScrollDown => wheel(3),
        MouseEventKind::ScrollUp => wheel(-3),
        _ => None,
    }
}

fn clock() -> Msg {
    let now = Local::now();
    Msg::Clock {
        now: now.to_utc(),
        utc_offset: *now.offset(),
        today: now.date_naive(),
    }
}

/// Runs until the user quits, the terminal's events end, or a termination signal arrives.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    events: impl Stream<Item = std::io::Result<Event>> + Unpin,
    mut state: AppState,
    mut view: impl View,
    refresher: Refresher,
    store: Option<Persister>,
    effects: &mut impl Effects,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let (events_tx, mut events_rx) = mpsc::channel(64);
    let pages = PageReader::new(&refresher.fetcher, &refresher.sources);
    // Stored articles are read here, on a read-only connection of the loop's own: an indexed
    // lookup is quick, and the article is then in the first frame after Enter.
    let stored_articles = refresher
        .store_path
        .as_deref()
        .and_then(|path| Store::open_read_only(path).ok());
    let (pages_tx, mut pages_rx) = mpsc::channel::<(StoryKey, Found)>(16);
    // Dropping the set on return cancels the pages still on their way.
    let mut page_tasks: JoinSet<()> = JoinSet::new();
    // The refresher stops (and cancels requests in flight) when `control` is dropped on return.
    let (control, mut refresher_task) = refresh::spawn_with_store(
        refresher.fetcher,
        refresher.sources,
        refresher.interval,
        events_tx,
        refresher.seeds,
        refresher.store,
    );
    state.update(clock());
    let frame = state.frame_interval();
    let mut frames = tokio::time::interval(frame);
    frames.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut minutes = tokio::time::interval(Duration::from_secs(60));
    let mut signals = Signals::new()?;
    // Events already waiting (a burst of keys, a pasted text on a terminal without
    // bracketed paste, the mouse wheel) are handled together and drawn once.
    let mut events = events.ready_chunks(EVENT_BATCH);
    let store_stopped = store.as_ref().map(Persister::stopped);
    let mut store_stopped = std::pin::pin!(async move {
        match store_stopped {
            Some(stopped) => stopped.await,
            None => std::future::pending().await,
        }
    });
    let mut dirty = true;
    loop {
        if dirty {
            let size = terminal.size()?;
            let list_height = view.list_height(&state, Rect::new(0, 0, size.width, size.height));
            state.update(Msg::ListHeight(list_height));
            state.update(Msg::ScreenHeight(size.height));
            terminal.draw(|frame| view.draw(&state, frame))?;
            dirty = false;
            crate::panic::test_point("main");
        }
        let commands: Vec<Command> = tokio::select! {
            batch = events.next() => match batch {
                // The terminal's events ended: quit as `q` does.
                None => vec![Command::Quit],
                Some(batch) => {
                    let mut commands = Vec::new();
                    for event in batch {
                        let (changed, new) =
                            handle_event(terminal, event?, &mut state, &view)?;
                        dirty |= changed;
                        let quit = new.contains(&Command::Quit);
                        commands.extend(new);
                        if quit {
                            // Keys after the one that quits are not acted on.
                            break;
                        }
                    }
                    commands
                }
            },
            Some(event) = events_rx.recv() => {
                dirty = true;
                // Whatever else has arrived meanwhile goes in with it, in one merge.
                let mut events = vec![event];
                while let Ok(event) = events_rx.try_recv() {
                    events.push(event);
                }
                state.update(Msg::Feeds(events))
            }
            Some((story, found)) = pages_rx.recv() => {
                dirty = true;
                let page = match found {
                    Found::Fetched(page) => {
                        let page = Arc::new(page);
                        if let Some(store) = &store {
                            let (url, id): StoryKey = story.clone();
                            store.send(Change::Article {
                                url,
                                id,
                                page: Box::new((*page).clone()),
                                fetched_at: chrono::Utc::now(),
                            });
                        }
                        Ok(page)
                    }
                    Found::Failed(reason) => Err(reason),
                };
                state.update(Msg::Page { story, page })
            }
            Some(_) = page_tasks.join_next(), if !page_tasks.is_empty() => Vec::new(),
            _ = frames.tick(), if state.ticker_moving() => {
                dirty = true;
                state.update(Msg::Tick(frame))
            }
            _ = minutes.tick() => {
                // Only a new day changes what the list shows (HH:MM becomes a date); a
                // paused ticker must not redraw every minute for nothing.
                let today = state.today();
                let commands = state.update(clock());
                dirty = state.today() != today;
                commands
            }
            () = signals.recv() => vec![Command::Quit],
            // The refresher only ends when this loop lets it go: ending earlier, it died.
            // Without it nothing would refresh again, so the whole app ends, the terminal
            // restored on the way out.
            joined = &mut refresher_task => {
                let reason = match joined {
                    Ok(()) => "it ended unexpectedly".to_owned(),
                    Err(error) => format!("internal error: {}", crate::panic::reason(error)),
                };
                anyhow::bail!("the background refresher stopped: {reason}");
            }
            // The store's thread stops early only when it panicked: from then on nothing the
            // user does could be kept, so the app ends, and the exit path names what the
            // thread could not write.
            reason = &mut store_stopped => {
                anyhow::bail!(
                    "the store stopped: internal error: {reason}; akhbar ended so that nothing \
                     more is lost"
                );
            }
        };
        for command in commands {
            match command {
                Command::Quit => return Ok(()),
                // Read marks go to the store as they are made, so a crash loses none.
                Command::MarkRead { read, stories } => {
                    if let Some(store) = &store {
                        store.send(Change::Read {
                            items: stories,
                            read,
                        });
                        crate::panic::test_point("read");
                    }
                }
                Command::Refresh => {
                    // A full queue means refreshes are already pending; one more adds nothing.
                    let _ = control.try_send(Control::RefreshAll);
                }
                Command::OpenUrl(url) => effects.open_url(&url),
                Command::Copy(text) => effects.copy(&text),
                Command::Announce(announcement) => effects.announce(&announcement),
                Command::FetchPages(requests) => {
                    for request in requests {
                        let (url, id) = &request.story;
                        let stored = stored_articles
                            .as_ref()
                            .and_then(|store| store.load_article(url, id).ok().flatten());
                        if let Some(stored) = stored {
                            dirty = true;
                            let page = Ok(Arc::new(stored.page));
                            state.update(Msg::Page {
                                story: request.story,
                                page,
                            });
                            continue;
                        }
                        let (pages, results) = (pages.clone(), pages_tx.clone());
                        page_tasks.spawn(async move {
                            let found = pages.read(&request).await;
                            let _ = results.send((request.story, found)).await;
                        });
                    }
                }
            }
        }
    }
}

/// The most terminal events handled before the screen is drawn again.
const EVENT_BATCH: usize = 256;

/// One terminal event into the state: whether the screen needs drawing, and what the state
/// asks of the shell.
fn handle_event<B: Backend>(
    terminal: &mut Terminal<B>,
    event: Event,
    state: &mut AppState,
    view: &impl View,
) -> Result<(bool, Vec<Command>), B::Error> {
    Ok(match event {
        Event::Key(key) => {
            let action = state.keys().action_for(key, state.prompt().is_some());
            let changed = action.is_some();
            (
                changed,
                action.map_or_else(Vec::new, |action| state.update(Msg::Action(action))),
            )
        }
        Event::Mouse(mouse) => {
            let size = terminal.size()?;
            let screen = Rect::new(0, 0, size.width, size.height);
            let action = mousemap(mouse, state, view, screen);
            let changed = action.is_some();
            (
                changed,
                action.map_or_else(Vec::new, |action| state.update(Msg::Action(action))),
            )
        }
        Event::Paste(text) => {
            // Typed into an open prompt; anywhere else the state ignores it.
            let changed = state.prompt().is_some();
            (changed, state.update(Msg::Action(Action::Paste(text))))
        }
        Event::Resize(..) => {
            terminal.autoresize()?;
            (true, Vec::new())
        }
        _ => (false, Vec::new()),
    })
}

/// SIGTERM, SIGHUP and SIGINT end the loop like `q`, so the terminal is restored (and end
/// `akhbar watch` as cleanly).
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    /// Listens from now on: a signal that arrives before this ends the process as usual.
    pub fn new() -> std::io::Result<Self> {
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

    /// Resolves when one of the signals arrives.
    pub async fn recv(&mut self) {
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
