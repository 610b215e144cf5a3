//! `vx CMD [ARGS...]` for a `CMD` that is not a subcommand: when an executable of a
//! project tool has that name, it is `vx exec -- CMD ARGS`. A manifest or lock that
//! cannot be read is said as `vx exec` says it (file:line:col, exit 2): it is why no
//! tool was found. Otherwise the command line is wrong: a near miss of a subcommand
//! gets clap's error with its tip (`vx synk`), anything else "no tool or subcommand",
//! with what the store holds of that name (`vx ninja` after `vx remove ninja`).

use std::ffi::OsString;
use std::path::Path;

use vx_base::exit::Error;
use vx_model::manifest::Manifest;
use vx_tui::text::sanitize;

use vx_ops::target::Target;

/// Runs `CMD` as a project tool; returns only the error that stopped it (an unknown
/// subcommand exits through clap).
pub(crate) fn run(args: &[OsString]) -> Result<i32, Error> {
    let Some((program, rest)) = args.split_first() else {
        return Err(Error::usage("no command given; see `vx --help`"));
    };
    let Some(name) = program.to_str() else {
        return Err(unknown(&program.to_string_lossy(), None, None));
    };
    // `vx TOOL@VERSION ARGS`: any registry tool, as `vx x` runs it.
    if name.contains('@') && !name.starts_with('@') {
        let opening = vx_ops::session::Opening::new(None, vx_ops::session::Want::Optional);
        let request = vx_ops::x::Request {
            tool: name,
            command: None,
        };
        let settings = super::install_settings();
        let said = super::Said;
        let e = vx_ops::target::run_registry_tool(&opening, &request, rest, &settings, &said);
        return Err(e.into());
    }
    let (sources, recorded) = vx_ops::session::recorded::activation(None, None).unzip();
    if let Some(recorded) = recorded.flatten()
        && recorded.provides(name)
        && !recorded.environment().venv_to_make(recorded.bin_dirs())
    {
        return Err(vx_ops::exec::exec_recorded(&recorded, program, rest));
    }
    let session = super::open(&vx_ops::session::Opening::new(
        None,
        vx_ops::session::Want::ProjectOrGlobal,
    ))?;
    let Some(manifest) = session.manifest() else {
        let store = super::request::located_store(None).ok();
        return Err(unknown(name, None, store.as_deref()));
    };
    let store = session.store()?;
    let chain = session.toolchain(&[], &store)?;
    if chain.provider(name).is_none() {
        let unknown_bins = vx_ops::target::unknown_commands(&chain);
        if !unknown_bins.is_empty() {
            vx_base::note!(
                "vx: not installed yet, so their commands are not known: {}; run `vx sync` (or list them with `bin = [...]` in vx.toml)",
                unknown_bins.join(", ")
            );
        }
        return Err(unknown(name, Some(manifest), Some(&store)));
    }
    let target = Target {
        session: &session,
        requests: &[],
        store: None,
        offline: false,
        no_install: false,
        sources: sources.as_ref(),
        settings: &super::install_settings(),
        say: &super::Said,
        on_path: false,
    };
    Err(target.exec_in(chain, &store, program, rest).into())
}

/// The error for `name`, which no tool of `manifest` (if any) provides: clap's, with
/// its tip, when `name` is a near miss of a subcommand and no tool of the store has
/// that name; else "no tool or subcommand", saying what the store holds of `name`.
fn unknown(name: &str, manifest: Option<&Manifest>, store: Option<&Path>) -> Error {
    let installed = store.map_or_else(Vec::new, |s| vx_engine::inventory::tool_versions(s, name));
    if installed.is_empty()
        && let Some(similar) = crate::cli::similar_subcommand(name)
    {
        // Clap prints it as it is: what came from outside is made safe here.
        crate::cli::unknown_subcommand(&sanitize(name), similar).exit();
    }
    // The message is sanitized with every error, in `main`.
    let mut message = format!("no tool or subcommand `{name}`");
    match manifest {
        Some(manifest) => message.push_str(&format!(
            ": no tool of {} provides it",
            manifest.path.display()
        )),
        None => message.push_str(" (no vx.toml here or in a parent directory)"),
    }
    if let Some(latest) = installed.last() {
        message.push_str(&format!(
            "; the store holds {name} {}, which `vx exec {name}@{latest} -- {name}` runs",
            installed.join(", ")
        ));
    }
    message.push_str("; see `vx --help`");
    Error::usage(message)
}
