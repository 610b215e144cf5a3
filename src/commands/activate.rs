//! `vx activate SHELL`: prints the hook for the shell's rc file
//! ([`vx_hook::script`]), calling this very vx by its absolute path so the hook does
//! not depend on `PATH` (which it changes). `vx activate --shims SHELL` prints instead
//! the one line that puts vx's shims directory ([`vx_project::shims`]) first on `PATH`, for a
//! profile that IDEs, cron jobs and `ssh host cmd` read without running a hook.

use std::io::Write;

use vx_base::exit::{Because, Error};
use vx_project::toolchain::shell::Shell;

use crate::cli::{ActivateArgs, hook_shell};

/// Runs `vx activate`.
pub(crate) fn run(args: &ActivateArgs) -> Result<i32, Error> {
    let shell = hook_shell(&args.shell);
    if args.shims {
        let dir = vx_project::shims::dir().ok_or_else(|| {
            Error::usage(format!(
                "no data directory for the shims: {}",
                vx_base::platform::fs::DATA_DIR_UNSET
            ))
        })?;
        std::io::stdout().write_all(shims_line(shell, &dir).as_bytes())?;
        return Ok(vx_base::exit::OK);
    }
    let vx = vx_engine::self_update::own::invoked_exe()
        .map_err(|e| Error::environment(Because::new("cannot find the vx executable", e)))?;
    let text = vx_hook::script::hook(shell, &vx);
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(vx_base::exit::OK)
}

/// The line of `shell` that puts `dir` before the rest of `PATH`, quoted as `vx env`
/// quotes (POSIX shells see a Windows path as Git Bash names it).
fn shims_line(shell: Shell, dir: &std::path::Path) -> String {
    use vx_project::toolchain::shell::{fish_quote, powershell_quote, sh_word};
    let posix = vx_base::platform::fs::posix_shell_path(dir);
    match shell {
        Shell::Fish => format!("set -gx PATH {} $PATH\n", fish_quote(&posix)),
        Shell::Powershell => format!(
            "$env:PATH = {} + [IO.Path]::PathSeparator + $env:PATH\n",
            powershell_quote(&dir.to_string_lossy())
        ),
        _ => format!("export PATH={}\":$PATH\"\n", sh_word(&posix)),
    }
}
