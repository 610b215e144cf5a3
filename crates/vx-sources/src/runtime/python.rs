//! CPython from python-build-standalone (`astral-sh/python-build-standalone`), the
//! relocatable builds uv, mise and rye install: versions from its releases' asset
//! names, each archive's sha256 from the release's `SHA256SUMS` (already read to find
//! the version, so it costs no request), else GitHub's asset digest, else the asset's
//! own `.sha256` (releases before 2024 have no list, assets from before mid-2025 no
//! digest). vx installs the `install_only_stripped` build, as uv and mise pick.
//!
//! Listing: a release carries over a thousand assets, so GitHub's release list times
//! out server side at its default page size (the publisher's own tooling reads one
//! release a page, astral-sh/python-build-standalone#1083). vx never lists releases:
//! it reads the tag list (one API request), then the newest release's `SHA256SUMS`
//! (a release download, outside the API's rate limit; its asset API answer when a
//! release has none): two requests lock a version, one of them the API's. A version
//! the newest release lacks (an older patch, a retired minor) is looked up release by
//! release, newest first, up to `MAX_RELEASES_READ` (60).
//!
//! A release is tagged by its build date (`20250115`) and carries every supported
//! Python of that day, as `cpython-{V}+{TAG}-{triple}-install_only_stripped.tar.gz`
//! (`{triple}-freethreaded-install_only_stripped` for the free-threaded build, which
//! users ask for as `3.13t`). One Python version is in several releases: vx picks
//! the newest release that has it and locks that release's tag. The store names a
//! free-threaded install with a trailing `t` (`3.13.1t`), so it never shares a
//! directory with the GIL build of the same version.
//!
//! Layout: the archive holds `python/`; on Unix `bin/python3`, `bin/python3.X` and
//! `bin/pip3` (no `bin/python`, no `bin/pip`: vx adds `python` and `pip` beside
//! them); on Windows `python.exe` at the top (vx adds `python3`) and pip installed
//! but without `Scripts/pip.exe`, which the publisher leaves out because its
//! launchers are not relocatable: there `python -m pip` runs it. vx never sets
//! `PYTHONHOME`: the builds find their standard library relative to the executable.
//!
//! Global installs: the installed Python is one store entry shared by every project
//! that names its version, so `pip install` outside a virtual environment must not
//! write into it. Its install step writes PEP 668's `EXTERNALLY-MANAGED` marker into
//! the standard library directory (as uv does for the Pythons it manages): pip then
//! refuses to install into it, and says to use a virtual environment
//! (`python -m venv .venv`) or pipx; `--break-system-packages` is the user's explicit
//! way past it.

use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use crate::github::{Release as GithubRelease, ReleaseAsset};
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// The publisher's GitHub repository.
const OWNER: &str = "astral-sh";
/// The publisher's GitHub repository.
const REPO: &str = "python-build-standalone";
/// The build vx installs.
const FLAVOUR: &str = "install_only_stripped";
/// The release asset listing every other asset's sha256.
const SUMS: &str = "SHA256SUMS";
/// How many of the newest releases [`Runtime::versions`] reads.
const LISTED_RELEASES: usize = 1;
/// The most releases a lookup of a version reads before saying none has it.
const MAX_RELEASES_READ: usize = 60;

/// What pip reads from `EXTERNALLY-MANAGED` (PEP 668) and shows when it refuses. It is
/// written by a command both `sh` and `cmd` run, so it holds none of their special
/// characters (no quotes, parentheses, `&`, `|`, `<`, `>`, `%`, `$`, `;`, globs).
const MARKER_ERROR: &str = "Error=This Python is shared by every vx project that uses it, so pip does not install into it. Make a virtual environment with python -m venv .venv and install there, or use pipx.";

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str =
    "CPython, from python-build-standalone's GitHub releases (3.13t: free-threaded)";

/// CPython.
pub(crate) struct Python;

