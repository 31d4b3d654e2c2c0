//! The one key table: which keys do what. It drives the keymap, the help overlay and the
//! README's key table (a test keeps the README in step), and `[keys]` in the config rebinds
//! any of its actions.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// One rebindable action: its name in `[keys]`, its default keys, and what it does, in
/// the help overlay's words (none: it shares the row above, as up shares down's) and the
/// README's.
pub struct Binding {
    pub name: &'static str,
    pub action: Action,
    pub keys: &'static [&'static str],
    pub help: &'static str,
    pub readme: &'static str,
}

/// Every rebindable action, in the order the help shows them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        name: "down",
        action: Action::Down,
        keys: &["j", "Down"],
        help: "move down / up (in the pane: scroll)",
        readme: "move down (in the pane: scroll)",
    },
    Binding {
        name: "up",
        action: Action::Up,
        keys: &["k", "Up"],
        help: "",
        readme: "move up (in the pane: scroll)",
    },
    Binding {
        name: "page_down",
        action: Action::PageDown,
        keys: &["PgDn", "Space"],
        help: "page down / up",
        readme: "page down",
    },
    Binding {
        name: "page_up",
        action: Action::PageUp,
        keys: &["PgUp"],
        help: "",
        readme: "page up",
    },
    Binding {
        name: "top",
        action: Action::Top,
        keys: &["g", "Home"],
        help: "first / last headline",
        readme: "first headline",
    },
    Binding {
        name: "bottom",
        action: Action::Bottom,
        keys: &["G", "End"],
        help: "",
        readme: "last headline",
    },
    Binding {
        name: "open",
        action: Action::Open,
        keys: &["Enter"],
        help: "open the story in the pane",
        readme: "open the selected story in the pane and focus it",
    },
    Binding {
        name: "switch_focus",
        action: Action::SwitchFocus,
        keys: &["Tab", "BackTab"],
        help: "list ↔ pane",
        readme: "switch focus between list and pane",
    },
    Binding {
        name: "back",
        action: Action::Back,
        keys: &["Esc"],
        help: "close prompt, leave pane, clear filter",
        readme: "close the prompt, leave the pane, then clear the filter",
    },
    Binding {
        name: "filter",
        action: Action::StartFilter,
        keys: &["/"],
        help: "filter (terms ANDed, Arabic-aware)",
        readme: "filter: the list and the ticker narrow as you type; `Enter` keeps it, `Esc` \
                 clears it",
    },
    Binding {
        name: "refresh",
        action: Action::Refresh,
        keys: &["r"],
        help: "refresh now",
        readme: "refresh now",
    },
    Binding {
        name: "open_link",
        action: Action::OpenLink,
        keys: &["o"],
        help: "open the link in a browser",
        readme: "open the link in `$BROWSER` or `xdg-open` (http/https only, never through a \
                 shell)",
    },
    Binding {
        name: "copy_link",
        action: Action::CopyLink,
        keys: &["y"],
        help: "copy the link (OSC 52)",
        readme: "copy the link (OSC 52)",
    },
    Binding {
        name: "pause",
        action: Action::TogglePause,
        keys: &["p"],
        help: "pause the ticker",
        readme: "pause or resume the ticker",
    },
    Binding {
        name: "toggle_read",
        action: Action::ToggleRead,
        keys: &["m"],
        help: "mark read / unread",
        readme: "mark the story read, or unread again",
    },
    Binding {
        name: "mark_all_read",
        action: Action::MarkAllRead,
        keys: &["M"],
        help: "mark all shown read",
        readme: "mark every shown story read",
    },
    Binding {
        name: "unread_only",
        action: Action::ToggleUnreadOnly,
        keys: &["u"],
        help: "show only unread / all",
        readme: "show only unread stories, or all again",
    },
    Binding {
        name: "view_all",
        action: Action::View(0),
        keys: &["0"],
        help: "every story / the 1st … 9th [[view]]",
        readme: "every story; then the 1st … 9th `[[view]]` (its key again: every story)",
    },
    Binding {
        name: "view_1",
        action: Action::View(1),
        keys: &["1"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_2",
        action: Action::View(2),
        keys: &["2"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_3",
        action: Action::View(3),
        keys: &["3"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_4",
        action: Action::View(4),
        keys: &["4"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_5",
        action: Action::View(5),
        keys: &["5"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_6",
        action: Action::View(6),
        keys: &["6"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_7",
        action: Action::View(7),
        keys: &["7"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_8",
        action: Action::View(8),
        keys: &["8"],
        help: "",
        readme: "",
    },
    Binding {
        name: "view_9",
        action: Action::View(9),
        keys: &["9"],
        help: "",
        readme: "",
    },
    Binding {
        name: "show_muted",
        action: Action::ToggleMuted,
        keys: &["x"],
        help: "show the muted stories / the others",
        readme: "show the stories a mute hides, or the others again",
    },
    Binding {
        name: "full_text",
        action: Action::ToggleFullText,
        keys: &["f"],
        help: "pane: full article / feed's text",
        readme: "in the pane, the story's full article from its page, or the feed's text again",
    },
    Binding {
        name: "sources",
        action: Action::ToggleSources,
        keys: &["s"],
        help: "sources and their health",
        readme: "sources and their health",
    },
    Binding {
        name: "help",
        action: Action::ToggleHelp,
        keys: &["?"],
        help: "this help",
        readme: "help",
    },
    Binding {
        name: "quit",
        action: Action::Quit,
        keys: &["q"],
        help: "quit",
        readme: "quit",
    },
];

/// Always quits, whatever `[keys]` says, so that no config can lock a user in.
const ALWAYS_QUITS: Key = Key {
    code: KeyCode::Char('c'),
    ctrl: true,
};

/// A key as the table names it: a code, and whether Ctrl is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
}

/// Names of keys other than characters, as `[keys]` writes them, and as help shows them.
const NAMED: &[(&str, KeyCode, &str)] = &[
    ("Enter", KeyCode::Enter, "Enter"),
    ("Esc", KeyCode::Esc, "Esc"),
    ("Tab", KeyCode::Tab, "Tab"),
    ("BackTab", KeyCode::BackTab, "Shift-Tab"),
    ("Backspace", KeyCode::Backspace, "Backspace"),
    ("Delete", KeyCode::Delete, "Delete"),
    ("Insert", KeyCode::Insert, "Insert"),
    ("Space", KeyCode::Char(' '), "Space"),
    ("Up", KeyCode::Up, "↑"),
    ("Down", KeyCode::Down, "↓"),
    ("Left", KeyCode::Left, "←"),
    ("Right", KeyCode::Right, "→"),
    ("Home", KeyCode::Home, "Home"),
    ("End", KeyCode::End, "End"),
    ("PgUp", KeyCode::PageUp, "PgUp"),
    ("PgDn", KeyCode::PageDown, "PgDn"),
];

impl Key {
    /// Reads a key name: one character (`j`, `G`, `/`), a name (`Enter`, `PgDn`, `Space`,
    /// `Up`…, `F1`…`F12`), either after `Ctrl-`.
    pub fn parse(name: &str) -> Option<Key> {
        let (ctrl, rest) = match name.strip_prefix("Ctrl-").or(name.strip_prefix("ctrl-")) {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
            _ => NAMED
                .iter()
                .find(|(named, _, _)| named.eq_ignore_ascii_case(rest))
                .map(|&(_, code, _)| code)
                .or_else(|| {
                    let number: u8 = rest.strip_prefix(['F', 'f'])?.parse().ok()?;
                    (1..=12).contains(&number).then_some(KeyCode::F(number))
                })?,
        };
        Some(Key { code, ctrl })
    }

    fn of_event(event: KeyEvent) -> Key {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let code = match event.code {
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            code => code,
        };
        Key { code, ctrl }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if let Some((_, _, shown)) = NAMED.iter().find(|(_, code, _)| *code == self.code) {
            return f.write_str(shown);
        }
        match self.code {
            KeyCode::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// What is wrong with a `[keys]` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    #[error("unknown action `{0}` in [keys] (expected one of {names})", names = action_names())]
    UnknownAction(String),
    #[error(
        "unknown key `{key}` for `{action}` (a character, Enter, Esc, Tab, Space, PgUp, PgDn, Up, Down, Home, End, F1…F12, optionally after Ctrl-)"
    )]
    UnknownKey { action: String, key: String },
    #[error("key `{key}` is bound to both `{first}` and `{second}`")]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
    #[error("`{0}` must be bound to at least one key")]
    NoKeys(String),
}

fn action_names() -> String {
    BINDINGS
        .iter()
        .map(|binding| binding.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keys in effect: the table's defaults with `[keys]` applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    /// Each binding's keys, in the table's order.
    keys: Vec<Vec<Key>>,
    by_key: HashMap<Key, Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&[]).unwrap_or_else(|_| Keymap {
            keys: Vec::new(),
            by_key: HashMap::new(),
        })
    }
}

impl Keymap {
    /// The defaults with each `(action, keys)` of `rebound` replacing that action's keys.
    /// Every entry and the result are checked: names known, no key doing two things.
    pub fn new(rebound: &[(String, Vec<String>)]) -> Result<Keymap, KeysError> {
        let mut keys: Vec<Vec<Key>> = BINDINGS
            .iter()
            .map(|binding| binding.keys.iter().filter_map(|k| Key::parse(k)).collect())
            .collect();
        for (name, names) in rebound {
            let index = BINDINGS
                .iter()
                .position(|binding| binding.name == name)
                .ok_or_else(|| KeysError::UnknownAction(name.clone()))?;
            if names.is_empty() {
                return Err(KeysError::NoKeys(name.clone()));
            }
            keys[index] = names
                .iter()
                .map(|key| {
                    Key::parse(key).ok_or_else(|| KeysError::UnknownKey {
                        action: name.clone(),
                        key: key.clone(),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        let mut by_key = HashMap::new();
        let mut owner: HashMap<Key, &'static str> = HashMap::new();
        for (binding, keys) in BINDINGS.iter().zip(&keys) {
            for &key in keys {
                let taken = owner
                    .insert(key, binding.name)
                    .filter(|&n| n != binding.name);
                let clash = taken
                    .or((key == ALWAYS_QUITS && binding.action != Action::Quit).then_some("quit"));
                if let Some(first) = clash {
                    return Err(KeysError::Conflict {
                        key: key.to_string(),
                        first,
                        second: binding.name,
                    });
                }
                by_key.insert(key, binding.action.clone());
            }
        }
        Ok(Keymap { keys, by_key })
    }

    /// Binds `key` to view `number` (1-based), a `[[view]]`'s own `key`, besides its number;
    /// a key that already does something is refused.
    pub fn bind_view(&mut self, key: &str, number: usize) -> Result<(), KeysError> {
        let parsed = Key::parse(key).ok_or_else(|| KeysError::UnknownKey {
            action: "key".to_owned(),
            key: key.to_owned(),
        })?;
        let taken = BINDINGS
            .iter()
            .zip(&self.keys)
            .find(|(_, keys)| keys.contains(&parsed))
            .map(|(binding, _)| binding.name)
            .or((parsed == ALWAYS_QUITS).then_some("quit"));
        if let Some(first) = taken {
            return Err(KeysError::Conflict {
                key: parsed.to_string(),
                first,
                second: "a [[view]]",
            });
        }
        if self.by_key.contains_key(&parsed) {
            return Err(KeysError::Conflict {
                key: parsed.to_string(),
                first: "a [[view]]",
                second: "another [[view]]",
            });
        }
        self.by_key.insert(parsed, Action::View(number));
        Ok(())
    }

    /// What a key press does; while the filter prompt is open, keys type into it.
    pub fn action_for(&self, event: KeyEvent, prompt_open: bool) -> Option<Action> {
        if event.kind != KeyEventKind::Press {
            return None;
        }
        let key = Key::of_event(event);
        if key == ALWAYS_QUITS {
            return Some(Action::Quit);
        }
        if prompt_open {
            return match event.code {
                _ if key.ctrl => None,
                KeyCode::Char(c) => Some(Action::FilterChar(c)),
                KeyCode::Backspace => Some(Action::FilterBackspace),
                KeyCode::Enter => Some(Action::FilterAccept),
                KeyCode::Esc => Some(Action::Back),
                _ => None,
            };
        }
        self.by_key.get(&key).cloned()
    }

    /// The help overlay's rows: the keys of each action (or pair of actions), and what
    /// they do.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(String, &'static str)> = Vec::new();
        for (binding, keys) in BINDINGS.iter().zip(&self.keys) {
            let shown = shown_keys(binding, keys, " ");
            match rows.last_mut() {
                Some((row_keys, _)) if binding.help.is_empty() => {
                    row_keys.push(' ');
                    row_keys.push_str(&shown);
                }
                _ => rows.push((shown, binding.help)),
            }
        }
        rows
    }
}

/// `keys` as help shows them, Ctrl-C after quit's own.
fn shown_keys(binding: &Binding, keys: &[Key], between: &str) -> String {
    let mut shown: Vec<String> = keys.iter().map(Key::to_string).collect();
    if binding.action == Action::Quit {
        shown.push(ALWAYS_QUITS.to_string());
    }
    shown.join(between)
}

/// The README's key table, from the defaults.
pub fn readme_table() -> String {
    let mut rows: Vec<(Vec<String>, &str, Vec<String>)> = Vec::new();
    let defaults = Keymap::default();
    for (binding, keys) in BINDINGS.iter().zip(&defaults.keys) {
        let keys = keys
            .iter()
            .map(|key| format!("`{key}`"))
            .chain((binding.action == Action::Quit).then(|| format!("`{ALWAYS_QUITS}`")));
        let name = format!("`{}`", binding.name);
        // A binding without words of its own shares the row above (the views' numbers).
        match rows.last_mut() {
            Some((row_keys, _, names)) if binding.readme.is_empty() => {
                row_keys.extend(keys);
                names.push(name);
            }
            _ => rows.push((keys.collect(), binding.readme, vec![name])),
        }
    }
    let mut table = String::from("| key | does | in `[keys]` |\n| --- | --- | --- |\n");
    for (keys, does, names) in rows {
        table.push_str(&format!(
            "| {} | {does} | {} |\n",
            keys.join(" / "),
            names.join(" ")
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_defaults_are_the_table() {
        let keys = Keymap::default();
        assert_eq!(
            keys.action_for(press(KeyCode::Char('j')), false),
            Some(Action::Down)
        );
        assert_eq!(
            keys.action_for(press(KeyCode::Down), false),
            Some(Action::Down)
        );
        assert_eq!(
            keys.action_for(press(KeyCode::Char(' ')), false),
            Some(Action::PageDown)
        );
        assert_eq!(keys.action_for(press(KeyCode::Char('w')), false), None);
        for binding in BINDINGS {
            for name in binding.keys {
                let key = Key::parse(name).unwrap();
                assert_eq!(keys.by_key.get(&key), Some(&binding.action), "{name}");
            }
        }
    }

    #[test]
    fn keys_type_into_an_open_prompt_and_ctrl_c_always_quits() {
        let keys = Keymap::default();
        assert_eq!(
            keys.action_for(press(KeyCode::Char('q')), true),
            Some(Action::FilterChar('q'))
        );
        assert_eq!(
            keys.action_for(press(KeyCode::Char('q')), false),
            Some(Action::Quit)
        );
        assert_eq!(
            keys.action_for(press(KeyCode::Esc), true),
            Some(Action::Back)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keys.action_for(ctrl_c, true), Some(Action::Quit));
        let rebound = Keymap::new(&[("quit".into(), vec!["w".into()])]).unwrap();
        assert_eq!(rebound.action_for(ctrl_c, false), Some(Action::Quit));
        assert_eq!(rebound.action_for(press(KeyCode::Char('q')), false), None);
    }

    #[test]
    fn a_rebinding_replaces_the_actions_keys() {
        let keys = Keymap::new(&[("open".into(), vec!["Enter".into(), "l".into()])]).unwrap();
        assert_eq!(
            keys.action_for(press(KeyCode::Char('l')), false),
            Some(Action::Open)
        );
        assert_eq!(
            keys.action_for(press(KeyCode::Enter), false),
            Some(Action::Open)
        );
        let keys = Keymap::new(&[("down".into(), vec!["n".into(), "Ctrl-n".into()])]).unwrap();
        assert_eq!(keys.action_for(press(KeyCode::Char('j')), false), None);
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(keys.action_for(ctrl_n, false), Some(Action::Down));
        let help = keys.help_rows();
        assert_eq!(
            help[0],
            (
                "n Ctrl-N k ↑".to_owned(),
                "move down / up (in the pane: scroll)"
            )
        );
        // Pairs share a row, and the nine views' numbers the row of every story's.
        assert_eq!(help.len(), BINDINGS.len() - 3 - 9);
    }

    #[test]
    fn bad_bindings_are_errors_that_say_what_is_wrong() {
        let one = |action: &str, keys: &[&str]| {
            Keymap::new(&[(
                action.to_owned(),
                keys.iter().map(|k| (*k).to_owned()).collect(),
            )])
            .unwrap_err()
            .to_string()
        };
        assert!(
            one("opne", &["l"])
                .starts_with("unknown action `opne` in [keys] (expected one of down, up,")
        );
        assert_eq!(
            one("open", &["Entr"]),
            "unknown key `Entr` for `open` (a character, Enter, Esc, Tab, Space, PgUp, PgDn, Up, Down, Home, End, F1…F12, optionally after Ctrl-)"
        );
        assert_eq!(
            one("down", &["k"]),
            "key `k` is bound to both `down` and `up`"
        );
        assert_eq!(
            one("refresh", &["Ctrl-c"]),
            "key `Ctrl-C` is bound to both `quit` and `refresh`"
        );
        assert_eq!(one("help", &[]), "`help` must be bound to at least one key");
    }

    #[test]
    fn key_names_read_back_as_written() {
        for name in ["j", "G", "/", "?", "Enter", "Space", "PgDn", "F5", "Ctrl-x"] {
            let key = Key::parse(name).unwrap();
            let shown = key.to_string();
            let again = Key::parse(&shown).or_else(|| {
                NAMED
                    .iter()
                    .find(|(_, _, s)| *s == shown)
                    .and_then(|(n, _, _)| Key::parse(n))
            });
            assert_eq!(again, Some(key), "{name} → {shown}");
        }
        assert_eq!(Key::parse("F13"), None);
        assert_eq!(Key::parse(""), None);
        assert_eq!(Key::parse("jj"), None);
    }

    #[test]
    fn the_readme_shows_the_table() {
        let readme = include_str!("../../README.md");
        let table = readme_table();
        assert!(
            readme.contains(&table),
            "README.md's key table is not the table's; put this in its place:\n{table}"
        );
    }
}
