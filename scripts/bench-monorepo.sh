#!/usr/bin/env bash
# Issue 77's planning figure: a monorepo of N packages (default 1,000, a chain of
# `workspace:*` dependencies, turbo.json's build on ^build) discovered, linked and
# planned as `vx run build` plans it, in a release build of vx-workspace
# (crates/vx-workspace/examples/plan_thousand.rs). Prints the minimum and median of
# RUNS runs (default 11). docs/BENCHMARKS.md has the figures.
#
#   scripts/bench-monorepo.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p vx-workspace --example plan_thousand -- "${1:-1000}" "${2:-11}"
