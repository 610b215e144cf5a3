//! The lock's rules from a trial with third-party release archives (issue 26): a
//! `--frozen` lock of another version is refused, a sync never shrinks the lock, the
//! store knows bytes by their hash, a failed first sync writes no lock, `vx lock`
//! checks `bin` against each archive's listing without unpacking it and says what it
//! did not lock, a layout-only edit downloads nothing, a URL shared by every platform
//! is warned about, UNVERIFIED goes once a hash is pinned, tools for some platforms
//! only (`os`), and placeholders (`bin` takes them; an unknown one is an error).

use crate::common;

use common::*;
use predicates::prelude::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// Archives of `tool` for `versions` on every platform of [`platforms`], at
/// `/tool-VERSION-OS-ARCH.tar.gz`, each different; with `missing` paths left out.
fn routes(tool: &str, versions: &[&str], missing: &[String]) -> Vec<(String, Route)> {
    let mut out = Vec::new();
    for (v, version) in versions.iter().enumerate() {
        for (i, platform) in locked_platforms().iter().enumerate() {
            let (os, arch) = platform.split_once('-').unwrap();
            let path = format!("/{tool}-{version}-{os}-{arch}.tar.gz");
            if missing.contains(&path) {
                continue;
            }
            let seed = (v * 10 + i) as u64;
            let body = archive(ArchiveFormat::TarGz, noise_seeded(1000 + i, seed));
            out.push((path, Route::Ok(body)));
        }
    }
    out
}

fn body_of(routes: &[(String, Route)], path: &str) -> Vec<u8> {
    match routes.iter().find(|(p, _)| p == path) {
        Some((_, Route::Ok(body))) => body.clone(),
        _ => panic!("no body for {path}"),
    }
}

fn manifest_of(base: &str, version: &str, extra: &str) -> String {
    format!(
        r#"[settings]
platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64"]

[tools.multi]
version = "{version}"
url = "{base}/multi-{{version}}-{{os}}-{{arch}}.tar.gz"
strip_components = 1
{extra}
"#
    )
}

fn lock_of(work: &Work) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(work.dir.path().join("vx.lock")).unwrap()).unwrap()
}

fn vx_lock(work: &Work, extra: &[&str], code: i32) -> (String, String) {
    output_of(work.vx().arg("lock").args(extra).arg("--headless"), code)
}

fn here() -> String {
    vx_model::manifest::Platform::current().to_string()
}

/// Item 1: `--frozen` with a lock of another version installs nothing and says so.
#[test]
fn frozen_refuses_a_lock_of_another_version() {
    let work = Work::new();
    let server = TestServer::start(routes("multi", &["1.0", "2.0"], &[]));
    work.write_manifest(&manifest_of(&server.url(""), "1.0", ""));
    vx_lock(&work, &[], 0);
    work.write_manifest(&manifest_of(&server.url(""), "2.0", ""));
    work.sync(&["--frozen", "--headless"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "vx.lock has multi 1.0 but vx.toml asks for multi 2.0",
        ));
    assert!(!work.store().join("multi").exists(), "nothing installed");
}

/// Item 2: a version bump re-locks every platform the lock covered, so the lock
/// stays whole and `--check` passes on every platform's CI.
#[test]
fn a_version_bump_relocks_every_platform_the_lock_covered() {
    let work = Work::new();
    let served = routes("multi", &["1.0", "2.0"], &[]);
    let server = TestServer::start(served.clone());
    work.write_manifest(&manifest_of(&server.url(""), "1.0", ""));
    vx_lock(&work, &[], 0);
    work.write_manifest(&manifest_of(&server.url(""), "2.0", ""));
    work.sync(&["--headless"]).assert().code(0);
    let lock = lock_of(&work);
    let multi = &lock["tools"]["multi"];
    assert_eq!(multi["version"].as_str(), Some("2.0"));
    let locked = multi["platforms"].as_table().unwrap();
    let mut want = vec!["linux-x86_64", "macos-aarch64", "windows-x86_64"];
    if !want.contains(&here().as_str()) {
        want.push(Box::leak(here().into_boxed_str()));
    }
    want.sort();
    assert_eq!(
        locked.keys().collect::<Vec<_>>(),
        want,
        "no platform dropped"
    );
    for (platform, entry) in locked {
        let (os, arch) = platform.split_once('-').unwrap();
        let path = format!("/multi-2.0-{os}-{arch}.tar.gz");
        assert_eq!(
            entry["sha256"].as_str(),
            Some(sha256_hex(&body_of(&served, &path)).as_str()),
            "{platform}"
        );
        assert!(entry.get("stale").is_none(), "{platform}: {entry}");
    }
    let hits = server.hits();
    let (out, _) = vx_lock(&work, &["--check"], 0);
    assert!(out.contains("up to date"), "{out}");
    assert_eq!(server.hits(), hits);
}

