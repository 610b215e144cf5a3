//! Signatures checked when a version is locked (`[tools.NAME.verify]`): keys and
//! signatures made at test time by the real `minisign` and `openssl`, archives and
//! signature files served by a loopback server whose request log shows what vx asked.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::signing::{Keys, run};
use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise_seeded};

/// A project directory, a scratch directory for keys and signatures, and a home of
/// its own (no user config, cache or network settings of the machine).
struct Signed {
    work: Work,
    keys: Keys,
}

impl Signed {
    fn new() -> Signed {
        let work = Work::new();
        let keys = Keys::new(&work.dir.path().join("keys"));
        Signed { work, keys }
    }

    fn home(&self) -> PathBuf {
        self.work.dir.path().join("home")
    }

    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        isolated(&mut cmd, &self.home());
        cmd
    }

    fn sync(&self, code: i32) -> String {
        let mut cmd = self.vx();
        cmd.arg("sync")
            .arg("--manifest")
            .arg(self.work.manifest())
            .arg("--store")
            .arg(self.work.store())
            .arg("--headless");
        outcome(&mut cmd, code)
    }

    fn lock_text(&self) -> Option<String> {
        std::fs::read_to_string(self.work.dir.path().join("vx.lock")).ok()
    }

    /// The lock's `verified` of `tool` on `platform`.
    fn verified(&self, tool: &str, platform: &str) -> Option<String> {
        let lock: toml::Table = toml::from_str(&self.lock_text()?).unwrap();
        let entry = lock["tools"][tool]["platforms"].get(platform)?;
        entry.get("verified")?.as_str().map(str::to_owned)
    }

    /// `vx list --json`'s object of `tool`.
    fn listed(&self, tool: &str) -> serde_json::Value {
        let mut cmd = self.vx();
        cmd.arg("list")
            .arg("--json")
            .arg("--store")
            .arg(self.work.store());
        let out = stdout_of(&mut cmd, 0);
        json_lines(&out)
            .into_iter()
            .find(|v| v["tool"] == tool)
            .expect("the tool is listed")
    }
}

/// Runs `cmd`, asserts its exit code, and returns stdout and stderr together.
fn outcome(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tarball(seed: u64) -> Vec<u8> {
    common::archive(ArchiveFormat::TarGz, noise_seeded(3000, seed))
}

fn here() -> String {
    vx_model::manifest::Platform::current().to_string()
}

/// A platform other than this one.
fn elsewhere() -> &'static str {
    if here() == "macos-aarch64" {
        "linux-x86_64"
    } else {
        "macos-aarch64"
    }
}

fn was_asked(server: &TestServer, suffix: &str) -> usize {
    server
        .paths()
        .iter()
        .filter(|p| p.ends_with(suffix))
        .count()
}

#[test]
fn a_minisign_signature_is_verified_for_every_locked_platform_and_not_fetched_again() {
    let s = Signed::new();
    let (public, id) = s.keys.minisign_key("key");
    let (mine, other) = (tarball(1), tarball(2));
    let (mine_path, other_path) = (
        format!("/tool-{}.tar.gz", here()),
        format!("/tool-{}.tar.gz", elsewhere()),
    );
    let server = TestServer::start([
        (
            format!("{mine_path}.minisig"),
            Route::Ok(s.keys.minisign("key", &mine)),
        ),
        (
            format!("{other_path}.minisig"),
            Route::Ok(s.keys.minisign("key", &other)),
        ),
        (mine_path, Route::Ok(mine)),
        (other_path, Route::Ok(other)),
    ]);
    s.work.write_manifest(&format!(
        r#"[settings]
platforms = ["{here}", "{elsewhere}"]

[tools.tool]
version = "1"
url = "{base}/tool-{{os}}-{{arch}}.tar.gz"
strip_components = 1

[tools.tool.verify]
minisign = {{ public_key = "{public}" }}
"#,
        here = here(),
        elsewhere = elsewhere(),
        base = server.url(""),
    ));

    outcome(s.vx().arg("lock").arg("--headless"), 0);
    let record = format!("minisign:{id}");
    assert_eq!(
        s.verified("tool", &here()).as_deref(),
        Some(record.as_str())
    );
    assert_eq!(
        s.verified("tool", elsewhere()).as_deref(),
        Some(record.as_str())
    );
    assert_eq!(was_asked(&server, ".minisig"), 2, "{:?}", server.paths());

    // Installing from the lock checks the sha256 only: no signature is asked for, and
    // `vx list` says what the lock verified.
    s.sync(0);
    assert!(
        crate::common::tree_in(s.work.store(), "tool", "1")
            .join(".vx-receipt.json")
            .is_file()
    );
    assert_eq!(was_asked(&server, ".minisig"), 2, "{:?}", server.paths());
    assert_eq!(s.listed("tool")["verified"].as_str(), Some(record.as_str()));
}

