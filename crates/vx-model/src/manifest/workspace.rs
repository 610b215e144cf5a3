//! A monorepo read where it stands (issue 77; docs/guide/monorepos.md): a directory
//! whose `turbo.json`, `pnpm-workspace.yaml` or package.json `workspaces` makes it a
//! workspace's root is a project, and each package's scripts are its tasks, named as
//! turbo names them (`web#build`; the root's `//#lint`). With a turbo.json, the tasks
//! and their order are turbo's plan ([`vx_workspace::turbo::plan`]): `dependsOn`,
//! `inputs` (vx's `sources`, whose key the results cache keeps), `outputs`, `cache`,
//! `persistent` (a service); without one, a package's script waits for the same
//! script of the workspace packages it depends on, as `pnpm -r run` orders them.
//!
//! Nothing is written into the repository; what cannot be mapped is a problem line the
//! command says once. Each task runs in its package's directory with the package's and
//! the workspace's `node_modules/.bin` first on `PATH`, as `pnpm run` gives them.
//!
//! A Cargo, uv or Go workspace's root with a vx.toml or mise file of its own, and
//! mise's monorepo root (`monorepo_root = true`, `[monorepo] config_roots`), are
//! monorepos too (`workspace/roots.rs`); every package's own vx.toml or mise file gives it
//! tasks of its own (`workspace/own.rs`), which win over its package.json scripts of the same
//! name.

mod overrides;
mod own;
pub mod pattern;
mod roots;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use vx_workspace::turbo::{self, Turbo};
use vx_workspace::{Ecosystem, Graph, Package, Workspace};

use super::ManifestError;
use crate::import::mise::monorepo_tables::TaskDefaults;
use crate::task::Task;

/// Why a monorepo cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Its workspace or turbo.json.
    #[error(transparent)]
    Workspace(#[from] vx_workspace::Error),
    /// A package's own vx.toml or mise file.
    #[error(transparent)]
    Package(#[from] Box<ManifestError>),
}

impl From<ManifestError> for ReadError {
    fn from(e: ManifestError) -> ReadError {
        ReadError::Package(Box::new(e))
    }
}

/// The name of `package`'s task `task`: turbo's `PKG#task` (the root's `//#task`), and
/// for a config root of mise's `[monorepo]`, mise's `//dir:task`.
pub fn task_id(package: &Package, task: &str) -> String {
    match package.ecosystem {
        Ecosystem::Mise if !package.is_root() => format!("{}:{task}", package.name),
        _ => format!("{}#{task}", package.name),
    }
}

/// The package's name and the task's in a package task's name ([`task_id`]);
/// `None` for a name that is no package's task.
pub fn split_id(id: &str) -> Option<(&str, &str)> {
    if let Some(rest) = id.strip_prefix("//")
        && !rest.starts_with('#')
    {
        let (dir, task) = rest.split_once(':')?;
        return Some((&id[..2 + dir.len()], task));
    }
    id.rsplit_once('#')
}

/// Most bytes of a package.json or turbo.json read to tell whether it makes a root.
const MAX_MARKER: u64 = 1 << 20;

/// The files that make a directory a monorepo's root, in the order they name it: a
/// turbo.json that extends no other (a package's own turbo.json does), a
/// pnpm-workspace.yaml, a package.json that lists `workspaces`.
pub(crate) const FILES: [&str; 4] = [
    "turbo.json",
    "turbo.jsonc",
    "pnpm-workspace.yaml",
    "package.json",
];

/// The file that makes `dir` a monorepo's root ([`FILES`]), if any.
pub(crate) fn root_file(dir: &Path) -> Option<PathBuf> {
    FILES.iter().map(|name| dir.join(name)).find(|file| {
        let marks = |text: &str| match file.file_name().and_then(|n| n.to_str()) {
            Some("pnpm-workspace.yaml") => true,
            Some("package.json") => text.contains("\"workspaces\""),
            _ => !text.contains("\"extends\""),
        };
        file.is_file()
            && vx_base::bounded_read::read_to_string(file, MAX_MARKER).is_ok_and(|t| marks(&t))
    })
}

/// Whether `path` is the file that makes its directory a monorepo's root.
pub(crate) fn is_root_file(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| FILES.contains(&name));
    named && path.parent().and_then(root_file).as_deref() == Some(path)
}

