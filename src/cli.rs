//! The command line (clap derive) and the dispatch from a parsed command to its code.
//!
//! Exit codes (the contract): [`EXIT_OK`] all tools installed or cached; [`EXIT_FAILED`]
//! one or more tools failed; [`EXIT_USAGE`] usage or manifest error;
//! [`EXIT_INTERRUPTED`] interrupted. `vx install` (standalone, or a `--from-parent`
//! child) exits with its install's code (0, or 10–15 and 130, see [`crate::install`]),
//! [`crate::config_frame::EXIT_BAD_CONFIG`] for a bad frame, 2 for bad arguments.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// Every tool installed or already present.
pub const EXIT_OK: i32 = 0;
/// One or more tools failed.
pub const EXIT_FAILED: i32 = 1;
/// Usage or manifest error.
pub const EXIT_USAGE: i32 = 2;
/// Interrupted (SIGINT/SIGTERM).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Install a project's toolchain in parallel, with a live shared-memory progress board.
#[derive(Debug, Parser)]
#[command(name = "vx", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install every tool of a vx.toml, in parallel.
    Sync(SyncArgs),
    /// Install one tool (standalone), or run as a `vx sync` child.
    Install(InstallArgs),
    /// Inspect the progress boards of this user.
    Board {
        /// What to do with boards.
        #[command(subcommand)]
        command: BoardCommand,
    },
}

/// `vx sync` options.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The manifest to install from.
    #[arg(long, value_name = "PATH", default_value = "vx.toml")]
    pub manifest: PathBuf,
    /// At most this many installs at once.
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
    /// Show the live dashboard (the default on a terminal).
    #[arg(long, conflicts_with = "headless")]
    pub tui: bool,
    /// Print progress lines instead of the dashboard.
    #[arg(long)]
    pub headless: bool,
    /// Print one JSON object per event on stdout (implies headless).
    #[arg(long)]
    pub json: bool,
    /// Write the board's final bytes to PATH at the end of the run.
    #[arg(long, value_name = "PATH")]
    pub dump: Option<PathBuf>,
    /// Where and how to install.
    #[command(flatten)]
    pub install: InstallFlags,
    /// Dashboard options.
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    /// Run a demo sync against a built-in loopback server, into a temporary store.
    #[arg(long, conflicts_with_all = ["manifest", "store"])]
    pub demo: bool,
}

/// Where and how tools are installed: shared by `vx sync` and `vx install`.
#[derive(Clone, Debug, Args)]
pub struct InstallFlags {
    /// The store to install into (default: `$XDG_DATA_HOME/vx/store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Install tools that have no sha256, unchecked (marked UNVERIFIED).
    #[arg(long)]
    pub allow_unverified: bool,
    /// Fail a download when its server sends nothing for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub read_timeout: u32,
}

/// Options of the live dashboard (`vx sync --tui`, `vx board watch`).
#[derive(Clone, Copy, Debug, Args)]
pub struct DashboardArgs {
    /// Dashboard refresh rate, in frames per second.
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=120))]
    pub fps: u32,
    /// Leave the dashboard as soon as the sync finishes, instead of waiting for `q`.
    #[arg(long)]
    pub exit_on_done: bool,
}

impl DashboardArgs {
    /// The dashboard's options: colours unless `NO_COLOR` is set (no-color.org).
    pub fn options(&self) -> vx_tui::Options {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        vx_tui::Options {
            look: vx_tui::Look { color: !no_color },
            exit_on_done: self.exit_on_done,
        }
    }
}

/// `vx install` options.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The tool and version, `TOOL@VERSION`.
    #[arg(value_name = "TOOL@VERSION", required_unless_present = "from_parent")]
    pub tool: Option<String>,
    /// Where to download the tool from (`{version}` is substituted).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The expected SHA-256 of the download.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Where and how to install.
    #[command(flatten)]
    pub install: InstallFlags,
    /// Child mode: read the config as one frame on stdin and report into the board.
    #[arg(long, hide = true,
          conflicts_with_all = ["tool", "url", "sha256", "store", "allow_unverified"])]
    pub from_parent: bool,
}

