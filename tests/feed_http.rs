//! Per-feed HTTP settings seen on the wire at loopback servers: `user_agent`, `headers`, basic
//! auth from a `password_command` (whose password is in no argument, file or message), and
//! `proxy` (a loopback HTTP proxy and a loopback SOCKS5 proxy that answer themselves).

mod common;

use common::{Reply, TestServer, write_config};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "s3cret-Pa55word";

fn rss(title: &str, link: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>\
         <item><title>{title} story</title><link>{link}</link><guid>{link}</guid>\
         <description>short</description><pubDate>Sun, 22 Oct 2023 08:00:00 GMT</pubDate>\
         </item></channel></rss>"
    )
}

const ARTICLE: &str = "<html><head><title>A</title></head><body><article><h1>A</h1>\
    <p>The whole of the story, long enough to be an article, with a few sentences in it. It goes \
    on for a while so that the reader has something to read, and ends well.</p>\
    <p>Another paragraph adds to it, and the page is done with its telling of the news.</p>\
    </article></body></html>";

fn akhbar_command(home: &Path, args: &[&str]) -> Command {
    common::isolated_akhbar(home, args)
}

fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().expect("run akhbar");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A password command that keeps its password in a file (so that no argument holds it) and
/// counts its runs in `runs`.
fn password_script(dir: &Path) -> (String, std::path::PathBuf) {
    let secret = dir.join("secret");
    std::fs::write(&secret, format!("{SECRET}\nlogin: me\n")).unwrap();
    let runs = dir.join("runs");
    let script = dir.join("pass.sh");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{}'\ncat '{}'\n",
            runs.display(),
            secret.display()
        ),
    )
    .unwrap();
    (script.display().to_string(), runs)
}

/// Every file under `dir`, read whole.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, bytes));
        }
    }
    found
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn a_feeds_user_agent_headers_and_login_are_on_the_wire_and_another_feed_sends_none() {
    let server = TestServer::start();
    server.route(
        "/a.xml",
        Reply::feed("application/rss+xml", rss("Alpha", &server.url("/a-story"))),
    );
    server.route(
        "/b.xml",
        Reply::feed("application/rss+xml", rss("Beta", &server.url("/b-story"))),
    );
    server.route("/a-story", Reply::feed("text/html", ARTICLE));
    server.route("/b-story", Reply::feed("text/html", ARTICLE));
    let home = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let (script, runs) = password_script(keys.path());
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\nuser_agent = \"Mozilla/5.0 (X11; Linux x86_64)\"\n\
             headers = {{ \"Accept-Language\" = \"ar\", \"X-Desk\" = \"night\" }}\n\
             username = \"reader\"\npassword_command = [\"sh\", \"{script}\"]\n\n\
             [[feed]]\nurl = \"{}\"\n",
            server.url("/a.xml"),
            server.url("/b.xml")
        ),
    );
    let (code, stdout, stderr) = run(&mut akhbar_command(
        home.path(),
        &["print", "--format", "json", "--full"],
    ));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Alpha story") && stdout.contains("Beta story"));
    let seen = server.seen();
    let request = |path: &str| {
        seen.iter()
            .find(|seen| seen.path == path)
            .unwrap_or_else(|| panic!("no request for {path}: {seen:?}"))
            .headers
            .clone()
    };
    use base64::Engine as _;
    let login = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("reader:{SECRET}"))
    );
    // The feed and its story's page both carry the feed's settings.
    for path in ["/a.xml", "/a-story"] {
        let headers = request(path);
        assert_eq!(
            headers.get("user-agent").map(String::as_str),
            Some("Mozilla/5.0 (X11; Linux x86_64)"),
            "{path}"
        );
        assert_eq!(
            headers.get("accept-language").map(String::as_str),
            Some("ar")
        );
        assert_eq!(headers.get("x-desk").map(String::as_str), Some("night"));
        assert_eq!(headers.get("authorization"), Some(&login), "{path}");
    }
    for path in ["/b.xml", "/b-story"] {
        let headers = request(path);
        assert!(
            headers["user-agent"].starts_with("akhbar/"),
            "{path}: {headers:?}"
        );
        for name in ["accept-language", "x-desk", "authorization"] {
            assert!(!headers.contains_key(name), "{path} sent {name}");
        }
    }
    // One run of the command served the feed and its story.
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 1);
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET));
    for (path, bytes) in files_under(home.path()) {
        assert!(
            !holds(&bytes, SECRET),
            "{} holds the password",
            path.display()
        );
    }
}