/// A monorepo's packages and their tasks.
#[derive(Clone, Debug)]
pub struct Monorepo {
    /// The packages' tasks, named `PACKAGE#SCRIPT`.
    pub tasks: Vec<Task>,
    /// The names (`PACKAGE#NAME`, `//dir:NAME`) of the tasks a package's own vx.toml or
    /// mise file declares: inside that package, `vx run NAME` is its own task even when
    /// the root's file defines `NAME` too (the nearest file's, as mise's config
    /// hierarchy and cargo's nearest package have it).
    pub own: HashSet<String>,
    /// Of [`Monorepo::own`], the tasks read from a package's mise file: a dependency of
    /// theirs that the run resolves to no task is said, as a mise project's is
    /// ([`super::in_place::InPlace::missing`]).
    pub in_place: HashSet<String>,
    /// What could not be mapped, a line each.
    pub problems: Vec<String>,
    /// The workspace as discovered: its packages (the root first, named `//`), for
    /// `--filter` and the package a path is in.
    pub workspace: Workspace,
    /// Its package graph.
    pub graph: Graph,
    /// The root's files a change of which may change every task (`--affected` selects
    /// them all): its package.json, turbo.json and workspace file, and turbo's
    /// `globalDependencies`; globs relative to the root.
    pub global_inputs: Vec<String>,
    /// Whether a task named plainly at the root (`vx run lint`) reaches the root's task
    /// too: in a turbo repository, where a root task exists only as turbo.json names it
    /// (`//#lint`) and `turbo run lint` runs it beside the packages'; never without
    /// turbo.json, where the root's scripts are `//#NAME` only (`pnpm -r run` leaves the
    /// root out, and a root `build` is most often the one that runs them all).
    pub root_in_scope: bool,
}

/// The root's files that count for every package, as turbo counts them
/// (`package.json`, `turbo.json`) with the workspace's own file.
const GLOBAL_FILES: [&str; 4] = [
    "package.json",
    "turbo.json",
    "turbo.jsonc",
    "pnpm-workspace.yaml",
];

/// The monorepo whose root is `dir` (the directory of the project `vx run` found),
/// its tasks made from its packages' scripts, turbo.json and the packages' own files;
/// `None` when `dir` is no monorepo's root: no Node workspace's marker ([`FILES`]),
/// no Cargo, uv or Go workspace, no mise monorepo root. A workspace, turbo.json or
/// package file that cannot be read is the error, naming its file.
pub fn read(dir: &Path) -> Option<Result<Monorepo, ReadError>> {
    let mise = roots::mise(dir);
    if !marked(dir, mise.is_some()) {
        return None;
    }
    Some(read_root(dir, root_file(dir).is_some(), mise))
}

/// Whether `dir` is a monorepo's root ([`read`] reads one there).
pub(crate) fn is_root(dir: &Path) -> bool {
    marked(dir, roots::mise(dir).is_some())
}

/// Whether `dir` is marked a monorepo's root: by a Node workspace's file, by mise's
/// monorepo root (`mise`, looked for by the caller) or as a Cargo, uv or Go
/// workspace's root.
fn marked(dir: &Path, mise: bool) -> bool {
    root_file(dir).is_some() || mise || roots::tool_workspace(dir)
}

/// Whether the directory `member` (relative to `root`, `/`-separated) is a package of
/// the monorepo whose root is `root` (a workspace that cannot be read has none).
pub(crate) fn has_member(root: &Path, member: &str) -> bool {
    let mise = roots::mise(root);
    if !marked(root, mise.is_some()) {
        return false;
    }
    workspace_of(root, mise)
        .is_ok_and(|(ws, _, _)| ws.packages.iter().any(|p| !p.is_root() && p.dir == member))
}

