//! A run's ledger: what one `vx run` has run, shared with the `vx run`s its tasks start,
//! so that a task runs once per run however deep the nesting (mise runs each task once
//! per run; its `run = [{ task = … }]` steps become a nested `"$VX" run`).
//!
//! The outermost run makes a private directory (0700, removed when the run ends) and
//! names it to its tasks' commands in [`LEDGER_VARIABLE`]; a `vx run` started with that
//! variable (a task's command) uses the same directory instead of making one. Each task
//! of a run has an [`Entry`] there, named by a hash of its identity (the project's
//! file, the task's name, the words it was given and its `env`: [`identity`]): a lock
//! file, held by the run
//! that runs it for as long as it runs, and a marker written once it succeeded. A run
//! about to run a task [claims](Entry::claim) it first:
//!
//! - the marker is there: the task already ran in this run ([`Claim::Done`]);
//! - another run holds the lock (the outer run is running it now): wait until it lets
//!   go, then look again (a task that failed or was stopped there runs here);
//! - the task is one whose command started this `vx run`, or started one that started
//!   it ([`CALLERS_VARIABLE`]): it waits for this run to end, so waiting for it would
//!   never end: refused ([`LedgerError::Itself`]).
//!
//! A directory named in the variable that is not this user's private directory (0700,
//! owned by the user, not a link) is not used: the run keeps a ledger of its own.
//! Services are not in the ledger (one runs until its run ends: a nested run would wait
//! for it for ever), nor is what the supervisor found up to date (a nested run finds
//! it up to date as well).

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use vx_model::task::EnvVar;

/// The variable that names the run's ledger directory to its tasks' commands.
pub(crate) const LEDGER_VARIABLE: &str = "VX_RUN_LEDGER";

/// The variable that lists the identities of the tasks (comma-separated) whose
/// commands started this `vx run`, directly or through other `vx run`s.
pub(crate) const CALLERS_VARIABLE: &str = "VX_RUN_CALLERS";

/// How often a claim looks again while another run holds the task.
const POLL: Duration = Duration::from_millis(25);

/// Why a task of the run cannot be claimed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The task started (through its commands) the `vx run` that now wants it.
    #[error(
        "`{task}` is running in this run already, and waits for the `vx run` that needs it \
         (a task that runs itself through `vx run`)"
    )]
    Itself {
        /// The task.
        task: String,
    },
    /// The run was stopped while another run held the task.
    #[error("stopped while waiting for another vx run of this run to run `{task}`")]
    Stopped {
        /// The task.
        task: String,
    },
}

/// One run's ledger directory.
pub struct Ledger {
    /// The directory of the run now ([`Ledger::next_run`] moves it).
    dir: std::sync::Mutex<PathBuf>,
    /// How many runs `--watch` started since the first.
    runs: std::sync::atomic::AtomicU32,
    /// Set when this run made the directory: removed with it.
    owned: Option<tempfile::TempDir>,
    /// The identities of the tasks that started this run ([`CALLERS_VARIABLE`]).
    callers: Vec<String>,
}

