//! `vx self update`, `vx self info` and `vx self uninstall` against a loopback GitHub
//! serving release sets: `vx-release.json` signed at test time by the real `minisign`
//! with a key the test makes and gives through the user config (`[self_update] keys`;
//! no test key is compiled into vx), the archive of each release holding a "new vx".
//!
//! The vx under test runs from a hard link of the built binary in the test's own
//! directory (so an update replaces the link, never the build). The "new vx" in an
//! archive is a small shell script answering `--version` as a vx of that version
//! does: what `vx self update` checks of a new binary is what it reports, and a real
//! second build of vx for each version would cost minutes of a shared machine.
#![cfg(unix)]

use crate::common;

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::net::{HttpsServer, Pki, Tinyproxy, machine_name};
use common::signing::Keys;
use rustix::process::{Pid, Signal, kill_process};
use vx_fixture::github::{FixtureRelease, GithubFixture, GithubFixtureBuilder};
use vx_fixture::sha256_hex;

const OWNER: &str = "vx-toolchain";
const REPO: &str = "vx";
/// The release target whose archive this machine's vx takes.
const TARGET: &str = "x86_64-unknown-linux-musl";
/// Newer than the vx under test, whatever its version.
const NEWER: &str = "99.0.0";

/// A "new vx": a script that reports `reports` on `--version`.
fn script(reports: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho 'vx {reports} (test 2026-01-01)'\n").into_bytes()
}

/// A release archive: `vx-VERSION-TARGET/vx` holding `binary`, executable.
fn archive(version: &str, binary: &[u8]) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(binary.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, format!("vx-{version}-{TARGET}/vx"), binary)
        .unwrap();
    tar.into_inner().unwrap().finish().unwrap()
}

fn asset_name(version: &str) -> String {
    format!("vx-{version}-{TARGET}.tar.gz")
}

/// `vx-release.json` for `version` whose one archive is `archive`.
fn manifest(version: &str, archive: &[u8]) -> Vec<u8> {
    serde_json::json!({
        "version": version,
        "tag": format!("v{version}"),
        "targets": {TARGET: {
            "asset": asset_name(version),
            "size": archive.len(),
            "sha256": sha256_hex(archive),
        }},
    })
    .to_string()
    .into_bytes()
}

/// minisign's signature of `bytes` by key `key` with `comment` as trusted comment.
fn sign(keys: &Keys, key: &str, bytes: &[u8], comment: &str) -> Vec<u8> {
    let file = keys.0.join("vx-release.json");
    std::fs::write(&file, bytes).unwrap();
    common::signing::run(
        Command::new("minisign")
            .arg("-S")
            .arg("-s")
            .arg(keys.0.join(key))
            .arg("-m")
            .arg(&file)
            .args(["-t", comment]),
    );
    std::fs::read(keys.0.join("vx-release.json.minisig")).unwrap()
}

/// The files of one release, each replaceable by a test.
struct ReleaseFiles {
    version: String,
    archive: Vec<u8>,
    manifest: Vec<u8>,
    signature: Option<Vec<u8>>,
}

impl ReleaseFiles {
    /// A good release of `version` signed by `key`, its binary reporting `version`.
    fn good(keys: &Keys, key: &str, version: &str) -> ReleaseFiles {
        ReleaseFiles::reporting(keys, key, version, version)
    }

    /// A release of `version` signed by `key` whose binary reports `reports`.
    fn reporting(keys: &Keys, key: &str, version: &str, reports: &str) -> ReleaseFiles {
        ReleaseFiles::of_binary(keys, key, version, &script(reports))
    }

    /// A release of `version` signed by `key` whose binary is `binary`.
    fn of_binary(keys: &Keys, key: &str, version: &str, binary: &[u8]) -> ReleaseFiles {
        let archive = archive(version, binary);
        let manifest = manifest(version, &archive);
        let signature = Some(sign(keys, key, &manifest, &format!("tag:v{version}")));
        ReleaseFiles {
            version: version.to_owned(),
            archive,
            manifest,
            signature,
        }
    }

