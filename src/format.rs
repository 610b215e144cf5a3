//! The archive formats `vx` can unpack, and how a format is named, inferred and sniffed.

use serde::{Deserialize, Serialize};

/// One supported archive format. Serialized (manifest `format` key, config frame,
/// receipts) as `"tar.gz"`, `"tar.xz"` or `"zip"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArchiveFormat {
    /// A tar archive compressed with gzip (`.tar.gz`, `.tgz`).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// A tar archive compressed with xz (`.tar.xz`, `.txz`).
    #[serde(rename = "tar.xz")]
    TarXz,
    /// A zip archive with stored or deflated entries (`.zip`).
    #[serde(rename = "zip")]
    Zip,
}

/// Every supported format, for messages and tests.
pub const ALL_FORMATS: [ArchiveFormat; 3] = [
    ArchiveFormat::TarGz,
    ArchiveFormat::TarXz,
    ArchiveFormat::Zip,
];

/// Archive suffixes that are recognisably archives but that `vx` cannot unpack, so a
/// manifest naming one fails early, at its line, instead of after a download.
const UNSUPPORTED_SUFFIXES: [&str; 9] = [
    ".tar.bz2", ".tbz2", ".tbz", ".tar.zst", ".tzst", ".tar.lz", ".7z", ".rar", ".tar",
];

impl ArchiveFormat {
    /// The canonical name, as written in `vx.toml` and in the config frame.
    pub const fn name(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::TarXz => "tar.xz",
            ArchiveFormat::Zip => "zip",
        }
    }

    /// Parses a `format = "…"` value; accepts the canonical names and the short
    /// aliases `tgz` and `txz`, case-insensitively.
    pub fn from_name(name: &str) -> Option<ArchiveFormat> {
        match name.to_ascii_lowercase().as_str() {
            "tar.gz" | "tgz" => Some(ArchiveFormat::TarGz),
            "tar.xz" | "txz" => Some(ArchiveFormat::TarXz),
            "zip" => Some(ArchiveFormat::Zip),
            _ => None,
        }
    }

    /// Infers the format from the last path segment of a URL (query and fragment
    /// ignored). `Ok(None)` when the URL does not say (the format is then sniffed from
    /// the downloaded bytes); `Err(suffix)` when it names an archive type we cannot
    /// unpack.
    pub fn from_url(url: &str) -> Result<Option<ArchiveFormat>, &'static str> {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        for (suffixes, format) in [
            (&[".tar.gz", ".tgz"][..], ArchiveFormat::TarGz),
            (&[".tar.xz", ".txz"][..], ArchiveFormat::TarXz),
            (&[".zip"][..], ArchiveFormat::Zip),
        ] {
            if suffixes.iter().any(|s| file.ends_with(s)) {
                return Ok(Some(format));
            }
        }
        match UNSUPPORTED_SUFFIXES.iter().find(|s| file.ends_with(*s)) {
            Some(suffix) => Err(suffix),
            None => Ok(None),
        }
    }

    /// Recognises a format from the first bytes of a file (gzip, xz and zip magic
    /// numbers). Used when neither the manifest nor the URL names the format.
    pub fn sniff(head: &[u8]) -> Option<ArchiveFormat> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(ArchiveFormat::TarGz)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(ArchiveFormat::TarXz)
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(ArchiveFormat::Zip)
        } else {
            None
        }
    }
}

impl std::fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_are_accepted() {
        for format in ALL_FORMATS {
            assert_eq!(ArchiveFormat::from_name(format.name()), Some(format));
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.name()));
            assert_eq!(
                serde_json::from_str::<ArchiveFormat>(&json).unwrap(),
                format
            );
        }
        assert_eq!(ArchiveFormat::from_name("TGZ"), Some(ArchiveFormat::TarGz));
        assert_eq!(ArchiveFormat::from_name("txz"), Some(ArchiveFormat::TarXz));
        assert_eq!(ArchiveFormat::from_name("rar"), None);
        assert_eq!(ArchiveFormat::from_name(""), None);
    }

    #[test]
    fn url_inference_looks_at_the_last_segment_only() {
        let cases = [
            ("https://x.org/a-1.tar.gz", Ok(Some(ArchiveFormat::TarGz))),
            (
                "https://x.org/a-1.TGZ?sig=1",
                Ok(Some(ArchiveFormat::TarGz)),
            ),
            (
                "https://x.org/a.tar.xz#frag",
                Ok(Some(ArchiveFormat::TarXz)),
            ),
            ("file:///tmp/a.txz", Ok(Some(ArchiveFormat::TarXz))),
            ("https://x.org/a.zip", Ok(Some(ArchiveFormat::Zip))),
            ("https://x.org/a.zip/download", Ok(None)),
            ("https://x.org/download?file=a.zip", Ok(None)),
            ("https://x.org/a.tar.bz2", Err(".tar.bz2")),
            ("https://x.org/a.7z", Err(".7z")),
        ];
        for (url, want) in cases {
            assert_eq!(ArchiveFormat::from_url(url), want, "{url}");
        }
    }

    #[test]
    fn sniffing_recognises_magic_numbers() {
        assert_eq!(
            ArchiveFormat::sniff(&[0x1f, 0x8b, 8, 0]),
            Some(ArchiveFormat::TarGz)
        );
        assert_eq!(
            ArchiveFormat::sniff(b"\xfd7zXZ\x00\x00"),
            Some(ArchiveFormat::TarXz)
        );
        assert_eq!(
            ArchiveFormat::sniff(b"PK\x03\x04...."),
            Some(ArchiveFormat::Zip)
        );
        assert_eq!(
            ArchiveFormat::sniff(b"PK\x05\x06"),
            Some(ArchiveFormat::Zip)
        );
        assert_eq!(ArchiveFormat::sniff(b"BZh9"), None);
        assert_eq!(ArchiveFormat::sniff(b""), None);
    }
}
