//! What the loop's commands do to the world outside the state: a browser, the clipboard,
//! and reading stories' pages for their articles.
//!
//! The page reading is here, not in the loop, because it is one more effect a command
//! ([`Command::FetchPages`](super::state::Command::FetchPages)) asks for; the loop only
//! spawns it and hands what it found back to `update`.

use super::state::PageRequest;
use super::state::alerts::Announcement;
use crate::article::Page;
use crate::feed::fetch::Fetcher;
use crate::model::Source;
use std::sync::Arc;

/// Side effects a command can ask of the world outside the state.
pub trait Effects {
    fn open_url(&mut self, url: &str);
    fn copy(&mut self, text: &str);
    /// Rings the bell, notifies and runs the commands an announcement asks for.
    fn announce(&mut self, announcement: &Announcement);
}

/// The real thing: a browser process and the terminal's clipboard.
pub struct SystemEffects;

impl Effects for SystemEffects {
    fn open_url(&mut self, url: &str) {
        let (program, args) = browser_command(std::env::var("BROWSER").ok().as_deref(), url);
        // No shell: the URL is one argument, whatever characters it holds. Failing to start a
        // browser is not worth stopping the ticker for.
        let spawned = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = spawned {
            // Reap it when it exits, so no zombie is left behind.
            std::thread::spawn(move || child.wait());
        }
    }

    fn copy(&mut self, text: &str) {
        use base64::Engine;
        use std::io::Write;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        let mut stdout = std::io::stdout();
        // OSC 52: the terminal puts the text on the clipboard, even over ssh.
        let _ = write!(stdout, "\x1b]52;c;{encoded}\x07");
        let _ = stdout.flush();
    }

    fn announce(&mut self, announcement: &Announcement) {
        use std::io::Write;
        let terminal = NotifyingTerminal::from_env(|name| std::env::var_os(name).is_some());
        let mut bytes = String::new();
        if announcement.bell {
            bytes.push('\x07');
        }
        if let Some((title, body)) = &announcement.notice {
            bytes.push_str(&terminal.notification(title, body));
        }
        if !bytes.is_empty() {
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(bytes.as_bytes());
            let _ = stdout.flush();
        }
        if !announcement.runs.is_empty() {
            let runs = announcement.runs.clone();
            // One after the other, so a burst of news never starts a crowd of processes.
            tokio::spawn(async move {
                for (command, story) in runs {
                    run_alert_command(&command, &story).await;
                }
            });
        }
    }
}

/// How long an alert's command may run before it is stopped.
pub const COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs an alert's `command` (no shell) with `story` as one line of JSON on its stdin; what
/// it prints, its failure or its timeout goes to the log.
pub async fn run_alert_command(command: &[String], story: &crate::feed::SourcedHeadline) {
    use tokio::io::AsyncWriteExt;
    let Some((program, args)) = command.split_first() else {
        return;
    };
    let mut json = Vec::new();
    if crate::feed::json_line::write_json_line(&mut json, story, false, None).is_err() {
        return;
    }
    let spawned = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => {
            tracing::warn!(program = %program, "alert command could not start: {error}");
            return;
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business.
        let _ = stdin.write_all(&json).await;
    }
    match tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output()).await {
        Err(_) => tracing::warn!(
            program = %program,
            "alert command stopped after {} s",
            COMMAND_TIMEOUT.as_secs()
        ),
        Ok(Err(error)) => tracing::warn!(program = %program, "alert command failed: {error}"),
        Ok(Ok(output)) => {
            let said = |bytes: &[u8]| {
                let text = String::from_utf8_lossy(bytes);
                text.chars().take(2000).collect::<String>()
            };
            tracing::info!(
                program = %program,
                status = %output.status,
                stdout = %said(&output.stdout),
                stderr = %said(&output.stderr),
                "alert command ran"
            );
        }
    }
}

/// Which desktop notification the terminal shows, and whether it is reached through tmux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyingTerminal {
    /// OSC 9 (iTerm2, kitty) rather than OSC 777 (VTE, foot, WezTerm, urxvt): one of the
    /// two, as a terminal that knows both would show the news twice.
    osc9: bool,
    /// Inside tmux, which passes the sequence on to the terminal around it only wrapped
    /// (and with `allow-passthrough on`).
    tmux: bool,
}

impl NotifyingTerminal {
    /// From the environment: `has(NAME)` says whether the variable is set.
    pub fn from_env(has: impl Fn(&str) -> bool) -> Self {
        let term = std::env::var("TERM").unwrap_or_default();
        let program = std::env::var("TERM_PROGRAM").unwrap_or_default();
        Self::from_names(&term, &program, &has)
    }

    fn from_names(term: &str, program: &str, has: &impl Fn(&str) -> bool) -> Self {
        let osc9 = program == "iTerm.app"
            || term == "xterm-kitty"
            || has("KITTY_WINDOW_ID")
            || has("ITERM_SESSION_ID");
        Self {
            osc9,
            tmux: has("TMUX"),
        }
    }

