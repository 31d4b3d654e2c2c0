//! The times that news pages print beside their headlines, and the moments they stand for.
//!
//! Pages print what a reader glancing at them needs: `01:29`, often on a 12-hour clock with
//! no AM/PM, in Arabic-Indic digits, "منذ 5 دقائق" / "5 minutes ago", or a date such as
//! `22-10-2023` behind a label (`تاريخ الخبر: 22-10-2023`). Written by hand because no date
//! crate reads a time without its day: which day (and which half of it) a bare `09:35` means
//! depends on its neighbours. A list runs newest first, so each bare time is the latest
//! moment at or before the item above it (the first: at or before now) — across midnight
//! that is the day before, and on a 12-hour clock it may be twelve hours before.

use super::super::date::parse_date;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};

/// Longer texts are not a time stamp; the cap bounds the work on hostile pages.
const MAX_LEN: usize = 200;

/// What a page's time text says, before the list around it decides the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// A complete moment.
    At(DateTime<Utc>),
    /// A day and maybe a time of it, in the page's zone.
    Day(NaiveDate, Option<NaiveTime>),
    /// A time of day; `half_day` when it says AM or PM (`false`: only the page can tell
    /// whether its clock has 12 hours or 24).
    Clock { time: NaiveTime, said_half: bool },
    /// So long before now.
    Ago(Duration),
}

/// Reads one time text; `None` when it says no time at all.
pub fn read_stamp(text: &str) -> Option<Stamp> {
    if text.len() > MAX_LEN {
        return None;
    }
    let text = western_digits(text);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(ago) = read_ago(text) {
        return Some(Stamp::Ago(ago));
    }
    // A moment with its zone (`<time datetime="2023-10-22T01:29:00Z">`) is one already.
    if let Ok(at) =
        DateTime::parse_from_rfc3339(text).or_else(|_| DateTime::parse_from_rfc2822(text))
    {
        return Some(Stamp::At(at.to_utc()));
    }
    let day = find_day(text);
    let clock = find_clock(text);
    match (day, clock) {
        (Some(day), clock) => Some(Stamp::Day(day, clock.map(|(time, _)| time))),
        (None, Some((time, said_half))) => {
            // A full date in another form may still hold this time: those win.
            parse_date(text)
                .map(Stamp::At)
                .or(Some(Stamp::Clock { time, said_half }))
        }
        (None, None) => parse_date(text).map(Stamp::At),
    }
}

/// Arabic-Indic and Eastern Arabic-Indic digits as ASCII ones.
fn western_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{660}'..='\u{669}' => char::from(b'0' + (c as u32 - 0x660) as u8),
            '\u{6F0}'..='\u{6F9}' => char::from(b'0' + (c as u32 - 0x6F0) as u8),
            other => other,
        })
        .collect()
}

/// Runs of ASCII digits in `text` with their byte ranges.
fn numbers(text: &str) -> Vec<(usize, usize, u32)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at].is_ascii_digit() {
            let start = at;
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                at += 1;
            }
            // Longer runs are no part of a date or time; they count as a huge number.
            let value = text
                .get(start..at)
                .filter(|digits| digits.len() <= 6)
                .and_then(|digits| digits.parse().ok())
                .unwrap_or(u32::MAX);
            found.push((start, at, value));
        } else {
            at += 1;
        }
    }
    found
}

/// `22-10-2023`, `22/10/2023`, `22.10.2023` (day first, unless only the other order is a
/// date) or `2023-10-22`.
fn find_day(text: &str) -> Option<NaiveDate> {
    let numbers = numbers(text);
    let bytes = text.as_bytes();
    let separated = |left: usize, right: usize| {
        right == left + 1 && matches!(bytes.get(left), Some(b'-' | b'/' | b'.'))
    };
    numbers.windows(3).find_map(|w| {
        let [(_, a_end, a), (b_start, b_end, b), (c_start, _, c)] = *w else {
            return None;
        };
        if !separated(a_end, b_start) || !separated(b_end, c_start) {
            return None;
        }
        let year = |y: u32| i32::try_from(y).ok().filter(|y| (1970..=9999).contains(y));
        if let Some(year) = year(a) {
            return NaiveDate::from_ymd_opt(year, b, c);
        }
        let year = year(c)?;
        NaiveDate::from_ymd_opt(year, b, a).or_else(|| NaiveDate::from_ymd_opt(year, a, b))
    })
}

