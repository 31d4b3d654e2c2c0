//! Lenient date parsing: every form feedparser reads, and the ones it misses.
//!
//! RFC 822/2822 (every zone name and military letter of feedparser's table, two-digit years,
//! no seconds, no weekday or a wrong one, comments), W3C-DTF and ISO 8601 (partial dates down
//! to a year alone, `T` or a space before the time, basic and ordinal forms), asctime,
//! `yyyy/mm/dd`, Korean and Greek dates as feedparser reads them; and besides those, month
//! names in French, Spanish, Portuguese, Italian, German, Dutch, Hungarian and Arabic,
//! Arabic-Indic digits, 12-hour times and Unix timestamps.
//!
//! The two forms nearly every feed uses, RFC 3339 and RFC 822, are read by strict byte
//! scanners with no allocation; anything else goes through one tokenizer. No input can make
//! it panic: every number is bounded before it is converted and every calendar step uses
//! chrono's checked (`_opt`) constructors.

mod names;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use names::{is_weekday, month, month_from_two_words, zone_needs_time_first, zone_offset};
use std::borrow::Cow;

/// Longer inputs are not dates; the cap bounds the work on hostile input.
const MAX_LEN: usize = 256;

/// Korean dates carry no zone and are in Korea's time, as feedparser reads them.
const KOREA: i32 = 9 * 3600;

/// Reads a date in any of the forms feeds use, as UTC; `None` when no date can be read.
///
/// A missing zone means UTC (Korea's time for Korean dates); a missing time means midnight;
/// a missing month or day in W3C-DTF means the first; a wrong weekday is ignored. Zones are
/// read as feedparser's table has them, military letters included, and more (see `names`).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > MAX_LEN {
        return None;
    }
    let bytes = s.as_bytes();
    if let Some(moment) = scan_iso(bytes).or_else(|| scan_rfc822(bytes)) {
        return moment.to_utc();
    }
    let tokens = tokenize(s);
    if let [Token::Num(digits)] = tokens.as_slice() {
        return unix_timestamp(digits);
    }
    Fields::collect(&tokens).to_utc()
}

/// A calendar date and a wall-clock time in a zone, before the checks that make it an instant.
#[derive(Debug, Clone, Copy)]
struct Moment {
    year: i32,
    /// Month and day, or `None` for an ordinal date whose day of the year is in `day`.
    month: Option<u32>,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
}

impl Moment {
    fn midnight(year: i32, month: Option<u32>, day: u32) -> Moment {
        Moment {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            offset: 0,
        }
    }

    fn set_clock(&mut self, clock: Clock) {
        self.hour = clock.hour;
        self.minute = clock.minute;
        self.second = clock.second;
        self.nanos = clock.nanos;
    }

    fn to_utc(self) -> Option<DateTime<Utc>> {
        if !(1..=9999).contains(&self.year) {
            return None;
        }
        let date = match self.month {
            Some(month) => NaiveDate::from_ymd_opt(self.year, month, self.day)?,
            None => NaiveDate::from_yo_opt(self.year, self.day)?,
        };
        // A leap second; chrono wants it as a nanosecond overflow, one second early is fine.
        let second = if self.second == 60 { 59 } else { self.second };
        let naive = if self.hour == 24 && self.minute == 0 && second == 0 {
            NaiveDateTime::new(date.succ_opt()?, NaiveTime::MIN)
        } else {
            NaiveDateTime::new(
                date,
                NaiveTime::from_hms_nano_opt(self.hour, self.minute, second, self.nanos)?,
            )
        };
        let offset = TimeDelta::try_seconds(i64::from(self.offset))?;
        Some(naive.checked_sub_signed(offset)?.and_utc())
    }
}

