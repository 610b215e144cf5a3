//! The store on disk: `<store>/<tool>/<version>-<key>` trees, their receipts, and
//! the temporary work area `<store>/.tmp`.
//!
//! A tree is kept under its package's identity, not under a bare name: `<key>` hashes
//! what was downloaded (the sha256 the lock pins, else the registry's integrity value,
//! else the URL) and everything that shapes the tree from it (see [`key`]). Two
//! packages that share a name and a version — aqua's `uv` and the uv vx installs
//! PyPI tools with, aqua's `ruff` and `pypi:ruff`, the same wheel made into venvs on
//! two pythons — get two directories, so neither replaces the other. A tree an older
//! vx left at `<store>/<tool>/<version>` (no key) is read in place ([`find`]) until it
//! is pruned or uninstalled; nothing moves it.
//!
//! An install works in `<store>/.tmp/install-<random>` (a [`WorkDir`]: every failure,
//! cancel or panic path removes it on drop, and one left by a killed process is found
//! by its free lock and removed by [`clean_stale_work`]), writes the receipt into the
//! finished tree, then renames the tree into place. Temporary files live on the
//! store's file system, so that rename is atomic: a reader sees no tree or the whole
//! tree with its receipt, never half of one.
//!
//! Beside `.tmp` and `.locks`, `<store>/.partial` keeps interrupted downloads for a
//! later run to continue ([`super::partial`]).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tempfile::TempDir;

use vx_base::format::ArchiveFormat;
use vx_model::config_frame::InstallConfig;
use vx_model::spec::ToolSpec;

/// Name of the receipt file inside an installed tree.
pub const RECEIPT_FILE: &str = ".vx-receipt.json";
/// Name of the temporary work area inside the store (tool names cannot start with a
/// dot, so it never collides with a tool).
pub const TMP_DIR: &str = ".tmp";
/// Largest receipt read back; a real one is a few hundred bytes.
const MAX_RECEIPT_BYTES: u64 = 256 * 1024;