    /// The bytes that show `title` and `body` as a desktop notification.
    pub fn notification(self, title: &str, body: &str) -> String {
        let clean =
            |text: &str| -> String { text.chars().filter(|c| !c.is_control()).collect::<String>() };
        // OSC 777 separates its fields by `;`: a title keeps its own out of the way.
        let title = clean(title).replace(';', ",");
        let body = clean(body);
        let sequence = if self.osc9 {
            format!("\x1b]9;{title}: {body}\x07")
        } else {
            format!("\x1b]777;notify;{title};{body}\x07")
        };
        if self.tmux {
            format!("\x1bPtmux;{}\x1b\\", sequence.replace('\x1b', "\x1b\x1b"))
        } else {
            sequence
        }
    }
}

/// The browser to run for `url`: the first entry of `$BROWSER` (its words as program and
/// arguments, `%s` replaced by the URL or the URL appended), else `xdg-open`.
pub fn browser_command(browser: Option<&str>, url: &str) -> (String, Vec<String>) {
    let entry = browser.and_then(|value| {
        value
            .split(':')
            .map(str::trim)
            .find(|entry| !entry.is_empty())
    });
    let Some(entry) = entry else {
        return ("xdg-open".to_owned(), vec![url.to_owned()]);
    };
    let mut words = entry.split_whitespace().map(str::to_owned);
    let program = words.next().unwrap_or_else(|| "xdg-open".to_owned());
    let mut args: Vec<String> = words.collect();
    if args.iter().any(|arg| arg.contains("%s")) {
        for arg in &mut args {
            *arg = arg.replace("%s", url);
        }
    } else {
        args.push(url.to_owned());
    }
    (program, args)
}

/// Story pages read at once (the fetcher's per-host limit holds as well).
const PAGES_AT_ONCE: usize = 4;

/// What reading a story's page gave.
pub(super) enum Found {
    /// Its article: for the store to keep.
    Fetched(Page),
    /// No article; why, in one line.
    Failed(String),
}

/// Reads stories' pages and finds their articles, as the refresher fetches (same
/// User-Agent, per-host limits and caps).
#[derive(Clone)]
pub(super) struct PageReader {
    /// Each story's page is read with its feed's HTTP settings (user agent, headers, proxy).
    fetchers: crate::full_text::FeedFetchers,
    permits: Arc<tokio::sync::Semaphore>,
    /// Hosts that asked for a pause, shared by every page read this run.
    holds: crate::full_text::HostHolds,
}

impl PageReader {
    /// Reads `sources`' story pages with `fetcher`, each as its source's settings say.
    pub(super) fn new(fetcher: &Fetcher, sources: &[Source]) -> Self {
        Self {
            fetchers: crate::full_text::FeedFetchers::new(fetcher, sources),
            permits: Arc::new(tokio::sync::Semaphore::new(PAGES_AT_ONCE)),
            holds: crate::full_text::HostHolds::default(),
        }
    }

    pub(super) async fn read(&self, request: &PageRequest) -> Found {
        let Ok(_permit) = self.permits.acquire().await else {
            return Found::Failed("stopped".to_owned());
        };
        let selector = request.selector.clone();
        let fetcher = self.fetchers.for_origin(&request.story.0);
        match crate::full_text::fetch_page(fetcher, &request.link, selector, &self.holds).await {
            Ok(page) => Found::Fetched(page),
            Err(reason) => Found::Failed(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_is_one_sequence_for_the_terminal_at_hand() {
        let none = |_: &str| false;
        let plain = NotifyingTerminal::from_names("xterm-256color", "", &none);
        assert_eq!(
            plain.notification("Wire; AFP", "قمة\x1b]0;x\x07 الرياض"),
            "\x1b]777;notify;Wire, AFP;قمة]0;x الرياض\x07"
        );
        let kitty = NotifyingTerminal::from_names("xterm-kitty", "", &none);
        assert_eq!(kitty.notification("Wire", "Oil"), "\x1b]9;Wire: Oil\x07");
        let in_tmux =
            NotifyingTerminal::from_names("tmux-256color", "tmux", &|name: &str| name == "TMUX");
        assert_eq!(
            in_tmux.notification("Wire", "Oil"),
            "\x1bPtmux;\x1b\x1b]777;notify;Wire;Oil\x07\x1b\\"
        );
    }

    #[test]
    fn the_browser_gets_the_url_as_one_argument() {
        let url = "https://example.org/a b;rm -rf ~";
        assert_eq!(
            browser_command(None, url),
            ("xdg-open".to_owned(), vec![url.to_owned()])
        );
        assert_eq!(
            browser_command(Some("firefox --new-tab %s:w3m"), url),
            (
                "firefox".to_owned(),
                vec!["--new-tab".to_owned(), url.to_owned()]
            )
        );
        assert_eq!(
            browser_command(Some(" :lynx"), url),
            ("lynx".to_owned(), vec![url.to_owned()])
        );
    }
}
