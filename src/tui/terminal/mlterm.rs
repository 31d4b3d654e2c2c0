//! mlterm's configuration protocol (its doc/en/PROTOCOL): its own bidi ("ctl", complex
//! text layout) reorders whatever it is sent and ignores BDSM, so while akhbar lays text out
//! it is switched off with `OSC 5379 ; use_ctl=false`, and asked first whether it was on.

use std::time::{Duration, Instant};

/// How long mlterm is given to answer; a local mlterm answers within milliseconds.
const ANSWER_WAIT: Duration = Duration::from_millis(300);
/// Longest challenge sent back; mlterm writes a few characters.
const MAX_CHALLENGE: usize = 256;

/// The sequence that turns mlterm's bidi on or off for this terminal.
pub fn set_bidi(on: bool) -> String {
    format!("\x1b]5379;use_ctl={on}\x07")
}

/// The query for `use_ctl`, carrying mlterm's challenge: mlterm answers none without it.
fn query(challenge: &str) -> String {
    format!("\x1b]5380;{challenge};use_ctl\x07")
}

/// The challenge mlterm wrote for this user, when it can be read and sent back as it is.
fn challenge() -> Option<String> {
    let home = std::env::var_os("HOME")?;
    let path = std::path::Path::new(&home)
        .join(".mlterm")
        .join("challenge");
    let text = std::fs::read_to_string(path).ok()?;
    let challenge = text.trim();
    (!challenge.is_empty()
        && challenge.len() <= MAX_CHALLENGE
        && challenge.bytes().all(|b| b.is_ascii_graphic() && b != b';'))
    .then(|| challenge.to_owned())
}

/// Whether mlterm's bidi is on, asked with raw mode already on. Only asked when the
/// challenge can be read, so that an answer is sure to come at once (an answer arriving
/// after the wait would reach the app as keys); otherwise, or without an answer in time,
/// mlterm's default (on) is assumed.
pub fn bidi_was_on() -> bool {
    let Some(challenge) = challenge() else {
        return true;
    };
    let mut stdout = std::io::stdout();
    let asked = std::io::Write::write_all(&mut stdout, query(&challenge).as_bytes())
        .and_then(|()| std::io::Write::flush(&mut stdout));
    if asked.is_err() {
        return true;
    }
    read_answer()
        .and_then(|answer| parse_answer(&answer))
        .unwrap_or(true)
}

/// The answer line (`#use_ctl=true`), read as the key events crossterm makes of it.
fn read_answer() -> Option<String> {
    use crossterm::event::{Event, KeyCode, KeyModifiers, poll, read};
    let deadline = Instant::now() + ANSWER_WAIT;
    let mut answer = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || !poll(left).ok()? {
            return None;
        }
        let Event::Key(key) = read().ok()? else {
            continue;
        };
        match key.code {
            KeyCode::Enter => return Some(answer),
            // A line feed in raw mode reads as Ctrl-J.
            KeyCode::Char('j') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Some(answer);
            }
            KeyCode::Char(c) if answer.len() < 64 => answer.push(c),
            _ => return None,
        }
    }
}

/// `Some(on)` from mlterm's answer to the query; `None` for `#error`, `#forbidden` or
/// anything else.
fn parse_answer(answer: &str) -> Option<bool> {
    match answer.trim().strip_prefix("#use_ctl=")? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequences_follow_mlterms_protocol() {
        assert_eq!(set_bidi(false), "\x1b]5379;use_ctl=false\x07");
        assert_eq!(set_bidi(true), "\x1b]5379;use_ctl=true\x07");
        assert_eq!(query("a1b2"), "\x1b]5380;a1b2;use_ctl\x07");
    }

    #[test]
    fn answers_are_read_strictly() {
        assert_eq!(parse_answer("#use_ctl=true"), Some(true));
        assert_eq!(parse_answer("#use_ctl=false\n"), Some(false));
        assert_eq!(parse_answer("#forbidden"), None);
        assert_eq!(parse_answer("#error"), None);
        assert_eq!(parse_answer("#use_ctl=maybe"), None);
    }
}
