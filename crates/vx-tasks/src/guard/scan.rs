//! The scan for what a task left outside its process group where the guard cannot be a
//! subreaper (macOS, the BSDs): one look at every process of this user, with its parent
//! and whose task it is by the [`MARK`](super::tree::MARK) in its environment.
//!
//! On Linux a task's orphan is re-parented to the guard (a child subreaper), and `/proc`
//! lists the guard's children ([`tree`]). Elsewhere an orphan goes to `launchd` or
//! `init`, out of the guard's tree, and only the mark it inherited still says it is the
//! run's: a grandchild that called `setsid` and whose parent exited is found by its
//! mark alone. Every process is read as a `Seen` (its parent, owner, state, start and
//! environment): on macOS by `vx_shm::procs` (`proc_pidinfo` for its parent, owner and
//! state, `sysctl` `KERN_PROCARGS2` for the environment it was exec'd with: libSystem's
//! calls only, as the crate below links frameworks that cannot be linked without Apple's
//! SDK), elsewhere by the `sysinfo` crate (`/proc` on Linux). What is made of them
//! (`Scan::look_at`) is one function for both. The guard runs this same scan on Linux
//! when asked (`vx task-guard --scan`): that is how the tests exercise it; on macOS only
//! the reading differs, its parsing unit-tested in `vx_shm::procs`.
//!
//! A look costs a read of every process on the machine; the guard takes one when a task
//! ends or is signalled, not per tick of a running task.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::time::{SystemTime, UNIX_EPOCH};

use super::tree::{self, Mark};

/// The scan for one guard's marks.
pub(crate) struct Scan {
    /// `GUARD-PID.`: how every mark this guard gives begins.
    prefix: String,
    /// This user (real user id): another user's process is not the run's to stop.
    uid: u32,
    /// About when the guard started (seconds since the epoch, as the crate gives start
    /// times, a second early): an environment that reads empty counts only in a process
    /// started since (see [`Mark::Empty`]).
    since: u64,
}

/// One look at the processes.
#[derive(Debug, Default)]
pub(crate) struct Look {
    /// Every live process's children, by parent.
    children: BTreeMap<u32, Vec<u32>>,
    /// This user's live processes whose environment holds one of this guard's marks
    /// ([`Mark::Is`]), or reads empty ([`Mark::Empty`]: in the middle of `execve`, or
    /// started with no environment, which a second look settles), by process id.
    pub marks: Vec<(u32, Mark)>,
}

impl Scan {
    /// The scan for the marks of the guard `guard` (its process id), started about now.
    pub(crate) fn new(guard: u32) -> Scan {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Scan {
            prefix: format!("{guard}."),
            uid: rustix::process::getuid().as_raw(),
            since: now.saturating_sub(1),
        }
    }

    /// One look at every process.
    pub(crate) fn look(&self) -> Look {
        self.look_at(read_processes())
    }

    /// What `processes` say: who is whose child, and which of this user's carry one of
    /// this guard's marks.
    fn look_at(&self, processes: Vec<Seen>) -> Look {
        let mut look = Look::default();
        let key = format!("{}=", tree::MARK);
        for process in processes {
            if process.gone {
                continue;
            }
            let pid = process.pid;
            if let Some(parent) = process.parent {
                look.children.entry(parent).or_default().push(pid);
            }
            if process.uid != Some(self.uid) {
                continue;
            }
            if process.environ.is_empty() {
                if process.start_time >= self.since {
                    look.marks.push((pid, Mark::Empty));
                }
                continue;
            }
            let mark = process
                .environ
                .iter()
                .find_map(|entry| entry.as_bytes().strip_prefix(key.as_bytes()));
            if let Some(mark) = mark
                && mark.starts_with(self.prefix.as_bytes())
            {
                look.marks
                    .push((pid, Mark::Is(String::from_utf8_lossy(mark).into_owned())));
            }
        }
        for children in look.children.values_mut() {
            children.sort_unstable();
        }
        look.marks.sort_unstable_by_key(|(pid, _)| *pid);
        look
    }
}

/// One process as a look sees it, whichever way the platform read it.
struct Seen {
    pid: u32,
    parent: Option<u32>,
    /// Its real user id, if the system said.
    uid: Option<u32>,
    /// Seconds since the epoch.
    start_time: u64,
    /// A zombie, or dead: not counted.
    gone: bool,
    /// The environment it was exec'd with (`NAME=value`), empty if unreadable.
    environ: Vec<OsString>,
}

