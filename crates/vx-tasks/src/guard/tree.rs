//! The processes the guard answers for, found through `/proc` (Linux): a process's
//! children, a whole subtree, and which task a detached process belongs to.
//!
//! Children come from `/proc/PID/task/TID/children` (one small file a thread) where the
//! kernel offers it, else from one pass over every `/proc/PID/stat`. Where there is no
//! `/proc` (macOS, the BSDs) every answer here is empty: there the guard finds a task's
//! processes with [`scan`](super::scan) instead.
//!
//! A process that leaves its task's group (`setsid`, a daemonizing server) and loses its
//! parent is re-parented to the guard (a subreaper), which then cannot tell from the tree
//! which task started it. So the guard starts every task with [`MARK`] in its
//! environment, a value of its own per task; a re-parented process is the task's whose
//! value its environment holds (a process that empties its environment is not
//! attributed, and is stopped with the run).

use std::collections::{BTreeMap, BTreeSet};

/// The environment variable that tells which of the guard's tasks a process belongs to:
/// `GUARD-PID.ID`.
pub(crate) const MARK: &str = "VX_TASK_GUARD_ID";

/// How children are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lister {
    /// `/proc/PID/task/TID/children`.
    ChildrenFiles,
    /// A pass over `/proc/*/stat`.
    Scan,
    /// No `/proc`.
    None,
}

impl Lister {
    /// What this system offers.
    pub(crate) fn detect() -> Lister {
        let me = std::process::id();
        if std::path::Path::new(&format!("/proc/{me}/task/{me}/children")).exists() {
            Lister::ChildrenFiles
        } else if std::path::Path::new("/proc/self/stat").exists() {
            Lister::Scan
        } else {
            Lister::None
        }
    }

    /// The live children of `pid`.
    pub(crate) fn children(self, pid: u32) -> Vec<u32> {
        match self {
            Lister::ChildrenFiles => children_from_files(pid),
            Lister::Scan => scan().remove(&pid).unwrap_or_default(),
            Lister::None => Vec::new(),
        }
    }

    /// Every live descendant of `roots` (the roots themselves left out).
    pub(crate) fn descendants(self, roots: &[u32]) -> Vec<u32> {
        match self {
            Lister::Scan => descendants_in(&scan(), roots),
            _ => descendants_by(roots, |pid| self.children(pid)),
        }
    }
}

/// Every descendant of `roots` in a map of children by parent (the roots left out).
pub(crate) fn descendants_in(children: &BTreeMap<u32, Vec<u32>>, roots: &[u32]) -> Vec<u32> {
    descendants_by(roots, |pid| children.get(&pid).cloned().unwrap_or_default())
}

/// Every descendant of `roots`, each process's children from `children_of`.
fn descendants_by(roots: &[u32], mut children_of: impl FnMut(u32) -> Vec<u32>) -> Vec<u32> {
    let mut out = BTreeSet::new();
    let mut todo: Vec<u32> = roots.to_vec();
    while let Some(pid) = todo.pop() {
        for child in children_of(pid) {
            if out.insert(child) {
                todo.push(child);
            }
        }
    }
    out.into_iter().collect()
}

/// Children from `/proc/PID/task/*/children`, zombies left out.
fn children_from_files(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for thread in threads.flatten() {
        let Ok(list) = std::fs::read_to_string(thread.path().join("children")) else {
            continue;
        };
        out.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok())
                .filter(|&p| !is_zombie(p)),
        );
    }
    out
}

/// Whether `pid` is a zombie (or gone).
fn is_zombie(pid: u32) -> bool {
    match stat(pid) {
        Some((state, _)) => state == 'Z' || state == 'X',
        None => true,
    }
}

/// A process's state letter and parent, from `/proc/PID/stat`.
fn stat(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold anything, so read after its `)`.
    let after = &stat[stat.rfind(')')? + 1..];
    let mut fields = after.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Every live process's children, by parent, from one pass over `/proc`.
fn scan() -> BTreeMap<u32, Vec<u32>> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return children;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some((state, ppid)) = stat(pid)
            && state != 'Z'
            && state != 'X'
        {
            children.entry(ppid).or_default().push(pid);
        }
    }
    children
}

/// What a process's environment says about which task it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// It holds `MARK=value`: this value.
    Is(String),
    /// It holds no mark, is gone, or is not ours to read.
    Absent,
    /// It was started with an empty environment, as far as one look tells: the kernel
    /// also shows an environment as empty for the moment `execve` spends filling it in,
    /// so only a second look, later, settles it.
    Empty,
    /// It cannot say now: it is in the middle of `execve`, or exiting (its memory gone,
    /// its files not yet closed). Look again.
    Unsure,
}

/// Which task `pid` belongs to, from its environment (as it was exec'd).
///
/// A process in the middle of `execve` is not "not ours", though it reads so: from the
/// switch to the new image until the kernel has laid out its environment,
/// `/proc/PID/environ` reads empty; and a read begun on the old image ends where that
/// image goes away, cut short (`std::fs::read` reads in several calls). Taken as
/// unmarked, a detached process that was exec'ing (`setsid sleep`, a daemon starting
/// its server) when its task ended was not stopped, and the task's end was reported
/// while it still held the task's output: the run waited for that output for ever. So
/// an environment without the mark counts only when it is whole: exactly as long as the
/// kernel says the process's environment is (`/proc/PID/stat`), read after it.
pub(crate) fn mark(pid: u32) -> Mark {
    use std::io::Read;
    // Room for a usual environment at once: one read, one image, most of the time.
    let mut environ = Vec::with_capacity(64 * 1024);
    let read = std::fs::File::open(format!("/proc/{pid}/environ"))
        .and_then(|mut file| file.read_to_end(&mut environ));
    if read.is_err() {
        return Mark::Absent;
    }
    match mark_in(&environ) {
        Some(value) => Mark::Is(value),
        None => without_mark(environ.len(), env_range(pid)),
    }
}

