#!/usr/bin/env bash
# Fuzzes opening and reading boards/dumps from arbitrary bytes (shm/fuzz, cargo-fuzz,
# nightly toolchain). Seeds are valid boards written from docs/LAYOUT.md by
# scripts/make-board-seed.py, so the fuzzer starts past the magic and size checks.
#   scripts/fuzz-shm.sh [SECONDS]      (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=shm/fuzz/corpus/open_board
mkdir -p "$corpus"
for slots in 0 1 3; do
  python3 scripts/make-board-seed.py "$slots" > "$corpus/seed-$slots"
done
cd shm/fuzz
cargo +nightly fuzz run open_board "corpus/open_board" -- -max_total_time="$seconds" -timeout=5 2>&1 \
  | tee /tmp/vx-fuzz-open_board.log | grep -E '^(#[0-9]+\s+(DONE|pulse)|Done|==)' || true
grep -E '^Done [0-9]+ runs' /tmp/vx-fuzz-open_board.log
