//! `vx remove [-g] NAME`: the tool's table out of `vx.toml` (with `-g`, the global
//! toolset's `vx.toml` that `vx use -g` writes; the rest of the file kept as written)
//! and its entry out of the `vx.lock` beside it.

use vx_base::exit::{Error, OK};
use vx_ops::session::{Opening, SessionError, Want};

use crate::cli::RemoveArgs;

/// Runs `vx remove`.
pub(crate) fn run(args: &RemoveArgs) -> Result<i32, Error> {
    let path = if args.global {
        let path = vx_model::manifest::global::path().ok_or_else(|| {
            Error::usage(
                "no configuration directory for the global toolset: set HOME or XDG_CONFIG_HOME",
            )
        })?;
        if !path.is_file() {
            return Err(Error::usage(format!(
                "there is no global toolset ({}); `vx use -g NAME` starts one",
                path.display()
            )));
        }
        path
    } else {
        let opening =
            Opening::new(args.manifest.as_deref(), Want::Project).cwd(&super::request::cwd()?);
        vx_ops::session::locate_editable(&opening)?.ok_or(SessionError::NoProject)?
    };
    let new_text = vx_ops::edit::removed(&path, &args.name)?;
    let snapshot = super::request::snapshot(&path)?;
    let result = vx_ops::edit::write_removed(&path, &new_text, &args.name)
        .map(|()| {
            vx_base::note!("vx: removed {} from {}", args.name, path.display());
            OK
        })
        .map_err(Error::from);
    super::unless_ok(snapshot, result)
}
