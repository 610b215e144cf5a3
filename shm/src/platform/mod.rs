//! The platform layer: everything the board needs from the operating system beyond
//! what `std` and `memmap2` offer alike everywhere, behind one API chosen at compile
//! time. The rest of the crate calls these functions and never names a platform, so a
//! port is one file here: `unix.rs` (Linux, macOS and the other Unixes) or `windows.rs`.
//!
//! | concern | Linux | macOS | Windows |
//! |---|---|---|---|
//! | board directory | `/dev/shm` (else the temporary directory) | `$TMPDIR/vx-boards`, mode 0700 | `%LOCALAPPDATA%\vx\boards` |
//! | a private board file | created with mode 0600 | created with mode 0600 | inherits the per-user directory's ACL (the user, SYSTEM, Administrators) |
//! | owner check on attach and listing | file uid = effective uid | file uid = effective uid | file owner SID = the process token's user SID |
//! | privacy check on attach | no group or other mode bit | no group or other mode bit | none beyond the owner: see [`private_mode`] |
//! | preallocation | `fallocate` | `fallocate` (`F_PREALLOCATE`) | `SetFileInformationByHandle` (non-sparse) |
//! | publishing a staged board | hard link, then unlink the staging name | the same | `MoveFileExW` without replacing |
//! | process start time | `/proc/PID/stat` field 22 (clock ticks since boot) | `proc_pidinfo` start (µs since the epoch) | `GetProcessTimes` creation (100 ns since 1601) |
//!
//! Creator liveness (an exclusive lock held on the board file for the creator's life)
//! needs nothing here: `std`'s `File::lock`/`try_lock_shared` are `flock` on Unix and
//! `LockFileEx` on Windows, and the OS drops either when the process dies.

use std::fmt;
use std::fs::{File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The platform's default directory for live boards (`VX_BOARD_DIR` is handled by the
/// caller). Created, private to the user, where it is a directory of our own (macOS,
/// Windows); a failure to create it surfaces when a board is created or listed there.
pub(crate) fn board_dir() -> PathBuf {
    imp::board_dir()
}

/// Creates `path` exclusively (never opening an existing file), readable and writable,
/// private to the user: mode 0600 on Unix; on Windows the file inherits the ACL of the
/// per-user directory it is made in.
pub(crate) fn create_private(path: &Path) -> io::Result<File> {
    imp::create_private(path)
}

/// Gives a new, empty file `len` bytes of real storage before it is mapped. A sparse file
/// on a full file system (a small Docker `/dev/shm`) would raise SIGBUS, or an in-page
/// error on Windows, at the first store through the mapping, with nothing said; this
/// reports the lack of space as an error instead ([`io::ErrorKind::StorageFull`]).
pub(crate) fn reserve(file: &File, len: u64) -> io::Result<()> {
    imp::reserve(file, len)
}

/// Gives the fully initialised staging file `staging` its final name `dest`, failing if
/// `dest` exists, so a board appears whole or not at all and never replaces another.
/// The staging name may remain afterwards (Unix: it is a second link); the caller
/// removes it, ignoring errors.
pub(crate) fn publish(staging: &Path, dest: &Path) -> io::Result<()> {
    imp::publish(staging, dest)
}

/// A user as the OS identifies the owner of a file: a uid on Unix, a SID on Windows.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct User(imp::User);

impl User {
    /// The user this process acts as (the effective uid; the process token's user).
    pub(crate) fn current() -> io::Result<User> {
        imp::current_user().map(User)
    }

    /// The owner of the open file `file`, whose metadata is `meta` (Unix reads the uid
    /// from `meta`; Windows asks the file's security descriptor).
    pub(crate) fn owner_of(file: &File, meta: &Metadata) -> io::Result<User> {
        imp::owner_of(file, meta).map(User)
    }

    /// The owner of the file at `path`, whose metadata is `meta`, for listing a
    /// directory (on Unix no file is opened).
    pub(crate) fn owner_of_path(path: &Path, meta: &Metadata) -> io::Result<User> {
        imp::owner_of_path(path, meta).map(User)
    }

    /// The user running process `pid`.
    #[cfg(windows)]
    pub(crate) fn of_process(pid: u32) -> io::Result<User> {
        imp::process_user(pid).map(User)
    }
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The permission bits of a live board that opens it to other users, if any: on Unix
/// its mode when a group or other bit is set. `None` means private as far as the
/// platform can tell; on Windows always `None`: a board is private by the ACL of the
/// per-user directory it lives in, and [`User::owner_of`] refuses boards of other users.
pub(crate) fn private_mode(meta: &Metadata) -> Option<u32> {
    imp::open_mode(meta)
}

/// What the OS says of a process id, right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// No such process, or it has exited (a Unix zombie counts as exited).
    Gone,
    /// A process with this id runs; its start time if the platform could tell it.
    Running {
        /// In the platform's unit (see the module's table); `None` if unknown.
        start_ticks: Option<u64>,
    },
}

/// Looks up process `pid` (non-zero). A few syscalls: for the rare suspect path only.
pub(crate) fn probe(pid: u32) -> Probe {
    imp::probe(pid)
}

/// The calling process's start time in the platform's unit; 0 if it cannot be told.
pub(crate) fn current_start_ticks() -> u64 {
    imp::current_start_ticks()
}
