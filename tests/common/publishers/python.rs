//! python-build-standalone's GitHub releases (`astral-sh/python-build-standalone` on
//! the loopback GitHub): releases tagged by date, each carrying
//! `cpython-{V}+{TAG}-{triple}[-freethreaded]-install_only_stripped.tar.gz` for every
//! triple, with GitHub digests (recent releases) or a `SHA256SUMS` asset or per-asset
//! `.sha256` files (older ones). No package registry ships these builds, so the
//! served archive is one in the real layout: `python/bin/python3.12` (a script that
//! answers `--version` as Python does and otherwise prints its install's prefix),
//! `python/bin/python3` linking to it, `python/bin/pip3`, `python/lib/python3.12/`,
//! `python/include/python3.12/`.

use std::path::{Path, PathBuf};

use vx::demo::fixture::{noise_seeded, sha256_hex};
use vx::demo::github::FixtureRelease;

/// The publisher's repository.
pub const OWNER: &str = "astral-sh";
/// The publisher's repository.
pub const REPO: &str = "python-build-standalone";

/// The triples a release carries (the ones vx picks from, and others it must not).
pub const TRIPLES: [&str; 9] = [
    "x86_64-unknown-linux-gnu",
    "x86_64_v3-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "i686-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
];

/// How a release gives its checksums.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sums {
    /// GitHub's asset digests (releases from mid-2025 on).
    Digests,
    /// A `SHA256SUMS` asset, no digests.
    File,
    /// A `.sha256` beside each asset, no digests.
    PerAsset,
    /// Nothing at all.
    None,
}

/// The asset name of `version` (`3.13.1` or `3.13.1t`) in release `tag` for `triple`.
pub fn asset_name(version: &str, tag: &str, triple: &str) -> String {
    match version.strip_suffix('t') {
        Some(v) => format!("cpython-{v}+{tag}-{triple}-freethreaded-install_only_stripped.tar.gz"),
        None => format!("cpython-{version}+{tag}-{triple}-install_only_stripped.tar.gz"),
    }
}

/// A release `tag` with `versions` for every triple (and a full build beside each,
/// which vx must ignore), checksums given as `sums` says; `served` replaces the
/// bytes of the named assets (the others are noise, never downloaded).
pub fn release(
    tag: &str,
    versions: &[&str],
    sums: Sums,
    served: &[(String, Vec<u8>)],
) -> FixtureRelease {
    let mut release = FixtureRelease::new(tag);
    let mut list = String::new();
    let mut seed = 0;
    for version in versions {
        for triple in TRIPLES {
            seed += 1;
            let name = asset_name(version, tag, triple);
            let bytes = served
                .iter()
                .find(|(n, _)| *n == name)
                .map_or_else(|| noise_seeded(32, seed), |(_, b)| b.clone());
            list.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
            if sums == Sums::PerAsset {
                release = release.asset_without_digest(
                    &format!("{name}.sha256"),
                    format!("{}\n", sha256_hex(&bytes)).into_bytes(),
                );
            }
            release = if sums == Sums::Digests {
                release.asset(&name, bytes)
            } else {
                release.asset_without_digest(&name, bytes)
            };
            let full = format!(
                "cpython-{}+{tag}-{triple}-pgo+lto-full.tar.zst",
                version.trim_end_matches('t')
            );
            release = release.asset(&full, noise_seeded(16, seed + 1000));
        }
    }
    if sums == Sums::File {
        release = release.asset_without_digest("SHA256SUMS", list.into_bytes());
    }
    release
}

/// The fixture archive of Python `version` (`3.12.8`) for Unix: the real
/// install_only layout; `with_pip` false leaves `bin/pip3` out.
pub fn archive(version: &str, with_pip: bool) -> Vec<u8> {
    let minor: String = version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
    let name = format!("python-fixture-{version}-{with_pip}.tar.gz");
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        let top = work.path().join("python");
        let bin = top.join("bin");
        for dir in [
            bin.clone(),
            top.join(format!("lib/python{minor}/site-packages")),
            top.join(format!("include/python{minor}")),
            top.join("share/man/man1"),
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(
            top.join(format!("lib/python{minor}/os.py")),
            "# the standard library\n",
        )
        .unwrap();
        script(
            &bin.join(format!("python{minor}")),
            &format!(
                "case \"$1\" in\n  --version|-V) echo \"Python {version}\" ;;\n  *) cd \"$(dirname \"$0\")/..\" && pwd -P ;;\nesac\n"
            ),
        );
        std::os::unix::fs::symlink(format!("python{minor}"), bin.join("python3")).unwrap();
        if with_pip {
            script(
                &bin.join("pip3"),
                &format!(
                    "prefix=$(cd \"$(dirname \"$0\")/..\" && pwd -P)\necho \"pip 24.3.1 from $prefix/lib/python{minor}/site-packages/pip (python {minor})\"\n"
                ),
            );
        }
        super::run(
            "tar",
            &["czf", out.to_str().unwrap(), "python"],
            work.path(),
        );
    });
    std::fs::read(path).unwrap()
}

fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
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
