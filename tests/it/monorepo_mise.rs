//! mise's monorepo as its users rely on it (mise.jdx.dev, "Monorepo Tasks"; checked
//! against mise 2026.9.15 on the same trees): path and task-name wildcards on the
//! command line and in `depends`, each config root's `[env]` and `[tools]` over the
//! root's for its own tasks, `[monorepo.task_defaults]` and `[monorepo.projects]`.
//! The real `vx run` on trees written here; each task appends its name (and what it
//! sees) to the root's `order`, so what ran is read back, never timed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::Work;
use crate::monorepo_packages::{run_in, take_order};

/// `files` written under `work`'s `repo`, `{order}` in them the root's `order` file.
fn tree(work: &Work, files: &[(&str, &str)]) -> PathBuf {
    let repo = work.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let repo = repo.canonicalize().unwrap();
    let order = repo.join("order");
    for (rel, text) in files {
        let path = repo.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = text.replace("{order}", &order.display().to_string());
        std::fs::write(path, text).unwrap();
    }
    repo
}

/// `vx run ARGS` at `repo`, which must succeed: the set of lines the tasks wrote.
fn ran(work: &Work, repo: &Path, args: &[&str]) -> BTreeSet<String> {
    let (code, out, err) = run_in(work, repo, args);
    assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
    take_order(repo).into_iter().collect()
}

fn set(lines: &[&str]) -> BTreeSet<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

/// The layout of mise's docs: config roots at several depths, one inside another.
const PATTERNS: &[(&str, &str)] = &[
    (
        "mise.toml",
        "monorepo_root = true\n\n[monorepo]\nconfig_roots = [\"projects/a\", \"projects/a/api\", \"projects/b\", \"apps/web\"]\n\n\
         [tasks.test]\nrun = \"echo root-test >> {order}\"\n\n\
         [tasks.all]\ndepends = [\"//projects/...:build\"]\nrun = \"echo all >> {order}\"\n\n\
         [tasks.broken]\ndepends = [\"//nowhere/...:build\"]\nrun = \"echo broken >> {order}\"\n",
    ),
    (
        "projects/a/mise.toml",
        "[tasks.build]\nrun = \"echo a-build >> {order}\"\n\n[tasks.test]\nrun = \"echo a-test >> {order}\"\n\n\
         [tasks.\"test:unit\"]\nrun = \"echo a-test-unit >> {order}\"\n",
    ),
    (
        "projects/a/api/mise.toml",
        "[tasks.build]\nrun = \"echo api-build $(basename $(pwd)) >> {order}\"\n",
    ),
    (
        "projects/b/mise.toml",
        "[tasks.build]\nrun = \"echo b-build >> {order}\"\n",
    ),
    (
        "apps/web/mise.toml",
        "[tasks.build]\nrun = \"echo web-build >> {order}\"\n\n[tasks.lint]\ndepends = [\"//.../api:build\"]\nrun = \"echo web-lint >> {order}\"\n",
    ),
];

