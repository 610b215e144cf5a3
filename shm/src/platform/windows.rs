//! The platform layer on Windows: boards are files under the user's local app-data
//! directory, mapped with `memmap2` (a file mapping backed by the file); owners are
//! compared by SID; processes are looked up with `OpenProcess` and `GetProcessTimes`.
//!
//! Privacy: `%LOCALAPPDATA%` is readable and writable only by its user, SYSTEM and the
//! Administrators group, and a file created under it inherits that ACL, so a board is
//! private to its user without an explicit security descriptor. Attaching and listing
//! also check that the file's owner SID is the caller's, as Unix checks the uid, so a
//! board planted by another user (in a directory that is not the default, through
//! `VX_BOARD_DIR`) is refused.
//!
//! Files are opened by `std` with `FILE_SHARE_READ | FILE_SHARE_WRITE |
//! FILE_SHARE_DELETE`, so readers, writers and `vx board clean` can open, rename and
//! remove a board while others have it open. Windows does refuse to delete a file while
//! a view of it is mapped: a creator whose board is mapped by a reader in another
//! process when it exits leaves the file behind, unlocked, for the next `vx board clean`
//! or `vx sync` to remove.

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::{
    ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, FILETIME, HANDLE, LocalFree, WAIT_TIMEOUT,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, GetSecurityInfo, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    GetLengthSid, GetTokenInformation, IsValidSid, OWNER_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR, PSID, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::{MoveFileExW, READ_CONTROL};
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, GetProcessTimes, OpenProcess, OpenProcessToken,
    PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_SYNCHRONIZE, WaitForSingleObject,
};

use super::Probe;

/// `%LOCALAPPDATA%\vx\boards` (else `%TEMP%\vx\boards`, which is under it too), created
/// if missing.
pub(super) fn board_dir() -> PathBuf {
    let base = std::env::var_os("LOCALAPPDATA")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join("vx").join("boards");
    // An error surfaces when a board is created or listed there.
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The file inherits the per-user directory's ACL (see the module's documentation).
pub(super) fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
}

/// NTFS allocates the whole length of a non-sparse file when it is extended, so a full
/// disk fails here (`ERROR_DISK_FULL`), not at a store through the mapping.
pub(super) fn reserve(file: &File, len: u64) -> io::Result<()> {
    file.set_len(len)
}

/// A rename that fails if `dest` exists. Windows would refuse to delete the staging name
/// while the creator maps it, so the file is moved rather than linked.
pub(super) fn publish(staging: &Path, dest: &Path) -> io::Result<()> {
    let (from, to) = (wide(staging)?, wide(dest)?);
    // SAFETY: both are NUL-terminated UTF-16 strings that live across the call; flags 0
    // means neither replace an existing file nor copy across volumes.
    if unsafe { MoveFileExW(from.as_ptr(), to.as_ptr(), 0) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `path` as a NUL-terminated wide string; a path holding a NUL cannot name a file.
fn wide(path: &Path) -> io::Result<Vec<u16>> {
    let mut wide: Vec<u16> = path.as_os_str().encode_wide().collect();
    if wide.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "path contains a NUL character",
        ));
    }
    wide.push(0);
    Ok(wide)
}

/// A security identifier, as its bytes (equal SIDs have equal bytes).
#[derive(Clone, PartialEq, Eq)]
pub(super) struct User(Vec<u8>);

impl User {
    /// Copies the SID at `sid`.
    ///
    /// # Safety
    ///
    /// `sid` must be null or point to a SID that stays valid for the call.
    unsafe fn copy_of(sid: PSID) -> io::Result<User> {
        // SAFETY: the caller promises `sid` is null or a valid SID; IsValidSid checks the
        // revision and sub-authority count before anything trusts the length.
        if sid.is_null() || unsafe { IsValidSid(sid) } == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the OS returned no valid SID",
            ));
        }
        // SAFETY: a valid SID (checked above) is GetLengthSid bytes long.
        let bytes = unsafe {
            let len = GetLengthSid(sid) as usize;
            std::slice::from_raw_parts(sid.cast::<u8>(), len)
        };
        Ok(User(bytes.to_vec()))
    }
}

impl fmt::Display for User {
    /// The SID's string form (`S-1-5-21-…`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text: *mut u16 = std::ptr::null_mut();
        // SAFETY: `self.0` holds the bytes of a SID validated when it was copied, and the
        // call only reads it; on success `text` is a NUL-terminated string that we read
        // up to its NUL and then free with LocalFree, as the API asks.
        let string = unsafe {
            if ConvertSidToStringSidW(self.0.as_ptr().cast_mut().cast(), &mut text) == 0 {
                None
            } else {
                let len = (0..).take_while(|&i| *text.add(i) != 0).count();
                let string = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
                LocalFree(text.cast());
                Some(string)
            }
        };
        match string {
            Some(string) => f.write_str(&string),
            None => write!(f, "SID {:02x?}", self.0),
        }
    }
}

/// The process token's user, looked up once.
pub(super) fn current_user() -> io::Result<User> {
    static CURRENT: OnceLock<User> = OnceLock::new();
    if let Some(user) = CURRENT.get() {
        return Ok(user.clone());
    }
    let user = token_user()?;
    Ok(CURRENT.get_or_init(|| user).clone())
}

fn token_user() -> io::Result<User> {
    // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no closing and is
    // valid for the whole call.
    token_user_of(unsafe { GetCurrentProcess() })
}

