//! `vx trust [PATH] [--revoke]`: let the shell hook and the shims apply a project's
//! own environment (`[env]`, env files, `[settings] path`), or stop them
//! ([`vx_engine::trust`]). Trusting says what that applies, read from the manifest.

use std::io::Write;
use std::path::PathBuf;

use vx_base::exit::Error;
use vx_model::manifest::MANIFEST_FILE;
use vx_ops::session::{Opening, Want};
use vx_tui::text::sanitize;

use crate::cli::TrustArgs;

/// Runs `vx trust`.
pub(crate) fn run(args: &TrustArgs) -> Result<i32, Error> {
    let manifest = match &args.path {
        Some(path) if path.is_dir() => path.join(MANIFEST_FILE),
        Some(path) => path.clone(),
        None => {
            let start = super::request::cwd()?;
            let opening = Opening::new(None, Want::Optional).cwd(&start);
            vx_ops::session::locate(&opening)?.ok_or_else(|| {
                Error::usage(format!(
                    "no vx.toml in {} or any parent directory; `vx trust PATH` names one",
                    sanitize(&start.display().to_string())
                ))
            })?
        }
    };
    let shown = sanitize(&absolute(&manifest).display().to_string()).into_owned();
    let mut out = std::io::stdout().lock();
    if args.revoke {
        let changed = vx_engine::trust::set(&manifest, false).map_err(|e| cannot(&shown, e))?;
        let said = if changed {
            format!("no longer trusted: {shown}: the hook and the shims apply its tools only")
        } else {
            format!("{shown} was not trusted")
        };
        let _ = writeln!(out, "{said}");
        return Ok(vx_base::exit::OK);
    }
    // Read first: what is trusted is what the file says now, and the answer names it.
    let parsed = vx_model::manifest::Manifest::load(&manifest).map_err(Error::usage)?;
    let changed = vx_engine::trust::set(&manifest, true).map_err(|e| cannot(&shown, e))?;
    let what = crate::present::trust::applies(&parsed.environment);
    let head = if changed {
        "trusted"
    } else {
        "already trusted"
    };
    let _ = writeln!(out, "{head}: {shown}: {what}");
    Ok(vx_base::exit::OK)
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The trusted file could not be read or written.
fn cannot(shown: &str, e: std::io::Error) -> Error {
    let file = vx_engine::trust::file()
        .map(|f| format!(" (in {})", f.display()))
        .unwrap_or_default();
    Error::environment(format!("cannot record the trust of {shown}: {e}{file}"))
}