#[test]
fn a_cosign_signature_made_by_openssl_is_verified_with_a_key_file() {
    let s = Signed::new();
    let (public, fingerprint) = s.keys.cosign_key("cosign");
    std::fs::copy(&public, s.work.dir.path().join("tool.pub")).unwrap();
    let body = tarball(3);
    let server = TestServer::start([
        (
            "/tool.tar.gz.sig",
            Route::Ok(s.keys.cosign("cosign", &body)),
        ),
        ("/tool.tar.gz", Route::Ok(body)),
    ]);
    s.work.write_manifest(&format!(
        r#"[tools.tool]
version = "1"
url = "{}"
strip_components = 1
verify = {{ cosign = {{ public_key = "tool.pub" }} }}
"#,
        server.url("/tool.tar.gz")
    ));
    s.sync(0);
    assert_eq!(
        s.verified("tool", &here()),
        Some(format!("cosign:sha256:{fingerprint}"))
    );
    let listed = s.listed("tool");
    assert_eq!(
        listed["verified"].as_str(),
        Some(format!("cosign:sha256:{fingerprint}").as_str())
    );
    assert!(
        crate::common::tree_in(s.work.store(), "tool", "1")
            .join(".vx-receipt.json")
            .is_file()
    );
}

#[test]
fn a_signature_of_other_bytes_is_refused_and_nothing_is_locked_or_installed() {
    let s = Signed::new();
    let (public, id) = s.keys.minisign_key("key");
    let body = tarball(4);
    let server = TestServer::start([
        (
            "/tool.tar.gz.minisig",
            Route::Ok(s.keys.minisign("key", b"other bytes")),
        ),
        ("/tool.tar.gz", Route::Ok(body)),
    ]);
    s.work.write_manifest(&format!(
        "[tools.tool]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n\
         [tools.tool.verify]\nminisign = {{ public_key = \"{public}\" }}\n",
        server.url("/tool.tar.gz")
    ));
    let out = s.sync(1);
    assert!(
        out.contains("does not verify") && out.contains(&id),
        "{out}"
    );
    assert!(!crate::common::has_tree(s.work.store(), "tool", "1"));
    assert!(s.verified("tool", &here()).is_none());
    assert!(!s.lock_text().unwrap_or_default().contains("[tools.tool"));
}

#[test]
fn a_signature_by_another_key_is_refused() {
    let s = Signed::new();
    let (trusted, fingerprint) = s.keys.cosign_key("trusted");
    s.keys.cosign_key("intruder");
    let body = tarball(5);
    let server = TestServer::start([
        (
            "/tool.tar.gz.sig",
            Route::Ok(s.keys.cosign("intruder", &body)),
        ),
        ("/tool.tar.gz", Route::Ok(body)),
    ]);
    let pem = std::fs::read_to_string(trusted).unwrap();
    s.work.write_manifest(&format!(
        "[tools.tool]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n\
         [tools.tool.verify]\ncosign = {{ public_key = \"\"\"\n{pem}\"\"\" }}\n",
        server.url("/tool.tar.gz")
    ));
    let out = s.sync(1);
    assert!(
        out.contains("does not verify") && out.contains(&fingerprint),
        "{out}"
    );
    assert!(!crate::common::has_tree(s.work.store(), "tool", "1"));
    assert!(s.verified("tool", &here()).is_none());
}

#[test]
fn require_refuses_a_tool_with_nothing_to_verify_before_downloading() {
    let s = Signed::new();
    let server = TestServer::start([("/tool.tar.gz", Route::Ok(tarball(6)))]);
    s.work.write_manifest(&format!(
        "[settings]\nverify = \"require\"\n\n[tools.tool]\nversion = \"1\"\nurl = \"{}\"\n",
        server.url("/tool.tar.gz")
    ));
    let out = s.sync(2);
    assert!(out.contains("require") && out.contains("tool"), "{out}");
    assert_eq!(server.hits(), 0);
    let out = outcome(s.vx().arg("lock").arg("--headless"), 2);
    assert!(out.contains("no signature vx verifies"), "{out}");
    assert!(s.lock_text().is_none());
}

