//! Views and mutes: the named queries the list switches between (`[[view]]`, keys 1–9), with
//! their unread counts, and the queries whose stories are hidden everywhere (`[[mute]]`, a
//! feed's `mute`). Each headline is matched against them once, when the headlines change,
//! so that a keystroke of the filter costs only the filter.

use crate::query::Query;
use crate::query::syntax::{Clock, Subject};
use std::collections::HashMap;

/// The most views a headline's marks can tell apart.
pub const MAX_VIEWS: usize = 64;

/// A `[[view]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: String,
    pub query: Query,
}

/// What the lenses say of one headline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub muted: bool,
    /// Bit `n`: the headline is in view `n`.
    pub views: u64,
}

impl Marks {
    pub fn in_view(self, view: usize) -> bool {
        view < MAX_VIEWS && self.views & (1 << view) != 0
    }
}

#[derive(Debug, Clone, Default)]
pub struct Lenses {
    pub views: Vec<View>,
    /// The view the list shows: `None` is every story.
    pub active: Option<usize>,
    /// The view the ticker crawls (`ticker = "NAME"`): `None` is what the list shows.
    pub ticker: Option<usize>,
    pub mutes: Vec<Query>,
    /// A feed's own mute, by the source's store key.
    pub feed_mutes: HashMap<String, Query>,
    /// `x`: the list shows the muted stories instead.
    pub show_muted: bool,
}

impl Lenses {
    /// Whether any headline needs matching against these.
    pub fn any(&self) -> bool {
        !self.views.is_empty() || !self.mutes.is_empty() || !self.feed_mutes.is_empty()
    }

    /// Whether the marks change as time passes or stories are read (`since:2h`,
    /// `is:unread`): they are then worked out again on each clock tick and read mark.
    pub fn depend_on_state(&self) -> bool {
        self.views
            .iter()
            .map(|view| &view.query)
            .chain(&self.mutes)
            .chain(self.feed_mutes.values())
            .any(Query::depends_on_state)
    }

    pub fn marks(&self, origin: &str, subject: &Subject<'_>, clock: &Clock) -> Marks {
        let muted = self.mutes.iter().any(|mute| mute.matches(subject, clock))
            || self
                .feed_mutes
                .get(origin)
                .is_some_and(|mute| mute.matches(subject, clock));
        let mut views = 0;
        for (index, view) in self.views.iter().take(MAX_VIEWS).enumerate() {
            if view.query.matches(subject, clock) {
                views |= 1 << index;
            }
        }
        Marks { muted, views }
    }
}
