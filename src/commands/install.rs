//! `vx install`: one tool by hand (`TOOL@VERSION --url …`), with progress lines on
//! stderr and no board; or, with `--from-parent`, a `vx sync` child
//! ([`vx::child::from_parent`]).

use std::io::IsTerminal;
use vx::config_frame::InstallConfig;
use vx::exit::{Because, Error};
use vx::format::ArchiveFormat;

use vx::install::{self, InstallOptions, LineSink, LiveSink, ProgressSink, Terminal, store};
use vx::spec::ToolSpec;

use crate::cli::InstallArgs;

/// Runs `vx install`; returns the install's exit code.
pub fn run(args: &InstallArgs) -> Result<i32, Error> {
    if args.from_parent {
        return Ok(vx::child::from_parent());
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
    let (tool, version) = super::parse_tool_at_version(spec)?;
    let url = args.url.as_deref().ok_or_else(|| {
        Error::usage(format!(
            "vx install {spec} needs --url URL (and --sha256 HEX); to install from a manifest, run vx sync"
        ))
    })?;
    if let Some((_, name)) = vx::manifest::tool::unknown_placeholder(url) {
        return Err(Error::usage(format!(
            "--url: unknown placeholder `{{{}}}`; a url may use {{version}}, {{os}} and {{arch}}",
            vx_tui::text::sanitize(name)
        )));
    }
    let platform = vx::manifest::Platform::current();
    let url = vx::manifest::tool::fill(url, version, &platform, &Default::default()).ok_or_else(
        || {
            Error::usage(format!(
                "--url names {{os}} or {{arch}}, which vx has no name for on {platform}"
            ))
        },
    )?;
    let format = match args.format.as_deref() {
        Some(name) => ArchiveFormat::from_name(name),
        None => ArchiveFormat::from_url(&url)
            .map_err(|suffix| Error::usage(vx::format::unsupported_suffix(suffix)))?,
    };
    let store = store::prepare(args.install.store.clone()).map_err(Error::usage)?;
    let spec = ToolSpec {
        sha256: args.sha256.clone(),
        format,
        strip_components: args.strip_components,
        bin: (!args.bins.is_empty()).then(|| {
            vx::manifest::tool::fill_bins(&args.bins, version, &platform, &Default::default())
        }),
        ..ToolSpec::new(tool, version, url)
    };
    let mut cfg = InstallConfig {
        allow_unverified: args.install.allow_unverified,
        read_timeout_secs: Some(args.install.read_timeout),
        ..InstallConfig::new(spec, store)
    };
    cfg.validate()
        .map_err(|e| Error::usage(Because::new("invalid install", e)))?;
    let cancel = vx::signals::cancel_flag();
    // On a terminal, one line redrawn in place; in a log, plain lines.
    let mut sink: Box<dyn ProgressSink> = if std::io::stderr().is_terminal() {
        Box::new(LiveSink::stderr(tool, version, super::look()).with_cancel(cancel.clone()))
    } else {
        Box::new(LineSink::stderr(tool, version).with_cancel(cancel.clone()))
    };
    let opts = InstallOptions::for_config(&cfg)
        .map_err(|e| Error::usage(Because::new("network settings", e)))?;
    // What killed installs left in the store goes, as at every sync: deleted in the
    // background while this one installs, waited for unless interrupted.
    let cleaning = store::clean_stale_work(&cfg.store, &cancel);
    let result = install::install(&cfg, sink.as_mut(), &opts);
    if let Some(cleaning) = cleaning
        && !cancel.load(std::sync::atomic::Ordering::Relaxed)
    {
        let _ = cleaning.join();
    }
    let terminal = Terminal::of(&result);
    terminal.publish(sink.as_mut());
    super::refresh_shims(&cfg.store);
    Ok(terminal.code)
}