impl Runtime for Python {
    fn about(&self) -> About<'_> {
        About::new("python", &["cpython"], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        let mut listings = Vec::new();
        for tag in release_tags(cx)?.iter().take(LISTED_RELEASES) {
            listings.push(listing(cx, tag)?);
        }
        Ok(releases_of(&listings))
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        let (threaded, parsed) = parse_request(wanted)?;
        super::version::newest(
            releases
                .iter()
                .filter(|r| is_threaded(&r.version) == threaded),
            |r| super::version::Numeric::parse(numeric_part(&r.version)),
            &parsed,
        )
        .cloned()
        .ok_or_else(|| super::no_such_version("python", wanted, releases))
    }

    /// [`Runtime::pick`] among the newest release's versions, else release by
    /// release, newest first, until one has the version asked for.
    fn pick_with(
        &self,
        cx: &Context,
        releases: &[Release],
        request: &str,
        _siblings: &std::collections::BTreeMap<String, String>,
    ) -> Result<Release, RuntimeError> {
        let first = self.pick(releases, request);
        // Found, or not a version at all (no release will have it).
        if first.is_ok() || parse_request(request.trim()).is_err() {
            return first;
        }
        let mut known = releases.to_vec();
        // The versions in `known`: searching `known` for each release of each listing
        // read was quadratic in the listings' size (issue 53, item 2's class).
        let mut seen: std::collections::HashSet<String> =
            known.iter().map(|k| k.version.clone()).collect();
        for tag in release_tags(cx)?
            .iter()
            .skip(LISTED_RELEASES)
            .take(MAX_RELEASES_READ)
        {
            // A version a newer release has stays that release's.
            for release in releases_of(&[listing(cx, tag)?]) {
                if seen.insert(release.version.clone()) {
                    known.push(release);
                }
            }
            if let Ok(release) = self.pick(&known, request) {
                return Ok(release);
            }
        }
        // None has it: the error names the newest of every release read.
        known.sort_by_cached_key(newest_first_key);
        self.pick(&known, request)
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        let Some(triple) = triple(platform) else {
            return Ok(Resolved::Unsupported(format!(
                "python: python-build-standalone has no build for {platform}"
            )));
        };
        let name = asset_name(&release.version, &release.id, triple);
        if let Some(download) = from_sums(cx, &release.id, &name)? {
            return Ok(Resolved::Download(download));
        }
        let listed = cx
            .github_release(OWNER, REPO, &release.id)
            .map_err(github_error)?;
        let Some(asset) = listed.assets.iter().find(|a| a.name == name) else {
            return Ok(Resolved::Unsupported(format!(
                "python {}: python-build-standalone {} has no {FLAVOUR} build for {platform} ({triple})",
                release.version, release.id
            )));
        };
        let (sha256, checksum) = sha256_of(cx, &listed, asset)?;
        Ok(Resolved::Download(Download::archive(
            asset.url.clone(),
            sha256,
            checksum,
            ArchiveFormat::TarGz,
        )))
    }

    fn layout(&self, version: &str, platform: &Platform) -> Layout {
        let stdlib = stdlib_dir(version);
        let bin = if platform.os == "windows" {
            // No `Scripts/pip.exe`: the publisher leaves pip's launchers out of its
            // Windows builds (they are not relocatable); `python -m pip` runs pip.
            vec!["python.exe".to_owned(), "python3=python.exe".to_owned()]
        } else {
            vec![
                "bin/python3".to_owned(),
                "python=bin/python3".to_owned(),
                format!("bin/{stdlib}"),
                "bin/pip3".to_owned(),
                "pip=bin/pip3".to_owned(),
            ]
        };
        Layout {
            strip_components: 1,
            bin,
            post_install: Some(marker_command(&stdlib)),
            ..Layout::default()
        }
    }
}

