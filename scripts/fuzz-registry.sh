#!/usr/bin/env bash
# Fuzzes the registry path from arbitrary bytes (fuzz/, cargo-fuzz, nightly toolchain):
# a registry.yaml parsed, indexed, every entry and definition read back, each package
# looked up by name and resolved for three platforms and a few tags. Seeds are the
# fixture registries; fuzz/registry.dict gives the fuzzer aqua's keys and templates.
#   scripts/fuzz-registry.sh [SECONDS]      (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/registry
mkdir -p "$corpus"
cp tests/data/registry.yaml "$corpus/seed-tests"
cp crates/vx-project/src/demo/registry.yaml "$corpus/seed-demo"
cp tests/data/registry/names.yaml "$corpus/seed-names"
cd fuzz
cargo +nightly fuzz run registry "corpus/registry" -- -max_total_time="$seconds" -timeout=5 \
  -dict=registry.dict 2>&1 \
  | tee /tmp/vx-fuzz-registry.log | grep -E '^(#[0-9]+\s+(DONE|pulse)|Done|==)' || true
grep -E '^Done [0-9]+ runs' /tmp/vx-fuzz-registry.log
