//! `vx run [--offline] [--no-install] [SCRIPT [ARGS...]]`: runs a script of vx.toml's `[scripts]`
//! through the platform's shell (`sh -c`, `cmd /C` on Windows) with the toolchain on
//! `PATH` (then `[settings] path`), `[env]` and the script's own `env` set, in its
//! `cwd` (relative to the project; default: the current directory), after the scripts
//! it depends on (each once, dependencies first). Missing tools are installed first,
//! as for `vx exec` (unless `--offline`, `--no-install` or `[settings] auto_install =
//! false`); one that cannot install stops only a script whose commands start with
//! it. `vx run` alone lists the scripts.
//!
//! The arguments are appended to the script's command, or put where it says `{args}`,
//! each quoted for the shell so it reaches the program unchanged. The last script
//! replaces `vx` (as `vx exec` does: on Unix it is the terminal's foreground process,
//! Ctrl-C reaches it, and its exit status is `vx run`'s). Dependencies run as children
//! in the same process group; while one runs, vx leaves Ctrl-C to it, then ends the
//! run with 130. A dependency that fails ends the run with its status, named.
//!
//! Scripts are reached only through `vx run`: their names never shadow vx's commands.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;

use vx::exit::{Because, Error};
use vx::manifest::Manifest;
use vx::manifest::environment::Script;
use vx::project_env::Changes;
use vx_tui::text::sanitize;

use super::exec::Target;
use crate::cli::ScriptArgs;

/// Runs `vx run`. Returns only when the last script could not be started, a
/// dependency failed, or there is nothing to run.
pub fn run(args: &ScriptArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx::session::Opening::new(args.project.manifest.as_deref(), vx::session::Want::Project)
            .offline(args.offline),
    )?;
    let manifest = session.project().map_err(super::session_error)?.clone();
    let Some(name) = &args.script else {
        list(&manifest)?;
        return Ok(vx::exit::OK);
    };
    let environment = &manifest.environment;
    let Some(script) = environment.script(name) else {
        return Err(unknown(name, &manifest));
    };
    let store = super::located_store(args.project.store.as_deref())?;
    let chain = session
        .toolchain(&[], &store)
        .map_err(super::toolchain_error)?;
    let target = Target {
        session: &session,
        requests: &[],
        store: args.project.store.as_deref(),
        offline: args.offline,
        no_install: args.no_install,
        sources: None,
    };
    // What the script and those it runs first start with (after `NAME=value`
    // assignments): the tools they need.
    let programs: Vec<OsString> = environment
        .run_order(script)
        .into_iter()
        .chain(std::iter::once(script))
        .filter_map(|s| s.run.split_whitespace().find(|word| !word.contains('=')))
        .map(OsString::from)
        .collect();
    let chain = target.ready(chain, &store, &programs)?;
    if let Err(why) = super::make_venv(Some(&manifest), &chain) {
        vx::note!("vx: {why}");
    }
    let declared = super::declared(Some(&manifest))?.with_tools(chain.env());
    let shell = Shell {
        path: declared.search_path(&chain.bin_dirs(), std::env::var_os("PATH").as_deref()),
        changes: declared.changes(),
        project: &declared.project,
    };
    let before = environment.run_order(script);
    if !before.is_empty() {
        // Ctrl-C is the running script's (it is in the terminal's foreground group
        // with us): vx waits for it, then stops.
        let interrupted = vx::signals::interrupt_flag().map_err(Error::environment)?;
        for dep in before {
            let status = shell.command(dep, &[])?.status().map_err(|e| {
                Error::environment(Because::new(format!("cannot run script `{}`", dep.name), e))
            })?;
            if interrupted.load(Ordering::Relaxed) {
                return Err(Error::with_code(
                    vx::exit::INTERRUPTED,
                    format!("interrupted during script `{}`", dep.name),
                ));
            }
            if !status.success() {
                let code = vx::platform::process::status_code(status);
                return Err(Error::with_code(
                    if code == vx::exit::OK {
                        vx::exit::FAILED
                    } else {
                        code
                    },
                    format!(
                        "script `{}` (run before `{}`) failed: {}",
                        dep.name,
                        script.name,
                        vx::platform::process::describe_status(status)
                    ),
                ));
            }
        }
    }
    let command = shell.command(script, &args.args)?;
    let program = command.get_program().to_owned();
    let err = vx::platform::exec::replace_process(command, &program);
    Err(Error::with_code(
        super::exec::NOT_RUNNABLE,
        Because::new(format!("cannot run script `{}`", script.name), err),
    ))
}