/// Item 2, when another platform cannot be re-locked: its old entry stays, marked
/// stale, and the sync says so and exits 1.
#[test]
fn a_platform_that_cannot_be_relocked_stays_marked_stale() {
    let work = Work::new();
    let gone = vec!["/multi-2.0-macos-aarch64.tar.gz".to_owned()];
    let server = TestServer::start(routes("multi", &["1.0", "2.0"], &gone));
    work.write_manifest(&manifest_of(&server.url(""), "1.0", ""));
    vx_lock(&work, &[], 0);
    let before = lock_of(&work);
    work.write_manifest(&manifest_of(&server.url(""), "2.0", ""));
    work.sync(&["--headless"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "not locked for macos-aarch64: multi",
        ));
    let lock = lock_of(&work);
    let mac = &lock["tools"]["multi"]["platforms"]["macos-aarch64"];
    assert_eq!(mac["stale"].as_bool(), Some(true), "{mac}");
    assert_eq!(
        mac["sha256"], before["tools"]["multi"]["platforms"]["macos-aarch64"]["sha256"],
        "the old entry is kept"
    );
    let (out, _) = vx_lock(&work, &["--check"], 1);
    assert!(out.contains("stale for multi"), "{out}");
    // This platform's entry is fresh: CI here passes with --locked.
    work.sync(&["--locked", "--headless"]).assert().code(0);
}

/// Item 3: the same bytes from another URL (a mirror, another project) are the same
/// install: cached, not downloaded again, not reinstalled over the other's.
#[test]
fn the_same_bytes_from_a_mirror_url_are_already_installed() {
    let body = archive(ArchiveFormat::TarGz, noise_seeded(3000, 7));
    let sha = sha256_hex(&body);
    let origin = TestServer::start([("/tool.tar.gz", Route::Ok(body.clone()))]);
    let mirror = TestServer::start([("/mirror/tool.tar.gz", Route::Ok(body))]);
    let first = Work::new();
    let second = Work::new();
    let store = first.store();
    for (work, url) in [
        (&first, origin.url("/tool.tar.gz")),
        (&second, mirror.url("/mirror/tool.tar.gz")),
    ] {
        work.write_manifest(&format!(
            "[tools.tool]\nversion = \"1\"\nurl = \"{url}\"\nsha256 = \"{sha}\"\nstrip_components = 1\n"
        ));
    }
    first.sync(&["--headless"]).assert().code(0);
    let summary = summary(&json_lines(&stdout_of(
        second.vx().args(["sync", "--json", "--store"]).arg(&store),
        0,
    )));
    assert_eq!(summary["tool"]["result"], "cached", "{}", summary["tool"]);
    assert_eq!(mirror.hits(), 0, "nothing downloaded from the mirror");
    // And back: the first project still finds its tool installed.
    let again = summary_of(&first, &store);
    assert_eq!(again["tool"]["result"], "cached");
    assert_eq!(origin.hits(), 1);
}

fn summary_of(
    work: &Work,
    store: &std::path::Path,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    summary(&json_lines(&stdout_of(
        work.vx().args(["sync", "--json", "--store"]).arg(store),
        0,
    )))
}

/// Item 4: a first sync whose tools all fail leaves no `vx.lock` at all.
#[test]
fn a_failed_first_sync_writes_no_lock() {
    let work = Work::new();
    let server = TestServer::start([("/other", Route::Ok(Vec::new()))]);
    work.write_manifest(&format!(
        "[tools.gone]\nversion = \"1\"\nurl = \"{}\"\n",
        server.url("/gone.tar.gz")
    ));
    work.sync(&["--headless"]).assert().code(1);
    assert!(!work.dir.path().join("vx.lock").exists());
}