    fn release(&self) -> FixtureRelease {
        let mut release = FixtureRelease::new(&format!("v{}", self.version))
            .asset(&asset_name(&self.version), self.archive.clone())
            .asset("vx-release.json", self.manifest.clone());
        if let Some(signature) = &self.signature {
            release = release.asset("vx-release.json.minisig", signature.clone());
        }
        release
    }
}

/// A machine of the test's own: a home, the vx under test installed by "the
/// installer" into `home/bin` (a hard link of the build, and a receipt naming it), and
/// a user config trusting the test's key `good`.
struct Machine {
    dir: tempfile::TempDir,
    keys: Keys,
    key_line: String,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::Builder::new()
            .prefix("self-update")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let keys = Keys::new(&dir.path().join("keys"));
        let (key_line, _) = keys.minisign_key("good");
        keys.minisign_key("other");
        let machine = Machine {
            dir,
            keys,
            key_line,
        };
        std::fs::create_dir_all(machine.bin()).unwrap();
        let built = Path::new(env!("CARGO_BIN_EXE_vx"));
        if std::fs::hard_link(built, machine.exe()).is_err() {
            std::fs::copy(built, machine.exe()).unwrap();
        }
        machine.write_receipt();
        machine.write_config("");
        machine
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn bin(&self) -> PathBuf {
        self.home().join("bin")
    }

    fn exe(&self) -> PathBuf {
        self.bin().join("vx")
    }

    fn receipt(&self) -> PathBuf {
        self.home().join(".config/vx/receipt.json")
    }

    fn write_receipt(&self) {
        std::fs::create_dir_all(self.receipt().parent().unwrap()).unwrap();
        let receipt = serde_json::json!({
            "install_dir": self.bin().canonicalize().unwrap(),
            "version": vx_base::build_info::VERSION,
            "source": "https://example.invalid/release",
            "channel": "installer",
        });
        std::fs::write(self.receipt(), receipt.to_string()).unwrap();
    }

    /// The user config: the test's key trusted, then `extra`.
    fn write_config(&self, extra: &str) {
        common::write_user_config(
            self.home(),
            &format!("[self_update]\nkeys = [\"{}\"]\n{extra}", self.key_line),
        );
    }

    /// `vx ARGS` from the installed exe, with this machine's home, the loopback GitHub
    /// at `github` and nothing of the real machine's network settings.
    fn vx(&self, github: Option<&GithubFixture>, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(self.exe());
        common::isolated(&mut cmd, self.home());
        cmd.env("VX_DAEMON_SOCKET", self.home().join("daemon.sock"));
        if let Some(github) = github {
            cmd.env("VX_GITHUB_URL", github.web_url());
        }
        cmd.args(args).timeout(common::DEADLINE);
        cmd
    }

    /// `vx ARGS` as [`Machine::vx`] sets it up, started as a plain child (for signals).
    fn spawn(&self, github: &GithubFixture, args: &[&str]) -> std::process::Child {
        let mut cmd = Command::new(self.exe());
        let (set, removed) = common::isolation(self.home());
        for var in removed {
            cmd.env_remove(var);
        }
        cmd.envs(set)
            .env("VX_DAEMON_SOCKET", self.home().join("daemon.sock"))
            .env("VX_GITHUB_URL", github.web_url())
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The names of the files beside the installed exe.
    fn bin_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.bin())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Runs `vx ARGS`; its exit code and stdout + stderr.
    fn run(&self, github: Option<&GithubFixture>, args: &[&str]) -> (i32, String) {
        common::code_and_output(&mut self.vx(github, args))
    }

    /// The installed exe's inode: a replaced exe has another.
    fn exe_inode(&self) -> u64 {
        std::fs::metadata(self.exe()).unwrap().ino()
    }

