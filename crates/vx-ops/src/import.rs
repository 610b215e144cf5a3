//! `vx import`'s work: the tools of another version manager's files (asdf, mise, nvm,
//! pyenv, aqua; read by [`vx_model::import`]) looked up in the project's registries and
//! runtimes and written into the text of vx.toml as short-form `[tools]` entries (as `vx
//! add` writes them; mise's `[env]`, tasks, paths, env files and virtual environment
//! into theirs), comments and existing entries kept. [`edit()`] makes the new text in
//! memory with a line for each entry (imported, or skipped and why); the caller writes
//! it and locks it ([`super::lock`]). Nothing here prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vx_base::validate;

use vx_text::sanitize;

use super::snapshot::{Restored, Snapshot};
use crate::session::{Opening, Session, SessionError, Want};
use vx_engine::resolution::{ResolutionError, Resolver};
use vx_model::import::{self, Format, Imported};
use vx_model::lock::Lock;
use vx_model::manifest::imported::{
    Draft, EditFailed, import_env, import_scripts, import_settings,
};
use vx_model::manifest::{Manifest, ManifestError, Problem};
use vx_model::manifest::{edit, local};
use vx_sources::runtime::catalogue::Catalogue;

/// Which file an import writes.
#[derive(Clone, Copy, Debug)]
pub enum Layer<'a> {
    /// The project's vx.toml: everything the files list.
    Project,
    /// A person's `vx.local.toml` over the vx.toml at `project` (from mise's
    /// `mise.local.toml`): tools and variables only, as the layer holds
    /// ([`vx_model::manifest::local`]); the rest is skipped, each with its reason.
    Personal {
        /// The vx.toml the layer lies over.
        project: &'a Path,
    },
}

/// What to import.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The file written: vx.toml, or the person's `vx.local.toml` ([`Layer`]); made
    /// when it does not exist.
    pub path: &'a Path,
    /// Its text; `None`: it is created with [`vx_model::manifest::edit::starter`] (or
    /// the layer's [`local::STARTER`]).
    pub existing: Option<String>,
    /// Which file it is.
    pub layer: Layer<'a>,
    /// The files to import: `(shown name, path, format)`.
    pub files: &'a [(String, PathBuf, Format)],
    /// No progress lines from the lookups.
    pub quiet: bool,
    /// Say where `url_replacements` sent each URL.
    pub verbose: bool,
    /// Write a new vx.toml even when nothing is imported (`vx init`).
    pub create: bool,
}

/// vx.toml as the import would write it.
pub struct Edited {
    /// vx.toml.
    pub path: PathBuf,
    /// Its new text.
    pub text: String,
    /// Whether it did not exist.
    pub created: bool,
    /// Whether there is anything to write (something imported, or a vx.toml to
    /// create): otherwise vx.toml stays as it is.
    pub write: bool,
    /// What happened to each entry, in order, for the user.
    pub lines: Vec<String>,
    /// Tools imported.
    pub imported: usize,
    /// Entries skipped for a reason that is not "already listed".
    pub failed: usize,
    /// Tools written without their publisher's index: the lock waits for the network.
    pub unchecked: usize,
    /// Whether the network failed for some entries (nothing answered).
    pub unreachable: bool,
    /// The new manifest to lock, when it lists a tool (checked by the strict parser).
    pub manifest: Option<Manifest>,
    /// The runtimes the files' names were looked up in (vx's own and the user's).
    pub catalogue: Arc<Catalogue>,
    /// Whether it is a person's `vx.local.toml` ([`Layer::Personal`]).
    pub personal: bool,
    /// The tools imported, in order: what the lock may still skip one by one.
    pub tools: Vec<ImportedTool>,
    /// The project's vx.toml a person's layer lies over ([`Layer::Personal`]).
    pub over: Option<PathBuf>,
    /// What else was imported (variables, tasks, paths): kept even when no tool locks.
    pub others: usize,
}

/// A tool the import wrote, and where its line is: skipped after all when its lock
/// fails ([`write_and_lock`]).
#[derive(Clone, Debug)]
pub struct ImportedTool {
    /// Its `[tools]` key.
    pub key: String,
    /// `NAME VERSION` as the file wrote them, sanitized.
    pub label: String,
    /// `FILE:LINE` it came from, sanitized.
    pub at: String,
    /// The index of its `imported …` line in [`Edited::lines`].
    pub line: usize,
    /// Whether it is a language registry's package (`npm:…`, `pypi:…`): locked after
    /// the runtimes it may run on.
    pub backend: bool,
}

impl Edited {
    /// The lock its tools are written to: vx.lock, or `vx.local.lock` for a person's
    /// layer; `None` when it lists no tool.
    pub fn lock_path(&self) -> Option<PathBuf> {
        let manifest = self.manifest.as_ref()?;
        Some(if self.personal {
            manifest
                .lock_path()
                .with_file_name(vx_model::lock::LOCAL_LOCK_FILE)
        } else {
            manifest.lock_path()
        })
    }
}

impl From<EditFailed> for ImportError {
    fn from(e: EditFailed) -> ImportError {
        ImportError::Edit {
            path: e.path,
            source: e.source,
        }
    }
}

/// Why an import could not be made (exit 2 but for the network's).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file cannot be read as what it says it is.
    #[error(transparent)]
    Read(#[from] import::ImportError),
    /// vx.toml cannot take an edit.
    #[error("{}: {source}", path.display())]
    Edit {
        /// vx.toml.
        path: PathBuf,
        /// Why.
        source: edit::EditError,
    },
    /// The new vx.toml would not be valid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The lookups could not be set up.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
}

