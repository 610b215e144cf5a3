//! The definition that applies to one version on one platform, merged the way aqua
//! merges it (aqua's `PackageInfo.SetVersion` then `OverrideByRuntime`): the top-level
//! fields, replaced field by field by the first `version_overrides` entry whose
//! `version_constraint` holds (when the top-level one does not), then by the
//! `format_overrides` entry of the OS, then by the first `overrides` entry matching the
//! OS and architecture.
//!
//! Go's zero values decide what "set" means, so this follows them: a string field set
//! to `""` does not replace (`if child.Asset != ""`), while a list or map that is
//! present replaces even when empty (`files: []`). An override's `replacements` are
//! merged into the inherited ones; a version override's replace them. Only the fields
//! aqua reads from each level are taken: an `overrides` entry cannot change
//! `supported_envs`, `rosetta2`, `no_asset` or `version_prefix`, and aqua never reads a
//! top-level `error_message` (its field is `yaml:"-"`), so neither does vx.

use std::collections::BTreeMap;

use super::ResolveError;
use crate::registry::expr::{Expr, Vars as ExprVars};
use crate::registry::package::{
    AttestationsDecl, Checksum, CosignDecl, Declared, Fields, File, FormatOverride, MinisignDecl,
    Override, Package, PackageType, SlsaDecl,
};

/// The merged fields of a package for one version and platform.
#[derive(Clone, Debug, Default)]
pub(super) struct Info<'a> {
    pub kind: Option<&'a PackageType>,
    pub repo_owner: Option<&'a str>,
    pub repo_name: Option<&'a str>,
    pub asset: Option<&'a str>,
    pub url: Option<&'a str>,
    pub path: Option<&'a str>,
    pub format: Option<&'a str>,
    pub format_overrides: Option<&'a [FormatOverride]>,
    pub replacements: Option<BTreeMap<String, String>>,
    pub files: Option<&'a [File]>,
    pub supported_envs: Option<&'a [String]>,
    pub version_prefix: Option<&'a str>,
    pub no_asset: bool,
    pub error_message: Option<&'a str>,
    pub rosetta2: bool,
    pub windows_arm_emulation: bool,
    pub complete_windows_ext: Option<bool>,
    pub windows_ext: Option<&'a str>,
    pub append_ext: Option<bool>,
    pub checksum: Option<&'a Checksum>,
    pub attestations: Option<&'a Declared<AttestationsDecl>>,
    /// `minisign` of the asset itself.
    pub minisign: Option<&'a Declared<MinisignDecl>>,
    /// `cosign` of the asset itself.
    pub cosign: Option<&'a Declared<CosignDecl>>,
    pub slsa: Option<&'a Declared<SlsaDecl>>,
    pub overrides: &'a [Override],
    /// Where `overrides` came from, for messages (`overrides`, or a version override's).
    pub overrides_at: String,
    /// Keys vx does not implement in the entries that apply (or may apply).
    pub unsupported_keys: Vec<String>,
    /// The `variants` of the override that applied (`libc musl`), if any.
    pub variant: Option<String>,
}

