//! The pipe transports the board is compared against, and the helpers the transport
//! benchmarks share: clocks, `/proc` readers, and helper processes (this bench binary
//! re-run with [`ROLE`] naming the part it plays).
//!
//! Both pipe transports carry the board's own record type, [`SlotRecord`], so the three
//! transports move the same information:
//!
//! - **pipe-binary**: the record's bytes (`bytemuck::bytes_of`), one `write` per update.
//!   A record is 240 bytes, under `PIPE_BUF`, so each write is atomic.
//! - **pipe-json**: the record's fields as one serde_json object per line, one `write`
//!   per update, the transport of a typical channel-based IPC framework.
//!
//! A [`Drainer`] is the reader side of either: it reads every pipe it owns (non-blocking
//! or blocking), decodes every message and keeps the latest record per tool.

use std::borrow::Cow;
#[cfg(unix)]
use std::io::ErrorKind;
use std::io::{PipeReader, PipeWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

#[cfg(unix)]
use rustix::time::{ClockId, clock_gettime};
use serde::{Deserialize, Serialize};
use vx_shm::{Board, Phase, SlotRecord};

/// Environment variable naming the role of a helper process.
pub const ROLE: &str = "VX_BENCH_ROLE";
/// Environment variable carrying a helper's parameters (`key=value` pairs, `;`-separated).
pub const PARAMS: &str = "VX_BENCH_PARAMS";

/// Size of one binary frame: the record itself.
pub const FRAME: usize = size_of::<SlotRecord>();
/// Read buffer of a drainer: the default capacity of a Linux pipe.
pub const PIPE_CAPACITY: usize = 64 * 1024;

/// The transports under comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// The shared-memory board.
    Board,
    /// Fixed-size binary records over a pipe.
    PipeBinary,
    /// JSON lines over a pipe.
    PipeJson,
}

impl Transport {
    /// All three, board first.
    pub const ALL: [Transport; 3] = [Transport::Board, Transport::PipeBinary, Transport::PipeJson];

    /// The name used in benchmark ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Board => "board",
            Transport::PipeBinary => "pipe-binary",
            Transport::PipeJson => "pipe-json",
        }
    }

    /// The transport called `name`.
    pub fn from_name(name: &str) -> Transport {
        Transport::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .unwrap_or_else(|| panic!("unknown transport {name:?}"))
    }
}

#[cfg(unix)]
/// `CLOCK_MONOTONIC` in nanoseconds. One clock for every process on the machine, so a
/// timestamp taken by a writer process can be compared with one taken by a reader.
pub fn mono_ns() -> u64 {
    timespec_ns(clock_gettime(ClockId::Monotonic))
}

#[cfg(unix)]
/// CPU time (user + system) consumed so far by this process.
pub fn process_cpu_ns() -> u64 {
    timespec_ns(clock_gettime(ClockId::ProcessCPUTime))
}

#[cfg(unix)]
/// CPU time (user + system) consumed so far by the calling thread.
pub fn thread_cpu_ns() -> u64 {
    timespec_ns(clock_gettime(ClockId::ThreadCPUTime))
}

#[cfg(unix)]
fn timespec_ns(t: rustix::time::Timespec) -> u64 {
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// A board for `count` tools in `dir`.
pub fn board_with(dir: &Path, count: usize) -> Board {
    vx_shm::testing::board_with(dir, count, "benches/vx.toml")
}

/// A private directory where boards live as they do under `vx sync`: in `/dev/shm` (or
/// `$VX_BOARD_DIR`), so their pages are shared memory, not a disk file's page cache.
pub fn board_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("vx-bench-")
        .tempdir_in(vx_shm::registry::default_dir())
        .expect("create a board directory")
}

/// The record a child publishes while downloading: every field a real update carries.
pub fn downloading(tool: &str) -> SlotRecord {
    let mut record = SlotRecord::queued(tool, "1.2.3");
    record.set_phase(Phase::Downloading);
    record.set_progress(0, Some(48 << 20));
    record.started_unix_ms = vx_shm::now_unix_ms();
    record.updated_unix_ms = record.started_unix_ms;
    record.attempt = 1;
    record.writer_pid = std::process::id();
    record.set_message("downloading");
    record
}

/// A record's fields as a JSON line carries them.
#[derive(Debug, Serialize, Deserialize)]
pub struct JsonUpdate<'a> {
    /// Tool name.
    #[serde(borrow)]
    pub tool: Cow<'a, str>,
    /// Tool version.
    #[serde(borrow)]
    pub version: Cow<'a, str>,
    /// Phase code.
    pub phase: u32,
    /// Exit code.
    pub exit_code: i32,
    /// Bytes done.
    pub bytes_done: u64,
    /// Bytes expected.
    pub bytes_total: u64,
    /// Start time, ms since the epoch.
    pub started_unix_ms: u64,
    /// Heartbeat, ms since the epoch.
    pub updated_unix_ms: u64,
    /// Writer pid.
    pub writer_pid: u32,
    /// Writer start ticks.
    pub writer_start_ticks: u64,
    /// Flags.
    pub flags: u32,
    /// Attempt.
    pub attempt: u32,
    /// Message.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
}

