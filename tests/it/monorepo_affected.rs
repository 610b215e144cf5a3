//! `vx run --affected` (issue 77, item 5): the real `vx run` in a git repository of the
//! pnpm + turbo workspace that the real pnpm 9 and turbo 2.11 made
//! (crates/vx-workspace/tests/data/pnpm, written by crates/vx-workspace/tests/data/
//! make.sh; its `after/pnpm-lock.yaml` is pnpm's own lockfile once `web`'s outside
//! dependency is-number went from 7.0.0 to 6.0.0). Each case commits the workspace on
//! `main`, changes something as a pull request would, and reads the plan vx prints
//! (`--dry-run --json`) or what it runs.
//!
//! The workspace: `web` → `@acme/ui` → `@acme/utils`, `docs` → `@acme/ui`; turbo.json's
//! `build` waits for `^build` and hashes `$TURBO_DEFAULT$`, `web#build` also waits for
//! `@acme/utils#test`, whose inputs are `src/**` only; `globalDependencies` names
//! tsconfig.base.json.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::Work;

/// The real workspace's files, without what its maker kept beside them.
fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/vx-workspace/tests/data/pnpm")
}

/// The tree `from` copied into `to`, without the maker's `after/` and `expected/`.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "after" || name == "expected" {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// `git ARGS` in `dir`; the test fails when git does. What it printed.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=ci", "-c", "user.email=ci@example.org"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The workspace committed on `main` in `work`'s directory `name`, with a source file
/// in `web` (its default inputs hash every file of the package).
fn repository(work: &Work, name: &str) -> PathBuf {
    repository_with(work, name, &[])
}

/// [`repository`] with the files `extra` (path, text) written before its commit.
fn repository_with(work: &Work, name: &str, extra: &[(&str, &str)]) -> PathBuf {
    let repo = work.dir.path().join(name);
    copy_tree(&data(), &repo);
    std::fs::write(repo.join("apps/web/index.ts"), "export const web = 1;\n").unwrap();
    for (path, text) in extra {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "the workspace"]);
    repo
}

/// `vx run ARGS` in `dir` with `env` set (and none of GitHub's variables otherwise):
/// exit code, stdout, stderr.
fn vx_run(work: &Work, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = dir.to_owned();
    work.outcome_with(&[&["run", "--output", "prefix"], args].concat(), |cmd| {
        cmd.current_dir(dir);
        for name in [
            "GITHUB_ACTIONS",
            "GITHUB_BASE_REF",
            "GITHUB_EVENT_NAME",
            "GITHUB_EVENT_PATH",
            "VX_AFFECTED_BASE",
        ] {
            cmd.env_remove(name);
        }
        for (name, value) in env {
            cmd.env(name, value);
        }
    })
}

/// The plan `vx run build --affected… --dry-run --json` prints: each task with its
/// `affected` object (`Value::Null` for a task only needed by a selected one).
fn plan(work: &Work, dir: &Path, affected: &str, env: &[(&str, &str)]) -> BTreeMap<String, Value> {
    let (code, out, err) = vx_run(work, dir, &["build", affected, "--dry-run", "--json"], env);
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    let event: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(event["event"], "plan");
    assert!(
        event["affected"]["base"]
            .as_str()
            .is_some_and(|b| b.len() >= 40),
        "{event}"
    );
    by_task(&out, "affected")
}

/// Each task of the plan event `out` holds, by name, with its field `field`.
pub(crate) fn by_task(out: &str, field: &str) -> BTreeMap<String, Value> {
    let event: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    event["tasks"]
        .as_array()
        .unwrap_or_else(|| panic!("no plan: {out}"))
        .iter()
        .map(|t| (t["task"].as_str().unwrap().to_owned(), t[field].clone()))
        .collect()
}

/// The tasks of `plan` that are selected, each with its reason.
fn selected(plan: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    plan.iter()
        .filter(|(_, a)| !a.is_null())
        .map(|(t, a)| (t.clone(), a["reason"].as_str().unwrap().to_owned()))
        .collect()
}