/// `HH:MM` (or `HH:MM:SS`), with AM/PM (`am`, `p.m.`, `ص`, `م`) when given.
fn find_clock(text: &str) -> Option<(NaiveTime, bool)> {
    let numbers = numbers(text);
    let bytes = text.as_bytes();
    numbers.windows(2).find_map(|w| {
        let [(_, h_end, hour), (m_start, m_end, minute)] = *w else {
            return None;
        };
        if m_start != h_end + 1 || bytes.get(h_end) != Some(&b':') || m_end - m_start != 2 {
            return None;
        }
        let after = text.get(m_end..).unwrap_or_default();
        let after = after
            .strip_prefix(':')
            .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
            .unwrap_or(after);
        let half = half_of_day(after);
        let hour = match half {
            Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
            _ => hour,
        };
        NaiveTime::from_hms_opt(hour, minute, 0).map(|time| (time, half.is_some()))
    })
}

/// `Some(true)` for PM, `Some(false)` for AM, said right after a time.
fn half_of_day(after: &str) -> Option<bool> {
    let word: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '.')
        .filter(|c| *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    match word.as_str() {
        "am" | "a" | "ص" | "صباحا" | "صباحاً" => Some(false),
        "pm" | "p" | "م" | "مساء" | "مساءً" | "مساءا" => Some(true),
        _ => None,
    }
}

/// "5 minutes ago", "an hour ago", "منذ 5 دقائق", "منذ ساعتين", "قبل يوم", "just now", "الآن".
fn read_ago(text: &str) -> Option<Duration> {
    let lower = text.to_lowercase();
    if matches!(
        lower.as_str(),
        "just now" | "now" | "الآن" | "الان" | "منذ لحظات"
    ) {
        return Some(Duration::zero());
    }
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(at) = words.iter().position(|w| *w == "ago") {
        let before = words.get(..at)?;
        let (unit, count) = match before {
            [.., count, unit] => (*unit, english_count(count)?),
            [unit] => (*unit, 1),
            [] => return None,
        };
        let count = i32::try_from(count).ok()?;
        return english_unit(unit).map(|unit| unit * count);
    }
    let at = words.iter().position(|w| matches!(*w, "منذ" | "قبل"))?;
    let rest = words.get(at + 1..)?;
    match rest {
        [first, second, ..] if first.parse::<u32>().is_ok() => {
            let count = first.parse::<i32>().ok()?;
            arabic_unit(second).map(|(unit, _)| unit * count)
        }
        [word, ..] => arabic_unit(word).map(|(unit, times)| unit * times),
        [] => None,
    }
}

fn english_count(word: &str) -> Option<u32> {
    match word {
        "a" | "an" | "one" => Some(1),
        digits => digits.parse().ok(),
    }
}

fn english_unit(word: &str) -> Option<Duration> {
    let unit = word.strip_suffix('s').unwrap_or(word);
    Some(match unit {
        "second" | "sec" => Duration::seconds(1),
        "minute" | "min" => Duration::minutes(1),
        "hour" | "hr" => Duration::hours(1),
        "day" => Duration::days(1),
        "week" => Duration::weeks(1),
        _ => return None,
    })
}

