//! The platform layer on Unix (Linux, macOS and the others): process groups, signals
//! through signal-hook, `exec`, and mode bits.

use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::Sender;
use rustix::process::{Pid, Signal};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use super::fs::FileStamp;
use super::interrupt::Stopping;

// ---- process trees

/// A process group, by the id of its leader (the child).
#[derive(Debug)]
pub(super) struct Tree(u32);

impl Tree {
    /// SIGKILLs the group. Safe after the leader was reaped: Linux does not reuse a pid
    /// while a group of that id exists.
    pub(super) fn kill(&self) {
        if let Some(pid) = Pid::from_raw(self.0 as i32) {
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
    }

    /// SIGINT or SIGTERM to the leader alone.
    pub(super) fn stop(&self, how: super::process::Polite) {
        let signal = match how {
            super::process::Polite::Interrupt => Signal::INT,
            super::process::Polite::Terminate => Signal::TERM,
        };
        if let Some(pid) = Pid::from_raw(self.0 as i32) {
            let _ = rustix::process::kill_process(pid, signal);
        }
    }
}

pub(super) fn spawn_tree(command: &mut Command) -> io::Result<(Child, Tree)> {
    let child = command.process_group(0).spawn()?;
    let id = child.id();
    Ok((child, Tree(id)))
}

pub(super) fn leads_own_tree() -> bool {
    rustix::process::getpgrp() == rustix::process::getpid()
}

pub(super) fn term_own_tree() {
    let _ = rustix::process::kill_current_process_group(Signal::TERM);
}

pub(super) fn kill_own_tree() {
    let _ = rustix::process::kill_current_process_group(Signal::KILL);
}

pub(super) fn cancel_on_parent_death() -> bool {
    #[cfg(target_os = "linux")]
    {
        rustix::process::set_parent_process_death_signal(Some(Signal::TERM)).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

pub(super) fn has_parent_death_signal() -> bool {
    cfg!(target_os = "linux")
}

/// 0 when the parent is outside our pid namespace (we were reparented there).
pub(super) fn detached(command: &mut Command) -> &mut Command {
    command
}

pub(super) fn leave_session() {
    let _ = rustix::process::setsid();
}

pub(super) fn terminate(pid: u32) -> io::Result<()> {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a process id"))?;
    rustix::process::kill_process(pid, Signal::TERM).map_err(io::Error::from)
}

pub(super) fn adopt_orphans() -> bool {
    #[cfg(target_os = "linux")]
    {
        rustix::process::set_child_subreaper(Some(rustix::process::getpid())).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Every live process's parent, from `/proc/*/stat` (the field after the name's `)`).
#[cfg(target_os = "linux")]
fn parents() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let mut rest = stat.rsplit_once(')')?.1.split_whitespace();
            let _state = rest.next()?;
            let parent: u32 = rest.next()?.parse().ok()?;
            Some((pid, parent))
        })
        .collect()
}

/// The most sweeps [`end_adopted`] makes: each kills what it found, and what they
/// forked meanwhile comes back to this process (their parent killed) for the next.
#[cfg(target_os = "linux")]
const ADOPTED_SWEEPS: usize = 64;

pub(super) fn end_adopted() {
    #[cfg(target_os = "linux")]
    {
        let me = std::process::id();
        for _ in 0..ADOPTED_SWEEPS {
            let parents = parents();
            let children: Vec<u32> = parents
                .iter()
                .filter(|(_, parent)| *parent == me)
                .map(|(pid, _)| *pid)
                .collect();
            if children.is_empty() {
                return;
            }
            // Their descendants too, breadth first.
            let mut all = children.clone();
            let mut at = 0;
            while at < all.len() {
                let of = all[at];
                all.extend(
                    parents
                        .iter()
                        .filter(|(_, p)| *p == of)
                        .map(|(pid, _)| *pid),
                );
                at += 1;
            }
            for &pid in &all {
                if let Some(pid) = Pid::from_raw(pid as i32) {
                    let _ = rustix::process::kill_process(pid, Signal::KILL);
                }
            }
            // Reaped, so the next sweep sees only what came since: a process forked
            // between this look and its parent's kill, re-parented here.
            for pid in children {
                if let Some(pid) = Pid::from_raw(pid as i32) {
                    let _ =
                        rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty());
                }
            }
        }
    }
}

pub(super) fn stop_adopting() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::set_child_subreaper(None);
    }
}

pub(super) fn kill_orphans(leaders: &[u32], others: &[u32]) -> io::Result<()> {
    for &leader in leaders {
        if let Some(group) = Pid::from_raw(leader as i32) {
            let _ = rustix::process::kill_process_group(group, Signal::KILL);
        }
    }
    for &pid in others {
        if let Some(pid) = Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process(pid, Signal::KILL);
        }
    }
    Ok(())
}

