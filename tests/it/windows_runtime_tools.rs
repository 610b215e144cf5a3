//! Runtime tools on Windows (issue 52, item 3), end to end with the real `vx.exe`
//! (under Wine in CI: `.ci/windows`).
//!
//! `"npm:prettier" = "3"` with `node = "20"`: the real node.exe 20.11.1 from its
//! Windows zip laid out as nodejs.org ships it (`node::real_windows_zip_of`:
//! `node.exe`, `npm.cmd`, `node_modules\npm` at the top), the real prettier 3.10.1
//! from the loopback registry. vx locks it with that node's npm (`node.exe
//! npm-cli.js install --package-lock-only`, no `npm.cmd`), installs it with `npm ci
//! --ignore-scripts`, and `prettier` runs through `vx exec` and through its shim as
//! `node.exe <store>\node_modules\prettier\bin\prettier.cjs`, recorded beside
//! `bin\prettier.cmd` (`vx_base::launch`), with no `cmd.exe` in between.
//!
//! `"pypi:black" = "24"` with `python = "3.12"`: a real Windows CPython, python.org's
//! embeddable 3.12.9 laid out as python-build-standalone's `x86_64-pc-windows-msvc`
//! `install_only_stripped` build (`python_windows::archive`: `python.exe` at the top,
//! `DLLs\`, `Lib\` with pip in `Lib\site-packages`), the real uv 0.13.9 from its
//! Windows zip (`uv::windows_archive`), black 24.10.0's `win_amd64` set from the
//! loopback mirror. vx locks it with that python.exe's own pip (`python.exe -I -m pip
//! install --dry-run --report`), makes the venv with `uv.exe venv --relocatable` and
//! installs the set with `uv.exe pip install --require-hashes`, and `black` runs (and
//! formats) through `vx exec` and through its shim as the venv's own launcher,
//! `venv\Scripts\black.exe`, recorded beside `bin\black.cmd`: no pip in the venv,
//! no `cmd.exe` in between.
//!
//! Gaps of Wine 8, not of Windows, are bridged here. For every vx run of the node
//! test (and the node it starts, which inherits them): its prefix reports Windows 7
//! (6.1.7601), which node 20 refuses to start on unless `NODE_SKIP_PLATFORM_CHECK=1`
//! (it then runs); and it lacks the `TCP_KEEPALIVE` socket option libuv sets for a
//! socket that asks for keep-alive, which fails every connection npm makes ("connect
//! UNKNOWN"), so `NODE_OPTIONS` preloads `.ci/wine/node-no-keepalive.js`, which
//! leaves keep-alive off. For the python test: Wine 8 lacks propsys.dll's
//! `VariantToString`, which python's `_wmi` module calls when `platform` asks it the
//! Windows version (as pip and uv's interpreter query do): python.exe dies ("wine:
//! Unimplemented function propsys.dll.VariantToString"). With propsys disabled,
//! `_wmi` fails to import and `platform` falls back to its other way, as CPython's
//! `platform.py` allows. Wine reads `WINEDLLOVERRIDES` only from the environment it
//! was started with (a Windows program's child does not take it from its parent's
//! Windows environment), so the test writes the override where Wine reads it for
//! programs of one name, the prefix's `HKCU\Software\Wine\AppDefaults\python.exe\
//! DllOverrides` (`propsys` empty: disabled), for every `python.exe` and no other
//! program. (The ProcessPrng stub DLL Wine 8 needs for any Rust program is put
//! beside the shim too, as `.ci/wine/run` puts it beside vx.exe; uv.exe, which vx
//! installs and runs within one sync, finds it on `PATH`, a folder holding only it
//! put first.)
#![cfg(windows)]

use crate::common;

use common::both;
use common::project::{Project, locked};
use common::publishers::{node, npm, pypi, python_windows, replacement_lines, uv};
use vx_fixture::github::GithubFixture;

const MANIFEST: &str = "[settings]\nplatforms = [\"windows-x86_64\", \"linux-x86_64\"]\n\n[tools]\nnode = \"20\"\n\"npm:prettier\" = \"3\"\n";

/// vx in the project, with what node needs under Wine (see the module's docs).
fn vx(project: &Project) -> assert_cmd::Command {
    let mut cmd = project.vx();
    under_wine(&mut cmd);
    cmd
}

