//! Arbitrary bytes as a registry file (aqua's `registry.yaml`): parsing, indexing,
//! reading every entry and definition back, looking each package up by name, and
//! resolving it for three platforms and a few tags must never panic or hang; bad input
//! is an error. A definition read back from the index must resolve exactly as the
//! parsed one does, since `vx` resolves from the index.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::github::hosts::GithubHosts;
use crate::registry::index::{Index, Origin};
use crate::registry::names;
use crate::registry::package::{Package, Registry};
use crate::registry::resolve::{resolve, version_allowed};
use vx_model::manifest::platform::Platform;

/// One directory per fuzzing process (in memory where /dev/shm exists); each input's
/// index overwrites the last.
static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap())
});

static PLATFORMS: LazyLock<[Platform; 3]> = LazyLock::new(|| {
    ["linux-x86_64", "macos-aarch64", "windows-x86_64"].map(|p| p.parse().unwrap())
});

/// Tags in the shapes real releases use: `v`-prefixed, bare, a pre-release, a
/// prefixed one (`jq-1.7`), and one that is no version.
const TAGS: [&str; 5] = ["v1.2.3", "2.0.0", "v0.1.0-rc.1", "jq-1.7.1", "nightly"];

/// The target's bytes, read as this module's docs say.
pub fn registry(data: &[u8]) {
    let Ok(registry) = Registry::from_slice(data, Path::new("registry.yaml")) else {
        return;
    };
    let Ok(bytes) = Index::build(&registry, &Origin::default()) else {
        return;
    };
    let path: PathBuf = DIR.path().join("registry.idx");
    std::fs::write(&path, &bytes).unwrap();
    let index = Index::open(&path).expect("an index just built opens");
    let named: Vec<&Package> = registry
        .packages
        .iter()
        .filter(|p| p.full_name().is_some())
        .collect();
    assert_eq!(index.len(), named.len(), "every named package is indexed");
    let hosts = GithubHosts::default();
    for (i, (entry, parsed)) in index.entries().zip(&named).enumerate() {
        let full_name = entry.full_name();
        assert_eq!(Some(full_name.to_owned()), parsed.full_name());
        let _ = (entry.short_name(), entry.repo_name(), entry.description());
        let _ = (entry.unsupported(), entry.aliases().count());
        let _ = entry.commands().count();
        names::lookup(&index, full_name).expect("a package is found by its full name");
        let stored = index
            .package(i)
            .expect("a definition just indexed reads back");
        for tag in TAGS {
            let allowed = version_allowed(&stored, tag);
            assert_eq!(
                format!("{allowed:?}"),
                format!("{:?}", version_allowed(parsed, tag)),
                "{full_name} {tag}: version_allowed differs once indexed"
            );
            for platform in PLATFORMS.iter() {
                let resolved = resolve(&stored, tag, platform, &hosts);
                assert_eq!(
                    format!("{resolved:?}"),
                    format!("{:?}", resolve(parsed, tag, platform, &hosts)),
                    "{full_name} {tag} {platform}: resolution differs once indexed"
                );
            }
        }
    }
}
