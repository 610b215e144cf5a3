//! What the shell hook applies for a project (`vx hook-env`): the project of the
//! working directory read as the hook reads it (what is at hand only, never the
//! network, nothing installed), with the stamps of everything the answer came from, and
//! the changes that take the shell from what it has to that; a project that cannot be
//! read, or whose variables would be too large for the shell to start programs with,
//! leaves the shell as it was, its problem remembered with its stamps so it is said
//! once. Nothing here prints: the caller's `note` says what there is to say.

use std::path::{Path, PathBuf};

use super::diff::{self, Op, Target};
use super::state::{State, Watched};
use vx_engine::store::{self, StoreError};
use vx_model::manifest::{LOCK_FILE, Manifest, ManifestError};
use vx_model::project_env::Declared;
use vx_model::project_env::env_file::EnvFileError;
use vx_ops::session::{Opening, Session, SessionError};
use vx_project::toolchain::ToolchainError;
use vx_project::toolchain::activation::Activation;

/// Why a project's environment is not applied.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Problem {
    /// vx.toml cannot be read.
    #[error(transparent)]
    Manifest(ManifestError),
    /// The project cannot be opened.
    #[error(transparent)]
    Session(SessionError),
    /// An env file cannot be read.
    #[error(transparent)]
    Env(EnvFileError),
    /// The store cannot be found.
    #[error(transparent)]
    Store(StoreError),
    /// The toolchain cannot be assembled.
    #[error(transparent)]
    Toolchain(ToolchainError),
    /// One variable would be too large.
    #[error(
        "not applied: {name} would be {} (at most {} a variable): no command could start",
        vx_text::bytes(*size as u64),
        vx_text::bytes(MAX_VALUE_BYTES as u64)
    )]
    VariableTooBig {
        /// The variable.
        name: String,
        /// Its size in bytes (`NAME=value` and its terminator).
        size: usize,
    },
    /// All variables together would be too large.
    #[error(
        "not applied: its variables would be {} (at most {} in all): no command could start",
        vx_text::bytes(*total as u64),
        vx_text::bytes(MAX_TOTAL_BYTES as u64)
    )]
    AllTooBig {
        /// Their size in bytes.
        total: usize,
    },
}

/// A project whose environment is not applied: the stamps of what the answer came from
/// (so the problem is said once, and again when one of them changes) and the problem.
#[derive(Debug)]
pub(crate) struct NotApplied {
    /// What the answer came from.
    pub watched: Vec<Watched>,
    /// Why it is not applied.
    pub problem: Box<Problem>,
}