/// The workspace of the monorepo at `dir`: what its tools discover, and the config
/// roots of mise's `[monorepo]` (`mise`) as packages, with its `[monorepo.projects]`
/// overrides applied; what cannot be read of the latter, a line of the problems
/// returned; its `[monorepo.task_defaults]`, returned for the tasks.
fn workspace_of(
    dir: &Path,
    mise: Option<(PathBuf, crate::import::mise::monorepo::Root)>,
) -> Result<(Workspace, Vec<String>, Vec<TaskDefaults>), vx_workspace::Error> {
    let mut problems = Vec::new();
    let mut ws = match vx_workspace::discover(dir) {
        Ok(ws) => ws,
        // mise's monorepo root alone: no tool's workspace, its config roots only.
        Err(_) if mise.is_some() && !marked(dir, false) => Workspace::root_only(dir),
        Err(e) => return Err(e),
    };
    if let Some((file, root)) = mise {
        if !root.listed {
            problems.push(format!(
                "{}: a monorepo root without [monorepo] config_roots: mise's walk of the whole tree (which its docs deprecate) is not done, so no config root's tasks are read; list them",
                file.strip_prefix(dir).unwrap_or(&file).display()
            ));
        }
        for root in roots::config_roots(dir, &root.config_roots) {
            ws.add_config_root(&root);
        }
        let shown = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        for key in &root.tables.unmapped {
            problems.push(format!("{shown}: `{key}` is not read by vx"));
        }
        overrides::projects(&mut ws, &root.tables.projects, &mut problems);
        return Ok((ws, problems, root.tables.task_defaults));
    }
    Ok((ws, problems, Vec::new()))
}

fn read_root(
    dir: &Path,
    node: bool,
    mise: Option<(PathBuf, crate::import::mise::monorepo::Root)>,
) -> Result<Monorepo, ReadError> {
    let (workspace, mut problems, task_defaults) = workspace_of(dir, mise)?;
    let defaults: own::Defaults<'_> = (task_defaults.iter())
        .map(|d| (d.name.as_str(), d))
        .collect();
    let graph = Graph::new(&workspace);
    let declared = own::read(dir, &workspace, &defaults, &mut problems)?;
    let own_ids = own::ids(&declared, &workspace, false);
    let in_place = own::ids(&declared, &workspace, true);
    let mut global_inputs: Vec<String> = GLOBAL_FILES.iter().map(|f| f.to_string()).collect();
    if !node {
        // A Cargo, uv or Go workspace's (or mise's) root files count for every package.
        global_inputs.extend(workspace.files.iter().cloned());
        global_inputs.sort();
        global_inputs.dedup();
    }
    let turbo = turbo::load(&workspace)?;
    let root_in_scope = turbo.is_some();
    let mut tasks = match turbo {
        Some(turbo) => {
            global_inputs.extend(global_dependencies(&turbo));
            for key in turbo.unmapped() {
                problems.push(format!(
                    "turbo.json's `{}` is not mapped ({}): {}",
                    key.key,
                    key.why,
                    key.places.join(", ")
                ));
            }
            from_turbo(&workspace, &graph, &turbo, &mut problems)
        }
        None => from_scripts(&workspace, &graph, &own_ids),
    };
    // A package's own vx.toml or mise file wins over its package.json script (and
    // turbo's task) of the same name.
    tasks.retain(|t| !own_ids.contains(&t.name));
    let known: HashSet<String> = (tasks.iter().map(|t| t.name.clone()))
        .chain(own_ids.iter().cloned())
        .collect();
    let packages: std::collections::HashMap<&str, usize> = workspace
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    // `[monorepo.task_defaults]` for the packages' scripts (their own files' tasks
    // had theirs as they were read).
    if !defaults.is_empty() {
        for task in &mut tasks {
            let Some((package, name)) = split_id(&task.name) else {
                continue;
            };
            let (Some(&found), Some(&package)) = (defaults.get(name), packages.get(package)) else {
                continue;
            };
            own::fill_script(task, package, found, &workspace, &graph, &known);
        }
    }
    tasks.extend(own::named(declared, &workspace, &graph, &known));
    let locked = locked(&workspace, dir, &mut problems);
    for task in &mut tasks {
        let package = split_id(&task.name).and_then(|(p, _)| packages.get(p));
        if let Some(&package) = package {
            task.locked = locked[package].clone();
        }
    }
    Ok(Monorepo {
        tasks,
        own: own_ids,
        in_place,
        problems,
        workspace,
        graph,
        global_inputs,
        root_in_scope,
    })
}

