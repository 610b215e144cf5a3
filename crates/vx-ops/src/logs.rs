//! A task's output read from its ring on the run's board, from outside the run (`vx
//! logs`): which live (or named) run holds the task, what a follower lost and when to
//! say so, and the output made safe for a terminal. Nothing here prints.

use std::path::Path;
use std::time::{Duration, Instant};

use vx_shm::{TaskRun, registry};

use vx_sync::report::boards::{ListError, listed, phase_name};
use vx_tasks::state::last_run;

/// The shortest time between two notes of lost output.
const NOTE_EVERY: Duration = Duration::from_secs(1);

/// Why the task's output cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    /// The boards cannot be listed (the machine's).
    #[error(transparent)]
    List(#[from] ListError),
    /// The run asked for by id cannot be read (a corrupt output segment, a sync's
    /// board).
    #[error("run {id} cannot be read")]
    Unreadable {
        /// The run's id.
        id: String,
        /// Why.
        #[source]
        source: vx_shm::Error,
    },
    /// No run matches the id asked for.
    #[error("no task run matches {0:?} (see `vx ps --all`)")]
    NoRun(String),
    /// Several runs match the id asked for.
    #[error("{id:?} matches {count} runs; give more of the id")]
    AmbiguousRun {
        /// The id asked for.
        id: String,
        /// How many runs it matches.
        count: usize,
    },
    /// No run searched has the task.
    #[error("no task {task:?} in {searched}: {known}")]
    NoTask {
        /// The task asked for.
        task: String,
        /// Where it was looked for (`run ID`, `the live runs`).
        searched: String,
        /// The tasks there, or that no run is alive.
        known: String,
    },
    /// Several live runs have the task.
    #[error("{count} live runs have a task {task:?}: pick one with --run ID ({ids})")]
    SeveralRuns {
        /// The task asked for.
        task: String,
        /// How many runs have it.
        count: usize,
        /// Their short ids, comma-separated.
        ids: String,
    },
}

impl LogsError {
    /// Whether the user's request is at fault (exit 2), not the machine (exit 1).
    pub(crate) fn is_usage(&self) -> bool {
        !matches!(self, LogsError::List(_))
    }
}

/// The run holding a task, found by [`find_task`].
pub struct Found {
    /// The run.
    pub run: TaskRun,
    /// The task's index in it.
    pub index: usize,
    /// Whether the run's owner (its `vx run`) is alive.
    pub alive: bool,
    /// Whether it is the project's last run, kept after it ended ([`last_run`]).
    pub kept: bool,
}