/// A request as users write it (`3.12`, `cpython-3.12.8`, `3.13t`): whether it asks
/// for the free-threaded build, and its numeric part parsed.
fn parse_request(wanted: &str) -> Result<(bool, super::version::Request), RuntimeError> {
    let lower = wanted.to_ascii_lowercase();
    let bare = lower
        .strip_prefix("cpython-")
        .or_else(|| lower.strip_prefix("python-"))
        .unwrap_or(&lower);
    let (numeric, threaded) = match bare.strip_suffix('t') {
        Some(rest) if rest.ends_with(|c: char| c.is_ascii_digit()) => (rest, true),
        _ => (bare, false),
    };
    match super::version::Request::parse(numeric, 3) {
        Some(parsed) => Ok((threaded, parsed)),
        None => Err(RuntimeError::Request(format!(
            "`{}` is not a Python version: write 3, 3.12, 3.12.8, 3.13t (free-threaded) or latest",
            vx_base::validate::shorten(wanted)
        ))),
    }
}

/// One release's tag and the names of its assets.
struct Listing {
    tag: String,
    names: Vec<String>,
}

/// The publisher's release tags (build dates, `20250115`), newest first: one API
/// request per 100 tags, kept for the run.
fn release_tags(cx: &Context) -> Result<Vec<String>, RuntimeError> {
    let mut tags: Vec<String> = cx
        .github_tags(OWNER, REPO)
        .map_err(github_error)?
        .iter()
        .filter(|t| t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .collect();
    tags.sort_unstable_by(|a, b| b.cmp(a));
    tags.dedup();
    Ok(tags)
}

/// Release `tag`'s asset names: from its `SHA256SUMS` (a release download, cached),
/// else from GitHub's answer for the release (older releases have no `SHA256SUMS`);
/// none for a tag without a release.
fn listing(cx: &Context, tag: &str) -> Result<Listing, RuntimeError> {
    let sums = cx.github().hosts().release_download(OWNER, REPO, tag, SUMS);
    let names = match cx.text_unless_missing(&sums)? {
        Some(text) => names_in_sums(&text),
        None => match cx.github_release(OWNER, REPO, tag) {
            Ok(release) => release.assets.iter().map(|a| a.name.clone()).collect(),
            Err(crate::github::GithubError::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(github_error(e)),
        },
    };
    Ok(Listing {
        tag: tag.to_owned(),
        names,
    })
}

/// The file names a `SHA256SUMS` text lists (`HEX  NAME`, `HEX *NAME`).
fn names_in_sums(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .map(|name| name.trim_start_matches('*').to_owned())
        .collect()
}

/// The releases vx lists from release `tag`'s `SHA256SUMS` text `sums` (what
/// [`Runtime::versions`] reads of the newest release): one per Python version and
/// flavour, newest first. For the fuzz target's entry ([`crate::fuzz`]).
pub(crate) fn releases_in_sums(tag: &str, sums: &str) -> Vec<Release> {
    releases_of(&[Listing {
        tag: tag.to_owned(),
        names: names_in_sums(sums),
    }])
}

/// One [`Release`] per Python version (and flavour) among the `listed` releases
/// (newest first): the newest release carrying an `install_only_stripped` build of
/// it, newest version first.
fn releases_of(listed: &[Listing]) -> Vec<Release> {
    let mut found = super::distinct::Distinct::default();
    for release in listed {
        for name in &release.names {
            let Some(version) = version_of(name, &release.tag) else {
                continue;
            };
            found.push(&version.clone(), || {
                let prerelease = super::version::Numeric::parse(numeric_part(&version))
                    .is_none_or(|n| !n.is_release());
                Release {
                    version,
                    id: release.tag.clone(),
                    lts: None,
                    published_at: None,
                    prerelease,
                }
            });
        }
    }
    let mut found = found.into_vec();
    found.sort_by_cached_key(newest_first_key);
    found
}

/// The sort key putting the newest version first, a GIL build before the
/// free-threaded one of its version (a key, so that a long listing's sort parses
/// each version once).
fn newest_first_key(r: &Release) -> (std::cmp::Reverse<Option<super::version::Numeric>>, bool) {
    (
        std::cmp::Reverse(super::version::Numeric::parse(numeric_part(&r.version))),
        is_threaded(&r.version),
    )
}

/// The version (`3.12.8`, `3.13.1t` when free-threaded) of an `install_only_stripped`
/// asset of release `tag`; `None` for any other asset.
fn version_of(asset: &str, tag: &str) -> Option<String> {
    let rest = asset.strip_prefix("cpython-")?;
    let rest = rest.strip_suffix(".tar.gz")?;
    let rest = rest.strip_suffix(FLAVOUR)?.strip_suffix('-')?;
    let (version, rest) = rest.split_once('+')?;
    let triple = rest.strip_prefix(tag)?.strip_prefix('-')?;
    let threaded = triple.ends_with("-freethreaded");
    super::version::Numeric::parse(version)?;
    vx_base::validate::version(version).ok()?;
    Some(if threaded {
        format!("{version}t")
    } else {
        version.to_owned()
    })
}

/// Whether a store version names a free-threaded build (`3.13.1t`).
fn is_threaded(version: &str) -> bool {
    version.ends_with('t')
}

/// The version without its free-threaded `t`.
fn numeric_part(version: &str) -> &str {
    version.strip_suffix('t').unwrap_or(version)
}

/// python-build-standalone's target triple for `platform` (the baseline x86-64, not
/// its `x86_64_v2`/`v3` variants).
fn triple(platform: &Platform) -> Option<&'static str> {
    let musl = platform.is_musl();
    Some(match (platform.os.as_str(), platform.arch.as_str()) {
        ("linux", "x86_64") if musl => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") if musl => "aarch64-unknown-linux-musl",
        ("linux", "x86_64") => "x86_64-unknown-linux-gnu",
        ("linux", "aarch64") => "aarch64-unknown-linux-gnu",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        ("windows", "x86_64") => "x86_64-pc-windows-msvc",
        ("windows", "aarch64") => "aarch64-pc-windows-msvc",
        _ => return None,
    })
}

/// The archive's file name for store version `version` of release `tag`.
fn asset_name(version: &str, tag: &str, triple: &str) -> String {
    let threaded = if is_threaded(version) {
        "-freethreaded"
    } else {
        ""
    };
    format!(
        "cpython-{}+{tag}-{triple}{threaded}-{FLAVOUR}.tar.gz",
        numeric_part(version)
    )
}

/// Release `tag`'s archive `name` from the release's `SHA256SUMS` alone, without
/// GitHub's API: the list the version was found in (read once per run, so this costs
/// no request) names it with its sha256, and its URL is the release download's. Every
/// release since 2024 carries that list (the publisher's
/// `command_upload_release_distributions`, crates/vx-sources/src/github.rs, uploads it after the
/// archives and checks it came through whole), so resolving a version takes the tag
/// list and one list: two requests, neither the release's API answer of a thousand
/// assets. `None` when the release has no list, or the list lacks the archive: then
/// the release's API answer says which builds exist and where the sha256 is.
fn from_sums(cx: &Context, tag: &str, name: &str) -> Result<Option<Download>, RuntimeError> {
    let hosts = cx.github().hosts();
    let sums = hosts.release_download(OWNER, REPO, tag, SUMS);
    let Some(text) = cx.text_unless_missing(&sums)? else {
        return Ok(None);
    };
    let format = crate::registry::checksum::ChecksumFormat::Raw;
    let sha256 = match crate::registry::checksum::find_sha256(&text, name, &format) {
        Ok(Some(hex)) => hex,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(RuntimeError::Format {
                url: sums,
                what: "checksum list".into(),
                reason: e.to_string(),
            });
        }
    };
    Ok(Some(Download {
        url: hosts.release_download(
            OWNER,
            REPO,
            &crate::github::encode_segment(tag),
            &crate::github::encode_segment(name),
        ),
        sha256,
        checksum: format!("checksum-file:{sums}"),
        format: ArchiveFormat::TarGz,
        alternatives: Vec::new(),
    }))
}

