//! The ticker's state and its one `update` function: pure, no I/O, time passed in.

use crate::feed::{ParsedFeed, SourcedHeadline};
use crate::refresh::{FeedEvent, Health, Update};
use crate::source::Source;
use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use std::collections::HashMap;
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
    /// News from the refresher about one source.
    Feed(FeedEvent),
    /// The list area's height changed (for paging).
    ListHeight(u16),
}

/// Work for the shell to do after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Refresh,
    Quit,
}

/// One source as the screen knows it.
#[derive(Debug, Clone)]
pub struct SourceView {
    pub source: Source,
    /// Every story seen from this source: a refresh replaces updated stories and adds new
    /// ones, and stories gone from the feed stay.
    pub feed: ParsedFeed,
    pub health: Health,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub sources: Vec<SourceView>,
    /// All sources' headlines merged, newest first; derived from `sources` on every change.
    pub headlines: Vec<SourcedHeadline>,
    pub selected: usize,
    /// First list row shown; moves only as far as needed to keep the selection visible, and
    /// along with the selection when new stories arrive above it, so the view never jumps.
    pub list_offset: usize,
    /// Bumped whenever `headlines` changes, so views built from them know to rebuild.
    pub revision: u64,
    pub last_refresh: Option<DateTime<Utc>>,
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
    pub fn new(sources: Vec<Source>, hint: Option<String>) -> Self {
        Self {
            sources: sources
                .into_iter()
                .map(|source| SourceView {
                    source,
                    feed: ParsedFeed::default(),
                    health: Health::default(),
                })
                .collect(),
            headlines: Vec::new(),
            selected: 0,
            list_offset: 0,
            revision: 0,
            last_refresh: None,
            hint,
            ticker_offset: 0.0,
            ticker_paused: false,
            ticker_speed: 8.0,
            list_height: 10,
            utc_offset: Utc.fix(),
            today: NaiveDate::default(),
        }
    }

    /// Sources whose last attempt worked.
    pub fn sources_ok(&self) -> usize {
        self.sources
            .iter()
            .filter(|view| view.health.last_success.is_some() && !view.health.is_failing())
            .count()
    }

    pub fn sources_failing(&self) -> usize {
        self.sources
            .iter()
            .filter(|view| view.health.is_failing())
            .count()
    }

    /// Whether any source is being fetched right now.
    pub fn refreshing(&self) -> bool {
        self.sources.iter().any(|view| view.health.fetching)
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
            Msg::Feed(event) => self.apply(event),
            Msg::ListHeight(height) => {
                self.list_height = height.max(1);
                self.keep_selection_visible();
            }
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
            Action::Refresh => return Some(Command::Refresh),
            Action::Quit => return Some(Command::Quit),
        }
        self.keep_selection_visible();
        None
    }

    fn keep_selection_visible(&mut self) {
        let height = usize::from(self.list_height.max(1));
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + height {
            self.list_offset = self.selected + 1 - height;
        }
        let last_page = self.headlines.len().saturating_sub(height);
        self.list_offset = self.list_offset.min(last_page);
    }

    /// Folds one source's news in; the selection stays on the same story.
    fn apply(&mut self, event: FeedEvent) {
        let Some(view) = self.sources.get_mut(event.index) else {
            return;
        };
        let changed = match event.update {
            Update::Changed(feed) => {
                absorb(&mut view.feed, *feed);
                true
            }
            Update::Fetching | Update::Unchanged | Update::Failed => false,
        };
        if event.health.last_success > view.health.last_success {
            self.last_refresh = event.health.last_success;
        }
        view.health = event.health;
        if changed {
            self.remerge();
        }
    }

    fn remerge(&mut self) {
        let selected_key = self
            .headlines
            .get(self.selected)
            .map(|item| (item.source.clone(), item.headline.id.clone()));
        self.headlines =
            crate::feed::merge(self.sources.iter().map(|view| (&view.source, &view.feed)));
        let before = self.selected;
        self.selected = selected_key
            .and_then(|(source, id)| {
                self.headlines
                    .iter()
                    .position(|item| item.source == source && item.headline.id == id)
            })
            .unwrap_or(0)
            .min(self.headlines.len().saturating_sub(1));
        // Stories that arrived above the selection push it down; the view moves with it,
        // except at the very top, where the newest stories are what the reader is watching.
        let at_top = self.list_offset == 0;
        if !at_top && self.selected >= before {
            self.list_offset += self.selected - before;
        } else if !at_top {
            self.list_offset = self.list_offset.saturating_sub(before - self.selected);
        }
        self.revision += 1;
        self.keep_selection_visible();
    }
}

