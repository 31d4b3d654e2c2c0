//! The query language: what `/`, `--filter`, views, mutes and alerts are written in, parsed
//! into an expression, printed back, and matched against a headline.
//!
//! ```text
//! query  := or
//! or     := and ("OR" and)*
//! and    := unary+                       juxtaposed terms are ANDed
//! unary  := "-" unary | atom
//! atom   := "(" or ")" | FIELD ":" value | "\"phrase\"" | word
//! FIELD  := title | source | link | lang | since | before | is
//! ```
//!
//! Words and phrases are folded as headlines are ([`super::normalize`]), so matching stays a
//! substring search on text folded once. Hand-written, because the grammar is small and the
//! errors must point at the place in what the user typed (a byte range), which is what a
//! prompt shows under the query and the command line marks with a caret.

use super::normalize;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// A parsed query: `None` matches every headline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub expr: Option<Expr>,
}

/// One node of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Folded text that must occur in the field.
    Term {
        field: Field,
        text: String,
    },
    Not(Box<Expr>),
    /// Two or more, all of which must match.
    And(Vec<Expr>),
    /// Two or more, one of which must match.
    Or(Vec<Expr>),
    /// Published at or after.
    Since(When),
    /// Published before.
    Before(When),
    Is(Flag),
}

/// Where a term is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The title, the source's name and the summary.
    Any,
    Title,
    Source,
    /// The story's link, without regard to ASCII case.
    Link,
    /// The headline's language tag: `ar` matches `ar` and `ar-SA`.
    Lang,
}

/// A point in time, as a query gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// This long before now (`2h`, `1d12h`, `90m`).
    Ago(Duration),
    /// The start of this day, local time (`2026-11-30`).
    Day(NaiveDate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Read,
    Unread,
}

/// What is wrong with a query, and where: a byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub at: Range<usize>,
    pub message: String,
}

impl QueryError {
    fn new(at: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
    }

    /// The column (in characters, from 0) where the problem starts in `query`.
    pub fn column(&self, query: &str) -> usize {
        query
            .get(..self.at.start)
            .map_or(0, |before| before.chars().count())
    }

    /// Three lines for a terminal: the message, the query, and a caret under the place.
    pub fn pointed(&self, query: &str) -> String {
        let column = self.column(query);
        let width = query
            .get(self.at.clone())
            .map_or(1, |part| part.chars().count().max(1));
        format!(
            "{}\n  {query}\n  {}{}",
            self.message,
            " ".repeat(column),
            "^".repeat(width)
        )
    }
}

/// The fields, as a query names them.
const FIELDS: &[&str] = &["title", "source", "link", "lang", "since", "before", "is"];

/// Parses `text`; blank text is the query that matches everything.
pub fn parse(text: &str) -> Result<Parsed, QueryError> {
    parse_with(text, false)
}

/// Parses `text`, its words stemmed when `stem` is set ([`super::stem`]), for matching
/// against text stemmed alike.
pub fn parse_with(text: &str, stem: bool) -> Result<Parsed, QueryError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
        stem,
    };
    let expr = parser.or()?;
    if let Some(token) = parser.peek() {
        // Only a `)` stops the top level early.
        return Err(QueryError::new(token.at.clone(), "a ) with no ( before it"));
    }
    Ok(Parsed { expr })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Open,
    Close,
    Or,
    Not,
    /// A word or a phrase.
    Text(String),
    /// `field:value`, the value's own place kept for errors.
    Field {
        name: String,
        value: String,
        value_at: Range<usize>,
    },
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    at: Range<usize>,
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = |kind| Token {
            kind,
            at: start..start + c.len_utf8(),
        };
        match c {
            '(' => {
                chars.next();
                tokens.push(single(Kind::Open));
            }
            ')' => {
                chars.next();
                tokens.push(single(Kind::Close));
            }
            '-' => {
                chars.next();
                if chars.peek().is_none_or(|&(_, next)| next.is_whitespace()) {
                    return Err(QueryError::new(
                        start..start + 1,
                        "nothing after - (to look for a dash, quote it: \"-\")",
                    ));
                }
                tokens.push(single(Kind::Not));
            }
            '"' => {
                let (phrase, end) = quoted(text, start)?;
                for _ in text[start..end].chars() {
                    chars.next();
                }
                tokens.push(Token {
                    kind: Kind::Text(phrase.to_owned()),
                    at: start..end,
                });
            }
            _ => {
                let mut end = start;
                while let Some(&(at, c)) = chars.peek() {
                    if ends_word(c) {
                        break;
                    }
                    end = at + c.len_utf8();
                    chars.next();
                }
                let word = &text[start..end];
                tokens.push(word_token(text, word, start, &mut chars)?);
            }
        }
    }
    Ok(tokens)
}

