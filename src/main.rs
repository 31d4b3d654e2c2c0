//! The `akhbar` binary: wiring only — CLI, config, sources, then the chosen command.

use akhbar::app::{self, Refresher};
use akhbar::cli::{Cli, Command};
use akhbar::config::{self, Config};
use akhbar::feed::fetch::{FetchOptions, Fetcher};
use akhbar::state::AppState;
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
    match cli.command {
        Some(Command::Print(args)) => {
            if sources.is_demo {
                eprintln!("akhbar: {}", source::demo_hint(config_path.as_deref()));
            }
            let now = chrono::Utc::now();
            let results = runtime.block_on(print::fetch_all(&fetcher, &sources.list, now));
            let mut outcome = print::collect(&sources.list, results);
            if let Some(filter) = &global.filter {
                let query = akhbar::query::Query::parse(filter);
                outcome
                    .headlines
                    .retain(|item| query.matches(&akhbar::state::searchable_text(item)));
            }
            let mut stderr = std::io::stderr().lock();
            for (location, reason) in &outcome.failures {
                writeln!(stderr, "akhbar: {location}: {reason}")?;
            }
            let mut stdout = std::io::stdout().lock();
            let order = if args.visual {
                print::Order::Visual
            } else {
                print::Order::Logical
            };
            match print::write_headlines(&mut stdout, &outcome.headlines, args.format, order) {
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
            let hint = sources
                .is_demo
                .then(|| source::demo_hint(config_path.as_deref()));
            let refresher = Refresher {
                fetcher,
                sources: sources.list,
                interval: config.refresh,
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
                crossterm::event::EventStream::new(),
                {
                    let mut state = AppState::new(refresher.sources.clone(), hint)
                        .with_filter(global.filter.as_deref().unwrap_or(""));
                    state.motion = config.motion && !global.no_motion;
                    state.ticker_speed = config.speed;
                    state
                },
                UiCache::new(TextMode {
                    reorder: reorder == terminal::Reorder::App,
                    shape: config.shape,
                }),
                refresher,
                &mut app::SystemEffects,
            ));
            terminal::restore(reorder);
            // Requests still in flight (a hanging server) must not hold the exit up.
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
            result?;
            Ok(ExitCode::SUCCESS)
        }
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
