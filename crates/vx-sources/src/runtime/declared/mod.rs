//! Runtimes as declarations (data over code): a runtime that is "a version index, a
//! URL pattern, a checksum file" is a short TOML file ([`mod@format`] says what it
//! holds), not a Rust file. vx's own `node` is one, embedded in the binary
//! (`node.toml`), so the path a company's declaration takes is the one vx's node
//! takes. A company adds its own (an in-house JDK build, a patched Python) as
//! `runtimes/NAME.toml` in vx's configuration directory ([`user`]), or ships it with
//! the project as `.vx/runtimes/NAME.toml` beside `vx.toml` ([`project`]), or publishes it
//! beside its registry (a `[settings] registries` entry's `runtimes`, [`registry`]); it
//! is then named like any runtime (`vx add acme-jdk@17`), locked in the same shape
//! (`package = "runtime:acme-jdk"`, `"corp:runtime:corp-jdk"` for a registry's) and
//! installed by the same engine.
//!
//! Code stays where a publisher's format needs it: rust's channel TOML, the Adoptium
//! API, go.dev's JSON with a sha256 per file, python-build-standalone's release
//! assets, builds.hex.pm's OTP pairing.

pub mod format;
pub(crate) mod index;
pub(crate) mod project;
pub mod registry;
pub(crate) mod user;

use self::format::{Range, Spec, Versions};
use super::version::Numeric;
use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// vx's node, as a declaration.
const NODE: &str = include_str!("node.toml");

/// vx's own runtime that is a declaration (`node`), read from the binary.
pub(crate) fn node() -> Declared {
    // Checked by this module's tests: the file is part of the binary, not input.
    #[allow(clippy::expect_used)]
    Declared::new(format::parse(NODE).expect("the embedded node.toml is valid"))
}

/// A runtime read from a declaration; it lives as long as the catalogue that holds
/// it ([`crate::runtime::catalogue`]).
pub(crate) struct Declared {
    /// Its index in errors: `node release index`.
    what: String,
    spec: Spec,
    /// The registry that published it and its file's sha256, for one a project's
    /// registry names ([`registry`]).
    origin: Option<registry::Origin>,
}

impl Declared {
    /// The runtime `spec` declares (already checked by [`format::parse`]).
    pub(crate) fn new(spec: Spec) -> Declared {
        Declared {
            what: format!("{} release index", spec.name),
            spec,
            origin: None,
        }
    }

    /// The index URL `versions` are read from.
    fn index_url(&self) -> &str {
        match &self.spec.versions {
            Versions::JsonList { url, .. } | Versions::Lines { url, .. } => url,
            Versions::GithubReleases { .. } => "",
        }
    }

    /// What the publisher calls `platform`: os, arch, libc and extension; `None` when
    /// the declaration maps no build to it.
    fn names(&self, platform: &Platform) -> Option<[&str; 4]> {
        let d = &self.spec.download;
        let os = d.os.get(&platform.os)?;
        let arch = d.arch.get(&platform.arch)?;
        let ext = d.ext.get(&platform.os)?;
        let libc = match (&platform.libc, &d.libc) {
            (None, _) => "",
            (Some(_), None) if platform.is_musl() => return None,
            (Some(_), None) => "",
            (Some(_), Some(map)) => map.get(if platform.is_musl() { "musl" } else { "gnu" })?,
        };
        Some([os, arch, libc, ext])
    }

