//! The `akhbar` binary: wiring only — CLI, config, sources, then the chosen command.

use akhbar::cli::{Cli, Command};
use akhbar::cmd::Sieve;
use akhbar::config::{self, Config};
use akhbar::feed::fetch::{FetchOptions, Fetcher};
use akhbar::persist::{self, Retention};
use akhbar::store::{self, CachedSource, Store};
use akhbar::text::sanitize::{clean_keeping_spacing, clean_line};
use akhbar::tui::effects::SystemEffects;
use akhbar::tui::event_loop::{self, Refresher};
use akhbar::tui::state::AppState;
use akhbar::tui::terminal::{self, background::Background};
use akhbar::ui::theme::{ColorDepth, Theme, ThemeChoice};
use akhbar::ui::{TextMode, UiCache};
use akhbar::{print, source};
use anyhow::Context;
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    keep_big_blocks_mapped();
    akhbar::panic::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            say(&format!("{error:#}"));
            ExitCode::from(2)
        }
    }
}

/// Gives every big allocation its own mapping, returned to the system when it is freed.
///
/// glibc raises its mmap threshold to the size of each big block freed (up to 32 MiB). Once a
/// feed's body is freed, the next big buffers (the lists of headlines, a store's pages) come
/// from the heap instead, between the small allocations that outlive them, and their pages
/// stay resident long after they are freed: a 15 MB feed of
/// 100,000 small items peaked at 114 MiB against 68 MiB with the threshold left where it
/// starts. Setting it once, before any other thread exists, keeps it there.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_big_blocks_mapped() {
    /// glibc's own starting threshold.
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only sets an allocator parameter, and no other thread allocates yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_big_blocks_mapped() {}

/// Hands the pages of freed memory back to the system. Reading feeds leaves their
/// temporaries freed between the headlines that outlive them, in every thread's heap, and
/// glibc returns only what lies at a heap's end by itself.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back_freed_memory() {
    // SAFETY: malloc_trim only releases free memory the allocator holds; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back_freed_memory() {}

/// One line on standard error, made safe first: messages quote file names, URLs, server
/// answers and parser errors, any of which may carry escape sequences.
fn say(line: &str) {
    eprintln!("akhbar: {}", clean_line(line));
}

