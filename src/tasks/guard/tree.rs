//! The processes the guard answers for, found through `/proc` (Linux): a process's
//! children, a whole subtree, and which task a detached process belongs to.
//!
//! Children come from `/proc/PID/task/TID/children` (one small file a thread) where the
//! kernel offers it, else from one pass over every `/proc/PID/stat`. Where there is no
//! `/proc` (macOS, the BSDs) every answer is empty: there the guard reaches a task's
//! process group only.
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
pub const MARK: &str = "VX_TASK_GUARD_ID";

/// How children are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lister {
    /// `/proc/PID/task/TID/children`.
    ChildrenFiles,
    /// A pass over `/proc/*/stat`.
    Scan,
    /// No `/proc`.
    None,
}

impl Lister {
    /// What this system offers.
    pub fn detect() -> Lister {
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
    pub fn children(self, pid: u32) -> Vec<u32> {
        match self {
            Lister::ChildrenFiles => children_from_files(pid),
            Lister::Scan => scan().remove(&pid).unwrap_or_default(),
            Lister::None => Vec::new(),
        }
    }

    /// Every live descendant of `roots` (the roots themselves left out).
    pub fn descendants(self, roots: &[u32]) -> Vec<u32> {
        let map = (self == Lister::Scan).then(scan);
        let mut out = BTreeSet::new();
        let mut todo: Vec<u32> = roots.to_vec();
        while let Some(pid) = todo.pop() {
            let children = match &map {
                Some(map) => map.get(&pid).cloned().unwrap_or_default(),
                None => self.children(pid),
            };
            for child in children {
                if out.insert(child) {
                    todo.push(child);
                }
            }
        }
        out.into_iter().collect()
    }
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

/// Whether `pid`'s environment (as it was exec'd) holds `MARK=value`.
pub fn has_mark(pid: u32, value: &str) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let needle = format!("{MARK}={value}");
    environ
        .split(|&b| b == 0)
        .any(|entry| entry == needle.as_bytes())
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
        assert!(has_mark(pid, "1.2"));
        assert!(!has_mark(pid, "1.3"));
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