/// Years written with fewer than four digits: feedparser's rule for two digits (below 90 is
/// 20xx, else 19xx), RFC 2822 §4.3 for three (an offset from 1900).
fn full_year(year: i32, digits: usize) -> i32 {
    match digits {
        1 | 2 if year < 90 => year + 2000,
        1..=3 => year + 1900,
        _ => year,
    }
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

/// A cursor over the bytes of a date in one of the strict forms.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn new(bytes: &'a [u8]) -> Scan<'a> {
        Scan { bytes, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn spaces(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b == b' ' || b == b'\t') {
            self.at += 1;
        }
        self.at - start
    }

    /// `min` to `max` (at most 9) ASCII digits: their value and how many there were.
    fn number(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let start = self.at;
        let mut value: u32 = 0;
        while self.at - start < max.min(9)
            && let Some(digit @ b'0'..=b'9') = self.peek()
        {
            value = value * 10 + u32::from(digit - b'0');
            self.at += 1;
        }
        let count = self.at - start;
        (count >= min).then_some((value, count))
    }

    fn letters(&mut self) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.at += 1;
        }
        // ASCII letters only, so the slice is on character boundaries.
        std::str::from_utf8(self.bytes.get(start..self.at).unwrap_or_default()).unwrap_or_default()
    }

    /// hh:mm[:ss[.fraction]], or with `basic` also hhmm and hhmmss[.fraction].
    fn clock(&mut self, basic: bool) -> Option<Clock> {
        let (first, digits) = self.number(1, 6)?;
        let (hour, minute, second) = match digits {
            1 | 2 if self.eat(b':') => {
                let (minute, _) = self.number(2, 2)?;
                let second = if self.eat(b':') {
                    Some(self.number(2, 2)?.0)
                } else {
                    None
                };
                (first, minute, second)
            }
            4 if basic => (first / 100, first % 100, None),
            6 if basic => (first / 10_000, first / 100 % 100, Some(first % 100)),
            _ => return None,
        };
        let nanos = match self.peek() {
            Some(b'.' | b',') if second.is_some() => {
                self.at += 1;
                self.fraction()?
            }
            _ => 0,
        };
        Some(Clock {
            hour,
            minute,
            second: second.unwrap_or(0),
            nanos,
        })
    }

    fn fraction(&mut self) -> Option<u32> {
        let start = self.at;
        let mut nanos: u32 = 0;
        let mut scale: u32 = 100_000_000;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            nanos += u32::from(digit - b'0') * scale;
            scale /= 10;
            self.at += 1;
        }
        (self.at > start).then_some(nanos)
    }

    /// Z, ±hh, ±hhmm, ±hh:mm or a zone name.
    fn zone(&mut self) -> Option<i32> {
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            b if b.is_ascii_alphabetic() => return zone_offset(self.letters()),
            _ => return None,
        };
        self.at += 1;
        let (value, digits) = self.number(2, 4)?;
        let (hours, minutes) = match digits {
            4 => (value / 100, value % 100),
            2 if self.eat(b':') => (value, self.number(2, 2)?.0),
            2 => (value, 0),
            _ => return None,
        };
        offset_seconds(sign, hours, minutes)
    }

    /// Optional spaces, then a zone or the end; nothing may follow.
    fn zone_to_end(&mut self) -> Option<i32> {
        self.spaces();
        if self.done() {
            return Some(0);
        }
        let offset = self.zone()?;
        self.spaces();
        self.done().then_some(offset)
    }
}

