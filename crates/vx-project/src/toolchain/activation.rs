//! The activation cache: what a fully installed project's toolchain resolved to, kept
//! in the store so `vx exec`, `vx CMD` and `vx which` need not parse the manifest, the
//! lock and every receipt on each call.
//!
//! An [`Activation`] records the `PATH` directories of the project's tools, which
//! executable each command name finds on them, the project's `[env]` and `[settings]
//! path` as declared ([`Declared`]: templates, expanded by whoever applies them, so a
//! record costs no TOML parse), and a [`Stamp`] of everything the
//! answer came from: the manifest, the lock, and each tool's directory in the store.
//! It is used only while every stamp still matches, which costs one `stat` per tool
//! instead of reading and parsing the files: an edit of `vx.toml` or `vx.lock`, an
//! install (a new tree is renamed into place), an uninstall or prune, or an executable
//! added to or removed from a tool's directory each change a stamp, and the next call
//! resolves in full and records afresh. A cache that cannot be read, is of another
//! format or is damaged is ignored the same way; writing one is best effort.
//!
//! Only a project whose tools are all installed, without tools named on the command
//! line, is recorded: anything else takes the full path, which installs or explains.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Toolchain, search};
use vx_base::platform;
use vx_base::platform::fs::command_key;
use vx_model::manifest::{LOCK_FILE, Platform};
use vx_model::project_env::Declared;

/// Where the caches live, under the store.
pub(crate) const CACHE_DIR: &str = ".cache/activation";
/// The record format; another value is ignored (2: with the project environment; 3:
/// with the global toolset's digests).
const FORMAT: u32 = 3;

/// What identifies one version of a file or directory: its device and inode, size,
/// and modification and change times in nanoseconds. Replacing, editing or removing it
/// changes the stamp. (A tuple: the record holds hundreds.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64, u64, u64, i64, i64);

impl Stamp {
    /// The stamp of `path` (links followed), `None` when it is gone.
    pub fn of(path: &Path) -> Option<Stamp> {
        Some(Stamp::from(platform::fs::FileStamp::of(
            &fs::metadata(path).ok()?,
        )))
    }
}

impl From<platform::fs::FileStamp> for Stamp {
    fn from(s: platform::fs::FileStamp) -> Stamp {
        Stamp(s.device, s.inode, s.size, s.modified_ns, s.changed_ns)
    }
}

/// Stamps paths under one directory (the store), through
/// [`platform::fs::StampDir`]: on Unix each lookup goes through an open descriptor of
/// the directory, so it walks only the relative part and the check of a 300-tool
/// record is 300 short lookups.
struct Under(platform::fs::StampDir);

impl Under {
    fn open(root: &Path) -> Under {
        Under(platform::fs::StampDir::open(root))
    }

    /// The stamp of `rel` under the directory, `None` when it is gone.
    fn stamp(&self, rel: &Path) -> Option<Stamp> {
        self.0.stamp(rel).map(Stamp::from)
    }
}

/// The sources of a project's toolchain, taken before they are parsed, so an edit
/// made meanwhile shows as a stale record, never a wrong one. The manifest and the
/// lock are identified by their content's SHA-256, not their times: an editor that
/// saves twice within the file system's clock tick, same size, is still seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    manifest: PathBuf,
    manifest_digest: Option<Hash>,
    lock_digest: Option<Hash>,
    /// The global toolset's `vx.toml` and `vx.lock` layered under the project
    /// ([`vx_model::manifest::global`]; none when the manifest is the global one or no
    /// configuration directory is known), then the person's layer over it
    /// (`vx.local.toml`, `vx.local.lock`), each `None` while absent.
    global_digests: Vec<Option<Hash>>,
}

/// A file's SHA-256, hex.
type Hash = String;

/// The largest manifest, lock or record hashed or read here: the lock's own bound (a
/// manifest's is smaller). A larger file, a device or a FIFO has no digest, so the
/// command goes the long way and the manifest or lock reader refuses it by name.
const MAX_HASHED_BYTES: u64 = 16 << 20;

/// The SHA-256 of the regular file at `path`, `None` when it cannot be read within
/// [`MAX_HASHED_BYTES`].
fn digest(path: &Path) -> Option<Hash> {
    let bytes = vx_base::bounded_read::read(path, MAX_HASHED_BYTES).ok()?;
    Some(hex::encode(Sha256::digest(bytes)))
}

impl Sources {
    /// The manifest these sources are of, absolute.
    pub fn manifest(&self) -> &Path {
        &self.manifest
    }