#[test]
fn mise_path_and_task_name_wildcards_run_every_task_they_match() {
    let work = Work::new();
    let repo = tree(&work, PATTERNS);
    // `...`: any depth under projects/, projects/a's own and the one inside it.
    assert_eq!(
        ran(&work, &repo, &["//projects/...:build"]),
        set(&["a-build", "api-build api", "b-build"])
    );
    // In the middle: any directory named api, at any depth.
    assert_eq!(
        ran(&work, &repo, &["//.../api:build"]),
        set(&["api-build api"])
    );
    // A task-name wildcard: every task of one config root (and lint's dependency).
    assert_eq!(
        ran(&work, &repo, &["//apps/web:*"]),
        set(&["web-build", "web-lint", "api-build api"])
    );
    // `*` never crosses a `:`, as mise matches it: test:unit is not test*.
    assert_eq!(
        ran(&work, &repo, &["//...:test*"]),
        set(&["root-test", "a-test"])
    );
    assert_eq!(
        ran(&work, &repo, &["//projects/a:test:*"]),
        set(&["a-test-unit"])
    );
    // The root's `all` depends on a pattern: what it matches runs first.
    let (code, out, err) = run_in(&work, &repo, &["all"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let order = take_order(&repo);
    assert_eq!(order.last().map(String::as_str), Some("all"), "{order:?}");
    assert_eq!(
        order.iter().collect::<BTreeSet<_>>().len(),
        4,
        "three builds and all: {order:?}"
    );
    // The plain spellings keep working.
    assert_eq!(
        ran(&work, &repo, &["//...:lint"]),
        set(&["web-lint", "api-build api"])
    );
    let (code, _, err) = run_in(&work, &repo.join("projects/b"), &[":build"]);
    assert_eq!(
        (code, take_order(&repo)),
        (0, vec!["b-build".to_owned()]),
        "{err}"
    );

    // A pattern that matches nothing is the error naming it, and nothing runs.
    for pattern in ["//...:nothing*", "//nowhere/...:build"] {
        let (code, out, err) = run_in(&work, &repo, &[pattern]);
        assert_ne!(code, 0, "{out}\n{err}");
        assert!(err.contains(&format!("`{pattern}`")), "{err}");
        assert!(take_order(&repo).is_empty());
    }
    // In `depends`, the task that names it is named too, when it runs.
    let (code, out, err) = run_in(&work, &repo, &["broken"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("`//nowhere/...:build` (needed by broken)"),
        "{err}"
    );
    assert!(take_order(&repo).is_empty());
}

#[test]
fn a_config_roots_env_and_tools_are_its_tasks_over_the_roots_and_under_the_tasks_own() {
    let work = Work::new();
    let repo = tree(
        &work,
        &[
            (
                "mise.toml",
                "monorepo_root = true\n\n[monorepo]\nconfig_roots = [\"projects/*\", \"projects/front/api\"]\n\n\
                 [env]\nLOG_LEVEL = \"info\"\nSHARED = \"root\"\n",
            ),
            (
                "projects/front/mise.toml",
                "[tools]\nnode = \"18.0.0\"\n\n[env]\nLOG_LEVEL = \"debug\"\nPORT = \"3000\"\n\n\
                 [tasks.build]\nrun = \"echo front $LOG_LEVEL $PORT $SHARED >> {order}\"\n\n\
                 [tasks.own]\nenv = { LOG_LEVEL = \"trace\" }\nrun = \"echo own $LOG_LEVEL $PORT >> {order}\"\n",
            ),
            (
                "projects/front/api/mise.toml",
                "[env]\nPORT = \"4000\"\n\n[tasks.build]\nrun = \"echo api $LOG_LEVEL $PORT >> {order}\"\n",
            ),
            (
                "projects/back/mise.toml",
                "[tasks.build]\nrun = \"echo back $LOG_LEVEL ${PORT:-none} >> {order}\"\n",
            ),
        ],
    );
    // Offline, node 18.0.0 cannot be had: the tasks of the config root that pins it say
    // so and run with what is on PATH, as a mise task's own tools do; back pins none.
    let (code, out, err) = run_in(
        &work,
        &repo,
        &["--offline", "build", ":::", "//projects/front:own"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        take_order(&repo).into_iter().collect::<BTreeSet<_>>(),
        set(&[
            "front debug 3000 root",
            "own trace 3000",
            "api debug 4000",
            "back info none",
        ])
    );
    assert!(
        err.contains("running `//projects/front:build` without its own tools"),
        "front's tasks ask for its node: {err}"
    );
    assert!(
        !err.contains("running `//projects/back:build` without"),
        "back asks for none: {err}"
    );
    // What vx does with a config root's [tools] is said, once.
    let said = "projects/front/mise.toml: its [tools] (node@18.0.0) are installed for its package tasks when they run";
    assert_eq!(err.matches(said).count(), 1, "{err}");
    let (code, _, err) = run_in(&work, &repo, &["--offline", "//projects/back:build"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains(said), "said again: {err}");
}

#[test]
fn task_defaults_fill_what_each_packages_task_leaves_unsaid() {
    let work = Work::new();
    let repo = tree(
        &work,
        &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
            ),
            (
                "packages/c/package.json",
                r#"{ "name": "c", "version": "1.0.0", "scripts": { "build": "echo c $MODE $(basename $(pwd)) >> {order}" } }"#,
            ),
            (
                "mise.toml",
                "monorepo_root = true\n\n[monorepo]\nconfig_roots = [\"services/*\"]\n\n\
                 [monorepo.task_defaults.build]\nenv = { MODE = \"release\" }\noutputs = [\"dist/**\"]\ntimeout = \"1m\"\nretry = 2\n\n\
                 [monorepo.task_defaults.test]\nenv = { MODE = \"test\" }\n",
            ),
            (
                "services/a/mise.toml",
                "[tasks.build]\nrun = \"echo a $MODE >> {order}\"\n\n[tasks.test]\nrun = \"echo a-test $MODE >> {order}\"\n",
            ),
            (
                "services/b/mise.toml",
                "[tasks.build]\nenv = { MODE = \"debug\" }\nrun = \"echo b $MODE >> {order}\"\n",
            ),
        ],
    );
    let (code, out, err) = run_in(&work, &repo, &["//...:build", ":::", "//...:test"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        take_order(&repo).into_iter().collect::<BTreeSet<_>>(),
        set(&["a release", "b debug", "c release c", "a-test test"])
    );
    // What vx cannot take of it is said once.
    let said = "`monorepo.task_defaults.\"build\".retry` is not read by vx";
    assert!(!err.contains(".timeout"), "its timeout is read: {err}");
    assert_eq!(err.matches(said).count(), 1, "{err}");
    let (code, _, err) = run_in(&work, &repo, &["//services/a:test"]);
    assert_eq!((code, err.contains(said)), (0, false), "{err}");
    assert_eq!(take_order(&repo), ["a-test test"]);
}

#[test]
fn project_overrides_remove_a_package_and_move_its_edges() {
    let work = Work::new();
    let repo = tree(
        &work,
        &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
            ),
            (
                "packages/a/package.json",
                r#"{ "name": "@acme/a", "version": "1.0.0", "scripts": { "build": "echo a >> {order}" } }"#,
            ),
            (
                "packages/b/package.json",
                r#"{ "name": "@acme/b", "version": "1.0.0", "dependencies": { "@acme/a": "*" }, "scripts": { "build": "echo b >> {order}" } }"#,
            ),
            (
                "packages/c/package.json",
                r#"{ "name": "@acme/c", "version": "1.0.0", "scripts": { "build": "echo c >> {order}" } }"#,
            ),
            (
                "packages/legacy/package.json",
                r#"{ "name": "@acme/legacy", "version": "1.0.0", "scripts": { "build": "echo legacy >> {order}" } }"#,
            ),
            (
                "mise.toml",
                "monorepo_root = true\n\n[monorepo]\nconfig_roots = []\n\n\
                 [monorepo.projects.\"node:@acme/b\"]\ndepends_remove = [\"node:@acme/a\"]\ndepends_add = [\"node:@acme/c\"]\n\n\
                 [monorepo.projects.\"node:@acme/legacy\"]\nremove = true\n\n\
                 [monorepo.projects.\"node:@acme/a\"]\nroot = \"elsewhere\"\n",
            ),
        ],
    );
    // b's build waits for c's now, not a's; legacy is no package at all.
    let (code, out, err) = run_in(&work, &repo, &["build", "--dry-run", "--json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let plan: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let tasks = plan["tasks"].as_array().unwrap();
    let names: BTreeSet<&str> = tasks.iter().map(|t| t["task"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["@acme/a#build", "@acme/b#build", "@acme/c#build"])
    );
    let b = tasks.iter().find(|t| t["task"] == "@acme/b#build").unwrap();
    assert_eq!(b["depends"], serde_json::json!(["@acme/c#build"]));
    // What is not supported is said once.
    let said = "`monorepo.projects.\"node:@acme/a\".root` is not read by vx";
    assert_eq!(err.matches(said).count(), 1, "{err}");
    // Run: c before b, legacy never.
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!err.contains(said), "said again: {err}");
    let order = take_order(&repo);
    let at = |n: &str| order.iter().position(|l| l == n);
    assert!(at("c") < at("b") && at("b").is_some(), "{order:?}");
    assert_eq!(at("legacy"), None, "{order:?}");
    assert_eq!(order.len(), 3, "{order:?}");
}

#[test]
fn inside_a_package_its_own_mise_tomls_task_wins_over_the_roots_of_the_same_name() {
    // jdx/mise's own shape: a Cargo workspace whose root mise.toml and a member's
    // (crates/vfox/mise.toml) both define `build`; `mise run build` in the member
    // runs the member's, in the member.
    let work = Work::new();
    let repo = tree(
        &work,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"sub\"]\n"),
            (
                "sub/Cargo.toml",
                "[package]\nname = \"sub\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("sub/src/lib.rs", ""),
            (
                "mise.toml",
                "[tasks.build]\nrun = 'echo \"root-build in $(basename $PWD)\" >> {order}'\n",
            ),
            (
                "sub/mise.toml",
                "[tasks.build]\nrun = 'echo \"sub-build in $(basename $PWD)\" >> {order}'\n",
            ),
        ],
    );
    let sub = repo.join("sub");
    assert_eq!(
        ran_below(&work, &repo, &sub, &["build"]),
        set(&["sub-build in sub"])
    );
    assert_eq!(
        ran_below(&work, &repo, &sub, &["//:build"]),
        set(&["root-build in repo"])
    );
    assert_eq!(ran(&work, &repo, &["build"]), set(&["root-build in repo"]));

    // mise's `[monorepo]`: a config root's own `build` inside it, the root's elsewhere.
    let work = Work::new();
    let repo = tree(
        &work,
        &[
            (
                "mise.toml",
                "monorepo_root = true\n[monorepo]\nconfig_roots = [\"web\", \"api\"]\n[tasks.build]\nrun = 'echo root-build >> {order}'\n",
            ),
            (
                "web/mise.toml",
                "[tasks.build]\nrun = 'echo web-build >> {order}'\n",
            ),
            (
                "api/mise.toml",
                "[tasks.test]\nrun = 'echo api-test >> {order}'\n",
            ),
        ],
    );
    let (web, api) = (repo.join("web"), repo.join("api"));
    assert_eq!(
        ran_below(&work, &repo, &web, &["build"]),
        set(&["web-build"])
    );
    assert_eq!(
        ran_below(&work, &repo, &api, &["build"]),
        set(&["root-build"])
    );
    assert_eq!(
        ran_below(&work, &repo, &web, &["//:build"]),
        set(&["root-build"])
    );
}

/// `vx run ARGS` in `dir` below `repo`, which must succeed: the set of lines the
/// tasks wrote to the root's `order`.
fn ran_below(work: &Work, repo: &Path, dir: &Path, args: &[&str]) -> BTreeSet<String> {
    let (code, out, err) = run_in(work, dir, args);
    assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
    take_order(repo).into_iter().collect()
}

/// The tree of a mise monorepo whose tasks name each other in mise's spellings
/// (`//...:test` at the root, `//libs/core:build` and `:build` in web), and one name
/// that no task answers to (api's `//libs/nothere:build`).
fn referencing(work: &Work) -> PathBuf {
    tree(
        work,
        &[
            (
                "mise.toml",
                "experimental_monorepo_root = true\n[monorepo]\nconfig_roots = [\"web\", \"api\", \"libs/core\"]\n[tasks.all]\ndepends = [\"//...:test\"]\nrun = 'echo all >> {order}'\n",
            ),
            (
                "libs/core/mise.toml",
                "[tasks.build]\nrun = 'echo core-build >> {order}'\n[tasks.test]\nrun = 'echo core-test >> {order}'\n",
            ),
            (
                "web/mise.toml",
                "[tasks.build]\ndepends = [\"//libs/core:build\"]\nrun = 'echo web-build >> {order}'\n[tasks.test]\ndepends = [\":build\"]\nrun = 'echo web-test >> {order}'\n",
            ),
            (
                "api/mise.toml",
                "[tasks.test]\nrun = 'echo api-test >> {order}'\n[tasks.lint]\ndepends = [\"//libs/nothere:build\"]\nrun = 'echo api-lint >> {order}'\n",
            ),
        ],
    )
}

#[test]
fn a_dependency_the_monorepo_resolves_is_never_said_to_be_no_task() {
    let work = Work::new();
    let repo = referencing(&work);
    let said = |err: &str| -> Vec<String> {
        (err.lines())
            .filter(|l| l.contains("which is no task here"))
            .map(str::to_owned)
            .collect()
    };
    let (code, out, err) = run_in(&work, &repo, &["all"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        take_order(&repo).into_iter().collect::<BTreeSet<_>>(),
        set(&[
            "core-build",
            "core-test",
            "web-build",
            "web-test",
            "api-test",
            "all"
        ])
    );
    // The one name no task answers to is said, once; the names the run resolves never.
    assert_eq!(
        said(&err),
        [
            "vx: task //api:lint depends on `//libs/nothere:build`, which is no task here: it is listed, and running it fails naming it (as in mise)"
        ],
        "{err}"
    );
    let (code, _, err) = run_in(&work, &repo, &["all"]);
    assert_eq!((code, said(&err)), (0, Vec::new()), "{err}");
    take_order(&repo);
    // Inside a package too, by the project found there.
    let (code, _, err) = run_in(&work, &repo.join("web"), &["test"]);
    assert_eq!((code, said(&err)), (0, Vec::new()), "{err}");
    assert_eq!(take_order(&repo), ["core-build", "web-build", "web-test"]);
    let (code, _, err) = work.outcome_with(&["exec", "--", "true"], |cmd| {
        cmd.current_dir(repo.join("web"));
    });
    assert_eq!((code, said(&err)), (0, Vec::new()), "{err}");
    // And running the task that names it fails naming it.
    let (code, _, err) = run_in(&work, &repo.join("api"), &["lint"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`//libs/nothere:build`"), "{err}");
}

#[test]
fn a_mise_project_alone_still_says_a_dependency_no_task_answers_to() {
    // Outside a monorepo, `:build` and `//...:test` are no task of the project: mise
    // refuses both when the task runs (`':task' pattern should be expanded`, `task
    // not found`), and vx says so when it reads the file.
    let work = Work::new();
    let repo = tree(
        &work,
        &[(
            "mise.toml",
            "[tasks.build]\nrun = 'echo build >> {order}'\n[tasks.test]\ndepends = [\":build\"]\nrun = 'echo test >> {order}'\n[tasks.x]\ndepends = [\"//...:build\"]\nrun = 'echo x >> {order}'\n",
        )],
    );
    let (code, _, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{err}");
    for (task, name) in [("test", ":build"), ("x", "//...:build")] {
        let line = format!("task {task} depends on `{name}`, which is no task here");
        assert!(err.contains(&line), "{line}\n{err}");
    }
}

#[test]
fn the_roots_own_tasks_name_others_in_mises_spellings_as_mise_resolves_them() {
    // mise 2026.9.15 runs this `x` with the root's `lint` (`:lint`, `//:lint`) and
    // web's `build` (and core's, which it waits for).
    let work = Work::new();
    let repo = referencing(&work);
    let root = std::fs::read_to_string(repo.join("mise.toml")).unwrap();
    let order = repo.join("order");
    std::fs::write(
        repo.join("mise.toml"),
        format!(
            "{root}[tasks.lint]\nrun = 'echo root-lint >> {0}'\n[tasks.x]\ndepends = [\":lint\", \"//:lint\", \"//web:build\"]\nrun = 'echo x >> {0}'\n",
            order.display()
        ),
    )
    .unwrap();
    let (code, _, err) = run_in(&work, &repo, &["x"]);
    assert_eq!(code, 0, "{err}");
    // Only api's name that no task answers to is said.
    let said: Vec<&str> = (err.lines())
        .filter(|l| l.contains("which is no task here"))
        .collect();
    assert!(said.len() == 1 && said[0].contains("//api:lint"), "{err}");
    assert_eq!(
        take_order(&repo).into_iter().collect::<BTreeSet<_>>(),
        set(&["root-lint", "core-build", "web-build", "x"])
    );

    // A root vx.toml beside a Cargo workspace: `//crates/core:test` is core's `test`.
    let work = Work::new();
    let repo = tree(
        &work,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/core\"]\n"),
            (
                "crates/core/Cargo.toml",
                "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("crates/core/src/lib.rs", ""),
            (
                "crates/core/vx.toml",
                "[tasks.test]\nrun = 'echo core-test >> {order}'\n",
            ),
            (
                "vx.toml",
                "[tasks.ci]\ndepends = [\"//crates/core:test\"]\nrun = 'echo ci >> {order}'\n",
            ),
        ],
    );
    assert_eq!(ran(&work, &repo, &["ci"]), set(&["core-test", "ci"]));
}
