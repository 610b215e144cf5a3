//! `vx bundle export PATH` (the project's locked downloads, vx.lock and a manifest as an
//! OCI image layout: a directory, or a tar when PATH ends in `.tar`) and `vx bundle
//! import PATH` (a layout's blobs, each checked, into vx's cache, which every install
//! consults first).

use std::io::Write;

use vx_base::exit::{Error, OK};
use vx_ops::session::{Opening, Want};
use vx_project::fleet::push::Target;
use vx_sources::mirror::layout;

use crate::cli::BundleCommand;

/// Runs `vx bundle …`.
pub(crate) fn run(command: BundleCommand) -> Result<i32, Error> {
    match command {
        BundleCommand::Export { path, content } => {
            let tar = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("tar"));
            let target = Target::Layout {
                path: path.clone(),
                tar,
            };
            let session = super::open(&Opening::new(content.manifest.as_deref(), Want::Project))?;
            let request = super::request::push_request(&target, &content);
            let pushed = vx_ops::push::push(&session, request, &mut std::io::stderr())?;
            let to = path.display().to_string();
            let _ = super::print(&crate::present::push::pushed(
                &pushed,
                &to,
                content.run.json,
            ));
            Ok(OK)
        }
        BundleCommand::Import { path } => {
            let cache = layout::cache_root().ok_or_else(|| {
                Error::environment("no cache directory: set VX_CACHE_DIR, XDG_CACHE_HOME or HOME")
            })?;
            let imported = layout::import(&path, &cache).map_err(|e| match e {
                layout::LayoutError::NotALayout { .. } | layout::LayoutError::Corrupt { .. } => {
                    Error::usage(e)
                }
                other => Error::environment(other),
            })?;
            let named = match imported.named {
                0 => String::new(),
                n => format!(
                    "; {} named for offline installs (PyPI files for uv, npm tarballs by their integrity)",
                    vx_tui::text::count(n as u64, "file")
                ),
            };
            let _ = writeln!(
                std::io::stdout(),
                "vx: imported {} ({}) into {}; {} already there{named}",
                vx_tui::text::count(imported.copied as u64, "blob"),
                vx_tui::text::bytes(imported.bytes),
                cache.display(),
                imported.present
            );
            Ok(OK)
        }
    }
}
