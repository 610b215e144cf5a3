use std::sync::LazyLock;

use proptest::prelude::*;

use super::*;

const FIXTURE: &str = include_str!("../../../../../tests/data/registry/names.yaml");

fn fixture() -> Registry {
    Registry::from_str(FIXTURE, Path::new("names.yaml")).unwrap()
}

fn origin() -> Origin {
    Origin {
        digest: "ab".repeat(32),
        stamp: "1:2:3:4:5".to_owned(),
    }
}

/// An index of the fixture written to a temporary directory: the directory and the
/// file's path.
fn written() -> (tempfile::TempDir, PathBuf) {
    /// The fixture's index, built once for all the tests (the property tests write it
    /// hundreds of times).
    static BUILT: LazyLock<Vec<u8>> =
        LazyLock::new(|| Index::build(&fixture(), &origin()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.idx");
    std::fs::write(&path, &*BUILT).unwrap();
    (dir, path)
}

fn invalid_reason(path: &Path) -> String {
    match Index::open(path) {
        Err(IndexError::Invalid { reason, .. }) => reason,
        other => panic!("expected an invalid index, got {other:?}"),
    }
}

/// Where the name table starts and the definitions start, from the header.
fn sections(bytes: &[u8]) -> (usize, usize) {
    let table_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    (HEADER_LEN, HEADER_LEN + table_len)
}

#[test]
fn every_named_package_reads_back_as_it_was_parsed() {
    let (_dir, path) = written();
    let index = Index::open(&path).unwrap();
    let named = fixture_packages();
    assert_eq!(index.len(), named.len());
    assert_eq!(index.origin(), &origin());
    for (i, original) in named.iter().enumerate() {
        let entry = index.entry(i).unwrap();
        assert_eq!(Some(entry.full_name().to_owned()), original.full_name());
        assert_eq!(Some(entry.short_name().to_owned()), original.short_name());
        assert_eq!(entry.unsupported(), original.unsupported().as_deref());
        let read = index.package(i).unwrap();
        assert_eq!(format!("{read:?}"), format!("{original:?}"));
        assert_eq!(read.unsupported(), original.unsupported());
    }
}

fn fixture_packages() -> Vec<Package> {
    fixture()
        .packages
        .into_iter()
        .filter(|p| p.full_name().is_some())
        .collect()
}

#[test]
fn the_table_holds_every_name_a_package_answers_to() {
    let (_dir, index) = fixture_index();
    let entry = |name: &str| index.entries().find(|e| e.full_name() == name).unwrap();
    let kubectl = entry("kubernetes/kubernetes/kubectl");
    assert_eq!(kubectl.short_name(), "kubectl");
    assert_eq!(kubectl.repo_name(), Some("kubernetes"));
    assert_eq!(kubectl.description(), Some("Kubernetes command line tool"));
    assert_eq!(kubectl.commands().count(), 0);
    let fd = entry("sharkdp/fd");
    assert_eq!(fd.aliases().collect::<Vec<_>>(), ["fd-find"]);
    // Commands of version overrides and their overrides count, each once.
    let b = entry("umbrella/tool-b");
    assert_eq!(b.commands().collect::<Vec<_>>(), ["shared", "b-linux"]);
    let ghq = entry("motemen/ghq");
    assert!(ghq.unsupported().unwrap().contains("vendored_thing"));
    assert!(
        entry("golang/tools/gopls")
            .unsupported()
            .unwrap()
            .contains("go_install")
    );
    assert_eq!(entry("BurntSushi/ripgrep").unsupported(), None);
    // The package without a name is not there.
    assert!(index.entries().all(|e| !e.full_name().is_empty()));
}

#[test]
fn an_empty_registry_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.idx");
    Index::write(&path, &Registry::default(), &Origin::default()).unwrap();
    let index = Index::open(&path).unwrap();
    assert!(index.is_empty());
    assert!(index.package(0).is_err());
}

#[test]
fn an_empty_name_is_no_name_and_the_index_still_opens() {
    // Found by the `registry` fuzz target: `name: ""` was indexed as a package named
    // "", which `Index::open` refuses, so one such package made the whole registry
    // unusable. As in aqua, an empty `name` falls back to `repo_owner/repo_name`, and
    // empty ones are no name at all.
    let yaml = r#"
packages:
  - name: ""
    type: github_release
    repo_owner: acme
    repo_name: tool
  - name: ""
    type: github_release
  - repo_owner: ""
    repo_name: ""
    type: github_release
  - name: acme/other
    type: github_release
"#;
    let registry = Registry::from_str(yaml, Path::new("r.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.idx");
    Index::write(&path, &registry, &Origin::default()).unwrap();
    let index = Index::open(&path).unwrap();
    let names: Vec<&str> = index.entries().map(|e| e.full_name()).collect();
    assert_eq!(names, ["acme/tool", "acme/other"]);
}

#[test]
fn a_missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Index::open(&dir.path().join("absent.idx")),
        Err(IndexError::Io { .. })
    ));
}

