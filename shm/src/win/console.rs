//! Console control events: what Windows sends a console program where Unix sends
//! SIGINT, SIGTERM or SIGHUP. Windows calls the handlers on a thread it creates for
//! each event (not in a signal context), so a handler may take locks, send on channels
//! and wait.
//!
//! Ctrl-C and Ctrl-Break go to every process attached to the console in the target
//! process group; a process started with `CREATE_NEW_PROCESS_GROUP` ignores Ctrl-C
//! until it says otherwise but still gets Ctrl-Break. For Close, Logoff and Shutdown,
//! Windows ends the process as soon as the handlers return (or after about five
//! seconds), so a handler that needs the process to wind down first waits in the
//! handler.

use std::io;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, HANDLE_FLAG_INHERIT, INVALID_HANDLE_VALUE, SetHandleInformation,
};
use windows_sys::Win32::System::Console::{
    AllocConsole, CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT,
    CTRL_SHUTDOWN_EVENT, GenerateConsoleCtrlEvent, GetStdHandle, STD_ERROR_HANDLE,
    STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

/// A console control event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Ctrl-C.
    CtrlC,
    /// Ctrl-Break.
    Break,
    /// The console window is being closed.
    Close,
    /// The user is logging off (services only, in practice).
    Logoff,
    /// The system is shutting down.
    Shutdown,
}

impl Event {
    fn from_raw(raw: u32) -> Option<Event> {
        Some(match raw {
            CTRL_C_EVENT => Event::CtrlC,
            CTRL_BREAK_EVENT => Event::Break,
            CTRL_CLOSE_EVENT => Event::Close,
            CTRL_LOGOFF_EVENT => Event::Logoff,
            CTRL_SHUTDOWN_EVENT => Event::Shutdown,
            _ => return None,
        })
    }

    /// Whether Windows ends the process once the handlers return (Close, Logoff,
    /// Shutdown), whatever they answer.
    pub fn ends_process(self) -> bool {
        matches!(self, Event::Close | Event::Logoff | Event::Shutdown)
    }
}

/// A handler: returns whether it handled the event (if none did, Windows' default
/// handler ends the process).
type Handler = Arc<dyn Fn(Event) -> bool + Send + Sync>;

/// The handlers added, called in order for each event.
fn handlers() -> &'static Mutex<Vec<Handler>> {
    static HANDLERS: Mutex<Vec<Handler>> = Mutex::new(Vec::new());
    &HANDLERS
}

/// The one routine registered with Windows; it calls every added handler.
unsafe extern "system" fn routine(raw: u32) -> BOOL {
    let Some(event) = Event::from_raw(raw) else {
        return 0;
    };
    // Called outside the lock: a handler may wait (see the module docs).
    let current: Vec<Handler> = handlers()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut handled = false;
    for handler in current {
        handled |= handler(event);
    }
    BOOL::from(handled)
}

/// Adds `handler` for this process's console control events, for the rest of its life.
/// The first call registers this module's routine with Windows; a failure to do so is
/// returned (a later call tries again).
pub fn add_handler(handler: impl Fn(Event) -> bool + Send + Sync + 'static) -> io::Result<()> {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    let mut list = handlers().lock().unwrap_or_else(PoisonError::into_inner);
    if REGISTERED.get().is_none() {
        // SAFETY: `routine` is a valid handler routine for the whole life of the
        // process (a plain function); TRUE adds it to the process's list.
        if unsafe { SetConsoleCtrlHandler(Some(routine), 1) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let _ = REGISTERED.set(());
    }
    list.push(Arc::new(handler));
    Ok(())
}

/// Gives this process a console if it has none (a program started without one), so
/// it can send console control events to the processes it starts next, which share it.
/// Returns whether a console was made; a process that has one keeps it.
pub fn ensure_console() -> io::Result<bool> {
    // SAFETY: no arguments; it fails (ERROR_ACCESS_DENIED) when the process already
    // has a console, and changes nothing then.
    if unsafe { AllocConsole() } != 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32) {
        Ok(false)
    } else {
        Err(err)
    }
}

/// Sends Ctrl-Break to the console process group `group` (a process started with
/// `CREATE_NEW_PROCESS_GROUP` leads a group whose id is its pid; 0 is every process
/// on this console). The caller must share the console with it.
pub fn send_break(group: u32) -> io::Result<()> {
    // SAFETY: no pointers; the call only posts an event.
    if unsafe { GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, group) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Keeps this process's standard handles out of the processes it starts next, except
/// where a child's stdio names them. Windows gives a child every inheritable handle of
/// its parent, and the handles a parent got as its own stdio are inheritable: a
/// long-lived child (the daemon) would otherwise hold the pipe its starter's caller
/// reads to the end, which then never ends.
pub fn keep_std_handles_from_children() {
    for which in [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
        // SAFETY: GetStdHandle takes no pointers; it returns a handle this process
        // holds (or null / INVALID_HANDLE_VALUE, skipped). SetHandleInformation only
        // clears the inherit flag of that open handle.
        unsafe {
            let handle = GetStdHandle(which);
            if !handle.is_null() && handle != INVALID_HANDLE_VALUE {
                SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
            }
        }
    }
}