/// turbo's `globalDependencies` as globs relative to the root (a `!glob` takes away),
/// their braces expanded as turbo reads them ([`globs`]).
fn global_dependencies(turbo: &Turbo) -> Vec<String> {
    globs("", &turbo.root().global_dependencies)
}

/// The lockfiles at a workspace's root that are read for each package's entries.
const LOCKFILES: [&str; 7] = [
    "pnpm-lock.yaml",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "bun.lock",
    "Cargo.lock",
    "uv.lock",
];

/// Most bytes of a lockfile read.
const MAX_LOCKFILE: u64 = 64 << 20;

/// For each package (by index), the entries the root's lockfiles resolve for it, each
/// prefixed with its lockfile's name, sorted: what its tasks' keys hold. A lockfile
/// that cannot tell each package's entries is a problem line, and every package of
/// its ecosystem holds the whole file's digest instead (a change then reaches them all,
/// never none).
fn locked(ws: &Workspace, root: &Path, problems: &mut Vec<String>) -> Vec<Vec<String>> {
    use sha2::Digest;
    use vx_workspace::lockfile;
    let mut out = vec![Vec::new(); ws.packages.len()];
    for name in LOCKFILES {
        let path = root.join(name);
        if !path.is_file() {
            continue;
        }
        let text = match vx_base::bounded_read::read_to_string(&path, MAX_LOCKFILE) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!(
                    "{name} cannot be read ({e}): its entries are not in the tasks' keys"
                ));
                continue;
            }
        };
        let Some(kind) = lockfile::Kind::of(name, &text) else {
            continue;
        };
        match lockfile::resolved(ws, kind, "", &text) {
            Ok(resolved) => {
                for (package, entries) in resolved {
                    out[package].extend(entries.iter().map(|e| format!("{name} {e}")));
                }
            }
            Err(why) => {
                let ecosystem = kind.ecosystem();
                problems.push(format!(
                    "{name}: each package's entries cannot be told apart ({why}); the key of every {} package's task holds the whole file",
                    ecosystem.as_str()
                ));
                let whole = format!("{name} sha256:{}", hex::encode(sha2::Sha256::digest(&text)));
                for (i, package) in ws.packages.iter().enumerate() {
                    if package.ecosystem == ecosystem {
                        out[i].push(whole.clone());
                    }
                }
            }
        }
    }
    out.iter_mut().for_each(|entries| entries.sort());
    out
}

