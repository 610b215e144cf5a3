//! The store keeps packages apart by their identity, not by name (issue 63, item 1):
//! two packages that share a tool name and a version — aqua's `uv` (astral-sh/uv's
//! `uv-x86_64-unknown-linux-musl.tar.gz`) and the uv vx installs PyPI tools with (its
//! `-linux-gnu` build), aqua's `ruff` and `pypi:ruff` — each keep their own tree in
//! one store. Before, both landed in `<store>/uv/0.13.9`: syncs of the two projects took
//! turns downloading and replacing each other's tree, and `vx exec` ran whichever had
//! landed last. A store an older vx laid out (`<store>/<tool>/<version>`) keeps working
//! in place.
//!
//! Both projects here share the default store (one user, two projects), as the
//! Python team's laptops do; the archives are astral-sh/uv's release layout (one top
//! directory `uv-<triple>/` holding `uv`: astral-sh/uv's `.github/workflows/build-release-binaries.yml`, as
//! `tests/common/publishers/uv.rs` cites it)
//! with a script standing in for the binary that says which build it is.

use std::path::{Path, PathBuf};

use vx_base::format::ArchiveFormat;
use vx_fixture::{Item, Route, TestServer, archive_bytes, sha256_hex};

use crate::common::{Work, stdout_of, tool_toml};

const VERSION: &str = "0.13.9";

/// A uv release archive for `triple`, whose `uv` prints `uv 0.13.9 (<triple>)`.
fn uv_archive(triple: &'static str) -> Vec<u8> {
    let top: &'static str = Box::leak(format!("uv-{triple}/").into_boxed_str());
    let exe: &'static str = Box::leak(format!("uv-{triple}/uv").into_boxed_str());
    let script = format!("#!/bin/sh\necho \"uv {VERSION} ({triple})\"\n");
    archive_bytes(
        ArchiveFormat::TarGz,
        &[Item::Dir(top), Item::File(exe, script.into_bytes(), 0o755)],
    )
}

/// One project of the user's, `name` under the workspace, pinning uv from `server`.
struct Package {
    dir: PathBuf,
    server: TestServer,
    triple: &'static str,
}

impl Package {
    fn new(work: &Work, name: &str, triple: &'static str) -> Package {
        let body = uv_archive(triple);
        let sha = sha256_hex(&body);
        let path = format!("/uv-{triple}.tar.gz");
        let server = TestServer::start([(path.as_str(), Route::Ok(body))]);
        let dir = work.dir.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut manifest = tool_toml("uv", VERSION, &server.url(&path), &sha);
        manifest.push_str("bin = [\"uv\"]\n");
        std::fs::write(dir.join("vx.toml"), manifest).unwrap();
        Package {
            dir,
            server,
            triple,
        }
    }

    fn vx(&self, work: &Work, args: &[&str], code: i32) -> String {
        let mut cmd = work.vx();
        cmd.current_dir(&self.dir).args(args);
        String::from_utf8(stdout_of(&mut cmd, code)).unwrap()
    }

    fn sync(&self, work: &Work) {
        self.vx(work, &["sync", "--headless"], 0);
    }

    /// What `vx exec -- uv` runs in this project.
    fn runs(&self, work: &Work) -> String {
        self.vx(work, &["exec", "--offline", "--", "uv"], 0)
    }

    fn says(&self) -> String {
        format!("uv {VERSION} ({})\n", self.triple)
    }
}

fn store(work: &Work) -> PathBuf {
    work.dir.path().join("xdg/vx/store")
}

