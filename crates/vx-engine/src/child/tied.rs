//! `vx tied --parent PID -- PROGRAM [ARGS]...` (hidden): a program that is to end with
//! the `vx` that started it, even when that `vx` is SIGKILLed, run under the tie an
//! install child runs under ([`super::tie`]). The project's venv maker (`uv venv`,
//! `python -I -m venv`, `crate::install::venv::make_project`) runs so: started as the
//! leader of a process group (its deadline and a Ctrl-C end that group), it got no
//! parent-death signal of its own, and a SIGKILLed `vx sync` left it running to its
//! end (issue 78, item 4). The program cannot ask for the signal itself and vx starts
//! no program through `pre_exec` (no unsafe code outside `vx-shm`): this small `vx`
//! process asks for it, runs the program in its own group, and on its parent's death
//! ends the group as an install child does.
//!
//! The program inherits this process's directory, environment and stdio; the exit
//! code is the program's (128 + N for a signal), 127 when it cannot be started.

use std::ffi::{OsStr, OsString};
use std::process::Command;

use vx_base::platform::process;

/// The hidden subcommand.
pub const SUBCOMMAND: &str = "tied";

/// Runs `program` with `args` tied to the process `parent` (this process's parent
/// when it started it): its exit code. A parent already gone starts nothing.
pub fn run(parent: u32, program: &OsStr, args: &[OsString]) -> i32 {
    let tie = super::tie::Tie::to_parent();
    let gone = move || process::parent_id() != Some(parent);
    // The parent died before the tie was made: nobody waits for what would be made.
    if gone() {
        return vx_base::exit::INTERRUPTED;
    }
    tie.watch(gone);
    let status = Command::new(program).args(args).status();
    tie.end_if_orphaned(gone);
    match status {
        Ok(status) => process::status_code(status),
        Err(err) => {
            vx_base::note!(
                "vx: cannot start {}: {err}",
                vx_text::sanitize(&program.to_string_lossy())
            );
            127
        }
    }
}

/// `command` run through [`SUBCOMMAND`] by this `vx` (its program, arguments,
/// directory and environment changes carried over), so that it ends with this
/// process; `command` as it is where there is no parent-death signal to ask for (not
/// Linux) or this process's executable cannot be found.
pub fn through(command: Command) -> Command {
    if !cfg!(target_os = "linux") {
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
        if !cfg!(target_os = "linux") {
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
