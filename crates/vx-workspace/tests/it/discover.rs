//! Discovery and the package graph on workspaces laid out by the real tools
//! (tests/data/make.sh): pnpm, npm, yarn 1, yarn 4, bun, Cargo, uv and Go.

use super::common::{data, edges, scratch, want, workspace};
use vx_workspace::discover::{Detected, PackageManagerKind};
use vx_workspace::{Ecosystem, Error, Graph, discover};

fn names(ws: &vx_workspace::Workspace) -> Vec<&str> {
    ws.packages.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn pnpm_workspace_finds_the_packages_turbo_finds() {
    let ws = workspace("pnpm");
    // turbo ls's own answer, kept by make.sh.
    let turbo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("pnpm/expected/ls.json")).unwrap())
            .unwrap();
    let mut theirs: Vec<&str> = turbo["packages"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    theirs.sort();
    let mut ours: Vec<&str> = names(&ws).into_iter().filter(|n| *n != "//").collect();
    ours.sort();
    assert_eq!(
        ours, theirs,
        "the `!packages/scratch` negation leaves scratch out"
    );
    assert_eq!(ws.packages[0].name, "//");
    assert_eq!(ws.packages[0].manifest_name.as_deref(), Some("acme"));
    let pm = ws.package_manager.as_ref().unwrap();
    assert_eq!(pm.kind, PackageManagerKind::Pnpm);
    assert_eq!(pm.version.as_deref(), Some("9.15.9"));
    assert_eq!(pm.detected, Detected::PackageManagerField);
    assert_eq!(ws.files, ["package.json", "pnpm-workspace.yaml"]);
    let web = ws.package("web").unwrap();
    assert_eq!(web.dir, "apps/web");
    assert_eq!(web.version.as_deref(), Some("1.0.0"));
    assert_eq!(web.scripts["build"], "echo build web");
    assert_eq!(
        ws.package("//").unwrap().scripts["build"],
        "turbo run build"
    );
}

#[test]
fn pnpm_edges_follow_the_workspace_protocol() {
    let ws = workspace("pnpm");
    assert_eq!(
        edges(&ws),
        want(&[
            ("//", &[]),
            ("@acme/tsconfig", &[]),
            ("@acme/ui", &["@acme/tsconfig", "@acme/utils"]),
            ("@acme/utils", &[]),
            ("docs", &["@acme/tsconfig", "@acme/ui"]),
            ("web", &["@acme/ui"]),
        ])
    );
}

/// turbo's answer to `turbo run build --dry=json` in the rootdeps workspace: the
/// dependencies of `task`.
fn rootdeps_turbo_dependencies(task: &str) -> serde_json::Value {
    let dry: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data("rootdeps/expected/dry-build.json")).unwrap(),
    )
    .unwrap();
    dry["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["taskId"] == task)
        .unwrap_or_else(|| panic!("no {task}"))["dependencies"]
        .clone()
}