#[test]
fn a_foreign_file_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.idx");
    std::fs::write(&path, FIXTURE).unwrap();
    assert!(invalid_reason(&path).contains("signature"));
    std::fs::write(&path, b"").unwrap();
    assert!(invalid_reason(&path).contains("shorter than a header"));
}

#[test]
fn another_format_version_is_not_trusted() {
    let (_dir, path) = written();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let crc = crc32fast::hash(&bytes[..HEADER_LEN - 4]);
    bytes[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert!(invalid_reason(&path).contains(&format!("format version {}", FORMAT_VERSION + 1)));
}

#[test]
fn another_vx_s_index_is_not_trusted() {
    let (_dir, path) = written();
    let bytes = std::fs::read(&path).unwrap();
    // The version string is the pool's first string; rewrite it in place (same length)
    // and fix the table's checksum, as another build of vx would have written it.
    let (table, blobs) = sections(&bytes);
    let mut bytes = bytes;
    let at = table + 4;
    let len = BUILT_BY.len();
    assert_eq!(&bytes[at..at + len], BUILT_BY.as_bytes());
    bytes[at..at + len].fill(b'9');
    let crc = crc32fast::hash(&bytes[table..blobs]);
    bytes[16..20].copy_from_slice(&crc.to_le_bytes());
    let header_crc = crc32fast::hash(&bytes[..HEADER_LEN - 4]);
    bytes[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&header_crc.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert!(invalid_reason(&path).contains("built by vx 9"));
}

#[test]
fn a_truncated_index_is_not_trusted() {
    let (_dir, path) = written();
    let bytes = std::fs::read(&path).unwrap();
    for keep in [bytes.len() - 1, bytes.len() / 2, HEADER_LEN + 3, 10] {
        std::fs::write(&path, &bytes[..keep]).unwrap();
        let reason = invalid_reason(&path);
        assert!(
            reason.contains("announces") || reason.contains("shorter"),
            "{keep}: {reason}"
        );
    }
}

#[test]
fn a_corrupt_name_table_is_not_trusted() {
    let (_dir, path) = written();
    let mut bytes = std::fs::read(&path).unwrap();
    let (table, blobs) = sections(&bytes);
    bytes[(table + blobs) / 2] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    assert!(invalid_reason(&path).contains("name table's checksum"));
}

#[test]
fn a_corrupt_header_is_not_trusted() {
    let (_dir, path) = written();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[21] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    assert!(invalid_reason(&path).contains("header's checksum"));
}

#[test]
fn a_corrupt_definition_is_refused_when_read() {
    let (_dir, path) = written();
    let mut bytes = std::fs::read(&path).unwrap();
    let (_, blobs) = sections(&bytes);
    // The first definition is ripgrep's, at the start of the definitions.
    bytes[blobs + 2] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    let index = Index::open(&path).unwrap();
    match index.package(0) {
        Err(IndexError::Invalid { reason, .. }) => {
            assert!(
                reason.contains("`BurntSushi/ripgrep` is corrupt"),
                "{reason}"
            )
        }
        other => panic!("expected a corrupt definition, got {other:?}"),
    }
    // The others still read.
    assert!(index.package(1).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever bytes of an index are damaged, opening it and reading every definition
    /// returns results or errors, never panics, and never reads a definition whose
    /// bytes changed as if intact.
    #[test]
    fn damaged_indexes_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4)) {
        let (_dir, path) = written();
        let original = std::fs::read(&path).unwrap();
        let mut bytes = original.clone();
        for (at, mask) in &flips {
            let i = at.index(bytes.len());
            bytes[i] ^= mask;
        }
        std::fs::write(&path, &bytes).unwrap();
        static CLEAN: LazyLock<Vec<String>> =
            LazyLock::new(|| fixture_packages().iter().map(|p| format!("{p:?}")).collect());
        if let Ok(index) = Index::open(&path) {
            for (i, clean) in CLEAN.iter().enumerate().take(index.len()) {
                if let Ok(package) = index.package(i) {
                    prop_assert_eq!(&format!("{package:?}"), clean);
                }
            }
        }
    }

    /// Truncating an index anywhere is noticed on open.
    #[test]
    fn truncated_indexes_never_open(cut in any::<prop::sample::Index>()) {
        let (_dir, path) = written();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..cut.index(bytes.len())]).unwrap();
        let opened = Index::open(&path);
        prop_assert!(matches!(opened, Err(IndexError::Invalid { .. })), "{:?}", opened);
    }
}