/// Sets node's platform check off and its keep-alive preload (see the module's docs).
fn under_wine(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    // With its drive (`Z:` under Wine): node runs in another directory.
    let preload = std::path::absolute(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".ci")
            .join("wine")
            .join("node-no-keepalive.js"),
    )
    .unwrap();
    // `/` for `\`: NODE_OPTIONS reads a backslash as an escape.
    let preload = preload.display().to_string().replace('\\', "/");
    cmd.env("NODE_SKIP_PLATFORM_CHECK", "1")
        .env("NODE_OPTIONS", format!("--require {preload}"))
}

#[test]
fn prettier_installs_with_the_real_node_exe_and_runs_through_vx_exec_and_its_shim() {
    let zip = std::fs::read(node::real_windows_zip_of(&node::REAL_20)).unwrap();
    let mut release = node::Release::listed(node::REAL, Some("Iron"));
    release
        .served
        .push((format!("node-v{}-win-x64.zip", node::REAL), zip));
    let dist = node::serve(&[release]);
    let registry = npm::serve_prettier(npm::prettier_tarball());
    let config = format!(
        "[url_replacements]\n{}{}",
        replacement_lines(&node::config(&dist)),
        replacement_lines(&npm::config(&registry))
    );
    let project = Project::new(&config, MANIFEST);

    let out = vx(&project).args(["sync", "--headless"]).output().unwrap();
    // npm's own log says more than its last line on stderr.
    if !out.status.success() {
        let logs = project
            .work
            .dir
            .path()
            .join("home/.local/share/npm-cache/_logs");
        for log in std::fs::read_dir(&logs).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(log.path()).unwrap_or_default();
            eprintln!("== {}\n{text}", log.path().display());
        }
    }
    assert!(out.status.success(), "{}", both(&out));
    let lock = project.lock();
    assert_eq!(
        locked(&lock, "prettier", "windows-x86_64")["integrity"].as_str(),
        Some(npm::prettier_integrity().as_str())
    );
    let lockfile = lock["tools"]["prettier"]["environment"]["lockfile"]
        .as_str()
        .unwrap();
    assert!(
        lockfile.contains(&npm::prettier_integrity()),
        "npm's lockfile, made by node.exe's npm: {lockfile}"
    );

    // The command: `prettier.cmd` (found through PATHEXT) and its launch record,
    // node.exe and prettier's script in the store.
    let store = store_entry(&project, "prettier", npm::PRETTIER);
    let launch = vx_base::launch::of(&store.join(r"bin\prettier.cmd")).expect("a launch record");
    // node.exe of node 20.11.1's tree, whatever its package key.
    let node = store_entry(&project, "node", "20.11.1");
    let node_tree = std::path::Path::new("node").join(node.file_name().unwrap());
    assert!(
        launch.program.ends_with(node_tree.join("node.exe")),
        "{launch:?}"
    );
    assert_eq!(
        launch.args,
        [store
            .join(r"node_modules\prettier\bin\prettier.cjs")
            .to_string_lossy()
            .into_owned()]
    );

    // The `.cmd` runs prettier from a shell (cmd.exe) on its own.
    let cmd_file = store.join(r"bin\prettier.cmd");
    let mut by_cmd = assert_cmd::Command::new(&cmd_file);
    under_wine(&mut by_cmd)
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::contains(npm::PRETTIER));
    // vx itself never runs it: made to fail, prettier still runs through `vx exec`
    // and the shim below, node.exe started directly.
    std::fs::write(&cmd_file, "@exit /b 7\r\n").unwrap();

    // Through `vx exec`: prettier runs on node.exe and formats.
    let out = vx(&project)
        .args(["exec", "--", "prettier", "--version"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), npm::PRETTIER);
    let file = project.work.dir.path().join("ugly.js");
    std::fs::write(&file, "const  a = {b:1}\n").unwrap();
    let out = vx(&project)
        .args(["exec", "--", "prettier"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        "const a = { b: 1 };\n",
        "{}",
        both(&out)
    );

    // Through its shim (`prettier.exe`, vx under another name), run from the project.
    under_wine(&mut shim_of(&project, "prettier"))
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::contains(npm::PRETTIER));
}

/// The store's entry of `tool` at `version`, in the project's home.
fn store_entry(project: &Project, tool: &str, version: &str) -> std::path::PathBuf {
    let store = project.work.dir.path().join(r"home\.local\share\vx\store");
    crate::common::tree_in(store, tool, version)
}