/// The tasks of turbo's plan for every task name its files define, each name planned
/// alone so that one turbo refuses (a dependency on a persistent task) is a problem
/// line and the rest are tasks.
fn from_turbo(
    ws: &Workspace,
    graph: &Graph,
    turbo: &Turbo,
    problems: &mut Vec<String>,
) -> Vec<Task> {
    let everyone = vec![true; ws.packages.len()];
    // `globalDependencies`: files of the root every task's key holds.
    let global = global_dependencies(turbo);
    let global_env = &turbo.root().global_env;
    let mut tasks: Vec<Task> = Vec::new();
    for name in turbo.task_names() {
        let plan = match turbo::plan(ws, graph, turbo, &[name], &everyone) {
            Ok(plan) => plan,
            Err(e) => {
                problems.push(format!("turbo's `{name}` is not a task here: {e}"));
                continue;
            }
        };
        for planned in &plan.tasks {
            let id = planned.id.to_string();
            if tasks.iter().any(|t| t.name == id) {
                continue;
            }
            let package = &ws.packages[planned.package];
            let mut task = package_task(&id, &package.dir, planned.command.as_deref());
            task.depends = planned
                .depends
                .iter()
                .map(|&i| plan.tasks[i].id.to_string())
                .collect();
            let def = &planned.task;
            task.service = def.persistent;
            // turbo's `env` and `globalEnv`: their values in the key, hashed.
            task.hashed_env = def.env.iter().chain(global_env).cloned().collect();
            task.cache = def.cache;
            // A `!glob` stays among them: it takes its files out of the result
            // (`.next/**` but `!.next/cache/**`), as turbo reads it.
            task.outputs = globs(&package.dir, &def.outputs);
            // What the key hashes: turbo's inputs, for a task whose result is kept.
            if def.cache && !def.persistent && planned.command.is_some() {
                let (spared, roots): (Vec<&String>, Vec<&String>) =
                    task.outputs.iter().partition(|g| g.starts_with('!'));
                let spared: Vec<&str> = spared.iter().map(|g| &g[1..]).collect();
                task.sources = sources(&package.dir, def, &roots, &spared);
                task.sources.extend(global.iter().cloned());
                // The package's files as turbo's default inputs: those git ignores are
                // no input (turbo hashes what git tracks or would track).
                if def.default_inputs {
                    task.tracked_sources = vec![join(&package.dir, "**")];
                }
            }
            tasks.push(task);
        }
    }
    tasks
}

/// A package's (or the root's) task running `command` in its directory.
fn package_task(id: &str, dir: &str, command: Option<&str>) -> Task {
    let mut task = Task::named(id);
    task.dir = (!dir.is_empty()).then(|| dir.to_owned());
    match command {
        Some(command) => task.run = vec![command.to_owned()],
        // turbo's `<NONEXISTENT>`: a node the order goes through, not listed.
        None => task.hide = true,
    }
    let mut bins = Vec::new();
    if !dir.is_empty() {
        bins.push(format!("{dir}/node_modules/.bin"));
    }
    bins.push("node_modules/.bin".to_owned());
    task.path_first = bins;
    task
}