    /// What the installed exe says to `--version`.
    fn installed_version(&self) -> String {
        let out = Command::new(self.exe()).arg("--version").output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn receipt_version(&self) -> String {
        let text = std::fs::read_to_string(self.receipt()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["version"].as_str().unwrap().to_owned()
    }
}

/// A loopback GitHub serving `releases` (newest first) of vx-toolchain/vx.
fn github(
    releases: &[&ReleaseFiles],
    more: impl FnOnce(GithubFixtureBuilder) -> GithubFixtureBuilder,
) -> GithubFixture {
    let mut builder = GithubFixture::builder();
    for release in releases {
        builder = builder.release(OWNER, REPO, release.release());
    }
    more(builder).start().unwrap()
}

/// Asserts that the installed vx is still the one built (not replaced).
fn assert_untouched(machine: &Machine, inode: u64, text: &str) {
    assert_eq!(
        machine.exe_inode(),
        inode,
        "the installed vx was replaced: {text}"
    );
    assert_eq!(
        machine.receipt_version(),
        vx_base::build_info::VERSION,
        "the receipt changed: {text}"
    );
}

#[test]
fn the_latest_release_replaces_the_installed_vx_through_the_redirect() {
    let machine = Machine::new();
    let new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let old = ReleaseFiles::good(&machine.keys, "good", "0.0.1");
    let github = github(&[&new, &old], |b| b);

    let (code, text) = machine.run(Some(&github), &["self", "update", "--check"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&format!("vx {NEWER} is available")), "{text}");

    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&format!("to {NEWER}")), "{text}");
    assert_eq!(std::fs::read(machine.exe()).unwrap(), script(NEWER));
    assert!(
        machine
            .installed_version()
            .starts_with(&format!("vx {NEWER} "))
    );
    assert_eq!(machine.receipt_version(), NEWER);
    let requests = github.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/vx-toolchain/vx/releases/latest/download/vx-release.json"),
        "{requests:?}"
    );
    assert!(
        !requests.iter().any(|r| r.is_api()),
        "the rate-limited API was used: {requests:?}"
    );
    // No temporary file is left beside the exe.
    let left: Vec<_> = std::fs::read_dir(machine.bin())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["vx"]);
}

#[test]
fn the_newest_release_already_installed_changes_nothing() {
    let machine = Machine::new();
    let same = ReleaseFiles::good(&machine.keys, "good", vx_base::build_info::VERSION);
    let github = github(&[&same], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("is the newest release"), "{text}");
    assert_untouched(&machine, inode, &text);
    assert!(
        !github
            .requests()
            .iter()
            .any(|r| r.path.ends_with(".tar.gz")),
        "the archive was downloaded for nothing"
    );
}

