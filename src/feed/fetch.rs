//! Getting a feed's bytes: HTTP (reqwest, rustls) and local files, always within limits.

use crate::feed::schedule::MAX_SERVER_DELAY;
pub use crate::model::Validators;
use crate::model::{BasicAuth, HttpSettings, Location, Source};
use crate::secret::{PASSWORD_COMMAND_TIMEOUT, Password, PasswordError, run_password_command};
use reqwest::header::HeaderValue;
use std::collections::HashMap;
use std::error::Error as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

/// Requests in flight at once, over all hosts.
const GLOBAL_CONCURRENCY: usize = 16;
/// Requests in flight at once to one host, so a big feed list never hammers one server.
const PER_HOST_CONCURRENCY: usize = 2;

/// Headers that prove who the reader is: sent to the feed's own site alone.
const CREDENTIAL_HEADERS: [reqwest::header::HeaderName; 3] = [
    reqwest::header::AUTHORIZATION,
    reqwest::header::COOKIE,
    reqwest::header::PROXY_AUTHORIZATION,
];

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
    /// Where the body came from after redirects (or the `Content-Location` it names):
    /// relative links resolve against it.
    pub url: Option<Url>,
    pub validators: Validators,
    /// `Cache-Control: max-age`: a floor for the refresh interval.
    pub max_age: Option<Duration>,
}

/// What a conditional fetch found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Modified(Fetched),
    /// 304: the headlines we have are current.
    NotModified {
        max_age: Option<Duration>,
    },
}

/// Why a fetch failed, in one line.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {code}{}", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default())]
    Status {
        code: u16,
        reason: Option<String>,
        /// `Retry-After`, for 429 and 503.
        retry_after: Option<Duration>,
    },
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
    /// A local feed over the same cap as a response body (`/dev/zero`, an endless pipe).
    #[error("file is larger than {}", human_bytes(*.0))]
    FileTooLarge(u64),
    #[error("{0}")]
    Http(String),
    #[error("{0}")]
    Io(String),
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Password(PasswordError),
}

impl FetchError {
    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// How long the server asked us to wait before the next request.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Fetches feeds over HTTP or from disk; cheap to clone: one connection pool and one set of
/// concurrency limits shared by the clones. [`Fetcher::for_source`] gives a clone whose
/// requests carry one feed's own settings.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
    global: Arc<Semaphore>,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// A client per proxy that a feed names, built when first needed, with the shared
    /// client's limits.
    proxied: Arc<Mutex<HashMap<Url, reqwest::Client>>>,
    /// `Authorization` values by user and password command: each command runs once a run.
    logins: Arc<Mutex<HashMap<BasicAuth, Arc<OnceCell<HeaderValue>>>>>,
    /// The feed whose settings this clone's requests carry.
    feed: Option<Arc<FeedRequests>>,
}

/// One feed's settings, and the site its login is sent to.
#[derive(Debug)]
struct FeedRequests {
    settings: Arc<HttpSettings>,
    /// The scheme, host and port of the feed's URL: the login goes there and nowhere else
    /// (a story on another site, a feed it advertises elsewhere).
    origin: url::Origin,
}

