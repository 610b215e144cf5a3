//! `vx hook-env --shell SHELL`: what the hook of `vx activate` runs before each
//! prompt. It finds the working directory's project (the nearest `vx.toml` up, with
//! the user's global toolset layered under it; outside a project, the global
//! `vx.toml` alone), and
//! when that and everything the shell's state was made from are unchanged (one `stat`
//! each: vx.toml, vx.lock, the tools' directories) it prints nothing. Otherwise it
//! prints what takes the shell from what it has to what the project wants
//! ([`vx::hook::diff`]) and the new state.
//!
//! A project's own environment (`[env]`, env files, `[settings] path`) is applied only
//! when the user trusts the project ([`vx::trust`]); otherwise its tools alone, with
//! one line saying so.
//!
//! It never installs anything and never fails the prompt: a tool that is not
//! installed gets one line on stderr (once per change, as the state remembers the
//! answer), and a project that cannot be read (a malformed vx.toml) gets one line and
//! leaves the shell as it was. It always exits 0.

use std::io::Write;
use std::path::Path;

use vx::exit::Error;
use vx::hook::diff::{self, Target};
use vx::hook::render::render;
use vx::hook::state::{STATE_VAR, State, Watched};
use vx::manifest::{LOCK_FILE, Manifest};
use vx::toolchain::activation::Activation;

use crate::cli::{HookEnvArgs, hook_shell};

/// Runs `vx hook-env`.
pub fn run(args: &HookEnvArgs) -> Result<i32, Error> {
    let shell = hook_shell(&args.shell);
    let Ok(cwd) = std::env::current_dir() else {
        // A directory removed under the shell: nothing to say until it moves.
        return Ok(vx::exit::OK);
    };
    let held = std::env::var(STATE_VAR).ok();
    let old = held.as_deref().and_then(State::decode).unwrap_or_default();
    // Outside a project, the user's global toolset (if any) is the toolchain.
    let manifest = vx::manifest::global::find_or_global(&cwd);
    if old.is_current(manifest.as_deref()) {
        return Ok(vx::exit::OK);
    }
    let env = |name: &str| std::env::var(name).ok();
    let ops = match manifest {
        None => diff::plan(&env, &old, None).0,
        Some(manifest) => match project(&manifest).and_then(|target| {
            let ops = diff::plan(&env, &old, Some(&target)).0;
            match too_big(&ops) {
                Some(problem) => {
                    Err((target.watched, format!("{}: {problem}", manifest.display())))
                }
                None => Ok(ops),
            }
        }) {
            Ok(ops) => ops,
            Err((watched, problem)) => {
                vx::note!(
                    "vx: {}; the shell is left as it was",
                    vx_tui::text::sanitize(&problem)
                );
                // Remember the failure with its stamps, so it is said once, and keep
                // what is applied for when the shell moves on.
                let state = State {
                    manifest: Some(manifest),
                    watched,
                    applied: old.applied,
                };
                diff::state_op(&env, &state).into_iter().collect()
            }
        },
    };
    // A closed stdout (the shell gave up on the hook) is no error of the prompt's.
    let _ = std::io::stdout().write_all(render(shell, &ops).as_bytes());
    Ok(vx::exit::OK)
}

/// The variable the bash hook lives in, never set from a project's `[env]`.
const HOOK_OWNED: &str = "PROMPT_COMMAND";

/// The most one variable may hold: Linux refuses to start a program whose
/// environment has a string over 128 KiB (`MAX_ARG_STRLEN`), so a larger `PATH` or
/// state would leave the shell unable to run any command, the hook included.
const MAX_VALUE_BYTES: usize = 100 << 10;
/// The most all variables set at once may hold, well under the smallest `ARG_MAX`
/// shells meet (2 MiB on Linux, 1 MiB on macOS) with room for the rest of the
/// environment.
const MAX_TOTAL_BYTES: usize = 512 << 10;

/// Why `ops` must not be applied: a variable, or all of them, too large for the shell
/// to start programs with afterwards; `None` when they fit.
fn too_big(ops: &[diff::Op]) -> Option<String> {
    let mut total = 0usize;
    for op in ops {
        if let diff::Op::Set(name, value) = op {
            let size = name.len() + value.len() + 2;
            if size > MAX_VALUE_BYTES {
                return Some(format!(
                    "not applied: {name} would be {} (at most {} a variable): no command could start",
                    vx_text::bytes(size as u64),
                    vx_text::bytes(MAX_VALUE_BYTES as u64)
                ));
            }
            total += size;
        }
    }
    (total > MAX_TOTAL_BYTES).then(|| {
        format!(
            "not applied: its variables would be {} (at most {} in all): no command could start",
            vx_text::bytes(total as u64),
            vx_text::bytes(MAX_TOTAL_BYTES as u64)
        )
    })
}

