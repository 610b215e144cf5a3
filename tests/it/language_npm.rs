//! npm tools that ship their command as a per-platform binary (issue 52, items 1, 2, 5
//! and 6): `"npm:esbuild" = "0.24"` locks, for linux-x86_64, macos-aarch64 and
//! windows-x86_64, each platform package's tarball URL and the registry's own
//! `integrity` without downloading a tarball; syncs on Linux from a loopback registry
//! serving npm's real documents and the real `@esbuild/linux-x64` tarball, with no
//! node; and refuses a tarball that is not the one the registry's sha512 names.

use crate::common;

use common::project::{Project, locked};
use common::publishers::npm;

const MANIFEST: &str = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n\n[tools]\n\"npm:esbuild\" = \"0.24\"\n";

#[test]
fn esbuild_locks_every_platform_by_the_registrys_integrity_and_runs_without_node() {
    let registry = npm::serve();
    let project = Project::new(&npm::config(&registry), MANIFEST);
    project.vx().arg("lock").assert().success();
    assert!(
        !registry.paths().iter().any(|p| p.ends_with(".tgz")),
        "no tarball is downloaded to lock: {:?}",
        registry.paths()
    );
    let lock = project.lock();
    let entry = lock["tools"]["esbuild"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some(npm::ESBUILD));
    assert_eq!(entry["package"].as_str(), Some("npm:esbuild"));
    assert_eq!(entry["constraint"].as_str(), Some("0.24"));
    for (platform, package) in [
        ("linux-x86_64", "linux-x64"),
        ("macos-aarch64", "darwin-arm64"),
        ("windows-x86_64", "win32-x64"),
    ] {
        let asset = locked(&lock, "esbuild", platform);
        assert_eq!(
            asset["url"].as_str().unwrap(),
            format!("https://registry.npmjs.org/@esbuild/{package}/-/{package}-0.24.0.tgz"),
            "the registry's own URL"
        );
        assert_eq!(
            asset["integrity"].as_str().unwrap(),
            npm::integrity(package, npm::ESBUILD),
            "the registry's own hash"
        );
        assert!(asset.get("sha256").is_none(), "{asset:?}");
    }

    // The real binary, installed by vx from the lock: no node on PATH is needed.
    project.synced();
    assert_eq!(project.run(&["esbuild", "--version"]), npm::ESBUILD);
    // A locked project syncs again without its registry.
    drop(registry);
    project
        .vx()
        .args(["sync", "--headless", "--locked"])
        .assert()
        .success();
}

#[test]
fn a_tarball_that_is_not_the_registrys_is_refused_and_nothing_installed() {
    // The registry's documents, and at the tarball's URL a tarball of the same layout
    // holding something else.
    let tampered = vx_fixture::tar_gz(&[
        vx_fixture::Item::File(
            "package/bin/esbuild",
            b"#!/bin/sh\necho tampered\n".to_vec(),
            0o755,
        ),
        vx_fixture::Item::File("package/package.json", b"{}".to_vec(), 0o644),
    ]);
    let registry = npm::serve_with(tampered);
    let project = Project::new(&npm::config(&registry), MANIFEST);
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    let stderr = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("checksum mismatch")
            && stderr.contains(&npm::integrity("linux-x64", npm::ESBUILD)),
        "{stderr}"
    );
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        !crate::common::has_tree(&store, "esbuild", npm::ESBUILD),
        "nothing of it is installed"
    );
}