/// Why a store cannot be used: the user's to fix (`--store`, `XDG_DATA_HOME`, `HOME`).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store was given and no default can be derived.
    #[error("{}; pass --store DIR", vx_base::platform::fs::DATA_DIR_UNSET)]
    NoDefault,
    /// A path on the way to the store exists and is not a directory.
    #[error("cannot use the store {store}: {blocker} exists and is not a directory")]
    NotADirectory {
        /// The store.
        store: PathBuf,
        /// The first ancestor (or the store itself) that is not a directory.
        blocker: PathBuf,
    },
    /// The store, its work area or lock directory cannot be written.
    #[error("cannot use the store {store}: cannot write {path}")]
    NotWritable {
        /// The store.
        store: PathBuf,
        /// What could not be created or written.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The store's path is not UTF-8: it could not travel to the installers (the config
    /// frame is JSON) nor be written into receipts.
    #[error("cannot use the store {}: its path is not valid UTF-8", store.display())]
    NotUtf8 {
        /// The store.
        store: PathBuf,
    },
    /// The store's path holds what a `PATH` entry cannot (`:`; `"` on Windows): its tools'
    /// directories could never be put on `PATH`, so everything would install and then
    /// not be found.
    #[error(
        "cannot use the store {}: its path holds `{}`, which a PATH entry cannot, so its tools could never be found on PATH; pass --store DIR or set {} to a directory without it",
        store.display(),
        vx_base::platform::search::NOT_IN_PATH,
        vx_base::platform::fs::DATA_DIR_VARIABLE
    )]
    NotForPath {
        /// The store.
        store: PathBuf,
    },
    /// The store's absolute path cannot be worked out.
    #[error("cannot resolve the store path {store}")]
    Unresolvable {
        /// The store.
        store: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The default store: `vx/store` in the user's data directory
/// ([`vx_base::platform::fs::data_dir`]: `$XDG_DATA_HOME`, else `~/.local/share`; on
/// Windows `%LOCALAPPDATA%`).
pub fn default_store() -> Result<PathBuf, StoreError> {
    let data = vx_base::platform::fs::data_dir().ok_or(StoreError::NoDefault)?;
    Ok(data.join("vx").join("store"))
}

/// The store `store` names (else [`default_store`]) as an absolute path, without
/// creating or checking anything: for the commands that only read it (`vx exec`,
/// `vx which`, `vx env`, `vx list`).
pub fn locate(store: Option<PathBuf>) -> Result<PathBuf, StoreError> {
    let store = match store {
        Some(store) => store,
        None => default_store()?,
    };
    fit_for_path(&store)?;
    std::path::absolute(&store).map_err(|source| StoreError::Unresolvable { store, source })
}

/// Refuses a store whose path `PATH` cannot hold ([`StoreError::NotForPath`]).
fn fit_for_path(store: &Path) -> Result<(), StoreError> {
    if vx_base::platform::search::fits_in_path(store) {
        Ok(())
    } else {
        Err(StoreError::NotForPath {
            store: store.to_path_buf(),
        })
    }
}

/// Makes the store directory exist (`store`, else [`default_store`]), checks that it
/// can be written (its work area [`TMP_DIR`] and lock directory [`LOCKS_DIR`] are
/// created, and a probe file written and removed there), and returns its absolute path
/// (children run with their own working directory, so the frame carries absolute
/// paths). A store that cannot be prepared is an error naming the path, before anything
/// else is written.
pub fn prepare(store: Option<PathBuf>) -> Result<PathBuf, StoreError> {
    let store = match store {
        Some(store) => store,
        None => default_store()?,
    };
    if store.to_str().is_none() {
        return Err(StoreError::NotUtf8 { store });
    }
    fit_for_path(&store)?;
    if let Some(blocker) = store
        .ancestors()
        .find(|p| p.symlink_metadata().is_ok())
        .filter(|p| !p.is_dir())
    {
        return Err(StoreError::NotADirectory {
            blocker: blocker.to_path_buf(),
            store,
        });
    }
    let not_writable = |path: &Path| {
        let (store, path) = (store.clone(), path.to_path_buf());
        move |source| StoreError::NotWritable {
            store,
            path,
            source,
        }
    };
    fs::create_dir_all(&store).map_err(not_writable(&store))?;
    for dir in [TMP_DIR, LOCKS_DIR] {
        let dir = store.join(dir);
        fs::create_dir_all(&dir).map_err(not_writable(&dir))?;
    }
    let tmp = store.join(TMP_DIR);
    tempfile::tempfile_in(&tmp).map_err(not_writable(&tmp))?;
    std::path::absolute(&store).map_err(|source| StoreError::Unresolvable { store, source })
}

/// What was installed, from where: written as `<tree>/.vx-receipt.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The tool's name.
    pub tool: String,
    /// The installed version.
    pub version: String,
    /// The URL the archive came from.
    pub url: String,
    /// The SHA-256 of the downloaded archive (computed, so also present for
    /// unverified installs).
    pub sha256: String,
    /// The archive format that was unpacked.
    pub format: Option<ArchiveFormat>,
    /// The `strip_components` applied.
    pub strip_components: u32,
    /// The `post_install` command that ran, if any.
    pub post_install: Option<String>,
    /// The tool's options at install time.
    pub options: BTreeMap<String, serde_json::Value>,
    /// Bytes downloaded.
    pub bytes: u64,
    /// When the install finished, in seconds since the Unix epoch.
    pub installed_at: u64,
    /// Installed without a sha256 to check (`--allow-unverified`).
    #[serde(default)]
    pub unverified: bool,
    /// The tool's executables, relative to the install (see [`super::bins`]).
    #[serde(default)]
    pub bin: Vec<String>,
    /// Bytes the archive unpacked into files (absent in receipts of older builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpacked: Option<u64>,
    /// What the download's signatures were verified with (`minisign:KEYID`,
    /// `cosign:sha256:FINGERPRINT`), for the lock; absent when none was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    /// Variables the tool sets for its users, each a path relative to the install
    /// (a runtime's `JAVA_HOME`), as its spec gave them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The package identity the tree is kept under ([`key`]): its directory is
    /// `<version>-<key>`. Absent in trees an older vx left at `<store>/<tool>/<version>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The files written into the tree after unpacking, as its spec gave them
    /// (`crate::install::written`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub write: BTreeMap<String, String>,
    /// Directories outside the store on `PATH` after the tool's own, as its spec gave
    /// them (npm's global `bin`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_after: Vec<String>,
    /// The environment its package manager built (a runtime tool's, as the lock
    /// pinned it: `vx_model::spec::needs::Plan`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<vx_model::spec::needs::Plan>,
}

