//! `vx env [--shell …]`: prints what puts the project's installed tools first on
//! `PATH`, for `eval "$(vx env)"`, PowerShell, JSON or `$GITHUB_PATH`. Tools that are
//! not installed are named on stderr and make it exit 1 (what is installed is still
//! printed).

use std::io::Write;

use vx::exit::Error;
use vx::toolchain::shell::Shell;

use crate::cli::EnvArgs;

/// Runs `vx env`.
pub fn run(args: &EnvArgs) -> Result<i32, Error> {
    let manifest = super::manifest(args.project.manifest.as_deref())?;
    let store = super::located_store(args.project.store.as_deref())?;
    let chain = super::toolchain(Some(&manifest), &[], &store)?;
    let shell = match &args.shell {
        Some(name) => Shell::ALL
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Shell::Bash, |(_, shell)| *shell),
        None => Shell::from_login(std::env::var_os("SHELL").as_deref()),
    };
    let text = shell.render(&chain.bin_dirs(), std::env::var_os("PATH").as_deref());
    std::io::stdout().write_all(text.as_bytes())?;
    let missing = chain.missing();
    for tool in &missing {
        vx::note!("vx: {} is not installed; run `vx sync`", tool.label());
    }
    Ok(if missing.is_empty() {
        vx::exit::OK
    } else {
        vx::exit::FAILED
    })
}
