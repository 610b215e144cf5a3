//! The platform layer on Windows: Job Objects for process trees and console control
//! events for interruption (both through `vx_shm::win`, where the project keeps its
//! unsafe code), `cmd` for shell commands, `PATHEXT` for executables.

use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::windows::io::AsHandle;
use std::os::windows::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use crossbeam_channel::Sender;
use vx_shm::win::{Job, console};

use super::fs::FileStamp;
use super::interrupt::Stopping;
use super::process::KILLED_CODE;

// ---- process trees

/// `CREATE_NEW_PROCESS_GROUP`: the child leads a console process group of its own, so
/// a Ctrl-C typed at the console reaches only `vx sync`, which relays it to the
/// children as cancel requests on the board (as a Unix process group does).
const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;

/// A child's Job Object; dropping it ends whatever still runs in it.
#[derive(Debug)]
pub(super) struct Tree(Job);

impl Tree {
    pub(super) fn kill(&self) {
        let _ = self.0.terminate(KILLED_CODE);
    }

    /// No polite request reaches a process tree without a console of ours: the kill.
    pub(super) fn stop(&self, _: super::process::Polite) {
        self.kill();
    }
}

pub(super) fn spawn_tree(command: &mut Command) -> io::Result<(Child, Tree)> {
    let job = Job::new()?;
    let mut child = command.creation_flags(CREATE_NEW_PROCESS_GROUP).spawn()?;
    if let Err(err) = job.assign(&child) {
        // A child outside the job could not be ended with its tree: stop it now.
        let _ = child.kill();
        let _ = child.wait();
        return Err(err);
    }
    Ok((child, Tree(job)))
}

pub(super) fn leads_own_tree() -> bool {
    false
}

pub(super) fn term_own_tree() {}

pub(super) fn kill_own_tree() {}

pub(super) fn cancel_on_parent_death() -> bool {
    false
}

pub(super) fn has_parent_death_signal() -> bool {
    false
}

/// `DETACHED_PROCESS`: the child gets no console (and so no console's Ctrl-C).
const DETACHED_PROCESS: u32 = 0x0000_0008;

pub(super) fn detached(command: &mut Command) -> &mut Command {
    // Or the background process would also hold this process's stdio: the pipe a
    // caller reads `vx daemon start`'s output from would never end.
    console::keep_std_handles_from_children();
    command.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP)
}

pub(super) fn leave_session() {}

pub(super) fn terminate(_pid: u32) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Windows cannot ask a process without a console to stop",
    ))
}

pub(super) fn adopt_orphans() -> bool {
    false
}

pub(super) fn end_adopted() {}

pub(super) fn stop_adopting() {}

pub(super) fn kill_orphans(_leaders: &[u32], _others: &[u32]) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Windows ends a process tree through its Job Object",
    ))
}

pub(super) fn parent_id() -> Option<u32> {
    None
}

/// Names of the `NTSTATUS` codes a crashed or interrupted process commonly ends with.
fn ntstatus_name(code: u32) -> Option<&'static str> {
    Some(match code {
        0xC000_0005 => "STATUS_ACCESS_VIOLATION",
        0xC000_001D => "STATUS_ILLEGAL_INSTRUCTION",
        0xC000_00FD => "STATUS_STACK_OVERFLOW",
        0xC000_013A => "STATUS_CONTROL_C_EXIT",
        0xC000_0409 => "STATUS_STACK_BUFFER_OVERRUN",
        _ => return None,
    })
}

pub(super) fn describe_status(status: ExitStatus) -> String {
    let Some(code) = status.code() else {
        return status.to_string();
    };
    let raw = code as u32;
    if raw >= 0xC000_0000 {
        match ntstatus_name(raw) {
            Some(name) => format!("exit status {raw:#x} ({name})"),
            None => format!("exit status {raw:#x}"),
        }
    } else {
        format!("exit status {code}")
    }
}

pub(super) fn status_code(status: ExitStatus) -> i32 {
    status.code().unwrap_or(1)
}

pub(super) fn exit_status(code: u8) -> ExitStatus {
    ExitStatus::from_raw(u32::from(code))
}

pub(super) fn shell(command: &str) -> Command {
    let mut shell = Command::new("cmd");
    // /D: no AutoRun commands; /S with the quotes: cmd takes what is between the first
    // and the last quote as the command line, as written (std's quoting is for
    // programs that parse their command line like the C runtime, which cmd does not).
    shell
        .args(["/D", "/S", "/C"])
        .raw_arg(format!("\"{command}\""));
    shell
}

