//! Lenient date parsing: RFC 822/2822 and RFC 3339 and their common broken variants.
//!
//! One hand-written tokenizer covers every form, so that a date in a 10,000-item feed costs
//! a few hundred nanoseconds and no input can make it panic: every number is bounded before
//! it is converted and every calendar step uses chrono's checked (`_opt`) constructors.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use std::borrow::Cow;

/// Longer inputs are not dates; the cap bounds the work on hostile input.
const MAX_LEN: usize = 256;

/// Reads a date in any of the forms feeds use, as UTC; `None` when no date can be read.
///
/// A missing zone means UTC; a wrong weekday is ignored; military zone letters count as UTC,
/// as RFC 2822 §4.3 advises, since RFC 822 defined their signs backwards.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > MAX_LEN {
        return None;
    }
    let tokens = tokenize(s);
    if let [Token::Num(digits)] = tokens.as_slice() {
        return unix_timestamp(digits);
    }
    let fields = Fields::collect(&tokens)?;
    fields.to_utc()
}

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    /// A run of digits (ASCII, Arabic-Indic or Persian, normalised to ASCII).
    Num(Cow<'a, str>),
    /// A run of letters, ASCII letters lower-cased (the names we match are English or Arabic).
    Word(Cow<'a, str>),
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
            let word = s.get(start..end).unwrap_or_default();
            tokens.push(Token::Word(
                if word.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(word.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(word)
                },
            ));
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

/// Month number for an English (short or long) or Arabic month name.
fn month_from_name(word: &str) -> Option<u32> {
    const ENGLISH: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.is_ascii() && word.len() >= 3 {
        for (n, (short, full)) in ENGLISH.iter().zip(FULL.iter()).enumerate() {
            // "Sept", "Octo" and other prefixes of the full name are seen in the wild.
            if word.starts_with(short) && full.starts_with(word) {
                return u32::try_from(n + 1).ok();
            }
        }
        return None;
    }
    // Egyptian/Gulf names, with their common spelling variants, then the Levantine ones that
    // are a single word.
    let n = match word {
        "يناير" => 1,
        "فبراير" => 2,
        "مارس" => 3,
        "أبريل" | "ابريل" | "إبريل" => 4,
        "مايو" => 5,
        "يونيو" | "يونيه" => 6,
        "يوليو" | "يوليه" => 7,
        "أغسطس" | "اغسطس" => 8,
        "سبتمبر" => 9,
        "أكتوبر" | "اكتوبر" => 10,
        "نوفمبر" => 11,
        "ديسمبر" => 12,
        "شباط" => 2,
        "آذار" | "اذار" => 3,
        "نيسان" => 4,
        "أيار" | "ايار" => 5,
        "حزيران" => 6,
        "تموز" => 7,
        "آب" | "اب" => 8,
        "أيلول" | "ايلول" => 9,
        _ => return None,
    };
    Some(n)
}

/// Levantine two-word months: "كانون الثاني" (January) and friends.
fn month_from_two_words(first: &str, second: &str) -> Option<u32> {
    let first_of_pair = matches!(second, "الأول" | "الاول");
    let second_of_pair = matches!(second, "الثاني");
    match first {
        "كانون" if second_of_pair => Some(1),
        "كانون" if first_of_pair => Some(12),
        "تشرين" if first_of_pair => Some(10),
        "تشرين" if second_of_pair => Some(11),
        _ => None,
    }
}

/// Offset east of UTC, in seconds, for a zone name; `None` for names we do not know.
fn zone_offset(word: &str) -> Option<i32> {
    let hours = match word {
        "z" | "ut" | "utc" | "gmt" | "wet" | "zulu" => 0,
        "est" => -5,
        "edt" => -4,
        "cst" => -6,
        "cdt" => -5,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        "akst" => -9,
        "akdt" => -8,
        "hst" => -10,
        "bst" | "cet" | "met" | "west" => 1,
        "cest" | "mest" | "eet" => 2,
        "eest" | "msk" => 3,
        "jst" | "kst" => 9,
        "hkt" | "sgt" | "awst" => 8,
        "aest" => 10,
        "aedt" => 11,
        "nzst" => 12,
        "nzdt" => 13,
        "ist" => return Some(5 * 3600 + 1800),
        // RFC 2822 §4.3: the military letters' meaning is unknowable; treat them as UTC.
        w if w.len() == 1 && w.bytes().all(|b| b.is_ascii_lowercase() && b != b'j') => 0,
        _ => return None,
    };
    Some(hours * 3600)
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    word.is_ascii() && word.len() >= 3 && DAYS.iter().any(|d| word.starts_with(d))
}

fn num<'a>(token: Option<&'a Token<'_>>) -> Option<&'a str> {
    match token {
        Some(Token::Num(n)) => Some(n.as_ref()),
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

#[derive(Debug, Default)]
struct Fields {
    year: Option<(i32, usize)>,
    month: Option<u32>,
    day: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    time_seen: bool,
    pm: Option<bool>,
    offset: Option<i32>,
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

    fn collect(tokens: &[Token]) -> Option<Fields> {
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
        Some(f)
    }

    /// Handles a number at `i`; returns how many tokens it used.
    fn number(&mut self, tokens: &[Token], i: usize, n: &str) -> usize {
        let next = punct(tokens.get(i + 1));
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
                Token::Word(w) => month_from_name(w.as_ref()),
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
                matches!(tokens.get(i.wrapping_sub(1)), Some(Token::Word(w)) if w == "t");
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
            // RFC 2822 §4.3: three-digit years are offsets from 1900.
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
                nanos = frac_to_nanos(frac);
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
        if let (Some(h), Some(m)) = (hours, minutes)
            && h <= 23
            && m <= 59
        {
            // Both bounded above, so the arithmetic cannot overflow.
            self.offset = Some(sign * (h as i32 * 3600 + m as i32 * 60));
        }
        used
    }

    fn word(&mut self, tokens: &[Token], i: usize, w: &str) -> usize {
        if self.month.is_none() {
            if let Some(Token::Word(next)) = tokens.get(i + 2)
                && punct(tokens.get(i + 1)) == Some(' ')
                && let Some(m) = month_from_two_words(w, next)
            {
                self.month = Some(m);
                return 3;
            }
            if let Some(m) = month_from_name(w) {
                self.month = Some(m);
                return 1;
            }
        }
        match w {
            "am" | "ص" if self.time_seen && self.pm.is_none() => {
                self.pm = Some(false);
                return 1;
            }
            "pm" | "م" if self.time_seen && self.pm.is_none() => {
                self.pm = Some(true);
                return 1;
            }
            // The separator of ISO 8601 date and time.
            "t" if !self.time_seen => return 1,
            _ => {}
        }
        if is_weekday(w) {
            return 1;
        }
        if (self.time_seen || self.day.is_some())
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
        let year = match year_digits {
            // RFC 2822 §4.3: two-digit years below 50 are 20xx, others 19xx.
            1 | 2 if year < 50 => year + 2000,
            1 | 2 => year + 1900,
            3 => year + 1900,
            _ => year,
        };
        if !(1..=9999).contains(&year) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year, self.month?, self.day?)?;
        let mut hour = self.hour;
        match self.pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        let mut second = self.second;
        if second == 60 {
            // A leap second; chrono wants it as a nanosecond overflow, one second early is fine.
            second = 59;
        }
        let naive = if hour == 24 && self.minute == 0 && second == 0 {
            NaiveDateTime::new(date.succ_opt()?, NaiveTime::MIN)
        } else {
            NaiveDateTime::new(
                date,
                NaiveTime::from_hms_nano_opt(hour, self.minute, second, self.nanos)?,
            )
        };
        let offset = TimeDelta::try_seconds(i64::from(self.offset.unwrap_or(0)))?;
        Some(naive.checked_sub_signed(offset)?.and_utc())
    }
}

fn frac_to_nanos(frac: &str) -> u32 {
    let mut nanos: u32 = 0;
    let mut scale: u32 = 100_000_000;
    for b in frac.bytes().take(9) {
        nanos += u32::from(b.wrapping_sub(b'0').min(9)) * scale;
        scale /= 10;
    }
    nanos
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single()
    }

    #[track_caller]
    fn check(input: &str, expected: Option<DateTime<Utc>>) {
        assert_eq!(parse_date(input), expected, "input: {input:?}");
    }

    #[test]
    fn rfc2822_canonical() {
        check(
            "Sun, 22 Oct 2023 01:29:00 +0300",
            utc(2023, 10, 21, 22, 29, 0),
        );
        check("Sun, 22 Oct 2023 01:29:00 GMT", utc(2023, 10, 22, 1, 29, 0));
    }

    #[test]
    fn rfc2822_without_weekday_and_with_wrong_weekday() {
        check("22 Oct 2023 01:29:00 +0000", utc(2023, 10, 22, 1, 29, 0));
        check(
            "Wed, 22 Oct 2023 01:29:00 +0000",
            utc(2023, 10, 22, 1, 29, 0),
        );
        check(
            "Thurs, 13 Jul 2011 07:38:00 GMT",
            utc(2011, 7, 13, 7, 38, 0),
        );
    }

    #[test]
    fn rfc2822_two_and_four_digit_years() {
        check("Sun, 22 Oct 23 01:29:00 GMT", utc(2023, 10, 22, 1, 29, 0));
        check("Fri, 22 Oct 99 01:29:00 GMT", utc(1999, 10, 22, 1, 29, 0));
        check("1 Jan 2001 00:00:00 GMT", utc(2001, 1, 1, 0, 0, 0));
    }

    #[test]
    fn rfc2822_named_zones() {
        for (zone, hours) in [
            ("GMT", 0),
            ("UT", 0),
            ("UTC", 0),
            ("Z", 0),
            ("EST", -5),
            ("EDT", -4),
            ("CST", -6),
            ("CDT", -5),
            ("MST", -7),
            ("MDT", -6),
            ("PST", -8),
            ("PDT", -7),
        ] {
            let expected = utc(2023, 10, 22, 12, 0, 0)
                .and_then(|d| d.checked_sub_signed(TimeDelta::hours(hours)));
            check(&format!("Sun, 22 Oct 2023 12:00:00 {zone}"), expected);
        }
    }

    #[test]
    fn rfc2822_military_letters_are_utc() {
        for zone in ["A", "M", "N", "Y", "Z"] {
            check(
                &format!("Sun, 22 Oct 2023 12:00:00 {zone}"),
                utc(2023, 10, 22, 12, 0, 0),
            );
        }
    }

    #[test]
    fn rfc2822_numeric_offsets() {
        check("22 Oct 2023 12:00:00 +0300", utc(2023, 10, 22, 9, 0, 0));
        check("22 Oct 2023 12:00:00 +03:00", utc(2023, 10, 22, 9, 0, 0));
        check("22 Oct 2023 12:00:00 -0530", utc(2023, 10, 22, 17, 30, 0));
        check("22 Oct 2023 12:00:00 -0000", utc(2023, 10, 22, 12, 0, 0));
        check("22 Oct 2023 12:00:00 GMT+3", utc(2023, 10, 22, 9, 0, 0));
    }

    #[test]
    fn rfc2822_missing_parts_and_noise() {
        check("Sun, 22 Oct 2023 01:29 +0000", utc(2023, 10, 22, 1, 29, 0));
        check("Sun, 22 Oct 2023 01:29:05", utc(2023, 10, 22, 1, 29, 5));
        check(
            "  Sun,   22  Oct   2023   01:29:05   GMT  ",
            utc(2023, 10, 22, 1, 29, 5),
        );
        check(
            "Sun, 22 October 2023 01:29:05 GMT",
            utc(2023, 10, 22, 1, 29, 5),
        );
        check("Sun, 22 Sept 2023 01:29:05 GMT", utc(2023, 9, 22, 1, 29, 5));
        check(
            "Sun, 22 Oct 2023 01:29:05 +0000 (UTC)",
            utc(2023, 10, 22, 1, 29, 5),
        );
        check("Sun, 22 Oct 2023 1:29:05 GMT", utc(2023, 10, 22, 1, 29, 5));
        check("Sun, 22 Oct 2023 24:00:00 GMT", utc(2023, 10, 23, 0, 0, 0));
        check(
            "Sun, 22 Oct 2023 23:59:60 GMT",
            utc(2023, 10, 22, 23, 59, 59),
        );
    }

    #[test]
    fn rfc3339_and_iso8601() {
        check("2023-10-22T01:29:00Z", utc(2023, 10, 22, 1, 29, 0));
        check("2023-10-22T01:29:00+03:00", utc(2023, 10, 21, 22, 29, 0));
        check("2023-10-22T01:29:00+0300", utc(2023, 10, 21, 22, 29, 0));
        check("2023-10-22T01:29:00-05", utc(2023, 10, 22, 6, 29, 0));
        check("2023-10-22 01:29:00", utc(2023, 10, 22, 1, 29, 0));
        check("2023-10-22t01:29:00z", utc(2023, 10, 22, 1, 29, 0));
        check("2023-10-22T01:29", utc(2023, 10, 22, 1, 29, 0));
        check("2023-10-22", utc(2023, 10, 22, 0, 0, 0));
        check("20231022T012900Z", utc(2023, 10, 22, 1, 29, 0));
        let frac = parse_date("2023-10-22T01:29:00.123456Z");
        assert_eq!(
            frac.map(|d| d.timestamp_subsec_micros()),
            Some(123_456),
            "fractional seconds"
        );
        check(
            "2023-10-22T01:29:00,5+00:00",
            utc(2023, 10, 22, 1, 29, 0).map(|d| d + TimeDelta::milliseconds(500)),
        );
    }

    #[test]
    fn other_common_forms() {
        check("2023/10/22 01:29", utc(2023, 10, 22, 1, 29, 0));
        check("22 Oct 2023", utc(2023, 10, 22, 0, 0, 0));
        check("Oct 22, 2023", utc(2023, 10, 22, 0, 0, 0));
        check("October 22, 2023 1:29 PM", utc(2023, 10, 22, 13, 29, 0));
        check("22-Oct-2023 01:29", utc(2023, 10, 22, 1, 29, 0));
        check("22-10-2023", utc(2023, 10, 22, 0, 0, 0));
        check("22/10/2023 01:29", utc(2023, 10, 22, 1, 29, 0));
        check("10/22/2023", utc(2023, 10, 22, 0, 0, 0));
        check("22.10.2023", utc(2023, 10, 22, 0, 0, 0));
        check("1697938140", utc(2023, 10, 22, 1, 29, 0));
    }

    #[test]
    fn arabic_forms() {
        check("٢٢ أكتوبر ٢٠٢٣", utc(2023, 10, 22, 0, 0, 0));
        check(
            "الأحد، 22 تشرين الأول 2023 01:29",
            utc(2023, 10, 22, 1, 29, 0),
        );
        check("22-10-2023 01:29 م", utc(2023, 10, 22, 13, 29, 0));
    }

    #[test]
    fn rejects_non_dates() {
        for input in [
            "",
            "   ",
            "yesterday",
            "42",
            "2023",
            "Oct 2023",
            "31 Feb 2023",
            "2023-13-01",
            "2023-10-22T25:00:00Z",
            "0000-01-01",
            "99999-01-01",
            "Sun, 22 Oct 2023 01:61:00 GMT",
        ] {
            check(input, None);
        }
    }

    #[test]
    fn extreme_years_do_not_panic() {
        assert!(parse_date("9999-12-31T23:59:59-23:59").is_some());
        assert!(parse_date("0001-01-01T00:00:00+23:59").is_some());
        let _ = parse_date("31 Dec 9999 24:00:00 GMT");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn never_panics_on_date_like(s in "[0-9A-Za-z:+\\-/., TZ()]{0,60}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn round_trips_rfc2822(secs in 0i64..4_102_444_800) {
            let date = DateTime::from_timestamp(secs, 0);
            prop_assume!(date.is_some());
            let date = date.unwrap_or_default();
            prop_assert_eq!(parse_date(&date.to_rfc2822()), Some(date));
            prop_assert_eq!(parse_date(&date.to_rfc3339()), Some(date));
        }
    }
}