fn reasons(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(t, r)| (t.to_string(), r.to_string()))
        .collect()
}

#[test]
fn a_leaf_change_selects_that_packages_task_and_plans_what_it_needs_unselected() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("apps/web/index.ts"), "export const web = 2;\n").unwrap();
    // Uncommitted: a local run sees it too.
    let plan = plan(&work, &repo, "--affected=main", &[]);
    assert_eq!(selected(&plan), reasons(&[("web#build", "file-changed")]));
    assert_eq!(
        plan["web#build"]["files"],
        serde_json::json!(["apps/web/index.ts"])
    );
    // What web#build waits for is in the plan, not selected; docs is not in it.
    for needed in ["@acme/ui#build", "@acme/utils#build", "@acme/utils#test"] {
        assert!(
            plan.get(needed).is_some_and(Value::is_null),
            "{needed}: {plan:?}"
        );
    }
    assert!(!plan.contains_key("docs#build"), "{plan:?}");
}

#[test]
fn a_shared_package_change_selects_its_tasks_and_every_task_that_waits_for_them() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        repo.join("packages/utils/index.js"),
        "module.exports = 2;\n",
    )
    .unwrap();
    git(&repo, &["commit", "-q", "-am", "utils"]);
    let plan = plan(&work, &repo, "--affected=main", &[]);
    assert_eq!(
        selected(&plan),
        reasons(&[
            ("@acme/utils#build", "file-changed"),
            // Its inputs are src/** only: selected for waiting on utils' build.
            ("@acme/utils#test", "depends-on-affected"),
            ("@acme/ui#build", "depends-on-affected"),
            ("web#build", "depends-on-affected"),
            ("docs#build", "depends-on-affected"),
        ])
    );
    assert_eq!(plan["@acme/ui#build"]["task"], "@acme/utils#build");
}

#[test]
fn a_lockfile_only_change_selects_the_one_package_whose_resolved_dependencies_changed() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "bump"]);
    std::fs::copy(
        data().join("after/pnpm-lock.yaml"),
        repo.join("pnpm-lock.yaml"),
    )
    .unwrap();
    git(&repo, &["commit", "-q", "-am", "is-number 6"]);
    let plan = plan(&work, &repo, "--affected=main", &[]);
    assert_eq!(
        selected(&plan),
        reasons(&[("web#build", "lockfile-entry-changed")])
    );
    assert_eq!(
        plan["web#build"]["files"],
        serde_json::json!(["pnpm-lock.yaml"])
    );
}

#[test]
fn a_global_input_selects_every_task() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "tsconfig"]);
    std::fs::write(repo.join("tsconfig.base.json"), "{ \"strict\": true }\n").unwrap();
    git(&repo, &["commit", "-q", "-am", "strict"]);
    let plan = plan(&work, &repo, "--affected=main", &[]);
    let chosen = selected(&plan);
    for task in [
        "web#build",
        "docs#build",
        "@acme/ui#build",
        "@acme/utils#build",
    ] {
        assert_eq!(
            chosen.get(task).map(String::as_str),
            Some("global-input"),
            "{chosen:?}"
        );
    }
}

