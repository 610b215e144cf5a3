//! The data model of an aqua registry file (`registry.yaml`: `packages: [...]`), parsed
//! into typed values strictly enough that a package vx would install wrongly is marked
//! unsupported, and leniently enough that the standard registry (thousands of packages)
//! loads.
//!
//! Strict where it matters: every key of a package, of its `overrides`,
//! `version_overrides`, `checksum` and `files` that is not modelled here is kept (by
//! name), and [`Package::unsupported`] reports it unless it is known not to change what
//! is downloaded (`description`, `link`, `search_words`, signature verification such as
//! `cosign`). Package types vx cannot install (`go_install`, `cargo`, `go_build`, …) parse
//! but are unsupported too. A value of the wrong type (a list where a string belongs)
//! fails the whole document with its line and column: aqua would refuse it as well.
//!
//! YAML is read with `serde-saphyr` (default features off, `deserialize` only): it is
//! maintained (the archived `serde_yaml` is not), parses without panicking on malformed
//! input, reports line and column, and bounds resources itself: nesting depth, node and
//! event counts, and aliases (an alias bomb fails instead of expanding). Its pure-Rust
//! parser (`granit-parser`) adds no C code. On top, a document larger than
//! [`MAX_BYTES`] is refused before parsing.
//!
//! The model also serializes (compactly: absent values left out), so the registry's
//! index ([`super::index`]) keeps each package's definition on its own; keys not
//! modelled are written by name only, so a package read back reports the same
//! [`Package::unsupported`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub(crate) mod provenance;

pub(crate) use provenance::{AttestationsDecl, Declared, SlsaDecl};

/// Largest registry document accepted, in bytes (the standard registry is ~3 MiB).
pub(crate) const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Keys vx does not model but that do not change what is downloaded or installed.
const HARMLESS_KEYS: &[&str] = &["description", "link", "search_words", "private"];

/// Why a registry document cannot be read.
#[derive(Debug, Error)]
pub enum RegistryError {
    /// The document is larger than [`MAX_BYTES`].
    #[error("{}: the registry is {len} bytes; at most {MAX_BYTES} are accepted", file.display())]
    TooLarge {
        /// The registry file.
        file: PathBuf,
        /// Its length in bytes.
        len: usize,
    },
    /// The document is not valid YAML, not UTF-8, exceeds the parser's resource limits,
    /// or a value has the wrong type.
    #[error("{}{}: {message}", file.display(), position(*line, *column))]
    Invalid {
        /// The registry file.
        file: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<u64>,
        /// 1-based column of the problem, when known.
        column: Option<u64>,
        /// What is wrong.
        message: String,
    },
}

fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// A registry file: its packages, in file order.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    /// The packages.
    #[serde(default)]
    pub packages: Vec<Package>,
}

impl Registry {
    /// Parses a registry document; `file` names it in errors.
    pub fn from_slice(bytes: &[u8], file: &Path) -> Result<Registry, RegistryError> {
        if bytes.len() > MAX_BYTES {
            return Err(RegistryError::TooLarge {
                file: file.to_path_buf(),
                len: bytes.len(),
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| RegistryError::Invalid {
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: format!("not UTF-8 at byte {}", e.valid_up_to()),
        })?;
        Registry::from_str(text, file)
    }

    /// Parses a registry document already in memory; `file` names it in errors.
    pub fn from_str(text: &str, file: &Path) -> Result<Registry, RegistryError> {
        if text.len() > MAX_BYTES {
            return Err(RegistryError::TooLarge {
                file: file.to_path_buf(),
                len: text.len(),
            });
        }
        // Sized for MAX_BYTES of registry (the standard one has ~100 000 lines); the
        // crate's defaults bound depth (64), aliases and their expansion.
        let mut budget = serde_saphyr::Budget::default();
        budget.max_events = 8_000_000;
        budget.max_nodes = 4_000_000;
        let mut options = serde_saphyr::Options::default();
        options.budget = Some(budget);
        // aqua reads registries with goccy/go-yaml, a YAML 1.2 parser: `repo_name: no`
        // is the string "no" there, not YAML 1.1's false.
        options.strict_booleans = true;
        serde_saphyr::from_str_with_options::<Option<Registry>>(text, options)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                let loc = e.location().filter(|l| l.line() > 0);
                RegistryError::Invalid {
                    file: file.to_path_buf(),
                    line: loc.map(|l| l.line()),
                    column: loc.map(|l| l.column()),
                    message: first_line(&e.to_string()),
                }
            })
    }
}