pub(super) fn stderr_stdio() -> Stdio {
    io::stderr()
        .as_handle()
        .try_clone_to_owned()
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

// ---- interruption

/// How long a close, logoff or shutdown event is held, so the process can cancel, remove
/// its board and exit by itself: Windows ends it 5 s after the event anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(4);

/// How many registrations are in force: while none is, every handler answers "not
/// handled" and Windows' default ends the process.
static ACTIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The handler of one [`on_stop`] call; dropping it turns it off (a console handler
/// cannot be removed from the list, only made to pass).
#[derive(Debug)]
pub(super) struct Registration {
    active: Arc<AtomicBool>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self.active.swap(false, Ordering::SeqCst) {
            ACTIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

pub(super) fn on_stop(
    _who: Stopping,
    flag: Arc<AtomicBool>,
    wake: Option<Sender<()>>,
) -> io::Result<Registration> {
    // Every console event stops every kind of `vx`; which events reach a process is
    // decided where it is started (a `vx sync` child ignores Ctrl-C, module docs).
    let active = Arc::new(AtomicBool::new(true));
    let on = Arc::clone(&active);
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let registration = Registration { active };
    console::add_handler(move |_event| {
        if !on.load(Ordering::SeqCst) {
            return false;
        }
        flag.store(true, Ordering::Relaxed);
        if let Some(wake) = &wake {
            let _ = wake.try_send(());
        }
        true
    })?;
    // Added once, after the first flag handler: while a registration is in force, holds
    // the events that end the process until the process has wound down and exited by
    // itself (which ends this thread), or the grace is over.
    static HOLD: Once = Once::new();
    HOLD.call_once(|| {
        let _ = console::add_handler(|event| {
            if ACTIVE.load(Ordering::SeqCst) == 0 {
                return false;
            }
            if event.ends_process() {
                std::thread::sleep(CLOSE_GRACE);
            }
            true
        });
    });
    Ok(registration)
}

// ---- exec

pub(super) fn replace_process(mut command: Command, _arg0: &OsStr) -> io::Error {
    // The child shares our console and gets Ctrl-C and Ctrl-Break itself; we must
    // outlive it to pass its code on. A close still ends us (and the child gets its own).
    let _ = console::add_handler(|event| !event.ends_process());
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(err) => err,
    }
}

// ---- files

pub(super) fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(bytes).ok().map(PathBuf::from)
}

/// Names Windows reserves for devices, whatever their extension (`NUL.txt` is `NUL`).
const DEVICE_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

pub(super) fn refused_component(part: &OsStr) -> Option<&'static str> {
    let Some(name) = part.to_str() else {
        return Some("the name is not valid Unicode");
    };
    if name.contains(':') {
        return Some("the name contains `:` (a Windows drive or alternate data stream)");
    }
    if name
        .chars()
        .any(|c| matches!(c, '<' | '>' | '"' | '|' | '?' | '*') || c.is_control())
    {
        return Some("the name has a character Windows does not allow in file names");
    }
    if name.ends_with(['.', ' ']) {
        return Some("the name ends with a dot or a space, which Windows drops");
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    if DEVICE_NAMES.iter().any(|d| d.eq_ignore_ascii_case(stem)) {
        return Some("the name is a Windows device name");
    }
    None
}

pub(super) fn open_for_reading(path: &Path) -> io::Result<File> {
    // Windows opens a directory only with backup semantics; so opened, a directory is
    // refused by its metadata as on Unix ("a directory"), not with "access denied".
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
    OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
}

pub(super) fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

pub(super) fn new_private_file() -> OpenOptions {
    OpenOptions::new()
}

pub(super) fn new_shared_file_permissions() -> Option<std::fs::Permissions> {
    None
}

pub(super) fn keep_access(_file: &File, _replaced: &Metadata) -> io::Result<()> {
    Ok(())
}

pub(super) fn set_unpacked_mode(_file: &File, _mode: Option<u32>) -> io::Result<()> {
    Ok(())
}

/// `ERROR_PRIVILEGE_NOT_HELD`: creating symbolic links needs Developer Mode or an
/// administrator.
const ERROR_PRIVILEGE_NOT_HELD: i32 = 1314;

pub(super) fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    // An archive's targets use `/`; a Windows link's target is resolved with `\`.
    let target = PathBuf::from(target.to_string_lossy().replace('/', "\\"));
    let target = target.as_path();
    let resolved = link.parent().unwrap_or(Path::new("")).join(target);
    let made = if resolved.is_dir() {
        std::os::windows::fs::symlink_dir(target, link)
    } else {
        std::os::windows::fs::symlink_file(target, link)
    };
    made.map_err(|err| {
        if err.raw_os_error() == Some(ERROR_PRIVILEGE_NOT_HELD) {
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                "Windows refused to create a symbolic link the archive holds: turn on Developer Mode or run as an administrator (os error 1314)",
            )
        } else {
            err
        }
    })?;
    // Wine 8's CreateSymbolicLinkW is a stub that reports success and creates nothing:
    // a tree silently missing its links is refused instead.
    if !std::fs::symlink_metadata(link).is_ok_and(|meta| meta.file_type().is_symlink()) {
        return Err(io::Error::other(
            "the system reported a symbolic link created, but there is none (Wine does not create symbolic links)",
        ));
    }
    Ok(())
}

