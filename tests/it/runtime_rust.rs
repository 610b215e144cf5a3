//! Rust by name (issue 37), end to end with the real `vx`: versions from rust-lang/rust's
//! releases on the loopback GitHub, the bytes from a loopback static.rust-lang.org's
//! channel manifests in their real shape (tests/common/publishers/rustlang.rs); locked
//! for several platforms from the manifest alone; the combined package (this machine's
//! real toolchain in rust-installer's format) installed and merged into one tree, where
//! `rustc` compiles and `cargo` builds and runs a package through `vx exec`.
#![cfg(unix)]

use crate::common;

use common::publishers::rustlang::{self, Toolchain};
use common::*;

fn stable(served: Vec<(&'static str, Vec<u8>)>) -> Toolchain {
    Toolchain {
        id: "1.83.0".to_owned(),
        version: "1.83.0".to_owned(),
        date: "2024-11-28",
        served,
    }
}

fn nightly(date: &'static str) -> Toolchain {
    Toolchain {
        id: "nightly".to_owned(),
        version: "1.85.0-nightly".to_owned(),
        date,
        served: Vec::new(),
    }
}

const RELEASES: [&str; 4] = ["1.83.0", "1.82.0", "1.81.0", "1.80.1"];

#[test]
fn rust_locks_every_platform_from_the_channel_manifest_alone() {
    let dist = rustlang::serve(&[stable(Vec::new())]);
    let github = rustlang::github(&RELEASES);
    let project = Project::new(
        &rustlang::config(&dist, &github),
        "[settings]\nplatforms = [\"linux-x86_64\", \"linux-x86_64-musl\", \"linux-aarch64-musl\", \"macos-aarch64\", \"windows-x86_64\"]\n[tools]\nrust = \"1.83\"\n",
    );
    project.ok(&["lock"]);
    let lock = project.lock();
    let entry = &lock["tools"]["rust"];
    assert_eq!(entry["version"].as_str(), Some("1.83.0"));
    assert_eq!(entry["package"].as_str(), Some("runtime:rust"));
    for (platform, triple) in [
        ("linux-x86_64", "x86_64-unknown-linux-gnu"),
        ("linux-x86_64-musl", "x86_64-unknown-linux-musl"),
        ("macos-aarch64", "aarch64-apple-darwin"),
        ("windows-x86_64", "x86_64-pc-windows-msvc"),
    ] {
        let one = entry["platforms"][platform]
            .as_table()
            .unwrap_or_else(|| panic!("{platform}: {entry:#?}"));
        assert_eq!(
            one["url"].as_str().unwrap(),
            format!("https://static.rust-lang.org/dist/2024-11-28/rust-1.83.0-{triple}.tar.xz")
        );
        assert_eq!(
            one["checksum"].as_str(),
            Some("index:https://static.rust-lang.org/dist/channel-rust-1.83.0.toml")
        );
    }
    assert!(
        entry["platforms"]["windows-x86_64"]["bin"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b.as_str() == Some("bin/cargo.exe"))
    );
    let reason = entry["unsupported"]["linux-aarch64-musl"].as_str().unwrap();
    assert!(reason.contains("aarch64-unknown-linux-musl"), "{reason}");
    assert_eq!(
        dist.paths(),
        ["/dist/channel-rust-1.83.0.toml"],
        "one manifest, no archive"
    );
}

#[test]
fn nightly_is_locked_by_its_date_and_a_missing_version_names_the_newest() {
    let dist = rustlang::serve(&[nightly("2024-12-01"), nightly("2024-11-20")]);
    let github = rustlang::github(&RELEASES);
    let config = rustlang::config(&dist, &github);
    for (written, version, manifest) in [
        (
            "nightly",
            "nightly-2024-12-01",
            "2024-12-01/channel-rust-nightly.toml",
        ),
        (
            "nightly-2024-11-20",
            "nightly-2024-11-20",
            "2024-11-20/channel-rust-nightly.toml",
        ),
    ] {
        let project = Project::new(
            &config,
            &format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nrust = \"{written}\"\n"),
        );
        project.ok(&["lock"]);
        let lock = project.lock();
        assert_eq!(lock["tools"]["rust"]["version"].as_str(), Some(version));
        assert_eq!(
            lock["tools"]["rust"]["platforms"]["linux-x86_64"]["checksum"]
                .as_str()
                .unwrap(),
            format!("index:https://static.rust-lang.org/dist/{manifest}")
        );
    }
    let manifest = "[tools]\nrust = \"1.70\"\n";
    let project = Project::new(&config, manifest);
    project.lock_refused(
        2,
        "no version of rust matches `1.70`; the newest are 1.83.0, 1.82.0",
    );
}

#[test]
fn a_manifest_that_is_not_one_is_an_error_that_writes_nothing() {
    let broken = vx_fixture::TestServer::start([(
        "/dist/channel-rust-1.83.0.toml",
        vx_fixture::Route::Ok(b"manifest-version = \"2\"\n[pkg.rust\n".to_vec()),
    )]);
    let github = rustlang::github(&RELEASES);
    let project = Project::new(
        &rustlang::config(&broken, &github),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nrust = \"1.83.0\"\n",
    );
    project.lock_refused(
        1,
        "channel-rust-1.83.0.toml: not a valid Rust channel manifest",
    );
}