/// The shared client and every proxied one are built alike.
fn build_client(
    options: &FetchOptions,
    proxy: Option<&Url>,
) -> Result<reqwest::Client, FetchError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(crate::USER_AGENT)
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::limited(options.max_redirects));
    if let Some(proxy) = proxy {
        // A proxy of the feed's own replaces those the environment names.
        let proxy = reqwest::Proxy::all(proxy.as_str())
            .map_err(|error| FetchError::Client(one_line(&error)))?;
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|error| FetchError::Client(one_line(&error)))
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        Ok(Self {
            client: build_client(&options, None)?,
            options,
            global: Arc::new(Semaphore::new(GLOBAL_CONCURRENCY)),
            hosts: Arc::default(),
            proxied: Arc::default(),
            logins: Arc::default(),
            feed: None,
        })
    }

    /// This fetcher with `source`'s own HTTP settings on every request it makes (the feed,
    /// a feed its page advertises, its stories' pages); the pools and limits stay shared.
    pub fn for_source(&self, source: &Source) -> Fetcher {
        let feed = match (&source.http, &source.location) {
            (Some(settings), Location::Http(url)) => Some(Arc::new(FeedRequests {
                settings: settings.clone(),
                origin: url.origin(),
            })),
            _ => None,
        };
        Fetcher {
            feed,
            ..self.clone()
        }
    }

    pub fn options(&self) -> FetchOptions {
        self.options
    }

    /// Fetches unconditionally.
    pub async fn fetch(&self, location: &Location) -> Result<Fetched, FetchError> {
        match self
            .fetch_if_modified(location, &Validators::default())
            .await?
        {
            Fetch::Modified(fetched) => Ok(fetched),
            // Without validators a 304 is the server's mistake; there is nothing to keep.
            Fetch::NotModified { .. } => Err(FetchError::Http(
                "304 Not Modified without a conditional request".to_owned(),
            )),
        }
    }

    /// Fetches, sending `validators` as `If-None-Match` / `If-Modified-Since`.
    pub async fn fetch_if_modified(
        &self,
        location: &Location,
        validators: &Validators,
    ) -> Result<Fetch, FetchError> {
        match location {
            Location::Http(url) => self.fetch_http(url, validators).await,
            Location::File(path) => {
                let started = std::time::Instant::now();
                let result = self.fetch_file(path).await;
                let file =
                    crate::text::sanitize::escape_controls(&path.to_string_lossy()).into_owned();
                let millis = started.elapsed().as_millis();
                match &result {
                    Ok(fetched) => {
                        tracing::info!(%file, bytes = fetched.bytes.len(), millis, "read");
                    }
                    Err(error) => tracing::info!(%file, millis, "read failed: {error}"),
                }
                result.map(Fetch::Modified)
            }
            Location::Embedded { bytes, .. } => Ok(Fetch::Modified(Fetched {
                bytes: bytes.to_vec(),
                content_type: None,
                url: None,
                validators: Validators::default(),
                max_age: None,
            })),
        }
    }

    fn host_limit(&self, url: &Url) -> Arc<Semaphore> {
        let host = url.host_str().unwrap_or_default().to_owned();
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST_CONCURRENCY)))
            .clone()
    }

    /// [`Self::fetch_http_unlogged`], with its outcome and time taken in the log. Never the
    /// request's headers: they may carry a login.
    async fn fetch_http(&self, url: &Url, validators: &Validators) -> Result<Fetch, FetchError> {
        let started = std::time::Instant::now();
        let result = self.fetch_http_unlogged(url, validators).await;
        let url = crate::log::shown_url(url);
        let millis = started.elapsed().as_millis();
        match &result {
            Ok((Fetch::Modified(fetched), status)) => tracing::info!(
                %url,
                status,
                bytes = fetched.bytes.len(),
                millis,
                "fetched"
            ),
            Ok((Fetch::NotModified { .. }, status)) => {
                tracing::info!(%url, status, millis, "not modified");
            }
            // Said at `info`: whether it fails the feed (rather than a probe of its site, or
            // a page) is for the caller to log, as a warning.
            Err(error) => tracing::info!(
                %url,
                status = error.status(),
                millis,
                retry_after_secs = error.retry_after().map(|hold| hold.as_secs()),
                "fetch failed: {error}"
            ),
        }
        result.map(|(fetch, _)| fetch)
    }

    /// The fetch, and the status it was answered with.
    async fn fetch_http_unlogged(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<(Fetch, u16), FetchError> {
        let mut request = self.request(url).await?;
        let host = self.host_limit(url);
        // The semaphores are never closed, so acquiring cannot fail; if it ever did, going on
        // without a permit is better than failing the feed.
        let _host_permit = host.acquire_owned().await.ok();
        let _global_permit = self.global.clone().acquire_owned().await.ok();
        if let Some(etag) = &validators.etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &validators.last_modified {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
        }
        let mut response = request
            .send()
            .await
            .map_err(|error| self.classify(&error))?;
        let status = response.status();
        let headers = response.headers();
        let max_age = max_age(headers);
        if status == reqwest::StatusCode::NOT_MODIFIED && !validators.is_empty() {
            return Ok((Fetch::NotModified { max_age }, status.as_u16()));
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                code: status.as_u16(),
                reason: status.canonical_reason().map(str::to_owned),
                retry_after: header_text(headers, reqwest::header::RETRY_AFTER)
                    .and_then(|value| parse_retry_after(&value, std::time::SystemTime::now())),
            });
        }
        let received = Validators {
            etag: header_text(headers, reqwest::header::ETAG),
            last_modified: header_text(headers, reqwest::header::LAST_MODIFIED),
        };
        if let Some(length) = response.content_length()
            && length > self.options.max_body
        {
            return Err(FetchError::TooLarge(self.options.max_body));
        }
        let content_type = header_text(response.headers(), reqwest::header::CONTENT_TYPE);
        // A `Content-Location` names the document's own address, against which its
        // relative links resolve (RFC 9110 §8.7), as feedparser reads it.
        let final_url = header_text(response.headers(), reqwest::header::CONTENT_LOCATION)
            .and_then(|location| response.url().join(location.trim()).ok())
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .unwrap_or_else(|| response.url().clone());
        // Sized from Content-Length when the server gives one, so the buffer does not double
        // its way past the body; the hint is capped, as the header may lie.
        let hint = response
            .content_length()
            .unwrap_or(0)
            .min(self.options.max_body);
        let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
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
        shrink_slack(&mut bytes);
        let fetched = Fetched {
            bytes,
            content_type,
            url: Some(final_url),
            validators: received,
            max_age,
        };
        Ok((Fetch::Modified(fetched), status.as_u16()))
    }

    async fn fetch_file(&self, path: &std::path::Path) -> Result<Fetched, FetchError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|error| FetchError::Io(io_reason(&error)))?;
        let size = file.metadata().await.map(|meta| meta.len()).unwrap_or(0);
        let mut bytes =
            Vec::with_capacity(usize::try_from(size.min(self.options.max_body)).unwrap_or(0));
        file.take(self.options.max_body + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|error| FetchError::Io(io_reason(&error)))?;
        if bytes.len() as u64 > self.options.max_body {
            return Err(FetchError::FileTooLarge(self.options.max_body));
        }
        let url = std::path::absolute(path)
            .ok()
            .and_then(|absolute| Url::from_file_path(absolute).ok());
        Ok(Fetched {
            bytes,
            content_type: None,
            url,
            validators: Validators::default(),
            max_age: None,
        })
    }

    /// A GET of `url` with the feed's settings: its client (by proxy), user agent, headers
    /// and, to the feed's own site, its login.
    async fn request(&self, url: &Url) -> Result<reqwest::RequestBuilder, FetchError> {
        let Some(feed) = &self.feed else {
            return Ok(self.client.get(url.clone()));
        };
        let settings = &feed.settings;
        let client = match &settings.proxy {
            Some(proxy) => self.proxied_client(proxy)?,
            None => self.client.clone(),
        };
        let mut request = client.get(url.clone());
        if let Some(user_agent) = &settings.user_agent {
            request = request.header(reqwest::header::USER_AGENT, user_agent.clone());
        }
        let own_site = url.origin() == feed.origin;
        let mut headers = settings.headers.clone();
        // Credentials written as headers are kept to the feed's site, as the login is.
        for name in CREDENTIAL_HEADERS {
            if own_site {
                if let Some(value) = headers.get_mut(name) {
                    value.set_sensitive(true);
                }
            } else {
                headers.remove(name);
            }
        }
        request = request.headers(headers);
        if let Some(auth) = &settings.auth
            && own_site
        {
            request = request.header(reqwest::header::AUTHORIZATION, self.login(auth).await?);
        }
        Ok(request)
    }

    fn proxied_client(&self, proxy: &Url) -> Result<reqwest::Client, FetchError> {
        let mut clients = self
            .proxied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(proxy) {
            return Ok(client.clone());
        }
        let client = build_client(&self.options, Some(proxy))?;
        clients.insert(proxy.clone(), client.clone());
        Ok(client)
    }

    /// The `Authorization` value for `auth`, its command run the first time it is needed;
    /// a command that fails is run again at the next request.
    async fn login(&self, auth: &BasicAuth) -> Result<HeaderValue, FetchError> {
        let cell = self
            .logins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(auth.clone())
            .or_default()
            .clone();
        let value = cell
            .get_or_try_init(|| async {
                let password =
                    run_password_command(&auth.password_command, PASSWORD_COMMAND_TIMEOUT).await?;
                Ok::<_, PasswordError>(basic_authorization(&auth.username, &password))
            })
            .await
            .map_err(FetchError::Password)?;
        Ok(value.clone())
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

/// `Basic base64(user:password)`, marked sensitive so that no debug output shows it.
fn basic_authorization(username: &str, password: &Password) -> HeaderValue {
    use base64::Engine as _;
    let mut joined = Vec::with_capacity(username.len() + 1 + password.as_bytes().len());
    joined.extend_from_slice(username.as_bytes());
    joined.push(b':');
    joined.extend_from_slice(password.as_bytes());
    let encoded = base64::engine::general_purpose::STANDARD.encode(&joined);
    joined.fill(0);
    let mut value = HeaderValue::try_from(format!("Basic {encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

/// A body read without a size hint grew by doubling; up to half of it may be unused, and it
/// lives as long as the parse. Worth one copy to give back.
fn shrink_slack(bytes: &mut Vec<u8>) {
    if bytes.capacity() - bytes.len() > bytes.len() / 8 {
        bytes.shrink_to_fit();
    }
}

/// A header's value as text, exactly as received (validators must round-trip byte for byte).
fn header_text(
    headers: &reqwest::header::HeaderMap,
    name: reqwest::header::HeaderName,
) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// `Cache-Control: max-age=N` (at most [`MAX_SERVER_DELAY`]), ignoring `no-cache`-style advice a feed reader has no use for.
fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get_all(reqwest::header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(|directive| {
            let (name, seconds) = directive.trim().split_once('=')?;
            if !name.trim().eq_ignore_ascii_case("max-age") {
                return None;
            }
            delay_seconds(seconds.trim().trim_matches('"'))
        })
}

/// `Retry-After` as delay-seconds or an HTTP date, relative to `now`, at most
/// [`MAX_SERVER_DELAY`].
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(delay) = delay_seconds(value) {
        return Some(delay);
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = std::time::SystemTime::from(when);
    Some(
        when.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_SERVER_DELAY),
    )
}

/// A server's count of seconds (RFC 9110 delay-seconds), at most [`MAX_SERVER_DELAY`]: a
/// number too long for any integer is as good as "a very long time", not a reason to ignore
/// the header.
fn delay_seconds(text: &str) -> Option<Duration> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = text.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_secs(seconds).min(MAX_SERVER_DELAY))
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
    fn retry_after_reads_seconds_and_http_dates() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        // 2023-11-14T22:13:20Z is 1_700_000_000.
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_beyond_a_week_waits_a_week() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let week = Some(MAX_SERVER_DELAY);
        assert_eq!(parse_retry_after("18446744073709551615", now), week);
        assert_eq!(parse_retry_after("99999999999999999999999999", now), week);
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            week
        );
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("+5", now), None);
    }

    #[test]
    fn max_age_beyond_a_week_is_a_week() {
        let mut headers = reqwest::header::HeaderMap::new();
        for huge in ["18446744073709551615", "184467440737095516150000"] {
            headers.insert(
                reqwest::header::CACHE_CONTROL,
                format!("max-age={huge}").parse().unwrap(),
            );
            assert_eq!(max_age(&headers), Some(MAX_SERVER_DELAY), "{huge}");
        }
        headers.insert(
            reqwest::header::CACHE_CONTROL,
            "max-age=-1, max-age=60".parse().unwrap(),
        );
        assert_eq!(max_age(&headers), Some(Duration::from_secs(60)));
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::CACHE_CONTROL,
            "public, max-age=900, must-revalidate".parse().unwrap(),
        );
        assert_eq!(max_age(&headers), Some(Duration::from_secs(900)));
        headers.insert(reqwest::header::CACHE_CONTROL, "no-cache".parse().unwrap());
        assert_eq!(max_age(&headers), None);
    }

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
        assert_eq!(error.to_string(), "file is larger than 1 KiB");
    }
}
