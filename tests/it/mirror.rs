//! Content-addressed mirrors, fleets and bundles (issue 28, items 6–8), end to end with
//! the real binary: a real OCI registry (the CNCF distribution registry, Debian's
//! `docker-registry`) on loopback, `skopeo` and `curl` as the other OCI clients, and a
//! loopback origin that counts its requests.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::registry_server::{Registry, require};
use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// The repository pushed to.
const REPO: &str = "vx/tools";

/// This machine's platform and one other: what the project is locked for.
fn platforms() -> Vec<String> {
    let here = vx_model::manifest::Platform::current().to_string();
    let other = if here == "macos-aarch64" {
        "linux-x86_64"
    } else {
        "macos-aarch64"
    };
    vec![here, other.to_owned()]
}

/// A project of two tools (one archive per platform, one shared), locked for
/// [`platforms`] against a loopback origin, and the user's home of the runs.
struct Project {
    work: Work,
    origin: TestServer,
    /// The payload of each tool's archive for this platform (what it unpacks to).
    payloads: Vec<(String, String, Vec<u8>)>,
    /// Every archive, by path on the origin.
    archives: Vec<(String, Vec<u8>)>,
    home: tempfile::TempDir,
}

impl Project {
    /// The same project with its origin gone: a server that answers 404 to all.
    fn without_origin(self) -> Project {
        let Project {
            work,
            origin,
            payloads,
            archives,
            home,
        } = self;
        drop(origin);
        Project {
            work,
            origin: TestServer::start(Vec::<(String, Route)>::new()),
            payloads,
            archives,
            home,
        }
    }

    fn new() -> Project {
        let here = vx_model::manifest::Platform::current().to_string();
        let mut archives = Vec::new();
        let mut payloads = Vec::new();
        for (i, platform) in platforms().iter().enumerate() {
            let (os, arch) = platform.split_once('-').unwrap();
            let payload = noise_seeded(3000 + i * 7, i as u64);
            let path = format!("/multi-1.0-{os}-{arch}.tar.gz");
            archives.push((path, archive(ArchiveFormat::TarGz, payload.clone())));
            if *platform == here {
                payloads.push(("multi".to_owned(), "1.0".to_owned(), payload));
            }
        }
        let single = noise_seeded(2000, 99);
        archives.push((
            "/single.tar.gz".to_owned(),
            archive(ArchiveFormat::TarGz, single.clone()),
        ));
        payloads.push(("single".to_owned(), "3".to_owned(), single));
        let origin = TestServer::start(
            archives
                .iter()
                .map(|(p, body)| (p.clone(), Route::Ok(body.clone()))),
        );
        let work = Work::new();
        let list: Vec<String> = platforms().iter().map(|p| format!("{p:?}")).collect();
        work.write_manifest(&format!(
            r#"[settings]
platforms = [{}]

[tools.multi]
version = "1.0"
url = "{base}/multi-{{version}}-{{os}}-{{arch}}.tar.gz"
strip_components = 1

{single}"#,
            list.join(", "),
            base = origin.url(""),
            single = single_tool(&origin.url(""))
        ));
        let project = Project {
            work,
            origin,
            payloads,
            archives,
            home: tempfile::tempdir().unwrap(),
        };
        project
            .vx(&project.work, project.home.path())
            .args(["lock", "--headless"])
            .assert()
            .code(0);
        project
    }

    /// `vx` in `work` with `home` as the user's HOME, XDG directories, cache and docker
    /// config (so nothing of the machine's user leaks in).
    fn vx(&self, work: &Work, home: &Path) -> assert_cmd::Command {
        let mut cmd = work.vx();
        for (key, value) in home_env(home) {
            cmd.env(key, value);
        }
        for key in NETWORK_VARS.iter().chain(&["VX_CACHE_DIR"]) {
            cmd.env_remove(key);
        }
        cmd
    }

    /// A fresh workspace with this project's vx.toml and vx.lock (another CI runner).
    fn runner(&self) -> Work {
        let work = Work::new();
        for name in ["vx.toml", "vx.lock"] {
            std::fs::copy(self.work.dir.path().join(name), work.dir.path().join(name)).unwrap();
        }
        work
    }

    /// `vx mirror push` of the project to `mirror`, expecting `code`: its output.
    fn push(&self, mirror: &str, home: &Path, code: i32) -> (String, String) {
        output_of(
            self.vx(&self.work, home)
                .args(["mirror", "push", mirror, "--tag", "latest"]),
            code,
        )
    }