#[test]
fn bad_keys_and_missing_key_files_are_errors_at_their_line() {
    let s = Signed::new();
    // A key of another curve: well-formed PEM, the wrong algorithm.
    let p384 = s.work.dir.path().join("p384.pem");
    run(Command::new("openssl")
        .args(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out"])
        .arg(&p384));
    run(Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&p384)
        .arg("-out")
        .arg(s.work.dir.path().join("p384.pub")));
    for (verify, says) in [
        (
            "minisign = { public_key = \"RWQnot-a-key\" }",
            "not a minisign public key",
        ),
        (
            "cosign = { public_key = \"missing.pub\" }",
            "cannot read the cosign key file",
        ),
        (
            "minisign = { public_key = \"RWQ\", sig = \"x\" }",
            "unknown key",
        ),
        ("gpg = { public_key = \"x\" }", "unknown key"),
        (
            "cosign = { public_key = \"p384.pub\" }",
            "not an ecdsa p-256 public key",
        ),
    ] {
        s.work.write_manifest(&format!(
            "[tools.tool]\nversion = \"1\"\nurl = \"https://example.org/t.tar.gz\"\n\n\
             [tools.tool.verify]\n{verify}\n"
        ));
        let out = s.sync(2);
        assert!(out.contains("vx.toml:6:"), "{verify}: {out}");
        assert!(out.to_lowercase().contains(says), "{verify}: {out}");
    }
}

/// The key file named relative to vx.toml, not to the working directory.
#[test]
fn a_cosign_key_path_is_relative_to_the_manifest() {
    let s = Signed::new();
    let (public, _) = s.keys.cosign_key("k");
    let project = s.work.dir.path().join("project");
    std::fs::create_dir_all(project.join("keys")).unwrap();
    std::fs::copy(public, project.join("keys/k.pub")).unwrap();
    let manifest = project.join("vx.toml");
    std::fs::write(
        &manifest,
        "[tools.tool]\nversion = \"1\"\nurl = \"http://127.0.0.1:9/t.tar.gz\"\n\
         verify = { cosign = { public_key = \"keys/k.pub\" } }\n",
    )
    .unwrap();
    // Run from elsewhere: the manifest parses (the key is read and checked), and
    // `vx lock --check` gets as far as the missing lock.
    let out = outcome(
        s.vx()
            .current_dir(Path::new("/"))
            .arg("lock")
            .arg("--check")
            .env("VX_MANIFEST", &manifest),
        1,
    );
    assert!(out.contains("vx.lock is missing"), "{out}");
}

/// A tool installed before its `verify` table was added is not locked on the strength
/// of the tree already there: its bytes are fetched again and verified.
#[test]
fn a_tree_installed_before_verify_was_added_is_verified_when_locked() {
    let s = Signed::new();
    let (public, id) = s.keys.minisign_key("key");
    let body = tarball(7);
    let server = TestServer::start([
        (
            "/tool.tar.gz.minisig",
            Route::Ok(s.keys.minisign("key", &body)),
        ),
        ("/tool.tar.gz", Route::Ok(body)),
    ]);
    let table = format!(
        "[tools.tool]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n",
        server.url("/tool.tar.gz")
    );
    s.work.write_manifest(&table);
    s.sync(0);
    assert!(s.verified("tool", &here()).is_none());

    s.work.write_manifest(&format!(
        "{table}[tools.tool.verify]\nminisign = {{ public_key = \"{public}\" }}\n"
    ));
    s.sync(0);
    assert_eq!(s.verified("tool", &here()), Some(format!("minisign:{id}")));
    assert_eq!(was_asked(&server, ".minisig"), 1, "{:?}", server.paths());
}

/// Hostile signature files: too large, garbage, missing. Each refuses the tool with
/// the reason; none panics or hangs.
#[test]
fn hostile_or_missing_signature_files_refuse_the_tool_with_a_reason() {
    let s = Signed::new();
    let (public, _) = s.keys.minisign_key("key");
    let (pem, _) = s.keys.cosign_key("c");
    std::fs::copy(pem, s.work.dir.path().join("c.pub")).unwrap();
    let body = tarball(8);
    let server = TestServer::start([
        ("/huge.minisig", Route::Ok(vec![b'A'; 100 * 1024])),
        (
            "/garbage.minisig",
            Route::Ok(b"untrusted comment: x\n\xff\xfe\n".to_vec()),
        ),
        ("/garbage.sig", Route::Ok(b"not base64 at all!".to_vec())),
        ("/tool.tar.gz", Route::Ok(body)),
    ]);
    for (verify, says) in [
        (
            format!(
                "minisign = {{ public_key = \"{public}\", signature = \"{}\" }}",
                server.url("/huge.minisig")
            ),
            "larger than 65536 bytes",
        ),
        (
            format!(
                "minisign = {{ public_key = \"{public}\", signature = \"{}\" }}",
                server.url("/garbage.minisig")
            ),
            "malformed",
        ),
        (
            "cosign = { public_key = \"c.pub\", signature = \"{url}.missing\" }".to_owned(),
            "HTTP 404",
        ),
        (
            format!(
                "cosign = {{ public_key = \"c.pub\", signature = \"{}\" }}",
                server.url("/garbage.sig")
            ),
            "not base64",
        ),
    ] {
        s.work.write_manifest(&format!(
            "[tools.tool]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n\
             [tools.tool.verify]\n{verify}\n",
            server.url("/tool.tar.gz")
        ));
        let out = s.sync(1);
        assert!(out.contains(says), "{verify}: {out}");
        assert!(!crate::common::has_tree(s.work.store(), "tool", "1"));
    }
}

