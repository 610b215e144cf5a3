//! One file per subcommand: each turns parsed arguments ([`crate::cli`]) into the
//! library's settings, calls the library, and prints its report; a library error
//! becomes a [`vx_base::exit::Error`] through `?` ([`crate::present::exit`]). This file keeps
//! the terminal and output helpers they share; `request.rs` the conversions of
//! arguments several commands make. Nothing in the library imports this
//! layer.

pub(crate) mod activate;
pub(crate) mod add;
pub(crate) mod board;
pub(crate) mod bundle;
pub(crate) mod cache;
pub(crate) mod completions;
pub(crate) mod config;
pub(crate) mod daemon;
pub(crate) mod doctor;
pub(crate) mod env;
pub(crate) mod exec;
pub(crate) mod external;
pub(crate) mod hook_env;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod install;
pub(crate) mod list;
pub(crate) mod lock;
pub(crate) mod logs;
pub(crate) mod mirror;
pub(crate) mod outdated;
pub(crate) mod prune;
pub(crate) mod ps;
pub(crate) mod registry;
pub(crate) mod remove;
pub(crate) mod request;
pub(crate) mod run;
pub(crate) mod search;
pub(crate) mod self_;
pub(crate) mod shim;
pub(crate) mod sync;
pub(crate) mod tasks;
pub(crate) mod trust;
pub(crate) mod uninstall;
pub(crate) mod upgrade;
pub(crate) mod use_;
pub(crate) mod versions;
pub(crate) mod which;
pub(crate) mod x;

use std::io::IsTerminal;

use vx_sync::report::Verbosity;
use vx_sync::{Dashboard, Settings, Stream};

use crate::cli::{DashboardArgs, RunArgs};

/// The [`Settings`] of the output flags shared by `vx sync` and `vx lock`. The
/// dashboard is the default on a terminal; without one (CI, pipes), or with
/// `--headless` or `--json`, progress goes out as lines.
pub(crate) fn run_settings(args: &RunArgs) -> Settings {
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.tui && !terminal {
        vx_base::note!("vx: --tui needs a terminal; showing progress lines instead");
    }
    let dashboard = (terminal && !args.headless && !args.json && !args.quiet).then(|| Dashboard {
        options: dashboard_options(&args.dashboard),
        fps: args.dashboard.fps,
        inline: !args.tui,
    });
    Settings {
        jobs: args.jobs as usize,
        json: args.json,
        dump: None,
        dashboard,
        allow_unverified: false,
        read_timeout_secs: None,
        expected_failures: Vec::new(),
        first_use: Vec::new(),
        report_to: Default::default(),
        started: std::time::Instant::now(),
        probe: false,
        progress_interval: args.progress_interval,
        width: report_width(Stream::Stdout),
        // The project's url_replacements and mirrors: set by the commands that have a
        // manifest ([`vx_ops::session::Session::checked_network`]).
        network: Default::default(),
        offline: false,
        save_to: None,
        verbosity: if args.quiet {
            Verbosity::Quiet
        } else if args.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    }
}

/// The columns lines printed on `stream` keep within: `$COLUMNS` when it is a
/// positive number (as the user or a CI log asks), else the terminal's width when
/// `stream` is a terminal, else none (a file or pipe gets lines whole).
pub(crate) fn report_width(stream: Stream) -> Option<usize> {
    let columns = std::env::var("COLUMNS").ok();
    if let Some(columns) = columns.and_then(|c| c.trim().parse::<usize>().ok())
        && columns > 0
    {
        return Some(columns);
    }
    let terminal = match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    terminal.then(|| usize::from(vx_tui::inline::terminal_width()))
}

/// The dashboard's options from its flags, in the terminal's [`look`].
pub(crate) fn dashboard_options(args: &DashboardArgs) -> vx_tui::Options {
    vx_tui::Options {
        look: look(),
        exit_on_done: args.exit_on_done,
    }
}

/// How live output looks (the dashboard, the inline view, `vx install`'s line): in
/// colour unless `NO_COLOR` is set and not empty (no-color.org), or `CLICOLOR=0` is set
/// without `CLICOLOR_FORCE` (bixense.com/clicolors), in the order clap's help and
/// errors follow, so both agree. The views run only on a terminal, so colour is the
/// default; without colour they still move the cursor and redraw.
pub(crate) fn look() -> vx_tui::Look {
    let color = if anstyle_query::no_color() {
        false
    } else if anstyle_query::clicolor_force() {
        true
    } else {
        anstyle_query::clicolor() != Some(false)
    };
    vx_tui::Look { color }
}

