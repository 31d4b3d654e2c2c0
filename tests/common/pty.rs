//! A raw pseudo-terminal for integration tests: runs the real `akhbar` binary on the slave
//! side of a pty of a chosen size, as its controlling terminal, records every byte it writes,
//! types keys into it, optionally answers terminal queries, and checks that the terminal is
//! handed back restored (modes off, termios cooked). A screen too big to emulate is fine
//! as long as [`Pty::screen`] is not called. [`Pty::screen`] replays the output on
//! a terminal emulator (`vt100`) to read the screen as a user would see it: ratatui writes
//! only the cells that change, so text is rarely contiguous in the raw bytes.
//!
//! ```ignore
//! let home = tempfile::tempdir().unwrap();
//! // No feeds configured: the bundled demo.
//! let mut pty = PtyCommand::new(120, 30).home(home.path()).spawn();
//! assert!(pty.wait_for_screen(|s| s.contains("headlines"), Duration::from_secs(10)));
//! pty.write(b"q");
//! let status = pty.wait_exit(Duration::from_secs(10)).expect("exits");
//! assert!(status.success());
//! pty.assert_restored();
//! ```
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The cursor-position query (DSR 6) and a reply placing the cursor at the top left.
pub const CURSOR_QUERY: &[u8] = b"\x1b[6n";
pub const CURSOR_REPLY: &[u8] = b"\x1b[1;1R";

/// DEC private modes that a well-behaved exit switches off if it ever switched them on:
/// the alternate screen, every mouse reporting mode crossterm enables, bracketed paste.
pub const PRIVATE_MODES: &[u16] = &[1049, 1000, 1002, 1003, 1006, 1015, 2004];

/// How to start the program in the pty. Defaults: the `akhbar` binary, no arguments,
/// `TERM=xterm-256color`, stderr on the pty, and a terminal that answers `CSI 6n`.
pub struct PtyCommand {
    cols: u16,
    rows: u16,
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    env_remove: Vec<OsString>,
    answers: Vec<(Vec<u8>, Vec<u8>)>,
    pipe_stderr: bool,
}

impl PtyCommand {
    /// A pty of `cols` × `rows` cells running the `akhbar` binary.
    pub fn new(cols: u16, rows: u16) -> Self {
        Self {
            cols,
            rows,
            program: env!("CARGO_BIN_EXE_akhbar").into(),
            args: Vec::new(),
            env: vec![("TERM".into(), "xterm-256color".into())],
            // Terminals announcing their own bidi change what akhbar writes.
            env_remove: vec![
                "MLTERM".into(),
                "KONSOLE_VERSION".into(),
                "KITTY_WINDOW_ID".into(),
                "VTE_VERSION".into(),
                "XTERM_VERSION".into(),
                "TMUX".into(),
                "NO_COLOR".into(),
            ],
            answers: vec![(CURSOR_QUERY.to_vec(), CURSOR_REPLY.to_vec())],
            pipe_stderr: false,
        }
    }