/// An Arabic unit word and how many of it the word itself says (its dual form says two).
fn arabic_unit(word: &str) -> Option<(Duration, i32)> {
    Some(match word {
        "ثانية" | "ثوان" | "ثواني" | "ثوانٍ" => (Duration::seconds(1), 1),
        "ثانيتين" | "ثانيتان" => (Duration::seconds(1), 2),
        "دقيقة" | "دقائق" => (Duration::minutes(1), 1),
        "دقيقتين" | "دقيقتان" => (Duration::minutes(1), 2),
        "ساعة" | "ساعات" => (Duration::hours(1), 1),
        "ساعتين" | "ساعتان" => (Duration::hours(1), 2),
        "يوم" | "أيام" | "ايام" => (Duration::days(1), 1),
        "يومين" | "يومان" => (Duration::days(1), 2),
        "أسبوع" | "اسبوع" | "أسابيع" | "اسابيع" => (Duration::weeks(1), 1),
        "أسبوعين" | "اسبوعين" => (Duration::weeks(1), 2),
        _ => return None,
    })
}

/// The moments of a list's stamps, in the page's order (`None`: no time said). `zone` is
/// the page's; `now` bounds every moment (a page's clock never shows the future).
///
/// The list is taken to run newest first unless its times mostly run the other way, in
/// which case it is read from the end. A page whose bare times never pass 12:59 and never
/// show 00 is on a 12-hour clock.
pub fn moments(
    stamps: &[Option<Stamp>],
    zone: FixedOffset,
    now: DateTime<Utc>,
) -> Vec<Option<DateTime<Utc>>> {
    let clock_hours: Vec<u32> = stamps
        .iter()
        .filter_map(|stamp| match stamp {
            Some(Stamp::Clock {
                time,
                said_half: false,
            }) => Some(chrono::Timelike::hour(time)),
            _ => None,
        })
        .collect();
    let twelve_hour = !clock_hours.is_empty() && clock_hours.iter().all(|h| (1..=12).contains(h));
    let order: Vec<usize> = if runs_oldest_first(stamps, twelve_hour) {
        (0..stamps.len()).rev().collect()
    } else {
        (0..stamps.len()).collect()
    };
    let mut moments = vec![None; stamps.len()];
    let mut bound = now;
    for index in order {
        let moment = match stamps[index] {
            None => None,
            Some(Stamp::At(at)) => Some(at.min(now)),
            Some(Stamp::Ago(ago)) => now.checked_sub_signed(ago),
            Some(Stamp::Day(day, time)) => zone
                .from_local_datetime(&day.and_time(time.unwrap_or(NaiveTime::MIN)))
                .earliest()
                .map(|at| at.with_timezone(&Utc).min(now)),
            Some(Stamp::Clock { time, said_half }) => {
                let step = if twelve_hour && !said_half {
                    Duration::hours(12)
                } else {
                    Duration::hours(24)
                };
                latest_at_or_before(time, step, bound, zone)
            }
        };
        if let Some(moment) = moment {
            bound = moment;
        }
        moments[index] = moment;
    }
    moments
}

/// Whether a list's bare times mostly rise from one item to the next. A clock goes round,
/// so each step counts the short way round: 23:50 after 00:15 is 25 minutes back.
fn runs_oldest_first(stamps: &[Option<Stamp>], twelve_hour: bool) -> bool {
    let period = if twelve_hour { 12 * 60 } else { 24 * 60 };
    let minutes: Vec<u32> = stamps
        .iter()
        .filter_map(|stamp| match stamp {
            Some(Stamp::Clock { time, .. }) => {
                let minute = chrono::Timelike::hour(time) * 60 + chrono::Timelike::minute(time);
                Some(minute % period)
            }
            _ => None,
        })
        .collect();
    let steps = minutes
        .windows(2)
        .map(|w| (w[1] + period - w[0]) % period)
        .filter(|&step| step != 0);
    let (rising, falling) = steps.fold((0, 0), |(up, down), step| {
        if step < period / 2 {
            (up + 1, down)
        } else {
            (up, down + 1)
        }
    });
    rising > falling
}