/// The known files of `dir` ([`import::found_in`]) as `(shown name, path, format)`:
/// what `vx import` without a file and `vx init` import.
pub fn found_in(dir: &Path) -> Vec<(String, PathBuf, Format)> {
    import::found_in(dir)
        .into_iter()
        .map(|(path, format)| {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (name, path, format)
        })
        .collect()
}

/// What `vx import` imports where ([`plan`]): the team's files into the project's
/// vx.toml, the person's (`mise.local.toml`) into their `vx.local.toml` beside it.
pub struct Plan {
    /// vx.toml: `--manifest`, else the one found from the working directory, else a
    /// new one there.
    pub path: PathBuf,
    /// The team's files, `(shown name, path, format)`, into vx.toml.
    pub team: Vec<(String, PathBuf, Format)>,
    /// The person's files, into the `vx.local.toml` beside vx.toml
    /// ([`personal_layer`]).
    pub personal: Vec<(String, PathBuf, Format)>,
}

/// Why `vx import` cannot start: each the user's to fix (exit 2), nothing written.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No file named and none of the known ones in the directory.
    #[error("nothing to import in {}: none of {names} is there", dir.display())]
    Nothing {
        /// The directory looked in.
        dir: PathBuf,
        /// The known files' names.
        names: String,
    },
    /// `--format` names no format vx imports.
    #[error("--format {}: vx imports {}", sanitize(.0), import::FORMAT_NAMES)]
    Format(String),
    /// The file's name says nothing of its format.
    #[error("{}: vx cannot tell its kind from its name; pass --format ({})", .0.display(), import::FORMAT_NAMES)]
    Kind(PathBuf),
    /// vx.toml cannot be located.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A manifest that exists cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The manifest.
        path: PathBuf,
        /// Why.
        #[source]
        source: vx_base::bounded_read::ReadError,
    },
    /// A person's file, and vx.toml is not named so: no `vx.local.toml` lies beside it.
    #[error("{}: a person's file is imported into vx.local.toml beside a vx.toml, and {} is not named vx.toml", sanitize(shown), project.display())]
    NotBeside {
        /// The person's file, as shown.
        shown: String,
        /// The project's manifest.
        project: PathBuf,
    },
    /// A person's file, and no vx.toml for its layer to lie over.
    #[error("{}: a person's file is imported into vx.local.toml, a layer over the project's vx.toml, and there is none at {}; import the team's files first (`vx import mise.toml`) or start one with `vx init`", sanitize(shown), project.display())]
    NoProject {
        /// The person's file, as shown.
        shown: String,
        /// Where vx.toml would be.
        project: PathBuf,
    },
}

/// What `vx import` imports from `cwd`: `file` (its format `format`, else told from
/// its name), else every known file there ([`found_in`]); into `manifest`, else the
/// vx.toml found from `cwd`, else a new one in `cwd`.
pub fn plan(
    cwd: &Path,
    file: Option<&Path>,
    format: Option<&str>,
    manifest: Option<&Path>,
) -> Result<Plan, PlanError> {
    let files = match file {
        Some(file) => vec![(
            file.display().to_string(),
            file.to_path_buf(),
            format_of(file, format)?,
        )],
        None => {
            let found = found_in(cwd);
            if found.is_empty() {
                let names: Vec<&str> = import::known_files().into_iter().map(|(n, _)| n).collect();
                return Err(PlanError::Nothing {
                    dir: cwd.to_path_buf(),
                    names: names.join(", "),
                });
            }
            found
        }
    };
    // The vx.toml the project's door finds from `cwd`, else a new one there.
    let opening = Opening::new(manifest, Want::Optional).cwd(cwd);
    let path = match crate::session::locate(&opening)? {
        // A mise project read in place moves over: its vx.toml goes beside its files.
        Some(path) if vx_model::manifest::in_place::is_in_place(&path) => {
            path.with_file_name(vx_model::manifest::MANIFEST_FILE)
        }
        Some(path) => path,
        None => cwd.join(vx_model::manifest::MANIFEST_FILE),
    };
    let (personal, team) = files
        .into_iter()
        .partition(|(_, file, _)| import::is_personal(file));
    Ok(Plan {
        path,
        team,
        personal,
    })
}

/// FILE's format: `named` (`--format`) when given, else from its name.
fn format_of(file: &Path, named: Option<&str>) -> Result<Format, PlanError> {
    match named {
        Some(name) => Format::from_name(name).ok_or_else(|| PlanError::Format(name.to_owned())),
        None => Format::of_file(file).ok_or_else(|| PlanError::Kind(file.to_path_buf())),
    }
}