    /// Runs another program instead of `akhbar` (e.g. to test the harness itself).
    pub fn program(mut self, program: impl AsRef<OsStr>) -> Self {
        self.program = program.as_ref().to_owned();
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Self {
        self.env_remove.push(name.as_ref().to_owned());
        self
    }

    /// Sets `HOME`, `XDG_CONFIG_HOME` (`<home>/config`), `XDG_DATA_HOME` (`<home>/data`),
    /// `XDG_CACHE_HOME`, `XDG_STATE_HOME` and `XDG_RUNTIME_DIR` under a directory the caller
    /// keeps, plus `TZ=UTC`.
    pub fn home(self, home: &Path) -> Self {
        self.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_RUNTIME_DIR", home)
            .env("TZ", "UTC")
    }

    /// Whenever the program writes `query`, the terminal writes `reply` back.
    pub fn answer(mut self, query: &[u8], reply: &[u8]) -> Self {
        self.answers.push((query.to_vec(), reply.to_vec()));
        self
    }

    /// A terminal that answers no query at all (serial consoles, `script`, some emulators).
    pub fn silent(mut self) -> Self {
        self.answers.clear();
        self
    }

    /// Collects stderr through a pipe (see [`Pty::stderr`]) instead of the pty.
    pub fn pipe_stderr(mut self) -> Self {
        self.pipe_stderr = true;
        self
    }

    /// Opens the pty and starts the program with the slave as its stdin, stdout (and stderr
    /// unless piped) and controlling terminal.
    pub fn spawn(self) -> Pty {
        let (master, slave) = open_pty(self.cols, self.rows);
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        for name in &self.env_remove {
            command.env_remove(name);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let dup = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup the pty slave"));
        command.stdin(dup(&slave)).stdout(dup(&slave));
        if self.pipe_stderr {
            command.stderr(Stdio::piped());
        } else {
            command.stderr(dup(&slave));
        }
        // SAFETY: the closure runs in the child between fork and exec and calls only
        // async-signal-safe functions (setsid, ioctl); it touches no memory of the parent.
        // A new session without a terminal, then stdin (the slave) becomes its controlling
        // terminal, as a login shell's would, so that /dev/tty and job signals work.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().expect("start the program in the pty");
        let stderr = child.stderr.take().map(|mut pipe| {
            thread::spawn(move || {
                let mut text = Vec::new();
                let _ = pipe.read_to_end(&mut text);
                String::from_utf8_lossy(&text).into_owned()
            })
        });
        let shared = Arc::new(Shared::default());
        let reader = {
            let shared = shared.clone();
            let mut reading = File::from(master.try_clone().expect("dup the pty master"));
            let mut answering = File::from(master.try_clone().expect("dup the pty master"));
            let answers = self.answers;
            thread::spawn(move || {
                let mut chunk = vec![0; 64 * 1024];
                loop {
                    // EIO once every slave descriptor is closed: the program and ours are gone.
                    let read = match reading.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(read) => read,
                    };
                    let replies = shared.append(&chunk[..read], &answers);
                    for reply in replies {
                        let _ = answering.write_all(&reply);
                    }
                }
                *shared.closed.lock().unwrap() = true;
                shared.grew.notify_all();
            })
        };
        Pty {
            size: (self.cols, self.rows),
            screen: Mutex::new(None),
            master: File::from(master),
            slave: Some(slave),
            child,
            shared,
            reader: Some(reader),
            stderr,
            stderr_text: None,
            termios_at_exit: None,
        }
    }
}

#[derive(Default)]
struct Shared {
    output: Mutex<Vec<u8>>,
    closed: Mutex<bool>,
    grew: Condvar,
}

impl Shared {
    /// Appends what the program wrote; returns the replies owed to queries that completed in
    /// it (a query may straddle two reads).
    fn append(&self, bytes: &[u8], answers: &[(Vec<u8>, Vec<u8>)]) -> Vec<Vec<u8>> {
        let mut output = self.output.lock().unwrap();
        let before = output.len();
        output.extend_from_slice(bytes);
        let mut replies = Vec::new();
        for (query, reply) in answers {
            if query.is_empty() {
                continue;
            }
            // Only matches ending in the new bytes are new.
            let start = before.saturating_sub(query.len() - 1);
            let found = output[start..]
                .windows(query.len())
                .filter(|window| window == &query.as_slice())
                .count();
            replies.extend(std::iter::repeat_n(reply.clone(), found));
        }
        drop(output);
        self.grew.notify_all();
        replies
    }
}

/// A running (or finished) program on a pty.
pub struct Pty {
    size: (u16, u16),
    /// The emulated screen and how much of the output it has seen; made on first use.
    screen: Mutex<Option<(vt100::Parser, usize)>>,
    master: File,
    /// Kept open so the terminal's settings can be read after the program exits.
    slave: Option<OwnedFd>,
    child: Child,
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<String>>,
    stderr_text: Option<String>,
    termios_at_exit: Option<libc::termios>,
}

impl Pty {
    /// Types bytes into the terminal, as a keyboard (or a paste) would.
    pub fn write(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to the pty");
        self.master.flush().expect("flush the pty");
    }

    /// Pastes `text` the way a terminal does with bracketed paste on: between
    /// `ESC [ 200 ~` and `ESC [ 201 ~`.
    pub fn paste(&mut self, text: &[u8]) {
        let mut bytes = b"\x1b[200~".to_vec();
        bytes.extend_from_slice(text);
        bytes.extend_from_slice(b"\x1b[201~");
        self.write(&bytes);
    }

    /// Changes the terminal's size (the program gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        set_size(self.master.as_raw_fd(), cols, rows);
    }

    /// Waits until the output so far contains `needle`; false after `timeout`.
    pub fn wait_for(&self, needle: impl AsRef<[u8]>, timeout: Duration) -> bool {
        self.wait_for_after(0, needle, timeout)
    }

