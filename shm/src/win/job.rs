//! A Job Object: a set of processes that can be ended together, and that Windows ends
//! together when the last handle to it closes (`JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE`),
//! so the children of a parent that dies, even by `TerminateProcess`, die with it.
//! A process started by a process in a job is in that job too (no breakaway is
//! allowed), which makes a job a process tree: a `vx install` child and its
//! `post_install` command and whatever that starts.

use std::io;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::process::Child;

use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JobObjectBasicAccountingInformation, JobObjectExtendedLimitInformation,
    QueryInformationJobObject, SetInformationJobObject, TerminateJobObject,
};

/// An anonymous Job Object whose processes are killed when it is dropped (the handle is
/// not inheritable, so this is the only one unless it is duplicated).
#[derive(Debug)]
pub struct Job(OwnedHandle);

impl Job {
    /// Creates a job that kills its processes when its last handle closes.
    pub fn new() -> io::Result<Job> {
        // SAFETY: null security attributes (a non-inheritable handle, default security)
        // and a null name (an anonymous job) are allowed; a non-null result is a new
        // handle that OwnedHandle closes.
        let job = unsafe {
            let handle = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if handle.is_null() {
                return Err(io::Error::last_os_error());
            }
            Job(OwnedHandle::from_raw_handle(handle))
        };
        // SAFETY: an all-zero JOBOBJECT_EXTENDED_LIMIT_INFORMATION (integers and
        // counters) is valid and means "no limits".
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        // SAFETY: the handle is open; the pointer and the size describe `limits`, which
        // lives across the call and is only read.
        let ok = unsafe {
            SetInformationJobObject(
                job.0.as_raw_handle(),
                JobObjectExtendedLimitInformation,
                (&raw const limits).cast(),
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(job)
    }

    /// Puts `child` (and so whatever it starts from now on) into the job. Processes it
    /// started before are not moved: assign a child before it can start any.
    pub fn assign(&self, child: &Child) -> io::Result<()> {
        // SAFETY: both handles are open for the call (`child` owns its process handle,
        // which has PROCESS_SET_QUOTA and PROCESS_TERMINATE as CreateProcess gives it).
        if unsafe { AssignProcessToJobObject(self.0.as_raw_handle(), child.as_raw_handle()) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Ends every process in the job at once, each with exit code `code`, as
    /// `TerminateProcess` would. Processes cannot delay or refuse it.
    pub fn terminate(&self, code: u32) -> io::Result<()> {
        // SAFETY: the handle is open and has every access right (we created the job).
        if unsafe { TerminateJobObject(self.0.as_raw_handle(), code) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// How many processes in the job are still running.
    pub fn active_processes(&self) -> io::Result<u32> {
        // SAFETY: all-zero is a valid JOBOBJECT_BASIC_ACCOUNTING_INFORMATION (integers).
        let mut info: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: the handle is open; the pointer and size describe `info`, writable for
        // the call; the returned length is not asked for (null).
        let ok = unsafe {
            QueryInformationJobObject(
                self.0.as_raw_handle(),
                JobObjectBasicAccountingInformation,
                (&raw mut info).cast(),
                size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>() as u32,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(info.ActiveProcesses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// A child that runs until it is killed: `cmd /C pause` waits for a key on a stdin
    /// that never gives one.
    fn waiting_child() -> Child {
        Command::new("cmd")
            .args(["/C", "pause"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    }

    #[test]
    fn terminating_a_job_ends_its_processes_with_the_code() {
        let job = Job::new().unwrap();
        let mut child = waiting_child();
        job.assign(&child).unwrap();
        assert_eq!(job.active_processes().unwrap(), 1);
        job.terminate(130).unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(130));
        assert_eq!(job.active_processes().unwrap(), 0);
    }

    #[test]
    fn dropping_the_job_kills_its_processes() {
        let job = Job::new().unwrap();
        let mut child = waiting_child();
        job.assign(&child).unwrap();
        let (done, ended) = std::sync::mpsc::channel();
        drop(job);
        // `pause` never returns by itself: only the kill ends the wait (with exit code
        // 0 under Wine). The deadline only keeps a broken kill from hanging the run.
        std::thread::spawn(move || done.send(child.wait().map(|_| ())));
        let ended = ended.recv_timeout(std::time::Duration::from_secs(30));
        assert!(matches!(ended, Ok(Ok(()))), "{ended:?}");
    }
}
