//! python-build-standalone's releases as the publisher names and lists them on GitHub
//! (the asset names of every triple, the checksums in digests, a `SHA256SUMS` or
//! per-asset `.sha256` files), for the Unix fixture ([`super::python`]) and the
//! Windows one ([`super::python_windows`]) alike: what they serve differs, the
//! release around it does not.

use vx_fixture::github::FixtureRelease;
use vx_fixture::{noise_seeded, sha256_hex};

/// The triples a release carries (the ones vx picks from, and others it must not).
const TRIPLES: [&str; 9] = [
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
    /// GitHub's asset digests, no `SHA256SUMS`.
    Digests,
    /// GitHub's asset digests and a `SHA256SUMS` asset: a release as the publisher
    /// makes it today (digests from mid-2025 on; the list is uploaded after the
    /// archives by `command_upload_release_distributions`,
    /// astral-sh/python-build-standalone crates/vx-sources/src/github.rs, `"SHA256SUMS".to_string()`).
    DigestsAndFile,
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
            release = if matches!(sums, Sums::Digests | Sums::DigestsAndFile) {
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
    if matches!(sums, Sums::File | Sums::DigestsAndFile) {
        release = release.asset_without_digest("SHA256SUMS", list.into_bytes());
    }
    release
}
