//! Readiness of a service, and the tail of a task's output that a failure message
//! quotes.
//!
//! A [`Checker`] runs beside a service's last command: it polls the check (a TCP
//! port, an HTTP URL answering 2xx, a command exiting 0) every [`POLL`], or is told of
//! each output chunk for a log-line check, and reports once: ready, or not ready
//! within the timeout (with the service's last lines). A service without `ready` is
//! ready as soon as it started.
//!
//! The timeout bounds the whole check, not each step of it: an HTTP answer that
//! trickles in is given up on at the deadline, not per read, and a check command still
//! running at the deadline (or when the run stops) is killed with all it started. A
//! check command is started as the run's tasks are ([`Starter`]: through the run's
//! guard on Unix), so it ends with the run however the run ends, `vx` killed included.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::events::Stream;
use super::launch::{Started, Starter};
use vx_model::task::{Ready, ReadyCheck};

/// How often a check is tried.
pub(crate) const POLL: Duration = Duration::from_millis(100);
/// Lines a [`Tail`] keeps.
const TAIL_LINES: usize = 20;
/// Longest line a [`Tail`] or a log check keeps (longer ones are cut).
const MAX_LINE: usize = 4096;

/// The last lines of a task's output (both streams), for a failure message.
#[derive(Default)]
pub(crate) struct Tail {
    inner: Mutex<TailInner>,
}

#[derive(Default)]
struct TailInner {
    /// The last whole lines, as written (made text only when shown).
    lines: VecDeque<Vec<u8>>,
    partial: Vec<u8>,
}

impl Tail {
    /// Adds a chunk. Only the last `TAIL_LINES` (20) lines a chunk ends can outlive it,
    /// so the lines before those are skipped over, not copied: a task printing 100 MB
    /// costs a scan for newlines, not a line made for every line it prints.
    pub(crate) fn push(&self, chunk: &[u8]) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // The chunk's last newlines, last first: one more than is kept, to know
        // whether earlier lines were skipped.
        let mut ends = Vec::with_capacity(TAIL_LINES + 1);
        let mut upto = chunk.len();
        while ends.len() <= TAIL_LINES {
            match chunk[..upto].iter().rposition(|&b| b == b'\n') {
                Some(at) => {
                    ends.push(at);
                    upto = at;
                }
                None => break,
            }
        }
        ends.reverse();
        let mut start = 0;
        if ends.len() > TAIL_LINES {
            // Every line up to the first of these ends before the kept ones begin.
            inner.lines.clear();
            inner.partial.clear();
            start = ends.remove(0) + 1;
        }
        for end in ends {
            let mut line = std::mem::take(&mut inner.partial);
            let room = MAX_LINE.saturating_sub(line.len());
            let part = &chunk[start..end];
            line.extend_from_slice(&part[..part.len().min(room)]);
            inner.lines.push_back(line);
            if inner.lines.len() > TAIL_LINES {
                inner.lines.pop_front();
            }
            start = end + 1;
        }
        let room = MAX_LINE.saturating_sub(inner.partial.len());
        let rest = &chunk[start..];
        inner
            .partial
            .extend_from_slice(&rest[..rest.len().min(room)]);
    }

    /// The kept lines (the unfinished one last), escape sequences made visible.
    pub(crate) fn lines(&self) -> Vec<String> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<String> = inner
            .lines
            .iter()
            .map(|l| vx_text::sanitize(&String::from_utf8_lossy(l)).into_owned())
            .collect();
        if !inner.partial.is_empty() {
            out.push(vx_text::sanitize(&String::from_utf8_lossy(&inner.partial)).into_owned());
        }
        out
    }
}

/// A running readiness check; dropping it stops the polling.
pub(crate) struct Checker {
    done: Arc<AtomicBool>,
    log: Option<LogCheck>,
}

/// A service not ready at its timeout: what was waited for, and its last lines.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("not ready after {}s: no {check}{}", timeout.as_secs_f64(), last_lines(lines))]
pub(crate) struct NotReady {
    /// How long it was waited for.
    pub timeout: std::time::Duration,
    /// What was waited for (`port 8080`).
    pub check: String,
    /// Its last lines of output.
    pub lines: Vec<String>,
}

