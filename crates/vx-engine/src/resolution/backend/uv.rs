//! uv, the installer of a PyPI runtime tool's environment (`pypi:black`): vx installs
//! astral-sh/uv's own release build like any GitHub tool, pinned in the tool's lock
//! entry (`vx_model::lock::Environment::installer`) by each platform's URL and sha256, so
//! every machine builds the environment with the same uv bytes. It installs only: pip
//! stays the resolver at lock time (`super::Registries`), so the pinned list does not
//! depend on uv.
//!
//! The release's assets are `uv-{TRIPLE}.tar.gz` (Unix: the archive holds the folder
//! `uv-{TRIPLE}/` with `uv` and `uvx`) and `uv-{TRIPLE}.zip` (Windows: `uv.exe`,
//! `uvx.exe`, `uvw.exe` at its root), each with a `.sha256` beside it, as
//! astral-sh/uv's `.github/workflows/build-release-binaries.yml` makes them (its
//! "Archive binary" steps: `tar czvf $ARCHIVE_FILE $ARCHIVE_NAME`, `7z a
//! $ARCHIVE_FILE ./target/${PLATFORM_TARGET}/release/uv.exe`). The sha256 is GitHub's
//! asset digest, else the asset's `.sha256`.
//!
//! A platform uv publishes no build for is `unsupported` in the entry: the tool then
//! installs there with pip, as it does when the entry is absent.

use vx_model::lock::{Asset, Lock, LockedTool};
use vx_model::manifest::{Platform, ToolTable};
use vx_sources::runtime::{Context, RuntimeError};

/// The publisher's repository.
pub(crate) const OWNER: &str = "astral-sh";
/// The publisher's repository.
pub(crate) const REPO: &str = "uv";
/// The store's name of vx's uv.
pub(crate) const NAME: &str = vx_model::lock::INSTALLER_NAME;
/// The lock's `package` of vx's uv.
pub(crate) const PACKAGE: &str = "github:astral-sh/uv";
/// The version taken: the newest release when the entry is first locked, kept while
/// the tool's entry is.
pub(crate) const CONSTRAINT: &str = "latest";

/// uv's Rust target for `platform`, and its archive's extension; `None` where uv
/// publishes no build.
pub(crate) fn triple(platform: &Platform) -> Option<(String, &'static str)> {
    let arch = match platform.arch.as_str() {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        _ => return None,
    };
    let (rest, ext) = match platform.os.as_str() {
        "linux" if platform.is_musl() => ("unknown-linux-musl", "tar.gz"),
        "linux" => ("unknown-linux-gnu", "tar.gz"),
        "macos" => ("apple-darwin", "tar.gz"),
        "windows" => ("pc-windows-msvc", "zip"),
        _ => return None,
    };
    Some((format!("{arch}-{rest}"), ext))
}

/// The table vx's uv is locked from (its inputs are the entry's `inputs`).
fn table() -> ToolTable {
    ToolTable::registry_tool(NAME.to_owned(), PACKAGE.to_owned(), CONSTRAINT)
}

/// vx's uv locked for `platforms`: `kept` as it is when it covers them all, else the
/// version `kept` names (or the newest release) resolved again.
pub(crate) fn lock(
    cx: &Context,
    platforms: &[Platform],
    kept: Option<&LockedTool>,
) -> Result<LockedTool, RuntimeError> {
    if let Some(entry) = kept {
        let covered = platforms.iter().all(|p| {
            let key = p.to_string();
            entry.platforms.contains_key(&key) || entry.unsupported.contains_key(&key)
        });
        if covered && entry.package.as_deref() == Some(PACKAGE) {
            return Ok(entry.clone());
        }
    }
    let tag = match kept.and_then(|e| e.tag.clone()) {
        Some(tag) => tag,
        None => newest(cx)?,
    };
    let release = cx
        .github_release(OWNER, REPO, &tag)
        .map_err(|e| RuntimeError::from_github(format!("{OWNER}/{REPO} {tag}"), &e))?;
    let version = tag.trim_start_matches('v').to_owned();
    let table = ToolTable {
        version: version.clone(),
        ..table()
    };
    let mut scratch = Lock::default();
    scratch.renew(&table);
    let mut unsupported = Vec::new();
    for platform in platforms {
        let found = triple(platform).and_then(|(triple, ext)| {
            let name = format!("uv-{triple}.{ext}");
            release
                .assets
                .iter()
                .find(|a| a.name == name)
                .map(|a| (a, ext))
        });
        let Some((asset, ext)) = found else {
            unsupported.push((
                platform.to_string(),
                format!("uv {version} has no build for {platform}"),
            ));
            continue;
        };
        let (sha256, checksum) = match asset.sha256() {
            Some(hex) => (hex, "github-digest".to_owned()),
            None => {
                let single = format!("{}.sha256", asset.name);
                let list = release
                    .assets
                    .iter()
                    .find(|a| a.name == single)
                    .ok_or_else(|| RuntimeError::NoChecksum {
                        file: format!("{OWNER}/{REPO} {tag} (no GitHub digest, no {single})"),
                        asset: asset.name.clone(),
                    })?;
                (
                    cx.sha256_from_list(&list.url, &asset.name)?,
                    format!("checksum-file:{}", list.url),
                )
            }
        };
        // Where GitHub's settings say releases are downloaded from, as for python.
        let url = cx.github().hosts().release_download(
            OWNER,
            REPO,
            &vx_sources::github::encode_segment(&tag),
            &vx_sources::github::encode_segment(&asset.name),
        );
        let mut locked = Asset::new(url, sha256, None);
        locked.format = Some(ext.to_owned());
        locked.checksum = Some(checksum);
        scratch.record(&table, platform, locked);
    }
    let mut entry = scratch
        .tools
        .remove(NAME)
        .ok_or_else(|| RuntimeError::Request(format!("uv {version}: nothing was locked")))?;
    entry.constraint = Some(CONSTRAINT.to_owned());
    entry.package = Some(PACKAGE.to_owned());
    entry.tag = Some(tag);
    entry.unsupported.extend(unsupported);
    Ok(entry)
}