    /// [`Pty::wait_for`], looking only at the output from byte `offset` on (see
    /// [`Pty::len`]), to wait for something drawn after a given moment.
    pub fn wait_for_after(
        &self,
        offset: usize,
        needle: impl AsRef<[u8]>,
        timeout: Duration,
    ) -> bool {
        let needle = needle.as_ref();
        let deadline = Instant::now() + timeout;
        let mut output = self.shared.output.lock().unwrap();
        loop {
            if output.len() >= offset && contains(&output[offset..], needle) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || *self.shared.closed.lock().unwrap() {
                return false;
            }
            output = self
                .shared
                .grew
                .wait_timeout(output, deadline - now)
                .unwrap()
                .0;
        }
    }

    /// Waits until the program has written nothing for `quiet` (a frame fully drawn, say);
    /// false if it is still writing after `timeout`.
    pub fn wait_quiet(&self, quiet: Duration, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut seen = self.len();
        loop {
            thread::sleep(quiet);
            let now = self.len();
            if now == seen {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            seen = now;
        }
    }

    /// The screen as the output so far leaves it: its rows as text, one per line.
    pub fn screen(&self) -> String {
        self.with_screen(vt100::Screen::contents)
    }

    /// The screen's cells as the output so far leaves them, row by row: each cell's
    /// characters (combining ones included) and whether it is bold.
    pub fn cells(&self) -> Vec<Vec<(String, bool)>> {
        let (cols, rows) = self.size;
        self.with_screen(|screen| {
            (0..rows)
                .map(|row| {
                    (0..cols)
                        .map(|col| {
                            screen
                                .cell(row, col)
                                .map_or((String::new(), false), |cell| {
                                    (cell.contents().to_owned(), cell.bold())
                                })
                        })
                        .collect()
                })
                .collect()
        })
    }

    fn with_screen<R>(&self, read: impl FnOnce(&vt100::Screen) -> R) -> R {
        let output = self.output();
        let mut screen = self.screen.lock().unwrap();
        let (parser, seen) = screen.get_or_insert_with(|| {
            let rows = NonZeroU16::new(self.size.1).unwrap_or(NonZeroU16::MIN);
            let cols = NonZeroU16::new(self.size.0).unwrap_or(NonZeroU16::MIN);
            (vt100::Parser::new(rows, cols, 0), 0)
        });
        parser.process(&output[*seen..]);
        *seen = output.len();
        read(parser.screen())
    }

    /// Waits until the screen satisfies `ready`; false after `timeout`.
    pub fn wait_for_screen(&self, ready: impl Fn(&str) -> bool, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if ready(&self.screen()) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.shared.output.lock().unwrap().len()
    }

    /// Everything the program has written to the terminal so far.
    pub fn output(&self) -> Vec<u8> {
        self.shared.output.lock().unwrap().clone()
    }

    /// The last `bytes` of the output, lossily decoded with escapes made visible: for
    /// assertion messages.
    pub fn tail(&self, bytes: usize) -> String {
        let output = self.output();
        let start = output.len().saturating_sub(bytes);
        String::from_utf8_lossy(&output[start..]).replace('\x1b', "␛")
    }

    /// Waits for the program to exit; kills it after `timeout` and returns `None`. Either
    /// way the terminal's settings are recorded and all output is collected afterwards.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the program") {
                break Some(status);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(10));
        };
        self.finish();
        status
    }

    /// Waits for the program to exit on its own, successfully, with the terminal restored
    /// (see [`Pty::assert_restored`]).
    pub fn assert_exits_cleanly(&mut self, timeout: Duration) {
        let status = self.wait_exit(timeout);
        assert!(
            status.is_some_and(|s| s.success()),
            "{status:?}: {}",
            self.tail(2000)
        );
        self.assert_restored();
    }

    /// Whether the program is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What the program wrote to stderr, when started with [`PtyCommand::pipe_stderr`];
    /// complete once it has exited.
    pub fn stderr(&mut self) -> String {
        if let Some(handle) = self.stderr.take() {
            self.stderr_text = Some(handle.join().unwrap_or_default());
        }
        self.stderr_text.clone().unwrap_or_default()
    }

    /// Whether the terminal is cooked (canonical input and echo on): at exit if the program
    /// has exited, else now.
    pub fn is_cooked(&self) -> bool {
        let termios = self
            .termios_at_exit
            .or_else(|| self.slave.as_ref().map(termios_of));
        termios.is_some_and(|termios| {
            termios.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
        })
    }

    /// Asserts that the program handed the terminal back as it found it: every mode off at
    /// the end of the output (see [`modes_left_on`]) and termios cooked.
    pub fn assert_restored(&self) {
        let left_on = modes_left_on(&self.output());
        assert!(
            left_on.is_empty(),
            "modes left on: {left_on:?}; output ends with: {}",
            self.tail(600)
        );
        assert!(
            self.is_cooked(),
            "the terminal is left in raw mode; output ends with: {}",
            self.tail(600)
        );
    }

    fn finish(&mut self) {
        if let Some(slave) = self.slave.take() {
            self.termios_at_exit = Some(termios_of(&slave));
            // With our slave closed too, the reader drains the rest and then sees EIO.
            drop(slave);
        }
        if let Some(reader) = self.reader.take() {
            // A grandchild still holding the slave would keep the reader blocked: don't hang.
            let deadline = Instant::now() + Duration::from_secs(5);
            while !reader.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            if reader.is_finished() {
                let _ = reader.join();
            }
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What the output leaves switched on at its end, as readable names: each DEC private
/// mode of [`PRIVATE_MODES`] set (`CSI ? n h`) and not reset (`CSI ? n l`) after its last
/// set, the cursor hidden (`CSI ? 25 l`) and never shown again, and BDSM reset (`CSI 8 l`,
/// explicit bidi) without the implicit mode (`CSI 8 h`) restored. Empty when all is well.
pub fn modes_left_on(output: &[u8]) -> Vec<String> {
    let mut left_on = Vec::new();
    for mode in PRIVATE_MODES {
        let set = format!("\x1b[?{mode}h");
        let reset = format!("\x1b[?{mode}l");
        if switched_and_not_back(output, set.as_bytes(), reset.as_bytes()) {
            left_on.push(format!("?{mode}"));
        }
    }
    if switched_and_not_back(output, b"\x1b[?25l", b"\x1b[?25h") {
        left_on.push("cursor hidden".into());
    }
    if switched_and_not_back(output, b"\x1b[8l", b"\x1b[8h") {
        left_on.push("BDSM explicit".into());
    }
    left_on
}

/// Whether `switch` occurs and `back` does not occur after its last occurrence.
fn switched_and_not_back(output: &[u8], switch: &[u8], back: &[u8]) -> bool {
    match rfind(output, switch) {
        Some(at) => !contains(&output[at..], back),
        None => false,
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&at| &haystack[at..at + needle.len()] == needle)
}

fn open_pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let size = winsize(cols, rows);
    // SAFETY: openpty writes two descriptors into the given ints and reads the winsize; the
    // name and termios pointers may be null (no name wanted, default settings).
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened by openpty and are owned by nothing else.
    let fds = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // Some systems ignore openpty's size: set it explicitly too.
    set_size(fds.0.as_raw_fd(), cols, rows);
    fds
}

fn winsize(cols: u16, rows: u16) -> libc::winsize {
    libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    }
}