#[test]
fn nothing_changed_selects_nothing_and_exit_code_says_which() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    let (code, out, err) = vx_run(&work, &repo, &["build", "--affected=main"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("nothing affected since `main`"), "{err}");
    assert!(!out.contains("build"), "nothing ran: {out}");
    let (code, _, err) = vx_run(
        &work,
        &repo,
        &["build", "--affected=main", "--exit-code"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    std::fs::write(repo.join("apps/docs/page.md"), "# docs\n").unwrap();
    let (code, out, err) = vx_run(
        &work,
        &repo,
        &["build", "--affected=main", "--exit-code"],
        &[],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("docs#build") && out.contains("file changed: apps/docs/page.md"),
        "{out}"
    );
}

#[test]
fn a_run_with_affected_runs_the_selected_tasks_and_what_they_need_only() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("apps/web/index.ts"), "export const web = 3;\n").unwrap();
    let (code, out, err) = vx_run(&work, &repo, &["build", "--affected=main"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("build web"), "{out}");
    assert!(
        out.contains("build ui"),
        "web's dependencies ran first: {out}"
    );
    assert!(!out.contains("build docs"), "docs is not affected: {out}");
    assert!(err.contains("--affected: 1 of the tasks named"), "{err}");
}

#[test]
fn a_push_events_before_commit_is_the_base_on_github_actions() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    let before = git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(repo.join("apps/docs/page.md"), "# docs\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "docs on main"]);
    let event = work.dir.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"before": "{before}", "after": "x", "commits": []}}"#),
    )
    .unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    // On main itself: the default branch would compare HEAD with itself.
    let plan = plan(&work, &repo, "--affected", &env);
    assert_eq!(selected(&plan), reasons(&[("docs#build", "file-changed")]));
}

/// An origin with `main` (the workspace) and `feature` (web changed, then a README),
/// and a clone of `feature` one commit deep, as actions/checkout makes by default.
fn shallow_clone(work: &Work) -> PathBuf {
    let origin = repository(work, "origin");
    git(&origin, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(origin.join("apps/web/index.ts"), "export const web = 4;\n").unwrap();
    git(&origin, &["commit", "-q", "-am", "web"]);
    std::fs::write(origin.join("README.md"), "# acme\n").unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "readme"]);
    let url = format!("file://{}", origin.display());
    let top = work.dir.path();
    git(
        top,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--single-branch",
            "--branch",
            "feature",
            &url,
            "clone",
        ],
    );
    let clone = top.join("clone");
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    clone
}

#[test]
fn a_shallow_pull_request_clone_is_fetched_deeper_once_to_find_its_base() {
    let work = Work::new();
    let clone = shallow_clone(&work);
    let env = [("GITHUB_ACTIONS", "true"), ("GITHUB_BASE_REF", "main")];
    let plan = plan(&work, &clone, "--affected", &env);
    // web's change; the README is the root's, and no build task hashes it.
    assert_eq!(selected(&plan), reasons(&[("web#build", "file-changed")]));
}

#[test]
fn a_base_a_shallow_clone_cannot_reach_is_an_error_naming_the_command_that_fixes_it() {
    let work = Work::new();
    let clone = shallow_clone(&work);
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let (code, out, err) = vx_run(
        &work,
        &clone,
        &["build", "--affected", "--dry-run", "--json"],
        &[("VX_AFFECTED_BASE", missing)],
    );
    assert_eq!(code, 2, "never everything, never nothing: {out}{err}");
    assert!(out.is_empty(), "no plan: {out}");
    assert!(err.contains("git fetch --unshallow origin"), "{err}");
    assert!(err.contains("not in this shallow clone"), "{err}");
}

