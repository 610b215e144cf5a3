//! Resolution: what a registry package downloads for one version tag on one platform:
//! the URL, the asset's name and format, the executables inside it, and where its
//! checksum is published. It does exactly what aqua does for the same package, tag and
//! platform (checked against the real aqua by `tests/it/aqua_agreement.rs`), and it is
//! pure: no network, no files.
//!
//! The steps, each in aqua's order and by aqua's rules:
//!
//! 1. the platform must be one aqua names (`linux`/`darwin`/`windows`,
//!    `amd64`/`arm64`);
//! 2. the definition for the tag (`merge`): `version_constraint`, the first matching
//!    `version_overrides` entry, `format_overrides`, the first matching `overrides`
//!    entry, field by field. Only the entries that apply must be ones vx can install
//!    (a supported type, no key that vx does not implement and that would change what
//!    is installed, as [`Package::unsupported`] judges the whole package): a package
//!    whose old versions were `go_install` still resolves for its newer releases;
//! 3. `supported_envs` (`all`, an OS, an architecture, `os/arch`; with `rosetta2` or
//!    `windows_arm_emulation`, `amd64` entries admit the arm64 platform), then
//!    `no_asset` and a version override's `error_message`;
//! 4. the templates: `.OS` and `.Arch` after `replacements` (and `.Arch` of amd64 on
//!    darwin/arm64 with `rosetta2`, windows/arm64 with `windows_arm_emulation`),
//!    `.SemVer` without `version_prefix`; the asset (`asset`, the `url`'s last segment,
//!    or `path`) gets the format's extension (`append_ext`) and on Windows `.exe`
//!    (`complete_windows_ext`, `windows_ext`) where aqua adds them (`names`);
//! 5. the URL by type: a release download, the `url`, a raw file of the repository at
//!    the tag, or the tag's source archive, on the hosts of [`GithubHosts`];
//! 6. the format vx unpacks, `files[].src` (the asset itself for a bare executable),
//!    the checksum file's URL and layout, and the attestations and provenance that
//!    bind the asset's digest to its publisher (`attestations`).
//!
//! Anything vx cannot install comes back as [`Resolution::Unsupported`] with a reason
//! for the user; only a registry's broken template or expression is an error.

mod attestations;
mod merge;
mod names;
mod signatures;

pub use attestations::ProvenanceSource;
pub use signatures::{Identity, SignatureSource};
#[cfg(test)]
mod tests;

use thiserror::Error;

use super::expr::{Expr, ExprError, Vars as ExprVars};
use super::package::{Package, PackageType};
use super::template::{Template, TemplateError, Vars};
use crate::github::hosts::GithubHosts;
use merge::Info;
use vx_base::format::ArchiveFormat;
use vx_model::manifest::platform::Platform;

pub(crate) use super::checksum::ChecksumFormat;

/// What a package gives for a tag and platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The file to download and how to install it (boxed: a download is large, a
    /// reason small).
    Download(Box<Download>),
    /// vx cannot install the package there; why, in words for the user.
    Unsupported(String),
}

/// A download of a registry package, ready for the installer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// Where the file is.
    pub url: String,
    /// The file's name as aqua renders it (the name a checksum file lists).
    pub asset: String,
    /// How to unpack it; `None` when the registry does not say and the name does not
    /// tell (the installer sniffs the bytes).
    pub format: Option<ArchiveFormat>,
    /// The commands it provides.
    pub bins: Vec<Bin>,
    /// Where its checksum is published, if the registry says.
    pub checksum: Option<ChecksumSource>,
    /// What binds its digest to the publisher (GitHub's attestations, SLSA
    /// provenance), checked from its sha256 when a version is locked.
    pub provenance: Vec<ProvenanceSource>,
    /// The signatures the registry declares over the asset itself (`minisign`,
    /// `cosign`), checked against its sha256 when a version is locked.
    pub signatures: Vec<SignatureSource>,
    /// `"rosetta2"` or `"windows_arm_emulation"` when an amd64 build serves an arm64
    /// platform.
    pub emulated: Option<&'static str>,
    /// The `variants` of the override that chose it (`libc musl`), if one did.
    pub variant: Option<String>,
}

