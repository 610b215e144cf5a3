//! Runtime tools (issue 52, item 3): a language-registry package that runs on its
//! runtime is installed into an environment of its own made with the project's
//! runtime, its whole dependency set pinned by the registries' own hashes at lock
//! time. `"npm:prettier" = "3"` with `node = "20"`: the real node 20.11.1 (and the npm
//! it bundles) from the loopback nodejs.org, the real prettier 3.10.1 from a loopback
//! registry serving registry.npmjs.org's own packument and tarball; `vx lock` keeps
//! npm's lockfile (made by that npm) in the lock entry, `vx sync` installs it with
//! `npm ci --ignore-scripts`, and `prettier` runs through `vx exec`. `"pypi:black" =
//! "24"` with `python = "3.12"`: the real CPython 3.12 laid out as
//! python-build-standalone ships it (tests/common/publishers/python.rs), black 24.10.0
//! and its dependencies as real wheels on a PyPI mirror laid out as bandersnatch
//! lays one out (pypi.org's own pages and hashes); `vx lock` keeps the pinned list
//! (every file of each version by pypi.org's sha256), `vx sync` makes a venv with
//! that python and installs with `pip install --require-hashes --no-deps`, and `black`
//! runs. A tarball or wheel that is not the one the registry's hash names is refused
//! and nothing of it installed.
#![cfg(unix)]

use crate::common;

use common::both;
use common::project::{Project, locked};
use common::publishers::python::{self, Sums};
use common::publishers::{node, npm, pypi, replacement_lines, uv};
use vx_fixture::github::GithubFixture;

const PRETTIER_MANIFEST: &str = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n\n[tools]\nnode = \"20\"\n\"npm:prettier\" = \"3\"\n";

/// The user config sending nodejs.org and registry.npmjs.org to the loopback servers.
fn npm_config(dist: &vx_fixture::TestServer, registry: &vx_fixture::TestServer) -> String {
    format!(
        "[url_replacements]\n{}{}",
        replacement_lines(&node::config(dist)),
        replacement_lines(&npm::config(registry))
    )
}

fn node_dist() -> vx_fixture::TestServer {
    node::serve(&[node::Release::real(&node::REAL_20, Some("Iron"))])
}

/// A project on another machine (its own cache and store): `config` and `manifest`,
/// locked by `project`'s vx.lock.
fn locked_like(project: &Project, config: &str, manifest: &str) -> Project {
    let fresh = Project::new(config, manifest);
    std::fs::copy(
        project.work.dir.path().join("vx.lock"),
        fresh.work.dir.path().join("vx.lock"),
    )
    .unwrap();
    fresh
}

/// `vx sync --locked` succeeds in `project` and its prettier runs.
fn syncs_locked_and_prettier_runs(project: &Project) {
    let out = project
        .vx()
        .args(["sync", "--headless", "--locked"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
}

#[test]
fn prettier_installs_with_the_projects_node_from_npms_lockfile_and_runs() {
    let dist = node_dist();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), PRETTIER_MANIFEST);
    let out = project.vx().args(["lock", "-v"]).output().unwrap();
    assert!(out.status.success(), "{}", both(&out));

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

    let before = registry.paths().len();
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    assert!(out.status.success(), "{}", both(&out));
    // The package's tarball comes once: vx checks it and gives npm the file, so npm
    // asks the registry for nothing (neither the package's document nor the tarball).
    let tarball = format!("/prettier/-/prettier-{}.tgz", npm::PRETTIER);
    let asked = registry.paths()[before..].to_vec();
    assert_eq!(asked, std::slice::from_ref(&tarball), "{asked:?}");
    // It runs and formats, with the project's node.
    prettier_formats_in(&project);
    // Locked, it installs the same bytes again into a fresh store.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    std::fs::remove_dir_all(store.join("prettier")).unwrap();
    syncs_locked_and_prettier_runs(&project);
    assert_eq!(registry.paths()[before..], [tarball.clone(), tarball]);
}