/// Item 5 and 7: `vx lock` checks `bin` per platform against the archive's listing
/// (nothing unpacked, nothing "installed"), and its last line names what it did not
/// lock.
#[test]
fn vx_lock_checks_bin_and_names_what_it_did_not_lock() {
    let work = Work::new();
    let server = TestServer::start(routes("multi", &["1.0"], &[]));
    work.write_manifest(&manifest_of(
        &server.url(""),
        "1.0",
        "bin = [\"nope/tool\"]",
    ));
    let (out, err) = vx_lock(&work, &[], 1);
    assert!(
        out.contains("bin `nope/tool` is not in the archive"),
        "{out}"
    );
    assert!(
        !out.contains("UNVERIFIED") && !out.contains("into /"),
        "a lock installs nothing: {out}"
    );
    assert!(
        err.contains("vx.lock is incomplete for linux-x86_64, macos-aarch64, windows-x86_64"),
        "{err}"
    );
    assert!(!err.contains("vx: locked"), "{err}");
    assert!(!work.dir.path().join("vx.lock").exists());

    // The right path locks, and the listing is checked for each platform.
    work.write_manifest(&manifest_of(&server.url(""), "1.0", "bin = [\"bin/tool\"]"));
    let (out, err) = vx_lock(&work, &[], 0);
    assert!(
        out.contains("vx: locking 1 tool from") && out.contains("for linux-x86_64"),
        "{out}"
    );
    assert!(
        out.contains("1 tool in") && out.contains(": 1 locked,"),
        "{out}"
    );
    assert!(
        err.contains("locked ") && err.contains("for linux-x86_64, macos-aarch64, windows-x86_64"),
        "{err}"
    );
}

/// Item 7: two platforms that answer 404 are named; the one that worked is locked.
#[test]
fn vx_lock_names_the_platforms_it_could_not_lock() {
    let work = Work::new();
    let gone = vec![
        "/multi-1.0-macos-aarch64.tar.gz".to_owned(),
        "/multi-1.0-windows-x86_64.tar.gz".to_owned(),
    ];
    let server = TestServer::start(routes("multi", &["1.0"], &gone));
    work.write_manifest(&manifest_of(&server.url(""), "1.0", ""));
    let (_, err) = vx_lock(&work, &[], 1);
    assert!(err.contains("not locked for macos-aarch64: multi"), "{err}");
    assert!(
        err.contains("not locked for windows-x86_64: multi"),
        "{err}"
    );
    let last = err.lines().last().unwrap();
    assert!(
        last.contains("locked")
            && last.contains("for linux-x86_64; incomplete for macos-aarch64, windows-x86_64"),
        "{last}"
    );
    let lock = lock_of(&work);
    let locked = lock["tools"]["multi"]["platforms"].as_table().unwrap();
    assert_eq!(locked.keys().collect::<Vec<_>>(), ["linux-x86_64"]);
}

/// Item 8: editing only `bin` (the layout) downloads nothing, and the lock records it.
#[test]
fn a_layout_only_edit_downloads_nothing() {
    let work = Work::new();
    let server = TestServer::start(routes("multi", &["1.0"], &[]));
    work.write_manifest(&manifest_of(&server.url(""), "1.0", ""));
    vx_lock(&work, &[], 0);
    let before = lock_of(&work);
    let hits = server.hits();
    work.write_manifest(&manifest_of(&server.url(""), "1.0", "bin = [\"bin/tool\"]"));
    let (out, _) = vx_lock(&work, &["--check"], 1);
    assert!(out.contains("stale for multi"), "{out}");
    vx_lock(&work, &[], 0);
    assert_eq!(server.hits(), hits, "no download for a layout edit");
    let after = lock_of(&work);
    let (b, a) = (&before["tools"]["multi"], &after["tools"]["multi"]);
    assert_eq!(a["platforms"], b["platforms"]);
    assert_eq!(a["inputs"], b["inputs"]);
    assert_ne!(a["layout"], b["layout"]);
    vx_lock(&work, &["--check"], 0);
}

/// Item 9: one URL for every platform of a tool without `os` is warned about, once.
#[test]
fn one_url_for_every_platform_is_warned_about_once() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise_seeded(500, 1));
    let server = TestServer::start([("/wheel-py3-none-linux.tar.gz", Route::Ok(body))]);
    let url = server.url("/wheel-py3-none-linux.tar.gz");
    work.write_manifest(&format!(
        "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\"]\n\n[tools.wheel]\nversion = \"1\"\nurl = \"{url}\"\n"
    ));
    let (_, err) = vx_lock(&work, &[], 0);
    assert_eq!(
        err.matches("warning: wheel has one url for linux-x86_64, macos-aarch64")
            .count(),
        1,
        "{err}"
    );
    // Saying where it runs silences it, and the lock then covers only that.
    work.write_manifest(&format!(
        "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\"]\n\n[tools.wheel]\nversion = \"1\"\nurl = \"{url}\"\nos = [\"linux\"]\n"
    ));
    let (_, err) = vx_lock(&work, &[], 0);
    assert!(!err.contains("warning"), "{err}");
    let lock = lock_of(&work);
    let locked = lock["tools"]["wheel"]["platforms"].as_table().unwrap();
    assert_eq!(locked.keys().collect::<Vec<_>>(), ["linux-x86_64"]);
}