impl Ledger {
    /// The ledger of the run this process belongs to: the one named by
    /// [`LEDGER_VARIABLE`] when it is this user's private directory, else a new one
    /// (`None` when none can be made: the run goes on without one).
    pub fn for_run() -> Option<Ledger> {
        let callers = std::env::var(CALLERS_VARIABLE)
            .map(|list| {
                list.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(dir) = std::env::var_os(LEDGER_VARIABLE).map(PathBuf::from)
            && private(&dir)
        {
            return Some(Ledger {
                dir: dir.into(),
                runs: 0.into(),
                owned: None,
                callers,
            });
        }
        let owned = private_dir()?;
        Some(Ledger {
            dir: owned.path().to_owned().into(),
            runs: 0.into(),
            owned: Some(owned),
            callers: Vec::new(),
        })
    }

    /// The directory, as its tasks' commands get it.
    pub(crate) fn dir(&self) -> PathBuf {
        self.dir.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A run again (`--watch`): a fresh directory inside this one, so that nothing
    /// counts as run in it yet (the run goes on in the last one when it cannot be made).
    pub fn next_run(&self) {
        let n = self.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
        let next = match &self.owned {
            Some(root) => root.path().join(format!("run-{n}")),
            None => dir.join(format!("run-{n}")),
        };
        if vx_base::platform::fs::create_private_dir(&next).is_ok() {
            *dir = next;
        }
    }

    /// What [`CALLERS_VARIABLE`] holds for the commands of the task `identity`: this
    /// run's callers and the task.
    pub(crate) fn callers_for(&self, identity: &str) -> OsString {
        let mut list = self.callers.join(",");
        if !list.is_empty() {
            list.push(',');
        }
        list.push_str(identity);
        list.into()
    }

    /// The entry of the task `name` of `identity` ([`identity`]).
    pub(crate) fn entry(&self, name: &str, identity: &str) -> Entry {
        let dir = self.dir();
        Entry {
            task: name.to_owned(),
            lock: dir.join(format!("{identity}.lock")),
            done: dir.join(format!("{identity}.done")),
            caller: self.callers.iter().any(|c| c == identity),
        }
    }
}

/// A task's identity in a run: a hash of the project's file, its name, the words it
/// was given and its own `env` (with what `vx run --task-env` gave it, as a mise
/// dependency's `env`), as mise's is `(name, args, env)`: a run of `setup` with `Z=1`
/// is another than the plain one. The environment the run inherits is not in it, as
/// mise passes a task's variables on to the tasks its `run` steps start after it
/// judged them by their own.
pub(crate) fn identity(manifest: &Path, name: &str, words: &[String], env: &[EnvVar]) -> String {
    let mut hash = Sha256::new();
    hash.update(manifest.as_os_str().as_encoded_bytes());
    hash.update([0]);
    hash.update(name.as_bytes());
    for word in words {
        hash.update([0]);
        hash.update(word.as_bytes());
    }
    let mut env: Vec<&EnvVar> = env.iter().collect();
    env.sort_by(|a, b| a.name.cmp(&b.name));
    for var in env {
        // Apart from the words: a variable is never taken for a word.
        hash.update([1]);
        hash.update(var.name.as_bytes());
        hash.update([u8::from(var.literal)]);
        match &var.value {
            Some(value) => {
                hash.update([b'=']);
                hash.update(value.as_bytes());
            }
            None => hash.update([b'-']),
        }
    }
    hex::encode(&hash.finalize()[..16])
}

/// A new temporary directory only this user can reach (0700).
fn private_dir() -> Option<tempfile::TempDir> {
    vx_base::platform::fs::private_temp_dir("vx-run-").ok()
}

/// Whether `dir` is a directory of this user's that only they can reach (not a link).
fn private(dir: &Path) -> bool {
    vx_base::platform::fs::is_private_dir(dir)
}

/// One task's place in the ledger.
#[derive(Clone, Debug)]
pub struct Entry {
    task: String,
    lock: PathBuf,
    done: PathBuf,
    /// The task is one of the run's callers.
    caller: bool,
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The task already ran to success in this run.
    Done,
    /// It is this run's to run: the lock, held until [`Held::succeeded`] or drop.
    /// `waited`: another run held it first.
    Ours(Held, bool),
    /// The ledger cannot be used (its directory is gone): run it, as without one.
    Unrecorded,
}

/// A task's lock in the ledger, held while it runs.
#[derive(Debug)]
pub struct Held {
    _file: File,
    done: PathBuf,
}

impl Held {
    /// The task succeeded: every run of this run sees it done from now on.
    pub fn succeeded(self) {
        let _ = File::create(&self.done);
    }
}

impl Entry {
    /// Claims the task ([`Claim`]); while another run holds it, `waiting` is called once
    /// and the claim waits, giving up once `stopping` says so.
    pub fn claim(
        &self,
        stopping: &dyn Fn() -> bool,
        waiting: &dyn Fn(),
    ) -> Result<Claim, LedgerError> {
        if self.done.exists() {
            return Ok(Claim::Done);
        }
        if self.caller {
            return Err(LedgerError::Itself {
                task: self.task.clone(),
            });
        }
        let Ok(file) = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
        else {
            return Ok(Claim::Unrecorded);
        };
        let mut waited = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(_)) => return Ok(Claim::Unrecorded),
            }
            if stopping() {
                return Err(LedgerError::Stopped {
                    task: self.task.clone(),
                });
            }
            if !waited {
                waited = true;
                waiting();
            }
            std::thread::sleep(POLL);
        }
        if self.done.exists() {
            return Ok(Claim::Done);
        }
        Ok(Claim::Ours(
            Held {
                _file: file,
                done: self.done.clone(),
            },
            waited,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(dir: &Path, callers: &[&str]) -> Ledger {
        Ledger {
            dir: dir.to_owned().into(),
            runs: 0.into(),
            owned: None,
            callers: callers.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// A task succeeds once per ledger; one that failed (its lock let go without the
    /// marker) is claimed again; a caller cannot be claimed.
    #[test]
    fn a_task_is_claimed_until_it_succeeded() {
        let dir = tempfile::tempdir().unwrap();
        let id = identity(Path::new("/p/vx.toml"), "build", &[], &[]);
        assert_ne!(
            id,
            identity(Path::new("/p/vx.toml"), "build", &["x".into()], &[])
        );
        let outer = ledger(dir.path(), &[]);
        let never = || false;
        let Claim::Ours(held, false) = outer.entry("build", &id).claim(&never, &|| {}).unwrap()
        else {
            panic!("the first claim is ours");
        };
        drop(held);
        let Claim::Ours(held, false) = outer.entry("build", &id).claim(&never, &|| {}).unwrap()
        else {
            panic!("a failed task is claimed again");
        };
        held.succeeded();
        assert!(matches!(
            outer.entry("build", &id).claim(&never, &|| {}).unwrap(),
            Claim::Done
        ));
        let other = identity(Path::new("/p/vx.toml"), "ci", &[], &[]);
        let inner = ledger(dir.path(), &[&other]);
        assert!(matches!(
            inner.entry("ci", &other).claim(&never, &|| {}),
            Err(LedgerError::Itself { .. })
        ));
        assert_eq!(inner.callers_for(&id), format!("{other},{id}").as_str());
    }

    /// A task's identity holds its variables, in any order, apart from its words: a
    /// run of `setup` with `Z=1` is another than the plain one, or one with `Z=2`.
    #[test]
    fn variables_make_another_identity() {
        let var = |name: &str, value: &str| EnvVar {
            name: name.into(),
            value: Some(value.into()),
            line: 0,
            literal: true,
        };
        let manifest = Path::new("/p/mise.toml");
        let plain = identity(manifest, "setup", &[], &[]);
        let z1 = identity(manifest, "setup", &[], &[var("Z", "1")]);
        assert_ne!(plain, z1);
        assert_ne!(z1, identity(manifest, "setup", &[], &[var("Z", "2")]));
        assert_ne!(z1, identity(manifest, "setup", &["Z=1".into()], &[]));
        assert_eq!(
            identity(manifest, "setup", &[], &[var("A", "1"), var("Z", "1")]),
            identity(manifest, "setup", &[], &[var("Z", "1"), var("A", "1")])
        );
    }

    /// A claim waits while another holder has the task, and sees its success.
    #[test]
    fn a_claim_waits_for_the_holder_and_sees_its_success() {
        let dir = tempfile::tempdir().unwrap();
        let id = identity(Path::new("/p/vx.toml"), "build", &[], &[]);
        let outer = ledger(dir.path(), &[]);
        let Claim::Ours(held, _) = outer.entry("build", &id).claim(&|| false, &|| {}).unwrap()
        else {
            panic!("ours");
        };
        let (told, waiting) = crossbeam_channel::bounded(1);
        let entry = outer.entry("build", &id);
        let claimer = std::thread::spawn(move || {
            entry.claim(&|| false, &|| {
                let _ = told.send(());
            })
        });
        waiting.recv().unwrap();
        held.succeeded();
        assert!(matches!(claimer.join().unwrap().unwrap(), Claim::Done));
        // A stopped claim gives up.
        let other = identity(Path::new("/p/vx.toml"), "test", &[], &[]);
        let Claim::Ours(_held, _) = outer
            .entry("test", &other)
            .claim(&|| false, &|| {})
            .unwrap()
        else {
            panic!("ours");
        };
        assert!(matches!(
            outer.entry("test", &other).claim(&|| true, &|| {}),
            Err(LedgerError::Stopped { .. })
        ));
    }

    /// `--watch`'s next run starts a fresh ledger: what ran before runs again.
    #[test]
    fn the_next_run_of_a_watch_has_run_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let outer = ledger(dir.path(), &[]);
        let id = identity(Path::new("/p/vx.toml"), "build", &[], &[]);
        let Claim::Ours(held, _) = outer.entry("build", &id).claim(&|| false, &|| {}).unwrap()
        else {
            panic!("ours");
        };
        held.succeeded();
        outer.next_run();
        assert!(outer.dir().starts_with(dir.path()) && outer.dir() != dir.path());
        assert!(matches!(
            outer.entry("build", &id).claim(&|| false, &|| {}).unwrap(),
            Claim::Ours(..)
        ));
    }

    /// A directory named in the variable that others can reach is not used.
    #[cfg(unix)]
    #[test]
    fn only_a_private_directory_is_a_ledger() {
        use std::os::unix::fs::PermissionsExt;
        let dir = private_dir().unwrap();
        assert!(private(dir.path()));
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(!private(dir.path()));
        assert!(!private(&dir.path().join("missing")));
    }
}