#[test]
fn names_and_versions_are_read_as_users_write_them() {
    let registry = npm::serve();
    let project = Project::new(&npm::config(&registry), "[tools]\n");
    let out = common::succeeded(project.vx().args(["versions", "npm:esbuild"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let listed = common::versions_listed(&stdout, "0.");
    assert_eq!(listed, ["0.28.2", "0.24.0", "0.23.1"], "{stdout}");

    // `vx x` runs it at a version of its own, checked by the registry's integrity.
    let out = project
        .vx()
        .args(["x", "npm:esbuild@0.24", "--", "--version"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        npm::ESBUILD,
        "{stderr}"
    );
    assert!(!stderr.contains("UNVERIFIED"), "{stderr}");

    project
        .vx()
        .args(["add", "npm:esbuild@0.24"])
        .assert()
        .success();
    assert_manifest_has(&project, "\"npm:esbuild\" = \"0.24\"");

    for (bad, says) in [
        ("go:gopls", "host name with a dot"),
        ("npm:@esbuild", "scoped as @scope/name"),
    ] {
        let out = project.vx().args(["add", bad]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains(says), "{bad}: {stderr}");
    }
}

#[test]
fn a_mise_file_s_npm_entries_import_as_npm_tools_and_lock() {
    let registry = npm::serve();
    let project = Project::new(&npm::config(&registry), "");
    let mise = project.mise_instead(
        "[tools]\n\"npm:esbuild\" = \"0.24\"\n\"go:golang.org/x/tools/gopls\" = \"latest\"\n",
    );
    // GOPROXY=off: the Go tool is checked against no proxy, and skipped saying why.
    let out = project
        .vx()
        .env("GOPROXY", "off")
        .arg("import")
        .arg(&mise)
        .output()
        .unwrap();
    let text = common::both(&out);
    assert!(text.contains("imported npm:esbuild 0.24"), "{text}");
    assert!(
        text.contains("skipped go:golang.org/x/tools/gopls")
            && text.contains("vx reads Go modules from a module proxy"),
        "{text}"
    );
    // The mise file stays the pin (issue 79, item 3).
    assert_manifest_has(
        &project,
        "\"npm:esbuild\" = { version_file = \"mise.toml\" }",
    );
    let lock = project.lock();
    assert_eq!(
        locked(&lock, "esbuild", "linux-x86_64")["integrity"].as_str(),
        Some(npm::integrity("linux-x64", npm::ESBUILD).as_str())
    );
}

#[test]
fn the_users_npmrc_names_the_registry_and_its_token_reaches_no_lock_or_output() {
    let registry = npm::serve();
    // Tarballs are named by the documents at registry.npmjs.org: sent here too.
    let project = Project::new(&npm::config(&registry), MANIFEST);
    let home = project.work.dir.path().join("home");
    let base = registry.url("/");
    let prefix = base.trim_start_matches("http:");
    std::fs::write(
        home.join(".npmrc"),
        format!("registry={base}\n{prefix}:_authToken=${{CORP_NPM_TOKEN}}\n"),
    )
    .unwrap();
    let out = project
        .vx()
        .env("CORP_NPM_TOKEN", "s3cret-token-42")
        .args(["lock", "-v"])
        .output()
        .unwrap();
    let text = common::both(&out);
    assert!(out.status.success(), "{text}");
    let lock = project.lock_text().unwrap();
    assert!(
        lock.contains(&format!(
            "checksum = \"index:{base}@esbuild/linux-x64/0.24.0\""
        )),
        "the .npmrc's registry was read: {lock}"
    );
    assert!(
        !lock.contains("s3cret") && !text.contains("s3cret"),
        "{text}{lock}"
    );
}

/// Issue 66, item 5: Gemfury's documented form, the token in the registry URL's path
/// (`registry=https://npm.fury.io/${FURY_TOKEN}/me/` in the user's own `.npmrc`): the
/// registry is read at the token's path, and the lock records the URL as the user
/// wrote it, `${FURY_TOKEN}` unexpanded, so the token reaches neither vx.lock nor the
/// output, and the lock reads the same for a teammate with a token of their own.
#[test]
fn a_token_in_the_registry_urls_path_reaches_no_lock_or_output() {
    const TOKEN: &str = "tok-fury-0123456789";
    let mut routes = vec![(
        format!("/{TOKEN}/esbuild"),
        vx_fixture::Route::Ok(npm::data("esbuild.json")),
    )];
    for platform in npm::PLATFORMS {
        routes.push((
            format!("/{TOKEN}/@esbuild/{platform}/0.24.0"),
            vx_fixture::Route::Ok(npm::data(&format!("esbuild-{platform}-0.24.0.json"))),
        ));
    }
    let fury = vx_fixture::TestServer::start(routes);
    let project = Project::new("", MANIFEST);
    let base = fury.url("/");
    std::fs::write(
        project.work.dir.path().join("home/.npmrc"),
        format!("registry={base}${{FURY_TOKEN}}/\n"),
    )
    .unwrap();
    let out = project
        .vx()
        .env("FURY_TOKEN", TOKEN)
        .args(["lock", "-v"])
        .output()
        .unwrap();
    let text = common::both(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        fury.paths()
            .iter()
            .any(|p| p.starts_with(&format!("/{TOKEN}/"))),
        "the registry was read at the token's path: {:?}",
        fury.paths()
    );
    let lock = project.lock_text().unwrap();
    assert!(
        lock.contains(&format!(
            "checksum = \"index:{base}${{FURY_TOKEN}}/@esbuild/linux-x64/0.24.0\""
        )),
        "{lock}"
    );
    assert!(
        !lock.contains(TOKEN) && !text.contains(TOKEN),
        "{text}{lock}"
    );
}

#[test]
fn outdated_and_upgrade_move_an_npm_tool_under_its_own_key() {
    let registry = npm::serve();
    let project = Project::new(&npm::config(&registry), MANIFEST);
    project.vx().arg("lock").assert().success();
    let out = project.vx().arg("outdated").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["esbuild", "0.24", "0.24.0", "0.24.0", "0.28.2"]),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    project
        .vx()
        .args(["upgrade", "--latest"])
        .assert()
        .success();
    let manifest = project.manifest_text();
    assert!(
        manifest.contains("\"npm:esbuild\" = \"0.28\""),
        "{manifest}"
    );
    assert_eq!(
        manifest.matches("esbuild").count(),
        1,
        "one entry: {manifest}"
    );
    let lock = project.lock();
    assert_eq!(lock["tools"]["esbuild"]["version"].as_str(), Some("0.28.2"));
    assert_eq!(
        locked(&lock, "esbuild", "linux-x86_64")["integrity"].as_str(),
        Some(npm::integrity("linux-x64", "0.28.2").as_str())
    );
}

/// Asserts that vx.toml holds `line`.
fn assert_manifest_has(project: &Project, line: &str) {
    let manifest = project.manifest_text();
    assert!(manifest.contains(line), "{manifest}");
}