    /// Takes the manifest at `manifest` and its lock beside it.
    pub(crate) fn stamp(manifest: &Path) -> Sources {
        let manifest = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_owned());
        let mut global_digests: Vec<Option<Hash>> = vx_model::manifest::global::under(&manifest)
            .map(|global| {
                vx_model::manifest::global::files(&global)
                    .map(|f| digest(&f))
                    .to_vec()
            })
            .unwrap_or_default();
        // The person's layer over the project and its lock count as the layers under it.
        global_digests.extend([
            digest(&manifest.with_file_name(vx_model::manifest::local::LOCAL_FILE)),
            digest(&manifest.with_file_name(vx_model::lock::LOCAL_LOCK_FILE)),
        ]);
        Sources {
            manifest_digest: digest(&manifest),
            lock_digest: digest(&manifest.with_file_name(LOCK_FILE)),
            global_digests,
            manifest,
        }
    }
}

/// One directory in the store the answer depends on, relative to the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Watched(PathBuf, Stamp);

/// A fully installed project's toolchain, as recorded (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activation {
    format: u32,
    manifest: PathBuf,
    manifest_digest: Hash,
    lock_digest: Option<Hash>,
    /// [`Sources`]' digests of the global toolset.
    #[serde(default)]
    global_digests: Vec<Option<Hash>>,
    platform: String,
    /// The store the record was made in.
    store: PathBuf,
    /// Each directory of executables and each tree without one: a tree replaced or
    /// removed takes its directories with it, and adding or removing an executable
    /// changes its directory.
    watched: Vec<Watched>,
    /// The directories that go first on `PATH`, in order.
    bin_dirs: Vec<PathBuf>,
    /// Every executable on `bin_dirs` by name: the first one a `PATH` search finds.
    found: BTreeMap<String, PathBuf>,
    /// The command names the tools provide (their receipts' `bin`): what `vx CMD` runs.
    provided: Vec<String>,
    /// The manifest's tools whose `os` leaves this platform out, for the message when
    /// one is asked for.
    #[serde(default)]
    not_here: Vec<String>,
    /// The manifest's `[env]` and `[settings] path` (the manifest's digest covers
    /// them).
    #[serde(default)]
    environment: Declared,
    /// The digest of each of the environment's version files when recorded: editing
    /// an `.nvmrc` a tool reads its version from changes the toolchain.
    #[serde(default)]
    version_digests: Vec<Option<Hash>>,
}

impl Activation {
    /// The record of `chain`, the toolchain of the manifest `sources` stamped (which
    /// declares `environment`), when every tool is installed and the project reads no
    /// env file; `None` otherwise (nothing to record).
    pub fn of(
        chain: &Toolchain,
        environment: &Declared,
        sources: &Sources,
        store: &Path,
    ) -> Option<Activation> {
        // A project with env files is not recorded: the record would copy their
        // values (often secrets) into the store, and its stamps do not cover them.
        if !chain.missing().is_empty() || !environment.env_files.is_empty() {
            return None;
        }
        let manifest_digest = sources.manifest_digest.clone()?;
        let bin_dirs = chain.bin_dirs();
        // A runtime's directories outside the store (npm's global `bin`) go on `PATH`
        // but are neither watched nor indexed: what `npm i -g` adds there is found on
        // `PATH` when the record does not name it.
        let in_store: Vec<&PathBuf> = bin_dirs.iter().filter(|d| d.starts_with(store)).collect();
        let bare_trees = chain
            .tools
            .iter()
            .filter(|t| t.executables().is_empty())
            .map(|t| t.tree.clone());
        let under = Under::open(store);
        let mut watched = Vec::new();
        for dir in in_store.iter().map(|d| (*d).clone()).chain(bare_trees) {
            let rel = dir.strip_prefix(store).ok()?.to_owned();
            let stamp = under.stamp(&rel)?;
            watched.push(Watched(rel, stamp));
        }
        let mut found = BTreeMap::new();
        for dir in in_store {
            for entry in fs::read_dir(dir).ok()?.flatten() {
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let path = entry.path();
                let key = command_key(&name).into_owned();
                if !found.contains_key(&key) && search::is_executable(&path) {
                    found.insert(key, path);
                }
            }
        }
        let mut provided: Vec<String> = chain
            .tools
            .iter()
            .flat_map(|t| t.commands())
            .map(|c| command_key(&c).into_owned())
            .collect();
        provided.sort();
        provided.dedup();
        Some(Activation {
            format: FORMAT,
            manifest: sources.manifest.clone(),
            manifest_digest,
            lock_digest: sources.lock_digest.clone(),
            global_digests: sources.global_digests.clone(),
            platform: Platform::current().to_string(),
            store: store.to_owned(),
            watched,
            bin_dirs,
            found,
            provided,
            not_here: chain.not_here.clone(),
            environment: environment.clone(),
            version_digests: environment
                .version_files
                .iter()
                .map(|f| digest(f))
                .collect(),
        })
    }

