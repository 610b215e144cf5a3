//! A package's own tasks (issue 77, item 2): the `[tasks]` (and `.vx/tasks` file
//! tasks) of a vx.toml in the package's directory, else the tasks of its mise files
//! read in place, each made the package's task `PKG#NAME` (a config root of mise's
//! `[monorepo]`: `//dir:NAME`).
//!
//! The files are read by the parsers vx already has ([`Manifest::load`], which
//! reads a mise file through [`super::super::in_place`]); nothing is written. What
//! the package's file says keeps its meaning relative to the package's directory:
//! each task runs there (its `dir` below it), its `sources`, `outputs` and file are
//! made relative to the monorepo's root (so its key, and the result kept under it,
//! is the package's), its `[env]` and `{project}` are the package's, its `[settings]
//! path` goes first on its `PATH`. In `depends`, a plain name is a task of the same
//! package, `^NAME` that task of the workspace packages it depends on (turbo's and
//! mise's spelling; through a package without it, to the ones below), and
//! `PKG#NAME` or `//dir:NAME` another package's.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use vx_workspace::{Ecosystem, Graph, Package, Workspace};

use super::super::{MANIFEST_FILE, Manifest, ManifestError, task_files};
use crate::import::mise::monorepo_tables::TaskDefaults;
use crate::task::{EnvVar, Task};

/// The mise project file of `dir` ([`super::super::in_place::project_file`]) when it is
/// one of mise's own config files (not a `.nvmrc` or `.tool-versions`, which hold no
/// tasks).
pub(super) fn mise_file(dir: &Path) -> Option<PathBuf> {
    let (file, _) = super::super::in_place::project_file(dir)?;
    let name = file.file_name()?.to_str()?;
    crate::import::mise::layout::names_tasks(name).then_some(file)
}

/// `[monorepo.task_defaults]` by task name.
pub(super) type Defaults<'a> = HashMap<&'a str, &'a TaskDefaults>;

/// The package script task `task` of `package` (named `PKG#NAME`, running in the
/// package's directory) with what `defaults` gives where it says nothing: globs and
/// `dir` read relative to the package's directory, `depends` as the package's own
/// file would write them, added to the order its package's graph gives it.
pub(super) fn fill_script(
    task: &mut Task,
    package: usize,
    defaults: &TaskDefaults,
    ws: &Workspace,
    graph: &Graph,
    known: &HashSet<String>,
) {
    let dir = ws.packages[package].dir.as_str();
    let mut relative = TaskDefaults {
        sources: (defaults.sources.iter())
            .filter_map(|g| glob_in(dir, g))
            .collect(),
        outputs: (defaults.outputs.iter())
            .filter_map(|g| glob_in(dir, g))
            .collect(),
        dir: (defaults.dir.as_deref()).and_then(|d| super::under(dir, d)),
        depends: Vec::new(),
        ..defaults.clone()
    };
    if relative.dir.is_some() {
        task.dir = None;
    }
    relative.name = task.name.clone();
    super::overrides::fill(task, &relative);
    if task.dir.is_none() {
        task.dir = (!dir.is_empty()).then(|| dir.to_owned());
    }
    for written in &defaults.depends {
        for id in dependency(written, package, ws, graph, known) {
            if id != task.name && !task.depends.contains(&id) {
                task.depends.push(id);
            }
        }
    }
}

/// The tasks one package declares in its own file, named as that file names them.
pub(super) struct Declared {
    /// The package (an index of the workspace's packages).
    pub package: usize,
    /// Its tasks as the file has them, made to run in the package's directory.
    pub tasks: Vec<Task>,
    /// Whether the file is a mise file read in place (not a vx.toml).
    pub in_place: bool,
}

/// What a package's own file (and those of the config roots above it) gives each of
/// its tasks, under the task's own: mise's "Layering Rules" (the monorepo root's
/// `[env]` and `[tools]`, then the config root's, then the task's).
#[derive(Clone, Default)]
struct Layer {
    /// `[env]`, the nearer file's last (a later entry wins).
    vars: Vec<EnvVar>,
    /// `[tools]` by name (`name`, `version`), the nearer file's version.
    tools: Vec<(String, String)>,
}