fn offset_seconds(sign: i32, hours: u32, minutes: u32) -> Option<i32> {
    // Both bounded, so the arithmetic cannot overflow.
    (hours <= 23 && minutes <= 59).then(|| sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

/// W3C-DTF and ISO 8601: `yyyy`, `yyyy-mm`, `yyyy-mm-dd`, `yyyy-ddd`, `yyyymmdd`, then
/// optionally `T` or spaces, a time and a zone.
fn scan_iso(bytes: &[u8]) -> Option<Moment> {
    let mut s = Scan::new(bytes);
    let (year, _) = s.number(4, 4)?;
    let year = i32::try_from(year).ok()?;
    let mut moment = if s.eat(b'-') {
        let (first, digits) = s.number(1, 3)?;
        if digits == 3 {
            Moment::midnight(year, None, first)
        } else if s.eat(b'-') {
            Moment::midnight(year, Some(first), s.number(1, 2)?.0)
        } else {
            // A year and month alone: feedparser's and W3C's first of the month.
            return s.done().then(|| Moment::midnight(year, Some(first), 1));
        }
    } else if s.done() {
        return Some(Moment::midnight(year, Some(1), 1));
    } else {
        let (month_day, _) = s.number(4, 4)?;
        Moment::midnight(year, Some(month_day / 100), month_day % 100)
    };
    if s.done() {
        return Some(moment);
    }
    let basic = s.eat(b'T') || s.eat(b't');
    if !basic && s.spaces() == 0 {
        return None;
    }
    moment.set_clock(s.clock(basic)?);
    moment.offset = s.zone_to_end()?;
    Some(moment)
}

/// RFC 822: `[Www,] dd Mon yy[yy] [hh:mm[:ss] [zone]]`.
fn scan_rfc822(bytes: &[u8]) -> Option<Moment> {
    let mut s = Scan::new(bytes);
    if s.peek()?.is_ascii_alphabetic() {
        if !is_weekday(s.letters()) {
            return None;
        }
        if !s.eat(b',') && s.spaces() == 0 {
            return None;
        }
        s.spaces();
    }
    let (day, _) = s.number(1, 2)?;
    if s.spaces() == 0 {
        return None;
    }
    let month = month(s.letters())?;
    if s.spaces() == 0 {
        return None;
    }
    let (year, digits) = s.number(2, 4)?;
    let year = full_year(i32::try_from(year).ok()?, digits);
    let mut moment = Moment::midnight(year, Some(month.number), day);
    s.spaces();
    if s.done() {
        return Some(moment);
    }
    moment.set_clock(s.clock(false)?);
    moment.offset = s.zone_to_end()?;
    Some(moment)
}

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    /// A run of digits (ASCII, Arabic-Indic or Persian, normalised to ASCII).
    Num(Cow<'a, str>),
    /// A run of letters, as written; every lookup ignores case.
    Word(&'a str),
    /// One punctuation character.
    Punct(char),
}

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        // Arabic-Indic and extended (Persian/Urdu) digits are common on Arabic sites.
        '\u{0660}'..='\u{0669}' => char::from_u32(u32::from(c) - 0x0660 + u32::from('0')),
        '\u{06F0}'..='\u{06F9}' => char::from_u32(u32::from(c) - 0x06F0 + u32::from('0')),
        _ => None,
    }
}

// Tokens borrow from the input where they can: a feed has a date per item, and allocating
// every token made dates almost a tenth of the cost of a whole feed.
fn tokenize(s: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::with_capacity(16);
    let mut paren_depth = 0usize;
    let mut chars = s.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        // Comments such as "(UTC)" or "(Eastern Daylight Time)" carry nothing we need.
        if c == '(' {
            paren_depth += 1;
            continue;
        }
        if c == ')' {
            paren_depth = paren_depth.saturating_sub(1);
            continue;
        }
        if paren_depth > 0 {
            continue;
        }
        if ascii_digit(c).is_some() {
            let end = run_end(&mut chars, start, c, |n| ascii_digit(n).is_some());
            let digits = s.get(start..end).unwrap_or_default();
            tokens.push(Token::Num(if digits.bytes().all(|b| b.is_ascii_digit()) {
                Cow::Borrowed(digits)
            } else {
                Cow::Owned(digits.chars().filter_map(ascii_digit).collect())
            }));
        } else if c.is_alphabetic() {
            let end = run_end(&mut chars, start, c, |n| {
                n.is_alphabetic() && ascii_digit(n).is_none()
            });
            tokens.push(Token::Word(s.get(start..end).unwrap_or_default()));
        } else if c == ','
            && matches!(tokens.last(), Some(Token::Num(_)))
            && s.get(start + 1..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|n| ascii_digit(n).is_some())
        {
            // A decimal comma, as in "01:29:00,5".
            tokens.push(Token::Punct(','));
        } else if c.is_whitespace() || c == ',' || c == '\u{060C}' {
            // Separators; the Arabic comma included.
            if !matches!(tokens.last(), Some(Token::Punct(' '))) && !tokens.is_empty() {
                tokens.push(Token::Punct(' '));
            }
        } else {
            tokens.push(Token::Punct(c));
        }
    }
    if matches!(tokens.last(), Some(Token::Punct(' '))) {
        tokens.pop();
    }
    tokens
}