/// The lower-cased extensions of `PATHEXT` (`.com`, `.exe`, `.bat`, `.cmd` when unset).
fn pathext() -> Vec<String> {
    let listed: Vec<String> = std::env::var("PATHEXT")
        .unwrap_or_default()
        .split(';')
        .map(|ext| ext.trim().to_ascii_lowercase())
        .filter(|ext| ext.len() > 1 && ext.starts_with('.'))
        .collect();
    if listed.is_empty() {
        [".com", ".exe", ".bat", ".cmd"].map(String::from).to_vec()
    } else {
        listed
    }
}

/// The extension of `name` when it is one of `PATHEXT`'s, with its dot.
fn executable_extension(name: &str) -> Option<usize> {
    let dot = name.rfind('.').filter(|&at| at > 0)?;
    let ext = name[dot..].to_ascii_lowercase();
    pathext().contains(&ext).then_some(dot)
}

pub(super) fn mark_executable(_path: &Path) -> io::Result<()> {
    Ok(())
}

pub(super) fn looks_executable(path: &Path, _meta: &Metadata) -> bool {
    path.file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|name| executable_extension(name).is_some())
}

pub(super) fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && looks_executable(path, &meta))
}

pub(super) fn executable_names(command: &OsStr) -> Vec<OsString> {
    if command
        .to_str()
        .is_some_and(|name| executable_extension(name).is_some())
    {
        return vec![command.to_owned()];
    }
    pathext()
        .into_iter()
        .map(|ext| {
            let mut name = command.to_owned();
            name.push(ext);
            name
        })
        .collect()
}

pub(super) fn command_name(file_name: &str) -> Option<&str> {
    executable_extension(file_name).map(|dot| &file_name[..dot])
}

pub(super) fn is_transient_rename_error(error: &io::Error) -> bool {
    /// `ERROR_ACCESS_DENIED` and `ERROR_SHARING_VIOLATION`.
    const TRANSIENT: [i32; 2] = [5, 32];
    error
        .raw_os_error()
        .is_some_and(|code| TRANSIENT.contains(&code))
}

pub(super) fn is_transient_spawn_error(error: &io::Error) -> bool {
    /// `ERROR_NOT_ENOUGH_MEMORY`, `ERROR_OUTOFMEMORY`, `ERROR_INTERNAL_ERROR` (what
    /// Wine gives when a new process dies while it starts), `ERROR_NO_SYSTEM_RESOURCES`
    /// and `ERROR_COMMITMENT_LIMIT`.
    const TRANSIENT: [i32; 5] = [8, 14, 1359, 1450, 1455];
    error
        .raw_os_error()
        .is_some_and(|code| TRANSIENT.contains(&code))
}

pub(super) fn posix_shell_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let bytes = text.as_bytes();
    // A drive path (`C:/…`, `C:`) becomes `/c/…`; UNC paths keep their `//`.
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        let drive = (bytes[0] as char).to_ascii_lowercase();
        let rest = text[2..].trim_start_matches('/');
        return if rest.is_empty() {
            format!("/{drive}")
        } else {
            format!("/{drive}/{rest}")
        };
    }
    text
}

pub(super) fn command_key(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

pub(super) fn file_stamp(meta: &Metadata) -> FileStamp {
    let ns = |t: io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    };
    FileStamp {
        device: 0,
        inode: 0,
        size: meta.len(),
        modified_ns: ns(meta.modified()),
        changed_ns: ns(meta.created()),
    }
}

/// The root's path: each stamp is a `metadata` call on the joined path.
pub(super) struct StampDir(PathBuf);

impl StampDir {
    pub(super) fn open(root: &Path) -> StampDir {
        StampDir(root.to_owned())
    }

    pub(super) fn stamp(&self, rel: &Path) -> Option<FileStamp> {
        Some(file_stamp(&std::fs::metadata(self.0.join(rel)).ok()?))
    }
}

pub(super) const DATA_DIR_UNSET: &str = "LOCALAPPDATA is not set";
pub(super) const DATA_DIR_VARIABLE: &str = "LOCALAPPDATA";