pub(super) fn parent_id() -> Option<u32> {
    Some(rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get() as u32))
}

pub(super) fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        format!("exit status {code}")
    } else if let Some(signal) = status.signal() {
        match signal_name(signal) {
            Some(name) => format!("killed by signal {signal} ({name})"),
            None => format!("killed by signal {signal}"),
        }
    } else {
        status.to_string()
    }
}

pub(super) fn status_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

pub(super) fn exit_status(code: u8) -> ExitStatus {
    ExitStatus::from_raw(i32::from(code) << 8)
}

fn signal_name(signal: i32) -> Option<&'static str> {
    use signal_hook::consts::*;
    Some(match signal {
        SIGHUP => "SIGHUP",
        SIGINT => "SIGINT",
        SIGQUIT => "SIGQUIT",
        SIGILL => "SIGILL",
        SIGABRT => "SIGABRT",
        SIGBUS => "SIGBUS",
        SIGFPE => "SIGFPE",
        SIGKILL => "SIGKILL",
        SIGSEGV => "SIGSEGV",
        SIGPIPE => "SIGPIPE",
        SIGTERM => "SIGTERM",
        _ => return None,
    })
}

pub(super) fn shell(command: &str) -> Command {
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(command);
    shell
}

pub(super) fn stderr_stdio() -> Stdio {
    io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

// ---- interruption

/// The handlers of one [`on_stop`] call; dropping it removes them (and ends the wake-up
/// thread), and a signal no other registration covers gets its default action back.
#[derive(Debug)]
pub(super) struct Registration {
    ids: Vec<(i32, signal_hook::SigId)>,
    waker: Option<signal_hook::iterator::Handle>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        for (signal, id) in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
            uncover(signal);
        }
        if let Some(waker) = self.waker.take() {
            waker.close();
        }
    }
}

/// Per signal: how many registrations cover it, and the condition of the fallback
/// action that runs the default (termination) while none does. signal-hook keeps its
/// process-wide handler once installed, and with no action left a signal would be
/// ignored: the fallback, registered once per signal, is what restores the default.
struct Cover {
    signal: i32,
    count: usize,
    uncovered: Arc<AtomicBool>,
}

fn covers() -> std::sync::MutexGuard<'static, Vec<Cover>> {
    static COVERS: std::sync::Mutex<Vec<Cover>> = std::sync::Mutex::new(Vec::new());
    COVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts one more registration covering `signal` (the fallback is then idle),
/// registering the fallback the first time.
fn cover(signal: i32) -> io::Result<()> {
    let mut covers = covers();
    if let Some(cover) = covers.iter_mut().find(|c| c.signal == signal) {
        cover.count += 1;
        cover.uncovered.store(false, Ordering::SeqCst);
        return Ok(());
    }
    let uncovered = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register_conditional_default(signal, Arc::clone(&uncovered))?;
    covers.push(Cover {
        signal,
        count: 1,
        uncovered,
    });
    Ok(())
}

/// Counts one registration fewer covering `signal`: with none left, the signal's
/// default action runs again.
fn uncover(signal: i32) {
    let mut covers = covers();
    if let Some(cover) = covers.iter_mut().find(|c| c.signal == signal) {
        cover.count = cover.count.saturating_sub(1);
        if cover.count == 0 {
            cover.uncovered.store(true, Ordering::SeqCst);
        }
    }
}

pub(super) fn on_stop(
    who: Stopping,
    flag: Arc<AtomicBool>,
    wake: Option<Sender<()>>,
) -> io::Result<Registration> {
    let signals: &[i32] = match who {
        Stopping::Sync => &[SIGINT, SIGTERM, SIGHUP],
        Stopping::Install => &[SIGTERM, SIGINT, SIGHUP],
        Stopping::Viewer => &[SIGTERM, SIGHUP, SIGINT],
        Stopping::Waiting => &[SIGINT],
        Stopping::Passing => &[SIGTERM, SIGHUP],
    };
    // Built as it goes: a failure part-way drops what was registered.
    let mut registration = Registration {
        ids: Vec::new(),
        waker: None,
    };
    for &signal in signals {
        cover(signal)?;
        match signal_hook::flag::register(signal, Arc::clone(&flag)) {
            Ok(id) => registration.ids.push((signal, id)),
            Err(err) => {
                uncover(signal);
                return Err(err);
            }
        }
    }
    if let Some(wake) = wake {
        // A channel cannot be used from a handler: a thread of signal-hook's iterator
        // (whose handler only writes to its self-pipe) sends the wake-up. Closing its
        // handle ends the thread, which drops the iterator and its handlers.
        let mut iterator = signal_hook::iterator::Signals::new(signals)?;
        registration.waker = Some(iterator.handle());
        std::thread::Builder::new()
            .name("vx-signals".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                for _ in iterator.forever() {
                    let _ = wake.try_send(());
                }
            })?;
    }
    Ok(registration)
}

