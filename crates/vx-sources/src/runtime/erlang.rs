//! Erlang/OTP from builds.hex.pm: the precompiled OTP that hexpm/bob builds for each
//! Ubuntu release and architecture (`builds/otp/{amd64,arm64}/ubuntu-{20,22,24}.04/`),
//! each listed in that directory's `builds.txt` (see [`super::hexbuilds`]) with the
//! archive `OTP-{V}.tar.gz`.
//!
//! The same OTP version is built once per Ubuntu release; a build runs on that
//! release's glibc and newer. vx locks the build of the OLDEST Ubuntu release that has
//! the version (the widest glibc range) and says which in the progress line and the
//! locked URL. Linux only: builds.hex.pm has no macOS or Windows OTP, and none for
//! musl, so those platforms are locked `unsupported` with the reason.
//!
//! The archive is OTP's `make release` tree (`OTP-{V}/Install`, `erts-*/`, `lib/`,
//! `releases/`); `bin/erl` and friends are made by OTP's own `Install` script, which
//! writes the install's root into them. vx runs it as the install step, in the unpacked
//! tree before it moves into the store, as `./Install -cross -minimal
//! "$VX_INSTALL_DIR"`: `-cross` makes it work on the current directory while writing
//! the final store path (plain `Install DIR` would need DIR to exist already).
//!
//! Nothing is installed into the store afterwards: rebar3, hex and escripts users
//! install keep to their own homes (`~/.cache/rebar3`, `~/.mix`), outside it.

use super::hexbuilds::{self, Build};
use super::{About, Answer, Context, Download, Layout, Release, Resolved, Runtime, RuntimeError};
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// The builds' root.
const BASE: &str = "https://builds.hex.pm/builds/otp";

/// The Ubuntu releases builds.hex.pm builds OTP for, oldest (widest glibc) first, each
/// with the glibc it has.
const UBUNTU: [(&str, &str); 3] = [
    ("ubuntu-20.04", "2.31"),
    ("ubuntu-22.04", "2.35"),
    ("ubuntu-24.04", "2.39"),
];

/// What a request that is not a version is not, and how to write one.
const NOT_A_VERSION: &str =
    "not an Erlang/OTP version: write 27, 27.1, 27.1.2, OTP-27.1.2 or latest";

/// What it is and where it comes from, for `vx search`.
const SUMMARY: &str = "Erlang/OTP, precompiled for Linux (glibc) by builds.hex.pm";

/// Erlang/OTP.
pub(crate) struct Erlang;

impl Runtime for Erlang {
    fn about(&self) -> About<'_> {
        About::new("erlang", &["otp", "erlang-otp"], SUMMARY)
    }

    fn versions(&self, cx: &Context) -> Answer<Vec<Release>> {
        let mut listed = Vec::new();
        for (ubuntu, _) in UBUNTU {
            listed.extend(builds(cx, "amd64", ubuntu)?);
        }
        Ok(releases_of(&listed))
    }

    fn pick(&self, releases: &[Release], request: &str) -> Answer<Release> {
        let wanted = request.trim();
        let numeric = wanted
            .strip_prefix("OTP-")
            .or_else(|| wanted.strip_prefix("otp-"))
            .unwrap_or(wanted);
        super::resolver::by_number("erlang", releases, wanted, numeric, NOT_A_VERSION)
    }

    fn download(&self, cx: &Context, release: &Release, platform: &Platform) -> Answer<Resolved> {
        if platform.os != "linux" {
            return Ok(Resolved::Unsupported(format!(
                "erlang: builds.hex.pm has precompiled OTP for Linux only, none for {platform}"
            )));
        }
        if platform.is_musl() {
            return Ok(Resolved::Unsupported(format!(
                "erlang: builds.hex.pm builds OTP on Ubuntu (glibc), none for {platform}"
            )));
        }
        let Some(arch) = arch(platform) else {
            return Ok(Resolved::Unsupported(format!(
                "erlang: builds.hex.pm has no OTP build for {platform}"
            )));
        };
        for (ubuntu, _) in UBUNTU {
            let Some(build) = builds(cx, arch, ubuntu)?
                .into_iter()
                .find(|b| b.name == release.id)
            else {
                continue;
            };
            let dir = format!("{BASE}/{arch}/{ubuntu}");
            return Ok(Resolved::Download(Download::archive(
                format!("{dir}/{}.tar.gz", release.id),
                // An old line without one: hashed on download (`checksum = "download"`).
                build.sha256.unwrap_or_default(),
                format!("index:{dir}/builds.txt"),
                ArchiveFormat::TarGz,
            )));
        }
        Ok(Resolved::Unsupported(format!(
            "erlang {}: builds.hex.pm has no build for {platform}",
            release.version
        )))
    }

    fn layout(&self, _version: &str, _platform: &Platform) -> Layout {
        let bin = [
            "erl", "erlc", "escript", "dialyzer", "typer", "ct_run", "epmd", "run_erl", "to_erl",
        ]
        .iter()
        .map(|b| format!("bin/{b}"))
        .collect();
        Layout {
            strip_components: 1,
            bin,
            post_install: Some("./Install -cross -minimal \"$VX_INSTALL_DIR\"".to_owned()),
            ..Layout::default()
        }
    }

    fn note(&self, download: &Download) -> Option<String> {
        let (ubuntu, glibc) = UBUNTU
            .iter()
            .find(|(ubuntu, _)| download.url.contains(&format!("/{ubuntu}/")))?;
        Some(format!(
            "the {ubuntu} build (runs on glibc {glibc} or newer)"
        ))
    }
}

