//! python-build-standalone's GitHub releases (`astral-sh/python-build-standalone` on
//! the loopback GitHub): releases tagged by date, each carrying
//! `cpython-{V}+{TAG}-{triple}[-freethreaded]-install_only_stripped.tar.gz` for every
//! triple, with GitHub digests (recent releases) or a `SHA256SUMS` asset or per-asset
//! `.sha256` files (older ones). No package registry ships these builds, so the
//! archive served for installs is made from a real CPython (this machine's pyenv
//! build of 3.12) laid out exactly as the publisher's build script lays its own out:
//! see [`archive`] for the layout and the lines of the publisher's sources it follows.

use std::path::{Path, PathBuf};

use vx_fixture::github::{FixtureRelease, GithubFixture};

pub use super::pbs_release::{Sums, asset_name, release};

/// The publisher's repository.
pub const OWNER: &str = "astral-sh";
/// The publisher's repository.
pub const REPO: &str = "python-build-standalone";

/// Release `tag` serving the real CPython ([`archive`], nothing left out) for x86_64
/// Linux, with GitHub digests, listing `also` (noise for every triple) before it: the
/// archive's asset name and the release.
pub fn real_linux_release(tag: &str, also: &[&str]) -> (String, FixtureRelease) {
    let (version, bytes) = archive(Without::Nothing);
    let asset = asset_name(&version, tag, "x86_64-unknown-linux-gnu");
    let versions: Vec<&str> = also.iter().copied().chain([version.as_str()]).collect();
    let release = release(tag, &versions, Sums::Digests, &[(asset.clone(), bytes)]);
    (asset, release)
}

/// A loopback GitHub with the publisher's release `tag` as it makes them today
/// (GitHub digests and a `SHA256SUMS`), its x86_64 Linux asset the archive of
/// [`archive`] (the others noise).
pub struct LinuxServed {
    /// The GitHub.
    pub github: GithubFixture,
    /// The python version of the release.
    pub version: String,
    /// The Linux archive's asset name.
    pub asset: String,
    /// The Linux archive.
    pub bytes: Vec<u8>,
}

/// [`LinuxServed`] for `tag`.
pub fn serve_linux(tag: &str) -> LinuxServed {
    let (version, bytes) = archive(Without::Nothing);
    let asset = asset_name(&version, tag, "x86_64-unknown-linux-gnu");
    let github = GithubFixture::builder()
        .release(
            OWNER,
            REPO,
            release(
                tag,
                &[&version],
                Sums::DigestsAndFile,
                &[(asset.clone(), bytes.clone())],
            ),
        )
        .start()
        .unwrap();
    LinuxServed {
        github,
        version,
        asset,
        bytes,
    }
}

/// What a served archive leaves out of the publisher's current layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Without {
    /// Nothing: the archive as python-build-standalone builds it today.
    Nothing,
    /// `bin/python` and `bin/pip`, which releases made before the build script linked
    /// `python` and pip wrote its unversioned script lack: vx adds both.
    UnversionedCommands,
    /// Every pip script: a damaged archive, which vx refuses.
    Pip,
}

/// The real CPython this machine has (an upstream build of 3.12 that pyenv made on
/// the image: `$PYENV_ROOT/versions/3.12.*`, with its `libpython` and the pip its
/// `ensurepip` installed), and its version (`3.12.1`).
pub fn real_cpython() -> (PathBuf, String) {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
        .expect("HOME is set");
    let versions = root.join("versions");
    let mut found: Vec<(Vec<u32>, PathBuf, String)> = std::fs::read_dir(&versions)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let parts: Vec<u32> = name
                .split('.')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let usable = parts.len() == 3
                && parts[..2] == [3, 12]
                && entry.path().join("bin/python3.12").is_file()
                && entry.path().join("bin/pip3").is_file();
            usable.then(|| (parts, entry.path(), name))
        })
        .collect();
    found.sort();
    let (_, dir, version) = found.pop().unwrap_or_else(|| {
        panic!(
            "the Python tests install a real CPython 3.12 laid out as python-build-standalone \
             ships it, made from this machine's pyenv build of 3.12 (with pip): none under {}",
            versions.display()
        )
    });
    (dir, version)
}

