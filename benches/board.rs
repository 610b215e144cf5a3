//! The board's own costs: one publish, one slot read, a whole-table snapshot, and the
//! segment's size. `cargo bench --bench board`; under `cargo test --benches` each
//! benchmark runs once, so they cannot rot.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use vx_shm::layout::board_size;
use vx_shm::{Phase, SlotWriter};

// Shared with the transport benches; each bench uses part of it.
#[allow(dead_code)]
mod support;

use support::{board_dir, board_with};

fn publish(c: &mut Criterion) {
    let dir = board_dir();
    let board = board_with(dir.path(), 64);
    let mut writer = SlotWriter::attach(board.path(), 7, "tool-7").unwrap();
    writer.record_mut().set_phase(Phase::Downloading);
    let mut done = 0u64;
    c.bench_function("board/publish", |b| {
        b.iter(|| {
            done += 65_536;
            writer
                .record_mut()
                .set_progress(black_box(done), Some(1 << 30));
            writer.publish();
        })
    });
    c.bench_function("board/cancel_poll", |b| {
        b.iter(|| black_box(writer.cancel_requested()))
    });
}

fn read(c: &mut Criterion) {
    let dir = board_dir();
    let board = board_with(dir.path(), 256);
    c.bench_function("board/read_slot", |b| {
        b.iter(|| black_box(board.reader().read_slot(black_box(100))))
    });
    let mut group = c.benchmark_group("board/snapshot");
    for tools in [8, 64, 256] {
        let board = board_with(dir.path(), tools);
        let mut out = Vec::with_capacity(tools);
        group.bench_with_input(BenchmarkId::from_parameter(tools), &tools, |b, _| {
            b.iter(|| {
                board.reader().snapshot_into(&mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

fn sizes(_: &mut Criterion) {
    for tools in [64, 256, 1024] {
        println!("board/segment_bytes/{tools}: {}", board_size(tools));
    }
}

criterion_group!(benches, publish, read, sizes);
criterion_main!(benches);