/// The text of the manifest at `path`, `None` when there is none yet.
pub fn existing(path: &Path) -> Result<Option<String>, PlanError> {
    match vx_base::bounded_read::read_to_string(path, vx_model::manifest::MAX_MANIFEST_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(source) => Err(PlanError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The person's `vx.local.toml` a personal file (`shown`) is imported into: beside the
/// project's vx.toml at `project`, which must exist, since the layer lies over it.
pub fn personal_layer(project: &Path, shown: &str) -> Result<PathBuf, PlanError> {
    let Some(layer) = local::beside(project) else {
        return Err(PlanError::NotBeside {
            shown: shown.to_owned(),
            project: project.to_path_buf(),
        });
    };
    if !project.is_file() {
        return Err(PlanError::NoProject {
            shown: shown.to_owned(),
            project: project.to_path_buf(),
        });
    }
    Ok(layer)
}

/// What became of the lock after vx.toml was written ([`write_and_lock`]), and of
/// the files the edit's snapshot holds: put back unless the lock succeeded or only
/// waits for the network (pins written without their publisher's index).
pub enum Settled {
    /// Nothing to lock: no tool was imported.
    Nothing,
    /// Locked for these platforms, and written; the files put back (`restored`) when
    /// the lock's code is not a success.
    Locked {
        /// What the lock did.
        report: vx_project::plan::LockReport,
        /// The platforms it locked.
        platforms: Vec<vx_model::manifest::Platform>,
        /// What was put back, when the lock's code is not a success.
        restored: Option<Restored>,
    },
    /// vx.lock cannot be read: the files put back.
    Unreadable(vx_model::lock::LockError, Restored),
    /// The lock failed where only the network was missing: vx.toml keeps the tools
    /// written without their index, for `vx lock` to fill later.
    Waiting(super::lock::LockOpError),
    /// The lock failed: the files put back.
    Failed(super::lock::LockOpError, Restored),
}

impl Settled {
    /// Whether what the import wrote stands (the files were not put back): only then
    /// is it said as created and imported.
    pub fn kept(&self) -> bool {
        match self {
            Settled::Nothing | Settled::Waiting(_) => true,
            Settled::Locked { restored, .. } => restored.is_none(),
            Settled::Unreadable(..) | Settled::Failed(..) => false,
        }
    }
}

/// How an import that keeps nothing settles: the whole lock's outcome `first`, with
/// the files of `snapshot` put back.
fn put_back(
    first: Result<vx_project::plan::LockReport, super::lock::LockOpError>,
    platforms: Vec<vx_model::manifest::Platform>,
    snapshot: &Snapshot,
) -> Settled {
    match first {
        Ok(report) => Settled::Locked {
            report,
            platforms,
            restored: Some(snapshot.restore()),
        },
        Err(e) => Settled::Failed(e, snapshot.restore()),
    }
}

/// Writes `edited`'s vx.toml, then locks it as `vx lock` would when it imported a tool.
/// A tool whose lock fails (its checksum file cannot be read, a platform's download
/// answers 404) is skipped with its reason, as a name that cannot be looked up is:
/// the others are kept and locked, `edited` says so (its text, lines and counts), and
/// one failure never stops the rest. The files of `snapshot` (taken before the edit)
/// are put back only when nothing could be kept, but for a lock that only waits for
/// the network ([`Settled::Waiting`]).
pub fn write_and_lock(
    edited: &mut Edited,
    options: &super::lock::Options,
    snapshot: &Snapshot,
) -> Result<Settled, vx_base::atomic::WriteError> {
    write_text(edited)?;
    let Some(manifest) = edited.manifest.as_ref().filter(|_| edited.imported > 0) else {
        return Ok(Settled::Nothing);
    };
    let mut lock = match Lock::load(&manifest.lock_path()) {
        Ok(lock) => lock.unwrap_or_default(),
        Err(e) => return Ok(Settled::Unreadable(e, snapshot.restore())),
    };
    let before = lock.clone();
    let platforms = super::lock::platforms(&[], manifest);
    let first = super::lock::relock(manifest, &edited.catalogue, &mut lock, &platforms, options);
    let first = match first {
        Ok(report) if report.code == vx_base::exit::OK => {
            return Ok(match lock.write_for(manifest) {
                Ok(()) => Settled::Locked {
                    report,
                    platforms,
                    restored: None,
                },
                Err(e) => Settled::Failed(super::lock::LockOpError::Write(e), snapshot.restore()),
            });
        }
        Err(e) if edited.unchecked > 0 => return Ok(Settled::Waiting(e)),
        // Interrupted: nothing more is tried.
        Ok(report) if report.code == vx_base::exit::INTERRUPTED => {
            return Ok(Settled::Locked {
                report,
                platforms,
                restored: Some(snapshot.restore()),
            });
        }
        first => first,
    };
    // One by one, each tool over those kept so far (the runtimes before the language
    // registries' packages that may run on them): what fails is skipped with its reason.
    let mut order: Vec<usize> = (0..edited.tools.len()).collect();
    order.sort_by_key(|&i| edited.tools[i].backend);
    let mut kept: Vec<usize> = Vec::new();
    let mut skipped: Vec<(usize, String)> = Vec::new();
    let mut lock = before;
    for &i in &order {
        let mut trying = kept.clone();
        trying.push(i);
        let Some(manifest) = manifest_of(edited, &trying) else {
            skipped.push((i, "its entry could not be read back".to_owned()));
            continue;
        };
        let mut attempt = lock.clone();
        match super::lock::relock(
            manifest.as_ref(),
            &edited.catalogue,
            &mut attempt,
            &platforms,
            options,
        ) {
            Ok(report) if report.code == vx_base::exit::OK => {
                kept.push(i);
                lock = attempt;
            }
            Ok(report) => {
                let key = &edited.tools[i].key;
                let mut why: Vec<String> = report
                    .why_failed
                    .iter()
                    .filter(|(tool, _, _)| tool == key)
                    .map(|(_, platform, why)| format!("{platform}: {why}"))
                    .collect();
                if why.is_empty() {
                    why = report
                        .failed
                        .iter()
                        .map(|(tool, platform)| format!("{tool} for {platform}"))
                        .collect();
                    why.insert(0, "its download failed".to_owned());
                }
                skipped.push((i, why.join("; ")));
                if report.code == vx_base::exit::INTERRUPTED {
                    break;
                }
            }
            Err(e) => skipped.push((i, e.to_string())),
        }
    }
    if kept.is_empty() && edited.others == 0 {
        // Nothing could be kept: the files as they were, and the first failure said.
        return Ok(put_back(first, platforms, snapshot));
    }
    // What is kept: vx.toml without the skipped tools, each said with its reason.
    for (i, why) in &skipped {
        let tool = &edited.tools[*i];
        edited.lines[tool.line] = format!(
            "skipped {} from {}: it cannot be locked: {}",
            tool.label,
            tool.at,
            sanitize(why)
        );
    }
    edited.imported -= skipped.len();
    edited.failed += skipped.len();
    let manifest = manifest_of(edited, &kept).map(std::borrow::Cow::into_owned);
    let Some(text) = text_of(edited, &kept) else {
        return Ok(put_back(first, platforms, snapshot));
    };
    edited.text = text;
    edited.manifest = manifest;
    edited.tools = kept.iter().map(|&i| edited.tools[i].clone()).collect();
    write_text(edited)?;
    let Some(manifest) = edited.manifest.as_ref().filter(|_| edited.imported > 0) else {
        return Ok(Settled::Nothing);
    };
    Ok(
        match super::lock::relock_and_write(
            manifest,
            &edited.catalogue,
            &mut lock,
            &platforms,
            options,
        ) {
            Ok(report) => {
                let restored = (report.code != vx_base::exit::OK).then(|| snapshot.restore());
                Settled::Locked {
                    report,
                    platforms,
                    restored,
                }
            }
            Err(e) => Settled::Failed(e, snapshot.restore()),
        },
    )
}

/// Writes `edited`'s text to its path.
fn write_text(edited: &Edited) -> Result<(), vx_base::atomic::WriteError> {
    vx_base::atomic::write(&edited.path, edited.text.as_bytes()).map_err(|source| {
        vx_base::atomic::WriteError {
            path: edited.path.clone(),
            source,
        }
    })
}

/// `edited`'s text with only the imported tools `keep` (indices of [`Edited::tools`])
/// of those it imported; `None` when a tool cannot be taken out.
fn text_of(edited: &Edited, keep: &[usize]) -> Option<String> {
    let mut text = edited.text.clone();
    for (i, tool) in edited.tools.iter().enumerate() {
        if !keep.contains(&i) {
            text = edit::remove(&text, &tool.key).ok()?;
        }
    }
    Some(text)
}

/// The manifest to lock with only the imported tools `keep` ([`text_of`]); `None`
/// when it cannot be made.
fn manifest_of<'e>(edited: &'e Edited, keep: &[usize]) -> Option<std::borrow::Cow<'e, Manifest>> {
    if keep.len() == edited.tools.len() {
        return edited.manifest.as_ref().map(std::borrow::Cow::Borrowed);
    }
    let text = text_of(edited, keep)?;
    let manifest = match &edited.over {
        Some(project) => layered(project, &edited.path, &text),
        None => checked(&edited.path, &text),
    };
    manifest.ok().flatten().map(std::borrow::Cow::Owned)
}

/// Imports `request.files` into the text of vx.toml, in memory: every file read first
/// (a malformed one is an error with nothing made), each entry looked up in the
/// runtimes of `session`'s catalogue (vx's own and the user's: the project's own
/// declarations are read when it is next opened), through the network unless
/// `session` is offline (then only what is cached).
pub fn edit(session: &Session, request: &Request<'_>) -> Result<Edited, ImportError> {
    let Request {
        path,
        files,
        create,
        ..
    } = *request;
    let existing = request.existing.clone();
    let (lists, registries) = read_files(files)?;
    let created = existing.is_none();
    let personal = match request.layer {
        Layer::Project => None,
        Layer::Personal { project } => Some(project),
    };
    let mut text = existing.unwrap_or_else(|| match personal {
        None => edit::starter(&vx_model::manifest::platform::default_set()),
        Some(_) => local::STARTER.to_owned(),
    });
    // vx.toml before this import: what it lists already is left alone.
    let before = text.clone();
    let mut lines: Vec<String> = Vec::new();
    // An aqua.yaml's local registries first: its packages are looked up in them.
    import_registries(path, &registries, &mut text, &mut lines)?;
    // The project's own registries count: read them from vx.toml as it would be with a
    // tool in it (a vx.toml without tools yet parses then too), as `vx add` does.
    // A person's layer is looked up in the project's registries, as it is locked.
    let project = match personal {
        Some(project) => Some(Manifest::load(project)?),
        None => edit::set_constraint(&text, "vx-import-probe", "latest")
            .ok()
            .and_then(|(probe, _)| Manifest::parse(path, &probe).ok()),
    };
    let lock = project
        .as_ref()
        .and_then(|m| Lock::load(&m.lock_path()).ok().flatten());
    let net = vx_engine::resolution::Network::from_env(
        session
            .options(request.quiet)
            .project(project.as_ref())
            .verbose(request.verbose),
    )?;
    let catalogue = Arc::clone(session.catalogue());
    let resolver = Resolver::new(&net, project.as_ref(), lock.as_ref(), &catalogue)?;
    // A runtime tool (`npm:prettier`) imports beside the runtime the files name.
    resolver.expect_runtimes(
        lists
            .iter()
            .flat_map(|(_, list)| &list.tools)
            .filter_map(|e| Some(catalogue.find(&e.name).ok()??.name().to_owned()))
            .collect(),
    );

    let mut failed = 0usize;
    // The team's version files stay the pin: a tool from one is written
    // `{ version_file = "…" }` (not into a person's layer, which holds versions).
    let pins: &[(String, PathBuf, Format)] = if personal.is_none() { files } else { &[] };
    let tools = import_tools(
        path,
        &resolver,
        &lists,
        pins,
        &before,
        &mut text,
        &mut lines,
        &mut failed,
    )?;
    let mut draft = Draft::new(path, text);
    draft.lines = lines;
    draft.failed = failed;
    let env_added = import_env(&mut draft, &lists)?;
    for (file, list) in &lists {
        for (what, line) in &list.not_honoured {
            let at = line.map_or_else(|| (*file).to_owned(), |l| format!("{file}:{l}"));
            draft
                .lines
                .push(format!("not imported from {at}: {}", sanitize(what)));
        }
    }

    if personal.is_some() {
        draft.failed += not_personal(&lists, &mut draft.lines);
    }
    let mut scripts_added = 0;
    let project_lists = if personal.is_none() { &lists[..] } else { &[] };
    if personal.is_none() {
        scripts_added = import_scripts(&mut draft, &lists)?;
    }
    let paths_added = import_settings(&mut draft, project_lists)?;
    let (mut text, mut lines, failed) = (draft.text, draft.lines, draft.failed);

    let write = tools.imported + env_added + scripts_added + paths_added > 0 || (created && create);
    let mut manifest = None;
    if write && let Some(project) = personal {
        manifest = layered(project, path, &text)?;
    } else if write {
        list_platforms(path, &mut text, &mut lines)?;
        manifest = checked(path, &text)?;
    }
    Ok(Edited {
        path: path.to_owned(),
        text,
        created,
        write,
        lines,
        imported: tools.imported,
        failed,
        unchecked: tools.unchecked,
        unreachable: tools.unreachable,
        manifest,
        catalogue,
        personal: personal.is_some(),
        tools: tools.written,
        over: personal.map(Path::to_path_buf),
        others: env_added + scripts_added + paths_added,
    })
}

/// An aqua.yaml's local registries (`(file, name, place)`) written into `text`'s
/// `[settings] registries`, each place relative to vx.toml's directory, a line said for
/// each added.
fn import_registries(
    path: &Path,
    registries: &[(String, String, String)],
    text: &mut String,
    lines: &mut Vec<String>,
) -> Result<(), ImportError> {
    let home = path.parent().unwrap_or(Path::new(""));
    for (file, name, at) in registries {
        let at = Path::new(at);
        let written = at.strip_prefix(home).unwrap_or(at).display().to_string();
        let (new_text, added) =
            edit::add_registry(text, name, &written).map_err(edit_error(path))?;
        if added {
            *text = new_text;
            lines.push(format!(
                "imported registry {} ({}) from {file} into [settings] registries",
                sanitize(name),
                sanitize(&written)
            ));
        }
    }
    Ok(())
}

/// The platforms `vx lock` locks listed in `text`'s `[settings] platforms` when it
/// lists none, so a lock made here serves the team's other machines; a line said.
fn list_platforms(
    path: &Path,
    text: &mut String,
    lines: &mut Vec<String>,
) -> Result<(), ImportError> {
    let platforms = vx_model::manifest::platform::default_set();
    let (new_text, listed) =
        edit::list_platforms_if_unset(text, &platforms).map_err(edit_error(path))?;
    if listed {
        *text = new_text;
        let names: Vec<String> = platforms.iter().map(ToString::to_string).collect();
        lines.push(format!(
            "listed {} in [settings] platforms (what `vx lock` locks)",
            names.join(", ")
        ));
    }
    Ok(())
}

/// The entries of each of `files` (`(shown name, path, format)`), and the local
/// registries an aqua.yaml among them declares (`(shown name, registry, place)`).
type Read<'f> = (Vec<(&'f str, Imported)>, Vec<(String, String, String)>);

