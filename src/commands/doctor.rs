//! `vx doctor [--json] [--offline]`: runs [`vx::doctor::examine`] and prints each
//! finding (a problem with why and the fix); exit 0 when healthy, 1 when a finding is
//! a problem. `--json` prints the report as one object (docs/EVERYDAY.md).

use vx::doctor::{Settings, Status};
use vx::exit::{Error, FAILED, OK};

use super::print;
use crate::cli::DoctorArgs;

/// Runs `vx doctor`.
pub fn run(args: &DoctorArgs) -> Result<i32, Error> {
    let offline = vx::resolution::Options::from_env(args.offline, true).offline;
    let manifest = super::cwd()
        .ok()
        .and_then(|cwd| vx::manifest::locate(args.manifest.as_deref(), &cwd).ok())
        .filter(|path| path.is_file());
    let store = vx::install::store::locate(args.store.clone());
    let exe = std::env::current_exe()
        .ok()
        .map(|exe| exe.canonicalize().unwrap_or(exe));
    let report = vx::doctor::examine(&Settings {
        offline,
        manifest,
        store,
        exe,
    });
    let text = match args.json {
        true => format!(
            "{}\n",
            serde_json::to_string(&report).map_err(Error::environment)?
        ),
        false => human(&report),
    };
    print(&text)?;
    Ok(if report.healthy { OK } else { FAILED })
}

fn human(report: &vx::doctor::Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mark = match f.status {
            Status::Ok => "ok",
            Status::Info => "info",
            Status::Problem => "PROBLEM",
            Status::Skipped => "skipped",
        };
        out.push_str(&format!("{mark:<8} {:<9} {}\n", f.check, f.what));
        if let Some(why) = &f.why {
            out.push_str(&format!("{:19}why: {why}\n", ""));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("{:19}fix: {fix}\n", ""));
        }
    }
    let problems = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Problem)
        .count();
    match problems {
        0 => out.push_str("no problem found\n"),
        1 => out.push_str("1 problem found\n"),
        n => out.push_str(&format!("{n} problems found\n")),
    }
    out
}