/// `vx board` subcommands.
#[derive(Debug, Subcommand)]
pub enum BoardCommand {
    /// List this user's live boards.
    Ls {
        /// One JSON object per board, one per line.
        #[arg(long)]
        json: bool,
    },
    /// Print one snapshot of a live board (by id) or of a dump file (by path).
    Dump {
        /// A board id (or unambiguous prefix) or a dump file; default: the only live board.
        #[arg(value_name = "ID|PATH")]
        target: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Attach the live dashboard to a running sync (read-only but for cancel requests).
    Watch {
        /// A board id (or unambiguous prefix); default: the only live board.
        #[arg(value_name = "ID")]
        id: Option<String>,
        /// Dashboard options.
        #[command(flatten)]
        dashboard: DashboardArgs,
    },
    /// Remove boards whose owner is gone.
    Clean,
}

/// An error that is the user's to fix (bad arguments or manifest): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The default store: `$XDG_DATA_HOME/vx/store`, else `~/.local/share/vx/store`.
pub fn default_store() -> anyhow::Result<PathBuf> {
    if let Some(data) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(data).join("vx/store"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .context("neither XDG_DATA_HOME nor HOME is set; pass --store DIR")?;
    Ok(PathBuf::from(home).join(".local/share/vx/store"))
}

/// Makes the store directory exist, checks that it can be written (its work area
/// `.tmp` and lock directory `.locks` are created, and a probe file written and
/// removed there), and returns its absolute path (children run with their own working
/// directory, so the frame carries absolute paths). A store that cannot be prepared
/// is an error naming the path, before anything else is written.
pub fn prepare_store(store: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    use crate::install::store::{LOCKS_DIR, TMP_DIR};
    let store = match store {
        Some(store) => store,
        None => default_store()?,
    };
    if let Some(blocker) = store
        .ancestors()
        .find(|p| p.symlink_metadata().is_ok())
        .filter(|p| !p.is_dir())
    {
        return Err(UsageError(format!(
            "cannot use the store {}: {} exists and is not a directory",
            store.display(),
            blocker.display()
        ))
        .into());
    }
    let not_writable = |path: &std::path::Path| {
        let (store, path) = (store.display().to_string(), path.display().to_string());
        move |e: std::io::Error| {
            UsageError(format!(
                "cannot use the store {store}: cannot write {path}: {e}"
            ))
        }
    };
    std::fs::create_dir_all(&store).map_err(not_writable(&store))?;
    for dir in [TMP_DIR, LOCKS_DIR] {
        let dir = store.join(dir);
        std::fs::create_dir_all(&dir).map_err(not_writable(&dir))?;
    }
    let tmp = store.join(TMP_DIR);
    tempfile::tempfile_in(&tmp).map_err(not_writable(&tmp))?;
    std::path::absolute(&store)
        .with_context(|| format!("cannot resolve the store path {}", store.display()))
}

/// Runs a parsed command and returns the process exit code. Errors are returned for the
/// caller to print; [`exit_code_for`] gives their code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Sync(args) => {
            if args.demo {
                crate::demo::run(&args)
            } else {
                crate::sync::run(&args)
            }
        }
        Command::Install(args) if args.from_parent => Ok(crate::child::from_parent()),
        Command::Install(args) => crate::child::standalone(&args),
        Command::Board { command } => crate::board_cmd::run(command),
    }
}

/// The exit code for an error that ended a command: every error that reaches the top is
/// a usage, manifest or environment problem (tool failures are reported, not raised).
pub fn exit_code_for(_err: &anyhow::Error) -> i32 {
    EXIT_USAGE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn sync_defaults_and_flags() {
        let cli = Cli::try_parse_from(["vx", "sync"]).unwrap();
        let Command::Sync(args) = cli.command else {
            panic!("not sync")
        };
        assert_eq!(args.jobs, 8);
        assert_eq!(args.manifest, PathBuf::from("vx.toml"));
        assert!(Cli::try_parse_from(["vx", "sync", "--tui", "--headless"]).is_err());
        assert!(Cli::try_parse_from(["vx", "sync", "-j", "0"]).is_err());
        let cli = Cli::try_parse_from(["vx", "sync", "-j", "3", "--json", "--dump", "d"]).unwrap();
        let Command::Sync(args) = cli.command else {
            panic!("not sync")
        };
        assert_eq!((args.jobs, args.json), (3, true));
    }

    #[test]
    fn install_needs_a_tool_unless_it_is_a_child() {
        assert!(Cli::try_parse_from(["vx", "install"]).is_err());
        assert!(Cli::try_parse_from(["vx", "install", "--from-parent"]).is_ok());
        assert!(Cli::try_parse_from(["vx", "install", "--from-parent", "a@1"]).is_err());
        assert!(Cli::try_parse_from(["vx", "install", "rg@14", "--url", "http://x/a.tgz"]).is_ok());
    }
}