/// The direct dependencies of the package `name`, by name.
fn deps_of(ws: &vx_workspace::Workspace, name: &str) -> Vec<String> {
    edges(ws)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

/// A package named as the root's package.json is (`kit`, in packages/lib) is the one
/// `workspace:^` links, as pnpm's lockfile (`link:../../packages/lib`) and turbo's
/// graph (`app#build` after `kit#build`) have it; the root's own dependency stays.
#[test]
fn a_package_named_as_the_root_is_the_one_a_dependency_links() {
    let ws = workspace("rootdeps");
    assert_eq!(deps_of(&ws, "app"), ["@kit/types", "kit"]);
    assert_eq!(deps_of(&ws, "//"), ["@kit/config"]);
    assert_eq!(
        rootdeps_turbo_dependencies("app#build"),
        serde_json::json!(["@kit/types#build", "kit#build"])
    );
}

/// site's `"other": "npm:other"` links other, its `npm:@kit/types@^1.0.0` nothing:
/// pnpm links both, turbo (whose graph vx plans as) only the first.
#[test]
fn an_npm_alias_of_its_own_name_without_a_range_links_as_turbo_links_it() {
    let ws = workspace("rootdeps");
    assert_eq!(deps_of(&ws, "site"), ["other"]);
    assert_eq!(
        rootdeps_turbo_dependencies("site#build"),
        serde_json::json!(["other#build"])
    );
}

#[test]
fn npm_links_ranges_the_workspace_version_satisfies() {
    let ws = workspace("npm");
    assert_eq!(
        ws.package_manager.as_ref().map(|m| (m.kind, m.detected)),
        Some((
            PackageManagerKind::Npm,
            Detected::Lockfile("package-lock.json")
        ))
    );
    assert_eq!(
        edges(&ws),
        want(&[
            ("//", &[]),
            ("a", &["b"]),
            ("b", &[]),
            // `a` optional links; `b` a peer: the dependent's to provide, no edge (as
            // turbo 2.11 leaves peers out: better-auth's and plate's in the corpus).
            ("c", &["a"]),
            ("@npm-mono/cli", &["c"]),
        ])
    );
    assert_eq!(ws.package("@npm-mono/cli").unwrap().dir, "tools/cli");
}

#[test]
fn yarn_classic_reads_the_object_form() {
    let ws = workspace("yarn1");
    assert_eq!(
        ws.package_manager.as_ref().map(|m| (m.kind, m.detected)),
        Some((PackageManagerKind::Yarn, Detected::Lockfile("yarn.lock")))
    );
    assert_eq!(
        edges(&ws),
        want(&[("//", &[]), ("app", &["lib"]), ("lib", &[])])
    );
}

#[test]
fn yarn_berry_and_bun_workspaces() {
    let berry = workspace("berry");
    let pm = berry.package_manager.as_ref().unwrap();
    assert_eq!(
        (pm.kind, pm.detected),
        (PackageManagerKind::Berry, Detected::PackageManagerField)
    );
    assert_eq!(
        edges(&berry),
        want(&[
            ("//", &[]),
            ("@berry/app", &["@berry/lib"]),
            ("@berry/lib", &[])
        ])
    );
    let bun = workspace("bun");
    assert_eq!(
        bun.package_manager.as_ref().map(|m| (m.kind, m.detected)),
        Some((PackageManagerKind::Bun, Detected::Lockfile("bun.lock")))
    );
    assert_eq!(
        edges(&bun),
        want(&[("//", &[]), ("core", &[]), ("server", &["core"])])
    );
}

#[test]
fn cargo_members_exclude_and_every_path_dependency() {
    let ws = workspace("cargo");
    assert_eq!(names(&ws), ["//", "app", "core", "util", "cli"]);
    assert!(
        ws.packages[1..]
            .iter()
            .all(|p| p.ecosystem == Ecosystem::Cargo)
    );
    assert_eq!(
        ws.package("core").unwrap().version.as_deref(),
        Some("0.3.0"),
        "version.workspace"
    );
    // app: `core.workspace = true` and a `cfg(unix)` target dependency; cli: a normal
    // and a build dependency.
    assert_eq!(
        edges(&ws),
        want(&[
            ("//", &[]),
            ("app", &["core", "util"]),
            ("cli", &["app", "util"]),
            ("core", &[]),
            ("util", &[]),
        ])
    );
}

#[test]
fn cargo_takes_in_path_dependencies_no_pattern_lists() {
    let dir = scratch(&[
        ("Cargo.toml", "[workspace]\nmembers = [\"app\"]\n"),
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\n[dependencies]\nhelper = { path = \"../helper\" }\n",
        ),
        ("helper/Cargo.toml", "[package]\nname = \"helper\"\n"),
    ]);
    let ws = discover(dir.path()).unwrap();
    assert_eq!(
        edges(&ws),
        want(&[("//", &[]), ("app", &["helper"]), ("helper", &[])])
    );
}

#[test]
fn uv_members_exclude_and_workspace_sources() {
    let ws = workspace("uv");
    assert_eq!(
        names(&ws),
        ["//", "lib-a", "lib-b"],
        "packages/legacy is excluded"
    );
    assert_eq!(ws.packages[0].manifest_name.as_deref(), Some("uv-mono"));
    assert_eq!(ws.packages[0].ecosystem, Ecosystem::Uv);
    assert_eq!(
        edges(&ws),
        want(&[("//", &["lib-a"]), ("lib-a", &["lib-b"]), ("lib-b", &[])])
    );
}

#[test]
fn go_work_uses_and_local_replaces() {
    let ws = workspace("go");
    assert_eq!(
        names(&ws),
        [
            "//",
            "example.com/app",
            "example.com/lib",
            "example.com/tools"
        ]
    );
    assert_eq!(ws.files, ["go.work"]);
    assert_eq!(
        edges(&ws),
        want(&[
            ("//", &[]),
            ("example.com/app", &["example.com/lib"]),
            ("example.com/lib", &[]),
            ("example.com/tools", &[]),
        ])
    );
}

#[test]
fn each_path_belongs_to_the_deepest_package_holding_it() {
    let ws = workspace("pnpm");
    let owners = ws.owners();
    let name = |path: &str| ws.packages[owners.of(path)].name.as_str();
    assert_eq!(name("apps/web/src/index.ts"), "web");
    assert_eq!(name("packages/ui"), "@acme/ui");
    assert_eq!(
        name("packages/scratch/index.js"),
        "//",
        "scratch is no member"
    );
    assert_eq!(name("turbo.json"), "//");
    assert_eq!(name("apps/webx/a"), "//");
}

#[test]
fn topological_order_puts_dependencies_first() {
    let ws = workspace("pnpm");
    let g = Graph::new(&ws);
    let order = g.topological().unwrap();
    let at = |name: &str| {
        order
            .iter()
            .position(|&i| ws.packages[i].name == name)
            .unwrap()
    };
    assert!(at("@acme/utils") < at("@acme/ui"));
    assert!(at("@acme/tsconfig") < at("docs"));
    assert!(at("@acme/ui") < at("web"));
    let ui = ws
        .packages
        .iter()
        .position(|p| p.name == "@acme/ui")
        .unwrap();
    let up: Vec<&str> = g
        .dependent_closure([ui])
        .iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .map(|(i, _)| ws.packages[i].name.as_str())
        .collect();
    assert_eq!(up, ["docs", "web"]);
}

#[test]
fn a_cycle_is_an_error_naming_it() {
    let dir = scratch(&[
        ("package.json", r#"{ "name": "r", "workspaces": ["p/*"] }"#),
        (
            "p/a/package.json",
            r#"{ "name": "a", "dependencies": { "b": "workspace:*" } }"#,
        ),
        (
            "p/b/package.json",
            r#"{ "name": "b", "dependencies": { "c": "workspace:*" } }"#,
        ),
        (
            "p/c/package.json",
            r#"{ "name": "c", "dependencies": { "a": "workspace:*" } }"#,
        ),
        (
            "p/d/package.json",
            r#"{ "name": "d", "dependencies": { "a": "workspace:*" } }"#,
        ),
    ]);
    let ws = discover(dir.path()).unwrap();
    let err = Graph::new(&ws).topological().unwrap_err();
    let Error::Cycle { cycle } = &err else {
        panic!("{err}")
    };
    assert_eq!(cycle.first(), cycle.last());
    let mut members: Vec<&str> = cycle[1..].iter().map(String::as_str).collect();
    members.sort();
    assert_eq!(
        members,
        ["a", "b", "c"],
        "d depends on the cycle but is not in it"
    );
    assert!(err.to_string().contains(" -> "), "{err}");
}

#[test]
fn malformed_files_are_errors_naming_them() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("package.json", "{ \"name\": ")], "package.json"),
        (
            &[("package.json", r#"{ "workspaces": 3 }"#)],
            "package.json",
        ),
        (
            &[
                ("package.json", "{}"),
                ("pnpm-workspace.yaml", "packages: [\n"),
            ],
            "pnpm-workspace.yaml",
        ),
        (
            &[
                ("package.json", r#"{ "workspaces": ["p/*"] }"#),
                ("p/a/package.json", r#"{ "version": "1" }"#),
            ],
            "p/a/package.json",
        ),
        (
            &[
                ("package.json", r#"{ "workspaces": ["p/*"] }"#),
                (
                    "p/a/package.json",
                    r#"{ "name": "a", "dependencies": { "b": 1 } }"#,
                ),
            ],
            "p/a/package.json",
        ),
        (
            &[("Cargo.toml", "[workspace]\nmembers = [\"gone\"]\n")],
            "Cargo.toml",
        ),
        (&[("Cargo.toml", "[workspace\n")], "Cargo.toml"),
        (
            &[("pyproject.toml", "[tool.uv.workspace]\nmembers = \"x\"\n")],
            "pyproject.toml",
        ),
        (&[("go.work", "use ../outside\n")], "go.work"),
        (
            &[("go.work", "use ./m\n"), ("m/go.mod", "go 1.22\n")],
            "m/go.mod",
        ),
        (
            &[
                ("package.json", r#"{ "workspaces": ["p/*"] }"#),
                ("p/a/package.json", r#"{ "name": "x" }"#),
                ("p/b/package.json", r#"{ "name": "x" }"#),
            ],
            "p/b",
        ),
        (&[("README.md", "no workspace")], "no workspace here"),
    ];
    for (files, named) in cases {
        let dir = scratch(files);
        let err = discover(dir.path()).expect_err(named).to_string();
        assert!(err.contains(named), "{err:?} should name {named}");
    }
}

#[test]
fn an_oversized_manifest_is_refused_by_name() {
    let dir = scratch(&[("package.json", "{}")]);
    let big = format!("{{ \"name\": \"{}\" }}", "x".repeat(5 << 20));
    std::fs::write(dir.path().join("package.json"), big).unwrap();
    let err = discover(dir.path()).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("package.json"));
}

#[test]
fn node_modules_and_links_are_never_entered() {
    let dir = scratch(&[
        ("package.json", r#"{ "workspaces": ["**"] }"#),
        ("a/package.json", r#"{ "name": "a" }"#),
        ("node_modules/x/package.json", r#"{ "name": "x" }"#),
        ("a/node_modules/y/package.json", r#"{ "name": "y" }"#),
    ]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
    let ws = discover(dir.path()).unwrap();
    assert_eq!(names(&ws), ["//", "a"]);
}

#[test]
fn pnpm_skips_bower_components_but_not_test_directories() {
    // `pnpm ls -r --depth -1` (pnpm 9.15.9) lists exactly root, a, fx, b and c here.
    let dir = scratch(&[
        ("package.json", r#"{ "name": "root" }"#),
        (
            "pnpm-workspace.yaml",
            "packages:\n  - \"packages/**\"\n  - \"tests/*\"\n",
        ),
        ("packages/a/package.json", r#"{ "name": "a" }"#),
        (
            "packages/a/test/fixture/package.json",
            r#"{ "name": "fx" }"#,
        ),
        ("packages/b/package.json", r#"{ "name": "b" }"#),
        (
            "packages/bower_components/d/package.json",
            r#"{ "name": "d" }"#,
        ),
        ("tests/c/package.json", r#"{ "name": "c" }"#),
    ]);
    let ws = discover(dir.path()).unwrap();
    assert_eq!(names(&ws), ["//", "a", "fx", "b", "c"]);
}

/// 1,000 packages in a chain of dependencies, discovered and linked in order (how fast:
/// `scripts/bench-monorepo.sh`, docs/BENCHMARKS.md; a test holds no time).
#[test]
fn a_thousand_packages_are_discovered_and_ordered() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{ "name": "big", "private": true }"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pnpm-workspace.yaml"),
        "packages:\n  - 'packages/*'\n  - 'apps/**'\n",
    )
    .unwrap();
    for i in 0..1000 {
        let d = dir.path().join(format!("packages/p{i:04}"));
        std::fs::create_dir_all(d.join("src")).unwrap();
        let dep = if i > 0 {
            format!(
                r#", "dependencies": {{ "p{:04}": "workspace:*", "left-pad": "^1" }}"#,
                i - 1
            )
        } else {
            String::new()
        };
        std::fs::write(
            d.join("package.json"),
            format!(r#"{{ "name": "p{i:04}", "version": "1.0.0", "scripts": {{ "build": "tsc" }}{dep} }}"#),
        )
        .unwrap();
    }
    let ws = discover(dir.path()).unwrap();
    let g = Graph::new(&ws);
    let order = g.topological().unwrap();
    assert_eq!(ws.packages.len(), 1001);
    assert_eq!(ws.packages[order[1]].name, "p0000");
    assert_eq!(ws.packages[order[1000]].name, "p0999");
}

/// pnpm links a workspace package for a plain range only where its
/// `link-workspace-packages` says so: on by default before pnpm 9, off since (turbo's
/// graph of cloudflare/workers-sdk, pnpm 9, and of blitz-js/blitz, pnpm 8, in the
/// corpus of scripts/turbo-corpus).
#[test]
fn pnpm_links_a_plain_range_as_its_version_and_settings_say() {
    let files = |pm: &str, npmrc: &str| {
        scratch(&[
            (
                "package.json",
                &format!(r#"{{ "name": "r", "packageManager": "{pm}" }}"#),
            ),
            ("pnpm-workspace.yaml", "packages:\n  - 'p/*'\n"),
            (".npmrc", npmrc),
            ("p/a/package.json", r#"{ "name": "a", "version": "1.0.0" }"#),
            (
                "p/b/package.json",
                r#"{ "name": "b", "version": "1.0.0", "dependencies": { "a": "^1.0.0" } }"#,
            ),
        ])
    };
    let b_deps = |dir: &tempfile::TempDir| {
        let ws = discover(dir.path()).unwrap();
        edges(&ws).into_iter().find(|(n, _)| n == "b").unwrap().1
    };
    assert_eq!(b_deps(&files("pnpm@9.15.9", "")), Vec::<String>::new());
    assert_eq!(b_deps(&files("pnpm@8.6.6", "")), ["a"]);
    assert_eq!(
        b_deps(&files("pnpm@9.15.9", "link-workspace-packages = true\n")),
        ["a"]
    );
}
