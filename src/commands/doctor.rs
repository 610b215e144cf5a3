//! `vx doctor [--json] [--offline]`: runs [`crate::doctor::examine`] and prints each
//! finding (a problem with why and the fix); exit 0 when healthy, 1 when a finding is
//! a problem. `--json` prints the report as one object (docs/EVERYDAY.md).

use crate::doctor::Settings;
use vx_base::exit::{Error, FAILED, OK};

use super::print;
use crate::cli::DoctorArgs;

/// Runs `vx doctor`.
pub(crate) fn run(args: &DoctorArgs) -> Result<i32, Error> {
    let offline = vx_engine::resolution::Options::from_env(args.offline, true).offline;
    let opening =
        vx_ops::session::Opening::new(args.manifest.as_deref(), vx_ops::session::Want::Optional);
    let manifest = vx_ops::session::locate(&opening)
        .ok()
        .flatten()
        .filter(|path| path.is_file());
    let store = vx_engine::store::locate(args.store.clone());
    let exe = std::env::current_exe()
        .ok()
        .map(|exe| exe.canonicalize().unwrap_or(exe));
    let report = crate::doctor::examine(&Settings {
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
        false => crate::present::doctor::text(&report),
    };
    print(&text)?;
    Ok(if report.healthy { OK } else { FAILED })
}