/// The end of the run of characters accepted by `accept` that starts with `first` at `start`.
fn run_end(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    start: usize,
    first: char,
    accept: fn(char) -> bool,
) -> usize {
    let mut end = start + first.len_utf8();
    while let Some(&(i, next)) = chars.peek() {
        if !accept(next) {
            break;
        }
        end = i + next.len_utf8();
        chars.next();
    }
    end
}

fn unix_timestamp(digits: &str) -> Option<DateTime<Utc>> {
    // Nine to ten digits are seconds since 1970 (2001..2286); shorter numbers are not dates.
    if !(9..=10).contains(&digits.len()) {
        return None;
    }
    let secs: i64 = digits.parse().ok()?;
    DateTime::from_timestamp(secs, 0)
}

fn num<'a>(token: Option<&'a Token<'_>>) -> Option<&'a str> {
    match token {
        Some(Token::Num(n)) => Some(n.as_ref()),
        _ => None,
    }
}

fn word<'a>(token: Option<&Token<'a>>) -> Option<&'a str> {
    match token {
        Some(Token::Word(w)) => Some(*w),
        _ => None,
    }
}

fn punct(token: Option<&Token>) -> Option<char> {
    match token {
        Some(Token::Punct(c)) => Some(*c),
        _ => None,
    }
}

fn small(n: &str) -> Option<u32> {
    if n.len() > 9 {
        return None;
    }
    n.parse().ok()
}

/// An AM/PM marker at `i` ("PM", "p.m.", "p. m.", Arabic "م", "مساءً"): whether it is PM and
/// how many tokens it takes.
fn meridiem(tokens: &[Token], i: usize, w: &str) -> Option<(bool, usize)> {
    match w {
        "ص" | "صباحا" | "صباحاً" | "صباح" => return Some((false, 1)),
        "م" | "مساء" | "مساءً" | "مساءا" => return Some((true, 1)),
        _ => {}
    }
    if w.eq_ignore_ascii_case("am") {
        return Some((false, 1));
    }
    if w.eq_ignore_ascii_case("pm") {
        return Some((true, 1));
    }
    let pm = if w.eq_ignore_ascii_case("p") {
        true
    } else if w.eq_ignore_ascii_case("a") {
        false
    } else {
        return None;
    };
    // "a.m.", "p. m.": the letter, a dot, maybe a space, then "m".
    if punct(tokens.get(i + 1)) != Some('.') {
        return None;
    }
    let mut m_at = i + 2;
    if punct(tokens.get(m_at)) == Some(' ') {
        m_at += 1;
    }
    if !word(tokens.get(m_at)).is_some_and(|m| m.eq_ignore_ascii_case("m")) {
        return None;
    }
    let used = m_at - i + 1 + usize::from(punct(tokens.get(m_at + 1)) == Some('.'));
    Some((pm, used))
}

#[derive(Debug, Default)]
struct Fields {
    year: Option<(i32, usize)>,
    month: Option<u32>,
    /// The month came from a word that is also a weekday ("mar"): a later month name wins.
    month_weak: bool,
    day: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    time_seen: bool,
    pm: Option<bool>,
    offset: Option<i32>,
    korean: bool,
}

impl Fields {
    fn set_year(&mut self, digits: &str) -> bool {
        if self.year.is_some() {
            return false;
        }
        match small(digits).and_then(|y| i32::try_from(y).ok()) {
            Some(y) => {
                self.year = Some((y, digits.len()));
                true
            }
            None => false,
        }
    }

    fn collect(tokens: &[Token]) -> Fields {
        let mut f = Fields::default();
        let mut i = 0;
        while let Some(token) = tokens.get(i) {
            let consumed = match token {
                Token::Num(n) => f.number(tokens, i, n),
                Token::Word(w) => f.word(tokens, i, w),
                Token::Punct('+' | '-') if f.time_seen || f.day.is_some() => f.offset_at(tokens, i),
                Token::Punct(_) => 1,
            };
            i += consumed.max(1);
        }
        f
    }

