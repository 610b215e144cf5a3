//! What the task views of a `vx run` read from its board, collected apart from how
//! they draw it: each task's state (phase, times, message) and the lines of its
//! output, followed from its ring in place ([`TaskRun`]), plus which tasks ended since
//! the last poll. The inline view ([`crate::task_inline`]) and the pane per task
//! ([`crate::task_panes`]) draw from a [`TaskFeed`]; they never touch the board.
//!
//! A poll reads at most a window of a task's output ([`READ_WINDOW`] for the panes,
//! less for the inline rows): a task printing faster than the view polls is skipped
//! ahead (the bytes in between said as `[… N skipped]`, not read), so following a task
//! that prints 100 MB costs the view a bounded copy per tick and costs the task nothing
//! (its writes never wait for a reader).

use std::collections::VecDeque;

use vx_shm::{TaskPhase, TaskRun, TaskState};
use vx_text::{bytes, sanitize};

/// Most bytes of one task's output read per poll by default; a task further ahead is
/// skipped to its last bytes.
pub const READ_WINDOW: usize = 256 << 10;
/// Bytes of one line kept (a task printing one endless line is cut, not stored whole).
pub const LINE_CAP: usize = 4096;

/// The followed output of one task: its last lines, plain text safe for a terminal.
#[derive(Debug, Default)]
pub struct TaskLog {
    next: u64,
    keep: usize,
    window: usize,
    lines: VecDeque<String>,
    partial: Vec<u8>,
    /// Lines dropped from the front (beyond `keep`), so line numbers stay stable.
    dropped: u64,
    /// Whether the ring said the output ended and all of it was read.
    ended: bool,
}

impl TaskLog {
    /// An empty log keeping at most `keep` lines, reading at most `window` bytes a
    /// poll.
    pub fn new(keep: usize, window: usize) -> TaskLog {
        TaskLog {
            keep: keep.max(1),
            window: window.max(1),
            ..TaskLog::default()
        }
    }

    /// Reads what task `index`'s ring gained since the last call (`head`: the ring's
    /// head now, from the slot's state), at most its window of bytes.
    pub fn follow(&mut self, run: &TaskRun, index: usize, head: u64, buffer: &mut Vec<u8>) {
        if self.ended {
            return;
        }
        let window = self.window as u64;
        if head > self.next + window {
            let skipped = head - window - self.next;
            self.partial.clear();
            self.push(format!("[… {} skipped]", bytes(skipped)));
            self.next = head - window;
        }
        buffer.clear();
        let Some(read) = run.read_output(index, self.next, self.window, buffer) else {
            self.ended = true;
            return;
        };
        if read.lost > 0 {
            self.partial.clear();
            self.push(format!("[… {} not kept]", bytes(read.lost)));
        }
        self.next = read.next;
        self.take(buffer);
        if read.ended {
            self.ended = true;
            if !self.partial.is_empty() {
                let line = std::mem::take(&mut self.partial);
                self.push(plain(&String::from_utf8_lossy(&line)));
            }
        }
    }

    /// Splits `bytes` into lines.
    fn take(&mut self, bytes: &[u8]) {
        for part in bytes.split_inclusive(|b| *b == b'\n') {
            let (text, whole) = match part.split_last() {
                Some((b'\n', text)) => (text, true),
                _ => (part, false),
            };
            let room = LINE_CAP.saturating_sub(self.partial.len());
            self.partial
                .extend_from_slice(&text[..text.len().min(room)]);
            if whole {
                let line = std::mem::take(&mut self.partial);
                self.push(plain(&String::from_utf8_lossy(&line)));
            }
        }
    }

