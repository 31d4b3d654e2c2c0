//! A real HTTP/1.1 server on 127.0.0.1 for integration tests, able to misbehave on purpose.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

pub mod pty;

/// What the server does for one path.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A normal response; `Content-Length` is added.
    Ok {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accepts the request and never answers.
    Hang,
    /// 200 with an endless chunked body of the given chunk.
    Endless(Vec<u8>),
    /// Closes the connection with a TCP reset before answering.
    Reset,
    /// Each request takes the next reply; the last one repeats.
    Sequence(Vec<Reply>),
    /// These bytes as the whole response, status line and headers included, however broken.
    Raw(Vec<u8>),
}

impl Reply {
    pub fn feed(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply::Ok {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn status(status: u16) -> Self {
        Reply::Ok {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Ok { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct Shared {
    routes: HashMap<String, Reply>,
    hits: HashMap<String, usize>,
    seen: Vec<Seen>,
}

pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared_in, stop_in) = (shared.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_in.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared_in.clone();
                let stop = stop_in.clone();
                thread::spawn(move || serve(stream, &shared, &stop));
            }
        });
        Self { addr, shared, stop }
    }

    pub fn route(&self, path: &str, reply: Reply) -> &Self {
        self.shared
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), reply);
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.lock().unwrap().seen.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(mut stream: TcpStream, shared: &Mutex<Shared>, stop: &AtomicBool) {
    let Some(seen) = read_request(&stream) else {
        return;
    };
    let reply = {
        let mut shared = shared.lock().unwrap();
        shared.seen.push(seen.clone());
        let hits = shared.hits.entry(seen.path.clone()).or_insert(0);
        let index = *hits;
        *hits += 1;
        match shared.routes.get(&seen.path) {
            Some(Reply::Sequence(replies)) => replies
                .get(index)
                .or(replies.last())
                .cloned()
                .unwrap_or(Reply::status(404)),
            Some(reply) => reply.clone(),
            None => Reply::status(404),
        }
    };
    match reply {
        Reply::Ok {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Reply::Hang => {
            while !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(50));
            }
        }
        Reply::Endless(chunk) => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            while !stop.load(Ordering::SeqCst) {
                if stream.write_all(&frame).is_err() {
                    break;
                }
            }
        }
        Reply::Reset => {
            // SO_LINGER 0 makes close() send RST instead of FIN.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            drop(stream);
            return;
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Sequence(_) => {}
    }
    let _ = stream.shutdown(Shutdown::Write);
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            break;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen { path, headers })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Runs the real `akhbar` binary with `args` and an empty config dir; returns
/// (exit code, stdout, stderr).
pub fn akhbar(args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().expect("temp home");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_akhbar"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("HOME", home.path())
        .output()
        .expect("run akhbar");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Writes `text` as the default config file of `home` (`<home>/config/akhbar/config.toml`,
/// as [`akhbar_at_home`] points akhbar at it) and returns its path.
pub fn write_config(home: &std::path::Path, text: &str) -> std::path::PathBuf {
    let dir = home.join("config/akhbar");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// [`akhbar`] with a home directory the caller keeps, so that runs can share the default
/// config file (`<home>/config/akhbar/config.toml`).
pub fn akhbar_at_home(home: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_akhbar"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("HOME", home)
        .output()
        .expect("run akhbar");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The app's state after each of `sources` loaded once at `now` (today being its UTC day),
/// with the start-up `hint` the status line shows.
pub async fn loaded_state(
    sources: Vec<akhbar::source::Source>,
    now: chrono::DateTime<chrono::Utc>,
    hint: Option<String>,
) -> akhbar::tui::state::AppState {
    use akhbar::refresh::{FeedEvent, Health, Update};
    use akhbar::tui::state::Msg;
    let fetcher =
        akhbar::feed::fetch::Fetcher::new(akhbar::feed::fetch::FetchOptions::default()).unwrap();
    let mut state = akhbar::tui::state::AppState::new(sources.clone(), hint);
    state.update(Msg::Clock {
        now,
        utc_offset: chrono::Offset::fix(&chrono::Utc),
        today: now.date_naive(),
    });
    for (index, source) in sources.iter().enumerate() {
        let feed = akhbar::feed::load(&fetcher, source, now).await.unwrap();
        state.update(Msg::Feed(FeedEvent {
            index,
            health: Health {
                last_success: Some(now),
                items: feed.headlines.len(),
                ..Health::default()
            },
            update: Update::Changed(Box::new(feed)),
        }));
    }
    state
}

/// The `akhbar` binary with `home` as `HOME` and every XDG dir, and nothing from the outer
/// environment that would change where it sends requests or what it logs (proxies,
/// `RUST_LOG`).
pub fn isolated_akhbar(home: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_akhbar"));
    command
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .env_remove("RUST_LOG");
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(name);
    }
    command
}

/// An RSS feed titled "Desk" of `(guid, title)` items, each linked to `https://e.x/<guid>`,
/// newest first, a minute apart.
pub fn desk_feed(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(index, (guid, title))| {
            let minute = 59usize.saturating_sub(index);
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://e.x/{guid}</link>\
                 <pubDate>Sun, 22 Oct 2023 05:{minute:02}:00 +0400</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title>{items}\
         </channel></rss>"
    )
}
