//! `vx init`: a commented vx.toml in the working directory (what each table is for,
//! in comments), then `vx import` of the version files found there.

use std::io::Write;

use vx::exit::{Error, OK};
use vx::manifest::MANIFEST_FILE;

use crate::cli::InitArgs;

/// What `vx init` writes, and `vx import` when it creates vx.toml: every table
/// explained in comments, `[tools]` last for what is imported or added.
pub const HEADER: &str = r#"# vx.toml: this project's tools. `vx lock` records their downloads in vx.lock (commit
# both); `vx sync` installs them; `vx exec CMD` and `vx CMD` run with them on PATH.
#
# [settings]
# platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64"]  # what `vx lock` locks
# registries = [{ name = "ours", path = "registry.yaml" }]         # before the standard one
# path = ["scripts", "node_modules/.bin"]     # project directories after the tools' bins
#
# [env]: set for `vx exec`, `vx run`, `vx env` and the shell hook
# DATABASE_URL = "postgres://localhost/dev"
# CARGO_TARGET_DIR = "{project}/target"       # {project}: this file's directory
# RUST_LOG = "${RUST_LOG:-info}"              # ${VAR}, ${VAR:-default}; NAME = false unsets
#
# [scripts]: `vx run NAME [ARGS]`
# lint = "ruff check ."
# test = { run = "pytest {args}", depends = ["lint"], env = { CI = "1" } }
#
# [tools], short form: a registry package and a version constraint ("14.1.1" exact,
# "14" the newest 14.x, "latest", "^1.2", "~1.2"); `vx add NAME` writes one.
# ripgrep = "14"
# "cli/cli" = "latest"                        # owner/repo when the short name is ambiguous
#
# [tools.NAME], long form: any download, its checksums recorded by `vx lock`.
# [tools.mytool]
# version = "1.2.3"
# url = "https://example.org/mytool-{version}-{os}-{arch}.tar.gz"
# bin = ["mytool"]

[tools]
"#;

/// Runs `vx init`: refuses (exit 2) when vx.toml exists here.
pub fn run(args: &InitArgs) -> Result<i32, Error> {
    let cwd = super::cwd()?;
    let path = cwd.join(MANIFEST_FILE);
    if path.symlink_metadata().is_ok() {
        return Err(Error::usage(format!(
            "{} exists already; `vx import` adds another manager's tools to it",
            path.display()
        )));
    }
    let files = super::import::found_in(&cwd);
    if files.is_empty() {
        vx::atomic::write(&path, HEADER.as_bytes()).map_err(|e| {
            Error::environment(vx::exit::Because::new(
                format!("cannot write {}", path.display()),
                e,
            ))
        })?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "created {}", path.display())?;
        writeln!(
            out,
            "no version manager's file here to import; add tools with `vx add NAME`"
        )?;
        return Ok(OK);
    }
    super::import::import_into(&path, None, &files, args.offline, &args.run, true)
}
