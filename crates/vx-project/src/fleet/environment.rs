//! The files a PyPI runtime tool's environment installs (`pypi:black`'s pinned set),
//! as downloads a bundle or a mirror carries: the lock pins each distribution by the
//! sha256 of every file the index has of its version (`vx_sources::backend::environment`),
//! and names no URL, so the push reads the index's page of each (PEP 503/691, the
//! lock's `registry` after `url_replacements`) for the files with those sha256 an
//! installer would take for the platforms pushed and the locked python (the wheels
//! that fit both, pure or for the platform; the sdist where no wheel does). Each is
//! then gathered and checked by its sha256 like any download, and its file name kept
//! ([`Artifact::file`]) for `vx bundle import` to put it where uv installs offline.
//!
//! An npm tool's set is pinned by npm's sha512 alone (its `integrity`), which is no
//! content address here: its tarballs are found and carried by
//! [`super::npm_files`].

use vx_model::lock::Lock;
use vx_model::manifest::Platform;
use vx_net::{Client, Request};
use vx_sources::backend::environment::pins_of;
use vx_sources::backend::npm::Target;
use vx_sources::backend::pypi::{self, Wheel};
use vx_sources::mirror::artifacts::Artifact;

use super::error::PushError;

/// Longest index page read.
const MAX_PAGE: u64 = 64 << 20;

/// The files of the PyPI environments in `lock` for `platforms` (every locked one when
/// empty), each once, through `client` (the project's network settings).
pub(crate) fn of_lock(
    lock: &Lock,
    platforms: &[String],
    client: &Client,
) -> Result<Vec<Artifact>, PushError> {
    let mut out: Vec<Artifact> = Vec::new();
    for (tool, entry) in &lock.tools {
        let Some(environment) = &entry.environment else {
            continue;
        };
        if environment.runtime != "python" {
            continue;
        }
        let wanted: Vec<String> = entry
            .platforms
            .keys()
            .filter(|p| platforms.is_empty() || platforms.contains(p))
            .cloned()
            .collect();
        let targets: Vec<(String, Option<Target>)> =
            wanted.iter().map(|p| (p.clone(), target_of(p))).collect();
        if targets.is_empty() {
            continue;
        }
        for pin in pins_of(&environment.lockfile) {
            let page = format!(
                "{}/{}/",
                environment.registry.trim_end_matches('/'),
                pin.name
            );
            let failed = |why: PageError| {
                PushError::EnvironmentFiles(format!(
                    "{tool}'s environment: {} {}: cannot list its files at {}: {why}",
                    pin.name,
                    pin.version,
                    vx_base::validate::hide_userinfo(&page)
                ))
            };
            let files: Vec<pypi::File> = read_page(client, &page)
                .map_err(failed)?
                .into_iter()
                .filter(|f| f.sha256.as_ref().is_some_and(|h| pin.sha256.contains(h)))
                .collect();
            for (file, platform) in taken(files, &targets, &environment.runtime_version) {
                let Some(sha256) = file.sha256 else {
                    continue;
                };
                if out.iter().any(|a| a.sha256 == sha256) {
                    continue;
                }
                out.push(Artifact {
                    tool: download_name(&pin.name, &sha256),
                    version: pin.version.clone(),
                    platform,
                    url: file.url,
                    sha256,
                    size: None,
                    file: Some(file.filename),
                });
            }
        }
    }
    Ok(out)
}

/// The name a file's download goes by in the gathering sync, where each is a tool of
/// its own and names are unique: the distribution's and the start of the file's
/// sha256 (`click.5c0d5d2a1b49`), as a tool's name may be.
/// The npm target of a lock's platform name (`linux-x86_64`), if it reads as one.
pub(super) fn target_of(platform: &str) -> Option<Target> {
    platform
        .parse::<Platform>()
        .ok()
        .and_then(|pl| Target::of(&pl.os, &pl.arch, pl.is_musl()))
}

fn download_name(project: &str, sha256: &str) -> String {
    let name = format!("{project}.{}", &sha256[..12]);
    if vx_base::validate::tool_name(&name).is_ok() {
        name
    } else {
        format!("file.{}", &sha256[..12])
    }
}

/// The index's files at `page`.
fn read_page(client: &Client, page: &str) -> Result<Vec<pypi::File>, PageError> {
    let answer = client.send(Request::get(page))?;
    if answer.status != 200 {
        return Err(PageError::Status(answer.status));
    }
    let body = answer.read_to_vec(MAX_PAGE)?;
    let text = String::from_utf8(body).map_err(|_| PageError::NotText)?;
    Ok(pypi::parse_page(page, &text)?)
}