/// Issue 65: a lock that needs the project's node to pin prettier's environment
/// installs it by the installer a sync uses, into the run's store (`vx lock --store`),
/// its install shown among the run's progress lines; the default store is left
/// untouched.
#[test]
fn a_lock_installs_the_runtime_into_the_runs_store_and_shows_it() {
    let dist = node_dist();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), PRETTIER_MANIFEST);
    let store = project.work.dir.path().join("elsewhere");
    let out = project
        .vx()
        .args(["lock", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert!(common::has_tree(&store, "node", node::REAL));
    let default = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        !default.join("node").exists(),
        "the default store got node: {}",
        both(&out)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    let shown = format!("node {}: downloading", node::REAL);
    assert!(said.contains(&shown), "{said}");
    // The environment pinned with it is the one a sync into that store installs.
    let out = project
        .vx()
        .args(["sync", "--headless", "--locked", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert!(common::has_tree(&store, "prettier", npm::PRETTIER));
    assert!(!default.exists() || !default.join("prettier").exists());
}

/// An npm runtime tool's whole locked set travels in a bundle: the export finds each
/// package's tarball at its registry (its document's `dist.tarball` of the version
/// whose `dist.integrity` is the lockfile's), refuses one whose sha512 is not the
/// lock's, and carries it by its integrity; on a machine that never saw the registry,
/// with every server gone, `vx bundle import` then `vx sync --offline --locked`
/// installs node and prettier from it, and prettier formats a file.
#[test]
fn a_bundle_installs_prettier_offline_on_a_machine_that_never_saw_the_registry() {
    let dist = node_dist();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let config = npm_config(&dist, &registry);
    let project = Project::new(&config, PRETTIER_MANIFEST);
    let out = project.vx().arg("lock").output().unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let bundle = export_linux_bundle(project.vx(), &project);
    drop(registry);
    drop(dist);

    // A registry serving other bytes for the same version: nothing is exported.
    let dist = node_dist();
    let tampered = vx_fixture::tar_gz(&[vx_fixture::Item::File(
        "package/package.json",
        br#"{"name":"prettier","version":"3.10.1","bin":"x.js"}"#.to_vec(),
        0o644,
    )]);
    let bad = npm::serve_prettier(tampered);
    let other = Project::new(&npm_config(&dist, &bad), PRETTIER_MANIFEST);
    std::fs::copy(
        project.work.dir.path().join("vx.lock"),
        other.work.dir.path().join("vx.lock"),
    )
    .unwrap();
    let refused = other.work.dir.path().join("refused.tar");
    let out = other
        .vx()
        .args(["bundle", "export", "--headless"])
        .arg(&refused)
        .output()
        .unwrap();
    let all = both(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("not the tarball the lock's integrity")
            && all.contains(&npm::prettier_integrity()),
        "{all}"
    );
    assert!(!refused.exists(), "no bundle written");
    drop(bad);
    drop(dist);

    // Another machine: nothing in its cache or store, no server at all.
    let fresh = locked_like(&project, &config, PRETTIER_MANIFEST);
    let named = imports_bundle(fresh.vx(), &bundle, &fresh);
    let sha512 = {
        use base64::Engine;
        let b64 = npm::prettier_integrity();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.strip_prefix("sha512-").unwrap())
            .unwrap();
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert_eq!(
        std::fs::read(named.join(format!("npm-{sha512}.tgz"))).unwrap(),
        npm::prettier_tarball(),
        "prettier's tarball, named by its integrity"
    );
    let out = fresh
        .vx()
        .args(["sync", "--headless", "-v", "--locked", "--offline"])
        .output()
        .unwrap();
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    prettier_formats_in(&fresh);
}

#[test]
fn a_tampered_package_tarball_is_refused_and_nothing_installed() {
    let dist = node_dist();
    let tampered = vx_fixture::tar_gz(&[vx_fixture::Item::File(
        "package/package.json",
        br#"{"name":"prettier","version":"3.10.1","bin":"x.js"}"#.to_vec(),
        0o644,
    )]);
    let registry = npm::serve_prettier(tampered);
    let project = Project::new(&npm_config(&dist, &registry), PRETTIER_MANIFEST);
    // A token of the user's npm configuration for the registry: npm uses it, and
    // it reaches no lock and no output.
    let prefix = registry.url("/").trim_start_matches("http:").to_owned();
    std::fs::write(
        project.work.dir.path().join("home/.npmrc"),
        format!("{prefix}:_authToken=${{CORP_NPM_TOKEN}}\n"),
    )
    .unwrap();
    let out = project
        .vx()
        .env("CORP_NPM_TOKEN", "s3cret-token-42")
        .args(["sync", "--headless", "-v"])
        .output()
        .unwrap();
    let all = both(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("checksum mismatch") && all.contains(&npm::prettier_integrity()),
        "{all}"
    );
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        !crate::common::has_tree(&store, "prettier", npm::PRETTIER),
        "nothing of it is installed"
    );
    let lock = project.lock_text().unwrap();
    assert!(lock.contains("[tools.prettier.environment]"), "{lock}");
    assert!(
        !lock.contains("s3cret") && !all.contains("s3cret"),
        "{all}{lock}"
    );
}

/// `vx import` of a `mise.toml` holding `text` in `project`, whose vx.toml is removed
/// first: the mise file's path and what vx did.
fn import_mise(project: &Project, text: &str) -> (std::path::PathBuf, std::process::Output) {
    let mise = project.mise_instead(text);
    let out = project.vx().arg("import").arg(&mise).output().unwrap();
    (mise, out)
}

#[test]
fn a_mise_file_naming_node_and_npm_prettier_imports_and_locks_the_environment() {
    let dist = node_dist();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), "");
    let (_, out) = import_mise(
        &project,
        "[tools]\nnode = \"20\"\n\"npm:prettier\" = \"3\"\n",
    );
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("imported npm:prettier 3"), "{all}");
    let lock = project.lock();
    let environment = lock["tools"]["prettier"]["environment"].as_table().unwrap();
    assert_eq!(environment["runtime_version"].as_str(), Some(node::REAL));
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
}

const BLACK_MANIFEST: &str = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n\n[tools]\npython = \"3.12\"\n\"pypi:black\" = \"24\"\n";

/// The loopback GitHub serving python-build-standalone's release with the real
/// CPython for linux-x86_64, and its version.
fn python_release() -> (GithubFixture, String) {
    let (version, archive) = python::archive(python::Without::Nothing);
    let name = python::asset_name(&version, "20250115", "x86_64-unknown-linux-gnu");
    let release = python::release("20250115", &[&version], Sums::Digests, &[(name, archive)]);
    let gh = GithubFixture::builder()
        .release(python::OWNER, python::REPO, release)
        .start()
        .unwrap();
    (gh, version)
}

/// The loopback GitHub serving python-build-standalone's release with the real
/// CPython for linux-x86_64 and astral-sh/uv's release with the real uv (its
/// linux-x86_64 archive `uv_linux`), and python's version.
fn python_and_uv_releases(uv_linux: Vec<u8>) -> (GithubFixture, String) {
    let (version, archive) = python::archive(python::Without::Nothing);
    let name = python::asset_name(&version, "20250115", "x86_64-unknown-linux-gnu");
    let release = python::release("20250115", &[&version], Sums::Digests, &[(name, archive)]);
    let gh = GithubFixture::builder()
        .release(python::OWNER, python::REPO, release)
        .release(uv::OWNER, uv::REPO, uv::release(uv_linux))
        .start()
        .unwrap();
    (gh, version)
}

/// The user config: the loopback GitHub, and pypi.org sent to the mirror.
fn pypi_config(gh: &GithubFixture, index: &vx_fixture::TestServer) -> String {
    format!(
        "{}\n{}",
        python::config(&gh.web_url()),
        pypi::mirror_config(index)
    )
}