/// `asset`'s sha256 and where it came from: GitHub's digest, else the release's
/// `SHA256SUMS`, else the asset's `.sha256`; an error when none gives it.
fn sha256_of(
    cx: &Context,
    release: &GithubRelease,
    asset: &ReleaseAsset,
) -> Result<(String, String), RuntimeError> {
    if let Some(hex) = asset.sha256() {
        return Ok((hex, "github-digest".to_owned()));
    }
    let single = format!("{}.sha256", asset.name);
    let list = release
        .assets
        .iter()
        .find(|a| a.name == SUMS)
        .or_else(|| release.assets.iter().find(|a| a.name == single));
    match list {
        Some(list) => {
            let hex = cx.sha256_from_list(&list.url, &asset.name)?;
            Ok((hex, format!("checksum-file:{}", list.url)))
        }
        None => Err(RuntimeError::NoChecksum {
            file: format!(
                "{OWNER}/{REPO} {} (no GitHub digest, no {SUMS}, no {single})",
                release.tag
            ),
            asset: asset.name.clone(),
        }),
    }
}

/// The standard library's directory name: `python3.12`, `python3.13t`.
fn stdlib_dir(version: &str) -> String {
    let numeric = super::version::Numeric::parse(numeric_part(version));
    let at = |i: usize| {
        numeric
            .as_ref()
            .and_then(|n| n.parts.get(i).copied())
            .unwrap_or(0)
    };
    let threaded = if is_threaded(version) { "t" } else { "" };
    format!("python{}.{}{threaded}", at(0), at(1))
}

