//! A `[tools.NAME]` table as written, and its resolution for one platform into the
//! concrete [`ToolSpec`] an installer gets: placeholders filled, the platform's
//! overrides applied, the archive format inferred.

use std::collections::BTreeMap;

use crate::spec::ToolSpec;
use vx_base::format::ArchiveFormat;
use vx_base::validate::{self, FieldError};

use super::platform::Platform;

/// The parts of a tool a `[tools.NAME.platforms.<os>-<arch>]` table may override.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Override {
    /// The URL template for this platform.
    pub url: Option<String>,
    /// The SHA-256 of this platform's download.
    pub sha256: Option<String>,
    /// A language registry's SRI value of this platform's download (npm's
    /// `sha512-…`), when it publishes no SHA-256; only a resolution gives it
    /// (`vx_engine::resolution::backend`), vx.toml cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// A `go:` tool's module hash (`h1:…`), which its build checks Go's record of the
    /// module against; only a resolution gives it (`vx_engine::resolution::backend`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h1: Option<String>,
    /// The archive format of this platform's download.
    pub format: Option<ArchiveFormat>,
    /// Leading components to drop on this platform.
    pub strip_components: Option<u32>,
    /// The executables on this platform.
    pub bin: Option<Vec<String>>,
    /// A registry tool with no download for this platform: the registry's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
    /// Variables a runtime sets for its users, each a path inside the install
    /// (`JAVA_HOME` = `Contents/Home` on macOS); only a runtime's layout gives them
    /// (`vx_engine::resolution::runtime`), vx.toml cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// A runtime's install step on this platform (python's marker, OTP's `Install`),
    /// from its layout for this very platform; vx.toml's tool-level `post_install`
    /// wins. Only a runtime's layout gives it, vx.toml cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_install: Option<String>,
    /// Files a runtime writes into its tree on this platform ([`ToolSpec::write`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub write: BTreeMap<String, String>,
    /// Directories outside the store on `PATH` after the runtime's own
    /// ([`ToolSpec::path_after`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path_after: Vec<String>,
    /// Other packings of this platform's download with their sha256 (a runtime's
    /// `.tar.gz` beside its `.tar.xz`); only a resolution gives them, vx.toml cannot.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<crate::spec::Alternative>,
}

/// One `[tools.NAME]` table, checked but not yet resolved for a platform. Its parts
/// are hashed for the lock ([`ToolTable::download_inputs`], [`ToolTable::layout_inputs`]).
#[derive(Clone, Debug, PartialEq)]
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
    /// `os = [...]`: the platforms the tool is for, each an OS (`linux`) or an
    /// `os-arch` (`macos-aarch64`); empty: every platform.
    pub os: Vec<String>,
    /// For a tool named by a registry (`ripgrep = "14"`, or a table with `package`
    /// and no `url`): what to look up and the version constraint. Such a tool has no
    /// URL of its own (`url`, `platforms` and `replacements` are empty) and `version`
    /// holds the constraint as written; the lock pins its resolution.
    pub registry: Option<RegistryRequest>,
    /// `[tools.NAME.verify]`: the signatures every download of the tool must carry,
    /// checked when a version is locked ([`vx_net::verify`]).
    pub verify: Option<vx_net::verify::Checks>,
    /// `verify = "off"` on the tool: none of the signatures, attestations or
    /// provenance its registry declares is checked when it is locked (`[settings]
    /// verify = "off"` for this tool alone; `"require"` still refuses it).
    pub verify_off: bool,
    /// `version_file = ".nvmrc"`: the file the constraint was read from (it is the
    /// one source of truth; the hook's record watches it).
    pub version_file: Option<std::path::PathBuf>,
}