#[test]
fn black_installs_into_a_venv_of_the_projects_python_pinned_by_the_indexs_sha256() {
    let (gh, python_version) = python_release();
    let (index, listed) = pypi::serve_black(None);
    // The mirror's files are pypi.org's: each served file's sha256 is the page's.
    for (name, bytes) in pypi::black_set() {
        let (_, sha256) = listed.iter().find(|(n, _)| *n == name).unwrap();
        assert_eq!(vx_fixture::sha256_hex(&bytes), *sha256, "{name}");
    }
    let (project, said) = locked_black(&pypi_config(&gh, &index), &["lock", "-v"]);

    let lock = project.lock();
    let entry = lock["tools"]["black"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some(pypi::BLACK));
    assert_eq!(entry["package"].as_str(), Some("pypi:black"));
    // Each platform's own wheel for the project's python (black publishes mypyc
    // builds per platform and CPython), by the page's sha256: the file uv installs
    // there, from vx's checked copy.
    let minor = python_version.split('.').nth(1).unwrap();
    for (platform, tag) in [
        ("linux-x86_64", "manylinux_2_17_x86_64"),
        ("macos-aarch64", "macosx_11_0_arm64"),
        ("windows-x86_64", "win_amd64"),
    ] {
        let asset = locked(&lock, "black", platform);
        let file = asset["url"].as_str().unwrap().rsplit('/').next().unwrap();
        assert!(
            file.starts_with(&format!("black-24.10.0-cp3{minor}-cp3{minor}-"))
                && file.contains(tag),
            "{platform}: {file}"
        );
        let (_, sha256) = listed.iter().find(|(n, _)| n == file).unwrap();
        assert_eq!(asset["sha256"].as_str(), Some(sha256.as_str()));
    }
    let environment = entry["environment"].as_table().unwrap();
    assert_eq!(environment["runtime"].as_str(), Some("python"));
    assert_eq!(
        environment["runtime_version"].as_str(),
        Some(python_version.as_str())
    );
    // This GitHub has no astral-sh/uv: pip installs the set, and vx says so.
    assert!(!environment.contains_key("installer"), "{environment:#?}");
    assert!(
        said.contains("uv cannot be had") && said.contains("installs with python's pip"),
        "{said}"
    );
    assert_eq!(
        environment["registry"].as_str(),
        Some("https://pypi.org/simple")
    );
    // Every file the index lists of each pinned version, by the index's own sha256:
    // black's wheels for every platform, and each dependency's.
    let pinned = environment["lockfile"].as_str().unwrap();
    for project_name in [
        "black==24.10.0",
        "click==",
        "mypy-extensions==",
        "packaging==",
        "pathspec==",
        "platformdirs==",
    ] {
        assert!(pinned.contains(project_name), "{project_name}: {pinned}");
    }
    for (name, sha256) in &listed {
        assert!(
            pinned.contains(&format!("--hash=sha256:{sha256}")),
            "{name}: {pinned}"
        );
    }
    assert!(!pinned.contains("127.0.0.1"), "{pinned}");

    synced_black_runs_on(&project, &python_version);
    // It formats.
    black_formats(&project);
    // Locked, it installs the same set again into a fresh store.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    std::fs::remove_dir_all(store.join("black")).unwrap();
    synced_again(&project, &lock, &["--locked"]);
}

/// A project of [`BLACK_MANIFEST`] with the user config `config`, locked by `vx
/// ARGS` (`lock`, `lock -v`), which must succeed: the project and what the lock said.
fn locked_black(config: &str, args: &[&str]) -> (Project, String) {
    let project = Project::new(config, BLACK_MANIFEST);
    let out = pypi::vx(&project).args(args).output().unwrap();
    let said = both(&out);
    assert!(out.status.success(), "{said}");
    (project, said)
}

/// `vx sync` SIGKILLed while pip builds black's environment (issue 66, item 12): pip,
/// held downloading a dependency sent at 64 bytes a second, ends with the install
/// child that started it (SIGTERM to its tree once its parent is gone, SIGKILL a grace
/// later), where it ran on to its end (npm ci the same), nothing of it in the store.
#[test]
fn a_killed_sync_ends_the_installer_building_an_environment() {
    let (gh, _) = python_release();
    let (fast, _) = pypi::serve_black(None);
    let (project, _) = locked_black(&pypi_config(&gh, &fast), &["lock"]);
    let slow_file = pypi::black_set()
        .into_iter()
        .map(|(name, _)| name)
        .find(|name| name.starts_with("click-"))
        .expect("click is among black's dependencies");
    let (slow, _) = pypi::serve_black_files_with(pypi::black_set(), None, Some(&slow_file));
    let home = project.work.dir.path().join("home");
    common::write_user_config(&home, &pypi_config(&gh, &slow));
    let (set, removed) = common::isolation(&home);
    let mut sync = std::process::Command::new(assert_cmd::cargo::cargo_bin("vx"));
    sync.args(["sync", "--headless"])
        .envs(project.work.vx_env())
        .envs(set)
        .current_dir(project.work.dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for var in removed
        .iter()
        .chain(&["PIP_INDEX_URL", "PIP_CONFIG_FILE", "JAVA_HOME"])
    {
        sync.env_remove(var);
    }
    let mut vx = sync.spawn().unwrap();
    common::wait_for("pip to fetch the slow wheel", || {
        slow.paths()
            .iter()
            .any(|p| p.ends_with(&slow_file))
            .then_some(())
    });
    vx.kill().unwrap();
    vx.wait().unwrap();
    // The processes of this project's install: whatever runs from its home.
    let root = home.display().to_string();
    let running = || -> Vec<String> {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let pid = e.file_name().into_string().ok()?;
                pid.parse::<u32>().ok()?;
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                let zombie = stat
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                (!zombie && cmdline.contains(&root)).then(|| format!("{pid} {cmdline}"))
            })
            .collect()
    };
    common::wait_for("the installer to be gone", || {
        running().is_empty().then_some(())
    });
    assert!(
        !common::has_tree(home.join(".local/share/vx/store"), "black", "24.10.0"),
        "nothing of black in the store"
    );
}

