//! Signatures a registry declares over a release's checksum file (aqua's
//! `checksum.minisign` and `checksum.cosign`), checked when `vx lock` fills the lock
//! from that file without downloading an archive: keys and signatures made at test
//! time by the real `minisign` and `openssl`, the release served by a loopback GitHub
//! in the API's shapes, whose request log shows what vx fetched.

use crate::common;
use crate::common::sigstore;

use common::signing::Keys;
use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::github::{FixtureRelease, GithubFixture, GithubFixtureBuilder};
use vx_fixture::{Item, archive_bytes, sha256_hex};

/// The platforms every fixture project locks.
const PLATFORMS: [&str; 2] = ["linux-x86_64", "macos-aarch64"];

/// Go's names of a vx platform.
fn go(platform: &str) -> (&'static str, &'static str) {
    match platform {
        "linux-x86_64" => ("linux", "amd64"),
        "linux-aarch64" => ("linux", "arm64"),
        "macos-aarch64" => ("darwin", "arm64"),
        "macos-x86_64" => ("darwin", "amd64"),
        "windows-x86_64" => ("windows", "amd64"),
        other => panic!("{other}"),
    }
}

/// Every platform a project of this file locks: [`PLATFORMS`] and this machine's.
fn platforms() -> Vec<String> {
    let mut all: Vec<String> = PLATFORMS.map(str::to_owned).to_vec();
    let here = vx_model::manifest::Platform::current().to_string();
    if !all.contains(&here) {
        all.push(here);
    }
    all
}

/// Release `tag` of `acme/REPO`: an archive per platform holding an executable
/// `REPO` script, and `checksums.txt`; `sign` adds what signs that file.
fn release(
    repo: &str,
    tag: &str,
    sign: impl FnOnce(&[u8]) -> Vec<(String, Vec<u8>)>,
) -> FixtureRelease {
    let version = tag.trim_start_matches('v');
    let mut out = FixtureRelease::new(tag).published("2024-01-01T00:00:00Z");
    let mut sums = String::new();
    for platform in platforms() {
        let (os, arch) = go(&platform);
        let (format, ext, file) = if os == "windows" {
            (ArchiveFormat::Zip, "zip", format!("{repo}.exe"))
        } else {
            (ArchiveFormat::TarGz, "tar.gz", repo.to_owned())
        };
        let body = format!("#!/bin/sh\necho \"{repo} {version}\"\n").into_bytes();
        let leaked: &'static str = Box::leak(file.into_boxed_str());
        let bytes = archive_bytes(format, &[Item::File(leaked, body, 0o755)]);
        let name = format!("{repo}_{version}_{os}_{arch}.{ext}");
        sums.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
        out = out.asset_without_digest(&name, bytes);
    }
    for (name, bytes) in sign(sums.as_bytes()) {
        out = out.asset_without_digest(&name, bytes);
    }
    out.asset_without_digest("checksums.txt", sums.into_bytes())
}

/// The fixture registry: `signed` (minisign over its checksum file before 2.0.0,
/// nothing from 2.0.0 on), `keyed` (a cosign key and signature as release assets),
/// `keyed-url` (cosign's `--key URL --signature URL` options), `keyless` (a Sigstore
/// bundle over the checksum file), `attested` (GitHub's artifact attestations) and
/// `provenanced` (SLSA provenance beside each asset before 2.0.0, an `http`
/// provenance with no URL from 2.0.0 on).
const REGISTRY: &str = r#"packages:
  - type: github_release
    repo_owner: acme
    repo_name: signed
    description: A tool whose releases sign checksums.txt with minisign
    version_constraint: semver("< 2.0.0")
    asset: signed_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
      minisign:
        type: github_release
        asset: checksums.txt.minisig
        public_key: "@MINISIGN_KEY@"
    version_overrides:
      - version_constraint: "true"
        checksum:
          type: github_release
          asset: checksums.txt
          algorithm: sha256
  - type: github_release
    repo_owner: acme
    repo_name: keyed
    description: A tool whose releases sign checksums.txt with a cosign key
    asset: keyed_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
      cosign:
        key:
          type: github_release
          asset: cosign.pub
        signature:
          type: github_release
          asset: checksums.txt.sig
  - type: github_release
    repo_owner: acme
    repo_name: keyedurl
    description: cosign options naming the key and the signature by URL
    asset: keyedurl_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
      cosign:
        opts:
          - --key
          - "@WEB@/keys/cosign.pub"
          - --signature
          - "@WEB@/acme/keyedurl/releases/download/{{.Version}}/checksums.txt.sig"
          - --insecure-ignore-tlog
  - type: github_release
    repo_owner: acme
    repo_name: keyless
    description: A tool whose releases sign checksums.txt keyless, in a Sigstore bundle
    asset: keyless_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
      cosign:
        opts:
          - --certificate-identity-regexp
          - "^https://github\\.com/acme/keyless/\\.github/workflows/.+\\.ya?ml@refs/tags/{{.Version}}$"
          - --certificate-oidc-issuer
          - https://token.actions.githubusercontent.com
        bundle:
          type: github_release
          asset: checksums.txt.sigstore.json
  - type: github_release
    repo_owner: acme
    repo_name: attested
    description: A tool whose release assets GitHub attests
    asset: attested_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
    github_artifact_attestations:
      signer_workflow: acme/attested/\.github/workflows/release\.yml
  - type: github_release
    repo_owner: acme
    repo_name: sumattested
    description: terraform-linters/tflint's shape, GitHub's attestations of checksums.txt declared inside a version override
    version_constraint: "false"
    version_overrides:
      - version_constraint: "true"
        asset: sumattested_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
        checksum:
          type: github_release
          asset: checksums.txt
          algorithm: sha256
          github_artifact_attestations:
            signer_workflow: acme/sumattested/\.github/workflows/release\.yml
  - type: github_release
    repo_owner: acme
    repo_name: provenanced
    description: A tool with SLSA provenance beside each asset, and none declared checkable for 2.x
    version_constraint: semver("< 2.0.0")
    asset: provenanced_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
    slsa_provenance:
      type: github_release
      asset: "{{.Asset}}.sigstore.json"
    version_overrides:
      - version_constraint: "true"
        slsa_provenance:
          type: http
  - type: github_release
    repo_owner: acme
    repo_name: assetsigned
    description: Each archive is signed keyless (a Sigstore bundle beside it) and with minisign
    asset: assetsigned_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
    cosign:
      bundle:
        type: github_release
        asset: "{{.Asset}}.sigstore.json"
      opts:
        - --certificate-identity
        - https://github.com/acme/assetsigned/.github/workflows/release.yml@refs/heads/main
        - --certificate-oidc-issuer
        - https://token.actions.githubusercontent.com
    minisign:
      type: github_release
      asset: "{{.Asset}}.minisig"
      public_key: "@MINISIGN_KEY@"