#[test]
fn the_real_combined_package_installs_as_one_tree_where_rustc_and_cargo_build() {
    let real = rustlang::machine_rust();
    let version = real.version.as_str();
    let archive = rustlang::archive(version);
    let toolchain = Toolchain {
        id: version.to_owned(),
        version: version.to_owned(),
        date: "2024-11-28",
        served: vec![("x86_64-unknown-linux-gnu", archive)],
    };
    let dist = rustlang::serve(&[toolchain]);
    let github = rustlang::github(&[version]);
    let project = Project::new(
        &rustlang::config(&dist, &github),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nrust = \"stable\"\n",
    );
    project.ok(&["sync", "--headless"]);
    // stdout and stderr together (cargo says what it built on stderr).
    let run = |args: &[&str]| {
        let all = [&["exec", "--"], args].concat();
        let (code, stdout, stderr) = project.outcome(&all);
        let out = format!("{stdout}{stderr}");
        assert_eq!(code, 0, "{args:?}: {out}");
        out.trim().to_owned()
    };
    // The installed commands, not rustup's.
    for command in ["rustc", "cargo", "rustfmt", "cargo-clippy"] {
        let path = run(&["sh", "-c", &format!("command -v {command}")]);
        assert!(
            crate::common::unkeyed(&path).ends_with(&format!("/rust/{version}/bin/{command}")),
            "{path}"
        );
    }
    let rustc = run(&["rustc", "--version"]);
    assert!(rustc.starts_with(&format!("rustc {version} (")), "{rustc}");
    let cargo = run(&["cargo", "--version"]);
    assert!(cargo.starts_with(&format!("cargo {version} (")), "{cargo}");
    assert!(run(&["cargo", "clippy", "--version"]).starts_with("clippy "));
    assert!(run(&["rustfmt", "--version"]).starts_with("rustfmt "));
    // rustc finds its std in the merged tree: hello world compiles and runs.
    let dir = project.work.dir.path();
    std::fs::write(
        dir.join("hello.rs"),
        "fn main() {\n    println!(\"hello from rustc\");\n}\n",
    )
    .unwrap();
    run(&["rustc", "hello.rs", "-o", "hello"]);
    let out = std::process::Command::new(dir.join("hello"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from rustc\n");
    // cargo builds and runs a package with the installed rustc.
    run(&["cargo", "new", "--quiet", "--offline", "greeter"]);
    let said = project
        .vx()
        .args(["exec", "--", "cargo", "run", "--quiet", "--offline"])
        .current_dir(dir.join("greeter"))
        .output()
        .unwrap();
    assert!(
        said.status.success(),
        "{}",
        String::from_utf8_lossy(&said.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&said.stdout), "Hello, world!\n");
    // Locked again, nothing changes (the merge option is part of the locked layout).
    let before = project.lock_text();
    project.ok(&["lock"]);
    assert_eq!(project.lock_text(), before);
    // The documentation was not merged in.
    let store = project.work.dir.path().join("home/.local/share");
    let std_libs = walk_for(&store, |name| {
        name.starts_with("libstd-") && name.ends_with(".rlib")
    });
    assert!(!std_libs.is_empty(), "the store is there");
    let docs = walk_for(&store, |name| name == "html");
    assert!(docs.is_empty(), "{docs:?}");
}

/// Paths under `dir` whose file name `wanted` says.
fn walk_for(
    dir: &std::path::Path,
    wanted: impl Fn(&str) -> bool + Copy,
) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if wanted(&entry.file_name().to_string_lossy()) {
            found.push(path.clone());
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(walk_for(&path, wanted));
        }
    }
    found
}

/// loonghao/vx's `rust = "rustup-managed"` (issue 38, item 9): rustup's
/// `rust-toolchain.toml` beside vx.toml owns the toolchain, so vx locks the channel it
/// names; without that file the manifest is refused, saying so, and nothing is written.
#[test]
fn rustup_managed_rust_takes_the_channel_of_rust_toolchain_toml() {
    let dist = rustlang::serve(&[stable(Vec::new())]);
    let github = rustlang::github(&RELEASES);
    let manifest =
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nrust = \"rustup-managed\"\n";
    let project = Project::new(&rustlang::config(&dist, &github), manifest);

    let out = project.vx().arg("lock").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("rustup-managed") && stderr.contains("rust-toolchain.toml"),
        "{stderr}"
    );
    assert!(project.lock_text().is_none(), "nothing locked: {stderr}");

    std::fs::write(
        project.work.dir.path().join("rust-toolchain.toml"),
        "[toolchain]\nchannel = \"1.83.0\"\ncomponents = [\"clippy\"]\n",
    )
    .unwrap();
    project.ok(&["lock"]);
    let lock = project.lock();
    assert_eq!(lock["tools"]["rust"]["version"].as_str(), Some("1.83.0"));
    assert_eq!(project.manifest_text(), manifest, "vx.toml as written");
}
