//! Getting a feed's bytes: HTTP (reqwest, rustls) and local files, always within limits.

use crate::source::Location;
use std::error::Error as _;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use url::Url;

/// Limits every fetch obeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    pub connect_timeout: Duration,
    /// Whole-request timeout, body included.
    pub timeout: Duration,
    /// Largest body read, in bytes; a longer one is an error, and costs no more memory.
    pub max_body: u64,
    pub max_redirects: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
            max_redirects: 10,
        }
    }
}

/// A fetched body and what the server said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Where the body came from after redirects: relative links resolve against it.
    pub url: Option<Url>,
}

/// Why a fetch failed, in one line.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status}")]
    Status { status: String },
    #[error("timed out after {}", humantime::format_duration(*.0))]
    Timeout(Duration),
    #[error("connection refused")]
    Refused,
    #[error("connection reset")]
    Reset,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("more than {0} redirects")]
    Redirects(usize),
    #[error("response larger than {}", human_bytes(*.0))]
    TooLarge(u64),
    #[error("{0}")]
    Http(String),
    #[error("{0}")]
    Io(String),
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
}

/// Fetches feeds over HTTP or from disk; cheap to clone, one connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(crate::USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(options.max_redirects))
            .build()
            .map_err(|error| FetchError::Client(one_line(&error)))?;
        Ok(Self { client, options })
    }

    pub fn options(&self) -> FetchOptions {
        self.options
    }

    pub async fn fetch(&self, location: &Location) -> Result<Fetched, FetchError> {
        match location {
            Location::Http(url) => self.fetch_http(url).await,
            Location::File(path) => self.fetch_file(path).await,
            Location::Embedded { bytes, .. } => Ok(Fetched {
                bytes: bytes.to_vec(),
                content_type: None,
                url: None,
            }),
        }
    }

    async fn fetch_http(&self, url: &Url) -> Result<Fetched, FetchError> {
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|error| self.classify(&error))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: match status.canonical_reason() {
                    Some(reason) => format!("{} {reason}", status.as_u16()),
                    None => status.as_u16().to_string(),
                },
            });
        }
        if let Some(length) = response.content_length()
            && length > self.options.max_body
        {
            return Err(FetchError::TooLarge(self.options.max_body));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let final_url = response.url().clone();
        let mut bytes = Vec::new();
        // Read chunk by chunk so an endless body stops at the cap instead of filling memory.
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.classify(&error))?
        {
            if (bytes.len() + chunk.len()) as u64 > self.options.max_body {
                return Err(FetchError::TooLarge(self.options.max_body));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            bytes,
            content_type,
            url: Some(final_url),
        })
    }

    async fn fetch_file(&self, path: &std::path::Path) -> Result<Fetched, FetchError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|error| FetchError::Io(io_reason(&error)))?;
        let mut bytes = Vec::new();
        file.take(self.options.max_body + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|error| FetchError::Io(io_reason(&error)))?;
        if bytes.len() as u64 > self.options.max_body {
            return Err(FetchError::TooLarge(self.options.max_body));
        }
        let url = std::path::absolute(path)
            .ok()
            .and_then(|absolute| Url::from_file_path(absolute).ok());
        Ok(Fetched {
            bytes,
            content_type: None,
            url,
        })
    }

    fn classify(&self, error: &reqwest::Error) -> FetchError {
        if error.is_timeout() {
            return FetchError::Timeout(self.options.timeout);
        }
        if error.is_redirect() {
            return FetchError::Redirects(self.options.max_redirects);
        }
        if let Some(io) = find_io_error(error) {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return FetchError::Refused,
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return FetchError::Reset;
                }
                std::io::ErrorKind::TimedOut => return FetchError::Timeout(self.options.timeout),
                _ => {}
            }
        }
        if error.is_connect() {
            return FetchError::Connect(innermost(error));
        }
        FetchError::Http(one_line(error))
    }
}

fn find_io_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        current = error.source();
    }
    None
}

/// The deepest cause usually says what actually went wrong ("dns error", "tls handshake").
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest = error;
    while let Some(source) = deepest.source() {
        deepest = source;
    }
    flatten(&deepest.to_string())
}

/// reqwest's top-level message plus its causes, on one line.
fn one_line(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    // The caller already names the feed; drop reqwest's " for url (…)".
    if let Some(url) = error.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    flatten(&text)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => flatten(&error.to_string()),
    }
}

fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `16 MiB`, `512 KiB`, `100 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    match bytes {
        b if b >= GIB && b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_read_naturally() {
        assert_eq!(human_bytes(16 * 1024 * 1024), "16 MiB");
        assert_eq!(human_bytes(512 * 1024), "512 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }

    #[tokio::test]
    async fn a_missing_file_is_a_one_line_reason() {
        let fetcher = Fetcher::new(FetchOptions::default()).unwrap();
        let error = fetcher
            .fetch(&Location::File("/nonexistent/akhbar/feed.xml".into()))
            .await
            .unwrap_err();
        assert_eq!(error.to_string(), "no such file");
    }

    #[tokio::test]
    async fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.xml");
        std::fs::write(&path, vec![b'x'; 2048]).unwrap();
        let fetcher = Fetcher::new(FetchOptions {
            max_body: 1024,
            ..FetchOptions::default()
        })
        .unwrap();
        let error = fetcher.fetch(&Location::File(path)).await.unwrap_err();
        assert_eq!(error.to_string(), "response larger than 1 KiB");
    }
}
