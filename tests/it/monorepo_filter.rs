//! `vx run TASK --filter …` (issue 77) against turbo's own answers: the real `vx run`
//! in the pnpm + turbo workspace the real pnpm 9 and turbo 2.11 made
//! (crates/vx-workspace/tests/data/rootdeps, written by make.sh beside turbo's
//! `turbo run build --filter … --dry=json` answers in its `expected/`).
//!
//! The workspace: the root package.json depends on `@kit/config` → `@kit/base`, which
//! turbo counts as every package's dependencies for `...`; `app` depends on `kit` (the
//! package in packages/lib named as the root is) and on `@kit/types` (no `build`
//! script); `other` on nothing; `site` on `other` through `"other": "npm:other"` (its
//! `npm:@kit/types@^1.0.0` turbo does not link). turbo.json's `build` waits for
//! `^build`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::Work;
use crate::monorepo_affected::{by_task, copy_tree};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/vx-workspace/tests/data/rootdeps")
}

/// The workspace, copied into `work`.
fn workspace(work: &Work) -> PathBuf {
    let repo = work.dir.path().join("repo");
    copy_tree(&data(), &repo);
    repo
}

/// `vx run ARGS` at the workspace's root: exit code, stdout, stderr.
fn vx_run(work: &Work, repo: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = repo.to_owned();
    work.outcome_with(&[&["run", "--output", "prefix"], args].concat(), |cmd| {
        cmd.current_dir(dir);
    })
}

/// The tasks with a script in vx's plan for `vx run build --filter=F… --dry-run --json`.
fn ours(work: &Work, repo: &Path, filters: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["build".to_owned()];
    args.extend(filters.iter().map(|f| format!("--filter={f}")));
    args.extend(["--dry-run".to_owned(), "--json".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = vx_run(work, repo, &args);
    assert_eq!(code, 0, "{filters:?}\nstdout: {out}\nstderr: {err}");
    by_task(&out, "command")
        .into_iter()
        .filter(|(_, command)| !command.is_null())
        .map(|(task, _)| task)
        .collect()
}

/// The tasks with a script in turbo's answer `expected/NAME`.
fn theirs(name: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(data().join("expected").join(name)).unwrap();
    let answer: Value = serde_json::from_str(&text).unwrap();
    answer["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["command"] != "<NONEXISTENT>")
        .map(|t| t["taskId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_dependents_of_a_package_the_root_depends_on_are_every_package() {
    let work = Work::new();
    let repo = workspace(&work);
    for (filter, answer) in [
        ("...@kit/base", "dry-build-PPPTkitSbase.json"),
        ("...^@kit/base", "dry-build-PPPCTkitSbase.json"),
        ("other...", "dry-build-otherPPP.json"),
    ] {
        assert_eq!(
            ours(&work, &repo, &[filter]),
            theirs(answer),
            "--filter={filter}"
        );
    }
}

#[test]
fn a_dependency_named_as_the_root_is_the_package_of_that_name() {
    let work = Work::new();
    let repo = workspace(&work);
    for (filter, answer) in [
        ("...app", "dry-build-PPPapp.json"),
        ("./apps/*", "dry-build-PSappsSA.json"),
    ] {
        let ours = ours(&work, &repo, &[filter]);
        assert!(ours.contains("kit#build"), "--filter={filter}: {ours:?}");
        assert_eq!(ours, theirs(answer), "--filter={filter}");
    }
}

#[test]
fn an_npm_alias_of_a_workspace_package_links_as_turbo_links_it() {
    let work = Work::new();
    let repo = workspace(&work);
    for (filter, answer) in [
        ("...other", "dry-build-PPPother.json"),
        ("...@kit/types", "dry-build-PPPTkitStypes.json"),
    ] {
        assert_eq!(
            ours(&work, &repo, &[filter]),
            theirs(answer),
            "--filter={filter}"
        );
    }
}

#[test]
fn filters_selecting_no_package_with_the_task_plan_and_run_nothing() {
    let work = Work::new();
    let repo = workspace(&work);
    let none = ["./apps/*", "!app", "!other"];
    assert_eq!(ours(&work, &repo, &none), theirs("dry-build-none.json"));
    // @kit/types has no `build` script: turbo's plan has no task with one.
    assert_eq!(
        ours(&work, &repo, &["@kit/types"]),
        theirs("dry-build-TkitStypes.json")
    );
    // Run, it says so and succeeds, as turbo does.
    let (code, out, err) = vx_run(
        &work,
        &repo,
        &[
            "build",
            "--filter=./apps/*",
            "--filter=!app",
            "--filter=!other",
        ],
    );
    assert_eq!(code, 0, "stdout: {out}\nstderr: {err}");
    assert!(err.contains("nothing to run"), "{err}");
    // A task no package has is still unknown.
    let (code, _, err) = vx_run(&work, &repo, &["nosuch", "--filter=!app", "--dry-run"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nosuch"), "{err}");
}