/// The directories of uv 0.13.9 in the store (none once uv's own is gone).
fn uv_dirs(store: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(store.join("uv")) else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(VERSION))
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn two_packages_of_one_name_and_version_keep_two_trees_and_never_replace_each_other() {
    let work = Work::new();
    let aqua = Package::new(&work, "service", "x86_64-unknown-linux-musl");
    let own = Package::new(&work, "tools", "x86_64-unknown-linux-gnu");

    aqua.sync(&work);
    own.sync(&work);
    assert_eq!(uv_dirs(&store(&work)).len(), 2, "two trees");
    assert_eq!((aqua.server.hits(), own.server.hits()), (1, 1));

    // Each sync after the other's finds its own tree: nothing is downloaded again
    // (before: each replaced the other's, one download per sync).
    for _ in 0..2 {
        aqua.sync(&work);
        own.sync(&work);
    }
    assert_eq!((aqua.server.hits(), own.server.hits()), (1, 1));
    assert_eq!(aqua.runs(&work), aqua.says());
    assert_eq!(own.runs(&work), own.says());

    // `vx list` shows both packages; `vx uninstall uv@0.13.9` takes both.
    let listed = aqua.vx(&work, &["list", "--json"], 0);
    let uvs: Vec<serde_json::Value> = listed
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|t| t["tool"] == "uv")
        .collect();
    assert_eq!(uvs.len(), 2, "{listed}");
    aqua.vx(&work, &["uninstall", &format!("uv@{VERSION}")], 0);
    assert!(uv_dirs(&store(&work)).is_empty());
}

/// `vx prune` in one project removes the other package of the same name and version
/// when no other project pins it, and keeps the project's own tree.
#[test]
fn prune_keeps_the_projects_own_tree_not_every_tree_of_its_name() {
    let work = Work::new();
    let aqua = Package::new(&work, "service", "x86_64-unknown-linux-musl");
    let own = Package::new(&work, "tools", "x86_64-unknown-linux-gnu");
    aqua.sync(&work);
    own.sync(&work);
    // The other project is kept by its own lock while it stands.
    aqua.vx(&work, &["prune"], 0);
    assert_eq!(uv_dirs(&store(&work)).len(), 2);
    // Gone, it keeps nothing: the other package goes, this project's stays.
    std::fs::remove_dir_all(&own.dir).unwrap();
    aqua.vx(&work, &["prune"], 0);
    assert_eq!(uv_dirs(&store(&work)).len(), 1);
    assert_eq!(aqua.runs(&work), aqua.says());
    assert_eq!(aqua.server.hits(), 1);
}

/// A store an older vx laid out (`<store>/uv/0.13.9`, a receipt without a key) is
/// used in place: a sync downloads nothing and `vx exec` runs it; the other package
/// installs beside it and never replaces it.
#[test]
fn an_older_stores_tree_is_used_in_place_and_never_replaced_by_another_package() {
    let work = Work::new();
    let aqua = Package::new(&work, "service", "x86_64-unknown-linux-musl");
    aqua.sync(&work);
    // What an older vx left: the tree at `<store>/uv/<version>`, its receipt without
    // the key.
    let keyed = crate::common::tree_in(store(&work), "uv", VERSION);
    let legacy = store(&work).join("uv").join(VERSION);
    std::fs::rename(&keyed, &legacy).unwrap();
    let receipt_path = legacy.join(vx_engine::store::RECEIPT_FILE);
    let mut receipt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&receipt_path).unwrap()).unwrap();
    receipt.as_object_mut().unwrap().remove("key");
    std::fs::write(&receipt_path, serde_json::to_vec(&receipt).unwrap()).unwrap();

    aqua.sync(&work);
    assert_eq!(
        aqua.server.hits(),
        1,
        "the older tree is taken as installed"
    );
    assert_eq!(aqua.runs(&work), aqua.says());

    let own = Package::new(&work, "tools", "x86_64-unknown-linux-gnu");
    own.sync(&work);
    assert_eq!(own.runs(&work), own.says());
    aqua.sync(&work);
    assert_eq!(aqua.server.hits(), 1);
    assert_eq!(aqua.runs(&work), aqua.says());
    assert_eq!(uv_dirs(&store(&work))[0], VERSION, "still in place");
}
