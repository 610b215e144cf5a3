//! The download formats `vx` can install, and how a format is named, inferred and
//! sniffed: compressed tars, zip, bare executables (`raw`) and a lone executable
//! compressed by itself (`gz`, `xz`, `bz2`, `zst`: taplo and others publish them so).

use serde::{Deserialize, Serialize};

/// One supported download format. Serialized (manifest `format` key, config frame,
/// receipts) by its [`name`](ArchiveFormat::name): `"tar.gz"`, `"tar.xz"`,
/// `"tar.bz2"`, `"tar.zst"`, `"tar"`, `"zip"`, `"raw"`, `"gz"`, `"xz"`, `"bz2"` or
/// `"zst"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ArchiveFormat {
    /// A tar archive compressed with gzip (`.tar.gz`, `.tgz`).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// A tar archive compressed with xz (`.tar.xz`, `.txz`).
    #[serde(rename = "tar.xz")]
    TarXz,
    /// A tar archive compressed with bzip2 (`.tar.bz2`, `.tbz`, `.tbz2`).
    #[serde(rename = "tar.bz2")]
    TarBz2,
    /// A tar archive compressed with zstd (`.tar.zst`, `.tzst`).
    #[serde(rename = "tar.zst")]
    TarZst,
    /// An uncompressed tar archive (`.tar`).
    #[serde(rename = "tar")]
    Tar,
    /// A zip archive with stored or deflated entries (`.zip`).
    #[serde(rename = "zip")]
    Zip,
    /// Not an archive: the download is the tool's executable itself (jq, kubectl and
    /// shfmt publish them so).
    #[serde(rename = "raw")]
    Raw,
    /// One executable compressed with gzip, not a tar (`.gz`): decompressed into the
    /// executable, as aqua's `format: gz` is.
    #[serde(rename = "gz")]
    Gz,
    /// One executable compressed with xz (`.xz`).
    #[serde(rename = "xz")]
    Xz,
    /// One executable compressed with bzip2 (`.bz2`).
    #[serde(rename = "bz2")]
    Bz2,
    /// One executable compressed with zstd (`.zst`).
    #[serde(rename = "zst")]
    Zst,
}

/// The archive formats: every format that holds entries (not [`ArchiveFormat::Raw`],
/// nor the [`COMPRESSED_FILES`]).
pub const ARCHIVE_FORMATS: [ArchiveFormat; 6] = [
    ArchiveFormat::TarGz,
    ArchiveFormat::TarXz,
    ArchiveFormat::TarBz2,
    ArchiveFormat::TarZst,
    ArchiveFormat::Tar,
    ArchiveFormat::Zip,
];

/// The formats of one executable compressed by itself.
pub(crate) const COMPRESSED_FILES: [ArchiveFormat; 4] = [
    ArchiveFormat::Gz,
    ArchiveFormat::Xz,
    ArchiveFormat::Bz2,
    ArchiveFormat::Zst,
];

/// Every supported format, for messages and tests: the [`ARCHIVE_FORMATS`], then
/// [`ArchiveFormat::Raw`], then the [`COMPRESSED_FILES`].
pub const ALL_FORMATS: [ArchiveFormat; 11] = {
    let mut all = [ArchiveFormat::Raw; 11];
    let mut i = 0;
    while i < ARCHIVE_FORMATS.len() {
        all[i] = ARCHIVE_FORMATS[i];
        i += 1;
    }
    let mut j = 0;
    while j < COMPRESSED_FILES.len() {
        all[ARCHIVE_FORMATS.len() + 1 + j] = COMPRESSED_FILES[j];
        j += 1;
    }
    all
};

/// The URL suffixes `vx` recognises, longest first where one ends another (`.tar.gz`
/// before `.gz`), and the format each names.
const SUFFIXES: [(&str, ArchiveFormat); 15] = [
    (".tar.gz", ArchiveFormat::TarGz),
    (".tgz", ArchiveFormat::TarGz),
    (".tar.xz", ArchiveFormat::TarXz),
    (".txz", ArchiveFormat::TarXz),
    (".tar.bz2", ArchiveFormat::TarBz2),
    (".tbz2", ArchiveFormat::TarBz2),
    (".tbz", ArchiveFormat::TarBz2),
    (".tar.zst", ArchiveFormat::TarZst),
    (".tzst", ArchiveFormat::TarZst),
    (".tar", ArchiveFormat::Tar),
    (".zip", ArchiveFormat::Zip),
    (".gz", ArchiveFormat::Gz),
    (".xz", ArchiveFormat::Xz),
    (".bz2", ArchiveFormat::Bz2),
    (".zst", ArchiveFormat::Zst),
];