impl Receipt {
    /// A receipt for `cfg`'s install of an archive of `bytes` bytes hashing to
    /// `sha256`, timestamped now.
    pub fn new(
        cfg: &InstallConfig,
        sha256: &str,
        format: Option<ArchiveFormat>,
        bytes: u64,
    ) -> Self {
        Receipt {
            tool: cfg.spec.name.clone(),
            version: cfg.spec.version.clone(),
            url: cfg.spec.url.clone(),
            sha256: sha256.to_owned(),
            format,
            strip_components: cfg.spec.strip_components,
            post_install: cfg.spec.post_install.clone(),
            options: cfg.spec.options.clone(),
            bytes,
            installed_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            unverified: false,
            bin: Vec::new(),
            unpacked: None,
            verified: None,
            env: cfg.spec.env.clone(),
            key: None,
            write: BTreeMap::new(),
            path_after: Vec::new(),
            environment: cfg.spec.needs.environment.clone(),
        }
    }

    /// This receipt as today's vx writes it: a runtime tool's environment that an
    /// older vx recorded among the options (under `environment`) moved to its field.
    fn upgraded(mut self) -> Receipt {
        if self.environment.is_none()
            && let Some(plan) = self
                .options
                .get(OLD_ENVIRONMENT_OPTION)
                .and_then(|v| serde_json::from_value(v.clone()).ok())
        {
            self.options.remove(OLD_ENVIRONMENT_OPTION);
            self.environment = Some(plan);
        }
        self
    }

    /// True when this receipt records the install `cfg` asks for (see
    /// [`Receipt::matches_spec`]).
    pub fn matches(&self, cfg: &InstallConfig) -> bool {
        self.matches_spec(&cfg.spec)
    }

    /// True when this receipt records the install `spec` asks for: same tool, version
    /// and options, the same `strip_components`, `post_install` and written files
    /// (which shape the tree), and the same bytes. The bytes are identified by content: when `spec`
    /// names a sha256, the receipt's must equal it and the URL does not matter (a
    /// mirror's copy of the same archive is the same install; the URL is provenance);
    /// without one, only the same URL can vouch for the bytes.
    pub fn matches_spec(&self, spec: &ToolSpec) -> bool {
        // Any packing the lock names is the same tree (`ToolSpec::alternatives`).
        let same_bytes = match &spec.sha256 {
            Some(_) => spec.packs_as(&self.sha256),
            None => self.url == spec.url,
        };
        self.tool == spec.name
            && self.version == spec.version
            && same_bytes
            && self.options == spec.options
            && self.environment == spec.needs.environment
            && self.strip_components == spec.strip_components
            && self.post_install == spec.post_install
            && self.write == spec.write
    }
}

/// Where a receipt of an older vx recorded a runtime tool's environment: among the
/// options, which now hold the user's keys only ([`Receipt::upgraded`]).
const OLD_ENVIRONMENT_OPTION: &str = "environment";

/// Whether an I/O error is the store's file system refusing a write (full, over quota,
/// read-only, not permitted) rather than something the input caused.
pub(crate) fn is_storage_failure(err: &io::Error) -> bool {
    use io::ErrorKind as K;
    matches!(
        err.kind(),
        K::StorageFull | K::QuotaExceeded | K::ReadOnlyFilesystem | K::PermissionDenied
    )
}

/// Hex digits of a tree's [`key`]: 48 bits, so two identities of one tool version
/// practically never meet; the receipt is compared all the same.
pub const KEY_LEN: usize = 12;

/// The identity of the tree `spec` makes, as [`KEY_LEN`] hex digits: the SHA-256 of a
/// canonical JSON document of what was downloaded (`sha256:HEX` the lock pins, else
/// `integrity:SRI` the registry publishes, else `url:URL`) and of what shapes the tree
/// from it (`strip_components`, `post_install`, the user's options, the environment a
/// package manager builds in it, the files written): exactly what
/// [`Receipt::matches_spec`] compares besides the name and version. What the tree is
/// built with (`vx_model::spec::Needs`' runtime and installer) and the project folder
/// whose `.npmrc` is read are not the tree's identity: one store serves every project. Computed before any other packing is taken
/// (`ToolSpec::take_alternative`), so the lock's spec and the installing child agree.
pub fn key(spec: &ToolSpec) -> String {
    use sha2::{Digest, Sha256};
    #[derive(Serialize)]
    struct Identity<'a> {
        bytes: String,
        strip_components: u32,
        post_install: Option<&'a str>,
        options: &'a BTreeMap<String, serde_json::Value>,
        write: &'a BTreeMap<String, String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        environment: Option<&'a vx_model::spec::needs::Plan>,
    }
    let bytes = match (&spec.sha256, &spec.integrity) {
        (Some(sha256), _) => format!("sha256:{}", sha256.to_ascii_lowercase()),
        (None, Some(integrity)) => format!("integrity:{integrity}"),
        (None, None) => format!("url:{}", spec.url),
    };
    let identity = Identity {
        bytes,
        strip_components: spec.strip_components,
        post_install: spec.post_install.as_deref(),
        options: &spec.options,
        write: &spec.write,
        environment: spec.needs.environment.as_ref(),
    };
    // serde_json's maps are sorted (no `preserve_order`): the document is canonical.
    let document = serde_json::to_vec(&identity).unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(b"vx-store-1\0");
    hasher.update(&document);
    hex::encode(&hasher.finalize()[..KEY_LEN / 2])
}

