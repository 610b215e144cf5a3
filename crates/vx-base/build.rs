//! What `vx --version` says beyond Cargo's version: the commit it was built from, the
//! build date and the target, passed to the crate as `VX_BUILD_*` variables
//! (`crates/vx-base/src/build_info.rs` reads them).
//!
//! - `VX_RELEASE_VERSION` (when set and not empty) replaces `CARGO_PKG_VERSION` as the
//!   version compiled in: `scripts/dist/build.sh` and the tests build releases of any
//!   version from one checkout.
//! - The commit is `git rev-parse --short=12 HEAD` when git and a repository are there,
//!   else `VX_BUILD_COMMIT` from the environment (a source archive's builder may say
//!   it), else `unknown`. A release build reruns this script when `HEAD` moves; a
//!   debug build does not (it keeps the commit of its first build), so that a commit
//!   does not recompile the whole crate on a machine several developers share.
//! - The date is `SOURCE_DATE_EPOCH`'s (reproducible builds) or today's, in UTC.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=VX_RELEASE_VERSION");
    println!("cargo:rerun-if-env-changed=VX_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=build.rs");

    let version = std::env::var("VX_RELEASE_VERSION")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| std::env::var("CARGO_PKG_VERSION").unwrap_or_default());
    let version = version.trim().trim_start_matches('v').to_owned();
    if !is_version(&version) {
        panic!("VX_RELEASE_VERSION={version:?} is not a version (MAJOR.MINOR.PATCH[-PRE])");
    }
    println!("cargo:rustc-env=VX_BUILD_VERSION={version}");

    let commit = git_commit()
        .or_else(|| std::env::var("VX_BUILD_COMMIT").ok().filter(|c| is_word(c)))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=VX_BUILD_COMMIT={commit}");

    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=VX_BUILD_DATE={}", date(seconds));
    println!(
        "cargo:rustc-env=VX_BUILD_TARGET={}",
        std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned())
    );
    println!(
        "cargo:rustc-env=VX_BUILD_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_else(|_| "unknown".to_owned())
    );
}

/// `MAJOR.MINOR.PATCH` with an optional `-PRE` of letters, digits, dots and hyphens.
fn is_version(text: &str) -> bool {
    let (core, pre) = text.split_once('-').unwrap_or((text, ""));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && pre
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// Letters, digits and `-`, at most 64: safe to compile into a version line.
fn is_word(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The short commit of `HEAD`; `None` without git or outside a repository. A release
/// build reruns this script when `HEAD` or the branch it names moves.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| is_word(c))?;
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        // A worktree's HEAD and refs live where git says, not always in .git/.
        let branch = git(&["rev-parse", "--symbolic-full-name", "HEAD"]);
        for path in std::iter::once("HEAD").chain(branch.as_deref()) {
            // A missing file (a packed ref) would rerun the script on every build.
            if let Some(file) = git(&["rev-parse", "--git-path", path])
                .filter(|file| std::path::Path::new(file).exists())
            {
                println!("cargo:rerun-if-changed={file}");
            }
        }
    }
    Some(commit)
}

/// `YYYY-MM-DD` of `seconds` since the epoch, in UTC (Howard Hinnant's
/// `civil_from_days`).
fn date(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