/// The first line of a (possibly multi-line, snippet-annotated) message, without the
/// crate's `error: line L column C: ` prefix (the position is reported separately).
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    if let Some(nested) = vx_base::validate::yaml_too_deep(line) {
        return nested;
    }
    let bare = line.strip_prefix("error: ").unwrap_or(line);
    match bare.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => {
            rest.to_owned()
        }
        _ => bare.to_owned(),
    }
}

/// `replacements` (`OS`/`Arch` value to its replacement). Keys and values are YAML
/// scalars as aqua reads them into strings: `386: i386` has an integer key.
fn replacements<'de, D>(de: D) -> Result<Option<BTreeMap<String, String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let map = Option::<BTreeMap<Scalar, Scalar>>::deserialize(de)?;
    Ok(map.map(|m| m.into_iter().map(|(k, v)| (k.0, v.0)).collect()))
}

/// Serializes the keys vx does not model by name only (each to a unit value): their
/// values were never read, and what [`Package::unsupported`] reports is their names, so
/// a package written out (the compact index, [`super::index`]) and read back reports
/// the same.
fn keys_only<S: serde::Serializer>(
    extra: &BTreeMap<String, IgnoredAny>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = ser.serialize_map(Some(extra.len()))?;
    for key in extra.keys() {
        map.serialize_entry(key, &())?;
    }
    map.end()
}

/// A YAML scalar (string, integer, float or boolean) read as its text.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Scalar, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        de.deserialize_any(V)
    }
}

/// How a package is installed (`type`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "String", into = "String")]
pub enum PackageType {
    /// An asset of a GitHub release.
    GithubRelease,
    /// Any URL (`url`).
    Http,
    /// The source archive of a tag of a GitHub repository.
    GithubArchive,
    /// A file of a GitHub repository at a tag (`path`).
    GithubContent,
    /// A type vx does not install (`go_install`, `go_build`, `cargo`, …), as written.
    Other(String),
}

impl From<String> for PackageType {
    fn from(s: String) -> PackageType {
        match s.as_str() {
            "github_release" => PackageType::GithubRelease,
            "http" => PackageType::Http,
            "github_archive" => PackageType::GithubArchive,
            "github_content" => PackageType::GithubContent,
            _ => PackageType::Other(s),
        }
    }
}

impl From<PackageType> for String {
    fn from(kind: PackageType) -> String {
        match kind {
            PackageType::GithubRelease => "github_release".to_owned(),
            PackageType::Http => "http".to_owned(),
            PackageType::GithubArchive => "github_archive".to_owned(),
            PackageType::GithubContent => "github_content".to_owned(),
            PackageType::Other(s) => s,
        }
    }
}

/// Where a package's versions are listed (`version_source`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(from = "String", into = "String")]
pub enum VersionSource {
    /// The repository's tags (`github_tag`) rather than its releases (the default).
    GithubTag,
    /// A source vx does not know, as written.
    Other(String),
}

impl From<String> for VersionSource {
    fn from(s: String) -> VersionSource {
        if s == "github_tag" {
            VersionSource::GithubTag
        } else {
            VersionSource::Other(s)
        }
    }
}

impl From<VersionSource> for String {
    fn from(source: VersionSource) -> String {
        match source {
            VersionSource::GithubTag => "github_tag".to_owned(),
            VersionSource::Other(s) => s,
        }
    }
}

/// Another name of a package (`aliases[]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Alias {
    /// The name.
    pub name: String,
}

