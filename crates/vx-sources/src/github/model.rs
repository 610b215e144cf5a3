//! Releases and tags as vx keeps them, read from the REST API's JSON (only the fields
//! vx uses; every other field is ignored, so the API may add more).

use serde::Deserialize;

/// A GitHub release.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Release {
    /// Its tag (`tag_name`): `v14.1.1`.
    #[serde(rename = "tag_name")]
    pub tag: String,
    /// Whether it is a draft (listed only to those who may push).
    #[serde(default)]
    pub draft: bool,
    /// Whether it is marked a pre-release.
    #[serde(default)]
    pub prerelease: bool,
    /// When it was published (RFC 3339); `None` for a draft.
    #[serde(default)]
    pub published_at: Option<String>,
    /// Its files.
    #[serde(default)]
    pub assets: Vec<ReleaseAsset>,
}

/// A file of a release.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ReleaseAsset {
    /// The file name.
    pub name: String,
    /// Where to download it (`browser_download_url`).
    #[serde(rename = "browser_download_url")]
    pub url: String,
    /// Its size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Its digest as GitHub sends it (`sha256:<hex>`); `None` for assets uploaded
    /// before GitHub computed them.
    #[serde(default)]
    pub digest: Option<String>,
}

impl ReleaseAsset {
    /// The SHA-256 of the digest, lower-case hex, when it is one.
    pub fn sha256(&self) -> Option<String> {
        let hex = self.digest.as_deref()?.strip_prefix("sha256:")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| hex.to_ascii_lowercase())
    }
}

/// An entry of the tag list; only its name is kept.
#[derive(Deserialize)]
pub(super) struct Tag {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_shape_is_read_and_unknown_fields_ignored() {
        let json = r#"{"url":"x","id":1,"tag_name":"v1","draft":false,"prerelease":true,
            "published_at":"2024-05-01T10:00:00Z","author":{"login":"a"},
            "assets":[{"name":"a.tgz","browser_download_url":"https://github.com/o/r/releases/download/v1/a.tgz",
              "size":12,"digest":"sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789","uploader":{}},
              {"name":"b.zip","browser_download_url":"u","size":3,"digest":null}]}"#;
        let release: Release = serde_json::from_str(json).unwrap();
        assert_eq!(release.tag, "v1");
        assert!(release.prerelease && !release.draft);
        assert_eq!(
            release.published_at.as_deref(),
            Some("2024-05-01T10:00:00Z")
        );
        assert_eq!(release.assets[0].size, 12);
        assert_eq!(
            release.assets[0].sha256().as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
        );
        assert_eq!(release.assets[1].digest, None);
        assert_eq!(release.assets[1].sha256(), None);
    }
}
