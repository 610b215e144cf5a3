//! `vx run`'s side of the guard: starts the guard process once, sends it spawn and
//! signal requests, and hands each task's replies to the thread waiting for them.
//!
//! Worker threads share one [`Client`]: a lock keeps their requests whole on the
//! socket; one reader thread reads every reply and passes it on by request number.

use std::collections::HashMap;
use std::io;
use std::os::fd::BorrowedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::protocol::{self, Inbox, Reply, Spawn, StopSignal};
use super::transport;

type Waiters = Arc<Mutex<HashMap<u64, Sender<Reply>>>>;

/// One run's guard: the process, and the socket to it.
pub(crate) struct Client {
    /// Requests go out here (a lock keeps each whole).
    socket: Mutex<UnixStream>,
    /// Who waits for which request's replies.
    waiters: Waiters,
    next: AtomicU64,
    guard: Mutex<Child>,
    grace: Duration,
    reader: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Set when the run closes the socket itself: the guard's end is then expected.
    closing: Arc<AtomicBool>,
    /// This process adopting the orphans of the guard's tree should the guard die
    /// (Linux); shared with the reader thread, which ends them then.
    _adopting: Arc<Option<vx_base::platform::process::Adopting>>,
}

/// A task the guard started: its process id, and how to signal it. Cheap to clone, so
/// that the supervisor can stop it while its worker waits for it.
#[derive(Clone)]
pub(crate) struct Guarded {
    client: Arc<Client>,
    id: u64,
    pid: u32,
}

/// Where a guarded task's end arrives.
pub(crate) struct Exit {
    replies: Receiver<Reply>,
}

impl Client {
    /// Starts `exe task-guard` for this process, its grace period `grace`. Call it from
    /// a thread that outlives the run: Linux sends the guard its parent-death signal
    /// when the thread that started it ends.
    pub(crate) fn start(exe: &Path, grace: Duration) -> io::Result<Arc<Client>> {
        Client::start_with(exe, grace, false)
    }

    /// Starts a guard that watches processes it did not start: those that carry
    /// [`Client::watch_mark`] in their environment (a lone task in the foreground, `vx
    /// run`'s own child). It finds them by the [scan](super::scan) (`--scan`), and ends
    /// them, and what descends from them, when the socket closes or `vx run` dies (even
    /// by SIGKILL), as it ends its own tasks.
    pub(crate) fn start_watching(exe: &Path, grace: Duration) -> io::Result<Arc<Client>> {
        Client::start_with(exe, grace, true)
    }

    /// The [`super::tree::MARK`] value of what a [watching](Client::start_watching) guard
    /// watches: the form of the marks it gives its own tasks, with a number none has.
    pub(crate) fn watch_mark(&self) -> String {
        format!("{}.0", lock(&self.guard).id())
    }