    /// Takes the sources of the manifest at `manifest` (it and its lock, hashed once)
    /// and the record for it in `store`, when there is one and everything it was made
    /// from is unchanged. The sources serve to record afresh when there is none.
    pub fn lookup(store: &Path, manifest: &Path) -> (Sources, Option<Activation>) {
        let sources = Sources::stamp(manifest);
        let record =
            vx_base::bounded_read::read(&cache_path(store, &sources.manifest), MAX_HASHED_BYTES)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Activation>(&bytes).ok())
                .filter(|record| record.is_fresh(store, &sources));
        (sources, record)
    }

    /// Whether the record was made in `store` from `sources` as they are now, on this
    /// platform, and every directory it watches is unchanged.
    fn is_fresh(&self, store: &Path, sources: &Sources) -> bool {
        self.format == FORMAT
            && self.manifest == sources.manifest
            && self.store == store
            && sources.manifest_digest.as_ref() == Some(&self.manifest_digest)
            && sources.lock_digest == self.lock_digest
            && sources.global_digests == self.global_digests
            && self.platform == Platform::current().to_string()
            && self.environment.version_files.len() == self.version_digests.len()
            && self
                .environment
                .version_files
                .iter()
                .zip(&self.version_digests)
                .all(|(file, recorded)| digest(file) == *recorded)
            && {
                let under = Under::open(store);
                self.watched
                    .iter()
                    .all(|Watched(rel, stamp)| under.stamp(rel) == Some(*stamp))
            }
    }

    /// Writes the record into `store` (atomically: a reader sees the old one or this).
    pub fn save(&self, store: &Path) -> io::Result<()> {
        let path = cache_path(store, &self.manifest);
        let dir = path.parent().unwrap_or(store);
        fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&serde_json::to_vec(self).map_err(io::Error::other)?)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The directories that go first on `PATH`.
    pub fn bin_dirs(&self) -> &[PathBuf] {
        &self.bin_dirs
    }

    /// The `PATH` for the project: the tools' directories, then `[settings] path`,
    /// then `inherited` without them ([`Declared::search_path`]).
    pub fn search_path(&self, inherited: Option<&OsStr>) -> std::ffi::OsString {
        self.environment.search_path(&self.bin_dirs, inherited)
    }

    /// The project's `[env]` and `[settings] path`, as the manifest declares them.
    pub fn environment(&self) -> &Declared {
        &self.environment
    }

    /// The executable `command` names on the tools' directories alone, as
    /// [`Toolchain::find`] finds it; `None` for a path (it has a `/`) or a name none
    /// of them has.
    pub fn find(&self, command: &OsStr) -> Option<&Path> {
        // On Windows `rg` is found as `rg.exe` (`PATHEXT`); on Unix the name is the name.
        vx_base::platform::fs::executable_names(command)
            .iter()
            .find_map(|name| self.found.get(command_key(name.to_str()?).as_ref()))
            .map(PathBuf::as_path)
    }

    /// The manifest's tools that are not for this platform.
    pub fn not_here(&self) -> &[String] {
        &self.not_here
    }

    /// Whether a tool provides `command` ([`Toolchain::provider`]).
    pub fn provides(&self, command: &str) -> bool {
        let key = command_key(command);
        self.provided
            .binary_search_by(|c| c.as_str().cmp(&key))
            .is_ok()
    }
}

/// `<store>/.cache/activation/<hash of the manifest's path>.json`.
fn cache_path(store: &Path, manifest: &Path) -> PathBuf {
    let digest = Sha256::digest(manifest.as_os_str().as_encoded_bytes());
    store
        .join(CACHE_DIR)
        .join(format!("{}.json", hex::encode(&digest[..12])))
}