/// A new copy of a feed into what we have: same identity replaces, new ones are added, and
/// stories no longer in the feed are kept.
fn absorb(kept: &mut ParsedFeed, fresh: ParsedFeed) {
    let ParsedFeed {
        title,
        link,
        language,
        ttl,
        headlines,
        repairs,
    } = fresh;
    kept.title = title;
    kept.link = link;
    kept.language = language;
    kept.ttl = ttl;
    kept.repairs = repairs;
    let mut position: HashMap<String, usize> = kept
        .headlines
        .iter()
        .enumerate()
        .map(|(index, headline)| (headline.id.clone(), index))
        .collect();
    for mut headline in headlines {
        match position.get(&headline.id) {
            Some(&index) => {
                if let Some(old) = kept.headlines.get_mut(index) {
                    // An undated story keeps the time it was first seen.
                    if !headline.dated {
                        headline.published = old.published;
                    }
                    *old = headline;
                }
            }
            None => {
                position.insert(headline.id.clone(), kept.headlines.len());
                kept.headlines.push(headline);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::Headline;
    use crate::source::Location;
    use chrono::TimeZone;

    fn headline(id: &str, title: &str) -> Headline {
        Headline {
            id: id.into(),
            title: title.into(),
            link: None,
            published: Utc.with_ymd_and_hms(2023, 10, 22, 0, 0, 0).unwrap(),
            dated: true,
            summary: String::new(),
            body_html: None,
            language: None,
        }
    }

    fn changed(ids: &[&str]) -> Msg {
        let headlines = ids
            .iter()
            .map(|id| headline(id, &format!("title {id}")))
            .collect();
        Msg::Feed(FeedEvent {
            index: 0,
            update: Update::Changed(Box::new(ParsedFeed {
                title: "s".into(),
                headlines,
                ..ParsedFeed::default()
            })),
            health: Health {
                last_success: Some(Utc.with_ymd_and_hms(2023, 10, 22, 0, 0, 0).unwrap()),
                ..Health::default()
            },
        })
    }

    fn state() -> AppState {
        AppState::new(vec![Source::new(Location::File("s.xml".into()))], None)
    }

    #[test]
    fn movement_stays_in_bounds() {
        let mut state = state();
        state.update(changed(&["a", "b", "c"]));
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
        let mut state = state();
        state.update(changed(&["a", "b", "c"]));
        state.update(Msg::Action(Action::Down));
        state.update(changed(&["new", "a", "b", "c"]));
        assert_eq!(state.headlines[state.selected].headline.id, "b");
    }

    #[test]
    fn updated_stories_replace_their_old_version_and_gone_ones_stay() {
        let mut state = state();
        state.update(changed(&["a", "b"]));
        let mut fresh = ParsedFeed {
            title: "s".into(),
            headlines: vec![headline("b", "b, updated"), headline("c", "c")],
            ..ParsedFeed::default()
        };
        fresh.headlines[1].published = Utc.with_ymd_and_hms(2023, 10, 23, 0, 0, 0).unwrap();
        state.update(Msg::Feed(FeedEvent {
            index: 0,
            update: Update::Changed(Box::new(fresh)),
            health: Health::default(),
        }));
        let titles: Vec<_> = state
            .headlines
            .iter()
            .map(|item| item.headline.title.as_str())
            .collect();
        assert_eq!(titles, ["c", "title a", "b, updated"]);
    }

    #[test]
    fn new_stories_above_do_not_move_the_view() {
        let mut state = state();
        state.update(Msg::ListHeight(2));
        state.update(changed(&["a", "b", "c", "d"]));
        state.update(Msg::Action(Action::Bottom));
        assert_eq!((state.selected, state.list_offset), (3, 2));
        // Two newer stories: same time in the fixture, so they sort after by feed order;
        // put them first by giving them a later date.
        let mut fresh = ParsedFeed {
            title: "s".into(),
            headlines: vec![headline("x", "x"), headline("y", "y")],
            ..ParsedFeed::default()
        };
        for item in &mut fresh.headlines {
            item.published = Utc.with_ymd_and_hms(2023, 10, 23, 0, 0, 0).unwrap();
        }
        state.update(Msg::Feed(FeedEvent {
            index: 0,
            update: Update::Changed(Box::new(fresh)),
            health: Health::default(),
        }));
        assert_eq!(state.headlines[state.selected].headline.id, "d");
        assert_eq!((state.selected, state.list_offset), (5, 4));
    }

    #[test]
    fn a_failure_keeps_the_last_good_headlines() {
        let mut state = state();
        state.update(changed(&["a"]));
        state.update(Msg::Feed(FeedEvent {
            index: 0,
            update: Update::Failed,
            health: Health {
                last_error: Some("HTTP 500".into()),
                ..Health::default()
            },
        }));
        assert_eq!(state.headlines.len(), 1);
        assert_eq!(state.sources_failing(), 1);
        assert_eq!(state.sources_ok(), 0);
    }

    #[test]
    fn the_ticker_moves_with_time_unless_paused() {
        let mut state = state();
        state.update(changed(&["a"]));
        state.update(Msg::Tick(Duration::from_millis(500)));
        assert_eq!(state.ticker_offset, 4.0);
        state.update(Msg::Action(Action::TogglePause));
        state.update(Msg::Tick(Duration::from_secs(1)));
        assert_eq!(state.ticker_offset, 4.0);
        assert!(!state.ticker_moving());
    }

    #[test]
    fn quit_and_refresh_are_commands_for_the_shell() {
        let mut state = state();
        assert_eq!(state.update(Msg::Action(Action::Quit)), Some(Command::Quit));
        assert_eq!(
            state.update(Msg::Action(Action::Refresh)),
            Some(Command::Refresh)
        );
    }
}