/// A string field as Go reads it: absent and empty are the same.
fn set(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

impl<'a> Info<'a> {
    /// The top-level definition.
    fn top(pkg: &'a Package) -> Info<'a> {
        let f = &pkg.fields;
        Info {
            kind: f.kind.as_ref(),
            repo_owner: set(&f.repo_owner),
            repo_name: set(&f.repo_name),
            asset: set(&f.asset),
            url: set(&f.url),
            path: set(&f.path),
            format: set(&f.format),
            format_overrides: f.format_overrides.as_deref(),
            replacements: f.replacements.clone(),
            files: f.files.as_deref(),
            supported_envs: f.supported_envs.as_deref(),
            version_prefix: set(&f.version_prefix),
            no_asset: f.no_asset.unwrap_or(false),
            // aqua's top-level `ErrorMessage` is `yaml:"-"`: never read.
            error_message: None,
            rosetta2: f.rosetta2.unwrap_or(false),
            windows_arm_emulation: f.windows_arm_emulation.unwrap_or(false),
            complete_windows_ext: f.complete_windows_ext,
            windows_ext: set(&f.windows_ext),
            append_ext: f.append_ext,
            checksum: f.checksum.as_ref(),
            attestations: f.github_artifact_attestations.as_ref(),
            minisign: f.minisign.as_ref(),
            cosign: f.cosign.as_ref(),
            slsa: f.slsa_provenance.as_ref(),
            overrides: &pkg.overrides,
            overrides_at: "overrides".to_owned(),
            unsupported_keys: Vec::new(),
            variant: None,
        }
    }

    /// aqua's `resetByPkgType`: a change of type clears the fields the new type does not
    /// use, before the overriding level's own fields apply.
    fn change_type(&mut self, kind: &'a PackageType) {
        match kind {
            PackageType::GithubRelease => {
                self.url = None;
                self.path = None;
            }
            PackageType::GithubContent => {
                self.url = None;
                self.asset = None;
            }
            PackageType::GithubArchive => {
                self.url = None;
                self.path = None;
                self.asset = None;
                self.format = None;
            }
            PackageType::Http => {
                self.path = None;
                self.asset = None;
            }
            PackageType::Other(_) => {}
        }
        self.kind = Some(kind);
    }

    /// aqua's `overrideVersion`: a matching `version_overrides` entry (`at` names it).
    fn version_override(&mut self, f: &'a Fields, overrides: Option<&'a [Override]>, at: &str) {
        if let Some(kind) = &f.kind {
            self.change_type(kind);
        }
        over(&mut self.repo_owner, set(&f.repo_owner));
        over(&mut self.repo_name, set(&f.repo_name));
        over(&mut self.asset, set(&f.asset));
        over(&mut self.path, set(&f.path));
        over(&mut self.format, set(&f.format));
        over(&mut self.files, f.files.as_deref());
        over(&mut self.url, set(&f.url));
        if f.replacements.is_some() {
            self.replacements = f.replacements.clone();
        }
        if let Some(overrides) = overrides {
            self.overrides = overrides;
            self.overrides_at = format!("{at}overrides");
        }
        over(&mut self.format_overrides, f.format_overrides.as_deref());
        over(&mut self.supported_envs, f.supported_envs.as_deref());
        // `*string` in aqua: present, even empty, replaces.
        over(&mut self.version_prefix, f.version_prefix.as_deref());
        replace(&mut self.rosetta2, f.rosetta2);
        replace(&mut self.windows_arm_emulation, f.windows_arm_emulation);
        if f.complete_windows_ext.is_some() {
            self.complete_windows_ext = f.complete_windows_ext;
        }
        over(&mut self.windows_ext, set(&f.windows_ext));
        over(&mut self.checksum, f.checksum.as_ref());
        self.provenance(f);
        if let Some(message) = &f.error_message {
            self.error_message = Some(message).filter(|m| !m.is_empty()).map(|m| m.as_str());
        }
        replace(&mut self.no_asset, f.no_asset);
        if f.append_ext.is_some() {
            self.append_ext = f.append_ext;
        }
    }

    /// aqua's `OverrideByRuntime`: the OS's `format_overrides` entry, then the first
    /// `overrides` entry that matches (by `goos`, `goarch`, `envs` and `variants`:
    /// `key: libc` against the platform's `libc`, `None` off Linux). Keys of that
    /// entry that vx does not implement are recorded, and so is a variant of a key vx
    /// does not know (it cannot tell whether the entry applies).
    fn runtime_override(&mut self, goos: &str, goarch: &str, libc: Option<&str>) {
        if let Some(fo) = self
            .format_overrides
            .into_iter()
            .flatten()
            .find(|fo| fo.goos == goos)
        {
            self.format = Some(fo.format.as_str());
        }
        let Some((i, ov)) = self.overrides.iter().enumerate().find(|(_, ov)| {
            ov.goos.as_deref().is_none_or(|g| g.is_empty() || g == goos)
                && ov
                    .goarch
                    .as_deref()
                    .is_none_or(|a| a.is_empty() || a == goarch)
                && ov
                    .envs
                    .as_deref()
                    .is_none_or(|envs| super::match_envs(envs, goos, goarch, false, false))
                && ov.variants.iter().flatten().all(|v| match v.key.as_str() {
                    "libc" => libc == Some(v.value.as_str()),
                    // Unknown: taken as applying, and reported below.
                    _ => true,
                })
        }) else {
            return;
        };
        let at = format!("{}[{i}].", self.overrides_at);
        self.unsupported_keys.extend(ov.unsupported_keys(&at));
        for v in ov.variants.iter().flatten() {
            if v.key == "libc" {
                self.variant = Some(format!("libc {}", v.value));
            } else {
                self.unsupported_keys
                    .push(format!("{at}variants (key `{}`)", v.key));
            }
        }
        let f = &ov.fields;
        if let Some(kind) = &f.kind {
            self.change_type(kind);
        }
        over(&mut self.asset, set(&f.asset));
        over(&mut self.url, set(&f.url));
        over(&mut self.path, set(&f.path));
        over(&mut self.format, set(&f.format));
        over(&mut self.files, f.files.as_deref());
        self.replacements = match (self.replacements.take(), &f.replacements) {
            (None, theirs) => theirs.clone(),
            (Some(mut ours), Some(theirs)) => {
                ours.extend(theirs.iter().map(|(k, v)| (k.clone(), v.clone())));
                Some(ours)
            }
            (Some(ours), None) => Some(ours),
        };
        if f.complete_windows_ext.is_some() {
            self.complete_windows_ext = f.complete_windows_ext;
        }
        over(&mut self.windows_ext, set(&f.windows_ext));
        over(&mut self.checksum, f.checksum.as_ref());
        self.provenance(f);
        if f.append_ext.is_some() {
            self.append_ext = f.append_ext;
        }
    }

    /// `github_artifact_attestations` and `slsa_provenance`: a level that declares one
    /// replaces the inherited declaration whole (aqua's `if child.X != nil`).
    fn provenance(&mut self, f: &'a Fields) {
        over(
            &mut self.attestations,
            f.github_artifact_attestations.as_ref(),
        );
        over(&mut self.slsa, f.slsa_provenance.as_ref());
        over(&mut self.minisign, f.minisign.as_ref());
        over(&mut self.cosign, f.cosign.as_ref());
    }
}

/// A plain field replaced by a value that is set.
fn replace<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// An optional field replaced by a value that is set.
fn over<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

/// The definition for `tag` on `goos`/`goarch`: version selection, then the platform's
/// overrides. An expression that does not compile is an error (vx cannot tell what
/// aqua would pick); one that fails while evaluating counts as not matching, as in
/// aqua.
pub(super) fn effective<'a>(
    pkg: &'a Package,
    name: &str,
    tag: &str,
    goos: &str,
    goarch: &str,
    libc: Option<&str>,
) -> Result<Info<'a>, ResolveError> {
    let mut info = select_version(pkg, name, tag)?;
    info.runtime_override(goos, goarch, libc);
    Ok(info)
}