/// Reads every one of `files` (a malformed one is the error): [`Read`].
fn read_files(files: &[(String, PathBuf, Format)]) -> Result<Read<'_>, ImportError> {
    let mut lists: Vec<(&str, Imported)> = Vec::new();
    let mut registries: Vec<(String, String, String)> = Vec::new();
    for (shown, file, format) in files {
        let (imported, declared) = import::read_all(file, *format)?;
        for (name, place) in declared {
            if let import::aqua::DeclaredRegistry::Local(at) = place {
                registries.push((shown.clone(), name, at));
            }
        }
        lists.push((shown.as_str(), imported));
    }
    Ok((lists, registries))
}

/// What makes an edit error of vx.toml at `path`.
fn edit_error(path: &Path) -> impl Fn(edit::EditError) -> ImportError + Copy + '_ {
    move |source| ImportError::Edit {
        path: path.to_owned(),
        source,
    }
}

/// What [`import_tools`] imported.
struct Tools {
    /// Tools imported.
    imported: usize,
    /// Tools written without their publisher's index: the lock cannot be filled yet.
    unchecked: usize,
    /// Whether the network failed for some entries (nothing answered).
    unreachable: bool,
    /// Each tool written, with its line.
    written: Vec<ImportedTool>,
}

/// Imports the tools of `lists` into `text` (looked up through `resolver`; what
/// vx.toml listed `before` is left alone), a line for each in `lines`, the entries
/// skipped for a reason counted in `failed`.
#[allow(clippy::too_many_arguments)]
fn import_tools(
    path: &Path,
    resolver: &Resolver<'_>,
    lists: &[(&str, Imported)],
    pins: &[(String, PathBuf, Format)],
    before: &str,
    text: &mut String,
    lines: &mut Vec<String>,
    failed: &mut usize,
) -> Result<Tools, ImportError> {
    // The reasons that were the network's (nothing answered), with the first entry
    // each stopped.
    let mut unreachable: Vec<(String, String)> = Vec::new();
    let mut imported = 0usize;
    // Imported without their publisher's index: the lock cannot be filled yet.
    let mut unchecked = 0usize;
    let mut taken: BTreeMap<String, &str> = BTreeMap::new();
    let mut written = Vec::new();
    let edit_error = |source| ImportError::Edit {
        path: path.to_owned(),
        source,
    };
    for (file, list) in lists {
        for entry in &list.tools {
            let from = entry.file.as_deref().unwrap_or(file);
            let at = sanitize(&match entry.line {
                Some(line) => format!("{from}:{line}"),
                None => from.to_owned(),
            })
            .into_owned();
            // A tool vx.toml listed before under the name the file writes (a URL tool
            // in `[tools.NAME]`, which no registry knows) is left alone before any
            // lookup, which would fail it.
            if lists_tool(before, std::slice::from_ref(&entry.name)) {
                lines.push(format!(
                    "skipped {} from {at}: vx.toml lists it already; left as it is",
                    label(&entry.name, &entry.written)
                ));
                continue;
            }
            let mapped = match map_entry(resolver, entry) {
                Ok(mapped) => mapped,
                Err(skip) => {
                    *failed += 1;
                    let this = label(&entry.name, &entry.written);
                    // A place that cannot be reached is named once, on the first
                    // entry that needed it.
                    let why = match unreachable.iter().find(|(why, _)| *why == skip.why) {
                        Some((_, first)) => {
                            format!("could not be looked up either ({first}, above)")
                        }
                        None => sanitize(&skip.why).into_owned(),
                    };
                    if skip.unreachable && !unreachable.iter().any(|(why, _)| *why == skip.why) {
                        unreachable.push((skip.why, this.clone()));
                    }
                    lines.push(format!("skipped {this} from {at}: {why}"));
                    continue;
                }
            };
            let key = sanitize(&mapped.key);
            if let Some(first) = taken.get(&mapped.qualified) {
                lines.push(format!(
                    "skipped {} from {at}: {key} is imported from {first}, which comes first",
                    label(&entry.name, &entry.written)
                ));
                continue;
            }
            taken.insert(mapped.qualified.clone(), from);
            if lists_tool(text, &mapped.names) {
                lines.push(format!(
                    "skipped {key} {} from {at}: vx.toml lists it already; left as it is",
                    mapped.constraint
                ));
                continue;
            }
            let kept_in = entry
                .file
                .is_none()
                .then(|| version_file_of(path, pins, file))
                .flatten()
                .and_then(|file| {
                    let pinned = edit::set_version_file(text, &mapped.key, &file).ok()?;
                    // Only a form vx reads back to a version (the file names the tool
                    // as vx.toml does).
                    Manifest::parse(path, &pinned).ok()?;
                    Some((file, pinned))
                });
            match kept_in {
                Some((_, pinned)) => *text = pinned,
                None => {
                    (*text, _) = edit::set_constraint(text, &mapped.key, &mapped.constraint)
                        .map_err(edit_error)?;
                }
            }
            imported += 1;
            unchecked += usize::from(mapped.unchecked);
            let swap = import::names::backend_note(&entry.name).filter(|_| mapped.kept_backend);
            let all_notes: Vec<&str> = entry
                .notes
                .iter()
                .filter(|note| swap.as_ref() != Some(*note))
                .chain(&mapped.notes)
                .map(String::as_str)
                .collect();
            let notes = if all_notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", sanitize(&all_notes.join("; ")))
            };
            written.push(ImportedTool {
                key: mapped.key.clone(),
                label: label(&entry.name, &entry.written),
                at: at.clone(),
                line: lines.len(),
                backend: vx_model::package_name::Name::has_prefix(&mapped.key),
            });
            lines.push(format!(
                "imported {key} {} from {}{notes}",
                mapped.constraint,
                sanitize(from)
            ));
        }
    }
    Ok(Tools {
        imported,
        unchecked,
        unreachable: !unreachable.is_empty(),
        written,
    })
}

