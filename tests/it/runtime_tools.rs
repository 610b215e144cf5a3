//! Runtime tools (issue 52, item 3): a language-registry package that runs on its
//! runtime is installed into an environment of its own made with the project's
//! runtime, its whole dependency set pinned by the registries' own hashes at lock
//! time. `"npm:prettier" = "3"` with `node = "20"`: the real node 20.11.1 (and the npm
//! it bundles) from the loopback nodejs.org, the real prettier 3.10.1 from a loopback
//! registry serving registry.npmjs.org's own packument and tarball; `vx lock` keeps
//! npm's lockfile (made by that npm) in the lock entry, `vx sync` installs it with
//! `npm ci --ignore-scripts`, and `prettier` runs through `vx exec`.
#![cfg(unix)]

use crate::common;

use common::project::{Project, locked};
use common::publishers::{node, npm, replacement_lines};

const PRETTIER_MANIFEST: &str = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n\n[tools]\nnode = \"20\"\n\"npm:prettier\" = \"3\"\n";

/// The user config sending nodejs.org and registry.npmjs.org to the loopback servers.
fn npm_config(
    dist: &vx::demo::fixture::TestServer,
    registry: &vx::demo::fixture::TestServer,
) -> String {
    format!(
        "[url_replacements]\n{}{}",
        replacement_lines(&node::config(dist)),
        replacement_lines(&npm::config(registry))
    )
}

fn node_dist() -> vx::demo::fixture::TestServer {
    node::serve(&[node::Release::real(&node::REAL_20, Some("Iron"))])
}

/// stdout and stderr of an output, for messages.
fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn prettier_installs_with_the_projects_node_from_npms_lockfile_and_runs() {
    let dist = node_dist();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), PRETTIER_MANIFEST);
    let out = project.vx().args(["lock", "-v"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));

    let lock = project.lock();
    let entry = lock["tools"]["prettier"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some(npm::PRETTIER));
    assert_eq!(entry["package"].as_str(), Some("npm:prettier"));
    // The package's own tarball is the download on every platform, by the
    // registry's own integrity.
    for platform in ["linux-x86_64", "macos-aarch64", "windows-x86_64"] {
        let asset = locked(&lock, "prettier", platform);
        assert_eq!(
            asset["url"].as_str(),
            Some("https://registry.npmjs.org/prettier/-/prettier-3.10.1.tgz")
        );
        assert_eq!(
            asset["integrity"].as_str(),
            Some(npm::prettier_integrity().as_str())
        );
    }
    // npm's lockfile, made by the project's npm: the whole set by the registry's
    // integrity, and no loopback URL.
    let environment = entry["environment"].as_table().unwrap();
    assert_eq!(environment["runtime"].as_str(), Some("node"));
    assert_eq!(environment["runtime_version"].as_str(), Some(node::REAL));
    assert_eq!(
        environment["registry"].as_str(),
        Some("https://registry.npmjs.org")
    );
    let lockfile: serde_json::Value =
        serde_json::from_str(environment["lockfile"].as_str().unwrap()).unwrap();
    let packages = lockfile["packages"].as_object().unwrap();
    assert_eq!(
        packages["node_modules/prettier"]["integrity"].as_str(),
        Some(npm::prettier_integrity().as_str()),
        "{lockfile:#}"
    );
    assert!(
        !environment["lockfile"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1"),
        "{lockfile:#}"
    );

    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
    // It formats, with the project's node.
    let file = project.work.dir.path().join("ugly.js");
    std::fs::write(&file, "const  a = {b:1}\n").unwrap();
    let out = project
        .vx()
        .args(["exec", "--", "prettier"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "const a = { b: 1 };\n",
        "{}",
        text(&out)
    );
    // Locked, it installs the same bytes again into a fresh store.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    std::fs::remove_dir_all(store.join("prettier")).unwrap();
    let out = project
        .vx()
        .args(["sync", "--headless", "--locked"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
}
