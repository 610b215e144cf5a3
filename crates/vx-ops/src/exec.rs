//! Running a command in place of vx, in a toolchain's environment: what `vx exec`,
//! `vx CMD`, `vx x`, `vx run` and the shims share once the toolchain is known. A
//! recorded activation ([`exec_recorded`]) runs with nothing read but the record; a
//! program is looked up on the `PATH` given and replaces this process
//! ([`replace_process`]), so the pid, signals, stdio and exit status are the
//! command's own. Each returns only the error that stopped it, with the exit code of
//! POSIX shells (127 not found, 126 not runnable).

use std::ffi::OsString;
use std::path::Path;

use vx_base::exit::{Because, Error};
use vx_model::project_env::Changes;
use vx_project::toolchain::activation::Activation;
use vx_project::toolchain::search;

/// Exit status of a command that cannot be found, as in POSIX shells.
pub(crate) const NOT_FOUND: i32 = 127;
/// Exit status of a command that was found but cannot be run.
pub use vx_base::exit::NOT_RUNNABLE;

/// The variable naming the program vx last handed a process over to (its path, links
/// resolved): a vx that finds itself named there was found for a command in place of
/// the program.
pub(crate) const EXEC_VAR: &str = "__VX_EXEC";
/// The variable listing the vx binaries that handed the process on, each having been
/// found for the command in place of the program (a `PATH`-style list): a vx that
/// finds itself there again is a loop ([`resolved_to_vx`]).
pub(crate) const VIA_VAR: &str = "__VX_VIA";

/// This vx's executable, links resolved.
fn me() -> Option<std::path::PathBuf> {
    let me = std::env::current_exe().ok()?;
    Some(me.canonicalize().unwrap_or(me))
}

/// The vx binaries that handed the process on to this one, each found for the
/// command in place of its program: empty when this vx was not started so.
fn handed_on() -> Vec<std::path::PathBuf> {
    let named = std::env::var_os(EXEC_VAR);
    match (named, me()) {
        (Some(named), Some(me)) if Path::new(&named) == me => std::env::var_os(VIA_VAR)
            .map(|via| std::env::split_paths(&via).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The error of a vx started under another name than its own (a shim, `command`) that
/// was handed the process as the program of `command` by a chain of vx binaries it is
/// already part of: vx binaries installed as each other's command (two vx as each
/// other's `node` ran each other until a timeout, issue 66, item 16). `None`
/// otherwise: another vx found once for a command (a second installation's shim)
/// still runs it.
pub fn resolved_to_vx(command: &str) -> Option<Error> {
    let me = me()?;
    let chain = handed_on();
    if !chain.contains(&me) {
        return None;
    }
    let shown = vx_text::sanitize(command).into_owned();
    let chain: Vec<String> = chain
        .iter()
        .chain(std::iter::once(&me))
        .map(|p| vx_text::sanitize(&p.display().to_string()).into_owned())
        .collect();
    Some(Error::with_code(
        NOT_RUNNABLE,
        format!(
            "{shown}: vx binaries are installed as each other's `{shown}` ({}); remove one from PATH or from the tool that installed it as `{shown}`",
            chain.join(" → ")
        ),
    ))
}

/// Runs `program` with a recorded activation: the tools' executables are looked up
/// in the record, anything else on the rest of `PATH` (`[settings] path`, then the
/// inherited one), so nothing is read but the record and the stamps it checks.
pub fn exec_recorded(recorded: &Activation, program: &OsString, args: &[OsString]) -> Error {
    let path = recorded.search_path(std::env::var_os("PATH").as_deref());
    let exe = match recorded.find(program) {
        _ if let Some(exe) = recorded.environment().in_venv(program) => Some(exe),
        Some(exe) => Some(exe.to_path_buf()),
        None => search::find(program, &path),
    };
    if exe.is_none()
        && let Some(err) = not_here(recorded.not_here(), program)
    {
        return err;
    }
    let changes = recorded.environment().changes();
    replace_process(program, args, &path, &changes, exe)
}

/// The error for `program` when it names a tool of the project that is not for this
/// platform (its `os`): said so, rather than "command not found".
pub(crate) fn not_here(tools: &[String], program: &OsString) -> Option<Error> {
    let name = program.to_string_lossy();
    let tool = tools
        .iter()
        .find(|t| vx_base::platform::fs::same_command(t, &name))?;
    Some(Error::with_code(
        NOT_FOUND,
        format!(
            "{tool} is not for {} (its `os` in vx.toml leaves it out)",
            vx_model::manifest::Platform::current()
        ),
    ))
}

/// Replaces this process with `exe` (`program` as found on `path`), with `path` as
/// its `PATH` and the project's `changes` applied; on Windows a `.cmd` with a launch
/// record beside it ([`vx_base::launch`]) is its program with leading arguments. Returns the error when it cannot
/// (127 not found, 126 not runnable).
pub(crate) fn replace_process(
    program: &OsString,
    args: &[OsString],
    path: &std::ffi::OsStr,
    changes: &Changes,
    exe: Option<std::path::PathBuf>,
) -> Error {
    let shown = vx_text::sanitize(&program.to_string_lossy()).into_owned();
    // A path to a file the search did not take (not executable): the system says why
    // it does not run (126, as a shell's "Permission denied"), not "not found".
    let named = Path::new(program);
    let exe = match exe {
        Some(exe) => exe,
        None if named.components().count() > 1 && named.is_file() => named.to_owned(),
        None => return Error::with_code(NOT_FOUND, format!("{shown}: command not found")),
    };
    // A runtime tool's command on Windows: its program with leading arguments
    // (`node.exe <script>`), started directly rather than through its `.cmd`.
    let launch = cfg!(windows).then(|| vx_base::launch::of(&exe)).flatten();
    let (exe, leading) = match launch {
        Some(launch) => (launch.program, launch.args),
        None => (exe, Vec::new()),
    };
    let mut command = std::process::Command::new(&exe);
    command.args(leading).args(args);
    changes.apply_to(&mut command);
    command.env("PATH", path);
    // What it is, and the vx binaries handing on to it, for a vx it turns out to be
    // ([`resolved_to_vx`]).
    command.env(EXEC_VAR, exe.canonicalize().unwrap_or_else(|_| exe.clone()));
    let via: Vec<std::path::PathBuf> = handed_on().into_iter().chain(me()).collect();
    if let Ok(via) = std::env::join_paths(via) {
        command.env(VIA_VAR, via);
    }
    start(command, program, &exe, &shown)
}

/// Hands the process over to `command` ([`vx_base::platform::exec::replace_process`]: `exec`
/// on Unix; on Windows a child whose code becomes ours). Returns the error when it
/// cannot start it.
pub(crate) fn start(
    command: std::process::Command,
    program: &OsString,
    exe: &Path,
    shown: &str,
) -> Error {
    let err = vx_base::platform::exec::replace_process(command, program);
    let code = if err.kind() == std::io::ErrorKind::NotFound {
        NOT_FOUND
    } else {
        NOT_RUNNABLE
    };
    Error::with_code(
        code,
        Because::new(format!("cannot run {shown} ({})", exe.display()), err),
    )
}
