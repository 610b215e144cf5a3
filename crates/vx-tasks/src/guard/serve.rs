//! The guard process: serves one `vx run`'s spawn and signal requests on the socket it
//! got as its stdin, supervises every task it started, and stops them all when the run
//! goes away. One thread, one loop: reap, finish what ended, enforce grace periods, then
//! wait (`poll`) for a request, a signal or a child's exit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitOptions};

use super::protocol::{Inbox, Reply, Request, Spawn, StopSignal};
use super::scan::Scan;
use super::transport;
use super::tree::{self, Lister};

/// The longest the guard waits before it looks at its tasks, its signals and its
/// parent again. A child's exit, a request or a signal wakes it at once; the tick is for
/// what sends nothing: the end of a grace period, and a parent that died where there is
/// no parent-death signal.
const TICK: Duration = Duration::from_millis(20);

/// One task's process as the guard tracks it.
struct Task {
    /// Its process id, the leader of its process group.
    root: u32,
    /// Its exit code, once it has exited.
    code: Option<i32>,
    /// When it was first asked to stop (or, after it exited, when what it left running
    /// was): SIGKILL follows after the grace period.
    stopping: Option<Instant>,
    /// Its [`tree::MARK`] value.
    mark: String,
    /// Whether its process group was seen empty, once its process had exited: it is
    /// gone for good (nothing can join it again), and its number may be another
    /// group's by now, so it is never signalled again.
    group_gone: bool,
}

/// A child of the guard that is no task's process and whose mark could not be read
/// (see [`tree::Mark`]): since when, and whether it read as an empty environment.
struct Unsure {
    since: Instant,
    empty: bool,
}

/// Whose one of the guard's children is.
enum Owner {
    /// The task with this [`tree::MARK`] value's.
    Task(String),
    /// No task's that can be told: stopped with the run.
    Nobody,
    /// Not known yet (see [`tree::Mark::Unsure`]).
    Unsure,
}

/// What a look at the guard's children found for one task.
#[derive(Default)]
struct Leftovers {
    /// The task's own: children carrying its mark.
    ours: Vec<u32>,
    /// Whether some child could not tell whose it is yet: the task's end waits.
    unsure: bool,
}

/// The guard's state.
struct Guard {
    socket: UnixStream,
    /// Whether the socket is still open for requests.
    listening: bool,
    inbox: Inbox,
    grace: Duration,
    lister: Lister,
    /// As a subreaper, a guard with no child left has no descendant left.
    subreaper: bool,
    /// Where the guard is no subreaper (macOS, the BSDs, or when asked): how it finds
    /// what its tasks left outside their groups, by their marks.
    scan: Option<Scan>,
    tasks: BTreeMap<u64, Task>,
    by_root: HashMap<u32, u64>,
    /// Children whose mark could not be read, by process id.
    unsure: HashMap<u32, Unsure>,
    /// When the whole run's stop began (the socket closed, a bad request, a signal,
    /// the parent gone).
    shutdown: Option<Instant>,
    /// What still stands long after SIGKILL during the stop is not waited for.
    gave_up: bool,
}