/// The file a tool of `shown` keeps its version in, as `version_file` names it
/// (relative to vx.toml at `path`): one of the team's version files vx reads back
/// (`pins`; not aqua.yaml), inside the project.
fn version_file_of(path: &Path, pins: &[(String, PathBuf, Format)], shown: &str) -> Option<String> {
    let (_, file, format) = pins.iter().find(|(name, _, _)| name == shown)?;
    if *format == Format::Aqua {
        return None;
    }
    let dir = path.parent()?;
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let file = file.canonicalize().ok()?;
    let relative = file.strip_prefix(&dir).ok()?;
    let relative = relative.to_str()?.replace('\\', "/");
    (!relative.is_empty()).then_some(relative)
}

/// A tool entry found in the registries.
struct Mapped {
    /// Its `[tools]` key, as `vx add` writes it.
    key: String,
    /// Every name vx.toml could list it under (key, full and short name).
    names: [String; 3],
    /// `REGISTRY:FULL_NAME`: the same package from two files is one tool.
    qualified: String,
    /// Its constraint.
    constraint: String,
    /// What the import line says about how it was found.
    notes: Vec<String>,
    /// Written without its publisher's index (which could not be read): the lock
    /// is filled later.
    unchecked: bool,
    /// Kept as its own backend's package, the release binary the name is swapped for
    /// not had ([`import::names::unswapped`]): the entry's note of the swap is void.
    kept_backend: bool,
}

