//! One file per subcommand: each turns parsed arguments ([`crate::cli`]) into the
//! library's settings, calls the library, and maps the result to an exit code or a
//! [`vx::exit::Error`]. Nothing in the library imports this layer.

pub mod board;
pub mod install;
pub mod sync;

use crate::cli::DashboardArgs;

/// The dashboard's options from its flags: colours unless `NO_COLOR` is set
/// (no-color.org).
pub fn dashboard_options(args: &DashboardArgs) -> vx_tui::Options {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    vx_tui::Options {
        look: vx_tui::Look { color: !no_color },
        exit_on_done: args.exit_on_done,
    }
}

/// The project's manifest: `--manifest`, else `$VX_MANIFEST`, else the nearest
/// `vx.toml` from the working directory up. A missing or invalid one is a usage error
/// (exit 2) naming the file.
pub fn manifest(
    explicit: Option<&std::path::Path>,
) -> Result<vx::manifest::Manifest, vx::exit::Error> {
    use vx::exit::{Because, Error};
    let cwd = std::env::current_dir()
        .map_err(|e| Error::environment(Because::new("cannot read the working directory", e)))?;
    let path = vx::manifest::locate(explicit, &cwd).map_err(Error::usage)?;
    vx::manifest::Manifest::load(&path).map_err(Error::usage)
}
