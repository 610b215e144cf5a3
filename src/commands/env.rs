//! `vx env [--shell …]`: prints what puts the project's installed tools first on
//! `PATH` (then its `[settings] path`; the user's global toolset layered under it, or
//! alone outside a project) and sets its `[env]`, for `eval "$(vx env)"`,
//! PowerShell, JSON or GitHub Actions. Tools that are not installed are named on
//! stderr and make it exit 1 (what is installed is still printed). A running daemon
//! answers for the project when it can ([`vx_daemon::active::ActiveTools`]), else the project's
//! recorded activation while nothing it was made from changed, else the manifest, lock
//! and receipts are read in full. `[env]` templates are expanded here, against the
//! environment `vx env` runs in.
//!
//! `--shell github` appends the `PATH` directories to the file `$GITHUB_PATH` names and
//! the variables to the file `$GITHUB_ENV` names, as GitHub Actions reads them; without
//! those variables it prints what it would write.

use std::io::{IsTerminal, Write};
use std::path::Path;

use vx_base::exit::{Because, Error};
use vx_ops::session::{Opening, Want};
use vx_project::toolchain::shell::{self, Shell};

use crate::cli::EnvArgs;
use vx_daemon::active::{self, ActiveTools, Need, Quick, Request};
use vx_project::toolchain::activation::Sources;

/// Runs `vx env`.
pub(crate) fn run(args: &EnvArgs) -> Result<i32, Error> {
    let store = super::request::located_store(args.project.store.as_deref())?;
    let explicit = args.project.manifest.as_deref();
    let request = Request {
        manifest: explicit,
        store_arg: args.project.store.as_deref(),
        store: &store,
        need: Need::Toolchain,
    };
    let full = |sources: Option<Sources>| -> Result<ActiveTools, Error> {
        // Outside a project the global toolset is the toolchain.
        let session = match super::open(&Opening::new(explicit, Want::ProjectOrGlobal))? {
            session if session.manifest().is_some() => session,
            _ => super::open(&Opening::new(explicit, Want::Project))?,
        };
        active::full(&session, &store, sources.as_ref()).map_err(Error::from)
    };
    let tools = match active::quick(&request, &|line| vx_base::note!("{line}")) {
        Quick::Tools(tools) => tools,
        Quick::Full(sources) => full(sources)?,
        // Only `Need::Command` is answered with an executable; the toolchain is then
        // still assembled in full.
        Quick::Found(_) => full(None)?,
    };
    let shell = match &args.shell {
        Some(name) => Shell::ALL
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Shell::Bash, |(_, shell)| *shell),
        None => Shell::from_login(std::env::var_os("SHELL").as_deref()),
    };
    let front = tools.environment.front(&tools.bin_dirs);
    let changes = tools.environment.changes();
    let vars = changes.resolved();
    let inherited = std::env::var_os("PATH");
    if shell == Shell::Github {
        github(&shell.render(&front, inherited.as_deref()), &vars)?;
    } else {
        let text = shell.render_env(&front, inherited.as_deref(), &vars);
        std::io::stdout().write_all(text.as_bytes())?;
    }
    for (said, _) in &tools.missing {
        vx_base::note!("vx: {said}");
    }
    crate::present::lock::not_here(&tools.not_here, &super::note);
    Ok(if tools.missing.is_empty() {
        vx_base::exit::OK
    } else {
        vx_base::exit::FAILED
    })
}

/// `--shell github`: `path_lines` appended to `$GITHUB_PATH`'s file and `vars` to
/// `$GITHUB_ENV`'s; a part whose variable is not set is printed instead (with a
/// heading naming the file when both are).
fn github(path_lines: &str, vars: &[(&str, Option<&str>)]) -> Result<(), Error> {
    for (name, value) in vars {
        if value.is_none() {
            vx_base::note!("vx: $GITHUB_ENV cannot remove {name}: it is set empty");
        }
    }
    let env_lines = shell::github_env(vars);
    let target = |variable: &str| std::env::var_os(variable).filter(|v| !v.is_empty());
    let parts = [
        ("GITHUB_PATH", path_lines),
        ("GITHUB_ENV", env_lines.as_str()),
    ];
    let mut printed = Vec::new();
    for (variable, text) in parts {
        match target(variable) {
            Some(file) => append(Path::new(&file), text).map_err(|e| {
                Error::environment(Because::new(
                    format!("cannot write ${variable} ({})", Path::new(&file).display()),
                    e,
                ))
            })?,
            None if !text.is_empty() => printed.push((variable, text)),
            None => {}
        }
    }
    let headed = printed.len() > 1;
    let terminal = std::io::stdout().is_terminal();
    let mut out = String::new();
    for (variable, text) in printed {
        if headed {
            out.push_str(&format!("# ${variable}\n"));
        }
        if terminal {
            // A preview for a person: control characters shown, not emitted.
            for line in text.lines() {
                out.push_str(&vx_tui::text::sanitize(line));
                out.push('\n');
            }
        } else {
            out.push_str(text);
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// Appends `text` to the file at `path` (created when missing), in one write.
fn append(path: &Path, text: &str) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}
