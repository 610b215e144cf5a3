//! `vx-release.json`, the release manifest `scripts/dist/build.sh` writes and signs:
//!
//! ```json
//! {"version": "0.2.0", "tag": "v0.2.0",
//!  "targets": {"x86_64-unknown-linux-musl":
//!    {"asset": "vx-0.2.0-x86_64-unknown-linux-musl.tar.gz", "size": 9120345,
//!     "sha256": "…64 hex…"}}}
//! ```
//!
//! Its minisign signature's trusted comment carries `tag:vVERSION`; a manifest is
//! accepted only when a trusted key verifies it and that tag is the manifest's own.
//! Fields beyond these are allowed (a later release may add some).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SelfUpdateError;
use vx_net::verify::minisign::Key;

/// One platform's archive in a release.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TargetAsset {
    /// The archive's file name in the release (`vx-0.2.0-TARGET.tar.gz`).
    pub asset: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

/// A release manifest, checked.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReleaseManifest {
    /// The version (`0.2.0`).
    pub version: String,
    /// The tag (`v0.2.0`).
    pub tag: String,
    /// Each target's archive.
    pub targets: BTreeMap<String, TargetAsset>,
}

impl ReleaseManifest {
    /// Parses and checks a manifest fetched from `url`: a version, its tag `vVERSION`,
    /// and targets whose assets are plain file names with a size and a sha256.
    pub(crate) fn parse(bytes: &[u8], url: &str) -> Result<ReleaseManifest, SelfUpdateError> {
        let bad = |problem: String| SelfUpdateError::Manifest {
            url: url.to_owned(),
            problem,
        };
        let manifest: ReleaseManifest = serde_json::from_slice(bytes)
            .map_err(|e| bad(format!("is not a release manifest: {e}")))?;
        semver::Version::parse(&manifest.version).map_err(|_| {
            bad(format!(
                "names version {}, which is not one",
                shown(&manifest.version)
            ))
        })?;
        if manifest.tag != format!("v{}", manifest.version) {
            return Err(bad(format!(
                "names tag {} for version {}",
                shown(&manifest.tag),
                manifest.version
            )));
        }
        for (target, asset) in &manifest.targets {
            let name = &asset.asset;
            let plain = !name.is_empty()
                && name.len() <= 255
                && !name.starts_with('.')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
            if !plain {
                return Err(bad(format!(
                    "names asset {} for {}, not a plain file name",
                    shown(name),
                    shown(target)
                )));
            }
            let hex = asset.sha256.len() == 64
                && asset
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !hex {
                return Err(bad(format!(
                    "gives {} no sha256 (64 lower-case hex digits)",
                    shown(name)
                )));
            }
            if asset.size == 0 || asset.size > super::MAX_ARCHIVE_BYTES {
                return Err(bad(format!(
                    "gives {} a size of {} bytes",
                    shown(name),
                    asset.size
                )));
            }
        }
        Ok(manifest)
    }

    /// The manifest's version as semver (checked by [`ReleaseManifest::parse`]).
    pub(crate) fn semver(&self) -> semver::Version {
        semver::Version::parse(&self.version).unwrap_or(semver::Version::new(0, 0, 0))
    }
}

/// The tag a trusted comment binds: its `tag:…` word (`timestamp:1 file:vx-release.json
/// tag:v0.2.0`).
pub(crate) fn signed_tag(trusted_comment: &str) -> Option<&str> {
    trusted_comment
        .split_whitespace()
        .find_map(|word| word.strip_prefix("tag:"))
}

/// Checks `bytes` (the manifest at `url`) against its minisign `signature` with each of
/// `keys` in turn, then parses it and checks that the signed tag is its own. The first
/// key that verifies decides; when none does, every key's reason is said.
pub(crate) fn verify(
    bytes: &[u8],
    signature: &[u8],
    url: &str,
    keys: &[Key],
) -> Result<ReleaseManifest, SelfUpdateError> {
    let mut reasons = Vec::new();
    for key in keys {
        match key.verify_bytes_trusted(bytes, signature, &format!("{url}.minisig")) {
            Ok(comment) => {
                let manifest = ReleaseManifest::parse(bytes, url)?;
                return match signed_tag(&comment) {
                    Some(tag) if tag == manifest.tag => Ok(manifest),
                    signed => Err(SelfUpdateError::Manifest {
                        url: url.to_owned(),
                        problem: format!(
                            "is for {} but its signature binds {}: a signed manifest served as another release",
                            manifest.tag,
                            signed.map_or("no tag".to_owned(), |t| format!("tag {}", shown(t)))
                        ),
                    }),
                };
            }
            Err(e) => reasons.push(e.to_string()),
        }
    }
    Err(SelfUpdateError::Untrusted {
        url: url.to_owned(),
        reasons: reasons.join("; "),
    })
}

/// Outside text fit for a message.
fn shown(text: &str) -> String {
    vx_text::sanitize(&vx_base::validate::shorten(text)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://h/vx-release.json";

    fn manifest(version: &str, tag: &str, asset: &str, sha: &str) -> String {
        format!(
            r#"{{"version":"{version}","tag":"{tag}","targets":{{"t":{{"asset":"{asset}","size":3,"sha256":"{sha}"}}}}}}"#
        )
    }

    #[test]
    fn a_good_manifest_is_read() {
        let sha = "a".repeat(64);
        let m = ReleaseManifest::parse(
            manifest("0.2.0", "v0.2.0", "vx-0.2.0-t.tar.gz", &sha).as_bytes(),
            URL,
        )
        .unwrap();
        assert_eq!(m.targets["t"].sha256, sha);
        assert_eq!(m.semver(), semver::Version::new(0, 2, 0));
    }

    #[test]
    fn bad_manifests_are_refused_with_why() {
        let sha = "a".repeat(64);
        for (text, why) in [
            (manifest("0.2", "v0.2", "a.tar.gz", &sha), "not one"),
            (manifest("0.2.0", "v0.3.0", "a.tar.gz", &sha), "tag"),
            (manifest("0.2.0", "v0.2.0", "../a.tar.gz", &sha), "plain"),
            (manifest("0.2.0", "v0.2.0", "a/b", &sha), "plain"),
            (manifest("0.2.0", "v0.2.0", "a.tar.gz", "ABC"), "sha256"),
            ("[]".to_owned(), "not a release manifest"),
            ("\u{0}".to_owned(), "not a release manifest"),
        ] {
            let err = ReleaseManifest::parse(text.as_bytes(), URL).unwrap_err();
            assert!(err.to_string().contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn the_signed_tag_is_the_tag_word() {
        assert_eq!(
            signed_tag("timestamp:1\tfile:vx-release.json tag:v1.2.3"),
            Some("v1.2.3")
        );
        assert_eq!(signed_tag("timestamp:1 file:x"), None);
    }
}