/// Where `spec`'s tree goes in `store`: `<store>/<tool>/<version>-<key>`.
pub fn install_dir(store: &Path, spec: &ToolSpec) -> PathBuf {
    keyed_dir(store, &spec.name, &spec.version, &key(spec))
}

/// `<store>/<tool>/<version>-<key>`.
fn keyed_dir(store: &Path, tool: &str, version: &str, key: &str) -> PathBuf {
    store.join(tool).join(format!("{version}-{key}"))
}

/// Whether `receipt` names the tree at `tree` (its directory `<version>-<key>`, or
/// `<version>` for a tree an older vx left without a key) under `tool`: a tree copied
/// or renamed by hand is not ours to account for.
pub fn names_its_place(receipt: &Receipt, tool: &str, tree: &Path) -> bool {
    let Some(dir) = tree.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let expected = match &receipt.key {
        Some(key) => format!("{}-{key}", receipt.version),
        None => receipt.version.clone(),
    };
    receipt.tool == tool && dir == expected
}

/// Every tree of `tool` at `version` in `store` with a receipt naming it (see
/// [`names_its_place`]), sorted by path: the keyed ones and an older vx's
/// `<store>/<tool>/<version>`. Reads only the tool's own directory.
pub fn trees(store: &Path, tool: &str, version: &str) -> Vec<(PathBuf, Receipt)> {
    if vx_base::validate::tool_name(tool).is_err() || vx_base::validate::version(version).is_err() {
        return Vec::new();
    }
    let prefix = format!("{version}-");
    let mut found = tool_trees(store, tool, |dir| {
        dir == version || dir.starts_with(&prefix)
    });
    found.retain(|(_, r)| r.version == version);
    found
}

/// The trees under `<store>/<tool>` (directories, not links) whose name `dir` accepts
/// and whose receipt names that very place ([`names_its_place`]), sorted by path.
pub(crate) fn tool_trees(
    store: &Path,
    tool: &str,
    dir: impl Fn(&str) -> bool,
) -> Vec<(PathBuf, Receipt)> {
    let Ok(entries) = fs::read_dir(store.join(tool)) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, Receipt)> = entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(&dir))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let tree = e.path();
            let receipt = read_receipt(&tree).filter(|r| names_its_place(r, tool, &tree))?;
            Some((tree, receipt))
        })
        .collect();
    found.sort_by(|(a, _), (b, _)| a.cmp(b));
    found
}

/// The tree of `tool` at `version` a caller that has no spec of it takes (`vx exec
/// TOOL@VERSION` of a store version, a runtime a tool was made with): the one
/// installed last when several packages share the name and version.
pub fn newest_tree(store: &Path, tool: &str, version: &str) -> Option<(PathBuf, Receipt)> {
    trees(store, tool, version)
        .into_iter()
        .max_by_key(|(_, r)| r.installed_at)
}

/// Reads the receipt of an installed tree; `None` when absent, unreadable, oversized
/// or malformed (the tree is then treated as not installed and replaced).
pub fn read_receipt(tree: &Path) -> Option<Receipt> {
    let bytes = vx_base::bounded_read::read(&tree.join(RECEIPT_FILE), MAX_RECEIPT_BYTES).ok()?;
    serde_json::from_slice::<Receipt>(&bytes)
        .ok()
        .map(Receipt::upgraded)
}

/// True when `cfg`'s tool is already in the store with a matching receipt, so the
/// install can be skipped without downloading.
pub fn is_installed(cfg: &InstallConfig) -> bool {
    find(&cfg.store, &cfg.spec).is_some()
}

/// The tree of `spec`'s tool in `store` and its receipt, when one is installed as
/// `spec` asks: its own directory ([`install_dir`]) first; else any tree of the same
/// tool version whose receipt matches (an older vx's `<store>/<tool>/<version>`, read
/// in place; a tree installed before the lock pinned its bytes, keyed by its URL).
pub fn find(store: &Path, spec: &ToolSpec) -> Option<(PathBuf, Receipt)> {
    let own = install_dir(store, spec);
    if let Some(receipt) = read_receipt(&own).filter(|r| r.matches_spec(spec)) {
        return Some((own, receipt));
    }
    trees(store, &spec.name, &spec.version)
        .into_iter()
        .find(|(tree, r)| *tree != own && r.matches_spec(spec))
}

