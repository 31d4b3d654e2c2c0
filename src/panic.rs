//! What a panic does, in one place: never leave a half-dead TUI behind.
//!
//! - Every report is one `akhbar: internal error: … panicked at …` line on stderr, stripped
//!   of controls (a panic message may quote feed text); Rust's own report follows only with
//!   `RUST_BACKTRACE`.
//! - While the TUI is up, a panic on another thread (a tokio task, the store's thread) writes
//!   nothing and leaves the terminal alone: the screen belongs to the app, which goes on (a
//!   feed's load fails with the reason) or ends through its normal exit path. Its message is
//!   kept for that exit path ([`take_stashed`]).
//! - A panic on the main thread, where the app itself runs, restores the terminal first and
//!   then says what happened; `main` catches it and ends through the normal exit path, so the
//!   store's thread still writes what it was given (read marks included) before the exit.

use std::any::Any;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::ThreadId;

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;
type Restore = Box<dyn Fn() + Send + 'static>;

/// Longest panic message kept, in characters: one line of a report, not a dump.
const MAX_MESSAGE: usize = 300;
/// Most stashed panics kept; a task panicking in a loop must not grow memory.
const MAX_STASHED: usize = 8;

/// Rust's own hook, for backtraces.
static STANDARD: OnceLock<Hook> = OnceLock::new();
static MAIN_THREAD: OnceLock<ThreadId> = OnceLock::new();
static TUI_UP: AtomicBool = AtomicBool::new(false);
/// How to give the terminal back, while the TUI is up.
static RESTORE: Mutex<Option<Restore>> = Mutex::new(None);
static STASHED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Installs the policy; called first thing on the main thread.
pub fn install() {
    let _ = MAIN_THREAD.set(std::thread::current().id());
    // Only the first hook taken is Rust's; a second call would take our own.
    let _ = STANDARD.set(std::panic::take_hook());
    std::panic::set_hook(Box::new(hook));
}

/// The TUI is up: from now on panics follow the TUI rules, and a main-thread panic calls
/// `restore` before printing. Replaces whatever hook terminal libraries added meanwhile
/// (ratatui's restores the terminal from any thread, behind the app's back).
pub fn guard_tui(restore: impl Fn() + Send + 'static) {
    // Dropped unless no hook of ours was installed before.
    let _ = STANDARD.set(std::panic::take_hook());
    *RESTORE.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(restore));
    TUI_UP.store(true, Ordering::SeqCst);
    std::panic::set_hook(Box::new(hook));
}

/// Gives the terminal back, unless the panic hook already has (a main-thread panic); from
/// now on panics print plainly again. The terminal is restored exactly once: a second
/// restore would leave the alternate screen again, whose cursor restore moves the cursor back
/// over the lines printed since.
pub fn leave_tui() {
    TUI_UP.store(false, Ordering::SeqCst);
    let restore = RESTORE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(restore) = restore {
        restore();
    }
}

/// The panics kept while the TUI was up, one line each (oldest first), for the exit path.
pub fn take_stashed() -> Vec<String> {
    std::mem::take(&mut *STASHED.lock().unwrap_or_else(PoisonError::into_inner))
}

fn hook(info: &PanicHookInfo<'_>) {
    let message = printable(info.payload_as_str().unwrap_or("a panic without a message"));
    let place = info
        .location()
        .map(|location| format!(" at {}:{}", location.file(), location.line()))
        .unwrap_or_default();
    let on_main_thread = MAIN_THREAD.get() == Some(&std::thread::current().id());
    // "panicked" as Rust says it, so whoever greps a log for panics still finds them.
    let line = if on_main_thread {
        format!("internal error: panicked{place}: {message}")
    } else {
        format!("internal error: a background task panicked{place}: {message}")
    };
    if TUI_UP.load(Ordering::SeqCst) {
        if !on_main_thread {
            let mut stashed = STASHED.lock().unwrap_or_else(PoisonError::into_inner);
            if stashed.len() < MAX_STASHED {
                stashed.push(line);
            }
            return;
        }
        TUI_UP.store(false, Ordering::SeqCst);
        // try_lock: a panic in the middle of guard_tui must not wait on itself.
        let restore = RESTORE
            .try_lock()
            .ok()
            .and_then(|mut restore| restore.take());
        if let Some(restore) = restore {
            restore();
        }
        for stashed in take_stashed() {
            eprintln!("akhbar: {stashed}");
        }
    }
    eprintln!("akhbar: {line}");
    // Rust's own report, unfiltered, only when a backtrace was asked for: the message may
    // quote feed text, which has no business reaching the terminal raw otherwise.
    let backtrace =
        std::env::var("RUST_BACKTRACE").is_ok_and(|value| !value.is_empty() && value != "0");
    if backtrace && let Some(standard) = STANDARD.get() {
        standard(info);
    }
}