/// Runs the guard for the `vx run` process `parent` on `socket` (its end of the pair);
/// returns the guard's exit code: 0, or 2 after a request it could not read. `scan`:
/// find what tasks leave behind with the [scan](super::scan) even where the guard could
/// be a subreaper (Linux), as it does where it cannot.
pub(crate) fn serve(socket: UnixStream, parent: u32, grace: Duration, scan: bool) -> i32 {
    #[cfg(target_os = "linux")]
    let subreaper = {
        let _ = rustix::process::set_parent_process_death_signal(Some(Signal::TERM));
        !scan && rustix::process::set_child_subreaper(Some(rustix::process::getpid())).is_ok()
    };
    #[cfg(not(target_os = "linux"))]
    let subreaper = {
        let _ = scan;
        false
    };
    let flags: Vec<Arc<AtomicBool>> = [Signal::INT, Signal::TERM, Signal::HUP]
        .into_iter()
        .map(|signal| {
            let flag = Arc::new(AtomicBool::new(false));
            let _ = signal_hook::flag::register(signal.as_raw(), Arc::clone(&flag));
            flag
        })
        .collect();
    // The wake pipe: a byte for every signal above and every child's exit.
    let wake = UnixStream::pair().and_then(|(rx, tx)| {
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        for signal in [Signal::CHILD, Signal::INT, Signal::TERM, Signal::HUP] {
            signal_hook::low_level::pipe::register(signal.as_raw(), tx.try_clone()?)?;
        }
        Ok(rx)
    });
    let parent_gone =
        || rustix::process::getppid().map(|p| p.as_raw_nonzero().get() as u32) != Some(parent);
    let mut guard = Guard {
        socket,
        listening: true,
        inbox: Inbox::default(),
        grace,
        lister: Lister::detect(),
        subreaper,
        scan: (!subreaper).then(|| Scan::new(std::process::id())),
        tasks: BTreeMap::new(),
        by_root: HashMap::new(),
        unsure: HashMap::new(),
        shutdown: None,
        gave_up: false,
    };
    let mut code = 0;
    loop {
        if guard.shutdown.is_none()
            && (flags.iter().any(|f| f.swap(false, Ordering::Relaxed)) || parent_gone())
        {
            guard.begin_shutdown();
        }
        let childless = guard.reap();
        guard.finish_ended();
        let left = guard.left(childless);
        guard.enforce_grace(left);
        if guard.shutdown.is_some() && guard.tasks.is_empty() && !left {
            break;
        }
        guard.wait(wake.as_ref().ok());
        if guard.listening
            && let Err(e) = guard.read_requests()
        {
            eprintln!("vx task-guard: {e}; stopping every task");
            code = 2;
            guard.begin_shutdown();
        }
    }
    code
}