    /// Handles a number at `i`; returns how many tokens it used.
    fn number(&mut self, tokens: &[Token], i: usize, n: &str) -> usize {
        let next = punct(tokens.get(i + 1));
        // Korean, Chinese and Japanese dates name each part: 2004년 05월 28일, 2004年5月28日.
        if let Some(unit) = word(tokens.get(i + 1)) {
            let korean = matches!(unit, "년" | "월" | "일");
            let known = match unit {
                "년" | "年" => self.set_year(n),
                "월" | "月" => {
                    self.month = small(n);
                    true
                }
                "일" | "日" => {
                    self.day = small(n);
                    true
                }
                _ => false,
            };
            if known {
                self.korean |= korean;
                return 2;
            }
        }
        // hh:mm[:ss[.frac]]
        if next == Some(':')
            && !self.time_seen
            && let Some(used) = self.time_at(tokens, i)
        {
            return used;
        }
        // yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd
        if n.len() == 4
            && self.day.is_none()
            && let (Some(sep @ ('-' | '/' | '.')), Some(m), Some(sep2), Some(d)) = (
                next,
                num(tokens.get(i + 2)),
                punct(tokens.get(i + 3)),
                num(tokens.get(i + 4)),
            )
            && sep == sep2
            && self.set_year(n)
        {
            self.month = small(m);
            self.day = small(d);
            return 5;
        }
        // dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy (month first when the middle cannot be a month),
        // and dd-Mon-yyyy.
        if n.len() <= 2
            && self.day.is_none()
            && let (Some(sep @ ('-' | '/' | '.')), Some(mid), Some(sep2), Some(y)) = (
                next,
                tokens.get(i + 2),
                punct(tokens.get(i + 3)),
                num(tokens.get(i + 4)),
            )
            && sep == sep2
            && (y.len() == 4 || y.len() == 2)
        {
            let first = small(n);
            let middle = match mid {
                Token::Num(m) if m.len() <= 2 => small(m.as_ref()),
                Token::Word(w) => month(w).map(|m| m.number),
                _ => None,
            };
            if let (Some(first), Some(middle)) = (first, middle)
                && self.set_year(y)
            {
                let is_word = matches!(mid, Token::Word(_));
                if !is_word && middle > 12 && first <= 12 {
                    self.month = Some(first);
                    self.day = Some(middle);
                } else {
                    self.day = Some(first);
                    self.month = Some(middle);
                }
                return 5;
            }
        }
        // Basic ISO 8601: yyyymmdd[Thhmmss]
        if n.len() == 8 && self.year.is_none() {
            let (y, rest) = n.split_at(4);
            let (m, d) = rest.split_at(2);
            if self.set_year(y) {
                self.month = small(m);
                self.day = small(d);
                return 1;
            }
        }
        if (n.len() == 6 || n.len() == 4) && self.day.is_some() && !self.time_seen {
            let prev_is_t =
                word(tokens.get(i.wrapping_sub(1))).is_some_and(|w| w.eq_ignore_ascii_case("t"));
            if prev_is_t {
                let (h, rest) = n.split_at(2);
                let (m, s) = rest.split_at(2);
                self.hour = small(h).unwrap_or(99);
                self.minute = small(m).unwrap_or(99);
                self.second = if s.is_empty() {
                    0
                } else {
                    small(s).unwrap_or(99)
                };
                self.time_seen = true;
                return 1;
            }
        }
        if n.len() == 4 && self.year.is_none() {
            self.set_year(n);
            return 1;
        }
        if n.len() <= 2 {
            if self.day.is_none() {
                self.day = small(n);
            } else if self.year.is_none() {
                self.set_year(n);
            }
            return 1;
        }
        if n.len() == 3 && self.day.is_some() && self.year.is_none() {
            self.set_year(n);
        }
        1
    }

