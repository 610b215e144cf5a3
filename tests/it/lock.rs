//! `vx lock` and `vx sync` with `vx.lock`: three platforms locked from the loopback
//! server, one tool going stale alone, `--check`, `--locked`, `--frozen`, and a
//! corrupted lock.

use crate::common;

use common::*;
use predicates::prelude::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

const PLATFORMS: [&str; 3] = ["linux-x86_64", "linux-aarch64", "macos-aarch64"];

/// A server with one archive per platform for `multi` (`/multi-VERSION-ARCH-OS.tar.gz`
/// with the project's spellings) and one `single` archive, and a manifest for both.
struct Project {
    work: Work,
    server: TestServer,
    bodies: Vec<(String, Vec<u8>)>,
}

fn spelled(name: &str) -> &str {
    match name {
        "linux" => "unknown-linux-gnu",
        "macos" => "apple-darwin",
        "x86_64" => "amd64",
        other => other,
    }
}

fn project(multi_version: &str) -> Project {
    let work = Work::new();
    let mut routes = Vec::new();
    let mut bodies = Vec::new();
    // The locked platforms, and this one when it is not among them (Windows): a sync
    // here downloads this platform's archive.
    let here = vx_model::manifest::Platform::current().to_string();
    let mut served: Vec<&str> = PLATFORMS.to_vec();
    if !served.contains(&here.as_str()) {
        served.push(&here);
    }
    for (i, platform) in served.iter().enumerate() {
        let (os, arch) = platform.split_once('-').unwrap();
        for version in ["1.0", "2.0"] {
            let path = format!("/multi-{version}-{}-{}.tar.gz", spelled(arch), spelled(os));
            let body = archive(ArchiveFormat::TarGz, noise_seeded(3000 + i * 100, i as u64));
            bodies.push((path.clone(), body.clone()));
            routes.push((path, Route::Ok(body)));
        }
    }
    let single = archive(ArchiveFormat::TarGz, noise_seeded(2000, 99));
    bodies.push(("/single.tar.gz".to_owned(), single.clone()));
    routes.push(("/single.tar.gz".to_owned(), Route::Ok(single)));
    let server = TestServer::start(routes);
    let project = Project {
        work,
        server,
        bodies,
    };
    project.write(multi_version);
    project
}

impl Project {
    fn write(&self, multi_version: &str) {
        self.work.write_manifest(&format!(
            r#"# the project's tools
[settings]
platforms = ["linux-x86_64", "linux-aarch64", "macos-aarch64"]

[tools.multi]
version = "{multi_version}"
url = "{base}/multi-{{version}}-{{arch}}-{{os}}.tar.gz"
replacements = {{ linux = "unknown-linux-gnu", macos = "apple-darwin", x86_64 = "amd64" }}
strip_components = 1

{single}"#,
            base = self.server.url(""),
            single = single_tool(&self.server.url(""))
        ));
    }

    fn body(&self, path: &str) -> &[u8] {
        &self.bodies.iter().find(|(p, _)| p == path).unwrap().1
    }

    fn lock_text(&self) -> String {
        std::fs::read_to_string(self.work.dir.path().join("vx.lock")).unwrap()
    }

    fn lock(&self) -> toml::Table {
        toml::from_str(&self.lock_text()).unwrap()
    }

