//! A monorepo as it stands (issue 77): the real `vx run` at a pnpm + turbo workspace's
//! root and inside its packages, with no vx.toml. The workspace is laid out as pnpm 9
//! lays one out (`pnpm-workspace.yaml`, each package's package.json, `workspace:*`
//! dependencies, `node_modules/.bin` at the root; crates/vx-workspace/tests/data/make.sh
//! records the same layout made by the real pnpm and turbo), each script a shell line
//! that leaves a trace, so the order and the place each ran in are what is checked.

use std::path::{Path, PathBuf};

use crate::common::Work;

/// The workspace: `web` depends on `@acme/ui`; `docs` on nothing; the root's own
/// `build` runs turbo (and must never be what `vx run build` runs).
pub(crate) fn workspace() -> (Work, PathBuf) {
    let work = Work::new();
    let repo = work.dir.path().join("repo");
    let files: [(&str, &str); 7] = [
        (
            "package.json",
            r#"{ "name": "acme", "private": true, "packageManager": "pnpm@9.15.9",
                 "scripts": { "build": "echo root >> order" } }"#,
        ),
        (
            "pnpm-workspace.yaml",
            "packages:\n  - \"apps/*\"\n  - \"packages/*\"\n",
        ),
        (
            "turbo.json",
            r#"{ "$schema": "https://turborepo.com/schema.json",
                 "tasks": { "build": { "dependsOn": ["^build"], "outputs": ["dist/**"] },
                            "lint": {} } }"#,
        ),
        (
            "packages/ui/package.json",
            r#"{ "name": "@acme/ui", "version": "1.0.0",
                 "scripts": { "build": "mkdir -p dist && cp src/ui.txt dist/ui.txt && echo ui >> ../../order" } }"#,
        ),
        ("packages/ui/src/ui.txt", "ui one\n"),
        (
            "apps/web/package.json",
            r#"{ "name": "web", "version": "1.0.0", "dependencies": { "@acme/ui": "workspace:*" },
                 "scripts": { "build": "mkdir -p dist && cp ../../packages/ui/dist/ui.txt dist/web.txt && echo web >> ../../order",
                              "lint": "hello > linted" } }"#,
        ),
        (
            "apps/docs/package.json",
            r#"{ "name": "docs", "version": "1.0.0",
                 "scripts": { "build": "mkdir -p dist && echo docs > dist/docs.txt && echo docs >> ../../order" } }"#,
        ),
    ];
    for (rel, text) in files {
        let path = repo.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // A package's bin as pnpm links it into the root's node_modules/.bin.
    let bin = repo.join("node_modules/.bin/hello");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::write(&bin, "#!/bin/sh\necho hello from node_modules\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    (work, repo)
}

/// `vx run ARGS` in `dir`: exit code, stdout, stderr.
fn run_in(work: &Work, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let dir = dir.to_owned();
    work.outcome_with(&[&["run", "--output", "prefix"], args].concat(), |cmd| {
        cmd.current_dir(dir);
    })
}

/// The packages whose build ran, in the order they ran.
pub(crate) fn order(repo: &Path) -> Vec<String> {
    std::fs::read_to_string(repo.join("order"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn vx_run_build_at_the_root_builds_every_package_after_its_dependencies_and_never_the_roots_turbo_script()
 {
    let (work, repo) = workspace();
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let ran = order(&repo);
    assert_eq!(ran.len(), 3, "{ran:?}\n{out}\n{err}");
    let at = |name: &str| {
        ran.iter()
            .position(|r| r == name)
            .unwrap_or_else(|| panic!("{name} did not run: {ran:?}"))
    };
    assert!(
        at("ui") < at("web"),
        "web built before its dependency: {ran:?}"
    );
    assert!(
        !ran.contains(&"root".to_owned()),
        "the root's `turbo run build` ran: {ran:?}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("apps/web/dist/web.txt")).unwrap(),
        "ui one\n"
    );
    // Each task is named as turbo names it: its result kept under that name.
    assert!(err.contains("`web#build` kept"), "{out}\n{err}");
}

#[test]
fn a_root_task_turbo_json_names_runs_beside_the_packages_but_only_from_the_root() {
    // turbo runs `//#lint` with `turbo run lint` when turbo.json names it (typehero,
    // inbox-zero and drizzle in the corpus), beside each package's `lint`.
    let (work, repo) = workspace();
    std::fs::write(
        repo.join("turbo.json"),
        r#"{ "tasks": { "build": { "dependsOn": ["^build"] }, "lint": {}, "//#lint": {} } }"#,
    )
    .unwrap();
    std::fs::write(
        repo.join("package.json"),
        r#"{ "name": "acme", "private": true,
             "scripts": { "build": "echo root >> order", "lint": "echo root-lint > root-linted" } }"#,
    )
    .unwrap();
    let (code, out, err) = run_in(&work, &repo, &["lint"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        repo.join("root-linted").is_file(),
        "//#lint ran: {out}\n{err}"
    );
    assert!(
        repo.join("apps/web/linted").is_file(),
        "web#lint ran: {out}\n{err}"
    );
    // The root's `build`, which turbo.json does not name, is still no task.
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!order(&repo).contains(&"root".to_owned()), "{out}\n{err}");
    // Inside a package, only that package's.
    std::fs::remove_file(repo.join("root-linted")).unwrap();
    let (code, out, err) = run_in(&work, &repo.join("apps/web"), &["lint"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!repo.join("root-linted").exists(), "{out}\n{err}");
}

#[test]
fn what_git_ignores_is_no_default_input_so_a_task_leaving_it_behind_still_hits() {
    // A test run leaves `coverage/` (different each run) and eslint its cache: turbo
    // hashes only what git tracks or would track, so the next run is a hit. An input
    // named outright (`.env`, ignored too) still counts, as with turbo's
    // `["$TURBO_DEFAULT$", ".env"]`.
    let (work, repo) = workspace();
    std::fs::write(repo.join(".gitignore"), "node_modules\ncoverage/\n.env\n").unwrap();
    std::fs::write(
        repo.join("turbo.json"),
        r#"{ "tasks": { "test": {}, "check": { "inputs": ["$TURBO_DEFAULT$", ".env"] } } }"#,
    )
    .unwrap();
    std::fs::write(
        repo.join("apps/docs/package.json"),
        r#"{ "name": "docs", "version": "1.0.0",
             "scripts": { "test": "mkdir -p coverage && date +%s%N > coverage/lcov.info && echo docs >> ../../order",
                          "check": "echo check >> ../../order" } }"#,
    )
    .unwrap();
    let docs = repo.join("apps/docs");
    let ran = |args: &[&str]| {
        std::fs::remove_file(repo.join("order")).ok();
        let (code, out, err) = run_in(&work, &docs, args);
        assert_eq!(code, 0, "{out}\n{err}");
        (order(&repo).len(), format!("{out}{err}"))
    };
    assert_eq!(ran(&["test"]).0, 1);
    let (runs, said) = ran(&["test"]);
    assert_eq!(runs, 0, "coverage/ (ignored) changed the key: {said}");
    // A file git would track, not yet added, is an input.
    std::fs::write(docs.join("notes.md"), "new\n").unwrap();
    let (runs, said) = ran(&["test"]);
    assert_eq!(runs, 1, "an untracked, unignored file is an input: {said}");
    // An ignored file named outright is an input.
    std::fs::write(docs.join(".env"), "A=1\n").unwrap();
    assert_eq!(ran(&["check"]).0, 1);
    assert_eq!(ran(&["check"]).0, 0);
    std::fs::write(docs.join(".env"), "A=2\n").unwrap();
    let (runs, said) = ran(&["check"]);
    assert_eq!(runs, 1, ".env is named in inputs: {said}");
}

/// turbo's `outputs` with a `!` (a Next.js app's `[".next/**", "!.next/cache/**"]`):
/// the build's cache is no output, so it is neither kept nor restored, and the result
/// is restored. (The negation was dropped: the cache went into every kept and pushed
/// result.)
#[test]
fn a_negated_turbo_output_is_left_out_of_the_kept_result() {
    let (work, repo) = workspace();
    std::fs::write(
        repo.join("turbo.json"),
        r#"{ "tasks": { "build": { "outputs": [".next/**", "!.next/cache/**"] } } }"#,
    )
    .unwrap();
    std::fs::write(
        repo.join("apps/docs/package.json"),
        r#"{ "name": "docs", "version": "1.0.0",
             "scripts": { "build": "mkdir -p .next/cache && echo page > .next/page.html && echo cache > .next/cache/big && echo docs >> ../../order" } }"#,
    )
    .unwrap();
    let docs = repo.join("apps/docs");
    let (code, out, err) = run_in(&work, &docs, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), ["docs"]);
    std::fs::remove_dir_all(docs.join(".next")).unwrap();
    let (code, out, err) = run_in(&work, &docs, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), ["docs"], "restored, not run: {out}{err}");
    let page = std::fs::read_to_string(docs.join(".next/page.html")).unwrap();
    assert_eq!(page, "page\n");
    assert!(!docs.join(".next/cache").exists(), "the cache is no output");
}

