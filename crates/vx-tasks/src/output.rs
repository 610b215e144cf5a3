//! How a run shows its tasks: the [`Printer`] sink for `--output prefix|grouped|quiet`,
//! `--json`, and the lines a run shows when none of them is asked ([`Mode::Auto`]).
//!
//! - `prefix`: each line of a task's output as it comes, after `[name] ` (stdout to
//!   stdout, stderr to stderr).
//! - the default without a live view ([`Mode::Auto`]): `prefix`'s lines for a run whose
//!   tasks' lines can interleave; a run where no two tasks can run at once (one task, a
//!   chain of tasks each waiting for the one before, or any plan run one task at a time,
//!   `-j 1`; never one with a service, which runs on beside what follows it) has
//!   nothing to tell apart, so its output goes out as the tasks wrote it, byte for byte
//!   (stdout to stdout, stderr to stderr, a restored result's log too), as `mise
//!   run` shows a lone task, a linear graph and `--jobs 1` (mise's `interleave`) and as
//!   a task run in vx's place shows it: `vx run build | grep` reads what the tool
//!   printed. [`Printer::plan`] decides, from the plan it is given (and the jobs,
//!   [`Printer::jobs`]), and nowhere else.
//! - `grouped`: each task's output whole when it ends, in graph order (a task that
//!   ends early waits for those before it; services, which do not end, print as
//!   prefix lines).
//! - `quiet`: only a failed task's output (its last [`QUIET_KEEP`] bytes), when it
//!   fails.
//! - `--json`: one JSON object per event on stdout (`plan`, `phase`, `output`,
//!   `restore`, `summary`; schema in docs/guide/tasks.md).
//!
//! In `prefix` each line is made safe for a terminal first: colours (SGR) pass, every
//! other escape and control character (a window title, OSC 52's clipboard, a cursor
//! move) is shown escaped ([`vx_text::sanitize_keeping_colours`], the sanitizer `vx
//! logs` shares), and a carriage return not ending the line starts it again (a
//! progress bar shows its last state, as the live view shows it). A line is kept up to
//! [`LINE_CAP`] bytes: a longer one is printed cut there, with a note, and its rest is
//! skipped up to its newline, so a task printing one endless line costs memory of the
//! cap and work linear in its bytes. `grouped` and `quiet` print what they held
//! back the same way, line by line (issue 66, item 14); vx's own lines (a task up to
//! date, a failure) go to stderr. What a task holds back in
//! `grouped` is capped at [`GROUP_KEEP`] bytes (the oldest dropped, with a note).

pub mod views;

use std::io::Write;
use std::sync::Mutex;

use serde_json::json;

use super::events::{
    Phase, PhaseChange, PlannedTask, RestoreProgress, RestoreStage, RunSummary, Stream, TaskId,
    TaskSink,
};

/// Most bytes of one task's output `grouped` holds back.
pub(crate) const GROUP_KEEP: usize = 8 << 20;
/// Most bytes of one task's output `quiet` keeps for a failure.
pub(crate) const QUIET_KEEP: usize = 64 << 10;
/// Most bytes of one line `prefix` prints (and holds while the line is unfinished); a
/// longer line is cut here, with a note (docs/guide/tasks.md).
pub(crate) const LINE_CAP: usize = 64 << 10;

/// An output mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Lines prefixed with the task's name, as they come (asked for: a lone task's too).
    Prefix,
    /// What a run shows when no mode is asked and no live view shows it: [`Mode::Prefix`]'s
    /// lines when two tasks of the plan can run at once, else the tasks' output as they
    /// wrote it (a lone task, a chain, a run of one job; [`one_at_a_time`]).
    Auto,
    /// Each task's output whole when it ends, in graph order.
    Grouped,
    /// Only failures.
    Quiet,
    /// JSON events.
    Json,
}