/// `; its last lines:` and each line indented, or `; it printed nothing`.
fn last_lines(lines: &[String]) -> String {
    if lines.is_empty() {
        return "; it printed nothing".to_owned();
    }
    let mut out = "; its last lines:".to_owned();
    for line in lines {
        out.push_str("\n  ");
        out.push_str(line);
    }
    out
}

struct LogCheck {
    regex: regex::Regex,
    partial: Mutex<[Vec<u8>; 2]>,
    matched: Arc<AtomicBool>,
}

impl Checker {
    /// Starts checking `ready` (none: ready now); `report` is called once, with `Ok`
    /// when ready or `Err(why)` at the timeout. A check command starts through
    /// `starter`, as the service's own commands do.
    pub(crate) fn start(
        ready: Option<Ready>,
        tail: Arc<Tail>,
        starter: Starter,
        report: impl FnOnce(Result<(), NotReady>) + Send + 'static,
    ) -> Checker {
        let done = Arc::new(AtomicBool::new(false));
        let Some(ready) = ready else {
            report(Ok(()));
            done.store(true, Ordering::Relaxed);
            return Checker { done, log: None };
        };
        let matched = Arc::new(AtomicBool::new(false));
        let log = match &ready.check {
            ReadyCheck::Log(re) => regex::Regex::new(re).ok().map(|regex| LogCheck {
                regex,
                partial: Mutex::new([Vec::new(), Vec::new()]),
                matched: Arc::clone(&matched),
            }),
            _ => None,
        };
        let stop = Arc::clone(&done);
        let deadline = Instant::now() + ready.timeout;
        let spawned = std::thread::Builder::new()
            .name("vx-ready".into())
            .spawn(move || {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let ok = match &ready.check {
                        ReadyCheck::Log(_) => matched.load(Ordering::Relaxed),
                        ReadyCheck::Port(port) => port_open(*port),
                        ReadyCheck::Http(url) => http_ok(url, deadline),
                        ReadyCheck::Command(cmd) => command_ok(cmd, &starter, deadline, &stop),
                    };
                    if ok {
                        report(Ok(()));
                        return;
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if Instant::now() >= deadline {
                        report(Err(NotReady {
                            timeout: ready.timeout,
                            check: ready.check.describe(),
                            lines: tail.lines(),
                        }));
                        return;
                    }
                    std::thread::sleep(POLL);
                }
            });
        if spawned.is_err() {
            done.store(true, Ordering::Relaxed);
        }
        Checker { done, log }
    }

