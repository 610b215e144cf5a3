#!/usr/bin/env bash
# Issue 54's benchmark (docs/BENCHMARKS.md §18): `vx sync` of python, node and four
# runtimes at once beside `uv python install`, `mise install` and the floor (curl into
# the fastest decoder into tar), every tool served the same real archives by one
# static loopback server (tests/it/bench_runtimes.rs says which and how each tool is
# pointed at them). Interleaved rounds; medians, and the median of the per-round ratios.
#
# The harness is the test build (debug), and it does not matter: vx's lock reads the
# publishers' stand-ins once, before any timing, and every timed download comes from
# `TestServer::files`, which hands each file to the kernel (sendfile), so the link is
# loopback's whatever the build. The vx timed is the release build.
#
# Usage: scripts/bench-runtimes.sh [ROUNDS]
# Fetches uv from PyPI and mise from npm into target/bench-tools/ once, builds a
# release vx, and runs the ignored test with them. Needs curl, xz, gzip, tar, python3
# with venv, npm. On a machine busy with other work, read the ratios (each round runs
# every row in turn, so a slow minute falls on all of them), not the seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-5}
tools=$root/target/bench-tools
mkdir -p "$tools"
if [ ! -x "$tools/uv/bin/uv" ]; then
  python3 -m venv "$tools/uv"
  "$tools/uv/bin/pip" install -q uv
fi
if [ ! -x "$tools/mise/node_modules/.bin/mise" ]; then
  npm install --silent --prefix "$tools/mise" @jdxcode/mise
fi
cargo build --release --quiet --bin vx
echo "vx $(target/release/vx --version | head -1); $("$tools/uv/bin/uv" --version); mise $("$tools/mise/node_modules/.bin/mise" --version)"
VX_BENCH_VX=$root/target/release/vx \
VX_BENCH_UV=$tools/uv/bin/uv \
VX_BENCH_MISE=$tools/mise/node_modules/.bin/mise \
VX_BENCH_ROUNDS=$rounds \
  cargo test --quiet --test it bench_runtimes -- --ignored --nocapture
