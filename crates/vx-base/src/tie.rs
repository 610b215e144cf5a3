//! A process tied to the `vx` that started it: what a `vx sync` install child is
//! (`vx_engine::child::from_parent`) and what the project venv's maker runs under
//! (`vx tied`, [`run`]). The one place the logic lives:
//!
//! - the process asks for SIGTERM when its parent dies (Linux `PR_SET_PDEATHSIG`, set
//!   on itself: no `pre_exec`, no unsafe code) and takes it, with SIGINT and SIGHUP, as
//!   a cancel ([`Tie::signalled`]);
//! - started as the leader of a process group of its own (`Tree::spawn`), it holds
//!   what it starts in that group; once the cancel came and the parent is gone (the
//!   caller says how to tell, [`Tie::watch`]), a watch thread gives the whole group
//!   SIGTERM, and [`ORPHAN_GRACE`] later SIGKILL, this process included, whatever the
//!   process's own work is waiting for (`npm ci`, pip, uv, `python -m venv`);
//! - at its end, a process whose parent is gone ends what is left of its group
//!   ([`Tie::end_if_orphaned`]): nobody else is there to.
//!
//! `vx tied --parent PID -- PROGRAM [ARGS]...` (hidden) runs a program that cannot ask
//! for the signal itself under this tie ([`run`], and [`through`] to start a
//! [`Command`] so). The project venv's maker (`uv venv`, `python -I -m venv`) runs so:
//! started as the leader of a process group (its deadline and a Ctrl-C end that
//! group), it got no parent-death signal of its own, and a SIGKILLed `vx sync` left it
//! running to its end (issue 78, item 4). The program inherits the tied process's
//! directory, environment and stdio; the exit code is the program's (128 + N for a
//! signal).
//!
//! Elsewhere (macOS and the other Unixes, Windows) there is no parent-death request:
//! the tie holds nothing ([`Tie::tied`] is false), [`through`] leaves a command as it
//! is, and the parent's own clean-up (its process-group kill, Windows' Job Object) is
//! what there is.

use std::ffi::{OsStr, OsString};
use std::process::Command;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::platform::process;

/// How long a process whose parent died gives its process tree to end by itself (the
/// SIGTERM every process of it got) before it SIGKILLs the tree, itself with it. Short:
/// nobody is left to show a clean cancel to, and what is half made is the next run's
/// to remove; `npm ci` rolling back on SIGTERM was still running 3 s after `vx sync`
/// was SIGKILLed (issue 79, item 6).
pub(crate) const ORPHAN_GRACE: Duration = Duration::from_millis(300);
/// How often the watch looks at the cancel flag.
const ORPHAN_POLL: Duration = Duration::from_millis(100);

/// This process's tie to its parent ([`Tie::to_parent`]).
pub struct Tie {
    signalled: Arc<AtomicBool>,
    tied: bool,
    own_tree: bool,
}

impl Tie {
    /// Ties this process to its parent: SIGTERM when the parent dies (even by
    /// SIGKILL; Linux only), counted as a cancel with SIGINT and SIGHUP. The request
    /// covers only a parent that dies after it: the caller checks the parent is still
    /// the one it expects ([`Tie::watch`]'s `gone`) once this returns.
    pub fn to_parent() -> Tie {
        let tied = process::cancel_on_parent_death();
        let signalled = crate::signals::cancel_flag();
        Tie {
            signalled,
            tied,
            own_tree: process::leads_own_tree(),
        }
    }

    /// The cancel flag: set by SIGTERM (the parent's death among them), SIGINT, SIGHUP.
    pub fn signalled(&self) -> &Arc<AtomicBool> {
        &self.signalled
    }

    /// Whether the parent's death reaches this process (Linux).
    pub fn tied(&self) -> bool {
        self.tied
    }

    /// Whether this process leads a process group of its own (its parent started it
    /// so): what it starts can be ended with it.
    pub fn own_tree(&self) -> bool {
        self.own_tree
    }

