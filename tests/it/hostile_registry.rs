//! Registry packages that would make `vx lock` write what no later command accepts, or
//! lock trust-on-first-download behind a user's back: files that escape the install,
//! and a declared checksum file that cannot be used. Each is refused by `vx lock`,
//! naming the package (or the checksum file) and why, and no lock is written.

use crate::common;

use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::github::{FixtureRelease, GithubFixture};
use vx_fixture::{Item, archive_bytes, sha256_hex};

/// Go's names of this platform, as aqua templates them.
fn go_here() -> (String, &'static str, &'static str) {
    let here = vx_model::manifest::Platform::current().to_string();
    let (os, arch) = go_names(&here);
    (here, os, arch)
}

/// A loopback GitHub with release `v1.0.0` of `acme/evil`: this platform's
/// `evil_OS_ARCH.tar.gz` (no digest of GitHub's) and a `checksums.txt` of `sums`
/// (`None`: the archive's real line).
fn github(sums: Option<Vec<u8>>) -> GithubFixture {
    let (_, os, arch) = go_here();
    let asset = format!("evil_{os}_{arch}.tar.gz");
    let bytes = archive_bytes(
        ArchiveFormat::TarGz,
        &[Item::File("evil", b"#!/bin/sh\n".to_vec(), 0o755)],
    );
    let sums = sums.unwrap_or_else(|| format!("{}  {asset}\n", sha256_hex(&bytes)).into_bytes());
    GithubFixture::builder()
        .release(
            "acme",
            "evil",
            FixtureRelease::new("v1.0.0")
                .published("2024-01-01T00:00:00Z")
                .asset_without_digest(&asset, bytes)
                .asset_without_digest("checksums.txt", sums),
        )
        .start()
        .unwrap()
}

/// A project whose registry holds the one package `acme/evil` with `extra` (YAML
/// lines of the package, indented by four) and whose manifest asks for it.
fn project(work: &Work, extra: &str) {
    let (here, _, _) = go_here();
    let registry = format!(
        "packages:\n  - type: github_release\n    repo_owner: acme\n    repo_name: evil\n    asset: evil_{{{{.OS}}}}_{{{{.Arch}}}}.tar.gz\n{extra}"
    );
    std::fs::write(work.dir.path().join("registry.yaml"), registry).unwrap();
    work.write_manifest(&format!(
        "[settings]\nplatforms = [\"{here}\"]\nregistries = [{{ name = \"test\", path = \"registry.yaml\" }}]\n\n[tools]\nevil = \"1\"\n"
    ));
}

const CHECKSUMS: &str = "    checksum:\n      type: github_release\n      asset: checksums.txt\n      algorithm: sha256\n";

/// `vx lock` against `github`: its exit code and what it said.
fn lock(work: &Work, github: &GithubFixture) -> (Option<i32>, String) {
    let mut cmd = work.vx();
    isolated(&mut cmd, &work.dir.path().join("home"));
    let output = cmd
        .env("VX_GITHUB_URL", github.web_url())
        .env("VX_CACHE_DIR", work.dir.path().join("cache"))
        .args(["lock", "--headless"])
        .output()
        .unwrap();
    let text = both(&output);
    (output.status.code(), text)
}

#[test]
fn a_package_whose_files_escape_the_install_is_refused_by_vx_lock_by_name() {
    for files in [
        "      - name: evil\n        src: ../../../x\n",
        "      - name: evil\n        src: /etc/passwd\n",
        "      - name: ../../x\n        src: evil\n",
    ] {
        // Locked from the checksum file, and by downloading it (no checksum declared).
        for checksums in [CHECKSUMS, ""] {
            let work = Work::new();
            let github = github(None);
            project(&work, &format!("    files:\n{files}{checksums}"));
            let (code, text) = lock(&work, &github);
            assert_eq!(code, Some(2), "{files}: {text}");
            assert!(
                text.contains("registry package test:acme/evil v1.0.0 on "),
                "{files}: {text}"
            );
            assert!(!text.contains("vx.lock:"), "{files}: {text}");
            assert!(
                !work.dir.path().join("vx.lock").exists(),
                "{files}: nothing is locked"
            );
        }
    }
}

#[test]
fn a_checksum_file_without_the_assets_line_is_an_error_naming_it() {
    let work = Work::new();
    let github = github(Some(
        format!("{}  other.tar.gz\n", "a".repeat(64)).into_bytes(),
    ));
    project(&work, CHECKSUMS);
    let (code, text) = lock(&work, &github);
    assert_eq!(code, Some(2), "{text}");
    let (_, os, arch) = go_here();
    assert!(
        text.contains("checksums.txt cannot be used: no line names ")
            && text.contains(&format!("evil_{os}_{arch}.tar.gz")),
        "{text}"
    );
    assert!(!work.dir.path().join("vx.lock").exists());
}

#[test]
fn a_checksum_pattern_that_matches_nothing_is_an_error_naming_the_file() {
    let work = Work::new();
    let github = github(None);
    project(
        &work,
        &format!(
            "{CHECKSUMS}      file_format: regexp\n      pattern:\n        checksum: ^NOPE([a-f0-9]{{64}})\n        file: \"^\\\\S+\\\\s+(\\\\S+)$\"\n"
        ),
    );
    let (code, text) = lock(&work, &github);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(
            "checksums.txt cannot be used: the registry's pattern matches no checksum for "
        ),
        "{text}"
    );
}

#[test]
fn a_checksum_file_over_the_limit_is_an_error_naming_it() {
    let work = Work::new();
    let github = github(Some(vec![b'a'; 5 << 20]));
    project(&work, CHECKSUMS);
    let (code, text) = lock(&work, &github);
    assert_ne!(code, Some(0), "{text}");
    assert!(
        text.contains("checksums.txt cannot be used: ") && text.contains("larger than"),
        "{text}"
    );
    assert!(!work.dir.path().join("vx.lock").exists());
}

/// A project's `url_replacements` with `rule` (a TOML key = value).
fn with_rule(work: &Work, rule: &str) {
    let toml = std::fs::read_to_string(work.manifest()).unwrap().replace(
        "[settings]\n",
        &format!("[settings]\nurl_replacements = {{ {rule} }}\n"),
    );
    work.write_manifest(&toml);
}

#[test]
fn a_projects_url_replacements_cannot_point_at_local_files() {
    let work = Work::new();
    let github = github(None);
    project(&work, CHECKSUMS);
    let sums = work.dir.path().join("sums");
    std::fs::write(&sums, "x").unwrap();
    // A prefix rule to file:// is refused where it is written.
    with_rule(
        &work,
        &format!("\"http://\" = \"file://{}/\"", work.dir.path().display()),
    );
    let (code, text) = lock(&work, &github);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("vx.toml:2:")
            && text.contains(
                "a project's url_replacements may rewrite to http:// or https:// URLs only"
            ),
        "{text}"
    );
    // A pattern's group can make anything (here a bare path): the rewritten URL is
    // checked when it is fetched, and refused.
    project(&work, CHECKSUMS);
    with_rule(&work, "\"regex:^http://[^/]+/(.*checksums.txt)$\" = \"$1\"");
    let (code, text) = lock(&work, &github);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not an http:// or https:// URL"), "{text}");
}