#[test]
fn the_login_goes_to_the_feeds_own_site_alone() {
    let feed_site = TestServer::start();
    let other_site = TestServer::start();
    feed_site.route(
        "/feed.xml",
        Reply::feed(
            "application/rss+xml",
            rss("Linked", &other_site.url("/elsewhere")),
        ),
    );
    other_site.route("/elsewhere", Reply::feed("text/html", ARTICLE));
    let home = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let (script, _) = password_script(keys.path());
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\nheaders = {{ \"X-Desk\" = \"night\", Cookie = \"session=1\" }}\n\
             username = \"reader\"\npassword_command = [\"sh\", \"{script}\"]\n",
            feed_site.url("/feed.xml")
        ),
    );
    let (code, _, stderr) = run(&mut akhbar_command(
        home.path(),
        &["print", "--format", "json", "--full"],
    ));
    assert_eq!(code, 0, "{stderr}");
    let story = other_site
        .seen()
        .into_iter()
        .find(|seen| seen.path == "/elsewhere")
        .expect("the story's page was read");
    assert_eq!(
        story.headers.get("x-desk").map(String::as_str),
        Some("night")
    );
    for name in ["authorization", "cookie"] {
        assert!(!story.headers.contains_key(name), "{story:?}");
        assert!(feed_site.seen()[0].headers.contains_key(name));
    }
}

/// The command line of every process this user can see.
fn every_command_line() -> Vec<(String, Vec<u8>)> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            lines.push((name, cmdline));
        }
    }
    lines
}

#[test]
#[cfg(target_os = "linux")]
fn the_password_is_in_no_process_argument_nor_environment_while_akhbar_runs() {
    let server = TestServer::start();
    // The request is held unanswered: akhbar is alive, its password in hand.
    server.route("/held.xml", Reply::Hang);
    let home = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let (script, _) = password_script(keys.path());
    write_config(
        home.path(),
        &format!(
            "timeout = \"20s\"\n[[feed]]\nurl = \"{}\"\nusername = \"reader\"\n\
             password_command = [\"sh\", \"{script}\"]\n",
            server.url("/held.xml")
        ),
    );
    let mut child = akhbar_command(home.path(), &["print"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !server.seen().iter().any(|seen| seen.path == "/held.xml") {
        assert!(Instant::now() < deadline, "akhbar sent no request");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(server.seen()[0].headers.contains_key("authorization"));
    for (pid, cmdline) in every_command_line() {
        assert!(
            !holds(&cmdline, SECRET),
            "process {pid}'s arguments hold the password"
        );
    }
    let environ = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
    assert!(!holds(&environ, SECRET));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!holds(&output.stdout, SECRET) && !holds(&output.stderr, SECRET));
}

#[test]
fn a_failing_password_command_fails_its_feed_by_name_and_sends_nothing() {
    let server = TestServer::start();
    server.route(
        "/locked.xml",
        Reply::feed("application/rss+xml", rss("Locked", "x")),
    );
    server.route(
        "/open.xml",
        Reply::feed("application/rss+xml", rss("Open", "y")),
    );
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\nusername = \"reader\"\n\
             password_command = [\"sh\", \"-c\", \"echo {SECRET}; echo 'store is locked' >&2; exit 3\"]\n\n\
             [[feed]]\nurl = \"{}\"\nusername = \"reader\"\npassword_command = [\"/nonexistent/akhbar-pass\"]\n\n\
             [[feed]]\nurl = \"{}\"\n",
            server.url("/locked.xml"),
            server.url("/open.xml"),
            server.url("/open.xml"),
        ),
    );
    let (_, stdout, stderr) = run(&mut akhbar_command(home.path(), &["print"]));
    assert!(stdout.contains("Open story"), "{stdout}");
    assert!(
        stderr.contains(&format!(
            "akhbar: {}: password_command `sh` failed (exit status: 3): store is locked",
            server.url("/locked.xml")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "akhbar: {}: password_command: cannot run `/nonexistent/akhbar-pass`: no such program",
            server.url("/open.xml")
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET) && !stdout.contains(SECRET));
    assert!(!server.seen().iter().any(|seen| seen.path == "/locked.xml"));
}

/// A loopback proxy that records each request's first line and answers every one itself
/// with `body`. With `socks`, it speaks SOCKS5 first and records `CONNECT host:port`.
fn start_proxy(socks: bool, body: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let recorded = lines.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (lines, body) = (recorded.clone(), body.clone());
            std::thread::spawn(move || answer_as_proxy(stream, socks, &lines, &body));
        }
    });
    let scheme = if socks { "socks5" } else { "http" };
    (format!("{scheme}://{address}"), lines)
}

