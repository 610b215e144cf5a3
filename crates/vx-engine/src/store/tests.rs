//! The store's trees and receipts: identities, an older vx's trees, what matches.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use vx_base::format::ArchiveFormat;
use vx_model::config_frame::InstallConfig;

use super::receipt::{MAX_RECEIPT_BYTES, OLD_ENVIRONMENT_OPTION, replace_receipt};
use super::*;

fn cfg(store: &Path) -> InstallConfig {
    let spec = vx_model::spec::ToolSpec {
        sha256: Some("ab".repeat(32)),
        format: Some(ArchiveFormat::TarGz),
        strip_components: 1,
        options: BTreeMap::from([("k".to_owned(), json!(1))]),
        ..vx_model::spec::ToolSpec::new("rg", "14.1.1", "https://x.org/rg.tar.gz")
    };
    InstallConfig::new(spec, store.to_owned())
}

fn install_fake(cfg: &InstallConfig, sha: &str) -> PathBuf {
    let dir = install_dir(&cfg.store, &cfg.spec);
    fs::create_dir_all(&dir).unwrap();
    let mut receipt = Receipt::new(cfg, sha, cfg.spec.format, 10);
    receipt.key = Some(key(&cfg.spec));
    write_receipt(&dir, &receipt).unwrap();
    dir
}

/// aqua's uv (a musl tarball) and vx's own uv (the gnu build) share a name and a
/// version: each has its tree, found by its own spec, and installing one never
/// touches the other's.
#[test]
fn two_packages_of_one_name_and_version_keep_two_trees() {
    let store = tempfile::tempdir().unwrap();
    let aqua = cfg(store.path());
    let mut own = aqua.clone();
    own.spec.url = "https://x.org/uv-x86_64-unknown-linux-gnu.tar.gz".into();
    own.spec.sha256 = Some("cd".repeat(32));
    let aqua_dir = install_fake(&aqua, &"ab".repeat(32));
    assert!(
        !is_installed(&own),
        "another package's tree is not this one"
    );
    let own_dir = install_fake(&own, &"cd".repeat(32));
    assert_ne!(aqua_dir, own_dir);
    assert_eq!(find(store.path(), &aqua.spec).unwrap().0, aqua_dir);
    assert_eq!(find(store.path(), &own.spec).unwrap().0, own_dir);
    let both = trees(store.path(), "rg", "14.1.1");
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.iter().all(|(tree, r)| names_its_place(r, "rg", tree)));
    // The same download shaped otherwise (the same wheel in a venv of another
    // python) is another package too.
    let mut shaped = aqua.clone();
    shaped.spec.options.insert("k".into(), json!(2));
    assert_ne!(key(&shaped.spec), key(&aqua.spec));
    // The URL is provenance where the bytes are pinned: a mirror's URL is the
    // same package.
    let mut mirrored = aqua.spec.clone();
    mirrored.url = "https://mirror.example/rg.tar.gz".into();
    assert_eq!(key(&mirrored), key(&aqua.spec));
}

/// A tree an older vx left at `<store>/<tool>/<version>` is read in place: found
/// for its spec, listed, and never taken for another package's.
#[test]
fn an_older_stores_tree_is_read_in_place() {
    let store = tempfile::tempdir().unwrap();
    let cfg = cfg(store.path());
    let legacy = store.path().join("rg").join("14.1.1");
    fs::create_dir_all(&legacy).unwrap();
    write_receipt(&legacy, &Receipt::new(&cfg, &"ab".repeat(32), None, 10)).unwrap();
    assert_eq!(find(store.path(), &cfg.spec).unwrap().0, legacy);
    assert_eq!(newest_tree(store.path(), "rg", "14.1.1").unwrap().0, legacy);
    let mut other = cfg.clone();
    other.spec.sha256 = Some("cd".repeat(32));
    assert!(find(store.path(), &other.spec).is_none());
    // Copied by hand under another name, it is not ours.
    let copy = store.path().join("rg").join("14.1.1-copy");
    fs::create_dir_all(&copy).unwrap();
    fs::copy(legacy.join(RECEIPT_FILE), copy.join(RECEIPT_FILE)).unwrap();
    assert_eq!(trees(store.path(), "rg", "14.1.1").len(), 1);
    assert!(trees(store.path(), "..", "14.1.1").is_empty());
}

/// Installed before a lock pinned its bytes (keyed by its URL), a tree is found by
/// the pinned spec that follows: the first sync's download is not repeated.
#[test]
fn a_tree_installed_on_trust_is_found_once_its_bytes_are_pinned() {
    let store = tempfile::tempdir().unwrap();
    let mut unpinned = cfg(store.path());
    unpinned.spec.sha256 = None;
    let dir = install_fake(&unpinned, &"ab".repeat(32));
    let pinned = cfg(store.path());
    assert_ne!(install_dir(store.path(), &pinned.spec), dir);
    assert_eq!(find(store.path(), &pinned.spec).unwrap().0, dir);
}

