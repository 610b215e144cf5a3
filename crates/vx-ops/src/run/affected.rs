//! `vx run --affected` (issue 77; docs/guide/monorepos.md, "Affected"): of the tasks a
//! run plans, those a change since a base can affect, never fewer.
//!
//! The base: `--affected=REF`, else `VX_AFFECTED_BASE`, else on GitHub Actions the
//! pull request's base branch or a push's `before` commit, else the default branch;
//! each taken as its merge base with HEAD. A shallow clone that lacks it is fetched
//! deeper once; still missing, the error names the command that fixes it (never
//! "everything", never "nothing"). The changes: what `git diff` finds since the base,
//! committed or not, and the untracked files.
//!
//! The selection is by task ([`judge`]): a changed file selects the tasks whose
//! inputs match it ([`Task::inputs`], the globs the key hashes, read by the one glob
//! reading); a change to a global input (the root's package.json, turbo.json,
//! workspace file, `globalDependencies`; a plain project's vx.toml and vx.lock)
//! selects every task; a lockfile change selects the tasks of the packages whose
//! resolved dependencies changed (every package of that ecosystem when it cannot
//! tell); a task without inputs is selected (nothing says it is not affected); every
//! task that waits for a selected one is selected too; and, as turbo counts a changed
//! package's dependents, every task of a package that depends on a package with a
//! change (what it imports changed, whatever its inputs say), walked as `--filter`
//! walks them: a package the root package.json depends on is every package's
//! dependency ([`Walk`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use vx_model::manifest::workspace::Monorepo;
use vx_model::task::Task;
use vx_model::task::graph::Plan;
use vx_workspace::discover::Owners;
use vx_workspace::{Walk, lockfile};

use super::git::{DEEPEN, Git};

/// Most bytes of a lockfile or GitHub event file read.
const MAX_FILE: u64 = 64 << 20;

/// The commit a change is measured from, and how it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    /// The commit (the merge base of what was asked and HEAD).
    pub commit: String,
    /// What was asked, said as the user knows it (`origin/main, the default branch`).
    pub named: String,
}

/// Why a task is selected: a closed set (the `reason` of `--dry-run --json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Files its inputs match changed.
    FileChanged(Vec<String>),
    /// What a lockfile resolves for its package changed (or the lockfile cannot tell
    /// which package's did: `why`).
    LockfileEntryChanged {
        /// The lockfiles.
        files: Vec<String>,
        /// Why it cannot tell which packages changed, when it cannot.
        why: Option<String>,
    },
    /// A global input changed.
    GlobalInput(Vec<String>),
    /// It waits for a selected task.
    DependsOnAffected(String),
    /// Its package depends (directly or not) on a workspace package with a change
    /// (turbo's changed package's dependents: what it imports changed, whatever its
    /// inputs say): the changed files.
    DependencyChanged(Vec<String>),
    /// It declares no inputs: nothing says that it is not affected.
    NoInputs,
}

impl Reason {
    /// Its name in the closed set.
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::FileChanged(_) => "file-changed",
            Reason::LockfileEntryChanged { .. } => "lockfile-entry-changed",
            Reason::GlobalInput(_) => "global-input",
            Reason::DependsOnAffected(_) => "depends-on-affected",
            Reason::DependencyChanged(_) => "dependency-changed",
            Reason::NoInputs => "no-inputs",
        }
    }

    /// The files behind it.
    pub fn files(&self) -> &[String] {
        match self {
            Reason::FileChanged(files)
            | Reason::GlobalInput(files)
            | Reason::DependencyChanged(files)
            | Reason::LockfileEntryChanged { files, .. } => files,
            Reason::DependsOnAffected(_) | Reason::NoInputs => &[],
        }
    }
}

/// What `--affected` found: the base, and each selected task (by index in the task
/// list) with its reason.
#[derive(Clone, Debug)]
pub(crate) struct Selection {
    /// The base.
    pub base: Base,
    /// The selected tasks and why.
    pub reasons: BTreeMap<usize, Reason>,
}