/// The receipt of `spec`'s tool in `store` when it is installed and matches `spec`
/// ([`find`]).
pub fn receipt_for(store: &Path, spec: &ToolSpec) -> Option<Receipt> {
    find(store, spec).map(|(_, receipt)| receipt)
}

/// Name of the directory of per-tool install locks inside the store.
pub const LOCKS_DIR: &str = ".locks";

/// The lock file of `tool@version` in `store`: held by whichever process is installing
/// it, so two `vx` runs on one store never install the same tool at once.
pub fn lock_path(store: &Path, tool: &str, version: &str) -> PathBuf {
    store.join(LOCKS_DIR).join(format!("{tool}@{version}.lock"))
}

/// Opens (creating it and its directory if needed) a lock file. The file itself stays:
/// removing it while another process waits on it would let two processes hold
/// "the" lock on different files.
pub(crate) fn open_lock(path: &Path) -> io::Result<fs::File> {
    let open = || {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    };
    // The directory is made only when missing: a `mkdir` of one that is there locks
    // its parent (the store) all the same, against every other install's.
    match open() {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            open()
        }
        opened => opened,
    }
}

/// Writes `receipt` into `tree` (before the tree is renamed into place).
pub fn write_receipt(tree: &Path, receipt: &Receipt) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(receipt).map_err(io::Error::other)?;
    fs::write(tree.join(RECEIPT_FILE), json)
}

/// Clears the UNVERIFIED mark of the installed `tree` once its bytes are pinned: a
/// lock now records `sha256`, and the receipt's hash (computed from the bytes that were
/// installed) is that one. Replaces the receipt atomically; a receipt that is missing,
/// already verified or of other bytes is left alone. Best effort: `false` when nothing
/// was changed.
pub fn mark_pinned(tree: &Path, sha256: &str) -> bool {
    let Some(mut receipt) = read_receipt(tree).filter(|r| r.unverified && r.sha256 == sha256)
    else {
        return false;
    };
    receipt.unverified = false;
    replace_receipt(tree, &receipt).is_ok()
}

/// Replaces the receipt of the installed `tree` with `receipt`, atomically.
pub(crate) fn replace_receipt(tree: &Path, receipt: &Receipt) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(receipt).map_err(io::Error::other)?;
    vx_base::atomic::write(&tree.join(RECEIPT_FILE), &json)
}

/// Records in the installed `tree`'s receipt that its bytes (`sha256`) were verified
/// with `verified` (a lock entry's record: the install from that entry fetched no
/// signature). A receipt that is missing, of other bytes or already saying so is left
/// alone. Best effort: `false` when nothing was changed.
pub fn mark_verified(tree: &Path, sha256: &str, verified: &str) -> bool {
    let Some(mut receipt) = read_receipt(tree)
        .filter(|r| r.sha256 == sha256 && r.verified.as_deref() != Some(verified))
    else {
        return false;
    };
    receipt.verified = Some(verified.to_owned());
    replace_receipt(tree, &receipt).is_ok()
}

/// Name of the lock file inside a work directory: held (`flock`) by the installing
/// process for the directory's whole life, so a work directory whose lock is free was
/// left by a process that died (SIGKILL, crash) and can be removed.
pub const WORK_LOCK: &str = ".lock";
/// Work-directory name prefix.
const WORK_PREFIX: &str = "install-";
/// A work directory without its lock file younger than this may be being created.
const WORK_GRACE: Duration = Duration::from_secs(60);

/// An install's private temporary directory `<store>/.tmp/install-XXXX`, locked while
/// this process lives (see [`WORK_LOCK`], [`clean_stale_work`]) and, on drop, removed —
/// or, when it was lent by a [`WorkArea`], emptied and given back for the process's next
/// install.
///
/// The lock is released before the directory is removed: Windows cannot remove a
/// directory while a file in it is open. Another `vx` that takes the free directory for
/// a dead install's in between only removes it first.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    /// The lock and the directory; taken when dropped.
    held: Option<Held>,
    /// Where the directory goes back, emptied, when dropped; `None`: it is removed.
    area: Option<Arc<WorkArea>>,
}