/// `vx sync --headless` in `project`: black 24.10.0 runs, on the project's python
/// `python_version`.
fn synced_black_runs_on(project: &Project, python_version: &str) {
    let out = pypi::vx(project)
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let version = project.run(&["black", "--version"]);
    assert!(version.starts_with("black, 24.10.0"), "{version}");
    assert!(
        version.contains(&format!("Python (CPython) {python_version}")),
        "the project's python runs it: {version}"
    );
}

/// `vx sync --headless ARGS` (the lock's set, `--locked`): black runs again and the
/// lock is `lock` still.
fn synced_again(project: &Project, lock: &toml::Table, args: &[&str]) {
    let out = pypi::vx(project)
        .args(["sync", "--headless"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert!(
        project
            .run(&["black", "--version"])
            .starts_with("black, 24.10.0")
    );
    assert_eq!(&project.lock(), lock, "the lock is as it was");
}

/// The black installed in `project` formats a file.
fn black_formats(project: &Project) {
    let file = project.work.dir.path().join("ugly.py");
    std::fs::write(&file, "x = {  'a':1 }\n").unwrap();
    project.run(&["black", "-q", file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x = {\"a\": 1}\n");
}

#[test]
fn a_dependency_wheel_that_is_not_the_indexs_is_refused_and_nothing_installed() {
    let (gh, _) = python_release();
    a_tampered_dependency_is_refused(&gh, "DO NOT MATCH THE HASHES", "pip");
}

/// black locked against the index, then synced against a mirror that serves, at
/// click's URL, another real wheel (pathspec's): the installer (`who`) refuses it
/// saying `refusal`, and nothing of black is installed.
fn a_tampered_dependency_is_refused(gh: &GithubFixture, refusal: &str, who: &str) {
    let (index, _) = pypi::serve_black(None);
    let (project, _) = locked_black(&pypi_config(gh, &index), &["lock"]);
    let files = pypi::black_set();
    let named = |prefix: &str| {
        files
            .iter()
            .find(|(n, _)| n.starts_with(prefix))
            .unwrap()
            .0
            .clone()
    };
    let (click, pathspec) = (named("click-"), named("pathspec-"));
    let (tampered, _) = pypi::serve_black(Some((&click, &pathspec)));
    common::write_user_config(
        &project.work.dir.path().join("home"),
        &pypi_config(gh, &tampered),
    );
    let out = pypi::vx(&project)
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    let all = both(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains(refusal), "{who} refused it: {all}");
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        !crate::common::has_tree(&store, "black", pypi::BLACK),
        "nothing of it is installed"
    );
    assert!(
        tampered.paths().iter().any(|p| p.ends_with(&click)),
        "{who} fetched the tampered file: {:?}",
        tampered.paths()
    );
}

/// Node 22.12.0 (LTS Jod), newest first, beside 20.11.1 (LTS Iron): vx's own node is
/// the newest LTS, as `node = "lts"` picks it.
fn node_dist_with_lts_lines() -> vx_fixture::TestServer {
    node::serve(&[
        node::Release::real(&node::REAL_22, Some("Jod")),
        node::Release::real(&node::REAL_20, Some("Iron")),
    ])
}

#[test]
fn vx_x_runs_a_runtime_tool_with_vxs_own_node_and_no_project() {
    let dist = node_dist_with_lts_lines();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), "");
    std::fs::remove_file(project.work.manifest()).unwrap();
    let all = vx_x_prettier_version(&project, "npm:prettier");
    // The newest LTS node, installed into the store like any tool; the tool's
    // commands run on it.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        crate::common::has_tree(&store, "node", node::REAL_22.node),
        "{all}"
    );
    assert_prettier_runs_on(&project, node::REAL_22.node);
    // Again: installed, remembered, nothing resolved.
    vx_x_prettier_version(&project, "npm:prettier@3");
}

/// `vx x TOOL -- --version` in `project`, which must succeed printing prettier's
/// version: its stdout and stderr.
/// prettier in `project` is the fixture's version and, through `vx exec`, formats a file.
fn prettier_formats_in(project: &Project) {
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
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
        both(&out)
    );
}

fn vx_x_prettier_version(project: &Project, tool: &str) -> String {
    let out = project
        .vx()
        .args(["x", tool, "--", "--version"])
        .output()
        .unwrap();
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        npm::PRETTIER,
        "{all}"
    );
    all
}

/// Asserts that the store's prettier runs on node `version`: its command's wrapper
/// names that node.
fn assert_prettier_runs_on(project: &Project, version: &str) {
    let wrapper = std::fs::read_to_string(
        crate::common::tree_in(
            project.work.dir.path().join("home/.local/share/vx/store"),
            "prettier",
            npm::PRETTIER,
        )
        .join("bin/prettier"),
    )
    .unwrap();
    assert!(
        crate::common::unkeyed(&wrapper).contains(&format!("node/{version}/bin/node")),
        "{wrapper}"
    );
}