#[test]
fn a_pinned_version_and_downgrades() {
    let machine = Machine::new();
    let newest = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let pinned = ReleaseFiles::good(&machine.keys, "good", "50.1.0");
    let old = ReleaseFiles::good(&machine.keys, "good", "0.0.1");
    let github = github(&[&newest, &pinned, &old], |b| b);
    let inode = machine.exe_inode();

    let (code, text) = machine.run(Some(&github), &["self", "update", "0.0.1"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--allow-downgrade"), "{text}");
    assert_untouched(&machine, inode, &text);

    let (code, text) = machine.run(Some(&github), &["self", "update", "v50.1.0"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read(machine.exe()).unwrap(), script("50.1.0"));
    assert_eq!(machine.receipt_version(), "50.1.0");

    // The installed vx is now the script: run the real one again from a fresh machine
    // trusting the same key.
    let first = machine;
    let machine = Machine::new();
    common::write_user_config(
        machine.home(),
        &format!("[self_update]\nkeys = [\"{}\"]\n", first.key_line),
    );
    let (code, text) = machine.run(
        Some(&github),
        &["self", "update", "0.0.1", "--allow-downgrade"],
    );
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read(machine.exe()).unwrap(), script("0.0.1"));
    assert_eq!(machine.receipt_version(), "0.0.1");
}

#[test]
fn a_tampered_archive_is_refused() {
    let machine = Machine::new();
    let mut new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    // Same size, other bytes: an archive altered on the server.
    let middle = new.archive.len() / 2;
    new.archive[middle] ^= 0xff;
    let github = github(&[&new], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("sha256"), "{text}");
    assert!(text.contains("nothing was replaced"), "{text}");
    assert_untouched(&machine, inode, &text);
}

#[test]
fn a_truncated_download_is_refused() {
    let machine = Machine::new();
    let mut new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    new.archive.truncate(new.archive.len() / 2);
    let github = github(&[&new], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("truncated"), "{text}");
    assert_untouched(&machine, inode, &text);
}

#[test]
fn a_manifest_signed_by_another_key_is_refused() {
    let machine = Machine::new();
    let new = ReleaseFiles::good(&machine.keys, "other", NEWER);
    let github = github(&[&new], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("not signed by a trusted key"), "{text}");
    assert!(text.contains("signed by another key"), "{text}");
    assert_untouched(&machine, inode, &text);
    // With that key trusted too (a path to its .pub file, relative to the config),
    // it verifies.
    machine.write_config("");
    let pub_path = machine.keys.0.join("other.pub");
    common::write_user_config(
        machine.home(),
        &format!(
            "[self_update]\nkeys = [\"{}\", \"{}\"]\n",
            machine.key_line,
            pub_path.display()
        ),
    );
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_missing_signature_is_refused() {
    let machine = Machine::new();
    let mut new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    new.signature = None;
    let github = github(&[&new], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("has no signature"), "{text}");
    assert_untouched(&machine, inode, &text);
}

#[test]
fn an_older_signed_manifest_replayed_under_a_newer_tag_is_refused() {
    let machine = Machine::new();
    let old = ReleaseFiles::good(&machine.keys, "good", "50.0.0");
    // v99.0.0's release serves v50.0.0's manifest, signature and archive: every
    // byte signed, but not as v99.0.0.
    let mut replay = ReleaseFiles::good(&machine.keys, "good", NEWER);
    replay.manifest = old.manifest.clone();
    replay.signature = old.signature.clone();
    let github = github(&[&replay, &old], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update", NEWER]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("not of v99.0.0"), "{text}");
    assert_untouched(&machine, inode, &text);

    // A manifest whose signature binds another tag than its own is refused too.
    let mut rebound = ReleaseFiles::good(&machine.keys, "good", NEWER);
    rebound.signature = Some(sign(&machine.keys, "good", &rebound.manifest, "tag:v1.0.0"));
    let github = self::github(&[&rebound], |b| b);
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("binds tag v1.0.0"), "{text}");
    assert_untouched(&machine, inode, &text);
}

#[test]
fn a_binary_reporting_another_version_is_refused() {
    let machine = Machine::new();
    let new = ReleaseFiles::reporting(&machine.keys, "good", NEWER, "98.0.0");
    let github = github(&[&new], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("reports version 98.0.0"), "{text}");
    assert_untouched(&machine, inode, &text);
}

#[test]
fn a_rate_limit_is_said_and_changes_nothing() {
    let machine = Machine::new();
    let new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let github = github(&[&new], |b| b);
    github.set_downloads_rate_limited(Some(vx_base::utc::now() + 600));
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("rate limit"), "{text}");
    assert_untouched(&machine, inode, &text);
}

#[test]
fn no_receipt_refuses_unless_forced() {
    let machine = Machine::new();
    std::fs::remove_file(machine.receipt()).unwrap();
    let new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let github = github(&[&new], |b| b);
    let inode = machine.exe_inode();
    let (code, text) = machine.run(Some(&github), &["self", "info", "--json"]);
    assert_eq!(code, 0, "{text}");
    let info: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(info["channel"], "manual");
    // Uninstalling one placed by hand says what to do in words (it named "delete the
    // file yourself" as a command to run), and removes nothing.
    let (code, text) = machine.run(None, &["self", "uninstall", "--yes"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("delete the file to uninstall it"), "{text}");
    assert!(!text.contains('`'), "{text}");
    assert!(machine.exe().exists());
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--force"), "{text}");
    assert!(github.requests().is_empty(), "it fetched before refusing");
    assert_eq!(machine.exe_inode(), inode);
    let (code, text) = machine.run(Some(&github), &["self", "update", "--force"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read(machine.exe()).unwrap(), script(NEWER));
}

#[test]
fn a_package_managers_vx_refuses_with_its_command() {
    let machine = Machine::new();
    // The wheel's layout: the script in the environment's bin, its metadata in
    // site-packages.
    let venv = machine.home().join("venv");
    std::fs::create_dir_all(venv.join("lib/python3.12/site-packages/vx_toolchain-0.1.0.dist-info"))
        .unwrap();
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::hard_link(machine.exe(), venv.join("bin/vx")).unwrap();
    let mut cmd = assert_cmd::Command::new(venv.join("bin/vx"));
    common::isolated(&mut cmd, machine.home());
    cmd.args(["self", "update", "--force"]);
    let (code, text) = common::code_and_output(&mut cmd);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("pip install -U vx-toolchain"), "{text}");
}

#[test]
fn info_reads_the_receipt_back() {
    let machine = Machine::new();
    let (code, text) = machine.run(None, &["self", "info", "--json"]);
    assert_eq!(code, 0, "{text}");
    let info: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(info["channel"], "installer");
    assert_eq!(info["version"], vx_base::build_info::VERSION);
    assert_eq!(info["receipt"]["source"], "https://example.invalid/release");
    assert_eq!(info["update"], "vx self update");
}

#[test]
fn updates_go_through_a_proxy_with_credentials() {
    let name = machine_name();
    let machine = Machine::new();
    let new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let github = github(&[&new], |b| b.host(&name));
    let proxy = Tinyproxy::start(&[], Some(("vx", "pr0xy-s3cret")));
    let with = |credentials: &str| {
        let mut cmd = machine.vx(Some(&github), &["self", "update"]);
        cmd.env(
            "HTTP_PROXY",
            proxy
                .url()
                .replace("http://", &format!("http://{credentials}@")),
        );
        common::code_and_output(&mut cmd)
    };
    let inode = machine.exe_inode();
    // tinyproxy refuses with a 401 (a proxy should say 407): vx fails, shows no
    // credentials, and replaces nothing.
    let (code, text) = with("vx:wrong");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(
        !text.contains("wrong") && !text.contains("pr0xy-s3cret"),
        "{text}"
    );
    assert_untouched(&machine, inode, &text);
    let (code, text) = with("vx:pr0xy-s3cret");
    assert_eq!(code, 0, "{text}\n{}", proxy.log());
    assert_eq!(std::fs::read(machine.exe()).unwrap(), script(NEWER));
    let requests = proxy.requests(3);
    assert!(
        requests
            .iter()
            .any(|r| r.contains("releases/latest/download/vx-release.json")),
        "{requests:?}"
    );
}

#[test]
fn a_release_host_with_a_private_ca_is_trusted_through_the_user_config() {
    let machine = Machine::new();
    let pki = Pki::new(&[]);
    let new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let base = "/mirror/vx/releases/download/v99.0.0";
    let routes: Vec<(String, Vec<u8>)> = vec![
        (format!("{base}/vx-release.json"), new.manifest.clone()),
        (
            format!("{base}/vx-release.json.minisig"),
            new.signature.clone().unwrap(),
        ),
        (format!("{base}/{}", asset_name(NEWER)), new.archive.clone()),
    ];
    let routes: Vec<(&str, Vec<u8>)> = routes
        .iter()
        .map(|(p, b)| (p.as_str(), b.clone()))
        .collect();
    let server = HttpsServer::start(&pki, &routes);
    let url = server.url("localhost", "/mirror/vx");
    let inode = machine.exe_inode();
    machine.write_config(&format!("url = \"{url}\"\n"));
    let (code, text) = machine.run(None, &["self", "update", NEWER]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("certificate"), "{text}");
    assert_untouched(&machine, inode, &text);
    machine.write_config(&format!(
        "url = \"{url}\"\n[http]\nca_certificates = [\"{}\"]\n",
        pki.ca().display()
    ));
    let (code, text) = machine.run(None, &["self", "update", NEWER]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read(machine.exe()).unwrap(), script(NEWER));
}

#[test]
fn uninstall_removes_the_exe_the_receipt_and_the_path_line() {
    let machine = Machine::new();
    let profile = machine.home().join(".profile");
    let mut file = std::fs::File::create(&profile).unwrap();
    writeln!(file, "export KEEP=1").unwrap();
    writeln!(
        file,
        "export PATH=\"{}:$PATH\" # added by the vx installer",
        machine.bin().display()
    )
    .unwrap();
    drop(file);
    // A sync on macOS or Windows starts its children through a hard link to vx beside
    // it (crates/vx-base/src/platform/image.rs); one an earlier vx left goes with vx.
    let image_link = machine.bin().join(".vx-image-1234-5678");
    std::fs::hard_link(machine.exe(), &image_link).unwrap();
    let (code, text) = machine.run(None, &["self", "uninstall"]);
    assert_eq!(code, 2, "without a terminal it wants --yes: {text}");
    assert!(machine.exe().exists());
    let (code, text) = machine.run(None, &["self", "uninstall", "--yes"]);
    assert_eq!(code, 0, "{text}");
    assert!(!machine.exe().exists(), "{text}");
    assert!(!machine.receipt().exists(), "{text}");
    assert!(!image_link.exists(), "{text}");
    assert_eq!(
        std::fs::read_to_string(&profile).unwrap(),
        "export KEEP=1\n"
    );
}

#[test]
fn a_sync_in_progress_keeps_starting_the_vx_it_began_with() {
    let machine = Machine::new();
    let work = common::Work::new();
    let (a, b) = common::two_slow_tools(&work);
    let sync = Command::new(machine.exe())
        .env("VX_BOARD_DIR", work.boards())
        .env("VX_DAEMON_SOCKET", machine.home().join("daemon.sock"))
        .args(["sync", "--headless", "-j", "1", "--manifest"])
        .arg(work.manifest())
        .arg("--store")
        .arg(work.store())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first child downloads, a "new vx" (one that fails every command) is
    // renamed over the file the sync was started from, as `vx self update` does.
    common::wait_for("the first download", || {
        (a.hits() + b.hits() > 0).then_some(())
    });
    let new = machine.bin().join(".new-vx");
    std::fs::write(
        &new,
        "#!/bin/sh\necho 'a vx of another frame' >&2\nexit 99\n",
    )
    .unwrap();
    std::fs::set_permissions(&new, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::rename(&new, machine.exe()).unwrap();
    let out = sync.wait_with_output().unwrap();
    let text = common::both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(a.hits() + b.hits(), 2, "{text}");
    assert!(
        crate::common::has_tree(work.store(), "a", "1")
            && crate::common::has_tree(work.store(), "b", "1"),
        "{text}"
    );
}

#[test]
fn a_running_daemon_is_told_it_keeps_the_old_vx() {
    let machine = Machine::new();
    let new = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let github = github(&[&new], |b| b);
    let store = machine.home().join("store");
    let (code, text) = machine.run(
        None,
        &["daemon", "start", "--store", store.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{text}");
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    // The daemon is stopped with the vx that was built (the installed one is the new
    // "vx" now), whatever the update said.
    let mut stop = assert_cmd::Command::new(env!("CARGO_BIN_EXE_vx"));
    common::isolated(&mut stop, machine.home());
    let stopped = stop
        .env("VX_DAEMON_SOCKET", machine.home().join("daemon.sock"))
        .args(["daemon", "stop"])
        .timeout(common::DEADLINE)
        .output()
        .unwrap();
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("daemon") && text.contains("still runs the old vx"),
        "{text}"
    );
    assert!(stopped.status.success(), "{stopped:?}");
}

/// Audit finding 5: SIGTERM while the staged new binary answers `--version` (here it
/// never does): exit 130, the check's process killed, the staged binary removed, the
/// installed vx untouched. And a staged binary an update killed with SIGKILL left long
/// ago is removed by the next update, while one as young as a running update's stays.
#[test]
fn an_interrupted_update_leaves_no_staged_binary_and_the_next_removes_a_killed_ones() {
    let machine = Machine::new();
    let checking = machine.home().join("checking.pid");
    let hanging = format!(
        "#!/bin/sh\necho $$ > '{}'\nexec sleep 300\n",
        checking.display()
    );
    let archive = archive(NEWER, hanging.as_bytes());
    let manifest = manifest(NEWER, &archive);
    let signature = Some(sign(
        &machine.keys,
        "good",
        &manifest,
        &format!("tag:v{NEWER}"),
    ));
    let hangs = ReleaseFiles {
        version: NEWER.to_owned(),
        archive,
        manifest,
        signature,
    };
    let github = github(&[&hangs], |b| b);
    let inode = machine.exe_inode();
    let mut update = machine.spawn(&github, &["self", "update"]);
    let check: u32 = common::wait_for("the new binary's --version to run", || {
        std::fs::read_to_string(&checking).ok()?.trim().parse().ok()
    });
    kill_process(Pid::from_raw(update.id() as i32).unwrap(), Signal::TERM).unwrap();
    let status = common::wait_exit(&mut update);
    let said = std::io::read_to_string(update.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(said.contains("interrupted"), "{said}");
    common::wait_for("the --version check to be killed", || {
        (!common::process_exists(check)).then_some(())
    });
    assert_eq!(machine.bin_files(), ["vx"]);
    assert_untouched(&machine, inode, &said);

    // What SIGKILL leaves: a staged binary, here a day old, and one of a running
    // update (just written).
    let killed = machine.bin().join(".vx-update-Killed");
    std::fs::write(&killed, b"a whole vx").unwrap();
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    std::fs::File::options()
        .write(true)
        .open(&killed)
        .unwrap()
        .set_modified(day_ago)
        .unwrap();
    std::fs::write(machine.bin().join(".vx-update-Young1"), b"a whole vx").unwrap();
    let good = ReleaseFiles::good(&machine.keys, "good", NEWER);
    let github = self::github(&[&good], |b| b);
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(machine.bin_files(), [".vx-update-Young1", "vx"]);
}

/// A new binary whose `--version` leaves a process behind holding its output (issue 53,
/// item 13): the check ends its whole process tree and goes on, instead of waiting on
/// the output forever; nothing of it is left running.
#[test]
fn a_version_check_that_leaves_a_process_behind_neither_hangs_nor_leaves_it() {
    // A sleep whose argument no other process has: what `pgrep` looks for afterwards.
    let marker = format!("sleep 300.{}", std::process::id());
    a_version_check_leaving_ends_it(&format!("{marker} &"), &marker, 60);
}

/// A new binary whose `--version` leaves a process in a session of its own (`setsid`,
/// out of the check's process group) holding its output (issue 66, item 17): it is
/// ended with the check, and the update goes on at once; it was left running, and
/// the update waited out the check's 30 s for the output and failed.
#[test]
fn a_version_check_that_leaves_a_detached_process_ends_it() {
    let marker = format!("sleep 301.{}", std::process::id());
    a_version_check_leaving_ends_it(&format!("setsid {marker} &"), &marker, 25);
}

/// A new binary whose `--version` runs `leaves` (a command that stays behind, found
/// by `marker`) before it answers: the update succeeds within `within_secs` and
/// nothing matching `marker` is left running.
fn a_version_check_leaving_ends_it(leaves: &str, marker: &str, within_secs: u64) {
    let machine = Machine::new();
    let binary = format!("#!/bin/sh\n{leaves}\necho 'vx {NEWER} (test 2026-01-01)'\n");
    let new = ReleaseFiles::of_binary(&machine.keys, "good", NEWER, binary.as_bytes());
    let github = github(&[&new], |b| b);
    let started = std::time::Instant::now();
    let (code, text) = machine.run(Some(&github), &["self", "update"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(within_secs),
        "{:?}: {text}",
        started.elapsed()
    );
    let left = Command::new("pgrep").args(["-f", marker]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&left.stdout).trim().is_empty(),
        "left running: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

/// vx's own files read through the bounded reader (issue 53, item 14): a
/// `receipt.json` that is a FIFO is refused by name by `vx self info`, `vx self
/// update --check` and `vx doctor` (they hung), and `[self_update] keys =
/// ["/dev/zero"]` is refused by name, not read for 4 GiB.
#[test]
fn a_receipt_that_is_a_fifo_and_a_key_file_that_is_a_device_are_refused_by_name() {
    let machine = Machine::new();
    std::fs::remove_file(machine.receipt()).unwrap();
    common::mkfifo(&machine.receipt());
    let receipt = machine.receipt().display().to_string();
    for args in [
        &["self", "info"][..],
        &["self", "update", "--check"],
        &["doctor", "--json"],
    ] {
        let (_, text) = machine.run(None, args);
        assert!(
            text.contains(&receipt) && text.contains("FIFO"),
            "{args:?}: {text}"
        );
    }
    std::fs::remove_file(machine.receipt()).unwrap();
    machine.write_receipt();
    let github = github(&[], |b| b);
    common::write_user_config(machine.home(), "[self_update]\nkeys = [\"/dev/zero\"]\n");
    let (code, text) = machine.run(Some(&github), &["self", "update", "--check"]);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("/dev/zero") && text.contains("character device"),
        "{text}"
    );
}