/// A work directory's lock and the directory (dropped in this order: see [`WorkDir`]).
#[derive(Debug)]
struct Held {
    _lock: fs::File,
    dir: TempDir,
    /// The store it is in.
    store: PathBuf,
}

impl WorkDir {
    fn new(held: Held, area: Option<Arc<WorkArea>>) -> WorkDir {
        WorkDir {
            path: held.dir.path().to_path_buf(),
            held: Some(held),
            area,
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        if let Some(area) = &self.area
            && empty_work(held.dir.path()).is_ok()
        {
            area.give_back(held);
        }
        // Otherwise `held` drops here: the lock, then the directory.
    }
}

/// The work directory of one process's installs, one after another (a `vx sync` child's
/// batch): each install borrows it ([`work_dir_in`]) and gives it back emptied, so a
/// batch of small tools makes and removes one work directory and its lock, not one per
/// tool (each a new inode, and a few syscalls, on the store's file system). Held, it is
/// locked like any [`WorkDir`]: a process killed mid-batch leaves it to
/// [`clean_stale_work`]. Removed when the area is dropped.
#[derive(Debug, Default)]
pub struct WorkArea {
    /// The directory between two installs, for the store it is in.
    spare: Mutex<Option<Held>>,
}

impl WorkArea {
    /// Keeps the emptied directory of `held` for the next install, unless another one is
    /// kept already (an install within an install borrowed a second one): that one is
    /// removed.
    fn give_back(&self, held: Held) {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.is_none() {
            *spare = Some(held);
        }
    }

    /// The kept directory, when there is one in `store`.
    fn take(&self, store: &Path) -> Option<Held> {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        spare.take_if(|held| held.store == store)
    }
}

/// Removes everything in the work directory `dir` but its lock, so another install can
/// work in it.
fn empty_work(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == WORK_LOCK {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Creates a [`WorkDir`] in `<store>/.tmp`. The lock file is locked under a staging
/// name and then renamed, so a cleaner never sees it unlocked.
pub fn work_dir(store: &Path) -> io::Result<WorkDir> {
    Ok(WorkDir::new(new_work(store)?, None))
}

/// A [`WorkDir`] in `<store>/.tmp` lent by `area` (its kept directory, else a new one
/// it keeps afterwards), or, without an area, a new one of its own ([`work_dir`]).
pub fn work_dir_in(store: &Path, area: Option<&Arc<WorkArea>>) -> io::Result<WorkDir> {
    let Some(area) = area else {
        return work_dir(store);
    };
    let held = match area.take(store) {
        Some(held) => held,
        None => new_work(store)?,
    };
    Ok(WorkDir::new(held, Some(Arc::clone(area))))
}

/// Makes and locks a new work directory in `<store>/.tmp`.
fn new_work(store: &Path) -> io::Result<Held> {
    let tmp = store.join(TMP_DIR);
    fs::create_dir_all(&tmp)?;
    let dir = tempfile::Builder::new()
        .prefix(WORK_PREFIX)
        .tempdir_in(&tmp)?;
    let staging = dir.path().join(".lock.init");
    let lock = fs::File::create(&staging)?;
    lock.try_lock().map_err(io::Error::other)?;
    fs::rename(&staging, dir.path().join(WORK_LOCK))?;
    Ok(Held {
        _lock: lock,
        dir,
        store: store.to_path_buf(),
    })
}

/// Name prefix of a stale work directory moved aside to be deleted
/// ([`clean_stale_work`]): nothing works in one, so it is always stale.
const TRASH_PREFIX: &str = "trash-";

/// Removes the work directories in `<store>/.tmp` whose installing process is gone
/// (their lock is free), e.g. after a child was killed with SIGKILL, without making the
/// caller wait on a large tree (a killed prune can leave hundreds of MiB): each is
/// renamed to `trash-…` (one rename; `stop` is checked between them, so Ctrl-C is never
/// held up) and the renamed trees are deleted on a background thread, whose handle is
/// returned (`None` when there was nothing to delete). A process that ends before the
/// thread is done leaves `trash-` directories to the next clean. Directories of live
/// installs are never touched.
pub fn clean_stale_work(store: &Path, stop: &AtomicBool) -> Option<JoinHandle<()>> {
    let tmp = store.join(TMP_DIR);
    let mut trash = Vec::new();
    for path in stale_work(store) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with(TRASH_PREFIX) {
            trash.push(path);
            continue;
        }
        let aside = tmp.join(format!(
            "{TRASH_PREFIX}{}",
            name.trim_start_matches(WORK_PREFIX)
        ));
        // Another run may have taken it first: then it is that run's to delete.
        if fs::rename(&path, &aside).is_ok() {
            trash.push(aside);
        }
    }
    if trash.is_empty() {
        return None;
    }
    std::thread::Builder::new()
        .name("vx-trash".into())
        .spawn(move || {
            for dir in trash {
                let _ = fs::remove_dir_all(dir);
            }
        })
        .ok()
}

/// The work directories in `<store>/.tmp` left by installs whose process is gone, and
/// those moved aside to be deleted (see [`clean_stale_work`]), sorted; nothing is
/// removed.
pub(crate) fn stale_work(store: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(store.join(TMP_DIR)) else {
        return Vec::new();
    };
    let mut stale_dirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        let is_work = name.starts_with(WORK_PREFIX) || name.starts_with(TRASH_PREFIX);
        if !is_work || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let stale = name.starts_with(TRASH_PREFIX)
            || match fs::File::open(path.join(WORK_LOCK)) {
                Ok(lock) => !vx_shm::liveness::lock_held(&lock),
                Err(e) if e.kind() == io::ErrorKind::NotFound => entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .and_then(|m| m.elapsed().ok())
                    .is_some_and(|age| age > WORK_GRACE),
                Err(_) => false,
            };
        if stale {
            stale_dirs.push(path);
        }
    }
    stale_dirs.sort();
    stale_dirs
}

/// Refuses to let an install replace what is at `final_dir` unless `vx` put it there:
/// nothing, an empty directory, or a tree with a receipt may be replaced; anything
/// else (a user's files, a link) is never deleted.
pub fn check_replaceable(final_dir: &Path) -> io::Result<()> {
    let Ok(meta) = fs::symlink_metadata(final_dir) else {
        return Ok(());
    };
    let ours = meta.is_dir()
        && (fs::symlink_metadata(final_dir.join(RECEIPT_FILE)).is_ok()
            || fs::read_dir(final_dir)?.next().is_none());
    if ours {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("not installed by vx (no {RECEIPT_FILE}); move it away"),
        ))
    }
}