// ---- exec

pub(super) fn replace_process(mut command: Command, arg0: &OsStr) -> io::Error {
    command.arg0(arg0).exec()
}

// ---- files

pub(super) fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    Some(PathBuf::from(OsStr::from_bytes(bytes)))
}

pub(super) fn refused_component(_part: &OsStr) -> Option<&'static str> {
    None
}

pub(super) fn open_for_reading(path: &Path) -> io::Result<File> {
    use rustix::fs::OFlags;
    let flags = OFlags::NONBLOCK | OFlags::NOCTTY;
    OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
}

pub(super) fn kind_of(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

pub(super) fn new_private_file() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

pub(super) fn new_shared_file_permissions() -> Option<std::fs::Permissions> {
    // The kernel takes the umask off when it creates the file.
    Some(std::fs::Permissions::from_mode(0o666))
}

pub(super) fn keep_access(file: &File, replaced: &Metadata) -> io::Result<()> {
    // The group first, then the mode: a change of group may clear mode bits.
    if file.metadata()?.gid() != replaced.gid() {
        // Only the groups this user is in may be given (EPERM otherwise): then the
        // new file keeps the user's group, and its mode bits still say who reads it.
        let _ = std::os::unix::fs::fchown(file, None, Some(replaced.gid()));
    }
    file.set_permissions(std::fs::Permissions::from_mode(replaced.mode() & 0o777))
}

pub(super) fn set_unpacked_mode(file: &File, mode: Option<u32>) -> io::Result<()> {
    // Nobody but the user writes what every project of theirs runs: an archive's
    // group and other write bits are dropped (as tar does under the usual umask).
    let perm = mode.map_or(0o644, |m| m & 0o755) | 0o400;
    file.set_permissions(std::fs::Permissions::from_mode(perm))
}

pub(super) fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

pub(super) fn mark_executable(path: &Path) -> io::Result<()> {
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    let wanted = mode | ((mode & 0o444) >> 2);
    if wanted != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted))?;
    }
    Ok(())
}

pub(super) fn looks_executable(_path: &Path, meta: &Metadata) -> bool {
    meta.permissions().mode() & 0o111 != 0
}

pub(super) fn is_executable(path: &Path) -> bool {
    use rustix::fs::{Access, access};
    std::fs::metadata(path).is_ok_and(|m| m.is_file()) && access(path, Access::EXEC_OK).is_ok()
}

pub(super) fn executable_names(command: &OsStr) -> Vec<OsString> {
    vec![command.to_owned()]
}

pub(super) fn command_name(_file_name: &str) -> Option<&str> {
    None
}

pub(super) fn is_transient_rename_error(_error: &io::Error) -> bool {
    false
}

pub(super) fn is_transient_spawn_error(error: &io::Error) -> bool {
    use rustix::io::Errno;
    [Errno::AGAIN, Errno::NOMEM]
        .iter()
        .any(|errno| error.raw_os_error() == Some(errno.raw_os_error()))
}

pub(super) fn posix_shell_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

pub(super) fn command_key(name: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(name)
}

/// Seconds and nanoseconds as nanoseconds, saturating.
fn ns(secs: i64, nanos: i64) -> i64 {
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

pub(super) fn file_stamp(meta: &Metadata) -> FileStamp {
    FileStamp {
        device: meta.dev(),
        inode: meta.ino(),
        size: meta.size(),
        modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
        changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
    }
}

/// The root's path and, when it could be opened, a descriptor of it.
pub(super) struct StampDir {
    root: PathBuf,
    fd: Option<std::os::fd::OwnedFd>,
}

impl StampDir {
    pub(super) fn open(root: &Path) -> StampDir {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        StampDir {
            root: root.to_owned(),
            fd: rustix::fs::open(root, flags, Mode::empty()).ok(),
        }
    }

    pub(super) fn stamp(&self, rel: &Path) -> Option<FileStamp> {
        let Some(fd) = &self.fd else {
            return Some(file_stamp(&std::fs::metadata(self.root.join(rel)).ok()?));
        };
        let st = rustix::fs::statat(fd, rel, rustix::fs::AtFlags::empty()).ok()?;
        // The widths of `stat`'s fields differ between platforms; these fit.
        Some(FileStamp {
            device: st.st_dev as u64,
            inode: st.st_ino as u64,
            size: st.st_size as u64,
            modified_ns: ns(st.st_mtime as i64, st.st_mtime_nsec as i64),
            changed_ns: ns(st.st_ctime as i64, st.st_ctime_nsec as i64),
        })
    }
}

pub(super) const DATA_DIR_UNSET: &str = "neither XDG_DATA_HOME nor HOME is set";
pub(super) const DATA_DIR_VARIABLE: &str = "XDG_DATA_HOME";

/// An XDG base directory variable's value when it is an absolute path: "If an
/// implementation encounters a relative path in any of these variables it should
/// consider the path invalid and ignore it" (the XDG Base Directory Specification).
/// A relative one would be resolved from the current directory, where a cloned
/// repository could supply a global toolset, a config or a `trusted.json`.
fn xdg(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
}

/// `$HOME`, when set and not empty.
fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

pub(super) fn home_dir() -> Option<PathBuf> {
    home()
}

pub(super) fn data_dir() -> Option<PathBuf> {
    xdg("XDG_DATA_HOME").or_else(|| home().map(|home| home.join(".local/share")))
}

pub(super) fn link_program(program: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(program, link)
}

pub(super) fn links_to(link: &Path, program: &Path) -> bool {
    std::fs::read_link(link).is_ok_and(|target| target == program)
}

pub(super) fn program_file_name(command: &str) -> String {
    command.to_owned()
}

pub(super) fn link_beside(file: &Path, link: &Path) -> std::io::Result<()> {
    let name = file
        .file_name()
        .ok_or_else(|| std::io::Error::other("no file name"))?;
    std::os::unix::fs::symlink(name, link)
}

pub(super) fn cache_dir() -> Option<PathBuf> {
    xdg("XDG_CACHE_HOME")
        .map(|cache| cache.join("vx"))
        .or_else(|| home().map(|home| home.join(".cache/vx")))
}

pub(super) fn config_dir() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME")
        .map(|config| config.join("vx"))
        .or_else(|| home().map(|home| home.join(".config/vx")))
}

