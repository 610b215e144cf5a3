//! Rust from static.rust-lang.org, as rustup installs it: the versions from the GitHub
//! releases of rust-lang/rust (`1.83.0`, …), the bytes from the channel manifest of
//! the version (`dist/channel-rust-1.83.0.toml`; for `beta` and `nightly`, the dated
//! `dist/YYYY-MM-DD/channel-rust-{beta,nightly}.toml`).
//!
//! A channel manifest is TOML: `date`, `[pkg.NAME] version`, and for each target
//! `[pkg.NAME.target.TRIPLE]` with `available`, `url`/`hash` (gzip) and
//! `xz_url`/`xz_hash`, the combined `rust` package also listing its `components`
//! (`{pkg, target}`); `[profiles]` names each profile's components and `[renames]` maps
//! a profile's name to the package's (`clippy` → `clippy-preview`).
//!
//! vx installs the combined `rust` package of the target (one archive, pinned by the
//! manifest's `xz_hash`), in rust-installer layout: one directory per component
//! (`rustc/`, `cargo/`, `rust-std-TRIPLE/`, `rustfmt-preview/`, `clippy-preview/`, …).
//! The install engine merges the default profile's components but the documentation
//! (`rust-docs`, hundreds of MB offline docs; rustup's `minimal` profile leaves it out
//! too) into one tree, in Rust code so Windows needs no shell
//! (`vx_engine::install::components`, named by the `merge_components` option): `bin/cargo`,
//! `bin/rustc`, `bin/rustfmt`, `bin/cargo-clippy`, and `lib/rustlib/TRIPLE/` where
//! rustc finds its std (its sysroot is the directory above `bin/`).
//!
//! Requests, as rustup and `rust-toolchain.toml`'s `channel` write them: `1.83` (the
//! newest 1.83.x), `1.83.0`, `stable` and `latest` (the newest release), `beta`,
//! `nightly` (today's, locked by its date: `nightly-2024-12-01`), `beta-YYYY-MM-DD`
//! and `nightly-YYYY-MM-DD`.
//!
//! `cargo install` writes to `~/.cargo/bin` (`CARGO_HOME`), outside the store: the
//! installed toolchain is never changed by it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use crate::github::Release as GithubRelease;
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// The distribution server.
const DIST: &str = "https://static.rust-lang.org/dist";
/// What a channel manifest is, as its errors name it.
const WHAT: &str = "Rust channel manifest";

/// The components merged into the installed tree (`rust-std-*`: the target's std).
pub(crate) const COMPONENTS: [&str; 5] = [
    "rustc",
    "cargo",
    "rust-std-*",
    "rustfmt-preview",
    "clippy-preview",
];

/// What a request that is not a version is not, and how to write one.
const NOT_A_VERSION: &str =
    "not a Rust toolchain: write 1.83, 1.83.0, stable, beta, nightly or nightly-YYYY-MM-DD";

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str =
    "Rust (rustc, cargo, std, rustfmt, clippy), from static.rust-lang.org's channel manifests";

/// Rust.
pub(crate) struct Rust;

/// A channel manifest, the parts vx reads.
#[derive(Deserialize)]
struct Manifest {
    date: String,
    pkg: BTreeMap<String, Package>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    version: String,
    #[serde(default)]
    target: BTreeMap<String, Target>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    available: bool,
    url: Option<String>,
    hash: Option<String>,
    xz_url: Option<String>,
    xz_hash: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Component {
    pkg: String,
    target: String,
}

impl Runtime for Rust {
    fn about(&self) -> About<'_> {
        About::new("rust", &["rustc"], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        let listed = cx
            .github()
            .releases("rust-lang", "rust")
            .map_err(|e| super::resolver::releases_error("rust-lang", "rust", &e))?;
        Ok(releases_of(&listed))
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        let numeric = match wanted {
            "stable" => "latest",
            other => other,
        };
        super::resolver::by_number("rust", releases, wanted, numeric, NOT_A_VERSION)
    }