/// The shim `NAME.exe` the sync made (vx under another name), as a command run from
/// the project with the project's environment and home. Under Wine vx.exe loads the
/// ProcessPrng stub from its own folder (.ci/wine/run puts it beside vx.exe): the
/// shim, a copy of vx.exe, gets it beside it too.
fn shim_of(project: &Project, name: &str) -> assert_cmd::Command {
    let home = project.work.dir.path().join("home");
    let shim = home.join(format!(r".local\share\vx\shims\{name}.exe"));
    assert!(shim.is_file(), "the sync made {name}'s shim");
    let stub = assert_cmd::cargo::cargo_bin("vx").with_file_name("bcryptprimitives.dll");
    if stub.is_file() {
        std::fs::copy(&stub, shim.with_file_name("bcryptprimitives.dll")).unwrap();
    }
    let mut cmd = std::process::Command::new(&shim);
    for (key, value) in project.work.vx_std().get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let mut cmd = assert_cmd::Command::from_std(cmd);
    common::isolated(&mut cmd, &home).current_dir(project.work.dir.path());
    cmd
}

const BLACK_MANIFEST: &str = "[settings]\nplatforms = [\"windows-x86_64\", \"linux-x86_64\"]\n\n[tools]\npython = \"3.12\"\n\"pypi:black\" = \"24\"\n";

/// A folder holding only the ProcessPrng stub DLL (see the module's docs), put first
/// on PATH for uv.exe, which vx installs and runs within one sync.
struct StubFolder(tempfile::TempDir);

impl StubFolder {
    fn new() -> StubFolder {
        let dir = tempfile::tempdir().unwrap();
        let stub = assert_cmd::cargo::cargo_bin("vx").with_file_name("bcryptprimitives.dll");
        if stub.is_file() {
            std::fs::copy(&stub, dir.path().join("bcryptprimitives.dll")).unwrap();
        }
        StubFolder(dir)
    }
}

/// Puts the ProcessPrng stub's folder first on PATH, where uv.exe finds it under
/// Wine (see the module's docs); on Windows the folder is empty.
fn stub_on_path<'c>(
    cmd: &'c mut assert_cmd::Command,
    stub: &StubFolder,
) -> &'c mut assert_cmd::Command {
    let mut paths = vec![stub.0.path().to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    cmd.env("PATH", std::env::join_paths(paths).unwrap())
}

