//! npm's registry format: the packument (`GET REGISTRY/NAME`, the package's document
//! with every version's `package.json` fields and `dist`) and a version's document
//! (`GET REGISTRY/NAME/VERSION`), as registry.npmjs.org, verdaccio and every npm
//! mirror serve them (npm's registry API, `registry/docs/responses/package-metadata.md`
//! in npm/registry).
//!
//! What vx reads of them: the versions and `dist-tags` (to pick a version as users
//! write it), `time` (when each was published), and for binary-first packages the
//! per-platform `optionalDependencies` whose own `os`/`cpu`/`libc` say which
//! platform each is for (esbuild's `@esbuild/linux-x64`, biome's
//! `@biomejs/cli-linux-x64`), with each one's `dist.tarball` and `dist.integrity`
//! (sha512): what the lock records for every platform without downloading a tarball.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A platform as npm names it: `process.platform`, `process.arch` and the C library
/// (what a platform package's `os`, `cpu` and `libc` list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// `linux`, `darwin`, `win32`.
    pub os: &'static str,
    /// `x64`, `arm64`.
    pub cpu: &'static str,
    /// On Linux, `glibc` or `musl`; elsewhere `None`.
    pub libc: Option<&'static str>,
}

impl Target {
    /// npm's names of vx's platform `os`-`arch` (`musl`: its C library is musl);
    /// `None` for one npm has no name for here.
    pub fn of(os: &str, arch: &str, musl: bool) -> Option<Target> {
        let os = match os {
            "linux" => "linux",
            "macos" => "darwin",
            "windows" => "win32",
            _ => return None,
        };
        let cpu = match arch {
            "x86_64" => "x64",
            "aarch64" => "arm64",
            _ => return None,
        };
        let libc = (os == "linux").then_some(if musl { "musl" } else { "glibc" });
        Some(Target { os, cpu, libc })
    }

    /// Whether its C library is musl.
    pub(crate) fn is_musl(&self) -> bool {
        self.libc == Some("musl")
    }
}

/// A package's document, as much as vx reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Packument {
    /// The package's name.
    pub name: String,
    /// Named versions: `latest`, `next`, …
    #[serde(rename = "dist-tags", default)]
    pub dist_tags: BTreeMap<String, String>,
    /// Every version's manifest.
    #[serde(default)]
    pub versions: BTreeMap<String, VersionDoc>,
    /// When each version was published (RFC 3339), plus `created` and `modified`.
    #[serde(default)]
    pub time: BTreeMap<String, String>,
}

/// One version's manifest (its `package.json` as published, plus `dist`).
#[derive(Clone, Debug, Deserialize)]
pub struct VersionDoc {
    /// The package's name.
    pub name: String,
    /// The version.
    pub version: String,
    /// Its commands: a string (the package's name runs it) or a map.
    #[serde(default)]
    pub bin: Option<Bin>,
    /// Packages installed where their `os`/`cpu` fit: where binary-first packages
    /// keep each platform's executable.
    #[serde(rename = "optionalDependencies", default)]
    pub optional_dependencies: BTreeMap<String, String>,
    /// The operating systems it is for (`linux`, `darwin`, `win32`; `!x` excludes).
    #[serde(default)]
    pub os: Vec<String>,
    /// The CPUs it is for (`x64`, `arm64`).
    #[serde(default)]
    pub cpu: Vec<String>,
    /// The C libraries it is for (`glibc`, `musl`), on Linux.
    #[serde(default)]
    pub libc: Vec<String>,
    /// The tarball and its hashes.
    pub dist: Dist,
    /// Why the version is deprecated, when it is.
    #[serde(default)]
    pub deprecated: Option<serde_json::Value>,
}

/// A version's `bin`: `"bin": "cli.js"` or `"bin": {"esbuild": "bin/esbuild"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Bin {
    /// One command, named as the package (without its scope).
    One(String),
    /// Commands by name.
    Many(BTreeMap<String, String>),
}

/// A version's tarball.
#[derive(Clone, Debug, Deserialize)]
pub struct Dist {
    /// Its URL.
    pub tarball: String,
    /// Its SRI value (`sha512-<base64>`).
    #[serde(default)]
    pub integrity: Option<String>,
}

impl VersionDoc {
    /// The names of its commands.
    pub(crate) fn commands(&self) -> Vec<String> {
        match &self.bin {
            None => Vec::new(),
            Some(Bin::One(_)) => vec![unscoped(&self.name).to_owned()],
            Some(Bin::Many(map)) => map.keys().cloned().collect(),
        }
    }

    /// Whether its `os`, `cpu` and `libc` admit `target`, and say so: a package that
    /// names no OS or no CPU is not a platform package.
    pub fn is_for(&self, target: &Target) -> bool {
        if self.os.is_empty() || self.cpu.is_empty() {
            return false;
        }
        admits(&self.os, target.os)
            && admits(&self.cpu, target.cpu)
            && (self.libc.is_empty() || target.libc.is_some_and(|l| admits(&self.libc, l)))
    }
}

/// Whether npm installs a package whose `os`, `cpu` and `libc` lists (empty: any)
/// are these on `target` (npm-install-checks' `checkPlatform`): what a lockfile's
/// optional platform package is for.
pub fn installs_on(os: &[String], cpu: &[String], libc: &[String], target: &Target) -> bool {
    (os.is_empty() || admits(os, target.os))
        && (cpu.is_empty() || admits(cpu, target.cpu))
        && (libc.is_empty() || target.libc.is_some_and(|l| admits(libc, l)))
}

