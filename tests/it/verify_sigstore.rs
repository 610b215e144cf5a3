//! Sigstore checks at lock time (`[tools.NAME.verify]` `sigstore`,
//! `github_attestations`, `slsa`): a Sigstore of the test's own (a CA, an intermediate,
//! leaf certificates with Fulcio's extensions and a log key, `common/sigstore.rs`), its
//! trusted root named by the user config, bundles served by a loopback server whose
//! request log shows what vx asked, and a fake GitHub API answering in GitHub's shape.

use crate::common;
use crate::common::sigstore as fixture;

use std::path::PathBuf;

use common::*;
use fixture::{Leaf, Sigstore};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

const WORKFLOW: &str = "https://github.com/o/r/.github/workflows/release.yml";

/// A project, a home of its own whose user config names the test's trusted root.
struct Project {
    work: Work,
    sigstore: Sigstore,
}

impl Project {
    fn new() -> Project {
        let project = Project {
            work: Work::new(),
            sigstore: Sigstore::new(),
        };
        let root = project.home().join("trusted_root.json");
        std::fs::create_dir_all(project.home()).unwrap();
        std::fs::write(&root, project.sigstore.trusted_root()).unwrap();
        project.user_config(&root);
        project
    }

    fn home(&self) -> PathBuf {
        self.work.dir.path().join("home")
    }

    /// Points the user config's `[verify] trusted_root` at `root`.
    fn user_config(&self, root: &std::path::Path) {
        write_user_config(
            &self.home(),
            &format!(
                "[verify]\ntrusted_root = {:?}\n",
                root.display().to_string()
            ),
        );
    }

    fn vx(&self, server: &TestServer) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        isolated(&mut cmd, &self.home());
        cmd.env("VX_GITHUB_API_URL", server.url("/api"));
        cmd
    }

    /// `vx ARGS --headless` exiting with `code`: stdout and stderr.
    fn run(&self, server: &TestServer, args: &[&str], code: i32) -> String {
        let (stdout, stderr) = output_of(self.vx(server).args(args).arg("--headless"), code);
        format!("{stdout}{stderr}")
    }

    fn sync(&self, server: &TestServer, code: i32) -> String {
        let manifest = self.work.manifest();
        let store = self.work.store();
        self.run(
            server,
            &[
                "sync",
                "--manifest",
                manifest.to_str().unwrap(),
                "--store",
                store.to_str().unwrap(),
            ],
            code,
        )
    }

    fn manifest(&self, server: &TestServer, verify: &str) {
        self.work.write_manifest(&format!(
            "[tools.tool]\nversion = \"1\"\nurl = \"{}/tool.tar.gz\"\nstrip_components = 1\n\n[tools.tool.verify]\n{verify}\n",
            server.url("")
        ));
    }

    /// The lock's `verified` of `tool` on this platform.
    fn verified(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.work.dir.path().join("vx.lock")).ok()?;
        let lock: toml::Table = toml::from_str(&text).unwrap();
        let entry = lock["tools"]["tool"]["platforms"].get(here())?;
        entry.get("verified")?.as_str().map(str::to_owned)
    }

    fn installed(&self) -> bool {
        vx_engine::store::newest_tree(&self.work.store(), "tool", "1").is_some()
    }
}

fn here() -> String {
    vx_model::manifest::Platform::current().to_string()
}

fn tarball(seed: u64) -> Vec<u8> {
    common::archive(ArchiveFormat::TarGz, noise_seeded(3000, seed))
}

fn asked(server: &TestServer, part: &str) -> usize {
    server.paths().iter().filter(|p| p.contains(part)).count()
}

fn serve(routes: Vec<(String, Vec<u8>)>) -> TestServer {
    TestServer::start(
        routes
            .into_iter()
            .map(|(path, body)| (path, Route::Ok(body))),
    )
}

/// A way to fail: its name, what the server serves (made from the test's Sigstore and
/// the tool's bytes), and what the refusal must say.
type Case = (
    &'static str,
    Box<dyn Fn(&Sigstore, &[u8]) -> Vec<u8>>,
    &'static str,
);

const SIGSTORE: &str = "sigstore = { identity = \"https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1\", issuer = \"https://token.actions.githubusercontent.com\" }";

/// A project whose tool (`tarball(seed)`, at `/tool.tar.gz`) is served beside what
/// `signature` makes of it (its path and bytes), its vx.toml verifying the tool as
/// `verify` says.
fn signed(
    seed: u64,
    verify: &str,
    signature: impl FnOnce(&Project, &[u8]) -> (String, Vec<u8>),
) -> (Project, TestServer) {
    let p = Project::new();
    let tool = tarball(seed);
    let server = serve(vec![
        signature(&p, &tool),
        ("/tool.tar.gz".to_owned(), tool),
    ]);
    p.manifest(&server, verify);
    (p, server)
}