    fn push(&mut self, line: String) {
        if self.lines.len() == self.keep {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    /// Whether the task's output has ended and all of it was read.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// The kept lines, the unfinished one last.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.lines.iter().cloned().collect();
        if !self.partial.is_empty() {
            lines.push(plain(&String::from_utf8_lossy(&self.partial)));
        }
        lines
    }

    /// Kept line `index` (0: the oldest kept; the unfinished one last), without
    /// copying the others: what a pane shows of a long log.
    pub fn line(&self, index: usize) -> Option<String> {
        match self.lines.get(index) {
            Some(line) => Some(line.clone()),
            None if index == self.lines.len() && !self.partial.is_empty() => {
                Some(plain(&String::from_utf8_lossy(&self.partial)))
            }
            None => None,
        }
    }

    /// How many lines are kept (the unfinished one included).
    pub fn len(&self) -> usize {
        self.lines.len() + usize::from(!self.partial.is_empty())
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lines dropped from the front because more than the kept number came.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The last line with something on it (the unfinished one if any): a running
    /// task's row shows it.
    pub fn last_line(&self) -> Option<String> {
        if !self.partial.is_empty() {
            let line = plain(&String::from_utf8_lossy(&self.partial));
            if !line.trim().is_empty() {
                return Some(line);
            }
        }
        self.lines
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .cloned()
    }

    /// The last `count` lines, the unfinished one included.
    pub fn tail(&self, count: usize) -> Vec<String> {
        let mut lines = self.lines();
        let skip = lines.len().saturating_sub(count);
        lines.split_off(skip)
    }
}

/// A run's tasks and their output, as of the last [`TaskFeed::poll`].
pub struct TaskFeed {
    label: String,
    created_unix_ms: u64,
    tasks: Vec<TaskState>,
    logs: Vec<TaskLog>,
    reported: Vec<bool>,
    finished: bool,
    interrupted: bool,
    buffer: Vec<u8>,
}

impl TaskFeed {
    /// A feed of `run` keeping `keep_lines` lines per task and reading at most `window`
    /// bytes of each a poll ([`READ_WINDOW`] suits a view that scrolls), not yet
    /// polled.
    pub fn new(run: &TaskRun, keep_lines: usize, window: usize) -> TaskFeed {
        let info = run.board().info();
        TaskFeed {
            label: vx_text::sanitize(&info.label).into_owned(),
            created_unix_ms: info.created_unix_ms,
            tasks: Vec::new(),
            logs: (0..run.task_count())
                .map(|_| TaskLog::new(keep_lines, window))
                .collect(),
            reported: vec![false; run.task_count()],
            finished: false,
            interrupted: false,
            buffer: Vec::new(),
        }
    }

    /// Reads the tasks and their new output; returns the tasks that have ended since
    /// the last poll with all their output read (in plan order).
    pub fn poll(&mut self, run: &TaskRun) -> Vec<usize> {
        // The board's end first: a finished board's tasks are all terminal below.
        let board = run.board();
        let finished = board.is_finished();
        self.interrupted = board.was_interrupted();
        self.tasks = run.tasks();
        let mut ended = Vec::new();
        for (index, log) in self.logs.iter_mut().enumerate() {
            let Some(task) = self.tasks.get(index) else {
                continue;
            };
            log.follow(run, index, task.output_bytes, &mut self.buffer);
            let terminal =
                task.phase.is_some_and(TaskPhase::is_terminal) || task.unreadable.is_some();
            // A terminal task's ring is closed after its last output: read to its end
            // (bounded: what is left over the window waits for the next poll).
            if terminal && !self.reported[index] && (log.ended() || task.unreadable.is_some()) {
                self.reported[index] = true;
                ended.push(index);
            }
        }
        self.finished = finished && self.reported.iter().all(|r| *r);
        ended
    }

    /// The run's label (its manifest's path), made safe.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// When the run began (ms since the Unix epoch).
    pub fn created_unix_ms(&self) -> u64 {
        self.created_unix_ms
    }

    /// The tasks as of the last poll, in plan order.
    pub fn tasks(&self) -> &[TaskState] {
        &self.tasks
    }

    /// Task `index`'s output.
    pub fn log(&self, index: usize) -> Option<&TaskLog> {
        self.logs.get(index)
    }

    /// Whether the run finished (its board says so) and every task's end was
    /// reported by [`TaskFeed::poll`].
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Whether the run was interrupted.
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }
}

/// A task's elapsed time at `now` (ms since the epoch): from its start to its end
/// (or now); `None` before it started.
pub fn elapsed_ms(task: &TaskState, now: u64) -> Option<u64> {
    if task.started_unix_ms == 0 {
        return None;
    }
    let end = if task.ended_unix_ms != 0 {
        task.ended_unix_ms
    } else {
        now
    };
    Some(end.saturating_sub(task.started_unix_ms))
}

/// A line of task output as plain text for a cell: colour sequences (`ESC [ … m`)
/// dropped, a carriage return ending what came before it, every other control
/// character shown escaped ([`sanitize`]).
pub fn plain(line: &str) -> String {
    let line = vx_text::last_state(line);
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        match vx_text::sgr_len(&rest[at..]) {
            Some(n) => rest = &rest[at + n..],
            None => {
                out.push('\x1b');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    sanitize(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(names: &[&str], ring: usize) -> (tempfile::TempDir, vx_shm::TaskBoard) {
        let dir = tempfile::tempdir().unwrap();
        let board = vx_shm::TaskBoard::create(dir.path(), "p/vx.toml", names, ring).unwrap();
        (dir, board)
    }

    #[test]
    fn plain_drops_colours_and_escapes_the_rest() {
        assert_eq!(plain("\x1b[1;31merror\x1b[0m: x"), "error: x");
        assert_eq!(plain("\x1b]0;title\x07ok"), "\\x1b]0;title\\x07ok");
        assert_eq!(plain("10%\r50%\r100%"), "100%");
        assert_eq!(plain("\x1b[2Jgone"), "\\x1b[2Jgone");
    }

    #[test]
    fn lines_are_split_made_safe_and_a_task_is_reported_once_when_drained() {
        let (_dir, board) = board(&["a", "b"], 4096);
        let mut a = board.writer(0).unwrap();
        a.set_phase(TaskPhase::Running);
        a.output(b"one\n\x1b[31mtwo\x1b[0m\nthr");
        let run = TaskRun::open(board.path()).unwrap();
        let mut feed = TaskFeed::new(&run, 100, READ_WINDOW);
        assert!(feed.poll(&run).is_empty());
        let log = feed.log(0).unwrap();
        assert_eq!(log.lines(), ["one", "two", "thr"]);
        assert_eq!(log.last_line().as_deref(), Some("thr"));
        assert_eq!(
            (log.line(1).as_deref(), log.line(2).as_deref(), log.line(3)),
            (Some("two"), Some("thr"), None)
        );
        a.output(b"ee\n\x1b]0;evil\x07\n");
        a.finish(TaskPhase::Failed, Some(2), "exit status 2");
        assert_eq!(feed.poll(&run), [0]);
        assert_eq!(
            feed.log(0).unwrap().lines(),
            ["one", "two", "three", "\\x1b]0;evil\\x07"]
        );
        assert!(feed.poll(&run).is_empty(), "reported once");
        assert!(!feed.finished());
        board
            .writer(1)
            .unwrap()
            .finish(TaskPhase::Cancelled, None, "");
        board.finish(false);
        assert_eq!(feed.poll(&run), [1]);
        assert!(feed.finished());
    }

    #[test]
    fn a_task_far_ahead_is_skipped_to_its_last_window_and_lines_are_bounded() {
        let (_dir, board) = board(&["loud"], 1 << 20);
        let mut loud = board.writer(0).unwrap();
        loud.set_phase(TaskPhase::Running);
        let line = [b'x'; 99]
            .iter()
            .copied()
            .chain([b'\n'])
            .collect::<Vec<u8>>();
        for _ in 0..8000 {
            loud.output(&line);
        }
        let run = TaskRun::open(board.path()).unwrap();
        let mut feed = TaskFeed::new(&run, 50, READ_WINDOW);
        feed.poll(&run);
        let log = feed.log(0).unwrap();
        assert_eq!(log.len(), 50);
        assert!(log.dropped() > 2000, "{}", log.dropped());
        assert!(log.lines().iter().all(|l| l.len() <= LINE_CAP));
        let mut long = TaskLog::new(5, READ_WINDOW);
        long.take(&vec![b'y'; LINE_CAP * 3]);
        long.take(b"\n");
        assert_eq!(long.lines()[0].len(), LINE_CAP);
    }
}