/// Prints a run's events in one [`Mode`].
pub struct Printer {
    mode: Mode,
    /// The run takes one task at a time (`-j 1`, services aside): [`Printer::jobs`].
    one_job: bool,
    inner: Mutex<Inner>,
}

/// One task's held output: its chunks, their size, and the bytes dropped.
type Held = (Vec<(Stream, Vec<u8>)>, usize, usize);

/// One stream's unfinished line in `prefix`.
#[derive(Clone, Default)]
struct Line {
    /// The line so far, at most [`LINE_CAP`] bytes.
    bytes: Vec<u8>,
    /// The last byte seen was a `\r`: the next says whether it ends the line (`\r\n`)
    /// or starts it again.
    cr: bool,
    /// The line passed the cap and was printed cut: what is left of it is skipped up to
    /// its newline.
    cut: bool,
}

impl Line {
    /// Takes `bytes` of a task's output, appending each line it ends to `out` (after
    /// `prefix`, made safe); with `flush`, the unfinished line too. Each byte is looked
    /// at once, and at most [`LINE_CAP`] of a line are kept.
    fn take(&mut self, prefix: &[u8], mut bytes: &[u8], flush: bool, out: &mut Vec<u8>) {
        while !bytes.is_empty() {
            if std::mem::take(&mut self.cr) && bytes[0] != b'\n' && !self.cut {
                self.bytes.clear();
            }
            if self.cut {
                match bytes.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        self.cut = false;
                        bytes = &bytes[end + 1..];
                        continue;
                    }
                    None => break,
                }
            }
            let end = bytes.iter().position(|&b| b == b'\n' || b == b'\r');
            let part = &bytes[..end.unwrap_or(bytes.len())];
            let room = LINE_CAP - self.bytes.len();
            if part.len() > room {
                // Cut where a character starts, never inside one.
                let mut keep = room;
                while keep > 0 && part[keep] & 0xc0 == 0x80 {
                    keep -= 1;
                }
                self.bytes.extend_from_slice(&part[..keep]);
                self.emit(prefix, true, out);
                self.cut = true;
                bytes = &bytes[part.len()..];
                continue;
            }
            self.bytes.extend_from_slice(part);
            match end {
                Some(at) => {
                    if bytes[at] == b'\n' {
                        self.emit(prefix, false, out);
                    } else {
                        self.cr = true;
                    }
                    bytes = &bytes[at + 1..];
                }
                None => break,
            }
        }
        if flush {
            if !self.bytes.is_empty() {
                self.emit(prefix, false, out);
            }
            *self = Line::default();
        }
    }

    /// Appends the line held (made safe, after `prefix`) to `out` and starts a new one.
    fn emit(&mut self, prefix: &[u8], cut: bool, out: &mut Vec<u8>) {
        out.extend_from_slice(prefix);
        let text = String::from_utf8_lossy(&self.bytes);
        out.extend_from_slice(vx_text::sanitize_keeping_colours(&text).as_bytes());
        if cut {
            out.extend_from_slice(format!(" … (line cut at {} KiB)", LINE_CAP >> 10).as_bytes());
        }
        out.push(b'\n');
        self.bytes.clear();
    }
}

#[derive(Default)]
struct Inner {
    /// The output passes as the tasks wrote it: [`Mode::Auto`] with a plan whose tasks
    /// run one at a time ([`one_at_a_time`]).
    raw: bool,
    /// Per task: how the run names it to a user, made safe ([`PlannedTask::label`]):
    /// its lines' prefix and vx's lines about it.
    names: Vec<String>,
    /// Per task: its task's name, made safe: `--json`'s `task`.
    tasks: Vec<String>,
    quiet: Vec<bool>,
    services: Vec<bool>,
    width: usize,
    /// Per task: its unfinished stdout and stderr lines (prefix).
    partial: Vec<[Line; 2]>,
    /// Per task: held output (grouped, quiet), and how many bytes were dropped.
    held: Vec<Held>,
    ended: Vec<bool>,
    printed: usize,
    /// Per task: the last restore line said (`--json`): its stage and bytes.
    restore_said: Vec<Option<(RestoreStage, u64)>>,
}