/// Help and version as clap writes them; a usage error with every line made safe, since it
/// quotes the argument that was wrong.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
    } else {
        let rendered = error.render().to_string();
        let mut stderr = std::io::stderr().lock();
        for line in rendered.lines() {
            let _ = writeln!(stderr, "{}", clean_keeping_spacing(line));
        }
    }
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = cli.global_args();
    // Commands that only print what akhbar knows (a completion script, the manual, the
    // feeds as OPML) fetch nothing, so they leave the log alone.
    let quiet = matches!(
        cli.command,
        Some(Command::Completions(_) | Command::Man | Command::Export(_) | Command::Count(_))
    );
    // Kept to the end of the run: dropping it writes out what is still queued.
    let _log = if quiet {
        None
    } else {
        match akhbar::log::start(global.log_level) {
            Ok((guard, note)) => {
                if let Some(note) = note {
                    say(&note);
                }
                Some(guard)
            }
            // Said once, before the screen is taken; the run goes on without a log.
            Err(error) => {
                say(&format!("{error}; nothing is logged this run"));
                None
            }
        }
    };
    if !quiet {
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "akhbar started");
    }
    if let Some(outcome) = run_config_command(&cli, global.config.clone()) {
        return outcome;
    }
    let (config, config_path) = load_config(global.config)?;
    // A malformed filter is a usage error, said before anything is fetched. It is cleaned
    // first (one line, no controls), so that the place an error points at is where it shows.
    let filter = clean_line(global.filter.as_deref().unwrap_or(""));
    let query = match akhbar::query::Query::parse_stemmed(&filter, config.stem) {
        Ok(query) => query,
        Err(error) => {
            // Three lines (the message, the query, a caret under the place), each clean.
            eprintln!("akhbar: bad --filter: {}", error.pointed(&filter));
            return Ok(ExitCode::from(2));
        }
    };
    let sources = source::resolve(&global.feeds, &config)?;
    let sieve = Sieve::new(&config, query);
    if let Some(Command::Count(args)) = &cli.command {
        return count_unread(&sources.list, &config, &sieve, args.format);
    }
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
                say(&source::demo_hint(config_path.as_deref()));
            }
            let Stored {
                mut store,
                cache,
                notes,
            } = open_store(&sources.list);
            for note in &notes {
                say(note);
            }
            let (start, now) = (tokio::time::Instant::now(), chrono::Utc::now());
            let states = print::prepare(&sources.list, &cache, config.refresh, start, now);
            let bodies = print::Bodies::start(store.as_ref());
            let results = (!args.offline).then(|| {
                runtime.block_on(print::fetch_all(
                    &fetcher,
                    &sources.list,
                    &states,
                    &bodies,
                    start,
                    now,
                ))
            });
            // Every body is written before the headlines they belong to are saved.
            let bodies_written = bodies.finish();
            give_back_freed_memory();
            let mut outcome = print::collect(
                &sources.list,
                results,
                states,
                cache,
                store.as_mut(),
                retention,
                // Settled as the results came in: a `Retry-After` counts from its answer.
                (tokio::time::Instant::now(), chrono::Utc::now()),
            );
            if let Err(error) = bodies_written {
                outcome.store_errors.insert(0, error);
            }
            // Mutes, then the filter, in one pass at one clock.
            if !sieve.is_empty() {
                let clock = akhbar::cmd::local_clock();
                let read = &outcome.read;
                outcome.headlines.retain(|item| {
                    let key = (item.origin.to_string(), item.headline.id.clone());
                    sieve.shows(item, read.contains(&key), &clock)
                });
            }
            let contents = if args.full && args.format == akhbar::cli::Format::Json {
                runtime.block_on(akhbar::full_text::contents(
                    &fetcher,
                    store.as_mut(),
                    &sources.list,
                    &outcome.headlines,
                    args.offline,
                ))
            } else {
                akhbar::full_text::Contents::default()
            };
            outcome.store_errors.extend(contents.store_errors);
            let mut stderr = std::io::stderr().lock();
            for error in &outcome.store_errors {
                writeln!(stderr, "akhbar: {}", clean_line(error))?;
            }
            // Sources that failed, then story pages that gave no article.
            for (place, reason) in outcome.failures.iter().chain(&contents.failures) {
                writeln!(
                    stderr,
                    "akhbar: {}",
                    clean_line(&format!("{place}: {reason}"))
                )?;
            }
            let mut stdout = std::io::stdout().lock();
            let order = if args.visual {
                print::Order::Visual
            } else {
                print::Order::Logical
            };
            let written = print::write_headlines_with_content(
                &mut stdout,
                &outcome.headlines,
                &outcome.read,
                &contents.by_story,
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
        Some(Command::Watch(args)) => {
            if sources.is_demo {
                say(&source::demo_hint(config_path.as_deref()));
            }
            watch(&sources.list, &config, sieve, fetcher, runtime, &args)
        }
        // Handled before the fetcher is made.
        Some(Command::Count(_)) => Ok(ExitCode::SUCCESS),
        // Handled by run_config_command, before any config is loaded.
        Some(
            Command::Import(_)
            | Command::Export(_)
            | Command::Add(_)
            | Command::Completions(_)
            | Command::Man,
        ) => Ok(ExitCode::SUCCESS),
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
            let seeds = cache.iter().map(CachedSource::seed).collect();
            let store_path = store.as_ref().map(|store| store.path().to_path_buf());
            let (persister, writer) = match store.map(|store| persist::spawn(store, retention)) {
                Some(Ok((persister, writer))) => (Some(persister), Some(writer)),
                Some(Err(error)) => {
                    hint = Some(format!("cannot start the store's thread: {error}"));
                    (None, None)
                }
                None => (None, None),
            };
            let state = AppState::new(sources.list.clone(), hint)
                .with_retention(retention)
                .with_cache(cache)
                .with_stemming(config.stem)
                .with_views(
                    config
                        .views
                        .iter()
                        .map(|view| akhbar::tui::state::View {
                            name: view.name.clone(),
                            query: view.query.clone(),
                        })
                        .collect(),
                    config
                        .ticker
                        .as_ref()
                        .and_then(|name| config.views.iter().position(|view| view.name == *name)),
                )
                .with_mutes(config.mutes.clone(), akhbar::cmd::feed_mutes(&config))
                .with_alerts(config.alerts.clone())
                .with_filter(&filter)
                .with_keys(config.keys.clone())
                .with_motion(config.motion && !global.no_motion, config.speed)
                .with_log_path(akhbar::log::log_path().map(std::path::Path::to_path_buf));
            let refresher = Refresher {
                fetcher,
                sources: sources.list,
                interval: config.refresh,
                seeds,
                store: persister.clone(),
                store_path,
            };
            let reorder = terminal::reorder_for(global.bidi.unwrap_or(config.bidi), |name| {
                std::env::var(name).ok()
            });
            // Every way out returns here: q, Ctrl-C, SIGTERM, SIGHUP, SIGINT, a background
            // task that died, and a panic of the app itself, caught so that the store's
            // thread still writes what it was given (the panic hook has already restored the
            // terminal and said what happened).
            let theme = theme_for(&config);
            let mut terminal = terminal::enter(reorder).context("cannot set up the terminal")?;
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                runtime.block_on(event_loop::run(
                    &mut terminal,
                    terminal::events(),
                    state,
                    UiCache::new(TextMode {
                        reorder: reorder.lays_out(),
                        shape: config.shape,
                        hyperlinks: config.hyperlinks,
                        kitty: reorder == terminal::Reorder::Kitty,
                        logical: akhbar::text::logical::Flavour::for_terminal(|name| {
                            std::env::var(name).ok()
                        }),
                    })
                    .with_theme(theme),
                    refresher,
                    persister,
                    &mut SystemEffects,
                ))
            }));
            akhbar::panic::leave_tui();
            // Requests still in flight (a hanging server) must not hold the exit up.
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
            // Every handle to the store's thread is gone with the runtime: it finishes
            // what it was given and ends.
            let store_errors = writer
                .map(|writer| writer.join().unwrap_or_default())
                .unwrap_or_default();
            let panics = akhbar::panic::take_stashed();
            for error in notes.iter().chain(&panics).chain(&store_errors) {
                say(error);
            }
            match outcome {
                Ok(result) => result.map(|()| ExitCode::SUCCESS),
                // Rust's own exit code for a panic, so scripts see what they always saw.
                Err(_) => Ok(ExitCode::from(101)),
            }
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