/// What every script of a run shares: `PATH`, `[env]`, the project directory.
struct Shell<'a> {
    path: OsString,
    changes: Changes,
    project: &'a Path,
}

impl Shell<'_> {
    /// The shell command that runs `script` with `args`.
    fn command(&self, script: &Script, args: &[OsString]) -> Result<Command, Error> {
        let line = command_line(&script.run, args)?;
        let mut command = vx::platform::process::shell(&line);
        self.changes.apply_to(&mut command);
        Changes::from_process(&script.env, self.project).apply_to(&mut command);
        command.env("PATH", &self.path);
        if let Some(cwd) = &script.cwd {
            let dir = self.project.join(cwd);
            if !dir.is_dir() {
                return Err(Error::usage(format!(
                    "script `{}`: its cwd {} is not a directory",
                    script.name,
                    dir.display()
                )));
            }
            command.current_dir(dir);
        }
        Ok(command)
    }
}

/// `run` with `args` each quoted for the shell, put where it says `{args}` (or
/// `{{args}}`, loonghao/vx's spelling in the vx.toml of the same name), else
/// appended.
fn command_line(run: &str, args: &[OsString]) -> Result<String, Error> {
    let quoted = args
        .iter()
        .map(|arg| {
            arg.to_str().map(quote).ok_or_else(|| {
                Error::usage(format!(
                    "the argument {} is not valid UTF-8",
                    arg.to_string_lossy()
                ))
            })
        })
        .collect::<Result<Vec<String>, Error>>()?
        .join(" ");
    Ok(if run.contains("{{args}}") {
        run.replace("{{args}}", &quoted)
    } else if run.contains("{args}") {
        run.replace("{args}", &quoted)
    } else if quoted.is_empty() {
        run.to_owned()
    } else {
        format!("{run} {quoted}")
    })
}

/// One argument as one word of the platform's shell.
#[cfg(not(windows))]
fn quote(arg: &str) -> String {
    vx::toolchain::shell::sh_quote(arg)
}

/// One argument as one word of `cmd`: in double quotes, a `"` doubled. (`cmd`
/// expands `%VAR%` even inside quotes: that cannot be prevented there.)
#[cfg(windows)]
fn quote(arg: &str) -> String {
    format!("\"{}\"", arg.replace('"', "\"\""))
}

/// Prints the scripts with their descriptions (or how to add one).
fn list(manifest: &Manifest) -> Result<(), Error> {
    let scripts = &manifest.environment.scripts;
    let mut out = String::new();
    if scripts.is_empty() {
        vx::note!(
            "vx: {} has no scripts; add one under [scripts], e.g. `lint = \"ruff check .\"`, then `vx run lint`",
            manifest.path.display()
        );
        return Ok(());
    }
    let width = scripts.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for script in scripts {
        let about = script.description.as_deref().unwrap_or(&script.run);
        let about = sanitize(about.lines().next().unwrap_or(""));
        out.push_str(format!("{:width$}  {about}", script.name).trim_end());
        out.push('\n');
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// The error for a script `name` that the manifest does not have (exit 2).
fn unknown(name: &str, manifest: &Manifest) -> Error {
    let environment = &manifest.environment;
    let mut message = format!("no script `{name}` in {}", manifest.path.display());
    match environment.similar_script(name) {
        Some(similar) => message.push_str(&format!("; did you mean `{}`?", similar.name)),
        None if environment.scripts.is_empty() => message.push_str("; it has no [scripts]"),
        None => message.push_str("; `vx run` lists them"),
    }
    Error::usage(message)
}
