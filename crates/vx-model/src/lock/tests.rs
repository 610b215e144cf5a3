use super::*;
use sha2::{Digest, Sha256};

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn manifest(text: &str) -> Manifest {
    Manifest::parse(Path::new("vx.toml"), text).unwrap()
}

fn platform(name: &str) -> Platform {
    name.parse().unwrap()
}

fn two_tools(rg_version: &str) -> Manifest {
    manifest(&format!(
        "[tools.rg]\nversion = \"{rg_version}\"\nurl = \"https://x.org/rg-{{version}}-{{os}}.tar.gz\"\n\n\
         [tools.jq]\nversion = \"1.7\"\nurl = \"https://x.org/jq-{{version}}-{{arch}}.tar.gz\"\n"
    ))
}

/// Locks every tool of `m` for `platforms` with a made-up asset per URL.
fn lock_all(lock: &mut Lock, m: &Manifest, platforms: &[Platform]) {
    for p in platforms {
        for spec in m.resolve(p).unwrap() {
            let tool = m.tool(&spec.name).unwrap();
            if lock.fresh(tool, p).is_none() {
                let sha = hex::encode(Sha256::digest(spec.url.as_bytes()));
                let size = Some(spec.url.len() as u64);
                lock.record(tool, p, Asset::new(spec.url, sha, size));
            }
        }
    }
}

#[test]
fn a_lock_round_trips_sorted_and_a_change_marks_only_that_tool_stale() {
    let platforms = [platform("macos-aarch64"), platform("linux-x86_64")];
    let m = two_tools("14.1.1");
    let mut lock = Lock::default();
    assert_eq!(lock.stale(&m, &platforms).len(), 2);
    lock_all(&mut lock, &m, &platforms);
    assert!(lock.stale(&m, &platforms).is_empty());
    let text = lock.to_text();
    assert!(text.starts_with(HEADER), "{text}");
    let jq = text.find("[tools.jq]").unwrap();
    let rg = text.find("[tools.rg]").unwrap();
    let linux = text.find("[tools.rg.platforms.linux-x86_64]").unwrap();
    let mac = text.find("[tools.rg.platforms.macos-aarch64]").unwrap();
    assert!(jq < rg && linux < mac, "sorted: {text}");
    assert_eq!(Lock::parse(Path::new("vx.lock"), &text).unwrap(), lock);

    let changed = two_tools("14.1.2");
    let stale: Vec<_> = lock
        .stale(&changed, &platforms)
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(stale, ["rg"]);
    let mut relocked = lock.clone();
    lock_all(&mut relocked, &changed, &platforms);
    assert_eq!(relocked.tools["jq"], lock.tools["jq"], "jq untouched");
    assert_ne!(relocked.tools["rg"], lock.tools["rg"]);
    assert!(
        relocked.tools["rg"].platforms["linux-x86_64"]
            .url
            .contains("14.1.2")
    );
}

#[test]
fn writing_is_atomic_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vx.lock");
    assert_eq!(Lock::load(&path).unwrap(), None, "no lock yet");
    let m = two_tools("1");
    let mut lock = Lock::default();
    lock_all(&mut lock, &m, &[platform("linux-x86_64")]);
    lock.write(&path).unwrap();
    let first = std::fs::read(&path).unwrap();
    Lock::load(&path).unwrap().unwrap().write(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["vx.lock"], "no temporary file left");
}

