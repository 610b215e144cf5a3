//! The shared-memory board against pipe transports, on the same work (issue 5).
//!
//! `cargo bench --bench transport` runs:
//!
//! - criterion groups `transport/publish/{board,pipe-binary,pipe-json}`: the writer's cost
//!   of one progress update;
//! - `transport/snapshot/{board,pipe-binary,pipe-json}/{8,64,256}`: the reader's cost of
//!   the latest state of every tool;
//! - three measurements outside criterion's timing loop, with helper processes (this
//!   binary re-run with `VX_BENCH_ROLE` set): cross-process visibility latency, throughput
//!   with 1/4/16 writer processes and a 30 Hz reader, and memory. They print a summary and
//!   write JSON under `target/criterion/vx-extra/` for `scripts/bench-report.py`.
//!
//! Under `cargo test --benches` (no `--bench` argument: criterion's test mode) every
//! criterion benchmark runs once and the extra measurements run a tiny version that
//! writes nothing, so the benches cannot rot and the test command stays fast.
//!
//! Unix only: the transports under test are Unix pipes, timed with Unix CPU clocks.

#[cfg(unix)]
mod support;

#[cfg(unix)]
fn main() {
    unix::main();
}

#[cfg(not(unix))]
fn main() {
    println!("the transport benchmarks measure Unix pipes: run them on Linux or macOS");
}

#[cfg(unix)]
mod unix {
    use super::support;
    use std::hint::black_box;
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use criterion::{BenchmarkId, Criterion, criterion_group};
    use serde_json::{Value, json};
    use vx_shm::layout::board_size;
    use vx_shm::{Access, BoardReader, Phase, SlotWriter};

    use support::{
        Drainer, FRAME, PipeSender, Rss, Transport, board_dir, board_with, downloading, mono_ns,
        pipes, process_cpu_ns, thread_cpu_ns,
    };

    /// Updates per tool waiting in its pipe when the reader drains: one 33 ms dashboard frame
    /// of a child publishing once per 64 KiB chunk at about 30 MiB/s (≈ 480 updates/s).
    const BACKLOG_PER_TOOL: usize = 16;
    /// Tool counts of the reader benchmarks.
    const SNAPSHOT_SIZES: [usize; 3] = [8, 64, 256];
    /// Tool counts of the memory measurement.
    const MEMORY_SIZES: [usize; 3] = [64, 256, 1024];
    /// Writer processes of the throughput measurement.
    const WRITER_COUNTS: [usize; 3] = [1, 4, 16];
    /// The reader's frame rate in the throughput measurement.
    const READER_HZ: f64 = 30.0;

    // ---------------------------------------------------------------------------------------
    // Criterion: writer cost, reader cost.