#[test]
fn layout_and_receipt_round_trip() {
    let store = tempfile::tempdir().unwrap();
    let cfg = cfg(store.path());
    let dir = install_dir(store.path(), &cfg.spec);
    assert_eq!(
        dir.strip_prefix(store.path()).unwrap().parent(),
        Some(Path::new("rg"))
    );
    assert_eq!(
        dir.file_name().unwrap().to_str().unwrap(),
        format!("14.1.1-{}", key(&cfg.spec))
    );
    assert!(!is_installed(&cfg));
    let dir = install_fake(&cfg, &"ab".repeat(32));
    let receipt = read_receipt(&dir).unwrap();
    assert_eq!(receipt.url, cfg.spec.url);
    assert_eq!(receipt.options, cfg.spec.options);
    assert!(receipt.installed_at > 1_600_000_000);
    assert!(is_installed(&cfg));
}

/// A runtime tool's tree an older vx recorded with its environment among the
/// options is found by the spec that plans the same environment (read in place,
/// not installed again), and one of another environment is not.
#[test]
fn an_older_receipts_environment_among_the_options_still_matches() {
    let store = tempfile::tempdir().unwrap();
    let mut planned = cfg(store.path());
    let plan = vx_model::spec::needs::Plan {
        manager: vx_model::spec::needs::Manager::Npm,
        package: "prettier".to_owned(),
        version: "3.10.1".to_owned(),
        runtime: "node".to_owned(),
        runtime_version: "20.11.1".to_owned(),
        registry: "https://registry.npmjs.org".to_owned(),
        lockfile: "{}".to_owned(),
        allow_builds: Vec::new(),
    };
    planned.spec.needs.environment = Some(plan.clone());
    let dir = install_fake(&planned, &"ab".repeat(32));
    // As an older vx wrote it: the plan under `options.environment`.
    let mut old = read_receipt(&dir).unwrap();
    old.environment = None;
    old.options.insert(
        OLD_ENVIRONMENT_OPTION.to_owned(),
        serde_json::to_value(&plan).unwrap(),
    );
    replace_receipt(&dir, &old).unwrap();
    assert_eq!(find(store.path(), &planned.spec).unwrap().0, dir);
    let mut other = planned.clone();
    other.spec.needs.environment = Some(vx_model::spec::needs::Plan {
        lockfile: "{\"other\":1}".to_owned(),
        ..plan
    });
    assert!(find(store.path(), &other.spec).is_none());
    assert_ne!(key(&other.spec), key(&planned.spec));
}

#[test]
fn any_difference_in_the_inputs_means_not_installed() {
    let store = tempfile::tempdir().unwrap();
    let base = cfg(store.path());
    install_fake(&base, &"ab".repeat(32));
    type Change = fn(&mut InstallConfig);
    let changes: [Change; 4] = [
        |c| c.spec.sha256 = Some("cd".repeat(32)),
        |c| {
            c.spec.options.insert("k".into(), json!(2));
        },
        |c| c.spec.strip_components = 0,
        |c| c.spec.post_install = Some("true".into()),
    ];
    for change in changes {
        let mut other = base.clone();
        change(&mut other);
        assert!(!is_installed(&other), "{other:?}");
    }
    let mut unverified = base.clone();
    unverified.spec.sha256 = None;
    assert!(
        is_installed(&unverified),
        "no sha256 asked: any recorded one matches"
    );
    // Without a sha256 only the URL vouches for the bytes.
    unverified.spec.url.push_str("?v=2");
    assert!(!is_installed(&unverified));
}

#[test]
fn the_same_bytes_from_another_url_are_the_same_install() {
    let store = tempfile::tempdir().unwrap();
    let base = cfg(store.path());
    install_fake(&base, &"ab".repeat(32));
    let mut mirror = base.clone();
    mirror.spec.url = "https://mirror.example/rg.tar.gz".into();
    assert!(is_installed(&mirror), "identity is the sha256, not the URL");
}

#[test]
fn a_pinned_hash_clears_the_unverified_mark() {
    let store = tempfile::tempdir().unwrap();
    let base = cfg(store.path());
    let dir = install_dir(store.path(), &base.spec);
    fs::create_dir_all(&dir).unwrap();
    let mut receipt = Receipt::new(&base, &"ab".repeat(32), None, 10);
    receipt.unverified = true;
    write_receipt(&dir, &receipt).unwrap();
    assert!(!mark_pinned(&dir, &"cd".repeat(32)), "other bytes");
    assert!(read_receipt(&dir).unwrap().unverified);
    assert!(mark_pinned(&dir, &"ab".repeat(32)));
    let after = read_receipt(&dir).unwrap();
    assert!(!after.unverified);
    assert_eq!(after.sha256, receipt.sha256);
    assert!(!mark_pinned(&dir, &"ab".repeat(32)), "already verified");
}

#[test]
fn broken_receipts_mean_not_installed() {
    let store = tempfile::tempdir().unwrap();
    let cfg = cfg(store.path());
    let dir = install_dir(store.path(), &cfg.spec);
    fs::create_dir_all(&dir).unwrap();
    assert!(!is_installed(&cfg), "no receipt");
    fs::write(dir.join(RECEIPT_FILE), b"{not json").unwrap();
    assert!(!is_installed(&cfg));
    fs::write(
        dir.join(RECEIPT_FILE),
        vec![b' '; MAX_RECEIPT_BYTES as usize + 1],
    )
    .unwrap();
    assert!(read_receipt(&dir).is_none());
}