/// What the project of `manifest` wants applied, with the stamps of what the answer
/// came from (taken before anything is read, so an edit meanwhile shows at the next
/// prompt); on failure those stamps and what is wrong.
fn project(manifest: &Path) -> Result<Target, (Vec<Watched>, String)> {
    let mut watched = vec![
        Watched::now(manifest.to_owned()),
        Watched::now(manifest.with_file_name(LOCK_FILE)),
        // The person's layer and its lock (`vx.local.toml`, `vx.local.lock`).
        Watched::now(manifest.with_file_name(vx::manifest::local::LOCAL_FILE)),
        Watched::now(manifest.with_file_name(vx::lock::LOCAL_LOCK_FILE)),
    ];
    // The global toolset layered under the project: its files count too.
    if let Some(global) = vx::manifest::global::under(manifest) {
        watched.extend(vx::manifest::global::files(&global).map(Watched::now));
    }
    let fail = |watched: &Vec<Watched>, problem: String| (watched.clone(), problem);
    let parsed = Manifest::load(manifest).map_err(|e| fail(&watched, e.to_string()))?;
    // A tool's version file (`version_file = ".nvmrc"`) decides its version as vx.toml
    // does: an edit of it is applied at the next prompt. (Stamped once read: an edit
    // in between shows at the edit after.)
    watched.extend(
        parsed
            .tools
            .iter()
            .filter_map(|t| t.version_file.as_ref())
            .map(|f| Watched::now(std::path::absolute(f).unwrap_or_else(|_| f.clone()))),
    );
    // What is at hand only: the hook never reaches the network.
    let opening = vx::session::Opening {
        offline: true,
        at_hand: true,
        ..vx::session::Opening::default()
    };
    let session = vx::session::Session::with_manifest(parsed, &opening, &|_| {})
        .map_err(|e| fail(&watched, e.to_string()))?;
    let parsed = session
        .project()
        .map_err(|e| fail(&watched, e.to_string()))?;
    // Trusting the project (or no longer) changes what is applied: the file of
    // trusted projects is watched too.
    if let Some(file) = vx::trust::file() {
        watched.push(Watched::now(file));
    }
    let trusted = vx::trust::is_trusted(manifest);
    if trusted {
        // The env files count as vx.toml does: stamped before they are read.
        watched.extend(
            vx::project_env::Declared::env_file_paths(parsed)
                .into_iter()
                .map(Watched::now),
        );
    } else if vx::project_env::Declared::declares_own(parsed) {
        vx::note!(
            "vx: {} is not trusted: its [env], env files and [settings] path are not applied (its tools are); `vx trust` applies them",
            manifest.display()
        );
    }
    let declared = vx::project_env::Declared::of_trusted(parsed, trusted)
        .map_err(|e| fail(&watched, e.to_string()))?;
    let store = super::located_store(None).map_err(|e| fail(&watched, e.report()))?;
    let (bin_dirs, declared) = match Activation::lookup(&store, manifest) {
        // The record of a complete toolchain, while nothing it came from changed.
        (_, Some(recorded)) => {
            let tools = recorded.environment().tools.clone();
            let declared = declared.with_tools(tools);
            (recorded.bin_dirs().to_vec(), declared)
        }
        (sources, None) => {
            let chain = session
                .toolchain(&[], &store)
                .map_err(|e| fail(&watched, e.to_string()))?;
            for tool in chain.missing() {
                vx::note!("vx: {}", tool.not_installed(Some(manifest)));
                // Installing it makes its tree appear: noticed at the next prompt.
                watched.push(Watched::now(tool.tree.clone()));
            }
            vx::ops::target::record_activation(&chain, Some(parsed), Some(&sources), &store);
            let declared = declared.with_tools(chain.env());
            (chain.bin_dirs(), declared)
        }
    };
    watched.extend(bin_dirs.iter().cloned().map(Watched::now));
    // bash runs the hook from PROMPT_COMMAND: a project's value would replace it, and
    // nothing would be restored on leaving. `vx exec` and `vx env` still set it.
    let mut vars = declared.all_vars();
    if vars.iter().any(|v| v.name == HOOK_OWNED) {
        vars.retain(|v| v.name != HOOK_OWNED);
        vx::note!(
            "vx: {}: [env] {HOOK_OWNED} is not applied by the hook (it runs the hook itself)",
            manifest.display()
        );
    }
    Ok(Target {
        manifest: manifest.to_owned(),
        watched,
        path: declared.front(&bin_dirs),
        vars,
        project: declared.project,
    })
}
