#!/usr/bin/env bash
# A/B of two vx builds on §22's cold syncs (docs/BENCHMARKS.md), by the counts a loaded
# machine disturbs least: page faults and task-clock (CPU time of the sync and its
# children) from `perf stat`, with the wall time beside them.
#
# Usage: scripts/ab-tools.sh VX_A VX_B [ROUNDS] [tiny|large]
#   VX_A, VX_B  two vx binaries (copy the release build of the base to target/vx-before
#               before a change, then build the change)
#   ROUNDS      interleaved rounds (default 5): each round runs A, then B, each cold
#   WORKLOAD    tiny (100 tiny .tar.gz tools, default) or large (4 x 50 MiB)
#
# The archives, the server and the project are scripts/bench-tools.sh's (same
# generator, same `vx.toml` of `url` tools with their sha256, locked once by VX_A
# before any timing), `vx sync --headless -q -j 16` on an empty state each run. Prints
# each row's medians and the median of the per-round ratios B / A.
# Needs python3 and perf (`perf stat` of one's own processes: perf_event_paranoid <= 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib/common.sh"
. "$root/scripts/lib/ab.sh"
[ $# -ge 2 ] || { sed -n '6,10p' "$0" >&2; exit 2; }
a=$(realpath "$1") b=$(realpath "$2") rounds=${3:-5} load=${4:-tiny}
served_work ab-tools

python3 "$root/scripts/lib/tools.py" "$work" "$load"
serve_dir "$work/www"

mkdir -p "$work/project"
: >"$work/project/vx.toml"
while read -r name file sha; do
  printf '[tools.%s]\nversion = "1"\nurl = "%s/%s"\nsha256 = "%s"\nstrip_components = 1\n\n' \
    "$name" "$base" "$file" "$sha" >>"$work/project/vx.toml"
done <"$work/$load.list"
(isolate_vx "$work/lock-state" && cd "$work/project" && "$a" lock -q >/dev/null 2>&1)

ab_run "$a" "$b" "$load" -j 16
