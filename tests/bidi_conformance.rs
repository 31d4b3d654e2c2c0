//! Unicode's bidi conformance tests (BidiTest.txt, BidiCharacterTest.txt, Unicode 15.0), run
//! in full through akhbar's bidi layer: every case, every base direction the files give
//! (auto, LTR, RTL), checking resolved levels (after L1) and the visual order (L2).
//!
//! The data is vendored gzip-compressed under `tests/fixtures/unicode/`. Each file is cut
//! in two halves that are parsed and checked on two threads, to keep this test a few
//! seconds long in debug builds.

use std::io::Read;

use akhbar::text::bidi::{self, Dir};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/unicode/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// What checking part of a file found.
#[derive(Default)]
struct Outcome {
    cases: usize,
    passed: usize,
    failures: Vec<String>,
}

impl Outcome {
    fn merge(mut self, other: Outcome) -> Outcome {
        self.cases += other.cases;
        self.passed += other.passed;
        self.failures.extend(other.failures);
        self
    }

    fn assert_all_passed(&self, file: &str, expected_cases: usize) {
        assert!(
            self.failures.is_empty(),
            "{} {file} cases failed; first:\n{}",
            self.failures.len(),
            self.failures[..self.failures.len().min(10)].join("\n")
        );
        assert_eq!(self.cases, expected_cases, "every case of {file} was run");
        assert_eq!(self.passed, self.cases);
    }
}

/// Splits `text` into two halves of whole lines, the second starting at a line for which
/// `starts_section` holds (so that each half parses on its own).
fn halves(text: &str, starts_section: impl Fn(&str) -> bool) -> [(usize, &str); 2] {
    let mut at = text.len() / 2;
    loop {
        match text[at..].find('\n') {
            Some(newline) => at += newline + 1,
            None => return [(0, text), (0, "")],
        }
        if starts_section(&text[at..]) {
            break;
        }
    }
    let lines_before = text[..at].matches('\n').count();
    [(0, &text[..at]), (lines_before, &text[at..])]
}

/// Checks the two halves of a file on two threads.
fn check_in_parallel(halves: [(usize, &str); 2], check: fn(usize, &str) -> Outcome) -> Outcome {
    std::thread::scope(|scope| {
        let workers: Vec<_> = halves
            .into_iter()
            .map(|(first_line, part)| scope.spawn(move || check(first_line, part)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap())
            .fold(Outcome::default(), Outcome::merge)
    })
}

/// Resolves one paragraph and compares it with the expected levels and order.
fn check_case(
    line: usize,
    input: &str,
    dir: Option<Dir>,
    paragraph_level: Option<u8>,
    expected_levels: &[Option<u8>],
    expected_order: &[usize],
) -> Result<(), String> {
    let resolved = bidi::resolve(input, dir);
    let levels = resolved.line_levels(0..resolved.len());
    let order = bidi::visual_order(&levels);
    let paragraph_ok = paragraph_level.is_none_or(|level| level == resolved.paragraph_level());
    if paragraph_ok && levels == expected_levels && order == expected_order {
        Ok(())
    } else {
        Err(format!(
            "line {line}: {:?} dir {dir:?}: paragraph level {} (expected {paragraph_level:?}), \
             levels {levels:?} (expected {expected_levels:?}), order {order:?} (expected \
             {expected_order:?})",
            input
                .chars()
                .map(|c| format!("{:04X}", u32::from(c)))
                .collect::<Vec<_>>(),
            resolved.paragraph_level(),
        ))
    }
}

fn parse_levels(field: &str) -> Vec<Option<u8>> {
    field
        .split_whitespace()
        .map(|l| {
            if l == "x" {
                None
            } else {
                Some(l.parse().unwrap())
            }
        })
        .collect()
}

fn parse_order(field: &str) -> Vec<usize> {
    field
        .split_whitespace()
        .map(|i| i.parse().unwrap())
        .collect()
}

/// A character of each bidi class, for BidiTest.txt's class sequences.
fn sample(class: &str) -> char {
    match class {
        "L" => 'a',
        "R" => '\u{05D0}',
        "AL" => '\u{0627}',
        "EN" => '1',
        "ES" => '+',
        "ET" => '%',
        "AN" => '\u{0661}',
        "CS" => ',',
        "NSM" => '\u{0300}',
        "BN" => '\u{00AD}',
        "B" => '\u{2029}',
        "S" => '\t',
        "WS" => ' ',
        "ON" => '!',
        "LRE" => '\u{202A}',
        "LRO" => '\u{202D}',
        "RLE" => '\u{202B}',
        "RLO" => '\u{202E}',
        "PDF" => '\u{202C}',
        "LRI" => '\u{2066}',
        "RLI" => '\u{2067}',
        "FSI" => '\u{2068}',
        "PDI" => '\u{2069}',
        other => panic!("unknown bidi class {other}"),
    }
}

#[test]
fn sample_characters_have_their_classes() {
    for class in [
        "L", "R", "AL", "EN", "ES", "ET", "AN", "CS", "NSM", "BN", "B", "S", "WS", "ON", "LRE",
        "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI",
    ] {
        assert_eq!(format!("{:?}", bidi::class_of(sample(class))), class);
    }
}

/// Checks the BidiTest.txt lines in `part` (starting with a `@Levels:` line, or the file's
/// header), `first_line` being the number of lines before it.
fn check_bidi_test(first_line: usize, part: &str) -> Outcome {
    let mut outcome = Outcome::default();
    let mut levels = Vec::new();
    let mut order = Vec::new();
    for (index, line) in part.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("@Levels:") {
            levels = parse_levels(rest);
            continue;
        }
        if let Some(rest) = line.strip_prefix("@Reorder:") {
            order = parse_order(rest);
            continue;
        }
        if line.starts_with('@') {
            continue;
        }
        let (classes, bitset) = line.split_once(';').unwrap();
        let input: String = classes.split_whitespace().map(sample).collect();
        let bitset = u8::from_str_radix(bitset.trim(), 16).unwrap();
        // Auto direction is the first strong character's — what `resolve(_, None)` does, and
        // what BidiCharacterTest.txt's auto cases check through it. When it equals an
        // explicit direction the line also asks for, one resolution serves both cases.
        let auto = bidi::first_strong(&input).unwrap_or(Dir::Ltr);
        let mut runs: Vec<(Option<Dir>, usize)> = Vec::with_capacity(3);
        for (bit, dir) in [(2, Dir::Ltr), (4, Dir::Rtl)] {
            if bitset & bit != 0 {
                runs.push((Some(dir), 1));
            }
        }
        if bitset & 1 != 0 {
            match runs.iter_mut().find(|(dir, _)| *dir == Some(auto)) {
                Some((_, weight)) => *weight += 1,
                None => runs.push((None, 1)),
            }
        }
        for (dir, weight) in runs {
            outcome.cases += weight;
            match check_case(first_line + index + 1, &input, dir, None, &levels, &order) {
                Ok(()) => outcome.passed += weight,
                Err(failure) => outcome.failures.push(failure),
            }
        }
    }
    outcome
}