/// Every process, by `sysinfo` (`/proc` on Linux).
#[cfg(not(target_os = "macos"))]
fn read_processes() -> Vec<Seen> {
    use sysinfo::{ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System, UpdateKind};
    let mut system = System::new();
    system.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing()
            .without_tasks()
            .with_user(UpdateKind::Always)
            .with_environ(UpdateKind::Always),
    );
    system
        .processes()
        .iter()
        .map(|(pid, process)| Seen {
            pid: pid.as_u32(),
            parent: process.parent().map(|parent| parent.as_u32()),
            uid: process.user_id().map(|uid| **uid),
            start_time: process.start_time(),
            gone: matches!(
                process.status(),
                ProcessStatus::Zombie | ProcessStatus::Dead
            ),
            environ: process.environ().to_vec(),
        })
        .collect()
}

/// Every process, by `vx_shm::procs` (libSystem's `proc_pidinfo` and `sysctl`). A
/// listing that fails reads as no process: the guard then finds nothing left to stop,
/// as it would if every task had ended cleanly.
#[cfg(target_os = "macos")]
fn read_processes() -> Vec<Seen> {
    vx_shm::procs::processes()
        .unwrap_or_default()
        .into_iter()
        .map(|process| Seen {
            pid: process.pid,
            parent: (process.parent != 0).then_some(process.parent),
            uid: Some(process.uid),
            start_time: process.start_secs,
            gone: process.zombie,
            environ: process.environ,
        })
        .collect()
}

impl Look {
    /// Every live descendant of `roots` (the roots themselves left out).
    pub(crate) fn descendants(&self, roots: &[u32]) -> Vec<u32> {
        tree::descendants_in(&self.children, roots)
    }

    /// The processes that carry `mark`.
    pub(crate) fn marked(&self, mark: &str) -> Vec<u32> {
        self.marks
            .iter()
            .filter(|(_, m)| matches!(m, Mark::Is(value) if value == mark))
            .map(|(pid, _)| *pid)
            .collect()
    }

    /// The processes that carry any of the guard's marks.
    pub(crate) fn any_marked(&self) -> Vec<u32> {
        self.marks
            .iter()
            .filter(|(_, m)| matches!(m, Mark::Is(_)))
            .map(|(pid, _)| *pid)
            .collect()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::Command;
    use std::time::{Duration, Instant};

    /// A child with a guard's mark and the grandchild it started in a session of its own
    /// (`setsid`) before exiting: the grandchild, re-parented away from this process
    /// (to init, or whichever subreaper is above), is found by its mark alone; a mark of
    /// another guard is not this guard's.
    #[test]
    fn finds_a_detached_grandchild_by_its_mark_alone() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        let me = std::process::id();
        let ours = format!("{me}.7");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("(setsid sh -c 'echo $$ > \"$1\"; exec sleep 30' sh \"$1\" &)")
            .arg("sh")
            .arg(&pidfile)
            .env(tree::MARK, &ours)
            .spawn()
            .unwrap();
        let mut other = Command::new("sleep")
            .arg("30")
            .env(tree::MARK, format!("{}.7", me + 1))
            .spawn()
            .unwrap();
        let scan = Scan::new(me);
        let began = Instant::now();
        let grandchild: u32 = loop {
            if let Ok(text) = std::fs::read_to_string(&pidfile)
                && let Ok(pid) = text.trim().parse()
            {
                break pid;
            }
            assert!(began.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(10));
        };
        // The grandchild's parent (a subshell) has exited, and so has the child.
        child.wait().unwrap();
        let look = loop {
            let look = scan.look();
            // `exec sleep` may still be under way (its environment read empty).
            if look.marked(&ours).contains(&grandchild) {
                break look;
            }
            assert!(
                began.elapsed() < Duration::from_secs(30),
                "{grandchild} not found: {look:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(look.marked(&ours), vec![grandchild]);
        assert!(!look.descendants(&[me]).contains(&grandchild), "detached");
        assert!(look.descendants(&[me]).contains(&other.id()), "a child");
        assert!(
            !look.any_marked().contains(&other.id()),
            "another guard's mark is not ours"
        );
        let pid = rustix::process::Pid::from_raw(grandchild as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
        other.kill().unwrap();
        other.wait().unwrap();
    }
}