impl Printer {
    /// A printer in `mode`; `quiet[i]` (by plan order, set at [`TaskSink::plan`] from
    /// the names in `quiet_tasks`) silences vx's own lines about a task.
    pub fn new(mode: Mode, quiet_tasks: Vec<String>) -> Printer {
        Printer {
            mode,
            one_job: false,
            inner: Mutex::new(Inner {
                quiet: Vec::new(),
                names: quiet_tasks,
                ..Inner::default()
            }),
        }
    }

    /// This printer for a run of at most `jobs` tasks at once (services aside): with
    /// one, no two tasks' lines can interleave, and [`Mode::Auto`] prints them as the
    /// tasks wrote them, as mise's `--jobs 1` does. Unsaid, a run may hold several.
    pub fn jobs(mut self, jobs: usize) -> Printer {
        self.one_job = jobs <= 1;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether no two of `tasks` (a plan) can run at once, so that their lines cannot
/// interleave: a plan of one task; else one without a service (a service runs on
/// beside the tasks after it) that the run takes one task at a time (`one_job`), or
/// whose tasks form a chain, each waiting (directly or not) for the one before, so
/// that at every step exactly one task is ready. This is mise's rule for its default
/// output (`interleave` for `--jobs 1` and for a linear graph, `prefix` otherwise).
fn one_at_a_time(tasks: &[PlannedTask], one_job: bool) -> bool {
    if tasks.len() <= 1 {
        return true;
    }
    if tasks.iter().any(|t| t.service) {
        return false;
    }
    if one_job {
        return true;
    }
    // Kahn's walk: the tasks whose dependencies are done; a chain never has two.
    let mut waiting: Vec<usize> = vec![0; tasks.len()];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
    for (i, task) in tasks.iter().enumerate() {
        let mut depends: Vec<usize> = (task.depends.iter())
            .map(|d| d.0)
            .filter(|&d| d < tasks.len() && d != i)
            .collect();
        depends.sort_unstable();
        depends.dedup();
        waiting[i] = depends.len();
        for d in depends {
            after[d].push(i);
        }
    }
    let mut ready: Vec<usize> = (0..tasks.len()).filter(|&i| waiting[i] == 0).collect();
    while let Some(next) = ready.pop() {
        if !ready.is_empty() {
            return false;
        }
        for &i in &after[next] {
            waiting[i] -= 1;
            if waiting[i] == 0 {
                ready.push(i);
            }
        }
    }
    true
}

fn json_line(value: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

fn write_to(stream: Stream, bytes: &[u8]) {
    match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(bytes);
            let _ = out.flush();
        }
        Stream::Stderr => {
            let _ = std::io::stderr().lock().write_all(bytes);
        }
    }
}

fn index(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

impl Inner {
    fn prefix(&self, task: usize) -> Vec<u8> {
        format!("[{}] ", self.names[task]).into_bytes()
    }

    /// Prints the lines `bytes` ends (after the held unfinished one) with the prefix;
    /// with `flush`, the unfinished line too. A lone task's output ([`Inner::raw`])
    /// goes out as it came: nothing held, nothing added or made safe.
    fn prefixed(&mut self, task: usize, stream: Stream, bytes: &[u8], flush: bool) {
        if self.raw {
            if !bytes.is_empty() {
                write_to(stream, bytes);
            }
            return;
        }
        let prefix = self.prefix(task);
        let mut out = Vec::new();
        self.partial[task][index(stream)].take(&prefix, bytes, flush, &mut out);
        if !out.is_empty() {
            write_to(stream, &out);
        }
    }

    fn hold(&mut self, task: usize, stream: Stream, bytes: &[u8], cap: usize) {
        let (chunks, size, dropped) = &mut self.held[task];
        match chunks.last_mut() {
            Some((s, last)) if *s == stream => last.extend_from_slice(bytes),
            _ => chunks.push((stream, bytes.to_vec())),
        }
        *size += bytes.len();
        while *size > cap && !chunks.is_empty() {
            let over = *size - cap;
            let first = &mut chunks[0].1;
            if first.len() <= over {
                *size -= first.len();
                *dropped += first.len();
                chunks.remove(0);
            } else {
                first.drain(..over);
                *size -= over;
                *dropped += over;
            }
        }
    }

    /// Prints a task's held output whole, under a header line.
    fn print_held(&mut self, task: usize, header: bool) {
        let (chunks, _, dropped) = std::mem::take(&mut self.held[task]);
        if chunks.is_empty() && dropped == 0 {
            return;
        }
        if header {
            write_to(
                Stream::Stdout,
                format!("── {} ──\n", self.names[task]).as_bytes(),
            );
        }
        if dropped > 0 {
            write_to(
                Stream::Stderr,
                format!(
                    "vx: the first {dropped} bytes of `{}`'s output were left out\n",
                    self.names[task]
                )
                .as_bytes(),
            );
        }
        // Made safe line by line as `prefix` makes them (issue 66, item 14): each
        // stream's lines in order, its last unfinished one ended.
        let mut lines: [Line; 2] = Default::default();
        let mut last = [None; 2];
        for (k, (stream, _)) in chunks.iter().enumerate() {
            last[index(*stream)] = Some(k);
        }
        for (k, (stream, bytes)) in chunks.iter().enumerate() {
            let mut out = Vec::new();
            let flush = last[index(*stream)] == Some(k);
            lines[index(*stream)].take(b"", bytes, flush, &mut out);
            if !out.is_empty() {
                write_to(*stream, &out);
            }
        }
    }
}

impl TaskSink for Printer {
    fn plan(&self, tasks: &[PlannedTask]) {
        let mut inner = self.lock();
        let quiet_names = std::mem::take(&mut inner.names);
        // Each task as the run names it: two nodes of one task apart (`[setup a]`).
        inner.names = tasks
            .iter()
            .map(|t| vx_text::sanitize(&t.label).into_owned())
            .collect();
        inner.tasks = tasks
            .iter()
            .map(|t| vx_text::sanitize(&t.name).into_owned())
            .collect();
        inner.quiet = tasks
            .iter()
            .map(|t| quiet_names.contains(&t.name))
            .collect();
        inner.services = tasks.iter().map(|t| t.service).collect();
        // The one place a run's lines lose their prefix: the default lines of a plan
        // whose tasks run one after another, whose lines nothing needs to tell apart.
        inner.raw = self.mode == Mode::Auto && one_at_a_time(tasks, self.one_job);
        inner.width = inner.names.iter().map(String::len).max().unwrap_or(0);
        inner.partial = vec![Default::default(); tasks.len()];
        inner.held = vec![Default::default(); tasks.len()];
        inner.ended = vec![false; tasks.len()];
        inner.restore_said = vec![None; tasks.len()];
        if self.mode == Mode::Json {
            // `label`, `args`, `env` and `depends_labels` tell two tasks of one name
            // apart (`setup a`, `setup b`); the other fields keep their meaning.
            let list: Vec<_> = (tasks.iter().zip(&inner.names))
                .map(|(t, label)| {
                    json!({
                        "task": t.name,
                        "label": label,
                        "args": t.args,
                        "env": t.env,
                        "service": t.service,
                        "depends": t.depends.iter().map(|d| &tasks[d.0].name).collect::<Vec<_>>(),
                        "depends_labels": t.depends.iter().map(|d| &inner.names[d.0]).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json_line(json!({ "event": "plan", "tasks": list }));
        }
    }

    fn phase(&self, task: TaskId, change: &PhaseChange) {
        let mut inner = self.lock();
        let i = task.0;
        if self.mode == Mode::Json {
            let mut event = json!({
                "event": "phase",
                "task": inner.tasks[i],
                "label": inner.names[i],
                "phase": change.phase.name(),
            });
            if let Some(pid) = change.pid {
                event["pid"] = json!(pid);
            }
            if let Some(code) = change.exit_code {
                event["exit_code"] = json!(code);
            }
            if let Some(reason) = &change.reason {
                event["reason"] = json!(reason);
            }
            if let Some(elapsed) = change.elapsed {
                event["elapsed_ms"] = json!(elapsed.as_millis() as u64);
            }
            if let Some(cache) = &change.cache {
                event["cache"] = json!(cache);
            }
            json_line(event);
            return;
        }
        if !change.phase.is_terminal() {
            return;
        }
        // Output first: a task's lines before vx's line about it.
        match self.mode {
            Mode::Prefix | Mode::Auto => {
                for stream in [Stream::Stdout, Stream::Stderr] {
                    inner.prefixed(i, stream, &[], true);
                }
            }
            Mode::Grouped if inner.services[i] => {
                for stream in [Stream::Stdout, Stream::Stderr] {
                    inner.prefixed(i, stream, &[], true);
                }
            }
            Mode::Quiet if change.phase == Phase::Failed => inner.print_held(i, true),
            _ => {}
        }
        inner.ended[i] = true;
        if self.mode == Mode::Grouped {
            while inner.printed < inner.ended.len()
                && (inner.ended[inner.printed] || inner.services[inner.printed])
            {
                let next = inner.printed;
                inner.print_held(next, true);
                inner.printed += 1;
            }
        }
        let name = inner.names[i].clone();
        let line = match change.phase {
            Phase::UpToDate if !inner.quiet[i] && self.mode != Mode::Quiet => {
                Some(format!("vx: `{name}` is up to date"))
            }
            Phase::Failed => Some(format!(
                "vx: task `{name}` failed: {}",
                change.reason.as_deref().unwrap_or("failed")
            )),
            _ => None,
        };
        if let Some(line) = line {
            write_to(Stream::Stderr, format!("{line}\n").as_bytes());
        }
        if let Some(cache) = &change.cache
            && (!inner.quiet[i] && self.mode != Mode::Quiet || change.phase == Phase::Failed)
        {
            write_to(
                Stream::Stderr,
                format!("vx: `{name}` {}\n", vx_text::sanitize(cache)).as_bytes(),
            );
        }
    }

    fn output(&self, task: TaskId, stream: Stream, bytes: &[u8]) {
        let i = task.0;
        if self.mode == Mode::Json {
            let (name, label) = {
                let inner = self.lock();
                (inner.tasks[i].clone(), inner.names[i].clone())
            };
            json_line(json!({
                "event": "output",
                "task": name,
                "label": label,
                "stream": match stream { Stream::Stdout => "stdout", Stream::Stderr => "stderr" },
                "text": String::from_utf8_lossy(bytes),
            }));
            return;
        }
        let mut inner = self.lock();
        match self.mode {
            Mode::Prefix | Mode::Auto => inner.prefixed(i, stream, bytes, false),
            Mode::Grouped if inner.services[i] => inner.prefixed(i, stream, bytes, false),
            Mode::Grouped => inner.hold(i, stream, bytes, GROUP_KEEP),
            Mode::Quiet => inner.hold(i, stream, bytes, QUIET_KEEP),
            Mode::Json => {}
        }
    }

    fn restore(&self, task: TaskId, progress: &RestoreProgress) {
        if self.mode != Mode::Json {
            return;
        }
        let mut inner = self.lock();
        let i = task.0;
        // A line as a stage starts, at each tenth of its bytes and at its end: never
        // a line per chunk.
        let step = (progress.total / 10).max(1);
        let last = inner.restore_said.get(i).copied().flatten();
        let say = match last {
            Some((stage, done)) if stage == progress.stage => {
                progress.done >= progress.total && done < progress.total
                    || progress.done >= done.saturating_add(step)
            }
            _ => true,
        };
        if !say {
            return;
        }
        if let Some(slot) = inner.restore_said.get_mut(i) {
            *slot = Some((progress.stage, progress.done));
        }
        json_line(json!({
            "event": "restore",
            "task": inner.tasks[i],
            "label": inner.names[i],
            "stage": progress.stage.name(),
            "bytes_done": progress.done,
            "bytes_total": progress.total,
        }));
    }

    fn finished(&self, summary: &RunSummary) {
        if self.mode == Mode::Json {
            json_line(json!({
                "event": "summary",
                "done": summary.done,
                "up_to_date": summary.up_to_date,
                "failed": summary.failed,
                "cancelled": summary.cancelled,
                "interrupted": summary.interrupted,
                "elapsed_ms": summary.elapsed.as_millis() as u64,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `prefix` prints of `output` given in chunks of `size`.
    fn printed(output: &[u8], size: usize) -> String {
        let mut line = Line::default();
        let mut out = Vec::new();
        for chunk in output.chunks(size) {
            line.take(b"[t] ", chunk, false, &mut out);
        }
        line.take(b"[t] ", &[], true, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_are_cut_at_the_cap_and_a_carriage_return_starts_a_line_again() {
        let mut output = b"one\r\n10%\r50%\r100%\n\x1b[31mred\x1b[0m\x1b]0;title\x07\n".to_vec();
        output.extend(std::iter::repeat_n(b'x', LINE_CAP + 10));
        output.extend_from_slice(b"\rskipped\nafter\nlast");
        let expected = format!(
            "[t] one\n[t] 100%\n[t] \x1b[31mred\x1b[0m\\x1b]0;title\\x07\n[t] {} … (line cut at 64 KiB)\n[t] after\n[t] last\n",
            "x".repeat(LINE_CAP)
        );
        for size in [1, 2, 3, 7, 4096, LINE_CAP, output.len()] {
            assert_eq!(printed(&output, size), expected, "chunks of {size}");
        }
    }

    /// A plan of `deps.len()` tasks, task `i` waiting for the tasks `deps[i]` names.
    fn planned(deps: &[&[usize]]) -> Vec<PlannedTask> {
        (deps.iter().enumerate())
            .map(|(i, after)| PlannedTask {
                id: TaskId(i),
                name: format!("t{i}"),
                label: format!("t{i}"),
                args: Vec::new(),
                env: Vec::new(),
                service: false,
                depends: after.iter().map(|&d| TaskId(d)).collect(),
            })
            .collect()
    }

    #[test]
    fn only_tasks_that_can_run_at_once_are_told_apart() {
        // One task; a chain (b after a, c after b and a): one at a time.
        assert!(one_at_a_time(&planned(&[&[]]), false));
        assert!(one_at_a_time(&planned(&[&[], &[0]]), false));
        assert!(one_at_a_time(&planned(&[&[], &[0], &[1, 0]]), false));
        assert!(one_at_a_time(&planned(&[&[1], &[2], &[]]), false));
        // Two independent tasks, and a diamond's middle: at once, unless one job.
        let apart = planned(&[&[], &[]]);
        let diamond = planned(&[&[], &[0], &[0], &[1, 2]]);
        for plan in [&apart, &diamond] {
            assert!(!one_at_a_time(plan, false));
            assert!(one_at_a_time(plan, true));
        }
        // A service runs on beside what follows it, whatever the jobs.
        let mut served = planned(&[&[], &[0]]);
        served[0].service = true;
        assert!(!one_at_a_time(&served, false) && !one_at_a_time(&served, true));
    }

    #[test]
    fn a_line_is_cut_where_a_character_starts() {
        let mut output = vec![b'x'; LINE_CAP - 1];
        output.extend_from_slice("é and more\n".as_bytes());
        let shown = printed(&output, 1000);
        assert!(
            shown.ends_with("x … (line cut at 64 KiB)\n"),
            "{}",
            &shown[shown.len() - 40..]
        );
    }
}