impl Layer {
    /// This layer with `manifest`'s `[env]` and `[tools]` over it; a tool it cannot
    /// give a task (one with a URL of its own, a vx.toml's) is left out and named.
    fn over(&self, manifest: &Manifest, left_out: &mut Vec<String>) -> Layer {
        let mut layer = self.clone();
        layer.vars.extend(manifest.environment.vars.iter().cloned());
        for tool in &manifest.tools {
            if tool.url.is_some() {
                left_out.push(tool.name.clone());
                continue;
            }
            layer.tools.retain(|(name, _)| *name != tool.name);
            layer.tools.push((tool.name.clone(), tool.version.clone()));
        }
        layer
    }
}

/// The layer of the nearest directory above `dir` (`/`-separated) in `layers`, or
/// none: the monorepo root's own `[env]` and `[tools]` are the run's, not a layer.
fn above<'a>(layers: &'a HashMap<String, Layer>, dir: &str) -> Option<&'a Layer> {
    let mut at = dir;
    while let Some((up, _)) = at.rsplit_once('/') {
        if let Some(layer) = layers.get(up) {
            return Some(layer);
        }
        at = up;
    }
    None
}

/// Every package's own tasks (a directory that is two packages, an npm package and a
/// crate, gives them to the first). A package file that does not parse is the error,
/// naming it; what cannot be mapped is a line of `problems`. Each task gets its
/// package's `[env]` and `[tools]`, and those of the packages' files in the
/// directories above it, the nearer over the farther, its own over them all.
pub(super) fn read(
    root: &Path,
    ws: &Workspace,
    defaults: &Defaults<'_>,
    problems: &mut Vec<String>,
) -> Result<Vec<Declared>, ManifestError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut layers: HashMap<String, Layer> = HashMap::new();
    // A directory before those below it, so each finds its layer above.
    let mut order: Vec<usize> = (0..ws.packages.len()).collect();
    order.sort_by_key(|&i| ws.packages[i].dir.matches('/').count());
    for i in order {
        let package = &ws.packages[i];
        if package.is_root() || !seen.insert(package.dir.as_str()) {
            continue;
        }
        let dir = root.join(&package.dir);
        let vx_toml = dir.join(MANIFEST_FILE);
        let mise = mise_file(&dir);
        // Another user's file (or one a link takes out of the repository) is not the
        // project's: its tasks would run as this user's.
        let judged = [vx_toml.clone()]
            .into_iter()
            .chain(mise.clone())
            .find(|file| file.exists());
        if let Some(Err(refused)) = judged.map(|file| vx_base::ownership::check(root, &file)) {
            problems.push(format!(
                "{}: {refused}: its tasks are not read",
                package.dir
            ));
            continue;
        }
        let (file, manifest) = if vx_toml.is_file() {
            let mut manifest = Manifest::load(&vx_toml)?;
            let file_tasks = task_files::discover(&dir)?;
            manifest.environment.tasks.extend(file_tasks);
            (vx_toml, manifest)
        } else if let Some(file) = mise {
            // Its own problems said here; a dependency that is no task of the file
            // ([`InPlace::missing`](super::super::in_place::InPlace::missing)) is left
            // to the run, which resolves it across the monorepo.
            let manifest = super::super::in_place::load(&file)?;
            for line in manifest.in_place.iter().flat_map(|p| &p.problems) {
                problems.push(format!("{}: {line}", package.dir));
            }
            (file, manifest)
        } else {
            continue;
        };
        // `/`-separated on every system, as vx shows a path in a project.
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let mut left_out = Vec::new();
        let layer = above(&layers, &package.dir)
            .cloned()
            .unwrap_or_default()
            .over(&manifest, &mut left_out);
        if !manifest.tools.is_empty() {
            let pinned: Vec<String> = (manifest.tools.iter())
                .filter(|t| t.url.is_none())
                .map(|t| format!("{}@{}", t.name, t.version))
                .collect();
            if !pinned.is_empty() {
                problems.push(format!(
                    "{shown}: its [tools] ({}) are installed for its package tasks when they run, as a task's own `tools` are; `vx sync` and vx.lock hold the monorepo root's tools only",
                    pinned.join(", ")
                ));
            }
            if !left_out.is_empty() {
                problems.push(format!(
                    "{shown}: its [tools] {} name a URL of their own and are not installed for its package tasks (`vx sync` in {} installs them)",
                    left_out.join(", "),
                    package.dir
                ));
            }
        }
        if !manifest.environment.env_files.is_empty() {
            problems.push(format!(
                "{shown}: its [settings] env_file is not read for its package tasks"
            ));
        }
        let tasks = manifest
            .environment
            .tasks
            .iter()
            .map(|task| {
                let mut task = task.clone();
                if let Some(defaults) = defaults.get(task.name.as_str()) {
                    super::overrides::fill(&mut task, defaults);
                }
                in_package(&task, package, &manifest, &layer)
            })
            .collect();
        layers.insert(package.dir.clone(), layer);
        out.push(Declared {
            package: i,
            tasks,
            in_place: manifest.in_place.is_some(),
        });
    }
    out.sort_by_key(|d| d.package);
    Ok(out)
}

