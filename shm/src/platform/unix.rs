//! The platform layer on Unix: Linux (`/dev/shm`, `/proc`) and macOS (`$TMPDIR`,
//! `proc_pidinfo`); other Unixes get the portable parts (`kill(pid, 0)` for liveness).

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::Probe;

/// `/dev/shm` (POSIX shared memory, a tmpfs) where the system has it, else the user's
/// temporary directory: itself on Linux (as vx always did), a private `vx-boards`
/// subdirectory on macOS, whose `$TMPDIR` is already per user.
pub(super) fn board_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        return shm.to_path_buf();
    }
    fallback_dir(std::env::temp_dir())
}

#[cfg(target_os = "macos")]
fn fallback_dir(temp: PathBuf) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let dir = temp.join("vx-boards");
    // An error (a read-only $TMPDIR) surfaces when a board is created or listed there.
    let _ = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir);
    dir
}

#[cfg(not(target_os = "macos"))]
fn fallback_dir(temp: PathBuf) -> PathBuf {
    temp
}

pub(super) fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// `fallocate`; a file system without it gets the zeros written.
pub(super) fn reserve(file: &File, len: u64) -> io::Result<()> {
    match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::empty(), 0, len) {
        Ok(()) => Ok(()),
        Err(e) if e == rustix::io::Errno::OPNOTSUPP || e == rustix::io::Errno::NOSYS => {
            let zeros = vec![0u8; 64 * 1024];
            let mut at = 0;
            while at < len {
                let n = zeros.len().min((len - at) as usize);
                file.write_all_at(&zeros[..n], at)?;
                at += n as u64;
            }
            file.sync_data()
        }
        Err(e) => Err(e.into()),
    }
}

/// A hard link fails if the name exists; the caller unlinks the staging name.
pub(super) fn publish(staging: &Path, dest: &Path) -> io::Result<()> {
    std::fs::hard_link(staging, dest)
}

/// A uid.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct User(u32);

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "uid {}", self.0)
    }
}

pub(super) fn current_user() -> io::Result<User> {
    Ok(User(rustix::process::geteuid().as_raw()))
}

pub(super) fn owner_of(_file: &File, meta: &Metadata) -> io::Result<User> {
    Ok(User(meta.uid()))
}

pub(super) fn owner_of_path(_path: &Path, meta: &Metadata) -> io::Result<User> {
    Ok(User(meta.uid()))
}

pub(super) fn open_mode(meta: &Metadata) -> Option<u32> {
    let mode = meta.mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

pub(super) fn probe(pid: u32) -> Probe {
    match proc_probe(pid) {
        Some(probe) => probe,
        None => signal_zero(pid),
    }
}

pub(super) fn current_start_ticks() -> u64 {
    match proc_probe(std::process::id()) {
        Some(Probe::Running {
            start_ticks: Some(ticks),
        }) => ticks,
        _ => 0,
    }
}

/// Fallback where the system's process table cannot be read: `kill(pid, 0)` tells
/// whether the pid exists (EPERM: it does, as another user's), not when it started.
fn signal_zero(pid: u32) -> Probe {
    let running = Probe::Running { start_ticks: None };
    let Ok(raw) = i32::try_from(pid) else {
        return Probe::Gone;
    };
    let Some(pid) = rustix::process::Pid::from_raw(raw) else {
        return Probe::Gone;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => running,
        Err(err) if err == rustix::io::Errno::PERM => running,
        Err(_) => Probe::Gone,
    }
}

/// What `/proc/PID/stat` says of a process: `None` if there is no `/proc` to ask.
#[cfg(not(target_os = "macos"))]
fn proc_probe(pid: u32) -> Option<Probe> {
    match proc_stat(pid) {
        Some(stat) if matches!(stat.state, 'Z' | 'X' | 'x') => Some(Probe::Gone),
        Some(stat) => Some(Probe::Running {
            start_ticks: Some(stat.start_ticks),
        }),
        None if Path::new("/proc/self/stat").exists() => Some(Probe::Gone),
        None => None,
    }
}

/// What `/proc/PID/stat` says of a process.
#[cfg(not(target_os = "macos"))]
struct ProcStat {
    state: char,
    start_ticks: u64,
}

#[cfg(not(target_os = "macos"))]
fn proc_stat(pid: u32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMM) STATE ..." where COMM may itself contain spaces and ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // After STATE (field 3) comes field 4; starttime is field 22, i.e. 18 further on.
    let start_ticks = fields.nth(18)?.parse().ok()?;
    Some(ProcStat { state, start_ticks })
}

/// What `proc_pidinfo(PROC_PIDTBSDINFO)` says of a process: its status and start time
/// (microseconds since the Unix epoch). `None` if it would not say (another user's
/// process: EPERM), so the caller falls back to `kill(pid, 0)`.
#[cfg(target_os = "macos")]
fn proc_probe(pid: u32) -> Option<Probe> {
    let info = match crate::procs::bsd_info(pid) {
        Ok(info) => info,
        Err(e) => {
            return match e.raw_os_error() {
                Some(libc::ESRCH) => Some(Probe::Gone),
                _ => None,
            };
        }
    };
    if info.pbi_status == libc::SZOMB {
        return Some(Probe::Gone);
    }
    let micros = info
        .pbi_start_tvsec
        .saturating_mul(1_000_000)
        .saturating_add(info.pbi_start_tvusec);
    Some(Probe::Running {
        start_ticks: Some(micros),
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn an_unreaped_zombie_counts_as_gone() {
        let mut child = {
            let _starting = crate::unit::no_other_start();
            Command::new("true").spawn().unwrap()
        };
        let pid = child.id();
        // Wait until it has exited without reaping it: poll its state, bounded.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while proc_stat(pid).is_some_and(|s| s.state != 'Z') {
            assert!(std::time::Instant::now() < deadline, "child never exited");
            std::thread::yield_now();
        }
        assert!(
            proc_stat(pid).is_some(),
            "a zombie still has /proc/PID/stat"
        );
        assert_eq!(probe(pid), Probe::Gone);
        child.wait().unwrap();
    }

    #[test]
    fn proc_gives_the_start_time_in_clock_ticks() {
        let ticks = current_start_ticks();
        assert_ne!(ticks, 0);
        assert_eq!(
            probe(std::process::id()),
            Probe::Running {
                start_ticks: Some(ticks)
            }
        );
    }
}
