//! `vx prune`: removes the store's versions that no project using the store pins, the
//! work directories of installs that were killed, downloads interrupted more than
//! a week ago (`<store>/.partial`, see `vx_engine::install::partial`; a recent one is
//! kept for the next sync to continue), and what vx kept between runs of projects whose
//! directory is gone (their last run, task stamps and key documents:
//! [`vx_tasks::state`]).
//!
//! The store is shared: a version this project does not use is kept while another
//! project that synced into the store (or the global toolset) pins it
//! ([`vx_engine::tracked::pins`]); [`Request::all`] removes it regardless. A prune waits
//! for no sync: while one installs into the store it refuses rather than race it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::session::{Session, SessionError};
use vx_engine::inventory::{self, Prune, RemoveError};
use vx_engine::tracked::{Pins, TrackedError};
use vx_project::toolchain::{Toolchain, ToolchainError};

/// What to prune.
#[derive(Clone, Copy, Debug, Default)]
pub struct Request {
    /// Remove nothing: say what would go, and what is kept and by whom.
    pub dry_run: bool,
    /// Ignore the other projects that use the store (and the global toolset): remove
    /// every version this project does not use.
    pub all: bool,
}

/// What a prune removed (or, dry, would remove).
#[derive(Debug)]
pub struct Report {
    /// The store pruned.
    pub store: PathBuf,
    /// Whether nothing was removed because nothing was found to remove.
    pub nothing: bool,
    /// Under [`Request::dry_run`]: each installed version kept, with who uses it
    /// (`this project`, another project's manifest, the global toolset).
    pub kept: Vec<Kept>,
    /// What went (or would go), in order: versions, work directories, downloads, then
    /// what vx kept of projects that are gone.
    pub removed: Vec<Removed>,
    /// What could not be removed.
    pub failures: Vec<Failure>,
    /// The bytes freed (or that would be).
    pub freed: u64,
}

/// An installed version kept, and who keeps it.
#[derive(Debug)]
pub struct Kept {
    /// The tool.
    pub tool: String,
    /// Its version.
    pub version: String,
    /// Who uses it, as said to the user.
    pub by: Vec<String>,
}

/// One thing removed, and its size.
#[derive(Debug)]
pub enum Removed {
    /// An installed version.
    Version {
        /// The tool.
        tool: String,
        /// Its version.
        version: String,
        /// Its size.
        size: u64,
    },
    /// A work directory left by an install that did not finish.
    Work {
        /// The directory.
        dir: PathBuf,
        /// Its size.
        size: u64,
    },
    /// What vx kept between runs of a project whose directory is gone.
    State {
        /// The project's directory.
        project: PathBuf,
        /// Its size.
        size: u64,
    },
    /// An interrupted download.
    Partial {
        /// Its file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// How long ago it was last written.
        age: Duration,
    },
}

