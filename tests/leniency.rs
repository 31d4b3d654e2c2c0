//! Every leniency fixture served over a real HTTP server on 127.0.0.1 and read by `akhbar print`.
//!
//! The expectations live beside the fixtures, in `tests/fixtures/feeds/README.md`.

mod common;

use common::{Reply, TestServer, akhbar};
use std::path::Path;

struct Expectation {
    fixture: String,
    content_type: String,
    count: usize,
    title: String,
}

fn expectations() -> Vec<Expectation> {
    let readme = std::fs::read_to_string("tests/fixtures/feeds/README.md").unwrap();
    let table = readme
        .split("## expectations")
        .nth(1)
        .and_then(|rest| rest.split("```tsv").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("an expectations table in tests/fixtures/feeds/README.md");
    table
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "bad expectation line: {line:?}");
            Expectation {
                fixture: fields[0].to_owned(),
                content_type: fields[1].to_owned(),
                count: fields[2].parse().unwrap(),
                title: fields[3].to_owned(),
            }
        })
        .collect()
}

#[test]
fn every_fixture_yields_its_headlines_over_http() {
    let server = TestServer::start();
    let expectations = expectations();
    assert!(expectations.len() >= 15, "too few fixtures");
    let mut failures = Vec::new();
    for expected in &expectations {
        let path = Path::new("tests/fixtures/feeds").join(&expected.fixture);
        let body = std::fs::read(&path).unwrap();
        let route = format!("/{}", expected.fixture);
        server.route(&route, Reply::feed(&expected.content_type, body));
        let url = server.url(&route);
        let (code, stdout, stderr) = akhbar(&["print", "--feed", &url]);
        let titles: Vec<&str> = stdout
            .lines()
            .filter_map(|line| line.split('\t').nth(2))
            .collect();
        if expected.count == 0 {
            let one_line =
                stderr.lines().count() == 1 && stderr.starts_with(&format!("akhbar: {url}: "));
            if code == 0 || !stdout.is_empty() || !one_line {
                failures.push(format!("{}: expected a one-line failure, got code {code}, stdout {stdout:?}, stderr {stderr:?}", expected.fixture));
            }
            continue;
        }
        if code != 0 || titles.len() != expected.count || !titles.contains(&expected.title.as_str())
        {
            failures.push(format!(
                "{}: code {code}, {} headlines (expected {}), title {:?} {}; stderr {stderr:?}; titles {titles:?}",
                expected.fixture,
                titles.len(),
                expected.count,
                expected.title,
                if titles.contains(&expected.title.as_str()) { "found" } else { "missing" },
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