    /// Asserts every tool is installed in `work`'s store, as its archive unpacks.
    fn assert_installed(&self, work: &Work) {
        for (tool, version, payload) in &self.payloads {
            assert_eq!(
                work.installed(tool, version),
                expected_tree(payload),
                "{tool} {version}"
            );
        }
    }
}

/// Everything of the user's at `home`: HOME, the XDG directories (so vx's cache),
/// docker's config.
fn home_env(home: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("HOME", home.to_owned()),
        ("XDG_CACHE_HOME", home.join("cache")),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_DATA_HOME", home.join("data")),
        ("DOCKER_CONFIG", home.join("docker")),
    ]
}

/// [`Project::vx`]'s environment for a plain `Command`.
fn isolate<'c>(cmd: &'c mut Command, home: &Path) -> &'c mut Command {
    cmd.envs(home_env(home));
    for key in NETWORK_VARS.iter().chain(&["VX_CACHE_DIR"]) {
        cmd.env_remove(key);
    }
    cmd
}

/// The JSON events of `vx sync --json` run to its end with `code`.
fn sync_events(
    project: &Project,
    work: &Work,
    home: &Path,
    extra: &[&str],
    code: i32,
) -> Vec<serde_json::Value> {
    let mut args = vec!["--json", "--frozen"];
    args.extend_from_slice(extra);
    let mut cmd = project.vx(work, home);
    cmd.arg("sync")
        .arg("--manifest")
        .arg(work.manifest())
        .arg("--store")
        .arg(work.store())
        .args(&args);
    json_lines(&stdout_of(&mut cmd, code))
}