/// The mark's value in an environment block (`KEY=VALUE` entries, each ending in a
/// NUL), if it holds one; an entry cut short (no NUL after it) does not count.
pub(crate) fn mark_in(environ: &[u8]) -> Option<String> {
    let key = format!("{MARK}=");
    let whole = &environ[..environ.iter().rposition(|&b| b == 0)?];
    whole
        .split(|&b| b == 0)
        .find_map(|entry| entry.strip_prefix(key.as_bytes()))
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

/// What a read of `len` bytes without the mark means, from where the process's
/// memory holds its environment (`env_start`, `env_end`: `/proc/PID/stat`'s fields 50
/// and 51), asked after the read, if the process is still there to ask.
pub(crate) fn without_mark(len: usize, range: Option<(u64, u64)>) -> Mark {
    match range {
        // Gone (or a zombie): nothing of it is left to stop.
        None => Mark::Absent,
        // No environment laid out: in the middle of `execve`, or exiting.
        Some((_, 0)) => Mark::Unsure,
        // The whole of it was read.
        Some((start, end)) if end.checked_sub(start) == Some(len as u64) => {
            if len == 0 {
                Mark::Empty
            } else {
                Mark::Absent
            }
        }
        // Part of it, or another image's: the read raced an `execve`.
        Some(_) => Mark::Unsure,
    }
}

/// `pid`'s `env_start` and `env_end`, while it is alive and not a zombie.
fn env_range(pid: u32) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state …`: comm may hold anything, so count fields after its `)`;
    // the state is field 3, `env_start` field 50.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    let mut fields = fields.skip(50 - 4);
    let start = fields.next()?.parse().ok()?;
    let end = fields.next()?.parse().ok()?;
    Some((start, end))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn finds_a_child_and_its_mark() {
        let mut child = Command::new("sleep")
            .arg("30")
            .env(MARK, "1.2")
            .spawn()
            .unwrap();
        let pid = child.id();
        for lister in [Lister::ChildrenFiles, Lister::Scan] {
            let me = std::process::id();
            // The test harness runs tests in threads: read every thread's list.
            assert!(
                lister.descendants(&[me]).contains(&pid),
                "{lister:?} finds the child"
            );
        }
        // Unsure until `execve` has laid out the new image's environment (`spawn` may
        // return before).
        let began = std::time::Instant::now();
        let mut found = mark(pid);
        while found == Mark::Unsure && began.elapsed() < std::time::Duration::from_secs(30) {
            std::thread::yield_now();
            found = mark(pid);
        }
        assert_eq!(found, Mark::Is("1.2".into()));
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(mark(pid), Mark::Absent, "a reaped process is nobody's");
    }

    #[test]
    fn an_environment_without_the_mark_counts_only_when_read_whole() {
        assert_eq!(
            mark_in(b"A=1\0VX_TASK_GUARD_ID=7.3\0B=2\0"),
            Some("7.3".into())
        );
        assert_eq!(mark_in(b"A=1\0VX_TASK_GUARD_IDX=7.3\0"), None);
        assert_eq!(mark_in(b"A=1\0VX_TASK_GUARD_ID=7.3"), None, "cut short");
        assert_eq!(mark_in(b"VX_TASK_GUARD_ID=7.3\0"), Some("7.3".into()));
        // The kernel's view in the middle of `execve`: no environment laid out yet.
        assert_eq!(without_mark(0, Some((0, 0))), Mark::Unsure);
        // A read cut short as the old image went away, or empty for the same reason.
        assert_eq!(without_mark(32, Some((4096, 5000))), Mark::Unsure);
        assert_eq!(without_mark(0, Some((4096, 5000))), Mark::Unsure);
        // Whole: a process without the mark, or with no environment at all.
        assert_eq!(without_mark(904, Some((4096, 5000))), Mark::Absent);
        assert_eq!(without_mark(0, Some((4096, 4096))), Mark::Empty);
        assert_eq!(without_mark(0, None), Mark::Absent);
    }

    #[test]
    fn env_range_reads_a_live_process_and_not_a_zombie() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        // `spawn` returns as `execve` closes the old image's files, which can be before
        // the new image's environment is laid out: 0..0 until then, and an empty range
        // (start = end) while the kernel copies it in ([`Mark::Empty`]'s moment).
        let began = std::time::Instant::now();
        let (start, end) = loop {
            let range = env_range(pid).expect("a live process has one");
            if range.1 > range.0 || began.elapsed() > std::time::Duration::from_secs(30) {
                break range;
            }
            std::thread::yield_now();
        };
        assert!(start > 0 && end > start, "{start}..{end}");
        child.kill().unwrap();
        // A zombie until reaped: wait for its exit without reaping it.
        let id = rustix::process::Pid::from_raw(pid as i32).unwrap();
        rustix::process::waitid(
            rustix::process::WaitId::Pid(id),
            rustix::process::WaitIdOptions::EXITED | rustix::process::WaitIdOptions::NOWAIT,
        )
        .unwrap();
        assert_eq!(env_range(pid), None, "a zombie reads as gone");
        child.wait().unwrap();
    }
}