impl<'a> JsonUpdate<'a> {
    /// The update for `record`, borrowing its texts.
    pub fn from_record(record: &'a SlotRecord) -> JsonUpdate<'a> {
        JsonUpdate {
            tool: record.tool(),
            version: record.version(),
            phase: record.phase,
            exit_code: record.exit_code,
            bytes_done: record.bytes_done,
            bytes_total: record.bytes_total,
            started_unix_ms: record.started_unix_ms,
            updated_unix_ms: record.updated_unix_ms,
            writer_pid: record.writer_pid,
            writer_start_ticks: record.writer_start_ticks,
            flags: record.flags,
            attempt: record.attempt,
            message: record.message(),
        }
    }

    /// The record this update describes.
    pub fn to_record(&self) -> SlotRecord {
        let mut record = SlotRecord::queued(&self.tool, &self.version);
        record.phase = self.phase;
        record.exit_code = self.exit_code;
        record.bytes_done = self.bytes_done;
        record.bytes_total = self.bytes_total;
        record.started_unix_ms = self.started_unix_ms;
        record.updated_unix_ms = self.updated_unix_ms;
        record.writer_pid = self.writer_pid;
        record.writer_start_ticks = self.writer_start_ticks;
        record.flags = self.flags;
        record.attempt = self.attempt;
        record.set_message(&self.message);
        record
    }
}

/// The writer side of a pipe transport: encodes a record and writes it with one call.
pub struct PipeSender<W: Write> {
    out: W,
    json: bool,
    line: Vec<u8>,
}

impl<W: Write> PipeSender<W> {
    /// A sender writing binary frames (`json == false`) or JSON lines to `out`.
    pub fn new(out: W, transport: Transport) -> PipeSender<W> {
        assert_ne!(transport, Transport::Board, "the board is not a pipe");
        PipeSender {
            out,
            json: transport == Transport::PipeJson,
            line: Vec::with_capacity(512),
        }
    }

    /// Sends one update: one `write` syscall (short writes cannot happen for writes of
    /// at most `PIPE_BUF` bytes to a blocking pipe).
    #[inline]
    pub fn send(&mut self, record: &SlotRecord) -> std::io::Result<()> {
        if self.json {
            self.line.clear();
            serde_json::to_writer(&mut self.line, &JsonUpdate::from_record(record))
                .map_err(std::io::Error::other)?;
            self.line.push(b'\n');
            self.out.write_all(&self.line)
        } else {
            self.out.write_all(bytemuck::bytes_of(record))
        }
    }

    /// Encodes `count` copies of `record` (bytes_done stepping) into one buffer: what a
    /// pipe holds after `count` updates, written in one call to fill pipes quickly.
    pub fn encode_backlog(&mut self, record: &SlotRecord, count: usize, out: &mut Vec<u8>) {
        let mut record = *record;
        for _ in 0..count {
            record.bytes_done += 64 * 1024;
            if self.json {
                serde_json::to_writer(&mut *out, &JsonUpdate::from_record(&record)).unwrap();
                out.push(b'\n');
            } else {
                out.extend_from_slice(bytemuck::bytes_of(&record));
            }
        }
    }
}

#[cfg(unix)] // Unix clocks and pipes: the transport benches only.
/// The reader side of a pipe transport: one pipe per tool; keeps the latest record of
/// each tool and decodes every message it reads (a reporter emits state changes, so it
/// cannot skip messages).
pub struct Drainer {
    pipes: Vec<PipeReader>,
    pending: Vec<Vec<u8>>,
    open: Vec<bool>,
    /// The latest record of each pipe's tool.
    pub latest: Vec<SlotRecord>,
    scratch: Vec<u8>,
    json: bool,
}

#[cfg(unix)]
impl Drainer {
    /// A drainer over `pipes`; `nonblocking` makes each read return at once when a pipe
    /// is empty (a polling reader), otherwise reads wait for data.
    pub fn new(pipes: Vec<PipeReader>, transport: Transport, nonblocking: bool) -> Drainer {
        if nonblocking {
            for pipe in &pipes {
                rustix::io::ioctl_fionbio(pipe, true).expect("make a pipe non-blocking");
            }
        }
        let count = pipes.len();
        Drainer {
            pipes,
            pending: vec![Vec::new(); count],
            open: vec![true; count],
            latest: vec![bytemuck::Zeroable::zeroed(); count],
            scratch: vec![0; PIPE_CAPACITY + 1024],
            json: transport == Transport::PipeJson,
        }
    }

    /// Whether every writer has closed its end and everything was read.
    pub fn all_closed(&self) -> bool {
        !self.open.iter().any(|o| *o)
    }