/// What a person's layer cannot hold (tasks, paths, env files, a virtual environment),
/// each said as skipped with where it belongs; returns how many.
fn not_personal(lists: &[(&str, Imported)], lines: &mut Vec<String>) -> usize {
    const WHY: &str = "vx.local.toml holds only [tools] and [env]; the team's settings and tasks belong in vx.toml";
    let mut skipped = 0;
    for (file, list) in lists {
        let at = |line: Option<usize>| match line {
            Some(line) => format!("{file}:{line}"),
            None => (*file).to_owned(),
        };
        for entry in &list.scripts {
            lines.push(format!(
                "skipped task {} from {}: {WHY}",
                sanitize(&validate::shorten(&entry.name)),
                entry.at(file)
            ));
            skipped += 1;
        }
        for (what, entries) in [
            ("path", &list.path),
            ("env file", &list.env_files),
            ("virtual environment", &list.python_venv),
        ] {
            for (written, _, line) in entries {
                lines.push(format!(
                    "skipped {what} {} from {}: {WHY}",
                    sanitize(written),
                    at(*line)
                ));
                skipped += 1;
            }
        }
    }
    skipped
}

/// The person's layer `text` (to be written at `path`) checked as the layer is read,
/// then merged over the project's vx.toml at `project`: the manifest to lock, or `None`
/// when the layer lists nothing yet.
fn layered(project: &Path, path: &Path, text: &str) -> Result<Option<Manifest>, ImportError> {
    let Some(layer) = local::parse(path, text.as_bytes())? else {
        return Ok(None);
    };
    let mut manifest = Manifest::load_shared(project)?;
    local::merge(&mut manifest, layer);
    Ok(Some(manifest))
}

