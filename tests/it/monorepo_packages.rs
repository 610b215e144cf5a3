//! A package's own tasks (issue 77, item 2): the real `vx run` over workspaces the
//! real tools made (crates/vx-workspace/tests/data/make.sh: `cargo_tasks` by cargo
//! 1.95, `uv_tasks` by uv 0.13, `pnpm_tasks` by pnpm 9.15), whose packages keep a
//! vx.toml or mise.toml of their own. Each task leaves a trace: its package's name
//! appended to the root's `order` (the order they ran in, never timing) and `pwd` in
//! its output (the directory it ran in). mise's `[monorepo]` is laid out as mise's
//! docs (docs/tasks/monorepo.md of jdx/mise) lay it out: no mise on this machine.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::Work;
use crate::common::publishers::run;
use crate::monorepo_affected::{by_task, copy_tree, git};

/// The workspace `name` as make.sh left it, copied into `work`.
fn workspace(work: &Work, name: &str) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/vx-workspace/tests/data")
        .join(name);
    let repo = work.dir.path().join("repo");
    copy_tree(&data, &repo);
    repo.canonicalize().unwrap()
}

/// `vx run ARGS` in `dir`: exit code, stdout, stderr.
pub(crate) fn run_in(work: &Work, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = dir.to_owned();
    work.outcome_with(&[&["run", "--output", "prefix"], args].concat(), |cmd| {
        cmd.current_dir(dir);
    })
}

/// What the tasks wrote to the root's `order`, a line each, and the file emptied.
pub(crate) fn take_order(repo: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(repo.join("order")).unwrap_or_default();
    let _ = std::fs::remove_file(repo.join("order"));
    text.lines().map(str::to_owned).collect()
}

/// Where `name` is in `ran`; the test fails when it did not run.
fn at(ran: &[String], name: &str) -> usize {
    ran.iter()
        .position(|r| r == name)
        .unwrap_or_else(|| panic!("{name} did not run: {ran:?}"))
}

/// The directory the task of package directory `dir` ran in, as it wrote it.
fn ran_in(repo: &Path, dir: &str, file: &str) -> PathBuf {
    let text = std::fs::read_to_string(repo.join(dir).join(file))
        .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
    PathBuf::from(text.trim())
}

