//! turbo.json read in place, compared with turbo 2.11's own answers: the task graph and
//! each resolved definition of `turbo run … --dry=json`, kept by tests/data/make.sh
//! beside the pnpm workspace it made.

use std::collections::BTreeMap;

use super::common::{data, scratch, workspace};
use serde_json::Value;
use vx_workspace::turbo::{self, Plan, TaskId};
use vx_workspace::{Error, Graph, Workspace, discover};

fn dry(name: &str) -> Value {
    let text = std::fs::read_to_string(data(&format!("pnpm/expected/{name}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn plan_of(ws: &Workspace, tasks: &[&str]) -> Plan {
    let graph = Graph::new(ws);
    let t = turbo::load(ws).unwrap().expect("a turbo.json");
    turbo::plan(ws, &graph, &t, tasks, &vec![true; ws.packages.len()]).unwrap()
}

/// Our plan against turbo's dry run: the same tasks, each with the same dependencies,
/// command and resolved definition.
fn same_as_turbo(tasks: &[&str], dry_file: &str) {
    let ws = workspace("pnpm");
    let plan = plan_of(&ws, tasks);
    let theirs = dry(dry_file);
    let theirs: BTreeMap<String, &Value> = theirs["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["taskId"].as_str().unwrap().to_owned(), t))
        .collect();
    let ours: Vec<String> = plan.tasks.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(
        ours,
        theirs.keys().cloned().collect::<Vec<_>>(),
        "{tasks:?}: the tasks"
    );
    for t in &plan.tasks {
        let id = t.id.to_string();
        let turbo_task = theirs[&id];
        let deps: Vec<String> = t
            .depends
            .iter()
            .map(|&d| plan.tasks[d].id.to_string())
            .collect();
        assert_eq!(
            deps,
            strings(&turbo_task["dependencies"]),
            "{id}: dependencies"
        );
        let command = turbo_task["command"].as_str().unwrap();
        assert_eq!(
            t.command.as_deref().unwrap_or("<NONEXISTENT>"),
            command,
            "{id}: command"
        );
        let def = &turbo_task["resolvedTaskDefinition"];
        let dir = &ws.packages[t.package].dir;
        let globs = |g: &[turbo::Glob]| {
            let mut v: Vec<String> = g.iter().map(|g| g.relative_to(dir)).collect();
            v.sort();
            v
        };
        assert_eq!(
            globs(&t.task.outputs),
            strings(&def["outputs"]),
            "{id}: outputs"
        );
        assert_eq!(
            globs(&t.task.inputs),
            strings(&def["inputs"]),
            "{id}: inputs"
        );
        assert_eq!(t.task.env, strings(&def["env"]), "{id}: env");
        let mut depends_on: Vec<String> =
            t.task.depends_on.iter().map(ToString::to_string).collect();
        depends_on.sort();
        assert_eq!(depends_on, strings(&def["dependsOn"]), "{id}: dependsOn");
        assert_eq!(Some(t.task.cache), def["cache"].as_bool(), "{id}: cache");
        assert_eq!(
            Some(t.task.persistent),
            def["persistent"].as_bool(),
            "{id}: persistent"
        );
        assert_eq!(
            Some(t.task.interactive),
            def["interactive"].as_bool(),
            "{id}: interactive"
        );
    }
}

#[test]
fn build_plans_as_turbo_plans_it() {
    // `^build` through each package's dependencies; `web#build` in the root turbo.json
    // replaces `build` for web (its inputs, env and dependsOn, not merged); ui's own
    // turbo.json overrides `outputs` and appends to `env` with `$TURBO_EXTENDS$`.
    same_as_turbo(&["build"], "dry-build.json");
}

#[test]
fn test_and_lint_plan_as_turbo_plans_them() {
    // ui's `"test": { "extends": false }` drops ui#test; `$TURBO_ROOT$/jest.preset.js`
    // climbs to the root; a package without the script keeps the task (no command).
    same_as_turbo(&["test", "lint"], "dry-test-lint.json");
}

#[test]
fn root_and_package_only_tasks_plan_as_turbo_plans_them() {
    // `//#format` is the root's only task; `storybook` exists in docs alone (its own
    // turbo.json); `dev` is persistent and uncached.
    same_as_turbo(
        &["storybook", "format", "dev"],
        "dry-storybook-format-dev.json",
    );
}

#[test]
fn what_cannot_map_is_said_once_with_its_places() {
    let ws = workspace("pnpm");
    let t = turbo::load(&ws).unwrap().unwrap();
    let unmapped: Vec<(String, Vec<String>)> = t
        .unmapped()
        .into_iter()
        .map(|u| (u.key, u.places))
        .collect();
    assert_eq!(
        unmapped,
        [
            (
                "outputLogs".to_owned(),
                vec!["turbo.json: tasks.lint".to_owned()]
            ),
            ("tags".to_owned(), vec!["packages/ui/turbo.json".to_owned()]),
            ("ui".to_owned(), vec!["turbo.json".to_owned()]),
        ]
    );
    let root = t.root();
    let globals: Vec<&str> = root
        .global_dependencies
        .iter()
        .map(|g| g.pattern.as_str())
        .collect();
    assert_eq!(globals, ["tsconfig.base.json", ".env"]);
    assert_eq!(root.global_env, ["CI", "NODE_ENV"]);
    assert_eq!(
        root.global_pass_through_env.as_deref(),
        Some(&["HOME".to_owned()][..])
    );
}

#[test]
fn a_turbo_1_pipeline_reads_with_its_env_dependencies() {
    let dir = scratch(&[
        ("package.json", r#"{ "name": "r", "workspaces": ["p/*"] }"#),
        (
            "p/a/package.json",
            r#"{ "name": "a", "scripts": { "build": "x" } }"#,
        ),
        (
            "turbo.jsonc",
            r#"{
  // turbo 1
  "baseBranch": "origin/main",
  "globalDependencies": ["$GITHUB_TOKEN", "tsconfig.json"],
  "pipeline": {
    "build": { "dependsOn": ["^build", "$API_KEY"], "outputs": ["dist/**"], "outputMode": "new-only", },
  },
}"#,
        ),
    ]);
    let ws = discover(dir.path()).unwrap();
    let t = turbo::load(&ws).unwrap().unwrap();
    assert!(t.root().v1);
    assert_eq!(t.root().global_env, ["GITHUB_TOKEN"]);
    let build = t.task("a", "build").unwrap().unwrap();
    assert_eq!(build.env, ["API_KEY"]);
    assert_eq!(build.depends_on, [turbo::Dep::Topological("build".into())]);
    assert!(
        build.default_inputs && build.inputs.is_empty(),
        "no inputs: every file"
    );
    let keys: Vec<String> = t.unmapped().into_iter().map(|u| u.key).collect();
    assert_eq!(keys, ["baseBranch", "outputMode"], "by key");
    assert_eq!(TaskId::new("//", "build").to_string(), "//#build");
}

#[test]
fn malformed_turbo_json_is_an_error_naming_the_file() {
    let pkg = ("package.json", r#"{ "name": "r", "workspaces": ["p/*"] }"#);
    let a = (
        "p/a/package.json",
        r#"{ "name": "a", "scripts": { "build": "x", "dev": "y" } }"#,
    );
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[pkg, ("turbo.json", "{ \"tasks\": ")], "turbo.json"),
        (
            &[pkg, ("turbo.json", "{}"), ("turbo.jsonc", "{}")],
            "both turbo.json and turbo.jsonc",
        ),
        (
            &[
                pkg,
                (
                    "turbo.json",
                    r#"{ "tasks": { "build": { "dependsOn": ["$X"] } } }"#,
                ),
            ],
            "env",
        ),
        (
            &[
                pkg,
                (
                    "turbo.json",
                    r#"{ "tasks": { "build": { "inputs": ["$TURBO_ROOT$x"] } } }"#,
                ),
            ],
            "followed by a `/`",
        ),
        (
            &[
                pkg,
                (
                    "turbo.json",
                    r#"{ "tasks": { "build": { "outputs": ["/abs/**"] } } }"#,
                ),
            ],
            "absolute",
        ),
        (
            &[
                pkg,
                (
                    "turbo.json",
                    r#"{ "tasks": { "build": { "inputs": ["src/{a,b/**"] } } }"#,
                ),
            ],
            "`inputs`: \"src/{a,b/**\" is not a glob vx can read: a `{` is never closed",
        ),
        (
            &[
                pkg,
                (
                    "turbo.json",
                    r#"{ "tasks": { "build": { "cache": "no" } } }"#,
                ),
            ],
            "`cache`",
        ),
        (
            &[
                pkg,
                a,
                ("turbo.json", "{}"),
                ("p/a/turbo.json", r#"{ "tasks": {} }"#),
            ],
            "p/a/turbo.json",
        ),
        (
            &[
                pkg,
                a,
                ("turbo.json", "{}"),
                (
                    "p/a/turbo.json",
                    r#"{ "extends": ["//"], "tasks": { "a#build": {} } }"#,
                ),
            ],
            "without `package#`",
        ),
    ];
    for (files, named) in cases {
        let dir = scratch(files);
        let ws = discover(dir.path()).unwrap();
        let err = turbo::load(&ws).expect_err(named).to_string();
        assert!(err.contains(named), "{err:?} should say {named}");
    }
}

#[test]
fn plans_refuse_cycles_persistent_dependencies_and_unknown_tasks() {
    let files = |turbo_json: &'static str| {
        scratch(&[
            ("package.json", r#"{ "name": "r", "workspaces": ["p/*"] }"#),
            (
                "p/a/package.json",
                r#"{ "name": "a", "scripts": { "build": "x", "dev": "y", "test": "z" } }"#,
            ),
            ("turbo.json", turbo_json),
        ])
    };
    let run = |turbo_json: &'static str, tasks: &[&str]| -> Result<Plan, Error> {
        let dir = files(turbo_json);
        let ws = discover(dir.path()).unwrap();
        let t = turbo::load(&ws).unwrap().unwrap();
        turbo::plan(
            &ws,
            &Graph::new(&ws),
            &t,
            tasks,
            &vec![true; ws.packages.len()],
        )
    };
    let cycle = run(
        r#"{ "tasks": { "build": { "dependsOn": ["test"] }, "test": { "dependsOn": ["build"] } } }"#,
        &["build"],
    );
    let Err(Error::Cycle { cycle }) = cycle else {
        panic!("{cycle:?}")
    };
    assert!(cycle.contains(&"a#build".to_owned()) && cycle.contains(&"a#test".to_owned()));
    let persistent = run(
        r#"{ "tasks": { "build": { "dependsOn": ["dev"] }, "dev": { "persistent": true } } }"#,
        &["build"],
    );
    assert!(persistent.unwrap_err().to_string().contains("persistent"));
    let unknown = run(r#"{ "tasks": { "build": {} } }"#, &["deploy"]);
    assert!(unknown.unwrap_err().to_string().contains("\"deploy\""));
    let missing = run(
        r#"{ "tasks": { "build": { "dependsOn": ["nope#build"] } } }"#,
        &["build"],
    );
    assert!(missing.unwrap_err().to_string().contains("\"nope\""));
    let one = run(
        r#"{ "tasks": { "build": {}, "test": { "dependsOn": ["build"] } } }"#,
        &["a#test"],
    )
    .unwrap();
    let ids: Vec<String> = one.tasks.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, ["a#build", "a#test"]);
}

#[test]
fn package_turbo_json_files_extending_each_other_in_a_cycle_are_an_error() {
    let dir = scratch(&[
        ("package.json", r#"{ "name": "r", "workspaces": ["p/*"] }"#),
        ("p/a/package.json", r#"{ "name": "a" }"#),
        ("p/b/package.json", r#"{ "name": "b" }"#),
        ("turbo.json", r#"{ "tasks": { "build": {} } }"#),
        ("p/a/turbo.json", r#"{ "extends": ["b"], "tasks": {} }"#),
        ("p/b/turbo.json", r#"{ "extends": ["a"], "tasks": {} }"#),
    ]);
    let ws = discover(dir.path()).unwrap();
    let t = turbo::load(&ws).unwrap().unwrap();
    let err = t.task("a", "build").unwrap_err();
    assert!(matches!(err, Error::ExtendsCycle { .. }), "{err}");
}
