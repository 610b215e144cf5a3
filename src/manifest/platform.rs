//! Platforms a tool is downloaded for: an operating system and a CPU architecture,
//! written `os-arch` (`linux-x86_64`, `macos-aarch64`), the names the manifest's
//! `{os}`/`{arch}` placeholders and `[tools.NAME.platforms.*]` tables use.

use std::fmt;
use std::str::FromStr;

/// Operating systems a manifest can name.
pub const OSES: [&str; 3] = ["linux", "macos", "windows"];
/// CPU architectures a manifest can name.
pub const ARCHES: [&str; 2] = ["x86_64", "aarch64"];

/// An `os-arch` pair. Either half may be one `vx` has no name for (the machine it runs
/// on, say `linux-riscv64`): such a platform parses from [`Platform::current`] only,
/// and no `{os}`/`{arch}` URL resolves for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// `linux`, `macos`, `windows` (or another, for the current machine).
    pub os: String,
    /// `x86_64`, `aarch64` (or another, for the current machine).
    pub arch: String,
}

impl Platform {
    /// The platform `vx` runs on.
    pub fn current() -> Platform {
        Platform {
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
        }
    }

    /// Whether both halves are names a manifest can use.
    pub fn is_known(&self) -> bool {
        OSES.contains(&self.os.as_str()) && ARCHES.contains(&self.arch.as_str())
    }
}

/// As its `os-arch` name (also as a map key).
impl serde::Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)
    }
}

/// Why a platform name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown platform `{0}`; use os-arch with os one of linux, macos, windows and arch one of x86_64, aarch64"
)]
pub struct PlatformError(pub String);

impl FromStr for Platform {
    type Err = PlatformError;

    /// Parses a known `os-arch` name (the arch may itself hold no `-`).
    fn from_str(name: &str) -> Result<Platform, PlatformError> {
        let refuse = || PlatformError(crate::validate::shorten(name));
        let (os, arch) = name.split_once('-').ok_or_else(refuse)?;
        let platform = Platform {
            os: os.to_owned(),
            arch: arch.to_owned(),
        };
        platform.is_known().then_some(platform).ok_or_else(refuse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for name in ["linux-x86_64", "macos-aarch64", "windows-x86_64"] {
            assert_eq!(name.parse::<Platform>().unwrap().to_string(), name);
        }
        for bad in [
            "linux",
            "linux-riscv64",
            "darwin-aarch64",
            "",
            "-",
            "linux-x86_64-musl",
        ] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_current_platform_uses_the_manifest_spelling_here() {
        // Rust spells these as the manifest does on every platform vx is built for.
        let current = Platform::current();
        assert!(current.is_known(), "{current}");
    }
}