"#;

/// A project using the fixture registry, with its own home, cache and store.
struct World {
    work: Work,
    github: GithubFixture,
    keys: Keys,
    /// The id of the minisign key `reg` the registry names for `signed`.
    minisign_id: String,
}

impl World {
    /// A minisign key `reg`, the fixture GitHub as `releases` makes it (given the
    /// keys), and the registry naming them.
    fn new(releases: impl FnOnce(&Keys, GithubFixtureBuilder) -> GithubFixtureBuilder) -> World {
        let work = Work::new();
        let keys = Keys::new(&work.dir.path().join("keys"));
        let (public, minisign_id) = keys.minisign_key("reg");
        let github = releases(&keys, GithubFixture::builder()).start().unwrap();
        let registry = REGISTRY
            .replace("@MINISIGN_KEY@", &public)
            .replace("@WEB@", &github.web_url());
        std::fs::write(work.dir.path().join("registry.yaml"), registry).unwrap();
        World {
            work,
            github,
            keys,
            minisign_id,
        }
    }

    fn write_manifest(&self, settings: &str, tools: &str) {
        let list: Vec<String> = platforms().iter().map(|p| format!("\"{p}\"")).collect();
        std::fs::write(
            self.work.manifest(),
            format!(
                "[settings]\nplatforms = [{}]\nregistries = [{{ name = \"test\", path = \"registry.yaml\" }}]\n{settings}\n[tools]\n{tools}\n",
                list.join(", ")
            ),
        )
        .unwrap();
    }

    fn vx(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        isolated(&mut cmd, &self.work.dir.path().join("home"));
        cmd.args(args)
            .current_dir(self.work.dir.path())
            .env("VX_GITHUB_URL", self.github.web_url());
        cmd
    }

