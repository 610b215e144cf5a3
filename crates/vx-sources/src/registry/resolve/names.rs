//! aqua's rules for file names: which extension an asset has, when `append_ext` adds
//! the format's, when Windows gets `.exe`, and which assets are not archives. Each
//! function is named after and follows the aqua function it mirrors (aqua's
//! `pkg/asset/format.go`, `pkg/config/package.go`, `pkg/config/windows_ext.go`,
//! `pkg/osfile/ext.go`, `pkg/unarchive/unarchive.go`).

use super::merge::Info;
use crate::registry::package::PackageType;

/// The extensions aqua recognises on an asset, in its order (first match wins).
const ASSET_EXTS: [&str; 25] = [
    "tar.br", "tar.bz2", "tar.gz", "tar.lz4", "tar.sz", "tar.xz", "tbr", "tbz", "tbz2", "tgz",
    "tlz4", "tsz", "txz", "tar.zst", "zip", "gz", "bz2", "lz4", "sz", "xz", "zst", "dmg", "pkg",
    "rar", "tar",
];

/// aqua's `RemoveExtFromAsset`: the asset without its archive extension, and that
/// extension (`raw` when it has none aqua knows).
pub(super) fn remove_ext_from_asset(asset: &str) -> (&str, &str) {
    for ext in ASSET_EXTS {
        if let Some(stem) = asset
            .strip_suffix(ext)
            .and_then(|rest| rest.strip_suffix('.'))
        {
            return (stem, ext);
        }
    }
    (asset, "raw")
}

/// aqua's `appendExt`: `NAME.FORMAT` for a name without a known extension when the
/// format is an archive's.
pub(super) fn append_ext(name: String, format: Option<&str>) -> String {
    if remove_ext_from_asset(&name).1 != "raw" {
        return name;
    }
    match format {
        None | Some("raw") => name,
        Some(f) if name.ends_with(&format!(".{f}")) => name,
        Some(f) => format!("{name}.{f}"),
    }
}

/// Go's `filepath.Ext` (with `/` as the separator): from the last `.` of the last
/// path element, or empty.
fn go_ext(s: &str) -> &str {
    let element = s.rsplit('/').next().unwrap_or(s);
    element.rfind('.').map_or("", |i| &element[i..])
}

/// aqua's `osfile.Ext`: the extension of `s` once the version (without its `v`) is
/// taken out, so `tool-1.2.3` has none.
pub(super) fn os_ext<'s>(s: &'s str, version: &str) -> std::borrow::Cow<'s, str> {
    let bare = version.strip_prefix('v').unwrap_or(version);
    if bare.is_empty() || !s.contains(bare) {
        return std::borrow::Cow::Borrowed(go_ext(s));
    }
    std::borrow::Cow::Owned(go_ext(&s.replace(bare, "")).to_owned())
}

/// aqua's `IsUnarchived`: the asset is the executable itself.
pub(super) fn is_unarchived(format: &str, asset: &str) -> bool {
    if format == "raw" {
        return true;
    }
    if !format.is_empty() {
        return false;
    }
    matches!(go_ext(asset), "" | ".exe" | ".jar")
}

/// aqua's `windowsExt`: what Windows adds to an extension-less executable.
pub(super) fn windows_ext<'a>(info: &Info<'a>) -> &'a str {
    match info.windows_ext {
        Some(ext) => ext,
        None if is_source(info) => ".sh",
        None => ".exe",
    }
}

/// `github_content` and `github_archive` ship sources or scripts, not executables.
fn is_source(info: &Info<'_>) -> bool {
    matches!(
        info.kind,
        Some(PackageType::GithubContent | PackageType::GithubArchive)
    )
}

/// aqua's `completeWindowsExt`.
fn complete_windows_ext(info: &Info<'_>, s: String) -> String {
    let add = match info.complete_windows_ext {
        Some(add) => add,
        None => !is_source(info),
    };
    if add { s + windows_ext(info) } else { s }
}

/// aqua's `completeWindowsExtToAsset` (and `…ToURL`, the same rule on a URL).
pub(super) fn complete_windows_ext_to_asset(
    info: &Info<'_>,
    version: &str,
    asset: String,
) -> String {
    if asset.ends_with(".exe") || asset.ends_with(".jar") {
        return asset;
    }
    match info.format {
        Some("raw") => complete_windows_ext(info, asset),
        Some(_) => asset,
        None if os_ext(&asset, version).is_empty() => complete_windows_ext(info, asset),
        None => asset,
    }
}

/// aqua's `completeWindowsExtToFileSrc`.
pub(super) fn complete_windows_ext_to_file_src(
    info: &Info<'_>,
    version: &str,
    src: String,
) -> String {
    if os_ext(&src, version).is_empty() {
        src + windows_ext(info)
    } else {
        src
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_as_aqua_reads_them() {
        assert_eq!(
            remove_ext_from_asset("rg-1.0-linux.tar.gz"),
            ("rg-1.0-linux", "tar.gz")
        );
        assert_eq!(remove_ext_from_asset("jq.tar.zst"), ("jq", "tar.zst"));
        assert_eq!(remove_ext_from_asset("tool.gz"), ("tool", "gz"));
        assert_eq!(remove_ext_from_asset("tool.exe"), ("tool.exe", "raw"));
        assert_eq!(remove_ext_from_asset("tar.gz"), ("tar", "gz"));
        assert_eq!(
            append_ext("tool_linux".into(), Some("tar.gz")),
            "tool_linux.tar.gz"
        );
        assert_eq!(append_ext("tool.zip".into(), Some("tar.gz")), "tool.zip");
        assert_eq!(append_ext("tool".into(), Some("raw")), "tool");
        assert_eq!(os_ext("tool-1.2.3", "v1.2.3"), "");
        assert_eq!(os_ext("tool-1.2.3.exe", "v1.2.3"), ".exe");
        assert_eq!(os_ext("dir.d/tool", "v1"), "");
        assert!(is_unarchived("", "jq-linux64"));
        assert!(is_unarchived("", "tool.jar"));
        assert!(!is_unarchived("", "tool-1.2.3-linux"));
        assert!(!is_unarchived("zip", "tool"));
    }
}