#[test]
fn without_git_or_a_base_affected_is_refused_by_name() {
    let work = Work::new();
    let plain = work.dir.path().join("plain");
    copy_tree(&data(), &plain);
    let (code, _, err) = vx_run(&work, &plain, &["build", "--affected", "--dry-run"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not in a git work tree"), "{err}");
    // A repository whose only branch is neither main nor master, with no origin.
    git(&plain, &["init", "-q", "-b", "trunk"]);
    git(&plain, &["add", "-A"]);
    git(&plain, &["commit", "-q", "-m", "one"]);
    let (code, _, err) = vx_run(&work, &plain, &["build", "--affected", "--dry-run"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pass --affected=REF"), "{err}");
    // And --exit-code alone asks nothing.
    let (code, _, err) = vx_run(&work, &plain, &["build", "--exit-code"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--exit-code answers --affected"), "{err}");
}

#[test]
fn in_a_plain_project_a_task_is_selected_by_its_sources_and_one_without_any_always() {
    let work = Work::new();
    let repo = work.dir.path().join("app");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(
        repo.join("vx.toml"),
        "[tasks]\ngen = { run = \"echo gen\", sources = [\"src/**\"] }\ncheck = \"echo check\"\n",
    )
    .unwrap();
    std::fs::write(repo.join("src/a.txt"), "a\n").unwrap();
    std::fs::write(repo.join("README.md"), "app\n").unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "app"]);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    let chosen = |args: &[&str]| {
        let (code, out, err) = work.outcome_with(&[&["run"], args].concat(), |cmd| {
            cmd.current_dir(&repo).env_remove("VX_AFFECTED_BASE");
        });
        assert_eq!(code, 0, "{out}{err}");
        selected(&by_task(&out, "affected"))
    };
    let ask = [
        "--affected=main",
        "--dry-run",
        "--json",
        "gen",
        ":::",
        "check",
    ];
    std::fs::write(repo.join("README.md"), "app, changed\n").unwrap();
    assert_eq!(chosen(&ask), reasons(&[("check", "no-inputs")]));
    std::fs::write(repo.join("src/a.txt"), "b\n").unwrap();
    assert_eq!(
        chosen(&ask),
        reasons(&[("check", "no-inputs"), ("gen", "file-changed")])
    );
}

#[test]
fn a_package_tasks_key_holds_its_lockfile_entries_and_not_the_whole_lockfile() {
    let work = Work::new();
    let repo = work.dir.path().join("repo");
    copy_tree(&data(), &repo);
    let keys = || {
        let (code, out, err) = vx_run(&work, &repo, &["build", "--dry-run", "--json"], &[]);
        assert_eq!(code, 0, "{out}{err}");
        by_task(&out, "key")
    };
    let before = keys();
    // pnpm's own lockfile once web's is-number went from 7.0.0 to 6.0.0.
    std::fs::copy(
        data().join("after/pnpm-lock.yaml"),
        repo.join("pnpm-lock.yaml"),
    )
    .unwrap();
    let after = keys();
    let changed: Vec<&String> = before
        .keys()
        .filter(|task| before[*task] != after[*task])
        .collect();
    assert_eq!(changed, ["web#build"], "before {before:?}\nafter {after:?}");
    // And the document says which entry.
    let (code, out, err) = vx_run(&work, &repo, &["web#build", "--explain-key"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("pnpm-lock.yaml is-number@6.0.0"), "{out}");
}

#[test]
fn a_change_to_a_package_without_the_script_selects_the_tasks_that_wait_for_it_as_turbo_does() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    // @acme/tsconfig has no build script: turbo's `<NONEXISTENT>` node of it counts
    // its package changed, and `^build` of ui and docs waits for it.
    let manifest = repo.join("packages/tsconfig/package.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen('{', "{ \"description\": \"strict\",", 1),
    )
    .unwrap();
    let plan = plan(&work, &repo, "--affected=main", &[]);
    let chosen = selected(&plan);
    for task in ["@acme/ui#build", "docs#build", "web#build"] {
        assert_eq!(
            chosen.get(task).map(String::as_str),
            Some("depends-on-affected"),
            "{chosen:?}"
        );
    }
    assert!(
        !chosen.contains_key("@acme/utils#build"),
        "utils does not wait for it: {chosen:?}"
    );
}

#[test]
fn turbos_env_and_global_env_are_in_the_key_by_value_hash_and_never_written() {
    let work = Work::new();
    let repo = work.dir.path().join("repo");
    copy_tree(&data(), &repo);
    // turbo.json: build's `env` names API_URL; `globalEnv` CI and NODE_ENV.
    let key = |env: &[(&str, &str)]| {
        let (code, out, err) = vx_run(
            &work,
            &repo,
            &["@acme/utils#build", "--explain-key"],
            &[&[("CI", "")], env].concat(),
        );
        assert_eq!(code, 0, "{out}{err}");
        out
    };
    let unset = key(&[]);
    let set = key(&[("API_URL", "https://api.example/secret-token")]);
    let other = key(&[("API_URL", "https://api.example/other")]);
    let empty = key(&[("API_URL", "")]);
    assert!(
        !set.contains("secret-token"),
        "a value is never written: {set}"
    );
    let keys = [&unset, &set, &other, &empty].map(|doc| {
        let start = doc.find("\"key\"").unwrap();
        doc[start..start + 80].to_owned()
    });
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            assert_ne!(a, b, "each value (unset, two, empty) makes its own key");
        }
    }
    assert!(unset.contains("\"API_URL\": \"unset\""), "{unset}");
}

#[test]
fn a_task_of_a_package_that_depends_on_a_changed_one_is_selected_whatever_its_inputs() {
    let work = Work::new();
    let repo = repository(&work, "repo");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        repo.join("packages/utils/index.js"),
        "module.exports = 3;\n",
    )
    .unwrap();
    // web's lint waits for nothing and hashes web's files only, but web imports ui,
    // which imports utils: turbo counts web among the changed package's dependents.
    let (code, out, err) = vx_run(
        &work,
        &repo,
        &["lint", "--affected=main", "--dry-run", "--json"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    let affected = by_task(&out, "affected");
    let web = affected
        .get("web#lint")
        .unwrap_or_else(|| panic!("web#lint is selected: {out}"));
    assert_eq!(web["reason"], "dependency-changed", "{out}");
    assert_eq!(web["files"], serde_json::json!(["packages/utils/index.js"]));
}

/// The rootdeps workspace (crates/vx-workspace/tests/data/rootdeps: the root
/// package.json depends on `@kit/config` → `@kit/base`) committed on `main` without
/// the files make.sh changed after it, and `changed` (a path and its text, as make.sh
/// wrote it before asking turbo) committed on a branch.
fn rootdeps_changed(work: &Work, changed: (&str, &str)) -> PathBuf {
    let repo = work.dir.path().join("rootdeps");
    copy_tree(&crate::monorepo_filter::data(), &repo);
    for file in ["packages/base/index.js", "apps/other/index.js"] {
        std::fs::remove_file(repo.join(file)).unwrap();
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "the workspace"]);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join(changed.0), changed.1).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "a change"]);
    repo
}