fn set_size(fd: i32, cols: u16, rows: u16) {
    let size = winsize(cols, rows);
    // SAFETY: TIOCSWINSZ reads one winsize from the pointer, which outlives the call.
    let set = unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &size) };
    assert_eq!(set, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
}

fn termios_of(fd: &OwnedFd) -> libc::termios {
    // SAFETY: termios is plain old data, fully written by tcgetattr on success.
    let mut termios: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is open for the duration of the call; the pointer is valid.
    let got = unsafe { libc::tcgetattr(fd.as_raw_fd(), &mut termios) };
    assert_eq!(got, 0, "tcgetattr: {}", std::io::Error::last_os_error());
    termios
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_mode_needs_a_later_reset() {
        assert!(modes_left_on(b"plain text").is_empty());
        assert_eq!(modes_left_on(b"\x1b[?1049hdrawn"), ["?1049"]);
        assert!(modes_left_on(b"\x1b[?1049h\x1b[?1049l").is_empty());
        assert_eq!(
            modes_left_on(b"\x1b[?1049h\x1b[?1049l\x1b[?1049h\x1b[?25l"),
            ["?1049", "cursor hidden"]
        );
        assert_eq!(
            modes_left_on(b"\x1b[8l\x1b[?1000h"),
            ["?1000", "BDSM explicit"]
        );
        assert!(modes_left_on(b"\x1b[8l\x1b[8h").is_empty());
    }

    #[test]
    fn a_query_split_across_reads_is_answered_once() {
        let shared = Shared::default();
        let answers = [(CURSOR_QUERY.to_vec(), CURSOR_REPLY.to_vec())];
        assert!(shared.append(b"abc\x1b[", &answers).is_empty());
        assert_eq!(shared.append(b"6nxyz", &answers), [CURSOR_REPLY.to_vec()]);
        assert!(shared.append(b"more", &answers).is_empty());
        assert_eq!(shared.append(b"\x1b[6n\x1b[6n", &answers).len(), 2);
    }
}
