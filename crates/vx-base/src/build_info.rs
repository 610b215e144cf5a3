//! What this vx binary is: its version (`VX_RELEASE_VERSION` at build time, else
//! Cargo's), the commit and date it was built from, its target, and the release target
//! whose archive replaces it on `vx self update`. `build.rs` sets the `VX_BUILD_*`
//! variables read here.

/// The version compiled in (`0.1.0`, no `v`).
pub const VERSION: &str = env!("VX_BUILD_VERSION");
/// The commit built from (12 hex digits), or `unknown` outside a git checkout.
pub const COMMIT: &str = env!("VX_BUILD_COMMIT");
/// The build date, `YYYY-MM-DD` in UTC.
pub const DATE: &str = env!("VX_BUILD_DATE");
/// The target triple this binary was built for.
pub const TARGET: &str = env!("VX_BUILD_TARGET");
/// Cargo's profile (`release`, `debug`).
pub(crate) const PROFILE: &str = env!("VX_BUILD_PROFILE");

/// What `vx --version` prints after `vx `: `0.1.0 (0f5104f2a1b3 2026-11-24)`.
pub const VERSION_LINE: &str = concat!(
    env!("VX_BUILD_VERSION"),
    " (",
    env!("VX_BUILD_COMMIT"),
    " ",
    env!("VX_BUILD_DATE"),
    ")"
);

/// The release set's target whose archive is this platform's (`vx-release.json`'s
/// `targets` key): one static musl binary serves every Linux of an architecture, and
/// Windows' is built with the GNU toolchain. `None` on a platform no release is built
/// for.
pub const RELEASE_TARGET: Option<&str> = release_target();

const fn release_target() -> Option<&'static str> {
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        Some("x86_64-unknown-linux-musl")
    } else if cfg!(all(target_os = "linux", target_arch = "aarch64")) {
        Some("aarch64-unknown-linux-musl")
    } else if cfg!(all(target_os = "macos", target_arch = "x86_64")) {
        Some("x86_64-apple-darwin")
    } else if cfg!(all(target_os = "macos", target_arch = "aarch64")) {
        Some("aarch64-apple-darwin")
    } else if cfg!(all(target_os = "windows", target_arch = "x86_64")) {
        Some("x86_64-pc-windows-gnu")
    } else {
        None
    }
}

/// The lines of `vx --version --verbose`: the version line, then the commit, date,
/// target, release target, profile and what is built in (vx has no optional Cargo
/// features: every build has the same TLS stack and signature checks).
pub fn verbose() -> String {
    format!(
        "vx {VERSION_LINE}\ncommit: {COMMIT}\nbuild date: {DATE}\ntarget: {TARGET}\n\
         release target: {}\nprofile: {PROFILE}\n\
         built in: rustls (TLS), minisign, cosign, sigstore\n",
        RELEASE_TARGET.unwrap_or("none"),
    )
}

/// The version a `vx --version` line reports: the word after `vx ` on its first line
/// (`vx 0.2.0 (abc 2026-01-01)` → `0.2.0`), so an update can check what the binary it
/// is about to install says it is.
pub fn reported_version(output: &str) -> Option<&str> {
    let first = output.lines().next()?.trim();
    let rest = first.strip_prefix("vx ")?;
    rest.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_line_starts_with_the_version() {
        assert!(VERSION_LINE.starts_with(VERSION));
        assert_eq!(
            reported_version(&format!("vx {VERSION_LINE}\n")),
            Some(VERSION)
        );
    }

    #[test]
    fn a_version_is_read_only_from_a_vx_line() {
        assert_eq!(reported_version("vx 0.2.0\n"), Some("0.2.0"));
        assert_eq!(reported_version("vx 1.0.0 (abc 2026-01-01)"), Some("1.0.0"));
        assert_eq!(reported_version("uv 0.2.0"), None);
        assert_eq!(reported_version(""), None);
        assert_eq!(reported_version("vx "), None);
    }
}