    fn vx_lock(&self, extra: &[&str], code: i32) -> String {
        let out = stdout_of(
            self.work.vx().arg("lock").args(extra).arg("--headless"),
            code,
        );
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[test]
fn vx_lock_records_every_platforms_download_once() {
    let p = project("1.0");
    p.vx_lock(&[], 0);
    let lock = p.lock();
    assert_eq!(lock["version"].as_integer(), Some(1));
    let multi = lock["tools"]["multi"].as_table().unwrap();
    assert_eq!(multi["version"].as_str(), Some("1.0"));
    assert!(multi["inputs"].as_str().unwrap().starts_with("sha256:"));
    let platforms = multi["platforms"].as_table().unwrap();
    assert_eq!(platforms.len(), 3);
    for platform in PLATFORMS {
        let (os, arch) = platform.split_once('-').unwrap();
        let path = format!("/multi-1.0-{}-{}.tar.gz", spelled(arch), spelled(os));
        let body = p.body(&path);
        let entry = &platforms[platform];
        assert_eq!(entry["url"].as_str(), Some(p.server.url(&path).as_str()));
        assert_eq!(entry["sha256"].as_str(), Some(sha256_hex(body).as_str()));
        assert_eq!(entry["size"].as_integer(), Some(body.len() as i64));
    }
    assert_eq!(
        lock["tools"]["single"]["platforms"]
            .as_table()
            .unwrap()
            .len(),
        3
    );
    // 3 platform archives of multi, and single once per platform.
    assert_eq!(p.server.hits(), 6);

    // Nothing changed: no download, the same bytes.
    let before = p.lock_text();
    p.vx_lock(&[], 0);
    assert_eq!(p.server.hits(), 6);
    assert_eq!(p.lock_text(), before);
    assert!(p.vx_lock(&["--check"], 0).contains("up to date"));
}

#[test]
fn a_changed_version_makes_only_that_tool_stale() {
    let p = project("1.0");
    p.vx_lock(&[], 0);
    let before = p.lock();
    p.write("2.0");
    let check = p.vx_lock(&["--check"], 1);
    assert!(check.contains("stale for multi"), "{check}");
    assert!(!check.contains("single"), "{check}");
    p.work
        .sync(&["--locked", "--headless"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("out of date for multi"));
    assert!(!p.work.store().exists() || !p.work.store().join("multi").exists());

    let hits = p.server.hits();
    p.vx_lock(&[], 0);
    assert_eq!(p.server.hits(), hits + 3, "only multi is downloaded again");
    let after = p.lock();
    assert_eq!(
        after["tools"]["single"], before["tools"]["single"],
        "single untouched"
    );
    assert_eq!(after["tools"]["multi"]["version"].as_str(), Some("2.0"));
}

#[test]
fn sync_locks_this_platform_on_first_download_and_frozen_uses_the_lock_as_is() {
    let p = project("1.0");
    // No lock yet, no sha256 anywhere: installed on first download and locked.
    let summary = p.work.sync_summary(&[], 0);
    assert_eq!(
        summary["multi"]["result"], "completed",
        "{}",
        summary["multi"]
    );
    let lock = p.lock();
    let here = vx_model::manifest::Platform::current().to_string();
    assert!(lock["tools"]["multi"]["platforms"].get(&here).is_some());
    assert_eq!(
        lock["tools"]["multi"]["platforms"]
            .as_table()
            .unwrap()
            .len(),
        1,
        "a sync locks only its own platform"
    );
    // --frozen: the lock alone decides, even with the manifest's URL broken.
    let text = std::fs::read_to_string(p.work.manifest()).unwrap();
    std::fs::write(
        p.work.manifest(),
        text.replace("/single.tar.gz", "/gone.tar.gz"),
    )
    .unwrap();
    std::fs::remove_dir_all(p.work.store()).unwrap();
    let summary = p.work.sync_summary(&["--frozen"], 0);
    assert_eq!(
        summary["single"]["result"], "completed",
        "{}",
        summary["single"]
    );
    // A tool the lock lacks: --frozen refuses before anything runs.
    std::fs::write(p.work.dir.path().join("vx.lock"), "version = 1\n").unwrap();
    p.work
        .sync(&["--frozen"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("vx.lock has no multi"));
}

#[test]
fn a_corrupted_lock_is_exit_2_with_file_and_line() {
    let p = project("1.0");
    p.vx_lock(&[], 0);
    let good = p.lock_text();
    let lock_path = p.work.dir.path().join("vx.lock");
    for (text, place) in [
        (good.replacen("sha256 = \"", "sha256 = \"ff", 1), "vx.lock:"),
        (good.replace("version = 1", "version = 0"), "vx.lock:2:11"),
        (format!("{good}\n[broken\n"), "vx.lock:"),
    ] {
        std::fs::write(&lock_path, &text).unwrap();
        for args in [vec!["sync", "--headless"], vec!["lock", "--check"]] {
            p.work
                .vx()
                .args(&args)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(place))
                .stderr(predicate::str::contains("run `vx lock`"));
        }
    }
    // A newer vx's format: refused, saying to update vx; `vx lock` does not write it
    // over in this vx's older format.
    std::fs::write(&lock_path, good.replace("version = 1", "version = 7")).unwrap();
    for args in [vec!["sync", "--headless"], vec!["lock"]] {
        p.work
            .vx()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "vx.lock:2:11: lock format version 7 was written by a newer vx",
            ));
    }
    assert!(
        std::fs::read_to_string(&lock_path)
            .unwrap()
            .contains("version = 7")
    );
}

#[test]
fn vx_add_keeps_the_manifests_comments_and_locks_the_new_tool_and_remove_undoes_it() {
    let p = project("1.0");
    p.vx_lock(&[], 0);
    let manifest_before = std::fs::read_to_string(p.work.manifest()).unwrap();
    let lock_before = p.lock();
    let hits = p.server.hits();
    let url = p.server.url("/single.tar.gz");
    p.work
        .vx()
        .args([
            "add",
            "extra@5",
            "--bin",
            "pkg/bin/tool",
            "--headless",
            "--url",
        ])
        .arg(&url)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("added extra 5"));
    let manifest = std::fs::read_to_string(p.work.manifest()).unwrap();
    assert!(
        manifest.starts_with(&manifest_before),
        "comments and tables kept:\n{manifest}"
    );
    assert!(
        manifest.contains("[tools.extra]\nversion = \"5\""),
        "{manifest}"
    );
    // Locked for the manifest's three platforms; the other tools untouched.
    assert_eq!(p.server.hits(), hits + 3);
    let lock = p.lock();
    let extra = lock["tools"]["extra"]["platforms"].as_table().unwrap();
    assert_eq!(extra.len(), 3);
    assert_eq!(
        extra["linux-x86_64"]["sha256"].as_str(),
        Some(sha256_hex(p.body("/single.tar.gz")).as_str())
    );
    assert_eq!(lock["tools"]["multi"], lock_before["tools"]["multi"]);

