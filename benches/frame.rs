//! Time to build one dashboard frame (model update from a board snapshot, then render)
//! for 64 and 256 tools. Target: ≤ 1 ms at 256 tools. `cargo bench --bench frame`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vx_shm::{Board, Phase, SlotWriter};

// Shared with the transport benches; each bench uses part of it.
#[allow(dead_code)]
mod support;

use support::{board_dir, board_with};
use vx_shm::testing::tool_names;
use vx_tui::view::render;
use vx_tui::{Look, Model};

/// A board of `tools` tools in a mix of phases, as mid-sync.
fn busy_board(dir: &std::path::Path, tools: usize) -> (Board, Vec<SlotWriter>) {
    let names = tool_names(tools);
    let board = board_with(dir, tools);
    let writers = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let mut writer = SlotWriter::attach(board.path(), index, name).unwrap();
            writer.update(|r| {
                r.set_phase(Phase::ALL[index % Phase::ALL.len()]);
                r.set_progress(index as u64 * 1000, Some(1 << 20));
                r.started_unix_ms = vx_shm::now_unix_ms();
                r.set_message("working");
            });
            writer
        })
        .collect();
    (board, writers)
}

fn frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("tui/frame");
    for tools in [64, 256] {
        let dir = board_dir();
        let (board, mut writers) = busy_board(dir.path(), tools);
        let mut model = Model::new("benches/vx.toml", vx_shm::now_unix_ms());
        let mut reads = Vec::new();
        let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
        let mut now = vx_shm::now_unix_ms();
        group.bench_with_input(BenchmarkId::from_parameter(tools), &tools, |b, _| {
            b.iter(|| {
                // Every tool moved since the last frame: the worst case.
                for writer in &mut writers {
                    writer.record_mut().bytes_done += 4096;
                    writer.publish();
                }
                now += 33;
                board.reader().snapshot_into(&mut reads);
                model.update(&reads, now);
                terminal
                    .draw(|f| render(f, &model, Look { color: true }))
                    .unwrap();
                black_box(&terminal);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