/// Item 10: a tool installed on trust loses its UNVERIFIED mark once the lock pins
/// its hash.
#[test]
fn unverified_goes_once_the_hash_is_locked() {
    let work = Work::new();
    let server = TestServer::start(routes("multi", &["1.0"], &[]));
    work.write_manifest(&manifest_of(&server.url(""), "1.0", ""));
    work.sync(&["--headless"]).assert().code(0);
    let out = stdout_of(
        work.vx()
            .args(["list", "--json", "--store"])
            .arg(work.store()),
        0,
    );
    let items = json_lines(&out);
    let multi = items.iter().find(|i| i["tool"] == "multi").unwrap();
    assert_eq!(multi["unverified"], false, "{multi}");
}

/// Item 13: a tool for some platforms only is skipped elsewhere (not a failure), and
/// locked only for its platforms.
#[test]
fn a_tool_for_other_platforms_is_skipped_here_and_locked_only_there() {
    let work = Work::new();
    let served = routes("multi", &["1.0"], &[]);
    let server = TestServer::start(served);
    let here = vx_model::manifest::Platform::current();
    let elsewhere = if here.os == "windows" {
        "linux"
    } else {
        "windows"
    };
    work.write_manifest(&format!(
        "{}\n[tools.other]\nversion = \"1.0\"\nurl = \"{}/multi-{{version}}-{{os}}-{{arch}}.tar.gz\"\nstrip_components = 1\nos = [\"{elsewhere}\"]\n",
        manifest_of(&server.url(""), "1.0", ""),
        server.url("")
    ));
    work.sync(&["--headless"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(format!("not for {here}: other")));
    assert!(!work.store().join("other").exists());
    vx_lock(&work, &[], 0);
    let lock = lock_of(&work);
    let locked: Vec<&String> = lock["tools"]["other"]["platforms"]
        .as_table()
        .unwrap()
        .keys()
        .collect();
    let want = if elsewhere == "windows" {
        vec!["windows-x86_64"]
    } else {
        vec!["linux-x86_64"]
    };
    assert_eq!(locked, want);
    vx_lock(&work, &["--check"], 0);
    work.sync(&["--locked", "--headless"]).assert().code(0);
    let store = work.store();
    work.vx()
        .args(["env", "--shell", "bash", "--store"])
        .arg(&store)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("not for"));
    work.vx()
        .args(["which", "other", "--store"])
        .arg(&store)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("other is not for {here}")));
    work.vx()
        .args(["exec", "--store"])
        .arg(&store)
        .args(["--", "other"])
        .assert()
        .code(127)
        .stderr(predicate::str::contains(format!("other is not for {here}")));
}

/// Item 6: `bin` takes the URL's placeholders, so a version bump needs no edit of it.
#[test]
fn bin_entries_take_the_urls_placeholders() {
    let work = Work::new();
    let mut routes = Vec::new();
    for version in ["0.7.4", "0.7.5"] {
        let name: &'static str =
            Box::leak(format!("ruff-{version}.data/scripts/ruff").into_boxed_str());
        let body = vx_fixture::zip_bytes(&[vx_fixture::Item::File(
            name,
            format!("#!/bin/sh\necho ruff {version}\n").into_bytes(),
            0o755,
        )]);
        routes.push((format!("/ruff-{version}-py3-none-any.whl"), Route::Ok(body)));
    }
    let server = TestServer::start(routes);
    let manifest = |version: &str| {
        format!(
            "[tools.ruff]\nversion = \"{version}\"\nurl = \"{}/ruff-{{version}}-py3-none-any.whl\"\nformat = \"zip\"\nbin = [\"ruff-{{version}}.data/scripts/ruff\"]\n",
            server.url("")
        )
    };
    work.write_manifest(&manifest("0.7.4"));
    work.sync(&["--headless"]).assert().code(0);
    if cfg!(unix) {
        let store = work.store();
        work.vx()
            .args(["exec", "--store"])
            .arg(&store)
            .args(["--", "ruff"])
            .assert()
            .code(0)
            .stdout("ruff 0.7.4\n");
        // Another version named on the command line: its bin path follows it.
        work.vx()
            .args(["exec", "--store"])
            .arg(&store)
            .args(["ruff@0.7.5", "--", "ruff"])
            .assert()
            .code(0)
            .stdout("ruff 0.7.5\n");
    }
    work.write_manifest(&manifest("0.7.5"));
    work.sync(&["--headless"]).assert().code(0);
}

