//! Measures what publishing a task's output on the board costs the task: runs a shell
//! command with its stdout and stderr piped, reads each pipe in 64 KiB chunks on its own
//! thread as `vx run`'s runner does (`src/projects/tasks/runner.rs`, `read_pipe`), and appends
//! every chunk to the task's ring on a task board, as `vx::projects::tasks::board_sink` does
//! (one writer behind a mutex per task). Prints the wall time. Used by
//! `scripts/bench-task-output.sh`; see docs/BENCHMARKS.md.
//!
//! ```text
//! task_output run [--no-board] [--ring BYTES] DIR -- 'COMMAND'
//! task_output follow DIR        # a `vx logs -f` of the first live run's task 0, to stdout
//! ```

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vx_shm::{TaskBoard, TaskPhase, TaskRun, registry};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("follow") => follow(Path::new(&args[1])),
        _ => {
            eprintln!(
                "usage: task_output run [--no-board] [--ring BYTES] DIR -- COMMAND | follow DIR"
            );
            std::process::exit(2);
        }
    }
}

fn run(args: &[String]) {
    let mut board = true;
    let mut ring = vx_shm::DEFAULT_RING_CAPACITY;
    let mut rest = args;
    loop {
        match rest.first().map(String::as_str) {
            Some("--no-board") => {
                board = false;
                rest = &rest[1..];
            }
            Some("--ring") => {
                ring = rest[1].parse().expect("ring bytes");
                rest = &rest[2..];
            }
            _ => break,
        }
    }
    let dir = Path::new(&rest[0]);
    assert_eq!(rest[1], "--");
    let command = &rest[2];
    let board = board.then(|| {
        let board = TaskBoard::create(dir, "bench", &["spew"], ring).expect("task board");
        let mut writer = board.writer(0).expect("writer");
        writer.set_phase(TaskPhase::Running);
        (board, Arc::new(Mutex::new(writer)))
    });
    if let Some((board, _)) = &board {
        println!("board {}", board.path().display());
    }
    // A follower may attach now (the script waits for this line).
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", command])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().unwrap()),
        Box::new(child.stderr.take().unwrap()),
    ];
    let readers: Vec<_> = pipes
        .into_iter()
        .map(|mut pipe| {
            let writer = board.as_ref().map(|(_, w)| Arc::clone(w));
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                let mut total = 0u64;
                loop {
                    match pipe.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            total += n as u64;
                            if let Some(writer) = &writer {
                                writer.lock().unwrap().output(&buf[..n]);
                            }
                        }
                    }
                }
                total
            })
        })
        .collect();
    let total: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
    let status = child.wait().expect("wait");
    let elapsed = started.elapsed();
    if let Some((board, writer)) = &board {
        writer
            .lock()
            .unwrap()
            .finish(TaskPhase::Done, status.code(), "");
        board.finish(false);
        // Let a follower see the end before the board goes.
        std::thread::sleep(Duration::from_millis(300));
    }
    println!(
        "bytes {total} seconds {:.4} status {}",
        elapsed.as_secs_f64(),
        status.code().unwrap_or(-1)
    );
}

fn follow(dir: &Path) {
    let listing = registry::list(dir)
        .expect("list")
        .into_iter()
        .find(|l| l.owner_alive)
        .expect("a live run");
    let run = TaskRun::open(&listing.path).expect("open run");
    let mut out = std::io::stdout().lock();
    let (mut from, mut lost, mut buffer) = (0u64, 0u64, Vec::with_capacity(1 << 20));
    loop {
        buffer.clear();
        let read = run.read_output(0, from, 1 << 20, &mut buffer).unwrap();
        lost += read.lost;
        from = read.next;
        out.write_all(&buffer).unwrap();
        if read.ended {
            break;
        }
        if buffer.len() < 1 << 20 {
            std::thread::sleep(Duration::from_millis(30));
        }
    }
    eprintln!("followed {from} lost {lost}");
}