/// Why `--affected` cannot answer (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum AffectedError {
    /// No git work tree.
    #[error("--affected compares with git, and {} is not in a git work tree", .0.display())]
    NotARepository(PathBuf),
    /// Nothing names a base.
    #[error(
        "--affected cannot tell what to compare with: no --affected=REF, no VX_AFFECTED_BASE, \
         no GitHub pull request or push event, and no default branch (origin/HEAD, origin/main, \
         origin/master, main, master); pass --affected=REF"
    )]
    NoBase,
    /// A shallow clone lacks the base, even fetched deeper.
    #[error(
        "the base of --affected, {named}, is not in this shallow clone, even after \
         `git fetch --deepen={DEEPEN} origin`; run `{fix}` (on GitHub Actions: \
         actions/checkout with `fetch-depth: 0`) and try again"
    )]
    Shallow {
        /// The base as asked.
        named: String,
        /// The command that fetches it.
        fix: String,
    },
    /// The base names no commit here.
    #[error(
        "the base of --affected, {0}, is no commit of this repository (or shares no history with HEAD)"
    )]
    Missing(String),
    /// git failed.
    #[error("--affected: {0}")]
    Git(String),
}

/// Where the base comes from, before git names its commit.
struct Asked {
    rev: String,
    named: String,
    /// The branch of origin's it is, which a shallow single-branch clone may lack.
    branch: Option<String>,
}

