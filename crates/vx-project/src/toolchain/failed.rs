//! Install failures remembered per project, so that one tool that cannot install does
//! not stop every command: `vx exec`, `vx run` and `vx CMD` try a missing tool once,
//! and while the failure is remembered they run with what is installed instead of
//! downloading it again at every command. A lock that failed (the sync stopped before
//! installing anything) is remembered the same way, so the next commands neither ask
//! the network again nor repeat its reason (an unreachable network is not remembered).
//!
//! A record is kept in the store (beside the activation records) per manifest, stamped
//! with the SHA-256 of `vx.toml` and `vx.lock` as they were after the sync that
//! failed, and each tool's failure with a digest of its source (name, version, URL,
//! sha256). It is forgotten when either file changes (an edit, a `vx lock`), when the
//! tool's source is another, and whenever `vx sync` runs (its own outcome replaces
//! the record: `vx sync` always tries every tool). A record that cannot be read is
//! no record; writing one is best effort.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use vx_model::manifest::LOCK_FILE;
use vx_model::spec::ToolSpec;

/// Where the records live, under the store.
pub(crate) const DIR: &str = ".cache/failed";
/// The largest record read.
const MAX_RECORD_BYTES: u64 = 1 << 20;
/// The largest manifest or lock hashed (the lock's own bound).
const MAX_HASHED_BYTES: u64 = 16 << 20;

/// One tool's remembered failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The version that failed.
    pub version: String,
    /// The digest of what was downloaded ([`source_of`]).
    source: String,
    /// Why it failed, as the install said it, on one line.
    pub reason: String,
}

/// The failures remembered for one manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    manifest: PathBuf,
    manifest_digest: Option<String>,
    lock_digest: Option<String>,
    tools: BTreeMap<String, Failure>,
    /// Why the sync stopped before installing anything (its lock failed), when it
    /// did: while vx.toml and vx.lock are as they were, the same lock fails again,
    /// so commands run with what is installed instead of asking the network anew.
    #[serde(default)]
    stopped: Option<String>,
}

impl Failures {
    /// The failures remembered for `manifest` in `store`, while `vx.toml` and
    /// `vx.lock` are as they were when recorded; none otherwise.
    pub fn load(store: &Path, manifest: &Path) -> Failures {
        let fresh = Failures::none(manifest);
        vx_base::bounded_read::read(&record_path(store, &fresh.manifest), MAX_RECORD_BYTES)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Failures>(&bytes).ok())
            .filter(|record| {
                record.manifest == fresh.manifest
                    && record.manifest_digest.is_some()
                    && record.manifest_digest == fresh.manifest_digest
                    && record.lock_digest == fresh.lock_digest
            })
            .unwrap_or(fresh)
    }

    /// No failure remembered for `manifest`, stamped with its files as they are now:
    /// what `vx sync` starts from (it tries every tool, whatever was remembered).
    pub fn none(manifest: &Path) -> Failures {
        let manifest = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_owned());
        Failures {
            manifest_digest: digest(&manifest),
            lock_digest: digest(&manifest.with_file_name(LOCK_FILE)),
            manifest,
            tools: BTreeMap::new(),
            stopped: None,
        }
    }

    /// Why the sync stopped before installing anything, when that is remembered.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// Records in `store` that the sync stopped before installing anything: `reason`
    /// (its lock's failure), the tools' failures kept as they were.
    pub fn record_stopped(self, store: &Path, reason: &str) {
        let mut record = Failures::none(&self.manifest);
        record.tools = self.tools;
        record.stopped = Some(one_line(reason));
        record.save(store);
    }

    /// The remembered failure of `spec`, when the source that failed is its own.
    pub fn of(&self, spec: &ToolSpec) -> Option<&Failure> {
        self.tools
            .get(&spec.name)
            .filter(|f| f.version == spec.version && f.source == source_of(spec))
    }

    /// The remembered failure of the tool `name` when it has no source yet (a
    /// registry tool the lock does not pin here): while vx.toml and vx.lock are as
    /// they were, it is the same request, resolved the same way.
    pub fn named(&self, name: &str) -> Option<&Failure> {
        self.tools.get(name)
    }

    /// Records in `store` what a sync did: each of `tried` (the specs it installed)
    /// that is in `failed` (`(name, reason)`) is remembered, the others forgotten; the
    /// failures of this record (loaded before the sync) of tools not tried stay. The
    /// record is stamped with `vx.toml` and `vx.lock` as they are now, after the sync.
    pub fn record(self, store: &Path, tried: &[ToolSpec], failed: &[(String, String)]) {
        let mut record = Failures::none(&self.manifest);
        record.tools = self.tools;
        for spec in tried {
            record.tools.remove(&spec.name);
        }
        for (name, reason) in failed {
            if let Some(spec) = tried.iter().find(|s| s.name == *name) {
                record.tools.insert(
                    name.clone(),
                    Failure {
                        version: spec.version.clone(),
                        source: source_of(spec),
                        reason: one_line(reason),
                    },
                );
            }
        }
        record.save(store);
    }

    /// Writes the record into `store` (best effort), or removes it when it holds
    /// nothing.
    fn save(&self, store: &Path) {
        let (record, path) = (self, record_path(store, &self.manifest));
        if record.tools.is_empty() && record.stopped.is_none() {
            let _ = std::fs::remove_file(&path);
            return;
        }
        if let Ok(bytes) = serde_json::to_vec(record)
            && let Some(dir) = path.parent()
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = vx_base::atomic::write(&path, &bytes);
        }
    }
}

