//! Every process of the machine as macOS describes it: its parent, real user, state,
//! start time and the environment it was exec'd with. The `vx` crate's task guard scans
//! these for what a task left outside its process group (`src/projects/tasks/guard/scan.rs`),
//! where the guard cannot be a subreaper.
//!
//! Here, not in the `vx` crate, because the project keeps all its unsafe code in this
//! crate; and here rather than through `sysinfo` (what the scan uses on Linux and the
//! BSDs) because sysinfo's macOS part links the IOKit and CoreFoundation frameworks,
//! which cannot be linked without Apple's SDK, and vx's macOS builds are linked on
//! Linux. What it calls is libSystem's alone: `proc_listallpids`, `proc_pidinfo`
//! (`PROC_PIDTBSDINFO`) and `sysctl` (`KERN_PROCARGS2`), the calls sysinfo makes for
//! the same facts.
//!
//! The parsing of `KERN_PROCARGS2`'s buffer ([`environ_of_procargs2`]) is a plain
//! function, built and unit-tested on every Unix; the calls are macOS's only.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// One process, as `processes` reads it (macOS only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// Its process id.
    pub pid: u32,
    /// Its parent's process id (0 for none).
    pub parent: u32,
    /// Its real user id.
    pub uid: u32,
    /// When it started, in seconds since the Unix epoch.
    pub start_secs: u64,
    /// Whether it has exited and waits to be reaped (a zombie).
    pub zombie: bool,
    /// The environment it was exec'd with (`NAME=value` each); empty when the system
    /// would not say (another user's process) or while it is in the middle of `execve`.
    pub environ: Vec<OsString>,
}

/// The environment strings of a `KERN_PROCARGS2` buffer.
///
/// The layout, as XNU writes it (`bsd/kern/kern_sysctl.c`, `sysctl_procargsx`) and as
/// sysinfo 0.38's `src/unix/apple/macos/process.rs` reads it: `argc` (a native-endian
/// 32-bit integer), the executable's path, NUL padding, then `argc` NUL-terminated
/// arguments, then the environment's NUL-terminated strings, ended by an empty string
/// or the buffer's end. Each argument is read as exactly one string, so an empty
/// argument is counted (sysinfo skips every run of NULs, which shifts the environment
/// by one where an argument is empty); only an empty first argument is taken for
/// padding, as nothing tells them apart. A buffer too short for `argc` gives nothing.
pub fn environ_of_procargs2(buffer: &[u8]) -> Vec<OsString> {
    let Some((argc, mut rest)) = buffer.split_first_chunk::<4>() else {
        return Vec::new();
    };
    let argc = i32::from_ne_bytes(*argc);
    // The executable's path, then its padding.
    rest = skip_nuls(skip_string(rest));
    for _ in 0..argc.max(0) {
        if rest.is_empty() {
            return Vec::new();
        }
        rest = skip_string(rest);
    }
    let mut environ = Vec::new();
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        environ.push(std::ffi::OsStr::from_bytes(&rest[..end]).to_os_string());
        rest = &rest[(end + 1).min(rest.len())..];
    }
    environ
}

/// `bytes` after its first NUL-terminated string (and that NUL).
fn skip_string(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[end + 1..],
        None => &[],
    }
}

/// `bytes` after its leading NULs.
fn skip_nuls(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(target_os = "macos")]
pub(crate) use macos::bsd_info;
#[cfg(target_os = "macos")]
pub use macos::processes;

#[cfg(target_os = "macos")]
mod macos {
    use std::io;
    use std::mem::{MaybeUninit, size_of};

    use super::{Process, environ_of_procargs2};

    /// Every process of the machine that the system describes to this user (one that
    /// exits while it is read is left out). The environment is read for every process;
    /// another user's reads empty (the system refuses it).
    pub fn processes() -> io::Result<Vec<Process>> {
        let mut list = Vec::new();
        for pid in all_pids()? {
            let Ok(info) = bsd_info(pid) else { continue };
            list.push(Process {
                pid,
                parent: info.pbi_ppid,
                uid: info.pbi_ruid,
                start_secs: info.pbi_start_tvsec,
                zombie: info.pbi_status == libc::SZOMB,
                environ: procargs2(pid)
                    .map(|buffer| environ_of_procargs2(&buffer))
                    .unwrap_or_default(),
            });
        }
        Ok(list)
    }

    /// Every process id (`proc_listallpids`), in a buffer with room for a few more than
    /// the count it first gives, as processes start meanwhile.
    fn all_pids() -> io::Result<Vec<u32>> {
        // SAFETY: a null buffer of size 0 asks for the number of processes only.
        let count = unsafe { libc::proc_listallpids(std::ptr::null_mut(), 0) };
        if count < 0 {
            return Err(io::Error::last_os_error());
        }
        let room = usize::try_from(count).unwrap_or(0) + 64;
        let mut pids = vec![0 as libc::c_int; room];
        let bytes = libc::c_int::try_from(room * size_of::<libc::c_int>())
            .map_err(|_| io::Error::other("too many processes"))?;
        // SAFETY: `pids` is a writable buffer of exactly `bytes` bytes of c_int; the
        // call writes at most that many and returns how many ids it wrote.
        let written = unsafe { libc::proc_listallpids(pids.as_mut_ptr().cast(), bytes) };
        if written < 0 {
            return Err(io::Error::last_os_error());
        }
        pids.truncate(usize::try_from(written).unwrap_or(0).min(room));
        Ok(pids
            .into_iter()
            .filter_map(|pid| u32::try_from(pid).ok())
            .collect())
    }

