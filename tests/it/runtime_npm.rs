//! node's global packages (issue 37, item 5): `npm i -g` with the real npm installs
//! into a prefix of the user's outside the store (`<data>/vx/npm-global/MAJOR`, named
//! by the `etc/npmrc` vx writes into node's tree), leaves the store entry every
//! project shares as it was, and the package's command runs through `vx exec`; the
//! lock is the same whatever the machine's data directory.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use crate::common;

use common::output_of;
use common::project::Project;
use common::publishers::node;

/// Every file under `root` with its size and content, sorted: what a test compares
/// to say a tree did not change.
fn tree_of(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.push((rel, target.into_os_string().into_encoded_bytes()));
            } else {
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A tiny package with a command, packed by the real npm into `into`.
fn packed_package(project: &Project, into: &Path) -> PathBuf {
    let package = into.join("vx-hello");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(
        package.join("package.json"),
        r#"{"name": "vx-hello", "version": "1.0.0", "bin": {"vx-hello": "cli.js"}}"#,
    )
    .unwrap();
    std::fs::write(
        package.join("cli.js"),
        "#!/usr/bin/env node\nconsole.log('hello from a global package');\n",
    )
    .unwrap();
    output_of(
        project
            .vx()
            .args(["exec", "--", "npm", "pack", "--pack-destination"])
            .arg(into)
            .arg(&package),
        0,
    );
    into.join("vx-hello-1.0.0.tgz")
}

#[test]
fn npm_install_global_lands_outside_the_store_and_its_command_runs() {
    let (_dist, project) = node::real_project(
        "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n[tools]\nnode = \"20\"\n",
    );
    project.vx().args(["sync", "--headless"]).assert().success();
    let home = project.work.dir.path().join("home");
    let data = home.join(".local/share/vx");
    let entry = crate::common::tree_in(data.join("store"), "node", node::REAL);
    let prefix = data.join("npm-global/20");
    assert_eq!(
        std::fs::read_to_string(entry.join("etc/npmrc")).unwrap(),
        format!("prefix='{}'\n", prefix.display())
    );
    let before = tree_of(&entry);

    let work = tempfile::tempdir().unwrap();
    let tgz = packed_package(&project, work.path());
    let npm = |args: &[&str]| {
        let (stdout, _) = output_of(
            project
                .vx()
                .env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
                .args(["exec", "--", "npm"])
                .args(args),
            0,
        );
        stdout.trim().to_owned()
    };
    assert_eq!(npm(&["prefix", "-g"]), prefix.display().to_string());
    npm(&[
        "install",
        "-g",
        "--offline",
        "--no-audit",
        "--no-fund",
        tgz.to_str().unwrap(),
    ]);

    // The shared entry is as it was; the package is in the user's prefix.
    assert_eq!(tree_of(&entry), before, "npm i -g wrote into the store");
    assert!(
        prefix
            .join("lib/node_modules/vx-hello/package.json")
            .is_file()
    );
    // Its command is on the PATH vx builds, after node's own: run twice, the second
    // time from the activation record.
    for _ in 0..2 {
        assert_eq!(
            project.exec(&["vx-hello"]).trim(),
            "hello from a global package"
        );
    }
    let out = project
        .vx()
        .args(["env", "--shell", "bash"])
        .output()
        .unwrap();
    let env = String::from_utf8_lossy(&out.stdout);
    let node_bin = entry.join("bin").display().to_string();
    let global_bin = prefix.join("bin").display().to_string();
    let (at_node, at_global) = (env.find(&node_bin), env.find(&global_bin));
    assert!(
        at_node.is_some() && at_global.is_some() && at_node < at_global,
        "node's bin, then npm's global bin: {env}"
    );

    // The store's npm run by its path, without vx, reads the same prefix; the user's
    // own NPM_CONFIG_PREFIX still wins.
    assert_eq!(
        global_prefix(&entry, &home, None),
        prefix.display().to_string()
    );
    assert_eq!(
        global_prefix(&entry, &home, Some(work.path())),
        work.path().display().to_string()
    );

    // The lock names no machine's directory: made again under another data
    // directory, it is the same.
    let locked = project.lock_text().unwrap();
    assert!(!locked.contains("npm-global"), "{locked}");
    std::fs::remove_file(project.work.dir.path().join("vx.lock")).unwrap();
    let other = tempfile::tempdir().unwrap();
    project
        .vx()
        .env("XDG_DATA_HOME", other.path())
        .args(["lock"])
        .assert()
        .success();
    assert_eq!(project.lock_text().unwrap(), locked);
}

#[test]
fn a_data_directory_with_npmrc_comment_characters_is_still_npms_prefix() {
    let (_dist, project) = node::real_project("[tools]\nnode = \"20\"\n");
    // `;` and `#` start a comment in an npmrc value written bare.
    let data_home = project.work.dir.path().join("data #1; shared");
    project
        .vx()
        .env("XDG_DATA_HOME", &data_home)
        .args(["sync", "--headless"])
        .assert()
        .success();
    let entry = crate::common::tree_in(data_home.join("vx/store"), "node", node::REAL);
    let prefix = data_home.join("vx/npm-global/20");
    let home = project.work.dir.path().join("home");
    assert_eq!(
        global_prefix(&entry, &home, None),
        prefix.display().to_string()
    );
}

/// `npm prefix -g` of the node installed at `entry`, run by its path without vx, in
/// `home`, with `NPM_CONFIG_PREFIX` set to `own` (else unset).
fn global_prefix(entry: &Path, home: &Path, own: Option<&Path>) -> String {
    let mut cmd = std::process::Command::new(entry.join("bin/npm"));
    cmd.args(["prefix", "-g"])
        .env("HOME", home)
        .env("PATH", entry.join("bin"))
        .env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
        .env_remove("NPM_CONFIG_PREFIX");
    if let Some(own) = own {
        cmd.env("NPM_CONFIG_PREFIX", own);
    }
    let out = common::succeeded(&mut cmd);
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