/// Why a task ended without a result, in one line: its panic message, or the cancellation.
pub fn reason(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => printable(payload_text(payload.as_ref())),
        Err(_) => "the task was cancelled".to_owned(),
    }
}

/// A caught panic's message, in one line (see [`reason`]).
pub fn payload_reason(payload: &(dyn Any + Send)) -> String {
    printable(payload_text(payload))
}

fn payload_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// One short line, safe for a terminal: a panic message may quote feed text (a slice that
/// was not on a char boundary), so controls and bidi overrides go. Written to be unable to
/// panic itself: it runs inside the panic hook.
fn printable(text: &str) -> String {
    let mut line = String::with_capacity(text.len().min(MAX_MESSAGE * 4));
    let mut pending_space = false;
    let mut kept = 0;
    for c in text.chars() {
        if c.is_control() || c.is_whitespace() {
            pending_space = !line.is_empty();
            continue;
        }
        if is_bidi_control(c) {
            continue;
        }
        if kept == MAX_MESSAGE {
            line.push('…');
            break;
        }
        if pending_space {
            line.push(' ');
            pending_space = false;
        }
        line.push(c);
        kept += 1;
    }
    line
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Test-only panics, so that the integration tests can panic each part of the app on purpose
/// and check how the process ends. `AKHBAR_TEST_PANIC=feed` panics inside the first feed's
/// load task, `refresher` the refresher loop after its first result, `main` the UI thread
/// after the first frame, `read` the UI thread right after it has handed read marks to the
/// store, `store` the store's thread right after it has written the first read marks.
/// Honoured only in debug builds (what `cargo test` builds): a
/// release binary compiles this to nothing.
#[track_caller]
pub fn test_point(site: &str) {
    #[cfg(debug_assertions)]
    {
        static WANTED: OnceLock<Option<String>> = OnceLock::new();
        let wanted = WANTED.get_or_init(|| std::env::var("AKHBAR_TEST_PANIC").ok());
        if wanted.as_deref() == Some(site) {
            panic!("AKHBAR_TEST_PANIC={site}");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = site;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_controls_and_bidi_overrides_and_stay_short() {
        assert_eq!(
            printable("byte index 3 \u{1b}]0;PWN\u{7} in `\u{202E}abc`\n\tend"),
            "byte index 3 ]0;PWN in `abc` end"
        );
        let long = printable(&"x".repeat(10_000));
        assert_eq!(long.chars().count(), MAX_MESSAGE + 1);
        assert!(long.ends_with('…'));
        assert_eq!(printable(""), "");
    }

    #[tokio::test]
    async fn a_panicked_task_reads_as_its_message() {
        let static_message = tokio::spawn(async { panic!("boom") }).await.unwrap_err();
        assert_eq!(reason(static_message), "boom");
        let formatted = tokio::spawn(async {
            let n = 3;
            panic!("slot {n}\u{1b}[2J");
        })
        .await
        .unwrap_err();
        assert_eq!(reason(formatted), "slot 3 [2J");
        let cancelled = tokio::spawn(std::future::pending::<()>());
        cancelled.abort();
        assert_eq!(
            reason(cancelled.await.unwrap_err()),
            "the task was cancelled"
        );
    }
}