/// The newest release's tag: the highest version among the repository's tags that is
/// no pre-release.
fn newest(cx: &Context) -> Result<String, RuntimeError> {
    let tags = cx
        .github_tags(OWNER, REPO)
        .map_err(|e| RuntimeError::from_github(format!("{OWNER}/{REPO} tags"), &e))?;
    tags.iter()
        .filter_map(|t| {
            let v = semver::Version::parse(t.trim_start_matches('v')).ok()?;
            v.pre.is_empty().then_some((v, t))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t.clone())
        .ok_or_else(|| RuntimeError::Request(format!("{OWNER}/{REPO} has no release tag")))
}

/// The spec that installs vx's uv as `entry` locks it on `platform`: its archive by
/// the locked sha256, its commands as astral-sh/uv lays them out; `None` when the
/// entry has no build for `platform`.
pub(crate) fn spec(entry: &LockedTool, platform: &Platform) -> Option<vx_model::spec::ToolSpec> {
    let asset = entry.platforms.get(&platform.to_string())?;
    if asset.stale {
        return None;
    }
    let format = vx_base::format::ArchiveFormat::from_name(asset.format.as_deref()?)?;
    let windows = platform.os == "windows";
    let bin: Vec<String> = if windows {
        vec!["uv.exe".into(), "uvx.exe".into()]
    } else {
        vec!["uv".into(), "uvx".into()]
    };
    Some(vx_model::spec::ToolSpec {
        name: NAME.to_owned(),
        version: entry.version.clone(),
        url: asset.url.clone(),
        sha256: asset.sha256.clone(),
        integrity: None,
        h1: None,
        format: Some(format),
        // `uv-{TRIPLE}/uv` in the tarball; the zip's files at its root.
        strip_components: u32::from(!windows),
        bin: Some(bin),
        post_install: None,
        options: Default::default(),
        verify: None,
        verified: None,
        env: Default::default(),
        size: asset.size,
        write: Default::default(),
        path_after: Vec::new(),
        alternatives: Vec::new(),
        needs: vx_model::spec::Needs::default(),
    })
}

/// vx's uv as installed in `store` for this machine, the newest of them: a tree of
/// [`NAME`] whose receipt says it came, verified and as [`spec`] installs it, from a
/// release asset of astral-sh/uv for this platform (`…/astral-sh/uv/releases/download/
/// TAG/uv-{TRIPLE}.{EXT}`), with its `uv` there; `None` when no PyPI tool installed it
/// yet. Offline: a look in the store only. The project venv is made with it
/// (`crate::install::venv::make_project`), fetched when it is not here ([`fetch`]).
pub(crate) fn installed(store: &std::path::Path) -> Option<std::path::PathBuf> {
    let (triple, ext) = triple(&Platform::current())?;
    let asset = format!("/uv-{triple}.{ext}");
    let program = vx_base::platform::fs::program_file(NAME);
    crate::store::tool_trees(store, NAME, |_| true)
        .into_iter()
        .filter(|(tree, receipt)| {
            !receipt.unverified
                && receipt.post_install.is_none()
                && receipt.write.is_empty()
                && receipt
                    .url
                    .contains(&format!("/{OWNER}/{REPO}/releases/download/"))
                && receipt.url.ends_with(&asset)
                && vx_base::platform::fs::is_executable(&tree.join(&program))
        })
        .max_by(|(_, a), (_, b)| numeric(&a.version).cmp(&numeric(&b.version)))
        .map(|(tree, _)| tree)
}

/// Why vx's uv could not be had for the project's virtual environment ([`fetch`]).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Offline (`--offline`, `VX_OFFLINE`, `--no-install`): nothing is fetched.
    #[error("vx is offline")]
    Offline,
    /// astral-sh/uv publishes no build for this machine.
    #[error("uv {version} has no build for {platform}")]
    NoBuild {
        /// The release looked at.
        version: String,
        /// This machine's platform.
        platform: String,
    },
    /// GitHub, the user config or the cache could not be used.
    #[error(transparent)]
    Network(#[from] crate::resolution::ResolutionError),
    /// Its release could not be read or locked.
    #[error(transparent)]
    Release(#[from] RuntimeError),
    /// The store could not be made.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Its archive could not be downloaded, checked or installed.
    #[error("installing uv {version}: {reason}")]
    Install {
        /// The version being installed.
        version: String,
        /// Why it failed.
        reason: String,
    },
}

/// vx's uv for this machine, for the project's virtual environment
/// (`crate::install::venv::make_project`): the one in `store` ([`installed`]), else
/// fetched as a PyPI tool's is first locked and installed — astral-sh/uv's newest
/// release ([`lock`], for this platform alone, by GitHub's digest or the release's
/// `.sha256`, as mise trusts a first download) installed into `store` by the engine
/// ([`spec`]), through `options`' network (the project's mirrors and rewrites, the
/// user's proxies and CAs). Its directory, or why it cannot be had (offline, GitHub
/// or the download refused).
pub fn fetch(
    options: crate::resolution::network::Options,
    store: &std::path::Path,
) -> Result<std::path::PathBuf, FetchError> {
    if let Some(dir) = installed(store) {
        return Ok(dir);
    }
    if options.offline {
        return Err(FetchError::Offline);
    }
    let net = crate::resolution::network::Network::from_env(options)?;
    let cx = Context::new(&net.github);
    let platform = Platform::current();
    let entry = lock(&cx, std::slice::from_ref(&platform), None)?;
    let spec = spec(&entry, &platform).ok_or_else(|| FetchError::NoBuild {
        version: entry.version.clone(),
        platform: platform.to_string(),
    })?;
    let store = crate::store::prepare(Some(store.to_path_buf()))?;
    let cfg = vx_model::config_frame::InstallConfig::new(spec, store);
    let opts = crate::install::InstallOptions {
        net: net.net.clone(),
        ..crate::install::InstallOptions::default()
    };
    let say = |line: &str| net.progress(line);
    let mut sink = crate::install::LineSink::through(&say, NAME, &entry.version);
    let outcome =
        crate::install::install(&cfg, &mut sink, &opts).map_err(|e| FetchError::Install {
            version: entry.version.clone(),
            reason: e.to_string(),
        })?;
    Ok(outcome.path().to_owned())
}

/// A version's numbers, for the newest of several (`0.13.9` → `[0, 13, 9]`).
fn numeric(version: &str) -> Vec<u64> {
    version
        .split(['.', '-', '+'])
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triples_are_the_ones_astral_sh_uv_publishes() {
        let t = |p: &str| triple(&p.parse().unwrap());
        assert_eq!(
            t("linux-x86_64"),
            Some(("x86_64-unknown-linux-gnu".into(), "tar.gz"))
        );
        assert_eq!(
            t("linux-aarch64-musl"),
            Some(("aarch64-unknown-linux-musl".into(), "tar.gz"))
        );
        assert_eq!(
            t("macos-aarch64"),
            Some(("aarch64-apple-darwin".into(), "tar.gz"))
        );
        assert_eq!(
            t("windows-x86_64"),
            Some(("x86_64-pc-windows-msvc".into(), "zip"))
        );
    }

    #[test]
    fn a_locked_entry_gives_the_spec_of_its_platform_alone() {
        let mut entry = LockedTool {
            version: "0.5.11".into(),
            inputs: format!("sha256:{}", "0".repeat(64)),
            layout: None,
            constraint: Some(CONSTRAINT.into()),
            package: Some(PACKAGE.into()),
            tag: Some("0.5.11".into()),
            registry: None,
            provenance_loss: None,
            platforms: Default::default(),
            unsupported: Default::default(),
            environment: None,
        };
        let mut asset = Asset::new(
            "https://github.com/astral-sh/uv/releases/download/0.5.11/uv-x86_64-unknown-linux-gnu.tar.gz".into(),
            "a".repeat(64),
            None,
        );
        asset.format = Some("tar.gz".into());
        entry.platforms.insert("linux-x86_64".into(), asset);
        let linux = spec(&entry, &"linux-x86_64".parse().unwrap()).unwrap();
        assert_eq!(linux.strip_components, 1);
        assert_eq!(
            linux.bin.as_deref(),
            Some(&["uv".to_owned(), "uvx".to_owned()][..])
        );
        assert_eq!(linux.sha256.as_deref(), Some("a".repeat(64).as_str()));
        assert!(spec(&entry, &"macos-aarch64".parse().unwrap()).is_none());
    }
}