/// The archive format for one OS (`format_overrides[]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct FormatOverride {
    /// The OS (`windows`, `darwin`, …).
    pub goos: String,
    /// The format there (`zip`, `raw`, …).
    pub format: String,
}

/// A file to install from the package (`files[]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct File {
    /// The command's name.
    pub name: String,
    /// Its path inside the unpacked asset (a template); defaults to `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// `hard: true` (with `link`, pnpm's): the command is a hard link, never a
    /// symbolic one. A command that is the file itself (the download, or a file of the
    /// command's name) needs no link; a renamed one is locked as `NAME==PATH`
    /// ([`vx_base::bin_entry`]) and installed as a hard link (else a copy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard: Option<bool>,
    /// Keys not modelled here (`dir`, `link`, …).
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// What a checksum file's lines look like (`checksum.pattern`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ChecksumPattern {
    /// Regular expression capturing the checksum.
    pub checksum: String,
    /// Regular expression capturing the file name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// Where a package's checksums are published (`checksum`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Checksum {
    /// `github_release` or `http`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The checksum asset's name (a template), for `github_release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The checksum file's URL (a template), for `http`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `md5`, `sha1`, `sha256` or `sha512`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// `regexp` or `raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_format: Option<String>,
    /// How to read a `regexp` file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<ChecksumPattern>,
    /// `false` turns checksum verification off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Replacements applied to the checksum asset's name.
    #[serde(
        default,
        deserialize_with = "replacements",
        skip_serializing_if = "Option::is_none"
    )]
    pub replacements: Option<BTreeMap<String, String>>,
    /// A minisign signature of the checksum file (`checksum.minisign`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minisign: Option<MinisignDecl>,
    /// A cosign signature of the checksum file (`checksum.cosign`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosign: Option<CosignDecl>,
    /// GitHub's artifact attestations of the checksum file itself
    /// (`checksum.github_artifact_attestations`, as terraform-linters/tflint declares
    /// them): read like the package's own, asked for the checksum file's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_artifact_attestations: Option<Declared<AttestationsDecl>>,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// Where a signature, key, certificate or bundle file is published, as aqua's
/// `minisign` and `cosign` declarations name them: a release asset of the package's
/// repository (or `repo_owner`/`repo_name`), or a URL.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct FileRef {
    /// `github_release` or `http`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The asset's name (a template), for `github_release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The file's URL (a template), for `http`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Another repository's owner, for `github_release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo_owner: Option<String>,
    /// Another repository's name, for `github_release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo_name: Option<String>,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// aqua's `minisign` declaration: the signature file and the public key.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct MinisignDecl {
    /// `false` turns it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The minisign public key (`RWQ…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Where the `.minisig` file is.
    #[serde(flatten)]
    pub file: FileRef,
}

/// aqua's `cosign` declaration: cosign's command-line `opts` and the files it reads.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct CosignDecl {
    /// `false` turns it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `cosign verify-blob` options (`--key URL`, `--certificate-identity-regexp RE`,
    /// `--certificate-oidc-issuer URL`, `--signature URL`, …), templates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opts: Vec<String>,
    /// The public key file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<FileRef>,
    /// The signature file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<FileRef>,
    /// The signing certificate (keyless signatures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<FileRef>,
    /// A Sigstore bundle (keyless or with a key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<FileRef>,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// The fields a package, an override and a version override share: those that say what
