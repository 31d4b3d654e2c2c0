//! The ticker's state and its one `update` function: pure, no I/O, time passed in.

use crate::feed::SourcedHeadline;
use crate::print::Outcome;
use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use std::time::Duration;

/// What a key press asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    TogglePause,
    Refresh,
    Quit,
}

/// Everything that can happen to the state.
#[derive(Debug)]
pub enum Msg {
    Action(Action),
    /// Time passed: moves the ticker.
    Tick(Duration),
    /// The local clock moved on (the shell reads it; `update` never does).
    Clock {
        utc_offset: FixedOffset,
        today: NaiveDate,
    },
    /// A refresh finished.
    Loaded {
        outcome: Outcome,
        at: DateTime<Utc>,
    },
    /// The list area's height changed (for paging).
    ListHeight(u16),
}

/// Work for the shell to do after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Refresh,
    Quit,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub headlines: Vec<SourcedHeadline>,
    pub selected: usize,
    pub failures: Vec<(String, String)>,
    pub sources_ok: usize,
    pub last_refresh: Option<DateTime<Utc>>,
    pub loading: bool,
    /// Shown in the status line, e.g. how to add real feeds while the demo runs.
    pub hint: Option<String>,
    /// Ticker position in cells since start.
    pub ticker_offset: f64,
    pub ticker_paused: bool,
    /// Cells per second.
    pub ticker_speed: f64,
    pub list_height: u16,
    /// The local clock: times are shown in this offset, "today" as HH:MM.
    pub utc_offset: FixedOffset,
    pub today: NaiveDate,
}

impl AppState {
    pub fn new(hint: Option<String>) -> Self {
        Self {
            headlines: Vec::new(),
            selected: 0,
            failures: Vec::new(),
            sources_ok: 0,
            last_refresh: None,
            loading: true,
            hint,
            ticker_offset: 0.0,
            ticker_paused: false,
            ticker_speed: 8.0,
            list_height: 10,
            utc_offset: Utc.fix(),
            today: NaiveDate::default(),
        }
    }

    /// Whether time passing changes what is drawn.
    pub fn ticker_moving(&self) -> bool {
        !self.ticker_paused && !self.headlines.is_empty()
    }

    pub fn update(&mut self, msg: Msg) -> Option<Command> {
        match msg {
            Msg::Action(action) => return self.act(action),
            Msg::Tick(elapsed) if self.ticker_moving() => {
                self.ticker_offset += elapsed.as_secs_f64() * self.ticker_speed;
            }
            Msg::Tick(_) => {}
            Msg::Loaded { outcome, at } => self.merge_in(outcome, at),
            Msg::ListHeight(height) => self.list_height = height.max(1),
            Msg::Clock { utc_offset, today } => {
                self.utc_offset = utc_offset;
                self.today = today;
            }
        }
        None
    }

    fn act(&mut self, action: Action) -> Option<Command> {
        let last = self.headlines.len().saturating_sub(1);
        let page = usize::from(self.list_height.max(1));
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::TogglePause => self.ticker_paused = !self.ticker_paused,
            Action::Refresh => {
                self.loading = true;
                return Some(Command::Refresh);
            }
            Action::Quit => return Some(Command::Quit),
        }
        None
    }

    /// New results replace the list; the selection stays on the same story.
    fn merge_in(&mut self, outcome: Outcome, at: DateTime<Utc>) {
        let selected_key = self
            .headlines
            .get(self.selected)
            .map(|item| (item.source.clone(), item.headline.id.clone()));
        self.headlines = outcome.headlines;
        self.failures = outcome.failures;
        self.sources_ok = outcome.succeeded;
        self.last_refresh = Some(at);
        self.loading = false;
        self.selected = selected_key
            .and_then(|(source, id)| {
                self.headlines
                    .iter()
                    .position(|item| item.source == source && item.headline.id == id)
            })
            .unwrap_or(0)
            .min(self.headlines.len().saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Headline;
    use chrono::TimeZone;

    fn outcome(ids: &[&str]) -> Outcome {
        let headlines = ids
            .iter()
            .map(|id| SourcedHeadline {
                source: "s".into(),
                headline: Headline {
                    id: (*id).into(),
                    title: format!("title {id}"),
                    link: None,
                    published: Utc.with_ymd_and_hms(2023, 10, 22, 0, 0, 0).unwrap(),
                    dated: true,
                    summary: String::new(),
                    body_html: None,
                    language: None,
                },
            })
            .collect();
        Outcome {
            headlines,
            failures: Vec::new(),
            succeeded: 1,
        }
    }

    fn loaded(ids: &[&str]) -> Msg {
        Msg::Loaded {
            outcome: outcome(ids),
            at: Utc.with_ymd_and_hms(2023, 10, 22, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn movement_stays_in_bounds() {
        let mut state = AppState::new(None);
        state.update(loaded(&["a", "b", "c"]));
        state.update(Msg::Action(Action::Up));
        assert_eq!(state.selected, 0);
        state.update(Msg::Action(Action::Bottom));
        state.update(Msg::Action(Action::Down));
        assert_eq!(state.selected, 2);
        state.update(Msg::Action(Action::PageUp));
        assert_eq!(state.selected, 0);
    }

    #[test]
    fn refresh_keeps_the_selection_on_the_same_story() {
        let mut state = AppState::new(None);
        state.update(loaded(&["a", "b", "c"]));
        state.update(Msg::Action(Action::Down));
        state.update(loaded(&["new", "a", "b", "c"]));
        assert_eq!(state.headlines[state.selected].headline.id, "b");
    }

    #[test]
    fn the_ticker_moves_with_time_unless_paused() {
        let mut state = AppState::new(None);
        state.update(loaded(&["a"]));
        state.update(Msg::Tick(Duration::from_millis(500)));
        assert_eq!(state.ticker_offset, 4.0);
        state.update(Msg::Action(Action::TogglePause));
        state.update(Msg::Tick(Duration::from_secs(1)));
        assert_eq!(state.ticker_offset, 4.0);
        assert!(!state.ticker_moving());
    }

    #[test]
    fn quit_and_refresh_are_commands_for_the_shell() {
        let mut state = AppState::new(None);
        assert_eq!(state.update(Msg::Action(Action::Quit)), Some(Command::Quit));
        assert_eq!(
            state.update(Msg::Action(Action::Refresh)),
            Some(Command::Refresh)
        );
        assert!(state.loading);
    }
}
