//! `vx install`: one tool by hand (`TOOL@VERSION --url …`), with progress lines on
//! stderr and no board; or, with `--from-parent`, a `vx sync` child
//! ([`vx::child::from_parent`]).

use vx::config_frame::InstallConfig;
use vx::exit::{Because, Error};
use vx::format::ArchiveFormat;
use vx::install::{self, InstallOptions, LineSink, Terminal, store};
use vx::spec::ToolSpec;

use crate::cli::InstallArgs;

/// Runs `vx install`; returns the install's exit code.
pub fn run(args: &InstallArgs) -> Result<i32, Error> {
    if args.from_parent {
        return Ok(vx::child::from_parent());
    }
    let spec = args.tool.as_deref().unwrap_or_default();
    let (tool, version) = parse_tool_at_version(spec)?;
    let url = args.url.as_deref().ok_or_else(|| {
        Error::usage(format!(
            "vx install {spec} needs --url URL (and --sha256 HEX); to install from a manifest, run vx sync"
        ))
    })?;
    let url = url.replace("{version}", version);
    let format = match args.format.as_deref() {
        Some(name) => ArchiveFormat::from_name(name),
        None => ArchiveFormat::from_url(&url).map_err(|e| Error::usage(format!("{url}: {e}")))?,
    };
    let store = store::prepare(args.install.store.clone()).map_err(Error::usage)?;
    let mut cfg = InstallConfig {
        spec: ToolSpec {
            name: tool.to_owned(),
            version: version.to_owned(),
            url,
            sha256: args.sha256.clone(),
            format,
            strip_components: args.strip_components,
            bin: (!args.bins.is_empty()).then(|| args.bins.clone()),
            post_install: None,
            options: Default::default(),
        },
        store,
        board: None,
        slot: 0,
        allow_unverified: args.install.allow_unverified,
        read_timeout_secs: Some(args.install.read_timeout),
    };
    cfg.validate()
        .map_err(|e| Error::usage(Because::new("invalid install", e)))?;
    let mut sink = LineSink::stderr(tool, version).with_cancel(vx::signals::cancel_flag());
    let result = install::install(&cfg, &mut sink, &InstallOptions::for_config(&cfg));
    let terminal = Terminal::of(&result);
    terminal.publish(&mut sink);
    Ok(terminal.code)
}

/// Splits `TOOL@VERSION`.
pub fn parse_tool_at_version(spec: &str) -> Result<(&str, &str), Error> {
    match spec.split_once('@') {
        Some((tool, version)) if !tool.is_empty() && !version.is_empty() => Ok((tool, version)),
        _ => Err(Error::usage(format!(
            "expected TOOL@VERSION (e.g. ripgrep@14.1.1), got {spec:?}"
        ))),
    }
}