/// The run holding `task` (and the task's index): among live runs, or the run `run_id`
/// names (live or dead), else (no run named) the project's last run kept in `kept`.
/// Whether its owner is alive comes along.
pub fn find_task(
    dir: &Path,
    task: &str,
    run_id: Option<&str>,
    kept: Option<&Path>,
) -> Result<Found, LogsError> {
    let mut runs: Vec<(registry::Listing, TaskRun)> = Vec::new();
    for (listing, board) in listed(dir, run_id.is_some())?
        .into_iter()
        .filter(|(listing, _)| run_id.is_none_or(|id| listing.id.starts_with(id)))
    {
        match TaskRun::from_board(board) {
            Ok(run) => runs.push((listing, run)),
            // The run asked for by name: why it cannot be read is the answer.
            Err(source) if run_id.is_some() => {
                return Err(LogsError::Unreadable {
                    id: listing.id,
                    source,
                });
            }
            Err(_) => {}
        }
    }
    if let Some(id) = run_id {
        if runs.is_empty() {
            return Err(LogsError::NoRun(id.to_owned()));
        }
        if runs.len() > 1 {
            return Err(LogsError::AmbiguousRun {
                id: id.to_owned(),
                count: runs.len(),
            });
        }
    }
    let mut holding: Vec<(registry::Listing, TaskRun, usize)> = runs
        .into_iter()
        .filter_map(|(listing, run)| {
            let index = run.find(task)?;
            Some((listing, run, index))
        })
        .collect();
    match holding.len() {
        1 => {
            let (listing, run, index) = holding.remove(0);
            Ok(Found {
                run,
                index,
                alive: listing.owner_alive,
                kept: false,
            })
        }
        0 => match kept_run(kept.filter(|_| run_id.is_none()), task) {
            Some(found) => Ok(found),
            None => Err(LogsError::NoTask {
                task: task.to_owned(),
                searched: searched(run_id),
                known: known_tasks(dir, run_id).map_or_else(
                    || "no task run is alive (see `vx ps`)".to_owned(),
                    |known| format!("tasks there: {known}"),
                ),
            }),
        },
        count => Err(LogsError::SeveralRuns {
            task: task.to_owned(),
            count,
            ids: holding
                .iter()
                .map(|(l, _, _)| l.id[..12].to_owned())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// `task` in the project's last run kept in `kept`, if it is there.
fn kept_run(kept: Option<&Path>, task: &str) -> Option<Found> {
    let run = last_run::last(kept?)?;
    let index = run.find(task)?;
    Some(Found {
        run,
        index,
        alive: false,
        kept: true,
    })
}

/// Where a search looked, in words.
fn searched(run_id: Option<&str>) -> String {
    match run_id {
        Some(id) => format!("run {id}"),
        None => "the live runs".to_owned(),
    }
}

/// The task names of the runs a search looked at, for an error message.
fn known_tasks(dir: &Path, run_id: Option<&str>) -> Option<String> {
    let mut names: Vec<String> = listed(dir, run_id.is_some())
        .ok()?
        .into_iter()
        .filter(|(l, _)| run_id.is_none_or(|id| l.id.starts_with(id)))
        .filter_map(|(_, board)| TaskRun::from_board(board).ok())
        .flat_map(|run| {
            run.tasks()
                .into_iter()
                .map(|t| format!("{} ({})", vx_text::sanitize(&t.name), phase_name(&t)))
                .collect::<Vec<_>>()
        })
        .collect();
    names.dedup();
    (!names.is_empty()).then(|| names.join(", "))
}

/// What a follower lost, said at most once a second (a follower that keeps falling
/// behind a fast task would otherwise print a note per read), the rest at the end.
#[derive(Default)]
pub struct LostNotes {
    pending: u64,
    said: Option<Instant>,
}

impl LostNotes {
    /// Counts `bytes` lost; the bytes to say now, if a note is due.
    pub fn add(&mut self, bytes: u64) -> Option<u64> {
        self.pending += bytes;
        let due = self.said.is_none_or(|at| at.elapsed() >= NOTE_EVERY);
        (self.pending > 0 && due).then(|| {
            self.said = Some(Instant::now());
            std::mem::take(&mut self.pending)
        })
    }

    /// What is left to say.
    pub fn rest(&mut self) -> Option<u64> {
        (self.pending > 0).then(|| std::mem::take(&mut self.pending))
    }
}

/// Turns a task's output bytes into text safe for a terminal, chunk by chunk: whole
/// lines and colours (SGR sequences, `ESC [ … m`) pass, every other control character
/// is shown escaped (as [`vx_text::sanitize`] does), invalid UTF-8 is replaced, and a
/// character or sequence split across two chunks is held until it is whole.
#[derive(Default)]
pub struct TerminalText {
    pending: Vec<u8>,
}

impl TerminalText {
    /// The safe text of `bytes` (after what an earlier chunk left pending), keeping back
    /// an incomplete character or escape sequence at the end.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let keep = incomplete_tail(&self.pending);
        let whole: Vec<u8> = self.pending.drain(..self.pending.len() - keep).collect();
        safe(&String::from_utf8_lossy(&whole))
    }

    /// What is still pending, made safe: the output has ended.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        safe(&String::from_utf8_lossy(&rest))
    }
}

/// Bytes at the end of `bytes` that may be the start of a UTF-8 character or an SGR
/// sequence completed by the next chunk (at most a few dozen).
fn incomplete_tail(bytes: &[u8]) -> usize {
    // An escape sequence not yet ended.
    if let Some(esc) = bytes.iter().rposition(|b| *b == 0x1b)
        && bytes.len() - esc <= 32
        && bytes[esc + 1..]
            .iter()
            .enumerate()
            .all(|(i, b)| (i == 0 && *b == b'[') || (i > 0 && (b.is_ascii_digit() || *b == b';')))
    {
        return bytes.len() - esc;
    }
    // A UTF-8 character not yet ended: a lead byte within the last three bytes whose
    // sequence is longer than what follows it.
    for back in 1..=3.min(bytes.len()) {
        let byte = bytes[bytes.len() - back];
        let len = match byte {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            0x80..=0xbf => continue,
            _ => return 0,
        };
        return if len > back { back } else { 0 };
    }
    0
}

/// `text` with newlines, tabs and SGR colour sequences kept, `\r\n` as `\n`, a lone
/// `\r` as a new line, and every other control character escaped
/// ([`vx_text::sanitize_keeping_colours`], which `vx run --output prefix` shares).
fn safe(text: &str) -> String {
    let lines = text.replace("\r\n", "\n").replace('\r', "\n");
    vx_text::sanitize_keeping_colours(&lines).into_owned()
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A task whose output cannot be read (`vx logs`).
    LogsError => |e| by_kind(e.is_usage(), e);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_lines_and_tabs_pass_and_other_controls_are_escaped() {
        let mut text = TerminalText::default();
        let shown = text.push(b"\x1b[1;31merror\x1b[0m:\tbad\r\n\x1b]0;title\x07\x1b[2J\rdone\n");
        assert_eq!(
            shown,
            "\x1b[1;31merror\x1b[0m:\tbad\n\\x1b]0;title\\x07\\x1b[2J\ndone\n"
        );
        assert_eq!(text.finish(), "");
    }

    #[test]
    fn a_character_or_colour_split_across_chunks_is_held_until_whole() {
        let mut text = TerminalText::default();
        let all = "é \x1b[32mok\x1b[0m ✓".as_bytes();
        let mut shown = String::new();
        for chunk in all.chunks(1) {
            shown.push_str(&text.push(chunk));
        }
        shown.push_str(&text.finish());
        assert_eq!(shown, "é \x1b[32mok\x1b[0m ✓");
    }

    #[test]
    fn binary_garbage_is_replaced_not_printed() {
        let mut text = TerminalText::default();
        let shown = text.push(&[0xff, 0xfe, 0x00, b'a', 0x9b, b'\n']) + &text.finish();
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
        assert!(shown.contains('a'));
    }
}
