//! Platforms a tool is downloaded for: an operating system, a CPU architecture and,
//! on Linux, a C library, written `os-arch` (`linux-x86_64`, `macos-aarch64`) or
//! `linux-arch-musl` (`linux-x86_64-musl`): the names the manifest's `{os}`/`{arch}`
//! placeholders, `[settings] platforms`, `[tools.NAME.platforms.*]` tables and the
//! lock use.
//!
//! Plain `linux-x86_64` is glibc, as every publisher's default Linux build is. A musl
//! platform is its own: a runtime or a registry package locks for it what its
//! publisher builds for musl (or says there is none), so a musl host never installs a
//! glibc build silently. Which libc this machine has is read from the dynamic loader
//! `/bin/sh` names ([`vx_base::platform::libc`]); `VX_LIBC=musl|glibc` overrides it.

use std::fmt;
use std::str::FromStr;

pub use vx_base::platform::libc::Libc;

/// Operating systems a manifest can name.
pub(crate) const OSES: [&str; 3] = ["linux", "macos", "windows"];
/// CPU architectures a manifest can name.
pub(crate) const ARCHES: [&str; 2] = ["x86_64", "aarch64"];

/// The platforms `vx init` and `vx import` list in a new project's `[settings]
/// platforms` (with the machine's own when it is not one of them): where most teams'
/// developers and CI run. A machine not listed still locks its own platform on first
/// use; `vx lock --platform P` adds another.
pub(crate) const DEFAULT_SET: [&str; 4] = [
    "linux-x86_64",
    "linux-aarch64",
    "macos-aarch64",
    "windows-x86_64",
];

/// [`DEFAULT_SET`] and this machine's platform, in that order, each once.
pub fn default_set() -> Vec<Platform> {
    let mut set: Vec<Platform> = DEFAULT_SET
        .iter()
        .filter_map(|name| name.parse().ok())
        .collect();
    let here = Platform::current();
    if !set.contains(&here) {
        set.push(here);
    }
    set
}

/// An `os-arch` pair, and on Linux its libc. Either half may be one `vx` has no name
/// for (the machine it runs on, say `linux-riscv64`): such a platform parses from
/// [`Platform::current`] only, and no `{os}`/`{arch}` URL resolves for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// `linux`, `macos`, `windows` (or another, for the current machine).
    pub os: String,
    /// `x86_64`, `aarch64` (or another, for the current machine).
    pub arch: String,
    /// On Linux, its C library; `None` elsewhere.
    pub libc: Option<Libc>,
}

impl Platform {
    /// `os-arch` with the default libc (glibc on Linux).
    pub fn new(os: &str, arch: &str) -> Platform {
        Platform {
            os: os.to_owned(),
            arch: arch.to_owned(),
            libc: (os == "linux").then_some(Libc::Glibc),
        }
    }

    /// This platform with `libc` (Linux only; elsewhere unchanged).
    pub fn with_libc(mut self, libc: Libc) -> Platform {
        if self.os == "linux" {
            self.libc = Some(libc);
        }
        self
    }

    /// The platform `vx` runs on, with the C library this machine's programs use.
    pub fn current() -> Platform {
        let platform = Platform::new(std::env::consts::OS, std::env::consts::ARCH);
        match vx_base::platform::libc::host() {
            Some(libc) => platform.with_libc(libc),
            None => platform,
        }
    }

    /// Whether both halves are names a manifest can use.
    pub fn is_known(&self) -> bool {
        OSES.contains(&self.os.as_str()) && ARCHES.contains(&self.arch.as_str())
    }

    /// Whether its C library is musl.
    pub fn is_musl(&self) -> bool {
        self.libc == Some(Libc::Musl)
    }

    /// `os-arch` without the libc: what `os = [...]` and `{os}`/`{arch}` templates
    /// see.
    pub(crate) fn os_arch(&self) -> String {
        format!("{}-{}", self.os, self.arch)
    }

    /// The same `os-arch` with the default libc: where a tool whose download does
    /// not depend on the libc (a URL of the user's own) finds its lock entry.
    pub(crate) fn default_libc(&self) -> Platform {
        Platform::new(&self.os, &self.arch)
    }
}

/// As its name (also as a map key).
impl serde::Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)?;
        if self.is_musl() {
            f.write_str("-musl")?;
        }
        Ok(())
    }
}

/// Why a platform name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown platform `{0}`; use os-arch with os one of linux, macos, windows and arch one of x86_64, aarch64 (linux-ARCH-musl for musl)"
)]
pub struct PlatformError(pub String);

impl FromStr for Platform {
    type Err = PlatformError;

    /// Parses a known `os-arch` name (the arch may itself hold no `-`), or
    /// `linux-ARCH-musl`.
    fn from_str(name: &str) -> Result<Platform, PlatformError> {
        let refuse = || PlatformError(vx_base::validate::shorten(name));
        let (os, rest) = name.split_once('-').ok_or_else(refuse)?;
        let (arch, libc) = match rest.split_once('-') {
            Some((arch, "musl")) if os == "linux" => (arch, Libc::Musl),
            Some(_) => return Err(refuse()),
            None => (rest, Libc::Glibc),
        };
        let platform = Platform::new(os, arch).with_libc(libc);
        platform.is_known().then_some(platform).ok_or_else(refuse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for name in [
            "linux-x86_64",
            "macos-aarch64",
            "windows-x86_64",
            "linux-x86_64-musl",
            "linux-aarch64-musl",
        ] {
            assert_eq!(name.parse::<Platform>().unwrap().to_string(), name);
        }
        for bad in [
            "linux",
            "linux-riscv64",
            "darwin-aarch64",
            "",
            "-",
            "macos-aarch64-musl",
            "linux-x86_64-gnu",
            "linux-x86_64-musl-x",
        ] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_musl_platform_is_its_own_and_knows_its_glibc_twin() {
        let musl: Platform = "linux-x86_64-musl".parse().unwrap();
        let glibc: Platform = "linux-x86_64".parse().unwrap();
        assert_ne!(musl, glibc);
        assert!(musl.is_musl() && !glibc.is_musl());
        assert_eq!(musl.os_arch(), "linux-x86_64");
        assert_eq!(musl.default_libc(), glibc);
        assert_eq!(glibc.libc, Some(Libc::Glibc));
        let mac: Platform = "macos-aarch64".parse().unwrap();
        assert_eq!(mac.libc, None);
        assert_eq!(mac.clone().with_libc(Libc::Musl), mac);
    }

    #[test]
    fn the_current_platform_uses_the_manifest_spelling_here() {
        // Rust spells these as the manifest does on every platform vx is built for.
        let current = Platform::current();
        assert!(current.is_known(), "{current}");
    }
}
