#!/usr/bin/env bash
# Fuzzes what a task run reads from a clone or a cache (fuzz/, cargo-fuzz, nightly
# toolchain), one target after the other:
# - mise: a mise project read where it stands, as `vx run` and `vx exec` read it
#   (mise.toml, a file task's `#MISE` header under .mise/tasks or mise-tasks, an
#   included tasks.toml; then the manifest, its environment and its tasks planned).
#   Seeds: the committed fuzz/seeds/mise, and the mise corpus's files when
#   $VX_MISE_CORPUS holds them (scripts/mise-corpus.sh).
# - task_archive: a kept task result's archive restored for an output glob; nothing
#   written outside the project or beyond the glob. Seeds: real results made by
#   `archive::pack_roots`/`pack` (written by the target itself, VX_FUZZ_SEED_DIR).
# Prints libFuzzer's run count of each.
#   scripts/fuzz-tasks.sh [SECONDS]      (default 60 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/mise fuzz/corpus/task_archive
cp fuzz/seeds/mise/* fuzz/corpus/mise/
# The mise corpus's real project files (scripts/mise-corpus.sh, kept in $VX_MISE_CORPUS),
# when it is here, as the first byte 0 (mise.toml) reads them.
if [ -n "${VX_MISE_CORPUS:-}" ] && [ -d "$VX_MISE_CORPUS" ]; then
  find "$VX_MISE_CORPUS" -name '*mise*.toml' -size -64k | while read -r f; do
    { printf '\0'; cat "$f"; } > "fuzz/corpus/mise/corpus-$(echo "$f" | sha256sum | cut -c1-16)"
  done
fi
cd fuzz
for target in mise task_archive; do
  log=/tmp/vx-fuzz-$target.log
  VX_FUZZ_SEED_DIR="corpus/$target" \
    cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" \
    -timeout=5 -rss_limit_mb=2048 2>&1 \
    | tee "$log" | grep -E '^(#[0-9]+\s+(DONE|pulse)|Done|==)' || true
  grep -E '^Done [0-9]+ runs' "$log"
done