/// The supported suffixes, for messages that tell a user what would work.
pub(crate) const SUPPORTED_SUFFIXES: &str = ".tar.gz, .tgz, .tar.xz, .txz, .tar.bz2, .tbz, .tbz2, .tar.zst, .tzst, .tar, .zip, .gz, .xz, .bz2, .zst";

/// The names a `format` key accepts, for messages.
pub const SUPPORTED_NAMES: &str = "tar.gz (tgz), tar.xz (txz), tar.bz2 (tbz, tbz2), tar.zst (tzst), tar, zip, raw (a bare executable), gz, xz, bz2, zst (one compressed executable)";

/// Every spelling [`ArchiveFormat::from_name`] accepts, canonical names and aliases
/// (for the command line's list of possible values).
pub const NAMES: [&str; 16] = [
    "tar.gz", "tgz", "tar.xz", "txz", "tar.bz2", "tbz", "tbz2", "tar.zst", "tzst", "tar", "zip",
    "raw", "gz", "xz", "bz2", "zst",
];

/// Archive suffixes that are recognisably archives or installers but that `vx` cannot
/// unpack, so a manifest naming one fails early, at its line, instead of after a
/// download.
const UNSUPPORTED_SUFFIXES: [&str; 11] = [
    ".7z",
    ".rar",
    ".dmg",
    ".pkg",
    ".msi",
    ".deb",
    ".rpm",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".tar.z",
];

/// What to tell a user whose URL ends in `suffix`, one of the suffixes
/// [`ArchiveFormat::from_url`] refuses.
pub fn unsupported_suffix(suffix: &str) -> String {
    format!(
        "the url ends in `{suffix}`, an archive or installer type vx cannot unpack; supported: {SUPPORTED_SUFFIXES}, or a bare executable (format = \"raw\")"
    )
}

/// Bytes [`ArchiveFormat::sniff`] looks at: a tar's `ustar` magic ends at byte 262.
pub const SNIFF_LEN: usize = 264;

/// The kinds of bare executable that are sniffed as [`ArchiveFormat::Raw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Executable {
    /// A Linux or BSD ELF binary.
    Elf,
    /// A macOS Mach-O binary, thin or fat (universal).
    MachO,
    /// A Windows PE binary (`MZ`).
    Pe,
    /// A script starting with `#!`.
    Script,
}

impl Executable {
    /// Recognises an executable from its first bytes.
    pub fn sniff(head: &[u8]) -> Option<Executable> {
        const MACH_O: [[u8; 4]; 4] = [
            [0xfe, 0xed, 0xfa, 0xce],
            [0xfe, 0xed, 0xfa, 0xcf],
            [0xce, 0xfa, 0xed, 0xfe],
            [0xcf, 0xfa, 0xed, 0xfe],
        ];
        if head.starts_with(b"\x7fELF") {
            Some(Executable::Elf)
        } else if MACH_O.iter().any(|magic| head.starts_with(magic)) || is_fat_mach_o(head) {
            Some(Executable::MachO)
        } else if head.starts_with(b"MZ") {
            Some(Executable::Pe)
        } else if head.starts_with(b"#!") {
            Some(Executable::Script)
        } else {
            None
        }
    }
}

/// A universal binary: `cafebabe` (or `cafebabf`, 64-bit) then a small big-endian
/// count of architectures. A Java class file shares the magic but has its version
/// there, 45 or more.
fn is_fat_mach_o(head: &[u8]) -> bool {
    let (Some(magic), Some(count)) = (head.get(..4), head.get(4..8)) else {
        return false;
    };
    let count = u32::from_be_bytes([count[0], count[1], count[2], count[3]]);
    (magic == [0xca, 0xfe, 0xba, 0xbe] || magic == [0xca, 0xfe, 0xba, 0xbf])
        && (1..45).contains(&count)
}