/// `task` of `package` made to run in its directory: its directory, file, `sources`
/// and `outputs` relative to the root, the package's `[env]` (`layer`'s) before its
/// own `env` and `{project}` in them the package's directory, `layer`'s tools under
/// its own `tools`, the package's `[settings] path` first on its `PATH` (and an npm
/// package's `node_modules/.bin` and the root's after it, as `pnpm run` gives them).
fn in_package(task: &Task, package: &Package, manifest: &Manifest, layer: &Layer) -> Task {
    let dir = package.dir.as_str();
    let mut task = task.clone();
    task.dir = Some(match &task.dir {
        Some(own) if Path::new(own).is_absolute() => own.clone(),
        Some(own) => super::under(dir, own).unwrap_or_else(|| dir.to_owned()),
        None => dir.to_owned(),
    })
    .filter(|d| !d.is_empty());
    task.file = task.file.as_deref().map(|f| super::join(dir, f));
    task.sources = task
        .sources
        .iter()
        .filter_map(|g| glob_in(dir, g))
        .collect();
    task.outputs = task
        .outputs
        .iter()
        .filter_map(|g| glob_in(dir, g))
        .collect();
    let project = format!("{{project}}/{dir}");
    let mut env = layer.vars.clone();
    env.append(&mut task.env);
    super::overrides::tools_under(&mut task, &layer.tools);
    for var in env.iter_mut().filter(|v| !v.literal) {
        if let Some(value) = &mut var.value {
            *value = value.replace("{project}", &project);
        }
    }
    task.env = env;
    let mut first: Vec<String> = manifest
        .environment
        .path
        .iter()
        .filter_map(|p| super::under(dir, p))
        .collect();
    first.append(&mut task.path_first);
    if package.ecosystem == Ecosystem::Node {
        first.push(super::join(dir, "node_modules/.bin"));
        first.push("node_modules/.bin".to_owned());
    }
    task.path_first = first;
    task
}

/// A glob of the package in `dir` as a glob relative to the root (`!` kept); `None`
/// when it climbs out of the root.
fn glob_in(dir: &str, glob: &str) -> Option<String> {
    match glob.strip_prefix('!') {
        Some(rest) => super::under(dir, rest).map(|g| format!("!{g}")),
        None => super::under(dir, glob),
    }
}

/// The names the declared tasks will have (`PKG#NAME`), for the others to be told
/// apart from them; with `in_place`, those of the tasks of mise files only.
pub(super) fn ids(declared: &[Declared], ws: &Workspace, in_place: bool) -> HashSet<String> {
    declared
        .iter()
        .filter(|d| d.in_place || !in_place)
        .flat_map(|d| {
            let package = &ws.packages[d.package];
            d.tasks.iter().map(|t| super::task_id(package, &t.name))
        })
        .collect()
}

/// The declared tasks named as the package's (`PKG#NAME`, aliases too), their
/// `depends`, `depends_post` and `wait_for` read as the package's file means them;
/// `known` holds the name of every task of the monorepo, for `^NAME`.
pub(super) fn named(
    declared: Vec<Declared>,
    ws: &Workspace,
    graph: &Graph,
    known: &HashSet<String>,
) -> Vec<Task> {
    let mut out = Vec::new();
    for Declared { package, tasks, .. } in declared {
        let id = |name: &str| super::task_id(&ws.packages[package], name);
        for mut task in tasks {
            task.name = id(&task.name);
            task.alias = task.alias.iter().map(|a| id(a)).collect();
            for list in [
                &mut task.depends,
                &mut task.depends_post,
                &mut task.wait_for,
            ] {
                *list = list
                    .iter()
                    .flat_map(|d| dependency(d, package, ws, graph, known))
                    .collect();
            }
            // A dependency with words of its own names one task: the package's, or
            // the one its spelling names (`//dir:NAME`).
            for call in task.calls.iter_mut().chain(task.calls_post.iter_mut()) {
                if let [one] = &dependency(&call.task, package, ws, graph, known)[..] {
                    call.task.clone_from(one);
                }
            }
            out.push(task);
        }
    }
    out
}