/// to download and install.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Fields {
    /// How the package is installed.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PackageType>,
    /// GitHub owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo_owner: Option<String>,
    /// GitHub repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo_name: Option<String>,
    /// Release asset name (a template), for `github_release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// Download URL (a template), for `http`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Path in the repository, for `github_content`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Archive format (`tar.gz`, `zip`, `raw`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Formats per OS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_overrides: Option<Vec<FormatOverride>>,
    /// Values substituted for `OS`/`Arch` in templates (`amd64: x86_64`).
    #[serde(
        default,
        deserialize_with = "replacements",
        skip_serializing_if = "Option::is_none"
    )]
    pub replacements: Option<BTreeMap<String, String>>,
    /// Files to install.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<File>>,
    /// Platforms the package supports (`linux`, `darwin/arm64`, `all`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported_envs: Option<Vec<String>>,
    /// Prefix of release tags (`cli-`), stripped to give `SemVer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_prefix: Option<String>,
    /// An expression selecting the tags that are versions of this package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_filter: Option<String>,
    /// Where versions are listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_source: Option<VersionSource>,
    /// No asset for these versions: the package cannot be installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_asset: Option<bool>,
    /// A message to show instead of installing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Install the amd64 build on darwin/arm64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rosetta2: Option<bool>,
    /// Install the amd64 build on windows/arm64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows_arm_emulation: Option<bool>,
    /// Add `.exe` to the asset name on Windows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_windows_ext: Option<bool>,
    /// The extension to add on Windows (default `.exe`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows_ext: Option<String>,
    /// Append the format's extension to the asset name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub append_ext: Option<bool>,
    /// Where checksums are published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<Checksum>,
    /// A minisign signature of the asset itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minisign: Option<Declared<MinisignDecl>>,
    /// A cosign signature of the asset itself (checked against its sha256).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosign: Option<Declared<CosignDecl>>,
    /// GitHub's artifact attestations of the asset's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_artifact_attestations: Option<Declared<AttestationsDecl>>,
    /// An SLSA provenance file naming the asset's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa_provenance: Option<Declared<SlsaDecl>>,
}

/// Settings for one OS and/or architecture (`overrides[]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Override {
    /// The OS it applies to, if restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goos: Option<String>,
    /// The architecture it applies to, if restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goarch: Option<String>,
    /// The platforms it applies to, if restricted (as `supported_envs` names them).
    pub envs: Option<Vec<String>>,
    /// Further conditions on the environment, all of which must hold (aqua's
    /// `variants`; today `key: libc`, `value: glibc | musl`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<Variant>>,
    /// The settings.
    #[serde(flatten)]
    pub fields: Fields,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// One condition of an override's `variants`: the environment's `key` is `value`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Variant {
    /// What is compared (`libc`).
    pub key: String,
    /// The value it must have (`glibc`, `musl`).
    pub value: String,
}

/// Settings for the versions an expression selects (`version_overrides[]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct VersionOverride {
    /// The expression (see [`super::expr`]).
    pub version_constraint: String,
    /// Per-platform settings for these versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Vec<Override>>,
    /// The settings.
    #[serde(flatten)]
    pub fields: Fields,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

/// One package of a registry.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Package {
    /// Its name, when not `repo_owner/repo_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Other names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// One-line description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The expression selecting the versions the top-level settings apply to (see
    /// [`super::expr`]); others fall to `version_overrides`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_constraint: Option<String>,
    /// Settings for other versions, first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_overrides: Vec<VersionOverride>,
    /// Per-platform settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// The settings.
    #[serde(flatten)]
    pub fields: Fields,
    /// Keys not modelled here.
    #[serde(flatten, serialize_with = "keys_only")]
    pub extra: BTreeMap<String, IgnoredAny>,
}

impl Package {
    /// `name`, else `repo_owner/repo_name`; `None` when neither is given. An empty
    /// string is no value, as in aqua (`GetName`): a package named `""` would be one no
    /// user can ask for, and its index entry one the index refuses to read.
    pub fn full_name(&self) -> Option<String> {
        let given = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        if let Some(name) = given(&self.name) {
            return Some(name);
        }
        match (
            given(&self.fields.repo_owner),
            given(&self.fields.repo_name),
        ) {
            (Some(o), Some(n)) => Some(format!("{o}/{n}")),
            _ => None,
        }
    }

    /// The last `/`-separated segment of [`Package::full_name`] (`gh` for `cli/cli/gh`…
    /// or `cli` for `cli/cli`).
    #[cfg(test)]
    pub(crate) fn short_name(&self) -> Option<String> {
        let full = self.full_name()?;
        full.rsplit('/').next().map(str::to_owned)
    }