#[test]
fn corrupt_locks_are_refused_at_file_line_and_column() {
    let good = format!(
        "version = 1\n\n[tools.rg]\nversion = \"1\"\ninputs = \"sha256:{SHA}\"\n\n[tools.rg.platforms.linux-x86_64]\nurl = \"https://x.org/a\"\nsha256 = \"{SHA}\"\n"
    );
    assert!(Lock::parse(Path::new("vx.lock"), &good).is_ok());
    let cases = [
        (good.replace("version = \"1\"", "version = "), "vx.lock:4:"),
        (
            good.replace(&format!("sha256 = \"{SHA}\""), "sha256 = \"abc\""),
            "vx.lock:9:10:",
        ),
        (
            good.replace("version = 1\n", "version = 0\n"),
            "vx.lock:1:11:",
        ),
        (good.replace("url =", "link ="), "vx.lock:8:"),
        (good.replace("linux-x86_64", "linux-pdp11"), "vx.lock:7:"),
        (
            good.replace("https://x.org/a", "https://bob:s3cret@x.org/a"),
            "vx.lock:8:7:",
        ),
        (
            good.replace(&format!("\"sha256:{SHA}\""), "\"md5:1\""),
            "vx.lock:5:",
        ),
    ];
    for (text, place) in cases {
        let err = Lock::parse(Path::new("vx.lock"), &text)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(place), "{place}: {err}");
        assert!(err.ends_with("run `vx lock` to write it again"), "{err}");
    }
    let err = Lock::parse(
        Path::new("vx.lock"),
        &good.replace("version = 1\n", "version = 0\n"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("lock format version 0"), "{err}");
}

#[test]
fn a_lock_with_a_language_registry_tool_is_version_2_and_a_newer_one_is_refused() {
    let plain = format!(
        "version = 1\n\n[tools.rg]\nversion = \"1\"\ninputs = \"sha256:{SHA}\"\npackage = \"standard:BurntSushi/ripgrep\"\n\n[tools.rg.platforms.linux-x86_64]\nurl = \"https://x.org/a\"\nsha256 = \"{SHA}\"\n"
    );
    // A lock without a language-registry tool stays version 1, byte for byte: a vx
    // of before reads it as it did.
    let lock = Lock::parse(Path::new("vx.lock"), &plain).unwrap();
    assert_eq!(lock.format_version(), 1);
    assert!(lock.to_text().ends_with(&plain), "{}", lock.to_text());
    // One with a crate (which holds no field an older vx would refuse) is version 2,
    // which a vx of version 1 refuses rather than misinstalls.
    let crate_v1 = plain.replace("standard:BurntSushi/ripgrep", "cargo:ripgrep");
    let lock = Lock::parse(Path::new("vx.lock"), &crate_v1).expect("a version 1 lock still reads");
    assert_eq!(lock.format_version(), LOCK_VERSION);
    let written = lock.to_text();
    assert!(written.contains("\nversion = 2\n"), "{written}");
    assert_eq!(Lock::parse(Path::new("vx.lock"), &written).unwrap(), lock);
    // A newer format: refused at its place, saying to update vx (not to write it over).
    let newer = written.replace("\nversion = 2\n", "\nversion = 3\n");
    let err = Lock::parse(Path::new("vx.lock"), &newer).unwrap_err();
    assert!(matches!(err, LockError::Newer { found: 3, .. }), "{err}");
    let said = err.to_string();
    assert!(
        said.starts_with("vx.lock:2:11: lock format version 3 was written by a newer vx")
            && said.contains("update vx")
            && !said.contains("run `vx lock`"),
        "{said}"
    );
    assert!(
        err.invalid_content().is_none(),
        "vx lock does not write over it"
    );
}

