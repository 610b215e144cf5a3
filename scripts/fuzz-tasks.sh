#!/usr/bin/env bash
# Fuzzes what a task run reads from a clone or a cache (fuzz/, cargo-fuzz, nightly
# toolchain), one target after the other:
# - mise: a mise project read where it stands, as `vx run` and `vx exec` read it
#   (mise.toml, a file task's `#MISE` header under .mise/tasks or mise-tasks, an
#   included tasks.toml; then the manifest, its environment and its tasks planned).
#   Seeds: the committed fuzz/seeds/mise, and the mise corpus's files when
#   $VX_MISE_CORPUS holds them (scripts/mise-corpus.sh).
# - task_archive: a kept task result's archive restored for an output glob; nothing
#   written outside the project or beyond the glob. Seeds: the committed
#   fuzz/seeds/task_archive, and real results made afresh by `archive::pack_roots`/`pack`
#   (written by the target itself at start-up, VX_FUZZ_SEED_DIR).
# Prints libFuzzer's last lines of each ("Done N runs in S second(s)").
#
#   scripts/fuzz-tasks.sh [--runs N | --time SECONDS] [--sanitizer S] [TARGET...]
#   scripts/fuzz-tasks.sh SECONDS                  (the old form: a time per target)
#
# --runs N       stop after N inputs per target (libFuzzer's -runs; VX_FUZZ_RUNS); the
#                issue's bar is --runs 1000000
# --time S       stop after S seconds per target (-max_total_time; default 60)
# --sanitizer S  none (default; VX_FUZZ_SANITIZER) or address, memory, thread, leak.
#   `none` is a release build with debug assertions and overflow checks, no sanitizer.
#   That is a sound choice for these two targets: the code they reach is safe Rust
#   (every vx crate they link is #![forbid(unsafe_code)] but shm, which neither
#   reaches; the `unsafe` left is in std and widely fuzzed dependencies: toml, regex,
#   memchr, tar, ruzstd), so what a sanitizer adds is checking for memory errors safe
#   Rust cannot make, at many times the cost (an address build ran ~130 inputs/s and
#   took 30 minutes to build). A panic, an assertion of the
#   target, an overflow, a hang (-timeout) or a memory blow-up (-rss_limit_mb) is still
#   a finding. Use --sanitizer address when a change brings `unsafe` within reach.
# TARGET         mise, task_archive (default both)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
runs=${VX_FUZZ_RUNS:-}
sanitizer=${VX_FUZZ_SANITIZER:-none}
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=${2:?--runs N}; shift 2 ;;
    --time) seconds=${2:?--time SECONDS}; runs=; shift 2 ;;
    --sanitizer) sanitizer=${2:?--sanitizer S}; shift 2 ;;
    mise | task_archive) targets+=("$1"); shift ;;
    *[!0-9]* | '') echo "usage: scripts/fuzz-tasks.sh [--runs N | --time S] [--sanitizer S] [TARGET...]" >&2; exit 2 ;;
    *) seconds=$1; runs=; shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(mise task_archive)
if [ -n "$runs" ]; then limit=(-runs="$runs"); else limit=(-max_total_time="$seconds"); fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  cp fuzz/seeds/"$target"/* "fuzz/corpus/$target/"
done
# The mise corpus's real project files (scripts/mise-corpus.sh, kept in $VX_MISE_CORPUS),
# when it is here, as the first byte 0 (mise.toml) reads them.
if [ -n "${VX_MISE_CORPUS:-}" ] && [ -d "$VX_MISE_CORPUS" ]; then
  find "$VX_MISE_CORPUS" -name '*mise*.toml' -size -64k | while read -r f; do
    { printf '\0'; cat "$f"; } > "fuzz/corpus/mise/corpus-$(echo "$f" | sha256sum | cut -c1-16)"
  done
fi
cd fuzz
for target in "${targets[@]}"; do
  log=/tmp/vx-fuzz-$target.log
  echo "== $target: ${limit[*]}, sanitizer $sanitizer (log $log)"
  VX_FUZZ_SEED_DIR="corpus/$target" \
    cargo +nightly fuzz run -s "$sanitizer" "$target" "corpus/$target" -- "${limit[@]}" \
    -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 2>&1 \
    | tee "$log" | grep -E '^(#[0-9]+\s+(DONE|pulse)|Done|==|stat::)' || true
  grep -E '^Done [0-9]+ runs' "$log"
done
