//! `vx`: installs a project's toolchain in parallel and shows it on a live board.
//!
//! Parses the command line ([`cli`]), hands the subcommand to its file in
//! [`commands`], and turns the result into the exit code of the contract
//! ([`vx_base::exit`]) and the text of [`present`]; [`doctor`] holds `vx doctor`'s
//! checks. Nothing of this crate is a library: a command turns a command line into a
//! [`vx_ops::session::Session`] and an operation's request, and prints what [`present`]
//! makes of the report. Everything else lives in the workspace's crates, each a floor
//! named by what it holds, each standing on those below it (`docs/ARCHITECTURE.md`,
//! "Floors of the library"). From the top:
//!
//! - `vx_daemon`, `vx_hook`: the daemon and the shell hook.
//! - `vx_ops`: the session (a project opened once) and one operation per file.
//! - `vx_tasks`: the project's tasks.
//! - `vx_project`: a manifest and its lock together: the sync plan, the toolchain on
//!   `PATH`, fleets, shims, the demo.
//! - `vx_sync`: `vx sync`'s parent and the reports made from its board.
//! - `vx_engine`: one tool from a name to the store: resolution, install, the child.
//! - `vx_sources`: GitHub, aqua's registry, mirrors, the language registries, the
//!   runtimes' publishers, the network settings.
//! - `vx_model`: vx.toml (or a mise project in place), vx.lock, the task model, other
//!   managers' files, the user's config, the parent's frame.
//! - `vx_net`: the HTTP client and the checks of what it fetches.
//! - `vx_base`: the OS beyond `std`, formats, versions, atomic files, bounded reads,
//!   exit codes, `note!`.
#![forbid(unsafe_code)]

mod cli;
mod commands;
#[cfg(test)]
mod doc_links;
mod doctor;
mod present;
#[cfg(test)]
mod reference;

use std::io::Write;

use clap::Parser;

use cli::{Cli, Command};

fn main() {
    let mut argv = std::env::args_os();
    // Run under another name than its own: a shim (`<data dir>/vx/shims/CMD`).
    if let Some(command) = argv
        .next()
        .as_deref()
        .and_then(vx_project::shims::command_of)
    {
        let args: Vec<_> = argv.collect();
        finish(commands::shim::run(&command, &args));
    }
    // A completion request from the script of `vx completions`: answered, then exit.
    commands::completions::answer();
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    if cli::verbose_version(&args) {
        let _ = std::io::stdout().write_all(vx_base::build_info::verbose().as_bytes());
        std::process::exit(vx_base::exit::OK);
    }
    // A `vx sync` child, spawned once per tool: straight to its work, without clap.
    if cli::is_sync_child(&args) {
        finish(Ok(vx_engine::child::from_parent()));
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sync(args) => commands::sync::run(&args),
        Command::Lock(args) => commands::lock::run(&args),
        Command::Add(args) => commands::add::run(&args),
        Command::Remove(args) => commands::remove::run(&args),
        Command::Import(args) => commands::import::run(&args),
        Command::Init(args) => commands::init::run(&args),
        Command::Install(args) => commands::install::run(&args),
        Command::Exec(args) => commands::exec::run(&args),
        Command::Which(args) => commands::which::run(&args),
        Command::Env(args) => commands::env::run(&args),
        Command::Run(args) => commands::run::run(&args),
        Command::Tasks(args) => commands::tasks::run(&args),
        Command::TaskGuard(args) => commands::run::guard(&args),
        Command::Tied(args) => vx_base::tie::run(args.parent, &args.command[0], &args.command[1..])
            .map_err(vx_base::exit::Error::environment),
        Command::Activate(args) => commands::activate::run(&args),
        Command::Trust(args) => commands::trust::run(&args),
        Command::HookEnv(args) => commands::hook_env::run(&args),
        Command::List(args) => commands::list::run(&args),
        Command::Uninstall(args) => commands::uninstall::run(&args),
        Command::Prune(args) => commands::prune::run(&args),
        Command::Completions { shell } => commands::completions::run(shell),
        Command::Ps(args) => commands::ps::run(&args),
        Command::Logs(args) => commands::logs::run(&args),
        Command::Board { command } => commands::board::run(command),
        Command::Daemon { command } => commands::daemon::run(command),
        Command::Search(args) => commands::search::run(&args),
        Command::Versions(args) => commands::versions::run(&args),
        Command::Outdated(args) => commands::outdated::run(&args),
        Command::Upgrade(args) => commands::upgrade::run(&args),
        Command::X(args) => commands::x::run(&args),
        Command::Registry { command } => commands::registry::run(command),
        Command::Config { command } => commands::config::run(command),
        Command::Cache { command } => commands::cache::run(command),
        Command::Doctor(args) => commands::doctor::run(&args),
        Command::Mirror { command } => commands::mirror::run(command),
        Command::Bundle { command } => commands::bundle::run(command),
        Command::SelfCmd { command } => commands::self_::run(command),
        Command::External(args) => commands::external::run(&args),
        Command::Use(args) => commands::use_::run(&args),
    };
    finish(result);
}

/// Exits with `result`'s code, saying its error on stderr first.
fn finish(result: Result<i32, vx_base::exit::Error>) -> ! {
    let code = match result {
        Ok(code) => code,
        // Output into a closed pipe (`vx board ls | head -1`) just ends, as in ripgrep.
        Err(err) if err.is_closed_pipe() => vx_base::exit::OK,
        Err(err) => {
            // Nothing more can be done if stderr is closed too.
            // Errors can quote text from outside (a board's label, a server's reply).
            let report = err.report();
            let _ = writeln!(std::io::stderr(), "vx: {}", vx_text::sanitize(&report));
            err.code()
        }
    };
    std::process::exit(code);
}
