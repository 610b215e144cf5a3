#!/usr/bin/env bash
# Fuzzes one of the targets beyond the registry (fuzz/, cargo-fuzz, nightly toolchain):
# manifest (vx.toml), lock (vx.lock, written back and read again), user_config,
# import (.tool-versions, mise.toml, aqua.yaml, .nvmrc, .node-version,
# .python-version), template (aqua templates and version_constraint expressions),
# daemon_request, config_frame, hook_state (__VX_STATE), dotenv ([settings] env_file),
# runtime_index (the runtime publishers' indexes: nodejs.org index.json, declared
# lines, python-build-standalone SHA256SUMS, builds.hex.pm builds.txt, Adoptium, go.dev,
# GitHub release lists, Rust channel manifests), language_registry (npm packuments
# and version documents, PyPI PEP 691/503 pages, .npmrc, pip.conf) and tasks (vx.toml's
# [tasks] and .vx/tasks headers, planned and their arguments parsed), mise (a mise
# project read in place) and task_archive (a kept task result restored; both also run by
# scripts/fuzz-tasks.sh). The corpus starts
# from the committed seeds (fuzz/seeds/TARGET, written by scripts/fuzz-seeds.sh); the registry
# has its own script (scripts/fuzz-registry.sh). Prints libFuzzer's run count.
#   scripts/fuzz.sh TARGET [RUNS]           (default 1000000 inputs)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [RUNS]}
runs=${2:-1000000}
[ -d "fuzz/seeds/$target" ] || { echo "no seeds for $target in fuzz/seeds" >&2; exit 2; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/$target
mkdir -p "$corpus"
cp fuzz/seeds/"$target"/* "$corpus/"
cd fuzz
log=/tmp/vx-fuzz-$target.log
cargo +nightly fuzz run "$target" "corpus/$target" -- -runs="$runs" -timeout=5 \
  -rss_limit_mb=2048 2>&1 | tee "$log" | grep -E '^(#[0-9]+\s+(DONE|pulse)|Done|==)' || true
grep -E '^Done [0-9]+ runs' "$log"