/// builds.hex.pm's name of `platform`'s architecture.
fn arch(platform: &Platform) -> Option<&'static str> {
    match platform.arch.as_str() {
        "x86_64" => Some("amd64"),
        "aarch64" => Some("arm64"),
        _ => None,
    }
}

/// The builds listed for `arch` on `ubuntu`.
fn builds(cx: &Context, arch: &str, ubuntu: &str) -> Result<Vec<Build>, RuntimeError> {
    let url = format!("{BASE}/{arch}/{ubuntu}/builds.txt");
    let text = cx.text(&url)?;
    hexbuilds::parse(&text, &url, "builds.hex.pm OTP build list")
}

/// The releases among `builds` (of every Ubuntu's `builds.txt`, as
/// [`hexbuilds::parse`] reads them): one per tag, newest first.
pub(crate) fn releases_of(builds: &[Build]) -> Vec<Release> {
    let mut releases = super::distinct::Distinct::default();
    for build in builds {
        if let Some(release) = release(build) {
            let id = release.id.clone();
            releases.push(&id, || release);
        }
    }
    let mut releases = releases.into_vec();
    releases.sort_by_cached_key(|r| std::cmp::Reverse(super::version::Numeric::parse(&r.version)));
    releases
}

/// A build as a release: `OTP-27.1.2` (and `OTP-28.0-rc1`, a pre-release); `None` for
/// branches (`maint`, `master`, `maint-27`).
fn release(build: &Build) -> Option<Release> {
    let version = build.name.strip_prefix("OTP-")?;
    let numeric = super::version::Numeric::parse(version)?;
    Some(Release {
        version: version.to_owned(),
        id: build.name.clone(),
        lts: None,
        published_at: Some(build.date.clone()),
        prerelease: !numeric.is_release(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn releases() -> Vec<Release> {
        let text = "OTP-26.2.5.6 a 2024-11-01T00:00:00Z\n\
                    OTP-27.0 b 2024-05-20T00:00:00Z\n\
                    OTP-27.1.2 c 2024-10-17T00:00:00Z\n\
                    OTP-28.0-rc1 d 2025-02-12T00:00:00Z\n\
                    maint e 2025-02-12T00:00:00Z\n\
                    master f 2025-02-12T00:00:00Z\n";
        let mut all: Vec<Release> = hexbuilds::parse(text, "u", "l")
            .unwrap()
            .iter()
            .filter_map(release)
            .collect();
        all.reverse();
        all
    }

    #[test]
    fn versions_as_asdf_and_mise_users_write_them() {
        let all = releases();
        let pick = |r: &str| Erlang.pick(&all, r).map(|r| r.id);
        assert_eq!(pick("27").unwrap(), "OTP-27.1.2");
        assert_eq!(pick("27.1.2").unwrap(), "OTP-27.1.2");
        assert_eq!(pick("OTP-27.1.2").unwrap(), "OTP-27.1.2");
        assert_eq!(pick("26").unwrap(), "OTP-26.2.5.6");
        assert_eq!(
            pick("latest").unwrap(),
            "OTP-27.1.2",
            "no release candidate"
        );
        assert_eq!(pick("28.0-rc1").unwrap(), "OTP-28.0-rc1", "named exactly");
        let missing = pick("25").unwrap_err();
        assert!(missing.is_request());
        assert!(
            missing.to_string().contains(
                "no version of erlang matches `25`; the newest are 27.1.2, 27.0, 26.2.5.6"
            ),
            "{missing}"
        );
        assert!(pick("maint").unwrap_err().is_request());
    }

    #[test]
    fn the_install_step_writes_the_store_path_into_erl() {
        let linux: Platform = "linux-x86_64".parse().unwrap();
        let layout = Erlang.layout("27.1.2", &linux);
        assert_eq!(layout.strip_components, 1);
        assert_eq!(
            layout.post_install.as_deref(),
            Some("./Install -cross -minimal \"$VX_INSTALL_DIR\"")
        );
        for b in ["bin/erl", "bin/erlc", "bin/escript"] {
            assert!(layout.bin.contains(&b.to_owned()), "{b}");
        }
    }

    #[test]
    fn the_note_names_the_ubuntu_build_and_its_glibc() {
        let download = Download {
            url: format!("{BASE}/amd64/ubuntu-22.04/OTP-27.1.2.tar.gz"),
            sha256: String::new(),
            checksum: String::new(),
            format: ArchiveFormat::TarGz,
            alternatives: Vec::new(),
        };
        assert_eq!(
            Erlang.note(&download).unwrap(),
            "the ubuntu-22.04 build (runs on glibc 2.35 or newer)"
        );
    }
}