/// Item 16: an unknown placeholder is a manifest error at its column, and
/// `vx install --url` fills `{os}`/`{arch}`.
#[test]
fn placeholders_are_checked_and_filled_everywhere() {
    let work = Work::new();
    work.write_manifest(
        "[tools.esbuild]\nversion = \"1\"\nurl = \"https://example.org/esbuild-{platform}.tgz\"\n",
    );
    work.sync(&["--headless"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "vx.toml:3:36: unknown placeholder `{platform}`",
        ));
    let here = vx_model::manifest::Platform::current();
    let body = archive(ArchiveFormat::TarGz, noise_seeded(100, 3));
    let sha = sha256_hex(&body);
    let path = format!("/t-2-{}-{}.tar.gz", here.os, here.arch);
    let server = TestServer::start([(path.as_str(), Route::Ok(body))]);
    work.vx()
        .args([
            "install",
            "t@2",
            "--strip-components",
            "1",
            "--sha256",
            &sha,
            "--store",
        ])
        .arg(work.store())
        .arg("--url")
        .arg(server.url("/t-{version}-{os}-{arch}.tar.gz"))
        .assert()
        .code(0);
    assert_eq!(server.hits(), 1);
}

/// A lock written by the build before `inputs` and `layout` were told apart (its
/// bytes, as that build wrote them for this manifest): still fresh, so upgrading vx
/// neither fails `--locked` CI nor downloads anything; `vx lock` rewrites it in the
/// new form.
#[test]
fn a_lock_written_by_an_earlier_vx_stays_fresh() {
    const MANIFEST: &str = r#"[settings]
platforms = ["linux-x86_64", "macos-aarch64"]

[tools.tool]
version = "1.2.3"
url = "https://example.invalid/tool-{version}-{os}-{arch}.tar.gz"
strip_components = 1
bin = ["bin/tool"]

[tools.tool.platforms.linux-x86_64]
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"

[tools.tool.platforms.macos-aarch64]
sha256 = "2222222222222222222222222222222222222222222222222222222222222222"
"#;
    const OLD_LOCK: &str = r#"# vx.lock — written by `vx lock` / `vx sync`; do not edit
version = 1

[tools.tool]
version = "1.2.3"
inputs = "sha256:f14efe46cc4098cd2bc34a74641d1bad29542e59de780d2a996ce16cf6fdd90b"

[tools.tool.platforms.linux-x86_64]
url = "https://example.invalid/tool-1.2.3-linux-x86_64.tar.gz"
sha256 = "1111111111111111111111111111111111111111111111111111111111111111"

[tools.tool.platforms.macos-aarch64]
url = "https://example.invalid/tool-1.2.3-macos-aarch64.tar.gz"
sha256 = "2222222222222222222222222222222222222222222222222222222222222222"
"#;
    let work = Work::new();
    work.write_manifest(MANIFEST);
    let lock_path = work.dir.path().join("vx.lock");
    std::fs::write(&lock_path, OLD_LOCK).unwrap();
    let (out, _) = vx_lock(&work, &["--check"], 0);
    assert!(out.contains("up to date"), "{out}");
    vx_lock(&work, &[], 0);
    let lock = lock_of(&work);
    let tool = &lock["tools"]["tool"];
    assert!(tool["layout"].as_str().unwrap().starts_with("sha256:"));
    assert_ne!(
        tool["inputs"].as_str(),
        Some("sha256:f14efe46cc4098cd2bc34a74641d1bad29542e59de780d2a996ce16cf6fdd90b")
    );
    // Any edit of the table still makes it stale, as before.
    std::fs::write(&lock_path, OLD_LOCK).unwrap();
    work.write_manifest(&MANIFEST.replace("strip_components = 1", "strip_components = 2"));
    vx_lock(&work, &["--check"], 1);
}
