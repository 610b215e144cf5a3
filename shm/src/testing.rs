//! Builders shared by this crate's tests and the workspace's benchmarks (not part of
//! the board's API): boards of `tool-0`, `tool-1`, … in a given directory.

use std::path::Path;

use crate::{Board, ToolEntry};

/// Names of `count` tools: tool-0, tool-1, ...
pub fn tool_names(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("tool-{i}")).collect()
}

/// A board labelled `label` in `dir` for `count` tools (version `1.2.3`). Panics when it
/// cannot be created: for tests and benchmarks only.
pub fn board_with(dir: &Path, count: usize, label: &str) -> Board {
    let names = tool_names(count);
    let tools: Vec<ToolEntry<'_>> = names
        .iter()
        .map(|name| ToolEntry {
            name,
            version: "1.2.3",
        })
        .collect();
    Board::create(dir, label, &tools).expect("create board")
}