#[test]
fn a_project_naming_no_node_locks_vxs_own_lts_node_beside_prettier() {
    let dist = node_dist_with_lts_lines();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\"]\n\n[tools]\n\"npm:prettier\" = \"3\"\n";
    let project = Project::new(&npm_config(&dist, &registry), manifest);
    let out = project.vx().args(["lock", "-v"]).output().unwrap();
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("which the project does not name"), "{all}");
    let lock = project.lock();
    let environment = lock["tools"]["prettier"]["environment"].as_table().unwrap();
    assert_eq!(environment["runtime"].as_str(), Some("node"));
    assert_eq!(
        environment["runtime_version"].as_str(),
        Some(node::REAL_22.node)
    );
    let own = environment["own_runtime"].as_table().unwrap();
    assert_eq!(own["package"].as_str(), Some("runtime:node"));
    assert_eq!(own["constraint"].as_str(), Some("lts"));
    assert_eq!(own["version"].as_str(), Some(node::REAL_22.node));
    for platform in ["linux-x86_64", "macos-aarch64"] {
        let asset = own["platforms"][platform].as_table().unwrap();
        assert!(
            asset["url"].as_str().unwrap().contains("node-v22.12.0-"),
            "{asset:?}"
        );
        assert_eq!(asset["sha256"].as_str().unwrap().len(), 64);
    }
    // vx.toml is left as it was: the runtime is the tool's, not the project's.
    assert_eq!(project.manifest_text(), manifest);
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
    // `node` itself is not put on the project's PATH (the machine's own may be).
    let found = project.run(&["sh", "-c", "command -v node || true"]);
    assert!(!found.contains("/vx/store/"), "{found}");
    // Locked, it installs the same bytes into a fresh store, runtime included.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    std::fs::remove_dir_all(store.join("prettier")).unwrap();
    std::fs::remove_dir_all(store.join("node")).unwrap();
    syncs_locked_and_prettier_runs(&project);
    assert_eq!(project.lock(), lock, "the lock is as it was");
    // A re-lock keeps the runtime's version.
    let out = project.vx().args(["lock"]).output().unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(project.lock(), lock);
}

#[test]
fn vx_x_runs_black_with_vxs_own_python_and_no_project() {
    let (gh, python_version) = python_release();
    let (index, _) = pypi::serve_black(None);
    let project = Project::new(&pypi_config(&gh, &index), "");
    std::fs::remove_file(project.work.manifest()).unwrap();
    let out = pypi::vx(&project)
        .args(["x", "pypi:black@24", "--", "--version"])
        .output()
        .unwrap();
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(version.starts_with("black, 24.10.0"), "{all}");
    assert!(
        version.contains(&format!("Python (CPython) {python_version}")),
        "vx's own python runs it: {all}"
    );
}

/// `vx import` of a mise file naming `npm:prettier` and no node (issue 52): imported
/// and locked on vx's own node (the newest LTS), saying so; vx.toml names no node.
#[test]
fn a_mise_file_naming_npm_prettier_without_node_imports_it_on_vxs_own_node() {
    let dist = node_dist_with_lts_lines();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), "");
    let (mise, out) = import_mise(&project, "[tools]\n\"npm:prettier\" = \"3\"\n");
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(
        all.contains(&format!("imported npm:prettier 3 from {} (it runs on node, which the project does not name: vx's own node (node = \"lts\") is locked with it)", mise.display())),
        "{all}"
    );
    let manifest: toml::Table = project.manifest_text().parse().unwrap();
    let tools: Vec<&String> = manifest["tools"].as_table().unwrap().keys().collect();
    assert_eq!(tools, ["npm:prettier"], "vx.toml names no node");
    let lock = project.lock();
    let environment = lock["tools"]["prettier"]["environment"].as_table().unwrap();
    assert_eq!(
        environment["runtime_version"].as_str(),
        Some(node::REAL_22.node)
    );
    let own = environment["own_runtime"].as_table().unwrap();
    assert_eq!(own["constraint"].as_str(), Some("lts"));
    assert_eq!(project.run(&["prettier", "--version"]), npm::PRETTIER);
}

/// `vx x npm:prettier` in a project that declares `node = "20"` but was never locked
/// (issue 52): the declared node is resolved for the run, as `vx x` resolves the tool,
/// and said so; prettier runs on that node 20, not vx's own newest LTS, and nothing is
/// written to the project's lock.
#[test]
fn vx_x_in_a_project_whose_node_is_not_locked_yet_runs_on_the_declared_node() {
    let dist = node_dist_with_lts_lines();
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let project = Project::new(&npm_config(&dist, &registry), PRETTIER_MANIFEST);
    let all = vx_x_prettier_version(&project, "npm:prettier");
    assert!(
        all.contains(&format!(
            "runs on the project's node (node = \"20\"), which is not locked yet: node {} resolved for this run (`vx lock` pins it)",
            node::REAL
        )),
        "{all}"
    );
    assert_prettier_runs_on(&project, node::REAL);
    assert!(project.lock_text().is_none(), "nothing locked");
}