fn answer_as_proxy(mut stream: TcpStream, socks: bool, lines: &Mutex<Vec<String>>, body: &str) {
    if socks {
        // Greeting: version, methods; we take "no authentication".
        let mut head = [0u8; 2];
        if stream.read_exact(&mut head).is_err() {
            return;
        }
        let mut methods = vec![0u8; usize::from(head[1])];
        let _ = stream.read_exact(&mut methods);
        let _ = stream.write_all(&[5, 0]);
        // CONNECT to an IPv4 address (type 1) or a name (type 3).
        let mut request = [0u8; 4];
        if stream.read_exact(&mut request).is_err() {
            return;
        }
        let host = match request[3] {
            1 => {
                let mut ip = [0u8; 4];
                let _ = stream.read_exact(&mut ip);
                std::net::Ipv4Addr::from(ip).to_string()
            }
            _ => {
                let mut length = [0u8; 1];
                let _ = stream.read_exact(&mut length);
                let mut name = vec![0u8; usize::from(length[0])];
                let _ = stream.read_exact(&mut name);
                String::from_utf8_lossy(&name).into_owned()
            }
        };
        let mut port = [0u8; 2];
        let _ = stream.read_exact(&mut port);
        lines
            .lock()
            .unwrap()
            .push(format!("CONNECT {host}:{}", u16::from_be_bytes(port)));
        let _ = stream.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]);
    }
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    lines.lock().unwrap().push(line.trim_end().to_owned());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
    }
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn a_feeds_proxy_carries_its_requests_and_another_feed_goes_direct() {
    let server = TestServer::start();
    server.route(
        "/direct.xml",
        Reply::feed("application/rss+xml", rss("Direct", "x")),
    );
    let (http_proxy, http_lines) = start_proxy(false, rss("Through HTTP", "y"));
    let (socks_proxy, socks_lines) = start_proxy(true, rss("Through SOCKS", "z"));
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "[[feed]]\nurl = \"{}\"\nproxy = \"{http_proxy}\"\n\n\
             [[feed]]\nurl = \"{}\"\nproxy = \"{socks_proxy}\"\n\n\
             [[feed]]\nurl = \"{}\"\n",
            server.url("/feed.xml"),
            server.url("/socks.xml"),
            server.url("/direct.xml"),
        ),
    );
    let (code, stdout, stderr) = run(&mut akhbar_command(home.path(), &["print"]));
    assert_eq!(code, 0, "{stderr}");
    for title in ["Through HTTP story", "Through SOCKS story", "Direct story"] {
        assert!(stdout.contains(title), "{title}: {stdout}");
    }
    assert_eq!(
        *http_lines.lock().unwrap(),
        [format!("GET {} HTTP/1.1", server.url("/feed.xml"))]
    );
    let address = server.url("").trim_start_matches("http://").to_owned();
    assert_eq!(
        *socks_lines.lock().unwrap(),
        [
            format!("CONNECT {address}"),
            "GET /socks.xml HTTP/1.1".to_owned()
        ]
    );
    let paths: Vec<String> = server.seen().into_iter().map(|seen| seen.path).collect();
    assert_eq!(paths, ["/direct.xml"]);
}

