//! `vx which CMD`: the absolute path of the executable `vx exec -- CMD` would run: a
//! project tool's, else the one on the inherited `PATH`. A project tool that would
//! provide it but is not installed is an error (exit 1) saying to run `vx sync`.

use std::io::Write;
use std::path::PathBuf;

use vx::exit::Error;
use vx::toolchain::search;

use crate::cli::WhichArgs;

/// Runs `vx which`.
pub fn run(args: &WhichArgs) -> Result<i32, Error> {
    let (manifest_arg, store_arg) = (
        args.project.manifest.as_deref(),
        args.project.store.as_deref(),
    );
    let command = &args.command;
    if let Some(recorded) = super::fresh_activation(manifest_arg, store_arg)
        && let Some(exe) = recorded.find(command)
    {
        return print(exe.to_path_buf());
    }
    let sources = super::activation_sources(manifest_arg);
    let manifest = super::optional_manifest(manifest_arg)?;
    let store = super::located_store(store_arg)?;
    let chain = super::toolchain(manifest.as_ref(), &[], &store)?;
    super::record_activation(&chain, sources.as_ref(), &store);
    let shown = vx_tui::text::sanitize(&command.to_string_lossy()).into_owned();
    let exe = match chain.find(command) {
        Some(exe) => exe,
        None => {
            let name = command.to_str().unwrap_or_default();
            let missing = chain.missing();
            if let Some(tool) = missing
                .iter()
                .find(|t| t.commands().iter().any(|c| c == name))
            {
                return Err(Error::failed(format!(
                    "{} is not installed; run `vx sync`",
                    tool.label()
                )));
            }
            let inherited = std::env::var_os("PATH").unwrap_or_default();
            search::find(command, &inherited).ok_or_else(|| {
                Error::failed(format!(
                    "{shown}: no tool of the project provides it and it is not on PATH"
                ))
            })?
        }
    };
    print(exe)
}

/// Prints `exe` as an absolute path.
fn print(exe: PathBuf) -> Result<i32, Error> {
    let exe: PathBuf = std::path::absolute(&exe).unwrap_or(exe);
    let mut out = std::io::stdout().lock();
    out.write_all(exe.as_os_str().as_encoded_bytes())?;
    out.write_all(b"\n")?;
    Ok(vx::exit::OK)
}