/// A tool to find in the registries: `ripgrep = "14"`, `"cli/cli" = "latest"`,
/// `ripgrep = { version = "14", os = [...], bin = [...] }`, or a long form with
/// `package = "owner/repo"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRequest {
    /// The name to look up: `package` when given, else the key as written
    /// (`ripgrep`, `cli/cli`, `kubernetes/kubernetes/kubectl`).
    pub lookup: String,
    /// The version constraint as written (`14`, `latest`, `^1.2`, `>=1.2, <2`).
    pub constraint: String,
    /// Where the tool's key is in vx.toml, for a name that cannot be resolved; `None`
    /// for a tool named on the command line (`vx x node@19`, `vx exec node@18 -- …`),
    /// whose errors name the argument instead of a vx.toml line it never had.
    pub at: Option<super::Location>,
    /// A language registry's package (`npm:@biomejs/biome`) resolved instead when
    /// `lookup` (the release binary a mise project's entry was swapped for) cannot be;
    /// set only for a project read in place ([`super::in_place`]), never by vx.toml.
    pub fallback: Option<String>,
}

/// What decides the bytes a tool downloads: any change means downloading again.
#[derive(serde::Serialize)]
struct DownloadInputs<'t> {
    version: &'t str,
    url: &'t Option<String>,
    sha256: &'t Option<String>,
    format: Option<ArchiveFormat>,
    replacements: &'t BTreeMap<String, String>,
    platforms: BTreeMap<String, DownloadOverride<'t>>,
    /// Absent when the tool has no `verify` table, so locks written before it existed
    /// stay fresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    verify: Option<&'t vx_net::verify::Checks>,
}

#[derive(serde::Serialize)]
struct DownloadOverride<'t> {
    url: &'t Option<String>,
    sha256: &'t Option<String>,
    format: Option<ArchiveFormat>,
}

/// What decides a registry tool's resolution: the name looked up and the constraint.
#[derive(serde::Serialize)]
struct RegistryInputs<'t> {
    lookup: &'t str,
    constraint: &'t str,
}

/// What shapes the installed tree from the same bytes: a change needs no download.
#[derive(serde::Serialize)]
struct LayoutInputs<'t> {
    strip_components: u32,
    bin: &'t Option<Vec<String>>,
    post_install: &'t Option<String>,
    options: &'t BTreeMap<String, serde_json::Value>,
    platforms: BTreeMap<String, LayoutOverride<'t>>,
}

#[derive(serde::Serialize)]
struct LayoutOverride<'t> {
    strip_components: Option<u32>,
    bin: &'t Option<Vec<String>>,
}

/// The whole table as locks of earlier builds hashed it (before `inputs` and `layout`
/// were told apart), field for field: an entry of such a lock is recognised instead of
/// being downloaded again.
#[derive(serde::Serialize)]
struct LegacyTable<'t> {
    name: &'t str,
    version: &'t str,
    url: &'t Option<String>,
    sha256: &'t Option<String>,
    format: Option<ArchiveFormat>,
    strip_components: u32,
    bin: &'t Option<Vec<String>>,
    post_install: &'t Option<String>,
    options: &'t BTreeMap<String, serde_json::Value>,
    replacements: &'t BTreeMap<String, String>,
    platforms: &'t BTreeMap<Platform, Override>,
}

/// `sha256:<hex>` of a value's canonical JSON.
fn digest(value: &impl serde::Serialize) -> String {
    use sha2::Digest;
    let json = serde_json::to_vec(value).expect("inputs serialize");
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(json)))
}

/// Why a tool has no download for a platform.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ResolveError {
    /// Neither the tool nor a platform table gives a URL for it, or the URL needs an
    /// `{os}`/`{arch}` the platform has no manifest name for.
    #[error(
        "{tool} has no download for {platform}; if it is not for {platform}, list the platforms it is for with `os = [...]` in its table"
    )]
    NoDownload {
        /// The tool.
        tool: String,
        /// The platform asked for.
        platform: Platform,
    },
    /// The registry has no download of this tool for the platform.
    #[error(
        "{tool} is not available for {platform}: {reason}; if the project does not need it there, list the platforms it is for with `os = [...]`"
    )]
    Unsupported {
        /// The tool.
        tool: String,
        /// The platform asked for.
        platform: Platform,
        /// The registry's reason.
        reason: String,
    },
    /// The resolved URL breaks a rule (checked once it is concrete).
    #[error("{tool} for {platform}: {source}")]
    Field {
        /// The tool.
        tool: String,
        /// The platform asked for.
        platform: Platform,
        /// The rule broken (boxed: the error stays small on the `Ok` path).
        #[source]
        source: Box<FieldError>,
    },
    /// The resolved URL ends in an archive type `vx` cannot unpack.
    #[error("{tool} for {platform}: {}", vx_base::format::unsupported_suffix(.suffix))]
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
pub(crate) fn has_platform_placeholders(url: &str) -> bool {
    url.contains("{os}") || url.contains("{arch}")
}