/// The user running process `pid` (the other end of a daemon pipe).
pub(super) fn process_user(pid: u32) -> io::Result<User> {
    // SAFETY: OpenProcess takes no pointers; a non-null result is a new handle that
    // OwnedHandle closes.
    let process = unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        OwnedHandle::from_raw_handle(handle)
    };
    token_user_of(process.as_raw_handle())
}

/// The user of the token of `process` (a handle with query access).
fn token_user_of(process: HANDLE) -> io::Result<User> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: `process` is open with query access for the call; `token` receives a new
    // handle on success, which OwnedHandle then closes.
    let token = unsafe {
        if OpenProcessToken(process, TOKEN_QUERY, &mut token) == 0 {
            return Err(io::Error::last_os_error());
        }
        OwnedHandle::from_raw_handle(token)
    };
    let mut needed = 0u32;
    // SAFETY: a null buffer of length 0 asks only for the size needed.
    let sized = unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            std::ptr::null_mut(),
            0,
            &mut needed,
        )
    };
    let error = io::Error::last_os_error();
    if sized == 0 && error.raw_os_error() != Some(ERROR_INSUFFICIENT_BUFFER as i32) {
        return Err(error);
    }
    // u64s, so the TOKEN_USER (which holds a pointer) at its start is aligned.
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    let len = u32::try_from(buffer.len() * 8).unwrap_or(u32::MAX);
    // SAFETY: `buffer` is writable for `len` bytes and 8-aligned; on success it holds a
    // TOKEN_USER whose SID points inside the buffer, which lives until after the copy.
    unsafe {
        if GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            buffer.as_mut_ptr().cast(),
            len,
            &mut needed,
        ) == 0
        {
            return Err(io::Error::last_os_error());
        }
        let info = &*buffer.as_ptr().cast::<TOKEN_USER>();
        User::copy_of(info.User.Sid)
    }
}

/// The owner SID from the file's security descriptor; `file` must have been opened with
/// `READ_CONTROL` (any read access includes it).
pub(super) fn owner_of(file: &File, _meta: &Metadata) -> io::Result<User> {
    let mut owner: PSID = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: the handle is open for the call; on success `owner` points into
    // `descriptor`, which the API allocated and which is freed only after the copy.
    unsafe {
        let status = GetSecurityInfo(
            file.as_raw_handle(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut descriptor,
        );
        if status != 0 {
            return Err(io::Error::from_raw_os_error(status as i32));
        }
        let user = User::copy_of(owner);
        LocalFree(descriptor);
        user
    }
}

/// Opens the file only to read its security descriptor (no data access, so it neither
/// conflicts with a creator's lock nor with its sharing mode).
pub(super) fn owner_of_path(path: &Path, meta: &Metadata) -> io::Result<User> {
    let file = OpenOptions::new().access_mode(READ_CONTROL).open(path)?;
    owner_of(&file, meta)
}

/// Windows has no mode bits: privacy comes from the directory's ACL (module docs).
pub(super) fn open_mode(_meta: &Metadata) -> Option<u32> {
    None
}

pub(super) fn probe(pid: u32) -> Probe {
    // SAFETY: OpenProcess takes no pointers; a non-null result is a new handle that
    // OwnedHandle closes.
    let process = unsafe {
        let handle = OpenProcess(
            PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_SYNCHRONIZE,
            0,
            pid,
        );
        if handle.is_null() {
            let error = io::Error::last_os_error();
            // No such process (any more). Any other refusal (a protected process) means
            // it exists: never call dead what cannot be shown dead.
            return if error.raw_os_error() == Some(ERROR_INVALID_PARAMETER as i32) {
                Probe::Gone
            } else {
                Probe::Running { start_ticks: None }
            };
        }
        OwnedHandle::from_raw_handle(handle)
    };
    // SAFETY: the handle is open and has SYNCHRONIZE access; a zero timeout only polls.
    // A process object is signalled once the process has exited.
    if unsafe { WaitForSingleObject(process.as_raw_handle(), 0) } != WAIT_TIMEOUT {
        return Probe::Gone;
    }
    Probe::Running {
        start_ticks: creation_time(process.as_raw_handle()),
    }
}

pub(super) fn current_start_ticks() -> u64 {
    // SAFETY: the pseudo-handle of the current process needs no closing.
    creation_time(unsafe { GetCurrentProcess() }).unwrap_or(0)
}

/// When the process of `handle` (open with query access) was created, in 100 ns
/// intervals since 1601-01-01 UTC.
fn creation_time(handle: HANDLE) -> Option<u64> {
    let zero = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
    // SAFETY: the handle is open with query access and the four out-pointers are valid
    // FILETIMEs for the call to fill.
    let ok = unsafe { GetProcessTimes(handle, &mut created, &mut exited, &mut kernel, &mut user) };
    let ticks = (u64::from(created.dwHighDateTime) << 32) | u64::from(created.dwLowDateTime);
    (ok != 0 && ticks != 0).then_some(ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_user_is_a_sid_and_owns_what_it_creates() {
        let me = current_user().unwrap();
        assert!(me.to_string().starts_with("S-1-"), "{me}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let file = create_private(&path).unwrap();
        let meta = file.metadata().unwrap();
        assert!(owner_of(&file, &meta).unwrap() == me);
        assert!(owner_of_path(&path, &meta).unwrap() == me);
    }

    #[test]
    fn publishing_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        assert!(publish(&a, &b).is_err());
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
        std::fs::remove_file(&b).unwrap();
        publish(&a, &b).unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "a");
        assert!(!a.exists());
    }
}