#[test]
fn inside_a_package_vx_run_build_builds_that_package_and_what_it_depends_on() {
    let (work, repo) = workspace();
    let (code, out, err) = run_in(&work, &repo.join("apps/web"), &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), ["ui", "web"]);
}

#[test]
fn a_second_run_builds_nothing_and_a_changed_package_rebuilds_with_its_dependents_only() {
    let (work, repo) = workspace();
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    std::fs::remove_file(repo.join("order")).unwrap();
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), Vec::<String>::new(), "{out}\n{err}");
    std::fs::write(repo.join("packages/ui/src/ui.txt"), "ui two\n").unwrap();
    let (code, out, err) = run_in(&work, &repo, &["build"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), ["ui", "web"], "{out}\n{err}");
    assert_eq!(
        std::fs::read_to_string(repo.join("apps/web/dist/web.txt")).unwrap(),
        "ui two\n"
    );
}

#[test]
fn a_filter_with_dry_run_json_prints_the_plan_and_runs_nothing() {
    let (work, repo) = workspace();
    let (code, out, err) = run_in(
        &work,
        &repo,
        &["build", "--filter", "web...", "--dry-run", "--json"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), Vec::<String>::new(), "a dry run ran a task");
    let plan: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(plan["event"], "plan");
    let tasks: Vec<&str> = plan["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task"].as_str().unwrap())
        .collect();
    assert_eq!(tasks, ["@acme/ui#build", "web#build"]);
    let web = &plan["tasks"][1];
    assert_eq!(web["package"], "web");
    assert_eq!(web["dir"], "apps/web");
    assert_eq!(web["depends"], serde_json::json!(["@acme/ui#build"]));
    assert_eq!(web["cache"], "miss");
    assert_eq!(web["key"].as_str().map(str::len), Some(64));
    // Excluding a package, and a name no package has.
    let (code, out, _) = run_in(
        &work,
        &repo,
        &["build", "--filter", "!web", "--dry-run", "--json"],
    );
    assert_eq!(code, 0);
    assert!(
        !out.contains("web#build") && out.contains("docs#build"),
        "{out}"
    );
    let (code, _, err) = run_in(&work, &repo, &["build", "--filter", "nosuch", "--dry-run"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nosuch"), "{err}");
    // After a `--`, `--dry-run` is the task's word, not the run's flag: it runs.
    let (code, out, err) = run_in(&work, &repo, &["docs#build", "--", "--dry-run"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(order(&repo), ["docs --dry-run"]);
}

#[test]
fn a_package_task_runs_with_the_workspaces_node_modules_bin_first_on_path() {
    let (work, repo) = workspace();
    let (code, out, err) = run_in(&work, &repo, &["web#lint"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        std::fs::read_to_string(repo.join("apps/web/linted")).unwrap(),
        "hello from node_modules\n"
    );
}

#[test]
fn outside_a_monorepo_a_filter_is_refused_by_name() {
    let work = Work::with_tasks("[tasks.build]\nrun = \"true\"\n");
    let (code, _, err) = work.run_tasks(&["--filter", "web", "build"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--filter") && err.contains("monorepo"),
        "{err}"
    );
    // After the task's name, outside a monorepo, the words are the task's own.
    let (code, _, err) = work.run_tasks(&["build", "--filter", "web"]);
    assert_eq!(code, 0, "{err}");
}