    /// [`Client::start`]; `scan`: the guard finds what it answers for by the scan.
    fn start_with(exe: &Path, grace: Duration, scan: bool) -> io::Result<Arc<Client>> {
        // The guard is a subreaper for its tasks; this process is one above it, so
        // that should the guard be killed, what it adopted and its tasks come here,
        // not to init, and are ended here to the last (Linux).
        let adopting = Arc::new(vx_base::platform::process::adopt_orphans());
        let (ours, theirs) = UnixStream::pair()?;
        let mut command = Command::new(exe);
        command
            .arg("task-guard")
            .arg("--parent")
            .arg(std::process::id().to_string())
            .arg("--grace-ms")
            .arg(grace.as_millis().to_string())
            .args(scan.then_some("--scan"))
            .stdin(Stdio::from(std::os::fd::OwnedFd::from(theirs)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own group: the terminal's Ctrl-C reaches `vx` alone, which decides.
            .process_group(0);
        let guard = vx_base::platform::process::spawn(&mut command)?;
        drop(command);
        let waiters: Waiters = Arc::default();
        let closing = Arc::new(AtomicBool::new(false));
        let reader = {
            let socket = ours.try_clone()?;
            let waiters = Arc::clone(&waiters);
            let closing = Arc::clone(&closing);
            let adopted = Arc::clone(&adopting);
            let pid = guard.id();
            std::thread::Builder::new()
                .name("vx-task-guard".into())
                .spawn(move || {
                    let live = read_replies(&socket, &waiters);
                    if !closing.load(Ordering::Relaxed) {
                        if let Some(adopted) = adopted.as_ref() {
                            adopted.end_orphans();
                        }
                        end_orphans(pid, &live);
                    }
                    lock(&waiters).clear();
                })?
        };
        Ok(Arc::new(Client {
            socket: Mutex::new(ours),
            waiters,
            next: AtomicU64::new(1),
            guard: Mutex::new(guard),
            grace,
            reader: Mutex::new(Some(reader)),
            closing,
            _adopting: adopting,
        }))
    }

    /// Has the guard start `command` (program, arguments, environment changes,
    /// directory) with `stdio` (stdin, stdout, stderr) as the leader of a process group
    /// of its own.
    pub(crate) fn spawn(
        self: &Arc<Self>,
        command: &Command,
        stdio: [BorrowedFd<'_>; protocol::STDIO],
    ) -> io::Result<(Guarded, Exit)> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let spawn = Spawn {
            id,
            program: command.get_program().to_owned(),
            args: command.get_args().map(ToOwned::to_owned).collect(),
            env: command
                .get_envs()
                .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
                .collect(),
            cwd: command.get_current_dir().map(ToOwned::to_owned),
            own_group: true,
        };
        let (tx, rx) = crossbeam_channel::unbounded();
        lock(&self.waiters).insert(id, tx);
        let sent = transport::send(&lock(&self.socket), &spawn.encode(), &stdio);
        if let Err(e) = sent {
            lock(&self.waiters).remove(&id);
            return Err(io::Error::new(
                e.kind(),
                format!("cannot reach the task guard: {e}"),
            ));
        }
        match rx.recv() {
            Ok(Reply::Started { pid, .. }) => Ok((
                Guarded {
                    client: Arc::clone(self),
                    id,
                    pid,
                },
                Exit { replies: rx },
            )),
            Ok(Reply::Failed { error, .. }) => {
                lock(&self.waiters).remove(&id);
                Err(io::Error::other(error))
            }
            Ok(Reply::Ended { .. }) | Err(_) => {
                lock(&self.waiters).remove(&id);
                Err(io::Error::other("the task guard ended"))
            }
        }
    }

    fn signal(&self, id: u64, signal: StopSignal) {
        let _ = transport::send(
            &lock(&self.socket),
            &protocol::encode_signal(id, signal),
            &[],
        );
    }
}

impl Drop for Client {
    /// The end of the run: the socket's end tells the guard to stop whatever is left
    /// (nothing, after a run that waited for its tasks) and exit; it is waited for, so
    /// nothing of the run outlives `vx run`.
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
        let _ = lock(&self.socket).shutdown(std::net::Shutdown::Both);
        let guard = self.guard.get_mut().unwrap_or_else(|e| e.into_inner());
        let limit = Instant::now() + self.grace * 2 + Duration::from_secs(2);
        loop {
            match guard.try_wait() {
                Ok(None) if Instant::now() < limit => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Ok(None) => {
                    let _ = guard.kill();
                    let _ = guard.wait();
                    break;
                }
                _ => break,
            }
        }
        if let Some(reader) = lock(&self.reader).take() {
            let _ = reader.join();
        }
    }
}

impl Guarded {
    /// The task's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Sends `signal` to the task's process group and to every process it started.
    pub(crate) fn signal(&self, signal: StopSignal) {
        self.client.signal(self.id, signal);
    }
}

impl Exit {
    /// Waits until the task's process has exited and nothing it started is left; its
    /// exit code (128 + N for signal N).
    pub(crate) fn wait(self) -> io::Result<i32> {
        loop {
            match self.replies.recv() {
                Ok(Reply::Ended { code, .. }) => return Ok(code),
                Ok(_) => {}
                Err(_) => return Err(io::Error::other("the task guard ended")),
            }
        }
    }
}

/// The reader thread: every reply to its waiter, until the guard closes the socket or
/// says something unreadable; the tasks started and not ended then, as process ids by
/// request (the caller then has every waiter learn the guard is gone).
fn read_replies(socket: &UnixStream, waiters: &Waiters) -> HashMap<u64, u32> {
    let mut live = HashMap::new();
    let mut inbox = Inbox::default();
    'read: loop {
        match transport::receive(socket, &mut inbox) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        loop {
            let reply = match inbox.next_frame() {
                Ok(Some(body)) => match Reply::decode(&body) {
                    Ok(reply) => reply,
                    Err(_) => break 'read,
                },
                Ok(None) => break,
                Err(_) => break 'read,
            };
            let id = reply.id();
            let ended = matches!(reply, Reply::Ended { .. } | Reply::Failed { .. });
            match &reply {
                Reply::Started { pid, .. } => {
                    live.insert(id, *pid);
                }
                _ if ended => {
                    live.remove(&id);
                }
                _ => {}
            }
            let mut waiters = lock(waiters);
            if let Some(tx) = waiters.get(&id) {
                let _ = tx.send(reply);
            }
            if ended {
                waiters.remove(&id);
            }
        }
    }
    live
}

/// The guard ended while the run had not closed it (it was killed: SIGKILL gives it no
/// say): what it answered for is ended here (on Linux first as this process's adopted
/// orphans, swept until none is left: a process a sweep missed forking between its
/// look and its kill, or in the middle of `execve` where its mark reads empty, comes
/// back here once its parent is killed, never to init), or it would outlive the run and hold the
/// run's pipes open, hanging it (issue 66, item 7). The process group of each task not
/// ended (`live`, by request) and every process carrying one of the guard's marks
/// ([`super::tree::MARK`], found by [`super::scan`]: a detached grandchild, re-parented
/// to init once the guard was gone), with what descends from them, are SIGKILLed; the
/// grace period was the guard's to give.
///
/// A process found may fork between the look and the kill; its child carries the same
/// mark, so the look is taken again until one finds nothing (at most
/// [`ORPHAN_ROUNDS`]: each round kills what it found, and a killed process forks no
/// more).
fn end_orphans(guard: u32, live: &HashMap<u64, u32>) {
    let leaders: Vec<u32> = live.values().copied().collect();
    for round in 0..ORPHAN_ROUNDS {
        let look = super::scan::Scan::new(guard).look();
        let mut others = look.any_marked();
        others.extend(look.descendants(&others));
        others.extend(look.descendants(&leaders));
        if round > 0 && others.is_empty() {
            return;
        }
        let groups: &[u32] = if round == 0 { &leaders } else { &[] };
        let _ = vx_base::platform::process::kill_orphans(groups, &others);
    }
}

/// The most looks [`end_orphans`] takes.
const ORPHAN_ROUNDS: usize = 8;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