/// Why an index page could not be read.
#[derive(Debug, thiserror::Error)]
enum PageError {
    /// The request failed.
    #[error(transparent)]
    Net(#[from] vx_net::NetError),
    /// The index answered, but not 200.
    #[error("the index answered {0}")]
    Status(u16),
    /// The page is not text.
    #[error("the page is not UTF-8 text")]
    NotText,
    /// The page is not the index's HTML or JSON.
    #[error(transparent)]
    Page(#[from] serde_json::Error),
}

/// Of one version's `files`, those an installer takes on `targets` with python
/// `python` (`3.12.8`), each with the first platform it is for: every wheel that fits
/// a platform and that python, and for a platform no wheel fits, the sdist.
fn taken(
    files: Vec<pypi::File>,
    targets: &[(String, Option<Target>)],
    python: &str,
) -> Vec<(pypi::File, String)> {
    let minor = python.split('.').nth(1).and_then(|m| m.parse::<u32>().ok());
    let mut out: Vec<(pypi::File, String)> = Vec::new();
    for (platform, target) in targets {
        let mut any_wheel = false;
        for file in &files {
            let Some(wheel) = Wheel::parse(&file.filename) else {
                continue;
            };
            let on_platform = wheel.platforms.iter().any(|p| p == "any")
                || target.as_ref().is_some_and(|t| wheel.fit(t).is_some());
            if !on_platform || !for_python(&wheel, minor) {
                continue;
            }
            any_wheel = true;
            if !out.iter().any(|(f, _)| f.filename == file.filename) {
                out.push((file.clone(), platform.clone()));
            }
        }
        if !any_wheel
            && let Some(sdist) = files.iter().find(|f| Wheel::parse(&f.filename).is_none())
            && !out.iter().any(|(f, _)| f.filename == sdist.filename)
        {
            out.push((sdist.clone(), platform.clone()));
        }
    }
    out
}

/// Whether `wheel` installs on CPython 3.`minor` (any python 3 when the minor is not
/// known): `py3`, `py3M`, `cp3M` (its own ABI, `abi3` or `none`), or an `abi3` wheel of
/// an earlier CPython 3.
fn for_python(wheel: &Wheel, minor: Option<u32>) -> bool {
    let Some(minor) = minor else {
        return wheel
            .python
            .iter()
            .any(|p| p.starts_with("py3") || p.starts_with("cp3"));
    };
    let own = format!("cp3{minor}");
    let abi_ok = |abi: &str| abi == own || abi == "abi3" || abi == "none";
    wheel.python.iter().any(|p| {
        if p == "py3" || *p == format!("py3{minor}") {
            return true;
        }
        if *p == own {
            return wheel.abi.iter().any(|a| abi_ok(a));
        }
        p.strip_prefix("cp3")
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| m <= minor && wheel.abi.iter().any(|a| a == "abi3"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_taken_are_the_wheels_for_the_platform_and_python_else_the_sdist() {
        let targets: Vec<(String, Option<Target>)> = ["linux-x86_64", "macos-aarch64"]
            .iter()
            .map(|p| {
                let pl: Platform = p.parse().unwrap();
                ((*p).to_owned(), Target::of(&pl.os, &pl.arch, pl.is_musl()))
            })
            .collect();
        let file = |name: &str| pypi::File {
            filename: name.to_owned(),
            url: format!("https://x.org/{name}"),
            sha256: Some("a".repeat(64)),
            yanked: false,
        };
        let names = |files: &[&str]| {
            taken(files.iter().map(|n| file(n)).collect(), &targets, "3.12.8")
                .into_iter()
                .map(|(f, p)| format!("{} {p}", f.filename))
                .collect::<Vec<_>>()
        };
        // black's own files on PyPI (24.10.0), some of them.
        assert_eq!(
            names(&[
                "black-24.10.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.manylinux_2_28_x86_64.whl",
                "black-24.10.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.manylinux_2_28_x86_64.whl",
                "black-24.10.0-cp312-cp312-macosx_11_0_arm64.whl",
                "black-24.10.0-cp312-cp312-win_amd64.whl",
                "black-24.10.0-py3-none-any.whl",
                "black-24.10.0.tar.gz",
            ]),
            [
                "black-24.10.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.manylinux_2_28_x86_64.whl linux-x86_64",
                "black-24.10.0-py3-none-any.whl linux-x86_64",
                "black-24.10.0-cp312-cp312-macosx_11_0_arm64.whl macos-aarch64",
            ]
        );
        // No wheel fits: the sdist, once.
        assert_eq!(
            names(&["x-1-cp311-cp311-win_amd64.whl", "x-1.tar.gz"]),
            ["x-1.tar.gz linux-x86_64"]
        );
        // An abi3 wheel of an earlier CPython fits a later one.
        assert_eq!(
            names(&["y-1-cp38-abi3-manylinux_2_17_x86_64.whl"]),
            ["y-1-cp38-abi3-manylinux_2_17_x86_64.whl linux-x86_64"]
        );
    }
}
