//! Task results kept by their inputs: a task that declares `sources` and `outputs` has
//! a key ([`key`]: the SHA-256 of a canonical document of everything that can change
//! its result), and once it succeeded its outputs are kept under that key, on this
//! machine ([`local`]) and, where the project names one, in the team's OCI registry
//! ([`remote`]), signed. A later run with the same key restores the outputs instead of
//! running the task: after `rm -rf` of the outputs, on another branch, in a fresh
//! clone, on a CI runner.
//!
//! Why signed: a registry a pull request's job can push to must not decide what main
//! restores (nx's CVE-2025-36852, "CREEP": first writer wins). A remote result is
//! restored only with a minisign signature, by a key of `[settings] task_cache_keys`,
//! over `{key, manifest digest, project}`; protected CI holds the secret key
//! (`VX_TASK_CACHE_SIGNING_KEY`) and pushes (`vx run --push`), everyone else reads.
//! Results made on this machine are trusted as this machine's own work.
//!
//! [`archive`] packs and unpacks outputs (the install engine's unpacker, so a hostile
//! archive is refused as a hostile download is). [`Results`] is what a run holds: the
//! local area, the remote, the keys it trusts and the signer, if any.

pub mod archive;
pub(crate) mod key;
pub(crate) mod local;
pub(crate) mod log;
pub(crate) mod outputs;
pub(crate) mod prefetch;
pub(crate) mod remote;
pub(crate) mod streams;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::events::{RestoreProgress, RestoreStage};
use vx_model::manifest::environment::TaskCacheSettings;
use vx_model::manifest::network::ProjectNet;
use vx_model::user_config::UserConfig;
use vx_net::verify::minisign::{Key, SecretKey};
use vx_sources::mirror::oci::OciError;

pub use key::{Document, Recipe, ToolPin};
use streams::Log;

/// The variable naming the remote when neither vx.toml nor the user config does.
pub(crate) const REMOTE_ENV: &str = vx_model::manifest::environment::TASK_CACHE_ENV;
/// The variable that asks a run to push what it made (`1`), as `--push` does.
pub(crate) const PUSH_ENV: &str = "VX_TASK_CACHE_PUSH";
/// The variable bounding a fetch from the registry, in seconds (default 120).
pub(crate) const TIMEOUT_ENV: &str = "VX_TASK_CACHE_TIMEOUT";
/// The variable naming the minisign secret key file results are signed with.
pub(crate) const SIGNING_KEY_ENV: &str = "VX_TASK_CACHE_SIGNING_KEY";

/// Why a result could not be kept, fetched or restored.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A file of the cache or the project.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The registry did not answer as it should.
    #[error("{0}")]
    Remote(String),
    /// A result that is not to be believed or not to be unpacked.
    #[error("{0}")]
    Refused(String),
}

impl From<OciError> for CacheError {
    fn from(e: OciError) -> CacheError {
        CacheError::Remote(e.to_string())
    }
}

/// A kept log that cannot be read refuses its result (it is not restored).
impl From<streams::LogError> for CacheError {
    fn from(e: streams::LogError) -> CacheError {
        CacheError::Refused(format!("its log: {e}"))
    }
}

/// Where a restored result came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// This machine's cache.
    Local,
    /// The team's registry.
    Remote,
}

/// A restore that happened.
#[derive(Clone, Debug)]
pub(crate) struct Restored {
    /// From where.
    pub source: Source,
    /// The task's log as it was kept: each chunk with its stream, in order.
    pub log: Log,
    /// How long it took.
    pub elapsed: Duration,
    /// The entry of this machine's cache it came from (a local hit).
    pub entry: Option<local::Entry>,
}

/// What a lookup found.
pub(crate) enum Lookup {
    /// Restored.
    Hit(Restored),
    /// Nothing to restore; each line says why a result that was there was not used.
    Miss(Vec<String>),
}

/// The results of one run: where they are kept and who is believed.
pub struct Results {
    /// This machine's area, when vx has a cache directory.
    pub local: Option<local::Local>,
    /// The team's registry, when one is named.
    pub remote: Option<remote::Remote>,
    /// The keys whose signatures make a remote result believed.
    pub trusted: Vec<Key>,
    /// The key results are signed with before they are pushed (`--push`).
    pub signer: Option<SecretKey>,
    /// Whether a run pushes what it made.
    pub push: bool,
    /// The results being fetched ahead of their tasks ([`prefetch`]).
    pub prefetch: prefetch::Prefetch,
}

