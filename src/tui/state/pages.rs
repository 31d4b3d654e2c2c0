//! Full articles on screen: which opened stories' pages are on their way, which gave an
//! article and which failed, and whether the pane shows the page's text or the feed's.

use super::StoryKey;
use crate::article::Page;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Articles kept on screen at most; the store keeps the rest, and reopening one reads it
/// back from there.
pub const KEPT: usize = 200;

/// Where a story's page stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageState {
    /// Asked for: from the store, else from the web.
    Fetching,
    Ready(Arc<Page>),
    /// The page gave no article; the reason, in one line. Tried again next run.
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct Pages {
    by_story: HashMap<StoryKey, PageState>,
    /// Stories in the order they were asked for, oldest first, to forget the oldest.
    order: VecDeque<StoryKey>,
    /// `f`: the pane shows the feed's text even where the page gave an article.
    pub(super) feed_text: bool,
}

impl Pages {
    /// Whether the pane shows the feed's text even where the page gave an article.
    pub fn feed_text(&self) -> bool {
        self.feed_text
    }

    pub fn get(&self, key: &StoryKey) -> Option<&PageState> {
        self.by_story.get(key)
    }

    /// Marks `key` as asked for, unless it already was: whether to ask.
    pub fn ask(&mut self, key: &StoryKey) -> bool {
        if self.by_story.contains_key(key) {
            return false;
        }
        while self.order.len() >= KEPT {
            if let Some(oldest) = self.order.pop_front() {
                self.by_story.remove(&oldest);
            }
        }
        self.order.push_back(key.clone());
        self.by_story.insert(key.clone(), PageState::Fetching);
        true
    }

    /// The answer for `key`; one for a story no longer asked about is dropped.
    pub fn arrived(&mut self, key: &StoryKey, page: Result<Arc<Page>, String>) {
        if let Some(state) = self.by_story.get_mut(key) {
            *state = match page {
                Ok(page) => PageState::Ready(page),
                Err(reason) => PageState::Failed(reason),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: usize) -> StoryKey {
        ("src".to_owned(), n.to_string())
    }

    #[test]
    fn a_story_is_asked_for_once_and_the_oldest_are_forgotten() {
        let mut pages = Pages::default();
        assert!(pages.ask(&key(0)));
        assert!(!pages.ask(&key(0)), "asked once");
        pages.arrived(&key(0), Err("HTTP 404".into()));
        assert_eq!(
            pages.get(&key(0)),
            Some(&PageState::Failed("HTTP 404".into()))
        );
        assert!(!pages.ask(&key(0)), "a failure is not retried this run");
        for n in 1..=KEPT {
            assert!(pages.ask(&key(n)));
        }
        assert_eq!(pages.get(&key(0)), None, "the oldest is forgotten");
        assert_eq!(pages.get(&key(KEPT)), Some(&PageState::Fetching));
        pages.arrived(&key(999), Err("late".into()));
        assert_eq!(
            pages.get(&key(999)),
            None,
            "an answer nobody asked for is dropped"
        );
    }
}
