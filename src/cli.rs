//! Command-line definitions (clap); `main` resolves them into typed options in one step.

use crate::tui::terminal::BidiMode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A terminal headline ticker for RSS, Atom and JSON Feed, with Arabic laid out right.
#[derive(Debug, Parser)]
#[command(name = "akhbar", version, about, long_about = None)]
pub struct Cli {
    /// Print a config file with every setting at its default and a comment on each, then exit.
    #[arg(long)]
    pub print_default_config: bool,
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options accepted before or after any subcommand.
///
/// Flattened into the top level and into each subcommand (rather than clap's `global = true`,
/// where a value after the subcommand replaces the ones before it instead of adding to them).
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    /// A feed to read instead of the configured ones: http(s) URL, file:// URL or local path.
    /// Repeatable.
    #[arg(long = "feed", value_name = "URL|PATH")]
    pub feeds: Vec<String>,
    /// The config file [default: $XDG_CONFIG_HOME/akhbar/config.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Who puts right-to-left text in visual order (overrides `bidi` in the config).
    #[arg(long, value_enum, value_name = "MODE")]
    pub bidi: Option<BidiMode>,
    /// Only headlines matching QUERY (terms ANDed, case-insensitive, Arabic-aware).
    #[arg(long, value_name = "QUERY")]
    pub filter: Option<String>,
    /// No crawl: the ticker shows one headline at a time (overrides `motion`).
    #[arg(long)]
    pub no_motion: bool,
    /// How much goes to the log file (overrides RUST_LOG) [default: info].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub log_level: Option<crate::log::Level>,
}