    /// `proc_pidinfo(PROC_PIDTBSDINFO)`: parent, users, status and start time; the
    /// system's error for a process gone meanwhile (`ESRCH`) or one it will not
    /// describe (`EPERM`). Also what the liveness probe of `crate::platform` asks.
    pub(crate) fn bsd_info(pid: u32) -> io::Result<libc::proc_bsdinfo> {
        let invalid = |_| io::Error::from(io::ErrorKind::InvalidInput);
        let raw = libc::c_int::try_from(pid).map_err(invalid)?;
        let mut info = MaybeUninit::<libc::proc_bsdinfo>::zeroed();
        let size = libc::c_int::try_from(size_of::<libc::proc_bsdinfo>()).map_err(invalid)?;
        // SAFETY: `info` is a writable buffer of exactly `size` bytes for the call to
        // fill; proc_pidinfo writes at most `size` bytes and returns how many it wrote.
        let written = unsafe {
            libc::proc_pidinfo(
                raw,
                libc::PROC_PIDTBSDINFO,
                0,
                info.as_mut_ptr().cast(),
                size,
            )
        };
        if written != size {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the call filled all `size` bytes, and `proc_bsdinfo` is plain integers
        // and byte arrays, valid for any bit pattern (it was zeroed before, too).
        Ok(unsafe { info.assume_init() })
    }

    /// The raw `KERN_PROCARGS2` buffer of `pid`: its arguments and environment as
    /// exec'd; `None` when the system refuses (another user's process, a zombie).
    fn procargs2(pid: u32) -> Option<Vec<u8>> {
        let raw = libc::c_int::try_from(pid).ok()?;
        let mut mib = [libc::CTL_KERN, libc::KERN_PROCARGS2, raw];
        let mut size: libc::size_t = 0;
        // SAFETY: `mib` names three valid integers; a null old-value buffer asks for
        // the size only, written into `size`; no new value is set.
        let asked = unsafe {
            libc::sysctl(
                mib.as_mut_ptr(),
                3,
                std::ptr::null_mut(),
                &mut size,
                std::ptr::null_mut(),
                0,
            )
        };
        if asked != 0 || size == 0 {
            return None;
        }
        let mut buffer = vec![0u8; size];
        // SAFETY: `buffer` is writable for `size` bytes, which `size` tells the call;
        // it writes at most that many and sets `size` to how many it wrote.
        let got = unsafe {
            libc::sysctl(
                mib.as_mut_ptr(),
                3,
                buffer.as_mut_ptr().cast(),
                &mut size,
                std::ptr::null_mut(),
                0,
            )
        };
        if got != 0 {
            return None;
        }
        buffer.truncate(size);
        Some(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `KERN_PROCARGS2` buffer laid out as XNU's `sysctl_procargsx` writes it (see
    /// [`environ_of_procargs2`]): `argc`, the path (the first string) and `padding`
    /// NULs more, then the other strings NUL-terminated. No Mac was at hand to capture
    /// a real one, so the tests build it from that documented layout.
    fn buffer(argc: i32, strings: &[&str], padding: usize) -> Vec<u8> {
        let mut bytes = argc.to_ne_bytes().to_vec();
        let (path, rest) = strings.split_first().unwrap();
        bytes.extend_from_slice(path.as_bytes());
        bytes.extend(std::iter::repeat_n(0, 1 + padding));
        for s in rest {
            bytes.extend_from_slice(s.as_bytes());
            bytes.push(0);
        }
        bytes
    }

    #[test]
    fn the_environment_follows_the_path_and_the_arguments() {
        let mut bytes = buffer(
            2,
            &[
                "/bin/sleep",
                "sleep",
                "30",
                "HOME=/Users/a",
                "VX_TASK_GUARD_ID=41.7",
            ],
            5,
        );
        // The empty string ending the environment, then an `apple` string.
        bytes.push(0);
        bytes.extend_from_slice(b"executable_path=/bin/sleep\0");
        assert_eq!(
            environ_of_procargs2(&bytes),
            vec![
                OsString::from("HOME=/Users/a"),
                "VX_TASK_GUARD_ID=41.7".into()
            ]
        );
    }

    #[test]
    fn an_argument_that_looks_like_a_variable_is_not_one() {
        let bytes = buffer(2, &["/usr/bin/env", "env", "A=1", "B=2"], 0);
        assert_eq!(environ_of_procargs2(&bytes), vec![OsString::from("B=2")]);
    }

    /// `sh -c '' X=1` style: an empty argument is an argument, not the environment's end.
    #[test]
    fn an_empty_argument_is_counted() {
        let bytes = buffer(3, &["/bin/sh", "sh", "", "-x", "VX_TASK_GUARD_ID=9.1"], 3);
        assert_eq!(
            environ_of_procargs2(&bytes),
            vec![OsString::from("VX_TASK_GUARD_ID=9.1")]
        );
    }

    #[test]
    fn a_short_or_cut_buffer_gives_what_it_holds_and_no_panic() {
        assert!(environ_of_procargs2(&[]).is_empty());
        assert!(environ_of_procargs2(&[1, 0]).is_empty());
        // argc says 3 arguments, the buffer ends after one.
        let cut = buffer(3, &["/bin/sh", "sh"], 2);
        assert!(environ_of_procargs2(&cut).is_empty());
        // A last variable without its NUL is still read.
        let mut open = buffer(1, &["/bin/sh", "sh"], 0);
        open.extend_from_slice(b"X=1");
        assert_eq!(environ_of_procargs2(&open), vec![OsString::from("X=1")]);
        // A negative argc (nonsense) reads as none.
        let negative = buffer(-1, &["/bin/sh", "Y=2"], 0);
        assert_eq!(environ_of_procargs2(&negative), vec![OsString::from("Y=2")]);
    }
}
