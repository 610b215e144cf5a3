//! `vx self info [--json] | update [VERSION] [--check] [--allow-downgrade] [--force] |
//! uninstall [--yes]`: vx itself ([`vx_engine::self_update`]). `update` refuses a vx that a
//! package manager owns (with that manager's command) or that no installer placed
//! (unless `--force`) before it fetches anything; the release is checked by the library
//! before anything is replaced; a running daemon keeps the old image and is named.

use std::io::{IsTerminal, Write};

use serde_json::json;
use vx_base::build_info;
use vx_base::exit::{Error, OK};
use vx_engine::self_update::own::{self, Whereabouts};

use crate::cli::{SelfCommand, SelfUpdateArgs};

/// Runs a `vx self` subcommand.
pub(crate) fn run(command: SelfCommand) -> Result<i32, Error> {
    match command {
        SelfCommand::Info { json } => info(json),
        SelfCommand::Update(args) => self_update(&args),
        SelfCommand::Uninstall { yes } => self_uninstall(yes),
    }
}

fn out(text: &str) -> Result<(), Error> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(Error::environment)
}

fn info(json: bool) -> Result<i32, Error> {
    let here = Whereabouts::find()?;
    out(&crate::present::self_update::info(&here, json)).map(|()| OK)
}

fn self_update(args: &SelfUpdateArgs) -> Result<i32, Error> {
    let here = Whereabouts::find()?;
    let exe = here.exe.clone();
    let request = own::Request {
        version: args.version.as_deref(),
        check: args.check,
        force: args.force,
        allow_downgrade: args.allow_downgrade,
    };
    let note = |line: &str| vx_base::note!("{line}");
    let outcome = own::update(here, &request, &note)?;
    if outcome.status == "updated" {
        tell_daemon();
    }
    if args.json {
        let value = json!({
            "status": outcome.status,
            "current": build_info::VERSION,
            "release": outcome.found.manifest.version,
            "manifest": outcome.found.url,
            "path": exe,
        });
        out(&format!("{value}\n"))?;
    } else {
        out(&format!("{}\n", outcome.line))?;
    }
    Ok(OK)
}

/// Says when a daemon runs: it keeps the old binary's image until restarted.
fn tell_daemon() {
    let paths = vx_daemon::Paths::from_env();
    if let vx_daemon::LockState::Held(pid) = paths.lock_state() {
        let pid = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        vx_base::note!(
            "vx: the vx daemon{pid} still runs the old vx: restart it with `vx daemon stop && vx daemon start`"
        );
    }
}

fn self_uninstall(yes: bool) -> Result<i32, Error> {
    let here = Whereabouts::find()?;
    if let Some(refusal) = own::uninstall_refusal(&here) {
        return Err(refusal.into());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::usage(
                "vx self uninstall removes vx: pass --yes to confirm without a terminal",
            ));
        }
        eprint!("Remove vx from {}? [y/N] ", here.exe.display());
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            vx_base::note!("vx: nothing removed");
            return Ok(OK);
        }
    }
    let done = own::uninstall(&here)?;
    out(&crate::present::self_update::uninstalled(&done)).map(|()| OK)
}