/// The theme for this terminal: the config's choice, the terminal asked for its background
/// when the choice is "auto" (before the TUI reads keys, which the answer would reach), at
/// the colours the terminal has; emphasis alone under `NO_COLOR`; `[colors]` on top.
fn theme_for(config: &Config) -> Theme {
    let env = |name: &str| std::env::var(name).ok();
    let depth = ColorDepth::from_env(env);
    // https://no-color.org: set and not empty.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let theme = if no_color {
        Theme::without_color(depth)
    } else {
        let background = match config.theme {
            ThemeChoice::Dark => Background::Dark,
            ThemeChoice::Light => Background::Light,
            ThemeChoice::Auto => terminal::background::detect(env).unwrap_or(Background::Dark),
        };
        tracing::debug!("theme: {background:?} at {depth:?}");
        Theme::builtin(background, depth)
    };
    theme.with(&config.colors)
}

/// Opens the store and reads what it holds for `sources`.
fn open_store(sources: &[source::Source]) -> Stored {
    let mut notes = Vec::new();
    // A store that can only be read still gives its headlines, but is not written.
    let mut read_only = None;
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
                match opened.read_only {
                    Some(reason) => {
                        notes.push(format!(
                            "the store {} cannot be written ({reason}); its headlines are shown, \
                             but nothing new is kept this run",
                            path.display()
                        ));
                        read_only = Some(opened.store);
                        None
                    }
                    None => Some(opened.store),
                }
            }
            Err(error) => {
                notes.push(format!("{error}; nothing is kept this run"));
                None
            }
        },
    };
    let readable = store.as_ref().or(read_only.as_ref());
    let cache = print::cached(readable, sources).unwrap_or_else(|error| {
        notes.push(error);
        Vec::new()
    });
    let unreadable: usize = cache.iter().map(|cached| cached.unreadable).sum();
    if let Some(readable) = readable
        && unreadable > 0
    {
        notes.push(format!(
            "{unreadable} damaged {} in the store {} {} skipped; the rest is shown",
            if unreadable == 1 { "entry" } else { "entries" },
            readable.path().display(),
            if unreadable == 1 { "was" } else { "were" },
        ));
    }
    Stored {
        store,
        cache,
        notes,
    }
}

