//! cargo-binstall's metadata (`[package.metadata.binstall]` in a crate's
//! `Cargo.toml`, documented in cargo-bins/cargo-binstall's `SUPPORT.md`): where a crate
//! publishes its prebuilt binaries. `pkg-url` is a template (`{ repo }`, `{ name }`,
//! `{ version }`, `{ target }`, `{ archive-suffix }`, `{ archive-format }`,
//! `{ binary-ext }`), `pkg-fmt` the packing (`tgz` by default), and
//! `[package.metadata.binstall.overrides.TARGET]` changes either for one target.
//!
//! vx reads it from the `.crate` whose sha256 the index names, and locks the release
//! asset it points to on GitHub by the API's digest (`vx_engine::resolution::backend`).
//!
//! A crate without that table gets binstall's own guesses ([`default_guesses`]), as
//! `cargo binstall` makes them for a crate whose `package.repository` is on GitHub
//! (cargo-bins/cargo-binstall, `crates/binstalk/src/fetchers/gh_crate_meta/hosting.rs`:
//! `FULL_FILENAMES`, `NOVERSION_FILENAMES` and `GITHUB_RELEASE_PATHS`, combined by
//! `apply_filenames_to_paths`, each file name under each release path; and
//! `crates/binstalk/src/fetchers/gh_crate_meta.rs`: with no `pkg-fmt`, every format of
//! `PkgFmt::iter()`, each with the suffixes of `PkgFmt::extensions`,
//! `crates/binstalk-types/src/cargo_toml_binstall/package_formats.rs`). binstall asks
//! for every URL at once and takes whichever answers first; vx reads the release's
//! asset list instead and takes the first guess in that order that it holds.

use std::io::Read;

use vx_base::format::ArchiveFormat;

/// A crate's binstall metadata, as one target sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binstall {
    /// `package.repository`.
    pub repo: Option<String>,
    /// The `pkg-url` template.
    pub pkg_url: String,
    /// The `pkg-fmt`.
    pub pkg_fmt: String,
}

/// Largest `.crate` read for its metadata (crates.io's own upload limit is 10 MB).
pub const MAX_CRATE_BYTES: u64 = 50 << 20;

/// The `Cargo.toml` of the `.crate` `bytes` (`NAME-VERSION/Cargo.toml`).
pub fn cargo_toml(bytes: &[u8], name: &str, version: &str) -> Result<String, CrateError> {
    let wanted = format!("{name}-{version}/Cargo.toml");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = archive.entries().map_err(CrateError::Archive)?;
    for entry in entries {
        let mut entry = entry.map_err(CrateError::Archive)?;
        let path = entry.path().map_err(CrateError::Archive)?;
        if path.to_string_lossy() == wanted {
            let mut text = String::new();
            entry
                .by_ref()
                .take(1 << 20)
                .read_to_string(&mut text)
                .map_err(|source| CrateError::Read {
                    wanted: wanted.clone(),
                    source,
                })?;
            return Ok(text);
        }
    }
    Err(CrateError::Missing { wanted })
}

