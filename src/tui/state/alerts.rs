//! Alerts: the `[[alert]]` queries whose new stories are announced — pinned at the head of
//! the ticker, with the bell, a desktop notification through the terminal, or a command.
//!
//! Only news is announced: a story that arrives in a refresh after a source's first copy
//! (what the store held at start, or the first fetch of a new source, is not news), once
//! per run, and never a muted one. Every story that arrives in one merge makes one
//! announcement, so a refresh that brings ten matches makes one notification, not ten.

use crate::feed::SourcedHeadline;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// One `[[alert]]`: what it matches and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub query: crate::query::Query,
    /// Ring the terminal's bell.
    pub bell: bool,
    /// A desktop notification (OSC 777 and OSC 9).
    pub notify: bool,
    /// A program and its arguments, run without a shell with the story as JSON on stdin.
    pub command: Vec<String>,
    /// How long the story stays pinned at the head of the ticker.
    pub pin: Duration,
}

/// What the shell is to do about the news of one merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub bell: bool,
    /// The desktop notification: a title and a body, one line each.
    pub notice: Option<(String, String)>,
    /// Commands to run, each with the story it is for.
    pub runs: Vec<(Vec<String>, SourcedHeadline)>,
}

/// The longest notification body, in characters: desktop notifications show a line or two.
const BODY_CHARS: usize = 200;

/// The announcement for `matched` (each story with the alerts it matched, in arrival order);
/// `None` when there is nothing to do.
pub fn announce(matched: &[(SourcedHeadline, Vec<&Alert>)]) -> Option<Announcement> {
    if matched.is_empty() {
        return None;
    }
    let bell = matched
        .iter()
        .any(|(_, alerts)| alerts.iter().any(|a| a.bell));
    let notified: Vec<&SourcedHeadline> = matched
        .iter()
        .filter(|(_, alerts)| alerts.iter().any(|a| a.notify))
        .map(|(item, _)| item)
        .collect();
    let notice = notice(&notified);
    let runs: Vec<(Vec<String>, SourcedHeadline)> = matched
        .iter()
        .flat_map(|(item, alerts)| {
            alerts
                .iter()
                .filter(|alert| !alert.command.is_empty())
                .map(|alert| (alert.command.clone(), item.clone()))
        })
        .collect();
    if !bell && notice.is_none() && runs.is_empty() {
        return None;
    }
    Some(Announcement { bell, notice, runs })
}

/// One notification for every story: `Source` and the title for one, `3 new: …` with the
/// titles for several.
fn notice(stories: &[&SourcedHeadline]) -> Option<(String, String)> {
    let (first, rest) = stories.split_first()?;
    let (title, body) = if rest.is_empty() {
        (first.source.to_string(), first.headline.title.clone())
    } else {
        let titles: Vec<&str> = stories
            .iter()
            .map(|item| item.headline.title.as_str())
            .collect();
        (
            format!("akhbar: {} new", stories.len()),
            format!("{} new: {}", stories.len(), titles.join(" · ")),
        )
    };
    Some((one_line(&title, BODY_CHARS), one_line(&body, BODY_CHARS)))
}