/// What the dependency `written` of a task of `package` names: `^NAME` that task of
/// the packages it depends on ([`upstream`]), `:NAME` and a plain name (or glob) the
/// package's own, `//dir:NAME` the task of the package in `dir` (`//:NAME`, the root's),
/// `PKG#NAME` as written.
fn dependency(
    written: &str,
    package: usize,
    ws: &Workspace,
    graph: &Graph,
    known: &HashSet<String>,
) -> Vec<String> {
    if let Some(name) = written.strip_prefix('^') {
        return upstream(package, name, ws, graph, known);
    }
    // mise's pattern (`//projects/...:build`, `//apps/web:*`): matched when the run
    // has every task (the root's own too).
    if super::pattern::is_pattern(written) {
        return vec![written.to_owned()];
    }
    if let Some(rest) = written.strip_prefix("//")
        && let Some((dir, name)) = rest.split_once(':')
        && let Some(owner) = ws
            .packages
            .iter()
            .find(|p| p.dir == dir.trim_end_matches('/'))
    {
        return vec![super::task_id(owner, name)];
    }
    if written.contains('#') || written.starts_with("//") {
        return vec![written.to_owned()];
    }
    let name = written.strip_prefix(':').unwrap_or(written);
    vec![super::task_id(&ws.packages[package], name)]
}