    // A bad URL is refused before anything is written.
    p.work
        .vx()
        .args(["add", "bad@1", "--url", "ftp://x/y.zip"])
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(p.work.manifest()).unwrap(),
        manifest
    );

    p.work.vx().args(["remove", "extra"]).assert().code(0);
    assert_eq!(
        std::fs::read_to_string(p.work.manifest())
            .unwrap()
            .trim_end(),
        manifest_before.trim_end()
    );
    assert_eq!(p.lock(), lock_before);
    p.work
        .vx()
        .args(["remove", "singel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `single`?"));
}

/// `vx ARGS` in `work` under `umask` (set by `sh` before it becomes `vx`), to its end.
#[cfg(unix)]
fn vx_under_umask(work: &Work, umask: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .args(["-c", &format!("umask {umask}; exec \"$@\""), "sh"])
        .arg(assert_cmd::cargo::cargo_bin("vx"))
        .args(args)
        .envs(work.vx_env())
        .current_dir(work.dir.path())
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn add_and_remove_keep_each_files_mode_and_a_new_lock_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| {
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        format!("{:o}", mode & 0o7777)
    };
    let set = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let p = project("1.0");
    let (manifest, lock) = (p.work.manifest(), p.work.dir.path().join("vx.lock"));
    let url = p.server.url("/single.tar.gz");
    let add = ["add", "extra@5", "--headless", "--url", url.as_str()];

    // Files meant to be committed: a new lock is as any new file (0644 under 022), and
    // the manifest stays as it was.
    set(&manifest, 0o644);
    let out = vx_under_umask(&p.work, "022", &add);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(mode(&manifest), "644");
    assert_eq!(mode(&lock), "644");

    // A mode the user chose is kept, both files.
    set(&manifest, 0o640);
    set(&lock, 0o640);
    let out = vx_under_umask(&p.work, "022", &["remove", "extra"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(mode(&manifest), "640");
    assert_eq!(mode(&lock), "640");

    // The umask decides a new file's mode, not vx.
    std::fs::remove_file(&lock).unwrap();
    let out = vx_under_umask(&p.work, "027", &add);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(mode(&lock), "640");
    assert_eq!(mode(&manifest), "640");
}

#[test]
fn vx_add_moves_a_tool_with_its_own_url_to_another_version_and_keeps_its_url() {
    let one = common::archive(ArchiveFormat::TarGz, b"one".to_vec());
    let two = common::archive(ArchiveFormat::TarGz, b"two".to_vec());
    let server = TestServer::start([
        ("/greet-1.0.tar.gz", Route::Ok(one)),
        ("/greet-1.1.0.tar.gz", Route::Ok(two.clone())),
    ]);
    let work = Work::new();
    work.write_manifest("# my tools\n[settings]\nplatforms = [\"linux-x86_64\"]\n");
    let template = server.url("/greet-{version}.tar.gz");
    work.vx()
        .args(["add", "greet@1.0", "--bin", "pkg/bin/tool", "--url"])
        .arg(&template)
        .assert()
        .code(0);
    work.vx()
        .args(["add", "greet@1.1.0"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("updated greet 1.1.0"));
    let manifest = std::fs::read_to_string(work.manifest()).unwrap();
    assert!(
        manifest.contains(&format!(
            "[tools.greet]\nversion = \"1.1.0\"\nurl = \"{template}\"\nbin = [\"pkg/bin/tool\"]"
        )),
        "{manifest}"
    );
    let lock: toml::Table = toml::from_str(
        &std::fs::read_to_string(work.manifest().with_file_name("vx.lock")).unwrap(),
    )
    .unwrap();
    let locked = &lock["tools"]["greet"]["platforms"]["linux-x86_64"];
    assert_eq!(locked["sha256"].as_str(), Some(sha256_hex(&two).as_str()));

    // Without a version there is nothing to look up in a registry: said, nothing written.
    work.vx()
        .args(["add", "greet"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("vx use greet@VERSION"));
    assert_eq!(std::fs::read_to_string(work.manifest()).unwrap(), manifest);
}