    /// Starts the watch of a tied process that leads its own tree: once the cancel
    /// came and `gone` says the parent is gone, every process of the tree gets SIGTERM
    /// at once and, after [`ORPHAN_GRACE`], the tree (this process included) SIGKILL,
    /// unless the process ended first. Nothing is started otherwise.
    pub fn watch(&self, gone: impl Fn() -> bool + Send + 'static) {
        if !(self.own_tree && self.tied) {
            return;
        }
        let signalled = Arc::clone(&self.signalled);
        let _ = std::thread::Builder::new()
            .name("vx-orphan-watch".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                loop {
                    if signalled.load(Ordering::Relaxed) && gone() {
                        process::term_own_tree();
                        std::thread::sleep(ORPHAN_GRACE);
                        process::kill_own_tree();
                        return;
                    }
                    std::thread::sleep(ORPHAN_POLL);
                }
            });
    }

    /// The last act of a tied process that leads its own tree: when `gone` says its
    /// parent is gone, what is left of the tree (a grandchild that ignored the
    /// cancel) is SIGKILLed, this process with it. A live parent ends the tree itself
    /// once it has reaped this process.
    pub fn end_if_orphaned(&self, gone: impl Fn() -> bool) {
        if self.own_tree && self.tied && gone() {
            process::kill_own_tree();
        }
    }
}

/// The hidden subcommand.
pub(crate) const SUBCOMMAND: &str = "tied";

/// Runs `program` with `args` tied to the process `parent` (this process's parent
/// when it started it): its exit code, or why it could not be started. A parent
/// already gone starts nothing.
pub fn run(parent: u32, program: &OsStr, args: &[OsString]) -> std::io::Result<i32> {
    let tie = Tie::to_parent();
    let gone = move || process::parent_id() != Some(parent);
    // The parent died before the tie was made: nobody waits for what would be made.
    if gone() {
        return Ok(crate::exit::INTERRUPTED);
    }
    tie.watch(gone);
    let status = Command::new(program).args(args).status();
    tie.end_if_orphaned(gone);
    match status {
        Ok(status) => Ok(process::status_code(status)),
        Err(err) => Err(std::io::Error::new(
            err.kind(),
            format!("cannot start {}: {err}", program.to_string_lossy()),
        )),
    }
}

/// `command` run through [`SUBCOMMAND`] by this `vx` (its program, arguments,
/// directory and environment changes carried over), so that it ends with this
/// process; `command` as it is where there is no parent-death signal to ask for (not
/// Linux) or this process's executable cannot be found.
pub fn through(command: Command) -> Command {
    if !process::has_parent_death_signal() {
        return command;
    }
    let Ok(exe) = std::env::current_exe() else {
        return command;
    };
    let mut tied = Command::new(exe);
    tied.arg(SUBCOMMAND)
        .arg("--parent")
        .arg(std::process::id().to_string())
        .arg("--")
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        tied.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => tied.env(key, value),
            None => tied.env_remove(key),
        };
    }
    tied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn through_carries_the_program_its_arguments_directory_and_environment() {
        let mut command = Command::new("/bin/uv");
        command
            .args(["venv", "--quiet"])
            .current_dir("/tmp")
            .env("UV_NO_PROGRESS", "1")
            .env_remove("PYTHONPATH");
        let tied = through(command);
        if !process::has_parent_death_signal() {
            assert_eq!(tied.get_program(), "/bin/uv");
            return;
        }
        let args: Vec<&OsStr> = tied.get_args().collect();
        let parent = std::process::id().to_string();
        assert_eq!(
            args,
            [
                SUBCOMMAND,
                "--parent",
                parent.as_str(),
                "--",
                "/bin/uv",
                "venv",
                "--quiet"
            ]
            .map(OsStr::new)
        );
        assert_eq!(tied.get_current_dir(), Some(std::path::Path::new("/tmp")));
        let envs: Vec<_> = tied.get_envs().collect();
        assert!(envs.contains(&(OsStr::new("UV_NO_PROGRESS"), Some(OsStr::new("1")))));
        assert!(envs.contains(&(OsStr::new("PYTHONPATH"), None)));
    }
}