    fn pick_with(
        &self,
        cx: &Context,
        releases: &[Release],
        request: &str,
        _siblings: &BTreeMap<String, String>,
    ) -> Result<Release, RuntimeError> {
        let wanted = request.trim();
        match channel(wanted) {
            Some((name, Some(date))) => Ok(dated(name, date)),
            Some((name, None)) => {
                // Today's beta or nightly: its manifest says which day's it is.
                let url = format!("{DIST}/channel-rust-{name}.toml");
                let manifest = manifest(cx, &url)?;
                if date(&manifest.date).is_none() {
                    return Err(RuntimeError::invalid(
                        &url,
                        WHAT,
                        format!("`date = \"{}\"` is not a date", manifest.date),
                    ));
                }
                Ok(dated(name, &manifest.date))
            }
            None => self.pick(releases, wanted),
        }
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        // No toolchain for the platform: known without the manifest.
        if triple(platform).is_none() {
            return Ok(Resolved::Unsupported(format!(
                "rust: no toolchain for {platform}"
            )));
        }
        let url = manifest_url(&release.id);
        resolve(&cx.text(&url)?, &url, release, platform)
    }

    fn layout(&self, _version: &str, platform: &Platform) -> Layout {
        let exe = if platform.os == "windows" { ".exe" } else { "" };
        Layout {
            strip_components: 1,
            bin: [
                "rustc",
                "rustdoc",
                "cargo",
                "rustfmt",
                "cargo-fmt",
                "cargo-clippy",
                "clippy-driver",
            ]
            .iter()
            .map(|b| format!("bin/{b}{exe}"))
            .collect(),
            ..Layout::default()
        }
    }

    fn install_options(&self, _version: &str) -> BTreeMap<String, serde_json::Value> {
        BTreeMap::from([(
            "merge_components".to_owned(),
            serde_json::Value::from(COMPONENTS.to_vec()),
        )])
    }
}

/// The manifest of the toolchain `id` (`1.83.0`, `nightly-2024-12-01`).
fn manifest_url(id: &str) -> String {
    match channel(id) {
        Some((name, Some(date))) => format!("{DIST}/{date}/channel-rust-{name}.toml"),
        _ => format!("{DIST}/channel-rust-{id}.toml"),
    }
}

/// A channel request: `beta` and `nightly` (no date) or `beta-YYYY-MM-DD` and
/// `nightly-YYYY-MM-DD`; `None` for anything else (a version, `stable`).
fn channel(request: &str) -> Option<(&'static str, Option<&str>)> {
    for name in ["beta", "nightly"] {
        if request == name {
            return Some((name, None));
        }
        if let Some(day) = request
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix('-'))
            .and_then(date)
        {
            return Some((name, Some(day)));
        }
    }
    None
}

/// `text` when it is a `YYYY-MM-DD` date.
fn date(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    ok.then_some(text)
}

/// The release of channel `name` on `date`.
fn dated(name: &str, date: &str) -> Release {
    let id = format!("{name}-{date}");
    Release {
        version: id.clone(),
        id,
        lts: None,
        published_at: Some(date.to_owned()),
        prerelease: true,
    }
}

/// The releases among rust-lang/rust's GitHub releases `listed`: its `X.Y.Z` tags,
/// newest first.
pub(crate) fn releases_of(listed: &[GithubRelease]) -> Vec<Release> {
    let mut releases: Vec<Release> = listed
        .iter()
        .filter(|r| !r.draft)
        .filter_map(|r| {
            let numeric = super::version::Numeric::parse(&r.tag)?;
            (numeric.parts.len() == 3).then(|| Release {
                version: r.tag.clone(),
                id: r.tag.clone(),
                lts: None,
                published_at: r.published_at.clone(),
                prerelease: r.prerelease || !numeric.is_release(),
            })
        })
        .collect();
    releases.sort_by(|a, b| {
        let n = |r: &Release| super::version::Numeric::parse(&r.version);
        n(b).cmp(&n(a))
    });
    releases
}

/// The manifest at `url`.
fn manifest(cx: &Context, url: &str) -> Result<Manifest, RuntimeError> {
    parse(&cx.text(url)?, url)
}

/// The channel manifest `text` (fetched from `url`).
fn parse(text: &str, url: &str) -> Result<Manifest, RuntimeError> {
    toml::from_str(text).map_err(|e| RuntimeError::invalid(url, WHAT, e.message()))
}