#[test]
fn other_packings_round_trip_and_a_bad_one_is_refused_at_its_line() {
    let good = format!(
        "version = 1\n\n[tools.node]\nversion = \"1\"\ninputs = \"sha256:{SHA}\"\n\n[tools.node.platforms.linux-x86_64]\nurl = \"https://x.org/a.tar.xz\"\nsha256 = \"{SHA}\"\nformat = \"tar.xz\"\n\n[[tools.node.platforms.linux-x86_64.alternatives]]\nurl = \"https://x.org/a.tar.gz\"\nsha256 = \"{SHA}\"\nformat = \"tar.gz\"\n"
    );
    let lock = Lock::parse(Path::new("vx.lock"), &good).unwrap();
    let asset = &lock.tools["node"].platforms["linux-x86_64"];
    assert_eq!(asset.alternatives.len(), 1);
    assert_eq!(
        asset.alternatives[0].format,
        vx_base::format::ArchiveFormat::TarGz
    );
    // Written back as it was (below the header vx writes).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vx.lock");
    lock.write(&path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.ends_with(&good), "{written}");

    let cases = [
        (
            good.replace(
                "https://x.org/a.tar.gz",
                "https://bob:s3cret@x.org/a.tar.gz",
            ),
            "vx.lock:13:7:",
        ),
        (
            good.replace("format = \"tar.gz\"", "format = \"tar.rar\""),
            "vx.lock:15:",
        ),
        (
            good.replacen(
                &format!("sha256 = \"{SHA}\"\nformat = \"tar.gz\""),
                "sha256 = \"abc\"\nformat = \"tar.gz\"",
                1,
            ),
            "vx.lock:14:",
        ),
        (
            good.replace("format = \"tar.gz\"\n", "format = \"tar.gz\"\nsize = 3\n"),
            "vx.lock:",
        ),
    ];
    for (text, place) in cases {
        let err = Lock::parse(Path::new("vx.lock"), &text)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(place), "{place}: {err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
    let many: String = (0..5)
        .map(|_| format!("\n[[tools.node.platforms.linux-x86_64.alternatives]]\nurl = \"https://x.org/b\"\nsha256 = \"{SHA}\"\nformat = \"tar.gz\"\n"))
        .collect();
    let err = Lock::parse(Path::new("vx.lock"), &format!("{good}{many}"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 4 alternatives"), "{err}");
}

fn rg_on_linux(lock: &mut Lock) -> &mut Asset {
    lock.tools
        .get_mut("rg")
        .and_then(|rg| rg.platforms.get_mut("linux-x86_64"))
        .unwrap()
}

#[test]
fn a_lock_with_credentials_in_a_url_is_neither_written_nor_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vx.lock");
    let m = two_tools("1");
    let mut lock = Lock::default();
    lock_all(&mut lock, &m, &[platform("linux-x86_64")]);
    let asset = rg_on_linux(&mut lock);
    asset.url = "https://deploy:s3cret@intranet.example/rg.tar.gz".to_owned();
    let err = lock.write(&path).unwrap_err().to_string();
    assert!(err.contains("rg on linux-x86_64"), "{err}");
    assert!(
        err.contains("https://***@intranet.example/rg.tar.gz"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    assert!(!path.exists(), "nothing written");

    // A token in a checksum file's URL is a secret too.
    let asset = rg_on_linux(&mut lock);
    asset.url = "https://intranet.example/rg.tar.gz".to_owned();
    asset.checksum = Some("checksum-file:https://tok3n@intranet.example/sums".to_owned());
    let err = lock.write(&path).unwrap_err().to_string();
    assert!(!err.contains("tok3n"), "{err}");
    assert!(!path.exists(), "nothing written");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn tool_strategy() -> impl Strategy<Value = (String, bool, Option<u32>)> {
        (
            "[0-9]{1,3}(\\.[0-9]{1,3}){0,2}",
            any::<bool>(),
            proptest::option::of(0u32..3),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any manifest that parses, locked and re-locked with no change, gives a
        /// byte-identical lock.
        #[test]
        fn relocking_an_unchanged_manifest_changes_no_byte(
            tools in proptest::collection::btree_map("[a-z][a-z0-9]{0,8}", tool_strategy(), 1..8),
        ) {
            let mut text = String::from("[settings]\nplatforms = [\"linux-x86_64\", \"windows-x86_64\"]\n");
            for (name, (version, per_os, strip)) in &tools {
                let url = if *per_os { "https://x.org/{version}/{os}-{arch}.zip" } else { "https://x.org/{version}/all.tar.gz" };
                text.push_str(&format!("\n[tools.{name}]\nversion = \"{version}\"\nurl = \"{url}\"\n"));
                if let Some(n) = strip {
                    text.push_str(&format!("strip_components = {n}\n"));
                }
            }
            let m = manifest(&text);
            let mut lock = Lock::default();
            lock_all(&mut lock, &m, &m.platforms);
            let first = lock.to_text();
            let mut again = Lock::parse(Path::new("vx.lock"), &first).unwrap();
            lock_all(&mut again, &m, &m.platforms);
            again.retain_listed(&m);
            prop_assert_eq!(again.to_text(), first);
        }
    }
}

#[test]
fn an_environments_own_runtime_round_trips_and_is_checked_as_any_entry() {
    let text = format!(
        "version = 1\n\n[tools.prettier]\nversion = \"3.10.1\"\ninputs = \"sha256:{SHA}\"\npackage = \"npm:prettier\"\n\n\
         [tools.prettier.environment]\nruntime = \"node\"\nruntime_version = \"22.12.0\"\nregistry = \"https://registry.npmjs.org\"\nlockfile = \"{{}}\"\n\n\
         [tools.prettier.environment.own_runtime]\nversion = \"22.12.0\"\ninputs = \"sha256:{SHA}\"\nconstraint = \"lts\"\npackage = \"runtime:node\"\n\n\
         [tools.prettier.environment.own_runtime.platforms.linux-x86_64]\nurl = \"https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz\"\nsha256 = \"{SHA}\"\nformat = \"tar.xz\"\n"
    );
    let lock = Lock::parse(Path::new("vx.lock"), &text).unwrap();
    let own = lock.tools["prettier"]
        .environment
        .as_ref()
        .and_then(|e| e.own_runtime.as_deref())
        .expect("own runtime");
    assert_eq!(own.package.as_deref(), Some("runtime:node"));
    assert_eq!(own.platforms["linux-x86_64"].sha256.as_deref(), Some(SHA));
    let back = Lock::parse(Path::new("vx.lock"), &lock.to_text()).unwrap();
    assert_eq!(back, lock);
    // Its downloads are checked as a tool's are, at their line.
    let bad = text.replace("format = \"tar.xz\"", "format = \"rar\"");
    let err = Lock::parse(Path::new("vx.lock"), &bad)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("vx.lock:23:10:") && err.contains("rar"),
        "{err}"
    );
}

#[test]
fn a_pypi_environments_installer_round_trips_and_is_checked_as_any_entry() {
    let text = format!(
        "version = 2\n\n[tools.black]\nversion = \"24.10.0\"\ninputs = \"sha256:{SHA}\"\npackage = \"pypi:black\"\n\n\
         [tools.black.environment]\nruntime = \"python\"\nruntime_version = \"3.12.1\"\nregistry = \"https://pypi.org/simple\"\nlockfile = \"black==24.10.0\"\n\n\
         [tools.black.environment.installer]\nversion = \"0.13.9\"\ninputs = \"sha256:{SHA}\"\nconstraint = \"latest\"\npackage = \"github:astral-sh/uv\"\ntag = \"0.13.9\"\n\n\
         [tools.black.environment.installer.platforms.linux-x86_64]\nurl = \"https://github.com/astral-sh/uv/releases/download/0.13.9/uv-x86_64-unknown-linux-gnu.tar.gz\"\nsha256 = \"{SHA}\"\nformat = \"tar.gz\"\nchecksum = \"github-digest\"\n\n\
         [tools.black.environment.installer.unsupported]\nwindows-aarch64 = \"uv 0.13.9 has no build for windows-aarch64\"\n"
    );
    let lock = Lock::parse(Path::new("vx.lock"), &text).unwrap();
    let uv = lock.tools["black"]
        .environment
        .as_ref()
        .and_then(|e| e.installer.as_deref())
        .expect("installer");
    assert_eq!(uv.package.as_deref(), Some("github:astral-sh/uv"));
    assert_eq!(uv.platforms["linux-x86_64"].sha256.as_deref(), Some(SHA));
    assert!(uv.unsupported.contains_key("windows-aarch64"));
    let back = Lock::parse(Path::new("vx.lock"), &lock.to_text()).unwrap();
    assert_eq!(back, lock);
    // Its downloads are checked as a tool's are, at their line.
    let bad = text.replace("sha256 = \"", "sha256 = \"x");
    let err = Lock::parse(Path::new("vx.lock"), &bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("vx.lock:"), "{err}");
}