/// The tasks of `plan` (over `tasks`, in `project`) affected since the base: asked by
/// `flag` (`--affected=REF`; empty: found as the module says), the environment read
/// through `env`. `global` are the plain project's own global inputs.
pub(crate) fn select(
    project: &Path,
    tasks: &[Task],
    plan: &Plan,
    monorepo: Option<&Monorepo>,
    global: &[String],
    flag: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Selection, AffectedError> {
    let git = Git::new(project);
    if !git.is_repository() {
        return Err(AffectedError::NotARepository(project.to_owned()));
    }
    let asked = asked(&git, flag, env)?;
    let base = resolve(&git, asked)?;
    let files = git
        .changed_since(&base.commit)
        .map_err(AffectedError::Git)?;
    let mut global = global.to_vec();
    if let Some(monorepo) = monorepo {
        global.extend(monorepo.global_inputs.iter().cloned());
    }
    let before = |path: &str| git.show(&base.commit, path);
    let now =
        |path: &str| vx_base::bounded_read::read_to_string(&project.join(path), MAX_FILE).ok();
    let changes = Changes {
        files: &files,
        before: &before,
        now: &now,
    };
    let reasons = judge(tasks, plan, monorepo, &global, &changes);
    Ok(Selection { base, reasons })
}

/// The base as asked: the flag, the environment, GitHub's event, the default branch.
fn asked(
    git: &Git,
    flag: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Asked, AffectedError> {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if !flag.is_empty() {
        return Ok(Asked {
            rev: flag.to_owned(),
            named: format!("`{flag}` (--affected={flag})"),
            branch: None,
        });
    }
    if let Some(rev) = set("VX_AFFECTED_BASE") {
        return Ok(Asked {
            named: format!("`{rev}` (VX_AFFECTED_BASE)"),
            rev,
            branch: None,
        });
    }
    if set("GITHUB_ACTIONS").as_deref() == Some("true") {
        if let Some(branch) = set("GITHUB_BASE_REF") {
            return Ok(Asked {
                rev: format!("origin/{branch}"),
                named: format!("`origin/{branch}` (the pull request's base)"),
                branch: Some(branch),
            });
        }
        if set("GITHUB_EVENT_NAME").as_deref() == Some("push")
            && let Some(before) = set("GITHUB_EVENT_PATH").and_then(|p| push_before(Path::new(&p)))
        {
            return Ok(Asked {
                named: format!("`{}` (the push's `before`)", &before[..12]),
                rev: before,
                branch: None,
            });
        }
    }
    let default = git.origin_head().into_iter().chain(
        ["origin/main", "origin/master", "main", "master"]
            .iter()
            .map(|b| b.to_string()),
    );
    for name in default {
        if git.commit(&name).is_some() {
            return Ok(Asked {
                named: format!("`{name}` (the default branch)"),
                branch: name.strip_prefix("origin/").map(str::to_owned),
                rev: name,
            });
        }
    }
    Err(AffectedError::NoBase)
}

/// The `before` commit of the push event GitHub wrote at `path`; none for a new
/// branch (all zeros) or a file that says no commit.
fn push_before(path: &Path) -> Option<String> {
    let text = vx_base::bounded_read::read_to_string(path, MAX_FILE).ok()?;
    let event: serde_json::Value = serde_json::from_str(&text).ok()?;
    let before = event.get("before")?.as_str()?;
    let hex = before.len() >= 40 && before.chars().all(|c| c.is_ascii_hexdigit());
    (hex && before.chars().any(|c| c != '0')).then(|| before.to_owned())
}

/// The merge base of what was asked and HEAD, fetching a shallow clone deeper once.
fn resolve(git: &Git, asked: Asked) -> Result<Base, AffectedError> {
    let find = || {
        let commit = git.commit(&asked.rev)?;
        git.merge_base(&commit, "HEAD")
    };
    if let Some(commit) = find() {
        return Ok(Base {
            commit,
            named: asked.named,
        });
    }
    if !git.is_shallow() {
        return Err(AffectedError::Missing(asked.named));
    }
    let fix = match &asked.branch {
        Some(branch) => {
            format!(
                "git fetch --unshallow origin +refs/heads/{branch}:refs/remotes/origin/{branch}"
            )
        }
        None => "git fetch --unshallow origin".to_owned(),
    };
    let shallow = || AffectedError::Shallow {
        named: asked.named.clone(),
        fix: fix.clone(),
    };
    git.deepen(asked.branch.as_deref()).map_err(|_| shallow())?;
    match find() {
        Some(commit) => Ok(Base {
            commit,
            named: asked.named.clone(),
        }),
        None => Err(shallow()),
    }
}

/// The changed files and how to read a file as the base had it and as it is now.
pub(crate) struct Changes<'a> {
    /// The changed files, relative to the project.
    pub files: &'a [String],
    /// A file's text at the base.
    pub before: &'a dyn Fn(&str) -> Option<String>,
    /// A file's text now.
    pub now: &'a dyn Fn(&str) -> Option<String>,
}

/// The tasks of `plan` that `changes` select, each with its reason (see the module's
/// doc); `global` are the globs of the global inputs.
pub(crate) fn judge(
    tasks: &[Task],
    plan: &Plan,
    monorepo: Option<&Monorepo>,
    global: &[String],
    changes: &Changes<'_>,
) -> BTreeMap<usize, Reason> {
    let files = changes.files;
    let globals: Vec<String> = files
        .iter()
        .filter(|f| vx_base::glob::matches_all(global, Path::new(f)))
        .cloned()
        .collect();
    let locked = monorepo
        .map(|m| lockfile_changes(m, changes))
        .unwrap_or_default();
    let packages: HashMap<&str, usize> = monorepo
        .map(|m| {
            let ws = &m.workspace;
            ws.packages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let package_of = |task: &Task| {
        let (package, _) = vx_model::manifest::workspace::split_id(&task.name)?;
        packages.get(package).copied()
    };
    let owners = monorepo.map(|m| m.workspace.owners());
    let dependents = match (monorepo, &owners) {
        (Some(monorepo), Some(owners)) => changed_dependents(monorepo, owners, files, &locked),
        _ => BTreeMap::new(),
    };
    let mut reasons: BTreeMap<usize, Reason> = BTreeMap::new();
    for node in &plan.nodes {
        let task = &tasks[node.task];
        let package = package_of(task);
        let inputs = task.inputs();
        // A task that runs nothing is selected through what it waits for, but a
        // package's (turbo's `<NONEXISTENT>` node of a package without the script)
        // counts its package's files, as turbo counts the package changed: what it
        // waits for then runs.
        let reason = if task.depends_only() && package.is_none() {
            None
        } else if !globals.is_empty() {
            Some(Reason::GlobalInput(globals.clone()))
        } else if !inputs.is_empty() {
            let hits: Vec<String> = files
                .iter()
                .filter(|f| vx_base::glob::matches_all(&inputs, Path::new(f)))
                .cloned()
                .collect();
            (!hits.is_empty()).then_some(Reason::FileChanged(hits))
        } else if let (Some(package), Some(owners)) = (package, &owners) {
            // A package's task without inputs of its own (a service, `cache: false`):
            // its package's files, as turbo has a changed package.
            let hits: Vec<String> = files
                .iter()
                .filter(|f| owners.all_of(f).contains(&package))
                .cloned()
                .collect();
            (!hits.is_empty()).then_some(Reason::FileChanged(hits))
        } else if task.depends_only() {
            None
        } else {
            // Nothing says it is not affected, once anything changed.
            (!files.is_empty()).then_some(Reason::NoInputs)
        };
        let reason = reason
            .or_else(|| package.and_then(|p| locked.get(&p).cloned()))
            .or_else(|| {
                node.after
                    .iter()
                    .map(|&a| plan.nodes[a].task)
                    .find(|t| reasons.contains_key(t))
                    .map(|t| Reason::DependsOnAffected(tasks[t].name.clone()))
            })
            .or_else(|| {
                package
                    .and_then(|p| dependents.get(&p))
                    .map(|files| Reason::DependencyChanged(files.clone()))
            });
        if let Some(reason) = reason {
            reasons.insert(node.task, reason);
        }
    }
    reasons
}

/// Each package that depends, directly or not, on a package with a changed file or
/// lockfile entry (`locked`), with those files: turbo's changed packages' dependents,
/// walked as `--filter` walks them ([`Walk`]): a package the root package.json depends
/// on is every package's dependency, so a change to it reaches every package (the
/// root's tasks too).
fn changed_dependents(
    monorepo: &Monorepo,
    owners: &Owners<'_>,
    files: &[String],
    locked: &BTreeMap<usize, Reason>,
) -> BTreeMap<usize, Vec<String>> {
    let mut changed: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for file in files {
        for &owner in owners.all_of(file) {
            changed.entry(owner).or_default().push(file.clone());
        }
    }
    for (&package, reason) in locked {
        changed
            .entry(package)
            .or_default()
            .extend(reason.files().iter().cloned());
    }
    let walk = Walk::new(&monorepo.workspace, &monorepo.graph);
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (&package, files) in &changed {
        let reached = walk.dependents(&[package]);
        for (dependent, _) in reached.iter().enumerate().filter(|(_, r)| **r) {
            out.entry(dependent)
                .or_default()
                .extend(files.iter().cloned());
        }
    }
    out.values_mut().for_each(|f| {
        f.sort();
        f.dedup();
    });
    out
}

/// For each package whose resolved dependencies a changed lockfile changed, that
/// reason; every package of an ecosystem whose lockfile cannot tell.
fn lockfile_changes(monorepo: &Monorepo, changes: &Changes<'_>) -> BTreeMap<usize, Reason> {
    let ws = &monorepo.workspace;
    let mut out: BTreeMap<usize, Reason> = BTreeMap::new();
    for file in changes.files {
        let (dir, name) = file.rsplit_once('/').unwrap_or(("", file));
        let before = (changes.before)(file);
        let now = (changes.now)(file);
        let text = now.as_deref().or(before.as_deref()).unwrap_or("");
        let Some(kind) = lockfile::Kind::of(name, text) else {
            continue;
        };
        let (packages, why) =
            match lockfile::affected(ws, kind, dir, before.as_deref(), now.as_deref()) {
                lockfile::Affected::Packages(packages) => (packages, None),
                lockfile::Affected::Ecosystem { ecosystem, why } => (
                    (0..ws.packages.len())
                        .filter(|&i| ws.packages[i].ecosystem == ecosystem)
                        .collect(),
                    Some(vx_text::sanitize(&why).into_owned()),
                ),
            };
        for package in packages {
            let entry = out
                .entry(package)
                .or_insert_with(|| Reason::LockfileEntryChanged {
                    files: Vec::new(),
                    why: why.clone(),
                });
            if let Reason::LockfileEntryChanged { files, .. } = entry {
                files.push(file.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rootdeps workspace pnpm and turbo made (crates/vx-workspace/tests/data):
    /// the root package.json depends on `@kit/config`, which depends on `@kit/base`.
    fn rootdeps() -> Monorepo {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vx-workspace/tests/data/rootdeps");
        vx_model::manifest::workspace::read(&dir)
            .expect("a monorepo")
            .expect("readable")
    }

    /// The names of the packages `changed_dependents` reaches from `files`.
    fn reached(monorepo: &Monorepo, files: &[&str]) -> Vec<String> {
        let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        let owners = monorepo.workspace.owners();
        let out = changed_dependents(monorepo, &owners, &files, &BTreeMap::new());
        let mut names: Vec<String> = out
            .keys()
            .map(|&i| monorepo.workspace.packages[i].name.clone())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_change_to_a_package_the_root_depends_on_reaches_every_other_package() {
        let monorepo = rootdeps();
        let n = monorepo.workspace.packages.len();
        let reached = reached(&monorepo, &["packages/base/index.js"]);
        // Every package but @kit/base itself, the root included.
        assert_eq!(reached.len(), n - 1, "{reached:?}");
        assert!(!reached.contains(&"@kit/base".to_owned()), "{reached:?}");
        assert!(reached.contains(&"app".to_owned()), "{reached:?}");
    }

    #[test]
    fn a_change_to_another_package_reaches_its_dependents_only() {
        let monorepo = rootdeps();
        assert_eq!(reached(&monorepo, &["apps/other/index.js"]), ["site"]);
    }
}