/// The task `name` of the workspace packages `package` depends on, and through a
/// package that has no such task, of the packages that one depends on (as turbo's
/// `^build` goes through a package without the script); the root is never one.
fn upstream(
    package: usize,
    name: &str,
    ws: &Workspace,
    graph: &Graph,
    known: &HashSet<String>,
) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut seen = HashSet::from([package]);
    let mut next: Vec<usize> = graph.dependencies(package).collect();
    while let Some(dep) = next.pop() {
        if !seen.insert(dep) || ws.packages[dep].is_root() {
            continue;
        }
        let id = super::task_id(&ws.packages[dep], name);
        if known.contains(&id) {
            out.insert(id);
        } else {
            next.extend(graph.dependencies(dep));
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Monorepo, read};
    use std::path::Path;

    /// The workspace of the test data `name` (crates/vx-workspace/tests/data) read.
    fn monorepo(name: &str) -> Monorepo {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vx-workspace/tests/data")
            .join(name);
        read(&dir).expect("a monorepo").expect("readable")
    }

    #[test]
    fn a_crates_task_runs_in_its_directory_with_its_globs_and_depends_made_the_packages() {
        let monorepo = monorepo("cargo_tasks");
        let util = monorepo
            .tasks
            .iter()
            .find(|t| t.name == "util#test")
            .unwrap();
        assert_eq!(util.dir.as_deref(), Some("crates/util"));
        assert_eq!(util.depends, ["core#test", "util#lint"]);
        assert_eq!(util.sources, ["crates/util/src/**", "crates/util/*.toml"]);
        assert_eq!(util.outputs, ["crates/util/tested.txt"]);
        // Its key holds Cargo.lock's entries for util, not the whole file.
        assert!(
            util.locked.iter().all(|e| e.starts_with("Cargo.lock ")),
            "{:?}",
            util.locked
        );
        // core depends on no crate: its ^test names nothing.
        let core = monorepo
            .tasks
            .iter()
            .find(|t| t.name == "core#test")
            .unwrap();
        assert_eq!(core.depends, ["core#lint"]);
    }

    #[test]
    fn a_packages_own_task_wins_over_its_script_and_its_caret_names_its_dependencies() {
        let monorepo = monorepo("pnpm_tasks");
        let web: Vec<_> = monorepo
            .tasks
            .iter()
            .filter(|t| t.name == "web#build")
            .collect();
        assert_eq!(web.len(), 1, "{web:?}");
        assert_eq!(web[0].run, ["echo web >> ../../order && pwd > built.txt"]);
        assert_eq!(web[0].depends, ["@acme/ui#build", "web#lint"]);
        // An npm package's task finds its dependencies' bins, as `pnpm run` gives them.
        assert_eq!(
            web[0].path_first,
            ["packages/web/node_modules/.bin", "node_modules/.bin"]
        );
    }

    #[test]
    fn caret_goes_through_a_package_without_the_task_to_the_ones_below_it() {
        let root = tempfile::tempdir().unwrap();
        let files = [
            (
                "package.json",
                r#"{ "name": "r", "private": true, "workspaces": ["p/*"] }"#,
            ),
            (
                "p/a/package.json",
                r#"{ "name": "a", "dependencies": { "b": "*" } }"#,
            ),
            (
                "p/b/package.json",
                r#"{ "name": "b", "dependencies": { "c": "*" } }"#,
            ),
            (
                "p/c/package.json",
                r#"{ "name": "c", "scripts": { "build": "true" } }"#,
            ),
            (
                "p/a/vx.toml",
                "[tools]\njq = \"1\"\n[tasks.build]\nrun = \"true\"\ndepends = [\"^build\"]\n",
            ),
        ];
        for (rel, text) in files {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let monorepo = read(root.path()).unwrap().unwrap();
        let a = monorepo.tasks.iter().find(|t| t.name == "a#build").unwrap();
        assert_eq!(a.depends, ["c#build"]);
        // Its [tools] are said, once per state of the files, never installed here.
        assert!(
            monorepo
                .problems
                .iter()
                .any(|p| p.starts_with("p/a/vx.toml: its [tools]")),
            "{:?}",
            monorepo.problems
        );
        // A package file that does not parse is the error, naming it.
        std::fs::write(root.path().join("p/a/vx.toml"), "[tasks.build]\nrun = 1\n").unwrap();
        let error = read(root.path()).unwrap().unwrap_err().to_string();
        let named = root.path().join("p/a").join("vx.toml");
        assert!(error.contains(&named.display().to_string()), "{error}");
    }

    #[test]
    fn a_package_file_linked_out_of_the_repository_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        let elsewhere = outside.path().join("vx.toml");
        std::fs::write(&elsewhere, "[tasks.build]\nrun = \"true\"\n").unwrap();
        let root = tempfile::tempdir().unwrap();
        for (rel, text) in [
            (
                "package.json",
                r#"{ "name": "r", "private": true, "workspaces": ["p/*"] }"#,
            ),
            ("p/a/package.json", r#"{ "name": "a" }"#),
        ] {
            let path = root.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&elsewhere, root.path().join("p/a/vx.toml")).unwrap();
            let monorepo = read(root.path()).unwrap().unwrap();
            assert!(!monorepo.tasks.iter().any(|t| t.name == "a#build"));
            assert!(
                monorepo
                    .problems
                    .iter()
                    .any(|p| p.starts_with("p/a: ") && p.contains("not read")),
                "{:?}",
                monorepo.problems
            );
        }
    }

    #[test]
    fn a_go_works_modules_tasks_wait_for_the_modules_they_require() {
        // The go.work go 1.19 made (crates/vx-workspace/tests/data/go): app requires
        // example.com/lib (replaced by ../lib); tools stands alone.
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vx-workspace/tests/data/go");
        let root = tempfile::tempdir().unwrap();
        for rel in ["go.work", "app/go.mod", "lib/go.mod", "tools/go.mod"] {
            let to = root.path().join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(data.join(rel), to).unwrap();
        }
        let test = "[tasks.test]\nrun = \"go test ./...\"\ndepends = [\"^test\"]\n";
        for dir in ["", "app/", "lib/"] {
            std::fs::write(root.path().join(format!("{dir}vx.toml")), test).unwrap();
        }
        let monorepo = read(root.path()).expect("a Go workspace").unwrap();
        let app = monorepo
            .tasks
            .iter()
            .find(|t| t.name == "example.com/app#test")
            .unwrap();
        assert_eq!(app.depends, ["example.com/lib#test"]);
        assert_eq!(app.dir.as_deref(), Some("app"));
        assert!(monorepo.global_inputs.contains(&"go.work".to_owned()));
    }
}