/// `text` on one line, without control characters, at most `max` characters (an ellipsis
/// marks the cut).
fn one_line(text: &str, max: usize) -> String {
    let clean = crate::text::sanitize::clean_line(text);
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Stories pinned at the head of the ticker, each until its time is up.
#[derive(Debug, Clone, Default)]
pub struct Pins {
    pins: Vec<(super::StoryKey, DateTime<Utc>)>,
}

impl Pins {
    /// Pins `key` until `until`; pinned again, it keeps the later time and moves to the front.
    pub fn pin(&mut self, key: super::StoryKey, until: DateTime<Utc>) {
        let until = match self.pins.iter().position(|(pinned, _)| *pinned == key) {
            Some(at) => self.pins.remove(at).1.max(until),
            None => until,
        };
        self.pins.insert(0, (key, until));
    }

    /// Lets go of the pins whose time is up at `now`; whether any was.
    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        let before = self.pins.len();
        self.pins.retain(|(_, until)| *until > now);
        self.pins.len() != before
    }

    pub fn is_empty(&self) -> bool {
        self.pins.is_empty()
    }

    /// The pinned stories, the latest first.
    pub fn keys(&self) -> impl Iterator<Item = &super::StoryKey> + '_ {
        self.pins.iter().map(|(key, _)| key)
    }

    pub fn contains(&self, origin: &str, id: &str) -> bool {
        self.pins
            .iter()
            .any(|((pinned_origin, pinned_id), _)| pinned_origin == origin && pinned_id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Headline;
    use std::sync::Arc;

    fn item(title: &str) -> SourcedHeadline {
        SourcedHeadline {
            source: Arc::from("Wire"),
            origin: Arc::from("http://127.0.0.1/feed"),
            direction: Default::default(),
            headline: Arc::new(Headline::sample(title, title)),
        }
    }

    fn alert(bell: bool, notify: bool, command: &[&str]) -> Alert {
        Alert {
            query: crate::query::Query::parse("x").unwrap(),
            bell,
            notify,
            command: command.iter().map(|word| (*word).to_owned()).collect(),
            pin: Duration::from_secs(60),
        }
    }

    #[test]
    fn several_stories_make_one_notification_that_counts_them() {
        let loud = alert(true, true, &["notify-me"]);
        let quiet = alert(false, false, &[]);
        let matched = vec![
            (item("Gaza talks resume"), vec![&loud]),
            (item("\u{1b}[31mOil falls"), vec![&quiet]),
            (item("قمة الرياض"), vec![&loud, &quiet]),
        ];
        let announced = announce(&matched).unwrap();
        assert!(announced.bell);
        assert_eq!(
            announced.notice,
            Some((
                "akhbar: 2 new".to_owned(),
                "2 new: Gaza talks resume · قمة الرياض".to_owned()
            ))
        );
        let commanded: Vec<&str> = announced
            .runs
            .iter()
            .map(|(_, story)| story.headline.title.as_str())
            .collect();
        assert_eq!(commanded, ["Gaza talks resume", "قمة الرياض"]);
    }

    #[test]
    fn one_story_is_named_with_its_source_and_cleaned() {
        let loud = alert(false, true, &[]);
        let matched = vec![(item("Oil\u{1b}]0;x\u{7} falls\nagain"), vec![&loud])];
        let (title, body) = announce(&matched).unwrap().notice.unwrap();
        assert_eq!(title, "Wire");
        assert!(!body.chars().any(char::is_control), "{body:?}");
        assert!(body.contains("falls") && body.contains("again"), "{body:?}");
        let long = item(&"خبر ".repeat(100));
        let (_, body) = notice(&[&long]).unwrap();
        assert_eq!(body.chars().count(), BODY_CHARS);
        assert!(body.ends_with('…'));
    }

    #[test]
    fn alerts_that_do_nothing_announce_nothing() {
        let quiet = alert(false, false, &[]);
        assert_eq!(announce(&[(item("a"), vec![&quiet])]), None);
        assert_eq!(announce(&[]), None);
    }

    #[test]
    fn pins_expire_and_the_latest_leads() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let mut pins = Pins::default();
        let key = |id: &str| ("o".to_owned(), id.to_owned());
        pins.pin(key("a"), now + chrono::Duration::seconds(10));
        pins.pin(key("b"), now + chrono::Duration::seconds(20));
        assert_eq!(pins.keys().collect::<Vec<_>>(), [&key("b"), &key("a")]);
        assert!(pins.contains("o", "a"));
        assert!(!pins.expire(now + chrono::Duration::seconds(5)));
        assert!(pins.expire(now + chrono::Duration::seconds(10)));
        assert_eq!(pins.keys().collect::<Vec<_>>(), [&key("b")]);
        assert!(pins.expire(now + chrono::Duration::seconds(30)));
        assert!(pins.is_empty());
    }
}