/// Where `release`'s toolchain for `platform` downloads from, as the channel
/// manifest `text` (fetched from `url`) says.
pub(crate) fn resolve(
    text: &str,
    url: &str,
    release: &Release,
    platform: &Platform,
) -> Result<Resolved, RuntimeError> {
    let Some(triple) = triple(platform) else {
        return Ok(Resolved::Unsupported(format!(
            "rust: no toolchain for {platform}"
        )));
    };
    let manifest = parse(text, url)?;
    let url = url.to_owned();
    let rust = manifest.pkg.get("rust");
    if channel(&release.id).is_none()
        && rust.is_some_and(|p| p.version.split(' ').next() != Some(release.version.as_str()))
    {
        return Err(RuntimeError::invalid(
            &url,
            WHAT,
            format!(
                "it is for rust {}, not {}",
                vx_base::validate::shorten(rust.map_or("", |p| p.version.as_str())),
                release.version
            ),
        ));
    }
    let Some(target) = rust
        .and_then(|p| p.target.get(triple))
        .filter(|t| t.available)
    else {
        return Ok(Resolved::Unsupported(format!(
            "rust {}: no toolchain for {platform} ({triple}) in {url}",
            release.version
        )));
    };
    let lacking: Vec<String> = COMPONENTS
        .iter()
        .map(|c| c.replace('*', triple))
        .filter(|wanted| {
            !target
                .components
                .iter()
                .any(|c| format!("{}{}", c.pkg, suffix(&c.pkg, &c.target)) == *wanted)
        })
        .collect();
    if !lacking.is_empty() {
        return Ok(Resolved::Unsupported(format!(
            "rust {}: the {triple} toolchain lacks {}",
            release.version,
            lacking.join(", ")
        )));
    }
    let (archive, hash, format) = match (&target.xz_url, &target.xz_hash) {
        (Some(u), Some(h)) => (u, h, ArchiveFormat::TarXz),
        _ => match (&target.url, &target.hash) {
            (Some(u), Some(h)) => (u, h, ArchiveFormat::TarGz),
            _ => {
                return Err(RuntimeError::NoChecksum {
                    file: url,
                    asset: format!("the rust package for {triple}"),
                });
            }
        },
    };
    let sha256 = vx_base::validate::sha256(hash).map_err(|_| {
        RuntimeError::invalid(
            &url,
            WHAT,
            format!("the hash of the rust package for {triple} is not a sha256"),
        )
    })?;
    Ok(Resolved::Download(Download::archive(
        archive.clone(),
        sha256,
        format!("index:{url}"),
        format,
    )))
}

/// The directory suffix of a component in the combined package: `rust-std` is
/// `rust-std-TRIPLE`, the others have none.
fn suffix(pkg: &str, target: &str) -> String {
    if pkg == "rust-std" {
        format!("-{target}")
    } else {
        String::new()
    }
}