/// The latest moment at or before `bound` whose clock in `zone` reads `time`, the clock
/// repeating every `step` (12 or 24 hours).
fn latest_at_or_before(
    time: NaiveTime,
    step: Duration,
    bound: DateTime<Utc>,
    zone: FixedOffset,
) -> Option<DateTime<Utc>> {
    let local_day = bound.with_timezone(&zone).date_naive();
    // Two days back covers every case: the same day, the day before, and on a 12-hour
    // clock the same reading twelve hours earlier on either.
    let mut latest = None;
    for back in 0..=2 {
        let day = local_day.checked_sub_days(chrono::Days::new(back))?;
        let first = zone
            .from_local_datetime(&day.and_time(time))
            .earliest()?
            .with_timezone(&Utc);
        for candidate in [first, first + step] {
            if candidate <= bound && latest.is_none_or(|latest| candidate > latest) {
                latest = Some(candidate);
            }
        }
    }
    latest
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The zone of the seed's site.
    pub(in crate::feed::page) fn gulf() -> FixedOffset {
        FixedOffset::east_opt(4 * 3600).unwrap()
    }

    /// A moment on the site's clock.
    pub(in crate::feed::page) fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        gulf()
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn clock(h: u32, m: u32) -> Option<Stamp> {
        Some(Stamp::Clock {
            time: NaiveTime::from_hms_opt(h, m, 0).unwrap(),
            said_half: false,
        })
    }

    #[test]
    fn stamps_in_the_forms_pages_print() {
        assert_eq!(read_stamp("01:29"), clock(1, 29));
        assert_eq!(read_stamp(" ٠١:٢٩ . "), clock(1, 29));
        assert_eq!(read_stamp("۱۲:۴۶"), clock(12, 46));
        assert_eq!(
            read_stamp("9:05 PM"),
            Some(Stamp::Clock {
                time: NaiveTime::from_hms_opt(21, 5, 0).unwrap(),
                said_half: true
            })
        );
        assert_eq!(
            read_stamp("12:10 ص"),
            Some(Stamp::Clock {
                time: NaiveTime::from_hms_opt(0, 10, 0).unwrap(),
                said_half: true
            })
        );
        assert_eq!(
            read_stamp("منذ 5 دقائق"),
            Some(Stamp::Ago(Duration::minutes(5)))
        );
        assert_eq!(
            read_stamp("منذ ٣ ساعات"),
            Some(Stamp::Ago(Duration::hours(3)))
        );
        assert_eq!(
            read_stamp("منذ ساعتين"),
            Some(Stamp::Ago(Duration::hours(2)))
        );
        assert_eq!(read_stamp("قبل يوم"), Some(Stamp::Ago(Duration::days(1))));
        assert_eq!(
            read_stamp("5 minutes ago"),
            Some(Stamp::Ago(Duration::minutes(5)))
        );
        assert_eq!(
            read_stamp("an hour ago"),
            Some(Stamp::Ago(Duration::hours(1)))
        );
        assert_eq!(
            read_stamp("2 days ago"),
            Some(Stamp::Ago(Duration::days(2)))
        );
        let day = NaiveDate::from_ymd_opt(2023, 10, 22).unwrap();
        assert_eq!(read_stamp("22-10-2023"), Some(Stamp::Day(day, None)));
        assert_eq!(
            read_stamp("تاريخ الخبر: 22-10-2023"),
            Some(Stamp::Day(day, None))
        );
        assert_eq!(read_stamp("2023/10/22"), Some(Stamp::Day(day, None)));
        assert_eq!(read_stamp("10/22/2023"), Some(Stamp::Day(day, None)));
        assert_eq!(
            read_stamp("٢٢-١٠-٢٠٢٣ ٠١:٢٩"),
            Some(Stamp::Day(day, NaiveTime::from_hms_opt(1, 29, 0)))
        );
        assert!(matches!(
            read_stamp("Sun, 22 Oct 2023 01:29:00 +0400"),
            Some(Stamp::At(_))
        ));
        let utc = Utc.with_ymd_and_hms(2023, 10, 22, 1, 29, 0).unwrap();
        assert_eq!(read_stamp("2023-10-22T01:29:00Z"), Some(Stamp::At(utc)));
        assert_eq!(
            read_stamp("2023-10-22T05:29:00+04:00"),
            Some(Stamp::At(utc))
        );
        // Without a zone, the page's.
        assert_eq!(
            read_stamp("2023-10-22 01:29"),
            Some(Stamp::Day(
                NaiveDate::from_ymd_opt(2023, 10, 22).unwrap(),
                NaiveTime::from_hms_opt(1, 29, 0)
            ))
        );
        assert!(matches!(read_stamp("22 أكتوبر 2023"), Some(Stamp::At(_))));
        for nothing in [
            "",
            "المزيد",
            "99:99",
            "12345678901234567890",
            &"9".repeat(500),
        ] {
            assert_eq!(read_stamp(nothing), None, "{nothing}");
        }
    }

    #[test]
    fn a_newest_first_list_of_bare_times_runs_back_across_midnight() {
        // The seed page: a 12-hour clock with no AM/PM, read at 02:00 on 9 December.
        let times = [
            (1, 29),
            (12, 46),
            (12, 39),
            (9, 35),
            (7, 27),
            (1, 10),
            (12, 46),
            (11, 31),
        ];
        let stamps: Vec<_> = times.iter().map(|&(h, m)| clock(h, m)).collect();
        let now = local(2024, 12, 9, 2, 0);
        let got = moments(&stamps, gulf(), now);
        let want = [
            local(2024, 12, 9, 1, 29),
            local(2024, 12, 9, 0, 46),
            local(2024, 12, 9, 0, 39),
            local(2024, 12, 8, 21, 35),
            local(2024, 12, 8, 19, 27),
            local(2024, 12, 8, 13, 10),
            local(2024, 12, 8, 12, 46),
            local(2024, 12, 8, 11, 31),
        ];
        assert_eq!(got, want.map(Some));
    }

    #[test]
    fn a_24_hour_page_steps_back_a_day_at_a_time() {
        let stamps = [clock(0, 15), clock(23, 50), clock(14, 0), clock(14, 30)];
        let now = local(2024, 12, 9, 0, 20);
        assert_eq!(
            moments(&stamps, gulf(), now),
            [
                Some(local(2024, 12, 9, 0, 15)),
                Some(local(2024, 12, 8, 23, 50)),
                Some(local(2024, 12, 8, 14, 0)),
                // Out of order on the page: the day before, never the future.
                Some(local(2024, 12, 7, 14, 30)),
            ]
        );
    }

    #[test]
    fn a_list_oldest_first_is_read_from_its_end() {
        let stamps = [clock(18, 0), clock(19, 0), clock(20, 0)];
        let now = local(2024, 12, 9, 20, 30);
        assert_eq!(
            moments(&stamps, gulf(), now),
            [
                Some(local(2024, 12, 9, 18, 0)),
                Some(local(2024, 12, 9, 19, 0)),
                Some(local(2024, 12, 9, 20, 0)),
            ]
        );
    }

    #[test]
    fn relative_and_dated_stamps_and_no_future() {
        let now = local(2024, 12, 9, 10, 0);
        let day = NaiveDate::from_ymd_opt(2024, 12, 8).unwrap();
        let stamps = [
            Some(Stamp::Ago(Duration::minutes(5))),
            Some(Stamp::Day(day, NaiveTime::from_hms_opt(9, 0, 0))),
            None,
            Some(Stamp::At(now + Duration::days(3))),
        ];
        assert_eq!(
            moments(&stamps, gulf(), now),
            [
                Some(local(2024, 12, 9, 9, 55)),
                Some(local(2024, 12, 8, 9, 0)),
                None,
                Some(now),
            ]
        );
    }
}