impl Results {
    /// Restores `key`'s outputs into `project`: from this machine's cache, else from
    /// the registry (kept here too once it was believed). `outputs` are the task's
    /// `outputs` globs (its key's): each archive holds one root, and a member its
    /// root's glob does not name refuses the whole result.
    ///
    /// `progress` hears the bytes as they come (fetched from the registry, then
    /// unpacked), for the board.
    pub(crate) fn restore(
        &self,
        key: &str,
        project: &Path,
        outputs: &[String],
        progress: &dyn Fn(RestoreProgress),
    ) -> Lookup {
        let started = Instant::now();
        let mut said = Vec::new();
        // Fetched ahead (or being fetched): its end is this restore's answer from the
        // registry.
        let ahead = self.prefetch.wait(key);
        if let Some(local) = &self.local
            && let Some(entry) = local.get(key)
        {
            let fetched = ahead == Some(prefetch::Fetched::Kept);
            // The log first: one that cannot be read refuses the result before any
            // output is written.
            let unpacked = entry.log().and_then(|log| {
                unpack_all(&entry.outputs(), outputs, project, progress).map(|_| log)
            });
            match unpacked {
                Ok(log) => {
                    return Lookup::Hit(Restored {
                        source: if fetched {
                            Source::Remote
                        } else {
                            Source::Local
                        },
                        log,
                        elapsed: started.elapsed(),
                        entry: (!fetched).then_some(entry),
                    });
                }
                Err(e) => {
                    said.push(format!(
                        "the result kept here ({}) was not restored: {e}",
                        entry.origin()
                    ));
                    // Refused once, refused for good: the run's own result takes its place.
                    local.remove(key);
                    if fetched {
                        return Lookup::Miss(said);
                    }
                }
            }
        }
        match ahead {
            Some(prefetch::Fetched::Absent) => return Lookup::Miss(said),
            Some(prefetch::Fetched::Failed(line)) => {
                said.push(line);
                return Lookup::Miss(said);
            }
            // Kept and gone since (evicted), or never fetched ahead: fetched now.
            Some(prefetch::Fetched::Kept | prefetch::Fetched::Here) | None => {}
        }
        let (Some(remote), Some(local)) = (&self.remote, &self.local) else {
            return Lookup::Miss(said);
        };
        let scratch = match local.scratch() {
            Ok(scratch) => scratch,
            Err(e) => {
                said.push(e.to_string());
                return Lookup::Miss(said);
            }
        };
        let fetched = |done, total| {
            progress(RestoreProgress {
                stage: RestoreStage::Fetching,
                done,
                total,
            });
        };
        match remote.fetch(key, &self.trusted, scratch.path(), &fetched) {
            Ok(remote::Found::Absent) => Lookup::Miss(said),
            Ok(remote::Found::Hit { document, log, .. }) => {
                let roots = archive::roots_in(scratch.path());
                match unpack_all(&roots, outputs, project, progress) {
                    Ok(_) => {
                        // Believed: kept here for the next run, saying where it came from.
                        let origin = local::Origin::Registry(remote.label().to_owned());
                        let _ = local.put(key, &document, scratch.path(), &log, &origin);
                        Lookup::Hit(Restored {
                            source: Source::Remote,
                            log,
                            elapsed: started.elapsed(),
                            entry: None,
                        })
                    }
                    Err(e) => {
                        said.push(format!("{}'s result refused: {e}", remote.label()));
                        Lookup::Miss(said)
                    }
                }
            }
            Err(CacheError::Refused(why)) => {
                said.push(format!("{}'s result refused: {why}", remote.label()));
                Lookup::Miss(said)
            }
            Err(e) => {
                said.push(format!("{} not read: {e}", remote.label()));
                Lookup::Miss(said)
            }
        }
    }