/// Each tool's `source` in the summary.
fn sources(events: &[serde_json::Value]) -> Vec<(String, String)> {
    summary(events)
        .into_iter()
        .map(|(tool, row)| (tool, row["source"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// `multi` from the origin and `single` from `source`: what a mirror holding only
/// `single` serves.
fn single_from(source: &str) -> Vec<(String, String)> {
    vec![
        ("multi".to_owned(), "origin".to_owned()),
        ("single".to_owned(), source.to_owned()),
    ]
}

fn all_from(source: &str) -> Vec<(String, String)> {
    vec![
        ("multi".to_owned(), source.to_owned()),
        ("single".to_owned(), source.to_owned()),
    ]
}

/// `skopeo inspect --raw` of `REPO:tag` on `registry`: the manifest as another OCI
/// client reads it.
fn skopeo_manifest(registry: &Registry, tag: &str, creds: Option<&str>) -> serde_json::Value {
    require("skopeo", "skopeo");
    let mut cmd = Command::new("skopeo");
    cmd.args(["inspect", "--raw", "--tls-verify=false"]);
    if let Some(creds) = creds {
        cmd.arg("--creds").arg(creds);
    }
    let out = cmd
        .arg(format!("docker://127.0.0.1:{}/{REPO}:{tag}", registry.port))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "skopeo inspect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Items 6 and 7: a push that skopeo and curl see, a second push that skips every
/// blob after a HEAD, then eight concurrent syncs on fresh stores that install
/// everything from the registry with no request to the origin.
#[test]
fn a_pushed_lock_serves_eight_concurrent_fresh_syncs_without_the_origin() {
    let project = Project::new();
    let registry = Registry::start();
    let mirror = registry.mirror(REPO);
    let (stdout, _) = project.push(&mirror, project.home.path(), 0);
    assert!(stdout.contains("3 blobs sent"), "{stdout}");

    // Another OCI client sees the manifest: the lock as its config, a layer per
    // artifact and platform with its annotations.
    let lock_bytes = std::fs::read(project.work.dir.path().join("vx.lock")).unwrap();
    let lock_tag = format!("lock-{}", &sha256_hex(&lock_bytes)[..16]);
    let manifest = skopeo_manifest(&registry, &lock_tag, None);
    assert_eq!(manifest, skopeo_manifest(&registry, "latest", None));
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.vx.lock.v1+toml"
    );
    assert_eq!(
        manifest["config"]["digest"],
        format!("sha256:{}", sha256_hex(&lock_bytes))
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4, "2 tools × 2 platforms: {manifest:#}");
    for platform in platforms() {
        let (os, arch) = platform.split_once('-').unwrap();
        let layer = layers
            .iter()
            .find(|l| {
                l["annotations"]["dev.vx.tool"] == "multi"
                    && l["annotations"]["dev.vx.platform"] == platform.as_str()
            })
            .unwrap_or_else(|| panic!("no multi layer for {platform}: {manifest:#}"));
        let path = format!("/multi-1.0-{os}-{arch}.tar.gz");
        let body = &project.archives.iter().find(|(p, _)| *p == path).unwrap().1;
        assert_eq!(layer["digest"], format!("sha256:{}", sha256_hex(body)));
        assert_eq!(layer["size"], body.len());
        assert_eq!(layer["annotations"]["dev.vx.version"], "1.0");
        assert_eq!(
            layer["annotations"]["dev.vx.url"],
            project.origin.url(&path)
        );
        assert_eq!(
            layer["annotations"]["org.opencontainers.image.title"],
            format!("multi-1.0-{os}-{arch}.tar.gz")
        );
    }
    // A raw blob fetch with curl gets the archive's bytes.
    require("curl", "curl");
    let (path, body) = &project.archives[0];
    let out = Command::new("curl")
        .args(["-sfL", &registry.blob_url(REPO, &sha256_hex(body))])
        .output()
        .unwrap();
    assert!(out.status.success(), "curl of the blob of {path}");
    assert_eq!(&out.stdout, body);

    // Pushed again: every blob is there (HEAD), none is uploaded.
    let uploads = registry.requests("PUT", "/blobs/uploads/");
    let origin_hits = project.origin.hits();
    let (stdout, stderr) = project.push(&mirror, project.home.path(), 0);
    assert!(
        stdout.contains("0 blobs sent") && stdout.contains("3 already there"),
        "{stdout}"
    );
    assert_eq!(stderr.matches("already there").count(), 3, "{stderr}");
    assert_eq!(registry.requests("PUT", "/blobs/uploads/"), uploads);
    assert_eq!(project.origin.hits(), origin_hits, "nothing downloaded");

    // Eight runners at once, each with a fresh store and cache.
    let runners: Vec<(Work, tempfile::TempDir)> = (0..8)
        .map(|_| (project.runner(), tempfile::tempdir().unwrap()))
        .collect();
    let children: Vec<_> = runners
        .iter()
        .map(|(work, home)| {
            let mut cmd = Command::new("env");
            isolate(&mut cmd, home.path());
            work.sync_args(&mut cmd, &["--json", "--frozen", "--mirror", &mirror])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (child, (work, _)) in children.into_iter().zip(&runners) {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(sources(&json_lines(&out.stdout)), all_from(&mirror));
        project.assert_installed(work);
    }
    assert_eq!(
        project.origin.hits(),
        origin_hits,
        "no runner asked the origin"
    );
}

/// Item 6: a blob corrupted on the registry is refused by its sha256; the next mirror
/// serves, and the fallback is announced as a new attempt saying why.
#[test]
fn a_corrupted_blob_on_the_registry_is_refused_and_the_next_source_serves() {
    let project = Project::new();
    let registry = Registry::start();
    let mirror = registry.mirror(REPO);
    project.push(&mirror, project.home.path(), 0);
    let bundle = project.home.path().join("bundle");
    project
        .vx(&project.work, project.home.path())
        .args(["bundle", "export"])
        .arg(&bundle)
        .assert()
        .code(0);
    let (_, _, payload) = &project.payloads[0];
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let sha = sha256_hex(&body);
    let blob = registry.blob_file(&sha);
    let mut bytes = std::fs::read(&blob).unwrap();
    assert_eq!(bytes, body);
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();

    let runner = project.runner();
    let home = tempfile::tempdir().unwrap();
    let hits = project.origin.hits();
    let file_mirror = file_url(&bundle);
    let events = sync_events(
        &project,
        &runner,
        home.path(),
        &["--mirror", &mirror, "--mirror", &file_mirror],
        0,
    );
    let got = sources(&events);
    assert_eq!(
        got,
        vec![
            ("multi".to_owned(), file_mirror.clone()),
            ("single".to_owned(), mirror.clone())
        ]
    );
    // The fallback is a second attempt (its cause is the slot's message while it
    // lasts; an install this fast is only seen finished).
    let rows = summary(&events);
    assert_eq!(rows["multi"]["attempt"], 2, "{events:#?}");
    assert_eq!(rows["single"]["attempt"], 1);
    project.assert_installed(&runner);
    assert_eq!(project.origin.hits(), hits);

    // With only the registry, the origin serves what the registry cannot.
    let runner = project.runner();
    let home = tempfile::tempdir().unwrap();
    let events = sync_events(&project, &runner, home.path(), &["--mirror", &mirror], 0);
    assert_eq!(sources(&events), single_from(&mirror));
    assert_eq!(
        project.origin.hits(),
        hits + 1,
        "one request: multi's archive"
    );
    project.assert_installed(&runner);
}

/// Item 8: bundles exported (directory and tar), moved, and imported on a machine with
/// no network configured and the origin gone: `vx sync --offline` installs from them.
#[test]
fn a_bundle_exported_moved_and_imported_installs_offline() {
    let project = Project::new();
    let place = tempfile::tempdir().unwrap();
    let (dir, tar) = (place.path().join("b"), place.path().join("b.tar"));
    for to in [&dir, &tar] {
        let (out, _) = output_of(
            project
                .vx(&project.work, project.home.path())
                .args(["bundle", "export"])
                .arg(to),
            0,
        );
        assert!(out.contains("4 downloads"), "{out:?}");
    }
    assert!(dir.join("oci-layout").is_file() && dir.join("index.json").is_file());
    let moved = tempfile::tempdir().unwrap();
    let (moved_dir, moved_tar): (PathBuf, PathBuf) =
        (moved.path().join("bundle"), moved.path().join("bundle.tar"));
    std::fs::rename(&dir, &moved_dir).unwrap();
    std::fs::rename(&tar, &moved_tar).unwrap();
    let project = project.without_origin();

    // Imported from the tar into a fresh user's cache; then offline.
    let runner = project.runner();
    let fresh = tempfile::tempdir().unwrap();
    let (out, _) = output_of(
        project
            .vx(&runner, fresh.path())
            .args(["bundle", "import"])
            .arg(&moved_tar),
        0,
    );
    assert!(out.contains("imported 5 blobs"), "{out}");
    let events = sync_events(&project, &runner, fresh.path(), &["--offline"], 0);
    assert_eq!(sources(&events), all_from("cache"));
    project.assert_installed(&runner);

    // The moved directory as a file:// mirror, offline by VX_OFFLINE=1.
    let runner = project.runner();
    let fresh = tempfile::tempdir().unwrap();
    let mirror = file_url(&moved_dir);
    let mut cmd = project.vx(&runner, fresh.path());
    cmd.env("VX_OFFLINE", "1")
        .arg("sync")
        .arg("--manifest")
        .arg(runner.manifest())
        .arg("--store")
        .arg(runner.store())
        .args(["--json", "--frozen", "--mirror", &mirror]);
    let events = json_lines(&stdout_of(&mut cmd, 0));
    assert_eq!(sources(&events), all_from(&mirror));
    project.assert_installed(&runner);
    assert_eq!(project.origin.hits(), 0);
}

/// Item 8: offline with nothing local fails before installing anything, naming each
/// tool and what it lacks.
#[test]
fn an_offline_sync_with_nothing_local_names_what_is_missing() {
    let project = Project::new();
    let runner = project.runner();
    let fresh = tempfile::tempdir().unwrap();
    let hits = project.origin.hits();
    let out = project
        .vx(&runner, fresh.path())
        .arg("sync")
        .arg("--manifest")
        .arg(runner.manifest())
        .arg("--store")
        .arg(runner.store())
        .args(["--offline", "--frozen", "--headless"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("offline"), "{stderr}");
    assert!(stderr.contains("no local copy of 2 downloads"), "{stderr}");
    for (tool, version, payload) in &project.payloads {
        assert!(
            stderr.contains(&format!("{tool} {version} (sha256 ")),
            "{stderr}"
        );
        let sha = sha256_hex(&archive(ArchiveFormat::TarGz, payload.clone()));
        assert!(stderr.contains(&sha[..16]), "{stderr}");
    }
    assert!(stderr.contains("vx bundle import"), "{stderr}");
    assert!(!runner.store().join("multi").exists());
    assert_eq!(project.origin.hits(), hits, "no request");
}

/// Item 6: a registry behind basic auth, with the credentials in docker's
/// `config.json`: refused without them, pushed and served with them, and the
/// password in no output.
#[test]
fn a_registry_behind_basic_auth_takes_docker_config_credentials() {
    use base64::Engine;
    let project = Project::new();
    let registry = Registry::with_basic_auth("ci", "pa55-w0rd-secret");
    let mirror = registry.mirror(REPO);
    let (_, stderr) = project.push(&mirror, project.home.path(), 1);
    assert!(stderr.contains("not authorized"), "{stderr}");
    assert!(stderr.contains("config.json"), "{stderr}");

    let docker = project.home.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("ci:pa55-w0rd-secret");
    std::fs::write(
        docker.join("config.json"),
        format!(
            r#"{{"auths": {{"127.0.0.1:{}": {{"auth": "{auth}"}}}}}}"#,
            registry.port
        ),
    )
    .unwrap();
    let (stdout, stderr) = project.push(&mirror, project.home.path(), 0);
    assert!(stdout.contains("3 blobs sent"), "{stdout}");
    let manifest = skopeo_manifest(&registry, "latest", Some("ci:pa55-w0rd-secret"));
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 4);

    let runner = project.runner();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("docker")).unwrap();
    std::fs::copy(
        docker.join("config.json"),
        home.path().join("docker/config.json"),
    )
    .unwrap();
    let hits = project.origin.hits();
    let mut cmd = project.vx(&runner, home.path());
    cmd.arg("sync")
        .arg("--manifest")
        .arg(runner.manifest())
        .arg("--store")
        .arg(runner.store())
        .args(["--json", "--frozen", "-v", "--mirror", &mirror]);
    let out = cmd.assert().code(0).get_output().clone();
    let events = json_lines(&out.stdout);
    assert_eq!(sources(&events), all_from(&mirror));
    assert_eq!(project.origin.hits(), hits);
    for text in [
        stdout,
        stderr,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ] {
        assert!(
            !text.contains("pa55-w0rd-secret") && !text.contains(&auth),
            "{text}"
        );
    }
}

/// Item 6: the bearer-token flow (`WWW-Authenticate: Bearer realm=…`) with docker's
/// credentials for the realm; the blob's redirect to storage on another origin
/// carries no credential.
#[test]
fn a_bearer_token_registry_is_followed_through_its_realm_and_storage_gets_no_token() {
    use base64::Engine;
    let project = Project::new();
    let blobs: Vec<Vec<u8>> = project.archives.iter().map(|(_, b)| b.clone()).collect();
    let fake = common::registry_server::TokenRegistry::start(REPO, "bot", "t0ken-pass", blobs);
    let mirror = format!("oci://127.0.0.1:{}/{REPO}", fake.port);
    let runner = project.runner();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("docker")).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("bot:t0ken-pass");
    std::fs::write(
        home.path().join("docker/config.json"),
        format!(
            r#"{{"auths": {{"http://127.0.0.1:{}": {{"auth": "{auth}"}}}}}}"#,
            fake.port
        ),
    )
    .unwrap();
    let hits = project.origin.hits();
    let events = sync_events(&project, &runner, home.path(), &["--mirror", &mirror], 0);
    assert_eq!(sources(&events), all_from(&mirror));
    project.assert_installed(&runner);
    assert_eq!(project.origin.hits(), hits);
    let log = fake.log();
    assert!(
        log.iter()
            .any(|l| l.starts_with("GET /token?") && l.ends_with(" basic")),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|l| l.starts_with("GET /v2/") && l.ends_with(" bearer")),
        "{log:#?}"
    );
    let storage: Vec<_> = log.iter().filter(|l| l.starts_with("storage ")).collect();
    assert_eq!(storage.len(), 2, "{log:#?}");
    assert!(storage.iter().all(|l| l.ends_with(" none")), "{log:#?}");
    let text = format!("{events:?}");
    assert!(!text.contains("t0ken-pass") && !text.contains("tok-0123456789"));

    // Without credentials the realm refuses: the origin serves instead.
    let runner = project.runner();
    let home = tempfile::tempdir().unwrap();
    let events = sync_events(&project, &runner, home.path(), &["--mirror", &mirror], 0);
    assert_eq!(sources(&events), all_from("origin"));
}

/// Item 6: an HTTP template mirror serves the blobs it has by their sha256; one it
/// lacks (404) is passed over quietly to the origin, with no fallback attempt.
#[test]
fn an_http_template_mirror_serves_what_it_has_and_a_miss_goes_to_the_origin() {
    let project = Project::new();
    let (_, _, payload) = &project.payloads[1];
    let single = archive(ArchiveFormat::TarGz, payload.clone());
    let cache = TestServer::start([(
        format!("/cas/{}", sha256_hex(&single)),
        Route::Ok(single.clone()),
    )]);
    let mirror = format!("{}/cas/{{sha256}}", cache.url(""));
    let runner = project.runner();
    let home = tempfile::tempdir().unwrap();
    let hits = project.origin.hits();
    let events = sync_events(&project, &runner, home.path(), &["--mirror", &mirror], 0);
    assert_eq!(sources(&events), single_from(&mirror));
    let rows = summary(&events);
    assert_eq!(rows["multi"]["attempt"], 1, "a miss is no failed attempt");
    assert_eq!(project.origin.hits(), hits + 1);
    assert_eq!(cache.hits(), 2);
    project.assert_installed(&runner);
}

/// Item 7: what the registry lacks is gathered through the sync pipeline, one sync per
/// platform with its board and events (here `--json`), every download checked and
/// served by the origin, then sent; the last line says what was pushed.
#[test]
fn a_push_gathers_what_the_registry_lacks_through_syncs_with_their_events() {
    let project = Project::new();
    let registry = Registry::start();
    let mirror = registry.mirror(REPO);
    let before = project.origin.hits();
    let out = project
        .vx(&project.work, project.home.path())
        .args(["mirror", "push", &mirror, "--json", "-j", "4"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let starts: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "start").collect();
    assert_eq!(
        starts.len(),
        platforms().len(),
        "one sync per platform: {stdout}"
    );
    for (start, platform) in starts.iter().zip(platforms()) {
        let label = start["label"].as_str().unwrap();
        assert!(
            label.ends_with(&format!("vx.lock for {platform}")),
            "{label}"
        );
    }
    // Three distinct downloads (`single` is one file for both platforms), each once.
    let downloaded: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "summary")
        .flat_map(|e| e["tools"].as_array().unwrap())
        .collect();
    assert_eq!(downloaded.len(), 3, "{stdout}");
    for tool in &downloaded {
        assert_eq!(tool["result"], "completed", "{tool}");
        assert_eq!(tool["source"], "origin", "{tool}");
        assert!(
            tool["message"].as_str().unwrap().starts_with("downloaded "),
            "{tool}"
        );
    }
    let pushed = events.last().unwrap();
    assert_eq!(pushed["event"], "pushed", "{stdout}");
    assert_eq!(pushed["sent"], 3);
    assert_eq!(pushed["layers"], 4);
    assert_eq!(pushed["skipped"], 0);
    assert_eq!(
        project.origin.hits() - before,
        3,
        "each download fetched once"
    );
}

/// Issue 39, "not yet tried": `vx mirror push` against a hostile registry that
/// answers every request 200 with a gigabyte (announced, or not): it claims every blob,
/// at a size that is not the blob's (or at none). The push ends in seconds, reads no
/// more than a little of any answer, takes no claim at its word, and fails saying why.
#[test]
fn a_push_to_a_registry_answering_everything_with_a_gigabyte_ends_in_bounded_time() {
    let project = Project::new();
    for announced in [true, false] {
        let hostile = common::stream::Stream::start(common::stream::Body {
            head: b"{".to_vec(),
            unit: b"\"a\":".to_vec(),
            total: 1 << 30,
            announced,
        });
        let mirror = format!(
            "oci://{}/vx/tools",
            hostile.url("").trim_start_matches("http://")
        );
        let started = std::time::Instant::now();
        let out = project
            .vx(&project.work, project.home.path())
            .args(["mirror", "push", &mirror, "--tag", "latest"])
            .timeout(std::time::Duration::from_secs(180))
            .output()
            .unwrap();
        let took = started.elapsed();
        let said = both(&out);
        assert!(
            took < std::time::Duration::from_secs(60),
            "{took:?}: {said}"
        );
        assert!(hostile.sent() < 64 << 20, "{} bytes read", hostile.sent());
        assert_ne!(out.status.code(), Some(0), "announced {announced}: {said}");
        assert!(!said.contains("already there"), "{said}");
        // A claim at a size is checked against the lock's; one at no size (no
        // `Content-Length`) is no claim: the blob is sent, and the upload's odd
        // answer ends the push.
        let why = if announced {
            "the registry says it has sha256:"
        } else {
            "starting an upload answered HTTP 200"
        };
        assert!(said.contains(why), "announced {announced}: {said}");
    }
}

/// A bundle export whose downloads fail leaves no half-made layout in the directory it
/// created (an `oci-layout` without `index.json`, which `vx bundle import` refuses),
/// and says that nothing was written.
#[test]
fn a_failed_bundle_export_leaves_no_half_made_directory() {
    let project = Project::new();
    let project = project.without_origin();
    let place = tempfile::tempdir().unwrap();
    let dir = place.path().join("b");
    let out = project
        .vx(&project.work, project.home.path())
        .args(["bundle", "export", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no image manifest was written"), "{stderr}");
    assert!(!dir.exists(), "left behind: {dir:?}");
}