/// A command of a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bin {
    /// The command's name.
    pub name: String,
    /// Its path inside the unpacked tree, `/`-separated; for a bare executable, the
    /// name the file is stored under (the asset's).
    pub src: String,
    /// aqua's `files[].hard`: a command under another name than its file's is a hard
    /// link to it (a copy where the file system has none), never a symbolic one.
    pub hard: bool,
}

/// A published checksum file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecksumSource {
    /// Where the file is.
    pub url: String,
    /// How to read it ([`super::checksum::find_sha256`]).
    pub format: ChecksumFormat,
    /// The hash algorithm it lists (`sha256` unless the registry says otherwise).
    pub algorithm: String,
    /// The signatures the registry declares over the file, checked when a version is
    /// locked from it.
    pub signatures: Vec<SignatureSource>,
    /// GitHub's attestations the registry declares of the file itself
    /// (`checksum.github_artifact_attestations`), checked against its sha256 when a
    /// version is locked from it.
    pub provenance: Vec<ProvenanceSource>,
}

/// A registry template or expression that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ResolveError {
    /// A template that does not parse or render.
    #[error("package {package}: `{field}`: {error}")]
    Template {
        /// The package's name.
        package: String,
        /// The field (`asset`, `files[0].src`, `checksum.url`, …).
        field: String,
        /// What is wrong.
        error: TemplateError,
    },
    /// An expression (`version_constraint`, `version_filter`) that does not compile.
    #[error("package {package}: `{field}`: {error}")]
    Expression {
        /// The package's name.
        package: String,
        /// The field.
        field: String,
        /// What is wrong.
        error: ExprError,
    },
}

/// aqua's names of vx's platform: `(GOOS, GOARCH)`, or `None` for one aqua has no
/// name for here.
pub(crate) fn go_platform(platform: &Platform) -> Option<(&'static str, &'static str)> {
    let goos = match platform.os.as_str() {
        "linux" => "linux",
        "macos" => "darwin",
        "windows" => "windows",
        _ => return None,
    };
    let goarch = match platform.arch.as_str() {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        _ => return None,
    };
    Some((goos, goarch))
}

/// What `pkg` downloads for release `tag` on `platform` (see the module docs).
pub fn resolve(
    pkg: &Package,
    tag: &str,
    platform: &Platform,
    hosts: &GithubHosts,
) -> Result<Resolution, ResolveError> {
    let unsupported = |reason: String| Ok(Resolution::Unsupported(reason));
    let Some(name) = pkg.full_name() else {
        return unsupported(
            "vx cannot install this package: it has neither `name` nor `repo_owner` and \
             `repo_name`"
                .to_owned(),
        );
    };
    let keys = pkg.top_unsupported_keys();
    if !keys.is_empty() {
        return unsupported(format!(
            "vx cannot install {name}: unsupported keys: {}",
            keys.join(", ")
        ));
    }
    let Some((goos, goarch)) = go_platform(platform) else {
        return unsupported(format!("the registry has no name for platform {platform}"));
    };
    let libc = (goos == "linux").then(|| {
        platform
            .libc
            .unwrap_or(vx_model::manifest::platform::Libc::Glibc)
            .name()
    });
    let info = merge::effective(pkg, &name, tag, goos, goarch, libc)?;
    match info.kind {
        None => return unsupported(format!("vx cannot install {name}: it has no `type`")),
        Some(PackageType::Other(t)) => {
            return unsupported(format!(
                "vx cannot install {name} {tag} on {platform}: type `{t}` is not supported"
            ));
        }
        Some(_) => {}
    }
    if !info.unsupported_keys.is_empty() {
        return unsupported(format!(
            "vx cannot install {name} {tag} on {platform}: unsupported keys: {}",
            info.unsupported_keys.join(", ")
        ));
    }
    if let Some(envs) = info.supported_envs
        && !match_envs(
            envs,
            goos,
            goarch,
            info.rosetta2,
            info.windows_arm_emulation,
        )
    {
        return unsupported(format!(
            "{name} {tag} is not published for {platform} (supported_envs: {})",
            envs.join(", ")
        ));
    }
    if info.no_asset {
        return unsupported(format!("{name} {tag} has no release asset (no_asset)"));
    }
    if let Some(message) = info.error_message {
        return unsupported(format!("{name} {tag}: {message}"));
    }
    if let Some(missing) = missing_field(&info) {
        return unsupported(format!("{name}: the registry gives no `{missing}`"));
    }
    Resolver {
        name: &name,
        explicit_name: pkg.name.as_deref().filter(|n| !n.is_empty()),
        tag,
        goos,
        goarch,
        info: &info,
        hosts,
    }
    .download()
}