    /// Fetches `key`'s result from the registry into this machine's cache, for
    /// [`prefetch`]: kept, absent, or the line a miss says.
    fn fetch_ahead(&self, key: &str) -> prefetch::Fetched {
        use prefetch::Fetched;
        let (Some(remote), Some(local)) = (&self.remote, &self.local) else {
            return Fetched::Absent;
        };
        if local.get(key).is_some() {
            return Fetched::Here;
        }
        let scratch = match local.scratch() {
            Ok(scratch) => scratch,
            Err(e) => return Fetched::Failed(e.to_string()),
        };
        let label = remote.label().to_owned();
        match remote.fetch(key, &self.trusted, scratch.path(), &|_, _| {}) {
            Ok(remote::Found::Absent) => Fetched::Absent,
            Ok(remote::Found::Hit { document, log, .. }) => {
                let origin = local::Origin::Registry(label.clone());
                match local.put(key, &document, scratch.path(), &log, &origin) {
                    Ok(_) => Fetched::Kept,
                    Err(e) => Fetched::Failed(format!("{label}'s result not kept here: {e}")),
                }
            }
            Err(CacheError::Refused(why)) => {
                Fetched::Failed(format!("{label}'s result refused: {why}"))
            }
            Err(e) => Fetched::Failed(format!("{label} not read: {e}")),
        }
    }

    /// What `--push` says of a result restored from this machine's `entry`: it is not
    /// pushed. Only the run that made a result signs it (issue 78): an entry of this
    /// machine's cache may have been written by another job on the same runner (a pull
    /// request's, planting a public key with its own outputs), and signing it would
    /// hand that job's files to every reader of the registry. `--force` runs the task
    /// and pushes what it makes. Nothing is said without `--push`, or when the result
    /// came from the registry (signed there already).
    pub(crate) fn not_pushed(&self, restored: &Restored) -> Option<String> {
        let entry = restored.entry.as_ref().filter(|_| self.push)?;
        Some(format!(
            "not pushed: it was restored from this machine's cache ({}), and only the run \
             that makes a result signs it (`--force` runs it)",
            entry.origin()
        ))
    }

    /// Why a run asked to push cannot, if it cannot.
    fn cannot_push(&self) -> Option<String> {
        match (&self.remote, &self.signer) {
            (None, _) => Some(format!(
                "not pushed: no registry is named ([settings] task_cache, {REMOTE_ENV})"
            )),
            (Some(_), None) => Some(format!(
                "not pushed: {SIGNING_KEY_ENV} names no key to sign it with"
            )),
            (Some(_), Some(_)) => None,
        }
    }

    /// Keeps the result of `key` (the task `task` just succeeded): its outputs as
    /// matched now, its `document` and `log`; pushes it, signed, when asked. What
    /// there is to say about it, in short clauses.
    pub(crate) fn save(
        &self,
        key: &str,
        task: &str,
        document: &Document,
        project: &Path,
        outputs: &[String],
        log: &Log,
    ) -> Vec<String> {
        let mut said = Vec::new();
        let Some(local) = &self.local else {
            return said;
        };
        let canonical = document.canonical();
        let scratch = match local.scratch() {
            Ok(scratch) => scratch,
            Err(e) => return vec![format!("not kept: {e}")],
        };
        // A task with `sources` and no `outputs` (a test, a lint; or only `!glob`s,
        // which name no root) is kept as its log and status alone (issue 75), and
        // restored by replaying the log.
        let log_only = outputs::Outputs::of(outputs).roots.is_empty();
        if !log_only {
            match archive::pack_roots(project, outputs, scratch.path()) {
                // No output file: the task is not up to date either (every `outputs`
                // glob must match one), so it runs again, as mise runs it; said, as
                // turbo warns of it, since a mistyped glob would keep only the log.
                Ok(packed) if packed.files == 0 => {
                    return vec![format!(
                        "not kept: its outputs ({}) matched no file",
                        outputs.join(", ")
                    )];
                }
                Ok(_) => {}
                Err(e) => return vec![format!("not kept: {e}")],
            }
        }
        let entry = match local.put(key, &canonical, scratch.path(), log, &local::Origin::Run) {
            Ok(entry) => entry,
            Err(e) => return vec![format!("not kept: {e}")],
        };
        said.push(match log_only {
            true => format!("kept (log only, key {})", short(key)),
            false => format!("kept (key {})", short(key)),
        });
        if !self.push {
            return said;
        }
        let (Some(remote), Some(signer)) = (&self.remote, &self.signer) else {
            said.extend(self.cannot_push());
            return said;
        };
        said.push(upload(
            remote, signer, key, task, &canonical, &entry, outputs,
        ));
        said
    }
}