// Unix: the executables are made with mode bits.
#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::toolchain::{Origin, Tool};

    /// A store with one installed tool `t 1` (one executable in `bin/`), a manifest and
    /// a lock, and the toolchain of that tool.
    struct Fixture {
        _dir: tempfile::TempDir,
        store: PathBuf,
        manifest: PathBuf,
        chain: Toolchain,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let tree = store.join("t/1");
        fs::create_dir_all(tree.join("bin")).unwrap();
        fs::write(tree.join("bin/t"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(tree.join("bin/t"), fs::Permissions::from_mode(0o755)).unwrap();
        let manifest = dir.path().join("vx.toml");
        fs::write(&manifest, "[tools.t]\n").unwrap();
        fs::write(dir.path().join(LOCK_FILE), "lock\n").unwrap();
        let receipt: vx_engine::store::Receipt = serde_json::from_value(serde_json::json!({
            "tool": "t", "version": "1", "url": "file:///t", "sha256": "0", "format": null,
            "strip_components": 0, "post_install": null, "options": {}, "bytes": 0,
            "installed_at": 0, "bin": ["bin/t"]
        }))
        .unwrap();
        let chain = Toolchain {
            tools: vec![Tool {
                name: "t".into(),
                version: "1".into(),
                origin: Origin::Manifest,
                spec: None,
                tree,
                receipt: Some(receipt),
            }],
            not_here: Vec::new(),
        };
        Fixture {
            _dir: dir,
            store,
            manifest,
            chain,
        }
    }

    /// Something done to a fixture after its record was made.
    type Change = fn(&Fixture);

    fn record(f: &Fixture) {
        let sources = Sources::stamp(&f.manifest);
        Activation::of(&f.chain, &Declared::default(), &sources, &f.store)
            .unwrap()
            .save(&f.store)
            .unwrap();
    }

    #[test]
    fn a_record_answers_until_anything_it_came_from_changes() {
        let changes: [(&str, Change); 7] = [
            ("manifest edited", |f| {
                fs::write(&f.manifest, "[tools.t]\n# x\n").unwrap()
            }),
            // At once, the same size: the times may not tell; the content does.
            ("manifest edited, same size", |f| {
                fs::write(&f.manifest, "[tools.u]\n").unwrap()
            }),
            ("lock changed", |f| {
                fs::write(f.manifest.with_file_name(LOCK_FILE), "lock2\n").unwrap()
            }),
            ("lock removed", |f| {
                fs::remove_file(f.manifest.with_file_name(LOCK_FILE)).unwrap()
            }),
            ("tool removed", |f| {
                fs::remove_dir_all(f.store.join("t/1")).unwrap()
            }),
            ("tool reinstalled", |f| {
                let tree = f.store.join("t/1");
                fs::rename(&tree, f.store.join("t/old")).unwrap();
                fs::create_dir_all(tree.join("bin")).unwrap();
                fs::write(tree.join("bin/t"), "#!/bin/sh\n").unwrap();
            }),
            ("executable added", |f| {
                fs::write(f.store.join("t/1/bin/u"), "x").unwrap()
            }),
        ];
        for (what, change) in changes {
            let f = fixture();
            record(&f);
            let fresh = Activation::lookup(&f.store, &f.manifest)
                .1
                .expect("fresh after record");
            assert_eq!(
                fresh.find(OsStr::new("t")),
                Some(f.store.join("t/1/bin/t").as_path())
            );
            assert!(fresh.provides("t") && !fresh.provides("u"));
            assert_eq!(fresh.bin_dirs(), [f.store.join("t/1/bin")]);
            change(&f);
            assert!(
                Activation::lookup(&f.store, &f.manifest).1.is_none(),
                "{what}: still used"
            );
        }
    }

    #[test]
    fn the_record_carries_the_project_environment() {
        let f = fixture();
        let declared = Declared {
            project: f.manifest.parent().unwrap().to_owned(),
            vars: vec![vx_model::task::EnvVar {
                name: "A".into(),
                value: Some("{project}/x".into()),
                line: 3,
                literal: false,
            }],
            path: vec![PathBuf::from("/p/scripts")],
            version_files: Vec::new(),
            tools: vec![("JAVA_HOME".into(), PathBuf::from("/store/java/21"))],
            venv: None,
            env_files: Vec::new(),
        };
        let sources = Sources::stamp(&f.manifest);
        Activation::of(&f.chain, &declared, &sources, &f.store)
            .unwrap()
            .save(&f.store)
            .unwrap();
        let fresh = Activation::lookup(&f.store, &f.manifest).1.unwrap();
        assert_eq!(fresh.environment(), &declared);
        let path = fresh.search_path(Some(OsStr::new("/usr/bin")));
        let bin = f.store.join("t/1/bin");
        assert_eq!(
            path,
            search::join(&[bin, PathBuf::from("/p/scripts"), PathBuf::from("/usr/bin")])
        );
    }

    #[test]
    fn incomplete_toolchains_are_not_recorded_and_bad_records_are_ignored() {
        let mut f = fixture();
        f.chain.tools[0].receipt = None;
        assert!(
            Activation::of(
                &f.chain,
                &Declared::default(),
                &Sources::stamp(&f.manifest),
                &f.store
            )
            .is_none()
        );

        let f = fixture();
        record(&f);
        let dir = f.store.join(CACHE_DIR);
        let file = fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        for junk in [&b""[..], b"{", b"[1,2]", b"{\"format\":99}"] {
            fs::write(&file, junk).unwrap();
            assert!(Activation::lookup(&f.store, &f.manifest).1.is_none());
        }
        // Another manifest's record under this one's name answers nothing.
        record(&f);
        let other = f.manifest.with_file_name("other.toml");
        fs::write(&other, "").unwrap();
        fs::copy(&file, cache_path(&f.store, &other)).unwrap();
        assert!(Activation::lookup(&f.store, &other).1.is_none());
    }
}