pub(super) fn data_dir() -> Option<PathBuf> {
    std::env::var_os("LOCALAPPDATA")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

pub(super) fn link_program(program: &Path, link: &Path) -> std::io::Result<()> {
    super::fs::hard_link_or_copy(program, link)
}

pub(super) fn links_to(link: &Path, program: &Path) -> bool {
    match (std::fs::metadata(link), std::fs::metadata(program)) {
        (Ok(a), Ok(b)) => a.len() == b.len(),
        _ => false,
    }
}

pub(super) fn program_file_name(command: &str) -> String {
    format!("{command}.exe")
}

pub(super) fn link_beside(file: &Path, link: &Path) -> std::io::Result<()> {
    super::fs::hard_link_or_copy(file, link)
}

pub(super) fn cache_dir() -> Option<PathBuf> {
    data_dir().map(|local| local.join("vx").join("cache"))
}

pub(super) fn config_dir() -> Option<PathBuf> {
    std::env::var_os("APPDATA")
        .filter(|value| !value.is_empty())
        .map(|roaming| PathBuf::from(roaming).join("vx"))
}

pub(super) fn home_dir() -> Option<PathBuf> {
    std::env::var_os("USERPROFILE")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

pub(super) fn netrc_file() -> Option<PathBuf> {
    std::env::var_os("USERPROFILE")
        .filter(|value| !value.is_empty())
        .map(|home| PathBuf::from(home).join("_netrc"))
}

pub(super) fn allocated(meta: &Metadata) -> u64 {
    meta.len()
}

pub(super) fn shared_id(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}

pub(super) fn mode_bits(_meta: &Metadata) -> Option<u32> {
    None
}

pub(super) fn create_private_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir(path)
}

pub(super) fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(prefix).tempdir()
}

pub(super) fn private_to_me(_meta: &Metadata) -> bool {
    true
}

pub(super) fn owned_by_another(_meta: &Metadata) -> Option<u32> {
    None
}

pub(super) fn file_url_path(decoded: &[u8]) -> Option<PathBuf> {
    let path = std::str::from_utf8(decoded).ok()?;
    // `file:///C:/dir/a.zip`: the path part is `/C:/dir/a.zip`.
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0] == b'/' && bytes[1].is_ascii_alphabetic() && bytes[2] == b':';
    Some(PathBuf::from(if drive { &path[1..] } else { path }))
}

/// Windows has no per-process open-files limit to raise: nothing to do.
pub(super) fn raise_open_files_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_show_ntstatus_codes_in_hex_with_their_name() {
        assert_eq!(describe_status(exit_status(3)), "exit status 3");
        assert_eq!(status_code(exit_status(3)), 3);
        let interrupted = ExitStatus::from_raw(0xC000_013A);
        assert_eq!(
            describe_status(interrupted),
            "exit status 0xc000013a (STATUS_CONTROL_C_EXIT)"
        );
    }

    #[test]
    fn names_windows_cannot_hold_are_refused() {
        for bad in [
            "a:b",
            "CON",
            "nul.txt",
            "Com1.tar",
            "trailing.",
            "space ",
            "a?b",
        ] {
            assert!(refused_component(OsStr::new(bad)).is_some(), "{bad}");
        }
        for good in ["console", "nullable.txt", "com10", "a.b.c", ".hidden"] {
            assert_eq!(refused_component(OsStr::new(good)), None, "{good}");
        }
    }

    #[test]
    fn commands_are_found_by_their_pathext_names() {
        let names = executable_names(OsStr::new("rg"));
        assert!(names.iter().any(|n| n == "rg.exe"), "{names:?}");
        assert_eq!(executable_names(OsStr::new("rg.EXE")), ["rg.EXE"]);
        assert_eq!(command_name("rg.exe"), Some("rg"));
        assert_eq!(command_name("run.cmd"), Some("run"));
        assert_eq!(command_name("README"), None);
        assert_eq!(command_name(".exe"), None);
    }

    #[test]
    fn a_symbolic_link_is_made_or_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("target"), "x").unwrap();
        let link = dir.path().join("link");
        match symlink(Path::new("target"), &link) {
            Ok(()) => assert_eq!(std::fs::read_to_string(&link).unwrap(), "x"),
            Err(err) => assert!(err.to_string().contains("symbolic link"), "{err}"),
        }
    }

    #[test]
    fn file_urls_with_a_drive_lose_their_leading_slash() {
        assert_eq!(
            file_url_path(b"/C:/d/a.zip"),
            Some(PathBuf::from("C:/d/a.zip"))
        );
        assert_eq!(
            file_url_path(b"/srv/a.zip"),
            Some(PathBuf::from("/srv/a.zip"))
        );
    }
}
