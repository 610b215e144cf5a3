//! Arbitrary bytes as a runtime publisher's index, the first byte
//! choosing which, each read by the same function `vx` uses on the server's answer:
//!
//! 0. nodejs.org `dist/index.json` (`runtime::declared::index::parse`, node.toml's
//!    json-list declaration);
//! 1. a declared `lines` index (the same function);
//! 2. python-build-standalone's `SHA256SUMS` (`runtime::python::releases_in_sums`);
//! 3. builds.hex.pm's OTP `builds.txt` (`hexbuilds::parse`, `erlang::releases_of`);
//! 4. builds.hex.pm's Elixir `builds.txt` (`hexbuilds::parse`, `elixir::releases_of`);
//! 5. Adoptium's `available_releases` and `release_versions` pages, split at NUL
//!    (`java::list`);
//! 6. Adoptium's `feature_releases` pages, split at NUL (`java::resolve`);
//! 7. go.dev's download list (`go::releases_in`, `go::resolve`);
//! 8. GitHub's release list of jdx/ruby (`ruby::releases_of`) and rust-lang/rust
//!    (`rust::releases_of`);
//! 9. a Rust channel manifest (`rust::resolve`).
//!
//! Nothing may panic or hang; a listing's releases are each a version that parses
//! back, distinct where vx de-duplicates, newest first where vx sorts; a download is a
//! sha256 of 64 lower-case hex digits (or none, where the publisher's oldest lines
//! have none).

use vx_model::manifest::Platform;
use vx_model::manifest::platform::Libc;

use crate::runtime::declared::format::{self, Versions};
use crate::runtime::declared::index;
use crate::runtime::version::Numeric;
use crate::runtime::{
    Release, Resolved, RuntimeError, elixir, erlang, go, hexbuilds, java, python, ruby, rust,
};

/// vx's node declaration, as the binary embeds it.
const NODE: &str = include_str!("../runtime/declared/node.toml");

/// The platforms a download is resolved for.
fn platforms() -> [Platform; 5] {
    [
        Platform::new("linux", "x86_64"),
        Platform::new("linux", "aarch64").with_libc(Libc::Musl),
        Platform::new("macos", "aarch64"),
        Platform::new("windows", "x86_64"),
        Platform::new("freebsd", "riscv64"),
    ]
}

fn release(version: &str, id: &str) -> Release {
    Release {
        version: version.to_owned(),
        id: id.to_owned(),
        lts: None,
        published_at: None,
        prerelease: false,
    }
}

/// Each version parses back as a version.
fn parse_back(releases: &[Release]) {
    for r in releases {
        assert!(
            Numeric::parse(&r.version).is_some(),
            "version {:?}",
            r.version
        );
    }
}

/// No version twice.
fn distinct(releases: &[Release]) {
    let mut seen = std::collections::HashSet::new();
    for r in releases {
        assert!(seen.insert(r.version.as_str()), "{:?} twice", r.version);
    }
}

/// Newest first by `key`.
fn newest_first(releases: &[Release], key: impl Fn(&str) -> Option<Numeric>) {
    for pair in releases.windows(2) {
        assert!(
            key(&pair[0].version) >= key(&pair[1].version),
            "{:?} before {:?}",
            pair[0].version,
            pair[1].version
        );
    }
}

/// A download's sha256 is one.
fn resolved(answer: Result<Resolved, RuntimeError>, may_lack_sha: bool) {
    match answer {
        Ok(Resolved::Download(d)) => {
            let sha = &d.sha256;
            assert!(
                (sha.is_empty() && may_lack_sha)
                    || (sha.len() == 64
                        && sha
                            .bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))),
                "sha256 {sha:?}"
            );
        }
        Ok(Resolved::Unsupported(why)) => assert!(!why.is_empty()),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// `text` split at NUL into pages, each answered with a URL.
fn pages(text: &str) -> Vec<(String, std::rc::Rc<str>)> {
    text.split('\0')
        .enumerate()
        .map(|(n, t)| {
            (
                format!("https://api.adoptium.net/v3/page/{n}"),
                std::rc::Rc::from(t),
            )
        })
        .collect()
}

/// The target's bytes, read as this module's docs say.
pub fn runtime_index(data: &[u8]) {
    let Some((which, text)) = super::choice_and_text(data) else {
        return;
    };
    match which % 10 {
        0 | 1 => {
            let versions = if which % 10 == 0 {
                format::parse(NODE).expect("node.toml").versions
            } else {
                Versions::Lines {
                    url: "https://example.com/versions.txt".to_owned(),
                    strip_prefix: "v".to_owned(),
                }
            };
            if let Ok(listed) = index::parse(
                &versions,
                text,
                "https://nodejs.org/dist/index.json",
                "node release index",
            ) {
                for l in &listed {
                    assert_eq!(l.release.id, format!("v{}", l.release.version));
                    assert!(vx_base::validate::version(&l.release.version).is_ok());
                }
                let releases: Vec<Release> = listed.into_iter().map(|l| l.release).collect();
                parse_back(&releases);
            }
        }
        2 => {
            let releases = python::releases_in_sums("20250115", text);
            distinct(&releases);
            assert!(releases.iter().all(|r| r.id == "20250115"));
        }
        3 | 4 => {
            let what = "builds.hex.pm build list";
            let Ok(builds) = hexbuilds::parse(text, "https://builds.hex.pm/builds.txt", what)
            else {
                return;
            };
            if which % 10 == 3 {
                let releases = erlang::releases_of(&builds);
                parse_back(&releases);
                distinct(&releases);
                newest_first(&releases, Numeric::parse);
                assert!(
                    releases
                        .iter()
                        .all(|r| r.id == format!("OTP-{}", r.version))
                );
            } else {
                let releases = elixir::releases_of(&builds);
                assert!(releases.iter().all(|r| r.id == format!("v{}", r.version)));
            }
        }
        5 => {
            let mut all = pages(text);
            let available = all.remove(0).1;
            let answer = java::list(
                &available,
                "https://api.adoptium.net/v3/info/available_releases",
                |n| Ok(all.get(n).cloned()),
            );
            if let Ok(releases) = answer {
                distinct(&releases);
            }
        }
        6 => {
            let all = pages(text);
            for platform in platforms() {
                for (version, id) in [
                    ("21.0.5+11", "21.0.5+11.0.LTS"),
                    ("17.0.4.1+1", "17.0.4.1+1"),
                    ("x", "x"),
                ] {
                    let answer = java::resolve(&release(version, id), &platform, |_, n| {
                        Ok(all.get(n).cloned())
                    });
                    resolved(answer, false);
                }
            }
        }
        7 => {
            let Ok(releases) = go::releases_in(text) else {
                return;
            };
            parse_back(&releases);
            for r in releases.iter().take(3) {
                for platform in platforms() {
                    resolved(go::resolve(text, r, &platform), false);
                }
            }
        }
        8 => {
            let Ok(listed) = serde_json::from_str::<Vec<crate::github::Release>>(text) else {
                return;
            };
            let releases = ruby::releases_of(&listed);
            parse_back(&releases);
            distinct(&releases);
            newest_first(&releases, Numeric::parse);
            let releases = rust::releases_of(&listed);
            parse_back(&releases);
            newest_first(&releases, Numeric::parse);
        }
        _ => {
            let url = "https://static.rust-lang.org/dist/channel-rust-1.83.0.toml";
            for platform in platforms() {
                for r in [
                    release("1.83.0", "1.83.0"),
                    release("nightly-2024-11-20", "nightly-2024-11-20"),
                ] {
                    resolved(rust::resolve(text, url, &r, &platform), false);
                }
            }
        }
    }
}
