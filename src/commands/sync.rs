//! `vx sync`: install every tool of a manifest (or the demo's), in parallel.

use std::io::IsTerminal;

use vx::exit::Error;
use vx::install::store;
use vx::manifest::Platform;
use vx::sync::{Dashboard, Settings};

use crate::cli::SyncArgs;

/// Runs `vx sync`; a bad manifest or store is a usage error (exit 2).
pub fn run(args: &SyncArgs) -> Result<i32, Error> {
    let settings = settings(args);
    if args.demo {
        return vx::demo::run(&settings).map_err(Error::environment);
    }
    let manifest = super::manifest(args.manifest.as_deref())?;
    let tools = manifest
        .resolve(&Platform::current())
        .map_err(Error::usage)?;
    let store = store::prepare(args.install.store.clone()).map_err(Error::usage)?;
    let label = manifest.path.display().to_string();
    vx::sync::run(&label, &tools, &store, &settings).map_err(Error::environment)
}

/// The [`Settings`] of `vx sync`'s flags. The dashboard is the default on a terminal;
/// without one (CI, pipes), or with `--headless` or `--json`, progress goes out as lines.
fn settings(args: &SyncArgs) -> Settings {
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.tui && !terminal {
        vx::note!("vx: --tui needs a terminal; showing progress lines instead");
    }
    let dashboard = (terminal && !args.headless && !args.json).then(|| Dashboard {
        options: super::dashboard_options(&args.dashboard),
        fps: args.dashboard.fps,
    });
    Settings {
        jobs: args.jobs as usize,
        json: args.json,
        dump: args.dump.clone(),
        dashboard,
        allow_unverified: args.install.allow_unverified,
        read_timeout_secs: Some(args.install.read_timeout),
        expected_failures: Vec::new(),
    }
}
