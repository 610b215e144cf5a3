//! The cost of verifying one artifact when its version is locked (issue 29): what the
//! `vx install` child (or `vx lock`'s resolver) spends on a signature beyond the download
//! and the sha256 it computes anyway. Signatures are read from `file://` URLs, so no
//! network time is counted; each iteration is one whole check as vx runs it, from parsing
//! the key (and, for Sigstore, loading the trusted root) to the record.
//! `cargo bench --bench verify`; the figures are in docs/BENCHMARKS.md, section 12.
//!
//! - `minisign`: over a 5 MiB download (minisign's prehashed signature reads the file).
//! - `cosign-key`: a P-256 signature over the sha256 the child already has.
//! - `sigstore-bundle`: a keyless bundle over the 5 MiB download (chain, log entry,
//!   signature over the file, identity), with the trusted root read and parsed each
//!   time, as each child does (the child's lookup of the user config is left out).
//! - `sigstore-digest`: the same bundle checked against the sha256 alone, as the
//!   registry's checks of a release asset run (no bytes read).
//!
//! The keys come from the `minisign` and `openssl` commands (Debian packages, as the
//! tests use them) and the test Sigstore of `tests/common/sigstore.rs`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use vx_net::verify::sigstore::{SigstoreCheck, Subject};
use vx_net::verify::{Check, Checks, trusted_root, verify_download};

#[path = "../tests/common/signing.rs"]
#[allow(dead_code)]
mod signing;
#[path = "../tests/common/sigstore.rs"]
#[allow(dead_code)]
mod sigstore;

/// The download's size: a typical release archive.
const SIZE: usize = 5 << 20;

/// The workflow that "signed" the bench's artifact.
const WORKFLOW: &str = "https://github.com/acme/tool/.github/workflows/release.yml";

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn verify(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let artifact = d.join("tool.tar.gz");
    let bytes: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&artifact, &bytes).unwrap();
    let sha256 = vx_fixture::sha256_hex(&bytes);
    let url = file_url(&artifact);

    // minisign and cosign keys and signatures, made by the real commands.
    let keys = signing::Keys::new(&d.join("keys"));
    let (minisign_key, _) = keys.minisign_key("m");
    std::fs::write(d.join("tool.tar.gz.minisig"), keys.minisign("m", &bytes)).unwrap();
    let minisign = Checks {
        minisign: Some(Check {
            public_key: minisign_key,
            signature: "{url}.minisig".to_owned(),
        }),
        ..Checks::default()
    };
    let (public, _) = keys.cosign_key("c");
    std::fs::write(d.join("tool.tar.gz.sig"), keys.cosign("c", &bytes)).unwrap();
    let public = std::fs::read(public).unwrap();
    let cosign = Checks {
        cosign: Some(Check {
            public_key: String::from_utf8(public).unwrap(),
            signature: "{url}.sig".to_owned(),
        }),
        ..Checks::default()
    };

    // A keyless Sigstore bundle from the test's own Sigstore, its root in a user config.
    let fulcio = sigstore::Sigstore::new();
    let identity = format!("{WORKFLOW}@refs/tags/v1.0.0");
    let bundle = fulcio.blob_bundle(&sigstore::Leaf::workflow(&identity), &bytes);
    std::fs::write(d.join("tool.tar.gz.sigstore.json"), &bundle).unwrap();
    let root_file = d.join("trusted_root.json");
    std::fs::write(&root_file, fulcio.trusted_root()).unwrap();
    let check = SigstoreCheck {
        bundle: "{url}.sigstore.json".to_owned(),
        identity: Some(identity.clone()),
        identity_regexp: None,
        issuer: "https://token.actions.githubusercontent.com".to_owned(),
    };

    let mut group = c.benchmark_group("verify");
    group.sample_size(30);
    for (name, checks) in [("minisign", &minisign), ("cosign-key", &cosign)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let record =
                    verify_download(&artifact, &sha256, &url, checks, &vx_net::verify::Local)
                        .unwrap();
                black_box(record)
            })
        });
    }
    // The child's path without its user-config lookup: the root file is read and
    // parsed, the bundle read, and the bundle verified over the file.
    let bundle_file = d.join("tool.tar.gz.sigstore.json");
    group.bench_function("sigstore-bundle", |b| {
        b.iter(|| {
            let root = trusted_root::load(Some(&root_file)).unwrap();
            let json = std::fs::read(&bundle_file).unwrap();
            let record = vx_net::verify::sigstore::verify_signature(
                &root,
                Subject::File(&artifact),
                &json,
                &check,
            )
            .unwrap();
            black_box(record)
        })
    });
    group.bench_function("sigstore-digest", |b| {
        b.iter(|| {
            let root = trusted_root::load(Some(&root_file)).unwrap();
            let record = vx_net::verify::sigstore::verify_signature(
                &root,
                Subject::Sha256(&sha256),
                &bundle,
                &check,
            )
            .unwrap();
            black_box(record)
        })
    });
    group.bench_function("sha256-of-the-download (for scale)", |b| {
        b.iter(|| black_box(vx_fixture::sha256_hex(&bytes)))
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