    /// Runs `vx ARGS`, asserts its exit code, returns stdout and stderr.
    fn run(&self, args: &[&str], code: i32) -> String {
        let out = self.vx(args).assert().code(code).get_output().clone();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Writes vx.toml as [`World::write_manifest`] does and runs `vx lock`, which must
    /// fail with `code` and leave vx.lock as it was; returns what it said.
    fn lock_refused(&self, settings: &str, tools: &str, code: i32) -> String {
        let before = self.lock_text();
        self.write_manifest(settings, tools);
        let out = self.run(&["lock"], code);
        assert_eq!(self.lock_text(), before, "nothing was locked: {out}");
        out
    }

    fn lock_text(&self) -> Option<String> {
        std::fs::read_to_string(self.work.dir.path().join("vx.lock")).ok()
    }

    fn lock(&self) -> toml::Table {
        toml::from_str(&self.lock_text().expect("vx.lock")).unwrap()
    }

    /// The lock's `verified` of `tool` on every platform, in [`platforms`]' order.
    fn verified(&self, tool: &str) -> Vec<Option<String>> {
        let lock = self.lock();
        platforms()
            .iter()
            .map(|p| {
                lock["tools"][tool]["platforms"][p.as_str()]
                    .get("verified")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Paths fetched from the fixture, in order.
    fn fetched(&self) -> Vec<String> {
        self.github.requests().into_iter().map(|r| r.path).collect()
    }
}

/// A world whose `signed` 1.0.0 is signed with minisign and 2.0.0 is not signed.
fn signed_then_not() -> (World, String) {
    minisign_world(|k, b| {
        b.release("acme", "signed", release("signed", "v1.0.0", signed_by(k)))
            .release(
                "acme",
                "signed",
                release("signed", "v2.0.0", |_| Vec::new()),
            )
    })
}

fn minisign_world(
    releases: impl FnOnce(&Keys, GithubFixtureBuilder) -> GithubFixtureBuilder,
) -> (World, String) {
    let world = World::new(releases);
    let id = world.minisign_id.clone();
    (world, id)
}

fn signed_by(keys: &Keys) -> impl FnOnce(&[u8]) -> Vec<(String, Vec<u8>)> + '_ {
    |sums| {
        vec![(
            "checksums.txt.minisig".to_owned(),
            keys.minisign("reg", sums),
        )]
    }
}

#[test]
fn a_signed_checksum_file_verifies_the_lock_and_an_install_from_it_fetches_no_signature() {
    let (world, id) = minisign_world(|k, b| {
        b.release("acme", "signed", release("signed", "v1.0.0", signed_by(k)))
    });
    world.write_manifest("", "signed = \"1\"");
    world.run(&["lock"], 0);
    let record = format!("minisign:{id}");
    assert_eq!(
        world.verified("signed"),
        vec![Some(record.clone()); platforms().len()]
    );
    let fetched = world.fetched();
    assert!(
        fetched
            .iter()
            .any(|p| p.ends_with("/checksums.txt.minisig")),
        "{fetched:?}"
    );
    assert!(
        !fetched.iter().any(|p| p.ends_with(".tar.gz")),
        "locking downloads no archive: {fetched:?}"
    );

    world.github.clear_requests();
    let store = world.work.store();
    let out = stdout_of(
        &mut world.vx(&["sync", "--json", "--store", store.to_str().unwrap()]),
        0,
    );
    let summary = json_lines(&out).pop().expect("a summary");
    assert_eq!(summary["tools"][0]["tool"], "signed", "{summary}");
    assert_eq!(summary["tools"][0]["signed"], true, "{summary}");
    let fetched = world.fetched();
    assert!(
        !fetched
            .iter()
            .any(|p| p.contains(".minisig") || p.ends_with("checksums.txt")),
        "an install from the lock checks the sha256 only: {fetched:?}"
    );
    let listed = stdout_of(
        &mut world.vx(&["list", "--json", "--store", store.to_str().unwrap()]),
        0,
    );
    let entry = json_lines(&listed)
        .into_iter()
        .find(|v| v["tool"] == "signed")
        .expect("listed");
    assert_eq!(entry["verified"], record.as_str(), "{entry}");
    let table = String::from_utf8(stdout_of(
        &mut world.vx(&["list", "--store", store.to_str().unwrap()]),
        0,
    ))
    .unwrap();
    let header = table.lines().next().unwrap();
    assert!(header.contains("SIGNED"), "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("signed"))
        .expect("listed");
    assert!(row.contains(" minisign "), "{table}");

    // The summary of a sync that installs it from the lock marks it SIGNED.
    std::fs::remove_dir_all(&store).unwrap();
    let out = world.run(
        &["sync", "--headless", "--store", store.to_str().unwrap()],
        0,
    );
    assert!(
        out.lines()
            .any(|l| l.contains("signed") && l.contains("SIGNED")),
        "{out}"
    );
    assert!(
        out.contains("signed (minisign)"),
        "the tool's message says by what: {out}"
    );
}

#[test]
fn a_checksum_file_whose_signature_does_not_verify_is_refused_and_nothing_is_locked() {
    let (world, _) = minisign_world(|k, b| {
        b.release(
            "acme",
            "signed",
            release("signed", "v1.0.0", |_| {
                vec![(
                    "checksums.txt.minisig".to_owned(),
                    k.minisign("reg", b"some other checksums.txt\n"),
                )]
            }),
        )
    });
    let out = world.lock_refused("", "signed = \"1\"", 1);
    assert!(
        out.contains("checksums.txt") && out.contains("not of these bytes"),
        "{out}"
    );

    // A declared signature that is missing is refused as well.
    let (world, _) = minisign_world(|_, b| {
        b.release(
            "acme",
            "signed",
            release("signed", "v1.0.0", |_| Vec::new()),
        )
    });
    let out = world.lock_refused("", "signed = \"1\"", 1);
    assert!(
        out.contains("cannot fetch the minisign signature") && out.contains("checksums.txt.minisi"),
        "{out}"
    );
}

#[test]
fn a_new_version_that_lost_its_signature_is_refused_unless_allowed() {
    let (world, id) = signed_then_not();
    world.write_manifest("", "signed = \"1\"");
    world.run(&["lock"], 0);

    let out = world.lock_refused("", "signed = \"2\"", 2);
    assert!(
        out.contains("provenance loss")
            && out.contains(&format!("signed 1.0.0 was verified with minisign:{id}"))
            && out.contains("2.0.0 would be verified with nothing")
            && out.contains("--allow-provenance-loss"),
        "{out}"
    );

    world.run(&["lock", "--allow-provenance-loss"], 0);
    let lock = world.lock();
    let entry = &lock["tools"]["signed"];
    assert_eq!(entry["version"].as_str(), Some("2.0.0"));
    assert_eq!(
        entry["provenance_loss"].as_str(),
        Some(format!("minisign:{id} (1.0.0) → nothing (2.0.0)").as_str())
    );
    assert_eq!(world.verified("signed"), vec![None; platforms().len()]);
}

#[test]
fn require_refuses_a_registry_version_nothing_verified_and_accepts_a_signed_one() {
    let (world, id) = signed_then_not();
    let out = world.lock_refused("verify = \"require\"", "signed = \"2\"", 2);
    assert!(
        out.contains("verify = \"require\"") && out.contains("signed 2.0.0"),
        "{out}"
    );

    world.write_manifest("verify = \"require\"", "signed = \"1\"");
    world.run(&["lock"], 0);
    assert_eq!(
        world.verified("signed"),
        vec![Some(format!("minisign:{id}")); platforms().len()]
    );
}

#[test]
fn cosign_keys_from_release_assets_or_urls_verify_the_checksum_file() {
    let world = World::new(|k, b| {
        let (public, _) = k.cosign_key("cosign");
        let pem = std::fs::read(public).unwrap();
        b.release(
            "acme",
            "keyed",
            release("keyed", "v3.1.0", |sums| {
                vec![
                    ("cosign.pub".to_owned(), pem.clone()),
                    ("checksums.txt.sig".to_owned(), k.cosign("cosign", sums)),
                ]
            }),
        )
        .release(
            "acme",
            "keyedurl",
            release("keyedurl", "v0.2.0", |sums| {
                vec![("checksums.txt.sig".to_owned(), k.cosign("cosign", sums))]
            }),
        )
        .file("/keys/cosign.pub", pem)
    });
    world.write_manifest("", "keyed = \"3\"\nkeyedurl = \"0.2\"");
    world.run(&["lock"], 0);
    let der = keys_der(&world.keys);
    let record = format!("cosign:sha256:{}", &sha256_hex(&der)[..16]);
    for tool in ["keyed", "keyedurl"] {
        assert_eq!(
            world.verified(tool),
            vec![Some(record.clone()); platforms().len()],
            "{tool}"
        );
    }
}

/// The DER form of the `cosign` public key, as the lock's fingerprint hashes it.
fn keys_der(keys: &Keys) -> Vec<u8> {
    common::signing::run(
        std::process::Command::new("openssl")
            .args(["pkey", "-pubin", "-outform", "DER", "-in"])
            .arg(keys.0.join("cosign.pub")),
    )
}

/// The workflow that signs `acme/keyless`'s releases.
const WORKFLOW: &str = "https://github.com/acme/keyless/.github/workflows/release.yml";

#[test]
fn a_keyless_signature_of_the_checksum_file_verifies_against_the_trusted_root() {
    let fulcio = &sigstore::Sigstore::new();
    let bundle = |identity: String| {
        move |sums: &[u8]| {
            vec![(
                "checksums.txt.sigstore.json".to_owned(),
                fulcio.blob_bundle(&sigstore::Leaf::workflow(&identity), sums),
            )]
        }
    };
    let world = World::new(|_, b| {
        b.release(
            "acme",
            "keyless",
            release("keyless", "v1.0.0", bundle(format!("{WORKFLOW}@refs/tags/v1.0.0"))),
        )
        // Signed by another repository's workflow.
        .release(
            "acme",
            "keyless",
            release(
                "keyless",
                "v1.1.0",
                bundle("https://github.com/mallory/keyless/.github/workflows/release.yml@refs/tags/v1.1.0".to_owned()),
            ),
        )
    });
    trust(&world, fulcio);

    world.write_manifest("", "keyless = \"1.0\"");
    world.run(&["lock"], 0);
    assert_eq!(
        world.verified("keyless"),
        vec![Some(format!("sigstore:{WORKFLOW}")); platforms().len()]
    );

    world.write_manifest("", "keyless = \"1.1\"");
    let out = world.run(&["lock"], 1);
    assert!(
        out.contains("checksums.txt.sigst")
            && out.contains("signed by https://github.com/mallory/keyless/"),
        "{out}"
    );
}

/// The release archives of `release` (not its checksum file or signatures), by name.
fn archives(release: &FixtureRelease) -> Vec<(String, Vec<u8>)> {
    release
        .assets
        .iter()
        .filter(|a| a.name.ends_with(".tar.gz") || a.name.ends_with(".zip"))
        .map(|a| (a.name.clone(), a.bytes.to_vec()))
        .collect()
}

/// Names `fulcio`'s trusted root in the world's user config.
fn trust(world: &World, fulcio: &sigstore::Sigstore) {
    let root = world.work.dir.path().join("trusted_root.json");
    std::fs::write(&root, fulcio.trusted_root()).unwrap();
    write_user_config(
        &world.work.dir.path().join("home"),
        &format!(
            "[verify]\ntrusted_root = {:?}\n",
            root.display().to_string()
        ),
    );
}

/// The workflow that attests `acme/attested`'s releases, as the lock records it.
const ATTESTED_BY: &str = "acme/attested/.github/workflows/release.yml";

#[test]
fn an_attested_release_is_locked_from_its_digest_and_another_workflow_is_refused() {
    let fulcio = &sigstore::Sigstore::new();
    let world = World::new(|_, mut b| {
        for (tag, workflow) in [("v1.0.0", "release.yml"), ("v1.1.0", "other.yml")] {
            let release = release("attested", tag, |_| Vec::new());
            let leaf = sigstore::Leaf::workflow(&format!(
                "https://github.com/acme/attested/.github/workflows/{workflow}@refs/tags/{tag}"
            ));
            for (_, bytes) in archives(&release) {
                let bundle = fulcio.attestation(&leaf, &bytes, "https://slsa.dev/provenance/v1");
                b = b.attestation("acme", "attested", &sha256_hex(&bytes), bundle);
            }
            b = b.release("acme", "attested", release);
        }
        b
    });
    trust(&world, fulcio);

    world.write_manifest("verify = \"require\"", "attested = \"1.0\"");
    world.run(&["lock"], 0);
    assert_eq!(
        world.verified("attested"),
        vec![Some(format!("github-attestation:{ATTESTED_BY}")); platforms().len()]
    );
    let fetched = world.fetched();
    assert_eq!(
        fetched
            .iter()
            .filter(|p| p.contains("/repos/acme/attested/attestations/sha256:"))
            .count(),
        platforms().len(),
        "one question per platform's digest: {fetched:?}"
    );
    assert!(
        !fetched.iter().any(|p| p.ends_with(".tar.gz")),
        "locking downloads no archive: {fetched:?}"
    );

    let out = world.lock_refused("verify = \"require\"", "attested = \"1.1\"", 1);
    assert!(
        out.contains("attested 1.1.0")
            && out.contains("signed by workflow acme/attested/.github/workflows/other.yml")
            && out.contains(r"release\.yml"),
        "{out}"
    );
}

/// Issue 38 item 4: `checksum.github_artifact_attestations` in a version override (as
/// terraform-linters/tflint declares it) is read like the package's own attestations,
/// asked for the checksum file's digest: the lock records the workflow that attested
/// the file, and a file another workflow attested is refused.
#[test]
fn attestations_of_the_checksum_file_in_a_version_override_are_checked() {
    let fulcio = &sigstore::Sigstore::new();
    let world = World::new(|_, mut b| {
        for (tag, workflow) in [("v1.0.0", "release.yml"), ("v1.1.0", "other.yml")] {
            let mut sums = Vec::new();
            let release = release("sumattested", tag, |s| {
                sums = s.to_vec();
                Vec::new()
            });
            let leaf = sigstore::Leaf::workflow(&format!(
                "https://github.com/acme/sumattested/.github/workflows/{workflow}@refs/tags/{tag}"
            ));
            let bundle = fulcio.attestation(&leaf, &sums, "https://slsa.dev/provenance/v1");
            b = b
                .attestation("acme", "sumattested", &sha256_hex(&sums), bundle)
                .release("acme", "sumattested", release);
        }
        b
    });
    trust(&world, fulcio);

    world.write_manifest("verify = \"require\"", "sumattested = \"1.0\"");
    let out = world.run(&["lock"], 0);
    let by = "github-attestation:acme/sumattested/.github/workflows/release.yml";
    assert_eq!(
        world.verified("sumattested"),
        vec![Some(by.to_owned()); platforms().len()],
        "{out}"
    );

    let out = world.lock_refused("verify = \"require\"", "sumattested = \"1.1\"", 1);
    assert!(
        out.contains("sumattested 1.1.0")
            && out.contains("checksums.txt")
            && out.contains("signed by workflow acme/sumattested/.github/workflows/other.yml"),
        "{out}"
    );
}

#[test]
fn slsa_provenance_of_the_right_digest_and_source_is_recorded_and_of_another_refused() {
    let fulcio = &sigstore::Sigstore::new();
    let leaf = |source: &str| sigstore::Leaf {
        source: Some(source.to_owned()),
        ..sigstore::Leaf::workflow(
            "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0",
        )
    };
    let provenance = |release: FixtureRelease, subject: &dyn Fn(&[u8]) -> Vec<u8>| {
        let mut out = release.clone();
        for (name, bytes) in archives(&release) {
            let bundle = fulcio.attestation(
                &leaf("https://github.com/acme/provenanced"),
                &subject(&bytes),
                "https://slsa.dev/provenance/v0.2",
            );
            out = out.asset_without_digest(
                &format!("{name}.sigstore.json"),
                bundle.to_string().into_bytes(),
            );
        }
        out
    };
    let world = World::new(|_, b| {
        b.release(
            "acme",
            "provenanced",
            provenance(release("provenanced", "v1.0.0", |_| Vec::new()), &|a| {
                a.to_vec()
            }),
        )
        // The provenance of other bytes.
        .release(
            "acme",
            "provenanced",
            provenance(release("provenanced", "v1.1.0", |_| Vec::new()), &|a| {
                [a, b"tampered"].concat()
            }),
        )
        .release(
            "acme",
            "provenanced",
            release("provenanced", "v2.0.0", |_| Vec::new()),
        )
    });
    trust(&world, fulcio);

    world.write_manifest("", "provenanced = \"1.0\"");
    world.run(&["lock"], 0);
    assert_eq!(
        world.verified("provenanced"),
        vec![Some("slsa:github.com/acme/provenanced".to_owned()); platforms().len()]
    );
    assert!(
        !world.fetched().iter().any(|p| p.ends_with(".tar.gz")),
        "locking downloads no archive"
    );

    world.write_manifest("", "provenanced = \"1.1\"");
    let out = world.run(&["lock"], 1);
    assert!(
        out.contains("provenanced 1.1.0")
            && out.contains("SLSA provenance")
            && out.contains("does not match any subject"),
        "{out}"
    );

    // Declared but not checkable: named with -v, locked with nothing recorded (a
    // provenance loss from 1.0.0, allowed here).
    world.write_manifest("", "provenanced = \"2.0\"");
    let out = world.run(&["lock", "-v", "--allow-provenance-loss"], 0);
    assert!(
        out.contains("provenance of provenanced_2.0.0_") && out.contains("http names no url"),
        "{out}"
    );
    assert_eq!(world.verified("provenanced"), vec![None; platforms().len()]);
}

#[test]
fn a_keyless_signature_of_each_archive_is_checked_against_its_sha256_without_downloading_it() {
    let fulcio = &sigstore::Sigstore::new();
    let signer = "https://github.com/acme/assetsigned/.github/workflows/release.yml";
    let sign = |release: FixtureRelease, by: &str, tamper: bool| {
        let mut out = release.clone();
        for (name, bytes) in archives(&release) {
            let signed = if tamper {
                [&bytes[..], b"x"].concat()
            } else {
                bytes
            };
            let bundle = fulcio.blob_bundle(
                &sigstore::Leaf::workflow(&format!("{by}@refs/heads/main")),
                &signed,
            );
            out = out.asset_without_digest(&format!("{name}.sigstore.json"), bundle);
        }
        out
    };
    let world = World::new(|_, b| {
        b.release(
            "acme",
            "assetsigned",
            sign(
                release("assetsigned", "v1.0.0", |_| Vec::new()),
                signer,
                false,
            ),
        )
        .release(
            "acme",
            "assetsigned",
            sign(
                release("assetsigned", "v1.1.0", |_| Vec::new()),
                signer,
                true,
            ),
        )
    });
    trust(&world, fulcio);

    world.write_manifest("", "assetsigned = \"1.0\"");
    let out = world.run(&["lock", "-v"], 0);
    assert_eq!(
        world.verified("assetsigned"),
        vec![Some(format!("sigstore:{signer}")); platforms().len()]
    );
    let fetched = world.fetched();
    assert!(
        !fetched
            .iter()
            .any(|p| p.ends_with(".tar.gz") || p.ends_with(".minisig")),
        "locking downloads no archive and no minisign signature: {fetched:?}"
    );
    // minisign signs the archive's bytes, which a lock from the sha256 does not have.
    assert!(
        out.contains("minisign signature of asset assetsigned_1.0.0_")
            && out.contains("not checked"),
        "{out}"
    );

    // A bundle of other bytes than the archive the checksum file names.
    world.write_manifest("", "assetsigned = \"1.1\"");
    let out = world.run(&["lock"], 1);
    assert!(
        out.contains("asset assetsigned_1.1.0_") && out.contains("does not verify"),
        "{out}"
    );
}

/// Runs `vx lock` for `tool = "VERSION"` and returns its output, asserting a refusal
/// (exit 1), no panic and an answer within `limit` (the machine may be loaded: the
/// bound catches a hang or a blow-up, not a slow run).
fn refused_in_time(world: &World, tool: &str, version: &str, limit: u64) -> String {
    world.write_manifest("", &format!("{tool} = \"{version}\""));
    let started = std::time::Instant::now();
    let out = world.run(&["lock"], 1);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(limit),
        "{tool} {version}: {took:?}\n{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
    out
}

/// Issue 39, "not yet tried": hostile Sigstore bundles over a checksum file. Each is
/// refused with a message naming the bundle, in bounded time and memory: nesting too
/// deep for any parser, wrong types, an answer over the cap, 10^5 certificates, a leaf
/// expired or not yet valid when the log saw it, and a valid signature over other
/// bytes. A chain of the leaf repeated (a loop) is read in bounded time and verifies:
/// only the leaf and the trusted root's chain decide.
#[test]
fn hostile_sigstore_bundles_are_each_refused_in_bounded_time() {
    let fulcio = &sigstore::Sigstore::new();
    // Each bundle is made for its release by the workflow the registry trusts, so what
    // refuses it is what is wrong with it.
    let with_chain = |sums: &[u8],
                      leaf: &sigstore::Leaf,
                      chain: &dyn Fn(serde_json::Value) -> serde_json::Value| {
        let mut bundle: serde_json::Value =
            serde_json::from_slice(&fulcio.blob_bundle(leaf, sums)).unwrap();
        let certs = &mut bundle["verificationMaterial"]["x509CertificateChain"]["certificates"];
        *certs = chain(certs[0].clone());
        bundle.to_string().into_bytes()
    };
    // A bundle of `sums` whose leaf certificate is valid only in `valid`.
    let valid_during = |sums: &[u8], leaf: sigstore::Leaf, valid| {
        fulcio.blob_bundle(&sigstore::Leaf { valid, ..leaf }, sums)
    };
    type Make<'a> = Box<dyn Fn(&[u8], sigstore::Leaf) -> Vec<u8> + 'a>;
    let cases: Vec<(&str, Make)> = vec![
        (
            "deep",
            Box::new(|_, _| format!("{{\"extension\": {}", "[".repeat(100_000)).into_bytes()),
        ),
        (
            "types",
            Box::new(|_, _| {
                br#"{"mediaType": 7, "verificationMaterial": [], "messageSignature": "x"}"#.to_vec()
            }),
        ),
        (
            "huge",
            Box::new(|_, _| format!("{{\"mediaType\": \"{}\"}}", "a".repeat(5 << 20)).into_bytes()),
        ),
        (
            "many",
            Box::new(|sums, leaf| {
                with_chain(sums, &leaf, &|_| {
                    vec![serde_json::json!({"rawBytes": "AAAA"}); 100_000].into()
                })
            }),
        ),
        (
            // The chain is its own leaf, again and again.
            "loop",
            Box::new(|sums, leaf| with_chain(sums, &leaf, &|cert| vec![cert; 2_000].into())),
        ),
        (
            "expired",
            Box::new(|sums, leaf| valid_during(sums, leaf, ((2020, 1, 1), (2021, 1, 1)))),
        ),
        (
            "early",
            Box::new(|sums, leaf| valid_during(sums, leaf, ((2090, 1, 1), (2099, 1, 1)))),
        ),
        (
            "other",
            Box::new(|_, leaf| fulcio.blob_bundle(&leaf, b"other bytes\n")),
        ),
    ];
    let world = World::new(|_, mut b| {
        for (i, (_, make)) in cases.iter().enumerate() {
            let tag = format!("v1.{}.0", i + 1);
            let leaf = sigstore::Leaf::workflow(&format!("{WORKFLOW}@refs/tags/{tag}"));
            let bundle = std::cell::Cell::new(Some(leaf));
            b = b.release(
                "acme",
                "keyless",
                release("keyless", &tag, |sums| {
                    let leaf = bundle.take().unwrap();
                    vec![("checksums.txt.sigstore.json".to_owned(), make(sums, leaf))]
                }),
            );
        }
        b
    });
    trust(&world, fulcio);
    for (i, (name, _)) in cases.iter().enumerate() {
        if *name == "loop" {
            // Only the leaf and the trusted root's own chain decide: a bundle's chain
            // of the leaf again and again is read in bounded time and changes nothing.
            world.write_manifest("", &format!("keyless = \"1.{}\"", i + 1));
            let started = std::time::Instant::now();
            world.run(&["lock"], 0);
            assert!(started.elapsed() < std::time::Duration::from_secs(60));
            assert_eq!(
                world.verified("keyless"),
                vec![Some(format!("sigstore:{WORKFLOW}")); platforms().len()]
            );
            std::fs::remove_file(world.work.dir.path().join("vx.lock")).unwrap();
            continue;
        }
        let out = refused_in_time(&world, "keyless", &format!("1.{}", i + 1), 60);
        assert!(
            out.contains("the Sigstore bundle") && out.contains("checksums.txt.sigst"),
            "{name}: {out}"
        );
        assert!(
            !out.contains("signed by"),
            "{name}: refused for what is wrong with it, not its signer: {out}"
        );
        assert!(world.lock_text().is_none(), "{name}: nothing is locked");
    }
}

/// Issue 39, "not yet tried": hostile minisign signatures over a checksum file, and a
/// cosign key and signature: over the cap, not base64, not a key, a valid signature
/// over other bytes. Each is refused with a message, in bounded time.
#[test]
fn hostile_minisign_and_cosign_files_are_each_refused_in_bounded_time() {
    type Make<'a> = Box<dyn Fn(&Keys, &[u8]) -> Vec<u8> + 'a>;
    let minisigs: Vec<(&str, Make)> = vec![
        ("huge", Box::new(|_, _| vec![b'A'; 1 << 20])),
        (
            "garbage",
            Box::new(|_, _| {
                b"untrusted comment: x\n!!!not base64!!!\ntrusted comment: y\n@@@\n".to_vec()
            }),
        ),
        (
            "long trusted comment",
            Box::new(|k, sums| {
                let sig = String::from_utf8(k.minisign("reg", sums)).unwrap();
                let lines: Vec<String> = sig
                    .lines()
                    .map(|l| match l.strip_prefix("trusted comment: ") {
                        Some(_) => format!("trusted comment: {}", "c".repeat(60_000)),
                        None => l.to_owned(),
                    })
                    .collect();
                (lines.join("\n") + "\n").into_bytes()
            }),
        ),
        (
            "other",
            Box::new(|k, _| k.minisign("reg", b"other bytes\n")),
        ),
    ];
    let cosigns: Vec<(&str, Make, Make)> = vec![
        (
            "huge key",
            Box::new(|_, _| vec![b'-'; 8 << 20]),
            Box::new(|k, sums| k.cosign("cosign", sums)),
        ),
        (
            "not a key",
            Box::new(|_, _| {
                b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec()
            }),
            Box::new(|k, sums| k.cosign("cosign", sums)),
        ),
        (
            "garbage signature",
            Box::new(|k, _| std::fs::read(k.0.join("cosign.pub")).unwrap()),
            Box::new(|_, _| vec![0x30; 4096]),
        ),
        (
            "other",
            Box::new(|k, _| std::fs::read(k.0.join("cosign.pub")).unwrap()),
            Box::new(|k, _| k.cosign("cosign", b"other bytes\n")),
        ),
    ];
    let world = World::new(|k, mut b| {
        k.cosign_key("cosign");
        for (i, (_, make)) in minisigs.iter().enumerate() {
            let tag = format!("v1.{}.0", i + 1);
            b = b.release(
                "acme",
                "signed",
                release("signed", &tag, |sums| {
                    vec![("checksums.txt.minisig".to_owned(), make(k, sums))]
                }),
            );
        }
        for (i, (_, key, sig)) in cosigns.iter().enumerate() {
            let tag = format!("v3.{}.0", i + 1);
            b = b.release(
                "acme",
                "keyed",
                release("keyed", &tag, |sums| {
                    vec![
                        ("cosign.pub".to_owned(), key(k, sums)),
                        ("checksums.txt.sig".to_owned(), sig(k, sums)),
                    ]
                }),
            );
        }
        b
    });
    for (i, (name, _)) in minisigs.iter().enumerate() {
        let out = refused_in_time(&world, "signed", &format!("1.{}", i + 1), 60);
        assert!(
            out.contains("minisign") && out.contains("checksums.txt.minisi"),
            "{name}: {out}"
        );
    }
    for (i, (name, _, _)) in cosigns.iter().enumerate() {
        let out = refused_in_time(&world, "keyed", &format!("3.{}", i + 1), 60);
        assert!(
            out.contains("cosign") || out.contains("checksums.txt.sig"),
            "{name}: {out}"
        );
    }
}

/// Issue 49, item 4: behind a mirror, a GitHub Enterprise Server or an anonymous
/// client over its rate limit, GitHub's attestations API answers 404. The refusal
/// names the API and the settings that skip it; `[settings] verify = "off"` skips
/// every check the registry declares (no attestation asked, no signature fetched,
/// nothing recorded as verified) and so does a tool's own `verify = "off"`, for that
/// tool only; `verify = "require"` keeps refusing.
#[test]
fn an_attestation_api_that_cannot_answer_is_named_with_the_settings_that_skip_it() {
    let (world, _) = minisign_world(|k, b| {
        // Attested by the registry's declaration, but the "mirror" has no attestations
        // API: every question is a 404.
        b.release(
            "acme",
            "attested",
            release("attested", "v1.0.0", |_| Vec::new()),
        )
        .release("acme", "signed", release("signed", "v1.0.0", signed_by(k)))
    });
    let asked = |world: &World| {
        world
            .fetched()
            .iter()
            .filter(|p| p.contains("/attestations/") || p.ends_with(".minisig"))
            .count()
    };

    let out = world.lock_refused("", "attested = \"1.0\"", 1);
    assert!(
        out.contains("attested 1.0.0")
            && out.contains("attestations API")
            && out.contains("404")
            && out.contains("verify = \"off\" in [tools.attested]")
            && out.contains("[settings] verify = \"off\""),
        "{out}"
    );

    // Off for the project: nothing asked, nothing recorded as verified, minisign of
    // another tool's checksum file not fetched either.
    let before = asked(&world);
    world.write_manifest("verify = \"off\"", "attested = \"1.0\"\nsigned = \"1.0\"");
    world.run(&["lock"], 0);
    assert_eq!(asked(&world), before, "{:?}", world.fetched());
    assert_eq!(world.verified("attested"), vec![None; platforms().len()]);
    assert_eq!(world.verified("signed"), vec![None; platforms().len()]);

    // Off for one tool: that tool is not checked, the other still is.
    std::fs::remove_file(world.work.dir.path().join("vx.lock")).unwrap();
    world.write_manifest(
        "",
        "attested = { version = \"1.0\", verify = \"off\" }\nsigned = \"1.0\"",
    );
    let before = world.fetched().len();
    world.run(&["lock"], 0);
    let fetched = world.fetched();
    assert!(
        !fetched[before..]
            .iter()
            .any(|p| p.contains("/attestations/")),
        "{fetched:?}"
    );
    assert_eq!(world.verified("attested"), vec![None; platforms().len()]);
    assert_eq!(
        world.verified("signed"),
        vec![Some(format!("minisign:{}", world.minisign_id)); platforms().len()]
    );

    // require: refused still, and the hint does not offer to skip it.
    std::fs::remove_file(world.work.dir.path().join("vx.lock")).unwrap();
    let out = world.lock_refused("verify = \"require\"", "attested = \"1.0\"", 1);
    assert!(
        out.contains("attestations API") && out.contains("verify = \"require\""),
        "{out}"
    );
    assert!(!out.contains("verify = \"off\""), "{out}");
    let out = world.lock_refused(
        "verify = \"require\"",
        "attested = { version = \"1.0\", verify = \"off\" }",
        2,
    );
    assert!(out.contains("verify = \"require\""), "{out}");
}

/// Issue 63, item 5: behind a company's mirror the attestations API answers 404 for
/// every project. The user's (or the machine's) `attestations_unavailable = "warn"`
/// locks without that check and says so, never a committed project setting; the
/// variable overrides the file; a project's `verify = "require"` still refuses; a
/// value that is neither is refused by `vx config set` and by name from the variable.
#[test]
fn a_users_setting_locks_past_an_attestations_api_that_cannot_answer_and_says_so() {
    let (world, _) = minisign_world(|k, b| {
        b.release(
            "acme",
            "attested",
            release("attested", "v1.0.0", |_| Vec::new()),
        )
        .release("acme", "signed", release("signed", "v1.0.0", signed_by(k)))
    });
    let out = world.run(
        &["config", "set", "verify.attestations_unavailable", "maybe"],
        2,
    );
    assert!(out.contains("refuse") && out.contains("warn"), "{out}");
    world.run(
        &["config", "set", "verify.attestations_unavailable", "warn"],
        0,
    );
    let shown = world.run(&["config", "get", "verify.attestations_unavailable"], 0);
    assert!(shown.contains("warn"), "{shown}");

    world.write_manifest("", "attested = \"1.0\"\nsigned = \"1.0\"");
    let out = world.run(&["lock"], 0);
    assert!(
        out.contains("attestations of attested")
            && out.contains("not checked")
            && out.contains("404")
            && out.contains("attestations_unavailable = \"warn\""),
        "{out}"
    );
    // Locked unchecked: nothing recorded as verified for it; the other tool's
    // signature still checked and recorded.
    assert_eq!(world.verified("attested"), vec![None; platforms().len()]);
    assert_eq!(
        world.verified("signed"),
        vec![Some(format!("minisign:{}", world.minisign_id)); platforms().len()]
    );
    assert!(
        !std::fs::read_to_string(world.work.dir.path().join("vx.toml"))
            .unwrap()
            .contains("attestations"),
        "the project's file is not where it is said"
    );

    // The machine's variable over the user's file, both ways.
    std::fs::remove_file(world.work.dir.path().join("vx.lock")).unwrap();
    let out = world
        .vx(&["lock"])
        .env("VX_ATTESTATIONS_UNAVAILABLE", "refuse")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("attestations API")
            && said.contains("vx config set verify.attestations_unavailable warn"),
        "{said}"
    );
    let out = world
        .vx(&["lock"])
        .env("VX_ATTESTATIONS_UNAVAILABLE", "sometimes")
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("VX_ATTESTATIONS_UNAVAILABLE=sometimes"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A project that requires every check refuses whatever the user set.
    let out = world.lock_refused("verify = \"require\"", "attested = \"1.0\"", 1);
    assert!(out.contains("attestations API"), "{out}");
}