/// The placeholders a `url` or `bin` template may hold.
pub(crate) const PLACEHOLDERS: [&str; 3] = ["version", "os", "arch"];

/// The first `{name}` in `template` that is not one of [`PLACEHOLDERS`], with its byte
/// offset: such a name would reach the server (or the file system) as it is.
pub fn unknown_placeholder(template: &str) -> Option<(usize, &str)> {
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Some((offset + open, name));
        }
        offset += open + close + 2;
        rest = &after[close + 1..];
    }
    None
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

/// `bin` entries with their placeholders filled like the URL's (an entry needing a
/// name the platform lacks is kept as written: it then fails the install's check).
pub fn fill_bins(
    bin: &[String],
    version: &str,
    platform: &Platform,
    replacements: &BTreeMap<String, String>,
) -> Vec<String> {
    bin.iter()
        .map(|entry| fill(entry, version, platform, replacements).unwrap_or_else(|| entry.clone()))
        .collect()
}

impl ToolTable {
    /// A registry tool `name` at `constraint`, looked up as `lookup` (a runtime's
    /// name, a package's qualified name), with nothing else set: the table vx.toml's
    /// `name = "constraint"` reads as, for a tool named on the command line or one vx
    /// needs itself.
    pub fn registry_tool(name: String, lookup: String, constraint: &str) -> ToolTable {
        ToolTable {
            name,
            version: constraint.to_owned(),
            url: None,
            sha256: None,
            format: None,
            strip_components: 0,
            bin: None,
            post_install: None,
            options: BTreeMap::new(),
            replacements: BTreeMap::new(),
            platforms: BTreeMap::new(),
            os: Vec::new(),
            registry: Some(RegistryRequest {
                lookup,
                constraint: constraint.to_owned(),
                at: None,
                fallback: None,
            }),
            verify: None,
            verify_off: false,
            version_file: None,
        }
    }

    /// This tool at another `version`, named on the command line rather than by
    /// vx.toml (`vx exec node@18`): its checksums belong to its own version, so none
    /// is kept (unless `version` is that very version); a registry tool asks its
    /// package for that version.
    pub fn at_version(&self, version: &str) -> ToolTable {
        if version == self.version && self.registry.is_none() {
            // Its own version: its checksums are that version's.
            return self.clone();
        }
        let mut table = self.clone();
        table.version = version.to_owned();
        table.sha256 = None;
        for over in table.platforms.values_mut() {
            over.sha256 = None;
        }
        if let Some(registry) = &mut table.registry {
            registry.constraint = version.to_owned();
            registry.at = None;
        }
        table
    }

    /// Whether the tool is for `platform` (its `os` list names the OS or the platform,
    /// or is empty).
    pub fn is_for(&self, platform: &Platform) -> bool {
        self.os.is_empty()
            || self.os.iter().any(|p| {
                *p == platform.os || *p == platform.os_arch() || *p == platform.to_string()
            })
    }