/// Why the guard stops reading requests (and stops every task): `vx run`'s socket
/// failed, or what came on it is no frame of the protocol.
#[derive(Debug, thiserror::Error)]
enum ReadError {
    /// A frame (or what was left at the socket's end) is not the protocol's.
    #[error(transparent)]
    Protocol(#[from] super::protocol::ProtocolError),
    /// The socket could not be read.
    #[error("cannot read a request: {0}")]
    Socket(#[source] std::io::Error),
}

impl Guard {
    /// Reaps every child that ended: a task's process (its code kept) or an orphan
    /// handed to the guard. Returns whether no child at all is left.
    fn reap(&mut self) -> bool {
        loop {
            match rustix::process::wait(WaitOptions::NOHANG) {
                Ok(Some((pid, status))) => {
                    let pid = pid.as_raw_nonzero().get() as u32;
                    if let Some(task) = self
                        .by_root
                        .remove(&pid)
                        .and_then(|id| self.tasks.get_mut(&id))
                    {
                        task.code = Some(
                            status
                                .exit_status()
                                .or_else(|| status.terminating_signal().map(|s| 128 + s))
                                .unwrap_or(1),
                        );
                    }
                }
                Err(rustix::io::Errno::CHILD) => return true,
                Err(rustix::io::Errno::INTR) => {}
                _ => return false,
            }
        }
    }

    /// Every task whose process has exited: what it left running is stopped (SIGTERM,
    /// SIGKILL after the grace); once nothing of it is left, `vx run` is told its code.
    fn finish_ended(&mut self) {
        let ended: Vec<u64> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.code.is_some())
            .map(|(&id, _)| id)
            .collect();
        if ended.is_empty() {
            return;
        }
        let children = self.children_marks();
        for id in ended {
            let left = self.leftovers_in(id, &children);
            let task = self.tasks.get_mut(&id).expect("listed above");
            if !task.group_gone && !group_alive(task.root) {
                task.group_gone = true;
            }
            if left.ours.is_empty() && !left.unsure && task.group_gone {
                let code = task.code.unwrap_or(1);
                self.tasks.remove(&id);
                self.reply(&Reply::Ended { id, code });
            } else if task.stopping.is_none() {
                task.stopping = Some(Instant::now());
                self.signal_task(id, Signal::TERM);
            }
        }
    }

    /// Whether anything the guard answers for is left besides its tasks' processes:
    /// as a subreaper, any child (`childless` says there is none); with the scan,
    /// during the run's stop, any process that carries one of its marks (what a task
    /// left detached, a watched process: each stopped like the rest, SIGKILL after the
    /// grace, not left running once the guard is gone).
    fn left(&self, childless: bool) -> bool {
        if self.gave_up {
            return false;
        }
        if self.subreaper {
            return !childless;
        }
        match (&self.scan, self.shutdown) {
            (Some(scan), Some(_)) => !scan.look().any_marked().is_empty(),
            _ => false,
        }
    }

    /// SIGKILL for every task (or the whole run) whose grace period is over; `left`:
    /// something of the run besides its tasks' processes is left ([`Guard::left`]).
    fn enforce_grace(&mut self, left: bool) {
        let overdue: Vec<u64> = self
            .tasks
            .iter()
            .filter(|(_, t)| t.stopping.is_some_and(|at| at.elapsed() >= self.grace))
            .map(|(&id, _)| id)
            .collect();
        for id in overdue {
            self.signal_task(id, Signal::KILL);
        }
        if let Some(at) = self.shutdown
            && at.elapsed() >= self.grace
            && left
        {
            self.signal_everything(Signal::KILL);
            if at.elapsed() >= self.grace * 2 + Duration::from_secs(1) {
                // What still stands after SIGKILL is not ours to wait for (a process
                // stuck in the kernel): stop tracking it rather than hang.
                self.tasks.clear();
                self.gave_up = true;
            }
        }
    }

    /// Stops everything: the socket's end, a bad request, a signal or the parent's
    /// death. SIGTERM now to every task's group and every descendant; SIGKILL after the
    /// grace period.
    fn begin_shutdown(&mut self) {
        if self.shutdown.is_some() {
            return;
        }
        self.shutdown = Some(Instant::now());
        self.listening = false;
        let _ = self.socket.shutdown(std::net::Shutdown::Read);
        self.signal_everything(Signal::TERM);
        for task in self.tasks.values_mut() {
            task.stopping.get_or_insert_with(Instant::now);
        }
    }

    /// Sends `signal` to every task's group and to every descendant of the guard outside
    /// those groups (each process once: see [`Guard::signal_task`]).
    fn signal_everything(&self, signal: Signal) {
        let signalled: Vec<u32> = self
            .tasks
            .values()
            .filter(|t| !t.group_gone && kill_group(t.root, signal))
            .map(|t| t.root)
            .collect();
        let me = std::process::id();
        let everything = match &self.scan {
            Some(scan) => {
                // Whatever carries one of the guard's marks, wherever it went, and what
                // descends from it or from the guard.
                let look = scan.look();
                let mut roots = look.any_marked();
                roots.push(me);
                let mut all: BTreeSet<u32> = look.descendants(&roots).into_iter().collect();
                all.extend(roots);
                all.remove(&me);
                all.into_iter().collect()
            }
            None => self.lister.descendants(&[me]),
        };
        for pid in outside(everything, &signalled) {
            kill(pid, signal);
        }
    }

    /// Sends `signal` to a task's process group, the processes it started that left the
    /// group, and the detached processes re-parented to the guard that carry its mark.
    ///
    /// Each process gets it once: a process the group's signal reached is not signalled
    /// again on its own. A second SIGINT or SIGTERM is not harmless: a shell runs its
    /// trap again for it when it comes while the first one runs (a trap that appends
    /// `cancelled` to a file wrote it twice whenever the guard was descheduled between
    /// the group's signal and the task's process's own).
    fn signal_task(&self, id: u64, signal: Signal) {
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        let signalled = (!task.group_gone && kill_group(task.root, signal)).then_some(task.root);
        for pid in self.strays(id, signalled.as_slice()) {
            kill(pid, signal);
        }
    }

    /// The processes of task `id` that a signal to the process groups `signalled` (its
    /// own, when that was signalled) did not reach: those of its process and its
    /// detached leftovers (and their descendants) that are in no such group.
    fn strays(&self, id: u64, signalled: &[u32]) -> Vec<u32> {
        let Some(task) = self.tasks.get(&id) else {
            return Vec::new();
        };
        let look = self.scan.as_ref().map(Scan::look);
        let mut roots = match &look {
            // Everything that carries the task's mark, in its group or not.
            Some(look) => look
                .marked(&task.mark)
                .into_iter()
                .filter(|pid| !self.by_root.contains_key(pid))
                .collect(),
            None => self.leftovers(id),
        };
        if task.code.is_none() {
            roots.push(task.root);
        }
        let descendants = match &look {
            Some(look) => look.descendants(&roots),
            None => self.lister.descendants(&roots),
        };
        // A marked process is often also a descendant of another: each once.
        let all: BTreeSet<u32> = roots.into_iter().chain(descendants).collect();
        outside(all, signalled)
    }

    /// The guard's children that belong to task `id` without being its process: what it
    /// started, which lost its parent and left the task's group (as a subreaper; with
    /// the scan, [`Guard::strays`] looks for them itself).
    /// Those whose mark cannot be read yet are left out (they may be another task's).
    fn leftovers(&self, id: u64) -> Vec<u32> {
        let Some(task) = self.tasks.get(&id) else {
            return Vec::new();
        };
        if !self.subreaper {
            return Vec::new();
        }
        self.lister
            .children(std::process::id())
            .into_iter()
            .filter(|pid| !self.by_root.contains_key(pid))
            .filter(|&pid| tree::mark(pid) == tree::Mark::Is(task.mark.clone()))
            .collect()
    }

    /// Task `id`'s share of `children` (from [`Guard::children_marks`]).
    fn leftovers_in(&self, id: u64, children: &[(u32, Owner)]) -> Leftovers {
        let Some(task) = self.tasks.get(&id) else {
            return Leftovers::default();
        };
        let mut left = Leftovers::default();
        for (pid, owner) in children {
            match owner {
                Owner::Task(mark) if *mark == task.mark => left.ours.push(*pid),
                Owner::Unsure => left.unsure = true,
                _ => {}
            }
        }
        left
    }

    /// The processes that are no task's process but may be what a task left behind,
    /// each with its mark as read: as a subreaper, the guard's children (handed to it);
    /// with the scan, this user's processes that carry one of the guard's marks or whose
    /// environment reads empty.
    fn detached(&self) -> Vec<(u32, tree::Mark)> {
        let not_root = |pid: &u32| !self.by_root.contains_key(pid);
        if self.subreaper {
            self.lister
                .children(std::process::id())
                .into_iter()
                .filter(not_root)
                .map(|pid| (pid, tree::mark(pid)))
                .collect()
        } else if let Some(scan) = &self.scan {
            let mut marks = scan.look().marks;
            marks.retain(|(pid, _)| not_root(pid));
            marks
        } else {
            Vec::new()
        }
    }

    /// The [detached](Guard::detached) processes, each with whose it is. A process
    /// whose mark cannot be read yet is [`Owner::Unsure`] until it can, for at most the
    /// grace period (or, when it read as an empty environment, until a second look a
    /// tick later says the same).
    fn children_marks(&mut self) -> Vec<(u32, Owner)> {
        let detached = self.detached();
        self.unsure
            .retain(|pid, _| detached.iter().any(|(p, _)| p == pid));
        let now = Instant::now();
        let mut out = Vec::with_capacity(detached.len());
        for (pid, mark) in detached {
            let owner = match mark {
                tree::Mark::Is(mark) => Owner::Task(mark),
                tree::Mark::Absent => Owner::Nobody,
                found @ (tree::Mark::Unsure | tree::Mark::Empty) => {
                    let empty = found == tree::Mark::Empty;
                    let seen = self
                        .unsure
                        .entry(pid)
                        .or_insert(Unsure { since: now, empty });
                    // An environment seen empty twice, a tick apart, is empty; one that
                    // stays unreadable for the grace period is taken as unmarked.
                    let settled = if empty && seen.empty {
                        now.duration_since(seen.since) >= TICK
                    } else {
                        now.duration_since(seen.since) >= self.grace
                    };
                    if !empty {
                        seen.empty = false;
                    }
                    if settled {
                        Owner::Nobody
                    } else {
                        Owner::Unsure
                    }
                }
            };
            if !matches!(owner, Owner::Unsure) {
                self.unsure.remove(&pid);
            }
            out.push((pid, owner));
        }
        out
    }

    /// Waits for a request, a signal, a child's exit, or the tick.
    fn wait(&self, wake: Option<&UnixStream>) {
        use rustix::event::{PollFd, PollFlags, Timespec};
        let timeout = Timespec::try_from(TICK).ok();
        let mut fds = Vec::with_capacity(2);
        if let Some(wake) = wake {
            fds.push(PollFd::new(wake, PollFlags::IN));
        }
        if self.listening {
            fds.push(PollFd::new(&self.socket, PollFlags::IN));
        }
        let _ = rustix::event::poll(&mut fds, timeout.as_ref());
        if let Some(mut wake) = wake {
            let mut buf = [0u8; 64];
            while matches!(wake.read(&mut buf), Ok(n) if n > 0) {}
        }
    }

    /// Reads what has come on the socket, if anything, and serves every whole request.
    fn read_requests(&mut self) -> Result<(), ReadError> {
        let mut fds = [rustix::event::PollFd::new(
            &self.socket,
            rustix::event::PollFlags::IN,
        )];
        let zero = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        if rustix::event::poll(&mut fds, Some(&zero)).unwrap_or(0) == 0 {
            return Ok(());
        }
        match transport::receive(&self.socket, &mut self.inbox) {
            Ok(0) => {
                // `vx run` is done (or gone): stop what is left.
                let cut = self.inbox.at_end().map_err(ReadError::from);
                self.begin_shutdown();
                return cut;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => {
                self.begin_shutdown();
                return Err(ReadError::Socket(e));
            }
        }
        while let Some(body) = self.inbox.next_frame()? {
            let request = Request::decode(&body, &mut self.inbox.fds)?;
            self.serve(request);
        }
        Ok(())
    }

    fn serve(&mut self, request: Request) {
        match request {
            Request::Spawn(spawn, stdio) => {
                let id = spawn.id;
                let reply = match self.start(spawn, stdio) {
                    Ok(pid) => Reply::Started { id, pid },
                    Err(e) => Reply::Failed {
                        id,
                        error: e.to_string(),
                    },
                };
                self.reply(&reply);
            }
            Request::Signal { id, signal } => {
                if let Some(task) = self.tasks.get_mut(&id) {
                    if signal != StopSignal::Kill {
                        task.stopping.get_or_insert_with(Instant::now);
                    }
                    self.signal_task(id, signal.signal());
                }
            }
        }
    }

    /// Starts a task's command with its three streams; returns its process id.
    fn start(&mut self, spawn: Spawn, stdio: Vec<OwnedFd>) -> std::io::Result<u32> {
        if self.tasks.contains_key(&spawn.id) {
            return Err(std::io::Error::other("a task number used twice"));
        }
        let mark = format!("{}.{}", std::process::id(), spawn.id);
        // The task's own `PATH`, when its environment changes set one.
        let path = spawn
            .env
            .iter()
            .rev()
            .find(|(key, _)| key == "PATH")
            .and_then(|(_, value)| value.as_deref());
        let found = path.and_then(|path| on_path(&spawn.program, path));
        let mut command = Command::new(
            found
                .as_deref()
                .unwrap_or(std::path::Path::new(&spawn.program)),
        );
        // `$0` as the task gave it (`sh`), not the path it was found at.
        command.arg0(&spawn.program);
        command.args(&spawn.args);
        for (key, value) in &spawn.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command.env(tree::MARK, OsString::from(&mark));
        if let Some(cwd) = &spawn.cwd {
            command.current_dir(cwd);
        }
        if spawn.own_group {
            command.process_group(0);
        }
        let mut stdio = stdio.into_iter().map(Stdio::from);
        let (Some(stdin), Some(stdout), Some(stderr)) = (stdio.next(), stdio.next(), stdio.next())
        else {
            return Err(std::io::Error::other("a spawn request without its streams"));
        };
        command.stdin(stdin).stdout(stdout).stderr(stderr);
        let child = vx_base::platform::process::spawn(&mut command)?;
        // The streams' copies in `command` close here: the task holds the only ones.
        drop(command);
        let root = child.id();
        // `child` is reaped by `wait` in `reap`, never by `Child::wait`.
        drop(child);
        self.by_root.insert(root, spawn.id);
        self.tasks.insert(
            spawn.id,
            Task {
                root,
                code: None,
                stopping: None,
                mark,
                group_gone: false,
            },
        );
        Ok(root)
    }

    /// Tells `vx run`; a closed socket is the shutdown's business, not an error here.
    fn reply(&self, reply: &Reply) {
        let _ = transport::send(&self.socket, &reply.encode(), &[]);
    }
}

/// `program` found on `path` as `execvp` would find it, where that can be told here: a
/// bare name (no `/`) looked up in absolute directories, the first executable regular
/// file there, if it begins as a program `execve` runs (`#!` or ELF; `execvp` would run
/// another through `/bin/sh`, which a start by path does not). `None` (a relative or
/// empty directory before it, nothing found, or a name with a `/`) leaves the lookup to
/// the start itself, as before.
///
/// Why: with `PATH` among a command's environment changes (every task's: the
/// toolchain's directories first), the standard library cannot start it with
/// `posix_spawn` (whose search would read the guard's `PATH`, not the task's) and forks
/// the guard instead, copying its page tables, in the one thread that starts every
/// task of the run. A program given by its path is started with `posix_spawn` (a
/// `vfork`, no copy).
fn on_path(program: &OsStr, path: &OsStr) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    if program.is_empty() || program.as_bytes().contains(&b'/') {
        return None;
    }
    for dir in std::env::split_paths(path) {
        if !dir.is_absolute() {
            // The child's working directory would count here: leave it to `execvp`.
            return None;
        }
        let candidate = dir.join(program);
        let executable = std::fs::metadata(&candidate).is_ok_and(|m| m.is_file())
            && rustix::fs::access(&candidate, rustix::fs::Access::EXEC_OK).is_ok();
        if !executable {
            continue;
        }
        let mut head = [0u8; 4];
        let read = std::fs::File::open(&candidate).and_then(|mut file| file.read(&mut head));
        let head = &head[..read.ok()?];
        return (head.starts_with(b"#!") || head == b"\x7fELF").then_some(candidate);
    }
    None
}

/// Whether process group `root` still has a member.
fn group_alive(root: u32) -> bool {
    Pid::from_raw(root as i32).is_some_and(|g| rustix::process::test_kill_process_group(g).is_ok())
}

/// Sends `signal` to process group `root`; whether it reached a member.
fn kill_group(root: u32, signal: Signal) -> bool {
    Pid::from_raw(root as i32)
        .is_some_and(|group| rustix::process::kill_process_group(group, signal).is_ok())
}

/// Those of `pids` in none of the process groups `signalled`: a process whose group
/// cannot be read is kept (signalling it again is the lesser harm than missing it).
fn outside(pids: impl IntoIterator<Item = u32>, signalled: &[u32]) -> Vec<u32> {
    pids.into_iter()
        .filter(|&pid| {
            let group = Pid::from_raw(pid as i32)
                .and_then(|p| rustix::process::getpgid(Some(p)).ok())
                .map(|g| g.as_raw_nonzero().get() as u32);
            group.is_none_or(|g| !signalled.contains(&g))
        })
        .collect()
}

fn kill(pid: u32, signal: Signal) {
    if let Some(pid) = Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

/// The guard's end of the socket, from its stdin (how `vx run` hands it over: `Command`
/// passes stdio safely, with no `pre_exec`).
pub(crate) fn socket_from_stdin() -> std::io::Result<UnixStream> {
    let fd: OwnedFd = std::io::stdin().as_fd().try_clone_to_owned()?;
    Ok(UnixStream::from(fd))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A bare name is found as `execvp` finds it, or left to it where the guard cannot
    /// tell (a relative directory first, a file `execve` would refuse).
    #[test]
    fn a_program_is_found_on_the_tasks_path_as_execvp_finds_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let make = |sub: &str, name: &str, body: &[u8], mode: u32| {
            let at = dir.path().join(sub);
            std::fs::create_dir_all(&at).unwrap();
            let file = at.join(name);
            std::fs::write(&file, body).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            file
        };
        make("a", "tool", b"#!/bin/sh\n", 0o644);
        let found = make("b", "tool", b"#!/bin/sh\n", 0o755);
        make("c", "tool", b"#!/bin/sh\n", 0o755);
        make("b", "plain", b"echo hi\n", 0o755);
        std::fs::create_dir_all(dir.path().join("a/dir")).unwrap();
        let path = std::env::join_paths(["a", "b", "c"].map(|d| dir.path().join(d))).unwrap();
        // Not executable in `a`: the one in `b`.
        assert_eq!(on_path("tool".as_ref(), &path), Some(found));
        // No `#!`: `execvp` would run it through `/bin/sh`; left to it.
        assert_eq!(on_path("plain".as_ref(), &path), None);
        assert_eq!(on_path("dir".as_ref(), &path), None, "a directory");
        assert_eq!(on_path("nothing".as_ref(), &path), None);
        assert_eq!(on_path("b/tool".as_ref(), &path), None, "a path");
        let relative =
            std::env::join_paths([std::path::PathBuf::from("rel"), dir.path().join("b")]).unwrap();
        assert_eq!(
            on_path("tool".as_ref(), &relative),
            None,
            "a relative entry first"
        );
        assert_eq!(
            on_path(
                "tool".as_ref(),
                OsStr::new(&format!(":{}", dir.path().join("b").display()))
            ),
            None,
            "an empty entry (the working directory) first"
        );
        // An ELF program, as `sh` is.
        let system = OsStr::new("/usr/local/bin:/usr/bin:/bin");
        assert!(on_path("sh".as_ref(), system).is_some_and(|p| p.ends_with("sh")));
    }

    /// A stop reaches a task's process and what stayed in its group through the group's
    /// signal alone; only what left the group is signalled on its own. Before, the
    /// task's process was signalled a second time right after its group: a shell whose
    /// trap had begun in between ran it twice.
    #[test]
    fn a_stop_signals_on_their_own_only_the_processes_outside_the_group() {
        let mut root = Command::new("sh")
            .args(["-c", "sleep 30 & setsid sleep 30 & wait"])
            .process_group(0)
            .spawn()
            .unwrap();
        let root_pid = root.id();
        let lister = Lister::detect();
        let group_of = |pid: u32| {
            rustix::process::getpgid(Pid::from_raw(pid as i32))
                .map(|g| g.as_raw_nonzero().get() as u32)
                .ok()
        };
        // Both children started, the second out of the group (`setsid` done).
        let start = Instant::now();
        let (inside, detached) = loop {
            let children = lister.children(root_pid);
            let inside = children
                .iter()
                .copied()
                .find(|&c| group_of(c) == Some(root_pid));
            let detached = children.iter().copied().find(|&c| group_of(c) == Some(c));
            if let (Some(inside), Some(detached)) = (inside, detached) {
                break (inside, detached);
            }
            assert!(start.elapsed() < Duration::from_secs(30), "{children:?}");
            std::thread::yield_now();
        };
        let (socket, _other) = UnixStream::pair().unwrap();
        let guard = Guard {
            socket,
            listening: true,
            inbox: Inbox::default(),
            grace: Duration::from_secs(1),
            lister,
            subreaper: false,
            scan: None,
            tasks: BTreeMap::from([(
                1,
                Task {
                    root: root_pid,
                    code: None,
                    stopping: None,
                    mark: "test.1".into(),
                    group_gone: false,
                },
            )]),
            by_root: HashMap::from([(root_pid, 1)]),
            unsure: HashMap::new(),
            shutdown: None,
            gave_up: false,
        };
        // The group signalled: only the detached process is left to signal.
        assert_eq!(guard.strays(1, &[root_pid]), vec![detached]);
        // The group not signalled (gone, or refused): every process on its own.
        let mut all = guard.strays(1, &[]);
        all.sort_unstable();
        let mut expected = vec![root_pid, inside, detached];
        expected.sort_unstable();
        assert_eq!(all, expected);
        kill(detached, Signal::KILL);
        kill_group(root_pid, Signal::KILL);
        root.wait().unwrap();
    }
}
