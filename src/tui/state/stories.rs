//! The stories each source holds: a new copy folded in, and what the retention lets go.

use super::SourceView;
use crate::feed::{Headline, ParsedFeed};
use crate::retention::Retention;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A story as its source holds it.
#[derive(Debug, Clone)]
pub struct Story {
    pub headline: Arc<Headline>,
    /// Whether the feed's latest copy lists it: such a story always stays.
    pub listed: bool,
    /// When a copy of the feed last listed it.
    pub last_seen: DateTime<Utc>,
}

/// A new copy of a feed, fetched at `seen`, into what we have: same identity replaces, new
/// ones are added, and stories no longer in the feed are kept (until [`trim`]). Returns how
/// many stories are new.
pub(super) fn absorb(view: &mut SourceView, mut fresh: ParsedFeed, seen: DateTime<Utc>) -> usize {
    let headlines = std::mem::take(&mut fresh.headlines);
    view.feed = fresh;
    let stories = &mut view.stories;
    let mut position: HashMap<String, usize> = HashMap::with_capacity(stories.len());
    for (index, story) in stories.iter_mut().enumerate() {
        story.listed = false;
        position.insert(story.headline.id.clone(), index);
    }
    let mut added = 0;
    for mut headline in headlines {
        match position.get(&headline.id) {
            Some(&index) => {
                if let Some(old) = stories.get_mut(index) {
                    // An undated story keeps the time it was first seen.
                    if !headline.dated {
                        headline.published = old.headline.published;
                    }
                    if *old.headline != headline {
                        old.headline = Arc::new(headline);
                    }
                    old.listed = true;
                    old.last_seen = seen;
                }
            }
            None => {
                position.insert(headline.id.clone(), stories.len());
                stories.push(Story {
                    headline: Arc::new(headline),
                    listed: true,
                    last_seen: seen,
                });
                added += 1;
            }
        }
    }
    added
}

/// Drops the stories the store's prune drops ([`crate::store::Store::prune`] at `now`):
/// those the latest copy no longer lists that were last seen longer than `keep` ago, or that
/// fall beyond the newest `max_per_feed` counting the listed ones first. The story `spare`
/// (under the cursor) stays whatever its rank, so it does not vanish while being read.
/// Returns the ids dropped, in the order they were held.
pub(super) fn trim(
    stories: &mut Vec<Story>,
    retention: Retention,
    now: DateTime<Utc>,
    spare: Option<&str>,
) -> Vec<String> {
    // A `keep` too long to represent keeps everything, as in the store.
    let cutoff = TimeDelta::from_std(retention.keep)
        .ok()
        .and_then(|keep| now.checked_sub_signed(keep));
    let fresh_enough = |story: &Story| cutoff.is_none_or(|cutoff| story.last_seen >= cutoff);
    let listed = stories.iter().filter(|story| story.listed).count();
    if stories.len() <= retention.max_per_feed && stories.iter().all(fresh_enough) {
        return Vec::new();
    }
    let mut kept: Vec<bool> = stories.iter().map(|story| story.listed).collect();
    let mut unlisted: Vec<(usize, DateTime<Utc>)> = stories
        .iter()
        .enumerate()
        .filter(|(_, story)| !story.listed && fresh_enough(story))
        .map(|(index, story)| (index, story.headline.published))
        .collect();
    // Newest first; a stable sort keeps the order held among equal times, as the store's
    // rowid does.
    unlisted.sort_by_key(|&(_, published)| std::cmp::Reverse(published));
    let room = retention.max_per_feed.saturating_sub(listed);
    for &(index, _) in unlisted.iter().take(room) {
        if let Some(keep) = kept.get_mut(index) {
            *keep = true;
        }
    }
    if let Some(spare) = spare
        && let Some(index) = stories.iter().position(|story| story.headline.id == spare)
        && let Some(keep) = kept.get_mut(index)
    {
        *keep = true;
    }
    let mut dropped = Vec::new();
    let mut keep = kept.into_iter();
    stories.retain(|story| {
        let kept = keep.next().unwrap_or(true);
        if !kept {
            dropped.push(story.headline.id.clone());
        }
        kept
    });
    dropped
}

/// Forgets the read marks of stories no longer held; the store keeps its own.
pub(super) fn forget_read(
    read: &mut HashMap<String, HashSet<String>>,
    origin: &str,
    dropped: &[String],
) {
    if dropped.is_empty() {
        return;
    }
    if let Some(ids) = read.get_mut(origin) {
        for id in dropped {
            ids.remove(id);
        }
        if ids.is_empty() {
            read.remove(origin);
        }
    }
}
