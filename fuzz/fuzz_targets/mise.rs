//! Arbitrary bytes as a mise project read where it stands, as `vx run` and `vx exec`
//! read it (not only `vx import`'s parse): written into a directory of their own, the
//! first byte choosing where:
//!
//! 0. `mise.toml` (its tools, `[env]` and its directives, `[vars]` and templates,
//!    `[tasks]` with `extends`, `[task_config]`, `[daemons]`, usage specs);
//! 1. a file task `.mise/tasks/build` (executable) with no mise.toml: its `#MISE` and
//!    `#USAGE` header lines, read from mise's default task directories;
//! 2. the bytes split at their first NUL: the first part `mise.toml`, the second the
//!    file task `mise-tasks/ci/test.sh`;
//! 3. the same, the second part `tasks.toml` (what a `[task_config] includes` names).
//!
//! The project is then read as the commands read it: `in_place::project_file`,
//! `Manifest::load` (`in_place::load`: every file read, mapped by `vx import`'s mapping
//! into the text of a vx.toml parsed in memory), the problems said
//! (`in_place::unsaid`), the environment `vx exec` applies (`Declared::of`, expanded
//! with `Changes::of`, its `PATH`), and the tasks as `vx run` lists and plans them: the
//! manifest's and `.vx/tasks`' (`task_files::discover`), a name mise has that vx could not
//! take (`foreign::mise_task`, of the first four), `graph::cycle`, `first_unknown`, `similar`, the plan
//! of each task (at most 64) and of all, each planned task once and after what it
//! waits for, and its arguments parsed from a few command lines (`args::parse`,
//! `fill`, `env`, `help`). Nothing may panic or hang.
#![no_main]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vx_model::manifest::task_files;
use vx_model::manifest::{Manifest, in_place};
use vx_model::project_env::{Changes, Declared};
use vx_model::task::{Task, foreign, graph};
use vx_tasks::args;

/// Command lines a task's arguments are parsed from.
const WORDS: [&[&str]; 7] = [
    &[],
    &["--help"],
    &["a", "b"],
    &["--flag", "--name=x", "-v", "--", "rest"],
    &["--name", "x y", "--count", "3"],
    &["-nv", "-l3", "-f=x", "-", "-h", "-é"],
    &["a", "--no-flag", "-vvv", "--unknown", "b", "c"],
];

/// The directory every input's project is written into (made again for each).
fn base() -> &'static Path {
    static BASE: OnceLock<tempfile::TempDir> = OnceLock::new();
    BASE.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// Writes `bytes` at `rel` under `dir`, its directories made, executable.
fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
    std::fs::write(&path, bytes).expect("written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("mode");
}

/// What `vx run` does with `tasks` before it runs them.
fn plan(tasks: &[Task], project: &Path) {
    let _ = graph::cycle(tasks);
    let _ = graph::first_unknown(tasks);
    let _ = graph::similar(tasks, "buld");
    let _ = foreign::mise_task(project, "no-such-task");
    for task in tasks.iter().take(4) {
        let _ = foreign::mise_task(project, &task.name);
    }
    for task in tasks.iter().take(64) {
        if let Ok(plan) = graph::Plan::build(tasks, std::slice::from_ref(&task.name)) {
            let mut seen = std::collections::HashSet::new();
            for (at, node) in plan.nodes.iter().enumerate() {
                assert!(seen.insert(node.task), "a task planned twice");
                assert!(
                    node.after.iter().all(|&n| n < at),
                    "a node before what it waits for"
                );
            }
        }
        for words in WORDS {
            let words: Vec<OsString> = words.iter().map(OsString::from).collect();
            let _ = args::wants_help(task, &words);
            // Some variables set (an argument's `env`), others not.
            let lookup = |name: &str| (name.len() % 2 == 0).then(|| name.to_owned());
            if let Ok(values) = args::parse(task, &words, &lookup) {
                for run in &task.run {
                    let _ = args::fill(run, task, &values, &|s| format!("'{s}'"));
                    let _ = args::fill(run, task, &values.keyed(), &|s| format!("'{s}'"));
                }
                let _ = args::env(&values);
            }
        }
        let _ = args::help(task);
        let _ = task.about();
    }
    let all: Vec<String> = tasks.iter().take(64).map(|t| t.name.clone()).collect();
    let _ = graph::Plan::build(tasks, &all);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let dir: PathBuf = base().join("p");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the project's directory");
    let split = |bytes: &[u8]| match bytes.iter().position(|&b| b == 0) {
        Some(at) => (bytes[..at].to_vec(), bytes[at + 1..].to_vec()),
        None => (bytes.to_vec(), Vec::new()),
    };
    match which % 4 {
        0 => put(&dir, "mise.toml", rest),
        1 => put(&dir, ".mise/tasks/build", rest),
        2 => {
            let (config, task) = split(rest);
            put(&dir, "mise.toml", &config);
            put(&dir, "mise-tasks/ci/test.sh", &task);
        }
        _ => {
            let (config, included) = split(rest);
            put(&dir, "mise.toml", &config);
            put(&dir, "tasks.toml", &included);
        }
    }
    let Some((file, _)) = in_place::project_file(&dir) else {
        return;
    };
    let Ok(manifest) = Manifest::load(&file) else {
        return;
    };
    let _ = in_place::unsaid(&manifest, None);
    if let Ok(declared) = Declared::of(&manifest) {
        let _ = Changes::of(&declared.vars, &declared.project, &|name| {
            (name == "HOME").then(|| "/home/u".to_owned())
        })
        .resolved();
        let _ = declared.search_path(&[], Some(std::ffi::OsStr::new("/usr/bin:/bin")));
    }
    let mut tasks = manifest.environment.tasks.clone();
    if let Ok(more) = task_files::discover(&dir) {
        tasks.extend(more);
    }
    plan(&tasks, &dir);
});