impl ArchiveFormat {
    /// The canonical name, as written in `vx.toml` and in the config frame.
    pub const fn name(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::TarXz => "tar.xz",
            ArchiveFormat::TarBz2 => "tar.bz2",
            ArchiveFormat::TarZst => "tar.zst",
            ArchiveFormat::Tar => "tar",
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::Raw => "raw",
            ArchiveFormat::Gz => "gz",
            ArchiveFormat::Xz => "xz",
            ArchiveFormat::Bz2 => "bz2",
            ArchiveFormat::Zst => "zst",
        }
    }

    /// Whether the download is one executable, bare or compressed by itself: it is
    /// installed under its command's name, and `strip_components` does not apply.
    pub const fn is_one_file(self) -> bool {
        matches!(
            self,
            ArchiveFormat::Raw
                | ArchiveFormat::Gz
                | ArchiveFormat::Xz
                | ArchiveFormat::Bz2
                | ArchiveFormat::Zst
        )
    }

    /// Whether the format can be unpacked as it downloads (a tar, compressed or not):
    /// a zip's directory is at its end, and one executable is not unpacked.
    pub const fn streams(self) -> bool {
        !matches!(self, ArchiveFormat::Zip) && !self.is_one_file()
    }

    /// Parses a `format = "…"` value; accepts the canonical names and the short
    /// aliases `tgz`, `txz`, `tbz`, `tbz2` and `tzst`, case-insensitively. `gz`, `xz`,
    /// `bz2` and `zst` are aqua's names for one compressed executable.
    pub fn from_name(name: &str) -> Option<ArchiveFormat> {
        match name.to_ascii_lowercase().as_str() {
            "tar.gz" | "tgz" => Some(ArchiveFormat::TarGz),
            "tar.xz" | "txz" => Some(ArchiveFormat::TarXz),
            "tar.bz2" | "tbz" | "tbz2" => Some(ArchiveFormat::TarBz2),
            "tar.zst" | "tzst" => Some(ArchiveFormat::TarZst),
            "tar" => Some(ArchiveFormat::Tar),
            "zip" => Some(ArchiveFormat::Zip),
            "raw" => Some(ArchiveFormat::Raw),
            "gz" => Some(ArchiveFormat::Gz),
            "xz" => Some(ArchiveFormat::Xz),
            "bz2" => Some(ArchiveFormat::Bz2),
            "zst" => Some(ArchiveFormat::Zst),
            _ => None,
        }
    }

    /// Infers the format from the last path segment of a URL (query and fragment
    /// ignored). `Ok(None)` when the URL does not say (the format is then sniffed from
    /// the downloaded bytes: a bare executable's URL usually names no suffix, or
    /// `.exe`); `Err(suffix)` when it names an archive type we cannot unpack.
    pub fn from_url(url: &str) -> Result<Option<ArchiveFormat>, &'static str> {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        if let Some((_, format)) = SUFFIXES.iter().find(|(s, _)| file.ends_with(s)) {
            return Ok(Some(*format));
        }
        match UNSUPPORTED_SUFFIXES.iter().find(|s| file.ends_with(*s)) {
            Some(suffix) => Err(suffix),
            None => Ok(None),
        }
    }

    /// Recognises a format from the first bytes of a file ([`SNIFF_LEN`] of them
    /// suffice): gzip, xz, bzip2, zstd and zip magic numbers, a tar's `ustar`, then a
    /// bare executable ([`Executable::sniff`]). Used when neither the manifest nor the
    /// URL names the format.
    pub fn sniff(head: &[u8]) -> Option<ArchiveFormat> {
        let bzip2 = head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]);
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(ArchiveFormat::TarGz)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(ArchiveFormat::TarXz)
        } else if bzip2 {
            Some(ArchiveFormat::TarBz2)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(ArchiveFormat::TarZst)
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(ArchiveFormat::Zip)
        } else if head.get(257..262) == Some(b"ustar") {
            Some(ArchiveFormat::Tar)
        } else {
            Executable::sniff(head).map(|_| ArchiveFormat::Raw)
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
            assert!(NAMES.contains(&format.name()), "{format}");
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.name()));
            assert_eq!(
                serde_json::from_str::<ArchiveFormat>(&json).unwrap(),
                format
            );
        }
        for (alias, format) in [
            ("TGZ", ArchiveFormat::TarGz),
            ("txz", ArchiveFormat::TarXz),
            ("tbz", ArchiveFormat::TarBz2),
            ("TBZ2", ArchiveFormat::TarBz2),
            ("tzst", ArchiveFormat::TarZst),
            ("Raw", ArchiveFormat::Raw),
        ] {
            assert_eq!(ArchiveFormat::from_name(alias), Some(format), "{alias}");
        }
        for name in NAMES {
            assert!(ArchiveFormat::from_name(name).is_some(), "{name}");
        }
        for unknown in ["rar", "7z", "zstd", "bzip2", ""] {
            assert_eq!(ArchiveFormat::from_name(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn only_tars_stream() {
        for format in ALL_FORMATS {
            let tar = format.name().starts_with("tar");
            assert_eq!(format.streams(), tar, "{format}");
            let one = format == ArchiveFormat::Raw || COMPRESSED_FILES.contains(&format);
            assert_eq!(format.is_one_file(), one, "{format}");
        }
    }

    #[test]
    fn url_inference_looks_at_the_last_segment_only() {
        use ArchiveFormat::*;
        let cases = [
            ("https://x.org/a-1.tar.gz", Ok(Some(TarGz))),
            ("https://x.org/a-1.TGZ?sig=1", Ok(Some(TarGz))),
            ("https://x.org/a.tar.xz#frag", Ok(Some(TarXz))),
            ("file:///tmp/a.txz", Ok(Some(TarXz))),
            ("https://x.org/a.tar.bz2", Ok(Some(TarBz2))),
            ("https://x.org/a.tbz", Ok(Some(TarBz2))),
            ("https://x.org/a.tbz2", Ok(Some(TarBz2))),
            ("https://x.org/a.tar.zst", Ok(Some(TarZst))),
            ("https://x.org/a.TZST", Ok(Some(TarZst))),
            ("https://x.org/a-1.0.tar", Ok(Some(Tar))),
            ("https://x.org/a.zip", Ok(Some(Zip))),
            // One compressed executable, not a tar (taplo's `taplo-linux-x86_64.gz`).
            ("https://x.org/taplo-linux-x86_64.gz", Ok(Some(Gz))),
            ("https://x.org/tool.xz", Ok(Some(Xz))),
            ("https://x.org/tool.bz2", Ok(Some(Bz2))),
            ("https://x.org/tool.zst", Ok(Some(Zst))),
            ("https://x.org/a.zip/download", Ok(None)),
            ("https://x.org/download?file=a.zip", Ok(None)),
            // Bare executables name no archive suffix: sniffed after the download.
            ("https://x.org/jq-1.7.1/jq-linux-amd64", Ok(None)),
            ("https://x.org/jq-windows-amd64.exe", Ok(None)),
            ("https://x.org/a.7z", Err(".7z")),
            ("https://x.org/a.dmg", Err(".dmg")),
            ("https://x.org/a.pkg", Err(".pkg")),
            ("https://x.org/a.MSI", Err(".msi")),
            ("https://x.org/a.rar", Err(".rar")),
            ("https://x.org/a.tar.lz", Err(".tar.lz")),
        ];
        for (url, want) in cases {
            assert_eq!(ArchiveFormat::from_url(url), want, "{url}");
        }
        // Every suffix named as supported is recognised.
        for suffix in SUPPORTED_SUFFIXES.split(", ") {
            let url = format!("https://x.org/a{suffix}");
            assert!(
                matches!(ArchiveFormat::from_url(&url), Ok(Some(_))),
                "{url}"
            );
        }
    }

    /// `bytes` at the start of a head of [`SNIFF_LEN`] bytes of zeros.
    fn head(bytes: &[u8]) -> Vec<u8> {
        let mut head = bytes.to_vec();
        head.resize(SNIFF_LEN.max(bytes.len()), 0);
        head
    }

    #[test]
    fn sniffing_recognises_magic_numbers() {
        use ArchiveFormat::*;
        let mut ustar = head(b"pkg/bin/tool");
        ustar[257..263].copy_from_slice(b"ustar\0");
        let cases: [(&[u8], Option<ArchiveFormat>); 19] = [
            (&[0x1f, 0x8b, 8, 0], Some(TarGz)),
            (b"\xfd7zXZ\x00\x00", Some(TarXz)),
            (b"BZh91AY&SY", Some(TarBz2)),
            (&[0x28, 0xb5, 0x2f, 0xfd, 0x04], Some(TarZst)),
            (b"PK\x03\x04....", Some(Zip)),
            (b"PK\x05\x06", Some(Zip)),
            (&ustar, Some(Tar)),
            (b"\x7fELF\x02\x01\x01", Some(Raw)),
            (&[0xcf, 0xfa, 0xed, 0xfe, 0x0c, 0, 0, 1], Some(Raw)),
            (&[0xfe, 0xed, 0xfa, 0xce, 0, 0, 0, 7], Some(Raw)),
            // A universal binary of two architectures.
            (&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2], Some(Raw)),
            (b"MZ\x90\x00\x03\x00", Some(Raw)),
            (b"#!/bin/sh\necho hi\n", Some(Raw)),
            // A Java class file shares the universal binary's magic: not an executable.
            (&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52], None),
            (b"BZh0", None),
            (b"BZ", None),
            (b"<html>Not Found</html>", None),
            (b"#", None),
            (b"", None),
        ];
        for (bytes, want) in cases {
            assert_eq!(ArchiveFormat::sniff(bytes), want, "{bytes:02x?}");
            assert_eq!(
                ArchiveFormat::sniff(&head(bytes)),
                want,
                "padded {bytes:02x?}"
            );
        }
    }

    #[test]
    fn executables_are_told_apart() {
        assert_eq!(Executable::sniff(b"\x7fELF"), Some(Executable::Elf));
        assert_eq!(
            Executable::sniff(&[0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 3]),
            Some(Executable::MachO)
        );
        assert_eq!(Executable::sniff(b"MZ"), Some(Executable::Pe));
        assert_eq!(
            Executable::sniff(b"#!/usr/bin/env python3"),
            Some(Executable::Script)
        );
        assert_eq!(Executable::sniff(b"\x1f\x8b"), None);
    }
}
