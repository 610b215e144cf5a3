//! `vx env [--shell …]`: prints what puts the project's installed tools first on
//! `PATH`, for `eval "$(vx env)"`, PowerShell, JSON or `$GITHUB_PATH`. Tools that are
//! not installed are named on stderr and make it exit 1 (what is installed is still
//! printed). A running daemon answers for the project when it can
//! ([`super::ActiveTools`]), else the project's recorded activation while nothing it
//! was made from changed, else the manifest, lock and receipts are read in full.

use std::io::Write;

use vx::exit::Error;
use vx::toolchain::shell::Shell;

use super::ActiveTools;
use crate::cli::EnvArgs;

/// Runs `vx env`.
pub fn run(args: &EnvArgs) -> Result<i32, Error> {
    let store = super::located_store(args.project.store.as_deref())?;
    let explicit = args.project.manifest.as_deref();
    // Outside a project the daemon's answer has no manifest: the direct path then
    // reports the missing manifest as usual. A directory it names that is gone was
    // uninstalled a moment ago: the daemon has not seen it yet.
    let tools = match ActiveTools::from_daemon(explicit, &store) {
        Some(tools) if tools.manifest.is_some() && tools.bin_dirs.iter().all(|d| d.is_dir()) => {
            tools
        }
        _ => match super::recorded_activation(explicit, args.project.store.as_deref()) {
            // The record of a complete toolchain, while nothing it came from changed.
            Some((_, Some(recorded))) => ActiveTools {
                manifest: None,
                bin_dirs: recorded.bin_dirs().to_vec(),
                missing: Vec::new(),
                not_here: Vec::new(),
            },
            stale => {
                let sources = stale.map(|(sources, _)| sources);
                let manifest = super::manifest(explicit)?;
                let chain = super::toolchain(Some(&manifest), &[], &store)?;
                super::record_activation(&chain, sources.as_ref(), &store);
                ActiveTools::of(&chain, Some(&manifest))
            }
        },
    };
    let shell = match &args.shell {
        Some(name) => Shell::ALL
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Shell::Bash, |(_, shell)| *shell),
        None => Shell::from_login(std::env::var_os("SHELL").as_deref()),
    };
    let text = shell.render(&tools.bin_dirs, std::env::var_os("PATH").as_deref());
    std::io::stdout().write_all(text.as_bytes())?;
    for (label, _) in &tools.missing {
        vx::note!("vx: {label} is not installed; run `vx sync`");
    }
    super::sync::not_here(&tools.not_here);
    Ok(if tools.missing.is_empty() {
        vx::exit::OK
    } else {
        vx::exit::FAILED
    })
}
