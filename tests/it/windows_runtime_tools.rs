//! Runtime tools on Windows (issue 52, item 3), end to end with the real `vx.exe`
//! (under Wine in CI: `.ci/windows`): `"npm:prettier" = "3"` with `node = "20"`, the
//! real node.exe 20.11.1 from its Windows zip laid out as nodejs.org ships it
//! (`node::real_windows_zip_of`: `node.exe`, `npm.cmd`, `node_modules\npm` at the
//! top), the real prettier 3.10.1 from the loopback registry. vx locks it with that
//! node's npm (`node.exe npm-cli.js install --package-lock-only`, no `npm.cmd`),
//! installs it with `npm ci --ignore-scripts`, and `prettier` runs through `vx exec`
//! and through its shim as `node.exe <store>\node_modules\prettier\bin\prettier.cjs`,
//! recorded beside `bin\prettier.cmd` (`vx::launch`), with no `cmd.exe` in between.
//!
//! The python half (`pypi:black` with uv's `Scripts\black.exe`) has no test here: no
//! Windows CPython is to be had from the registries the tests reach (PyPI, npm,
//! crates.io, Debian); its command recording is the unit test
//! `install::environment::tests::a_windows_venvs_console_scripts_are_launches_of_the_stores_launchers`.
//!
//! Wine 8's prefix reports Windows 7 (6.1.7601), which node 20 refuses to start on
//! unless `NODE_SKIP_PLATFORM_CHECK=1` (it then runs): set for every vx run here, and
//! inherited by the node vx starts.
#![cfg(windows)]

use crate::common;

use common::both;
use common::project::{Project, locked};
use common::publishers::{node, npm, replacement_lines};

const MANIFEST: &str = "[settings]\nplatforms = [\"windows-x86_64\", \"linux-x86_64\"]\n\n[tools]\nnode = \"20\"\n\"npm:prettier\" = \"3\"\n";

/// vx in the project, node's platform check off (see the module's docs).
fn vx(project: &Project) -> assert_cmd::Command {
    let mut cmd = project.vx();
    cmd.env("NODE_SKIP_PLATFORM_CHECK", "1");
    cmd
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
    let store = project
        .work
        .dir
        .path()
        .join("home/.local/share/vx/store/prettier")
        .join(npm::PRETTIER);
    let launch = vx::launch::of(&store.join(r"bin\prettier.cmd")).expect("a launch record");
    assert!(
        launch.program.ends_with(r"node\20.11.1\node.exe"),
        "{launch:?}"
    );
    assert_eq!(
        launch.args,
        [store
            .join(r"node_modules\prettier\bin\prettier.cjs")
            .to_string_lossy()
            .into_owned()]
    );

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
    let home = project.work.dir.path().join("home");
    let shim = home.join(r".local\share\vx\shims\prettier.exe");
    assert!(shim.is_file(), "the sync made prettier's shim");
    let mut cmd = std::process::Command::new(&shim);
    let template = project.work.vx_std();
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    common::isolated(
        assert_cmd::Command::from_std(cmd)
            .current_dir(project.work.dir.path())
            .env("NODE_SKIP_PLATFORM_CHECK", "1")
            .arg("--version"),
        &home,
    )
    .assert()
    .success()
    .stdout(predicates::str::contains(npm::PRETTIER));
}
