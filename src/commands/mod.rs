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
