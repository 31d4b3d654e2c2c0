//! What the loop's commands do to the world outside the state: a browser, the clipboard,
//! and reading stories' pages for their articles.
//!
//! The page reading is here, not in the loop, because it is one more effect a command
//! ([`Command::FetchPages`](super::state::Command::FetchPages)) asks for; the loop only
//! spawns it and hands what it found back to `update`.

use super::state::PageRequest;
use crate::article::Page;
use crate::feed::fetch::Fetcher;
use crate::model::Source;
use std::sync::Arc;

/// Side effects a command can ask of the world outside the state.
pub trait Effects {
    fn open_url(&mut self, url: &str);
    fn copy(&mut self, text: &str);
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