/// The changes that take the shell from `old` (and its environment, `env`) to what the
/// project of `manifest` (none: outside every project) wants; a project that cannot be
/// applied is said through `note`, the shell left as it was and the problem
/// remembered.
pub fn changes(
    env: &dyn Fn(&str) -> Option<String>,
    old: &State,
    manifest: Option<PathBuf>,
    note: &dyn Fn(&str),
) -> Vec<Op> {
    let Some(manifest) = manifest else {
        return diff::plan(env, old, None).0;
    };
    let wanted = target(&manifest, note).and_then(|target| {
        let ops = diff::plan(env, old, Some(&target)).0;
        match too_big(&ops) {
            Some(problem) => Err(NotApplied {
                watched: target.watched,
                problem: Box::new(problem),
            }),
            None => Ok(ops),
        }
    });
    match wanted {
        Ok(ops) => ops,
        Err(NotApplied { watched, problem }) => {
            let problem = match *problem {
                too_big @ (Problem::VariableTooBig { .. } | Problem::AllTooBig { .. }) => {
                    format!("{}: {too_big}", manifest.display())
                }
                other => other.to_string(),
            };
            note(&format!(
                "vx: {}; the shell is left as it was",
                vx_text::sanitize(&problem)
            ));
            // Remember the failure with its stamps, so it is said once, and keep
            // what is applied for when the shell moves on.
            let state = State {
                manifest: Some(manifest),
                watched,
                applied: old.applied.clone(),
            };
            diff::state_op(env, &state).into_iter().collect()
        }
    }
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
pub(crate) fn too_big(ops: &[Op]) -> Option<Problem> {
    let mut total = 0usize;
    for op in ops {
        if let Op::Set(name, value) = op {
            let size = name.len() + value.len() + 2;
            if size > MAX_VALUE_BYTES {
                return Some(Problem::VariableTooBig {
                    name: name.clone(),
                    size,
                });
            }
            total += size;
        }
    }
    (total > MAX_TOTAL_BYTES).then_some(Problem::AllTooBig { total })
}

/// What the project of `manifest` wants applied, with the stamps of what the answer
/// came from (taken before anything is read, so an edit meanwhile shows at the next
/// prompt); on failure those stamps and what is wrong.
pub(crate) fn target(manifest: &Path, note: &dyn Fn(&str)) -> Result<Target, NotApplied> {
    let mut watched = vec![
        Watched::now(manifest.to_owned()),
        Watched::now(manifest.with_file_name(LOCK_FILE)),
        // The person's layer and its lock (`vx.local.toml`, `vx.local.lock`).
        Watched::now(manifest.with_file_name(vx_model::manifest::local::LOCAL_FILE)),
        Watched::now(manifest.with_file_name(vx_model::lock::LOCAL_LOCK_FILE)),
    ];
    // The global toolset layered under the project: its files count too.
    if let Some(global) = vx_model::manifest::global::under(manifest) {
        watched.extend(vx_model::manifest::global::files(&global).map(Watched::now));
    }
    let fail = |watched: &Vec<Watched>, problem: Problem| NotApplied {
        watched: watched.clone(),
        problem: Box::new(problem),
    };
    let parsed = Manifest::load(manifest).map_err(|e| fail(&watched, Problem::Manifest(e)))?;
    // A tool's version file (`version_file = ".nvmrc"`) decides its version as vx.toml
    // does: an edit of it is applied at the next prompt. (Stamped once read: an edit
    // in between shows at the edit after.)
    // So does every file a mise project read in place was read from.
    watched.extend(
        vx_model::project_env::version_files(&parsed)
            .into_iter()
            .map(Watched::now),
    );
    for line in vx_model::manifest::in_place::unsaid(
        &parsed,
        vx_model::manifest::in_place::said_dir().as_deref(),
    ) {
        note(&format!("vx: {}: {line}", manifest.display()));
    }
    // What is at hand only: the hook never reaches the network.
    let opening = Opening {
        offline: true,
        at_hand: true,
        ..Opening::default()
    };
    let session = Session::with_manifest(parsed, &opening, &|_| {})
        .map_err(|e| fail(&watched, Problem::Session(e)))?;
    let parsed = session
        .project()
        .map_err(|e| fail(&watched, Problem::Session(e)))?;
    // Trusting the project (or no longer) changes what is applied: the file of
    // trusted projects is watched too.
    if let Some(file) = vx_engine::trust::file() {
        watched.push(Watched::now(file));
    }
    let trusted = vx_engine::trust::is_trusted(manifest);
    if trusted {
        // The env files count as vx.toml does: stamped before they are read.
        watched.extend(
            Declared::env_file_paths(parsed)
                .into_iter()
                .map(Watched::now),
        );
    } else if Declared::declares_own(parsed) {
        note(&format!(
            "vx: {} is not trusted: its [env], env files, [settings] path and virtual environment are not applied (its tools are); `vx trust` applies them",
            manifest.display()
        ));
    }
    let declared =
        Declared::of_trusted(parsed, trusted).map_err(|e| fail(&watched, Problem::Env(e)))?;
    let store = store::locate(None).map_err(|e| fail(&watched, Problem::Store(e)))?;
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
                .map_err(|e| fail(&watched, Problem::Toolchain(e)))?;
            for tool in chain.missing() {
                note(&format!("vx: {}", tool.not_installed(Some(manifest))));
                // Installing it makes its tree appear: noticed at the next prompt.
                watched.push(Watched::now(tool.tree.clone()));
            }
            vx_ops::target::record_activation(&chain, Some(parsed), Some(&sources), &store);
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
        note(&format!(
            "vx: {}: [env] {HOOK_OWNED} is not applied by the hook (it runs the hook itself)",
            manifest.display()
        ));
    }
    Ok(Target {
        manifest: manifest.to_owned(),
        watched,
        path: declared.front(&bin_dirs),
        vars,
        project: declared.project,
    })
}