/// `akhbar watch`: the store opened as the screen opens it, the refresher started from it,
/// and each new story printed as it arrives, until a signal or a closed pipe.
fn watch(
    sources: &[source::Source],
    config: &Config,
    sieve: Sieve,
    fetcher: Fetcher,
    runtime: tokio::runtime::Runtime,
    args: &akhbar::cli::WatchArgs,
) -> anyhow::Result<ExitCode> {
    use akhbar::cmd::watch::{self, Refresh, Seen, Watcher};
    let Stored {
        store,
        cache,
        notes,
    } = open_store(sources);
    for note in &notes {
        say(note);
    }
    let seeds = cache.iter().map(CachedSource::seed).collect();
    let watcher = Watcher::new(sources.to_vec(), Seen::from_cache(&cache), sieve);
    let stored = if args.backlog {
        akhbar::cmd::StoredHeadlines::merge(sources, cache)
    } else {
        akhbar::cmd::StoredHeadlines::default()
    };
    let backlog = watcher.backlog(stored, &akhbar::cmd::local_clock());
    let retention = Retention {
        keep: config.keep,
        max_per_feed: config.max_per_feed,
    };
    let (persister, writer) = match store.map(|store| persist::spawn(store, retention)) {
        Some(Ok((persister, writer))) => (Some(persister), Some(writer)),
        Some(Err(error)) => {
            say(&format!(
                "cannot start the store's thread: {error}; nothing is kept this run"
            ));
            (None, None)
        }
        None => (None, None),
    };
    let refresh = Refresh {
        fetcher,
        interval: config.refresh,
        seeds,
        store: persister,
    };
    let ended = runtime.block_on(watch::run(
        refresh,
        watcher,
        backlog,
        args.format,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        stdout_closed(),
    ));
    // Requests still in flight (a hanging server) must not hold the exit up. The refresher
    // holds the last handle to the store's thread: gone with the runtime, the thread writes
    // what it was given and ends.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    let store_errors = writer
        .map(|writer| writer.join().unwrap_or_default())
        .unwrap_or_default();
    for error in &store_errors {
        say(error);
    }
    match ended {
        Ok(ending) => {
            tracing::info!("watch ended: {ending:?}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            tracing::error!("watch: {error}");
            say(&error.to_string());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Resolves once nobody reads standard output any more: the end of a pipe whose reader has
/// gone (`| head -1`) shows an error at once. Never resolves for a terminal (a hang-up ends
/// the watch by its signal), a file, or anything else the system cannot watch; a write
/// then finds out.
async fn stdout_closed() {
    #[cfg(unix)]
    {
        use std::io::IsTerminal;
        use std::os::fd::AsFd;
        use tokio::io::Interest;
        use tokio::io::unix::AsyncFd;
        let stdout = std::io::stdout();
        if !stdout.is_terminal()
            && let Ok(owned) = stdout.as_fd().try_clone_to_owned()
            // SAFETY: the `AsyncFd` owns the descriptor (a duplicate of standard output's),
            // so it stays open and the same until the `AsyncFd` is dropped.
            && let Ok(watched) =
                unsafe { AsyncFd::register_with_interest(owned, Interest::ERROR) }
            && watched.ready(Interest::ERROR).await.is_ok()
        {
            return;
        }
    }
    std::future::pending().await
}

/// `akhbar count`: unread counts from the store as it is, on one line; a store that cannot
/// be read is a failure (status 1), none at all is nothing unread.
fn count_unread(
    sources: &[source::Source],
    config: &Config,
    sieve: &Sieve,
    format: akhbar::cli::CountFormat,
) -> anyhow::Result<ExitCode> {
    use akhbar::cmd::count;
    let cache = match count::stored(store::default_path().as_deref(), sources) {
        Ok(cache) => cache,
        Err(error) => {
            say(&error.to_string());
            return Ok(ExitCode::FAILURE);
        }
    };
    let stored = akhbar::cmd::StoredHeadlines::merge(sources, cache);
    let counts = count::count(&stored, &config.views, sieve, &akhbar::cmd::local_clock());
    let mut line = Vec::new();
    count::write_counts(&mut line, &counts, format)?;
    write_stdout(&line)
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
        Some(Command::Add(args)) => Some(add_feed(args, global_config)),
        Some(Command::Completions(args)) => {
            let mut script = Vec::new();
            akhbar::cli::write_completions(args.shell, &mut script);
            Some(write_stdout(&script))
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            Some(
                akhbar::cli::write_man_page(&mut page)
                    .context("cannot write the manual page")
                    .and_then(|()| write_stdout(&page)),
            )
        }
        _ => None,
    }
}

/// `akhbar add URL`: the feed found there (see [`akhbar::discover`]) appended to the config
/// file; what was found and what was added go to standard error.
fn add_feed(
    args: &akhbar::cli::AddArgs,
    global_config: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    use akhbar::discover::{self, Discovered};
    let config_path = args
        .config
        .clone()
        .or(global_config)
        .or_else(config::default_path)
        .context("no config file: pass --config FILE, or set HOME")?;
    // The fetch settings of the file being added to, when it exists.
    let config = if config_path.exists() {
        config::load(&config_path)?
    } else {
        Config::default()
    };
    let location = akhbar::model::Location::parse(&args.url)?;
    // The feed's own HTTP settings, checked as the config file's are, apply to the search
    // for the feed as they will to the feed.
    let entries = args.http_entries().map_err(anyhow::Error::msg)?;
    let checked = config::check_feed(&args.url, &entries).map_err(anyhow::Error::msg)?;
    let searcher = akhbar::model::Source {
        http: (!checked.http.is_default()).then(|| std::sync::Arc::new(checked.http)),
        ..akhbar::model::Source::new(location.clone())
    };
    let fetcher = Fetcher::new(FetchOptions {
        timeout: config.timeout,
        max_body: config.max_body,
        ..FetchOptions::default()
    })?
    .for_source(&searcher);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let discovered = match runtime.block_on(discover::discover(&fetcher, &location)) {
        Ok(discovered) => discovered,
        // Nothing to add is the run's failure, not a usage error.
        Err(error) => {
            tracing::warn!("add: {}", clean_line(&error.to_string()));
            say(&error.to_string());
            return Ok(ExitCode::FAILURE);
        }
    };
    let feeds = discovered.feeds();
    if feeds.len() > 1 || !matches!(discovered, Discovered::Itself(_)) {
        let how = match discovered {
            Discovered::AtUsualPaths(_) => "at the site's usual feed paths",
            _ => "linked from the page",
        };
        say(&format!(
            "found {} {how}:",
            plural(feeds.len(), "feed", "feeds")
        ));
        for (index, found) in feeds.iter().enumerate() {
            let title = found
                .title
                .as_deref()
                .map_or_else(String::new, |title| format!(" ({title})"));
            say(&format!("  {}. {}{title}", index + 1, found.url));
        }
    }
    let pick = usize::from(args.pick.unwrap_or(1));
    let Some(chosen) = feeds.get(pick - 1) else {
        anyhow::bail!(
            "--pick {pick}: only {} found",
            plural(feeds.len(), "feed was", "feeds were")
        );
    };
    let name = args
        .name
        .as_deref()
        .map(clean_line)
        .filter(|name| !name.is_empty());
    let feed = akhbar::opml::OpmlFeed::new(&chosen.url, name.as_deref());
    let report = akhbar::import::add_feeds(&config_path, &[feed], &entries)?;
    tracing::info!(
        url = %clean_line(&chosen.url),
        config = %clean_line(&config_path.to_string_lossy()),
        added = !report.added.is_empty(),
        "add"
    );
    if report.added.is_empty() {
        say(&format!(
            "{} is already in {}",
            chosen.url,
            config_path.display()
        ));
    } else {
        say(&format!(
            "added {} to {}",
            chosen.url,
            config_path.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `1 feed`, `3 feeds`.
fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// `akhbar import FILE.opml`: the summary and every skipped feed go to standard error.
fn import_opml(opml_path: &Path, config_path: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let config_path = config_path
        .or_else(config::default_path)
        .context("no config file: pass --config FILE, or set HOME")?;
    let report = akhbar::import::import(opml_path, &config_path)?;
    tracing::info!(
        opml = %clean_line(&opml_path.to_string_lossy()),
        config = %clean_line(&config_path.to_string_lossy()),
        added = report.added.len(),
        already_there = report.already_there,
        rejected = report.rejected.len(),
        "import"
    );
    for rejected in &report.rejected {
        say(&akhbar::import::describe_rejected(rejected));
    }
    say(&report.to_string());
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
        say(&format!(
            "no feeds configured in {place}; the OPML lists none"
        ));
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