/// A phrase from the quote at `start`: its text and the end of its closing quote.
fn quoted(text: &str, start: usize) -> Result<(&str, usize), QueryError> {
    let body = &text[start + 1..];
    match body.find('"') {
        Some(close) => Ok((&body[..close], start + 1 + close + 1)),
        None => Err(QueryError::new(
            start..start + 1,
            "a \" that is never closed",
        )),
    }
}

/// A word: `OR`, a `field:value` (the value may be a phrase, read on from `chars`), or text.
fn word_token(
    text: &str,
    word: &str,
    start: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<Token, QueryError> {
    let end = start + word.len();
    if word == "OR" {
        return Ok(Token {
            kind: Kind::Or,
            at: start..end,
        });
    }
    let Some((name, value)) = word.split_once(':') else {
        return Ok(Token {
            kind: Kind::Text(word.to_owned()),
            at: start..end,
        });
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        // `10:30`, `:)`: text with a colon in it.
        return Ok(Token {
            kind: Kind::Text(word.to_owned()),
            at: start..end,
        });
    }
    let lower = name.to_ascii_lowercase();
    if !FIELDS.contains(&lower.as_str()) {
        return Err(QueryError::new(
            start..start + name.len(),
            format!(
                "no field is called {name} (the fields: {}; to look for the word, quote it)",
                FIELDS.join(", ")
            ),
        ));
    }
    let value_start = start + name.len() + 1;
    let (value, value_at, token_end) = if value.is_empty() {
        match chars.peek() {
            Some(&(quote, '"')) if quote == value_start => {
                let (phrase, close) = quoted(text, quote)?;
                for _ in text[quote..close].chars() {
                    chars.next();
                }
                (phrase.to_owned(), quote..close, close)
            }
            _ => {
                return Err(QueryError::new(
                    start..value_start,
                    format!("{lower}: needs a value"),
                ));
            }
        }
    } else {
        (value.to_owned(), value_start..end, end)
    };
    Ok(Token {
        kind: Kind::Field {
            name: lower,
            value,
            value_at,
        },
        at: start..token_end,
    })
}

struct Parser<'t> {
    tokens: &'t [Token],
    next: usize,
    stem: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn or(&mut self) -> Result<Option<Expr>, QueryError> {
        if let Some(token) = self.peek().filter(|token| token.kind == Kind::Or) {
            return Err(QueryError::new(
                token.at.clone(),
                "OR needs a term before it",
            ));
        }
        let mut alternatives = Vec::new();
        let mut any = false;
        loop {
            let start = self.next;
            let operand = self.and()?;
            if self.next == start && any {
                let at = self.tokens[start - 1].at.clone();
                return Err(QueryError::new(at, "OR needs a term after it"));
            }
            any = true;
            if let Some(operand) = operand {
                match operand {
                    Expr::Or(inner) => alternatives.extend(inner),
                    other => alternatives.push(other),
                }
            }
            match self.peek() {
                Some(token) if token.kind == Kind::Or => self.next += 1,
                _ => break,
            }
        }
        Ok(match alternatives.len() {
            0 => None,
            1 => alternatives.pop(),
            _ => Some(Expr::Or(alternatives)),
        })
    }

    fn and(&mut self) -> Result<Option<Expr>, QueryError> {
        let mut all = Vec::new();
        while let Some(token) = self.peek() {
            if matches!(token.kind, Kind::Or | Kind::Close) {
                break;
            }
            match self.unary()? {
                Some(Expr::And(inner)) => all.extend(inner),
                Some(other) => all.push(other),
                None => {}
            }
        }
        Ok(match all.len() {
            0 => None,
            1 => all.pop(),
            _ => Some(Expr::And(all)),
        })
    }

    /// One operand of an AND; `None` for text that folds to nothing (harakat alone).
    fn unary(&mut self) -> Result<Option<Expr>, QueryError> {
        let Some(token) = self.tokens.get(self.next).cloned() else {
            return Ok(None);
        };
        self.next += 1;
        match token.kind {
            Kind::Not => {
                let operand_at = self.peek().map(|next| next.kind.clone());
                if matches!(operand_at, None | Some(Kind::Or | Kind::Close)) {
                    return Err(QueryError::new(token.at, "nothing after -"));
                }
                Ok(self.unary()?.map(|operand| match operand {
                    Expr::Not(inner) => *inner,
                    other => Expr::Not(Box::new(other)),
                }))
            }
            Kind::Open => {
                let inner = self.or()?;
                match self.peek() {
                    Some(close) if close.kind == Kind::Close => self.next += 1,
                    _ => return Err(QueryError::new(token.at, "a ( that is never closed")),
                }
                if inner.is_none() && self.tokens[self.next - 2].kind == Kind::Open {
                    return Err(QueryError::new(
                        token.at.start..self.tokens[self.next - 1].at.end,
                        "nothing between ( and )",
                    ));
                }
                Ok(inner)
            }
            Kind::Close | Kind::Or => Err(QueryError::new(token.at, "unexpected here")),
            Kind::Text(text) => Ok(term(Field::Any, &text, self.stem)),
            Kind::Field {
                name,
                value,
                value_at,
            } => field(&name, &value, value_at, self.stem),
        }
    }
}