    /// Reads what each pipe holds (one `read` per pipe: the buffer is as large as a
    /// pipe), decodes every complete message, and returns how many it decoded.
    /// `on_record` sees each decoded record with its pipe's index.
    pub fn drain(&mut self, mut on_record: impl FnMut(usize, &SlotRecord)) -> usize {
        let mut decoded = 0;
        for index in 0..self.pipes.len() {
            if !self.open[index] {
                continue;
            }
            let carried = self.pending[index].len();
            self.scratch[..carried].copy_from_slice(&self.pending[index]);
            let read = match (&self.pipes[index]).read(&mut self.scratch[carried..]) {
                Ok(0) => {
                    self.open[index] = false;
                    continue;
                }
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => panic!("read a pipe: {e}"),
            };
            let bytes = &self.scratch[..carried + read];
            let used = if self.json {
                decode_lines(bytes, |record| {
                    self.latest[index] = record;
                    on_record(index, &record);
                    decoded += 1;
                })
            } else {
                let mut used = 0;
                for frame in bytes.chunks_exact(FRAME) {
                    let record: SlotRecord = bytemuck::pod_read_unaligned(frame);
                    self.latest[index] = record;
                    on_record(index, &record);
                    decoded += 1;
                    used += FRAME;
                }
                used
            };
            self.pending[index].clear();
            self.pending[index].extend_from_slice(&bytes[used..]);
        }
        decoded
    }
}

fn decode_lines(bytes: &[u8], mut on_record: impl FnMut(SlotRecord)) -> usize {
    let mut used = 0;
    while let Some(end) = bytes[used..].iter().position(|b| *b == b'\n') {
        let line = &bytes[used..used + end];
        let update: JsonUpdate<'_> = serde_json::from_slice(line).expect("a valid JSON line");
        on_record(update.to_record());
        used += end + 1;
    }
    used
}

/// `count` pipes (reader and writer ends).
pub fn pipes(count: usize) -> (Vec<PipeReader>, Vec<PipeWriter>) {
    (0..count)
        .map(|_| std::io::pipe().expect("create a pipe"))
        .unzip()
}

/// A helper process's parameters, parsed from [`PARAMS`].
pub struct Params(Vec<(String, String)>);

impl Params {
    /// This process's parameters.
    pub fn from_env() -> Params {
        let text = std::env::var(PARAMS).unwrap_or_default();
        Params(
            text.split(';')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("helper parameter {key} missing"))
    }

    /// The value of `key`, parsed.
    pub fn num<T: std::str::FromStr>(&self, key: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        self.get(key).parse().expect("a numeric helper parameter")
    }
}

/// Starts this bench binary as a helper playing `role` with `params`. Its stdout is
/// `stdout` (a pipe's writer end, or nothing); its stdin is a pipe the parent writes a
/// byte to when the helper should start (see [`wait_for_go`]).
pub fn spawn_helper(role: &str, params: &[(&str, String)], stdout: Option<PipeWriter>) -> Child {
    let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut command = Command::new(std::env::current_exe().expect("bench binary path"));
    command
        .env(ROLE, role)
        .env(PARAMS, params.join(";"))
        .stdin(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdout(stdout.map_or_else(Stdio::null, Stdio::from));
    // `command` is dropped on return, closing the parent's copy of the pipe's writer end
    // so the reader sees end-of-file when the helper exits.
    command.spawn().expect("spawn a helper process")
}

/// In a helper: blocks until the parent writes the start byte (or closes stdin).
pub fn wait_for_go() {
    let mut byte = [0u8; 1];
    let _ = std::io::stdin().read(&mut byte);
}

/// Tells helpers to start, all at once as far as the parent can.
pub fn go(children: &mut [Child]) {
    for child in children.iter_mut() {
        let mut stdin = child.stdin.take().expect("helper stdin");
        stdin.write_all(b"g").expect("start a helper");
    }
}

/// Waits for every helper and panics if one failed.
pub fn reap(children: Vec<Child>) {
    for mut child in children {
        let status = child.wait().expect("wait for a helper");
        assert!(status.success(), "a helper process failed: {status}");
    }
}

/// The memory figures of `/proc/self/status`, in KiB.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Rss {
    /// Resident set size.
    pub vm_rss_kib: u64,
    /// Resident anonymous memory.
    pub rss_anon_kib: u64,
    /// Resident file-backed memory.
    pub rss_file_kib: u64,
    /// Resident shared memory (`/dev/shm`, `memfd`, shared anonymous).
    pub rss_shmem_kib: u64,
}

impl Rss {
    /// This process's figures now.
    pub fn now() -> Rss {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        Rss {
            vm_rss_kib: field("VmRSS:"),
            rss_anon_kib: field("RssAnon:"),
            rss_file_kib: field("RssFile:"),
            rss_shmem_kib: field("RssShmem:"),
        }
    }
}

/// The directory criterion writes to, where the extra measurements go too:
/// `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the `criterion` directory
/// of the target directory holding this binary (`target/<profile>/deps/transport-*`).
pub fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    let exe = std::env::current_exe().expect("bench binary path");
    exe.ancestors().nth(3).map_or_else(
        || PathBuf::from("target/criterion"),
        |t| t.join("criterion"),
    )
}

/// The 1-minute load average, to record how busy the machine was.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Percentile `p` (0..=100) of sorted `samples`, nearest-rank.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