pub(super) fn netrc_file() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|value| !value.is_empty())
        .map(|home| PathBuf::from(home).join(".netrc"))
}

pub(super) fn allocated(meta: &Metadata) -> u64 {
    meta.blocks().saturating_mul(512)
}

pub(super) fn shared_id(meta: &Metadata) -> Option<(u64, u64)> {
    (meta.is_file() && meta.nlink() > 1).then(|| (meta.dev(), meta.ino()))
}

pub(super) fn mode_bits(meta: &Metadata) -> Option<u32> {
    Some(meta.permissions().mode() & 0o777)
}

pub(super) fn create_private_dir(path: &Path) -> io::Result<()> {
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(path)
}

pub(super) fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

pub(super) fn private_to_me(meta: &Metadata) -> bool {
    meta.uid() == rustix::process::geteuid().as_raw() && meta.mode() & 0o077 == 0
}

pub(super) fn owned_by_another(meta: &Metadata) -> Option<u32> {
    let owner = meta.uid();
    (owner != 0 && owner != rustix::process::geteuid().as_raw()).then_some(owner)
}

pub(super) fn file_url_path(decoded: &[u8]) -> Option<PathBuf> {
    Some(PathBuf::from(OsString::from_vec(decoded.to_vec())))
}

/// Raises the soft open-files limit to the hard one (on macOS at most `OPEN_MAX`,
/// 10240, which its kernel caps it at): the soft limit after.
pub(super) fn raise_open_files_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let wanted = match (limit.current, limit.maximum) {
        (_, None) | (None, _) => limit.maximum,
        (Some(current), Some(maximum)) if current < maximum => Some(maximum),
        (current, _) => return current,
    };
    let attempt = |current: Option<u64>| {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current,
                maximum: limit.maximum,
            },
        )
    };
    if attempt(wanted).is_err() {
        let capped = wanted.map_or(10240, |w| w.min(10240));
        if limit.current.is_none_or(|c| c < capped) {
            let _ = attempt(Some(capped));
        }
    }
    getrlimit(Resource::Nofile).current
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 79, item 7: `vx run --watch` starts with the soft open-files limit raised
    /// to the hard one (a macOS shell's 256 held fewer files than a monorepo has).
    #[test]
    fn the_open_files_limit_is_raised_to_the_hard_one() {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let before = getrlimit(Resource::Nofile);
        let Some(hard) = before.maximum.filter(|h| *h > 512) else {
            return;
        };
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(512),
                maximum: before.maximum,
            },
        )
        .unwrap();
        let raised = raise_open_files_limit();
        let expected = if cfg!(target_os = "macos") {
            hard.min(10240)
        } else {
            hard
        };
        assert!(
            raised.is_some_and(|r| r >= expected),
            "{raised:?} < {expected}"
        );
        let _ = setrlimit(Resource::Nofile, before);
    }

    #[test]
    fn statuses_are_described_with_their_signal() {
        let killed = ExitStatus::from_raw(9);
        assert_eq!(describe_status(killed), "killed by signal 9 (SIGKILL)");
        assert_eq!(status_code(killed), 137);
        let exited = exit_status(3);
        assert_eq!(describe_status(exited), "exit status 3");
        assert_eq!(status_code(exited), 3);
    }
}