    fn publish(c: &mut Criterion) {
        let mut group = c.benchmark_group("transport/publish");
        let dir = board_dir();
        let board = board_with(dir.path(), 64);
        let mut writer = SlotWriter::attach(board.path(), 7, "tool-7").expect("attach");
        let mut record = downloading("tool-7");
        record.set_writer(writer.record().writer().expect("attached writer"));
        *writer.record_mut() = record;
        let mut done = 0u64;
        group.bench_function("board", |b| {
            b.iter(|| {
                done += 65_536;
                writer
                    .record_mut()
                    .set_progress(black_box(done), Some(48 << 20));
                writer.publish();
            })
        });
        // What `vx install` calls: the same publish plus the heartbeat (a wall-clock read).
        group.bench_function("board-update", |b| {
            b.iter(|| {
                done += 65_536;
                writer.update(|r| r.set_progress(black_box(done), Some(48 << 20)));
            })
        });
        for transport in [Transport::PipeBinary, Transport::PipeJson] {
            let (reader, pipe) = std::io::pipe().expect("pipe");
            // Keeps the pipe empty so writes never block, and polls without sleeping so no
            // write pays for waking it: only the writer's own cost is timed (pipes' best case).
            rustix::io::ioctl_fionbio(&reader, true).expect("make the pipe non-blocking");
            let drain = std::thread::spawn(move || {
                let mut buf = vec![0u8; support::PIPE_CAPACITY];
                let mut total = 0usize;
                loop {
                    match std::io::Read::read(&mut &reader, &mut buf) {
                        Ok(0) => break total,
                        Ok(n) => total += n,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::hint::spin_loop()
                        }
                        Err(e) => panic!("drain a pipe: {e}"),
                    }
                }
            });
            let mut sender = PipeSender::new(pipe, transport);
            let mut record = downloading("tool-7");
            group.bench_function(transport.name(), |b| {
                b.iter(|| {
                    done += 65_536;
                    record.set_progress(black_box(done), Some(48 << 20));
                    sender.send(&record).expect("write to the pipe");
                })
            });
            drop(sender);
            black_box(drain.join().expect("drain thread"));
        }
        group.finish();
    }

    fn snapshot(c: &mut Criterion) {
        let mut group = c.benchmark_group("transport/snapshot");
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        let dir = board_dir();
        for tools in SNAPSHOT_SIZES {
            let board = board_with(dir.path(), tools);
            for index in 0..tools {
                let name = format!("tool-{index}");
                let mut writer = SlotWriter::attach(board.path(), index, &name).expect("attach");
                let mut record = downloading(&name);
                record.set_writer(writer.record().writer().expect("attached writer"));
                *writer.record_mut() = record;
                writer.publish();
            }
            let mut out = Vec::with_capacity(tools);
            group.bench_with_input(BenchmarkId::new("board", tools), &tools, |b, _| {
                b.iter(|| {
                    board.reader().snapshot_into(&mut out);
                    black_box(&out);
                })
            });
            for transport in [Transport::PipeBinary, Transport::PipeJson] {
                let (readers, writers) = pipes(tools);
                let mut drainer = Drainer::new(readers, transport, true);
                let backlogs: Vec<Vec<u8>> = (0..tools)
                    .map(|index| {
                        let mut bytes = Vec::new();
                        let mut encoder = PipeSender::new(std::io::sink(), transport);
                        let record = downloading(&format!("tool-{index}"));
                        encoder.encode_backlog(&record, BACKLOG_PER_TOOL, &mut bytes);
                        bytes
                    })
                    .collect();
                group.bench_with_input(
                    BenchmarkId::new(transport.name(), tools),
                    &tools,
                    |b, _| {
                        b.iter_custom(|iters| {
                            let mut timed = Duration::ZERO;
                            for _ in 0..iters {
                                // Untimed: the children's writes of one frame's updates.
                                for (pipe, bytes) in writers.iter().zip(&backlogs) {
                                    (&mut &*pipe).write_all(bytes).expect("fill a pipe");
                                }
                                let start = Instant::now();
                                let decoded = drainer.drain(|_, _| {});
                                timed += start.elapsed();
                                assert_eq!(decoded, tools * BACKLOG_PER_TOOL);
                                black_box(&drainer.latest);
                            }
                            timed
                        })
                    },
                );
            }
        }
        group.finish();
    }

    criterion_group!(benches, publish, snapshot);

    // ---------------------------------------------------------------------------------------
    // How long the extra measurements run.

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Scale {
        /// `cargo test --benches`: a tiny run, nothing written.
        Test,
        /// `cargo bench -- --quick`: short.
        Quick,
        /// `cargo bench`.
        Full,
    }

    impl Scale {
        fn name(self) -> &'static str {
            match self {
                Scale::Test => "test",
                Scale::Quick => "quick",
                Scale::Full => "full",
            }
        }

        fn visibility_samples(self) -> usize {
            match self {
                Scale::Test => 50,
                Scale::Quick => 3_000,
                Scale::Full => 20_000,
            }
        }

        fn throughput_time(self) -> Duration {
            match self {
                Scale::Test => Duration::from_millis(100),
                Scale::Quick => Duration::from_millis(500),
                Scale::Full => Duration::from_secs(2),
            }
        }
    }

    /// Criterion's own reading of its arguments: without `--bench` (or with `--test`) it is
    /// in test mode. Returns `None` when only listing benchmarks.
    fn scale_from_args(args: &[String]) -> Option<Scale> {
        let has = |flag: &str| args.iter().any(|a| a == flag);
        if has("--list") {
            return None;
        }
        Some(if !has("--bench") || has("--test") {
            Scale::Test
        } else if has("--quick") {
            Scale::Quick
        } else {
            Scale::Full
        })
    }

    /// The positional filter criterion was given, if any.
    fn filter_from_args(args: &[String]) -> Option<String> {
        const WITH_VALUE: &[&str] = &[
            "--save-baseline",
            "--baseline",
            "--baseline-lenient",
            "--load-baseline",
            "--sample-size",
            "--warm-up-time",
            "--measurement-time",
            "--nresamples",
            "--noise-threshold",
            "--confidence-level",
            "--significance-level",
            "--profile-time",
            "--format",
            "--color",
            "-c",
            "--output-format",
            "--plotting-backend",
            "-s",
            "-b",
        ];
        let mut rest = args.iter().skip(1);
        while let Some(arg) = rest.next() {
            if WITH_VALUE.contains(&arg.as_str()) {
                rest.next();
            } else if !arg.starts_with('-') {
                return Some(arg.clone());
            }
        }
        None
    }

    // ---------------------------------------------------------------------------------------
    // Cross-process visibility latency.

    /// How a pipe reader waits for data.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Wait {
        /// Polls without blocking, like the board's reader (busy).
        Spin,
        /// Blocks in `read` until the kernel wakes it.
        Block,
    }

    /// In the writer process: publishes `samples` updates, each carrying its send time
    /// (`CLOCK_MONOTONIC` ns in `bytes_done`). Before each it waits for the reader's
    /// acknowledgement of the previous one (a byte on stdin) and then pauses, so no update
    /// is overwritten or queued before the reader saw it: every update is one sample.
    fn visibility_writer(params: &support::Params) {
        let transport = Transport::from_name(params.get("transport"));
        let samples: u32 = params.num("samples");
        let gap = Duration::from_micros(params.num("gap_us"));
        if transport == Transport::Board {
            let path = PathBuf::from(params.get("board"));
            let mut writer = SlotWriter::attach(&path, 0, "tool-0").expect("attach");
            writer.record_mut().set_phase(Phase::Downloading);
            for i in 1..=samples {
                support::wait_for_go();
                std::thread::sleep(gap);
                // A progress update's shape: the byte counts (and the heartbeat) change,
                // all in the slot's first cache line beside the sequence word.
                let record = writer.record_mut();
                record.bytes_total = u64::from(i);
                record.bytes_done = mono_ns();
                writer.publish();
            }
            support::wait_for_go();
            writer.record_mut().set_phase(Phase::Completed);
            writer.publish();
        } else {
            let mut sender = PipeSender::new(raw_stdout(), transport);
            let mut record = downloading("tool-0");
            for i in 1..=samples {
                support::wait_for_go();
                std::thread::sleep(gap);
                record.attempt = i;
                record.bytes_done = mono_ns();
                sender.send(&record).expect("write to the pipe");
            }
        }
    }

    /// Standard output as an unbuffered file: one `write` per message, like the board's
    /// publish is one store sequence (`std::io::Stdout` is line-buffered).
    fn raw_stdout() -> std::fs::File {
        std::fs::File::from(
            std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .expect("duplicate stdout"),
        )
    }

    fn visibility_run(transport: Transport, wait: Wait, samples: usize) -> Vec<u64> {
        let gap_us = 50u64;
        let mut params = vec![
            ("transport", transport.name().to_owned()),
            ("samples", samples.to_string()),
            ("gap_us", gap_us.to_string()),
        ];
        let mut latencies = Vec::with_capacity(samples);
        if transport == Transport::Board {
            let dir = board_dir();
            let board = board_with(dir.path(), 1);
            params.push(("board", board.path().display().to_string()));
            let mut child = support::spawn_helper("vis-writer", &params, None);
            let mut ack = child.stdin.take().expect("helper stdin");
            ack.write_all(b"g").expect("start the writer");
            let reader = board.reader();
            let mut last_sample = 0;
            let mut polls = 0u64;
            let mut writer_gone = false;
            let mut frame = Vec::with_capacity(1);
            loop {
                // A reused snapshot: each poll loads the slot's sequence word and copies
                // the record only when it moved (`snapshot_into`).
                reader.snapshot_into(&mut frame);
                if let Some(Ok(snap)) = frame.first() {
                    let sample = snap.record.bytes_total;
                    if sample != last_sample && (1..=samples as u64).contains(&sample) {
                        let seen = mono_ns();
                        last_sample = sample;
                        latencies.push(seen.saturating_sub(snap.record.bytes_done));
                        ack.write_all(b"a").expect("acknowledge");
                    }
                    if snap.record.phase() == Some(Phase::Completed) {
                        break;
                    }
                }
                if writer_gone {
                    break;
                }
                polls += 1;
                if polls.is_multiple_of(1 << 20) {
                    // A writer that ended without completing: one more look, then stop.
                    writer_gone = child.try_wait().ok().flatten().is_some();
                }
            }
            drop(ack);
            support::reap(vec![child]);
        } else {
            let (reader, pipe) = std::io::pipe().expect("pipe");
            let mut child = support::spawn_helper("vis-writer", &params, Some(pipe));
            let mut ack = child.stdin.take().expect("helper stdin");
            let mut drainer = Drainer::new(vec![reader], transport, wait == Wait::Spin);
            ack.write_all(b"g").expect("start the writer");
            while !drainer.all_closed() {
                drainer.drain(|_, record| {
                    let seen = mono_ns();
                    latencies.push(seen.saturating_sub(record.bytes_done));
                    // The writer may have finished and gone: a failed acknowledgement is fine.
                    let _ = ack.write_all(b"a");
                });
            }
            drop(ack);
            support::reap(vec![child]);
        }
        latencies
    }

    fn summarize_latencies(mut samples: Vec<u64>) -> Value {
        samples.sort_unstable();
        let mean = samples.iter().sum::<u64>() as f64 / samples.len().max(1) as f64;
        json!({
            "samples": samples.len(),
            "min_ns": samples.first().copied().unwrap_or(0),
            "median_ns": support::percentile(&samples, 50.0),
            "p90_ns": support::percentile(&samples, 90.0),
            "p99_ns": support::percentile(&samples, 99.0),
            "p999_ns": support::percentile(&samples, 99.9),
            "max_ns": samples.last().copied().unwrap_or(0),
            "mean_ns": mean,
        })
    }

    fn visibility(scale: Scale) -> Value {
        let samples = scale.visibility_samples();
        // Rounds interleave the transports, so a burst of load on this shared machine hits
        // them all alike instead of whichever happened to be running.
        let rounds = if scale == Scale::Test { 1 } else { 5 };
        let load_before = support::load_average();
        let variants = [
            (Transport::Board, Wait::Spin),
            (Transport::PipeBinary, Wait::Spin),
            (Transport::PipeBinary, Wait::Block),
            (Transport::PipeJson, Wait::Spin),
            (Transport::PipeJson, Wait::Block),
        ];
        let mut all: Vec<Vec<u64>> = vec![Vec::with_capacity(samples); variants.len()];
        let mut round_medians: Vec<Vec<u64>> = vec![Vec::new(); variants.len()];
        for _ in 0..rounds {
            for (i, &(transport, wait)) in variants.iter().enumerate() {
                let mut got = visibility_run(transport, wait, samples / rounds);
                got.sort_unstable();
                round_medians[i].push(support::percentile(&got, 50.0));
                all[i].extend(got);
            }
        }
        let mut results = Vec::new();
        for (i, (transport, wait)) in variants.into_iter().enumerate() {
            let wait_name = if wait == Wait::Spin { "spin" } else { "block" };
            let mut entry = summarize_latencies(std::mem::take(&mut all[i]));
            entry["transport"] = json!(transport.name());
            entry["reader"] = json!(wait_name);
            entry["round_medians_ns"] = json!(round_medians[i]);
            println!(
                "transport/visibility/{}/{}: median {} ns, p99 {} ns, p99.9 {} ns ({} samples; \
             round medians {:?})",
                transport.name(),
                wait_name,
                entry["median_ns"],
                entry["p99_ns"],
                entry["p999_ns"],
                entry["samples"],
                round_medians[i],
            );
            results.push(entry);
        }
        json!({
            "measurement": "visibility",
            "scale": scale.name(),
            "clock": "CLOCK_MONOTONIC (clock_gettime) in both processes",
            "writer_gap_us": 50,
            "protocol": "writer waits for the reader's acknowledgement of each update, then sleeps the gap, then publishes",
            "rounds": rounds,
            "samples_per_transport": samples,
            "load_before": load_before,
            "load_after": support::load_average(),
            "results": results,
        })
    }

    // ---------------------------------------------------------------------------------------
    // Throughput: writers as fast as they can, one reader at 30 Hz.

    /// In a writer process: publishes as fast as it can for `duration_ms` once told to
    /// start, then writes `count cpu_ns elapsed_ns` to the file `out`.
    fn throughput_writer(params: &support::Params) {
        let transport = Transport::from_name(params.get("transport"));
        let index: usize = params.num("index");
        let duration = Duration::from_millis(params.num("duration_ms"));
        let name = format!("tool-{index}");
        let mut record = downloading(&name);
        let mut count = 0u64;
        let (cpu, elapsed);
        if transport == Transport::Board {
            let path = PathBuf::from(params.get("board"));
            let mut writer = SlotWriter::attach(&path, index, &name).expect("attach");
            record.set_writer(writer.record().writer().expect("attached writer"));
            *writer.record_mut() = record;
            support::wait_for_go();
            let (t0, c0) = (Instant::now(), process_cpu_ns());
            let deadline = t0 + duration;
            loop {
                for _ in 0..64 {
                    let record = writer.record_mut();
                    record.bytes_done = record.bytes_done.wrapping_add(65_536);
                    writer.publish();
                }
                count += 64;
                if Instant::now() >= deadline {
                    break;
                }
            }
            (cpu, elapsed) = (process_cpu_ns() - c0, t0.elapsed());
        } else {
            let mut sender = PipeSender::new(raw_stdout(), transport);
            support::wait_for_go();
            let (t0, c0) = (Instant::now(), process_cpu_ns());
            let deadline = t0 + duration;
            'run: loop {
                for _ in 0..8 {
                    record.bytes_done = record.bytes_done.wrapping_add(65_536);
                    if sender.send(&record).is_err() {
                        break 'run;
                    }
                    count += 1;
                }
                if Instant::now() >= deadline {
                    break;
                }
            }
            (cpu, elapsed) = (process_cpu_ns() - c0, t0.elapsed());
        }
        let report = format!("{count} {cpu} {}", elapsed.as_nanos());
        std::fs::write(params.get("out"), report).expect("write the writer's report");
    }

    fn throughput_run(
        transport: Transport,
        writers: usize,
        duration: Duration,
        scale: Scale,
    ) -> Value {
        let dir = board_dir();
        let reports: Vec<PathBuf> = (0..writers)
            .map(|i| dir.path().join(format!("writer-{i}.txt")))
            .collect();
        let params = |index: usize| {
            vec![
                ("transport", transport.name().to_owned()),
                ("index", index.to_string()),
                ("duration_ms", duration.as_millis().to_string()),
                ("out", reports[index].display().to_string()),
            ]
        };
        let board = (transport == Transport::Board).then(|| board_with(dir.path(), writers));
        let mut drainer = None;
        let mut children = Vec::with_capacity(writers);
        if let Some(board) = &board {
            for index in 0..writers {
                let mut params = params(index);
                params.push(("board", board.path().display().to_string()));
                children.push(support::spawn_helper("tp-writer", &params, None));
            }
        } else {
            let (readers, ends) = pipes(writers);
            for (index, end) in ends.into_iter().enumerate() {
                children.push(support::spawn_helper(
                    "tp-writer",
                    &params(index),
                    Some(end),
                ));
            }
            drainer = Some(Drainer::new(readers, transport, true));
        }
        // Let every helper start and block on its start byte, so they run side by side.
        std::thread::sleep(if scale == Scale::Test {
            Duration::from_millis(30)
        } else {
            Duration::from_millis(300)
        });
        support::go(&mut children);
        let frame = Duration::from_secs_f64(1.0 / READER_HZ);
        let start = Instant::now();
        let (mut frames, mut reader_cpu, mut decoded) = (0u64, 0u64, 0u64);
        let (mut slot_errors, mut frames_with_errors) = (0u64, 0u64);
        let mut snapshot = Vec::with_capacity(writers);
        loop {
            let next = start + frame * (frames as u32 + 1);
            if let Some(wait) = next.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let c0 = thread_cpu_ns();
            if let Some(board) = &board {
                board.reader().snapshot_into(&mut snapshot);
                let errors = snapshot.iter().filter(|slot| slot.is_err()).count() as u64;
                slot_errors += errors;
                frames_with_errors += u64::from(errors > 0);
            } else if let Some(drainer) = &mut drainer {
                decoded += drainer.drain(|_, _| {}) as u64;
            }
            reader_cpu += thread_cpu_ns() - c0;
            frames += 1;
            let writers_done = children
                .iter_mut()
                .all(|c| c.try_wait().ok().flatten().is_some());
            let pipes_done = drainer.as_ref().is_none_or(Drainer::all_closed);
            if writers_done && pipes_done {
                break;
            }
        }
        support::reap(children);
        let (mut count, mut cpu, mut elapsed) = (0u64, 0u64, 0u64);
        for path in &reports {
            let text = std::fs::read_to_string(path).expect("a writer's report");
            let fields: Vec<u64> = text
                .split_whitespace()
                .map(|f| f.parse().expect("a number"))
                .collect();
            count += fields[0];
            cpu += fields[1];
            elapsed = elapsed.max(fields[2]);
        }
        let seconds = elapsed as f64 / 1e9;
        json!({
            "transport": transport.name(),
            "writers": writers,
            "updates": count,
            "seconds": seconds,
            "updates_per_s": count as f64 / seconds,
            "updates_per_s_per_writer": count as f64 / seconds / writers as f64,
            "writer_cpu_ns_per_update": cpu as f64 / count.max(1) as f64,
            "writer_cpu_cores": cpu as f64 / 1e9 / seconds,
            "reader_frames": frames,
            "reader_cpu_ns_per_update": reader_cpu as f64 / count.max(1) as f64,
            "reader_cpu_ns_per_frame": reader_cpu as f64 / frames.max(1) as f64,
            "reader_decoded": decoded,
            "reader_slot_errors": slot_errors,
            "reader_frames_with_errors": frames_with_errors,
        })
    }

    fn throughput(scale: Scale) -> Value {
        let duration = scale.throughput_time();
        let load_before = support::load_average();
        let mut results = Vec::new();
        for writers in WRITER_COUNTS {
            for transport in Transport::ALL {
                let entry = throughput_run(transport, writers, duration, scale);
                println!(
                    "transport/throughput/{}/{writers}: {:.0} updates/s, writer CPU {:.0} ns/update, \
                 reader CPU {:.1} ns/update ({:.0} ns/frame, {} slot errors)",
                    transport.name(),
                    entry["updates_per_s"].as_f64().unwrap_or(0.0),
                    entry["writer_cpu_ns_per_update"].as_f64().unwrap_or(0.0),
                    entry["reader_cpu_ns_per_update"].as_f64().unwrap_or(0.0),
                    entry["reader_cpu_ns_per_frame"].as_f64().unwrap_or(0.0),
                    entry["reader_slot_errors"],
                );
                results.push(entry);
            }
        }
        json!({
            "measurement": "throughput",
            "scale": scale.name(),
            "duration_s": duration.as_secs_f64(),
            "reader_hz": READER_HZ,
            "load_before": load_before,
            "load_after": support::load_average(),
            "results": results,
        })
    }

    // ---------------------------------------------------------------------------------------
    // Memory.

    /// In a helper process: measures its own RSS before and after playing one side of one
    /// transport for `tools` tools, and writes both (JSON) to `out`.
    fn memory_probe(params: &support::Params) {
        let transport = Transport::from_name(params.get("transport"));
        let side = params.get("side");
        let tools: usize = params.num("tools");
        let before = Rss::now();
        let mut extra = json!({});
        match (transport, side) {
            (Transport::Board, "reader") => {
                let path = PathBuf::from(params.get("board"));
                let reader = BoardReader::open(&path, Access::ReadOnly).expect("open board");
                let mut out = Vec::with_capacity(tools);
                reader.snapshot_into(&mut out);
                assert_eq!(out.len(), tools);
                extra["segment_bytes"] = json!(reader.info().size_bytes);
                memory_report(params, before, Rss::now(), extra);
            }
            (Transport::Board, _) => {
                let path = PathBuf::from(params.get("board"));
                let mut writer =
                    SlotWriter::attach(&path, tools - 1, &format!("tool-{}", tools - 1))
                        .expect("attach");
                writer.publish();
                memory_report(params, before, Rss::now(), extra);
            }
            (_, "reader") => {
                // The reader's side with every child's pipe holding one frame's backlog.
                let (readers, writers) = pipes(tools);
                let mut capacity = 0usize;
                let mut queued = 0usize;
                let mut pages = 0usize;
                let mut encoder = PipeSender::new(std::io::sink(), transport);
                for (index, pipe) in writers.iter().enumerate() {
                    capacity += rustix::pipe::fcntl_getpipe_size(pipe).expect("F_GETPIPE_SZ");
                    let mut bytes = Vec::new();
                    encoder.encode_backlog(
                        &downloading(&format!("tool-{index}")),
                        BACKLOG_PER_TOOL,
                        &mut bytes,
                    );
                    (&mut &*pipe).write_all(&bytes).expect("fill a pipe");
                    queued += bytes.len();
                    pages += bytes.len().div_ceil(4096) * 4096;
                }
                extra["pipe_capacity_bytes"] = json!(capacity);
                extra["pipe_queued_bytes"] = json!(queued);
                extra["pipe_queued_pages_bytes"] = json!(pages);
                let mut drainer = Drainer::new(readers, transport, true);
                let decoded = drainer.drain(|_, _| {});
                assert_eq!(decoded, tools * BACKLOG_PER_TOOL);
                memory_report(params, before, Rss::now(), extra);
            }
            (_, _) => {
                let (_reader, pipe) = std::io::pipe().expect("pipe");
                let mut sender = PipeSender::new(pipe, transport);
                sender.send(&downloading("tool-0")).expect("write");
                memory_report(params, before, Rss::now(), extra);
            }
        }
    }

    /// Writes a helper's memory figures; `after` is taken while the transport's objects live.
    fn memory_report(params: &support::Params, before: Rss, after: Rss, mut extra: Value) {
        extra["before"] = json!(before);
        extra["after"] = json!(after);
        let text = serde_json::to_string(&extra).expect("serialise");
        std::fs::write(params.get("out"), text).expect("write the memory report");
    }

    fn memory(scale: Scale) -> Value {
        let mut results = Vec::new();
        let sizes: &[usize] = if scale == Scale::Test {
            &[64]
        } else {
            &MEMORY_SIZES
        };
        for &tools in sizes {
            let dir = board_dir();
            let board = board_with(dir.path(), tools);
            for transport in Transport::ALL {
                for side in ["reader", "writer"] {
                    let out = dir
                        .path()
                        .join(format!("mem-{}-{side}.json", transport.name()));
                    let params = vec![
                        ("transport", transport.name().to_owned()),
                        ("side", side.to_owned()),
                        ("tools", tools.to_string()),
                        ("board", board.path().display().to_string()),
                        ("out", out.display().to_string()),
                    ];
                    let mut child = support::spawn_helper("memory", &params, None);
                    drop(child.stdin.take());
                    support::reap(vec![child]);
                    let mut entry: Value =
                        serde_json::from_str(&std::fs::read_to_string(&out).expect("report"))
                            .expect("a JSON report");
                    let kib = |entry: &Value, when: &str, field: &str| {
                        entry[when][field].as_u64().unwrap_or(0)
                    };
                    entry["rss_delta_kib"] = json!(
                        kib(&entry, "after", "vm_rss_kib") as i64
                            - kib(&entry, "before", "vm_rss_kib") as i64
                    );
                    entry["shmem_delta_kib"] = json!(
                        kib(&entry, "after", "rss_shmem_kib") as i64
                            - kib(&entry, "before", "rss_shmem_kib") as i64
                    );
                    entry["transport"] = json!(transport.name());
                    entry["side"] = json!(side);
                    entry["tools"] = json!(tools);
                    if transport == Transport::Board {
                        entry["segment_bytes"] = json!(board_size(tools));
                    }
                    println!(
                        "transport/memory/{}/{side}/{tools}: VmRSS {} KiB (+{} KiB), RssShmem +{} KiB{}",
                        transport.name(),
                        kib(&entry, "after", "vm_rss_kib"),
                        entry["rss_delta_kib"],
                        entry["shmem_delta_kib"],
                        match (entry.get("segment_bytes"), entry.get("pipe_capacity_bytes")) {
                            (Some(seg), _) if side == "reader" => format!(", segment {seg} B"),
                            (_, Some(cap)) => format!(
                                ", pipe capacity {cap} B, queued {} B",
                                entry["pipe_queued_bytes"]
                            ),
                            _ => String::new(),
                        }
                    );
                    results.push(entry);
                }
            }
        }
        json!({
            "measurement": "memory",
            "scale": scale.name(),
            "frame_backlog_per_tool": BACKLOG_PER_TOOL,
            "record_bytes": FRAME,
            "pipe_user_pages_soft": std::fs::read_to_string("/proc/sys/fs/pipe-user-pages-soft")
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok()),
            "results": results,
        })
    }

    // ---------------------------------------------------------------------------------------

    fn write_extra(name: &str, value: &Value) {
        let dir = support::criterion_home().join("vx-extra");
        std::fs::create_dir_all(&dir).expect("create the extra results directory");
        let path = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(value).expect("serialise");
        std::fs::write(&path, text).expect("write extra results");
        println!("wrote {}", path.display());
    }

    fn extras(scale: Scale, filter: Option<&str>) {
        type Measure = fn(Scale) -> Value;
        let all: [(&str, Measure); 3] = [
            ("visibility", visibility),
            ("throughput", throughput),
            ("memory", memory),
        ];
        for (name, measure) in all {
            let id = format!("transport/{name}");
            if filter.is_some_and(|f| !id.contains(f) && !f.contains(&id)) {
                continue;
            }
            let value = measure(scale);
            if scale != Scale::Test {
                write_extra(name, &value);
            }
        }
    }

    fn helper(role: &str) {
        let params = support::Params::from_env();
        match role {
            "vis-writer" => visibility_writer(&params),
            "tp-writer" => throughput_writer(&params),
            "memory" => memory_probe(&params),
            other => panic!("unknown helper role {other:?}"),
        }
    }

    pub fn main() {
        if let Ok(role) = std::env::var(support::ROLE) {
            helper(&role);
            return;
        }
        let args: Vec<String> = std::env::args().collect();
        benches();
        Criterion::default().configure_from_args().final_summary();
        if let Some(scale) = scale_from_args(&args) {
            let started = Instant::now();
            extras(scale, filter_from_args(&args).as_deref());
            if scale == Scale::Test {
                println!(
                    "transport extras (test mode) ran in {:?}",
                    started.elapsed()
                );
            }
        }
    }
}