    /// Tells a log-line check of a chunk of output.
    pub(crate) fn saw(&self, stream: Stream, chunk: &[u8]) {
        let Some(log) = &self.log else { return };
        if log.matched.load(Ordering::Relaxed) {
            return;
        }
        let mut partial = log.partial.lock().unwrap_or_else(|e| e.into_inner());
        let line = &mut partial[match stream {
            Stream::Stdout => 0,
            Stream::Stderr => 1,
        }];
        for &b in chunk {
            if b == b'\n' {
                let text = String::from_utf8_lossy(line);
                if log.regex.is_match(text.trim_end_matches('\r')) {
                    log.matched.store(true, Ordering::Relaxed);
                    return;
                }
                line.clear();
            } else if line.len() < MAX_LINE {
                line.push(b);
            }
        }
        // A prompt-like line without its newline yet counts too.
        if !line.is_empty() && log.regex.is_match(&String::from_utf8_lossy(line)) {
            log.matched.store(true, Ordering::Relaxed);
        }
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// Whether something accepts connections on `port` of localhost (IPv4 or IPv6).
fn port_open(port: u16) -> bool {
    ["127.0.0.1", "::1"].iter().any(|host| {
        let addr: SocketAddr = match (*host, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
        {
            Some(addr) => addr,
            None => return false,
        };
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
    })
}

/// Longest one HTTP try may take (less when the check's deadline is nearer).
const HTTP_TRY: Duration = Duration::from_secs(2);

/// Whether a GET of `url` (plain `http://`) answers 2xx within [`HTTP_TRY`] and before
/// `deadline`: the time is the whole answer's, not a read's, so a server that trickles
/// a byte at a time is given up on. Spoken directly (HTTP/1.0, no proxy): a dev server
/// on this machine is not reached through the network settings vx uses for downloads.
fn http_ok(url: &str, deadline: Instant) -> bool {
    let deadline = deadline.min(Instant::now() + HTTP_TRY);
    let left = || Some(deadline.saturating_duration_since(Instant::now())).filter(|d| !d.is_zero());
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !authority.ends_with(']')
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let Some(addr) = host_port.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return false;
    };
    let Some(connect) = left() else {
        return false;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, connect.min(Duration::from_millis(500)))
    else {
        return false;
    };
    let Some(write) = left() else {
        return false;
    };
    let _ = stream.set_write_timeout(Some(write));
    let request = format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 32];
    let mut got = 0;
    while got < 12 {
        let Some(wait) = left() else { break };
        if stream.set_read_timeout(Some(wait)).is_err() {
            break;
        }
        match stream.read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let text = String::from_utf8_lossy(&head[..got]);
    let mut words = text.split_whitespace();
    words.next().is_some_and(|v| v.starts_with("HTTP/"))
        && words
            .next()
            .is_some_and(|code| code.starts_with('2') && code.len() == 3)
}

/// Whether `command` (through the platform's shell, started by `starter` as a task's
/// command is) exits 0 before `deadline`, its output discarded. Still running at the
/// deadline or when `stop` is set, it is killed with all it started (its process group
/// and, through the guard, what left the group), and does not count as ready.
fn command_ok(command: &str, starter: &Starter, deadline: Instant, stop: &AtomicBool) -> bool {
    let mut shell = vx_base::platform::process::shell(command);
    let Ok(Started {
        handle,
        exit,
        pipes,
    }) = starter.start(&mut shell)
    else {
        return false;
    };
    // Drained, not closed: a check that prints must not fail on a broken pipe.
    for (mut pipe, _) in pipes {
        let _ = std::thread::Builder::new()
            .name("vx-ready-out".into())
            .spawn(move || std::io::copy(&mut pipe, &mut std::io::sink()));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::Builder::new()
        .name("vx-ready-wait".into())
        .spawn(move || {
            let _ = tx.send(exit.wait());
        });
    if waiter.is_err() {
        handle.kill();
        return false;
    }
    loop {
        let now = Instant::now();
        if now >= deadline || stop.load(Ordering::Relaxed) {
            handle.kill();
            // Reaped (the guard answers once the group is gone); bounded in case not.
            let _ = rx.recv_timeout(Duration::from_secs(10));
            return false;
        }
        match rx.recv_timeout(POLL.min(deadline - now)) {
            Ok(status) => return status.is_ok_and(|code| code == 0),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_of_any_chunking_is_the_tail_of_the_whole_output() {
        // A line per number, one longer than a line may be, and a last one unfinished.
        let mut output = Vec::new();
        for i in 0..500 {
            output.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        output.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        output.extend_from_slice(b"\nlast line\npartial");
        let whole = Tail::default();
        whole.push(&output);
        let expected = whole.lines();
        assert_eq!(expected.len(), TAIL_LINES + 1);
        assert_eq!(expected[TAIL_LINES - 2].len(), MAX_LINE);
        assert_eq!(expected[TAIL_LINES - 1], "last line");
        assert_eq!(expected[TAIL_LINES], "partial");
        for size in [1, 2, 3, 7, 64, 1000, 4096, 5000] {
            let tail = Tail::default();
            for chunk in output.chunks(size) {
                tail.push(chunk);
            }
            assert_eq!(tail.lines(), expected, "chunks of {size}");
        }
    }

    #[test]
    fn the_tail_keeps_the_last_lines_made_visible() {
        let tail = Tail::default();
        for i in 0..30 {
            tail.push(format!("line {i}\n").as_bytes());
        }
        tail.push(b"\x1b[31mred");
        let lines = tail.lines();
        assert_eq!(lines.len(), TAIL_LINES + 1);
        assert_eq!(lines[0], "line 10");
        assert!(!lines.last().unwrap().contains('\x1b'));
    }

    #[test]
    fn a_log_check_matches_a_whole_line() {
        let (tx, rx) = std::sync::mpsc::channel();
        let checker = Checker::start(
            Some(Ready {
                check: ReadyCheck::Log("listening on \\d+".into()),
                timeout: Duration::from_secs(5),
            }),
            Arc::new(Tail::default()),
            Starter::Direct,
            move |r| tx.send(r).unwrap(),
        );
        checker.saw(Stream::Stdout, b"starting\nlisten");
        checker.saw(Stream::Stdout, b"ing on 80");
        assert_eq!(rx.recv_timeout(Duration::from_secs(2)), Ok(Ok(())));
    }
}
