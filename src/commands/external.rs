//! `vx CMD [ARGS...]` for a `CMD` that is not a subcommand: when an executable of a
//! project tool has that name, it is `vx exec -- CMD ARGS`; otherwise the command line
//! is wrong and clap says so (with its "did you mean").

use std::ffi::OsString;

use vx::exit::Error;

use super::exec::Target;

/// Runs `CMD` as a project tool; `None` when no project tool provides it (the caller
/// reports an unknown subcommand).
pub fn run(args: &[OsString]) -> Option<Error> {
    let (program, rest) = args.split_first()?;
    let name = program.to_str()?;
    let (sources, recorded) = super::recorded_activation(None, None).unzip();
    if let Some(recorded) = recorded.flatten()
        && recorded.provides(name)
    {
        return Some(super::exec::exec_recorded(&recorded, program, rest));
    }
    // Any trouble with the project means `CMD` is not one of its tools: the error
    // shown is then clap's, about the command line.
    let manifest = super::optional_manifest(None).ok().flatten()?;
    let store = super::located_store(None).ok()?;
    let chain = super::toolchain(Some(&manifest), &[], &store).ok()?;
    if chain.provider(name).is_none() {
        let unknown: Vec<String> = chain
            .missing()
            .iter()
            .filter(|t| t.spec.as_ref().is_some_and(|s| s.bin.is_none()))
            .map(|t| t.label())
            .collect();
        if !unknown.is_empty() {
            vx::note!(
                "vx: not installed yet, so their commands are not known: {}; run `vx sync` (or list them with `bin = [...]` in vx.toml)",
                unknown.join(", ")
            );
        }
        return None;
    }
    let target = Target {
        manifest: Some(&manifest),
        requests: &[],
        store: None,
        offline: false,
        sources: sources.as_ref(),
    };
    Some(target.exec_in(chain, &store, program, rest))
}