    /// The sentence a platform without a build gets.
    fn unsupported(&self, version: Option<&str>, platform: &Platform) -> Resolved {
        let note = match &self.spec.download.musl {
            Some(musl) if platform.is_musl() => musl
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let who = match version {
            Some(v) => format!("{} {v}", self.spec.name),
            None => self.spec.name.clone(),
        };
        Resolved::Unsupported(format!("{who}: no build for {platform}{note}"))
    }
}

impl Runtime for Declared {
    fn about(&self) -> About<'_> {
        About {
            name: &self.spec.name,
            aliases: self.spec.aliases.iter().map(String::as_str).collect(),
            summary: &self.spec.summary,
        }
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        let listed = index::read(cx, &self.spec.versions, self.index_url(), &self.what)?;
        let mut releases: Vec<Release> = listed.into_iter().map(|l| l.release).collect();
        // Newest first, whatever the index's order.
        releases.sort_by_cached_key(|r| std::cmp::Reverse(Numeric::parse(&r.version)));
        Ok(releases)
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        let lower = wanted.to_ascii_lowercase();
        let has_lts = matches!(&self.spec.versions, Versions::JsonList { lts: Some(_), .. });
        if let Some(exact) = releases.iter().find(|r| r.id == wanted) {
            return Ok(exact.clone());
        }
        let found = match lower.as_str() {
            "lts" | "lts/*" if has_lts => releases.iter().find(|r| r.lts.is_some()),
            "latest" | "current" | "stable" => releases.iter().find(|r| !r.prerelease),
            _ => match lower
                .strip_prefix("lts/")
                .or_else(|| lower.strip_prefix("lts-"))
                .filter(|_| has_lts)
            {
                Some(line) => releases.iter().find(|r| {
                    r.lts
                        .as_deref()
                        .is_some_and(|name| name.eq_ignore_ascii_case(line))
                }),
                None => {
                    let prefix = match &self.spec.versions {
                        Versions::JsonList { strip_prefix, .. }
                        | Versions::Lines { strip_prefix, .. }
                        | Versions::GithubReleases { strip_prefix, .. } => strip_prefix,
                    };
                    let numeric = wanted
                        .strip_prefix(prefix.as_str())
                        .filter(|_| !prefix.is_empty())
                        .or_else(|| wanted.strip_prefix('v'))
                        .unwrap_or(wanted);
                    let exact_parts = releases
                        .iter()
                        .filter_map(|r| Numeric::parse(&r.version))
                        .map(|n| n.parts.len())
                        .max()
                        .unwrap_or(3);
                    match super::pick_numeric(releases, numeric, exact_parts) {
                        Some(found) => found.ok(),
                        None => {
                            let lts = if has_lts { ", lts, lts/NAME" } else { "" };
                            return Err(RuntimeError::Request(format!(
                                "`{}` is not a version of {}: write a version (20, 20.11.1), latest{lts} or a range (^20.1)",
                                vx_base::validate::shorten(wanted),
                                self.spec.name
                            )));
                        }
                    }
                }
            },
        };
        found
            .cloned()
            .ok_or_else(|| super::no_such_version(&self.spec.name, wanted, releases))
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        let Some([os, arch, libc, ext]) = self.names(platform) else {
            return Ok(self.unsupported(None, platform));
        };
        let d = &self.spec.download;
        let musl = d.musl.as_ref().filter(|_| platform.is_musl());
        let values = [
            ("version", release.version.as_str()),
            ("tag", release.id.as_str()),
            ("os", os),
            ("arch", arch),
            ("libc", libc),
            ("ext", ext),
        ];
        if let (
            Some(build),
            Versions::JsonList {
                builds: Some(_), ..
            },
        ) = (d.build.get(&platform.os), &self.spec.versions)
        {
            let url = musl
                .and_then(|m| m.versions.as_deref())
                .unwrap_or(self.index_url());
            let key = format::render(build, &values);
            let built = index::read(cx, &self.spec.versions, url, &self.what)?
                .into_iter()
                .find(|l| l.release.id == release.id)
                .is_some_and(|l| l.builds.contains(&key));
            if !built {
                return Ok(self.unsupported(Some(&release.version), platform));
            }
        }
        let url = format::render(
            musl.and_then(|m| m.url.as_deref()).unwrap_or(&d.url),
            &values,
        );
        let sums = musl
            .and_then(|m| m.checksums.as_deref())
            .unwrap_or(&d.checksums);
        let format = ArchiveFormat::from_name(ext).unwrap_or(ArchiveFormat::TarGz);
        let (sha256, checksum) = if sums == "none" {
            (String::new(), "download".to_owned())
        } else {
            let sums = format::render(sums, &values);
            let asset = url.rsplit('/').next().unwrap_or(&url);
            let asset = asset.split(['?', '#']).next().unwrap_or(asset);
            (
                cx.sha256_from_list(&sums, asset)?,
                format!("checksum-file:{sums}"),
            )
        };
        // The other packings the sums file names (never for builds from elsewhere,
        // whose sums file is another's): one it does not name is left out.
        let mut alternatives = Vec::new();
        let others = d
            .alternatives
            .get(&platform.os)
            .filter(|_| musl.is_none() && sums != "none");
        for other in others.into_iter().flatten() {
            let Some(format) = ArchiveFormat::from_name(other) else {
                continue;
            };
            let values: Vec<(&str, &str)> = values
                .iter()
                .map(|&(key, value)| (key, if key == "ext" { other.as_str() } else { value }))
                .collect();
            let url = format::render(&d.url, &values);
            let list = format::render(sums, &values);
            let asset = url.rsplit('/').next().unwrap_or(&url);
            let asset = asset.split(['?', '#']).next().unwrap_or(asset);
            if let Ok(sha256) = cx.sha256_from_list(&list, asset) {
                alternatives.push(vx_model::spec::Alternative {
                    url,
                    sha256,
                    format,
                });
            }
        }
        Ok(Resolved::Download(Download {
            url,
            sha256,
            checksum,
            format,
            alternatives,
        }))
    }

