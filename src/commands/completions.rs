//! Shell completion that knows the project: `vx completions SHELL` prints a small
//! script that asks vx itself for each completion (`VX_COMPLETE=SHELL vx -- WORDS`,
//! answered by [`answer`] before anything else runs), so `vx run <TAB>` offers the
//! scripts of the vx.toml found from the working directory, and `vx exec`, `vx upgrade`
//! and `vx versions` its tools; hidden commands (`hook-env`) are never offered.
//!
//! Built on clap_complete's dynamic completion (`CompleteEnv`, its `unstable-dynamic`
//! feature) rather than a hidden `vx __complete` of our own: it already speaks bash,
//! zsh, fish, PowerShell and elvish, walks the very `clap::Command` that parses, and
//! only the project's values are ours. Its API may change in a minor release; the lock
//! pins it, and this file is all that would change.

use std::ffi::OsStr;
use std::io::Write;

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, Shells};
use vx_base::exit::Error;

use crate::cli::Cli;

/// The variable the scripts set to ask vx for completions.
const VAR: &str = "VX_COMPLETE";

/// Answers a completion request and exits when the shell's script made one
/// (`VX_COMPLETE` set); returns at once otherwise, having read one variable (every
/// run passes here, the shell hook's before each prompt too).
pub(crate) fn answer() {
    if std::env::var_os(VAR).is_some() {
        CompleteEnv::with_factory(command).var(VAR).complete();
    }
}

/// Prints the script for `shell`, calling this vx by its absolute path (as `vx
/// activate`'s hook does), so completion works whichever `vx` is first on PATH.
pub(crate) fn run(shell: clap_complete::Shell) -> Result<i32, Error> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let Some(completer) = shells.completer(&name) else {
        return Err(Error::usage(std::io::Error::other(format!(
            "no completion for {name}"
        ))));
    };
    let exe = vx_engine::self_update::own::invoked_exe()?;
    let mut script = Vec::new();
    completer.write_registration(VAR, "vx", "vx", &exe.to_string_lossy(), &mut script)?;
    std::io::stdout().write_all(&script)?;
    Ok(vx_base::exit::OK)
}

/// The command line, with the project's values added to the arguments that name them.
/// `mut_arg` moves the argument it changes to the end, and positionals are numbered in
/// order, so the positionals after it are moved behind it again (`|arg| arg`).
fn command() -> clap::Command {
    let tools = || ArgValueCompleter::new(tool_names);
    Cli::command()
        // `vx run TASK [ARGS]… [::: TASK …]` is one list of words: each completes
        // to the project's tasks.
        .mut_subcommand("run", |run| {
            run.mut_arg("script", |arg| {
                arg.add(ArgValueCompleter::new(script_names))
            })
        })
        .mut_subcommand("exec", |exec| {
            exec.mut_arg("tools", |arg| arg.add(tools()))
                .mut_arg("command", |arg| arg)
        })
        .mut_subcommand("upgrade", |up| up.mut_arg("tools", |arg| arg.add(tools())))
        .mut_subcommand("versions", |v| v.mut_arg("tool", |arg| arg.add(tools())))
        // clap_complete offers a hidden subcommand when it is the only one the typed
        // prefix matches (`vx hoo<TAB>`): renamed in this command, which only
        // completes and never parses, to a name no typed word starts.
        .mut_subcommand("hook-env", |hook| hook.name(" hook-env"))
}

/// The project of the working directory, if one is found and reads.
fn project() -> Option<vx_model::manifest::Manifest> {
    let opening = vx_ops::session::Opening::new(None, vx_ops::session::Want::Optional);
    let path = vx_ops::session::locate(&opening).ok()??;
    vx_model::manifest::Manifest::load(&path).ok()
}

/// The project's scripts starting with `current`, with their descriptions.
fn script_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(manifest) = project() else {
        return Vec::new();
    };
    let scripts = manifest.environment.tasks.iter().filter(|t| !t.hide);
    offered(
        current,
        scripts.map(|s| (s.name.as_str(), s.description.as_deref())),
    )
}

/// The project's tools starting with `current`.
fn tool_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(manifest) = project() else {
        return Vec::new();
    };
    offered(
        current,
        manifest.tools.iter().map(|t| (t.name.as_str(), None)),
    )
}

/// The `(name, description)` entries whose name starts with `current`, as candidates;
/// a description is the project's text, so it is sanitized.
fn offered<'a>(
    current: &OsStr,
    entries: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    entries
        .filter(|(name, _)| name.starts_with(current.as_ref()))
        .map(|(name, about)| {
            let help = about.map(|a| vx_tui::text::sanitize(a).into_owned().into());
            CompletionCandidate::new(name).help(help)
        })
        .collect()
}