impl Cli {
    /// The global options from both sides of the subcommand: feeds add up, and a `--config`
    /// after the subcommand wins.
    pub fn global_args(&self) -> GlobalArgs {
        let mut merged = GlobalArgs {
            feeds: self.global.feeds.clone(),
            config: self.global.config.clone(),
            bidi: self.global.bidi,
            filter: self.global.filter.clone(),
            no_motion: self.global.no_motion,
            log_level: self.global.log_level,
        };
        if let Some(after) = self.command.as_ref().and_then(Command::global) {
            merged.feeds.extend(after.feeds.iter().cloned());
            if after.config.is_some() {
                merged.config.clone_from(&after.config);
            }
            merged.bidi = after.bidi.or(merged.bidi);
            if after.filter.is_some() {
                merged.filter.clone_from(&after.filter);
            }
            merged.no_motion |= after.no_motion;
            merged.log_level = after.log_level.or(merged.log_level);
        }
        merged
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every source once and print the merged headlines, newest first.
    Print(PrintArgs),
    /// Refresh on the schedule and print each new story as it arrives, one line each.
    Watch(WatchArgs),
    /// Print how many stored stories are unread, in all and per view, without fetching.
    Count(CountArgs),
    /// Add a feed to the config file: a feed URL as it is, or the feed a page links to
    /// (else the one found at the site's usual feed paths).
    Add(AddArgs),
    /// Add the feeds of an OPML file (another reader's export) to the config file.
    Import(ImportArgs),
    /// Write the configured feeds to standard output as OPML 2.0.
    Export(ExportArgs),
    /// Print a completion script for SHELL (see the README for where to put it).
    Completions(CompletionsArgs),
    /// Print akhbar's manual page (roff) to standard output.
    Man,
}

impl Command {
    /// The global options given after this subcommand, for those that take them.
    pub fn global(&self) -> Option<&GlobalArgs> {
        match self {
            Command::Print(args) => Some(&args.global),
            Command::Watch(args) => Some(&args.global),
            Command::Count(args) => Some(&args.global),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Writes the completion script for `shell`, made from the same definitions that parse the
/// command line, so that it never lists an option akhbar lacks.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "akhbar", out);
}

/// Writes the manual page, roff: one page with every subcommand's options, made from the
/// command-line definitions, and the files and environment akhbar reads.
pub fn write_man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = <Cli as clap::CommandFactory>::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let mut extra = roff::Roff::new();
    for sub in command.get_subcommands() {
        let name = format!("akhbar {}", sub.get_name());
        extra.control("SH", [name.to_uppercase().as_str()]);
        if let Some(about) = sub.get_about() {
            extra.text([roff::roman(about.to_string())]);
        }
        for arg in sub.get_arguments().filter(|arg| !arg.is_hide_set()) {
            let mut label = match (arg.get_long(), arg.get_short()) {
                (Some(long), Some(short)) => format!("-{short}, --{long}"),
                (Some(long), None) => format!("--{long}"),
                (None, Some(short)) => format!("-{short}"),
                (None, None) => arg.get_id().to_string().to_uppercase(),
            };
            if let Some(value) = arg.get_value_names().and_then(|names| names.first())
                && arg.get_long().is_some()
                && arg.get_action().takes_values()
            {
                label.push_str(&format!(" <{value}>"));
            }
            extra.control("TP", []).text([roff::bold(label)]);
            if let Some(help) = arg.get_help() {
                extra.text([roff::roman(help.to_string())]);
            }
        }
    }
    extra
        .control("SH", ["FILES"])
        .control("TP", [])
        .text([roff::italic("$XDG_CONFIG_HOME/akhbar/config.toml")])
        .text([roff::roman(
            "The config file (akhbar --print-default-config prints one with every setting).",
        )])
        .control("TP", [])
        .text([roff::italic("$XDG_DATA_HOME/akhbar/")])
        .text([roff::roman("The store of headlines kept between runs.")])
        .control("SH", ["ENVIRONMENT"])
        .control("TP", [])
        .text([
            roff::bold("KITTY_WINDOW_ID"),
            roff::roman(", "),
            roff::bold("MLTERM"),
            roff::roman(", "),
            roff::bold("KONSOLE_VERSION"),
        ])
        .text([roff::roman(
            "Tell --bidi auto which terminal it runs in and how to lay right-to-left text out.",
        )])
        .control("TP", [])
        .text([
            roff::bold("HTTPS_PROXY"),
            roff::roman(", "),
            roff::bold("NO_PROXY"),
        ])
        .text([roff::roman(
            "Proxies for feed requests, as curl reads them.",
        )]);
    extra.to_writer(out)?;
    man.render_version_section(out)
}

#[derive(Debug, Args)]
pub struct PrintArgs {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Output format: TSV (published, source, title, link) or JSON lines.
    #[arg(long, value_enum, default_value_t = Format::Tsv)]
    pub format: Format,
    /// Print titles and source names in visual order (laid out, shaped, mirrored), for
    /// terminals and tools without bidi of their own.
    #[arg(long)]
    pub visual: bool,
    /// Print what the store holds from earlier runs, without any request.
    #[arg(long)]
    pub offline: bool,
    /// With `--format json`, add each story's full text as `content`: the article kept
    /// from an earlier run, else, for a story with little text, its page fetched once.
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Output format: TSV (published, source, title, link) or JSON lines, as `print` writes.
    #[arg(long, value_enum, default_value_t = Format::Tsv)]
    pub format: Format,
    /// First print the stored stories that match, oldest first, then the new ones.
    #[arg(long)]
    pub backlog: bool,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Output format: `12  Gulf 3  Sport 0` (the total, then each view) or one JSON object.
    #[arg(long, value_enum, default_value_t = CountFormat::Text)]
    pub format: CountFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The OPML file to read.
    #[arg(value_name = "FILE.opml")]
    pub file: PathBuf,
    /// The config file to add to, created if missing [default: the one akhbar reads].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The config file to read [default: the one akhbar reads].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A feed's URL, or any page of the site whose feed to add.
    #[arg(value_name = "URL")]
    pub url: String,
    /// The name to show for the feed [default: the feed's title].
    #[arg(long)]
    pub name: Option<String>,
    /// Which of several feeds found to add, counting from 1 [default: the first].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub pick: Option<u16>,
    /// The config file to add to, created if missing [default: the one akhbar reads].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Sent instead of akhbar's own User-Agent, when looking for the feed and ever after
    /// (the feed's `user_agent`).
    #[arg(long, value_name = "UA")]
    pub user_agent: Option<String>,
    /// A request header, `NAME: VALUE`, for the site that wants it (the feed's `headers`);
    /// repeat for more.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// HTTP basic auth as this user (the feed's `username`); needs --password-command.
    #[arg(long, value_name = "USER", requires = "password_command")]
    pub username: Option<String>,
    /// The program that prints the password, and its arguments, as separate words, last on
    /// the line: `--password-command pass show news` (run without a shell).
    #[arg(long, value_name = "COMMAND", num_args = 1.., requires = "username")]
    pub password_command: Option<Vec<String>>,
    /// The proxy for this feed: http://, https://, socks5:// or socks5h:// (the feed's
    /// `proxy`).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

impl AddArgs {
    /// The feed's own HTTP settings as config entries, in the order the config file has
    /// them; checked by the config's own rules once written into a `[[feed]]`.
    pub fn http_entries(&self) -> Result<toml_edit::Table, String> {
        let mut table = toml_edit::Table::new();
        if let Some(agent) = &self.user_agent {
            table.insert("user_agent", toml_edit::value(agent.as_str()));
        }
        if !self.headers.is_empty() {
            let mut headers = toml_edit::InlineTable::new();
            for header in &self.headers {
                // Not echoed: a header may carry a token.
                let Some((name, value)) = header.split_once(':') else {
                    return Err("--header: expected NAME: VALUE".to_owned());
                };
                headers.insert(name.trim(), value.trim().into());
            }
            table.insert("headers", toml_edit::value(headers));
        }
        if let Some(username) = &self.username {
            table.insert("username", toml_edit::value(username.as_str()));
        }
        if let Some(command) = &self.password_command {
            let words: toml_edit::Array = command.iter().map(String::as_str).collect();
            table.insert("password_command", toml_edit::value(words));
        }
        if let Some(proxy) = &self.proxy {
            table.insert("proxy", toml_edit::value(proxy.as_str()));
        }
        Ok(table)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Tsv,
    Json,
}

/// How `count` writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_options_are_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "akhbar", "print", "--feed", "a.xml", "--config", "c.toml", "--feed", "b.xml",
        ])
        .unwrap();
        let global = cli.global_args();
        assert_eq!(global.feeds, ["a.xml", "b.xml"]);
        assert_eq!(global.config, Some(PathBuf::from("c.toml")));
        assert!(matches!(cli.command, Some(Command::Print(_))));
    }