fn term(field: Field, text: &str, stem: bool) -> Option<Expr> {
    let text = match field {
        Field::Link | Field::Lang => text.trim().to_ascii_lowercase(),
        _ if stem => super::stem::stem_text(&normalize(text)),
        _ => normalize(text),
    };
    (!text.is_empty()).then_some(Expr::Term { field, text })
}

fn field(
    name: &str,
    value: &str,
    at: Range<usize>,
    stem: bool,
) -> Result<Option<Expr>, QueryError> {
    Ok(match name {
        "title" => term(Field::Title, value, stem),
        "source" => term(Field::Source, value, stem),
        "link" => term(Field::Link, value, false),
        "lang" => term(Field::Lang, value, false),
        "since" => Some(Expr::Since(when(name, value, at)?)),
        "before" => Some(Expr::Before(when(name, value, at)?)),
        _ => Some(Expr::Is(match value.to_ascii_lowercase().as_str() {
            "read" => Flag::Read,
            "unread" => Flag::Unread,
            _ => return Err(QueryError::new(at, "is: takes read or unread")),
        })),
    })
}

fn when(name: &str, value: &str, at: Range<usize>) -> Result<When, QueryError> {
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(When::Day(day));
    }
    match humantime::parse_duration(value) {
        Ok(duration) if duration <= MAX_AGO => Ok(When::Ago(duration)),
        _ => Err(QueryError::new(
            at,
            format!("{name}: takes a time ago (90m, 2h, 3d, 1w) or a day (2026-11-30)"),
        )),
    }
}

/// Longer ago than this is surely a typo, and keeps `now - ago` in range.
const MAX_AGO: Duration = Duration::from_secs(100 * 366 * 24 * 60 * 60);

/// What a query is matched against: one headline, its text folded once.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The title, the source's name and the summary, folded, in that order.
    pub text: &'a str,
    /// Where the title and the source's name are in `text`.
    pub title: Range<usize>,
    pub source: Range<usize>,
    pub link: Option<&'a str>,
    pub lang: Option<&'a str>,
    pub published: DateTime<Utc>,
    pub read: bool,
}

/// The time a query is matched at: `since:2h` is two hours before `now`, and a day starts
/// at local midnight.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub utc_offset: FixedOffset,
}

impl Expr {
    /// Whether the expression holds a time relative to now (`since:2h`).
    pub fn depends_on_time(&self) -> bool {
        match self {
            Expr::Since(When::Ago(_)) | Expr::Before(When::Ago(_)) => true,
            Expr::Not(inner) => inner.depends_on_time(),
            Expr::And(all) | Expr::Or(all) => all.iter().any(Expr::depends_on_time),
            _ => false,
        }
    }

    /// Whether the expression asks whether a story was read (`is:unread`).
    pub fn depends_on_read(&self) -> bool {
        match self {
            Expr::Is(_) => true,
            Expr::Not(inner) => inner.depends_on_read(),
            Expr::And(all) | Expr::Or(all) => all.iter().any(Expr::depends_on_read),
            _ => false,
        }
    }