#[test]
fn http_proxy_from_the_environment_is_used_unless_no_proxy_names_the_host() {
    let server = TestServer::start();
    server.route(
        "/feed.xml",
        Reply::feed("application/rss+xml", rss("Direct", "x")),
    );
    let (proxy, lines) = start_proxy(false, rss("Proxied", "y"));
    let home = tempfile::tempdir().unwrap();
    let feed = server.url("/feed.xml");
    let (code, stdout, stderr) =
        run(akhbar_command(home.path(), &["print", "--feed", &feed]).env("HTTP_PROXY", &proxy));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Proxied story"), "{stdout}");
    assert_eq!(lines.lock().unwrap().len(), 1);
    let (code, stdout, stderr) = run(akhbar_command(home.path(), &["print", "--feed", &feed])
        .env("HTTP_PROXY", &proxy)
        .env("NO_PROXY", "localhost, 127.0.0.1"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Direct story"), "{stdout}");
    assert_eq!(
        lines.lock().unwrap().len(),
        1,
        "NO_PROXY went through the proxy"
    );
}

#[test]
fn bad_http_settings_name_the_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    for (setting, message) in [
        (
            "headers = { \"Accept Language\" = \"ar\" }",
            "bad value for `headers`: `Accept Language` is not a header name",
        ),
        (
            "user_agent = \"a\\r\\nX-Evil: 1\"",
            "bad value for `user_agent`: the user agent must be ASCII text on one line",
        ),
        (
            "proxy = \"gopher://127.0.0.1:70\"",
            "bad value for `proxy`: `gopher` is not a proxy scheme",
        ),
        (
            "username = \"me\"\npassword_command = []",
            "bad value for `password_command`: expected a program and its arguments",
        ),
        (
            "user-agent = \"x\"",
            "unknown key `user-agent` in [[feed]] #1 (expected one of url, name, direction, \
             refresh, full_text, user_agent, headers, username, password_command, proxy, mute, html)",
        ),
    ] {
        let path = write_config(
            home.path(),
            &format!(
                "refresh = \"10m\"\n\n[[feed]]\nurl = \"http://127.0.0.1:9/a.xml\"\n{setting}\n"
            ),
        );
        let (code, _, stderr) = run(&mut akhbar_command(home.path(), &["print"]));
        assert_ne!(code, 0);
        let line = if setting.contains('\n') { 6 } else { 5 };
        let expected = format!("{}:{line}: {message}", path.display());
        assert!(stderr.contains(&expected), "{expected}\n{stderr}");
        assert!(!stderr.contains('\u{1b}') && !stderr.contains("X-Evil"));
    }
}

#[test]
fn add_looks_for_the_feed_with_the_sites_settings_and_writes_them_into_the_config() {
    let server = TestServer::start();
    server.route(
        "/",
        Reply::feed(
            "text/html",
            "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/rss\">\
             </head></html>"
                .to_owned(),
        ),
    );
    server.route(
        "/rss",
        Reply::feed("application/rss+xml", rss("Site", "/s")),
    );
    let home = tempfile::tempdir().unwrap();
    let (script, _) = password_script(home.path());
    let url = server.url("/");
    let (code, stdout, stderr) = run(&mut akhbar_command(
        home.path(),
        &[
            "add",
            &url,
            "--user-agent",
            "Mozilla/5.0 (X11)",
            "--header",
            "Accept-Language: ar",
            "--username",
            "reader",
            "--password-command",
            "sh",
            &script,
        ],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stderr.contains(SECRET) && !stdout.contains(SECRET));
    use base64::Engine as _;
    let login = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("reader:{SECRET}"))
    );
    // The page was asked for as the site wants.
    let seen = server.seen();
    assert!(!seen.is_empty());
    for request in &seen {
        let path = &request.path;
        assert_eq!(
            request.headers.get("user-agent").map(String::as_str),
            Some("Mozilla/5.0 (X11)")
        );
        assert_eq!(
            request.headers.get("accept-language").map(String::as_str),
            Some("ar")
        );
        assert_eq!(request.headers.get("authorization"), Some(&login), "{path}");
    }
    let written = std::fs::read_to_string(home.path().join("config/akhbar/config.toml")).unwrap();
    assert!(
        written.contains(&format!(
            "url = \"{}\"\nuser_agent = \"Mozilla/5.0 (X11)\"\nheaders = {{ Accept-Language = \"ar\" }}\n\
             username = \"reader\"\npassword_command = [\"sh\", \"{script}\"]\n",
            server.url("/rss")
        )),
        "{written}"
    );
    assert!(!written.contains(SECRET));
}

#[test]
fn add_refuses_bad_http_settings_before_asking_anything() {
    let server = TestServer::start();
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/");
    for (args, message) in [
        (
            vec!["--header", "X-Token secret"],
            "--header: expected NAME: VALUE",
        ),
        (
            vec!["--proxy", "ftp://127.0.0.1:21"],
            "bad value for `proxy`: `ftp` is not a proxy scheme",
        ),
        (
            vec!["--header", "Host: evil"],
            "bad value for `headers`: `Host` is set by akhbar itself",
        ),
    ] {
        let mut all = vec!["add", url.as_str()];
        all.extend(args);
        let (code, _, stderr) = run(&mut akhbar_command(home.path(), &all));
        assert_ne!(code, 0);
        assert!(stderr.contains(message), "{stderr}");
        assert!(!stderr.contains("secret"), "{stderr}");
    }
    assert!(server.seen().is_empty());
}
