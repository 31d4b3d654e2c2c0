//! Config text as a user (or a typo) writes it: a config or an error with a line number in
//! the file, never a panic, and no accepted value that could overflow the time arithmetic
//! that uses it.
#![no_main]

use akhbar::config::{self, ConfigError};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::time::{Duration, Instant};

/// The config's own ceiling for every duration.
const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 60 * 60);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match config::parse(text, Path::new("config.toml")) {
        Ok(config) => {
            let now = Instant::now();
            for duration in [config.refresh, config.timeout, config.keep]
                .into_iter()
                .chain(config.feeds.iter().map(|feed| config.refresh_for(feed)))
            {
                assert!(duration <= MAX_DURATION, "{duration:?} accepted");
                assert!(now.checked_add(duration).is_some());
            }
            assert!(
                (0.5..=200.0).contains(&config.speed),
                "speed {}",
                config.speed
            );
            assert!(config.max_per_feed <= 100_000);
            for feed in &config.feeds {
                assert!(!feed.url.is_empty());
                assert_eq!(feed.url.trim(), feed.url);
            }
        }
        Err(ConfigError::Invalid { line, message, .. }) => {
            assert!(line >= 1 && line <= text.lines().count() + 1, "line {line}");
            assert!(!message.is_empty());
        }
        Err(ConfigError::Read { .. }) => panic!("parsing text read a file"),
    }
});