/// Something that could not be removed (the prune goes on; exit 1).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// An installed version.
    #[error(transparent)]
    Version(#[from] RemoveError),
    /// A work directory or a download.
    #[error("cannot remove {}: {source}", path.display())]
    Path {
        /// What.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Why a prune did not start.
#[derive(Debug, thiserror::Error)]
pub enum PruneError {
    /// The project or the store cannot be used.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The project's toolchain cannot be assembled.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// A sync is installing into the store.
    #[error("a vx sync is installing into {}; run vx prune when it is done", store.display())]
    Busy {
        /// The store.
        store: PathBuf,
    },
    /// The store's lock cannot be taken.
    #[error("cannot lock the store {}: {source}", store.display())]
    Hold {
        /// The store.
        store: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// What the other projects pin cannot be read.
    #[error(transparent)]
    Pins(#[from] TrackedError),
}

/// Prunes the store of `session`'s project as `request` says.
pub fn prune(session: &Session, request: &Request) -> Result<Report, PruneError> {
    let manifest = session.project()?;
    let store = session.store()?;
    // The project's own tools: the global toolset's are kept as its own (below), and
    // not at all under `all`.
    let chain = session.own_toolchain(&store)?;
    // Held to the end: no sync installs into the store meanwhile. (A store that does
    // not exist holds nothing, and is not created for it.)
    let _hold = match store.is_dir() {
        false => None,
        true => match vx_engine::tracked::try_hold_exclusive(&store) {
            Ok(Some(hold)) => Some(hold),
            Ok(None) => return Err(PruneError::Busy { store }),
            Err(source) => return Err(PruneError::Hold { store, source }),
        },
    };
    let pins = match request.all {
        true => Pins::default(),
        false => vx_engine::tracked::pins(&store, Some(&manifest.path))?,
    };
    // The pythons the projects' virtual environments were made with: kept while a
    // venv names them (it dies with its python).
    let venvs = venv_pythons(&store, &manifest.path, request.all);
    // This project keeps the very trees it uses (another package of the same name and
    // version, or one installed from bytes the lock no longer pins, goes); another
    // project's lock names a tool and version, and keeps every tree of them.
    let plan = Prune::plan(&store, |item| {
        chain.uses_tree(&item.path)
            || !pins.keepers(&item.tool, &item.version).is_empty()
            || venvs.iter().any(|v| v.uses(&item.path))
    });
    let gone = vx_tasks::state::gone();
    let mut report = Report {
        kept: match request.dry_run {
            true => kept(&store, &chain, &pins, &venvs),
            false => Vec::new(),
        },
        nothing: plan.is_empty() && gone.is_empty(),
        removed: Vec::new(),
        failures: Vec::new(),
        freed: 0,
        store,
    };
    if !report.nothing {
        remove(&plan, request.dry_run, &mut report);
        remove_state(&gone, request.dry_run, &mut report);
    }
    Ok(report)
}

/// Removes (unless `dry_run`) what vx kept of the projects that are `gone`, into
/// `report`.
fn remove_state(gone: &[vx_tasks::state::Gone], dry_run: bool, report: &mut Report) {
    for project in gone {
        let size = project.dirs.iter().map(|d| inventory::disk_usage(d)).sum();
        if !dry_run && let Err(source) = vx_tasks::state::remove(project) {
            report.failures.push(Failure::Path {
                path: project.project.clone(),
                source,
            });
            continue;
        }
        report.freed = report.freed.saturating_add(size);
        report.removed.push(Removed::State {
            project: project.project.clone(),
            size,
        });
    }
}

/// Removes (unless `dry_run`) what `plan` names, into `report`.
fn remove(plan: &Prune, dry_run: bool, report: &mut Report) {
    let store = report.store.clone();
    for item in &plan.versions {
        let size = match dry_run {
            true => item.size,
            false => match inventory::remove_tree(&store, &item.tool, &item.version, &item.path) {
                Ok(size) => size,
                Err(err) => {
                    report.failures.push(err.into());
                    continue;
                }
            },
        };
        report.freed = report.freed.saturating_add(size);
        report.removed.push(Removed::Version {
            tool: item.tool.clone(),
            version: item.version.clone(),
            size: item.size,
        });
    }
    for (dir, size) in &plan.work {
        if !dry_run && let Err(source) = std::fs::remove_dir_all(dir) {
            report.failures.push(Failure::Path {
                path: dir.clone(),
                source,
            });
            continue;
        }
        report.freed = report.freed.saturating_add(*size);
        report.removed.push(Removed::Work {
            dir: dir.clone(),
            size: *size,
        });
    }
    for stale in &plan.partials {
        if !dry_run {
            match stale.remove(&store) {
                Ok(true) => {}
                // A download took it up again meanwhile: it stays.
                Ok(false) => continue,
                Err(source) => {
                    report.failures.push(Failure::Path {
                        path: stale.path().to_owned(),
                        source,
                    });
                    continue;
                }
            }
        }
        report.freed = report.freed.saturating_add(stale.size);
        report.removed.push(Removed::Partial {
            path: stale.path().to_owned(),
            size: stale.size,
            age: stale.age,
        });
    }
}

/// A project's virtual environment and the python directory it was made with.
struct VenvPython {
    /// Who keeps it, as said to the user.
    by: String,
    /// Its python's directory (`pyvenv.cfg`'s `home`), resolved.
    home: PathBuf,
}

impl VenvPython {
    /// Whether the store tree `tree` holds this venv's python.
    fn uses(&self, tree: &Path) -> bool {
        tree.canonicalize()
            .is_ok_and(|tree| self.home.starts_with(tree))
    }
}

/// The pythons the virtual environments (`[settings] python_venv`) of this project
/// (`manifest`) and of the other projects that use `store` were made with (under
/// `all`, this project's alone). A project whose manifest cannot be read names none.
fn venv_pythons(store: &Path, manifest: &Path, all: bool) -> Vec<VenvPython> {
    let this = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_owned());
    let mut manifests = vec![this.clone()];
    if !all {
        let others = vx_engine::tracked::projects(store).unwrap_or_default();
        manifests.extend(others.into_iter().filter(|m| *m != this));
    }
    manifests
        .into_iter()
        .filter_map(|path| {
            let manifest = vx_model::manifest::Manifest::load(&path).ok()?;
            let dir = manifest.environment.python_venv.as_ref()?;
            let venv = vx_model::project_env::project_dir(&path).join(dir);
            let home = vx_model::project_env::venv::home(&venv)?
                .canonicalize()
                .ok()?;
            let by = match path == this {
                true => format!("this project's virtual environment {dir}"),
                false => format!("the virtual environment {}", venv.display()),
            };
            Some(VenvPython { by, home })
        })
        .collect()
}

/// Each installed version this project or another keeps, and who.
fn kept(store: &Path, chain: &Toolchain, pins: &Pins, venvs: &[VenvPython]) -> Vec<Kept> {
    inventory::scan(store)
        .into_iter()
        .filter_map(|item| {
            let mut by: Vec<String> = Vec::new();
            if chain.uses_tree(&item.path) {
                by.push("this project".to_owned());
            }
            by.extend(
                venvs
                    .iter()
                    .filter(|v| v.uses(&item.path))
                    .map(|v| v.by.clone()),
            );
            by.extend(
                pins.keepers(&item.tool, &item.version)
                    .iter()
                    .map(ToString::to_string),
            );
            (!by.is_empty()).then_some(Kept {
                tool: item.tool,
                version: item.version,
                by,
            })
        })
        .collect()
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A prune that did not start: the project or store named (exit 2), else the
    // machine (exit 1).
    PruneError => |e| {
        use crate::prune::PruneError;
        match e {
            PruneError::Session(e) => e.into(),
            PruneError::Toolchain(e) => e.into(),
            e => Error::environment(e),
        }
    };
}