/// Under Wine (the stub DLL beside vx.exe says so), propsys disabled for every
/// `python.exe` of the prefix: Wine's own per-program DLL override (see the module's
/// docs), written with Wine's `reg.exe`; nothing on Windows.
fn propsys_disabled_for_stub_on_path() {
    let stub = assert_cmd::cargo::cargo_bin("vx").with_file_name("bcryptprimitives.dll");
    if !stub.is_file() {
        return;
    }
    let out = std::process::Command::new("reg.exe")
        .args([
            "add",
            r"HKCU\Software\Wine\AppDefaults\python.exe\DllOverrides",
            "/v",
            "propsys",
            "/t",
            "REG_SZ",
            "/d",
            "",
            "/f",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
}

/// vx in the project (no pip or uv index of the machine's), the stub on PATH.
fn python_vx(project: &Project, stub: &StubFolder) -> assert_cmd::Command {
    let mut cmd = pypi::vx(project);
    stub_on_path(&mut cmd, stub);
    cmd
}

#[test]
fn black_installs_with_uv_on_the_real_python_exe_and_runs_through_vx_exec_and_its_shim() {
    let gh = GithubFixture::builder()
        .release(
            python_windows::OWNER,
            python_windows::REPO,
            python_windows::release(),
        )
        .release(uv::OWNER, uv::REPO, uv::windows_release())
        .start()
        .unwrap();
    let (index, listed) = pypi::serve_black_files(pypi::black_set_windows(), None);
    let config = format!(
        "[github]\nurl = \"{}\"\n\n{}",
        gh.web_url(),
        pypi::mirror_config(&index)
    );
    let project = Project::new(&config, BLACK_MANIFEST);
    let stub = StubFolder::new();
    propsys_disabled_for_stub_on_path();

    let out = python_vx(&project, &stub)
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let lock = project.lock();
    let entry = lock["tools"]["black"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some(pypi::BLACK));
    let environment = entry["environment"].as_table().unwrap();
    assert_eq!(
        environment["runtime_version"].as_str(),
        Some(python_windows::VERSION)
    );
    // uv builds it: the lock names vx's uv, its Windows zip pinned by its sha256.
    let installer = environment["installer"].as_table().unwrap();
    assert_eq!(installer["version"].as_str(), Some(uv::VERSION));
    let windows = installer["platforms"]["windows-x86_64"].as_table().unwrap();
    assert_eq!(
        windows["sha256"].as_str(),
        Some(vx_fixture::sha256_hex(&uv::windows_archive()).as_str())
    );
    assert!(
        windows["url"]
            .as_str()
            .unwrap()
            .ends_with("/uv-x86_64-pc-windows-msvc.zip"),
        "{windows:?}"
    );
    assert!(installer["platforms"]["linux-x86_64"].is_table());
    // Resolved by python.exe's own pip: black's wheels for every platform pinned by
    // the index's sha256; black's asset on each platform its own cp312 wheel, which
    // uv installs from vx's checked copy.
    let pinned = environment["lockfile"].as_str().unwrap();
    for (name, sha256) in &listed {
        assert!(
            pinned.contains(&format!("--hash=sha256:{sha256}")),
            "{name}: {pinned}"
        );
    }
    for (platform, tag) in [
        ("windows-x86_64", "win_amd64"),
        ("linux-x86_64", "manylinux_2_17_x86_64"),
    ] {
        let asset = locked(&lock, "black", platform);
        let file = asset["url"].as_str().unwrap().rsplit('/').next().unwrap();
        assert!(
            file.starts_with("black-24.10.0-cp312-cp312-") && file.contains(tag),
            "{platform}: {file}"
        );
        let (_, sha256) = listed.iter().find(|(n, _)| n == file).unwrap();
        assert_eq!(asset["sha256"].as_str(), Some(sha256.as_str()));
    }

    // The command: `black.cmd` and its launch record, the launcher uv wrote in the
    // store's venv (`Scripts\black.exe`, which finds the venv's python beside it);
    // no pip in the venv, none run.
    let store = store_entry(&project, "black", pypi::BLACK);
    let cmd_file = store.join(r"bin\black.cmd");
    let launch = vx_base::launch::of(&cmd_file).expect("a launch record");
    assert_eq!(launch.program, store.join(r"venv\Scripts\black.exe"));
    assert!(launch.args.is_empty(), "{launch:?}");
    // uv made the venv (relocatable, no pip in it) and installed the set: black's
    // own wheel the mypyc-compiled one for CPython 3.12 on Windows.
    let venv = store.join("venv");
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).unwrap();
    assert!(cfg.contains("relocatable = true"), "{cfg}");
    let site = venv.join(r"Lib\site-packages");
    assert!(!site.join("pip").exists(), "uv made the venv without pip");
    let dist_info = site.join(format!("black-{}.dist-info", pypi::BLACK));
    let installer = std::fs::read_to_string(dist_info.join("INSTALLER")).unwrap();
    assert_eq!(installer.trim(), "uv");
    let wheel = std::fs::read_to_string(dist_info.join("WHEEL")).unwrap();
    assert!(wheel.contains("Tag: cp312-cp312-win_amd64"), "{wheel}");
    // vx never runs the `.cmd` (cmd.exe): made to fail, black still runs.
    std::fs::write(&cmd_file, "@exit /b 7\r\n").unwrap();

    // Through `vx exec`: black runs on the real python.exe, and formats.
    let out = python_vx(&project, &stub)
        .args(["exec", "--", "black", "--version"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        version.starts_with("black, 24.10.0 (compiled: yes)"),
        "{version}"
    );
    assert!(
        version.contains(&format!("Python (CPython) {}", python_windows::VERSION)),
        "the project's python runs it: {version}"
    );
    let file = project.work.dir.path().join("ugly.py");
    std::fs::write(&file, "x = {  'a':1 }\n").unwrap();
    let out = python_vx(&project, &stub)
        .args(["exec", "--", "black", "-q"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", both(&out));
    assert_eq!(
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("\r\n", "\n"),
        "x = {\"a\": 1}\n"
    );

    // Through its shim (`black.exe`, vx under another name), run from the project.
    stub_on_path(&mut shim_of(&project, "black"), &stub)
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::contains("black, 24.10.0"));
}