/// Opens the project `opening` names ([`vx_ops::session::Session::open`]): what it fetches
/// said on stderr, and the keys its manifest ignores; an error as its exit code says
/// ([`crate::present::exit`]).
pub(crate) fn open(
    opening: &vx_ops::session::Opening,
) -> Result<vx_ops::session::Session, vx_base::exit::Error> {
    let progress = |line: &str| vx_base::note!("vx: {line}");
    let session = vx_ops::session::Session::open(opening, &progress)?;
    // Another user's project file above: nothing of it read, said once.
    if let Some(stopped) = session.stopped()
        && vx_model::manifest::search::unsaid(stopped)
    {
        vx_base::note!("vx: {stopped}; the search for a project stopped there");
    }
    if session.is_project()
        && let Some(note) = session.manifest().and_then(|m| m.ignored_note())
    {
        vx_base::note!("{note}");
    }
    // What a mise project read in place could not map: said once for its files as
    // they are.
    if session.is_project()
        && let Some(manifest) = session.manifest()
    {
        let said = vx_model::manifest::in_place::said_dir();
        for line in vx_model::manifest::in_place::unsaid(manifest, said.as_deref()) {
            vx_base::note!("vx: {}: {line}", manifest.path.display());
        }
    }
    Ok(session)
}

/// [`open`] of the project `--manifest` names, or the one found from the working
/// directory, or none (a command that also answers outside a project), offline as
/// `--offline` says.
pub(crate) fn open_optional(
    manifest: Option<&std::path::Path>,
    offline: bool,
) -> Result<vx_ops::session::Session, vx_base::exit::Error> {
    open(&vx_ops::session::Opening::new(manifest, vx_ops::session::Want::Optional).offline(offline))
}

/// [`open`] of a manifest the command read (or edited in memory): its runtime
/// declarations read as `opening` says.
pub(crate) fn open_manifest(
    manifest: vx_model::manifest::Manifest,
    opening: &vx_ops::session::Opening,
) -> Result<vx_ops::session::Session, vx_base::exit::Error> {
    let progress = |line: &str| vx_base::note!("vx: {line}");
    Ok(vx_ops::session::Session::with_manifest(
        manifest, opening, &progress,
    )?)
}

/// Makes vx's shims follow `store` ([`vx_project::shims::follow`]), saying on stderr why
/// they could not; the command's own result stands.
pub(crate) fn refresh_shims(store: &std::path::Path) {
    if let Err(e) = vx_project::shims::follow(store) {
        vx_base::note!("vx: {e}: {}", e.source);
    }
}

/// Writes `text` to stdout whole; a closed stdout is an environment error (exit 1).
pub(crate) fn print(text: &str) -> Result<(), vx_base::exit::Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            vx_base::exit::Error::environment(vx_base::exit::Because::new(
                "cannot write to stdout",
                e,
            ))
        })
}

/// What an operation has to say as it goes (a fetch, a constraint moved), on stderr.
pub(crate) fn progress(line: &str) {
    vx_base::note!("vx: {line}");
}

/// Puts back what `snapshot` took, saying so.
pub(crate) fn restore(snapshot: &vx_ops::snapshot::Snapshot) {
    crate::present::edit::restored(&snapshot.restore(), &note);
}

/// `result` as it is, the files of `snapshot` put back first unless it is a success
/// (exit 0).
pub(crate) fn unless_ok(
    snapshot: vx_ops::snapshot::Snapshot,
    result: Result<i32, vx_base::exit::Error>,
) -> Result<i32, vx_base::exit::Error> {
    if !matches!(result, Ok(vx_base::exit::OK)) {
        restore(&snapshot);
    }
    result
}

/// How an exec target's installs report: lines on stderr (stdout is the command's).
pub(crate) fn install_settings() -> Settings {
    Settings {
        report_to: Stream::Stderr,
        width: report_width(Stream::Stderr),
        ..run_settings(&RunArgs::headless())
    }
}

/// Says `line` on stderr as it is (made safe for a terminal): the `note` the library's
/// reports and operations say their lines through.
pub(crate) fn note(line: &str) {
    vx_base::note!("{line}");
}

/// What an exec target says ([`vx_ops::target::Say`]): its lines on stderr, a sync's
/// re-locking ([`crate::present::lock::relocked`]), and the shims refreshed after an
/// install.
pub(crate) struct Said;

impl vx_ops::target::Say for Said {
    fn note(&self, line: &str) {
        note(line);
    }

    fn relocked(
        &self,
        report: &vx_project::plan::LockReport,
        manifest: &vx_model::manifest::Manifest,
    ) {
        crate::present::lock::relocked(report, manifest, &note);
    }

    fn installed(&self, store: &std::path::Path) {
        refresh_shims(store);
    }
}