/// The keyless Sigstore bundle of `tool` by [`WORKFLOW`] at tag v1, at its path.
fn keyless_v1(p: &Project, tool: &[u8]) -> (String, Vec<u8>) {
    let leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
    (
        "/tool.tar.gz.sigstore.json".to_owned(),
        p.sigstore.blob_bundle(&leaf, tool),
    )
}

#[test]
fn a_keyless_signature_is_verified_recorded_without_its_ref_and_not_checked_again() {
    let (p, server) = signed(1, SIGSTORE, keyless_v1);
    p.sync(&server, 0);
    assert!(p.installed());
    assert_eq!(p.verified(), Some(format!("sigstore:{WORKFLOW}")));
    assert_eq!(asked(&server, ".sigstore.json"), 1);

    // From the fresh lock, in a new store: no bundle is asked for, and no trusted root
    // is read (the user config names a file that does not exist).
    std::fs::remove_dir_all(p.work.store()).unwrap();
    p.user_config(&p.home().join("missing.json"));
    p.sync(&server, 0);
    assert!(p.installed());
    assert_eq!(asked(&server, ".sigstore.json"), 1, "{:?}", server.paths());
}

#[test]
fn a_keyless_signature_matches_an_identity_regexp() {
    let p = Project::new();
    let tool = tarball(2);
    let bundle = p
        .sigstore
        .blob_bundle(&Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v9")), &tool);
    let server = serve(vec![
        ("/tool.tar.gz.sigstore.json".to_owned(), bundle),
        ("/tool.tar.gz".to_owned(), tool),
    ]);
    p.manifest(
        &server,
        "sigstore = { identity_regexp = \"^https://github.com/o/r/\", issuer = \"https://token.actions.githubusercontent.com\" }",
    );
    p.sync(&server, 0);
    assert_eq!(
        p.verified().as_deref(),
        Some("sigstore:~^https://github.com/o/r/")
    );
}

/// Every way a keyless signature can fail is refused with its reason, the tool named,
/// nothing installed or locked.
#[test]
fn bad_keyless_signatures_are_refused_with_what_did_not_match() {
    let cases: Vec<Case> = vec![
        (
            "tampered artifact",
            Box::new(|s, tool| {
                let mut other = tool.to_vec();
                other[100] ^= 1;
                s.blob_bundle(&Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1")), &other)
            }),
            "does not match artifact hash",
        ),
        (
            "wrong signer",
            Box::new(|s, tool| {
                s.blob_bundle(
                    &Leaf::workflow(
                        "https://github.com/evil/r/.github/workflows/release.yml@refs/tags/v1",
                    ),
                    tool,
                )
            }),
            "signed by https://github.com/evil/r/.github/workflows/release.yml@refs/tags/v1, not by",
        ),
        (
            "wrong issuer",
            Box::new(|s, tool| {
                let mut leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                leaf.issuer = "https://accounts.example.org".to_owned();
                s.blob_bundle(&leaf, tool)
            }),
            "issuer",
        ),
        (
            "expired certificate",
            Box::new(|s, tool| {
                let mut leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                leaf.valid = ((2020, 1, 1), (2020, 1, 2));
                s.blob_bundle(&leaf, tool)
            }),
            "the signing certificate was not valid when the transparency log recorded the signature",
        ),
        (
            "another Sigstore (CA and log)",
            Box::new(|_, tool| {
                Sigstore::new()
                    .blob_bundle(&Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1")), tool)
            }),
            "does not verify",
        ),
        (
            "garbage",
            Box::new(|_, _| b"{\"mediaType\": 7".to_vec()),
            "not a Sigstore bundle",
        ),
        (
            "huge",
            Box::new(|_, _| vec![b' '; 5 << 20]),
            "larger than 4194304 bytes: not a Sigstore bundle file",
        ),
    ];
    for (case, bundle, reason) in cases {
        let (p, server) = signed(3, SIGSTORE, |p, tool| {
            (
                "/tool.tar.gz.sigstore.json".to_owned(),
                bundle(&p.sigstore, tool),
            )
        });
        let out = p.sync(&server, 1);
        assert!(out.contains(reason), "{case}: {out}");
        assert!(out.contains("tool"), "{case}: {out}");
        assert!(!p.installed(), "{case}");
        assert_eq!(p.verified(), None, "{case}");
    }
}

/// GitHub's attestations of `tool`'s digest, as vx asks for them: one page of 100.
fn attestations_path(tool: &[u8]) -> String {
    format!(
        "/api/repos/o/r/attestations/sha256:{}?per_page=100",
        sha256_hex(tool)
    )
}

fn answer(bundles: Vec<serde_json::Value>) -> Vec<u8> {
    let attestations: Vec<serde_json::Value> = bundles
        .into_iter()
        .map(|b| serde_json::json!({"bundle": b, "repository_id": 1}))
        .collect();
    serde_json::json!({ "attestations": attestations })
        .to_string()
        .into_bytes()
}

const ATTESTATIONS: &str = "github_attestations = { repo = \"o/r\", signer_workflow = \"o/r/.github/workflows/release.yml\" }";

#[test]
fn a_github_attestation_is_verified_and_recorded_and_not_asked_for_again() {
    let p = Project::new();
    let tool = tarball(4);
    let leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
    // An attestation by another workflow first: the second one is the one that holds.
    let other =
        Leaf::workflow("https://github.com/o/r/.github/workflows/other.yml@refs/heads/main");
    let bundles = vec![
        p.sigstore
            .attestation(&other, &tool, "https://slsa.dev/provenance/v1"),
        p.sigstore
            .attestation(&leaf, &tool, "https://slsa.dev/provenance/v1"),
    ];
    let server = serve(vec![
        (attestations_path(&tool), answer(bundles)),
        ("/tool.tar.gz".to_owned(), tool),
    ]);
    p.manifest(&server, ATTESTATIONS);
    p.sync(&server, 0);
    assert!(p.installed());
    assert_eq!(
        p.verified().as_deref(),
        Some("github-attestation:o/r/.github/workflows/release.yml")
    );
    assert_eq!(asked(&server, "/attestations/"), 1);

    std::fs::remove_dir_all(p.work.store()).unwrap();
    p.user_config(&p.home().join("missing.json"));
    p.sync(&server, 0);
    assert!(p.installed());
    assert_eq!(asked(&server, "/attestations/"), 1, "{:?}", server.paths());
}

#[test]
fn bad_github_attestations_are_refused_with_what_did_not_match() {
    let cases: Vec<Case> = vec![
        (
            "another digest",
            Box::new(|s, tool| {
                let mut other = tool.to_vec();
                other[100] ^= 1;
                let leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                answer(vec![s.attestation(
                    &leaf,
                    &other,
                    "https://slsa.dev/provenance/v1",
                )])
            }),
            "no attestation verifies",
        ),
        (
            "another workflow",
            Box::new(|s, tool| {
                let leaf = Leaf::workflow(
                    "https://github.com/o/r/.github/workflows/evil.yml@refs/tags/v1",
                );
                answer(vec![s.attestation(
                    &leaf,
                    tool,
                    "https://slsa.dev/provenance/v1",
                )])
            }),
            "signed by workflow o/r/.github/workflows/evil.yml, not o/r/.github/workflows/release.yml",
        ),
        (
            "another predicate",
            Box::new(|s, tool| {
                let leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                answer(vec![s.attestation(
                    &leaf,
                    tool,
                    "https://spdx.dev/Document",
                )])
            }),
            "predicate type https://spdx.dev/Document, not https://slsa.dev/provenance/v1",
        ),
        (
            "expired certificate",
            Box::new(|s, tool| {
                let mut leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                leaf.valid = ((2020, 1, 1), (2020, 1, 2));
                answer(vec![s.attestation(
                    &leaf,
                    tool,
                    "https://slsa.dev/provenance/v1",
                )])
            }),
            "the signing certificate was not valid when the transparency log recorded the signature",
        ),
        (
            "none",
            Box::new(|_, _| answer(vec![])),
            "GitHub has no attestation",
        ),
        (
            "garbage",
            Box::new(|_, _| b"[1, 2".to_vec()),
            "not GitHub's attestations answer",
        ),
    ];
    for (case, body, reason) in cases {
        let (p, server) = signed(5, ATTESTATIONS, |p, tool| {
            (attestations_path(tool), body(&p.sigstore, tool))
        });
        let out = p.sync(&server, 1);
        assert!(out.contains(reason), "{case}: {out}");
        assert!(!p.installed(), "{case}");
        assert_eq!(p.verified(), None, "{case}");
    }
}

const SLSA: &str =
    "slsa = { provenance = \"{url}.intoto.jsonl\", source_uri = \"github.com/o/r\" }";

#[test]
fn slsa_provenance_is_verified_against_the_digest_and_the_source() {
    let p = Project::new();
    let tool = tarball(6);
    let mut leaf = Leaf::workflow(
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0",
    );
    leaf.source = Some("https://github.com/o/r".to_owned());
    let provenance = p
        .sigstore
        .attestation(&leaf, &tool, "https://slsa.dev/provenance/v0.2");
    let server = serve(vec![
        (
            "/tool.tar.gz.intoto.jsonl".to_owned(),
            format!("{provenance}\n").into_bytes(),
        ),
        ("/tool.tar.gz".to_owned(), tool),
    ]);
    p.manifest(&server, SLSA);
    p.sync(&server, 0);
    assert_eq!(p.verified().as_deref(), Some("slsa:github.com/o/r"));
    assert_eq!(asked(&server, ".intoto.jsonl"), 1);

    std::fs::remove_dir_all(p.work.store()).unwrap();
    p.user_config(&p.home().join("missing.json"));
    p.sync(&server, 0);
    assert!(p.installed());
    assert_eq!(asked(&server, ".intoto.jsonl"), 1, "{:?}", server.paths());
}

/// `vx lock` verifies every platform's download; one that does not verify is refused
/// naming the tool and the platform.
#[test]
fn vx_lock_refuses_another_platforms_bad_signature_naming_the_platform() {
    let p = Project::new();
    let elsewhere = if here() == "macos-aarch64" {
        "linux-x86_64"
    } else {
        "macos-aarch64"
    };
    let (mine, other) = (tarball(21), tarball(22));
    let leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
    let server = serve(vec![
        (
            format!("/tool-{}.tar.gz.sigstore.json", here()),
            p.sigstore.blob_bundle(&leaf, &mine),
        ),
        (
            format!("/tool-{elsewhere}.tar.gz.sigstore.json"),
            p.sigstore.blob_bundle(&leaf, &mine),
        ),
        (format!("/tool-{}.tar.gz", here()), mine),
        (format!("/tool-{elsewhere}.tar.gz"), other),
    ]);
    p.work.write_manifest(&format!(
        "[settings]\nplatforms = [\"{}\", \"{elsewhere}\"]\n\n[tools.tool]\nversion = \"1\"\nurl = \"{}/tool-{{os}}-{{arch}}.tar.gz\"\nstrip_components = 1\n\n[tools.tool.verify]\n{SIGSTORE}\n",
        here(),
        server.url("")
    ));
    let out = p.run(&server, &["lock"], 1);
    assert!(
        out.contains(&format!("not locked for {elsewhere}: tool")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "tool-{elsewhere}.tar.gz.sigstore.json does not verify: artifact mismatch"
        )),
        "{out}"
    );
}

#[test]
fn bad_slsa_provenance_is_refused_with_what_did_not_match() {
    let cases: Vec<Case> = vec![
        (
            "another source",
            Box::new(|s, tool| {
                let mut leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                leaf.source = Some("https://github.com/evil/r".to_owned());
                s.attestation(&leaf, tool, "https://slsa.dev/provenance/v1")
                    .to_string()
                    .into_bytes()
            }),
            "built from github.com/evil/r, not github.com/o/r",
        ),
        (
            "another digest",
            Box::new(|s, tool| {
                let mut leaf = Leaf::workflow(&format!("{WORKFLOW}@refs/tags/v1"));
                leaf.source = Some("https://github.com/o/r".to_owned());
                let mut other = tool.to_vec();
                other[7] ^= 1;
                s.attestation(&leaf, &other, "https://slsa.dev/provenance/v1")
                    .to_string()
                    .into_bytes()
            }),
            "SLSA provenance",
        ),
        (
            "a bare envelope",
            Box::new(|_, _| {
                b"{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\",\"signatures\":[{\"sig\":\"AA==\"}]}\n"
                    .to_vec()
            }),
            "bare DSSE envelope",
        ),
    ];
    for (case, body, reason) in cases {
        let (p, server) = signed(7, SLSA, |p, tool| {
            (
                "/tool.tar.gz.intoto.jsonl".to_owned(),
                body(&p.sigstore, tool),
            )
        });
        let out = p.sync(&server, 1);
        assert!(out.contains(reason), "{case}: {out}");
        assert!(!p.installed(), "{case}");
    }
}

/// A bad `[verify] trusted_root` refuses a Sigstore check with the file named.
#[test]
fn an_unreadable_trusted_root_refuses_the_check_naming_the_file() {
    let (p, server) = signed(8, SIGSTORE, keyless_v1);
    p.user_config(&p.home().join("nowhere.json"));
    let out = p.sync(&server, 1);
    assert!(
        out.contains("Sigstore trusted root") && out.contains("nowhere.json"),
        "{out}"
    );
    assert!(!p.installed());
}

/// The lock records the signer without its ref, so a new version signed by the same
/// workflow at its own tag keeps the provenance; one signed by another workflow is a
/// provenance loss, refused naming both.
#[test]
fn a_new_version_signed_at_its_own_tag_keeps_its_provenance_and_another_signer_loses_it() {
    let p = Project::new();
    let evil = "https://github.com/evil/r/.github/workflows/release.yml";
    let (v1, v2, v3) = (tarball(11), tarball(12), tarball(13));
    let mut routes = Vec::new();
    for (version, bytes, identity) in [
        ("1", &v1, format!("{WORKFLOW}@refs/tags/v1")),
        ("2", &v2, format!("{WORKFLOW}@refs/tags/v2")),
        ("3", &v3, format!("{evil}@refs/tags/v3")),
    ] {
        let bundle = p.sigstore.blob_bundle(&Leaf::workflow(&identity), bytes);
        routes.push((format!("/tool-{version}.tar.gz.sigstore.json"), bundle));
        routes.push((format!("/tool-{version}.tar.gz"), bytes.clone()));
    }
    let server = serve(routes);
    let manifest = |version: &str, identity: &str| {
        p.work.write_manifest(&format!(
            "[tools.tool]\nversion = \"{version}\"\nurl = \"{}/tool-{{version}}.tar.gz\"\nstrip_components = 1\n\n[tools.tool.verify]\nsigstore = {{ identity = \"{identity}\", issuer = \"https://token.actions.githubusercontent.com\" }}\n",
            server.url("")
        ));
    };
    let record = format!("sigstore:{WORKFLOW}");
    manifest("1", &format!("{WORKFLOW}@refs/tags/v1"));
    p.run(&server, &["lock"], 0);
    assert_eq!(p.verified().as_deref(), Some(record.as_str()));

    manifest("2", &format!("{WORKFLOW}@refs/tags/v2"));
    p.run(&server, &["lock"], 0);
    assert_eq!(p.verified().as_deref(), Some(record.as_str()));

    manifest("3", &format!("{evil}@refs/tags/v3"));
    let asked_before = server.paths().len();
    let out = p.run(&server, &["lock"], 2);
    assert!(
        out.contains(&format!(
            "tool 2 was verified with {record}; 3 would be verified with sigstore:{evil}"
        )),
        "{out}"
    );
    assert_eq!(server.paths().len(), asked_before, "nothing was fetched");
}

/// Sigstore tables are checked when the manifest is read, each error at its line.
#[test]
fn bad_sigstore_tables_are_manifest_errors() {
    let p = Project::new();
    let server = serve(vec![]);
    for (verify, message) in [
        (
            "sigstore = { issuer = \"https://token.actions.githubusercontent.com\" }",
            "needs identity or identity_regexp",
        ),
        (
            "sigstore = { identity = \"x\" }",
            "tools.tool.verify.sigstore needs issuer",
        ),
        (
            "sigstore = { identity_regexp = \"(\", issuer = \"i\" }",
            "identity_regexp: not a regular expression",
        ),
        (
            "github_attestations = { repo = \"o\", signer_workflow = \"o/r/.github/workflows/a.yml\" }",
            "`o` is not owner/name",
        ),
        (
            "github_attestations = { repo = \"o/r\", signer_workflow = \"o/r/.github/workflows/a.yml@refs/tags/v1\" }",
            "is not owner/name/path/to/workflow.yml",
        ),
        (
            "slsa = { source_uri = \"github.com/o/r\" }",
            "needs provenance",
        ),
        (
            "sigstore = { identity = \"x\", issuer = \"i\", bundel = \"b\" }",
            "did you mean `bundle`",
        ),
    ] {
        p.manifest(&server, verify);
        let out = p.run(&server, &["lock"], 2);
        assert!(out.contains(message), "{verify}: {out}");
        assert!(out.contains("vx.toml:7:"), "{verify}: {out}");
    }
}

/// `vx config` shows the trusted root the user config names, and where it is set.
#[test]
fn vx_config_shows_the_trusted_root() {
    let p = Project::new();
    let server = serve(vec![]);
    let out = p
        .vx(&server)
        .args(["config", "get", "verify.trusted_root"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let root = p.home().join("trusted_root.json");
    assert_eq!(
        String::from_utf8_lossy(&out).trim(),
        root.display().to_string()
    );
}
