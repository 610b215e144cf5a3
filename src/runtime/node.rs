//! Node.js from nodejs.org: versions and LTS lines from `dist/index.json`, each
//! archive's sha256 from the release's `SHASUMS256.txt`. musl builds are not published
//! there: they come from unofficial-builds.nodejs.org, which keeps the same index and
//! sums layout (`linux-x64-musl`).
//!
//! The index is a JSON array, newest first, of `{"version": "v20.11.1", "date":
//! "2024-02-14", "files": ["linux-x64", "osx-arm64-tar", "win-x64-zip", …], "lts":
//! "Iron" | false, …}`; `files` says which platforms a release was built for.

use serde::Deserialize;

use super::{Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use crate::format::ArchiveFormat;
use crate::manifest::Platform;

/// The official distribution.
const DIST: &str = "https://nodejs.org/dist";
/// The unofficial builds (musl).
const UNOFFICIAL: &str = "https://unofficial-builds.nodejs.org/download/release";

/// Node.js.
pub struct Node;

/// One entry of `index.json`; other keys are ignored.
#[derive(Deserialize)]
struct Entry {
    version: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    /// The LTS codename, or `false`.
    #[serde(default)]
    lts: serde_json::Value,
}

impl Runtime for Node {
    fn name(&self) -> &'static str {
        "node"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["nodejs"]
    }

    fn summary(&self) -> &'static str {
        "Node.js, from nodejs.org (musl builds from unofficial-builds.nodejs.org)"
    }

    fn versions(&self, cx: &Context) -> Result<Vec<Release>, RuntimeError> {
        let entries = index(cx, DIST)?;
        Ok(entries.iter().filter_map(release).collect())
    }

    fn pick(&self, releases: &[Release], request: &str) -> Result<Release, RuntimeError> {
        let wanted = request.trim();
        let lower = wanted.to_ascii_lowercase();
        let found = match lower.as_str() {
            "lts" | "lts/*" => releases.iter().find(|r| r.lts.is_some()),
            "latest" | "current" | "node" => releases.iter().find(|r| !r.prerelease),
            _ => match lower
                .strip_prefix("lts/")
                .or_else(|| lower.strip_prefix("lts-"))
            {
                Some(line) => releases.iter().find(|r| {
                    r.lts
                        .as_deref()
                        .is_some_and(|name| name.eq_ignore_ascii_case(line))
                }),
                None => {
                    let numeric = wanted.strip_prefix('v').unwrap_or(wanted);
                    match super::pick_numeric(releases, numeric, 3) {
                        Some(found) => found.ok(),
                        None => {
                            return Err(RuntimeError::Request(format!(
                                "`{}` is not a Node.js version: write 20, 20.11.1, v20.11.1, lts, lts/iron or latest",
                                crate::validate::shorten(wanted)
                            )));
                        }
                    }
                }
            },
        };
        found
            .cloned()
            .ok_or_else(|| super::no_such_version("node", wanted, releases))
    }

    fn download(
        &self,
        cx: &Context,
        release: &Release,
        platform: &Platform,
    ) -> Result<Resolved, RuntimeError> {
        let Some((os, arch, format)) = names(platform) else {
            return Ok(Resolved::Unsupported(format!(
                "node: no build for {platform}"
            )));
        };
        let base = if platform.is_musl() { UNOFFICIAL } else { DIST };
        let key = files_key(os, arch, platform.is_musl());
        let listed = index(cx, base)?
            .into_iter()
            .find(|e| e.version == release.id)
            .is_some_and(|e| e.files.contains(&key));
        if !listed {
            let whose = if platform.is_musl() {
                " (musl builds come from unofficial-builds.nodejs.org)"
            } else {
                ""
            };
            return Ok(Resolved::Unsupported(format!(
                "node {}: no build for {platform}{whose}",
                release.version
            )));
        }
        let asset = asset_name(&release.version, os, arch, platform.is_musl(), format);
        let sums = format!("{base}/{}/SHASUMS256.txt", release.id);
        let sha256 = cx.sha256_from_list(&sums, &asset)?;
        Ok(Resolved::Download(Download {
            url: format!("{base}/{}/{asset}", release.id),
            sha256,
            checksum: format!("checksum-file:{sums}"),
            format,
        }))
    }

    fn layout(&self, version: &str, platform: &Platform) -> Layout {
        let corepack = super::version::Numeric::parse(version).is_some_and(|v| {
            let at = |i: usize| v.parts.get(i).copied().unwrap_or(0);
            // Shipped from 16.9 (and 14.19) until 25, which dropped it.
            (at(0) == 14 && at(1) >= 19)
                || (at(0) > 16 || (at(0) == 16 && at(1) >= 9)) && at(0) < 25
        });
        let mut bin: Vec<String> = if platform.os == "windows" {
            ["node.exe", "npm.cmd", "npx.cmd"]
                .map(String::from)
                .to_vec()
        } else {
            ["bin/node", "bin/npm", "bin/npx"]
                .map(String::from)
                .to_vec()
        };
        if corepack {
            bin.push(if platform.os == "windows" {
                "corepack.cmd".to_owned()
            } else {
                "bin/corepack".to_owned()
            });
        }
        Layout {
            strip_components: 1,
            bin,
            ..Layout::default()
        }
    }
}

/// The index at `base` (`{base}/index.json`).
fn index(cx: &Context, base: &str) -> Result<Vec<Entry>, RuntimeError> {
    let url = format!("{base}/index.json");
    let text = cx.text(&url)?;
    serde_json::from_str(&text).map_err(|e| RuntimeError::Format {
        url,
        what: "Node.js release index",
        reason: e.to_string(),
    })
}

