//! Elixir from builds.hex.pm: `builds/elixir/builds.txt` (see [`super::hexbuilds`])
//! lists every precompiled build, one per Elixir version and OTP major it was compiled
//! with (`v1.17.3-otp-27`, archive `v1.17.3-otp-27.zip`); lines without `-otp-N` are
//! the build with the oldest OTP the version supports, branches (`main-otp-27`,
//! `v1.17-otp-27`) are not releases. The zip holds `bin/`, `lib/` and `man/` at its
//! top, scripts that run on any OS with an `erl` on PATH.
//!
//! A version is the build: `1.17.3-otp-27` (asdf's and mise's spelling), so builds of
//! one Elixir for two OTPs never share a store entry. `elixir = "1.17"` picks the
//! newest 1.17 built for the OTP major of the project's erlang (the sibling hint
//! `erlang`, see [`Runtime::pick_with`]); without an erlang in the project, the build
//! for the newest OTP. `1.17.3-otp-26` names the build exactly. Like every locked
//! runtime, the build stays locked while `elixir`'s constraint is unchanged: after
//! changing the project's erlang to another OTP major, change elixir's constraint too
//! (`1.17` → `1.17.3`) so it is picked again, for the new OTP.
//!
//! Elixir needs Erlang ([`Runtime::needs`]). What `mix archive.install` and `mix
//! escript.install` install goes to `~/.mix` (`MIX_HOME`), outside the store.

use std::collections::BTreeMap;

use super::hexbuilds::{self, Build};
use super::version::Numeric;
use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// The builds' root.
const BASE: &str = "https://builds.hex.pm/builds/elixir";

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str = "Elixir, precompiled per OTP major by builds.hex.pm (needs erlang)";

/// Elixir.
pub(crate) struct Elixir;

impl Runtime for Elixir {
    fn about(&self) -> About<'_> {
        About::new("elixir", &[], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        Ok(releases_of(&builds(cx)?))
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        pick_for(releases, request, &BTreeMap::new())
    }

    fn pick_with(
        &self,
        _cx: &Context,
        releases: &[Release],
        request: &str,
        siblings: &BTreeMap<String, String>,
    ) -> Result<Release, RuntimeError> {
        pick_for(releases, request, siblings)
    }

    fn download(&self, cx: &Context, release: &Release, _platform: &Platform) -> Answer<Resolved> {
        let list = format!("{BASE}/builds.txt");
        let Some(build) = builds(cx)?.into_iter().find(|b| b.name == release.id) else {
            return Err(RuntimeError::NoChecksum {
                file: list,
                asset: format!("{}.zip", release.id),
            });
        };
        Ok(Resolved::Download(Download::archive(
            format!("{BASE}/{}.zip", release.id),
            build.sha256.unwrap_or_default(),
            format!("index:{list}"),
            ArchiveFormat::Zip,
        )))
    }

    fn layout(&self, _version: &str, platform: &Platform) -> Layout {
        let ext = if platform.os == "windows" { ".bat" } else { "" };
        Layout {
            strip_components: 0,
            bin: ["elixir", "elixirc", "iex", "mix"]
                .iter()
                .map(|b| format!("bin/{b}{ext}"))
                .collect(),
            ..Layout::default()
        }
    }

    fn needs(&self) -> Option<&str> {
        Some("erlang")
    }
}

