//! A `[tools.NAME]` table as written, and its resolution for one platform into the
//! concrete [`ToolSpec`] an installer gets: placeholders filled, the platform's
//! overrides applied, the archive format inferred.

use std::collections::BTreeMap;

use crate::format::ArchiveFormat;
use crate::spec::ToolSpec;
use crate::validate::{self, FieldError};

use super::platform::Platform;

/// The parts of a tool a `[tools.NAME.platforms.<os>-<arch>]` table may override.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Override {
    /// The URL template for this platform.
    pub url: Option<String>,
    /// The SHA-256 of this platform's download.
    pub sha256: Option<String>,
    /// The archive format of this platform's download.
    pub format: Option<ArchiveFormat>,
    /// Leading components to drop on this platform.
    pub strip_components: Option<u32>,
    /// The executables on this platform.
    pub bin: Option<Vec<String>>,
}

/// One `[tools.NAME]` table, checked but not yet resolved for a platform. Serialized
/// (as JSON) only to hash it: the lock's `inputs`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ToolTable {
    /// The tool's name (the table key).
    pub name: String,
    /// The version to install.
    pub version: String,
    /// The URL template (`{version}`, `{os}`, `{arch}`); absent when every platform
    /// table names its own.
    pub url: Option<String>,
    /// The SHA-256, only allowed when `url` has no `{os}`/`{arch}`.
    pub sha256: Option<String>,
    /// The archive format, when named.
    pub format: Option<ArchiveFormat>,
    /// Leading components to drop (default 0).
    pub strip_components: u32,
    /// The tool's executables, paths inside the install; `None`: found after install.
    pub bin: Option<Vec<String>>,
    /// The post-install shell command.
    pub post_install: Option<String>,
    /// The free-form `options` table, as JSON.
    pub options: BTreeMap<String, serde_json::Value>,
    /// How this project's assets spell the canonical `{os}`/`{arch}` names.
    pub replacements: BTreeMap<String, String>,
    /// Per-platform overrides.
    pub platforms: BTreeMap<Platform, Override>,
}

/// Why a tool has no download for a platform.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ResolveError {
    /// Neither the tool nor a platform table gives a URL for it, or the URL needs an
    /// `{os}`/`{arch}` the platform has no manifest name for.
    #[error("{tool} has no download for {platform}")]
    NoDownload {
        /// The tool.
        tool: String,
        /// The platform asked for.
        platform: Platform,
    },
    /// The resolved URL breaks a rule (checked once it is concrete).
    #[error("{tool} for {platform}: {source}")]
    Field {
        /// The tool.
        tool: String,
        /// The platform asked for.
        platform: Platform,
        /// The rule broken.
        #[source]
        source: FieldError,
    },
    /// The resolved URL ends in an archive type `vx` cannot unpack.
    #[error("{tool} for {platform}: {}", crate::format::unsupported_suffix(.suffix))]
    UnsupportedArchive {
        /// The tool.
        tool: String,
        /// The platform asked for.
        platform: Platform,
        /// The suffix.
        suffix: &'static str,
    },
}

/// Whether a URL template depends on the platform.
pub fn has_platform_placeholders(url: &str) -> bool {
    url.contains("{os}") || url.contains("{arch}")
}

/// Fills `{version}`, `{os}` and `{arch}` in `template`, spelling the platform names
/// as `replacements` says. `None` when the template needs a name the platform lacks.
pub fn fill(
    template: &str,
    version: &str,
    platform: &Platform,
    replacements: &BTreeMap<String, String>,
) -> Option<String> {
    if has_platform_placeholders(template) && !platform.is_known() {
        return None;
    }
    let spell = |name: &str| {
        replacements
            .get(name)
            .map_or(name, String::as_str)
            .to_owned()
    };
    Some(
        template
            .replace("{version}", version)
            .replace("{os}", &spell(&platform.os))
            .replace("{arch}", &spell(&platform.arch)),
    )
}

impl ToolTable {
    /// The concrete download of this tool on `platform`.
    pub fn resolve(&self, platform: &Platform) -> Result<ToolSpec, ResolveError> {
        let none = Override::default();
        let over = self.platforms.get(platform).unwrap_or(&none);
        let no_download = || ResolveError::NoDownload {
            tool: self.name.clone(),
            platform: platform.clone(),
        };
        let template = over
            .url
            .as_ref()
            .or(self.url.as_ref())
            .ok_or_else(no_download)?;
        let url =
            fill(template, &self.version, platform, &self.replacements).ok_or_else(no_download)?;
        validate::url(&url).map_err(|source| ResolveError::Field {
            tool: self.name.clone(),
            platform: platform.clone(),
            source,
        })?;
        // The tool's own sha256 belongs to the tool's own URL.
        let sha256 = over
            .sha256
            .clone()
            .or_else(|| over.url.is_none().then(|| self.sha256.clone()).flatten());
        let format = match over.format.or(self.format) {
            Some(format) => Some(format),
            None => ArchiveFormat::from_url(&url).map_err(|suffix| {
                ResolveError::UnsupportedArchive {
                    tool: self.name.clone(),
                    platform: platform.clone(),
                    suffix,
                }
            })?,
        };
        Ok(ToolSpec {
            name: self.name.clone(),
            version: self.version.clone(),
            url,
            sha256,
            format,
            strip_components: over.strip_components.unwrap_or(self.strip_components),
            bin: over.bin.clone().or_else(|| self.bin.clone()),
            post_install: self.post_install.clone(),
            options: self.options.clone(),
        })
    }
}