/// Pushes the result `key` of `task` kept in `entry` (its key's `document`, its
/// `outputs` globs) to `remote`, signed by `signer`: what happened, in a clause.
fn upload(
    remote: &remote::Remote,
    signer: &SecretKey,
    key: &str,
    task: &str,
    document: &[u8],
    entry: &local::Entry,
    outputs: &[String],
) -> String {
    let log = match entry.log() {
        Ok(log) => log,
        Err(e) => return format!("not pushed to {}: {e}", remote.label()),
    };
    let upload = remote::Upload {
        key,
        task,
        document,
        archives: &entry.outputs(),
        outputs,
        log: &log,
    };
    match remote.push(&upload, signer) {
        Ok(()) => format!("pushed to {}", remote.label()),
        Err(e) => format!("not pushed to {}: {e}", remote.label()),
    }
}

/// A run's results as the project, the environment and the command line set them
/// up: [`REMOTE_ENV`] over `[settings] task_cache` over the user config's
/// `task_cache` (`user`, read once by the caller's session, whose network settings
/// the remote is reached through too); `push` (`--push`) or
/// [`PUSH_ENV`]; the signer from [`SIGNING_KEY_ENV`]. What cannot be used (a bad
/// remote, an unreadable key) is said in the lines returned, and left out.
pub fn open(
    settings: &TaskCacheSettings,
    network: &ProjectNet,
    user: &UserConfig,
    push: bool,
) -> (Results, Vec<String>) {
    let mut said = Vec::new();
    let local = local::Local::in_cache_dir(settings.size);
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let trusted = settings
        .keys
        .iter()
        .filter_map(|k| Key::parse(k).ok())
        .collect();
    let push = push || env(PUSH_ENV).is_some_and(|v| v != "0");
    // The environment, then the project, then the user's config.
    let remote = match env(REMOTE_ENV)
        .or_else(|| settings.remote.clone())
        .or_else(|| user.task_cache.clone())
    {
        None => None,
        Some(text) => match remote_of(&text, network, user, push) {
            Ok(remote) => Some(remote),
            Err(why) => {
                // Whatever the reason quotes of the URL, never its credentials.
                let why = why.replace(&text, &vx_base::validate::hide_userinfo(&text));
                said.push(format!(
                    "vx: the task cache {why}: results stay on this machine"
                ));
                None
            }
        },
    };
    let signer = match env(SIGNING_KEY_ENV) {
        None => None,
        Some(path) => {
            match vx_base::bounded_read::read(Path::new(&path), 64 << 10)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    SecretKey::parse(&String::from_utf8_lossy(&bytes)).map_err(|e| e.to_string())
                }) {
                Ok(key) => Some(key),
                Err(why) => {
                    said.push(format!("vx: {SIGNING_KEY_ENV}: {why}: nothing is pushed"));
                    None
                }
            }
        }
    };
    (
        Results {
            local,
            remote,
            trusted,
            signer,
            push,
            prefetch: prefetch::Prefetch::default(),
        },
        said,
    )
}

/// The remote `text` names, through the project's and the user's network settings
/// (asking to push too when `push`).
fn remote_of(
    text: &str,
    network: &ProjectNet,
    user: &UserConfig,
    push: bool,
) -> Result<remote::Remote, String> {
    let vx_sources::mirror::Source::Oci(target) =
        vx_sources::mirror::Source::parse(text).map_err(|e| e.to_string())?
    else {
        return Err(format!(
            "{} is not an oci://HOST/REPO",
            vx_text::sanitize(&vx_base::validate::shorten(
                &vx_base::validate::hide_userinfo(text)
            ))
        ));
    };
    let deadline = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|secs| secs.trim().parse::<u64>().ok())
        .map_or(remote::DEFAULT_DEADLINE, |secs| {
            Duration::from_secs(secs).min(remote::MAX_DEADLINE)
        });
    // A registry that is down or slow costs at most the deadline: 5 s to connect, a
    // read or a whole answer within it.
    let timeouts = vx_net::Timeouts {
        connect: Duration::from_secs(5).min(deadline),
        read: Duration::from_secs(20).min(deadline),
        answer: deadline,
    };
    let net = vx_sources::settings::network::merged(network, user).map_err(|e| e.to_string())?;
    let client = vx_net::Client::new(std::sync::Arc::new(net), timeouts);
    let registry =
        vx_sources::mirror::oci::Registry::new(client, target, push).map_err(|e| e.to_string())?;
    Ok(remote::Remote::new(registry, deadline))
}