/// Whether `pkg` publishes `tag` as a version, as aqua's version lists decide: the tag
/// must carry the `version_prefix`, pass the `version_filter`, and fall to a
/// definition (the top level's or a `version_overrides` entry's, each with its own
/// prefix and filter when it sets them) that does not say `no_asset` or
/// `error_message`.
pub fn version_allowed(pkg: &Package, tag: &str) -> Result<bool, ResolveError> {
    Ok(definition_of(pkg, tag)?.is_some_and(|d| d.allowed))
}

/// The `version_prefix` of the definition `tag` falls to (a `version_overrides`
/// entry's own, such as lycheeverse/lychee's `lychee-v`, else the top level's), as
/// aqua strips it from the tag to read its version; `""` for none.
///
/// Without a `version_prefix`, a `version_filter` of the form `Version startsWith
/// "go"` (golang/go's: tags `go1.23.8`) declares the prefix its tags carry.
pub fn version_prefix_of<'a>(pkg: &'a Package, tag: &str) -> &'a str {
    let (prefix, filter) = match definition_of(pkg, tag) {
        Ok(Some(d)) => (d.prefix, d.filter),
        _ => (
            pkg.fields.version_prefix.as_deref(),
            pkg.fields.version_filter.as_deref(),
        ),
    };
    match prefix.filter(|p| !p.is_empty()) {
        Some(prefix) => prefix,
        None => filter.and_then(starts_with_literal).unwrap_or(""),
    }
}

/// `go` of the filter `Version startsWith "go"`, alone or as the first term of a
/// conjunction (golang/go's `Version startsWith "go" and not (Version contains "rc"
/// or …)`: every tag it lets through starts with `go`); `None` for any other filter.
fn starts_with_literal(filter: &str) -> Option<&str> {
    let rest = filter.trim().strip_prefix("Version")?.trim_start();
    let rest = rest.strip_prefix("startsWith")?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    let (literal, after) = (&rest[..end], rest[end + 1..].trim());
    if literal.contains('\\') {
        return None;
    }
    let conjunction = after
        .strip_prefix("and ")
        .or_else(|| after.strip_prefix("&&"));
    match conjunction {
        None if after.is_empty() => Some(literal),
        // `A and B or C` lets C's tags through too: only a conjunction with no `or`
        // outside parentheses keeps the prefix.
        Some(rest) if !has_top_level_or(rest) => Some(literal),
        _ => None,
    }
}

/// Whether `expr` has an `or` (`||`) outside parentheses and string literals.
fn has_top_level_or(expr: &str) -> bool {
    let (mut depth, mut quoted) = (0usize, false);
    let bytes = expr.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ if quoted || depth > 0 => {}
            b'|' if bytes.get(i + 1) == Some(&b'|') => return true,
            b'o' if expr[i..].starts_with("or")
                && (i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b')')
                && expr[i + 2..].starts_with([' ', '(']) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// What [`definition_of`] finds.
struct Definition<'a> {
    /// Whether it publishes the tag (no `no_asset`, no `error_message`).
    allowed: bool,
    /// Its `version_prefix`.
    prefix: Option<&'a str>,
    /// Its `version_filter`.
    filter: Option<&'a str>,
}

