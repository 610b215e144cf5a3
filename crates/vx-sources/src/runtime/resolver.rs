//! The steps several runtimes' resolvers take alike, in one place so each runtime's
//! file says only what is its own: picking a release by number once the runtime's own
//! spelling is off the request, naming a publisher's file that is not in its format,
//! telling an archive's packing from its name, and a platform's one-archive download.

use super::{Download, Release, RuntimeError};
use vx_base::format::ArchiveFormat;

/// The release of `releases` (newest first) that `numeric` picks by number (three
/// numbers make an exact version): `numeric` is the request `wanted` with the
/// runtime's own spelling taken off (`OTP-`, `ruby-`, rust's `stable`). A request no
/// release satisfies names the newest that exist ([`super::no_such_version`]); one
/// that is no version at all says ``"`{wanted}` is {not_a}"``, where `not_a` tells what
/// it is not and how to write one (`not a Ruby version: write 3, 3.3, 3.3.6 or
/// latest`).
pub(crate) fn by_number(
    runtime: &str,
    releases: &[Release],
    wanted: &str,
    numeric: &str,
    not_a: &str,
) -> Result<Release, RuntimeError> {
    match super::pick_numeric(releases, numeric, 3) {
        Some(Ok(found)) => Ok(found.clone()),
        Some(Err(())) => Err(super::no_such_version(runtime, wanted, releases)),
        None => Err(RuntimeError::Request(format!(
            "`{}` is {not_a}",
            vx_base::validate::shorten(wanted)
        ))),
    }
}

/// How the archive `name` that the publisher's file at `url` (a `what`: `Go download
/// list`) lists as a `noun` (`archive`, `package`) is packed: `.tar.gz` or `.zip`, the
/// only packings these publishers ship; any other name means the file is not what it
/// should be.
pub(crate) fn tar_gz_or_zip(
    name: &str,
    noun: &str,
    url: &str,
    what: &'static str,
) -> Result<ArchiveFormat, RuntimeError> {
    if name.ends_with(".tar.gz") {
        Ok(ArchiveFormat::TarGz)
    } else if name.ends_with(".zip") {
        Ok(ArchiveFormat::Zip)
    } else {
        Err(RuntimeError::invalid(
            url,
            what,
            format!(
                "{noun} `{}` is neither .tar.gz nor .zip",
                vx_base::validate::shorten(name)
            ),
        ))
    }
}

/// What the GitHub client said about `owner/repo`'s releases (where python, ruby and
/// rust list their versions and python and ruby their archives), as the runtime's
/// error.
pub(crate) fn releases_error(
    owner: &str,
    repo: &str,
    e: &crate::github::GithubError,
) -> RuntimeError {
    RuntimeError::from_github(format!("the GitHub releases of {owner}/{repo}"), e)
}

/// `releases` as (version, the publisher's id, pre-release), for tests to compare.
#[cfg(test)]
pub(crate) fn shown(releases: &[Release]) -> Vec<(&str, &str, bool)> {
    releases
        .iter()
        .map(|r| (r.version.as_str(), r.id.as_str(), r.prerelease))
        .collect()
}

impl RuntimeError {
    /// The publisher's file at `url` is not a valid `what` (`Go download list`), for
    /// `reason`.
    pub(crate) fn invalid(
        url: &str,
        what: impl Into<std::borrow::Cow<'static, str>>,
        reason: impl std::fmt::Display,
    ) -> RuntimeError {
        RuntimeError::Format {
            url: url.to_owned(),
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}

impl Download {
    /// One archive at `url`, packed as `format`, whose `sha256` came from `checksum`
    /// (as the lock records it: `index:URL`, `github-digest`), packed no other way.
    pub(crate) fn archive(
        url: String,
        sha256: String,
        checksum: String,
        format: ArchiveFormat,
    ) -> Download {
        Download {
            url,
            sha256,
            checksum,
            format,
            alternatives: Vec::new(),
        }
    }
}