/// The imported text checked by the strict parser before it is written: the manifest
/// to lock, or `None` when there is no tool to lock yet.
fn checked(path: &Path, text: &str) -> Result<Option<Manifest>, ImportError> {
    match Manifest::parse(path, text) {
        Ok(manifest) => Ok(Some(manifest)),
        Err(e) if e.problem() == Some(&Problem::NoTools) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `NAME VERSION` as a file wrote them (`NAME` alone without a version), sanitized.
fn label(name: &str, written: &str) -> String {
    // Shortened: a 1 MB name in a clone's `.tool-versions` is no 1 MB line.
    let (name, written) = (validate::shorten(name), validate::shorten(written));
    if written.is_empty() {
        sanitize(&name).into_owned()
    } else {
        format!("{} {}", sanitize(&name), sanitize(&written))
    }
}

/// Whether `[tools]` of `text` lists any of `names`.
fn lists_tool(text: &str, names: &[String]) -> bool {
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    doc.get("tools")
        .and_then(toml_edit::Item::as_table_like)
        .is_some_and(|tools| names.iter().any(|n| tools.contains_key(n)))
}

/// A runtime's name (`nodejs`, `python`) at a version its publisher has, picked as the
/// lock picks it (an older python-build-standalone release's `3.12.8` too), or why not
/// (a publisher that cannot be reached included: one name never stops the others). An
/// LTS line is written as `vx add` takes it (`lts`, `lts/iron`: the runtime's own
/// words). An exact version (`20.11.1`) is written even when the publisher cannot be
/// read (offline, a mirror down), with a note: the lock is filled later, by `vx lock`.
fn map_runtime(
    resolver: &Resolver<'_>,
    runtime: &dyn vx_sources::runtime::Runtime,
    entry: &import::Entry,
) -> Result<Mapped, Skip> {
    let constraint = runtime_constraint(entry)?;
    let mut notes = Vec::new();
    let mut unchecked = false;
    match resolver.pick_runtime(runtime, &constraint) {
        Ok(_) => {}
        Err(e) if e.without_network() && is_pin(&constraint) => {
            notes.push(format!(
                "not checked: {}'s publisher could not be read",
                runtime.name()
            ));
            unchecked = true;
        }
        Err(e) => return Err(Skip::from(e.to_string())),
    }
    let key = runtime.name().to_owned();
    Ok(Mapped {
        names: [key.clone(), key.clone(), key.clone()],
        qualified: format!("{}{key}", vx_engine::resolution::runtime::PACKAGE_PREFIX),
        key,
        constraint,
        notes,
        unchecked,
        kept_backend: false,
    })
}

/// The constraint a runtime entry is written with ([`import::version::runtime_constraint`]).
fn runtime_constraint(entry: &import::Entry) -> Result<String, Skip> {
    import::version::runtime_constraint(entry).map_err(|why| Skip::from(why.to_string()))
}

/// Whether `constraint` names one version exactly (`20.11.1`, `1.83.0`,
/// `26.2.5.6`): what a lock can be filled from later without a choice being made.
fn is_pin(constraint: &str) -> bool {
    let numeric = constraint.strip_prefix('v').unwrap_or(constraint);
    numeric.split('.').count() >= 3
        && numeric
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Why an entry was skipped.
struct Skip {
    /// The reason, as the skip line says it.
    why: String,
    /// Whether the network was at fault (nothing answered).
    unreachable: bool,
}

impl From<String> for Skip {
    fn from(why: String) -> Skip {
        Skip {
            why,
            unreachable: false,
        }
    }
}

impl From<vx_engine::resolution::ResolutionError> for Skip {
    fn from(e: vx_engine::resolution::ResolutionError) -> Skip {
        Skip {
            unreachable: matches!(e, vx_engine::resolution::ResolutionError::Unreachable(_)),
            why: e.to_string(),
        }
    }
}

/// A language registry's package (`npm:esbuild`, `pypi:ruff`) at the entry's
/// version, when vx can install it here (`vx_sources::backend`).
fn map_backend(resolver: &Resolver<'_>, name: &str, entry: &import::Entry) -> Result<Mapped, Skip> {
    let constraint = entry.version.as_ref().map_err(ToString::to_string)?;
    let backend = vx_model::package_name::Name::parse(name)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("`{name}` names no package"))?;
    let checked = resolver
        .language_registries()
        .check(
            &backend,
            constraint,
            &vx_model::manifest::Platform::current(),
        )
        .map_err(Skip::from)?;
    let notes = checked
        .own_runtime
        .map(|runtime| {
            format!(
                "it runs on {runtime}, which the project does not name: vx's own {runtime} ({runtime} = \"{}\") is locked with it",
                vx_engine::resolution::backend::own_constraint(runtime)
            )
        })
        .into_iter()
        .collect();
    let key = backend.to_string();
    Ok(Mapped {
        notes,
        names: [key.clone(), key.clone(), backend.short_name()],
        qualified: key.clone(),
        key,
        constraint: constraint.clone(),
        unchecked: false,
        kept_backend: false,
    })
}

/// `entry` found at a version its constraint has, or why not: a runtime's name
/// (`nodejs`, `python`: [`vx_sources::runtime`]) is vx's runtime; a plugin name the alias
/// table knows ([`vx_model::import::names::ALIASES`]) is looked up as that package first
/// (the name users mean, and no search of a registry that may not be at hand), then
/// by the registries' own rules. Any failure, a registry that cannot be fetched or
/// read offline included, is this entry's skip reason: one name never stops the
/// others.
fn map_entry(resolver: &Resolver<'_>, entry: &import::Entry) -> Result<Mapped, Skip> {
    let swapped = match map_found(resolver, entry) {
        Err(skip) => skip,
        found => return found,
    };
    // A language registry's entry swapped for a release binary that could not be had
    // keeps its own backend (`npm:@biomejs/biome`), never lost to the swap.
    let Some(import::names::Lookup::Backend(own)) = import::names::unswapped(&entry.name) else {
        return Err(swapped);
    };
    match map_backend(resolver, &own, entry) {
        Ok(mut mapped) => {
            let package = entry
                .lookup
                .as_ref()
                .map(|l| l.name().to_owned())
                .unwrap_or_default();
            mapped.notes.insert(
                0,
                format!(
                    "kept as {own}: the release binary of {package} is not to be had ({})",
                    swapped.why
                ),
            );
            mapped.kept_backend = true;
            Ok(mapped)
        }
        Err(again) => Err(Skip {
            unreachable: swapped.unreachable && again.unreachable,
            why: format!("{}; nor as {own}: {}", swapped.why, again.why),
        }),
    }
}

/// [`map_entry`] by the entry's own lookup.
fn map_found(resolver: &Resolver<'_>, entry: &import::Entry) -> Result<Mapped, Skip> {
    let lookup = entry.lookup.as_ref().map_err(ToString::to_string)?;
    if let import::names::Lookup::Backend(name) = lookup {
        return map_backend(resolver, name, entry);
    }
    if let import::names::Lookup::Plugin(name) = lookup
        && let Some(runtime) = resolver.catalogue().find(name).map_err(|e| e.to_string())?
    {
        return map_runtime(resolver, &*runtime, entry);
    }
    let constraint = entry.version.as_ref().map_err(ToString::to_string)?;
    let by_name = || resolver.lookup(lookup.name()).map_err(Skip::from);
    let found = match lookup.alias() {
        Some(alias) => match resolver.lookup(alias) {
            Ok(found) => found,
            // The same failure twice (a registry that cannot be reached) is said once.
            Err(e) => by_name().map_err(|again| {
                if again.why == e.to_string() {
                    again
                } else {
                    Skip::from(format!("{e}; nor {}", again.why))
                }
            })?,
        },
        None => by_name()?,
    };
    if let Some(reason) = &found.unsupported {
        return Err(Skip::from(format!(
            "{} cannot be installed by vx: {reason}",
            found.qualified_name()
        )));
    }
    resolver.pick(&found, constraint).map_err(Skip::from)?;
    let mut notes = Vec::new();
    if found.by == vx_sources::registry::names::MatchedBy::Command {
        notes.push(format!(
            "`{}` matched only a command of {}: check that it is the tool meant",
            lookup.name(),
            found.qualified_name()
        ));
    }
    let key = resolver.manifest_key(&vx_engine::resolution::Named::Package(Box::new(
        found.clone(),
    )));
    Ok(Mapped {
        notes,
        names: [
            key.clone(),
            found.full_name.clone(),
            found.short_name.clone(),
        ],
        key,
        qualified: found.qualified_name(),
        constraint: constraint.clone(),
        unchecked: false,
        kept_backend: false,
    })
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // An import that could not be made: the files' or vx.toml's fault (exit 2), or
    // the network's.
    ImportError => |e| match e {
        crate::import::ImportError::Resolution(e) => e.into(),
        e => Error::usage(e),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vx.toml `vx import` writes is the one the session's door finds from the
    /// working directory: a parent's, a new one in the directory, the named one, or
    /// one beside a mise project read in place.
    #[test]
    fn the_plan_writes_the_vx_toml_the_sessions_door_finds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let sub = root.join("app/sub");
        std::fs::create_dir_all(&sub).unwrap();
        // The file imported lies outside the tree searched.
        let nvmrc = tempfile::tempdir().unwrap();
        let file = nvmrc.path().join(".nvmrc");
        std::fs::write(&file, "20\n").unwrap();
        let into =
            |cwd: &Path, named: Option<&Path>| plan(cwd, Some(&file), None, named).unwrap().path;
        // No project up the tree: a new vx.toml in the working directory.
        assert_eq!(into(&sub, None), sub.join("vx.toml"));
        // A mise project read in place: its vx.toml beside its files.
        std::fs::write(root.join("app/mise.toml"), "[tools]\nnode = \"20\"\n").unwrap();
        assert_eq!(into(&sub, None), root.join("app/vx.toml"));
        // A parent's vx.toml.
        std::fs::write(root.join("vx.toml"), "[tools]\n").unwrap();
        assert_eq!(into(&sub, None), root.join("vx.toml"));
        // `--manifest`, as named.
        let named = root.join("other/vx.toml");
        assert_eq!(into(&sub, Some(&named)), named);
    }
}