/// npm's rule for `os`/`cpu`/`libc` lists: `!x` excludes x; otherwise the value must
/// be listed (a list of exclusions alone admits the rest).
fn admits(list: &[String], value: &str) -> bool {
    if list.iter().any(|v| v.strip_prefix('!') == Some(value)) {
        return false;
    }
    let positive: Vec<&String> = list.iter().filter(|v| !v.starts_with('!')).collect();
    positive.is_empty() || positive.iter().any(|v| *v == value)
}

/// `@scope/name` → `name`.
pub fn unscoped(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The packument's URL at `registry` (no trailing `/`): a scoped name's `/` escaped
/// as the npm client escapes it (`@scope%2fname`).
pub fn packument_url(registry: &str, name: &str) -> String {
    format!("{registry}/{}", name.replace('/', "%2f"))
}

/// A version document's URL at `registry`.
pub fn version_url(registry: &str, name: &str, version: &str) -> String {
    format!("{registry}/{name}/{version}")
}

/// The optional dependencies of `doc` in the order to try them for `target`:
/// those whose name spells the platform's npm OS and CPU first (`@esbuild/linux-x64`
/// for linux-x86_64), the musl twin after the glibc one unless the platform is musl,
/// then those naming the OS, then the rest; so a lock reads one or two documents a
/// platform rather than every one of esbuild's two dozen.
pub fn candidates<'d>(doc: &'d VersionDoc, target: &Target) -> Vec<(&'d str, &'d str)> {
    let (os, cpu) = (target.os, target.cpu);
    // Names spell macOS `darwin`, and some Windows `windows` or `win`.
    let spelled = |name: &str, word: &str| {
        name.split(['-', '/', '_', '.', '@'])
            .any(|part| part == word || (word == "win32" && matches!(part, "win" | "windows")))
    };
    let mut ranked: Vec<(u8, &str, &str)> = doc
        .optional_dependencies
        .iter()
        .map(|(name, range)| {
            let has_os = spelled(name, os);
            let has_cpu = spelled(name, cpu);
            let musl = spelled(name, "musl");
            let rank = match (has_os, has_cpu) {
                (true, true) if musl == target.is_musl() => 0,
                (true, true) => 1,
                (true, false) => 2,
                _ => 3,
            };
            (rank, name.as_str(), range.as_str())
        })
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, n, r)| (n, r)).collect()
}

/// The version of an optional dependency's range when it names one exactly (`0.24.0`,
/// `=0.24.0`), as binary-first packages pin their platform packages.
pub fn exact(range: &str) -> Option<&str> {
    let v = range.trim().trim_start_matches('=');
    let ok = !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
        && v.starts_with(|c: char| c.is_ascii_digit());
    ok.then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(name: &str) -> Target {
        let (os_arch, musl) = match name.strip_suffix("-musl") {
            Some(base) => (base, true),
            None => (name, false),
        };
        let (os, arch) = os_arch.split_once('-').unwrap();
        Target::of(os, arch, musl).unwrap()
    }

    /// The version documents of the real packages, as registry.npmjs.org serves them
    /// (tests/data/npm, saved from https://registry.npmjs.org/@esbuild/PLATFORM/0.24.0).
    fn doc(file: &str) -> VersionDoc {
        let path = format!(
            "{}/tests/data/npm/{file}",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn platform_packages_are_matched_by_their_os_and_cpu() {
        let linux = doc("esbuild-linux-x64-0.24.0.json");
        assert!(linux.is_for(&platform("linux-x86_64")));
        assert!(linux.is_for(&platform("linux-x86_64-musl")));
        assert!(!linux.is_for(&platform("linux-aarch64")));
        assert!(!linux.is_for(&platform("macos-aarch64")));
        assert!(doc("esbuild-darwin-arm64-0.24.0.json").is_for(&platform("macos-aarch64")));
        assert!(doc("esbuild-win32-x64-0.24.0.json").is_for(&platform("windows-x86_64")));
        let mut musl = linux.clone();
        musl.libc = vec!["musl".into()];
        assert!(!musl.is_for(&platform("linux-x86_64")));
        assert!(musl.is_for(&platform("linux-x86_64-musl")));
        assert!(admits(&["!win32".into()], "linux"));
        assert!(!admits(&["!win32".into()], "win32"));
    }

    #[test]
    fn the_packument_ranks_the_platforms_package_first() {
        let path = format!(
            "{}/tests/data/npm/esbuild.json",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
        );
        let packument: Packument =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let doc = &packument.versions["0.24.0"];
        assert_eq!(doc.commands(), ["esbuild"]);
        for (p, first) in [
            ("linux-x86_64", "@esbuild/linux-x64"),
            ("macos-aarch64", "@esbuild/darwin-arm64"),
            ("windows-x86_64", "@esbuild/win32-x64"),
        ] {
            let ranked = candidates(doc, &platform(p));
            assert_eq!(ranked[0], (first, "0.24.0"), "{p}");
            assert_eq!(exact(ranked[0].1), Some("0.24.0"));
        }
        assert_eq!(exact("^1.2.0"), None);
        assert_eq!(
            packument_url("https://r.example", "@biomejs/biome"),
            "https://r.example/@biomejs%2fbiome"
        );
    }
}