/// The standard registry indexes, every package reads back as parsed, and the figures
/// of building and of a warm lookup are printed (wall time, and this thread's CPU time
/// since the machine may be shared). Needs a copy of aqua-registry's `registry.yaml`
/// (not part of the repo, and CI has no network); figures in release:
/// `VX_AQUA_REGISTRY=PATH cargo test --release --lib registry::index -- --ignored
/// --nocapture`.
#[test]
#[ignore = "needs a copy of the standard registry at $VX_AQUA_REGISTRY"]
fn the_standard_registry_indexes_and_reads_back() {
    use std::time::{Duration, Instant};
    let clock = || {
        #[cfg(unix)]
        let cpu = {
            let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
            Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
        };
        #[cfg(not(unix))]
        let cpu = Duration::ZERO;
        (Instant::now(), cpu)
    };
    let since = |(wall, cpu): (Instant, Duration), rounds: u32| {
        let (now, now_cpu) = clock();
        format!(
            "{:.2?} (cpu {:.2?})",
            (now - wall) / rounds,
            (now_cpu - cpu) / rounds
        )
    };
    let file = std::env::var("VX_AQUA_REGISTRY")
        .expect("VX_AQUA_REGISTRY names a copy of aqua-registry's registry.yaml");
    let bytes = std::fs::read(&file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("standard.idx");

    let start = clock();
    let registry = Registry::from_slice(&bytes, Path::new(&file)).unwrap();
    let parse = since(start, 1);
    let at = clock();
    Index::write(&path, &registry, &origin()).unwrap();
    let write = since(at, 1);
    let total = since(start, 1);
    #[cfg(unix)]
    let process = || {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    };
    #[cfg(not(unix))]
    let process = || Duration::ZERO;
    let (at, cpu) = (Instant::now(), process());
    let cut = crate::registry::parallel::parse(&bytes, Path::new(&file)).unwrap();
    let parallel = format!(
        "{:.2?} (cpu of all threads {:.2?})",
        at.elapsed(),
        process() - cpu
    );
    assert_eq!(
        format!("{:?}", cut.packages),
        format!("{:?}", registry.packages)
    );
    eprintln!(
        "parsed on {} threads: {parallel}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let at = clock();
    let built = Index::build(&registry, &origin()).unwrap();
    let build = since(at, 1);
    eprintln!(
        "{} bytes of YAML, {} packages; parse {parse}; index and write {write}; \
         parse, index and write {total}; (index alone {build}); index file {} bytes",
        bytes.len(),
        registry.packages.len(),
        built.len()
    );

    let index = Index::open(&path).unwrap();
    let named: Vec<&Package> = registry
        .packages
        .iter()
        .filter(|p| p.full_name().is_some())
        .collect();
    assert_eq!(index.len(), named.len());
    for (i, original) in named.iter().enumerate() {
        let read = index.package(i).unwrap();
        assert_eq!(format!("{read:?}"), format!("{original:?}"));
    }

    let rounds = 200;
    let start = clock();
    for _ in 0..rounds {
        let index = Index::open(&path).unwrap();
        let m = crate::registry::names::lookup(&index, "ripgrep").unwrap();
        let package = index.package(m.entry).unwrap();
        assert_eq!(package.fields.repo_name.as_deref(), Some("ripgrep"));
    }
    eprintln!(
        "warm open + lookup `ripgrep` + read its package: {} each",
        since(start, rounds)
    );
}