/// The digest of what installing `spec` downloads: another URL, checksum or version
/// is another source, tried again.
fn source_of(spec: &ToolSpec) -> String {
    let mut hash = Sha256::new();
    for part in [
        spec.name.as_str(),
        spec.version.as_str(),
        spec.url.as_str(),
        spec.sha256.as_deref().unwrap_or(""),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}

/// A reason on one line (an install's may hold several).
fn one_line(reason: &str) -> String {
    reason.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The SHA-256 of the file at `path`, `None` when it cannot be read.
fn digest(path: &Path) -> Option<String> {
    let bytes = vx_base::bounded_read::read(path, MAX_HASHED_BYTES).ok()?;
    Some(hex::encode(Sha256::digest(bytes)))
}

/// The record of `manifest` (absolute) in `store`: named by the digest of its path.
fn record_path(store: &Path, manifest: &Path) -> PathBuf {
    let name = hex::encode(Sha256::digest(manifest.to_string_lossy().as_bytes()));
    store.join(DIR).join(format!("{}.json", &name[..32]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str) -> ToolSpec {
        ToolSpec::new("python", "3.12.1", url)
    }

    #[test]
    fn a_failure_is_remembered_until_its_source_or_the_project_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let manifest = dir.path().join("vx.toml");
        std::fs::write(&manifest, "[tools]\n").unwrap();
        let python = spec("https://example.org/py.tar.gz");
        let failed = [("python".to_owned(), "HTTP 404\nNot Found".to_owned())];
        let tried = std::slice::from_ref(&python);
        Failures::none(&manifest).record(&store, tried, &failed);
        let record = Failures::load(&store, &manifest);
        assert_eq!(record.of(&python).unwrap().reason, "HTTP 404 Not Found");
        // Another source of the tool: tried again.
        assert!(
            record
                .of(&spec("https://example.org/other.tar.gz"))
                .is_none()
        );
        // Kept while other tools are tried.
        Failures::load(&store, &manifest).record(&store, &[], &[]);
        assert!(Failures::load(&store, &manifest).of(&python).is_some());
        // A lock written, or vx.toml edited: everything is tried again.
        std::fs::write(manifest.with_file_name(LOCK_FILE), "").unwrap();
        assert!(Failures::load(&store, &manifest).of(&python).is_none());
        Failures::none(&manifest).record(&store, tried, &failed);
        assert!(Failures::load(&store, &manifest).of(&python).is_some());
        std::fs::write(&manifest, "[tools]\n# edited\n").unwrap();
        assert!(Failures::load(&store, &manifest).of(&python).is_none());
        // Installed at last: forgotten, and the record goes.
        Failures::none(&manifest).record(&store, tried, &failed);
        Failures::load(&store, &manifest).record(&store, tried, &[]);
        assert!(Failures::load(&store, &manifest).of(&python).is_none());
        let path = record_path(&store, &std::path::absolute(&manifest).unwrap());
        assert!(!path.exists());
    }
}
