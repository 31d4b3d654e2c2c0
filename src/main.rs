//! The `akhbar` binary: wiring only — CLI, config, sources, then the chosen command.

use akhbar::app::{self, Refresher};
use akhbar::cli::{Cli, Command};
use akhbar::config::{self, Config};
use akhbar::feed::fetch::{FetchOptions, Fetcher};
use akhbar::persist::{self, Retention};
use akhbar::refresh::Seed;
use akhbar::state::AppState;
use akhbar::store::{self, CachedSource, Store};
use akhbar::ui::{TextMode, UiCache};
use akhbar::{print, source, terminal};
use anyhow::Context;
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    quiet_caught_panics();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("akhbar: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = cli.global_args();
    if let Some(outcome) = run_config_command(&cli, global.config.clone()) {
        return outcome;
    }
    let (config, config_path) = load_config(global.config)?;
    let sources = source::resolve(&global.feeds, &config)?;
    let fetcher = Fetcher::new(FetchOptions {
        timeout: config.timeout,
        max_body: config.max_body,
        ..FetchOptions::default()
    })?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let retention = Retention {
        keep: config.keep,
        max_per_feed: config.max_per_feed,
    };
    match cli.command {
        Some(Command::Print(args)) => {
            if sources.is_demo {
                eprintln!("akhbar: {}", source::demo_hint(config_path.as_deref()));
            }
            let Stored {
                mut store,
                cache,
                notes,
            } = open_store(&sources.list);
            for note in &notes {
                eprintln!("akhbar: {note}");
            }
            let now = chrono::Utc::now();
            let results = (!args.offline).then(|| {
                let validators: Vec<_> = cache.iter().map(|c| c.validators.clone()).collect();
                runtime.block_on(print::fetch_all(&fetcher, &sources.list, &validators, now))
            });
            let mut outcome = print::collect(
                &sources.list,
                results,
                cache,
                store.as_mut(),
                retention,
                now,
            );
            if let Some(filter) = &global.filter {
                let query = akhbar::query::Query::parse(filter);
                outcome
                    .headlines
                    .retain(|item| query.matches(&akhbar::state::searchable_text(item)));
            }
            let mut stderr = std::io::stderr().lock();
            for error in &outcome.store_errors {
                writeln!(stderr, "akhbar: {error}")?;
            }
            for (location, reason) in &outcome.failures {
                writeln!(stderr, "akhbar: {location}: {reason}")?;
            }
            let mut stdout = std::io::stdout().lock();
            let order = if args.visual {
                print::Order::Visual
            } else {
                print::Order::Logical
            };
            let written = print::write_headlines(
                &mut stdout,
                &outcome.headlines,
                &outcome.read,
                args.format,
                order,
            );
            match written {
                // A closed pipe (`akhbar print | head`) is the reader's choice, not an error.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write to standard output")?,
            }
            Ok(if outcome.succeeded > 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        // Handled by run_config_command, before any config is loaded.
        Some(Command::Import(_) | Command::Export(_)) => Ok(ExitCode::SUCCESS),
        None => {
            let mut hint = sources
                .is_demo
                .then(|| source::demo_hint(config_path.as_deref()));
            let Stored {
                store,
                cache,
                notes,
            } = open_store(&sources.list);
            if let Some(note) = notes.first() {
                // Said again on the way out, where it stays readable.
                hint = Some(note.clone());
            }
            let seeds = cache
                .iter()
                .map(|cached| Seed {
                    validators: cached.validators.clone(),
                    health: cached.health.clone(),
                })
                .collect();
            let (persister, writer) = match store.map(|store| persist::spawn(store, retention)) {
                Some(Ok((persister, writer))) => (Some(persister), Some(writer)),
                Some(Err(error)) => {
                    hint = Some(format!("cannot start the store's thread: {error}"));
                    (None, None)
                }
                None => (None, None),
            };
            let mut state = AppState::new(sources.list.clone(), hint)
                .with_cache(cache)
                .with_filter(global.filter.as_deref().unwrap_or(""));
            state.motion = config.motion && !global.no_motion;
            state.ticker_speed = config.speed;
            let refresher = Refresher {
                fetcher,
                sources: sources.list,
                interval: config.refresh,
                seeds,
                store: persister.clone(),
            };
            let reorder = terminal::reorder_for(global.bidi.unwrap_or(config.bidi), |name| {
                std::env::var(name).ok()
            });
            // The panic hooks installed here restore the terminal; restore() covers every
            // other way out (q, Ctrl-C, SIGTERM, SIGHUP, SIGINT all return normally).
            let mut terminal = terminal::enter(reorder).context("cannot set up the terminal")?;
            quiet_caught_panics();
            let result = runtime.block_on(app::run(
                &mut terminal,
                terminal::events(),
                state,
                UiCache::new(TextMode {
                    reorder: reorder == terminal::Reorder::App,
                    shape: config.shape,
                    hyperlinks: config.hyperlinks,
                }),
                refresher,
                persister,
                &mut app::SystemEffects,
            ));
            terminal::restore(reorder);
            // Requests still in flight (a hanging server) must not hold the exit up.
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
            // Every handle to the store's thread is gone with the runtime: it finishes
            // what it was given and ends.
            let store_errors = writer
                .map(|writer| writer.join().unwrap_or_default())
                .unwrap_or_default();
            for error in notes.iter().chain(&store_errors) {
                eprintln!("akhbar: {error}");
            }
            result?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The store as a run starts with it.
struct Stored {
    /// `None`: akhbar runs without one, keeping nothing.
    store: Option<Store>,
    /// What it holds for each source, by index.
    cache: Vec<CachedSource>,
    /// What did not go plainly, one line each: a damaged file set aside, no store at all, a
    /// cache that could not be read.
    notes: Vec<String>,
}

/// Opens the store and reads what it holds for `sources`.
fn open_store(sources: &[source::Source]) -> Stored {
    let mut notes = Vec::new();
    let store = match store::default_path() {
        None => {
            notes.push(
                "no place for the store ($HOME and $XDG_DATA_HOME unset); nothing is kept".into(),
            );
            None
        }
        Some(path) => match Store::open(&path) {
            Ok(opened) => {
                if let Some(aside) = opened.set_aside {
                    notes.push(format!(
                        "the store was damaged ({}); it was moved to {} and a new one started",
                        aside.reason,
                        aside.path.display()
                    ));
                }
                Some(opened.store)
            }
            Err(error) => {
                notes.push(format!("{error}; nothing is kept this run"));
                None
            }
        },
    };
    let cache = print::cached(store.as_ref(), sources).unwrap_or_else(|error| {
        notes.push(error);
        Vec::new()
    });
    Stored {
        store,
        cache,
        notes,
    }
}

/// `--print-default-config`, `import` and `export`: commands about the config file and its
/// feeds, which fetch nothing. `None` for the other commands.
fn run_config_command(
    cli: &Cli,
    global_config: Option<PathBuf>,
) -> Option<anyhow::Result<ExitCode>> {
    if cli.print_default_config {
        return Some(write_stdout(config::DEFAULT_CONFIG_TEXT.as_bytes()));
    }
    match &cli.command {
        Some(Command::Import(args)) => Some(import_opml(
            &args.file,
            args.config.clone().or(global_config),
        )),
        Some(Command::Export(args)) => Some(export_opml(args.config.clone().or(global_config))),
        _ => None,
    }
}

/// `akhbar import FILE.opml`: the summary and every skipped feed go to standard error.
fn import_opml(opml_path: &Path, config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let config_path = config_path
        .or_else(config::default_path)
        .context("no config file: pass --config FILE, or set HOME")?;
    let report = akhbar::import::import(opml_path, &config_path)?;
    for rejected in &report.rejected {
        eprintln!("akhbar: {}", akhbar::import::describe_rejected(rejected));
    }
    eprintln!("akhbar: {report}");
    Ok(ExitCode::SUCCESS)
}

/// `akhbar export`: the configured feeds as OPML on standard output.
fn export_opml(config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let (config, config_path) = load_config(config_path)?;
    if config.feeds.is_empty() {
        let place = config_path.map_or_else(
            || "the config".to_owned(),
            |path| path.display().to_string(),
        );
        eprintln!("akhbar: no feeds configured in {place}; the OPML lists none");
    }
    let mut opml = Vec::new();
    akhbar::opml::write(&mut opml, &config.feeds, chrono::Utc::now())?;
    write_stdout(&opml)
}

/// Writes `bytes` to standard output; a reader that stops early (`| head`) is no error.
fn write_stdout(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to standard output")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Wraps the panic hook in force so that panics the feed parser catches stay silent: printed,
/// they would garble the screen, and the TUI's hook would leave the alternate screen.
fn quiet_caught_panics() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !akhbar::feed::parse::inside_guarded_parse() {
            hook(info);
        }
    }));
}

/// An explicit `--config` must exist; the default path may be missing (no feeds: the demo).
fn load_config(explicit: Option<PathBuf>) -> anyhow::Result<(Config, Option<PathBuf>)> {
    match explicit {
        Some(path) => Ok((config::load(&path)?, Some(path))),
        None => match config::default_path() {
            Some(path) if path.exists() => Ok((config::load(&path)?, Some(path))),
            other => Ok((Config::default(), other)),
        },
    }
}