/// The `install_only_stripped` archive python-build-standalone would publish for the
/// machine's real CPython ([`real_cpython`]; its version is the first value), less
/// what `without` says. Made once per machine.
///
/// The layout is the publisher's, read from its sources
/// (astral-sh/python-build-standalone at 8a0c6dff, the newest stored snapshot):
/// - `cpython-unix/build-cpython.sh` l.927: the interpreter's rpath is set to
///   `$ORIGIN/../lib` with patchelf (as here), where `libpython3.12.so.1.0` lies;
/// - l.975: pip is installed with pip itself, which writes the three console scripts
///   `pip`, `pip3` and `pip3.12` (files, not links);
/// - l.1217: no `__pycache__`;
/// - l.1295-1297: `bin/python` links to what `bin/python3` links to (`python3.12`);
/// - l.1300-1356 (`fix_shebangs.py`): every script whose shebang names a Python
///   starts instead with `#!/bin/sh` and the relocatable `'''exec'` trampoline that
///   runs the `python3.12` beside the script's real path;
/// - `src/release.rs` l.465-560 (`convert_to_install_only`): the archive holds
///   `install/` as `python/`, less the static `libpython*.a` and the standard
///   library's test packages; `_stripped` strips the binaries' symbols.
pub fn archive(without: Without) -> (String, Vec<u8>) {
    let (source, version) = real_cpython();
    let full_name = format!("cpython-{version}-install_only_stripped.tar.gz");
    let full = super::built_once(&full_name, |out| {
        let work = tempfile::tempdir().unwrap();
        lay_out(&source, &work.path().join("python"));
        super::run(
            "tar",
            &["czf", out.to_str().unwrap(), "python"],
            work.path(),
        );
    });
    let leave_out: &[&str] = match without {
        Without::Nothing => return (version, std::fs::read(full).unwrap()),
        Without::UnversionedCommands => &["python/bin/python", "python/bin/pip"],
        Without::Pip => &["python/bin/pip", "python/bin/pip3", "python/bin/pip3.12"],
    };
    let name = format!("cpython-{version}-without-{without:?}.tar.gz");
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        super::run("tar", &["xzf", full.to_str().unwrap()], work.path());
        for path in leave_out {
            std::fs::remove_file(work.path().join(path)).unwrap();
        }
        super::run(
            "tar",
            &["czf", out.to_str().unwrap(), "python"],
            work.path(),
        );
    });
    (version, std::fs::read(path).unwrap())
}

/// Lays the CPython 3.12 installed at `source` out at `top` as the publisher does (see
/// [`archive`]).
fn lay_out(source: &Path, top: &Path) {
    let interpreter = "python3.12";
    let stdlib = "lib/python3.12";
    // The standard library less caches, test packages and the static library; of the
    // site packages, pip alone (what the build installs on 3.12).
    copy_tree(&source.join(stdlib), &top.join(stdlib), &|rel: &Path| {
        let text = rel.to_string_lossy();
        let name = rel.file_name().unwrap_or_default().to_string_lossy();
        name == "__pycache__"
            || text == "test"
            || name == "idle_test"
            || name == "tests" && !text.starts_with("site-packages")
            || name.ends_with(".a")
            || text.starts_with("site-packages/") && !text.starts_with("site-packages/pip")
    });
    copy_tree(&source.join("include"), &top.join("include"), &|_| false);
    let lib = top.join("lib");
    for entry in std::fs::read_dir(source.join("lib")).unwrap().flatten() {
        let name = entry.file_name().into_string().unwrap();
        if name.starts_with("libpython") && name.contains(".so") {
            copy_entry(&entry.path(), &lib.join(&name));
        }
    }
    let bin = top.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(source.join("bin").join(interpreter), bin.join(interpreter)).unwrap();
    // The scripts `make install` and pip write, as files (pyenv links `pip` to
    // `pip3.12`; pip's install writes it as a file), then the links CPython's
    // `make install` makes and the build script's `python`.
    for script in [
        "pip",
        "pip3",
        "pip3.12",
        "pydoc3.12",
        "idle3.12",
        "python3.12-config",
    ] {
        let from = std::fs::canonicalize(source.join("bin").join(script)).unwrap();
        std::fs::copy(from, bin.join(script)).unwrap();
    }
    for (link, to) in [
        ("python3", interpreter),
        ("python", interpreter),
        ("pydoc3", "pydoc3.12"),
        ("idle3", "idle3.12"),
        ("python3-config", "python3.12-config"),
    ] {
        std::os::unix::fs::symlink(to, bin.join(link)).unwrap();
    }
    // Stripped, and relocatable: libpython is found beside the install, not where
    // the interpreter was built.
    let files_of = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| !p.is_symlink() && p.is_file())
            .collect()
    };
    let mut binaries = vec![bin.join(interpreter)];
    binaries.extend(
        files_of(&top.join(stdlib).join("lib-dynload"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "so")),
    );
    binaries.extend(files_of(&lib));
    for file in &binaries {
        super::run("strip", &["--strip-unneeded", file.to_str().unwrap()], top);
    }
    let patched = bin.join(interpreter);
    super::run(
        "patchelf",
        &[
            "--force-rpath",
            "--set-rpath",
            "$ORIGIN/../lib",
            patched.to_str().unwrap(),
        ],
        top,
    );
    fix_shebangs(top, interpreter);
}

