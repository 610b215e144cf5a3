//! Arguments → what the library takes, where more than one command needs the same
//! conversion: the store and working directory named, a lock run's options and a
//! push's request from the output flags, `TOOL@VERSION`, the files an edit may have
//! to put back. A helper of the commands, not a command.

/// The store the toolchain commands read (`--store`, else the default), not created.
pub(crate) fn located_store(
    explicit: Option<&std::path::Path>,
) -> Result<std::path::PathBuf, vx_base::exit::Error> {
    vx_engine::store::locate(explicit.map(std::path::Path::to_path_buf))
        .map_err(vx_base::exit::Error::usage)
}

/// The working directory, where the manifest search starts.
pub(crate) fn cwd() -> Result<std::path::PathBuf, vx_base::exit::Error> {
    std::env::current_dir().map_err(|e| {
        vx_base::exit::Error::environment(vx_base::exit::Because::new(
            "cannot read the working directory",
            e,
        ))
    })
}

/// How a lock run of a command with `run`'s output flags resolves and downloads.
pub(crate) fn lock_options(
    run: &crate::cli::RunArgs,
    allow_provenance_loss: bool,
    offline: bool,
) -> vx_ops::lock::Options {
    vx_ops::lock::Options {
        settings: super::run_settings(run),
        quiet: run.quiet,
        verbose: run.verbose,
        allow_provenance_loss,
        offline,
        store: None,
    }
}

/// What `vx mirror push` and `vx bundle export` push to `target`
/// ([`vx_ops::push`]): the platforms, tags and output flags of `content`.
pub(crate) fn push_request<'a>(
    target: &'a vx_project::fleet::push::Target,
    content: &'a crate::cli::ContentArgs,
) -> vx_ops::push::Request<'a> {
    vx_ops::push::Request {
        target,
        platforms: content.platforms.iter().map(|p| p.to_string()).collect(),
        tags: &content.tags,
        settings: super::run_settings(&content.run),
        read_timeout: content.read_timeout,
    }
}

/// Splits a `TOOL@VERSION` argument (`vx install`, `vx uninstall`, `vx add --url`).
pub(crate) fn parse_tool_at_version(spec: &str) -> Result<(&str, &str), vx_base::exit::Error> {
    match spec.split_once('@') {
        Some((tool, version)) if !tool.is_empty() && !version.is_empty() => Ok((tool, version)),
        _ => Err(vx_base::exit::Error::usage(format!(
            "expected TOOL@VERSION (e.g. ripgrep@14.1.1), got {spec:?}"
        ))),
    }
}

/// vx.toml and the files beside it as they are now ([`vx_ops::snapshot`]), to put
/// back when the command fails; a file that cannot be read is exit 1.
pub(crate) fn snapshot(
    manifest: &std::path::Path,
) -> Result<vx_ops::snapshot::Snapshot, vx_base::exit::Error> {
    vx_ops::snapshot::Snapshot::take(manifest).map_err(vx_base::exit::Error::environment)
}