/// An index entry as a release; `None` when its version is not `vN.N.N`.
fn release(entry: &Entry) -> Option<Release> {
    let version = entry.version.strip_prefix('v')?;
    let numeric = super::version::Numeric::parse(version)?;
    Some(Release {
        version: version.to_owned(),
        id: entry.version.clone(),
        lts: entry.lts.as_str().map(str::to_owned),
        published_at: entry.date.clone(),
        prerelease: !numeric.is_release(),
    })
}

/// Node's names for `platform` and the archive format it publishes there.
fn names(platform: &Platform) -> Option<(&'static str, &'static str, ArchiveFormat)> {
    let arch = match platform.arch.as_str() {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        _ => return None,
    };
    match platform.os.as_str() {
        "linux" => Some(("linux", arch, ArchiveFormat::TarXz)),
        "macos" => Some(("darwin", arch, ArchiveFormat::TarGz)),
        "windows" => Some(("win", arch, ArchiveFormat::Zip)),
        _ => None,
    }
}

/// The `files` entry of the index that says a platform was built.
fn files_key(os: &str, arch: &str, musl: bool) -> String {
    match os {
        "darwin" => format!("osx-{arch}-tar"),
        "win" => format!("win-{arch}-zip"),
        _ if musl => format!("linux-{arch}-musl"),
        _ => format!("linux-{arch}"),
    }
}

/// The archive's file name.
fn asset_name(version: &str, os: &str, arch: &str, musl: bool, format: ArchiveFormat) -> String {
    let musl = if musl { "-musl" } else { "" };
    let ext = match format {
        ArchiveFormat::TarXz => "tar.xz",
        ArchiveFormat::Zip => "zip",
        _ => "tar.gz",
    };
    format!("node-v{version}-{os}-{arch}{musl}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases() -> Vec<Release> {
        let index = r#"[
          {"version":"v23.3.0","date":"2024-11-20","files":["linux-x64"],"lts":false},
          {"version":"v22.12.0","date":"2024-12-03","files":["linux-x64"],"lts":"Jod"},
          {"version":"v20.11.1","date":"2024-02-14","files":["linux-x64"],"lts":"Iron"},
          {"version":"v20.9.0","date":"2023-10-24","files":["linux-x64"],"lts":"Iron"},
          {"version":"v18.20.5","date":"2024-11-12","files":["linux-x64"],"lts":"Hydrogen"}
        ]"#;
        let entries: Vec<Entry> = serde_json::from_str(index).unwrap();
        entries.iter().filter_map(release).collect()
    }

    #[test]
    fn versions_as_nvm_and_asdf_users_write_them() {
        let all = releases();
        let pick = |r: &str| Node.pick(&all, r).map(|r| r.version);
        assert_eq!(pick("20").unwrap(), "20.11.1");
        assert_eq!(pick("20.9.0").unwrap(), "20.9.0");
        assert_eq!(pick("v20.9.0").unwrap(), "20.9.0");
        assert_eq!(pick("lts").unwrap(), "22.12.0");
        assert_eq!(pick("lts/*").unwrap(), "22.12.0");
        assert_eq!(pick("lts/iron").unwrap(), "20.11.1");
        assert_eq!(pick("lts/Hydrogen").unwrap(), "18.20.5");
        assert_eq!(pick("latest").unwrap(), "23.3.0");
        let missing = pick("19").unwrap_err().to_string();
        assert!(
            missing.contains("no version of node matches `19`")
                && missing.contains("23.3.0, 22.12.0"),
            "{missing}"
        );
        assert!(pick("lts/nope").is_err());
        assert!(pick("banana").unwrap_err().is_request());
    }

    #[test]
    fn archives_are_named_as_nodejs_org_publishes_them() {
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let (os, arch, format) = names(&linux).unwrap();
        assert_eq!(
            asset_name("20.11.1", os, arch, false, format),
            "node-v20.11.1-linux-x64.tar.xz"
        );
        let mac: Platform = "macos-aarch64".parse().unwrap();
        let (os, arch, format) = names(&mac).unwrap();
        assert_eq!(
            asset_name("20.11.1", os, arch, false, format),
            "node-v20.11.1-darwin-arm64.tar.gz"
        );
        assert_eq!(files_key(os, arch, false), "osx-arm64-tar");
        let win: Platform = "windows-x86_64".parse().unwrap();
        let (os, arch, format) = names(&win).unwrap();
        assert_eq!(
            asset_name("20.11.1", os, arch, false, format),
            "node-v20.11.1-win-x64.zip"
        );
        assert_eq!(
            asset_name("20.11.1", "linux", "x64", true, ArchiveFormat::TarXz),
            "node-v20.11.1-linux-x64-musl.tar.xz"
        );
    }

    #[test]
    fn corepack_is_listed_only_where_it_ships() {
        let linux: Platform = "linux-x86_64".parse().unwrap();
        assert!(
            Node.layout("20.11.1", &linux)
                .bin
                .contains(&"bin/corepack".to_owned())
        );
        assert!(
            !Node
                .layout("25.0.0", &linux)
                .bin
                .contains(&"bin/corepack".to_owned())
        );
        assert!(
            !Node
                .layout("16.8.0", &linux)
                .bin
                .contains(&"bin/corepack".to_owned())
        );
        let win: Platform = "windows-x86_64".parse().unwrap();
        assert_eq!(Node.layout("22.1.0", &win).bin[0], "node.exe");
    }
}
