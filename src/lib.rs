//! akhbar: a terminal headline ticker for RSS, Atom and JSON Feed, with Arabic laid out right.
//!
//! Module map:
//! - [`model`]: the types every side uses (headlines, health, validators, locations, the
//!   refresher's events), below all the modules that name them: no two modules import each
//!   other in a circle (`scripts/module-graph` prints the graph, `tests/module_graph.rs` keeps it so).
//! - [`cli`]: command-line definitions, resolved into typed options by `main`.
//! - [`config`]: the TOML config file (`RawConfig` → [`config::Config`]) and XDG paths;
//!   [`read_limit`] reads it (and OPML files) with a size cap and a deadline.
//! - [`source`]: where headlines come from: configured feeds, `--feed` arguments, the bundled demo.
//! - [`feed`]: the feed pipeline: fetch → decode → repair → parse → [`feed::Headline`]s.
//! - [`text`]: text hygiene and the bidi layout engine: shaping, levels, lines, the ticker strip.
//! - [`opml`]: OPML subscription lists, read leniently and written as OPML 2.0; [`import`] adds
//!   an OPML file's feeds to the config file, keeping its comments and layout.
//! - [`discover`]: a site's feed found from any of its pages, for `akhbar add`.
//! - [`print`]: the `akhbar print` command: headlines as TSV or JSON lines.
//! - [`cmd`]: the other commands without the screen, `watch` (news as it arrives) and
//!   `count` (unread counts for a status bar), and the mutes-and-filter rule all three share.
//! - [`log`]: the capped log file under `$XDG_STATE_HOME`, never on the screen.
//! - [`refresh`]: the background refresher: schedule, backoff, health, one event per feed.
//! - [`store`]: the SQLite store: headlines, read marks, HTTP validators and health across runs;
//!   [`persist`] runs its writes on a thread of their own; [`retention`] is how much both the
//!   store and the screen keep.
//! - [`tui`]: the terminal UI's core: [`tui::state`] is the ticker's pure state and `update`,
//!   [`tui::event_loop`] runs the loop and [`tui::effects`] carries out what its commands ask,
//!   [`tui::keys`] is the one key table (keymap, help and the README's table),
//!   [`tui::terminal`] sets the terminal up (bidi handshake included) and restores it;
//!   [`ui`] draws the state, a module per region, behind the loop's [`tui::View`] (so `tui`
//!   never names `ui`); [`panic`] decides what a panic does to the terminal.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod article;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod discover;
pub mod feed;
pub mod full_text;
pub mod import;
pub mod log;
pub mod model;
pub mod opml;
pub mod panic;
pub mod persist;
pub mod print;
pub mod query;
pub mod read_limit;
pub mod refresh;
pub mod retention;
pub mod secret;
pub mod source;
pub mod store;
pub mod text;
pub mod tui;
pub mod ui;

/// The `User-Agent` akhbar sends, `akhbar/<version>`.
pub const USER_AGENT: &str = concat!("akhbar/", env!("CARGO_PKG_VERSION"));