/// A task's `sources` as turbo hashes its inputs: the listed globs (a `!glob` takes
/// away), and without any (or with `$TURBO_DEFAULT$`) every file of the package but its
/// dependencies, turbo's own directory, the task's outputs and what git ignores (the
/// task's `tracked_sources`, set by the caller); the package's
/// package.json and turbo.json always. `spared` are the outputs' `!globs`: an output
/// they narrow from a wildcard at the package's top (medusa's `*/**` but `!src/**`)
/// is not taken away, or the package's sources would go with it.
fn sources(dir: &str, def: &turbo::Task, outputs: &[&String], spared: &[&str]) -> Vec<String> {
    let mut out = globs(dir, &def.inputs);
    if def.default_inputs {
        out.push(join(dir, "**"));
        out.push(format!("!{}", join(dir, "node_modules")));
        out.push(format!("!{}", join(dir, ".turbo")));
        out.extend(
            outputs
                .iter()
                .filter(|o| !takes_sources(dir, o, spared))
                .map(|o| format!("!{o}")),
        );
    }
    for file in ["package.json", "turbo.json"] {
        let path = join(dir, file);
        if !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// turbo's globs of the package in `dir` relative to the root, a `!glob` kept so, and
/// each glob's braces expanded as turbo reads them (`*.{ts,tsx}` is two globs); a glob
/// climbing out of the root is left out.
fn globs(dir: &str, written: &[turbo::Glob]) -> Vec<String> {
    let mut out = Vec::new();
    for glob in written {
        let written = glob.relative_to(dir);
        let (bang, rel) = match written.strip_prefix('!') {
            Some(rel) => ("!", rel),
            None => ("", written.as_str()),
        };
        // turbo.json's reader refused a glob that cannot be read.
        let expanded = vx_base::glob::expand_braces(rel).unwrap_or_else(|_| vec![rel.to_owned()]);
        for rel in expanded {
            if let Some(path) = under(dir, &rel) {
                out.push(format!("{bang}{path}"));
            }
        }
    }
    out
}

/// Whether the output glob `output` (relative to the root) begins with a wildcard at
/// the top of the package in `dir` and one of its `!globs` (`spared`) narrows it:
/// then it stands for "everything but" those, the package's sources among what it
/// matches, and taking it away from the sources would take them too.
fn takes_sources(dir: &str, output: &str, spared: &[&str]) -> bool {
    let rel = match dir {
        "" => output,
        dir => output
            .strip_prefix(dir)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(output),
    };
    let top = rel.split('/').next().unwrap_or_default();
    vx_base::glob::is_glob(top) && spared.iter().any(|s| vx_base::glob::may_overlap(output, s))
}

/// Without a turbo.json: each package's scripts, each waiting for the same script of
/// the workspace packages it depends on (or the task of that name their own files
/// declare: `own`, by name); the root's named `//#NAME`.
fn from_scripts(ws: &Workspace, graph: &Graph, own: &HashSet<String>) -> Vec<Task> {
    let mut tasks = Vec::new();
    for (i, package) in ws.packages.iter().enumerate() {
        for (script, command) in &package.scripts {
            let id = task_id(package, script);
            let mut task = package_task(&id, &package.dir, Some(command));
            if !package.is_root() {
                task.depends = graph
                    .dependencies(i)
                    .map(|d| &ws.packages[d])
                    .filter(|dep| !dep.is_root())
                    .map(|dep| task_id(dep, script))
                    .filter(|dep| {
                        own.contains(dep)
                            || split_id(dep).is_some_and(|(p, _)| {
                                ws.package(p)
                                    .is_some_and(|p| p.scripts.contains_key(script))
                            })
                    })
                    .collect();
                task.depends.sort();
                task.depends.dedup();
            }
            tasks.push(task);
        }
    }
    tasks
}

/// `rel` (relative to the package directory `dir`, `..` allowed) as a path relative
/// to the root; `None` when it climbs out of the root.
fn under(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

fn join(dir: &str, rel: &str) -> String {
    match dir {
        "" => rel.to_owned(),
        dir => format!("{dir}/{rel}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_tasks_name_is_turbos_or_for_a_mise_config_root_mises_and_splits_back() {
        let mut ws = Workspace::root_only(Path::new("/repo"));
        ws.add_config_root("packages/a");
        assert_eq!(task_id(&ws.packages[0], "lint"), "//#lint");
        assert_eq!(task_id(&ws.packages[1], "build"), "//packages/a:build");
        assert_eq!(
            split_id("//packages/a:test:unit"),
            Some(("//packages/a", "test:unit"))
        );
        assert_eq!(split_id("//#lint"), Some(("//", "lint")));
        assert_eq!(split_id("@acme/ui#build"), Some(("@acme/ui", "build")));
        assert_eq!(split_id("build"), None);
    }

    #[test]
    fn a_package_glob_is_made_relative_to_the_root_and_never_climbs_out() {
        assert_eq!(
            under("apps/web", "src/**").as_deref(),
            Some("apps/web/src/**")
        );
        assert_eq!(
            under("apps/web", "../../jest.config.js").as_deref(),
            Some("jest.config.js")
        );
        assert_eq!(under("", "dist/**").as_deref(), Some("dist/**"));
        assert_eq!(under("apps/web", "../../../etc/passwd"), None);
    }

    #[test]
    fn an_output_of_everything_but_the_sources_does_not_take_them_away() {
        // medusa: outputs ["!node_modules/**", "!src/**", "*/**"].
        let spared = ["pkg/node_modules/**", "pkg/src/**"];
        assert!(takes_sources("pkg", "pkg/*/**", &spared));
        // next.js: outputs [".next/**", "!.next/cache/**"]: .next is no source.
        assert!(!takes_sources(
            "pkg",
            "pkg/.next/**",
            &["pkg/.next/cache/**"]
        ));
        assert!(!takes_sources("pkg", "pkg/*/**", &[]));
        assert!(takes_sources("", "*/**", &["src/**"]));
    }
}