/// Copies the tree `from` to `to` (links as links), leaving out what `skip` says of
/// a path relative to `from`.
fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
    fn walk(root: &Path, dir: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
        std::fs::create_dir_all(to.join(dir.strip_prefix(root).unwrap())).unwrap();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap();
            if skip(rel) {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, to, skip);
            } else {
                copy_entry(&path, &to.join(rel));
            }
        }
    }
    walk(from, from, to, skip);
}

/// One file or link copied as it is.
fn copy_entry(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    match std::fs::read_link(from) {
        Ok(target) => std::os::unix::fs::symlink(target, to).unwrap(),
        Err(_) => {
            std::fs::copy(from, to).unwrap();
        }
    }
}

/// What the publisher's `fix_shebangs.py` does: every regular file whose shebang
/// names a Python (not `env`, `sh` or `bash`) starts instead with the `/bin/sh`
/// trampoline that runs the interpreter beside the script's real path.
fn fix_shebangs(dir: &Path, interpreter: &str) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            fix_shebangs(&path, interpreter);
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let text = std::fs::read(&path).unwrap();
        let Some(rest) = text.strip_prefix(b"#!") else {
            continue;
        };
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = String::from_utf8_lossy(&rest[..end]);
        let allowed = ["bin/env", "bin/sh", "bin/bash"];
        if allowed.iter().any(|s| line.contains(s)) || !line.contains("/python") {
            continue;
        }
        let mut fixed = format!(
            "#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")/{interpreter}\" \"$0\" \"$@\"\n' '''\n"
        )
        .into_bytes();
        fixed.extend_from_slice(&rest[(end + 1).min(rest.len())..]);
        std::fs::write(&path, fixed).unwrap();
    }
}

/// The user config pointing vx's GitHub at the loopback one.
pub fn config(web_url: &str) -> String {
    format!("[github]\nurl = \"{web_url}\"\n")
}

/// PyPI's `pbs-installer` (its table of real python-build-standalone assets with their
/// sha256), fetched once with pip into the fixtures directory: its `versions.json`.
pub fn pbs_installer_table(version: &str) -> PathBuf {
    let dir = super::fixtures_dir();
    let wheel = dir.join(format!("pbs_installer-{version}-py3-none-any.whl"));
    if !wheel.exists() {
        let tmp = tempfile::tempdir_in(&dir).unwrap();
        super::run(
            "python3",
            &[
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--dest",
                tmp.path().to_str().unwrap(),
                &format!("pbs-installer=={version}"),
            ],
            &dir,
        );
        std::fs::rename(tmp.path().join(wheel.file_name().unwrap()), &wheel).unwrap();
    }
    super::built_once(&format!("pbs-installer-{version}-versions.json"), |out| {
        let work = tempfile::tempdir().unwrap();
        super::run(
            "python3",
            &["-m", "zipfile", "-e", wheel.to_str().unwrap(), "."],
            work.path(),
        );
        std::fs::rename(work.path().join("pbs_installer/versions.json"), out).unwrap();
    })
}