    /// Of `platforms`, those the tool is for.
    pub fn platforms_of<'p>(&self, platforms: &'p [Platform]) -> Vec<&'p Platform> {
        platforms.iter().filter(|p| self.is_for(p)).collect()
    }

    /// `sha256:` of what decides the downloaded bytes (version, URLs, checksums,
    /// formats, replacements): the lock's `inputs`. A change means downloading again.
    pub fn download_inputs(&self) -> String {
        if let Some(request) = &self.registry {
            return digest(&RegistryInputs {
                lookup: &request.lookup,
                constraint: &request.constraint,
            });
        }
        digest(&DownloadInputs {
            version: &self.version,
            url: &self.url,
            sha256: &self.sha256,
            format: self.format,
            replacements: &self.replacements,
            platforms: self
                .platforms
                .iter()
                .filter(|(_, o)| o.url.is_some() || o.sha256.is_some() || o.format.is_some())
                .map(|(p, o)| {
                    let over = DownloadOverride {
                        url: &o.url,
                        sha256: &o.sha256,
                        format: o.format,
                    };
                    (p.to_string(), over)
                })
                .collect(),
            verify: self.verify.as_ref(),
        })
    }

    /// `sha256:` of the whole table as earlier builds wrote a lock's `inputs` (a lock
    /// without `layout`); `None` for a table those builds could not have read (one
    /// with `os`).
    pub(crate) fn legacy_inputs(&self) -> Option<String> {
        (self.os.is_empty() && self.registry.is_none()).then(|| {
            digest(&LegacyTable {
                name: &self.name,
                version: &self.version,
                url: &self.url,
                sha256: &self.sha256,
                format: self.format,
                strip_components: self.strip_components,
                bin: &self.bin,
                post_install: &self.post_install,
                options: &self.options,
                replacements: &self.replacements,
                platforms: &self.platforms,
            })
        })
    }

    /// `sha256:` of what shapes the installed tree from the same bytes (`bin`,
    /// `strip_components`, `post_install`, `options`): the lock's `layout`. A change
    /// needs no download.
    pub(crate) fn layout_inputs(&self) -> String {
        // A registry tool's per-platform executables are part of its resolution (its
        // `inputs`); only what vx.toml says shapes its layout.
        let platforms = if self.registry.is_some() {
            BTreeMap::new()
        } else {
            self.platforms.clone()
        };
        digest(&LayoutInputs {
            strip_components: self.strip_components,
            bin: &self.bin,
            post_install: &self.post_install,
            options: &self.options,
            platforms: platforms
                .iter()
                .filter(|(_, o)| o.strip_components.is_some() || o.bin.is_some())
                .map(|(p, o)| {
                    let over = LayoutOverride {
                        strip_components: o.strip_components,
                        bin: &o.bin,
                    };
                    (p.to_string(), over)
                })
                .collect(),
        })
    }

    /// The `[tools.NAME.platforms.*]` table of `platform`. A tool with a URL of its
    /// own renders the same URL for a musl platform as for its glibc twin (its
    /// template has no libc), so the twin's table serves where the musl one is
    /// absent; a registry tool's tables are its resolutions, one per platform.
    pub(crate) fn platform_override(&self, platform: &Platform) -> Option<&Override> {
        self.platforms.get(platform).or_else(|| {
            (platform.is_musl() && self.registry.is_none())
                .then(|| self.platforms.get(&platform.default_libc()))
                .flatten()
        })
    }

    /// The concrete download of this tool on `platform`.
    pub fn resolve(&self, platform: &Platform) -> Result<ToolSpec, ResolveError> {
        let none = Override::default();
        let over = self.platform_override(platform).unwrap_or(&none);
        if let Some(reason) = &over.unsupported {
            return Err(ResolveError::Unsupported {
                tool: self.name.clone(),
                platform: platform.clone(),
                reason: reason.clone(),
            });
        }
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
            source: Box::new(source),
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
            integrity: over.integrity.clone(),
            h1: over.h1.clone(),
            format,
            strip_components: over.strip_components.unwrap_or(self.strip_components),
            bin: over
                .bin
                .as_ref()
                .or(self.bin.as_ref())
                .map(|bin| fill_bins(bin, &self.version, platform, &self.replacements)),
            post_install: self
                .post_install
                .clone()
                .or_else(|| over.post_install.clone()),
            options: self.options.clone(),
            verify: self.verify.clone(),
            verified: None,
            env: over.env.clone().unwrap_or_default(),
            size: None,
            write: over.write.clone(),
            path_after: over.path_after.clone(),
            alternatives: over.alternatives.clone(),
            needs: crate::spec::Needs::default(),
        })
    }
}
