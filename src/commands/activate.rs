//! `vx activate SHELL`: prints the hook for the shell's rc file
//! ([`vx::hook::script`]), calling this very vx by its absolute path so the hook does
//! not depend on `PATH` (which it changes).

use std::io::Write;

use vx::exit::{Because, Error};

use crate::cli::{ActivateArgs, hook_shell};

/// Runs `vx activate`.
pub fn run(args: &ActivateArgs) -> Result<i32, Error> {
    let vx = std::env::current_exe()
        .map_err(|e| Error::environment(Because::new("cannot find the vx executable", e)))?;
    let text = vx::hook::script::hook(hook_shell(&args.shell), &vx);
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(vx::exit::OK)
}