/// `--offline` reaches no network, for a signature either: a tool whose signature is
/// on a server is refused, with the reason, and the server is never asked.
#[test]
fn offline_fetches_no_signature_from_a_server() {
    let s = Signed::new();
    let (public, _) = s.keys.minisign_key("key");
    let body = tarball(9);
    let archive = s.work.dir.path().join("tool.tar.gz");
    std::fs::write(&archive, &body).unwrap();
    let server = TestServer::start([("/tool.minisig", Route::Ok(s.keys.minisign("key", &body)))]);
    s.work.write_manifest(&format!(
        "[tools.tool]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n\
         [tools.tool.verify]\nminisign = {{ public_key = \"{public}\", signature = \"{}\" }}\n",
        file_url(&archive),
        server.url("/tool.minisig")
    ));
    let mut cmd = s.vx();
    cmd.arg("sync")
        .arg("--manifest")
        .arg(s.work.manifest())
        .arg("--store")
        .arg(s.work.store())
        .arg("--headless")
        .arg("--offline");
    let out = outcome(&mut cmd, 1);
    assert!(out.contains("offline"), "{out}");
    assert_eq!(server.hits(), 0);
    assert!(!crate::common::has_tree(s.work.store(), "tool", "1"));

    // A signature beside a local archive is read offline.
    std::fs::write(
        s.work.dir.path().join("tool.tar.gz.minisig"),
        s.keys.minisign("key", &body),
    )
    .unwrap();
    s.work.write_manifest(&format!(
        "[tools.tool]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n\
         [tools.tool.verify]\nminisign = {{ public_key = \"{public}\" }}\n",
        file_url(&archive),
    ));
    outcome(&mut cmd, 0);
    assert!(crate::common::has_tree(s.work.store(), "tool", "1"));
}

/// Item 6: version 1 signed and locked; version 2 with no signature (the verify table
/// dropped with the bump) is refused by `vx lock` and `vx sync`, naming both, the lock
/// unchanged; with `--allow-provenance-loss` it is locked and the lock says so. A new
/// version signed by another key is a loss too.
#[test]
fn a_new_version_that_loses_its_signature_is_refused_unless_allowed() {
    let s = Signed::new();
    let (public, id) = s.keys.minisign_key("key");
    let (public2, id2) = s.keys.minisign_key("other");
    let (v1, v2) = (tarball(11), tarball(12));
    let server = TestServer::start([
        (
            "/tool-1.tar.gz.minisig".to_owned(),
            Route::Ok(s.keys.minisign("key", &v1)),
        ),
        (
            "/tool-2.tar.gz.minisig".to_owned(),
            Route::Ok(s.keys.minisign("other", &v2)),
        ),
        ("/tool-1.tar.gz".to_owned(), Route::Ok(v1)),
        ("/tool-2.tar.gz".to_owned(), Route::Ok(v2)),
    ]);
    let manifest = |version: &str, key: Option<&str>| {
        let verify = key
            .map(|k| format!("\n[tools.tool.verify]\nminisign = {{ public_key = \"{k}\" }}\n"))
            .unwrap_or_default();
        s.work.write_manifest(&format!(
            "[tools.tool]\nversion = \"{version}\"\nurl = \"{}/tool-{{version}}.tar.gz\"\nstrip_components = 1\n{verify}",
            server.url("")
        ));
    };
    manifest("1", Some(&public));
    outcome(s.vx().arg("lock").arg("--headless"), 0);
    let locked = s.lock_text().unwrap();

    // Version 2 without a signature: refused, naming both; nothing downloaded.
    manifest("2", None);
    let asked = server.paths().len();
    let text = outcome(s.vx().arg("lock").arg("--headless"), 2);
    let loss = format!("tool 1 was verified with minisign:{id}; 2 would be verified with nothing");
    assert!(text.contains(&loss), "{text}");
    assert!(text.contains("--allow-provenance-loss"), "{text}");
    assert_eq!(s.lock_text().unwrap(), locked, "the lock is unchanged");
    assert_eq!(server.paths().len(), asked, "nothing was fetched");
    let text = s.sync(2);
    assert!(text.contains(&loss), "{text}");
    assert_eq!(s.lock_text().unwrap(), locked);

    // Signed by another key: a loss too.
    manifest("2", Some(&public2));
    let text = outcome(s.vx().arg("lock").arg("--headless"), 2);
    assert!(
        text.contains(&format!(
            "tool 1 was verified with minisign:{id}; 2 would be verified with minisign:{id2}"
        )),
        "{text}"
    );

    // Allowed: locked, and the lock records the loss.
    manifest("2", None);
    outcome(
        s.vx()
            .args(["lock", "--headless", "--allow-provenance-loss"]),
        0,
    );
    let lock: toml::Table = toml::from_str(&s.lock_text().unwrap()).unwrap();
    assert_eq!(lock["tools"]["tool"]["version"].as_str(), Some("2"));
    assert_eq!(
        lock["tools"]["tool"]["provenance_loss"].as_str(),
        Some(format!("minisign:{id} (1) → nothing (2)").as_str())
    );
    // Locked now: the next run has nothing to refuse.
    outcome(s.vx().arg("lock").arg("--headless"), 0);
}