    fn time_at(&mut self, tokens: &[Token], i: usize) -> Option<usize> {
        let h = small(num(tokens.get(i))?)?;
        let m_digits = num(tokens.get(i + 2))?;
        if m_digits.len() != 2 {
            return None;
        }
        let m = small(m_digits)?;
        let mut used = 3;
        let mut s = 0;
        let mut nanos = 0;
        if punct(tokens.get(i + 3)) == Some(':')
            && let Some(sd) = num(tokens.get(i + 4))
        {
            s = small(sd)?;
            used = 5;
            if let (Some('.' | ','), Some(frac)) =
                (punct(tokens.get(i + 5)), num(tokens.get(i + 6)))
            {
                nanos = Scan::new(frac.as_bytes()).fraction().unwrap_or(0);
                used = 7;
            }
        }
        self.hour = h;
        self.minute = m;
        self.second = s;
        self.nanos = nanos;
        self.time_seen = true;
        Some(used)
    }

    /// A numeric zone: +hh, +hhmm, +hh:mm (and the same with '-').
    fn offset_at(&mut self, tokens: &[Token], i: usize) -> usize {
        if self.offset.is_some() {
            return 1;
        }
        let sign = if punct(tokens.get(i)) == Some('-') {
            -1
        } else {
            1
        };
        let Some(digits) = num(tokens.get(i + 1)) else {
            return 1;
        };
        let (hours, minutes, used) = match digits.len() {
            1 | 2 => {
                let minutes = match (punct(tokens.get(i + 2)), num(tokens.get(i + 3))) {
                    (Some(':'), Some(mm)) if mm.len() == 2 => Some(mm),
                    _ => None,
                };
                match minutes {
                    Some(mm) => (small(digits), small(mm), 4),
                    None => (small(digits), Some(0), 2),
                }
            }
            4 => {
                let (hh, mm) = digits.split_at(2);
                (small(hh), small(mm), 2)
            }
            _ => return 1,
        };
        if let (Some(h), Some(m)) = (hours, minutes) {
            self.offset = offset_seconds(sign, h, m);
        }
        used
    }

    fn word(&mut self, tokens: &[Token], i: usize, w: &str) -> usize {
        match w {
            "오전" | "오후" => {
                self.korean = true;
                if self.pm.is_none() {
                    self.pm = Some(w == "오후");
                }
                return 1;
            }
            _ => {}
        }
        if self.time_seen
            && let Some((pm, used)) = meridiem(tokens, i, w)
        {
            if self.pm.is_none() {
                self.pm = Some(pm);
            }
            return used;
        }
        // The separator of ISO 8601 date and time.
        if !self.time_seen && w.eq_ignore_ascii_case("t") {
            return 1;
        }
        if is_weekday(w) {
            return 1;
        }
        if self.month.is_none() || self.month_weak {
            if let Some(next) = word(tokens.get(i + 2))
                && punct(tokens.get(i + 1)) == Some(' ')
                && let Some(m) = month_from_two_words(w, next)
            {
                self.month = Some(m);
                self.month_weak = false;
                return 3;
            }
            if let Some(m) = month(w) {
                if self.month.is_none() || !m.weak {
                    self.month_weak = m.weak;
                    self.month = Some(m.number);
                }
                return 1;
            }
        }
        let zone_allowed = self.time_seen || (self.day.is_some() && !zone_needs_time_first(w));
        if zone_allowed
            && self.offset.is_none()
            && let Some(offset) = zone_offset(w)
        {
            // "GMT+3", "UTC+03:00": the name is only the reference point.
            if matches!(punct(tokens.get(i + 1)), Some('+' | '-')) {
                let used = self.offset_at(tokens, i + 1);
                if self.offset.is_some() {
                    return 1 + used;
                }
            }
            self.offset = Some(offset);
        }
        1
    }

    fn to_utc(&self) -> Option<DateTime<Utc>> {
        let (year, year_digits) = self.year?;
        let mut hour = self.hour;
        match self.pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        let default_offset = if self.korean { KOREA } else { 0 };
        Moment {
            year: full_year(year, year_digits),
            month: Some(self.month?),
            day: self.day?,
            hour,
            minute: self.minute,
            second: self.second,
            nanos: self.nanos,
            offset: self.offset.unwrap_or(default_offset),
        }
        .to_utc()
    }
}