/// Unpacks each of `archives` into `project`, the archive at index `i` the root of
/// `outputs[i]`: the files restored, in all. `progress` hears the archives' bytes read,
/// of their sizes in all. More archives than globs: refused, nothing written.
fn unpack_all(
    archives: &[PathBuf],
    outputs: &[String],
    project: &Path,
    progress: &dyn Fn(RestoreProgress),
) -> Result<u64, CacheError> {
    let outputs = outputs::Outputs::of(outputs);
    if archives.len() > outputs.roots.len() {
        return Err(CacheError::Refused(format!(
            "it holds {} output roots where the task names {}",
            archives.len(),
            outputs.roots.len()
        )));
    }
    let sizes: Vec<u64> = archives
        .iter()
        .map(|a| std::fs::metadata(a).map_or(0, |m| m.len()))
        .collect();
    let total = sizes.iter().sum();
    let mut files = 0;
    let mut before = 0;
    progress(RestoreProgress {
        stage: RestoreStage::Unpacking,
        done: 0,
        total,
    });
    for ((archive, size), glob) in archives.iter().zip(sizes).zip(&outputs.roots) {
        let report = |done: u64| {
            progress(RestoreProgress {
                stage: RestoreStage::Unpacking,
                done: (before + done).min(total),
                total,
            });
        };
        files += archive::unpack(archive, &outputs, glob, project, &report)?;
        before += size;
    }
    Ok(files)
}

/// Where the last key document of task `task` of the project at `project` is kept
/// (`$XDG_DATA_HOME/vx/state/keys/<project>/<task>.json`), to name what changed when
/// a key misses.
fn last_document_path(project: &Path, task: &str) -> Option<PathBuf> {
    let file = format!("{}.json", task.replace([':', '/', '\\'], "_"));
    Some(super::state::project_dir("keys", project)?.join(file))
}

/// The document of `task`'s last key in the project at `project`, if one was kept.
pub(crate) fn last_document(project: &Path, task: &str) -> Option<Document> {
    let path = last_document_path(project, task)?;
    let bytes = vx_base::bounded_read::read(&path, 16 << 20).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps `document` as `task`'s last key document in the project at `project`: a
/// hint for the next miss's message, so written without waiting for the disk, and
/// not at all when it is the one kept already (a run of hits writes nothing).
pub(crate) fn remember(project: &Path, task: &str, document: &Document) {
    let Some(path) = last_document_path(project, task) else {
        return;
    };
    let canonical = document.canonical();
    if std::fs::read(&path).is_ok_and(|kept| kept == canonical) {
        return;
    }
    let Some(dir) = path.parent() else { return };
    let _ = std::fs::create_dir_all(dir);
    if let Ok(mut scratch) = tempfile::NamedTempFile::new_in(dir) {
        use std::io::Write;
        if scratch.write_all(&canonical).is_ok() {
            let _ = scratch.persist(&path);
        }
    }
}

/// What a miss of `document`'s key says: the first input that differs from `task`'s
/// last key (`miss: source src/a.c changed since key 3f2a…`), when one is known.
pub(crate) fn miss_reason(project: &Path, task: &str, document: &Document) -> Option<String> {
    let last = last_document(project, task)?;
    let what = document.first_difference(&last)?;
    Some(format!(
        "miss: {what} changed since key {}",
        short(&last.key())
    ))
}

/// The first characters of a key, as lines show it (`3f2a9c1e…`).
pub(crate) fn short(key: &str) -> String {
    format!("{}…", &key[..key.len().min(8)])
}
