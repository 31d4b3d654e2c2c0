//! A feed's HTTP settings in the config file: `user_agent`, `headers`, `username` with
//! `password_command`, and `proxy`, each checked where it is written.

use super::{ConfigError, RawFeed, SourceFile, expected};
use crate::model::{BasicAuth, HttpSettings};
use crate::text::sanitize::escape_controls;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use std::collections::BTreeMap;
use toml::{Spanned, Value};
use url::Url;

/// `headers = { "Accept-Language" = "ar" }`, each name and value with its place in the file.
pub(super) type RawHeaders = BTreeMap<Spanned<String>, Spanned<Value>>;

/// Headers the HTTP client or akhbar itself sends, which a feed's setting would break:
/// framing, the connection, the encodings akhbar decodes, and the validators it keeps.
const OWN_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "upgrade",
    "te",
    "trailer",
    "accept-encoding",
    "if-none-match",
    "if-modified-since",
];

/// The proxies reqwest can use (`socks5h` resolves names at the proxy).
const PROXY_SCHEMES: &[&str] = &["http", "https", "socks5", "socks5h"];

impl SourceFile<'_> {
    /// The HTTP settings of `[[feed]]` #`number`; none set gives the defaults.
    pub(super) fn http_settings(
        &self,
        number: usize,
        feed: &RawFeed,
    ) -> Result<HttpSettings, ConfigError> {
        let user_agent = feed
            .user_agent
            .as_ref()
            .map(|value| self.header_value("user_agent", "the user agent", value))
            .transpose()?;
        let headers = match &feed.headers {
            None => HeaderMap::new(),
            Some(headers) => self.headers(headers)?,
        };
        let auth = match (&feed.username, &feed.password_command) {
            (None, None) => None,
            (Some(username), Some(command)) => Some(BasicAuth {
                username: self.username(username)?,
                password_command: self.command(command)?,
            }),
            (Some(username), None) => {
                return Err(self.invalid(
                    username.span().start,
                    format!("`username` in [[feed]] #{number} needs a `password_command`"),
                ));
            }
            (None, Some(command)) => {
                return Err(self.invalid(
                    command.span().start,
                    format!("`password_command` in [[feed]] #{number} needs a `username`"),
                ));
            }
        };
        if auth.is_some()
            && headers.contains_key(AUTHORIZATION)
            && let Some(headers) = &feed.headers
        {
            return Err(self.bad_value(
                "headers",
                headers.span(),
                "an `Authorization` header and `username` are two logins; keep one",
            ));
        }
        let proxy = feed
            .proxy
            .as_ref()
            .map(|value| self.proxy(value))
            .transpose()?;
        Ok(HttpSettings {
            user_agent,
            headers,
            auth,
            proxy,
        })
    }

    fn headers(&self, headers: &Spanned<RawHeaders>) -> Result<HeaderMap, ConfigError> {
        let mut map = HeaderMap::new();
        for (name, value) in headers.get_ref() {
            let shown = escape_controls(name.get_ref());
            let header =
                HeaderName::from_bytes(name.get_ref().trim().as_bytes()).map_err(|_| {
                    self.bad_value(
                    "headers",
                    name.span(),
                    format!(
                        "`{shown}` is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)"
                    ),
                )
                })?;
            if OWN_HEADERS.contains(&header.as_str()) {
                return Err(self.bad_value(
                    "headers",
                    name.span(),
                    format!("`{shown}` is set by akhbar itself"),
                ));
            }
            let value = self.header_value("headers", &format!("the value of `{shown}`"), value)?;
            map.insert(header, value);
        }
        Ok(map)
    }

    /// A header's value: text of visible ASCII, spaces and tabs, never a line break, so
    /// that it cannot end the header early or add one. The value itself is never shown,
    /// since it may be a token.
    fn header_value(
        &self,
        key: &str,
        what: &str,
        value: &Spanned<Value>,
    ) -> Result<HeaderValue, ConfigError> {
        let Value::String(text) = value.get_ref() else {
            let found = value.get_ref().type_str();
            return Err(self.bad_value(
                key,
                value.span(),
                format!("{what} must be a string, found {found}"),
            ));
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(self.bad_value(key, value.span(), format!("{what} must not be empty")));
        }
        let plain = text
            .bytes()
            .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        let checked = plain.then(|| HeaderValue::from_str(text).ok()).flatten();
        checked.ok_or_else(|| {
            self.bad_value(
                key,
                value.span(),
                format!(
                    "{what} must be ASCII text on one line (no line breaks or control \
                     characters; percent-encode other text)"
                ),
            )
        })
    }

    fn username(&self, value: &Spanned<Value>) -> Result<String, ConfigError> {
        let Value::String(text) = value.get_ref() else {
            return Err(self.bad_value(
                "username",
                value.span(),
                expected("a string", value.get_ref()),
            ));
        };
        if text.is_empty() {
            return Err(self.bad_value("username", value.span(), "must not be empty"));
        }
        // Basic auth joins the two with a colon (RFC 7617).
        if text.contains(':') || text.chars().any(char::is_control) {
            return Err(self.bad_value(
                "username",
                value.span(),
                "must have no colon and no control characters",
            ));
        }
        Ok(text.clone())
    }

    fn command(&self, value: &Spanned<Value>) -> Result<Vec<String>, ConfigError> {
        self.program("password_command", value)
    }

    /// A program and its arguments, `["pass", "show", "news"]`, for `key`: run without a
    /// shell, so each word is one argument.
    pub(super) fn program(
        &self,
        key: &str,
        value: &Spanned<Value>,
    ) -> Result<Vec<String>, ConfigError> {
        let bad = || {
            self.bad_value(
                key,
                value.span(),
                "expected a program and its arguments, e.g. [\"pass\", \"show\", \"news\"] \
                 (run without a shell)",
            )
        };
        let Value::Array(items) = value.get_ref() else {
            return Err(bad());
        };
        let words: Vec<String> = items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        match words.first() {
            Some(program) if !program.trim().is_empty() => {}
            _ => return Err(bad()),
        }
        if words.iter().any(|word| word.contains('\0')) {
            return Err(self.bad_value(key, value.span(), "an argument holds a NUL character"));
        }
        Ok(words)
    }

    /// A proxy URL; its text is not repeated in messages, since it may hold a password.
    fn proxy(&self, value: &Spanned<Value>) -> Result<Url, ConfigError> {
        let schemes = PROXY_SCHEMES.join(", ");
        let example = "e.g. \"http://127.0.0.1:3128\" or \"socks5://127.0.0.1:9050\"";
        let Value::String(text) = value.get_ref() else {
            return Err(self.bad_value(
                "proxy",
                value.span(),
                format!(
                    "expected a proxy URL ({example}), found {}",
                    value.get_ref().type_str()
                ),
            ));
        };
        let Ok(url) = Url::parse(text.trim()) else {
            return Err(self.bad_value(
                "proxy",
                value.span(),
                format!("not a URL (use {example})"),
            ));
        };
        if !PROXY_SCHEMES.contains(&url.scheme()) {
            return Err(self.bad_value(
                "proxy",
                value.span(),
                format!(
                    "`{}` is not a proxy scheme (use one of {schemes})",
                    escape_controls(url.scheme())
                ),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) || reqwest::Proxy::all(url.as_str()).is_err() {
            return Err(self.bad_value(
                "proxy",
                value.span(),
                format!("a proxy URL needs a host (use {example})"),
            ));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use std::path::Path;

    fn feed(lines: &str) -> Result<crate::model::HttpSettings, String> {
        let text = format!("[[feed]]\nurl = \"https://e.x/rss\"\n{lines}");
        parse(&text, Path::new("config.toml"))
            .map(|config| config.feeds[0].http.clone())
            .map_err(|error| error.to_string())
    }

    #[test]
    fn every_setting_is_read() {
        let settings = feed(
            "user_agent = \"Mozilla/5.0 (X11)\"\nheaders = { \"Accept-Language\" = \"ar\", \
             Referer = \" https://e.x/ \" }\nusername = \"me\"\n\
             password_command = [\"pass\", \"show\", \"news\"]\nproxy = \"socks5://127.0.0.1:9050\"\n",
        )
        .unwrap();
        assert_eq!(settings.user_agent.unwrap(), "Mozilla/5.0 (X11)");
        assert_eq!(settings.headers["accept-language"], "ar");
        assert_eq!(settings.headers["referer"], "https://e.x/");
        let auth = settings.auth.unwrap();
        assert_eq!(auth.username, "me");
        assert_eq!(auth.password_command, ["pass", "show", "news"]);
        assert_eq!(settings.proxy.unwrap().as_str(), "socks5://127.0.0.1:9050");
        assert!(feed("").unwrap().is_default());
    }

    #[test]
    fn headers_may_be_a_table_of_their_own() {
        let text = "[[feed]]\nurl = \"a\"\n[feed.headers]\nX-One = \"1\"\nX-Two = \"2\"\n";
        let config = parse(text, Path::new("config.toml")).unwrap();
        assert_eq!(config.feeds[0].http.headers.len(), 2);
        assert_eq!(
            parse(
                &format!("{text}\"Bad Name\" = \"3\"\n"),
                Path::new("config.toml")
            )
            .unwrap_err()
            .to_string(),
            "config.toml:6: bad value for `headers`: `Bad Name` is not a header name \
             (letters, digits and !#$%&'*+-.^_`|~ only)"
        );
    }

    #[test]
    fn bad_headers_name_their_line_and_never_echo_a_value() {
        assert_eq!(
            feed("\nheaders = { \"X-A\" = \"ok\", \"X\\u001b[2J\" = \"v\" }\n").unwrap_err(),
            "config.toml:4: bad value for `headers`: `X%1B[2J` is not a header name \
             (letters, digits and !#$%&'*+-.^_`|~ only)"
        );
        let split = feed("headers = { \"X-Token\" = \"secret\\r\\nX-Evil: 1\" }\n").unwrap_err();
        assert_eq!(
            split,
            "config.toml:3: bad value for `headers`: the value of `X-Token` must be ASCII text \
             on one line (no line breaks or control characters; percent-encode other text)"
        );
        assert!(!split.contains("secret"));
        assert!(feed("headers = { \"X-A\" = \"\\u001b]0;x\\u0007\" }\n").is_err());
        assert!(feed("headers = { \"X-A\" = \"عربي\" }\n").is_err());
        assert_eq!(
            feed("headers = { Host = \"e.x\" }\n").unwrap_err(),
            "config.toml:3: bad value for `headers`: `Host` is set by akhbar itself"
        );
        assert_eq!(
            feed("headers = { \"X-A\" = 3 }\n").unwrap_err(),
            "config.toml:3: bad value for `headers`: the value of `X-A` must be a string, found integer"
        );
        assert_eq!(
            feed("headers = \"X-A: 1\"\n").unwrap_err(),
            "config.toml:3: bad value for `headers`: invalid type: string \"X-A: 1\", expected a map"
        );
    }

    #[test]
    fn a_user_agent_is_one_line_of_ascii() {
        assert_eq!(
            feed("user_agent = \"a\\nb\"\n").unwrap_err(),
            "config.toml:3: bad value for `user_agent`: the user agent must be ASCII text on one \
             line (no line breaks or control characters; percent-encode other text)"
        );
        assert_eq!(
            feed("user_agent = \" \"\n").unwrap_err(),
            "config.toml:3: bad value for `user_agent`: the user agent must not be empty"
        );
    }

    #[test]
    fn basic_auth_needs_both_halves_and_a_real_command() {
        assert_eq!(
            feed("username = \"me\"\n").unwrap_err(),
            "config.toml:3: `username` in [[feed]] #1 needs a `password_command`"
        );
        assert_eq!(
            feed("password_command = [\"pass\"]\n").unwrap_err(),
            "config.toml:3: `password_command` in [[feed]] #1 needs a `username`"
        );
        let command =
            |value: &str| feed(&format!("username = \"me\"\npassword_command = {value}\n"));
        let expected = "config.toml:4: bad value for `password_command`: expected a program and \
                        its arguments, e.g. [\"pass\", \"show\", \"news\"] (run without a shell)";
        for bad in ["[]", "[\"\"]", "\"pass show news\"", "[\"pass\", 3]"] {
            assert_eq!(command(bad).unwrap_err(), expected, "{bad}");
        }
        assert_eq!(
            feed("username = \"a:b\"\npassword_command = [\"pass\"]\n").unwrap_err(),
            "config.toml:3: bad value for `username`: must have no colon and no control characters"
        );
        assert!(
            feed("username = \"me\"\npassword_command = [\"pass\"]\nheaders = { Authorization = \"Bearer x\" }\n")
                .unwrap_err()
                .starts_with("config.toml:5: bad value for `headers`: an `Authorization` header")
        );
    }

    #[test]
    fn a_proxy_is_an_http_https_or_socks_url_never_echoed() {
        for good in [
            "http://127.0.0.1:3128",
            "https://proxy.example:443",
            "socks5://127.0.0.1:9050",
            "socks5h://user:pw@127.0.0.1:1080",
        ] {
            assert!(feed(&format!("proxy = \"{good}\"\n")).is_ok(), "{good}");
        }
        assert_eq!(
            feed("proxy = \"ftp://user:hunter2@e.x\"\n").unwrap_err(),
            "config.toml:3: bad value for `proxy`: `ftp` is not a proxy scheme (use one of http, \
             https, socks5, socks5h)"
        );
        let no_url = feed("proxy = \"hunter2 proxy\"\n").unwrap_err();
        assert_eq!(
            no_url,
            "config.toml:3: bad value for `proxy`: not a URL (use e.g. \"http://127.0.0.1:3128\" \
             or \"socks5://127.0.0.1:9050\")"
        );
        assert!(feed("proxy = \"http://\"\n").is_err());
        assert!(feed("proxy = 3128\n").is_err());
    }
}