/// Moves the finished `tree` to `final_dir` with `rename`. An existing tree at
/// `final_dir` (an older or different install, see [`check_replaceable`]) is first
/// moved into `scratch` (inside the work directory, so it is deleted with it) and put
/// back if the second rename fails.
pub fn commit(tree: &Path, final_dir: &Path, scratch: &Path) -> io::Result<()> {
    if let Some(parent) = final_dir.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::rename(tree, final_dir) {
        Ok(()) => return Ok(()),
        Err(e) if fs::symlink_metadata(final_dir).is_err() => return Err(e),
        Err(_) => {}
    }
    check_replaceable(final_dir)?;
    let old = scratch.join("replaced");
    fs::rename(final_dir, &old)?;
    if let Err(e) = fs::rename(tree, final_dir) {
        let _ = fs::rename(&old, final_dir);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stale_work_dirs_are_cleaned_and_live_ones_kept() {
        let store = tempfile::tempdir().unwrap();
        let live = work_dir(store.path()).unwrap();
        fs::write(live.path().join("download"), b"partial").unwrap();
        assert!(live.path().join(WORK_LOCK).is_file());
        // What a killed process leaves: the directory and an unlocked lock file.
        let dead = store.path().join(TMP_DIR).join("install-dead");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join(WORK_LOCK), b"").unwrap();
        fs::write(dead.join("download"), b"partial").unwrap();
        // A directory being created (no lock file yet, young): kept.
        let young = store.path().join(TMP_DIR).join("install-young");
        fs::create_dir(&young).unwrap();

        // A tree a killed cleaner had moved aside: deleted too.
        let trash = store.path().join(TMP_DIR).join("trash-old");
        fs::create_dir_all(trash.join("tree")).unwrap();

        let go = AtomicBool::new(false);
        let deleting = clean_stale_work(store.path(), &go).expect("a thread deletes them");
        // Moved aside before the call returns, deleted by the thread.
        assert!(!dead.exists());
        assert!(live.path().is_dir() && young.is_dir());
        deleting.join().unwrap();
        let left: Vec<String> = fs::read_dir(store.path().join(TMP_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TRASH_PREFIX))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!trash.exists());
        let path = live.path().to_owned();
        drop(live);
        assert!(!path.exists());
        assert!(clean_stale_work(Path::new("/nonexistent"), &go).is_none());
    }

    /// An interrupt before the clean touches nothing: the caller is not held up, and
    /// the leftover stays for the next run.
    #[test]
    fn an_interrupted_clean_stops_before_the_next_directory() {
        let store = tempfile::tempdir().unwrap();
        let dead = store.path().join(TMP_DIR).join("install-dead");
        fs::create_dir_all(&dead).unwrap();
        fs::write(dead.join(WORK_LOCK), b"").unwrap();
        let stopped = AtomicBool::new(true);
        assert!(clean_stale_work(store.path(), &stopped).is_none());
        assert!(dead.is_dir());
        assert_eq!(stale_work(store.path()), vec![dead]);
    }

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

    #[test]
    fn a_work_area_lends_one_directory_in_turn_emptied_and_removes_it_at_the_end() {
        let store = tempfile::tempdir().unwrap();
        let area = Arc::new(WorkArea::default());
        let first = work_dir_in(store.path(), Some(&area)).unwrap();
        let path = first.path().to_owned();
        assert!(path.starts_with(store.path().join(TMP_DIR)));
        fs::create_dir_all(path.join("tree/bin")).unwrap();
        fs::write(path.join("tree/bin/tool"), b"x").unwrap();
        fs::write(path.join("download"), b"x").unwrap();
        // Lent, it is locked like any other: no clean takes it.
        assert!(stale_work(store.path()).is_empty());
        // An install within the install borrows another one, removed when dropped.
        let nested = work_dir_in(store.path(), Some(&area)).unwrap();
        assert_ne!(nested.path(), path);
        drop(first);
        let nested_path = nested.path().to_owned();
        drop(nested);
        assert!(!nested_path.exists());
        // Given back emptied but for its lock, still locked, and lent again.
        let names: Vec<_> = fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [WORK_LOCK]);
        assert!(stale_work(store.path()).is_empty());
        let again = work_dir_in(store.path(), Some(&area)).unwrap();
        assert_eq!(again.path(), path);
        drop(again);
        // Another store's install makes its own.
        let other = tempfile::tempdir().unwrap();
        let elsewhere = work_dir_in(other.path(), Some(&area)).unwrap();
        assert!(elsewhere.path().starts_with(other.path()));
        drop(elsewhere);
        // The area's end removes what it kept.
        drop(area);
        assert!(!path.exists());
        let left = fs::read_dir(store.path().join(TMP_DIR)).unwrap().count();
        assert_eq!(left, 0);
    }

    #[test]
    fn work_dirs_are_inside_the_store_and_removed_on_drop() {
        let store = tempfile::tempdir().unwrap();
        let work = work_dir(store.path()).unwrap();
        assert!(work.path().starts_with(store.path().join(TMP_DIR)));
        fs::write(work.path().join("f"), b"x").unwrap();
        let path = work.path().to_owned();
        drop(work);
        assert!(!path.exists());
    }

    #[test]
    fn commit_renames_into_place_and_replaces_an_old_tree() {
        let store = tempfile::tempdir().unwrap();
        let final_dir = store.path().join("rg").join("1-0123456789ab");
        for generation in ["one", "two"] {
            let work = work_dir(store.path()).unwrap();
            let tree = work.path().join("tree");
            fs::create_dir(&tree).unwrap();
            fs::write(tree.join("gen"), generation).unwrap();
            fs::write(tree.join(RECEIPT_FILE), b"{}").unwrap();
            commit(&tree, &final_dir, work.path()).unwrap();
            assert!(!tree.exists());
            assert_eq!(
                fs::read_to_string(final_dir.join("gen")).unwrap(),
                generation
            );
        }
        assert_eq!(fs::read_dir(store.path().join(TMP_DIR)).unwrap().count(), 0);
    }

    #[test]
    fn commit_never_replaces_a_tree_without_a_receipt() {
        let store = tempfile::tempdir().unwrap();
        let final_dir = store.path().join("rg").join("1-0123456789ab");
        fs::create_dir_all(&final_dir).unwrap();
        fs::write(final_dir.join("mine"), b"user data").unwrap();
        let work = work_dir(store.path()).unwrap();
        let tree = work.path().join("tree");
        fs::create_dir(&tree).unwrap();
        fs::write(tree.join(RECEIPT_FILE), b"{}").unwrap();
        let err = commit(&tree, &final_dir, work.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
        assert_eq!(fs::read(final_dir.join("mine")).unwrap(), b"user data");
        // An empty directory holds nothing to lose: it is replaced.
        fs::remove_file(final_dir.join("mine")).unwrap();
        commit(&tree, &final_dir, work.path()).unwrap();
        assert!(final_dir.join(RECEIPT_FILE).is_file());
    }
}