    fn layout(&self, version: &str, platform: &Platform) -> Layout {
        let l = &self.spec.layout;
        let windows = platform.os == "windows";
        let pick = |unix: &Vec<String>, win: &Option<Vec<String>>| -> Vec<String> {
            match win {
                Some(win) if windows => win.clone(),
                _ => unix.clone(),
            }
        };
        let mut bin = pick(&l.bin, &l.windows_bin);
        let numeric = Numeric::parse(version);
        for extra in &l.extra {
            let within = numeric.as_ref().is_some_and(|n| {
                extra
                    .versions
                    .iter()
                    .filter_map(|r| Range::parse(r))
                    .any(|r| r.contains(n))
            });
            if within {
                bin.extend(pick(&extra.bin, &extra.windows_bin));
            }
        }
        let post_install = if windows {
            l.windows_post_install.clone()
        } else {
            l.post_install.clone()
        };
        // `{data}` stays for the installing machine to fill in
        // (`vx_engine::resolution::runtime::concrete`).
        let major = numeric
            .as_ref()
            .and_then(|n| n.parts.first())
            .map_or_else(|| version.to_owned(), u64::to_string);
        let values = [("version", version), ("major", major.as_str())];
        let path_after = match &l.windows_path_after {
            Some(win) if windows => win,
            _ => &l.path_after,
        };
        Layout {
            strip_components: l.strip,
            bin,
            env: l.env.clone(),
            post_install,
            write: l
                .write
                .iter()
                .map(|w| (w.path.clone(), format::render(&w.text, &values)))
                .collect(),
            path_after: path_after
                .iter()
                .map(|d| format::render(d, &values))
                .collect(),
        }
    }

    fn needs(&self) -> Option<&str> {
        self.spec.needs.as_deref()
    }

    fn origin(&self) -> Option<&registry::Origin> {
        self.origin.as_ref()
    }
}

/// The archive extension a platform's mapping gives, for tests and `vx search`.
#[cfg(test)]
fn ext_of(runtime: &Declared, platform: &str) -> Option<String> {
    let platform: Platform = platform.parse().ok()?;
    runtime.names(&platform).map(|n| n[3].to_owned())
}