/// Why a `.crate` gives no `Cargo.toml`.
#[derive(Debug, thiserror::Error)]
pub enum CrateError {
    /// Not a readable gzip tar.
    #[error("{0}")]
    Archive(#[source] std::io::Error),
    /// Its `Cargo.toml` cannot be read.
    #[error("{wanted}: {source}")]
    Read {
        /// The file's path in the archive.
        wanted: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No `Cargo.toml` where Cargo packs it.
    #[error("no {wanted} in it")]
    Missing {
        /// The file's path in the archive.
        wanted: String,
    },
}

/// A `Cargo.toml` that is not TOML.
#[derive(Debug, thiserror::Error)]
#[error("Cargo.toml: {0}")]
pub struct CargoTomlError(#[source] pub toml::de::Error);

/// The binstall metadata of `cargo_toml` for `target`: `None` when it has none.
pub fn read(cargo_toml: &str, target: &str) -> Result<Option<Binstall>, CargoTomlError> {
    let table: toml::Table = cargo_toml.parse().map_err(CargoTomlError)?;
    let package = table.get("package");
    let Some(meta) = package
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("binstall"))
    else {
        return Ok(None);
    };
    let over = meta.get("overrides").and_then(|o| o.get(target));
    let field = |key: &str| -> Option<String> {
        over.and_then(|o| o.get(key))
            .or_else(|| meta.get(key))
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let Some(pkg_url) = field("pkg-url") else {
        return Ok(None);
    };
    Ok(Some(Binstall {
        repo: package
            .and_then(|p| p.get("repository"))
            .and_then(toml::Value::as_str)
            .map(|r| r.trim_end_matches('/').trim_end_matches(".git").to_owned()),
        pkg_url,
        pkg_fmt: field("pkg-fmt").unwrap_or_else(|| "tgz".to_owned()),
    }))
}

/// The archive format and the `{ archive-suffix }` spellings of a `pkg-fmt`, in the
/// order binstall tries them (`PkgFmt::extensions`; `.exe` for `bin` on Windows only:
/// `suffixes`): `None` for one vx does not unpack.
pub fn format_of(pkg_fmt: &str) -> Option<(ArchiveFormat, &'static [&'static str])> {
    Some(match pkg_fmt {
        "tgz" => (ArchiveFormat::TarGz, &[".tgz", ".tar.gz"]),
        "txz" => (ArchiveFormat::TarXz, &[".txz", ".tar.xz"]),
        "tbz2" => (
            ArchiveFormat::TarBz2,
            &[".tbz2", ".tar.bz2", ".tbz", ".tar.bz"],
        ),
        "tzstd" => (ArchiveFormat::TarZst, &[".tzstd", ".tzst", ".tar.zst"]),
        "tar" => (ArchiveFormat::Tar, &[".tar"]),
        "zip" => (ArchiveFormat::Zip, &[".zip"]),
        "bin" => (ArchiveFormat::Raw, &[".bin", "", ".exe"]),
        _ => return None,
    })
}

/// `pkg_fmt`'s suffixes on a target (`.exe` only for a Windows one, as binstall).
fn suffixes(pkg_fmt: &str, windows: bool) -> Vec<&'static str> {
    format_of(pkg_fmt)
        .map(|(_, s)| {
            s.iter()
                .copied()
                .filter(|s| windows || *s != ".exe")
                .collect()
        })
        .unwrap_or_default()
}

/// binstall's `PkgFmt::iter()`: every format, in its order, tried when a crate names
/// none.
pub(crate) const ALL_FORMATS: [&str; 7] = ["tar", "tbz2", "tgz", "txz", "tzstd", "zip", "bin"];

/// binstall's release paths on GitHub (`GITHUB_RELEASE_PATHS`; the two `{ subcrate }`
/// ones need a workspace's subcrate prefix, which a crate's own metadata does not give,
/// and are left out).
const GITHUB_RELEASE_PATHS: [&str; 2] = [
    "{ repo }/releases/download/{ version }",
    "{ repo }/releases/download/v{ version }",
];

/// binstall's asset names (`FULL_FILENAMES`, then `NOVERSION_FILENAMES`).
const DEFAULT_FILENAMES: [&str; 10] = [
    "/{ name }-{ target }-v{ version }{ archive-suffix }",
    "/{ name }-{ target }-{ version }{ archive-suffix }",
    "/{ name }-{ version }-{ target }{ archive-suffix }",
    "/{ name }-v{ version }-{ target }{ archive-suffix }",
    "/{ name }_{ target }_v{ version }{ archive-suffix }",
    "/{ name }_{ target }_{ version }{ archive-suffix }",
    "/{ name }_{ version }_{ target }{ archive-suffix }",
    "/{ name }_v{ version }_{ target }{ archive-suffix }",
    "/{ name }-{ target }{ archive-suffix }",
    "/{ name }_{ target }{ archive-suffix }",
];

/// Every `(url, pkg-fmt)` binstall guesses for a crate of `repo` that names no
/// `pkg-url`, in its order: each file name under each release path, each with every
/// format's suffixes.
pub fn default_guesses(
    repo: &str,
    name: &str,
    version: &str,
    target: &str,
    windows: bool,
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for file in DEFAULT_FILENAMES {
        for path in GITHUB_RELEASE_PATHS {
            let template = format!("{path}{file}");
            for pkg_fmt in ALL_FORMATS {
                let meta = Binstall {
                    repo: Some(repo.to_owned()),
                    pkg_url: template.clone(),
                    pkg_fmt: pkg_fmt.to_owned(),
                };
                for url in urls(&meta, name, version, target, windows).unwrap_or_default() {
                    if !out.iter().any(|(u, _)| *u == url) {
                        out.push((url, pkg_fmt));
                    }
                }
            }
        }
    }
    out
}

/// `package.repository` of `cargo_toml`, without a trailing `/` or `.git`.
pub fn repository(cargo_toml: &str) -> Option<String> {
    let table: toml::Table = cargo_toml.parse().ok()?;
    table
        .get("package")?
        .get("repository")?
        .as_str()
        .map(|r| r.trim_end_matches('/').trim_end_matches(".git").to_owned())
}

/// `pkg-url` with its variables filled, once per `{ archive-suffix }` spelling.
pub fn urls(
    meta: &Binstall,
    name: &str,
    version: &str,
    target: &str,
    windows: bool,
) -> Option<Vec<String>> {
    format_of(&meta.pkg_fmt)?;
    let suffixes = suffixes(&meta.pkg_fmt, windows);
    let repo = meta.repo.clone().unwrap_or_default();
    let binary_ext = if windows { ".exe" } else { "" };
    let fill = |suffix: &str| {
        let mut url = meta.pkg_url.clone();
        for (key, value) in [
            ("repo", repo.as_str()),
            ("name", name),
            ("version", version),
            ("target", target),
            ("archive-suffix", suffix),
            ("archive-format", suffix.trim_start_matches('.')),
            ("binary-ext", binary_ext),
        ] {
            // Both `{ key }` and `{key}`, as binstall's templates accept.
            url = url
                .replace(&format!("{{ {key} }}"), value)
                .replace(&format!("{{{key}}}"), value);
        }
        url
    };
    let mut out: Vec<String> = suffixes.iter().map(|s| fill(s)).collect();
    out.dedup();
    Some(out)
}

/// The Rust target of a vx platform, as binstall's `{ target }` names it.
pub fn target(os: &str, arch: &str, musl: bool) -> Option<String> {
    Some(match (os, arch) {
        ("linux", arch) => format!("{arch}-unknown-linux-{}", if musl { "musl" } else { "gnu" }),
        ("macos", arch) => format!("{arch}-apple-darwin"),
        ("windows", arch) => format!("{arch}-pc-windows-msvc"),
        _ => return None,
    })
}

/// `(owner, repo, tag, asset)` of a GitHub release download URL under `web`
/// (`https://github.com` or a GitHub Enterprise Server's base).
pub fn github_asset<'u>(url: &'u str, web: &str) -> Option<(&'u str, &'u str, &'u str, &'u str)> {
    let rest = url
        .strip_prefix(web.trim_end_matches('/'))
        .or_else(|| url.strip_prefix("https://github.com"))?
        .strip_prefix('/')?;
    let mut parts = rest.splitn(6, '/');
    let owner = parts.next()?;
    let repo = parts.next()?;
    let (releases, download) = (parts.next()?, parts.next()?);
    let tag = parts.next()?;
    let asset = parts.next()?;
    (releases == "releases"
        && download == "download"
        && !asset.contains('/')
        && [owner, repo, tag, asset].iter().all(|p| !p.is_empty()))
    .then_some((owner, repo, tag, asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_fills_binstalls_template_per_target() {
        let toml = r#"
[package]
name = "vxgreet"
repository = "https://github.com/vx-test/vxgreet"
[package.metadata.binstall]
pkg-url = "{ repo }/releases/download/v{ version }/{ name }-{ target }{ archive-suffix }"
[package.metadata.binstall.overrides.x86_64-pc-windows-msvc]
pkg-fmt = "zip"
"#;
        let linux = read(toml, "x86_64-unknown-linux-gnu").unwrap().unwrap();
        assert_eq!(
            urls(
                &linux,
                "vxgreet",
                "0.2.0",
                "x86_64-unknown-linux-gnu",
                false
            )
            .unwrap(),
            [
                "https://github.com/vx-test/vxgreet/releases/download/v0.2.0/vxgreet-x86_64-unknown-linux-gnu.tgz",
                "https://github.com/vx-test/vxgreet/releases/download/v0.2.0/vxgreet-x86_64-unknown-linux-gnu.tar.gz"
            ]
        );
        let windows = read(toml, "x86_64-pc-windows-msvc").unwrap().unwrap();
        assert_eq!(windows.pkg_fmt, "zip");
        assert_eq!(read("[package]\nname = \"x\"\n", "t").unwrap(), None);
        assert_eq!(
            github_asset(
                "https://github.com/o/r/releases/download/v1/a.tgz",
                "http://127.0.0.1:9"
            ),
            Some(("o", "r", "v1", "a.tgz"))
        );
        assert_eq!(
            github_asset(
                "https://example.com/o/r/releases/download/v1/a.tgz",
                "https://github.com"
            ),
            None
        );
        assert_eq!(
            target("linux", "x86_64", true).as_deref(),
            Some("x86_64-unknown-linux-musl")
        );
    }

    #[test]
    fn a_crate_without_metadata_gets_binstalls_own_guesses_in_its_order() {
        let repo = "https://github.com/o/r";
        let guesses = default_guesses(repo, "x", "1.2.3", "x86_64-unknown-linux-gnu", false);
        let first: Vec<(&str, &str)> = guesses
            .iter()
            .take(3)
            .map(|(u, f)| (u.as_str(), *f))
            .collect();
        assert_eq!(
            first,
            [
                (
                    "https://github.com/o/r/releases/download/1.2.3/x-x86_64-unknown-linux-gnu-v1.2.3.tar",
                    "tar"
                ),
                (
                    "https://github.com/o/r/releases/download/1.2.3/x-x86_64-unknown-linux-gnu-v1.2.3.tbz2",
                    "tbz2"
                ),
                (
                    "https://github.com/o/r/releases/download/1.2.3/x-x86_64-unknown-linux-gnu-v1.2.3.tar.bz2",
                    "tbz2"
                ),
            ]
        );
        // 10 names x 2 tags x 15 suffixes (no `.exe` off Windows).
        assert_eq!(guesses.len(), 10 * 2 * 15);
        let find = |url: &str| guesses.iter().find(|(u, _)| u == url).map(|(_, f)| *f);
        // ripgrep's own layout: `{ name }-{ version }-{ target }.tar.gz` under the tag
        // without a `v`.
        assert_eq!(
            find(
                "https://github.com/o/r/releases/download/1.2.3/x-1.2.3-x86_64-unknown-linux-gnu.tar.gz"
            ),
            Some("tgz")
        );
        assert_eq!(
            find("https://github.com/o/r/releases/download/v1.2.3/x_x86_64-unknown-linux-gnu"),
            Some("bin")
        );
        let windows = default_guesses(repo, "x", "1.2.3", "x86_64-pc-windows-msvc", true);
        assert_eq!(windows.len(), 10 * 2 * 16);
        assert_eq!(
            repository("[package]\nname = \"x\"\nrepository = \"https://github.com/o/r.git\"\n")
                .as_deref(),
            Some("https://github.com/o/r")
        );
    }
}