/// What `request` picks among `releases` (newest first), given the project's erlang in
/// `siblings`.
fn pick_for(
    releases: &[Release],
    request: &str,
    siblings: &BTreeMap<String, String>,
) -> Result<Release, RuntimeError> {
    let wanted = request.trim();
    let bare = wanted.strip_prefix('v').unwrap_or(wanted);
    if bare.contains("-otp-") {
        return releases
            .iter()
            .find(|r| r.version == bare)
            .cloned()
            .ok_or_else(|| super::no_such_version("elixir", wanted, releases));
    }
    let otp = siblings
        .get("erlang")
        .and_then(|v| Numeric::parse(v))
        .and_then(|n| n.parts.first().copied());
    let builds: Vec<(Numeric, Option<u64>, &Release)> = releases
        .iter()
        .filter_map(|r| {
            let (elixir, built_with) = split(&r.id)?;
            Some((elixir, built_with, r))
        })
        .filter(|(_, built_with, _)| otp.is_none() || *built_with == otp)
        .collect();
    // The Elixir versions there are builds of, newest first, for the pick.
    let mut versions = super::distinct::Distinct::default();
    for (elixir, _, r) in &builds {
        let version = elixir_text(elixir);
        versions.push(&version.clone(), || Release {
            version,
            ..(*r).clone()
        });
    }
    let versions = versions.into_vec();
    let picked = match super::pick_numeric(&versions, bare, 3) {
        Some(Ok(found)) => found.version.clone(),
        Some(Err(())) => {
            let mut error = super::no_such_version("elixir", wanted, &versions);
            if let (Some(otp), RuntimeError::Request(text)) = (otp, &mut error) {
                text.push_str(&format!(
                    " among the builds for OTP {otp} (the project's erlang {})",
                    siblings["erlang"]
                ));
            }
            return Err(error);
        }
        None => {
            return Err(RuntimeError::Request(format!(
                "`{}` is not an Elixir version: write 1.17, 1.17.3, 1.17.3-otp-27 or latest",
                vx_base::validate::shorten(wanted)
            )));
        }
    };
    builds
        .iter()
        .filter(|(elixir, _, _)| elixir_text(elixir) == picked)
        .max_by_key(|(_, built_with, _)| *built_with)
        .map(|(_, _, r)| (*r).clone())
        .ok_or_else(|| super::no_such_version("elixir", wanted, releases))
}

/// Every build builds.hex.pm lists.
fn builds(cx: &Context) -> Result<Vec<Build>, RuntimeError> {
    let url = format!("{BASE}/builds.txt");
    let text = cx.text(&url)?;
    hexbuilds::parse(&text, &url, "builds.hex.pm Elixir build list")
}

/// The releases among `builds` (`builds.txt`, as [`hexbuilds::parse`] reads it):
/// newest Elixir first, then the newest OTP first.
pub(crate) fn releases_of(builds: &[Build]) -> Vec<Release> {
    let mut releases: Vec<(Numeric, Option<u64>, Release)> = builds
        .iter()
        .filter_map(|b| {
            let (elixir, otp) = split(&b.name)?;
            Some((elixir, otp, release(b)?))
        })
        .collect();
    releases.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    releases.into_iter().map(|(_, _, r)| r).collect()
}

/// A build's Elixir version and OTP major: `v1.17.3-otp-27` → (1.17.3, 27), `v1.17.3`
/// → (1.17.3, none); `None` for a branch (`main-otp-27`, `v1.17-otp-27`).
fn split(name: &str) -> Option<(Numeric, Option<u64>)> {
    let rest = name.strip_prefix('v')?;
    let (elixir, otp) = match rest.rsplit_once("-otp-") {
        Some((elixir, otp)) => (elixir, Some(otp.parse().ok()?)),
        None => (rest, None),
    };
    let numeric = Numeric::parse(elixir)?;
    (numeric.parts.len() == 3).then_some((numeric, otp))
}

/// An Elixir version as written (`1.17.3`, `1.18.0-rc.0`).
fn elixir_text(n: &Numeric) -> String {
    let parts: Vec<String> = n.parts.iter().map(u64::to_string).collect();
    format!("{}{}", parts.join("."), n.suffix)
}