/// The plan of `vx run ARGS --dry-run --json` in `dir`: each task's JSON by name.
fn plan(work: &Work, dir: &Path, args: &[&str]) -> std::collections::BTreeMap<String, Value> {
    let (code, out, err) = run_in(work, dir, &[args, &["--dry-run", "--json"]].concat());
    assert_eq!(code, 0, "{out}\n{err}");
    let event: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    by_task(&out, "task")
        .into_keys()
        .map(|task| {
            let row = event["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["task"] == task.as_str())
                .unwrap()
                .clone();
            (task, row)
        })
        .collect()
}

#[test]
fn a_cargo_workspaces_crates_run_their_own_tasks_after_the_path_dependencies_they_name() {
    let work = Work::new();
    let repo = workspace(&work, "cargo_tasks");
    // cargo itself sees the workspace: app → util → core by path.
    let metadata: Value = serde_json::from_str(&run(
        "cargo",
        &[
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--no-deps",
        ],
        &repo,
    ))
    .unwrap();
    assert_eq!(metadata["workspace_members"].as_array().unwrap().len(), 3);

    let (code, out, err) = run_in(&work, &repo, &["test"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let ran = take_order(&repo);
    assert_eq!(ran.len(), 6, "{ran:?}\n{err}");
    assert!(at(&ran, "core") < at(&ran, "util"), "{ran:?}");
    assert!(at(&ran, "util") < at(&ran, "app"), "{ran:?}");
    for krate in ["core", "util", "app"] {
        assert!(
            at(&ran, &format!("{krate}-lint")) < at(&ran, krate),
            "{ran:?}"
        );
        let dir = format!("crates/{krate}");
        assert_eq!(ran_in(&repo, &dir, "tested.txt"), repo.join(&dir));
    }
    assert!(err.contains("`util#test` kept"), "{err}");
    // The root's vx.toml keeps its own tasks, named plainly.
    let (code, _, err) = run_in(&work, &repo, &["fmt"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["fmt".to_owned()]),
        "{err}"
    );

    // A second run restores every crate's result; a change to util runs util's and
    // app's again (app's key holds util's), never core's.
    let (code, _, err) = run_in(&work, &repo, &["test"]);
    assert_eq!(code, 0, "{err}");
    let ran = take_order(&repo);
    assert!(
        !["core", "util", "app"]
            .iter()
            .any(|k| ran.contains(&k.to_string())),
        "a kept result ran again: {ran:?}\n{err}"
    );
    std::fs::write(repo.join("crates/util/src/lib.rs"), "pub fn changed() {}\n").unwrap();
    let (code, _, err) = run_in(&work, &repo, &["test"]);
    assert_eq!(code, 0, "{err}");
    let ran = take_order(&repo);
    assert!(
        ran.contains(&"util".to_owned()) && ran.contains(&"app".to_owned()),
        "{ran:?}"
    );
    assert!(!ran.contains(&"core".to_owned()), "{ran:?}");
}

#[test]
fn inside_a_crate_with_its_own_vx_toml_vx_run_is_the_monorepos_run_of_that_crate() {
    let work = Work::new();
    let repo = workspace(&work, "cargo_tasks");
    let (code, out, err) = run_in(&work, &repo.join("crates/util"), &["test"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let ran = take_order(&repo);
    assert!(at(&ran, "core") < at(&ran, "util"), "{ran:?}");
    assert!(!ran.contains(&"app".to_owned()), "{ran:?}");
    // mise's spellings: `:test` is the crate's own, `//crates/core:test` another's.
    let planned = plan(&work, &repo.join("crates/util"), &[":test"]);
    assert!(
        planned.contains_key("util#test") && !planned.contains_key("app#test"),
        "{planned:?}"
    );
    let planned = plan(&work, &repo, &["//crates/core:test"]);
    assert_eq!(
        planned.keys().collect::<Vec<_>>(),
        ["core#lint", "core#test"]
    );
}

#[test]
fn inside_a_crate_its_own_vx_tomls_task_wins_over_the_roots_of_the_same_name() {
    let work = Work::new();
    let repo = workspace(&work, "cargo_tasks");
    // util's own file defines `fmt`, as the root's does; core's does not.
    let util = repo.join("crates/util/vx.toml");
    let text = std::fs::read_to_string(&util).unwrap();
    std::fs::write(
        &util,
        format!("{text}\n[tasks.fmt]\nrun = \"echo util-fmt >> $ROOT_ORDER && pwd > fmt.txt\"\n"),
    )
    .unwrap();
    let (code, out, err) = run_in(&work, &repo.join("crates/util"), &["fmt"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["util-fmt".to_owned()]),
        "{out}\n{err}"
    );
    assert_eq!(
        ran_in(&repo, "crates/util", "fmt.txt"),
        repo.join("crates/util")
    );
    // Below the crate's directory too.
    let (code, _, err) = run_in(&work, &repo.join("crates/util/src"), &["fmt"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["util-fmt".to_owned()]),
        "{err}"
    );
    // The root's by `//:fmt` and `//#fmt`, from inside the crate. The root's `fmt`
    // has no `dir`: it runs where `vx run` started and writes its `order` there.
    let util = repo.join("crates/util");
    for root in ["//:fmt", "//#fmt"] {
        let (code, _, err) = run_in(&work, &util, &[root]);
        assert_eq!(
            (code, take_order(&util), take_order(&repo)),
            (0, vec!["fmt".to_owned()], Vec::new()),
            "{root}: {err}"
        );
    }
    // A crate whose own file has no `fmt`, and the root: the root's.
    for dir in [repo.join("crates/core"), repo.clone()] {
        let (code, _, err) = run_in(&work, &dir, &["fmt"]);
        assert_eq!(
            (code, take_order(&dir)),
            (0, vec!["fmt".to_owned()]),
            "{}: {err}",
            dir.display()
        );
    }
}

#[test]
fn a_filter_and_the_dry_run_name_each_crates_task_its_directory_and_what_it_waits_for() {
    let work = Work::new();
    let repo = workspace(&work, "cargo_tasks");
    let planned = plan(&work, &repo, &["test", "--filter", "util"]);
    let util = &planned["util#test"];
    assert_eq!(util["package"], "util");
    assert_eq!(util["dir"], "crates/util");
    assert_eq!(
        util["depends"],
        serde_json::json!(["core#test", "util#lint"])
    );
    assert_eq!(util["cache"], "miss");
    assert!(!planned.contains_key("app#test"), "{planned:?}");
    assert!(take_order(&repo).is_empty(), "a dry run ran a task");
    // After a run, the plan says each crate's result is held.
    let (code, _, err) = run_in(&work, &repo, &["test", "--filter", "core"]);
    assert_eq!(code, 0, "{err}");
    let planned = plan(&work, &repo, &["test", "--filter", "util"]);
    assert_eq!(planned["core#test"]["cache"], "hit-local");
    assert_eq!(planned["util#test"]["cache"], "miss");
}

#[test]
fn affected_selects_a_changed_crates_task_by_its_sources_and_what_waits_for_it() {
    let work = Work::new();
    let repo = workspace(&work, "cargo_tasks");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "the workspace"]);
    std::fs::write(repo.join("crates/util/src/lib.rs"), "pub fn changed() {}\n").unwrap();
    let (code, out, err) = run_in(
        &work,
        &repo,
        &["test", "--affected=HEAD", "--dry-run", "--json"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let affected = by_task(&out, "affected");
    let reason = |task: &str| affected[task]["reason"].as_str().map(str::to_owned);
    assert_eq!(
        reason("util#test").as_deref(),
        Some("file-changed"),
        "{out}"
    );
    assert!(reason("app#test").is_some(), "{out}");
    assert_eq!(reason("core#test"), None, "{out}");
}

#[test]
fn a_uv_workspaces_members_run_their_vx_toml_and_mise_toml_tasks_in_the_graphs_order() {
    let work = Work::new();
    let repo = workspace(&work, "uv_tasks");
    // uv itself takes the workspace and its lock as they are.
    run("uv", &["lock", "--check", "--offline", "-q"], &repo);
    let (code, out, err) = run_in(&work, &repo, &["test"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let ran = take_order(&repo);
    assert_eq!(ran.len(), 3, "{ran:?}\n{err}");
    assert!(at(&ran, "lib-b-lint") < at(&ran, "lib-b"), "{ran:?}");
    assert!(at(&ran, "lib-b") < at(&ran, "lib-a"), "{ran:?}");
    for dir in ["packages/lib-a", "packages/lib-b"] {
        assert_eq!(ran_in(&repo, dir, "tested.txt"), repo.join(dir));
    }
    // mise's spelling of lib-a's task, and its result restored on a second run.
    let planned = plan(&work, &repo, &["//packages/lib-a:test"]);
    assert_eq!(
        planned["lib-a#test"]["depends"],
        serde_json::json!(["lib-b#test"])
    );
    assert_eq!(planned["lib-a#test"]["cache"], "hit-local");
    let (code, _, err) = run_in(&work, &repo, &["test"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(take_order(&repo), ["lib-b-lint"], "{err}");
}

#[test]
fn a_pnpm_packages_own_vx_toml_wins_over_its_script_and_waits_for_its_dependencies() {
    let work = Work::new();
    let repo = workspace(&work, "pnpm_tasks");
    // pnpm links the workspace as it would for the team (no registry needed).
    run(
        "pnpm",
        &["install", "--offline", "--frozen-lockfile", "-s"],
        &repo,
    );
    assert!(
        repo.join("packages/web/node_modules/@acme/ui/package.json")
            .is_file()
    );
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let ran = take_order(&repo);
    assert!(
        !ran.contains(&"web-script".to_owned()),
        "web's script ran: {ran:?}"
    );
    assert!(at(&ran, "ui") < at(&ran, "web"), "{ran:?}");
    assert!(at(&ran, "web-lint") < at(&ran, "web"), "{ran:?}");
    assert_eq!(
        ran_in(&repo, "packages/web", "built.txt"),
        repo.join("packages/web")
    );
    assert_eq!(
        ran_in(&repo, "packages/ui", "built.txt"),
        repo.join("packages/ui")
    );
    // Inside web, whose own vx.toml is found first: the monorepo's run of web's build.
    let (code, _, err) = run_in(&work, &repo.join("packages/web"), &["build"]);
    assert_eq!(code, 0, "{err}");
    let ran = take_order(&repo);
    at(&ran, "ui");
    assert!(
        !ran.contains(&"web".to_owned()),
        "web's kept result ran again: {ran:?}\n{err}"
    );
    // A change to web's sources runs it again.
    std::fs::write(repo.join("packages/web/src/web.txt"), "web two\n").unwrap();
    let (code, _, err) = run_in(&work, &repo.join("packages/web"), &["build"]);
    assert_eq!(code, 0, "{err}");
    assert!(take_order(&repo).contains(&"web".to_owned()), "{err}");
    // web's other script is still a task.
    let (code, _, err) = run_in(&work, &repo, &["web#lint"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["web-lint".to_owned()]),
        "{err}"
    );
}

/// mise's monorepo as its docs lay one out: a root mise.toml marking the root and
/// listing its config roots, each with a mise.toml of its own.
fn mise_monorepo(work: &Work, extra: &[(&str, &str)]) -> PathBuf {
    let repo = work.dir.path().join("repo");
    let mut files = vec![
        (
            "mise.toml",
            "experimental_monorepo_root = true\n\n[monorepo]\nconfig_roots = [\"packages/*\", \"tools/cli\"]\n\n[tasks.deploy]\nrun = \"echo deploy >> order\"\n",
        ),
        (
            "packages/a/mise.toml",
            "[tasks.build]\nrun = \"echo a >> ../../order && pwd > built.txt\"\n",
        ),
        (
            "packages/b/mise.toml",
            "[tasks.build]\ndepends = [\"//packages/a:build\", \":gen\"]\nrun = \"echo b >> ../../order && pwd > built.txt\"\n\n[tasks.gen]\nrun = \"echo b-gen >> ../../order\"\n",
        ),
        (
            "tools/cli/mise.toml",
            "[tasks.lint]\nrun = \"echo cli-lint >> ../../order\"\n",
        ),
        // Not a config root: its tasks are no one's.
        (
            "scratch/mise.toml",
            "[tasks.build]\nrun = \"echo scratch >> ../order\"\n",
        ),
    ];
    files.extend_from_slice(extra);
    for (rel, text) in files {
        let path = repo.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    repo.canonicalize().unwrap()
}

#[test]
fn mises_monorepo_config_roots_give_tasks_named_by_their_path() {
    let work = Work::new();
    let repo = mise_monorepo(&work, &[]);
    let (code, out, err) = run_in(&work, &repo, &["//packages/a:build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(take_order(&repo), ["a"]);
    assert_eq!(
        ran_in(&repo, "packages/a", "built.txt"),
        repo.join("packages/a")
    );
    // `vx run build` across the config roots: b after what it names.
    let (code, _, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{err}");
    let ran = take_order(&repo);
    assert_eq!(ran.len(), 3, "{ran:?}");
    assert!(
        at(&ran, "a") < at(&ran, "b") && at(&ran, "b-gen") < at(&ran, "b"),
        "{ran:?}"
    );
    let planned = plan(&work, &repo, &["build"]);
    assert_eq!(
        planned.keys().collect::<Vec<_>>(),
        [
            "//packages/a:build",
            "//packages/b:build",
            "//packages/b:gen"
        ]
    );
    assert_eq!(planned["//packages/b:build"]["dir"], "packages/b");
    assert_eq!(planned["//packages/b:build"]["package"], "//packages/b");
    // Inside a config root, its own; the root's own task by its plain name.
    let (code, _, err) = run_in(&work, &repo.join("packages/b"), &["gen"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["b-gen".to_owned()]),
        "{err}"
    );
    let (code, _, err) = run_in(&work, &repo, &["deploy"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["deploy".to_owned()]),
        "{err}"
    );
    let (code, _, err) = run_in(&work, &repo, &["//...:lint"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["cli-lint".to_owned()]),
        "{err}"
    );
}

#[test]
fn a_mise_monorepo_over_a_pnpm_workspace_orders_caret_tasks_by_the_package_graph() {
    let work = Work::new();
    let repo = mise_monorepo(
        &work,
        &[
            ("package.json", r#"{ "name": "root", "private": true }"#),
            ("pnpm-workspace.yaml", "packages:\n  - \"packages/*\"\n"),
            (
                "packages/a/package.json",
                r#"{ "name": "a", "version": "1.0.0" }"#,
            ),
            (
                "packages/b/package.json",
                r#"{ "name": "b", "version": "1.0.0", "dependencies": { "a": "workspace:*" } }"#,
            ),
            (
                "packages/b/mise.toml",
                "[tasks.build]\ndepends = [\"^build\"]\nrun = \"echo b >> ../../order\"\n",
            ),
        ],
    );
    run("pnpm", &["install", "--offline", "-s"], &repo);
    let (code, out, err) = run_in(&work, &repo.join("packages/b"), &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(take_order(&repo), ["a", "b"]);
    let planned = plan(&work, &repo, &["//packages/b:build"]);
    assert_eq!(
        planned["b#build"]["depends"],
        serde_json::json!(["a#build"])
    );
}