/// The definition `tag` falls to, as [`version_allowed`] decides: whether it
/// publishes the tag, its `version_prefix` and its `version_filter`; `None` when no
/// definition takes it.
fn definition_of<'a>(pkg: &'a Package, tag: &str) -> Result<Option<Definition<'a>>, ResolveError> {
    let name = pkg.full_name().unwrap_or_default();
    let top = &pkg.fields;
    let top_prefix = top.version_prefix.as_deref();
    let top_filter = compile_filter(&name, "version_filter", top.version_filter.as_deref())?;
    let top_no_asset = top.no_asset.unwrap_or(false);
    let top_constraint = pkg.version_constraint.as_deref().filter(|c| !c.is_empty());
    if filter_matches(tag, top_prefix, top_filter.as_ref(), top_constraint) {
        return Ok(Some(Definition {
            allowed: !top_no_asset,
            prefix: top_prefix,
            filter: top.version_filter.as_deref(),
        }));
    }
    for (i, vo) in pkg.version_overrides.iter().enumerate() {
        let own_filter = match vo.fields.version_filter.as_deref() {
            Some(text) => compile_filter(
                &name,
                &format!("version_overrides[{i}].version_filter"),
                Some(text),
            )?,
            None => None,
        };
        let filter = if vo.fields.version_filter.is_some() {
            own_filter.as_ref()
        } else {
            top_filter.as_ref()
        };
        let prefix = vo.fields.version_prefix.as_deref().or(top_prefix);
        if filter_matches(tag, prefix, filter, Some(&vo.version_constraint)) {
            let no_asset = match &vo.fields.error_message {
                Some(message) => !message.is_empty(),
                None => vo.fields.no_asset.unwrap_or(top_no_asset),
            };
            let filter = vo
                .fields
                .version_filter
                .as_deref()
                .or(top.version_filter.as_deref());
            return Ok(Some(Definition {
                allowed: !no_asset,
                prefix,
                filter,
            }));
        }
    }
    Ok(None)
}

fn compile_filter(
    name: &str,
    field: &str,
    text: Option<&str>,
) -> Result<Option<Expr>, ResolveError> {
    text.filter(|t| !t.is_empty())
        .map(|t| {
            Expr::parse(t).map_err(|error| ResolveError::Expression {
                package: name.to_owned(),
                field: field.to_owned(),
                error,
            })
        })
        .transpose()
}

/// aqua's `matchTagByFilter`: prefix, filter (over the whole tag), then constraint (a
/// constraint that does not compile or fails matches nothing, as in aqua).
fn filter_matches(
    tag: &str,
    prefix: Option<&str>,
    filter: Option<&Expr>,
    constraint: Option<&str>,
) -> bool {
    let semver = match prefix.filter(|p| !p.is_empty()) {
        Some(p) => match tag.strip_prefix(p) {
            Some(rest) => rest,
            None => return false,
        },
        None => tag,
    };
    if let Some(filter) = filter {
        let vars = ExprVars {
            version: tag,
            semver: tag,
        };
        if !filter.eval(&vars).unwrap_or(false) {
            return false;
        }
    }
    let Some(constraint) = constraint else {
        return true;
    };
    Expr::parse(constraint)
        .and_then(|e| {
            e.eval(&ExprVars {
                version: tag,
                semver,
            })
        })
        .unwrap_or(false)
}

/// aqua's `matchEnvs`: whether `envs` (of `supported_envs` or an override's `envs`)
/// names the platform; with `rosetta2` / `windows_arm_emulation`, amd64 entries name
/// the arm64 platform of that OS too.
fn match_envs(
    envs: &[String],
    goos: &str,
    goarch: &str,
    rosetta2: bool,
    windows_arm_emulation: bool,
) -> bool {
    let env = format!("{goos}/{goarch}");
    let has = |wanted: &[&str]| envs.iter().any(|e| wanted.contains(&e.as_str()));
    has(&[goos, goarch, &env, "all"])
        || (goos == "darwin" && goarch == "arm64" && rosetta2 && has(&["amd64", "darwin/amd64"]))
        || (goos == "windows"
            && goarch == "arm64"
            && windows_arm_emulation
            && has(&["amd64", "windows/amd64"]))
}

