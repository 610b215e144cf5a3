//! `vx install`: one tool by hand (`TOOL@VERSION --url …`, [`vx_ops::install`]),
//! with progress lines on stderr and no board; or, with `--from-parent`, a `vx sync` child
//! ([`vx_engine::child::from_parent`]).

use std::io::IsTerminal;

use vx_base::exit::Error;
use vx_engine::install::{Cancellable, LineSink, LiveSink, ProgressSink};

use crate::cli::InstallArgs;

/// Runs `vx install`; returns the install's exit code.
pub(crate) fn run(args: &InstallArgs) -> Result<i32, Error> {
    if args.from_parent {
        return Ok(vx_engine::child::from_parent());
    }
    let spec = args.tool.as_deref().unwrap_or_default();
    // `vx install` and `vx install node`, as mise users type them, mean vx's sync
    // and use: said, instead of the standalone install's own format.
    if !spec.contains('@') {
        return Err(Error::usage(if spec.is_empty() {
            "`vx install` installs one download (NAME@VERSION --url URL); the project's tools install with `vx sync`".to_owned()
        } else {
            format!(
                "`vx install` installs one download (NAME@VERSION --url URL): to add {spec} to the project and install it, run `vx use {spec}`; `vx sync` installs the project's tools"
            )
        }));
    }
    let (tool, version) = super::request::parse_tool_at_version(spec)?;
    let request = vx_ops::install::Request {
        tool,
        version,
        spec,
        url: args.url.as_deref(),
        sha256: args.sha256.clone(),
        strip_components: args.strip_components,
        format: args.format.as_deref(),
        bins: &args.bins,
        store: args.install.store.clone(),
        allow_unverified: args.install.allow_unverified,
        read_timeout: args.install.read_timeout,
    };
    let cfg = vx_ops::install::config(request).map_err(Error::usage)?;
    let cancel = vx_base::signals::cancel_flag();
    // On a terminal, one line redrawn in place; in a log, plain lines.
    let mut sink: Box<dyn ProgressSink> = if std::io::stderr().is_terminal() {
        Box::new(Cancellable::new(
            LiveSink::stderr(tool, version, super::look()),
            cancel.clone(),
        ))
    } else {
        Box::new(Cancellable::new(
            LineSink::stderr(tool, version),
            cancel.clone(),
        ))
    };
    let terminal = vx_ops::install::install(&cfg, sink.as_mut(), &cancel).map_err(Error::usage)?;
    terminal.publish(sink.as_mut());
    super::refresh_shims(&cfg.store);
    Ok(terminal.code)
}