#[test]
fn bidi_test_txt_passes_in_full() {
    let data = fixture("BidiTest.txt.gz");
    let parts = halves(&data, |rest| rest.starts_with("@Levels:"));
    check_in_parallel(parts, check_bidi_test).assert_all_passed("BidiTest-15.0.0.txt", 770_241);
}

/// Checks the BidiCharacterTest.txt lines in `part`.
fn check_bidi_character_test(first_line: usize, part: &str) -> Outcome {
    let mut outcome = Outcome::default();
    for (index, line) in part.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let number = first_line + index + 1;
        let fields: Vec<&str> = line.split(';').collect();
        let input: String = fields[0]
            .split_whitespace()
            .map(|hex| char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap())
            .collect();
        let dir = match fields[1].trim() {
            "0" => Some(Dir::Ltr),
            "1" => Some(Dir::Rtl),
            "2" => None,
            other => panic!("line {number}: unknown direction {other}"),
        };
        let paragraph_level = Some(fields[2].trim().parse().unwrap());
        outcome.cases += 1;
        match check_case(
            number,
            &input,
            dir,
            paragraph_level,
            &parse_levels(fields[3]),
            &parse_order(fields[4]),
        ) {
            Ok(()) => outcome.passed += 1,
            Err(failure) => outcome.failures.push(failure),
        }
    }
    outcome
}

#[test]
fn bidi_character_test_txt_passes_in_full() {
    let data = fixture("BidiCharacterTest.txt.gz");
    let parts = halves(&data, |_| true);
    check_in_parallel(parts, check_bidi_character_test)
        .assert_all_passed("BidiCharacterTest-15.0.0.txt", 91_707);
}

#[test]
fn a_broken_case_is_reported() {
    // The harness itself must be able to fail: a wrong expectation is caught.
    let outcome = check_bidi_test(0, "@Levels: 1\n@Reorder: 0\nL; 2\n");
    assert_eq!(
        (outcome.cases, outcome.passed, outcome.failures.len()),
        (1, 0, 1)
    );
    let outcome = check_bidi_test(0, "@Levels: 0\n@Reorder: 0\nL; 3\n");
    assert_eq!((outcome.cases, outcome.passed), (2, 2));
}
