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

use std::path::{Path, PathBuf};

use vx_workspace::turbo::{self, Turbo};
use vx_workspace::{Graph, Workspace};

use crate::task::Task;

/// Most bytes of a package.json or turbo.json read to tell whether it makes a root.
const MAX_MARKER: u64 = 1 << 20;

/// The files that make a directory a monorepo's root, in the order they name it: a
/// turbo.json that extends no other (a package's own turbo.json does), a
/// pnpm-workspace.yaml, a package.json that lists `workspaces`.
pub const FILES: [&str; 4] = [
    "turbo.json",
    "turbo.jsonc",
    "pnpm-workspace.yaml",
    "package.json",
];

/// The file that makes `dir` a monorepo's root ([`FILES`]), if any.
pub fn root_file(dir: &Path) -> Option<PathBuf> {
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

/// The monorepo whose root is `dir`, its tasks made from its packages' scripts and
/// turbo.json; `None` when `dir` is no monorepo's root. A workspace or turbo.json that
/// cannot be read is the error, naming its file.
pub fn read(dir: &Path) -> Option<Result<Monorepo, vx_workspace::Error>> {
    root_file(dir)?;
    Some(read_root(dir))
}

fn read_root(dir: &Path) -> Result<Monorepo, vx_workspace::Error> {
    let workspace = vx_workspace::discover(dir)?;
    let graph = Graph::new(&workspace);
    let mut problems = Vec::new();
    let mut global_inputs: Vec<String> = GLOBAL_FILES.iter().map(|f| f.to_string()).collect();
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
        None => from_scripts(&workspace, &graph),
    };
    let locked = locked(&workspace, dir, &mut problems);
    let packages: std::collections::HashMap<&str, usize> = workspace
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    for task in &mut tasks {
        let package = task
            .name
            .rsplit_once('#')
            .and_then(|(p, _)| packages.get(p));
        if let Some(&package) = package {
            task.locked = locked[package].clone();
        }
    }
    Ok(Monorepo {
        tasks,
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
            let (spared, outputs): (Vec<String>, Vec<String>) = globs(&package.dir, &def.outputs)
                .into_iter()
                .partition(|g| g.starts_with('!'));
            task.outputs = outputs;
            // What the key hashes: turbo's inputs, for a task whose result is kept.
            if def.cache && !def.persistent && planned.command.is_some() {
                let spared: Vec<&str> = spared.iter().map(|g| &g[1..]).collect();
                task.sources = sources(&package.dir, def, &task.outputs, &spared);
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
fn sources(dir: &str, def: &turbo::Task, outputs: &[String], spared: &[&str]) -> Vec<String> {
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
        for rel in vx_base::glob::expand_braces(rel) {
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
/// the workspace packages it depends on; the root's named `//#NAME`.
fn from_scripts(ws: &Workspace, graph: &Graph) -> Vec<Task> {
    let mut tasks = Vec::new();
    for (i, package) in ws.packages.iter().enumerate() {
        for (script, command) in &package.scripts {
            let id = format!("{}#{script}", package.name);
            let mut task = package_task(&id, &package.dir, Some(command));
            if !package.is_root() {
                task.depends = graph
                    .dependencies(i)
                    .map(|d| &ws.packages[d])
                    .filter(|dep| !dep.is_root() && dep.scripts.contains_key(script))
                    .map(|dep| format!("{}#{script}", dep.name))
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