/// aqua's `SetVersion`: without a top-level `version_constraint` the top level applies
/// to every version; else the top level if its constraint holds, else the first
/// `version_overrides` entry whose constraint holds (each with its own
/// `version_prefix`, else the top level's), else the top level.
fn select_version<'a>(pkg: &'a Package, name: &str, tag: &str) -> Result<Info<'a>, ResolveError> {
    let mut info = Info::top(pkg);
    let Some(top) = pkg.version_constraint.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(info);
    };
    if constraint_holds(name, "version_constraint", top, tag, info.version_prefix)? {
        return Ok(info);
    }
    for (i, vo) in pkg.version_overrides.iter().enumerate() {
        let prefix = vo.fields.version_prefix.as_deref().or(info.version_prefix);
        let field = format!("version_overrides[{i}].version_constraint");
        if constraint_holds(name, &field, &vo.version_constraint, tag, prefix)? {
            let at = format!("version_overrides[{i}].");
            info.unsupported_keys.extend(vo.unsupported_keys(&at));
            info.version_override(&vo.fields, vo.overrides.as_deref(), &at);
            return Ok(info);
        }
    }
    Ok(info)
}

/// Whether `constraint` holds for `tag`: never when `prefix` is set and the tag lacks
/// it; `SemVer` is the tag without the prefix.
fn constraint_holds(
    name: &str,
    field: &str,
    constraint: &str,
    tag: &str,
    prefix: Option<&str>,
) -> Result<bool, ResolveError> {
    let semver = match prefix.filter(|p| !p.is_empty()) {
        Some(p) => match tag.strip_prefix(p) {
            Some(rest) => rest,
            None => return Ok(false),
        },
        None => tag,
    };
    let expr = Expr::parse(constraint).map_err(|error| ResolveError::Expression {
        package: name.to_owned(),
        field: field.to_owned(),
        error,
    })?;
    Ok(expr
        .eval(&ExprVars {
            version: tag,
            semver,
        })
        .unwrap_or(false))
}