    pub fn matches(&self, subject: &Subject<'_>, clock: &Clock) -> bool {
        match self {
            Expr::Term { field, text } => match field {
                Field::Any => subject.text.contains(text.as_str()),
                Field::Title => part(subject.text, &subject.title).contains(text.as_str()),
                Field::Source => part(subject.text, &subject.source).contains(text.as_str()),
                Field::Link | Field::Lang => tag_matches(*field, text, subject),
            },
            Expr::Not(inner) => !inner.matches(subject, clock),
            Expr::And(all) => all.iter().all(|expr| expr.matches(subject, clock)),
            Expr::Or(any) => any.iter().any(|expr| expr.matches(subject, clock)),
            Expr::Since(when) => subject.published >= when.instant(clock),
            Expr::Before(when) => subject.published < when.instant(clock),
            Expr::Is(Flag::Read) => subject.read,
            Expr::Is(Flag::Unread) => !subject.read,
        }
    }
}

/// A link or language term (lowercase already) against the headline's.
pub(super) fn tag_matches(field: Field, text: &str, subject: &Subject<'_>) -> bool {
    match field {
        Field::Link => subject
            .link
            .is_some_and(|link| contains_ignoring_ascii_case(link, text)),
        Field::Lang => subject.lang.is_some_and(|lang| {
            lang.eq_ignore_ascii_case(text)
                || (lang.len() > text.len()
                    && lang.as_bytes()[text.len()] == b'-'
                    && lang
                        .get(..text.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(text)))
        }),
        _ => false,
    }
}

fn part<'a>(text: &'a str, range: &Range<usize>) -> &'a str {
    text.get(range.clone()).unwrap_or_default()
}

/// Whether `needle` (lowercase ASCII already) occurs in `haystack`, ASCII case aside.
fn contains_ignoring_ascii_case(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

impl When {
    pub(super) fn instant(self, clock: &Clock) -> DateTime<Utc> {
        match self {
            When::Ago(duration) => chrono::Duration::from_std(duration)
                .ok()
                .and_then(|ago| clock.now.checked_sub_signed(ago))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            When::Day(day) => day
                .and_hms_opt(0, 0, 0)
                .and_then(|midnight| midnight.and_local_timezone(clock.utc_offset).single())
                .map_or(DateTime::<Utc>::MIN_UTC, |local| local.to_utc()),
        }
    }
}

impl fmt::Display for Parsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expr {
            Some(expr) => write!(f, "{expr}"),
            None => Ok(()),
        }
    }
}

/// The query as it would be typed: re-parsed, it gives the same expression.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Term { field, text } => {
                let name = match field {
                    Field::Any => "",
                    Field::Title => "title:",
                    Field::Source => "source:",
                    Field::Link => "link:",
                    Field::Lang => "lang:",
                };
                f.write_str(name)?;
                let bare = !text.starts_with('-')
                    && !text.contains(':')
                    && text != "OR"
                    && !text.chars().any(ends_word);
                if bare {
                    f.write_str(text)
                } else {
                    write!(f, "\"{text}\"")
                }
            }
            Expr::Not(inner) => match **inner {
                Expr::And(_) | Expr::Or(_) => write!(f, "-({inner})"),
                _ => write!(f, "-{inner}"),
            },
            Expr::And(all) => {
                for (index, expr) in all.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" ")?;
                    }
                    match expr {
                        Expr::Or(_) => write!(f, "({expr})")?,
                        _ => write!(f, "{expr}")?,
                    }
                }
                Ok(())
            }
            Expr::Or(any) => {
                for (index, expr) in any.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" OR ")?;
                    }
                    write!(f, "{expr}")?;
                }
                Ok(())
            }
            Expr::Since(when) => write!(f, "since:{when}"),
            Expr::Before(when) => write!(f, "before:{when}"),
            Expr::Is(Flag::Read) => f.write_str("is:read"),
            Expr::Is(Flag::Unread) => f.write_str("is:unread"),
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Day(day) => write!(f, "{}", day.format("%Y-%m-%d")),
            When::Ago(duration) => {
                let mut seconds = duration.as_secs();
                let nanos = duration.subsec_nanos();
                if seconds == 0 && nanos == 0 {
                    return f.write_str("0s");
                }
                for (unit, length) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
                    if seconds >= length {
                        write!(f, "{}{unit}", seconds / length)?;
                        seconds %= length;
                    }
                }
                if nanos > 0 {
                    write!(f, "{nanos}ns")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
