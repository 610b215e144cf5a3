//! `vx logs [-f] TASK [--run ID]`: a task's output from another terminal, read in place
//! from its ring on the run's board. `-f` follows it until the task ends (or its run
//! dies). Bytes that reach a terminal are made safe first; a pipe gets them raw.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use vx_base::exit::{Error, FAILED, OK};
use vx_ops::logs::{Found, LostNotes, TerminalText, find_task};
use vx_ops::session::{Opening, Want, locate};
use vx_shm::registry;

use crate::cli::LogsArgs;

/// How long a follower sleeps when there is nothing new.
const IDLE: Duration = Duration::from_millis(30);
/// How often a follower checks that the run still lives (a syscall or two).
const LIVENESS: Duration = Duration::from_millis(500);
/// Bytes copied per read.
const CHUNK: usize = 1 << 20;

/// Runs `vx logs`.
pub(crate) fn run(args: &LogsArgs) -> Result<i32, Error> {
    let dir = registry::default_dir();
    // The project's last run, for a task no live run has: found, never opened (its
    // files are not read, so an untrusted clone's are no matter).
    let project = locate(&Opening::new(None, Want::Optional)).ok().flatten();
    let kept = project.as_deref().and_then(vx_tasks::state::last_run::dir);
    let Found {
        run,
        index,
        alive,
        kept,
    } = find_task(&dir, &args.task, args.run.as_deref(), kept.as_deref())?;
    let task_name = run.task(index).map(|t| t.name).unwrap_or_default();
    if kept {
        vx_base::note!(
            "vx: the last run of {} ended ({}): this is what it last wrote",
            vx_text::sanitize(&task_name),
            ended(&run, index)
        );
    } else if !alive {
        vx_base::note!(
            "vx: the run of {} is dead (its vx run, pid {}, is gone): this is what it last wrote",
            vx_text::sanitize(&task_name),
            run.creator().pid
        );
    }
    let terminal = std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    let mut text = TerminalText::default();
    let mut buffer = Vec::with_capacity(CHUNK);
    let mut from = 0u64;
    let mut checked = Instant::now();
    let mut lost = LostNotes::default();
    let note = |bytes: u64| {
        vx_base::note!(
            "vx: [{} of {}'s output not kept: the ring holds its last {}]",
            vx_text::bytes(bytes),
            vx_text::sanitize(&task_name),
            vx_text::bytes(run.ring_capacity() as u64)
        );
    };
    loop {
        buffer.clear();
        let Some(read) = run.read_output(index, from, CHUNK, &mut buffer) else {
            break;
        };
        if let Some(bytes) = lost.add(read.lost) {
            out.flush()?;
            note(bytes);
        }
        from = read.next;
        if terminal {
            out.write_all(text.push(&buffer).as_bytes())?;
        } else {
            out.write_all(&buffer)?;
        }
        if buffer.len() == CHUNK {
            continue; // more is waiting
        }
        if !args.follow || read.ended {
            break;
        }
        out.flush()?;
        if checked.elapsed() >= LIVENESS {
            checked = Instant::now();
            if !run.owner_alive() {
                // One last read: what it wrote before it went.
                buffer.clear();
                if run.read_output(index, from, CHUNK, &mut buffer).is_some() {
                    if terminal {
                        out.write_all(text.push(&buffer).as_bytes())?;
                    } else {
                        out.write_all(&buffer)?;
                    }
                }
                out.write_all(text.finish().as_bytes())?;
                out.flush()?;
                if run.board().is_finished() {
                    break;
                }
                if let Some(bytes) = lost.rest() {
                    note(bytes);
                }
                vx_base::note!(
                    "vx: the run of {} died (its vx run, pid {}, is gone) before the task ended",
                    vx_text::sanitize(&task_name),
                    run.creator().pid
                );
                return Ok(FAILED);
            }
        }
        std::thread::sleep(IDLE);
    }
    out.write_all(text.finish().as_bytes())?;
    out.flush()?;
    if let Some(bytes) = lost.rest() {
        note(bytes);
    }
    Ok(OK)
}

/// When task `index` of a kept run ended, coarsely (`5 min ago`).
fn ended(run: &vx_shm::TaskRun, index: usize) -> String {
    let at = run.task(index).map_or(0, |t| t.ended_unix_ms);
    if at == 0 {
        return "when is not known".into();
    }
    let ago = vx_shm::now_unix_ms().saturating_sub(at) / 1000;
    vx_text::age(ago)
}