/// The host triple of `platform`.
fn triple(platform: &Platform) -> Option<&'static str> {
    Some(
        match (
            platform.os.as_str(),
            platform.arch.as_str(),
            platform.is_musl(),
        ) {
            ("linux", "x86_64", false) => "x86_64-unknown-linux-gnu",
            ("linux", "x86_64", true) => "x86_64-unknown-linux-musl",
            ("linux", "aarch64", false) => "aarch64-unknown-linux-gnu",
            ("linux", "aarch64", true) => "aarch64-unknown-linux-musl",
            ("macos", "x86_64", _) => "x86_64-apple-darwin",
            ("macos", "aarch64", _) => "aarch64-apple-darwin",
            ("windows", "x86_64", _) => "x86_64-pc-windows-msvc",
            ("windows", "aarch64", _) => "aarch64-pc-windows-msvc",
            _ => return None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases() -> Vec<Release> {
        ["1.84.0", "1.83.0", "1.82.1", "1.82.0"]
            .iter()
            .map(|v| Release {
                version: (*v).to_owned(),
                id: (*v).to_owned(),
                lts: None,
                published_at: None,
                prerelease: false,
            })
            .collect()
    }

    #[test]
    fn versions_as_rustup_and_rust_toolchain_toml_write_them() {
        let all = releases();
        let pick = |r: &str| Rust.pick(&all, r).map(|r| r.id);
        assert_eq!(pick("1.82").unwrap(), "1.82.1");
        assert_eq!(pick("1.82.0").unwrap(), "1.82.0");
        assert_eq!(pick("stable").unwrap(), "1.84.0");
        assert_eq!(pick("latest").unwrap(), "1.84.0");
        assert!(
            pick("1.70")
                .unwrap_err()
                .to_string()
                .contains("the newest are 1.84.0, 1.83.0")
        );
        assert!(pick("nightly-2024-13").unwrap_err().is_request());
        assert_eq!(
            channel("nightly-2024-12-01"),
            Some(("nightly", Some("2024-12-01")))
        );
        assert_eq!(channel("beta"), Some(("beta", None)));
        assert_eq!(channel("stable"), None);
        assert_eq!(channel("nightly-24-12-01"), None);
        assert_eq!(
            manifest_url("nightly-2024-12-01"),
            "https://static.rust-lang.org/dist/2024-12-01/channel-rust-nightly.toml"
        );
        assert_eq!(
            manifest_url("1.83.0"),
            "https://static.rust-lang.org/dist/channel-rust-1.83.0.toml"
        );
    }

    #[test]
    fn a_manifest_in_the_real_shape_parses() {
        let text = r#"
manifest-version = "2"
date = "2024-11-28"
[pkg.rust]
version = "1.83.0 (90b35a623 2024-11-26)"
[pkg.rust.target.x86_64-unknown-linux-gnu]
available = true
url = "https://static.rust-lang.org/dist/2024-11-28/rust-1.83.0-x86_64-unknown-linux-gnu.tar.gz"
hash = "aa"
xz_url = "https://static.rust-lang.org/dist/2024-11-28/rust-1.83.0-x86_64-unknown-linux-gnu.tar.xz"
xz_hash = "bb"
[[pkg.rust.target.x86_64-unknown-linux-gnu.components]]
pkg = "rust-std"
target = "x86_64-unknown-linux-gnu"
[pkg.rust.target.mips-unknown-linux-gnu]
available = false
[profiles]
default = ["rustc", "cargo", "rust-std", "rust-docs", "rustfmt", "clippy"]
[renames.clippy]
to = "clippy-preview"
"#;
        let m: Manifest = toml::from_str(text).unwrap();
        assert_eq!(m.date, "2024-11-28");
        let t = &m.pkg["rust"].target["x86_64-unknown-linux-gnu"];
        assert!(t.available);
        assert_eq!(t.components[0].pkg, "rust-std");
        assert!(!m.pkg["rust"].target["mips-unknown-linux-gnu"].available);
        assert_eq!(
            format!("rust-std{}", suffix("rust-std", "x86_64-unknown-linux-gnu")),
            "rust-std-x86_64-unknown-linux-gnu"
        );
    }

    #[test]
    fn layouts_per_os_and_the_components_to_merge() {
        let win: Platform = "windows-x86_64".parse().unwrap();
        let linux: Platform = "linux-x86_64".parse().unwrap();
        assert!(
            Rust.layout("1.83.0", &win)
                .bin
                .contains(&"bin/cargo.exe".to_owned())
        );
        assert!(
            Rust.layout("1.83.0", &linux)
                .bin
                .contains(&"bin/cargo-clippy".to_owned())
        );
        assert_eq!(Rust.layout("1.83.0", &linux).strip_components, 1);
        let options = Rust.install_options("1.83.0");
        assert_eq!(
            options["merge_components"],
            serde_json::json!([
                "rustc",
                "cargo",
                "rust-std-*",
                "rustfmt-preview",
                "clippy-preview"
            ])
        );
        assert_eq!(
            triple(&"linux-x86_64-musl".parse().unwrap()),
            Some("x86_64-unknown-linux-musl")
        );
        assert_eq!(
            triple(&"macos-aarch64".parse().unwrap()),
            Some("aarch64-apple-darwin")
        );
    }
}