/// The project's `.npmrc` (issue 52): `@corp:registry=` a private registry that answers
/// only to its token, which the user's own `~/.npmrc` gives
/// (`//127.0.0.1:PORT/:_authToken=${CORP_NPM_TOKEN}`: a project's file gives no
/// credentials, issue 66), and which holds `@corp/util`, a dependency of the tool
/// `greet` (from the public registry). In the project the user trusted, npm resolves
/// and installs the dependency from that registry with that token, at lock and at
/// install, and the token reaches neither vx.lock, nor the output, nor any file vx or
/// npm leaves.
#[test]
fn a_scoped_dependency_comes_from_the_projects_npmrc_registry_with_its_token() {
    const TOKEN: &str = "s3cret-npm-token-0123";
    let dist = node_dist();
    let private = npm::PrivateRegistry::start(TOKEN, |url| {
        let util = npm::make(
            "@corp/util",
            "1.2.0",
            serde_json::json!({ "main": "index.js" }),
            &[(
                "index.js",
                "exports.hello = () => 'hello from @corp/util';\n",
            )],
            url,
        );
        npm::routes(&[&util], url)
    });
    let greet = npm::make(
        "greet",
        "1.0.0",
        serde_json::json!({
            "bin": { "greet": "greet.js" },
            "dependencies": { "@corp/util": "^1.0.0" },
        }),
        &[(
            "greet.js",
            "#!/usr/bin/env node\nconsole.log(require('@corp/util').hello());\n",
        )],
        "https://registry.npmjs.org",
    );
    let public = vx_fixture::TestServer::start(
        npm::routes(&[&greet], "https://registry.npmjs.org")
            .into_iter()
            .map(|(p, b)| (p, vx_fixture::Route::Ok(b))),
    );
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n\n[tools]\nnode = \"20\"\n\"npm:greet\" = \"1\"\n";
    let project = Project::new(&npm_config(&dist, &public), manifest);
    let port = private.url.rsplit(':').next().unwrap();
    std::fs::write(
        project.work.dir.path().join(".npmrc"),
        format!("@corp:registry={}/\n", private.url),
    )
    .unwrap();
    std::fs::write(
        project.work.dir.path().join("home/.npmrc"),
        format!("//127.0.0.1:{port}/:_authToken=${{CORP_NPM_TOKEN}}\n"),
    )
    .unwrap();
    project.vx().arg("trust").assert().success();
    let vx = |args: &[&str], token: &str| {
        project
            .vx()
            .args(args)
            .env("CORP_NPM_TOKEN", token)
            .output()
            .unwrap()
    };
    // A wrong token: the private registry refuses, and the lock fails saying so.
    let out = vx(&["lock"], "wrong-token");
    assert!(!out.status.success(), "{}", both(&out));
    assert!(
        both(&out).contains("E401"),
        "npm's own refusal: {}",
        both(&out)
    );
    assert!(project.lock_text().is_none());

    let out = vx(&["lock", "-v"], TOKEN);
    let mut all = both(&out);
    assert!(out.status.success(), "{all}");
    let lock_text = project.lock_text().unwrap();
    let lock = project.lock();
    let lockfile: serde_json::Value = serde_json::from_str(
        lock["tools"]["greet"]["environment"]["lockfile"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let util = &lockfile["packages"]["node_modules/@corp/util"];
    assert_eq!(util["version"].as_str(), Some("1.2.0"), "{lockfile:#}");
    assert!(
        util["integrity"].as_str().unwrap().starts_with("sha512-"),
        "{lockfile:#}"
    );
    assert!(
        util.get("resolved").is_none(),
        "the scope's registry is configured, not locked: {lockfile:#}"
    );

    let out = vx(&["sync", "--headless"], TOKEN);
    all.push_str(&both(&out));
    assert!(out.status.success(), "{all}");
    let out = vx(&["exec", "--", "greet"], TOKEN);
    all.push_str(&both(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "hello from @corp/util",
        "{all}"
    );
    // npm asked the private registry for the dependency's document and its tarball,
    // each time with the token.
    let log = private.log();
    let fetched: Vec<&String> = log.iter().filter(|l| l.ends_with(" token")).collect();
    assert!(
        fetched
            .iter()
            .any(|l| l.contains("/@corp/util/-/util-1.2.0.tgz")),
        "{log:?}"
    );
    // The token is nowhere: not in the lock, the output, nor any file left behind
    // (the store, vx's logs and cache, npm's cache).
    assert!(!lock_text.contains(TOKEN) && !all.contains(TOKEN), "{all}");
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(
        !crate::common::tree_in(&store, "greet", "1.0.0")
            .join(".npmrc")
            .exists()
    );
    for entry in walk(project.work.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "{} holds the token",
            entry.display()
        );
    }
}

/// Issue 66, item 6: an npm package whose `bin` leaves the package
/// (`"../../../outside.js"`, a file the test puts where that path leads) fails its
/// install naming the `bin`, as an archive entry that leaves its tree is refused, and
/// `vx exec` runs nothing of it.
#[test]
fn a_bin_outside_the_package_fails_the_install_and_runs_nothing() {
    let dist = node_dist();
    let evil = npm::make(
        "evil",
        "1.0.0",
        serde_json::json!({ "bin": { "evil": "../../../outside.js" } }),
        &[("index.js", "console.log('inside');\n")],
        "https://registry.npmjs.org",
    );
    let public = vx_fixture::TestServer::start(
        npm::routes(&[&evil], "https://registry.npmjs.org")
            .into_iter()
            .map(|(p, b)| (p, vx_fixture::Route::Ok(b))),
    );
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n\n[tools]\nnode = \"20\"\n\"npm:evil\" = \"1\"\n";
    let project = Project::new(&npm_config(&dist, &public), manifest);
    let marker = project.work.dir.path().join("ran-outside");
    let script = format!(
        "#!/bin/sh\ntouch '{}'\n",
        marker.display().to_string().replace('\'', "")
    );
    // Wherever `../../../outside.js` leads from the store's package, the file is there.
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    for dir in [
        store.clone(),
        store.join("evil"),
        project.work.dir.path().join("home"),
    ] {
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("outside.js");
        std::fs::write(&file, &script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = project.vx().args(["sync", "--headless"]).output().unwrap();
    let mut all = both(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains(
            "the `bin` `evil` names ../../../outside.js, which is not a file inside the package"
        ),
        "{all}"
    );
    let out = project.vx().args(["exec", "--", "evil"]).output().unwrap();
    all.push_str(&both(&out));
    assert!(!out.status.success(), "{all}");
    assert!(!marker.exists(), "the file outside the package ran: {all}");
}

/// Every regular file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => todo.push(path),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn black_installs_with_vxs_uv_pinned_in_the_lock_and_again_offline_from_its_cache() {
    let real_uv = uv::archive();
    let uv_sha256 = vx_fixture::sha256_hex(&real_uv);
    let (gh, python_version) = python_and_uv_releases(real_uv);
    let (index, _) = pypi::serve_black(None);
    let (project, _) = locked_black(&pypi_config(&gh, &index), &["lock", "-v"]);
    let lock = project.lock();
    let environment = lock["tools"]["black"]["environment"].as_table().unwrap();
    // uv's release, pinned as any tool's download is, for every platform locked.
    let installer = environment["installer"].as_table().unwrap();
    assert_eq!(installer["version"].as_str(), Some(uv::VERSION));
    assert_eq!(installer["package"].as_str(), Some("github:astral-sh/uv"));
    let linux = installer["platforms"]["linux-x86_64"].as_table().unwrap();
    assert_eq!(linux["sha256"].as_str(), Some(uv_sha256.as_str()));
    assert_eq!(linux["format"].as_str(), Some("tar.gz"));
    assert!(
        linux["url"].as_str().unwrap().ends_with(&format!(
            "/astral-sh/uv/releases/download/{}/uv-x86_64-unknown-linux-gnu.tar.gz",
            uv::VERSION
        )),
        "{linux:?}"
    );
    assert!(installer["platforms"]["macos-aarch64"].is_table());
    // The release has no Windows build here: that platform installs with pip.
    assert!(
        installer["unsupported"]["windows-x86_64"]
            .as_str()
            .is_some_and(|r| r.contains("no build")),
        "{installer:#?}"
    );
    // pip still resolves the set: the list is the one pip's lock makes.
    let pinned = environment["lockfile"].as_str().unwrap();
    assert!(pinned.contains("black==24.10.0"), "{pinned}");
    // black's own file, per platform: the wheel uv installs there with python 3.12
    // (mypyc-compiled where black publishes one), not one pure wheel for all.
    let file_of = |platform: &str| {
        let url = lock["tools"]["black"]["platforms"][platform]["url"]
            .as_str()
            .unwrap_or_else(|| panic!("{platform}: {lock:#?}"));
        url.rsplit('/').next().unwrap().to_owned()
    };
    let linux_wheel = file_of("linux-x86_64");
    assert!(
        linux_wheel.starts_with("black-24.10.0-cp312-cp312-manylinux"),
        "{linux_wheel}"
    );
    assert_eq!(
        file_of("macos-aarch64"),
        "black-24.10.0-cp312-cp312-macosx_11_0_arm64.whl"
    );
    let fetched = |name: &str| index.paths().iter().filter(|p| p.ends_with(name)).count();
    let before = (
        fetched(&linux_wheel),
        fetched("black-24.10.0-py3-none-any.whl"),
    );

    // A developer's machine: python writes the bytecode of what a run imports, so the
    // environment is not byte-compiled at install (it cost pre-commit 1.2 s of its 2.3 s).
    let out = pypi::vx(&project)
        .env_remove("PYTHONDONTWRITEBYTECODE")
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let home = project.work.dir.path().join("home");
    let store = home.join(".local/share/vx/store");
    let bytecode = |black: &std::path::Path| {
        walk(&black.join("venv"))
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "pyc"))
            .count()
    };
    let black = crate::common::tree_in(&store, "black", pypi::BLACK);
    assert_eq!(bytecode(&black), 0, "compiled at install");
    synced_black_runs_on(&project, &python_version);
    // Each byte crosses once: vx fetched black's wheel and checked it, and uv
    // installed it from vx's copy (issue 63, item 8).
    assert_eq!(
        (
            fetched(&linux_wheel),
            fetched("black-24.10.0-py3-none-any.whl")
        ),
        (before.0 + 1, before.1),
        "{:#?}",
        index.paths()
    );
    // vx made the venv (no process: the python's layout is CPython's), with no pip
    // in it as python's venv would put, and uv, vx's, installed the set.
    let cfg = std::fs::read_to_string(black.join("venv/pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains("include-system-site-packages = false"),
        "{cfg}"
    );
    assert_eq!(installer_of_black(&black), "uv");
    assert!(
        !black.join("venv/bin/pip").exists(),
        "no pip: uv installed it"
    );
    assert!(
        crate::common::tree_in(&store, "uv", uv::VERSION)
            .join("uv")
            .is_file()
    );
    // uv's cache is vx's, never the user's.
    assert!(home.join(".cache/vx/uv").is_dir());
    assert!(!home.join(".cache/uv").exists());
    // It formats.
    black_formats(&project);

    // Locked and offline, the same set installs again from the caches: black's own
    // wheel from vx's (a bundle of the project imported into it), the set from uv's
    // cache and the files the bundle carried.
    // (The bundle is this machine's: the index serves only linux-x86_64's wheels.)
    let bundle = project.work.dir.path().join("bundle");
    for args in [
        &["bundle", "export", "--platform", "linux-x86_64"][..],
        &["bundle", "import"],
    ] {
        let out = pypi::vx(&project).args(args).arg(&bundle).output().unwrap();
        assert!(out.status.success(), "{}", both(&out));
    }
    std::fs::remove_dir_all(store.join("black")).unwrap();
    drop(index);
    // Where runs cannot write their bytecode (`PYTHONDONTWRITEBYTECODE`, as CI images
    // set it), the install compiles it once, so no run compiles it again.
    let out = pypi::vx(&project)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args(["sync", "--headless", "--locked", "--offline"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(project.lock(), lock, "the lock is as it was");
    let black = crate::common::tree_in(&store, "black", pypi::BLACK);
    assert!(bytecode(&black) > 0, "not compiled at install");
    assert!(
        project
            .run(&["black", "--version"])
            .starts_with("black, 24.10.0")
    );

    // `vx cache` shows uv's cache as an area of its own and cleans it, whole.
    let uv_area = || {
        let out = pypi::vx(&project)
            .args(["cache", "size", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", both(&out));
        let size: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let area = size["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "uv")
            .cloned()
            .unwrap_or_else(|| panic!("{size:#}"));
        assert_eq!(
            area["path"].as_str().map(std::path::PathBuf::from),
            Some(home.join(".cache/vx/uv"))
        );
        area["files"].as_u64().unwrap()
    };
    assert!(uv_area() > 0);
    let clean = |args: &[&str]| {
        let out = pypi::vx(&project)
            .args(["cache", "clean"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", both(&out));
    };
    // Written just now: an age keeps all of it.
    let files = uv_area();
    clean(&["--older-than", "1d"]);
    assert_eq!(uv_area(), files);
    clean(&[]);
    assert_eq!(uv_area(), 0);
    // The installed tool is not the cache's: it still runs.
    black_formats(&project);
}

#[test]
fn with_uv_a_dependency_wheel_that_is_not_the_indexs_is_refused_and_nothing_installed() {
    let (gh, _) = python_and_uv_releases(uv::archive());
    a_tampered_dependency_is_refused(&gh, "Hash mismatch", "uv");
}

#[test]
fn a_uv_archive_that_is_not_the_locked_one_is_refused_and_pip_installs_instead() {
    let real_uv = uv::archive();
    let uv_sha256 = vx_fixture::sha256_hex(&real_uv);
    let (gh, _) = python_and_uv_releases(real_uv);
    let (index, _) = pypi::serve_black(None);
    let (project, _) = locked_black(&pypi_config(&gh, &index), &["lock"]);
    // A lock that pins other bytes for uv than GitHub serves: vx never runs them.
    let path = project.work.dir.path().join("vx.lock");
    let text_of_lock = std::fs::read_to_string(&path).unwrap();
    assert!(text_of_lock.contains(&uv_sha256));
    std::fs::write(&path, text_of_lock.replace(&uv_sha256, &"0".repeat(64))).unwrap();
    let out = pypi::vx(&project)
        .args(["sync", "--headless", "-v"])
        .output()
        .unwrap();
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    assert!(!crate::common::has_tree(&store, "uv", uv::VERSION), "{all}");
    let black = crate::common::tree_in(&store, "black", pypi::BLACK);
    assert!(
        black.join("venv/bin/pip").exists(),
        "pip installed it: {all}"
    );
    assert!(
        project
            .run(&["black", "--version"])
            .starts_with("black, 24.10.0")
    );
    // The fall back and its reason reach the user, not the board alone: at once and
    // again under the summary's table.
    let said = format!(
        "vx: black {}: note: its environment is installed with python's pip instead: uv {} cannot be had (",
        pypi::BLACK,
        uv::VERSION
    );
    assert_eq!(all.matches(&said).count(), 2, "{all}");
    let reason = all[all.find(&said).unwrap() + said.len()..]
        .lines()
        .next()
        .unwrap();
    assert!(reason.contains("mismatch"), "the reason: {reason}");

    // And in the JSON events: a `notice` event, and the summary's `notices`.
    std::fs::remove_dir_all(store.join("black")).unwrap();
    let out = pypi::vx(&project)
        .args(["sync", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let notice = events
        .iter()
        .find(|e| e["event"] == "notice")
        .unwrap_or_else(|| panic!("{events:#?}"));
    assert_eq!(notice["tool"], "black");
    let message = notice["message"].as_str().unwrap();
    assert!(
        message.starts_with("its environment is installed with python's pip instead: uv ")
            && message.contains("mismatch"),
        "{message}"
    );
    let summary = events.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["notices"][0]["message"].as_str(), Some(message));
}

#[test]
fn a_bundle_installs_black_with_uv_offline_on_a_machine_that_never_saw_the_index() {
    let (gh, _) = python_and_uv_releases(uv::archive());
    let (index, _) = pypi::serve_black(None);
    let config = pypi_config(&gh, &index);
    let (project, _) = locked_black(&config, &["lock"]);
    // The bundle carries python, vx's uv (the lock's installer) and the whole pinned
    // set, each file by its name.
    let bundle = export_linux_bundle(pypi::vx(&project), &project);
    drop(index);
    drop(gh);

    // Another machine: nothing in its cache or store, no network.
    let fresh = locked_like(&project, &config, BLACK_MANIFEST);
    let named = imports_bundle(pypi::vx(&fresh), &bundle, &fresh);
    let home = fresh.work.dir.path().join("home");
    for file in ["black-24.10.0-py3-none-any.whl", "click-"] {
        assert!(
            std::fs::read_dir(&named).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(file)),
            "{file} in {named:?}"
        );
    }
    let out = pypi::vx(&fresh)
        .args(["sync", "--headless", "-v", "--locked", "--offline"])
        .output()
        .unwrap();
    let all = both(&out);
    assert!(out.status.success(), "{all}");
    assert!(!all.contains("note:"), "no fall back to pip: {all}");
    let store = home.join(".local/share/vx/store");
    let black = crate::common::tree_in(&store, "black", pypi::BLACK);
    assert_eq!(installer_of_black(&black), "uv", "{all}");
    assert!(!black.join("venv/bin/pip").exists(), "not pip: {all}");
    assert!(
        crate::common::tree_in(&store, "uv", uv::VERSION)
            .join("uv")
            .is_file()
    );
    assert!(
        fresh
            .run(&["black", "--version"])
            .starts_with("black, 24.10.0")
    );
    black_formats(&fresh);
}

/// What installed black into the tool's venv under `black` (its store directory):
/// the `INSTALLER` file of its `.dist-info` (PEP 376), `uv` or `pip`.
fn installer_of_black(black: &std::path::Path) -> String {
    let dist_info = format!("black-{}.dist-info/INSTALLER", pypi::BLACK);
    let lib = black.join("venv/lib");
    let site = std::fs::read_dir(&lib)
        .unwrap()
        .map(|entry| entry.unwrap().path().join("site-packages"))
        .find(|site| site.join(&dist_info).is_file())
        .unwrap_or_else(|| panic!("no {dist_info} under {}", lib.display()));
    std::fs::read_to_string(site.join(dist_info))
        .unwrap()
        .trim()
        .to_owned()
}

/// `vx bundle import BUNDLE` by `vx` (a command of `fresh`, the machine importing it)
/// succeeds, saying it named files for offline installs: the directory they are in.
fn imports_bundle(
    mut vx: assert_cmd::Command,
    bundle: &std::path::Path,
    fresh: &Project,
) -> std::path::PathBuf {
    let out = vx.args(["bundle", "import"]).arg(bundle).output().unwrap();
    let said = both(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("named for offline installs"), "{said}");
    fresh
        .work
        .dir
        .path()
        .join("home/.cache/vx/environment-files")
}

/// Exports the locked project's linux-x86_64 bundle with `vx` (a `vx` command set up
/// for the project); the bundle's path.
fn export_linux_bundle(mut vx: assert_cmd::Command, project: &Project) -> std::path::PathBuf {
    let bundle = project.work.dir.path().join("bundle.tar");
    let out = vx
        .args([
            "bundle",
            "export",
            "--headless",
            "--platform",
            "linux-x86_64",
        ])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    bundle
}