/// The tasks with a script in vx's plan for `vx run build --affected=main`, and the
/// plan's `affected` objects by task.
fn affected_build(work: &Work, repo: &Path) -> (BTreeSet<String>, BTreeMap<String, Value>) {
    let (code, out, err) = vx_run(
        work,
        repo,
        &["build", "--affected=main", "--dry-run", "--json"],
        &[],
    );
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    let planned = by_task(&out, "command")
        .into_iter()
        .filter(|(_, command)| !command.is_null())
        .map(|(task, _)| task)
        .collect();
    (planned, by_task(&out, "affected"))
}

#[test]
fn a_change_to_a_package_the_root_depends_on_affects_every_package_as_turbo_says() {
    let work = Work::new();
    let repo = rootdeps_changed(
        &work,
        ("packages/base/index.js", "export const base = 1;\n"),
    );
    let (planned, affected) = affected_build(&work, &repo);
    // turbo 2.11's own `turbo run build --affected --dry=json` for this change.
    assert_eq!(
        planned,
        crate::monorepo_filter::theirs("affected-build-base.json")
    );
    // other imports neither @kit/config nor @kit/base and waits for nothing, but the
    // root installs them.
    assert_eq!(affected["other#build"]["reason"], "dependency-changed");
    assert_eq!(
        affected["other#build"]["files"],
        serde_json::json!(["packages/base/index.js"])
    );
}

#[test]
fn a_change_to_a_package_the_root_does_not_depend_on_affects_its_dependents_only() {
    let work = Work::new();
    let repo = rootdeps_changed(&work, ("apps/other/index.js", "export const other = 1;\n"));
    let (planned, _) = affected_build(&work, &repo);
    assert_eq!(
        planned,
        crate::monorepo_filter::theirs("affected-build-other.json")
    );
}