/// A build as a release: version `1.17.3-otp-27` (the build), id `v1.17.3-otp-27`.
fn release(build: &Build) -> Option<Release> {
    let (elixir, _) = split(&build.name)?;
    Some(Release {
        version: build.name.strip_prefix('v')?.to_owned(),
        id: build.name.clone(),
        lts: None,
        published_at: Some(build.date.clone()),
        prerelease: !elixir.is_release(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases() -> Vec<Release> {
        let text = "main-otp-27 a 2025-01-01T00:00:00Z\n\
                    v1.16.3 b 2024-05-20T00:00:00Z\n\
                    v1.16.3-otp-24 b 2024-05-20T00:00:00Z\n\
                    v1.16.3-otp-26 b 2024-05-20T00:00:00Z\n\
                    v1.17-otp-27 c 2024-09-18T00:00:00Z\n\
                    v1.17.2-otp-27 d 2024-07-06T00:00:00Z\n\
                    v1.17.3-otp-25 e 2024-09-18T00:00:00Z\n\
                    v1.17.3-otp-26 e 2024-09-18T00:00:00Z\n\
                    v1.17.3-otp-27 e 2024-09-18T00:00:00Z\n\
                    v1.18.0-rc.0-otp-27 f 2024-12-01T00:00:00Z\n";
        let mut all: Vec<(Numeric, Option<u64>, Release)> = hexbuilds::parse(text, "u", "l")
            .unwrap()
            .iter()
            .filter_map(|b| {
                let (e, o) = split(&b.name)?;
                Some((e, o, release(b)?))
            })
            .collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        all.into_iter().map(|(_, _, r)| r).collect()
    }

    #[test]
    fn without_an_erlang_the_newest_otp_is_picked() {
        let all = releases();
        let pick = |r: &str| Elixir.pick(&all, r).map(|r| r.id);
        assert_eq!(pick("1.17").unwrap(), "v1.17.3-otp-27");
        assert_eq!(pick("1.17.3").unwrap(), "v1.17.3-otp-27");
        assert_eq!(pick("latest").unwrap(), "v1.17.3-otp-27", "no rc");
        assert_eq!(pick("1.16").unwrap(), "v1.16.3-otp-26");
        assert_eq!(pick("1.17.3-otp-25").unwrap(), "v1.17.3-otp-25");
        assert_eq!(pick("v1.17.3-otp-26").unwrap(), "v1.17.3-otp-26");
        assert_eq!(pick("1.18.0-rc.0").unwrap(), "v1.18.0-rc.0-otp-27");
        let e = pick("1.15").unwrap_err();
        assert!(
            e.to_string().contains(
                "no version of elixir matches `1.15`; the newest are 1.17.3, 1.17.2, 1.16.3"
            ),
            "{e}"
        );
        assert!(pick("1.17.3-otp-23").unwrap_err().is_request());
        assert!(pick("main").unwrap_err().is_request());
    }

    #[test]
    fn the_projects_erlang_chooses_the_otp_build() {
        let all = releases();
        let hint = |otp: &str| BTreeMap::from([("erlang".to_owned(), otp.to_owned())]);
        let pick = |r: &str, otp: &str| pick_for(&all, r, &hint(otp)).map(|r| r.id);
        assert_eq!(pick("1.17", "26.2.5.6").unwrap(), "v1.17.3-otp-26");
        assert_eq!(pick("1.17", "27.1.2").unwrap(), "v1.17.3-otp-27");
        assert_eq!(pick("1.16", "24.3").unwrap(), "v1.16.3-otp-24");
        let e = pick("1.16", "27.1.2").unwrap_err();
        assert!(e.is_request());
        assert!(
            e.to_string()
                .contains("among the builds for OTP 27 (the project's erlang 27.1.2)"),
            "{e}"
        );
        // An exact build is taken as written.
        assert_eq!(pick("1.17.3-otp-25", "27.1.2").unwrap(), "v1.17.3-otp-25");
    }

    #[test]
    fn the_zip_holds_scripts_for_every_os() {
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let win: Platform = "windows-x86_64".parse().unwrap();
        assert_eq!(
            Elixir.layout("1.17.3-otp-27", &linux).bin,
            ["bin/elixir", "bin/elixirc", "bin/iex", "bin/mix"]
        );
        assert_eq!(Elixir.layout("1.17.3-otp-27", &win).bin[3], "bin/mix.bat");
        assert_eq!(Elixir.layout("1.17.3-otp-27", &win).strip_components, 0);
        assert_eq!(Elixir.needs(), Some("erlang"));
    }
}