/// The declaration's own check, for tests of the embedded files.
#[cfg(test)]
fn embedded(text: &str) -> Declared {
    Declared::new(format::parse(text).unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> Declared {
        embedded(NODE)
    }

    fn releases() -> Vec<Release> {
        let index = r#"[
          {"version":"v23.3.0","date":"2024-11-20","files":["linux-x64"],"lts":false},
          {"version":"v22.12.0","date":"2024-12-03","files":["linux-x64"],"lts":"Jod"},
          {"version":"v20.11.1","date":"2024-02-14","files":["linux-x64"],"lts":"Iron"},
          {"version":"v20.9.0","date":"2023-10-24","files":["linux-x64"],"lts":"Iron"},
          {"version":"v18.20.5","date":"2024-11-12","files":["linux-x64"],"lts":"Hydrogen"}
        ]"#;
        let github = super::super::offline_github();
        let url = "https://nodejs.org/dist/index.json";
        let cx = Context::seeded(&github, &[(url, index)]);
        node().versions(&cx).unwrap()
    }

    #[test]
    fn versions_as_nvm_and_asdf_users_write_them() {
        let all = releases();
        assert_eq!(all[2].lts.as_deref(), Some("Iron"));
        assert_eq!(all[2].published_at.as_deref(), Some("2024-02-14"));
        let node = node();
        let pick = |r: &str| node.pick(&all, r).map(|r| r.version);
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
        let sums = "\
aaaa000000000000000000000000000000000000000000000000000000000000  node-v20.11.1-linux-x64.tar.xz
bbbb000000000000000000000000000000000000000000000000000000000000  node-v20.11.1-darwin-arm64.tar.gz
cccc000000000000000000000000000000000000000000000000000000000000  node-v20.11.1-win-x64.zip
";
        let index = r#"[{"version":"v20.11.1","files":["linux-x64","osx-arm64-tar","win-x64-zip"],"lts":"Iron"}]"#;
        let github = super::super::offline_github();
        let cx = Context::seeded(
            &github,
            &[
                ("https://nodejs.org/dist/index.json", index),
                ("https://nodejs.org/dist/v20.11.1/SHASUMS256.txt", sums),
            ],
        );
        let node = node();
        let release = &node.versions(&cx).unwrap()[0];
        let get = |p: &str| match node.download(&cx, release, &p.parse().unwrap()).unwrap() {
            Resolved::Download(d) => (d.url, d.sha256[..4].to_owned(), d.format),
            Resolved::Unsupported(why) => panic!("{why}"),
        };
        assert_eq!(
            get("linux-x86_64"),
            (
                "https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz".to_owned(),
                "aaaa".to_owned(),
                ArchiveFormat::TarXz
            )
        );
        assert_eq!(get("macos-aarch64").1, "bbbb");
        assert_eq!(get("windows-x86_64").2, ArchiveFormat::Zip);
        // Not in `files`: no build, said so.
        let Resolved::Unsupported(why) = node
            .download(&cx, release, &"linux-aarch64".parse().unwrap())
            .unwrap()
        else {
            panic!("linux-aarch64 is not built");
        };
        assert_eq!(why, "node 20.11.1: no build for linux-aarch64");
        assert_eq!(
            ext_of(&node, "linux-x86_64-musl").as_deref(),
            Some("tar.xz")
        );
    }

    #[test]
    fn corepack_is_listed_only_where_it_ships() {
        let node = node();
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let has = |v: &str| {
            node.layout(v, &linux)
                .bin
                .contains(&"bin/corepack".to_owned())
        };
        assert!(has("20.11.1"));
        assert!(has("14.19.0"));
        assert!(!has("25.0.0"));
        assert!(!has("16.8.0"));
        assert!(!has("15.0.0"));
        let win: Platform = "windows-x86_64".parse().unwrap();
        let layout = node.layout("22.1.0", &win);
        assert_eq!(layout.bin[0], "node.exe");
        assert!(layout.bin.contains(&"corepack.cmd".to_owned()));
        assert_eq!(layout.strip_components, 1);
    }

    #[test]
    fn npm_global_prefix_is_named_per_major_and_left_for_the_installing_machine() {
        let node = node();
        let linux = node.layout("20.11.1", &"linux-x86_64".parse().unwrap());
        assert_eq!(
            linux.write.get("etc/npmrc").map(String::as_str),
            Some("prefix='{data}/npm-global/20'\n")
        );
        assert_eq!(linux.path_after, ["{data}/npm-global/20/bin"]);
        let win = node.layout("22.1.0", &"windows-x86_64".parse().unwrap());
        assert_eq!(
            win.write.get("etc/npmrc").map(String::as_str),
            Some("prefix='{data}/npm-global/22'\n")
        );
        assert_eq!(win.path_after, ["{data}/npm-global/22"]);
    }
}