/// `vx run TASK --affected=main --dry-run --json` in `repo` once `changed` (path, text)
/// is written on a branch: each selected task with its `affected` object.
fn after_change(
    work: &Work,
    repo: &Path,
    task: &str,
    changed: (&str, &str),
) -> BTreeMap<String, Value> {
    git(repo, &["checkout", "-q", "-b", "feature"]);
    let path = repo.join(changed.0);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, changed.1).unwrap();
    let (code, out, err) = vx_run(
        work,
        repo,
        &[task, "--affected=main", "--dry-run", "--json"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    by_task(&out, "affected")
        .into_iter()
        .filter(|(_, a)| !a.is_null())
        .collect()
}

#[test]
fn braces_in_turbo_inputs_match_each_alternative() {
    // nodejs.org's apps/site: "*.{md,mdx,json,ts,tsx,mjs,yml}", as turbo reads it.
    let work = Work::new();
    let docs = r#"{ "extends": ["//"], "tasks": { "build": { "inputs": ["*.{ts,tsx}"] } } }"#;
    let repo = repository_with(&work, "repo", &[("apps/docs/turbo.json", docs)]);
    let affected = after_change(
        &work,
        &repo,
        "build",
        ("apps/docs/page.tsx", "export {};\n"),
    );
    let docs = affected
        .get("docs#build")
        .unwrap_or_else(|| panic!("docs#build is selected: {affected:?}"));
    assert_eq!(docs["reason"], "file-changed");
    assert_eq!(docs["files"], serde_json::json!(["apps/docs/page.tsx"]));
}

#[test]
fn braces_in_turbo_global_dependencies_match_each_alternative() {
    // A change to one of `tsconfig.{base,build}.json` is a change to every task's key,
    // as turbo reads the glob; read literally, it named no file and changed nothing.
    let work = Work::new();
    let root = std::fs::read_to_string(data().join("turbo.json")).unwrap();
    let braced = r#""globalDependencies": ["tsconfig.{base,build}.json", ".env"]"#;
    let root = root.replace(
        r#""globalDependencies": ["tsconfig.base.json", ".env"]"#,
        braced,
    );
    assert!(root.contains(braced));
    let repo = repository_with(&work, "repo", &[("turbo.json", root.as_str())]);
    let affected = after_change(&work, &repo, "build", ("tsconfig.build.json", "{}\n"));
    let web = affected
        .get("web#build")
        .unwrap_or_else(|| panic!("web#build is selected: {affected:?}"));
    assert_eq!(web["reason"], "global-input");
}

#[test]
fn outputs_of_everything_but_the_sources_leave_the_sources_in_the_inputs() {
    // medusa: outputs ["!node_modules/**", "!src/**", "*/**"]: src is no output.
    let work = Work::new();
    let docs = r#"{ "extends": ["//"], "tasks": { "build": { "outputs": ["!src/**", "*/**"] } } }"#;
    let repo = repository_with(&work, "repo", &[("apps/docs/turbo.json", docs)]);
    let affected = after_change(
        &work,
        &repo,
        "build",
        ("apps/docs/src/page.ts", "export {};\n"),
    );
    let docs = affected
        .get("docs#build")
        .unwrap_or_else(|| panic!("docs#build is selected: {affected:?}"));
    assert_eq!(docs["reason"], "file-changed");
}

#[test]
fn a_change_in_a_directory_that_is_also_a_cargo_crate_is_the_npm_packages_too() {
    // tailwindcss's crates/node: the npm package @tailwindcss/oxide and a Cargo crate.
    let work = Work::new();
    let crate_toml = "[package]\nname = \"utils-rs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";
    let repo = repository_with(
        &work,
        "repo",
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"packages/utils\"]\n",
            ),
            ("packages/utils/Cargo.toml", crate_toml),
            ("packages/utils/src/lib.rs", ""),
        ],
    );
    let change = ("packages/utils/scripts/gen.mjs", "export {};\n");
    let affected = after_change(&work, &repo, "lint", change);
    // web imports ui, which imports @acme/utils: its lint is the dependents'.
    let web = affected
        .get("web#lint")
        .unwrap_or_else(|| panic!("web#lint is selected: {affected:?}"));
    assert_eq!(web["reason"], "dependency-changed");
}