    #[test]
    fn the_log_level_after_the_subcommand_wins() {
        let cli = Cli::parse_from(["akhbar", "--log-level", "warn", "print"]);
        assert_eq!(cli.global_args().log_level, Some(crate::log::Level::Warn));
        let cli = Cli::parse_from([
            "akhbar",
            "--log-level",
            "warn",
            "print",
            "--log-level",
            "debug",
        ]);
        assert_eq!(cli.global_args().log_level, Some(crate::log::Level::Debug));
        let cli = Cli::parse_from(["akhbar", "print"]);
        assert_eq!(cli.global_args().log_level, None);
    }

    #[test]
    fn global_options_are_accepted_before_the_subcommand() {
        let cli = Cli::try_parse_from(["akhbar", "--feed", "a.xml", "print", "--format", "json"])
            .unwrap();
        assert_eq!(cli.global_args().feeds, ["a.xml"]);
        match cli.command {
            Some(Command::Print(args)) => assert_eq!(args.format, Format::Json),
            other => panic!("expected print, got {other:?}"),
        }
    }

    #[test]
    fn watch_and_count_take_the_filter_after_the_subcommand() {
        let cli = Cli::parse_from(["akhbar", "watch", "--filter", "gaza", "--format", "json"]);
        assert_eq!(cli.global_args().filter.as_deref(), Some("gaza"));
        match cli.command {
            Some(Command::Watch(args)) => {
                assert_eq!(args.format, Format::Json);
                assert!(!args.backlog);
            }
            other => panic!("expected watch, got {other:?}"),
        }
        let cli = Cli::parse_from(["akhbar", "--filter", "x", "count", "--format", "json"]);
        assert_eq!(cli.global_args().filter.as_deref(), Some("x"));
        assert!(matches!(
            cli.command,
            Some(Command::Count(CountArgs {
                format: CountFormat::Json,
                ..
            }))
        ));
        assert!(Cli::try_parse_from(["akhbar", "count", "--format", "tsv"]).is_err());
    }

    #[test]
    fn feeds_on_both_sides_of_the_subcommand_add_up() {
        let cli = Cli::try_parse_from(["akhbar", "--feed", "a", "print", "--feed", "b"]).unwrap();
        assert_eq!(cli.global_args().feeds, ["a", "b"]);
    }

    #[test]
    fn import_and_export_take_a_config_on_either_side() {
        let cli =
            Cli::try_parse_from(["akhbar", "import", "feeds.opml", "--config", "c.toml"]).unwrap();
        match cli.command {
            Some(Command::Import(args)) => {
                assert_eq!(args.file, PathBuf::from("feeds.opml"));
                assert_eq!(args.config, Some(PathBuf::from("c.toml")));
            }
            other => panic!("expected import, got {other:?}"),
        }
        let cli = Cli::try_parse_from(["akhbar", "--config", "c.toml", "export"]).unwrap();
        assert_eq!(cli.global_args().config, Some(PathBuf::from("c.toml")));
        assert!(matches!(
            cli.command,
            Some(Command::Export(ExportArgs { config: None }))
        ));
        assert!(Cli::try_parse_from(["akhbar", "import"]).is_err());
    }

    #[test]
    fn print_default_config_is_a_top_level_flag() {
        let cli = Cli::try_parse_from(["akhbar", "--print-default-config"]).unwrap();
        assert!(cli.print_default_config);
        assert!(cli.command.is_none());
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
