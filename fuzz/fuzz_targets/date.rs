//! Feed dates: any string gives a date or `None`, never a panic, and a date read once reads
//! back the same when written in the standard forms.
#![no_main]

use akhbar::feed::date::parse_date;
use chrono::Datelike;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let parsed = parse_date(&input);
    assert_eq!(
        parse_date(&format!(" {input}\t")),
        parsed,
        "surrounding blanks count"
    );
    let Some(date) = parsed else {
        return;
    };
    assert_eq!(parse_date(&date.to_rfc3339()), Some(date), "{input:?}");
    // RFC 2822 has four-digit years only (chrono refuses others).
    if (0..=9999).contains(&date.year()) && date.timestamp_subsec_nanos() == 0 {
        assert_eq!(parse_date(&date.to_rfc2822()), Some(date), "{input:?}");
    }
});
