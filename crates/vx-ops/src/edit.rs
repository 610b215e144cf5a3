//! vx.toml edited for `vx add`, `vx use`, `vx upgrade` and `vx remove`: tools added
//! (a registry tool's name checked against the registries, a `--url` tool's flags
//! checked), constraints moved, a tool taken out; each result checked by the strict
//! parser and locked for every configured platform as `vx lock` would, then vx.toml
//! and vx.lock written together, or neither. The caller takes a
//! [`super::snapshot::Snapshot`] first, to put both back when a later step fails.
//! Nothing here prints: what an edit has to say as it goes goes to the caller's
//! `progress`, and what it did comes back in a report.

use std::path::{Path, PathBuf};

use crate::session::{Session, SessionError};
use vx_engine::resolution::{ResolutionError, Resolver};
use vx_model::lock::{Lock, LockError};
use vx_model::manifest::edit::{self, NewTool};
use vx_model::manifest::{Manifest, ManifestError, Platform};
use vx_project::plan::LockReport;

use super::lock::{LockOpError, Options};

/// Why an edit could not be made (the user's to fix, but for the variants that say
/// otherwise).
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The manifest cannot be read (the user's: it is theirs to name).
    #[error("cannot read {}", path.display())]
    Unreadable {
        /// The manifest.
        path: PathBuf,
        /// Why.
        #[source]
        source: vx_base::bounded_read::ReadError,
    },
    /// A project's manifest read for an upgrade cannot be read again (the machine's).
    #[error("cannot read {}", path.display())]
    Reread {
        /// The manifest.
        path: PathBuf,
        /// Why.
        #[source]
        source: vx_base::bounded_read::ReadError,
    },
    /// What was asked cannot be done, and why.
    #[error("{0}")]
    Refused(String),
    /// A `--url` tool's flag that cannot be used.
    #[error(transparent)]
    Argument(#[from] edit::ArgumentError),
    /// vx.toml cannot take the edit.
    #[error("{}", path.display())]
    Edit {
        /// vx.toml.
        path: PathBuf,
        /// Why.
        #[source]
        source: edit::EditError,
    },
    /// The edited vx.toml would not be valid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A constraint that does not parse.
    #[error(transparent)]
    Constraint(#[from] vx_base::version::ConstraintError),
    /// The edited project could not be opened (its runtime declarations).
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A name could not be looked up.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// vx.lock cannot be read.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The lock run could not do its work.
    #[error(transparent)]
    Locking(#[from] LockOpError),
    /// vx.lock could not be written.
    #[error(transparent)]
    LockWrite(LockError),
    /// vx.toml could not be written (the machine's).
    #[error("cannot write {}", path.display())]
    Write {
        /// vx.toml.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The text of the manifest at `path` (`Ok(None)`: there is none yet).
fn read_text(path: &Path) -> Result<Option<String>, vx_base::bounded_read::ReadError> {
    match vx_base::bounded_read::read_to_string(path, vx_model::manifest::MAX_MANIFEST_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `text` to vx.toml at `path`.
fn write_text(path: &Path, text: &str) -> Result<(), EditError> {
    vx_base::atomic::write(path, text.as_bytes()).map_err(|source| EditError::Write {
        path: path.to_owned(),
        source,
    })
}

/// A `--url` tool's flags: where its download is, its sha256 and its executables.
#[derive(Clone, Copy, Debug, Default)]
pub struct UrlSource<'a> {
    /// `--url`.
    pub url: Option<&'a str>,
    /// `--sha256`.
    pub sha256: Option<&'a str>,
    /// `--bin`.
    pub bins: &'a [String],
}

/// A tool an edit added to vx.toml.
#[derive(Clone, Debug)]
pub struct Added {
    /// Its vx.toml key.
    pub name: String,
    /// What a note says of it (`NAME CONSTRAINT`).
    pub label: String,
    /// Whether it is new (not only a changed constraint).
    pub new: bool,
}

/// vx.toml edited in memory: its path, its new text and the tools added to it, written
/// only by [`Edited::lock_and_write`] once they could be locked (what `vx add` and
/// `vx use` share).
pub struct Edited {
    path: PathBuf,
    text: String,
    added: Vec<Added>,
}

/// What [`Edited::lock_and_write`] did.
pub enum Written {
    /// vx.toml and vx.lock are written.
    Locked {
        /// The lock run's report.
        report: LockReport,
        /// vx.lock.
        lock_path: PathBuf,
        /// The platforms locked.
        platforms: Vec<Platform>,
        /// The tools added, in order.
        added: Vec<Added>,
    },
    /// Tools added could not be locked (`TOOL for PLATFORM` each): nothing is written.
    NotLocked {
        /// What failed.
        failed: Vec<String>,
        /// The lock run's exit code.
        code: i32,
    },
}

impl Edited {
    /// The manifest at `path` as it is (empty when there is none yet).
    pub fn read(path: &Path) -> Result<Edited, EditError> {
        let text = read_text(path).map_err(|source| EditError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        Ok(Edited {
            path: path.to_owned(),
            text: text.unwrap_or_default(),
            added: Vec::new(),
        })
    }

    /// Adds `tool` (`NAME[@CONSTRAINT]`, or `NAME@VERSION` with `--url`), once the
    /// result parses; what the lookup has to say goes to `progress`.
    pub fn add(
        &mut self,
        tool: &str,
        source: &UrlSource<'_>,
        progress: &dyn Fn(&str),
    ) -> Result<(), EditError> {
        let (url, sha256, bins) = (source.url, source.sha256, source.bins);
        let path = &self.path;
        let text = &self.text;
        // A tool listed with a URL of its own keeps it when only its version changes
        // (`vx add greet@1.1.0`): its URL template names the version, not a registry.
        let own_url = tool
            .split_once('@')
            .and_then(|(name, _)| edit::url_of(text, name))
            .filter(|_| url.is_none() && sha256.is_none() && bins.is_empty());
        let (edited, label, name) = match url.or(own_url.as_deref()) {
            Some(url) => {
                let (name, version) = match tool.split_once('@') {
                    Some((n, v)) if !n.is_empty() && !v.is_empty() => (n, v),
                    _ => {
                        return Err(EditError::Refused(format!(
                            "expected TOOL@VERSION (e.g. ripgrep@14.1.1), got {tool:?}"
                        )));
                    }
                };
                let tool = NewTool {
                    name: name.to_owned(),
                    version: version.to_owned(),
                    url: url.to_owned(),
                    sha256: sha256.map(str::to_owned),
                    bin: bins.to_vec(),
                };
                // A bad flag is said of the flag, before vx.toml is touched (a URL
                // already in vx.toml is the parse's below, at its line).
                if source.url.is_some() {
                    tool.check(path)?;
                }
                (
                    edit::add(text, &tool),
                    format!("{name} {version}"),
                    name.to_owned(),
                )
            }
            None => {
                if sha256.is_some() || !bins.is_empty() {
                    return Err(EditError::Refused(
                        "--sha256 and --bin go with --url; a registry tool brings its own".into(),
                    ));
                }
                if edit::url_of(text, tool).is_some() {
                    return Err(EditError::Refused(format!(
                        "{tool} is listed with a URL of its own, not from a registry: name the version, `vx use {tool}@VERSION`"
                    )));
                }
                let (key, constraint) = registry_entry(tool, path, text, progress)?;
                let label = format!("{key} {constraint}");
                (edit::set_constraint(text, &key, &constraint), label, key)
            }
        };
        let (new_text, new) = edited.map_err(|source| EditError::Edit {
            path: path.clone(),
            source,
        })?;
        // Nothing is kept unless the result is a valid manifest.
        Manifest::parse(path, &new_text)?;
        self.text = new_text;
        self.added.push(Added { name, label, new });
        Ok(())
    }

    /// The edited manifest.
    pub fn manifest(&self) -> Result<Manifest, EditError> {
        Ok(Manifest::parse(&self.path, &self.text)?)
    }

    /// Locks the edited manifest for every configured platform, as `vx lock` would, in
    /// memory (its runtime declarations read, each fetch said through `progress`);
    /// then writes vx.toml and vx.lock together, or neither when a tool added could
    /// not be locked for a platform.
    pub fn lock_and_write(
        &self,
        options: &Options,
        progress: &dyn Fn(&str),
    ) -> Result<Written, EditError> {
        let manifest = self.manifest()?;
        let lock_path = manifest.lock_path();
        let mut lock = Lock::load(&lock_path)?.unwrap_or_default();
        let platforms = super::lock::platforms(&[], &manifest);
        let session = Session::with_manifest(
            manifest.clone(),
            &crate::session::Opening::default(),
            progress,
        )?;
        let report = super::lock::relock(
            &manifest,
            session.catalogue(),
            &mut lock,
            &platforms,
            options,
        )?;
        let failed: Vec<String> = report
            .failed
            .iter()
            .filter(|(tool, _)| {
                self.added
                    .iter()
                    .any(|a| a.name.rsplit('/').next().unwrap_or(&a.name) == tool)
            })
            .map(|(tool, platform)| format!("{tool} for {platform}"))
            .collect();
        if !failed.is_empty() {
            return Ok(Written::NotLocked {
                failed,
                code: report.code,
            });
        }
        write_text(&self.path, &self.text)?;
        lock.write(&lock_path).map_err(EditError::LockWrite)?;
        Ok(Written::Locked {
            report,
            lock_path,
            platforms,
            added: self.added.clone(),
        })
    }
}

/// The vx.toml key and constraint for `NAME[@CONSTRAINT]`: the name checked against
/// the registries now (an unknown or ambiguous one is refused before vx.toml changes),
/// written short when the short name finds the same package; without a constraint,
/// the newest version's major (`14`, or `0.10` before 1.0).
fn registry_entry(
    spec: &str,
    path: &Path,
    text: &str,
    progress: &dyn Fn(&str),
) -> Result<(String, String), EditError> {
    let (name, constraint) = vx_model::package_name::split_version(spec);
    if name.is_empty() || constraint == Some("") {
        return Err(EditError::Refused(format!(
            "`{spec}`: name a tool, optionally with a constraint: NAME or NAME@CONSTRAINT"
        )));
    }
    // The project's own registries count: read them from vx.toml as it would be with
    // this tool in it (a vx.toml without tools yet parses then too).
    let project = edit::set_constraint(text, name, "latest")
        .ok()
        .and_then(|(probe, _)| Manifest::parse(path, &probe).ok());
    // The runtimes the project declares are names too (`vx add acme-jdk@17`).
    let opening = crate::session::Opening::default();
    let session = match project {
        Some(project) => Session::with_manifest(project, &opening, progress)?,
        None => Session::outside(&opening),
    };
    let project = session.manifest();
    let net = session.network(false)?;
    let resolver = session.resolver(&net)?;
    let found = resolver.named(name)?;
    if let Some(reason) = found.unsupported() {
        return Err(EditError::Refused(format!(
            "{} cannot be installed by vx: {reason}",
            found.qualified_name()
        )));
    }
    if let vx_engine::resolution::Named::Runtime(runtime) = &found
        && let Some(needed) = runtime.needs()
        && !project.is_some_and(|m| {
            m.tools.iter().any(|t| {
                t.registry
                    .as_ref()
                    .and_then(|r| session.catalogue().find(&r.lookup).ok().flatten())
                    .is_some_and(|r| r.name() == needed)
            })
        })
    {
        progress(&format!(
            "{} needs {needed}, which vx.toml does not list: add it too (vx use {needed})",
            runtime.name()
        ));
    }
    let key = resolver.manifest_key(&found);
    let constraint = match constraint {
        Some(c) => {
            vx_base::version::Constraint::parse(c)?;
            resolver.pick_named(&found, c)?;
            c.to_owned()
        }
        None => {
            let newest = resolver.pick_named(&found, "latest")?;
            vx_base::version::major_of(&newest.version)
        }
    };
    Ok((key, constraint))
}

/// What to upgrade.
pub struct Upgrade<'a> {
    /// The tools named (none: every registry tool).
    pub tools: &'a [String],
    /// Move each constraint in vx.toml to the newest version's major first.
    pub latest: bool,
    /// How the lock run resolves and downloads.
    pub options: &'a Options,
}

/// What an upgrade did.
pub struct Upgraded {
    /// The lock run's report.
    pub report: LockReport,
    /// vx.lock.
    pub lock_path: PathBuf,
    /// The platforms locked.
    pub platforms: Vec<Platform>,
    /// Each chosen tool's version before and after (`None`: not locked).
    pub versions: Vec<(String, Option<String>, Option<String>)>,
}

/// Re-resolves the session's registry tools within their constraints (all of them,
/// or those named) and locks the result for every platform the lock covers; with
/// `latest`, each constraint in vx.toml is first moved to the newest version's major
/// (said through `progress`) and vx.toml written.
pub fn upgrade(
    session: &Session,
    request: &Upgrade<'_>,
    progress: &dyn Fn(&str),
) -> Result<Upgraded, EditError> {
    let mut manifest = session.project()?.clone();
    let catalogue = session.catalogue();
    let lock_path = manifest.lock_path();
    let mut lock = Lock::load(&lock_path)?.unwrap_or_default();
    for name in request.tools {
        match manifest.tool(name) {
            Some(tool) if tool.registry.is_some() => {}
            Some(_) => {
                return Err(EditError::Refused(format!(
                    "{name} has a url of its own: change its version in vx.toml"
                )));
            }
            None => return Err(EditError::Refused(format!("no tool `{name}` in vx.toml"))),
        }
    }
    let chosen: Vec<String> = manifest
        .tools
        .iter()
        .filter(|t| t.registry.is_some())
        .filter(|t| request.tools.is_empty() || request.tools.contains(&t.name))
        .map(|t| t.name.clone())
        .collect();
    if request.latest {
        manifest = move_constraints(session, &manifest, &chosen, &lock, progress)?;
    }
    let before: Vec<(String, Option<String>)> = chosen
        .iter()
        .map(|n| (n.clone(), lock.tools.get(n).map(|e| e.version.clone())))
        .collect();
    // An entry without its constraint is not pinned: it is resolved again.
    for name in &chosen {
        if let Some(entry) = lock.tools.get_mut(name) {
            entry.constraint = None;
        }
    }
    let mut platforms = super::lock::platforms(&[], &manifest);
    for name in &chosen {
        for held in lock.platforms_of(name) {
            if !platforms.contains(&held) {
                platforms.push(held);
            }
        }
    }
    let report = super::lock::relock_and_write(
        &manifest,
        catalogue,
        &mut lock,
        &platforms,
        request.options,
    )?;
    let versions = before
        .into_iter()
        .map(|(name, old)| {
            let new = lock.tools.get(&name).map(|e| e.version.clone());
            (name, old, new)
        })
        .collect();
    Ok(Upgraded {
        report,
        lock_path: manifest.lock_path(),
        platforms,
        versions,
    })
}

/// vx.toml (`manifest`, the session's project) with each chosen tool's constraint
/// moved to the newest version's major, written; the manifest re-read.
fn move_constraints(
    session: &Session,
    manifest: &Manifest,
    chosen: &[String],
    lock: &Lock,
    progress: &dyn Fn(&str),
) -> Result<Manifest, EditError> {
    let net = session.network(false)?;
    let resolver = Resolver::new(&net, Some(manifest), Some(lock), session.catalogue())?;
    let path = &manifest.path;
    let mut text =
        vx_base::bounded_read::read_to_string(path, vx_model::manifest::MAX_MANIFEST_BYTES)
            .map_err(|source| EditError::Reread {
                path: path.clone(),
                source,
            })?;
    for name in chosen {
        let Some(request) = manifest.tool(name).and_then(|t| t.registry.as_ref()) else {
            continue;
        };
        let found = resolver.named(&request.lookup)?;
        let newest = resolver.pick_named(&found, "latest")?;
        let constraint = vx_base::version::major_of(&newest.version);
        if constraint == request.constraint {
            continue;
        }
        (text, _) =
            edit::set_constraint(&text, name, &constraint).map_err(|source| EditError::Edit {
                path: path.clone(),
                source,
            })?;
        progress(&format!(
            "{name}: constraint {} → {constraint}",
            request.constraint
        ));
    }
    let updated = Manifest::parse(path, &text)?;
    write_text(path, &text)?;
    Ok(updated)
}

/// The manifest at `path` without the tool `name`'s table, in memory (`Ok(text)`);
/// nothing is written yet: [`write_removed`] does.
pub fn removed(path: &Path, name: &str) -> Result<String, EditError> {
    let text = vx_base::bounded_read::read_to_string(path, vx_model::manifest::MAX_MANIFEST_BYTES)
        .map_err(|source| EditError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
    edit::remove(&text, name).map_err(|source| EditError::Edit {
        path: path.to_owned(),
        source,
    })
}

/// Writes vx.toml's `new_text` at `path` ([`removed`]) and the lock beside it
/// without the tool `name`.
pub fn write_removed(path: &Path, new_text: &str, name: &str) -> Result<(), EditError> {
    write_text(path, new_text)?;
    let lock_path = path.with_file_name(vx_model::manifest::LOCK_FILE);
    if let Some(mut lock) = Lock::load(&lock_path)?
        && lock
            .tools
            .remove(name.rsplit('/').next().unwrap_or(name))
            .is_some()
    {
        lock.write(&lock_path).map_err(EditError::LockWrite)?;
    }
    Ok(())
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // An edit of vx.toml that could not be made: the user's to fix (exit 2) but for
    // the machine's (a file that cannot be read again or written) and the network's.
    EditError => |e| {
        use crate::edit::EditError;
        match e {
            EditError::Session(e) => e.into(),
            EditError::Resolution(e) => e.into(),
            EditError::Locking(e) => e.into(),
            EditError::LockWrite(e) => e.into(),
            e @ (EditError::Reread { .. } | EditError::Write { .. }) => Error::environment(e),
            e => Error::usage(e),
        }
    };
}