/// The install step writing PEP 668's marker: one command that `sh` (Unix, the
/// marker in `lib/python3.X/`) and `cmd` (Windows, in `Lib\`) both run, the second
/// place tried when the first does not exist.
fn marker_command(stdlib: &str) -> String {
    let write = format!("(echo [externally-managed]&& echo {MARKER_ERROR})");
    format!("{write} > lib/{stdlib}/EXTERNALLY-MANAGED || {write} > Lib/EXTERNALLY-MANAGED")
}

/// A GitHub client error as the runtime's.
fn github_error(e: crate::github::GithubError) -> RuntimeError {
    super::resolver::releases_error(OWNER, REPO, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh(tag: &str, names: &[&str]) -> Listing {
        Listing {
            tag: tag.to_owned(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    fn listed() -> Vec<Listing> {
        vec![
            gh(
                "20250115",
                &[
                    "cpython-3.13.1+20250115-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
                    "cpython-3.13.1+20250115-x86_64-unknown-linux-gnu-freethreaded-install_only_stripped.tar.gz",
                    "cpython-3.13.1+20250115-x86_64-unknown-linux-gnu-freethreaded+pgo+lto-full.tar.zst",
                    "cpython-3.12.8+20250115-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
                    "cpython-3.12.8+20250115-x86_64-unknown-linux-gnu-install_only.tar.gz",
                    "cpython-3.14.0a4+20250115-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
                    "SHA256SUMS",
                ],
            ),
            gh(
                "20241206",
                &[
                    "cpython-3.12.8+20241206-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
                    "cpython-3.12.7+20241206-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
                    "cpython-3.11.11+20241206-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
                ],
            ),
        ]
    }

    #[test]
    fn each_version_comes_from_the_newest_release_that_has_it() {
        let all = releases_of(&listed());
        assert_eq!(
            crate::runtime::resolver::shown(&all),
            [
                ("3.14.0a4", "20250115", true),
                ("3.13.1", "20250115", false),
                ("3.13.1t", "20250115", false),
                ("3.12.8", "20250115", false),
                ("3.12.7", "20241206", false),
                ("3.11.11", "20241206", false),
            ]
        );
    }

    #[test]
    fn versions_as_pyenv_asdf_and_mise_users_write_them() {
        let all = releases_of(&listed());
        let pick = |r: &str| Python.pick(&all, r).map(|r| (r.version, r.id));
        let at = |v: &str, tag: &str| (v.to_owned(), tag.to_owned());
        assert_eq!(pick("3").unwrap(), at("3.13.1", "20250115"));
        assert_eq!(pick("latest").unwrap(), at("3.13.1", "20250115"));
        assert_eq!(pick("3.12").unwrap(), at("3.12.8", "20250115"));
        assert_eq!(pick("3.12.7").unwrap(), at("3.12.7", "20241206"));
        assert_eq!(pick("cpython-3.11").unwrap(), at("3.11.11", "20241206"));
        assert_eq!(pick("3.13t").unwrap(), at("3.13.1t", "20250115"));
        assert_eq!(pick("3.13.1t").unwrap(), at("3.13.1t", "20250115"));
        assert_eq!(pick("3.14.0a4").unwrap().0, "3.14.0a4", "named exactly");
        let missing = pick("3.9").unwrap_err();
        assert!(missing.is_request());
        assert!(
            missing
                .to_string()
                .contains("no version of python matches `3.9`; the newest are 3.13.1, 3.13.1t"),
            "{missing}"
        );
        assert!(pick("3.12t").is_err(), "no free-threaded 3.12");
        assert!(pick("banana").unwrap_err().is_request());
    }

    #[test]
    fn archives_are_named_as_python_build_standalone_publishes_them() {
        let name =
            |v: &str, p: &str| asset_name(v, "20250115", triple(&p.parse().unwrap()).unwrap());
        assert_eq!(
            name("3.12.8", "linux-x86_64"),
            "cpython-3.12.8+20250115-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz"
        );
        assert_eq!(
            name("3.12.8", "linux-x86_64-musl"),
            "cpython-3.12.8+20250115-x86_64-unknown-linux-musl-install_only_stripped.tar.gz"
        );
        assert_eq!(
            name("3.13.1t", "macos-aarch64"),
            "cpython-3.13.1+20250115-aarch64-apple-darwin-freethreaded-install_only_stripped.tar.gz"
        );
        assert_eq!(
            name("3.12.8", "windows-x86_64"),
            "cpython-3.12.8+20250115-x86_64-pc-windows-msvc-install_only_stripped.tar.gz"
        );
        assert_eq!(triple(&Platform::new("freebsd", "x86_64")), None);
    }

    #[test]
    fn unix_and_windows_layouts_give_python_and_pip_and_mark_the_stdlib() {
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let unix = Python.layout("3.12.8", &linux);
        assert_eq!(unix.strip_components, 1);
        assert_eq!(
            unix.bin,
            [
                "bin/python3",
                "python=bin/python3",
                "bin/python3.12",
                "bin/pip3",
                "pip=bin/pip3"
            ]
        );
        assert!(unix.env.is_empty(), "no PYTHONHOME");
        let step = unix.post_install.unwrap();
        assert!(
            step.contains("> lib/python3.12/EXTERNALLY-MANAGED || "),
            "{step}"
        );
        assert!(step.ends_with("> Lib/EXTERNALLY-MANAGED"), "{step}");
        for special in ['"', '\'', '%', '$', ';', '<', '^', '!', '*', '?'] {
            assert!(!step.contains(special), "{special} in {step}");
        }
        let threaded = Python.layout("3.13.1t", &linux);
        assert!(threaded.bin.contains(&"bin/python3.13t".to_owned()));
        assert!(
            threaded
                .post_install
                .unwrap()
                .contains("lib/python3.13t/EXTERNALLY-MANAGED")
        );
        let windows = Python.layout("3.12.8", &"windows-x86_64".parse().unwrap());
        assert_eq!(windows.bin, ["python.exe", "python3=python.exe"]);
        assert_eq!(windows.strip_components, 1);
    }

    #[test]
    fn asset_names_that_are_not_install_only_stripped_are_not_versions() {
        for other in [
            "cpython-3.12.8+20250115-x86_64-unknown-linux-gnu-install_only.tar.gz",
            "cpython-3.12.8+20250115-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst",
            "cpython-3.12.8+20241206-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
            "SHA256SUMS",
            "cpython-x+20250115-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz",
        ] {
            assert_eq!(version_of(other, "20250115"), None, "{other}");
        }
    }
}