/// Issue 42 item 5 (issue 39 item 10): every command that re-locks applies the same
/// provenance gate. Version 1 signed and locked, version 2 with its verify table
/// dropped: `vx exec` and `vx CMD`, which install what is missing through the
/// project's sync, refuse as `vx sync` does (exit 2, naming the loss), install
/// nothing and leave the lock as it was; allowed, the loss is recorded.
#[test]
fn every_path_that_relocks_refuses_a_provenance_loss() {
    let s = Signed::new();
    let (public, id) = s.keys.minisign_key("key");
    let (v1, v2) = (tarball(21), tarball(22));
    let server = TestServer::start([
        (
            "/tool-1.tar.gz.minisig".to_owned(),
            Route::Ok(s.keys.minisign("key", &v1)),
        ),
        ("/tool-1.tar.gz".to_owned(), Route::Ok(v1)),
        ("/tool-2.tar.gz".to_owned(), Route::Ok(v2)),
    ]);
    let manifest = |version: &str, verify: &str| {
        s.work.write_manifest(&format!(
            "[tools.tool]\nversion = \"{version}\"\nurl = \"{}/tool-{{version}}.tar.gz\"\nstrip_components = 1\n{verify}",
            server.url("")
        ));
    };
    manifest(
        "1",
        &format!("[tools.tool.verify]\nminisign = {{ public_key = \"{public}\" }}\n"),
    );
    outcome(s.vx().arg("lock").arg("--headless"), 0);
    let locked = s.lock_text().unwrap();
    assert!(locked.contains(&format!("minisign:{id}")), "{locked}");

    manifest("2", "");
    let loss = format!("tool 1 was verified with minisign:{id}; 2 would be verified with nothing");
    let store = s.home().join(".local/share/vx/store");
    for args in [
        &["exec", "--", "tool"][..],
        &["tool"],
        &["sync", "--headless"],
    ] {
        let text = outcome(s.vx().args(args), 2);
        assert!(text.contains("provenance loss"), "{args:?}: {text}");
        assert!(text.contains(&loss), "{args:?}: {text}");
        assert!(text.contains("--allow-provenance-loss"), "{args:?}: {text}");
        assert_eq!(
            s.lock_text().unwrap(),
            locked,
            "{args:?}: the lock is unchanged"
        );
        assert!(
            !crate::common::has_tree(&store, "tool", "2"),
            "{args:?}: nothing installed"
        );
    }
    assert_eq!(
        was_asked(&server, "/tool-2.tar.gz"),
        0,
        "nothing was fetched"
    );

    // Allowed by `vx sync`: the sync's own lock records the loss, and `vx exec` then
    // has nothing to refuse.
    let text = outcome(
        s.vx()
            .args(["sync", "--headless", "--allow-provenance-loss"]),
        0,
    );
    assert!(text.contains(&loss), "{text}");
    let lock: toml::Table = toml::from_str(&s.lock_text().unwrap()).unwrap();
    assert_eq!(lock["tools"]["tool"]["version"].as_str(), Some("2"));
    assert_eq!(
        lock["tools"]["tool"]["provenance_loss"].as_str(),
        Some(format!("minisign:{id} (1) → nothing (2)").as_str())
    );
    outcome(s.vx().args(["exec", "--", "tool"]), 0);
}