/// aqua's `Validate`: the field the package's type needs and lacks.
fn missing_field(info: &Info<'_>) -> Option<&'static str> {
    let repo = info.repo_owner.is_some() && info.repo_name.is_some();
    match info.kind? {
        PackageType::GithubRelease if !repo => Some("repo_owner/repo_name"),
        PackageType::GithubRelease if info.asset.is_none() => Some("asset"),
        PackageType::GithubContent if !repo => Some("repo_owner/repo_name"),
        PackageType::GithubContent if info.path.is_none() => Some("path"),
        PackageType::GithubArchive if !repo => Some("repo_owner/repo_name"),
        PackageType::Http if info.url.is_none() => Some("url"),
        _ => None,
    }
}

/// One resolution's inputs.
struct Resolver<'r, 'a> {
    name: &'r str,
    explicit_name: Option<&'r str>,
    tag: &'r str,
    goos: &'static str,
    goarch: &'static str,
    info: &'r Info<'a>,
    hosts: &'r GithubHosts,
}

impl Resolver<'_, '_> {
    fn download(&self) -> Result<Resolution, ResolveError> {
        let info = self.info;
        let vars = self.vars(info.replacements.as_ref());
        let (url, asset) = self.url_and_asset(&vars)?;
        if asset.is_empty() {
            return Ok(Resolution::Unsupported(format!(
                "{}: the asset name renders empty for {}/{}",
                self.name, self.goos, self.goarch
            )));
        }
        let format_name = self.format_name();
        let format = match archive_format(format_name, &asset) {
            Ok(format) => format,
            Err(what) => {
                return Ok(Resolution::Unsupported(format!(
                    "{}: the asset {asset} is {what}, which vx cannot unpack",
                    self.name
                )));
            }
        };
        let bins = self.bins(&vars, &asset)?;
        let checksum = match self.checksum(&asset)? {
            Ok(checksum) => checksum,
            Err(reason) => return Ok(Resolution::Unsupported(format!("{}: {reason}", self.name))),
        };
        let asset_vars = Vars {
            asset: Some(asset.clone()),
            ..self.vars(info.replacements.as_ref())
        };
        let provenance = self.provenance(&asset_vars)?;
        let signatures = self.asset_signatures(&asset_vars)?;
        Ok(Resolution::Download(Box::new(Download {
            url,
            asset,
            format,
            bins,
            checksum,
            provenance,
            signatures,
            emulated: self.emulated(),
            variant: self.info.variant.clone(),
        })))
    }

    /// aqua's `GetFormat`: a source archive is always a `.tar.gz`.
    fn format_name(&self) -> &str {
        if self.info.kind == Some(&PackageType::GithubArchive) {
            "tar.gz"
        } else {
            self.info.format.unwrap_or("")
        }
    }

    /// The variables of `asset`, `url` and `path` templates, with these replacements.
    fn vars(&self, replacements: Option<&std::collections::BTreeMap<String, String>>) -> Vars {
        let replace = |key: &str| -> String {
            replacements
                .and_then(|r| r.get(key))
                .filter(|v| !v.is_empty())
                .cloned()
                .unwrap_or_else(|| key.to_owned())
        };
        let arch_key = if self.emulated().is_some() {
            "amd64"
        } else {
            self.goarch
        };
        let prefix = self.info.version_prefix.unwrap_or("");
        Vars {
            version: Some(self.tag.to_owned()),
            semver: Some(self.tag.strip_prefix(prefix).unwrap_or(self.tag).to_owned()),
            os: Some(replace(self.goos)),
            arch: Some(replace(arch_key)),
            goos: Some(self.goos.to_owned()),
            goarch: Some(self.goarch.to_owned()),
            format: Some(self.format_name().to_owned()),
            ..Vars::default()
        }
    }

    fn render(&self, field: &str, text: &str, vars: &Vars) -> Result<String, ResolveError> {
        Template::parse(text)
            .and_then(|t| t.render(vars))
            .map_err(|error| ResolveError::Template {
                package: self.name.to_owned(),
                field: field.to_owned(),
                error,
            })
    }

    /// aqua's `RenderURL` and `RenderAsset`, and the URL each type downloads.
    fn url_and_asset(&self, vars: &Vars) -> Result<(String, String), ResolveError> {
        let info = self.info;
        let owner = info.repo_owner.unwrap_or_default();
        let repo = info.repo_name.unwrap_or_default();
        let raw_asset = match info.kind {
            Some(PackageType::GithubArchive) => {
                let url = self.hosts.archive(owner, repo, self.tag);
                let asset = url.rsplit('/').next().unwrap_or_default().to_owned();
                return Ok((url, asset));
            }
            Some(PackageType::Http) => {
                let url = self.finish(self.render("url", info.url.unwrap_or_default(), vars)?);
                let path = url.split(['?', '#']).next().unwrap_or_default();
                let after_host = path.split_once("://").map_or(path, |(_, rest)| rest);
                let base = match after_host.split_once('/') {
                    Some((_, p)) => p.rsplit('/').find(|s| !s.is_empty()).unwrap_or("/"),
                    None => "/",
                };
                let asset = self.finish(percent_decode(base));
                return Ok((url, asset));
            }
            Some(PackageType::GithubContent) => {
                self.render("path", info.path.unwrap_or_default(), vars)?
            }
            _ => self.render("asset", info.asset.unwrap_or_default(), vars)?,
        };
        if raw_asset.is_empty() {
            return Ok((String::new(), String::new()));
        }
        let asset = self.finish(raw_asset);
        let url = match info.kind {
            Some(PackageType::GithubContent) => self.hosts.raw(owner, repo, self.tag, &asset),
            _ => self.hosts.release_download(owner, repo, self.tag, &asset),
        };
        Ok((url, asset))
    }

    /// `append_ext` (default on), then Windows' extension.
    fn finish(&self, name: String) -> String {
        let name = if self.info.append_ext.unwrap_or(true) {
            names::append_ext(name, self.info.format)
        } else {
            name
        };
        if self.goos == "windows" {
            names::complete_windows_ext_to_asset(self.info, self.tag, name)
        } else {
            name
        }
    }

    /// aqua's `GetFiles` and `fileSrc`.
    fn bins(&self, vars: &Vars, asset: &str) -> Result<Vec<Bin>, ResolveError> {
        let info = self.info;
        let default;
        let files: Vec<(String, Option<&str>, bool)> = match info.files.filter(|f| !f.is_empty()) {
            Some(files) => files
                .iter()
                .map(|f| (f.name.clone(), f.src.as_deref(), f.hard == Some(true)))
                .collect(),
            None => {
                default = self.default_command();
                vec![(default, None, false)]
            }
        };
        let unarchived = names::is_unarchived(self.format_name(), asset);
        let (asset_without_ext, _) = names::remove_ext_from_asset(asset);
        let mut bins = Vec::with_capacity(files.len());
        for (i, (name, src, hard)) in files.into_iter().enumerate() {
            let src = if unarchived {
                asset.rsplit('/').next().unwrap_or(asset).to_owned()
            } else {
                match src.filter(|s| !s.is_empty()) {
                    None => name.clone(),
                    Some(text) => {
                        let vars = Vars {
                            file_name: Some(name.clone()),
                            asset: Some(asset.to_owned()),
                            asset_without_ext: Some(asset_without_ext.to_owned()),
                            ..vars.clone()
                        };
                        self.render(&format!("files[{i}].src"), text, &vars)?
                    }
                }
            };
            let src = if self.goos == "windows" {
                names::complete_windows_ext_to_file_src(info, self.tag, src)
            } else {
                src
            };
            bins.push(Bin { name, src, hard });
        }
        Ok(bins)
    }

    /// aqua's `defaultCmdName`: the repository's name for a package named by its
    /// repository, else the last segment of its `name`.
    fn default_command(&self) -> String {
        let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_owned();
        match (
            self.info.repo_owner,
            self.info.repo_name,
            self.explicit_name,
        ) {
            (Some(_), Some(repo), None) => repo.to_owned(),
            (_, _, Some(name)) => last(name),
            _ => last(self.name),
        }
    }

    /// The checksum file, or why vx cannot read the package's.
    fn checksum(
        &self,
        asset: &str,
    ) -> Result<Result<Option<ChecksumSource>, String>, ResolveError> {
        let Some(c) = self.info.checksum else {
            return Ok(Ok(None));
        };
        if c.enabled == Some(false) {
            return Ok(Ok(None));
        }
        let format = match c.file_format.as_deref().unwrap_or("") {
            "" | "raw" => ChecksumFormat::Raw,
            "regexp" => match &c.pattern {
                Some(p) => ChecksumFormat::Regexp {
                    checksum: p.checksum.clone(),
                    file: p.file.clone().filter(|f| !f.is_empty()),
                },
                None => return Ok(Err("its regexp checksum has no `pattern`".to_owned())),
            },
            other => {
                return Ok(Err(format!(
                    "its checksum file_format `{other}` is not one aqua reads"
                )));
            }
        };
        // aqua's `GetChecksumReplacements`: the checksum's own replacements over the
        // package's; an empty map clears them.
        let replacements = match &c.replacements {
            None => self.info.replacements.clone(),
            Some(own) if own.is_empty() => Some(own.clone()),
            Some(own) => {
                let mut all = self.info.replacements.clone().unwrap_or_default();
                all.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
                Some(all)
            }
        };
        let vars = Vars {
            asset: Some(asset.to_owned()),
            ..self.vars(replacements.as_ref())
        };
        let url = match c.kind.as_deref() {
            Some("github_release") => {
                let name =
                    self.render("checksum.asset", c.asset.as_deref().unwrap_or(""), &vars)?;
                self.hosts.release_download(
                    self.info.repo_owner.unwrap_or_default(),
                    self.info.repo_name.unwrap_or_default(),
                    self.tag,
                    &name,
                )
            }
            Some("http") => self.render("checksum.url", c.url.as_deref().unwrap_or(""), &vars)?,
            other => {
                return Ok(Err(format!(
                    "its checksum type `{}` is not one aqua reads",
                    other.unwrap_or("")
                )));
            }
        };
        let algorithm = c
            .algorithm
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "sha256".to_owned());
        let signatures =
            self.signatures("checksum.", c.minisign.as_ref(), c.cosign.as_ref(), &vars)?;
        let provenance = self
            .declared_attestations(c.github_artifact_attestations.as_ref(), "checksum.")
            .into_iter()
            .collect();
        Ok(Ok(Some(ChecksumSource {
            url,
            format,
            algorithm,
            signatures,
            provenance,
        })))
    }

    /// Which emulation serves this platform, as aqua's `getArch` decides.
    fn emulated(&self) -> Option<&'static str> {
        match (self.goos, self.goarch) {
            ("darwin", "arm64") if self.info.rosetta2 => Some("rosetta2"),
            ("windows", "arm64") if self.info.windows_arm_emulation => {
                Some("windows_arm_emulation")
            }
            _ => None,
        }
    }
}

/// The format vx unpacks `asset` as: the registry's `format` (aqua's name), else
/// what the name says (a bare executable when it has no extension, `.exe` or `.jar`),
/// else `None` to sniff. `Err` names an archive type vx cannot unpack.
fn archive_format(format: &str, asset: &str) -> Result<Option<ArchiveFormat>, String> {
    if names::is_unarchived(format, asset) {
        return Ok(Some(ArchiveFormat::Raw));
    }
    let name = if format.is_empty() {
        match names::remove_ext_from_asset(asset) {
            (_, "raw") => return Ok(None),
            (_, ext) => ext,
        }
    } else {
        format
    };
    match ArchiveFormat::from_name(name) {
        Some(ArchiveFormat::Raw) | None => Err(format!("a `{name}`")),
        Some(f) => Ok(Some(f)),
    }
}

/// `%XX` escapes decoded, as Go's `url.Parse` gives a URL's path.
fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&vx_base::validate::percent_decoded(s)).into_owned()
}