    /// Why vx cannot install this package on any platform at any version, or `None`
    /// when it may: no name, no type, a type vx does not install that no override
    /// replaces, or top-level keys vx does not implement and that would change what
    /// is installed. What an `overrides` or `version_overrides` entry holds is judged
    /// where it applies ([`super::resolve::resolve`]): eza-community/eza is `cargo` on
    /// macOS only, and its other platforms install.
    pub(crate) fn unsupported(&self) -> Option<String> {
        let mut reasons = Vec::new();
        if self.full_name().is_none() {
            reasons.push("it has neither `name` nor `repo_owner` and `repo_name`".to_owned());
        }
        match &self.fields.kind {
            None => reasons.push("it has no `type`".to_owned()),
            Some(PackageType::Other(t)) if !self.some_entry_installable() => {
                reasons.push(format!("type `{t}` is not supported"));
            }
            Some(_) => {}
        }
        let keys = self.top_unsupported_keys();
        if !keys.is_empty() {
            reasons.push(format!("unsupported keys: {}", keys.join(", ")));
        }
        (!reasons.is_empty()).then(|| reasons.join("; "))
    }

    /// Whether an `overrides` or `version_overrides` entry sets a type vx installs.
    fn some_entry_installable(&self) -> bool {
        let installable =
            |f: &Fields| matches!(&f.kind, Some(k) if !matches!(k, PackageType::Other(_)));
        self.overrides.iter().any(|o| installable(&o.fields))
            || self.version_overrides.iter().any(|vo| {
                installable(&vo.fields)
                    || vo
                        .overrides
                        .iter()
                        .flatten()
                        .any(|o| installable(&o.fields))
            })
    }
}

impl Package {
    /// The top level's own keys (not those of its `overrides` or `version_overrides`)
    /// that vx does not implement and that would change what is installed: what
    /// resolution checks before the entries a version and platform select.
    pub(crate) fn top_unsupported_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        unknown_keys(&self.extra, "", &mut keys);
        fields_keys(&self.fields, "", &mut keys);
        keys
    }
}

impl Override {
    /// This entry's keys that vx does not implement, prefixed with `at`.
    pub(crate) fn unsupported_keys(&self, at: &str) -> Vec<String> {
        let mut keys = Vec::new();
        unknown_keys(&self.extra, at, &mut keys);
        fields_keys(&self.fields, at, &mut keys);
        keys
    }
}

impl VersionOverride {
    /// This entry's own keys (not its `overrides`') that vx does not implement,
    /// prefixed with `at`.
    pub(crate) fn unsupported_keys(&self, at: &str) -> Vec<String> {
        let mut keys = Vec::new();
        unknown_keys(&self.extra, at, &mut keys);
        fields_keys(&self.fields, at, &mut keys);
        keys
    }
}

/// The unknown keys nested in `fields` (files, checksum), and an unknown
/// `version_source`.
fn fields_keys(fields: &Fields, at: &str, keys: &mut Vec<String>) {
    if let Some(VersionSource::Other(s)) = &fields.version_source {
        keys.push(format!("{at}version_source `{s}`"));
    }
    for (i, f) in fields.files.iter().flatten().enumerate() {
        unknown_keys(&f.extra, &format!("{at}files[{i}]."), keys);
    }
    if let Some(c) = &fields.checksum {
        unknown_keys(&c.extra, &format!("{at}checksum."), keys);
        if let Some(p) = &c.pattern {
            unknown_keys(&p.extra, &format!("{at}checksum.pattern."), keys);
        }
    }
}

fn unknown_keys(extra: &BTreeMap<String, IgnoredAny>, at: &str, keys: &mut Vec<String>) {
    keys.extend(
        extra
            .keys()
            .filter(|k| !HARMLESS_KEYS.contains(&k.as_str()))
            .map(|k| format!("{at}{k}")),
    );
}

#[cfg(test)]
mod tests;
